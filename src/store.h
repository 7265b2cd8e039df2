/*
 * store.h - the database: one connection per process, prepared statements,
 * the transaction of SPEC section 5.
 */
#ifndef OIDC_SECRET_STORE_H
#define OIDC_SECRET_STORE_H

#include <stdint.h>

#include "config.h"
#include "ts.h"

enum store_rc {
	STORE_OK = 0,
	STORE_NONE,		/* no such row (or it does not qualify) */
	STORE_NOT_OIDC,		/* store_change_secret: the app changed type */
	STORE_UNAVAILABLE,	/* cannot reach the database, or conflicts persist */
	STORE_FAILED		/* anything else; logged, never shown */
};

#define AUDIENCE_MAX 2048

struct token_row {
	char user_id[ID_BYTES + 1];
	char user_org[ID_BYTES + 1];
	int pat;			/* personal access token */
	char audience[AUDIENCE_MAX + 1];	/* space-separated */
};

struct app_row {
	int oidc;
	struct ts created;
	char resource_owner[ID_BYTES + 1];
};

struct change {
	const char *project_id;
	const char *app_id;
	const char *org_id;	/* acting org: the project's resource owner */
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

/* Allocates; connects lazily, at the first call that needs the database. */
struct store *store_new(const struct config *cfg);
void store_free(struct store *s);

/* Valid, unrevoked, unexpired token of an active user in an active org. */
enum store_rc store_token(struct store *s, const char *sha256_hex,
    struct token_row *out);
enum store_rc store_org_active(struct store *s, const char *org_id);
/* STORE_OK when user holds a role with permission at instance, org or project scope. */
enum store_rc store_permission(struct store *s, const char *user_id,
    const char *org_id, const char *project_id, const char *permission);
/* The app in that project of that org, neither removed. */
enum store_rc store_app(struct store *s, const char *project_id,
    const char *app_id, const char *org_id, struct app_row *out);
/*
 * One transaction: lock the project, re-check the app, store the hash, bump
 * the sequence, append the event, commit.  Deadlocks and lock wait timeouts
 * are retried (bounded, with jitter), then STORE_UNAVAILABLE.
 */
enum store_rc store_change_secret(struct store *s, const struct change *c,
    struct change_result *out);
enum store_rc store_ping(struct store *s);

/* --- for oidc-secret-admin: one-shot statements, off the request path --- */

struct token_info {
	char sha256_prefix[13];		/* identifies a token; never the token */
	char user_id[ID_BYTES + 1];
	int pat;
	char audience[AUDIENCE_MAX + 1];
	char expires[32];		/* "" for never */
	char revoked[32];		/* "" when not revoked */
	char created[32];
};

/* Runs one statement of a migration file (DDL or DML, no parameters). */
enum store_rc store_exec(struct store *s, const char *statement);
enum store_rc store_begin(struct store *s);
enum store_rc store_commit(struct store *s);
void store_rollback(struct store *s);
/* Highest applied migration; 0 when schema_migrations does not exist yet. */
enum store_rc store_schema_version(struct store *s, unsigned *version);
enum store_rc store_record_migration(struct store *s, unsigned version,
    const char *name);
/* STORE_OK when that version is recorded in schema_migrations. */
enum store_rc store_migration_recorded(struct store *s, unsigned version);
/*
 * One migrate at a time: a named lock held by this connection (GET_LOCK),
 * waited for up to wait_s.  STORE_NONE when another holds it that long.
 */
enum store_rc store_migration_lock(struct store *s, unsigned wait_s);
enum store_rc store_user_exists(struct store *s, const char *user_id);
/* expires NULL: never. */
enum store_rc store_token_add(struct store *s, const char *sha256_hex,
    const char *user_id, int pat, const char *audience, const char *scopes,
    const struct ts *expires);
/* Revokes the one unrevoked token whose SHA-256 starts with prefix. */
enum store_rc store_token_revoke(struct store *s, const char *prefix,
    unsigned *matched);
enum store_rc store_token_list(struct store *s, const char *user_id,
    void (*each)(void *arg, const struct token_info *t), void *arg);
/* The stored hash of an app's secret; STORE_NONE without app or hash. */
enum store_rc store_secret_hash(struct store *s, const char *project_id,
    const char *app_id, char *hash, size_t hashlen);

#endif
