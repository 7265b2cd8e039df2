/*
 * test_route.c - request path -> segments -> the call it names, and its
 * IDs (src/route.c).
 *
 * Covers: route_request_path's segments (leading, trailing and doubled
 * '/', the segment cap), RFC 3875's SCRIPT_NAME + PATH_INFO never decoded
 * a second time, and the REQUEST_URI fallback split first and then decoded
 * a segment at a time (so %2F stays inside its segment; query and fragment
 * dropped; %00 a byte; bad escapes kept); route_match for every row of
 * calls.c by its path and by its REST binding, under every shipped mount
 * prefix, with the {vars} bound to their request slots; the mount-prefix
 * rule (a prefix holding a route's first segment names nothing); {vars}
 * omitted where the server merged "//", the closest match winning; the
 * method chosen among the rows of one path and the Allow list (HEAD with
 * GET); paths that name nothing; route_percent_decode; route_check_id's
 * limits (200 characters, not bytes), UTF-8 and control characters.
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
#include "unit.h"

#define N(x) (sizeof(x) / sizeof((x)[0]))

#define REST_TAIL "/oidc_config/_generate_client_secret"
#define API_TAIL "/api_config/_generate_client_secret"
#define MGMT "/zitadel.management.v1.ManagementService/"

static const char *const prefixes[] = {
	"", "/api", "/cgi-bin/oidc-secret.cgi", "/oidc-secret.fcgi", "/a/b/c",
	"/zitadel", "/managementx", "/api/v1",
};

/* The path of the last match: the route's values point into it. */
static struct path cur;

static int
teardown(void **state)
{
	(void)state;
	route_path_free(&cur);
	return 0;
}

/* PATH_INFO as a server passes it: never decoded here. */
static struct route
match(const char *method, const char *path)
{
	struct route r;

	route_path_free(&cur);
	assert_int_equal(route_request_path(NULL, path, NULL, &cur), 0);
	memset(&r, 0x5a, sizeof(r));	/* route_match must set every field */
	route_match(method, &cur, &r);
	return r;
}

/* r names the call called name, on family f, and the method is its. */
static void
assert_call(const struct route *r, const char *name, enum family f)
{
	if (r->def == NULL)
		fail_msg("no route, want %s", name);
	if (strcmp(r->def->name, name) != 0 || r->family != f)
		fail_msg("%s on family %d, want %s on %d", r->def->name,
		    (int)r->family, name, (int)f);
}

/* The value of the path variable that fills slot; fails when none does. */
static struct slice
var(const struct route *r, unsigned slot)
{
	struct slice none = { "", 0 };
	size_t i;

	for (i = 0; i < r->nvar; i++)
		if (r->var[i].slot == slot)
			return r->var[i].value;
	fail_msg("no variable for slot %u", slot);
	return none;
}

static void
assert_var(const struct route *r, unsigned slot, const char *want)
{
	struct slice v = var(r, slot);

	if (v.n != strlen(want) || memcmp(v.p, want, v.n) != 0)
		fail_msg("slot %u: \"%.*s\", want \"%s\"", slot, (int)v.n,
		    v.p, want);
}

/* --- segments ------------------------------------------------------------ */

/* The segments of p, joined by '|', into out. */
static void
joined(const struct path *p, char *out, size_t cap)
{
	size_t i, n = 0;

	out[0] = '\0';
	for (i = 0; i < p->n; i++) {
		int k = snprintf(out + n, cap - n, "%s%.*s", i > 0 ? "|" : "",
		    (int)p->seg[i].n, p->seg[i].p);

		assert_true(k >= 0 && (size_t)k < cap - n);
		n += (size_t)k;
	}
}

static void
check_segments(const char *sn, const char *pi, const char *uri,
    const char *want, size_t nseg)
{
	struct path p;
	char got[512];

	assert_int_equal(route_request_path(sn, pi, uri, &p), 0);
	joined(&p, got, sizeof(got));
	if (strcmp(got, want) != 0 || p.n != nseg)
		fail_msg("(%s, %s, %s): %zu \"%s\", want %zu \"%s\"",
		    sn ? sn : "-", pi ? pi : "-", uri ? uri : "-", p.n, got,
		    nseg, want);
	assert_int_equal(p.overflow, 0);
	route_path_free(&p);
	assert_null(p.buf);
	assert_int_equal(p.n, 0);
}

static void
test_segments(void **state)
{
	(void)state;
	check_segments(NULL, "/a/b", NULL, "a|b", 2);
	check_segments(NULL, "/a/", NULL, "a|", 2);
	check_segments(NULL, "/a//b", NULL, "a||b", 3);
	check_segments(NULL, "/", NULL, "", 1);
	check_segments(NULL, "//", NULL, "|", 2);
	/* No leading '/': the first segment opens the path. */
	check_segments(NULL, "a/b", NULL, "a|b", 2);
	check_segments(NULL, NULL, NULL, "", 0);
	check_segments("", "", NULL, "", 0);
}

/* RFC 3875 4.1.13, 4.1.5: SCRIPT_NAME then PATH_INFO, as given. */
static void
test_concatenation_never_decoded(void **state)
{
	(void)state;
	check_segments("/api", "/debug/healthz", NULL, "api|debug|healthz",
	    3);
	/* REQUEST_URI only counts when both are empty. */
	check_segments("/api", "/debug/healthz", "/other?x",
	    "api|debug|healthz", 3);
	check_segments("/cgi-bin/oidc-secret.cgi", "", "/x",
	    "cgi-bin|oidc-secret.cgi", 2);
	check_segments("/whole/path", NULL, "/x", "whole|path", 2);
	check_segments(NULL, "/only/info", "/x", "only|info", 2);
	/* The client sent %2541, the server passed %41: it stays %41. */
	check_segments("/api", "/p/%41/%2F/%20", "/api/p/%2541",
	    "api|p|%41|%2F|%20", 5);
	check_segments("/s%41", "/i%42", NULL, "s%41|i%42", 2);
	/* lighttpd at "/": the first segment is SCRIPT_NAME. */
	check_segments("/management", "/v1/projects/p/apps/a" REST_TAIL,
	    NULL, "management|v1|projects|p|apps|a|oidc_config|"
	    "_generate_client_secret", 8);
}

/* Both empty: REQUEST_URI's path, split first, then each segment decoded. */
static void
test_request_uri_fallback(void **state)
{
	struct path p;
	static const char nul[] = { 'a', '\0', 'b' };

	(void)state;
	check_segments(NULL, NULL, "/api/debug/healthz?verbose=1&x=%41",
	    "api|debug|healthz", 3);
	check_segments("", "", "/api/debug/healthz?", "api|debug|healthz", 3);
	check_segments(NULL, NULL, "/p#frag/x", "p", 1);
	check_segments(NULL, NULL, "/p?q=%00#f", "p", 1);
	check_segments(NULL, NULL, "/a%20b/%41%42%43", "a b|ABC", 2);
	check_segments(NULL, NULL, "/%c3%a9%C3%A9", "\xc3\xa9\xc3\xa9", 1);
	/* %2F is a byte of its segment, never a separator. */
	check_segments(NULL, NULL, "/a%2Fb/c%2fd", "a/b|c/d", 2);
	check_segments(NULL, NULL, "/%2F%2F", "//", 1);
	/* Decoded once only. */
	check_segments(NULL, NULL, "/p/%2541", "p|%41", 2);
	check_segments(NULL, NULL, "/p%3Fq", "p?q", 1);
	/* Bad escapes stay as they are. */
	check_segments(NULL, NULL, "/a%G1/a%1G/a%/a%4", "a%G1|a%1G|a%|a%4",
	    4);
	check_segments(NULL, NULL, "/a%%41/a% 41", "a%A|a% 41", 2);
	/* An escape at a segment's end, before the next '/'. */
	check_segments(NULL, NULL, "/a%41/b", "aA|b", 2);
	/* %00 is a byte of the segment. */
	assert_int_equal(route_request_path(NULL, NULL, "/a%00b?x", &p), 0);
	assert_int_equal(p.n, 1);
	assert_int_equal(p.seg[0].n, 3);
	assert_memory_equal(p.seg[0].p, nul, 3);
	route_path_free(&p);
}

static void
test_segment_cap(void **state)
{
	char path[4 * (ROUTE_SEGMENTS_MAX + 2)];
	struct path p;
	struct route r;
	size_t i, n = 0;

	(void)state;
	for (i = 0; i < ROUTE_SEGMENTS_MAX - 2; i++)
		n += (size_t)snprintf(path + n, sizeof(path) - n, "/x");
	snprintf(path + n, sizeof(path) - n, "/debug/healthz");
	/* Exactly at the cap: still a route. */
	assert_int_equal(route_request_path(NULL, path, NULL, &p), 0);
	assert_int_equal(p.n, ROUTE_SEGMENTS_MAX);
	assert_int_equal(p.overflow, 0);
	route_match("GET", &p, &r);
	assert_call(&r, "healthz", FAMILY_PLAIN);
	route_path_free(&p);
	/* One more: no route. */
	snprintf(path + n, sizeof(path) - n, "/x/debug/healthz");
	assert_int_equal(route_request_path(NULL, path, NULL, &p), 0);
	assert_int_equal(p.overflow, 1);
	route_match("GET", &p, &r);
	assert_null(r.def);
	route_path_free(&p);
}

/* --- every call ----------------------------------------------------------- */

/* The first method of a list ("GET, POST" -> "GET"). */
static void
first_method(const char *list, char *out, size_t cap)
{
	size_t k = strcspn(list, ", ");

	assert_true(k > 0 && k < cap);
	memcpy(out, list, k);
	out[k] = '\0';
}

/* Each row by its own path, under each prefix, with each of its methods. */
static void
test_every_call_path(void **state)
{
	size_t i, j;

	(void)state;
	for (i = 0; i < ncalls; i++)
		for (j = 0; j < N(prefixes); j++) {
			const struct call_def *d = &calls[i];
			char path[512], method[16];
			struct route r;

			snprintf(path, sizeof(path), "%s%s", prefixes[j],
			    d->path);
			first_method(d->methods, method, sizeof(method));
			r = match(method, path);
			if (r.def == NULL)
				fail_msg("%s %s: no route", method, path);
			/* Two rows may share a path (discovery): same call. */
			assert_string_equal(r.def->path, d->path);
			assert_string_equal(r.def->name, d->name);
			assert_int_equal(r.family, d->family);
			assert_int_equal(r.method_ok, 1);
			assert_int_equal(r.nvar, 0);
			assert_non_null(strstr(r.allow, method));
			/* Its request message names no path variable. */
			r = match("OPTIONS", path);
			assert_ptr_equal(r.def->path, d->path);
			assert_int_equal(r.method_ok, 0);
		}
}

/*
 * Each REST binding with its {vars} filled in: the row, its method, the
 * values bound to the slots of the request fields they name.
 */
static void
test_every_rest_binding(void **state)
{
	static const char *const values[] = { "V0", "V1", "V2", "V3" };
	size_t i, j;
	unsigned seen = 0;

	(void)state;
	for (i = 0; i < ncalls; i++) {
		const struct call_def *d = &calls[i];

		if (d->rest_path == NULL)
			continue;
		seen++;
		for (j = 0; j < N(prefixes); j++) {
			char path[512];
			const char *p = d->rest_path;
			size_t n, nvars = 0, k;
			struct route r;

			n = (size_t)snprintf(path, sizeof(path), "%s",
			    prefixes[j]);
			while (*p != '\0') {
				if (*p == '{') {
					n += (size_t)snprintf(path + n,
					    sizeof(path) - n, "%s",
					    values[nvars++]);
					p = strchr(p, '}') + 1;
				} else
					path[n++] = *p++;
				assert_true(n < sizeof(path));
			}
			path[n] = '\0';
			r = match(d->rest_method, path);
			if (r.def != d)
				fail_msg("%s %s: %s", d->rest_method, path,
				    r.def != NULL ? r.def->name : "no route");
			assert_int_equal(r.family, FAMILY_REST);
			assert_int_equal(r.method_ok, 1);
			assert_int_equal(r.nvar, nvars);
			/* The k-th variable holds the k-th value. */
			for (k = 0; k < nvars; k++) {
				assert_int_equal(r.var[k].value.n, 2);
				assert_memory_equal(r.var[k].value.p,
				    values[k], 2);
			}
		}
	}
	assert_true(seen >= 6);
}

/* The slots the REST paths' variables fill. */
static void
test_rest_variables(void **state)
{
	struct route r;

	(void)state;
	r = match("POST", "/api/management/v1/projects/69629023906488334/apps/"
	    "69629026806489455" REST_TAIL);
	assert_call(&r, "RegenerateOIDCClientSecret", FAMILY_REST);
	assert_int_equal(r.nvar, 2);
	assert_var(&r, ARG_PROJECT_ID, "69629023906488334");
	assert_var(&r, ARG_APP_ID, "69629026806489455");
	/* The values point into the path, not into a copy. */
	assert_true(var(&r, ARG_APP_ID).p > cur.buf &&
	    var(&r, ARG_APP_ID).p < cur.buf + cur.len);
	r = match("POST", "/management/v1/projects/p1/apps/a1" API_TAIL);
	assert_call(&r, "RegenerateAPIClientSecret", FAMILY_REST);
	assert_var(&r, ARG_PROJECT_ID, "p1");
	assert_var(&r, ARG_APP_ID, "a1");
	r = match("PUT", "/management/v1/users/U1/secret");
	assert_call(&r, "GenerateMachineSecret", FAMILY_REST);
	assert_int_equal(r.nvar, 1);
	assert_var(&r, ARG_USER_ID, "U1");
	r = match("POST", "/management/v1/users/U2/keys");
	assert_call(&r, "AddMachineKey", FAMILY_REST);
	assert_var(&r, ARG_USER_ID, "U2");
	r = match("DELETE", "/api/management/v1/users/U3/keys/K3");
	assert_call(&r, "RemoveMachineKey", FAMILY_REST);
	assert_int_equal(r.nvar, 2);
	assert_var(&r, ARG_USER_ID, "U3");
	assert_var(&r, ARG_KEY_ID, "K3");
	/* A variable holding a route's own word is just a value. */
	r = match("DELETE", "/management/v1/users/management/keys/debug");
	assert_call(&r, "RemoveMachineKey", FAMILY_REST);
	assert_var(&r, ARG_USER_ID, "management");
	assert_var(&r, ARG_KEY_ID, "debug");
	/* The service paths carry their IDs in the body. */
	r = match("POST", MGMT "GenerateMachineSecret");
	assert_call(&r, "GenerateMachineSecret", FAMILY_GRPC);
	assert_int_equal(r.nvar, 0);
}

/* --- the mount prefix ----------------------------------------------------- */

/*
 * A prefix holding a route's first segment names nothing: one route may
 * not hide behind another's path.
 */
static void
test_prefix_holds_no_route(void **state)
{
	static const struct {
		const char *method;
		const char *path;
	} none[] = {
		{ "POST", "/zitadel.app.v2beta.AppService/management/v1/"
		    "projects/P/apps/A" REST_TAIL },
		{ "GET", "/zitadel.app.v2beta.AppService/x/debug/ready" },
		{ "GET", "/debug/debug/healthz" },
		{ "GET", "/management/debug/healthz" },
		{ "GET", "/api/management/x/debug/ready" },
		{ "GET", "/oauth/debug/healthz" },
		{ "GET", "/oidc/x/debug/healthz" },
		{ "GET", "/.well-known/debug/healthz" },
		{ "POST", "/debug/oauth/v2/token" },
		{ "POST", "/api/.well-known/x" MGMT "AddMachineKey" },
		{ "POST", MGMT "AddMachineKey" MGMT "AddMachineKey" },
		{ "PUT", "/zitadel.user.v2.UserService/management/v1/users/U/"
		    "secret" },
		{ "GET", "/zitadel.x/.well-known/openid-configuration" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < N(none); i++) {
		struct route r = match(none[i].method, none[i].path);

		if (r.def != NULL)
			fail_msg("%s named %s", none[i].path, r.def->name);
		assert_string_equal(r.allow, "");
		assert_int_equal(r.method_ok, 0);
	}
	/* Prefixes that merely look alike are prefixes. */
	{
		struct route r = match("GET", "/zitadel./debug/healthz");

		assert_call(&r, "healthz", FAMILY_PLAIN);
		r = match("GET", "/my-management/oidc-v1/debug/ready");
		assert_call(&r, "ready", FAMILY_PLAIN);
	}
}

/* --- merged "//" ---------------------------------------------------------- */

/*
 * lighttpd merges "//" into "/": a {var} may be missing, which the
 * service answers "ID missing" rather than "no such path".
 */
static void
test_merged_variables(void **state)
{
	struct route r;

	(void)state;
	r = match("POST", "/management/v1/projects/apps" REST_TAIL);
	assert_call(&r, "RegenerateOIDCClientSecret", FAMILY_REST);
	assert_int_equal(r.method_ok, 1);
	assert_var(&r, ARG_PROJECT_ID, "");
	assert_var(&r, ARG_APP_ID, "");
	r = match("POST", "/api/management/v1/projects/apps/A1" API_TAIL);
	assert_call(&r, "RegenerateAPIClientSecret", FAMILY_REST);
	assert_var(&r, ARG_PROJECT_ID, "");
	assert_var(&r, ARG_APP_ID, "A1");
	r = match("POST", "/management/v1/projects/P1/apps" REST_TAIL);
	assert_var(&r, ARG_PROJECT_ID, "P1");
	assert_var(&r, ARG_APP_ID, "");
	/* Not merged, just empty: the same. */
	r = match("POST", "/management/v1/projects//apps/" REST_TAIL);
	assert_call(&r, "RegenerateOIDCClientSecret", FAMILY_REST);
	assert_var(&r, ARG_PROJECT_ID, "");
	assert_var(&r, ARG_APP_ID, "");
	r = match("PUT", "/management/v1/users/secret");
	assert_call(&r, "GenerateMachineSecret", FAMILY_REST);
	assert_var(&r, ARG_USER_ID, "");
	r = match("DELETE", "/management/v1/users/keys/K");
	assert_call(&r, "RemoveMachineKey", FAMILY_REST);
	assert_var(&r, ARG_USER_ID, "");
	assert_var(&r, ARG_KEY_ID, "K");
	/* The closest match wins: ".../users/U/keys" is AddMachineKey's
	 * whole path, not RemoveMachineKey's without its key. */
	r = match("DELETE", "/management/v1/users/U/keys");
	assert_call(&r, "AddMachineKey", FAMILY_REST);
	assert_int_equal(r.method_ok, 0);
	assert_string_equal(r.allow, "POST");
	r = match("POST", "/management/v1/users/keys");
	assert_call(&r, "AddMachineKey", FAMILY_REST);
	assert_int_equal(r.method_ok, 1);
	assert_var(&r, ARG_USER_ID, "");
}

/* --- methods -------------------------------------------------------------- */

static void
test_methods_and_allow(void **state)
{
	static const struct {
		const char *method;
		const char *path;
		const char *call;	/* the row chosen */
		int ok;
		const char *allow;
	} cases[] = {
		/* Two rows on one path: the method picks. */
		{ "PUT", "/management/v1/users/U/secret",
		    "GenerateMachineSecret", 1, "PUT, DELETE" },
		{ "DELETE", "/management/v1/users/U/secret",
		    "RemoveMachineSecret", 1, "PUT, DELETE" },
		{ "GET", "/management/v1/users/U/secret",
		    "GenerateMachineSecret", 0, "PUT, DELETE" },
		{ "POST", "/api/management/v1/users/U/secret",
		    "GenerateMachineSecret", 0, "PUT, DELETE" },
		{ "DELETE", "/management/v1/users/U/keys/K",
		    "RemoveMachineKey", 1, "DELETE" },
		{ "GET", "/management/v1/projects/1/apps/2" REST_TAIL,
		    "RegenerateOIDCClientSecret", 0, "POST" },
		{ "PUT", MGMT "GenerateMachineSecret",
		    "GenerateMachineSecret", 0, "POST" },
		/* HEAD goes with GET (RFC 9110 9.3.2). */
		{ "GET", "/debug/healthz", "healthz", 1, "GET, HEAD" },
		{ "HEAD", "/debug/healthz", "healthz", 1, "GET, HEAD" },
		{ "POST", "/api/debug/ready", "ready", 0, "GET, HEAD" },
		{ "HEAD", "/.well-known/openid-configuration", "discovery", 1,
		    "GET, HEAD" },
		{ "POST", "/oidc/v1/userinfo", "userinfo", 1,
		    "GET, POST, HEAD" },
		{ "HEAD", "/oauth/v2/authorize", "authorize", 1,
		    "GET, POST, HEAD" },
		{ "DELETE", "/oidc/v1/userinfo", "userinfo", 0,
		    "GET, POST, HEAD" },
		/* Not HEAD where there is no GET. */
		{ "HEAD", "/oauth/v2/token", "token", 0, "POST" },
		{ "GET", "/oauth/v2/introspect", "introspect", 0, "POST" },
		/* Methods are case-sensitive (RFC 9110 9.1). */
		{ "get", "/debug/healthz", "healthz", 0, "GET, HEAD" },
		{ "post", "/oauth/v2/token", "token", 0, "POST" },
		{ "POSTX", "/oauth/v2/token", "token", 0, "POST" },
		{ "POS", "/oauth/v2/token", "token", 0, "POST" },
		{ "", "/oauth/v2/token", "token", 0, "POST" },
		{ "OPTIONS", "/zitadel.user.v2.UserService/AddKey", "AddKey", 0,
		    "POST" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < N(cases); i++) {
		struct route r = match(cases[i].method, cases[i].path);

		if (r.def == NULL || strcmp(r.def->name, cases[i].call) != 0 ||
		    r.method_ok != cases[i].ok ||
		    strcmp(r.allow, cases[i].allow) != 0)
			fail_msg("%s %s: %s ok=%d allow \"%s\"",
			    cases[i].method, cases[i].path,
			    r.def != NULL ? r.def->name : "none", r.method_ok,
			    r.def != NULL ? r.allow : "");
	}
	/* No method at all. */
	{
		struct route r = match(NULL, "/debug/healthz");

		assert_call(&r, "healthz", FAMILY_PLAIN);
		assert_int_equal(r.method_ok, 0);
	}
	assert_ptr_equal(match("DELETE", "/management/v1/users/U/secret").def,
	    unit_call("RemoveMachineSecret"));
}

/* --- no route ------------------------------------------------------------- */

static void
test_no_route(void **state)
{
	static const char *const bad[] = {
		/* trailing slash */
		"/management/v1/projects/1/apps/2" REST_TAIL "/",
		"/debug/healthz/",
		MGMT "RegenerateOIDCClientSecret/",
		/* a segment missing that no merged "//" explains */
		"/management/v1/projects" REST_TAIL,
		"/management/projects/1/apps/2" REST_TAIL,
		"/v1/projects/1/apps/2" REST_TAIL,
		"/management/v1/projects/1/apps/2/oidc_config",
		"/management/v1/projects/1/apps/2/_generate_client_secret",
		"/management/v1/users/U",
		"/management/v1/U/secret",
		/* an extra segment */
		"/management/v1/projects/1/x/apps/2" REST_TAIL,
		"/management/v1/projects/1/apps/2" REST_TAIL "/x",
		"/management/v1/users/U/keys/K/x",
		"/management/v1/users/U/V/secret",
		/* a wrong word */
		"/management/v2/projects/1/apps/2" REST_TAIL,
		"/Management/v1/projects/1/apps/2" REST_TAIL,
		"/management/v1/project/1/apps/2" REST_TAIL,
		"/management/v1/projects/1/apps/2/saml_config/_generate_client_"
		    "secret",
		"/management/v1/user/U/secret",
		"/management/v1/users/U/secrets",
		MGMT "RegenerateOIDCClientSecretX",
		MGMT "GetMyOrg",
		"/zitadel.management.v2.ManagementService/"
		    "RegenerateOIDCClientSecret",
		"/zitadel.application.v2.ApplicationService/"
		    "GenerateClientSecrets",
		"/zitadel.app.v2.AppService/RegenerateClientSecret",
		"/zitadel.user.v2.UserService/AddSecrets",
		"/zitadel.user.v2beta.UserService/AddSecret",
		"/oauth/v2/tokens",
		"/oauth/v1/token",
		"/.well-known/openid-configuration/x",
		"/.well-known/jwks.json",
		"/debug/healthzz",
		"/debug",
		"/healthz",
		/* query strings are not part of PATH_INFO */
		"/debug/healthz?x=1",
		/* a prefix only */
		"", "/", "/api", "/api/", "/cgi-bin/oidc-secret.cgi/",
		"/management", "/management/v1", "//",
	};
	size_t i;

	(void)state;
	for (i = 0; i < N(bad); i++) {
		struct route r = match("POST", bad[i]);

		if (r.def != NULL)
			fail_msg("\"%s\" named %s", bad[i], r.def->name);
		assert_int_equal(r.method_ok, 0);
		assert_string_equal(r.allow, "");
		assert_int_equal(r.nvar, 0);
	}
}

/* A NUL inside a segment is a byte of the ID, which the check refuses. */
static void
test_nul_in_segment(void **state)
{
	struct path p;
	struct route r;
	struct slice v;

	(void)state;
	assert_int_equal(route_request_path(NULL, NULL,
	    "/management/v1/projects/a%00b/apps/2" REST_TAIL, &p), 0);
	route_match("POST", &p, &r);
	assert_call(&r, "RegenerateOIDCClientSecret", FAMILY_REST);
	v = var(&r, ARG_PROJECT_ID);
	assert_int_equal(v.n, 3);
	assert_memory_equal(v.p, "a\0b", 3);
	assert_int_equal(route_check_id(v), ERR_INVALID_ARGUMENT);
	route_path_free(&p);
	/* And %2F inside an ID keeps it one segment. */
	assert_int_equal(route_request_path(NULL, NULL,
	    "/management/v1/users/a%2Fb/secret", &p), 0);
	route_match("PUT", &p, &r);
	assert_call(&r, "GenerateMachineSecret", FAMILY_REST);
	v = var(&r, ARG_USER_ID);
	assert_int_equal(v.n, 3);
	assert_memory_equal(v.p, "a/b", 3);
	route_path_free(&p);
}

static void
test_percent_decode_in_place(void **state)
{
	char buf[] = "%41%4a%4A%7e%zz%";
	char end[] = "x%41";
	char cut[] = "x%4";

	(void)state;
	assert_int_equal(route_percent_decode(buf, strlen(buf)), 8);
	assert_memory_equal(buf, "AJJ~%zz%", 8);
	assert_int_equal(route_percent_decode(end, strlen(end)), 2);
	assert_memory_equal(end, "xA", 2);
	assert_int_equal(route_percent_decode(cut, strlen(cut)), 3);
	assert_memory_equal(cut, "x%4", 3);
	/* The length bounds it: an escape past it is not read. */
	assert_int_equal(route_percent_decode(end, 2), 2);
	assert_int_equal(route_percent_decode(NULL, 0), 0);
}

/* --- route_check_id ------------------------------------------------------- */

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
test_id_length(void **state)
{
	static const char *const chars[] = {
		"a",
		"\xc3\xa9",		/* U+00E9, 2 bytes */
		"\xe2\x82\xac",		/* U+20AC, 3 bytes */
		"\xf0\x9f\x98\x80",	/* U+1F600, 4 bytes */
	};
	size_t i;

	(void)state;
	assert_int_equal(ID_MAX, 200);
	assert_int_equal(check_id(""), ERR_ID_MISSING);
	assert_int_equal(check_id_bytes(NULL, 0), ERR_ID_MISSING);
	assert_int_equal(check_id("69629023906488334"), ERR_OK);
	/* The limit counts characters, not bytes. */
	for (i = 0; i < N(chars); i++) {
		char *s = repeat(chars[i], ID_MAX);

		assert_int_equal(strlen(s), ID_MAX * strlen(chars[i]));
		assert_int_equal(check_id(s), ERR_OK);
		free(s);
		s = repeat(chars[i], ID_MAX + 1);
		assert_int_equal(check_id(s), ERR_INVALID_ARGUMENT);
		free(s);
	}
}

static void
test_id_utf8(void **state)
{
	static const char *const ok[] = {
		"\xc2\xa0",		/* U+00A0, first after C1 */
		"\xdf\xbf", "\xe0\xa0\x80", "\xed\x9f\xbf", "\xee\x80\x80",
		"\xef\xbf\xbd", "\xf0\x90\x80\x80",
		"\xf4\x8f\xbf\xbf",	/* U+10FFFF */
		"a b", "~", "x-y_z.1:2@3",
	};
	static const char *const bad[] = {
		"\x80", "a\xbf" "b", "\xc0\x80", "\xc1\xbf", "\xe0\x80\x80",
		"\xe0\x9f\xbf", "\xf0\x80\x80\x80", "\xf0\x8f\xbf\xbf",
		"\xed\xa0\x80",		/* surrogate U+D800 */
		"\xed\xbf\xbf", "\xf4\x90\x80\x80", "\xf5\x80\x80\x80",
		"\xf8\x88\x80\x80\x80", "\xfe", "\xff", "\xc3", "\xe2\x82",
		"\xf0\x9f\x98", "\xc3" "a", "\xe2\x82" "a",
	};
	size_t i;

	(void)state;
	for (i = 0; i < N(ok); i++)
		if (check_id(ok[i]) != ERR_OK)
			fail_msg("valid ID %zu refused", i);
	for (i = 0; i < N(bad); i++)
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
	for (i = 0; i < N(bad); i++)
		if (check_id(bad[i]) != ERR_INVALID_ARGUMENT)
			fail_msg("control character %zu accepted", i);
	assert_int_equal(check_id_bytes("ab\0cd", 5), ERR_INVALID_ARGUMENT);
	assert_int_equal(check_id_bytes("\0", 1), ERR_INVALID_ARGUMENT);
}

#define T(f) cmocka_unit_test_teardown(f, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_segments),
		T(test_concatenation_never_decoded),
		T(test_request_uri_fallback),
		T(test_segment_cap),
		T(test_every_call_path),
		T(test_every_rest_binding),
		T(test_rest_variables),
		T(test_prefix_holds_no_route),
		T(test_merged_variables),
		T(test_methods_and_allow),
		T(test_no_route),
		T(test_nul_in_segment),
		T(test_percent_decode_in_place),
		T(test_id_length),
		T(test_id_utf8),
		T(test_id_control_characters),
	};

	return cmocka_run_group_tests_name("route", tests, NULL, NULL);
}
