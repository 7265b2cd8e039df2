/*
 * store_admin.h - the admin tool's SQL: migrations and their lock, tokens,
 * stored hashes, and the objects a site is made of (organizations, users,
 * memberships, projects, apps).  Off the request path: the responder links
 * none of it.
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
/* Highest applied migration; 0 when schema_migrations does not exist yet
 * (or this user may not see it). */
enum err store_schema_version(struct store *s, unsigned *version);
/* ERR_OK when this user sees the table in the database, else
 * ERR_NOT_FOUND. */
enum err store_table_visible(struct store *s, const char *table);
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


/* --- the objects: organizations, users, memberships, projects, apps --- */

#define NAME_MAX_CHARS 200		/* names: VARCHAR(200), utf8mb4 */
#define NAME_BYTES (NAME_MAX_CHARS * 4)
#define ROLE_BYTES 64			/* role_permissions.role */
/* The editor of the events the admin tool writes (events.editor_user). */
#define ADMIN_EDITOR "oidc-secret-admin"

/*
 * Every change below is one transaction that also appends the event
 * ZITADEL writes for it (its names and payload fields), at the next
 * sequence of the aggregate: org, user, instance, or project, whose
 * projects.sequence moves with it.  A deadlock is retried.  Refusals:
 * ERR_NOT_FOUND or ERR_EXISTS, with *what naming the object ("organization",
 * "user", "role", "project", "membership", "client ID", "name").
 */
struct org_row {
	char id[ID_BYTES + 1];
	char name[NAME_BYTES + 1];
	char state[16];
	char created[32];
};

struct user_row {
	char id[ID_BYTES + 1];
	char org[ID_BYTES + 1];
	char username[NAME_BYTES + 1];
	char state[16];
};

struct member_row {
	char user_id[ID_BYTES + 1];
	char scope[16];			/* instance, org, project */
	char scope_id[ID_BYTES + 1];	/* "" for instance */
	char role[ROLE_BYTES + 1];
};

struct project_row {
	char id[ID_BYTES + 1];
	char org[ID_BYTES + 1];
	char name[NAME_BYTES + 1];
	char state[16];
	unsigned long long sequence;
};

struct app_list_row {
	char id[ID_BYTES + 1];
	char project_id[ID_BYTES + 1];
	char name[NAME_BYTES + 1];
	char type[8];			/* oidc, api, saml */
	char state[16];
	char client_id[ID_BYTES + 1];	/* "" without a configuration row */
	char auth_method[24];
	int has_secret;
};

/* A new app and, for a confidential one, the hash of its first secret. */
struct app_new {
	const char *id, *project_id, *name, *client_id;
	enum app_kind kind;		/* APP_OIDC or APP_API */
	const char *auth_method;	/* spelled as its table has it */
	const char *hash;		/* NULL: none (none, private_key_jwt) */
};

/* What init makes; the token is stored as its SHA-256 only. */
struct init_new {
	const char *org_id, *org_name;
	const char *user_id, *username;
	const char *project_id, *project_name;
	const char *token_sha256;
	int token_pat;
	const struct ts *token_expires;	/* NULL: never */
	const char *token_scopes;
};

enum err store_org_add(struct store *s, const char *id, const char *name,
    const char **what);
/* *already: it was inactive before. */
enum err store_org_deactivate(struct store *s, const char *id, int *already,
    const char **what);
enum err store_org_list(struct store *s,
    void (*each)(void *arg, const struct org_row *r), void *arg);

enum err store_user_add(struct store *s, const char *id, const char *org,
    const char *username, const char **what);
enum err store_user_deactivate(struct store *s, const char *id, int *already,
    const char **what);
/* org NULL: every organization's. */
enum err store_user_list(struct store *s, const char *org,
    void (*each)(void *arg, const struct user_row *r), void *arg);

/* A role unknown to role_permissions is refused (ERR_NOT_FOUND, "role"). */
enum err store_member_add(struct store *s, const char *user,
    const char *scope, const char *scope_id, const char *role,
    const char **what);
enum err store_member_remove(struct store *s, const char *user,
    const char *scope, const char *scope_id, const char *role,
    const char **what);
enum err store_member_list(struct store *s, const char *user,
    void (*each)(void *arg, const struct member_row *r), void *arg);
/* The roles role_permissions knows, ", "-separated, for a message. */
enum err store_role_names(struct store *s, char *out, size_t outlen);

enum err store_project_add(struct store *s, const char *id, const char *org,
    const char *name, const char **what);
enum err store_project_list(struct store *s, const char *org,
    void (*each)(void *arg, const struct project_row *r), void *arg);

enum err store_app_add(struct store *s, const struct app_new *a,
    const char **what);
enum err store_app_list(struct store *s, const char *project,
    void (*each)(void *arg, const struct app_list_row *r), void *arg);

/*
 * On a migrated database without organizations: the organization, its
 * user holding IAM_OWNER (instance) and ORG_OWNER (the organization), the
 * API project and the user's first token, in one transaction.  ERR_EXISTS
 * with *orgs the count when there are organizations already.
 */
enum err store_init(struct store *s, const struct init_new *n,
    unsigned long long *orgs, const char **what);

#endif
