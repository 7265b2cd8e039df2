/*
 * store_app.c - the app secret calls: what they look up, and the one
 * transaction that gives an app a new secret (doc/database.md).
 */
#include "store.h"
#include "store_internal.h"

#include <mysqld_error.h>
#include <string.h>

#include "log.h"
#include "util.h"

/*
 * Every check after the token's at once: the acting org (v1 with
 * x-zitadel-orgid), the permission at instance scope, at the acting org
 * (v1) or the project's owner (v2), or at the project, and the app.  The
 * app's columns are NULL when there is no such project or app.
 */
static const struct stmt st_app_access = { "app access",
	SQL_ACCESS_HEAD("projects", "?")
	" a.id IS NOT NULL, COALESCE(a.app_type + 0, 0), a.creation_date,"
	" COALESCE(p.resource_owner, ''),"
	" COALESCE((SELECT po.state = 'active' FROM orgs po"
	" WHERE po.id = p.resource_owner), 0),"
	" CASE a.app_type"
	" WHEN 'oidc' THEN EXISTS (SELECT 1 FROM oidc_configs c"
	" WHERE c.app_id = a.id)"
	" WHEN 'api' THEN EXISTS (SELECT 1 FROM api_configs c"
	" WHERE c.app_id = a.id) ELSE 0 END"
	" FROM (SELECT 1) AS one"
	" LEFT JOIN projects p ON p.id = ? AND p.state <> 'removed'"
	" AND (NOT ? OR p.resource_owner = ?)"
	" LEFT JOIN apps a ON a.id = ? AND a.project_id = p.id"
	" AND a.state <> 'removed'" };

/*
 * Locks the project's row where it, its organisation, the caller's token
 * and the caller's permission still hold: a token revoked or a role
 * removed while the secret was hashed changes nothing.  LAST_INSERT_ID()
 * hands the new sequence back with the answer, without a SELECT.
 */
static const struct stmt st_bump_project = { "bump project",
	"UPDATE projects SET sequence = LAST_INSERT_ID(sequence + 1)"
	" WHERE id = ? AND state <> 'removed'"
	" AND EXISTS (SELECT 1 FROM orgs o WHERE o.id = projects.resource_owner"
	" AND o.state = 'active')"
	" AND " SQL_TOKEN_GOOD
	" AND " SQL_PERMITTED("?", "projects.resource_owner", "projects.id") };

/*
 * Single-table statements only: a multi-table UPDATE crashed MariaDB
 * 10.11's Galera nodes under load (doc/galera.md).  Changes nothing
 * unless the app is still there, of its kind.
 */
static const struct stmt st_touch_project = { "touch project",
	"UPDATE projects SET change_date = ? WHERE id = ?" };
static const struct stmt st_touch_app = { "touch app",
	"UPDATE apps SET change_date = ? WHERE id = ? AND project_id = ?"
	" AND app_type = ? AND state <> 'removed'" };

/*
 * The new hash, and the one it replaces kept for the grace period: on the
 * database's clock, one clock for a whole cluster.  Assignments run left
 * to right, so the previous hash is read before it is replaced.
 */
#define SET_SECRET(table) \
	"UPDATE " table " SET" \
	" previous_secret_until = IF(? > 0" \
	" AND client_secret_hash IS NOT NULL," \
	" UTC_TIMESTAMP(6) + INTERVAL ? SECOND, NULL)," \
	" previous_secret_hash = IF(? > 0, client_secret_hash, NULL)," \
	" client_secret_hash = ?, secret_change_date = ? WHERE app_id = ?"

static const struct stmt st_set_secret_oidc = { "set OIDC secret",
	SET_SECRET("oidc_configs") };
static const struct stmt st_set_secret_api = { "set API secret",
	SET_SECRET("api_configs") };

static const struct stmt st_app_event = { "app event",
	"INSERT INTO events (aggregate_type, aggregate_id, sequence,"
	" event_type, resource_owner, editor_user, creation_date, request_id,"
	" payload) VALUES ('project', ?, ?, ?, ?, ?, ?, ?,"
	" IF(? > 0, JSON_OBJECT('appId', ?, 'hashedSecret', ?,"
	" 'previousSecretValidSeconds', ?),"
	" JSON_OBJECT('appId', ?, 'hashedSecret', ?)))" };

/* The event each kind of configuration writes (ZITADEL's names). */
static const char *const event_type[] = {
	[APP_OIDC] = "project.application.config.oidc.secret.changed",
	[APP_API] = "project.application.config.api.secret.changed",
};

/* ENUM + 0 is the value's position, from 1 (MySQL's ENUM type). */
static int
app_kind(unsigned long long v, enum app_kind *out)
{
	switch (v) {
	case 1:
		*out = APP_OIDC;
		return 0;
	case 2:
		*out = APP_API;
		return 0;
	case 3:
		*out = APP_SAML;
		return 0;
	default:
		log_msg(LOG_ERROR, "database: unknown app_type %llu", v);
		return -1;
	}
}

enum err
store_app_lookup(struct store *s, const struct app_key *k,
    struct app_lookup *out)
{
	struct binds par = { .n = 0 }, res = { .n = 0 };
	unsigned long long org_ok = 0, perm = 0, app = 0, kind = 0;
	unsigned long long owner_ok = 0, config = 0, v1 = k->v1 != 0;
	const char *acting = k->org != NULL ? k->org : k->user_org;
	MYSQL_TIME created;
	int found = 0;
	enum err e;

	memset(out, 0, sizeof(*out));
	bind_access_head(&par, k->org, k->user_id, k->permission, &v1, acting,
	    k->project_id);
	bind_str(&par, k->project_id);
	bind_str(&par, k->project_id);
	bind_u64(&par, &v1);
	bind_str(&par, acting);
	bind_str(&par, k->app_id);
	result_u64(&res, &org_ok);
	result_u64(&res, &perm);
	result_u64(&res, &app);
	result_u64(&res, &kind);
	result_time(&res, &created);
	result_str(&res, out->resource_owner, sizeof(out->resource_owner));
	result_u64(&res, &owner_ok);
	result_u64(&res, &config);
	e = store_query(s, &st_app_access, &par, &res, &found);
	if (e != ERR_OK)
		return e;
	if (!found)
		return ERR_INTERNAL;	/* one row, always */
	out->org_active = org_ok != 0;
	out->permitted = perm != 0;
	out->owner_active = owner_ok != 0;
	if (app != 0) {
		if (app_kind(kind, &out->kind) != 0 || res.null[4])
			return ERR_INTERNAL;
		out->app_found = 1;
		out->has_config = config != 0;
		out->created = time_from_db(&created);
	}
	return ERR_OK;
}

static enum err
app_secret_body(struct store *s, void *arg, struct txn_event *ev,
    struct change_result *out)
{
	const struct app_secret_change *c = arg;
	const struct stmt *set = c->kind == APP_API ? &st_set_secret_api :
	    &st_set_secret_oidc;
	struct binds par = { .n = 0 };
	unsigned long long seq, grace = c->grace_s;
	MYSQL_TIME now_db;
	enum err e;

	bind_str(&par, c->project_id);
	bind_str(&par, c->digest);
	bind_str(&par, c->editor);
	bind_str(&par, c->permission);
	if ((e = store_run(s, &st_bump_project, &par, NULL, NULL)) != ERR_OK)
		return e;
	if (store_affected(s, &st_bump_project) != 1) {
		out->stale = 1;		/* a check no longer holds */
		return ERR_OK;
	}
	seq = store_insert_id(s, &st_bump_project);
	out->sequence = seq;
	/* Taken under the row lock, so change dates follow the sequence. */
	out->change_date = ts_now();
	time_to_db(out->change_date, &now_db);

	par.n = 0;
	bind_time(&par, &now_db);
	bind_str(&par, c->app_id);
	bind_str(&par, c->project_id);
	bind_str(&par, c->kind == APP_API ? "api" : "oidc");
	if ((e = store_run(s, &st_touch_app, &par, NULL, NULL)) != ERR_OK)
		return e;
	if (store_affected(s, &st_touch_app) != 1) {
		out->stale = 1;		/* removed since the lookup */
		return ERR_OK;
	}
	par.n = 0;
	bind_u64(&par, &grace);
	bind_u64(&par, &grace);
	bind_u64(&par, &grace);
	bind_str(&par, c->hash);
	bind_time(&par, &now_db);
	bind_str(&par, c->app_id);
	if ((e = store_run(s, set, &par, NULL, NULL)) != ERR_OK)
		return e;
	if (store_affected(s, set) != 1) {
		log_msg(LOG_ERROR, "database: app without its configuration "
		    "row (oidc_configs or api_configs)");
		return ERR_INTERNAL;
	}
	par.n = 0;
	bind_time(&par, &now_db);
	bind_str(&par, c->project_id);
	if ((e = store_run(s, &st_touch_project, &par, NULL, NULL)) != ERR_OK)
		return e;
	ev->aggregate_type = "project";
	ev->aggregate_id = c->project_id;
	ev->sequence = seq;
	par.n = 0;
	bind_str(&par, c->project_id);
	bind_u64(&par, &seq);
	bind_str(&par, event_type[c->kind]);
	bind_str(&par, c->org_id);
	bind_str(&par, c->editor);
	bind_time(&par, &now_db);
	bind_str(&par, ev->request_id);
	bind_u64(&par, &grace);
	bind_str(&par, c->app_id);
	bind_str(&par, c->hash);
	bind_u64(&par, &grace);
	bind_str(&par, c->app_id);
	bind_str(&par, c->hash);
	if ((e = store_run(s, &st_app_event, &par, NULL, NULL)) != ERR_OK) {
		/*
		 * That sequence is taken: another change committed since our
		 * read of it (a cluster node that had not applied it yet).
		 */
		if (s->last_error == ER_DUP_ENTRY)
			e = ERR_CONFLICT;
		return e;
	}
	return ERR_OK;
}

enum err
store_app_secret(struct store *s, const struct app_secret_change *c,
    struct change_result *out)
{
	if (c->kind != APP_OIDC && c->kind != APP_API)
		return ERR_INTERNAL;
	return store_transaction(s, c->deadline_ns, app_secret_body,
	    (void *)(uintptr_t)c, out);
}
