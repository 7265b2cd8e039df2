/*
 * route.h - request path -> route, its call and its IDs (doc/api.md).
 */
#ifndef OIDC_SECRET_ROUTE_H
#define OIDC_SECRET_ROUTE_H

#include <stddef.h>

#include "error.h"

enum route_kind {
	ROUTE_NONE,		/* unknown path: 404 */
	ROUTE_CALL,		/* one of the calls below */
	ROUTE_HEALTHZ,		/* GET /debug/healthz */
	ROUTE_READY		/* GET /debug/ready */
};

/* The calls served; each names the rules its checks follow (service.c). */
enum rpc {
	RPC_V1_OIDC,	/* management.v1 RegenerateOIDCClientSecret */
	RPC_V1_API,	/* management.v1 RegenerateAPIClientSecret */
	RPC_V2,		/* application.v2 GenerateClientSecret: OIDC or API */
	/* app.v2beta RegenerateClientSecret: the message says */
	RPC_V2BETA,
	RPC__COUNT
};

/* How a call's path is spelled, and so which codecs may carry it. */
enum family {
	FAMILY_REST,	/* /management/v1/projects/P/apps/A/..._config/... */
	FAMILY_GRPC,	/* /zitadel.management.v1.ManagementService/... */
	FAMILY_CONNECT	/* /zitadel.application.v2..., /zitadel.app.v2beta... */
};

struct slice {
	const char *p;
	size_t n;
};

struct route {
	enum route_kind kind;
	enum family family;	/* ROUTE_CALL */
	enum rpc rpc;		/* ROUTE_CALL */
	int method_ok;		/* the method is the route's own */
	const char *allow;	/* the route's methods, for 405's Allow */
	/* FAMILY_REST only; point into the path */
	struct slice project_id;
	struct slice app_id;
};

/*
 * Matches the end of path (len bytes, may hold any byte) against the routes;
 * whatever comes before is the mount prefix.  Never fails: an unknown path
 * is ROUTE_NONE.
 */
void route_match(const char *method, const char *path, size_t len,
    struct route *out);

/*
 * The request path of RFC 3875: SCRIPT_NAME then PATH_INFO as the server
 * decoded them; where both are empty, REQUEST_URI's path without its query,
 * percent-decoded once.  Returns a malloc'd buffer (NUL-terminated, *len
 * bytes, which may include NULs from %00) or NULL when out of memory.
 */
char *route_request_path(const char *script_name, const char *path_info,
    const char *request_uri, size_t *len);

/* Percent-decodes in place (RFC 3986 2.1); a bad escape stays as it is. */
size_t route_percent_decode(char *s, size_t len);

/*
 * ERR_OK for a usable ID; ERR_ID_MISSING when empty; ERR_INVALID_ARGUMENT
 * when longer than ID_MAX characters, not UTF-8 or holding control
 * characters.
 */
enum err route_check_id(struct slice id);

#endif
