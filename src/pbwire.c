/*
 * pbwire.c - protobuf's binary wire format for the messages of msg.h.
 *
 * A reader and a writer of the four wire types, driven by a message's field
 * table: varint (bool, enum, int32, int64, uint64), length-delimited
 * (string, bytes, nested messages, google.protobuf.Timestamp), and the two
 * fixed widths, which are only skipped.  Every length is checked against
 * what is left before it is used.  Strings are not copied: a value points
 * into the request's body.
 */
#include "pbwire.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "secret.h"

enum wire { WT_VARINT = 0, WT_I64 = 1, WT_LEN = 2, WT_I32 = 5 };

#define VARINT_MAX 10
/* Deep enough for our messages; a bound on the recursion. */
#define DEPTH_MAX 4

struct reader {
	const unsigned char *p, *end;
};

static int
varint(struct reader *r, uint64_t *out)
{
	uint64_t v = 0;
	unsigned i;

	for (i = 0; i < VARINT_MAX; i++) {
		if (r->p == r->end)
			return -1;
		/* The tenth byte may carry one bit only. */
		if (i == VARINT_MAX - 1 && *r->p > 1)
			return -1;
		v |= (uint64_t)(*r->p & 0x7f) << (7 * i);
		if ((*r->p++ & 0x80) == 0) {
			*out = v;
			return 0;
		}
	}
	return -1;
}

static int
skip(struct reader *r, unsigned wt)
{
	uint64_t v;

	switch (wt) {
	case WT_VARINT:
		return varint(r, &v);
	case WT_I64:
		if (r->end - r->p < 8)
			return -1;
		r->p += 8;
		return 0;
	case WT_I32:
		if (r->end - r->p < 4)
			return -1;
		r->p += 4;
		return 0;
	case WT_LEN:
		if (varint(r, &v) != 0 || v > (uint64_t)(r->end - r->p))
			return -1;
		r->p += v;
		return 0;
	default:		/* groups (3, 4) are gone from proto3; 6, 7 */
		return -1;
	}
}

static const struct field *
find(const struct message *m, uint64_t num)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (m->fields[i].num != 0 && m->fields[i].num == num)
			return &m->fields[i];
	return NULL;
}

/* A oneof member set: the others of its oneof are not (last wins). */
static void
oneof_clear(const struct message *m, const struct field *f,
    struct value *vals)
{
	size_t i;

	for (i = 0; f->oneof != 0 && i < m->n; i++)
		if (m->fields[i].oneof == f->oneof && &m->fields[i] != f)
			vals[m->fields[i].slot].set = 0;
}

static unsigned
wire_of(enum ftype t)
{
	switch (t) {
	case F_BOOL:
	case F_ENUM:
	case F_UINT64:
	case F_INT32:
	case F_INT:
		return WT_VARINT;
	default:
		return WT_LEN;
	}
}

/* google.protobuf.Timestamp { int64 seconds = 1; int32 nanos = 2; } */
static int
timestamp(struct reader *r, struct ts *t)
{
	while (r->p < r->end) {
		uint64_t key, v;

		if (varint(r, &key) != 0 || key >> 3 == 0)
			return -1;
		if ((key >> 3) == 1 || (key >> 3) == 2) {
			if ((key & 7) != WT_VARINT || varint(r, &v) != 0)
				return -1;
			if ((key >> 3) == 1)
				t->sec = (int64_t)v;
			else
				t->nsec = (int32_t)v;
		} else if (skip(r, (unsigned)(key & 7)) != 0)
			return -1;
	}
	/* The Timestamp's own range: 0001-01-01 to 9999-12-31, whole ns. */
	if (t->sec < -62135596800LL || t->sec > 253402300799LL ||
	    t->nsec < 0 || t->nsec > 999999999)
		return -1;
	return 0;
}

static int
decode(const struct message *m, struct reader *r, struct value *vals,
    unsigned depth)
{
	if (depth > DEPTH_MAX)
		return -1;
	while (r->p < r->end) {
		const struct field *f;
		struct value *v;
		uint64_t key, x;

		if (varint(r, &key) != 0 || key >> 3 == 0 ||
		    key >> 3 > 0x1fffffff)
			return -1;
		f = find(m, key >> 3);
		if (f == NULL) {
			if (skip(r, (unsigned)(key & 7)) != 0)
				return -1;
			continue;
		}
		if ((key & 7) != wire_of(f->type))
			return -1;
		oneof_clear(m, f, vals);
		v = &vals[f->slot];
		if (f->type != F_STRING && f->type != F_BYTES &&
		    f->type != F_TIME && f->type != F_MSG) {
			if (varint(r, &x) != 0)
				return -1;
			v->i = f->type == F_BOOL ? x != 0 : (int64_t)x;
			v->set = 1;
			continue;
		}
		if (varint(r, &x) != 0 || x > (uint64_t)(r->end - r->p))
			return -1;
		{
			struct reader sub = { r->p, r->p + x };

			if (f->type == F_TIME) {
				/* A repeated message merges into the last. */
				if (!v->set)
					memset(&v->t, 0, sizeof(v->t));
				if (timestamp(&sub, &v->t) != 0)
					return -1;
			} else if (f->type == F_MSG) {
				/* Its fields name their own slots. */
				if (decode(f->msg, &sub, vals, depth + 1) != 0)
					return -1;
				r->p += x;
				continue;
			} else {
				v->s.p = (const char *)r->p;
				v->s.n = (size_t)x;
			}
		}
		v->set = 1;
		r->p += x;
	}
	return 0;
}

int
pbwire_decode(const struct message *m, const void *p, size_t n,
    struct value *vals)
{
	struct reader r = { p, (const unsigned char *)p + n };

	return decode(m, &r, vals, 0);
}

/* --- writing: sizes first, then bytes ------------------------------- */

static size_t
varint_len(uint64_t v)
{
	size_t n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

static unsigned char *
put_varint(unsigned char *p, uint64_t v)
{
	while (v >= 0x80) {
		*p++ = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	*p++ = (unsigned char)v;
	return p;
}

/* The scalar a value carries on the wire (int32 sign-extends). */
static uint64_t
scalar(const struct field *f, const struct value *v)
{
	if (f->type == F_INT32)
		return (uint64_t)(int64_t)(int32_t)v->i;
	return (uint64_t)v->i;
}

static size_t
time_len(struct ts t)
{
	return (t.sec != 0 ? 1 + varint_len((uint64_t)t.sec) : 0) +
	    (t.nsec != 0 ? 1 + varint_len((uint64_t)(int64_t)t.nsec) : 0);
}

static size_t msg_len(const struct message *m, const struct value *vals,
    unsigned depth);

/* A field's payload length (after its key and, for LEN, its length). */
static int
payload(const struct field *f, const struct value *vals, unsigned depth,
    size_t *n)
{
	const struct value *v = &vals[f->slot];

	switch (f->type) {
	case F_STRING:
	case F_BYTES:
		*n = v->s.n;
		return v->set && v->s.n > 0;
	case F_WORDS:
		return 0;	/* not on this wire */
	case F_TIME:
		*n = time_len(v->t);
		return v->set;
	case F_MSG:
		if (depth >= DEPTH_MAX)
			return 0;
		*n = msg_len(f->msg, vals, depth + 1);
		return *n > 0;
	default:
		*n = varint_len(scalar(f, v));
		return v->set && v->i != 0;
	}
}

static size_t
msg_len(const struct message *m, const struct value *vals, unsigned depth)
{
	size_t i, total = 0, n;

	for (i = 0; i < m->n; i++) {
		const struct field *f = &m->fields[i];

		if (f->num == 0 || !payload(f, vals, depth, &n))
			continue;
		total += varint_len((uint64_t)f->num << 3) + n;
		if (wire_of(f->type) == WT_LEN)
			total += varint_len(n);
	}
	return total;
}

static unsigned char *
put(const struct message *m, const struct value *vals, unsigned depth,
    unsigned char *p)
{
	size_t i, n;

	for (i = 0; i < m->n; i++) {
		const struct field *f = &m->fields[i];
		const struct value *v = &vals[f->slot];

		if (f->num == 0 || !payload(f, vals, depth, &n))
			continue;
		p = put_varint(p, (uint64_t)f->num << 3 | wire_of(f->type));
		if (wire_of(f->type) == WT_VARINT) {
			p = put_varint(p, scalar(f, v));
			continue;
		}
		p = put_varint(p, n);
		switch (f->type) {
		case F_TIME:
			if (v->t.sec != 0) {
				*p++ = 1 << 3 | WT_VARINT;
				p = put_varint(p, (uint64_t)v->t.sec);
			}
			if (v->t.nsec != 0) {
				*p++ = 2 << 3 | WT_VARINT;
				p = put_varint(p, (uint64_t)(int64_t)v->t.nsec);
			}
			break;
		case F_MSG:
			p = put(f->msg, vals, depth + 1, p);
			break;
		default:
			memcpy(p, v->s.p, n);
			p += n;
			break;
		}
	}
	return p;
}

size_t
pbwire_encode_to(const struct message *m, const struct value *vals,
    void *out, size_t cap)
{
	size_t n = msg_len(m, vals, 0);

	if (n > cap)
		return 0;
	put(m, vals, 0, out);
	return n;
}

unsigned char *
pbwire_encode(const struct message *m, const struct value *vals,
    size_t front, size_t back, size_t *len)
{
	size_t n = msg_len(m, vals, 0);
	unsigned char *buf;

	if (n > SIZE_MAX / 2 - front - back)
		return NULL;
	buf = malloc(front + n + back);
	if (buf == NULL)
		return NULL;
	put(m, vals, 0, buf + front);
	*len = n;
	return buf;
}
