/*
 * store.c - the only module that touches the MySQL/MariaDB client library.
 *
 * One connection per process, opened at the first call that needs it and
 * opened again when it is lost; each statement is prepared at its first use
 * on a connection and kept, and only prepared statements carry data to the
 * server.  The
 * secret's hash is computed by the caller before store_change_secret(), so
 * no row lock is held while hashing (SPEC section 5).
 */
#include "store.h"

#include <mysql.h>
#include <mysqld_error.h>
#include <errmsg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "secret.h"

/* MySQL 8.0 replaced my_bool with bool; MariaDB's Connector/C keeps my_bool. */
#if !defined(MARIADB_PACKAGE_VERSION) && defined(LIBMYSQL_VERSION_ID) && \
    LIBMYSQL_VERSION_ID >= 80001
typedef bool db_bool;
#else
typedef my_bool db_bool;
#endif

#define MAX_ATTEMPTS 3
#define MAX_BINDS 8

enum stmt {
	ST_LOCK_WAIT,
	ST_TOKEN,
	ST_ORG,
	ST_PERMISSION,
	ST_APP,
	ST_LOCK_PROJECT,
	ST_SET_SECRET,
	ST_BUMP_PROJECT,
	ST_EVENT,
	ST__COUNT
};

static const char *const sql[ST__COUNT] = {
	[ST_LOCK_WAIT] =
	    "SET SESSION innodb_lock_wait_timeout = ?",
	[ST_TOKEN] =
	    "SELECT t.user_id, u.resource_owner, t.token_type = 'pat', t.audience"
	    " FROM access_tokens t"
	    " JOIN users u ON u.id = t.user_id"
	    " JOIN orgs o ON o.id = u.resource_owner"
	    " WHERE t.token_sha256 = ? AND t.revoked_at IS NULL"
	    " AND (t.expires_at IS NULL OR t.expires_at > UTC_TIMESTAMP(6))"
	    " AND u.state = 'active' AND o.state = 'active'",
	[ST_ORG] =
	    "SELECT 1 FROM orgs WHERE id = ? AND state = 'active'",
	[ST_PERMISSION] =
	    "SELECT 1 FROM memberships m"
	    " JOIN role_permissions r ON r.role = m.role"
	    " WHERE m.user_id = ? AND r.permission = ?"
	    " AND ((m.scope = 'instance' AND m.scope_id = '')"
	    " OR (m.scope = 'org' AND m.scope_id = ?)"
	    " OR (m.scope = 'project' AND m.scope_id = ?))"
	    " LIMIT 1",
	[ST_APP] =
	    "SELECT a.app_type = 'oidc', a.creation_date, p.resource_owner"
	    " FROM apps a JOIN projects p ON p.id = a.project_id"
	    " WHERE a.id = ? AND a.project_id = ? AND p.resource_owner = ?"
	    " AND p.state <> 'removed' AND a.state <> 'removed'",
	[ST_LOCK_PROJECT] =
	    "SELECT sequence FROM projects WHERE id = ? FOR UPDATE",
	[ST_SET_SECRET] =
	    "UPDATE oidc_configs o JOIN apps a ON a.id = o.app_id"
	    " SET o.client_secret_hash = ?, o.secret_change_date = ?,"
	    " a.change_date = ?"
	    " WHERE o.app_id = ?",
	[ST_BUMP_PROJECT] =
	    "UPDATE projects SET sequence = ?, change_date = ? WHERE id = ?",
	[ST_EVENT] =
	    "INSERT INTO events (aggregate_type, aggregate_id, sequence,"
	    " event_type, resource_owner, editor_user, creation_date, payload)"
	    " VALUES ('project', ?, ?,"
	    " 'project.application.config.oidc.secret.changed', ?, ?, ?,"
	    " JSON_OBJECT('appId', ?, 'hashedSecret', ?))",
};

struct store {
	const struct config *cfg;
	MYSQL *db;
	MYSQL_STMT *st[ST__COUNT];
};

/* Why a call failed, as far as the caller needs to know. */
enum fail {
	F_NONE,
	F_GONE,			/* connection lost or refused: reconnect */
	F_CONFLICT,		/* deadlock, lock wait timeout: retry */
	F_OTHER
};

static enum fail
classify(unsigned err)
{
	switch (err) {
	case ER_LOCK_WAIT_TIMEOUT:	/* 1205 */
	case ER_LOCK_DEADLOCK:		/* 1213, also Galera's certification failure */
		return F_CONFLICT;
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
		return F_GONE;
	default:
		return F_OTHER;
	}
}

/* --- binding helpers --- */

struct binds {
	MYSQL_BIND b[MAX_BINDS];
	unsigned long len[MAX_BINDS];
	db_bool null[MAX_BINDS];
	db_bool trunc[MAX_BINDS];
	int n;
};

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

static void
param_str(struct binds *x, const char *s)
{
	MYSQL_BIND *b = next_bind(x);

	b->buffer_type = MYSQL_TYPE_STRING;
	b->buffer = (void *)(uintptr_t)s;
	b->buffer_length = strlen(s);
	*b->length = b->buffer_length;
}

static void
param_u64(struct binds *x, unsigned long long *v)
{
	MYSQL_BIND *b = next_bind(x);

	b->buffer_type = MYSQL_TYPE_LONGLONG;
	b->buffer = v;
	b->is_unsigned = 1;
}

static void
param_time(struct binds *x, MYSQL_TIME *t)
{
	MYSQL_BIND *b = next_bind(x);

	b->buffer_type = MYSQL_TYPE_DATETIME;
	b->buffer = t;
}

static void
result_str(struct binds *x, char *buf, size_t cap)
{
	MYSQL_BIND *b = next_bind(x);

	b->buffer_type = MYSQL_TYPE_STRING;
	b->buffer = buf;
	b->buffer_length = cap;
}

static void
result_u64(struct binds *x, unsigned long long *v)
{
	MYSQL_BIND *b = next_bind(x);

	b->buffer_type = MYSQL_TYPE_LONGLONG;
	b->buffer = v;
	b->is_unsigned = 1;
}

static void
result_time(struct binds *x, MYSQL_TIME *t)
{
	MYSQL_BIND *b = next_bind(x);

	b->buffer_type = MYSQL_TYPE_DATETIME;
	b->buffer = t;
}

/* NUL-terminates string results; -1 when one was cut short or is NULL. */
static int
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

static void
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

static struct ts
time_from_db(const MYSQL_TIME *m)
{
	return ts_from_fields((int)m->year, (int)m->month, (int)m->day,
	    (int)m->hour, (int)m->minute, (int)m->second, (long)m->second_part);
}

/* --- connection --- */

static void
disconnect(struct store *s)
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

static enum fail
fail_db(struct store *s, const char *what)
{
	unsigned err = mysql_errno(s->db);
	enum fail f = classify(err);

	log_msg(f == F_OTHER ? LOG_ERROR : LOG_WARN, "database: %s: %u %s",
	    what, err, mysql_error(s->db));
	return f;
}

static enum fail
fail_stmt(struct store *s, enum stmt id, const char *what)
{
	unsigned err = mysql_stmt_errno(s->st[id]);
	enum fail f = classify(err);

	log_msg(f == F_OTHER ? LOG_ERROR : LOG_WARN, "database: statement %d %s: "
	    "%u %s", (int)id, what, err, mysql_stmt_error(s->st[id]));
	return f;
}

static enum fail run(struct store *s, enum stmt id, struct binds *par,
    struct binds *res, int *found);

static enum fail
connect_db(struct store *s)
{
	const struct config *c = s->cfg;
	unsigned timeout;
	unsigned long long lock_wait = c->db_lock_wait_timeout_s;
	const char *host, *sock;
	struct binds par = { .n = 0 };
	enum fail f;

	disconnect(s);
	s->db = mysql_init(NULL);
	if (s->db == NULL)
		return F_OTHER;
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
		f = fail_db(s, "connect");
		disconnect(s);
		/* Wrong password or database name: as unreachable to the client. */
		return f == F_OTHER ? F_GONE : f;
	}
	/* A held row lock must not outlive a web request (SPEC section 5). */
	param_u64(&par, &lock_wait);
	f = run(s, ST_LOCK_WAIT, &par, NULL, NULL);
	if (f != F_NONE) {
		disconnect(s);
		return f;
	}
	return F_NONE;
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
	disconnect(s);
	free(s);
}

/*
 * Executes one prepared statement; with res, fetches at most one row into
 * it and sets *found.  No reconnect here: see query().
 */
static enum fail
run(struct store *s, enum stmt id, struct binds *par, struct binds *res,
    int *found)
{
	MYSQL_STMT *st;
	enum fail f = F_NONE;
	int rc;

	if (found != NULL)
		*found = 0;
	/* Prepared at first use on each connection, then kept. */
	if (s->st[id] == NULL) {
		s->st[id] = mysql_stmt_init(s->db);
		if (s->st[id] == NULL)
			return fail_db(s, "statement init");
		if (mysql_stmt_prepare(s->st[id], sql[id], strlen(sql[id])) != 0) {
			f = fail_stmt(s, id, "prepare");
			mysql_stmt_close(s->st[id]);
			s->st[id] = NULL;
			return f;
		}
	}
	st = s->st[id];
	if (par != NULL && mysql_stmt_bind_param(st, par->b) != 0)
		return fail_stmt(s, id, "bind");
	if (mysql_stmt_execute(st) != 0)
		return fail_stmt(s, id, "execute");
	if (res == NULL)
		return F_NONE;
	if (mysql_stmt_bind_result(st, res->b) != 0) {
		f = fail_stmt(s, id, "bind result");
		goto out;
	}
	rc = mysql_stmt_fetch(st);
	if (rc == 0) {
		if (finish_strings(res) != 0) {
			log_msg(LOG_ERROR, "database: statement %d: a value is "
			    "NULL or longer than expected", (int)id);
			f = F_OTHER;
		} else if (found != NULL)
			*found = 1;
	} else if (rc == MYSQL_DATA_TRUNCATED) {
		log_msg(LOG_ERROR, "database: statement %d: value truncated", (int)id);
		f = F_OTHER;
	} else if (rc != MYSQL_NO_DATA)
		f = fail_stmt(s, id, "fetch");
out:
	mysql_stmt_free_result(st);
	return f;
}

/*
 * A statement outside a transaction: connects when needed and, when the
 * connection turns out lost (KILL, server restart, wait_timeout), connects
 * again and runs it once more.
 */
static enum store_rc
to_rc(enum fail f)
{
	switch (f) {
	case F_NONE:
		return STORE_OK;
	case F_GONE:
	case F_CONFLICT:
		return STORE_UNAVAILABLE;
	default:
		return STORE_FAILED;
	}
}

/*
 * A statement outside a transaction: connects when needed and, when a
 * connection made earlier turns out lost (KILL, server restart,
 * wait_timeout), connects again and runs it once more.  A connection that
 * fails is not tried twice, so an unreachable server costs one connect
 * timeout at most.
 */
static enum store_rc
query(struct store *s, enum stmt id, struct binds *par, struct binds *res,
    int *found)
{
	enum fail f;
	int fresh = 0;

	if (s->db == NULL) {
		if ((f = connect_db(s)) != F_NONE)
			return to_rc(f);
		fresh = 1;
	}
	f = run(s, id, par, res, found);
	if (f == F_GONE && !fresh) {
		disconnect(s);
		if ((f = connect_db(s)) != F_NONE)
			return to_rc(f);
		f = run(s, id, par, res, found);
	}
	if (f == F_GONE)
		disconnect(s);
	return to_rc(f);
}

enum store_rc
store_token(struct store *s, const char *sha256_hex, struct token_row *out)
{
	struct binds par = { .n = 0 }, res = { .n = 0 };
	unsigned long long pat = 0;
	enum store_rc rc;
	int found;

	param_str(&par, sha256_hex);
	result_str(&res, out->user_id, sizeof(out->user_id));
	result_str(&res, out->user_org, sizeof(out->user_org));
	result_u64(&res, &pat);
	result_str(&res, out->audience, sizeof(out->audience));
	rc = query(s, ST_TOKEN, &par, &res, &found);
	if (rc != STORE_OK)
		return rc;
	out->pat = pat != 0;
	return found ? STORE_OK : STORE_NONE;
}

enum store_rc
store_org_active(struct store *s, const char *org_id)
{
	struct binds par = { .n = 0 }, res = { .n = 0 };
	unsigned long long one;
	enum store_rc rc;
	int found;

	param_str(&par, org_id);
	result_u64(&res, &one);
	rc = query(s, ST_ORG, &par, &res, &found);
	if (rc != STORE_OK)
		return rc;
	return found ? STORE_OK : STORE_NONE;
}

enum store_rc
store_permission(struct store *s, const char *user_id, const char *org_id,
    const char *project_id, const char *permission)
{
	struct binds par = { .n = 0 }, res = { .n = 0 };
	unsigned long long one;
	enum store_rc rc;
	int found;

	param_str(&par, user_id);
	param_str(&par, permission);
	param_str(&par, org_id);
	param_str(&par, project_id);
	result_u64(&res, &one);
	rc = query(s, ST_PERMISSION, &par, &res, &found);
	if (rc != STORE_OK)
		return rc;
	return found ? STORE_OK : STORE_NONE;
}

static void
bind_app(struct binds *par, struct binds *res, const char *project_id,
    const char *app_id, const char *org_id, struct app_row *out,
    unsigned long long *oidc, MYSQL_TIME *created)
{
	param_str(par, app_id);
	param_str(par, project_id);
	param_str(par, org_id);
	result_u64(res, oidc);
	result_time(res, created);
	result_str(res, out->resource_owner, sizeof(out->resource_owner));
}

enum store_rc
store_app(struct store *s, const char *project_id, const char *app_id,
    const char *org_id, struct app_row *out)
{
	struct binds par = { .n = 0 }, res = { .n = 0 };
	unsigned long long oidc = 0;
	MYSQL_TIME created;
	enum store_rc rc;
	int found;

	bind_app(&par, &res, project_id, app_id, org_id, out, &oidc, &created);
	rc = query(s, ST_APP, &par, &res, &found);
	if (rc != STORE_OK)
		return rc;
	if (!found)
		return STORE_NONE;
	out->oidc = oidc != 0;
	out->created = time_from_db(&created);
	return STORE_OK;
}

static int64_t
mono_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* What one attempt at the transaction came to. */
struct attempt {
	enum store_rc rc;	/* when f == F_NONE */
	enum fail f;
	int at_commit;		/* the failure came from COMMIT itself */
};

static struct attempt
change_once(struct store *s, const struct change *c, struct change_result *out)
{
	struct attempt a = { STORE_OK, F_NONE, 0 };
	struct binds par = { .n = 0 }, res = { .n = 0 };
	unsigned long long seq = 0, oidc = 0;
	MYSQL_TIME created, now_db;
	int found;
	int64_t t0;

	if (mysql_autocommit(s->db, 0) != 0) {
		a.f = fail_db(s, "begin");
		/*
		 * Lost since the lookups (KILL, restart, wait_timeout while the
		 * secret was hashed): drop the handle so the next attempt
		 * connects again instead of failing on it three times
		 * (tests/integration/test_reliability.py, test_g).
		 */
		if (a.f == F_GONE)
			disconnect(s);
		return a;
	}
	t0 = mono_ns();
	param_str(&par, c->project_id);
	result_u64(&res, &seq);
	if ((a.f = run(s, ST_LOCK_PROJECT, &par, &res, &found)) != F_NONE)
		goto abort;
	if (!found) {
		a.rc = STORE_NONE;
		goto abort;
	}
	par.n = res.n = 0;
	bind_app(&par, &res, c->project_id, c->app_id, c->org_id, &out->app,
	    &oidc, &created);
	if ((a.f = run(s, ST_APP, &par, &res, &found)) != F_NONE)
		goto abort;
	if (!found || !oidc) {
		a.rc = found ? STORE_NOT_OIDC : STORE_NONE;
		goto abort;
	}
	out->app.oidc = 1;
	out->app.created = time_from_db(&created);
	/* Taken under the lock, so change dates follow the sequence. */
	out->change_date = ts_now();
	out->sequence = seq + 1;
	time_to_db(out->change_date, &now_db);

	par.n = 0;
	param_str(&par, c->hash);
	param_time(&par, &now_db);
	param_time(&par, &now_db);
	param_str(&par, c->app_id);
	if ((a.f = run(s, ST_SET_SECRET, &par, NULL, NULL)) != F_NONE)
		goto abort;
	if (mysql_stmt_affected_rows(s->st[ST_SET_SECRET]) == 0) {
		log_msg(LOG_ERROR, "database: OIDC app without an oidc_configs row");
		a.f = F_OTHER;
		goto abort;
	}
	seq = out->sequence;
	par.n = 0;
	param_u64(&par, &seq);
	param_time(&par, &now_db);
	param_str(&par, c->project_id);
	if ((a.f = run(s, ST_BUMP_PROJECT, &par, NULL, NULL)) != F_NONE)
		goto abort;
	par.n = 0;
	param_str(&par, c->project_id);
	param_u64(&par, &seq);
	param_str(&par, out->app.resource_owner);
	param_str(&par, c->editor);
	param_time(&par, &now_db);
	param_str(&par, c->app_id);
	param_str(&par, c->hash);
	if ((a.f = run(s, ST_EVENT, &par, NULL, NULL)) != F_NONE)
		goto abort;
	if (mysql_commit(s->db) != 0) {
		a.at_commit = 1;
		a.f = fail_db(s, "commit");
		goto abort;
	}
	out->lock_ns = mono_ns() - t0;
	if (mysql_autocommit(s->db, 1) != 0)
		a.f = fail_db(s, "autocommit");	/* committed all the same */
	if (a.f != F_NONE) {
		/* The change is in; the connection is not: drop it. */
		disconnect(s);
		a.f = F_NONE;
	}
	return a;
abort:
	if (a.f != F_GONE && (mysql_rollback(s->db) != 0 ||
	    mysql_autocommit(s->db, 1) != 0))
		a.f = F_GONE;
	if (a.f == F_GONE)
		disconnect(s);
	return a;
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

enum store_rc
store_change_secret(struct store *s, const struct change *c,
    struct change_result *out)
{
	struct attempt a;
	unsigned attempt;

	for (attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
		out->attempts = attempt;
		if (s->db == NULL) {
			enum fail f = connect_db(s);

			if (f != F_NONE)
				return to_rc(f);
		}
		a = change_once(s, c, out);
		switch (a.f) {
		case F_NONE:
			return a.rc;
		case F_CONFLICT:
			backoff(attempt);
			continue;
		case F_GONE:
			/*
			 * Lost before COMMIT: the server rolled back, so trying
			 * again on a new connection writes once.  Lost during
			 * COMMIT: it may have landed; do not write twice.
			 */
			if (a.at_commit)
				return STORE_UNAVAILABLE;
			continue;
		default:
			return STORE_FAILED;
		}
	}
	log_msg(LOG_WARN, "database: change of app in project abandoned after "
	    "%u attempts", MAX_ATTEMPTS);
	return STORE_UNAVAILABLE;
}

enum store_rc
store_ping(struct store *s)
{
	enum fail f;
	int fresh = 0;

	if (s->db == NULL) {
		if ((f = connect_db(s)) != F_NONE)
			return to_rc(f);
		fresh = 1;
	}
	if (mysql_ping(s->db) == 0)
		return STORE_OK;
	disconnect(s);
	if (fresh || connect_db(s) != F_NONE)
		return STORE_UNAVAILABLE;
	return mysql_ping(s->db) == 0 ? STORE_OK : STORE_UNAVAILABLE;
}

/* --- oidc-secret-admin: statements prepared once, used once --- */

/*
 * Prepares, runs and closes one statement; with res, calls each() for every
 * row fetched.  Connects when needed.
 */
static enum store_rc
oneshot(struct store *s, const char *q, struct binds *par, struct binds *res,
    void (*each)(void *arg), void *arg, unsigned long long *affected)
{
	MYSQL_STMT *st = NULL;
	enum fail f = F_NONE;
	int rc = MYSQL_NO_DATA;

	if (s->db == NULL && (f = connect_db(s)) != F_NONE)
		return to_rc(f);
	st = mysql_stmt_init(s->db);
	if (st == NULL)
		return to_rc(fail_db(s, "statement init"));
	if (mysql_stmt_prepare(st, q, strlen(q)) != 0 ||
	    (par != NULL && mysql_stmt_bind_param(st, par->b) != 0) ||
	    mysql_stmt_execute(st) != 0 ||
	    (res != NULL && mysql_stmt_bind_result(st, res->b) != 0)) {
		unsigned err = mysql_stmt_errno(st);

		log_msg(LOG_ERROR, "database: %u %s", err, mysql_stmt_error(st));
		f = classify(err);
		if (f == F_NONE)
			f = F_OTHER;
		goto out;
	}
	if (affected != NULL)
		*affected = mysql_stmt_affected_rows(st);
	while (res != NULL && (rc = mysql_stmt_fetch(st)) == 0) {
		if (finish_strings(res) != 0) {
			f = F_OTHER;
			goto out;
		}
		if (each != NULL)
			each(arg);
	}
	if (res != NULL && rc != MYSQL_NO_DATA) {
		log_msg(LOG_ERROR, "database: fetch: %s", mysql_stmt_error(st));
		f = F_OTHER;
	}
out:
	mysql_stmt_close(st);
	if (f == F_GONE)
		disconnect(s);
	return to_rc(f);
}

enum store_rc
store_exec(struct store *s, const char *statement)
{
	return oneshot(s, statement, NULL, NULL, NULL, NULL, NULL);
}

enum store_rc
store_begin(struct store *s)
{
	enum fail f;

	if (s->db == NULL && (f = connect_db(s)) != F_NONE)
		return to_rc(f);
	return mysql_autocommit(s->db, 0) == 0 ? STORE_OK :
	    to_rc(fail_db(s, "begin"));
}

enum store_rc
store_commit(struct store *s)
{
	if (s->db == NULL)
		return STORE_UNAVAILABLE;
	if (mysql_commit(s->db) != 0) {
		enum store_rc rc = to_rc(fail_db(s, "commit"));

		store_rollback(s);
		return rc;
	}
	return mysql_autocommit(s->db, 1) == 0 ? STORE_OK :
	    to_rc(fail_db(s, "autocommit"));
}

void
store_rollback(struct store *s)
{
	if (s->db != NULL && (mysql_rollback(s->db) != 0 ||
	    mysql_autocommit(s->db, 1) != 0))
		disconnect(s);
}

enum store_rc
store_schema_version(struct store *s, unsigned *version)
{
	static const char q_table[] =
	    "SELECT COUNT(*) FROM information_schema.tables"
	    " WHERE table_schema = DATABASE() AND table_name = 'schema_migrations'";
	static const char q_max[] =
	    "SELECT COALESCE(MAX(version), 0) FROM schema_migrations";
	struct binds res = { .n = 0 };
	unsigned long long v = 0;
	enum store_rc rc;

	*version = 0;
	result_u64(&res, &v);
	rc = oneshot(s, q_table, NULL, &res, NULL, NULL, NULL);
	if (rc != STORE_OK || v == 0)
		return rc;
	res.n = 0;
	result_u64(&res, &v);
	rc = oneshot(s, q_max, NULL, &res, NULL, NULL, NULL);
	if (rc == STORE_OK)
		*version = (unsigned)v;
	return rc;
}

enum store_rc
store_record_migration(struct store *s, unsigned version, const char *name)
{
	static const char q[] =
	    "INSERT INTO schema_migrations (version, name, applied_at)"
	    " VALUES (?, ?, UTC_TIMESTAMP(6))";
	struct binds par = { .n = 0 };
	unsigned long long v = version;

	param_u64(&par, &v);
	param_str(&par, name);
	return oneshot(s, q, &par, NULL, NULL, NULL, NULL);
}

static void
count_row(void *arg)
{
	(*(unsigned *)arg)++;
}

/* STORE_OK when "SELECT 1 ..." with these parameters finds a row. */
static enum store_rc
exists(struct store *s, const char *q, struct binds *par)
{
	struct binds res = { .n = 0 };
	unsigned long long one;
	unsigned rows = 0;
	enum store_rc rc;

	result_u64(&res, &one);
	rc = oneshot(s, q, par, &res, count_row, &rows, NULL);
	if (rc != STORE_OK)
		return rc;
	return rows > 0 ? STORE_OK : STORE_NONE;
}

enum store_rc
store_migration_recorded(struct store *s, unsigned version)
{
	struct binds par = { .n = 0 };
	unsigned long long v = version;

	param_u64(&par, &v);
	return exists(s, "SELECT 1 FROM schema_migrations WHERE version = ?", &par);
}

enum store_rc
store_migration_lock(struct store *s, unsigned wait_s)
{
	static const char q[] = "SELECT COALESCE(GET_LOCK(CONCAT(DATABASE(),"
	    " '.oidc-secret-migrate'), ?), 0)";
	struct binds par = { .n = 0 }, res = { .n = 0 };
	unsigned long long wait = wait_s, got = 0;
	enum store_rc rc;

	param_u64(&par, &wait);
	result_u64(&res, &got);
	rc = oneshot(s, q, &par, &res, NULL, NULL, NULL);
	if (rc != STORE_OK)
		return rc;
	return got == 1 ? STORE_OK : STORE_NONE;
}

enum store_rc
store_user_exists(struct store *s, const char *user_id)
{
	struct binds par = { .n = 0 };

	param_str(&par, user_id);
	return exists(s, "SELECT 1 FROM users WHERE id = ?", &par);
}

enum store_rc
store_token_add(struct store *s, const char *sha256_hex, const char *user_id,
    int pat, const char *audience, const char *scopes, const struct ts *expires)
{
	static const char q[] =
	    "INSERT INTO access_tokens (token_sha256, user_id, token_type,"
	    " audience, scopes, expires_at, revoked_at, creation_date)"
	    " VALUES (?, ?, ?, ?, ?, ?, NULL, UTC_TIMESTAMP(6))";
	struct binds par = { .n = 0 };
	MYSQL_TIME exp;

	param_str(&par, sha256_hex);
	param_str(&par, user_id);
	param_str(&par, pat ? "pat" : "access");
	param_str(&par, audience);
	param_str(&par, scopes);
	param_time(&par, &exp);
	if (expires != NULL)
		time_to_db(*expires, &exp);
	else
		par.null[par.n - 1] = 1;
	return oneshot(s, q, &par, NULL, NULL, NULL, NULL);
}

enum store_rc
store_token_revoke(struct store *s, const char *prefix, unsigned *matched)
{
	static const char q_count[] =
	    "SELECT COUNT(*) FROM access_tokens"
	    " WHERE token_sha256 LIKE CONCAT(?, '%') AND revoked_at IS NULL";
	static const char q_revoke[] =
	    "UPDATE access_tokens SET revoked_at = UTC_TIMESTAMP(6)"
	    " WHERE token_sha256 LIKE CONCAT(?, '%') AND revoked_at IS NULL";
	struct binds par = { .n = 0 }, res = { .n = 0 };
	unsigned long long n = 0;
	enum store_rc rc;
	size_t i;

	/* Hex only: no LIKE wildcard can come in through the prefix. */
	for (i = 0; prefix[i] != '\0'; i++)
		if (!((prefix[i] >= '0' && prefix[i] <= '9') ||
		    (prefix[i] >= 'a' && prefix[i] <= 'f')))
			return STORE_NONE;
	*matched = 0;
	param_str(&par, prefix);
	result_u64(&res, &n);
	rc = oneshot(s, q_count, &par, &res, NULL, NULL, NULL);
	if (rc != STORE_OK)
		return rc;
	*matched = (unsigned)n;
	if (n != 1)
		return STORE_NONE;
	return oneshot(s, q_revoke, &par, NULL, NULL, NULL, NULL);
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

enum store_rc
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
	param_str(&par, u);
	param_str(&par, u);
	result_str(&res, c.sha, sizeof(c.sha));
	result_str(&res, c.t.user_id, sizeof(c.t.user_id));
	result_u64(&res, &c.pat);
	result_str(&res, c.t.audience, sizeof(c.t.audience));
	result_time(&res, &c.exp);
	result_time(&res, &c.rev);
	result_time(&res, &c.created);
	c.exp_null = &res.null[4];
	c.rev_null = &res.null[5];
	return oneshot(s, q, &par, &res, list_row, &c, NULL);
}

enum store_rc
store_secret_hash(struct store *s, const char *project_id, const char *app_id,
    char *hash, size_t hashlen)
{
	static const char q[] =
	    "SELECT o.client_secret_hash FROM oidc_configs o"
	    " JOIN apps a ON a.id = o.app_id"
	    " WHERE a.id = ? AND a.project_id = ? AND a.state <> 'removed'"
	    " AND o.client_secret_hash IS NOT NULL";
	struct binds par = { .n = 0 }, res = { .n = 0 };
	unsigned rows = 0;
	enum store_rc rc;

	param_str(&par, app_id);
	param_str(&par, project_id);
	result_str(&res, hash, hashlen);
	rc = oneshot(s, q, &par, &res, count_row, &rows, NULL);
	if (rc != STORE_OK)
		return rc;
	return rows == 1 ? STORE_OK : STORE_NONE;
}
