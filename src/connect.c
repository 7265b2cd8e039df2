/*
 * connect.c - the Connect codec: Connect unary in, Connect unary out, for
 * ZITADEL's v2 calls (doc/api.md), as its generated SDKs and connect-web
 * send them (connectrpc.com, "Connect Protocol Reference").
 *
 * The message comes as protobuf JSON (application/json) or binary
 * (application/proto).  Connect-Protocol-Version, when sent, must be 1;
 * Connect-Timeout-Ms sets a deadline the service honours; a compressed
 * body is refused, as unimplemented.  Success is HTTP 200 in the request's
 * codec; an error is JSON with Connect's code name, the HTTP status
 * Connect gives that code, and a zitadel.v1.ErrorDetail in its details.
 */
#include "connect.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "errwire.h"
#include "jsonmsg.h"
#include "pbwire.h"
#include "rest.h"
#include "util.h"

#define TIMEOUT_MAX 9999999999ULL

static int
connect_form(const struct media *m)
{
	if (m->foreign_charset)
		return -1;
	if (media_is(m, "application/json"))
		return CONNECT_JSON;
	if (media_is(m, "application/proto"))
		return CONNECT_PROTO;
	return -1;
}

/* The transport's own headers: encoding, protocol version, timeout. */
static enum err
headers(const struct request *req, struct call *c)
{
	const char *ce = req->header[H_CONTENT_ENCODING];
	const char *v = req->header[H_CONNECT_VERSION];
	const char *t = req->header[H_CONNECT_TIMEOUT];
	uint64_t ms;

	/* Zero-length content is never decompressed (the protocol says). */
	if (ce != NULL && strcasecmp(ce, "identity") != 0 && req->body_len > 0)
		return ERR_COMPRESSED;
	if (v != NULL && strcmp(v, "1") != 0)
		return ERR_CONNECT_VERSION;
	if (t != NULL) {
		if (strlen(t) > CONNECT_TIMEOUT_DIGITS ||
		    util_decimal(t, strlen(t), TIMEOUT_MAX, &ms) != DECIMAL_OK)
			return ERR_CONNECT_TIMEOUT;
		c->deadline_ns = util_mono_ns() + (int64_t)ms * 1000000;
	}
	return ERR_OK;
}

static enum err
connect_decode(int form, const struct request *req, struct call *c)
{
	enum err e;

	if ((e = headers(req, c)) != ERR_OK)
		return e;
	if (form == CONNECT_PROTO)
		return pbwire_decode(c->def->req, req->body != NULL ?
		    req->body : "", req->body_len, c->arg) == 0 ? ERR_OK :
		    ERR_BAD_BODY;
	return jsonmsg_decode(c->def->req, req->body, req->body_len, c->arg,
	    &c->arena);
}

static int
connect_encode(int form, const struct call *c, const struct answer *o,
    struct response *resp)
{
	unsigned char *msg;
	size_t len;

	if (form == CONNECT_JSON)
		return rest_encode_message(c->def->resp, o, resp);
	msg = pbwire_encode(c->def->resp, o->out, 0, 0, &len);
	if (msg == NULL)
		return -1;
	resp->body = (char *)msg;
	resp->body_len = len;
	resp->content_type = "application/proto";
	resp->status = 200;
	return 0;
}

/* Connect: errors are JSON whatever the request's codec. */
static int
connect_error(int form, const struct call *c, enum err kind,
    struct response *resp)
{
	(void)form;
	(void)c;
	return errwire_connect(kind, resp);
}

const struct codec codec_connect = {
	"connect", connect_form, connect_decode, connect_encode, connect_error
};
