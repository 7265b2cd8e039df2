/*
 * codec.h - one wire format: decode a call, encode its answer or an error.
 *
 * REST JSON (rest.c), gRPC-web (grpcweb.c), Connect (connect.c), OAuth
 * forms and JSON (oauth.c) and plain text (plain.c) each fill one of
 * these; dispatch.c runs the same steps whichever it picked.  A codec
 * reads and writes a call's messages through their field tables (msg.h),
 * so it knows no call by name.  A "form" is the codec's variant for a
 * content type: gRPC-web binary or text, Connect JSON or binary.
 */
#ifndef OIDC_SECRET_CODEC_H
#define OIDC_SECRET_CODEC_H

#include "error.h"
#include "media.h"
#include "request.h"
#include "service.h"

struct codec {
	const char *name;	/* in the request log line */
	/* The form this content type asks for, or -1: not this codec's. */
	int (*form)(const struct media *type);
	/*
	 * The request's headers and body (already read, within the limit)
	 * into c: the message's fields (c->def->req) and the transport's
	 * own settings.  ERR_OK, or the kind to answer.
	 */
	enum err (*decode)(int form, const struct request *req,
	    struct call *c);
	/* The answer (c->def->resp) to a call that succeeded; -1 on OOM. */
	int (*encode)(int form, const struct call *c, const struct answer *o,
	    struct response *resp);
	/*
	 * The answer to an error, as this wire spells it; c is NULL when no
	 * call was decoded.  -1 when out of memory.
	 */
	int (*encode_error)(int form, const struct call *c, enum err kind,
	    struct response *resp);
};

/* An encode_error: grpc-gateway's body, as REST answers every error. */
int codec_gateway_error(int form, const struct call *c, enum err kind,
    struct response *resp);

extern const struct codec codec_rest;
extern const struct codec codec_grpcweb;
extern const struct codec codec_connect;
extern const struct codec codec_oauth;
extern const struct codec codec_plain;

#endif
