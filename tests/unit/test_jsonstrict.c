/*
 * test_jsonstrict.c - is a request body one strict JSON object
 * (src/jsonstrict.c, RFC 8259)?
 *
 * Covers: an empty body, white space or one JSON object pass; anything
 * else fails with ERR_BAD_BODY: other JSON values, incomplete text, text
 * after the object, what lax parsers take (single quotes, trailing commas,
 * comments, NaN, leading zeros, bad escapes), raw control characters in
 * strings, invalid, overlong and surrogate UTF-8; nesting bounded by
 * JSON_DEPTH, counting arrays and objects alike; the length given wins
 * over any NUL.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonstrict.h"

/* --- json_check_object ------------------------------------------------- */

static enum err
check(const char *s)
{
	return json_check_object(s, strlen(s));
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
		/* UTF-8 */
		"{\"a\":\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"}",
		"{\"a\":1,\"a\":2}",	/* duplicate keys: ignored fields */
		"{ \"a\" : [ 1 , 2 ] , \"b\" : { } }",
		"{\"\":0}",
		"{\"n\":[0,-0,0.0,-0.5,1e5,1E-5,1.5e+3,"
		    "123456789012345678901234567890]}",
		"{\"s\":\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u00AF "
		    "\\uD83D\\uDE00\"}",
		"{\"a\":[],\"b\":[[]],\"c\":[{}]}",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (check(ok[i]) != ERR_OK)
			fail_msg("refused: %s", ok[i]);
	assert_int_equal(json_check_object(NULL, 0), ERR_OK);
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
	assert_int_equal(json_check_object("{}\0", 3), ERR_BAD_BODY);
	/* The length wins over the NUL terminator. */
	assert_int_equal(json_check_object("{}", 1), ERR_BAD_BODY);
	assert_int_equal(json_check_object("{}xyz", 2), ERR_OK);
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
	/* DEL is allowed */
	assert_int_equal(check("{\"a\":\"\x7f \x20\"}"), ERR_OK);
	assert_int_equal(json_check_object("{\"a\":\"\0\"}", 9), ERR_BAD_BODY);
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
	s = nested(JSON_DEPTH - 1);
	assert_int_equal(check(s), ERR_OK);
	free(s);
	s = nested(JSON_DEPTH);	/* as deep as allowed */
	assert_int_equal(check(s), ERR_OK);
	free(s);
	s = nested(JSON_DEPTH + 1);
	assert_int_equal(check(s), ERR_BAD_BODY);
	free(s);
	s = nested(1000);
	assert_int_equal(check(s), ERR_BAD_BODY);
	free(s);
	/* Arrays count too: the object and JSON_DEPTH arrays in it. */
	{
		char buf[2 * JSON_DEPTH + 16];
		size_t n = 0;
		int i;

		memcpy(buf, "{\"a\":", 5);
		n = 5;
		for (i = 0; i < JSON_DEPTH; i++)
			buf[n++] = '[';
		for (i = 0; i < JSON_DEPTH; i++)
			buf[n++] = ']';
		buf[n++] = '}';
		assert_int_equal(json_check_object(buf, n), ERR_BAD_BODY);
		/* One array fewer fits. */
		memcpy(buf, "{\"a\":", 5);
		n = 5;
		for (i = 0; i < JSON_DEPTH - 1; i++)
			buf[n++] = '[';
		for (i = 0; i < JSON_DEPTH - 1; i++)
			buf[n++] = ']';
		buf[n++] = '}';
		assert_int_equal(json_check_object(buf, n), ERR_OK);
	}
}


/* Each byte as a whole body, and as a string's one character. */
static void
test_every_byte(void **state)
{
	char s[9] = { '{', '"', 'a', '"', ':', '"', 0, '"', '}' };
	int c;

	(void)state;
	for (c = 0; c < 256; c++) {
		int space = c == ' ' || c == '\t' || c == '\r' || c == '\n';
		enum err want;

		s[6] = (char)c;
		if (json_check_object(s + 6, 1) !=
		    (space ? ERR_OK : ERR_BAD_BODY))
			fail_msg("byte 0x%02x alone", c);
		/* Printable ASCII and DEL, but not the quote and the
		 * backslash; no control; no lone byte of 0x80 and up. */
		want = c >= 0x20 && c < 0x80 && c != '"' && c != '\\' ?
		    ERR_OK : ERR_BAD_BODY;
		if (json_check_object(s, sizeof(s)) != want)
			fail_msg("byte 0x%02x in a string", c);
	}
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
		cmocka_unit_test(test_every_byte),
	};

	return cmocka_run_group_tests_name("jsonstrict", tests, NULL, NULL);
}
