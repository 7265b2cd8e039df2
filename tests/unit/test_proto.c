/*
 * test_proto.c - the calls' protobuf messages (src/messages.c, src/calls.c)
 * against proto/, and the binary wire code (src/pbwire.c) against
 * protobuf-c's, which is built from proto/ for the tests only and shares
 * nothing with src/.
 *
 * Covers: each gRPC-web and Connect row of calls.c is a method of one of
 * proto/'s services, and each method is a row; each message table is its
 * proto message field for field: number, proto name, type (strings and
 * bytes, Timestamps, nested messages compared in turn, enums value by
 * value), no repeated field but google.rpc.Status's details, oneofs the
 * same; every request and answer message, and the error messages, through
 * pbwire_encode then protobuf-c's unpack, and protobuf-c's pack then
 * pbwire_decode, with a value in every field (each oneof member in turn)
 * and with none, the bytes equal both ways; errwire_detail and
 * errwire_status for every error kind, read back by protobuf-c, each
 * exactly at its size and refused a byte under it.
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
#include "calls.h"
#include "errwire.h"
#include "management.pb-c.h"
#include "messages.h"
#include "pbwire.h"
#include "status.pb-c.h"
#include "timestamp.pb-c.h"
#include "user_service.pb-c.h"
#include "wire.h"

#define N(x) (sizeof(x) / sizeof((x)[0]))

/* protobuf-c's generated names, shortened. */
#define GMS_RESPONSE Zitadel__Management__V1__GenerateMachineSecretResponse
#define GMS(fn) \
	zitadel__management__v1__generate_machine_secret_response__ ## fn

typedef ProtobufCMessageDescriptor mdesc;
typedef ProtobufCFieldDescriptor fdesc;

static const ProtobufCServiceDescriptor *const services[] = {
	&zitadel__management__v1__management_service__descriptor,
	&zitadel__application__v2__application_service__descriptor,
	&zitadel__app__v2beta__app_service__descriptor,
	&zitadel__user__v2__user_service__descriptor,
};

/* A value of the slots' array, as big as either kind of slot. */
#define SLOTS ((int)OUT__COUNT > (int)ARG__COUNT ? (int)OUT__COUNT : \
	(int)ARG__COUNT)

/* --- the tables against the descriptors -------------------------------- */

static const char *
proto_name(const struct field *f)
{
	return f->proto != NULL ? f->proto : f->json;
}

static void
check_enum(const char *where, const struct field *f,
    const ProtobufCEnumDescriptor *e)
{
	unsigned i, n = 0;

	while (f->names[n] != NULL)
		n++;
	if (n != e->n_values)
		fail_msg("%s: %u names, %s has %u", where, n, e->name,
		    e->n_values);
	for (i = 0; i < e->n_values; i++) {
		const ProtobufCEnumValue *v = &e->values[i];

		if (v->value < 0 || (unsigned)v->value >= n ||
		    strcmp(f->names[v->value], v->name) != 0)
			fail_msg("%s: %s = %d", where, v->name, v->value);
	}
}

/* The field table m is proto message d, field for field. */
static void
check_table(const struct message *m, const mdesc *d)
{
	size_t i, j;
	char where[160];

	if (m->n != d->n_fields)
		fail_msg("%s: %zu fields, %s has %u", m->name, m->n, d->name,
		    d->n_fields);
	for (i = 0; i < m->n; i++) {
		const struct field *f = &m->fields[i];
		const fdesc *p = protobuf_c_message_descriptor_get_field(d,
		    f->num);
		int want;

		snprintf(where, sizeof(where), "%s.%s (%s)", m->name, f->json,
		    d->name);
		if (p == NULL)
			fail_msg("%s: no field %u", where, f->num);
		if (strcmp(p->name, proto_name(f)) != 0)
			fail_msg("%s: field %u is %s", where, f->num, p->name);
		switch (f->type) {
		case F_STRING:	want = PROTOBUF_C_TYPE_STRING; break;
		case F_BYTES:	want = PROTOBUF_C_TYPE_BYTES; break;
		case F_BOOL:	want = PROTOBUF_C_TYPE_BOOL; break;
		case F_ENUM:	want = PROTOBUF_C_TYPE_ENUM; break;
		case F_UINT64:	want = PROTOBUF_C_TYPE_UINT64; break;
		case F_INT32:	want = PROTOBUF_C_TYPE_INT32; break;
		case F_INT:	want = PROTOBUF_C_TYPE_INT64; break;
		case F_TIME:
		case F_MSG:	want = PROTOBUF_C_TYPE_MESSAGE; break;
		default:
			fail_msg("%s: type %d on a protobuf wire", where,
			    (int)f->type);
			return;
		}
		if ((int)p->type != want)
			fail_msg("%s: type %d, want %d", where, (int)p->type,
			    want);
		if (f->type == F_TIME && strcmp(((const mdesc *)
		    p->descriptor)->name, "google.protobuf.Timestamp") != 0)
			fail_msg("%s: not a Timestamp", where);
		if (f->type == F_MSG)
			check_table(f->msg, p->descriptor);
		if (f->type == F_ENUM)
			check_enum(where, f, p->descriptor);
		/* Repeated only where one element is all we write. */
		if (p->label == PROTOBUF_C_LABEL_REPEATED &&
		    (f->type != F_MSG ||
		    d != &google__rpc__status__descriptor))
			fail_msg("%s: repeated", where);
		if (p->label == PROTOBUF_C_LABEL_REQUIRED)
			fail_msg("%s: required", where);
		/* A oneof here is one there, with the same members. */
		if ((f->oneof != 0) !=
		    ((p->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) != 0))
			fail_msg("%s: oneof", where);
		for (j = 0; f->oneof != 0 && j < m->n; j++) {
			const struct field *g = &m->fields[j];
			const fdesc *q =
			    protobuf_c_message_descriptor_get_field(d, g->num);

			if (q != NULL && (g->oneof == f->oneof) !=
			    ((q->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) != 0 &&
			    q->quantifier_offset == p->quantifier_offset))
				fail_msg("%s: oneof members", where);
		}
	}
}

static const ProtobufCMethodDescriptor *
method_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t i, j, n;

	assert_non_null(slash);
	n = (size_t)(slash - path - 1);
	for (i = 0; i < N(services); i++) {
		const ProtobufCServiceDescriptor *s = services[i];

		if (strlen(s->name) != n || memcmp(s->name, path + 1, n) != 0)
			continue;
		for (j = 0; j < s->n_methods; j++)
			if (strcmp(s->methods[j].name, slash + 1) == 0)
				return &s->methods[j];
	}
	return NULL;
}

/* Every protobuf row is a method of proto/, with its messages. */
static void
test_rows_are_proto_methods(void **state)
{
	size_t i, j, k;

	(void)state;
	for (i = 0; i < ncalls; i++) {
		const struct call_def *d = &calls[i];
		const ProtobufCMethodDescriptor *m;

		if (d->family != FAMILY_GRPC && d->family != FAMILY_CONNECT)
			continue;
		m = method_of(d->path);
		if (m == NULL)
			fail_msg("%s: %s is no method of proto/", d->name,
			    d->path);
		check_table(d->req, m->input);
		check_table(d->resp, m->output);
	}
	/* And every method of proto/'s services is served. */
	for (i = 0; i < N(services); i++)
		for (j = 0; j < services[i]->n_methods; j++) {
			char path[200];
			int found = 0;

			snprintf(path, sizeof(path), "/%s/%s",
			    services[i]->name, services[i]->methods[j].name);
			for (k = 0; k < ncalls; k++)
				found |= strcmp(calls[k].path, path) == 0;
			if (!found)
				fail_msg("%s is served by no row", path);
		}
	check_table(&m_error_detail, &zitadel__v1__error_detail__descriptor);
	check_table(&m_status, &google__rpc__status__descriptor);
}

/* --- sample values ----------------------------------------------------- */

/* Every string, bytes value and Timestamp a sample may use. */
static char strings[SLOTS][16];
static unsigned char bytes[SLOTS][5];

/*
 * A value for each field of m (and its nested messages) in v, or none
 * when empty; of each oneof, the member variant picks.
 */
static void
sample(const struct message *m, struct value *v, int empty, unsigned variant)
{
	size_t i, j;

	for (i = 0; i < m->n; i++) {
		const struct field *f = &m->fields[i];
		struct value *x = &v[f->slot];
		unsigned members = 0, mine = 0;

		if (f->type == F_MSG) {
			sample(f->msg, v, empty, variant);
			continue;
		}
		for (j = 0; f->oneof != 0 && j < m->n; j++)
			if (m->fields[j].oneof == f->oneof) {
				if (&m->fields[j] == f)
					mine = members;
				members++;
			}
		memset(x, 0, sizeof(*x));
		if (empty || (members > 0 && mine != variant % members))
			continue;
		x->set = 1;
		switch (f->type) {
		case F_STRING:
			snprintf(strings[f->slot], sizeof(strings[0]),
			    "s%u-\xc3\xa9x", f->slot);
			x->s.p = strings[f->slot];
			x->s.n = strlen(strings[f->slot]);
			break;
		case F_BYTES:
			memcpy(bytes[f->slot], "\0\1\377\200", 4);
			bytes[f->slot][4] = (unsigned char)f->slot;
			x->s.p = (const char *)bytes[f->slot];
			x->s.n = 5;
			break;
		case F_BOOL:
		case F_ENUM:
			x->i = 1;
			break;
		case F_UINT64:
			x->i = (int64_t)(UINT64_MAX - f->slot);
			break;
		case F_INT32:
			x->i = -(int64_t)f->slot - 2;
			break;
		case F_TIME:
			/* Before the epoch in one variant, after it in the
			 * other. */
			x->t.sec = variant % 2 ? -62135596800LL + f->slot :
			    1795774272 + f->slot;
			x->t.nsec = 123456789;
			break;
		default:
			fail_msg("%s.%s: type %d", m->name, f->json,
			    (int)f->type);
		}
	}
}

/* --- protobuf-c's messages, read and built through descriptors ---------- */

static void *
at(const void *msg, unsigned offset)
{
	return (char *)(uintptr_t)msg + offset;
}

/* 1 when any field of m, nested ones too, is set in v. */
static int
any_set(const struct message *m, const struct value *v)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (m->fields[i].type == F_MSG ?
		    any_set(m->fields[i].msg, v) : v[m->fields[i].slot].set)
			return 1;
	return 0;
}

/* The descriptor's field for f is what v says, in unpacked msg. */
static void
check_unpacked(const struct message *m, const mdesc *d, const void *msg,
    const struct value *v)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		const struct field *f = &m->fields[i];
		const fdesc *p = protobuf_c_message_descriptor_get_field(d,
		    f->num);
		const struct value *x = &v[f->slot];
		const void *q;

		assert_non_null(p);
		q = at(msg, p->offset);
		/* A oneof member not chosen is not there. */
		if ((p->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
		    *(const uint32_t *)at(msg, p->quantifier_offset) !=
		    p->id) {
			if (x->set)
				fail_msg("%s.%s: oneof case lost", m->name,
				    f->json);
			continue;
		}
		switch (f->type) {
		case F_STRING: {
			const char *s = *(char *const *)q;
			size_t n = x->set ? x->s.n : 0;

			if (strlen(s) != n ||
			    (n > 0 && memcmp(s, x->s.p, n) != 0))
				fail_msg("%s.%s: \"%s\"", m->name, f->json, s);
			break;
		}
		case F_BYTES: {
			const ProtobufCBinaryData *b = q;
			size_t n = x->set ? x->s.n : 0;

			if (b->len != n || (n > 0 &&
			    memcmp(b->data, x->s.p, n) != 0))
				fail_msg("%s.%s: %zu bytes", m->name, f->json,
				    b->len);
			break;
		}
		case F_BOOL:
			assert_int_equal(*(const protobuf_c_boolean *)q,
			    x->set ? x->i : 0);
			break;
		case F_ENUM:
			assert_int_equal(*(const int *)q, x->set ? x->i : 0);
			break;
		case F_UINT64:
			assert_true(*(const uint64_t *)q ==
			    (x->set ? (uint64_t)x->i : 0));
			break;
		case F_INT32:
			assert_int_equal(*(const int32_t *)q,
			    x->set ? x->i : 0);
			break;
		case F_TIME: {
			const Google__Protobuf__Timestamp *t =
			    *(Google__Protobuf__Timestamp *const *)q;

			if (!x->set) {
				assert_null(t);
				break;
			}
			assert_non_null(t);
			assert_true(t->seconds == x->t.sec);
			assert_int_equal(t->nanos, x->t.nsec);
			break;
		}
		case F_MSG:
			if (p->label == PROTOBUF_C_LABEL_REPEATED) {
				size_t n = *(const size_t *)at(msg,
				    p->quantifier_offset);

				if (n == 0)
					break;
				assert_int_equal(n, 1);
				q = **(void *const *const *)q;
			} else
				q = *(void *const *)q;
			/* Omitted exactly when none of its fields is set. */
			if ((q != NULL) != any_set(f->msg, v))
				fail_msg("%s.%s: nested message %s", m->name,
				    f->json, q != NULL ? "there" : "missing");
			if (q != NULL)
				check_unpacked(f->msg, p->descriptor, q, v);
			break;
		default:
			fail_msg("%s.%s: type %d", m->name, f->json,
			    (int)f->type);
		}
	}
}

/* What build() allocated, freed at the end of each test. */
static void *owned[64];
static size_t nowned;

static void *
own(size_t n)
{
	void *p = calloc(1, n);

	assert_non_null(p);
	assert_true(nowned < N(owned));
	owned[nowned++] = p;
	return p;
}

static int
free_owned(void **state)
{
	(void)state;
	while (nowned > 0)
		free(owned[--nowned]);
	return 0;
}

/* protobuf-c's message d holding v's values for table m. */
static ProtobufCMessage *
build(const struct message *m, const mdesc *d, const struct value *v)
{
	ProtobufCMessage *msg = own(d->sizeof_message);
	size_t i;

	d->message_init(msg);
	for (i = 0; i < m->n; i++) {
		const struct field *f = &m->fields[i];
		const fdesc *p = protobuf_c_message_descriptor_get_field(d,
		    f->num);
		const struct value *x = &v[f->slot];
		void *q;

		assert_non_null(p);
		q = at(msg, p->offset);
		if (f->type == F_MSG ? !any_set(f->msg, v) : !x->set)
			continue;
		if (p->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
			*(uint32_t *)at(msg, p->quantifier_offset) = p->id;
		switch (f->type) {
		case F_STRING: {
			char *s = own(x->s.n + 1);

			memcpy(s, x->s.p, x->s.n);
			*(char **)q = s;
			break;
		}
		case F_BYTES:
			((ProtobufCBinaryData *)q)->len = x->s.n;
			((ProtobufCBinaryData *)q)->data =
			    (uint8_t *)(uintptr_t)x->s.p;
			break;
		case F_BOOL:
			*(protobuf_c_boolean *)q = (protobuf_c_boolean)x->i;
			break;
		case F_ENUM:
			*(int *)q = (int)x->i;
			break;
		case F_UINT64:
			*(uint64_t *)q = (uint64_t)x->i;
			break;
		case F_INT32:
			*(int32_t *)q = (int32_t)x->i;
			break;
		case F_TIME: {
			Google__Protobuf__Timestamp *t = own(sizeof(*t));

			google__protobuf__timestamp__init(t);
			t->seconds = x->t.sec;
			t->nanos = x->t.nsec;
			*(void **)q = t;
			break;
		}
		case F_MSG: {
			ProtobufCMessage *sub = build(f->msg, p->descriptor, v);

			if (p->label == PROTOBUF_C_LABEL_REPEATED) {
				ProtobufCMessage **one = own(sizeof(*one));

				*one = sub;
				*(size_t *)at(msg, p->quantifier_offset) = 1;
				*(ProtobufCMessage ***)q = one;
			} else
				*(ProtobufCMessage **)q = sub;
			break;
		}
		default:
			fail_msg("%s.%s: type %d", m->name, f->json,
			    (int)f->type);
		}
	}
	return msg;
}

/* v and w hold the same values for the fields of m. */
static void
check_same(const struct message *m, const struct value *v,
    const struct value *w)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		const struct field *f = &m->fields[i];
		const struct value *a = &v[f->slot], *b = &w[f->slot];

		if (f->type == F_MSG) {
			check_same(f->msg, v, w);
			continue;
		}
		if (a->set != b->set)
			fail_msg("%s.%s: set %d, decoded %d", m->name, f->json,
			    a->set, b->set);
		if (!a->set)
			continue;
		switch (f->type) {
		case F_STRING:
		case F_BYTES:
			if (a->s.n != b->s.n || (a->s.n > 0 &&
			    memcmp(a->s.p, b->s.p, a->s.n) != 0))
				fail_msg("%s.%s: bytes differ", m->name,
				    f->json);
			break;
		case F_TIME:
			if (a->t.sec != b->t.sec || a->t.nsec != b->t.nsec)
				fail_msg("%s.%s: time differs", m->name,
				    f->json);
			break;
		case F_BOOL:
			assert_int_equal(b->i != 0, a->i != 0);
			break;
		case F_INT32:
			/* int32 comes back as the int32 it was. */
			assert_int_equal((int32_t)b->i, (int32_t)a->i);
			break;
		default:
			assert_true(a->i == b->i);
			break;
		}
	}
}

/*
 * Table m, proto message d: pbwire's bytes are protobuf-c's, and each
 * reads what the other wrote, for every variant of values.
 */
static void
round_trip(const struct message *m, const mdesc *d)
{
	static struct value v[SLOTS], w[SLOTS];
	unsigned char mine[1024], theirs[1024];
	unsigned variant;

	for (variant = 0; variant < 3; variant++) {
		ProtobufCMessage *msg;
		size_t n, k;

		memset(v, 0, sizeof(v));
		sample(m, v, variant == 2, variant);
		/* pbwire writes, protobuf-c reads. */
		n = pbwire_encode_to(m, v, mine, sizeof(mine));
		if (n == 0 && variant != 2)
			fail_msg("%s: nothing written", m->name);
		msg = protobuf_c_message_unpack(d, NULL, n, mine);
		if (msg == NULL)
			fail_msg("%s: protobuf-c cannot read pbwire's %zu "
			    "bytes", m->name, n);
		check_unpacked(m, d, msg, v);
		protobuf_c_message_free_unpacked(msg, NULL);
		/* protobuf-c writes the same bytes, pbwire reads them. */
		msg = build(m, d, v);
		k = protobuf_c_message_get_packed_size(msg);
		assert_true(k <= sizeof(theirs));
		assert_int_equal(protobuf_c_message_pack(msg, theirs), k);
		if (k != n || memcmp(mine, theirs, n) != 0)
			fail_msg("%s (variant %u): pbwire wrote %zu bytes, "
			    "protobuf-c %zu", m->name, variant, n, k);
		memset(w, 0, sizeof(w));
		assert_int_equal(pbwire_decode(m, theirs, k, w), 0);
		check_same(m, v, w);
		free_owned(NULL);
	}
}

static void
test_every_message_both_ways(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ncalls; i++) {
		const struct call_def *d = &calls[i];
		const ProtobufCMethodDescriptor *m;

		if (d->family != FAMILY_GRPC && d->family != FAMILY_CONNECT)
			continue;
		m = method_of(d->path);
		assert_non_null(m);
		round_trip(d->req, m->input);
		round_trip(d->resp, m->output);
	}
	round_trip(&m_error_detail, &zitadel__v1__error_detail__descriptor);
	round_trip(&m_status, &google__rpc__status__descriptor);
}

/* pbwire_encode: the message between the free bytes asked for. */
static void
test_encode_front_and_back(void **state)
{
	static struct value v[SLOTS];
	unsigned char plain[512];
	unsigned char *p;
	size_t n, len = 12345;
	GMS_RESPONSE *r;

	(void)state;
	memset(v, 0, sizeof(v));
	sample(&m_v1_secret_resp, v, 0, 0);
	n = pbwire_encode_to(&m_v1_secret_resp, v, plain, sizeof(plain));
	assert_true(n > 0);
	p = pbwire_encode(&m_v1_secret_resp, v, 5, 35, &len);
	assert_non_null(p);
	assert_int_equal(len, n);
	assert_memory_equal(p + 5, plain, n);
	/* The bytes around are the caller's: writing them all is fine. */
	memset(p, 0, 5);
	memset(p + 5 + n, 0, 35);
	r = GMS(unpack)(NULL, len, plain);
	assert_non_null(r);
	assert_string_equal(r->client_id, v[OUT_CLIENT_ID].s.p);
	assert_non_null(r->details);
	assert_true(r->details->sequence == UINT64_MAX - OUT_SEQUENCE);
	GMS(free_unpacked)(r, NULL);
	free(p);
	/* Nothing to write: an empty message, and the free bytes. */
	memset(v, 0, sizeof(v));
	p = pbwire_encode(&m_v1_secret_resp, v, 2, 3, &len);
	assert_non_null(p);
	assert_int_equal(len, 0);
	free(p);
}

/* --- errors ------------------------------------------------------------ */

static void
test_error_detail_every_kind(void **state)
{
	unsigned char buf[ERRWIRE_MAX];
	size_t n;
	int k;

	(void)state;
	for (k = 1; k < ERR__COUNT; k++) {
		n = errwire_detail((enum err)k, buf, sizeof(buf));
		assert_true(n > 0);
		if (wire_error_detail(buf, n, (enum err)k) != 0)
			fail_msg("kind %d: not its ErrorDetail", k);
		/* Exactly its size fits; a byte less does not. */
		assert_int_equal(errwire_detail((enum err)k, buf, n), n);
		assert_int_equal(errwire_detail((enum err)k, buf, n - 1), 0);
	}
}

static void
test_status_every_kind(void **state)
{
	unsigned char buf[ERRWIRE_MAX];
	size_t n;
	int k;

	(void)state;
	for (k = 1; k < ERR__COUNT; k++) {
		n = errwire_status((enum err)k, buf, sizeof(buf));
		assert_true(n > 0);
		if (wire_status(buf, n, (enum err)k) != 0)
			fail_msg("kind %d: not its google.rpc.Status", k);
		assert_int_equal(errwire_status((enum err)k, buf, n), n);
		assert_int_equal(errwire_status((enum err)k, buf, n - 1), 0);
	}
	/* Out of range: internal's. */
	n = errwire_status(ERR__COUNT, buf, sizeof(buf));
	assert_int_equal(wire_status(buf, n, ERR_INTERNAL), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows_are_proto_methods),
		cmocka_unit_test_teardown(test_every_message_both_ways,
		    free_owned),
		cmocka_unit_test(test_encode_front_and_back),
		cmocka_unit_test(test_error_detail_every_kind),
		cmocka_unit_test(test_status_every_kind),
	};

	return cmocka_run_group_tests_name("proto", tests, NULL, NULL);
}
