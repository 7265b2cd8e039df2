/*
 * route.c - request path -> route, its call and its IDs (doc/api.md).
 *
 * Routes match the end of the path, so whatever mount prefix the server put
 * in front (/api, /cgi-bin/oidc-secret.cgi, lighttpd's SCRIPT_NAME) needs no
 * setting.  The path arrives decoded by the server (RFC 3875 4.1.5, 4.1.13)
 * and is never decoded a second time; only the REQUEST_URI fallback is
 * decoded, once.  IDs are slices of the path; route_check_id() judges them
 * later, in the service's order.
 */
#include "route.h"

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "utf8.h"
#include "util.h"

#define REST_SEGMENTS 8

/* The service paths: gRPC-web, and Connect for the v2 calls. */
static const struct {
	const char *suffix;
	enum family family;
	enum rpc rpc;
} services[] = {
	{ "/zitadel.management.v1.ManagementService/"
	    "RegenerateOIDCClientSecret", FAMILY_GRPC, RPC_V1_OIDC },
	{ "/zitadel.management.v1.ManagementService/"
	    "RegenerateAPIClientSecret", FAMILY_GRPC, RPC_V1_API },
	{ "/zitadel.application.v2.ApplicationService/GenerateClientSecret",
	    FAMILY_CONNECT, RPC_V2 },
	{ "/zitadel.app.v2beta.AppService/RegenerateClientSecret",
	    FAMILY_CONNECT, RPC_V2BETA },
};

static int
ends_with(const char *path, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len >= n && memcmp(path + len - n, suffix, n) == 0;
}

static int
slice_is(struct slice s, const char *lit)
{
	size_t n = strlen(lit);

	return s.n == n && memcmp(s.p, lit, n) == 0;
}

/* The REST routes' configuration segment and the call it names. */
static int
rest_config(struct slice seg, enum rpc *rpc)
{
	if (slice_is(seg, "oidc_config"))
		*rpc = RPC_V1_OIDC;
	else if (slice_is(seg, "api_config"))
		*rpc = RPC_V1_API;
	else
		return -1;
	return 0;
}

/*
 * Splits the last n '/'-separated segments of path into seg[0..n-1] (in
 * path order).  Returns 0 when the path has at least n segments, each after
 * a '/'.
 */
static int
last_segments(const char *path, size_t len, struct slice *seg, int n)
{
	size_t end = len;
	int i;

	for (i = n - 1; i >= 0; i--) {
		size_t start = end;

		while (start > 0 && path[start - 1] != '/')
			start--;
		if (start == 0)
			return -1;	/* no '/' before this segment */
		seg[i].p = path + start;
		seg[i].n = end - start;
		end = start - 1;
	}
	return 0;
}

/*
 * A REST route with one or both IDs empty, after the server merged the
 * empty segment away ("/projects//apps/" arrives from lighttpd as
 * "/projects/apps/").  The full form always has 8 segments, so a shorter
 * path of this shape can only be that route with an ID missing; answering
 * "ID missing" says more than "unknown path".
 */
static int
rest_merged(const char *path, size_t len, struct route *out)
{
	static const struct slice empty = { "", 0 };
	struct slice seg[REST_SEGMENTS];

	if (last_segments(path, len, seg, 6) == 0 &&
	    slice_is(seg[0], "management") && slice_is(seg[1], "v1") &&
	    slice_is(seg[2], "projects") && slice_is(seg[3], "apps") &&
	    rest_config(seg[4], &out->rpc) == 0 &&
	    slice_is(seg[5], "_generate_client_secret")) {
		out->project_id = empty;
		out->app_id = empty;
		return 0;
	}
	if (last_segments(path, len, seg, 7) != 0 ||
	    !slice_is(seg[0], "management") || !slice_is(seg[1], "v1") ||
	    !slice_is(seg[2], "projects") ||
	    rest_config(seg[5], &out->rpc) != 0 ||
	    !slice_is(seg[6], "_generate_client_secret"))
		return -1;
	if (slice_is(seg[3], "apps")) {		/* projects//apps/A */
		out->project_id = empty;
		out->app_id = seg[4];
		return 0;
	}
	if (slice_is(seg[4], "apps")) {		/* projects/P/apps// */
		out->project_id = seg[3];
		out->app_id = empty;
		return 0;
	}
	return -1;
}

static int
rest_full(const char *path, size_t len, struct route *out)
{
	struct slice seg[REST_SEGMENTS];

	if (last_segments(path, len, seg, REST_SEGMENTS) != 0 ||
	    !slice_is(seg[0], "management") || !slice_is(seg[1], "v1") ||
	    !slice_is(seg[2], "projects") || !slice_is(seg[4], "apps") ||
	    rest_config(seg[6], &out->rpc) != 0 ||
	    !slice_is(seg[7], "_generate_client_secret"))
		return -1;
	out->project_id = seg[3];
	out->app_id = seg[5];
	return 0;
}

static int
service_path(const char *path, size_t len, struct route *out)
{
	size_t i;

	for (i = 0; i < sizeof(services) / sizeof(services[0]); i++)
		if (ends_with(path, len, services[i].suffix)) {
			out->family = services[i].family;
			out->rpc = services[i].rpc;
			return 0;
		}
	return -1;
}

void
route_match(const char *method, const char *path, size_t len,
    struct route *out)
{
	memset(out, 0, sizeof(*out));
	out->kind = ROUTE_NONE;
	if (rest_full(path, len, out) == 0 ||
	    rest_merged(path, len, out) == 0) {
		out->kind = ROUTE_CALL;
		out->family = FAMILY_REST;
	} else if (service_path(path, len, out) == 0)
		out->kind = ROUTE_CALL;
	else if (ends_with(path, len, "/debug/healthz"))
		out->kind = ROUTE_HEALTHZ;
	else if (ends_with(path, len, "/debug/ready"))
		out->kind = ROUTE_READY;
	else
		return;
	if (out->kind == ROUTE_CALL) {
		out->allow = "POST";
		out->method_ok = method != NULL && strcmp(method, "POST") == 0;
	} else {
		/* RFC 9110 9.3.2: HEAD is GET without the body. */
		out->allow = "GET, HEAD";
		out->method_ok = method != NULL &&
		    (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0);
	}
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

size_t
route_percent_decode(char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		int hi, lo;

		if (s[i] == '%' && i + 2 < len &&
		    (hi = hexval(s[i + 1])) >= 0 &&
		    (lo = hexval(s[i + 2])) >= 0) {
			s[n++] = (char)(hi << 4 | lo);
			i += 2;
		} else
			s[n++] = s[i];
	}
	s[n] = '\0';
	return n;
}

char *
route_request_path(const char *script_name, const char *path_info,
    const char *request_uri, size_t *len)
{
	size_t sn = script_name != NULL ? strlen(script_name) : 0;
	size_t pn = path_info != NULL ? strlen(path_info) : 0;
	char *buf;

	if (sn + pn == 0 && request_uri != NULL) {
		size_t un = strcspn(request_uri, "?#");

		buf = malloc(un + 1);
		if (buf == NULL)
			return NULL;
		memcpy(buf, request_uri, un);
		buf[un] = '\0';
		*len = route_percent_decode(buf, un);
		return buf;
	}
	buf = malloc(sn + pn + 1);
	if (buf == NULL)
		return NULL;
	if (sn > 0)
		memcpy(buf, script_name, sn);
	if (pn > 0)
		memcpy(buf + sn, path_info, pn);
	buf[sn + pn] = '\0';
	*len = sn + pn;
	return buf;
}

enum err
route_check_id(struct slice id)
{
	const unsigned char *s = (const unsigned char *)id.p;
	size_t i = 0, chars = 0;

	if (id.n == 0)
		return ERR_ID_MISSING;
	while (i < id.n) {
		unsigned long cp;
		size_t k = utf8_next(s + i, id.n - i, &cp);

		/* C0, DEL and C1 are control characters (Unicode Cc). */
		if (k == 0 || util_is_control(cp))
			return ERR_INVALID_ARGUMENT;
		if (++chars > ID_MAX)
			return ERR_INVALID_ARGUMENT;
		i += k;
	}
	return ERR_OK;
}
