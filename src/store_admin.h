/*
 * store_admin.h - the admin tool's SQL: migrations and their lock, tokens,
 * stored hashes.  Off the request path: the responder links none of it.
 */
#ifndef OIDC_SECRET_STORE_ADMIN_H
#define OIDC_SECRET_STORE_ADMIN_H

#include <stddef.h>

#include "store.h"

struct token_info {
	/* identifies a token; never the token */
	char sha256_prefix[13];
	char user_id[ID_BYTES + 1];
	int pat;
	char audience[AUDIENCE_MAX + 1];
	char expires[32];		/* "" for never */
	char revoked[32];		/* "" when not revoked */
	char created[32];
};

/* Runs one statement of a migration file (DDL or DML, no parameters). */
enum err store_exec(struct store *s, const char *statement);
enum err store_begin(struct store *s);
enum err store_commit(struct store *s);
void store_rollback(struct store *s);
/* Highest applied migration; 0 when schema_migrations does not exist yet. */
enum err store_schema_version(struct store *s, unsigned *version);
enum err store_record_migration(struct store *s, unsigned version,
    const char *name);
/* ERR_OK when that version is recorded in schema_migrations, else
 * ERR_NOT_FOUND. */
enum err store_migration_recorded(struct store *s, unsigned version);
/*
 * One migrate at a time: a named lock held by this connection (GET_LOCK),
 * waited for up to wait_s; ERR_BUSY when another holds it that long.  On
 * success the handle is pinned (store_pin): losing the connection, and the
 * lock with it, is an error from then on, never a silent reconnect.
 */
enum err store_migration_lock(struct store *s, unsigned wait_s);

/* ERR_OK or ERR_NOT_FOUND. */
enum err store_user_exists(struct store *s, const char *user_id);
/* expires NULL: never. */
enum err store_token_add(struct store *s, const char *sha256_hex,
    const char *user_id, int pat, const char *audience, const char *scopes,
    const struct ts *expires);
/*
 * Revokes the one unrevoked token whose SHA-256 starts with prefix (hex),
 * in one transaction that locks what it counts.  *matched is how many
 * unrevoked tokens the prefix names; ERR_NOT_FOUND unless exactly one.
 */
enum err store_token_revoke(struct store *s, const char *prefix,
    unsigned *matched);
enum err store_token_list(struct store *s, const char *user_id,
    void (*each)(void *arg, const struct token_info *t), void *arg);
/* The stored hash of an app's secret (OIDC or API); ERR_NOT_FOUND without
 * app or hash. */
enum err store_secret_hash(struct store *s, const char *project_id,
    const char *app_id, char *hash, size_t hashlen);

#endif
