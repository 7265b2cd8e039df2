/*
 * fuzz_json.c - libFuzzer harness: the JSON bodies, checked strictly
 * (json_check_object, RFC 8259 with a depth limit) and decoded as
 * Connect's JSON messages for every call Connect carries.
 *
 * The input is the request body as it is.  Checks: no crash, no leak, no
 * read past the end (ASan), no stack exhaustion on deep nesting; what the
 * strict check accepts is white space only or one object, "{" first and
 * "}" last; what it refuses, the Connect codec refuses too
 * (ERR_BAD_BODY); any other refusal is a client's error (4xx); every
 * value decoded is no longer than the body.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "calls.h"
#include "codec.h"
#include "connect.h"
#include "jsonstrict.h"
#include "service.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
is_space(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void
connect_decode(const struct call_def *def, char *body, size_t size,
    enum err strict)
{
	struct request req;
	struct call c;
	unsigned slot;
	enum err e;

	if (call_init(&c, def, size) != 0)
		return;
	memset(&req, 0, sizeof(req));
	req.body = body;
	req.body_len = size;
	e = codec_connect.decode(CONNECT_JSON, &req, &c);
	if (strict != ERR_OK && e != ERR_BAD_BODY)
		abort();
	if (e != ERR_OK && (err_http(e) < 400 || err_http(e) >= 500))
		abort();
	if (e == ERR_OK)
		for (slot = 0; slot < ARG__COUNT; slot++)
			if (c.arg[slot].set && c.arg[slot].s.n > size)
				abort();
	call_free(&c);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A copy of exactly size bytes: ASan sees any read past the end. */
	char *body = malloc(size > 0 ? size : 1);
	size_t a = 0, b = size, i;
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
	for (i = 0; i < ncalls; i++)
		if (calls[i].family == FAMILY_CONNECT)
			connect_decode(&calls[i], body, size, strict);
	free(body);
	return 0;
}
