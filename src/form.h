/*
 * form.h - application/x-www-form-urlencoded bodies and HTTP Basic
 * credentials, as the OAuth 2.0 endpoints take them (RFC 6749 2.3.1, 3.2).
 */
#ifndef OIDC_SECRET_FORM_H
#define OIDC_SECRET_FORM_H

#include <stddef.h>

#include "error.h"
#include "jsonmsg.h"
#include "msg.h"

/*
 * Decodes body[0..len) (WHATWG URL "application/x-www-form-urlencoded":
 * name=value pairs joined by '&', '+' a space, %XX a byte) into vals by
 * message m's field names.  A parameter without a value counts as absent
 * (RFC 6749 3.1); unknown parameters are ignored.  Values are copied into
 * a (len + 1 bytes suffice).  ERR_OK; ERR_OAUTH_REPEATED for a known
 * parameter given twice; ERR_OAUTH_BAD_FORM for a bad %-escape or a value
 * that is not UTF-8.
 */
enum err form_decode(const struct message *m, const char *body, size_t len,
    struct value *vals, struct arena *a);

/*
 * The client ID and secret of an "Authorization: Basic" header, each
 * form-urldecoded after the base64 (RFC 6749 2.3.1), copied into a.
 * 0 when there are such credentials; 1 when the header is absent or of
 * another scheme; -1 when it is Basic but malformed.
 */
int form_basic(const char *authorization, struct arena *a, struct slice *id,
    struct slice *secret);

#endif
