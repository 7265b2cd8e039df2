/*
 * grpcweb.c - the gRPC-web codec: gRPC-web in, gRPC-web out (doc/api.md).
 *
 * A request is exactly one uncompressed data frame holding the call's
 * request message (application/grpc-web-text: the same bytes, base64);
 * anything else in the body is INVALID_ARGUMENT (ERR_BAD_BODY), as a bad
 * REST body is.  The answer is HTTP 200 always: a data frame and a trailer
 * frame on success, trailers-only (grpc-status and grpc-message as
 * headers, empty body) on error, since a gRPC-web client maps any other
 * status to its own code and drops grpc-status.  The clear secret is
 * packed straight into the response body, which response_free() wipes.
 */
#include "grpcweb.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "b64.h"
#include "errwire.h"
#include "pbwire.h"
#include "secret.h"
#include "util.h"

/* The trailer frame of a success (gRPC-web: HTTP/1 style header lines). */
static const char trailer_ok[] = "grpc-status:0\r\ngrpc-message:\r\n";

static int
grpcweb_form(const struct media *m)
{
	if (media_is(m, "application/grpc-web") ||
	    media_is(m, "application/grpc-web+proto"))
		return GRPCWEB_BINARY;
	if (media_is(m, "application/grpc-web-text") ||
	    media_is(m, "application/grpc-web-text+proto"))
		return GRPCWEB_TEXT;
	return -1;
}

int
grpcweb_is_native(const struct media *m)
{
	/* gRPC over HTTP/2: "application/grpc" [("+proto" / "+json" / ...)] */
	return media_is(m, "application/grpc") ||
	    (media_has_prefix(m, "application/grpc+") && grpcweb_form(m) < 0);
}

static const char *
content_type(int form)
{
	return form == GRPCWEB_TEXT ? "application/grpc-web-text+proto" :
	    "application/grpc-web+proto";
}

/* One data frame, the whole of p: nothing compressed, nothing after it. */
static enum err
decode_frame(const unsigned char *p, size_t n, struct call *c)
{
	size_t mlen;

	/* Check the length before reading the header. */
	if (n < GRPCWEB_FRAME_HEADER)
		return ERR_BAD_BODY;
	/*
	 * Flag 0x00 only: 0x01 (compressed) names a grpc-encoding we never
	 * offered, 0x80 (trailers) has no place in a request, and the other
	 * bits are reserved.
	 */
	if (p[0] != 0x00)
		return ERR_BAD_BODY;
	mlen = (size_t)p[1] << 24 | (size_t)p[2] << 16 | (size_t)p[3] << 8 |
	    (size_t)p[4];
	/* Longer: the frame is cut short; shorter: a second frame or junk. */
	if (mlen != n - GRPCWEB_FRAME_HEADER)
		return ERR_BAD_BODY;
	return pbwire_decode(c->def->req, p + GRPCWEB_FRAME_HEADER, mlen,
	    c->arg) == 0 ? ERR_OK : ERR_BAD_BODY;
}

/*
 * gRPC over HTTP/2 ("Timeout"): 1 to 8 digits and a unit, hours down to
 * nanoseconds.  gRPC-web carries it as a header the same way.
 */
static enum err
timeout(const char *t, struct call *c)
{
	static const struct {
		char unit;
		int64_t ns;
	} units[] = {
		{ 'H', 3600000000000LL }, { 'M', 60000000000LL },
		{ 'S', 1000000000LL }, { 'm', 1000000LL }, { 'u', 1000LL },
		{ 'n', 1LL },
	};
	size_t n, i;
	uint64_t v;

	if (t == NULL)
		return ERR_OK;
	n = strlen(t);
	if (n < 2 || n > 9 ||
	    util_decimal(t, n - 1, 99999999, &v) != DECIMAL_OK)
		return ERR_GRPC_TIMEOUT;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (t[n - 1] == units[i].unit) {
			/* 99999999 H overflows: such a deadline is none. */
			if ((int64_t)v > INT64_MAX / 2 / units[i].ns)
				return ERR_OK;
			c->deadline_ns = util_mono_ns() +
			    (int64_t)v * units[i].ns;
			return ERR_OK;
		}
	return ERR_GRPC_TIMEOUT;
}

static enum err
grpcweb_decode(int form, const struct request *req, struct call *c)
{
	unsigned char *raw;
	size_t len = req->body != NULL ? req->body_len : 0;
	long n;
	enum err e;

	if ((e = timeout(req->header[H_GRPC_TIMEOUT], c)) != ERR_OK)
		return e;
	if (form != GRPCWEB_TEXT)
		return decode_frame((const unsigned char *)req->body, len, c);
	/* In the call's arena: the message's values point into it. */
	if (c->arena.cap - c->arena.used < len / 4 * 3 + 1)
		return ERR_INTERNAL;
	raw = (unsigned char *)c->arena.p + c->arena.used;
	/* A client may send separately encoded chunks back to back. */
	n = b64_decode(req->body, len, raw, len / 4 * 3, B64_CHUNKED);
	if (n < 0)
		return ERR_BAD_BODY;
	c->arena.used += (size_t)n;
	return decode_frame(raw, (size_t)n, c);
}

static void
frame_header(unsigned char *p, unsigned char flag, size_t len)
{
	p[0] = flag;
	p[1] = (unsigned char)(len >> 24);
	p[2] = (unsigned char)(len >> 16);
	p[3] = (unsigned char)(len >> 8);
	p[4] = (unsigned char)len;
}

static int
grpcweb_encode(int form, const struct call *c, const struct answer *o,
    struct response *resp)
{
	size_t tlen = sizeof(trailer_ok) - 1, mlen = 0, total;
	unsigned char *frames;
	char *text;
	int rc = -1;

	/* The message between its frame header and the trailer frame. */
	frames = pbwire_encode(c->def->resp, o->out, GRPCWEB_FRAME_HEADER,
	    GRPCWEB_FRAME_HEADER + tlen, &mlen);
	if (frames == NULL)
		return -1;
	total = GRPCWEB_FRAME_HEADER + mlen + GRPCWEB_FRAME_HEADER + tlen;
	if (mlen > UINT32_MAX)
		goto out;
	frame_header(frames, 0x00, mlen);
	frame_header(frames + GRPCWEB_FRAME_HEADER + mlen,
	    GRPCWEB_FLAG_TRAILER, tlen);
	memcpy(frames + 2 * GRPCWEB_FRAME_HEADER + mlen, trailer_ok, tlen);
	if (form == GRPCWEB_TEXT) {
		/* Both frames as one base64 string; the staging is wiped. */
		text = malloc(B64_LEN(total) + 1);
		if (text == NULL)
			goto out;
		resp->body_len = b64_encode(frames, total, text, B64_PADDED);
		resp->body = text;
	} else {
		resp->body = (char *)frames;
		resp->body_len = total;
		frames = NULL;
	}
	resp->status = 200;
	resp->content_type = content_type(form);
	rc = 0;
out:
	if (frames != NULL) {
		secret_wipe(frames, total);
		free(frames);
	}
	return rc;
}

int
grpcweb_percent_encode(const char *in, char *out, size_t outlen)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *s = (const unsigned char *)in;
	size_t o = 0;

	for (; *s != '\0'; s++) {
		if (*s >= 0x20 && *s <= 0x7e && *s != '%') {
			if (o + 1 >= outlen)
				return -1;
			out[o++] = (char)*s;
		} else {
			if (o + 3 >= outlen)
				return -1;
			out[o++] = '%';
			out[o++] = hex[*s >> 4];
			out[o++] = hex[*s & 0x0f];
		}
	}
	if (o >= outlen)
		return -1;
	out[o] = '\0';
	return 0;
}

int
grpcweb_status_headers(struct response *resp, enum err kind)
{
	const struct err_info *e = err_info(kind);
	char code[16], message[ERR_MESSAGE_MAX];
	char encoded[3 * ERR_MESSAGE_MAX + 1];
	unsigned char status[ERRWIRE_MAX];
	char details[B64_LEN(ERRWIRE_MAX) + 1];
	size_t n;

	snprintf(code, sizeof(code), "%d", e->grpc);
	/* The same "text (ID)" as the REST body's message. */
	if (err_message(kind, message, sizeof(message)) != 0)
		return -1;
	if (grpcweb_percent_encode(message, encoded, sizeof(encoded)) != 0)
		return -1;
	/* google.rpc.Status with the ErrorDetail; binary headers: base64. */
	n = errwire_status(kind, status, sizeof(status));
	if (n == 0)
		return -1;
	b64_encode(status, n, details, B64_UNPADDED);
	if (response_header(resp, "grpc-status", code) != 0 ||
	    response_header(resp, "grpc-message", encoded) != 0 ||
	    response_header(resp, "grpc-status-details-bin", details) != 0)
		return -1;
	return 0;
}

static int
grpcweb_error(int form, const struct call *c, enum err kind,
    struct response *resp)
{
	(void)c;
	/* gRPC-web: errors need HTTP 200, or the client drops grpc-status. */
	resp->status = 200;
	resp->content_type = content_type(form);
	resp->body = NULL;
	resp->body_len = 0;
	return grpcweb_status_headers(resp, kind);
}

const struct codec codec_grpcweb = {
	"grpc-web", grpcweb_form, grpcweb_decode, grpcweb_encode,
	grpcweb_error
};
