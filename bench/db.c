/*
 * db.c - the database floor D: the least work a regeneration needs from the
 * database, on N connections at once.  Each transaction updates one row
 * (the project's sequence, read back with LAST_INSERT_ID(), so no locking
 * SELECT), inserts one event and commits: three round trips and one commit
 * that waits for the redo log to reach the disk, as every durable change
 * must (innodb_flush_log_at_trx_commit = 1).  All connections write the same
 * project, as the benchmark's clients all regenerate the same app, so they
 * contend for the same row lock exactly as the responders do; --project
 * P1,P2,... spreads them over several projects instead (connection i writes
 * the (i mod n)-th), to show what group commit does for changes that do
 * not contend.
 *
 * With --lookups it measures instead the least a refused token costs the
 * database: one primary-key lookup of a digest that is not there, per
 * round trip (the floor of a request with a new bad token).
 *
 * It talks to the server directly through the client library, not through
 * the responder's store module: this is a limit for the store to approach,
 * and it holds whatever the store's statements are.
 *
 *   oidc-bench-db --socket S --database DB --user U --project P[,P...] --app A
 *       --org O --editor E [--connections N] [--seconds S] [--lookups]
 *
 * The password comes from BENCH_DB_PASSWORD, the stored hash (any string of
 * the configured format's length) from BENCH_HASH.  Prints one line of
 * key=value pairs: transactions per second and commit latency.
 */
#include <mysql.h>
#include <mysqld_error.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common.h"

#define SAMPLES_MAX 200000

#if !defined(MARIADB_PACKAGE_VERSION) && defined(LIBMYSQL_VERSION_ID) && \
    LIBMYSQL_VERSION_ID >= 80001
typedef bool db_bool;
#else
typedef my_bool db_bool;
#endif

static const char sql_lookup[] =
    "SELECT user_id FROM access_tokens WHERE token_sha256 = ?";
static const char sql_bump[] =
    "UPDATE projects SET sequence = LAST_INSERT_ID(sequence + 1),"
    " change_date = ? WHERE id = ?";
static const char sql_event[] =
    "INSERT INTO events (aggregate_type, aggregate_id, sequence,"
    " event_type, resource_owner, editor_user, creation_date, payload)"
    " VALUES ('project', ?, ?,"
    " 'project.application.config.oidc.secret.changed', ?, ?, ?,"
    " JSON_OBJECT('appId', ?, 'hashedSecret', ?))";

#define PROJECTS_MAX 64

struct target {
	const char *socket, *database, *user, *password;
	const char *app, *org, *editor, *hash;
	char *project[PROJECTS_MAX];
	unsigned nproject;
	int lookups;
};

struct worker {
	pthread_t tid;
	const struct target *t;
	const char *project;
	double until;
	unsigned long done, retries;
	int64_t *lat_ns;
	size_t nlat;
	char failure[256];
};

static int64_t
now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static void
bind_str(MYSQL_BIND *b, unsigned long *len, const char *s)
{
	memset(b, 0, sizeof(*b));
	*len = strlen(s);
	b->buffer_type = MYSQL_TYPE_STRING;
	b->buffer = (void *)(uintptr_t)s;
	b->buffer_length = *len;
	b->length = len;
}

static void
bind_time(MYSQL_BIND *b, MYSQL_TIME *t)
{
	memset(b, 0, sizeof(*b));
	b->buffer_type = MYSQL_TYPE_DATETIME;
	b->buffer = t;
}

static void
utc_now(MYSQL_TIME *m)
{
	struct timespec now;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	memset(m, 0, sizeof(*m));
	m->year = (unsigned)tm.tm_year + 1900;
	m->month = (unsigned)tm.tm_mon + 1;
	m->day = (unsigned)tm.tm_mday;
	m->hour = (unsigned)tm.tm_hour;
	m->minute = (unsigned)tm.tm_min;
	m->second = (unsigned)tm.tm_sec;
	m->second_part = (unsigned long)(now.tv_nsec / 1000);
	m->time_type = MYSQL_TIMESTAMP_DATETIME;
}

/* 0 committed, 1 conflict (rolled back: try again), -1 failed. */
static int
transaction(struct worker *w, MYSQL *db, MYSQL_STMT *bump, MYSQL_STMT *event)
{
	const struct target *t = w->t;
	MYSQL_BIND b[7];
	unsigned long len[7];
	unsigned long long seq;
	MYSQL_TIME now;
	unsigned err = 0;

	utc_now(&now);
	bind_time(&b[0], &now);
	bind_str(&b[1], &len[1], w->project);
	if (mysql_stmt_bind_param(bump, b) != 0 ||
	    mysql_stmt_execute(bump) != 0) {
		err = mysql_stmt_errno(bump);
		snprintf(w->failure, sizeof(w->failure), "update: %u %s", err,
		    mysql_stmt_error(bump));
		goto fail;
	}
	if (mysql_stmt_affected_rows(bump) != 1) {
		snprintf(w->failure, sizeof(w->failure), "no project %s",
		    w->project);
		mysql_rollback(db);
		return -1;
	}
	/* LAST_INSERT_ID(expr) comes back in the OK packet: no round trip. */
	seq = mysql_stmt_insert_id(bump);
	bind_str(&b[0], &len[0], w->project);
	memset(&b[1], 0, sizeof(b[1]));
	b[1].buffer_type = MYSQL_TYPE_LONGLONG;
	b[1].buffer = &seq;
	b[1].is_unsigned = 1;
	bind_str(&b[2], &len[2], t->org);
	bind_str(&b[3], &len[3], t->editor);
	bind_time(&b[4], &now);
	bind_str(&b[5], &len[5], t->app);
	bind_str(&b[6], &len[6], t->hash);
	if (mysql_stmt_bind_param(event, b) != 0 ||
	    mysql_stmt_execute(event) != 0) {
		err = mysql_stmt_errno(event);
		snprintf(w->failure, sizeof(w->failure), "insert: %u %s", err,
		    mysql_stmt_error(event));
		goto fail;
	}
	if (mysql_commit(db) != 0) {
		err = mysql_errno(db);
		snprintf(w->failure, sizeof(w->failure), "commit: %u %s", err,
		    mysql_error(db));
		goto fail;
	}
	return 0;
fail:
	mysql_rollback(db);
	if (err == ER_LOCK_DEADLOCK || err == ER_LOCK_WAIT_TIMEOUT) {
		w->failure[0] = '\0';
		return 1;
	}
	return -1;
}

/* 0 looked up (and found nothing), -1 failed. */
static int
lookup(struct worker *w, MYSQL_STMT *st)
{
	MYSQL_BIND b[1];
	unsigned long len[1];
	char digest[65];
	int rc;

	/* A digest no token has: 64 hex digits that vary per call. */
	snprintf(digest, sizeof(digest), "%016lx%048lx",
	    (unsigned long)(uintptr_t)w, w->done + w->retries);
	bind_str(&b[0], &len[0], digest);
	if (mysql_stmt_bind_param(st, b) != 0 || mysql_stmt_execute(st) != 0 ||
	    mysql_stmt_store_result(st) != 0) {
		snprintf(w->failure, sizeof(w->failure), "lookup: %s",
		    mysql_stmt_error(st));
		return -1;
	}
	rc = mysql_stmt_num_rows(st) == 0 ? 0 : -1;
	if (rc != 0)
		snprintf(w->failure, sizeof(w->failure), "lookup found a row");
	mysql_stmt_free_result(st);
	return rc;
}

static void *
work(void *arg)
{
	struct worker *w = arg;
	const struct target *t = w->t;
	MYSQL *db = mysql_init(NULL);
	MYSQL_STMT *bump = NULL, *event = NULL, *look = NULL;
	int rc;

	if (db == NULL ||
	    mysql_real_connect(db, NULL, t->user, t->password, t->database, 0,
	    t->socket, 0) == NULL) {
		snprintf(w->failure, sizeof(w->failure), "connect: %s",
		    db != NULL ? mysql_error(db) : "out of memory");
		goto out;
	}
	if (t->lookups) {
		if ((look = mysql_stmt_init(db)) == NULL ||
		    mysql_stmt_prepare(look, sql_lookup,
		    sizeof(sql_lookup) - 1) != 0) {
			snprintf(w->failure, sizeof(w->failure), "prepare: %s",
			    mysql_error(db));
			goto out;
		}
	/* Autocommit off once per session: no BEGIN round trip per change. */
	} else if (mysql_autocommit(db, 0) != 0 ||
	    (bump = mysql_stmt_init(db)) == NULL ||
	    mysql_stmt_prepare(bump, sql_bump, sizeof(sql_bump) - 1) != 0 ||
	    (event = mysql_stmt_init(db)) == NULL ||
	    mysql_stmt_prepare(event, sql_event, sizeof(sql_event) - 1) != 0) {
		snprintf(w->failure, sizeof(w->failure), "prepare: %s",
		    mysql_error(db));
		goto out;
	}
	while (bench_now() < w->until) {
		int64_t t0 = now_ns();

		rc = t->lookups ? lookup(w, look) :
		    transaction(w, db, bump, event);
		if (rc < 0)
			break;
		if (rc > 0) {
			w->retries++;
			continue;
		}
		if (w->nlat < SAMPLES_MAX)
			w->lat_ns[w->nlat++] = now_ns() - t0;
		w->done++;
	}
out:
	if (look != NULL)
		mysql_stmt_close(look);
	if (bump != NULL)
		mysql_stmt_close(bump);
	if (event != NULL)
		mysql_stmt_close(event);
	if (db != NULL)
		mysql_close(db);
	mysql_thread_end();
	return NULL;
}

static int
by_value(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	struct target t;
	struct worker w[64];
	const char *projects = bench_arg(argc, argv, "--project");
	char *list = NULL, *p, *save = NULL;
	unsigned conns = bench_arg_uint(argc, argv, "--connections", 1, 64);
	unsigned seconds = bench_arg_uint(argc, argv, "--seconds", 5, 3600);
	int64_t *all = NULL;
	size_t nall = 0;
	unsigned long total = 0, retries = 0;
	double t0, t1;
	unsigned i;

	t.socket = bench_arg(argc, argv, "--socket");
	t.database = bench_arg(argc, argv, "--database");
	t.user = bench_arg(argc, argv, "--user");
	t.app = bench_arg(argc, argv, "--app");
	t.org = bench_arg(argc, argv, "--org");
	t.editor = bench_arg(argc, argv, "--editor");
	t.password = getenv("BENCH_DB_PASSWORD");
	t.lookups = 0;
	for (i = 1; i < (unsigned)argc; i++)
		if (strcmp(argv[i], "--lookups") == 0)
			t.lookups = 1;
	t.hash = getenv("BENCH_HASH");
	if (t.socket == NULL || t.database == NULL || t.user == NULL ||
	    projects == NULL || t.app == NULL || t.org == NULL ||
	    t.editor == NULL || t.password == NULL || t.hash == NULL) {
		fprintf(stderr, "usage: BENCH_DB_PASSWORD=... BENCH_HASH=... "
		    "oidc-bench-db --socket S --database DB --user U "
		    "--project P --app A --org O --editor E [--connections N] "
		    "[--seconds S] [--lookups]\n");
		return 2;
	}
	memset(t.project, 0, sizeof(t.project));
	t.nproject = 0;
	if ((list = strdup(projects)) == NULL)
		return 1;
	for (p = strtok_r(list, ",", &save);
	    p != NULL && t.nproject < PROJECTS_MAX;
	    p = strtok_r(NULL, ",", &save))
		t.project[t.nproject++] = p;
	if (t.nproject == 0) {
		fprintf(stderr, "oidc-bench-db: --project: no project\n");
		return 2;
	}
	if (mysql_library_init(0, NULL, NULL) != 0)
		return 1;
	t0 = bench_now();
	for (i = 0; i < conns; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].t = &t;
		w[i].project = t.project[i % t.nproject];
		w[i].until = t0 + seconds;
		w[i].lat_ns = calloc(SAMPLES_MAX, sizeof(int64_t));
		if (w[i].lat_ns == NULL ||
		    pthread_create(&w[i].tid, NULL, work, &w[i]) != 0)
			return 1;
	}
	for (i = 0; i < conns; i++)
		pthread_join(w[i].tid, NULL);
	t1 = bench_now();
	all = calloc((size_t)conns * SAMPLES_MAX, sizeof(int64_t));
	if (all == NULL)
		return 1;
	for (i = 0; i < conns; i++) {
		if (w[i].failure[0] != '\0') {
			fprintf(stderr, "oidc-bench-db: connection %u: %s\n", i,
			    w[i].failure);
			return 1;
		}
		total += w[i].done;
		retries += w[i].retries;
		memcpy(all + nall, w[i].lat_ns, w[i].nlat * sizeof(int64_t));
		nall += w[i].nlat;
		free(w[i].lat_ns);
	}
	qsort(all, nall, sizeof(int64_t), by_value);
	printf("connections=%u transactions=%lu retries=%lu seconds=%.3f "
	    "rate=%.2f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f\n",
	    conns, total, retries, t1 - t0, (double)total / (t1 - t0),
	    nall ? (double)all[nall / 2] / 1e6 : 0.0,
	    nall ? (double)all[nall * 99 / 100] / 1e6 : 0.0,
	    nall ? (double)all[nall - 1] / 1e6 : 0.0);
	free(all);
	free(list);
	mysql_library_end();
	return 0;
}
