/*
 * store_admin.h - the admin tool's SQL, one file an object: the database
 * itself (store_admin_db.c: migrations, their lock, the user's privileges),
 * organizations (store_admin_org.c), users and machine users' keys
 * (store_admin_user.c), memberships and roles (store_admin_member.c),
 * projects (store_admin_project.c), apps (store_admin_app.c), stored
 * secrets and their grace periods (store_admin_secret.c), tokens
 * (store_admin_token.c) and init (store_admin_init.c), on the helpers of
 * store_admin.c.  Off the request path: the responder links none of it.
 * Machine users' secrets and keys change through the request path's own
 * store_user_change() (store.h).
 */
#ifndef OIDC_SECRET_STORE_ADMIN_H
#define OIDC_SECRET_STORE_ADMIN_H

#include <stddef.h>

#include "store.h"

#define NAME_MAX_CHARS 200		/* names: VARCHAR(200), utf8mb4 */
#define NAME_BYTES (NAME_MAX_CHARS * 4)
#define ROLE_BYTES 64			/* role_permissions.role */
/* The editor of the events the admin tool writes (events.editor_user). */
#define ADMIN_EDITOR "oidc-secret-admin"

/*
 * Lists hand each row over as text, column by column (the columns are
 * named at each list function): a time in RFC 3339, a number in decimal,
 * NULL as "".
 */
#define LIST_COLUMNS_MAX 8
#define LIST_CELL_MAX (PEM_MAX + 1)	/* a key; an audience is shorter */
typedef void list_row_fn(void *arg, const char *const *cells);

/*
 * Every change below is one transaction that also appends the event
 * ZITADEL writes for it (its names and payload fields), at the next
 * sequence of the aggregate: org, user, instance, or project, whose
 * projects.sequence moves with it.  A deadlock is retried.  Refusals:
 * ERR_NOT_FOUND or ERR_EXISTS, with *what naming the object ("organization",
 * "user", "role", "project", "app", "membership", "client ID", "name"), and
 * ERR_INVALID_ARGUMENT with *what "scope" for a role at a scope that is not
 * its own.
 */

/* --- transactions (store_admin.c) --- */

enum err store_begin(struct store *s);
/* Rolls back when it fails. */
enum err store_commit(struct store *s);
void store_rollback(struct store *s);

/* --- the database (store_admin_db.c) --- */

/* Runs one statement of a migration file (DDL or DML, no parameters). */
enum err store_exec(struct store *s, const char *statement);
/* Highest applied migration; 0 when schema_migrations does not exist yet
 * (or this user may not see it). */
enum err store_schema_version(struct store *s, unsigned *version);
/* ERR_OK when this user sees the table (column NULL) or the column of it
 * in the database, else ERR_NOT_FOUND. */
enum err store_table_visible(struct store *s, const char *table,
    const char *column);
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
/* The connected user as the server matched it ("name@host"). */
enum err store_current_user(struct store *s, char *out, size_t outlen);
/*
 * The connected user's privileges that reach this database, one row each:
 * level ("global", "database", "table", "column"), table, column (both ""
 * above their level), privilege ("SELECT", ...).  From information_schema,
 * which names the user's own grants (not those of a role it holds).
 */
enum err store_privileges(struct store *s, list_row_fn *each, void *arg);

/* --- organizations (store_admin_org.c) --- */

enum err store_org_add(struct store *s, const char *id, const char *name,
    const char **what);
/* *already: it was inactive before. */
enum err store_org_deactivate(struct store *s, const char *id, int *already,
    const char **what);
/* Columns: id, state, created, name. */
enum err store_org_list(struct store *s, list_row_fn *each, void *arg);

/* --- users (store_admin_user.c) --- */

/* ERR_OK or ERR_NOT_FOUND. */
enum err store_user_exists(struct store *s, const char *user_id);
enum err store_user_add(struct store *s, const char *id, const char *org,
    const char *username, const char **what);
/*
 * A machine user: its name is its client ID, which no other user may have,
 * in any organization, compared byte for byte (*what "client ID" when one
 * does).
 */
enum err store_machine_add(struct store *s, const char *id, const char *org,
    const char *username, const char **what);
enum err store_user_deactivate(struct store *s, const char *id, int *already,
    const char **what);
/* org NULL: every organization's.  Columns: id, org, state, name, type
 * ("human" or "machine"). */
enum err store_user_list(struct store *s, const char *org,
    list_row_fn *each, void *arg);

/* A user as the machine users' commands see it. */
struct user_state {
	int found;		/* there, not removed */
	int machine;
	int org_active;		/* its organization is active */
	int has_secret;
	int key_found;		/* the key asked about is one of its */
	char state[16];		/* users.state */
	char org[ID_BYTES + 1];
	char username[USERNAME_BYTES + 1];
};

/* key_id: NULL, or a key to look for among the user's. */
enum err store_user_state(struct store *s, const char *id, const char *key_id,
    struct user_state *out);
/* A user's keys, oldest first.  Columns: key ID, expiration, creation,
 * public key (PEM). */
enum err store_machine_key_list(struct store *s, const char *user_id,
    list_row_fn *each, void *arg);

/* --- memberships and roles (store_admin_member.c) --- */

/*
 * A role unknown to role_permissions is refused (ERR_NOT_FOUND, "role"),
 * and so is a role whose scope is not the membership's
 * (ERR_INVALID_ARGUMENT, "scope"): it would grant nothing (doc/database.md,
 * "Roles and their scopes").  Removing is never refused for the role.
 */
enum err store_member_add(struct store *s, const char *user,
    const char *scope, const char *scope_id, const char *role,
    const char **what);
enum err store_member_remove(struct store *s, const char *user,
    const char *scope, const char *scope_id, const char *role,
    const char **what);
/* user NULL: everyone's.  Columns: user, scope, scope_id, role. */
enum err store_member_list(struct store *s, const char *user,
    list_row_fn *each, void *arg);
/* The roles role_permissions knows, ", "-separated, for a message. */
enum err store_role_names(struct store *s, char *out, size_t outlen);
/*
 * What to say of a role at a scope, as the columns MEMBER_ADVICE_*: the
 * membership (user, scope, scope_id, role), the role's own scopes (","-
 * separated, "" when it has none), the role of the membership's scope with
 * the rest of its name ("ORG_OWNER" for IAM_OWNER at org; "" when there is
 * none), the user's organization and the project's ("" when not a
 * project's membership or unknown).
 */
enum {
	MEMBER_ADVICE_USER, MEMBER_ADVICE_SCOPE, MEMBER_ADVICE_SCOPE_ID,
	MEMBER_ADVICE_ROLE, MEMBER_ADVICE_ROLE_SCOPES,
	MEMBER_ADVICE_COUNTERPART, MEMBER_ADVICE_USER_ORG,
	MEMBER_ADVICE_PROJECT_ORG, MEMBER_ADVICE_COLUMNS
};
/* One row for that membership (held or not). */
enum err store_member_advice(struct store *s, const char *user,
    const char *scope, const char *scope_id, const char *role,
    list_row_fn *each, void *arg);
/* A row for each membership whose role is known but not of its scope: the
 * ones that grant nothing. */
enum err store_member_inert(struct store *s, list_row_fn *each, void *arg);

/* --- projects (store_admin_project.c) --- */

enum err store_project_add(struct store *s, const char *id, const char *org,
    const char *name, const char **what);
/* org NULL: every organization's.  Columns: id, org, state, sequence,
 * name. */
enum err store_project_list(struct store *s, const char *org,
    list_row_fn *each, void *arg);
/* A project's state and name, and its organization's state; ERR_NOT_FOUND
 * when there is no such project. */
enum err store_project_state(struct store *s, const char *id, char *state,
    size_t statelen, char *name, size_t namelen, char *org_state,
    size_t org_statelen);

/* --- apps (store_admin_app.c) --- */

/* A new app and, for a confidential one, the hash of its first secret. */
struct app_new {
	const char *id, *project_id, *name, *client_id;
	enum app_kind kind;		/* APP_OIDC or APP_API */
	const char *auth_method;	/* spelled as its table has it */
	const char *hash;		/* NULL: none (none, private_key_jwt) */
};

enum err store_app_add(struct store *s, const struct app_new *a,
    const char **what);
/* project NULL: every project's.  Columns: id, project, type, state, auth
 * method, secret ("yes" or "no"), client ID, name. */
enum err store_app_list(struct store *s, const char *project,
    list_row_fn *each, void *arg);

/* --- stored secrets (store_admin_secret.c) --- */

/*
 * What a secret is verified against: the current hash, and the previous
 * one while its grace period lasts on the database's clock ("" otherwise).
 */
struct secret_hashes {
	char current[HASH_MAX];
	char previous[HASH_MAX];
};

/* An app's (OIDC or API, not removed); ERR_NOT_FOUND without a hash. */
enum err store_app_hashes(struct store *s, const char *project_id,
    const char *app_id, struct secret_hashes *out);
/* A machine user's (not removed); ERR_NOT_FOUND without a hash. */
enum err store_user_hashes(struct store *s, const char *user_id,
    struct secret_hashes *out);

/* What ending a grace period found. */
struct grace_end {
	int ended;		/* a previous secret was valid; no more */
	struct ts until;	/* when it would have stopped */
};

/*
 * Ends the grace period of an app's (OIDC or API) or a machine user's
 * previous secret now: the previous hash and its end cleared, with an
 * event of ours on the project's or the user's aggregate.  Nothing is
 * written when there is no previous secret within its grace (out->ended
 * 0).  ERR_NOT_FOUND with *what "app" or "user" when the app or the
 * machine user is not there (or removed).
 */
enum err store_app_end_grace(struct store *s, const char *app_id,
    struct grace_end *out, const char **what);
enum err store_user_end_grace(struct store *s, const char *user_id,
    struct grace_end *out, const char **what);

/* --- tokens (store_admin_token.c) --- */

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
/* user_id NULL: everyone's.  Columns: the first 12 hex digits of the
 * SHA-256, user, type ("access" or "pat"), created, expires, revoked,
 * audience.  Never the token, which is not stored. */
enum err store_token_list(struct store *s, const char *user_id,
    list_row_fn *each, void *arg);

/* --- init (store_admin_init.c) --- */

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

/*
 * On a migrated database without organizations: the organization, its
 * user holding IAM_OWNER (instance) and ORG_OWNER (the organization), the
 * API project and the user's first token, in one transaction.  ERR_EXISTS
 * with *orgs the count when there are organizations already.
 */
enum err store_init(struct store *s, const struct init_new *n,
    unsigned long long *orgs, const char **what);

#endif
