/*
 * rest.c - the REST codec: JSON in, JSON out, as ZITADEL's grpc-gateway
 * writes it (doc/api.md).
 *
 * The body is the call's request message in protobuf's JSON mapping (the
 * gateway's body "*"), empty or one object checked strictly; the path's
 * values win over the body's (dispatch.c binds them after decoding).  As
 * grpc-gateway does, any content type but gRPC's is read as JSON, so
 * `curl -d '{}'` works.
 */
#include "rest.h"

#include <string.h>

#include "buf.h"
#include "errwire.h"
#include "jsonmsg.h"

/* Everything but gRPC's own types. */
static int
rest_form(const struct media *m)
{
	static const char grpc[] = "application/grpc";
	size_t n = sizeof(grpc) - 1;

	/* application/grpc, application/grpc+proto, application/grpc-web */
	if (strncmp(m->type, grpc, n) == 0 &&
	    (m->type[n] == '\0' || m->type[n] == '+' || m->type[n] == '-'))
		return -1;
	return 0;
}

static enum err
rest_decode(int form, const struct request *req, struct call *c)
{
	(void)form;
	return jsonmsg_decode(c->def->req, req->body, req->body_len, c->arg,
	    &c->arena);
}

int
rest_encode_message(const struct message *m, const struct answer *o,
    struct response *resp)
{
	struct buf b = { 0 };

	jsonmsg_encode(m, o->out, &b);
	resp->body = buf_take(&b, &resp->body_len);
	if (resp->body == NULL)
		return -1;
	resp->content_type = "application/json";
	resp->status = 200;
	return 0;
}

static int
rest_encode(int form, const struct call *c, const struct answer *o,
    struct response *resp)
{
	(void)form;
	return rest_encode_message(c->def->resp, o, resp);
}

int
codec_gateway_error(int form, const struct call *c, enum err kind,
    struct response *resp)
{
	(void)form;
	(void)c;
	return errwire_gateway(kind, resp);
}

const struct codec codec_rest = {
	"rest", rest_form, rest_decode, rest_encode, codec_gateway_error
};
