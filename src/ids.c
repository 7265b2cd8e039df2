/*
 * ids.c - decimal, time-ordered IDs, unique across processes (ids.h).
 */
#include "ids.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

#define COUNTER_MAX ((1u << IDS_COUNTER_BITS) - 1)
#define NODE_MASK ((1u << IDS_NODE_BITS) - 1)
/* A new millisecond's counter starts below this: 768 IDs fit after it. */
#define COUNTER_START_SPAN 256u

uint64_t
ids_compose(uint64_t ms, unsigned node, unsigned counter)
{
	return ms << (IDS_NODE_BITS + IDS_COUNTER_BITS) |
	    (uint64_t)(node & NODE_MASK) << IDS_COUNTER_BITS |
	    (counter & COUNTER_MAX);
}

void
ids_split(uint64_t id, uint64_t *ms, unsigned *node, unsigned *counter)
{
	*ms = id >> (IDS_NODE_BITS + IDS_COUNTER_BITS);
	*node = (unsigned)(id >> IDS_COUNTER_BITS) & NODE_MASK;
	*counter = (unsigned)id & COUNTER_MAX;
}

unsigned
ids_node(const void *host, size_t len, long pid)
{
	const unsigned char *p = host;
	uint32_t h = 2166136261u;	/* FNV-1a */
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= 16777619u;
	}
	/* Added, not mixed: nearby PIDs stay apart. */
	return (unsigned)((h + (uint32_t)pid) & NODE_MASK);
}

void
ids_init(struct ids *g)
{
	char host[512];
	char *mid = NULL;
	size_t n = 0, len = 0;

	memset(g, 0, sizeof(*g));
	/* The machine ID where there is one, and the host name. */
	if (util_read_file("/etc/machine-id", 128, &mid, &len) == 0) {
		memcpy(host, mid, len);
		n = len;
		free(mid);
	}
	if (gethostname(host + n, sizeof(host) - n - 1) == 0)
		n += strnlen(host + n, sizeof(host) - n - 1);
	g->node = ids_node(host, n, (long)getpid());
}

int
ids_take(struct ids *g, uint64_t now_ms, unsigned start, uint64_t *id)
{
	uint64_t ms;

	if (now_ms < IDS_EPOCH_MS)
		return -1;
	ms = now_ms - IDS_EPOCH_MS;
	if (g->started && ms <= g->ms) {
		/* The same millisecond, or the clock stepped back. */
		ms = g->ms;
		if (g->counter < COUNTER_MAX) {
			g->counter++;
			goto out;
		}
		/* This millisecond is used up: run one ahead of the clock. */
		ms++;
	}
	g->counter = start % COUNTER_START_SPAN;
out:
	if (ms >> IDS_TIME_BITS != 0)
		return -1;
	g->ms = ms;
	g->started = 1;
	*id = ids_compose(ms, g->node, g->counter);
	return 0;
}

int
ids_next(struct ids *g, char *out, size_t outlen)
{
	struct timespec t;
	unsigned start = 0;
	uint64_t id;
	int n;

	if (clock_gettime(CLOCK_REALTIME, &t) != 0 || t.tv_sec < 0)
		return -1;
	/* Not a secret: only spreads the counters of different hosts. */
	if (getrandom(&start, sizeof(start), GRND_NONBLOCK) !=
	    (ssize_t)sizeof(start))
		start = (unsigned)t.tv_nsec;
	if (ids_take(g, (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec /
	    1000000, start, &id) != 0)
		return -1;
	n = snprintf(out, outlen, "%llu", (unsigned long long)id);
	return n > 0 && (size_t)n < outlen ? 0 : -1;
}
