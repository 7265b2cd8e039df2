/*
 * test_error.c - the error table (src/error.c) built from src/errors.def.
 *
 * errors.def is the one source of the rows, so this test restates none of
 * them: it reads the same file and checks what must hold of every row.
 * Covers: error.c's table is errors.def's rows, kind for kind; every kind
 * but ERR_OK has a gRPC code, an ID and a text that fit every wire; kinds
 * sharing an ID share the code; the HTTP status is the code's
 * (grpc-gateway's HTTPStatusFromCode, checked for every code 0..16) unless
 * the row names 405, 408, 413 or 415, or is an OAuth endpoint's 400 or
 * 401; every OAuth endpoint's kind has an RFC 6749 5.2 code, 401 exactly
 * for invalid_client, and every kind answers the OAuth endpoints with a
 * registered code; err_message's "text (ID)" and its buffer's bound; a
 * kind out of range answers as ERR_INTERNAL; Connect's code names; the
 * reason phrase of every status a kind can answer with.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "error.h"

#define N(x) (sizeof(x) / sizeof((x)[0]))

/* errors.def's rows, as written there. */
static const struct row {
	enum err kind;
	const char *name;
	int grpc;
	int http;
	const char *id;
	const char *text;
	const char *oauth;
} rows[] = {
#define ERR(kind, code, http, id, text, oauth, when) \
	{ ERR_##kind, #kind, GRPC_##code, http, id, text, oauth },
#include "errors.def"
#undef ERR
};

/* The OAuth endpoints' own kinds: errors.def's ERR_OAUTH_* group. */
static int
is_oauth_kind(const struct row *r)
{
	return strncmp(r->name, "OAUTH_", 6) == 0;
}

/* RFC 6749 4.1.2.1 and 5.2, RFC 6750 3.1: the codes an endpoint answers. */
static int
registered_oauth_code(const char *code)
{
	static const char *const codes[] = {
		"invalid_request", "invalid_client", "invalid_grant",
		"unauthorized_client", "unsupported_grant_type",
		"invalid_scope", "unsupported_response_type",
		"access_denied", "server_error", "temporarily_unavailable",
		"invalid_token", "insufficient_scope",
	};
	size_t i;

	for (i = 0; i < N(codes); i++)
		if (strcmp(code, codes[i]) == 0)
			return 1;
	return 0;
}

static void
test_table_is_errors_def(void **state)
{
	size_t i;

	(void)state;
	/* One row per kind, in the enum's order, after ERR_OK. */
	assert_int_equal(N(rows), ERR__COUNT - 1);
	for (i = 0; i < N(rows); i++) {
		const struct err_info *e = err_info(rows[i].kind);

		if ((size_t)rows[i].kind != i + 1)
			fail_msg("%s is kind %d, row %zu", rows[i].name,
			    (int)rows[i].kind, i + 1);
		if (e->grpc != rows[i].grpc || e->http != rows[i].http ||
		    strcmp(e->id, rows[i].id) != 0 ||
		    strcmp(e->text, rows[i].text) != 0 ||
		    strcmp(e->oauth, rows[i].oauth) != 0)
			fail_msg("%s: error.c's row is not errors.def's",
			    rows[i].name);
	}
	assert_int_equal(err_info(ERR_OK)->grpc, GRPC_OK);
	assert_string_equal(err_info(ERR_OK)->id, "");
	assert_string_equal(err_info(ERR_OK)->text, "");
	assert_int_equal(err_http(ERR_OK), 200);
}

/* printable ASCII without the bytes JSON or a header line would mind */
static int
wire_safe(const char *s, const char *also)
{
	for (; *s != '\0'; s++)
		if (*s < 0x20 || *s > 0x7e || *s == '"' || *s == '\\' ||
		    strchr(also, *s) != NULL)
			return 0;
	return 1;
}

static void
test_every_kind_has_code_id_text(void **state)
{
	size_t i, j;

	(void)state;
	for (i = 0; i < N(rows); i++) {
		const struct err_info *e = err_info(rows[i].kind);

		if (e->grpc <= GRPC_OK || e->grpc > GRPC_UNAUTHENTICATED ||
		    e->id == NULL || e->id[0] == '\0' ||
		    e->text == NULL || e->text[0] == '\0' ||
		    e->oauth == NULL)
			fail_msg("%s: no code, ID or text", rows[i].name);
		/* The message goes into JSON and a percent-encoded header. */
		if (!wire_safe(e->text, "") || !wire_safe(e->id, " ()"))
			fail_msg("%s: ID or text not wire-safe", rows[i].name);
		/* ZITADEL's IDs: a prefix, '-', a suffix. */
		if (strchr(e->id, '-') == NULL || e->id[0] == '-')
			fail_msg("%s: ID \"%s\"", rows[i].name, e->id);
		/* One ID, one meaning: kinds sharing it share the code. */
		for (j = 0; j < i; j++)
			if (strcmp(rows[j].id, e->id) == 0 &&
			    rows[j].grpc != e->grpc)
				fail_msg("%s and %s share %s, not the code",
				    rows[j].name, rows[i].name, e->id);
	}
}

/* The HTTP status for a gRPC code, as grpc-gateway's HTTPStatusFromCode. */
static void
test_http_from_grpc_all_codes(void **state)
{
	/* Index = gRPC code. */
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
	assert_int_equal(err_http_from_grpc(17), 500);
	assert_int_equal(err_http_from_grpc(-1), 500);
	assert_int_equal(err_http_from_grpc(1000), 500);
}

/*
 * A kind answers with its code's status, unless its row names one: the
 * transport's 405, 408, 413 and 415, or an OAuth endpoint's 400 or 401
 * (RFC 6749 5.2).
 */
static void
test_http_is_the_codes_unless_named(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < N(rows); i++) {
		const struct row *r = &rows[i];
		int got = err_http(r->kind);

		if (r->http == 0) {
			if (got != err_http_from_grpc(r->grpc))
				fail_msg("%s: HTTP %d, its code's is %d",
				    r->name, got, err_http_from_grpc(r->grpc));
			continue;
		}
		if (got != r->http)
			fail_msg("%s: HTTP %d, its row names %d", r->name, got,
			    r->http);
		if (r->http == 405 || r->http == 408 || r->http == 413 ||
		    r->http == 415)
			continue;
		if (!is_oauth_kind(r) || (r->http != 400 && r->http != 401))
			fail_msg("%s: names HTTP %d", r->name, r->http);
	}
}

static void
test_oauth_codes(void **state)
{
	size_t i;
	unsigned oauth_kinds = 0;

	(void)state;
	for (i = 0; i < N(rows); i++) {
		const struct row *r = &rows[i];
		const char *code = err_oauth_code(r->kind);

		/* Whatever reaches an OAuth endpoint speaks RFC 6749. */
		if (!registered_oauth_code(code))
			fail_msg("%s: OAuth code \"%s\"", r->name, code);
		if (r->oauth[0] != '\0') {
			if (!registered_oauth_code(r->oauth))
				fail_msg("%s: row's OAuth code \"%s\"",
				    r->name, r->oauth);
			assert_string_equal(code, r->oauth);
		} else
			/* No code of its own: whose fault it is. */
			assert_string_equal(code, err_http(r->kind) >= 500 ?
			    "server_error" : "invalid_request");
		if (!is_oauth_kind(r))
			continue;
		oauth_kinds++;
		if (r->oauth[0] == '\0')
			fail_msg("%s: no OAuth code", r->name);
		/* RFC 6749 5.2: 400, and 401 for invalid_client. */
		if (err_http(r->kind) !=
		    (strcmp(r->oauth, "invalid_client") == 0 ? 401 : 400))
			fail_msg("%s: HTTP %d for %s", r->name,
			    err_http(r->kind), r->oauth);
	}
	assert_true(oauth_kinds > 0);
	/* A bearer token refused: RFC 6750 3.1. */
	assert_string_equal(err_oauth_code(ERR_TOKEN_INVALID), "invalid_token");
	assert_string_equal(err_oauth_code(ERR_INTERNAL), "server_error");
	assert_string_equal(err_oauth_code(ERR__COUNT), "server_error");
}

static void
test_message(void **state)
{
	char out[ERR_MESSAGE_MAX], want[ERR_MESSAGE_MAX + 16];
	size_t i, n;

	(void)state;
	for (i = 0; i < N(rows); i++) {
		snprintf(want, sizeof(want), "%s (%s)", rows[i].text,
		    rows[i].id);
		n = strlen(want);
		/* Every message fits the room every wire gives it. */
		if (n >= ERR_MESSAGE_MAX)
			fail_msg("%s: message of %zu bytes", rows[i].name, n);
		memset(out, 'x', sizeof(out));
		assert_int_equal(err_message(rows[i].kind, out, sizeof(out)),
		    0);
		assert_string_equal(out, want);
		/* Exactly its size with the NUL; a byte less is refused. */
		assert_int_equal(err_message(rows[i].kind, out, n + 1), 0);
		assert_string_equal(out, want);
		assert_int_equal(err_message(rows[i].kind, out, n), -1);
	}
	assert_int_equal(err_message(ERR_INTERNAL, out, 0), -1);
}

static void
test_out_of_range_is_internal(void **state)
{
	const struct err_info *internal = err_info(ERR_INTERNAL);
	char a[ERR_MESSAGE_MAX], b[ERR_MESSAGE_MAX];

	(void)state;
	assert_ptr_equal(err_info(ERR__COUNT), internal);
	assert_ptr_equal(err_info((enum err)(ERR__COUNT + 1)), internal);
	assert_ptr_equal(err_info((enum err)1000), internal);
	assert_ptr_equal(err_info((enum err)-1), internal);
	assert_int_equal(err_http(ERR__COUNT), err_http(ERR_INTERNAL));
	assert_int_equal(err_http((enum err)-1), 500);
	assert_int_equal(err_message((enum err)-1, a, sizeof(a)), 0);
	assert_int_equal(err_message(ERR_INTERNAL, b, sizeof(b)), 0);
	assert_string_equal(a, b);
	/* Every row is in range: none answers as internal by accident. */
	assert_ptr_not_equal(err_info((enum err)(ERR__COUNT - 1)), internal);
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
}

static void
test_reason_phrases(void **state)
{
	/* RFC 9110 15; 499 is nginx's, which grpc-gateway borrows. */
	static const struct {
		int status;
		const char *reason;
	} r[] = {
		{ 200, "OK" }, { 204, "No Content" }, { 400, "Bad Request" },
		{ 401, "Unauthorized" }, { 403, "Forbidden" },
		{ 404, "Not Found" }, { 405, "Method Not Allowed" },
		{ 408, "Request Timeout" }, { 409, "Conflict" },
		{ 413, "Content Too Large" },	/* RFC 9110 15.5.14 */
		{ 415, "Unsupported Media Type" }, { 429, "Too Many Requests" },
		{ 499, "Client Closed Request" },
		{ 500, "Internal Server Error" }, { 501, "Not Implemented" },
		{ 503, "Service Unavailable" }, { 504, "Gateway Timeout" },
	};
	size_t i;
	int code;

	(void)state;
	for (i = 0; i < N(r); i++)
		assert_string_equal(err_http_reason(r[i].status), r[i].reason);
	/* Every status a kind or a code answers with has its own phrase. */
	for (i = 0; i < N(rows); i++) {
		int s = err_http(rows[i].kind);

		if (s != 500 && strcmp(err_http_reason(s),
		    "Internal Server Error") == 0)
			fail_msg("%s: HTTP %d has no phrase", rows[i].name, s);
	}
	for (code = 0; code <= 16; code++) {
		int s = err_http_from_grpc(code);

		if (s != 500)
			assert_string_not_equal(err_http_reason(s),
			    "Internal Server Error");
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_is_errors_def),
		cmocka_unit_test(test_every_kind_has_code_id_text),
		cmocka_unit_test(test_http_from_grpc_all_codes),
		cmocka_unit_test(test_http_is_the_codes_unless_named),
		cmocka_unit_test(test_oauth_codes),
		cmocka_unit_test(test_message),
		cmocka_unit_test(test_out_of_range_is_internal),
		cmocka_unit_test(test_connect_code_names),
		cmocka_unit_test(test_reason_phrases),
	};

	return cmocka_run_group_tests_name("error", tests, NULL, NULL);
}
