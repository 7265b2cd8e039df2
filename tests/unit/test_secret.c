/*
 * test_secret.c - random secrets, their hashes and verification
 * (src/secret.c).
 *
 * Includes secret.c itself, as libssh's torture tests do, to reach the PHC
 * parser and the base64 codec.  Covers: secret_generate's alphabet,
 * lengths and bounds, and a chi-square test of its uniformity; argon2i
 * and argon2id against RFC 9106's test vectors (5.2, 5.3); argon2id PHC
 * strings written by secret_hash, parsed back, and verified; PHC strings
 * written by the reference implementation (argon2-cffi, i.e. libargon2);
 * malformed PHC strings; bcrypt $2a$, $2b$, $2y$ hashes written by PHP and
 * OpenBSD's classic vector; bcrypt hashes written by secret_hash; SHA-256
 * (FIPS 180-2 B.1).  The group setup initialises libgcrypt once, as main()
 * does.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <regex.h>

#include "secret.c"

static int
setup(void **state)
{
	(void)state;
	return secret_init();
}

static int
matches(const char *s, const char *pattern)
{
	regex_t re;
	int rc;

	assert_int_equal(regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB), 0);
	rc = regexec(&re, s, 0, NULL, 0) == 0;
	regfree(&re);
	return rc;
}

/* --- secret_generate --------------------------------------------------- */

static void
check_alphabet(const char *s, size_t len)
{
	size_t i;

	assert_int_equal(strlen(s), len);
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9')))
			fail_msg("byte %zu is 0x%02x", i, (unsigned char)c);
	}
}

static void
test_generate_lengths_and_alphabet(void **state)
{
	static const size_t lengths[] = { 1, 16, 63, 64, 65, 72, 96, 97, 127,
		SECRET_MAX };
	char buf[SECRET_MAX + 2];
	size_t i;
	int round;

	(void)state;
	for (i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++)
		for (round = 0; round < 20; round++) {
			memset(buf, '#', sizeof(buf));
			assert_int_equal(secret_generate(buf, lengths[i]), 0);
			check_alphabet(buf, lengths[i]);
			/* len characters and a NUL, nothing past them. */
			assert_int_equal(buf[lengths[i]], '\0');
			if (lengths[i] + 1 < sizeof(buf))
				assert_int_equal(buf[lengths[i] + 1], '#');
		}
}

static void
test_generate_bounds(void **state)
{
	char buf[SECRET_MAX + 2];

	(void)state;
	memset(buf, '#', sizeof(buf));
	assert_int_equal(secret_generate(buf, 0), -1);
	assert_int_equal(secret_generate(buf, SECRET_MAX + 1), -1);
	assert_int_equal(secret_generate(buf, (size_t)-1), -1);
	assert_int_equal(secret_generate(NULL, 16), -1);
	assert_int_equal(buf[0], '#');		/* untouched on refusal */
	assert_int_equal(buf[SECRET_MAX], '#');
}

static void
test_generate_differs(void **state)
{
	char a[65], b[65];

	(void)state;
	assert_int_equal(secret_generate(a, 64), 0);
	assert_int_equal(secret_generate(b, 64), 0);
	/* 62^-64 ~ 2^-381: equal means the generator is broken. */
	assert_string_not_equal(a, b);
}

/*
 * Chi-square goodness of fit over 62 symbols (df = 61).
 *
 * 124,000 characters, 2,000 expected per symbol.  The bound 130 is the
 * point where the chi-square distribution with 61 degrees of freedom has
 * an upper tail of 6.6e-7 (regularised upper incomplete gamma Q(30.5, 65);
 * for reference 120 -> 9.9e-6, 140 -> 3.8e-8), so a correct generator
 * fails this test less than once in a million runs.  A biased one fails
 * every time: taking a random byte modulo 62 gives 8 symbols weight 5/256
 * and 54 weight 4/256, chi2 ~ 820 at this sample size; folding the 6-bit
 * values 62 and 63 onto two symbols doubles their weight, chi2 ~ 3,600.
 */
#define CHI_SYMBOLS 62
#define CHI_PER_SYMBOL 2000
#define CHI_CHUNK 124
#define CHI_BOUND 130.0

static void
test_generate_uniform_chi_square(void **state)
{
	static const char alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	unsigned long count[CHI_SYMBOLS] = { 0 };
	const unsigned long total = CHI_SYMBOLS * CHI_PER_SYMBOL;
	const double expected = CHI_PER_SYMBOL;
	char buf[CHI_CHUNK + 1];
	unsigned long n;
	double chi2 = 0;
	size_t i;

	(void)state;
	for (n = 0; n < total; n += CHI_CHUNK) {
		assert_int_equal(secret_generate(buf, CHI_CHUNK), 0);
		for (i = 0; i < CHI_CHUNK; i++) {
			const char *p = strchr(alphabet, buf[i]);

			assert_non_null(p);
			count[p - alphabet]++;
		}
	}
	assert_int_equal(n, total);
	for (i = 0; i < CHI_SYMBOLS; i++) {
		double d = (double)count[i] - expected;

		chi2 += d * d / expected;
	}
	if (!(chi2 < CHI_BOUND))
		fail_msg("chi-square %.1f over %lu characters (bound %.0f)",
		    chi2, total, CHI_BOUND);
}

/* --- argon2: RFC 9106 test vectors ------------------------------------- */

static void
rfc9106_inputs(unsigned char pwd[32], unsigned char salt[16],
    unsigned char key[8], unsigned char ad[12])
{
	memset(pwd, 0x01, 32);
	memset(salt, 0x02, 16);
	memset(key, 0x03, 8);
	memset(ad, 0x04, 12);
}

/* RFC 9106 5.3: Argon2id, t=3, m=32 KiB, p=4, 32-byte tag. */
static void
test_argon2id_rfc9106(void **state)
{
	static const unsigned char want[32] = {
		0x0d, 0x64, 0x0d, 0xf5, 0x8d, 0x78, 0x76, 0x6c,
		0x08, 0xc0, 0x37, 0xa3, 0x4a, 0x8b, 0x53, 0xc9,
		0xd0, 0x1e, 0xf0, 0x45, 0x2d, 0x75, 0xb6, 0x5e,
		0xb5, 0x25, 0x20, 0xe9, 0x6b, 0x01, 0xe6, 0x59,
	};
	unsigned char pwd[32], salt[16], key[8], ad[12], tag[32];

	(void)state;
	rfc9106_inputs(pwd, salt, key, ad);
	memset(tag, 0, sizeof(tag));
	assert_int_equal(secret_argon2_raw(2, 3, 32, 4, pwd, sizeof(pwd),
	    salt, sizeof(salt), key, sizeof(key), ad, sizeof(ad),
	    tag, sizeof(tag)), 0);
	assert_memory_equal(tag, want, sizeof(want));
}

/* RFC 9106 5.2: Argon2i, same inputs. */
static void
test_argon2i_rfc9106(void **state)
{
	static const unsigned char want[32] = {
		0xc8, 0x14, 0xd9, 0xd1, 0xdc, 0x7f, 0x37, 0xaa,
		0x13, 0xf0, 0xd7, 0x7f, 0x24, 0x94, 0xbd, 0xa1,
		0xc8, 0xde, 0x6b, 0x01, 0x6d, 0xd3, 0x88, 0xd2,
		0x99, 0x52, 0xa4, 0xc4, 0x67, 0x2b, 0x6c, 0xe8,
	};
	unsigned char pwd[32], salt[16], key[8], ad[12], tag[32];

	(void)state;
	rfc9106_inputs(pwd, salt, key, ad);
	memset(tag, 0, sizeof(tag));
	assert_int_equal(secret_argon2_raw(1, 3, 32, 4, pwd, sizeof(pwd),
	    salt, sizeof(salt), key, sizeof(key), ad, sizeof(ad),
	    tag, sizeof(tag)), 0);
	assert_memory_equal(tag, want, sizeof(want));
}

/* --- argon2id PHC strings ---------------------------------------------- */

#define PHC_M64_T1_P1 \
	"^\\$argon2id\\$v=19\\$m=64,t=1,p=1\\$" \
	"[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}$"

static void
test_phc_round_trip(void **state)
{
	const struct hash_params hp = { HASH_ARGON2ID, 64, 1, 1, 0 };
	const char *secret = "correct horse battery staple";
	char enc[HASH_MAX], enc2[HASH_MAX];
	struct phc ph;

	(void)state;
	assert_int_equal(secret_hash(&hp, secret, strlen(secret), enc,
	    sizeof(enc)), 0);
	if (!matches(enc, PHC_M64_T1_P1))
		fail_msg("not a PHC string: %s", enc);
	/* The parser reads back what the encoder wrote. */
	memset(&ph, 0, sizeof(ph));
	assert_int_equal(phc_parse(enc, &ph), 0);
	assert_int_equal(ph.type, 2);
	assert_int_equal(ph.m, 64);
	assert_int_equal(ph.t, 1);
	assert_int_equal(ph.p, 1);
	assert_int_equal(ph.saltlen, 16);
	assert_int_equal(ph.taglen, 32);

	assert_int_equal(secret_verify(secret, strlen(secret), enc), 1);
	assert_int_equal(secret_verify("correct horse battery stapler", 29,
	    enc), 0);
	assert_int_equal(secret_verify(secret, strlen(secret) - 1, enc), 0);
	/* libgcrypt refuses an empty password (-1); never a match, anyway. */
	assert_int_not_equal(secret_verify("", 0, enc), 1);

	/* A fresh salt each time. */
	assert_int_equal(secret_hash(&hp, secret, strlen(secret), enc2,
	    sizeof(enc2)), 0);
	assert_string_not_equal(enc, enc2);
	assert_int_equal(secret_verify(secret, strlen(secret), enc2), 1);
}

static void
test_phc_default_params_shape(void **state)
{
	const struct hash_params hp = { HASH_ARGON2ID, 19456, 2, 1, 0 };
	char secret[65], enc[HASH_MAX];

	(void)state;
	assert_int_equal(secret_generate(secret, 64), 0);
	assert_int_equal(secret_hash(&hp, secret, 64, enc, sizeof(enc)), 0);
	if (!matches(enc, "^\\$argon2id\\$v=19\\$m=19456,t=2,p=1\\$"
	    "[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}$"))
		fail_msg("not a PHC string: %s", enc);
	assert_int_equal(secret_verify(secret, 64, enc), 1);
	secret[0] = secret[0] == 'A' ? 'B' : 'A';
	assert_int_equal(secret_verify(secret, 64, enc), 0);
}

static void
test_hash_output_bounds(void **state)
{
	const struct hash_params hp = { HASH_ARGON2ID, 64, 1, 1, 0 };
	const struct hash_params bad = { 7, 64, 1, 1, 4 };
	char enc[HASH_MAX];

	(void)state;
	/* "$argon2id$v=19$m=64,t=1,p=1$" 28 + 22 + 1 + 43 = 94 bytes. */
	assert_int_equal(secret_hash(&hp, "x", 1, enc, 94), -1);
	assert_int_equal(secret_hash(&hp, "x", 1, enc, 95), 0);
	assert_int_equal(strlen(enc), 94);
	assert_int_equal(secret_hash(&bad, "x", 1, enc, sizeof(enc)), -1);
}

/*
 * Written by the reference implementation: argon2-cffi 21.1.0 (libargon2),
 *   argon2.low_level.hash_secret(b"correct horse battery staple",
 *       b"saltsaltsaltsalt", time_cost=2, memory_cost=64, parallelism=1,
 *       hash_len=32, type=Type.ID)
 * and the same with Type.I; with salt b"0123456789abcdef" and
 * memory_cost=19456 (the default parameters); with time_cost=1,
 * memory_cost=32, parallelism=2, hash_len=16; and a 64-character secret
 * with salt bytes(range(16)), time_cost=1, memory_cost=64.
 */
static const struct {
	const char *secret;
	const char *phc;
} reference_phc[] = {
	{ "correct horse battery staple",
	  "$argon2id$v=19$m=64,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$"
	  "08SGGcDJOWTOHrI9opI1oxYYPVyI3Xbz6vQjWzSpV7w" },
	{ "correct horse battery staple",
	  "$argon2i$v=19$m=64,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$"
	  "srLNsQDd94mkFUV7I1nVxTmZBq5k1EiH1MJKIJ+j0A4" },
	{ "correct horse battery staple",
	  "$argon2id$v=19$m=19456,t=2,p=1$MDEyMzQ1Njc4OWFiY2RlZg$"
	  "gy5SuVm5Z7Vw7keB9se9p87QGcomaseB/S2U1OhTsM0" },
	{ "correct horse battery staple",
	  "$argon2id$v=19$m=32,t=1,p=2$c2FsdHNhbHRzYWx0c2FsdA$"
	  "/WqRGYAU1RocINa/jY8eUQ" },
	{ "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789AB",
	  "$argon2id$v=19$m=64,t=1,p=1$AAECAwQFBgcICQoLDA0ODw$"
	  "efZvOwsZHeamOJQnxXfS3OjFRpacieXKhXKTXkArbe0" },
};

static void
test_verify_reference_argon2(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(reference_phc) / sizeof(reference_phc[0]); i++) {
		const char *s = reference_phc[i].secret;
		int rc = secret_verify(s, strlen(s), reference_phc[i].phc);

		if (rc != 1)
			fail_msg("%s: %d", reference_phc[i].phc, rc);
		rc = secret_verify("correct horse battery stapl", 27,
		    reference_phc[i].phc);
		if (rc != 0)
			fail_msg("wrong secret, %s: %d", reference_phc[i].phc,
			    rc);
	}
}

static void
test_phc_malformed(void **state)
{
	static const char *const bad[] = {
		/* missing v= */
		"$argon2id$m=64,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$"
		    "08SGGcDJOWTOHrI9opI1oxYYPVyI3Xbz6vQjWzSpV7w",
		/* v=16 (Argon2 1.0), v=20, v=019 */
		"$argon2id$v=16$m=64,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$"
		    "08SGGcDJOWTOHrI9opI1oxYYPVyI3Xbz6vQjWzSpV7w",
		"$argon2id$v=20$m=64,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$"
		    "08SGGcDJOWTOHrI9opI1oxYYPVyI3Xbz6vQjWzSpV7w",
		"$argon2id$v=019$m=64,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$"
		    "08SGGcDJOWTOHrI9opI1oxYYPVyI3Xbz6vQjWzSpV7w",
		/* bad base64: a digit outside the alphabet, padding */
		"$argon2id$v=19$m=64,t=2,p=1$c2FsdHNh!HRzYWx0c2FsdA$"
		    "08SGGcDJOWTOHrI9opI1oxYYPVyI3Xbz6vQjWzSpV7w",
		"$argon2id$v=19$m=64,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$"
		    "08SGGcDJOWTOHrI9opI1oxYYPVyI3Xbz6vQjWzSp*7w",
		"$argon2id$v=19$m=64,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA==$"
		    "08SGGcDJOWTOHrI9opI1oxYYPVyI3Xbz6vQjWzSpV7w",
		"$argon2id$v=19$m=64,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$"
		    "08SGGcDJOWTOHrI9opI1oxYYPVyI3Xbz6vQjWzSpV7w=",
		/* non-canonical: the last digit carries bits past the tag */
		"$argon2id$v=19$m=64,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$"
		    "08SGGcDJOWTOHrI9opI1oxYYPVyI3Xbz6vQjWzSpV7x",
		/* a base64 length no byte count has (4k + 1) */
		"$argon2id$v=19$m=64,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$"
		    "08SGGcDJOWTOHrI9opI1oxYYPVyI3Xbz6vQjWzSpV7wAA",
		"$argon2id$v=19$m=64,t=2,p=1$c2FsdHNhbHRzYWx0c2Fsd$"
		    "08SGGcDJOWTOHrI9opI1oxYYPVyI3Xbz6vQjWzSpV7w",
		/* m too small: below 8, below 8p */
		"$argon2id$v=19$m=7,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$"
		    "08SGGcDJOWTOHrI9opI1oxYYPVyI3Xbz6vQjWzSpV7w",
		"$argon2id$v=19$m=15,t=2,p=2$c2FsdHNhbHRzYWx0c2FsdA$"
		    "08SGGcDJOWTOHrI9opI1oxYYPVyI3Xbz6vQjWzSpV7w",
		"$argon2id$v=19$m=0,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$"
		    "08SGGcDJOWTOHrI9opI1oxYYPVyI3Xbz6vQjWzSpV7w",
		/* t=0, p=0, over the caps, leading zero, signs, order */
		"$argon2id$v=19$m=64,t=0,p=1$c2FsdHNhbHRzYWx0c2FsdA$"
		    "08SGGcDJOWTOHrI9opI1oxYYPVyI3Xbz6vQjWzSpV7w",
		"$argon2id$v=19$m=64,t=2,p=0$c2FsdHNhbHRzYWx0c2FsdA$"
		    "08SGGcDJOWTOHrI9opI1oxYYPVyI3Xbz6vQjWzSpV7w",
		"$argon2id$v=19$m=4194304,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$"
		    "08SGGcDJOWTOHrI9opI1oxYYPVyI3Xbz6vQjWzSpV7w",
		"$argon2id$v=19$m=64,t=1001,p=1$c2FsdHNhbHRzYWx0c2FsdA$"
		    "08SGGcDJOWTOHrI9opI1oxYYPVyI3Xbz6vQjWzSpV7w",
		"$argon2id$v=19$m=64,t=2,p=65$c2FsdHNhbHRzYWx0c2FsdA$"
		    "08SGGcDJOWTOHrI9opI1oxYYPVyI3Xbz6vQjWzSpV7w",
		"$argon2id$v=19$m=064,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$"
		    "08SGGcDJOWTOHrI9opI1oxYYPVyI3Xbz6vQjWzSpV7w",
		"$argon2id$v=19$m=+64,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$"
		    "08SGGcDJOWTOHrI9opI1oxYYPVyI3Xbz6vQjWzSpV7w",
		"$argon2id$v=19$m=99999999999999999999,t=2,p=1$"
		    "c2FsdHNhbHRzYWx0c2FsdA$"
		    "08SGGcDJOWTOHrI9opI1oxYYPVyI3Xbz6vQjWzSpV7w",
		"$argon2id$v=19$t=2,m=64,p=1$c2FsdHNhbHRzYWx0c2FsdA$"
		    "08SGGcDJOWTOHrI9opI1oxYYPVyI3Xbz6vQjWzSpV7w",
		"$argon2id$v=19$m=64,t=2$c2FsdHNhbHRzYWx0c2FsdA$"
		    "08SGGcDJOWTOHrI9opI1oxYYPVyI3Xbz6vQjWzSpV7w",
		"$argon2id$v=19$m=64,t=2,p=1,k=1$c2FsdHNhbHRzYWx0c2FsdA$"
		    "08SGGcDJOWTOHrI9opI1oxYYPVyI3Xbz6vQjWzSpV7w",
		"$argon2id$v=19$m=64;t=2;p=1$c2FsdHNhbHRzYWx0c2FsdA$"
		    "08SGGcDJOWTOHrI9opI1oxYYPVyI3Xbz6vQjWzSpV7w",
		/* trailing garbage */
		"$argon2id$v=19$m=64,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$"
		    "08SGGcDJOWTOHrI9opI1oxYYPVyI3Xbz6vQjWzSpV7w$",
		"$argon2id$v=19$m=64,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$"
		    "08SGGcDJOWTOHrI9opI1oxYYPVyI3Xbz6vQjWzSpV7w$x",
		"$argon2id$v=19$m=64,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$"
		    "08SGGcDJOWTOHrI9opI1oxYYPVyI3Xbz6vQjWzSpV7w ",
		"$argon2id$v=19$m=64,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$"
		    "08SGGcDJOWTOHrI9opI1oxYYPVyI3Xbz6vQjWzSpV7w\n",
		/* empty tag, empty salt, salt under 8 bytes, tag under 4 */
		"$argon2id$v=19$m=64,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$",
		"$argon2id$v=19$m=64,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA",
		"$argon2id$v=19$m=64,t=2,p=1$$"
		    "08SGGcDJOWTOHrI9opI1oxYYPVyI3Xbz6vQjWzSpV7w",
		"$argon2id$v=19$m=64,t=2,p=1$c2FsdHNh$"
		    "08SGGcDJOWTOHrI9opI1oxYYPVyI3Xbz6vQjWzSpV7w",
		"$argon2id$v=19$m=64,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$08SG",
		/* tag over 64 bytes */
		"$argon2id$v=19$m=64,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$"
		    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
		    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		/* unsupported or unknown schemes */
		"$argon2d$v=19$m=64,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$"
		    "08SGGcDJOWTOHrI9opI1oxYYPVyI3Xbz6vQjWzSpV7w",
		"$argon2$v=19$m=64,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$"
		    "08SGGcDJOWTOHrI9opI1oxYYPVyI3Xbz6vQjWzSpV7w",
		"$argon2ID$v=19$m=64,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$"
		    "08SGGcDJOWTOHrI9opI1oxYYPVyI3Xbz6vQjWzSpV7w",
		"argon2id$v=19$m=64,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$"
		    "08SGGcDJOWTOHrI9opI1oxYYPVyI3Xbz6vQjWzSpV7w",
		"$1$saltsalt$qjXMvbEw8oaL.CzflDugX/",
		"$5$saltsalt$qjXMvbEw8oaL.CzflDugX/",
		"$2x$04$HqSk65Q.SkGVRe1qzCOsbeI9ZxEj2oyQaBGm.b7q24PODaXrX/7iW",
		"plain text",
		"",
	};
	const char *s = "correct horse battery staple";
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = secret_verify(s, strlen(s), bad[i]);

		if (rc != -1)
			fail_msg("%d for malformed \"%s\"", rc, bad[i]);
	}
	assert_int_equal(secret_verify(s, strlen(s), NULL), -1);
}

static void
test_base64_codec(void **state)
{
	/* RFC 4648 10, without padding. */
	static const struct {
		const char *raw;
		const char *b64;
	} v[] = {
		{ "", "" }, { "f", "Zg" }, { "fo", "Zm8" }, { "foo", "Zm9v" },
		{ "foob", "Zm9vYg" }, { "fooba", "Zm9vYmE" },
		{ "foobar", "Zm9vYmFy" },
	};
	unsigned char bin[16];
	char out[32];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		size_t n = strlen(v[i].raw);

		assert_int_equal(b64_encode((const unsigned char *)v[i].raw, n,
		    out, B64_UNPADDED), strlen(v[i].b64));
		assert_string_equal(out, v[i].b64);
		assert_int_equal(b64_decode(v[i].b64, strlen(v[i].b64), bin,
		    sizeof(bin), B64_UNPADDED), (long)n);
		assert_memory_equal(bin, v[i].raw, n);
	}
	/* spare bits, short groups, over max, URL-safe letters */
	assert_int_equal(b64_decode("Zh", 2, bin, 16, B64_UNPADDED), -1);
	assert_int_equal(b64_decode("Zm9", 3, bin, 16, B64_UNPADDED), -1);
	assert_int_equal(b64_decode("Z", 1, bin, 16, B64_UNPADDED), -1);
	assert_int_equal(b64_decode("Zm9v", 4, bin, 2, B64_UNPADDED), -1);
	assert_int_equal(b64_decode("Zm-v", 4, bin, 16, B64_UNPADDED), -1);
	assert_int_equal(b64_decode("Zm_v", 4, bin, 16, B64_UNPADDED), -1);
}

/* --- bcrypt ------------------------------------------------------------ */

/*
 * PHP 8 password_hash("correct horse battery staple", PASSWORD_BCRYPT,
 * ["cost" => 4]) gave the $2y$ hash; $2a$ and $2b$ compute the same hash
 * for an ASCII password (PHP's password_verify accepts all three, as
 * OpenBSD's bcrypt does), so only the prefix differs.
 */
static const struct {
	const char *secret;
	const char *hash;
} reference_bcrypt[] = {
	{ "correct horse battery staple",
	  "$2y$04$HqSk65Q.SkGVRe1qzCOsbeI9ZxEj2oyQaBGm.b7q24PODaXrX/7iW" },
	{ "correct horse battery staple",
	  "$2b$04$HqSk65Q.SkGVRe1qzCOsbeI9ZxEj2oyQaBGm.b7q24PODaXrX/7iW" },
	{ "correct horse battery staple",
	  "$2a$04$HqSk65Q.SkGVRe1qzCOsbeI9ZxEj2oyQaBGm.b7q24PODaXrX/7iW" },
	{ "Tr0ub4dor&3",
	  "$2y$04$r6mgXzHg887RuMbWYNDBiup6NLNtYpRQdr95JoFVU0Y4aOEbrjcJ6" },
	{ "hunter2",
	  "$2y$05$25WOhxGakj99XP1BBvF5zuidlIKZIZoxBTTjPktVC1P5ZG.Wb0XYu" },
	/* OpenBSD's classic vector (Openwall crypt_blowfish's test set). */
	{ "U*U",
	    "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW" },
};

static void
test_verify_reference_bcrypt(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(reference_bcrypt) / sizeof(reference_bcrypt[0]);
	    i++) {
		const char *s = reference_bcrypt[i].secret;
		int rc = secret_verify(s, strlen(s), reference_bcrypt[i].hash);

		if (rc != 1)
			fail_msg("%s: %d", reference_bcrypt[i].hash, rc);
		rc = secret_verify("U*V", 3, reference_bcrypt[i].hash);
		if (rc != 0)
			fail_msg("wrong secret, %s: %d",
			    reference_bcrypt[i].hash, rc);
	}
	/* A secret that is a prefix of the right one. */
	assert_int_equal(secret_verify("U*", 2, reference_bcrypt[5].hash), 0);
}

static void
test_bcrypt_malformed(void **state)
{
	static const char *const bad[] = {
		/* one character short, one too many */
		"$2b$04$HqSk65Q.SkGVRe1qzCOsbeI9ZxEj2oyQaBGm.b7q24PODaXrX/7i",
		"$2b$04$HqSk65Q.SkGVRe1qzCOsbeI9ZxEj2oyQaBGm.b7q24PODaXrX/7iWW",
		/* cost out of range */
		"$2b$03$HqSk65Q.SkGVRe1qzCOsbeI9ZxEj2oyQaBGm.b7q24PODaXrX/7iW",
		"$2b$32$HqSk65Q.SkGVRe1qzCOsbeI9ZxEj2oyQaBGm.b7q24PODaXrX/7iW",
		"$2b$4$HqSk65Q.SkGVRe1qzCOsbeI9ZxEj2oyQaBGm.b7q24PODaXrX/7iWx",
		/* characters outside bcrypt's base64 */
		"$2b$04$HqSk65Q!SkGVRe1qzCOsbeI9ZxEj2oyQaBGm.b7q24PODaXrX/7iW",
	};
	const char *s = "correct horse battery staple";
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = secret_verify(s, strlen(s), bad[i]);

		if (rc != -1)
			fail_msg("%d for malformed \"%s\"", rc, bad[i]);
	}
	/* bcrypt stops at a NUL: a secret holding one cannot be checked. */
	assert_int_equal(secret_verify("U*U\0x", 5, reference_bcrypt[5].hash),
	    -1);
}

static void
test_bcrypt_hash(void **state)
{
	const struct hash_params hp = { HASH_BCRYPT, 0, 0, 0, 4 };
	char secret[65], enc[HASH_MAX], enc2[HASH_MAX];

	(void)state;
	assert_int_equal(secret_generate(secret, 64), 0);
	assert_int_equal(secret_hash(&hp, secret, 64, enc, sizeof(enc)), 0);
	if (!matches(enc, "^\\$2b\\$04\\$[./A-Za-z0-9]{53}$"))
		fail_msg("not a bcrypt hash: %s", enc);
	assert_int_equal(secret_verify(secret, 64, enc), 1);
	secret[10] = secret[10] == 'A' ? 'B' : 'A';
	assert_int_equal(secret_verify(secret, 64, enc), 0);
	/* A fresh salt each time. */
	assert_int_equal(secret_hash(&hp, secret, 64, enc2, sizeof(enc2)), 0);
	assert_int_equal(memcmp(enc, enc2, 29) != 0, 1);
}

/*
 * secret_hash and secret_verify take (secret, len): bcrypt must hash those
 * len bytes, not whatever runs up to a NUL past them (the argon2 path does).
 */
static void
test_bcrypt_uses_length(void **state)
{
	const struct hash_params hp = { HASH_BCRYPT, 0, 0, 0, 4 };
	const char *s = "abcdef";
	char enc[HASH_MAX];

	(void)state;
	/* The reference hash of "U*U", checked with the first 3 bytes. */
	assert_int_equal(secret_verify("U*Uextra", 3, reference_bcrypt[5].hash),
	    1);
	assert_int_equal(secret_verify("correct horse battery staple", 27,
	    reference_bcrypt[0].hash), 0);
	/* Hash 3 bytes of a longer string: "abc" is what was hashed. */
	assert_int_equal(secret_hash(&hp, s, 3, enc, sizeof(enc)), 0);
	assert_int_equal(secret_verify("abc", 3, enc), 1);
	assert_int_equal(secret_verify(s, 6, enc), 0);
}

static void
test_bcrypt_hash_limits(void **state)
{
	const struct hash_params hp = { HASH_BCRYPT, 0, 0, 0, 4 };
	const struct hash_params hp5 = { HASH_BCRYPT, 0, 0, 0, 5 };
	char s73[74], enc[HASH_MAX];

	(void)state;
	memset(s73, 'k', 73);
	s73[73] = '\0';
	/* 72 bytes is bcrypt's limit: more would be cut silently. */
	assert_int_equal(secret_hash(&hp, s73, 72, enc, sizeof(enc)), 0);
	assert_int_equal(secret_verify(s73, 72, enc), 1);
	assert_int_equal(secret_hash(&hp, s73, 73, enc, sizeof(enc)), -1);
	/* bcrypt would stop at the NUL. */
	assert_int_equal(secret_hash(&hp, "ab\0cd", 5, enc, sizeof(enc)), -1);
	/* The output buffer must hold 60 bytes and a NUL. */
	assert_int_equal(secret_hash(&hp, "abc", 3, enc, 60), -1);
	assert_int_equal(secret_hash(&hp5, "abc", 3, enc, 61), 0);
	assert_int_equal(strncmp(enc, "$2b$05$", 7), 0);
	assert_int_equal(secret_verify("abc", 3, enc), 1);
}

/* --- SHA-256, wipe, nonce ---------------------------------------------- */

static void
test_sha256_hex(void **state)
{
	char out[SHA256_HEX];

	(void)state;
	/* FIPS 180-2 appendix B.1 and the empty message. */
	secret_sha256_hex("abc", 3, out);
	assert_string_equal(out,
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	secret_sha256_hex("", 0, out);
	assert_string_equal(out,
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	secret_sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklm"
	    "klmnlmnomnopnopq", 56, out);
	assert_string_equal(out,
	    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void
test_wipe_and_nonce(void **state)
{
	unsigned char buf[32], a[8], b[8], zero[32] = { 0 };

	(void)state;
	memset(buf, 0xa5, sizeof(buf));
	secret_wipe(buf, sizeof(buf));
	assert_memory_equal(buf, zero, sizeof(buf));
	secret_wipe(NULL, 10);	/* harmless */
	secret_nonce(a, sizeof(a));
	secret_nonce(b, sizeof(b));
	assert_memory_not_equal(a, b, sizeof(a));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_generate_lengths_and_alphabet),
		cmocka_unit_test(test_generate_bounds),
		cmocka_unit_test(test_generate_differs),
		cmocka_unit_test(test_generate_uniform_chi_square),
		cmocka_unit_test(test_argon2id_rfc9106),
		cmocka_unit_test(test_argon2i_rfc9106),
		cmocka_unit_test(test_phc_round_trip),
		cmocka_unit_test(test_phc_default_params_shape),
		cmocka_unit_test(test_hash_output_bounds),
		cmocka_unit_test(test_verify_reference_argon2),
		cmocka_unit_test(test_phc_malformed),
		cmocka_unit_test(test_base64_codec),
		cmocka_unit_test(test_verify_reference_bcrypt),
		cmocka_unit_test(test_bcrypt_malformed),
		cmocka_unit_test(test_bcrypt_hash),
		cmocka_unit_test(test_bcrypt_uses_length),
		cmocka_unit_test(test_bcrypt_hash_limits),
		cmocka_unit_test(test_sha256_hex),
		cmocka_unit_test(test_wipe_and_nonce),
	};

	return cmocka_run_group_tests_name("secret", tests, setup, NULL);
}
