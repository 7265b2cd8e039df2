/*
 * keyvectors.h - fixed keys and known answers for test_rsakey and
 * test_jwt: RSA keys made once with openssl (public keys as openssl
 * writes them, moduli and private exponents in hex, for signing in the
 * tests), keys of other kinds and sizes that must be refused, and the
 * examples of RFC 7638 3.1 (a thumbprint) and RFC 7515 A.2 (an RS256
 * JWS).  Test keys only: they sign nothing but test input.
 */
#ifndef OIDC_SECRET_KEYVECTORS_H
#define OIDC_SECRET_KEYVECTORS_H

#include <stddef.h>

/*
 * KV_A: RSA-2048, KV_B: RSA-3072, e = 65537; *_N and *_D in hex.  The
 * refused ones: RSA-1024, EC P-256, Ed25519, RSASSA-PSS (RFC 4055).
 */
extern const char KV_A_PUB_PEM[];
extern const char KV_A_N[];
extern const char KV_A_D[];
extern const unsigned char KV_B_PUB_DER[];
extern const size_t KV_B_PUB_DER_LEN;
extern const char KV_B_N[];
extern const char KV_B_D[];
extern const char KV_A_P[], KV_A_Q[], KV_A_U[];
extern const char KV_B_P[], KV_B_Q[], KV_B_U[];
extern const char KV_RSA1024_PUB_PEM[];
extern const char KV_EC_PUB_PEM[];
extern const char KV_ED25519_PUB_PEM[];
extern const char KV_PSS_PUB_PEM[];
extern const char KV_RFC7638_N[];
extern const char KV_RFC7638_THUMB[];
extern const char KV_RFC7515_N[];
extern const char KV_RFC7515_JWS[];

/* hex into out (at most max bytes, big-endian); its length, 0 on error. */
size_t kv_hex(const char *hex, unsigned char *out, size_t max);

/* A private key in hex, e = 65537; p < q, u = p^-1 mod q, or all NULL. */
struct kv_key {
	const char *n, *d, *p, *q, *u;
};

extern const struct kv_key KV_A, KV_B;

/*
 * RSASSA-PKCS1-v1_5 with SHA-256 of msg by key, as many bytes as the
 * modulus into sig; that length, or 0 on error.
 */
size_t kv_sign_rs256(const struct kv_key *key, const void *msg, size_t len,
    unsigned char *sig, size_t max);

#endif
