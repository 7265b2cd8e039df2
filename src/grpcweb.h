/*
 * grpcweb.h - the gRPC-web codec (doc/api.md), and what a native gRPC
 * client is told.
 */
#ifndef OIDC_SECRET_GRPCWEB_H
#define OIDC_SECRET_GRPCWEB_H

#include <stddef.h>

#include "codec.h"

/* A frame: one flag byte, then the payload length, 4 bytes big-endian. */
#define GRPCWEB_FRAME_HEADER 5
#define GRPCWEB_FLAG_COMPRESSED 0x01
#define GRPCWEB_FLAG_TRAILER 0x80

/* The codec's forms. */
enum grpcweb_form {
	GRPCWEB_BINARY,		/* application/grpc-web[+proto] */
	GRPCWEB_TEXT		/* application/grpc-web-text[+proto]: base64 */
};

/* 1 for native gRPC's application/grpc[+...], which needs HTTP/2. */
int grpcweb_is_native(const struct media *type);

/*
 * Adds grpc-status, grpc-message and grpc-status-details-bin for kind:
 * the trailers-only error, and the native gRPC refusal.  -1 on failure.
 */
int grpcweb_status_headers(struct response *resp, enum err kind);

/*
 * Percent-encodes a grpc-message (gRPC over HTTP/2: bytes outside 0x20-0x7E
 * and '%' become %XX).  -1 when out (outlen bytes, with its NUL) is too
 * small; 3 * strlen(in) + 1 always suffices.
 */
int grpcweb_percent_encode(const char *in, char *out, size_t outlen);

#endif
