/*
 * connect.c - the Connect codec: Connect unary in, Connect unary out, for
 * ZITADEL's v2 calls (doc/api.md), as its generated SDKs and connect-web
 * send them.
 *
 * The message comes as protobuf JSON (application/json: camelCase or the
 * proto field names, unknown fields ignored, null as absent) or binary
 * (application/proto).  Connect-Protocol-Version, when sent, must be 1;
 * Connect-Timeout-Ms sets a deadline the service honours; a compressed
 * body is refused, as unimplemented.  Success is HTTP 200 in the request's
 * codec; an error is JSON with Connect's code name, the HTTP status
 * Connect gives that code, and a zitadel.v1.ErrorDetail in its details.
 * The clear secret never enters json-c's buffers (jsonout.c).
 */
#include "connect.h"

#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "b64.h"
#include "jsonout.h"
#include "jsonstrict.h"
#include "proto.h"
#include "util.h"

#define TIMEOUT_MAX 9999999999ULL

/* Type and subtype are case-insensitive (RFC 9110 8.3.1). */
static int
type_is(const char *ct, size_t n, const char *type)
{
	return n == strlen(type) && strncasecmp(ct, type, n) == 0;
}

/* A parameter other than charset=utf-8 is no concern of ours. */
static int
charset_ok(const char *params)
{
	const char *p = params;

	while ((p = strchr(p, ';')) != NULL) {
		p++;
		p += strspn(p, " \t");
		if (strncasecmp(p, "charset=", 8) != 0)
			continue;
		p += 8;
		if (*p == '"')
			p++;
		if (strncasecmp(p, "utf-8", 5) != 0 ||
		    strchr("\"; \t", p[5]) == NULL)
			return 0;
	}
	return 1;
}

static int
connect_form(const char *ct)
{
	size_t n;

	if (ct == NULL)
		return -1;
	n = strcspn(ct, "; \t");
	if (!charset_ok(ct + n))
		return -1;
	if (type_is(ct, n, "application/json"))
		return CONNECT_JSON;
	if (type_is(ct, n, "application/proto"))
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

/*
 * A field by its JSON name or its proto name: 0 when absent or null, 1
 * with *out when it holds the type, -1 otherwise (or both names given).
 */
static int
field(json_object *root, const char *json_name, const char *proto_name,
    json_type type, json_object **out)
{
	json_object *a = NULL, *b = NULL, *v;
	int has_a = json_object_object_get_ex(root, json_name, &a);
	int has_b = json_object_object_get_ex(root, proto_name, &b);

	if (has_a && has_b)
		return -1;
	v = has_a ? a : b;
	if (v == NULL || json_object_is_type(v, json_type_null))
		return 0;
	if (!json_object_is_type(v, type))
		return -1;
	*out = v;
	return 1;
}

static int
id_field(json_object *root, const char *json_name, const char *proto_name,
    const char **p, size_t *n)
{
	json_object *v = NULL;
	int rc = field(root, json_name, proto_name, json_type_string, &v);

	*p = "";
	*n = 0;
	if (rc == 1) {
		*p = json_object_get_string(v);
		*n = (size_t)json_object_get_string_len(v);
	}
	return rc < 0 ? -1 : 0;
}

/* v2beta's oneof: at most one of its members, whatever its value. */
static int
app_type(json_object *root, struct call *c)
{
	json_object *v = NULL;
	int oidc = field(root, "isOidc", "is_oidc", json_type_boolean, &v);
	int api = field(root, "isApi", "is_api", json_type_boolean, &v);

	if (oidc < 0 || api < 0 || (oidc == 1 && api == 1))
		return -1;
	c->msg_kind = oidc == 1 ? MSG_KIND_OIDC : api == 1 ? MSG_KIND_API :
	    MSG_KIND_NONE;
	return 0;
}

static enum err
decode_json(const struct request *req, struct call *c)
{
	struct json_tokener *tok = NULL;
	json_object *root = NULL;
	const char *project, *app;
	size_t pn, an;
	enum err e;

	if ((e = json_check_object(req->body, req->body_len)) != ERR_OK)
		return e;
	if (req->body == NULL || req->body[strspn(req->body, " \t\r\n")] ==
	    '\0')
		return ERR_OK;		/* empty: every field absent */
	tok = json_tokener_new_ex(JSON_DEPTH + 1);
	if (tok == NULL)
		return ERR_INTERNAL;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	root = json_tokener_parse_ex(tok, req->body, (int)req->body_len);
	e = ERR_BAD_BODY;
	if (root == NULL || !json_object_is_type(root, json_type_object))
		goto out;
	if (id_field(root, "projectId", "project_id", &project, &pn) != 0 ||
	    id_field(root, "applicationId", "application_id", &app,
	    &an) != 0)
		goto out;
	if (c->rpc == RPC_V2BETA && app_type(root, c) != 0)
		goto out;
	if (call_set_ids(c, project, pn, app, an) != 0)
		goto out;
	e = ERR_OK;
out:
	json_object_put(root);
	json_tokener_free(tok);
	return e;
}

static enum err
connect_decode(int form, const struct request *req, struct call *c)
{
	enum err e;

	if ((e = headers(req, c)) != ERR_OK)
		return e;
	if (form == CONNECT_PROTO)
		return proto_decode(req->body != NULL ? req->body : "",
		    req->body != NULL ? req->body_len : 0, c);
	return decode_json(req, c);
}

/* {"clientSecret":"...","creationDate":"..."}: the v2 calls' answer. */
static int
encode_json(const struct outcome *o, struct response *resp)
{
	json_object *root = jsonout_secret_object(o->client_secret);
	int rc = -1;

	/* The v2 calls date the secret: this change. */
	if (root != NULL &&
	    jsonout_time(root, "creationDate", o->change_date) == 0 &&
	    jsonout_body(root, o->client_secret, resp) == 0)
		rc = 0;
	json_object_put(root);
	return rc;
}

static int
connect_encode(int form, const struct call *c, const struct outcome *o,
    struct response *resp)
{
	unsigned char *msg;
	size_t len;

	if (c->rpc != RPC_V2 && c->rpc != RPC_V2BETA)
		return -1;		/* the v1 calls are not served here */
	if (form == CONNECT_JSON) {
		if (encode_json(o, resp) != 0)
			return -1;
	} else {
		msg = proto_response(c, o, 0, 0, &len);
		if (msg == NULL)
			return -1;
		resp->body = (char *)msg;
		resp->body_len = len;
		resp->content_type = "application/proto";
	}
	resp->status = 200;
	return 0;
}

/* Connect: errors are JSON whatever the request's codec. */
static int
connect_error(int form, enum err kind, struct response *resp)
{
	const struct err_info *e = err_info(kind);
	json_object *root = NULL, *details = NULL, *detail = NULL, *debug;
	unsigned char raw[PROTO_ERROR_MAX];
	char value[B64_LEN(PROTO_ERROR_MAX) + 1], message[256];
	size_t n;
	int rc = -1;

	(void)form;
	n = proto_error_detail(kind, raw, sizeof(raw));
	if (n == 0)
		return -1;
	/* Connect: details' values are unpadded base64. */
	b64_encode(raw, n, value, B64_UNPADDED);
	snprintf(message, sizeof(message), "%s (%s)", e->text, e->id);
	root = json_object_new_object();
	details = json_object_new_array();
	detail = json_object_new_object();
	debug = json_object_new_object();
	if (root == NULL || details == NULL || detail == NULL ||
	    debug == NULL) {
		json_object_put(debug);
		goto out;
	}
	if (jsonout_string(root, "code", err_connect_code(e->grpc)) != 0 ||
	    jsonout_string(root, "message", message) != 0 ||
	    jsonout_string(detail, "type", "zitadel.v1.ErrorDetail") != 0 ||
	    jsonout_string(detail, "value", value) != 0 ||
	    jsonout_string(debug, "id", e->id) != 0 ||
	    jsonout_string(debug, "message", e->text) != 0) {
		json_object_put(debug);
		goto out;
	}
	/* "debug" is for people reading the wire; clients use "value". */
	if (json_object_object_add(detail, "debug", debug) != 0) {
		json_object_put(debug);
		goto out;
	}
	if (json_object_array_add(details, detail) != 0)
		goto out;
	detail = NULL;
	if (json_object_object_add(root, "details", details) != 0)
		goto out;
	details = NULL;
	if (jsonout_body(root, NULL, resp) != 0)
		goto out;
	resp->status = err_http(kind);
	rc = 0;
out:
	json_object_put(detail);
	json_object_put(details);
	json_object_put(root);
	return rc;
}

const struct codec codec_connect = {
	"connect", connect_form, connect_decode, connect_encode, connect_error
};
