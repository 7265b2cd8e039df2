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
