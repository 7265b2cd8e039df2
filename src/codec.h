/*
 * codec.h - one wire format: decode a call, encode its answer or an error.
 *
 * REST JSON (rest.c), gRPC-web (grpcweb.c) and Connect (connect.c) each
 * fill one of these; dispatch.c runs the same steps whichever it picked.
 * A "form" is the codec's variant for a content type: gRPC-web binary or
 * text, Connect JSON or binary.
 */
#ifndef OIDC_SECRET_CODEC_H
#define OIDC_SECRET_CODEC_H

#include "error.h"
#include "request.h"
#include "service.h"

struct codec {
	const char *name;	/* in the request log line */
	/* The form this content type (NULL when absent) asks for, or -1. */
	int (*form)(const char *content_type);
	/*
	 * The request's headers and body (already read, within the limit)
	 * into c: the message's fields and the transport's own settings.
	 * ERR_OK, or the kind to answer.
	 */
	enum err (*decode)(int form, const struct request *req,
	    struct call *c);
	/* The answer to a call that succeeded; -1 when out of memory. */
	int (*encode)(int form, const struct call *c, const struct outcome *o,
	    struct response *resp);
	/* The answer to an error, as this wire spells it; -1 on OOM. */
	int (*encode_error)(int form, enum err kind, struct response *resp);
};

extern const struct codec codec_rest;
extern const struct codec codec_grpcweb;
extern const struct codec codec_connect;

#endif
