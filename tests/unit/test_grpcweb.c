/*
 * test_grpcweb.c - the gRPC-web codec (src/grpcweb.c): content types,
 * framing, base64 text mode, grpc-timeout, the answer's frames, and the
 * trailers-only errors with grpc-status-details-bin; and its branch of
 * dispatch() up to the service.
 *
 * Expected answer bytes of the v1 and v2 app calls come from
 * @bufbuild/protobuf's toBinary() with ZITADEL's published schema
 * (@zitadel/proto 1.3.1), not from protobuf-c, so the encoder is checked
 * against an independent implementation; the other calls' answers are
 * read back with protobuf-c.  Every single-byte change of a good request
 * is checked against a reading of the frame and the protobuf wire format
 * written here, apart from the codec: each change must give exactly the
 * outcome and the IDs that reading gives.
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
#include "pbwire.h"
#include "request.h"
#include "service.h"
#include "user_service.pb-c.h"
#include "util.h"
#include "unit.h"
#include "wire.h"

#define N(x) (sizeof(x) / sizeof((x)[0]))

/* protobuf-c's generated names, shortened. */
#define OIDC_RESP(fn) \
	zitadel__management__v1__regenerate_oidcclient_secret_response__ ## fn
#define ADD_KEY_RESP(fn) zitadel__user__v2__add_key_response__ ## fn

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

/* --- helpers ----------------------------------------------------------- */

#define OIDC unit_call("RegenerateOIDCClientSecret")

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

/* The call the last decode filled; freed by the teardown. */
static struct call c;

static int
teardown(void **state)
{
	(void)state;
	call_free(&c);
	return 0;
}

/* The codec's decode of body for d, into a fresh call. */
static enum err
dec_h(const struct call_def *d, int form, const void *body, size_t len,
    const char *timeout)
{
	struct request req;

	call_free(&c);
	assert_int_equal(call_init(&c, d, len), 0);
	memset(&req, 0, sizeof(req));
	req.body = (char *)(uintptr_t)body;
	req.body_len = len;
	req.header[H_GRPC_TIMEOUT] = (char *)(uintptr_t)timeout;
	return codec_grpcweb.decode(form, &req, &c);
}

static enum err
dec(const struct call_def *d, int form, const void *body, size_t len)
{
	return dec_h(d, form, body, len, NULL);
}

/* The OIDC call's decode. */
static enum err
decode(int form, const void *body, size_t len)
{
	return dec(OIDC, form, body, len);
}

static void
assert_arg(unsigned slot, const char *want, size_t n)
{
	const struct value *v = &c.arg[slot];

	if (!v->set || v->s.n != n || (n > 0 && memcmp(v->s.p, want, n) != 0))
		fail_msg("slot %u: \"%.*s\" (set %d), want \"%.*s\"", slot,
		    v->set ? (int)v->s.n : 0, v->set ? v->s.p : "", v->set,
		    (int)n, want);
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

/* --- content types ------------------------------------------------------ */

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
		{ "application/grpc-web+json", -1, 0 },
		{ "application/grpc-webx", -1, 0 },
		{ "application/grpcx", -1, 0 },
		{ "application/json", -1, 0 },
		{ "application/proto", -1, 0 },
		{ "", -1, 0 },
		{ NULL, -1, 0 },
	};
	struct media m;
	size_t i;

	(void)state;
	assert_string_equal(codec_grpcweb.name, "grpc-web");
	for (i = 0; i < N(types); i++) {
		media_parse(types[i].ct, &m);
		if (codec_grpcweb.form(&m) != types[i].form)
			fail_msg("%s: form %d", types[i].ct,
			    codec_grpcweb.form(&m));
		if (grpcweb_is_native(&m) != types[i].native)
			fail_msg("%s: native %d", types[i].ct,
			    grpcweb_is_native(&m));
	}
}

/* --- decoding: good requests --------------------------------------------- */

static void
test_decode_binary(void **state)
{
	unsigned char body[64];
	size_t n = good_frame(body);

	(void)state;
	assert_int_equal(dec(OIDC, GRPCWEB_BINARY, body, n), ERR_OK);
	assert_arg(ARG_PROJECT_ID, PROJECT, strlen(PROJECT));
	assert_arg(ARG_APP_ID, APP, strlen(APP));
	/* The values point into the body, which outlives the call. */
	assert_ptr_equal(c.arg[ARG_PROJECT_ID].s.p, (char *)body + 7);
	assert_true(c.deadline_ns == 0);
}

static void
test_decode_text(void **state)
{
	unsigned char body[64];
	char *b64 = base64(body, good_frame(body));

	(void)state;
	assert_int_equal(dec(OIDC, GRPCWEB_TEXT, b64, strlen(b64)), ERR_OK);
	assert_arg(ARG_PROJECT_ID, PROJECT, strlen(PROJECT));
	assert_arg(ARG_APP_ID, APP, strlen(APP));
	/* Decoded into the call's arena: the base64 may go. */
	memset(b64, 'A', strlen(b64));
	assert_arg(ARG_APP_ID, APP, strlen(APP));
	free(b64);
}

/* Separately encoded chunks back to back: padding inside the stream. */
static void
test_decode_text_chunks(void **state)
{
	unsigned char body[64];
	char *a, *b, joined[128];

	(void)state;
	good_frame(body);
	a = base64(body, 5);			/* the header: "AAAAACY=" */
	b = base64(body + 5, sizeof(good_msg));
	assert_string_equal(a, "AAAAACY=");
	snprintf(joined, sizeof(joined), "%s%s", a, b);
	assert_int_equal(decode(GRPCWEB_TEXT, joined, strlen(joined)), ERR_OK);
	assert_arg(ARG_PROJECT_ID, PROJECT, strlen(PROJECT));
	assert_arg(ARG_APP_ID, APP, strlen(APP));
	free(a);
	free(b);
}

/* Each call's request message, with its own field numbers. */
static void
test_decode_each_call(void **state)
{
	/* management.v1: project_id = 1, app_id = 2, for OIDC and API. */
	static const unsigned char v1[] = {
		0x0a, 0x02, 'p', '1', 0x12, 0x02, 'a', '1'
	};
	/* application.v2: application_id = 1, project_id = 2. */
	static const unsigned char v2[] = {
		0x0a, 0x02, 'a', '2', 0x12, 0x02, 'p', '2'
	};
	/* user.v2 AddKey: user_id = 1, expiration_date = 2, public_key = 3 */
	static const unsigned char add_key[] = {
		0x0a, 0x01, 'u', 0x12, 0x02, 0x08, 0x01, 0x1a, 0x02, 'k', 0,
	};
	/* management.v1 AddMachineKey: user_id 1, type 2, expiration 3 */
	static const unsigned char add_machine_key[] = {
		0x0a, 0x01, 'u', 0x10, 0x01, 0x1a, 0x02, 0x08, 0x02,
	};
	/* RemoveKey: user_id = 1, key_id = 2 */
	static const unsigned char remove_key[] = {
		0x0a, 0x01, 'u', 0x12, 0x01, 'k',
	};
	/* app.v2beta: the oneof's last member wins. */
	static const unsigned char beta[] = {
		0x0a, 1, 'p', 0x12, 1, 'a', 0x18, 1, 0x20, 0,
	};
	unsigned char body[64];
	size_t n;

	(void)state;
	n = frame(body, 0, sizeof(v1), v1, sizeof(v1));
	assert_int_equal(dec(OIDC, GRPCWEB_BINARY, body, n), ERR_OK);
	assert_arg(ARG_PROJECT_ID, "p1", 2);
	assert_arg(ARG_APP_ID, "a1", 2);
	assert_int_equal(dec(unit_call("RegenerateAPIClientSecret"),
	    GRPCWEB_BINARY,
	    body, n), ERR_OK);
	assert_arg(ARG_PROJECT_ID, "p1", 2);
	n = frame(body, 0, sizeof(v2), v2, sizeof(v2));
	assert_int_equal(dec(unit_call("GenerateClientSecret"), GRPCWEB_BINARY,
	    body,
	    n), ERR_OK);
	assert_arg(ARG_PROJECT_ID, "p2", 2);
	assert_arg(ARG_APP_ID, "a2", 2);
	n = frame(body, 0, sizeof(add_key), add_key, sizeof(add_key));
	assert_int_equal(dec(unit_call("AddKey"), GRPCWEB_BINARY, body, n),
	    ERR_OK);
	assert_arg(ARG_USER_ID, "u", 1);
	assert_true(c.arg[ARG_EXPIRATION].set);
	assert_true(c.arg[ARG_EXPIRATION].t.sec == 1);
	assert_arg(ARG_PUBLIC_KEY, "k\0", 2);
	n = frame(body, 0, sizeof(add_machine_key), add_machine_key,
	    sizeof(add_machine_key));
	assert_int_equal(dec(unit_call("AddMachineKey"), GRPCWEB_BINARY, body,
	    n),
	    ERR_OK);
	assert_arg(ARG_USER_ID, "u", 1);
	assert_int_equal(c.arg[ARG_KEY_TYPE].i, 1);
	assert_true(c.arg[ARG_EXPIRATION].t.sec == 2);
	n = frame(body, 0, sizeof(remove_key), remove_key, sizeof(remove_key));
	assert_int_equal(dec(unit_call("RemoveMachineKey"), GRPCWEB_BINARY,
	    body, n),
	    ERR_OK);
	assert_arg(ARG_USER_ID, "u", 1);
	assert_arg(ARG_KEY_ID, "k", 1);
	n = frame(body, 0, sizeof(beta), beta, sizeof(beta));
	assert_int_equal(dec(unit_call("RegenerateClientSecret"),
	    GRPCWEB_BINARY,
	    body, n), ERR_OK);
	assert_false(c.arg[ARG_IS_OIDC].set);
	assert_true(c.arg[ARG_IS_API].set);
	/* The oneof is v2beta's: to v1 field 3 is unknown. */
	assert_int_equal(dec(OIDC, GRPCWEB_BINARY, body, n), ERR_OK);
	assert_false(c.arg[ARG_IS_OIDC].set);
	assert_false(c.arg[ARG_IS_API].set);
	/* An empty message is well formed: the service answers for it. */
	n = frame(body, 0, 0, NULL, 0);
	assert_int_equal(dec(OIDC, GRPCWEB_BINARY, body, n), ERR_OK);
	assert_false(c.arg[ARG_PROJECT_ID].set);
	/* A NUL inside an ID keeps the ID's length, for the check. */
	n = frame(body, 0, 5, "\x0a\x03" "a\0b", 5);
	assert_int_equal(dec(OIDC, GRPCWEB_BINARY, body, n), ERR_OK);
	assert_arg(ARG_PROJECT_ID, "a\0b", 3);
	assert_int_equal(route_check_id(c.arg[ARG_PROJECT_ID].s),
	    ERR_INVALID_ARGUMENT);
}

/* grpc-timeout (gRPC over HTTP/2, "Timeout"): 1-8 digits and a unit. */
static void
test_timeout(void **state)
{
	static const struct {
		const char *v;
		int64_t ns;
	} good[] = {
		{ "1S", 1000000000LL }, { "5m", 5000000LL }, { "7u", 7000LL },
		{ "9n", 9LL }, { "2M", 120000000000LL },
		{ "1H", 3600000000000LL }, { "99999999S", 99999999000000000LL },
		{ "00000001m", 1000000LL }, { "0n", 0 },
	};
	static const char *const bad[] = {
		"", "S", "1", "1s", "1h", "1x", "-1S", "+1S", " 1S", "1S ",
		"1 S", "123456789S", "1.5S", "0x1S",
	};
	unsigned char body[64];
	size_t n = good_frame(body), i;

	(void)state;
	for (i = 0; i < N(good); i++) {
		int64_t before = util_mono_ns(), after;

		assert_int_equal(dec_h(OIDC, GRPCWEB_BINARY, body, n,
		    good[i].v), ERR_OK);
		after = util_mono_ns();
		if (c.deadline_ns < before + good[i].ns ||
		    c.deadline_ns > after + good[i].ns)
			fail_msg("grpc-timeout %s: deadline off", good[i].v);
	}
	/* Too far to matter: no deadline at all rather than an overflow. */
	assert_int_equal(dec_h(OIDC, GRPCWEB_BINARY, body, n, "99999999H"),
	    ERR_OK);
	assert_true(c.deadline_ns == 0);
	for (i = 0; i < N(bad); i++)
		if (dec_h(OIDC, GRPCWEB_BINARY, body, n, bad[i]) !=
		    ERR_GRPC_TIMEOUT)
			fail_msg("accepted grpc-timeout \"%s\"", bad[i]);
	/* The header before the body. */
	assert_int_equal(dec_h(OIDC, GRPCWEB_BINARY, "", 0, "x"),
	    ERR_GRPC_TIMEOUT);
}

/* --- decoding: every malformed request is INVALID_ARGUMENT ---------------- */

static void
test_bad_frames(void **state)
{
	static const unsigned char zeros[4] = { 0 };
	static const char t[] = "grpc-status:0\r\n";
	unsigned char body[128];
	unsigned flag;
	size_t n;

	(void)state;
	assert_int_equal(decode(GRPCWEB_BINARY, "", 0), ERR_BAD_BODY);
	assert_int_equal(decode(GRPCWEB_BINARY, NULL, 0), ERR_BAD_BODY);
	assert_int_equal(decode(GRPCWEB_TEXT, "", 0), ERR_BAD_BODY);
	for (n = 1; n < 5; n++)
		assert_int_equal(decode(GRPCWEB_BINARY, zeros, n),
		    ERR_BAD_BODY);
	/* Declared longer than the body; cut short by the transport. */
	n = frame(body, 0, sizeof(good_msg) + 1, good_msg, sizeof(good_msg));
	assert_int_equal(decode(GRPCWEB_BINARY, body, n), ERR_BAD_BODY);
	n = frame(body, 0, 0xffffffffu, good_msg, sizeof(good_msg));
	assert_int_equal(decode(GRPCWEB_BINARY, body, n), ERR_BAD_BODY);
	n = good_frame(body);
	assert_int_equal(decode(GRPCWEB_BINARY, body, n - 1), ERR_BAD_BODY);
	/* Two frames; a trailer frame after the data; a byte after it. */
	n = good_frame(body);
	n += good_frame(body + n);
	assert_int_equal(decode(GRPCWEB_BINARY, body, n), ERR_BAD_BODY);
	n = good_frame(body);
	n += frame(body + n, 0x80, 0, NULL, 0);
	assert_int_equal(decode(GRPCWEB_BINARY, body, n), ERR_BAD_BODY);
	n = good_frame(body);
	body[n++] = 0x00;
	assert_int_equal(decode(GRPCWEB_BINARY, body, n), ERR_BAD_BODY);
	/* Declared shorter than the message that follows. */
	n = frame(body, 0, sizeof(good_msg) - 1, good_msg, sizeof(good_msg));
	assert_int_equal(decode(GRPCWEB_BINARY, body, n), ERR_BAD_BODY);
	/* A trailer frame alone. */
	n = frame(body, 0x80, sizeof(t) - 1, t, sizeof(t) - 1);
	assert_int_equal(decode(GRPCWEB_BINARY, body, n), ERR_BAD_BODY);
	/* Flag 0 only: compressed, trailers, reserved bits refused. */
	for (flag = 1; flag < 256; flag++) {
		n = frame(body, (unsigned char)flag, sizeof(good_msg),
		    good_msg, sizeof(good_msg));
		assert_int_equal(decode(GRPCWEB_BINARY, body, n),
		    ERR_BAD_BODY);
	}
}

static void
test_garbage_protobuf(void **state)
{
	static const struct {
		const char *what;
		unsigned char msg[12];
		size_t len;
	} bad[] = {
		{ "length past the end", { 0x0a, 0x05, 'a' }, 3 },
		{ "length varint cut", { 0x0a, 0x80 }, 2 },
		{ "varint cut", { 0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
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
	for (i = 0; i < N(bad); i++) {
		n = frame(body, 0, (uint32_t)bad[i].len, bad[i].msg,
		    bad[i].len);
		if (decode(GRPCWEB_BINARY, body, n) != ERR_BAD_BODY)
			fail_msg("accepted: %s", bad[i].what);
	}
}

static void
test_text_bad(void **state)
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
	unsigned char body[64];
	char *b64;
	size_t i, n;

	(void)state;
	for (i = 0; i < N(bad); i++)
		if (decode(GRPCWEB_TEXT, bad[i], strlen(bad[i])) !=
		    ERR_BAD_BODY)
			fail_msg("accepted: \"%s\"", bad[i]);
	/* After base64, the frame is checked as a binary one. */
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
	int has_project, has_app;
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
				r->has_project = 1;
			} else if (key >> 3 == 2) {
				r->app = p + k;
				r->an = (size_t)v;
				r->has_app = 1;
			}
			k += (size_t)v;
			break;
		case 5:
			k = 4;
			break;
		default:
			return;
		}
		/* Fields 1 and 2 are strings: another wire type is wrong. */
		if ((key >> 3 == 1 || key >> 3 == 2) && (key & 7) != 2)
			return;
		if (k > (size_t)(end - p))
			return;
		p += k;
	}
	r->e = ERR_OK;
}

static int
same(const struct value *v, int has, const unsigned char *p, size_t n)
{
	if (v->set != has)
		return 0;
	return !has || (v->s.n == n && (n == 0 || memcmp(v->s.p, p, n) == 0));
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
			e = decode(GRPCWEB_BINARY, copy, n);
			if (e != want.e)
				fail_msg("byte %zu = 0x%02x: %d, want %d", i, v,
				    (int)e, (int)want.e);
			if (e != ERR_OK) {
				bads++;
				continue;
			}
			oks++;
			if (!same(&c.arg[ARG_PROJECT_ID], want.has_project,
			    want.project, want.pn) ||
			    !same(&c.arg[ARG_APP_ID], want.has_app, want.app,
			    want.an))
				fail_msg("byte %zu = 0x%02x: IDs differ", i, v);
		}
	/* Both outcomes occur: the reading is no constant. */
	assert_true(oks > 34 * 255);
	assert_true(bads > 5 * 255);
}

/* --- encoding ------------------------------------------------------------ */

/* toBinary(RegenerateOIDCClientSecretResponseSchema, ...) of fixed() */
static const unsigned char want_msg[] = {
	0x0a, 0x0c, 0x73, 0x33, 0x63, 0x72, 0x33, 0x74, 0x53, 0x33, 0x43, 0x52,
	0x33, 0x54, 0x12, 0x30, 0x08, 0x07, 0x12, 0x0b, 0x08, 0xc0, 0xae, 0xa5,
	0xd8, 0x06, 0x10, 0x80, 0x94, 0xef, 0x3a, 0x1a, 0x0c, 0x08, 0xa7, 0x84,
	0xa6, 0xd8, 0x06, 0x10, 0x80, 0xca, 0xb5, 0xee, 0x01, 0x22, 0x11, 0x36,
	0x39, 0x36, 0x32, 0x39, 0x30, 0x32, 0x33, 0x39, 0x30, 0x36, 0x34, 0x38,
	0x38, 0x33, 0x33, 0x34
};
static const char want_trailer[] = "grpc-status:0\r\ngrpc-message:\r\n";

/*
 * The v2 calls' answer for fixed(): client_secret = 1, and creation_date
 * = 2 holding this change's time, the same Timestamp bytes as
 * ObjectDetails.change_date in want_msg.
 */
static const unsigned char want_v2[] = {
	0x0a, 0x0c, 0x73, 0x33, 0x63, 0x72, 0x33, 0x74, 0x53, 0x33, 0x43, 0x52,
	0x33, 0x54, 0x12, 0x0c, 0x08, 0xa7, 0x84, 0xa6, 0xd8, 0x06, 0x10, 0x80,
	0xca, 0xb5, 0xee, 0x01
};

static struct answer o;

static void
fixed(void)
{
	struct ts created = { 1795774272, 123456000 };	/* 10:11:12.123456 */
	struct ts changed = { 1795785255, 500000000 };	/* 13:14:15.5 */

	memset(&o, 0, sizeof(o));
	assert_int_equal(answer_cstr(&o, OUT_SECRET, "s3cr3tS3CR3T"), 0);
	value_int(&o.out[OUT_SEQUENCE], 7);
	value_time(&o.out[OUT_CREATED], created);
	value_time(&o.out[OUT_CHANGED], changed);
	assert_int_equal(answer_cstr(&o, OUT_OWNER, "69629023906488334"), 0);
}

static size_t
want_frames(unsigned char *out, const unsigned char *msg, size_t len)
{
	size_t n = frame(out, 0x00, (uint32_t)len, msg, len);

	return n + frame(out + n, 0x80, sizeof(want_trailer) - 1, want_trailer,
	    sizeof(want_trailer) - 1);
}

static int
encode(const struct call_def *d, int form, struct response *resp)
{
	struct call k;

	memset(&k, 0, sizeof(k));
	k.def = d;
	memset(resp, 0, sizeof(*resp));
	return codec_grpcweb.encode(form, &k, &o, resp);
}

static void
test_encode_outcome_bytes(void **state)
{
	static const struct {
		const char *call;
		const unsigned char *msg;
		size_t len;
	} cases[] = {
		{ "RegenerateOIDCClientSecret", want_msg, sizeof(want_msg) },
		/* RegenerateAPIClientSecretResponse: the same fields. */
		{ "RegenerateAPIClientSecret", want_msg, sizeof(want_msg) },
		{ "GenerateClientSecret", want_v2, sizeof(want_v2) },
		{ "RegenerateClientSecret", want_v2, sizeof(want_v2) },
	};
	unsigned char want[128];
	struct response resp;
	size_t i, n;

	(void)state;
	fixed();
	for (i = 0; i < N(cases); i++) {
		n = want_frames(want, cases[i].msg, cases[i].len);
		assert_int_equal(encode(unit_call(cases[i].call),
		    GRPCWEB_BINARY,
		    &resp), 0);
		assert_int_equal(resp.status, 200);
		assert_string_equal(resp.content_type,
		    "application/grpc-web+proto");
		assert_int_equal(resp.nheader, 0);
		assert_int_equal(resp.body_len, n);
		assert_memory_equal(resp.body, want, n);
		response_free(&resp);
	}
	/* The data frame's header: flag 0, 64 bytes; then the trailer's. */
	assert_int_equal(encode(OIDC, GRPCWEB_BINARY, &resp), 0);
	assert_memory_equal(resp.body, "\x00\x00\x00\x00\x40", 5);
	assert_memory_equal(resp.body + 5 + 64, "\x80\x00\x00\x00\x1e", 5);
	response_free(&resp);
}

static void
test_encode_outcome_roundtrip(void **state)
{
	Zitadel__Management__V1__RegenerateOIDCClientSecretResponse *m;
	Zitadel__User__V2__AddKeyResponse *k;
	struct response resp;
	uint32_t len;

	(void)state;
	fixed();
	value_int(&o.out[OUT_SEQUENCE], -1);	/* all of uint64 */
	o.out[OUT_CREATED].t.nsec = 0;	/* proto3 leaves zero fields out */
	assert_int_equal(encode(OIDC, GRPCWEB_BINARY, &resp), 0);
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
	assert_int_equal(m->details->change_date->seconds, 1795785255);
	assert_int_equal(m->details->change_date->nanos, 500000000);
	assert_string_equal(m->details->resource_owner, "69629023906488334");
	OIDC_RESP(free_unpacked)(m, NULL);
	response_free(&resp);
	/* A machine key's answer: the key file travels as bytes. */
	assert_int_equal(answer_cstr(&o, OUT_KEY_ID, "123"), 0);
	assert_int_equal(answer_str(&o, OUT_KEY_CONTENT, "{\"k\":\0}", 7), 0);
	assert_int_equal(encode(unit_call("AddKey"), GRPCWEB_BINARY, &resp), 0);
	len = (uint32_t)(unsigned char)resp.body[4];
	k = ADD_KEY_RESP(unpack)(NULL, len, (const uint8_t *)resp.body + 5);
	assert_non_null(k);
	assert_string_equal(k->key_id, "123");
	assert_int_equal(k->key_content.len, 7);
	assert_memory_equal(k->key_content.data, "{\"k\":\0}", 7);
	assert_int_equal(k->creation_date->seconds, 1795785255);
	ADD_KEY_RESP(free_unpacked)(k, NULL);
	response_free(&resp);
}

static void
test_encode_outcome_text(void **state)
{
	unsigned char want[128];
	struct response resp;
	char *b64;

	(void)state;
	fixed();
	b64 = base64(want, want_frames(want, want_msg, sizeof(want_msg)));
	assert_int_equal(encode(OIDC, GRPCWEB_TEXT, &resp), 0);
	assert_int_equal(resp.status, 200);
	assert_string_equal(resp.content_type,
	    "application/grpc-web-text+proto");
	assert_int_equal(resp.body_len, strlen(b64));
	assert_memory_equal(resp.body, b64, resp.body_len);
	response_free(&resp);
	free(b64);
	b64 = base64(want, want_frames(want, want_v2, sizeof(want_v2)));
	assert_int_equal(encode(unit_call("RegenerateClientSecret"),
	    GRPCWEB_TEXT,
	    &resp), 0);
	assert_int_equal(resp.body_len, strlen(b64));
	assert_memory_equal(resp.body, b64, resp.body_len);
	response_free(&resp);
	free(b64);
}

/* A secret of every length up to SECRET_MAX: the frame length follows. */
static void
test_encode_outcome_lengths(void **state)
{
	char secret[SECRET_MAX + 1];
	struct response resp;
	size_t len, n;

	(void)state;
	for (len = 0; len <= SECRET_MAX; len++) {
		fixed();
		memset(secret, 'Z', len);
		secret[len] = '\0';
		assert_int_equal(answer_cstr(&o, OUT_SECRET, secret), 0);
		assert_int_equal(encode(OIDC, GRPCWEB_TEXT, &resp), 0);
		assert_int_equal(resp.body_len % 4, 0);
		response_free(&resp);
		assert_int_equal(encode(unit_call("GenerateClientSecret"),
		    GRPCWEB_BINARY, &resp), 0);
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

/* Every gRPC-web call's answer: one data frame, then the trailer frame. */
static void
test_encode_every_call(void **state)
{
	struct response resp;
	size_t i, len;

	(void)state;
	fixed();
	assert_int_equal(answer_cstr(&o, OUT_CLIENT_ID, "svc-bot"), 0);
	assert_int_equal(answer_cstr(&o, OUT_KEY_ID, "77"), 0);
	for (i = 0; i < ncalls; i++) {
		unsigned char msg[512];
		size_t n;

		if (calls[i].family != FAMILY_GRPC &&
		    calls[i].family != FAMILY_CONNECT)
			continue;
		n = pbwire_encode_to(calls[i].resp, o.out, msg, sizeof(msg));
		assert_true(n > 0);
		assert_int_equal(encode(&calls[i], GRPCWEB_BINARY, &resp), 0);
		len = (size_t)(unsigned char)resp.body[3] << 8 |
		    (unsigned char)resp.body[4];
		if (resp.body[0] != 0 || len != n ||
		    resp.body_len != 5 + n + 5 + 30 ||
		    memcmp(resp.body + 5, msg, n) != 0 ||
		    memcmp(resp.body + 5 + n, "\x80\0\0\0\x1e", 5) != 0 ||
		    memcmp(resp.body + 10 + n, want_trailer, 30) != 0)
			fail_msg("%s: not its frames", calls[i].name);
		response_free(&resp);
	}
}

/* --- errors --------------------------------------------------------------- */

/* Trailers-only: HTTP 200, no body, status, message and details. */
static void
assert_trailers_only(int form, enum err kind)
{
	const char *ct = form == GRPCWEB_TEXT ?
	    "application/grpc-web-text+proto" : "application/grpc-web+proto";
	struct response resp;
	unsigned char *details;
	char want[300];
	size_t n = 0;

	memset(&resp, 0, sizeof(resp));
	assert_int_equal(codec_grpcweb.encode_error(form, NULL, kind, &resp),
	    0);
	assert_int_equal(resp.status, 200);
	assert_string_equal(resp.content_type, ct);
	assert_null(resp.body);
	assert_int_equal(resp.body_len, 0);
	assert_int_equal(resp.nheader, 3);
	assert_string_equal(resp.header[0].name, "grpc-status");
	snprintf(want, sizeof(want), "%d", err_info(kind)->grpc);
	assert_string_equal(resp.header[0].value, want);
	assert_string_equal(resp.header[1].name, "grpc-message");
	/* No text needs escaping: "'" stays as it is. */
	wire_message(kind, want, sizeof(want));
	assert_string_equal(resp.header[1].value, want);
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
test_encode_error_every_kind(void **state)
{
	struct response resp;
	int k;

	(void)state;
	for (k = 1; k < ERR__COUNT; k++) {
		assert_trailers_only(GRPCWEB_BINARY, (enum err)k);
		assert_trailers_only(GRPCWEB_TEXT, (enum err)k);
	}
	/* One spelled out. */
	memset(&resp, 0, sizeof(resp));
	assert_int_equal(grpcweb_status_headers(&resp, ERR_APP_NOT_FOUND_V2),
	    0);
	assert_string_equal(unit_header(&resp, "grpc-status"), "5");
	assert_string_equal(unit_header(&resp, "grpc-message"),
	    "Application doesn't exist (COMMAND-Kd92s)");
	response_free(&resp);
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

/* --- dispatch(): the gRPC path up to the service -------------------------- */

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
    struct response *resp, struct dispatch_report *h)
{
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
	assert_int_equal(route_request_path("/api", "/zitadel.management.v1."
	    "ManagementService/RegenerateOIDCClientSecret", NULL, &req.path),
	    0);
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
	struct dispatch_report h;

	(void)state;
	serve("application/grpc", NULL, NULL, "", 0, &resp, &h);
	assert_int_equal(h.grpc, 12);
	assert_int_equal(resp.status, 415);
	assert_string_equal(resp.content_type, "application/json");
	assert_string_equal(unit_header(&resp, "grpc-status"), "12");
	assert_string_equal(unit_header(&resp, "grpc-message"),
	    "native gRPC needs HTTP/2 trailers: use gRPC-web or JSON "
	    "(OSF-GW415)");
	assert_non_null(unit_header(&resp, "grpc-status-details-bin"));
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
	struct dispatch_report h;
	size_t i;

	(void)state;
	for (i = 0; i < N(types); i++) {
		serve(types[i], NULL, NULL, "", 0, &resp, &h);
		assert_int_equal(resp.status, 415);
		assert_int_equal(h.grpc, 3);
		assert_string_equal(resp.content_type, "application/json");
		assert_null(unit_header(&resp, "grpc-status"));
		assert_non_null(strstr(resp.body, "OSF-GWCT1"));
		response_free(&resp);
	}
}

static void
assert_grpc_answer(const struct response *resp, const struct dispatch_report *h,
    const char *ct, int code, const char *message)
{
	char status[8];

	snprintf(status, sizeof(status), "%d", code);
	assert_int_equal(h->grpc, code);
	assert_string_equal(h->route, "grpc-web");
	assert_int_equal(resp->status, 200);
	assert_string_equal(resp->content_type, ct);
	assert_int_equal(resp->body_len, 0);
	assert_string_equal(unit_header(resp, "grpc-status"), status);
	assert_string_equal(unit_header(resp, "grpc-message"), message);
}

static void
test_dispatch_too_large(void **state)
{
	static unsigned char big[2048];
	struct response resp;
	struct dispatch_report h;

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
	struct dispatch_report h;
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
	struct dispatch_report h;
	char len[8], *b64;
	size_t n = good_frame(body);

	(void)state;
	snprintf(len, sizeof(len), "%zu", n);
	serve("application/grpc-web+proto", NULL, len, body, n, &resp, &h);
	assert_grpc_answer(&resp, &h, "application/grpc-web+proto", 16,
	    "auth header missing (AUTH-7fs1e)");
	assert_string_equal(h.call, "RegenerateOIDCClientSecret");
	response_free(&resp);
	b64 = base64(body, n);
	serve("application/grpc-web-text", "Basic dXNlcjpwdw==", NULL, b64,
	    strlen(b64), &resp, &h);
	assert_grpc_answer(&resp, &h, "application/grpc-web-text+proto", 16,
	    "auth header missing (AUTH-7fs1e)");
	response_free(&resp);
	free(b64);
}

#define T(f) cmocka_unit_test_teardown(f, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_form),
		T(test_decode_binary),
		T(test_decode_text),
		T(test_decode_text_chunks),
		T(test_decode_each_call),
		T(test_timeout),
		T(test_bad_frames),
		T(test_garbage_protobuf),
		T(test_text_bad),
		T(test_mutations),
		T(test_encode_outcome_bytes),
		T(test_encode_outcome_roundtrip),
		T(test_encode_outcome_text),
		T(test_encode_outcome_lengths),
		T(test_encode_every_call),
		T(test_encode_error_every_kind),
		T(test_percent_encode),
		T(test_dispatch_native),
		T(test_dispatch_unsupported),
		T(test_dispatch_too_large),
		T(test_dispatch_bad_body),
		T(test_dispatch_reaches_service),
	};

	return cmocka_run_group_tests_name("grpcweb", tests, NULL, NULL);
}
