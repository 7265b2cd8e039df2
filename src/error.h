/*
 * error.h - every error the responder can answer, in one table (SPEC section 4).
 *
 * An error kind carries its gRPC code, its ZITADEL-style ID, its text and the
 * HTTP status.  The service and the codecs pass kinds around; only the codecs
 * turn them into bytes.
 */
#ifndef OIDC_SECRET_ERROR_H
#define OIDC_SECRET_ERROR_H

enum err {
	ERR_OK = 0,
	/* The service's checks, in the order SPEC section 4 runs them. */
	ERR_AUTH_MISSING,
	ERR_TOKEN_INVALID,
	ERR_ORG_NOT_FOUND,
	ERR_ID_MISSING,
	ERR_INVALID_ARGUMENT,
	ERR_PERMISSION_DENIED,
	ERR_APP_NOT_FOUND,
	ERR_APP_NOT_OIDC,
	ERR_UNAVAILABLE,
	ERR_INTERNAL,
	/* The transport's refusals, answered before the service runs. */
	ERR_ROUTE_NOT_FOUND,
	ERR_METHOD_NOT_ALLOWED,
	ERR_BODY_TOO_LARGE,
	ERR_BAD_BODY,
	ERR_MEDIA_TYPE,
	ERR_GRPC_NATIVE,
	ERR_GRPC_MEDIA_TYPE,
	ERR__COUNT
};

/* gRPC status codes used here (grpc/status.h). */
enum grpc_code {
	GRPC_OK = 0,
	GRPC_INVALID_ARGUMENT = 3,
	GRPC_NOT_FOUND = 5,
	GRPC_PERMISSION_DENIED = 7,
	GRPC_UNIMPLEMENTED = 12,
	GRPC_INTERNAL = 13,
	GRPC_UNAVAILABLE = 14,
	GRPC_UNAUTHENTICATED = 16
};

struct err_info {
	int grpc;		/* gRPC status code */
	int http;		/* HTTP status where SPEC overrides the mapping, else 0 */
	const char *id;		/* ZITADEL-style error ID, e.g. "AUTH-7fs1e" */
	const char *text;	/* message without the ID */
};

const struct err_info *err_info(enum err kind);

/* HTTP status of the REST answer for an error kind. */
int err_http(enum err kind);

/* HTTP status for a gRPC code, as grpc-gateway's HTTPStatusFromCode maps it. */
int err_http_from_grpc(int grpc);

/* Reason phrase for an HTTP status this program sends. */
const char *err_http_reason(int http);

#endif
