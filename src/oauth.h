/*
 * oauth.h - the OAuth codec: form bodies in, JSON out, RFC 6749 5.2's
 * errors, for the token, introspection, userinfo, authorization and
 * discovery endpoints (doc/oauth.md).
 */
#ifndef OIDC_SECRET_OAUTH_H
#define OIDC_SECRET_OAUTH_H

#include "codec.h"

/* The realm of the WWW-Authenticate challenges (RFC 7617 2, RFC 6750 3). */
#define OAUTH_REALM "oidc-secret"

#endif
