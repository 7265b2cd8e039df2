/*
 * store_admin_token.c - the admin tool's SQL for bearer tokens, stored only as
 * their SHA-256: add, revoke by a prefix of it, list (store_admin.h).
 */
#include "store_admin_internal.h"

#include <string.h>

#include "log.h"
#include "secret.h"

static const struct sa_list token_list = {
	"SELECT LEFT(token_sha256, 12), user_id, token_type, creation_date,"
	" expires_at, revoked_at, audience FROM access_tokens"
	" WHERE ? = '' OR user_id = ? ORDER BY creation_date, token_sha256",
	7, 1u << 3 | 1u << 4 | 1u << 5
};

enum err
store_token_add(struct store *s, const char *sha256_hex, const char *user_id,
    int pat, const char *audience, const char *scopes,
    const struct ts *expires)
{
	static const char q[] =
	    "INSERT INTO access_tokens (token_sha256, user_id, token_type,"
	    " audience, scopes, expires_at, revoked_at, creation_date)"
	    " VALUES (?, ?, ?, ?, ?, ?, NULL, UTC_TIMESTAMP(6))";
	struct binds par = { .n = 0 };
	MYSQL_TIME exp;

	bind_str(&par, sha256_hex);
	bind_str(&par, user_id);
	bind_str(&par, pat ? "pat" : "access");
	bind_str(&par, audience);
	bind_str(&par, scopes);
	if (expires != NULL)
		time_to_db(*expires, &exp);
	bind_time(&par, expires != NULL ? &exp : NULL);
	return sa_run(s, q, &par);
}

struct revoke_ctx {
	char sha[SHA256_HEX];
	char first[SHA256_HEX];
	unsigned rows;
};

static void
revoke_row(void *arg)
{
	struct revoke_ctx *c = arg;

	if (c->rows++ == 0)
		memcpy(c->first, c->sha, sizeof(c->first));
}

enum err
store_token_revoke(struct store *s, const char *prefix, unsigned *matched)
{
	/* Locks what it counts, so the UPDATE changes what was counted. */
	static const char q_find[] =
	    "SELECT token_sha256 FROM access_tokens"
	    " WHERE token_sha256 LIKE CONCAT(?, '%') AND revoked_at IS NULL"
	    " FOR UPDATE";
	static const char q_revoke[] =
	    "UPDATE access_tokens SET revoked_at = UTC_TIMESTAMP(6)"
	    " WHERE token_sha256 = ? AND revoked_at IS NULL";
	struct binds par = { .n = 0 }, res = { .n = 0 };
	struct revoke_ctx c;
	unsigned long long changed = 0;
	size_t i;
	enum err e;

	*matched = 0;
	/* Hex only: no LIKE wildcard can come in through the prefix. */
	if (prefix[0] == '\0')
		return ERR_NOT_FOUND;
	for (i = 0; prefix[i] != '\0'; i++)
		if (!((prefix[i] >= '0' && prefix[i] <= '9') ||
		    (prefix[i] >= 'a' && prefix[i] <= 'f')))
			return ERR_NOT_FOUND;
	memset(&c, 0, sizeof(c));
	if ((e = store_begin(s)) != ERR_OK)
		return e;
	bind_str(&par, prefix);
	result_str(&res, c.sha, sizeof(c.sha));
	e = store_oneshot(s, q_find, &par, &res, revoke_row, &c, NULL);
	if (e != ERR_OK)
		goto abort;
	*matched = c.rows;
	if (c.rows != 1) {
		e = ERR_NOT_FOUND;
		goto abort;
	}
	par.n = 0;
	bind_str(&par, c.first);
	e = store_oneshot(s, q_revoke, &par, NULL, NULL, NULL, &changed);
	if (e == ERR_OK && changed != 1) {
		log_msg(LOG_ERROR, "database: token revoke changed %llu rows",
		    changed);
		e = ERR_INTERNAL;
	}
	if (e != ERR_OK)
		goto abort;
	return store_commit(s);
abort:
	store_rollback(s);
	return e;
}

enum err
store_token_list(struct store *s, const char *user_id, list_row_fn *each,
    void *arg)
{
	return sa_list_by(s, &token_list, user_id, each, arg);
}
