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

struct token_row {
	char user_id[ID_BYTES + 1];
	char user_org[ID_BYTES + 1];
	int pat;			/* personal access token */
	char audience[AUDIENCE_MAX + 1];	/* space-separated */
};

struct app_row {
	enum app_kind kind;
	struct ts created;
	char resource_owner[ID_BYTES + 1];
};

struct change {
	const char *project_id;
	const char *app_id;
	const char *org_id;	/* the acting org; NULL: the project's own */
	enum app_kind kind;	/* whose configuration takes the hash */
	const char *editor;	/* user id */
	const char *hash;	/* encoded hash of the new secret */
};

struct change_result {
	uint64_t sequence;	/* the project's sequence after the change */
	struct ts change_date;
	struct app_row app;
	int64_t lock_ns;	/* SELECT ... FOR UPDATE to COMMIT */
	unsigned attempts;
};

struct store;

/* Once per process, before any thread or connection; and at exit. */
int store_library_init(void);
void store_library_end(void);

/* The client library's version, as linked (--version). */
const char *store_client_version(void);

/* Allocates; connects lazily, at the first call that needs the database. */
struct store *store_new(const struct config *cfg);
void store_free(struct store *s);

/* Valid, unrevoked, unexpired token of an active user in an active org. */
enum err store_token(struct store *s, const char *sha256_hex,
    struct token_row *out);		/* none: ERR_TOKEN_INVALID */
enum err store_org_active(struct store *s,
    const char *org_id);		/* none: ERR_ORG_NOT_FOUND */
/*
 * A role with the permission at instance scope, at org_id (NULL: the
 * project's owner) or at the project.  None: ERR_PERMISSION_DENIED.
 */
enum err store_permission(struct store *s, const char *user_id,
    const char *org_id, const char *project_id, const char *permission);
/*
 * The app in that project of org_id (NULL: any owner), neither removed.
 * None: ERR_APP_NOT_FOUND.
 */
enum err store_app(struct store *s, const char *project_id,
    const char *app_id, const char *org_id, struct app_row *out);
/*
 * One transaction: lock the project, re-check the app, store the hash, bump
 * the sequence, append the event, commit.  Deadlocks, lock wait timeouts
 * and certification conflicts are retried (bounded, with jitter), then
 * ERR_UNAVAILABLE; the app gone or of another kind by then:
 * ERR_APP_NOT_FOUND, ERR_APP_NOT_OIDC, ERR_APP_NOT_API.
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
