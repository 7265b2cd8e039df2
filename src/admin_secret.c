/*
 * admin_secret.c - oidc-secret-admin's commands for the secrets stored:
 * verify (an app's or a machine user's, the previous one too while its
 * grace lasts), hash, secret end-grace (admin_cli.h).
 */
#include "admin_cli.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define STDIN_SECRET_MAX 1024

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

/* read_secret(), or the usage error (the buffer wiped). */
static int
stdin_secret(char secret[STDIN_SECRET_MAX], size_t *len)
{
	if (read_secret(secret, STDIN_SECRET_MAX, len) == 0)
		return 0;
	secret_wipe(secret, STDIN_SECRET_MAX);
	return usage_error("expected one secret on stdin (1 to %d bytes)",
	    STDIN_SECRET_MAX - 1);
}

/* --- verify --- */

static int
check_verify(struct ctx *c)
{
	const char *project = get(c, "--project"), *app = get(c, "--app");
	const char *user = get(c, "--user");

	if (user != NULL && (project != NULL || app != NULL))
		return usage_error("verify takes --project ID --app ID or "
		    "--user ID, not both");
	if (user != NULL)
		return check_id_opt(c, "--user", 1);
	if (project == NULL || app == NULL)
		return usage_error("verify needs --project ID --app ID, or "
		    "--user ID");
	if (!valid_id(project) || !valid_id(app))
		return usage_error("--project or --app: not an ID");
	return 0;
}

/* No hashes to verify against: what holds none, and what lists them. */
static void
no_secret(const struct ctx *c)
{
	const char *user = get(c, "--user");

	if (user != NULL) {
		fprintf(stderr, PROG ": no secret stored for user \"%s\" (a "
		    "machine user's, not removed); " PROG " user list lists "
		    "the users, " PROG " user secret --user ", user);
		put_word(stderr, user);
		fputs(" makes a machine user's\n", stderr);
		return;
	}
	fprintf(stderr, PROG ": no secret stored for app \"%s\" in project "
	    "\"%s\"; " PROG " app list --project ", get(c, "--app"),
	    get(c, "--project"));
	put_word(stderr, get(c, "--project"));
	fputs(" lists its apps, whether each has one\n", stderr);
}

/*
 * Exit 0 when the secret matches the current hash or, while its grace
 * lasts, the previous one.  Both are checked, whichever matches: the time
 * taken does not tell which.
 */
static int
cmd_verify(struct ctx *c)
{
	struct secret_hashes h;
	char secret[STDIN_SECRET_MAX];
	size_t len;
	enum err rc;
	int now, before = 0, ex;

	if ((ex = stdin_secret(secret, &len)) != 0)
		return ex;
	if (get(c, "--user") != NULL)
		rc = store_user_hashes(c->st, get(c, "--user"), &h);
	else
		rc = store_app_hashes(c->st, get(c, "--project"),
		    get(c, "--app"), &h);
	if (rc == ERR_NOT_FOUND) {
		no_secret(c);
		ex = EX_NOTFOUND;
		goto out;
	}
	if (rc != ERR_OK) {
		db_error("reading the stored hash");
		ex = EX_DB;
		goto out;
	}
	now = secret_verify(secret, len, h.current);
	if (h.previous[0] != '\0')
		before = secret_verify(secret, len, h.previous);
	if (now != 1 && before != 1 && (now < 0 || before < 0))
		fprintf(stderr, PROG ": the stored hash is in no format "
		    "this tool reads\n");
	ex = now == 1 || before == 1 ? EX_OK : EX_NO;
out:
	secret_wipe(secret, sizeof(secret));
	secret_wipe(&h, sizeof(h));
	return ex;
}

/* --- hash --- */

static int
cmd_hash(struct ctx *c)
{
	struct hash_params hp;
	char secret[STDIN_SECRET_MAX], hash[HASH_MAX];
	size_t len;
	int rc;

	if ((rc = stdin_secret(secret, &len)) != 0)
		return rc;
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

/* --- secret end-grace --- */

static int
check_end_grace(struct ctx *c)
{
	int app = get(c, "--app") != NULL, user = get(c, "--user") != NULL;

	if (app == user)
		return usage_error("secret end-grace needs --app ID or --user "
		    "ID (one of them)");
	return check_id_opt(c, app ? "--app" : "--user", 1);
}

static int
cmd_end_grace(struct ctx *c)
{
	const char *app = get(c, "--app"), *user = get(c, "--user");
	const char *id = app != NULL ? app : user, *what = "";
	char until[TS_RFC3339_MAX];
	struct user_state u;
	struct grace_end g;
	enum err e;
	int ex;

	memset(&g, 0, sizeof(g));
	if (user != NULL) {
		/* A human user, or none: said with what to run instead. */
		if ((ex = machine_user(c, user, MACHINE_ANY, NULL, &u)) !=
		    EX_OK)
			return ex;
		e = store_user_end_grace(c->st, user, &g, &what);
	} else
		e = store_app_end_grace(c->st, app, &g, &what);
	if (e != ERR_OK)
		return refused(c, e, what, id);
	if (!g.ended) {
		printf("%s %s has no previous secret within a grace period; "
		    "nothing changed\n", app != NULL ? "app" : "user", id);
		return EX_OK;
	}
	if (ts_format(g.until, until, sizeof(until)) != 0)
		snprintf(until, sizeof(until), "?");
	printf("the previous secret of %s %s, valid until %s, is no longer "
	    "valid\n", app != NULL ? "app" : "user", id, until);
	return EX_OK;
}

const struct command admin_secret_commands[] = {
	{ "secret", "end-grace", { "--app=", "--user=", NULL },
	    check_end_grace, cmd_end_grace,
	    "  secret end-grace --app ID | --user ID\n"
	    "        end now the grace period of an app's or a machine user's"
	    " previous\n"
	    "        secret\n" },
	{ "verify", NULL, { "--project=", "--app=", "--user=", NULL },
	    check_verify, cmd_verify,
	    "  verify --project ID --app ID | verify --user ID\n"
	    "        read a secret on stdin; exit 0 when it matches the app's"
	    " or the machine\n"
	    "        user's stored hash (or the previous one, while its grace"
	    " lasts)\n" },
	{ "hash", NULL, { NULL }, NULL, cmd_hash,
	    "  hash\n"
	    "        read a secret on stdin; print its hash in the configured"
	    " format\n" },
	{ NULL, NULL, { NULL }, NULL, NULL, NULL }
};
