/*
 * unit.h - what the tests of the call table and its codecs and services
 * share: a row of calls.c by name, a header of an answer, a string member
 * of a JSON object, and a service over a test configuration.  Include it
 * after <cmocka.h>.
 */
#ifndef OIDC_SECRET_TEST_UNIT_H
#define OIDC_SECRET_TEST_UNIT_H

#include <json-c/json.h>
#include <string.h>

#include "calls.h"
#include "config.h"
#include "log.h"
#include "request.h"
#include "service.h"

/* The row of calls.c called name (the first, where two share it). */
static inline const struct call_def *
unit_call(const char *name)
{
	size_t i;

	for (i = 0; i < ncalls; i++)
		if (strcmp(calls[i].name, name) == 0)
			return &calls[i];
	fail_msg("no call %s", name);
	return &calls[0];	/* not reached */
}

/* c's argument slot set to the string s, or unset (NULL). */
static inline void
unit_arg(struct call *c, unsigned slot, const char *s)
{
	c->arg[slot].set = s != NULL;
	c->arg[slot].s.p = s;
	c->arg[slot].s.n = s != NULL ? strlen(s) : 0;
}

/* The value of resp's header name, or NULL. */
static inline const char *
unit_header(const struct response *resp, const char *name)
{
	size_t i;

	for (i = 0; i < resp->nheader; i++)
		if (strcmp(resp->header[i].name, name) == 0)
			return resp->header[i].value;
	return NULL;
}

/* The string member key of obj, or NULL. */
static inline const char *
unit_json_str(json_object *obj, const char *key)
{
	json_object *v = NULL;

	if (!json_object_object_get_ex(obj, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/*
 * The defaults, api_project_id, bcrypt at its lowest cost (what a test
 * can hash quickly) and key = value, and a service over them with a store
 * handle a fake store never looks at.  The errors some cases log on
 * purpose go to /dev/null.  -1 on failure.
 */
static inline int
unit_service(struct config *cfg, struct service *svc,
    const char *api_project_id, const char *key, const char *value)
{
	char err[256];

	if (secret_init() != 0)
		return -1;
	config_defaults(cfg);
	if (config_set(cfg, "api_project_id", api_project_id, err,
	    sizeof(err)) != 0 ||
	    config_set(cfg, "hash_algorithm", "bcrypt", err,
	    sizeof(err)) != 0 ||
	    config_set(cfg, "bcrypt_cost", "4", err, sizeof(err)) != 0 ||
	    config_set(cfg, key, value, err, sizeof(err)) != 0)
		return -1;
	service_init(svc, cfg, (struct store *)cfg);
	log_set_level(LOG_ERROR);
	return log_open_file("/dev/null", err, sizeof(err));
}

#endif
