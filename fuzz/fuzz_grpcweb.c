/*
 * fuzz_grpcweb.c - libFuzzer harness: gRPC-web framing and decoding
 * (grpcweb_decode in every mode), and the encoders fed what was decoded.
 *
 * Input: byte 0 picks the mode (binary, text, native, unsupported: the
 * decoder must hold up whatever mode it is handed), the rest is the body.
 * Checks: no crash, no leak; a decoded request's IDs lie inside the message
 * and within ID_BYTES; an answer built from them is well framed (binary: a
 * data frame whose length fits, then the trailer frame; text: base64).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "grpcweb.h"
#include "route.h"
#include "secret.h"
#include "service.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const enum grpcweb_mode modes[] = {
	GRPCWEB_BINARY, GRPCWEB_TEXT, GRPCWEB_NATIVE, GRPCWEB_UNSUPPORTED
};

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
check_encoded(enum grpcweb_mode mode, const struct response *resp)
{
	const unsigned char *p = (const unsigned char *)resp->body;
	size_t mlen;

	if (resp->status != 200 || resp->body == NULL)
		abort();
	if (mode == GRPCWEB_TEXT) {
		if (resp->body_len % 4 != 0)
			abort();
		return;
	}
	if (resp->body_len < 2 * GRPCWEB_FRAME_HEADER || p[0] != 0x00)
		abort();
	mlen = (size_t)p[1] << 24 | (size_t)p[2] << 16 | (size_t)p[3] << 8 | p[4];
	if (mlen > resp->body_len - 2 * GRPCWEB_FRAME_HEADER ||
	    p[GRPCWEB_FRAME_HEADER + mlen] != GRPCWEB_FLAG_TRAILER)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct grpcweb_request gr;
	struct outcome out;
	struct response resp;
	enum grpcweb_mode mode;
	char *body;
	enum err e;

	if (size < 1)
		return 0;
	mode = modes[data[0] % 4];
	body = malloc(size);	/* exactly size - 1 bytes of body, and one spare */
	if (body == NULL)
		return 0;
	memcpy(body, data + 1, size - 1);
	e = grpcweb_decode(mode, size > 1 ? body : NULL, size - 1, &gr);
	if (e != ERR_OK) {
		if (e != ERR_BAD_BODY || gr.msg != NULL)
			abort();
		free(body);
		return 0;
	}
	if (gr.project_id.n > ID_BYTES || gr.app_id.n > ID_BYTES ||
	    (gr.project_id.n > 0 && gr.project_id.p == NULL) ||
	    (gr.app_id.n > 0 && gr.app_id.p == NULL))
		abort();
	/* The service judges the IDs next; it reads every byte of them. */
	(void)route_check_id(gr.project_id);
	(void)route_check_id(gr.app_id);

	/* An answer made of what came in: any length, any bytes but NUL. */
	memset(&out, 0, sizeof(out));
	memset(&resp, 0, sizeof(resp));
	copy_printable(gr.app_id, out.client_secret, sizeof(out.client_secret));
	copy_printable(gr.project_id, out.resource_owner, sizeof(out.resource_owner));
	out.sequence = (uint64_t)gr.project_id.n << 32 | gr.app_id.n;
	out.change_date.sec = (int64_t)size;
	out.change_date.nsec = (int32_t)(size % 1000000000);
	if (mode == GRPCWEB_BINARY || mode == GRPCWEB_TEXT) {
		if (grpcweb_encode_outcome(mode, &out, &resp) != 0)
			abort();
		check_encoded(mode, &resp);
		response_free(&resp);
		if (grpcweb_encode_error(mode, ERR_BAD_BODY, &resp) != 0)
			abort();
		response_free(&resp);
	}
	outcome_wipe(&out);
	grpcweb_request_free(&gr);
	free(body);
	return 0;
}
