/*
 * clientauth.c - client secrets, checked cheaply where that is safe.
 *
 * A resource server introspects on every request it serves and a service
 * asks for tokens often: a hash verification each time would cost more
 * than everything else the call does.  So a pair (client ID, secret) that
 * verified is remembered, by a digest of both, with the stored hash it
 * matched, for at most CLIENTAUTH_TRUST_NS: it is taken on trust only
 * while that hash is still one the database holds for the client, so a
 * rotated secret (its grace over) or a removed one stops at once.  A pair
 * refused is remembered for a second, as a refused bearer token is, so a
 * client repeating it costs no hash.  An unknown client is verified
 * against a hash of nothing, so it costs what a known one does.  Per
 * process, and a process serves one request at a time: no locking.
 */
#include "clientauth.h"

#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "log.h"
#include "util.h"

#define TRUSTED_SLOTS 64

static struct {
	char key[SHA256_HEX];
	char hash[HASH_MAX];	/* the stored hash the secret matched */
	int64_t until;
} trusted[TRUSTED_SLOTS];

static unsigned long verifications;
static char decoy[HASH_MAX];	/* a hash of no client's secret */

void
clientauth_key(const char *kind, struct slice id, struct slice secret,
    char key[SHA256_HEX])
{
	char buf[2 * 1024 + 64];
	size_t k = strlen(kind), n = 0;

	/* Lengths first, so no two pairs spell the same bytes. */
	if (k + id.n + secret.n + 32 > sizeof(buf)) {
		memset(key, '0', SHA256_HEX - 1);
		key[SHA256_HEX - 1] = '\0';
		return;
	}
	n = (size_t)snprintf(buf, sizeof(buf), "%s:%zu:%zu:", kind, id.n,
	    secret.n);
	memcpy(buf + n, id.p, id.n);
	memcpy(buf + n + id.n, secret.p, secret.n);
	secret_sha256_hex(buf, n + id.n + secret.n, key);
	secret_wipe(buf, sizeof(buf));
}

int
clientauth_refused(const char *key)
{
	return auth_refused_recently(key);
}

static int
verify(struct slice secret, const char *hash)
{
	int rc;

	verifications++;
	rc = secret_verify(secret.p, secret.n, hash);
	log_msg(LOG_DEBUG, "client secret: hash verification %lu: %s",
	    verifications, rc == 1 ? "match" : "no match");
	return rc == 1;
}

int
clientauth_check(const char *key, struct slice secret,
    const struct client_row *row, const struct hash_params *hp)
{
	unsigned i = util_digest_slot(key, TRUSTED_SLOTS);
	const char *matched = NULL;

	if (trusted[i].until > util_mono_ns() &&
	    memcmp(trusted[i].key, key, SHA256_HEX) == 0 &&
	    row->found && trusted[i].hash[0] != '\0' &&
	    (strcmp(trusted[i].hash, row->hash) == 0 ||
	    strcmp(trusted[i].hash, row->previous) == 0))
		return 1;
	if (!row->found || row->hash[0] == '\0') {
		/* As long as a known client's check: a hash of nothing. */
		if (decoy[0] == '\0' && secret_hash(hp, "-", 1, decoy,
		    sizeof(decoy)) != 0)
			decoy[0] = '\0';
		if (decoy[0] != '\0')
			(void)verify(secret, decoy);
	} else if (verify(secret, row->hash))
		matched = row->hash;
	else if (row->previous[0] != '\0' && verify(secret, row->previous))
		matched = row->previous;
	if (matched == NULL) {
		auth_refuse(key);
		return 0;
	}
	memcpy(trusted[i].key, key, SHA256_HEX);
	snprintf(trusted[i].hash, sizeof(trusted[i].hash), "%s", matched);
	trusted[i].until = util_mono_ns() + CLIENTAUTH_TRUST_NS;
	return 1;
}

unsigned long
clientauth_verifications(void)
{
	return verifications;
}
