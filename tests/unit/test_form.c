/*
 * test_form.c - form bodies and HTTP Basic credentials (src/form.c).
 *
 * Covers form_decode: parameters by the message's names into their slots,
 * '+' a space and %XX a byte (in names too), a parameter repeated refused,
 * an empty value or none at all counting as absent (RFC 6749 3.1), unknown
 * parameters ignored (but still well-formed), empty pairs, bad escapes and
 * values that are not UTF-8 refused, an embedded NUL kept as a byte, every
 * value copied into the arena and the arena's bound (len + 1 bytes).
 * form_basic: good credentials, the scheme's case and white space, not
 * Basic, malformed base64, no colon, an empty client ID, a secret holding
 * colons, the ID and the secret each form-urldecoded (RFC 6749 2.3.1),
 * bad escapes and non-UTF-8 after the base64, an arena too small.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "form.h"
#include "messages.h"

#define N(x) (sizeof(x) / sizeof((x)[0]))

static struct value vals[ARG__COUNT];
static struct arena arena;
static char *body;		/* a copy without a NUL after it */

static int
teardown(void **state)
{
	(void)state;
	free(arena.p);
	free(body);
	arena.p = NULL;
	body = NULL;
	return 0;
}

/* form_decode of s as m, with an arena of cap bytes (0: 2 * len + 16). */
static enum err
decode_cap(const struct message *m, const char *s, size_t cap)
{
	size_t len = strlen(s);

	teardown(NULL);
	memset(vals, 0, sizeof(vals));
	/* The body as the request holds it, bytes only, no NUL needed. */
	body = malloc(len + 1);
	assert_non_null(body);
	memcpy(body, s, len);
	body[len] = '#';
	arena.cap = cap != 0 ? cap : 2 * len + 16;
	arena.used = 0;
	arena.p = malloc(arena.cap);
	assert_non_null(arena.p);
	return form_decode(m, body, len, vals, &arena);
}

static enum err
decode(const char *s)
{
	return decode_cap(&m_token_req, s, 0);
}

static void
assert_arg(unsigned slot, const char *want)
{
	const struct value *v = &vals[slot];

	if (want == NULL) {
		if (v->set)
			fail_msg("slot %u set to \"%.*s\"", slot, (int)v->s.n,
			    v->s.p);
		return;
	}
	if (!v->set || v->s.n != strlen(want) ||
	    memcmp(v->s.p, want, v->s.n) != 0)
		fail_msg("slot %u: \"%.*s\" (set %d), want \"%s\"", slot,
		    v->set ? (int)v->s.n : 0, v->set ? v->s.p : "", v->set,
		    want);
	/* A copy in the arena, NUL-terminated, not a pointer into the
	 * body. */
	assert_true(v->s.p >= arena.p && v->s.p < arena.p + arena.cap);
	assert_int_equal(v->s.p[v->s.n], '\0');
}

static void
test_parameters(void **state)
{
	(void)state;
	assert_int_equal(decode("grant_type=client_credentials&"
	    "scope=openid+urn%3Azitadel%3Aiam%3Aorg%3Aproject%3Aid%3Azitadel"
	    "%3Aaud&client_id=svc-bot&client_secret=a%2Bb%25c%26d%3De+f"),
	    ERR_OK);
	assert_arg(ARG_GRANT_TYPE, "client_credentials");
	assert_arg(ARG_SCOPE, "openid urn:zitadel:iam:org:project:id:zitadel"
	    ":aud");
	assert_arg(ARG_CLIENT_ID, "svc-bot");
	assert_arg(ARG_CLIENT_SECRET, "a+b%c&d=e f");
	assert_arg(ARG_ASSERTION, NULL);
	/* Names are decoded too; a value may hold '='. */
	assert_int_equal(decode("grant%5Ftype=a=b&%61ssertion=x.y.z"), ERR_OK);
	assert_arg(ARG_GRANT_TYPE, "a=b");
	assert_arg(ARG_ASSERTION, "x.y.z");
	/* UTF-8, escaped or not. */
	assert_int_equal(decode("client_id=%C3%A9\xc3\xa9"), ERR_OK);
	assert_arg(ARG_CLIENT_ID, "\xc3\xa9\xc3\xa9");
	/* An escaped NUL is a byte of the value. */
	assert_int_equal(decode("client_id=a%00b"), ERR_OK);
	assert_int_equal(vals[ARG_CLIENT_ID].s.n, 3);
	assert_memory_equal(vals[ARG_CLIENT_ID].s.p, "a\0b", 3);
	/* Another message's names. */
	assert_int_equal(decode_cap(&m_introspect_req, "token=t&grant_type=x",
	    0), ERR_OK);
	assert_arg(ARG_TOKEN, "t");
	assert_arg(ARG_GRANT_TYPE, NULL);
}

static void
test_absent_and_unknown(void **state)
{
	static const char *const empty[] = {
		"", "&", "&&", "=", "=x", "grant_type=", "grant_type",
		"grant_type=&", "&grant_type", "unknown=1", "x=1&y=%41&z",
		"Grant_type=x", "grant_type =x", "grant_type+=x",
	};
	size_t i;

	(void)state;
	for (i = 0; i < N(empty); i++) {
		unsigned s;

		if (decode(empty[i]) != ERR_OK)
			fail_msg("\"%s\" refused", empty[i]);
		for (s = 0; s < ARG__COUNT; s++)
			if (vals[s].set)
				fail_msg("\"%s\": slot %u set", empty[i], s);
	}
	/* An empty value first, then one: the one (it was absent). */
	assert_int_equal(decode("scope=&scope=openid"), ERR_OK);
	assert_arg(ARG_SCOPE, "openid");
	assert_int_equal(decode("scope&scope=openid&scope="), ERR_OK);
	assert_arg(ARG_SCOPE, "openid");
	/* Unknown parameters may repeat: they are not ours. */
	assert_int_equal(decode("x=1&x=2&scope=a"), ERR_OK);
	assert_arg(ARG_SCOPE, "a");
}

static void
test_repeated(void **state)
{
	static const char *const twice[] = {
		"grant_type=a&grant_type=a",
		"grant_type=a&grant_type=b",
		"scope=a&x=1&scope=b",
		"client_id=a&client%5Fid=b",
		"client_secret=s&client_secret=+",
	};
	size_t i;

	(void)state;
	for (i = 0; i < N(twice); i++)
		if (decode(twice[i]) != ERR_OAUTH_REPEATED)
			fail_msg("\"%s\" accepted", twice[i]);
}

static void
test_malformed(void **state)
{
	static const char *const bad[] = {
		/* bad escapes, in values and names, known or not */
		"grant_type=%", "grant_type=%4", "grant_type=%G1",
		"grant_type=%1G", "grant_type=a%%41", "grant_type=%+1",
		"x=%zz", "%=1", "%4&grant_type=a", "grant_type%=a",
		/* not UTF-8, escaped or raw */
		"grant_type=%FF", "grant_type=%C3", "grant_type=%C3a",
		"grant_type=%C0%80", "grant_type=%ED%A0%80",
		"grant_type=\xff", "x=\xc3", "\x80=1",
	};
	size_t i;

	(void)state;
	for (i = 0; i < N(bad); i++)
		if (decode(bad[i]) != ERR_OAUTH_BAD_FORM)
			fail_msg("\"%s\" accepted", bad[i]);
}

/* form.h: len + 1 bytes of arena suffice for any body. */
static void
test_arena_bound(void **state)
{
	static const char *const bodies[] = {
		"grant_type=client_credentials&scope=openid",
		"a", "a&b", "a&b&c&d", "grant_type", "grant_type&scope",
		"=", "&", "a=&b=", "x=%41%42&scope=%20",
		"grant_type=x&junk&more&scope=y",
	};
	size_t i;

	(void)state;
	for (i = 0; i < N(bodies); i++) {
		size_t len = strlen(bodies[i]);

		if (decode_cap(&m_token_req, bodies[i], len + 1) != ERR_OK)
			fail_msg("\"%s\": %zu bytes did not suffice",
			    bodies[i], len + 1);
		assert_true(arena.used <= len + 1);
	}
	/* Too small: refused, nothing written past it. */
	assert_int_equal(decode_cap(&m_token_req, "grant_type=x", 5),
	    ERR_OAUTH_BAD_FORM);
	assert_true(arena.used <= 5);
	/* No arena at all. */
	memset(vals, 0, sizeof(vals));
	free(arena.p);
	arena.p = NULL;
	arena.cap = arena.used = 0;
	assert_int_equal(form_decode(&m_token_req, "a=b", 3, vals, &arena),
	    ERR_OAUTH_BAD_FORM);
	assert_int_equal(form_decode(&m_token_req, "", 0, vals, &arena),
	    ERR_OK);
}

/* --- HTTP Basic ----------------------------------------------------------- */

static struct slice id, secret;

/* form_basic on "Basic " + base64(pair), or on header itself. */
static int
basic_header(const char *header, size_t cap)
{
	teardown(NULL);
	arena.cap = cap;
	arena.used = 0;
	arena.p = malloc(cap > 0 ? cap : 1);
	assert_non_null(arena.p);
	id.p = secret.p = NULL;
	id.n = secret.n = 99;
	return form_basic(header, &arena, &id, &secret);
}

static int
basic(const char *pair)
{
	char header[512];
	size_t n = strlen(pair);

	assert_true(B64_LEN(n) + 7 < sizeof(header));
	memcpy(header, "Basic ", 6);
	b64_encode(pair, n, header + 6, B64_PADDED);
	return basic_header(header, 2 * strlen(header) + 16);
}

static void
assert_pair(const char *want_id, const char *want_secret)
{
	assert_int_equal(id.n, strlen(want_id));
	assert_memory_equal(id.p, want_id, id.n);
	assert_int_equal(secret.n, strlen(want_secret));
	if (secret.n > 0)
		assert_memory_equal(secret.p, want_secret, secret.n);
	assert_true(id.p >= arena.p && id.p < arena.p + arena.cap);
	assert_true(secret.p >= arena.p && secret.p <= arena.p + arena.cap);
}

static void
test_basic_good(void **state)
{
	(void)state;
	assert_int_equal(basic("svc-bot:s3cret"), 0);
	assert_pair("svc-bot", "s3cret");
	/* RFC 6749 2.3.1: each half form-urlencoded before the base64. */
	assert_int_equal(basic("my+client%3A1:p%40ss+w%2Brd%3A%25"), 0);
	assert_pair("my client:1", "p@ss w+rd:%");
	/* The first colon splits (RFC 7617 2): the secret may hold more. */
	assert_int_equal(basic("id:a:b:"), 0);
	assert_pair("id", "a:b:");
	/* An empty secret is a secret, which will not match. */
	assert_int_equal(basic("id:"), 0);
	assert_pair("id", "");
	/* The scheme in any case; spaces or tabs around the credentials. */
	assert_int_equal(basic_header("basic aWQ6cw==", 64), 0);
	assert_pair("id", "s");
	assert_int_equal(basic_header("BASIC\t \taWQ6cw==  ", 64), 0);
	assert_pair("id", "s");
}

static void
test_basic_not_basic(void **state)
{
	static const char *const others[] = {
		"Bearer aWQ6cw==", "Basicx aWQ6cw==", "Basic", "Digest x",
		"", " Basic aWQ6cw==", "Bas",
	};
	size_t i;

	(void)state;
	assert_int_equal(basic_header(NULL, 64), 1);
	for (i = 0; i < N(others); i++)
		if (basic_header(others[i], 64) != 1)
			fail_msg("\"%s\" taken for Basic", others[i]);
	/* Nothing was set. */
	assert_null(id.p);
	assert_int_equal(arena.used, 0);
}

static void
test_basic_malformed(void **state)
{
	static const char *const bad[] = {
		"Basic ",		/* no credentials */
		"Basic  \t",
		"Basic !!!!",		/* not base64 */
		"Basic aWQ6cw",		/* unpadded */
		"Basic aWQ6cw=",	/* padded wrong */
		"Basic aWQ6c===",
		"Basic aWQ6cw== x",	/* two tokens */
		"Basic aWQ6-w==",	/* base64url */
		"Basic aWQ6cx==",	/* non-zero bits left over */
	};
	size_t i;

	(void)state;
	for (i = 0; i < N(bad); i++)
		if (basic_header(bad[i], 64) != -1)
			fail_msg("\"%s\" accepted", bad[i]);
	/* No colon; an empty client ID. */
	assert_int_equal(basic("svc-bot"), -1);
	assert_int_equal(basic(""), -1);
	assert_int_equal(basic(":secret"), -1);
	/* A colon only escaped is no separator. */
	assert_int_equal(basic("svc%3Abot"), -1);
	/* Bad escapes, not UTF-8, after the base64. */
	assert_int_equal(basic("id%G0:s"), -1);
	assert_int_equal(basic("id:s%"), -1);
	assert_int_equal(basic("id:%FF"), -1);
	assert_int_equal(basic("\xff:s"), -1);
	/* An arena too small, or none. */
	assert_int_equal(basic_header("Basic aWQ6cw==", 4), -1);
	assert_int_equal(basic_header("Basic aWQ6cw==", 0), -1);
}

#define T(f) cmocka_unit_test_teardown(f, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_parameters),
		T(test_absent_and_unknown),
		T(test_repeated),
		T(test_malformed),
		T(test_arena_bound),
		T(test_basic_good),
		T(test_basic_not_basic),
		T(test_basic_malformed),
	};

	return cmocka_run_group_tests_name("form", tests, NULL, NULL);
}
