/*
 * jsonmsg.c - protobuf's JSON mapping (protobuf.dev, "ProtoJSON Format")
 * and plain JSON, for the messages of msg.h.
 *
 * Reading: the body is checked strictly first (jsonstrict.c), then parsed
 * by json-c; each field of the message is looked up by its JSON name and
 * its proto name.  bytes are base64, standard or URL-safe, padded or not;
 * a Timestamp is RFC 3339; an enum its value's name or number.  Writing:
 * members in the table's order, only those set; uint64 as a decimal
 * string, int64 of plain JSON as a number, bytes as padded base64, strings
 * escaped as RFC 8259 7 says.
 */
#include "jsonmsg.h"

#include <inttypes.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "b64.h"
#include "jsonstrict.h"

char *
arena_copy(struct arena *a, const char *s, size_t n)
{
	char *p;

	if (a->p == NULL || n >= a->cap - a->used)
		return NULL;
	p = a->p + a->used;
	memcpy(p, s, n);
	p[n] = '\0';
	a->used += n + 1;
	return p;
}

/* --- reading ------------------------------------------------------------ */

/* base64 of either alphabet, padded or not, into the arena. */
static int
bytes_value(struct arena *a, const char *s, size_t n, struct value *v)
{
	char *t, *out;
	size_t i;
	long k;

	if (n % 4 == 0 && n > 0 && s[n - 1] == '=')
		n -= n > 1 && s[n - 2] == '=' ? 2 : 1;
	/* A scratch copy in the URL alphabet's standard spelling. */
	t = arena_copy(a, s, n);
	if (t == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		if (t[i] == '-')
			t[i] = '+';
		else if (t[i] == '_')
			t[i] = '/';
	}
	out = a->p + a->used;
	if (a->cap - a->used < n / 4 * 3 + 3)
		return -1;
	k = b64_decode(t, n, out, n / 4 * 3 + 2, B64_UNPADDED);
	if (k < 0)
		return -1;
	a->used += (size_t)k;
	v->s.p = out;
	v->s.n = (size_t)k;
	return 0;
}

static int
enum_value(const struct field *f, json_object *j, struct value *v)
{
	size_t i;

	if (json_object_is_type(j, json_type_int)) {
		int64_t x = json_object_get_int64(j);

		if (x < INT32_MIN || x > INT32_MAX)
			return -1;
		v->i = x;
		return 0;
	}
	if (!json_object_is_type(j, json_type_string) || f->names == NULL)
		return -1;
	for (i = 0; f->names[i] != NULL; i++)
		if (strcmp(f->names[i], json_object_get_string(j)) == 0) {
			v->i = (int64_t)i;
			return 0;
		}
	return -1;
}

static int
field_value(const struct field *f, json_object *j, struct value *v,
    struct arena *a)
{
	const char *s = json_object_get_string(j);
	size_t n = (size_t)json_object_get_string_len(j);

	switch (f->type) {
	case F_STRING:
	case F_WORDS:
		if (!json_object_is_type(j, json_type_string) ||
		    (v->s.p = arena_copy(a, s, n)) == NULL)
			return -1;
		v->s.n = n;
		return 0;
	case F_BYTES:
		if (!json_object_is_type(j, json_type_string))
			return -1;
		return bytes_value(a, s, n, v);
	case F_BOOL:
		if (!json_object_is_type(j, json_type_boolean))
			return -1;
		v->i = json_object_get_boolean(j) ? 1 : 0;
		return 0;
	case F_ENUM:
		return enum_value(f, j, v);
	case F_TIME:
		if (!json_object_is_type(j, json_type_string))
			return -1;
		return ts_parse(s, n, &v->t);
	case F_INT32:
	case F_INT:
	case F_UINT64:
		if (!json_object_is_type(j, json_type_int))
			return -1;
		v->i = json_object_get_int64(j);
		return f->type == F_INT32 && (v->i < INT32_MIN ||
		    v->i > INT32_MAX) ? -1 : 0;
	default:
		return -1;
	}
}

/* 1 when another member of f's oneof is set already. */
static int
oneof_taken(const struct message *m, const struct field *f,
    const struct value *vals)
{
	size_t i;

	for (i = 0; f->oneof != 0 && i < m->n; i++)
		if (m->fields[i].oneof == f->oneof && &m->fields[i] != f &&
		    vals[m->fields[i].slot].set)
			return 1;
	return 0;
}

static int
decode_object(const struct message *m, json_object *root, struct value *vals,
    struct arena *a, unsigned depth)
{
	size_t i;

	if (depth > 4 || !json_object_is_type(root, json_type_object))
		return -1;
	for (i = 0; i < m->n; i++) {
		const struct field *f = &m->fields[i];
		const char *proto = f->proto != NULL ? f->proto : f->json;
		json_object *x = NULL, *y = NULL, *j;
		int has_x = json_object_object_get_ex(root, f->json, &x);
		int has_y = strcmp(proto, f->json) != 0 &&
		    json_object_object_get_ex(root, proto, &y);

		if (has_x && has_y)
			return -1;	/* the same field twice */
		j = has_x ? x : y;
		if (j == NULL || json_object_is_type(j, json_type_null))
			continue;
		if (f->type == F_MSG) {
			if (decode_object(f->msg, j, vals, a, depth + 1) != 0)
				return -1;
			continue;
		}
		if (oneof_taken(m, f, vals) ||
		    field_value(f, j, &vals[f->slot], a) != 0)
			return -1;
		vals[f->slot].set = 1;
	}
	return 0;
}

enum err
jsonmsg_decode(const struct message *m, const char *body, size_t len,
    struct value *vals, struct arena *a)
{
	struct json_tokener *tok = NULL;
	json_object *root = NULL;
	enum err e;

	if ((e = json_check_object(body, len)) != ERR_OK)
		return e;
	if (body == NULL || body[strspn(body, " \t\r\n")] == '\0')
		return ERR_OK;		/* empty: every field absent */
	tok = json_tokener_new_ex(JSON_DEPTH + 1);
	if (tok == NULL)
		return ERR_INTERNAL;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	root = json_tokener_parse_ex(tok, body, (int)len);
	e = root != NULL && decode_object(m, root, vals, a, 0) == 0 ? ERR_OK :
	    ERR_BAD_BODY;
	json_object_put(root);
	json_tokener_free(tok);
	return e;
}

/* --- writing ------------------------------------------------------------ */

void
json_put_string(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, run = 0;

	buf_char(b, '"');
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *esc = NULL;
		char u[7];

		switch (c) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\b': esc = "\\b"; break;
		case '\f': esc = "\\f"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		default:
			if (c < 0x20) {
				memcpy(u, "\\u00", 4);
				u[4] = hex[c >> 4];
				u[5] = hex[c & 0xf];
				u[6] = '\0';
				esc = u;
			}
			break;
		}
		if (esc == NULL)
			continue;
		buf_add(b, s + run, i - run);
		buf_str(b, esc);
		run = i + 1;
	}
	buf_add(b, s + run, n - run);
	buf_char(b, '"');
}

static void
put_words(struct buf *b, struct slice s)
{
	size_t i = 0;
	int first = 1;

	buf_char(b, '[');
	while (i < s.n) {
		size_t k;

		while (i < s.n && s.p[i] == ' ')
			i++;
		for (k = i; k < s.n && s.p[k] != ' '; k++)
			;
		if (k > i) {
			if (!first)
				buf_char(b, ',');
			json_put_string(b, s.p + i, k - i);
			first = 0;
		}
		i = k;
	}
	buf_char(b, ']');
}

static void
put_bytes(struct buf *b, struct slice s)
{
	char chunk[B64_LEN(48) + 1];
	size_t i;

	buf_char(b, '"');
	/* 48 bytes make 64 characters with no padding until the end. */
	for (i = 0; i < s.n; i += 48) {
		size_t n = s.n - i < 48 ? s.n - i : 48;

		buf_add(b, chunk, b64_encode(s.p + i, n, chunk, B64_PADDED));
	}
	buf_char(b, '"');
}

static int
any_set(const struct message *m, const struct value *vals, unsigned depth)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		const struct field *f = &m->fields[i];

		if (f->type == F_MSG ? depth < 4 && any_set(f->msg, vals,
		    depth + 1) : vals[f->slot].set)
			return 1;
	}
	return 0;
}

static void
put_value(struct buf *b, const struct field *f, const struct value *v)
{
	char num[24], when[TS_RFC3339_MAX];
	size_t k;

	switch (f->type) {
	case F_STRING:
		json_put_string(b, v->s.p, v->s.n);
		break;
	case F_WORDS:
		put_words(b, v->s);
		break;
	case F_BYTES:
		put_bytes(b, v->s);
		break;
	case F_BOOL:
		buf_str(b, v->i ? "true" : "false");
		break;
	case F_ENUM:
		for (k = 0; f->names != NULL && f->names[k] != NULL &&
		    (int64_t)k != v->i; k++)
			;
		if (f->names != NULL && f->names[k] != NULL) {
			json_put_string(b, f->names[k], strlen(f->names[k]));
			break;
		}
		/* A number with no name goes as a number. */
		/* FALLTHROUGH */
	case F_INT32:
	case F_INT:
		snprintf(num, sizeof(num), "%" PRId64, v->i);
		buf_str(b, num);
		break;
	case F_UINT64:
		snprintf(num, sizeof(num), "\"%" PRIu64 "\"", (uint64_t)v->i);
		buf_str(b, num);
		break;
	case F_TIME:
		if (ts_format(v->t, when, sizeof(when)) != 0) {
			b->failed = 1;
			break;
		}
		json_put_string(b, when, strlen(when));
		break;
	default:
		b->failed = 1;
		break;
	}
}

static void
encode_object(const struct message *m, const struct value *vals,
    struct buf *b, unsigned depth)
{
	size_t i;
	int first = 1;

	buf_char(b, '{');
	for (i = 0; i < m->n; i++) {
		const struct field *f = &m->fields[i];

		if (f->type == F_MSG ? depth >= 4 || !any_set(f->msg, vals,
		    depth + 1) : !vals[f->slot].set)
			continue;
		if (!first)
			buf_char(b, ',');
		first = 0;
		json_put_string(b, f->json, strlen(f->json));
		buf_char(b, ':');
		if (f->type == F_MSG)
			encode_object(f->msg, vals, b, depth + 1);
		else
			put_value(b, f, &vals[f->slot]);
	}
	buf_char(b, '}');
}

void
jsonmsg_encode(const struct message *m, const struct value *vals,
    struct buf *b)
{
	encode_object(m, vals, b, 0);
}

const char *
jsonmsg_library_version(void)
{
	return json_c_version();
}
