/*
 * dispatch.c - request -> route -> codec -> service -> codec -> response,
 * one flow for every codec.
 *
 * The transport's checks come first (route, method, content type, body
 * size, body syntax), as grpc-gateway and connect-go decode before the
 * handler runs; then the service's checks, in their order (doc/api.md).
 * Which codecs may carry a call depends only on how its path is spelled
 * (the family table below); adding a codec adds a file and a table entry.
 */
#include "dispatch.h"

#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "cors.h"
#include "grpcweb.h"
#include "rest.h"
#include "route.h"

/* The codecs a family's paths accept, first match of the content type. */
static const struct family_codecs {
	/* the log's route until a codec is picked */
	const char *name;
	const struct codec *codecs[3];
	const struct codec *fallback;	/* speaks the family's refusals */
	int fallback_form;
	enum err no_codec;		/* no codec takes the content type */
} families[] = {
	[FAMILY_REST] = { "rest", { &codec_rest }, &codec_rest, 0,
	    ERR_MEDIA_TYPE },
	[FAMILY_GRPC] = { "grpc-web", { &codec_grpcweb }, &codec_rest, 0,
	    ERR_GRPC_MEDIA_TYPE },
	[FAMILY_CONNECT] = { "connect", { &codec_grpcweb, &codec_connect },
	    &codec_connect, 0, ERR_CONNECT_MEDIA_TYPE },
};

static void
plain(struct response *resp, int status, const char *text)
{
	resp->status = status;
	resp->content_type = "text/plain; charset=utf-8";
	resp->body = strdup(text);
	resp->body_len = resp->body != NULL ? strlen(text) : 0;
}

/* The error in the codec's spelling, or a bare 500 when even that fails. */
static void
answer_error(const struct codec *cd, int form, enum err kind,
    struct response *resp, struct handled *h)
{
	h->grpc = err_info(kind)->grpc;
	if (cd->encode_error(form, kind, resp) != 0) {
		response_free(resp);
		plain(resp, 500, "internal error\n");
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
pick(const struct family_codecs *f, const char *ct, int *form)
{
	size_t i;

	for (i = 0; i < sizeof(f->codecs) / sizeof(f->codecs[0]); i++)
		if (f->codecs[i] != NULL &&
		    (*form = f->codecs[i]->form(ct)) >= 0)
			return f->codecs[i];
	return NULL;
}

static void
serve_call(struct service *svc, struct request *req, const struct io *io,
    const struct route *rt, struct response *resp, struct handled *h)
{
	const struct family_codecs *f = &families[rt->family];
	const char *ct = req->header[H_CONTENT_TYPE];
	const struct codec *cd;
	struct outcome out;
	struct call *call;
	int form = 0;
	enum err e;

	if (rt->family != FAMILY_REST && grpcweb_is_native(ct)) {
		/*
		 * CGI and FastCGI cannot send HTTP/2 trailers: the status goes
		 * in headers, next to the family's JSON error and a 415.
		 */
		answer_error(f->fallback, f->fallback_form, ERR_GRPC_NATIVE,
		    resp, h);
		if (resp->status != 500)
			(void)grpcweb_status_headers(resp, ERR_GRPC_NATIVE);
		return;
	}
	cd = pick(f, ct, &form);
	if (cd == NULL) {
		answer_error(f->fallback, f->fallback_form, f->no_codec, resp,
		    h);
		return;
	}
	h->route = cd->name;
	if (request_read_body(req, io, svc->cfg->max_body_bytes) != 0) {
		answer_error(cd, form, ERR_INTERNAL, resp, h);
		return;
	}
	if ((e = body_error(req)) != ERR_OK) {
		answer_error(cd, form, e, resp, h);
		return;
	}
	/* IDs decoded from a body live in the call: keep it off the stack. */
	call = calloc(1, sizeof(*call));
	if (call == NULL) {
		answer_error(cd, form, ERR_INTERNAL, resp, h);
		return;
	}
	call->rpc = rt->rpc;
	call->authorization = req->header[H_AUTHORIZATION];
	call->org_header = req->header[H_ORG_ID];
	/* REST; a body's replace them */
	call->project_id = rt->project_id;
	call->app_id = rt->app_id;
	e = cd->decode(form, req, call);
	if (e == ERR_OK)
		e = service_regenerate(svc, call, &out);
	else
		memset(&out, 0, sizeof(out));
	memcpy(h->user_id, out.user_id, sizeof(h->user_id));
	if (e == ERR_OK) {
		h->grpc = 0;
		h->sequence = out.sequence;
		memcpy(h->app_id, call->app_id.p, call->app_id.n);
		h->app_id[call->app_id.n] = '\0';
		if (cd->encode(form, call, &out, resp) != 0) {
			/* Committed, but unanswerable: the caller retries. */
			response_free(resp);
			answer_error(cd, form, ERR_INTERNAL, resp, h);
		}
	} else
		answer_error(cd, form, e, resp, h);
	outcome_wipe(&out);
	free(call);
}

void
dispatch(struct service *svc, struct request *req, const struct io *io,
    struct response *resp, struct handled *h)
{
	const char *origin = req->header[H_ORIGIN];
	struct route rt;

	memset(h, 0, sizeof(*h));
	if (!cors_allowed(svc->cfg, origin))
		origin = NULL;
	route_match(req->method, req->path, req->path_len, &rt);
	h->route = "none";
	if (rt.kind == ROUTE_NONE) {
		answer_error(&codec_rest, 0, ERR_ROUTE_NOT_FOUND, resp, h);
		goto out;
	}
	h->route = rt.kind == ROUTE_HEALTHZ ? "healthz" :
	    rt.kind == ROUTE_READY ? "ready" : families[rt.family].name;
	/* A preflight, answered without authentication. */
	if (strcmp(req->method, "OPTIONS") == 0) {
		h->route = "preflight";
		if (cors_preflight(resp, origin, rt.allow) != 0) {
			response_free(resp);
			plain(resp, 500, "internal error\n");
		}
		return;
	}
	if (!rt.method_ok) {
		const struct family_codecs *f = &families[rt.family];

		if (rt.kind == ROUTE_CALL)
			answer_error(f->fallback, f->fallback_form,
			    ERR_METHOD_NOT_ALLOWED, resp, h);
		else
			answer_error(&codec_rest, 0, ERR_METHOD_NOT_ALLOWED,
			    resp, h);
		response_header(resp, "Allow", rt.allow);
		goto out;
	}
	/* The script must not send a body for HEAD (RFC 3875 4.3.2). */
	resp->head = strcmp(req->method, "HEAD") == 0;
	switch (rt.kind) {
	case ROUTE_HEALTHZ:
		plain(resp, 200, "ok\n");
		break;
	case ROUTE_READY:
		if (store_ping(svc->store) == ERR_OK)
			plain(resp, 200, "ok\n");
		else
			answer_error(&codec_rest, 0, ERR_UNAVAILABLE, resp, h);
		break;
	default:
		serve_call(svc, req, io, &rt, resp, h);
		break;
	}
out:
	if (origin != NULL)
		(void)cors_headers(resp, origin);
}
