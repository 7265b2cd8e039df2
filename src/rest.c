/*
 * rest.c - the REST codec: JSON in, JSON out, as ZITADEL's grpc-gateway
 * writes it (doc/api.md).
 *
 * The request body carries nothing we need (the path's IDs win), but it
 * must be empty or one JSON object, checked strictly (jsonstrict.c).  As
 * grpc-gateway does, any content type but gRPC's is read as JSON, so
 * `curl -d '{}'` works.  uint64 goes out as a decimal string and Timestamp
 * as RFC 3339, as protobuf's JSON mapping says; the clear secret never
 * enters json-c's buffers (jsonout.c).
 */
#include "rest.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "jsonout.h"
#include "jsonstrict.h"


/* Everything but gRPC's own types (RFC 9110 8.3.1: case-insensitive). */
static int
rest_form(const char *ct)
{
	static const char grpc[] = "application/grpc";
	size_t n = sizeof(grpc) - 1;

	if (ct == NULL || strncasecmp(ct, grpc, n) != 0)
		return 0;
	/* application/grpc, application/grpc+proto, application/grpc-web... */
	return ct[n] == '\0' || strchr(";+- \t", ct[n]) != NULL ? -1 : 0;
}

static enum err
rest_decode(int form, const struct request *req, struct call *c)
{
	(void)form;
	(void)c;		/* the route gave the IDs */
	return json_check_object(req->body, req->body_len);
}

static int
rest_encode(int form, const struct call *c, const struct outcome *o,
    struct response *resp)
{
	json_object *root, *details = NULL;
	char seq[24];
	int rc = -1;

	(void)form;
	(void)c;		/* both v1 calls answer the same shape */
	snprintf(seq, sizeof(seq), "%" PRIu64, o->sequence);
	root = jsonout_secret_object(o->client_secret);
	details = json_object_new_object();
	if (root == NULL || details == NULL)
		goto out;
	if (jsonout_string(details, "sequence", seq) != 0 ||
	    jsonout_time(details, "creationDate", o->creation_date) != 0 ||
	    jsonout_time(details, "changeDate", o->change_date) != 0 ||
	    jsonout_string(details, "resourceOwner", o->resource_owner) != 0)
		goto out;
	if (json_object_object_add(root, "details", details) != 0)
		goto out;
	details = NULL;
	if (jsonout_body(root, o->client_secret, resp) != 0)
		goto out;
	resp->status = 200;
	rc = 0;
out:
	json_object_put(details);
	json_object_put(root);
	return rc;
}

int
rest_encode_error(enum err kind, struct response *resp)
{
	const struct err_info *e = err_info(kind);
	json_object *root = NULL, *details = NULL, *detail = NULL;
	char message[256];
	int rc = -1;

	snprintf(message, sizeof(message), "%s (%s)", e->text, e->id);
	root = json_object_new_object();
	details = json_object_new_array();
	detail = json_object_new_object();
	if (root == NULL || details == NULL || detail == NULL)
		goto out;
	if (json_object_object_add(root, "code",
	    json_object_new_int(e->grpc)) != 0 ||
	    jsonout_string(root, "message", message) != 0 ||
	    jsonout_string(detail, "@type",
	    "type.googleapis.com/zitadel.v1.ErrorDetail") != 0 ||
	    jsonout_string(detail, "id", e->id) != 0 ||
	    jsonout_string(detail, "message", e->text) != 0)
		goto out;
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

static int
rest_error(int form, enum err kind, struct response *resp)
{
	(void)form;
	return rest_encode_error(kind, resp);
}

const struct codec codec_rest = {
	"rest", rest_form, rest_decode, rest_encode, rest_error
};
