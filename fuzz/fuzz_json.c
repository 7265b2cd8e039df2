/*
 * fuzz_json.c - libFuzzer harness: the strict JSON body checker
 * (rest_check_body, RFC 8259 with a depth limit).
 *
 * The input is the request body as it is.  Checks: no crash, no read past
 * the end (ASan), no stack exhaustion on deep nesting, and what it accepts
 * is white space only or one object: "{" first and "}" last.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
is_space(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A copy of exactly size bytes: ASan sees any read past the end. */
	char *body = malloc(size > 0 ? size : 1);
	size_t a = 0, b = size;

	if (body == NULL)
		return 0;
	if (size > 0)
		memcpy(body, data, size);
	if (rest_check_body(body, size) == ERR_OK) {
		while (a < b && is_space(data[a]))
			a++;
		while (b > a && is_space(data[b - 1]))
			b--;
		if (a < b && (data[a] != '{' || data[b - 1] != '}'))
			abort();
	}
	free(body);
	return 0;
}
