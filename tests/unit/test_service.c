/*
 * test_service.c - who is calling (src/auth.c), what every call shares
 * (src/service.c), and the app secret calls (src/svc_app.c), with a fake
 * store behind the store interface (fake_store.c): no database.
 *
 * Includes auth.c to reach the refused-token cache.  secret_hash is
 * wrapped at link time (-Wl,--wrap=secret_hash) by a function that counts
 * the hashes made.
 *
 * Covers: the bearer header, the audience list, the token's characters;
 * authentication (no lookup for a header that cannot hold a token, the
 * SHA-256 looked up, each reason a token fails giving the same answer, the
 * audience check personal access tokens skip); the refused-token cache
 * (a refusal remembered for a second, an acceptance or an outage never, a
 * newer refusal taking the slot); the call's arena and the outcome's pool
 * and their bounds; the health routes; for the app secret calls of each
 * rule (management v1 OIDC and API, application v2, app v2beta): the
 * order of the checks, lifted one at a time, with one lookup before any
 * of them; the acting organisation asked about; the app kinds each may
 * change; the store's failures passing through, before or after the hash;
 * a check that no longer holds inside the transaction, looked at again
 * once; the deadline; the outcome and what the store was asked to write;
 * that the hash is made once, only when every check passed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.c"

#include "fake_store.h"
#include "log.h"
#include "service.h"
#include "unit.h"

#define N(x) (sizeof(x) / sizeof((x)[0]))

/* --- the hashes made --------------------------------------------------- */

static unsigned hashes;

int __real_secret_hash(const struct hash_params *hp, const char *secret,
    size_t len, char *out, size_t outlen);
int __wrap_secret_hash(const struct hash_params *hp, const char *secret,
    size_t len, char *out, size_t outlen);

int
__wrap_secret_hash(const struct hash_params *hp, const char *secret,
    size_t len, char *out, size_t outlen)
{
	hashes++;
	return __real_secret_hash(hp, secret, len, out, outlen);
}

/* --- set-up ------------------------------------------------------------- */

static struct config cfg;
static struct service svc;
static struct call c;
static struct answer o;

static int
group_setup(void **state)
{
	(void)state;
	return unit_service(&cfg, &svc, FAKE_API_PROJECT,
	    "secret_grace_period_s", "300");
}

static int
setup(void **state)
{
	(void)state;
	fake_store_reset();
	memset(refused, 0, sizeof(refused));
	hashes = 0;
	return 0;
}

static void
arg(unsigned slot, const char *s, size_t n)
{
	c.arg[slot].set = s != NULL;
	c.arg[slot].s.p = s;
	c.arg[slot].s.n = n;
}

#define ARG(slot, lit) arg(slot, lit, sizeof(lit) - 1)

/* A call of name with IDs "P" and "A" and a token. */
static void
call_for(const char *name)
{
	memset(&c, 0, sizeof(c));
	c.def = unit_call(name);
	c.authorization = "Bearer good-token";
	ARG(ARG_PROJECT_ID, "P");
	ARG(ARG_APP_ID, "A");
	if (strcmp(name, "RegenerateClientSecret") == 0)
		value_int(&c.arg[ARG_IS_OIDC], 1);
}

/* The call, its answer; on an error no write, no secret, no commit. */
static enum err
run(void)
{
	unsigned changes = fake.change_calls;
	enum err e;

	memset(&o, 0, sizeof(o));
	e = c.def->run(&svc, &c, &o);
	if (e != ERR_OK) {
		assert_false(o.out[OUT_SECRET].set);
		assert_int_equal(o.committed, 0);
		/* Only the store's own failure or a stale check writes. */
		if (fake.change_calls != changes &&
		    fake.app_secret_rc == ERR_OK && fake.stale_calls == 0)
			fail_msg("error %d after a write", (int)e);
	}
	return e;
}

/* --- auth: the header, the audience, the characters ------------------- */

static void
test_bearer(void **state)
{
	static const struct {
		const char *header;
		const char *token;	/* NULL: refused */
	} cases[] = {
		{ "Bearer abc", "abc" },
		{ "bearer abc", "abc" },
		{ "BEARER abc", "abc" },
		{ "Bearer\tabc", "abc" },
		{ "Bearer   abc \t ", "abc" },
		{ "Bearer ", "" },
		{ "Bearer a b", "a b" },
		{ "Bearerabc", NULL },
		{ "Bearer", NULL },
		{ "Basic dXNlcjpwdw==", NULL },
		{ " Bearer abc", NULL },
		{ "", NULL },
		{ NULL, NULL },
	};
	const char *t;
	size_t i, n;

	(void)state;
	for (i = 0; i < N(cases); i++) {
		int rc = auth_bearer(cases[i].header, &t, &n);

		if (cases[i].token == NULL) {
			if (rc != -1)
				fail_msg("case %zu accepted", i);
			continue;
		}
		if (rc != 0 || n != strlen(cases[i].token) ||
		    memcmp(t, cases[i].token, n) != 0)
			fail_msg("case %zu: rc %d, \"%.*s\"", i, rc, (int)n, t);
	}
}

static void
test_audience_and_chars(void **state)
{
	(void)state;
	assert_true(auth_audience_has("a b c", "b"));
	assert_true(auth_audience_has("b", "b"));
	assert_true(auth_audience_has("  b  ", "b"));
	assert_false(auth_audience_has("bb", "b"));
	assert_false(auth_audience_has("abc", "b"));
	assert_false(auth_audience_has("a bc", "b"));
	assert_false(auth_audience_has("", "b"));
	assert_false(auth_audience_has("a b", ""));
	assert_false(auth_audience_has("6962902390648833",
	    "69629023906488335"));
	/* RFC 6750 2.1 b64token. */
	assert_true(auth_token_chars_ok("aZ09-._~+/=", 11));
	assert_true(auth_token_chars_ok("", 0));
	assert_false(auth_token_chars_ok("a b", 3));
	assert_false(auth_token_chars_ok("a\"b", 3));
	assert_false(auth_token_chars_ok("a,b", 3));
	assert_false(auth_token_chars_ok("\xc3\xa9", 2));
	assert_false(auth_token_chars_ok("a\0b", 3));
}

/* --- auth: the token ---------------------------------------------------- */

static enum err
authenticate(const char *header, const char *audience)
{
	struct token_row t;
	char digest[SHA256_HEX];

	memset(&c, 0, sizeof(c));
	memset(&o, 0, sizeof(o));
	c.def = unit_call("userinfo");
	c.authorization = header;
	return service_authenticate(&svc, &c, audience, digest, &t, &o);
}

static void
test_authenticate(void **state)
{
	static const char *const no_lookup[] = {
		"Bearer ", "Bearer a\"b", "Bearer a,b", "Bearer a;b",
		"Bearer \xc3\xa9", "Bearer a\x01", "Bearer a b",
	};
	char *huge;
	size_t i;

	(void)state;
	assert_int_equal(authenticate(NULL, NULL), ERR_AUTH_MISSING);
	assert_string_equal(o.reason, "no bearer token");
	assert_int_equal(authenticate("Basic abc", NULL), ERR_AUTH_MISSING);
	assert_int_equal(fake.token_calls, 0);
	/* Not a token at all: refused without a lookup. */
	for (i = 0; i < N(no_lookup); i++) {
		assert_int_equal(authenticate(no_lookup[i], NULL),
		    ERR_TOKEN_INVALID);
		assert_string_equal(o.reason, "malformed token");
	}
	huge = malloc(TOKEN_MAX + 16);
	assert_non_null(huge);
	memcpy(huge, "Bearer ", 7);
	memset(huge + 7, 'x', TOKEN_MAX + 1);
	huge[7 + TOKEN_MAX + 1] = '\0';
	assert_int_equal(authenticate(huge, NULL), ERR_TOKEN_INVALID);
	assert_int_equal(fake.token_calls, 0);
	/* TOKEN_MAX characters are looked up. */
	huge[7 + TOKEN_MAX] = '\0';
	assert_int_equal(authenticate(huge, NULL), ERR_OK);
	assert_int_equal(fake.token_calls, 1);
	free(huge);
	/* The SHA-256 of the token (FIPS 180-2 B.1), and who it names. */
	assert_int_equal(authenticate("Bearer abc", NULL), ERR_OK);
	assert_string_equal(fake.digest, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
	assert_string_equal(o.user_id, FAKE_USER);
	assert_null(o.reason);
}

/* Every reason a token fails: the same answer, its own log reason. */
static void
test_token_refusals(void **state)
{
	static const struct {
		size_t off;
		int value;
		const char *reason;
	} cases[] = {
		{ offsetof(struct token_row, found), 0, "unknown token" },
		{ offsetof(struct token_row, revoked), 1, "token revoked" },
		{ offsetof(struct token_row, expired), 1, "token expired" },
		{ offsetof(struct token_row, user_active), 0,
		    "token's user inactive or removed" },
		{ offsetof(struct token_row, org_active), 0,
		    "token's organisation inactive or removed" },
	};
	char header[32];
	size_t i;

	(void)state;
	for (i = 0; i < N(cases); i++) {
		fake_store_reset();
		*(int *)(void *)((char *)&fake.token + cases[i].off) =
		    cases[i].value;
		snprintf(header, sizeof(header), "Bearer t%zu", i);
		assert_int_equal(authenticate(header, FAKE_API_PROJECT),
		    ERR_TOKEN_INVALID);
		assert_string_equal(o.reason, cases[i].reason);
		/* A token that was found names its user for the log. */
		assert_string_equal(o.user_id, cases[i].off == 0 ? "" :
		    FAKE_USER);
	}
	/* The audience: an access token's must hold it. */
	fake_store_reset();
	snprintf(fake.token.audience, sizeof(fake.token.audience),
	    "other " FAKE_API_PROJECT "x");
	assert_int_equal(authenticate("Bearer a1", FAKE_API_PROJECT),
	    ERR_TOKEN_INVALID);
	assert_string_equal(o.reason, "token's audience lacks api_project_id");
	/* Not asked for (userinfo): any audience. */
	assert_int_equal(authenticate("Bearer a2", NULL), ERR_OK);
	/* A personal access token has no audience to check. */
	fake.token.pat = 1;
	assert_int_equal(authenticate("Bearer a3", FAKE_API_PROJECT), ERR_OK);
	/* The store's own failures pass through. */
	fake.token_rc = ERR_UNAVAILABLE;
	assert_int_equal(authenticate("Bearer a4", NULL), ERR_UNAVAILABLE);
	fake.token_rc = ERR_INTERNAL;
	assert_int_equal(authenticate("Bearer a5", NULL), ERR_INTERNAL);
}

/*
 * A refused token is refused again for a second without a lookup: this
 * test counts the store's token lookups, so it fails without the cache.
 */
static void
test_refused_cache(void **state)
{
	unsigned i;

	(void)state;
	fake.token.found = 0;
	assert_int_equal(authenticate("Bearer dead", NULL), ERR_TOKEN_INVALID);
	assert_int_equal(fake.token_calls, 1);
	for (i = 0; i < 10; i++)
		assert_int_equal(authenticate("Bearer dead", NULL),
		    ERR_TOKEN_INVALID);
	assert_int_equal(fake.token_calls, 1);
	assert_string_equal(o.reason, "token refused within the last second");
	/* The scheme's spelling and white space do not matter: the token. */
	assert_int_equal(authenticate("bearer\tdead  ", NULL),
	    ERR_TOKEN_INVALID);
	assert_int_equal(fake.token_calls, 1);
	/* Even if it turned valid since: at most a second late. */
	fake.token.found = 1;
	assert_int_equal(authenticate("Bearer dead", NULL), ERR_TOKEN_INVALID);
	assert_int_equal(fake.token_calls, 1);
	/* Another token is looked up. */
	assert_int_equal(authenticate("Bearer alive", NULL), ERR_OK);
	assert_int_equal(fake.token_calls, 2);
	/* Once the second has passed, it is asked about again. */
	for (i = 0; i < REFUSED_SLOTS; i++)
		refused[i].until = util_mono_ns() - 1;
	assert_int_equal(authenticate("Bearer dead", NULL), ERR_OK);
	assert_int_equal(fake.token_calls, 3);
}

static void
test_cache_keeps_no_acceptance(void **state)
{
	char da[SHA256_HEX], db[SHA256_HEX], ha[48], hb[48];
	int i, j = -1;

	(void)state;
	/* Accepted, then revoked: refused at once, never from a cache. */
	assert_int_equal(authenticate("Bearer tok", NULL), ERR_OK);
	assert_int_equal(authenticate("Bearer tok", NULL), ERR_OK);
	fake.token.revoked = 1;
	assert_int_equal(authenticate("Bearer tok", NULL), ERR_TOKEN_INVALID);
	assert_int_equal(fake.token_calls, 3);
	/* An outage is not a refusal: asked again next time. */
	fake_store_reset();
	fake.token_rc = ERR_UNAVAILABLE;
	assert_int_equal(authenticate("Bearer t", NULL), ERR_UNAVAILABLE);
	assert_int_equal(authenticate("Bearer t", NULL), ERR_UNAVAILABLE);
	assert_int_equal(fake.token_calls, 2);
	fake.token_rc = ERR_OK;
	assert_int_equal(authenticate("Bearer t", NULL), ERR_OK);
	/* Two tokens sharing a slot: the newer refusal takes it. */
	secret_sha256_hex("t0", 2, da);
	for (i = 1; i < 100000 && j < 0; i++) {
		snprintf(hb, sizeof(hb), "t%d", i);
		secret_sha256_hex(hb, strlen(hb), db);
		if (util_digest_slot(da, REFUSED_SLOTS) ==
		    util_digest_slot(db, REFUSED_SLOTS))
			j = i;
	}
	assert_true(j > 0);
	snprintf(ha, sizeof(ha), "Bearer t0");
	snprintf(hb, sizeof(hb), "Bearer t%d", j);
	fake_store_reset();
	fake.token.found = 0;
	assert_int_equal(authenticate(ha, NULL), ERR_TOKEN_INVALID);
	assert_int_equal(authenticate(hb, NULL), ERR_TOKEN_INVALID);
	assert_int_equal(authenticate(hb, NULL), ERR_TOKEN_INVALID);
	assert_int_equal(fake.token_calls, 2);
	assert_int_equal(authenticate(ha, NULL), ERR_TOKEN_INVALID);
	assert_int_equal(fake.token_calls, 3);
}

/* --- the call's and the outcome's storage ------------------------------- */

static void
test_call_and_outcome(void **state)
{
	static char big[ANSWER_POOL];
	struct call k;
	size_t i;

	(void)state;
	assert_int_equal(call_init(&k, unit_call("token"), 100), 0);
	assert_ptr_equal(k.def, unit_call("token"));
	assert_non_null(k.arena.p);
	assert_int_equal(k.arena.cap, JSONMSG_ARENA(100));
	assert_int_equal(k.arena.used, 0);
	assert_false(k.arg[ARG_CLIENT_SECRET].set);
	assert_true(k.deadline_ns == 0);
	assert_non_null(arena_copy(&k.arena, "secret", 6));
	call_free(&k);
	assert_null(k.arena.p);
	assert_null(k.def);
	call_free(&k);		/* twice is harmless */
	/* The pool: exactly full, then no more. */
	memset(&o, 0, sizeof(o));
	memset(big, 'x', sizeof(big));
	assert_int_equal(answer_str(&o, OUT_SECRET, big,
	    ANSWER_POOL - 1), 0);
	assert_true(o.out[OUT_SECRET].set);
	assert_int_equal(o.out[OUT_SECRET].s.n, ANSWER_POOL - 1);
	assert_int_equal(o.out[OUT_SECRET].s.p[ANSWER_POOL - 1], '\0');
	assert_int_equal(answer_str(&o, OUT_OWNER, "", 0), -1);
	assert_false(o.out[OUT_OWNER].set);
	/* Wiped: nothing of it left. */
	answer_wipe(&o);
	for (i = 0; i < sizeof(o.pool); i++)
		if (o.pool[i] != 0)
			fail_msg("pool byte %zu not wiped", i);
	assert_int_equal(o.used, 0);
	assert_int_equal(answer_cstr(&o, OUT_OWNER, "own"), 0);
	assert_int_equal(o.out[OUT_OWNER].s.n, 3);
	/* The deadline. */
	memset(&k, 0, sizeof(k));
	assert_false(call_past_deadline(&k));
	k.deadline_ns = 1;
	assert_true(call_past_deadline(&k));
	k.deadline_ns = util_mono_ns() + INT64_C(60000000000);
	assert_false(call_past_deadline(&k));
}

static void
test_service_init(void **state)
{
	struct config k;
	struct service s;

	(void)state;
	config_defaults(&k);
	k.hash_algorithm = HASH_BCRYPT;
	k.argon2_memory_kib = 1024;
	k.argon2_iterations = 3;
	k.argon2_parallelism = 2;
	k.bcrypt_cost = 5;
	service_init(&s, &k, (struct store *)&k);
	assert_ptr_equal(s.cfg, &k);
	assert_ptr_equal(s.store, (struct store *)&k);
	assert_int_equal(s.hash.alg, HASH_BCRYPT);
	assert_int_equal(s.hash.m_kib, 1024);
	assert_int_equal(s.hash.t, 3);
	assert_int_equal(s.hash.p, 2);
	assert_int_equal(s.hash.cost, 5);
}

static void
test_health(void **state)
{
	(void)state;
	call_for("healthz");
	assert_int_equal(run(), ERR_OK);
	assert_string_equal(o.out[OUT_TEXT].s.p, "ok\n");
	assert_int_equal(fake.ping_calls, 0);
	call_for("ready");
	assert_int_equal(run(), ERR_OK);
	assert_string_equal(o.out[OUT_TEXT].s.p, "ok\n");
	assert_int_equal(fake.ping_calls, 1);
	/* Whatever the database's trouble: not ready. */
	fake.ping_rc = ERR_INTERNAL;
	assert_int_equal(run(), ERR_UNAVAILABLE);
	fake.ping_rc = ERR_UNAVAILABLE;
	assert_int_equal(run(), ERR_UNAVAILABLE);
	assert_false(o.out[OUT_TEXT].set);
	assert_string_equal(fake.calls, "ping,ping,ping");
}

/* --- the app secret calls: the order of the checks ---------------------- */

/*
 * A call that fails every check; each step lifts the failure that
 * answered, and the next check answers.  calls is what the store was
 * asked up to that answer.
 */
struct step {
	enum err want;
	const char *calls;
};

#define LOOKED "token,app_lookup"
#define WROTE "token,app_lookup,app_secret"

static void
check_step(const struct step *s, int n)
{
	enum err e;

	fake.calls[0] = '\0';
	hashes = 0;
	memset(refused, 0, sizeof(refused));
	e = run();
	if (e != s->want || strcmp(fake.calls, s->calls) != 0)
		fail_msg("step %d: %d after \"%s\", want %d after \"%s\"", n,
		    (int)e, fake.calls, (int)s->want, s->calls);
	assert_int_equal(hashes, e == ERR_OK ? 1 : 0);
}

/* The next step: its failure was lifted just before. */
#define NEXT() do { \
	i++; \
	check_step(&steps[i], i); \
} while (0)

/* Every check failing, as the lookup would find it. */
static void
all_failing(enum app_kind kind)
{
	fake.token.found = 0;
	fake.app.org_active = 0;
	fake.app.permitted = 0;
	fake.app.app_found = 0;
	fake.app.owner_active = 0;
	fake.app.kind = kind;
	fake.app.has_config = 0;
}

static void
order_v1(const char *name, enum err wrong_kind, enum app_kind other,
    enum app_kind right)
{
	const struct step steps[] = {
		{ ERR_AUTH_MISSING, "" },
		{ ERR_TOKEN_INVALID, "token" },
		{ ERR_ORG_NOT_FOUND, LOOKED },
		{ ERR_ID_MISSING, LOOKED },
		{ ERR_INVALID_ARGUMENT, LOOKED },
		{ ERR_PERMISSION_DENIED, LOOKED },
		{ ERR_APP_NOT_FOUND, LOOKED },
		/* the project's organisation gone */
		{ ERR_ORG_NOT_FOUND, LOOKED },
		{ wrong_kind, LOOKED },
		/* an app without its configuration row */
		{ ERR_INTERNAL, LOOKED },
		{ ERR_OK, WROTE },
	};
	int i = 0;

	fake_store_reset();
	call_for(name);
	c.authorization = NULL;
	c.org_header = "org-2";
	/* An empty project and a malformed app: "missing" comes first. */
	ARG(ARG_PROJECT_ID, "");
	ARG(ARG_APP_ID, "\xff");
	all_failing(other);

	check_step(&steps[i], i);
	c.authorization = "Bearer some-token";
	NEXT();
	fake.token.found = 1;
	NEXT();
	fake.app.org_active = 1;
	NEXT();
	ARG(ARG_PROJECT_ID, "P");
	NEXT();
	ARG(ARG_APP_ID, "A");
	NEXT();
	fake.app.permitted = 1;
	NEXT();
	fake.app.app_found = 1;
	NEXT();
	fake.app.owner_active = 1;
	NEXT();
	fake.app.kind = right;
	NEXT();
	fake.app.has_config = 1;
	NEXT();
	/* The acting org is the header's; the event's the project's. */
	assert_int_equal(fake.app_key.v1, 1);
	assert_string_equal(fake.app_key.org, "org-2");
	assert_string_equal(fake.app_change.org, FAKE_OWNER);
	assert_int_equal(fake.app_change.kind, right);
}

static void
test_order_v1_oidc(void **state)
{
	(void)state;
	order_v1("RegenerateOIDCClientSecret", ERR_APP_NOT_OIDC, APP_API,
	    APP_OIDC);
}

static void
test_order_v1_api(void **state)
{
	(void)state;
	order_v1("RegenerateAPIClientSecret", ERR_APP_NOT_API, APP_OIDC,
	    APP_API);
}

static void
test_order_v2(void **state)
{
	const struct step steps[] = {
		{ ERR_AUTH_MISSING, "" },
		{ ERR_TOKEN_INVALID, "token" },
		/* No x-zitadel-orgid: the project's own organisation. */
		{ ERR_ID_MISSING_V2, LOOKED },
		{ ERR_INVALID_ARGUMENT, LOOKED },
		{ ERR_PERMISSION_DENIED, LOOKED },
		{ ERR_APP_NOT_FOUND_V2, LOOKED },
		{ ERR_ORG_NOT_FOUND, LOOKED },
		/* A SAML app has no secret: not found, as in ZITADEL. */
		{ ERR_APP_NOT_FOUND_V2, LOOKED },
		{ ERR_OK, WROTE },
	};
	int i = 0;

	(void)state;
	call_for("GenerateClientSecret");
	c.authorization = NULL;
	c.org_header = "ignored";
	ARG(ARG_APP_ID, "");
	all_failing(APP_SAML);
	fake.app.has_config = 1;

	check_step(&steps[i], i);
	c.authorization = "Bearer some-token";
	NEXT();
	fake.token.found = 1;
	NEXT();
	ARG(ARG_APP_ID, "A\x7f");
	NEXT();
	ARG(ARG_APP_ID, "A");
	NEXT();
	fake.app.permitted = 1;
	NEXT();
	fake.app.app_found = 1;
	NEXT();
	fake.app.owner_active = 1;
	NEXT();
	fake.app.kind = APP_API;
	NEXT();
	assert_int_equal(fake.app_key.v1, 0);
	assert_string_equal(fake.app_key.org, "(null)");
	assert_string_equal(fake.app_change.org, FAKE_OWNER);
	assert_int_equal(fake.app_change.kind, APP_API);
}

static void
test_order_v2beta(void **state)
{
	const struct step steps[] = {
		{ ERR_AUTH_MISSING, "" },
		{ ERR_TOKEN_INVALID, "token" },
		/* The app type before the IDs, however empty they are. */
		{ ERR_APP_TYPE_UNKNOWN, LOOKED },
		{ ERR_ID_MISSING, LOOKED },
		{ ERR_INVALID_ARGUMENT, LOOKED },
		{ ERR_PERMISSION_DENIED, LOOKED },
		{ ERR_APP_NOT_FOUND, LOOKED },
		{ ERR_ORG_NOT_FOUND, LOOKED },
		{ ERR_APP_NOT_API, LOOKED },
		{ ERR_OK, WROTE },
	};
	int i = 0;

	(void)state;
	call_for("RegenerateClientSecret");
	c.authorization = NULL;
	c.org_header = "ignored";
	c.arg[ARG_IS_OIDC].set = 0;
	arg(ARG_PROJECT_ID, NULL, 0);
	arg(ARG_APP_ID, NULL, 0);
	all_failing(APP_OIDC);
	fake.app.has_config = 1;

	check_step(&steps[i], i);
	c.authorization = "Bearer some-token";
	NEXT();
	fake.token.found = 1;
	NEXT();
	/* is_api set, even to false: the member is what counts. */
	value_int(&c.arg[ARG_IS_API], 0);
	NEXT();
	ARG(ARG_PROJECT_ID, "\x01");
	ARG(ARG_APP_ID, "A");
	NEXT();
	ARG(ARG_PROJECT_ID, "P");
	NEXT();
	fake.app.permitted = 1;
	NEXT();
	fake.app.app_found = 1;
	NEXT();
	fake.app.owner_active = 1;
	NEXT();
	fake.app.kind = APP_API;
	NEXT();
	assert_int_equal(fake.app_key.v1, 0);
	assert_string_equal(fake.app_key.org, "(null)");
}

/* The acting organisation the lookup is asked about. */
static void
test_acting_org(void **state)
{
	(void)state;
	/* v1 without the header, or with an empty one: the user's own. */
	call_for("RegenerateOIDCClientSecret");
	assert_int_equal(run(), ERR_OK);
	assert_int_equal(fake.app_key.v1, 1);
	assert_string_equal(fake.app_key.org, "(null)");
	assert_string_equal(fake.app_key.user_id, FAKE_USER);
	assert_string_equal(fake.app_key.user_org, FAKE_USER_ORG);
	c.org_header = "";
	fake.app.org_active = 0;	/* never looked at */
	assert_int_equal(run(), ERR_OK);
	assert_string_equal(fake.app_key.org, "(null)");
	/* A header names the org, which must be active. */
	c.org_header = "gone";
	assert_int_equal(run(), ERR_ORG_NOT_FOUND);
	assert_string_equal(fake.app_key.org, "gone");
	fake.app.org_active = 1;
	c.org_header = "other";
	assert_int_equal(run(), ERR_OK);
	/* v2: the project's own organisation, whatever is sent. */
	call_for("GenerateClientSecret");
	c.org_header = "ignored";
	fake.app.org_active = 0;
	assert_int_equal(run(), ERR_OK);
	assert_int_equal(fake.app_key.v1, 0);
	assert_string_equal(fake.app_key.org, "(null)");
}

/* Which app kinds each call may change. */
static void
test_kinds(void **state)
{
	static const struct {
		const char *call;
		int is_api;	/* v2beta's member: -1 none */
		enum app_kind app;
		enum err want;
	} cases[] = {
		{ "RegenerateOIDCClientSecret", -1, APP_OIDC, ERR_OK },
		{ "RegenerateOIDCClientSecret", -1, APP_API, ERR_APP_NOT_OIDC },
		{ "RegenerateOIDCClientSecret", -1, APP_SAML,
		    ERR_APP_NOT_OIDC },
		{ "RegenerateAPIClientSecret", -1, APP_API, ERR_OK },
		{ "RegenerateAPIClientSecret", -1, APP_OIDC, ERR_APP_NOT_API },
		{ "RegenerateAPIClientSecret", -1, APP_SAML, ERR_APP_NOT_API },
		{ "GenerateClientSecret", -1, APP_OIDC, ERR_OK },
		{ "GenerateClientSecret", -1, APP_API, ERR_OK },
		{ "GenerateClientSecret", -1, APP_SAML, ERR_APP_NOT_FOUND_V2 },
		{ "RegenerateClientSecret", 0, APP_OIDC, ERR_OK },
		{ "RegenerateClientSecret", 0, APP_API, ERR_APP_NOT_OIDC },
		{ "RegenerateClientSecret", 0, APP_SAML, ERR_APP_NOT_OIDC },
		{ "RegenerateClientSecret", 1, APP_API, ERR_OK },
		{ "RegenerateClientSecret", 1, APP_OIDC, ERR_APP_NOT_API },
		{ "RegenerateClientSecret", 1, APP_SAML, ERR_APP_NOT_API },
	};
	size_t i;

	(void)state;
	for (i = 0; i < N(cases); i++) {
		enum err e;

		fake_store_reset();
		fake.app.kind = cases[i].app;
		call_for(cases[i].call);
		if (cases[i].is_api == 1) {
			c.arg[ARG_IS_OIDC].set = 0;
			value_int(&c.arg[ARG_IS_API], 1);
		}
		e = run();
		if (e != cases[i].want)
			fail_msg("case %zu: %d, want %d", i, (int)e,
			    (int)cases[i].want);
		assert_int_equal(fake.change_calls, e == ERR_OK ? 1 : 0);
		if (e == ERR_OK)
			assert_int_equal(fake.app_change.kind, cases[i].app);
	}
}

/* The store's failures pass through, before the hash or after it. */
static void
test_store_failures(void **state)
{
	(void)state;
	call_for("RegenerateOIDCClientSecret");
	fake.app_lookup_rc = ERR_UNAVAILABLE;
	assert_int_equal(run(), ERR_UNAVAILABLE);
	assert_int_equal(hashes, 0);
	fake.app_lookup_rc = ERR_INTERNAL;
	assert_int_equal(run(), ERR_INTERNAL);
	assert_int_equal(hashes, 0);
	fake.app_lookup_rc = ERR_OK;
	fake.app_secret_rc = ERR_UNAVAILABLE;
	assert_int_equal(run(), ERR_UNAVAILABLE);
	assert_int_equal(hashes, 1);
	fake.app_secret_rc = ERR_DEADLINE;
	assert_int_equal(run(), ERR_DEADLINE);
	assert_int_equal(fake.change_calls, 2);
	/* An outage is no refusal: the token is asked about again. */
	fake.app_secret_rc = ERR_OK;
	fake.token_rc = ERR_UNAVAILABLE;
	assert_int_equal(run(), ERR_UNAVAILABLE);
	fake.token_rc = ERR_OK;
	assert_int_equal(run(), ERR_OK);
}

/*
 * A check that no longer holds inside the transaction: the checks run
 * again and answer as things are now; a second time, not found.
 */
static void
test_stale(void **state)
{
	(void)state;
	call_for("RegenerateOIDCClientSecret");
	fake.stale_calls = 1;
	assert_int_equal(run(), ERR_OK);
	assert_string_equal(fake.calls, WROTE "," WROTE);
	assert_int_equal(hashes, 1);
	assert_int_equal(o.committed, 1);
	fake_store_reset();
	hashes = 0;
	fake.stale_calls = 2;
	call_for("GenerateClientSecret");
	assert_int_equal(run(), ERR_APP_NOT_FOUND_V2);
	assert_string_equal(fake.calls, WROTE "," WROTE "," LOOKED);
	assert_int_equal(hashes, 1);
}

static void
test_deadline(void **state)
{
	(void)state;
	/* Already past: every check runs, then nothing is hashed or written. */
	call_for("RegenerateOIDCClientSecret");
	c.deadline_ns = 1;
	assert_int_equal(run(), ERR_DEADLINE);
	assert_string_equal(fake.calls, LOOKED);
	assert_int_equal(hashes, 0);
	/* A check that fails answers before the deadline does. */
	fake.app.permitted = 0;
	assert_int_equal(run(), ERR_PERMISSION_DENIED);
	assert_string_equal(o.reason, "no role with project.app.write");
	fake.app.permitted = 1;
	/* Ahead: the store gets it, to stop its retries there. */
	c.deadline_ns = util_mono_ns() + INT64_C(60000000000);
	assert_int_equal(run(), ERR_OK);
	assert_true(fake.app_change.deadline_ns == c.deadline_ns);
}

/* --- the app secret calls: success --------------------------------------- */

static void
test_success(void **state)
{
	char first[SECRET_MAX + 1];
	size_t i;

	(void)state;
	call_for("RegenerateOIDCClientSecret");
	assert_int_equal(run(), ERR_OK);
	assert_int_equal(hashes, 1);
	/* What the store was asked: one lookup, one change. */
	assert_string_equal(fake.calls, WROTE);
	assert_string_equal(fake.digest, "461caa80a52104436e34006189430d13"
	    "aba103b2c4344d446ea3d9324b0de1c0");
	assert_string_equal(fake.app_key.project, "P");
	assert_string_equal(fake.app_key.app, "A");
	assert_string_equal(fake.app_key.permission, "project.app.write");
	assert_string_equal(fake.app_change.project, "P");
	assert_string_equal(fake.app_change.app, "A");
	assert_string_equal(fake.app_change.org, FAKE_OWNER);
	assert_int_equal(fake.app_change.kind, APP_OIDC);
	assert_string_equal(fake.app_change.editor, FAKE_USER);
	assert_string_equal(fake.app_change.digest, fake.digest);
	assert_string_equal(fake.app_change.permission, "project.app.write");
	assert_int_equal(fake.app_change.grace_s, 300);
	/* The secret: secret_length letters and digits, and its hash. */
	assert_true(o.out[OUT_SECRET].set);
	assert_int_equal(o.out[OUT_SECRET].s.n, cfg.secret_length);
	for (i = 0; i < cfg.secret_length; i++)
		assert_non_null(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "abcdefghijklmnopqrstuvwxyz0123456789",
		    o.out[OUT_SECRET].s.p[i]));
	assert_int_equal(strncmp(fake.app_change.hash, "$2b$04$", 7), 0);
	assert_int_equal(secret_verify(o.out[OUT_SECRET].s.p,
	    o.out[OUT_SECRET].s.n, fake.app_change.hash), 1);
	/* The answer's values, and what the log line needs. */
	assert_true(o.out[OUT_SEQUENCE].i == 8);
	assert_true(o.out[OUT_CHANGED].t.sec == 1795785255);
	assert_int_equal(o.out[OUT_CHANGED].t.nsec, 500000000);
	assert_true(o.out[OUT_CREATED].t.sec == 1795774272);
	assert_int_equal(o.out[OUT_CREATED].t.nsec, 123456000);
	assert_string_equal(o.out[OUT_OWNER].s.p, FAKE_OWNER);
	assert_string_equal(o.user_id, FAKE_USER);
	assert_int_equal(o.committed, 1);
	assert_string_equal(o.object_kind, "app");
	assert_string_equal(o.object, "A");
	assert_true(o.sequence == 8);
	/* A new secret each time. */
	memcpy(first, o.out[OUT_SECRET].s.p, o.out[OUT_SECRET].s.n + 1);
	assert_int_equal(run(), ERR_OK);
	assert_string_not_equal(first, o.out[OUT_SECRET].s.p);
}

/* No error writes, whichever check gives it. */
static void
test_no_write_on_error(void **state)
{
	int *fails[] = {
		&fake.token.found, &fake.app.org_active, &fake.app.permitted,
		&fake.app.app_found, &fake.app.owner_active,
		&fake.app.has_config,
	};
	static const char *const names[] = {
		"RegenerateOIDCClientSecret", "RegenerateAPIClientSecret",
		"GenerateClientSecret", "RegenerateClientSecret",
	};
	size_t i, k;

	(void)state;
	for (k = 0; k < N(names); k++)
		for (i = 0; i < N(fails); i++) {
			fake_store_reset();
			memset(refused, 0, sizeof(refused));
			hashes = 0;
			if (k >= 2 && fails[i] == &fake.app.org_active)
				continue;	/* never looked at */
			call_for(names[k]);
			if (k == 1)
				fake.app.kind = APP_API;
			c.org_header = "org-2";
			*fails[i] = 0;
			assert_int_not_equal(run(), ERR_OK);
			assert_int_equal(fake.change_calls, 0);
			assert_int_equal(hashes, 0);
		}
}

#define T(f) cmocka_unit_test_setup(f, setup)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_bearer),
		T(test_audience_and_chars),
		T(test_authenticate),
		T(test_token_refusals),
		T(test_refused_cache),
		T(test_cache_keeps_no_acceptance),
		T(test_call_and_outcome),
		T(test_service_init),
		T(test_health),
		T(test_order_v1_oidc),
		T(test_order_v1_api),
		T(test_order_v2),
		T(test_order_v2beta),
		T(test_acting_org),
		T(test_kinds),
		T(test_store_failures),
		T(test_stale),
		T(test_deadline),
		T(test_success),
		T(test_no_write_on_error),
	};

	return cmocka_run_group_tests_name("service", tests, group_setup,
	    NULL);
}
