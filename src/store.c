/*
 * store.c - the only module that touches the MySQL/MariaDB client library
 * (the other store_*.c files reach it through the helpers here).
 *
 * One connection per process, opened at the first call that needs it and
 * opened again when it is lost; each statement of the request path is
 * prepared at its first use on a connection and kept, and only prepared
 * statements carry data to the server.  Secrets are hashed by the caller
 * before a transaction starts, so no row lock is held while hashing
 * (doc/database.md).
 */
#include "store.h"
#include "store_internal.h"

#include <errmsg.h>
#include <mysqld_error.h>
#include <stdio.h>
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
/* How long /debug/ready's answer stands: a probe per second at most. */
#define READY_NS 1000000000LL

static const struct stmt st_lock_wait = { "set lock wait",
	"SET SESSION innodb_lock_wait_timeout = ?" };
/* Causal reads: a read waits until the node has applied what the
 * cluster committed before it (doc/galera.md). */
static const struct stmt st_sync_wait = { "set causal reads",
	"SET SESSION wsrep_sync_wait = ?" };
/*
 * A Galera node's state; '' everywhere else (MySQL has none).  Asked at
 * connect, and by /debug/ready only of a node that is one.
 */
static const struct stmt st_node = { "node state",
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
	" WHERE VARIABLE_NAME = 'WSREP_LOCAL_STATE_COMMENT'), '')" };
/* What /debug/ready asks of a server that is no cluster node. */
static const struct stmt st_alive = { "alive", "SELECT 1" };
/* After a COMMIT whose answer was lost: did this call's event land? */
static const struct stmt st_event_landed = { "event landed",
	"SELECT request_id = ? FROM events WHERE aggregate_type = ?"
	" AND aggregate_id = ? AND sequence = ?" };

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
bind_access_head(struct binds *par, const char *org, const char *caller,
    const char *permission, unsigned long long *v1, const char *acting,
    const char *object_id)
{
	bind_str(par, org);
	bind_str(par, org);
	bind_str(par, caller);
	bind_str(par, permission);
	bind_u64(par, v1);
	bind_str(par, acting);
	bind_str(par, object_id);
}

/* A number or a time reads back through the binding that sends it. */
void
result_u64(struct binds *x, unsigned long long *v)
{
	bind_u64(x, v);
}

void
result_time(struct binds *x, MYSQL_TIME *t)
{
	bind_time(x, t);
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
	unsigned i;

	for (i = 0; i < s->nprepared; i++)
		mysql_stmt_close(s->prepared[i].h);
	s->nprepared = 0;
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
fail_stmt(struct store *s, const struct stmt *q, MYSQL_STMT *h,
    const char *what)
{
	unsigned error = mysql_stmt_errno(h);
	enum err e = store_classify(error);

	s->last_error = error;
	if (e == ERR_OK)
		e = ERR_INTERNAL;
	log_msg(e == ERR_INTERNAL ? LOG_ERROR : LOG_WARN,
	    "database: %s: %s: %u %s", q->name, what, error,
	    mysql_stmt_error(h));
	return e;
}

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
	e = store_run(s, &st_node, NULL, &res, &found);
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
	if ((e = store_run(s, &st_lock_wait, &par, NULL, NULL)) != ERR_OK)
		goto fail;
	s->lock_wait_s = c->db_lock_wait_timeout_s;
	if (s->galera) {
		par.n = 0;
		bind_u64(&par, &one);
		e = store_run(s, &st_sync_wait, &par, NULL, NULL);
		if (e != ERR_OK)
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

/* --- statements --------------------------------------------------------- */

/* q's handle on this connection, prepared at its first use. */
static MYSQL_STMT *
prepared(struct store *s, const struct stmt *q, enum err *e)
{
	MYSQL_STMT *h;
	unsigned i;

	for (i = 0; i < s->nprepared; i++)
		if (s->prepared[i].q == q)
			return s->prepared[i].h;
	if (s->nprepared == PREPARED_MAX) {
		log_msg(LOG_ERROR, "database: more than %d statements",
		    PREPARED_MAX);
		*e = ERR_INTERNAL;
		return NULL;
	}
	h = mysql_stmt_init(s->db);
	if (h == NULL) {
		*e = fail_db(s, "statement init");
		return NULL;
	}
	if (mysql_stmt_prepare(h, q->sql, strlen(q->sql)) != 0) {
		*e = fail_stmt(s, q, h, "prepare");
		mysql_stmt_close(h);
		return NULL;
	}
	s->prepared[s->nprepared].q = q;
	s->prepared[s->nprepared].h = h;
	s->nprepared++;
	return h;
}

static MYSQL_STMT *
handle(struct store *s, const struct stmt *q)
{
	unsigned i;

	for (i = 0; i < s->nprepared; i++)
		if (s->prepared[i].q == q)
			return s->prepared[i].h;
	return NULL;
}

enum err
store_run(struct store *s, const struct stmt *q, struct binds *par,
    struct binds *res, int *found)
{
	MYSQL_STMT *h;
	enum err e = ERR_OK;
	int rc;

	if (found != NULL)
		*found = 0;
	if (s->db == NULL)
		return ERR_UNAVAILABLE;
	if ((h = prepared(s, q, &e)) == NULL)
		return e;
	if (par != NULL && mysql_stmt_bind_param(h, par->b) != 0)
		return fail_stmt(s, q, h, "bind");
	if (mysql_stmt_execute(h) != 0)
		return fail_stmt(s, q, h, "execute");
	if (res == NULL)
		return ERR_OK;
	if (mysql_stmt_bind_result(h, res->b) != 0) {
		e = fail_stmt(s, q, h, "bind result");
		goto out;
	}
	rc = mysql_stmt_fetch(h);
	if (rc == 0) {
		if (finish_strings(res) != 0) {
			log_msg(LOG_ERROR, "database: %s: a value is NULL or "
			    "longer than expected", q->name);
			e = ERR_INTERNAL;
		} else if (found != NULL)
			*found = 1;
	} else if (rc == MYSQL_DATA_TRUNCATED) {
		log_msg(LOG_ERROR, "database: %s: value truncated", q->name);
		e = ERR_INTERNAL;
	} else if (rc != MYSQL_NO_DATA)
		e = fail_stmt(s, q, h, "fetch");
out:
	mysql_stmt_free_result(h);
	return e;
}

/*
 * Connects when needed and, when a connection made earlier turns out lost
 * (KILL, server restart, wait_timeout), connects again and runs q once
 * more.  A connection that fails is not tried twice, so an unreachable
 * server costs one connect timeout at most.  A conflict outside a
 * transaction is unavailability.
 */
enum err
store_query(struct store *s, const struct stmt *q, struct binds *par,
    struct binds *res, int *found)
{
	enum err e;
	int fresh = s->db == NULL;

	if ((e = store_ensure(s)) != ERR_OK)
		return e;
	e = store_run(s, q, par, res, found);
	if (e == ERR_UNAVAILABLE && !fresh && !s->pinned) {
		store_drop(s);
		if ((e = connect_db(s)) != ERR_OK)
			return e;
		e = store_run(s, q, par, res, found);
	}
	if (e == ERR_UNAVAILABLE)
		store_drop(s);
	return e == ERR_CONFLICT ? ERR_UNAVAILABLE : e;
}

unsigned long long
store_affected(struct store *s, const struct stmt *q)
{
	MYSQL_STMT *h = handle(s, q);

	return h != NULL ? mysql_stmt_affected_rows(h) : 0;
}

unsigned long long
store_insert_id(struct store *s, const struct stmt *q)
{
	MYSQL_STMT *h = handle(s, q);

	return h != NULL ? mysql_stmt_insert_id(h) : 0;
}

/* --- transactions -------------------------------------------------------- */

static int
past(int64_t deadline_ns)
{
	return deadline_ns != 0 && util_mono_ns() >= deadline_ns;
}

/*
 * The session's lock wait, capped at what is left before the deadline
 * (whole seconds, at least one: the variable's unit).
 */
static enum err
cap_lock_wait(struct store *s, int64_t deadline_ns)
{
	unsigned long long want = s->cfg->db_lock_wait_timeout_s;
	struct binds par = { .n = 0 };
	enum err e;

	if (deadline_ns != 0) {
		int64_t left = deadline_ns - util_mono_ns();
		unsigned long long secs = left <= 0 ? 1 :
		    (unsigned long long)((left + 999999999) / 1000000000);

		if (secs < want)
			want = secs;
	}
	if (want == s->lock_wait_s)
		return ERR_OK;
	bind_u64(&par, &want);
	if ((e = store_run(s, &st_lock_wait, &par, NULL, NULL)) != ERR_OK)
		return e;
	s->lock_wait_s = (unsigned)want;
	return ERR_OK;
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

/* A transaction that cannot be ended drops its connection. */
static void
abort_txn(struct store *s, enum err e)
{
	if (s->db == NULL)
		return;
	if (e == ERR_UNAVAILABLE || mysql_rollback(s->db) != 0 ||
	    mysql_autocommit(s->db, 1) != 0)
		store_drop(s);
}

/*
 * After a connection lost during COMMIT: on a new connection (the next
 * host first), is the event this attempt wrote there?  1 yes, 0 no, -1
 * cannot tell.
 */
static int
landed(struct store *s, const struct txn_event *ev)
{
	struct binds par = { .n = 0 }, res = { .n = 0 };
	unsigned long long seq = ev->sequence, mine = 0;
	int found = 0;

	if (ev->aggregate_id == NULL || store_ensure(s) != ERR_OK)
		return -1;
	bind_str(&par, ev->request_id);
	bind_str(&par, ev->aggregate_type);
	bind_str(&par, ev->aggregate_id);
	bind_u64(&par, &seq);
	result_u64(&res, &mine);
	if (store_run(s, &st_event_landed, &par, &res, &found) != ERR_OK)
		return -1;
	return found && mine != 0;
}

/* One attempt; *at_commit when the failure came from COMMIT itself. */
static enum err
attempt(struct store *s, int64_t deadline_ns,
    enum err (*body)(struct store *, void *, struct txn_event *,
    struct change_result *), void *arg, struct txn_event *ev,
    struct change_result *out, int *at_commit)
{
	int64_t t0;
	enum err e;

	*at_commit = 0;
	if ((e = cap_lock_wait(s, deadline_ns)) != ERR_OK ||
	    mysql_autocommit(s->db, 0) != 0) {
		/*
		 * Lost since the lookup (KILL, restart, wait_timeout while the
		 * secret was hashed): drop the handle so the next attempt
		 * connects again instead of failing on it three times.
		 */
		if (e == ERR_OK)
			e = fail_db(s, "begin");
		if (e == ERR_UNAVAILABLE)
			store_drop(s);
		return e;
	}
	t0 = util_mono_ns();
	e = body(s, arg, ev, out);
	if (e == ERR_OK && out->stale)
		e = ERR_NOT_FOUND;
	/* Nothing is written for a caller who has gone. */
	if (e == ERR_OK && past(deadline_ns))
		e = ERR_DEADLINE;
	if (e != ERR_OK) {
		abort_txn(s, e);
		return e;
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
		abort_txn(s, e);
		return e;
	}
	out->lock_ns = util_mono_ns() - t0;
	return ERR_OK;
}

enum err
store_transaction(struct store *s, int64_t deadline_ns,
    enum err (*body)(struct store *, void *, struct txn_event *,
    struct change_result *), void *arg, struct change_result *out)
{
	struct txn_event ev;
	unsigned n, waits = 0;
	unsigned char rid[REQUEST_ID_LEN / 2];
	int at_commit, found;
	size_t i;
	enum err e = ERR_UNAVAILABLE;

	memset(out, 0, sizeof(*out));
	for (n = 1; n <= MAX_ATTEMPTS; n++) {
		out->attempts = n;
		if (past(deadline_ns))
			return ERR_DEADLINE;
		if ((e = store_ensure(s)) != ERR_OK)
			return e;
		memset(&ev, 0, sizeof(ev));
		/* The mark this attempt's event carries. */
		secret_nonce(rid, sizeof(rid));
		for (i = 0; i < sizeof(rid); i++)
			snprintf(ev.request_id + 2 * i, 3, "%02x", rid[i]);
		s->last_error = 0;
		out->stale = 0;
		e = attempt(s, deadline_ns, body, arg, &ev, out, &at_commit);
		if (e == ERR_OK || e == ERR_DEADLINE || e == ERR_NOT_FOUND)
			return e == ERR_NOT_FOUND ? ERR_OK : e;
		if (e == ERR_CONFLICT) {
			if (s->last_error == ER_LOCK_WAIT_TIMEOUT) {
				if (past(deadline_ns))
					return ERR_DEADLINE;
				if (++waits == MAX_WAITS)
					break;
			}
			backoff(n);
			continue;
		}
		if (e != ERR_UNAVAILABLE || s->pinned)
			return e;
		/*
		 * Lost before COMMIT: the server rolled back, so trying again
		 * on a new connection writes once.  Lost during COMMIT: it
		 * may have landed; the event it wrote tells.
		 */
		if (!at_commit)
			continue;
		found = landed(s, &ev);
		if (found == 1) {
			log_msg(LOG_WARN, "database: COMMIT's answer was lost, "
			    "but the change landed (%s %s sequence %llu)",
			    ev.aggregate_type, "event",
			    (unsigned long long)ev.sequence);
			out->recovered = 1;
			return ERR_OK;
		}
		if (found < 0)
			return ERR_UNAVAILABLE;
	}
	log_msg(LOG_WARN, "database: change abandoned after %u attempts",
	    out->attempts);
	return ERR_UNAVAILABLE;
}

/* --- readiness ----------------------------------------------------------- */

static enum err
probe(struct store *s)
{
	struct node_state n;
	struct binds res = { .n = 0 };
	unsigned long long one = 0;
	int fresh = s->db == NULL, found = 0;
	enum err e;

	if (store_ensure(s) != ERR_OK)
		return ERR_UNAVAILABLE;
	/* A statement, not just a ping: it proves the server serves. */
	if (!s->galera) {
		result_u64(&res, &one);
		e = store_query(s, &st_alive, NULL, &res, &found);
		return e == ERR_OK && found ? ERR_OK : ERR_UNAVAILABLE;
	}
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

enum err
store_ping(struct store *s)
{
	int64_t now = util_mono_ns();

	/*
	 * Unauthenticated, so cheap: one probe a second per process, and
	 * the cluster's state only of a cluster node.
	 */
	if (now < s->ready_until)
		return s->ready;
	s->ready = probe(s);
	s->ready_until = util_mono_ns() + READY_NS;
	return s->ready;
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

		s->last_error = error;
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

const char *
store_client_tls_library(void)
{
#ifdef MARIADB_PACKAGE_VERSION_ID
	const char *name = NULL;

	/* MariaDB Connector/C names its TLS library once it has started it. */
	if (mysql_library_init(0, NULL, NULL) != 0 ||
	    mariadb_get_infov(NULL, MARIADB_TLS_LIBRARY, &name) != 0 ||
	    name == NULL || name[0] == '\0')
		return NULL;
	return name;
#else
	return NULL;	/* MySQL's client library does not tell */
#endif
}
