/*
 * test_connect.c - the Connect codec: Connect unary, JSON and binary
 * (src/connect.c; connectrpc.com, "Connect Protocol Reference").
 *
 * Covers: the content types it takes (application/json and
 * application/proto, a charset=utf-8 parameter, nothing else); the JSON
 * message: camelCase and proto field names, both given at once refused,
 * null as absent, wrong types refused, unknown fields ignored, an empty
 * body as an empty message, strict JSON only, escapes and NULs kept, the
 * ID byte limit; v2beta's oneof (either member, whatever its value; both
 * refused; v2 ignores it); the binary message; the transport's headers:
 * Connect-Protocol-Version (1 or absent), Connect-Timeout-Ms (1 to 10
 * digits, setting the deadline), Content-Encoding (identity, or nothing to
 * decompress); success bodies of both v2 calls in both codecs; the error
 * body of every kind: the HTTP status, code name, "text (ID)", and one
 * detail whose type is zitadel.v1.ErrorDetail and whose value is the
 * unpadded base64 of that message.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "application_service.pb-c.h"
#include "config.h"
#include "connect.h"
#include "util.h"
#include "wire.h"

/* protobuf-c's generated names, shortened. */
#define V2_RESP(fn) \
	zitadel__application__v2__generate_client_secret_response__ ## fn

/* --- helpers ----------------------------------------------------------- */

struct hdrs {
	const char *encoding;
	const char *version;
	const char *timeout;
};

static enum err
dec_h(enum rpc rpc, int form, const void *body, size_t len,
    const struct hdrs *h, struct call *c)
{
	struct request req;

	memset(c, 0, sizeof(*c));
	c->rpc = rpc;
	memset(&req, 0, sizeof(req));
	req.body = (char *)(uintptr_t)body;
	req.body_len = len;
	if (h != NULL) {
		req.header[H_CONTENT_ENCODING] = (char *)(uintptr_t)h->encoding;
		req.header[H_CONNECT_VERSION] = (char *)(uintptr_t)h->version;
		req.header[H_CONNECT_TIMEOUT] = (char *)(uintptr_t)h->timeout;
	}
	return codec_connect.decode(form, &req, c);
}

static enum err
json(enum rpc rpc, const char *body, struct call *c)
{
	return dec_h(rpc, CONNECT_JSON, body, body != NULL ? strlen(body) : 0,
	    NULL, c);
}

static void
assert_ids(const struct call *c, const char *project, const char *app)
{
	assert_int_equal(c->project_id.n, strlen(project));
	if (c->project_id.n > 0)
		assert_memory_equal(c->project_id.p, project, c->project_id.n);
	assert_int_equal(c->app_id.n, strlen(app));
	if (c->app_id.n > 0)
		assert_memory_equal(c->app_id.p, app, c->app_id.n);
}

/* --- content types ----------------------------------------------------- */

static void
test_form(void **state)
{
	static const struct {
		const char *ct;
		int form;
	} types[] = {
		{ "application/json", CONNECT_JSON },
		{ "Application/JSON", CONNECT_JSON },
		{ "application/json; charset=utf-8", CONNECT_JSON },
		{ "application/json;charset=UTF-8", CONNECT_JSON },
		{ "application/json; charset=\"utf-8\"", CONNECT_JSON },
		{ "application/json ; charset=utf-8", CONNECT_JSON },
		{ "application/json; foo=bar", CONNECT_JSON },
		{ "application/proto", CONNECT_PROTO },
		{ "application/proto; charset=utf-8", CONNECT_PROTO },
		{ "application/json; charset=latin1", -1 },
		{ "application/json; charset=utf-8x", -1 },
		{ "application/json; charset=utf-16", -1 },
		{ "application/proto; charset=ascii", -1 },
		{ "application/connect+json", -1 },
		{ "application/connect+proto", -1 },
		{ "application/jsonx", -1 },
		{ "application/protobuf", -1 },
		{ "application/grpc-web+proto", -1 },
		{ "application/grpc", -1 },
		{ "text/json", -1 },
		{ "", -1 },
	};
	size_t i;

	(void)state;
	assert_string_equal(codec_connect.name, "connect");
	assert_int_equal(codec_connect.form(NULL), -1);
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (codec_connect.form(types[i].ct) != types[i].form)
			fail_msg("%s: %d, want %d", types[i].ct,
			    codec_connect.form(types[i].ct), types[i].form);
}

/* --- JSON -------------------------------------------------------------- */

static void
test_json_field_names(void **state)
{
	struct call c;

	(void)state;
	assert_int_equal(json(RPC_V2,
	    "{\"applicationId\":\"a1\",\"projectId\":\"p1\"}", &c), ERR_OK);
	assert_ids(&c, "p1", "a1");
	assert_int_equal(json(RPC_V2,
	    "{\"application_id\":\"a2\",\"project_id\":\"p2\"}", &c), ERR_OK);
	assert_ids(&c, "p2", "a2");
	assert_int_equal(json(RPC_V2BETA,
	    "{\"project_id\":\"p3\",\"applicationId\":\"a3\",\"isOidc\":true}",
	    &c), ERR_OK);
	assert_ids(&c, "p3", "a3");
	/* Unknown fields, of any type, are ignored. */
	assert_int_equal(json(RPC_V2, "{\"x\":[1,{\"y\":null}],\"appId\":"
	    "\"no\",\"projectId\":\"p\",\"z\":\"\"}", &c), ERR_OK);
	assert_ids(&c, "p", "");
	/* Escapes decoded, a NUL kept for the ID check to refuse. */
	assert_int_equal(json(RPC_V2, "{\"projectId\":\"\\u0041\\u00e9\\/\","
	    "\"applicationId\":\"a\\u0000b\"}", &c), ERR_OK);
	assert_int_equal(c.project_id.n, 4);
	assert_memory_equal(c.project_id.p, "A\xc3\xa9/", 4);
	assert_int_equal(c.app_id.n, 3);
	assert_memory_equal(c.app_id.p, "a\0b", 3);
	/* The IDs are copies, in the call. */
	assert_true(c.project_id.p >= c.ids &&
	    c.project_id.p < c.ids + sizeof(c.ids));
}

static void
test_json_both_names_refused(void **state)
{
	static const char *const bad[] = {
		"{\"projectId\":\"p\",\"project_id\":\"p\"}",
		"{\"applicationId\":\"a\",\"application_id\":\"b\"}",
		/* Even when one of them is null. */
		"{\"projectId\":null,\"project_id\":\"p\"}",
	};
	struct call c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (json(RPC_V2, bad[i], &c) != ERR_BAD_BODY)
			fail_msg("accepted: %s", bad[i]);
	assert_int_equal(json(RPC_V2BETA, "{\"isOidc\":true,\"is_oidc\":true}",
	    &c), ERR_BAD_BODY);
}

static void
test_json_null_is_absent(void **state)
{
	struct call c;

	(void)state;
	assert_int_equal(json(RPC_V2, "{\"projectId\":null,\"applicationId\":"
	    "\"a\"}", &c), ERR_OK);
	assert_ids(&c, "", "a");
	assert_int_equal(json(RPC_V2BETA, "{\"isOidc\":null,\"isApi\":true}",
	    &c), ERR_OK);
	assert_int_equal(c.msg_kind, MSG_KIND_API);
	assert_int_equal(json(RPC_V2BETA, "{\"isOidc\":null,\"is_api\":null}",
	    &c), ERR_OK);
	assert_int_equal(c.msg_kind, MSG_KIND_NONE);
}

static void
test_json_wrong_types(void **state)
{
	static const char *const bad[] = {
		"{\"projectId\":1}", "{\"projectId\":true}",
		"{\"projectId\":{}}", "{\"projectId\":[\"p\"]}",
		"{\"project_id\":1.5}", "{\"applicationId\":false}",
		"{\"application_id\":[]}",
	};
	static const char *const bad_beta[] = {
		"{\"isOidc\":\"true\"}", "{\"isOidc\":1}", "{\"is_api\":{}}",
		"{\"isApi\":[true]}",
	};
	struct call c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (json(RPC_V2, bad[i], &c) != ERR_BAD_BODY)
			fail_msg("accepted: %s", bad[i]);
	for (i = 0; i < sizeof(bad_beta) / sizeof(bad_beta[0]); i++) {
		if (json(RPC_V2BETA, bad_beta[i], &c) != ERR_BAD_BODY)
			fail_msg("v2beta accepted: %s", bad_beta[i]);
		/* To v2 those are unknown fields. */
		if (json(RPC_V2, bad_beta[i], &c) != ERR_OK)
			fail_msg("v2 refused: %s", bad_beta[i]);
	}
}

static void
test_json_oneof(void **state)
{
	static const struct {
		const char *body;
		enum err e;
		enum msg_kind kind;
	} cases[] = {
		{ "{}", ERR_OK, MSG_KIND_NONE },
		{ "{\"isOidc\":true}", ERR_OK, MSG_KIND_OIDC },
		{ "{\"is_oidc\":false}", ERR_OK, MSG_KIND_OIDC },
		{ "{\"isApi\":true}", ERR_OK, MSG_KIND_API },
		{ "{\"is_api\":false}", ERR_OK, MSG_KIND_API },
		{ "{\"isOidc\":true,\"isApi\":true}", ERR_BAD_BODY, 0 },
		{ "{\"isOidc\":false,\"is_api\":false}", ERR_BAD_BODY, 0 },
		{ "{\"is_oidc\":true,\"isApi\":false}", ERR_BAD_BODY, 0 },
	};
	struct call c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum err e = json(RPC_V2BETA, cases[i].body, &c);

		if (e != cases[i].e || (e == ERR_OK &&
		    c.msg_kind != cases[i].kind))
			fail_msg("%s: %d kind %d", cases[i].body, (int)e,
			    (int)c.msg_kind);
	}
	/* application.v2 has no oneof: the members are unknown there. */
	assert_int_equal(json(RPC_V2, "{\"isOidc\":true,\"isApi\":true}", &c),
	    ERR_OK);
	assert_int_equal(c.msg_kind, MSG_KIND_NONE);
}

static void
test_json_empty_and_bad_bodies(void **state)
{
	static const char *const empty[] = { NULL, "", " \r\n\t", "{}",
	    " { } " };
	static const char *const bad[] = {
		"[]", "null", "\"{}\"", "1", "{", "{}x", "{} {}", "{'a':1}",
		"{\"projectId\":NaN}", "{\"a\":01}", "{\"projectId\":\"\xff\"}",
		"{\"a\":1,}",
	};
	struct call c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(empty) / sizeof(empty[0]); i++) {
		if (json(RPC_V2BETA, empty[i], &c) != ERR_OK)
			fail_msg("refused: \"%s\"", empty[i] ? empty[i] : "");
		assert_ids(&c, "", "");
		assert_int_equal(c.msg_kind, MSG_KIND_NONE);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (json(RPC_V2, bad[i], &c) != ERR_BAD_BODY)
			fail_msg("accepted: %s", bad[i]);
}

static void
test_json_id_limit(void **state)
{
	char *body = malloc(2 * ID_BYTES + 64);
	struct call c;
	int n;

	(void)state;
	assert_non_null(body);
	n = sprintf(body, "{\"projectId\":\"");
	memset(body + n, 'p', ID_BYTES);
	strcpy(body + n + ID_BYTES, "\",\"applicationId\":\"a\"}");
	assert_int_equal(json(RPC_V2, body, &c), ERR_OK);
	assert_int_equal(c.project_id.n, ID_BYTES);
	memset(body + n, 'p', ID_BYTES + 1);
	strcpy(body + n + ID_BYTES + 1, "\",\"applicationId\":\"a\"}");
	assert_int_equal(json(RPC_V2, body, &c), ERR_BAD_BODY);
	free(body);
}

/* --- binary ------------------------------------------------------------ */

static void
test_proto_message(void **state)
{
	/* application.v2: application_id = 1, project_id = 2. */
	static const unsigned char v2[] = {
		0x0a, 0x02, 'a', '2', 0x12, 0x02, 'p', '2'
	};
	static const unsigned char beta[] = {
		0x0a, 0x01, 'p', 0x12, 0x01, 'a', 0x20, 0x01
	};
	static const unsigned char junk[] = { 0x0a, 0x05, 'a' };
	struct call c;

	(void)state;
	assert_int_equal(dec_h(RPC_V2, CONNECT_PROTO, v2, sizeof(v2), NULL, &c),
	    ERR_OK);
	assert_ids(&c, "p2", "a2");
	assert_int_equal(dec_h(RPC_V2BETA, CONNECT_PROTO, beta, sizeof(beta),
	    NULL, &c), ERR_OK);
	assert_ids(&c, "p", "a");
	assert_int_equal(c.msg_kind, MSG_KIND_API);
	assert_int_equal(dec_h(RPC_V2, CONNECT_PROTO, junk, sizeof(junk), NULL,
	    &c), ERR_BAD_BODY);
	/* No body: the empty message. */
	assert_int_equal(dec_h(RPC_V2, CONNECT_PROTO, NULL, 0, NULL, &c),
	    ERR_OK);
	assert_ids(&c, "", "");
	/* JSON is no protobuf. */
	assert_int_equal(dec_h(RPC_V2, CONNECT_PROTO, "{\"projectId\":\"p\"}",
	    17, NULL, &c), ERR_BAD_BODY);
}

/* --- the transport's headers ------------------------------------------- */

static enum err
with(const char *encoding, const char *version, const char *timeout,
    const char *body, struct call *c)
{
	struct hdrs h = { encoding, version, timeout };

	return dec_h(RPC_V2, CONNECT_JSON, body, body != NULL ? strlen(body) :
	    0, &h, c);
}

static void
test_protocol_version(void **state)
{
	static const char *const bad[] = { "2", "0", "", " 1", "1 ", "01",
	    "1.0" };
	struct call c;
	size_t i;

	(void)state;
	assert_int_equal(with(NULL, NULL, NULL, "{}", &c), ERR_OK);
	assert_int_equal(with(NULL, "1", NULL, "{}", &c), ERR_OK);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (with(NULL, bad[i], NULL, "{}", &c) != ERR_CONNECT_VERSION)
			fail_msg("accepted version \"%s\"", bad[i]);
	/* The header is judged before the body. */
	assert_int_equal(with(NULL, "2", NULL, "[]", &c), ERR_CONNECT_VERSION);
}

static void
test_timeout(void **state)
{
	static const char *const bad[] = {
		"", "-1", "+1", "1.5", " 1", "1 ", "1e3", "0x10", "10000000000",
		"00000000001", "99999999999",
	};
	static const struct {
		const char *v;
		int64_t ms;
	} good[] = {
		{ "1", 1 }, { "250", 250 }, { "0", 0 },
		{ "0000000001", 1 }, { "9999999999", INT64_C(9999999999) },
	};
	struct call c;
	size_t i;

	(void)state;
	assert_int_equal(with(NULL, NULL, NULL, "{}", &c), ERR_OK);
	assert_true(c.deadline_ns == 0);	/* none without the header */
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		int64_t before = util_mono_ns(), after;

		assert_int_equal(with(NULL, NULL, good[i].v, "{}", &c), ERR_OK);
		after = util_mono_ns();
		if (c.deadline_ns < before + good[i].ms * 1000000 ||
		    c.deadline_ns > after + good[i].ms * 1000000)
			fail_msg("timeout %s: deadline off", good[i].v);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (with(NULL, NULL, bad[i], "{}", &c) != ERR_CONNECT_TIMEOUT)
			fail_msg("accepted timeout \"%s\"", bad[i]);
}

static void
test_content_encoding(void **state)
{
	struct call c;

	(void)state;
	assert_int_equal(with("identity", NULL, NULL, "{}", &c), ERR_OK);
	assert_int_equal(with("IDENTITY", NULL, NULL, "{}", &c), ERR_OK);
	assert_int_equal(with("gzip", NULL, NULL, "{}", &c), ERR_COMPRESSED);
	assert_int_equal(with("br", NULL, NULL, "x", &c), ERR_COMPRESSED);
	/* Nothing to decompress: an empty body passes whatever it says. */
	assert_int_equal(with("gzip", NULL, NULL, "", &c), ERR_OK);
	/* Encoding first, then version, then timeout, then the body. */
	assert_int_equal(with("gzip", "2", "x", "[]", &c), ERR_COMPRESSED);
	assert_int_equal(with(NULL, "2", "x", "[]", &c), ERR_CONNECT_VERSION);
	assert_int_equal(with(NULL, "1", "x", "[]", &c), ERR_CONNECT_TIMEOUT);
	assert_int_equal(with(NULL, "1", "5", "[]", &c), ERR_BAD_BODY);
}

/* --- success ----------------------------------------------------------- */

static void
fixed_outcome(struct outcome *o)
{
	memset(o, 0, sizeof(*o));
	snprintf(o->client_secret, sizeof(o->client_secret), "s3cr3tS3CR3T");
	o->sequence = 7;
	/* 2026-11-27T10:11:12.123456Z */
	o->creation_date.sec = 1795774272;
	o->creation_date.nsec = 123456000;
	o->change_date.sec = 1795785255;	/* 2026-11-27T13:14:15.5Z */
	o->change_date.nsec = 500000000;
	snprintf(o->resource_owner, sizeof(o->resource_owner), "1");
}

static int
encode(enum rpc rpc, int form, const struct outcome *o,
    struct response *resp)
{
	struct call c;

	memset(&c, 0, sizeof(c));
	c.rpc = rpc;
	memset(resp, 0, sizeof(*resp));
	return codec_connect.encode(form, &c, o, resp);
}

static void
test_success_json(void **state)
{
	static const char want[] = "{\"clientSecret\":\"s3cr3tS3CR3T\","
	    "\"creationDate\":\"2026-11-27T13:14:15.500Z\"}";
	struct response resp;
	struct outcome o;

	(void)state;
	fixed_outcome(&o);
	assert_int_equal(encode(RPC_V2, CONNECT_JSON, &o, &resp), 0);
	assert_int_equal(resp.status, 200);
	assert_string_equal(resp.content_type, "application/json");
	assert_int_equal(resp.body_len, sizeof(want) - 1);
	assert_memory_equal(resp.body, want, sizeof(want) - 1);
	response_free(&resp);
	assert_int_equal(encode(RPC_V2BETA, CONNECT_JSON, &o, &resp), 0);
	assert_int_equal(resp.body_len, sizeof(want) - 1);
	assert_memory_equal(resp.body, want, sizeof(want) - 1);
	response_free(&resp);
	/* The v1 calls are not answered here. */
	assert_int_equal(encode(RPC_V1_OIDC, CONNECT_JSON, &o, &resp), -1);
	response_free(&resp);
	assert_int_equal(encode(RPC_V1_API, CONNECT_PROTO, &o, &resp), -1);
	response_free(&resp);
}

static void
test_success_proto(void **state)
{
	Zitadel__Application__V2__GenerateClientSecretResponse *m;
	struct response resp;
	struct outcome o;
	int k;

	(void)state;
	fixed_outcome(&o);
	for (k = 0; k < 2; k++) {
		assert_int_equal(encode(k == 0 ? RPC_V2 : RPC_V2BETA,
		    CONNECT_PROTO, &o, &resp), 0);
		assert_int_equal(resp.status, 200);
		assert_string_equal(resp.content_type, "application/proto");
		/* Both messages share their fields' numbers and types. */
		m = V2_RESP(unpack)(NULL, resp.body_len,
		    (const uint8_t *)resp.body);
		assert_non_null(m);
		assert_string_equal(m->client_secret, "s3cr3tS3CR3T");
		assert_non_null(m->creation_date);
		assert_int_equal(m->creation_date->seconds, 1795785255);
		assert_int_equal(m->creation_date->nanos, 500000000);
		V2_RESP(free_unpacked)(m, NULL);
		response_free(&resp);
	}
}

/* --- errors ------------------------------------------------------------ */

static const char *
str_member(json_object *o, const char *key)
{
	json_object *v = NULL;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* The error body of kind in form, read back and checked member by member. */
static void
check_error(int form, enum err kind)
{
	const struct err_info *e = err_info(kind);
	json_object *root, *details = NULL, *d, *debug = NULL;
	struct response resp;
	unsigned char *raw;
	char message[300];
	const char *value;
	size_t n = 0;

	memset(&resp, 0, sizeof(resp));
	assert_int_equal(codec_connect.encode_error(form, kind, &resp), 0);
	if (resp.status != err_http(kind))
		fail_msg("kind %d: HTTP %d, want %d", (int)kind, resp.status,
		    err_http(kind));
	/* Connect: error bodies are JSON, whatever the request's codec. */
	assert_string_equal(resp.content_type, "application/json");
	root = json_tokener_parse(resp.body);
	assert_non_null(root);
	assert_string_equal(str_member(root, "code"),
	    err_connect_code(e->grpc));
	wire_message(kind, message, sizeof(message));
	assert_string_equal(str_member(root, "message"), message);
	assert_true(json_object_object_get_ex(root, "details", &details));
	assert_true(json_object_is_type(details, json_type_array));
	assert_int_equal(json_object_array_length(details), 1);
	d = json_object_array_get_idx(details, 0);
	assert_string_equal(str_member(d, "type"), "zitadel.v1.ErrorDetail");
	value = str_member(d, "value");
	assert_non_null(value);
	/* Connect: base64 without padding. */
	assert_null(strchr(value, '='));
	raw = wire_unbase64(value, &n);
	assert_non_null(raw);
	if (wire_error_detail(raw, n, kind) != 0)
		fail_msg("kind %d: value is not its ErrorDetail", (int)kind);
	free(raw);
	assert_true(json_object_object_get_ex(d, "debug", &debug));
	assert_string_equal(str_member(debug, "id"), e->id);
	assert_string_equal(str_member(debug, "message"), e->text);
	/* Nothing else at the top. */
	assert_int_equal(json_object_object_length(root), 3);
	json_object_put(root);
	response_free(&resp);
}

static void
test_error_every_kind(void **state)
{
	int k;

	(void)state;
	for (k = 1; k < ERR__COUNT; k++) {
		check_error(CONNECT_JSON, (enum err)k);
		check_error(CONNECT_PROTO, (enum err)k);
	}
}

/* One body byte for byte, and the statuses Connect gives its codes. */
static void
test_error_exact(void **state)
{
	static const struct {
		enum err kind;
		int http;
		const char *code;
	} statuses[] = {
		{ ERR_ID_MISSING_V2, 400, "invalid_argument" },
		{ ERR_TOKEN_INVALID, 401, "unauthenticated" },
		{ ERR_PERMISSION_DENIED, 403, "permission_denied" },
		{ ERR_APP_NOT_FOUND_V2, 404, "not_found" },
		{ ERR_UNAVAILABLE, 503, "unavailable" },
		{ ERR_INTERNAL, 500, "internal" },
		{ ERR_COMPRESSED, 501, "unimplemented" },
		{ ERR_DEADLINE, 504, "deadline_exceeded" },
	};
	static const char want[] = "{\"code\":\"not_found\",\"message\":"
	    "\"Application doesn't exist (COMMAND-Kd92s)\",\"details\":[{"
	    "\"type\":\"zitadel.v1.ErrorDetail\",\"value\":"
	    "\"Cg1DT01NQU5ELUtkOTJzEhlBcHBsaWNhdGlvbiBkb2Vzbid0IGV4aXN0\","
	    "\"debug\":{\"id\":\"COMMAND-Kd92s\",\"message\":\"Application "
	    "doesn't exist\"}}]}";
	struct response resp;
	size_t i;

	(void)state;
	memset(&resp, 0, sizeof(resp));
	assert_int_equal(codec_connect.encode_error(CONNECT_JSON,
	    ERR_APP_NOT_FOUND_V2, &resp), 0);
	if (resp.body_len != sizeof(want) - 1 ||
	    memcmp(resp.body, want, resp.body_len) != 0)
		fail_msg("\n got  %.*s\n want %s", (int)resp.body_len,
		    resp.body, want);
	response_free(&resp);
	for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
		json_object *root;

		memset(&resp, 0, sizeof(resp));
		assert_int_equal(codec_connect.encode_error(CONNECT_PROTO,
		    statuses[i].kind, &resp), 0);
		assert_int_equal(resp.status, statuses[i].http);
		root = json_tokener_parse(resp.body);
		assert_non_null(root);
		assert_string_equal(str_member(root, "code"), statuses[i].code);
		json_object_put(root);
		response_free(&resp);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_form),
		cmocka_unit_test(test_json_field_names),
		cmocka_unit_test(test_json_both_names_refused),
		cmocka_unit_test(test_json_null_is_absent),
		cmocka_unit_test(test_json_wrong_types),
		cmocka_unit_test(test_json_oneof),
		cmocka_unit_test(test_json_empty_and_bad_bodies),
		cmocka_unit_test(test_json_id_limit),
		cmocka_unit_test(test_proto_message),
		cmocka_unit_test(test_protocol_version),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_content_encoding),
		cmocka_unit_test(test_success_json),
		cmocka_unit_test(test_success_proto),
		cmocka_unit_test(test_error_every_kind),
		cmocka_unit_test(test_error_exact),
	};

	return cmocka_run_group_tests_name("connect", tests, NULL, NULL);
}
