/*
 * route.h - request path -> the call it names and its IDs (doc/api.md).
 */
#ifndef OIDC_SECRET_ROUTE_H
#define OIDC_SECRET_ROUTE_H

#include <stddef.h>

#include "calls.h"
#include "error.h"
#include "msg.h"

#define ROUTE_SEGMENTS_MAX 32	/* a longer path names no route */
#define ROUTE_VARS_MAX 4	/* {name} segments in one REST path */

/* The request path, split into its '/'-separated segments. */
struct path {
	char *buf;		/* owned: the segments point into it */
	size_t len;
	struct slice seg[ROUTE_SEGMENTS_MAX];
	size_t n;
	int overflow;		/* more segments than seg[] holds */
};

/*
 * The request path of RFC 3875: SCRIPT_NAME then PATH_INFO as the server
 * decoded them, split on '/', never decoded again; where both are empty,
 * REQUEST_URI's path without its query, split first and then each segment
 * percent-decoded once, so that %2F never makes a separator.  0, or -1
 * when out of memory.
 */
int route_request_path(const char *script_name, const char *path_info,
    const char *request_uri, struct path *out);
void route_path_free(struct path *p);

/* A path variable ({project_id}) bound to the request slot it fills. */
struct route_var {
	unsigned slot;		/* enum arg */
	struct slice value;	/* into the path; empty when merged away */
};

struct route {
	const struct call_def *def;	/* NULL: no route, 404 */
	enum family family;	/* how the path was spelled */
	int method_ok;		/* the method is one the path takes */
	char allow[48];		/* the path's methods: 405's Allow, CORS */
	struct route_var var[ROUTE_VARS_MAX];
	size_t nvar;
};

/*
 * The call the end of the path names, after whatever mount prefix the
 * server put in front (/api, /cgi-bin/oidc-secret.cgi); the prefix holds
 * no route of its own, so a prefix with a segment a route starts with
 * (management, zitadel.*, debug, oauth, oidc, .well-known) names none.
 * Among the calls a path names, the one whose method it is.  Never fails:
 * an unknown path leaves out->def NULL.
 */
void route_match(const char *method, const struct path *p,
    struct route *out);

/* Percent-decodes in place (RFC 3986 2.1); a bad escape stays as it is. */
size_t route_percent_decode(char *s, size_t len);

/*
 * ERR_OK for a usable ID; ERR_ID_MISSING when empty; ERR_INVALID_ARGUMENT
 * when longer than ID_MAX characters, not UTF-8 or holding control
 * characters.
 */
enum err route_check_id(struct slice id);

#endif
