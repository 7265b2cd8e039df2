/*
 * store.h - the database on the request path: one connection per process,
 * prepared statements, the lookups each call makes and the transactions
 * that change things (doc/database.md).
 *
 * Every function returns an enum err: ERR_OK, ERR_UNAVAILABLE when the
 * database cannot be reached, ERR_DEADLINE when the caller's deadline
 * passed first, or ERR_INTERNAL; a row not found is a flag in the answer,
 * not an error.
 */
#ifndef OIDC_SECRET_STORE_H
#define OIDC_SECRET_STORE_H

#include <stdint.h>

#include "config.h"
#include "error.h"
#include "secret.h"
#include "ts.h"

#define AUDIENCE_MAX 2048
#define SCOPES_MAX 2048
#define USERNAME_BYTES 800	/* users.username: VARCHAR(200) of UTF-8 */
#define PEM_MAX 4096		/* a stored public key: RSA-8192 SPKI PEM */
#define REQUEST_ID_LEN 16	/* events.request_id: hex */

/* apps.app_type */
enum app_kind { APP_OIDC, APP_API, APP_SAML };

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

/* What the change functions report. */
struct change_result {
	uint64_t sequence;	/* the aggregate's sequence after the change */
	struct ts change_date;
	int64_t lock_ns;	/* the aggregate's row lock, taken to COMMIT */
	unsigned attempts;
	/* a check made again inside the transaction no longer holds */
	int stale;
	/* the change landed although COMMIT's answer was lost */
	int recovered;
};

/* --- the bearer token (store_token.c) ---------------------------------- */

/* A token's row, its user and the user's organisation, as they are now. */
struct token_row {
	int found;
	int pat;		/* personal access token */
	int revoked, expired;
	int user_active;	/* its user exists and is active */
	int org_active;		/* and the user's organisation */
	int machine;		/* a machine user (a service account) */
	char user_id[ID_BYTES + 1];
	char user_org[ID_BYTES + 1];
	char username[USERNAME_BYTES + 1];
	char audience[AUDIENCE_MAX + 1];	/* space-separated */
	char scopes[SCOPES_MAX + 1];
	struct ts created;
	struct ts expires;	/* sec 0: never */
};

/* The token whose SHA-256 is digest (hex); out->found 0 when none. */
enum err store_token(struct store *s, const char *digest,
    struct token_row *out);

/* Stores a new access token by its SHA-256 (the token endpoint). */
enum err store_access_token_add(struct store *s, const char *digest,
    const char *user_id, const char *audience, const char *scopes,
    struct ts created, struct ts expires);

/* --- the app secret calls (store_app.c) -------------------------------- */

struct app_key {
	const char *user_id;	/* the caller */
	const char *user_org;	/* the caller's organisation */
	int v1;			/* acts in org (or the caller's own) */
	const char *org;	/* v1: x-zitadel-orgid, or NULL */
	const char *project_id;	/* "" when the request gave none */
	const char *app_id;
	const char *permission;
};

struct app_lookup {
	int org_active;		/* v1 with org: that org is active */
	int permitted;		/* a role with the permission covers it */
	int app_found;		/* the app in that project, neither removed */
	int owner_active;	/* the project's organisation is active */
	enum app_kind kind;
	int has_config;		/* its oidc_configs or api_configs row */
	struct ts created;
	char resource_owner[ID_BYTES + 1];	/* the project's org */
};

enum err store_app_lookup(struct store *s, const struct app_key *k,
    struct app_lookup *out);

struct app_secret_change {
	const char *project_id;
	const char *app_id;
	enum app_kind kind;	/* whose configuration takes the hash */
	const char *org_id;	/* the project's org, from the lookup */
	const char *editor;	/* the caller's user ID */
	const char *digest;	/* the caller's token, checked again */
	const char *permission;	/* checked again */
	const char *hash;	/* encoded hash of the new secret */
	unsigned grace_s;	/* how long the previous secret stays valid */
	int64_t deadline_ns;	/* CLOCK_MONOTONIC; 0: none */
};

/*
 * One transaction: bump the project's sequence (which locks its row) where
 * the project, its organisation, the caller's token and permission still
 * hold; store the hash where the app is still there and of its kind,
 * keeping the previous one for grace_s; append the event; commit.
 * Deadlocks, lock wait timeouts and certification conflicts are retried
 * (bounded, with jitter, never past the deadline), then ERR_UNAVAILABLE.
 * out->stale when a check no longer holds (the caller looks again).
 */
enum err store_app_secret(struct store *s, const struct app_secret_change *c,
    struct change_result *out);

/* --- machine users (store_user.c) -------------------------------------- */

struct user_key {
	const char *caller;	/* the caller's user ID */
	const char *caller_org;
	int v1;			/* acts in org (or the caller's own) */
	const char *org;	/* v1: x-zitadel-orgid, or NULL */
	const char *user_id;	/* the machine user */
	const char *key_id;	/* NULL, or the key a removal names */
	const char *permission;
};

struct user_lookup {
	int org_active;		/* v1 with org: that org is active */
	int permitted;
	int found;		/* an active machine user, in the acting org
				 * (v1), its organisation active */
	int owner_active;	/* the user's organisation is active */
	int has_secret;
	int key_found;		/* key_id is one of its keys */
	char owner[ID_BYTES + 1];
	char username[USERNAME_BYTES + 1];
};

enum err store_user_lookup(struct store *s, const struct user_key *k,
    struct user_lookup *out);

enum machine_change_kind {
	USER_SECRET_SET, USER_SECRET_REMOVE, USER_KEY_ADD, USER_KEY_REMOVE
};

struct machine_change {
	enum machine_change_kind kind;
	const char *user_id;
	const char *owner;
	const char *editor;
	const char *digest;	/* NULL: the admin tool, no token */
	const char *permission;
	const char *hash;	/* USER_SECRET_SET */
	unsigned grace_s;
	const char *key_id;	/* USER_KEY_* */
	const char *public_key;	/* USER_KEY_ADD: canonical SPKI PEM */
	struct ts expires;	/* USER_KEY_ADD */
	int64_t deadline_ns;
};

enum err store_user_change(struct store *s, const struct machine_change *c,
    struct change_result *out);

/* --- OAuth clients and keys (store_client.c) --------------------------- */

/* A client and the secret hashes it may authenticate with. */
struct client_row {
	int found;
	int active;		/* client, its project (apps) and org active */
	char id[ID_BYTES + 1];	/* the machine user's, or the app's */
	char owner[ID_BYTES + 1];	/* its organisation */
	char project_id[ID_BYTES + 1];	/* apps: the app's project */
	char username[USERNAME_BYTES + 1];	/* machine users */
	char hash[HASH_MAX];		/* "" when it has no secret */
	char previous[HASH_MAX];	/* "" unless still within its grace */
};

/* A machine user by its client ID (its username). */
enum err store_machine_client(struct store *s, const char *client_id,
    struct client_row *out);

/* An API app by its client ID. */
enum err store_api_client(struct store *s, const char *client_id,
    struct client_row *out);

/* An unexpired key of an active machine user; out->found 0 otherwise. */
struct key_row {
	int found;
	char pem[PEM_MAX];
	char owner[ID_BYTES + 1];
	char username[USERNAME_BYTES + 1];
};

enum err store_machine_key(struct store *s, const char *user_id,
    const char *key_id, struct key_row *out);

/* Whether an active project of that ID exists (audience scopes). */
enum err store_project_exists(struct store *s, const char *project_id,
    int *found);

/* --- the process ------------------------------------------------------- */

/*
 * The database answers a statement, and a Galera node is Synced: for
 * /debug/ready.
 */
enum err store_ping(struct store *s);

/*
 * From now on a lost connection is ERR_UNAVAILABLE and is never opened
 * again: for a caller holding a session lock (migrate).
 */
void store_pin(struct store *s);

#endif
