/*
 * fuzz_der.c - libFuzzer harness: RSA public keys in PEM or DER
 * (rsakey_read_public) and what is written back from them.
 *
 * The input is the key as a client would send it.  Checks: no crash, no
 * read past the end (ASan), no leak; the result is one of the enum's and
 * comes with a key exactly when it is RSAKEY_OK; an accepted key has 2048
 * to 8192 bits; DER that was accepted is the canonical DER itself, byte
 * for byte (strict DER gives a key one encoding); the canonical PEM reads
 * back as the same key, thumbprint and PEM; the input's own bytes never
 * verify as a signature under the key.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rsakey.h"
#include "secret.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (secret_init() != 0)
		abort();
	return 0;
}

static void
accepted(const uint8_t *data, size_t size, const struct rsakey *k)
{
	struct rsakey *k2 = NULL;
	unsigned char *der = NULL;
	char *pem = NULL, *pem2 = NULL;
	char t1[RSAKEY_THUMB_LEN], t2[RSAKEY_THUMB_LEN];
	size_t len, plen, plen2, siglen;

	if (rsakey_bits(k) < RSAKEY_BITS_MIN ||
	    rsakey_bits(k) > RSAKEY_BITS_MAX)
		abort();
	if (rsakey_public_der(k, &der, &len) != 0)
		abort();
	if (data[0] == 0x30 && (len != size || memcmp(der, data, len) != 0))
		abort();
	if (rsakey_public_pem(k, &pem, &plen) != 0 || strlen(pem) != plen ||
	    rsakey_read_public(pem, plen, &k2) != RSAKEY_OK ||
	    rsakey_public_pem(k2, &pem2, &plen2) != 0 || plen2 != plen ||
	    memcmp(pem, pem2, plen) != 0 || rsakey_bits(k2) != rsakey_bits(k))
		abort();
	rsakey_thumbprint(k, t1);
	rsakey_thumbprint(k2, t2);
	if (strlen(t1) != RSAKEY_THUMB_LEN - 1 || strcmp(t1, t2) != 0)
		abort();
	siglen = (rsakey_bits(k) + 7) / 8;
	if (size >= siglen &&
	    rsakey_verify_rs256(k, data, size, data + size - siglen,
	    siglen) != 0)
		abort();
	free(der);
	free(pem);
	free(pem2);
	rsakey_free(k2);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A copy of exactly size bytes: ASan sees any read past the end. */
	uint8_t *in = malloc(size > 0 ? size : 1);
	struct rsakey *k = NULL;
	enum rsakey_err e;

	if (in == NULL)
		return 0;
	if (size > 0)
		memcpy(in, data, size);
	e = rsakey_read_public(in, size, &k);
	if ((unsigned)e > RSAKEY_ERROR || e == RSAKEY_ERROR ||
	    (e == RSAKEY_OK) != (k != NULL))
		abort();
	if (k != NULL)
		accepted(in, size, k);
	rsakey_free(k);
	free(in);
	return 0;
}
