/*
 * test_jsonmsg.c - protobuf JSON (and plain JSON) for the messages of
 * msg.h (src/jsonmsg.c).
 *
 * Decode covers: a field by its JSON (lowerCamelCase) name or its proto
 * name, both at once refused; null is absent; unknown members ignored; a
 * value of the wrong JSON type refused; two members of a oneof refused
 * (protobuf JSON), one of them null allowed; bytes in base64, standard or
 * URL-safe, padded or not, and what is not base64; an enum by its name or
 * its number, not an unknown name nor a number outside int32; a Timestamp
 * in RFC 3339 with "Z" or an offset, 1 to 9 fractional digits, and the
 * ones that are not (a bad date, a missing zone, 10 digits, outside the
 * Timestamp's years); an empty body; not an object; strings copied into
 * the arena, JSONMSG_ARENA(len) sufficing.  Encode covers: members in the
 * table's order, only those set; string escaping (RFC 8259 7); uint64 as a
 * decimal string; int64 (F_INT) and int32 as numbers; bool; an enum by its
 * name, a number without one; bytes as padded base64 of every length
 * around the writer's chunks; F_WORDS as an array; a nested message
 * omitted when none of its fields is set; Timestamps with 0, 3, 6 or 9
 * fractional digits, and a time outside 0001..9999 failing the buffer.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonmsg.h"
#include "messages.h"

#define N(x) (sizeof(x) / sizeof((x)[0]))

static struct value vals[(int)OUT__COUNT > (int)ARG__COUNT ?
    (int)OUT__COUNT : (int)ARG__COUNT];
static struct arena arena;
static char *body;

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

/* jsonmsg_decode of s as m, in a copy with no NUL after it. */
static enum err
decode(const struct message *m, const char *s)
{
	size_t len = strlen(s);

	teardown(NULL);
	memset(vals, 0, sizeof(vals));
	body = malloc(len + 1);
	assert_non_null(body);
	memcpy(body, s, len);
	body[len] = '\0';
	arena.cap = JSONMSG_ARENA(len);
	arena.used = 0;
	arena.p = malloc(arena.cap);
	assert_non_null(arena.p);
	return jsonmsg_decode(m, body, len, vals, &arena);
}

static void
assert_str(unsigned slot, const char *want, size_t n)
{
	const struct value *v = &vals[slot];

	if (!v->set || v->s.n != n || memcmp(v->s.p, want, n) != 0)
		fail_msg("slot %u: \"%.*s\" (set %d), want \"%.*s\"", slot,
		    v->set ? (int)v->s.n : 0, v->set ? v->s.p : "", v->set,
		    (int)n, want);
	/* Copied into the arena: the body may go. */
	assert_true(v->s.p >= arena.p && v->s.p + n <= arena.p + arena.cap);
}

#define ASSERT_STR(slot, lit) assert_str(slot, lit, sizeof(lit) - 1)

static int
none_set(void)
{
	size_t i;

	for (i = 0; i < N(vals); i++)
		if (vals[i].set)
			return 0;
	return 1;
}

/* --- decode: names, null, unknown members ----------------------------- */

static void
test_decode_names(void **state)
{
	(void)state;
	assert_int_equal(decode(&m_v2beta_regen_req,
	    "{\"projectId\":\"P\",\"application_id\":\"A\"}"), ERR_OK);
	ASSERT_STR(ARG_PROJECT_ID, "P");
	ASSERT_STR(ARG_APP_ID, "A");
	assert_false(vals[ARG_IS_OIDC].set);
	/* The body's bytes are not what the values point at. */
	memset(body, 'x', strlen(body));
	ASSERT_STR(ARG_PROJECT_ID, "P");
	assert_int_equal(decode(&m_v2beta_regen_req,
	    "{\"project_id\":\"P\\u00e9\\n\",\"applicationId\":\"\"}"), ERR_OK);
	ASSERT_STR(ARG_PROJECT_ID, "P\xc3\xa9\n");
	/* An empty string is set, and empty. */
	ASSERT_STR(ARG_APP_ID, "");
	/* Both names of one field: refused, even when one is null. */
	assert_int_equal(decode(&m_v2beta_regen_req,
	    "{\"projectId\":\"P\",\"project_id\":\"P\"}"), ERR_BAD_BODY);
	assert_int_equal(decode(&m_v2beta_regen_req,
	    "{\"projectId\":null,\"project_id\":\"P\"}"), ERR_BAD_BODY);
	/* Names are case-sensitive: others are unknown, so ignored. */
	assert_int_equal(decode(&m_v2beta_regen_req,
	    "{\"ProjectId\":\"x\",\"projectid\":\"y\",\"PROJECT_ID\":1}"),
	    ERR_OK);
	assert_true(none_set());
	/* A field whose JSON and proto names agree: no clash with itself. */
	assert_int_equal(decode(&m_v1_add_key_req, "{\"type\":1}"), ERR_OK);
	assert_int_equal(vals[ARG_KEY_TYPE].i, 1);
}

static void
test_decode_null_unknown_empty(void **state)
{
	static const char *const nothing[] = {
		"", " \r\n\t", "{}", "{ }",
		"{\"projectId\":null,\"applicationId\":null,\"isOidc\":null}",
		"{\"x\":[1,{\"y\":null}],\"z\":{\"projectId\":\"no\"}}",
		"{\"@type\":\"x\",\"projectIds\":\"P\"}",
	};
	size_t i;

	(void)state;
	for (i = 0; i < N(nothing); i++) {
		if (decode(&m_v2beta_regen_req, nothing[i]) != ERR_OK)
			fail_msg("refused: %s", nothing[i]);
		if (!none_set())
			fail_msg("%s: a field set", nothing[i]);
	}
	/* A NULL body is an empty one. */
	memset(vals, 0, sizeof(vals));
	assert_int_equal(jsonmsg_decode(&m_v2beta_regen_req, NULL, 0, vals,
	    &arena), ERR_OK);
	assert_true(none_set());
}

static void
test_decode_not_an_object(void **state)
{
	static const char *const bad[] = {
		"[]", "null", "\"{}\"", "1", "{", "{}x", "{}{}", "{'a':1}",
		"{\"a\":NaN}", "{\"a\":1,}", "{\"projectId\":\"P\"",
		"{\"a\":\"\\x\"}",
	};
	size_t i;

	(void)state;
	for (i = 0; i < N(bad); i++)
		if (decode(&m_v2beta_regen_req, bad[i]) != ERR_BAD_BODY)
			fail_msg("accepted: %s", bad[i]);
}

/* A value of another JSON type than the field's is refused. */
static void
test_decode_wrong_types(void **state)
{
	static const struct {
		const struct message *m;
		const char *json;
	} bad[] = {
		{ &m_v2beta_regen_req, "{\"projectId\":1}" },
		{ &m_v2beta_regen_req, "{\"projectId\":true}" },
		{ &m_v2beta_regen_req, "{\"projectId\":[\"P\"]}" },
		{ &m_v2beta_regen_req, "{\"projectId\":{}}" },
		{ &m_v2beta_regen_req, "{\"isOidc\":\"true\"}" },
		{ &m_v2beta_regen_req, "{\"isOidc\":1}" },
		{ &m_v1_add_key_req, "{\"type\":true}" },
		{ &m_v1_add_key_req, "{\"type\":1.0}" },
		{ &m_v1_add_key_req, "{\"type\":[1]}" },
		{ &m_v1_add_key_req, "{\"publicKey\":1}" },
		{ &m_v1_add_key_req, "{\"expirationDate\":1795774272}" },
		{ &m_v1_add_key_req, "{\"expirationDate\":{\"seconds\":1}}" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < N(bad); i++)
		if (decode(bad[i].m, bad[i].json) != ERR_BAD_BODY)
			fail_msg("accepted: %s", bad[i].json);
}

/* protobuf JSON: at most one member of a oneof. */
static void
test_decode_oneof(void **state)
{
	(void)state;
	assert_int_equal(decode(&m_v2beta_regen_req, "{\"isOidc\":true}"),
	    ERR_OK);
	assert_true(vals[ARG_IS_OIDC].set);
	assert_int_equal(vals[ARG_IS_OIDC].i, 1);
	assert_false(vals[ARG_IS_API].set);
	/* false is a value: the member is set. */
	assert_int_equal(decode(&m_v2beta_regen_req, "{\"is_api\":false}"),
	    ERR_OK);
	assert_true(vals[ARG_IS_API].set);
	assert_int_equal(vals[ARG_IS_API].i, 0);
	assert_int_equal(decode(&m_v2beta_regen_req,
	    "{\"isOidc\":true,\"isApi\":true}"), ERR_BAD_BODY);
	assert_int_equal(decode(&m_v2beta_regen_req,
	    "{\"isApi\":false,\"is_oidc\":false}"), ERR_BAD_BODY);
	/* A null member is no member. */
	assert_int_equal(decode(&m_v2beta_regen_req,
	    "{\"isOidc\":null,\"isApi\":true}"), ERR_OK);
	assert_false(vals[ARG_IS_OIDC].set);
	assert_true(vals[ARG_IS_API].set);
}

/* --- decode: bytes, enums, Timestamps ------------------------------- */

static void
test_decode_bytes(void **state)
{
	static const struct {
		const char *b64;
		const char *want;
		size_t n;
	} good[] = {
		{ "", "", 0 },
		{ "YWJj", "abc", 3 },
		{ "YWI=", "ab", 2 },
		{ "YWI", "ab", 2 },
		{ "YQ==", "a", 1 },
		{ "YQ", "a", 1 },
		{ "+/8=", "\xfb\xff", 2 },	/* standard alphabet */
		{ "-_8=", "\xfb\xff", 2 },	/* URL-safe */
		{ "-_8", "\xfb\xff", 2 },
		{ "AAEC", "\0\1\2", 3 },
	};
	static const char *const bad[] = {
		"Y", "YWJjZ", "YQ=", "YQ===", "Y===", "====", "YW=j",
		"YW Jj", "YWJj\\n", "!!!!", "YR==",
	};
	char json[128];
	size_t i;

	(void)state;
	for (i = 0; i < N(good); i++) {
		snprintf(json, sizeof(json), "{\"publicKey\":\"%s\"}",
		    good[i].b64);
		if (decode(&m_v2_add_key_req, json) != ERR_OK)
			fail_msg("refused: %s", json);
		assert_str(ARG_PUBLIC_KEY, good[i].want, good[i].n);
	}
	for (i = 0; i < N(bad); i++) {
		snprintf(json, sizeof(json), "{\"public_key\":\"%s\"}",
		    bad[i]);
		if (decode(&m_v2_add_key_req, json) != ERR_BAD_BODY)
			fail_msg("accepted: %s", json);
	}
}

static void
test_decode_enum(void **state)
{
	static const struct {
		const char *json;
		int64_t want;
	} good[] = {
		{ "{\"type\":\"KEY_TYPE_JSON\"}", 1 },
		{ "{\"type\":\"KEY_TYPE_UNSPECIFIED\"}", 0 },
		{ "{\"type\":1}", 1 },
		{ "{\"type\":0}", 0 },
		/* proto3 enums are open: an unknown number is kept. */
		{ "{\"type\":7}", 7 },
		{ "{\"type\":-1}", -1 },
		{ "{\"type\":2147483647}", INT32_MAX },
	};
	static const char *const bad[] = {
		"{\"type\":\"KEY_TYPE_PEM\"}", "{\"type\":\"key_type_json\"}",
		"{\"type\":\"1\"}", "{\"type\":\"\"}",
		"{\"type\":2147483648}", "{\"type\":-2147483649}",
	};
	size_t i;

	(void)state;
	for (i = 0; i < N(good); i++) {
		if (decode(&m_v1_add_key_req, good[i].json) != ERR_OK)
			fail_msg("refused: %s", good[i].json);
		assert_true(vals[ARG_KEY_TYPE].set);
		assert_true(vals[ARG_KEY_TYPE].i == good[i].want);
	}
	for (i = 0; i < N(bad); i++)
		if (decode(&m_v1_add_key_req, bad[i]) != ERR_BAD_BODY)
			fail_msg("accepted: %s", bad[i]);
}

static void
test_decode_timestamp(void **state)
{
	/* 2026-11-27T10:11:12Z */
	static const struct {
		const char *when;
		int64_t sec;
		int32_t nsec;
	} good[] = {
		{ "2026-11-27T10:11:12Z", 1795774272, 0 },
		{ "2026-11-27t10:11:12z", 1795774272, 0 },
		{ "2026-11-27T10:11:12.5Z", 1795774272, 500000000 },
		{ "2026-11-27T10:11:12.123456789Z", 1795774272, 123456789 },
		{ "2026-11-27T10:11:12.000001Z", 1795774272, 1000 },
		{ "2026-11-27T12:11:12+02:00", 1795774272, 0 },
		{ "2026-11-27T09:41:12.25-00:30", 1795774272, 250000000 },
		{ "2026-11-27T10:11:12+00:00", 1795774272, 0 },
		{ "1970-01-01T00:00:00Z", 0, 0 },
		{ "2024-02-29T00:00:00Z", 1709164800, 0 },
		{ "0001-01-01T00:00:00Z", -62135596800LL, 0 },
		{ "9999-12-31T23:59:59.999999999Z", 253402300799LL,
		    999999999 },
	};
	static const char *const bad[] = {
		"2026-11-27", "2026-11-27T10:11:12", "2026-11-27 10:11:12Z",
		"2026-13-01T00:00:00Z", "2026-02-29T00:00:00Z",
		"2026-11-31T00:00:00Z", "2026-11-27T24:00:00Z",
		"2026-11-27T10:60:00Z", "2026-11-27T10:11:60Z",
		"2026-11-27T10:11:12.Z", "2026-11-27T10:11:12.1234567890Z",
		"2026-11-27T10:11:12+0200", "2026-11-27T10:11:12+24:00",
		"2026-11-27T10:11:12+02:60", "2026-11-27T10:11:12ZZ",
		"2026-11-27T10:11:12 Z", "0000-01-01T00:00:00Z",
		"+2026-11-27T10:11:12Z", "2026-1-27T10:11:12Z",
		/* Outside the Timestamp's years once the offset applies. */
		"9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+00:01",
	};
	char json[128];
	size_t i;

	(void)state;
	for (i = 0; i < N(good); i++) {
		snprintf(json, sizeof(json), "{\"expirationDate\":\"%s\"}",
		    good[i].when);
		if (decode(&m_v2_add_key_req, json) != ERR_OK)
			fail_msg("refused: %s", json);
		assert_true(vals[ARG_EXPIRATION].set);
		if (vals[ARG_EXPIRATION].t.sec != good[i].sec ||
		    vals[ARG_EXPIRATION].t.nsec != good[i].nsec)
			fail_msg("%s: %lld.%09d", good[i].when,
			    (long long)vals[ARG_EXPIRATION].t.sec,
			    (int)vals[ARG_EXPIRATION].t.nsec);
	}
	for (i = 0; i < N(bad); i++) {
		snprintf(json, sizeof(json), "{\"expiration_date\":\"%s\"}",
		    bad[i]);
		if (decode(&m_v2_add_key_req, json) != ERR_BAD_BODY)
			fail_msg("accepted: %s", json);
	}
}

/* JSONMSG_ARENA(len) holds whatever a body of len bytes decodes into. */
static void
test_decode_arena_bound(void **state)
{
	char json[512];
	size_t n, i;

	(void)state;
	/* The most arena per byte: short strings, bytes, many of them. */
	n = (size_t)snprintf(json, sizeof(json), "{\"userId\":\"u\","
	    "\"publicKey\":\"AAAA\",\"expirationDate\":null}");
	assert_int_equal(decode(&m_v2_add_key_req, json), ERR_OK);
	assert_true(arena.used <= JSONMSG_ARENA(n));
	/* Four-byte base64 of the longest length a body allows here. */
	n = (size_t)snprintf(json, sizeof(json), "{\"publicKey\":\"");
	for (i = 0; i < 100; i++)
		json[n++] = i % 2 ? '_' : '-';
	n += (size_t)snprintf(json + n, sizeof(json) - n, "\"}");
	assert_int_equal(decode(&m_v2_add_key_req, json), ERR_OK);
	assert_int_equal(vals[ARG_PUBLIC_KEY].s.n, 75);
	assert_true(arena.used <= JSONMSG_ARENA(n));
}

/* --- encode ------------------------------------------------------------- */

static char *out;
static size_t out_len;

static void
encode(const struct message *m)
{
	struct buf b = { 0 };

	free(out);
	jsonmsg_encode(m, vals, &b);
	out = buf_take(&b, &out_len);
}

static void
assert_out(const char *want)
{
	if (out == NULL)
		fail_msg("encoding failed, want %s", want);
	if (out_len != strlen(want) || memcmp(out, want, out_len) != 0)
		fail_msg("\n got  %.*s\n want %s", (int)out_len, out, want);
}

static int
encode_teardown(void **state)
{
	(void)state;
	free(out);
	out = NULL;
	return 0;
}

static void
test_encode_details(void **state)
{
	struct ts created = { 1795774272, 123456000 };
	struct ts changed = { 1795785255, 0 };

	(void)state;
	memset(vals, 0, sizeof(vals));
	/* Nothing set: an empty object, no empty details. */
	encode(&m_v1_regen_resp);
	assert_out("{}");
	value_str(&vals[OUT_SECRET], "s3cret");
	encode(&m_v1_regen_resp);
	assert_out("{\"clientSecret\":\"s3cret\"}");
	/* One field of the nested message brings it. */
	value_str(&vals[OUT_OWNER], "69629023906488334");
	encode(&m_v1_regen_resp);
	assert_out("{\"clientSecret\":\"s3cret\",\"details\":"
	    "{\"resourceOwner\":\"69629023906488334\"}}");
	/* Members in the table's order, whatever order they were set. */
	value_time(&vals[OUT_CHANGED], changed);
	value_time(&vals[OUT_CREATED], created);
	value_int(&vals[OUT_SEQUENCE], 7);
	encode(&m_v1_regen_resp);
	assert_out("{\"clientSecret\":\"s3cret\",\"details\":"
	    "{\"sequence\":\"7\","
	    "\"creationDate\":\"2026-11-27T10:11:12.123456Z\","
	    "\"changeDate\":\"2026-11-27T13:14:15Z\","
	    "\"resourceOwner\":\"69629023906488334\"}}");
	/* uint64 as a decimal string (protobuf JSON), all 64 bits. */
	vals[OUT_SECRET].set = 0;
	vals[OUT_OWNER].set = 0;
	vals[OUT_CREATED].set = 0;
	vals[OUT_CHANGED].set = 0;
	value_int(&vals[OUT_SEQUENCE], (int64_t)UINT64_MAX);
	encode(&m_v1_regen_resp);
	assert_out("{\"details\":{\"sequence\":\"18446744073709551615\"}}");
	value_int(&vals[OUT_SEQUENCE], 0);
	encode(&m_v1_regen_resp);
	assert_out("{\"details\":{\"sequence\":\"0\"}}");
}

static void
test_encode_timestamps(void **state)
{
	static const struct {
		int32_t nsec;
		const char *want;
	} fractions[] = {
		{ 0, "2026-11-27T13:14:15Z" },
		{ 500000000, "2026-11-27T13:14:15.500Z" },
		{ 1000000, "2026-11-27T13:14:15.001Z" },
		{ 123456000, "2026-11-27T13:14:15.123456Z" },
		{ 1000, "2026-11-27T13:14:15.000001Z" },
		{ 123456789, "2026-11-27T13:14:15.123456789Z" },
		{ 1, "2026-11-27T13:14:15.000000001Z" },
	};
	char want[96];
	size_t i;

	(void)state;
	for (i = 0; i < N(fractions); i++) {
		struct ts t = { 1795785255, fractions[i].nsec };

		memset(vals, 0, sizeof(vals));
		value_time(&vals[OUT_CHANGED], t);
		encode(&m_v2_regen_resp);
		snprintf(want, sizeof(want), "{\"creationDate\":\"%s\"}",
		    fractions[i].want);
		assert_out(want);
	}
	/* The ends of the Timestamp's range; beyond, no answer at all. */
	{
		struct ts lo = { -62135596800LL, 0 };
		struct ts hi = { 253402300799LL, 999999999 };
		struct ts past = { 253402300800LL, 0 };

		value_time(&vals[OUT_CHANGED], lo);
		encode(&m_v2_regen_resp);
		assert_out("{\"creationDate\":\"0001-01-01T00:00:00Z\"}");
		value_time(&vals[OUT_CHANGED], hi);
		encode(&m_v2_regen_resp);
		assert_out("{\"creationDate\":"
		    "\"9999-12-31T23:59:59.999999999Z\"}");
		value_time(&vals[OUT_CHANGED], past);
		encode(&m_v2_regen_resp);
		assert_null(out);
	}
}

static void
test_encode_escaping(void **state)
{
	static const char raw[] = "q\"b\\s/\b\f\n\r\t\x01\x1f\x7f"
	    "\xc3\xa9\xe2\x82\xac";
	struct buf b = { 0 };
	char *s;
	size_t n;

	(void)state;
	memset(vals, 0, sizeof(vals));
	vals[OUT_SUBJECT].set = 1;
	vals[OUT_SUBJECT].s.p = raw;
	vals[OUT_SUBJECT].s.n = sizeof(raw) - 1;
	encode(&m_userinfo);
	assert_out("{\"sub\":\"q\\\"b\\\\s/\\b\\f\\n\\r\\t\\u0001\\u001f\x7f"
	    "\xc3\xa9\xe2\x82\xac\"}");
	/* A NUL in a value is escaped, not the end of it. */
	json_put_string(&b, "a\0b", 3);
	s = buf_take(&b, &n);
	assert_non_null(s);
	assert_int_equal(n, 10);
	assert_memory_equal(s, "\"a\\u0000b\"", 10);
	free(s);
	/* Names are escaped the same way. */
	json_put_string(&b, "", 0);
	s = buf_take(&b, &n);
	assert_non_null(s);
	assert_string_equal(s, "\"\"");
	free(s);
}

/* OAuth's plain JSON: numbers, booleans, arrays of words. */
static void
test_encode_plain(void **state)
{
	(void)state;
	memset(vals, 0, sizeof(vals));
	value_int(&vals[OUT_ACTIVE], 0);
	encode(&m_introspect_resp);
	assert_out("{\"active\":false}");
	value_int(&vals[OUT_ACTIVE], 1);
	value_str(&vals[OUT_SCOPE], "openid x");
	value_int(&vals[OUT_EXPIRES_AT], 1795817200);
	value_int(&vals[OUT_ISSUED_AT], -1);
	value_str(&vals[OUT_AUDIENCE], "  p1 p2   api ");
	value_str(&vals[OUT_ISSUER], "https://id.example");
	encode(&m_introspect_resp);
	assert_out("{\"active\":true,\"scope\":\"openid x\","
	    "\"exp\":1795817200,\"iat\":-1,\"aud\":[\"p1\",\"p2\",\"api\"],"
	    "\"iss\":\"https://id.example\"}");
	/* No words: an empty array, not nothing. */
	memset(vals, 0, sizeof(vals));
	value_str(&vals[OUT_AUDIENCE], " ");
	encode(&m_introspect_resp);
	assert_out("{\"aud\":[]}");
	value_str(&vals[OUT_AUDIENCE], "");
	encode(&m_introspect_resp);
	assert_out("{\"aud\":[]}");
	value_str(&vals[OUT_AUDIENCE], "a\"b");
	encode(&m_introspect_resp);
	assert_out("{\"aud\":[\"a\\\"b\"]}");
	/* int64 in full. */
	memset(vals, 0, sizeof(vals));
	value_int(&vals[OUT_EXPIRES_IN], INT64_MAX);
	encode(&m_token_resp);
	assert_out("{\"expires_in\":9223372036854775807}");
	value_int(&vals[OUT_EXPIRES_IN], INT64_MIN);
	encode(&m_token_resp);
	assert_out("{\"expires_in\":-9223372036854775808}");
}

/* An enum and an int32, in a message made for this test. */
static void
test_encode_enum_int32(void **state)
{
	static const char *const names[] = { "ZERO", "ONE", NULL };
	static const struct field fields[] = {
		ENUMERATED(1, "kind", NULL, OUT_ERR_CODE, names),
		FIELD(2, "code", NULL, F_INT32, OUT_SEQUENCE),
	};
	static const struct message m = MSG("test.Enum", fields);

	(void)state;
	memset(vals, 0, sizeof(vals));
	value_int(&vals[OUT_ERR_CODE], 1);
	value_int(&vals[OUT_SEQUENCE], -5);
	encode(&m);
	assert_out("{\"kind\":\"ONE\",\"code\":-5}");
	value_int(&vals[OUT_ERR_CODE], 0);
	encode(&m);
	assert_out("{\"kind\":\"ZERO\",\"code\":-5}");
	/* A number without a name is written as the number. */
	value_int(&vals[OUT_ERR_CODE], 2);
	encode(&m);
	assert_out("{\"kind\":2,\"code\":-5}");
	value_int(&vals[OUT_ERR_CODE], -3);
	encode(&m);
	assert_out("{\"kind\":-3,\"code\":-5}");
}

/* Base64, written here apart from src/b64.c. */
static void
base64(const unsigned char *p, size_t n, char *outp)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i, o = 0;

	for (i = 0; i + 2 < n; i += 3) {
		unsigned long v = (unsigned long)p[i] << 16 |
		    (unsigned long)p[i + 1] << 8 | p[i + 2];

		outp[o++] = a[v >> 18 & 63];
		outp[o++] = a[v >> 12 & 63];
		outp[o++] = a[v >> 6 & 63];
		outp[o++] = a[v & 63];
	}
	if (n - i == 1) {
		outp[o++] = a[p[i] >> 2];
		outp[o++] = a[(p[i] & 3) << 4];
		outp[o++] = '=';
		outp[o++] = '=';
	} else if (n - i == 2) {
		outp[o++] = a[p[i] >> 2];
		outp[o++] = a[(p[i] & 3) << 4 | p[i + 1] >> 4];
		outp[o++] = a[(p[i + 1] & 15) << 2];
		outp[o++] = '=';
	}
	outp[o] = '\0';
}

static void
test_encode_bytes(void **state)
{
	static const size_t lengths[] = {
		0, 1, 2, 3, 4, 46, 47, 48, 49, 50, 95, 96, 97, 200,
	};
	unsigned char raw[200];
	char b64[300], want[400];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(raw); i++)
		raw[i] = (unsigned char)(i * 37 + 11);
	for (i = 0; i < N(lengths); i++) {
		memset(vals, 0, sizeof(vals));
		vals[OUT_KEY_CONTENT].set = 1;
		vals[OUT_KEY_CONTENT].s.p = (const char *)raw;
		vals[OUT_KEY_CONTENT].s.n = lengths[i];
		encode(&m_v1_add_key_resp);
		base64(raw, lengths[i], b64);
		snprintf(want, sizeof(want), "{\"keyDetails\":\"%s\"}", b64);
		assert_out(want);
	}
}

#define T(f) cmocka_unit_test_teardown(f, teardown)
#define E(f) cmocka_unit_test_teardown(f, encode_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_decode_names),
		T(test_decode_null_unknown_empty),
		T(test_decode_not_an_object),
		T(test_decode_wrong_types),
		T(test_decode_oneof),
		T(test_decode_bytes),
		T(test_decode_enum),
		T(test_decode_timestamp),
		T(test_decode_arena_bound),
		E(test_encode_details),
		E(test_encode_timestamps),
		E(test_encode_escaping),
		E(test_encode_plain),
		E(test_encode_enum_int32),
		E(test_encode_bytes),
	};

	return cmocka_run_group_tests_name("jsonmsg", tests, NULL, NULL);
}
