/*
 * test_svc_user.c - a machine user's secret and keys (src/svc_user.c):
 * UserService.AddSecret, RemoveSecret, AddKey, RemoveKey and management
 * v1's GenerateMachineSecret, RemoveMachineSecret, AddMachineKey,
 * RemoveMachineKey, over a fake store (fake_store.c): no database.
 *
 * secret_hash is wrapped at link time (-Wl,--wrap=secret_hash) by a
 * function that counts the hashes made.
 *
 * Covers, for every call: the order of the checks, lifted one at a time
 * (token, the acting organisation for v1, the IDs, user.write, an active
 * machine user, its organisation, the secret or key a removal needs),
 * each call's own "ID missing" and "not found"; what the lookup is asked;
 * the change the store is asked to make and the answer's values; a check
 * that no longer holds inside the transaction, looked at again once; the
 * store's failures passing through.  AddSecret: a new secret each time,
 * hashed once, never on an error.  AddKey: the key type (UNSPECIFIED and
 * JSON only), the expiration date (the default, one in the past, one kept
 * to the microsecond), a public key given (kept in canonical PEM; not a
 * key, a private key, too small a key refused), none given (a pair made,
 * ZITADEL's key file answered with the private key, the public half
 * stored).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_store.h"
#include "log.h"
#include "service.h"
#include "unit.h"

#define N(x) (sizeof(x) / sizeof((x)[0]))

/* Made with openssl genrsa 2048 and 1024; openssl rsa -pubout. */
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
static const char pem1024[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDzn/1PPn5wg446D3ACzYhZc50S\n"
    "Jlr8hCjIERjL54+SLrfNR7jdW9wOtBqKgkSiPPht3tIEGikpg2Y+TmtdZiBPlGB8\n"
    "WRpmcFiEsBKt8jM3nu/a+6hYZy41WHtCKh1rBWXb0duwIvhLVNpwpmM9xSpsWq+n\n"
    "4b/ZQEOvFx2sVe6XRQIDAQAB\n"
    "-----END PUBLIC KEY-----\n";

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
static unsigned token;		/* a new token each call: no refusal cached */
static char authorization[32];

static int
group_setup(void **state)
{
	(void)state;
	return unit_service(&cfg, &svc, FAKE_API_PROJECT,
	    "secret_grace_period_s", "60");
}

static int
setup(void **state)
{
	(void)state;
	fake_store_reset();
	hashes = 0;
	return 0;
}

/* A call of name for user "U" (and key "K"), with a token. */
static void
call_for(const char *name)
{
	memset(&c, 0, sizeof(c));
	c.def = unit_call(name);
	unit_arg(&c, ARG_USER_ID, "U");
	unit_arg(&c, ARG_KEY_ID, "K");
	c.authorization = authorization;
}

static enum err
run(void)
{
	enum err e;

	/* A token of its own, so no refusal of another step is cached. */
	snprintf(authorization, sizeof(authorization), "Bearer t%u", token++);
	if (c.authorization != NULL)
		c.authorization = authorization;
	fake.calls[0] = '\0';
	memset(&o, 0, sizeof(o));
	e = c.def->run(&svc, &c, &o);
	if (e != ERR_OK) {
		assert_false(o.out[OUT_SECRET].set);
		assert_false(o.out[OUT_KEY_CONTENT].set);
		assert_int_equal(o.committed, 0);
	}
	return e;
}

/* --- the order of the checks ------------------------------------------- */

#define LOOKED "token,user_lookup"
#define WROTE "token,user_lookup,user_change"

struct step {
	enum err want;
	const char *calls;
};

static void
check_step(const char *name, const struct step *s, int n)
{
	enum err e = run();

	if (e != s->want || strcmp(fake.calls, s->calls) != 0)
		fail_msg("%s step %d: %d after \"%s\", want %d after \"%s\"",
		    name, n, (int)e, fake.calls, (int)s->want, s->calls);
}

/*
 * Each call, every check failing; lifted one at a time.  need is what a
 * removal needs of the user: 's' its secret, 'k' the key.
 */
static void
order(const char *name, int v1, char need)
{
	const struct user_rule *r = unit_call(name)->rule;
	struct step steps[16];
	int n = 0, i;

	steps[n++] = (struct step){ ERR_AUTH_MISSING, "" };
	steps[n++] = (struct step){ ERR_TOKEN_INVALID, "token" };
	if (v1)
		steps[n++] = (struct step){ ERR_ORG_NOT_FOUND, LOOKED };
	steps[n++] = (struct step){ r->id_missing, LOOKED };
	steps[n++] = (struct step){ ERR_INVALID_ARGUMENT, LOOKED };
	if (need == 'k')
		steps[n++] = (struct step){ ERR_KEY_ID_MISSING, LOOKED };
	/*
	 * v1 asks for the permission at the acting org first; v2 at the
	 * user's own, which a user that is not there does not have.
	 */
	if (v1) {
		steps[n++] = (struct step){ ERR_PERMISSION_DENIED, LOOKED };
		steps[n++] = (struct step){ r->not_found, LOOKED };
	} else {
		steps[n++] = (struct step){ r->not_found, LOOKED };
		steps[n++] = (struct step){ ERR_PERMISSION_DENIED, LOOKED };
	}
	steps[n++] = (struct step){ ERR_ORG_NOT_FOUND, LOOKED };
	if (need == 's')
		steps[n++] = (struct step){ ERR_SECRET_NOT_FOUND, LOOKED };
	if (need == 'k')
		steps[n++] = (struct step){ ERR_KEY_NOT_FOUND, LOOKED };
	steps[n++] = (struct step){ ERR_OK, WROTE };

	fake_store_reset();
	call_for(name);
	c.org_header = "org-2";
	unit_arg(&c, ARG_USER_ID, NULL);
	unit_arg(&c, ARG_KEY_ID, "");
	fake.token.found = 0;
	fake.user.org_active = 0;
	fake.user.permitted = 0;
	fake.user.found = 0;
	fake.user.owner_active = 0;
	fake.user.has_secret = 0;
	fake.user.key_found = 0;

	i = 0;
	c.authorization = NULL;
	check_step(name, &steps[i++], 0);
	c.authorization = authorization;
	check_step(name, &steps[i], i);
	i++;
	fake.token.found = 1;
	check_step(name, &steps[i], i);
	i++;
	if (v1) {
		fake.user.org_active = 1;
		check_step(name, &steps[i], i);
		i++;
	}
	unit_arg(&c, ARG_USER_ID, "U\x01");
	check_step(name, &steps[i], i);
	i++;
	unit_arg(&c, ARG_USER_ID, "U");
	if (need == 'k') {
		check_step(name, &steps[i], i);
		i++;
		unit_arg(&c, ARG_KEY_ID, "K");
	}
	check_step(name, &steps[i], i);
	i++;
	if (v1)
		fake.user.permitted = 1;
	else
		fake.user.found = 1;
	check_step(name, &steps[i], i);
	i++;
	fake.user.found = 1;
	fake.user.permitted = 1;
	check_step(name, &steps[i], i);
	i++;
	fake.user.owner_active = 1;
	if (need != 0) {
		check_step(name, &steps[i], i);
		i++;
		fake.user.has_secret = 1;
		fake.user.key_found = 1;
	}
	/* AddKey would make a pair: give it a key. */
	unit_arg(&c, ARG_PUBLIC_KEY, pem2048);
	check_step(name, &steps[i], i);
	assert_int_equal(i + 1, n);
	/* What the lookup was asked. */
	assert_int_equal(fake.user_key.v1, v1);
	assert_string_equal(fake.user_key.org, v1 ? "org-2" : "(null)");
	assert_string_equal(fake.user_key.caller, FAKE_USER);
	assert_string_equal(fake.user_key.caller_org, FAKE_USER_ORG);
	assert_string_equal(fake.user_key.user, "U");
	assert_string_equal(fake.user_key.key, need == 'k' ? "K" : "(null)");
	assert_string_equal(fake.user_key.permission, "user.write");
}

static void
test_order(void **state)
{
	static const struct {
		const char *name;
		int v1;
		char need;
	} cases[] = {
		{ "AddSecret", 0, 0 },
		{ "RemoveSecret", 0, 's' },
		{ "AddKey", 0, 0 },
		{ "RemoveKey", 0, 'k' },
		{ "GenerateMachineSecret", 1, 0 },
		{ "RemoveMachineSecret", 1, 's' },
		{ "AddMachineKey", 1, 0 },
		{ "RemoveMachineKey", 1, 'k' },
	};
	size_t i;

	(void)state;
	for (i = 0; i < N(cases); i++)
		order(cases[i].name, cases[i].v1, cases[i].need);
}

/* Each call's own words for a missing user ID and for no such user. */
static void
test_rules(void **state)
{
	static const struct {
		const char *name;
		enum err missing, not_found;
	} cases[] = {
		{ "AddSecret", ERR_USER_ID_MISSING_SECRET,
		    ERR_USER_NOT_FOUND_SECRET },
		{ "GenerateMachineSecret", ERR_USER_ID_MISSING_SECRET,
		    ERR_USER_NOT_FOUND_SECRET },
		{ "RemoveSecret", ERR_USER_ID_MISSING_REMOVE,
		    ERR_USER_NOT_FOUND_REMOVE },
		{ "RemoveMachineSecret", ERR_USER_ID_MISSING_REMOVE,
		    ERR_USER_NOT_FOUND_REMOVE },
		{ "AddKey", ERR_USER_ID_MISSING_KEY, ERR_USER_NOT_FOUND_KEY },
		{ "AddMachineKey", ERR_USER_ID_MISSING_KEY,
		    ERR_USER_NOT_FOUND_KEY },
		{ "RemoveKey", ERR_USER_ID_MISSING_KEY,
		    ERR_USER_NOT_FOUND_KEY },
		{ "RemoveMachineKey", ERR_USER_ID_MISSING_KEY,
		    ERR_USER_NOT_FOUND_KEY },
	};
	size_t i;

	(void)state;
	for (i = 0; i < N(cases); i++) {
		fake_store_reset();
		call_for(cases[i].name);
		unit_arg(&c, ARG_USER_ID, "");
		assert_int_equal(run(), cases[i].missing);
		unit_arg(&c, ARG_USER_ID, "U");
		fake.user.found = 0;
		assert_int_equal(run(), cases[i].not_found);
	}
}

/* --- the secret ----------------------------------------------------------- */

static void
test_secret(void **state)
{
	char first[SECRET_MAX + 1];
	size_t i;

	(void)state;
	call_for("GenerateMachineSecret");
	c.org_header = "org-2";
	assert_int_equal(run(), ERR_OK);
	assert_int_equal(hashes, 1);
	assert_string_equal(fake.calls, WROTE);
	assert_int_equal(fake.user_change.kind, USER_SECRET_SET);
	assert_string_equal(fake.user_change.user, "U");
	assert_string_equal(fake.user_change.owner, FAKE_OWNER);
	assert_string_equal(fake.user_change.editor, FAKE_USER);
	assert_string_equal(fake.user_change.digest, fake.digest);
	assert_string_equal(fake.user_change.permission, "user.write");
	assert_int_equal(fake.user_change.grace_s, 60);
	/* The secret: letters and digits, and the hash stored of it. */
	assert_int_equal(o.out[OUT_SECRET].s.n, cfg.secret_length);
	for (i = 0; i < cfg.secret_length; i++)
		assert_non_null(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "abcdefghijklmnopqrstuvwxyz0123456789",
		    o.out[OUT_SECRET].s.p[i]));
	assert_int_equal(secret_verify(o.out[OUT_SECRET].s.p,
	    o.out[OUT_SECRET].s.n, fake.user_change.hash), 1);
	/* Its client ID is the machine user's username. */
	assert_string_equal(o.out[OUT_CLIENT_ID].s.p, FAKE_MACHINE_NAME);
	assert_string_equal(o.out[OUT_OWNER].s.p, FAKE_OWNER);
	assert_true(o.out[OUT_SEQUENCE].i == 8);
	assert_true(o.out[OUT_CHANGED].t.sec == 1795785255);
	assert_string_equal(o.user_id, FAKE_USER);
	assert_int_equal(o.committed, 1);
	assert_string_equal(o.object_kind, "user");
	assert_string_equal(o.object, "U");
	assert_true(o.sequence == 8);
	memcpy(first, o.out[OUT_SECRET].s.p, o.out[OUT_SECRET].s.n + 1);
	assert_int_equal(run(), ERR_OK);
	assert_string_not_equal(first, o.out[OUT_SECRET].s.p);
	/* No hash when a check fails, nor past the deadline. */
	hashes = 0;
	fake.user.permitted = 0;
	assert_int_equal(run(), ERR_PERMISSION_DENIED);
	assert_string_equal(o.reason, "no role with user.write");
	fake.user.permitted = 1;
	c.deadline_ns = 1;
	assert_int_equal(run(), ERR_DEADLINE);
	assert_int_equal(hashes, 0);
	assert_string_equal(fake.calls, LOOKED);
	/* The removal: no hash, no secret. */
	call_for("RemoveSecret");
	assert_int_equal(run(), ERR_OK);
	assert_int_equal(hashes, 0);
	assert_int_equal(fake.user_change.kind, USER_SECRET_REMOVE);
	assert_false(o.out[OUT_SECRET].set);
	assert_true(o.out[OUT_CHANGED].set);
	assert_int_equal(o.committed, 1);
}

static void
test_stale_and_failures(void **state)
{
	(void)state;
	call_for("AddSecret");
	fake.stale_calls = 1;
	assert_int_equal(run(), ERR_OK);
	assert_string_equal(fake.calls, WROTE "," WROTE);
	assert_int_equal(hashes, 1);
	fake_store_reset();
	fake.stale_calls = 2;
	call_for("RemoveKey");
	assert_int_equal(run(), ERR_USER_NOT_FOUND_KEY);
	assert_string_equal(fake.calls, WROTE "," WROTE "," LOOKED);
	/* The store's failures pass through. */
	fake_store_reset();
	call_for("AddSecret");
	fake.user_lookup_rc = ERR_UNAVAILABLE;
	assert_int_equal(run(), ERR_UNAVAILABLE);
	fake.user_lookup_rc = ERR_OK;
	fake.user_change_rc = ERR_DEADLINE;
	assert_int_equal(run(), ERR_DEADLINE);
	fake.user_change_rc = ERR_INTERNAL;
	assert_int_equal(run(), ERR_INTERNAL);
}

/* --- keys ----------------------------------------------------------------- */

static void
test_key_type_and_expiration(void **state)
{
	struct ts past = ts_now(), future = { 1893456000, 123456789 };

	(void)state;
	call_for("AddMachineKey");
	unit_arg(&c, ARG_PUBLIC_KEY, pem2048);
	/* No type, UNSPECIFIED or JSON: the only kind there is. */
	assert_int_equal(run(), ERR_OK);
	value_int(&c.arg[ARG_KEY_TYPE], 0);
	assert_int_equal(run(), ERR_OK);
	value_int(&c.arg[ARG_KEY_TYPE], 1);
	assert_int_equal(run(), ERR_OK);
	value_int(&c.arg[ARG_KEY_TYPE], 2);
	assert_int_equal(run(), ERR_KEY_TYPE_INVALID);
	value_int(&c.arg[ARG_KEY_TYPE], -1);
	assert_int_equal(run(), ERR_KEY_TYPE_INVALID);
	assert_string_equal(fake.calls, LOOKED);
	/* Checked after the permission. */
	fake.user.permitted = 0;
	assert_int_equal(run(), ERR_PERMISSION_DENIED);
	fake.user.permitted = 1;
	c.arg[ARG_KEY_TYPE].set = 0;
	/* No date: ZITADEL's 9999-01-01T00:00:00Z. */
	assert_int_equal(run(), ERR_OK);
	assert_true(fake.user_change.expires.sec == 253370764800LL);
	assert_int_equal(fake.user_change.expires.nsec, 0);
	/* A date set to zero is none. */
	value_time(&c.arg[ARG_EXPIRATION], (struct ts){ 0, 0 });
	assert_int_equal(run(), ERR_OK);
	assert_true(fake.user_change.expires.sec == 253370764800LL);
	/* Kept, to the microsecond the database holds. */
	value_time(&c.arg[ARG_EXPIRATION], future);
	assert_int_equal(run(), ERR_OK);
	assert_true(fake.user_change.expires.sec == 1893456000);
	assert_int_equal(fake.user_change.expires.nsec, 123456000);
	/* Not in the future: refused, nothing written. */
	value_time(&c.arg[ARG_EXPIRATION], past);
	assert_int_equal(run(), ERR_KEY_EXPIRED);
	past.sec -= 86400;
	value_time(&c.arg[ARG_EXPIRATION], past);
	assert_int_equal(run(), ERR_KEY_EXPIRED);
	assert_string_equal(fake.calls, LOOKED);
}

static void
test_key_given(void **state)
{
	static const char *const bad[] = {
		"not a key",
		pem1024,
		"-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAK\n"
		    "-----END RSA PRIVATE KEY-----\n",
		"-----BEGIN PUBLIC KEY-----\n!!!!\n-----END PUBLIC KEY-----\n",
	};
	size_t i;

	(void)state;
	call_for("AddKey");
	unit_arg(&c, ARG_PUBLIC_KEY, pem2048);
	assert_int_equal(run(), ERR_OK);
	assert_string_equal(fake.calls, WROTE);
	assert_int_equal(fake.user_change.kind, USER_KEY_ADD);
	assert_string_equal(fake.user_change.public_key, pem2048);
	/* The key's new ID, in the answer and in the change. */
	assert_true(o.out[OUT_KEY_ID].set);
	assert_true(o.out[OUT_KEY_ID].s.n > 0);
	assert_string_equal(o.out[OUT_KEY_ID].s.p, fake.user_change.key);
	assert_true(strspn(fake.user_change.key, "0123456789") ==
	    strlen(fake.user_change.key));
	/* Nothing to hand back when the caller holds the private key. */
	assert_false(o.out[OUT_KEY_CONTENT].set);
	assert_true(o.out[OUT_CHANGED].set);
	assert_string_equal(o.object, "U");
	/*
	 * Key IDs only grow within a process (ids.h), however fast the
	 * calls come: many fall in one millisecond here.
	 */
	for (i = 0; i < 300; i++) {
		unsigned long long prev = strtoull(fake.user_change.key, NULL,
		    10);

		assert_int_equal(run(), ERR_OK);
		if (strtoull(fake.user_change.key, NULL, 10) <= prev)
			fail_msg("key ID %s after %llu", fake.user_change.key,
			    prev);
	}
	for (i = 0; i < N(bad); i++) {
		unit_arg(&c, ARG_PUBLIC_KEY, bad[i]);
		if (run() != ERR_KEY_INVALID)
			fail_msg("key %zu accepted", i);
		assert_non_null(o.reason);
		assert_string_equal(fake.calls, LOOKED);
	}
	/* An empty key is none: a pair is made (below). */
}

/* No key given: a pair, the private half in ZITADEL's key file only. */
static void
test_key_made(void **state)
{
	json_object *file;
	const char *key;
	char *text;

	(void)state;
	call_for("AddMachineKey");
	unit_arg(&c, ARG_PUBLIC_KEY, "");
	assert_int_equal(run(), ERR_OK);
	assert_string_equal(fake.calls, WROTE);
	assert_int_equal(strncmp(fake.user_change.public_key,
	    "-----BEGIN PUBLIC KEY-----\n", 27), 0);
	assert_true(o.out[OUT_KEY_CONTENT].set);
	text = malloc(o.out[OUT_KEY_CONTENT].s.n + 1);
	assert_non_null(text);
	memcpy(text, o.out[OUT_KEY_CONTENT].s.p, o.out[OUT_KEY_CONTENT].s.n);
	text[o.out[OUT_KEY_CONTENT].s.n] = '\0';
	file = json_tokener_parse(text);
	assert_non_null(file);
	assert_int_equal(json_object_object_length(file), 4);
	assert_string_equal(unit_json_str(file, "type"), "serviceaccount");
	assert_string_equal(unit_json_str(file, "keyId"), fake.user_change.key);
	assert_string_equal(unit_json_str(file, "userId"), "U");
	key = unit_json_str(file, "key");
	assert_non_null(key);
	assert_int_equal(strncmp(key, "-----BEGIN RSA PRIVATE KEY-----\n",
	    32), 0);
	/* The store got the public half only. */
	assert_null(strstr(fake.user_change.public_key, "PRIVATE"));
	json_object_put(file);
	secret_wipe(text, strlen(text));
	free(text);
}

static void
test_key_remove(void **state)
{
	(void)state;
	call_for("RemoveMachineKey");
	assert_int_equal(run(), ERR_OK);
	assert_int_equal(fake.user_change.kind, USER_KEY_REMOVE);
	assert_string_equal(fake.user_change.key, "K");
	assert_string_equal(fake.user_change.public_key, "(null)");
	assert_int_equal(hashes, 0);
	assert_string_equal(o.object, "U");
	assert_true(o.sequence == 8);
}

#define T(f) cmocka_unit_test_setup(f, setup)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_order),
		T(test_rules),
		T(test_secret),
		T(test_stale_and_failures),
		T(test_key_type_and_expiration),
		T(test_key_given),
		T(test_key_made),
		T(test_key_remove),
	};

	return cmocka_run_group_tests_name("svc_user", tests, group_setup,
	    NULL);
}
