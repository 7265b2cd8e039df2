/*
 * cors.h - cross-origin calls from browsers (the Fetch standard's CORS
 * protocol), as ZITADEL's gateway and Connect handlers answer them.
 */
#ifndef OIDC_SECRET_CORS_H
#define OIDC_SECRET_CORS_H

#include "config.h"
#include "request.h"

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
