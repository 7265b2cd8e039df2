/*
 * test_rsakey.c - RSA public keys in and out, RS256 verification, new
 * pairs (src/rsakey.c, doc/keys.md).
 *
 * Includes rsakey.c itself, to reach its DER and PEM readers.  Covers:
 * fixed keys openssl made (PEM and DER) read and written back byte for
 * byte as openssl writes them; a key libgcrypt makes here, encoded by a
 * DER builder written apart from rsakey.c; the size and exponent bounds
 * exactly at and past each end; every refusal with its own result
 * (truncation at every length, trailing bytes, non-minimal lengths,
 * indefinite lengths, negative and zero-padded INTEGERs, other OIDs, EC,
 * Ed25519 and RSASSA-PSS keys, absent or odd parameters, unused bits,
 * extra elements, PEM labels, private keys, bad base64, text around the
 * PEM, the input bound); one canonical PEM per key whatever its spelling;
 * RFC 7638's thumbprint; RFC 7515 A.2's signature and signatures made
 * here, against the wrong key, a changed message, a short, long or
 * too-large signature; a generated pair whose PKCS#1 structure is read
 * back and checked with libgcrypt's arithmetic.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>

#include "rsakey.c"
#include "keyvectors.h"

#define BUF 20000

static int
setup(void **state)
{
	(void)state;
	return secret_init();
}

/* --- a DER builder of the tests' own -------------------------------- */

/* tag, length (minimal; with "longer", one octet more than needed), c. */
static size_t
tlv(unsigned char *out, unsigned char tag, const unsigned char *c, size_t n,
    int longer)
{
	size_t o = 0, k;

	out[o++] = tag;
	k = n < 0x80 ? 0 : n < 0x100 ? 1 : 2;
	if (longer)
		k++;
	if (k == 0)
		out[o++] = (unsigned char)n;
	else {
		out[o++] = (unsigned char)(0x80 | k);
		while (k-- > 0)
			out[o++] = (unsigned char)(k >= sizeof(size_t) ? 0 :
			    n >> (8 * k));
	}
	if (n > 0)
		memmove(out + o, c, n);
	return o + n;
}

/* An INTEGER's contents for the magnitude m: a zero octet if needed. */
static size_t
int_contents(const unsigned char *m, size_t n, unsigned char *out)
{
	size_t o = 0;

	if (n == 0 || (m[0] & 0x80) != 0)
		out[o++] = 0;
	memcpy(out + o, m, n);
	return o + n;
}

struct spec {
	const unsigned char *n, *e;	/* INTEGER contents, as they are */
	size_t nlen, elen;
	const unsigned char *oid;
	size_t oidlen;
	const unsigned char *params;	/* the DER after the OID */
	size_t paramslen;
	unsigned char unused;		/* the BIT STRING's first octet */
	int alg_longer, n_longer, e_longer;	/* non-minimal lengths */
	const unsigned char *extra;	/* after e in RSAPublicKey */
	size_t extralen;
};

static const unsigned char null_der[] = { 0x05, 0x00 };
static const unsigned char e65537[] = { 0x01, 0x00, 0x01 };

static void
spec_init(struct spec *s, const unsigned char *n, size_t nlen)
{
	memset(s, 0, sizeof(*s));
	s->n = n;
	s->nlen = nlen;
	s->e = e65537;
	s->elen = sizeof(e65537);
	s->oid = rsa_oid;
	s->oidlen = sizeof(rsa_oid);
	s->params = null_der;
	s->paramslen = sizeof(null_der);
}

static size_t
build(const struct spec *s, unsigned char *out)
{
	unsigned char a[BUF], b[BUF], c[BUF];
	size_t an = 0, bn = 0, cn = 0;

	/* AlgorithmIdentifier */
	an = tlv(a, TAG_OID, s->oid, s->oidlen, 0);
	if (s->paramslen > 0)
		memcpy(a + an, s->params, s->paramslen);
	an += s->paramslen;
	bn = tlv(b, TAG_SEQUENCE, a, an, s->alg_longer);
	/* BIT STRING { unused, RSAPublicKey } */
	an = tlv(a, TAG_INTEGER, s->n, s->nlen, s->n_longer);
	an += tlv(a + an, TAG_INTEGER, s->e, s->elen, s->e_longer);
	if (s->extralen > 0)
		memcpy(a + an, s->extra, s->extralen);
	an += s->extralen;
	c[0] = s->unused;
	cn = 1 + tlv(c + 1, TAG_SEQUENCE, a, an, 0);
	bn += tlv(b + bn, TAG_BIT_STRING, c, cn, 0);
	return tlv(out, TAG_SEQUENCE, b, bn, 0);
}

/* A modulus of exactly bits bits, odd, as INTEGER contents. */
static size_t
modulus(unsigned bits, unsigned char *out)
{
	unsigned char m[BUF];
	size_t n = (bits + 7) / 8;

	gcry_create_nonce(m, n);
	m[0] &= (unsigned char)(0xff >> (8 * n - bits));
	m[0] |= (unsigned char)(0x80 >> (8 * n - bits));
	m[n - 1] |= 1;
	return int_contents(m, n, out);
}

static enum rsakey_err
read_der(const unsigned char *der, size_t len, unsigned *bits)
{
	struct rsakey *k = NULL;
	enum rsakey_err e = rsakey_read_public(der, len, &k);

	if ((e == RSAKEY_OK) != (k != NULL))
		fail_msg("result %d with key %p", (int)e, (void *)k);
	if (k != NULL && bits != NULL)
		*bits = rsakey_bits(k);
	rsakey_free(k);
	return e;
}

static enum rsakey_err
read_text(const char *s)
{
	return read_der((const unsigned char *)s, strlen(s), NULL);
}

/* The PEM of der under label, lines of width characters, with eol. */
static size_t
pem_of(const unsigned char *der, size_t len, const char *label,
    size_t width, const char *eol, char *out)
{
	char b64[BUF];
	size_t n = b64_encode(der, len, b64, B64_PADDED), i, o;

	o = (size_t)snprintf(out, BUF, "-----BEGIN %s-----%s", label, eol);
	for (i = 0; i < n; i += width)
		o += (size_t)snprintf(out + o, BUF - o, "%.*s%s",
		    (int)(n - i < width ? n - i : width), b64 + i, eol);
	o += (size_t)snprintf(out + o, BUF - o, "-----END %s-----%s", label,
	    eol);
	return o;
}

/* --- fixed keys ------------------------------------------------------- */

static void
test_openssl_keys(void **state)
{
	struct rsakey *k = NULL;
	unsigned char *der = NULL, n[512];
	char *pem = NULL;
	size_t len, nlen;

	(void)state;
	/* PEM as openssl writes it: read, and written back the same. */
	assert_int_equal(rsakey_read_public(KV_A_PUB_PEM, strlen(KV_A_PUB_PEM),
	    &k), RSAKEY_OK);
	assert_int_equal(rsakey_bits(k), 2048);
	nlen = kv_hex(KV_A_N, n, sizeof(n));
	assert_int_equal(k->nlen, nlen);
	assert_memory_equal(k->n, n, nlen);
	assert_int_equal(k->elen, 3);
	assert_memory_equal(k->e, e65537, 3);
	assert_int_equal(rsakey_public_pem(k, &pem, &len), 0);
	assert_int_equal(len, strlen(KV_A_PUB_PEM));
	assert_string_equal(pem, KV_A_PUB_PEM);
	free(pem);
	rsakey_free(k);

	/* DER: read, and written back byte for byte. */
	assert_int_equal(rsakey_read_public(KV_B_PUB_DER, KV_B_PUB_DER_LEN,
	    &k), RSAKEY_OK);
	assert_int_equal(rsakey_bits(k), 3072);
	nlen = kv_hex(KV_B_N, n, sizeof(n));
	assert_int_equal(k->nlen, nlen);
	assert_memory_equal(k->n, n, nlen);
	assert_int_equal(rsakey_public_der(k, &der, &len), 0);
	assert_int_equal(len, KV_B_PUB_DER_LEN);
	assert_memory_equal(der, KV_B_PUB_DER, len);
	free(der);
	rsakey_free(k);

	/* Refused, each for its reason. */
	assert_int_equal(read_text(KV_RSA1024_PUB_PEM), RSAKEY_BAD_SIZE);
	assert_int_equal(read_text(KV_EC_PUB_PEM), RSAKEY_NOT_RSA);
	assert_int_equal(read_text(KV_ED25519_PUB_PEM), RSAKEY_NOT_RSA);
	assert_int_equal(read_text(KV_PSS_PUB_PEM), RSAKEY_NOT_RSA);
}

/*
 * A key libgcrypt makes, with e = 3, encoded by the builder above (those
 * with e = 65537 come from rsakey_generate(), in test_generate).
 */
static void
test_gcrypt_key(void **state)
{
	gcry_sexp_t p = NULL, key = NULL;
	gcry_mpi_t n = NULL, e = NULL;
	unsigned char nm[BUF], em[8], ni[BUF], ei[16], der[BUF];
	char pem[BUF];
	size_t nn, en, len;
	struct spec s;
	unsigned got = 0;

	(void)state;
	assert_int_equal(gcry_sexp_build(&p, NULL,
	    "(genkey (rsa (nbits 4:2048) (rsa-use-e 1:3)))"), 0);
	assert_int_equal(gcry_pk_genkey(&key, p), 0);
	assert_int_equal(gcry_sexp_extract_param(key, "public-key", "ne", &n,
	    &e, NULL), 0);
	assert_int_equal(gcry_mpi_print(GCRYMPI_FMT_USG, nm, sizeof(nm), &nn,
	    n), 0);
	assert_int_equal(gcry_mpi_print(GCRYMPI_FMT_USG, em, sizeof(em), &en,
	    e), 0);
	assert_true(gcry_mpi_cmp_ui(e, 3) == 0);
	spec_init(&s, ni, int_contents(nm, nn, ni));
	s.e = ei;
	s.elen = int_contents(em, en, ei);
	len = build(&s, der);
	assert_int_equal(read_der(der, len, &got), RSAKEY_OK);
	assert_int_equal(got, 2048);
	pem_of(der, len, "PUBLIC KEY", 64, "\n", pem);
	assert_int_equal(read_text(pem), RSAKEY_OK);
	gcry_mpi_release(n);
	gcry_mpi_release(e);
	gcry_sexp_release(key);
	gcry_sexp_release(p);
}

/* 2048 to 8192 bits, exactly. */
static void
test_sizes(void **state)
{
	static const struct {
		unsigned bits;
		enum rsakey_err e;
	} cases[] = {
		{ 512, RSAKEY_BAD_SIZE }, { 1024, RSAKEY_BAD_SIZE },
		{ 2040, RSAKEY_BAD_SIZE }, { 2047, RSAKEY_BAD_SIZE },
		{ 2048, RSAKEY_OK }, { 2049, RSAKEY_OK }, { 4096, RSAKEY_OK },
		{ 8191, RSAKEY_OK }, { 8192, RSAKEY_OK },
		{ 8193, RSAKEY_BAD_SIZE }, { 8200, RSAKEY_BAD_SIZE },
		{ 16384, RSAKEY_BAD_SIZE },
	};
	unsigned char n[BUF], der[BUF];
	char pem[BUF];
	size_t i, len;
	struct spec s;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned got = 0;

		spec_init(&s, n, modulus(cases[i].bits, n));
		len = build(&s, der);
		if (read_der(der, len, &got) != cases[i].e)
			fail_msg("%u bits: not %d", cases[i].bits,
			    (int)cases[i].e);
		if (cases[i].e == RSAKEY_OK)
			assert_int_equal(got, cases[i].bits);
		pem_of(der, len, "PUBLIC KEY", 64, "\n", pem);
		assert_int_equal(read_text(pem), cases[i].e);
	}
	/* A zero modulus has no size at all. */
	spec_init(&s, (const unsigned char *)"\0", 1);
	len = build(&s, der);
	assert_int_equal(read_der(der, len, NULL), RSAKEY_BAD_SIZE);
	/* An even one is no product of two odd primes. */
	spec_init(&s, n, modulus(2048, n));
	n[s.nlen - 1] &= 0xfe;
	len = build(&s, der);
	assert_int_equal(read_der(der, len, NULL), RSAKEY_MALFORMED);
}

/* e odd, 3 to 2^32 + 1. */
static void
test_exponents(void **state)
{
	static const struct {
		const char *e;
		size_t len;
		enum rsakey_err want;
	} cases[] = {
		{ "\x03", 1, RSAKEY_OK },
		{ "\x01\x00\x01", 3, RSAKEY_OK },
		{ "\x01\x00\x00\x00\x01", 5, RSAKEY_OK },	/* 2^32 + 1 */
		{ "\x00\xff\xff\xff\xff", 5, RSAKEY_OK },	/* 2^32 - 1 */
		{ "\x00", 1, RSAKEY_BAD_EXPONENT },
		{ "\x01", 1, RSAKEY_BAD_EXPONENT },
		{ "\x02", 1, RSAKEY_BAD_EXPONENT },
		{ "\x01\x00\x00", 3, RSAKEY_BAD_EXPONENT },
		{ "\x01\x00\x00\x00\x03", 5, RSAKEY_BAD_EXPONENT },
		{ "\x01\x00\x00\x00\x00\x01", 6, RSAKEY_BAD_EXPONENT },
		{ "\x01\x00\x00\x00\x00\x00\x00\x00\x00\x01", 10,
			RSAKEY_BAD_EXPONENT },
	};
	unsigned char n[BUF], der[BUF];
	size_t i;
	struct spec s;

	(void)state;
	spec_init(&s, n, modulus(2048, n));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		s.e = (const unsigned char *)cases[i].e;
		s.elen = cases[i].len;
		if (read_der(der, build(&s, der), NULL) != cases[i].want)
			fail_msg("exponent case %zu", i);
	}
}

static void
test_der_refusals(void **state)
{
	static const unsigned char sha256rsa[] = {
		0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b
	};
	static const unsigned char ec_oid[] = {
		0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01
	};
	static const unsigned char bad_oid[] = {	/* 0x80 leads */
		0x2a, 0x80, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01
	};
	static const unsigned char open_oid[] = {	/* last one open */
		0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x81
	};
	static const unsigned char null1[] = { 0x05, 0x01, 0x00 };
	static const unsigned char oid_param[] = { 0x06, 0x01, 0x2a };
	static const unsigned char two_nulls[] = { 0x05, 0x00, 0x05, 0x00 };
	static const unsigned char extra_int[] = { 0x02, 0x01, 0x03 };
	static const unsigned char e_padded[] = { 0x00, 0x01, 0x00, 0x01 };
	static const unsigned char e_negative[] = { 0x81, 0x00, 0x01 };
	unsigned char n[BUF], n2[BUF], der[BUF], good[BUF];
	size_t nlen, len, goodlen, i;
	struct spec s;

	(void)state;
	nlen = modulus(2048, n);
	spec_init(&s, n, nlen);
	goodlen = build(&s, good);
	assert_int_equal(read_der(good, goodlen, NULL), RSAKEY_OK);

	/* Truncated at every length; one byte more. */
	for (i = 0; i < goodlen; i++)
		if (read_der(good, i, NULL) != RSAKEY_MALFORMED)
			fail_msg("truncated to %zu", i);
	memcpy(der, good, goodlen);
	der[goodlen] = 0;
	assert_int_equal(read_der(der, goodlen + 1, NULL), RSAKEY_MALFORMED);
	der[goodlen] = 0x30;
	assert_int_equal(read_der(der, goodlen + 1, NULL), RSAKEY_MALFORMED);

	/* Non-minimal lengths: outer, and the algorithm's. */
	memcpy(der, good, goodlen);
	assert_int_equal(der[1], 0x82);
	len = tlv(der, TAG_SEQUENCE, good + 4, goodlen - 4, 1);
	assert_int_equal(read_der(der, len, NULL), RSAKEY_MALFORMED);
	s.alg_longer = 1;
	assert_int_equal(read_der(der, build(&s, der), NULL),
	    RSAKEY_MALFORMED);
	s.alg_longer = 0;
	/* e's length as 81 03; n's as 83 00 01 01. */
	s.e_longer = 1;
	len = build(&s, der);
	assert_memory_equal(der + len - 6, "\x02\x81\x03\x01\x00\x01", 6);
	assert_int_equal(read_der(der, len, NULL), RSAKEY_MALFORMED);
	s.e_longer = 0;
	s.n_longer = 1;
	assert_int_equal(read_der(der, build(&s, der), NULL),
	    RSAKEY_MALFORMED);
	s.n_longer = 0;
	/* BER's indefinite length. */
	memcpy(der, good, goodlen);
	der[1] = 0x80;
	memmove(der + 2, good + 4, goodlen - 4);
	der[goodlen - 2] = 0;
	der[goodlen - 1] = 0;
	assert_int_equal(read_der(der, goodlen, NULL), RSAKEY_MALFORMED);

	/* INTEGERs: zero-padded, negative. */
	n2[0] = 0;
	memcpy(n2 + 1, n, nlen);
	s.n = n2;
	s.nlen = nlen + 1;
	assert_int_equal(read_der(der, build(&s, der), NULL),
	    RSAKEY_MALFORMED);
	s.n = n + 1;			/* without its zero octet */
	s.nlen = nlen - 1;
	assert_int_equal(n[0], 0);
	assert_int_equal(read_der(der, build(&s, der), NULL),
	    RSAKEY_MALFORMED);
	s.n = n;
	s.nlen = nlen;
	s.e = e_padded;
	s.elen = sizeof(e_padded);
	assert_int_equal(read_der(der, build(&s, der), NULL),
	    RSAKEY_MALFORMED);
	s.e = e_negative;
	s.elen = sizeof(e_negative);
	assert_int_equal(read_der(der, build(&s, der), NULL),
	    RSAKEY_MALFORMED);
	s.e = NULL;
	s.elen = 0;			/* an INTEGER with no contents */
	assert_int_equal(read_der(der, build(&s, der), NULL),
	    RSAKEY_MALFORMED);
	s.e = e65537;
	s.elen = 3;

	/* Algorithms: other OIDs are not RSA; broken OIDs are broken. */
	s.oid = sha256rsa;
	s.oidlen = sizeof(sha256rsa);
	assert_int_equal(read_der(der, build(&s, der), NULL), RSAKEY_NOT_RSA);
	s.oid = ec_oid;
	s.oidlen = sizeof(ec_oid);
	assert_int_equal(read_der(der, build(&s, der), NULL), RSAKEY_NOT_RSA);
	s.oid = bad_oid;
	s.oidlen = sizeof(bad_oid);
	assert_int_equal(read_der(der, build(&s, der), NULL),
	    RSAKEY_MALFORMED);
	s.oid = open_oid;
	s.oidlen = sizeof(open_oid);
	assert_int_equal(read_der(der, build(&s, der), NULL),
	    RSAKEY_MALFORMED);
	s.oidlen = 0;
	assert_int_equal(read_der(der, build(&s, der), NULL),
	    RSAKEY_MALFORMED);
	s.oid = rsa_oid;
	s.oidlen = sizeof(rsa_oid);

	/* Parameters: NULL and only NULL. */
	s.params = NULL;
	s.paramslen = 0;
	assert_int_equal(read_der(der, build(&s, der), NULL),
	    RSAKEY_MALFORMED);
	s.params = null1;
	s.paramslen = sizeof(null1);
	assert_int_equal(read_der(der, build(&s, der), NULL),
	    RSAKEY_MALFORMED);
	s.params = oid_param;
	s.paramslen = sizeof(oid_param);
	assert_int_equal(read_der(der, build(&s, der), NULL),
	    RSAKEY_MALFORMED);
	s.params = two_nulls;
	s.paramslen = sizeof(two_nulls);
	assert_int_equal(read_der(der, build(&s, der), NULL),
	    RSAKEY_MALFORMED);
	s.params = null_der;
	s.paramslen = sizeof(null_der);

	/* BIT STRING with unused bits; RSAPublicKey with more in it. */
	s.unused = 1;
	assert_int_equal(read_der(der, build(&s, der), NULL),
	    RSAKEY_MALFORMED);
	s.unused = 0;
	s.extra = extra_int;
	s.extralen = sizeof(extra_int);
	assert_int_equal(read_der(der, build(&s, der), NULL),
	    RSAKEY_MALFORMED);
	s.extra = NULL;
	s.extralen = 0;

	/* Wrong tags where a SEQUENCE, BIT STRING or INTEGER belongs. */
	for (i = 0; i < goodlen; i++) {
		static const unsigned char tags[] = {
			0x30, 0x03, 0x02, 0x06, 0x05
		};
		size_t t;

		for (t = 0; t < sizeof(tags); t++) {
			enum rsakey_err e;

			/* the 33 bytes before n's contents */
			if (good[i] != tags[t] || i >= 33)
				continue;
			memcpy(der, good, goodlen);
			der[i] = (unsigned char)(tags[t] ^ 0x20);
			e = read_der(der, goodlen, NULL);
			/* In the OID's contents a change is another OID. */
			if (e != RSAKEY_MALFORMED && e != RSAKEY_NOT_RSA)
				fail_msg("byte %zu: %d", i, (int)e);
		}
	}
	/* Empty, NULL, over the bound. */
	assert_int_equal(read_der(good, 0, NULL), RSAKEY_MALFORMED);
	{
		struct rsakey *k = (struct rsakey *)1;

		assert_int_equal(rsakey_read_public(NULL, 10, &k),
		    RSAKEY_MALFORMED);
		assert_null(k);
	}
}

static void
test_pem_refusals(void **state)
{
	unsigned char der[BUF];
	char pem[BUF], t[BUF + 100], *p;
	size_t len, n, i;
	struct rsakey *k = NULL;

	(void)state;
	len = KV_B_PUB_DER_LEN;
	memcpy(der, KV_B_PUB_DER, len);
	n = pem_of(der, len, "PUBLIC KEY", 64, "\n", pem);
	assert_int_equal(read_text(pem), RSAKEY_OK);

	/* White space: around, CRLF, other line lengths, none at all. */
	snprintf(t, sizeof(t), " \t\r\n%s\n\n  \t", pem);
	assert_int_equal(read_text(t), RSAKEY_OK);
	pem_of(der, len, "PUBLIC KEY", 64, "\r\n", t);
	assert_int_equal(read_text(t), RSAKEY_OK);
	pem_of(der, len, "PUBLIC KEY", 76, "\n", t);
	assert_int_equal(read_text(t), RSAKEY_OK);
	pem_of(der, len, "PUBLIC KEY", 4, " \n\t", t);
	assert_int_equal(read_text(t), RSAKEY_OK);
	pem_of(der, len, "PUBLIC KEY", 100000, "", t);
	assert_int_equal(read_text(t), RSAKEY_OK);

	/* Labels. */
	pem_of(der, len, "RSA PUBLIC KEY", 64, "\n", t);
	assert_int_equal(read_text(t), RSAKEY_MALFORMED);
	pem_of(der, len, "CERTIFICATE", 64, "\n", t);
	assert_int_equal(read_text(t), RSAKEY_MALFORMED);
	pem_of(der, len, "public key", 64, "\n", t);
	assert_int_equal(read_text(t), RSAKEY_MALFORMED);
	pem_of(der, len, "PUBLIC KEY ", 64, "\n", t);
	assert_int_equal(read_text(t), RSAKEY_MALFORMED);
	pem_of(der, len, "PRIVATE KEY", 64, "\n", t);
	assert_int_equal(read_text(t), RSAKEY_PRIVATE);
	pem_of(der, len, "RSA PRIVATE KEY", 64, "\n", t);
	assert_int_equal(read_text(t), RSAKEY_PRIVATE);
	pem_of(der, len, "ENCRYPTED PRIVATE KEY", 64, "\n", t);
	assert_int_equal(read_text(t), RSAKEY_PRIVATE);
	assert_int_equal(read_text("-----BEGIN OPENSSH PRIVATE KEY-----\n"
	    "b3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n"),
	    RSAKEY_PRIVATE);
	/* END names another label. */
	memcpy(t, pem, n + 1);
	p = strstr(t, "-----END PUBLIC KEY");
	memcpy(p, "-----END PUBLIC KEZ", 19);
	assert_int_equal(read_text(t), RSAKEY_MALFORMED);
	memcpy(t, pem, n + 1);
	t[n - 6] = '\0';		/* "-----END PUBLIC KEY" only */
	assert_int_equal(read_text(t), RSAKEY_MALFORMED);

	/* Text around it, headers inside it. */
	snprintf(t, sizeof(t), "key:\n%s", pem);
	assert_int_equal(read_text(t), RSAKEY_MALFORMED);
	snprintf(t, sizeof(t), "%sx", pem);
	assert_int_equal(read_text(t), RSAKEY_MALFORMED);
	memcpy(t, pem, n);
	memcpy(t + n, pem, n + 1);	/* two keys */
	assert_int_equal(read_text(t), RSAKEY_MALFORMED);
	snprintf(t, sizeof(t), "-----BEGIN PUBLIC KEY-----\nComment: x\n\n%s",
	    pem + 27);
	assert_int_equal(read_text(t), RSAKEY_MALFORMED);

	/* Base64: characters, padding, trailing bits, a NUL. */
	{
		static const char subst[] = "*-_.=!\x80";

		for (i = 0; i < sizeof(subst) - 1; i++) {
			memcpy(t, pem, n + 1);
			p = strchr(t, '\n') + 10;
			*p = subst[i];
			if (read_text(t) != RSAKEY_MALFORMED)
				fail_msg("'%c' in the base64", subst[i]);
		}
		memcpy(t, pem, n + 1);
		p = strchr(t, '\n') + 10;
		*p = '\0';
		assert_int_equal(read_der((unsigned char *)t, n, NULL),
		    RSAKEY_MALFORMED);
	}
	/* KV_B's DER leaves two bytes for the last group: "xxx=". */
	assert_int_equal(len % 3, 2);
	memcpy(t, pem, n + 1);
	p = strstr(t, "=\n-----END");
	assert_non_null(p);
	memmove(p, p + 1, strlen(p + 1) + 1);	/* one '=' missing */
	assert_int_equal(read_text(t), RSAKEY_MALFORMED);
	memcpy(t, pem, n + 1);
	p = strstr(t, "=\n-----END");
	p[-1]++;		/* 'A' to 'B' and so on: bits left over */
	assert_int_equal(read_text(t), RSAKEY_MALFORMED);
	assert_int_equal(read_text("-----BEGIN PUBLIC KEY-----\n"
	    "-----END PUBLIC KEY-----\n"), RSAKEY_MALFORMED);
	assert_int_equal(read_text("-----BEGIN PUBLIC KEY-----"),
	    RSAKEY_MALFORMED);
	assert_int_equal(read_text("-----BEGIN "), RSAKEY_MALFORMED);
	assert_int_equal(read_text("   "), RSAKEY_MALFORMED);

	/* The input bound counts white space too. */
	memset(t, ' ', sizeof(t));
	memcpy(t, pem, n);
	assert_int_equal(read_der((unsigned char *)t, RSAKEY_INPUT_MAX, NULL),
	    RSAKEY_OK);
	assert_int_equal(read_der((unsigned char *)t, RSAKEY_INPUT_MAX + 1,
	    NULL), RSAKEY_MALFORMED);
	assert_int_equal(rsakey_read_public(t, RSAKEY_INPUT_MAX + 1, &k),
	    RSAKEY_MALFORMED);
	assert_null(k);
}

/* Every spelling of one key gives one PEM, one DER, one thumbprint. */
static void
test_canonical(void **state)
{
	static const struct {
		size_t width;
		const char *eol;
	} forms[] = {
		{ 64, "\n" }, { 64, "\r\n" }, { 76, "\n" }, { 16, " " },
		{ 100000, "" },
	};
	unsigned char der[BUF];
	char pem[BUF], first_thumb[RSAKEY_THUMB_LEN], thumb[RSAKEY_THUMB_LEN];
	char *canon = NULL, *again = NULL;
	size_t len, clen, alen, i;
	struct rsakey *k = NULL, *k2 = NULL;

	(void)state;
	len = KV_B_PUB_DER_LEN;
	memcpy(der, KV_B_PUB_DER, len);
	assert_int_equal(rsakey_read_public(der, len, &k), RSAKEY_OK);
	assert_int_equal(rsakey_public_pem(k, &canon, &clen), 0);
	assert_int_equal(strlen(canon), clen);
	rsakey_thumbprint(k, first_thumb);
	assert_int_equal(strlen(first_thumb), 43);
	rsakey_free(k);
	/* What it writes is what openssl writes. */
	pem_of(der, len, "PUBLIC KEY", 64, "\n", pem);
	assert_string_equal(canon, pem);
	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		pem_of(der, len, "PUBLIC KEY", forms[i].width, forms[i].eol,
		    pem);
		assert_int_equal(rsakey_read_public(pem, strlen(pem), &k),
		    RSAKEY_OK);
		assert_int_equal(rsakey_public_pem(k, &again, &alen), 0);
		assert_int_equal(alen, clen);
		assert_string_equal(again, canon);
		rsakey_thumbprint(k, thumb);
		assert_string_equal(thumb, first_thumb);
		free(again);
		rsakey_free(k);
	}
	/* The canonical PEM reads back as itself. */
	assert_int_equal(rsakey_read_public(canon, clen, &k2), RSAKEY_OK);
	assert_int_equal(rsakey_public_pem(k2, &again, &alen), 0);
	assert_string_equal(again, canon);
	free(again);
	rsakey_free(k2);
	free(canon);
	/* A different key, a different thumbprint. */
	assert_int_equal(rsakey_read_public(KV_A_PUB_PEM, strlen(KV_A_PUB_PEM),
	    &k), RSAKEY_OK);
	rsakey_thumbprint(k, thumb);
	assert_string_not_equal(thumb, first_thumb);
	rsakey_free(k);
}

/* A key from a base64url modulus (e = 65537), through our own DER. */
static struct rsakey *
key_from_n64(const char *n64)
{
	unsigned char n[NMAX], der[BUF], ni[NMAX + 1];
	struct rsakey *k = NULL;
	struct spec s;
	long nlen = b64_decode(n64, strlen(n64), n, sizeof(n), B64_URL);

	assert_true(nlen > 0);
	spec_init(&s, ni, int_contents(n, (size_t)nlen, ni));
	assert_int_equal(rsakey_read_public(der, build(&s, der), &k),
	    RSAKEY_OK);
	return k;
}

static void
test_thumbprint(void **state)
{
	struct rsakey *k = key_from_n64(KV_RFC7638_N);
	char thumb[RSAKEY_THUMB_LEN];

	(void)state;
	rsakey_thumbprint(k, thumb);
	assert_string_equal(thumb, KV_RFC7638_THUMB);
	rsakey_free(k);
}

static void
test_verify(void **state)
{
	const char *jws = KV_RFC7515_JWS, *dot = strrchr(jws, '.');
	unsigned char sig[1100], sig2[1100], n[NMAX];
	struct rsakey *k = key_from_n64(KV_RFC7515_N), *a = NULL, *b = NULL;
	size_t slen, nlen, i;
	long sl;
	char msg[1000];

	(void)state;
	/* RFC 7515 A.2. */
	sl = b64_decode(dot + 1, strlen(dot + 1), sig, sizeof(sig), B64_URL);
	assert_int_equal(sl, 256);
	slen = (size_t)sl;
	memcpy(msg, jws, (size_t)(dot - jws));
	assert_int_equal(rsakey_verify_rs256(k, msg, (size_t)(dot - jws), sig,
	    slen), 1);
	/* Any one bit of the message, or of the signature. */
	for (i = 0; i < (size_t)(dot - jws); i += 7) {
		msg[i] ^= 0x01;
		assert_int_equal(rsakey_verify_rs256(k, msg,
		    (size_t)(dot - jws), sig, slen), 0);
		msg[i] ^= 0x01;
	}
	for (i = 0; i < slen; i += 5) {
		sig[i] ^= 0x10;
		assert_int_equal(rsakey_verify_rs256(k, msg,
		    (size_t)(dot - jws), sig, slen), 0);
		sig[i] ^= 0x10;
	}
	/* Lengths: one short, one long with a leading zero. */
	assert_int_equal(rsakey_verify_rs256(k, msg, (size_t)(dot - jws), sig,
	    slen - 1), 0);
	sig2[0] = 0;
	memcpy(sig2 + 1, sig, slen);
	assert_int_equal(rsakey_verify_rs256(k, msg, (size_t)(dot - jws),
	    sig2, slen + 1), 0);
	assert_int_equal(rsakey_verify_rs256(k, msg, (size_t)(dot - jws), sig,
	    0), 0);
	/* n itself, as a signature: not below n. */
	nlen = (size_t)b64_decode(KV_RFC7515_N, strlen(KV_RFC7515_N), n,
	    sizeof(n), B64_URL);
	assert_int_equal(nlen, slen);
	assert_int_equal(rsakey_verify_rs256(k, msg, (size_t)(dot - jws), n,
	    nlen), 0);
	rsakey_free(k);

	/* Signatures made here: by A, checked with A and with B. */
	assert_int_equal(rsakey_read_public(KV_A_PUB_PEM, strlen(KV_A_PUB_PEM),
	    &a), RSAKEY_OK);
	assert_int_equal(rsakey_read_public(KV_B_PUB_DER, KV_B_PUB_DER_LEN,
	    &b), RSAKEY_OK);
	for (i = 0; i < 4; i++) {
		size_t mlen = i * 100;

		memset(msg, 'a' + (int)i, mlen);
		slen = kv_sign_rs256(&KV_A, msg, mlen, sig,
		    sizeof(sig));
		assert_int_equal(slen, 256);
		assert_int_equal(rsakey_verify_rs256(a, msg, mlen, sig, slen),
		    1);
		assert_int_equal(rsakey_verify_rs256(b, msg, mlen, sig, slen),
		    0);
		slen = kv_sign_rs256(&KV_B, msg, mlen, sig,
		    sizeof(sig));
		assert_int_equal(slen, 384);
		assert_int_equal(rsakey_verify_rs256(b, msg, mlen, sig, slen),
		    1);
		assert_int_equal(rsakey_verify_rs256(a, msg, mlen, sig, slen),
		    0);
		assert_int_equal(rsakey_verify_rs256(a, msg, mlen, sig, 256),
		    0);
	}
	/*
	 * s + n has the value of s mod n, so it would verify too where it
	 * fits in k bytes (RSAVP1 refuses it, RFC 8017 5.2.2): a message
	 * whose signature leaves room for n on top.
	 */
	nlen = kv_hex(KV_A_N, n, sizeof(n));
	for (i = 0; i < 100; i++) {
		unsigned carry = 0;
		size_t j;

		msg[0] = (char)i;
		slen = kv_sign_rs256(&KV_A, msg, 1, sig, sizeof(sig));
		assert_int_equal(slen, nlen);
		for (j = slen; j-- > 0;) {
			unsigned v = (unsigned)sig[j] + n[j] + carry;

			sig2[j] = (unsigned char)v;
			carry = v >> 8;
		}
		if (carry != 0)
			continue;
		assert_int_equal(rsakey_verify_rs256(a, msg, 1, sig, slen), 1);
		assert_int_equal(rsakey_verify_rs256(a, msg, 1, sig2, slen), 0);
		break;
	}
	assert_true(i < 100);
	rsakey_free(a);
	rsakey_free(b);
}

/* The PKCS#1 PEM of a new pair, read back and checked. */
static void
test_generate(void **state)
{
	struct rsakey *pub = NULL, *again = NULL;
	char *priv = NULL, *copy = NULL, *p, *pem = NULL;
	unsigned char der[BUF], sig[512];
	size_t plen, derlen = 0, i, len, slen;
	struct der d, seq, v[9];
	gcry_mpi_t m[9] = { NULL }, t = gcry_mpi_new(0), pm = gcry_mpi_new(0);
	gcry_mpi_t qm = gcry_mpi_new(0);
	char nhex[1100], dhex[1100];

	(void)state;
	assert_int_equal(rsakey_generate(&pub, &priv, &plen), 0);
	assert_non_null(pub);
	assert_non_null(priv);
	assert_true(gcry_is_secure(priv));
	assert_int_equal(strlen(priv), plen);
	assert_int_equal(rsakey_bits(pub), 2048);
	assert_int_equal(strncmp(priv, "-----BEGIN RSA PRIVATE KEY-----\n",
	    32), 0);
	assert_string_equal(priv + plen - 30,
	    "-----END RSA PRIVATE KEY-----\n");
	/* Lines of 64 characters, the last one shorter. */
	for (p = strchr(priv, '\n') + 1; strncmp(p, "-----", 5) != 0;
	    p = strchr(p, '\n') + 1) {
		len = (size_t)(strchr(p, '\n') - p);
		assert_true(len == 64 || strncmp(p + len + 1, "-----", 5) == 0);
	}

	/* Our PEM reader takes it under the public label. */
	copy = malloc(plen + 1);
	assert_non_null(copy);
	memcpy(copy, priv, plen + 1);
	memcpy(copy + 11, "PUBLIC KEY-----\n", 16);
	memmove(copy + 27, copy + 32, plen + 1 - 32);
	p = strstr(copy, "-----END RSA PRIVATE KEY-----");
	memcpy(p, "-----END PUBLIC KEY-----\n", 26);
	assert_int_equal(pem_read(copy, strlen(copy), der, &derlen),
	    RSAKEY_OK);
	secret_wipe(copy, plen);
	free(copy);

	/* RFC 8017 A.1.2: SEQUENCE { 0, n, e, d, p, q, dP, dQ, qInv }. */
	d.p = der;
	d.n = derlen;
	assert_int_equal(der_take(&d, TAG_SEQUENCE, &seq), 0);
	assert_int_equal(d.n, 0);
	for (i = 0; i < 9; i++) {
		assert_int_equal(der_uint(&seq, &v[i]), 0);
		assert_int_equal(gcry_mpi_scan(&m[i], GCRYMPI_FMT_USG,
		    v[i].p, v[i].n, NULL), 0);
	}
	assert_int_equal(seq.n, 0);
	assert_int_equal(v[0].n, 0);		/* version 0, two primes */
	assert_true(gcry_mpi_cmp_ui(m[2], 65537) == 0);
	/* n is the public key's. */
	assert_int_equal(v[1].n, pub->nlen);
	assert_memory_equal(v[1].p, pub->n, pub->nlen);
	/* p * q = n; p > q */
	gcry_mpi_mul(t, m[4], m[5]);
	assert_true(gcry_mpi_cmp(t, m[1]) == 0);
	assert_true(gcry_mpi_cmp(m[4], m[5]) > 0);
	assert_int_equal(gcry_mpi_get_nbits(m[4]), 1024);
	assert_int_equal(gcry_mpi_get_nbits(m[5]), 1024);
	/* d * e = 1 mod (p - 1) and mod (q - 1), so mod lambda(n) */
	gcry_mpi_sub_ui(pm, m[4], 1);
	gcry_mpi_sub_ui(qm, m[5], 1);
	gcry_mpi_mul(t, m[3], m[2]);
	gcry_mpi_mod(t, t, pm);
	assert_true(gcry_mpi_cmp_ui(t, 1) == 0);
	gcry_mpi_mul(t, m[3], m[2]);
	gcry_mpi_mod(t, t, qm);
	assert_true(gcry_mpi_cmp_ui(t, 1) == 0);
	/* dP = d mod (p - 1), dQ = d mod (q - 1) */
	gcry_mpi_mod(t, m[3], pm);
	assert_true(gcry_mpi_cmp(t, m[6]) == 0);
	gcry_mpi_mod(t, m[3], qm);
	assert_true(gcry_mpi_cmp(t, m[7]) == 0);
	/* qInv * q = 1 mod p, and qInv < p */
	gcry_mpi_mul(t, m[8], m[5]);
	gcry_mpi_mod(t, t, m[4]);
	assert_true(gcry_mpi_cmp_ui(t, 1) == 0);
	assert_true(gcry_mpi_cmp(m[8], m[4]) < 0);

	/* Signed with n and d, verified with the public key. */
	gcry_mpi_print(GCRYMPI_FMT_HEX, (unsigned char *)nhex, sizeof(nhex),
	    NULL, m[1]);
	gcry_mpi_print(GCRYMPI_FMT_HEX, (unsigned char *)dhex, sizeof(dhex),
	    NULL, m[3]);
	{
		struct kv_key kk = { nhex, dhex, NULL, NULL, NULL };

		slen = kv_sign_rs256(&kk, "x", 1, sig, sizeof(sig));
	}
	assert_int_equal(slen, 256);
	assert_int_equal(rsakey_verify_rs256(pub, "x", 1, sig, slen), 1);
	assert_int_equal(rsakey_verify_rs256(pub, "y", 1, sig, slen), 0);
	secret_wipe(dhex, sizeof(dhex));

	/* The public half, in canonical PEM, reads back. */
	assert_int_equal(rsakey_public_pem(pub, &pem, &len), 0);
	assert_int_equal(rsakey_read_public(pem, len, &again), RSAKEY_OK);
	assert_int_equal(again->nlen, pub->nlen);
	assert_memory_equal(again->n, pub->n, pub->nlen);
	free(pem);
	rsakey_free(again);

	secret_wipe(der, sizeof(der));
	for (i = 0; i < 9; i++)
		gcry_mpi_release(m[i]);
	gcry_mpi_release(t);
	gcry_mpi_release(pm);
	gcry_mpi_release(qm);
	/* A second pair is another key. */
	{
		struct rsakey *b = NULL;
		char *pb = NULL;
		size_t lb;

		assert_int_equal(rsakey_generate(&b, &pb, &lb), 0);
		assert_true(b->nlen != pub->nlen ||
		    memcmp(b->n, pub->n, b->nlen) != 0);
		assert_true(lb != plen || memcmp(pb, priv, lb) != 0);
		rsakey_private_free(pb, lb);
		rsakey_free(b);
	}
	rsakey_private_free(priv, plen);
	rsakey_free(pub);
	rsakey_private_free(NULL, 0);
}

/* The S-expression reader refuses what is not libgcrypt's key. */
static void
test_canonical_sexp(void **state)
{
	static const char *const bad[] = {
		"", "(", "()", "(8:key-data)", "(8:key-data(11:private-key))",
		"(8:key-data(11:private-key(3:rsa(1:n1:\x01)(1:e1:\x03))))",
		"(8:key-data(11:private-key(3:rsa(1:n9:x))))",
		"(8:key-data(11:private-key(3:dsa(1:p1:\x01))))",
		"(8:key-data(11:private-key(3:rsa(1:n1:\x01 1:x))))",
		"(7:key-dat(11:private-key(3:rsa)))",
		"(8:key-data(10:public-key(3:rsa(1:n1:\x01)(1:e1:\x03)))",
		"(8:key-data(10:public-key(3:rsa(1:n9999999:",
	};
	static const char good[] = "(8:key-data(10:public-key(3:rsa(1:n1:"
	    "\x01)))(11:private-key(3:rsa(1:n1:\x02)(1:e1:\x03)(1:d1:\x04)"
	    "(1:p1:\x05)(1:q1:\x06)(1:u1:\x07))))";
	struct der c, v[5];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		c.p = (const unsigned char *)bad[i];
		c.n = strlen(bad[i]);
		if (cs_private(c, v) != -1)
			fail_msg("took \"%s\"", bad[i]);
	}
	c.p = (const unsigned char *)good;
	c.n = sizeof(good) - 1;
	assert_int_equal(cs_private(c, v), 0);
	for (i = 0; i < 5; i++) {
		assert_int_equal(v[i].n, 1);
		assert_int_equal(v[i].p[0], i + 2);
	}
}

static void
test_reasons(void **state)
{
	int e, f;

	(void)state;
	for (e = RSAKEY_OK; e <= RSAKEY_ERROR; e++) {
		const char *r = rsakey_why((enum rsakey_err)e)->reason;

		assert_true(strlen(r) > 0);
		assert_int_equal(strspn(r, "abcdefghijklmnopqrstuvwxyz_"),
		    strlen(r));
		assert_true(strlen(rsakey_why((enum rsakey_err)e)->text) > 0);
		for (f = RSAKEY_OK; f < e; f++) {
			assert_string_not_equal(r,
			    rsakey_why((enum rsakey_err)f)->reason);
			assert_string_not_equal(
			    rsakey_why((enum rsakey_err)e)->text,
			    rsakey_why((enum rsakey_err)f)->text);
		}
	}
	assert_string_equal(rsakey_why((enum rsakey_err)99)->reason, "error");
	assert_string_equal(rsakey_why(RSAKEY_NOT_RSA)->reason, "not_rsa");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_openssl_keys),
		cmocka_unit_test(test_gcrypt_key),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_exponents),
		cmocka_unit_test(test_der_refusals),
		cmocka_unit_test(test_pem_refusals),
		cmocka_unit_test(test_canonical),
		cmocka_unit_test(test_thumbprint),
		cmocka_unit_test(test_verify),
		cmocka_unit_test(test_generate),
		cmocka_unit_test(test_canonical_sexp),
		cmocka_unit_test(test_reasons),
	};

	return cmocka_run_group_tests_name("rsakey", tests, setup, NULL);
}
