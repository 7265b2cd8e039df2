/*
 * keyfile.h - ZITADEL's JSON key file for a machine user's key pair: what
 * its SDKs read to sign their JWT assertions (doc/oauth.md).
 */
#ifndef OIDC_SECRET_KEYFILE_H
#define OIDC_SECRET_KEYFILE_H

#include <stddef.h>

#include "buf.h"

/*
 * ZITADEL's expiration date for a key given none, 9999-01-01T00:00:00Z, in
 * seconds since 1970 (the API's and the admin tool's).
 */
#define KEY_EXPIRES_DEFAULT 253370764800LL

/*
 * {"type":"serviceaccount","keyId":…,"key":"-----BEGIN RSA PRIVATE
 * KEY-----…","userId":…} into b, which holds a private key afterwards:
 * the caller frees it with buf_free() (which wipes).
 */
void keyfile_write(struct buf *b, const char *key_id, const char *user_id,
    const char *priv, size_t priv_len);

#endif
