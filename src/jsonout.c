/*
 * jsonout.c - JSON answers with json-c, with the clear secret kept out of
 * json-c's buffers.
 *
 * json-c serialises a placeholder of the secret's length; the secret is
 * written over it in our own copy of the text, which response_free()
 * wipes.  json-c keeps members in insertion order, so the placeholder
 * follows the opening brace: the check below makes sure.
 */
#include "jsonout.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "secret.h"

#define OUT_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)
#define SECRET_PREFIX "{\"clientSecret\":\""

int
jsonout_string(json_object *o, const char *key, const char *value)
{
	json_object *v = json_object_new_string(value);

	if (v == NULL)
		return -1;
	return json_object_object_add(o, key, v);
}

int
jsonout_time(json_object *o, const char *key, struct ts t)
{
	char buf[TS_RFC3339_MAX];

	if (ts_format(t, buf, sizeof(buf)) != 0)
		return -1;
	return jsonout_string(o, key, buf);
}

json_object *
jsonout_secret_object(const char *secret)
{
	char placeholder[SECRET_MAX + 1];
	size_t n = strlen(secret);
	json_object *root;

	if (n > SECRET_MAX)
		return NULL;
	memset(placeholder, 'x', n);
	placeholder[n] = '\0';
	root = json_object_new_object();
	if (root != NULL &&
	    jsonout_string(root, "clientSecret", placeholder) != 0) {
		json_object_put(root);
		root = NULL;
	}
	return root;
}

int
jsonout_body(json_object *root, const char *secret, struct response *resp)
{
	const char *s;
	size_t len, n = secret != NULL ? strlen(secret) : 0;
	char *body;

	s = json_object_to_json_string_length(root, OUT_FLAGS, &len);
	if (s == NULL)
		return -1;
	body = malloc(len + 1);
	if (body == NULL)
		return -1;
	memcpy(body, s, len + 1);
	if (secret != NULL) {
		if (len < sizeof(SECRET_PREFIX) - 1 + n ||
		    memcmp(body, SECRET_PREFIX, sizeof(SECRET_PREFIX) - 1)) {
			log_msg(LOG_ERROR, "json: unexpected layout");
			free(body);
			return -1;
		}
		memcpy(body + sizeof(SECRET_PREFIX) - 1, secret, n);
	}
	resp->body = body;
	resp->body_len = len;
	resp->content_type = "application/json";
	return 0;
}

const char *
jsonout_library_version(void)
{
	return json_c_version();
}
