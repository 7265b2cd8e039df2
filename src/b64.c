/*
 * b64.c - base64 (RFC 4648 section 4) in its three spellings here: padded,
 * unpadded, and padded chunks back to back; and base64url (section 5),
 * unpadded, as JWS writes it (RFC 7515 2).
 *
 * Decoding is strict in every form: the bits left over in a group's last
 * character must be zero (RFC 4648 3.5 lets a decoder refuse them), so a
 * stored hash or a request body has exactly one spelling.
 */
#include "b64.h"

#include <stdint.h>

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char url_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

size_t
b64_encode(const void *in, size_t len, char *out, enum b64_form form)
{
	const char *a = form == B64_URL ? url_alphabet : alphabet;
	const unsigned char *p = in;
	int pad = form != B64_UNPADDED && form != B64_URL;
	size_t i, o = 0;
	uint32_t v;

	for (i = 0; i + 2 < len; i += 3) {
		v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		out[o++] = a[v >> 18 & 0x3f];
		out[o++] = a[v >> 12 & 0x3f];
		out[o++] = a[v >> 6 & 0x3f];
		out[o++] = a[v & 0x3f];
	}
	if (i < len) {
		v = (uint32_t)p[i] << 16;
		if (i + 1 < len)
			v |= (uint32_t)p[i + 1] << 8;
		out[o++] = a[v >> 18 & 0x3f];
		out[o++] = a[v >> 12 & 0x3f];
		if (i + 1 < len)
			out[o++] = a[v >> 6 & 0x3f];
		else if (pad)
			out[o++] = '=';
		if (pad)
			out[o++] = '=';
	}
	out[o] = '\0';
	return o;
}

/* The value of c in the alphabet of one form, or -1. */
static int
value(unsigned char c, int url)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == (url ? '-' : '+'))
		return 62;
	if (c == (url ? '_' : '/'))
		return 63;
	return -1;
}

/*
 * One group of 2 to 4 characters, the last pad of them '=' already cut
 * off: n - 1 bytes out, the unused low bits zero.
 */
static int
group(const char *g, size_t n, int url, unsigned char *out)
{
	uint32_t v = 0;
	size_t k;

	for (k = 0; k < n; k++) {
		int d = value((unsigned char)g[k], url);

		if (d < 0)
			return -1;
		v = v << 6 | (uint32_t)d;
	}
	v <<= 6 * (4 - n);
	if ((n == 2 && (v & 0xffff) != 0) || (n == 3 && (v & 0xff) != 0))
		return -1;
	out[0] = (unsigned char)(v >> 16);
	if (n > 2)
		out[1] = (unsigned char)(v >> 8);
	if (n > 3)
		out[2] = (unsigned char)v;
	return 0;
}

long
b64_decode(const char *in, size_t len, void *out, size_t max,
    enum b64_form form)
{
	unsigned char *o = out;
	int pad = form != B64_UNPADDED && form != B64_URL;
	size_t i = 0, n = 0;

	if (pad && len % 4 != 0)
		return -1;
	if (!pad && len % 4 == 1)
		return -1;
	while (i < len) {
		size_t take = len - i < 4 ? len - i : 4, chars = take;

		if (pad) {
			while (chars > 0 && in[i + chars - 1] == '=')
				chars--;
			/* "x===" and "====" carry no whole byte. */
			if (chars < 2 && take == 4)
				return -1;
			/* Padding ends the input unless chunks may follow. */
			if (chars < 4 && i + 4 < len && form != B64_CHUNKED)
				return -1;
		}
		if (n + chars - 1 > max ||
		    group(in + i, chars, form == B64_URL, o + n) != 0)
			return -1;
		n += chars - 1;
		i += take;
	}
	return (long)n;
}
