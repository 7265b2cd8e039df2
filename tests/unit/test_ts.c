/*
 * test_ts.c - points in time and their RFC 3339 form (src/ts.c).
 *
 * Covers: ts_format with 0, 3, 6 and 9 fractional digits, the fewest that
 * keep the value, as protobuf's JSON mapping writes a Timestamp; the year
 * bounds 0001..9999; bad nanoseconds and short buffers; ts_from_fields /
 * ts_to_fields against epoch seconds computed independently (Python's
 * calendar.timegm) and round trips; ts_now's microsecond truncation
 * (DATETIME(6)); ts_parse reading what ts_format writes, and refusing a
 * time an offset carries outside years 0001..9999 UTC.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>
#include <time.h>

#include "ts.h"

/* calendar.timegm((2026, 11, 27, 10, 11, 12, 0, 0, 0)) */
#define T_2026_11_27_101112 INT64_C(1795774272)
/* calendar.timegm((1, 1, 1, 0, 0, 0, 0, 0, 0)) */
#define T_0001_01_01 INT64_C(-62135596800)
/* calendar.timegm((9999, 12, 31, 23, 59, 59, 0, 0, 0)) */
#define T_9999_12_31_235959 INT64_C(253402300799)

static void
check_format(int64_t sec, int32_t nsec, const char *want)
{
	struct ts t = { sec, nsec };
	char buf[TS_RFC3339_MAX];

	memset(buf, '#', sizeof(buf));
	assert_int_equal(ts_format(t, buf, sizeof(buf)), 0);
	assert_string_equal(buf, want);
}

static void
test_format_no_fraction(void **state)
{
	(void)state;
	check_format(T_2026_11_27_101112, 0, "2026-11-27T10:11:12Z");
	check_format(0, 0, "1970-01-01T00:00:00Z");
}

static void
test_format_three_digits(void **state)
{
	(void)state;
	check_format(T_2026_11_27_101112, 500000000,
	    "2026-11-27T10:11:12.500Z");
	check_format(T_2026_11_27_101112, 1000000, "2026-11-27T10:11:12.001Z");
	check_format(T_2026_11_27_101112, 120000000,
	    "2026-11-27T10:11:12.120Z");
	check_format(T_2026_11_27_101112, 999000000,
	    "2026-11-27T10:11:12.999Z");
}

static void
test_format_six_digits(void **state)
{
	(void)state;
	check_format(T_2026_11_27_101112, 123456000,
	    "2026-11-27T10:11:12.123456Z");
	check_format(T_2026_11_27_101112, 5000, "2026-11-27T10:11:12.000005Z");
	check_format(T_2026_11_27_101112, 1000, "2026-11-27T10:11:12.000001Z");
	check_format(T_2026_11_27_101112, 100000,
	    "2026-11-27T10:11:12.000100Z");
}

static void
test_format_nine_digits(void **state)
{
	(void)state;
	check_format(T_2026_11_27_101112, 123456789,
	    "2026-11-27T10:11:12.123456789Z");
	check_format(T_2026_11_27_101112, 1, "2026-11-27T10:11:12.000000001Z");
	check_format(T_2026_11_27_101112, 999999999,
	    "2026-11-27T10:11:12.999999999Z");
	check_format(T_2026_11_27_101112, 100,
	    "2026-11-27T10:11:12.000000100Z");
}

/*
 * protobuf's Timestamp covers 0001-01-01T00:00:00Z ..
 * 9999-12-31T23:59:59.999999999Z.
 */
static void
test_format_year_bounds(void **state)
{
	struct ts t;
	char buf[TS_RFC3339_MAX];

	(void)state;
	check_format(T_0001_01_01, 0, "0001-01-01T00:00:00Z");
	check_format(T_9999_12_31_235959, 999999999,
	    "9999-12-31T23:59:59.999999999Z");

	t.sec = T_0001_01_01 - 1;
	t.nsec = 999999999;
	assert_int_equal(ts_format(t, buf, sizeof(buf)), -1);
	t.sec = T_9999_12_31_235959 + 1;
	t.nsec = 0;
	assert_int_equal(ts_format(t, buf, sizeof(buf)), -1);
	t.sec = INT64_MAX;
	assert_int_equal(ts_format(t, buf, sizeof(buf)), -1);
	t.sec = INT64_MIN;
	assert_int_equal(ts_format(t, buf, sizeof(buf)), -1);
}

static void
test_format_bad_nsec(void **state)
{
	struct ts t = { T_2026_11_27_101112, -1 };
	char buf[TS_RFC3339_MAX];

	(void)state;
	assert_int_equal(ts_format(t, buf, sizeof(buf)), -1);
	t.nsec = 1000000000;
	assert_int_equal(ts_format(t, buf, sizeof(buf)), -1);
}

static void
test_format_buffer_bounds(void **state)
{
	struct ts t = { 0, 0 };
	char buf[TS_RFC3339_MAX];

	(void)state;
	/* "1970-01-01T00:00:00Z" is 20 bytes and its NUL. */
	assert_int_equal(ts_format(t, buf, 21), 0);
	assert_string_equal(buf, "1970-01-01T00:00:00Z");
	assert_int_equal(ts_format(t, buf, 20), -1);
	t.nsec = 123456789;
	assert_int_equal(ts_format(t, buf, 31), 0);
	assert_string_equal(buf, "1970-01-01T00:00:00.123456789Z");
	assert_int_equal(ts_format(t, buf, 30), -1);
	/* TS_RFC3339_MAX holds the longest form. */
	t.sec = T_9999_12_31_235959;
	t.nsec = 999999999;
	assert_int_equal(ts_format(t, buf, TS_RFC3339_MAX), 0);
	assert_true(strlen(buf) < TS_RFC3339_MAX);
}

static void
test_from_fields_known_values(void **state)
{
	struct ts t;

	(void)state;
	t = ts_from_fields(2026, 11, 27, 10, 11, 12, 123456);
	assert_int_equal(t.sec, T_2026_11_27_101112);
	assert_int_equal(t.nsec, 123456000);
	t = ts_from_fields(1970, 1, 1, 0, 0, 0, 0);
	assert_int_equal(t.sec, 0);
	assert_int_equal(t.nsec, 0);
	t = ts_from_fields(2024, 2, 29, 23, 59, 59, 999999);	/* leap day */
	assert_int_equal(t.sec, INT64_C(1709251199));
	assert_int_equal(t.nsec, 999999000);
	t = ts_from_fields(1969, 12, 31, 23, 59, 59, 0);
	assert_int_equal(t.sec, -1);
	t = ts_from_fields(1, 1, 1, 0, 0, 0, 0);
	assert_int_equal(t.sec, T_0001_01_01);
	t = ts_from_fields(9999, 12, 31, 23, 59, 59, 0);
	assert_int_equal(t.sec, T_9999_12_31_235959);
}

static void
test_to_fields_known_values(void **state)
{
	struct ts t = { T_2026_11_27_101112, 123456789 };
	int y, mo, d, h, mi, s;
	long us;

	(void)state;
	assert_int_equal(ts_to_fields(t, &y, &mo, &d, &h, &mi, &s, &us), 0);
	assert_int_equal(y, 2026);
	assert_int_equal(mo, 11);
	assert_int_equal(d, 27);
	assert_int_equal(h, 10);
	assert_int_equal(mi, 11);
	assert_int_equal(s, 12);
	assert_int_equal(us, 123456);	/* truncated, not rounded */

	t.sec = -1;
	t.nsec = 0;
	assert_int_equal(ts_to_fields(t, &y, &mo, &d, &h, &mi, &s, &us), 0);
	assert_int_equal(y, 1969);
	assert_int_equal(mo, 12);
	assert_int_equal(d, 31);
	assert_int_equal(h, 23);
	assert_int_equal(mi, 59);
	assert_int_equal(s, 59);
	assert_int_equal(us, 0);

	t.nsec = -1;
	assert_int_equal(ts_to_fields(t, &y, &mo, &d, &h, &mi, &s, &us), -1);
	t.nsec = 1000000000;
	assert_int_equal(ts_to_fields(t, &y, &mo, &d, &h, &mi, &s, &us), -1);
}

static void
test_fields_round_trip(void **state)
{
	static const int f[][7] = {
		{ 1, 1, 1, 0, 0, 0, 0 },
		{ 1969, 12, 31, 23, 59, 59, 999999 },
		{ 1970, 1, 1, 0, 0, 0, 0 },
		{ 2000, 2, 29, 12, 0, 0, 1 },
		{ 2026, 11, 27, 10, 11, 12, 123456 },
		{ 2038, 1, 19, 3, 14, 8, 500000 },	/* past 32-bit time_t */
		{ 2100, 3, 1, 0, 0, 0, 0 },
		{ 9999, 12, 31, 23, 59, 59, 999999 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		struct ts t = ts_from_fields(f[i][0], f[i][1], f[i][2], f[i][3],
		    f[i][4], f[i][5], f[i][6]);
		int y, mo, d, h, mi, s;
		long us;

		assert_int_equal(ts_to_fields(t, &y, &mo, &d, &h, &mi, &s, &us),
		    0);
		if (y != f[i][0] || mo != f[i][1] || d != f[i][2] ||
		    h != f[i][3] || mi != f[i][4] || s != f[i][5] ||
		    us != f[i][6])
			fail_msg("row %zu: %04d-%02d-%02d %02d:%02d:%02d.%06ld",
			    i, y, mo, d, h, mi, s, us);
	}
}

static void
test_now_is_microseconds(void **state)
{
	struct timespec before, after;
	struct ts t;

	(void)state;
	/* The same clock as ts_now(): time() may lag CLOCK_REALTIME. */
	clock_gettime(CLOCK_REALTIME, &before);
	t = ts_now();
	clock_gettime(CLOCK_REALTIME, &after);
	assert_int_equal(t.nsec % 1000, 0);
	assert_in_range(t.nsec, 0, 999999999);
	assert_true(t.sec >= (int64_t)before.tv_sec &&
	    t.sec <= (int64_t)after.tv_sec);
}

/* What ts_format writes, ts_parse reads; its range is the same. */
static void
test_parse_round_trip_and_range(void **state)
{
	static const struct ts times[] = {
		{ T_2026_11_27_101112, 0 }, { T_2026_11_27_101112, 500000000 },
		{ T_2026_11_27_101112, 123456000 }, { T_0001_01_01, 1 },
		{ T_9999_12_31_235959, 999999999 }, { 0, 0 },
	};
	static const char *const outside[] = {
		"0001-01-01T00:00:00+00:01", "0001-01-01T00:59:59+01:00",
		"9999-12-31T23:59:59-00:01", "9999-12-31T23:00:00-01:00",
	};
	char text[TS_RFC3339_MAX];
	struct ts t;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
		assert_int_equal(ts_format(times[i], text, sizeof(text)), 0);
		memset(&t, 0x5a, sizeof(t));
		assert_int_equal(ts_parse(text, strlen(text), &t), 0);
		assert_true(t.sec == times[i].sec);
		assert_int_equal(t.nsec, times[i].nsec);
	}
	/* The ends themselves, reached through an offset. */
	assert_int_equal(ts_parse("0001-01-01T01:00:00+01:00", 25, &t), 0);
	assert_true(t.sec == T_0001_01_01);
	assert_int_equal(ts_parse("9999-12-31T22:59:59-01:00", 25, &t), 0);
	assert_true(t.sec == T_9999_12_31_235959);
	for (i = 0; i < sizeof(outside) / sizeof(outside[0]); i++) {
		t.sec = 42;
		if (ts_parse(outside[i], strlen(outside[i]), &t) != -1)
			fail_msg("accepted: %s", outside[i]);
		assert_true(t.sec == 42);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_no_fraction),
		cmocka_unit_test(test_format_three_digits),
		cmocka_unit_test(test_format_six_digits),
		cmocka_unit_test(test_format_nine_digits),
		cmocka_unit_test(test_format_year_bounds),
		cmocka_unit_test(test_format_bad_nsec),
		cmocka_unit_test(test_format_buffer_bounds),
		cmocka_unit_test(test_from_fields_known_values),
		cmocka_unit_test(test_to_fields_known_values),
		cmocka_unit_test(test_fields_round_trip),
		cmocka_unit_test(test_now_is_microseconds),
		cmocka_unit_test(test_parse_round_trip_and_range),
	};

	return cmocka_run_group_tests_name("ts", tests, NULL, NULL);
}
