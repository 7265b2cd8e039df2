/*
 * oauth.c - the OAuth codec (RFC 6749 3.2, 5.1, 5.2; RFC 6750 3; RFC 7662).
 *
 * A request with parameters comes as an application/x-www-form-urlencoded
 * POST body; its client may authenticate with HTTP Basic instead of
 * client_id and client_secret in the body, never both (RFC 6749 2.3).  The
 * answer is JSON; an error is {"error","error_description"} with the
 * status its code takes, and the challenge RFC 7617 or RFC 6750 asks for.
 * Cache-Control: no-store and Pragma: no-cache go on every answer
 * (request.c), as RFC 6749 5.1 requires of a token's.
 */
#include "oauth.h"

#include <string.h>

#include "errwire.h"
#include "form.h"
#include "rest.h"

enum { OAUTH_FORM, OAUTH_OTHER };

static int
oauth_form(const struct media *m)
{
	return media_is(m, "application/x-www-form-urlencoded") ? OAUTH_FORM :
	    OAUTH_OTHER;
}

static enum err
oauth_decode(int form, const struct request *req, struct call *c)
{
	struct slice id, secret;
	enum err e;
	int basic;

	/* RFC 6749 3.2: parameters come as a form, and only so. */
	if (c->def->req->n > 0 && strcmp(req->method, "POST") == 0) {
		if (form != OAUTH_FORM)
			return ERR_OAUTH_MEDIA_TYPE;
		e = form_decode(c->def->req, req->body != NULL ? req->body : "",
		    req->body_len, c->arg, &c->arena);
		if (e != ERR_OK)
			return e;
	}
	basic = form_basic(req->header[H_AUTHORIZATION], &c->arena, &id,
	    &secret);
	if (basic < 0)
		return ERR_OAUTH_BAD_BASIC;
	if (basic == 0) {
		/* RFC 6749 2.3: one way of authenticating, not two. */
		if (c->arg[ARG_CLIENT_SECRET].set)
			return ERR_OAUTH_TWO_AUTHS;
		c->basic = 1;
		c->arg[ARG_CLIENT_ID].set = 1;
		c->arg[ARG_CLIENT_ID].s = id;
		c->arg[ARG_CLIENT_SECRET].set = 1;
		c->arg[ARG_CLIENT_SECRET].s = secret;
	}
	return ERR_OK;
}

static int
oauth_encode(int form, const struct call *c, const struct answer *o,
    struct response *resp)
{
	(void)form;
	return rest_encode_message(c->def->resp, o, resp);
}

static int
oauth_error(int form, const struct call *c, enum err kind,
    struct response *resp)
{
	(void)form;
	if (errwire_oauth(kind, resp) != 0)
		return -1;
	/* RFC 6749 5.2: invalid_client after Basic names the scheme. */
	if (kind == ERR_OAUTH_CLIENT && c != NULL && c->basic)
		return response_header(resp, "WWW-Authenticate",
		    "Basic realm=\"" OAUTH_REALM "\", charset=\"UTF-8\"");
	/* RFC 6750 3.1: no token, no error code; a bad one, invalid_token. */
	if (kind == ERR_AUTH_MISSING)
		return response_header(resp, "WWW-Authenticate",
		    "Bearer realm=\"" OAUTH_REALM "\"");
	if (kind == ERR_TOKEN_INVALID)
		return response_header(resp, "WWW-Authenticate",
		    "Bearer realm=\"" OAUTH_REALM "\", "
		    "error=\"invalid_token\"");
	return 0;
}

const struct codec codec_oauth = {
	"oauth", oauth_form, oauth_decode, oauth_encode, oauth_error
};
