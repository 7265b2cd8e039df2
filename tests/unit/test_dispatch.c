/*
 * test_dispatch.c - one request through route, codec, service and back
 * (src/dispatch.c), with a fake io for the server and a fake store
 * (fake_store.c) behind the service: no database, no server.
 *
 * Covers: which codec each content type gets on each path family (REST,
 * the gRPC service path, the Connect paths), and the family's own answer
 * when none takes it; native gRPC refused with 415 and grpc-status 12,
 * grpc-message and grpc-status-details-bin; 405 with Allow, in the
 * family's spelling; the preflight (204, no authentication, no body read,
 * CORS headers only for an allowed origin); CORS headers on every answer
 * to an allowed origin, none for a refused one; a body over the limit
 * answered 413 in the codec's spelling without a single read, the input
 * left unread; the health routes and HEAD; an unknown path; a success
 * through every codec, with what the request log line needs.
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
#include "wire.h"

#define REST_PATH "/api/management/v1/projects/P1/apps/A1/oidc_config/" \
	"_generate_client_secret"
#define GRPC_PATH "/api/zitadel.management.v1.ManagementService/" \
	"RegenerateOIDCClientSecret"
#define V2_PATH "/api/zitadel.application.v2.ApplicationService/" \
	"GenerateClientSecret"
#define V2BETA_PATH "/api/zitadel.app.v2beta.AppService/RegenerateClientSecret"
#define ORIGIN "https://console.example"

/* --- the fake server --------------------------------------------------- */

struct ask {
	const char *method;
	const char *path;
	const char *content_type;
	const char *authorization;
	const char *origin;
	const char *acr_method;
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
	const struct ask *a = ((struct fio *)ctx)->a;

	if (strcmp(name, "REQUEST_METHOD") == 0)
		return a->method;
	if (strcmp(name, "SCRIPT_NAME") == 0)
		return a->path;
	if (strcmp(name, "CONTENT_TYPE") == 0)
		return a->content_type;
	if (strcmp(name, "HTTP_AUTHORIZATION") == 0)
		return a->authorization;
	if (strcmp(name, "HTTP_ORIGIN") == 0)
		return a->origin;
	if (strcmp(name, "HTTP_ACCESS_CONTROL_REQUEST_METHOD") == 0)
		return a->acr_method;
	if (strcmp(name, "HTTP_CONNECT_PROTOCOL_VERSION") == 0)
		return a->connect_version;
	if (strcmp(name, "HTTP_CONNECT_TIMEOUT_MS") == 0)
		return a->connect_timeout;
	if (strcmp(name, "HTTP_CONTENT_ENCODING") == 0)
		return a->content_encoding;
	if (strcmp(name, "CONTENT_LENGTH") == 0)
		return a->content_length;
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
static struct handled h;
static struct fio fio;

static void
serve(const struct ask *a)
{
	struct io io = { f_param, f_read, f_write, &fio };

	memset(&fio, 0, sizeof(fio));
	fio.a = a;
	request_free(&req);
	response_free(&resp);
	assert_int_equal(request_read_params(&req, &io), 0);
	dispatch(&svc, &req, &io, &resp, &h);
	assert_true(resp.status >= 200 && resp.status <= 599);
	assert_non_null(h.route);
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
	char err[256];

	(void)state;
	if (secret_init() != 0)
		return -1;
	config_defaults(&cfg);
	if (config_set(&cfg, "api_project_id", FAKE_API_PROJECT, err,
	    sizeof(err)) != 0 ||
	    config_set(&cfg, "hash_algorithm", "bcrypt", err,
	    sizeof(err)) != 0 ||
	    config_set(&cfg, "max_body_bytes", "1024", err, sizeof(err)) != 0)
		return -1;
	service_init(&svc, &cfg, (struct store *)&cfg);
	log_set_level(LOG_ERROR);
	return 0;
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
	return 0;
}

/* --- which codec -------------------------------------------------------- */

enum answer {
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
check_answer(const char *what, enum answer want)
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
	/* Per content type above: REST path, gRPC path, Connect path. */
	static const enum answer want[][3] = {
		{ A_REST, A_GRPC_415, A_CONNECT_415 },
		{ A_REST, A_GRPC_415, A_CONNECT },
		{ A_REST, A_GRPC_415, A_CONNECT },
		{ A_REST, A_GRPC_415, A_CONNECT },
		{ A_REST, A_GRPC_415, A_CONNECT_415 },
		{ A_REST, A_GRPC_415, A_CONNECT_415 },
		{ A_REST_415, A_GRPCWEB, A_GRPCWEB },
		{ A_REST_415, A_GRPCWEB, A_GRPCWEB },
		{ A_REST_415, A_GRPCWEB_TEXT, A_GRPCWEB_TEXT },
		{ A_REST_415, A_GRPCWEB_TEXT, A_GRPCWEB_TEXT },
		{ A_REST_415, A_NATIVE_REST, A_NATIVE_CONNECT },
		{ A_REST_415, A_NATIVE_REST, A_NATIVE_CONNECT },
		{ A_REST_415, A_GRPC_415, A_CONNECT_415 },
	};
	static const char *const paths[] = { REST_PATH, GRPC_PATH, V2_PATH };
	char what[160];
	size_t t, p;

	(void)state;
	for (t = 0; t < sizeof(types) / sizeof(types[0]); t++)
		for (p = 0; p < 3; p++) {
			struct ask a = { .method = "POST", .path = paths[p],
			    .content_type = types[t] };
			enum answer w = want[t][p];

			body_for(types[t], &a);
			snprintf(what, sizeof(what), "%s on %s",
			    types[t] ? types[t] : "(none)", paths[p]);
			serve(&a);
			check_answer(what, w);
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
	for (i = 0; i < 2; i++) {
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
		const char *code;
	} cases[] = {
		{ "GET", REST_PATH, "POST", "\"code\":12," },
		{ "PUT", GRPC_PATH, "POST", "\"code\":12," },
		{ "GET", V2_PATH, "POST", "\"code\":\"unimplemented\"" },
		{ "DELETE", V2BETA_PATH, "POST", "\"code\":\"unimplemented\"" },
		{ "POST", "/debug/healthz", "GET, HEAD", "\"code\":12," },
		{ "PUT", "/api/debug/ready", "GET, HEAD", "\"code\":12," },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ask a = { .method = cases[i].method,
		    .path = cases[i].path, .content_type = "application/json",
		    .authorization = "Bearer t" };

		a.body = "{}";
		a.len = 2;
		serve(&a);
		if (resp.status != 405 || !body_has(cases[i].code) ||
		    !body_has("OSF-RT405"))
			fail_msg("%s %s: %d %s", cases[i].method, cases[i].path,
			    resp.status, resp.body);
		assert_string_equal(header("Allow"), cases[i].allow);
		assert_int_equal(h.grpc, 12);
		assert_int_equal(fio.reads, 0);
		assert_int_equal(fake.token_calls + fake.ping_calls, 0);
	}
}

static void
test_preflight(void **state)
{
	static const char *const paths[] = {
		REST_PATH, GRPC_PATH, V2_PATH, V2BETA_PATH,
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		struct ask a = { .method = "OPTIONS", .path = paths[i],
		    .origin = ORIGIN, .acr_method = "POST" };

		a.body = "{\"x\":1}";
		a.len = 7;
		serve(&a);
		assert_int_equal(resp.status, 204);
		assert_string_equal(h.route, "preflight");
		assert_string_equal(header("Allow"), "POST, OPTIONS");
		assert_string_equal(header("Access-Control-Allow-Origin"),
		    ORIGIN);
		assert_string_equal(header("Access-Control-Allow-Methods"),
		    "POST");
		assert_non_null(strstr(header("Access-Control-Allow-Headers"),
		    "connect-protocol-version"));
		assert_null(header("Access-Control-Allow-Credentials"));
		assert_null(resp.body);
		/* No authentication, no body. */
		assert_int_equal(fio.reads, 0);
		assert_int_equal(fake.token_calls, 0);
	}
	/* The health routes' methods. */
	{
		struct ask a = { .method = "OPTIONS",
		    .path = "/debug/healthz", .origin = ORIGIN,
		    .acr_method = "GET" };

		serve(&a);
		assert_int_equal(resp.status, 204);
		assert_string_equal(header("Allow"), "GET, HEAD, OPTIONS");
		assert_string_equal(header("Access-Control-Allow-Methods"),
		    "GET, HEAD");
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
		a.acr_method = "POST";
		serve(&a);
		assert_int_equal(resp.status, 204);
		assert_int_equal(resp.nheader, 1);
		assert_null(header("Access-Control-Allow-Origin"));
	}
	/* An unknown path is no preflight. */
	{
		struct ask a = { .method = "OPTIONS", .path = "/api/nothing",
		    .origin = ORIGIN, .acr_method = "POST" };

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
		{ .method = "POST", .path = REST_PATH,
		    .content_type = "application/json", .origin = ORIGIN,
		    .content_length = "99999999" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(asks) / sizeof(asks[0]); i++) {
		serve(&asks[i]);
		assert_cors(1);
	}
	/* A refused origin gets no CORS header at all. */
	snprintf(cfg.cors_allowed_origins, sizeof(cfg.cors_allowed_origins),
	    "https://a.example, https://b.example");
	for (i = 0; i < sizeof(asks) / sizeof(asks[0]); i++) {
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

/* --- the body's limit -------------------------------------------------- */

/*
 * Over max_body_bytes: 413 in the codec's spelling, before any read, and
 * the input left unread for the caller to end the connection.
 */
static void
test_body_over_max_not_read(void **state)
{
	static const struct {
		const char *path;
		const char *ct;
		int status;
	} cases[] = {
		{ REST_PATH, "application/json", 413 },
		{ GRPC_PATH, "application/grpc-web+proto", 200 },
		{ V2_PATH, "application/grpc-web-text", 200 },
		{ V2_PATH, "application/json", 413 },
		{ V2BETA_PATH, "application/proto", 413 },
	};
	static const char *const lengths[] = { "1025", "30000000",
		"99999999999999999999999" };
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		for (j = 0; j < 3; j++) {
			struct ask a = { .method = "POST",
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
			    "large (OSF-RQ413)") != 0 : !body_has("OSF-RQ413")))
				fail_msg("%s %s: %d", cases[i].path,
				    lengths[j], resp.status);
			assert_int_equal(h.grpc, 3);
			if (fio.reads != 0 || fio.pos != 0)
				fail_msg("%s %s: %u reads", cases[i].path,
				    lengths[j], fio.reads);
			assert_int_equal(req.input_unread, 1);
			assert_int_equal(fake.token_calls, 0);
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

/* --- health, unknown paths --------------------------------------------- */

static void
test_health(void **state)
{
	struct ask a = { .method = "GET",
	    .path = "/cgi-bin/oidc-secret.cgi/debug/healthz" };

	(void)state;
	serve(&a);
	assert_int_equal(resp.status, 200);
	assert_string_equal(h.route, "healthz");
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
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		struct ask a = { .method = "POST", .path = paths[i],
		    .content_type = "application/json",
		    .authorization = "Bearer t" };

		serve(&a);
		assert_int_equal(resp.status, 404);
		assert_string_equal(h.route, "none");
		assert_int_equal(h.grpc, 5);
		assert_true(body_has("OSF-RT404"));
		assert_int_equal(fio.reads + fake.token_calls, 0);
	}
}

/* --- a whole call through each codec ------------------------------------ */

static void
assert_success(const char *route, const char *project, const char *app)
{
	assert_string_equal(h.route, route);
	assert_int_equal(h.grpc, 0);
	assert_true(h.sequence == 8);
	assert_string_equal(h.user_id, FAKE_USER);
	assert_string_equal(h.app_id, app);
	assert_int_equal(fake.change_calls, 1);
	assert_string_equal(fake.change.project, project);
	assert_string_equal(fake.change.app, app);
	assert_int_equal(fake.token_calls, 1);
}

static void
test_success_rest(void **state)
{
	struct ask a = { .method = "POST", .path = REST_PATH,
	    .content_type = "application/json", .authorization = "Bearer tok" };

	(void)state;
	a.body = "{\"projectId\":\"ignored\"}";
	a.len = strlen(a.body);
	serve(&a);
	assert_int_equal(resp.status, 200);
	assert_string_equal(resp.content_type, "application/json");
	assert_int_equal(strncmp(resp.body, "{\"clientSecret\":\"", 17), 0);
	assert_true(body_has("\"sequence\":\"8\""));
	assert_true(body_has("\"resourceOwner\":\"" FAKE_OWNER "\""));
	assert_success("rest", "P1", "A1");
	/* The event's org is the project's, as the lookup found it. */
	assert_int_equal(fake.v1, 1);
	assert_string_equal(fake.change.org, FAKE_OWNER);
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
	assert_success("grpc-web", "P2", "A2");
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
	assert_success("connect", "P3", "A3");
	assert_int_equal(fake.v1, 0);
	assert_string_equal(fake.change.org, FAKE_OWNER);

	fake_store_reset();
	a.path = V2BETA_PATH;
	a.content_type = "application/proto";
	a.body = "\x0a\x02P5\x12\x02" "A5\x18\x01";
	a.len = 10;
	serve(&a);
	assert_int_equal(resp.status, 200);
	assert_string_equal(resp.content_type, "application/proto");
	assert_success("connect", "P5", "A5");

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
	assert_success("grpc-web", "P4", "A4");
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
	serve(&a);
	assert_int_equal(resp.status, 504);
	assert_true(body_has("\"code\":\"deadline_exceeded\""));
	assert_int_equal(fake.change_calls, 0);
	assert_true(h.sequence == 0);
	assert_string_equal(h.app_id, "");
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
		T(test_health),
		T(test_unknown_path),
		T(test_success_rest),
		T(test_success_grpcweb),
		T(test_success_connect),
		T(test_connect_errors),
	};

	return cmocka_run_group_tests_name("dispatch", tests, group_setup,
	    group_teardown);
}
