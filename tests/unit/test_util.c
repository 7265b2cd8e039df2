/*
 * test_util.c - the shared helpers (src/util.c).
 *
 * Covers: util_decimal on every shape of input (empty, signs, spaces, a
 * length shorter than the string, leading zeros, the exact maximum and one
 * past it, UINT64_MAX and its neighbours, a single digit over a small
 * maximum, an overflow followed by a non-digit, which is BAD and not OVER,
 * *out untouched on failure); util_read_file reading a file whole, its cap,
 * and each errno it documents (ENOENT, ENOTDIR, EACCES as another user,
 * EINVAL for a directory and a device, EFBIG); util_is_control for code
 * points (C0, DEL, C1) and util_has_control for bytes; util_mono_ns moving
 * forward.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <grp.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

#define SENTINEL UINT64_C(0x5a5a5a5a5a5a5a5a)

/* --- util_decimal ------------------------------------------------------ */

static enum decimal
dec(const char *s, uint64_t max, uint64_t *out)
{
	*out = SENTINEL;
	return util_decimal(s, strlen(s), max, out);
}

static void
ok(const char *s, uint64_t max, uint64_t want)
{
	uint64_t v;
	enum decimal d = dec(s, max, &v);

	if (d != DECIMAL_OK || v != want)
		fail_msg("\"%s\" max %llu: %d %llu, want OK %llu", s,
		    (unsigned long long)max, (int)d, (unsigned long long)v,
		    (unsigned long long)want);
}

static void
refused(const char *s, uint64_t max, enum decimal want)
{
	uint64_t v;
	enum decimal d = dec(s, max, &v);

	if (d != want)
		fail_msg("\"%s\" max %llu: %d, want %d", s,
		    (unsigned long long)max, (int)d, (int)want);
	/* Set on DECIMAL_OK only. */
	assert_true(v == SENTINEL);
}

static void
test_decimal_good(void **state)
{
	(void)state;
	ok("0", 0, 0);
	ok("0", 10, 0);
	ok("7", 7, 7);
	ok("10", 10, 10);
	ok("000000000000000000000000000042", 42, 42);
	ok("65535", 65535, 65535);
	ok("9999999999", UINT64_C(9999999999), UINT64_C(9999999999));
	ok("18446744073709551615", UINT64_MAX, UINT64_MAX);
	ok("18446744073709551614", UINT64_MAX, UINT64_MAX - 1);
	ok("1844674407370955161", UINT64_MAX, UINT64_C(1844674407370955161));
}

static void
test_decimal_over(void **state)
{
	(void)state;
	refused("1", 0, DECIMAL_OVER);
	refused("11", 10, DECIMAL_OVER);
	refused("65536", 65535, DECIMAL_OVER);
	refused("10000000000", UINT64_C(9999999999), DECIMAL_OVER);
	refused("18446744073709551616", UINT64_MAX, DECIMAL_OVER);
	refused("18446744073709551620", UINT64_MAX, DECIMAL_OVER);
	refused("99999999999999999999999999999999", UINT64_MAX, DECIMAL_OVER);
	/* One digit, over a maximum below 9: no wrap in max - digit. */
	refused("8", 7, DECIMAL_OVER);
	refused("9", 1, DECIMAL_OVER);
	refused("2", 1, DECIMAL_OVER);
	refused("5", 0, DECIMAL_OVER);
	refused("09", 8, DECIMAL_OVER);
}

static void
test_decimal_bad(void **state)
{
	static const char *const bad[] = {
		"", "-1", "+1", " 1", "1 ", "1.0", "1e3", "0x10", "x", "1_000",
		"\t1", "1\n", "\xd9\xa1",	/* ARABIC-INDIC DIGIT ONE */
	};
	size_t i;
	uint64_t v;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		refused(bad[i], UINT64_MAX, DECIMAL_BAD);
	/* Overflow first, then a byte that is no digit: BAD, not OVER. */
	refused("99999999999999999999999x", UINT64_MAX, DECIMAL_BAD);
	refused("65536x", 65535, DECIMAL_BAD);
	refused("9-", 1, DECIMAL_BAD);
	/* The length counts, not the NUL; a NUL inside is no digit. */
	v = SENTINEL;
	assert_int_equal(util_decimal("123456", 3, 999, &v), DECIMAL_OK);
	assert_true(v == 123);
	assert_int_equal(util_decimal("12\0003", 4, 9999, &v), DECIMAL_BAD);
	assert_int_equal(util_decimal("12", 0, 99, &v), DECIMAL_BAD);
}

/* --- util_read_file ---------------------------------------------------- */

static char tmpdir[512];

static int
make_tmpdir(void **state)
{
	const char *t = getenv("TMPDIR");

	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "%s/oidc-secret-util-XXXXXX",
	    t != NULL && t[0] != '\0' ? t : "/tmp");
	if (mkdtemp(tmpdir) == NULL || chmod(tmpdir, 0755) != 0)
		return -1;
	return 0;
}

static int
remove_tmpdir(void **state)
{
	(void)state;
	return rmdir(tmpdir);
}

static void
write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	if (len > 0)
		assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void
test_read_file_whole(void **state)
{
	static const char data[] = "key = value\n\0binary\xff";
	char path[600], *buf = (char *)1;
	size_t len = 99;

	(void)state;
	snprintf(path, sizeof(path), "%s/whole", tmpdir);
	write_file(path, data, sizeof(data) - 1);
	assert_int_equal(util_read_file(path, 1024, &buf, &len), 0);
	assert_int_equal(len, sizeof(data) - 1);
	assert_memory_equal(buf, data, len);
	assert_int_equal(buf[len], '\0');
	free(buf);
	/* Exactly at the cap, then one byte over it. */
	assert_int_equal(util_read_file(path, sizeof(data) - 1, &buf, &len), 0);
	free(buf);
	assert_int_equal(util_read_file(path, sizeof(data) - 2, &buf, &len),
	    EFBIG);
	assert_null(buf);
	assert_int_equal(len, 0);
	/* An empty file is an empty string. */
	write_file(path, "", 0);
	assert_int_equal(util_read_file(path, 0, &buf, &len), 0);
	assert_non_null(buf);
	assert_int_equal(len, 0);
	assert_string_equal(buf, "");
	free(buf);
	assert_int_equal(unlink(path), 0);
}

static void
test_read_file_errors(void **state)
{
	char path[600], *buf = (char *)1;
	size_t len = 99;

	(void)state;
	snprintf(path, sizeof(path), "%s/missing", tmpdir);
	assert_int_equal(util_read_file(path, 100, &buf, &len), ENOENT);
	assert_null(buf);
	assert_int_equal(len, 0);
	/* A directory, and a device: not regular files. */
	assert_int_equal(util_read_file(tmpdir, 100, &buf, &len), EINVAL);
	assert_null(buf);
	assert_int_equal(util_read_file("/dev/null", 100, &buf, &len), EINVAL);
	/* A file used as a directory. */
	snprintf(path, sizeof(path), "%s/plain", tmpdir);
	write_file(path, "x", 1);
	{
		char below[700];

		snprintf(below, sizeof(below), "%s/below", path);
		assert_int_equal(util_read_file(below, 100, &buf, &len),
		    ENOTDIR);
	}
	assert_int_equal(unlink(path), 0);
}

/*
 * A file the process may not read: EACCES.  Root reads everything, so a
 * child drops to nobody first; it reports through its exit code.
 */
static void
test_read_file_eacces(void **state)
{
	char path[600];
	int status;
	pid_t pid;

	(void)state;
	snprintf(path, sizeof(path), "%s/private", tmpdir);
	write_file(path, "secret", 6);
	assert_int_equal(chmod(path, geteuid() == 0 ? 0600 : 0), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char *buf = NULL;
		size_t len = 0;
		int e;

		if (geteuid() == 0 && (setgroups(0, NULL) != 0 ||
		    setgid(65534) != 0 || setuid(65534) != 0))
			_exit(100);
		e = util_read_file(path, 100, &buf, &len);
		_exit(e == EACCES && buf == NULL ? 0 : e > 0 && e < 100 ? e :
		    101);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) != 0)
		fail_msg("child: %d (EACCES is %d)", WEXITSTATUS(status),
		    EACCES);
	assert_int_equal(unlink(path), 0);
}

/* --- control characters ------------------------------------------------ */

static void
test_is_control(void **state)
{
	unsigned long cp;

	(void)state;
	for (cp = 0; cp < 0x20; cp++)
		assert_true(util_is_control(cp));
	for (cp = 0x20; cp < 0x7f; cp++)
		assert_false(util_is_control(cp));
	for (cp = 0x7f; cp <= 0x9f; cp++)
		assert_true(util_is_control(cp));
	assert_false(util_is_control(0xa0));
	assert_false(util_is_control(0xad));	/* soft hyphen: Cf, not Cc */
	assert_false(util_is_control(0x2028));	/* line separator: Zl */
	assert_false(util_is_control(0xfeff));
	assert_false(util_is_control(0x10ffff));
}

static void
test_has_control(void **state)
{
	char s[2];
	int c;

	(void)state;
	assert_false(util_has_control("", 0));
	assert_false(util_has_control("plain text ~", 12));
	/* Every C0 byte and DEL, at the start, in the middle, at the end. */
	for (c = 0; c < 0x20; c++) {
		char buf[4] = { 'a', (char)c, 'b', '\0' };

		assert_true(util_has_control(buf, 3));
		assert_true(util_has_control(buf + 1, 1));
	}
	assert_true(util_has_control("a\x7f", 2));
	/* Bytes of 0x80 and up are UTF-8, not C1: judged by code point. */
	for (c = 0x80; c < 0x100; c++) {
		s[0] = (char)c;
		assert_false(util_has_control(s, 1));
	}
	/* The length counts: a control after it is not seen. */
	assert_false(util_has_control("ab\n", 2));
	assert_true(util_has_control("ab\0", 3));
}

static void
test_mono_ns(void **state)
{
	struct timespec pause = { 0, 2000000 };
	int64_t a, b;

	(void)state;
	a = util_mono_ns();
	assert_true(a > 0);
	nanosleep(&pause, NULL);
	b = util_mono_ns();
	assert_true(b - a >= 2000000);
	assert_true(b - a < INT64_C(10000000000));
}

/* Every byte: its hex value for 0-9, a-f, A-F, and -1 for the rest. */
static void
test_hexval(void **state)
{
	const char *digits = "0123456789abcdef", *upper = "ABCDEF";
	int c;

	(void)state;
	for (c = 0; c < 256; c++) {
		const char *d = c != 0 ? strchr(digits, c) : NULL;
		const char *u = c != 0 ? strchr(upper, c) : NULL;
		int want = d != NULL ? (int)(d - digits) :
		    u != NULL ? 10 + (int)(u - upper) : -1;

		assert_int_equal(util_hexval((char)c), want);
	}
}

/* A digest's slot is its first byte's value modulo the slots. */
static void
test_digest_slot(void **state)
{
	(void)state;
	assert_int_equal(util_digest_slot("00ff", 64), 0);
	assert_int_equal(util_digest_slot("4a00", 64), 0x4a % 64);
	assert_int_equal(util_digest_slot("ff00", 64), 63);
	assert_int_equal(util_digest_slot("ff00", 256), 255);
	assert_int_equal(util_digest_slot("9b", 1), 0);
}

/* A kind in range is its row; one out of range, the fallback's. */
static void
test_reason(void **state)
{
	static const struct reason table[] = {
		{ "ok", "ok" }, { "bad", "bad input" }, { "error", "internal" },
	};

	(void)state;
	assert_string_equal(util_reason(table, 3, 1, 2)->text, "bad input");
	assert_string_equal(util_reason(table, 3, 3, 2)->reason, "error");
	assert_string_equal(util_reason(table, 3, ~0u, 2)->text, "internal");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decimal_good),
		cmocka_unit_test(test_decimal_over),
		cmocka_unit_test(test_decimal_bad),
		cmocka_unit_test(test_read_file_whole),
		cmocka_unit_test(test_read_file_errors),
		cmocka_unit_test(test_read_file_eacces),
		cmocka_unit_test(test_is_control),
		cmocka_unit_test(test_has_control),
		cmocka_unit_test(test_mono_ns),
		cmocka_unit_test(test_hexval),
		cmocka_unit_test(test_digest_slot),
		cmocka_unit_test(test_reason),
	};

	return cmocka_run_group_tests_name("util", tests, make_tmpdir,
	    remove_tmpdir);
}
