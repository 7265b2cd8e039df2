/*
 * clientauth.h - an OAuth client's secret against the hashes stored for it
 * (the current one, and the previous one while its grace lasts), with a
 * per-process cache of pairs verified and of pairs refused
 * (doc/security.md, "Client authentication").
 */
#ifndef OIDC_SECRET_CLIENTAUTH_H
#define OIDC_SECRET_CLIENTAUTH_H

#include <stddef.h>

#include "msg.h"
#include "secret.h"
#include "store.h"

/* How long a verified pair is taken on trust, at most. */
#define CLIENTAUTH_TRUST_NS (60LL * 1000000000LL)

/* The pair's cache key: SHA-256 of kind, client ID and secret, hex. */
void clientauth_key(const char *kind, struct slice id, struct slice secret,
    char key[SHA256_HEX]);

/* 1 when the pair was refused within the last second. */
int clientauth_refused(const char *key);

/*
 * 1 when secret matches row's current hash or its previous one: from the
 * cache while the hash it matched is still one of the row's, else by one
 * verification per stored hash; 0 otherwise (the pair is remembered as
 * refused, and an unknown client costs a hash as a known one does).
 */
int clientauth_check(const char *key, struct slice secret,
    const struct client_row *row, const struct hash_params *hp);

/* Hash verifications made by this process: for the logs and tests. */
unsigned long clientauth_verifications(void);

#endif
