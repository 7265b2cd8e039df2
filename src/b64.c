/*
 * b64.c - base64 (RFC 4648 section 4) in its three spellings here: padded,
 * unpadded, and padded chunks back to back.
 *
 * Decoding is strict in every form: the bits left over in a group's last
 * character must be zero (RFC 4648 3.5 lets a decoder refuse them), so a
 * stored hash or a request body has exactly one spelling.
 */
#include "b64.h"

#include <stdint.h>

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t
b64_encode(const void *in, size_t len, char *out, enum b64_form form)
{
	const unsigned char *p = in;
	size_t i, o = 0;
	uint32_t v;

	for (i = 0; i + 2 < len; i += 3) {
		v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		out[o++] = alphabet[v >> 18 & 0x3f];
		out[o++] = alphabet[v >> 12 & 0x3f];
		out[o++] = alphabet[v >> 6 & 0x3f];
		out[o++] = alphabet[v & 0x3f];
	}
	if (i < len) {
		v = (uint32_t)p[i] << 16;
		if (i + 1 < len)
			v |= (uint32_t)p[i + 1] << 8;
		out[o++] = alphabet[v >> 18 & 0x3f];
		out[o++] = alphabet[v >> 12 & 0x3f];
		if (i + 1 < len)
			out[o++] = alphabet[v >> 6 & 0x3f];
		else if (form != B64_UNPADDED)
			out[o++] = '=';
		if (form != B64_UNPADDED)
			out[o++] = '=';
	}
	out[o] = '\0';
	return o;
}

static int
value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/*
 * One group of 2 to 4 characters, the last pad of them '=' already cut
 * off: n - 1 bytes out, the unused low bits zero.
 */
static int
group(const char *g, size_t n, unsigned char *out)
{
	uint32_t v = 0;
	size_t k;

	for (k = 0; k < n; k++) {
		int d = value((unsigned char)g[k]);

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
	size_t i = 0, n = 0;

	if (form != B64_UNPADDED && len % 4 != 0)
		return -1;
	if (form == B64_UNPADDED && len % 4 == 1)
		return -1;
	while (i < len) {
		size_t take = len - i < 4 ? len - i : 4, chars = take;

		if (form != B64_UNPADDED) {
			while (chars > 0 && in[i + chars - 1] == '=')
				chars--;
			/* "x===" and "====" carry no whole byte. */
			if (chars < 2 && take == 4)
				return -1;
			/* Padding ends the input unless chunks may follow. */
			if (chars < 4 && i + 4 < len && form != B64_CHUNKED)
				return -1;
		}
		if (n + chars - 1 > max || group(in + i, chars, o + n) != 0)
			return -1;
		n += chars - 1;
		i += take;
	}
	return (long)n;
}
