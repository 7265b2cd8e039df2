/*
 * test_grpcweb.c - the gRPC-web codec (src/grpcweb.c): framing, the four
 * calls' request messages, base64 text mode, the answer's frames, and the
 * trailers-only errors with grpc-status-details-bin; and its branch of
 * dispatch() up to the service.
 *
 * Expected response bytes come from @bufbuild/protobuf's toBinary() with
 * ZITADEL's published schema (@zitadel/proto 1.3.1), not from protobuf-c,
 * so the encoder is checked against an independent implementation.  Every
 * single-byte change of a good request is checked against a reading of the
 * frame and the protobuf wire format written here, apart from the codec:
 * each change must give exactly the outcome and the IDs that reading
 * gives.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "dispatch.h"
#include "error.h"
#include "grpcweb.h"
#include "management.pb-c.h"
#include "request.h"
#include "service.h"
#include "wire.h"

/* protobuf-c's generated names, shortened. */
#define OIDC_RESP(fn) \
	zitadel__management__v1__regenerate_oidcclient_secret_response__ ## fn

/*
 * RegenerateOIDCClientSecretRequest{project_id: "69629026806489455",
 * app_id: "69629026806489456"}
 */
#define PROJECT "69629026806489455"
#define APP "69629026806489456"
static const unsigned char good_msg[] = {
	0x0a, 0x11, '6', '9', '6', '2', '9', '0', '2', '6', '8', '0', '6', '4',
	'8', '9', '4', '5', '5',
	0x12, 0x11, '6', '9', '6', '2', '9', '0', '2', '6', '8', '0', '6', '4',
	'8', '9', '4', '5', '6'
};

/* --- helpers --- */

/* A frame with the given flag and declared length around msg. */
static size_t
frame(unsigned char *out, unsigned char flag, uint32_t declared,
    const void *msg, size_t len)
{
	out[0] = flag;
	out[1] = (unsigned char)(declared >> 24);
	out[2] = (unsigned char)(declared >> 16);
	out[3] = (unsigned char)(declared >> 8);
	out[4] = (unsigned char)declared;
	if (len > 0)
		memcpy(out + 5, msg, len);
	return 5 + len;
}

static size_t
good_frame(unsigned char *out)
{
	return frame(out, 0x00, sizeof(good_msg), good_msg, sizeof(good_msg));
}

/* The codec's decode of body for rpc, into a fresh call. */
static enum err
dec(enum rpc rpc, int form, const void *body, size_t len, struct call *c)
{
	struct request req;

	memset(c, 0, sizeof(*c));
	c->rpc = rpc;
	memset(&req, 0, sizeof(req));
	req.body = (char *)(uintptr_t)body;
	req.body_len = len;
	return codec_grpcweb.decode(form, &req, c);
}

/* The OIDC call's decode; a refusal leaves no IDs behind. */
static enum err
decode(int form, const void *body, size_t len)
{
	struct call c;
	enum err e = dec(RPC_V1_OIDC, form, body, len, &c);

	if (e != ERR_OK) {
		assert_int_equal(c.project_id.n, 0);
		assert_int_equal(c.app_id.n, 0);
	}
	return e;
}

static void
assert_slice(struct slice s, const char *want, size_t n)
{
	assert_int_equal(s.n, n);
	if (n > 0)
		assert_memory_equal(s.p, want, n);
}

static const char *
header(const struct response *resp, const char *name)
{
	size_t i;

	for (i = 0; i < resp->nheader; i++)
		if (strcmp(resp->header[i].name, name) == 0)
			return resp->header[i].value;
	return NULL;
}

/* Standard padded base64, written independently of src/b64.c. */
static char *
base64(const unsigned char *in, size_t len)
{
	static const char a[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *out = malloc(4 * ((len + 2) / 3) + 1), *o = out;
	size_t i;

	assert_non_null(out);
	for (i = 0; i < len; i += 3) {
		unsigned long v = (unsigned long)in[i] << 16;

		if (i + 1 < len)
			v |= (unsigned long)in[i + 1] << 8;
		if (i + 2 < len)
			v |= in[i + 2];
		*o++ = a[v >> 18 & 63];
		*o++ = a[v >> 12 & 63];
		*o++ = i + 1 < len ? a[v >> 6 & 63] : '=';
		*o++ = i + 2 < len ? a[v & 63] : '=';
	}
	*o = '\0';
	return out;
}

/* --- content types --- */

static void
test_form(void **state)
{
	static const struct {
		const char *ct;
		int form;
		int native;
	} types[] = {
		{ "application/grpc-web", GRPCWEB_BINARY, 0 },
		{ "application/grpc-web+proto", GRPCWEB_BINARY, 0 },
		{ "Application/GRPC-Web+Proto", GRPCWEB_BINARY, 0 },
		{ "application/grpc-web+proto; charset=x", GRPCWEB_BINARY, 0 },
		{ "application/grpc-web-text", GRPCWEB_TEXT, 0 },
		{ "application/grpc-web-text+proto", GRPCWEB_TEXT, 0 },
		{ "application/grpc-web-text ;x=y", GRPCWEB_TEXT, 0 },
		{ "application/grpc", -1, 1 },
		{ "application/grpc+proto", -1, 1 },
		{ "application/grpc+json", -1, 1 },
		{ "application/grpc; charset=utf-8", -1, 1 },
		{ "application/grpc+", -1, 0 },
		{ "application/grpc-web+json", -1, 0 },
		{ "application/grpc-webx", -1, 0 },
		{ "application/grpcx", -1, 0 },
		{ "application/json", -1, 0 },
		{ "application/proto", -1, 0 },
		{ "", -1, 0 },
	};
	size_t i;

	(void)state;
	assert_string_equal(codec_grpcweb.name, "grpc-web");
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		if (codec_grpcweb.form(types[i].ct) != types[i].form)
			fail_msg("%s: form %d", types[i].ct,
			    codec_grpcweb.form(types[i].ct));
		if (grpcweb_is_native(types[i].ct) != types[i].native)
			fail_msg("%s: native %d", types[i].ct,
			    grpcweb_is_native(types[i].ct));
	}
	assert_int_equal(codec_grpcweb.form(NULL), -1);
	assert_int_equal(grpcweb_is_native(NULL), 0);
}

/* --- decoding: good requests --- */

static void
test_decode_binary(void **state)
{
	unsigned char body[64];
	struct call r;
	size_t n = good_frame(body);

	(void)state;
	assert_int_equal(dec(RPC_V1_OIDC, GRPCWEB_BINARY, body, n, &r), ERR_OK);
	assert_slice(r.project_id, PROJECT, strlen(PROJECT));
	assert_slice(r.app_id, APP, strlen(APP));
	/* The IDs are copies: the body may go. */
	memset(body, 0, sizeof(body));
	assert_slice(r.project_id, PROJECT, strlen(PROJECT));
	assert_int_equal(r.msg_kind, MSG_KIND_NONE);
	assert_true(r.deadline_ns == 0);
}

static void
test_decode_text(void **state)
{
	unsigned char body[64];
	struct call r;
	char *b64 = base64(body, good_frame(body));

	(void)state;
	assert_int_equal(dec(RPC_V1_OIDC, GRPCWEB_TEXT, b64, strlen(b64), &r),
	    ERR_OK);
	assert_slice(r.project_id, PROJECT, strlen(PROJECT));
	assert_slice(r.app_id, APP, strlen(APP));
	free(b64);
}

/* Separately encoded chunks back to back: padding inside the stream. */
static void
test_decode_text_chunks(void **state)
{
	unsigned char body[64];
	struct call r;
	char *a, *b, joined[128];

	(void)state;
	good_frame(body);
	a = base64(body, 5);			/* the header: "AAAAACY=" */
	b = base64(body + 5, sizeof(good_msg));
	assert_string_equal(a, "AAAAACY=");
	snprintf(joined, sizeof(joined), "%s%s", a, b);
	assert_int_equal(dec(RPC_V1_OIDC, GRPCWEB_TEXT, joined, strlen(joined),
	    &r), ERR_OK);
	assert_slice(r.project_id, PROJECT, strlen(PROJECT));
	assert_slice(r.app_id, APP, strlen(APP));
	free(a);
	free(b);
}

/* Each call's request message, with its own field numbers. */
static void
test_decode_every_rpc(void **state)
{
	/* management.v1: project_id = 1, app_id = 2, for OIDC and API. */
	static const unsigned char v1[] = {
		0x0a, 0x02, 'p', '1', 0x12, 0x02, 'a', '1'
	};
	/* application.v2: application_id = 1, project_id = 2. */
	static const unsigned char v2[] = {
		0x0a, 0x02, 'a', '2', 0x12, 0x02, 'p', '2'
	};
	/* app.v2beta: project_id = 1, application_id = 2, the oneof 3, 4. */
	static const struct {
		unsigned char msg[16];
		size_t len;
		enum msg_kind kind;
	} beta[] = {
		{ { 0x0a, 1, 'p', 0x12, 1, 'a' }, 6, MSG_KIND_NONE },
		{ { 0x0a, 1, 'p', 0x12, 1, 'a', 0x18, 1 }, 8, MSG_KIND_OIDC },
		{ { 0x0a, 1, 'p', 0x12, 1, 'a', 0x20, 1 }, 8, MSG_KIND_API },
		/* The member's case counts, whatever its value. */
		{ { 0x0a, 1, 'p', 0x12, 1, 'a', 0x18, 0 }, 8, MSG_KIND_OIDC },
		{ { 0x0a, 1, 'p', 0x12, 1, 'a', 0x20, 0 }, 8, MSG_KIND_API },
		/* Both on the wire: the last one wins, as protobuf says. */
		{ { 0x18, 1, 0x20, 1, 0x0a, 1, 'p', 0x12, 1, 'a' }, 10,
		    MSG_KIND_API },
		{ { 0x20, 1, 0x0a, 1, 'p', 0x12, 1, 'a', 0x18, 1 }, 10,
		    MSG_KIND_OIDC },
	};
	unsigned char body[64];
	struct call r;
	size_t i, n;

	(void)state;
	n = frame(body, 0, sizeof(v1), v1, sizeof(v1));
	assert_int_equal(dec(RPC_V1_OIDC, GRPCWEB_BINARY, body, n, &r),
	    ERR_OK);
	assert_slice(r.project_id, "p1", 2);
	assert_slice(r.app_id, "a1", 2);
	assert_int_equal(dec(RPC_V1_API, GRPCWEB_BINARY, body, n, &r), ERR_OK);
	assert_slice(r.project_id, "p1", 2);
	assert_slice(r.app_id, "a1", 2);
	n = frame(body, 0, sizeof(v2), v2, sizeof(v2));
	assert_int_equal(dec(RPC_V2, GRPCWEB_BINARY, body, n, &r), ERR_OK);
	assert_slice(r.project_id, "p2", 2);
	assert_slice(r.app_id, "a2", 2);
	for (i = 0; i < sizeof(beta) / sizeof(beta[0]); i++) {
		n = frame(body, 0, (uint32_t)beta[i].len, beta[i].msg,
		    beta[i].len);
		assert_int_equal(dec(RPC_V2BETA, GRPCWEB_BINARY, body, n, &r),
		    ERR_OK);
		assert_slice(r.project_id, "p", 1);
		assert_slice(r.app_id, "a", 1);
		if (r.msg_kind != beta[i].kind)
			fail_msg("v2beta message %zu: kind %d, want %d", i,
			    (int)r.msg_kind, (int)beta[i].kind);
	}
	/* The oneof is v2beta's: to the other calls field 3 is unknown. */
	n = frame(body, 0, (uint32_t)beta[1].len, beta[1].msg, beta[1].len);
	assert_int_equal(dec(RPC_V1_OIDC, GRPCWEB_BINARY, body, n, &r),
	    ERR_OK);
	assert_int_equal(r.msg_kind, MSG_KIND_NONE);
	assert_int_equal(dec(RPC_V2, GRPCWEB_BINARY, body, n, &r), ERR_OK);
	assert_int_equal(r.msg_kind, MSG_KIND_NONE);
	assert_slice(r.project_id, "a", 1);	/* v2's field 2 */
	/* A call out of range is no call. */
	n = frame(body, 0, sizeof(v1), v1, sizeof(v1));
	assert_int_equal(dec(RPC__COUNT, GRPCWEB_BINARY, body, n, &r),
	    ERR_INTERNAL);
}

static void
test_decode_unknown_fields(void **state)
{
	static const unsigned char msg[] = {
		0x18, 0x96, 0x01,			/* 3: varint 150 */
		0x0a, 0x01, 'p',			/* 1: "p" */
		0x7a, 0x03, 'x', 'y', 'z',		/* 15: bytes */
		0xa5, 0x06, 1, 2, 3, 4,			/* 100: fixed32 */
		0x12, 0x01, 'a',			/* 2: "a" */
		0x81, 0x01, 1, 2, 3, 4, 5, 6, 7, 8,	/* 16: fixed64 */
	};
	unsigned char body[64];
	struct call r;
	size_t n = frame(body, 0, sizeof(msg), msg, sizeof(msg));

	(void)state;
	assert_int_equal(dec(RPC_V1_OIDC, GRPCWEB_BINARY, body, n, &r), ERR_OK);
	assert_slice(r.project_id, "p", 1);
	assert_slice(r.app_id, "a", 1);
}

/* An empty message is well formed: the service answers "ID missing". */
static void
test_decode_empty_message(void **state)
{
	unsigned char body[8];
	struct call r;
	size_t n = frame(body, 0, 0, NULL, 0);

	(void)state;
	assert_int_equal(dec(RPC_V1_OIDC, GRPCWEB_BINARY, body, n, &r), ERR_OK);
	assert_int_equal(r.project_id.n, 0);
	assert_int_equal(r.app_id.n, 0);
}

/* A NUL inside an ID keeps the ID's length, for route_check_id to refuse. */
static void
test_decode_nul_kept(void **state)
{
	static const unsigned char msg[] = {
		0x0a, 0x03, 'a', 0x00, 'b', 0x12, 0x01, 'c'
	};
	unsigned char body[16];
	struct call r;
	size_t n = frame(body, 0, sizeof(msg), msg, sizeof(msg));

	(void)state;
	assert_int_equal(dec(RPC_V1_OIDC, GRPCWEB_BINARY, body, n, &r), ERR_OK);
	assert_slice(r.project_id, "a\0b", 3);
	assert_int_equal(route_check_id(r.project_id), ERR_INVALID_ARGUMENT);
}

/* A length-delimited field of len (128 .. 16383) bytes of c, at p. */
static size_t
long_field(unsigned char *p, unsigned char tag, size_t len, char c)
{
	p[0] = tag;
	p[1] = (unsigned char)(len | 0x80);	/* two-byte varint */
	p[2] = (unsigned char)(len >> 7);
	memset(p + 3, c, len);
	return 3 + len;
}

/* A framed request with a project_id of plen bytes, an app_id of alen. */
static size_t
sized_request(unsigned char *body, size_t plen, size_t alen)
{
	unsigned char msg[2 * ID_BYTES + 16];
	size_t n;

	n = long_field(msg, 0x0a, plen, 'p');
	n += long_field(msg + n, 0x12, alen, 'a');
	return frame(body, 0, (uint32_t)n, msg, n);
}

static void
test_decode_id_bytes_limit(void **state)
{
	unsigned char body[2 * ID_BYTES + 32];
	struct call r;
	size_t n;

	(void)state;
	n = sized_request(body, ID_BYTES, ID_BYTES);
	assert_int_equal(dec(RPC_V1_OIDC, GRPCWEB_BINARY, body, n, &r), ERR_OK);
	assert_int_equal(r.project_id.n, ID_BYTES);
	assert_int_equal(r.app_id.n, ID_BYTES);
}

/* --- decoding: every malformed request is INVALID_ARGUMENT --- */

static void
test_oversized_ids(void **state)
{
	unsigned char body[2 * ID_BYTES + 32];
	size_t n;

	(void)state;
	n = sized_request(body, ID_BYTES + 1, 200);
	assert_int_equal(decode(GRPCWEB_BINARY, body, n), ERR_BAD_BODY);
	n = sized_request(body, 200, ID_BYTES + 1);
	assert_int_equal(decode(GRPCWEB_BINARY, body, n), ERR_BAD_BODY);
	assert_int_equal(err_info(ERR_BAD_BODY)->grpc, GRPC_INVALID_ARGUMENT);
}

static void
test_empty_body(void **state)
{
	(void)state;
	assert_int_equal(decode(GRPCWEB_BINARY, "", 0), ERR_BAD_BODY);
	assert_int_equal(decode(GRPCWEB_BINARY, NULL, 0), ERR_BAD_BODY);
	assert_int_equal(decode(GRPCWEB_TEXT, "", 0), ERR_BAD_BODY);
}

static void
test_short_header(void **state)
{
	static const unsigned char zeros[4] = { 0 };
	size_t n;

	(void)state;
	for (n = 1; n < 5; n++)
		assert_int_equal(decode(GRPCWEB_BINARY, zeros, n),
		    ERR_BAD_BODY);
}

static void
test_length_larger_than_body(void **state)
{
	unsigned char body[64];
	size_t n;

	(void)state;
	n = frame(body, 0, sizeof(good_msg) + 1, good_msg, sizeof(good_msg));
	assert_int_equal(decode(GRPCWEB_BINARY, body, n), ERR_BAD_BODY);
	n = frame(body, 0, 0xffffffffu, good_msg, sizeof(good_msg));
	assert_int_equal(decode(GRPCWEB_BINARY, body, n), ERR_BAD_BODY);
	/* Cut short by the transport. */
	n = good_frame(body);
	assert_int_equal(decode(GRPCWEB_BINARY, body, n - 1), ERR_BAD_BODY);
}

static void
test_two_frames(void **state)
{
	unsigned char body[128];
	size_t n;

	(void)state;
	n = good_frame(body);
	n += good_frame(body + n);
	assert_int_equal(decode(GRPCWEB_BINARY, body, n), ERR_BAD_BODY);
	/* A trailer frame after the data frame. */
	n = good_frame(body);
	n += frame(body + n, 0x80, 0, NULL, 0);
	assert_int_equal(decode(GRPCWEB_BINARY, body, n), ERR_BAD_BODY);
}

static void
test_trailing_bytes(void **state)
{
	unsigned char body[64];
	size_t n;

	(void)state;
	n = good_frame(body);
	body[n++] = 0x00;
	assert_int_equal(decode(GRPCWEB_BINARY, body, n), ERR_BAD_BODY);
	/* Declared shorter than the message that follows. */
	n = frame(body, 0, sizeof(good_msg) - 1, good_msg, sizeof(good_msg));
	assert_int_equal(decode(GRPCWEB_BINARY, body, n), ERR_BAD_BODY);
}

static void
test_compressed_flag(void **state)
{
	unsigned char body[64];
	size_t n = frame(body, 0x01, sizeof(good_msg), good_msg,
	    sizeof(good_msg));

	(void)state;
	assert_int_equal(decode(GRPCWEB_BINARY, body, n), ERR_BAD_BODY);
}

static void
test_trailer_flag(void **state)
{
	static const char t[] = "grpc-status:0\r\n";
	unsigned char body[64];
	size_t n;

	(void)state;
	n = frame(body, 0x80, sizeof(t) - 1, t, sizeof(t) - 1);
	assert_int_equal(decode(GRPCWEB_BINARY, body, n), ERR_BAD_BODY);
	n = frame(body, 0x80, sizeof(good_msg), good_msg, sizeof(good_msg));
	assert_int_equal(decode(GRPCWEB_BINARY, body, n), ERR_BAD_BODY);
	n = frame(body, 0x81, sizeof(good_msg), good_msg, sizeof(good_msg));
	assert_int_equal(decode(GRPCWEB_BINARY, body, n), ERR_BAD_BODY);
}

static void
test_reserved_flags(void **state)
{
	unsigned char body[64];
	unsigned flag;
	size_t n;

	(void)state;
	for (flag = 1; flag < 256; flag++) {
		n = frame(body, (unsigned char)flag, sizeof(good_msg), good_msg,
		    sizeof(good_msg));
		assert_int_equal(decode(GRPCWEB_BINARY, body, n), ERR_BAD_BODY);
	}
}

static void
test_garbage_protobuf(void **state)
{
	static const struct {
		const char *what;
		unsigned char msg[8];
		size_t len;
	} bad[] = {
		{ "length past the end", { 0x0a, 0x05, 'a' }, 3 },
		{ "length varint cut", { 0x0a, 0x80 }, 2 },
		{ "varint too long", { 0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		    0xff }, 8 },
		{ "field 1 as varint", { 0x08, 0x01 }, 2 },
		{ "field 2 as fixed32", { 0x15, 1, 2, 3, 4 }, 5 },
		{ "field number 0", { 0x02, 0x00 }, 2 },
		{ "wire type 7", { 0x0f, 0x00 }, 2 },
		{ "fixed64 cut", { 0x19, 1, 2, 3 }, 4 },
		{ "a lone tag", { 0x0a }, 1 },
	};
	unsigned char body[32];
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		n = frame(body, 0, (uint32_t)bad[i].len, bad[i].msg,
		    bad[i].len);
		if (decode(GRPCWEB_BINARY, body, n) != ERR_BAD_BODY)
			fail_msg("accepted: %s", bad[i].what);
	}
}

static void
test_text_bad_base64(void **state)
{
	static const char *bad[] = {
		"AAAAACY",		/* not a multiple of 4 */
		"AAAAACY=\n",		/* a newline */
		"AAAA ACY",		/* a space */
		"AAAAAC*=",		/* not in the alphabet */
		"AAAAA===",		/* padding cannot hold a byte */
		"====",
		"AA=A",			/* a character after padding */
		"AAAAAA-_",		/* base64url */
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (decode(GRPCWEB_TEXT, bad[i],
		    strlen(bad[i])) != ERR_BAD_BODY)
			fail_msg("accepted: \"%s\"", bad[i]);
}

/* Text mode frames are checked like binary ones after base64. */
static void
test_text_framing(void **state)
{
	unsigned char body[64];
	char *b64;
	size_t n;

	(void)state;
	n = frame(body, 0x01, sizeof(good_msg), good_msg, sizeof(good_msg));
	b64 = base64(body, n);
	assert_int_equal(decode(GRPCWEB_TEXT, b64, strlen(b64)), ERR_BAD_BODY);
	free(b64);
	b64 = base64(body, 3);
	assert_int_equal(decode(GRPCWEB_TEXT, b64, strlen(b64)), ERR_BAD_BODY);
	free(b64);
	/* The binary frame itself is no base64. */
	n = good_frame(body);
	assert_int_equal(decode(GRPCWEB_TEXT, body, n), ERR_BAD_BODY);
}


/*
 * An independent reading of a request frame: flag 0, a length that is
 * the rest of the body, and a RegenerateOIDCClientSecretRequest in the
 * protobuf wire format (fields 1 and 2 length-delimited, the last of each
 * wins; any other field skipped by its wire type; wire types 3, 4, 6, 7
 * and field number 0 refused).
 */
struct reading {
	enum err e;
	const unsigned char *project, *app;
	size_t pn, an;
};

/* A varint of at most max bytes at p (n left): its length, or 0. */
static size_t
varint(const unsigned char *p, size_t n, size_t max, uint64_t *v)
{
	size_t i;

	*v = 0;
	for (i = 0; i < n && i < max; i++) {
		*v |= (uint64_t)(p[i] & 0x7f) << (7 * i);
		if ((p[i] & 0x80) == 0)
			return i + 1;
	}
	return 0;
}

static void
reading(const unsigned char *b, size_t n, struct reading *r)
{
	const unsigned char *p, *end = b + n;
	uint64_t key, v;
	size_t k;

	memset(r, 0, sizeof(*r));
	r->e = ERR_BAD_BODY;
	if (n < 5 || b[0] != 0x00 ||
	    ((size_t)b[1] << 24 | (size_t)b[2] << 16 | (size_t)b[3] << 8 |
	    b[4]) != n - 5)
		return;
	for (p = b + 5; p < end; ) {
		if ((k = varint(p, (size_t)(end - p), 5, &key)) == 0 ||
		    key >> 3 == 0)
			return;
		p += k;
		switch (key & 7) {
		case 0:
			if ((k = varint(p, (size_t)(end - p), 10, &v)) == 0)
				return;
			break;
		case 1:
			k = 8;
			break;
		case 2:
			if ((k = varint(p, (size_t)(end - p), 5, &v)) == 0 ||
			    v > (uint64_t)(end - p) - k)
				return;
			if (key >> 3 == 1) {
				r->project = p + k;
				r->pn = (size_t)v;
			} else if (key >> 3 == 2) {
				r->app = p + k;
				r->an = (size_t)v;
			}
			k += (size_t)v;
			break;
		case 5:
			k = 4;
			break;
		default:
			return;
		}
		/* Fields 1 and 2 are bytes: another wire type is wrong. */
		if ((key >> 3 == 1 || key >> 3 == 2) && (key & 7) != 2)
			return;
		if (k > (size_t)(end - p))
			return;
		p += k;
	}
	r->e = ERR_OK;
}

/*
 * Every prefix of a good body is refused; every single-byte change gives
 * exactly what the reading above gives: the same outcome, the same IDs.
 */
static void
test_mutations(void **state)
{
	unsigned char body[64], copy[64];
	size_t n = good_frame(body), i, oks = 0, bads = 0;
	struct reading want;
	struct call c;
	unsigned v;
	enum err e;

	(void)state;
	for (i = 0; i < n; i++)
		assert_int_equal(decode(GRPCWEB_BINARY, body, i), ERR_BAD_BODY);
	for (i = 0; i < n; i++)
		for (v = 0; v < 256; v++) {
			memcpy(copy, body, n);
			copy[i] = (unsigned char)v;
			reading(copy, n, &want);
			e = dec(RPC_V1_OIDC, GRPCWEB_BINARY, copy, n, &c);
			if (e != want.e)
				fail_msg("byte %zu = 0x%02x: %d, want %d", i, v,
				    (int)e, (int)want.e);
			if (e != ERR_OK) {
				assert_int_equal(c.project_id.n, 0);
				assert_int_equal(c.app_id.n, 0);
				bads++;
				continue;
			}
			oks++;
			if (c.project_id.n != want.pn ||
			    c.app_id.n != want.an ||
			    (want.pn > 0 && memcmp(c.project_id.p,
			    want.project, want.pn) != 0) ||
			    (want.an > 0 && memcmp(c.app_id.p, want.app,
			    want.an) != 0))
				fail_msg("byte %zu = 0x%02x: IDs differ", i, v);
		}
	/* Both outcomes occur: the reading is no constant. */
	assert_true(oks > 34 * 255);
	assert_true(bads > 5 * 255);
}

/* --- encoding --- */

/* toBinary(RegenerateOIDCClientSecretResponseSchema, ...) of fixed_outcome() */
static const unsigned char want_msg[] = {
	0x0a, 0x0c, 0x73, 0x33, 0x63, 0x72, 0x33, 0x74, 0x53, 0x33, 0x43, 0x52,
	0x33, 0x54, 0x12, 0x30, 0x08, 0x07, 0x12, 0x0b, 0x08, 0xc0, 0xae, 0xa5,
	0xd8, 0x06, 0x10, 0x80, 0x94, 0xef, 0x3a, 0x1a, 0x0c, 0x08, 0xa7, 0x84,
	0xa6, 0xd8, 0x06, 0x10, 0x80, 0xca, 0xb5, 0xee, 0x01, 0x22, 0x11, 0x36,
	0x39, 0x36, 0x32, 0x39, 0x30, 0x32, 0x33, 0x39, 0x30, 0x36, 0x34, 0x38,
	0x38, 0x33, 0x33, 0x34
};
static const char want_trailer[] = "grpc-status:0\r\ngrpc-message:\r\n";

static void
fixed_outcome(struct outcome *o)
{
	memset(o, 0, sizeof(*o));
	snprintf(o->client_secret, sizeof(o->client_secret), "s3cr3tS3CR3T");
	o->sequence = 7;
	/* 2026-11-27T10:11:12.123456Z */
	o->creation_date.sec = 1795774272;
	o->creation_date.nsec = 123456000;
	o->change_date.sec = 1795785255;	/* 2026-11-27T13:14:15.5Z */
	o->change_date.nsec = 500000000;
	snprintf(o->resource_owner, sizeof(o->resource_owner),
	    "69629023906488334");
}

static size_t
want_frames(unsigned char *out, const unsigned char *msg, size_t len)
{
	size_t n = frame(out, 0x00, (uint32_t)len, msg, len);

	return n + frame(out + n, 0x80, sizeof(want_trailer) - 1, want_trailer,
	    sizeof(want_trailer) - 1);
}

/*
 * The v2 calls' answer for fixed_outcome(): client_secret = 1, and
 * creation_date = 2 holding this change's time, the same Timestamp bytes
 * as ObjectDetails.change_date in want_msg.
 */
static const unsigned char want_v2[] = {
	0x0a, 0x0c, 0x73, 0x33, 0x63, 0x72, 0x33, 0x74, 0x53, 0x33, 0x43, 0x52,
	0x33, 0x54, 0x12, 0x0c, 0x08, 0xa7, 0x84, 0xa6, 0xd8, 0x06, 0x10, 0x80,
	0xca, 0xb5, 0xee, 0x01
};

static int
encode(enum rpc rpc, int form, const struct outcome *o,
    struct response *resp)
{
	struct call c;

	memset(&c, 0, sizeof(c));
	c.rpc = rpc;
	memset(resp, 0, sizeof(*resp));
	return codec_grpcweb.encode(form, &c, o, resp);
}

static void
test_encode_outcome_bytes(void **state)
{
	static const struct {
		enum rpc rpc;
		const unsigned char *msg;
		size_t len;
	} calls[] = {
		{ RPC_V1_OIDC, want_msg, sizeof(want_msg) },
		/* RegenerateAPIClientSecretResponse: the same fields. */
		{ RPC_V1_API, want_msg, sizeof(want_msg) },
		{ RPC_V2, want_v2, sizeof(want_v2) },
		{ RPC_V2BETA, want_v2, sizeof(want_v2) },
	};
	unsigned char want[128];
	struct response resp;
	struct outcome o;
	size_t i, n;

	(void)state;
	fixed_outcome(&o);
	for (i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		n = want_frames(want, calls[i].msg, calls[i].len);
		assert_int_equal(encode(calls[i].rpc, GRPCWEB_BINARY, &o,
		    &resp),
		    0);
		assert_int_equal(resp.status, 200);
		assert_string_equal(resp.content_type,
		    "application/grpc-web+proto");
		assert_int_equal(resp.nheader, 0);
		assert_int_equal(resp.body_len, n);
		assert_memory_equal(resp.body, want, n);
		response_free(&resp);
	}
	/* The data frame's header: flag 0, 64 bytes; then the trailer's. */
	assert_int_equal(encode(RPC_V1_OIDC, GRPCWEB_BINARY, &o, &resp), 0);
	assert_memory_equal(resp.body, "\x00\x00\x00\x00\x40", 5);
	assert_memory_equal(resp.body + 5 + 64, "\x80\x00\x00\x00\x1e", 5);
	response_free(&resp);
}

static void
test_encode_outcome_roundtrip(void **state)
{
	Zitadel__Management__V1__RegenerateOIDCClientSecretResponse *m;
	struct response resp;
	struct outcome o;
	uint32_t len;

	(void)state;
	fixed_outcome(&o);
	o.sequence = UINT64_MAX;
	o.creation_date.nsec = 0;	/* proto3 leaves zero fields out */
	assert_int_equal(encode(RPC_V1_OIDC, GRPCWEB_BINARY, &o, &resp), 0);
	len = (uint32_t)(unsigned char)resp.body[1] << 24 |
	    (uint32_t)(unsigned char)resp.body[2] << 16 |
	    (uint32_t)(unsigned char)resp.body[3] << 8 |
	    (uint32_t)(unsigned char)resp.body[4];
	assert_int_equal(5 + len + 5 + sizeof(want_trailer) - 1, resp.body_len);
	m = OIDC_RESP(unpack)(NULL, len, (const uint8_t *)resp.body + 5);
	assert_non_null(m);
	assert_string_equal(m->client_secret, "s3cr3tS3CR3T");
	assert_non_null(m->details);
	assert_true(m->details->sequence == UINT64_MAX);
	assert_non_null(m->details->creation_date);
	assert_int_equal(m->details->creation_date->seconds, 1795774272);
	assert_int_equal(m->details->creation_date->nanos, 0);
	assert_non_null(m->details->change_date);
	assert_int_equal(m->details->change_date->seconds, 1795785255);
	assert_int_equal(m->details->change_date->nanos, 500000000);
	assert_string_equal(m->details->resource_owner, "69629023906488334");
	OIDC_RESP(free_unpacked)(m, NULL);
	response_free(&resp);
}

static void
test_encode_outcome_text(void **state)
{
	unsigned char want[128];
	struct response resp;
	struct outcome o;
	char *b64;

	(void)state;
	fixed_outcome(&o);
	b64 = base64(want, want_frames(want, want_msg, sizeof(want_msg)));
	assert_int_equal(encode(RPC_V1_OIDC, GRPCWEB_TEXT, &o, &resp), 0);
	assert_int_equal(resp.status, 200);
	assert_string_equal(resp.content_type,
	    "application/grpc-web-text+proto");
	assert_int_equal(resp.body_len, strlen(b64));
	assert_memory_equal(resp.body, b64, resp.body_len);
	response_free(&resp);
	free(b64);
	b64 = base64(want, want_frames(want, want_v2, sizeof(want_v2)));
	assert_int_equal(encode(RPC_V2BETA, GRPCWEB_TEXT, &o, &resp), 0);
	assert_int_equal(resp.body_len, strlen(b64));
	assert_memory_equal(resp.body, b64, resp.body_len);
	response_free(&resp);
	free(b64);
}

/* A secret of every length up to SECRET_MAX: the frame length follows. */
static void
test_encode_outcome_lengths(void **state)
{
	struct response resp;
	struct outcome o;
	size_t len, n;

	(void)state;
	for (len = 0; len <= SECRET_MAX; len++) {
		fixed_outcome(&o);
		memset(o.client_secret, 'Z', len);
		o.client_secret[len] = '\0';
		assert_int_equal(encode(RPC_V1_OIDC, GRPCWEB_TEXT, &o, &resp),
		    0);
		assert_int_equal(resp.body_len % 4, 0);
		response_free(&resp);
		assert_int_equal(encode(RPC_V2, GRPCWEB_BINARY, &o, &resp), 0);
		/*
		 * Tag, length (a second byte from 128 on) and the secret,
		 * an empty string left out; then the Timestamp's 2 + 12.
		 */
		n = (len == 0 ? 0 : len < 128 ? 2 + len : 3 + len) + 14;
		assert_int_equal(resp.body_len, 5 + n + 5 + 30);
		assert_int_equal((unsigned char)resp.body[4], n);
		response_free(&resp);
	}
}

/* --- errors --- */

/* Trailers-only: HTTP 200, no body, status, message and details. */
static void
assert_trailers_only(int form, enum err kind, const char *status,
    const char *message)
{
	const char *ct = form == GRPCWEB_TEXT ?
	    "application/grpc-web-text+proto" : "application/grpc-web+proto";
	struct response resp;
	unsigned char *details;
	size_t n = 0;

	memset(&resp, 0, sizeof(resp));
	assert_int_equal(codec_grpcweb.encode_error(form, kind, &resp), 0);
	assert_int_equal(resp.status, 200);
	assert_string_equal(resp.content_type, ct);
	assert_null(resp.body);
	assert_int_equal(resp.body_len, 0);
	assert_int_equal(resp.nheader, 3);
	assert_string_equal(resp.header[0].name, "grpc-status");
	assert_string_equal(resp.header[0].value, status);
	assert_string_equal(resp.header[1].name, "grpc-message");
	assert_string_equal(resp.header[1].value, message);
	assert_string_equal(resp.header[2].name, "grpc-status-details-bin");
	/* Binary headers are base64, here without padding. */
	assert_null(strchr(resp.header[2].value, '='));
	details = wire_unbase64(resp.header[2].value, &n);
	assert_non_null(details);
	if (wire_status(details, n, kind) != 0)
		fail_msg("kind %d: grpc-status-details-bin is not its "
		    "google.rpc.Status", (int)kind);
	free(details);
	response_free(&resp);
}

static void
test_encode_error(void **state)
{
	(void)state;
	assert_trailers_only(GRPCWEB_BINARY, ERR_TOKEN_INVALID, "16",
	    "Token is invalid (AUTH-7fs1e)");
	assert_trailers_only(GRPCWEB_BINARY, ERR_AUTH_MISSING, "16",
	    "auth header missing (AUTH-7fs1e)");
	assert_trailers_only(GRPCWEB_TEXT, ERR_ORG_NOT_FOUND, "7",
	    "Organisation doesn't exist (AUTH-Bs7Ds)");
	assert_trailers_only(GRPCWEB_BINARY, ERR_APP_NOT_FOUND, "5",
	    "Application doesn't exist (COMMAND-2g66f)");
	assert_trailers_only(GRPCWEB_BINARY, ERR_APP_NOT_FOUND_V2, "5",
	    "Application doesn't exist (COMMAND-Kd92s)");
	assert_trailers_only(GRPCWEB_BINARY, ERR_APP_NOT_API, "3",
	    "Application is not type API (COMMAND-aeH4)");
	assert_trailers_only(GRPCWEB_TEXT, ERR_APP_TYPE_UNKNOWN, "3",
	    "unknown app type (APP-aLWIzw)");
	assert_trailers_only(GRPCWEB_BINARY, ERR_BAD_BODY, "3",
	    "invalid request body (OSF-RQ400)");
	assert_trailers_only(GRPCWEB_BINARY, ERR_BODY_TOO_LARGE, "3",
	    "request body too large (OSF-RQ413)");
	assert_trailers_only(GRPCWEB_BINARY, ERR_UNAVAILABLE, "14",
	    "service unavailable, try again (OSF-DB001)");
	assert_trailers_only(GRPCWEB_BINARY, ERR_DEADLINE, "4",
	    "deadline exceeded, nothing changed (OSF-DL001)");
	assert_trailers_only(GRPCWEB_BINARY, ERR_INTERNAL, "13",
	    "internal error (OSF-INT01)");
}

static void
test_percent_encode(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(grpcweb_percent_encode("a b~'()", out, sizeof(out)),
	    0);
	assert_string_equal(out, "a b~'()");
	assert_int_equal(grpcweb_percent_encode("100% \xc3\xa9\t\n\x7f\x1f",
	    out, sizeof(out)), 0);
	assert_string_equal(out, "100%25 %C3%A9%09%0A%7F%1F");
	assert_int_equal(grpcweb_percent_encode("", out, sizeof(out)), 0);
	assert_string_equal(out, "");
	/* Exactly enough room, then one byte less. */
	assert_int_equal(grpcweb_percent_encode("a%", out, 5), 0);
	assert_string_equal(out, "a%25");
	assert_int_equal(grpcweb_percent_encode("a%", out, 4), -1);
	assert_int_equal(grpcweb_percent_encode("ab", out, 2), -1);
	assert_int_equal(grpcweb_percent_encode("", out, 0), -1);
}

/* Every kind's headers fit, and the message reads back as "text (ID)". */
static void
test_every_kind_has_headers(void **state)
{
	struct response resp;
	char want[300];
	int k;

	(void)state;
	for (k = 1; k < ERR__COUNT; k++) {
		unsigned char *details;
		size_t n = 0;

		memset(&resp, 0, sizeof(resp));
		assert_int_equal(grpcweb_status_headers(&resp, (enum err)k), 0);
		assert_int_equal(resp.nheader, 3);
		snprintf(want, sizeof(want), "%d", err_info((enum err)k)->grpc);
		assert_string_equal(header(&resp, "grpc-status"), want);
		/* No text needs escaping but "'" stays as it is. */
		wire_message((enum err)k, want, sizeof(want));
		assert_string_equal(header(&resp, "grpc-message"), want);
		details = wire_unbase64(header(&resp,
		    "grpc-status-details-bin"),
		    &n);
		assert_non_null(details);
		assert_int_equal(wire_status(details, n, (enum err)k), 0);
		free(details);
		response_free(&resp);
	}
}

/* --- dispatch(): the gRPC path up to the service --- */

struct fake {
	const char *content_length;
	const unsigned char *body;
	size_t len, off;
};

static const char *
fake_param(void *ctx, const char *name)
{
	struct fake *f = ctx;

	if (strcmp(name, "CONTENT_LENGTH") == 0)
		return f->content_length;
	return NULL;
}

static long
fake_read(void *ctx, char *buf, size_t len)
{
	struct fake *f = ctx;
	size_t n = f->len - f->off;

	if (n > len)
		n = len;
	memcpy(buf, f->body + f->off, n);
	f->off += n;
	return (long)n;
}

static int
fake_write(void *ctx, const char *buf, size_t len)
{
	(void)ctx;
	(void)buf;
	(void)len;
	return 0;
}

static void
serve(const char *content_type, const char *authorization,
    const char *content_length, const void *body, size_t len,
    struct response *resp, struct handled *h)
{
	static char path[] =
	    "/api/zitadel.management.v1.ManagementService/"
	    "RegenerateOIDCClientSecret";
	struct fake f = { content_length, body, len, 0 };
	struct io io = { fake_param, fake_read, fake_write, &f };
	struct config cfg;
	struct service svc;
	struct request req;

	config_defaults(&cfg);
	cfg.max_body_bytes = 1024;
	/* No store: every case here is answered before the database. */
	service_init(&svc, &cfg, NULL);
	memset(&req, 0, sizeof(req));
	req.method = strdup("POST");
	req.path = strdup(path);
	req.path_len = strlen(path);
	req.header[H_CONTENT_TYPE] = content_type != NULL ?
	    strdup(content_type) : NULL;
	req.header[H_AUTHORIZATION] = authorization != NULL ?
	    strdup(authorization) : NULL;
	memset(resp, 0, sizeof(*resp));
	dispatch(&svc, &req, &io, resp, h);
	request_free(&req);
}

static void
test_dispatch_native(void **state)
{
	struct response resp;
	struct handled h;

	(void)state;
	serve("application/grpc", NULL, NULL, "", 0, &resp, &h);
	assert_string_equal(h.route, "grpc-web");
	assert_int_equal(h.grpc, 12);
	assert_int_equal(resp.status, 415);
	assert_string_equal(resp.content_type, "application/json");
	assert_string_equal(header(&resp, "grpc-status"), "12");
	assert_string_equal(header(&resp, "grpc-message"),
	    "native gRPC needs HTTP/2 trailers: use gRPC-web or JSON "
	    "(OSF-GW415)");
	assert_non_null(header(&resp, "grpc-status-details-bin"));
	assert_non_null(strstr(resp.body, "\"code\":12"));
	response_free(&resp);
}

static void
test_dispatch_unsupported(void **state)
{
	static const char *types[] = {
		NULL, "application/json", "application/grpc-web+json",
		"text/plain", "application/proto",
	};
	struct response resp;
	struct handled h;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		serve(types[i], NULL, NULL, "", 0, &resp, &h);
		assert_int_equal(resp.status, 415);
		assert_int_equal(h.grpc, 3);
		assert_string_equal(resp.content_type, "application/json");
		assert_null(header(&resp, "grpc-status"));
		assert_non_null(strstr(resp.body, "OSF-GWCT1"));
		response_free(&resp);
	}
}

static void
assert_grpc_answer(const struct response *resp, const struct handled *h,
    const char *ct, int code, const char *message)
{
	char status[8];

	snprintf(status, sizeof(status), "%d", code);
	assert_int_equal(h->grpc, code);
	assert_int_equal(resp->status, 200);
	assert_string_equal(resp->content_type, ct);
	assert_int_equal(resp->body_len, 0);
	assert_string_equal(header(resp, "grpc-status"), status);
	assert_string_equal(header(resp, "grpc-message"), message);
}

static void
test_dispatch_too_large(void **state)
{
	static unsigned char big[2048];
	struct response resp;
	struct handled h;

	(void)state;
	/* Refused on CONTENT_LENGTH, unread. */
	serve("application/grpc-web+proto", NULL, "2048", big, sizeof(big),
	    &resp, &h);
	assert_grpc_answer(&resp, &h, "application/grpc-web+proto", 3,
	    "request body too large (OSF-RQ413)");
	response_free(&resp);
	/* Chunked (connect-node): no CONTENT_LENGTH, read up to the cap. */
	serve("application/grpc-web-text", NULL, NULL, big, sizeof(big),
	    &resp, &h);
	assert_grpc_answer(&resp, &h, "application/grpc-web-text+proto", 3,
	    "request body too large (OSF-RQ413)");
	response_free(&resp);
}

static void
test_dispatch_bad_body(void **state)
{
	unsigned char body[64];
	struct response resp;
	struct handled h;
	size_t n = frame(body, 0x01, sizeof(good_msg), good_msg,
	    sizeof(good_msg));

	(void)state;
	serve("application/grpc-web", "Bearer x", NULL, body, n, &resp, &h);
	assert_grpc_answer(&resp, &h, "application/grpc-web+proto", 3,
	    "invalid request body (OSF-RQ400)");
	response_free(&resp);
	/* CONTENT_LENGTH promises more than arrives. */
	n = good_frame(body);
	serve("application/grpc-web", "Bearer x", "100", body, n, &resp, &h);
	assert_grpc_answer(&resp, &h, "application/grpc-web+proto", 3,
	    "invalid request body (OSF-RQ400)");
	response_free(&resp);
	serve("application/grpc-web", "Bearer x", NULL, "", 0, &resp, &h);
	assert_grpc_answer(&resp, &h, "application/grpc-web+proto", 3,
	    "invalid request body (OSF-RQ400)");
	response_free(&resp);
}

/* A good request reaches the service, whose first check answers. */
static void
test_dispatch_reaches_service(void **state)
{
	unsigned char body[64];
	struct response resp;
	struct handled h;
	char len[8], *b64;
	size_t n = good_frame(body);

	(void)state;
	snprintf(len, sizeof(len), "%zu", n);
	serve("application/grpc-web+proto", NULL, len, body, n, &resp, &h);
	assert_grpc_answer(&resp, &h, "application/grpc-web+proto", 16,
	    "auth header missing (AUTH-7fs1e)");
	response_free(&resp);
	b64 = base64(body, n);
	serve("application/grpc-web-text", "Basic dXNlcjpwdw==", NULL, b64,
	    strlen(b64), &resp, &h);
	assert_grpc_answer(&resp, &h, "application/grpc-web-text+proto", 16,
	    "auth header missing (AUTH-7fs1e)");
	response_free(&resp);
	free(b64);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_form),
		cmocka_unit_test(test_decode_binary),
		cmocka_unit_test(test_decode_text),
		cmocka_unit_test(test_decode_text_chunks),
		cmocka_unit_test(test_decode_every_rpc),
		cmocka_unit_test(test_decode_unknown_fields),
		cmocka_unit_test(test_decode_empty_message),
		cmocka_unit_test(test_decode_nul_kept),
		cmocka_unit_test(test_decode_id_bytes_limit),
		cmocka_unit_test(test_oversized_ids),
		cmocka_unit_test(test_empty_body),
		cmocka_unit_test(test_short_header),
		cmocka_unit_test(test_length_larger_than_body),
		cmocka_unit_test(test_two_frames),
		cmocka_unit_test(test_trailing_bytes),
		cmocka_unit_test(test_compressed_flag),
		cmocka_unit_test(test_trailer_flag),
		cmocka_unit_test(test_reserved_flags),
		cmocka_unit_test(test_garbage_protobuf),
		cmocka_unit_test(test_text_bad_base64),
		cmocka_unit_test(test_text_framing),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_encode_outcome_bytes),
		cmocka_unit_test(test_encode_outcome_roundtrip),
		cmocka_unit_test(test_encode_outcome_text),
		cmocka_unit_test(test_encode_outcome_lengths),
		cmocka_unit_test(test_encode_error),
		cmocka_unit_test(test_percent_encode),
		cmocka_unit_test(test_every_kind_has_headers),
		cmocka_unit_test(test_dispatch_native),
		cmocka_unit_test(test_dispatch_unsupported),
		cmocka_unit_test(test_dispatch_too_large),
		cmocka_unit_test(test_dispatch_bad_body),
		cmocka_unit_test(test_dispatch_reaches_service),
	};

	return cmocka_run_group_tests_name("grpcweb", tests, NULL, NULL);
}
