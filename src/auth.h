/*
 * auth.h - the bearer token: its digest, and whether the lookup accepts it.
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
#define PERMISSION_APP_WRITE "project.app.write"

/*
 * The token of "Bearer <token>" (RFC 6750 2.1; the scheme is
 * case-insensitive, RFC 9110 11.1).  Returns 0 and the token's span, or -1
 * when the header is absent or of another scheme.
 */
int auth_bearer(const char *header, const char **token, size_t *len);

/* 1 when the space-separated audience holds want. */
int auth_audience_has(const char *audience, const char *want);

/*
 * The bearer token's SHA-256 (lowercase hex), which is what the database
 * knows it by: ERR_OK; ERR_AUTH_MISSING without an Authorization: Bearer
 * header; ERR_TOKEN_INVALID for a token that cannot be one, or that was
 * refused within the last second (see auth.c), without asking the
 * database.
 */
enum err auth_digest(const char *authorization, char digest[SHA256_HEX]);

/*
 * The token as the lookup found it: ERR_OK, or ERR_TOKEN_INVALID for every
 * reason it fails (unknown, expired, revoked, user or org inactive, the
 * audience without api_project_id), remembered for a second.
 */
enum err auth_accept(const struct config *cfg, const char *digest,
    const struct lookup *l);

#endif
