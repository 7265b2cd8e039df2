/*
 * auth.c - who is calling, for which organisation, and may they.
 *
 * A bearer token is never stored or compared in clear: its SHA-256 is looked
 * up (doc/database.md).  Every reason a token fails gives the same answer,
 * so a caller learns nothing about which check it failed.
 */
#include "auth.h"

#include <string.h>
#include <strings.h>

#include "secret.h"
#include "util.h"

int
auth_bearer(const char *header, const char **token, size_t *len)
{
	const char *p, *end;

	if (header == NULL || strncasecmp(header, "bearer", 6) != 0 ||
	    (header[6] != ' ' && header[6] != '\t'))
		return -1;
	p = header + 7;
	while (*p == ' ' || *p == '\t')
		p++;
	end = p + strlen(p);
	while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	*token = p;
	*len = (size_t)(end - p);
	return 0;
}

int
auth_audience_has(const char *audience, const char *want)
{
	size_t n = strlen(want);
	const char *p = audience;

	if (n == 0)
		return 0;
	while (*p != '\0') {
		size_t k;

		while (*p == ' ')
			p++;
		k = strcspn(p, " ");
		if (k == n && memcmp(p, want, n) == 0)
			return 1;
		p += k;
	}
	return 0;
}

/* RFC 6750 2.1 b64token: the only bytes a bearer token may hold. */
int
auth_token_chars_ok(const char *t, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)t[i];

		/* strchr() would find the terminator for a NUL. */
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') ||
		    (c != '\0' && strchr("-._~+/=", c) != NULL)))
			return 0;
	}
	return 1;
}

/*
 * Tokens just refused, by digest, for a second.  A client or script that
 * repeats a dead token then costs no database round trip: a bad token must
 * stay cheap.  Only refusals are remembered, never acceptance, so
 * a revocation takes effect at once; a token that turns valid (issued late
 * by a sync job, its user reactivated) is accepted at most a second later.
 * Per process, and a process serves one request at a time: no locking.
 */
#define REFUSED_SLOTS 64
#define REFUSED_NS 1000000000LL

/* A slot by the digest's first byte; a newer refusal takes the slot. */
static struct {
	char digest[SHA256_HEX];
	int64_t until;		/* CLOCK_MONOTONIC ns */
} refused[REFUSED_SLOTS];

int
auth_refused_recently(const char *digest)
{
	unsigned i = util_digest_slot(digest, REFUSED_SLOTS);

	return refused[i].until > util_mono_ns() &&
	    memcmp(refused[i].digest, digest, SHA256_HEX) == 0;
}

void
auth_refuse(const char *digest)
{
	unsigned i = util_digest_slot(digest, REFUSED_SLOTS);

	memcpy(refused[i].digest, digest, SHA256_HEX);
	refused[i].until = util_mono_ns() + REFUSED_NS;
}

enum err
auth_digest(const char *authorization, char digest[SHA256_HEX],
    const char **reason)
{
	const char *token;
	size_t len;

	if (auth_bearer(authorization, &token, &len) != 0) {
		*reason = "no bearer token";
		return ERR_AUTH_MISSING;
	}
	if (len == 0 || len > TOKEN_MAX || !auth_token_chars_ok(token, len)) {
		*reason = "malformed token";
		return ERR_TOKEN_INVALID;
	}
	secret_sha256_hex(token, len, digest);
	if (auth_refused_recently(digest)) {
		*reason = "token refused within the last second";
		return ERR_TOKEN_INVALID;
	}
	return ERR_OK;
}

enum err
auth_accept(const char *digest, const struct token_row *t,
    const char *audience, const char **reason)
{
	if (!t->found)
		*reason = "unknown token";
	else if (t->revoked)
		*reason = "token revoked";
	else if (t->expired)
		*reason = "token expired";
	else if (!t->user_active)
		*reason = "token's user inactive or removed";
	else if (!t->org_active)
		*reason = "token's organisation inactive or removed";
	else if (audience != NULL && !t->pat &&
	    !auth_audience_has(t->audience, audience))
		*reason = "token's audience lacks api_project_id";
	else
		return ERR_OK;
	auth_refuse(digest);
	return ERR_TOKEN_INVALID;
}
