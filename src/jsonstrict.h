/*
 * jsonstrict.h - is a request body one strict JSON object (RFC 8259)?
 */
#ifndef OIDC_SECRET_JSONSTRICT_H
#define OIDC_SECRET_JSONSTRICT_H

#include <stddef.h>

#include "error.h"

#define JSON_DEPTH 32		/* nesting of objects and arrays */

/*
 * ERR_OK for an empty body (or only white space) or one JSON object, with
 * nothing after it; ERR_BAD_BODY otherwise.
 */
enum err json_check_object(const char *body, size_t len);

#endif
