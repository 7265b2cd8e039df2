/*
 * jsonout.h - JSON answers with json-c, for the codecs that write JSON
 * (rest.c, connect.c), with the clear secret kept out of json-c.
 */
#ifndef OIDC_SECRET_JSONOUT_H
#define OIDC_SECRET_JSONOUT_H

#include <json-c/json.h>

#include "request.h"
#include "ts.h"

/* Adds a string member; -1 when out of memory. */
int jsonout_string(json_object *o, const char *key, const char *value);

/* Adds an RFC 3339 time, as protobuf's JSON mapping writes a Timestamp. */
int jsonout_time(json_object *o, const char *key, struct ts t);

/*
 * Starts an answer whose first member is "clientSecret": a placeholder of
 * the secret's length goes to json-c.  NULL when out of memory.
 */
json_object *jsonout_secret_object(const char *secret);

/*
 * Serialises root into resp->body (a copy of json-c's text, which
 * response_free() wipes), with application/json; with secret, writes the
 * secret over the placeholder jsonout_secret_object() put first.  -1 on
 * failure.  root stays the caller's.
 */
int jsonout_body(json_object *root, const char *secret,
    struct response *resp);

/* json-c's version, as linked (--version). */
const char *jsonout_library_version(void);

#endif
