/*
 * error.c - the one table of error kinds (errors.def): gRPC code, ID, text,
 * HTTP status, OAuth code; and the wire's spellings every codec shares.
 *
 * HTTP statuses follow the code (grpc-gateway and Connect agree) except
 * where a row names another: 405, 408, 413, 415, and the OAuth endpoints'
 * 400 and 401 (RFC 6749 5.2).
 */
#include "error.h"

#include <stdio.h>

static const struct err_info table[ERR__COUNT] = {
	[ERR_OK] = { GRPC_OK, 0, "", "", "" },
#define ERR(kind, code, http, id, text, oauth, when) \
	[ERR_##kind] = { GRPC_##code, http, id, text, oauth },
#include "errors.def"
#undef ERR
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

int
err_message(enum err kind, char *out, size_t outlen)
{
	const struct err_info *e = err_info(kind);
	int k = snprintf(out, outlen, "%s (%s)", e->text, e->id);

	return k < 0 || (size_t)k >= outlen ? -1 : 0;
}

const char *
err_oauth_code(enum err kind)
{
	const struct err_info *e = err_info(kind);

	/* A kind without its own: the server's fault or the request's. */
	if (e->oauth[0] != '\0')
		return e->oauth;
	return err_http(kind) >= 500 ? "server_error" : "invalid_request";
}
