/*
 * admin_org.c - oidc-secret-admin's organizations: org add, list,
 * deactivate (admin_cli.h).
 */
#include "admin_cli.h"

#include <stdio.h>

static int
check_org_add(struct ctx *c)
{
	return check_id_opt(c, "--name", 1);
}

/* store_org_add as add_named() calls it: an organization has no org. */
static enum err
org_add(struct store *s, const char *id, const char *org, const char *name,
    const char **what)
{
	(void)org;
	return store_org_add(s, id, name, what);
}

static int
cmd_org_add(struct ctx *c)
{
	return add_named(c, org_add);
}

static int
cmd_org_deactivate(struct ctx *c)
{
	return deactivate(c, store_org_deactivate, "organization");
}

static int
cmd_org_list(struct ctx *c)
{
	static const struct column cols[] = {
		{ "ID", 19, NULL }, { "STATE", 8, NULL },
		{ "CREATED", 27, NULL }, { "NAME", 0, NULL }, { NULL, 0, NULL }
	};

	list_head(cols);
	return list_end(store_org_list(c->st, list_row, (void *)cols),
	    "listing organizations");
}

const struct command admin_org_commands[] = {
	{ "org", "add", { "--name=", NULL }, check_org_add, cmd_org_add,
	    "  org add --name NAME | org list | org deactivate --id ID\n" },
	{ "org", "list", { NULL }, NULL, cmd_org_list, NULL },
	{ "org", "deactivate", { "--id=", NULL }, check_by_id,
	    cmd_org_deactivate, NULL },
	{ NULL, NULL, { NULL }, NULL, NULL, NULL }
};
