/*
 * svc_app.c - a new client secret for an app: authenticate -> authorize
 * -> look up -> generate + hash -> commit; the first check that fails
 * answers, in the order doc/api.md gives.  Every check that can fail runs
 * before the hash, so a bad request costs no hashing, and the hash runs
 * before the transaction, so no row lock is held while hashing.
 */
#include "service.h"

#include <string.h>

#include "log.h"
#include "route.h"

#define PERMISSION_APP_WRITE "project.app.write"

/* The app's kind against what the call may change. */
static enum err
kind_check(enum app_want want, enum app_kind kind, enum err not_found)
{
	switch (want) {
	case WANT_OIDC:
		return kind == APP_OIDC ? ERR_OK : ERR_APP_NOT_OIDC;
	case WANT_API:
		return kind == APP_API ? ERR_OK : ERR_APP_NOT_API;
	default:
		/* Only OIDC and API apps have a secret, as in ZITADEL. */
		return kind == APP_SAML ? not_found : ERR_OK;
	}
}

/* A checked ID as a C string (route_check_id has ruled out NUL). */
static void
id_copy(struct slice id, char *out)
{
	memcpy(out, id.p, id.n);
	out[id.n] = '\0';
}

/*
 * The IDs, or the error they get: both missing before either malformed.
 * On an error both are "", so the lookup finds no app for them, and the
 * error answers in its turn.
 */
static enum err
ids(const struct app_rule *r, const struct call *c, char *project,
    char *app)
{
	struct slice p = c->arg[ARG_PROJECT_ID].s, a = c->arg[ARG_APP_ID].s;
	enum err e;

	project[0] = app[0] = '\0';
	if (!c->arg[ARG_PROJECT_ID].set || !c->arg[ARG_APP_ID].set ||
	    p.n == 0 || a.n == 0)
		return r->id_missing;
	if ((e = route_check_id(p)) != ERR_OK ||
	    (e = route_check_id(a)) != ERR_OK)
		return e;
	id_copy(p, project);
	id_copy(a, app);
	return ERR_OK;
}

/* The checks, in their order, on what the lookup found. */
static enum err
check(const struct app_rule *r, const struct call *c,
    const struct app_lookup *l, enum err id_err, enum app_want *want)
{
	enum err e;

	/* An empty x-zitadel-orgid is no header, as in ZITADEL. */
	if (r->v1 && c->org_header != NULL && c->org_header[0] != '\0' &&
	    !l->org_active)
		return ERR_ORG_NOT_FOUND;
	*want = r->want;
	if (*want == WANT_MESSAGE) {
		if (!c->arg[ARG_IS_OIDC].set && !c->arg[ARG_IS_API].set)
			return ERR_APP_TYPE_UNKNOWN;
		*want = c->arg[ARG_IS_API].set ? WANT_API : WANT_OIDC;
	}
	if (id_err != ERR_OK)
		return id_err;
	if (!l->permitted)
		return ERR_PERMISSION_DENIED;
	if (!l->app_found)
		return r->not_found;
	/* The v2 calls act in the project's organisation: it must be up. */
	if (!l->owner_active)
		return ERR_ORG_NOT_FOUND;
	e = kind_check(*want, l->kind, r->not_found);
	if (e == ERR_OK && !l->has_config) {
		log_msg(LOG_ERROR, "database: an app without its configuration "
		    "row (oidc_configs or api_configs)");
		return ERR_INTERNAL;
	}
	return e;
}

/* Token, IDs, lookup and checks: what a change is allowed on. */
static enum err
allowed(struct service *svc, const struct app_rule *r, const struct call *c,
    struct app_lookup *l, char *digest, char *project, char *app,
    struct answer *o)
{
	struct token_row t;
	struct app_key key;
	enum app_want want;
	enum err e, id_err;

	e = service_authenticate(svc, c, svc->cfg->api_project_id, digest, &t,
	    o);
	if (e != ERR_OK)
		return e;
	id_err = ids(r, c, project, app);
	key.user_id = t.user_id;
	key.user_org = t.user_org;
	key.v1 = r->v1;
	key.org = r->v1 && c->org_header != NULL &&
	    c->org_header[0] != '\0' ? c->org_header : NULL;
	key.project_id = project;
	key.app_id = app;
	key.permission = PERMISSION_APP_WRITE;
	if ((e = store_app_lookup(svc->store, &key, l)) != ERR_OK)
		return e;
	e = check(r, c, l, id_err, &want);
	if (e == ERR_PERMISSION_DENIED)
		o->reason = "no role with " PERMISSION_APP_WRITE;
	return e;
}

enum err
service_regenerate(struct service *svc, const struct call *c,
    struct answer *o)
{
	const struct app_rule *r = c->def->rule;
	struct app_lookup l;
	struct app_secret_change ch;
	struct change_result res;
	char project[ID_BYTES + 1], appid[ID_BYTES + 1];
	char digest[SHA256_HEX], hash[HASH_MAX];
	char secret[SECRET_MAX + 1];
	enum err e;
	int again;

	e = allowed(svc, r, c, &l, digest, project, appid, o);
	if (e != ERR_OK)
		return e;
	if (call_past_deadline(c))
		return ERR_DEADLINE;
	if ((e = service_new_secret(svc, secret, hash)) != ERR_OK)
		goto out;
	ch.project_id = project;
	ch.app_id = appid;
	ch.kind = l.kind;
	ch.org_id = l.resource_owner;
	ch.editor = o->user_id;
	ch.digest = digest;
	ch.permission = PERMISSION_APP_WRITE;
	ch.hash = hash;
	ch.grace_s = svc->cfg->secret_grace_period_s;
	ch.deadline_ns = c->deadline_ns;
	for (again = 0; again < 2; again++) {
		e = store_app_secret(svc->store, &ch, &res);
		if (e != ERR_OK || !res.stale)
			break;
		/*
		 * Something changed since the lookup (the token revoked, a
		 * role removed, the app gone): the checks answer as now.
		 */
		e = allowed(svc, r, c, &l, digest, project, appid, o);
		if (e == ERR_OK && again == 1)
			e = r->not_found;
		if (e != ERR_OK)
			break;
	}
	if (e != ERR_OK)
		goto out;
	if (log_enabled(LOG_DEBUG)) {
		char pid[64];

		log_sanitize(project, pid, sizeof(pid));
		/* No row lock while hashing: this is all the time held. */
		log_msg(LOG_DEBUG, "commit project=%s sequence=%llu "
		    "lock_ms=%.3f attempts=%u", pid,
		    (unsigned long long)res.sequence,
		    (double)res.lock_ns / 1e6, res.attempts);
	}
	o->committed = 1;
	o->object_kind = "app";
	memcpy(o->object, appid, sizeof(o->object));
	o->sequence = res.sequence;
	if (answer_cstr(o, OUT_SECRET, secret) != 0 ||
	    answer_cstr(o, OUT_OWNER, l.resource_owner) != 0) {
		e = ERR_INTERNAL;
		goto out;
	}
	value_int(&o->out[OUT_SEQUENCE], (int64_t)res.sequence);
	value_time(&o->out[OUT_CREATED], l.created);
	value_time(&o->out[OUT_CHANGED], res.change_date);
out:
	secret_wipe(secret, sizeof(secret));
	secret_wipe(hash, sizeof(hash));
	return e;
}
