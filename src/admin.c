/*
 * admin.c - oidc-secret-admin: what an operator runs beside the responder.
 *
 *   migrate                 apply sql/NNN_*.sql in order, once each
 *   init                    an empty database -> organization, admin user,
 *                           API project, first token
 *   org, user, member,      the objects a site is made of, each change
 *   project, app            with its event; app add prints a first secret
 *   token issue|revoke|list bearer tokens, stored only as SHA-256
 *   verify                  does a secret (stdin) match an app's stored hash
 *   hash                    hash a secret (stdin) in the configured format
 *   check-config            validate the configuration, reach the database
 *
 * Built on the responder's own modules: config, store, secret.  The command
 * line is parsed and checked in full before the configuration is read, so a
 * usage error is exit 2 whatever the configuration holds.  Results go to
 * stdout, every error to stderr; the exit codes are fixed (enum exit_code,
 * usage(), oidc-secret-admin(8)) so scripts can rely on them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "ids.h"
#include "log.h"
#include "migrate.h"
#include "route.h"
#include "secret.h"
#include "store.h"
#include "store_admin.h"
#include "ts.h"
#include "util.h"
#include "version.h"

#ifndef PKGDATADIR
#define PKGDATADIR "/usr/share/oidc-secret"
#endif

#define PROG "oidc-secret-admin"

enum exit_code {
	EX_OK = 0,
	EX_NO = 1,		/* no match (verify), a failed check */
	EX_USAGE = 2,
	EX_CONFIG = 3,		/* configuration, unreadable sql directory */
	EX_DB = 4,		/* database unreachable or a statement failed */
	EX_NOTFOUND = 5,	/* no such user, app or token */
	EX_NEWER = 6,		/* the database is newer than this tool */
	EX_EXISTS = 7		/* already there: a name, client ID, init */
};

#define STDIN_SECRET_MAX 1024
#define TOKEN_CHARS 43		/* 43 of 62 symbols: 256 bits */
#define DEFAULT_TTL 43200	/* 12 hours, ZITADEL's access token lifetime */
#define TTL_MAX (10L * 365 * 86400)
#define SCOPES_MAX 2048		/* access_tokens.scopes VARCHAR(2048) */
#define OPTS_MAX 6
#define ROLE_MAX 64		/* role_permissions.role */
/* What init makes unless told otherwise. */
#define INIT_ORG "oidc-secret"
#define INIT_USER "admin"
#define INIT_PROJECT "ZITADEL"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: " PROG " [--config FILE] COMMAND [OPTIONS]\n"
	    "       " PROG " --help | --version\n"
	    "\n"
	    "commands:\n"
	    "  migrate [--sql-dir DIR]\n"
	    "        apply the schema migrations not yet applied, in order\n"
	    "  init [--org NAME] [--user NAME] [--project NAME] [--ttl"
	    " SECONDS] [--pat]\n"
	    "        on an empty database: an organization, its admin user"
	    " (IAM_OWNER,\n"
	    "        ORG_OWNER), the API project; print api_project_id and a"
	    " first token\n"
	    "  org add --name NAME | org list | org deactivate --id ID\n"
	    "  user add --org ID --name NAME | user list [--org ID] | user"
	    " deactivate --id ID\n"
	    "  member add|remove --user ID --scope instance|org|project [--org"
	    " ID]\n"
	    "        [--project ID] --role ROLE\n"
	    "  member list [--user ID]\n"
	    "  project add --org ID --name NAME | project list [--org ID]\n"
	    "  app add --project ID --name NAME --oidc|--api [--auth-method M]"
	    " [--client-id C]\n"
	    "        print the app ID, client ID and, for a confidential app,"
	    " its first secret\n"
	    "  app list [--project ID]\n"
	    "  token issue --user ID [--ttl SECONDS] [--pat] [--audience A]"
	    " [--scopes S]\n"
	    "        print a new bearer token once; only its SHA-256 is"
	    " stored\n"
	    "  token revoke --id PREFIX\n"
	    "        revoke the token whose SHA-256 starts with PREFIX (from"
	    " token list)\n"
	    "  token list [--user ID]\n"
	    "        list tokens by SHA-256 prefix (never the tokens"
	    " themselves)\n"
	    "  verify --project ID --app ID\n"
	    "        read a secret on stdin; exit 0 when it matches the app's"
	    " stored hash\n"
	    "  hash\n"
	    "        read a secret on stdin; print its hash in the configured"
	    " format\n"
	    "  check-config\n"
	    "        validate the configuration and reach the database\n"
	    "\n"
	    "The configuration is FILE, else $OIDC_SECRET_CONFIG, else %s;\n"
	    "OIDC_SECRET_<KEY> overrides a key.\n"
	    "\n"
	    "exit status: 0 success, 1 no match or check failed, 2 usage,\n"
	    "3 configuration, 4 database, 5 not found, 6 database newer than"
	    " this tool,\n"
	    "7 already exists\n",
	    config_default_path());
}

static int usage_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/* One line saying what is wrong, one pointing at --help; exit status 2. */
static int
usage_error(const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, PROG ": %s\nTry '" PROG " --help'.\n", line);
	return EX_USAGE;
}

static void
db_error(const char *what)
{
	fprintf(stderr, PROG ": %s: database error (the line above says "
	    "which)\n", what);
}

/* --- the command line --- */

struct ctx;

struct command {
	const char *word, *sub;		/* "token" "issue"; "hash" NULL */
	/* Options: "--name=" takes a value, "--name" is a flag. */
	const char *opts[OPTS_MAX + 1];
	int (*check)(struct ctx *);	/* values, before the configuration */
	int (*run)(struct ctx *);
};

struct ctx {
	const struct command *cmd;
	const char *val[OPTS_MAX];	/* as cmd->opts; "" for a flag */
	const char *config_path;	/* --config, or NULL */
	struct config cfg;
	struct store *st;
	long ttl;
};

static size_t
opt_len(const char *spec)
{
	size_t n = strlen(spec);

	return n > 0 && spec[n - 1] == '=' ? n - 1 : n;
}

/* The value of option name ("" for a set flag), or NULL when not given. */
static const char *
get(const struct ctx *c, const char *name)
{
	int i;

	for (i = 0; c->cmd->opts[i] != NULL; i++)
		if (opt_len(c->cmd->opts[i]) == strlen(name) &&
		    strncmp(c->cmd->opts[i], name, strlen(name)) == 0)
			return c->val[i];
	return NULL;
}

/* Every argument a known option, each at most once, values present. */
static int
parse_opts(struct ctx *c, int argc, char **argv)
{
	int i, j;

	for (i = 0; i < argc; i++) {
		const char *spec = NULL;
		size_t n;

		for (j = 0; c->cmd->opts[j] != NULL; j++) {
			n = opt_len(c->cmd->opts[j]);
			if (strlen(argv[i]) == n &&
			    strncmp(c->cmd->opts[j], argv[i], n) == 0) {
				spec = c->cmd->opts[j];
				break;
			}
		}
		if (spec == NULL)
			return usage_error("unexpected argument \"%s\"",
			    argv[i]);
		if (c->val[j] != NULL)
			return usage_error("%s given twice", argv[i]);
		if (spec[strlen(spec) - 1] != '=') {
			c->val[j] = "";
			continue;
		}
		/* "--user --pat" forgot a value; no user is named --pat. */
		if (i + 1 >= argc || strncmp(argv[i + 1], "--", 2) == 0)
			return usage_error("%s needs a value", argv[i]);
		c->val[j] = argv[++i];
	}
	return 0;
}

static int
valid_id(const char *s)
{
	struct slice id = { s, strlen(s) };

	return s[0] != '\0' && route_check_id(id) == ERR_OK;
}

/* No control characters: they would reach a terminal from token list. */
static int
printable(const char *s)
{
	return !util_has_control(s, strlen(s));
}

/* A secret from stdin, without its line end; -1 when empty or too long. */
static int
read_secret(char *buf, size_t cap, size_t *len)
{
	size_t n = 0;
	ssize_t k;

	while (n < cap && (k = read(STDIN_FILENO, buf + n, cap - n)) != 0) {
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -1;
		n += (size_t)k;
	}
	if (n == cap)
		return -1;
	if (n > 0 && buf[n - 1] == '\n')
		n--;
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	*len = n;
	return n > 0 && memchr(buf, '\0', n) == NULL ? 0 : -1;
}

/* --- migrate --- */

/* An enum err from the database as the admin tool's exit status. */
static int
exit_for(enum err e)
{
	switch (e) {
	case ERR_OK:
		return EX_OK;
	case ERR_NOT_FOUND:
		return EX_NOTFOUND;
	case ERR_EXISTS:
		return EX_EXISTS;
	case ERR_CONFIG:
		return EX_CONFIG;
	case ERR_SCHEMA_NEWER:
		return EX_NEWER;
	default:
		return EX_DB;
	}
}

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
	return exit_for(e);
}

/* --- token --- */

static int
parse_ttl(const char *s, long *out)
{
	uint64_t v;

	if (util_decimal(s, strlen(s), TTL_MAX, &v) != DECIMAL_OK || v == 0)
		return -1;
	*out = (long)v;
	return 0;
}

static int
check_token_issue(struct ctx *c)
{
	const char *user = get(c, "--user");
	const char *ttl = get(c, "--ttl");
	const char *aud = get(c, "--audience");
	const char *scopes = get(c, "--scopes");

	if (user == NULL)
		return usage_error("token issue needs --user ID");
	if (!valid_id(user))
		return usage_error("--user \"%s\": not an ID (1 to 200 "
		    "characters of UTF-8, no control characters)",
		    printable(user) ? user : "?");
	c->ttl = DEFAULT_TTL;
	if (ttl != NULL && parse_ttl(ttl, &c->ttl) != 0)
		return usage_error("--ttl \"%s\": expected whole seconds, 1 to "
		    "315360000", printable(ttl) ? ttl : "?");
	if (aud != NULL && (aud[0] == '\0' || strlen(aud) > AUDIENCE_MAX ||
	    !printable(aud)))
		return usage_error("--audience: expected 1 to %d bytes, no "
		    "control characters", AUDIENCE_MAX);
	if (scopes != NULL &&
	    (strlen(scopes) > SCOPES_MAX || !printable(scopes)))
		return usage_error("--scopes: expected at most %d bytes, no "
		    "control characters", SCOPES_MAX);
	return 0;
}

#define DEFAULT_SCOPES "openid urn:zitadel:iam:org:project:id:zitadel:aud"

/* A new bearer token and its SHA-256; -1 when the random generator fails. */
static int
new_token(char token[TOKEN_CHARS + 1], char digest[SHA256_HEX])
{
	if (secret_generate(token, TOKEN_CHARS) != 0) {
		fprintf(stderr, PROG ": the random generator failed\n");
		return -1;
	}
	secret_sha256_hex(token, strlen(token), digest);
	return 0;
}

/* Now plus the lifetime, whole seconds. */
static struct ts
expiry(long ttl)
{
	struct ts exp = ts_now();

	exp.sec += ttl;
	exp.nsec = 0;
	return exp;
}

static int
token_issue(struct ctx *c)
{
	const char *user = get(c, "--user");
	const char *aud = get(c, "--audience");
	const char *scopes = get(c, "--scopes");
	int pat = get(c, "--pat") != NULL;
	char token[TOKEN_CHARS + 1], digest[SHA256_HEX];
	struct ts exp;
	enum err rc;

	/*
	 * An access token is accepted only with api_project_id in its
	 * audience.  A personal access token is not checked for one, so
	 * without api_project_id it gets none.
	 */
	if (aud == NULL && c->cfg.api_project_id[0] != '\0')
		aud = c->cfg.api_project_id;
	else if (aud == NULL && pat)
		aud = "";
	else if (aud == NULL) {
		fprintf(stderr, PROG ": token issue: api_project_id is not "
		    "set, and an access token needs it as its audience: set it "
		    "in the configuration (init prints it), give --audience "
		    "ID, or issue a personal access token (--pat)\n");
		return EX_CONFIG;
	}
	if (scopes == NULL)
		scopes = DEFAULT_SCOPES;
	rc = store_user_exists(c->st, user);
	if (rc == ERR_NOT_FOUND) {
		fprintf(stderr, PROG ": no user \"%s\"\n", user);
		return EX_NOTFOUND;
	}
	if (rc != ERR_OK) {
		db_error("looking the user up");
		return EX_DB;
	}
	if (new_token(token, digest) != 0)
		return EX_DB;
	exp = expiry(c->ttl);
	/* A personal access token without --ttl never expires (ZITADEL). */
	rc = store_token_add(c->st, digest, user, pat, aud, scopes,
	    pat && get(c, "--ttl") == NULL ? NULL : &exp);
	if (rc != ERR_OK) {
		secret_wipe(token, sizeof(token));
		db_error("storing the token");
		return EX_DB;
	}
	/* The one time the token is shown. */
	printf("%s\n", token);
	fflush(stdout);
	secret_wipe(token, sizeof(token));
	return EX_OK;
}

/* Column text: IDs are arbitrary UTF-8; keep terminals safe. */
static void
cell(const char *in, char *out, size_t outlen)
{
	size_t i;

	for (i = 0; in[i] != '\0' && i + 1 < outlen; i++)
		out[i] = (unsigned char)in[i] < 0x20 || in[i] == 0x7f ?
		    '?' : in[i];
	out[i] = '\0';
}

static void
print_token(void *arg, const struct token_info *t)
{
	char user[ID_BYTES + 1], aud[AUDIENCE_MAX + 1];

	(void)arg;
	cell(t->user_id, user, sizeof(user));
	cell(t->audience, aud, sizeof(aud));
	printf("%-12s  %-20s  %-6s  %-27s  %-27s  %-27s  %s\n",
	    t->sha256_prefix, user, t->pat ? "pat" : "access", t->created,
	    t->expires[0] ? t->expires : "never",
	    t->revoked[0] ? t->revoked : "-", aud[0] ? aud : "-");
}

static int
check_token_list(struct ctx *c)
{
	const char *user = get(c, "--user");

	if (user != NULL && !valid_id(user))
		return usage_error("--user \"%s\": not an ID",
		    printable(user) ? user : "?");
	return 0;
}

static int
token_list(struct ctx *c)
{
	enum err rc;

	printf("%-12s  %-20s  %-6s  %-27s  %-27s  %-27s  %s\n", "ID", "USER",
	    "TYPE", "CREATED", "EXPIRES", "REVOKED", "AUDIENCE");
	rc = store_token_list(c->st, get(c, "--user"), print_token, NULL);
	if (rc != ERR_OK) {
		db_error("listing tokens");
		return EX_DB;
	}
	return EX_OK;
}

static int
check_token_revoke(struct ctx *c)
{
	const char *id = get(c, "--id");
	size_t i, n;

	if (id == NULL)
		return usage_error("token revoke needs --id PREFIX");
	n = strlen(id);
	for (i = 0; i < n; i++)
		if (!((id[i] >= '0' && id[i] <= '9') ||
		    (id[i] >= 'a' && id[i] <= 'f')))
			break;
	if (n < 8 || n > 64 || i < n)
		return usage_error("--id \"%s\": expected 8 to 64 lowercase "
		    "hex digits (the ID column of token list)",
		    printable(id) ? id : "?");
	return 0;
}

static int
token_revoke(struct ctx *c)
{
	const char *id = get(c, "--id");
	unsigned matched = 0;
	enum err rc;

	rc = store_token_revoke(c->st, id, &matched);
	if (rc == ERR_NOT_FOUND) {
		if (matched == 0)
			fprintf(stderr, PROG ": no unrevoked token has an ID "
			    "starting with %s\n", id);
		else
			fprintf(stderr, PROG ": %u unrevoked tokens have an ID "
			    "starting with %s; give more digits\n",
			    matched, id);
		return EX_NOTFOUND;
	}
	if (rc != ERR_OK) {
		db_error("revoking the token");
		return EX_DB;
	}
	printf("revoked %s\n", id);
	return EX_OK;
}

/* --- init, organizations, users, memberships, projects, apps --- */

static struct ids idgen;

/* A new ID (ids.h); -1 with a message when the clock is out of range. */
static int
new_id(char out[IDS_DECIMAL_MAX])
{
	static int ready;

	if (!ready) {
		ids_init(&idgen);
		ready = 1;
	}
	if (ids_next(&idgen, out, IDS_DECIMAL_MAX) != 0) {
		fprintf(stderr, PROG ": the clock is outside 2024..2093: "
		    "no new ID\n");
		return -1;
	}
	return 0;
}

/* "org add", "check-config": how the command is called, for messages. */
static const char *
cmd_name(const struct ctx *c)
{
	static char name[64];

	snprintf(name, sizeof(name), "%s%s%s", c->cmd->word,
	    c->cmd->sub != NULL ? " " : "", c->cmd->sub != NULL ?
	    c->cmd->sub : "");
	return name;
}

/* Option opt holds an ID (or, for --name, a name): required when need. */
static int
check_id_opt(const struct ctx *c, const char *opt, int need)
{
	const char *v = get(c, opt);
	int name = strcmp(opt, "--name") == 0;

	if (v == NULL && need)
		return usage_error("%s needs %s %s", cmd_name(c), opt,
		    name ? "NAME" : "ID");
	if (v != NULL && !valid_id(v))
		return usage_error("%s \"%s\": not %s (1 to 200 characters of "
		    "UTF-8, no control characters)", opt,
		    printable(v) ? v : "?",
		    name ? "a name" : "an ID");
	return 0;
}

static int
check_ttl_opt(struct ctx *c)
{
	const char *ttl = get(c, "--ttl");

	c->ttl = DEFAULT_TTL;
	if (ttl != NULL && parse_ttl(ttl, &c->ttl) != 0)
		return usage_error("--ttl \"%s\": expected whole seconds, 1 to "
		    "315360000", printable(ttl) ? ttl : "?");
	return 0;
}

static void
hash_params(const struct config *cfg, struct hash_params *hp)
{
	hp->alg = cfg->hash_algorithm;
	hp->m_kib = cfg->argon2_memory_kib;
	hp->t = cfg->argon2_iterations;
	hp->p = cfg->argon2_parallelism;
	hp->cost = cfg->bcrypt_cost;
}

/* One line for a refusal of the store (*what names the object). */
static int
refused(const struct ctx *c, enum err e, const char *what, const char *id)
{
	/* Where a name must be unique, by what is being added. */
	static const char *const named[][2] = {
		{ "org", "an organization" },
		{ "user", "a user of that organization" },
		{ "project", "a project of that organization" },
		{ "app", "an app of that project" },
	};
	char shown[ID_BYTES + 1];
	size_t i;

	cell(id != NULL ? id : "", shown, sizeof(shown));
	if (e == ERR_EXISTS && strcmp(what, "name") == 0) {
		for (i = 0; i < sizeof(named) / sizeof(named[0]); i++)
			if (strcmp(c->cmd->word, named[i][0]) == 0)
				break;
		fprintf(stderr, PROG ": %s: there is %s named \"%s\" already\n",
		    cmd_name(c), i < sizeof(named) / sizeof(named[0]) ?
		    named[i][1] : "one", shown);
	} else if (e == ERR_EXISTS)
		fprintf(stderr, PROG ": %s: the %s \"%s\" is taken already\n",
		    cmd_name(c), what, shown);
	else if (e == ERR_NOT_FOUND)
		fprintf(stderr,
		    PROG ": %s: no %s \"%s\" (unknown or removed)\n",
		    cmd_name(c), what, shown);
	else
		db_error(cmd_name(c));
	return exit_for(e);
}

/* init */

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
	    new_id(project_id) != 0 || new_token(token, digest) != 0)
		return EX_DB;
	exp = expiry(c->ttl);
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
	if (e == ERR_EXISTS && strcmp(what, "organization") == 0) {
		secret_wipe(token, sizeof(token));
		fprintf(stderr, PROG ": init: the database holds %llu "
		    "organization%s already; init sets up an empty database, "
		    "once (org add, user add, member add, project add change "
		    "it from there)\n", orgs, orgs == 1 ? "" : "s");
		return EX_EXISTS;
	}
	if (e == ERR_NOT_FOUND && strcmp(what, "role") == 0) {
		secret_wipe(token, sizeof(token));
		fprintf(stderr, PROG ": init: role_permissions lacks IAM_OWNER "
		    "or ORG_OWNER: run " PROG " migrate\n");
		return EX_NOTFOUND;
	}
	if (e != ERR_OK) {
		secret_wipe(token, sizeof(token));
		return refused(c, e, what, "");
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

/* org */

static int
check_org_add(struct ctx *c)
{
	return check_id_opt(c, "--name", 1);
}

static int
cmd_org_add(struct ctx *c)
{
	char id[IDS_DECIMAL_MAX];
	const char *what = "";
	enum err e;

	if (new_id(id) != 0)
		return EX_DB;
	e = store_org_add(c->st, id, get(c, "--name"), &what);
	if (e != ERR_OK)
		return refused(c, e, what, get(c, "--name"));
	printf("%s\n", id);
	return EX_OK;
}

static int
check_by_id(struct ctx *c)
{
	return check_id_opt(c, "--id", 1);
}

static int
cmd_org_deactivate(struct ctx *c)
{
	const char *id = get(c, "--id"), *what = "";
	int already = 0;
	enum err e;

	e = store_org_deactivate(c->st, id, &already, &what);
	if (e != ERR_OK)
		return refused(c, e, what, id);
	printf("organization %s %s\n", id, already ? "was inactive already" :
	    "deactivated");
	return EX_OK;
}

static void
print_org(void *arg, const struct org_row *r)
{
	char id[ID_BYTES + 1], name[NAME_BYTES + 1];

	(void)arg;
	cell(r->id, id, sizeof(id));
	cell(r->name, name, sizeof(name));
	printf("%-19s  %-8s  %-27s  %s\n", id, r->state, r->created, name);
}

static int
cmd_org_list(struct ctx *c)
{
	printf("%-19s  %-8s  %-27s  %s\n", "ID", "STATE", "CREATED", "NAME");
	if (store_org_list(c->st, print_org, NULL) != ERR_OK) {
		db_error("listing organizations");
		return EX_DB;
	}
	return EX_OK;
}

/* user */

static int
check_user_add(struct ctx *c)
{
	int rc;

	if ((rc = check_id_opt(c, "--org", 1)) != 0)
		return rc;
	return check_id_opt(c, "--name", 1);
}

static int
cmd_user_add(struct ctx *c)
{
	char id[IDS_DECIMAL_MAX];
	const char *what = "";
	enum err e;

	if (new_id(id) != 0)
		return EX_DB;
	e = store_user_add(c->st, id, get(c, "--org"), get(c, "--name"), &what);
	if (e != ERR_OK)
		return refused(c, e, what, strcmp(what, "name") == 0 ?
		    get(c, "--name") : get(c, "--org"));
	printf("%s\n", id);
	return EX_OK;
}

static int
cmd_user_deactivate(struct ctx *c)
{
	const char *id = get(c, "--id"), *what = "";
	int already = 0;
	enum err e;

	e = store_user_deactivate(c->st, id, &already, &what);
	if (e != ERR_OK)
		return refused(c, e, what, id);
	printf("user %s %s\n", id, already ? "was inactive already" :
	    "deactivated");
	return EX_OK;
}

static int
check_by_org(struct ctx *c)
{
	return check_id_opt(c, "--org", 0);
}

static void
print_user(void *arg, const struct user_row *r)
{
	char id[ID_BYTES + 1], org[ID_BYTES + 1], name[NAME_BYTES + 1];

	(void)arg;
	cell(r->id, id, sizeof(id));
	cell(r->org, org, sizeof(org));
	cell(r->username, name, sizeof(name));
	printf("%-19s  %-19s  %-8s  %s\n", id, org, r->state, name);
}

static int
cmd_user_list(struct ctx *c)
{
	printf("%-19s  %-19s  %-8s  %s\n", "ID", "ORG", "STATE", "NAME");
	if (store_user_list(c->st, get(c, "--org"), print_user, NULL) !=
	    ERR_OK) {
		db_error("listing users");
		return EX_DB;
	}
	return EX_OK;
}

/* member */

/* ZITADEL's role names: upper case letters, digits and "_". */
static int
valid_role(const char *r)
{
	size_t n = strlen(r), i;

	for (i = 0; i < n; i++)
		if (!((r[i] >= 'A' && r[i] <= 'Z') || (r[i] >= 'a' &&
		    r[i] <= 'z') || (r[i] >= '0' && r[i] <= '9') ||
		    r[i] == '_' || r[i] == '.' || r[i] == '-' || r[i] == ':'))
			return 0;
	return n > 0 && n <= ROLE_MAX;
}

static int
check_member(struct ctx *c)
{
	const char *scope = get(c, "--scope"), *role = get(c, "--role");
	int rc;

	if ((rc = check_id_opt(c, "--user", 1)) != 0)
		return rc;
	if (scope == NULL)
		return usage_error("%s needs --scope instance|org|project",
		    cmd_name(c));
	if (role == NULL)
		return usage_error("%s needs --role ROLE", cmd_name(c));
	if (!valid_role(role))
		return usage_error("--role \"%s\": expected 1 to %d letters, "
		    "digits, \"_\", \".\", \"-\" or \":\"", printable(role) ?
		    role : "?", ROLE_MAX);
	if (strcmp(scope, "instance") == 0) {
		if (get(c, "--org") != NULL || get(c, "--project") != NULL)
			return usage_error("--scope instance takes neither "
			    "--org nor --project");
		return 0;
	}
	if (strcmp(scope, "org") == 0) {
		if (get(c, "--project") != NULL)
			return usage_error("--scope org takes --org ID, not "
			    "--project");
		return check_id_opt(c, "--org", 1);
	}
	if (strcmp(scope, "project") == 0) {
		if (get(c, "--org") != NULL)
			return usage_error("--scope project takes --project "
			    "ID, not --org");
		return check_id_opt(c, "--project", 1);
	}
	return usage_error("--scope \"%s\": expected instance, org or project",
	    printable(scope) ? scope : "?");
}

static int
cmd_member(struct ctx *c)
{
	const char *user = get(c, "--user"), *scope = get(c, "--scope");
	const char *role = get(c, "--role"), *what = "";
	const char *scope_id = strcmp(scope, "org") == 0 ? get(c, "--org") :
	    strcmp(scope, "project") == 0 ? get(c, "--project") : "";
	int add = strcmp(c->cmd->sub, "add") == 0;
	char known[1024];
	enum err e;

	e = add ? store_member_add(c->st, user, scope, scope_id, role, &what) :
	    store_member_remove(c->st, user, scope, scope_id, role, &what);
	if (e == ERR_NOT_FOUND && strcmp(what, "role") == 0) {
		if (store_role_names(c->st, known, sizeof(known)) != ERR_OK)
			snprintf(known, sizeof(known), "?");
		fprintf(stderr, PROG ": %s: no role \"%s\" in role_permissions "
		    "(it knows %s)\n", cmd_name(c), role, known);
		return EX_NOTFOUND;
	}
	if ((e == ERR_NOT_FOUND || e == ERR_EXISTS) &&
	    strcmp(what, "membership") == 0) {
		fprintf(stderr, PROG ": %s: user %s %s %s at %s%s%s%s\n",
		    cmd_name(c), user,
		    e == ERR_EXISTS ? "holds" : "does not hold",
		    role, scope, scope_id[0] ? " " : "", scope_id,
		    e == ERR_EXISTS ? " already" : "");
		return exit_for(e);
	}
	if (e != ERR_OK)
		return refused(c, e, what, strcmp(what, "user") == 0 ? user :
		    scope_id);
	printf("user %s %s %s at %s%s%s\n", user, add ? "holds" :
	    "no longer holds", role, scope, scope_id[0] ? " " : "", scope_id);
	return EX_OK;
}

static int
check_by_user(struct ctx *c)
{
	return check_id_opt(c, "--user", 0);
}

static void
print_member(void *arg, const struct member_row *r)
{
	char user[ID_BYTES + 1], sid[ID_BYTES + 1];

	(void)arg;
	cell(r->user_id, user, sizeof(user));
	cell(r->scope_id, sid, sizeof(sid));
	printf("%-19s  %-8s  %-19s  %s\n", user, r->scope, sid[0] ? sid : "-",
	    r->role);
}

static int
cmd_member_list(struct ctx *c)
{
	printf("%-19s  %-8s  %-19s  %s\n", "USER", "SCOPE", "SCOPE_ID", "ROLE");
	if (store_member_list(c->st, get(c, "--user"), print_member, NULL) !=
	    ERR_OK) {
		db_error("listing memberships");
		return EX_DB;
	}
	return EX_OK;
}

/* project */

static int
cmd_project_add(struct ctx *c)
{
	char id[IDS_DECIMAL_MAX];
	const char *what = "";
	enum err e;

	if (new_id(id) != 0)
		return EX_DB;
	e = store_project_add(c->st, id, get(c, "--org"), get(c, "--name"),
	    &what);
	if (e != ERR_OK)
		return refused(c, e, what, strcmp(what, "name") == 0 ?
		    get(c, "--name") : get(c, "--org"));
	printf("%s\n", id);
	return EX_OK;
}

static void
print_project(void *arg, const struct project_row *r)
{
	char id[ID_BYTES + 1], org[ID_BYTES + 1], name[NAME_BYTES + 1];

	(void)arg;
	cell(r->id, id, sizeof(id));
	cell(r->org, org, sizeof(org));
	cell(r->name, name, sizeof(name));
	printf("%-19s  %-19s  %-8s  %8llu  %s\n", id, org, r->state,
	    r->sequence, name);
}

static int
cmd_project_list(struct ctx *c)
{
	printf("%-19s  %-19s  %-8s  %8s  %s\n", "ID", "ORG", "STATE",
	    "SEQUENCE", "NAME");
	if (store_project_list(c->st, get(c, "--org"), print_project, NULL) !=
	    ERR_OK) {
		db_error("listing projects");
		return EX_DB;
	}
	return EX_OK;
}

/* app */

/* The auth methods of each kind, as the configuration tables spell them. */
static const char *const oidc_methods[] = { "basic", "post", "none",
    "private_key_jwt", NULL };
static const char *const api_methods[] = { "basic", "private_key_jwt", NULL };

static int
in_list(const char *const *list, const char *v)
{
	for (; *list != NULL; list++)
		if (strcmp(*list, v) == 0)
			return 1;
	return 0;
}

static int
check_app_add(struct ctx *c)
{
	int oidc = get(c, "--oidc") != NULL, api = get(c, "--api") != NULL;
	const char *m = get(c, "--auth-method");
	int rc;

	if ((rc = check_id_opt(c, "--project", 1)) != 0 ||
	    (rc = check_id_opt(c, "--name", 1)) != 0 ||
	    (rc = check_id_opt(c, "--client-id", 0)) != 0)
		return rc;
	if (oidc == api)
		return usage_error("app add needs --oidc or --api "
		    "(one of them)");
	if (m != NULL && !in_list(oidc ? oidc_methods : api_methods, m))
		return usage_error("--auth-method \"%s\": expected %s",
		    printable(m) ? m : "?", oidc ?
		    "basic, post, none or private_key_jwt (OIDC)" :
		    "basic or private_key_jwt (API)");
	return 0;
}

static int
cmd_app_add(struct ctx *c)
{
	struct app_new a;
	struct hash_params hp;
	char id[IDS_DECIMAL_MAX], client[IDS_DECIMAL_MAX];
	char secret[SECRET_MAX + 1], hash[HASH_MAX];
	const char *what = "";
	int confidential, ex = EX_OK;
	enum err e;

	memset(&a, 0, sizeof(a));
	a.kind = get(c, "--api") != NULL ? APP_API : APP_OIDC;
	a.auth_method = get(c, "--auth-method") != NULL ?
	    get(c, "--auth-method") : "basic";
	/* A client that authenticates with a secret gets one now. */
	confidential = strcmp(a.auth_method, "basic") == 0 ||
	    (a.kind == APP_OIDC && strcmp(a.auth_method, "post") == 0);
	if (new_id(id) != 0 || (get(c, "--client-id") == NULL &&
	    new_id(client) != 0))
		return EX_DB;
	a.id = id;
	a.project_id = get(c, "--project");
	a.name = get(c, "--name");
	a.client_id = get(c, "--client-id") != NULL ? get(c, "--client-id") :
	    client;
	secret[0] = '\0';
	if (confidential) {
		hash_params(&c->cfg, &hp);
		if (secret_generate(secret, c->cfg.secret_length) != 0 ||
		    secret_hash(&hp, secret, c->cfg.secret_length, hash,
		    sizeof(hash)) != 0) {
			fprintf(stderr, PROG ": app add: generating or hashing "
			    "the secret failed\n");
			ex = EX_CONFIG;
			goto out;
		}
		a.hash = hash;
	}
	e = store_app_add(c->st, &a, &what);
	if (e != ERR_OK) {
		ex = refused(c, e, what, strcmp(what, "client ID") == 0 ?
		    a.client_id : strcmp(what, "name") == 0 ? a.name :
		    a.project_id);
		goto out;
	}
	printf("app_id = %s\nclient_id = %s\n", a.id, a.client_id);
	/* The one time the secret is shown; only its hash is stored. */
	if (confidential)
		printf("client_secret = %s\n", secret);
	fflush(stdout);
out:
	secret_wipe(secret, sizeof(secret));
	secret_wipe(hash, sizeof(hash));
	return ex;
}

static int
check_by_project(struct ctx *c)
{
	return check_id_opt(c, "--project", 0);
}

static void
print_app(void *arg, const struct app_list_row *r)
{
	char id[ID_BYTES + 1], project[ID_BYTES + 1], client[ID_BYTES + 1];
	char name[NAME_BYTES + 1];

	(void)arg;
	cell(r->id, id, sizeof(id));
	cell(r->project_id, project, sizeof(project));
	cell(r->client_id, client, sizeof(client));
	cell(r->name, name, sizeof(name));
	printf("%-19s  %-19s  %-4s  %-8s  %-15s  %-6s  %-19s  %s\n",
	    id, project, r->type, r->state,
	    r->auth_method[0] ? r->auth_method : "-",
	    r->has_secret ? "yes" : "no", client[0] ? client : "-", name);
}

static int
cmd_app_list(struct ctx *c)
{
	printf("%-19s  %-19s  %-4s  %-8s  %-15s  %-6s  %-19s  %s\n", "ID",
	    "PROJECT", "TYPE", "STATE", "AUTH", "SECRET", "CLIENT_ID", "NAME");
	if (store_app_list(c->st, get(c, "--project"), print_app, NULL) !=
	    ERR_OK) {
		db_error("listing apps");
		return EX_DB;
	}
	return EX_OK;
}

/* --- verify, hash, check-config --- */

static int
check_verify(struct ctx *c)
{
	const char *project = get(c, "--project"), *app = get(c, "--app");

	if (project == NULL || app == NULL)
		return usage_error("verify needs --project ID --app ID");
	if (!valid_id(project) || !valid_id(app))
		return usage_error("--project or --app: not an ID");
	return 0;
}

static int
cmd_verify(struct ctx *c)
{
	char secret[STDIN_SECRET_MAX], hash[HASH_MAX];
	size_t len;
	enum err rc;
	int ok, ex;

	if (read_secret(secret, sizeof(secret), &len) != 0) {
		secret_wipe(secret, sizeof(secret));
		return usage_error("expected one secret on stdin (1 to %d "
		    "bytes)", STDIN_SECRET_MAX - 1);
	}
	rc = store_secret_hash(c->st, get(c, "--project"), get(c, "--app"),
	    hash, sizeof(hash));
	if (rc == ERR_NOT_FOUND) {
		fprintf(stderr, PROG ": no secret stored for app \"%s\" in "
		    "project \"%s\"\n", get(c, "--app"), get(c, "--project"));
		ex = EX_NOTFOUND;
		goto out;
	}
	if (rc != ERR_OK) {
		db_error("reading the stored hash");
		ex = EX_DB;
		goto out;
	}
	ok = secret_verify(secret, len, hash);
	if (ok < 0)
		fprintf(stderr, PROG ": the stored hash is in no format "
		    "this tool reads\n");
	ex = ok == 1 ? EX_OK : EX_NO;
out:
	secret_wipe(secret, sizeof(secret));
	secret_wipe(hash, sizeof(hash));
	return ex;
}

static int
cmd_hash(struct ctx *c)
{
	struct hash_params hp;
	char secret[STDIN_SECRET_MAX], hash[HASH_MAX];
	size_t len;
	int rc;

	if (read_secret(secret, sizeof(secret), &len) != 0) {
		secret_wipe(secret, sizeof(secret));
		return usage_error("expected one secret on stdin (1 to %d "
		    "bytes)", STDIN_SECRET_MAX - 1);
	}
	if (c->cfg.hash_algorithm == HASH_BCRYPT && len > 72) {
		secret_wipe(secret, sizeof(secret));
		return usage_error("bcrypt reads at most 72 bytes; the "
		    "secret has more");
	}
	hash_params(&c->cfg, &hp);
	rc = secret_hash(&hp, secret, len, hash, sizeof(hash));
	secret_wipe(secret, sizeof(secret));
	if (rc != 0) {
		fprintf(stderr, PROG ": hashing failed\n");
		return EX_CONFIG;
	}
	printf("%s\n", hash);
	return EX_OK;
}

static int
cmd_check_config(struct ctx *c)
{
	const char *path = c->config_path;
	unsigned version = 0;
	enum err rc;
	char err[512];

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
	if (version == 0 &&
	    (rc = store_table_visible(c->st, "access_tokens")) == ERR_OK) {
		printf("database: reachable, the tables in place (this user "
		    "cannot read schema_migrations, as the responder's need "
		    "not)\n");
		return EX_OK;
	}
	if (rc != ERR_OK && rc != ERR_NOT_FOUND) {
		db_error("looking for the tables");
		return EX_DB;
	}
	printf("database: reachable, schema version %u\n", version);
	if (version == 0) {
		fprintf(stderr, PROG ": database: no schema yet: run "
		    PROG " migrate\n");
		return EX_NO;
	}
	return EX_OK;
}

static const struct command commands[] = {
	{ "migrate", NULL, { "--sql-dir=", NULL }, NULL, cmd_migrate },
	{ "init", NULL, { "--org=", "--user=", "--project=", "--ttl=", "--pat",
	    NULL }, check_init, cmd_init },
	{ "org", "add", { "--name=", NULL }, check_org_add, cmd_org_add },
	{ "org", "list", { NULL }, NULL, cmd_org_list },
	{ "org", "deactivate", { "--id=", NULL }, check_by_id,
	    cmd_org_deactivate },
	{ "user", "add", { "--org=", "--name=", NULL }, check_user_add,
	    cmd_user_add },
	{ "user", "list", { "--org=", NULL }, check_by_org, cmd_user_list },
	{ "user", "deactivate", { "--id=", NULL }, check_by_id,
	    cmd_user_deactivate },
	{ "member", "add", { "--user=", "--scope=", "--org=", "--project=",
	    "--role=", NULL }, check_member, cmd_member },
	{ "member", "remove", { "--user=", "--scope=", "--org=", "--project=",
	    "--role=", NULL }, check_member, cmd_member },
	{ "member", "list", { "--user=", NULL }, check_by_user,
	    cmd_member_list },
	{ "project", "add", { "--org=", "--name=", NULL }, check_user_add,
	    cmd_project_add },
	{ "project", "list", { "--org=", NULL }, check_by_org,
	    cmd_project_list },
	{ "app", "add", { "--project=", "--name=", "--oidc", "--api",
	    "--auth-method=", "--client-id=", NULL }, check_app_add,
	    cmd_app_add },
	{ "app", "list", { "--project=", NULL }, check_by_project,
	    cmd_app_list },
	{ "token", "issue", { "--user=", "--ttl=", "--pat", "--audience=",
	    "--scopes=", NULL }, check_token_issue, token_issue },
	{ "token", "revoke", { "--id=", NULL }, check_token_revoke,
	    token_revoke },
	{ "token", "list", { "--user=", NULL }, check_token_list, token_list },
	{ "verify", NULL, { "--project=", "--app=", NULL }, check_verify,
	    cmd_verify },
	{ "hash", NULL, { NULL }, NULL, cmd_hash },
	{ "check-config", NULL, { NULL }, NULL, cmd_check_config },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

/* The command named at argv[0] (and argv[1]); *used: the words it took. */
static const struct command *
find_command(int argc, char **argv, int *used)
{
	size_t i;
	int word = 0;

	for (i = 0; i < NCOMMANDS; i++) {
		if (strcmp(argv[0], commands[i].word) != 0)
			continue;
		word = 1;
		if (commands[i].sub == NULL) {
			*used = 1;
			return &commands[i];
		}
		if (argc > 1 && strcmp(argv[1], commands[i].sub) == 0) {
			*used = 2;
			return &commands[i];
		}
	}
	if (word) {
		char subs[128] = "";
		size_t n = 0, k, last = 0;

		/* "token: expected issue, revoke or list" */
		for (i = 0; i < NCOMMANDS; i++) {
			if (strcmp(argv[0], commands[i].word) != 0)
				continue;
			k = (size_t)snprintf(subs + n, sizeof(subs) - n, "%s%s",
			    n > 0 ? ", " : "", commands[i].sub);
			if (k >= sizeof(subs) - n)
				break;
			last = n;
			n += k;
		}
		if (last > 0)
			subs[last] = '\0';
		usage_error("%s: expected %s%s%s", argv[0], subs,
		    last > 0 ? " or " : "", last > 0 ? subs + last + 2 : "");
	} else
		usage_error("unknown command \"%s\"", argv[0]);
	return NULL;
}

int
main(int argc, char **argv)
{
	struct ctx c;
	char err[512];
	int i = 1, used = 0, ex, k;

	memset(&c, 0, sizeof(c));
	/* Options before the command. */
	while (i < argc && argv[i][0] == '-') {
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return EX_OK;
		}
		if (strcmp(argv[i], "--version") == 0) {
			version_print(stdout, PROG, 0);
			return EX_OK;
		}
		if (strcmp(argv[i], "--config") == 0) {
			if (c.config_path != NULL)
				return usage_error("--config given twice");
			if (i + 1 >= argc || argv[i + 1][0] == '\0')
				return usage_error("--config needs a file");
			c.config_path = argv[i + 1];
			i += 2;
			continue;
		}
		return usage_error("unknown option \"%s\"", argv[i]);
	}
	if (i >= argc) {
		usage(stderr);
		return EX_USAGE;
	}
	/* "--help" anywhere after the command asks for help, not for action. */
	for (k = i; k < argc; k++)
		if (strcmp(argv[k], "--help") == 0 ||
		    strcmp(argv[k], "-h") == 0) {
			usage(stdout);
			return EX_OK;
		}
	c.cmd = find_command(argc - i, argv + i, &used);
	if (c.cmd == NULL)
		return EX_USAGE;
	i += used;
	if (parse_opts(&c, argc - i, argv + i) != 0)
		return EX_USAGE;
	if (c.cmd->check != NULL && (ex = c.cmd->check(&c)) != 0)
		return ex;

	if (secret_init() != 0) {
		fprintf(stderr, PROG ": libgcrypt failed to initialise\n");
		return EX_CONFIG;
	}
	/* One line naming the key, the value and what is allowed. */
	if (config_load(&c.cfg, c.config_path, err, sizeof(err)) != 0) {
		fprintf(stderr, PROG ": configuration: %s\n", err);
		secret_wipe(c.cfg.db_password, sizeof(c.cfg.db_password));
		return EX_CONFIG;
	}
	/* Database messages go to stderr; no request log here. */
	log_set_ident(PROG);
	log_set_level(LOG_WARN);
	if (store_library_init() != 0 || (c.st = store_new(&c.cfg)) == NULL) {
		fprintf(stderr,
		    PROG ": cannot initialise the database client\n");
		secret_wipe(c.cfg.db_password, sizeof(c.cfg.db_password));
		return EX_DB;
	}
	ex = c.cmd->run(&c);
	store_free(c.st);
	store_library_end();
	secret_wipe(c.cfg.db_password, sizeof(c.cfg.db_password));
	/* A token or hash that did not reach its reader is no success. */
	if ((fflush(stdout) != 0 || ferror(stdout)) && ex == EX_OK) {
		fprintf(stderr, PROG ": writing the output: %s\n",
		    strerror(errno));
		ex = EX_NO;
	}
	return ex;
}
