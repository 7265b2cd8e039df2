/*
 * test_rest.c - the REST codec: grpc-gateway style JSON (src/rest.c).
 *
 * Covers: which content types the codec takes (everything but gRPC's own,
 * as grpc-gateway's "*" marshaler does, so curl -d works); decode: the body
 * must be empty or one strict JSON object, and the path's IDs win over
 * anything in it; the exact bytes of the answer for both v1 calls, with
 * uint64 as a string, RFC 3339 times and JSON escaping; the exact bytes and
 * HTTP status of the error body for every error kind, and for a kind out of
 * range.
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
		"application/grpcx",
		"application/proto",
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
	size_t i;

	(void)state;
	assert_string_equal(codec_rest.name, "rest");
	assert_int_equal(codec_rest.form(NULL), 0);
	for (i = 0; i < sizeof(json) / sizeof(json[0]); i++)
		if (codec_rest.form(json[i]) != 0)
			fail_msg("refused: %s", json[i]);
	for (i = 0; i < sizeof(grpc) / sizeof(grpc[0]); i++)
		if (codec_rest.form(grpc[i]) != -1)
			fail_msg("accepted: %s", grpc[i]);
}

/* --- decode ------------------------------------------------------------ */

static enum err
decode(const char *body, struct call *c)
{
	struct request req;

	memset(&req, 0, sizeof(req));
	req.body = (char *)(uintptr_t)body;
	req.body_len = body != NULL ? strlen(body) : 0;
	return codec_rest.decode(0, &req, c);
}

static void
test_decode(void **state)
{
	static const char *const good[] = {
		NULL, "", " \r\n", "{}", "{\"projectId\":\"other\",\"x\":[1]}",
		"{\"appId\":null}",
	};
	static const char *const bad[] = {
		"[]", "null", "{", "{}x", "{'a':1}", "{\"a\":NaN}", "\"{}\"",
	};
	struct call c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		memset(&c, 0, sizeof(c));
		c.rpc = RPC_V1_OIDC;
		c.project_id.p = "P";
		c.project_id.n = 1;
		c.app_id.p = "A";
		c.app_id.n = 1;
		if (decode(good[i], &c) != ERR_OK)
			fail_msg("refused: %s", good[i] ? good[i] : "(none)");
		/* The path's IDs win: the body changes nothing. */
		assert_int_equal(c.project_id.n, 1);
		assert_memory_equal(c.project_id.p, "P", 1);
		assert_int_equal(c.app_id.n, 1);
		assert_memory_equal(c.app_id.p, "A", 1);
		assert_int_equal(c.msg_kind, MSG_KIND_NONE);
		assert_true(c.deadline_ns == 0);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&c, 0, sizeof(c));
		if (decode(bad[i], &c) != ERR_BAD_BODY)
			fail_msg("accepted: %s", bad[i]);
	}
}

/* --- encode ------------------------------------------------------------ */

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

/* The answer through the codec's table, for call c. */
static int
encode(enum rpc rpc, const struct outcome *o, struct response *resp)
{
	struct call c;

	memset(&c, 0, sizeof(c));
	c.rpc = rpc;
	memset(resp, 0, sizeof(*resp));
	return codec_rest.encode(0, &c, o, resp);
}

static void
test_outcome_exact_bytes(void **state)
{
	struct outcome o;
	struct response resp;

	(void)state;
	fill_outcome(&o, "69629023906488334");
	/* Both v1 calls, OIDC and API apps, answer the same shape. */
	assert_int_equal(encode(RPC_V1_OIDC, &o, &resp), 0);
	assert_int_equal(resp.status, 200);
	assert_string_equal(resp.content_type, "application/json");
	check_body(&resp,
	    "{\"clientSecret\":\"" SECRET64 "\","
	    "\"details\":{\"sequence\":\"7\","
	    "\"creationDate\":\"2026-11-27T10:11:12.123456Z\","
	    "\"changeDate\":\"2026-11-27T13:14:15Z\","
	    "\"resourceOwner\":\"69629023906488334\"}}");
	response_free(&resp);
	assert_int_equal(encode(RPC_V1_API, &o, &resp), 0);
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
	assert_int_equal(encode(RPC_V1_OIDC, &o, &resp), 0);
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
	assert_int_equal(encode(RPC_V1_OIDC, &o, &resp), 0);
	snprintf(want, sizeof(want),
	    "{\"clientSecret\":\"%s\",\"details\":{\"sequence\":\"0\","
	    "\"creationDate\":\"2026-11-27T10:11:12.123456Z\","
	    "\"changeDate\":\"2026-11-27T13:14:15Z\",\"resourceOwner\":\"1\"}}",
	    o.client_secret);
	check_body(&resp, want);
	response_free(&resp);
}

/* --- errors ------------------------------------------------------------ */

static const struct {
	enum err kind;
	int http;
	int code;
	const char *text;
	const char *id;
} errors[] = {
	/* The service's checks, with ZITADEL's texts and IDs. */
	{ ERR_AUTH_MISSING, 401, 16, "auth header missing", "AUTH-7fs1e" },
	{ ERR_APP_TYPE_UNKNOWN, 400, 3, "unknown app type", "APP-aLWIzw" },
	{ ERR_ID_MISSING_V2, 400, 3, "ID missing", "COMMAND-KJ29c" },
	{ ERR_APP_NOT_FOUND_V2, 404, 5, "Application doesn't exist",
	    "COMMAND-Kd92s" },
	{ ERR_APP_NOT_API, 400, 3, "Application is not type API",
	    "COMMAND-aeH4" },
	{ ERR_DEADLINE, 504, 4, "deadline exceeded, nothing changed",
	    "OSF-DL001" },
	{ ERR_CONFLICT, 503, 14, "service unavailable, try again",
	    "OSF-DB001" },
	{ ERR_TOKEN_INVALID, 401, 16, "Token is invalid", "AUTH-7fs1e" },
	{ ERR_ORG_NOT_FOUND, 403, 7, "Organisation doesn't exist",
	    "AUTH-Bs7Ds" },
	{ ERR_ID_MISSING, 400, 3, "ID missing", "COMMAND-99i83" },
	{ ERR_INVALID_ARGUMENT, 400, 3, "invalid argument", "OSF-VAL01" },
	{ ERR_PERMISSION_DENIED, 403, 7, "No matching permissions found",
	    "AUTH-5mWD2" },
	{ ERR_APP_NOT_FOUND, 404, 5, "Application doesn't exist",
	    "COMMAND-2g66f" },
	{ ERR_APP_NOT_OIDC, 400, 3, "Application is not type OIDC",
	    "COMMAND-Ghrh3" },
	{ ERR_UNAVAILABLE, 503, 14, "service unavailable, try again",
	    "OSF-DB001" },
	{ ERR_INTERNAL, 500, 13, "internal error", "OSF-INT01" },
	/* The transport's refusals, texts and IDs as src/error.c names
	 * them. */
	{ ERR_ROUTE_NOT_FOUND, 404, 5, "unknown path", "OSF-RT404" },
	{ ERR_METHOD_NOT_ALLOWED, 405, 12, "method not allowed", "OSF-RT405" },
	{ ERR_BODY_TOO_LARGE, 413, 3, "request body too large", "OSF-RQ413" },
	{ ERR_BAD_BODY, 400, 3, "invalid request body", "OSF-RQ400" },
	{ ERR_MEDIA_TYPE, 415, 3,
	    "gRPC content type on a REST path: use the service path",
	    "OSF-RQ415" },
	{ ERR_GRPC_NATIVE, 415, 12,
	    "native gRPC needs HTTP/2 trailers: use gRPC-web or JSON",
	    "OSF-GW415" },
	{ ERR_GRPC_MEDIA_TYPE, 415, 3,
	    "unsupported content type, use application/grpc-web+proto",
	    "OSF-GWCT1" },
	{ ERR_CONNECT_MEDIA_TYPE, 415, 3, "unsupported content type, use "
	    "application/json or application/proto", "OSF-CN415" },
	{ ERR_CONNECT_VERSION, 400, 3, "connect-protocol-version must be 1",
	    "OSF-CN400" },
	{ ERR_CONNECT_TIMEOUT, 400, 3,
	    "connect-timeout-ms must be 1 to 10 digits", "OSF-CN401" },
	{ ERR_COMPRESSED, 501, 12,
	    "compressed bodies are not supported, use identity", "OSF-CN501" },
	{ ERR_READ_TIMEOUT, 408, 4, "request not received in time",
	    "OSF-RQ408" },
	/* The admin tool's kinds, should one ever reach a codec. */
	{ ERR_NOT_FOUND, 404, 5, "not found", "OSF-AD404" },
	{ ERR_EXISTS, 409, 6, "already exists", "OSF-AD409" },
	{ ERR_CONFIG, 400, 9, "configuration or input files", "OSF-AD400" },
	{ ERR_SCHEMA_NEWER, 400, 9, "database schema newer than this program",
	    "OSF-AD412" },
	{ ERR_BUSY, 409, 10, "another run holds the lock", "OSF-AD423" },
};

static void
check_error_body(enum err kind, int http, int code, const char *text,
    const char *id)
{
	struct response resp;
	char want[1024];

	memset(&resp, 0, sizeof(resp));
	assert_int_equal(rest_encode_error(kind, &resp), 0);
	/* The codec's table gives the same body. */
	{
		struct response again;

		memset(&again, 0, sizeof(again));
		assert_int_equal(codec_rest.encode_error(0, kind, &again), 0);
		assert_int_equal(again.status, resp.status);
		assert_int_equal(again.body_len, resp.body_len);
		assert_memory_equal(again.body, resp.body, resp.body_len);
		response_free(&again);
	}
	snprintf(want, sizeof(want),
	    "{\"code\":%d,\"message\":\"%s (%s)\",\"details\":[{"
	    "\"@type\":\"type.googleapis.com/zitadel.v1.ErrorDetail\","
	    "\"id\":\"%s\",\"message\":\"%s\"}]}", code, text, id, id, text);
	if (resp.status != http)
		fail_msg("kind %d: HTTP %d, want %d", (int)kind, resp.status,
		    http);
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
	/* Every kind but ERR_OK is in the table above, once. */
	assert_int_equal(sizeof(errors) / sizeof(errors[0]), ERR__COUNT - 1);
	for (i = 0; i < sizeof(errors) / sizeof(errors[0]); i++) {
		size_t j;

		assert_int_not_equal(errors[i].kind, ERR_OK);
		for (j = 0; j < i; j++)
			assert_int_not_equal(errors[i].kind, errors[j].kind);
	}
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
		cmocka_unit_test(test_form),
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_outcome_exact_bytes),
		cmocka_unit_test(test_outcome_escapes_and_limits),
		cmocka_unit_test(test_outcome_longest_secret),
		cmocka_unit_test(test_error_every_kind),
		cmocka_unit_test(test_error_out_of_range_is_internal),
	};

	return cmocka_run_group_tests_name("rest", tests, NULL, NULL);
}
