/*
 * rsakey.h - RSA keys of machine users (doc/keys.md): a public key read
 * from SubjectPublicKeyInfo (PEM or DER), written back in one canonical
 * spelling, its RFC 7638 thumbprint, RS256 verification; and a new RSA-2048
 * pair, whose private half is written once as PKCS#1 PEM.
 *
 * With secret.c, the only module that touches libgcrypt; secret_init()
 * must have run first.
 */
#ifndef OIDC_SECRET_RSAKEY_H
#define OIDC_SECRET_RSAKEY_H

#include <stddef.h>

struct reason;			/* util.h */

#define RSAKEY_INPUT_MAX 16384	/* bytes of PEM or DER we read at most */
#define RSAKEY_BITS_MIN 2048	/* modulus size accepted, in bits */
#define RSAKEY_BITS_MAX 8192
#define RSAKEY_GEN_BITS 2048	/* what rsakey_generate() makes */
#define RSAKEY_THUMB_LEN 44	/* 43 base64url characters and a NUL */

/* Why rsakey_read_public() refused a key: a reason for each answer. */
enum rsakey_err {
	RSAKEY_OK,
	RSAKEY_MALFORMED,	/* not PEM "PUBLIC KEY" or DER SPKI, bad
				 * base64, not strict DER, over
				 * RSAKEY_INPUT_MAX, an even modulus */
	RSAKEY_PRIVATE,		/* PEM of a private key, not read: give its
				 * public key (and wipe the input) */
	RSAKEY_NOT_RSA,		/* a well-formed SPKI of another algorithm
				 * (EC, Ed25519, RSASSA-PSS, ...) */
	RSAKEY_BAD_SIZE,	/* modulus not 2048 to 8192 bits */
	RSAKEY_BAD_EXPONENT,	/* e even, below 3 or above 2^32 + 1 */
	RSAKEY_ERROR		/* out of memory, libgcrypt failed */
};

struct rsakey;			/* opaque: an RSA public key */

/*
 * Reads an RSA public key from in[0..len): PEM ("-----BEGIN PUBLIC
 * KEY-----", white space around and within the base64 body, nothing else)
 * or DER, either holding SubjectPublicKeyInfo (RFC 5280 4.1.2.7) with
 * rsaEncryption and NULL parameters (RFC 3279 2.3.1) around RSAPublicKey
 * (RFC 8017 A.1.1), in strict DER.  On RSAKEY_OK, *out is a new key the
 * caller frees with rsakey_free(); otherwise *out is NULL.
 */
enum rsakey_err rsakey_read_public(const void *in, size_t len,
    struct rsakey **out);

void rsakey_free(struct rsakey *k);

/* The modulus size in bits. */
unsigned rsakey_bits(const struct rsakey *k);

/*
 * The key as canonical PEM: SPKI in DER, base64 in lines of 64, "-----BEGIN
 * PUBLIC KEY-----" (RFC 7468 13), one "\n" after each line.  Every
 * spelling of one key that rsakey_read_public() accepts gives the same
 * text, so it is what to store and compare.  *pem is malloc'd and
 * NUL-terminated, *len its length; the caller frees it.  0, or -1.
 */
int rsakey_public_pem(const struct rsakey *k, char **pem, size_t *len);

/*
 * The canonical DER of the key (SubjectPublicKeyInfo), malloc'd; the
 * caller frees it.  0, or -1.
 */
int rsakey_public_der(const struct rsakey *k, unsigned char **der,
    size_t *len);

/*
 * The key's JWK thumbprint (RFC 7638 3.1, SHA-256), base64url: 43
 * characters and a NUL.  One per key, whatever spelling it came in.
 */
void rsakey_thumbprint(const struct rsakey *k, char out[RSAKEY_THUMB_LEN]);

/*
 * RSASSA-PKCS1-v1_5 with SHA-256 (RFC 8017 8.2.2; JWS "RS256", RFC 7518
 * 3.3): 1 when sig[0..siglen) is a valid signature of msg[0..len) by k, 0
 * when it is not (a signature whose length is not the modulus's, or whose
 * value is not below the modulus, is not), -1 when libgcrypt fails.
 */
int rsakey_verify_rs256(const struct rsakey *k, const void *msg, size_t len,
    const void *sig, size_t siglen);

/*
 * Makes an RSA-2048 pair (e = 65537).  *pub gets the public key (free with
 * rsakey_free()); *priv the private key as PKCS#1 RSAPrivateKey PEM
 * ("-----BEGIN RSA PRIVATE KEY-----", RFC 8017 A.1.2), NUL-terminated,
 * *priv_len bytes without the NUL, in libgcrypt's secure memory.  The
 * private key is never kept: the caller hands it out once and then MUST
 * release it with rsakey_private_free(), which wipes it first; any copy the
 * caller makes it wipes too.  0, or -1 (nothing to free then).
 */
int rsakey_generate(struct rsakey **pub, char **priv, size_t *priv_len);

/* Wipes priv[0..len) and frees it; NULL is fine. */
void rsakey_private_free(char *priv, size_t len);

/*
 * What a result means: ->reason a stable word for a log line
 * ("bad_size", ...), ->text a short English sentence for an error's
 * message.
 */
const struct reason *rsakey_why(enum rsakey_err e);

#endif
