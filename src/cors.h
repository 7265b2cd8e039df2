/*
 * cors.h - cross-origin calls from browsers (the Fetch standard's CORS
 * protocol), as ZITADEL's gateway and Connect handlers answer them.
 */
#ifndef OIDC_SECRET_CORS_H
#define OIDC_SECRET_CORS_H

#include <stddef.h>

#include "config.h"
#include "request.h"

/*
 * The next entry of an origin list (cors_allowed_origins: entries
 * separated by commas, spaces or tabs) from *p into *entry, moving *p on;
 * 0 at the end of the list.  The one reader of the list, for the check at
 * start-up and the match per request.
 */
int cors_list_next(const char **p, const char **entry, size_t *len);

/*
 * 1 when cors_allowed_origins lets origin in ("*": any, as ZITADEL; else
 * the listed origins, compared ASCII case-insensitively).
 */
int cors_allowed(const struct config *cfg, const char *origin);

/*
 * The answer to a preflight (OPTIONS) for a route whose methods are
 * methods: 204, Allow, and for an allowed origin (NULL: none) what the
 * browser asked for.  -1 when out of room or memory.
 */
int cors_preflight(struct response *resp, const char *origin,
    const char *methods);

/* What every answer to an allowed origin carries; -1 on failure. */
int cors_headers(struct response *resp, const char *origin);

#endif
