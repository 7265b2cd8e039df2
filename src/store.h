/*
 * store.h - the database on the request path: one connection per process,
 * prepared statements, the lookups and the one transaction that changes a
 * secret (doc/database.md).
 *
 * Every function returns an enum err: ERR_OK, the kind that says "no such
 * row" for that lookup, ERR_UNAVAILABLE when the database cannot be
 * reached, or ERR_INTERNAL.
 */
#ifndef OIDC_SECRET_STORE_H
#define OIDC_SECRET_STORE_H

#include <stdint.h>

#include "config.h"
#include "error.h"
#include "ts.h"

#define AUDIENCE_MAX 2048

/* apps.app_type */
enum app_kind { APP_OIDC, APP_API, APP_SAML };

/* What one request asks of the database before it changes anything. */
struct lookup_key {
	const char *digest;	/* SHA-256 of the bearer token, hex */
	int v1;			/* acts in org, or the user's own org */
	const char *org;	/* v1: x-zitadel-orgid, or NULL */
	const char *project_id;	/* "" when the request gave none */
	const char *app_id;
	const char *permission;
};

/*
 * Everything the checks need, from one statement; each part is valid only
 * when the parts before it passed (see store_lookup()).
 */
struct lookup {
	int token_found;	/* unrevoked, unexpired, user and org active */
	char user_id[ID_BYTES + 1];
	char user_org[ID_BYTES + 1];
	int pat;			/* personal access token */
	char audience[AUDIENCE_MAX + 1];	/* space-separated */
	int org_active;		/* v1 with org: that org is active */
	int permitted;		/* a role with the permission, at any scope */
	int app_found;		/* the app in that project, neither removed */
	enum app_kind kind;
	int has_config;		/* its oidc_configs or api_configs row */
	struct ts created;
	char resource_owner[ID_BYTES + 1];	/* the project's org */
};

struct change {
	const char *project_id;
	const char *app_id;
	const char *org_id;	/* the project's org, from the lookup */
	enum app_kind kind;	/* whose configuration takes the hash */
	const char *editor;	/* user id */
	const char *hash;	/* encoded hash of the new secret */
};

struct change_result {
	uint64_t sequence;	/* the project's sequence after the change */
	struct ts change_date;
	int64_t lock_ns;	/* the project row's lock, taken to COMMIT */
	unsigned attempts;
};

struct store;

/* Once per process, before any thread or connection; and at exit. */
int store_library_init(void);
void store_library_end(void);

/* The client library's version, as linked (--version). */
const char *store_client_version(void);
/*
 * The TLS library the client library uses and its version, as linked
 * ("OpenSSL 1.1.1w", "GnuTLS 3.7.9", "Off" when built without TLS), or
 * NULL where the client library cannot tell (--version).
 */
const char *store_client_tls_library(void);

/* Allocates; connects lazily, at the first call that needs the database. */
struct store *store_new(const struct config *cfg);
void store_free(struct store *s);

/*
 * One statement for every check: the token (with its user and org), the
 * acting org (v1 with org), the permission at instance scope, at the acting
 * org (v1) or the project's owner (v2), or at the project, and the app.
 * ERR_OK fills out (a token not found is token_found 0, not an error);
 * else ERR_UNAVAILABLE or ERR_INTERNAL.
 */
enum err store_lookup(struct store *s, const struct lookup_key *k,
    struct lookup *out);
/*
 * One transaction: bump the project's sequence (which locks its row),
 * store the hash where the app is still there and of its kind, append the
 * event, commit.  Deadlocks, lock wait timeouts and certification
 * conflicts are retried (bounded, with jitter), then ERR_UNAVAILABLE; the
 * project or app gone (or of another kind) by then: ERR_APP_NOT_FOUND.
 */
enum err store_change_secret(struct store *s, const struct change *c,
    struct change_result *out);
enum err store_ping(struct store *s);

/*
 * From now on a lost connection is ERR_UNAVAILABLE and is never opened
 * again: for a caller holding a session lock (migrate).
 */
void store_pin(struct store *s);

#endif
