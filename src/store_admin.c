/*
 * store_admin.c - the admin tool's SQL: migrations and their lock, tokens,
 * stored hashes, and the objects a site is made of (organizations, users,
 * memberships, projects, apps), each change with its event.
 *
 * Each statement is prepared for its one use (store_oneshot): the admin
 * tool runs a handful per invocation.  The responder links none of this.
 */
#include "store_admin.h"
#include "store_internal.h"

#include <stdio.h>
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
store_table_visible(struct store *s, const char *table)
{
	struct binds par = { .n = 0 };

	bind_str(&par, table);
	return exists(s, "SELECT 1 FROM information_schema.tables"
	    " WHERE table_schema = DATABASE() AND table_name = ?", &par);
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

/* --- the objects: organizations, users, memberships, projects, apps --- */

#define TXN_ATTEMPTS 3

/* One transaction around body(s, arg); a deadlock runs it again. */
static enum err
in_txn(struct store *s, enum err (*body)(struct store *, void *), void *arg)
{
	unsigned attempt;
	enum err e = ERR_UNAVAILABLE;

	for (attempt = 1; attempt <= TXN_ATTEMPTS; attempt++) {
		if ((e = store_begin(s)) != ERR_OK)
			return e;
		e = body(s, arg);
		if (e == ERR_OK)
			e = store_commit(s);	/* rolls back when it fails */
		else
			store_rollback(s);
		if (e != ERR_CONFLICT)
			return e;
	}
	return ERR_UNAVAILABLE;
}

/* The first column of the first row as a number; *found whether any. */
static enum err
one_u64(struct store *s, const char *q, struct binds *par,
    unsigned long long *v, int *found)
{
	struct binds res = { .n = 0 };
	unsigned rows = 0;
	enum err e;

	result_u64(&res, v);
	e = store_oneshot(s, q, par, &res, count_row, &rows, NULL);
	if (found != NULL)
		*found = rows > 0;
	return e;
}

static enum err
run1(struct store *s, const char *q, struct binds *par)
{
	return store_oneshot(s, q, par, NULL, NULL, NULL, NULL);
}

/* --- events --- */

#define EVENT_INSERT "INSERT INTO events (aggregate_type, aggregate_id," \
	" sequence, event_type, resource_owner, editor_user, creation_date," \
	" payload) VALUES (?, ?, ?, ?, ?, ?, ?, "

static const char q_event_name[] = EVENT_INSERT "JSON_OBJECT('name', ?))";
static const char q_event_empty[] = EVENT_INSERT "JSON_OBJECT())";
static const char q_event_user[] = EVENT_INSERT "JSON_OBJECT('userName', ?))";
static const char q_event_member[] = EVENT_INSERT
    "JSON_OBJECT('userId', ?, 'roles', (SELECT JSON_ARRAYAGG(role)"
    " FROM memberships WHERE user_id = ? AND scope = ? AND scope_id = ?)))";
static const char q_event_member_removed[] = EVENT_INSERT
    "JSON_OBJECT('userId', ?))";
static const char q_event_app[] = EVENT_INSERT
    "JSON_OBJECT('appId', ?, 'name', ?))";
static const char q_event_config_secret[] = EVENT_INSERT
    "JSON_OBJECT('appId', ?, 'clientId', ?, 'authMethodType', ?,"
    " 'hashedSecret', ?))";
static const char q_event_config[] = EVENT_INSERT
    "JSON_OBJECT('appId', ?, 'clientId', ?, 'authMethodType', ?))";

struct event {
	const char *agg_type, *agg_id, *type, *owner;
	unsigned long long seq;
	MYSQL_TIME when;
};

/* The columns every event has; the payload's parameters follow. */
static void
event_binds(struct binds *par, struct event *ev)
{
	par->n = 0;
	bind_str(par, ev->agg_type);
	bind_str(par, ev->agg_id);
	bind_u64(par, &ev->seq);
	bind_str(par, ev->type);
	bind_str(par, ev->owner);
	bind_str(par, ADMIN_EDITOR);
	bind_time(par, &ev->when);
}

/*
 * The next sequence of an aggregate without a sequence column of its own
 * (org, user, instance), its events locked until the transaction ends.
 */
static enum err
next_sequence(struct store *s, struct event *ev)
{
	static const char q[] =
	    "SELECT COALESCE(MAX(sequence), 0) FROM events"
	    " WHERE aggregate_type = ? AND aggregate_id = ? FOR UPDATE";
	struct binds par = { .n = 0 };
	enum err e;

	bind_str(&par, ev->agg_type);
	bind_str(&par, ev->agg_id);
	e = one_u64(s, q, &par, &ev->seq, NULL);
	ev->seq++;
	return e;
}

/* A project's row, locked: its sequence and owner; not found when removed. */
static enum err
lock_project(struct store *s, const char *id, unsigned long long *seq,
    char *owner, size_t ownerlen)
{
	static const char q[] =
	    "SELECT sequence, resource_owner FROM projects"
	    " WHERE id = ? AND state <> 'removed' FOR UPDATE";
	struct binds par = { .n = 0 }, res = { .n = 0 };
	unsigned rows = 0;
	enum err e;

	bind_str(&par, id);
	result_u64(&res, seq);
	result_str(&res, owner, ownerlen);
	e = store_oneshot(s, q, &par, &res, count_row, &rows, NULL);
	if (e != ERR_OK)
		return e;
	return rows == 1 ? ERR_OK : ERR_NOT_FOUND;
}

static enum err
set_project_sequence(struct store *s, const char *id, unsigned long long seq,
    MYSQL_TIME *when)
{
	static const char q[] =
	    "UPDATE projects SET sequence = ?, change_date = ? WHERE id = ?";
	struct binds par = { .n = 0 };

	bind_u64(&par, &seq);
	bind_time(&par, when);
	bind_str(&par, id);
	return run1(s, q, &par);
}

/* An organization's row, locked; not found when unknown or removed. */
static enum err
lock_org(struct store *s, const char *id, char *state, size_t statelen)
{
	static const char q[] =
	    "SELECT state FROM orgs WHERE id = ? AND state <> 'removed'"
	    " FOR UPDATE";
	struct binds par = { .n = 0 }, res = { .n = 0 };
	unsigned rows = 0;
	enum err e;

	bind_str(&par, id);
	result_str(&res, state, statelen);
	e = store_oneshot(s, q, &par, &res, count_row, &rows, NULL);
	if (e != ERR_OK)
		return e;
	return rows == 1 ? ERR_OK : ERR_NOT_FOUND;
}

/* --- organizations --- */

struct org_change {
	const char *id, *name;
	int already;
	const char *what;
	MYSQL_TIME now;
};

static enum err
org_insert(struct store *s, struct org_change *c)
{
	static const char q_dup[] =
	    "SELECT 1 FROM orgs WHERE name = ? AND state <> 'removed'";
	static const char q_add[] =
	    "INSERT INTO orgs (id, name, state, creation_date, change_date)"
	    " VALUES (?, ?, 'active', ?, ?)";
	struct binds par = { .n = 0 };
	struct event ev = { "org", c->id, "org.added", c->id, 1, c->now };
	enum err e;

	bind_str(&par, c->name);
	e = exists(s, q_dup, &par);
	if (e == ERR_OK) {
		c->what = "name";
		return ERR_EXISTS;
	}
	if (e != ERR_NOT_FOUND)
		return e;
	par.n = 0;
	bind_str(&par, c->id);
	bind_str(&par, c->name);
	bind_time(&par, &c->now);
	bind_time(&par, &c->now);
	if ((e = run1(s, q_add, &par)) != ERR_OK)
		return e;
	event_binds(&par, &ev);
	bind_str(&par, c->name);
	return run1(s, q_event_name, &par);
}

static enum err
org_add_body(struct store *s, void *arg)
{
	return org_insert(s, arg);
}

static MYSQL_TIME
db_now(void)
{
	MYSQL_TIME m;

	time_to_db(ts_now(), &m);
	return m;
}

enum err
store_org_add(struct store *s, const char *id, const char *name,
    const char **what)
{
	struct org_change c = { id, name, 0, "", db_now() };
	enum err e = in_txn(s, org_add_body, &c);

	*what = c.what;
	return e;
}

static enum err
org_deactivate_body(struct store *s, void *arg)
{
	static const char q[] =
	    "UPDATE orgs SET state = 'inactive', change_date = ? WHERE id = ?";
	struct org_change *c = arg;
	struct binds par = { .n = 0 };
	struct event ev = { "org", c->id, "org.deactivated", c->id, 0, c->now };
	char state[16];
	enum err e;

	c->already = 0;
	e = lock_org(s, c->id, state, sizeof(state));
	if (e == ERR_NOT_FOUND)
		c->what = "organization";
	if (e != ERR_OK)
		return e;
	if (strcmp(state, "inactive") == 0) {
		c->already = 1;
		return ERR_OK;
	}
	bind_time(&par, &c->now);
	bind_str(&par, c->id);
	if ((e = run1(s, q, &par)) != ERR_OK)
		return e;
	if ((e = next_sequence(s, &ev)) != ERR_OK)
		return e;
	event_binds(&par, &ev);
	return run1(s, q_event_empty, &par);
}

enum err
store_org_deactivate(struct store *s, const char *id, int *already,
    const char **what)
{
	struct org_change c = { id, NULL, 0, "", db_now() };
	enum err e = in_txn(s, org_deactivate_body, &c);

	*already = c.already;
	*what = c.what;
	return e;
}

struct org_list {
	struct org_row r;
	MYSQL_TIME created;
	void (*each)(void *, const struct org_row *);
	void *arg;
};

static void
org_row_out(void *arg)
{
	struct org_list *l = arg;

	format_db_time(&l->created, l->r.created, sizeof(l->r.created));
	l->each(l->arg, &l->r);
}

enum err
store_org_list(struct store *s,
    void (*each)(void *arg, const struct org_row *r), void *arg)
{
	static const char q[] =
	    "SELECT id, name, state, creation_date FROM orgs"
	    " ORDER BY creation_date, id";
	struct binds res = { .n = 0 };
	struct org_list l;

	memset(&l, 0, sizeof(l));
	l.each = each;
	l.arg = arg;
	result_str(&res, l.r.id, sizeof(l.r.id));
	result_str(&res, l.r.name, sizeof(l.r.name));
	result_str(&res, l.r.state, sizeof(l.r.state));
	result_time(&res, &l.created);
	return store_oneshot(s, q, NULL, &res, org_row_out, &l, NULL);
}

/* --- users --- */

struct user_change {
	const char *id, *org, *username;
	int already;
	const char *what;
	MYSQL_TIME now;
};

static enum err
user_insert(struct store *s, struct user_change *c)
{
	static const char q_dup[] =
	    "SELECT 1 FROM users WHERE resource_owner = ? AND username = ?"
	    " AND state <> 'removed'";
	static const char q_add[] =
	    "INSERT INTO users (id, resource_owner, username, state)"
	    " VALUES (?, ?, ?, 'active')";
	struct binds par = { .n = 0 };
	struct event ev = { "user", c->id, "user.machine.added", c->org, 1,
	    c->now };
	char state[16];
	enum err e;

	/* The organization stays while its user is added, and so the name. */
	e = lock_org(s, c->org, state, sizeof(state));
	if (e == ERR_NOT_FOUND)
		c->what = "organization";
	if (e != ERR_OK)
		return e;
	bind_str(&par, c->org);
	bind_str(&par, c->username);
	e = exists(s, q_dup, &par);
	if (e == ERR_OK) {
		c->what = "name";
		return ERR_EXISTS;
	}
	if (e != ERR_NOT_FOUND)
		return e;
	par.n = 0;
	bind_str(&par, c->id);
	bind_str(&par, c->org);
	bind_str(&par, c->username);
	if ((e = run1(s, q_add, &par)) != ERR_OK)
		return e;
	event_binds(&par, &ev);
	bind_str(&par, c->username);
	return run1(s, q_event_user, &par);
}

static enum err
user_add_body(struct store *s, void *arg)
{
	return user_insert(s, arg);
}

enum err
store_user_add(struct store *s, const char *id, const char *org,
    const char *username, const char **what)
{
	struct user_change c = { id, org, username, 0, "", db_now() };
	enum err e = in_txn(s, user_add_body, &c);

	*what = c.what;
	return e;
}

static enum err
user_deactivate_body(struct store *s, void *arg)
{
	static const char q_lock[] =
	    "SELECT state, resource_owner FROM users WHERE id = ?"
	    " AND state <> 'removed' FOR UPDATE";
	static const char q_set[] =
	    "UPDATE users SET state = 'inactive' WHERE id = ?";
	struct user_change *c = arg;
	struct binds par = { .n = 0 }, res = { .n = 0 };
	char state[16], org[ID_BYTES + 1];
	struct event ev = { "user", c->id, "user.deactivated", org, 0, c->now };
	unsigned rows = 0;
	enum err e;

	c->already = 0;
	bind_str(&par, c->id);
	result_str(&res, state, sizeof(state));
	result_str(&res, org, sizeof(org));
	e = store_oneshot(s, q_lock, &par, &res, count_row, &rows, NULL);
	if (e != ERR_OK)
		return e;
	if (rows != 1) {
		c->what = "user";
		return ERR_NOT_FOUND;
	}
	if (strcmp(state, "inactive") == 0) {
		c->already = 1;
		return ERR_OK;
	}
	if ((e = run1(s, q_set, &par)) != ERR_OK)
		return e;
	if ((e = next_sequence(s, &ev)) != ERR_OK)
		return e;
	event_binds(&par, &ev);
	return run1(s, q_event_empty, &par);
}

enum err
store_user_deactivate(struct store *s, const char *id, int *already,
    const char **what)
{
	struct user_change c = { id, NULL, NULL, 0, "", db_now() };
	enum err e = in_txn(s, user_deactivate_body, &c);

	*already = c.already;
	*what = c.what;
	return e;
}

struct user_list {
	struct user_row r;
	void (*each)(void *, const struct user_row *);
	void *arg;
};

static void
user_row_out(void *arg)
{
	struct user_list *l = arg;

	l->each(l->arg, &l->r);
}

enum err
store_user_list(struct store *s, const char *org,
    void (*each)(void *arg, const struct user_row *r), void *arg)
{
	static const char q[] =
	    "SELECT id, resource_owner, username, state FROM users"
	    " WHERE ? = '' OR resource_owner = ? ORDER BY resource_owner, id";
	struct binds par = { .n = 0 }, res = { .n = 0 };
	struct user_list l;
	const char *o = org != NULL ? org : "";

	memset(&l, 0, sizeof(l));
	l.each = each;
	l.arg = arg;
	bind_str(&par, o);
	bind_str(&par, o);
	result_str(&res, l.r.id, sizeof(l.r.id));
	result_str(&res, l.r.org, sizeof(l.r.org));
	result_str(&res, l.r.username, sizeof(l.r.username));
	result_str(&res, l.r.state, sizeof(l.r.state));
	return store_oneshot(s, q, &par, &res, user_row_out, &l, NULL);
}

/* --- memberships --- */

struct member_change {
	const char *user, *scope, *scope_id, *role;
	int add;
	const char *what;
	MYSQL_TIME now;
};

static enum err
role_known(struct store *s, const char *role)
{
	struct binds par = { .n = 0 };

	bind_str(&par, role);
	return exists(s, "SELECT 1 FROM role_permissions WHERE role = ?"
	    " LIMIT 1", &par);
}

/*
 * Adds or removes one role of a user at a scope; the event names the
 * user's roles there afterwards: "added" for the first, "changed" while
 * some remain, "removed" for the last (ZITADEL's member events).
 */
static enum err
member_change(struct store *s, struct member_change *c)
{
	static const char q_user[] =
	    "SELECT resource_owner FROM users WHERE id = ?"
	    " AND state <> 'removed' FOR UPDATE";
	static const char q_count[] =
	    "SELECT COUNT(*) FROM memberships WHERE user_id = ? AND scope = ?"
	    " AND scope_id = ?";
	static const char q_held[] =
	    "SELECT 1 FROM memberships WHERE user_id = ? AND scope = ?"
	    " AND scope_id = ? AND role = ?";
	static const char q_add[] =
	    "INSERT INTO memberships (user_id, scope, scope_id, role)"
	    " VALUES (?, ?, ?, ?)";
	static const char q_remove[] =
	    "DELETE FROM memberships WHERE user_id = ? AND scope = ?"
	    " AND scope_id = ? AND role = ?";
	struct binds par = { .n = 0 }, res = { .n = 0 };
	char user_org[ID_BYTES + 1], owner[ID_BYTES + 1], state[16];
	char type[64];
	struct event ev = { c->scope, c->scope_id, type, owner, 0, c->now };
	unsigned long long before = 0;
	unsigned rows = 0;
	int project = strcmp(c->scope, "project") == 0;
	const char *q_event;
	enum err e;

	bind_str(&par, c->user);
	result_str(&res, user_org, sizeof(user_org));
	e = store_oneshot(s, q_user, &par, &res, count_row, &rows, NULL);
	if (e != ERR_OK)
		return e;
	if (rows != 1) {
		c->what = "user";
		return ERR_NOT_FOUND;
	}
	if (c->add && (e = role_known(s, c->role)) != ERR_OK) {
		if (e == ERR_NOT_FOUND)
			c->what = "role";
		return e;
	}
	/* The aggregate the event belongs to, locked. */
	owner[0] = '\0';
	if (project)
		e = lock_project(s, c->scope_id, &ev.seq, owner, sizeof(owner));
	else if (strcmp(c->scope, "org") == 0) {
		e = lock_org(s, c->scope_id, state, sizeof(state));
		snprintf(owner, sizeof(owner), "%s", c->scope_id);
	}
	if (e == ERR_NOT_FOUND)
		c->what = project ? "project" : "organization";
	if (e != ERR_OK)
		return e;
	par.n = 0;
	bind_str(&par, c->user);
	bind_str(&par, c->scope);
	bind_str(&par, c->scope_id);
	if ((e = one_u64(s, q_count, &par, &before, NULL)) != ERR_OK)
		return e;
	bind_str(&par, c->role);
	e = exists(s, q_held, &par);
	if (c->add && e == ERR_OK) {
		c->what = "membership";
		return ERR_EXISTS;
	}
	if (!c->add && e == ERR_NOT_FOUND)
		c->what = "membership";
	if (e != (c->add ? ERR_NOT_FOUND : ERR_OK))
		return e;
	if ((e = run1(s, c->add ? q_add : q_remove, &par)) != ERR_OK)
		return e;
	if (project) {
		ev.seq++;
		e = set_project_sequence(s, c->scope_id, ev.seq, &c->now);
	} else
		e = next_sequence(s, &ev);
	if (e != ERR_OK)
		return e;
	snprintf(type, sizeof(type), "%s.member.%s", c->scope,
	    c->add ? (before == 0 ? "added" : "changed") :
	    (before == 1 ? "removed" : "changed"));
	q_event = !c->add && before == 1 ? q_event_member_removed :
	    q_event_member;
	event_binds(&par, &ev);
	bind_str(&par, c->user);
	if (q_event == q_event_member) {
		bind_str(&par, c->user);
		bind_str(&par, c->scope);
		bind_str(&par, c->scope_id);
	}
	return run1(s, q_event, &par);
}

static enum err
member_body(struct store *s, void *arg)
{
	return member_change(s, arg);
}

static enum err
member_store(struct store *s, const char *user, const char *scope,
    const char *scope_id, const char *role, int add, const char **what)
{
	struct member_change c = { user, scope, scope_id, role, add, "",
	    db_now() };
	enum err e;

	if (strcmp(scope, "instance") != 0 && strcmp(scope, "org") != 0 &&
	    strcmp(scope, "project") != 0)
		return ERR_INTERNAL;
	e = in_txn(s, member_body, &c);
	*what = c.what;
	return e;
}

enum err
store_member_add(struct store *s, const char *user, const char *scope,
    const char *scope_id, const char *role, const char **what)
{
	return member_store(s, user, scope, scope_id, role, 1, what);
}

enum err
store_member_remove(struct store *s, const char *user, const char *scope,
    const char *scope_id, const char *role, const char **what)
{
	return member_store(s, user, scope, scope_id, role, 0, what);
}

struct member_list {
	struct member_row r;
	void (*each)(void *, const struct member_row *);
	void *arg;
};

static void
member_row_out(void *arg)
{
	struct member_list *l = arg;

	l->each(l->arg, &l->r);
}

enum err
store_member_list(struct store *s, const char *user,
    void (*each)(void *arg, const struct member_row *r), void *arg)
{
	static const char q[] =
	    "SELECT user_id, scope, scope_id, role FROM memberships"
	    " WHERE ? = '' OR user_id = ? ORDER BY user_id, scope, scope_id,"
	    " role";
	struct binds par = { .n = 0 }, res = { .n = 0 };
	struct member_list l;
	const char *u = user != NULL ? user : "";

	memset(&l, 0, sizeof(l));
	l.each = each;
	l.arg = arg;
	bind_str(&par, u);
	bind_str(&par, u);
	result_str(&res, l.r.user_id, sizeof(l.r.user_id));
	result_str(&res, l.r.scope, sizeof(l.r.scope));
	result_str(&res, l.r.scope_id, sizeof(l.r.scope_id));
	result_str(&res, l.r.role, sizeof(l.r.role));
	return store_oneshot(s, q, &par, &res, member_row_out, &l, NULL);
}

struct role_names {
	char role[ROLE_BYTES + 1];
	char *out;
	size_t len, cap;
};

static void
role_name_out(void *arg)
{
	struct role_names *r = arg;
	int n = snprintf(r->out + r->len, r->cap - r->len, "%s%s",
	    r->len > 0 ? ", " : "", r->role);

	if (n > 0 && (size_t)n < r->cap - r->len)
		r->len += (size_t)n;
}

enum err
store_role_names(struct store *s, char *out, size_t outlen)
{
	static const char q[] =
	    "SELECT DISTINCT role FROM role_permissions ORDER BY role";
	struct binds res = { .n = 0 };
	struct role_names r;

	if (outlen == 0)
		return ERR_INTERNAL;
	memset(&r, 0, sizeof(r));
	r.out = out;
	r.cap = outlen;
	out[0] = '\0';
	result_str(&res, r.role, sizeof(r.role));
	return store_oneshot(s, q, NULL, &res, role_name_out, &r, NULL);
}

/* --- projects --- */

struct project_change {
	const char *id, *org, *name;
	const char *what;
	MYSQL_TIME now;
};

static enum err
project_insert(struct store *s, struct project_change *c)
{
	static const char q_dup[] =
	    "SELECT 1 FROM projects WHERE resource_owner = ? AND name = ?"
	    " AND state <> 'removed'";
	static const char q_add[] =
	    "INSERT INTO projects (id, resource_owner, name, state, sequence,"
	    " creation_date, change_date) VALUES (?, ?, ?, 'active', 1, ?, ?)";
	struct binds par = { .n = 0 };
	struct event ev = { "project", c->id, "project.added", c->org, 1,
	    c->now };
	char state[16];
	enum err e;

	e = lock_org(s, c->org, state, sizeof(state));
	if (e == ERR_NOT_FOUND)
		c->what = "organization";
	if (e != ERR_OK)
		return e;
	bind_str(&par, c->org);
	bind_str(&par, c->name);
	e = exists(s, q_dup, &par);
	if (e == ERR_OK) {
		c->what = "name";
		return ERR_EXISTS;
	}
	if (e != ERR_NOT_FOUND)
		return e;
	par.n = 0;
	bind_str(&par, c->id);
	bind_str(&par, c->org);
	bind_str(&par, c->name);
	bind_time(&par, &c->now);
	bind_time(&par, &c->now);
	if ((e = run1(s, q_add, &par)) != ERR_OK)
		return e;
	event_binds(&par, &ev);
	bind_str(&par, c->name);
	return run1(s, q_event_name, &par);
}

static enum err
project_add_body(struct store *s, void *arg)
{
	return project_insert(s, arg);
}

enum err
store_project_add(struct store *s, const char *id, const char *org,
    const char *name, const char **what)
{
	struct project_change c = { id, org, name, "", db_now() };
	enum err e = in_txn(s, project_add_body, &c);

	*what = c.what;
	return e;
}

struct project_list {
	struct project_row r;
	void (*each)(void *, const struct project_row *);
	void *arg;
};

static void
project_row_out(void *arg)
{
	struct project_list *l = arg;

	l->each(l->arg, &l->r);
}

enum err
store_project_list(struct store *s, const char *org,
    void (*each)(void *arg, const struct project_row *r), void *arg)
{
	static const char q[] =
	    "SELECT id, resource_owner, name, state, sequence FROM projects"
	    " WHERE ? = '' OR resource_owner = ? ORDER BY resource_owner, id";
	struct binds par = { .n = 0 }, res = { .n = 0 };
	struct project_list l;
	const char *o = org != NULL ? org : "";

	memset(&l, 0, sizeof(l));
	l.each = each;
	l.arg = arg;
	bind_str(&par, o);
	bind_str(&par, o);
	result_str(&res, l.r.id, sizeof(l.r.id));
	result_str(&res, l.r.org, sizeof(l.r.org));
	result_str(&res, l.r.name, sizeof(l.r.name));
	result_str(&res, l.r.state, sizeof(l.r.state));
	result_u64(&res, &l.r.sequence);
	return store_oneshot(s, q, &par, &res, project_row_out, &l, NULL);
}

/* --- apps --- */

struct app_change {
	const struct app_new *a;
	const char *what;
	MYSQL_TIME now;
};

/* ZITADEL's authMethodType numbers in its events (OIDC, then API). */
static unsigned long long
auth_method_number(enum app_kind kind, const char *m)
{
	static const char *const oidc[] = { "basic", "post", "none",
	    "private_key_jwt" };
	static const char *const api[] = { "basic", "private_key_jwt" };
	const char *const *names = kind == APP_API ? api : oidc;
	size_t i, n = kind == APP_API ? 2 : 4;

	for (i = 0; i < n; i++)
		if (strcmp(names[i], m) == 0)
			return i;
	return 0;
}

/*
 * The shape of a regeneration: the project locked, the app and its
 * configuration row inserted, the sequence moved by the two events
 * (project.application.added, then the configuration's), one commit.
 */
static enum err
app_add_body(struct store *s, void *arg)
{
	static const char q_name[] =
	    "SELECT 1 FROM apps WHERE project_id = ? AND name = ?"
	    " AND state <> 'removed'";
	static const char q_client_oidc[] =
	    "SELECT 1 FROM oidc_configs WHERE client_id = ? FOR UPDATE";
	static const char q_client_api[] =
	    "SELECT 1 FROM api_configs WHERE client_id = ? FOR UPDATE";
	static const char q_app[] =
	    "INSERT INTO apps (id, project_id, name, app_type, state,"
	    " creation_date, change_date) VALUES (?, ?, ?, ?, 'active', ?, ?)";
	static const char q_oidc[] =
	    "INSERT INTO oidc_configs (app_id, client_id, auth_method,"
	    " client_secret_hash, secret_change_date) VALUES (?, ?, ?, ?, ?)";
	static const char q_api[] =
	    "INSERT INTO api_configs (app_id, client_id, auth_method,"
	    " client_secret_hash, secret_change_date) VALUES (?, ?, ?, ?, ?)";
	struct app_change *c = arg;
	const struct app_new *a = c->a;
	struct binds par = { .n = 0 };
	char owner[ID_BYTES + 1];
	struct event ev = { "project", a->project_id,
	    "project.application.added", owner, 0, c->now };
	unsigned long long method = auth_method_number(a->kind,
	    a->auth_method);
	enum err e;

	e = lock_project(s, a->project_id, &ev.seq, owner, sizeof(owner));
	if (e == ERR_NOT_FOUND)
		c->what = "project";
	if (e != ERR_OK)
		return e;
	bind_str(&par, a->project_id);
	bind_str(&par, a->name);
	e = exists(s, q_name, &par);
	if (e == ERR_OK) {
		c->what = "name";
		return ERR_EXISTS;
	}
	if (e != ERR_NOT_FOUND)
		return e;
	/* One client ID across OIDC and API apps, as ZITADEL has it. */
	par.n = 0;
	bind_str(&par, a->client_id);
	if ((e = exists(s, q_client_oidc, &par)) == ERR_NOT_FOUND)
		e = exists(s, q_client_api, &par);
	if (e == ERR_OK) {
		c->what = "client ID";
		return ERR_EXISTS;
	}
	if (e != ERR_NOT_FOUND)
		return e;
	par.n = 0;
	bind_str(&par, a->id);
	bind_str(&par, a->project_id);
	bind_str(&par, a->name);
	bind_str(&par, a->kind == APP_API ? "api" : "oidc");
	bind_time(&par, &c->now);
	bind_time(&par, &c->now);
	if ((e = run1(s, q_app, &par)) != ERR_OK)
		return e;
	par.n = 0;
	bind_str(&par, a->id);
	bind_str(&par, a->client_id);
	bind_str(&par, a->auth_method);
	bind_str(&par, a->hash);
	bind_time(&par, a->hash != NULL ? &c->now : NULL);
	if ((e = run1(s, a->kind == APP_API ? q_api : q_oidc, &par)) != ERR_OK)
		return e;
	if ((e = set_project_sequence(s, a->project_id, ev.seq + 2,
	    &c->now)) != ERR_OK)
		return e;
	ev.seq++;
	event_binds(&par, &ev);
	bind_str(&par, a->id);
	bind_str(&par, a->name);
	if ((e = run1(s, q_event_app, &par)) != ERR_OK)
		return e;
	ev.seq++;
	ev.type = a->kind == APP_API ? "project.application.config.api.added" :
	    "project.application.config.oidc.added";
	event_binds(&par, &ev);
	bind_str(&par, a->id);
	bind_str(&par, a->client_id);
	bind_u64(&par, &method);
	if (a->hash != NULL)
		bind_str(&par, a->hash);
	return run1(s, a->hash != NULL ? q_event_config_secret : q_event_config,
	    &par);
}

enum err
store_app_add(struct store *s, const struct app_new *a, const char **what)
{
	struct app_change c = { a, "", db_now() };
	enum err e;

	if (a->kind != APP_OIDC && a->kind != APP_API)
		return ERR_INTERNAL;
	e = in_txn(s, app_add_body, &c);
	*what = c.what;
	return e;
}

struct app_list {
	struct app_list_row r;
	unsigned long long has_secret;
	void (*each)(void *, const struct app_list_row *);
	void *arg;
};

static void
app_row_out(void *arg)
{
	struct app_list *l = arg;

	l->r.has_secret = l->has_secret != 0;
	l->each(l->arg, &l->r);
}

enum err
store_app_list(struct store *s, const char *project,
    void (*each)(void *arg, const struct app_list_row *r), void *arg)
{
	static const char q[] =
	    "SELECT a.id, a.project_id, a.name, a.app_type, a.state,"
	    " COALESCE(o.client_id, p.client_id, ''),"
	    " COALESCE(o.auth_method, p.auth_method, ''),"
	    " COALESCE(o.client_secret_hash, p.client_secret_hash) IS NOT NULL"
	    " FROM apps a LEFT JOIN oidc_configs o ON o.app_id = a.id"
	    " LEFT JOIN api_configs p ON p.app_id = a.id"
	    " WHERE ? = '' OR a.project_id = ? ORDER BY a.project_id, a.id";
	struct binds par = { .n = 0 }, res = { .n = 0 };
	struct app_list l;
	const char *p = project != NULL ? project : "";

	memset(&l, 0, sizeof(l));
	l.each = each;
	l.arg = arg;
	bind_str(&par, p);
	bind_str(&par, p);
	result_str(&res, l.r.id, sizeof(l.r.id));
	result_str(&res, l.r.project_id, sizeof(l.r.project_id));
	result_str(&res, l.r.name, sizeof(l.r.name));
	result_str(&res, l.r.type, sizeof(l.r.type));
	result_str(&res, l.r.state, sizeof(l.r.state));
	result_str(&res, l.r.client_id, sizeof(l.r.client_id));
	result_str(&res, l.r.auth_method, sizeof(l.r.auth_method));
	result_u64(&res, &l.has_secret);
	return store_oneshot(s, q, &par, &res, app_row_out, &l, NULL);
}

/* --- init --- */

struct init_change {
	const struct init_new *n;
	unsigned long long orgs;
	const char *what;
	MYSQL_TIME now;
};

static enum err
init_body(struct store *s, void *arg)
{
	/* Locks the empty table: a second init waits, then finds ours. */
	static const char q_orgs[] = "SELECT COUNT(*) FROM orgs FOR UPDATE";
	struct init_change *c = arg;
	const struct init_new *n = c->n;
	struct org_change org = { n->org_id, n->org_name, 0, "", c->now };
	struct user_change user = { n->user_id, n->org_id, n->username, 0, "",
	    c->now };
	struct member_change iam = { n->user_id, "instance", "", "IAM_OWNER",
	    1, "", c->now };
	struct member_change owner = { n->user_id, "org", n->org_id,
	    "ORG_OWNER", 1, "", c->now };
	struct project_change project = { n->project_id, n->org_id,
	    n->project_name, "", c->now };
	enum err e;

	if ((e = one_u64(s, q_orgs, NULL, &c->orgs, NULL)) != ERR_OK)
		return e;
	if (c->orgs > 0) {
		c->what = "organization";
		return ERR_EXISTS;
	}
	if ((e = org_insert(s, &org)) != ERR_OK) {
		c->what = org.what;
		return e;
	}
	if ((e = user_insert(s, &user)) != ERR_OK) {
		c->what = user.what;
		return e;
	}
	if ((e = member_change(s, &iam)) != ERR_OK) {
		c->what = iam.what;
		return e;
	}
	if ((e = member_change(s, &owner)) != ERR_OK) {
		c->what = owner.what;
		return e;
	}
	if ((e = project_insert(s, &project)) != ERR_OK) {
		c->what = project.what;
		return e;
	}
	return store_token_add(s, n->token_sha256, n->user_id, n->token_pat,
	    n->project_id, n->token_scopes, n->token_expires);
}

enum err
store_init(struct store *s, const struct init_new *n,
    unsigned long long *orgs, const char **what)
{
	struct init_change c = { n, 0, "", db_now() };
	enum err e = in_txn(s, init_body, &c);

	*orgs = c.orgs;
	*what = c.what;
	return e;
}
