/*
 * errwire.h - an error kind in each spelling the wires use (doc/errors.md,
 * "How each wire spells an error"), built in one place.
 */
#ifndef OIDC_SECRET_ERRWIRE_H
#define OIDC_SECRET_ERRWIRE_H

#include <stddef.h>

#include "error.h"
#include "request.h"

/*
 * grpc-gateway's JSON body, {"code","message","details":[ErrorDetail]},
 * with the kind's HTTP status: REST, and whatever no codec took.
 */
int errwire_gateway(enum err kind, struct response *resp);

/* Connect's JSON body, {"code":"not_found","message","details"}. */
int errwire_connect(enum err kind, struct response *resp);

/* RFC 6749 5.2's {"error","error_description"}. */
int errwire_oauth(enum err kind, struct response *resp);

/* zitadel.v1.ErrorDetail {id, message}: its length, or 0 if over cap. */
size_t errwire_detail(enum err kind, void *out, size_t cap);

/*
 * google.rpc.Status {code, "text (ID)", [Any(ErrorDetail)]}: its length,
 * or 0 if over cap.
 */
size_t errwire_status(enum err kind, void *out, size_t cap);

#define ERRWIRE_MAX 768		/* room enough for either of the above */

#endif
