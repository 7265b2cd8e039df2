/*
 * store_admin_secret.c - the admin tool's SQL for the secrets stored: the
 * hashes verify compares with, and ending a grace period early, with its
 * event (store_admin.h, doc/database.md).
 *
 * A previous secret counts while previous_secret_until is ahead of the
 * database's clock (UTC_TIMESTAMP(6)), as the responder judges it: one
 * clock for every host, whatever each host's own says.
 */
#include "store_admin_internal.h"

#include <string.h>

#define GRACE_LIVE \
	"previous_secret_hash IS NOT NULL" \
	" AND previous_secret_until > UTC_TIMESTAMP(6)"
#define PREVIOUS_HASH \
	"IF(" GRACE_LIVE ", previous_secret_hash, '')"

static const char q_app_hashes[] =
    "SELECT c.client_secret_hash, " PREVIOUS_HASH " FROM apps a"
    " JOIN (SELECT app_id, client_secret_hash, previous_secret_hash,"
    " previous_secret_until FROM oidc_configs"
    " UNION ALL SELECT app_id, client_secret_hash, previous_secret_hash,"
    " previous_secret_until FROM api_configs) c ON c.app_id = a.id"
    " WHERE a.id = ? AND a.project_id = ? AND a.state <> 'removed'"
    " AND c.client_secret_hash IS NOT NULL";

static const char q_user_hashes[] =
    "SELECT secret_hash, " PREVIOUS_HASH " FROM users"
    " WHERE id = ? AND user_type = 'machine' AND state <> 'removed'"
    " AND secret_hash IS NOT NULL";

/* The one row of q into out; ERR_NOT_FOUND without one. */
static enum err
hashes(struct store *s, const char *q, struct binds *par,
    struct secret_hashes *out)
{
	struct binds res = { .n = 0 };
	unsigned rows = 0;
	enum err e;

	memset(out, 0, sizeof(*out));
	result_str(&res, out->current, sizeof(out->current));
	result_str(&res, out->previous, sizeof(out->previous));
	e = store_oneshot(s, q, par, &res, sa_count_row, &rows, NULL);
	if (e != ERR_OK)
		return e;
	return rows == 1 ? ERR_OK : ERR_NOT_FOUND;
}

enum err
store_app_hashes(struct store *s, const char *project_id, const char *app_id,
    struct secret_hashes *out)
{
	struct binds par = { .n = 0 };

	bind_str(&par, app_id);
	bind_str(&par, project_id);
	return hashes(s, q_app_hashes, &par, out);
}

enum err
store_user_hashes(struct store *s, const char *user_id,
    struct secret_hashes *out)
{
	struct binds par = { .n = 0 };

	bind_str(&par, user_id);
	return hashes(s, q_user_hashes, &par, out);
}

/* --- ending a grace period --- */

struct grace_change {
	struct txn t;
	const char *id;
	struct grace_end *out;
};

/* The previous secret's end while it lasts, locked; and its clearing. */
#define CONFIG_GRACE(table) "SELECT previous_secret_until FROM " table \
	" WHERE app_id = ? AND " GRACE_LIVE " FOR UPDATE"
#define CONFIG_END(table) "UPDATE " table " SET previous_secret_hash = NULL," \
	" previous_secret_until = NULL WHERE app_id = ?"

/* By apps.app_type + 0: 1 oidc, 2 api (MySQL's ENUM positions). */
static const struct {
	const char *q_grace, *q_end, *event;
} app_configs[] = {
	{ CONFIG_GRACE("oidc_configs"), CONFIG_END("oidc_configs"),
	    "project.application.config.oidc.secret.grace.ended" },
	{ CONFIG_GRACE("api_configs"), CONFIG_END("api_configs"),
	    "project.application.config.api.secret.grace.ended" },
};

/*
 * The project's row is locked first, as a regeneration locks it, so the
 * two wait for each other; what is read after it is read locked, so it is
 * what the regeneration before us left.
 */
static enum err
app_grace_body(struct store *s, struct txn *t)
{
	static const char q_project[] = "SELECT project_id FROM apps"
	    " WHERE id = ? AND state <> 'removed'";
	static const char q_kind[] = "SELECT app_type + 0 FROM apps"
	    " WHERE id = ? AND project_id = ? AND state <> 'removed'"
	    " FOR UPDATE";
	static const char q_touch[] =
	    "UPDATE apps SET change_date = ? WHERE id = ?";
	static const char q_event[] = EVENT_INSERT
	    "JSON_OBJECT('appId', ?))";
	struct grace_change *c = (struct grace_change *)t;
	struct binds par = { .n = 0 }, res = { .n = 0 };
	char project[ID_BYTES + 1], owner[ID_BYTES + 1];
	struct event ev = { "project", project, NULL, owner, 0, t->now };
	unsigned long long kind = 0;
	MYSQL_TIME until;
	unsigned rows = 0;
	int found = 0;
	size_t k;
	enum err e;

	c->out->ended = 0;
	bind_str(&par, c->id);
	result_str(&res, project, sizeof(project));
	e = store_oneshot(s, q_project, &par, &res, sa_count_row, &rows, NULL);
	if (e == ERR_OK && rows == 1)
		e = sa_lock_project(s, project, &ev.seq, owner, sizeof(owner));
	else if (e == ERR_OK)
		e = ERR_NOT_FOUND;
	if (e == ERR_OK) {
		par.n = 0;
		bind_str(&par, c->id);
		bind_str(&par, project);
		e = sa_one_u64(s, q_kind, &par, &kind, &found);
	}
	if (e == ERR_OK && (!found || kind < 1 || kind > 2))
		e = ERR_NOT_FOUND;	/* removed since, or SAML's */
	if (e == ERR_NOT_FOUND)
		t->what = "app";
	if (e != ERR_OK)
		return e;
	k = (size_t)kind - 1;
	par.n = 0;
	res.n = 0;
	rows = 0;
	bind_str(&par, c->id);
	result_time(&res, &until);
	e = store_oneshot(s, app_configs[k].q_grace, &par, &res, sa_count_row,
	    &rows, NULL);
	if (e != ERR_OK || rows != 1)
		return e;		/* none to end: nothing written */
	c->out->ended = 1;
	c->out->until = time_from_db(&until);
	par.n = 0;
	bind_str(&par, c->id);
	if ((e = sa_run(s, app_configs[k].q_end, &par)) != ERR_OK)
		return e;
	par.n = 0;
	bind_time(&par, &t->now);
	bind_str(&par, c->id);
	if ((e = sa_run(s, q_touch, &par)) != ERR_OK)
		return e;
	ev.seq++;
	if ((e = sa_set_project_sequence(s, project, ev.seq, &t->now)) !=
	    ERR_OK)
		return e;
	ev.type = app_configs[k].event;
	sa_event_binds(&par, &ev);
	bind_str(&par, c->id);
	return sa_run(s, q_event, &par);
}

enum err
store_app_end_grace(struct store *s, const char *app_id,
    struct grace_end *out, const char **what)
{
	struct grace_change c = { .id = app_id, .out = out };

	return sa_txn(s, app_grace_body, &c.t, what);
}

/*
 * The user's row, locked as the request path's changes lock it; its
 * sequence moves with the event.
 */
static enum err
user_grace_body(struct store *s, struct txn *t)
{
	static const char q_lock[] =
	    "SELECT sequence, resource_owner, COALESCE(" GRACE_LIVE ", 0),"
	    " COALESCE(previous_secret_until, UTC_TIMESTAMP(6)) FROM users"
	    " WHERE id = ? AND user_type = 'machine' AND state <> 'removed'"
	    " FOR UPDATE";
	static const char q_end[] = "UPDATE users SET"
	    " previous_secret_hash = NULL, previous_secret_until = NULL,"
	    " sequence = ?, change_date = ? WHERE id = ?";
	struct grace_change *c = (struct grace_change *)t;
	struct binds par = { .n = 0 }, res = { .n = 0 };
	char owner[ID_BYTES + 1];
	struct event ev = { "user", c->id, "user.machine.secret.grace.ended",
	    owner, 0, t->now };
	unsigned long long live = 0;
	MYSQL_TIME until;
	unsigned rows = 0;
	enum err e;

	c->out->ended = 0;
	bind_str(&par, c->id);
	result_u64(&res, &ev.seq);
	result_str(&res, owner, sizeof(owner));
	result_u64(&res, &live);
	result_time(&res, &until);
	e = store_oneshot(s, q_lock, &par, &res, sa_count_row, &rows, NULL);
	if (e != ERR_OK)
		return e;
	if (rows != 1) {
		t->what = "user";
		return ERR_NOT_FOUND;
	}
	if (!live)
		return ERR_OK;		/* none to end: nothing written */
	c->out->ended = 1;
	c->out->until = time_from_db(&until);
	ev.seq++;
	par.n = 0;
	bind_u64(&par, &ev.seq);
	bind_time(&par, &t->now);
	bind_str(&par, c->id);
	if ((e = sa_run(s, q_end, &par)) != ERR_OK)
		return e;
	sa_event_binds(&par, &ev);
	return sa_run(s, sa_event_empty, &par);
}

enum err
store_user_end_grace(struct store *s, const char *user_id,
    struct grace_end *out, const char **what)
{
	struct grace_change c = { .id = user_id, .out = out };

	return sa_txn(s, user_grace_body, &c.t, what);
}
