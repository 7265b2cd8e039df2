/*
 * plain.c - the health routes' codec: no body in, text out; errors as the
 * REST codec writes them.
 */
#include "codec.h"

#include <stdlib.h>
#include <string.h>

static int
plain_form(const struct media *m)
{
	(void)m;
	return 0;
}

static enum err
plain_decode(int form, const struct request *req, struct call *c)
{
	(void)form;
	(void)req;
	(void)c;
	return ERR_OK;
}

static int
plain_encode(int form, const struct call *c, const struct answer *o,
    struct response *resp)
{
	const struct value *v = &o->out[OUT_TEXT];

	(void)form;
	(void)c;
	resp->body = malloc(v->s.n + 1);
	if (resp->body == NULL)
		return -1;
	memcpy(resp->body, v->s.p, v->s.n);
	resp->body[v->s.n] = '\0';
	resp->body_len = v->s.n;
	resp->content_type = "text/plain; charset=utf-8";
	resp->status = 200;
	return 0;
}

const struct codec codec_plain = {
	"plain", plain_form, plain_decode, plain_encode,
	codec_gateway_error
};
