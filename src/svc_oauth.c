/*
 * svc_oauth.c - OAuth 2.0 and OpenID Connect for ZITADEL's SDKs and for
 * resource servers (doc/oauth.md): discovery (RFC 8414, OpenID Connect
 * Discovery), the token endpoint with client credentials (RFC 6749 4.4)
 * and JWT bearer assertions (RFC 7523), introspection (RFC 7662), userinfo
 * (OpenID Connect Core 5.3), and an authorization endpoint that says there
 * is no interactive login here.
 *
 * Every refusal of a client is the same invalid_client, unknown client or
 * wrong secret alike; why goes to the log.  Nothing is written but the
 * token a successful request gets.
 */
#include "service.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "clientauth.h"
#include "jwt.h"
#include "log.h"
#include "route.h"
#include "rsakey.h"
#include "util.h"

#define GRANT_CLIENT_CREDENTIALS "client_credentials"
#define GRANT_JWT_BEARER "urn:ietf:params:oauth:grant-type:jwt-bearer"
#define SCOPE_ZITADEL_AUD "urn:zitadel:iam:org:project:id:zitadel:aud"
#define SCOPE_PROJECT_PREFIX "urn:zitadel:iam:org:project:id:"
#define SCOPE_AUD_SUFFIX ":aud"
#define TOKEN_CHARS 43		/* of 62 symbols: 256 bits */

static int
is(const struct value *v, const char *lit)
{
	return v->set && v->s.n == strlen(lit) &&
	    memcmp(v->s.p, lit, v->s.n) == 0;
}

/* A value as a C string, when it fits and holds no NUL. */
static int
cstr(const struct value *v, char *out, size_t cap)
{
	if (!v->set || v->s.n >= cap || memchr(v->s.p, '\0', v->s.n) != NULL)
		return -1;
	memcpy(out, v->s.p, v->s.n);
	out[v->s.n] = '\0';
	return 0;
}

/* The issuer without a trailing '/', and an endpoint under it. */
static int
endpoint(const struct call *c, struct answer *o, unsigned slot,
    const char *path)
{
	char url[sizeof(c->issuer) + 64];
	size_t n = strlen(c->issuer);

	while (n > 0 && c->issuer[n - 1] == '/')
		n--;
	snprintf(url, sizeof(url), "%.*s%s", (int)n, c->issuer, path);
	return answer_cstr(o, slot, url);
}

enum err
service_discovery(struct service *svc, const struct call *c,
    struct answer *o)
{
	(void)svc;
	if (endpoint(c, o, OUT_ISSUER, "") != 0 ||
	    endpoint(c, o, OUT_AUTHORIZATION_ENDPOINT,
	    "/oauth/v2/authorize") != 0 ||
	    endpoint(c, o, OUT_TOKEN_ENDPOINT, "/oauth/v2/token") != 0 ||
	    endpoint(c, o, OUT_INTROSPECTION_ENDPOINT,
	    "/oauth/v2/introspect") != 0 ||
	    endpoint(c, o, OUT_USERINFO_ENDPOINT, "/oidc/v1/userinfo") != 0)
		return ERR_INTERNAL;
	value_str(&o->out[OUT_GRANT_TYPES], GRANT_CLIENT_CREDENTIALS " "
	    GRANT_JWT_BEARER);
	value_str(&o->out[OUT_AUTH_METHODS],
	    "client_secret_basic client_secret_post");
	value_str(&o->out[OUT_SCOPES_SUPPORTED], "openid " SCOPE_ZITADEL_AUD);
	/* No interactive login: no response type is supported. */
	value_str(&o->out[OUT_RESPONSE_TYPES], "");
	return ERR_OK;
}

enum err
service_authorize(struct service *svc, const struct call *c,
    struct answer *o)
{
	(void)svc;
	(void)c;
	(void)o;
	return ERR_OAUTH_RESPONSE_TYPE;
}

enum err
service_userinfo(struct service *svc, const struct call *c,
    struct answer *o)
{
	struct token_row t;
	char digest[SHA256_HEX];
	enum err e;

	/* Any good token of this server: no audience is asked for. */
	if ((e = service_authenticate(svc, c, NULL, digest, &t, o)) != ERR_OK)
		return e;
	if (answer_cstr(o, OUT_SUBJECT, t.user_id) != 0 ||
	    answer_cstr(o, OUT_USERNAME, t.username) != 0 ||
	    answer_cstr(o, OUT_NAME, t.username) != 0)
		return ERR_INTERNAL;
	return ERR_OK;
}

/*
 * A client's ID and secret against what the store holds for it: 1 when
 * they authenticate it, 0 when they do not (o->reason says why).
 */
static int
client_ok(struct service *svc, const struct call *c,
    const struct client_row *row, const char *key, struct answer *o)
{
	if (!clientauth_check(key, c->arg[ARG_CLIENT_SECRET].s, row,
	    &svc->hash)) {
		o->reason = !row->found ? "unknown client" :
		    row->hash[0] == '\0' ? "client has no secret" :
		    "wrong client secret";
		return 0;
	}
	if (!row->active) {
		o->reason = "client, its project or organisation inactive";
		return 0;
	}
	return 1;
}

/* The pair's key, and whether it was refused a moment ago. */
static enum err
client_pair(const struct call *c, const char *kind, char *client_id,
    size_t cap, char key[SHA256_HEX], struct answer *o)
{
	if (!c->arg[ARG_CLIENT_ID].set || !c->arg[ARG_CLIENT_SECRET].set) {
		o->reason = "no client authentication";
		return ERR_OAUTH_CLIENT;
	}
	if (cstr(&c->arg[ARG_CLIENT_ID], client_id, cap) != 0) {
		o->reason = "malformed client_id";
		return ERR_OAUTH_CLIENT;
	}
	clientauth_key(kind, c->arg[ARG_CLIENT_ID].s,
	    c->arg[ARG_CLIENT_SECRET].s, key);
	if (clientauth_refused(key)) {
		o->reason = "client refused within the last second";
		return ERR_OAUTH_CLIENT;
	}
	return ERR_OK;
}

/* A machine user by client credentials (RFC 6749 4.4). */
static enum err
by_secret(struct service *svc, const struct call *c, char *user_id,
    struct answer *o)
{
	struct client_row row;
	char client_id[USERNAME_BYTES + 1], key[SHA256_HEX];
	enum err e;

	if ((e = client_pair(c, "machine", client_id, sizeof(client_id), key,
	    o)) != ERR_OK)
		return e;
	if ((e = store_machine_client(svc->store, client_id, &row)) != ERR_OK)
		return e;
	if (!client_ok(svc, c, &row, key, o))
		return ERR_OAUTH_CLIENT;
	memcpy(user_id, row.id, sizeof(row.id));
	return ERR_OK;
}

/* A machine user by a JWT it signed with one of its keys (RFC 7523). */
static enum err
by_assertion(struct service *svc, const struct call *c, char *user_id,
    struct answer *o)
{
	const struct value *a = &c->arg[ARG_ASSERTION];
	struct jwt *t = NULL;
	struct jwt_expect x;
	struct key_row key;
	struct rsakey *k = NULL;
	enum jwt_err je;
	enum err e = ERR_OAUTH_GRANT;

	if (!a->set) {
		o->reason = "no assertion";
		return ERR_OAUTH_MISSING;
	}
	t = malloc(sizeof(*t));
	if (t == NULL)
		return ERR_INTERNAL;
	if ((je = jwt_parse(a->s.p, a->s.n, t)) != JWT_OK)
		goto refused;
	if ((e = store_machine_key(svc->store, t->sub, t->kid, &key)) !=
	    ERR_OK)
		goto out;
	e = ERR_OAUTH_GRANT;
	if (!key.found) {
		o->reason = "assertion: no unexpired key of an active machine "
		    "user by that kid and sub";
		goto out;
	}
	if (rsakey_read_public(key.pem, strlen(key.pem), &k) != RSAKEY_OK) {
		log_msg(LOG_ERROR, "database: a stored machine key does not "
		    "read");
		e = ERR_INTERNAL;
		goto out;
	}
	x.audience = c->issuer;
	x.subject = t->sub;
	x.now = ts_now().sec;
	if ((je = jwt_verify(t, k)) != JWT_OK ||
	    (je = jwt_check(t, &x)) != JWT_OK)
		goto refused;
	snprintf(user_id, ID_BYTES + 1, "%s", t->sub);
	e = ERR_OK;
	goto out;
refused:
	o->reason = jwt_why(je)->reason;
	e = je == JWT_ERROR ? ERR_INTERNAL : ERR_OAUTH_GRANT;
out:
	rsakey_free(k);
	secret_wipe(t, sizeof(*t));
	free(t);
	return e;
}

/* RFC 6749 3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ) */
static int
nqchars(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch < 0x21 || ch > 0x7e || ch == '"' || ch == '\\')
			return 0;
	}
	return n > 0;
}

/*
 * Appends w[0..n) to a space-separated list of cap bytes unless the list
 * holds it already; -1 when full.  w need not end where the word does.
 */
static int
add_word(char *list, size_t cap, const char *w, size_t n)
{
	size_t have = strlen(list), i = 0;

	while (i < have) {
		size_t k = strcspn(list + i, " ");

		if (k == n && memcmp(list + i, w, n) == 0)
			return 0;
		i += k + (list[i + k] == ' ');
	}
	if (have + n + 2 > cap)
		return -1;
	if (have > 0)
		list[have++] = ' ';
	memcpy(list + have, w, n);
	list[have + n] = '\0';
	return 0;
}

/*
 * The scopes asked for -> the token's audience and the scopes granted:
 * ZITADEL's project audience scopes and openid; others are left out.
 */
static enum err
scopes(struct service *svc, const struct value *v, char *aud, char *granted,
    struct answer *o)
{
	size_t i = 0, pn = strlen(SCOPE_PROJECT_PREFIX);
	size_t sn = strlen(SCOPE_AUD_SUFFIX);
	enum err e;

	aud[0] = granted[0] = '\0';
	while (v->set && i < v->s.n) {
		const char *w = v->s.p + i;
		size_t n = strcspn(w, " ");
		char project[ID_BYTES + 1];
		int found = 0;

		if (n > v->s.n - i)
			n = v->s.n - i;
		i += n + 1;
		if (n == 0)
			continue;
		if (!nqchars(w, n)) {
			o->reason = "a scope outside RFC 6749 3.3";
			return ERR_OAUTH_SCOPE;
		}
		if (n == 6 && memcmp(w, "openid", 6) == 0) {
			if (add_word(granted, SCOPES_MAX + 1, w, n) != 0)
				return ERR_OAUTH_SCOPE;
			continue;
		}
		if (n <= pn + sn || memcmp(w, SCOPE_PROJECT_PREFIX, pn) != 0 ||
		    memcmp(w + n - sn, SCOPE_AUD_SUFFIX, sn) != 0)
			continue;	/* not ours: ignored */
		if (n == strlen(SCOPE_ZITADEL_AUD) &&
		    memcmp(w, SCOPE_ZITADEL_AUD, n) == 0)
			snprintf(project, sizeof(project), "%s",
			    svc->cfg->api_project_id);
		else {
			snprintf(project, sizeof(project), "%.*s",
			    (int)(n - pn - sn), w + pn);
			if ((e = store_project_exists(svc->store, project,
			    &found)) != ERR_OK)
				return e;
			if (!found) {
				o->reason = "a project audience scope for no "
				    "active project";
				return ERR_OAUTH_SCOPE;
			}
		}
		if (add_word(aud, AUDIENCE_MAX + 1, project,
		    strlen(project)) != 0 ||
		    add_word(granted, SCOPES_MAX + 1, w, n) != 0)
			return ERR_OAUTH_SCOPE;
	}
	return ERR_OK;
}

enum err
service_token(struct service *svc, const struct call *c, struct answer *o)
{
	const struct value *g = &c->arg[ARG_GRANT_TYPE];
	char user_id[ID_BYTES + 1], aud[AUDIENCE_MAX + 1];
	char granted[SCOPES_MAX + 1], token[TOKEN_CHARS + 1];
	char digest[SHA256_HEX];
	struct ts now, expires;
	enum err e;

	if (!g->set) {
		o->reason = "no grant_type";
		return ERR_OAUTH_MISSING;
	}
	if (is(g, GRANT_CLIENT_CREDENTIALS))
		e = by_secret(svc, c, user_id, o);
	else if (is(g, GRANT_JWT_BEARER))
		e = by_assertion(svc, c, user_id, o);
	else
		return ERR_OAUTH_GRANT_TYPE;
	if (e != ERR_OK)
		return e;
	memcpy(o->user_id, user_id, sizeof(o->user_id));
	if ((e = scopes(svc, &c->arg[ARG_SCOPE], aud, granted, o)) != ERR_OK)
		return e;
	if (secret_generate(token, TOKEN_CHARS) != 0)
		return ERR_INTERNAL;
	secret_sha256_hex(token, TOKEN_CHARS, digest);
	now = ts_now();
	expires = now;
	expires.sec += svc->cfg->access_token_lifetime_s;
	e = store_access_token_add(svc->store, digest, user_id, aud, granted,
	    now, expires);
	if (e == ERR_OK && (answer_cstr(o, OUT_ACCESS_TOKEN, token) != 0 ||
	    answer_cstr(o, OUT_TOKEN_TYPE, "Bearer") != 0 ||
	    (granted[0] != '\0' &&
	    answer_cstr(o, OUT_SCOPE, granted) != 0)))
		e = ERR_INTERNAL;
	value_int(&o->out[OUT_EXPIRES_IN], svc->cfg->access_token_lifetime_s);
	secret_wipe(token, sizeof(token));
	return e;
}

/* The introspected token, when it is active for this resource server. */
static enum err
active(const struct call *c, const struct token_row *t, struct answer *o)
{
	value_int(&o->out[OUT_ACTIVE], 1);
	if ((t->scopes[0] != '\0' &&
	    answer_cstr(o, OUT_SCOPE, t->scopes) != 0) ||
	    (t->machine && answer_cstr(o, OUT_CLIENT_ID, t->username) != 0) ||
	    answer_cstr(o, OUT_USERNAME, t->username) != 0 ||
	    answer_cstr(o, OUT_TOKEN_TYPE, "Bearer") != 0 ||
	    answer_cstr(o, OUT_SUBJECT, t->user_id) != 0 ||
	    answer_cstr(o, OUT_AUDIENCE, t->audience) != 0 ||
	    endpoint(c, o, OUT_ISSUER, "") != 0)
		return ERR_INTERNAL;
	value_int(&o->out[OUT_ISSUED_AT], t->created.sec);
	if (t->expires.sec != 0)
		value_int(&o->out[OUT_EXPIRES_AT], t->expires.sec);
	return ERR_OK;
}

enum err
service_introspect(struct service *svc, const struct call *c,
    struct answer *o)
{
	const struct value *tok = &c->arg[ARG_TOKEN];
	struct client_row app;
	struct token_row t;
	char client_id[ID_BYTES + 1], key[SHA256_HEX], digest[SHA256_HEX];
	enum err e;

	if ((e = client_pair(c, "api", client_id, sizeof(client_id), key,
	    o)) != ERR_OK)
		return e;
	if ((e = store_api_client(svc->store, client_id, &app)) != ERR_OK)
		return e;
	if (!client_ok(svc, c, &app, key, o))
		return ERR_OAUTH_CLIENT;
	if (!tok->set) {
		o->reason = "no token";
		return ERR_OAUTH_MISSING;
	}
	/* RFC 7662 2.2: whatever is wrong with it, just "not active". */
	value_int(&o->out[OUT_ACTIVE], 0);
	if (tok->s.n > TOKEN_MAX || !auth_token_chars_ok(tok->s.p, tok->s.n))
		return ERR_OK;
	secret_sha256_hex(tok->s.p, tok->s.n, digest);
	if ((e = store_token(svc->store, digest, &t)) != ERR_OK)
		return e;
	if (!t.found || t.revoked || t.expired || !t.user_active ||
	    !t.org_active || !auth_audience_has(t.audience, app.project_id)) {
		o->reason = "token not active for this client's project";
		return ERR_OK;
	}
	return active(c, &t, o);
}
