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
#include "proto.h"
#include "secret.h"

/* The trailer frame of a success (gRPC-web: HTTP/1 style header lines). */
static const char trailer_ok[] = "grpc-status:0\r\ngrpc-message:\r\n";

/* Type and subtype are case-insensitive (RFC 9110 8.3.1). */
static int
type_is(const char *ct, size_t n, const char *type)
{
	return n == strlen(type) && strncasecmp(ct, type, n) == 0;
}

static int
grpcweb_form(const char *ct)
{
	size_t n;

	if (ct == NULL)
		return -1;
	n = strcspn(ct, "; \t");
	if (type_is(ct, n, "application/grpc-web") ||
	    type_is(ct, n, "application/grpc-web+proto"))
		return GRPCWEB_BINARY;
	if (type_is(ct, n, "application/grpc-web-text") ||
	    type_is(ct, n, "application/grpc-web-text+proto"))
		return GRPCWEB_TEXT;
	return -1;
}

int
grpcweb_is_native(const char *ct)
{
	static const char plus[] = "application/grpc+";
	size_t n;

	if (ct == NULL)
		return 0;
	n = strcspn(ct, "; \t");
	/* gRPC over HTTP/2: "application/grpc" [("+proto" / "+json" / ...)] */
	return type_is(ct, n, "application/grpc") ||
	    (n > sizeof(plus) - 1 &&
	    strncasecmp(ct, plus, sizeof(plus) - 1) == 0 &&
	    grpcweb_form(ct) < 0);
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
	return proto_decode(p + GRPCWEB_FRAME_HEADER, mlen, c);
}

static enum err
grpcweb_decode(int form, const struct request *req, struct call *c)
{
	unsigned char *raw;
	size_t len = req->body != NULL ? req->body_len : 0;
	long n;
	enum err e;

	if (form != GRPCWEB_TEXT)
		return decode_frame((const unsigned char *)req->body, len, c);
	raw = malloc(len / 4 * 3 + 1);
	if (raw == NULL)
		return ERR_INTERNAL;
	/* A client may send separately encoded chunks back to back. */
	n = b64_decode(req->body, len, raw, len / 4 * 3, B64_CHUNKED);
	e = n < 0 ? ERR_BAD_BODY : decode_frame(raw, (size_t)n, c);
	free(raw);
	return e;
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
grpcweb_encode(int form, const struct call *c, const struct outcome *o,
    struct response *resp)
{
	size_t tlen = sizeof(trailer_ok) - 1, mlen = 0, total;
	unsigned char *frames;
	char *text;
	int rc = -1;

	/* The message between its frame header and the trailer frame. */
	frames = proto_response(c, o, GRPCWEB_FRAME_HEADER,
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
	char code[16], message[GRPCWEB_MESSAGE_MAX];
	char encoded[3 * GRPCWEB_MESSAGE_MAX + 1];
	unsigned char status[PROTO_ERROR_MAX];
	char details[B64_LEN(PROTO_ERROR_MAX) + 1];
	size_t n;
	int k;

	snprintf(code, sizeof(code), "%d", e->grpc);
	/* The same "text (ID)" as the REST body's message. */
	k = snprintf(message, sizeof(message), "%s (%s)", e->text, e->id);
	if (k < 0 || (size_t)k >= sizeof(message))
		return -1;
	if (grpcweb_percent_encode(message, encoded, sizeof(encoded)) != 0)
		return -1;
	/* google.rpc.Status with the ErrorDetail; binary headers: base64. */
	n = proto_status(kind, status, sizeof(status));
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
grpcweb_error(int form, enum err kind, struct response *resp)
{
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
