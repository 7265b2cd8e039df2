/*
 * error.h - every error kind: gRPC code, ID, text, HTTP status, OAuth code.
 *
 * One vocabulary from the store through the service to the codecs: a
 * function that can fail returns an enum err, and only a codec turns a kind
 * into bytes (REST JSON, gRPC-web trailers, Connect JSON, OAuth JSON).  The
 * admin tool maps the same kinds to its exit codes.  The kinds and their
 * rows are written once, in errors.def; doc/errors.md lists them.
 */
#ifndef OIDC_SECRET_ERROR_H
#define OIDC_SECRET_ERROR_H

#include <stddef.h>

/* ERR_<KIND> for each row of errors.def, in its order, after ERR_OK. */
enum err {
	ERR_OK = 0,
#define ERR(kind, code, http, id, text, oauth, when) ERR_##kind,
#include "errors.def"
#undef ERR
	ERR__COUNT
};

/* gRPC status codes (grpc/status.h); Connect uses the same. */
enum grpc_code {
	GRPC_OK = 0,
	GRPC_CANCELLED = 1,
	GRPC_UNKNOWN = 2,
	GRPC_INVALID_ARGUMENT = 3,
	GRPC_DEADLINE_EXCEEDED = 4,
	GRPC_NOT_FOUND = 5,
	GRPC_ALREADY_EXISTS = 6,
	GRPC_PERMISSION_DENIED = 7,
	GRPC_RESOURCE_EXHAUSTED = 8,
	GRPC_FAILED_PRECONDITION = 9,
	GRPC_ABORTED = 10,
	GRPC_OUT_OF_RANGE = 11,
	GRPC_UNIMPLEMENTED = 12,
	GRPC_INTERNAL = 13,
	GRPC_UNAVAILABLE = 14,
	GRPC_DATA_LOSS = 15,
	GRPC_UNAUTHENTICATED = 16
};

struct err_info {
	int grpc;		/* gRPC status code */
	int http;		/* HTTP status where it is not the code's */
	const char *id;		/* ZITADEL-style error ID, e.g. "AUTH-7fs1e" */
	const char *text;	/* message without the ID */
	const char *oauth;	/* RFC 6749 5.2 error code; "" if none */
};

const struct err_info *err_info(enum err kind);

/* HTTP status of an error answer (REST and Connect) for a kind. */
int err_http(enum err kind);

/*
 * HTTP status for a gRPC code: grpc-gateway's HTTPStatusFromCode, which
 * Connect's table matches code for code.
 */
int err_http_from_grpc(int grpc);

/* Connect's name of a gRPC code ("not_found"); "unknown" when out of range. */
const char *err_connect_code(int grpc);

/* Reason phrase for an HTTP status this program sends. */
const char *err_http_reason(int http);

/*
 * "<text> (<ID>)", the message every wire carries, into out; -1 when out
 * (outlen bytes) is too small.
 */
int err_message(enum err kind, char *out, size_t outlen);

#define ERR_MESSAGE_MAX 256

/* The RFC 6749 error code a kind answers with at the OAuth endpoints. */
const char *err_oauth_code(enum err kind);

#endif
