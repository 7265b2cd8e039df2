/*
 * store.c - the only module that touches the MySQL/MariaDB client library
 * (store_admin.c reaches it through the helpers here).
 *
 * One connection per process, opened at the first call that needs it and
 * opened again when it is lost; each statement of the request path is
 * prepared at its first use on a connection and kept, and only prepared
 * statements carry data to the server.  The secret's hash is computed by
 * the caller before store_change_secret(), so no row lock is held while
 * hashing (doc/database.md).
 */
#include "store.h"
#include "store_internal.h"

#include <errmsg.h>
#include <mysqld_error.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "secret.h"
#include "util.h"

#define MAX_ATTEMPTS 3

static const char *const sql[ST__COUNT] = {
	[ST_LOCK_WAIT] =
	    "SET SESSION innodb_lock_wait_timeout = ?",
	[ST_TOKEN] =
	    "SELECT t.user_id, u.resource_owner, t.token_type = 'pat',"
	    " t.audience"
	    " FROM access_tokens t"
	    " JOIN users u ON u.id = t.user_id"
	    " JOIN orgs o ON o.id = u.resource_owner"
	    " WHERE t.token_sha256 = ? AND t.revoked_at IS NULL"
	    " AND (t.expires_at IS NULL OR t.expires_at > UTC_TIMESTAMP(6))"
	    " AND u.state = 'active' AND o.state = 'active'",
	[ST_ORG] =
	    "SELECT 1 FROM orgs WHERE id = ? AND state = 'active'",
	/* A NULL org means the project's owner. */
	[ST_PERMISSION] =
	    "SELECT 1 FROM memberships m"
	    " JOIN role_permissions r ON r.role = m.role"
	    " WHERE m.user_id = ? AND r.permission = ?"
	    " AND ((m.scope = 'instance' AND m.scope_id = '')"
	    " OR (m.scope = 'org' AND m.scope_id = COALESCE(?,"
	    " (SELECT p.resource_owner FROM projects p WHERE p.id = ?)))"
	    " OR (m.scope = 'project' AND m.scope_id = ?))"
	    " LIMIT 1",
	/* A NULL org matches any owner. */
	[ST_APP] =
	    "SELECT a.app_type + 0, a.creation_date, p.resource_owner"
	    " FROM apps a JOIN projects p ON p.id = a.project_id"
	    " WHERE a.id = ? AND a.project_id = ?"
	    " AND p.resource_owner = COALESCE(?, p.resource_owner)"
	    " AND p.state <> 'removed' AND a.state <> 'removed'",
	[ST_LOCK_PROJECT] =
	    "SELECT sequence FROM projects WHERE id = ? FOR UPDATE",
	[ST_SET_SECRET_OIDC] =
	    "UPDATE oidc_configs o JOIN apps a ON a.id = o.app_id"
	    " SET o.client_secret_hash = ?, o.secret_change_date = ?,"
	    " a.change_date = ?"
	    " WHERE o.app_id = ?",
	[ST_SET_SECRET_API] =
	    "UPDATE api_configs o JOIN apps a ON a.id = o.app_id"
	    " SET o.client_secret_hash = ?, o.secret_change_date = ?,"
	    " a.change_date = ?"
	    " WHERE o.app_id = ?",
	[ST_BUMP_PROJECT] =
	    "UPDATE projects SET sequence = ?, change_date = ? WHERE id = ?",
	[ST_EVENT] =
	    "INSERT INTO events (aggregate_type, aggregate_id, sequence,"
	    " event_type, resource_owner, editor_user, creation_date, payload)"
	    " VALUES ('project', ?, ?, ?, ?, ?, ?,"
	    " JSON_OBJECT('appId', ?, 'hashedSecret', ?))",
};

/* The event each kind of configuration writes (ZITADEL's names). */
static const char *const event_type[] = {
	[APP_OIDC] = "project.application.config.oidc.secret.changed",
	[APP_API] = "project.application.config.api.secret.changed",
};

enum err
store_classify(unsigned error)
{
	switch (error) {
	case 0:
		return ERR_OK;
	case ER_LOCK_WAIT_TIMEOUT:	/* 1205 */
	case ER_LOCK_DEADLOCK:		/* 1213, and Galera's certification */
		return ERR_CONFLICT;
	case CR_CONNECTION_ERROR:	/* 2002 */
	case CR_CONN_HOST_ERROR:	/* 2003 */
	case CR_UNKNOWN_HOST:		/* 2005 */
	case CR_SERVER_GONE_ERROR:	/* 2006 */
	case CR_SERVER_LOST:		/* 2013 */
	case CR_COMMANDS_OUT_OF_SYNC:	/* 2014 */
	case 2055:			/* CR_SERVER_LOST_EXTENDED */
	case ER_CON_COUNT_ERROR:	/* 1040 */
	case ER_SERVER_SHUTDOWN:	/* 1053 */
	case ER_NET_READ_ERROR:		/* 1158 */
	case ER_NET_READ_INTERRUPTED:	/* 1159 */
	case ER_NET_ERROR_ON_WRITE:	/* 1160 */
	case ER_NET_WRITE_INTERRUPTED:	/* 1161 */
	case ER_QUERY_INTERRUPTED:	/* 1317: KILL QUERY */
	case 1927:			/* ER_CONNECTION_KILLED */
	case 4031:			/* ER_CLIENT_INTERACTION_TIMEOUT */
	case ER_UNKNOWN_COM_ERROR:	/* 1047: Galera node not ready */
		return ERR_UNAVAILABLE;
	default:
		return ERR_INTERNAL;
	}
}

/* --- binding helpers --- */

static MYSQL_BIND *
next_bind(struct binds *x)
{
	MYSQL_BIND *b;

	if (x->n == 0)
		memset(x, 0, sizeof(*x));
	b = &x->b[x->n];
	b->length = &x->len[x->n];
	b->is_null = &x->null[x->n];
	b->error = &x->trunc[x->n];
	x->n++;
	return b;
}

void
bind_str(struct binds *x, const char *s)
{
	MYSQL_BIND *b = next_bind(x);

	b->buffer_type = MYSQL_TYPE_STRING;
	if (s == NULL) {
		*b->is_null = 1;
		return;
	}
	b->buffer = (void *)(uintptr_t)s;
	b->buffer_length = strlen(s);
	*b->length = b->buffer_length;
}

void
bind_u64(struct binds *x, unsigned long long *v)
{
	MYSQL_BIND *b = next_bind(x);

	b->buffer_type = MYSQL_TYPE_LONGLONG;
	b->buffer = v;
	b->is_unsigned = 1;
}

void
bind_time(struct binds *x, MYSQL_TIME *t)
{
	MYSQL_BIND *b = next_bind(x);

	b->buffer_type = MYSQL_TYPE_DATETIME;
	b->buffer = t;
	if (t == NULL)
		*b->is_null = 1;
}

void
result_str(struct binds *x, char *buf, size_t cap)
{
	MYSQL_BIND *b = next_bind(x);

	b->buffer_type = MYSQL_TYPE_STRING;
	b->buffer = buf;
	b->buffer_length = cap;
}

void
result_u64(struct binds *x, unsigned long long *v)
{
	MYSQL_BIND *b = next_bind(x);

	b->buffer_type = MYSQL_TYPE_LONGLONG;
	b->buffer = v;
	b->is_unsigned = 1;
}

void
result_time(struct binds *x, MYSQL_TIME *t)
{
	MYSQL_BIND *b = next_bind(x);

	b->buffer_type = MYSQL_TYPE_DATETIME;
	b->buffer = t;
}

int
finish_strings(struct binds *x)
{
	int i;

	for (i = 0; i < x->n; i++) {
		MYSQL_BIND *b = &x->b[i];

		if (b->buffer_type != MYSQL_TYPE_STRING)
			continue;
		if (x->null[i] || x->len[i] >= b->buffer_length)
			return -1;
		((char *)b->buffer)[x->len[i]] = '\0';
	}
	return 0;
}

void
time_to_db(struct ts t, MYSQL_TIME *m)
{
	int y, mo, d, h, mi, s;
	long us;

	memset(m, 0, sizeof(*m));
	if (ts_to_fields(t, &y, &mo, &d, &h, &mi, &s, &us) != 0)
		return;
	m->year = (unsigned)y;
	m->month = (unsigned)mo;
	m->day = (unsigned)d;
	m->hour = (unsigned)h;
	m->minute = (unsigned)mi;
	m->second = (unsigned)s;
	m->second_part = (unsigned long)us;
	m->time_type = MYSQL_TIMESTAMP_DATETIME;
}

struct ts
time_from_db(const MYSQL_TIME *m)
{
	return ts_from_fields((int)m->year, (int)m->month, (int)m->day,
	    (int)m->hour, (int)m->minute, (int)m->second,
	    (long)m->second_part);
}

/* --- connection --- */

void
store_disconnect(struct store *s)
{
	int i;

	for (i = 0; i < ST__COUNT; i++) {
		if (s->st[i] != NULL)
			mysql_stmt_close(s->st[i]);
		s->st[i] = NULL;
	}
	if (s->db != NULL)
		mysql_close(s->db);
	s->db = NULL;
}

static enum err
fail_db(struct store *s, const char *what)
{
	unsigned error = mysql_errno(s->db);
	enum err e = store_classify(error);

	if (e == ERR_OK)
		e = ERR_INTERNAL;
	log_msg(e == ERR_INTERNAL ? LOG_ERROR : LOG_WARN,
	    "database: %s: %u %s", what, error, mysql_error(s->db));
	return e;
}

static enum err
fail_stmt(struct store *s, enum stmt id, const char *what)
{
	unsigned error = mysql_stmt_errno(s->st[id]);
	enum err e = store_classify(error);

	if (e == ERR_OK)
		e = ERR_INTERNAL;
	log_msg(e == ERR_INTERNAL ? LOG_ERROR : LOG_WARN,
	    "database: statement %d %s: %u %s", (int)id, what, error,
	    mysql_stmt_error(s->st[id]));
	return e;
}

static enum err run(struct store *s, enum stmt id, struct binds *par,
    struct binds *res, int *found);

static enum err
connect_db(struct store *s)
{
	const struct config *c = s->cfg;
	unsigned timeout;
	unsigned long long lock_wait = c->db_lock_wait_timeout_s;
	const char *host, *sock;
	struct binds par = { .n = 0 };
	enum err e;

	store_disconnect(s);
	s->db = mysql_init(NULL);
	if (s->db == NULL)
		return ERR_INTERNAL;
	timeout = c->db_connect_timeout_s;
	mysql_options(s->db, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
	timeout = c->db_rw_timeout_s;
	mysql_options(s->db, MYSQL_OPT_READ_TIMEOUT, &timeout);
	mysql_options(s->db, MYSQL_OPT_WRITE_TIMEOUT, &timeout);
	mysql_options(s->db, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	sock = c->db_socket[0] != '\0' ? c->db_socket : NULL;
	host = c->db_host[0] != '\0' ? c->db_host : NULL;
	if (mysql_real_connect(s->db, host, c->db_user, c->db_password,
	    c->db_name, c->db_port, sock, CLIENT_FOUND_ROWS) == NULL) {
		/* Access denied: what the database's administrator can run. */
		if (mysql_errno(s->db) == ER_ACCESS_DENIED_ERROR ||
		    mysql_errno(s->db) == ER_DBACCESS_DENIED_ERROR) {
			const char *at = host == NULL || strcmp(host,
			    "localhost") == 0 ? "localhost" : "%";

			log_msg(LOG_ERROR, "database: connect: %u %s: the "
			    "database knows no user %s with this db_password, or "
			    "gave it no access to %s; as its administrator run "
			    "CREATE USER '%s'@'%s' IDENTIFIED BY '<db_password>'; "
			    "then for oidc-secret-admin GRANT ALL ON `%s`.* TO "
			    "'%s'@'%s', for the responder the GRANT lines of "
			    "oidc-secret.conf(5)", mysql_errno(s->db),
			    mysql_error(s->db), c->db_user, c->db_name,
			    c->db_user, at, c->db_name, c->db_user, at);
			e = ERR_INTERNAL;
		} else
			e = fail_db(s, "connect");
		store_disconnect(s);
		/* Wrong password or database name: unreachable to the client. */
		return e == ERR_INTERNAL ? ERR_UNAVAILABLE : e;
	}
	/* A held row lock must not outlive a web request. */
	bind_u64(&par, &lock_wait);
	e = run(s, ST_LOCK_WAIT, &par, NULL, NULL);
	if (e != ERR_OK)
		store_disconnect(s);
	return e;
}

enum err
store_ensure(struct store *s)
{
	if (s->db != NULL)
		return ERR_OK;
	if (s->pinned)
		return ERR_UNAVAILABLE;
	return connect_db(s);
}

void
store_pin(struct store *s)
{
	s->pinned = 1;
}

int
store_library_init(void)
{
	return mysql_library_init(0, NULL, NULL) == 0 ? 0 : -1;
}

void
store_library_end(void)
{
	mysql_library_end();
}

struct store *
store_new(const struct config *cfg)
{
	struct store *s = calloc(1, sizeof(*s));

	if (s != NULL)
		s->cfg = cfg;
	return s;
}

void
store_free(struct store *s)
{
	if (s == NULL)
		return;
	store_disconnect(s);
	free(s);
}

/*
 * Executes one prepared statement; with res, fetches at most one row into
 * it and sets *found.  No reconnect here: see query().
 */
static enum err
run(struct store *s, enum stmt id, struct binds *par, struct binds *res,
    int *found)
{
	MYSQL_STMT *st;
	enum err e = ERR_OK;
	int rc;

	if (found != NULL)
		*found = 0;
	/* Prepared at first use on each connection, then kept. */
	if (s->st[id] == NULL) {
		s->st[id] = mysql_stmt_init(s->db);
		if (s->st[id] == NULL)
			return fail_db(s, "statement init");
		if (mysql_stmt_prepare(s->st[id], sql[id],
		    strlen(sql[id])) != 0) {
			e = fail_stmt(s, id, "prepare");
			mysql_stmt_close(s->st[id]);
			s->st[id] = NULL;
			return e;
		}
	}
	st = s->st[id];
	if (par != NULL && mysql_stmt_bind_param(st, par->b) != 0)
		return fail_stmt(s, id, "bind");
	if (mysql_stmt_execute(st) != 0)
		return fail_stmt(s, id, "execute");
	if (res == NULL)
		return ERR_OK;
	if (mysql_stmt_bind_result(st, res->b) != 0) {
		e = fail_stmt(s, id, "bind result");
		goto out;
	}
	rc = mysql_stmt_fetch(st);
	if (rc == 0) {
		if (finish_strings(res) != 0) {
			log_msg(LOG_ERROR, "database: statement %d: a value is "
			    "NULL or longer than expected", (int)id);
			e = ERR_INTERNAL;
		} else if (found != NULL)
			*found = 1;
	} else if (rc == MYSQL_DATA_TRUNCATED) {
		log_msg(LOG_ERROR, "database: statement %d: value truncated",
		    (int)id);
		e = ERR_INTERNAL;
	} else if (rc != MYSQL_NO_DATA)
		e = fail_stmt(s, id, "fetch");
out:
	mysql_stmt_free_result(st);
	return e;
}

/*
 * A statement outside a transaction: connects when needed and, when a
 * connection made earlier turns out lost (KILL, server restart,
 * wait_timeout), connects again and runs it once more.  A connection that
 * fails is not tried twice, so an unreachable server costs one connect
 * timeout at most.  A conflict outside a transaction is unavailability.
 */
static enum err
query(struct store *s, enum stmt id, struct binds *par, struct binds *res,
    int *found)
{
	enum err e;
	int fresh = s->db == NULL;

	if ((e = store_ensure(s)) != ERR_OK)
		return e;
	e = run(s, id, par, res, found);
	if (e == ERR_UNAVAILABLE && !fresh && !s->pinned) {
		store_disconnect(s);
		if ((e = connect_db(s)) != ERR_OK)
			return e;
		e = run(s, id, par, res, found);
	}
	if (e == ERR_UNAVAILABLE)
		store_disconnect(s);
	return e == ERR_CONFLICT ? ERR_UNAVAILABLE : e;
}

/* The lookup's own "none", or how it failed. */
static enum err
found_or(enum err e, int found, enum err none)
{
	if (e != ERR_OK)
		return e;
	return found ? ERR_OK : none;
}

enum err
store_token(struct store *s, const char *sha256_hex, struct token_row *out)
{
	struct binds par = { .n = 0 }, res = { .n = 0 };
	unsigned long long pat = 0;
	int found = 0;
	enum err e;

	bind_str(&par, sha256_hex);
	result_str(&res, out->user_id, sizeof(out->user_id));
	result_str(&res, out->user_org, sizeof(out->user_org));
	result_u64(&res, &pat);
	result_str(&res, out->audience, sizeof(out->audience));
	e = query(s, ST_TOKEN, &par, &res, &found);
	out->pat = pat != 0;
	return found_or(e, found, ERR_TOKEN_INVALID);
}

enum err
store_org_active(struct store *s, const char *org_id)
{
	struct binds par = { .n = 0 }, res = { .n = 0 };
	unsigned long long one;
	int found = 0;
	enum err e;

	bind_str(&par, org_id);
	result_u64(&res, &one);
	e = query(s, ST_ORG, &par, &res, &found);
	return found_or(e, found, ERR_ORG_NOT_FOUND);
}

enum err
store_permission(struct store *s, const char *user_id, const char *org_id,
    const char *project_id, const char *permission)
{
	struct binds par = { .n = 0 }, res = { .n = 0 };
	unsigned long long one;
	int found = 0;
	enum err e;

	bind_str(&par, user_id);
	bind_str(&par, permission);
	bind_str(&par, org_id);
	bind_str(&par, project_id);
	bind_str(&par, project_id);
	result_u64(&res, &one);
	e = query(s, ST_PERMISSION, &par, &res, &found);
	return found_or(e, found, ERR_PERMISSION_DENIED);
}

/* ST_APP's parameters and results; kind and created are filled after. */
struct app_binds {
	struct binds par, res;
	unsigned long long kind;
	MYSQL_TIME created;
};

static void
bind_app(struct app_binds *a, const char *project_id, const char *app_id,
    const char *org_id, struct app_row *out)
{
	a->par.n = a->res.n = 0;
	bind_str(&a->par, app_id);
	bind_str(&a->par, project_id);
	bind_str(&a->par, org_id);
	result_u64(&a->res, &a->kind);
	result_time(&a->res, &a->created);
	result_str(&a->res, out->resource_owner, sizeof(out->resource_owner));
}

/* ENUM + 0 is the value's position, from 1 (MySQL's ENUM type). */
static int
app_fill(const struct app_binds *a, struct app_row *out)
{
	switch (a->kind) {
	case 1:
		out->kind = APP_OIDC;
		break;
	case 2:
		out->kind = APP_API;
		break;
	case 3:
		out->kind = APP_SAML;
		break;
	default:
		log_msg(LOG_ERROR, "database: unknown app_type %llu", a->kind);
		return -1;
	}
	out->created = time_from_db(&a->created);
	return 0;
}

enum err
store_app(struct store *s, const char *project_id, const char *app_id,
    const char *org_id, struct app_row *out)
{
	struct app_binds a;
	int found = 0;
	enum err e;

	bind_app(&a, project_id, app_id, org_id, out);
	e = query(s, ST_APP, &a.par, &a.res, &found);
	e = found_or(e, found, ERR_APP_NOT_FOUND);
	if (e == ERR_OK && app_fill(&a, out) != 0)
		e = ERR_INTERNAL;
	return e;
}

/*
 * One attempt at the change.  *at_commit tells that the failure came from
 * COMMIT itself, after which the change may have landed.
 */
static enum err
change_once(struct store *s, const struct change *c,
    struct change_result *out, int *at_commit)
{
	struct binds par = { .n = 0 }, res = { .n = 0 };
	struct app_binds a;
	unsigned long long seq = 0;
	MYSQL_TIME now_db;
	enum stmt set = c->kind == APP_API ? ST_SET_SECRET_API :
	    ST_SET_SECRET_OIDC;
	int found = 0;
	int64_t t0;
	enum err e;

	*at_commit = 0;
	if (mysql_autocommit(s->db, 0) != 0) {
		/*
		 * Lost since the lookups (KILL, restart, wait_timeout while the
		 * secret was hashed): drop the handle so the next attempt
		 * connects again instead of failing on it three times.
		 */
		e = fail_db(s, "begin");
		if (e == ERR_UNAVAILABLE)
			store_disconnect(s);
		return e;
	}
	t0 = util_mono_ns();
	bind_str(&par, c->project_id);
	result_u64(&res, &seq);
	if ((e = run(s, ST_LOCK_PROJECT, &par, &res, &found)) != ERR_OK)
		goto abort;
	if (!found) {
		e = ERR_APP_NOT_FOUND;
		goto abort;
	}
	bind_app(&a, c->project_id, c->app_id, c->org_id, &out->app);
	e = run(s, ST_APP, &a.par, &a.res, &found);
	e = found_or(e, found, ERR_APP_NOT_FOUND);
	if (e == ERR_OK && app_fill(&a, &out->app) != 0)
		e = ERR_INTERNAL;
	if (e == ERR_OK && out->app.kind != c->kind)
		e = c->kind == APP_API ? ERR_APP_NOT_API : ERR_APP_NOT_OIDC;
	if (e != ERR_OK)
		goto abort;
	/* Taken under the lock, so change dates follow the sequence. */
	out->change_date = ts_now();
	out->sequence = seq + 1;
	time_to_db(out->change_date, &now_db);

	par.n = 0;
	bind_str(&par, c->hash);
	bind_time(&par, &now_db);
	bind_time(&par, &now_db);
	bind_str(&par, c->app_id);
	if ((e = run(s, set, &par, NULL, NULL)) != ERR_OK)
		goto abort;
	if (mysql_stmt_affected_rows(s->st[set]) == 0) {
		log_msg(LOG_ERROR, "database: app without its configuration "
		    "row (oidc_configs or api_configs)");
		e = ERR_INTERNAL;
		goto abort;
	}
	seq = out->sequence;
	par.n = 0;
	bind_u64(&par, &seq);
	bind_time(&par, &now_db);
	bind_str(&par, c->project_id);
	if ((e = run(s, ST_BUMP_PROJECT, &par, NULL, NULL)) != ERR_OK)
		goto abort;
	par.n = 0;
	bind_str(&par, c->project_id);
	bind_u64(&par, &seq);
	bind_str(&par, event_type[c->kind]);
	bind_str(&par, out->app.resource_owner);
	bind_str(&par, c->editor);
	bind_time(&par, &now_db);
	bind_str(&par, c->app_id);
	bind_str(&par, c->hash);
	if ((e = run(s, ST_EVENT, &par, NULL, NULL)) != ERR_OK)
		goto abort;
	if (mysql_commit(s->db) != 0) {
		*at_commit = 1;
		e = fail_db(s, "commit");
		goto abort;
	}
	out->lock_ns = util_mono_ns() - t0;
	if (mysql_autocommit(s->db, 1) != 0) {
		/* The change is in; the connection is not: drop it. */
		(void)fail_db(s, "autocommit");
		store_disconnect(s);
	}
	return ERR_OK;
abort:
	/* A connection whose transaction cannot be ended is dropped. */
	if (e == ERR_UNAVAILABLE || mysql_rollback(s->db) != 0 ||
	    mysql_autocommit(s->db, 1) != 0)
		store_disconnect(s);
	return e;
}

static void
backoff(unsigned attempt)
{
	unsigned char r;
	struct timespec d;

	/* Jitter keeps retrying writers from meeting again in step. */
	secret_nonce(&r, 1);
	d.tv_sec = 0;
	d.tv_nsec = (long)(attempt * 10 + r % 40) * 1000000L;
	nanosleep(&d, NULL);
}

enum err
store_change_secret(struct store *s, const struct change *c,
    struct change_result *out)
{
	unsigned attempt;
	int at_commit;
	enum err e;

	if (c->kind != APP_OIDC && c->kind != APP_API)
		return ERR_INTERNAL;
	for (attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
		out->attempts = attempt;
		if ((e = store_ensure(s)) != ERR_OK)
			return e;
		e = change_once(s, c, out, &at_commit);
		if (e == ERR_CONFLICT) {
			backoff(attempt);
			continue;
		}
		/*
		 * Lost before COMMIT: the server rolled back, so trying again
		 * on a new connection writes once.  Lost during COMMIT: it
		 * may have landed; do not write twice.
		 */
		if (e == ERR_UNAVAILABLE && !at_commit && !s->pinned)
			continue;
		return e;
	}
	log_msg(LOG_WARN, "database: change of app in project abandoned "
	    "after %u attempts", MAX_ATTEMPTS);
	return ERR_UNAVAILABLE;
}

enum err
store_ping(struct store *s)
{
	int fresh = s->db == NULL;

	if (store_ensure(s) != ERR_OK)
		return ERR_UNAVAILABLE;
	if (mysql_ping(s->db) == 0)
		return ERR_OK;
	store_disconnect(s);
	if (fresh || store_ensure(s) != ERR_OK)
		return ERR_UNAVAILABLE;
	return mysql_ping(s->db) == 0 ? ERR_OK : ERR_UNAVAILABLE;
}

/* --- statements prepared for one use (store_admin.c) --- */

enum err
store_oneshot(struct store *s, const char *q, struct binds *par,
    struct binds *res, void (*each)(void *arg), void *arg,
    unsigned long long *affected)
{
	MYSQL_STMT *st = NULL;
	enum err e;
	int rc = MYSQL_NO_DATA;

	if ((e = store_ensure(s)) != ERR_OK)
		return e;
	st = mysql_stmt_init(s->db);
	if (st == NULL)
		return fail_db(s, "statement init");
	if (mysql_stmt_prepare(st, q, strlen(q)) != 0 ||
	    (par != NULL && mysql_stmt_bind_param(st, par->b) != 0) ||
	    mysql_stmt_execute(st) != 0 ||
	    (res != NULL && mysql_stmt_bind_result(st, res->b) != 0)) {
		unsigned error = mysql_stmt_errno(st);

		log_msg(LOG_ERROR, "database: %u %s", error,
		    mysql_stmt_error(st));
		e = store_classify(error);
		if (e == ERR_OK)
			e = ERR_INTERNAL;
		goto out;
	}
	if (affected != NULL)
		*affected = mysql_stmt_affected_rows(st);
	while (res != NULL && (rc = mysql_stmt_fetch(st)) == 0) {
		if (finish_strings(res) != 0) {
			e = ERR_INTERNAL;
			goto out;
		}
		if (each != NULL)
			each(arg);
	}
	if (res != NULL && rc != MYSQL_NO_DATA) {
		log_msg(LOG_ERROR, "database: fetch: %s", mysql_stmt_error(st));
		e = ERR_INTERNAL;
	}
out:
	mysql_stmt_close(st);
	if (e == ERR_UNAVAILABLE)
		store_disconnect(s);
	return e;
}

const char *
store_client_version(void)
{
	return mysql_get_client_info();
}
