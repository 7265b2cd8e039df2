/*
 * secret.h - random secrets, their hashes, and verification (doc/database.md).
 *
 * The only module that touches libgcrypt and libxcrypt.
 */
#ifndef OIDC_SECRET_SECRET_H
#define OIDC_SECRET_SECRET_H

#include <stddef.h>
#include <stdint.h>

#define SECRET_MAX 128		/* characters; config caps secret_length */
#define HASH_MAX 256		/* bytes of an encoded hash, with its NUL */
#define SHA256_HEX 65		/* 64 lowercase hex digits and a NUL */

struct hash_params {
	unsigned alg;		/* enum hash_alg (config.h) */
	unsigned m_kib, t, p;	/* argon2id */
	unsigned cost;		/* bcrypt */
};

/* Initialise libgcrypt once, before anything else; -1 on failure. */
int secret_init(void);

/*
 * len characters from [A-Za-z0-9], uniform, from GCRY_STRONG_RANDOM; out
 * holds len + 1.
 */
int secret_generate(char *out, size_t len);

/* Encoded hash of secret into out (HASH_MAX bytes); -1 on failure. */
int secret_hash(const struct hash_params *hp, const char *secret, size_t len,
    char *out, size_t outlen);

/*
 * 1 when secret matches encoded ($argon2id$, $argon2i$, $2a$, $2b$, $2y$),
 * 0 when it does not, -1 when encoded is malformed or unsupported.
 * The final comparison takes constant time.
 */
int secret_verify(const char *secret, size_t len, const char *encoded);

/* SHA-256 of data as lowercase hex (bearer token lookup). */
void secret_sha256_hex(const void *data, size_t len, char out[SHA256_HEX]);

/* Non-secret random bytes (request IDs, salts' companions, jitter). */
void secret_nonce(void *out, size_t len);

/* Overwrite memory so the compiler cannot drop it. */
void secret_wipe(void *p, size_t len);

/* libgcrypt's and libgpg-error's versions, as linked (--version). */
const char *secret_gcrypt_version(void);
const char *secret_gpg_error_version(void);

/* Raw argon2 (RFC 9106): for the tests' known answers; type 1 = i, 2 = id. */
int secret_argon2_raw(int type, unsigned t, unsigned m_kib, unsigned p,
    const void *pwd, size_t pwdlen, const void *salt, size_t saltlen,
    const void *key, size_t keylen, const void *ad, size_t adlen,
    void *out, size_t outlen);

#endif
