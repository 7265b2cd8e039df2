/*
 * rest.h - the grpc-gateway style JSON codec (SPEC sections 1, 3, 4).
 */
#ifndef OIDC_SECRET_REST_H
#define OIDC_SECRET_REST_H

#include <stddef.h>

#include "error.h"
#include "request.h"
#include "service.h"

#define REST_JSON_DEPTH 32

/* 1 when the content type is absent or application/json (any parameters). */
int rest_content_type_ok(const char *content_type);

/* ERR_OK for an empty body or one JSON object; ERR_BAD_BODY otherwise. */
enum err rest_check_body(const char *body, size_t len);

/* The 200 body of SPEC section 3; -1 when out of memory. */
int rest_encode_outcome(const struct outcome *o, struct response *resp);

/* The error body of SPEC section 4, with its HTTP status; -1 on OOM. */
int rest_encode_error(enum err kind, struct response *resp);

#endif
