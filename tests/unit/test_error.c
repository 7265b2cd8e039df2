/*
 * test_error.c - the error table (src/error.c) against SPEC section 4.
 *
 * Covers: grpc-gateway's HTTP status for every gRPC code 0..16; the HTTP
 * status of every error kind (405, 413 and 415 where SPEC section 1 names
 * them); the gRPC code, ID and text of the service's checks, literally as
 * SPEC section 4 writes them; that every kind but ERR_OK has an ID and a
 * text; that a kind out of range answers as ERR_INTERNAL; reason phrases.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "error.h"

/* SPEC section 4: "HTTP status from the gRPC code as grpc-gateway maps it". */
static void
test_http_from_grpc_all_codes(void **state)
{
	/* Index = gRPC code.  0 and 1 are not in SPEC's list: grpc-gateway's
	 * HTTPStatusFromCode gives 200 for OK and 499 for CANCELLED. */
	static const int want[17] = {
		200,	/* 0 OK */
		499,	/* 1 CANCELLED */
		500,	/* 2 UNKNOWN */
		400,	/* 3 INVALID_ARGUMENT */
		504,	/* 4 DEADLINE_EXCEEDED */
		404,	/* 5 NOT_FOUND */
		409,	/* 6 ALREADY_EXISTS */
		403,	/* 7 PERMISSION_DENIED */
		429,	/* 8 RESOURCE_EXHAUSTED */
		400,	/* 9 FAILED_PRECONDITION */
		409,	/* 10 ABORTED */
		400,	/* 11 OUT_OF_RANGE */
		501,	/* 12 UNIMPLEMENTED */
		500,	/* 13 INTERNAL */
		503,	/* 14 UNAVAILABLE */
		500,	/* 15 DATA_LOSS */
		401,	/* 16 UNAUTHENTICATED */
	};
	int code;

	(void)state;
	for (code = 0; code <= 16; code++)
		if (err_http_from_grpc(code) != want[code])
			fail_msg("gRPC code %d: HTTP %d, want %d", code,
			    err_http_from_grpc(code), want[code]);
}

static void
test_http_from_grpc_unknown_is_500(void **state)
{
	(void)state;
	assert_int_equal(err_http_from_grpc(17), 500);
	assert_int_equal(err_http_from_grpc(-1), 500);
	assert_int_equal(err_http_from_grpc(1000), 500);
}

/* The HTTP status and gRPC code every kind answers with. */
static const struct {
	enum err kind;
	int grpc;
	int http;
} kind_status[] = {
	{ ERR_OK, 0, 200 },
	{ ERR_AUTH_MISSING, 16, 401 },
	{ ERR_TOKEN_INVALID, 16, 401 },
	{ ERR_ORG_NOT_FOUND, 7, 403 },
	{ ERR_ID_MISSING, 3, 400 },
	{ ERR_INVALID_ARGUMENT, 3, 400 },
	{ ERR_PERMISSION_DENIED, 7, 403 },
	{ ERR_APP_NOT_FOUND, 5, 404 },
	{ ERR_APP_NOT_OIDC, 3, 400 },
	{ ERR_UNAVAILABLE, 14, 503 },
	{ ERR_INTERNAL, 13, 500 },
	/* SPEC section 1: unknown path 404 (code 5); other method 405 (code
	 * 12); body over the limit 413 (code 3); a bad body 400; native gRPC
	 * 415 with grpc-status 12. */
	{ ERR_ROUTE_NOT_FOUND, 5, 404 },
	{ ERR_METHOD_NOT_ALLOWED, 12, 405 },
	{ ERR_BODY_TOO_LARGE, 3, 413 },
	{ ERR_BAD_BODY, 3, 400 },
	{ ERR_MEDIA_TYPE, 3, 415 },
	{ ERR_GRPC_NATIVE, 12, 415 },
	/* gRPC route, content type neither gRPC-web nor native gRPC. */
	{ ERR_GRPC_MEDIA_TYPE, 3, 415 },
};

static void
test_http_every_kind(void **state)
{
	size_t i;

	(void)state;
	assert_int_equal(sizeof(kind_status) / sizeof(kind_status[0]), ERR__COUNT);
	for (i = 0; i < sizeof(kind_status) / sizeof(kind_status[0]); i++) {
		enum err k = kind_status[i].kind;

		if (err_http(k) != kind_status[i].http ||
		    err_info(k)->grpc != kind_status[i].grpc)
			fail_msg("kind %d: HTTP %d gRPC %d, want HTTP %d gRPC %d",
			    (int)k, err_http(k), err_info(k)->grpc,
			    kind_status[i].http, kind_status[i].grpc);
	}
}

/* SPEC section 4's table, literally. */
static void
test_service_rows_match_spec(void **state)
{
	static const struct {
		enum err kind;
		int grpc;
		const char *text;
		const char *id;
	} rows[] = {
		{ ERR_AUTH_MISSING, 16, "auth header missing", "AUTH-7fs1e" },
		{ ERR_TOKEN_INVALID, 16, "Token is invalid", "AUTH-7fs1e" },
		{ ERR_ORG_NOT_FOUND, 7, "Organisation doesn't exist", "AUTH-Bs7Ds" },
		{ ERR_ID_MISSING, 3, "ID missing", "COMMAND-99i83" },
		{ ERR_INVALID_ARGUMENT, 3, "invalid argument", "OSF-VAL01" },
		{ ERR_PERMISSION_DENIED, 7, "No matching permissions found",
		    "AUTH-5mWD2" },
		{ ERR_APP_NOT_FOUND, 5, "Application doesn't exist",
		    "COMMAND-2g66f" },
		{ ERR_APP_NOT_OIDC, 3, "Application is not type OIDC",
		    "COMMAND-Ghrh3" },
		{ ERR_UNAVAILABLE, 14, "service unavailable, try again",
		    "OSF-DB001" },
		{ ERR_INTERNAL, 13, "internal error", "OSF-INT01" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct err_info *e = err_info(rows[i].kind);

		assert_int_equal(e->grpc, rows[i].grpc);
		assert_string_equal(e->text, rows[i].text);
		assert_string_equal(e->id, rows[i].id);
	}
}

static void
test_every_kind_has_id_and_text(void **state)
{
	int k;

	(void)state;
	assert_string_equal(err_info(ERR_OK)->id, "");
	assert_string_equal(err_info(ERR_OK)->text, "");
	assert_int_equal(err_info(ERR_OK)->grpc, 0);
	for (k = ERR_OK + 1; k < ERR__COUNT; k++) {
		const struct err_info *e = err_info((enum err)k);

		assert_non_null(e->id);
		assert_non_null(e->text);
		assert_true(strlen(e->id) > 0);
		assert_true(strlen(e->text) > 0);
		assert_int_not_equal(e->grpc, 0);
		/* The message goes into JSON and a percent-encoded header:
		 * keep it printable ASCII without quotes or backslashes. */
		assert_null(strpbrk(e->text, "\"\\\r\n"));
		assert_null(strpbrk(e->id, "\"\\\r\n ()"));
	}
}

static void
test_out_of_range_is_internal(void **state)
{
	const struct err_info *internal = err_info(ERR_INTERNAL);

	(void)state;
	assert_ptr_equal(err_info(ERR__COUNT), internal);
	assert_ptr_equal(err_info((enum err)(ERR__COUNT + 1)), internal);
	assert_ptr_equal(err_info((enum err)1000), internal);
	assert_ptr_equal(err_info((enum err)-1), internal);
	assert_int_equal(err_http(ERR__COUNT), 500);
	assert_int_equal(err_http((enum err)-1), 500);
	assert_string_equal(err_info((enum err)-1)->id, "OSF-INT01");
}

static void
test_reason_phrases(void **state)
{
	static const struct {
		int status;
		const char *reason;
	} r[] = {
		{ 200, "OK" }, { 400, "Bad Request" }, { 401, "Unauthorized" },
		{ 403, "Forbidden" }, { 404, "Not Found" },
		{ 405, "Method Not Allowed" }, { 409, "Conflict" },
		{ 413, "Content Too Large" },	/* RFC 9110 15.5.14 */
		{ 415, "Unsupported Media Type" }, { 429, "Too Many Requests" },
		{ 500, "Internal Server Error" }, { 501, "Not Implemented" },
		{ 503, "Service Unavailable" }, { 504, "Gateway Timeout" },
	};
	size_t i;
	int k;

	(void)state;
	for (i = 0; i < sizeof(r) / sizeof(r[0]); i++)
		assert_string_equal(err_http_reason(r[i].status), r[i].reason);
	/* Every status a kind can answer with has its own phrase. */
	for (k = ERR_OK + 1; k < ERR__COUNT; k++) {
		int s = err_http((enum err)k);

		if (s != 500)
			assert_string_not_equal(err_http_reason(s),
			    "Internal Server Error");
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_http_from_grpc_all_codes),
		cmocka_unit_test(test_http_from_grpc_unknown_is_500),
		cmocka_unit_test(test_http_every_kind),
		cmocka_unit_test(test_service_rows_match_spec),
		cmocka_unit_test(test_every_kind_has_id_and_text),
		cmocka_unit_test(test_out_of_range_is_internal),
		cmocka_unit_test(test_reason_phrases),
	};

	return cmocka_run_group_tests_name("error", tests, NULL, NULL);
}
