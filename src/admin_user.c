/*
 * admin_user.c - oidc-secret-admin's users: user add (human or machine),
 * list, deactivate; a machine user's secret (user secret, user secret
 * remove) and keys (user key add, list, remove) (admin_cli.h).
 *
 * A machine user's secret and keys change through the request path's own
 * transaction (store_user_change), as the API changes them: the same
 * statements, the same event, the grace period of secret_grace_period_s.
 */
#include "admin_cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keyfile.h"
#include "rsakey.h"
#include "utf8.h"
#include "util.h"

/* --- user add, list, deactivate --- */

/* Unicode's White_Space beyond the control characters valid_id() refuses. */
static int
is_space(unsigned long cp)
{
	return cp == 0x20 || cp == 0xa0 || cp == 0x1680 ||
	    (cp >= 0x2000 && cp <= 0x200a) || cp == 0x2028 || cp == 0x2029 ||
	    cp == 0x202f || cp == 0x205f || cp == 0x3000;
}

/*
 * A machine user's name is its OAuth client_id: a name (valid_id) without
 * white space or ':'.  RFC 6749 2.3.1 has a client form-encode its ID
 * before HTTP Basic, where ':' ends the ID; a client that skips the
 * encoding would send such a name broken.
 */
static int
valid_client_name(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n = strlen(s), k;
	unsigned long cp;

	if (!valid_id(s))
		return 0;
	while (i < n) {
		k = utf8_next(p + i, n - i, &cp);
		if (k == 0 || cp == ':' || is_space(cp))
			return 0;
		i += k;
	}
	return 1;
}

static int
check_user_add(struct ctx *c)
{
	const char *name = get(c, "--name");
	int rc;

	if (get(c, "--machine") == NULL)
		return check_org_and_name(c);
	if ((rc = check_id_opt(c, "--org", 1)) != 0)
		return rc;
	if (name == NULL)
		return usage_error("user add needs --name NAME");
	if (!valid_client_name(name))
		return usage_error("--name \"%s\": not a machine user's name, "
		    "which is its client ID (1 to 200 characters of UTF-8, no "
		    "control characters, white space or ':')",
		    printable(name) ? name : "?");
	return 0;
}

static int
cmd_user_add(struct ctx *c)
{
	return add_named(c, get(c, "--machine") != NULL ? store_machine_add :
	    store_user_add);
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
		{ "NAME", 20, NULL }, { "TYPE", 0, NULL }, { NULL, 0, NULL }
	};

	list_head(cols);
	return list_end(store_user_list(c->st, get(c, "--org"), list_row,
	    (void *)cols), "listing users");
}

/* --- what a machine user's commands need of it --- */

/* "PROG: user secret: user "ID" " */
static void
refusal(const struct ctx *c, const char *id)
{
	fprintf(stderr, PROG ": %s: user \"", cmd_name(c));
	put_safe(stderr, id);
	fputs("\" ", stderr);
}

int
machine_user(const struct ctx *c, const char *id, enum machine_need need,
    const char *key_id, struct user_state *u)
{
	enum err e = store_user_state(c->st, id, key_id, u);

	if (e != ERR_OK) {
		db_error(cmd_name(c));
		return exit_for(e);
	}
	if (!u->found)
		return refused(c, ERR_NOT_FOUND, "user", id);
	if (!u->machine) {
		refusal(c, id);
		fputs("is a human user: only a machine user has a secret and "
		    "keys; " PROG " user add --org ", stderr);
		put_word(stderr, u->org);
		fputs(" --name NAME --machine adds one\n", stderr);
		return EX_NOTFOUND;
	}
	if (need == MACHINE_ANY)
		return EX_OK;
	if (strcmp(u->state, "active") != 0) {
		refusal(c, id);
		fprintf(stderr, "is %s: its secret and keys change no more; "
		    PROG " user add --org ", u->state);
		put_word(stderr, u->org);
		fputs(" --name NAME --machine adds a new machine user\n",
		    stderr);
		return EX_NOTFOUND;
	}
	if (!u->org_active) {
		refusal(c, id);
		fputs("belongs to the organization \"", stderr);
		put_safe(stderr, u->org);
		fputs("\", which is not active: its users change no more; "
		    PROG " org list lists the organizations\n", stderr);
		return EX_NOTFOUND;
	}
	if (need == MACHINE_SECRET && !u->has_secret) {
		refusal(c, id);
		fputs("has no secret; " PROG " user secret --user ", stderr);
		put_word(stderr, id);
		fputs(" makes one\n", stderr);
		return EX_NOTFOUND;
	}
	if (need == MACHINE_KEY && !u->key_found) {
		refusal(c, id);
		fputs("has no key \"", stderr);
		put_safe(stderr, key_id);
		fputs("\"; " PROG " user key list --user ", stderr);
		put_word(stderr, id);
		fputs(" lists its keys\n", stderr);
		return EX_NOTFOUND;
	}
	return EX_OK;
}

/*
 * The change ch of the user --user, found as need asks (*u): through the
 * request path's transaction, as the admin tool (no token: digest NULL).
 * A check that stopped holding since the lookup is looked at again, and
 * said; the change is tried once more when it still holds.
 */
static int
machine_change(struct ctx *c, enum machine_need need, struct user_state *u,
    struct machine_change *ch)
{
	const char *id = get(c, "--user");
	struct change_result res;
	enum err e;
	int ex, again;

	for (again = 0; again < 2; again++) {
		if (again > 0 && (ex = machine_user(c, id, need,
		    need == MACHINE_KEY ? ch->key_id : NULL, u)) != EX_OK)
			return ex;
		ch->user_id = id;
		ch->owner = u->org;
		ch->editor = ADMIN_EDITOR;
		ch->digest = NULL;
		ch->grace_s = c->cfg.secret_grace_period_s;
		ch->deadline_ns = 0;
		e = store_user_change(c->st, ch, &res);
		if (e != ERR_OK) {
			db_error(cmd_name(c));
			return exit_for(e);
		}
		if (!res.stale)
			return EX_OK;
	}
	refusal(c, id);
	fputs("changed while this ran; nothing was written: run it again\n",
	    stderr);
	return EX_DB;
}

static int
check_by_user(struct ctx *c)
{
	return check_id_opt(c, "--user", 1);
}

/* --- user secret, user secret remove --- */

static int
cmd_user_secret(struct ctx *c)
{
	struct user_state u;
	struct machine_change ch;
	char secret[SECRET_MAX + 1], hash[HASH_MAX];
	int ex;

	ex = machine_user(c, get(c, "--user"), MACHINE_ACTIVE, NULL, &u);
	if (ex != EX_OK)
		return ex;
	memset(&ch, 0, sizeof(ch));
	secret[0] = '\0';
	hash[0] = '\0';
	if ((ex = secret_new(c, secret, hash)) != 0)
		goto out;
	ch.kind = USER_SECRET_SET;
	ch.hash = hash;
	if ((ex = machine_change(c, MACHINE_ACTIVE, &u, &ch)) != EX_OK)
		goto out;
	fputs("client_id = ", stdout);
	put_safe(stdout, u.username);
	putchar('\n');
	/* The one time the secret is shown; only its hash is stored. */
	if (put_once("client_secret = ", secret, c->cfg.secret_length) != 0)
		ex = EX_NO;
out:
	secret_wipe(secret, sizeof(secret));
	secret_wipe(hash, sizeof(hash));
	return ex;
}

static int
cmd_user_secret_remove(struct ctx *c)
{
	struct user_state u;
	struct machine_change ch;
	int ex;

	ex = machine_user(c, get(c, "--user"), MACHINE_SECRET, NULL, &u);
	if (ex != EX_OK)
		return ex;
	memset(&ch, 0, sizeof(ch));
	ch.kind = USER_SECRET_REMOVE;
	if ((ex = machine_change(c, MACHINE_SECRET, &u, &ch)) != EX_OK)
		return ex;
	printf("secret of user %s removed\n", get(c, "--user"));
	return EX_OK;
}

/* --- user key add, list, remove --- */

/* --public-key FILE into c->public_key, as it will be stored. */
static int
read_public_key(struct ctx *c, const char *file)
{
	struct rsakey *k = NULL;
	enum rsakey_err re;
	char *in = NULL;
	size_t len = 0, n;
	int rc;

	rc = util_read_file(file, RSAKEY_INPUT_MAX, &in, &len);
	if (rc != 0)
		return usage_error("--public-key \"%s\": %s", printable(file) ?
		    file : "?", rc == EFBIG ? "over 16384 bytes, longer than "
		    "any RSA public key" : rc == EINVAL ? "not a regular file" :
		    strerror(rc));
	re = rsakey_read_public(in, len, &k);
	/* A private key given by mistake is wiped, as any input. */
	secret_wipe(in, len);
	free(in);
	if (re == RSAKEY_ERROR) {
		fprintf(stderr, PROG ": user key add: reading the key failed "
		    "(libgcrypt)\n");
		return EX_CONFIG;
	}
	if (re != RSAKEY_OK)
		return usage_error("--public-key \"%s\": %s", printable(file) ?
		    file : "?", rsakey_why(re)->text);
	rc = rsakey_public_pem(k, &c->public_key, &n);
	rsakey_free(k);
	if (rc != 0) {
		fprintf(stderr, PROG ": user key add: out of memory\n");
		return EX_CONFIG;
	}
	return 0;
}

static int
check_key_add(struct ctx *c)
{
	const char *exp = get(c, "--expires"), *file = get(c, "--public-key");
	char text[32];
	int rc;

	if ((rc = check_id_opt(c, "--user", 1)) != 0)
		return rc;
	c->expires.sec = KEY_EXPIRES_DEFAULT;
	c->expires.nsec = 0;
	if (exp != NULL) {
		/* The start of that day, UTC (ts_parse checks the day). */
		if (strlen(exp) != 10 || snprintf(text, sizeof(text),
		    "%sT00:00:00Z", exp) != 20 ||
		    ts_parse(text, 20, &c->expires) != 0)
			return usage_error("--expires \"%s\": expected a day, "
			    "YYYY-MM-DD", printable(exp) ? exp : "?");
		if (c->expires.sec <= ts_now().sec)
			return usage_error("--expires %s: the key would expire "
			    "at the start of that day (UTC), which has come "
			    "already; give a day to come", exp);
	}
	return file != NULL ? read_public_key(c, file) : 0;
}

/* ZITADEL's key file, the one time the private key is shown. */
static int
put_key_file(const char *key_id, const char *user_id, const char *priv,
    size_t priv_len)
{
	struct buf b = { 0 };
	int rc = -1;

	keyfile_write(&b, key_id, user_id, priv, priv_len);
	if (b.failed || b.p == NULL)
		fprintf(stderr, PROG ": user key add: out of memory\n");
	else
		rc = put_once("", b.p, b.n);
	buf_free(&b);
	return rc;
}

static int
cmd_key_add(struct ctx *c)
{
	const char *user = get(c, "--user");
	struct user_state u;
	struct machine_change ch;
	struct rsakey *k = NULL;
	char key_id[IDS_DECIMAL_MAX], *pem = NULL, *priv = NULL;
	size_t priv_len = 0, n;
	int ex;

	ex = machine_user(c, user, MACHINE_ACTIVE, NULL, &u);
	if (ex != EX_OK)
		return ex;
	if (new_id(key_id) != 0)
		return EX_DB;
	if (c->public_key == NULL) {
		if (rsakey_generate(&k, &priv, &priv_len) != 0 ||
		    rsakey_public_pem(k, &pem, &n) != 0) {
			fprintf(stderr, PROG ": user key add: making a key "
			    "pair failed\n");
			ex = EX_CONFIG;
			goto out;
		}
	}
	memset(&ch, 0, sizeof(ch));
	ch.kind = USER_KEY_ADD;
	ch.key_id = key_id;
	ch.public_key = pem != NULL ? pem : c->public_key;
	ch.expires = c->expires;
	if ((ex = machine_change(c, MACHINE_ACTIVE, &u, &ch)) != EX_OK)
		goto out;
	if (priv == NULL)
		printf("%s\n", key_id);
	else if (put_key_file(key_id, user, priv, priv_len) != 0)
		ex = EX_NO;
out:
	rsakey_free(k);
	rsakey_private_free(priv, priv_len);
	free(pem);
	return ex;
}

/* A key's row with its thumbprint in place of its PEM. */
static void
key_row(void *cols, const char *const *cells)
{
	char thumb[RSAKEY_THUMB_LEN] = "?";
	struct rsakey *k = NULL;
	const char *out[4];

	if (rsakey_read_public(cells[3], strlen(cells[3]), &k) == RSAKEY_OK) {
		rsakey_thumbprint(k, thumb);
		rsakey_free(k);
	}
	out[0] = cells[0];
	out[1] = cells[1];
	out[2] = cells[2];
	out[3] = thumb;
	list_row(cols, out);
}

static int
cmd_key_list(struct ctx *c)
{
	static const struct column cols[] = {
		{ "ID", 19, NULL }, { "EXPIRES", 27, NULL },
		{ "CREATED", 27, NULL }, { "THUMBPRINT", 0, NULL },
		{ NULL, 0, NULL }
	};
	struct user_state u;
	int ex;

	ex = machine_user(c, get(c, "--user"), MACHINE_ANY, NULL, &u);
	if (ex != EX_OK)
		return ex;
	list_head(cols);
	return list_end(store_machine_key_list(c->st, get(c, "--user"),
	    key_row, (void *)cols), "listing keys");
}

static int
check_key_remove(struct ctx *c)
{
	int rc;

	if ((rc = check_id_opt(c, "--user", 1)) != 0)
		return rc;
	return check_id_opt(c, "--key", 1);
}

static int
cmd_key_remove(struct ctx *c)
{
	const char *key = get(c, "--key");
	struct user_state u;
	struct machine_change ch;
	int ex;

	ex = machine_user(c, get(c, "--user"), MACHINE_KEY, key, &u);
	if (ex != EX_OK)
		return ex;
	memset(&ch, 0, sizeof(ch));
	ch.kind = USER_KEY_REMOVE;
	ch.key_id = key;
	if ((ex = machine_change(c, MACHINE_KEY, &u, &ch)) != EX_OK)
		return ex;
	printf("key %s of user %s removed\n", key, get(c, "--user"));
	return EX_OK;
}

const struct command admin_user_commands[] = {
	{ "user", "add", { "--org=", "--name=", "--machine", NULL },
	    check_user_add, cmd_user_add,
	    "  user add --org ID --name NAME [--machine] | user list [--org ID]"
	    "\n"
	    "        --machine: a machine user, whose NAME is its client ID\n"
	    "  user deactivate --id ID\n" },
	{ "user", "list", { "--org=", NULL }, check_by_org, cmd_user_list,
	    NULL },
	{ "user", "deactivate", { "--id=", NULL }, check_by_id,
	    cmd_user_deactivate, NULL },
	{ "user", "secret", { "--user=", NULL }, check_by_user,
	    cmd_user_secret,
	    "  user secret --user ID | user secret remove --user ID\n"
	    "        make (print client_id and client_secret, once) or remove"
	    " a machine\n"
	    "        user's secret\n" },
	{ "user", "secret remove", { "--user=", NULL }, check_by_user,
	    cmd_user_secret_remove, NULL },
	{ "user", "key add", { "--user=", "--expires=", "--public-key=",
	    NULL }, check_key_add, cmd_key_add,
	    "  user key add --user ID [--expires YYYY-MM-DD] [--public-key"
	    " FILE]\n"
	    "        print a new key pair's JSON key file, once; with"
	    " --public-key, the\n"
	    "        key's ID\n"
	    "  user key list --user ID | user key remove --user ID --key"
	    " KEY_ID\n" },
	{ "user", "key list", { "--user=", NULL }, check_by_user, cmd_key_list,
	    NULL },
	{ "user", "key remove", { "--user=", "--key=", NULL },
	    check_key_remove, cmd_key_remove, NULL },
	{ NULL, NULL, { NULL }, NULL, NULL, NULL }
};
