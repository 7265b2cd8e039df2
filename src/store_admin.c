/*
 * store_admin.c - the admin tool's SQL: migrations and their lock, tokens,
 * stored hashes.
 *
 * Each statement is prepared for its one use (store_oneshot): the admin
 * tool runs a handful per invocation.  The responder links none of this.
 */
#include "store_admin.h"
#include "store_internal.h"

#include <string.h>

#include "log.h"
#include "secret.h"

enum err
store_exec(struct store *s, const char *statement)
{
	return store_oneshot(s, statement, NULL, NULL, NULL, NULL, NULL);
}

enum err
store_begin(struct store *s)
{
	enum err e;

	if ((e = store_ensure(s)) != ERR_OK)
		return e;
	if (mysql_autocommit(s->db, 0) == 0)
		return ERR_OK;
	log_msg(LOG_ERROR, "database: begin: %s", mysql_error(s->db));
	e = store_classify(mysql_errno(s->db));
	return e == ERR_OK ? ERR_INTERNAL : e;
}

enum err
store_commit(struct store *s)
{
	enum err e;

	if (s->db == NULL)
		return ERR_UNAVAILABLE;
	if (mysql_commit(s->db) == 0 && mysql_autocommit(s->db, 1) == 0)
		return ERR_OK;
	log_msg(LOG_ERROR, "database: commit: %s", mysql_error(s->db));
	e = store_classify(mysql_errno(s->db));
	store_rollback(s);
	return e == ERR_OK ? ERR_INTERNAL : e;
}

void
store_rollback(struct store *s)
{
	if (s->db != NULL && (mysql_rollback(s->db) != 0 ||
	    mysql_autocommit(s->db, 1) != 0))
		store_drop(s);
}

static void
count_row(void *arg)
{
	(*(unsigned *)arg)++;
}

/* ERR_OK when "SELECT 1 ..." with these parameters finds a row. */
static enum err
exists(struct store *s, const char *q, struct binds *par)
{
	struct binds res = { .n = 0 };
	unsigned long long one;
	unsigned rows = 0;
	enum err e;

	result_u64(&res, &one);
	e = store_oneshot(s, q, par, &res, count_row, &rows, NULL);
	if (e != ERR_OK)
		return e;
	return rows > 0 ? ERR_OK : ERR_NOT_FOUND;
}

enum err
store_schema_version(struct store *s, unsigned *version)
{
	static const char q_table[] =
	    "SELECT COUNT(*) FROM information_schema.tables"
	    " WHERE table_schema = DATABASE()"
	    " AND table_name = 'schema_migrations'";
	static const char q_max[] =
	    "SELECT COALESCE(MAX(version), 0) FROM schema_migrations";
	struct binds res = { .n = 0 };
	unsigned long long v = 0;
	enum err e;

	*version = 0;
	result_u64(&res, &v);
	e = store_oneshot(s, q_table, NULL, &res, NULL, NULL, NULL);
	if (e != ERR_OK || v == 0)
		return e;
	res.n = 0;
	result_u64(&res, &v);
	e = store_oneshot(s, q_max, NULL, &res, NULL, NULL, NULL);
	if (e == ERR_OK)
		*version = (unsigned)v;
	return e;
}

enum err
store_record_migration(struct store *s, unsigned version, const char *name)
{
	static const char q[] =
	    "INSERT INTO schema_migrations (version, name, applied_at)"
	    " VALUES (?, ?, UTC_TIMESTAMP(6))";
	struct binds par = { .n = 0 };
	unsigned long long v = version;

	bind_u64(&par, &v);
	bind_str(&par, name);
	return store_oneshot(s, q, &par, NULL, NULL, NULL, NULL);
}

enum err
store_migration_recorded(struct store *s, unsigned version)
{
	struct binds par = { .n = 0 };
	unsigned long long v = version;

	bind_u64(&par, &v);
	return exists(s, "SELECT 1 FROM schema_migrations WHERE version = ?",
	    &par);
}

enum err
store_migration_lock(struct store *s, unsigned wait_s)
{
	static const char q[] = "SELECT COALESCE(GET_LOCK(CONCAT(DATABASE(),"
	    " '.oidc-secret-migrate'), ?), 0)";
	struct binds par = { .n = 0 }, res = { .n = 0 };
	unsigned long long wait = wait_s, got = 0;
	enum err e;

	bind_u64(&par, &wait);
	result_u64(&res, &got);
	e = store_oneshot(s, q, &par, &res, NULL, NULL, NULL);
	if (e != ERR_OK)
		return e;
	if (got != 1)
		return ERR_BUSY;
	/* The lock belongs to this connection: never open another. */
	store_pin(s);
	return ERR_OK;
}

enum err
store_user_exists(struct store *s, const char *user_id)
{
	struct binds par = { .n = 0 };

	bind_str(&par, user_id);
	return exists(s, "SELECT 1 FROM users WHERE id = ?", &par);
}

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
	return store_oneshot(s, q, &par, NULL, NULL, NULL, NULL);
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

struct list_ctx {
	struct token_info t;
	unsigned long long pat;
	MYSQL_TIME exp, rev, created;
	db_bool *exp_null, *rev_null;
	void (*each)(void *, const struct token_info *);
	void *arg;
	char sha[SHA256_HEX];
};

static void
format_db_time(const MYSQL_TIME *m, char *out, size_t len)
{
	if (ts_format(time_from_db(m), out, len) != 0)
		out[0] = '\0';
}

static void
list_row(void *arg)
{
	struct list_ctx *c = arg;

	memcpy(c->t.sha256_prefix, c->sha, 12);
	c->t.sha256_prefix[12] = '\0';
	c->t.pat = c->pat != 0;
	c->t.expires[0] = c->t.revoked[0] = '\0';
	if (!*c->exp_null)
		format_db_time(&c->exp, c->t.expires, sizeof(c->t.expires));
	if (!*c->rev_null)
		format_db_time(&c->rev, c->t.revoked, sizeof(c->t.revoked));
	format_db_time(&c->created, c->t.created, sizeof(c->t.created));
	c->each(c->arg, &c->t);
}

enum err
store_token_list(struct store *s, const char *user_id,
    void (*each)(void *arg, const struct token_info *t), void *arg)
{
	static const char q[] =
	    "SELECT token_sha256, user_id, token_type = 'pat', audience,"
	    " expires_at, revoked_at, creation_date FROM access_tokens"
	    " WHERE ? = '' OR user_id = ? ORDER BY creation_date, token_sha256";
	struct binds par = { .n = 0 }, res = { .n = 0 };
	struct list_ctx c;
	const char *u = user_id != NULL ? user_id : "";

	memset(&c, 0, sizeof(c));
	c.each = each;
	c.arg = arg;
	bind_str(&par, u);
	bind_str(&par, u);
	result_str(&res, c.sha, sizeof(c.sha));
	result_str(&res, c.t.user_id, sizeof(c.t.user_id));
	result_u64(&res, &c.pat);
	result_str(&res, c.t.audience, sizeof(c.t.audience));
	result_time(&res, &c.exp);
	result_time(&res, &c.rev);
	result_time(&res, &c.created);
	c.exp_null = &res.null[4];
	c.rev_null = &res.null[5];
	return store_oneshot(s, q, &par, &res, list_row, &c, NULL);
}

enum err
store_secret_hash(struct store *s, const char *project_id, const char *app_id,
    char *hash, size_t hashlen)
{
	static const char q[] =
	    "SELECT c.client_secret_hash FROM apps a"
	    " JOIN (SELECT app_id, client_secret_hash FROM oidc_configs"
	    " UNION ALL SELECT app_id, client_secret_hash FROM api_configs) c"
	    " ON c.app_id = a.id"
	    " WHERE a.id = ? AND a.project_id = ? AND a.state <> 'removed'"
	    " AND c.client_secret_hash IS NOT NULL";
	struct binds par = { .n = 0 }, res = { .n = 0 };
	unsigned rows = 0;
	enum err e;

	bind_str(&par, app_id);
	bind_str(&par, project_id);
	result_str(&res, hash, hashlen);
	e = store_oneshot(s, q, &par, &res, count_row, &rows, NULL);
	if (e != ERR_OK)
		return e;
	return rows == 1 ? ERR_OK : ERR_NOT_FOUND;
}
