/*
 * ts.c - points in time and RFC 3339 (protobuf JSON's Timestamp form).
 */
#include "ts.h"

#include <stdio.h>
#include <time.h>

struct ts
ts_now(void)
{
	struct timespec now;
	struct ts t;

	clock_gettime(CLOCK_REALTIME, &now);
	t.sec = now.tv_sec;
	t.nsec = (int32_t)(now.tv_nsec / 1000 * 1000);
	return t;
}

int
ts_to_fields(struct ts t, int *year, int *mon, int *day, int *hour,
    int *min, int *sec, long *usec)
{
	struct tm tm;
	time_t s = (time_t)t.sec;

	if (t.nsec < 0 || t.nsec > 999999999 || gmtime_r(&s, &tm) == NULL)
		return -1;
	*year = tm.tm_year + 1900;
	*mon = tm.tm_mon + 1;
	*day = tm.tm_mday;
	*hour = tm.tm_hour;
	*min = tm.tm_min;
	*sec = tm.tm_sec;
	*usec = t.nsec / 1000;
	return 0;
}

struct ts
ts_from_fields(int year, int mon, int day, int hour, int min, int sec,
    long usec)
{
	struct tm tm = { 0 };
	struct ts t;

	tm.tm_year = year - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = day;
	tm.tm_hour = hour;
	tm.tm_min = min;
	tm.tm_sec = sec;
	t.sec = (int64_t)timegm(&tm);
	t.nsec = (int32_t)(usec * 1000);
	return t;
}

int
ts_format(struct ts t, char *out, size_t outlen)
{
	int year, mon, day, hour, min, sec, n;
	long usec;
	char frac[12] = "";

	if (ts_to_fields(t, &year, &mon, &day, &hour, &min, &sec, &usec) != 0 ||
	    year < 1 || year > 9999)
		return -1;
	if (t.nsec == 0)
		frac[0] = '\0';
	else if (t.nsec % 1000000 == 0)
		snprintf(frac, sizeof(frac), ".%03d", (int)(t.nsec / 1000000));
	else if (t.nsec % 1000 == 0)
		snprintf(frac, sizeof(frac), ".%06d", (int)(t.nsec / 1000));
	else
		snprintf(frac, sizeof(frac), ".%09d", (int)t.nsec);
	n = snprintf(out, outlen, "%04d-%02d-%02dT%02d:%02d:%02d%sZ",
	    year, mon, day, hour, min, sec, frac);
	return n > 0 && (size_t)n < outlen ? 0 : -1;
}

/* n digits at s as a number; -1 when one is not a digit. */
static int
digits(const char *s, int n)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static int
days_in(int year, int mon)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return mon == 2 && leap ? 29 : days[mon - 1];
}

int
ts_parse(const char *s, size_t n, struct ts *out)
{
	int year, mon, day, hour, min, sec, off = 0;
	long nsec = 0;
	size_t i = 19, k;
	struct ts t;

	/* RFC 3339 5.6: date-time = full-date "T" full-time */
	if (n < 20 || s[4] != '-' || s[7] != '-' ||
	    (s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':')
		return -1;
	year = digits(s, 4);
	mon = digits(s + 5, 2);
	day = digits(s + 8, 2);
	hour = digits(s + 11, 2);
	min = digits(s + 14, 2);
	sec = digits(s + 17, 2);
	if (year < 1 || mon < 1 || mon > 12 || day < 1 ||
	    day > days_in(year, mon) || hour < 0 || hour > 23 || min < 0 ||
	    min > 59 || sec < 0 || sec > 59)
		return -1;
	if (s[i] == '.') {
		/* 1 to 9 digits: what a Timestamp can hold. */
		for (k = 0, i++; i < n && s[i] >= '0' && s[i] <= '9'; i++, k++)
			if (k < 9)
				nsec = nsec * 10 + (s[i] - '0');
			else
				return -1;
		if (k == 0)
			return -1;
		for (; k < 9; k++)
			nsec *= 10;
	}
	if (i == n - 1 && (s[i] == 'Z' || s[i] == 'z'))
		off = 0;
	else if (i + 6 == n && (s[i] == '+' || s[i] == '-') &&
	    s[i + 3] == ':') {
		int oh = digits(s + i + 1, 2), om = digits(s + i + 4, 2);

		if (oh < 0 || oh > 23 || om < 0 || om > 59)
			return -1;
		off = (oh * 60 + om) * 60 * (s[i] == '+' ? 1 : -1);
	} else
		return -1;
	t = ts_from_fields(year, mon, day, hour, min, sec, 0);
	t.sec -= off;
	/* An offset may carry it out of the years ts_format() writes. */
	if (t.sec < ts_from_fields(1, 1, 1, 0, 0, 0, 0).sec ||
	    t.sec > ts_from_fields(9999, 12, 31, 23, 59, 59, 0).sec)
		return -1;
	t.nsec = (int32_t)nsec;
	*out = t;
	return 0;
}
