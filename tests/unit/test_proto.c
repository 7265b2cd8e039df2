/*
 * test_proto.c - the calls' protobuf messages (src/proto.c).
 *
 * Covers: proto_decode for each call's request message (field numbers,
 * unknown fields skipped, IDs copied with their NULs, the ID byte limit,
 * v2beta's oneof case, garbage refused, a call out of range); the response
 * message of each call packed between the free bytes asked for in front
 * and behind, and read back with protobuf-c; proto_error_detail and
 * proto_status for every kind, each exactly at its size and refused one
 * byte under it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app_service.pb-c.h"
#include "application_service.pb-c.h"
#include "management.pb-c.h"
#include "proto.h"
#include "wire.h"

/* protobuf-c's generated names, shortened. */
#define OIDC_RESP(fn) \
	zitadel__management__v1__regenerate_oidcclient_secret_response__ ## fn
#define API_RESP(fn) \
	zitadel__management__v1__regenerate_apiclient_secret_response__ ## fn
#define V2_RESP(fn) \
	zitadel__application__v2__generate_client_secret_response__ ## fn
#define BETA_RESP(fn) \
	zitadel__app__v2beta__regenerate_client_secret_response__ ## fn

static enum err
decode(enum rpc rpc, const void *p, size_t n, struct call *c)
{
	memset(c, 0, sizeof(*c));
	c->rpc = rpc;
	return proto_decode(p, n, c);
}

static void
assert_ids(const struct call *c, const void *project, size_t pn,
    const void *app, size_t an)
{
	assert_int_equal(c->project_id.n, pn);
	if (pn > 0)
		assert_memory_equal(c->project_id.p, project, pn);
	assert_int_equal(c->app_id.n, an);
	if (an > 0)
		assert_memory_equal(c->app_id.p, app, an);
}

static void
test_decode_each_call(void **state)
{
	static const unsigned char m[] = {
		0x0a, 0x03, 'o', 'n', 'e', 0x12, 0x03, 't', 'w', 'o'
	};
	struct call c;

	(void)state;
	assert_int_equal(decode(RPC_V1_OIDC, m, sizeof(m), &c), ERR_OK);
	assert_ids(&c, "one", 3, "two", 3);
	assert_int_equal(decode(RPC_V1_API, m, sizeof(m), &c), ERR_OK);
	assert_ids(&c, "one", 3, "two", 3);
	/* application.v2 numbers them the other way round. */
	assert_int_equal(decode(RPC_V2, m, sizeof(m), &c), ERR_OK);
	assert_ids(&c, "two", 3, "one", 3);
	assert_int_equal(decode(RPC_V2BETA, m, sizeof(m), &c), ERR_OK);
	assert_ids(&c, "one", 3, "two", 3);
	assert_int_equal(c.msg_kind, MSG_KIND_NONE);
	assert_int_equal(decode(RPC__COUNT, m, sizeof(m), &c), ERR_INTERNAL);
	assert_int_equal(decode((enum rpc)-1, m, sizeof(m), &c), ERR_INTERNAL);
}

static void
test_decode_details(void **state)
{
	/* Unknown fields of every wire type around the known ones. */
	static const unsigned char unknown[] = {
		0x28, 0x96, 0x01,			/* 5: varint */
		0x12, 0x01, 'a',			/* 2 */
		0x31, 1, 2, 3, 4, 5, 6, 7, 8,		/* 6: fixed64 */
		0x3d, 1, 2, 3, 4,			/* 7: fixed32 */
		0x42, 0x02, 'x', 'y',			/* 8: bytes */
		0x0a, 0x01, 'p',			/* 1 */
	};
	static const unsigned char nul[] = { 0x0a, 0x02, 0x00, 'p', 0x12, 0 };
	/* The last of a field given twice wins. */
	static const unsigned char twice[] = {
		0x0a, 0x01, 'x', 0x0a, 0x01, 'y'
	};
	static const unsigned char oidc[] = { 0x18, 0x01 };
	static const unsigned char api[] = { 0x20, 0x00 };
	static const unsigned char garbage[] = { 0x0a, 0x09, 'p' };
	struct call c;

	(void)state;
	assert_int_equal(decode(RPC_V1_OIDC, unknown, sizeof(unknown), &c),
	    ERR_OK);
	assert_ids(&c, "p", 1, "a", 1);
	assert_int_equal(decode(RPC_V1_OIDC, nul, sizeof(nul), &c), ERR_OK);
	assert_ids(&c, "\0p", 2, "", 0);
	assert_int_equal(decode(RPC_V1_OIDC, twice, sizeof(twice), &c), ERR_OK);
	assert_ids(&c, "y", 1, "", 0);
	assert_int_equal(decode(RPC_V2BETA, oidc, sizeof(oidc), &c), ERR_OK);
	assert_int_equal(c.msg_kind, MSG_KIND_OIDC);
	assert_int_equal(decode(RPC_V2BETA, api, sizeof(api), &c), ERR_OK);
	assert_int_equal(c.msg_kind, MSG_KIND_API);
	assert_int_equal(decode(RPC_V2, garbage, sizeof(garbage), &c),
	    ERR_BAD_BODY);
	assert_ids(&c, "", 0, "", 0);
	assert_int_equal(decode(RPC_V2, "", 0, &c), ERR_OK);
	assert_ids(&c, "", 0, "", 0);
}

static void
test_decode_id_limit(void **state)
{
	unsigned char m[ID_BYTES + 16];
	struct call c;
	size_t n;
	int rpc;

	(void)state;
	for (rpc = 0; rpc < RPC__COUNT; rpc++) {
		m[0] = 0x0a;
		m[1] = (unsigned char)(ID_BYTES | 0x80);
		m[2] = (unsigned char)(ID_BYTES >> 7);
		memset(m + 3, 'i', ID_BYTES);
		n = 3 + ID_BYTES;
		assert_int_equal(decode((enum rpc)rpc, m, n, &c), ERR_OK);
		m[1] = (unsigned char)((ID_BYTES + 1) | 0x80);
		m[2] = (unsigned char)((ID_BYTES + 1) >> 7);
		m[n] = 'i';
		assert_int_equal(decode((enum rpc)rpc, m, n + 1, &c),
		    ERR_BAD_BODY);
		/* The same for the second ID. */
		m[0] = 0x12;
		assert_int_equal(decode((enum rpc)rpc, m, n + 1, &c),
		    ERR_BAD_BODY);
	}
}

static void
fixed_outcome(struct outcome *o)
{
	memset(o, 0, sizeof(*o));
	snprintf(o->client_secret, sizeof(o->client_secret), "secret-%d", 42);
	o->sequence = UINT64_C(18446744073709551615);
	o->creation_date.sec = 1795774272;
	o->creation_date.nsec = 123456000;
	o->change_date.sec = 1795785255;
	o->change_date.nsec = 1;
	snprintf(o->resource_owner, sizeof(o->resource_owner), "owner");
}

static unsigned char *
response(enum rpc rpc, size_t front, size_t back, size_t *len)
{
	struct call c;
	struct outcome o;
	unsigned char *p;

	memset(&c, 0, sizeof(c));
	c.rpc = rpc;
	fixed_outcome(&o);
	*len = 0;
	p = proto_response(&c, &o, front, back, len);
	assert_non_null(p);
	return p;
}

static void
test_response_v1(void **state)
{
	Zitadel__Management__V1__RegenerateOIDCClientSecretResponse *m;
	Zitadel__Management__V1__RegenerateAPIClientSecretResponse *a;
	unsigned char *p;
	size_t len;

	(void)state;
	p = response(RPC_V1_OIDC, 5, 35, &len);
	m = OIDC_RESP(unpack)(NULL, len, p + 5);
	assert_non_null(m);
	assert_string_equal(m->client_secret, "secret-42");
	assert_true(m->details->sequence == UINT64_MAX);
	assert_int_equal(m->details->creation_date->seconds, 1795774272);
	assert_int_equal(m->details->creation_date->nanos, 123456000);
	assert_int_equal(m->details->change_date->seconds, 1795785255);
	assert_int_equal(m->details->change_date->nanos, 1);
	assert_string_equal(m->details->resource_owner, "owner");
	OIDC_RESP(free_unpacked)(m, NULL);
	/* The bytes behind are the caller's: write them all. */
	memset(p, 0, 5);
	memset(p + 5 + len, 0, 35);
	free(p);

	p = response(RPC_V1_API, 0, 0, &len);
	a = API_RESP(unpack)(NULL, len, p);
	assert_non_null(a);
	assert_string_equal(a->client_secret, "secret-42");
	assert_string_equal(a->details->resource_owner, "owner");
	API_RESP(free_unpacked)(a, NULL);
	free(p);
}

static void
test_response_v2(void **state)
{
	Zitadel__Application__V2__GenerateClientSecretResponse *m;
	Zitadel__App__V2beta__RegenerateClientSecretResponse *b;
	unsigned char *p;
	size_t len;

	(void)state;
	p = response(RPC_V2, 0, 7, &len);
	m = V2_RESP(unpack)(NULL, len, p);
	assert_non_null(m);
	assert_string_equal(m->client_secret, "secret-42");
	/* The secret's date: this change. */
	assert_int_equal(m->creation_date->seconds, 1795785255);
	assert_int_equal(m->creation_date->nanos, 1);
	V2_RESP(free_unpacked)(m, NULL);
	memset(p + len, 0, 7);
	free(p);
	p = response(RPC_V2BETA, 3, 0, &len);
	b = BETA_RESP(unpack)(NULL, len, p + 3);
	assert_non_null(b);
	assert_string_equal(b->client_secret, "secret-42");
	assert_int_equal(b->creation_date->seconds, 1795785255);
	BETA_RESP(free_unpacked)(b, NULL);
	free(p);
	{
		struct call c;
		struct outcome o;

		memset(&c, 0, sizeof(c));
		c.rpc = RPC__COUNT;
		fixed_outcome(&o);
		assert_null(proto_response(&c, &o, 0, 0, &len));
	}
}

static void
test_error_detail_every_kind(void **state)
{
	unsigned char buf[PROTO_ERROR_MAX];
	size_t n;
	int k;

	(void)state;
	for (k = 1; k < ERR__COUNT; k++) {
		n = proto_error_detail((enum err)k, buf, sizeof(buf));
		assert_true(n > 0);
		if (wire_error_detail(buf, n, (enum err)k) != 0)
			fail_msg("kind %d: not its ErrorDetail", k);
		/* Exactly its size fits; a byte less does not. */
		assert_int_equal(proto_error_detail((enum err)k, buf, n), n);
		assert_int_equal(proto_error_detail((enum err)k, buf, n - 1),
		    0);
	}
}

static void
test_status_every_kind(void **state)
{
	unsigned char buf[PROTO_ERROR_MAX];
	size_t n;
	int k;

	(void)state;
	for (k = 1; k < ERR__COUNT; k++) {
		n = proto_status((enum err)k, buf, sizeof(buf));
		assert_true(n > 0);
		if (wire_status(buf, n, (enum err)k) != 0)
			fail_msg("kind %d: not its google.rpc.Status", k);
		assert_int_equal(proto_status((enum err)k, buf, n), n);
		assert_int_equal(proto_status((enum err)k, buf, n - 1), 0);
	}
	assert_non_null(proto_library_version());
	assert_true(strlen(proto_library_version()) > 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_each_call),
		cmocka_unit_test(test_decode_details),
		cmocka_unit_test(test_decode_id_limit),
		cmocka_unit_test(test_response_v1),
		cmocka_unit_test(test_response_v2),
		cmocka_unit_test(test_error_detail_every_kind),
		cmocka_unit_test(test_status_every_kind),
	};

	return cmocka_run_group_tests_name("proto", tests, NULL, NULL);
}
