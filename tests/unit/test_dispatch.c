/*
 * test_dispatch.c - one request through route, codec, service and back
 * (src/dispatch.c), with a fake io for the server and a fake store
 * (fake_store.c) behind the services: no database, no server.
 *
 * Covers: which codec each content type gets on each family of paths
 * (REST, the gRPC service paths, the Connect paths, OAuth's), and the
 * family's own answer when none takes it; native gRPC refused with 415 and
 * grpc-status 12, grpc-message and grpc-status-details-bin; 405 with the
 * path's Allow, in the family's spelling; the preflight (204, no
 * authentication, no body read, CORS headers only for an allowed origin);
 * CORS headers on every answer to an allowed origin, none for a refused
 * one; a body over the limit answered 413 in the codec's spelling without
 * a single read, the input left unread; a body read for POST and PUT and
 * where CONTENT_LENGTH says so, never for a GET or DELETE without one; the
 * health routes and HEAD; an unknown path; REQUEST_URI's path when the
 * server gives no other; a call through every codec with what the log line
 * needs (its route, call, user, what changed), the path's values winning
 * over the body's; the issuer from the configuration, else the request's
 * own host; a service's error in each codec's spelling.
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
#include "dispatch.h"
#include "fake_store.h"
#include "log.h"
#include "request.h"
#include "secret.h"
#include "service.h"
#include "unit.h"
#include "wire.h"

#define N(x) (sizeof(x) / sizeof((x)[0]))

#define REST_PATH "/api/management/v1/projects/P1/apps/A1/oidc_config/" \
	"_generate_client_secret"
#define SECRET_PATH "/api/management/v1/users/U1/secret"
#define GRPC_PATH "/api/zitadel.management.v1.ManagementService/" \
	"RegenerateOIDCClientSecret"
#define V2_PATH "/api/zitadel.application.v2.ApplicationService/" \
	"GenerateClientSecret"
#define V2BETA_PATH "/api/zitadel.app.v2beta.AppService/RegenerateClientSecret"
#define USER_PATH "/api/zitadel.user.v2.UserService/"
#define TOKEN_PATH "/oauth/v2/token"
#define ORIGIN "https://console.example"

/* --- the fake server --------------------------------------------------- */

struct ask {
	const char *method;
	const char *path;		/* SCRIPT_NAME */
	const char *request_uri;
	const char *content_type;
	const char *authorization;
	const char *org;
	const char *origin;
	const char *host;
	const char *https;
	const char *connect_version;
	const char *connect_timeout;
	const char *content_encoding;
	const char *content_length;	/* NULL: none (chunked) */
	const void *body;
	size_t len;
};

struct fio {
	const struct ask *a;
	size_t pos;
	unsigned reads;
};

static const char *
f_param(void *ctx, const char *name)
{
	static const struct {
		const char *name;
		size_t off;
	} params[] = {
		{ "REQUEST_METHOD", offsetof(struct ask, method) },
		{ "SCRIPT_NAME", offsetof(struct ask, path) },
		{ "REQUEST_URI", offsetof(struct ask, request_uri) },
		{ "CONTENT_TYPE", offsetof(struct ask, content_type) },
		{ "HTTP_AUTHORIZATION", offsetof(struct ask, authorization) },
		{ "HTTP_X_ZITADEL_ORGID", offsetof(struct ask, org) },
		{ "HTTP_ORIGIN", offsetof(struct ask, origin) },
		{ "HTTP_HOST", offsetof(struct ask, host) },
		{ "HTTPS", offsetof(struct ask, https) },
		{ "HTTP_CONNECT_PROTOCOL_VERSION",
		    offsetof(struct ask, connect_version) },
		{ "HTTP_CONNECT_TIMEOUT_MS",
		    offsetof(struct ask, connect_timeout) },
		{ "HTTP_CONTENT_ENCODING",
		    offsetof(struct ask, content_encoding) },
		{ "CONTENT_LENGTH", offsetof(struct ask, content_length) },
	};
	const struct ask *a = ((struct fio *)ctx)->a;
	size_t i;

	for (i = 0; i < N(params); i++)
		if (strcmp(name, params[i].name) == 0)
			return *(const char *const *)(const void *)
			    ((const char *)a + params[i].off);
	return NULL;
}

static long
f_read(void *ctx, char *buf, size_t len)
{
	struct fio *f = ctx;
	size_t n = f->a->len - f->pos;

	f->reads++;
	if (n > len)
		n = len;
	if (n > 0)
		memcpy(buf, (const char *)f->a->body + f->pos, n);
	f->pos += n;
	return (long)n;
}

static int
f_write(void *ctx, const char *buf, size_t len)
{
	(void)ctx;
	(void)buf;
	(void)len;
	return 0;
}

static struct config cfg;
static struct service svc;
static struct request req;
static struct response resp;
static struct dispatch_report h;
static struct fio fio;

static void
serve(const struct ask *a)
{
	struct io io = { f_param, f_read, f_write, &fio };

	memset(&fio, 0, sizeof(fio));
	fio.a = a;
	request_free(&req);
	response_free(&resp);
	memset(&resp, 0, sizeof(resp));
	assert_int_equal(request_read_params(&req, &io), 0);
	dispatch(&svc, &req, &io, &resp, &h);
	assert_true(resp.status >= 200 && resp.status <= 599);
	assert_non_null(h.route);
	assert_non_null(h.call);
}

static const char *
header(const char *name)
{
	size_t i;

	for (i = 0; i < resp.nheader; i++)
		if (strcmp(resp.header[i].name, name) == 0)
			return resp.header[i].value;
	return NULL;
}

static int
body_has(const char *s)
{
	return resp.body != NULL && strstr(resp.body, s) != NULL;
}

static int
group_setup(void **state)
{
	(void)state;
	return unit_service(&cfg, &svc, FAKE_API_PROJECT,
	    "max_body_bytes", "1024");
}

static int
group_teardown(void **state)
{
	(void)state;
	request_free(&req);
	response_free(&resp);
	return 0;
}

static int
setup(void **state)
{
	(void)state;
	fake_store_reset();
	snprintf(cfg.cors_allowed_origins, sizeof(cfg.cors_allowed_origins),
	    "*");
	cfg.issuer[0] = '\0';
	return 0;
}

/* --- which codec -------------------------------------------------------- */

enum wire_answer {
	A_REST,		/* REST JSON, code 16: the service answered */
	A_GRPCWEB,	/* gRPC-web trailers-only, grpc-status 16 */
	A_GRPCWEB_TEXT,
	A_CONNECT,	/* Connect JSON, "unauthenticated" */
	A_REST_415,	/* no codec: the REST family's refusal */
	A_GRPC_415,	/* no codec: the gRPC path's refusal */
	A_CONNECT_415,	/* no codec: Connect's refusal */
	A_NATIVE_REST,	/* native gRPC: 415 JSON and grpc-status 12 */
	A_NATIVE_CONNECT
};

/* A body each content type's codec takes: the empty message. */
static void
body_for(const char *ct, struct ask *a)
{
	static const unsigned char empty_frame[5] = { 0 };

	a->body = "{}";
	a->len = 2;
	if (ct == NULL)
		return;
	if (strncmp(ct, "application/grpc-web-text", 25) == 0) {
		a->body = "AAAAAAA=";
		a->len = 8;
	} else if (strncmp(ct, "application/grpc-web", 20) == 0) {
		a->body = empty_frame;
		a->len = 5;
	} else if (strncmp(ct, "application/proto", 17) == 0) {
		a->body = "";
		a->len = 0;
	}
}

static void
check_answer(const char *what, enum wire_answer want)
{
	switch (want) {
	case A_REST:
		if (resp.status != 401 || !body_has("\"code\":16,") ||
		    strcmp(h.route, "rest") != 0)
			fail_msg("%s: %d %s, want REST 401", what, resp.status,
			    h.route);
		assert_string_equal(resp.content_type, "application/json");
		assert_null(header("grpc-status"));
		break;
	case A_GRPCWEB:
	case A_GRPCWEB_TEXT:
		if (resp.status != 200 || header("grpc-status") == NULL ||
		    strcmp(header("grpc-status"), "16") != 0 ||
		    strcmp(h.route, "grpc-web") != 0)
			fail_msg("%s: %d %s, want gRPC-web", what, resp.status,
			    h.route);
		assert_string_equal(resp.content_type, want == A_GRPCWEB ?
		    "application/grpc-web+proto" :
		    "application/grpc-web-text+proto");
		assert_int_equal(resp.body_len, 0);
		break;
	case A_CONNECT:
		if (resp.status != 401 ||
		    !body_has("\"code\":\"unauthenticated\"") ||
		    strcmp(h.route, "connect") != 0)
			fail_msg("%s: %d %s, want Connect 401", what,
			    resp.status, h.route);
		assert_string_equal(resp.content_type, "application/json");
		break;
	case A_REST_415:
	case A_GRPC_415:
		if (resp.status != 415 || !body_has(want == A_REST_415 ?
		    "OSF-RQ415" : "OSF-GWCT1") || !body_has("\"code\":3,"))
			fail_msg("%s: %d, want the REST 415", what,
			    resp.status);
		assert_null(header("grpc-status"));
		break;
	case A_CONNECT_415:
		if (resp.status != 415 || !body_has("OSF-CN415") ||
		    !body_has("\"code\":\"invalid_argument\""))
			fail_msg("%s: %d, want Connect's 415", what,
			    resp.status);
		assert_string_equal(h.route, "connect");
		break;
	case A_NATIVE_REST:
	case A_NATIVE_CONNECT:
		if (resp.status != 415 || header("grpc-status") == NULL ||
		    strcmp(header("grpc-status"), "12") != 0 ||
		    !body_has(want == A_NATIVE_REST ? "\"code\":12," :
		    "\"code\":\"unimplemented\""))
			fail_msg("%s: %d, want the native gRPC refusal", what,
			    resp.status);
		break;
	}
	assert_int_equal(h.grpc, want == A_REST_415 || want == A_GRPC_415 ||
	    want == A_CONNECT_415 ? 3 : want >= A_NATIVE_REST ? 12 : 16);
}

static void
test_codec_selection(void **state)
{
	static const char *const types[] = {
		NULL, "application/json", "application/json; charset=utf-8",
		"application/proto", "text/plain",
		"application/x-www-form-urlencoded", "application/grpc-web",
		"application/grpc-web+proto", "application/grpc-web-text",
		"application/grpc-web-text+proto", "application/grpc",
		"application/grpc+proto", "application/grpc-web+json",
	};
	/* Per content type: REST path, gRPC path, the two Connect paths. */
	static const enum wire_answer want[][4] = {
		{ A_REST, A_GRPC_415, A_CONNECT_415, A_CONNECT_415 },
		{ A_REST, A_GRPC_415, A_CONNECT, A_CONNECT },
		{ A_REST, A_GRPC_415, A_CONNECT, A_CONNECT },
		{ A_REST, A_GRPC_415, A_CONNECT, A_CONNECT },
		{ A_REST, A_GRPC_415, A_CONNECT_415, A_CONNECT_415 },
		{ A_REST, A_GRPC_415, A_CONNECT_415, A_CONNECT_415 },
		{ A_REST_415, A_GRPCWEB, A_GRPCWEB, A_GRPCWEB },
		{ A_REST_415, A_GRPCWEB, A_GRPCWEB, A_GRPCWEB },
		{ A_REST_415, A_GRPCWEB_TEXT, A_GRPCWEB_TEXT, A_GRPCWEB_TEXT },
		{ A_REST_415, A_GRPCWEB_TEXT, A_GRPCWEB_TEXT, A_GRPCWEB_TEXT },
		{ A_REST_415, A_NATIVE_REST, A_NATIVE_CONNECT,
		    A_NATIVE_CONNECT },
		{ A_REST_415, A_NATIVE_REST, A_NATIVE_CONNECT,
		    A_NATIVE_CONNECT },
		{ A_REST_415, A_GRPC_415, A_CONNECT_415, A_CONNECT_415 },
	};
	static const char *const paths[] = {
		REST_PATH, GRPC_PATH, V2_PATH, USER_PATH "AddKey",
	};
	char what[160];
	size_t t, p;

	(void)state;
	for (t = 0; t < N(types); t++)
		for (p = 0; p < N(paths); p++) {
			struct ask a = { .method = "POST", .path = paths[p],
			    .content_type = types[t] };

			body_for(types[t], &a);
			snprintf(what, sizeof(what), "%s on %s",
			    types[t] ? types[t] : "(none)", paths[p]);
			serve(&a);
			check_answer(what, want[t][p]);
			/* Without a token, the store is never asked. */
			assert_int_equal(fake.token_calls, 0);
		}
}

/* Native gRPC: 415, and the status in headers a gRPC client reads. */
static void
test_native_refusal_headers(void **state)
{
	static const char *const paths[] = { GRPC_PATH, V2BETA_PATH };
	unsigned char *details;
	size_t i, n = 0;

	(void)state;
	for (i = 0; i < N(paths); i++) {
		struct ask a = { .method = "POST", .path = paths[i],
		    .content_type = "application/grpc+proto",
		    .authorization = "Bearer t" };

		serve(&a);
		assert_int_equal(resp.status, 415);
		assert_string_equal(header("grpc-status"), "12");
		assert_string_equal(header("grpc-message"), "native gRPC needs "
		    "HTTP/2 trailers: use gRPC-web or JSON (OSF-GW415)");
		details = wire_unbase64(header("grpc-status-details-bin"), &n);
		assert_non_null(details);
		assert_int_equal(wire_status(details, n, ERR_GRPC_NATIVE), 0);
		free(details);
		/* Refused before the body or the token. */
		assert_int_equal(fio.reads, 0);
		assert_int_equal(fake.token_calls, 0);
	}
}

/* --- methods, preflight, CORS ------------------------------------------ */

static void
test_method_not_allowed(void **state)
{
	static const struct {
		const char *method;
		const char *path;
		const char *allow;
		const char *body;
	} cases[] = {
		{ "GET", REST_PATH, "POST", "\"code\":12," },
		{ "GET", SECRET_PATH, "PUT, DELETE", "\"code\":12," },
		{ "POST", SECRET_PATH, "PUT, DELETE", "\"code\":12," },
		{ "PUT", GRPC_PATH, "POST", "\"code\":12," },
		{ "GET", V2_PATH, "POST", "\"code\":\"unimplemented\"" },
		{ "DELETE", USER_PATH "RemoveKey", "POST",
		    "\"code\":\"unimplemented\"" },
		{ "POST", "/debug/healthz", "GET, HEAD", "\"code\":12," },
		{ "PUT", "/api/debug/ready", "GET, HEAD", "\"code\":12," },
		{ "GET", TOKEN_PATH, "POST", "\"error\":\"invalid_request\"" },
		{ "DELETE", "/oidc/v1/userinfo", "GET, POST, HEAD",
		    "\"error\":\"invalid_request\"" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < N(cases); i++) {
		struct ask a = { .method = cases[i].method,
		    .path = cases[i].path, .content_type = "application/json",
		    .authorization = "Bearer t" };

		a.body = "{}";
		a.len = 2;
		serve(&a);
		if (resp.status != 405 || !body_has(cases[i].body) ||
		    (cases[i].body[1] == 'c' && !body_has("OSF-RT405")))
			fail_msg("%s %s: %d %s", cases[i].method, cases[i].path,
			    resp.status, resp.body);
		assert_string_equal(header("Allow"), cases[i].allow);
		assert_int_equal(h.grpc, 12);
		assert_int_equal(fio.reads, 0);
		assert_string_equal(fake.calls, "");
	}
}

static void
test_preflight(void **state)
{
	static const struct {
		const char *path;
		const char *methods;
	} paths[] = {
		{ REST_PATH, "POST" }, { GRPC_PATH, "POST" },
		{ V2_PATH, "POST" }, { V2BETA_PATH, "POST" },
		{ SECRET_PATH, "PUT, DELETE" }, { TOKEN_PATH, "POST" },
		{ "/debug/healthz", "GET, HEAD" },
		{ "/.well-known/openid-configuration", "GET, HEAD" },
	};
	char allow[64];
	size_t i;

	(void)state;
	for (i = 0; i < N(paths); i++) {
		struct ask a = { .method = "OPTIONS", .path = paths[i].path,
		    .origin = ORIGIN, .authorization = "Bearer t" };

		a.body = "{\"x\":1}";
		a.len = 7;
		serve(&a);
		assert_int_equal(resp.status, 204);
		assert_string_equal(h.route, "preflight");
		snprintf(allow, sizeof(allow), "%s, OPTIONS", paths[i].methods);
		assert_string_equal(header("Allow"), allow);
		assert_string_equal(header("Access-Control-Allow-Origin"),
		    ORIGIN);
		assert_string_equal(header("Access-Control-Allow-Methods"),
		    paths[i].methods);
		assert_non_null(strstr(header("Access-Control-Allow-Headers"),
		    "connect-protocol-version"));
		assert_null(header("Access-Control-Allow-Credentials"));
		assert_null(resp.body);
		/* No authentication, no body. */
		assert_int_equal(fio.reads, 0);
		assert_string_equal(fake.calls, "");
	}
	/* No Origin, or one not allowed: 204 and Allow only. */
	{
		struct ask a = { .method = "OPTIONS", .path = V2_PATH };

		serve(&a);
		assert_int_equal(resp.status, 204);
		assert_int_equal(resp.nheader, 1);
		snprintf(cfg.cors_allowed_origins,
		    sizeof(cfg.cors_allowed_origins), "https://other.example");
		a.origin = ORIGIN;
		serve(&a);
		assert_int_equal(resp.status, 204);
		assert_int_equal(resp.nheader, 1);
		assert_null(header("Access-Control-Allow-Origin"));
	}
	/* An unknown path is no preflight. */
	{
		struct ask a = { .method = "OPTIONS", .path = "/api/nothing",
		    .origin = ORIGIN };

		serve(&a);
		assert_int_equal(resp.status, 404);
	}
}

static void
assert_cors(int present)
{
	if (!present) {
		assert_null(header("Access-Control-Allow-Origin"));
		assert_null(header("Vary"));
		assert_null(header("Access-Control-Expose-Headers"));
		return;
	}
	assert_string_equal(header("Access-Control-Allow-Origin"), ORIGIN);
	assert_string_equal(header("Vary"), "Origin");
	assert_string_equal(header("Access-Control-Expose-Headers"),
	    "grpc-status, grpc-message, grpc-status-details-bin");
}

static void
test_cors_on_every_answer(void **state)
{
	static const struct ask asks[] = {
		{ .method = "POST", .path = REST_PATH,
		    .content_type = "application/json", .origin = ORIGIN },
		{ .method = "POST", .path = V2_PATH,
		    .content_type = "application/json",
		    .authorization = "Bearer t", .origin = ORIGIN },
		{ .method = "POST", .path = GRPC_PATH,
		    .content_type = "text/plain", .origin = ORIGIN },
		{ .method = "POST", .path = GRPC_PATH,
		    .content_type = "application/grpc", .origin = ORIGIN },
		{ .method = "GET", .path = REST_PATH, .origin = ORIGIN },
		{ .method = "POST", .path = "/api/nothing", .origin = ORIGIN },
		{ .method = "GET", .path = "/debug/healthz", .origin = ORIGIN },
		{ .method = "POST", .path = TOKEN_PATH, .origin = ORIGIN,
		    .content_type = "application/x-www-form-urlencoded" },
		{ .method = "POST", .path = REST_PATH,
		    .content_type = "application/json", .origin = ORIGIN,
		    .content_length = "99999999" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < N(asks); i++) {
		serve(&asks[i]);
		assert_cors(1);
	}
	/* A refused origin gets no CORS header at all. */
	snprintf(cfg.cors_allowed_origins, sizeof(cfg.cors_allowed_origins),
	    "https://a.example, https://b.example");
	for (i = 0; i < N(asks); i++) {
		serve(&asks[i]);
		assert_cors(0);
	}
	/* Nor an origin with a control character, even under "*". */
	snprintf(cfg.cors_allowed_origins, sizeof(cfg.cors_allowed_origins),
	    "*");
	{
		struct ask a = { .method = "POST", .path = REST_PATH,
		    .origin = ORIGIN "\r\nX-Evil: 1" };

		serve(&a);
		assert_null(header("Access-Control-Allow-Origin"));
		assert_null(header("X-Evil"));
	}
}

/* --- the body ----------------------------------------------------------- */

/*
 * Over max_body_bytes: 413 in the codec's spelling, before any read, and
 * the input left unread for the caller to end the connection.
 */
static void
test_body_over_max_not_read(void **state)
{
	static const struct {
		const char *method;
		const char *path;
		const char *ct;
		int status;
	} cases[] = {
		{ "POST", REST_PATH, "application/json", 413 },
		{ "PUT", SECRET_PATH, "application/json", 413 },
		{ "POST", GRPC_PATH, "application/grpc-web+proto", 200 },
		{ "POST", V2_PATH, "application/grpc-web-text", 200 },
		{ "POST", V2_PATH, "application/json", 413 },
		{ "POST", V2BETA_PATH, "application/proto", 413 },
		{ "POST", TOKEN_PATH, "application/x-www-form-urlencoded",
		    413 },
	};
	static const char *const lengths[] = { "1025", "30000000",
		"99999999999999999999999" };
	size_t i, j;

	(void)state;
	for (i = 0; i < N(cases); i++)
		for (j = 0; j < N(lengths); j++) {
			struct ask a = { .method = cases[i].method,
			    .path = cases[i].path,
			    .content_type = cases[i].ct,
			    .authorization = "Bearer t" };

			a.content_length = lengths[j];
			a.body = "{}";
			a.len = 2;
			serve(&a);
			if (resp.status != cases[i].status ||
			    (resp.status == 200 ?
			    strcmp(header("grpc-message"), "request body too "
			    "large (OSF-RQ413)") != 0 : !body_has(
			    strcmp(cases[i].path, TOKEN_PATH) == 0 ?
			    "request body too "
			    "large" : "OSF-RQ413")))
				fail_msg("%s %s: %d", cases[i].path,
				    lengths[j], resp.status);
			assert_int_equal(h.grpc, 3);
			if (fio.reads != 0 || fio.pos != 0)
				fail_msg("%s %s: %u reads", cases[i].path,
				    lengths[j], fio.reads);
			assert_int_equal(req.input_unread, 1);
			assert_string_equal(fake.calls, "");
		}
	/* A bad CONTENT_LENGTH: 400, unread too. */
	{
		struct ask a = { .method = "POST", .path = REST_PATH,
		    .content_type = "application/json",
		    .authorization = "Bearer t" };

		a.content_length = "12x";
		a.body = "{}";
		a.len = 2;
		serve(&a);
		assert_int_equal(resp.status, 400);
		assert_true(body_has("OSF-RQ400"));
		assert_int_equal(fio.reads, 0);
		assert_int_equal(req.input_unread, 1);
	}
	/* At the limit: read, and answered by the service. */
	{
		static char body[1024];
		struct ask a = { .method = "POST", .path = REST_PATH,
		    .content_type = "application/json" };

		memset(body, ' ', sizeof(body));
		body[0] = '{';
		body[sizeof(body) - 1] = '}';
		a.content_length = "1024";
		a.body = body;
		a.len = sizeof(body);
		serve(&a);
		assert_int_equal(resp.status, 401);
		assert_int_equal(fio.pos, 1024);
		assert_int_equal(req.input_unread, 0);
	}
}

/*
 * A body is read for POST and PUT (chunked, perhaps without a length),
 * and for any method whose CONTENT_LENGTH says it has one; never for a
 * GET or DELETE that does not: mod_cgid's input would never end.
 */
static void
test_body_read_when_one_comes(void **state)
{
	static const struct {
		const char *method;
		const char *path;
		const char *length;
		int read;
	} cases[] = {
		{ "GET", "/debug/healthz", NULL, 0 },
		{ "GET", "/debug/healthz", "0", 0 },
		{ "GET", "/debug/healthz", "", 0 },
		{ "GET", "/oidc/v1/userinfo", "4", 1 },
		{ "DELETE", SECRET_PATH, NULL, 0 },
		{ "DELETE", SECRET_PATH, "4", 1 },
		{ "PUT", SECRET_PATH, NULL, 1 },
		{ "POST", REST_PATH, NULL, 1 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < N(cases); i++) {
		struct ask a = { .method = cases[i].method,
		    .path = cases[i].path, .content_length = cases[i].length,
		    .authorization = "Bearer t" };

		a.body = "{  }";
		a.len = 4;
		fake_store_reset();
		serve(&a);
		if ((fio.reads > 0) != cases[i].read)
			fail_msg("%s %s (%s): %u reads", cases[i].method,
			    cases[i].path, cases[i].length ? cases[i].length :
			    "-", fio.reads);
	}
}

/* --- health, unknown paths, REQUEST_URI --------------------------------- */

static void
test_health(void **state)
{
	struct ask a = { .method = "GET",
	    .path = "/cgi-bin/oidc-secret.cgi/debug/healthz" };

	(void)state;
	serve(&a);
	assert_int_equal(resp.status, 200);
	assert_string_equal(h.route, "healthz");
	assert_string_equal(h.call, "healthz");
	assert_string_equal(resp.content_type, "text/plain; charset=utf-8");
	assert_int_equal(resp.body_len, 3);
	assert_memory_equal(resp.body, "ok\n", 3);
	assert_int_equal(resp.head, 0);
	assert_int_equal(fake.ping_calls, 0);
	a.method = "HEAD";
	serve(&a);
	assert_int_equal(resp.status, 200);
	assert_int_equal(resp.head, 1);

	a.method = "GET";
	a.path = "/api/debug/ready";
	serve(&a);
	assert_int_equal(resp.status, 200);
	assert_string_equal(h.route, "ready");
	assert_int_equal(fake.ping_calls, 1);
	fake.ping_rc = ERR_UNAVAILABLE;
	serve(&a);
	assert_int_equal(resp.status, 503);
	assert_true(body_has("OSF-DB001"));
	assert_int_equal(h.grpc, 14);
	assert_int_equal(fake.ping_calls, 2);
}

static void
test_unknown_path(void **state)
{
	static const char *const paths[] = {
		"/", "", "/api/management/v1/projects/P/apps/A", "/debug",
		"/zitadel.management.v1.ManagementService/GetMyOrg",
		"/zitadel.app.v2beta.AppService/management/v1/projects/P/apps/"
		    "A/oidc_config/_generate_client_secret",
		"/zitadel.app.v2beta.AppService/x/debug/ready",
	};
	size_t i;

	(void)state;
	for (i = 0; i < N(paths); i++) {
		struct ask a = { .method = "POST", .path = paths[i],
		    .content_type = "application/json",
		    .authorization = "Bearer t" };

		serve(&a);
		assert_int_equal(resp.status, 404);
		assert_string_equal(h.route, "none");
		assert_string_equal(h.call, "-");
		assert_int_equal(h.grpc, 5);
		assert_true(body_has("OSF-RT404"));
		assert_int_equal(fio.reads, 0);
		assert_string_equal(fake.calls, "");
	}
}

/* No SCRIPT_NAME, no PATH_INFO: REQUEST_URI's, split, then decoded. */
static void
test_request_uri(void **state)
{
	struct ask a = { .method = "PUT",
	    .request_uri = "/api/management/v1/users/a%2Fb/secret?x=%41",
	    .authorization = "Bearer tok", .content_length = "0" };

	(void)state;
	serve(&a);
	assert_int_equal(resp.status, 200);
	assert_string_equal(h.call, "GenerateMachineSecret");
	assert_string_equal(fake.user_key.user, "a/b");
}

/* --- a whole call through each codec ------------------------------------ */

static void
assert_committed(const char *route, const char *call, const char *kind,
    const char *object)
{
	assert_string_equal(h.route, route);
	assert_string_equal(h.call, call);
	assert_int_equal(h.grpc, 0);
	assert_null(h.reason);
	assert_int_equal(h.committed, 1);
	assert_string_equal(h.object_kind, kind);
	assert_string_equal(h.object, object);
	assert_true(h.sequence == 8);
	assert_string_equal(h.user_id, FAKE_USER);
	assert_int_equal(fake.change_calls, 1);
	assert_int_equal(fake.token_calls, 1);
}

static void
test_success_rest(void **state)
{
	struct ask a = { .method = "POST", .path = REST_PATH,
	    .content_type = "application/json", .authorization = "Bearer tok",
	    .org = "org-2" };

	(void)state;
	/* The path's values win over the body's. */
	a.body = "{\"projectId\":\"ignored\",\"appId\":\"no\"}";
	a.len = strlen(a.body);
	serve(&a);
	assert_int_equal(resp.status, 200);
	assert_string_equal(resp.content_type, "application/json");
	assert_int_equal(strncmp(resp.body, "{\"clientSecret\":\"", 17), 0);
	assert_true(body_has("\"sequence\":\"8\""));
	assert_true(body_has("\"resourceOwner\":\"" FAKE_OWNER "\""));
	assert_committed("rest", "RegenerateOIDCClientSecret", "app", "A1");
	assert_string_equal(fake.app_change.project, "P1");
	assert_string_equal(fake.app_change.app, "A1");
	/* x-zitadel-orgid reaches the lookup; the event is the owner's. */
	assert_string_equal(fake.app_key.org, "org-2");
	assert_string_equal(fake.app_change.org, FAKE_OWNER);

	/* PUT and DELETE on one path: two calls. */
	fake_store_reset();
	a.method = "PUT";
	a.path = SECRET_PATH;
	a.body = "{\"userId\":\"ignored\"}";
	a.len = strlen(a.body);
	serve(&a);
	assert_int_equal(resp.status, 200);
	assert_true(body_has("\"clientId\":\"" FAKE_MACHINE_NAME "\","
	    "\"clientSecret\":\""));
	assert_committed("rest", "GenerateMachineSecret", "user", "U1");
	assert_int_equal(fake.user_change.kind, USER_SECRET_SET);
	fake_store_reset();
	a.method = "DELETE";
	a.body = NULL;
	a.len = 0;
	serve(&a);
	assert_int_equal(resp.status, 200);
	assert_string_equal(resp.body, "{\"details\":{\"sequence\":\"8\","
	    "\"changeDate\":\"2026-11-27T13:14:15.500Z\","
	    "\"resourceOwner\":\"" FAKE_OWNER "\"}}");
	assert_committed("rest", "RemoveMachineSecret", "user", "U1");
	assert_int_equal(fake.user_change.kind, USER_SECRET_REMOVE);
}

static void
test_success_grpcweb(void **state)
{
	/* project_id "P2", app_id "A2" */
	static const unsigned char frame[] = {
		0, 0, 0, 0, 8, 0x0a, 2, 'P', '2', 0x12, 2, 'A', '2'
	};
	struct ask a = { .method = "POST", .path = GRPC_PATH,
	    .content_type = "application/grpc-web+proto",
	    .authorization = "Bearer tok" };

	(void)state;
	a.body = frame;
	a.len = sizeof(frame);
	a.content_length = "13";
	serve(&a);
	assert_int_equal(resp.status, 200);
	assert_null(header("grpc-status"));
	/* A data frame, then the trailer frame with grpc-status:0. */
	assert_true(resp.body_len > 5 + 66 + 5 + 30);
	assert_int_equal((unsigned char)resp.body[0], 0);
	assert_int_equal(memcmp(resp.body + resp.body_len - 30,
	    "grpc-status:0\r\ngrpc-message:\r\n", 30), 0);
	assert_committed("grpc-web", "RegenerateOIDCClientSecret", "app",
	    "A2");
	assert_string_equal(fake.app_change.project, "P2");
}

static void
test_success_connect(void **state)
{
	/* application.v2: application_id = 1, project_id = 2 */
	static const unsigned char v2[] = {
		0x0a, 2, 'A', '4', 0x12, 2, 'P', '4'
	};
	struct ask a = { .method = "POST", .path = V2_PATH,
	    .content_type = "application/json; charset=utf-8",
	    .authorization = "Bearer tok" };

	(void)state;
	a.body = "{\"applicationId\":\"A3\",\"projectId\":\"P3\"}";
	a.len = strlen(a.body);
	a.connect_version = "1";
	a.connect_timeout = "60000";
	fake.app.kind = APP_API;
	serve(&a);
	assert_int_equal(resp.status, 200);
	assert_string_equal(resp.content_type, "application/json");
	assert_int_equal(strncmp(resp.body, "{\"clientSecret\":\"", 17), 0);
	assert_true(body_has("\"creationDate\":\"2026-11-27T13:14:15.500Z\""));
	assert_committed("connect", "GenerateClientSecret", "app", "A3");
	assert_int_equal(fake.app_key.v1, 0);
	assert_int_equal(fake.app_change.kind, APP_API);
	/* The deadline reached the store. */
	assert_true(fake.app_change.deadline_ns != 0);

	fake_store_reset();
	a.path = V2BETA_PATH;
	a.content_type = "application/proto";
	a.body = "\x0a\x02P5\x12\x02" "A5\x18\x01";
	a.len = 10;
	serve(&a);
	assert_int_equal(resp.status, 200);
	assert_string_equal(resp.content_type, "application/proto");
	assert_committed("connect", "RegenerateClientSecret", "app", "A5");

	/* gRPC-web on a Connect path. */
	fake_store_reset();
	{
		static unsigned char frame[5 + sizeof(v2)];

		memcpy(frame + 5, v2, sizeof(v2));
		frame[4] = sizeof(v2);
		a.path = V2_PATH;
		a.content_type = "application/grpc-web";
		a.body = frame;
		a.len = sizeof(frame);
		serve(&a);
	}
	assert_int_equal(resp.status, 200);
	assert_string_equal(resp.content_type, "application/grpc-web+proto");
	assert_committed("grpc-web", "GenerateClientSecret", "app", "A4");

	/* A machine user's call. */
	fake_store_reset();
	a.path = USER_PATH "RemoveKey";
	a.content_type = "application/json";
	a.body = "{\"userId\":\"U7\",\"keyId\":\"K7\"}";
	a.len = strlen(a.body);
	serve(&a);
	assert_int_equal(resp.status, 200);
	assert_string_equal(resp.body,
	    "{\"deletionDate\":\"2026-11-27T13:14:15.500Z\"}");
	assert_committed("connect", "RemoveKey", "user", "U7");
	assert_string_equal(fake.user_change.key, "K7");
}

/* The service's and the transport's errors, in Connect's spelling. */
static void
test_connect_errors(void **state)
{
	struct ask a = { .method = "POST", .path = V2BETA_PATH,
	    .content_type = "application/json", .authorization = "Bearer tok" };

	(void)state;
	a.body = "{\"projectId\":\"P\",\"applicationId\":\"A\"}";
	a.len = strlen(a.body);
	serve(&a);
	assert_int_equal(resp.status, 400);
	assert_true(body_has("APP-aLWIzw"));
	assert_string_equal(h.user_id, FAKE_USER);
	assert_int_equal(h.committed, 0);
	a.connect_version = "2";
	serve(&a);
	assert_int_equal(resp.status, 400);
	assert_true(body_has("OSF-CN400"));
	a.connect_version = NULL;
	a.content_encoding = "gzip";
	serve(&a);
	assert_int_equal(resp.status, 501);
	assert_true(body_has("\"code\":\"unimplemented\""));
	/* A timeout of 0 ms has passed by the time the app is found. */
	a.content_encoding = NULL;
	a.connect_timeout = "0";
	a.body = "{\"projectId\":\"P\",\"applicationId\":\"A\","
	    "\"isOidc\":true}";
	a.len = strlen(a.body);
	fake.change_calls = 0;
	serve(&a);
	assert_int_equal(resp.status, 504);
	assert_true(body_has("\"code\":\"deadline_exceeded\""));
	assert_int_equal(fake.change_calls, 0);
	assert_int_equal(h.committed, 0);
	assert_true(h.sequence == 0);
}

/* --- OAuth -------------------------------------------------------------- */

static void
test_oauth(void **state)
{
	struct ask a = { .method = "GET",
	    .path = "/.well-known/openid-configuration",
	    .host = "id.example:8443", .https = "on" };

	(void)state;
	/* The issuer: the request's own https://host. */
	serve(&a);
	assert_int_equal(resp.status, 200);
	assert_string_equal(h.route, "oauth");
	assert_string_equal(h.call, "discovery");
	assert_true(body_has("\"issuer\":\"https://id.example:8443\","));
	assert_true(body_has("\"token_endpoint\":"
	    "\"https://id.example:8443/oauth/v2/token\""));
	a.https = NULL;
	serve(&a);
	assert_true(body_has("\"issuer\":\"http://id.example:8443\","));
	/* A Host that is no host name is never echoed. */
	a.host = "evil.example/\"x";
	serve(&a);
	assert_false(body_has("evil"));
	/* The configured issuer wins. */
	snprintf(cfg.issuer, sizeof(cfg.issuer), "https://login.example/");
	serve(&a);
	assert_true(body_has("\"issuer\":\"https://login.example\","));
	assert_false(body_has("evil"));

	/* The token endpoint: a form in, a token out, stored by digest. */
	a.method = "POST";
	a.path = TOKEN_PATH;
	a.content_type = "application/x-www-form-urlencoded";
	a.body = "grant_type=client_credentials&scope=openid";
	a.len = strlen(a.body);
	a.authorization = "Basic c3ZjLWJvdDp3cm9uZw==";	/* svc-bot:wrong */
	serve(&a);
	/* The fake's client has no secret: refused as invalid_client. */
	assert_int_equal(resp.status, 401);
	assert_true(body_has("\"error\":\"invalid_client\""));
	assert_non_null(header("WWW-Authenticate"));
	assert_int_equal(strncmp(header("WWW-Authenticate"), "Basic ", 6), 0);
	assert_string_equal(fake.client_id, "svc-bot");
	assert_non_null(h.reason);
	/* A JSON body: not a form. */
	a.content_type = "application/json";
	a.body = "{}";
	a.len = 2;
	serve(&a);
	assert_int_equal(resp.status, 400);
	assert_true(body_has("\"error\":\"invalid_request\""));
	/* Userinfo: the bearer token's user, with the Bearer challenge. */
	a.method = "GET";
	a.path = "/oidc/v1/userinfo";
	a.body = NULL;
	a.len = 0;
	a.authorization = NULL;
	serve(&a);
	assert_int_equal(resp.status, 401);
	assert_string_equal(header("WWW-Authenticate"),
	    "Bearer realm=\"oidc-secret\"");
	a.authorization = "Bearer tok";
	serve(&a);
	assert_int_equal(resp.status, 200);
	assert_string_equal(resp.body, "{\"sub\":\"" FAKE_USER "\","
	    "\"preferred_username\":\"" FAKE_USERNAME "\",\"name\":\""
	    FAKE_USERNAME "\"}");
	/* No interactive login. */
	a.path = "/oauth/v2/authorize";
	serve(&a);
	assert_int_equal(resp.status, 400);
	assert_true(body_has("\"error\":\"unsupported_response_type\""));
}

#define T(f) cmocka_unit_test_setup(f, setup)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_codec_selection),
		T(test_native_refusal_headers),
		T(test_method_not_allowed),
		T(test_preflight),
		T(test_cors_on_every_answer),
		T(test_body_over_max_not_read),
		T(test_body_read_when_one_comes),
		T(test_health),
		T(test_unknown_path),
		T(test_request_uri),
		T(test_success_rest),
		T(test_success_grpcweb),
		T(test_success_connect),
		T(test_connect_errors),
		T(test_oauth),
	};

	return cmocka_run_group_tests_name("dispatch", tests, group_setup,
	    group_teardown);
}
