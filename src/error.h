/*
 * error.h - every error kind, in one table: gRPC code, ID, text, HTTP.
 *
 * One vocabulary from the store through the service to the codecs: a
 * function that can fail returns an enum err, and only a codec turns a kind
 * into bytes (REST JSON, gRPC-web trailers, Connect JSON).  The admin tool
 * maps the same kinds to its exit codes.  doc/errors.md lists the table.
 */
#ifndef OIDC_SECRET_ERROR_H
#define OIDC_SECRET_ERROR_H

enum err {
	ERR_OK = 0,
	/* The service's checks, in the order it runs them. */
	ERR_AUTH_MISSING,
	ERR_TOKEN_INVALID,
	ERR_ORG_NOT_FOUND,
	ERR_APP_TYPE_UNKNOWN,	/* v2beta: neither is_oidc nor is_api */
	ERR_ID_MISSING,
	ERR_ID_MISSING_V2,	/* the same, as application.v2 words it */
	ERR_INVALID_ARGUMENT,
	ERR_PERMISSION_DENIED,
	ERR_APP_NOT_FOUND,
	ERR_APP_NOT_FOUND_V2,
	ERR_APP_NOT_OIDC,
	ERR_APP_NOT_API,
	ERR_DEADLINE,		/* the client's timeout passed first */
	ERR_UNAVAILABLE,	/* database unreachable or lost */
	ERR_CONFLICT,		/* deadlock, lock wait, certification: retry */
	ERR_INTERNAL,
	/* The transport's refusals, answered before the service runs. */
	ERR_ROUTE_NOT_FOUND,
	ERR_METHOD_NOT_ALLOWED,
	ERR_BODY_TOO_LARGE,
	ERR_BAD_BODY,
	ERR_MEDIA_TYPE,		/* a gRPC type on a REST route */
	ERR_GRPC_NATIVE,	/* application/grpc: needs HTTP/2 trailers */
	ERR_GRPC_MEDIA_TYPE,	/* not gRPC-web on a v1 service path */
	ERR_CONNECT_MEDIA_TYPE,	/* none of Connect's or gRPC-web's types */
	ERR_CONNECT_VERSION,	/* Connect-Protocol-Version other than 1 */
	ERR_CONNECT_TIMEOUT,	/* Connect-Timeout-Ms not 1 to 10 digits */
	ERR_COMPRESSED,		/* Content-Encoding other than identity */
	ERR_READ_TIMEOUT,	/* request not read within read_timeout_s */
	/* The admin tool's outcomes; never on the wire. */
	ERR_NOT_FOUND,
	ERR_EXISTS,
	ERR_CONFIG,
	ERR_SCHEMA_NEWER,
	ERR_BUSY,
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

#endif
