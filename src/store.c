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

/*
 * A deadlock or a cluster's certification conflict is over at once: up to
 * MAX_ATTEMPTS tries.  A lock wait timeout has already waited
 * db_lock_wait_timeout_s: after MAX_WAITS of them, give up.
 */
#define MAX_ATTEMPTS 6
#define MAX_WAITS 3

static const char *const sql[ST__COUNT] = {
	[ST_LOCK_WAIT] =
	    "SET SESSION innodb_lock_wait_timeout = ?",
	/* A Galera node's state; '' everywhere else (MySQL has none). */
	[ST_NODE] =
	    "SELECT COALESCE((SELECT VARIABLE_VALUE FROM"
	    " information_schema.GLOBAL_VARIABLES"
	    " WHERE VARIABLE_NAME = 'WSREP_ON'), ''),"
	    " COALESCE((SELECT VARIABLE_VALUE FROM"
	    " information_schema.GLOBAL_STATUS"
	    " WHERE VARIABLE_NAME = 'WSREP_READY'), ''),"
	    " COALESCE((SELECT VARIABLE_VALUE FROM"
	    " information_schema.GLOBAL_STATUS"
	    " WHERE VARIABLE_NAME = 'WSREP_CLUSTER_STATUS'), ''),"
	    " COALESCE((SELECT VARIABLE_VALUE FROM"
	    " information_schema.GLOBAL_STATUS"
	    " WHERE VARIABLE_NAME = 'WSREP_LOCAL_STATE_COMMENT'), '')",
	/* Causal reads: a read waits until the node has applied what the
	 * cluster committed before it (doc/galera.md). */
	[ST_SYNC_WAIT] =
	    "SET SESSION wsrep_sync_wait = ?",
	/*
	 * The token alone, by its primary key: a token that is not there,
	 * the common refusal, costs no more (doc/database.md).
	 */
	[ST_TOKEN] =
	    "SELECT user_id, token_type = 'pat', audience FROM access_tokens"
	    " WHERE token_sha256 = ? AND revoked_at IS NULL"
	    " AND (expires_at IS NULL OR expires_at > UTC_TIMESTAMP(6))",
	/*
	 * Every other check's answer at once, for the token's user, who must
	 * be active in an active org (no row otherwise).  The acting org is
	 * x-zitadel-orgid or the user's own for v1 (?1 true), the project's
	 * own for v2.  The app's columns are NULL when there is no such
	 * project or app.
	 */
	[ST_ACCESS] =
	    "SELECT u.resource_owner,"
	    " ? IS NULL OR EXISTS (SELECT 1 FROM orgs x"
	    " WHERE x.id = ? AND x.state = 'active'),"
	    " EXISTS (SELECT 1 FROM memberships m"
	    " JOIN role_permissions r ON r.role = m.role AND r.scope = m.scope"
	    " WHERE m.user_id = u.id AND r.permission = ?"
	    " AND ((m.scope = 'instance' AND m.scope_id = '')"
	    " OR (m.scope = 'org' AND m.scope_id = IF(?,"
	    " COALESCE(?, u.resource_owner),"
	    " (SELECT q.resource_owner FROM projects q WHERE q.id = ?)))"
	    " OR (m.scope = 'project' AND m.scope_id = ?))),"
	    " a.id IS NOT NULL, COALESCE(a.app_type + 0, 0), a.creation_date,"
	    " COALESCE(p.resource_owner, ''),"
	    " CASE a.app_type"
	    " WHEN 'oidc' THEN EXISTS (SELECT 1 FROM oidc_configs c"
	    " WHERE c.app_id = a.id)"
	    " WHEN 'api' THEN EXISTS (SELECT 1 FROM api_configs c"
	    " WHERE c.app_id = a.id) ELSE 0 END"
	    " FROM users u"
	    " JOIN orgs o ON o.id = u.resource_owner"
	    " LEFT JOIN projects p ON p.id = ? AND p.state <> 'removed'"
	    " AND (NOT ? OR p.resource_owner = COALESCE(?, u.resource_owner))"
	    " LEFT JOIN apps a ON a.id = ? AND a.project_id = p.id"
	    " AND a.state <> 'removed'"
	    " WHERE u.id = ? AND u.state = 'active' AND o.state = 'active'",
	/* Locks the project's row; LAST_INSERT_ID() hands the new value
	 * back with the answer, without a SELECT. */
	[ST_BUMP_PROJECT] =
	    "UPDATE projects SET sequence = LAST_INSERT_ID(sequence + 1)"
	    " WHERE id = ? AND state <> 'removed'",
	/*
	 * Single-table statements only: a multi-table UPDATE crashed
	 * MariaDB 10.11's Galera nodes under load (doc/galera.md).
	 * Changes nothing unless the app is still there, of its kind.
	 */
	[ST_TOUCH_APP] =
	    "UPDATE apps SET change_date = ? WHERE id = ? AND project_id = ?"
	    " AND app_type = ? AND state <> 'removed'",
	[ST_SET_SECRET_OIDC] =
	    "UPDATE oidc_configs SET client_secret_hash = ?,"
	    " secret_change_date = ? WHERE app_id = ?",
	[ST_SET_SECRET_API] =
	    "UPDATE api_configs SET client_secret_hash = ?,"
	    " secret_change_date = ? WHERE app_id = ?",
	[ST_TOUCH_PROJECT] =
	    "UPDATE projects SET change_date = ? WHERE id = ?",
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

	s->last_error = error;
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

	s->last_error = error;
	if (e == ERR_OK)
		e = ERR_INTERNAL;
	log_msg(e == ERR_INTERNAL ? LOG_ERROR : LOG_WARN,
	    "database: statement %d %s: %u %s", (int)id, what, error,
	    mysql_stmt_error(s->st[id]));
	return e;
}

static enum err run(struct store *s, enum stmt id, struct binds *par,
    struct binds *res, int *found);

/* What a node says of itself; "" for a value a server does not have. */
struct node_state {
	char on[8], ready[8], cluster[32], state[32];
};

static enum err
node_state(struct store *s, struct node_state *n)
{
	struct binds res = { .n = 0 };
	int found = 0;
	enum err e;

	result_str(&res, n->on, sizeof(n->on));
	result_str(&res, n->ready, sizeof(n->ready));
	result_str(&res, n->cluster, sizeof(n->cluster));
	result_str(&res, n->state, sizeof(n->state));
	e = run(s, ST_NODE, NULL, &res, &found);
	if (e == ERR_OK && !found)
		e = ERR_INTERNAL;
	return e;
}

static const char *
host_name(const struct db_host *h)
{
	return h->name[0] != '\0' ? h->name : "localhost";
}

/*
 * Connects to one host within timeout_s, and takes it only when it can
 * serve: a Galera node must be ready and in the Primary component.
 */
static enum err
connect_one(struct store *s, const struct db_host *h, unsigned timeout_s)
{
	const struct config *c = s->cfg;
	unsigned long long lock_wait = c->db_lock_wait_timeout_s, one = 1;
	struct binds par = { .n = 0 };
	struct node_state n;
	unsigned timeout;
	enum err e;

	store_disconnect(s);
	s->db = mysql_init(NULL);
	if (s->db == NULL)
		return ERR_INTERNAL;
	mysql_options(s->db, MYSQL_OPT_CONNECT_TIMEOUT, &timeout_s);
	timeout = c->db_rw_timeout_s;
	mysql_options(s->db, MYSQL_OPT_READ_TIMEOUT, &timeout);
	mysql_options(s->db, MYSQL_OPT_WRITE_TIMEOUT, &timeout);
	mysql_options(s->db, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	if (mysql_real_connect(s->db, h->name[0] != '\0' ? h->name : NULL,
	    c->db_user, c->db_password, c->db_name, h->port,
	    c->db_socket[0] != '\0' ? c->db_socket : NULL,
	    CLIENT_FOUND_ROWS) == NULL) {
		unsigned error = mysql_errno(s->db);

		/* Access denied: what the database's administrator can run. */
		if (error == ER_ACCESS_DENIED_ERROR ||
		    error == ER_DBACCESS_DENIED_ERROR) {
			int local = h->name[0] == '\0' ||
			    strcmp(h->name, "localhost") == 0;
			const char *at = local ? "localhost" : "%";

			log_msg(LOG_ERROR, "database: connect to %s: %u %s: "
			    "the database knows no user %s with this "
			    "db_password, or gave it no access to %s; as its "
			    "administrator run CREATE USER '%s'@'%s' "
			    "IDENTIFIED BY '<db_password>'; then for "
			    "oidc-secret-admin GRANT ALL ON `%s`.* TO "
			    "'%s'@'%s', for the responder the GRANT lines of "
			    "oidc-secret.conf(5)", host_name(h), error,
			    mysql_error(s->db), c->db_user, c->db_name,
			    c->db_user, at, c->db_name, c->db_user, at);
		} else
			log_msg(LOG_WARN, "database: connect to %s: %u %s",
			    host_name(h), error, mysql_error(s->db));
		store_disconnect(s);
		/* Bad password or database name: unreachable, to a client. */
		return ERR_UNAVAILABLE;
	}
	if ((e = node_state(s, &n)) != ERR_OK)
		goto fail;
	s->galera = strcmp(n.on, "ON") == 0;
	if (s->galera && (strcmp(n.ready, "ON") != 0 ||
	    strcmp(n.cluster, "Primary") != 0)) {
		log_msg(LOG_WARN, "database: %s cannot serve (wsrep_ready=%s, "
		    "cluster %s, %s): next host", host_name(h), n.ready,
		    n.cluster, n.state);
		e = ERR_UNAVAILABLE;
		goto fail;
	}
	/* A held row lock must not outlive a web request. */
	bind_u64(&par, &lock_wait);
	if ((e = run(s, ST_LOCK_WAIT, &par, NULL, NULL)) != ERR_OK)
		goto fail;
	if (s->galera) {
		par.n = 0;
		bind_u64(&par, &one);
		if ((e = run(s, ST_SYNC_WAIT, &par, NULL, NULL)) != ERR_OK)
			goto fail;
	}
	return ERR_OK;
fail:
	store_disconnect(s);
	return e == ERR_INTERNAL ? e : ERR_UNAVAILABLE;
}

/*
 * db_host's hosts in order, from the one this process used last (or the
 * first), until one can serve; db_connect_timeout_s bounds them all.
 * Every process prefers the first host, so a cluster takes its writes on
 * one node while that node is up: no certification conflicts between
 * nodes (doc/galera.md).
 */
static enum err
connect_db(struct store *s)
{
	int64_t deadline = util_mono_ns() +
	    (int64_t)s->cfg->db_connect_timeout_s * 1000000000;
	unsigned k;
	enum err e = ERR_UNAVAILABLE;

	for (k = 0; k < s->nhosts; k++) {
		unsigned i = (s->at + k) % s->nhosts;
		int64_t left = deadline - util_mono_ns();

		if (left <= 0)
			break;
		e = connect_one(s, &s->hosts[i],
		    (unsigned)((left + 999999999) / 1000000000));
		if (e == ERR_OK) {
			if (i != s->at)
				log_msg(LOG_WARN, "database: now on %s",
				    host_name(&s->hosts[i]));
			s->at = i;
			return ERR_OK;
		}
		if (e == ERR_INTERNAL)
			break;
	}
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
store_drop(struct store *s)
{
	store_disconnect(s);
	if (s->nhosts > 0)
		s->at = (s->at + 1) % s->nhosts;
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
	char err[256];

	if (s == NULL)
		return NULL;
	s->cfg = cfg;
	/* config_check() accepted the list: this cannot fail. */
	if (config_db_hosts(cfg, s->hosts, &s->nhosts, err,
	    sizeof(err)) != 0) {
		log_msg(LOG_ERROR, "configuration: %s", err);
		free(s);
		return NULL;
	}
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
		store_drop(s);
		if ((e = connect_db(s)) != ERR_OK)
			return e;
		e = run(s, id, par, res, found);
	}
	if (e == ERR_UNAVAILABLE)
		store_drop(s);
	return e == ERR_CONFLICT ? ERR_UNAVAILABLE : e;
}

/* ENUM + 0 is the value's position, from 1 (MySQL's ENUM type). */
static int
app_kind(unsigned long long v, enum app_kind *out)
{
	switch (v) {
	case 1:
		*out = APP_OIDC;
		return 0;
	case 2:
		*out = APP_API;
		return 0;
	case 3:
		*out = APP_SAML;
		return 0;
	default:
		log_msg(LOG_ERROR, "database: unknown app_type %llu", v);
		return -1;
	}
}

enum err
store_lookup(struct store *s, const struct lookup_key *k, struct lookup *out)
{
	struct binds par = { .n = 0 }, res = { .n = 0 };
	unsigned long long pat = 0, org_ok = 0, perm = 0, app = 0, kind = 0;
	unsigned long long config = 0;
	unsigned long long v1 = k->v1 != 0;
	MYSQL_TIME created;
	int found = 0;
	enum err e;

	memset(out, 0, sizeof(*out));
	bind_str(&par, k->digest);
	result_str(&res, out->user_id, sizeof(out->user_id));
	result_u64(&res, &pat);
	result_str(&res, out->audience, sizeof(out->audience));
	e = query(s, ST_TOKEN, &par, &res, &found);
	if (e != ERR_OK || !found)
		return e;

	par.n = res.n = 0;
	bind_str(&par, k->org);
	bind_str(&par, k->org);
	bind_str(&par, k->permission);
	bind_u64(&par, &v1);
	bind_str(&par, k->org);
	bind_str(&par, k->project_id);
	bind_str(&par, k->project_id);
	bind_str(&par, k->project_id);
	bind_u64(&par, &v1);
	bind_str(&par, k->org);
	bind_str(&par, k->app_id);
	bind_str(&par, out->user_id);
	result_str(&res, out->user_org, sizeof(out->user_org));
	result_u64(&res, &org_ok);
	result_u64(&res, &perm);
	result_u64(&res, &app);
	result_u64(&res, &kind);
	result_time(&res, &created);
	result_str(&res, out->resource_owner, sizeof(out->resource_owner));
	result_u64(&res, &config);
	e = query(s, ST_ACCESS, &par, &res, &found);
	if (e != ERR_OK || !found)
		return e;	/* no row: the user or its org is not active */
	out->token_found = 1;
	out->pat = pat != 0;
	out->org_active = org_ok != 0;
	out->permitted = perm != 0;
	if (app != 0) {
		if (app_kind(kind, &out->kind) != 0 || res.null[5])
			return ERR_INTERNAL;
		out->app_found = 1;
		out->has_config = config != 0;
		out->created = time_from_db(&created);
	}
	return ERR_OK;
}

/*
 * One attempt at the change.  *at_commit tells that the failure came from
 * COMMIT itself, after which the change may have landed.
 */
static enum err
change_once(struct store *s, const struct change *c,
    struct change_result *out, int *at_commit)
{
	struct binds par = { .n = 0 };
	unsigned long long seq;
	MYSQL_TIME now_db;
	enum stmt set = c->kind == APP_API ? ST_SET_SECRET_API :
	    ST_SET_SECRET_OIDC;
	int64_t t0;
	enum err e;

	*at_commit = 0;
	if (mysql_autocommit(s->db, 0) != 0) {
		/*
		 * Lost since the lookup (KILL, restart, wait_timeout while the
		 * secret was hashed): drop the handle so the next attempt
		 * connects again instead of failing on it three times.
		 */
		e = fail_db(s, "begin");
		if (e == ERR_UNAVAILABLE)
			store_drop(s);
		return e;
	}
	t0 = util_mono_ns();
	bind_str(&par, c->project_id);
	if ((e = run(s, ST_BUMP_PROJECT, &par, NULL, NULL)) != ERR_OK)
		goto abort;
	if (mysql_stmt_affected_rows(s->st[ST_BUMP_PROJECT]) != 1) {
		e = ERR_APP_NOT_FOUND;
		goto abort;
	}
	seq = mysql_stmt_insert_id(s->st[ST_BUMP_PROJECT]);
	/* Taken under the row lock, so change dates follow the sequence. */
	out->change_date = ts_now();
	out->sequence = seq;
	time_to_db(out->change_date, &now_db);

	par.n = 0;
	bind_time(&par, &now_db);
	bind_str(&par, c->app_id);
	bind_str(&par, c->project_id);
	bind_str(&par, c->kind == APP_API ? "api" : "oidc");
	if ((e = run(s, ST_TOUCH_APP, &par, NULL, NULL)) != ERR_OK)
		goto abort;
	if (mysql_stmt_affected_rows(s->st[ST_TOUCH_APP]) != 1) {
		e = ERR_APP_NOT_FOUND;	/* removed since the lookup */
		goto abort;
	}
	par.n = 0;
	bind_str(&par, c->hash);
	bind_time(&par, &now_db);
	bind_str(&par, c->app_id);
	if ((e = run(s, set, &par, NULL, NULL)) != ERR_OK)
		goto abort;
	if (mysql_stmt_affected_rows(s->st[set]) != 1) {
		log_msg(LOG_ERROR, "database: app without its configuration "
		    "row (oidc_configs or api_configs)");
		e = ERR_INTERNAL;
		goto abort;
	}
	par.n = 0;
	bind_time(&par, &now_db);
	bind_str(&par, c->project_id);
	if ((e = run(s, ST_TOUCH_PROJECT, &par, NULL, NULL)) != ERR_OK)
		goto abort;
	par.n = 0;
	bind_str(&par, c->project_id);
	bind_u64(&par, &seq);
	bind_str(&par, event_type[c->kind]);
	bind_str(&par, c->org_id);
	bind_str(&par, c->editor);
	bind_time(&par, &now_db);
	bind_str(&par, c->app_id);
	bind_str(&par, c->hash);
	if ((e = run(s, ST_EVENT, &par, NULL, NULL)) != ERR_OK) {
		/*
		 * That sequence is taken: another change committed since our
		 * read of it (a cluster node that had not applied it yet).
		 */
		if (s->last_error == ER_DUP_ENTRY)
			e = ERR_CONFLICT;
		goto abort;
	}
	/*
	 * Turning autocommit back on commits the transaction: COMMIT and
	 * the session's return to autocommit in one round trip.  Its error
	 * is COMMIT's (a deadlock, a certification conflict, a lost
	 * connection), and on error autocommit stays off.
	 */
	if (mysql_autocommit(s->db, 1) != 0) {
		*at_commit = 1;
		e = fail_db(s, "commit");
		goto abort;
	}
	out->lock_ns = util_mono_ns() - t0;
	return ERR_OK;
abort:
	/* A connection whose transaction cannot be ended is dropped. */
	if (e == ERR_UNAVAILABLE || mysql_rollback(s->db) != 0 ||
	    mysql_autocommit(s->db, 1) != 0)
		store_drop(s);
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
	unsigned attempt, waits = 0;
	int at_commit;
	enum err e;

	if (c->kind != APP_OIDC && c->kind != APP_API)
		return ERR_INTERNAL;
	for (attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
		out->attempts = attempt;
		if ((e = store_ensure(s)) != ERR_OK)
			return e;
		s->last_error = 0;
		e = change_once(s, c, out, &at_commit);
		if (e == ERR_CONFLICT) {
			if (s->last_error == ER_LOCK_WAIT_TIMEOUT &&
			    ++waits == MAX_WAITS)
				break;
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
	    "after %u attempts", out->attempts);
	return ERR_UNAVAILABLE;
}

enum err
store_ping(struct store *s)
{
	struct node_state n;
	int fresh = s->db == NULL;
	enum err e;

	if (store_ensure(s) != ERR_OK)
		return ERR_UNAVAILABLE;
	/* A statement, not just a ping: it proves the node serves. */
	e = node_state(s, &n);
	if (e != ERR_OK && !fresh) {
		store_drop(s);
		if (store_ensure(s) != ERR_OK)
			return ERR_UNAVAILABLE;
		e = node_state(s, &n);
	}
	if (e != ERR_OK || (s->galera && (strcmp(n.ready, "ON") != 0 ||
	    strcmp(n.cluster, "Primary") != 0))) {
		store_drop(s);
		return ERR_UNAVAILABLE;
	}
	/* A donor or desynced node serves, but lags: not ready. */
	if (s->galera && strcmp(n.state, "Synced") != 0) {
		log_msg(LOG_WARN, "database: %s is %s, not Synced: not ready",
		    host_name(&s->hosts[s->at]), n.state);
		return ERR_UNAVAILABLE;
	}
	return ERR_OK;
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
		store_drop(s);
	return e;
}

const char *
store_client_version(void)
{
	return mysql_get_client_info();
}
