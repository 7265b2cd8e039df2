/*
 * calls.h - every route served, in one table: its path, its methods, the
 * wires that may carry it, its messages, and the service function that
 * answers it (doc/contributing.md, "Adding a call").
 */
#ifndef OIDC_SECRET_CALLS_H
#define OIDC_SECRET_CALLS_H

#include "error.h"
#include "msg.h"

/* How a path is spelled, and so which codecs may carry its call. */
enum family {
	FAMILY_REST,	/* grpc-gateway's JSON: /management/v1/... */
	FAMILY_GRPC,	/* gRPC-web: /zitadel.management.v1.Management... */
	FAMILY_CONNECT,	/* Connect and gRPC-web: the v2 services */
	FAMILY_OAUTH,	/* OAuth 2.0: forms in, JSON out (RFC 6749) */
	FAMILY_PLAIN	/* health: text out */
};

struct service;
struct call;
struct answer;

struct call_def {
	const char *name;	/* in the request log line */
	enum family family;	/* of path */
	const char *methods;	/* of path: "POST", "GET, POST" */
	const char *path;	/* "/zitadel.user.v2.UserService/AddSecret" */
	/* grpc-gateway's binding (google.api.http), or NULL */
	const char *rest_method;
	const char *rest_path;	/* "/management/v1/users/{user_id}/secret" */
	const struct message *req, *resp;
	enum err (*run)(struct service *svc, const struct call *c,
	    struct answer *o);
	const void *rule;	/* what run() needs to know of this call */
};

extern const struct call_def calls[];
extern const size_t ncalls;

#endif
