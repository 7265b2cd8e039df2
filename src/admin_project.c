/*
 * admin_project.c - oidc-secret-admin's projects: project add, list
 * (admin_cli.h).
 */
#include "admin_cli.h"

static int
cmd_project_add(struct ctx *c)
{
	return add_named(c, store_project_add);
}

static int
cmd_project_list(struct ctx *c)
{
	static const struct column cols[] = {
		{ "ID", 19, NULL }, { "ORG", 19, NULL }, { "STATE", 8, NULL },
		{ "SEQUENCE", -8, NULL }, { "NAME", 0, NULL }, { NULL, 0, NULL }
	};

	list_head(cols);
	return list_end(store_project_list(c->st, get(c, "--org"), list_row,
	    (void *)cols), "listing projects");
}

const struct command admin_project_commands[] = {
	{ "project", "add", { "--org=", "--name=", NULL }, check_org_and_name,
	    cmd_project_add, "  project add --org ID --name NAME | project list"
	    " [--org ID]\n" },
	{ "project", "list", { "--org=", NULL }, check_by_org,
	    cmd_project_list, NULL },
	{ NULL, NULL, { NULL }, NULL, NULL, NULL }
};
