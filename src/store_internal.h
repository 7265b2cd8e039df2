/*
 * store_internal.h - what the store's files share: the handle, parameter
 * and result binding, statements prepared once per connection, statements
 * prepared for one use, and the transaction runner.
 *
 * Only the store's own files include this; everything else sees store.h
 * and store_admin.h, and never the MySQL client library.
 */
#ifndef OIDC_SECRET_STORE_INTERNAL_H
#define OIDC_SECRET_STORE_INTERNAL_H

#include <mysql.h>

#include "store.h"

/* MySQL 8.0 replaced my_bool with bool; MariaDB's Connector/C keeps my_bool. */
#if !defined(MARIADB_PACKAGE_VERSION) && defined(LIBMYSQL_VERSION_ID) && \
    LIBMYSQL_VERSION_ID >= 80001
typedef bool db_bool;
#else
typedef my_bool db_bool;
#endif

#define MAX_BINDS 16
#define PREPARED_MAX 48

/* A statement of the request path: prepared at first use, then kept. */
struct stmt {
	const char *name;	/* what the log calls it */
	const char *sql;
};

struct store {
	const struct config *cfg;
	MYSQL *db;
	struct {
		const struct stmt *q;
		MYSQL_STMT *h;
	} prepared[PREPARED_MAX];
	unsigned nprepared;
	/* db_host's list; the one connected to, or to try first, is at. */
	struct db_host hosts[DB_HOSTS_MAX];
	unsigned nhosts, at;
	int galera;		/* the server is a Galera cluster node */
	unsigned last_error;	/* the server's last error number */
	unsigned lock_wait_s;	/* the session's innodb_lock_wait_timeout */
	/*
	 * Set by store_pin(): a lost connection is an error, never opened
	 * again behind the caller's back (a session lock would be lost).
	 */
	int pinned;
	/* store_ping()'s last answer, and until when it stands */
	enum err ready;
	int64_t ready_until;
};

/*
 * A role of user holding the permission (the first ?) at instance scope,
 * at the organisation org or at the project project (SQL expressions),
 * each role only at its own scope: the one membership test every
 * permission check uses (doc/database.md, "Roles and their scopes").
 */
#define SQL_PERMITTED(user, org, project) \
	"EXISTS (SELECT 1 FROM memberships m JOIN role_permissions r" \
	" ON r.role = m.role AND r.scope = m.scope WHERE m.user_id = " user \
	" AND r.permission = ? AND ((m.scope = 'instance' AND" \
	" m.scope_id = '') OR (m.scope = 'org' AND m.scope_id = " org ")" \
	" OR (m.scope = 'project' AND m.scope_id = " project ")))"

/*
 * The head of an access check's SELECT, its first two columns: the acting
 * organisation (the first ?, NULL when none was asked for) active, and the
 * caller holding the permission at instance scope, at the acting
 * organisation (v1) or the owner of the object in table (v2), or at
 * project (an SQL expression).  bind_access_head() binds its parameters.
 */
#define SQL_ACCESS_HEAD(table, project) \
	"SELECT ? IS NULL OR EXISTS (SELECT 1 FROM orgs x" \
	" WHERE x.id = ? AND x.state = 'active')," \
	" " SQL_PERMITTED("?", "IF(?, ?, (SELECT q.resource_owner" \
	" FROM " table " q WHERE q.id = ?))", project) ","

/* The token (its SHA-256 the first ?) still good, its user and org too. */
#define SQL_TOKEN_GOOD \
	"EXISTS (SELECT 1 FROM access_tokens t JOIN users tu" \
	" ON tu.id = t.user_id JOIN orgs tuo ON tuo.id = tu.resource_owner" \
	" WHERE t.token_sha256 = ? AND t.revoked_at IS NULL" \
	" AND (t.expires_at IS NULL OR t.expires_at > UTC_TIMESTAMP(6))" \
	" AND tu.state = 'active' AND tuo.state = 'active')"

/* Parameters or results of one statement. */
struct binds {
	MYSQL_BIND b[MAX_BINDS];
	unsigned long len[MAX_BINDS];
	db_bool null[MAX_BINDS];
	db_bool trunc[MAX_BINDS];
	int n;
};

void bind_str(struct binds *x, const char *s);	/* NULL binds SQL NULL */
void bind_u64(struct binds *x, unsigned long long *v);
void bind_time(struct binds *x, MYSQL_TIME *t);	/* NULL binds SQL NULL */
void result_str(struct binds *x, char *buf, size_t cap);
void result_u64(struct binds *x, unsigned long long *v);
/* SQL_ACCESS_HEAD's parameters; v1 is 1 or 0. */
void bind_access_head(struct binds *par, const char *org, const char *caller,
    const char *permission, unsigned long long *v1, const char *acting,
    const char *object_id);
void result_time(struct binds *x, MYSQL_TIME *t);
/* NUL-terminates string results; -1 when one was cut short or is NULL. */
int finish_strings(struct binds *x);

void time_to_db(struct ts t, MYSQL_TIME *m);
struct ts time_from_db(const MYSQL_TIME *m);

/* ERR_OK, or what a server or client error number means to the caller. */
enum err store_classify(unsigned error);

/* Opens the connection when there is none (and the handle is not pinned). */
enum err store_ensure(struct store *s);
void store_disconnect(struct store *s);
/* Drops a connection that failed: the next one tries the next host first. */
void store_drop(struct store *s);

/*
 * Runs q (prepared once per connection) with par; with res, fetches at
 * most one row into it and sets *found.  No reconnect: inside a
 * transaction, a lost connection is the transaction's end.
 */
enum err store_run(struct store *s, const struct stmt *q, struct binds *par,
    struct binds *res, int *found);

/*
 * The same outside a transaction: connects when needed, and runs q once
 * more on a new connection when the one made earlier turns out lost.
 */
enum err store_query(struct store *s, const struct stmt *q,
    struct binds *par, struct binds *res, int *found);

/* Rows q's last run changed, and the LAST_INSERT_ID() it set. */
unsigned long long store_affected(struct store *s, const struct stmt *q);
unsigned long long store_insert_id(struct store *s, const struct stmt *q);

/*
 * Prepares, runs and closes one statement q; with res, calls each(arg) for
 * every row fetched; with affected, stores the rows changed.  Connects when
 * needed.  ERR_OK, or the classified failure (logged).
 */
enum err store_oneshot(struct store *s, const char *q, struct binds *par,
    struct binds *res, void (*each)(void *arg), void *arg,
    unsigned long long *affected);

/*
 * What a transaction's body wrote as its event, so that a COMMIT whose
 * answer was lost can be told landed or not.
 */
struct txn_event {
	const char *aggregate_type;
	const char *aggregate_id;
	uint64_t sequence;
	char request_id[REQUEST_ID_LEN + 1];
};

/*
 * One transaction, attempted until it commits: body(s, arg, ev, out) runs
 * its statements (ERR_OK, or a kind; out->stale for a check that no longer
 * holds, which ends it).  Deadlocks, lock wait timeouts and certification
 * conflicts start it again, bounded and jittered; no attempt starts after
 * deadline_ns (0: none), each attempt's lock waits end by it, and COMMIT
 * is not sent after it (ERR_DEADLINE, nothing written).  A connection lost
 * during COMMIT is opened again and the event looked for: found, the
 * change landed (out->recovered); not found, it is attempted again.
 */
enum err store_transaction(struct store *s, int64_t deadline_ns,
    enum err (*body)(struct store *s, void *arg, struct txn_event *ev,
    struct change_result *out), void *arg, struct change_result *out);

#endif
