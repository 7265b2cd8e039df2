/*
 * auth.h - bearer token -> principal; acting organisation; permission.
 */
#ifndef OIDC_SECRET_AUTH_H
#define OIDC_SECRET_AUTH_H

#include <stddef.h>

#include "config.h"
#include "error.h"
#include "store.h"

/* Longer bearer tokens are invalid, unread. */
#define TOKEN_MAX 4096
#define PERMISSION_APP_WRITE "project.app.write"

struct principal {
	char user_id[ID_BYTES + 1];
	char org_id[ID_BYTES + 1];	/* the user's own organisation */
};

/*
 * The token of "Bearer <token>" (RFC 6750 2.1; the scheme is
 * case-insensitive, RFC 9110 11.1).  Returns 0 and the token's span, or -1
 * when the header is absent or of another scheme.
 */
int auth_bearer(const char *header, const char **token, size_t *len);

/* 1 when the space-separated audience holds want. */
int auth_audience_has(const char *audience, const char *want);

/*
 * The bearer token: ERR_AUTH_MISSING without one, ERR_TOKEN_INVALID for
 * every reason it fails.  A token refused here is refused again for a
 * second without asking the database (see auth.c).
 */
enum err auth_authenticate(struct store *st, const struct config *cfg,
    const char *authorization, struct principal *out);

/* x-zitadel-orgid, or the user's own organisation when absent. */
enum err auth_acting_org(struct store *st, const struct principal *who,
    const char *header, char *org, size_t orglen);

/*
 * A role with permission at instance, org or project scope; org NULL
 * means the project's owner.
 */
enum err auth_authorize(struct store *st, const struct principal *who,
    const char *org, const char *project_id, const char *permission);

#endif
