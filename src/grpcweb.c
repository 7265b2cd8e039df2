/*
 * grpcweb.c - gRPC-web in, gRPC-web out (SPEC sections 1 and 6).
 *
 * The only module that touches protobuf-c.  A request is exactly one
 * uncompressed data frame holding RegenerateOIDCClientSecretRequest
 * (application/grpc-web-text: the same bytes, base64); anything else in the
 * body is INVALID_ARGUMENT (ERR_BAD_BODY), as a bad REST body is.  The
 * answer is HTTP 200 always: a data frame and a trailer frame on success,
 * trailers-only (grpc-status and grpc-message as headers, empty body) on
 * error, since a gRPC-web client maps any other status to its own code and
 * drops grpc-status.  The clear secret is packed straight into the response
 * body, which response_free() wipes; protobuf-c's pack allocates nothing.
 */
#include "grpcweb.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "management.pb-c.h"
#include "secret.h"

typedef Zitadel__Management__V1__RegenerateOIDCClientSecretRequest pb_request;
typedef Zitadel__Management__V1__RegenerateOIDCClientSecretResponse pb_response;
typedef Zitadel__V1__ObjectDetails pb_details;
typedef Google__Protobuf__Timestamp pb_timestamp;

/* protobuf-c's generated names, shortened. */
#define request_unpack \
	zitadel__management__v1__regenerate_oidcclient_secret_request__unpack
#define request_free_unpacked \
	zitadel__management__v1__regenerate_oidcclient_secret_request__free_unpacked
#define response_packed_size \
	zitadel__management__v1__regenerate_oidcclient_secret_response__get_packed_size
#define response_pack \
	zitadel__management__v1__regenerate_oidcclient_secret_response__pack
#define PB_RESPONSE_INIT \
	ZITADEL__MANAGEMENT__V1__REGENERATE_OIDCCLIENT_SECRET_RESPONSE__INIT

/* The trailer frame of a success (grpc-web PROTOCOL-WEB.md: HTTP/1 headers). */
static const char trailer_ok[] = "grpc-status:0\r\ngrpc-message:\r\n";

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Type and subtype are case-insensitive (RFC 9110 8.3.1). */
static int
type_is(const char *ct, size_t n, const char *type)
{
	return n == strlen(type) && strncasecmp(ct, type, n) == 0;
}

enum grpcweb_mode
grpcweb_mode(const char *ct)
{
	static const char native_plus[] = "application/grpc+";
	size_t n;

	if (ct == NULL)
		return GRPCWEB_UNSUPPORTED;
	n = strcspn(ct, "; \t");
	if (type_is(ct, n, "application/grpc-web") ||
	    type_is(ct, n, "application/grpc-web+proto"))
		return GRPCWEB_BINARY;
	if (type_is(ct, n, "application/grpc-web-text") ||
	    type_is(ct, n, "application/grpc-web-text+proto"))
		return GRPCWEB_TEXT;
	/* gRPC over HTTP/2: "application/grpc" [("+proto" / "+json" / ...)] */
	if (type_is(ct, n, "application/grpc") ||
	    (n > sizeof(native_plus) - 1 &&
	    strncasecmp(ct, native_plus, sizeof(native_plus) - 1) == 0))
		return GRPCWEB_NATIVE;
	return GRPCWEB_UNSUPPORTED;
}

const char *
grpcweb_content_type(enum grpcweb_mode mode)
{
	return mode == GRPCWEB_TEXT ? "application/grpc-web-text+proto" :
	    "application/grpc-web+proto";
}

/* --- base64 (RFC 4648 section 4), for application/grpc-web-text --- */

static int
b64_value(unsigned char c)
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
 * Decodes padded base64 into out (room for len / 4 * 3 bytes).  Padding may
 * end any 4-character group, not only the last: a grpc-web-text client may
 * send separately encoded chunks back to back (PROTOCOL-WEB.md).
 */
static int
b64_decode(const char *in, size_t len, unsigned char *out, size_t *outlen)
{
	size_t i, k, o = 0;
	int v[4], pad;

	if (len % 4 != 0)
		return -1;
	for (i = 0; i < len; i += 4) {
		pad = 0;
		for (k = 0; k < 4; k++) {
			if (in[i + k] == '=') {
				/* "x===" and "====" carry no whole byte. */
				if (k < 2)
					return -1;
				pad++;
				v[k] = 0;
				continue;
			}
			if (pad > 0)
				return -1;
			if ((v[k] = b64_value((unsigned char)in[i + k])) < 0)
				return -1;
		}
		out[o++] = (unsigned char)(v[0] << 2 | v[1] >> 4);
		if (pad < 2)
			out[o++] = (unsigned char)((v[1] & 0x0f) << 4 | v[2] >> 2);
		if (pad < 1)
			out[o++] = (unsigned char)((v[2] & 0x03) << 6 | v[3]);
	}
	*outlen = o;
	return 0;
}

/* Padded base64 of len bytes; out holds 4 * ((len + 2) / 3) + 1 bytes. */
static size_t
b64_encode(const unsigned char *in, size_t len, char *out)
{
	size_t i, o = 0;
	uint32_t v;

	for (i = 0; i + 2 < len; i += 3) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		out[o++] = b64_alphabet[v >> 18 & 0x3f];
		out[o++] = b64_alphabet[v >> 12 & 0x3f];
		out[o++] = b64_alphabet[v >> 6 & 0x3f];
		out[o++] = b64_alphabet[v & 0x3f];
	}
	if (i < len) {
		v = (uint32_t)in[i] << 16;
		if (i + 1 < len)
			v |= (uint32_t)in[i + 1] << 8;
		out[o++] = b64_alphabet[v >> 18 & 0x3f];
		out[o++] = b64_alphabet[v >> 12 & 0x3f];
		out[o++] = i + 1 < len ? b64_alphabet[v >> 6 & 0x3f] : '=';
		out[o++] = '=';
	}
	out[o] = '\0';
	return o;
}

/* --- the request --- */

/* One data frame, the whole of p: nothing compressed, nothing after it. */
static enum err
decode_frame(const unsigned char *p, size_t n, struct grpcweb_request *out)
{
	pb_request *m;
	size_t mlen;

	/* Check the length before reading the header (STYLE.md habit 2). */
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
	m = request_unpack(NULL, mlen, p + GRPCWEB_FRAME_HEADER);
	if (m == NULL)
		return ERR_BAD_BODY;
	/* route_check_id() judges the characters; ID_BYTES bounds the bytes. */
	if (m->project_id.len > ID_BYTES || m->app_id.len > ID_BYTES) {
		request_free_unpacked(m, NULL);
		return ERR_BAD_BODY;
	}
	out->msg = m;
	out->project_id.p = (const char *)m->project_id.data;
	out->project_id.n = m->project_id.len;
	out->app_id.p = (const char *)m->app_id.data;
	out->app_id.n = m->app_id.len;
	return ERR_OK;
}

enum err
grpcweb_decode(enum grpcweb_mode mode, const char *body, size_t len,
    struct grpcweb_request *out)
{
	unsigned char *raw = NULL;
	size_t n = len;
	enum err e;

	memset(out, 0, sizeof(*out));
	if (body == NULL)
		len = 0;
	if (mode != GRPCWEB_TEXT)
		return decode_frame((const unsigned char *)body, len, out);
	raw = malloc(len / 4 * 3 + 1);
	if (raw == NULL)
		return ERR_INTERNAL;
	if (b64_decode(body, len, raw, &n) != 0)
		e = ERR_BAD_BODY;
	else
		e = decode_frame(raw, n, out);
	free(raw);
	return e;
}

void
grpcweb_request_free(struct grpcweb_request *r)
{
	if (r->msg != NULL)
		request_free_unpacked(r->msg, NULL);
	memset(r, 0, sizeof(*r));
}

/* --- the response --- */

static void
frame_header(unsigned char *p, unsigned char flag, size_t len)
{
	p[0] = flag;
	p[1] = (unsigned char)(len >> 24);
	p[2] = (unsigned char)(len >> 16);
	p[3] = (unsigned char)(len >> 8);
	p[4] = (unsigned char)len;
}

int
grpcweb_encode_outcome(enum grpcweb_mode mode, const struct outcome *o,
    struct response *resp)
{
	pb_response msg = PB_RESPONSE_INIT;
	pb_details details = ZITADEL__V1__OBJECT_DETAILS__INIT;
	pb_timestamp created = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
	pb_timestamp changed = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
	unsigned char *frames = NULL;
	char *text = NULL;
	size_t mlen, tlen = sizeof(trailer_ok) - 1, total;
	int rc = -1;

	created.seconds = o->creation_date.sec;
	created.nanos = o->creation_date.nsec;
	changed.seconds = o->change_date.sec;
	changed.nanos = o->change_date.nsec;
	details.sequence = o->sequence;
	details.creation_date = &created;
	details.change_date = &changed;
	/* protobuf-c's fields are not const, but pack only reads them. */
	details.resource_owner = (char *)o->resource_owner;
	msg.client_secret = (char *)o->client_secret;
	msg.details = &details;

	mlen = response_packed_size(&msg);
	if (mlen > UINT32_MAX)
		return -1;
	total = GRPCWEB_FRAME_HEADER + mlen + GRPCWEB_FRAME_HEADER + tlen;
	frames = malloc(total);
	if (frames == NULL)
		return -1;
	frame_header(frames, 0x00, mlen);
	if (response_pack(&msg, frames + GRPCWEB_FRAME_HEADER) != mlen)
		goto out;
	frame_header(frames + GRPCWEB_FRAME_HEADER + mlen, GRPCWEB_FLAG_TRAILER,
	    tlen);
	memcpy(frames + 2 * GRPCWEB_FRAME_HEADER + mlen, trailer_ok, tlen);
	if (mode == GRPCWEB_TEXT) {
		/* Both frames as one base64 string; the staging is wiped. */
		text = malloc(4 * ((total + 2) / 3) + 1);
		if (text == NULL)
			goto out;
		resp->body_len = b64_encode(frames, total, text);
		resp->body = text;
	} else {
		resp->body = (char *)frames;
		resp->body_len = total;
		frames = NULL;
	}
	resp->status = 200;
	resp->content_type = grpcweb_content_type(mode);
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
	int n;

	snprintf(code, sizeof(code), "%d", e->grpc);
	/* The same "text (ID)" as the REST body's message (SPEC section 4). */
	n = snprintf(message, sizeof(message), "%s (%s)", e->text, e->id);
	if (n < 0 || (size_t)n >= sizeof(message))
		return -1;
	if (grpcweb_percent_encode(message, encoded, sizeof(encoded)) != 0)
		return -1;
	if (response_header(resp, "grpc-status", code) != 0 ||
	    response_header(resp, "grpc-message", encoded) != 0)
		return -1;
	return 0;
}

int
grpcweb_encode_error(enum grpcweb_mode mode, enum err kind,
    struct response *resp)
{
	/* grpc-web: errors need HTTP 200, or the client drops grpc-status. */
	resp->status = 200;
	resp->content_type = grpcweb_content_type(mode);
	resp->body = NULL;
	resp->body_len = 0;
	return grpcweb_status_headers(resp, kind);
}
