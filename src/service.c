/*
 * service.c - authenticate -> authorize -> look up -> generate + hash ->
 * commit, in the order SPEC section 4 gives; the first check that fails
 * answers.  Every check that can fail runs before the hash, so a bad
 * request costs no hashing, and the hash runs before the transaction, so no
 * row lock is held while hashing (SPEC section 5, steps 3 and 4).
 */
#include "service.h"

#include <string.h>

#include "auth.h"
#include "log.h"

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

void
outcome_wipe(struct outcome *out)
{
	secret_wipe(out->client_secret, sizeof(out->client_secret));
}

static enum err
from_store(enum store_rc rc)
{
	switch (rc) {
	case STORE_OK:
		return ERR_OK;
	case STORE_NONE:
		return ERR_APP_NOT_FOUND;
	case STORE_NOT_OIDC:
		return ERR_APP_NOT_OIDC;
	case STORE_UNAVAILABLE:
		return ERR_UNAVAILABLE;
	default:
		return ERR_INTERNAL;
	}
}

/* A checked ID as a C string (route_check_id has ruled out NUL). */
static void
id_copy(struct slice id, char *out)
{
	memcpy(out, id.p, id.n);
	out[id.n] = '\0';
}

enum err
service_regenerate(struct service *svc, const struct call *c,
    struct outcome *out)
{
	struct principal who;
	struct app_row app;
	struct change ch;
	struct change_result res;
	char org[ID_BYTES + 1], project[ID_BYTES + 1], appid[ID_BYTES + 1];
	char hash[HASH_MAX];
	enum err e;

	memset(out, 0, sizeof(*out));
	e = auth_authenticate(svc->store, svc->cfg, c->authorization, &who);
	if (e != ERR_OK)
		return e;
	memcpy(out->user_id, who.user_id, sizeof(out->user_id));
	e = auth_acting_org(svc->store, &who, c->org_header, org, sizeof(org));
	if (e != ERR_OK)
		return e;
	/* Both IDs are missing before either is malformed (SPEC section 4). */
	if (c->project_id.n == 0 || c->app_id.n == 0)
		return ERR_ID_MISSING;
	if ((e = route_check_id(c->project_id)) != ERR_OK ||
	    (e = route_check_id(c->app_id)) != ERR_OK)
		return e;
	id_copy(c->project_id, project);
	id_copy(c->app_id, appid);
	e = auth_authorize(svc->store, &who, org, project, PERMISSION_APP_WRITE);
	if (e != ERR_OK)
		return e;
	e = from_store(store_app(svc->store, project, appid, org, &app));
	if (e != ERR_OK)
		return e;
	if (!app.oidc)
		return ERR_APP_NOT_OIDC;

	if (secret_generate(out->client_secret, svc->cfg->secret_length) != 0 ||
	    secret_hash(&svc->hash, out->client_secret,
	    svc->cfg->secret_length, hash, sizeof(hash)) != 0) {
		log_msg(LOG_ERROR, "secret: generating or hashing failed");
		outcome_wipe(out);
		return ERR_INTERNAL;
	}
	ch.project_id = project;
	ch.app_id = appid;
	ch.org_id = org;
	ch.editor = who.user_id;
	ch.hash = hash;
	e = from_store(store_change_secret(svc->store, &ch, &res));
	secret_wipe(hash, sizeof(hash));
	if (e != ERR_OK) {
		outcome_wipe(out);
		return e;
	}
	if (log_enabled(LOG_DEBUG)) {
		char pid[64];

		log_sanitize(project, pid, sizeof(pid));
		/* No row lock while hashing: this is the whole time it is held. */
		log_msg(LOG_DEBUG, "commit project=%s sequence=%llu lock_ms=%.3f "
		    "attempts=%u", pid, (unsigned long long)res.sequence,
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
