/*
 * test_oauth.c - the OAuth codec (src/oauth.c): forms in, JSON out, RFC
 * 6749 5.2's errors and the challenges of RFC 7617 and RFC 6750.
 *
 * Covers: a POST with parameters must be a form (RFC 6749 3.2), with any
 * charset parameter; a GET, or a call without parameters, reads no body;
 * the form's parameters into the call; HTTP Basic credentials as the
 * client's, flagged, and refused next to a client_secret in the body (RFC
 * 6749 2.3) or when malformed; a client_id in the body next to Basic is
 * Basic's; the answer as plain JSON; every error kind as
 * {"error","error_description"} with its status, the code and text from
 * errors.def; WWW-Authenticate: Basic after a Basic client is refused, a
 * Bearer challenge for a missing or a bad token, none otherwise.
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

#include "oauth.h"
#include "unit.h"

#define N(x) (sizeof(x) / sizeof((x)[0]))

static struct call c;

static int
teardown(void **state)
{
	(void)state;
	call_free(&c);
	return 0;
}

/* The codec's decode of a request; the arena as dispatch sizes it. */
static enum err
decode(const char *call, const char *method, const char *ct,
    const char *authorization, const char *body)
{
	struct request req;
	struct media m;
	size_t len = body != NULL ? strlen(body) : 0;
	int form;

	call_free(&c);
	assert_int_equal(call_init(&c, unit_call(call), len +
	    (authorization != NULL ? strlen(authorization) : 0)), 0);
	memset(&req, 0, sizeof(req));
	req.method = (char *)(uintptr_t)method;
	req.body = (char *)(uintptr_t)body;
	req.body_len = len;
	req.header[H_AUTHORIZATION] = (char *)(uintptr_t)authorization;
	media_parse(ct, &m);
	form = codec_oauth.form(&m);
	assert_true(form >= 0);
	return codec_oauth.decode(form, &req, &c);
}

#define FORM "application/x-www-form-urlencoded"

static void
assert_arg(unsigned slot, const char *want)
{
	const struct value *v = &c.arg[slot];

	if (want == NULL) {
		assert_false(v->set);
		return;
	}
	if (!v->set || v->s.n != strlen(want) ||
	    memcmp(v->s.p, want, v->s.n) != 0)
		fail_msg("slot %u: \"%.*s\", want \"%s\"", slot,
		    v->set ? (int)v->s.n : 0, v->set ? v->s.p : "", want);
}

static void
test_content_type(void **state)
{
	(void)state;
	assert_string_equal(codec_oauth.name, "oauth");
	assert_int_equal(decode("token", "POST", FORM, NULL,
	    "grant_type=client_credentials"), ERR_OK);
	assert_arg(ARG_GRANT_TYPE, "client_credentials");
	/* The Python SDK's spelling. */
	assert_int_equal(decode("token", "POST", FORM ";charset=UTF-8", NULL,
	    "grant_type=x"), ERR_OK);
	assert_int_equal(decode("token", "POST",
	    "Application/X-WWW-Form-Urlencoded", NULL, "grant_type=x"), ERR_OK);
	/* RFC 6749 3.2: parameters come as a form, and only so. */
	assert_int_equal(decode("token", "POST", "application/json", NULL,
	    "{\"grant_type\":\"x\"}"), ERR_OAUTH_MEDIA_TYPE);
	assert_int_equal(decode("introspect", "POST", NULL, NULL, "token=t"),
	    ERR_OAUTH_MEDIA_TYPE);
	assert_int_equal(decode("token", "POST", "multipart/form-data", NULL,
	    ""), ERR_OAUTH_MEDIA_TYPE);
	/* A call without parameters, or a GET, reads no body. */
	assert_int_equal(decode("userinfo", "POST", "application/json", NULL,
	    "junk"), ERR_OK);
	assert_int_equal(decode("discovery", "GET", NULL, NULL, NULL), ERR_OK);
	assert_int_equal(decode("authorize", "GET", NULL, NULL, NULL), ERR_OK);
	/* The form's own refusals. */
	assert_int_equal(decode("token", "POST", FORM, NULL,
	    "grant_type=a&grant_type=b"), ERR_OAUTH_REPEATED);
	assert_int_equal(decode("token", "POST", FORM, NULL, "scope=%zz"),
	    ERR_OAUTH_BAD_FORM);
}

static void
test_client_authentication(void **state)
{
	(void)state;
	/* In the body (the PHP SDK). */
	assert_int_equal(decode("token", "POST", FORM, NULL,
	    "grant_type=client_credentials&client_id=svc-bot&"
	    "client_secret=s%2Bt"), ERR_OK);
	assert_arg(ARG_CLIENT_ID, "svc-bot");
	assert_arg(ARG_CLIENT_SECRET, "s+t");
	assert_int_equal(c.basic, 0);
	/* HTTP Basic (the Python SDK): "svc bot" : "s+t:u". */
	assert_int_equal(decode("token", "POST", FORM,
	    "Basic c3ZjK2JvdDpzJTJCdDp1", "grant_type=client_credentials"),
	    ERR_OK);
	assert_arg(ARG_CLIENT_ID, "svc bot");
	assert_arg(ARG_CLIENT_SECRET, "s+t:u");
	assert_int_equal(c.basic, 1);
	/* A client_id in the body next to Basic: Basic's counts (the JWT
	 * grant's client_id means nothing). */
	assert_int_equal(decode("token", "POST", FORM,
	    "Basic c3ZjK2JvdDpzJTJCdDp1", "client_id=zitadel"), ERR_OK);
	assert_arg(ARG_CLIENT_ID, "svc bot");
	/* RFC 6749 2.3: one way, not two. */
	assert_int_equal(decode("token", "POST", FORM,
	    "Basic c3ZjK2JvdDpzJTJCdDp1", "client_secret=x"),
	    ERR_OAUTH_TWO_AUTHS);
	assert_int_equal(decode("introspect", "POST", FORM,
	    "Basic c3ZjK2JvdDpzJTJCdDp1", "token=t&client_secret=x"),
	    ERR_OAUTH_TWO_AUTHS);
	/* Malformed Basic; another scheme is no client authentication. */
	assert_int_equal(decode("token", "POST", FORM, "Basic !!", ""),
	    ERR_OAUTH_BAD_BASIC);
	assert_int_equal(decode("token", "POST", FORM, "Basic bm9jb2xvbg==",
	    ""), ERR_OAUTH_BAD_BASIC);
	assert_int_equal(decode("token", "POST", FORM, "Bearer abc",
	    "client_secret=x"), ERR_OK);
	assert_int_equal(c.basic, 0);
	assert_arg(ARG_CLIENT_ID, NULL);
	/* Basic on a GET (userinfo): taken, though nobody asks for it. */
	assert_int_equal(decode("userinfo", "GET", NULL, "Basic YTpi", NULL),
	    ERR_OK);
	assert_int_equal(c.basic, 1);
}

static void
test_encode(void **state)
{
	static struct answer o;
	struct response resp;
	struct call k;

	(void)state;
	memset(&o, 0, sizeof(o));
	assert_int_equal(answer_cstr(&o, OUT_ACCESS_TOKEN, "tok"), 0);
	assert_int_equal(answer_cstr(&o, OUT_TOKEN_TYPE, "Bearer"), 0);
	value_int(&o.out[OUT_EXPIRES_IN], 43200);
	memset(&k, 0, sizeof(k));
	k.def = unit_call("token");
	memset(&resp, 0, sizeof(resp));
	assert_int_equal(codec_oauth.encode(0, &k, &o, &resp), 0);
	assert_int_equal(resp.status, 200);
	assert_string_equal(resp.content_type, "application/json");
	assert_string_equal(resp.body, "{\"access_token\":\"tok\","
	    "\"token_type\":\"Bearer\",\"expires_in\":43200}");
	response_free(&resp);
}

/* errors.def's rows: the OAuth code and text each body must carry. */
static const struct {
	enum err kind;
	const char *text;
	const char *oauth;
} rows[] = {
#define ERR(kind, code, http, id, text, oauth, when) \
	{ ERR_##kind, text, oauth },
#include "errors.def"
#undef ERR
};

static void
test_error_every_kind(void **state)
{
	struct response resp;
	size_t i;

	(void)state;
	for (i = 0; i < N(rows); i++) {
		json_object *root;

		memset(&resp, 0, sizeof(resp));
		assert_int_equal(codec_oauth.encode_error(0, NULL, rows[i].kind,
		    &resp), 0);
		assert_int_equal(resp.status, err_http(rows[i].kind));
		assert_string_equal(resp.content_type, "application/json");
		root = json_tokener_parse(resp.body);
		assert_non_null(root);
		assert_int_equal(json_object_object_length(root), 2);
		assert_string_equal(unit_json_str(root, "error"),
		    rows[i].oauth[0] != '\0' ? rows[i].oauth :
		    err_oauth_code(rows[i].kind));
		assert_string_equal(unit_json_str(root, "error_description"),
		    rows[i].text);
		json_object_put(root);
		response_free(&resp);
	}
	/* One byte for byte. */
	memset(&resp, 0, sizeof(resp));
	assert_int_equal(codec_oauth.encode_error(0, NULL, ERR_OAUTH_GRANT_TYPE,
	    &resp), 0);
	assert_int_equal(resp.status, 400);
	assert_string_equal(resp.body, "{\"error\":\"unsupported_grant_type\","
	    "\"error_description\":\"grant_type must be client_credentials or "
	    "urn:ietf:params:oauth:grant-type:jwt-bearer\"}");
	assert_int_equal(resp.nheader, 0);
	response_free(&resp);
}

static void
test_challenges(void **state)
{
	struct response resp;
	struct call k;

	(void)state;
	memset(&k, 0, sizeof(k));
	k.def = unit_call("token");
	/* RFC 6749 5.2: invalid_client after Basic names the scheme. */
	k.basic = 1;
	memset(&resp, 0, sizeof(resp));
	assert_int_equal(codec_oauth.encode_error(0, &k, ERR_OAUTH_CLIENT,
	    &resp), 0);
	assert_int_equal(resp.status, 401);
	assert_string_equal(unit_header(&resp, "WWW-Authenticate"),
	    "Basic realm=\"" OAUTH_REALM "\", charset=\"UTF-8\"");
	response_free(&resp);
	/* Credentials in the body: 401, no challenge to answer. */
	k.basic = 0;
	assert_int_equal(codec_oauth.encode_error(0, &k, ERR_OAUTH_CLIENT,
	    &resp), 0);
	assert_int_equal(resp.status, 401);
	assert_null(unit_header(&resp, "WWW-Authenticate"));
	response_free(&resp);
	assert_int_equal(codec_oauth.encode_error(0, NULL, ERR_OAUTH_CLIENT,
	    &resp), 0);
	assert_null(unit_header(&resp, "WWW-Authenticate"));
	response_free(&resp);
	/* RFC 6750 3.1: no token, no error code; a bad one, invalid_token. */
	assert_int_equal(codec_oauth.encode_error(0, NULL, ERR_AUTH_MISSING,
	    &resp), 0);
	assert_int_equal(resp.status, 401);
	assert_string_equal(unit_header(&resp, "WWW-Authenticate"),
	    "Bearer realm=\"" OAUTH_REALM "\"");
	response_free(&resp);
	assert_int_equal(codec_oauth.encode_error(0, NULL, ERR_TOKEN_INVALID,
	    &resp), 0);
	assert_string_equal(unit_header(&resp, "WWW-Authenticate"),
	    "Bearer realm=\"" OAUTH_REALM "\", error=\"invalid_token\"");
	response_free(&resp);
	/* Others carry none. */
	k.basic = 1;
	assert_int_equal(codec_oauth.encode_error(0, &k, ERR_OAUTH_GRANT,
	    &resp), 0);
	assert_int_equal(resp.nheader, 0);
	response_free(&resp);
}

#define T(f) cmocka_unit_test_teardown(f, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_content_type),
		T(test_client_authentication),
		T(test_encode),
		T(test_error_every_kind),
		T(test_challenges),
	};

	return cmocka_run_group_tests_name("oauth", tests, NULL, NULL);
}
