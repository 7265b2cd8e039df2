/*
 * keyfile.c - ZITADEL's JSON key file ("JSON" key type): the key's ID,
 * the private key as PKCS#1 PEM, the user's ID.  Written by our own JSON
 * writer into a buffer that is wiped, never by a library that would keep
 * a copy of the private key.
 */
#include "keyfile.h"

#include <string.h>

#include "jsonmsg.h"

void
keyfile_write(struct buf *b, const char *key_id, const char *user_id,
    const char *priv, size_t priv_len)
{
	buf_str(b, "{\"type\":\"serviceaccount\",\"keyId\":");
	json_put_string(b, key_id, strlen(key_id));
	buf_str(b, ",\"key\":");
	json_put_string(b, priv, priv_len);
	buf_str(b, ",\"userId\":");
	json_put_string(b, user_id, strlen(user_id));
	buf_char(b, '}');
}
