/*
 * store_admin_member.c - the admin tool's SQL for memberships and the roles
 * they give: add and remove with their events, list, and what to say of a
 * role held at a scope that is not its own (store_admin.h).
 */
#include "store_admin_internal.h"

#include <stdio.h>
#include <string.h>

/*
 * ERR_OK when role_permissions knows the role at that scope; ERR_NOT_FOUND
 * when it does not know the role; ERR_INVALID_ARGUMENT when the role is of
 * another scope, or of none (doc/database.md, "Roles and their scopes").
 */
static enum err
role_fits(struct store *s, const char *role, const char *scope)
{
	static const char q[] =
	    "SELECT COUNT(*), COALESCE(SUM(scope = ?), 0)"
	    " FROM role_permissions WHERE role = ?";
	struct binds par = { .n = 0 }, res = { .n = 0 };
	unsigned long long rows = 0, fits = 0;
	enum err e;

	bind_str(&par, scope);
	bind_str(&par, role);
	result_u64(&res, &rows);
	result_u64(&res, &fits);
	e = store_oneshot(s, q, &par, &res, NULL, NULL, NULL);
	if (e != ERR_OK)
		return e;
	if (rows == 0)
		return ERR_NOT_FOUND;
	return fits > 0 ? ERR_OK : ERR_INVALID_ARGUMENT;
}

static const struct sa_list member_list = {
	"SELECT user_id, scope, scope_id, role FROM memberships"
	" WHERE ? = '' OR user_id = ? ORDER BY user_id, scope, scope_id, role",
	4, 0
};

/* A user's memberships at one scope. */
#define AT " WHERE user_id = ? AND scope = ? AND scope_id = ?"

/*
 * The user there (locked) and, to add, the role known at that scope;
 * *what names what is not.
 */
static enum err
member_fits(struct store *s, struct txn *t, const struct membership *m,
    int add)
{
	/* The user's row locked, so that it stays while the member is. */
	static const char q_user[] = "SELECT 1 FROM users"
	    " WHERE id = ? AND state <> 'removed' FOR UPDATE";
	struct binds par = { .n = 0 }, res = { .n = 0 };
	unsigned long long one;
	unsigned rows = 0;
	enum err e;

	bind_str(&par, m->user);
	result_u64(&res, &one);
	e = store_oneshot(s, q_user, &par, &res, sa_count_row, &rows, NULL);
	if (e != ERR_OK)
		return e;
	if (rows != 1) {
		t->what = "user";
		return ERR_NOT_FOUND;
	}
	e = add ? role_fits(s, m->role, m->scope) : ERR_OK;
	if (e == ERR_NOT_FOUND)
		t->what = "role";
	else if (e == ERR_INVALID_ARGUMENT)
		t->what = "scope";
	return e;
}

/*
 * The aggregate a membership's event belongs to, locked: the project (its
 * sequence in *seq) or the organization (*seq 0); the instance has no row.
 * owner: the organization.
 */
static enum err
lock_scope(struct store *s, struct txn *t, const struct membership *m,
    unsigned long long *seq, char *owner, size_t ownerlen)
{
	char state[16];
	enum err e = ERR_OK;

	owner[0] = '\0';
	*seq = 0;
	if (strcmp(m->scope, "project") == 0) {
		if ((e = sa_lock_project(s, m->scope_id, seq, owner,
		    ownerlen)) == ERR_NOT_FOUND)
			t->what = "project";
	} else if (strcmp(m->scope, "org") == 0) {
		if ((e = sa_lock_org(s, m->scope_id, state, sizeof(state))) ==
		    ERR_NOT_FOUND)
			t->what = "organization";
		snprintf(owner, ownerlen, "%s", m->scope_id);
	}
	return e;
}

/*
 * Adds or removes one role of a user at a scope; the event names the
 * user's roles there afterwards: "added" for the first, "changed" while
 * some remain, "removed" for the last (ZITADEL's member events).
 */
enum err
sa_member_change(struct store *s, struct txn *t, const struct membership *m,
    int add)
{
	static const char q_count[] = "SELECT COUNT(*) FROM memberships" AT;
	static const char q_held[] = "SELECT 1 FROM memberships" AT
	    " AND role = ?";
	static const char q_add[] = "INSERT INTO memberships"
	    " (user_id, scope, scope_id, role) VALUES (?, ?, ?, ?)";
	static const char q_remove[] = "DELETE FROM memberships" AT
	    " AND role = ?";
	static const char q_event_roles[] = EVENT_INSERT "JSON_OBJECT("
	    "'userId', ?, 'roles', (SELECT JSON_ARRAYAGG(role)"
	    " FROM memberships" AT ")))";
	static const char q_event_removed[] = EVENT_INSERT
	    "JSON_OBJECT('userId', ?))";
	struct binds par = { .n = 0 };
	char owner[ID_BYTES + 1], type[64];
	struct event ev = { m->scope, m->scope_id, type, owner, 0, t->now };
	unsigned long long before = 0;
	int project = strcmp(m->scope, "project") == 0;
	const char *q_event;
	enum err e;

	if ((e = member_fits(s, t, m, add)) != ERR_OK ||
	    (e = lock_scope(s, t, m, &ev.seq, owner, sizeof(owner))) != ERR_OK)
		return e;
	bind_str(&par, m->user);
	bind_str(&par, m->scope);
	bind_str(&par, m->scope_id);
	if ((e = sa_one_u64(s, q_count, &par, &before, NULL)) != ERR_OK)
		return e;
	bind_str(&par, m->role);
	e = sa_exists(s, q_held, &par);
	if (add && e == ERR_OK) {
		t->what = "membership";
		return ERR_EXISTS;
	}
	if (!add && e == ERR_NOT_FOUND)
		t->what = "membership";
	if (e != (add ? ERR_NOT_FOUND : ERR_OK))
		return e;
	if ((e = sa_run(s, add ? q_add : q_remove, &par)) != ERR_OK)
		return e;
	if (project) {
		ev.seq++;
		e = sa_set_project_sequence(s, m->scope_id, ev.seq, &t->now);
	} else
		e = sa_next_sequence(s, &ev);
	if (e != ERR_OK)
		return e;
	snprintf(type, sizeof(type), "%s.member.%s", m->scope,
	    add ? (before == 0 ? "added" : "changed") :
	    (before == 1 ? "removed" : "changed"));
	q_event = !add && before == 1 ? q_event_removed : q_event_roles;
	sa_event_binds(&par, &ev);
	bind_str(&par, m->user);
	if (q_event == q_event_roles) {
		bind_str(&par, m->user);
		bind_str(&par, m->scope);
		bind_str(&par, m->scope_id);
	}
	return sa_run(s, q_event, &par);
}

struct member_change {
	struct txn t;
	struct membership m;
	int add;
};

static enum err
member_body(struct store *s, struct txn *t)
{
	struct member_change *c = (struct member_change *)t;

	return sa_member_change(s, t, &c->m, c->add);
}

static enum err
member_store(struct store *s, const char *user, const char *scope,
    const char *scope_id, const char *role, int add, const char **what)
{
	struct member_change c = { .m = { user, scope, scope_id, role },
	    .add = add };

	if (strcmp(scope, "instance") != 0 && strcmp(scope, "org") != 0 &&
	    strcmp(scope, "project") != 0)
		return ERR_INTERNAL;
	return sa_txn(s, member_body, &c.t, what);
}

enum err
store_member_add(struct store *s, const char *user, const char *scope,
    const char *scope_id, const char *role, const char **what)
{
	return member_store(s, user, scope, scope_id, role, 1, what);
}

enum err
store_member_remove(struct store *s, const char *user, const char *scope,
    const char *scope_id, const char *role, const char **what)
{
	return member_store(s, user, scope, scope_id, role, 0, what);
}

enum err
store_member_list(struct store *s, const char *user, list_row_fn *each,
    void *arg)
{
	return sa_list_by(s, &member_list, user, each, arg);
}

/* --- roles --- */

struct role_names {
	char *out;
	size_t len, cap;
};

static void
role_name_out(void *arg, const char *const *cells)
{
	struct role_names *r = arg;
	int n = snprintf(r->out + r->len, r->cap - r->len, "%s%s",
	    r->len > 0 ? ", " : "", cells[0]);

	if (n > 0 && (size_t)n < r->cap - r->len)
		r->len += (size_t)n;
}

enum err
store_role_names(struct store *s, char *out, size_t outlen)
{
	static const struct sa_list l = {
		"SELECT DISTINCT role FROM role_permissions ORDER BY role", 1, 0
	};
	struct role_names r = { out, 0, outlen };

	if (outlen == 0)
		return ERR_INTERNAL;
	out[0] = '\0';
	return sa_list(s, &l, NULL, role_name_out, &r);
}

/*
 * The columns MEMBER_ADVICE_* of a membership x: its role's scopes, the
 * role of x's scope named like it (the family prefix IAM_, ORG_ or
 * PROJECT_ swapped), the user's organization, the project's.
 */
#define ADVICE_SELECT \
	"SELECT x.user_id, x.scope, x.scope_id, x.role," \
	" COALESCE((SELECT GROUP_CONCAT(DISTINCT r.scope ORDER BY r.scope)" \
	" FROM role_permissions r WHERE r.role = x.role), '')," \
	" COALESCE((SELECT MIN(c.role) FROM role_permissions c" \
	" WHERE c.scope = x.scope AND c.role = CONCAT(CASE x.scope" \
	" WHEN 'instance' THEN 'IAM_' WHEN 'org' THEN 'ORG_'" \
	" ELSE 'PROJECT_' END, SUBSTRING(x.role, LOCATE('_', x.role) + 1)))," \
	" ''), COALESCE(u.resource_owner, ''), COALESCE(p.resource_owner, '')"
#define ADVICE_JOINS \
	" LEFT JOIN users u ON u.id = x.user_id" \
	" LEFT JOIN projects p ON x.scope = 'project' AND p.id = x.scope_id"

enum err
store_member_advice(struct store *s, const char *user, const char *scope,
    const char *scope_id, const char *role, list_row_fn *each, void *arg)
{
	static const struct sa_list l = {
		ADVICE_SELECT " FROM (SELECT ? AS user_id, ? AS scope,"
		" ? AS scope_id, ? AS role) x" ADVICE_JOINS,
		MEMBER_ADVICE_COLUMNS, 0
	};
	struct binds par = { .n = 0 };

	bind_str(&par, user);
	bind_str(&par, scope);
	bind_str(&par, scope_id);
	bind_str(&par, role);
	return sa_list(s, &l, &par, each, arg);
}

enum err
store_member_inert(struct store *s, list_row_fn *each, void *arg)
{
	static const struct sa_list l = {
		ADVICE_SELECT " FROM memberships x" ADVICE_JOINS
		" WHERE EXISTS (SELECT 1 FROM role_permissions k"
		" WHERE k.role = x.role) AND NOT EXISTS (SELECT 1"
		" FROM role_permissions k WHERE k.role = x.role"
		" AND k.scope = x.scope)"
		" ORDER BY x.user_id, x.scope, x.scope_id, x.role",
		MEMBER_ADVICE_COLUMNS, 0
	};

	return sa_list(s, &l, NULL, each, arg);
}
