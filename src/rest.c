/*
 * rest.c - JSON in, JSON out, as ZITADEL's grpc-gateway writes it.
 *
 * The only module (with grpcweb.c) that touches json-c.  The request body
 * carries nothing we need (path values win), but it must be empty or a JSON
 * object.  uint64 goes out as a decimal string and Timestamp as RFC 3339,
 * as protobuf's JSON mapping says.  The clear secret never enters json-c's
 * buffers: a placeholder of its length is serialised and overwritten in our
 * own buffer, which response_free() wipes.
 */
#include "rest.h"

#include <inttypes.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"

#define JSON_OUT_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)
#define SECRET_PREFIX "{\"clientSecret\":\""

int
rest_content_type_ok(const char *ct)
{
	size_t n;

	if (ct == NULL || ct[0] == '\0')
		return 1;
	n = strcspn(ct, "; \t");
	/* RFC 9110 8.3.1: type and subtype are case-insensitive. */
	return n == strlen("application/json") &&
	    strncasecmp(ct, "application/json", n) == 0;
}

static int
all_space(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			return 0;
	return 1;
}

enum err
rest_check_body(const char *body, size_t len)
{
	struct json_tokener *tok;
	json_object *obj;
	enum err e = ERR_BAD_BODY;
	size_t end;

	if (len == 0 || all_space(body, len))
		return ERR_OK;
	if (len > INT32_MAX)
		return ERR_BAD_BODY;
	tok = json_tokener_new_ex(REST_JSON_DEPTH);
	if (tok == NULL)
		return ERR_INTERNAL;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	obj = json_tokener_parse_ex(tok, body, (int)len);
	if (obj != NULL && json_tokener_get_error(tok) == json_tokener_success &&
	    json_object_is_type(obj, json_type_object)) {
		end = json_tokener_get_parse_end(tok);
		if (end <= len && all_space(body + end, len - end))
			e = ERR_OK;
	}
	json_object_put(obj);
	json_tokener_free(tok);
	return e;
}

/* Takes ownership of a json-c string as the response body. */
static int
set_body(struct response *resp, json_object *root, size_t *lenp)
{
	const char *s;
	size_t len;

	s = json_object_to_json_string_length(root, JSON_OUT_FLAGS, &len);
	if (s == NULL)
		return -1;
	resp->body = malloc(len + 1);
	if (resp->body == NULL)
		return -1;
	memcpy(resp->body, s, len + 1);
	resp->body_len = len;
	if (lenp != NULL)
		*lenp = len;
	return 0;
}

static int
add_string(json_object *o, const char *key, const char *value)
{
	json_object *v = json_object_new_string(value);

	if (v == NULL)
		return -1;
	return json_object_object_add(o, key, v);
}

static int
add_time(json_object *o, const char *key, struct ts t)
{
	char buf[TS_RFC3339_MAX];

	if (ts_format(t, buf, sizeof(buf)) != 0)
		return -1;
	return add_string(o, key, buf);
}

int
rest_encode_outcome(const struct outcome *o, struct response *resp)
{
	json_object *root = NULL, *details = NULL;
	char placeholder[SECRET_MAX + 1], seq[24];
	size_t slen = strlen(o->client_secret);
	int rc = -1;

	memset(placeholder, 'x', slen);
	placeholder[slen] = '\0';
	snprintf(seq, sizeof(seq), "%" PRIu64, o->sequence);
	root = json_object_new_object();
	details = json_object_new_object();
	if (root == NULL || details == NULL)
		goto out;
	if (add_string(details, "sequence", seq) != 0 ||
	    add_time(details, "creationDate", o->creation_date) != 0 ||
	    add_time(details, "changeDate", o->change_date) != 0 ||
	    add_string(details, "resourceOwner", o->resource_owner) != 0 ||
	    add_string(root, "clientSecret", placeholder) != 0)
		goto out;
	if (json_object_object_add(root, "details", details) != 0)
		goto out;
	details = NULL;
	if (set_body(resp, root, NULL) != 0)
		goto out;
	/* json-c keeps insertion order: the placeholder follows the prefix. */
	if (resp->body_len < sizeof(SECRET_PREFIX) - 1 + slen ||
	    memcmp(resp->body, SECRET_PREFIX, sizeof(SECRET_PREFIX) - 1) != 0) {
		log_msg(LOG_ERROR, "rest: unexpected JSON layout");
		goto out;
	}
	memcpy(resp->body + sizeof(SECRET_PREFIX) - 1, o->client_secret, slen);
	resp->status = 200;
	resp->content_type = "application/json";
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
	if (json_object_object_add(root, "code", json_object_new_int(e->grpc)) != 0 ||
	    add_string(root, "message", message) != 0 ||
	    add_string(detail, "@type", "type.googleapis.com/zitadel.v1.ErrorDetail") != 0 ||
	    add_string(detail, "id", e->id) != 0 ||
	    add_string(detail, "message", e->text) != 0)
		goto out;
	if (json_object_array_add(details, detail) != 0)
		goto out;
	detail = NULL;
	if (json_object_object_add(root, "details", details) != 0)
		goto out;
	details = NULL;
	if (set_body(resp, root, NULL) != 0)
		goto out;
	resp->status = err_http(kind);
	resp->content_type = "application/json";
	rc = 0;
out:
	json_object_put(detail);
	json_object_put(details);
	json_object_put(root);
	return rc;
}
