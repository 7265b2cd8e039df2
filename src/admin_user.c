/*
 * admin_user.c - oidc-secret-admin's users: user add, list, deactivate
 * (admin_cli.h).  The place of machine users' keys and secrets.
 */
#include "admin_cli.h"

#include <stdio.h>

static int
cmd_user_add(struct ctx *c)
{
	return add_named(c, store_user_add);
}

static int
cmd_user_deactivate(struct ctx *c)
{
	return deactivate(c, store_user_deactivate, "user");
}

static int
cmd_user_list(struct ctx *c)
{
	static const struct column cols[] = {
		{ "ID", 19, NULL }, { "ORG", 19, NULL }, { "STATE", 8, NULL },
		{ "NAME", 0, NULL }, { NULL, 0, NULL }
	};

	list_head(cols);
	return list_end(store_user_list(c->st, get(c, "--org"), list_row,
	    (void *)cols), "listing users");
}

const struct command admin_user_commands[] = {
	{ "user", "add", { "--org=", "--name=", NULL }, check_org_and_name,
	    cmd_user_add,
	    "  user add --org ID --name NAME | user list [--org ID] | user"
	    " deactivate --id ID\n" },
	{ "user", "list", { "--org=", NULL }, check_by_org, cmd_user_list,
	    NULL },
	{ "user", "deactivate", { "--id=", NULL }, check_by_id,
	    cmd_user_deactivate, NULL },
	{ NULL, NULL, { NULL }, NULL, NULL, NULL }
};
