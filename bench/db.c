/*
 * db.c - the database floors: the least work a call needs from the
 * database, on N connections at once, per mode (--mode, "change" when not
 * given):
 *
 *   change         D: a regeneration's change.  Each transaction updates
 *                  one row (the project's sequence, read back with
 *                  LAST_INSERT_ID(), so no locking SELECT), inserts one
 *                  event and commits: three round trips and one commit
 *                  that waits for the redo log to reach the disk, as every
 *                  durable change must (innodb_flush_log_at_trx_commit =
 *                  1).  All connections write the same project, as the
 *                  benchmark's clients all regenerate the same app, so
 *                  they contend for the same row lock exactly as the
 *                  responders do; --project P1,P2,... spreads them over
 *                  several projects instead (connection i writes the
 *                  (i mod n)-th), to show what group commit does for
 *                  changes that do not contend.
 *   refused-token  L: a token that is not there: one primary-key lookup
 *                  of a digest no token has (a new bad token's floor).
 *   client         C: a machine user's secret hash by its client ID (a
 *                  client authentication's one read; --client).
 *   introspect     I: an API app's secret hash by its client ID, then the
 *                  token's row by its digest (--client, --token-digest):
 *                  the two reads an introspection needs.
 *   issue          T: a machine user's secret hash by its client ID, then
 *                  a new access token's row inserted and committed on its
 *                  own (--client, --user): what issuing a token needs.
 *
 * One request of a mode is one "transaction" in the output.  It talks to
 * the server directly through the client library, with single-table
 * prepared statements, not through the responder's store module: this is a
 * limit for the store to approach, and it holds whatever the store's
 * statements are.
 *
 *   oidc-bench-db --socket S --database DB --user U [--mode M]
 *       [--project P[,P...] --app A --org O --editor E]
 *       [--client C] [--token-digest D] [--machine-user M]
 *       [--connections N] [--seconds S]
 *
 * The password comes from BENCH_DB_PASSWORD, the stored hash (any string of
 * the configured format's length) from BENCH_HASH (change only).  Prints
 * one line of key=value pairs: requests per second and their latency.
 */
#include <mysql.h>
#include <mysqld_error.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

#define SAMPLES_MAX 200000
#define STMTS_MAX 2

#if !defined(MARIADB_PACKAGE_VERSION) && defined(LIBMYSQL_VERSION_ID) && \
    LIBMYSQL_VERSION_ID >= 80001
typedef bool db_bool;
#else
typedef my_bool db_bool;
#endif

enum mode { CHANGE, REFUSED_TOKEN, CLIENT, INTROSPECT, ISSUE };

static const char *const mode_names[] = {
	[CHANGE] = "change",
	[REFUSED_TOKEN] = "refused-token",
	[CLIENT] = "client",
	[INTROSPECT] = "introspect",
	[ISSUE] = "issue",
};

/* Each mode's statements, prepared once per connection. */
static const char *const sql[][STMTS_MAX] = {
	[CHANGE] = {
		"UPDATE projects SET sequence = LAST_INSERT_ID(sequence + 1),"
		" change_date = ? WHERE id = ?",
		"INSERT INTO events (aggregate_type, aggregate_id, sequence,"
		" event_type, resource_owner, editor_user, creation_date,"
		" payload) VALUES ('project', ?, ?,"
		" 'project.application.config.oidc.secret.changed', ?, ?, ?,"
		" JSON_OBJECT('appId', ?, 'hashedSecret', ?))",
	},
	[REFUSED_TOKEN] = {
		"SELECT user_id FROM access_tokens WHERE token_sha256 = ?",
	},
	[CLIENT] = {
		"SELECT secret_hash FROM users WHERE client_id = ?",
	},
	[INTROSPECT] = {
		"SELECT client_secret_hash FROM api_configs WHERE client_id = ?",
		"SELECT user_id, audience, scopes, expires_at FROM access_tokens"
		" WHERE token_sha256 = ?",
	},
	[ISSUE] = {
		"SELECT secret_hash FROM users WHERE client_id = ?",
		"INSERT INTO access_tokens (token_sha256, user_id, token_type,"
		" audience, scopes, expires_at, creation_date)"
		" VALUES (?, ?, 'access', '69629026806489512', 'openid', ?, ?)",
	},
};

#define PROJECTS_MAX 64

struct target {
	enum mode mode;
	const char *socket, *database, *user, *password;
	const char *app, *org, *editor, *hash;
	const char *client, *token_digest, *machine_user;
	char *project[PROJECTS_MAX];
	unsigned nproject;
};

struct worker {
	pthread_t tid;
	const struct target *t;
	unsigned id;
	const char *project;
	double until;
	time_t started;
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
utc_time(MYSQL_TIME *m, int64_t offset_s)
{
	struct timespec now;
	struct tm tm;
	time_t sec;

	clock_gettime(CLOCK_REALTIME, &now);
	sec = now.tv_sec + (time_t)offset_s;
	gmtime_r(&sec, &tm);
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

/* Runs st with b; a row expected (want_row 1), none (0), or a write (-1). */
static int
exec(struct worker *w, MYSQL_STMT *st, MYSQL_BIND *b, int want_row)
{
	int rows;

	if (mysql_stmt_bind_param(st, b) != 0 || mysql_stmt_execute(st) != 0) {
		snprintf(w->failure, sizeof(w->failure), "%u %s",
		    mysql_stmt_errno(st), mysql_stmt_error(st));
		return -1;
	}
	if (want_row < 0)
		return 0;
	if (mysql_stmt_store_result(st) != 0) {
		snprintf(w->failure, sizeof(w->failure), "%s",
		    mysql_stmt_error(st));
		return -1;
	}
	rows = (int)mysql_stmt_num_rows(st);
	mysql_stmt_free_result(st);
	if (rows != want_row) {
		snprintf(w->failure, sizeof(w->failure), "%d rows, want %d",
		    rows, want_row);
		return -1;
	}
	return 0;
}

/* 0 committed, 1 conflict (rolled back: try again), -1 failed. */
static int
change(struct worker *w, MYSQL *db, MYSQL_STMT **st)
{
	const struct target *t = w->t;
	MYSQL_BIND b[7];
	unsigned long len[7];
	unsigned long long seq;
	MYSQL_TIME now;
	unsigned err = 0;

	utc_time(&now, 0);
	bind_time(&b[0], &now);
	bind_str(&b[1], &len[1], w->project);
	if (mysql_stmt_bind_param(st[0], b) != 0 ||
	    mysql_stmt_execute(st[0]) != 0) {
		err = mysql_stmt_errno(st[0]);
		snprintf(w->failure, sizeof(w->failure), "update: %u %s", err,
		    mysql_stmt_error(st[0]));
		goto fail;
	}
	if (mysql_stmt_affected_rows(st[0]) != 1) {
		snprintf(w->failure, sizeof(w->failure), "no project %s",
		    w->project);
		mysql_rollback(db);
		return -1;
	}
	/* LAST_INSERT_ID(expr) comes back in the OK packet: no round trip. */
	seq = mysql_stmt_insert_id(st[0]);
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
	if (mysql_stmt_bind_param(st[1], b) != 0 ||
	    mysql_stmt_execute(st[1]) != 0) {
		err = mysql_stmt_errno(st[1]);
		snprintf(w->failure, sizeof(w->failure), "insert: %u %s", err,
		    mysql_stmt_error(st[1]));
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

/* A digest no token has, or a new token's: 64 hex digits, new per call. */
static void
fresh_digest(struct worker *w, char digest[65])
{
	snprintf(digest, 65, "%08x%08lx%08lx%040lx", w->id,
	    (unsigned long)getpid() & 0xffffffffUL,
	    (unsigned long)w->started & 0xffffffffUL, w->done + w->retries);
}

/* One request of the reading and issuing modes; 0 done, -1 failed. */
static int
request(struct worker *w, MYSQL_STMT **st)
{
	const struct target *t = w->t;
	MYSQL_BIND b[5];
	unsigned long len[5];
	char digest[65];
	MYSQL_TIME now, expires;

	switch (t->mode) {
	case REFUSED_TOKEN:
		fresh_digest(w, digest);
		bind_str(&b[0], &len[0], digest);
		return exec(w, st[0], b, 0);
	case CLIENT:
		bind_str(&b[0], &len[0], t->client);
		return exec(w, st[0], b, 1);
	case INTROSPECT:
		bind_str(&b[0], &len[0], t->client);
		if (exec(w, st[0], b, 1) != 0)
			return -1;
		bind_str(&b[0], &len[0], t->token_digest);
		return exec(w, st[1], b, 1);
	case ISSUE:
		bind_str(&b[0], &len[0], t->client);
		if (exec(w, st[0], b, 1) != 0)
			return -1;
		fresh_digest(w, digest);
		utc_time(&now, 0);
		utc_time(&expires, 43200);
		bind_str(&b[0], &len[0], digest);
		bind_str(&b[1], &len[1], t->machine_user);
		bind_time(&b[2], &expires);
		bind_time(&b[3], &now);
		return exec(w, st[1], b, -1);
	default:
		return -1;
	}
}

static void *
work(void *arg)
{
	struct worker *w = arg;
	const struct target *t = w->t;
	MYSQL *db = mysql_init(NULL);
	MYSQL_STMT *st[STMTS_MAX] = { NULL };
	unsigned i;
	int rc;

	if (db == NULL ||
	    mysql_real_connect(db, NULL, t->user, t->password, t->database, 0,
	    t->socket, 0) == NULL) {
		snprintf(w->failure, sizeof(w->failure), "connect: %s",
		    db != NULL ? mysql_error(db) : "out of memory");
		goto out;
	}
	/* Autocommit off once per session: no BEGIN round trip per change. */
	if (t->mode == CHANGE && mysql_autocommit(db, 0) != 0) {
		snprintf(w->failure, sizeof(w->failure), "autocommit: %s",
		    mysql_error(db));
		goto out;
	}
	for (i = 0; i < STMTS_MAX && sql[t->mode][i] != NULL; i++)
		if ((st[i] = mysql_stmt_init(db)) == NULL ||
		    mysql_stmt_prepare(st[i], sql[t->mode][i],
		    strlen(sql[t->mode][i])) != 0) {
			snprintf(w->failure, sizeof(w->failure),
			    "prepare: %s", mysql_error(db));
			goto out;
		}
	while (bench_now() < w->until) {
		int64_t t0 = now_ns();

		rc = t->mode == CHANGE ? change(w, db, st) : request(w, st);
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
	for (i = 0; i < STMTS_MAX; i++)
		if (st[i] != NULL)
			mysql_stmt_close(st[i]);
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

/* What the mode needs was given: 0, or -1 after saying what is missing. */
static int
complete(struct target *t, const char *projects)
{
	const char *missing = NULL;

	switch (t->mode) {
	case CHANGE:
		if (projects == NULL || t->app == NULL || t->org == NULL ||
		    t->editor == NULL || t->hash == NULL)
			missing = "--project, --app, --org, --editor, "
			    "BENCH_HASH";
		break;
	case INTROSPECT:
		if (t->client == NULL || t->token_digest == NULL)
			missing = "--client, --token-digest";
		break;
	case ISSUE:
		if (t->client == NULL || t->machine_user == NULL)
			missing = "--client, --machine-user";
		break;
	case CLIENT:
		if (t->client == NULL)
			missing = "--client";
		break;
	default:
		break;
	}
	if (missing == NULL)
		return 0;
	fprintf(stderr, "oidc-bench-db: --mode %s needs %s\n",
	    mode_names[t->mode], missing);
	return -1;
}

int
main(int argc, char **argv)
{
	struct target t;
	struct worker w[64];
	const char *projects = bench_arg(argc, argv, "--project");
	const char *mode = bench_arg(argc, argv, "--mode");
	char *list = NULL, *p, *save = NULL;
	unsigned conns = bench_arg_uint(argc, argv, "--connections", 1, 64);
	unsigned seconds = bench_arg_uint(argc, argv, "--seconds", 5, 3600);
	int64_t *all = NULL;
	size_t nall = 0;
	unsigned long total = 0, retries = 0;
	double t0, t1;
	unsigned i;

	memset(&t, 0, sizeof(t));
	t.socket = bench_arg(argc, argv, "--socket");
	t.database = bench_arg(argc, argv, "--database");
	t.user = bench_arg(argc, argv, "--user");
	t.app = bench_arg(argc, argv, "--app");
	t.org = bench_arg(argc, argv, "--org");
	t.editor = bench_arg(argc, argv, "--editor");
	t.client = bench_arg(argc, argv, "--client");
	t.token_digest = bench_arg(argc, argv, "--token-digest");
	t.machine_user = bench_arg(argc, argv, "--machine-user");
	t.password = getenv("BENCH_DB_PASSWORD");
	t.hash = getenv("BENCH_HASH");
	t.mode = CHANGE;
	if (mode != NULL) {
		for (i = 0; i < sizeof(mode_names) / sizeof(mode_names[0]); i++)
			if (strcmp(mode, mode_names[i]) == 0)
				break;
		if (i == sizeof(mode_names) / sizeof(mode_names[0])) {
			fprintf(stderr, "oidc-bench-db: --mode: change, "
			    "refused-token, client, introspect or issue\n");
			return 2;
		}
		t.mode = (enum mode)i;
	}
	if (t.socket == NULL || t.database == NULL || t.user == NULL ||
	    t.password == NULL) {
		fprintf(stderr, "usage: BENCH_DB_PASSWORD=... [BENCH_HASH=...] "
		    "oidc-bench-db --socket S --database DB --user U "
		    "[--mode M] [--project P --app A --org O --editor E] "
		    "[--client C] [--token-digest D] [--machine-user M] "
		    "[--connections N] [--seconds S]\n");
		return 2;
	}
	if (complete(&t, projects) != 0)
		return 2;
	if (projects != NULL) {
		if ((list = strdup(projects)) == NULL)
			return 1;
		for (p = strtok_r(list, ",", &save);
		    p != NULL && t.nproject < PROJECTS_MAX;
		    p = strtok_r(NULL, ",", &save))
			t.project[t.nproject++] = p;
		if (t.nproject == 0) {
			fprintf(stderr, "oidc-bench-db: --project: none\n");
			return 2;
		}
	}
	if (mysql_library_init(0, NULL, NULL) != 0)
		return 1;
	t0 = bench_now();
	for (i = 0; i < conns; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].t = &t;
		w[i].id = i;
		w[i].project = t.nproject ? t.project[i % t.nproject] : NULL;
		w[i].until = t0 + seconds;
		w[i].started = time(NULL);
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
	printf("mode=%s connections=%u transactions=%lu retries=%lu "
	    "seconds=%.3f rate=%.2f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f\n",
	    mode_names[t.mode], conns, total, retries, t1 - t0,
	    (double)total / (t1 - t0),
	    nall ? (double)all[nall / 2] / 1e6 : 0.0,
	    nall ? (double)all[nall * 99 / 100] / 1e6 : 0.0,
	    nall ? (double)all[nall - 1] / 1e6 : 0.0);
	free(all);
	free(list);
	mysql_library_end();
	return 0;
}
