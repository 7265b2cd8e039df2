/*
 * test_media.c - a Content-Type header's media type (src/media.c).
 *
 * Covers: no header; type and subtype lowercased (RFC 9110 8.3.1: they are
 * case-insensitive), white space before and around the parameters; what
 * is malformed (empty, no '/', over MEDIA_TYPE_MAX) and the longest type
 * kept; the charset parameter: UTF-8 in any case, quoted or not, among
 * other parameters, is not foreign, anything else is; media_is and
 * media_has_prefix.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "media.h"

#define N(x) (sizeof(x) / sizeof((x)[0]))

static void
test_absent(void **state)
{
	struct media m;

	(void)state;
	memset(&m, 0x5a, sizeof(m));
	media_parse(NULL, &m);
	assert_string_equal(m.type, "");
	assert_int_equal(m.malformed, 0);
	assert_int_equal(m.foreign_charset, 0);
	assert_true(media_is(&m, ""));
	assert_false(media_is(&m, "application/json"));
	assert_true(media_has_prefix(&m, ""));
	assert_false(media_has_prefix(&m, "application/"));
}

static void
test_types(void **state)
{
	static const struct {
		const char *header;
		const char *type;
	} cases[] = {
		{ "application/json", "application/json" },
		{ "Application/JSON", "application/json" },
		{ "  application/json", "application/json" },
		{ "\tapplication/proto", "application/proto" },
		{ "application/json; charset=utf-8", "application/json" },
		{ "application/json;charset=utf-8", "application/json" },
		{ "application/json ;charset=utf-8", "application/json" },
		{ "application/grpc-web+proto", "application/grpc-web+proto" },
		{ "APPLICATION/GRPC-WEB-TEXT", "application/grpc-web-text" },
		{ "application/x-www-form-urlencoded;charset=UTF-8",
		    "application/x-www-form-urlencoded" },
		{ "text/plain ", "text/plain" },
		{ "a/b", "a/b" },
	};
	struct media m;
	size_t i;

	(void)state;
	for (i = 0; i < N(cases); i++) {
		media_parse(cases[i].header, &m);
		if (m.malformed || strcmp(m.type, cases[i].type) != 0)
			fail_msg("\"%s\": \"%s\" malformed=%d", cases[i].header,
			    m.type, m.malformed);
		assert_true(media_is(&m, cases[i].type));
	}
}

static void
test_malformed(void **state)
{
	static const char *const bad[] = {
		"", " ", "\t", "json", "application", ";charset=utf-8",
		" ; a/b", "application json",
	};
	char longest[MEDIA_TYPE_MAX + 8];
	struct media m;
	size_t i;

	(void)state;
	for (i = 0; i < N(bad); i++) {
		memset(&m, 0x5a, sizeof(m));
		media_parse(bad[i], &m);
		if (!m.malformed || m.type[0] != '\0')
			fail_msg("\"%s\": \"%s\" accepted", bad[i], m.type);
		assert_int_equal(m.foreign_charset, 0);
	}
	/* The longest type that fits is kept; one more byte is malformed. */
	memset(longest, 'x', sizeof(longest));
	longest[0] = 'a';
	longest[1] = '/';
	longest[MEDIA_TYPE_MAX - 1] = '\0';
	media_parse(longest, &m);
	assert_int_equal(m.malformed, 0);
	assert_int_equal(strlen(m.type), MEDIA_TYPE_MAX - 1);
	longest[MEDIA_TYPE_MAX - 1] = 'x';
	longest[MEDIA_TYPE_MAX] = '\0';
	media_parse(longest, &m);
	assert_int_equal(m.malformed, 1);
	assert_string_equal(m.type, "");
	/* Parameters do not count against it. */
	longest[MEDIA_TYPE_MAX - 1] = ';';
	media_parse(longest, &m);
	assert_int_equal(m.malformed, 0);
}

static void
test_charset(void **state)
{
	static const char *const utf8[] = {
		"application/json",
		"application/json; charset=utf-8",
		"application/json; charset=UTF-8",
		"application/json;charset=Utf-8",
		"application/json; charset=\"utf-8\"",
		"application/json; Charset=utf-8",
		"application/json; charset=utf-8; x=y",
		"application/json; x=y; charset=utf-8",
		"application/json; charset=utf-8 ",
		"application/json; boundary=charset",
		"application/json; xcharset=latin1",
	};
	static const char *const foreign[] = {
		"application/json; charset=latin1",
		"application/json; charset=iso-8859-1",
		"application/json; charset=utf-16",
		"application/json; charset=utf8",
		"application/json; charset=utf-8x",
		"application/json; charset=\"utf-16\"",
		"application/json; charset=",
		"application/json; x=y; charset=us-ascii",
		"application/json; charset=utf-8; charset=latin1",
	};
	struct media m;
	size_t i;

	(void)state;
	for (i = 0; i < N(utf8); i++) {
		media_parse(utf8[i], &m);
		if (m.malformed || m.foreign_charset)
			fail_msg("\"%s\": foreign", utf8[i]);
		assert_string_equal(m.type, "application/json");
	}
	for (i = 0; i < N(foreign); i++) {
		media_parse(foreign[i], &m);
		if (m.malformed || !m.foreign_charset)
			fail_msg("\"%s\": not foreign", foreign[i]);
		assert_string_equal(m.type, "application/json");
	}
}

static void
test_is_and_prefix(void **state)
{
	struct media m;

	(void)state;
	media_parse("Application/Grpc+Proto; x=1", &m);
	assert_true(media_is(&m, "application/grpc+proto"));
	assert_false(media_is(&m, "application/grpc"));
	assert_false(media_is(&m, "application/grpc+proto; x=1"));
	assert_true(media_has_prefix(&m, "application/grpc"));
	assert_true(media_has_prefix(&m, "application/grpc+"));
	assert_false(media_has_prefix(&m, "application/grpc-"));
	assert_false(media_has_prefix(&m, "application/grpc+proto2"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_absent),
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_charset),
		cmocka_unit_test(test_is_and_prefix),
	};

	return cmocka_run_group_tests_name("media", tests, NULL, NULL);
}
