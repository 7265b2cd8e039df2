/*
 * fuzz_jwt.c - libFuzzer harness: JWT assertions read (jwt_parse), their
 * signatures verified against a fixed key (jwt_verify), their claims
 * checked (jwt_check).
 *
 * Input: byte 0 picks the form.  Odd: the rest is the assertion as sent.
 * Even: the rest is the header's JSON, a NUL, the claims' JSON, a NUL, the
 * signature's bytes, which the harness encodes (base64url) and joins, so
 * that mutations reach the JSON readers without having to spell base64.
 * Checks: no crash, no read past the end (ASan), no leak, no UB; results
 * in the enum; what parse accepts has a kid, iss and sub within their
 * bounds, 1 to JWT_AUD_MAX audiences within theirs, times in range, a
 * signature of 1 to JWT_SIG_MAX bytes, and a signed part that is the
 * input up to its last '.'; no signature the fuzzer makes verifies; what
 * check accepts meets every rule of doc/keys.md, re-derived here.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "jwt.h"
#include "keyvectors.h"
#include "rsakey.h"
#include "secret.h"

#define USER "312345678901234567"
#define ISSUER "https://id.example.com"
#define NOW 1767225600LL

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct rsakey *key;
static struct jwt t;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (secret_init() != 0 ||
	    rsakey_read_public(KV_A_PUB_PEM, strlen(KV_A_PUB_PEM), &key) !=
	    RSAKEY_OK)
		abort();
	return 0;
}

/* A NUL within n bytes, and something before it. */
static void
bounded(const char *s, size_t max)
{
	size_t n = strnlen(s, max + 1);

	if (n == 0 || n > max)
		abort();
}

static void
parsed(const char *tok, size_t len)
{
	const char *a = t.aud;
	size_t i;

	bounded(t.kid, JWT_KID_MAX);
	bounded(t.iss, JWT_ID_MAX);
	bounded(t.sub, JWT_ID_MAX);
	if (t.naud < 1 || t.naud > JWT_AUD_MAX)
		abort();
	for (i = 0; i < t.naud; i++) {
		if (a >= t.aud + sizeof(t.aud))
			abort();
		bounded(a, JWT_AUD_LEN);
		a += strlen(a) + 1;
	}
	if (t.iat < 1 || t.iat > JWT_TIME_MAX || t.exp < 1 ||
	    t.exp > JWT_TIME_MAX || t.nbf < 0 || t.nbf > JWT_TIME_MAX)
		abort();
	if (t.sig_len < 1 || t.sig_len > JWT_SIG_MAX ||
	    t.signed_len >= len || tok[t.signed_len] != '.' ||
	    memchr(tok + t.signed_len + 1, '.', len - t.signed_len - 1) !=
	    NULL || memcmp(t.signed_part, tok, t.signed_len) != 0)
		abort();
}

/* jwt_check's JWT_OK, re-derived. */
static int
rules_hold(void)
{
	const char *a = t.aud;
	size_t i, al, il = strlen(ISSUER);
	int found = 0;

	for (i = 0; i < t.naud; i++) {
		al = strlen(a);
		if ((al == il && memcmp(a, ISSUER, il) == 0) ||
		    (al == il + 1 && memcmp(a, ISSUER, il) == 0 &&
		    a[il] == '/'))
			found = 1;
		a += al + 1;
	}
	return found && strcmp(t.iss, USER) == 0 &&
	    strcmp(t.sub, USER) == 0 && t.exp > NOW && t.exp > t.iat &&
	    t.exp - t.iat <= JWT_LIFETIME && t.iat <= NOW + JWT_SKEW &&
	    t.nbf <= NOW + JWT_SKEW;
}

static void
one(const char *tok, size_t len)
{
	struct jwt_expect x = { ISSUER, USER, NOW };
	enum jwt_err e = jwt_parse(tok, len, &t);

	if ((unsigned)e > JWT_ERROR || e == JWT_ERROR)
		abort();
	if (e != JWT_OK)
		return;
	parsed(tok, len);
	/* The fuzzer cannot sign with key A's private half. */
	if (jwt_verify(&t, key) != JWT_BAD_SIGNATURE)
		abort();
	e = jwt_check(&t, &x);
	if ((unsigned)e > JWT_ERROR || e == JWT_ERROR ||
	    (e == JWT_OK) != rules_hold())
		abort();
}

/* header \0 claims \0 signature, each part encoded. */
static void
structured(const uint8_t *data, size_t size)
{
	const uint8_t *z1 = memchr(data, 0, size), *z2;
	char *tok = NULL;
	size_t hl, cl, sl, o;

	if (z1 == NULL)
		return;
	z2 = memchr(z1 + 1, 0, size - (size_t)(z1 + 1 - data));
	if (z2 == NULL)
		return;
	hl = (size_t)(z1 - data);
	cl = (size_t)(z2 - z1 - 1);
	sl = size - (size_t)(z2 + 1 - data);
	tok = malloc(B64_LEN(hl) + B64_LEN(cl) + B64_LEN(sl) + 3);
	if (tok == NULL)
		return;
	o = b64_encode(data, hl, tok, B64_URL);
	tok[o++] = '.';
	o += b64_encode(z1 + 1, cl, tok + o, B64_URL);
	tok[o++] = '.';
	o += b64_encode(z2 + 1, sl, tok + o, B64_URL);
	one(tok, o);
	free(tok);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *tok;

	if (size == 0)
		return 0;
	if ((data[0] & 1) == 0) {
		structured(data + 1, size - 1);
		return 0;
	}
	/* A copy of exactly the token: ASan sees any read past the end. */
	tok = malloc(size - 1 > 0 ? size - 1 : 1);
	if (tok == NULL)
		return 0;
	memcpy(tok, data + 1, size - 1);
	one(tok, size - 1);
	free(tok);
	return 0;
}
