/*
 * store_admin_project.c - the admin tool's SQL for projects: add with its
 * event, list, and a project's state (store_admin.h).
 */
#include "store_admin_internal.h"

const struct named_kind sa_project_kind = {
	"SELECT 1 FROM projects WHERE resource_owner = ? AND name = ?"
	" AND state <> 'removed'",
	"INSERT INTO projects (id, resource_owner, name, state, sequence,"
	" creation_date, change_date) VALUES (?, ?, ?, 'active', 1, ?, ?)", 1,
	sa_event_name, "project", "project.added", 0
};

static const struct sa_list project_list = {
	"SELECT id, resource_owner, state, sequence, name FROM projects"
	" WHERE ? = '' OR resource_owner = ? ORDER BY resource_owner, id", 5, 0
};

enum err
store_project_add(struct store *s, const char *id, const char *org,
    const char *name, const char **what)
{
	return sa_add_named_txn(s, &sa_project_kind, id, org, name, what);
}

enum err
store_project_list(struct store *s, const char *org, list_row_fn *each,
    void *arg)
{
	return sa_list_by(s, &project_list, org, each, arg);
}

enum err
store_project_state(struct store *s, const char *id, char *state,
    size_t statelen, char *name, size_t namelen, char *org_state,
    size_t org_statelen)
{
	static const char q[] =
	    "SELECT p.state, p.name, COALESCE(o.state, '') FROM projects p"
	    " LEFT JOIN orgs o ON o.id = p.resource_owner WHERE p.id = ?";
	struct binds par = { .n = 0 }, res = { .n = 0 };
	unsigned rows = 0;
	enum err e;

	bind_str(&par, id);
	result_str(&res, state, statelen);
	result_str(&res, name, namelen);
	result_str(&res, org_state, org_statelen);
	e = store_oneshot(s, q, &par, &res, sa_count_row, &rows, NULL);
	if (e != ERR_OK)
		return e;
	return rows == 1 ? ERR_OK : ERR_NOT_FOUND;
}
