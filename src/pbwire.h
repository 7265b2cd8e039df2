/*
 * pbwire.h - protobuf's binary wire format (protobuf.dev, "Encoding"), for
 * the messages msg.h describes: gRPC-web and Connect's application/proto.
 */
#ifndef OIDC_SECRET_PBWIRE_H
#define OIDC_SECRET_PBWIRE_H

#include <stddef.h>

#include "msg.h"

/*
 * Decodes p[0..n) as message m into vals (indexed by the fields' slots).
 * Strings and bytes point into p, which must outlive vals.  Fields m does
 * not name are skipped, as protobuf does; a field met twice keeps the last
 * value (proto3).  -1 when the bytes are not a message: a truncated or
 * overlong varint or length, a wire type that is not the field's, a group,
 * field number 0.
 */
int pbwire_decode(const struct message *m, const void *p, size_t n,
    struct value *vals);

/*
 * Encodes the set, non-default values of vals as message m into a malloc'd
 * buffer of front + *len + back bytes, the message after front free bytes
 * (a frame header) and before back free bytes (a trailer).  The caller
 * wipes it before freeing: it may hold a secret.  NULL on failure.
 */
unsigned char *pbwire_encode(const struct message *m,
    const struct value *vals, size_t front, size_t back, size_t *len);

/* The same into out (cap bytes); the length, or 0 when it does not fit. */
size_t pbwire_encode_to(const struct message *m, const struct value *vals,
    void *out, size_t cap);

#endif
