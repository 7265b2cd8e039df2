/*
 * test_error.c - the error table (src/error.c).
 *
 * Covers: grpc-gateway's HTTP status for every gRPC code 0..16; the gRPC
 * code and HTTP status of every error kind, each named once in a table
 * indexed by kind (a kind added to error.h without a row here fails); the
 * gRPC code, ID and text of the service's checks, literally as ZITADEL
 * writes them; Connect's code names; that every kind but ERR_OK has an ID
 * and a text; that a kind out of range answers as ERR_INTERNAL; reason
 * phrases.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "error.h"

/* The HTTP status for a gRPC code, as grpc-gateway's HTTPStatusFromCode. */
static void
test_http_from_grpc_all_codes(void **state)
{
	/* Index = gRPC code; 200 for OK and 499 for CANCELLED, as
	 * grpc-gateway gives them. */
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

/* The gRPC code and HTTP status of every kind, indexed by kind. */
static const struct {
	int set;
	int grpc;
	int http;
} kind_status[ERR__COUNT] = {
	[ERR_OK] = { 1, 0, 200 },
	[ERR_AUTH_MISSING] = { 1, 16, 401 },
	[ERR_TOKEN_INVALID] = { 1, 16, 401 },
	[ERR_ORG_NOT_FOUND] = { 1, 7, 403 },
	[ERR_APP_TYPE_UNKNOWN] = { 1, 3, 400 },
	[ERR_ID_MISSING] = { 1, 3, 400 },
	[ERR_ID_MISSING_V2] = { 1, 3, 400 },
	[ERR_INVALID_ARGUMENT] = { 1, 3, 400 },
	[ERR_PERMISSION_DENIED] = { 1, 7, 403 },
	[ERR_APP_NOT_FOUND] = { 1, 5, 404 },
	[ERR_APP_NOT_FOUND_V2] = { 1, 5, 404 },
	[ERR_APP_NOT_OIDC] = { 1, 3, 400 },
	[ERR_APP_NOT_API] = { 1, 3, 400 },
	[ERR_DEADLINE] = { 1, 4, 504 },
	[ERR_UNAVAILABLE] = { 1, 14, 503 },
	[ERR_CONFLICT] = { 1, 14, 503 },
	[ERR_INTERNAL] = { 1, 13, 500 },
	/* The transport's refusals: unknown path 404 (code 5), another
	 * method 405 (code 12), a body over the limit 413 (code 3), a bad
	 * body 400, native gRPC 415 with grpc-status 12. */
	[ERR_ROUTE_NOT_FOUND] = { 1, 5, 404 },
	[ERR_METHOD_NOT_ALLOWED] = { 1, 12, 405 },
	[ERR_BODY_TOO_LARGE] = { 1, 3, 413 },
	[ERR_BAD_BODY] = { 1, 3, 400 },
	[ERR_MEDIA_TYPE] = { 1, 3, 415 },
	[ERR_GRPC_NATIVE] = { 1, 12, 415 },
	[ERR_GRPC_MEDIA_TYPE] = { 1, 3, 415 },
	[ERR_CONNECT_MEDIA_TYPE] = { 1, 3, 415 },
	[ERR_CONNECT_VERSION] = { 1, 3, 400 },
	[ERR_CONNECT_TIMEOUT] = { 1, 3, 400 },
	/* Connect: a compressed body is unimplemented (501). */
	[ERR_COMPRESSED] = { 1, 12, 501 },
	/* The request did not arrive within read_timeout_s. */
	[ERR_READ_TIMEOUT] = { 1, 4, 408 },
	/* The admin tool's kinds. */
	[ERR_NOT_FOUND] = { 1, 5, 404 },
	[ERR_EXISTS] = { 1, 6, 409 },
	[ERR_CONFIG] = { 1, 9, 400 },
	[ERR_SCHEMA_NEWER] = { 1, 9, 400 },
	[ERR_BUSY] = { 1, 10, 409 },
};

static void
test_http_every_kind(void **state)
{
	int k;

	(void)state;
	for (k = 0; k < ERR__COUNT; k++) {
		if (!kind_status[k].set)
			fail_msg("kind %d has no row in this test", k);
		if (err_http((enum err)k) != kind_status[k].http ||
		    err_info((enum err)k)->grpc != kind_status[k].grpc)
			fail_msg("kind %d: HTTP %d gRPC %d, want HTTP %d gRPC "
			    "%d",
			    k, err_http((enum err)k),
			    err_info((enum err)k)->grpc,
			    kind_status[k].http, kind_status[k].grpc);
	}
}

/* The service's checks, with ZITADEL's own texts and IDs. */
static void
test_service_rows_are_zitadels(void **state)
{
	static const struct {
		enum err kind;
		int grpc;
		const char *text;
		const char *id;
	} rows[] = {
		{ ERR_AUTH_MISSING, 16, "auth header missing", "AUTH-7fs1e" },
		{ ERR_APP_TYPE_UNKNOWN, 3, "unknown app type", "APP-aLWIzw" },
		{ ERR_ID_MISSING_V2, 3, "ID missing", "COMMAND-KJ29c" },
		{ ERR_APP_NOT_FOUND_V2, 5, "Application doesn't exist",
		    "COMMAND-Kd92s" },
		{ ERR_APP_NOT_API, 3, "Application is not type API",
		    "COMMAND-aeH4" },
		{ ERR_TOKEN_INVALID, 16, "Token is invalid", "AUTH-7fs1e" },
		{ ERR_ORG_NOT_FOUND, 7, "Organisation doesn't exist",
		    "AUTH-Bs7Ds" },
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

/* Connect's names for the gRPC codes (connectrpc.com, error codes). */
static void
test_connect_code_names(void **state)
{
	static const char *const want[17] = {
		"ok", "canceled", "unknown", "invalid_argument",
		"deadline_exceeded", "not_found", "already_exists",
		"permission_denied", "resource_exhausted",
		"failed_precondition", "aborted", "out_of_range",
		"unimplemented", "internal", "unavailable", "data_loss",
		"unauthenticated",
	};
	int code;

	(void)state;
	/* OK is no error: Connect never names it in an error body. */
	assert_string_equal(err_connect_code(0), "unknown");
	for (code = 1; code <= 16; code++)
		assert_string_equal(err_connect_code(code), want[code]);
	assert_string_equal(err_connect_code(17), "unknown");
	assert_string_equal(err_connect_code(-1), "unknown");
	/* Connect's HTTP status for a code is grpc-gateway's. */
	assert_int_equal(err_http_from_grpc(GRPC_UNIMPLEMENTED), 501);
	assert_int_equal(err_http_from_grpc(GRPC_DEADLINE_EXCEEDED), 504);
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
		{ 405, "Method Not Allowed" }, { 408, "Request Timeout" },
		{ 409, "Conflict" },
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
		cmocka_unit_test(test_service_rows_are_zitadels),
		cmocka_unit_test(test_connect_code_names),
		cmocka_unit_test(test_every_kind_has_id_and_text),
		cmocka_unit_test(test_out_of_range_is_internal),
		cmocka_unit_test(test_reason_phrases),
	};

	return cmocka_run_group_tests_name("error", tests, NULL, NULL);
}
