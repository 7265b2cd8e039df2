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
struct handled {
	/* "rest", "grpc-web", "connect", "healthz"... */
	const char *route;
	int grpc;		/* gRPC code of the answer */
	char user_id[ID_BYTES + 1];
	/* A secret changed: the operator must know if it was not delivered. */
	char app_id[ID_BYTES + 1];
	uint64_t sequence;	/* the project's new sequence; 0: no change */
};

/*
 * Fills resp for req, reading the body through io when the route takes
 * one.  Never fails: an answer that cannot be built becomes a bare 500.
 */
void dispatch(struct service *svc, struct request *req, const struct io *io,
    struct response *resp, struct handled *h);

#endif
