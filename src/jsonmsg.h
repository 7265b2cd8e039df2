/*
 * jsonmsg.h - JSON for the messages of msg.h: protobuf's JSON mapping
 * (REST, Connect) and plain JSON (the OAuth endpoints), read with json-c,
 * written by our own writer so that no library keeps a copy of a secret.
 */
#ifndef OIDC_SECRET_JSONMSG_H
#define OIDC_SECRET_JSONMSG_H

#include <stddef.h>

#include "buf.h"
#include "error.h"
#include "msg.h"

#define JSONMSG_ARENA(len) (2 * (len) + 16)

/* Where decoded strings are copied: fixed, so values never move. */
struct arena {
	char *p;
	size_t used, cap;
};

/* A copy of s[0..n) in a, NUL-terminated; NULL when a is full. */
char *arena_copy(struct arena *a, const char *s, size_t n);

/*
 * Decodes body[0..len), empty or one JSON object (checked strictly, RFC
 * 8259), as message m into vals.  A field
 * may come by its JSON name or its proto name, not both; null is absent;
 * unknown members are ignored.  Strings are copied into a, which needs
 * JSONMSG_ARENA(len) bytes at most.  ERR_OK, ERR_BAD_BODY, or ERR_INTERNAL.
 */
enum err jsonmsg_decode(const struct message *m, const char *body,
    size_t len, struct value *vals, struct arena *a);

/*
 * Writes the set values of vals as message m, one JSON object, into b
 * (which records a failure itself).
 */
void jsonmsg_encode(const struct message *m, const struct value *vals,
    struct buf *b);

/* A JSON string (RFC 8259 7) of s[0..n) into b. */
void json_put_string(struct buf *b, const char *s, size_t n);

/* json-c's version, as linked (--version). */
const char *jsonmsg_library_version(void);

#endif
