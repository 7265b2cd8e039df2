/*
 * admin_db.c - oidc-secret-admin's commands for the database as a whole:
 * migrate, init (admin_cli.h).  check-config is admin_check.c's, the
 * secrets stored admin_secret.c's.
 */
#include "admin_cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migrate.h"

#ifndef PKGDATADIR
#define PKGDATADIR "/usr/share/oidc-secret"
#endif

/* What init makes unless told otherwise. */
#define INIT_ORG "oidc-secret"
#define INIT_USER "admin"
#define INIT_PROJECT "ZITADEL"

/* --- migrate --- */

static int
cmd_migrate(struct ctx *c)
{
	const char *dir = get(c, "--sql-dir");
	enum err e;

	if (dir == NULL)
		dir = getenv("OIDC_SECRET_SQL_DIR");
	if (dir == NULL || dir[0] == '\0')
		dir = PKGDATADIR "/sql";
	e = migrate_run(c->st, dir, PROG, stdout, stderr);
	if (e == ERR_UNAVAILABLE || e == ERR_INTERNAL)
		db_error("migrating");
	if (e != ERR_OK)
		return exit_for(e);
	fflush(stdout);
	return member_report_inert(c);
}

/* --- init --- */

static int
check_init(struct ctx *c)
{
	int rc;

	if ((rc = check_id_opt(c, "--org", 0)) != 0 ||
	    (rc = check_id_opt(c, "--user", 0)) != 0 ||
	    (rc = check_id_opt(c, "--project", 0)) != 0)
		return rc;
	return check_ttl_opt(c);
}

/* init's refusals but a database error; the token is wiped by then. */
static int
init_refused(struct ctx *c, enum err e, const char *what,
    unsigned long long orgs)
{
	if (e == ERR_EXISTS && strcmp(what, "organization") == 0) {
		fprintf(stderr, PROG ": init: the database holds %llu "
		    "organization%s already; init sets up an empty database, "
		    "once (org add, user add, member add, project add change "
		    "it from there)\n", orgs, orgs == 1 ? "" : "s");
		return EX_EXISTS;
	}
	if ((e == ERR_NOT_FOUND && strcmp(what, "role") == 0) ||
	    (e == ERR_INVALID_ARGUMENT && strcmp(what, "scope") == 0)) {
		fprintf(stderr, PROG ": init: role_permissions lacks IAM_OWNER "
		    "at the instance or ORG_OWNER at an organization: run "
		    PROG " migrate\n");
		return exit_for(e);
	}
	return refused(c, e, what, "");
}

static int
cmd_init(struct ctx *c)
{
	const char *org = get(c, "--org"), *user = get(c, "--user");
	const char *project = get(c, "--project");
	int pat = get(c, "--pat") != NULL;
	char org_id[IDS_DECIMAL_MAX], user_id[IDS_DECIMAL_MAX];
	char project_id[IDS_DECIMAL_MAX];
	char token[TOKEN_CHARS + 1], digest[SHA256_HEX], until[TS_RFC3339_MAX];
	struct init_new n;
	struct ts exp;
	unsigned long long orgs = 0;
	unsigned version = 0;
	const char *what = "";
	enum err e;

	e = store_schema_version(c->st, &version);
	if (e != ERR_OK) {
		db_error("reading the schema version");
		return EX_DB;
	}
	if (version == 0) {
		fprintf(stderr, PROG ": init: the database has no schema yet: "
		    "run " PROG " migrate first\n");
		return EX_NO;
	}
	if (new_id(org_id) != 0 || new_id(user_id) != 0 ||
	    new_id(project_id) != 0 || token_new(token, digest) != 0)
		return EX_DB;
	exp = token_expiry(c->ttl);
	memset(&n, 0, sizeof(n));
	n.org_id = org_id;
	n.org_name = org != NULL ? org : INIT_ORG;
	n.user_id = user_id;
	n.username = user != NULL ? user : INIT_USER;
	n.project_id = project_id;
	n.project_name = project != NULL ? project : INIT_PROJECT;
	n.token_sha256 = digest;
	n.token_pat = pat;
	n.token_expires = pat && get(c, "--ttl") == NULL ? NULL : &exp;
	n.token_scopes = DEFAULT_SCOPES;
	e = store_init(c->st, &n, &orgs, &what);
	if (e != ERR_OK) {
		secret_wipe(token, sizeof(token));
		return init_refused(c, e, what, orgs);
	}
	if (n.token_expires == NULL)
		snprintf(until, sizeof(until), "never");
	else if (ts_format(exp, until, sizeof(until)) != 0)
		snprintf(until, sizeof(until), "?");
	printf("# Put this line in oidc-secret.conf (the responder's and "
	    "this tool's):\n"
	    "api_project_id = %s\n"
	    "# Organization \"%s\", its user \"%s\" holding IAM_OWNER and "
	    "ORG_OWNER, and the\n"
	    "# API project \"%s\" (api_project_id above):\n"
	    "org_id = %s\n"
	    "user_id = %s\n"
	    "# A first %s of that user for the API project, expires %s;\n"
	    "# shown this once:\n"
	    "token = %s\n", project_id, n.org_name, n.username,
	    n.project_name, org_id, user_id,
	    pat ? "personal access token" : "access token", until, token);
	fflush(stdout);
	secret_wipe(token, sizeof(token));
	return EX_OK;
}

const struct command admin_setup_commands[] = {
	{ "migrate", NULL, { "--sql-dir=", NULL }, NULL, cmd_migrate,
	    "  migrate [--sql-dir DIR]\n"
	    "        apply the schema migrations not yet applied, in order;"
	    " list the\n"
	    "        memberships whose role is not of their scope\n" },
	{ "init", NULL, { "--org=", "--user=", "--project=", "--ttl=", "--pat",
	    NULL }, check_init, cmd_init,
	    "  init [--org NAME] [--user NAME] [--project NAME] [--ttl"
	    " SECONDS] [--pat]\n"
	    "        on an empty database: an organization, its admin user"
	    " (IAM_OWNER,\n"
	    "        ORG_OWNER), the API project; print api_project_id and a"
	    " first token\n" },
	{ NULL, NULL, { NULL }, NULL, NULL, NULL }
};
