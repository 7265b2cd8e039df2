/*
 * test_b64.c - base64 in its three spellings and base64url (src/b64.c,
 * RFC 4648 sections 4 and 5).
 *
 * Covers: RFC 4648 section 10's vectors encoded and decoded in every form;
 * B64_LEN; the padding rules of each form (padded: groups of four, '='
 * only at the end; unpadded: no '=' at all, no length of 4k + 1; chunked:
 * '=' may end any group); characters outside the alphabet (base64url,
 * white space, NUL); non-zero trailing bits refused, so that every value
 * has exactly one spelling, checked exhaustively over single-character
 * changes (whatever decodes must encode back to the same text); the max
 * bound, exactly at it and one byte under it; round trips of every length
 * against a reference encoder written here.  base64url the same way, and:
 * RFC 7515's example, every byte value's spelling, '=' refused anywhere,
 * '+' and '/' refused, no length of 4k + 1, non-zero trailing bits
 * refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"

static const struct {
	const char *raw;
	const char *padded;
	const char *unpadded;
} vectors[] = {
	{ "", "", "" },
	{ "f", "Zg==", "Zg" },
	{ "fo", "Zm8=", "Zm8" },
	{ "foo", "Zm9v", "Zm9v" },
	{ "foob", "Zm9vYg==", "Zm9vYg" },
	{ "fooba", "Zm9vYmE=", "Zm9vYmE" },
	{ "foobar", "Zm9vYmFy", "Zm9vYmFy" },
};

#define NVECTORS (sizeof(vectors) / sizeof(vectors[0]))

static long
decode(const char *s, void *out, size_t max, enum b64_form form)
{
	return b64_decode(s, strlen(s), out, max, form);
}

/* A reference encoder, written apart from b64.c. */
static void
reference_a(const unsigned char *in, size_t len, char *out, int pad,
    const char *a)
{
	size_t i, o = 0;

	for (i = 0; i < len; i += 3) {
		unsigned long v = (unsigned long)in[i] << 16;
		size_t left = len - i;

		if (left > 1)
			v |= (unsigned long)in[i + 1] << 8;
		if (left > 2)
			v |= in[i + 2];
		out[o++] = a[v >> 18 & 63];
		out[o++] = a[v >> 12 & 63];
		if (left > 1)
			out[o++] = a[v >> 6 & 63];
		else if (pad)
			out[o++] = '=';
		if (left > 2)
			out[o++] = a[v & 63];
		else if (pad)
			out[o++] = '=';
	}
	out[o] = '\0';
}

static void
reference(const unsigned char *in, size_t len, char *out, int pad)
{
	reference_a(in, len, out, pad,
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
}

static void
reference_url(const unsigned char *in, size_t len, char *out)
{
	reference_a(in, len, out, 0,
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");
}

static void
test_rfc4648_vectors(void **state)
{
	char out[32];
	unsigned char bin[32];
	size_t i;

	(void)state;
	for (i = 0; i < NVECTORS; i++) {
		size_t n = strlen(vectors[i].raw);

		assert_int_equal(b64_encode(vectors[i].raw, n, out, B64_PADDED),
		    strlen(vectors[i].padded));
		assert_string_equal(out, vectors[i].padded);
		assert_int_equal(B64_LEN(n), strlen(vectors[i].padded));
		assert_int_equal(b64_encode(vectors[i].raw, n, out,
		    B64_UNPADDED), strlen(vectors[i].unpadded));
		assert_string_equal(out, vectors[i].unpadded);
		/* Chunked text is written as one padded chunk. */
		assert_int_equal(b64_encode(vectors[i].raw, n, out,
		    B64_CHUNKED),
		    strlen(vectors[i].padded));
		assert_string_equal(out, vectors[i].padded);

		assert_int_equal(decode(vectors[i].padded, bin, sizeof(bin),
		    B64_PADDED), n);
		assert_memory_equal(bin, vectors[i].raw, n);
		assert_int_equal(decode(vectors[i].padded, bin, sizeof(bin),
		    B64_CHUNKED), n);
		assert_memory_equal(bin, vectors[i].raw, n);
		assert_int_equal(decode(vectors[i].unpadded, bin, sizeof(bin),
		    B64_UNPADDED), n);
		assert_memory_equal(bin, vectors[i].raw, n);
		/* These vectors use neither '+' nor '/': base64url alike. */
		assert_int_equal(b64_encode(vectors[i].raw, n, out, B64_URL),
		    strlen(vectors[i].unpadded));
		assert_string_equal(out, vectors[i].unpadded);
		assert_int_equal(decode(vectors[i].unpadded, bin, sizeof(bin),
		    B64_URL), n);
		assert_memory_equal(bin, vectors[i].raw, n);
	}
	assert_int_equal(B64_LEN(0), 0);
	assert_int_equal(B64_LEN(1), 4);
	assert_int_equal(B64_LEN(3), 4);
	assert_int_equal(B64_LEN(4), 8);
}

static void
bad(const char *s, enum b64_form form)
{
	unsigned char bin[64];

	if (decode(s, bin, sizeof(bin), form) != -1)
		fail_msg("accepted \"%s\" in form %d", s, (int)form);
}

static void
test_padding_rules(void **state)
{
	unsigned char bin[64];

	(void)state;
	/* Padded: whole groups, '=' only at the very end. */
	bad("Zg", B64_PADDED);
	bad("Zg=", B64_PADDED);
	bad("Zm9vY", B64_PADDED);
	bad("Zg==Zg==", B64_PADDED);
	bad("Zm8=Zm9v", B64_PADDED);
	bad("Z===", B64_PADDED);
	bad("====", B64_PADDED);
	bad("=Zm9", B64_PADDED);
	bad("Zg=a", B64_PADDED);
	bad("Z=g=", B64_PADDED);
	/* Unpadded: no '=' anywhere, no length 4k + 1. */
	bad("Zg==", B64_UNPADDED);
	bad("Zm8=", B64_UNPADDED);
	bad("Zg=", B64_UNPADDED);
	bad("Z", B64_UNPADDED);
	bad("Zm9vY", B64_UNPADDED);
	bad("=", B64_UNPADDED);
	/* Chunked: '=' may end any group, each group whole. */
	assert_int_equal(decode("Zg==Zg==", bin, sizeof(bin), B64_CHUNKED),
	    2);
	assert_memory_equal(bin, "ff", 2);
	assert_int_equal(decode("Zm8=Zg==Zm9v", bin, sizeof(bin),
	    B64_CHUNKED), 6);
	assert_memory_equal(bin, "foffoo", 6);
	assert_int_equal(decode("", bin, sizeof(bin), B64_CHUNKED), 0);
	bad("Zg==Zg", B64_CHUNKED);
	bad("Zg=", B64_CHUNKED);
	bad("Zg==Z===", B64_CHUNKED);
	bad("====Zg==", B64_CHUNKED);
	bad("Zg=aZg==", B64_CHUNKED);
}

static void
test_alphabet(void **state)
{
	static const enum b64_form forms[] = {
		B64_PADDED, B64_UNPADDED, B64_CHUNKED
	};
	static const char *const strings[] = {
		"Zm9-", "Zm9_", "Zm9 ", " Zm9", "Zm\n9", "Zm9\t", "Zm.v",
		    "Zm9\x80",
		"Zm9\xff",
	};
	unsigned char bin[8];
	size_t i, f;

	(void)state;
	for (f = 0; f < 3; f++) {
		for (i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
			bad(strings[i], forms[f]);
		/* The URL alphabet's two letters are not base64's. */
		bad("Zm9-", forms[f]);
		bad("Zm9_", forms[f]);
		/* A NUL is a character too: the length counts. */
		assert_int_equal(b64_decode("Zm\0v", 4, bin, sizeof(bin),
		    forms[f]), -1);
	}
	/* Both ends of the alphabet. */
	assert_int_equal(decode("AAAA", bin, sizeof(bin), B64_PADDED), 3);
	assert_memory_equal(bin, "\0\0\0", 3);
	assert_int_equal(decode("////", bin, sizeof(bin), B64_PADDED), 3);
	assert_memory_equal(bin, "\xff\xff\xff", 3);
	assert_int_equal(decode("+++/", bin, sizeof(bin), B64_UNPADDED), 3);
	assert_memory_equal(bin, "\xfb\xef\xbf", 3);
}

/* RFC 4648 3.5: the bits after the last byte must be zero. */
static void
test_trailing_bits(void **state)
{
	unsigned char bin[8];

	(void)state;
	bad("Zh==", B64_PADDED);
	bad("Zv==", B64_PADDED);
	bad("Zm9=", B64_PADDED);
	bad("Zm/=", B64_PADDED);
	bad("Zh", B64_UNPADDED);
	bad("Zm9", B64_UNPADDED);
	bad("Zh==Zg==", B64_CHUNKED);
	bad("Zg==Zh==", B64_CHUNKED);
	/* The canonical spellings of the same bytes pass. */
	assert_int_equal(decode("Zg==", bin, sizeof(bin), B64_PADDED), 1);
	assert_int_equal(decode("Zm8", bin, sizeof(bin), B64_UNPADDED), 2);
	/* Every low-bit pattern of a last character, with one byte left. */
	{
		static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "abcdefghijklmnopqrstuvwxyz0123456789+/";
		char s[5] = "Z?==";
		int k;

		for (k = 0; k < 64; k++) {
			long n;

			s[1] = a[k];
			n = decode(s, bin, sizeof(bin), B64_PADDED);
			if ((k & 0x0f) == 0 ? n != 1 : n != -1)
				fail_msg("\"%s\": %ld", s, n);
		}
	}
}

static void
test_max_bound(void **state)
{
	unsigned char bin[16];

	(void)state;
	memset(bin, 0xaa, sizeof(bin));
	assert_int_equal(decode("Zm9vYmFy", bin, 6, B64_PADDED), 6);
	assert_int_equal(decode("Zm9vYmFy", bin, 5, B64_PADDED), -1);
	assert_int_equal(decode("Zm9vYg==", bin, 4, B64_PADDED), 4);
	assert_int_equal(decode("Zm9vYg==", bin, 3, B64_PADDED), -1);
	assert_int_equal(decode("Zm9vYmE", bin, 5, B64_UNPADDED), 5);
	assert_int_equal(decode("Zm9vYmE", bin, 4, B64_UNPADDED), -1);
	assert_int_equal(decode("Zg==Zg==", bin, 2, B64_CHUNKED), 2);
	assert_int_equal(decode("Zg==Zg==", bin, 1, B64_CHUNKED), -1);
	assert_int_equal(decode("", bin, 0, B64_PADDED), 0);
	assert_int_equal(decode("Zg==", bin, 0, B64_PADDED), -1);
	/* Nothing is written past max, even by a refused decode. */
	memset(bin, 0xaa, sizeof(bin));
	assert_int_equal(decode("Zm9vYmFyYmF6", bin, 7, B64_PADDED), -1);
	assert_int_equal(bin[7], 0xaa);
}

/* Whatever decodes encodes back to the very same text. */
static void
test_one_spelling(void **state)
{
	static const enum b64_form forms[] = {
		B64_PADDED, B64_UNPADDED, B64_CHUNKED, B64_URL
	};
	static const char *const texts[] = {
		"Zm9vYmFy", "Zm9vYg==", "Zm9vYmE=", "Zm9vYg", "Zm9vYmE",
		    "Zg==Zm8=", "-_-_", "_w", "__8",
	};
	unsigned char bin[16];
	char again[32], s[16];
	size_t t, f, i;
	unsigned v;

	(void)state;
	for (t = 0; t < sizeof(texts) / sizeof(texts[0]); t++)
		for (f = 0; f < 4; f++)
			for (i = 0; i < strlen(texts[t]); i++)
				for (v = 1; v < 256; v++) {
					size_t len = strlen(texts[t]);
					long n;

					memcpy(s, texts[t], len + 1);
					s[i] = (char)v;
					n = b64_decode(s, len, bin, sizeof(bin),
					    forms[f]);
					if (n < 0 || forms[f] == B64_CHUNKED)
						continue;
					b64_encode(bin, (size_t)n, again,
					    forms[f]);
					if (strlen(again) != len ||
					    memcmp(again, s, len) != 0)
						fail_msg("form %d: \"%.*s\" "
						    "decodes, encodes as "
						    "\"%s\"", (int)forms[f],
						    (int)len, s, again);
				}
}

static void
test_round_trips(void **state)
{
	unsigned char raw[100], bin[100];
	char ref[200], out[200];
	size_t len, i;

	(void)state;
	srand(4648);
	for (len = 0; len <= sizeof(raw); len++) {
		for (i = 0; i < len; i++)
			raw[i] = (unsigned char)rand();
		reference(raw, len, ref, 1);
		assert_int_equal(b64_encode(raw, len, out, B64_PADDED),
		    strlen(ref));
		assert_string_equal(out, ref);
		memset(bin, 0, sizeof(bin));
		assert_int_equal(decode(out, bin, len, B64_PADDED), len);
		assert_memory_equal(bin, raw, len);
		assert_int_equal(decode(out, bin, len, B64_CHUNKED), len);
		assert_memory_equal(bin, raw, len);
		reference(raw, len, ref, 0);
		assert_int_equal(b64_encode(raw, len, out, B64_UNPADDED),
		    strlen(ref));
		assert_string_equal(out, ref);
		assert_int_equal(decode(out, bin, len, B64_UNPADDED), len);
		assert_memory_equal(bin, raw, len);
		reference_url(raw, len, ref);
		assert_int_equal(b64_encode(raw, len, out, B64_URL),
		    strlen(ref));
		assert_string_equal(out, ref);
		assert_int_equal(decode(out, bin, len, B64_URL), len);
		assert_memory_equal(bin, raw, len);
		if (len > 0)
			assert_int_equal(decode(out, bin, len - 1, B64_URL),
			    -1);
	}
}

/* RFC 4648 section 5, as JWS uses it (RFC 7515 2 and appendix C). */
static void
test_url(void **state)
{
	static const char *const refused[] = {
		/* padding, anywhere */
		"Zg==", "Zm8=", "Zg=", "=", "Zg==Zg", "Z=g", "====",
		/* base64's own letters 62 and 63 */
		"Zm9+", "Zm9/", "+++/", "a+b_",
		/* 4k + 1 characters carry no whole byte */
		"Z", "Zm9vY", "Zm9vYmFyY",
		/* non-zero bits after the last byte (3.5) */
		"Zh", "Zv", "Zm9", "Zm-", "AB", "AAB",
		/* white space, other characters */
		" Zm9", "Zm9 ", "Zm\n9", "Zm.v", "Zm9\x80", "Zm9\xff",
	};
	/* RFC 7515 A.1.1's protected header, as the RFC spells it. */
	static const char header[] = "{\"typ\":\"JWT\",\r\n \"alg\":\"HS256\"}";
	static const char header64[] =
	    "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9";
	unsigned char bin[64];
	char out[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		bad(refused[i], B64_URL);
	assert_int_equal(b64_decode("Zm\0v", 4, bin, sizeof(bin), B64_URL),
	    -1);
	assert_int_equal(b64_encode(header, strlen(header), out, B64_URL),
	    strlen(header64));
	assert_string_equal(out, header64);
	assert_int_equal(decode(header64, bin, sizeof(bin), B64_URL),
	    strlen(header));
	assert_memory_equal(bin, header, strlen(header));
	/* The two letters that differ from base64. */
	assert_int_equal(decode("-_-_", bin, sizeof(bin), B64_URL), 3);
	assert_memory_equal(bin, "\xfb\xff\xbf", 3);
	assert_int_equal(b64_encode("\xfb\xff\xbf", 3, out, B64_URL), 4);
	assert_string_equal(out, "-_-_");
	assert_int_equal(b64_encode("\xff", 1, out, B64_URL), 2);
	assert_string_equal(out, "_w");
	assert_int_equal(b64_encode("\xff\xff", 2, out, B64_URL), 3);
	assert_string_equal(out, "__8");
	/* Every byte value alone and its one spelling. */
	for (i = 0; i < 256; i++) {
		unsigned char c = (unsigned char)i;
		char ref[8];

		reference_url(&c, 1, ref);
		assert_int_equal(b64_encode(&c, 1, out, B64_URL), 2);
		assert_string_equal(out, ref);
		assert_int_equal(decode(ref, bin, 1, B64_URL), 1);
		assert_int_equal(bin[0], c);
	}
	/* The max bound. */
	assert_int_equal(decode("Zm9vYmE", bin, 5, B64_URL), 5);
	assert_int_equal(decode("Zm9vYmE", bin, 4, B64_URL), -1);
	assert_int_equal(decode("", bin, 0, B64_URL), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc4648_vectors),
		cmocka_unit_test(test_padding_rules),
		cmocka_unit_test(test_alphabet),
		cmocka_unit_test(test_trailing_bits),
		cmocka_unit_test(test_max_bound),
		cmocka_unit_test(test_one_spelling),
		cmocka_unit_test(test_round_trips),
		cmocka_unit_test(test_url),
	};

	return cmocka_run_group_tests_name("b64", tests, NULL, NULL);
}
