/*
 * ts.h - points in time, UTC, and their RFC 3339 form (protobuf JSON).
 */
#ifndef OIDC_SECRET_TS_H
#define OIDC_SECRET_TS_H

#include <stddef.h>
#include <stdint.h>

struct ts {
	int64_t sec;		/* since 1970-01-01T00:00:00Z */
	int32_t nsec;		/* 0 .. 999999999 */
};

#define TS_RFC3339_MAX 40

/* Now, truncated to microseconds: what DATETIME(6) stores. */
struct ts ts_now(void);

/*
 * "2026-11-27T13:14:15Z", ".500Z", ".123456Z" or ".123456789Z": 0, 3, 6 or 9
 * fractional digits, the fewest that keep the value, as protobuf's JSON
 * mapping of google.protobuf.Timestamp writes them.  -1 outside years
 * 0001..9999.
 */
int ts_format(struct ts t, char *out, size_t outlen);

/*
 * An RFC 3339 date-time (section 5.6: "Z" or a numeric offset, 1 to 9
 * fractional digits) in s[0..n) into *out; -1 when it is not one, or when
 * its offset takes it out of years 0001..9999 UTC (a Timestamp's range).
 */
int ts_parse(const char *s, size_t n, struct ts *out);

/* Broken-down UTC time <-> struct ts (for the database's DATETIME). */
struct ts ts_from_fields(int year, int mon, int day, int hour, int min,
    int sec, long usec);
int ts_to_fields(struct ts t, int *year, int *mon, int *day, int *hour,
    int *min, int *sec, long *usec);

#endif
