/*
 * store_admin_app.c - the admin tool's SQL for apps: add (with the hash of a
 * first secret) and its two events, list (store_admin.h).
 */
#include "store_admin_internal.h"

#include <string.h>

static const struct sa_list app_list = {
	"SELECT a.id, a.project_id, a.app_type, a.state,"
	" COALESCE(o.auth_method, p.auth_method, ''),"
	" IF(COALESCE(o.client_secret_hash, p.client_secret_hash) IS NULL,"
	" 'no', 'yes'), COALESCE(o.client_id, p.client_id, ''), a.name"
	" FROM apps a LEFT JOIN oidc_configs o ON o.app_id = a.id"
	" LEFT JOIN api_configs p ON p.app_id = a.id"
	" WHERE ? = '' OR a.project_id = ? ORDER BY a.project_id, a.id", 8, 0
};

struct app_change {
	struct txn t;
	const struct app_new *a;
};

/* ZITADEL's authMethodType numbers in its events (OIDC, then API). */
static unsigned long long
auth_method_number(enum app_kind kind, const char *m)
{
	static const char *const oidc[] = { "basic", "post", "none",
	    "private_key_jwt" };
	static const char *const api[] = { "basic", "private_key_jwt" };
	const char *const *names = kind == APP_API ? api : oidc;
	size_t i, n = kind == APP_API ? 2 : 4;

	for (i = 0; i < n; i++)
		if (strcmp(names[i], m) == 0)
			return i;
	return 0;
}

/* ERR_EXISTS with *what "name" or "client ID" when either is taken. */
static enum err
app_unique(struct store *s, struct app_change *c)
{
	static const char q_name[] =
	    "SELECT 1 FROM apps WHERE project_id = ? AND name = ?"
	    " AND state <> 'removed'";
	static const char q_client_oidc[] =
	    "SELECT 1 FROM oidc_configs WHERE client_id = ? FOR UPDATE";
	static const char q_client_api[] =
	    "SELECT 1 FROM api_configs WHERE client_id = ? FOR UPDATE";
	const struct app_new *a = c->a;
	struct binds par = { .n = 0 };
	enum err e;

	bind_str(&par, a->project_id);
	bind_str(&par, a->name);
	e = sa_exists(s, q_name, &par);
	if (e == ERR_OK) {
		c->t.what = "name";
		return ERR_EXISTS;
	}
	if (e != ERR_NOT_FOUND)
		return e;
	/* One client ID across OIDC and API apps, as ZITADEL has it. */
	par.n = 0;
	bind_str(&par, a->client_id);
	if ((e = sa_exists(s, q_client_oidc, &par)) == ERR_NOT_FOUND)
		e = sa_exists(s, q_client_api, &par);
	if (e == ERR_OK) {
		c->t.what = "client ID";
		return ERR_EXISTS;
	}
	return e == ERR_NOT_FOUND ? ERR_OK : e;
}

/* An app's configuration row, OIDC or API, and its event's payload. */
#define CONFIG_INSERT(table) "INSERT INTO " table " (app_id, client_id," \
	" auth_method, client_secret_hash, secret_change_date)" \
	" VALUES (?, ?, ?, ?, ?)"
#define CONFIG_PAYLOAD "'appId', ?, 'clientId', ?, 'authMethodType', ?"

/*
 * The shape of a regeneration: the project locked, the app and its
 * configuration row inserted, the sequence moved by the two events
 * (project.application.added, then the configuration's), one commit.
 */
static enum err
app_add_body(struct store *s, struct txn *t)
{
	static const char q_app[] = "INSERT INTO apps (id, project_id, name,"
	    " app_type, state, creation_date, change_date)"
	    " VALUES (?, ?, ?, ?, 'active', ?, ?)";
	static const char q_oidc[] = CONFIG_INSERT("oidc_configs");
	static const char q_api[] = CONFIG_INSERT("api_configs");
	static const char q_event_app[] = EVENT_INSERT
	    "JSON_OBJECT('appId', ?, 'name', ?))";
	static const char q_event_config_secret[] = EVENT_INSERT
	    "JSON_OBJECT(" CONFIG_PAYLOAD ", 'hashedSecret', ?))";
	static const char q_event_config[] = EVENT_INSERT
	    "JSON_OBJECT(" CONFIG_PAYLOAD "))";
	struct app_change *c = (struct app_change *)t;
	const struct app_new *a = c->a;
	struct binds par = { .n = 0 };
	char owner[ID_BYTES + 1];
	struct event ev = { "project", a->project_id,
	    "project.application.added", owner, 0, t->now };
	unsigned long long method = auth_method_number(a->kind,
	    a->auth_method);
	enum err e;

	e = sa_lock_project(s, a->project_id, &ev.seq, owner, sizeof(owner));
	if (e == ERR_NOT_FOUND)
		t->what = "project";
	if (e != ERR_OK || (e = app_unique(s, c)) != ERR_OK)
		return e;
	bind_str(&par, a->id);
	bind_str(&par, a->project_id);
	bind_str(&par, a->name);
	bind_str(&par, a->kind == APP_API ? "api" : "oidc");
	bind_time(&par, &t->now);
	bind_time(&par, &t->now);
	if ((e = sa_run(s, q_app, &par)) != ERR_OK)
		return e;
	par.n = 0;
	bind_str(&par, a->id);
	bind_str(&par, a->client_id);
	bind_str(&par, a->auth_method);
	bind_str(&par, a->hash);
	bind_time(&par, a->hash != NULL ? &t->now : NULL);
	if ((e = sa_run(s, a->kind == APP_API ? q_api : q_oidc, &par)) !=
	    ERR_OK)
		return e;
	if ((e = sa_set_project_sequence(s, a->project_id, ev.seq + 2,
	    &t->now)) != ERR_OK)
		return e;
	ev.seq++;
	sa_event_binds(&par, &ev);
	bind_str(&par, a->id);
	bind_str(&par, a->name);
	if ((e = sa_run(s, q_event_app, &par)) != ERR_OK)
		return e;
	ev.seq++;
	ev.type = a->kind == APP_API ? "project.application.config.api.added" :
	    "project.application.config.oidc.added";
	sa_event_binds(&par, &ev);
	bind_str(&par, a->id);
	bind_str(&par, a->client_id);
	bind_u64(&par, &method);
	if (a->hash != NULL)
		bind_str(&par, a->hash);
	return sa_run(s, a->hash != NULL ? q_event_config_secret :
	    q_event_config, &par);
}

enum err
store_app_add(struct store *s, const struct app_new *a, const char **what)
{
	struct app_change c = { .a = a };

	if (a->kind != APP_OIDC && a->kind != APP_API)
		return ERR_INTERNAL;
	return sa_txn(s, app_add_body, &c.t, what);
}

enum err
store_app_list(struct store *s, const char *project, list_row_fn *each,
    void *arg)
{
	return sa_list_by(s, &app_list, project, each, arg);
}
