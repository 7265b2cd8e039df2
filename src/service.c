/*
 * service.c - what every call shares: the call's and the answer's
 * storage, the bearer token's authentication, and the health routes.
 * The calls themselves are in svc_app.c, svc_user.c and svc_oauth.c.
 */
#include "service.h"

#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "log.h"
#include "util.h"

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
	/* Before any sandbox: it reads the host's identity. */
	ids_init(&svc->ids);
}

int
call_init(struct call *c, const struct call_def *def, size_t len)
{
	memset(c, 0, sizeof(*c));
	c->def = def;
	c->arena.cap = JSONMSG_ARENA(len);
	c->arena.p = malloc(c->arena.cap);
	return c->arena.p != NULL ? 0 : -1;
}

void
call_free(struct call *c)
{
	/* It held what the request decoded: a secret, an assertion. */
	if (c->arena.p != NULL) {
		secret_wipe(c->arena.p, c->arena.cap);
		free(c->arena.p);
	}
	memset(c, 0, sizeof(*c));
}

int
answer_str(struct answer *o, unsigned slot, const char *s, size_t n)
{
	char *p;

	if (n >= sizeof(o->pool) - o->used)
		return -1;
	p = o->pool + o->used;
	memcpy(p, s, n);
	p[n] = '\0';
	o->used += n + 1;
	o->out[slot].set = 1;
	o->out[slot].s.p = p;
	o->out[slot].s.n = n;
	return 0;
}

int
answer_cstr(struct answer *o, unsigned slot, const char *s)
{
	return answer_str(o, slot, s, strlen(s));
}

void
answer_wipe(struct answer *o)
{
	/* Only answer_str() writes the pool, and only below used. */
	secret_wipe(o->pool, o->used);
	o->used = 0;
}

int
call_past_deadline(const struct call *c)
{
	return c->deadline_ns != 0 && util_mono_ns() >= c->deadline_ns;
}

enum err
service_new_secret(struct service *svc, char secret[SECRET_MAX + 1],
    char hash[HASH_MAX])
{
	if (secret_generate(secret, svc->cfg->secret_length) != 0 ||
	    secret_hash(&svc->hash, secret, svc->cfg->secret_length, hash,
	    HASH_MAX) != 0) {
		log_msg(LOG_ERROR, "secret: generating or hashing failed");
		return ERR_INTERNAL;
	}
	return ERR_OK;
}

enum err
service_authenticate(struct service *svc, const struct call *c,
    const char *audience, char digest[SHA256_HEX], struct token_row *t,
    struct answer *o)
{
	enum err e;

	if ((e = auth_digest(c->authorization, digest, &o->reason)) != ERR_OK)
		return e;
	if ((e = store_token(svc->store, digest, t)) != ERR_OK)
		return e;
	if (t->found)
		memcpy(o->user_id, t->user_id, sizeof(o->user_id));
	return auth_accept(digest, t, audience, &o->reason);
}

enum err
service_healthz(struct service *svc, const struct call *c,
    struct answer *o)
{
	(void)svc;
	(void)c;
	return answer_cstr(o, OUT_TEXT, "ok\n") == 0 ? ERR_OK :
	    ERR_INTERNAL;
}

enum err
service_ready(struct service *svc, const struct call *c, struct answer *o)
{
	if (store_ping(svc->store) != ERR_OK)
		return ERR_UNAVAILABLE;
	return service_healthz(svc, c, o);
}
