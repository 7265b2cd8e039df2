/*
 * store_admin.c - what the admin tool's SQL files share: transactions and
 * their retry, small queries, events, the aggregates' locks, and lists
 * handed over as text (store_admin_internal.h).
 *
 * Each statement is prepared for its one use (store_oneshot): the admin
 * tool runs a handful per invocation.  The responder links none of this.
 */
#include "store_admin_internal.h"

#include <mysqld_error.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

#define TXN_ATTEMPTS 3

/* --- transactions --- */

enum err
store_begin(struct store *s)
{
	enum err e;

	if ((e = store_ensure(s)) != ERR_OK)
		return e;
	if (mysql_autocommit(s->db, 0) == 0)
		return ERR_OK;
	log_msg(LOG_ERROR, "database: begin: %s", mysql_error(s->db));
	e = store_classify(mysql_errno(s->db));
	return e == ERR_OK ? ERR_INTERNAL : e;
}

enum err
store_commit(struct store *s)
{
	enum err e;

	if (s->db == NULL)
		return ERR_UNAVAILABLE;
	if (mysql_commit(s->db) == 0 && mysql_autocommit(s->db, 1) == 0)
		return ERR_OK;
	log_msg(LOG_ERROR, "database: commit: %s", mysql_error(s->db));
	e = store_classify(mysql_errno(s->db));
	store_rollback(s);
	return e == ERR_OK ? ERR_INTERNAL : e;
}

void
store_rollback(struct store *s)
{
	if (s->db != NULL && (mysql_rollback(s->db) != 0 ||
	    mysql_autocommit(s->db, 1) != 0))
		store_drop(s);
}

enum err
sa_txn(struct store *s, enum err (*body)(struct store *, struct txn *),
    struct txn *t, const char **what)
{
	unsigned attempt;
	enum err e = ERR_UNAVAILABLE;

	time_to_db(ts_now(), &t->now);
	for (attempt = 1; attempt <= TXN_ATTEMPTS; attempt++) {
		t->what = "";
		if ((e = store_begin(s)) != ERR_OK)
			break;
		e = body(s, t);
		if (e == ERR_OK)
			e = store_commit(s);	/* rolls back when it fails */
		else
			store_rollback(s);
		if (e != ERR_CONFLICT)
			break;
		e = ERR_UNAVAILABLE;
	}
	*what = t->what;
	return e;
}

/* --- queries --- */

void
sa_count_row(void *arg)
{
	(*(unsigned *)arg)++;
}

enum err
sa_exists(struct store *s, const char *q, struct binds *par)
{
	unsigned long long one;
	int found = 0;
	enum err e;

	e = sa_one_u64(s, q, par, &one, &found);
	if (e != ERR_OK)
		return e;
	return found ? ERR_OK : ERR_NOT_FOUND;
}

enum err
sa_one_u64(struct store *s, const char *q, struct binds *par,
    unsigned long long *v, int *found)
{
	struct binds res = { .n = 0 };
	unsigned rows = 0;
	enum err e;

	result_u64(&res, v);
	e = store_oneshot(s, q, par, &res, sa_count_row, &rows, NULL);
	if (found != NULL)
		*found = rows > 0;
	return e;
}

enum err
sa_run(struct store *s, const char *q, struct binds *par)
{
	return store_oneshot(s, q, par, NULL, NULL, NULL, NULL);
}

/* --- events --- */

const char sa_event_name[] = EVENT_INSERT "JSON_OBJECT('name', ?))";
const char sa_event_empty[] = EVENT_INSERT "JSON_OBJECT())";

void
sa_event_binds(struct binds *par, struct event *ev)
{
	par->n = 0;
	bind_str(par, ev->agg_type);
	bind_str(par, ev->agg_id);
	bind_u64(par, &ev->seq);
	bind_str(par, ev->type);
	bind_str(par, ev->owner);
	bind_str(par, ADMIN_EDITOR);
	bind_time(par, &ev->when);
}

enum err
sa_next_sequence(struct store *s, struct event *ev)
{
	static const char q[] =
	    "SELECT COALESCE(MAX(sequence), 0) FROM events"
	    " WHERE aggregate_type = ? AND aggregate_id = ? FOR UPDATE";
	struct binds par = { .n = 0 };
	enum err e;

	bind_str(&par, ev->agg_type);
	bind_str(&par, ev->agg_id);
	e = sa_one_u64(s, q, &par, &ev->seq, NULL);
	ev->seq++;
	return e;
}

/* --- the aggregates' rows --- */

/* The one row of q for id, into res; ERR_NOT_FOUND without one. */
static enum err
lock_row(struct store *s, const char *q, const char *id, struct binds *res)
{
	struct binds par = { .n = 0 };
	unsigned rows = 0;
	enum err e;

	bind_str(&par, id);
	e = store_oneshot(s, q, &par, res, sa_count_row, &rows, NULL);
	if (e != ERR_OK)
		return e;
	return rows == 1 ? ERR_OK : ERR_NOT_FOUND;
}

enum err
sa_lock_org(struct store *s, const char *id, char *state, size_t statelen)
{
	struct binds res = { .n = 0 };

	result_str(&res, state, statelen);
	return lock_row(s, "SELECT state FROM orgs WHERE id = ?"
	    " AND state <> 'removed' FOR UPDATE", id, &res);
}

enum err
sa_lock_project(struct store *s, const char *id, unsigned long long *seq,
    char *owner, size_t ownerlen)
{
	struct binds res = { .n = 0 };

	result_u64(&res, seq);
	result_str(&res, owner, ownerlen);
	return lock_row(s, "SELECT sequence, resource_owner FROM projects"
	    " WHERE id = ? AND state <> 'removed' FOR UPDATE", id, &res);
}

enum err
sa_set_project_sequence(struct store *s, const char *id,
    unsigned long long seq, MYSQL_TIME *when)
{
	static const char q[] =
	    "UPDATE projects SET sequence = ?, change_date = ? WHERE id = ?";
	struct binds par = { .n = 0 };

	bind_u64(&par, &seq);
	bind_time(&par, when);
	bind_str(&par, id);
	return sa_run(s, q, &par);
}

enum err
sa_add_named(struct store *s, struct txn *t, const struct named_kind *k,
    const char *id, const char *org, const char *name)
{
	struct binds par = { .n = 0 };
	struct event ev = { k->aggregate, id, k->event, org != NULL ? org : id,
	    1, t->now };
	char state[16];
	enum err e;

	if (org != NULL) {
		/* The organization stays while its object is added. */
		e = sa_lock_org(s, org, state, sizeof(state));
		if (e == ERR_NOT_FOUND)
			t->what = "organization";
		if (e != ERR_OK)
			return e;
		if (!k->any_org)
			bind_str(&par, org);
	}
	bind_str(&par, name);
	e = sa_exists(s, k->q_dup, &par);
	if (e == ERR_OK) {
		t->what = k->any_org ? "client ID" : "name";
		return ERR_EXISTS;
	}
	if (e != ERR_NOT_FOUND)
		return e;
	par.n = 0;
	bind_str(&par, id);
	if (org != NULL)
		bind_str(&par, org);
	bind_str(&par, name);
	if (k->dated) {
		bind_time(&par, &t->now);
		bind_time(&par, &t->now);
	}
	s->last_error = 0;
	if ((e = sa_run(s, k->q_add, &par)) != ERR_OK) {
		/* Taken since the check, by a change that committed first. */
		if (k->any_org && s->last_error == ER_DUP_ENTRY) {
			t->what = "client ID";
			return ERR_EXISTS;
		}
		return e;
	}
	sa_event_binds(&par, &ev);
	bind_str(&par, name);
	return sa_run(s, k->q_event, &par);
}

struct named_change {
	struct txn t;
	const struct named_kind *k;
	const char *id, *org, *name;
};

static enum err
named_body(struct store *s, struct txn *t)
{
	struct named_change *c = (struct named_change *)t;

	return sa_add_named(s, t, c->k, c->id, c->org, c->name);
}

enum err
sa_add_named_txn(struct store *s, const struct named_kind *k, const char *id,
    const char *org, const char *name, const char **what)
{
	struct named_change c = { .k = k, .id = id, .org = org, .name = name };

	return sa_txn(s, named_body, &c.t, what);
}

struct deactivate_change {
	struct txn t;
	const struct deactivation *d;
	const char *id;
	int already;
};

static enum err
deactivate_body(struct store *s, struct txn *t)
{
	struct deactivate_change *c = (struct deactivate_change *)t;
	const struct deactivation *d = c->d;
	struct binds par = { .n = 0 }, res = { .n = 0 };
	char state[16], owner[ID_BYTES + 1];
	struct event ev = { d->aggregate, c->id, d->event, owner, 0, t->now };
	unsigned rows = 0;
	enum err e;

	c->already = 0;
	bind_str(&par, c->id);
	result_str(&res, state, sizeof(state));
	result_str(&res, owner, sizeof(owner));
	e = store_oneshot(s, d->q_lock, &par, &res, sa_count_row, &rows, NULL);
	if (e != ERR_OK)
		return e;
	if (rows != 1) {
		t->what = d->kind;
		return ERR_NOT_FOUND;
	}
	if (strcmp(state, "inactive") == 0) {
		c->already = 1;
		return ERR_OK;
	}
	if ((e = sa_next_sequence(s, &ev)) != ERR_OK)
		return e;
	par.n = 0;
	if (d->dated)
		bind_time(&par, &t->now);
	if (d->sequenced)
		bind_u64(&par, &ev.seq);
	bind_str(&par, c->id);
	if ((e = sa_run(s, d->q_set, &par)) != ERR_OK)
		return e;
	sa_event_binds(&par, &ev);
	return sa_run(s, sa_event_empty, &par);
}

enum err
sa_deactivate(struct store *s, const struct deactivation *d, const char *id,
    int *already, const char **what)
{
	struct deactivate_change c = { .d = d, .id = id };
	enum err e = sa_txn(s, deactivate_body, &c.t, what);

	*already = c.already;
	return e;
}

/* --- lists --- */

struct list_run {
	const struct sa_list *l;
	struct binds res;
	char text[LIST_COLUMNS_MAX][LIST_CELL_MAX];
	MYSQL_TIME time[LIST_COLUMNS_MAX];
	const char *cells[LIST_COLUMNS_MAX];
	list_row_fn *each;
	void *arg;
};

static void
list_row_out(void *arg)
{
	struct list_run *r = arg;
	unsigned i;

	for (i = 0; i < r->l->columns; i++) {
		if (!(r->l->times & 1u << i))
			continue;
		r->text[i][0] = '\0';
		if (!r->res.null[i] && ts_format(time_from_db(&r->time[i]),
		    r->text[i], sizeof(r->text[i])) != 0)
			r->text[i][0] = '\0';
	}
	r->each(r->arg, r->cells);
}

enum err
sa_list(struct store *s, const struct sa_list *l, struct binds *par,
    list_row_fn *each, void *arg)
{
	struct list_run *r;
	unsigned i;
	enum err e;

	if (l->columns == 0 || l->columns > LIST_COLUMNS_MAX)
		return ERR_INTERNAL;
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return ERR_INTERNAL;
	r->l = l;
	r->each = each;
	r->arg = arg;
	for (i = 0; i < l->columns; i++) {
		if (l->times & 1u << i)
			result_time(&r->res, &r->time[i]);
		else
			result_str(&r->res, r->text[i], sizeof(r->text[i]));
		r->cells[i] = r->text[i];
	}
	e = store_oneshot(s, l->q, par, &r->res, list_row_out, r, NULL);
	free(r);
	return e;
}

enum err
sa_list_by(struct store *s, const struct sa_list *l, const char *value,
    list_row_fn *each, void *arg)
{
	struct binds par = { .n = 0 };

	bind_str(&par, value != NULL ? value : "");
	bind_str(&par, value != NULL ? value : "");
	return sa_list(s, l, &par, each, arg);
}
