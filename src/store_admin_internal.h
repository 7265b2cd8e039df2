/*
 * store_admin_internal.h - what the admin tool's SQL files (store_*.c but
 * store.c) share: one transaction around a change, small queries, the
 * events a change appends, the aggregates' locks, lists, and the parts of
 * each object's change that init runs in its own transaction.
 *
 * Only those files include this; the admin tool sees store_admin.h.
 */
#ifndef OIDC_SECRET_STORE_ADMIN_INTERNAL_H
#define OIDC_SECRET_STORE_ADMIN_INTERNAL_H

#include "store_admin.h"
#include "store_internal.h"

/* --- queries (store_admin.c) --- */

/* A row counter for store_oneshot(): (*(unsigned *)arg)++. */
void sa_count_row(void *arg);
/* ERR_OK when "SELECT 1 ..." with these parameters finds a row, else
 * ERR_NOT_FOUND. */
enum err sa_exists(struct store *s, const char *q, struct binds *par);
/* The first column of the first row as a number; *found whether any. */
enum err sa_one_u64(struct store *s, const char *q, struct binds *par,
    unsigned long long *v, int *found);
/* A statement without results. */
enum err sa_run(struct store *s, const char *q, struct binds *par);

/* --- changes --- */

/* What every change carries: the object a refusal names, and its time. */
struct txn {
	const char *what;
	MYSQL_TIME now;
};

/*
 * One transaction around body(s, t), with t->what "" and t->now the time
 * of the change; a deadlock runs it again.  *what is t->what after it.
 * Each change's struct starts with its struct txn, so body casts t back.
 */
enum err sa_txn(struct store *s, enum err (*body)(struct store *,
    struct txn *), struct txn *t, const char **what);

/* --- events --- */

#define EVENT_INSERT "INSERT INTO events (aggregate_type, aggregate_id," \
	" sequence, event_type, resource_owner, editor_user, creation_date," \
	" payload) VALUES (?, ?, ?, ?, ?, ?, ?, "

/* Payloads {"name": ?} and {}. */
extern const char sa_event_name[];
extern const char sa_event_empty[];

struct event {
	const char *agg_type, *agg_id, *type, *owner;
	unsigned long long seq;
	MYSQL_TIME when;
};

/* The columns every event has, as par's first parameters; the payload's
 * follow. */
void sa_event_binds(struct binds *par, struct event *ev);
/*
 * ev->seq: the next sequence of an aggregate without a sequence column of
 * its own (org, user, instance), its events locked until the transaction
 * ends.
 */
enum err sa_next_sequence(struct store *s, struct event *ev);

/*
 * An object whose name is unique among the live ones of its kind, within
 * its organization (org, user, project): its statements and first event.
 */
struct named_kind {
	const char *q_dup;		/* parameters: [org,] name */
	const char *q_add;		/* id, [org,] name[, now, now] */
	int dated;			/* q_add takes the dates */
	const char *q_event;		/* one payload parameter: the name */
	const char *aggregate, *event;	/* "org", "org.added" */
	/*
	 * The name is unique across organizations, as a client ID: q_dup
	 * takes no org, and a name taken is *what "client ID".
	 */
	int any_org;
};

/*
 * Adds one: its organization locked when org is not NULL (*what
 * "organization" when it is not there), the name checked (*what "name"),
 * the row inserted (any_org: the client ID's unique key meeting it is
 * *what "client ID" too), the event appended at sequence 1, owned by org
 * (an organization's by itself).
 */
enum err sa_add_named(struct store *s, struct txn *t,
    const struct named_kind *k, const char *id, const char *org,
    const char *name);
/* The same in a transaction of its own. */
enum err sa_add_named_txn(struct store *s, const struct named_kind *k,
    const char *id, const char *org, const char *name, const char **what);

/* store_admin_org.c, store_admin_user.c, store_admin_project.c */
extern const struct named_kind sa_org_kind;
extern const struct named_kind sa_user_kind;
extern const struct named_kind sa_project_kind;

/*
 * Deactivates one (org, user): q_lock (parameter: id; results: state,
 * owner) finds and locks it, *what kind when it is not there; inactive
 * already, *already and nothing else; else q_set (parameters: [now,]
 * [sequence,] id) and an event of type, no payload, at the aggregate's
 * next sequence.
 */
struct deactivation {
	const char *q_lock, *q_set;
	int dated;			/* q_set takes the time first */
	/* q_set takes the event's sequence: the row keeps its own (users) */
	int sequenced;
	const char *kind;		/* "organization": *what not found */
	const char *aggregate, *event;	/* "org", "org.deactivated" */
};

enum err sa_deactivate(struct store *s, const struct deactivation *d,
    const char *id, int *already, const char **what);

/* --- the aggregates' rows, locked until the transaction ends --- */

/* An organization's state; ERR_NOT_FOUND when unknown or removed. */
enum err sa_lock_org(struct store *s, const char *id, char *state,
    size_t statelen);
/* A project's sequence and owner; ERR_NOT_FOUND when unknown or removed. */
enum err sa_lock_project(struct store *s, const char *id,
    unsigned long long *seq, char *owner, size_t ownerlen);
enum err sa_set_project_sequence(struct store *s, const char *id,
    unsigned long long seq, MYSQL_TIME *when);

/* --- lists --- */

struct sa_list {
	const char *q;			/* the SELECT */
	unsigned columns;		/* up to LIST_COLUMNS_MAX */
	unsigned times;			/* bit i: column i is a DATETIME */
};

/* Runs l->q with par (NULL: none) and hands each row to each() as text. */
enum err sa_list(struct store *s, const struct sa_list *l,
    struct binds *par, list_row_fn *each, void *arg);
/* sa_list() of a query "... WHERE ? = '' OR column = ? ...": the rows
 * whose column is value, every row for NULL. */
enum err sa_list_by(struct store *s, const struct sa_list *l,
    const char *value, list_row_fn *each, void *arg);

/* --- memberships (store_admin_member.c) --- */

struct membership {
	const char *user, *scope, *scope_id, *role;
};

/*
 * Adds (add) or removes m inside the transaction t, with its event; *what
 * as store_member_add() has it.
 */
enum err sa_member_change(struct store *s, struct txn *t,
    const struct membership *m, int add);

#endif
