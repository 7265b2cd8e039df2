/*
 * test_ids.c - the admin tool's new IDs (src/ids.c).
 *
 * Covers: the layout (milliseconds since 2024-01-01 | node | counter) with
 * known answers; ids_take's order within a process (same millisecond, a
 * used-up millisecond, a clock that steps back) and its range; nodes of
 * nearby PIDs apart; ids_next's decimal form and time; and IDs made at the
 * same moment by many processes, none twice.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ids.h"

/* 2026-11-27T10:11:12.123Z in ms since 1970 */
#define T0_MS UINT64_C(1795774272123)

static void
test_layout_known_answers(void **state)
{
	uint64_t ms;
	unsigned node, counter;

	(void)state;
	assert_true(ids_compose(0, 0, 0) == 0);
	assert_true(ids_compose(1, 0, 0) == UINT64_C(4194304));
	assert_true(ids_compose(1, 1, 1) == UINT64_C(4194304) + 1024 + 1);
	assert_true(ids_compose(0, 4095, 1023) == UINT64_C(4194303));
	/* 91707072123 ms after the epoch, node 7, counter 5. */
	assert_true(ids_compose(T0_MS - IDS_EPOCH_MS, 7, 5) ==
	    UINT64_C(384647339433794565));
	ids_split(UINT64_C(384647339433794565), &ms, &node, &counter);
	assert_true(ms == UINT64_C(91707072123));
	assert_int_equal(node, 7);
	assert_int_equal(counter, 5);
	/* The largest: 2^63 - 1, 19 digits. */
	assert_true(ids_compose((UINT64_C(1) << 41) - 1, 4095, 1023) ==
	    UINT64_C(9223372036854775807));
}

static void
test_take_grows_within_and_past_a_millisecond(void **state)
{
	struct ids g;
	uint64_t id, prev = 0, ms;
	unsigned node, counter, i;

	(void)state;
	memset(&g, 0, sizeof(g));
	g.node = 42;
	assert_int_equal(ids_take(&g, T0_MS, 300, &id), 0);
	ids_split(id, &ms, &node, &counter);
	assert_true(ms == T0_MS - IDS_EPOCH_MS);
	assert_int_equal(node, 42);
	/* A new millisecond's counter starts below 256. */
	assert_int_equal(counter, 300 % 256);
	prev = id;
	/* 5000 IDs in one millisecond: the used-up millisecond runs ahead. */
	for (i = 0; i < 5000; i++) {
		assert_int_equal(ids_take(&g, T0_MS, 255, &id), 0);
		assert_true(id > prev);
		ids_split(id, &ms, &node, &counter);
		assert_int_equal(node, 42);
		prev = id;
	}
	assert_true(ms > T0_MS - IDS_EPOCH_MS);
	assert_true(ms <= T0_MS - IDS_EPOCH_MS + 7);
}

static void
test_take_grows_when_the_clock_steps_back(void **state)
{
	struct ids g;
	uint64_t a, b, c;

	(void)state;
	memset(&g, 0, sizeof(g));
	assert_int_equal(ids_take(&g, T0_MS, 0, &a), 0);
	assert_int_equal(ids_take(&g, T0_MS - 60000, 0, &b), 0);
	assert_true(b > a);
	/* The clock back on its feet: its own time again. */
	assert_int_equal(ids_take(&g, T0_MS + 1, 9, &c), 0);
	assert_true(c == ids_compose(T0_MS + 1 - IDS_EPOCH_MS,
	    0, 9));
}

static void
test_take_range(void **state)
{
	struct ids g;
	uint64_t id;

	(void)state;
	memset(&g, 0, sizeof(g));
	assert_int_equal(ids_take(&g, IDS_EPOCH_MS - 1, 0, &id), -1);
	assert_int_equal(ids_take(&g, IDS_EPOCH_MS, 0, &id), 0);
	assert_true(id == 0);
	memset(&g, 0, sizeof(g));
	assert_int_equal(ids_take(&g, IDS_EPOCH_MS + (UINT64_C(1) << 41), 0,
	    &id), -1);
	assert_int_equal(ids_take(&g, IDS_EPOCH_MS + (UINT64_C(1) << 41) - 1,
	    0, &id), 0);
}

static void
test_nearby_pids_get_different_nodes(void **state)
{
	static unsigned char seen[4096];
	const char host[] = "0123456789abcdef0123456789abcdefhost.example";
	long pid;

	(void)state;
	memset(seen, 0, sizeof(seen));
	for (pid = 100000; pid < 100000 + 4096; pid++) {
		unsigned n = ids_node(host, sizeof(host) - 1, pid);

		assert_true(n < 4096);
		assert_int_equal(seen[n], 0);
		seen[n] = 1;
	}
	/* Another host, another offset. */
	assert_int_not_equal(ids_node("a", 1, 1), ids_node("b", 1, 1));
}

static void
test_next_is_decimal_and_now(void **state)
{
	struct ids g;
	char out[IDS_DECIMAL_MAX], *end;
	unsigned long long v;
	uint64_t ms;
	unsigned node, counter;
	struct timespec t;
	uint64_t now;

	(void)state;
	ids_init(&g);
	assert_int_equal(ids_next(&g, out, sizeof(out)), 0);
	clock_gettime(CLOCK_REALTIME, &t);
	now = (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
	assert_true(strlen(out) >= 17 && strlen(out) <= 19);
	assert_true(out[0] >= '1' && out[0] <= '9');
	assert_int_equal(strspn(out, "0123456789"), strlen(out));
	v = strtoull(out, &end, 10);
	assert_true(*end == '\0');
	ids_split(v, &ms, &node, &counter);
	assert_int_equal(node, g.node);
	assert_true(ms + IDS_EPOCH_MS <= now && ms + IDS_EPOCH_MS + 1000 > now);
	/* Too small a buffer is refused, not cut. */
	assert_int_equal(ids_next(&g, out, 10), -1);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

#define PROCS 16
#define PER_PROC 3000

/* Sixteen processes, started together, each making IDs as fast as it can. */
static void
test_many_processes_never_meet(void **state)
{
	static uint64_t all[PROCS * PER_PROC];
	int fds[PROCS][2], go[2], i, j, status;
	pid_t pids[PROCS];
	size_t n = 0;
	char byte = 0;

	(void)state;
	assert_int_equal(pipe(go), 0);
	for (i = 0; i < PROCS; i++) {
		assert_int_equal(pipe(fds[i]), 0);
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0) {
			struct ids g;
			char out[IDS_DECIMAL_MAX];
			uint64_t mine[PER_PROC];

			close(go[1]);
			close(fds[i][0]);
			ids_init(&g);
			if (read(go[0], &byte, 1) < 0)
				_exit(2);
			for (j = 0; j < PER_PROC; j++) {
				if (ids_next(&g, out, sizeof(out)) != 0)
					_exit(3);
				mine[j] = strtoull(out, NULL, 10);
			}
			if (write(fds[i][1], mine, sizeof(mine)) !=
			    (ssize_t)sizeof(mine))
				_exit(4);
			_exit(0);
		}
		close(fds[i][1]);
	}
	close(go[0]);
	close(go[1]);		/* every child starts at once */
	for (i = 0; i < PROCS; i++) {
		size_t got = 0;
		ssize_t k;

		while (got < sizeof(uint64_t) * PER_PROC &&
		    (k = read(fds[i][0], (char *)(all + n) + got,
		    sizeof(uint64_t) * PER_PROC - got)) > 0)
			got += (size_t)k;
		assert_int_equal(got, sizeof(uint64_t) * PER_PROC);
		n += PER_PROC;
		close(fds[i][0]);
		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	qsort(all, n, sizeof(all[0]), cmp_u64);
	for (i = 1; i < (int)n; i++)
		assert_true(all[i] != all[i - 1]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_known_answers),
		cmocka_unit_test(test_take_grows_within_and_past_a_millisecond),
		cmocka_unit_test(test_take_grows_when_the_clock_steps_back),
		cmocka_unit_test(test_take_range),
		cmocka_unit_test(test_nearby_pids_get_different_nodes),
		cmocka_unit_test(test_next_is_decimal_and_now),
		cmocka_unit_test(test_many_processes_never_meet),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
