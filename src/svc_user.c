/*
 * svc_user.c - machine users' secrets and keys: ZITADEL's
 * UserService.AddSecret, RemoveSecret, AddKey, RemoveKey and management
 * v1's GenerateMachineSecret, RemoveMachineSecret, AddMachineKey,
 * RemoveMachineKey (doc/api.md).
 *
 * The checks run as the app secret calls' do: the token, the acting
 * organisation (v1), the IDs, the permission (user.write at instance scope
 * or at the user's organisation), the user (an active machine user), what
 * the call needs of it; then what can be made without a lock (a secret and
 * its hash, a key pair), then one transaction.
 */
#include "service.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "jsonmsg.h"
#include "keyfile.h"
#include "log.h"
#include "route.h"
#include "rsakey.h"
#include "util.h"

#define PERMISSION_USER_WRITE "user.write"

/* What a call needs of the user besides its being there. */
enum need { NEED_NOTHING, NEED_SECRET, NEED_KEY };

struct user_call {
	char digest[SHA256_HEX];
	char user[ID_BYTES + 1];
	char key[ID_BYTES + 1];
	struct user_lookup l;
};

static enum err
id_arg(const struct value *v, enum err missing, char *out)
{
	enum err e;

	out[0] = '\0';
	if (!v->set || v->s.n == 0)
		return missing;
	if ((e = route_check_id(v->s)) != ERR_OK)
		return e;
	memcpy(out, v->s.p, v->s.n);
	out[v->s.n] = '\0';
	return ERR_OK;
}

static enum err
allowed(struct service *svc, const struct call *c, enum need need,
    struct user_call *u, struct answer *o)
{
	const struct user_rule *r = c->def->rule;
	struct token_row t;
	struct user_key k;
	enum err e, id_err;

	e = service_authenticate(svc, c, svc->cfg->api_project_id, u->digest,
	    &t, o);
	if (e != ERR_OK)
		return e;
	id_err = id_arg(&c->arg[ARG_USER_ID], r->id_missing, u->user);
	u->key[0] = '\0';
	if (id_err == ERR_OK && need == NEED_KEY)
		id_err = id_arg(&c->arg[ARG_KEY_ID], ERR_KEY_ID_MISSING,
		    u->key);
	k.caller = t.user_id;
	k.caller_org = t.user_org;
	k.v1 = r->v1;
	k.org = r->v1 && c->org_header != NULL && c->org_header[0] != '\0' ?
	    c->org_header : NULL;
	k.user_id = u->user;
	k.key_id = need == NEED_KEY ? u->key : NULL;
	k.permission = PERMISSION_USER_WRITE;
	if ((e = store_user_lookup(svc->store, &k, &u->l)) != ERR_OK)
		return e;
	if (k.org != NULL && !u->l.org_active)
		return ERR_ORG_NOT_FOUND;
	if (id_err != ERR_OK)
		return id_err;
	/*
	 * v2 asks for the permission at the user's own organisation: a user
	 * that is not there has none to ask at (ZITADEL's order).
	 */
	if (!r->v1 && !u->l.found)
		return r->not_found;
	if (!u->l.permitted) {
		o->reason = "no role with " PERMISSION_USER_WRITE;
		return ERR_PERMISSION_DENIED;
	}
	if (!u->l.found)
		return r->not_found;
	if (!u->l.owner_active)
		return ERR_ORG_NOT_FOUND;
	if (need == NEED_SECRET && !u->l.has_secret)
		return ERR_SECRET_NOT_FOUND;
	if (need == NEED_KEY && !u->l.key_found)
		return ERR_KEY_NOT_FOUND;
	return ERR_OK;
}

/*
 * The change, run again after a fresh look when one of its checks stopped
 * holding since the lookup; fills the answer's common part.
 */
static enum err
change(struct service *svc, const struct call *c, enum need need,
    struct user_call *u, struct machine_change *ch, struct answer *o)
{
	struct change_result res;
	enum err e = ERR_OK;
	int again;

	ch->user_id = u->user;
	ch->editor = o->user_id;
	ch->digest = u->digest;
	ch->permission = PERMISSION_USER_WRITE;
	ch->grace_s = svc->cfg->secret_grace_period_s;
	ch->deadline_ns = c->deadline_ns;
	for (again = 0; again < 2; again++) {
		ch->owner = u->l.owner;
		e = store_user_change(svc->store, ch, &res);
		if (e != ERR_OK || !res.stale)
			break;
		e = allowed(svc, c, need, u, o);
		if (e == ERR_OK && again == 1)
			e = c->def->rule != NULL ? ((const struct user_rule *)
			    c->def->rule)->not_found : ERR_INTERNAL;
		if (e != ERR_OK)
			return e;
	}
	if (e != ERR_OK)
		return e;
	o->committed = 1;
	o->object_kind = "user";
	memcpy(o->object, u->user, sizeof(o->object));
	o->sequence = res.sequence;
	value_int(&o->out[OUT_SEQUENCE], (int64_t)res.sequence);
	value_time(&o->out[OUT_CHANGED], res.change_date);
	return answer_cstr(o, OUT_OWNER, u->l.owner) == 0 ? ERR_OK :
	    ERR_INTERNAL;
}

enum err
service_machine_secret(struct service *svc, const struct call *c,
    struct answer *o)
{
	struct user_call u;
	struct machine_change ch;
	char secret[SECRET_MAX + 1], hash[HASH_MAX];
	enum err e;

	if ((e = allowed(svc, c, NEED_NOTHING, &u, o)) != ERR_OK)
		return e;
	if (call_past_deadline(c))
		return ERR_DEADLINE;
	memset(&ch, 0, sizeof(ch));
	if ((e = service_new_secret(svc, secret, hash)) != ERR_OK)
		goto out;
	ch.kind = USER_SECRET_SET;
	ch.hash = hash;
	if ((e = change(svc, c, NEED_NOTHING, &u, &ch, o)) != ERR_OK)
		goto out;
	if (answer_cstr(o, OUT_SECRET, secret) != 0 ||
	    answer_cstr(o, OUT_CLIENT_ID, u.l.username) != 0)
		e = ERR_INTERNAL;
out:
	secret_wipe(secret, sizeof(secret));
	secret_wipe(hash, sizeof(hash));
	return e;
}

/* A removal: the secret (NEED_SECRET) or the key the call names. */
static enum err
remove_one(struct service *svc, const struct call *c, enum need need,
    struct answer *o)
{
	struct user_call u;
	struct machine_change ch;
	enum err e;

	if ((e = allowed(svc, c, need, &u, o)) != ERR_OK)
		return e;
	memset(&ch, 0, sizeof(ch));
	ch.kind = need == NEED_KEY ? USER_KEY_REMOVE : USER_SECRET_REMOVE;
	if (need == NEED_KEY)
		ch.key_id = u.key;
	return change(svc, c, need, &u, &ch, o);
}

enum err
service_machine_secret_remove(struct service *svc, const struct call *c,
    struct answer *o)
{
	return remove_one(svc, c, NEED_SECRET, o);
}

/* ZITADEL's key file, into the pool, which is wiped with the answer. */
static int
key_file(struct answer *o, const char *key_id, const char *user_id,
    const char *priv, size_t priv_len)
{
	struct buf b = { 0 };
	int rc = -1;

	keyfile_write(&b, key_id, user_id, priv, priv_len);
	if (!b.failed && b.p != NULL)
		rc = answer_str(o, OUT_KEY_CONTENT, b.p, b.n);
	buf_free(&b);
	return rc;
}

/* The request's key, or a new pair; the public half as stored. */
static enum err
public_key(const struct call *c, char **pem, char **priv, size_t *priv_len,
    struct answer *o)
{
	const struct value *v = &c->arg[ARG_PUBLIC_KEY];
	struct rsakey *k = NULL;
	enum rsakey_err re;
	size_t n;
	int rc;

	*priv = NULL;
	if (v->set && v->s.n > 0) {
		re = rsakey_read_public(v->s.p, v->s.n, &k);
		if (re != RSAKEY_OK) {
			o->reason = rsakey_why(re)->reason;
			return re == RSAKEY_ERROR ? ERR_INTERNAL :
			    ERR_KEY_INVALID;
		}
	} else if (rsakey_generate(&k, priv, priv_len) != 0) {
		log_msg(LOG_ERROR, "key: generating a pair failed");
		return ERR_INTERNAL;
	}
	rc = rsakey_public_pem(k, pem, &n);
	rsakey_free(k);
	return rc == 0 ? ERR_OK : ERR_INTERNAL;
}

enum err
service_machine_key_add(struct service *svc, const struct call *c,
    struct answer *o)
{
	const struct value *type = &c->arg[ARG_KEY_TYPE];
	const struct value *exp = &c->arg[ARG_EXPIRATION];
	struct user_call u;
	struct machine_change ch;
	char key_id[IDS_DECIMAL_MAX], *pem = NULL, *priv = NULL;
	size_t priv_len = 0;
	enum err e;

	if ((e = allowed(svc, c, NEED_NOTHING, &u, o)) != ERR_OK)
		return e;
	/* KEY_TYPE_UNSPECIFIED (0) takes the only kind there is. */
	if (type->set && type->i != 0 && type->i != 1)
		return ERR_KEY_TYPE_INVALID;
	memset(&ch, 0, sizeof(ch));
	ch.expires.sec = KEY_EXPIRES_DEFAULT;
	if (exp->set && (exp->t.sec != 0 || exp->t.nsec != 0)) {
		if (exp->t.sec <= ts_now().sec)
			return ERR_KEY_EXPIRED;
		ch.expires = exp->t;
		ch.expires.nsec -= ch.expires.nsec % 1000;
	}
	if ((e = public_key(c, &pem, &priv, &priv_len, o)) != ERR_OK)
		return e;
	if (ids_next(&svc->ids, key_id, sizeof(key_id)) != 0) {
		e = ERR_INTERNAL;
		goto out;
	}
	if (call_past_deadline(c)) {
		e = ERR_DEADLINE;
		goto out;
	}
	ch.kind = USER_KEY_ADD;
	ch.key_id = key_id;
	ch.public_key = pem;
	if ((e = change(svc, c, NEED_NOTHING, &u, &ch, o)) != ERR_OK)
		goto out;
	if (answer_cstr(o, OUT_KEY_ID, key_id) != 0 || (priv != NULL &&
	    key_file(o, key_id, u.user, priv, priv_len) != 0))
		e = ERR_INTERNAL;
out:
	rsakey_private_free(priv, priv_len);
	free(pem);
	return e;
}

enum err
service_machine_key_remove(struct service *svc, const struct call *c,
    struct answer *o)
{
	return remove_one(svc, c, NEED_KEY, o);
}
