/*
 * jsonstrict.c - one JSON object, checked strictly (RFC 8259), before any
 * library parses it.
 *
 * json-c's parser, even in strict mode, takes single-quoted keys and NaN;
 * this reader takes only what RFC 8259 allows, with a depth limit, and
 * valid UTF-8 in strings (section 8.1).  It keeps nothing: the REST codec
 * needs no field of the body, and the Connect codec parses it with json-c
 * once it is known to be plain JSON.
 */
#include "jsonstrict.h"

#include <ctype.h>
#include <string.h>

#include "utf8.h"

struct cursor {
	const unsigned char *p, *end;
};

static void
skip_space(struct cursor *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' ||
	    *c->p == '\r' || *c->p == '\n'))
		c->p++;
}

static int
take(struct cursor *c, char ch)
{
	if (c->p < c->end && *c->p == (unsigned char)ch) {
		c->p++;
		return 1;
	}
	return 0;
}

static int
literal(struct cursor *c, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(c->end - c->p) < n || memcmp(c->p, word, n) != 0)
		return -1;
	c->p += n;
	return 0;
}

static int
digits(struct cursor *c)
{
	const unsigned char *start = c->p;

	while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
		c->p++;
	return c->p > start ? 0 : -1;
}

/* number = [ minus ] int [ frac ] [ exp ] (RFC 8259 section 6) */
static int
number(struct cursor *c)
{
	take(c, '-');
	if (take(c, '0')) {
		if (c->p < c->end && *c->p >= '0' && *c->p <= '9')
			return -1;
	} else if (digits(c) != 0)
		return -1;
	if (take(c, '.') && digits(c) != 0)
		return -1;
	if (take(c, 'e') || take(c, 'E')) {
		if (!take(c, '+'))
			take(c, '-');
		if (digits(c) != 0)
			return -1;
	}
	return 0;
}

/* string (RFC 8259 section 7), its bytes valid UTF-8 (section 8.1) */
static int
string(struct cursor *c)
{
	if (!take(c, '"'))
		return -1;
	while (c->p < c->end) {
		unsigned long cp;
		size_t k;
		int i;

		if (*c->p == '"') {
			c->p++;
			return 0;
		}
		if (*c->p == '\\') {
			c->p++;
			if (c->p == c->end)
				return -1;
			if (*c->p == 'u') {
				c->p++;
				for (i = 0; i < 4; i++, c->p++)
					if (c->p == c->end || !isxdigit(*c->p))
						return -1;
				continue;
			}
			if (*c->p == '\0' ||
			    strchr("\"\\/bfnrt", *c->p) == NULL)
				return -1;
			c->p++;
			continue;
		}
		if (*c->p < 0x20)
			return -1;
		k = utf8_next(c->p, (size_t)(c->end - c->p), &cp);
		if (k == 0)
			return -1;
		c->p += k;
	}
	return -1;
}

static int
value(struct cursor *c, int depth)
{
	if (c->p == c->end)
		return -1;
	switch (*c->p) {
	case '{':
		if (depth == 0)
			return -1;
		c->p++;
		skip_space(c);
		if (take(c, '}'))
			return 0;
		do {
			skip_space(c);
			if (string(c) != 0)
				return -1;
			skip_space(c);
			if (!take(c, ':'))
				return -1;
			skip_space(c);
			if (value(c, depth - 1) != 0)
				return -1;
			skip_space(c);
		} while (take(c, ','));
		return take(c, '}') ? 0 : -1;
	case '[':
		if (depth == 0)
			return -1;
		c->p++;
		skip_space(c);
		if (take(c, ']'))
			return 0;
		do {
			skip_space(c);
			if (value(c, depth - 1) != 0)
				return -1;
			skip_space(c);
		} while (take(c, ','));
		return take(c, ']') ? 0 : -1;
	case '"':
		return string(c);
	case 't':
		return literal(c, "true");
	case 'f':
		return literal(c, "false");
	case 'n':
		return literal(c, "null");
	default:
		return number(c);
	}
}

enum err
json_check_object(const char *body, size_t len)
{
	struct cursor c = { (const unsigned char *)body,
	    (const unsigned char *)body + len };

	skip_space(&c);
	if (c.p == c.end)
		return ERR_OK;		/* empty, or only white space */
	if (*c.p != '{' || value(&c, JSON_DEPTH) != 0)
		return ERR_BAD_BODY;
	skip_space(&c);
	return c.p == c.end ? ERR_OK : ERR_BAD_BODY;
}
