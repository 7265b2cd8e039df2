/*
 * test_jwt.c - RS256 JWT assertions: read, verified, checked (src/jwt.c,
 * doc/keys.md).
 *
 * Tokens are built here: the JSON as written in each test, base64url by
 * b64.c, signed with the fixed keys of keyvectors.c through libgcrypt.
 * Covers: a valid assertion through all three steps and what it yields;
 * every refusal with its own reason: the algorithm ("none", HS256, HS256
 * keyed with the public key's PEM, RS384/RS512, PS256, ES256, a case
 * change, absent), "kid", "typ", "crit", each missing claim, claims of
 * the wrong type or range (fractions, exponents, strings, negatives, zero,
 * far future, too long, too many), a changed payload or signature, another
 * key's signature, iss, sub, aud (string and array forms, the trailing
 * slash either side, near misses), exp, iat and nbf at and past each
 * bound, padding, the standard alphabet and left-over bits in any part,
 * two and four parts, the size bound exactly, member names twice (also
 * spelled with escapes), \u0000, non-JSON and non-objects; RFC 7515 A.1
 * and A.2's tokens; the reason names.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <gcrypt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "jwt.h"
#include "keyvectors.h"
#include "rsakey.h"
#include "secret.h"
#include "util.h"

#define NOW 1767225600LL	/* 2026-01-01T00:00:00Z */
#define USER "312345678901234567"
#define ISSUER "https://id.example.com"
#define TOK 24576
#define HDR "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"k1\"}"

static struct rsakey *key_a, *key_b;

static int
setup(void **state)
{
	(void)state;
	if (secret_init() != 0 ||
	    rsakey_read_public(KV_A_PUB_PEM, strlen(KV_A_PUB_PEM), &key_a) !=
	    RSAKEY_OK ||
	    rsakey_read_public(KV_B_PUB_DER, KV_B_PUB_DER_LEN, &key_b) !=
	    RSAKEY_OK)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	rsakey_free(key_a);
	rsakey_free(key_b);
	return 0;
}

/* header "." claims, base64url, then "." and the signature. */
enum signer { SIGN_A, SIGN_B, SIGN_NONE, SIGN_HMAC_PEM };

static size_t
token(char *out, const char *header, const char *claims, enum signer s)
{
	unsigned char sig[512];
	size_t o, slen = 0;

	o = b64_encode(header, strlen(header), out, B64_URL);
	out[o++] = '.';
	o += b64_encode(claims, strlen(claims), out + o, B64_URL);
	switch (s) {
	case SIGN_A:
		slen = kv_sign_rs256(&KV_A, out, o, sig, sizeof(sig));
		assert_int_equal(slen, 256);
		break;
	case SIGN_B:
		slen = kv_sign_rs256(&KV_B, out, o, sig, sizeof(sig));
		assert_int_equal(slen, 384);
		break;
	case SIGN_HMAC_PEM:
		/* The classic confusion: HMAC keyed with the public PEM. */
		assert_int_equal(gcry_md_hash_buffers(GCRY_MD_SHA256,
		    GCRY_MD_FLAG_HMAC, sig, (gcry_buffer_t[]){
		    { 0, 0, strlen(KV_A_PUB_PEM), (void *)KV_A_PUB_PEM },
		    { 0, 0, o, out } }, 2), 0);
		slen = 32;
		break;
	case SIGN_NONE:
		break;
	}
	out[o++] = '.';
	o += b64_encode(sig, slen, out + o, B64_URL);
	return o;
}

static char *
claims_of(char *buf, const char *iss, const char *sub, const char *aud,
    long long iat, long long exp, const char *extra)
{
	snprintf(buf, TOK, "{\"iss\":\"%s\",\"sub\":\"%s\",\"aud\":%s,"
	    "\"iat\":%lld,\"exp\":%lld%s}", iss, sub, aud, iat, exp, extra);
	return buf;
}

/* The three steps, key A, against ISSUER, USER, NOW. */
static enum jwt_err
run_token(const char *tok, size_t len, const struct rsakey *key)
{
	static struct jwt t;
	struct jwt_expect x = { ISSUER, USER, NOW };
	enum jwt_err e;

	if ((e = jwt_parse(tok, len, &t)) != JWT_OK ||
	    (e = jwt_verify(&t, key)) != JWT_OK)
		return e;
	return jwt_check(&t, &x);
}

static enum jwt_err
run(const char *header, const char *claims, enum signer s)
{
	static char tok[TOK];
	size_t n = token(tok, header, claims, s);

	return run_token(tok, n, key_a);
}

/* Claims of a valid assertion, with extra members and other times. */
static enum jwt_err
run_times(long long iat, long long exp, const char *extra)
{
	static char c[TOK];

	return run(HDR, claims_of(c, USER, USER, "\"" ISSUER "\"", iat, exp,
	    extra), SIGN_A);
}

#define EXPECT(call, want) do {						\
	enum jwt_err got_ = (call);					\
	if (got_ != (want))						\
		fail_msg("%s: %s, not %s", #call,			\
		    jwt_why(got_)->reason, jwt_why(want)->reason);	\
} while (0)

static void
test_valid(void **state)
{
	static char tok[TOK], c[TOK];
	static struct jwt t;
	struct jwt_expect x = { ISSUER, USER, NOW };
	size_t n;

	(void)state;
	/* As ZITADEL's SDKs write it. */
	n = token(tok, HDR, claims_of(c, USER, USER, "\"" ISSUER "\"", NOW,
	    NOW + 3600, ""), SIGN_A);
	assert_int_equal(jwt_parse(tok, n, &t), JWT_OK);
	assert_string_equal(t.kid, "k1");
	assert_string_equal(t.iss, USER);
	assert_string_equal(t.sub, USER);
	assert_int_equal(t.naud, 1);
	assert_string_equal(t.aud, ISSUER);
	assert_int_equal(t.iat, NOW);
	assert_int_equal(t.exp, NOW + 3600);
	assert_int_equal(t.nbf, 0);
	assert_int_equal(t.sig_len, 256);
	assert_int_equal(t.signed_len, (size_t)(strrchr(tok, '.') - tok));
	assert_memory_equal(t.signed_part, tok, t.signed_len);
	assert_int_equal(jwt_verify(&t, key_a), JWT_OK);
	assert_int_equal(jwt_check(&t, &x), JWT_OK);
	/* Another key: not its signature. */
	assert_int_equal(jwt_verify(&t, key_b), JWT_BAD_SIGNATURE);
	/* Signed by B, verified with B. */
	n = token(tok, HDR, c, SIGN_B);
	assert_int_equal(run_token(tok, n, key_b), JWT_OK);
	assert_int_equal(run_token(tok, n, key_a), JWT_BAD_SIGNATURE);
	/* Without typ, with "jwt", with unknown members, with nbf. */
	EXPECT(run("{\"kid\":\"k1\",\"alg\":\"RS256\"}", c, SIGN_A), JWT_OK);
	EXPECT(run("{\"alg\":\"RS256\",\"typ\":\"jwt\",\"kid\":\"k1\"}", c,
	    SIGN_A), JWT_OK);
	EXPECT(run("{\"alg\":\"RS256\",\"typ\":\"jWt\",\"kid\":\"k1\","
	    "\"x5u\":\"https://x\",\"jwk\":{\"kty\":\"oct\"},\"cty\":1}", c,
	    SIGN_A), JWT_OK);
	EXPECT(run_times(NOW, NOW + 60, ",\"jti\":\"x\",\"scope\":[1,{}],"
	    "\"nested\":{\"a\":{\"b\":[null,true,1.5e3]}}"), JWT_OK);
	EXPECT(run_times(NOW - 10, NOW + 10, ",\"nbf\":1"), JWT_OK);
	/* White space within the JSON is JSON. */
	EXPECT(run(" {\"alg\" : \"RS256\",\r\n\"kid\":\"k1\"} ", c, SIGN_A),
	    JWT_OK);
}

static void
test_alg(void **state)
{
	static const char *const refused[] = {
		"{\"alg\":\"none\",\"kid\":\"k1\"}",
		"{\"alg\":\"HS256\",\"kid\":\"k1\"}",
		"{\"alg\":\"HS512\",\"kid\":\"k1\"}",
		"{\"alg\":\"RS384\",\"kid\":\"k1\"}",
		"{\"alg\":\"RS512\",\"kid\":\"k1\"}",
		"{\"alg\":\"PS256\",\"kid\":\"k1\"}",
		"{\"alg\":\"ES256\",\"kid\":\"k1\"}",
		"{\"alg\":\"EdDSA\",\"kid\":\"k1\"}",
		"{\"alg\":\"rs256\",\"kid\":\"k1\"}",
		"{\"alg\":\"RS256 \",\"kid\":\"k1\"}",
		"{\"alg\":\"RS2560\",\"kid\":\"k1\"}",
		"{\"alg\":\"RS25\",\"kid\":\"k1\"}",
		"{\"alg\":\"RS256\\u0000\",\"kid\":\"k1\"}",
		"{\"alg\":[\"RS256\"],\"kid\":\"k1\"}",
		"{\"alg\":null,\"kid\":\"k1\"}",
		"{\"kid\":\"k1\"}",
		"{\"ALG\":\"RS256\",\"kid\":\"k1\"}",
	};
	static char c[TOK], tok[TOK];
	size_t i, n;

	(void)state;
	claims_of(c, USER, USER, "\"" ISSUER "\"", NOW, NOW + 3600, "");
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		enum jwt_err want = strstr(refused[i], "u0000") != NULL ?
		    JWT_MALFORMED : JWT_BAD_ALG;

		EXPECT(run(refused[i], c, SIGN_A), want);
		EXPECT(run(refused[i], c, SIGN_NONE), want);
		EXPECT(run(refused[i], c, SIGN_HMAC_PEM), want);
	}
	/* "none" with its empty signature: refused for the alg. */
	n = token(tok, "{\"alg\":\"none\",\"kid\":\"k1\"}", c, SIGN_NONE);
	assert_int_equal(tok[n - 1], '.');
	EXPECT(run_token(tok, n, key_a), JWT_BAD_ALG);
	/* HS256 keyed with the public key's PEM, as a confused verifier
	 * would check it: refused at the header, never an HMAC here. */
	n = token(tok, "{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"k1\"}", c,
	    SIGN_HMAC_PEM);
	EXPECT(run_token(tok, n, key_a), JWT_BAD_ALG);
	/* RS256 with an empty signature: no signature. */
	n = token(tok, HDR, c, SIGN_NONE);
	EXPECT(run_token(tok, n, key_a), JWT_MALFORMED);
	/* RFC 7515 A.1's header (HS256), A.2's token (no kid). */
	n = token(tok, "{\"typ\":\"JWT\",\r\n \"alg\":\"HS256\"}", c,
	    SIGN_HMAC_PEM);
	EXPECT(run_token(tok, n, key_a), JWT_BAD_ALG);
	EXPECT(run_token(KV_RFC7515_JWS, strlen(KV_RFC7515_JWS), key_a),
	    JWT_BAD_KID);
}

static void
test_header(void **state)
{
	static char c[TOK], h[TOK], kid[200];

	(void)state;
	claims_of(c, USER, USER, "\"" ISSUER "\"", NOW, NOW + 3600, "");
	/* kid */
	EXPECT(run("{\"alg\":\"RS256\",\"typ\":\"JWT\"}", c, SIGN_A),
	    JWT_BAD_KID);
	EXPECT(run("{\"alg\":\"RS256\",\"kid\":\"\"}", c, SIGN_A),
	    JWT_BAD_KID);
	EXPECT(run("{\"alg\":\"RS256\",\"kid\":1}", c, SIGN_A), JWT_BAD_KID);
	EXPECT(run("{\"alg\":\"RS256\",\"kid\":null}", c, SIGN_A),
	    JWT_BAD_KID);
	EXPECT(run("{\"alg\":\"RS256\",\"kid\":[\"k1\"]}", c, SIGN_A),
	    JWT_BAD_KID);
	EXPECT(run("{\"alg\":\"RS256\",\"kid\":\"k\\u0001\"}", c, SIGN_A),
	    JWT_BAD_KID);
	EXPECT(run("{\"alg\":\"RS256\",\"kid\":\"k\\n\"}", c, SIGN_A),
	    JWT_BAD_KID);
	EXPECT(run("{\"alg\":\"RS256\",\"kid\":\"k\\u0085\"}", c, SIGN_A),
	    JWT_BAD_KID);
	/* Half a surrogate pair json-c would replace: not as written. */
	EXPECT(run("{\"alg\":\"RS256\",\"kid\":\"k\\ud800\"}", c, SIGN_A),
	    JWT_MALFORMED);
	EXPECT(run("{\"alg\":\"RS256\",\"kid\":\"k\\udc00x\"}", c, SIGN_A),
	    JWT_MALFORMED);
	EXPECT(run("{\"alg\":\"RS256\",\"kid\":\"k\\ude00\\ud83d\"}", c,
	    SIGN_A), JWT_MALFORMED);
	EXPECT(run("{\"alg\":\"RS256\",\"kid\":\"k\\ud83d\\u0041\"}", c,
	    SIGN_A), JWT_MALFORMED);
	EXPECT(run("{\"alg\":\"RS256\",\"kid\":\"k\\ud83d\\ude00\"}", c,
	    SIGN_A), JWT_OK);
	EXPECT(run("{\"alg\":\"RS256\",\"kid\":\"k\\u00e9\\\\u0000\"}", c,
	    SIGN_A), JWT_OK);
	EXPECT(run("{\"alg\":\"RS256\",\"kid\":\"\xc3\xa9t\xc3\xa9\"}", c,
	    SIGN_A), JWT_OK);
	memset(kid, 'k', JWT_KID_MAX);
	kid[JWT_KID_MAX] = '\0';
	snprintf(h, sizeof(h), "{\"alg\":\"RS256\",\"kid\":\"%s\"}", kid);
	EXPECT(run(h, c, SIGN_A), JWT_OK);
	snprintf(h, sizeof(h), "{\"alg\":\"RS256\",\"kid\":\"%sk\"}", kid);
	EXPECT(run(h, c, SIGN_A), JWT_BAD_KID);
	/* typ: absent, or JWT in any case */
	EXPECT(run("{\"alg\":\"RS256\",\"typ\":\"JOSE\",\"kid\":\"k1\"}", c,
	    SIGN_A), JWT_BAD_TYP);
	EXPECT(run("{\"alg\":\"RS256\",\"typ\":\"application/jwt\","
	    "\"kid\":\"k1\"}", c, SIGN_A), JWT_BAD_TYP);
	EXPECT(run("{\"alg\":\"RS256\",\"typ\":\"JWS\",\"kid\":\"k1\"}", c,
	    SIGN_A), JWT_BAD_TYP);
	EXPECT(run("{\"alg\":\"RS256\",\"typ\":\"JWTX\",\"kid\":\"k1\"}", c,
	    SIGN_A), JWT_BAD_TYP);
	EXPECT(run("{\"alg\":\"RS256\",\"typ\":\"\",\"kid\":\"k1\"}", c,
	    SIGN_A), JWT_BAD_TYP);
	EXPECT(run("{\"alg\":\"RS256\",\"typ\":null,\"kid\":\"k1\"}", c,
	    SIGN_A), JWT_BAD_TYP);
	EXPECT(run("{\"alg\":\"RS256\",\"typ\":\"J\\u0000T\",\"kid\":\"k1\"}",
	    c, SIGN_A), JWT_MALFORMED);
	/* crit, in any form */
	EXPECT(run("{\"alg\":\"RS256\",\"crit\":[\"exp\"],\"exp\":1,"
	    "\"kid\":\"k1\"}", c, SIGN_A), JWT_CRIT);
	EXPECT(run("{\"alg\":\"RS256\",\"crit\":[],\"kid\":\"k1\"}", c,
	    SIGN_A), JWT_CRIT);
	EXPECT(run("{\"alg\":\"RS256\",\"crit\":null,\"kid\":\"k1\"}", c,
	    SIGN_A), JWT_CRIT);
	EXPECT(run("{\"alg\":\"RS256\",\"b64\":false,\"crit\":[\"b64\"],"
	    "\"kid\":\"k1\"}", c, SIGN_A), JWT_CRIT);
}

static void
test_claims(void **state)
{
	static char c[TOK], id[400], big[TOK];
	static const char *const bad_times[] = {
		"1767225600.0", "1767225600.5", "1.7672256e9", "1767225600e0",
		"\"1767225600\"", "-1767225600", "0", "-0", "true", "null",
		"[1767225600]", "{}", "253402300800", "9223372036854775807",
		"9223372036854775808", "18446744073709551616",
		"99999999999999999999999",
	};
	char extra[100];
	size_t i;

	(void)state;
	/* Each one missing. */
	EXPECT(run(HDR, "{\"sub\":\"" USER "\",\"aud\":\"" ISSUER "\","
	    "\"iat\":1767225600,\"exp\":1767229200}", SIGN_A),
	    JWT_MISSING_CLAIM);
	EXPECT(run(HDR, "{\"iss\":\"" USER "\",\"aud\":\"" ISSUER "\","
	    "\"iat\":1767225600,\"exp\":1767229200}", SIGN_A),
	    JWT_MISSING_CLAIM);
	EXPECT(run(HDR, "{\"iss\":\"" USER "\",\"sub\":\"" USER "\","
	    "\"iat\":1767225600,\"exp\":1767229200}", SIGN_A),
	    JWT_MISSING_CLAIM);
	EXPECT(run(HDR, "{\"iss\":\"" USER "\",\"sub\":\"" USER "\","
	    "\"aud\":\"" ISSUER "\",\"exp\":1767229200}", SIGN_A),
	    JWT_MISSING_CLAIM);
	EXPECT(run(HDR, "{\"iss\":\"" USER "\",\"sub\":\"" USER "\","
	    "\"aud\":\"" ISSUER "\",\"iat\":1767225600}", SIGN_A),
	    JWT_MISSING_CLAIM);
	EXPECT(run(HDR, "{}", SIGN_A), JWT_MISSING_CLAIM);
	/* A refused assertion leaves nothing half read. */
	{
		static struct jwt t;
		static char tok[TOK];
		size_t n = token(tok, HDR, "{\"iss\":\"" USER "\"}", SIGN_A);

		assert_int_equal(jwt_parse(tok, n, &t), JWT_MISSING_CLAIM);
		assert_string_equal(t.kid, "");
		assert_string_equal(t.iss, "");
		assert_int_equal(t.sig_len, 0);
	}
	/* The same, present and valid: the baseline of the above. */
	EXPECT(run(HDR, "{\"iss\":\"" USER "\",\"sub\":\"" USER "\","
	    "\"aud\":\"" ISSUER "\",\"iat\":1767225600,\"exp\":1767229200}",
	    SIGN_A), JWT_OK);

	/* Times: integers in range, written as integers. */
	for (i = 0; i < sizeof(bad_times) / sizeof(bad_times[0]); i++) {
		snprintf(c, TOK, "{\"iss\":\"" USER "\",\"sub\":\"" USER "\","
		    "\"aud\":\"" ISSUER "\",\"iat\":1767225600,\"exp\":%s}",
		    bad_times[i]);
		if (run(HDR, c, SIGN_A) != JWT_BAD_CLAIM)
			fail_msg("exp %s", bad_times[i]);
		snprintf(c, TOK, "{\"iss\":\"" USER "\",\"sub\":\"" USER "\","
		    "\"aud\":\"" ISSUER "\",\"iat\":%s,\"exp\":1767229200}",
		    bad_times[i]);
		if (run(HDR, c, SIGN_A) != JWT_BAD_CLAIM)
			fail_msg("iat %s", bad_times[i]);
		snprintf(extra, sizeof(extra), ",\"nbf\":%s", bad_times[i]);
		if (run_times(NOW, NOW + 60, extra) != JWT_BAD_CLAIM)
			fail_msg("nbf %s", bad_times[i]);
	}
	/* iss and sub: strings of 1 to 255 bytes, no control character. */
	EXPECT(run(HDR, claims_of(c, "", USER, "\"" ISSUER "\"", NOW,
	    NOW + 60, ""), SIGN_A), JWT_BAD_CLAIM);
	EXPECT(run(HDR, claims_of(c, USER, "", "\"" ISSUER "\"", NOW,
	    NOW + 60, ""), SIGN_A), JWT_BAD_CLAIM);
	EXPECT(run(HDR, claims_of(c, USER "\\t", USER, "\"" ISSUER "\"", NOW,
	    NOW + 60, ""), SIGN_A), JWT_BAD_CLAIM);
	EXPECT(run(HDR, "{\"iss\":312345678901234567,\"sub\":\"" USER "\","
	    "\"aud\":\"" ISSUER "\",\"iat\":1767225600,\"exp\":1767229200}",
	    SIGN_A), JWT_BAD_CLAIM);
	memset(id, 'u', JWT_ID_MAX);
	id[JWT_ID_MAX] = '\0';
	EXPECT(run(HDR, claims_of(c, id, id, "\"" ISSUER "\"", NOW, NOW + 60,
	    ""), SIGN_A), JWT_WRONG_ISSUER);	/* read, then not USER */
	id[JWT_ID_MAX] = 'u';
	id[JWT_ID_MAX + 1] = '\0';
	EXPECT(run(HDR, claims_of(c, id, USER, "\"" ISSUER "\"", NOW,
	    NOW + 60, ""), SIGN_A), JWT_BAD_CLAIM);
	EXPECT(run(HDR, claims_of(c, USER, id, "\"" ISSUER "\"", NOW,
	    NOW + 60, ""), SIGN_A), JWT_BAD_CLAIM);
	/* aud: a string, or 1 to 16 strings of at most 1024 bytes. */
	EXPECT(run(HDR, claims_of(c, USER, USER, "[]", NOW, NOW + 60, ""),
	    SIGN_A), JWT_BAD_CLAIM);
	EXPECT(run(HDR, claims_of(c, USER, USER, "\"\"", NOW, NOW + 60, ""),
	    SIGN_A), JWT_BAD_CLAIM);
	EXPECT(run(HDR, claims_of(c, USER, USER, "[\"" ISSUER "\",1]", NOW,
	    NOW + 60, ""), SIGN_A), JWT_BAD_CLAIM);
	EXPECT(run(HDR, claims_of(c, USER, USER, "[[\"" ISSUER "\"]]", NOW,
	    NOW + 60, ""), SIGN_A), JWT_BAD_CLAIM);
	EXPECT(run(HDR, claims_of(c, USER, USER, "{\"a\":\"" ISSUER "\"}",
	    NOW, NOW + 60, ""), SIGN_A), JWT_BAD_CLAIM);
	EXPECT(run(HDR, claims_of(c, USER, USER, "null", NOW, NOW + 60, ""),
	    SIGN_A), JWT_BAD_CLAIM);
	{
		char aud[TOK];
		size_t o = 0;

		aud[o++] = '[';
		for (i = 0; i < JWT_AUD_MAX - 1; i++)
			o += (size_t)snprintf(aud + o, sizeof(aud) - o,
			    "\"x%zu\",", i);
		snprintf(aud + o, sizeof(aud) - o, "\"" ISSUER "\"]");
		EXPECT(run(HDR, claims_of(c, USER, USER, aud, NOW, NOW + 60,
		    ""), SIGN_A), JWT_OK);
		snprintf(aud + o, sizeof(aud) - o, "\"y\",\"" ISSUER "\"]");
		EXPECT(run(HDR, claims_of(c, USER, USER, aud, NOW, NOW + 60,
		    ""), SIGN_A), JWT_BAD_CLAIM);
		aud[0] = '[';
		aud[1] = '"';
		memset(aud + 2, 'a', JWT_AUD_LEN);
		snprintf(aud + 2 + JWT_AUD_LEN, sizeof(aud) - 2 - JWT_AUD_LEN,
		    "\",\"" ISSUER "\"]");
		EXPECT(run(HDR, claims_of(c, USER, USER, aud, NOW, NOW + 60,
		    ""), SIGN_A), JWT_OK);
		snprintf(aud + 2 + JWT_AUD_LEN, sizeof(aud) - 2 - JWT_AUD_LEN,
		    "a\",\"" ISSUER "\"]");
		EXPECT(run(HDR, claims_of(c, USER, USER, aud, NOW, NOW + 60,
		    ""), SIGN_A), JWT_BAD_CLAIM);
	}
	/* Claims we do not know are not looked at, however large. */
	memset(big, 'z', 5000);
	memcpy(big, ",\"big\":\"", 8);
	memcpy(big + 4999, "\"", 2);
	EXPECT(run_times(NOW, NOW + 60, big), JWT_OK);
}

/* iss, sub, aud against what the caller expects. */
static void
test_who(void **state)
{
	static char c[TOK];

	(void)state;
	EXPECT(run(HDR, claims_of(c, "412345678901234567", "412345678901234567",
	    "\"" ISSUER "\"", NOW, NOW + 60, ""), SIGN_A), JWT_WRONG_ISSUER);
	EXPECT(run(HDR, claims_of(c, "412345678901234567", USER,
	    "\"" ISSUER "\"", NOW, NOW + 60, ""), SIGN_A), JWT_WRONG_ISSUER);
	EXPECT(run(HDR, claims_of(c, USER, "412345678901234567",
	    "\"" ISSUER "\"", NOW, NOW + 60, ""), SIGN_A), JWT_WRONG_SUBJECT);
	EXPECT(run(HDR, claims_of(c, USER "0", USER, "\"" ISSUER "\"", NOW,
	    NOW + 60, ""), SIGN_A), JWT_WRONG_ISSUER);
	EXPECT(run(HDR, claims_of(c, "31234567890123456", USER,
	    "\"" ISSUER "\"", NOW, NOW + 60, ""), SIGN_A), JWT_WRONG_ISSUER);
	/* aud: string and array forms */
	EXPECT(run(HDR, claims_of(c, USER, USER, "\"https://other.example\"",
	    NOW, NOW + 60, ""), SIGN_A), JWT_WRONG_AUDIENCE);
	EXPECT(run(HDR, claims_of(c, USER, USER, "[\"https://a\",\"b\"]", NOW,
	    NOW + 60, ""), SIGN_A), JWT_WRONG_AUDIENCE);
	EXPECT(run(HDR, claims_of(c, USER, USER, "[\"https://a\",\"" ISSUER
	    "\"]", NOW, NOW + 60, ""), SIGN_A), JWT_OK);
	EXPECT(run(HDR, claims_of(c, USER, USER, "[\"" ISSUER "\"]", NOW,
	    NOW + 60, ""), SIGN_A), JWT_OK);
	/* One trailing slash, on either side. */
	EXPECT(run(HDR, claims_of(c, USER, USER, "\"" ISSUER "/\"", NOW,
	    NOW + 60, ""), SIGN_A), JWT_OK);
	EXPECT(run(HDR, claims_of(c, USER, USER, "[\"x\",\"" ISSUER "/\"]",
	    NOW, NOW + 60, ""), SIGN_A), JWT_OK);
	EXPECT(run(HDR, claims_of(c, USER, USER, "\"" ISSUER "//\"", NOW,
	    NOW + 60, ""), SIGN_A), JWT_WRONG_AUDIENCE);
	EXPECT(run(HDR, claims_of(c, USER, USER, "\"" ISSUER ".evil\"", NOW,
	    NOW + 60, ""), SIGN_A), JWT_WRONG_AUDIENCE);
	EXPECT(run(HDR, claims_of(c, USER, USER, "\"" ISSUER "/x\"", NOW,
	    NOW + 60, ""), SIGN_A), JWT_WRONG_AUDIENCE);
	EXPECT(run(HDR, claims_of(c, USER, USER, "\"https://id.example.co\"",
	    NOW, NOW + 60, ""), SIGN_A), JWT_WRONG_AUDIENCE);
	EXPECT(run(HDR, claims_of(c, USER, USER, "\"HTTPS://ID.EXAMPLE.COM\"",
	    NOW, NOW + 60, ""), SIGN_A), JWT_WRONG_AUDIENCE);
	EXPECT(run(HDR, claims_of(c, USER, USER, "\"/\"", NOW, NOW + 60, ""),
	    SIGN_A), JWT_WRONG_AUDIENCE);
	{
		static struct jwt t;
		static char tok[TOK];
		struct jwt_expect x = { ISSUER "/", USER, NOW };
		size_t n;

		n = token(tok, HDR, claims_of(c, USER, USER, "\"" ISSUER "\"",
		    NOW, NOW + 60, ""), SIGN_A);
		assert_int_equal(jwt_parse(tok, n, &t), JWT_OK);
		assert_int_equal(jwt_check(&t, &x), JWT_OK);
		x.audience = ISSUER "//";
		assert_int_equal(jwt_check(&t, &x), JWT_WRONG_AUDIENCE);
		x.audience = "";
		assert_int_equal(jwt_check(&t, &x), JWT_WRONG_AUDIENCE);
		x.audience = NULL;
		assert_int_equal(jwt_check(&t, &x), JWT_ERROR);
		x.audience = ISSUER;
		x.subject = NULL;
		assert_int_equal(jwt_check(&t, &x), JWT_ERROR);
		x.subject = "";
		assert_int_equal(jwt_check(&t, &x), JWT_WRONG_ISSUER);
	}
}

static void
test_times(void **state)
{
	(void)state;
	/* exp: after now, no leeway */
	EXPECT(run_times(NOW - 100, NOW, ""), JWT_EXPIRED);
	EXPECT(run_times(NOW - 100, NOW - 1, ""), JWT_EXPIRED);
	EXPECT(run_times(NOW - 3600, NOW - 3000, ""), JWT_EXPIRED);
	EXPECT(run_times(NOW - 100, NOW + 1, ""), JWT_OK);
	/* exp: after iat, at most an hour */
	EXPECT(run_times(NOW, NOW + 3600, ""), JWT_OK);
	EXPECT(run_times(NOW, NOW + 3601, ""), JWT_TOO_LONG);
	EXPECT(run_times(NOW - 3599, NOW + 1, ""), JWT_OK);
	EXPECT(run_times(NOW - 3600, NOW + 1, ""), JWT_TOO_LONG);
	EXPECT(run_times(NOW, NOW + 86400, ""), JWT_TOO_LONG);
	EXPECT(run_times(NOW + 30, NOW + 30, ""), JWT_TOO_LONG);
	EXPECT(run_times(NOW + 30, NOW + 20, ""), JWT_TOO_LONG);
	EXPECT(run_times(1, NOW + 20, ""), JWT_TOO_LONG);
	/* iat: at most 60 s ahead */
	EXPECT(run_times(NOW + 60, NOW + 120, ""), JWT_OK);
	EXPECT(run_times(NOW + 61, NOW + 120, ""), JWT_IAT_FUTURE);
	EXPECT(run_times(NOW + 3000, NOW + 3600, ""), JWT_IAT_FUTURE);
	/* nbf: the same */
	EXPECT(run_times(NOW, NOW + 120, ",\"nbf\":1767225660"), JWT_OK);
	EXPECT(run_times(NOW, NOW + 120, ",\"nbf\":1767225661"),
	    JWT_NOT_YET_VALID);
	EXPECT(run_times(NOW, NOW + 120, ",\"nbf\":1767225000"), JWT_OK);
	/* now out of range is the caller's error */
	{
		static struct jwt t;
		static char tok[TOK], c[TOK];
		struct jwt_expect x = { ISSUER, USER, -1 };
		size_t n = token(tok, HDR, claims_of(c, USER, USER,
		    "\"" ISSUER "\"", NOW, NOW + 60, ""), SIGN_A);

		assert_int_equal(jwt_parse(tok, n, &t), JWT_OK);
		assert_int_equal(jwt_check(&t, &x), JWT_ERROR);
		x.now = JWT_TIME_MAX + 1;
		assert_int_equal(jwt_check(&t, &x), JWT_ERROR);
	}
}

/* A byte changed anywhere after signing. */
static void
test_tampered(void **state)
{
	static char tok[TOK], t2[TOK], c[TOK], c2[TOK];
	char *dot1, *dot2;
	size_t n, n2, i;

	(void)state;
	claims_of(c, USER, USER, "\"" ISSUER "\"", NOW, NOW + 3600, "");
	n = token(tok, HDR, c, SIGN_A);
	EXPECT(run_token(tok, n, key_a), JWT_OK);
	dot1 = strchr(tok, '.');
	dot2 = strrchr(tok, '.');
	/* The payload with one byte changed, the old signature kept. */
	for (i = 0; i < strlen(c); i++) {
		static struct jwt t;
		enum jwt_err e;

		memcpy(c2, c, strlen(c) + 1);
		c2[i] = c2[i] == '7' ? '8' : c2[i] == '"' ? '"' : '7';
		if (c2[i] == c[i])
			continue;
		n2 = (size_t)(dot1 + 1 - tok);
		memcpy(t2, tok, n2);
		n2 += b64_encode(c2, strlen(c2), t2 + n2, B64_URL);
		memcpy(t2 + n2, dot2, strlen(dot2) + 1);
		n2 += strlen(dot2);
		e = jwt_parse(t2, n2, &t);
		if (e == JWT_OK)
			e = jwt_verify(&t, key_a);
		/* Whatever it does to the JSON, it is never accepted. */
		if (e == JWT_OK)
			fail_msg("byte %zu changed: accepted", i);
	}
	/* The iat digit: still valid JSON and claims, so the signature. */
	memcpy(c2, c, strlen(c) + 1);
	*strstr(c2, "1767225600") = '2';
	n2 = (size_t)(dot1 + 1 - tok);
	memcpy(t2, tok, n2);
	n2 += b64_encode(c2, strlen(c2), t2 + n2, B64_URL);
	memcpy(t2 + n2, dot2, strlen(dot2) + 1);
	n2 += strlen(dot2);
	EXPECT(run_token(t2, n2, key_a), JWT_BAD_SIGNATURE);
	/* Every character of the signature part, and of the header's. */
	for (i = (size_t)(dot2 + 1 - tok); i < n; i++) {
		memcpy(t2, tok, n + 1);
		t2[i] = t2[i] == 'A' ? 'Q' : 'A';
		if (run_token(t2, n, key_a) == JWT_OK)
			fail_msg("signature char %zu changed: accepted", i);
	}
	for (i = 0; i < (size_t)(dot1 - tok); i++) {
		memcpy(t2, tok, n + 1);
		t2[i] = t2[i] == 'e' ? 'f' : 'e';
		if (run_token(t2, n, key_a) == JWT_OK)
			fail_msg("header char %zu changed: accepted", i);
	}
}

static void
test_syntax(void **state)
{
	static char tok[TOK], t2[TOK], c[TOK], pad[TOK];
	char *dot1, *dot2;
	size_t n, i, o;

	(void)state;
	claims_of(c, USER, USER, "\"" ISSUER "\"", NOW, NOW + 3600, "");
	n = token(tok, HDR, c, SIGN_A);
	dot1 = strchr(tok, '.');
	dot2 = strrchr(tok, '.');
	EXPECT(run_token(tok, n, key_a), JWT_OK);
	/* Padding: on each part, where its length would take it. */
	for (i = 0; i < 3; i++) {
		const char *end = i == 0 ? dot1 : i == 1 ? dot2 : tok + n;

		o = (size_t)(end - tok);
		memcpy(t2, tok, o);
		memcpy(t2 + o, "=", 1);
		memcpy(t2 + o + 1, end, n - o + 1);
		EXPECT(run_token(t2, n + 1, key_a), JWT_MALFORMED);
		memcpy(t2 + o, "==", 2);
		memcpy(t2 + o + 2, end, n - o + 1);
		EXPECT(run_token(t2, n + 2, key_a), JWT_MALFORMED);
	}
	/* HDR is 38 bytes: its base64url ends in a group of three
	 * characters, the last with two bits left over, which must be 0. */
	assert_int_equal(strlen(HDR) % 3, 2);
	assert_int_equal((dot1 - tok) % 4, 3);
	memcpy(t2, tok, n + 1);
	t2[dot1 - tok - 1]++;		/* 'A' to 'B' ...: low bits set */
	EXPECT(run_token(t2, n, key_a), JWT_MALFORMED);
	/* The standard alphabet's '+' and '/' are not base64url's. */
	for (i = 0; i < n; i++)
		if (tok[i] == '-' || tok[i] == '_') {
			memcpy(t2, tok, n + 1);
			t2[i] = tok[i] == '-' ? '+' : '/';
			EXPECT(run_token(t2, n, key_a), JWT_MALFORMED);
		}
	/* A part of 4k + 1 characters; white space; NUL. */
	n = token(tok, "{\"alg\":\"RS256\",\"kid\":\"k12\"}", c, SIGN_A);
	dot1 = strchr(tok, '.');
	assert_int_equal((dot1 - tok) % 4, 0);
	EXPECT(run_token(tok, n, key_a), JWT_OK);
	memcpy(t2, tok, n + 1);
	memmove(dot1 - tok + t2 + 1, dot1 - tok + t2, n - (size_t)(dot1 - tok)
	    + 1);
	t2[dot1 - tok] = 'A';
	EXPECT(run_token(t2, n + 1, key_a), JWT_MALFORMED);
	t2[0] = ' ';
	memcpy(t2 + 1, tok, n + 1);
	EXPECT(run_token(t2, n + 1, key_a), JWT_MALFORMED);
	memcpy(t2, tok, n + 1);
	t2[n] = '\n';
	EXPECT(run_token(t2, n + 1, key_a), JWT_MALFORMED);
	t2[n] = '\0';
	EXPECT(run_token(t2, n + 1, key_a), JWT_MALFORMED);
	/* Parts: two, four, empty ones. */
	memcpy(t2, tok, n + 1);
	memcpy(t2 + n, ".e30", 5);
	EXPECT(run_token(t2, n + 4, key_a), JWT_MALFORMED);
	memcpy(t2 + n, ".", 2);
	EXPECT(run_token(t2, n + 1, key_a), JWT_MALFORMED);
	EXPECT(run_token(tok, (size_t)(strrchr(tok, '.') - tok), key_a),
	    JWT_MALFORMED);
	EXPECT(run_token("..", 2, key_a), JWT_MALFORMED);
	EXPECT(run_token("...", 3, key_a), JWT_MALFORMED);
	EXPECT(run_token("", 0, key_a), JWT_MALFORMED);
	EXPECT(run_token(".", 1, key_a), JWT_MALFORMED);
	memcpy(t2, tok, n + 1);
	memmove(t2 + 1, dot1, n - (size_t)(dot1 - tok) + 1);
	t2[0] = '.';
	EXPECT(run_token(t2 + 1, strlen(t2 + 1), key_a), JWT_MALFORMED);
	/*
	 * The bound: claims of L bytes take ceil(4L / 3) characters, so
	 * the longest that fit beside HDR and a 2048-bit signature (342
	 * characters) are floor(3 * room / 4) bytes; one more does not.
	 */
	{
		size_t room = JWT_MAX - 51 - 1 - 1 - 342, lmax = room * 3 / 4;
		size_t base = strlen(claims_of(c, USER, USER, "\"" ISSUER "\"",
		    NOW, NOW + 3600, "")), fill;

		for (fill = lmax - base; fill <= lmax - base + 1; fill++) {
			memset(pad, 'p', fill);
			memcpy(pad, ",\"p\":\"", 6);
			memcpy(pad + fill - 1, "\"", 2);
			claims_of(c, USER, USER, "\"" ISSUER "\"", NOW,
			    NOW + 3600, pad);
			n = token(tok, HDR, c, SIGN_A);
			if (fill == lmax - base) {
				assert_true(n <= JWT_MAX && n >= JWT_MAX - 1);
				EXPECT(run_token(tok, n, key_a), JWT_OK);
			} else {
				assert_true(n > JWT_MAX);
				EXPECT(run_token(tok, n, key_a),
				    JWT_MALFORMED);
			}
		}
	}
	/* 8 KiB of claims alone. */
	memset(pad, 'p', 9000);
	memcpy(pad, ",\"p\":\"", 6);
	memcpy(pad + 8990, "\"", 2);
	EXPECT(run_times(NOW, NOW + 60, pad), JWT_MALFORMED);
}

static void
test_json(void **state)
{
	static char c[TOK];

	(void)state;
	claims_of(c, USER, USER, "\"" ISSUER "\"", NOW, NOW + 3600, "");
	/* Member names twice, in the header and in the claims. */
	EXPECT(run("{\"alg\":\"RS256\",\"alg\":\"RS256\",\"kid\":\"k1\"}", c,
	    SIGN_A), JWT_MALFORMED);
	EXPECT(run("{\"alg\":\"none\",\"alg\":\"RS256\",\"kid\":\"k1\"}", c,
	    SIGN_A), JWT_MALFORMED);
	EXPECT(run("{\"alg\":\"RS256\",\"kid\":\"k1\",\"kid\":\"k2\"}", c,
	    SIGN_A), JWT_MALFORMED);
	EXPECT(run("{\"alg\":\"RS256\",\"kid\":\"k1\",\"k\\u0069d\":\"k2\"}",
	    c, SIGN_A), JWT_MALFORMED);
	EXPECT(run_times(NOW, NOW + 60, ",\"exp\":1767225610"),
	    JWT_MALFORMED);
	EXPECT(run_times(NOW, NOW + 60, ",\"e\\u0078p\":1767225610"),
	    JWT_MALFORMED);
	EXPECT(run_times(NOW, NOW + 60, ",\"iss\":\"" USER "\""),
	    JWT_MALFORMED);
	EXPECT(run_times(NOW, NOW + 60, ",\"jti\":1,\"jti\":2"),
	    JWT_MALFORMED);
	/* \u0000 anywhere: json-c would cut a name short there. */
	EXPECT(run_times(NOW, NOW + 60, ",\"exp\\u0000x\":1"), JWT_MALFORMED);
	EXPECT(run_times(NOW, NOW + 60, ",\"x\":\"\\u0000\""), JWT_MALFORMED);
	EXPECT(run_times(NOW, NOW + 60, ",\"x\":\"\\\\u0000\""), JWT_OK);
	/* Nested objects are not looked at. */
	EXPECT(run_times(NOW, NOW + 60, ",\"x\":{\"a\":1,\"a\":2}"), JWT_OK);
	/* Not JSON, not an object, more than an object. */
	EXPECT(run("[\"RS256\"]", c, SIGN_A), JWT_MALFORMED);
	EXPECT(run("\"RS256\"", c, SIGN_A), JWT_MALFORMED);
	EXPECT(run("{'alg':'RS256','kid':'k1'}", c, SIGN_A), JWT_MALFORMED);
	EXPECT(run("{\"alg\":\"RS256\",\"kid\":\"k1\"}{}", c, SIGN_A),
	    JWT_MALFORMED);
	EXPECT(run("{\"alg\":\"RS256\",\"kid\":\"k1\",}", c, SIGN_A),
	    JWT_MALFORMED);
	EXPECT(run("{\"alg\":\"RS256\",\"kid\":\"k1\",\"x\":NaN}", c, SIGN_A),
	    JWT_MALFORMED);
	EXPECT(run("{\"alg\":\"RS256\",\"kid\":\"k1\",\"x\":01}", c, SIGN_A),
	    JWT_MALFORMED);
	EXPECT(run("{\"alg\":\"RS256\",\"kid\":\"k\xff\"}", c, SIGN_A),
	    JWT_MALFORMED);
	EXPECT(run("   ", c, SIGN_A), JWT_MALFORMED);
	EXPECT(run(HDR, "[]", SIGN_A), JWT_MALFORMED);
	EXPECT(run(HDR, "1767225600", SIGN_A), JWT_MALFORMED);
	EXPECT(run(HDR, "{\"iss\":\"a\"", SIGN_A), JWT_MALFORMED);
	{
		/* Deeper than the JSON limit. */
		char deep[200];
		size_t i;

		memcpy(deep, ",\"d\":", 5);
		for (i = 0; i < 40; i++)
			deep[5 + i] = '[';
		for (i = 0; i < 40; i++)
			deep[45 + i] = ']';
		deep[85] = '\0';
		EXPECT(run_times(NOW, NOW + 60, deep), JWT_MALFORMED);
	}
}

static void
test_count_members(void **state)
{
	static char c[TOK];

	(void)state;
	/* Commas and braces inside strings and nested values. */
	EXPECT(run_times(NOW, NOW + 60, ",\"x,\":\"{,}\",\"y\":[1,2,{\"z\":"
	    "\",\\\"\"}],\"w\":\"\\\\\""), JWT_OK);
	EXPECT(run_times(NOW, NOW + 60, ",\"x,\":\"{,}\",\"x,\":[]"),
	    JWT_MALFORMED);
	EXPECT(run(" {\"alg\" : \"RS256\" , \"kid\" : \"k1\" } ",
	    claims_of(c, USER, USER, "\"" ISSUER "\"", NOW, NOW + 60, ""),
	    SIGN_A), JWT_OK);
}

static void
test_reasons(void **state)
{
	int e, f;

	(void)state;
	for (e = JWT_OK; e <= JWT_ERROR; e++) {
		const char *r = jwt_why((enum jwt_err)e)->reason;

		assert_true(strlen(r) > 0);
		assert_true(strlen(jwt_why((enum jwt_err)e)->text) > 0);
		assert_int_equal(strspn(r, "abcdefghijklmnopqrstuvwxyz_"),
		    strlen(r));
		for (f = JWT_OK; f < e; f++) {
			assert_string_not_equal(r,
			    jwt_why((enum jwt_err)f)->reason);
			assert_string_not_equal(jwt_why((enum jwt_err)e)->text,
			    jwt_why((enum jwt_err)f)->text);
		}
	}
	assert_string_equal(jwt_why((enum jwt_err)99)->reason, "error");
	assert_string_equal(jwt_why(JWT_BAD_ALG)->reason, "bad_alg");
	assert_string_equal(jwt_why(JWT_EXPIRED)->reason, "expired");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_alg),
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_claims),
		cmocka_unit_test(test_who),
		cmocka_unit_test(test_times),
		cmocka_unit_test(test_tampered),
		cmocka_unit_test(test_syntax),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_count_members),
		cmocka_unit_test(test_reasons),
	};

	return cmocka_run_group_tests_name("jwt", tests, setup, teardown);
}
