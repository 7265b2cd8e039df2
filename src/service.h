/*
 * service.h - the call itself, knowing no transport (SPEC sections 4, 5).
 *
 * REST and gRPC-web decode into struct call, get the same struct outcome or
 * the same error kind back, and encode it their own way.
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

struct service {
	const struct config *cfg;
	struct store *store;
	struct hash_params hash;
};

struct call {
	const char *authorization;	/* the header, or NULL */
	const char *org_header;		/* x-zitadel-orgid, or NULL */
	struct slice project_id;
	struct slice app_id;
};

struct outcome {
	char client_secret[SECRET_MAX + 1];	/* wiped by outcome_wipe() */
	uint64_t sequence;
	struct ts creation_date;
	struct ts change_date;
	char resource_owner[ID_BYTES + 1];
	char user_id[ID_BYTES + 1];	/* for the log line; "" until known */
	int64_t lock_ns;
};

void service_init(struct service *svc, const struct config *cfg,
    struct store *store);

/* Regenerate the app's secret; ERR_OK fills out. */
enum err service_regenerate(struct service *svc, const struct call *c,
    struct outcome *out);

void outcome_wipe(struct outcome *out);

#endif
