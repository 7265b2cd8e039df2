/*
 * test_service.c - the call and who may make it (src/service.c and
 * src/auth.c), with a fake store behind the store interface
 * (fake_store.c): no database, src/store.c is not linked.
 *
 * Includes auth.c and service.c to reach the refused-token cache and to
 * count the hashes: secret_hash is renamed, for them only, to a wrapper
 * that counts its calls and can make one last long.
 *
 * Covers: the bearer header and the audience list; authentication (no
 * lookup for a header that cannot hold a token, the SHA-256 that is
 * looked up, the audience check that personal access tokens skip); the
 * refused-token cache, by counting the store's lookups: a refusal is
 * remembered, an acceptance or an outage never is, a remembered refusal
 * expires, a newer refusal takes the slot; the acting organisation the
 * lookup is asked about; the order of the checks for each call
 * (management.v1 for OIDC and API apps, application.v2, app.v2beta),
 * shown by lifting one failure at a time, with one lookup before any of
 * them; which app kinds each call may change, and the IDs and "not found"
 * of each; the outcome; the deadline (a past one writes nothing, one that
 * passes while hashing writes nothing); that the hash is computed once,
 * and that no error writes to the store or leaves a secret behind.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "secret.h"

static unsigned hashes;
static int64_t hash_until;	/* a hash lasts until then (monotonic ns) */

static int counted_hash(const struct hash_params *hp, const char *secret,
    size_t len, char *out, size_t outlen);

#define secret_hash counted_hash
#include "auth.c"
#include "service.c"
#undef secret_hash

#include "fake_store.h"

static int
counted_hash(const struct hash_params *hp, const char *secret, size_t len,
    char *out, size_t outlen)
{
	int64_t now;

	hashes++;
	while (hash_until != 0 && (now = util_mono_ns()) < hash_until) {
		struct timespec t = { 0, (long)(hash_until - now) };

		nanosleep(&t, NULL);
	}
	return secret_hash(hp, secret, len, out, outlen);
}

static struct config cfg;
static struct service svc;

static int
group_setup(void **state)
{
	char err[256];

	(void)state;
	if (secret_init() != 0)
		return -1;
	config_defaults(&cfg);
	if (config_set(&cfg, "api_project_id", FAKE_API_PROJECT, err,
	    sizeof(err)) != 0 ||
	    config_set(&cfg, "hash_algorithm", "bcrypt", err, sizeof(err)) != 0)
		return -1;
	/* A store handle the fake never looks at. */
	service_init(&svc, &cfg, (struct store *)&cfg);
	/* Quiet: no debug lines. */
	log_set_level(LOG_ERROR);
	return 0;
}

static int
setup(void **state)
{
	(void)state;
	fake_store_reset();
	memset(refused, 0, sizeof(refused));
	hashes = 0;
	hash_until = 0;
	return 0;
}

/* A call with valid IDs "P" and "A" and a token. */
static void
call_init(struct call *c, enum rpc rpc)
{
	memset(c, 0, sizeof(*c));
	c->rpc = rpc;
	c->authorization = "Bearer good-token";
	assert_int_equal(call_set_ids(c, "P", 1, "A", 1), 0);
	if (rpc == RPC_V2BETA)
		c->msg_kind = MSG_KIND_OIDC;
}

static int
all_zero(const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i] != 0)
			return 0;
	return 1;
}

/* The call, its answer; no write and no secret left on an error. */
static enum err
run(const struct call *c, struct outcome *out)
{
	unsigned changes = fake.change_calls;
	enum err e;

	memset(out, 0x5a, sizeof(*out));
	e = service_regenerate(&svc, c, out);
	if (e != ERR_OK) {
		assert_true(all_zero(out->client_secret,
		    sizeof(out->client_secret)));
		/* Only the store's own failure reaches the write. */
		if (fake.change_calls != changes && fake.change_rc == ERR_OK)
			fail_msg("error %d after a write", (int)e);
	}
	return e;
}

/* --- auth: the header and the audience --------------------------------- */

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
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
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
test_audience(void **state)
{
	(void)state;
	assert_true(auth_audience_has("a b c", "b"));
	assert_true(auth_audience_has("b", "b"));
	assert_true(auth_audience_has("  b  ", "b"));
	assert_true(auth_audience_has("x 69629023906488335",
	    "69629023906488335"));
	assert_false(auth_audience_has("bb", "b"));
	assert_false(auth_audience_has("abc", "b"));
	assert_false(auth_audience_has("a bc", "b"));
	assert_false(auth_audience_has("", "b"));
	assert_false(auth_audience_has("a b", ""));
	assert_false(auth_audience_has("6962902390648833",
	    "69629023906488335"));
}

/* --- auth: the token --------------------------------------------------- */

/* Who the token names, when the lookup accepts it. */
struct who {
	char user_id[ID_BYTES + 1];
	char org_id[ID_BYTES + 1];
};

/* The token's part of a call: its digest, the lookup, the verdict. */
static enum err
authenticate(const char *header, struct who *who)
{
	struct lookup_key k;
	struct lookup l;
	char digest[SHA256_HEX];
	enum err e;

	memset(who, 0, sizeof(*who));
	if ((e = auth_digest(header, digest)) != ERR_OK)
		return e;
	memset(&k, 0, sizeof(k));
	k.digest = digest;
	k.project_id = "P";
	k.app_id = "A";
	k.permission = PERMISSION_APP_WRITE;
	if ((e = store_lookup((struct store *)&cfg, &k, &l)) != ERR_OK)
		return e;
	if ((e = auth_accept(&cfg, digest, &l)) != ERR_OK)
		return e;
	memcpy(who->user_id, l.user_id, sizeof(who->user_id));
	memcpy(who->org_id, l.user_org, sizeof(who->org_id));
	return ERR_OK;
}

static void
test_authenticate(void **state)
{
	static const char *const no_lookup[] = {
		"Bearer ", "Bearer a\"b", "Bearer a,b", "Bearer a;b",
		"Bearer \xc3\xa9", "Bearer a\x01", "Bearer a b",
	};
	struct who who;
	char *huge;
	size_t i;

	(void)state;
	assert_int_equal(authenticate(NULL, &who), ERR_AUTH_MISSING);
	assert_int_equal(authenticate("Basic abc", &who), ERR_AUTH_MISSING);
	assert_int_equal(fake.token_calls, 0);
	/* Not a token at all: refused without a lookup. */
	for (i = 0; i < sizeof(no_lookup) / sizeof(no_lookup[0]); i++)
		assert_int_equal(authenticate(no_lookup[i], &who),
		    ERR_TOKEN_INVALID);
	huge = malloc(TOKEN_MAX + 16);
	assert_non_null(huge);
	memcpy(huge, "Bearer ", 7);
	memset(huge + 7, 'x', TOKEN_MAX + 1);
	huge[7 + TOKEN_MAX + 1] = '\0';
	assert_int_equal(authenticate(huge, &who), ERR_TOKEN_INVALID);
	assert_int_equal(fake.token_calls, 0);
	/* TOKEN_MAX characters are looked up. */
	huge[7 + TOKEN_MAX] = '\0';
	assert_int_equal(authenticate(huge, &who), ERR_OK);
	assert_int_equal(fake.token_calls, 1);
	free(huge);

	/* RFC 6750 b64token characters; the SHA-256 (FIPS 180-2 B.1). */
	fake_store_reset();
	assert_int_equal(authenticate("Bearer abc", &who), ERR_OK);
	assert_string_equal(fake.digest, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
	assert_string_equal(who.user_id, FAKE_USER);
	assert_string_equal(who.org_id, FAKE_USER_ORG);
	assert_int_equal(authenticate("Bearer aZ09-._~+/==", &who), ERR_OK);
	assert_int_equal(fake.token_calls, 2);
}

static void
test_audience_check(void **state)
{
	struct who who;

	(void)state;
	snprintf(fake.token.audience, sizeof(fake.token.audience),
	    "other " FAKE_API_PROJECT "x");
	assert_int_equal(authenticate("Bearer t1", &who), ERR_TOKEN_INVALID);
	assert_string_equal(who.user_id, "");
	/* A personal access token has no audience to check. */
	fake.token.pat = 1;
	assert_int_equal(authenticate("Bearer t2", &who), ERR_OK);
	assert_string_equal(who.user_id, FAKE_USER);
	fake.token.pat = 0;
	fake.token.audience[0] = '\0';
	assert_int_equal(authenticate("Bearer t3", &who), ERR_TOKEN_INVALID);
	/* The store's own failures pass through. */
	fake.token_rc = ERR_UNAVAILABLE;
	assert_int_equal(authenticate("Bearer t4", &who), ERR_UNAVAILABLE);
	fake.token_rc = ERR_INTERNAL;
	assert_int_equal(authenticate("Bearer t5", &who), ERR_INTERNAL);
}

/*
 * A refused token is refused again for a second without a lookup: this
 * test counts the store's token lookups, so it fails without the cache.
 */
static void
test_refused_cache(void **state)
{
	struct who who;
	unsigned i;

	(void)state;
	fake.token_rc = ERR_TOKEN_INVALID;
	assert_int_equal(authenticate("Bearer dead", &who), ERR_TOKEN_INVALID);
	assert_int_equal(fake.token_calls, 1);
	for (i = 0; i < 10; i++)
		assert_int_equal(authenticate("Bearer dead", &who),
		    ERR_TOKEN_INVALID);
	assert_int_equal(fake.token_calls, 1);
	/* The scheme's spelling and white space do not matter: the token. */
	assert_int_equal(authenticate("bearer\tdead  ", &who),
	    ERR_TOKEN_INVALID);
	assert_int_equal(fake.token_calls, 1);
	/* Even if it turned valid since: at most a second late. */
	fake.token_rc = ERR_OK;
	assert_int_equal(authenticate("Bearer dead", &who), ERR_TOKEN_INVALID);
	assert_int_equal(fake.token_calls, 1);
	/* Another token is looked up. */
	assert_int_equal(authenticate("Bearer alive", &who), ERR_OK);
	assert_int_equal(fake.token_calls, 2);
	/* Once the second has passed, it is asked about again. */
	for (i = 0; i < REFUSED_SLOTS; i++)
		refused[i].until = util_mono_ns() - 1;
	assert_int_equal(authenticate("Bearer dead", &who), ERR_OK);
	assert_int_equal(fake.token_calls, 3);
	assert_string_equal(who.user_id, FAKE_USER);
}

static void
test_cache_keeps_no_acceptance(void **state)
{
	struct who who;

	(void)state;
	/* Accepted, then revoked: refused at once, never from a cache. */
	assert_int_equal(authenticate("Bearer tok", &who), ERR_OK);
	assert_int_equal(authenticate("Bearer tok", &who), ERR_OK);
	assert_int_equal(fake.token_calls, 2);
	fake.token_rc = ERR_TOKEN_INVALID;
	assert_int_equal(authenticate("Bearer tok", &who), ERR_TOKEN_INVALID);
	assert_int_equal(fake.token_calls, 3);
	/* An outage is not a refusal: asked again next time. */
	fake_store_reset();
	fake.token_rc = ERR_UNAVAILABLE;
	assert_int_equal(authenticate("Bearer t", &who), ERR_UNAVAILABLE);
	assert_int_equal(authenticate("Bearer t", &who), ERR_UNAVAILABLE);
	assert_int_equal(fake.token_calls, 2);
	fake.token_rc = ERR_OK;
	assert_int_equal(authenticate("Bearer t", &who), ERR_OK);
	/* A refusal for the audience is remembered like any other. */
	fake_store_reset();
	fake.token.audience[0] = '\0';
	assert_int_equal(authenticate("Bearer aud", &who), ERR_TOKEN_INVALID);
	assert_int_equal(authenticate("Bearer aud", &who), ERR_TOKEN_INVALID);
	assert_int_equal(fake.token_calls, 1);
}

/* Two tokens that share a slot: the newer refusal takes it. */
static void
test_cache_slot_taken(void **state)
{
	char a[32], b[32], da[SHA256_HEX], db[SHA256_HEX];
	struct who who;
	char ha[48], hb[48];
	int i, j = -1;

	(void)state;
	snprintf(a, sizeof(a), "t0");
	secret_sha256_hex(a, strlen(a), da);
	for (i = 1; i < 100000 && j < 0; i++) {
		snprintf(b, sizeof(b), "t%d", i);
		secret_sha256_hex(b, strlen(b), db);
		if (refused_slot(da) == refused_slot(db) &&
		    memcmp(da, db, SHA256_HEX) != 0)
			j = i;
	}
	assert_true(j > 0);
	snprintf(ha, sizeof(ha), "Bearer %s", a);
	snprintf(hb, sizeof(hb), "Bearer %s", b);
	fake.token_rc = ERR_TOKEN_INVALID;
	assert_int_equal(authenticate(ha, &who), ERR_TOKEN_INVALID);
	assert_int_equal(authenticate(hb, &who), ERR_TOKEN_INVALID);
	assert_int_equal(fake.token_calls, 2);
	assert_int_equal(authenticate(hb, &who), ERR_TOKEN_INVALID);
	assert_int_equal(fake.token_calls, 2);
	assert_int_equal(authenticate(ha, &who), ERR_TOKEN_INVALID);
	assert_int_equal(fake.token_calls, 3);
}

/* --- the acting organisation ------------------------------------------- */

/* What the lookup is asked about the organisation, and its verdict. */
static void
test_acting_org(void **state)
{
	struct outcome out;
	struct call c;

	(void)state;
	/* v1 without the header, or with an empty one: the user's own. */
	call_init(&c, RPC_V1_OIDC);
	assert_int_equal(run(&c, &out), ERR_OK);
	assert_int_equal(fake.v1, 1);
	assert_string_equal(fake.org, "(null)");
	c.org_header = "";
	fake.org_rc = ERR_ORG_NOT_FOUND;	/* never looked at */
	assert_int_equal(run(&c, &out), ERR_OK);
	assert_string_equal(fake.org, "(null)");
	/* A header names the org, which must be active. */
	fake.org_rc = ERR_OK;
	c.org_header = "other";
	assert_int_equal(run(&c, &out), ERR_OK);
	assert_string_equal(fake.org, "other");
	fake.org_rc = ERR_ORG_NOT_FOUND;
	c.org_header = "gone";
	assert_int_equal(run(&c, &out), ERR_ORG_NOT_FOUND);
	/* No ID at all: no org has it, the lookup says so. */
	c.org_header = "a\x01";
	assert_int_equal(run(&c, &out), ERR_ORG_NOT_FOUND);
	fake.org_rc = ERR_UNAVAILABLE;
	c.org_header = "x";
	assert_int_equal(run(&c, &out), ERR_UNAVAILABLE);
	/* v2 and v2beta: the project's own organisation, whatever is sent. */
	fake_store_reset();
	call_init(&c, RPC_V2);
	c.org_header = "ignored";
	fake.org_rc = ERR_ORG_NOT_FOUND;
	assert_int_equal(run(&c, &out), ERR_OK);
	assert_int_equal(fake.v1, 0);
	assert_string_equal(fake.org, "(null)");
	call_init(&c, RPC_V2BETA);
	c.org_header = "ignored";
	assert_int_equal(run(&c, &out), ERR_OK);
	assert_string_equal(fake.org, "(null)");
	outcome_wipe(&out);
}

/* --- the order of the checks ------------------------------------------ */

/*
 * A call that fails every check; each step lifts the failure that
 * answered, and the next check answers.  calls is what the store was
 * asked up to that answer.
 */
struct step {
	enum err want;
	const char *calls;
};

static void
check_step(const struct call *c, const struct step *s, int n)
{
	struct outcome out;
	enum err e;

	fake.calls[0] = '\0';
	hashes = 0;
	memset(refused, 0, sizeof(refused));
	e = run(c, &out);
	if (e != s->want || strcmp(fake.calls, s->calls) != 0)
		fail_msg("step %d: %d after \"%s\", want %d after \"%s\"", n,
		    (int)e, fake.calls, (int)s->want, s->calls);
	assert_int_equal(hashes, e == ERR_OK ? 1 : 0);
	outcome_wipe(&out);
}

/* The next step: its failure was lifted just before. */
#define NEXT() do { \
	i++; \
	check_step(&c, &steps[i], i); \
} while (0)

static void
order_v1(enum rpc rpc, enum err wrong_kind, enum app_kind other)
{
	const struct step steps[] = {
		{ ERR_AUTH_MISSING, "" },
		{ ERR_TOKEN_INVALID, "lookup" },
		{ ERR_ORG_NOT_FOUND, "lookup" },
		{ ERR_ID_MISSING, "lookup" },
		{ ERR_INVALID_ARGUMENT, "lookup" },
		{ ERR_PERMISSION_DENIED, "lookup" },
		{ ERR_APP_NOT_FOUND, "lookup" },
		{ wrong_kind, "lookup" },
		{ ERR_OK, "lookup,change" },
	};
	struct call c;
	int i = 0;

	fake_store_reset();
	memset(&c, 0, sizeof(c));
	c.rpc = rpc;
	c.org_header = "org-2";
	/* An empty project and a malformed app: "missing" comes first. */
	assert_int_equal(call_set_ids(&c, "", 0, "\xff", 1), 0);
	fake.token_rc = ERR_TOKEN_INVALID;
	fake.org_rc = ERR_ORG_NOT_FOUND;
	fake.permission_rc = ERR_PERMISSION_DENIED;
	fake.app_rc = ERR_APP_NOT_FOUND;
	fake.app.kind = other;

	check_step(&c, &steps[i], i);
	c.authorization = "Bearer some-token";
	NEXT();
	fake.token_rc = ERR_OK;
	NEXT();
	fake.org_rc = ERR_OK;
	NEXT();
	assert_int_equal(call_set_ids(&c, "P", 1, "\xff", 1), 0);
	NEXT();
	assert_int_equal(call_set_ids(&c, "P", 1, "A", 1), 0);
	NEXT();
	fake.permission_rc = ERR_OK;
	NEXT();
	fake.app_rc = ERR_OK;
	NEXT();
	fake.app.kind = rpc == RPC_V1_OIDC ? APP_OIDC : APP_API;
	NEXT();
	/* The acting org is the header's; the event's the project's. */
	assert_int_equal(fake.v1, 1);
	assert_string_equal(fake.org, "org-2");
	assert_string_equal(fake.change.org, FAKE_OWNER);
}

static void
test_order_v1_oidc(void **state)
{
	(void)state;
	order_v1(RPC_V1_OIDC, ERR_APP_NOT_OIDC, APP_API);
}

static void
test_order_v1_api(void **state)
{
	(void)state;
	order_v1(RPC_V1_API, ERR_APP_NOT_API, APP_OIDC);
}

static void
test_order_v2(void **state)
{
	const struct step steps[] = {
		{ ERR_AUTH_MISSING, "" },
		{ ERR_TOKEN_INVALID, "lookup" },
		/* No org check: the project's own organisation acts. */
		{ ERR_ID_MISSING_V2, "lookup" },
		{ ERR_INVALID_ARGUMENT, "lookup" },
		{ ERR_PERMISSION_DENIED, "lookup" },
		{ ERR_APP_NOT_FOUND_V2, "lookup" },
		/* A SAML app has no secret: not found, as in ZITADEL. */
		{ ERR_APP_NOT_FOUND_V2, "lookup" },
		{ ERR_OK, "lookup,change" },
	};
	struct call c;
	int i = 0;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.rpc = RPC_V2;
	c.org_header = "ignored";
	assert_int_equal(call_set_ids(&c, "P", 1, "", 0), 0);
	fake.token_rc = ERR_TOKEN_INVALID;
	fake.org_rc = ERR_ORG_NOT_FOUND;
	fake.permission_rc = ERR_PERMISSION_DENIED;
	fake.app_rc = ERR_APP_NOT_FOUND;
	fake.app.kind = APP_SAML;

	check_step(&c, &steps[i], i);
	c.authorization = "Bearer some-token";
	NEXT();
	fake.token_rc = ERR_OK;
	NEXT();
	assert_int_equal(call_set_ids(&c, "P", 1, "A\x7f", 2), 0);
	NEXT();
	assert_int_equal(call_set_ids(&c, "P", 1, "A", 1), 0);
	NEXT();
	fake.permission_rc = ERR_OK;
	NEXT();
	fake.app_rc = ERR_OK;
	NEXT();
	fake.app.kind = APP_API;
	NEXT();
	assert_int_equal(fake.v1, 0);
	assert_string_equal(fake.org, "(null)");
	assert_string_equal(fake.change.org, FAKE_OWNER);
	assert_int_equal(fake.change.kind, APP_API);
}

static void
test_order_v2beta(void **state)
{
	const struct step steps[] = {
		{ ERR_AUTH_MISSING, "" },
		{ ERR_TOKEN_INVALID, "lookup" },
		/* The app type before the IDs, however empty they are. */
		{ ERR_APP_TYPE_UNKNOWN, "lookup" },
		{ ERR_ID_MISSING, "lookup" },
		{ ERR_INVALID_ARGUMENT, "lookup" },
		{ ERR_PERMISSION_DENIED, "lookup" },
		{ ERR_APP_NOT_FOUND, "lookup" },
		{ ERR_APP_NOT_API, "lookup" },
		{ ERR_OK, "lookup,change" },
	};
	struct call c;
	int i = 0;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.rpc = RPC_V2BETA;
	c.org_header = "ignored";
	fake.token_rc = ERR_TOKEN_INVALID;
	fake.org_rc = ERR_ORG_NOT_FOUND;
	fake.permission_rc = ERR_PERMISSION_DENIED;
	fake.app_rc = ERR_APP_NOT_FOUND;
	fake.app.kind = APP_OIDC;

	check_step(&c, &steps[i], i);
	c.authorization = "Bearer some-token";
	NEXT();
	fake.token_rc = ERR_OK;
	NEXT();
	c.msg_kind = MSG_KIND_API;
	NEXT();
	assert_int_equal(call_set_ids(&c, "\x01", 1, "A", 1), 0);
	NEXT();
	assert_int_equal(call_set_ids(&c, "P", 1, "A", 1), 0);
	NEXT();
	fake.permission_rc = ERR_OK;
	NEXT();
	fake.app_rc = ERR_OK;
	NEXT();
	fake.app.kind = APP_API;
	NEXT();
	assert_int_equal(fake.v1, 0);
	assert_string_equal(fake.org, "(null)");
	assert_string_equal(fake.change.org, FAKE_OWNER);
}

/* Which app kinds each call may change. */
static void
test_kinds(void **state)
{
	static const struct {
		enum rpc rpc;
		enum msg_kind msg;
		enum app_kind app;
		enum err want;
	} cases[] = {
		{ RPC_V1_OIDC, 0, APP_OIDC, ERR_OK },
		{ RPC_V1_OIDC, 0, APP_API, ERR_APP_NOT_OIDC },
		{ RPC_V1_OIDC, 0, APP_SAML, ERR_APP_NOT_OIDC },
		{ RPC_V1_API, 0, APP_API, ERR_OK },
		{ RPC_V1_API, 0, APP_OIDC, ERR_APP_NOT_API },
		{ RPC_V1_API, 0, APP_SAML, ERR_APP_NOT_API },
		{ RPC_V2, 0, APP_OIDC, ERR_OK },
		{ RPC_V2, 0, APP_API, ERR_OK },
		{ RPC_V2, 0, APP_SAML, ERR_APP_NOT_FOUND_V2 },
		{ RPC_V2BETA, MSG_KIND_OIDC, APP_OIDC, ERR_OK },
		{ RPC_V2BETA, MSG_KIND_OIDC, APP_API, ERR_APP_NOT_OIDC },
		{ RPC_V2BETA, MSG_KIND_OIDC, APP_SAML, ERR_APP_NOT_OIDC },
		{ RPC_V2BETA, MSG_KIND_API, APP_API, ERR_OK },
		{ RPC_V2BETA, MSG_KIND_API, APP_OIDC, ERR_APP_NOT_API },
		{ RPC_V2BETA, MSG_KIND_NONE, APP_OIDC, ERR_APP_TYPE_UNKNOWN },
	};
	struct outcome out;
	struct call c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum err e;

		fake_store_reset();
		fake.app.kind = cases[i].app;
		call_init(&c, cases[i].rpc);
		c.msg_kind = cases[i].msg;
		e = run(&c, &out);
		if (e != cases[i].want)
			fail_msg("case %zu: %d, want %d", i, (int)e,
			    (int)cases[i].want);
		assert_int_equal(fake.change_calls, e == ERR_OK ? 1 : 0);
		if (e == ERR_OK)
			assert_int_equal(fake.change.kind, cases[i].app);
		outcome_wipe(&out);
	}
}

/* "Not found", from the lookup or from the transaction, in each call's
 * words; the store's other answers pass through. */
static void
test_not_found_and_store_errors(void **state)
{
	static const struct {
		enum rpc rpc;
		enum err want;
	} calls[] = {
		{ RPC_V1_OIDC, ERR_APP_NOT_FOUND },
		{ RPC_V1_API, ERR_APP_NOT_FOUND },
		{ RPC_V2, ERR_APP_NOT_FOUND_V2 },
		{ RPC_V2BETA, ERR_APP_NOT_FOUND },
	};
	struct outcome out;
	struct call c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		fake_store_reset();
		hashes = 0;
		if (calls[i].rpc == RPC_V1_API)
			fake.app.kind = APP_API;
		call_init(&c, calls[i].rpc);
		fake.app_rc = ERR_APP_NOT_FOUND;
		assert_int_equal(run(&c, &out), calls[i].want);
		assert_int_equal(hashes, 0);
		/* Gone by the time of the transaction. */
		fake.app_rc = ERR_OK;
		fake.change_rc = ERR_APP_NOT_FOUND;
		hashes = 0;
		assert_int_equal(run(&c, &out), calls[i].want);
		assert_int_equal(hashes, 1);
		assert_int_equal(fake.change_calls, 1);
	}
	fake_store_reset();
	call_init(&c, RPC_V1_OIDC);
	fake.change_rc = ERR_APP_NOT_OIDC;	/* its type changed meanwhile */
	assert_int_equal(run(&c, &out), ERR_APP_NOT_OIDC);
	fake.change_rc = ERR_UNAVAILABLE;
	assert_int_equal(run(&c, &out), ERR_UNAVAILABLE);
	fake.change_rc = ERR_OK;
	fake.app_rc = ERR_INTERNAL;
	assert_int_equal(run(&c, &out), ERR_INTERNAL);
	fake.app_rc = ERR_OK;
	fake.permission_rc = ERR_UNAVAILABLE;
	assert_int_equal(run(&c, &out), ERR_UNAVAILABLE);
	fake.permission_rc = ERR_OK;
	c.rpc = RPC__COUNT;
	fake.change_calls = 0;
	fake.token_calls = 0;
	assert_int_equal(run(&c, &out), ERR_INTERNAL);
	assert_int_equal(fake.token_calls, 0);
}

/* --- success ----------------------------------------------------------- */

static void
test_success(void **state)
{
	struct outcome out;
	struct call c;
	size_t i;

	(void)state;
	call_init(&c, RPC_V1_OIDC);
	assert_int_equal(run(&c, &out), ERR_OK);
	assert_int_equal(hashes, 1);
	assert_int_equal(fake.change_calls, 1);
	/* What the store was asked: one lookup, one change. */
	assert_string_equal(fake.calls, "lookup,change");
	assert_string_equal(fake.digest, "461caa80a52104436e34006189430d13"
	    "aba103b2c4344d446ea3d9324b0de1c0");
	assert_int_equal(fake.v1, 1);
	assert_string_equal(fake.org, "(null)");
	assert_string_equal(fake.project, "P");
	assert_string_equal(fake.app_id, "A");
	assert_string_equal(fake.permission, "project.app.write");
	assert_string_equal(fake.change.project, "P");
	assert_string_equal(fake.change.app, "A");
	assert_string_equal(fake.change.org, FAKE_OWNER);
	assert_int_equal(fake.change.kind, APP_OIDC);
	assert_string_equal(fake.change.editor, FAKE_USER);
	/* The secret: secret_length letters and digits, and its hash. */
	assert_int_equal(strlen(out.client_secret), cfg.secret_length);
	for (i = 0; i < cfg.secret_length; i++)
		assert_non_null(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "abcdefghijklmnopqrstuvwxyz0123456789",
		    out.client_secret[i]));
	assert_int_equal(strncmp(fake.change.hash, "$2b$04$", 7), 0);
	assert_int_equal(secret_verify(out.client_secret,
	    strlen(out.client_secret), fake.change.hash), 1);
	/* The outcome is the transaction's. */
	assert_true(out.sequence == 8);
	assert_true(out.change_date.sec == 1795785255);
	assert_int_equal(out.change_date.nsec, 500000000);
	assert_true(out.creation_date.sec == 1795774272);
	assert_string_equal(out.resource_owner, FAKE_OWNER);
	assert_string_equal(out.user_id, FAKE_USER);
	outcome_wipe(&out);
	assert_true(all_zero(out.client_secret, sizeof(out.client_secret)));
	/* A new secret each time. */
	{
		char first[SECRET_MAX + 1];

		assert_int_equal(run(&c, &out), ERR_OK);
		memcpy(first, out.client_secret, sizeof(first));
		assert_int_equal(run(&c, &out), ERR_OK);
		assert_string_not_equal(first, out.client_secret);
		outcome_wipe(&out);
	}
}

/* The user is known for the log line even when a later check fails. */
static void
test_user_for_log(void **state)
{
	struct outcome out;
	struct call c;

	(void)state;
	call_init(&c, RPC_V1_OIDC);
	fake.permission_rc = ERR_PERMISSION_DENIED;
	assert_int_equal(run(&c, &out), ERR_PERMISSION_DENIED);
	assert_string_equal(out.user_id, FAKE_USER);
	fake.token_rc = ERR_TOKEN_INVALID;
	assert_int_equal(run(&c, &out), ERR_TOKEN_INVALID);
	assert_string_equal(out.user_id, "");
}

/* --- the deadline ------------------------------------------------------ */

static void
test_deadline(void **state)
{
	struct outcome out;
	struct call c;

	(void)state;
	/* Already past: every check runs, then nothing is hashed or written. */
	call_init(&c, RPC_V1_OIDC);
	c.deadline_ns = 1;
	assert_int_equal(run(&c, &out), ERR_DEADLINE);
	assert_string_equal(fake.calls, "lookup");
	assert_int_equal(hashes, 0);
	assert_int_equal(fake.change_calls, 0);
	/* A check that fails answers before the deadline does. */
	fake.permission_rc = ERR_PERMISSION_DENIED;
	assert_int_equal(run(&c, &out), ERR_PERMISSION_DENIED);
	fake.permission_rc = ERR_OK;
	/* Passing while the hash runs: nothing is written. */
	c.deadline_ns = util_mono_ns() + 300000000;
	hash_until = c.deadline_ns + 1000000;
	assert_int_equal(run(&c, &out), ERR_DEADLINE);
	assert_int_equal(hashes, 1);
	assert_int_equal(fake.change_calls, 0);
	/* Far enough ahead: done. */
	hash_until = 0;
	hashes = 0;
	c.deadline_ns = util_mono_ns() + INT64_C(60000000000);
	assert_int_equal(run(&c, &out), ERR_OK);
	assert_int_equal(hashes, 1);
	assert_int_equal(fake.change_calls, 1);
	outcome_wipe(&out);
}

/* No error writes, whichever check gives it, and none leaves a secret. */
static void
test_no_write_on_error(void **state)
{
	enum err *rcs[] = {
		&fake.token_rc, &fake.org_rc, &fake.permission_rc, &fake.app_rc,
	};
	static const enum err fails[] = {
		ERR_TOKEN_INVALID, ERR_ORG_NOT_FOUND, ERR_PERMISSION_DENIED,
		ERR_APP_NOT_FOUND,
	};
	struct outcome out;
	struct call c;
	size_t i;
	int rpc;

	(void)state;
	for (rpc = 0; rpc < RPC__COUNT; rpc++)
		for (i = 0; i < sizeof(fails) / sizeof(fails[0]); i++) {
			fake_store_reset();
			memset(refused, 0, sizeof(refused));
			hashes = 0;
			if (rpc >= RPC_V2 && rcs[i] == &fake.org_rc)
				continue;	/* never looked at */
			call_init(&c, (enum rpc)rpc);
			c.org_header = "org-2";
			*rcs[i] = fails[i];
			assert_int_not_equal(run(&c, &out), ERR_OK);
			assert_int_equal(fake.change_calls, 0);
			assert_int_equal(hashes, 0);
			*rcs[i] = ERR_UNAVAILABLE;
			fake.token_calls = 0;
			memset(refused, 0, sizeof(refused));
			assert_int_equal(run(&c, &out), ERR_UNAVAILABLE);
			assert_int_equal(fake.change_calls, 0);
			assert_int_equal(hashes, 0);
		}
	/* The transaction's own failure: the secret is wiped. */
	fake_store_reset();
	call_init(&c, RPC_V2);
	fake.change_rc = ERR_UNAVAILABLE;
	assert_int_equal(run(&c, &out), ERR_UNAVAILABLE);
	assert_int_equal(hashes, 1);
	assert_true(out.sequence == 0);
}

/* --- the call's IDs and the service's settings ------------------------- */

static void
test_call_set_ids(void **state)
{
	char big[ID_BYTES + 1];
	struct call c;

	(void)state;
	memset(big, 'x', sizeof(big));
	memset(&c, 0, sizeof(c));
	assert_int_equal(call_set_ids(&c, big, ID_BYTES, big, ID_BYTES), 0);
	assert_int_equal(c.project_id.n, ID_BYTES);
	assert_int_equal(c.app_id.n, ID_BYTES);
	assert_ptr_equal(c.project_id.p, c.ids);
	assert_ptr_equal(c.app_id.p, c.ids + ID_BYTES);
	assert_int_equal(call_set_ids(&c, big, ID_BYTES + 1, "a", 1), -1);
	assert_int_equal(call_set_ids(&c, "p", 1, big, ID_BYTES + 1), -1);
	assert_int_equal(call_set_ids(&c, NULL, 0, NULL, 0), 0);
	assert_int_equal(c.project_id.n, 0);
	assert_int_equal(c.app_id.n, 0);
}

static void
test_service_init(void **state)
{
	struct config c;
	struct service s;

	(void)state;
	config_defaults(&c);
	c.hash_algorithm = HASH_BCRYPT;
	c.argon2_memory_kib = 1024;
	c.argon2_iterations = 3;
	c.argon2_parallelism = 2;
	c.bcrypt_cost = 5;
	service_init(&s, &c, (struct store *)&c);
	assert_ptr_equal(s.cfg, &c);
	assert_ptr_equal(s.store, (struct store *)&c);
	assert_int_equal(s.hash.alg, HASH_BCRYPT);
	assert_int_equal(s.hash.m_kib, 1024);
	assert_int_equal(s.hash.t, 3);
	assert_int_equal(s.hash.p, 2);
	assert_int_equal(s.hash.cost, 5);
}

#define T(f) cmocka_unit_test_setup(f, setup)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_bearer),
		T(test_audience),
		T(test_authenticate),
		T(test_audience_check),
		T(test_refused_cache),
		T(test_cache_keeps_no_acceptance),
		T(test_cache_slot_taken),
		T(test_acting_org),
		T(test_order_v1_oidc),
		T(test_order_v1_api),
		T(test_order_v2),
		T(test_order_v2beta),
		T(test_kinds),
		T(test_not_found_and_store_errors),
		T(test_success),
		T(test_user_for_log),
		T(test_deadline),
		T(test_no_write_on_error),
		T(test_call_set_ids),
		T(test_service_init),
	};

	return cmocka_run_group_tests_name("service", tests, group_setup,
	    NULL);
}
