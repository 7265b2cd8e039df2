/*
 * fuzz_grpcweb.c - libFuzzer harness: the binary codecs' decoding (the
 * gRPC-web frame, plain or base64, and the bare message Connect's
 * application/proto carries) for every call, and the encoders fed what
 * was decoded.
 *
 * Input: byte 0 picks the call (bits 0-1: management.v1 OIDC and API,
 * application.v2, app.v2beta), gRPC-web's text form (bit 2) and Connect's
 * binary codec instead of gRPC-web (bit 3); the rest is the body.
 * Checks: no crash, no leak; a refusal is ERR_BAD_BODY and leaves no IDs;
 * a decoded request's IDs lie in the call and within ID_BYTES, and only
 * v2beta has an app type; an answer built from them is well framed
 * (binary: a data frame whose length fits, then the trailer frame; text:
 * base64; Connect: the bare message); every error's headers fit.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "config.h"
#include "connect.h"
#include "grpcweb.h"
#include "route.h"
#include "secret.h"
#include "service.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t
copy_printable(struct slice s, char *out, size_t cap)
{
	size_t i, n = 0;

	for (i = 0; i < s.n && n + 1 < cap; i++)
		if (s.p[i] != '\0')
			out[n++] = s.p[i];
	out[n] = '\0';
	return n;
}

static void
check_grpcweb(int form, const struct response *resp)
{
	const unsigned char *p = (const unsigned char *)resp->body;
	size_t mlen;

	if (resp->status != 200 || resp->body == NULL)
		abort();
	if (form == GRPCWEB_TEXT) {
		if (resp->body_len % 4 != 0)
			abort();
		return;
	}
	if (resp->body_len < 2 * GRPCWEB_FRAME_HEADER || p[0] != 0x00)
		abort();
	mlen = (size_t)p[1] << 24 | (size_t)p[2] << 16 | (size_t)p[3] << 8 |
	    p[4];
	if (mlen > resp->body_len - 2 * GRPCWEB_FRAME_HEADER ||
	    p[GRPCWEB_FRAME_HEADER + mlen] != GRPCWEB_FLAG_TRAILER)
		abort();
}

static int
inside(struct slice s, const struct call *c)
{
	return s.n == 0 || (s.p >= c->ids &&
	    s.p + s.n <= c->ids + sizeof(c->ids));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct codec *cd;
	struct request req;
	struct outcome out;
	struct response resp;
	struct call c;
	int form;
	enum err e;

	if (size < 1)
		return 0;
	memset(&c, 0, sizeof(c));
	c.rpc = (enum rpc)(data[0] & 3);
	if (data[0] & 8) {
		cd = &codec_connect;
		form = CONNECT_PROTO;
	} else {
		cd = &codec_grpcweb;
		form = data[0] & 4 ? GRPCWEB_TEXT : GRPCWEB_BINARY;
	}
	memset(&req, 0, sizeof(req));
	/* Exactly size - 1 bytes: ASan sees any read past the end. */
	req.body = size > 1 ? malloc(size - 1) : NULL;
	if (size > 1 && req.body == NULL)
		return 0;
	if (size > 1)
		memcpy(req.body, data + 1, size - 1);
	req.body_len = size - 1;
	e = cd->decode(form, &req, &c);
	if (e != ERR_OK) {
		if (e != ERR_BAD_BODY || c.project_id.n != 0 || c.app_id.n != 0)
			abort();
		goto out;
	}
	if (c.project_id.n > ID_BYTES || c.app_id.n > ID_BYTES ||
	    !inside(c.project_id, &c) || !inside(c.app_id, &c) ||
	    (c.rpc != RPC_V2BETA && c.msg_kind != MSG_KIND_NONE))
		abort();
	/* The service judges the IDs next; it reads every byte of them. */
	(void)route_check_id(c.project_id);
	(void)route_check_id(c.app_id);

	/* An answer made of what came in: any length, any bytes but NUL. */
	memset(&out, 0, sizeof(out));
	memset(&resp, 0, sizeof(resp));
	copy_printable(c.app_id, out.client_secret, sizeof(out.client_secret));
	copy_printable(c.project_id, out.resource_owner,
	    sizeof(out.resource_owner));
	out.sequence = (uint64_t)c.project_id.n << 32 | c.app_id.n;
	out.change_date.sec = (int64_t)size;
	out.change_date.nsec = (int32_t)(size % 1000000000);
	if (cd == &codec_grpcweb) {
		if (cd->encode(form, &c, &out, &resp) != 0)
			abort();
		check_grpcweb(form, &resp);
	} else if (c.rpc == RPC_V2 || c.rpc == RPC_V2BETA) {
		if (cd->encode(form, &c, &out, &resp) != 0 ||
		    resp.status != 200 || resp.body == NULL)
			abort();
	}
	response_free(&resp);
	/* Any kind but ERR_OK, which is no error to answer. */
	if (cd->encode_error(form, (enum err)(1 + size % (ERR__COUNT - 1)),
	    &resp) != 0)
		abort();
	response_free(&resp);
	outcome_wipe(&out);
out:
	free(req.body);
	return 0;
}
