/*
 * service.c - authenticate -> authorize -> look up -> generate + hash ->
 * commit; the first check that fails answers, in the order doc/api.md
 * gives.  Every check that can fail runs before the hash, so a bad request
 * costs no hashing, and the hash runs before the transaction, so no row
 * lock is held while hashing.
 */
#include "service.h"

#include <string.h>

#include "auth.h"
#include "log.h"
#include "util.h"

/* Which app a call may change, whose organisation, and its error IDs. */
enum want { WANT_OIDC, WANT_API, WANT_ANY, WANT_MESSAGE };

static const struct rule {
	enum want want;
	int org_header;		/* acts in x-zitadel-orgid or the user's org */
	enum err id_missing;
	enum err not_found;
} rules[RPC__COUNT] = {
	[RPC_V1_OIDC] = { WANT_OIDC, 1, ERR_ID_MISSING, ERR_APP_NOT_FOUND },
	[RPC_V1_API] = { WANT_API, 1, ERR_ID_MISSING, ERR_APP_NOT_FOUND },
	/* The v2 calls act in the project's own organisation. */
	[RPC_V2] = { WANT_ANY, 0, ERR_ID_MISSING_V2, ERR_APP_NOT_FOUND_V2 },
	[RPC_V2BETA] = { WANT_MESSAGE, 0, ERR_ID_MISSING, ERR_APP_NOT_FOUND },
};

void
service_init(struct service *svc, const struct config *cfg,
    struct store *store)
{
	svc->cfg = cfg;
	svc->store = store;
	svc->hash.alg = cfg->hash_algorithm;
	svc->hash.m_kib = cfg->argon2_memory_kib;
	svc->hash.t = cfg->argon2_iterations;
	svc->hash.p = cfg->argon2_parallelism;
	svc->hash.cost = cfg->bcrypt_cost;
}

int
call_set_ids(struct call *c, const void *project, size_t pn, const void *app,
    size_t an)
{
	if (pn > ID_BYTES || an > ID_BYTES)
		return -1;
	if (pn > 0)
		memcpy(c->ids, project, pn);
	if (an > 0)
		memcpy(c->ids + ID_BYTES, app, an);
	c->project_id.p = c->ids;
	c->project_id.n = pn;
	c->app_id.p = c->ids + ID_BYTES;
	c->app_id.n = an;
	return 0;
}

void
outcome_wipe(struct outcome *out)
{
	secret_wipe(out->client_secret, sizeof(out->client_secret));
}

/* A checked ID as a C string (route_check_id has ruled out NUL). */
static void
id_copy(struct slice id, char *out)
{
	memcpy(out, id.p, id.n);
	out[id.n] = '\0';
}

/* The app's kind against what the call may change. */
static enum err
kind_check(enum want want, enum app_kind kind, enum err not_found)
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

static int
past(int64_t deadline_ns)
{
	return deadline_ns != 0 && util_mono_ns() >= deadline_ns;
}

enum err
service_regenerate(struct service *svc, const struct call *c,
    struct outcome *out)
{
	const struct rule *r;
	struct principal who;
	struct app_row app;
	struct change ch;
	struct change_result res;
	char org[ID_BYTES + 1], project[ID_BYTES + 1], appid[ID_BYTES + 1];
	char hash[HASH_MAX];
	enum want want;
	enum err e;

	memset(out, 0, sizeof(*out));
	if ((unsigned)c->rpc >= RPC__COUNT)
		return ERR_INTERNAL;
	r = &rules[c->rpc];
	e = auth_authenticate(svc->store, svc->cfg, c->authorization, &who);
	if (e != ERR_OK)
		return e;
	memcpy(out->user_id, who.user_id, sizeof(out->user_id));
	if (r->org_header) {
		e = auth_acting_org(svc->store, &who, c->org_header, org,
		    sizeof(org));
		if (e != ERR_OK)
			return e;
	}
	want = r->want;
	if (want == WANT_MESSAGE) {
		if (c->msg_kind == MSG_KIND_NONE)
			return ERR_APP_TYPE_UNKNOWN;
		want = c->msg_kind == MSG_KIND_API ? WANT_API : WANT_OIDC;
	}
	/* Both IDs are missing before either is malformed. */
	if (c->project_id.n == 0 || c->app_id.n == 0)
		return r->id_missing;
	if ((e = route_check_id(c->project_id)) != ERR_OK ||
	    (e = route_check_id(c->app_id)) != ERR_OK)
		return e;
	id_copy(c->project_id, project);
	id_copy(c->app_id, appid);
	e = auth_authorize(svc->store, &who, r->org_header ? org : NULL,
	    project, PERMISSION_APP_WRITE);
	if (e != ERR_OK)
		return e;
	e = store_app(svc->store, project, appid, r->org_header ? org : NULL,
	    &app);
	if (e == ERR_APP_NOT_FOUND)
		e = r->not_found;
	if (e == ERR_OK)
		e = kind_check(want, app.kind, r->not_found);
	if (e != ERR_OK)
		return e;
	if (past(c->deadline_ns))
		return ERR_DEADLINE;

	if (secret_generate(out->client_secret, svc->cfg->secret_length) != 0 ||
	    secret_hash(&svc->hash, out->client_secret,
	    svc->cfg->secret_length, hash, sizeof(hash)) != 0) {
		log_msg(LOG_ERROR, "secret: generating or hashing failed");
		outcome_wipe(out);
		return ERR_INTERNAL;
	}
	/* The hash may take long: nothing is written after the deadline. */
	if (past(c->deadline_ns)) {
		outcome_wipe(out);
		secret_wipe(hash, sizeof(hash));
		return ERR_DEADLINE;
	}
	ch.project_id = project;
	ch.app_id = appid;
	ch.org_id = r->org_header ? org : NULL;
	ch.kind = app.kind;
	ch.editor = who.user_id;
	ch.hash = hash;
	e = store_change_secret(svc->store, &ch, &res);
	secret_wipe(hash, sizeof(hash));
	if (e == ERR_APP_NOT_FOUND)
		e = r->not_found;
	if (e != ERR_OK) {
		outcome_wipe(out);
		return e;
	}
	if (log_enabled(LOG_DEBUG)) {
		char pid[64];

		log_sanitize(project, pid, sizeof(pid));
		/* No row lock while hashing: this is all the time held. */
		log_msg(LOG_DEBUG, "commit project=%s sequence=%llu "
		    "lock_ms=%.3f attempts=%u", pid,
		    (unsigned long long)res.sequence,
		    (double)res.lock_ns / 1e6, res.attempts);
	}
	out->sequence = res.sequence;
	out->creation_date = res.app.created;
	out->change_date = res.change_date;
	out->lock_ns = res.lock_ns;
	memcpy(out->resource_owner, res.app.resource_owner,
	    sizeof(out->resource_owner));
	return ERR_OK;
}
