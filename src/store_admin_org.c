/*
 * store_admin_org.c - the admin tool's SQL for organizations: add, deactivate,
 * list, each change with its event (store_admin.h).
 */
#include "store_admin_internal.h"

const struct named_kind sa_org_kind = {
	"SELECT 1 FROM orgs WHERE name = ? AND state <> 'removed'",
	"INSERT INTO orgs (id, name, state, creation_date, change_date)"
	" VALUES (?, ?, 'active', ?, ?)", 1,
	sa_event_name, "org", "org.added", 0
};

static const struct deactivation org_deactivation = {
	"SELECT state, id FROM orgs WHERE id = ? AND state <> 'removed'"
	" FOR UPDATE",
	"UPDATE orgs SET state = 'inactive', change_date = ? WHERE id = ?",
	1, 0, "organization", "org", "org.deactivated"
};

static const struct sa_list org_list = {
	"SELECT id, state, creation_date, name FROM orgs"
	" ORDER BY creation_date, id", 4, 1u << 2
};

enum err
store_org_add(struct store *s, const char *id, const char *name,
    const char **what)
{
	return sa_add_named_txn(s, &sa_org_kind, id, NULL, name, what);
}

enum err
store_org_deactivate(struct store *s, const char *id, int *already,
    const char **what)
{
	return sa_deactivate(s, &org_deactivation, id, already, what);
}

enum err
store_org_list(struct store *s, list_row_fn *each, void *arg)
{
	return sa_list(s, &org_list, NULL, each, arg);
}
