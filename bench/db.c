/*
 * db.c - the database floor D: the statements one call runs (token lookup,
 * permission, app lookup, then lock, update, sequence, event, commit),
 * driven directly through the project's own store module on N connections
 * at once (issue 7 (b)).  Also reports how long each transaction held the
 * project's row lock: from SELECT ... FOR UPDATE to COMMIT.
 *
 *   oidc-bench-db --token T --project P --app A [--connections N] [--seconds S]
 *
 * The configuration comes as the responder's does.  Prints one line of
 * key=value pairs.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth.h"
#include "common.h"
#include "config.h"
#include "secret.h"
#include "store.h"

#define SAMPLES_MAX 200000

struct worker {
	pthread_t tid;
	const struct config *cfg;
	const char *digest, *project, *app, *hash;
	double until;
	unsigned long done;
	int64_t *lock_ns;
	size_t nlock;
	int failed;
};

static void *
work(void *arg)
{
	struct worker *w = arg;
	struct store *s = store_new(w->cfg);
	struct token_row tok;
	struct app_row app;
	struct change ch;
	struct change_result res;

	if (s == NULL) {
		w->failed = 1;
		return NULL;
	}
	while (bench_now() < w->until) {
		if (store_token(s, w->digest, &tok) != ERR_OK ||
		    store_permission(s, tok.user_id, tok.user_org, w->project,
		    PERMISSION_APP_WRITE) != ERR_OK ||
		    store_app(s, w->project, w->app, tok.user_org, &app) != ERR_OK) {
			w->failed = 1;
			break;
		}
		ch.project_id = w->project;
		ch.app_id = w->app;
		ch.org_id = tok.user_org;
		ch.kind = APP_OIDC;
		ch.editor = tok.user_id;
		ch.hash = w->hash;
		if (store_change_secret(s, &ch, &res) != ERR_OK) {
			w->failed = 1;
			break;
		}
		if (w->nlock < SAMPLES_MAX)
			w->lock_ns[w->nlock++] = res.lock_ns;
		w->done++;
	}
	store_free(s);
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
	struct config cfg;
	struct hash_params hp;
	struct worker w[64];
	const char *token = bench_arg(argc, argv, "--token");
	const char *project = bench_arg(argc, argv, "--project");
	const char *app = bench_arg(argc, argv, "--app");
	unsigned conns = bench_arg_uint(argc, argv, "--connections", 1, 64);
	unsigned seconds = bench_arg_uint(argc, argv, "--seconds", 5, 3600);
	char digest[SHA256_HEX], hash[HASH_MAX], secret[SECRET_MAX + 1], err[512];
	int64_t *all = NULL;
	size_t nall = 0;
	unsigned long total = 0;
	double t0, t1;
	unsigned i;

	if (token == NULL || project == NULL || app == NULL) {
		fprintf(stderr, "usage: oidc-bench-db --token T --project P --app A "
		    "[--connections N] [--seconds S]\n");
		return 2;
	}
	if (secret_init() != 0 || store_library_init() != 0)
		return 1;
	if (config_load(&cfg, NULL, err, sizeof(err)) != 0 ||
	    config_check_api(&cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "oidc-bench-db: %s\n", err);
		return 1;
	}
	secret_sha256_hex(token, strlen(token), digest);
	/* One hash, made once: this floor measures the database alone. */
	hp.alg = cfg.hash_algorithm;
	hp.m_kib = cfg.argon2_memory_kib;
	hp.t = cfg.argon2_iterations;
	hp.p = cfg.argon2_parallelism;
	hp.cost = cfg.bcrypt_cost;
	if (secret_generate(secret, cfg.secret_length) != 0 ||
	    secret_hash(&hp, secret, cfg.secret_length, hash, sizeof(hash)) != 0)
		return 1;
	t0 = bench_now();
	for (i = 0; i < conns; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].cfg = &cfg;
		w[i].digest = digest;
		w[i].project = project;
		w[i].app = app;
		w[i].hash = hash;
		w[i].until = t0 + seconds;
		w[i].lock_ns = calloc(SAMPLES_MAX, sizeof(int64_t));
		if (w[i].lock_ns == NULL ||
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
		if (w[i].failed) {
			fprintf(stderr, "oidc-bench-db: a call failed on connection %u\n", i);
			return 1;
		}
		total += w[i].done;
		memcpy(all + nall, w[i].lock_ns, w[i].nlock * sizeof(int64_t));
		nall += w[i].nlock;
		free(w[i].lock_ns);
	}
	qsort(all, nall, sizeof(int64_t), by_value);
	printf("connections=%u calls=%lu seconds=%.3f rate=%.2f "
	    "lock_p50_ms=%.3f lock_p99_ms=%.3f lock_max_ms=%.3f\n",
	    conns, total, t1 - t0, (double)total / (t1 - t0),
	    nall ? (double)all[nall / 2] / 1e6 : 0.0,
	    nall ? (double)all[nall * 99 / 100] / 1e6 : 0.0,
	    nall ? (double)all[nall - 1] / 1e6 : 0.0);
	free(all);
	store_library_end();
	return 0;
}
