/*
 * service.h - the call itself: authenticate, authorize, look up, generate
 * and hash, commit (doc/api.md for the order of the checks).
 *
 * It knows no transport.  Every codec decodes its wire into a struct call,
 * gets the same struct outcome or the same enum err back, and spells it on
 * its own wire.
 */
#ifndef OIDC_SECRET_SERVICE_H
#define OIDC_SECRET_SERVICE_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "error.h"
#include "route.h"
#include "secret.h"
#include "store.h"
#include "ts.h"

/* The app type a v2beta request names in its oneof. */
enum msg_kind { MSG_KIND_NONE, MSG_KIND_OIDC, MSG_KIND_API };

struct service {
	const struct config *cfg;
	struct store *store;
	struct hash_params hash;
};

struct call {
	enum rpc rpc;
	const char *authorization;	/* the header, or NULL */
	const char *org_header;		/* x-zitadel-orgid, or NULL (v1 only) */
	struct slice project_id;	/* into the path, or into ids[] */
	struct slice app_id;
	enum msg_kind msg_kind;		/* v2beta only */
	int64_t deadline_ns;		/* CLOCK_MONOTONIC; 0: none */
	char ids[2 * ID_BYTES];		/* IDs a codec decoded from a body */
};

struct outcome {
	char client_secret[SECRET_MAX + 1];	/* wiped by outcome_wipe() */
	uint64_t sequence;
	struct ts creation_date;	/* the app's */
	struct ts change_date;		/* this change's: the secret's birth */
	char resource_owner[ID_BYTES + 1];
	char user_id[ID_BYTES + 1];	/* for the log line; "" until known */
};

void service_init(struct service *svc, const struct config *cfg,
    struct store *store);

/*
 * Copies a decoded message's IDs into c->ids and points the slices at
 * them; -1 when either is longer than ID_BYTES.
 */
int call_set_ids(struct call *c, const void *project, size_t pn,
    const void *app, size_t an);

/* A new secret for the call's app; ERR_OK fills out. */
enum err service_regenerate(struct service *svc, const struct call *c,
    struct outcome *out);

void outcome_wipe(struct outcome *out);

#endif
