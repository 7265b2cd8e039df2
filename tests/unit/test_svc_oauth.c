/*
 * test_svc_oauth.c - OAuth 2.0 and OpenID Connect (src/svc_oauth.c) and
 * client authentication (src/clientauth.c), over a fake store
 * (fake_store.c): no database.
 *
 * Includes auth.c and clientauth.c to reach their caches.  A JWT bearer
 * assertion is signed here with libgcrypt by a test key made for this file
 * (openssl genrsa 2048), whose public half is the fake store's key.
 *
 * Covers: discovery's endpoints under the issuer; the authorization
 * endpoint's refusal; userinfo for any good bearer token; the token
 * endpoint: grant_type missing or unknown, client credentials (none, a
 * client ID with a NUL, an unknown client, one without a secret, a wrong
 * secret, the right one, the previous one within its grace, an inactive
 * client), each refusal the same invalid_client; the costs (an unknown
 * client one hash as a known one; a refused pair remembered for a second
 * without asking the store; a verified pair trusted while its hash is
 * still the client's, verified again once it is not); the token issued
 * (43 random characters, stored by SHA-256 with user, audience, scopes
 * and lifetime) and the scopes (openid, ZITADEL's audience scopes, a
 * project that does not exist, characters RFC 6749 3.3 forbids, others
 * left out); a JWT bearer assertion (missing, malformed, no such key, a
 * bad signature, the wrong audience, expired, good); introspection (its
 * client an API app, the token's states, active only for the app's
 * project, and what an active answer says); clientauth_key's lengths.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <gcrypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.c"
#include "clientauth.c"

#include "b64.h"
#include "fake_store.h"
#include "service.h"
#include "unit.h"

#define N(x) (sizeof(x) / sizeof((x)[0]))

#define ISSUER "https://id.example"
#define ZITADEL_AUD "urn:zitadel:iam:org:project:id:zitadel:aud"

/* The test key: its public half, and n and d for signing. */
static const char pem2048[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAnLOEo679XgmX2exZX2Lp\n"
    "RXhlHE/nOJ7LQ4iDYXkmF2ATzYx/qahLTNXDRFE15RITvr1V400Mf7cFMuQM2C/m\n"
    "F3pNLHKwcUcQVCy6PTsZ8fjfUNRbRuDRZxGaZdHjfF3akiQ3IC26H9MsOtgVWqx+\n"
    "qD8gN6mIqoc1JVg4aJiN5fnPDi/pHeL1gxCOMcyLxu/u6FNfKQ/1gUoz/zAGfQMg\n"
    "T2r8RSwhEWD8I66mh73IpaV6Jdzr6/331K3aAbgmlS4ToiXIRpqZzu4bCbOfpdR5\n"
    "rvEH67y7BadvL8nlT1UHeJ79y7eY2UAvpta5qwS5PZihKoGqyLg9BDkU5CxgHawL\n"
    "qwIDAQAB\n"
    "-----END PUBLIC KEY-----\n";
static const char rsa_n[] =
    "9CB384A3AEFD5E0997D9EC595F62E94578651C4FE7389ECB4388836179261760"
    "13CD8C7FA9A84B4CD5C3445135E51213BEBD55E34D0C7FB70532E40CD82FE617"
    "7A4D2C72B0714710542CBA3D3B19F1F8DF50D45B46E0D167119A65D1E37C5DDA"
    "922437202DBA1FD32C3AD8155AAC7EA83F2037A988AA873525583868988DE5F9"
    "CF0E2FE91DE2F583108E31CC8BC6EFEEE8535F290FF5814A33FF30067D03204F"
    "6AFC452C211160FC23AEA687BDC8A5A57A25DCEBEBFDF7D4ADDA01B826952E13"
    "A225C8469A99CEEE1B09B39FA5D479AEF107EBBCBB05A76F2FC9E54F5507789E"
    "FDCBB798D9402FA6D6B9AB04B93D98A12A81AAC8B83D043914E42C601DAC0BAB";
static const char rsa_d[] =
    "2E1FCF3288EF0E2F7FB18716B5737D5B53F95B108FEC441D6B86F2B90DBA6F15"
    "FA2E3E2553B0745DACEC199F57E051E65AF60B22694AFD0AC7AE779EEA418B16"
    "2D0B2B42A4F9EAE37D0B5F5467A196EE5CF943508CB7DF1B59FC9AECE16B798A"
    "BD0A88E9615C5042CDD9924212DB043B0CBDB474A40421E13C594FDD45CE3ABB"
    "4B63C92A931B7D22AA54EEF2FFF0B7695B817476F0B6F1CE4E2F539D5B0DB6A7"
    "DAE62CACB790A667F1AA5B56899CABB503FF1579047921DE491EB2B7633D8E84"
    "6721BCA443EF998FA5AF08C9869C07CCE60188E38C41C2F62FA8381BE16F74BD"
    "991D6A2550A1277F41EE67912F0FBF35BDA06D54BB9D11B42978B4F84B8AFDAD";

/* --- set-up ------------------------------------------------------------- */

static struct config cfg;
static struct service svc;
static struct call c;
static struct answer o;
static char good_hash[HASH_MAX], other_hash[HASH_MAX];

static int
group_setup(void **state)
{
	(void)state;
	if (unit_service(&cfg, &svc, FAKE_API_PROJECT,
	    "access_token_lifetime_s", "3600") != 0)
		return -1;
	if (secret_hash(&svc.hash, "s3cret", 6, good_hash,
	    sizeof(good_hash)) != 0 ||
	    secret_hash(&svc.hash, "older", 5, other_hash,
	    sizeof(other_hash)) != 0)
		return -1;
	return 0;
}

static int
setup(void **state)
{
	(void)state;
	fake_store_reset();
	memset(refused, 0, sizeof(refused));
	memset(trusted, 0, sizeof(trusted));
	return 0;
}

static void
call_for(const char *name)
{
	memset(&c, 0, sizeof(c));
	c.def = unit_call(name);
	snprintf(c.issuer, sizeof(c.issuer), "%s", ISSUER);
}

static enum err
run(void)
{
	enum err e;

	fake.calls[0] = '\0';
	memset(&o, 0, sizeof(o));
	e = c.def->run(&svc, &c, &o);
	if (e != ERR_OK)
		assert_false(o.out[OUT_ACCESS_TOKEN].set);
	return e;
}

static void
assert_out(unsigned slot, const char *want)
{
	const struct value *v = &o.out[slot];

	if (want == NULL) {
		if (v->set)
			fail_msg("slot %u set", slot);
		return;
	}
	if (!v->set || v->s.n != strlen(want) ||
	    memcmp(v->s.p, want, v->s.n) != 0)
		fail_msg("slot %u: \"%.*s\", want \"%s\"", slot,
		    v->set ? (int)v->s.n : 0, v->set ? v->s.p : "", want);
}

/* --- discovery, authorize, userinfo ------------------------------------- */

static void
test_discovery(void **state)
{
	(void)state;
	call_for("discovery");
	snprintf(c.issuer, sizeof(c.issuer), "%s//", ISSUER);
	assert_int_equal(run(), ERR_OK);
	assert_out(OUT_ISSUER, ISSUER);
	assert_out(OUT_TOKEN_ENDPOINT, ISSUER "/oauth/v2/token");
	assert_out(OUT_INTROSPECTION_ENDPOINT, ISSUER "/oauth/v2/introspect");
	assert_out(OUT_AUTHORIZATION_ENDPOINT, ISSUER "/oauth/v2/authorize");
	assert_out(OUT_USERINFO_ENDPOINT, ISSUER "/oidc/v1/userinfo");
	assert_out(OUT_GRANT_TYPES, "client_credentials "
	    "urn:ietf:params:oauth:grant-type:jwt-bearer");
	assert_out(OUT_AUTH_METHODS, "client_secret_basic client_secret_post");
	assert_out(OUT_SCOPES_SUPPORTED, "openid " ZITADEL_AUD);
	/* No interactive login: no response type, but the member. */
	assert_out(OUT_RESPONSE_TYPES, "");
	assert_string_equal(fake.calls, "");
	call_for("authorize");
	assert_int_equal(run(), ERR_OAUTH_RESPONSE_TYPE);
}

static void
test_userinfo(void **state)
{
	(void)state;
	call_for("userinfo");
	assert_int_equal(run(), ERR_AUTH_MISSING);
	c.authorization = "Bearer tok";
	/* Any good token of this server: its audience is not asked. */
	fake.token.audience[0] = '\0';
	assert_int_equal(run(), ERR_OK);
	assert_out(OUT_SUBJECT, FAKE_USER);
	assert_out(OUT_USERNAME, FAKE_USERNAME);
	assert_out(OUT_NAME, FAKE_USERNAME);
	fake.token.expired = 1;
	c.authorization = "Bearer other";
	assert_int_equal(run(), ERR_TOKEN_INVALID);
	assert_out(OUT_SUBJECT, NULL);
}

/* --- the token endpoint: client credentials ----------------------------- */

static void
creds(const char *id, const char *secret)
{
	call_for("token");
	unit_arg(&c, ARG_GRANT_TYPE, "client_credentials");
	unit_arg(&c, ARG_CLIENT_ID, id);
	unit_arg(&c, ARG_CLIENT_SECRET, secret);
}

static void
test_grant_type(void **state)
{
	(void)state;
	call_for("token");
	assert_int_equal(run(), ERR_OAUTH_MISSING);
	unit_arg(&c, ARG_GRANT_TYPE, "password");
	assert_int_equal(run(), ERR_OAUTH_GRANT_TYPE);
	unit_arg(&c, ARG_GRANT_TYPE, "client_credentials ");
	assert_int_equal(run(), ERR_OAUTH_GRANT_TYPE);
	unit_arg(&c, ARG_GRANT_TYPE, "Client_Credentials");
	assert_int_equal(run(), ERR_OAUTH_GRANT_TYPE);
	assert_string_equal(fake.calls, "");
}

/* Every refusal is the one invalid_client; the log says which. */
static void
test_client_refusals(void **state)
{
	unsigned long before;

	(void)state;
	/* No client authentication at all: no store, no hash. */
	creds(NULL, NULL);
	before = clientauth_verifications();
	assert_int_equal(run(), ERR_OAUTH_CLIENT);
	assert_string_equal(o.reason, "no client authentication");
	creds("svc-bot", NULL);
	assert_int_equal(run(), ERR_OAUTH_CLIENT);
	creds(NULL, "s3cret");
	assert_int_equal(run(), ERR_OAUTH_CLIENT);
	/* A client ID that cannot be one. */
	creds("svc-bot", "s3cret");
	c.arg[ARG_CLIENT_ID].s.p = "a\0b";
	c.arg[ARG_CLIENT_ID].s.n = 3;
	assert_int_equal(run(), ERR_OAUTH_CLIENT);
	assert_string_equal(o.reason, "malformed client_id");
	assert_string_equal(fake.calls, "");
	assert_true(clientauth_verifications() == before);
	/* Unknown: one hash all the same, as a known client costs. */
	creds("nobody", "s3cret");
	fake.machine_client.found = 0;
	assert_int_equal(run(), ERR_OAUTH_CLIENT);
	assert_string_equal(o.reason, "unknown client");
	assert_string_equal(fake.calls, "machine_client");
	assert_string_equal(fake.client_id, "nobody");
	assert_true(clientauth_verifications() == before + 1);
	/* Known, without a secret: the same. */
	fake_store_reset();
	creds("svc-bot", "s3cret");
	assert_int_equal(run(), ERR_OAUTH_CLIENT);
	assert_string_equal(o.reason, "client has no secret");
	assert_true(clientauth_verifications() == before + 2);
	/* A wrong secret. */
	snprintf(fake.machine_client.hash, HASH_MAX, "%s", good_hash);
	creds("svc-bot", "wrong");
	assert_int_equal(run(), ERR_OAUTH_CLIENT);
	assert_string_equal(o.reason, "wrong client secret");
	assert_true(clientauth_verifications() == before + 3);
	/* Repeated within the second: no store, no hash. */
	assert_int_equal(run(), ERR_OAUTH_CLIENT);
	assert_string_equal(o.reason, "client refused within the last second");
	assert_string_equal(fake.calls, "");
	assert_true(clientauth_verifications() == before + 3);
	/* The right secret of an inactive client. */
	memset(refused, 0, sizeof(refused));
	creds("svc-bot", "s3cret");
	fake.machine_client.active = 0;
	assert_int_equal(run(), ERR_OAUTH_CLIENT);
	assert_string_equal(o.reason,
	    "client, its project or organisation inactive");
	/* The store's failure passes through. */
	creds("svc-bot2", "s3cret");
	fake.machine_client_rc = ERR_UNAVAILABLE;
	assert_int_equal(run(), ERR_UNAVAILABLE);
	assert_string_equal(fake.calls, "machine_client");
}

static void
test_client_credentials(void **state)
{
	static const char alnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789";
	char digest[SHA256_HEX], first[64];
	struct ts now;
	unsigned long before;

	(void)state;
	snprintf(fake.machine_client.hash, HASH_MAX, "%s", good_hash);
	creds(FAKE_MACHINE_NAME, "s3cret");
	unit_arg(&c, ARG_SCOPE, "openid " ZITADEL_AUD);
	before = clientauth_verifications();
	now = ts_now();
	assert_int_equal(run(), ERR_OK);
	assert_string_equal(fake.calls, "machine_client,token_add");
	assert_string_equal(fake.client_id, FAKE_MACHINE_NAME);
	assert_true(clientauth_verifications() == before + 1);
	/* 43 characters of 62: 256 bits, stored only by SHA-256. */
	assert_int_equal(o.out[OUT_ACCESS_TOKEN].s.n, 43);
	assert_true(strspn(o.out[OUT_ACCESS_TOKEN].s.p, alnum) == 43);
	secret_sha256_hex(o.out[OUT_ACCESS_TOKEN].s.p, 43, digest);
	assert_string_equal(fake.token_add.digest, digest);
	assert_string_equal(fake.token_add.user_id, FAKE_MACHINE);
	assert_string_equal(fake.token_add.audience, FAKE_API_PROJECT);
	assert_string_equal(fake.token_add.scopes, "openid " ZITADEL_AUD);
	assert_true(fake.token_add.created.sec >= now.sec &&
	    fake.token_add.created.sec <= now.sec + 5);
	assert_true(fake.token_add.expires.sec ==
	    fake.token_add.created.sec + 3600);
	assert_out(OUT_TOKEN_TYPE, "Bearer");
	assert_true(o.out[OUT_EXPIRES_IN].set);
	assert_true(o.out[OUT_EXPIRES_IN].i == 3600);
	assert_out(OUT_SCOPE, "openid " ZITADEL_AUD);
	assert_string_equal(o.user_id, FAKE_MACHINE);
	snprintf(first, sizeof(first), "%s", o.out[OUT_ACCESS_TOKEN].s.p);
	/* Again: trusted, no hash; a new token. */
	assert_int_equal(run(), ERR_OK);
	assert_true(clientauth_verifications() == before + 1);
	assert_string_not_equal(first, o.out[OUT_ACCESS_TOKEN].s.p);
	/* Rotated, the grace over: the pair is verified again, and fails. */
	snprintf(fake.machine_client.hash, HASH_MAX, "%s", other_hash);
	assert_int_equal(run(), ERR_OAUTH_CLIENT);
	assert_true(clientauth_verifications() == before + 2);
	/*
	 * Within the grace, the previous secret still counts: trusted, as
	 * the hash the pair matched is still one of the client's.
	 */
	memset(refused, 0, sizeof(refused));
	snprintf(fake.machine_client.previous, HASH_MAX, "%s", good_hash);
	assert_int_equal(run(), ERR_OK);
	assert_true(clientauth_verifications() == before + 2);
	/* Untrusted, it is verified: the current hash, then the previous. */
	memset(trusted, 0, sizeof(trusted));
	assert_int_equal(run(), ERR_OK);
	assert_true(clientauth_verifications() == before + 4);
	/* The store's failure to keep the token: no token answered. */
	fake.token_add_rc = ERR_UNAVAILABLE;
	assert_int_equal(run(), ERR_UNAVAILABLE);
}

static void
test_scopes(void **state)
{
	static const struct {
		const char *scope;
		const char *aud;
		const char *granted;	/* NULL: none in the answer */
	} good[] = {
		{ NULL, "", NULL },
		{ "", "", NULL },
		{ "  ", "", NULL },
		{ "openid", "", "openid" },
		{ "profile email offline_access", "", NULL },
		{ ZITADEL_AUD " openid", FAKE_API_PROJECT, ZITADEL_AUD
		    " openid" },
		/* A scope asked for twice is granted once. */
		{ ZITADEL_AUD " " ZITADEL_AUD, FAKE_API_PROJECT, ZITADEL_AUD },
		{ ZITADEL_AUD " " ZITADEL_AUD " openid", FAKE_API_PROJECT,
		    ZITADEL_AUD " openid" },
		{ "openid openid " ZITADEL_AUD, FAKE_API_PROJECT,
		    "openid " ZITADEL_AUD },
		{ "urn:zitadel:iam:org:project:id:123:aud", "123",
		    "urn:zitadel:iam:org:project:id:123:aud" },
		{ "urn:zitadel:iam:org:project:id::aud x", "", NULL },
		{ "urn:zitadel:iam:org:project:id:123:audx", "", NULL },
	};
	static const char *const bad[] = {
		"openid a\"b", "a\\b", "a\x7f", "\xc3\xa9",
	};
	size_t i;

	(void)state;
	snprintf(fake.machine_client.hash, HASH_MAX, "%s", good_hash);
	fake.project_found = 1;
	for (i = 0; i < N(good); i++) {
		creds(FAKE_MACHINE_NAME, "s3cret");
		unit_arg(&c, ARG_SCOPE, good[i].scope);
		if (run() != ERR_OK)
			fail_msg("scope \"%s\" refused", good[i].scope);
		assert_string_equal(fake.token_add.audience, good[i].aud);
		assert_string_equal(fake.token_add.scopes,
		    good[i].granted != NULL ? good[i].granted : "");
		assert_out(OUT_SCOPE, good[i].granted);
	}
	assert_string_equal(fake.project, "123");
	/* A project audience for no active project. */
	creds(FAKE_MACHINE_NAME, "s3cret");
	unit_arg(&c, ARG_SCOPE,
	    "openid urn:zitadel:iam:org:project:id:404:aud");
	fake.project_found = 0;
	assert_int_equal(run(), ERR_OAUTH_SCOPE);
	assert_string_equal(fake.project, "404");
	assert_string_equal(fake.calls, "machine_client,project");
	fake.project_rc = ERR_UNAVAILABLE;
	assert_int_equal(run(), ERR_UNAVAILABLE);
	/* RFC 6749 3.3's characters only. */
	for (i = 0; i < N(bad); i++) {
		unit_arg(&c, ARG_SCOPE, bad[i]);
		if (run() != ERR_OAUTH_SCOPE)
			fail_msg("scope %zu accepted", i);
		assert_string_equal(fake.calls, "machine_client");
	}
}

/* --- the token endpoint: a JWT bearer assertion ------------------------- */

static char *
b64url(const void *p, size_t n)
{
	char *out = malloc(B64_LEN(n) + 1);

	assert_non_null(out);
	b64_encode(p, n, out, B64_URL);
	return out;
}

/* An RS256 JWS of claims under kid, signed with the test key. */
static char *
assertion(const char *kid, const char *claims)
{
	gcry_sexp_t key = NULL, data = NULL, sig = NULL, s = NULL;
	gcry_mpi_t mpi = NULL;
	unsigned char digest[32], raw[256];
	char header[128], text[1200], *h, *p, *signature, *jws;
	size_t n = 0, len;

	snprintf(header, sizeof(header), "{\"alg\":\"RS256\",\"typ\":\"JWT\","
	    "\"kid\":\"%s\"}", kid);
	h = b64url(header, strlen(header));
	p = b64url(claims, strlen(claims));
	len = strlen(h) + 1 + strlen(p);
	jws = malloc(len + 1 + B64_LEN(256) + 1);
	assert_non_null(jws);
	snprintf(jws, len + 1, "%s.%s", h, p);
	gcry_md_hash_buffer(GCRY_MD_SHA256, digest, jws, len);
	snprintf(text, sizeof(text), "(private-key (rsa (n #00%s#) "
	    "(e #010001#) (d #00%s#)))", rsa_n, rsa_d);
	assert_int_equal(gcry_sexp_sscan(&key, NULL, text, strlen(text)), 0);
	assert_int_equal(gcry_sexp_build(&data, NULL, "(data (flags pkcs1) "
	    "(hash sha256 %b))", 32, digest), 0);
	assert_int_equal(gcry_pk_sign(&sig, data, key), 0);
	s = gcry_sexp_find_token(sig, "s", 0);
	assert_non_null(s);
	mpi = gcry_sexp_nth_mpi(s, 1, GCRYMPI_FMT_USG);
	assert_non_null(mpi);
	memset(raw, 0, sizeof(raw));
	assert_int_equal(gcry_mpi_print(GCRYMPI_FMT_USG, raw, sizeof(raw), &n,
	    mpi), 0);
	/* A signature is the modulus' length: zeros in front. */
	memmove(raw + sizeof(raw) - n, raw, n);
	memset(raw, 0, sizeof(raw) - n);
	signature = b64url(raw, sizeof(raw));
	jws[len] = '.';
	memcpy(jws + len + 1, signature, strlen(signature) + 1);
	gcry_mpi_release(mpi);
	gcry_sexp_release(s);
	gcry_sexp_release(sig);
	gcry_sexp_release(data);
	gcry_sexp_release(key);
	free(signature);
	free(h);
	free(p);
	return jws;
}

static char *
claims_assertion(const char *sub, const char *aud, int64_t iat, int64_t exp)
{
	char claims[512];

	snprintf(claims, sizeof(claims), "{\"iss\":\"%s\",\"sub\":\"%s\","
	    "\"aud\":\"%s\",\"iat\":%lld,\"exp\":%lld}", sub, sub, aud,
	    (long long)iat, (long long)exp);
	return assertion("K1", claims);
}

static void
jwt_grant(const char *jws)
{
	call_for("token");
	unit_arg(&c, ARG_GRANT_TYPE,
	    "urn:ietf:params:oauth:grant-type:jwt-bearer");
	unit_arg(&c, ARG_ASSERTION, jws);
	/* The SDKs send a client_id that means nothing here. */
	unit_arg(&c, ARG_CLIENT_ID, "zitadel");
	unit_arg(&c, ARG_SCOPE, "openid " ZITADEL_AUD);
}

static void
test_jwt_bearer(void **state)
{
	int64_t now = ts_now().sec;
	char *jws;

	(void)state;
	snprintf(fake.key.pem, sizeof(fake.key.pem), "%s", pem2048);
	jwt_grant(NULL);
	assert_int_equal(run(), ERR_OAUTH_MISSING);
	assert_string_equal(o.reason, "no assertion");
	/* Not a JWS: refused before the store is asked. */
	jwt_grant("a.b.c");
	assert_int_equal(run(), ERR_OAUTH_GRANT);
	assert_string_equal(fake.calls, "");
	/* Good. */
	jws = claims_assertion(FAKE_MACHINE, ISSUER, now, now + 3600);
	jwt_grant(jws);
	assert_int_equal(run(), ERR_OK);
	assert_string_equal(fake.calls, "machine_key,token_add");
	assert_string_equal(fake.key_user, FAKE_MACHINE);
	assert_string_equal(fake.key_id, "K1");
	assert_string_equal(fake.token_add.user_id, FAKE_MACHINE);
	assert_string_equal(fake.token_add.audience, FAKE_API_PROJECT);
	assert_string_equal(o.user_id, FAKE_MACHINE);
	assert_int_equal(o.out[OUT_ACCESS_TOKEN].s.n, 43);
	/* The issuer with a trailing slash is the same audience. */
	snprintf(c.issuer, sizeof(c.issuer), "%s/", ISSUER);
	assert_int_equal(run(), ERR_OK);
	/* No key of that user by that ID: refused. */
	fake.key.found = 0;
	assert_int_equal(run(), ERR_OAUTH_GRANT);
	assert_non_null(o.reason);
	assert_string_equal(fake.calls, "machine_key");
	fake.key.found = 1;
	fake.key_rc = ERR_UNAVAILABLE;
	assert_int_equal(run(), ERR_UNAVAILABLE);
	fake.key_rc = ERR_OK;
	/* Signed by another key than the one stored. */
	jws[strlen(jws) - 5] = jws[strlen(jws) - 5] == 'A' ? 'B' : 'A';
	assert_int_equal(run(), ERR_OAUTH_GRANT);
	assert_string_equal(fake.calls, "machine_key");
	free(jws);
	/* Another audience; expired; too long a life. */
	jws = claims_assertion(FAKE_MACHINE, "https://other.example", now,
	    now + 60);
	jwt_grant(jws);
	assert_int_equal(run(), ERR_OAUTH_GRANT);
	free(jws);
	jws = claims_assertion(FAKE_MACHINE, ISSUER, now - 7200, now - 3600);
	jwt_grant(jws);
	assert_int_equal(run(), ERR_OAUTH_GRANT);
	free(jws);
	jws = claims_assertion(FAKE_MACHINE, ISSUER, now, now + 7200);
	jwt_grant(jws);
	assert_int_equal(run(), ERR_OAUTH_GRANT);
	assert_string_equal(fake.calls, "machine_key");
	free(jws);
}

/* --- introspection ------------------------------------------------------ */

static void
introspect(const char *token)
{
	call_for("introspect");
	unit_arg(&c, ARG_CLIENT_ID, "api-client");
	unit_arg(&c, ARG_CLIENT_SECRET, "s3cret");
	unit_arg(&c, ARG_TOKEN, token);
}

static void
test_introspection(void **state)
{
	(void)state;
	snprintf(fake.api_client.hash, HASH_MAX, "%s", good_hash);
	snprintf(fake.token.audience, AUDIENCE_MAX, "x project-1");
	snprintf(fake.token.scopes, SCOPES_MAX, "openid");
	/* The caller is an API app. */
	introspect("tok");
	unit_arg(&c, ARG_CLIENT_SECRET, "wrong");
	assert_int_equal(run(), ERR_OAUTH_CLIENT);
	assert_string_equal(fake.calls, "api_client");
	assert_string_equal(fake.client_id, "api-client");
	introspect(NULL);
	assert_int_equal(run(), ERR_OAUTH_MISSING);
	/* Active: for a token whose audience holds the app's project. */
	introspect("tok");
	assert_int_equal(run(), ERR_OK);
	assert_string_equal(fake.calls, "api_client,token");
	assert_true(o.out[OUT_ACTIVE].set);
	assert_true(o.out[OUT_ACTIVE].i == 1);
	assert_out(OUT_SCOPE, "openid");
	assert_out(OUT_CLIENT_ID, NULL);	/* a human's token */
	assert_out(OUT_USERNAME, FAKE_USERNAME);
	assert_out(OUT_TOKEN_TYPE, "Bearer");
	assert_out(OUT_SUBJECT, FAKE_USER);
	assert_out(OUT_AUDIENCE, "x project-1");
	assert_out(OUT_ISSUER, ISSUER);
	assert_true(o.out[OUT_ISSUED_AT].i == 1795774000);
	assert_true(o.out[OUT_EXPIRES_AT].i == 1795817200);
	/* A machine's token names its client; a token without expiry. */
	fake.token.machine = 1;
	fake.token.expires.sec = 0;
	fake.token.scopes[0] = '\0';
	assert_int_equal(run(), ERR_OK);
	assert_out(OUT_CLIENT_ID, FAKE_USERNAME);
	assert_false(o.out[OUT_EXPIRES_AT].set);
	assert_out(OUT_SCOPE, NULL);
}

/* Whatever is wrong with the token: {"active":false}, nothing else. */
static void
test_introspection_inactive(void **state)
{
	static const size_t flags[] = {
		offsetof(struct token_row, revoked),
		offsetof(struct token_row, expired),
	};
	static const size_t needs[] = {
		offsetof(struct token_row, found),
		offsetof(struct token_row, user_active),
		offsetof(struct token_row, org_active),
	};
	unsigned s;
	size_t i;

	(void)state;
	snprintf(fake.api_client.hash, HASH_MAX, "%s", good_hash);
	snprintf(fake.token.audience, AUDIENCE_MAX, "project-1");
	for (i = 0; i < N(flags) + N(needs) + 3; i++) {
		fake_store_reset();
		snprintf(fake.api_client.hash, HASH_MAX, "%s", good_hash);
		snprintf(fake.token.audience, AUDIENCE_MAX, "project-1");
		introspect("tok");
		if (i < N(flags))
			*(int *)(void *)((char *)&fake.token + flags[i]) = 1;
		else if (i < N(flags) + N(needs))
			*(int *)(void *)((char *)&fake.token +
			    needs[i - N(flags)]) = 0;
		else if (i == N(flags) + N(needs))
			/* another project's token */
			snprintf(fake.token.audience, AUDIENCE_MAX,
			    "project-10 " FAKE_API_PROJECT);
		else if (i == N(flags) + N(needs) + 1)
			/* not a token at all: not even looked up */
			unit_arg(&c, ARG_TOKEN, "a b");
		else
			unit_arg(&c, ARG_TOKEN, "a\"b");
		assert_int_equal(run(), ERR_OK);
		assert_true(o.out[OUT_ACTIVE].set);
		assert_true(o.out[OUT_ACTIVE].i == 0);
		for (s = 0; s < OUT__COUNT; s++)
			if (s != OUT_ACTIVE && o.out[s].set)
				fail_msg("case %zu: slot %u set", i, s);
		if (i > N(flags) + N(needs))
			assert_string_equal(fake.calls, "api_client");
	}
	/* The store's failure is no answer. */
	introspect("tok");
	fake.token_rc = ERR_UNAVAILABLE;
	assert_int_equal(run(), ERR_UNAVAILABLE);
}

/* The cache key: no two pairs spell the same bytes. */
static void
test_clientauth_key(void **state)
{
	char a[SHA256_HEX], b[SHA256_HEX], big[2100];
	struct slice ab = { "ab", 2 }, cc = { "c", 1 }, a1 = { "a", 1 };
	struct slice bc = { "bc", 2 }, huge = { big, sizeof(big) };

	(void)state;
	clientauth_key("machine", ab, cc, a);
	clientauth_key("machine", a1, bc, b);
	assert_string_not_equal(a, b);
	clientauth_key("api", ab, cc, b);
	assert_string_not_equal(a, b);
	clientauth_key("machine", ab, cc, b);
	assert_string_equal(a, b);
	assert_int_equal(strlen(a), 64);
	/* Too long to be any client's: a key no digest spells. */
	memset(big, 'x', sizeof(big));
	clientauth_key("machine", huge, cc, a);
	assert_int_equal(strspn(a, "0"), 64);
}

#define T(f) cmocka_unit_test_setup(f, setup)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_discovery),
		T(test_userinfo),
		T(test_grant_type),
		T(test_client_refusals),
		T(test_client_credentials),
		T(test_scopes),
		T(test_jwt_bearer),
		T(test_introspection),
		T(test_introspection_inactive),
		T(test_clientauth_key),
	};

	return cmocka_run_group_tests_name("svc_oauth", tests, group_setup,
	    NULL);
}
