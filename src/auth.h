/*
 * auth.h - the bearer token: its digest, and whether its row is good.
 */
#ifndef OIDC_SECRET_AUTH_H
#define OIDC_SECRET_AUTH_H

#include <stddef.h>

#include "config.h"
#include "error.h"
#include "secret.h"
#include "store.h"

/* Longer bearer tokens are invalid, unread. */
#define TOKEN_MAX 4096

/*
 * The token of "Bearer <token>" (RFC 6750 2.1; the scheme is
 * case-insensitive, RFC 9110 11.1).  Returns 0 and the token's span, or -1
 * when the header is absent or of another scheme.
 */
int auth_bearer(const char *header, const char **token, size_t *len);

/* 1 when the space-separated list holds want. */
int auth_audience_has(const char *audience, const char *want);

/* 1 for a string an RFC 6750 b64token may be. */
int auth_token_chars_ok(const char *t, size_t len);

/*
 * The bearer token's SHA-256 (lowercase hex), which is what the database
 * knows it by: ERR_OK; ERR_AUTH_MISSING without an Authorization: Bearer
 * header; ERR_TOKEN_INVALID for a token that cannot be one, or that was
 * refused within the last second (see auth.c), without asking the
 * database.  *reason says which, for the log.
 */
enum err auth_digest(const char *authorization, char digest[SHA256_HEX],
    const char **reason);

/*
 * The token as its row stands: ERR_OK, or ERR_TOKEN_INVALID for every
 * reason it fails (unknown, revoked, expired, user or organisation
 * inactive, with audience set an audience without it), remembered for a
 * second; *reason says which, for the log, never the token.  Personal
 * access tokens skip the audience check, as in ZITADEL.
 */
enum err auth_accept(const char *digest, const struct token_row *t,
    const char *audience, const char **reason);

/*
 * A refusal cache for client credentials (the token and introspection
 * endpoints): key is a digest of the pair.  1 when refused within the
 * last second.
 */
int auth_refused_recently(const char *key);
void auth_refuse(const char *key);

#endif
