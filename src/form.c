/*
 * form.c - form bodies and HTTP Basic credentials (RFC 6749 2.3.1, 3.2).
 *
 * Every value is decoded into the arena the caller gives, which outlives
 * the request's values and is wiped with them: a client secret or an
 * assertion passes through here.
 */
#include "form.h"

#include <string.h>
#include <strings.h>

#include "b64.h"
#include "utf8.h"
#include "util.h"

/* Decodes s[0..n) into out; its length, or -1 for a bad escape. */
static long
unescape(const char *s, size_t n, char *out)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '+')
			out[o++] = ' ';
		else if (s[i] != '%')
			out[o++] = s[i];
		else {
			int hi, lo;

			if (i + 2 >= n)
				return -1;
			hi = util_hexval(s[i + 1]);
			lo = util_hexval(s[i + 2]);
			if (hi < 0 || lo < 0)
				return -1;
			out[o++] = (char)(hi << 4 | lo);
			i += 2;
		}
	}
	out[o] = '\0';
	return (long)o;
}

static int
utf8_ok(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned long cp;
		size_t k = utf8_next((const unsigned char *)s + i, n - i, &cp);

		if (k == 0)
			return 0;
		i += k;
	}
	return 1;
}

/* One decoded copy of s[0..n) in the arena; NULL when it does not decode. */
static char *
decoded(struct arena *a, const char *s, size_t n, size_t *len)
{
	char *out;
	long k;

	if (a->p == NULL || n >= a->cap - a->used)
		return NULL;
	out = a->p + a->used;
	k = unescape(s, n, out);
	if (k < 0 || !utf8_ok(out, (size_t)k))
		return NULL;
	a->used += (size_t)k + 1;
	*len = (size_t)k;
	return out;
}

static const struct field *
named(const struct message *m, const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (strlen(m->fields[i].json) == n &&
		    memcmp(m->fields[i].json, name, n) == 0)
			return &m->fields[i];
	return NULL;
}

enum err
form_decode(const struct message *m, const char *body, size_t len,
    struct value *vals, struct arena *a)
{
	size_t i = 0;

	while (i < len) {
		size_t end = i, eq, nlen, vlen;
		const struct field *f;
		char *name, *value;

		while (end < len && body[end] != '&')
			end++;
		for (eq = i; eq < end && body[eq] != '='; eq++)
			;
		name = decoded(a, body + i, eq - i, &nlen);
		if (name == NULL)
			return ERR_OAUTH_BAD_FORM;
		f = named(m, name, nlen);
		i = end + 1;
		/* RFC 6749 3.1: no value is no parameter. */
		if (eq == end)
			continue;
		value = decoded(a, body + eq + 1, end - eq - 1, &vlen);
		if (value == NULL)
			return ERR_OAUTH_BAD_FORM;
		if (f != NULL && vlen > 0) {
			if (vals[f->slot].set)
				return ERR_OAUTH_REPEATED;
			vals[f->slot].set = 1;
			vals[f->slot].s.p = value;
			vals[f->slot].s.n = vlen;
		}
	}
	return ERR_OK;
}

int
form_basic(const char *authorization, struct arena *a, struct slice *id,
    struct slice *secret)
{
	const char *p, *colon;
	char *raw, *uid, *pw;
	size_t n, ulen, plen;
	long k;

	if (authorization == NULL ||
	    strncasecmp(authorization, "basic", 5) != 0 ||
	    (authorization[5] != ' ' && authorization[5] != '\t'))
		return 1;
	p = authorization + 6;
	p += strspn(p, " \t");
	n = strcspn(p, " \t");
	if (p[n + strspn(p + n, " \t")] != '\0' || n == 0 ||
	    a->p == NULL || n >= a->cap - a->used)
		return -1;
	raw = a->p + a->used;
	k = b64_decode(p, n, raw, n, B64_PADDED);
	if (k < 0)
		return -1;
	a->used += (size_t)k + 1;
	raw[k] = '\0';
	colon = memchr(raw, ':', (size_t)k);
	if (colon == NULL)
		return -1;
	uid = decoded(a, raw, (size_t)(colon - raw), &ulen);
	pw = decoded(a, colon + 1, (size_t)(raw + k - colon - 1), &plen);
	if (uid == NULL || pw == NULL || ulen == 0)
		return -1;
	id->p = uid;
	id->n = ulen;
	secret->p = pw;
	secret->n = plen;
	return 0;
}
