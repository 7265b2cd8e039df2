/*
 * error.c - the one table of error kinds: gRPC code, ID, text, HTTP status.
 *
 * Texts and IDs of the service's checks are ZITADEL's own; the transport's
 * refusals use the OSF- prefix.  HTTP statuses follow the code (grpc-gateway
 * and Connect agree) except where the table names another: 405, 408, 413, 415.
 * Texts never carry SQL, paths or library messages.  doc/errors.md is the
 * reader's copy of this table.
 */
#include "error.h"

#define E(code, http, id, text) { GRPC_##code, http, id, text }

static const struct err_info table[ERR__COUNT] = {
	[ERR_OK] = E(OK, 0, "", ""),
	[ERR_AUTH_MISSING] = E(UNAUTHENTICATED, 0, "AUTH-7fs1e",
	    "auth header missing"),
	[ERR_TOKEN_INVALID] = E(UNAUTHENTICATED, 0, "AUTH-7fs1e",
	    "Token is invalid"),
	[ERR_ORG_NOT_FOUND] = E(PERMISSION_DENIED, 0, "AUTH-Bs7Ds",
	    "Organisation doesn't exist"),
	[ERR_APP_TYPE_UNKNOWN] = E(INVALID_ARGUMENT, 0, "APP-aLWIzw",
	    "unknown app type"),
	[ERR_ID_MISSING] = E(INVALID_ARGUMENT, 0, "COMMAND-99i83",
	    "ID missing"),
	[ERR_ID_MISSING_V2] = E(INVALID_ARGUMENT, 0, "COMMAND-KJ29c",
	    "ID missing"),
	[ERR_INVALID_ARGUMENT] = E(INVALID_ARGUMENT, 0, "OSF-VAL01",
	    "invalid argument"),
	[ERR_PERMISSION_DENIED] = E(PERMISSION_DENIED, 0, "AUTH-5mWD2",
	    "No matching permissions found"),
	[ERR_APP_NOT_FOUND] = E(NOT_FOUND, 0, "COMMAND-2g66f",
	    "Application doesn't exist"),
	[ERR_APP_NOT_FOUND_V2] = E(NOT_FOUND, 0, "COMMAND-Kd92s",
	    "Application doesn't exist"),
	[ERR_APP_NOT_OIDC] = E(INVALID_ARGUMENT, 0, "COMMAND-Ghrh3",
	    "Application is not type OIDC"),
	[ERR_APP_NOT_API] = E(INVALID_ARGUMENT, 0, "COMMAND-aeH4",
	    "Application is not type API"),
	[ERR_DEADLINE] = E(DEADLINE_EXCEEDED, 0, "OSF-DL001",
	    "deadline exceeded, nothing changed"),
	[ERR_UNAVAILABLE] = E(UNAVAILABLE, 0, "OSF-DB001",
	    "service unavailable, try again"),
	[ERR_CONFLICT] = E(UNAVAILABLE, 0, "OSF-DB001",
	    "service unavailable, try again"),
	[ERR_INTERNAL] = E(INTERNAL, 0, "OSF-INT01", "internal error"),
	[ERR_ROUTE_NOT_FOUND] = E(NOT_FOUND, 0, "OSF-RT404", "unknown path"),
	[ERR_METHOD_NOT_ALLOWED] = E(UNIMPLEMENTED, 405, "OSF-RT405",
	    "method not allowed"),
	[ERR_BODY_TOO_LARGE] = E(INVALID_ARGUMENT, 413, "OSF-RQ413",
	    "request body too large"),
	[ERR_BAD_BODY] = E(INVALID_ARGUMENT, 0, "OSF-RQ400",
	    "invalid request body"),
	[ERR_MEDIA_TYPE] = E(INVALID_ARGUMENT, 415, "OSF-RQ415",
	    "gRPC content type on a REST path: use the service path"),
	[ERR_GRPC_NATIVE] = E(UNIMPLEMENTED, 415, "OSF-GW415",
	    "native gRPC needs HTTP/2 trailers: use gRPC-web or JSON"),
	[ERR_GRPC_MEDIA_TYPE] = E(INVALID_ARGUMENT, 415, "OSF-GWCT1",
	    "unsupported content type, use application/grpc-web+proto"),
	[ERR_CONNECT_MEDIA_TYPE] = E(INVALID_ARGUMENT, 415, "OSF-CN415",
	    "unsupported content type, use application/json or "
	    "application/proto"),
	[ERR_CONNECT_VERSION] = E(INVALID_ARGUMENT, 0, "OSF-CN400",
	    "connect-protocol-version must be 1"),
	[ERR_CONNECT_TIMEOUT] = E(INVALID_ARGUMENT, 0, "OSF-CN401",
	    "connect-timeout-ms must be 1 to 10 digits"),
	[ERR_COMPRESSED] = E(UNIMPLEMENTED, 0, "OSF-CN501",
	    "compressed bodies are not supported, use identity"),
	[ERR_READ_TIMEOUT] = E(DEADLINE_EXCEEDED, 408, "OSF-RQ408",
	    "request not received in time"),
	[ERR_NOT_FOUND] = E(NOT_FOUND, 0, "OSF-AD404", "not found"),
	[ERR_EXISTS] = E(ALREADY_EXISTS, 0, "OSF-AD409", "already exists"),
	[ERR_CONFIG] = E(FAILED_PRECONDITION, 0, "OSF-AD400",
	    "configuration or input files"),
	[ERR_SCHEMA_NEWER] = E(FAILED_PRECONDITION, 0, "OSF-AD412",
	    "database schema newer than this program"),
	[ERR_BUSY] = E(ABORTED, 0, "OSF-AD423", "another run holds the lock"),
};

static const char *const connect_codes[] = {
	"ok", "canceled", "unknown", "invalid_argument", "deadline_exceeded",
	"not_found", "already_exists", "permission_denied",
	"resource_exhausted", "failed_precondition", "aborted",
	"out_of_range", "unimplemented", "internal", "unavailable",
	"data_loss", "unauthenticated"
};

const struct err_info *
err_info(enum err kind)
{
	if ((unsigned)kind >= ERR__COUNT)
		kind = ERR_INTERNAL;
	return &table[kind];
}

int
err_http(enum err kind)
{
	const struct err_info *e = err_info(kind);

	return e->http != 0 ? e->http : err_http_from_grpc(e->grpc);
}

int
err_http_from_grpc(int grpc)
{
	switch (grpc) {
	case GRPC_OK:
		return 200;
	case GRPC_CANCELLED:
		return 499;
	case GRPC_INVALID_ARGUMENT:
	case GRPC_FAILED_PRECONDITION:
	case GRPC_OUT_OF_RANGE:
		return 400;
	case GRPC_DEADLINE_EXCEEDED:
		return 504;
	case GRPC_NOT_FOUND:
		return 404;
	case GRPC_ALREADY_EXISTS:
	case GRPC_ABORTED:
		return 409;
	case GRPC_PERMISSION_DENIED:
		return 403;
	case GRPC_RESOURCE_EXHAUSTED:
		return 429;
	case GRPC_UNIMPLEMENTED:
		return 501;
	case GRPC_UNAVAILABLE:
		return 503;
	case GRPC_UNAUTHENTICATED:
		return 401;
	default:	/* unknown, internal, data loss, and anything else */
		return 500;
	}
}

const char *
err_connect_code(int grpc)
{
	if (grpc <= 0 || grpc > GRPC_UNAUTHENTICATED)
		return "unknown";
	return connect_codes[grpc];
}

const char *
err_http_reason(int http)
{
	switch (http) {
	case 200: return "OK";
	case 204: return "No Content";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 409: return "Conflict";
	case 413: return "Content Too Large";
	case 415: return "Unsupported Media Type";
	case 429: return "Too Many Requests";
	case 499: return "Client Closed Request";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	default: return "Internal Server Error";
	}
}
