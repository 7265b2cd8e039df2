/*
 * rsakey.c - RSA public keys in, canonical public keys out, RS256
 * verification, and new RSA-2048 pairs (doc/keys.md).
 *
 * With secret.c, the only module that touches libgcrypt.  The DER here is
 * our own and small: it reads and writes the five types a key needs
 * (SEQUENCE, INTEGER, OBJECT IDENTIFIER, NULL, BIT STRING), strictly as
 * X.690 DER says: definite lengths in the fewest octets, INTEGERs in the
 * fewest octets and never negative, no unused bits, nothing left over at
 * any level.  So an accepted key has one encoding, the one we write back.
 *
 * Private material (the generated key) lives in libgcrypt's secure memory
 * from genkey to the PEM handed out, and every buffer that held it is
 * wiped before it is freed.
 */
#include "rsakey.h"

#include <gcrypt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "secret.h"
#include "util.h"

#define NMAX (RSAKEY_BITS_MAX / 8)	/* bytes of the largest modulus */
#define EMAX 5				/* bytes of the largest exponent */
#define E_MAX 0x100000001ULL		/* 2^32 + 1 */

/* X.690 identifier octets, universal class */
#define TAG_INTEGER 0x02
#define TAG_BIT_STRING 0x03
#define TAG_NULL 0x05
#define TAG_OID 0x06
#define TAG_SEQUENCE 0x30

/* rsaEncryption, 1.2.840.113549.1.1.1 (RFC 8017 A.1), its contents */
static const unsigned char rsa_oid[] = {
	0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01
};

static const char pem_public[] = "PUBLIC KEY";
static const char pem_private[] = "RSA PRIVATE KEY";

struct rsakey {
	gcry_sexp_t sexp;		/* (public-key (rsa (n)(e))) */
	unsigned bits;
	unsigned char n[NMAX], e[EMAX];	/* big-endian, no leading zero */
	size_t nlen, elen;
};

/* Bytes: where they are, how many. */
struct der {
	const unsigned char *p;
	size_t n;
};

/* --- DER in --------------------------------------------------------- */

/*
 * The next element of d, which must have the given tag: its contents in
 * *v, d advanced past it.  Lengths in DER's one form (X.690 10.1): short
 * below 128, else the fewest octets with no leading zero; two length
 * octets are enough for anything below RSAKEY_INPUT_MAX.
 */
static int
der_take(struct der *d, unsigned char tag, struct der *v)
{
	size_t len, head = 2;

	if (d->n < 2 || d->p[0] != tag)
		return -1;
	len = d->p[1];
	if (len == 0x81) {
		if (d->n < 3 || d->p[2] < 0x80)
			return -1;
		len = d->p[2];
		head = 3;
	} else if (len == 0x82) {
		if (d->n < 4 || d->p[2] == 0)
			return -1;
		len = (size_t)d->p[2] << 8 | d->p[3];
		head = 4;
	} else if (len >= 0x80)
		return -1;	/* indefinite (BER), or too long for us */
	if (len > d->n - head)
		return -1;
	v->p = d->p + head;
	v->n = len;
	d->p += head + len;
	d->n -= head + len;
	return 0;
}

/*
 * The next INTEGER of d, which must be zero or positive, in the fewest
 * octets (X.690 8.3.2): its magnitude, without the sign octet, in *m
 * (zero has none).
 */
static int
der_uint(struct der *d, struct der *m)
{
	struct der v;

	if (der_take(d, TAG_INTEGER, &v) != 0 || v.n == 0 ||
	    (v.p[0] & 0x80) != 0)
		return -1;
	if (v.p[0] == 0) {
		if (v.n > 1 && (v.p[1] & 0x80) == 0)
			return -1;	/* a zero octet not needed */
		v.p++;
		v.n--;
	}
	*m = v;
	return 0;
}

/*
 * An OBJECT IDENTIFIER's contents well formed (X.690 8.19.2): each
 * subidentifier in the fewest base-128 digits, the last one complete.
 */
static int
oid_valid(const struct der *v)
{
	size_t i;

	if (v->n == 0 || (v->p[v->n - 1] & 0x80) != 0)
		return -1;
	for (i = 0; i < v->n; i++)
		if (v->p[i] == 0x80 && (i == 0 || (v->p[i - 1] & 0x80) == 0))
			return -1;
	return 0;
}

/*
 * SubjectPublicKeyInfo (RFC 5280 4.1.2.7) holding an RSAPublicKey (RFC
 * 8017 A.1.1): n and e's magnitudes in *n and *e.
 */
static enum rsakey_err
parse_spki(const unsigned char *der, size_t len, struct der *n, struct der *e)
{
	struct der in = { der, len }, spki, alg, oid, params, bits, key, rpk;

	if (der_take(&in, TAG_SEQUENCE, &spki) != 0 || in.n != 0 ||
	    der_take(&spki, TAG_SEQUENCE, &alg) != 0 ||
	    der_take(&spki, TAG_BIT_STRING, &bits) != 0 || spki.n != 0 ||
	    der_take(&alg, TAG_OID, &oid) != 0 || oid_valid(&oid) != 0)
		return RSAKEY_MALFORMED;
	/* id-ecPublicKey, id-Ed25519, id-RSASSA-PSS and the rest. */
	if (oid.n != sizeof(rsa_oid) || memcmp(oid.p, rsa_oid, oid.n) != 0)
		return RSAKEY_NOT_RSA;
	/*
	 * RFC 3279 2.3.1 and RFC 4055 1.2: the parameters of rsaEncryption
	 * MUST be NULL; absent parameters are not taken.
	 */
	if (der_take(&alg, TAG_NULL, &params) != 0 || params.n != 0 ||
	    alg.n != 0)
		return RSAKEY_MALFORMED;
	/* The key's bits in whole octets: no unused bits (X.690 11.2). */
	if (bits.n == 0 || bits.p[0] != 0)
		return RSAKEY_MALFORMED;
	key.p = bits.p + 1;
	key.n = bits.n - 1;
	if (der_take(&key, TAG_SEQUENCE, &rpk) != 0 || key.n != 0 ||
	    der_uint(&rpk, n) != 0 || der_uint(&rpk, e) != 0 || rpk.n != 0)
		return RSAKEY_MALFORMED;
	return RSAKEY_OK;
}

/* --- DER out ---------------------------------------------------------- */

/*
 * A writer: with p NULL it only counts, so a first pass sizes the buffer
 * and a second one fills it.
 */
struct dbuf {
	unsigned char *p;
	size_t n;
};

static size_t
der_len_size(size_t len)
{
	return len < 0x80 ? 1 : len < 0x100 ? 2 : 3;
}

static size_t
tlv_size(size_t len)
{
	return 1 + der_len_size(len) + len;
}

static void
put(struct dbuf *b, const void *src, size_t len)
{
	if (b->p != NULL && len > 0)
		memcpy(b->p + b->n, src, len);
	b->n += len;
}

static void
put_header(struct dbuf *b, unsigned char tag, size_t len)
{
	unsigned char h[4];
	size_t k = 0;

	h[k++] = tag;
	if (len >= 0x100) {
		h[k++] = 0x82;
		h[k++] = (unsigned char)(len >> 8);
	} else if (len >= 0x80)
		h[k++] = 0x81;
	h[k++] = (unsigned char)len;
	put(b, h, k);
}

/* Contents of the INTEGER whose magnitude is m: a sign octet if needed. */
static size_t
uint_size(const struct der *m)
{
	if (m->n == 0)
		return 1;
	return m->n + ((m->p[0] & 0x80) != 0);
}

static void
put_uint(struct dbuf *b, const struct der *m)
{
	static const unsigned char zero = 0;

	put_header(b, TAG_INTEGER, uint_size(m));
	if (m->n == 0 || (m->p[0] & 0x80) != 0)
		put(b, &zero, 1);
	put(b, m->p, m->n);
}

/* SubjectPublicKeyInfo of rsaEncryption, NULL parameters (RFC 3279). */
static void
put_spki(struct dbuf *b, const struct der *n, const struct der *e)
{
	static const unsigned char zero = 0;
	size_t rpk = tlv_size(uint_size(n)) + tlv_size(uint_size(e));
	size_t alg = tlv_size(sizeof(rsa_oid)) + tlv_size(0);
	size_t bits = 1 + tlv_size(rpk);

	put_header(b, TAG_SEQUENCE, tlv_size(alg) + tlv_size(bits));
	put_header(b, TAG_SEQUENCE, alg);
	put_header(b, TAG_OID, sizeof(rsa_oid));
	put(b, rsa_oid, sizeof(rsa_oid));
	put_header(b, TAG_NULL, 0);
	put_header(b, TAG_BIT_STRING, bits);
	put(b, &zero, 1);
	put_header(b, TAG_SEQUENCE, rpk);
	put_uint(b, n);
	put_uint(b, e);
}

/*
 * RSAPrivateKey (RFC 8017 A.1.2), two-prime: version 0, then the eight
 * integers in m (n, e, d, p, q, dP, dQ, qInv).
 */
static void
put_pkcs1(struct dbuf *b, const struct der m[8])
{
	static const struct der version = { NULL, 0 };
	size_t len = tlv_size(uint_size(&version)), i;

	for (i = 0; i < 8; i++)
		len += tlv_size(uint_size(&m[i]));
	put_header(b, TAG_SEQUENCE, len);
	put_uint(b, &version);
	for (i = 0; i < 8; i++)
		put_uint(b, &m[i]);
}

/* --- PEM (RFC 7468) --------------------------------------------------- */

#define PEM_LINE 64		/* characters of base64 a line */

static size_t
pem_size(const char *label, size_t derlen)
{
	size_t chars = B64_LEN(derlen);

	/* -----BEGIN label-----\n, the lines, -----END label-----\n */
	return 11 + strlen(label) + 6 + chars + (chars + PEM_LINE - 1) /
	    PEM_LINE + 9 + strlen(label) + 6;
}

/* Writes the PEM of der into out (pem_size() + 1 bytes), NUL-terminated. */
static void
pem_write(const char *label, const unsigned char *der, size_t derlen,
    char *out)
{
	/* 48 bytes are 64 characters: lines encode on their own. */
	size_t o = 0, i, take, ll = strlen(label);

	memcpy(out, "-----BEGIN ", 11);
	memcpy(out + 11, label, ll);
	memcpy(out + 11 + ll, "-----\n", 6);
	o = 17 + ll;
	for (i = 0; i < derlen; i += take) {
		take = derlen - i < PEM_LINE / 4 * 3 ? derlen - i :
		    PEM_LINE / 4 * 3;
		o += b64_encode(der + i, take, out + o, B64_PADDED);
		out[o++] = '\n';
	}
	memcpy(out + o, "-----END ", 9);
	memcpy(out + o + 9, label, ll);
	memcpy(out + o + 9 + ll, "-----\n", 7);	/* and the NUL */
}

static int
is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Whether s[0..n) begins with the NUL-terminated word. */
static int
starts(const char *s, size_t n, const char *word)
{
	size_t wl = strlen(word);

	return n >= wl && memcmp(s, word, wl) == 0;
}

/*
 * "-----BEGIN PUBLIC KEY-----", base64, "-----END PUBLIC KEY-----", white
 * space around and within the base64 (RFC 7468 3's lax reading of line
 * breaks), nothing else: no headers, no text before or after.  The
 * base64 is strict (b64.c).  The DER goes into der (len bytes at least).
 */
static enum rsakey_err
pem_read(const char *in, size_t len, unsigned char *der, size_t *derlen)
{
	size_t i = 0, k, start, end, chars = 0;
	char *text = NULL;
	enum rsakey_err rc = RSAKEY_MALFORMED;
	long n;

	while (i < len && is_space((unsigned char)in[i]))
		i++;
	if (!starts(in + i, len - i, "-----BEGIN "))
		return RSAKEY_MALFORMED;
	i += 11;
	/* The label: printable, up to the dashes on the same line. */
	for (k = i; k < len && in[k] != '-'; k++)
		if (in[k] < 0x20 || in[k] > 0x7e)
			return RSAKEY_MALFORMED;
	if (!starts(in + k, len - k, "-----"))
		return RSAKEY_MALFORMED;
	if (k - i != strlen(pem_public) ||
	    memcmp(in + i, pem_public, k - i) != 0) {
		/* "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", ... */
		if (k - i >= 11 && memcmp(in + k - 11, "PRIVATE KEY", 11) == 0)
			return RSAKEY_PRIVATE;
		return RSAKEY_MALFORMED;
	}
	start = k + 5;
	for (end = start; end < len && in[end] != '-'; end++)
		;
	if (!starts(in + end, len - end, "-----END PUBLIC KEY-----"))
		return RSAKEY_MALFORMED;
	for (i = end + 24; i < len; i++)
		if (!is_space((unsigned char)in[i]))
			return RSAKEY_MALFORMED;
	text = malloc(end - start + 1);
	if (text == NULL)
		return RSAKEY_ERROR;
	for (i = start; i < end; i++)
		if (!is_space((unsigned char)in[i]))
			text[chars++] = in[i];
	n = b64_decode(text, chars, der, len, B64_PADDED);
	if (n > 0) {
		*derlen = (size_t)n;
		rc = RSAKEY_OK;
	}
	free(text);
	return rc;
}

/* --- keys ------------------------------------------------------------- */

static unsigned
mag_bits(const struct der *m)
{
	unsigned bits;
	unsigned char top;

	if (m->n == 0)
		return 0;
	bits = (unsigned)(m->n - 1) * 8;
	for (top = m->p[0]; top != 0; top >>= 1)
		bits++;
	return bits;
}

/* A new key of n and e, their ranges checked before; NULL on failure. */
static struct rsakey *
key_new(const struct der *n, const struct der *e)
{
	struct rsakey *k = NULL;
	gcry_mpi_t mn = NULL, me = NULL;

	if (n->n == 0 || n->n > NMAX || e->n == 0 || e->n > EMAX)
		return NULL;
	k = calloc(1, sizeof(*k));
	if (k == NULL)
		return NULL;
	memcpy(k->n, n->p, n->n);
	k->nlen = n->n;
	memcpy(k->e, e->p, e->n);
	k->elen = e->n;
	k->bits = mag_bits(n);
	if (gcry_mpi_scan(&mn, GCRYMPI_FMT_USG, k->n, k->nlen, NULL) != 0 ||
	    gcry_mpi_scan(&me, GCRYMPI_FMT_USG, k->e, k->elen, NULL) != 0 ||
	    gcry_sexp_build(&k->sexp, NULL, "(public-key (rsa (n %m)(e %m)))",
	    mn, me) != 0) {
		free(k);
		k = NULL;
	}
	gcry_mpi_release(mn);
	gcry_mpi_release(me);
	return k;
}

/* The ranges of doc/keys.md: size, exponent, an odd modulus. */
static enum rsakey_err
check_ranges(const struct der *n, const struct der *e)
{
	unsigned bits = mag_bits(n);
	uint64_t ev = 0;
	size_t i;

	if (bits < RSAKEY_BITS_MIN || bits > RSAKEY_BITS_MAX)
		return RSAKEY_BAD_SIZE;
	if (e->n > EMAX)
		return RSAKEY_BAD_EXPONENT;
	for (i = 0; i < e->n; i++)
		ev = ev << 8 | e->p[i];
	if (ev < 3 || ev > E_MAX || (ev & 1) == 0)
		return RSAKEY_BAD_EXPONENT;
	if ((n->p[n->n - 1] & 1) == 0)
		return RSAKEY_MALFORMED;	/* no product of odd primes */
	return RSAKEY_OK;
}

enum rsakey_err
rsakey_read_public(const void *in, size_t len, struct rsakey **out)
{
	const unsigned char *der = in;
	unsigned char *buf = NULL;
	struct der n, e;
	size_t derlen = len;
	enum rsakey_err rc;

	*out = NULL;
	if (in == NULL || len == 0 || len > RSAKEY_INPUT_MAX)
		return RSAKEY_MALFORMED;
	if (der[0] != TAG_SEQUENCE) {
		buf = malloc(len);
		if (buf == NULL)
			return RSAKEY_ERROR;
		rc = pem_read(in, len, buf, &derlen);
		if (rc != RSAKEY_OK)
			goto out;
		der = buf;
	}
	if ((rc = parse_spki(der, derlen, &n, &e)) != RSAKEY_OK ||
	    (rc = check_ranges(&n, &e)) != RSAKEY_OK)
		goto out;
	*out = key_new(&n, &e);
	rc = *out != NULL ? RSAKEY_OK : RSAKEY_ERROR;
out:
	free(buf);
	return rc;
}

void
rsakey_free(struct rsakey *k)
{
	if (k == NULL)
		return;
	gcry_sexp_release(k->sexp);
	free(k);
}

unsigned
rsakey_bits(const struct rsakey *k)
{
	return k->bits;
}

int
rsakey_public_der(const struct rsakey *k, unsigned char **der, size_t *len)
{
	struct der n = { k->n, k->nlen }, e = { k->e, k->elen };
	struct dbuf b = { NULL, 0 };

	put_spki(&b, &n, &e);
	*len = b.n;
	*der = malloc(b.n);
	if (*der == NULL)
		return -1;
	b.p = *der;
	b.n = 0;
	put_spki(&b, &n, &e);
	return 0;
}

int
rsakey_public_pem(const struct rsakey *k, char **pem, size_t *len)
{
	unsigned char *der = NULL;
	size_t derlen, size;

	*pem = NULL;
	if (rsakey_public_der(k, &der, &derlen) != 0)
		return -1;
	size = pem_size(pem_public, derlen);
	*pem = malloc(size + 1);
	if (*pem != NULL) {
		pem_write(pem_public, der, derlen, *pem);
		*len = size;
	}
	free(der);
	return *pem != NULL ? 0 : -1;
}

void
rsakey_thumbprint(const struct rsakey *k, char out[RSAKEY_THUMB_LEN])
{
	/* RFC 7638 3.1: the required members, sorted, no white space. */
	char json[32 + B64_LEN(NMAX) + B64_LEN(EMAX)];
	unsigned char digest[32];
	size_t o = 0;

	memcpy(json, "{\"e\":\"", 6);
	o = 6;
	o += b64_encode(k->e, k->elen, json + o, B64_URL);
	memcpy(json + o, "\",\"kty\":\"RSA\",\"n\":\"", 19);
	o += 19;
	o += b64_encode(k->n, k->nlen, json + o, B64_URL);
	memcpy(json + o, "\"}", 2);
	o += 2;
	gcry_md_hash_buffer(GCRY_MD_SHA256, digest, json, o);
	b64_encode(digest, sizeof(digest), out, B64_URL);
}

int
rsakey_verify_rs256(const struct rsakey *k, const void *msg, size_t len,
    const void *sig, size_t siglen)
{
	unsigned char digest[32];
	gcry_sexp_t data = NULL, sv = NULL;
	gcry_mpi_t s = NULL;
	gcry_error_t err;
	int rc = -1;

	/* RFC 8017 8.2.2 step 1; RSAVP1 (5.2.2) step 1: s below n. */
	if (siglen != k->nlen || memcmp(sig, k->n, siglen) >= 0)
		return 0;
	gcry_md_hash_buffer(GCRY_MD_SHA256, digest, msg, len);
	if (gcry_mpi_scan(&s, GCRYMPI_FMT_USG, sig, siglen, NULL) != 0 ||
	    gcry_sexp_build(&sv, NULL, "(sig-val (rsa (s %m)))", s) != 0 ||
	    gcry_sexp_build(&data, NULL,
	    "(data (flags pkcs1) (hash sha256 %b))", (int)sizeof(digest),
	    digest) != 0)
		goto out;
	/* libgcrypt encodes EMSA-PKCS1-v1_5 and compares: 8.2.2 step 3. */
	err = gcry_pk_verify(sv, data, k->sexp);
	if (err == 0)
		rc = 1;
	else if (gcry_err_code(err) == GPG_ERR_BAD_SIGNATURE)
		rc = 0;
out:
	gcry_sexp_release(data);
	gcry_sexp_release(sv);
	gcry_mpi_release(s);
	return rc;
}

/* --- a new pair ------------------------------------------------------- */

/*
 * The canonical S-expression libgcrypt writes (GCRYSEXP_FMT_CANON):
 * "(", ")", and atoms "<decimal length>:<bytes>".  Read from a copy in
 * secure memory: gcry_sexp_find_token() and gcry_sexp_extract_param()
 * would copy the private key into ordinary memory and free it unwiped.
 */
static int
cs_atom(struct der *c, struct der *a)
{
	size_t len = 0, i = 0;

	while (i < c->n && c->p[i] >= '0' && c->p[i] <= '9' && i < 6)
		len = len * 10 + (size_t)(c->p[i++] - '0');
	if (i == 0 || i >= c->n || c->p[i] != ':' || len > c->n - i - 1)
		return -1;
	a->p = c->p + i + 1;
	a->n = len;
	c->p += i + 1 + len;
	c->n -= i + 1 + len;
	return 0;
}

static int
cs_char(struct der *c, unsigned char ch)
{
	if (c->n == 0 || c->p[0] != ch)
		return -1;
	c->p++;
	c->n--;
	return 0;
}

static int
cs_is(const struct der *a, const char *word)
{
	return a->n == strlen(word) && memcmp(a->p, word, a->n) == 0;
}

/* Skips the rest of a list whose "(" is read. */
static int
cs_skip(struct der *c)
{
	struct der a;
	int depth = 1;

	while (depth > 0) {
		if (c->n == 0)
			return -1;
		if (c->p[0] == '(' || c->p[0] == ')') {
			depth += c->p[0] == '(' ? 1 : -1;
			c->p++;
			c->n--;
		} else if (cs_atom(c, &a) != 0)
			return -1;
	}
	return 0;
}

/*
 * (key-data (public-key ...) (private-key (rsa (n ..) (e ..) (d ..)
 * (p ..) (q ..) (u ..))) ...): n, e, d, p and q into v[0..4].
 */
static int
cs_private(struct der c, struct der v[5])
{
	static const char *const names[5] = { "n", "e", "d", "p", "q" };
	struct der a, name;
	unsigned found = 0;
	size_t i;

	if (cs_char(&c, '(') != 0 || cs_atom(&c, &a) != 0 ||
	    !cs_is(&a, "key-data"))
		return -1;
	while (cs_char(&c, '(') == 0) {
		if (cs_atom(&c, &a) != 0)
			return -1;
		if (!cs_is(&a, "private-key")) {
			if (cs_skip(&c) != 0)
				return -1;
			continue;
		}
		if (cs_char(&c, '(') != 0 || cs_atom(&c, &a) != 0 ||
		    !cs_is(&a, "rsa"))
			return -1;
		while (cs_char(&c, '(') == 0) {
			if (cs_atom(&c, &name) != 0 || cs_atom(&c, &a) != 0 ||
			    cs_char(&c, ')') != 0)
				return -1;
			for (i = 0; i < 5; i++)
				if (cs_is(&name, names[i])) {
					v[i] = a;
					found |= 1u << i;
				}
		}
		return found == 0x1f ? 0 : -1;
	}
	return -1;
}

/* 1 when x mod m is 1; r is scratch. */
static int
mod_is_one(gcry_mpi_t x, gcry_mpi_t m, gcry_mpi_t r)
{
	gcry_mpi_mod(r, x, m);
	return gcry_mpi_cmp_ui(r, 1) == 0;
}

/*
 * The eight integers of RSAPrivateKey from n, e, d, p, q (secure MPIs),
 * checked: prime1 > prime2, prime1 * prime2 = n, d * e = 1 mod each
 * prime less one, and qInv = prime2^-1 mod prime1 (RFC 8017 A.1.2).
 * libgcrypt keeps p < q and u = p^-1 mod q, so its q is PKCS#1's prime1,
 * its p prime2; qInv is computed here, not taken from u.  The magnitudes
 * go into one secure buffer *mag, m[] pointing into it.
 */
static int
pkcs1_values(gcry_mpi_t v[5], unsigned char **mag, size_t *maglen,
    struct der m[8])
{
	gcry_mpi_t p1, p2, x[8] = { NULL }, t = gcry_mpi_snew(0);
	gcry_mpi_t r = gcry_mpi_snew(0), p1m = gcry_mpi_snew(0);
	gcry_mpi_t p2m = gcry_mpi_snew(0);
	size_t total = 0, o = 0, i, w;
	int rc = -1;

	*mag = NULL;
	p1 = gcry_mpi_cmp(v[3], v[4]) > 0 ? v[3] : v[4];
	p2 = p1 == v[3] ? v[4] : v[3];
	x[0] = v[0];
	x[1] = v[1];
	x[2] = v[2];
	x[3] = p1;
	x[4] = p2;
	x[5] = gcry_mpi_snew(0);
	x[6] = gcry_mpi_snew(0);
	x[7] = gcry_mpi_snew(0);
	gcry_mpi_sub_ui(p1m, p1, 1);
	gcry_mpi_sub_ui(p2m, p2, 1);
	gcry_mpi_mul(t, p1, p2);
	if (gcry_mpi_cmp(p1, p2) == 0 || gcry_mpi_cmp(t, v[0]) != 0)
		goto out;
	gcry_mpi_mul(t, v[2], v[1]);
	if (!mod_is_one(t, p1m, r) || !mod_is_one(t, p2m, r))
		goto out;
	gcry_mpi_mod(x[5], v[2], p1m);
	gcry_mpi_mod(x[6], v[2], p2m);
	if (gcry_mpi_invm(x[7], p2, p1) == 0)
		goto out;
	gcry_mpi_mul(t, x[7], p2);
	if (!mod_is_one(t, p1, r))
		goto out;
	for (i = 0; i < 8; i++)
		total += (gcry_mpi_get_nbits(x[i]) + 7) / 8;
	*mag = gcry_malloc_secure(total > 0 ? total : 1);
	if (*mag == NULL)
		goto out;
	*maglen = total;
	for (i = 0; i < 8; i++) {
		if (gcry_mpi_print(GCRYMPI_FMT_USG, *mag + o, total - o, &w,
		    x[i]) != 0)
			goto out;
		m[i].p = *mag + o;
		m[i].n = w;
		o += w;
	}
	rc = 0;
out:
	if (rc != 0 && *mag != NULL) {
		secret_wipe(*mag, total);
		gcry_free(*mag);
		*mag = NULL;
	}
	for (i = 5; i < 8; i++)
		gcry_mpi_release(x[i]);
	gcry_mpi_release(t);
	gcry_mpi_release(r);
	gcry_mpi_release(p1m);
	gcry_mpi_release(p2m);
	return rc;
}

int
rsakey_generate(struct rsakey **pub, char **priv, size_t *priv_len)
{
	gcry_sexp_t parms = NULL, key = NULL;
	gcry_mpi_t v[5] = { NULL };
	struct der val[5], m[8], c;
	struct dbuf b = { NULL, 0 };
	unsigned char *canon = NULL, *mag = NULL, *der = NULL;
	size_t canonlen = 0, maglen = 0, derlen = 0, size = 0, i;
	char *pem = NULL;
	int rc = -1;

	*pub = NULL;
	*priv = NULL;
	if (gcry_sexp_build(&parms, NULL,
	    "(genkey (rsa (nbits 4:2048) (rsa-use-e 5:65537)))") != 0 ||
	    gcry_pk_genkey(&key, parms) != 0)
		goto out;
	/*
	 * The primes come from GCRY_VERY_STRONG_RANDOM, for which libgcrypt
	 * starts its jitter entropy collector and keeps it, 128 KiB held by
	 * a pointer in secure memory, which LeakSanitizer cannot see into.
	 * Closing the random device frees it; libgcrypt opens again what it
	 * needs on its next use (GCRYCTL_CLOSE_RANDOM_DEVICE).
	 */
	gcry_control(GCRYCTL_CLOSE_RANDOM_DEVICE, 0);
	canonlen = gcry_sexp_sprint(key, GCRYSEXP_FMT_CANON, NULL, 0);
	canon = gcry_malloc_secure(canonlen > 0 ? canonlen : 1);
	if (canon == NULL)
		goto out;
	c.p = canon;
	c.n = gcry_sexp_sprint(key, GCRYSEXP_FMT_CANON, canon, canonlen);
	if (cs_private(c, val) != 0)
		goto out;
	/* Scanned from secure memory, the MPIs are secure ones. */
	for (i = 0; i < 5; i++)
		if (gcry_mpi_scan(&v[i], GCRYMPI_FMT_USG, val[i].p, val[i].n,
		    NULL) != 0)
			goto out;
	if (gcry_mpi_get_nbits(v[0]) != RSAKEY_GEN_BITS ||
	    pkcs1_values(v, &mag, &maglen, m) != 0)
		goto out;
	put_pkcs1(&b, m);
	derlen = b.n;
	der = gcry_malloc_secure(derlen);
	if (der == NULL)
		goto out;
	b.p = der;
	b.n = 0;
	put_pkcs1(&b, m);
	size = pem_size(pem_private, derlen);
	pem = gcry_malloc_secure(size + 1);
	if (pem == NULL)
		goto out;
	pem_write(pem_private, der, derlen, pem);
	*pub = key_new(&m[0], &m[1]);
	if (*pub == NULL)
		goto out;
	*priv = pem;
	*priv_len = size;
	pem = NULL;
	rc = 0;
out:
	rsakey_private_free(pem, size + 1);
	if (der != NULL) {
		secret_wipe(der, derlen);
		gcry_free(der);
	}
	if (mag != NULL) {
		secret_wipe(mag, maglen);
		gcry_free(mag);
	}
	if (canon != NULL) {
		secret_wipe(canon, canonlen);
		gcry_free(canon);
	}
	for (i = 0; i < 5; i++)
		gcry_mpi_release(v[i]);	/* libgcrypt wipes an MPI it frees */
	gcry_sexp_release(key);		/* secure: wiped as it is freed */
	gcry_sexp_release(parms);
	return rc;
}

void
rsakey_private_free(char *priv, size_t len)
{
	if (priv == NULL)
		return;
	secret_wipe(priv, len);
	gcry_free(priv);
}

static const struct reason reasons[] = {
	[RSAKEY_OK] = { "ok", "ok" },
	[RSAKEY_MALFORMED] = { "malformed", "not an RSA public key in PEM "
		"(PUBLIC KEY) or DER (SubjectPublicKeyInfo)" },
	[RSAKEY_PRIVATE] = { "private", "a private key: give its public key" },
	[RSAKEY_NOT_RSA] = { "not_rsa", "not an RSA key" },
	[RSAKEY_BAD_SIZE] = { "bad_size",
		"RSA key size not between 2048 and 8192 bits" },
	[RSAKEY_BAD_EXPONENT] = { "bad_exponent", "RSA public exponent not "
		"odd, at least 3 and at most 2^32+1" },
	[RSAKEY_ERROR] = { "error", "internal error" },
};

const struct reason *
rsakey_why(enum rsakey_err e)
{
	return UTIL_REASON(reasons, e, RSAKEY_ERROR);
}
