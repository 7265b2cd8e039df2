/*
 * store_admin_user.c - the admin tool's SQL for users: add (human or
 * machine), deactivate, list, each change with its event; what the machine
 * users' commands look up, and a machine user's keys (store_admin.h).
 * Their secrets and keys change through store_user_change() (store.h).
 */
#include "store_admin_internal.h"

#include <string.h>

/*
 * A user's row keeps the sequence of its aggregate, as the request path's
 * changes of a machine user move it (store_user.c).
 */
const struct named_kind sa_user_kind = {
	"SELECT 1 FROM users WHERE resource_owner = ? AND username = ?"
	" AND state <> 'removed'",
	"INSERT INTO users (id, resource_owner, username, state, sequence,"
	" creation_date, change_date) VALUES (?, ?, ?, 'active', 1, ?, ?)", 1,
	EVENT_INSERT "JSON_OBJECT('userName', ?))", "user", "user.human.added",
	0
};

/*
 * A machine user's name is its client ID (users.client_id, unique among
 * machine users): no other user may have it, in any organization, compared
 * byte for byte as the client ID is.  A removed machine user keeps its.
 */
static const struct named_kind machine_kind = {
	"SELECT 1 FROM users WHERE CAST(username AS BINARY) ="
	" CAST(? AS BINARY) AND (state <> 'removed' OR user_type = 'machine')",
	"INSERT INTO users (id, resource_owner, username, state, user_type,"
	" sequence, creation_date, change_date)"
	" VALUES (?, ?, ?, 'active', 'machine', 1, ?, ?)", 1,
	EVENT_INSERT "JSON_OBJECT('userName', ?))", "user",
	"user.machine.added", 1
};

static const struct deactivation user_deactivation = {
	"SELECT state, resource_owner FROM users WHERE id = ?"
	" AND state <> 'removed' FOR UPDATE",
	"UPDATE users SET state = 'inactive', change_date = ?, sequence = ?"
	" WHERE id = ?", 1, 1,
	"user", "user", "user.deactivated"
};

static const struct sa_list user_list = {
	"SELECT id, resource_owner, state, username, user_type FROM users"
	" WHERE ? = '' OR resource_owner = ? ORDER BY resource_owner, id", 5, 0
};

static const struct sa_list key_list = {
	"SELECT id, expiration_date, creation_date, public_key"
	" FROM machine_keys WHERE user_id = ? ORDER BY creation_date, id", 4,
	1u << 1 | 1u << 2
};

enum err
store_user_exists(struct store *s, const char *user_id)
{
	struct binds par = { .n = 0 };

	bind_str(&par, user_id);
	return sa_exists(s, "SELECT 1 FROM users WHERE id = ?", &par);
}

enum err
store_user_add(struct store *s, const char *id, const char *org,
    const char *username, const char **what)
{
	return sa_add_named_txn(s, &sa_user_kind, id, org, username, what);
}

enum err
store_machine_add(struct store *s, const char *id, const char *org,
    const char *username, const char **what)
{
	return sa_add_named_txn(s, &machine_kind, id, org, username, what);
}

enum err
store_user_deactivate(struct store *s, const char *id, int *already,
    const char **what)
{
	return sa_deactivate(s, &user_deactivation, id, already, what);
}

enum err
store_user_list(struct store *s, const char *org, list_row_fn *each,
    void *arg)
{
	return sa_list_by(s, &user_list, org, each, arg);
}

enum err
store_user_state(struct store *s, const char *id, const char *key_id,
    struct user_state *out)
{
	static const char q[] =
	    "SELECT u.user_type = 'machine', u.state, u.resource_owner,"
	    " COALESCE(o.state = 'active', 0), u.secret_hash IS NOT NULL,"
	    " EXISTS (SELECT 1 FROM machine_keys k WHERE k.user_id = u.id"
	    " AND k.id = ?), u.username"
	    " FROM users u LEFT JOIN orgs o ON o.id = u.resource_owner"
	    " WHERE u.id = ? AND u.state <> 'removed'";
	struct binds par = { .n = 0 }, res = { .n = 0 };
	unsigned long long machine = 0, org_ok = 0, secret = 0, key = 0;
	unsigned rows = 0;
	enum err e;

	memset(out, 0, sizeof(*out));
	bind_str(&par, key_id);
	bind_str(&par, id);
	result_u64(&res, &machine);
	result_str(&res, out->state, sizeof(out->state));
	result_str(&res, out->org, sizeof(out->org));
	result_u64(&res, &org_ok);
	result_u64(&res, &secret);
	result_u64(&res, &key);
	result_str(&res, out->username, sizeof(out->username));
	e = store_oneshot(s, q, &par, &res, sa_count_row, &rows, NULL);
	if (e != ERR_OK || rows != 1)
		return e;
	out->found = 1;
	out->machine = machine != 0;
	out->org_active = org_ok != 0;
	out->has_secret = secret != 0;
	out->key_found = key != 0;
	return ERR_OK;
}

enum err
store_machine_key_list(struct store *s, const char *user_id,
    list_row_fn *each, void *arg)
{
	struct binds par = { .n = 0 };

	bind_str(&par, user_id);
	return sa_list(s, &key_list, &par, each, arg);
}
