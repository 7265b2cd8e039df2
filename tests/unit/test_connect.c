/*
 * test_connect.c - the Connect codec: Connect unary, JSON and binary
 * (src/connect.c; connectrpc.com, "Connect Protocol Reference").
 *
 * Covers: the content types it takes (application/json and
 * application/proto, a charset=utf-8 parameter, nothing else); the message
 * in either codec for each Connect call (the JSON details are
 * test_jsonmsg.c's, the binary ones test_pbwire.c's), strict JSON only, an
 * empty body as the empty message; the transport's headers:
 * Connect-Protocol-Version (1 or absent), Connect-Timeout-Ms (1 to 10
 * digits, setting the deadline), Content-Encoding (identity, or nothing to
 * decompress), and their order; the answer of every Connect call in both
 * codecs; the error body of every kind in both: the HTTP status, the code
 * name, "text (ID)", and one detail whose type is zitadel.v1.ErrorDetail
 * and whose value is the unpadded base64 of that message.
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
#include "pbwire.h"
#include "user_service.pb-c.h"
#include "util.h"
#include "unit.h"
#include "wire.h"

#define N(x) (sizeof(x) / sizeof((x)[0]))

/* protobuf-c's generated names, shortened. */
#define V2_RESP(fn) \
	zitadel__application__v2__generate_client_secret_response__ ## fn
#define SECRET_RESP(fn) zitadel__user__v2__add_secret_response__ ## fn

/* --- helpers ----------------------------------------------------------- */

#define V2 unit_call("GenerateClientSecret")

struct hdrs {
	const char *encoding;
	const char *version;
	const char *timeout;
};

static struct call c;

static int
teardown(void **state)
{
	(void)state;
	call_free(&c);
	return 0;
}

static enum err
dec_h(const struct call_def *d, int form, const void *body, size_t len,
    const struct hdrs *h)
{
	struct request req;

	call_free(&c);
	assert_int_equal(call_init(&c, d, len), 0);
	memset(&req, 0, sizeof(req));
	req.body = (char *)(uintptr_t)body;
	req.body_len = len;
	if (h != NULL) {
		req.header[H_CONTENT_ENCODING] = (char *)(uintptr_t)h->encoding;
		req.header[H_CONNECT_VERSION] = (char *)(uintptr_t)h->version;
		req.header[H_CONNECT_TIMEOUT] = (char *)(uintptr_t)h->timeout;
	}
	return codec_connect.decode(form, &req, &c);
}

static enum err
json(const struct call_def *d, const char *body)
{
	return dec_h(d, CONNECT_JSON, body, body != NULL ? strlen(body) : 0,
	    NULL);
}

static void
assert_arg(unsigned slot, const char *want)
{
	const struct value *v = &c.arg[slot];
	size_t n = strlen(want);

	if (!v->set || v->s.n != n || (n > 0 && memcmp(v->s.p, want, n) != 0))
		fail_msg("slot %u: \"%.*s\" (set %d), want \"%s\"", slot,
		    v->set ? (int)v->s.n : 0, v->set ? v->s.p : "", v->set,
		    want);
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
		{ "application/x-www-form-urlencoded", -1 },
		{ "text/json", -1 },
		{ "", -1 },
		{ NULL, -1 },
	};
	struct media m;
	size_t i;

	(void)state;
	assert_string_equal(codec_connect.name, "connect");
	for (i = 0; i < N(types); i++) {
		media_parse(types[i].ct, &m);
		if (codec_connect.form(&m) != types[i].form)
			fail_msg("%s: %d, want %d", types[i].ct,
			    codec_connect.form(&m), types[i].form);
	}
}

/* --- the message --------------------------------------------------------- */

static void
test_json_each_call(void **state)
{
	(void)state;
	assert_int_equal(json(V2, "{\"applicationId\":\"a1\","
	    "\"project_id\":\"p1\"}"), ERR_OK);
	assert_arg(ARG_PROJECT_ID, "p1");
	assert_arg(ARG_APP_ID, "a1");
	assert_int_equal(json(unit_call("RegenerateClientSecret"),
	    "{\"projectId\":\"p\",\"applicationId\":\"a\",\"isApi\":true}"),
	    ERR_OK);
	assert_true(c.arg[ARG_IS_API].set);
	assert_false(c.arg[ARG_IS_OIDC].set);
	assert_int_equal(json(unit_call("AddSecret"), "{\"userId\":\"u\"}"),
	    ERR_OK);
	assert_arg(ARG_USER_ID, "u");
	assert_int_equal(json(unit_call("AddKey"), "{\"userId\":\"u\","
	    "\"expirationDate\":\"2030-01-01T00:00:00Z\","
	    "\"publicKey\":\"LS0t\"}"), ERR_OK);
	assert_arg(ARG_PUBLIC_KEY, "---");
	assert_true(c.arg[ARG_EXPIRATION].t.sec == 1893456000);
	assert_int_equal(json(unit_call("RemoveKey"), "{\"userId\":\"u\","
	    "\"keyId\":\"k\"}"), ERR_OK);
	assert_arg(ARG_KEY_ID, "k");
	/* Empty: the empty message, the service answers for it. */
	assert_int_equal(json(V2, ""), ERR_OK);
	assert_false(c.arg[ARG_PROJECT_ID].set);
	assert_int_equal(json(V2, NULL), ERR_OK);
	/* Strict JSON, one object. */
	assert_int_equal(json(V2, "[]"), ERR_BAD_BODY);
	assert_int_equal(json(V2, "{\"projectId\":\"p\"} x"), ERR_BAD_BODY);
	assert_int_equal(json(V2, "{\"projectId\":1}"), ERR_BAD_BODY);
}

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

	(void)state;
	assert_int_equal(dec_h(V2, CONNECT_PROTO, v2, sizeof(v2), NULL),
	    ERR_OK);
	assert_arg(ARG_PROJECT_ID, "p2");
	assert_arg(ARG_APP_ID, "a2");
	assert_int_equal(dec_h(unit_call("RegenerateClientSecret"),
	    CONNECT_PROTO,
	    beta, sizeof(beta), NULL), ERR_OK);
	assert_arg(ARG_PROJECT_ID, "p");
	assert_true(c.arg[ARG_IS_API].set);
	assert_int_equal(dec_h(V2, CONNECT_PROTO, junk, sizeof(junk), NULL),
	    ERR_BAD_BODY);
	/* No body: the empty message. */
	assert_int_equal(dec_h(V2, CONNECT_PROTO, NULL, 0, NULL), ERR_OK);
	assert_false(c.arg[ARG_PROJECT_ID].set);
	/* JSON is no protobuf. */
	assert_int_equal(dec_h(V2, CONNECT_PROTO, "{\"projectId\":\"p\"}", 17,
	    NULL), ERR_BAD_BODY);
}

/* --- the transport's headers ------------------------------------------- */

static enum err
with(const char *encoding, const char *version, const char *timeout,
    const char *body)
{
	struct hdrs h = { encoding, version, timeout };

	return dec_h(V2, CONNECT_JSON, body, body != NULL ? strlen(body) : 0,
	    &h);
}

static void
test_protocol_version(void **state)
{
	static const char *const bad[] = { "2", "0", "", " 1", "1 ", "01",
	    "1.0" };
	size_t i;

	(void)state;
	assert_int_equal(with(NULL, NULL, NULL, "{}"), ERR_OK);
	assert_int_equal(with(NULL, "1", NULL, "{}"), ERR_OK);
	for (i = 0; i < N(bad); i++)
		if (with(NULL, bad[i], NULL, "{}") != ERR_CONNECT_VERSION)
			fail_msg("accepted version \"%s\"", bad[i]);
	/* The header is judged before the body. */
	assert_int_equal(with(NULL, "2", NULL, "[]"), ERR_CONNECT_VERSION);
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
	size_t i;

	(void)state;
	assert_int_equal(with(NULL, NULL, NULL, "{}"), ERR_OK);
	assert_true(c.deadline_ns == 0);	/* none without the header */
	for (i = 0; i < N(good); i++) {
		int64_t before = util_mono_ns(), after;

		assert_int_equal(with(NULL, NULL, good[i].v, "{}"), ERR_OK);
		after = util_mono_ns();
		if (c.deadline_ns < before + good[i].ms * 1000000 ||
		    c.deadline_ns > after + good[i].ms * 1000000)
			fail_msg("timeout %s: deadline off", good[i].v);
	}
	for (i = 0; i < N(bad); i++)
		if (with(NULL, NULL, bad[i], "{}") != ERR_CONNECT_TIMEOUT)
			fail_msg("accepted timeout \"%s\"", bad[i]);
}

static void
test_content_encoding(void **state)
{
	(void)state;
	assert_int_equal(with("identity", NULL, NULL, "{}"), ERR_OK);
	assert_int_equal(with("IDENTITY", NULL, NULL, "{}"), ERR_OK);
	assert_int_equal(with("gzip", NULL, NULL, "{}"), ERR_COMPRESSED);
	assert_int_equal(with("br", NULL, NULL, "x"), ERR_COMPRESSED);
	/* Nothing to decompress: an empty body passes whatever it says. */
	assert_int_equal(with("gzip", NULL, NULL, ""), ERR_OK);
	/* Encoding first, then version, then timeout, then the body. */
	assert_int_equal(with("gzip", "2", "x", "[]"), ERR_COMPRESSED);
	assert_int_equal(with(NULL, "2", "x", "[]"), ERR_CONNECT_VERSION);
	assert_int_equal(with(NULL, "1", "x", "[]"), ERR_CONNECT_TIMEOUT);
	assert_int_equal(with(NULL, "1", "5", "[]"), ERR_BAD_BODY);
}

/* --- success ----------------------------------------------------------- */

static struct answer o;

static void
fixed(void)
{
	struct ts created = { 1795774272, 123456000 };
	struct ts changed = { 1795785255, 500000000 };	/* 13:14:15.5 */

	memset(&o, 0, sizeof(o));
	assert_int_equal(answer_cstr(&o, OUT_SECRET, "s3cr3tS3CR3T"), 0);
	value_int(&o.out[OUT_SEQUENCE], 7);
	value_time(&o.out[OUT_CREATED], created);
	value_time(&o.out[OUT_CHANGED], changed);
	assert_int_equal(answer_cstr(&o, OUT_OWNER, "1"), 0);
	assert_int_equal(answer_cstr(&o, OUT_KEY_ID, "77"), 0);
	assert_int_equal(answer_str(&o, OUT_KEY_CONTENT, "{}\0", 3), 0);
}

static int
encode(const struct call_def *d, int form, struct response *resp)
{
	struct call k;

	memset(&k, 0, sizeof(k));
	k.def = d;
	memset(resp, 0, sizeof(*resp));
	return codec_connect.encode(form, &k, &o, resp);
}

static void
check_body(const struct response *resp, const char *want)
{
	if (resp->body == NULL || resp->body_len != strlen(want) ||
	    memcmp(resp->body, want, resp->body_len) != 0)
		fail_msg("\n got  %.*s\n want %s", (int)resp->body_len,
		    resp->body != NULL ? resp->body : "", want);
}

static void
test_success_json(void **state)
{
	static const struct {
		const char *call;
		const char *want;
	} cases[] = {
		{ "GenerateClientSecret", "{\"clientSecret\":\"s3cr3tS3CR3T\","
		    "\"creationDate\":\"2026-11-27T13:14:15.500Z\"}" },
		{ "RegenerateClientSecret", "{\"clientSecret\":"
		    "\"s3cr3tS3CR3T\",\"creationDate\":"
		    "\"2026-11-27T13:14:15.500Z\"}" },
		{ "AddSecret", "{\"creationDate\":\"2026-11-27T13:14:15.500Z\","
		    "\"clientSecret\":\"s3cr3tS3CR3T\"}" },
		{ "RemoveSecret", "{\"deletionDate\":"
		    "\"2026-11-27T13:14:15.500Z\"}" },
		{ "AddKey", "{\"creationDate\":\"2026-11-27T13:14:15.500Z\","
		    "\"keyId\":\"77\",\"keyContent\":\"e30A\"}" },
		{ "RemoveKey", "{\"deletionDate\":"
		    "\"2026-11-27T13:14:15.500Z\"}" },
	};
	struct response resp;
	size_t i;

	(void)state;
	fixed();
	for (i = 0; i < N(cases); i++) {
		assert_int_equal(encode(unit_call(cases[i].call), CONNECT_JSON,
		    &resp), 0);
		assert_int_equal(resp.status, 200);
		assert_string_equal(resp.content_type, "application/json");
		check_body(&resp, cases[i].want);
		response_free(&resp);
	}
}

static void
test_success_proto(void **state)
{
	Zitadel__Application__V2__GenerateClientSecretResponse *m;
	Zitadel__User__V2__AddSecretResponse *s;
	struct response resp;
	int k;

	(void)state;
	fixed();
	for (k = 0; k < 2; k++) {
		assert_int_equal(encode(k == 0 ? V2 :
		    unit_call("RegenerateClientSecret"), CONNECT_PROTO, &resp),
		    0);
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
	assert_int_equal(encode(unit_call("AddSecret"), CONNECT_PROTO, &resp),
	    0);
	s = SECRET_RESP(unpack)(NULL, resp.body_len,
	    (const uint8_t *)resp.body);
	assert_non_null(s);
	assert_string_equal(s->client_secret, "s3cr3tS3CR3T");
	assert_int_equal(s->creation_date->seconds, 1795785255);
	SECRET_RESP(free_unpacked)(s, NULL);
	response_free(&resp);
	/* Every Connect call: the message and nothing else. */
	for (k = 0; k < (int)ncalls; k++) {
		unsigned char want[512];
		size_t n;

		if (calls[k].family != FAMILY_CONNECT)
			continue;
		n = pbwire_encode_to(calls[k].resp, o.out, want, sizeof(want));
		assert_int_equal(encode(&calls[k], CONNECT_PROTO, &resp), 0);
		assert_int_equal(resp.body_len, n);
		assert_memory_equal(resp.body, want, n);
		response_free(&resp);
	}
}

/* --- errors ------------------------------------------------------------ */

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
	assert_int_equal(codec_connect.encode_error(form, NULL, kind, &resp),
	    0);
	/* Connect's status for the code: grpc-gateway's, code for code. */
	if (resp.status != err_http(kind))
		fail_msg("kind %d: HTTP %d, want %d", (int)kind, resp.status,
		    err_http(kind));
	/* Connect: error bodies are JSON, whatever the request's codec. */
	assert_string_equal(resp.content_type, "application/json");
	root = json_tokener_parse(resp.body);
	assert_non_null(root);
	assert_string_equal(unit_json_str(root, "code"),
	    err_connect_code(e->grpc));
	wire_message(kind, message, sizeof(message));
	assert_string_equal(unit_json_str(root, "message"), message);
	assert_true(json_object_object_get_ex(root, "details", &details));
	assert_true(json_object_is_type(details, json_type_array));
	assert_int_equal(json_object_array_length(details), 1);
	d = json_object_array_get_idx(details, 0);
	assert_string_equal(unit_json_str(d, "type"), "zitadel.v1.ErrorDetail");
	value = unit_json_str(d, "value");
	assert_non_null(value);
	/* Connect: base64 without padding. */
	assert_null(strchr(value, '='));
	raw = wire_unbase64(value, &n);
	assert_non_null(raw);
	if (wire_error_detail(raw, n, kind) != 0)
		fail_msg("kind %d: value is not its ErrorDetail", (int)kind);
	free(raw);
	assert_true(json_object_object_get_ex(d, "debug", &debug));
	assert_string_equal(unit_json_str(debug, "id"), e->id);
	assert_string_equal(unit_json_str(debug, "message"), e->text);
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
		{ ERR_USER_NOT_FOUND_SECRET, 400, "failed_precondition" },
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
	assert_int_equal(codec_connect.encode_error(CONNECT_JSON, NULL,
	    ERR_APP_NOT_FOUND_V2, &resp), 0);
	check_body(&resp, want);
	response_free(&resp);
	for (i = 0; i < N(statuses); i++) {
		json_object *root;

		memset(&resp, 0, sizeof(resp));
		assert_int_equal(codec_connect.encode_error(CONNECT_PROTO,
		    NULL, statuses[i].kind, &resp), 0);
		assert_int_equal(resp.status, statuses[i].http);
		root = json_tokener_parse(resp.body);
		assert_non_null(root);
		assert_string_equal(unit_json_str(root, "code"),
		    statuses[i].code);
		json_object_put(root);
		response_free(&resp);
	}
}

#define T(f) cmocka_unit_test_teardown(f, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_form),
		T(test_json_each_call),
		T(test_proto_message),
		T(test_protocol_version),
		T(test_timeout),
		T(test_content_encoding),
		T(test_success_json),
		T(test_success_proto),
		T(test_error_every_kind),
		T(test_error_exact),
	};

	return cmocka_run_group_tests_name("connect", tests, NULL, NULL);
}
