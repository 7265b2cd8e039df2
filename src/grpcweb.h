/*
 * grpcweb.h - the gRPC-web codec (SPEC sections 1 and 6).
 */
#ifndef OIDC_SECRET_GRPCWEB_H
#define OIDC_SECRET_GRPCWEB_H

#include <stddef.h>

#include "error.h"
#include "request.h"
#include "route.h"
#include "service.h"

/* A frame: one flag byte, then the payload length, 4 bytes big-endian. */
#define GRPCWEB_FRAME_HEADER 5
#define GRPCWEB_FLAG_COMPRESSED 0x01
#define GRPCWEB_FLAG_TRAILER 0x80

/* grpc-message holds "text (ID)", at most this long before encoding. */
#define GRPCWEB_MESSAGE_MAX 256

/* What the request's content type asks for on the gRPC path. */
enum grpcweb_mode {
	GRPCWEB_UNSUPPORTED,	/* none, or anything below it: 415 */
	GRPCWEB_BINARY,		/* application/grpc-web[+proto] */
	GRPCWEB_TEXT,		/* application/grpc-web-text[+proto]: base64 */
	GRPCWEB_NATIVE		/* application/grpc[+...]: 415, grpc-status 12 */
};

/* The mode for a CONTENT_TYPE (NULL when absent); parameters are ignored. */
enum grpcweb_mode grpcweb_mode(const char *content_type);

/* The response's content type for a binary or text mode. */
const char *grpcweb_content_type(enum grpcweb_mode mode);

/* A decoded request: the IDs point into msg until grpcweb_request_free(). */
struct grpcweb_request {
	struct slice project_id;
	struct slice app_id;
	void *msg;		/* protobuf-c's unpacked message, owned */
};

/*
 * Decodes body (base64 first in text mode): exactly one uncompressed data
 * frame holding a RegenerateOIDCClientSecretRequest, each ID at most
 * ID_BYTES bytes.  ERR_OK fills out; anything else is ERR_BAD_BODY, or
 * ERR_INTERNAL when out of memory.  Unknown fields are skipped.
 */
enum err grpcweb_decode(enum grpcweb_mode mode, const char *body, size_t len,
    struct grpcweb_request *out);

void grpcweb_request_free(struct grpcweb_request *r);

/*
 * HTTP 200: the data frame with RegenerateOIDCClientSecretResponse, then the
 * trailer frame "grpc-status:0"; base64 in text mode.  The secret is packed
 * straight into resp->body (response_free wipes it).  -1 when out of memory.
 */
int grpcweb_encode_outcome(enum grpcweb_mode mode, const struct outcome *o,
    struct response *resp);

/* Trailers-only: HTTP 200, empty body, grpc-status and grpc-message headers. */
int grpcweb_encode_error(enum grpcweb_mode mode, enum err kind,
    struct response *resp);

/* Adds the grpc-status and grpc-message headers for kind; -1 on failure. */
int grpcweb_status_headers(struct response *resp, enum err kind);

/*
 * Percent-encodes a grpc-message (gRPC over HTTP/2: bytes outside 0x20-0x7E
 * and '%' become %XX).  -1 when out (outlen bytes, with its NUL) is too small;
 * 3 * strlen(in) + 1 always suffices.
 */
int grpcweb_percent_encode(const char *in, char *out, size_t outlen);

#endif
