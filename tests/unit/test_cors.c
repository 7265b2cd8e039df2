/*
 * test_cors.c - cross-origin calls from browsers (src/cors.c, the Fetch
 * standard's CORS protocol).
 *
 * Covers: cors_allowed with "*" and with lists (commas and spaces, ASCII
 * case-insensitive, whole origins only: no prefix, suffix or substring
 * matches), no origin or an empty one, control characters and over-long
 * origins refused even under "*" (the origin is echoed in a header); the
 * preflight's exact headers with an allowed origin and without one; the
 * headers every answer to an allowed origin carries; no header ever
 * allows credentials.
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
#include "cors.h"

static int
allowed(const char *list, const char *origin)
{
	struct config cfg;

	config_defaults(&cfg);
	snprintf(cfg.cors_allowed_origins, sizeof(cfg.cors_allowed_origins),
	    "%s", list);
	return cors_allowed(&cfg, origin);
}

static void
test_any_origin(void **state)
{
	struct config cfg;

	(void)state;
	config_defaults(&cfg);
	/* The default, as ZITADEL: any origin. */
	assert_true(cors_allowed(&cfg, "https://console.example.com"));
	assert_true(cors_allowed(&cfg, "http://localhost:3000"));
	assert_true(cors_allowed(&cfg, "null"));
	assert_true(allowed(" * ", "https://a.example"));
	/* No origin: not a CORS request. */
	assert_false(cors_allowed(&cfg, NULL));
	assert_false(cors_allowed(&cfg, ""));
}

static void
test_list(void **state)
{
	static const char list[] =
	    "https://console.example.com, http://localhost:3000 "
	    "HTTPS://B.example";

	(void)state;
	assert_true(allowed(list, "https://console.example.com"));
	assert_true(allowed(list, "http://localhost:3000"));
	assert_true(allowed(list, "https://b.example"));
	assert_true(allowed(list, "HTTPS://CONSOLE.EXAMPLE.COM"));
	/* Whole origins only. */
	assert_false(allowed(list, "https://console.example"));
	assert_false(allowed(list, "https://console.example.com.evil"));
	assert_false(allowed(list, "https://console.example.co"));
	assert_false(allowed(list, "http://localhost:30000"));
	assert_false(allowed(list, "http://localhost"));
	assert_false(allowed(list, "https://console.example.com,"));
	assert_false(allowed(list, "https://b.example http://localhost:3000"));
	assert_false(allowed(list, "http://console.example.com"));
	assert_false(allowed(list, "null"));
	assert_false(allowed(list, "*"));
	assert_false(allowed(list, "https"));
	assert_true(allowed("null", "null"));
}

static void
test_bad_origins_refused(void **state)
{
	char longest[1100];
	static const char *const bad[] = {
		"https://a.example\r\nSet-Cookie: x=1", "https://a.example\n",
		"https://a\tb", "\x01", "https://a.example\x7f",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (allowed("*", bad[i]))
			fail_msg("\"*\" let origin %zu in", i);
		if (allowed(bad[i], bad[i]))
			fail_msg("origin %zu let in by name", i);
	}
	/* 1024 bytes pass, 1025 do not. */
	memcpy(longest, "https://", 8);
	memset(longest + 8, 'a', 1016);
	longest[1024] = '\0';
	assert_true(allowed("*", longest));
	longest[1024] = 'a';
	longest[1025] = '\0';
	assert_false(allowed("*", longest));
}

static const char *
header(const struct response *resp, const char *name)
{
	size_t i;

	for (i = 0; i < resp->nheader; i++)
		if (strcmp(resp->header[i].name, name) == 0)
			return resp->header[i].value;
	return NULL;
}

static void
test_preflight(void **state)
{
	static const char *const want[][2] = {
		{ "Allow", "POST, OPTIONS" },
		{ "Access-Control-Allow-Origin", "https://a.example" },
		{ "Access-Control-Allow-Methods", "POST" },
		{ "Access-Control-Allow-Headers",
		    "authorization, content-type, "
		    "accept, x-zitadel-orgid, x-grpc-web, x-user-agent, "
		    "connect-protocol-version, connect-timeout-ms, "
		    "grpc-timeout" },
		{ "Access-Control-Max-Age", "600" },
		{ "Vary", "Origin, Access-Control-Request-Method, "
		    "Access-Control-Request-Headers" },
	};
	struct response resp;
	size_t i;

	(void)state;
	memset(&resp, 0, sizeof(resp));
	assert_int_equal(cors_preflight(&resp, "https://a.example", "POST"), 0);
	assert_int_equal(resp.status, 204);
	assert_null(resp.body);
	assert_int_equal(resp.nheader, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < resp.nheader; i++) {
		assert_string_equal(resp.header[i].name, want[i][0]);
		assert_string_equal(resp.header[i].value, want[i][1]);
	}
	assert_null(header(&resp, "Access-Control-Allow-Credentials"));
	response_free(&resp);
	/* Without an allowed origin: 204 and Allow only. */
	assert_int_equal(cors_preflight(&resp, NULL, "GET, HEAD"), 0);
	assert_int_equal(resp.status, 204);
	assert_int_equal(resp.nheader, 1);
	assert_string_equal(header(&resp, "Allow"), "GET, HEAD, OPTIONS");
	response_free(&resp);
}

static void
test_answer_headers(void **state)
{
	struct response resp;

	(void)state;
	memset(&resp, 0, sizeof(resp));
	resp.status = 401;
	assert_int_equal(cors_headers(&resp, "http://localhost:3000"), 0);
	assert_int_equal(resp.nheader, 3);
	assert_string_equal(header(&resp, "Access-Control-Allow-Origin"),
	    "http://localhost:3000");
	assert_string_equal(header(&resp, "Vary"), "Origin");
	assert_string_equal(header(&resp, "Access-Control-Expose-Headers"),
	    "grpc-status, grpc-message, grpc-status-details-bin");
	assert_null(header(&resp, "Access-Control-Allow-Credentials"));
	assert_int_equal(resp.status, 401);
	response_free(&resp);
	/* No room left: an error, never a partial set passed as whole. */
	while (resp.nheader < RESPONSE_HEADERS - 1)
		assert_int_equal(response_header(&resp, "X-Fill", "v"), 0);
	assert_int_equal(cors_headers(&resp, "http://a"), -1);
	response_free(&resp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_any_origin),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_bad_origins_refused),
		cmocka_unit_test(test_preflight),
		cmocka_unit_test(test_answer_headers),
	};

	return cmocka_run_group_tests_name("cors", tests, NULL, NULL);
}
