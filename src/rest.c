/*
 * rest.c - JSON in, JSON out, as ZITADEL's grpc-gateway writes it.
 *
 * The only module (with grpcweb.c) that touches json-c, which writes the
 * answers.  The request body carries nothing we need (path values win), but
 * it must be empty or one JSON object: a strict RFC 8259 reader with a depth
 * limit checks it, since json-c's parser, even in strict mode, takes
 * single-quoted keys and NaN.  uint64 goes out as a decimal string and Timestamp as RFC 3339,
 * as protobuf's JSON mapping says.  The clear secret never enters json-c's
 * buffers: a placeholder of its length is serialised and overwritten in our
 * own buffer, which response_free() wipes.
 */
#include "rest.h"

#include <ctype.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "utf8.h"

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

/* --- RFC 8259, strictly: json-c's parser takes 'x' and NaN even when strict --- */

struct cursor {
	const unsigned char *p, *end;
};

static void
skip_space(struct cursor *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' ||
	    *c->p == '\r' || *c->p == '\n'))
		c->p++;
}

static int
take(struct cursor *c, char ch)
{
	if (c->p < c->end && *c->p == (unsigned char)ch) {
		c->p++;
		return 1;
	}
	return 0;
}

static int
literal(struct cursor *c, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(c->end - c->p) < n || memcmp(c->p, word, n) != 0)
		return -1;
	c->p += n;
	return 0;
}

static int
digits(struct cursor *c)
{
	const unsigned char *start = c->p;

	while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
		c->p++;
	return c->p > start ? 0 : -1;
}

/* number = [ minus ] int [ frac ] [ exp ] (RFC 8259 section 6) */
static int
number(struct cursor *c)
{
	take(c, '-');
	if (take(c, '0')) {
		if (c->p < c->end && *c->p >= '0' && *c->p <= '9')
			return -1;
	} else if (digits(c) != 0)
		return -1;
	if (take(c, '.') && digits(c) != 0)
		return -1;
	if (take(c, 'e') || take(c, 'E')) {
		if (!take(c, '+'))
			take(c, '-');
		if (digits(c) != 0)
			return -1;
	}
	return 0;
}

/* string (RFC 8259 section 7), its bytes valid UTF-8 (section 8.1) */
static int
string(struct cursor *c)
{
	if (!take(c, '"'))
		return -1;
	while (c->p < c->end) {
		unsigned long cp;
		size_t k;
		int i;

		if (*c->p == '"') {
			c->p++;
			return 0;
		}
		if (*c->p == '\\') {
			c->p++;
			if (c->p == c->end)
				return -1;
			if (*c->p == 'u') {
				c->p++;
				for (i = 0; i < 4; i++, c->p++)
					if (c->p == c->end || !isxdigit(*c->p))
						return -1;
				continue;
			}
			if (strchr("\"\\/bfnrt", *c->p) == NULL || *c->p == '\0')
				return -1;
			c->p++;
			continue;
		}
		if (*c->p < 0x20)
			return -1;
		k = utf8_next(c->p, (size_t)(c->end - c->p), &cp);
		if (k == 0)
			return -1;
		c->p += k;
	}
	return -1;
}

static int
value(struct cursor *c, int depth)
{
	if (c->p == c->end)
		return -1;
	switch (*c->p) {
	case '{':
		if (depth == 0)
			return -1;
		c->p++;
		skip_space(c);
		if (take(c, '}'))
			return 0;
		do {
			skip_space(c);
			if (string(c) != 0)
				return -1;
			skip_space(c);
			if (!take(c, ':'))
				return -1;
			skip_space(c);
			if (value(c, depth - 1) != 0)
				return -1;
			skip_space(c);
		} while (take(c, ','));
		return take(c, '}') ? 0 : -1;
	case '[':
		if (depth == 0)
			return -1;
		c->p++;
		skip_space(c);
		if (take(c, ']'))
			return 0;
		do {
			skip_space(c);
			if (value(c, depth - 1) != 0)
				return -1;
			skip_space(c);
		} while (take(c, ','));
		return take(c, ']') ? 0 : -1;
	case '"':
		return string(c);
	case 't':
		return literal(c, "true");
	case 'f':
		return literal(c, "false");
	case 'n':
		return literal(c, "null");
	default:
		return number(c);
	}
}

enum err
rest_check_body(const char *body, size_t len)
{
	struct cursor c = { (const unsigned char *)body,
	    (const unsigned char *)body + len };

	skip_space(&c);
	if (c.p == c.end)
		return ERR_OK;		/* empty, or only white space */
	/* The body must be an object; its members are not used (path wins). */
	if (*c.p != '{' || value(&c, REST_JSON_DEPTH) != 0)
		return ERR_BAD_BODY;
	skip_space(&c);
	return c.p == c.end ? ERR_OK : ERR_BAD_BODY;
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
