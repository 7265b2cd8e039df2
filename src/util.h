/*
 * util.h - the few helpers every module shares: decimal numbers, a bounded
 * file read, control characters, the monotonic clock, refusal tables.
 */
#ifndef OIDC_SECRET_UTIL_H
#define OIDC_SECRET_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* What util_decimal() found. */
enum decimal {
	DECIMAL_OK,
	DECIMAL_BAD,		/* empty, or a byte that is not 0-9 */
	DECIMAL_OVER		/* digits only, but more than max */
};

/*
 * The whole of s[0..n) as a decimal number of at most max: 1*DIGIT, no
 * sign, no space (RFC 3875's CONTENT_LENGTH, our configuration, the PHC
 * string's parameters, Connect's timeout).  *out is set on DECIMAL_OK only.
 */
enum decimal util_decimal(const char *s, size_t n, uint64_t max,
    uint64_t *out);

/*
 * Reads the regular file at path, at most max bytes, into a malloc'd,
 * NUL-terminated buffer.  Returns 0, or an errno value: ENOENT, EACCES and
 * the like from open(2), EFBIG when over max, EINVAL when not a regular
 * file, ENOMEM, EIO.  The caller frees *buf (and wipes it first when it
 * may hold a password).
 */
int util_read_file(const char *path, size_t max, char **buf, size_t *len);

/* A refusal's word for the log and its text for the client. */
struct reason {
	const char *reason, *text;
};

/* table[kind] of its n rows; table[fallback] for a kind out of range. */
const struct reason *util_reason(const struct reason *table, size_t n,
    unsigned kind, unsigned fallback);
#define UTIL_REASON(table, kind, fallback)				\
	util_reason((table), sizeof(table) / sizeof((table)[0]),	\
	    (unsigned)(kind), (fallback))

/* A hexadecimal digit's value (either case), or -1. */
int util_hexval(char c);

/* One of n cache slots for a hex digest: its first byte, modulo n. */
unsigned util_digest_slot(const char *hex, unsigned n);

/* 1 for a control code point: C0, DEL or C1 (Unicode category Cc). */
int util_is_control(unsigned long cp);

/* 1 when s[0..n) holds a C0 byte or DEL. */
int util_has_control(const char *s, size_t n);

/* CLOCK_MONOTONIC in nanoseconds. */
int64_t util_mono_ns(void);

#endif
