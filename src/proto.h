/*
 * proto.h - the calls' protobuf messages, for the codecs that speak binary
 * protobuf (gRPC-web, Connect's application/proto) and for the error
 * details every codec attaches.  The only module that touches protobuf-c.
 */
#ifndef OIDC_SECRET_PROTO_H
#define OIDC_SECRET_PROTO_H

#include <stddef.h>

#include "error.h"
#include "service.h"

/*
 * The request message of c->rpc in p[0..n) into c: the IDs (copied) and,
 * for v2beta, the app type the oneof names.  Unknown fields are skipped.
 * ERR_BAD_BODY when it does not parse or an ID is over ID_BYTES bytes;
 * ERR_INTERNAL when out of memory.
 */
enum err proto_decode(const void *p, size_t n, struct call *c);

/*
 * The response message of c->rpc for o, *len bytes packed into a malloc'd
 * buffer of front + *len + back bytes, after front free bytes (a frame
 * header) and before back free bytes (a trailer).  The caller wipes it:
 * it holds the secret.  NULL when out of memory.
 */
unsigned char *proto_response(const struct call *c, const struct outcome *o,
    size_t front, size_t back, size_t *len);

/* zitadel.v1.ErrorDetail {id, message} of kind into out; its length, or 0
 * when cap is too small. */
size_t proto_error_detail(enum err kind, void *out, size_t cap);

/* google.rpc.Status {code, "text (ID)", [Any(ErrorDetail)]} of kind into
 * out; its length, or 0 when cap is too small. */
size_t proto_status(enum err kind, void *out, size_t cap);

#define PROTO_ERROR_MAX 512	/* room enough for either of the above */

/* protobuf-c's version, as linked (--version). */
const char *proto_library_version(void);

#endif
