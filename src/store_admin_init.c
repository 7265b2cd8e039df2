/*
 * store_admin_init.c - the admin tool's SQL for init: an empty database's first
 * organization, its user and roles, the API project and a first token, in
 * one transaction (store_admin.h).
 */
#include "store_admin_internal.h"

struct init_change {
	struct txn t;
	const struct init_new *n;
	unsigned long long orgs;
};

static enum err
init_body(struct store *s, struct txn *t)
{
	/* Locks the empty table: a second init waits, then finds ours. */
	static const char q_orgs[] = "SELECT COUNT(*) FROM orgs FOR UPDATE";
	struct init_change *c = (struct init_change *)t;
	const struct init_new *n = c->n;
	struct membership iam = { n->user_id, "instance", "", "IAM_OWNER" };
	struct membership owner = { n->user_id, "org", n->org_id, "ORG_OWNER" };
	enum err e;

	if ((e = sa_one_u64(s, q_orgs, NULL, &c->orgs, NULL)) != ERR_OK)
		return e;
	if (c->orgs > 0) {
		t->what = "organization";
		return ERR_EXISTS;
	}
	if ((e = sa_add_named(s, t, &sa_org_kind, n->org_id, NULL,
	    n->org_name)) != ERR_OK ||
	    (e = sa_add_named(s, t, &sa_user_kind, n->user_id, n->org_id,
	    n->username)) != ERR_OK ||
	    (e = sa_member_change(s, t, &iam, 1)) != ERR_OK ||
	    (e = sa_member_change(s, t, &owner, 1)) != ERR_OK ||
	    (e = sa_add_named(s, t, &sa_project_kind, n->project_id,
	    n->org_id, n->project_name)) != ERR_OK)
		return e;
	return store_token_add(s, n->token_sha256, n->user_id, n->token_pat,
	    n->project_id, n->token_scopes, n->token_expires);
}

enum err
store_init(struct store *s, const struct init_new *n,
    unsigned long long *orgs, const char **what)
{
	struct init_change c = { .n = n };
	enum err e = sa_txn(s, init_body, &c.t, what);

	*orgs = c.orgs;
	return e;
}
