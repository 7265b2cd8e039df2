/*
 * dispatch.h - one request: route, pick a codec, decode, call the service,
 * encode.
 */
#ifndef OIDC_SECRET_DISPATCH_H
#define OIDC_SECRET_DISPATCH_H

#include <stdint.h>

#include "config.h"
#include "request.h"
#include "service.h"

/* What the request log line needs to know of a handled request. */
struct dispatch_report {
	const char *route;	/* "rest", "grpc-web", "connect", "oauth"... */
	const char *call;	/* the call's name; "-" before one is known */
	int grpc;		/* gRPC code of the answer */
	char user_id[ID_BYTES + 1];
	const char *reason;	/* why it was refused, or NULL */
	/* A change committed: the operator must know if it was not
	 * delivered with a 200. */
	int committed;
	const char *object_kind;	/* "app", "user" */
	char object[ID_BYTES + 1];
	uint64_t sequence;	/* the aggregate's new sequence */
};

/*
 * Fills resp for req, reading the body through io when the route takes
 * one.  Never fails: an answer that cannot be built becomes a bare 500.
 */
void dispatch(struct service *svc, struct request *req, const struct io *io,
    struct response *resp, struct dispatch_report *h);

#endif
