/*
 * fuzz_json.c - libFuzzer harness: the JSON bodies, checked strictly
 * (json_check_object, RFC 8259 with a depth limit) and decoded as
 * Connect's JSON messages for both v2 calls.
 *
 * The input is the request body as it is.  Checks: no crash, no read past
 * the end (ASan), no stack exhaustion on deep nesting; what the strict
 * check accepts is white space only or one object, "{" first and "}" last;
 * what it refuses, the Connect codec refuses too (ERR_BAD_BODY), and what
 * that codec accepts has its IDs in the call, within ID_BYTES, and an app
 * type only for v2beta.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "connect.h"
#include "jsonstrict.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
is_space(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void
connect_decode(const char *body, size_t size, enum rpc rpc, enum err strict)
{
	struct request req;
	struct call c;
	enum err e;

	memset(&req, 0, sizeof(req));
	memset(&c, 0, sizeof(c));
	req.body = (char *)(uintptr_t)body;
	req.body_len = size;
	c.rpc = rpc;
	e = codec_connect.decode(CONNECT_JSON, &req, &c);
	if (strict != ERR_OK && e != ERR_BAD_BODY)
		abort();
	if (e != ERR_OK)
		return;
	if (c.project_id.n > ID_BYTES || c.app_id.n > ID_BYTES ||
	    (c.project_id.n > 0 && c.project_id.p != c.ids) ||
	    (c.app_id.n > 0 && c.app_id.p != c.ids + ID_BYTES) ||
	    (rpc != RPC_V2BETA && c.msg_kind != MSG_KIND_NONE))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A copy of exactly size bytes: ASan sees any read past the end. */
	char *body = malloc(size > 0 ? size : 1);
	size_t a = 0, b = size;
	enum err strict;

	if (body == NULL)
		return 0;
	if (size > 0)
		memcpy(body, data, size);
	strict = json_check_object(body, size);
	if (strict == ERR_OK) {
		while (a < b && is_space(data[a]))
			a++;
		while (b > a && is_space(data[b - 1]))
			b--;
		if (a < b && (data[a] != '{' || data[b - 1] != '}'))
			abort();
	} else if (strict != ERR_BAD_BODY)
		abort();
	free(body);
	/* A request's body is NUL-terminated past its length. */
	body = malloc(size + 1);
	if (body == NULL)
		return 0;
	if (size > 0)
		memcpy(body, data, size);
	body[size] = '\0';
	connect_decode(body, size, RPC_V2, strict);
	connect_decode(body, size, RPC_V2BETA, strict);
	free(body);
	return 0;
}
