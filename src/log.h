/*
 * log.h - lines to stderr, the web server's error log (SPEC section 7).
 *
 * Never a token, a secret or a hash: callers pass IDs and codes only.
 */
#ifndef OIDC_SECRET_LOG_H
#define OIDC_SECRET_LOG_H

#include "config.h"

/* The program name at the start of each line (default "oidc-secret"). */
void log_set_ident(const char *name);
void log_set_level(unsigned level);
int log_enabled(unsigned level);

void log_msg(unsigned level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

struct log_request {
	const char *id;
	const char *method;
	const char *route;
	int status;
	int grpc;
	const char *user;	/* "" when not authenticated */
	double latency_ms;
};

/* The one line per request, at info. */
void log_request(const struct log_request *r);

/* Replaces bytes that would break a log line (controls, quotes, spaces, non-ASCII). */
void log_sanitize(const char *in, char *out, size_t outlen);

#endif
