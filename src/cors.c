/*
 * cors.c - cross-origin calls from browsers: the preflight, and the headers
 * an answer to an allowed origin carries (doc/api.md).
 *
 * The origin is echoed, never "*", with Vary: Origin, so caches keep
 * answers per origin.  No cookie is ever read and Allow-Credentials is
 * never sent: the bearer token is the only credential, and a page must
 * hold it to call, so no ambient credential rides on CORS.
 */
#include "cors.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "util.h"

/* Everything ZITADEL's clients send; grpc-timeout for gRPC-web's. */
#define ALLOW_HEADERS "authorization, content-type, accept, " \
	"x-zitadel-orgid, x-grpc-web, x-user-agent, " \
	"connect-protocol-version, connect-timeout-ms, grpc-timeout"
#define EXPOSE_HEADERS "grpc-status, grpc-message, grpc-status-details-bin"
#define MAX_AGE "600"		/* seconds a browser may reuse a preflight */
#define SEPARATORS ", \t"
#define CORS_ORIGIN_MAX 1024

int
cors_list_next(const char **p, const char **entry, size_t *len)
{
	*p += strspn(*p, SEPARATORS);
	*len = strcspn(*p, SEPARATORS);
	*entry = *p;
	*p += *len;
	return *len > 0;
}

int
cors_allowed(const struct config *cfg, const char *origin)
{
	const char *p = cfg->cors_allowed_origins, *e;
	size_t n, k;

	if (origin == NULL || origin[0] == '\0')
		return 0;
	n = strlen(origin);
	/* It is echoed in a header: nothing a header cannot carry. */
	if (n > CORS_ORIGIN_MAX || util_has_control(origin, n))
		return 0;
	while (cors_list_next(&p, &e, &k))
		if ((k == 1 && e[0] == '*') ||
		    (k == n && strncasecmp(e, origin, n) == 0))
			return 1;
	return 0;
}

int
cors_preflight(struct response *resp, const char *origin,
    const char *methods)
{
	char allow[64];

	resp->status = 204;
	snprintf(allow, sizeof(allow), "%s, OPTIONS", methods);
	if (response_header(resp, "Allow", allow) != 0)
		return -1;
	if (origin == NULL)
		return 0;
	if (response_header(resp, "Access-Control-Allow-Origin", origin) != 0 ||
	    response_header(resp, "Access-Control-Allow-Methods", methods) ||
	    response_header(resp, "Access-Control-Allow-Headers",
	    ALLOW_HEADERS) != 0 ||
	    response_header(resp, "Access-Control-Max-Age", MAX_AGE) != 0 ||
	    response_header(resp, "Vary", "Origin, Access-Control-Request-"
	    "Method, Access-Control-Request-Headers") != 0)
		return -1;
	return 0;
}

int
cors_headers(struct response *resp, const char *origin)
{
	if (response_header(resp, "Access-Control-Allow-Origin", origin) != 0 ||
	    response_header(resp, "Vary", "Origin") != 0 ||
	    response_header(resp, "Access-Control-Expose-Headers",
	    EXPOSE_HEADERS) != 0)
		return -1;
	return 0;
}
