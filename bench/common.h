/*
 * common.h - what the benchmark's floor programs share: a clock and
 * "--name N" options with a range.
 */
#ifndef OIDC_SECRET_BENCH_COMMON_H
#define OIDC_SECRET_BENCH_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static inline double
bench_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static inline const char *
bench_arg(int argc, char **argv, const char *name)
{
	int i;

	for (i = 1; i < argc - 1; i++)
		if (strcmp(argv[i], name) == 0)
			return argv[i + 1];
	return NULL;
}

/* The value of "--name N", def when absent; exits 2 outside 1..max. */
static inline unsigned
bench_arg_uint(int argc, char **argv, const char *name, unsigned def,
    unsigned max)
{
	const char *v = bench_arg(argc, argv, name);
	char *end;
	unsigned long n;

	if (v == NULL)
		return def;
	n = strtoul(v, &end, 10);
	if (*end != '\0' || n == 0 || n > max) {
		fprintf(stderr, "%s: 1 to %u\n", name, max);
		exit(2);
	}
	return (unsigned)n;
}

#endif
