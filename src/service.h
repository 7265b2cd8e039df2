/*
 * service.h - the calls themselves: each authenticates, authorizes, looks
 * up, and changes what it changes, in the order doc/api.md gives.
 *
 * They know no transport.  Every codec decodes its wire into a struct call
 * (the request message's values, by slot), gets back an enum err or a
 * struct answer (the answer's values, by slot), and spells it on its own
 * wire.  calls.c says which function answers which route.
 */
#ifndef OIDC_SECRET_SERVICE_H
#define OIDC_SECRET_SERVICE_H

#include <stddef.h>
#include <stdint.h>

#include "calls.h"
#include "config.h"
#include "error.h"
#include "ids.h"
#include "jsonmsg.h"
#include "msg.h"
#include "secret.h"
#include "store.h"

struct service {
	const struct config *cfg;
	struct store *store;
	struct hash_params hash;
	struct ids ids;		/* new key IDs */
};

struct call {
	const struct call_def *def;
	const char *authorization;	/* the header, or NULL */
	const char *org_header;		/* x-zitadel-orgid, or NULL */
	int basic;			/* HTTP Basic credentials came */
	int64_t deadline_ns;		/* CLOCK_MONOTONIC; 0: none */
	/* issuer, or the request's own https://host when it is not set */
	char issuer[256];
	struct value arg[ARG__COUNT];
	/* decoded values that are copies; wiped by call_free() */
	struct arena arena;
};

#define ANSWER_POOL 16384

struct answer {
	struct value out[OUT__COUNT];
	/* For the request log line. */
	char user_id[ID_BYTES + 1];	/* the caller, once known */
	/* A committed change: what changed, its aggregate's new sequence. */
	int committed;
	const char *object_kind;	/* "app", "user" */
	char object[ID_BYTES + 1];
	uint64_t sequence;
	/* Why a request was refused, for the log: never a token or secret. */
	const char *reason;
	/* What out[]'s strings point into; wiped by answer_wipe(). */
	char pool[ANSWER_POOL];
	size_t used;
};

void service_init(struct service *svc, const struct config *cfg,
    struct store *store);

/* An arena for the call's copies, sized for a request of len bytes. */
int call_init(struct call *c, const struct call_def *def, size_t len);
void call_free(struct call *c);

/* A string answer: copied into o's pool; -1 when the pool is full. */
int answer_str(struct answer *o, unsigned slot, const char *s, size_t n);
int answer_cstr(struct answer *o, unsigned slot, const char *s);
void answer_wipe(struct answer *o);

/* 1 once the call's deadline has passed. */
int call_past_deadline(const struct call *c);

/*
 * A new client secret of secret_length characters and its hash, made
 * before any transaction opens.  ERR_INTERNAL (logged) when either fails;
 * the caller wipes both either way.
 */
enum err service_new_secret(struct service *svc, char secret[SECRET_MAX + 1],
    char hash[HASH_MAX]);

/*
 * The call's bearer token: digest, row, and whether it is good, with
 * audience required unless NULL (auth.h).  Fills o->user_id and, on a
 * refusal, o->reason.
 */
enum err service_authenticate(struct service *svc, const struct call *c,
    const char *audience, char digest[SHA256_HEX], struct token_row *t,
    struct answer *o);

/* What the app secret calls may change, and how they word errors. */
enum app_want { WANT_OIDC, WANT_API, WANT_ANY, WANT_MESSAGE };

struct app_rule {
	enum app_want want;
	int v1;			/* acts in x-zitadel-orgid or the user's org */
	enum err id_missing;
	enum err not_found;
};

/* The machine user calls' own errors. */
struct user_rule {
	int v1;
	enum err id_missing;	/* the user ID empty */
	enum err not_found;	/* no such active machine user */
};

/* The services, by the routes calls.c gives them. */
enum err service_regenerate(struct service *svc, const struct call *c,
    struct answer *o);
enum err service_machine_secret(struct service *svc, const struct call *c,
    struct answer *o);
enum err service_machine_secret_remove(struct service *svc,
    const struct call *c, struct answer *o);
enum err service_machine_key_add(struct service *svc, const struct call *c,
    struct answer *o);
enum err service_machine_key_remove(struct service *svc,
    const struct call *c, struct answer *o);
enum err service_token(struct service *svc, const struct call *c,
    struct answer *o);
enum err service_introspect(struct service *svc, const struct call *c,
    struct answer *o);
enum err service_userinfo(struct service *svc, const struct call *c,
    struct answer *o);
enum err service_discovery(struct service *svc, const struct call *c,
    struct answer *o);
enum err service_authorize(struct service *svc, const struct call *c,
    struct answer *o);
enum err service_healthz(struct service *svc, const struct call *c,
    struct answer *o);
enum err service_ready(struct service *svc, const struct call *c,
    struct answer *o);

#endif
