/*
 * hash.c - the hash floor H: hashes per second of the configured algorithm,
 * made by the project's own secret module, on N threads.
 *
 *   oidc-bench-hash [--threads N] [--seconds S]
 *
 * The configuration comes as the responder's does (OIDC_SECRET_CONFIG and
 * OIDC_SECRET_* variables).  Prints one line of key=value pairs.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common.h"
#include "config.h"
#include "secret.h"

struct worker {
	pthread_t tid;
	const struct hash_params *hp;
	unsigned secret_length;
	double until;
	unsigned long done;
	int failed;
};

static void *
work(void *arg)
{
	struct worker *w = arg;
	char secret[SECRET_MAX + 1], hash[HASH_MAX];

	while (bench_now() < w->until) {
		if (secret_generate(secret, w->secret_length) != 0 ||
		    secret_hash(w->hp, secret, w->secret_length, hash,
		    sizeof(hash)) != 0) {
			w->failed = 1;
			break;
		}
		w->done++;
	}
	secret_wipe(secret, sizeof(secret));
	return NULL;
}

int
main(int argc, char **argv)
{
	struct config cfg;
	struct hash_params hp;
	struct worker w[64];
	unsigned threads = bench_arg_uint(argc, argv, "--threads", 1, 64);
	unsigned seconds = bench_arg_uint(argc, argv, "--seconds", 5, 3600);
	unsigned long total = 0;
	double t0, t1;
	char err[512];
	unsigned i;

	if (secret_init() != 0)
		return 1;
	if (config_load(&cfg, NULL, err, sizeof(err)) != 0) {
		fprintf(stderr, "oidc-bench-hash: %s\n", err);
		return 1;
	}
	hp.alg = cfg.hash_algorithm;
	hp.m_kib = cfg.argon2_memory_kib;
	hp.t = cfg.argon2_iterations;
	hp.p = cfg.argon2_parallelism;
	hp.cost = cfg.bcrypt_cost;
	t0 = bench_now();
	for (i = 0; i < threads; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].hp = &hp;
		w[i].secret_length = cfg.secret_length;
		w[i].until = t0 + seconds;
		if (pthread_create(&w[i].tid, NULL, work, &w[i]) != 0)
			return 1;
	}
	for (i = 0; i < threads; i++) {
		pthread_join(w[i].tid, NULL);
		if (w[i].failed)
			return 1;
		total += w[i].done;
	}
	t1 = bench_now();
	printf("algorithm=%s threads=%u hashes=%lu seconds=%.3f rate=%.2f\n",
	    config_hash_name(cfg.hash_algorithm), threads, total, t1 - t0,
	    (double)total / (t1 - t0));
	return 0;
}
