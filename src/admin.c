/*
 * admin.c - oidc-secret-admin: what an operator runs beside the responder.
 *
 *   migrate                 apply sql/NNN_*.sql in order, once each
 *   token issue|revoke|list bearer tokens, stored only as SHA-256
 *   verify                  does a secret (stdin) match an app's stored hash
 *   hash                    hash a secret (stdin) in the configured format
 *   check-config            validate the configuration, reach the database
 *
 * Built on the responder's own modules: config, store, secret.  Errors go to
 * stderr; the exit codes are fixed (see usage()) so scripts can rely on them.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "route.h"
#include "secret.h"
#include "store.h"
#include "ts.h"

#ifndef PKGDATADIR
#define PKGDATADIR "/usr/share/oidc-secret"
#endif

enum exit_code {
	EX_OK = 0,
	EX_NO = 1,		/* verify: no match; check-config: a check failed */
	EX_USAGE = 2,
	EX_CONFIG = 3,
	EX_DB = 4,		/* database unreachable or a statement failed */
	EX_NOTFOUND = 5,	/* no such user, app or token */
	EX_NEWER = 6		/* the database is newer than this tool */
};

#define MIGRATION_MAX 1000
#define MIGRATION_FILE_MAX (1024 * 1024)
#define STDIN_SECRET_MAX 1024
#define TOKEN_CHARS 43
#define DEFAULT_TTL 43200	/* 12 hours, ZITADEL's access token lifetime */

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: oidc-secret-admin [--config FILE] COMMAND [OPTIONS]\n"
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
	    "exit status: 0 success, 1 no match or check failed, 2 usage,\n"
	    "3 configuration, 4 database, 5 not found, 6 database newer than this tool\n");
}

static void
die_store(enum store_rc rc, const char *what)
{
	(void)rc;
	fprintf(stderr, "oidc-secret-admin: %s: database error (see the lines above)\n",
	    what);
}

/* Parses "--name value" pairs; returns the value of name or NULL. */
static const char *
opt(int argc, char **argv, const char *name)
{
	int i;

	for (i = 0; i < argc - 1; i++)
		if (strcmp(argv[i], name) == 0)
			return argv[i + 1];
	return NULL;
}

static int
flag(int argc, char **argv, const char *name)
{
	int i;

	for (i = 0; i < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return 1;
	return 0;
}

/* Every argument must be a known option; those in with_value take one. */
static int
check_opts(int argc, char **argv, const char *const *with_value,
    const char *const *flags)
{
	int i, j, ok;

	for (i = 0; i < argc; i++) {
		ok = 0;
		for (j = 0; with_value[j] != NULL; j++)
			if (strcmp(argv[i], with_value[j]) == 0 && i + 1 < argc) {
				ok = 1;
				i++;
				break;
			}
		for (j = 0; !ok && flags[j] != NULL; j++)
			if (strcmp(argv[i], flags[j]) == 0)
				ok = 1;
		if (!ok) {
			fprintf(stderr, "oidc-secret-admin: unexpected argument "
			    "\"%s\"\n", argv[i]);
			return -1;
		}
	}
	return 0;
}

static int
valid_id(const char *s)
{
	struct slice id = { s, strlen(s) };

	return route_check_id(id) == ERR_OK;
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
	return n > 0 ? 0 : -1;
}

/* --- migrate --- */

struct migration {
	unsigned version;
	char name[256];
};

static int
by_version(const void *a, const void *b)
{
	const struct migration *x = a, *y = b;

	return x->version < y->version ? -1 : x->version > y->version;
}

/* NNN_name.sql, three digits, lowercase name: anything else is not ours. */
static int
migration_name(const char *f, unsigned *version)
{
	size_t n = strlen(f), i;

	if (n < 9 || n >= 256 || strcmp(f + n - 4, ".sql") != 0 || f[3] != '_')
		return -1;
	for (i = 0; i < 3; i++)
		if (f[i] < '0' || f[i] > '9')
			return -1;
	for (i = 4; i < n - 4; i++)
		if (!((f[i] >= 'a' && f[i] <= 'z') || (f[i] >= '0' && f[i] <= '9') ||
		    f[i] == '_'))
			return -1;
	*version = (unsigned)((f[0] - '0') * 100 + (f[1] - '0') * 10 + (f[2] - '0'));
	return *version > 0 ? 0 : -1;
}

static char *
slurp(const char *path, size_t *len)
{
	struct stat st;
	char *buf = NULL;
	size_t have = 0;
	ssize_t k;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_size > MIGRATION_FILE_MAX)
		goto out;
	buf = malloc((size_t)st.st_size + 1);
	if (buf == NULL)
		goto out;
	while (have < (size_t)st.st_size &&
	    (k = read(fd, buf + have, (size_t)st.st_size - have)) > 0)
		have += (size_t)k;
	buf[have] = '\0';
	*len = have;
out:
	close(fd);
	return buf;
}

/*
 * Runs the statements of one file.  The format is ours: a statement ends
 * with ';' at the end of a line; lines starting with "--" are comments.
 */
static enum store_rc
run_statements(struct store *st, char *text, const char *file)
{
	char *line = text, *stmt = NULL;
	size_t stmt_len = 0, cap = 0;
	enum store_rc rc = STORE_OK;
	unsigned lineno = 0;

	while (line != NULL && *line != '\0') {
		char *nl = strchr(line, '\n'), *p = line, *end;
		size_t n;

		lineno++;
		if (nl != NULL)
			*nl = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
		end = p + strlen(p);
		while (end > p && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
			end--;
		n = (size_t)(end - p);
		if (n > 0 && strncmp(p, "--", 2) != 0) {
			if (stmt_len + n + 2 > cap) {
				char *grown;

				cap = (stmt_len + n + 2) * 2;
				grown = realloc(stmt, cap);
				if (grown == NULL) {
					rc = STORE_FAILED;
					break;
				}
				stmt = grown;
			}
			if (stmt_len > 0)
				stmt[stmt_len++] = '\n';
			memcpy(stmt + stmt_len, p, n);
			stmt_len += n;
			stmt[stmt_len] = '\0';
			if (stmt[stmt_len - 1] == ';') {
				stmt[--stmt_len] = '\0';
				rc = store_exec(st, stmt);
				if (rc != STORE_OK) {
					fprintf(stderr, "oidc-secret-admin: %s: the "
					    "statement ending at line %u failed\n",
					    file, lineno);
					break;
				}
				stmt_len = 0;
			}
		}
		line = nl != NULL ? nl + 1 : NULL;
	}
	if (rc == STORE_OK && stmt_len > 0) {
		fprintf(stderr, "oidc-secret-admin: %s: last statement has no ';'\n",
		    file);
		rc = STORE_FAILED;
	}
	free(stmt);
	return rc;
}

static int
cmd_migrate(struct store *st, int argc, char **argv)
{
	static const char *const with_value[] = { "--sql-dir", NULL };
	static const char *const flags[] = { NULL };
	const char *dir = opt(argc, argv, "--sql-dir");
	struct migration *m = NULL;
	struct dirent *de;
	DIR *d = NULL;
	size_t n = 0, i;
	unsigned have, applied = 0;
	enum store_rc rc;
	int ex = EX_OK;

	if (check_opts(argc, argv, with_value, flags) != 0)
		return EX_USAGE;
	if (dir == NULL)
		dir = getenv("OIDC_SECRET_SQL_DIR");
	if (dir == NULL)
		dir = PKGDATADIR "/sql";
	d = opendir(dir);
	if (d == NULL) {
		fprintf(stderr, "oidc-secret-admin: %s: %s\n", dir, strerror(errno));
		return EX_CONFIG;
	}
	m = calloc(MIGRATION_MAX, sizeof(*m));
	if (m == NULL) {
		closedir(d);
		return EX_DB;
	}
	while ((de = readdir(d)) != NULL && n < MIGRATION_MAX) {
		unsigned v;

		if (migration_name(de->d_name, &v) != 0)
			continue;
		m[n].version = v;
		snprintf(m[n].name, sizeof(m[n].name), "%s", de->d_name);
		n++;
	}
	closedir(d);
	qsort(m, n, sizeof(*m), by_version);
	for (i = 1; i < n; i++)
		if (m[i].version == m[i - 1].version) {
			fprintf(stderr, "oidc-secret-admin: %s and %s share a "
			    "version\n", m[i - 1].name, m[i].name);
			ex = EX_CONFIG;
			goto out;
		}
	if (n == 0) {
		fprintf(stderr, "oidc-secret-admin: %s holds no NNN_name.sql "
		    "migrations\n", dir);
		ex = EX_CONFIG;
		goto out;
	}
	if ((rc = store_schema_version(st, &have)) != STORE_OK) {
		die_store(rc, "reading the schema version");
		ex = EX_DB;
		goto out;
	}
	if (have > m[n - 1].version) {
		fprintf(stderr, "oidc-secret-admin: the database is at schema "
		    "version %u, newer than this tool's %u: upgrade "
		    "oidc-secret first\n", have, m[n - 1].version);
		ex = EX_NEWER;
		goto out;
	}
	for (i = 0; i < n; i++) {
		char path[4096];
		char *text;
		size_t len;

		if (m[i].version <= have)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, m[i].name);
		text = slurp(path, &len);
		if (text == NULL) {
			fprintf(stderr, "oidc-secret-admin: %s: cannot read\n", path);
			ex = EX_CONFIG;
			goto out;
		}
		/* DDL commits implicitly in MySQL; data changes stay atomic. */
		rc = store_begin(st);
		if (rc == STORE_OK)
			rc = run_statements(st, text, m[i].name);
		if (rc == STORE_OK)
			rc = store_record_migration(st, m[i].version, m[i].name);
		if (rc == STORE_OK)
			rc = store_commit(st);
		free(text);
		if (rc != STORE_OK) {
			store_rollback(st);
			die_store(rc, m[i].name);
			ex = EX_DB;
			goto out;
		}
		printf("applied %s\n", m[i].name);
		applied++;
	}
	printf("schema at version %u (%u applied now)\n",
	    have > m[n - 1].version ? have : m[n - 1].version, applied);
out:
	free(m);
	return ex;
}

/* --- token --- */

static int
parse_ttl(const char *s, long *out)
{
	long v = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
		if (v > 10L * 365 * 86400)
			return -1;
	}
	if (v == 0)
		return -1;
	*out = v;
	return 0;
}

static int
token_issue(struct store *st, const struct config *cfg, int argc, char **argv)
{
	static const char *const with_value[] = { "--user", "--ttl",
	    "--audience", "--scopes", NULL };
	static const char *const flags[] = { "--pat", NULL };
	const char *user = opt(argc, argv, "--user");
	const char *ttl_s = opt(argc, argv, "--ttl");
	const char *aud = opt(argc, argv, "--audience");
	const char *scopes = opt(argc, argv, "--scopes");
	int pat = flag(argc, argv, "--pat");
	char token[TOKEN_CHARS + 1], digest[SHA256_HEX];
	struct ts exp;
	long ttl = DEFAULT_TTL;
	enum store_rc rc;

	if (check_opts(argc, argv, with_value, flags) != 0)
		return EX_USAGE;
	if (user == NULL || !valid_id(user)) {
		fprintf(stderr, "oidc-secret-admin: token issue needs --user ID\n");
		return EX_USAGE;
	}
	if (ttl_s != NULL && parse_ttl(ttl_s, &ttl) != 0) {
		fprintf(stderr, "oidc-secret-admin: --ttl \"%s\": expected seconds, "
		    "1 to 315360000\n", ttl_s);
		return EX_USAGE;
	}
	/* An access token names the API in its audience; see SPEC section 4. */
	if (aud == NULL)
		aud = cfg->api_project_id;
	if (strlen(aud) > AUDIENCE_MAX || (scopes != NULL && strlen(scopes) > 2048)) {
		fprintf(stderr, "oidc-secret-admin: --audience or --scopes too long\n");
		return EX_USAGE;
	}
	if (scopes == NULL)
		scopes = "openid urn:zitadel:iam:org:project:id:zitadel:aud";
	rc = store_user_exists(st, user);
	if (rc == STORE_NONE) {
		fprintf(stderr, "oidc-secret-admin: no user \"%s\"\n", user);
		return EX_NOTFOUND;
	}
	if (rc != STORE_OK) {
		die_store(rc, "looking the user up");
		return EX_DB;
	}
	/* 43 letters and digits from the strong generator: 256 bits. */
	if (secret_generate(token, TOKEN_CHARS) != 0) {
		fprintf(stderr, "oidc-secret-admin: random generator failed\n");
		return EX_DB;
	}
	secret_sha256_hex(token, strlen(token), digest);
	exp = ts_now();
	exp.sec += ttl;
	exp.nsec = 0;
	rc = store_token_add(st, digest, user, pat, aud, scopes,
	    pat && ttl_s == NULL ? NULL : &exp);
	if (rc != STORE_OK) {
		secret_wipe(token, sizeof(token));
		die_store(rc, "storing the token");
		return EX_DB;
	}
	/* The one time the token is shown. */
	printf("%s\n", token);
	fflush(stdout);
	secret_wipe(token, sizeof(token));
	return EX_OK;
}

static void
print_token(void *arg, const struct token_info *t)
{
	(void)arg;
	printf("%-12s  %-20s  %-6s  %-27s  %-27s  %s\n", t->sha256_prefix,
	    t->user_id, t->pat ? "pat" : "access",
	    t->expires[0] ? t->expires : "never",
	    t->revoked[0] ? t->revoked : "-", t->audience);
}

static int
token_list(struct store *st, int argc, char **argv)
{
	static const char *const with_value[] = { "--user", NULL };
	static const char *const flags[] = { NULL };
	enum store_rc rc;

	if (check_opts(argc, argv, with_value, flags) != 0)
		return EX_USAGE;
	printf("%-12s  %-20s  %-6s  %-27s  %-27s  %s\n", "ID", "USER", "TYPE",
	    "EXPIRES", "REVOKED", "AUDIENCE");
	rc = store_token_list(st, opt(argc, argv, "--user"), print_token, NULL);
	if (rc != STORE_OK) {
		die_store(rc, "listing tokens");
		return EX_DB;
	}
	return EX_OK;
}

static int
token_revoke(struct store *st, int argc, char **argv)
{
	static const char *const with_value[] = { "--id", NULL };
	static const char *const flags[] = { NULL };
	const char *id = opt(argc, argv, "--id");
	unsigned matched = 0;
	enum store_rc rc;

	if (check_opts(argc, argv, with_value, flags) != 0)
		return EX_USAGE;
	if (id == NULL || strlen(id) < 8 || strlen(id) > 64) {
		fprintf(stderr, "oidc-secret-admin: token revoke needs --id with "
		    "8 to 64 hex digits (the ID column of token list)\n");
		return EX_USAGE;
	}
	rc = store_token_revoke(st, id, &matched);
	if (rc == STORE_NONE) {
		fprintf(stderr, "oidc-secret-admin: %u unrevoked tokens match "
		    "\"%s\"; exactly one must\n", matched, id);
		return EX_NOTFOUND;
	}
	if (rc != STORE_OK) {
		die_store(rc, "revoking the token");
		return EX_DB;
	}
	printf("revoked %s\n", id);
	return EX_OK;
}

static int
cmd_token(struct store *st, const struct config *cfg, int argc, char **argv)
{
	if (argc < 1) {
		usage(stderr);
		return EX_USAGE;
	}
	if (strcmp(argv[0], "issue") == 0)
		return token_issue(st, cfg, argc - 1, argv + 1);
	if (strcmp(argv[0], "list") == 0)
		return token_list(st, argc - 1, argv + 1);
	if (strcmp(argv[0], "revoke") == 0)
		return token_revoke(st, argc - 1, argv + 1);
	usage(stderr);
	return EX_USAGE;
}

/* --- verify, hash, check-config --- */

static int
cmd_verify(struct store *st, int argc, char **argv)
{
	static const char *const with_value[] = { "--project", "--app", NULL };
	static const char *const flags[] = { NULL };
	const char *project = opt(argc, argv, "--project");
	const char *app = opt(argc, argv, "--app");
	char secret[STDIN_SECRET_MAX], hash[HASH_MAX];
	size_t len;
	enum store_rc rc;
	int ok;

	if (check_opts(argc, argv, with_value, flags) != 0)
		return EX_USAGE;
	if (project == NULL || app == NULL || !valid_id(project) || !valid_id(app)) {
		fprintf(stderr, "oidc-secret-admin: verify needs --project ID "
		    "--app ID\n");
		return EX_USAGE;
	}
	if (read_secret(secret, sizeof(secret), &len) != 0) {
		fprintf(stderr, "oidc-secret-admin: expected a secret on stdin\n");
		return EX_USAGE;
	}
	rc = store_secret_hash(st, project, app, hash, sizeof(hash));
	if (rc == STORE_NONE) {
		secret_wipe(secret, sizeof(secret));
		fprintf(stderr, "oidc-secret-admin: no secret stored for app "
		    "\"%s\" in project \"%s\"\n", app, project);
		return EX_NOTFOUND;
	}
	if (rc != STORE_OK) {
		secret_wipe(secret, sizeof(secret));
		die_store(rc, "reading the stored hash");
		return EX_DB;
	}
	ok = secret_verify(secret, len, hash);
	secret_wipe(secret, sizeof(secret));
	if (ok < 0) {
		fprintf(stderr, "oidc-secret-admin: the stored hash is in no "
		    "format this tool reads\n");
		return EX_NO;
	}
	return ok == 1 ? EX_OK : EX_NO;
}

static int
cmd_hash(const struct config *cfg, int argc, char **argv)
{
	static const char *const none[] = { NULL };
	struct hash_params hp;
	char secret[STDIN_SECRET_MAX], hash[HASH_MAX];
	size_t len;
	int rc;

	(void)argv;
	if (check_opts(argc, argv, none, none) != 0)
		return EX_USAGE;
	if (read_secret(secret, sizeof(secret), &len) != 0) {
		fprintf(stderr, "oidc-secret-admin: expected a secret on stdin\n");
		return EX_USAGE;
	}
	hp.alg = cfg->hash_algorithm;
	hp.m_kib = cfg->argon2_memory_kib;
	hp.t = cfg->argon2_iterations;
	hp.p = cfg->argon2_parallelism;
	hp.cost = cfg->bcrypt_cost;
	rc = secret_hash(&hp, secret, len, hash, sizeof(hash));
	secret_wipe(secret, sizeof(secret));
	if (rc != 0) {
		fprintf(stderr, "oidc-secret-admin: hashing failed (bcrypt takes "
		    "at most 72 bytes)\n");
		return EX_USAGE;
	}
	printf("%s\n", hash);
	return EX_OK;
}

static int
cmd_check_config(struct store *st, const struct config *cfg, const char *path)
{
	unsigned version = 0;
	enum store_rc rc;

	printf("configuration: %s: ok (hash %s)\n", path,
	    config_hash_name(cfg->hash_algorithm));
	rc = store_ping(st);
	if (rc != STORE_OK) {
		printf("database: unreachable (see the lines above)\n");
		return EX_DB;
	}
	rc = store_schema_version(st, &version);
	if (rc != STORE_OK) {
		printf("database: reachable, schema version unreadable\n");
		return EX_DB;
	}
	printf("database: reachable, schema version %u\n", version);
	if (version == 0) {
		printf("database: no schema yet: run oidc-secret-admin migrate\n");
		return EX_NO;
	}
	return EX_OK;
}

int
main(int argc, char **argv)
{
	struct config cfg;
	struct store *st = NULL;
	const char *path = NULL, *cmd;
	char err[512];
	int i = 1, ex;

	if (argc > 2 && strcmp(argv[1], "--config") == 0) {
		path = argv[2];
		i = 3;
	}
	if (i >= argc || strcmp(argv[i], "--help") == 0 ||
	    strcmp(argv[i], "-h") == 0) {
		usage(i >= argc ? stderr : stdout);
		return i >= argc ? EX_USAGE : EX_OK;
	}
	if (strcmp(argv[i], "--version") == 0) {
		printf("oidc-secret-admin %s\n", PACKAGE_VERSION);
		return EX_OK;
	}
	cmd = argv[i++];
	if (secret_init() != 0) {
		fprintf(stderr, "oidc-secret-admin: libgcrypt failed to initialise\n");
		return EX_CONFIG;
	}
	if (config_load(&cfg, path, err, sizeof(err)) != 0) {
		fprintf(stderr, "oidc-secret-admin: configuration: %s\n", err);
		return EX_CONFIG;
	}
	/* Database messages go to stderr; the request log's info lines do not apply. */
	log_set_ident("oidc-secret-admin");
	log_set_level(LOG_WARN);
	if (store_library_init() != 0 || (st = store_new(&cfg)) == NULL) {
		fprintf(stderr, "oidc-secret-admin: cannot initialise the database "
		    "client\n");
		return EX_DB;
	}
	if (strcmp(cmd, "migrate") == 0)
		ex = cmd_migrate(st, argc - i, argv + i);
	else if (strcmp(cmd, "token") == 0)
		ex = cmd_token(st, &cfg, argc - i, argv + i);
	else if (strcmp(cmd, "verify") == 0)
		ex = cmd_verify(st, argc - i, argv + i);
	else if (strcmp(cmd, "hash") == 0)
		ex = cmd_hash(&cfg, argc - i, argv + i);
	else if (strcmp(cmd, "check-config") == 0)
		ex = cmd_check_config(st, &cfg, path != NULL ? path :
		    getenv("OIDC_SECRET_CONFIG") != NULL ?
		    getenv("OIDC_SECRET_CONFIG") : config_default_path());
	else {
		fprintf(stderr, "oidc-secret-admin: unknown command \"%s\"\n", cmd);
		usage(stderr);
		ex = EX_USAGE;
	}
	store_free(st);
	store_library_end();
	secret_wipe(cfg.db_password, sizeof(cfg.db_password));
	return ex;
}
