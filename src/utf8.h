/*
 * utf8.h - one UTF-8 sequence at a time, strictly (RFC 3629).
 */
#ifndef OIDC_SECRET_UTF8_H
#define OIDC_SECRET_UTF8_H

#include <stddef.h>

/*
 * Decodes the sequence at s (n bytes available): its length and code point,
 * or 0 for an overlong form, a surrogate, a value above U+10FFFF or a
 * truncated or malformed sequence.
 */
size_t utf8_next(const unsigned char *s, size_t n, unsigned long *cp);

#endif
