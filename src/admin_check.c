/*
 * admin_check.c - oidc-secret-admin check-config: the configuration, the
 * database and its schema, what the configured database user may do there
 * (the admin tool's user, or the responder's with exactly its grants), and
 * the project api_project_id names (admin_cli.h).
 */
#include "admin_cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define USER_MAX 640		/* CURRENT_USER(): name@host, in UTF-8 */
#define WORD_MAX 257		/* a table's or column's name: 64 characters */

/*
 * The responder's grants, as doc/getting-started.md and
 * oidc-secret.conf(5) give them (doc/database.md, "Grants"): what it reads
 * a call against, the columns it changes, and events, where it appends.
 */
static const struct grant_row {
	const char *table, *privilege;
	const char *columns[7];		/* none: the whole table */
} responder_grants[] = {
	{ "access_tokens", "SELECT", { NULL } },
	{ "access_tokens", "INSERT", { NULL } },
	{ "users", "SELECT", { NULL } },
	{ "users", "UPDATE", { "sequence", "change_date", "secret_hash",
	    "secret_change_date", "previous_secret_hash",
	    "previous_secret_until" } },
	{ "orgs", "SELECT", { NULL } },
	{ "memberships", "SELECT", { NULL } },
	{ "role_permissions", "SELECT", { NULL } },
	{ "projects", "SELECT", { NULL } },
	{ "projects", "UPDATE", { "sequence", "change_date" } },
	{ "apps", "SELECT", { NULL } },
	{ "apps", "UPDATE", { "change_date" } },
	{ "oidc_configs", "SELECT", { "app_id", "client_secret_hash" } },
	{ "oidc_configs", "UPDATE", { "client_secret_hash",
	    "secret_change_date", "previous_secret_hash",
	    "previous_secret_until" } },
	{ "api_configs", "SELECT", { "app_id", "client_id",
	    "client_secret_hash", "previous_secret_hash",
	    "previous_secret_until" } },
	{ "api_configs", "UPDATE", { "client_secret_hash",
	    "secret_change_date", "previous_secret_hash",
	    "previous_secret_until" } },
	{ "events", "SELECT", { "aggregate_type", "aggregate_id", "sequence",
	    "request_id" } },
	{ "events", "INSERT", { NULL } },
	{ "machine_keys", "SELECT", { NULL } },
	{ "machine_keys", "INSERT", { NULL } },
	{ "machine_keys", "DELETE", { NULL } },
};

#define NROWS (sizeof(responder_grants) / sizeof(responder_grants[0]))
#define NCOLUMNS (sizeof(responder_grants[0].columns) / \
	sizeof(responder_grants[0].columns[0]))

/* One privilege on a table, or on one of its columns. */
struct grant {
	const char *table, *privilege, *column;	/* column NULL: all */
};

/* The responder's grant number k into g; 0 past the last. */
static int
grant_at(size_t k, struct grant *g)
{
	size_t i, j;

	for (i = 0; i < NROWS; i++) {
		const struct grant_row *r = &responder_grants[i];

		for (j = 0; j == 0 || (j < NCOLUMNS && r->columns[j] != NULL);
		    j++)
			if (k-- == 0) {
				g->table = r->table;
				g->privilege = r->privilege;
				g->column = r->columns[j];
				return 1;
			}
	}
	return 0;
}

/* One privilege the user holds (store_privileges()). */
struct held {
	char level[12], table[WORD_MAX], column[WORD_MAX], privilege[32];
};

struct privileges {
	struct held *h;
	size_t n, cap;
	int failed;		/* out of memory */
};

static void
collect(void *arg, const char *const *cells)
{
	struct privileges *p = arg;
	struct held *h;

	if (p->n == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 64;

		h = realloc(p->h, cap * sizeof(*h));
		if (h == NULL) {
			p->failed = 1;
			return;
		}
		p->h = h;
		p->cap = cap;
	}
	h = &p->h[p->n++];
	snprintf(h->level, sizeof(h->level), "%s", cells[0]);
	snprintf(h->table, sizeof(h->table), "%s", cells[1]);
	snprintf(h->column, sizeof(h->column), "%s", cells[2]);
	snprintf(h->privilege, sizeof(h->privilege), "%s", cells[3]);
}

/* The user's grant that is exactly g. */
static int
holds(const struct privileges *p, const struct grant *g)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (strcmp(p->h[i].level, g->column ? "column" : "table") ==
		    0 && strcmp(p->h[i].table, g->table) == 0 &&
		    strcmp(p->h[i].privilege, g->privilege) == 0 &&
		    (g->column == NULL || strcmp(p->h[i].column, g->column) ==
		    0))
			return 1;
	return 0;
}

/* The user may read all of table. */
static int
reads(const struct privileges *p, const char *table)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (strcmp(p->h[i].privilege, "SELECT") == 0 &&
		    strcmp(p->h[i].level, "column") != 0 &&
		    (strcmp(p->h[i].level, "table") != 0 ||
		    strcmp(p->h[i].table, table) == 0))
			return 1;
	return 0;
}

/* One of the responder's grants is exactly h. */
static int
expected(const struct held *h)
{
	struct grant g;
	size_t k;
	int column = strcmp(h->level, "column") == 0;

	if (!column && strcmp(h->level, "table") != 0)
		return 0;
	for (k = 0; grant_at(k, &g); k++)
		if (strcmp(g.table, h->table) == 0 &&
		    strcmp(g.privilege, h->privilege) == 0 &&
		    (column ? g.column != NULL &&
		    strcmp(g.column, h->column) == 0 : g.column == NULL))
			return 1;
	return 0;
}

/* "GRANT SELECT (app_id) ON `db`.`t` TO 'name'@'host';" and the like. */
static void
put_statement(const char *verb, const char *privilege, const char *column,
    const char *db, const char *table, const char *user, const char *host)
{
	fprintf(stderr, "%s %s", verb, privilege);
	if (column != NULL && column[0] != '\0')
		fprintf(stderr, " (%s)", column);
	if (db == NULL)
		fputs(" ON *.*", stderr);
	else if (table[0] == '\0')
		fprintf(stderr, " ON `%s`.*", db);
	else
		fprintf(stderr, " ON `%s`.`%s`", db, table);
	fprintf(stderr, " %s '", strcmp(verb, "GRANT") == 0 ? "TO" : "FROM");
	put_safe(stderr, user);
	fputs("'@'", stderr);
	put_safe(stderr, host);
	fputs("';\n", stderr);
}

/*
 * A REVOKE of p on g's table takes g's column away with it (MariaDB and
 * MySQL revoke a table's column privileges with the table's): g is to be
 * granted again after it.
 */
static int
revoked_with(const struct privileges *p, const struct grant *g)
{
	size_t i;

	for (i = 0; g->column != NULL && i < p->n; i++)
		if (strcmp(p->h[i].level, "table") == 0 &&
		    strcmp(p->h[i].table, g->table) == 0 &&
		    strcmp(p->h[i].privilege, g->privilege) == 0 &&
		    !expected(&p->h[i]))
			return 1;
	return 0;
}

/*
 * The responder's user: exactly its grants, or the statements that make
 * them so, the REVOKEs first.  EX_OK or EX_NO.
 */
static int
check_responder_grants(const struct ctx *c, const struct privileges *p,
    const char *user, const char *host)
{
	unsigned missing = 0, extra = 0;
	struct grant g;
	size_t i, k;

	for (k = 0; grant_at(k, &g); k++)
		missing += !holds(p, &g);
	for (i = 0; i < p->n; i++)
		extra += !expected(&p->h[i]);
	if (missing == 0 && extra == 0) {
		printf("database user: '%s'@'%s': exactly the responder's "
		    "grants (oidc-secret.conf(5))\n", user, host);
		return EX_OK;
	}
	fprintf(stderr, PROG ": database user '%s'@'%s' lacks %u and holds "
	    "%u more than the responder's grants (oidc-secret.conf(5)); as "
	    "the database's administrator, run:\n", user, host, missing,
	    extra);
	for (i = 0; i < p->n; i++)
		if (!expected(&p->h[i]))
			put_statement("REVOKE", p->h[i].privilege,
			    p->h[i].column, strcmp(p->h[i].level, "global") ==
			    0 ? NULL : c->cfg.db_name, p->h[i].table, user,
			    host);
	for (k = 0; grant_at(k, &g); k++)
		if (!holds(p, &g) || revoked_with(p, &g))
			put_statement("GRANT", g.privilege, g.column,
			    c->cfg.db_name, g.table, user, host);
	return EX_NO;
}

/* ERR_OK when this user sees one of the tables the responder uses. */
static enum err
responder_tables(struct ctx *c)
{
	enum err e = ERR_NOT_FOUND;
	size_t i;

	for (i = 0; i < NROWS && e == ERR_NOT_FOUND; i++)
		e = store_table_visible(c->st, responder_grants[i].table, NULL);
	return e;
}

/*
 * Who the configuration connects as, and whether that user may do what
 * it is for: change the schema (the admin tool's user), or exactly the
 * responder's calls.
 */
static int
check_user(struct ctx *c, int *reads_projects)
{
	struct privileges p = { NULL, 0, 0, 0 };
	char current[USER_MAX], *at;
	size_t i;
	int ex = EX_OK, admin = 0;
	enum err e;

	e = store_current_user(c->st, current, sizeof(current));
	if (e == ERR_OK)
		e = store_privileges(c->st, collect, &p);
	if (e != ERR_OK || p.failed) {
		db_error("reading the user's privileges");
		free(p.h);
		return EX_DB;
	}
	at = strrchr(current, '@');
	if (at != NULL)
		*at++ = '\0';
	for (i = 0; i < p.n; i++)
		if (strcmp(p.h[i].level, "table") != 0 &&
		    strcmp(p.h[i].level, "column") != 0 &&
		    strcmp(p.h[i].privilege, "CREATE") == 0)
			admin = 1;
	*reads_projects = reads(&p, "projects") && reads(&p, "orgs");
	if (admin)
		printf("database user: '%s'@'%s': may change the schema: the "
		    "admin tool's user (a responder with it could also read "
		    "the stored hashes; give the responder a user of its own, "
		    "oidc-secret.conf(5))\n", current, at != NULL ? at : "");
	else
		ex = check_responder_grants(c, &p, current, at != NULL ? at :
		    "");
	free(p.h);
	return ex;
}

/* api_project_id names the API project init made; a warning otherwise. */
static int
check_api_project(struct ctx *c)
{
	const char *id = c->cfg.api_project_id;
	char state[16], name[NAME_BYTES + 1], org_state[16];
	enum err e;

	e = store_project_state(c->st, id, state, sizeof(state), name,
	    sizeof(name), org_state, sizeof(org_state));
	if (e == ERR_NOT_FOUND) {
		fprintf(stderr, PROG ": warning: api_project_id = %s names no "
		    "project in this database: the responder accepts access "
		    "tokens with %s in their audience all the same, but init "
		    "made the API project and printed its ID; " PROG
		    " project list lists the projects\n", id, id);
		return EX_OK;
	}
	if (e != ERR_OK) {
		db_error("looking up api_project_id");
		return EX_DB;
	}
	printf("api_project_id: %s: project \"", id);
	put_safe(stdout, name);
	printf("\", %s\n", state);
	if (strcmp(state, "active") != 0 || strcmp(org_state, "active") != 0)
		fprintf(stderr, PROG ": warning: api_project_id = %s names a "
		    "project that is %s, of an organization that is %s\n", id,
		    state, org_state[0] ? org_state : "gone");
	return EX_OK;
}

static int
cmd_check_config(struct ctx *c)
{
	const char *path = c->config_path;
	unsigned version = 0;
	enum err rc;
	char err[512];
	int ex, project, reads_projects = 0;

	/* What the responder would refuse to start with. */
	if (config_check_api(&c->cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, PROG ": configuration: %s\n", err);
		return EX_CONFIG;
	}
	if (path == NULL)
		path = getenv("OIDC_SECRET_CONFIG");
	if (path == NULL || path[0] == '\0') {
		path = config_default_path();
		if (access(path, F_OK) != 0)
			path = "(no file: defaults and environment)";
	}
	printf("configuration: %s: ok (hash %s)\n", path,
	    config_hash_name(c->cfg.hash_algorithm));
	rc = store_ping(c->st);
	if (rc != ERR_OK) {
		fprintf(stderr, PROG ": database: cannot connect as %s to %s "
		    "(the line above says why)\n", c->cfg.db_user,
		    c->cfg.db_name);
		return EX_DB;
	}
	rc = store_schema_version(c->st, &version);
	if (rc != ERR_OK) {
		db_error("reading the schema version");
		return EX_DB;
	}
	/*
	 * The responder's user reads the tables a call needs, and not
	 * schema_migrations: its tables in place are as good a sign.
	 */
	if (version == 0 && (rc = responder_tables(c)) == ERR_OK)
		printf("database: reachable, the tables in place (this user "
		    "cannot read schema_migrations, as the responder's need "
		    "not)\n");
	else if (rc != ERR_OK && rc != ERR_NOT_FOUND) {
		db_error("looking for the tables");
		return EX_DB;
	} else {
		printf("database: reachable, schema version %u\n", version);
		if (version == 0) {
			fprintf(stderr, PROG ": database: no schema yet: run "
			    PROG " migrate\n");
			return EX_NO;
		}
	}
	ex = check_user(c, &reads_projects);
	if (ex == EX_DB)
		return ex;
	if (!reads_projects) {
		printf("api_project_id: not looked up: this user cannot read "
		    "projects and orgs\n");
		return ex;
	}
	project = check_api_project(c);
	return project != EX_OK ? project : ex;
}

const struct command admin_check_commands[] = {
	{ "check-config", NULL, { NULL }, NULL, cmd_check_config,
	    "  check-config\n"
	    "        validate the configuration, reach the database, check"
	    " its user's\n"
	    "        grants and the project api_project_id names\n" },
	{ NULL, NULL, { NULL }, NULL, NULL, NULL }
};
