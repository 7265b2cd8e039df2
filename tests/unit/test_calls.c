/*
 * test_calls.c - the route table (src/calls.c) and the messages it names
 * (src/messages.c) hold together.
 *
 * Covers, for every row: a name, a family in range, methods the server
 * knows; a path the mount-prefix rule protects (its first segment is a
 * reserved one) and spelled as its family says (a gRPC service path is
 * "/zitadel.<package>.<Service>/<name>", POST only); REST bindings only
 * where ZITADEL's gateway has them, each {var} naming a string field of
 * the request message once; a request and an answer message, a service
 * function, the rule the function reads; rows that share a name share
 * everything else; no two rows answer the same path and method, by their
 * paths or by their bindings; a GET decodes no body.  For every message:
 * fields with slots in range, nested messages and enum names where the
 * type needs them, unique numbers and JSON names, protobuf's lowerCamelCase
 * JSON names, numbers on the protobuf wires and none on OAuth's, string
 * fields only in forms, oneofs of scalars; and a slot means one type in
 * every message.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "calls.h"
#include "messages.h"
#include "service.h"

#define N(x) (sizeof(x) / sizeof((x)[0]))

/* The route's first segment, which no mount prefix may hold. */
static int
reserved_first(const char *path)
{
	static const char *const first[] = {
		"/management/", "/debug/", "/oauth/", "/oidc/", "/.well-known/",
	};
	size_t i;

	if (strncmp(path, "/zitadel.", 9) == 0 && path[9] != '/')
		return 1;
	for (i = 0; i < N(first); i++)
		if (strncmp(path, first[i], strlen(first[i])) == 0)
			return 1;
	return 0;
}

/* 1 when each method of list is one of HTTP's, listed once. */
static int
methods_ok(const char *list)
{
	static const char *const known[] = {
		"GET", "POST", "PUT", "DELETE", "PATCH",
	};
	char seen[64] = "";
	const char *p = list;

	if (*p == '\0')
		return 0;
	while (*p != '\0') {
		size_t k = strcspn(p, ", "), i;
		char one[16];
		int found = 0;

		if (k == 0 || k >= sizeof(one))
			return 0;
		memcpy(one, p, k);
		one[k] = '\0';
		for (i = 0; i < N(known); i++)
			found |= strcmp(one, known[i]) == 0;
		if (!found || strstr(seen, one) != NULL)
			return 0;
		strncat(seen, one, sizeof(seen) - strlen(seen) - 1);
		p += k;
		if (*p != '\0' && strncmp(p, ", ", 2) != 0)
			return 0;
		p += strspn(p, ", ");
	}
	return 1;
}

static int
lists(const char *list, const char *method)
{
	size_t n = strlen(method);
	const char *p = list;

	while ((p = strstr(p, method)) != NULL) {
		if ((p == list || p[-1] == ' ') &&
		    (p[n] == '\0' || p[n] == ','))
			return 1;
		p += n;
	}
	return 0;
}

static const struct field *
field_by_proto(const struct message *m, const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		const char *proto = m->fields[i].proto != NULL ?
		    m->fields[i].proto : m->fields[i].json;

		if (strlen(proto) == n && memcmp(proto, name, n) == 0)
			return &m->fields[i];
	}
	return NULL;
}

/* A path with every {var} as "{}": two bindings of one shape match. */
static void
shape(const char *path, char *out, size_t cap)
{
	size_t n = 0;

	while (*path != '\0' && n + 3 < cap) {
		if (*path == '{') {
			memcpy(out + n, "{}", 2);
			n += 2;
			path = strchr(path, '}') + 1;
		} else
			out[n++] = *path++;
	}
	out[n] = '\0';
}

static void
test_rows(void **state)
{
	size_t i;

	(void)state;
	assert_true(ncalls >= 20);
	for (i = 0; i < ncalls; i++) {
		const struct call_def *d = &calls[i];

		if (d->name == NULL || d->name[0] == '\0' || d->path == NULL ||
		    d->methods == NULL || d->req == NULL || d->resp == NULL ||
		    d->run == NULL)
			fail_msg("row %zu: incomplete", i);
		if ((unsigned)d->family > FAMILY_PLAIN)
			fail_msg("%s: family %d", d->name, (int)d->family);
		if (!methods_ok(d->methods))
			fail_msg("%s: methods \"%s\"", d->name, d->methods);
		if (!reserved_first(d->path))
			fail_msg("%s: %s starts with no route's segment",
			    d->name, d->path);
		if ((d->rest_method == NULL) != (d->rest_path == NULL))
			fail_msg("%s: half a REST binding", d->name);
		if (d->rest_method != NULL && (!methods_ok(d->rest_method) ||
		    strchr(d->rest_method, ',') != NULL))
			fail_msg("%s: REST method \"%s\"", d->name,
			    d->rest_method);
		/* A path variable is a REST binding's, never a path's. */
		if (strchr(d->path, '{') != NULL)
			fail_msg("%s: a variable in %s", d->name, d->path);
		/* A GET has no body to decode. */
		if (lists(d->methods, "GET") && d->req->n != 0)
			fail_msg("%s: GET with a request message", d->name);
	}
}

/* Each family's paths are spelled the family's way. */
static void
test_families(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ncalls; i++) {
		const struct call_def *d = &calls[i];
		const char *slash = strchr(d->path + 1, '/');

		switch (d->family) {
		case FAMILY_GRPC:
		case FAMILY_CONNECT:
			/* "/zitadel.<package>.<Service>/<name>", POST. */
			if (strncmp(d->path, "/zitadel.", 9) != 0 ||
			    slash == NULL || strchr(slash + 1, '/') != NULL ||
			    strcmp(slash + 1, d->name) != 0 ||
			    strncmp(slash - 7, "Service", 7) != 0)
				fail_msg("%s: service path %s", d->name,
				    d->path);
			assert_string_equal(d->methods, "POST");
			/* gRPC-web's v1 services; Connect's v2 ones. */
			if ((d->family == FAMILY_GRPC) !=
			    (strstr(d->path, ".v1.") != NULL))
				fail_msg("%s: family of %s", d->name, d->path);
			/* Only the v1 calls have grpc-gateway bindings. */
			if (d->family == FAMILY_CONNECT &&
			    d->rest_path != NULL)
				fail_msg("%s: a binding on a v2 call", d->name);
			if (d->rest_path != NULL &&
			    strncmp(d->rest_path, "/management/v1/", 15) != 0)
				fail_msg("%s: binding %s", d->name,
				    d->rest_path);
			break;
		case FAMILY_OAUTH:
			if (strncmp(d->path, "/oauth/", 7) != 0 &&
			    strncmp(d->path, "/oidc/", 6) != 0 &&
			    strncmp(d->path, "/.well-known/", 13) != 0)
				fail_msg("%s: OAuth path %s", d->name,
				    d->path);
			assert_null(d->rest_path);
			break;
		case FAMILY_PLAIN:
			assert_int_equal(strncmp(d->path, "/debug/", 7), 0);
			assert_null(d->rest_path);
			assert_int_equal(d->req->n, 0);
			break;
		default:
			/* FAMILY_REST names how a binding is spelled. */
			fail_msg("%s: family %d for a row", d->name,
			    (int)d->family);
		}
	}
}

/* Each {var} of a binding names a string field of the request, once. */
static void
test_rest_variables(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ncalls; i++) {
		const struct call_def *d = &calls[i];
		const char *p = d->rest_path;
		unsigned seen_slots = 0;

		while (p != NULL && (p = strchr(p, '{')) != NULL) {
			const char *end = strchr(p, '}');
			const struct field *f;

			if (end == NULL || end == p + 1 || p[-1] != '/' ||
			    (end[1] != '/' && end[1] != '\0'))
				fail_msg("%s: variable in %s", d->name,
				    d->rest_path);
			f = field_by_proto(d->req, p + 1,
			    (size_t)(end - p - 1));
			if (f == NULL || f->type != F_STRING)
				fail_msg("%s: {%.*s} names no string field of "
				    "%s", d->name, (int)(end - p - 1), p + 1,
				    d->req->name);
			assert_true(f->slot < 32);
			if (seen_slots & (1u << f->slot))
				fail_msg("%s: {%.*s} twice", d->name,
				    (int)(end - p - 1), p + 1);
			seen_slots |= 1u << f->slot;
			p = end;
		}
	}
}

/* No two rows answer one path and method, by path or by binding. */
static void
test_no_two_rows_share(void **state)
{
	static const char *const methods[] = {
		"GET", "POST", "PUT", "DELETE", "PATCH",
	};
	size_t i, j, m;

	(void)state;
	for (i = 0; i < ncalls; i++)
		for (j = 0; j < ncalls; j++) {
			const struct call_def *a = &calls[i], *b = &calls[j];
			char sa[256], sb[256];

			if (i == j)
				continue;
			for (m = 0; m < N(methods); m++) {
				if (strcmp(a->path, b->path) == 0 &&
				    lists(a->methods, methods[m]) &&
				    lists(b->methods, methods[m]))
					fail_msg("%s and %s: %s %s", a->name,
					    b->name, methods[m], a->path);
			}
			if (a->rest_path == NULL)
				continue;
			shape(a->rest_path, sa, sizeof(sa));
			/* Nor a binding a path, nor two bindings. */
			if (strcmp(sa, b->path) == 0)
				fail_msg("%s's binding is %s's path", a->name,
				    b->name);
			if (b->rest_path == NULL)
				continue;
			shape(b->rest_path, sb, sizeof(sb));
			if (strcmp(sa, sb) == 0 &&
			    strcmp(a->rest_method, b->rest_method) == 0)
				fail_msg("%s and %s: %s %s", a->name, b->name,
				    a->rest_method, sa);
		}
}

/* Rows of one name are one call on several paths. */
static void
test_shared_names(void **state)
{
	size_t i, j;

	(void)state;
	for (i = 0; i < ncalls; i++)
		for (j = i + 1; j < ncalls; j++) {
			const struct call_def *a = &calls[i], *b = &calls[j];

			if (strcmp(a->name, b->name) != 0)
				continue;
			if (a->run != b->run || a->req != b->req ||
			    a->resp != b->resp || a->rule != b->rule ||
			    a->family != b->family)
				fail_msg("two calls named %s", a->name);
		}
}

/* The rules the service functions read, where they read one. */
static void
test_rules(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ncalls; i++) {
		const struct call_def *d = &calls[i];
		int v1 = d->family == FAMILY_GRPC;

		if (d->run == service_regenerate) {
			const struct app_rule *r = d->rule;

			assert_non_null(r);
			/* v1 acts in x-zitadel-orgid; v2 in the project's. */
			assert_int_equal(r->v1, v1);
			assert_int_equal(err_info(r->id_missing)->grpc,
			    GRPC_INVALID_ARGUMENT);
			assert_int_equal(err_info(r->not_found)->grpc,
			    GRPC_NOT_FOUND);
			/* The v1 paths say which kind of app. */
			if (v1)
				assert_int_equal(r->want,
				    strstr(d->name, "OIDC") != NULL ?
				    WANT_OIDC : WANT_API);
		} else if (d->run == service_machine_secret ||
		    d->run == service_machine_secret_remove ||
		    d->run == service_machine_key_add ||
		    d->run == service_machine_key_remove) {
			const struct user_rule *r = d->rule;

			assert_non_null(r);
			assert_int_equal(r->v1, v1);
			assert_int_equal(err_info(r->id_missing)->grpc,
			    GRPC_INVALID_ARGUMENT);
			assert_int_equal(err_info(r->not_found)->grpc,
			    GRPC_FAILED_PRECONDITION);
		} else
			assert_null(d->rule);
	}
}

/* --- the messages --------------------------------------------------------- */

/* protobuf's JSON name of a proto field name (lowerCamelCase). */
static void
camel(const char *proto, char *out, size_t cap)
{
	size_t n = 0;
	int up = 0;

	for (; *proto != '\0' && n + 1 < cap; proto++) {
		if (*proto == '_') {
			up = 1;
			continue;
		}
		out[n++] = up ? (char)toupper((unsigned char)*proto) : *proto;
		up = 0;
	}
	out[n] = '\0';
}

/* The type each slot holds, by request and answer: one per slot. */
static int arg_type[ARG__COUNT], out_type[OUT__COUNT];

static void
check_message(const struct message *m, int request, int protobuf,
    unsigned depth)
{
	size_t i, j;

	assert_non_null(m->name);
	assert_true(depth < 4);
	assert_true(m->n == 0 || m->fields != NULL);
	for (i = 0; i < m->n; i++) {
		const struct field *f = &m->fields[i];
		const char *proto = f->proto != NULL ? f->proto : f->json;
		int *types = request ? arg_type : out_type;
		unsigned count = request ? ARG__COUNT : OUT__COUNT;
		char want[64];

		if (f->json == NULL || f->json[0] == '\0')
			fail_msg("%s: field %zu has no name", m->name, i);
		/* The wires that number fields number every field. */
		if (protobuf != (f->num != 0))
			fail_msg("%s.%s: number %u", m->name, f->json, f->num);
		if (protobuf) {
			camel(proto, want, sizeof(want));
			if (strcmp(want, f->json) != 0)
				fail_msg("%s.%s: JSON name of %s is %s",
				    m->name, f->json, proto, want);
		}
		for (j = 0; j < i; j++) {
			const struct field *g = &m->fields[j];

			if ((f->num != 0 && f->num == g->num) ||
			    strcmp(f->json, g->json) == 0)
				fail_msg("%s: %s and %s collide", m->name,
				    g->json, f->json);
		}
		if (f->type == F_MSG) {
			if (f->msg == NULL)
				fail_msg("%s.%s: no message", m->name, f->json);
			check_message(f->msg, request, protobuf, depth + 1);
			continue;
		}
		assert_null(f->msg);
		if (f->slot >= count)
			fail_msg("%s.%s: slot %u", m->name, f->json, f->slot);
		if ((f->type == F_ENUM) != (f->names != NULL))
			fail_msg("%s.%s: enum names", m->name, f->json);
		/* A oneof of scalars: the last one set wins. */
		if (f->oneof != 0 && f->type != F_BOOL &&
		    f->type != F_STRING)
			fail_msg("%s.%s: oneof of type %d", m->name, f->json,
			    (int)f->type);
		/* Forms carry strings only; F_WORDS is JSON's. */
		if (!protobuf && request && f->type != F_STRING)
			fail_msg("%s.%s: a form field of type %d", m->name,
			    f->json, (int)f->type);
		if (protobuf && f->type == F_WORDS)
			fail_msg("%s.%s: words on a protobuf wire", m->name,
			    f->json);
		if (types[f->slot] != 0 && types[f->slot] != (int)f->type + 1)
			fail_msg("%s.%s: slot %u is of two types", m->name,
			    f->json, f->slot);
		types[f->slot] = (int)f->type + 1;
	}
}

static void
test_messages(void **state)
{
	size_t i;

	(void)state;
	memset(arg_type, 0, sizeof(arg_type));
	memset(out_type, 0, sizeof(out_type));
	for (i = 0; i < ncalls; i++) {
		const struct call_def *d = &calls[i];
		int protobuf = d->family == FAMILY_GRPC ||
		    d->family == FAMILY_CONNECT;

		check_message(d->req, 1, protobuf, 0);
		check_message(d->resp, 0, protobuf, 0);
		if (protobuf && (strstr(d->req->name, "Request") == NULL ||
		    strstr(d->resp->name, "Response") == NULL))
			fail_msg("%s: messages %s, %s", d->name, d->req->name,
			    d->resp->name);
	}
	check_message(&m_error_detail, 0, 1, 0);
	check_message(&m_status, 0, 1, 0);
	/* The machine key's type: zitadel.authn.v1.KeyType by number. */
	for (i = 0; i < m_v1_add_key_req.n; i++)
		if (m_v1_add_key_req.fields[i].type == F_ENUM) {
			assert_string_equal(m_v1_add_key_req.fields[i].names[0],
			    "KEY_TYPE_UNSPECIFIED");
			assert_string_equal(m_v1_add_key_req.fields[i].names[1],
			    "KEY_TYPE_JSON");
			assert_null(m_v1_add_key_req.fields[i].names[2]);
		}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_families),
		cmocka_unit_test(test_rest_variables),
		cmocka_unit_test(test_no_two_rows_share),
		cmocka_unit_test(test_shared_names),
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_messages),
	};

	return cmocka_run_group_tests_name("calls", tests, NULL, NULL);
}
