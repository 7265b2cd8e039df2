/*
 * test_route.c - request path -> route, its call and its IDs
 * (src/route.c).
 *
 * Covers: route_match on the REST paths (oidc_config and api_config) under
 * every shipped mount prefix (none, /api, /cgi-bin/oidc-secret.cgi,
 * lighttpd's first-segment SCRIPT_NAME, mod_proxy_fcgi's whole-path
 * SCRIPT_NAME), the four service paths and the family and call each names,
 * /debug/healthz and /debug/ready, method checks and Allow; paths that must
 * not match; empty IDs, also where the server merged "//";
 * route_request_path's RFC 3875 concatenation (never decoded twice) and its
 * REQUEST_URI fallback (decoded once, query dropped, %00 kept as a byte, bad
 * escapes kept literally); route_check_id's limits (200 characters, not
 * bytes), UTF-8 validity and control characters.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "route.h"

#define REST_TAIL "/oidc_config/_generate_client_secret"
#define API_TAIL "/api_config/_generate_client_secret"
#define GRPC_PATH \
	"/zitadel.management.v1.ManagementService/RegenerateOIDCClientSecret"
#define GRPC_API_PATH \
	"/zitadel.management.v1.ManagementService/RegenerateAPIClientSecret"
#define V2_PATH \
	"/zitadel.application.v2.ApplicationService/GenerateClientSecret"
#define V2BETA_PATH "/zitadel.app.v2beta.AppService/RegenerateClientSecret"

/* A call on family f for rpc, as route_match left it. */
#define assert_call(r, f, c) do { \
	assert_int_equal((r).kind, ROUTE_CALL); \
	assert_int_equal((r).family, (f)); \
	assert_int_equal((r).rpc, (c)); \
} while (0)
#define assert_rest(r) assert_call(r, FAMILY_REST, RPC_V1_OIDC)

static void
assert_slice(struct slice s, const char *want, size_t wantlen)
{
	assert_int_equal(s.n, wantlen);
	if (wantlen > 0)
		assert_memory_equal(s.p, want, wantlen);
}

static struct route
match(const char *method, const char *path)
{
	struct route r;

	memset(&r, 0x5a, sizeof(r));	/* route_match must set every field */
	route_match(method, path, strlen(path), &r);
	return r;
}

static void
test_rest_under_every_prefix(void **state)
{
	static const char *const prefixes[] = {
		"", "/api", "/cgi-bin/oidc-secret.cgi", "/oidc-secret.fcgi",
		"/a/b/c",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		char path[256];
		struct route r;

		snprintf(path, sizeof(path),
		    "%s/management/v1/projects/69629023906488334/apps/"
		    "69629026806489455" REST_TAIL, prefixes[i]);
		r = match("POST", path);
		if (r.kind != ROUTE_CALL || r.family != FAMILY_REST ||
		    r.rpc != RPC_V1_OIDC)
			fail_msg("prefix \"%s\": kind %d", prefixes[i],
			    (int)r.kind);
		assert_int_equal(r.method_ok, 1);
		assert_string_equal(r.allow, "POST");
		assert_slice(r.project_id, "69629023906488334", 17);
		assert_slice(r.app_id, "69629026806489455", 17);
		/* The slices point into the path, not into a copy. */
		assert_true(r.project_id.p > path &&
		    r.project_id.p < path + strlen(path));
	}
}

/* lighttpd at "/" without fix-root-scriptname: SCRIPT_NAME /management. */
static void
test_rest_lighttpd_split(void **state)
{
	size_t len = 0;
	char *p = route_request_path("/management",
	    "/v1/projects/p1/apps/a1" REST_TAIL, NULL, &len);
	struct route r;

	(void)state;
	assert_non_null(p);
	assert_string_equal(p, "/management/v1/projects/p1/apps/a1" REST_TAIL);
	route_match("POST", p, len, &r);
	assert_rest(r);
	assert_int_equal(r.method_ok, 1);
	assert_slice(r.project_id, "p1", 2);
	assert_slice(r.app_id, "a1", 2);
	free(p);
}

/* mod_fcgid under ScriptAlias /api; mod_proxy_fcgi: all in SCRIPT_NAME. */
static void
test_rest_apache_splits(void **state)
{
	size_t len = 0;
	char *p;
	struct route r;

	(void)state;
	p = route_request_path("/api",
	    "/management/v1/projects/p/apps/a" REST_TAIL,
	    "/api/management/v1/projects/IGNORED/apps/a" REST_TAIL, &len);
	assert_non_null(p);
	route_match("POST", p, len, &r);
	assert_rest(r);
	assert_slice(r.project_id, "p", 1);
	free(p);

	p = route_request_path("/api/management/v1/projects/p/apps/a" REST_TAIL,
	    NULL, NULL, &len);
	assert_non_null(p);
	route_match("POST", p, len, &r);
	assert_rest(r);
	assert_slice(r.app_id, "a", 1);
	free(p);
}

static void
test_grpc_path(void **state)
{
	struct route r;

	(void)state;
	r = match("POST", GRPC_PATH);
	assert_call(r, FAMILY_GRPC, RPC_V1_OIDC);
	assert_int_equal(r.method_ok, 1);
	assert_string_equal(r.allow, "POST");
	assert_int_equal(r.project_id.n, 0);
	assert_int_equal(r.app_id.n, 0);
	r = match("POST", "/api" GRPC_PATH);
	assert_call(r, FAMILY_GRPC, RPC_V1_OIDC);
	r = match("POST", "/cgi-bin/oidc-secret.cgi" GRPC_PATH);
	assert_call(r, FAMILY_GRPC, RPC_V1_OIDC);
	r = match("GET", GRPC_PATH);
	assert_call(r, FAMILY_GRPC, RPC_V1_OIDC);
	assert_int_equal(r.method_ok, 0);
	assert_string_equal(r.allow, "POST");
}


/* API apps: the same shape, api_config. */
static void
test_rest_api_config(void **state)
{
	struct route r;

	(void)state;
	r = match("POST", "/api/management/v1/projects/p1/apps/a1" API_TAIL);
	assert_call(r, FAMILY_REST, RPC_V1_API);
	assert_int_equal(r.method_ok, 1);
	assert_slice(r.project_id, "p1", 2);
	assert_slice(r.app_id, "a1", 2);
	/* Merged "//" with api_config: the API call, IDs empty. */
	r = match("POST", "/management/v1/projects/apps" API_TAIL);
	assert_call(r, FAMILY_REST, RPC_V1_API);
	assert_int_equal(r.project_id.n, 0);
	assert_int_equal(r.app_id.n, 0);
	r = match("POST", "/management/v1/projects/P/apps" API_TAIL);
	assert_call(r, FAMILY_REST, RPC_V1_API);
	assert_slice(r.project_id, "P", 1);
	assert_int_equal(r.app_id.n, 0);
	r = match("POST", "/management/v1/projects/apps/A" API_TAIL);
	assert_call(r, FAMILY_REST, RPC_V1_API);
	assert_int_equal(r.project_id.n, 0);
	assert_slice(r.app_id, "A", 1);
	r = match("PUT", "/management/v1/projects/p/apps/a" API_TAIL);
	assert_call(r, FAMILY_REST, RPC_V1_API);
	assert_int_equal(r.method_ok, 0);
	assert_string_equal(r.allow, "POST");
}

/* Each service path: its family, its call, no IDs from the path. */
static void
test_service_paths(void **state)
{
	static const struct {
		const char *path;
		enum family family;
		enum rpc rpc;
	} paths[] = {
		{ GRPC_PATH, FAMILY_GRPC, RPC_V1_OIDC },
		{ GRPC_API_PATH, FAMILY_GRPC, RPC_V1_API },
		{ V2_PATH, FAMILY_CONNECT, RPC_V2 },
		{ V2BETA_PATH, FAMILY_CONNECT, RPC_V2BETA },
	};
	static const char *const prefixes[] = {
		"", "/api", "/cgi-bin/oidc-secret.cgi",
	};
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		for (j = 0; j < sizeof(prefixes) / sizeof(prefixes[0]); j++) {
			char path[256];
			struct route r;

			snprintf(path, sizeof(path), "%s%s", prefixes[j],
			    paths[i].path);
			r = match("POST", path);
			assert_call(r, paths[i].family, paths[i].rpc);
			assert_int_equal(r.method_ok, 1);
			assert_string_equal(r.allow, "POST");
			assert_int_equal(r.project_id.n, 0);
			assert_int_equal(r.app_id.n, 0);
			r = match("OPTIONS", path);
			assert_call(r, paths[i].family, paths[i].rpc);
			assert_int_equal(r.method_ok, 0);
		}
}

static void
test_debug_paths(void **state)
{
	struct route r;

	(void)state;
	r = match("GET", "/debug/healthz");
	assert_int_equal(r.kind, ROUTE_HEALTHZ);
	assert_int_equal(r.method_ok, 1);
	assert_string_equal(r.allow, "GET, HEAD");
	r = match("GET", "/api/debug/ready");
	assert_int_equal(r.kind, ROUTE_READY);
	assert_int_equal(r.method_ok, 1);
	assert_string_equal(r.allow, "GET, HEAD");
	/* HEAD is GET without the body (RFC 9110 9.3.2). */
	r = match("HEAD", "/debug/healthz");
	assert_int_equal(r.method_ok, 1);
	r = match("get", "/debug/healthz");
	assert_int_equal(r.method_ok, 0);
	r = match("GET", "/cgi-bin/oidc-secret.cgi/debug/healthz");
	assert_int_equal(r.kind, ROUTE_HEALTHZ);
	r = match("POST", "/debug/ready");
	assert_int_equal(r.kind, ROUTE_READY);
	assert_int_equal(r.method_ok, 0);
	assert_string_equal(r.allow, "GET, HEAD");
}

/* A known path with another method: 405 with Allow: POST. */
static void
test_rest_wrong_method(void **state)
{
	static const char *const methods[] = { "GET", "PUT", "DELETE", "HEAD",
		"post", "POSTX", "" };
	const char *path = "/management/v1/projects/1/apps/2" REST_TAIL;
	size_t i;
	struct route r;

	(void)state;
	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		r = match(methods[i], path);
		assert_rest(r);
		if (r.method_ok != 0)
			fail_msg("method \"%s\" accepted", methods[i]);
		assert_string_equal(r.allow, "POST");
	}
	r = match(NULL, path);
	assert_rest(r);
	assert_int_equal(r.method_ok, 0);
}

static void
test_bad_paths(void **state)
{
	static const char *const bad[] = {
		/* trailing slash */
		"/management/v1/projects/1/apps/2" REST_TAIL "/",
		"/debug/healthz/",
		GRPC_PATH "/",
		/* missing segment (one that no merged "//" explains) */
		"/management/v1/projects/1/2" REST_TAIL,
		"/management/v1/projects" REST_TAIL,
		"/management/v1/apps" REST_TAIL,
		"/management/projects/1/apps/2" REST_TAIL,
		"/v1/projects/1/apps/2" REST_TAIL,
		"/management/v1/projects/1/apps/2/oidc_config",
		"/management/v1/projects/1/apps/2/_generate_client_secret",
		/* extra segment */
		"/management/v1/projects/1/x/apps/2" REST_TAIL,
		"/management/v1/projects/1/apps/2/x" REST_TAIL,
		"/management/v1/projects/1/apps/2" REST_TAIL "/x",
		"/management/v1/v1/projects/1/apps/2" REST_TAIL,
		/* wrong literal */
		"/management/v2/projects/1/apps/2" REST_TAIL,
		"/Management/v1/projects/1/apps/2" REST_TAIL,
		"/management/v1/project/1/apps/2" REST_TAIL,
		"/management/v1/projects/1/app/2" REST_TAIL,
		"/management/v1/projects/1/apps/2/oidc-config/_generate_client_"
		    "secret",
		"/management/v1/projects/1/apps/2/oidc_config/_generate_client_"
		    "secrets",
		"/management/v1/projects/1/apps/2/oidc_config/generate_client_"
		    "secret",
		"/xmanagement/v1/projects/1/apps/2" REST_TAIL,
		"/zitadel.management.v1.ManagementService/"
		    "RegenerateOIDCClientSecretX",
		"/zitadel.management.v1.ManagementService/GetMyOrg",
		"/zitadel.management.v2.ManagementService/"
		    "RegenerateOIDCClientSecret",
		V2_PATH "/",
		"/zitadel.application.v2.ApplicationService/"
		    "GenerateClientSecrets",
		"/zitadel.application.v2beta.ApplicationService/"
		    "GenerateClientSecret",
		"/zitadel.app.v2.AppService/RegenerateClientSecret",
		"/zitadel.app.v2beta.AppService/GenerateClientSecret",
		"/management/v1/projects/1/apps/2/saml_config/_generate_client_"
		    "secret",
		"/management/v1/projects/1/apps/2/api-config/_generate_client_"
		    "secret",
		"zitadel.management.v1.ManagementService/"
		    "RegenerateOIDCClientSecret",
		"/debug/healthzz",
		"/debug/readyz",
		"/mydebug/healthz",
		"/debug",
		"/healthz",
		/* no leading '/' before the first segment */
		"management/v1/projects/1/apps/2" REST_TAIL,
		/* query strings are not part of the path */
		"/debug/healthz?x=1",
		/* prefix only */
		"", "/", "/api", "/api/", "/cgi-bin/oidc-secret.cgi",
		"/cgi-bin/oidc-secret.cgi/", "/management", "/management/v1",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct route r = match("POST", bad[i]);

		if (r.kind != ROUTE_NONE)
			fail_msg("\"%s\" matched route %d", bad[i],
			    (int)r.kind);
		assert_int_equal(r.method_ok, 0);
		assert_null(r.allow);
	}
}

/* route_match takes a length: a NUL inside the path is just a byte. */
static void
test_match_uses_length(void **state)
{
	static const char path[] =
	    "/management/v1/projects/a\0b/apps/2" REST_TAIL;
	struct route r;

	(void)state;
	route_match("POST", path, sizeof(path) - 1, &r);
	assert_rest(r);
	assert_slice(r.project_id, "a\0b", 3);
	assert_int_equal(route_check_id(r.project_id), ERR_INVALID_ARGUMENT);
	/* A length that cuts the path short does not match. */
	route_match("GET", "/debug/healthz", 13, &r);
	assert_int_equal(r.kind, ROUTE_NONE);
}

/* Empty IDs still route as REST; route_check_id answers "ID missing". */
static void
test_empty_ids(void **state)
{
	struct route r;

	(void)state;
	r = match("POST",
	    "/management/v1/projects//apps//oidc_config/_generate_client_"
	    "secret");
	assert_rest(r);
	assert_int_equal(r.method_ok, 1);
	assert_int_equal(r.project_id.n, 0);
	assert_int_equal(r.app_id.n, 0);
	assert_int_equal(route_check_id(r.project_id), ERR_ID_MISSING);
	r = match("POST", "/api/management/v1/projects/p/apps/" REST_TAIL);
	assert_rest(r);
	assert_slice(r.project_id, "p", 1);
	assert_int_equal(r.app_id.n, 0);
}

/*
 * lighttpd merges "//" in the path, so "/projects//apps//" arrives as
 * "/projects/apps/": still the REST route, with the IDs empty.
 */
static void
test_merged_empty_ids(void **state)
{
	struct route r;

	(void)state;
	r = match("POST", "/management/v1/projects/apps" REST_TAIL);
	assert_rest(r);
	assert_int_equal(r.method_ok, 1);
	assert_string_equal(r.allow, "POST");
	assert_int_equal(r.project_id.n, 0);
	assert_int_equal(r.app_id.n, 0);
	assert_int_equal(route_check_id(r.project_id), ERR_ID_MISSING);

	r = match("POST", "/api/management/v1/projects/apps/A1" REST_TAIL);
	assert_rest(r);
	assert_int_equal(r.project_id.n, 0);
	assert_slice(r.app_id, "A1", 2);

	r = match("GET", "/management/v1/projects/P1/apps" REST_TAIL);
	assert_rest(r);
	assert_int_equal(r.method_ok, 0);
	assert_string_equal(r.allow, "POST");
	assert_slice(r.project_id, "P1", 2);
	assert_int_equal(r.app_id.n, 0);
}

/* --- route_request_path ------------------------------------------------ */

static void
check_path(const char *sn, const char *pi, const char *uri,
    const char *want, size_t wantlen)
{
	size_t len = 12345;
	char *p = route_request_path(sn, pi, uri, &len);

	assert_non_null(p);
	assert_int_equal(len, wantlen);
	assert_memory_equal(p, want, wantlen);
	assert_int_equal(p[len], '\0');
	free(p);
}

#define CHECK_PATH(sn, pi, uri, want) \
	check_path(sn, pi, uri, want, sizeof(want) - 1)

static void
test_path_concatenation(void **state)
{
	(void)state;
	CHECK_PATH("/api", "/debug/healthz", NULL, "/api/debug/healthz");
	CHECK_PATH("/api", "/debug/healthz", "/other?x", "/api/debug/healthz");
	CHECK_PATH("/cgi-bin/oidc-secret.cgi", "", "/x",
	    "/cgi-bin/oidc-secret.cgi");
	CHECK_PATH("/whole/path", NULL, "/x", "/whole/path");
	CHECK_PATH(NULL, "/only/info", "/x", "/only/info");
	CHECK_PATH("", "/only/info", NULL, "/only/info");
	CHECK_PATH(NULL, NULL, NULL, "");
}

/* RFC 3875 4.1.5: the server decoded PATH_INFO once; never again. */
static void
test_path_never_decoded_twice(void **state)
{
	size_t len;
	char *p;
	struct route r;

	(void)state;
	/* The client sent %2541, the server passes %41: the ID is "%41". */
	CHECK_PATH("/api", "/management/v1/projects/%41/apps/a" REST_TAIL,
	    "/api/management/v1/projects/%2541/apps/a" REST_TAIL,
	    "/api/management/v1/projects/%41/apps/a" REST_TAIL);
	/* Whatever the server passed is kept as is. */
	CHECK_PATH("", "/p/%2541/%20/%", NULL, "/p/%2541/%20/%");
	CHECK_PATH("/s%41", "/i%42", NULL, "/s%41/i%42");

	p = route_request_path(NULL,
	    "/management/v1/projects/%41/apps/a" REST_TAIL,
	    NULL, &len);
	assert_non_null(p);
	route_match("POST", p, len, &r);
	assert_rest(r);
	assert_slice(r.project_id, "%41", 3);
	free(p);
}

/* Both empty: REQUEST_URI's path, without its query, decoded once. */
static void
test_path_request_uri_fallback(void **state)
{
	(void)state;
	CHECK_PATH(NULL, NULL, "/api/debug/healthz?verbose=1&x=%41",
	    "/api/debug/healthz");
	CHECK_PATH("", "", "/api/debug/healthz?", "/api/debug/healthz");
	CHECK_PATH(NULL, NULL, "/a%20b/%41%42%43", "/a b/ABC");
	CHECK_PATH(NULL, NULL, "/%c3%a9%C3%A9", "/\xc3\xa9\xc3\xa9");
	/* Decoded once only: %2541 -> %41, not A. */
	CHECK_PATH(NULL, NULL, "/p/%2541", "/p/%41");
	CHECK_PATH(NULL, NULL, "/p/%252541", "/p/%2541");
	/* The query may hold escapes and '#'; only the path counts. */
	CHECK_PATH(NULL, NULL, "/p?q=%00#f", "/p");
	CHECK_PATH(NULL, NULL, "/p%3Fq", "/p?q");
}

static void
test_path_decodes_nul(void **state)
{
	static const char want[] = { '/', 'a', '\0', 'b' };
	size_t len = 0;
	char *p = route_request_path(NULL, NULL, "/a%00b?x", &len);

	(void)state;
	assert_non_null(p);
	assert_int_equal(len, 4);
	assert_memory_equal(p, want, 4);
	assert_int_equal(p[4], '\0');
	free(p);
}

static void
test_path_bad_escapes_literal(void **state)
{
	(void)state;
	CHECK_PATH(NULL, NULL, "/a%G1", "/a%G1");
	CHECK_PATH(NULL, NULL, "/a%1G", "/a%1G");
	CHECK_PATH(NULL, NULL, "/a%", "/a%");
	CHECK_PATH(NULL, NULL, "/a%4", "/a%4");
	CHECK_PATH(NULL, NULL, "/a%4?x", "/a%4");
	CHECK_PATH(NULL, NULL, "%", "%");
	CHECK_PATH(NULL, NULL, "/a%%41", "/a%A");
	CHECK_PATH(NULL, NULL, "/a% 41", "/a% 41");
	CHECK_PATH(NULL, NULL, "/a%41", "/aA");	/* escape at the very end */
}

static void
test_percent_decode_in_place(void **state)
{
	char buf[] = "%41%4a%4A%7e%zz%";
	size_t n;

	(void)state;
	n = route_percent_decode(buf, strlen(buf));
	assert_int_equal(n, 8);
	assert_string_equal(buf, "AJJ~%zz%");
}

/* --- route_check_id ---------------------------------------------------- */

static enum err
check_id_bytes(const char *p, size_t n)
{
	struct slice s = { p, n };

	return route_check_id(s);
}

static enum err
check_id(const char *s)
{
	return check_id_bytes(s, strlen(s));
}

/* n copies of the UTF-8 sequence u (malloc'd, NUL-terminated). */
static char *
repeat(const char *u, size_t n)
{
	size_t ul = strlen(u), i;
	char *s = malloc(ul * n + 1);

	assert_non_null(s);
	for (i = 0; i < n; i++)
		memcpy(s + i * ul, u, ul);
	s[ul * n] = '\0';
	return s;
}

static void
test_id_empty(void **state)
{
	(void)state;
	assert_int_equal(check_id(""), ERR_ID_MISSING);
	assert_int_equal(check_id_bytes(NULL, 0), ERR_ID_MISSING);
}

static void
test_id_ascii_length(void **state)
{
	char *s;

	(void)state;
	assert_int_equal(ID_MAX, 200);
	assert_int_equal(check_id("69629023906488334"), ERR_OK);
	assert_int_equal(check_id("a"), ERR_OK);
	s = repeat("a", 200);
	assert_int_equal(check_id(s), ERR_OK);
	free(s);
	s = repeat("a", 201);
	assert_int_equal(check_id(s), ERR_INVALID_ARGUMENT);
	free(s);
}

/* The limit counts characters, not bytes. */
static void
test_id_multibyte_length(void **state)
{
	static const char *const chars[] = {
		"\xc3\xa9",		/* U+00E9, 2 bytes */
		"\xe2\x82\xac",		/* U+20AC, 3 bytes */
		"\xf0\x9f\x98\x80",	/* U+1F600, 4 bytes */
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(chars) / sizeof(chars[0]); i++) {
		char *s = repeat(chars[i], 200);

		assert_int_equal(strlen(s), 200 * strlen(chars[i]));
		assert_int_equal(check_id(s), ERR_OK);
		free(s);
		s = repeat(chars[i], 201);
		assert_int_equal(check_id(s), ERR_INVALID_ARGUMENT);
		free(s);
	}
	/* "é" x 200 is 400 bytes: over 200 bytes, still 200 characters. */
	{
		char *s = repeat("\xc3\xa9", 200);

		assert_int_equal(strlen(s), 400);
		assert_int_equal(check_id(s), ERR_OK);
		free(s);
	}
}

static void
test_id_valid_utf8_edges(void **state)
{
	static const char *const ok[] = {
		"\xc2\xa0",		/* U+00A0, first after C1 */
		"\xdf\xbf",		/* U+07FF */
		"\xe0\xa0\x80",		/* U+0800 */
		"\xed\x9f\xbf",		/* U+D7FF, before the surrogates */
		"\xee\x80\x80",		/* U+E000, after them */
		"\xef\xbf\xbd",		/* U+FFFD */
		"\xf0\x90\x80\x80",	/* U+10000 */
		"\xf4\x8f\xbf\xbf",	/* U+10FFFF */
		"a b",			/* space is not a control character */
		"~",
		"x-y_z.1:2@3",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (check_id(ok[i]) != ERR_OK)
			fail_msg("valid ID %zu refused", i);
}

static void
test_id_invalid_utf8(void **state)
{
	static const char *const bad[] = {
		"\x80",			/* lone continuation */
		"a\xbf" "b",		/* lone continuation inside */
		"\xc0\x80",		/* overlong NUL */
		"\xc1\xbf",		/* overlong U+007F */
		"\xe0\x80\x80",		/* overlong, 3 bytes */
		"\xe0\x9f\xbf",		/* overlong U+07FF */
		"\xf0\x80\x80\x80",	/* overlong, 4 bytes */
		"\xf0\x8f\xbf\xbf",	/* overlong U+FFFF */
		"\xed\xa0\x80",		/* surrogate U+D800 */
		"\xed\xbf\xbf",		/* surrogate U+DFFF */
		"\xf4\x90\x80\x80",	/* U+110000 */
		"\xf5\x80\x80\x80",	/* F5+ never appears */
		"\xf8\x88\x80\x80\x80",
		"\xfe",
		"\xff",
		"\xc3",			/* truncated at the end */
		"\xe2\x82",
		"\xf0\x9f\x98",
		"\xc3" "a",		/* continuation missing */
		"\xe2\x82" "a",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (check_id(bad[i]) != ERR_INVALID_ARGUMENT)
			fail_msg("invalid UTF-8 %zu accepted", i);
	/* A sequence cut by the slice's end, though the bytes go on. */
	assert_int_equal(check_id_bytes("a\xc3\xa9", 2), ERR_INVALID_ARGUMENT);
	assert_int_equal(check_id_bytes("a\xc3\xa9", 3), ERR_OK);
}

static void
test_id_control_characters(void **state)
{
	static const char *const bad[] = {
		"\x01", "a\x01", "\x1f", "\t", "a\nb", "\r", "\x7f",
		    "a\x7f" "b",
		"\xc2\x80",		/* U+0080 */
		"\xc2\x85",		/* U+0085 NEL */
		"\xc2\x9f",		/* U+009F */
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (check_id(bad[i]) != ERR_INVALID_ARGUMENT)
			fail_msg("control character %zu accepted", i);
	/* An embedded NUL, in a slice that goes past it. */
	assert_int_equal(check_id_bytes("ab\0cd", 5), ERR_INVALID_ARGUMENT);
	assert_int_equal(check_id_bytes("\0", 1), ERR_INVALID_ARGUMENT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rest_under_every_prefix),
		cmocka_unit_test(test_rest_lighttpd_split),
		cmocka_unit_test(test_rest_apache_splits),
		cmocka_unit_test(test_grpc_path),
		cmocka_unit_test(test_rest_api_config),
		cmocka_unit_test(test_service_paths),
		cmocka_unit_test(test_debug_paths),
		cmocka_unit_test(test_rest_wrong_method),
		cmocka_unit_test(test_bad_paths),
		cmocka_unit_test(test_match_uses_length),
		cmocka_unit_test(test_empty_ids),
		cmocka_unit_test(test_merged_empty_ids),
		cmocka_unit_test(test_path_concatenation),
		cmocka_unit_test(test_path_never_decoded_twice),
		cmocka_unit_test(test_path_request_uri_fallback),
		cmocka_unit_test(test_path_decodes_nul),
		cmocka_unit_test(test_path_bad_escapes_literal),
		cmocka_unit_test(test_percent_decode_in_place),
		cmocka_unit_test(test_id_empty),
		cmocka_unit_test(test_id_ascii_length),
		cmocka_unit_test(test_id_multibyte_length),
		cmocka_unit_test(test_id_valid_utf8_edges),
		cmocka_unit_test(test_id_invalid_utf8),
		cmocka_unit_test(test_id_control_characters),
	};

	return cmocka_run_group_tests_name("route", tests, NULL, NULL);
}
