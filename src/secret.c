/*
 * secret.c - generate a client secret, hash it, verify it.
 *
 * The only module that touches libgcrypt and libxcrypt.  Secrets are drawn
 * from GCRY_STRONG_RANDOM by rejection sampling, so each of the 62 letters
 * and digits is equally likely.  argon2id goes through gcry_kdf_open/
 * compute/final and is written as a PHC string
 * ($argon2id$v=19$m=..,t=..,p=..$salt$hash, base64 without padding, as the
 * reference libargon2 writes it); bcrypt goes through libxcrypt.  Every
 * comparison of a computed hash with a stored one takes constant time.
 */
#include "secret.h"

#include <crypt.h>
#include <gcrypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "config.h"
#include "util.h"

#define SALT_LEN 16
#define TAG_LEN 32
#define TAG_MAX 64		/* longest argon2 tag we verify */
#define ARGON2_VERSION 0x13

static const char alnum[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

int
secret_init(void)
{
	/* libssh src/libgcrypt.c: version check, secure memory, finished. */
	if (gcry_check_version(GCRYPT_VERSION) == NULL)
		return -1;
	gcry_control(GCRYCTL_SUSPEND_SECMEM_WARN);
	gcry_control(GCRYCTL_INIT_SECMEM, 32768, 0);
	gcry_control(GCRYCTL_RESUME_SECMEM_WARN);
	gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
	return 0;
}

void
secret_wipe(void *p, size_t len)
{
	if (p != NULL && len > 0)
		explicit_bzero(p, len);
}

int
secret_generate(char *out, size_t len)
{
	unsigned char pool[96];
	size_t n = 0, i = sizeof(pool);

	if (out == NULL || len == 0 || len > SECRET_MAX)
		return -1;
	while (n < len) {
		unsigned v;

		if (i == sizeof(pool)) {
			gcry_randomize(pool, sizeof(pool), GCRY_STRONG_RANDOM);
			i = 0;
		}
		/*
		 * 64 divides 256, so the low six bits are uniform over 0..63;
		 * keeping only values below 62 leaves each character equally
		 * likely (rejection sampling, no modulo bias).
		 */
		v = pool[i++] & 0x3f;
		if (v < sizeof(alnum) - 1)
			out[n++] = alnum[v];
	}
	out[n] = '\0';
	secret_wipe(pool, sizeof(pool));
	return 0;
}

void
secret_sha256_hex(const void *data, size_t len, char out[SHA256_HEX])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char d[32];
	size_t i;

	gcry_md_hash_buffer(GCRY_MD_SHA256, d, data, len);
	for (i = 0; i < sizeof(d); i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 0xf];
	}
	out[64] = '\0';
}

void
secret_nonce(void *out, size_t len)
{
	gcry_create_nonce(out, len);
}

/* 1 when equal; the time depends on len only, not on where bytes differ. */
static int
equal_const_time(const void *a, const void *b, size_t len)
{
	const volatile unsigned char *x = a, *y = b;
	unsigned char d = 0;
	size_t i;

	for (i = 0; i < len; i++)
		d |= x[i] ^ y[i];
	return d == 0;
}

/* --- argon2 --- */

int
secret_argon2_raw(int type, unsigned t, unsigned m_kib, unsigned p,
    const void *pwd, size_t pwdlen, const void *salt, size_t saltlen,
    const void *key, size_t keylen, const void *ad, size_t adlen,
    void *out, size_t outlen)
{
	gcry_kdf_hd_t hd = NULL;
	unsigned long params[4];
	int sub = type == 1 ? GCRY_KDF_ARGON2I : GCRY_KDF_ARGON2ID;
	int rc = -1;

	params[0] = outlen;
	params[1] = t;
	params[2] = m_kib;
	params[3] = p;
	if (gcry_kdf_open(&hd, GCRY_KDF_ARGON2, sub, params, 4, pwd, pwdlen,
	    salt, saltlen, key, keylen, ad, adlen) != 0)
		return -1;
	if (gcry_kdf_compute(hd, NULL) == 0 &&
	    gcry_kdf_final(hd, outlen, out) == 0)
		rc = 0;
	gcry_kdf_close(hd);
	return rc;
}

static int
argon2_encode(const struct hash_params *hp, const char *secret, size_t len,
    char *out, size_t outlen)
{
	unsigned char salt[SALT_LEN], tag[TAG_LEN];
	char salt64[32], tag64[48];
	int n;

	gcry_randomize(salt, sizeof(salt), GCRY_STRONG_RANDOM);
	if (secret_argon2_raw(2, hp->t, hp->m_kib, hp->p, secret, len,
	    salt, sizeof(salt), NULL, 0, NULL, 0, tag, sizeof(tag)) != 0)
		return -1;
	/* PHC strings: standard base64 without padding. */
	b64_encode(salt, sizeof(salt), salt64, B64_UNPADDED);
	b64_encode(tag, sizeof(tag), tag64, B64_UNPADDED);
	secret_wipe(tag, sizeof(tag));
	n = snprintf(out, outlen, "$argon2id$v=19$m=%u,t=%u,p=%u$%s$%s",
	    hp->m_kib, hp->t, hp->p, salt64, tag64);
	return n > 0 && (size_t)n < outlen ? 0 : -1;
}

/*
 * Parses "name=<decimal>" at *s up to the next non-digit; advances *s.  No
 * leading zero: the PHC format gives each number one spelling.
 */
static int
phc_number(const char **s, const char *name, unsigned max, unsigned *out)
{
	size_t nl = strlen(name), n;
	const char *p = *s;
	uint64_t v;

	if (strncmp(p, name, nl) != 0 || p[nl] != '=')
		return -1;
	p += nl + 1;
	n = strspn(p, "0123456789");
	if (n == 0 || (p[0] == '0' && n > 1) ||
	    util_decimal(p, n, max, &v) != DECIMAL_OK)
		return -1;
	*out = (unsigned)v;
	*s = p + n;
	return 0;
}

struct phc {
	int type;		/* 1 argon2i, 2 argon2id */
	unsigned m, t, p;
	unsigned char salt[64];
	size_t saltlen;
	unsigned char tag[TAG_MAX];
	size_t taglen;
};

/* $argon2{i,id}$v=19$m=M,t=T,p=P$SALT$TAG; -1 when anything is off. */
static int
phc_parse(const char *s, struct phc *ph)
{
	const char *dollar;
	unsigned v;
	long n;

	if (strncmp(s, "$argon2id$", 10) == 0) {
		ph->type = 2;
		s += 10;
	} else if (strncmp(s, "$argon2i$", 9) == 0) {
		ph->type = 1;
		s += 9;
	} else
		return -1;
	if (phc_number(&s, "v", 255, &v) != 0 || v != ARGON2_VERSION ||
	    *s++ != '$')
		return -1;
	if (phc_number(&s, "m", 4194303, &ph->m) != 0 || *s++ != ',' ||
	    phc_number(&s, "t", 1000, &ph->t) != 0 || *s++ != ',' ||
	    phc_number(&s, "p", 64, &ph->p) != 0 || *s++ != '$')
		return -1;
	if (ph->t < 1 || ph->p < 1 || ph->m < 8 * ph->p)
		return -1;
	dollar = strchr(s, '$');
	if (dollar == NULL)
		return -1;
	n = b64_decode(s, (size_t)(dollar - s), ph->salt, sizeof(ph->salt),
	    B64_UNPADDED);
	if (n < 8)
		return -1;
	ph->saltlen = (size_t)n;
	s = dollar + 1;
	n = b64_decode(s, strlen(s), ph->tag, sizeof(ph->tag), B64_UNPADDED);
	if (n < 4)
		return -1;
	ph->taglen = (size_t)n;
	return 0;
}

static int
argon2_verify(const char *secret, size_t len, const char *encoded)
{
	struct phc ph;
	unsigned char tag[TAG_MAX];
	int rc;

	if (phc_parse(encoded, &ph) != 0)
		return -1;
	if (secret_argon2_raw(ph.type, ph.t, ph.m, ph.p, secret, len,
	    ph.salt, ph.saltlen, NULL, 0, NULL, 0, tag, ph.taglen) != 0)
		return -1;
	rc = equal_const_time(tag, ph.tag, ph.taglen);
	secret_wipe(tag, sizeof(tag));
	return rc ? 1 : 0;
}

/* --- bcrypt --- */

/*
 * bcrypt reads a NUL-terminated string, at most 72 bytes of it: the secret
 * goes through a copy of exactly its len bytes, wiped after.  A NUL inside
 * would cut it short, so it is refused.
 */
#define BCRYPT_MAX 72

static int
bcrypt_input(const char *secret, size_t len, char out[BCRYPT_MAX + 1])
{
	if (memchr(secret, '\0', len) != NULL)
		return -1;
	if (len > BCRYPT_MAX)
		/* what crypt_r and PHP would read anyway */
		len = BCRYPT_MAX;
	memcpy(out, secret, len);
	out[len] = '\0';
	return 0;
}

static int
bcrypt_encode(const struct hash_params *hp, const char *secret, size_t len,
    char *out, size_t outlen)
{
	struct crypt_data *cd = NULL;
	unsigned char rnd[16];
	char setting[CRYPT_GENSALT_OUTPUT_SIZE], pw[BCRYPT_MAX + 1];
	size_t n;
	int rc = -1;

	/* A longer secret would be cut short silently (config_check). */
	if (len > BCRYPT_MAX || bcrypt_input(secret, len, pw) != 0)
		return -1;
	gcry_randomize(rnd, sizeof(rnd), GCRY_STRONG_RANDOM);
	if (crypt_gensalt_rn("$2b$", hp->cost, (const char *)rnd, sizeof(rnd),
	    setting, sizeof(setting)) == NULL)
		goto out;
	cd = calloc(1, sizeof(*cd));
	if (cd == NULL)
		goto out;
	if (crypt_r(pw, setting, cd) == NULL || cd->output[0] != '$')
		goto out;
	n = strlen(cd->output);
	if (n >= outlen)
		goto out;
	memcpy(out, cd->output, n + 1);
	rc = 0;
out:
	secret_wipe(pw, sizeof(pw));
	if (cd != NULL) {
		secret_wipe(cd, sizeof(*cd));
		free(cd);
	}
	return rc;
}

static int
bcrypt_verify(const char *secret, size_t len, const char *encoded)
{
	struct crypt_data *cd = NULL;
	char pw[BCRYPT_MAX + 1];
	size_t n = strlen(encoded);
	int rc = -1;

	/* $2x$NN$ + 22 salt + 31 hash characters. */
	if (n != 60 || bcrypt_input(secret, len, pw) != 0)
		return -1;
	cd = calloc(1, sizeof(*cd));
	if (cd == NULL)
		goto out;
	if (crypt_r(pw, encoded, cd) != NULL && cd->output[0] == '$' &&
	    strlen(cd->output) == n)
		rc = equal_const_time(cd->output, encoded, n) ? 1 : 0;
out:
	secret_wipe(pw, sizeof(pw));
	if (cd != NULL) {
		secret_wipe(cd, sizeof(*cd));
		free(cd);
	}
	return rc;
}

/* --- dispatch --- */

int
secret_hash(const struct hash_params *hp, const char *secret, size_t len,
    char *out, size_t outlen)
{
	switch (hp->alg) {
	case HASH_ARGON2ID:
		return argon2_encode(hp, secret, len, out, outlen);
	case HASH_BCRYPT:
		return bcrypt_encode(hp, secret, len, out, outlen);
	default:
		return -1;
	}
}

int
secret_verify(const char *secret, size_t len, const char *encoded)
{
	if (encoded == NULL)
		return -1;
	if (strncmp(encoded, "$argon2", 7) == 0)
		return argon2_verify(secret, len, encoded);
	if (strncmp(encoded, "$2a$", 4) == 0 ||
	    strncmp(encoded, "$2b$", 4) == 0 ||
	    strncmp(encoded, "$2y$", 4) == 0)
		return bcrypt_verify(secret, len, encoded);
	return -1;
}

const char *
secret_gcrypt_version(void)
{
	return gcry_check_version(NULL);
}

const char *
secret_gpg_error_version(void)
{
	return gpg_error_check_version(NULL);
}
