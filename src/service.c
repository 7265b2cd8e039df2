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

/*
 * A checked ID as a C string into out, or "" with the error it gets when
 * it is empty or malformed: the lookup then finds no app for it, and the
 * error answers in its turn.
 */
static enum err
id_arg(struct slice id, enum err missing, char *out)
{
	enum err e = id.n == 0 ? missing : route_check_id(id);

	if (e != ERR_OK) {
		out[0] = '\0';
		return e;
	}
	id_copy(id, out);
	return ERR_OK;
}

/*
 * The checks, in their order, on what the lookup found.  *want becomes
 * the app kind the call may change.
 */
static enum err
check(const struct rule *r, const struct call *c, const struct lookup *l,
    enum err id_err, enum want *want)
{
	const char *org = r->org_header ? c->org_header : NULL;
	enum err e;

	/* An empty x-zitadel-orgid is no header, as in ZITADEL. */
	if (org != NULL && org[0] != '\0' && !l->org_active)
		return ERR_ORG_NOT_FOUND;
	*want = r->want;
	if (*want == WANT_MESSAGE) {
		if (c->msg_kind == MSG_KIND_NONE)
			return ERR_APP_TYPE_UNKNOWN;
		*want = c->msg_kind == MSG_KIND_API ? WANT_API : WANT_OIDC;
	}
	if (id_err != ERR_OK)
		return id_err;
	if (!l->permitted)
		return ERR_PERMISSION_DENIED;
	if (!l->app_found)
		return r->not_found;
	e = kind_check(*want, l->kind, r->not_found);
	if (e == ERR_OK && !l->has_config) {
		log_msg(LOG_ERROR, "database: an app without its configuration "
		    "row (oidc_configs or api_configs)");
		return ERR_INTERNAL;
	}
	return e;
}

enum err
service_regenerate(struct service *svc, const struct call *c,
    struct outcome *out)
{
	const struct rule *r;
	struct lookup_key key;
	struct lookup l;
	struct change ch;
	struct change_result res;
	char project[ID_BYTES + 1], appid[ID_BYTES + 1];
	char digest[SHA256_HEX], hash[HASH_MAX];
	enum want want;
	enum err e, id_err;

	memset(out, 0, sizeof(*out));
	if ((unsigned)c->rpc >= RPC__COUNT)
		return ERR_INTERNAL;
	r = &rules[c->rpc];
	if ((e = auth_digest(c->authorization, digest)) != ERR_OK)
		return e;
	/* Both IDs are missing before either is malformed. */
	id_err = c->project_id.n == 0 || c->app_id.n == 0 ? r->id_missing :
	    ERR_OK;
	if (id_err == ERR_OK && (id_err = id_arg(c->project_id,
	    r->id_missing, project)) == ERR_OK)
		id_err = id_arg(c->app_id, r->id_missing, appid);
	if (id_err != ERR_OK)
		project[0] = appid[0] = '\0';
	key.digest = digest;
	key.v1 = r->org_header;
	key.org = r->org_header && c->org_header != NULL &&
	    c->org_header[0] != '\0' ? c->org_header : NULL;
	key.project_id = project;
	key.app_id = appid;
	key.permission = PERMISSION_APP_WRITE;
	/* One statement answers every check below. */
	if ((e = store_lookup(svc->store, &key, &l)) != ERR_OK)
		return e;
	if ((e = auth_accept(svc->cfg, digest, &l)) != ERR_OK)
		return e;
	memcpy(out->user_id, l.user_id, sizeof(out->user_id));
	if ((e = check(r, c, &l, id_err, &want)) != ERR_OK)
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
	ch.org_id = l.resource_owner;
	ch.kind = l.kind;
	ch.editor = l.user_id;
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
	out->creation_date = l.created;
	out->change_date = res.change_date;
	memcpy(out->resource_owner, l.resource_owner,
	    sizeof(out->resource_owner));
	return ERR_OK;
}
