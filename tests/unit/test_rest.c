/*
 * test_rest.c - the grpc-gateway style JSON codec (src/rest.c, SPEC
 * sections 1, 3 and 4).
 *
 * Covers: rest_check_body (empty, whitespace or one JSON object pass;
 * anything else, including what RFC 8259 does not call JSON, is ERR_BAD_BODY;
 * nesting bounded by REST_JSON_DEPTH); rest_content_type_ok; the exact bytes
 * of rest_encode_outcome for SPEC section 3's example and its JSON escaping;
 * the exact bytes and HTTP status of rest_encode_error for every error kind.
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

/* calendar.timegm((2026, 11, 27, 10, 11, 12, 0, 0, 0)) and 13:14:15. */
#define T_CREATION INT64_C(1795774272)
#define T_CHANGE INT64_C(1795785255)

#define SECRET64 "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789AB"

/* --- rest_check_body --------------------------------------------------- */

static enum err
check(const char *s)
{
	return rest_check_body(s, strlen(s));
}

static void
test_body_accepts(void **state)
{
	static const char *const ok[] = {
		"",
		" ",
		" \t\r\n ",
		"{}",
		" {} ",
		"\r\n{}\r\n",
		"{ }",
		"{\"projectId\":\"x\",\"other\":[1,2]}",
		"{\"projectId\":\"69629023906488334\",\"appId\":\"1\"}",
		"{\"a\":{\"b\":[true,false,null,-1.5e+3,\"\\u00e9\\n\"]}}",
		"{\"a\":\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"}",	/* UTF-8 */
		"{\"a\":1,\"a\":2}",	/* duplicate keys: ignored fields */
		"{ \"a\" : [ 1 , 2 ] , \"b\" : { } }",
		"{\"\":0}",
		"{\"n\":[0,-0,0.0,-0.5,1e5,1E-5,1.5e+3,123456789012345678901234567890]}",
		"{\"s\":\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u00AF \\uD83D\\uDE00\"}",
		"{\"a\":[],\"b\":[[]],\"c\":[{}]}",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (check(ok[i]) != ERR_OK)
			fail_msg("refused: %s", ok[i]);
	assert_int_equal(rest_check_body(NULL, 0), ERR_OK);
}

static void
test_body_rejects_non_objects(void **state)
{
	static const char *const bad[] = {
		"[]", "[{}]", "null", "1", "0", "-1", "true", "\"s\"", "\"{}\"",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (check(bad[i]) != ERR_BAD_BODY)
			fail_msg("accepted: %s", bad[i]);
}

static void
test_body_rejects_incomplete_and_trailing(void **state)
{
	static const char *const bad[] = {
		"{", "}", "{\"a\"", "{\"a\":", "{\"a\":1", "{\"a\":\"x}",
		"{}x", "{} {}", "{}{}", "{},", "{}]", "{} 1", "x{}",
		"{}\f",			/* form feed is not JSON whitespace */
		"{}\v",
		"\xef\xbb\xbf{}",	/* a BOM is not whitespace either */
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (check(bad[i]) != ERR_BAD_BODY)
			fail_msg("accepted: %s", bad[i]);
	/* A NUL after the object, counted in the length. */
	assert_int_equal(rest_check_body("{}\0", 3), ERR_BAD_BODY);
	/* The length wins over the NUL terminator. */
	assert_int_equal(rest_check_body("{}", 1), ERR_BAD_BODY);
	assert_int_equal(rest_check_body("{}xyz", 2), ERR_OK);
}

/* RFC 8259: the grammar has no single quotes, trailing commas, comments. */
static void
test_body_rejects_json_extensions_syntax(void **state)
{
	static const char *const bad[] = {
		"{\"a\":1,}",
		"{\"a\":[1,2,]}",
		"{,}",
		"{\"a\":1,,\"b\":2}",
		"{a:1}",
		"{\"a\":01}",
		"{\"a\":+1}",
		"{\"a\":.5}",
		"{\"a\":True}",
		"{\"a\":\"\\x41\"}",
		"/*c*/{}",
		"{}//c",
		"{1:2}",
		"{\"a\" 1}",
		"{\"a\":1 \"b\":2}",
		"{\"a\":}",
		"{\"a\"}",
		"{\"a\":-}",
		"{\"a\":-01}",
		"{\"a\":1e+}",
		"{\"a\":0x10}",
		"{\"a\":\"\\u00G0\"}",
		"{\"a\":\"\\u12\"}",
		"{\"a\":\"\\\"}",
		"{\"a\":\"\\",
		"{\"a\":nul}",
		"{\"a\":[}",
		"{\"a\":[1}",
		"{\"a\":{]}",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (check(bad[i]) != ERR_BAD_BODY)
			fail_msg("accepted: %s", bad[i]);
}

static void
test_body_rejects_single_quotes(void **state)
{
	(void)state;
	assert_int_equal(check("{'a':1}"), ERR_BAD_BODY);
	assert_int_equal(check("{\"a\":'x'}"), ERR_BAD_BODY);
}

/* RFC 8259 7: U+0000..U+001F inside a string must be escaped. */
static void
test_body_rejects_raw_control_in_string(void **state)
{
	(void)state;
	assert_int_equal(check("{\"a\":\"\t\"}"), ERR_BAD_BODY);
	assert_int_equal(check("{\"a\":\"\n\"}"), ERR_BAD_BODY);
	assert_int_equal(check("{\"a\":\"\x01\"}"), ERR_BAD_BODY);
	assert_int_equal(check("{\"a\":\"\x1f\"}"), ERR_BAD_BODY);
	assert_int_equal(check("{\"a\x1f\":1}"), ERR_BAD_BODY);
	assert_int_equal(check("{\"a\":\"\x7f \x20\"}"), ERR_OK);	/* DEL is allowed */
	assert_int_equal(rest_check_body("{\"a\":\"\0\"}", 9), ERR_BAD_BODY);
}

/* RFC 8259 6: "Infinity and NaN are not permitted"; "1." is no number. */
static void
test_body_rejects_non_json_numbers(void **state)
{
	(void)state;
	assert_int_equal(check("{\"a\":NaN}"), ERR_BAD_BODY);
	assert_int_equal(check("{\"a\":Infinity}"), ERR_BAD_BODY);
	assert_int_equal(check("{\"a\":-Infinity}"), ERR_BAD_BODY);
	assert_int_equal(check("{\"a\":1.}"), ERR_BAD_BODY);
	assert_int_equal(check("{\"a\":1e}"), ERR_BAD_BODY);
}

static void
test_body_rejects_bad_utf8(void **state)
{
	(void)state;
	assert_int_equal(check("{\"a\":\"\xff\"}"), ERR_BAD_BODY);
	assert_int_equal(check("{\"a\":\"\x80\"}"), ERR_BAD_BODY);
	assert_int_equal(check("{\"a\":\"\xc3\"}"), ERR_BAD_BODY);
	assert_int_equal(check("{\"\xfe\":1}"), ERR_BAD_BODY);
}

/* RFC 3629 3: overlong forms and surrogates are not UTF-8 either. */
static void
test_body_rejects_overlong_and_surrogate_utf8(void **state)
{
	(void)state;
	assert_int_equal(check("{\"a\":\"\xc0\x80\"}"), ERR_BAD_BODY);
	assert_int_equal(check("{\"a\":\"\xe0\x80\xaf\"}"), ERR_BAD_BODY);
	assert_int_equal(check("{\"a\":\"\xed\xa0\x80\"}"), ERR_BAD_BODY);
	assert_int_equal(check("{\"a\":\"\xf4\x90\x80\x80\"}"), ERR_BAD_BODY);
}

/* depth nested objects: {"a":{"a":...1...}} (malloc'd). */
static char *
nested(int depth)
{
	size_t cap = (size_t)depth * 6 + 2, n = 0;
	char *s = malloc(cap);
	int i;

	assert_non_null(s);
	for (i = 0; i < depth; i++) {
		memcpy(s + n, "{\"a\":", 5);
		n += 5;
	}
	s[n++] = '1';
	for (i = 0; i < depth; i++)
		s[n++] = '}';
	s[n] = '\0';
	return s;
}

static void
test_body_nesting_bound(void **state)
{
	char *s;

	(void)state;
	s = nested(2);
	assert_int_equal(check(s), ERR_OK);
	free(s);
	s = nested(REST_JSON_DEPTH - 1);
	assert_int_equal(check(s), ERR_OK);
	free(s);
	s = nested(REST_JSON_DEPTH);	/* as deep as allowed */
	assert_int_equal(check(s), ERR_OK);
	free(s);
	s = nested(REST_JSON_DEPTH + 1);
	assert_int_equal(check(s), ERR_BAD_BODY);
	free(s);
	s = nested(1000);
	assert_int_equal(check(s), ERR_BAD_BODY);
	free(s);
	/* Arrays count too: the object and REST_JSON_DEPTH arrays in it. */
	{
		char buf[2 * REST_JSON_DEPTH + 16];
		size_t n = 0;
		int i;

		memcpy(buf, "{\"a\":", 5);
		n = 5;
		for (i = 0; i < REST_JSON_DEPTH; i++)
			buf[n++] = '[';
		for (i = 0; i < REST_JSON_DEPTH; i++)
			buf[n++] = ']';
		buf[n++] = '}';
		assert_int_equal(rest_check_body(buf, n), ERR_BAD_BODY);
		/* One array fewer fits. */
		memcpy(buf, "{\"a\":", 5);
		n = 5;
		for (i = 0; i < REST_JSON_DEPTH - 1; i++)
			buf[n++] = '[';
		for (i = 0; i < REST_JSON_DEPTH - 1; i++)
			buf[n++] = ']';
		buf[n++] = '}';
		assert_int_equal(rest_check_body(buf, n), ERR_OK);
	}
}

/* --- rest_content_type_ok ---------------------------------------------- */

static void
test_content_type(void **state)
{
	static const char *const ok[] = {
		"application/json",
		"application/json; charset=utf-8",
		"application/json;charset=UTF-8",
		"Application/JSON",
		"application/json\t; x=y",
		"",
	};
	static const char *const bad[] = {
		"application/jsonx",
		"application/json-patch+json",
		"application/grpc-web+proto",
		"application/grpc",
		"application/x-www-form-urlencoded",
		"text/json",
		"text/plain",
		"application/",
		"json",
		"application/jso",
	};
	size_t i;

	(void)state;
	assert_int_equal(rest_content_type_ok(NULL), 1);
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (rest_content_type_ok(ok[i]) != 1)
			fail_msg("refused: %s", ok[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (rest_content_type_ok(bad[i]) != 0)
			fail_msg("accepted: %s", bad[i]);
}

/* --- rest_encode_outcome ----------------------------------------------- */

static void
fill_outcome(struct outcome *o, const char *owner)
{
	memset(o, 0, sizeof(*o));
	snprintf(o->client_secret, sizeof(o->client_secret), "%s", SECRET64);
	o->sequence = 7;
	o->creation_date.sec = T_CREATION;
	o->creation_date.nsec = 123456000;
	o->change_date.sec = T_CHANGE;
	o->change_date.nsec = 0;
	snprintf(o->resource_owner, sizeof(o->resource_owner), "%s", owner);
}

static void
check_body(const struct response *resp, const char *want)
{
	assert_non_null(resp->body);
	assert_int_equal(resp->body_len, strlen(want));
	assert_memory_equal(resp->body, want, strlen(want));
	assert_int_equal(resp->body[resp->body_len], '\0');
}

static void
test_outcome_exact_bytes(void **state)
{
	struct outcome o;
	struct response resp;

	(void)state;
	fill_outcome(&o, "69629023906488334");
	memset(&resp, 0, sizeof(resp));
	assert_int_equal(rest_encode_outcome(&o, &resp), 0);
	assert_int_equal(resp.status, 200);
	assert_string_equal(resp.content_type, "application/json");
	check_body(&resp,
	    "{\"clientSecret\":\"" SECRET64 "\","
	    "\"details\":{\"sequence\":\"7\","
	    "\"creationDate\":\"2026-11-27T10:11:12.123456Z\","
	    "\"changeDate\":\"2026-11-27T13:14:15Z\","
	    "\"resourceOwner\":\"69629023906488334\"}}");
	response_free(&resp);
}

static void
test_outcome_escapes_and_limits(void **state)
{
	struct outcome o;
	struct response resp;
	char want[1024];

	(void)state;
	/* A quote, a backslash, a slash and a control character. */
	fill_outcome(&o, "a\"b\\c/d\x01" "e");
	o.sequence = UINT64_MAX;	/* protobuf JSON: uint64 as a string */
	o.creation_date.nsec = 500000000;
	o.change_date.nsec = 123456789;
	memset(&resp, 0, sizeof(resp));
	assert_int_equal(rest_encode_outcome(&o, &resp), 0);
	snprintf(want, sizeof(want),
	    "{\"clientSecret\":\"%s\",\"details\":{"
	    "\"sequence\":\"18446744073709551615\","
	    "\"creationDate\":\"2026-11-27T10:11:12.500Z\","
	    "\"changeDate\":\"2026-11-27T13:14:15.123456789Z\","
	    "\"resourceOwner\":\"a\\\"b\\\\c/d\\u0001e\"}}", SECRET64);
	check_body(&resp, want);
	response_free(&resp);
}

static void
test_outcome_longest_secret(void **state)
{
	struct outcome o;
	struct response resp;
	char want[1024];

	(void)state;
	fill_outcome(&o, "1");
	memset(o.client_secret, 'z', SECRET_MAX);
	o.client_secret[SECRET_MAX] = '\0';
	o.sequence = 0;
	memset(&resp, 0, sizeof(resp));
	assert_int_equal(rest_encode_outcome(&o, &resp), 0);
	snprintf(want, sizeof(want),
	    "{\"clientSecret\":\"%s\",\"details\":{\"sequence\":\"0\","
	    "\"creationDate\":\"2026-11-27T10:11:12.123456Z\","
	    "\"changeDate\":\"2026-11-27T13:14:15Z\",\"resourceOwner\":\"1\"}}",
	    o.client_secret);
	check_body(&resp, want);
	response_free(&resp);
}

/* --- rest_encode_error ------------------------------------------------- */

static const struct {
	enum err kind;
	int http;
	int code;
	const char *text;
	const char *id;
} errors[] = {
	/* SPEC section 4's rows, literally. */
	{ ERR_AUTH_MISSING, 401, 16, "auth header missing", "AUTH-7fs1e" },
	{ ERR_TOKEN_INVALID, 401, 16, "Token is invalid", "AUTH-7fs1e" },
	{ ERR_ORG_NOT_FOUND, 403, 7, "Organisation doesn't exist", "AUTH-Bs7Ds" },
	{ ERR_ID_MISSING, 400, 3, "ID missing", "COMMAND-99i83" },
	{ ERR_INVALID_ARGUMENT, 400, 3, "invalid argument", "OSF-VAL01" },
	{ ERR_PERMISSION_DENIED, 403, 7, "No matching permissions found",
	    "AUTH-5mWD2" },
	{ ERR_APP_NOT_FOUND, 404, 5, "Application doesn't exist", "COMMAND-2g66f" },
	{ ERR_APP_NOT_OIDC, 400, 3, "Application is not type OIDC",
	    "COMMAND-Ghrh3" },
	{ ERR_UNAVAILABLE, 503, 14, "service unavailable, try again", "OSF-DB001" },
	{ ERR_INTERNAL, 500, 13, "internal error", "OSF-INT01" },
	/* The transport's refusals: codes and statuses from SPEC section 1,
	 * texts and IDs as src/error.c names them. */
	{ ERR_ROUTE_NOT_FOUND, 404, 5, "unknown path", "OSF-RT404" },
	{ ERR_METHOD_NOT_ALLOWED, 405, 12, "method not allowed", "OSF-RT405" },
	{ ERR_BODY_TOO_LARGE, 413, 3, "request body too large", "OSF-RQ413" },
	{ ERR_BAD_BODY, 400, 3, "invalid request body", "OSF-RQ400" },
	{ ERR_MEDIA_TYPE, 415, 3, "unsupported content type, use application/json",
	    "OSF-RQ415" },
	{ ERR_GRPC_NATIVE, 415, 12,
	    "native gRPC needs HTTP/2 trailers: use gRPC-web or JSON", "OSF-GW415" },
	{ ERR_GRPC_MEDIA_TYPE, 415, 3,
	    "unsupported content type, use application/grpc-web+proto", "OSF-GWCT1" },
};

static void
check_error_body(enum err kind, int http, int code, const char *text,
    const char *id)
{
	struct response resp;
	char want[1024];

	memset(&resp, 0, sizeof(resp));
	assert_int_equal(rest_encode_error(kind, &resp), 0);
	snprintf(want, sizeof(want),
	    "{\"code\":%d,\"message\":\"%s (%s)\",\"details\":[{"
	    "\"@type\":\"type.googleapis.com/zitadel.v1.ErrorDetail\","
	    "\"id\":\"%s\",\"message\":\"%s\"}]}", code, text, id, id, text);
	if (resp.status != http)
		fail_msg("kind %d: HTTP %d, want %d", (int)kind, resp.status, http);
	assert_string_equal(resp.content_type, "application/json");
	assert_non_null(resp.body);
	if (resp.body_len != strlen(want) ||
	    memcmp(resp.body, want, resp.body_len) != 0)
		fail_msg("kind %d:\n got  %.*s\n want %s", (int)kind,
		    (int)resp.body_len, resp.body, want);
	response_free(&resp);
}

static void
test_error_every_kind(void **state)
{
	size_t i;

	(void)state;
	/* Every kind but ERR_OK is in the table above. */
	assert_int_equal(sizeof(errors) / sizeof(errors[0]), ERR__COUNT - 1);
	for (i = 0; i < sizeof(errors) / sizeof(errors[0]); i++)
		check_error_body(errors[i].kind, errors[i].http, errors[i].code,
		    errors[i].text, errors[i].id);
}

static void
test_error_out_of_range_is_internal(void **state)
{
	(void)state;
	check_error_body(ERR__COUNT, 500, 13, "internal error", "OSF-INT01");
	check_error_body((enum err)-1, 500, 13, "internal error", "OSF-INT01");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_body_accepts),
		cmocka_unit_test(test_body_rejects_non_objects),
		cmocka_unit_test(test_body_rejects_incomplete_and_trailing),
		cmocka_unit_test(test_body_rejects_json_extensions_syntax),
		cmocka_unit_test(test_body_rejects_single_quotes),
		cmocka_unit_test(test_body_rejects_raw_control_in_string),
		cmocka_unit_test(test_body_rejects_non_json_numbers),
		cmocka_unit_test(test_body_rejects_bad_utf8),
		cmocka_unit_test(test_body_rejects_overlong_and_surrogate_utf8),
		cmocka_unit_test(test_body_nesting_bound),
		cmocka_unit_test(test_content_type),
		cmocka_unit_test(test_outcome_exact_bytes),
		cmocka_unit_test(test_outcome_escapes_and_limits),
		cmocka_unit_test(test_outcome_longest_secret),
		cmocka_unit_test(test_error_every_kind),
		cmocka_unit_test(test_error_out_of_range_is_internal),
	};

	return cmocka_run_group_tests_name("rest", tests, NULL, NULL);
}
