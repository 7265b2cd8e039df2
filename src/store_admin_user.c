/*
 * store_admin_user.c - the admin tool's SQL for users: add, deactivate, list,
 * each change with its event (store_admin.h).
 */
#include "store_admin_internal.h"

const struct named_kind sa_user_kind = {
	"SELECT 1 FROM users WHERE resource_owner = ? AND username = ?"
	" AND state <> 'removed'",
	"INSERT INTO users (id, resource_owner, username, state)"
	" VALUES (?, ?, ?, 'active')", 0,
	EVENT_INSERT "JSON_OBJECT('userName', ?))", "user", "user.machine.added"
};

static const struct deactivation user_deactivation = {
	"SELECT state, resource_owner FROM users WHERE id = ?"
	" AND state <> 'removed' FOR UPDATE",
	"UPDATE users SET state = 'inactive' WHERE id = ?", 0,
	"user", "user", "user.deactivated"
};

static const struct sa_list user_list = {
	"SELECT id, resource_owner, state, username FROM users"
	" WHERE ? = '' OR resource_owner = ? ORDER BY resource_owner, id", 4, 0
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
