/*
 * buf.h - a growing byte buffer for answers being written: capped, and
 * wiped when freed, since an answer may hold a secret.
 */
#ifndef OIDC_SECRET_BUF_H
#define OIDC_SECRET_BUF_H

#include <stddef.h>

struct buf {
	char *p;
	size_t n, cap;
	int failed;		/* out of memory or over the cap: stays set */
};

/* Answers are small; a runaway writer stops here. */
#define BUF_MAX (1024 * 1024)

void buf_add(struct buf *b, const void *data, size_t n);
void buf_str(struct buf *b, const char *s);
void buf_char(struct buf *b, char c);

/*
 * Hands the bytes over (NUL-terminated, *len without it) and empties b;
 * NULL when anything failed, b wiped then.  The caller wipes and frees.
 */
char *buf_take(struct buf *b, size_t *len);

/* Wipes and frees. */
void buf_free(struct buf *b);

#endif
