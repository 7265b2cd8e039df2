/*
 * dispatch.c - request -> route -> codec -> service -> codec -> response.
 *
 * Transport checks come first (route, method, content type, body size,
 * body syntax), as grpc-gateway decodes before the handler runs; then the
 * service's checks in SPEC section 4's order.
 */
#include "dispatch.h"

#include <stdlib.h>
#include <string.h>

#include "grpcweb.h"
#include "rest.h"
#include "route.h"

static const char *
route_name(enum route_kind k)
{
	switch (k) {
	case ROUTE_REST:
		return "rest";
	case ROUTE_GRPC:
		return "grpc-web";
	case ROUTE_HEALTHZ:
		return "healthz";
	case ROUTE_READY:
		return "ready";
	default:
		return "none";
	}
}

static void
plain(struct response *resp, int status, const char *text)
{
	resp->status = status;
	resp->content_type = "text/plain; charset=utf-8";
	resp->body = strdup(text);
	resp->body_len = resp->body != NULL ? strlen(text) : 0;
}

static void
rest_error(struct response *resp, enum err kind, struct handled *h)
{
	h->grpc = err_info(kind)->grpc;
	if (rest_encode_error(kind, resp) != 0) {
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

static void
serve_rest(struct service *svc, struct request *req, const struct io *io,
    const struct route *rt, struct response *resp, struct handled *h)
{
	struct outcome out;
	struct call call;
	enum err e;

	if (!rest_content_type_ok(req->content_type)) {
		rest_error(resp, ERR_MEDIA_TYPE, h);
		return;
	}
	if (request_read_body(req, io, svc->cfg->max_body_bytes) != 0) {
		rest_error(resp, ERR_INTERNAL, h);
		return;
	}
	if ((e = body_error(req)) != ERR_OK ||
	    (e = rest_check_body(req->body, req->body_len)) != ERR_OK) {
		rest_error(resp, e, h);
		return;
	}
	call.authorization = req->authorization;
	call.org_header = req->org_id;
	call.project_id = rt->project_id;
	call.app_id = rt->app_id;
	e = service_regenerate(svc, &call, &out);
	memcpy(h->user_id, out.user_id, sizeof(h->user_id));
	if (e == ERR_OK) {
		h->grpc = 0;
		if (rest_encode_outcome(&out, resp) != 0) {
			/* Committed, but unanswerable: the caller must regenerate. */
			response_free(resp);
			rest_error(resp, ERR_INTERNAL, h);
		}
	} else
		rest_error(resp, e, h);
	outcome_wipe(&out);
}

/* Trailers-only (SPEC section 6), or a bare 500 when even that fails. */
static void
grpc_error(struct response *resp, enum grpcweb_mode mode, enum err kind,
    struct handled *h)
{
	h->grpc = err_info(kind)->grpc;
	if (grpcweb_encode_error(mode, kind, resp) != 0) {
		response_free(resp);
		plain(resp, 500, "internal error\n");
		h->grpc = err_info(ERR_INTERNAL)->grpc;
	}
}

static void
serve_grpc(struct service *svc, struct request *req, const struct io *io,
    struct response *resp, struct handled *h)
{
	struct grpcweb_request gr;
	struct outcome out;
	struct call call;
	enum grpcweb_mode mode;
	enum err e;

	mode = grpcweb_mode(req->content_type);
	if (mode == GRPCWEB_NATIVE) {
		/*
		 * SPEC section 1: CGI/FastCGI cannot send HTTP/2 trailers, so
		 * the status goes in headers next to a 415 and the JSON error.
		 */
		rest_error(resp, ERR_GRPC_NATIVE, h);
		if (resp->status != 500)
			(void)grpcweb_status_headers(resp, ERR_GRPC_NATIVE);
		return;
	}
	if (mode == GRPCWEB_UNSUPPORTED) {
		rest_error(resp, ERR_GRPC_MEDIA_TYPE, h);
		return;
	}
	if (request_read_body(req, io, svc->cfg->max_body_bytes) != 0) {
		grpc_error(resp, mode, ERR_INTERNAL, h);
		return;
	}
	if ((e = body_error(req)) != ERR_OK ||
	    (e = grpcweb_decode(mode, req->body, req->body_len, &gr)) != ERR_OK) {
		grpc_error(resp, mode, e, h);
		return;
	}
	call.authorization = req->authorization;
	call.org_header = req->org_id;
	call.project_id = gr.project_id;
	call.app_id = gr.app_id;
	e = service_regenerate(svc, &call, &out);
	grpcweb_request_free(&gr);
	memcpy(h->user_id, out.user_id, sizeof(h->user_id));
	if (e == ERR_OK) {
		h->grpc = 0;
		if (grpcweb_encode_outcome(mode, &out, resp) != 0) {
			/* Committed, but unanswerable: the caller must regenerate. */
			response_free(resp);
			grpc_error(resp, mode, ERR_INTERNAL, h);
		}
	} else
		grpc_error(resp, mode, e, h);
	outcome_wipe(&out);
}

void
dispatch(struct service *svc, struct request *req, const struct io *io,
    struct response *resp, struct handled *h)
{
	struct route rt;

	memset(h, 0, sizeof(*h));
	route_match(req->method, req->path, req->path_len, &rt);
	h->route = route_name(rt.kind);
	if (rt.kind == ROUTE_NONE) {
		rest_error(resp, ERR_ROUTE_NOT_FOUND, h);
		return;
	}
	if (!rt.method_ok) {
		rest_error(resp, ERR_METHOD_NOT_ALLOWED, h);
		response_header(resp, "Allow", rt.allow);
		return;
	}
	/* The script must not send a body for HEAD (RFC 3875 4.3.2). */
	resp->head = strcmp(req->method, "HEAD") == 0;
	switch (rt.kind) {
	case ROUTE_HEALTHZ:
		plain(resp, 200, "ok\n");
		return;
	case ROUTE_READY:
		if (store_ping(svc->store) == STORE_OK)
			plain(resp, 200, "ok\n");
		else
			rest_error(resp, ERR_UNAVAILABLE, h);
		return;
	case ROUTE_REST:
		serve_rest(svc, req, io, &rt, resp, h);
		return;
	case ROUTE_GRPC:
		serve_grpc(svc, req, io, resp, h);
		return;
	default:
		/* ROUTE_NONE was answered above. */
		rest_error(resp, ERR_ROUTE_NOT_FOUND, h);
		return;
	}
}
