/*
 * test_rest.c - the REST codec, grpc-gateway style JSON (src/rest.c), and
 * the health routes' plain codec (src/plain.c).
 *
 * Covers: which content types the REST codec takes (everything but gRPC's
 * own, as grpc-gateway's "*" marshaler does, so curl -d works; a
 * malformed or absent header too); decode: the body must be empty or one
 * strict JSON object, read by the call's request message (the JSON
 * details are test_jsonmsg.c's); the exact bytes of the answer of every
 * REST call, with uint64 as a string, RFC 3339 times and JSON escaping;
 * the exact bytes and HTTP status of the error body for every error kind,
 * its text and ID taken from errors.def, and for a kind out of range; the
 * plain codec's text answer and its errors in the REST spelling.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rest.h"
#include "unit.h"

#define N(x) (sizeof(x) / sizeof((x)[0]))

#define SECRET64 \
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789AB"

/* --- form -------------------------------------------------------------- */

static void
test_form(void **state)
{
	static const char *const json[] = {
		"application/json",
		"application/json; charset=utf-8",
		"Application/JSON",
		"application/x-www-form-urlencoded",	/* curl -d */
		"text/plain",
		"",
		NULL,
		"nonsense",
		"application/grpcx",
		"application/grpc_web",
		"application/proto",
		"application/json; charset=latin1",
	};
	static const char *const grpc[] = {
		"application/grpc",
		"application/grpc+proto",
		"application/grpc+json",
		"application/grpc; charset=x",
		"application/grpc\t",
		"application/grpc ",
		"Application/GRPC",
		"application/grpc-web",
		"application/grpc-web+proto",
		"application/grpc-web-text",
		"application/grpc-web-text+proto",
	};
	struct media m;
	size_t i;

	(void)state;
	assert_string_equal(codec_rest.name, "rest");
	for (i = 0; i < N(json); i++) {
		media_parse(json[i], &m);
		if (codec_rest.form(&m) != 0)
			fail_msg("refused: %s", json[i] ? json[i] : "(none)");
	}
	for (i = 0; i < N(grpc); i++) {
		media_parse(grpc[i], &m);
		if (codec_rest.form(&m) != -1)
			fail_msg("accepted: %s", grpc[i]);
	}
}

/* --- decode ------------------------------------------------------------ */

static struct call c;

static int
teardown(void **state)
{
	(void)state;
	call_free(&c);
	return 0;
}

static enum err
decode(const struct call_def *d, const char *body)
{
	struct request req;
	size_t len = body != NULL ? strlen(body) : 0;

	call_free(&c);
	assert_int_equal(call_init(&c, d, len), 0);
	memset(&req, 0, sizeof(req));
	req.body = (char *)(uintptr_t)body;
	req.body_len = len;
	return codec_rest.decode(0, &req, &c);
}

static void
test_decode(void **state)
{
	static const char *const good[] = {
		NULL, "", " \r\n", "{}", "{\"x\":[1]}", "{\"appId\":null}",
	};
	static const char *const bad[] = {
		"[]", "null", "{", "{}x", "{'a':1}", "{\"a\":NaN}", "\"{}\"",
		"{\"projectId\":7}",
	};
	size_t i;
	unsigned s;

	(void)state;
	for (i = 0; i < N(good); i++) {
		if (decode(unit_call("RegenerateOIDCClientSecret"), good[i]) !=
		    ERR_OK)
			fail_msg("refused: %s", good[i] ? good[i] : "(none)");
		for (s = 0; s < ARG__COUNT; s++)
			assert_false(c.arg[s].set);
		assert_true(c.deadline_ns == 0);
	}
	for (i = 0; i < N(bad); i++)
		if (decode(unit_call("RegenerateOIDCClientSecret"), bad[i]) !=
		    ERR_BAD_BODY)
			fail_msg("accepted: %s", bad[i]);
	/* The body holds the request message's fields, by either name. */
	assert_int_equal(decode(unit_call("RegenerateOIDCClientSecret"),
	    "{\"projectId\":\"p\",\"app_id\":\"a\"}"), ERR_OK);
	assert_int_equal(c.arg[ARG_PROJECT_ID].s.n, 1);
	assert_int_equal(c.arg[ARG_APP_ID].s.n, 1);
	assert_int_equal(decode(unit_call("AddMachineKey"), "{\"type\":"
	    "\"KEY_TYPE_JSON\",\"expirationDate\":\"2030-01-01T00:00:00Z\"}"),
	    ERR_OK);
	assert_int_equal(c.arg[ARG_KEY_TYPE].i, 1);
	assert_true(c.arg[ARG_EXPIRATION].t.sec == 1893456000);
}

/* --- encode ------------------------------------------------------------ */

static struct answer o;

static void
fixed(const char *owner)
{
	struct ts created = { 1795774272, 123456000 };
	struct ts changed = { 1795785255, 0 };

	memset(&o, 0, sizeof(o));
	assert_int_equal(answer_cstr(&o, OUT_SECRET, SECRET64), 0);
	value_int(&o.out[OUT_SEQUENCE], 7);
	value_time(&o.out[OUT_CREATED], created);
	value_time(&o.out[OUT_CHANGED], changed);
	assert_int_equal(answer_cstr(&o, OUT_OWNER, owner), 0);
}

static void
check_body(const struct response *resp, const char *want)
{
	assert_non_null(resp->body);
	if (resp->body_len != strlen(want) ||
	    memcmp(resp->body, want, resp->body_len) != 0)
		fail_msg("\n got  %.*s\n want %s", (int)resp->body_len,
		    resp->body, want);
	assert_int_equal(resp->body[resp->body_len], '\0');
}

static int
encode(const struct call_def *d, struct response *resp)
{
	struct call k;

	memset(&k, 0, sizeof(k));
	k.def = d;
	memset(resp, 0, sizeof(*resp));
	return codec_rest.encode(0, &k, &o, resp);
}

#define DETAILS(owner) "\"details\":{\"sequence\":\"7\"," \
	"\"creationDate\":\"2026-11-27T10:11:12.123456Z\"," \
	"\"changeDate\":\"2026-11-27T13:14:15Z\"," \
	"\"resourceOwner\":\"" owner "\"}"

static void
test_outcome_every_call(void **state)
{
	static const struct {
		const char *call;
		const char *want;
	} cases[] = {
		/* OIDC and API apps answer the same shape. */
		{ "RegenerateOIDCClientSecret", "{\"clientSecret\":\""
		    SECRET64 "\"," DETAILS("69629023906488334") "}" },
		{ "RegenerateAPIClientSecret", "{\"clientSecret\":\""
		    SECRET64 "\"," DETAILS("69629023906488334") "}" },
		{ "GenerateMachineSecret", "{\"clientId\":\"svc-bot\","
		    "\"clientSecret\":\"" SECRET64 "\","
		    DETAILS("69629023906488334") "}" },
		{ "RemoveMachineSecret", "{" DETAILS("69629023906488334") "}" },
		{ "AddMachineKey", "{\"keyId\":\"77\",\"keyDetails\":\"e30=\","
		    DETAILS("69629023906488334") "}" },
		{ "RemoveMachineKey", "{" DETAILS("69629023906488334") "}" },
	};
	struct response resp;
	size_t i;

	(void)state;
	fixed("69629023906488334");
	assert_int_equal(answer_cstr(&o, OUT_CLIENT_ID, "svc-bot"), 0);
	assert_int_equal(answer_cstr(&o, OUT_KEY_ID, "77"), 0);
	assert_int_equal(answer_cstr(&o, OUT_KEY_CONTENT, "{}"), 0);
	for (i = 0; i < N(cases); i++) {
		assert_int_equal(encode(unit_call(cases[i].call), &resp), 0);
		assert_int_equal(resp.status, 200);
		assert_string_equal(resp.content_type, "application/json");
		check_body(&resp, cases[i].want);
		response_free(&resp);
	}
}

static void
test_outcome_escapes_and_limits(void **state)
{
	struct response resp;
	char secret[SECRET_MAX + 1], want[1024];

	(void)state;
	/* A quote, a backslash, a slash and a control character. */
	fixed("a\"b\\c/d\x01" "e");
	value_int(&o.out[OUT_SEQUENCE], -1);	/* UINT64_MAX, as a string */
	o.out[OUT_CREATED].t.nsec = 500000000;
	o.out[OUT_CHANGED].t.nsec = 123456789;
	assert_int_equal(encode(unit_call("RegenerateOIDCClientSecret"), &resp),
	    0);
	snprintf(want, sizeof(want),
	    "{\"clientSecret\":\"%s\",\"details\":{"
	    "\"sequence\":\"18446744073709551615\","
	    "\"creationDate\":\"2026-11-27T10:11:12.500Z\","
	    "\"changeDate\":\"2026-11-27T13:14:15.123456789Z\","
	    "\"resourceOwner\":\"a\\\"b\\\\c/d\\u0001e\"}}", SECRET64);
	check_body(&resp, want);
	response_free(&resp);
	/* The longest secret; a sequence of 0 is still written. */
	memset(secret, 'z', SECRET_MAX);
	secret[SECRET_MAX] = '\0';
	fixed("1");
	assert_int_equal(answer_cstr(&o, OUT_SECRET, secret), 0);
	value_int(&o.out[OUT_SEQUENCE], 0);
	assert_int_equal(encode(unit_call("RegenerateOIDCClientSecret"), &resp),
	    0);
	snprintf(want, sizeof(want),
	    "{\"clientSecret\":\"%s\",\"details\":{\"sequence\":\"0\","
	    "\"creationDate\":\"2026-11-27T10:11:12.123456Z\","
	    "\"changeDate\":\"2026-11-27T13:14:15Z\",\"resourceOwner\":\"1\"}}",
	    secret);
	check_body(&resp, want);
	response_free(&resp);
	/* A time no RFC 3339 year holds: no answer rather than a wrong one. */
	o.out[OUT_CHANGED].t.sec = 253402300800LL;
	assert_int_equal(encode(unit_call("RegenerateOIDCClientSecret"), &resp),
	    -1);
	response_free(&resp);
}

/* --- errors ------------------------------------------------------------ */

/* errors.def's rows: the texts and IDs a body must carry. */
static const struct {
	enum err kind;
	const char *name;
	const char *id;
	const char *text;
} rows[] = {
#define ERR(kind, code, http, id, text, oauth, when) \
	{ ERR_##kind, #kind, id, text },
#include "errors.def"
#undef ERR
};

static void
check_error_body(const struct codec *cd, enum err kind, const char *id,
    const char *text)
{
	struct response resp;
	char want[1024];

	memset(&resp, 0, sizeof(resp));
	assert_int_equal(cd->encode_error(0, NULL, kind, &resp), 0);
	snprintf(want, sizeof(want),
	    "{\"code\":%d,\"message\":\"%s (%s)\",\"details\":[{"
	    "\"@type\":\"type.googleapis.com/zitadel.v1.ErrorDetail\","
	    "\"id\":\"%s\",\"message\":\"%s\"}]}", err_info(kind)->grpc, text,
	    id, id, text);
	if (resp.status != err_http(kind))
		fail_msg("kind %d: HTTP %d, want %d", (int)kind, resp.status,
		    err_http(kind));
	assert_string_equal(resp.content_type, "application/json");
	check_body(&resp, want);
	assert_int_equal(resp.nheader, 0);
	response_free(&resp);
}

static void
test_error_every_kind(void **state)
{
	size_t i;

	(void)state;
	assert_int_equal(N(rows), ERR__COUNT - 1);
	for (i = 0; i < N(rows); i++) {
		check_error_body(&codec_rest, rows[i].kind, rows[i].id,
		    rows[i].text);
		check_error_body(&codec_plain, rows[i].kind, rows[i].id,
		    rows[i].text);
	}
	/* One spelled out, status and all. */
	{
		struct response resp;

		memset(&resp, 0, sizeof(resp));
		assert_int_equal(codec_rest.encode_error(0, NULL,
		    ERR_PERMISSION_DENIED, &resp), 0);
		assert_int_equal(resp.status, 403);
		check_body(&resp, "{\"code\":7,\"message\":\"No matching "
		    "permissions found (AUTH-5mWD2)\",\"details\":[{\"@type\":"
		    "\"type.googleapis.com/zitadel.v1.ErrorDetail\",\"id\":"
		    "\"AUTH-5mWD2\",\"message\":\"No matching permissions "
		    "found\"}]}");
		response_free(&resp);
	}
}

static void
test_error_out_of_range_is_internal(void **state)
{
	(void)state;
	check_error_body(&codec_rest, ERR__COUNT, "OSF-INT01",
	    "internal error");
	check_error_body(&codec_rest, (enum err)-1, "OSF-INT01",
	    "internal error");
}

/* --- the health routes' codec ------------------------------------------- */

static void
test_plain(void **state)
{
	struct response resp;
	struct call k;
	struct media m;

	(void)state;
	assert_string_equal(codec_plain.name, "plain");
	/* Any content type, or none: no body is read. */
	media_parse("application/grpc", &m);
	assert_int_equal(codec_plain.form(&m), 0);
	media_parse(NULL, &m);
	assert_int_equal(codec_plain.form(&m), 0);
	{
		struct request req;

		memset(&req, 0, sizeof(req));
		req.body = (char *)(uintptr_t)"junk";
		req.body_len = 4;
		call_free(&c);
		assert_int_equal(call_init(&c, unit_call("healthz"), 4), 0);
		assert_int_equal(codec_plain.decode(0, &req, &c), ERR_OK);
	}
	memset(&o, 0, sizeof(o));
	assert_int_equal(answer_cstr(&o, OUT_TEXT, "ok\n"), 0);
	memset(&k, 0, sizeof(k));
	k.def = unit_call("healthz");
	memset(&resp, 0, sizeof(resp));
	assert_int_equal(codec_plain.encode(0, &k, &o, &resp), 0);
	assert_int_equal(resp.status, 200);
	assert_string_equal(resp.content_type, "text/plain; charset=utf-8");
	check_body(&resp, "ok\n");
	response_free(&resp);
}

#define T(f) cmocka_unit_test_teardown(f, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_form),
		T(test_decode),
		T(test_outcome_every_call),
		T(test_outcome_escapes_and_limits),
		T(test_error_every_kind),
		T(test_error_out_of_range_is_internal),
		T(test_plain),
	};

	return cmocka_run_group_tests_name("rest", tests, NULL, NULL);
}
