/*
 * ids.h - new IDs for what the admin tool creates: decimal, time-ordered,
 * unique across processes (oidc-secret-admin(8), "IDS AND EVENTS").
 *
 * Like ZITADEL's sonyflake IDs, one 63-bit number written in decimal:
 *
 *   bits 62..22  milliseconds since 2024-01-01T00:00:00Z (until 2093)
 *   bits 21..10  node: this host and this process
 *   bits  9..0   counter within the millisecond
 *
 * The node is a hash of the host's identity (/etc/machine-id, the host
 * name) plus the process ID, modulo 4096: processes of one host running at
 * the same time have different PIDs, and PIDs closer than 4096 give
 * different nodes.  The counter starts at a random value in each new
 * millisecond, so processes of different hosts that meet on a node rarely
 * meet on a counter too.  Within a process IDs only grow, even when the
 * clock steps back.
 */
#ifndef OIDC_SECRET_IDS_H
#define OIDC_SECRET_IDS_H

#include <stddef.h>
#include <stdint.h>

#define IDS_EPOCH_MS UINT64_C(1704067200000)	/* 2024-01-01T00:00:00Z */
#define IDS_TIME_BITS 41
#define IDS_NODE_BITS 12
#define IDS_COUNTER_BITS 10
#define IDS_DECIMAL_MAX 20	/* 19 digits and a NUL */

struct ids {
	unsigned node;
	uint64_t ms;		/* the millisecond of the last ID */
	unsigned counter;	/* the counter of the last ID */
	int started;
};

/* The ID of these parts (each already in range). */
uint64_t ids_compose(uint64_t ms, unsigned node, unsigned counter);
void ids_split(uint64_t id, uint64_t *ms, unsigned *node, unsigned *counter);

/* The node of process pid on the host whose identity is host[0..len). */
unsigned ids_node(const void *host, size_t len, long pid);

/* This process on this host. */
void ids_init(struct ids *g);

/*
 * The next ID at wall-clock time now_ms (milliseconds since 1970), larger
 * than every earlier one of g; start is the counter's start should a new
 * millisecond begin.  -1 outside 2024..2093.
 */
int ids_take(struct ids *g, uint64_t now_ms, unsigned start, uint64_t *id);

/* The next ID now, in decimal; -1 when the clock is out of range. */
int ids_next(struct ids *g, char *out, size_t outlen);

#endif
