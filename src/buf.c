/*
 * buf.c - a growing byte buffer, wiped whenever its bytes move or go.
 *
 * Growing copies into a new block and wipes the old one (realloc would
 * leave it unwiped), so no copy of an answer's secret is left behind.
 */
#include "buf.h"

#include <stdlib.h>
#include <string.h>

#include "secret.h"

static int
grow(struct buf *b, size_t need)
{
	size_t cap = b->cap != 0 ? b->cap : 256;
	char *p;

	if (need > BUF_MAX)
		return -1;
	while (cap < need)
		cap *= 2;
	if (cap > BUF_MAX + 1)
		cap = BUF_MAX + 1;
	p = malloc(cap);
	if (p == NULL)
		return -1;
	if (b->p != NULL) {
		memcpy(p, b->p, b->n);
		secret_wipe(b->p, b->cap);
		free(b->p);
	}
	b->p = p;
	b->cap = cap;
	return 0;
}

void
buf_add(struct buf *b, const void *data, size_t n)
{
	if (b->failed)
		return;
	/* Room for the bytes and a NUL. */
	if (n > BUF_MAX || (b->n + n + 1 > b->cap &&
	    grow(b, b->n + n + 1) != 0)) {
		b->failed = 1;
		return;
	}
	if (n > 0)
		memcpy(b->p + b->n, data, n);
	b->n += n;
	b->p[b->n] = '\0';
}

void
buf_str(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_char(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

char *
buf_take(struct buf *b, size_t *len)
{
	char *p = b->p;

	if (b->failed || p == NULL) {
		buf_free(b);
		return NULL;
	}
	*len = b->n;
	memset(b, 0, sizeof(*b));
	return p;
}

void
buf_free(struct buf *b)
{
	if (b->p != NULL) {
		secret_wipe(b->p, b->cap);
		free(b->p);
	}
	memset(b, 0, sizeof(*b));
}
