/*
 * error.c - the one table of error kinds: gRPC code, ID, text, HTTP status.
 *
 * Texts and IDs of the service's checks are ZITADEL's own (SPEC section 4);
 * the transport's refusals use the OSF- prefix.  HTTP statuses follow
 * grpc-gateway's mapping except where SPEC section 1 names another (405,
 * 413, 415), which the table names; a 0 there means "from the gRPC code".  Texts never carry SQL, paths or library messages.
 */
#include "error.h"

static const struct err_info table[ERR__COUNT] = {
	[ERR_OK] = { GRPC_OK, 0, "", "" },
	[ERR_AUTH_MISSING] = { GRPC_UNAUTHENTICATED, 0, "AUTH-7fs1e",
		"auth header missing" },
	[ERR_TOKEN_INVALID] = { GRPC_UNAUTHENTICATED, 0, "AUTH-7fs1e",
		"Token is invalid" },
	[ERR_ORG_NOT_FOUND] = { GRPC_PERMISSION_DENIED, 0, "AUTH-Bs7Ds",
		"Organisation doesn't exist" },
	[ERR_ID_MISSING] = { GRPC_INVALID_ARGUMENT, 0, "COMMAND-99i83",
		"ID missing" },
	[ERR_INVALID_ARGUMENT] = { GRPC_INVALID_ARGUMENT, 0, "OSF-VAL01",
		"invalid argument" },
	[ERR_PERMISSION_DENIED] = { GRPC_PERMISSION_DENIED, 0, "AUTH-5mWD2",
		"No matching permissions found" },
	[ERR_APP_NOT_FOUND] = { GRPC_NOT_FOUND, 0, "COMMAND-2g66f",
		"Application doesn't exist" },
	[ERR_APP_NOT_OIDC] = { GRPC_INVALID_ARGUMENT, 0, "COMMAND-Ghrh3",
		"Application is not type OIDC" },
	[ERR_UNAVAILABLE] = { GRPC_UNAVAILABLE, 0, "OSF-DB001",
		"service unavailable, try again" },
	[ERR_INTERNAL] = { GRPC_INTERNAL, 0, "OSF-INT01",
		"internal error" },
	[ERR_ROUTE_NOT_FOUND] = { GRPC_NOT_FOUND, 0, "OSF-RT404",
		"unknown path" },
	[ERR_METHOD_NOT_ALLOWED] = { GRPC_UNIMPLEMENTED, 405, "OSF-RT405",
		"method not allowed" },
	[ERR_BODY_TOO_LARGE] = { GRPC_INVALID_ARGUMENT, 413, "OSF-RQ413",
		"request body too large" },
	[ERR_BAD_BODY] = { GRPC_INVALID_ARGUMENT, 0, "OSF-RQ400",
		"invalid request body" },
	[ERR_MEDIA_TYPE] = { GRPC_INVALID_ARGUMENT, 415, "OSF-RQ415",
		"unsupported content type, use application/json" },
	[ERR_GRPC_NATIVE] = { GRPC_UNIMPLEMENTED, 415, "OSF-GW415",
		"native gRPC needs HTTP/2 trailers: use gRPC-web or JSON" },
	[ERR_GRPC_MEDIA_TYPE] = { GRPC_INVALID_ARGUMENT, 415, "OSF-GWCT1",
		"unsupported content type, use application/grpc-web+proto" },
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
	/* grpc-gateway runtime.HTTPStatusFromCode */
	switch (grpc) {
	case 0:
		return 200;
	case 1:
		return 499;
	case 3: case 9: case 11:
		return 400;
	case 4:
		return 504;
	case 5:
		return 404;
	case 6: case 10:
		return 409;
	case 7:
		return 403;
	case 8:
		return 429;
	case 12:
		return 501;
	case 14:
		return 503;
	case 16:
		return 401;
	default:	/* 2, 13, 15 and anything unknown */
		return 500;
	}
}

const char *
err_http_reason(int http)
{
	switch (http) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
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
