/*
 * store_internal.h - what store.c shares with store_admin.c: the handle,
 * parameter and result binding, and statements prepared for one use.
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

#define MAX_BINDS 12

/* The request path's statements, prepared once per connection. */
enum stmt {
	ST_LOCK_WAIT,
	ST_NODE,
	ST_SYNC_WAIT,
	ST_TOKEN,
	ST_ACCESS,
	ST_BUMP_PROJECT,
	ST_TOUCH_APP,
	ST_SET_SECRET_OIDC,
	ST_SET_SECRET_API,
	ST_TOUCH_PROJECT,
	ST_EVENT,
	ST__COUNT
};

struct store {
	const struct config *cfg;
	MYSQL *db;
	MYSQL_STMT *st[ST__COUNT];
	/* db_host's list; the one connected to, or to try first, is at. */
	struct db_host hosts[DB_HOSTS_MAX];
	unsigned nhosts, at;
	int galera;		/* the server is a Galera cluster node */
	unsigned last_error;	/* the server's last error number */
	/*
	 * Set by store_pin(): a lost connection is an error, never opened
	 * again behind the caller's back (a session lock would be lost).
	 */
	int pinned;
};

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
 * Prepares, runs and closes one statement q; with res, calls each(arg) for
 * every row fetched; with affected, stores the rows changed.  Connects when
 * needed.  ERR_OK, or the classified failure (logged).
 */
enum err store_oneshot(struct store *s, const char *q, struct binds *par,
    struct binds *res, void (*each)(void *arg), void *arg,
    unsigned long long *affected);

#endif
