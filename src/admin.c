/*
 * admin.c - oidc-secret-admin: what an operator runs beside the responder.
 *
 *   migrate                 apply sql/NNN_*.sql in order, once each
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
#include "log.h"
#include "migrate.h"
#include "route.h"
#include "secret.h"
#include "store.h"
#include "store_admin.h"
#include "ts.h"
#include "util.h"

#ifndef PKGDATADIR
#define PKGDATADIR "/usr/share/oidc-secret"
#endif

#define PROG "oidc-secret-admin"

enum exit_code {
	EX_OK = 0,
	EX_NO = 1,		/* verify: no match; check-config: a check failed */
	EX_USAGE = 2,
	EX_CONFIG = 3,		/* configuration, or an unreadable sql directory */
	EX_DB = 4,		/* database unreachable or a statement failed */
	EX_NOTFOUND = 5,	/* no such user, app or token */
	EX_NEWER = 6		/* the database is newer than this tool */
};

#define STDIN_SECRET_MAX 1024
#define TOKEN_CHARS 43		/* 43 of 62 symbols: 256 bits */
#define DEFAULT_TTL 43200	/* 12 hours, ZITADEL's access token lifetime */
#define TTL_MAX (10L * 365 * 86400)
#define SCOPES_MAX 2048		/* access_tokens.scopes VARCHAR(2048) */
#define OPTS_MAX 6

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
	    "  token issue --user ID [--ttl SECONDS] [--pat] [--audience A] [--scopes S]\n"
	    "        print a new bearer token once; only its SHA-256 is stored\n"
	    "  token revoke --id PREFIX\n"
	    "        revoke the token whose SHA-256 starts with PREFIX (from token list)\n"
	    "  token list [--user ID]\n"
	    "        list tokens by SHA-256 prefix (never the tokens themselves)\n"
	    "  verify --project ID --app ID\n"
	    "        read a secret on stdin; exit 0 when it matches the app's stored hash\n"
	    "  hash\n"
	    "        read a secret on stdin; print its hash in the configured format\n"
	    "  check-config\n"
	    "        validate the configuration and reach the database\n"
	    "\n"
	    "The configuration is FILE, else $OIDC_SECRET_CONFIG, else %s;\n"
	    "OIDC_SECRET_<KEY> overrides a key.\n"
	    "\n"
	    "exit status: 0 success, 1 no match or check failed, 2 usage,\n"
	    "3 configuration, 4 database, 5 not found, 6 database newer than this tool\n",
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
	const char *word, *sub;		/* "token" "issue"; sub NULL for one word */
	/* Options: "--name=" takes a value, "--name" is a flag. */
	const char *opts[OPTS_MAX + 1];
	int (*check)(struct ctx *);	/* values, before the configuration */
	int (*run)(struct ctx *);
};

struct ctx {
	const struct command *cmd;
	const char *val[OPTS_MAX];	/* by index into cmd->opts; "" for a flag */
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
			return usage_error("unexpected argument \"%s\"", argv[i]);
		if (c->val[j] != NULL)
			return usage_error("%s given twice", argv[i]);
		if (spec[strlen(spec) - 1] != '=') {
			c->val[j] = "";
			continue;
		}
		/* "--user --pat" is a forgotten value, not a user named --pat. */
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
		return usage_error("--user \"%s\": not an ID (1 to 200 characters "
		    "of UTF-8, no control characters)", printable(user) ? user : "?");
	c->ttl = DEFAULT_TTL;
	if (ttl != NULL && parse_ttl(ttl, &c->ttl) != 0)
		return usage_error("--ttl \"%s\": expected whole seconds, 1 to "
		    "315360000", printable(ttl) ? ttl : "?");
	if (aud != NULL && (aud[0] == '\0' || strlen(aud) > AUDIENCE_MAX ||
	    !printable(aud)))
		return usage_error("--audience: expected 1 to %d bytes, no control "
		    "characters", AUDIENCE_MAX);
	if (scopes != NULL && (strlen(scopes) > SCOPES_MAX || !printable(scopes)))
		return usage_error("--scopes: expected at most %d bytes, no control "
		    "characters", SCOPES_MAX);
	return 0;
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

	/* An access token names the API in its audience (doc/errors.md). */
	if (aud == NULL) {
		char err[512];

		if (config_check_api(&c->cfg, err, sizeof(err)) != 0) {
			fprintf(stderr, PROG ": token issue: %s, or give --audience\n",
			    err);
			return EX_CONFIG;
		}
		aud = c->cfg.api_project_id;
	}
	if (scopes == NULL)
		scopes = "openid urn:zitadel:iam:org:project:id:zitadel:aud";
	rc = store_user_exists(c->st, user);
	if (rc == ERR_NOT_FOUND) {
		fprintf(stderr, PROG ": no user \"%s\"\n", user);
		return EX_NOTFOUND;
	}
	if (rc != ERR_OK) {
		db_error("looking the user up");
		return EX_DB;
	}
	if (secret_generate(token, TOKEN_CHARS) != 0) {
		fprintf(stderr, PROG ": the random generator failed\n");
		return EX_DB;
	}
	secret_sha256_hex(token, strlen(token), digest);
	exp = ts_now();
	exp.sec += c->ttl;
	exp.nsec = 0;
	/* A personal access token without --ttl does not expire, as in ZITADEL. */
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
		out[i] = (unsigned char)in[i] < 0x20 || in[i] == 0x7f ? '?' : in[i];
	out[i] = '\0';
}

static void
print_token(void *arg, const struct token_info *t)
{
	char user[ID_BYTES + 1], aud[AUDIENCE_MAX + 1];

	(void)arg;
	cell(t->user_id, user, sizeof(user));
	cell(t->audience, aud, sizeof(aud));
	printf("%-12s  %-20s  %-6s  %-27s  %-27s  %-27s  %s\n", t->sha256_prefix,
	    user, t->pat ? "pat" : "access", t->created,
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
		if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f')))
			break;
	if (n < 8 || n > 64 || i < n)
		return usage_error("--id \"%s\": expected 8 to 64 lowercase hex "
		    "digits (the ID column of token list)", printable(id) ? id : "?");
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
			    "starting with %s; give more digits\n", matched, id);
		return EX_NOTFOUND;
	}
	if (rc != ERR_OK) {
		db_error("revoking the token");
		return EX_DB;
	}
	printf("revoked %s\n", id);
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
		fprintf(stderr, PROG ": the stored hash is in no format this tool "
		    "reads\n");
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
	hp.alg = c->cfg.hash_algorithm;
	hp.m_kib = c->cfg.argon2_memory_kib;
	hp.t = c->cfg.argon2_iterations;
	hp.p = c->cfg.argon2_parallelism;
	hp.cost = c->cfg.bcrypt_cost;
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
	{ "token", "issue", { "--user=", "--ttl=", "--pat", "--audience=",
	    "--scopes=", NULL }, check_token_issue, token_issue },
	{ "token", "revoke", { "--id=", NULL }, check_token_revoke, token_revoke },
	{ "token", "list", { "--user=", NULL }, check_token_list, token_list },
	{ "verify", NULL, { "--project=", "--app=", NULL }, check_verify,
	    cmd_verify },
	{ "hash", NULL, { NULL }, NULL, cmd_hash },
	{ "check-config", NULL, { NULL }, NULL, cmd_check_config },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

/* The command named at argv[0] (and argv[1]); *used is how many words it took. */
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
	if (word)
		usage_error("%s: expected issue, revoke or list", argv[0]);
	else
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
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return EX_OK;
		}
		if (strcmp(argv[i], "--version") == 0) {
			printf(PROG " %s\n", PACKAGE_VERSION);
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
		if (strcmp(argv[k], "--help") == 0 || strcmp(argv[k], "-h") == 0) {
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
	/* Database messages go to stderr; the request log's info lines do not apply. */
	log_set_ident(PROG);
	log_set_level(LOG_WARN);
	if (store_library_init() != 0 || (c.st = store_new(&c.cfg)) == NULL) {
		fprintf(stderr, PROG ": cannot initialise the database client\n");
		secret_wipe(c.cfg.db_password, sizeof(c.cfg.db_password));
		return EX_DB;
	}
	ex = c.cmd->run(&c);
	store_free(c.st);
	store_library_end();
	secret_wipe(c.cfg.db_password, sizeof(c.cfg.db_password));
	/* A token or hash that did not reach its reader is no success. */
	if ((fflush(stdout) != 0 || ferror(stdout)) && ex == EX_OK) {
		fprintf(stderr, PROG ": writing the output: %s\n", strerror(errno));
		ex = EX_NO;
	}
	return ex;
}
