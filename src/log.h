/*
 * log.h - lines to stderr, the web server's error log (doc/operations.md).
 *
 * Never a token, a secret or a hash: callers pass IDs and codes only.
 */
#ifndef OIDC_SECRET_LOG_H
#define OIDC_SECRET_LOG_H

#include "config.h"

/* The program name at the start of each line (default "oidc-secret"). */
void log_set_ident(const char *name);
void log_set_level(unsigned level);
/* In a child after fork(2): its lines carry its own pid. */
void log_forked(void);

/*
 * Lines go to path from now on (appended, one write each), not stderr:
 * for a web server that sends its children's stderr nowhere.  The file is
 * opened again when it was moved away (log rotation), checked at most
 * every few seconds.  -1 with a message in err when it cannot be opened.
 */
int log_open_file(const char *path, char *err, size_t errlen);
int log_enabled(unsigned level);

void log_msg(unsigned level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

struct log_request {
	const char *id;
	const char *method;
	const char *route;	/* the wire: "rest", "connect", "oauth"... */
	const char *call;	/* the call's name, or "-" */
	int status;
	int grpc;
	const char *user;	/* "" when not authenticated */
	const char *reason;	/* why it was refused, or NULL */
	double latency_ms;
	/* A committed change, and whether its 200 reached the server. */
	int committed;
	int delivered;
	const char *object_kind;	/* "app", "user" */
	const char *object;	/* what changed */
	unsigned long long sequence;	/* its aggregate's new sequence */
};

/*
 * The one line per request, at info, with the reason of a refusal; at
 * warn, with the word "undelivered", what changed and the sequence, when a
 * committed change's 200 never reached the client: the old secret may be
 * dead and the new one lost.
 */
void log_request(const struct log_request *r);

/*
 * Replaces bytes that would break a log line (controls, quotes, spaces,
 * non-ASCII).
 */
void log_sanitize(const char *in, char *out, size_t outlen);

#endif
