/*
 * fuzz_grpcweb.c - libFuzzer harness: the binary codecs' decoding (the
 * gRPC-web frame, plain or base64, and the bare message Connect's
 * application/proto carries) for every call they carry, and the encoders
 * fed what was decoded.
 *
 * Input: byte 0 picks the call (bits 0-4, among those of calls.c that
 * gRPC-web or Connect carry), gRPC-web's text form (bit 5) and Connect's
 * binary codec instead of gRPC-web (bit 6); the rest is the body.
 * Checks: no crash, no leak, no read past the body (ASan); a refusal is a
 * client's error (4xx), never an internal one; every value decoded is no
 * longer than the body; an answer built from the input is well framed
 * (binary: a data frame whose length fits, then the trailer frame; text:
 * base64; Connect: a 200); every error kind encodes.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "calls.h"
#include "codec.h"
#include "connect.h"
#include "grpcweb.h"
#include "service.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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

/* The n-th call (wrapping) that gRPC-web or Connect carries. */
static const struct call_def *
pick_call(unsigned n)
{
	const struct call_def *binary[64];
	size_t i, k = 0;

	for (i = 0; i < ncalls && k < sizeof(binary) / sizeof(binary[0]); i++)
		if (calls[i].family == FAMILY_GRPC ||
		    calls[i].family == FAMILY_CONNECT)
			binary[k++] = &calls[i];
	return k > 0 ? binary[n % k] : NULL;
}

/* Every slot of an answer set from the input: any bytes, any length. */
static void
fill_answer(struct answer *o, const uint8_t *data, size_t size)
{
	unsigned slot;

	memset(o, 0, sizeof(*o));
	for (slot = 0; slot < OUT__COUNT; slot++) {
		size_t n = size > 200 ? 200 : size;

		if (answer_str(o, slot, (const char *)data, n) != 0)
			abort();
		o->out[slot].i = (int64_t)size;
		o->out[slot].t.sec = (int64_t)size;
		o->out[slot].t.nsec = (int32_t)(size % 1000000000);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct call_def *def;
	const struct codec *cd;
	struct request req;
	struct answer *out;
	struct response resp;
	struct call c;
	unsigned slot;
	int form;
	enum err e;

	if (size < 1 || (def = pick_call(data[0] & 31)) == NULL)
		return 0;
	if (data[0] & 64) {
		cd = &codec_connect;
		form = CONNECT_PROTO;
	} else {
		cd = &codec_grpcweb;
		form = data[0] & 32 ? GRPCWEB_TEXT : GRPCWEB_BINARY;
	}
	if (call_init(&c, def, size) != 0)
		return 0;
	memset(&req, 0, sizeof(req));
	/* Exactly size - 1 bytes: ASan sees any read past the end. */
	req.body = size > 1 ? malloc(size - 1) : NULL;
	if (size > 1 && req.body == NULL)
		goto out;
	if (size > 1)
		memcpy(req.body, data + 1, size - 1);
	req.body_len = size - 1;
	e = cd->decode(form, &req, &c);
	if (e != ERR_OK) {
		if (err_http(e) < 400 || err_http(e) >= 500)
			abort();
		goto out;
	}
	for (slot = 0; slot < ARG__COUNT; slot++)
		if (c.arg[slot].set && c.arg[slot].s.n > req.body_len)
			abort();

	out = malloc(sizeof(*out));
	if (out == NULL)
		goto out;
	fill_answer(out, data, size);
	memset(&resp, 0, sizeof(resp));
	if (cd->encode(form, &c, out, &resp) != 0)
		abort();
	if (cd == &codec_grpcweb)
		check_grpcweb(form, &resp);
	else if (resp.status != 200)
		abort();
	response_free(&resp);
	/* Any kind but ERR_OK, which is no error to answer. */
	if (cd->encode_error(form, &c,
	    (enum err)(1 + size % (ERR__COUNT - 1)), &resp) != 0)
		abort();
	response_free(&resp);
	answer_wipe(out);
	free(out);
out:
	free(req.body);
	call_free(&c);
	return 0;
}
