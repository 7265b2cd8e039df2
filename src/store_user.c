/*
 * store_user.c - machine users' secrets and keys: what their calls look
 * up, and the transaction each change is (doc/database.md).
 */
#include "store.h"
#include "store_internal.h"

#include <mysqld_error.h>
#include <string.h>

#include "log.h"

/*
 * The acting org (v1 with x-zitadel-orgid), the permission at instance
 * scope or at the acting org (v1) or the user's own (v2), and the machine
 * user: active, in the acting org for v1.
 */
static const struct stmt st_user_access = { "machine user access",
	SQL_ACCESS_HEAD("users", "NULL")
	" u.id IS NOT NULL,"
	" COALESCE((SELECT uo.state = 'active' FROM orgs uo"
	" WHERE uo.id = u.resource_owner), 0),"
	" u.secret_hash IS NOT NULL,"
	" ? IS NOT NULL AND EXISTS (SELECT 1 FROM machine_keys k"
	" WHERE k.user_id = u.id AND k.id = ?),"
	" COALESCE(u.resource_owner, ''), COALESCE(u.username, '')"
	" FROM (SELECT 1) AS one"
	" LEFT JOIN users u ON u.id = ? AND u.user_type = 'machine'"
	" AND u.state = 'active' AND (NOT ? OR u.resource_owner = ?)" };

/* Locks the user's row where it and its organisation still hold. */
static const struct stmt st_bump_user = { "bump user",
	"UPDATE users SET sequence = LAST_INSERT_ID(sequence + 1)"
	" WHERE id = ? AND user_type = 'machine' AND state = 'active'"
	" AND EXISTS (SELECT 1 FROM orgs o WHERE o.id = users.resource_owner"
	" AND o.state = 'active')" };

/*
 * The caller's token and permission, still good: read with shared locks,
 * so a revocation or a role's removal waits for this transaction.
 */
static const struct stmt st_caller_again = { "caller again",
	"SELECT 1 FROM access_tokens t JOIN users tu ON tu.id = t.user_id"
	" JOIN orgs tuo ON tuo.id = tu.resource_owner"
	" JOIN memberships m ON m.user_id = tu.id"
	" JOIN role_permissions r ON r.role = m.role AND r.scope = m.scope"
	" AND r.permission = ?"
	" WHERE t.token_sha256 = ? AND t.revoked_at IS NULL"
	" AND (t.expires_at IS NULL OR t.expires_at > UTC_TIMESTAMP(6))"
	" AND tu.state = 'active' AND tuo.state = 'active'"
	" AND ((m.scope = 'instance' AND m.scope_id = '')"
	" OR (m.scope = 'org' AND m.scope_id = ?))"
	" LIMIT 1 LOCK IN SHARE MODE" };

static const struct stmt st_touch_user = { "touch user",
	"UPDATE users SET change_date = ? WHERE id = ?" };

/* As an app's: the replaced hash stays valid for the grace period. */
static const struct stmt st_user_secret_set = { "set machine secret",
	"UPDATE users SET"
	" previous_secret_until = IF(? > 0 AND secret_hash IS NOT NULL,"
	" UTC_TIMESTAMP(6) + INTERVAL ? SECOND, NULL),"
	" previous_secret_hash = IF(? > 0, secret_hash, NULL),"
	" secret_hash = ?, secret_change_date = ? WHERE id = ?" };

/* Both the secret and any previous one end at once. */
static const struct stmt st_user_secret_remove = { "remove machine secret",
	"UPDATE users SET secret_hash = NULL, previous_secret_hash = NULL,"
	" previous_secret_until = NULL, secret_change_date = ?"
	" WHERE id = ? AND secret_hash IS NOT NULL" };

static const struct stmt st_key_add = { "add machine key",
	"INSERT INTO machine_keys (id, user_id, key_type, public_key,"
	" expiration_date, creation_date) VALUES (?, ?, 'json', ?, ?, ?)" };

static const struct stmt st_key_remove = { "remove machine key",
	"DELETE FROM machine_keys WHERE id = ? AND user_id = ?" };

#define USER_EVENT(payload) \
	"INSERT INTO events (aggregate_type, aggregate_id, sequence," \
	" event_type, resource_owner, editor_user, creation_date, request_id," \
	" payload) VALUES ('user', ?, ?, ?, ?, ?, ?, ?, " payload ")"

static const struct {
	const char *type;	/* ZITADEL's event type */
	struct stmt insert;
} events[] = {
	[USER_SECRET_SET] = { "user.machine.secret.set", { "secret set event",
	    USER_EVENT("IF(? > 0, JSON_OBJECT('hashedSecret', ?,"
	    " 'previousSecretValidSeconds', ?),"
	    " JSON_OBJECT('hashedSecret', ?))") } },
	[USER_SECRET_REMOVE] = { "user.machine.secret.removed",
	    { "secret removed event", USER_EVENT("JSON_OBJECT()") } },
	[USER_KEY_ADD] = { "user.machine.key.added", { "key added event",
	    USER_EVENT("JSON_OBJECT('keyId', ?, 'type', 'json',"
	    " 'expirationDate', ?, 'publicKey', ?)") } },
	[USER_KEY_REMOVE] = { "user.machine.key.removed",
	    { "key removed event", USER_EVENT("JSON_OBJECT('keyId', ?)") } },
};

enum err
store_user_lookup(struct store *s, const struct user_key *k,
    struct user_lookup *out)
{
	struct binds par = { .n = 0 }, res = { .n = 0 };
	unsigned long long org_ok = 0, perm = 0, user = 0, owner_ok = 0;
	unsigned long long secret = 0, key = 0, v1 = k->v1 != 0;
	const char *acting = k->org != NULL ? k->org : k->caller_org;
	int found = 0;
	enum err e;

	memset(out, 0, sizeof(*out));
	bind_access_head(&par, k->org, k->caller, k->permission, &v1, acting,
	    k->user_id);
	bind_str(&par, k->key_id);
	bind_str(&par, k->key_id);
	bind_str(&par, k->user_id);
	bind_u64(&par, &v1);
	bind_str(&par, acting);
	result_u64(&res, &org_ok);
	result_u64(&res, &perm);
	result_u64(&res, &user);
	result_u64(&res, &owner_ok);
	result_u64(&res, &secret);
	result_u64(&res, &key);
	result_str(&res, out->owner, sizeof(out->owner));
	result_str(&res, out->username, sizeof(out->username));
	e = store_query(s, &st_user_access, &par, &res, &found);
	if (e != ERR_OK)
		return e;
	if (!found)
		return ERR_INTERNAL;	/* one row, always */
	out->org_active = org_ok != 0;
	out->permitted = perm != 0;
	out->found = user != 0;
	out->owner_active = owner_ok != 0;
	out->has_secret = secret != 0;
	out->key_found = key != 0;
	return ERR_OK;
}

/* The change itself, after the bump; 0 rows changed is stale. */
static enum err
user_step(struct store *s, const struct machine_change *c, MYSQL_TIME *now,
    struct change_result *out)
{
	struct binds par = { .n = 0 };
	unsigned long long grace = c->grace_s;
	const struct stmt *q;
	MYSQL_TIME expires;
	enum err e;

	switch (c->kind) {
	case USER_SECRET_SET:
		q = &st_user_secret_set;
		bind_u64(&par, &grace);
		bind_u64(&par, &grace);
		bind_u64(&par, &grace);
		bind_str(&par, c->hash);
		bind_time(&par, now);
		bind_str(&par, c->user_id);
		break;
	case USER_SECRET_REMOVE:
		q = &st_user_secret_remove;
		bind_time(&par, now);
		bind_str(&par, c->user_id);
		break;
	case USER_KEY_ADD:
		q = &st_key_add;
		time_to_db(c->expires, &expires);
		bind_str(&par, c->key_id);
		bind_str(&par, c->user_id);
		bind_str(&par, c->public_key);
		bind_time(&par, &expires);
		bind_time(&par, now);
		break;
	default:
		q = &st_key_remove;
		bind_str(&par, c->key_id);
		bind_str(&par, c->user_id);
		break;
	}
	if ((e = store_run(s, q, &par, NULL, NULL)) != ERR_OK) {
		/* A key ID taken since the lookup: another try makes none. */
		if (s->last_error == ER_DUP_ENTRY)
			out->stale = 1;
		return s->last_error == ER_DUP_ENTRY ? ERR_OK : e;
	}
	if (store_affected(s, q) != 1)
		out->stale = 1;
	return ERR_OK;
}

static enum err
event(struct store *s, const struct machine_change *c, struct txn_event *ev,
    MYSQL_TIME *now)
{
	const struct stmt *q = &events[c->kind].insert;
	struct binds par = { .n = 0 };
	unsigned long long seq = ev->sequence, grace = c->grace_s;
	MYSQL_TIME expires;
	const char *editor = c->editor != NULL ? c->editor : "";

	bind_str(&par, c->user_id);
	bind_u64(&par, &seq);
	bind_str(&par, events[c->kind].type);
	bind_str(&par, c->owner);
	bind_str(&par, editor);
	bind_time(&par, now);
	bind_str(&par, ev->request_id);
	switch (c->kind) {
	case USER_SECRET_SET:
		bind_u64(&par, &grace);
		bind_str(&par, c->hash);
		bind_u64(&par, &grace);
		bind_str(&par, c->hash);
		break;
	case USER_KEY_ADD:
		time_to_db(c->expires, &expires);
		bind_str(&par, c->key_id);
		bind_time(&par, &expires);
		bind_str(&par, c->public_key);
		break;
	case USER_KEY_REMOVE:
		bind_str(&par, c->key_id);
		break;
	default:
		break;
	}
	return store_run(s, q, &par, NULL, NULL);
}

static enum err
user_body(struct store *s, void *arg, struct txn_event *ev,
    struct change_result *out)
{
	const struct machine_change *c = arg;
	struct binds par = { .n = 0 }, res = { .n = 0 };
	unsigned long long one = 0;
	MYSQL_TIME now_db;
	int found = 0;
	enum err e;

	bind_str(&par, c->user_id);
	if ((e = store_run(s, &st_bump_user, &par, NULL, NULL)) != ERR_OK)
		return e;
	if (store_affected(s, &st_bump_user) != 1) {
		out->stale = 1;
		return ERR_OK;
	}
	out->sequence = store_insert_id(s, &st_bump_user);
	out->change_date = ts_now();
	time_to_db(out->change_date, &now_db);
	if (c->digest != NULL) {
		par.n = 0;
		bind_str(&par, c->permission);
		bind_str(&par, c->digest);
		bind_str(&par, c->owner);
		result_u64(&res, &one);
		e = store_run(s, &st_caller_again, &par, &res, &found);
		if (e != ERR_OK)
			return e;
		if (!found) {
			out->stale = 1;
			return ERR_OK;
		}
	}
	if ((e = user_step(s, c, &now_db, out)) != ERR_OK || out->stale)
		return e;
	par.n = 0;
	bind_time(&par, &now_db);
	bind_str(&par, c->user_id);
	if ((e = store_run(s, &st_touch_user, &par, NULL, NULL)) != ERR_OK)
		return e;
	ev->aggregate_type = "user";
	ev->aggregate_id = c->user_id;
	ev->sequence = out->sequence;
	if ((e = event(s, c, ev, &now_db)) != ERR_OK &&
	    s->last_error == ER_DUP_ENTRY)
		e = ERR_CONFLICT;
	return e;
}

enum err
store_user_change(struct store *s, const struct machine_change *c,
    struct change_result *out)
{
	return store_transaction(s, c->deadline_ns, user_body,
	    (void *)(uintptr_t)c, out);
}
