/*
 * test_pbwire.c - protobuf's binary wire format over the message tables
 * (src/pbwire.c), byte by byte (protobuf.dev, "Encoding").
 *
 * test_proto.c checks pbwire against protobuf-c for well-formed messages;
 * this one feeds it the bytes a careful reader must refuse or skip.
 * Decode covers: an empty message; strings and bytes pointing into the
 * input, NULs kept; a field given twice, the last winning; a oneof's last
 * member winning, a member false still set; any non-zero varint a true
 * bool; an int32's ten-byte negative form; an enum number with no name;
 * unknown fields of every wire type skipped, and cut short refused;
 * groups, wire types 6 and 7, field number 0 and above 2^29-1 refused; a
 * known field of the wrong wire type refused; varints of ten bytes, of
 * eleven, with a tenth byte over 1, cut short; a length past the end; a
 * Timestamp merged from two, with unknown fields, at its range's ends and
 * past them, with negative or too many nanoseconds, a field of the wrong
 * wire type inside it.  Encode covers: zero values and empty strings left
 * out; the fewest bytes for each varint; a negative int32 in ten bytes; a
 * Timestamp of zero an empty message; fields without a number (F_WORDS,
 * OAuth's) never written; pbwire_encode_to exactly at the size and a byte
 * under it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "messages.h"
#include "pbwire.h"

#define N(x) (sizeof(x) / sizeof((x)[0]))

#define SLOTS ((int)OUT__COUNT > (int)ARG__COUNT ? (int)OUT__COUNT : \
	(int)ARG__COUNT)

static struct value v[SLOTS];

static int
decode(const struct message *m, const void *p, size_t n)
{
	memset(v, 0, sizeof(v));
	return pbwire_decode(m, p, n, v);
}

#define DECODE(m, bytes) decode(m, bytes, sizeof(bytes))

static void
assert_slice(unsigned slot, const void *want, size_t n)
{
	assert_true(v[slot].set);
	assert_int_equal(v[slot].s.n, n);
	if (n > 0)
		assert_memory_equal(v[slot].s.p, want, n);
}

/* --- decode ------------------------------------------------------------- */

static void
test_decode_fields(void **state)
{
	/* project_id "P\0p", application_id "" */
	static const unsigned char m[] = {
		0x0a, 0x03, 'P', 0, 'p', 0x12, 0x00,
	};
	static const unsigned char twice[] = {
		0x0a, 0x01, 'x', 0x12, 0x01, 'a', 0x0a, 0x02, 'y', 'z',
	};
	static const unsigned char nothing[] = { 0 };
	unsigned slot;

	(void)state;
	assert_int_equal(DECODE(&m_v2beta_regen_req, m), 0);
	assert_slice(ARG_PROJECT_ID, "P\0p", 3);
	/* A value points into the input: nothing is copied. */
	assert_ptr_equal(v[ARG_PROJECT_ID].s.p, (const char *)m + 2);
	/* An empty string on the wire is set, and empty. */
	assert_slice(ARG_APP_ID, "", 0);
	/* The last of a field given twice wins (proto3). */
	assert_int_equal(DECODE(&m_v2beta_regen_req, twice), 0);
	assert_slice(ARG_PROJECT_ID, "yz", 2);
	assert_slice(ARG_APP_ID, "a", 1);
	/* Nothing at all: every field absent. */
	assert_int_equal(decode(&m_v2beta_regen_req, nothing, 0), 0);
	for (slot = 0; slot < SLOTS; slot++)
		assert_false(v[slot].set);
	assert_int_equal(decode(&m_v2beta_regen_req, NULL, 0), 0);
}

static void
test_decode_varints(void **state)
{
	/* is_oidc = 0x80 0x01 (128): true */
	static const unsigned char bool_long[] = { 0x18, 0x80, 0x01 };
	/* oneof: is_oidc true, then is_api false: is_api, set and false */
	static const unsigned char oneof[] = { 0x18, 0x01, 0x20, 0x00 };
	static const unsigned char oneof_back[] = {
		0x20, 0x01, 0x18, 0x01,
	};
	/* type = 7: an enum number no name has */
	static const unsigned char enum7[] = { 0x10, 0x07 };
	/* google.rpc.Status code = -2 as int32: ten bytes */
	static const unsigned char minus2[] = {
		0x08, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0x01,
	};
	/* the same number in five bytes (an int32 writer may) */
	static const unsigned char minus2_short[] = {
		0x08, 0xfe, 0xff, 0xff, 0xff, 0x0f,
	};
	/* a varint of ten bytes, all 64 bits */
	static const unsigned char max64[] = {
		0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0x01,
	};
	/* non-minimal: 1 as 0x81 0x00 is still 1 */
	static const unsigned char padded[] = { 0x10, 0x81, 0x00 };

	(void)state;
	assert_int_equal(DECODE(&m_v2beta_regen_req, bool_long), 0);
	assert_int_equal(v[ARG_IS_OIDC].i, 1);
	assert_int_equal(DECODE(&m_v2beta_regen_req, oneof), 0);
	assert_false(v[ARG_IS_OIDC].set);
	assert_true(v[ARG_IS_API].set);
	assert_int_equal(v[ARG_IS_API].i, 0);
	assert_int_equal(DECODE(&m_v2beta_regen_req, oneof_back), 0);
	assert_true(v[ARG_IS_OIDC].set);
	assert_false(v[ARG_IS_API].set);
	assert_int_equal(DECODE(&m_v1_add_key_req, enum7), 0);
	assert_int_equal(v[ARG_KEY_TYPE].i, 7);
	assert_int_equal(DECODE(&m_status, minus2), 0);
	assert_int_equal((int32_t)v[OUT_ERR_CODE].i, -2);
	assert_int_equal(DECODE(&m_status, minus2_short), 0);
	assert_int_equal((int32_t)v[OUT_ERR_CODE].i, -2);
	assert_int_equal(DECODE(&m_v1_add_key_req, max64), 0);
	assert_true((uint64_t)v[ARG_KEY_TYPE].i == UINT64_MAX);
	assert_int_equal(DECODE(&m_v1_add_key_req, padded), 0);
	assert_int_equal(v[ARG_KEY_TYPE].i, 1);
}

/* Fields the message does not name are skipped, whatever their type. */
static void
test_decode_unknown_fields(void **state)
{
	static const unsigned char m[] = {
		0x28, 0x96, 0x01,			/* 5: varint */
		0x12, 0x01, 'a',			/* 2 */
		0x31, 1, 2, 3, 4, 5, 6, 7, 8,		/* 6: fixed64 */
		0x3d, 1, 2, 3, 4,			/* 7: fixed32 */
		0x42, 0x02, 'x', 'y',			/* 8: bytes */
		0xfa, 0xff, 0xff, 0xff, 0x0f, 0x00,	/* 2^29-1: bytes */
		0x0a, 0x01, 'p',			/* 1 */
	};

	(void)state;
	assert_int_equal(DECODE(&m_v2beta_regen_req, m), 0);
	assert_slice(ARG_PROJECT_ID, "p", 1);
	assert_slice(ARG_APP_ID, "a", 1);
	assert_false(v[ARG_IS_OIDC].set);
}

static void
test_decode_refused(void **state)
{
	static const struct {
		const char *what;
		unsigned char b[16];
		size_t n;
	} bad[] = {
		{ "field 0", { 0x02, 0x00 }, 2 },
		{ "field 0, varint", { 0x00, 0x00 }, 2 },
		{ "field 2^29", { 0x82, 0x80, 0x80, 0x80, 0x10, 0x00 }, 6 },
		{ "a key of 11 bytes", { 0x8a, 0x80, 0x80, 0x80, 0x80, 0x80,
		    0x80, 0x80, 0x80, 0x80, 0x00 }, 11 },
		{ "group start", { 0x2b, 0x2c }, 2 },
		{ "group end", { 0x2c }, 1 },
		{ "wire type 6", { 0x2e, 0x00 }, 2 },
		{ "wire type 7", { 0x2f, 0x00 }, 2 },
		{ "known field, varint for a string", { 0x08, 0x01 }, 2 },
		{ "known field, fixed32", { 0x0d, 1, 2, 3, 4 }, 5 },
		{ "known bool, length-delimited", { 0x1a, 0x01, 0x01 }, 3 },
		{ "length past the end", { 0x0a, 0x03, 'a', 'b' }, 4 },
		{ "length of 2^63", { 0x0a, 0x80, 0x80, 0x80, 0x80, 0x80,
		    0x80, 0x80, 0x80, 0x80, 0x01 }, 11 },
		{ "length cut short", { 0x0a, 0x80 }, 2 },
		{ "key cut short", { 0x8a }, 1 },
		{ "varint cut short", { 0x18, 0x80, 0x80 }, 3 },
		{ "varint without a value", { 0x18 }, 1 },
		{ "varint of 11 bytes", { 0x18, 0x80, 0x80, 0x80, 0x80, 0x80,
		    0x80, 0x80, 0x80, 0x80, 0x80, 0x00 }, 12 },
		{ "tenth byte over 1", { 0x18, 0xff, 0xff, 0xff, 0xff, 0xff,
		    0xff, 0xff, 0xff, 0xff, 0x02 }, 11 },
		{ "unknown fixed64 cut short", { 0x31, 1, 2, 3, 4, 5, 6, 7 },
		    8 },
		{ "unknown fixed32 cut short", { 0x3d, 1, 2, 3 }, 4 },
		{ "unknown bytes cut short", { 0x42, 0x05, 'x' }, 3 },
		{ "unknown varint cut short", { 0x28, 0xff }, 2 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < N(bad); i++)
		if (decode(&m_v2beta_regen_req, bad[i].b, bad[i].n) != -1)
			fail_msg("accepted: %s", bad[i].what);
}

static void
test_decode_timestamp(void **state)
{
	/* expiration_date (3) { seconds 1795774272, nanos 5 } */
	static const unsigned char t[] = {
		0x1a, 0x08, 0x08, 0xc0, 0xae, 0xa5, 0xd8, 0x06, 0x10, 0x05,
	};
	/* Two halves of one Timestamp merge: seconds, then nanos. */
	static const unsigned char merged[] = {
		0x1a, 0x06, 0x08, 0xc0, 0xae, 0xa5, 0xd8, 0x06,
		0x1a, 0x02, 0x10, 0x07,
	};
	/* An unknown field inside is skipped. */
	static const unsigned char unknown[] = {
		0x1a, 0x05, 0x1a, 0x01, 'x', 0x10, 0x09,
	};
	/* An empty Timestamp: set, and the epoch. */
	static const unsigned char empty[] = { 0x1a, 0x00 };
	/* 0001-01-01T00:00:00Z, 9999-12-31T23:59:59.999999999Z */
	static const unsigned char lo[] = {
		0x1a, 0x0b, 0x08, 0x80, 0x92, 0xb8, 0xc3, 0x98, 0xfe, 0xff,
		0xff, 0xff, 0x01,
	};
	static const unsigned char hi[] = {
		0x1a, 0x0d, 0x08, 0xff, 0x82, 0xd1, 0xff, 0xaf, 0x07, 0x10,
		0xff, 0x93, 0xeb, 0xdc, 0x03,
	};
	static const struct {
		const char *what;
		unsigned char b[16];
		size_t n;
	} bad[] = {
		{ "a second before year 1", { 0x1a, 0x0b, 0x08, 0xff, 0x91,
		    0xb8, 0xc3, 0x98, 0xfe, 0xff, 0xff, 0xff, 0x01 }, 13 },
		{ "a second after 9999", { 0x1a, 0x07, 0x08, 0x80, 0x83, 0xd1,
		    0xff, 0xaf, 0x07 }, 9 },
		{ "nanos -1", { 0x1a, 0x0b, 0x10, 0xff, 0xff, 0xff, 0xff, 0xff,
		    0xff, 0xff, 0xff, 0xff, 0x01 }, 13 },
		{ "nanos 10^9", { 0x1a, 0x05, 0x10, 0x80, 0x94, 0xeb, 0xdc,
		    0x03 }, 8 },
		{ "seconds as bytes", { 0x1a, 0x03, 0x0a, 0x01, 0x00 }, 5 },
		{ "field 0 inside", { 0x1a, 0x02, 0x00, 0x00 }, 4 },
		{ "cut short inside", { 0x1a, 0x02, 0x08, 0x80 }, 4 },
		{ "past its length", { 0x1a, 0x01, 0x08, 0x01 }, 4 },
		{ "a varint for the message", { 0x18, 0x01 }, 2 },
	};
	size_t i;

	(void)state;
	assert_int_equal(DECODE(&m_v1_add_key_req, t), 0);
	assert_true(v[ARG_EXPIRATION].set);
	assert_true(v[ARG_EXPIRATION].t.sec == 1795774272);
	assert_int_equal(v[ARG_EXPIRATION].t.nsec, 5);
	assert_int_equal(DECODE(&m_v1_add_key_req, merged), 0);
	assert_true(v[ARG_EXPIRATION].t.sec == 1795774272);
	assert_int_equal(v[ARG_EXPIRATION].t.nsec, 7);
	assert_int_equal(DECODE(&m_v1_add_key_req, unknown), 0);
	assert_true(v[ARG_EXPIRATION].t.sec == 0);
	assert_int_equal(v[ARG_EXPIRATION].t.nsec, 9);
	assert_int_equal(DECODE(&m_v1_add_key_req, empty), 0);
	assert_true(v[ARG_EXPIRATION].set);
	assert_true(v[ARG_EXPIRATION].t.sec == 0);
	assert_int_equal(v[ARG_EXPIRATION].t.nsec, 0);
	assert_int_equal(DECODE(&m_v1_add_key_req, lo), 0);
	assert_true(v[ARG_EXPIRATION].t.sec == -62135596800LL);
	assert_int_equal(DECODE(&m_v1_add_key_req, hi), 0);
	assert_true(v[ARG_EXPIRATION].t.sec == 253402300799LL);
	assert_int_equal(v[ARG_EXPIRATION].t.nsec, 999999999);
	for (i = 0; i < N(bad); i++)
		if (decode(&m_v1_add_key_req, bad[i].b, bad[i].n) != -1)
			fail_msg("accepted: %s", bad[i].what);
}

/* The Timestamp's last nanosecond, decoded from what pbwire writes. */
static void
test_timestamp_upper_end(void **state)
{
	unsigned char buf[32];
	size_t n;

	(void)state;
	memset(v, 0, sizeof(v));
	v[ARG_EXPIRATION].set = 1;
	v[ARG_EXPIRATION].t.sec = 253402300799LL;
	v[ARG_EXPIRATION].t.nsec = 999999999;
	n = pbwire_encode_to(&m_v1_add_key_req, v, buf, sizeof(buf));
	assert_true(n > 0);
	assert_int_equal(decode(&m_v1_add_key_req, buf, n), 0);
	assert_true(v[ARG_EXPIRATION].t.sec == 253402300799LL);
	assert_int_equal(v[ARG_EXPIRATION].t.nsec, 999999999);
}

/* --- encode --------------------------------------------------------------- */

static size_t
encode(const struct message *m, unsigned char *buf, size_t cap)
{
	return pbwire_encode_to(m, v, buf, cap);
}

static void
test_encode_defaults_left_out(void **state)
{
	unsigned char buf[64];

	(void)state;
	memset(v, 0, sizeof(v));
	assert_int_equal(encode(&m_status, buf, sizeof(buf)), 0);
	/* Set, but the default: not written (proto3). */
	value_int(&v[OUT_ERR_CODE], 0);
	value_str(&v[OUT_ERR_MESSAGE], "");
	v[OUT_ERR_DETAIL].set = 1;
	assert_int_equal(encode(&m_status, buf, sizeof(buf)), 0);
	/* A nested message of defaults is left out with them. */
	value_str(&v[OUT_ERR_TYPE_URL], "");
	assert_int_equal(encode(&m_status, buf, sizeof(buf)), 0);
	/* One byte in the nested message brings it. */
	value_str(&v[OUT_ERR_TYPE_URL], "t");
	assert_int_equal(encode(&m_status, buf, sizeof(buf)), 5);
	assert_memory_equal(buf, "\x1a\x03\x0a\x01t", 5);
}

static void
test_encode_varints(void **state)
{
	static const struct {
		int64_t i;
		const char *want;
		size_t n;
	} codes[] = {
		{ 1, "\x08\x01", 2 },
		{ 127, "\x08\x7f", 2 },
		{ 128, "\x08\x80\x01", 3 },
		{ 16, "\x08\x10", 2 },
		{ INT32_MAX, "\x08\xff\xff\xff\xff\x07", 6 },
		/* int32 negatives sign-extend to ten bytes */
		{ -1, "\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 11 },
		{ INT32_MIN, "\x08\x80\x80\x80\x80\xf8\xff\xff\xff\xff\x01",
		    11 },
	};
	unsigned char buf[64];
	size_t i;

	(void)state;
	for (i = 0; i < N(codes); i++) {
		memset(v, 0, sizeof(v));
		value_int(&v[OUT_ERR_CODE], codes[i].i);
		if (encode(&m_status, buf, sizeof(buf)) != codes[i].n ||
		    memcmp(buf, codes[i].want, codes[i].n) != 0)
			fail_msg("code %lld", (long long)codes[i].i);
	}
	/* uint64, all 64 bits: details.sequence in the v1 answer. */
	memset(v, 0, sizeof(v));
	value_int(&v[OUT_SEQUENCE], -1);
	assert_int_equal(encode(&m_v1_details_resp, buf, sizeof(buf)), 13);
	assert_memory_equal(buf, "\x0a\x0b\x08\xff\xff\xff\xff\xff\xff\xff"
	    "\xff\xff\x01", 13);
}

static void
test_encode_timestamps(void **state)
{
	unsigned char buf[64];

	(void)state;
	memset(v, 0, sizeof(v));
	/* Set at the epoch: an empty Timestamp, which is not no field. */
	value_time(&v[OUT_CHANGED], (struct ts){ 0, 0 });
	assert_int_equal(encode(&m_v2_deleted_resp, buf, sizeof(buf)), 2);
	assert_memory_equal(buf, "\x0a\x00", 2);
	value_time(&v[OUT_CHANGED], (struct ts){ 0, 5 });
	assert_int_equal(encode(&m_v2_deleted_resp, buf, sizeof(buf)), 4);
	assert_memory_equal(buf, "\x0a\x02\x10\x05", 4);
	value_time(&v[OUT_CHANGED], (struct ts){ 1795774272, 0 });
	assert_int_equal(encode(&m_v2_deleted_resp, buf, sizeof(buf)), 8);
	assert_memory_equal(buf, "\x0a\x06\x08\xc0\xae\xa5\xd8\x06", 8);
	/* Negative seconds: an int64 in ten bytes. */
	value_time(&v[OUT_CHANGED], (struct ts){ -1, 0 });
	assert_int_equal(encode(&m_v2_deleted_resp, buf, sizeof(buf)), 13);
	assert_memory_equal(buf, "\x0a\x0b\x08\xff\xff\xff\xff\xff\xff\xff"
	    "\xff\xff\x01", 13);
}

/* Fields with no number (the OAuth messages, F_WORDS) are not written. */
static void
test_encode_unnumbered(void **state)
{
	unsigned char buf[64];

	(void)state;
	memset(v, 0, sizeof(v));
	value_str(&v[OUT_ACCESS_TOKEN], "t");
	value_int(&v[OUT_EXPIRES_IN], 5);
	value_str(&v[OUT_AUDIENCE], "a b");
	assert_int_equal(encode(&m_token_resp, buf, sizeof(buf)), 0);
	assert_int_equal(encode(&m_introspect_resp, buf, sizeof(buf)), 0);
	/* And decode sets nothing from bytes that look like them. */
	assert_int_equal(decode(&m_token_resp, "\x0a\x01t", 3), 0);
	assert_false(v[OUT_ACCESS_TOKEN].set);
}

static void
test_encode_room(void **state)
{
	unsigned char buf[64], *p;
	size_t n, len;

	(void)state;
	memset(v, 0, sizeof(v));
	value_str(&v[OUT_ERR_ID], "AUTH-7fs1e");
	value_str(&v[OUT_ERR_TEXT], "Token is invalid");
	n = encode(&m_error_detail, buf, sizeof(buf));
	assert_int_equal(n, 2 + 10 + 2 + 16);
	assert_memory_equal(buf, "\x0a\x0a" "AUTH-7fs1e"
	    "\x12\x10Token is invalid", n);
	assert_int_equal(encode(&m_error_detail, buf, n), n);
	assert_int_equal(encode(&m_error_detail, buf, n - 1), 0);
	assert_int_equal(encode(&m_error_detail, buf, 0), 0);
	/* A string of 200 bytes: a two-byte length. */
	{
		static char big[200];
		static unsigned char out[256];

		memset(big, 'x', sizeof(big));
		memset(v, 0, sizeof(v));
		v[OUT_ERR_ID].set = 1;
		v[OUT_ERR_ID].s.p = big;
		v[OUT_ERR_ID].s.n = sizeof(big);
		p = pbwire_encode(&m_error_detail, v, 1, 1, &len);
		assert_non_null(p);
		assert_int_equal(len, 203);
		memcpy(out, p + 1, 3);
		assert_memory_equal(out, "\x0a\xc8\x01", 3);
		free(p);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_fields),
		cmocka_unit_test(test_decode_varints),
		cmocka_unit_test(test_decode_unknown_fields),
		cmocka_unit_test(test_decode_refused),
		cmocka_unit_test(test_decode_timestamp),
		cmocka_unit_test(test_timestamp_upper_end),
		cmocka_unit_test(test_encode_defaults_left_out),
		cmocka_unit_test(test_encode_varints),
		cmocka_unit_test(test_encode_timestamps),
		cmocka_unit_test(test_encode_unnumbered),
		cmocka_unit_test(test_encode_room),
	};

	return cmocka_run_group_tests_name("pbwire", tests, NULL, NULL);
}
