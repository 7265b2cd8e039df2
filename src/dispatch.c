/*
 * dispatch.c - request -> route -> codec -> service -> codec -> response,
 * one flow for every call and every codec.
 *
 * The transport's checks come first (route, method, content type, body
 * size, body syntax), as grpc-gateway and connect-go decode before the
 * handler runs; then the service's checks, in their order (doc/api.md).
 * Which codecs may carry a call depends only on how its path is spelled
 * (the family table below); a call is a row of calls.c, a codec a file and
 * a row here.
 */
#include "dispatch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "codec.h"
#include "cors.h"
#include "grpcweb.h"
#include "media.h"
#include "route.h"

/* The codecs a family's paths accept, first match of the content type. */
static const struct family_codecs {
	const char *name;	/* the log's route until a codec is picked */
	const struct codec *codecs[2];
	const struct codec *fallback;	/* speaks the family's refusals */
	enum err no_codec;		/* no codec takes the content type */
} families[] = {
	[FAMILY_REST] = { "rest", { &codec_rest, NULL }, &codec_rest,
	    ERR_MEDIA_TYPE },
	[FAMILY_GRPC] = { "grpc-web", { &codec_grpcweb, NULL }, &codec_rest,
	    ERR_GRPC_MEDIA_TYPE },
	[FAMILY_CONNECT] = { "connect", { &codec_grpcweb, &codec_connect },
	    &codec_connect, ERR_CONNECT_MEDIA_TYPE },
	[FAMILY_OAUTH] = { "oauth", { &codec_oauth, NULL }, &codec_oauth,
	    ERR_INTERNAL },
	[FAMILY_PLAIN] = { "plain", { &codec_plain, NULL }, &codec_plain,
	    ERR_INTERNAL },
};

static void
bare_500(struct response *resp)
{
	response_free(resp);
	resp->status = 500;
	resp->content_type = "text/plain; charset=utf-8";
	resp->body = strdup("internal error\n");
	resp->body_len = resp->body != NULL ? strlen(resp->body) : 0;
}

/* The error in the codec's spelling, or a bare 500 when even that fails. */
static void
answer_error(const struct codec *cd, int form, const struct call *c,
    enum err kind, struct response *resp, struct dispatch_report *h)
{
	h->grpc = err_info(kind)->grpc;
	if (cd->encode_error(form, c, kind, resp) != 0) {
		bare_500(resp);
		h->grpc = err_info(ERR_INTERNAL)->grpc;
	}
}

static enum err
body_error(const struct request *req)
{
	switch (req->body_state) {
	case BODY_OK:
		return ERR_OK;
	case BODY_TOO_LARGE:
		return ERR_BODY_TOO_LARGE;
	default:
		return ERR_BAD_BODY;
	}
}

/* The codec for the request's content type among the family's, or NULL. */
static const struct codec *
pick(const struct family_codecs *f, const struct media *m, int *form)
{
	size_t i;

	for (i = 0; i < sizeof(f->codecs) / sizeof(f->codecs[0]); i++)
		if (f->codecs[i] != NULL &&
		    (*form = f->codecs[i]->form(m)) >= 0)
			return f->codecs[i];
	return NULL;
}

/* What the log line keeps of the answer. */
static void
note(const struct answer *o, struct dispatch_report *h)
{
	memcpy(h->user_id, o->user_id, sizeof(h->user_id));
	h->reason = o->reason;
	if (o->committed) {
		h->committed = 1;
		h->object_kind = o->object_kind;
		memcpy(h->object, o->object, sizeof(h->object));
		h->sequence = o->sequence;
	}
}

/* The configured issuer, else http(s)://Host of the request. */
static void
issuer(const struct config *cfg, const struct request *req, char *out,
    size_t cap)
{
	static const char host_chars[] = "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]";
	const char *host = req->header[H_HOST];
	const char *https = req->header[H_HTTPS];

	out[0] = '\0';
	if (cfg->issuer[0] != '\0')
		snprintf(out, cap, "%s", cfg->issuer);
	else if (host != NULL && host[0] != '\0' &&
	    host[strspn(host, host_chars)] == '\0')
		snprintf(out, cap, "%s://%s", https != NULL &&
		    strcasecmp(https, "on") == 0 ? "https" : "http", host);
}

/*
 * A body is read where one may come: a POST or PUT (chunked, perhaps
 * without CONTENT_LENGTH), or any method that says it has one.  A GET
 * under mod_cgid must not wait for an input that never ends.
 */
static int
has_body(const struct request *req, const struct io *io)
{
	const char *cl = io->param(io->ctx, "CONTENT_LENGTH");

	return strcmp(req->method, "POST") == 0 ||
	    strcmp(req->method, "PUT") == 0 ||
	    strcmp(req->method, "PATCH") == 0 ||
	    (cl != NULL && cl[0] != '\0' && strcmp(cl, "0") != 0);
}

static void
run(struct service *svc, const struct request *req, const struct route *rt,
    const struct codec *cd, int form, struct call *c, struct response *resp,
    struct dispatch_report *h)
{
	struct answer *o;
	enum err e;
	size_t i;

	c->authorization = req->header[H_AUTHORIZATION];
	c->org_header = req->header[H_ORG_ID];
	issuer(svc->cfg, req, c->issuer, sizeof(c->issuer));
	e = cd->decode(form, req, c);
	/* The path's values win over the body's. */
	for (i = 0; i < rt->nvar; i++) {
		c->arg[rt->var[i].slot].set = 1;
		c->arg[rt->var[i].slot].s = rt->var[i].value;
	}
	if (e != ERR_OK) {
		answer_error(cd, form, c, e, resp, h);
		return;
	}
	/* The answer may hold a secret: on the heap, wiped, freed. */
	o = calloc(1, sizeof(*o));
	if (o == NULL) {
		answer_error(cd, form, c, ERR_INTERNAL, resp, h);
		return;
	}
	e = c->def->run(svc, c, o);
	note(o, h);
	if (e != ERR_OK)
		answer_error(cd, form, c, e, resp, h);
	else if (cd->encode(form, c, o, resp) != 0) {
		/* Committed, but unanswerable: the log says undelivered. */
		response_free(resp);
		answer_error(cd, form, c, ERR_INTERNAL, resp, h);
	} else
		h->grpc = 0;
	answer_wipe(o);
	free(o);
}

static void
serve_call(struct service *svc, struct request *req, const struct io *io,
    const struct route *rt, struct response *resp, struct dispatch_report *h)
{
	const struct family_codecs *f = &families[rt->family];
	const struct codec *cd;
	struct media type;
	struct call c;
	int form = 0;
	size_t extra;
	enum err e;

	media_parse(req->header[H_CONTENT_TYPE], &type);
	if ((rt->family == FAMILY_GRPC || rt->family == FAMILY_CONNECT) &&
	    grpcweb_is_native(&type)) {
		/*
		 * CGI and FastCGI cannot send HTTP/2 trailers: the status goes
		 * in headers, next to the family's JSON error and a 415.
		 */
		answer_error(f->fallback, 0, NULL, ERR_GRPC_NATIVE, resp, h);
		if (resp->status != 500)
			(void)grpcweb_status_headers(resp, ERR_GRPC_NATIVE);
		return;
	}
	cd = pick(f, &type, &form);
	if (cd == NULL) {
		answer_error(f->fallback, 0, NULL, f->no_codec, resp, h);
		return;
	}
	if (rt->family != FAMILY_PLAIN)
		h->route = cd->name;
	if (has_body(req, io) &&
	    request_read_body(req, io, svc->cfg->max_body_bytes) != 0) {
		answer_error(cd, form, NULL, ERR_INTERNAL, resp, h);
		return;
	}
	if ((e = body_error(req)) != ERR_OK) {
		answer_error(cd, form, NULL, e, resp, h);
		return;
	}
	/* Room for what a codec decodes from the body and the headers. */
	extra = req->header[H_AUTHORIZATION] != NULL ?
	    strlen(req->header[H_AUTHORIZATION]) : 0;
	if (call_init(&c, rt->def, req->body_len + extra) != 0) {
		answer_error(cd, form, NULL, ERR_INTERNAL, resp, h);
		return;
	}
	run(svc, req, rt, cd, form, &c, resp, h);
	call_free(&c);
}

void
dispatch(struct service *svc, struct request *req, const struct io *io,
    struct response *resp, struct dispatch_report *h)
{
	const char *origin = req->header[H_ORIGIN];
	struct route rt;

	memset(h, 0, sizeof(*h));
	h->route = "none";
	h->call = "-";
	if (!cors_allowed(svc->cfg, origin))
		origin = NULL;
	route_match(req->method, &req->path, &rt);
	if (rt.def == NULL) {
		answer_error(&codec_rest, 0, NULL, ERR_ROUTE_NOT_FOUND, resp,
		    h);
		goto out;
	}
	/* The health routes are their own route in the log, as before. */
	h->route = rt.family == FAMILY_PLAIN ? rt.def->name :
	    families[rt.family].name;
	h->call = rt.def->name;
	/* A preflight, answered without authentication. */
	if (strcmp(req->method, "OPTIONS") == 0) {
		h->route = "preflight";
		if (cors_preflight(resp, origin, rt.allow) != 0)
			bare_500(resp);
		return;
	}
	if (!rt.method_ok) {
		answer_error(families[rt.family].fallback, 0, NULL,
		    ERR_METHOD_NOT_ALLOWED, resp, h);
		response_header(resp, "Allow", rt.allow);
		goto out;
	}
	/* The script must not send a body for HEAD (RFC 3875 4.3.2). */
	resp->head = strcmp(req->method, "HEAD") == 0;
	serve_call(svc, req, io, &rt, resp, h);
out:
	if (origin != NULL)
		(void)cors_headers(resp, origin);
}
