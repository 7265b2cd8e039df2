/*
 * fake_store.h - the store interface (src/store.h) answered from memory,
 * for tests of the code above the store: what each function returns is
 * set here, and every call is counted and recorded.  A test linking this
 * never links src/store.c, so no database is involved.
 */
#ifndef OIDC_SECRET_TEST_FAKE_STORE_H
#define OIDC_SECRET_TEST_FAKE_STORE_H

#include "secret.h"
#include "store.h"

#define FAKE_USER "user-1"
#define FAKE_USER_ORG "org-1"
#define FAKE_OWNER "org-owner"
#define FAKE_API_PROJECT "api-project"

/*
 * store_lookup() answers one statement for every check; the fake builds
 * its answer from one outcome per check, as the statement would find it:
 * token_rc ERR_TOKEN_INVALID is no token, org_rc ERR_ORG_NOT_FOUND an
 * inactive org, permission_rc ERR_PERMISSION_DENIED no role, app_rc
 * ERR_APP_NOT_FOUND no app; any other error is the lookup's own failure.
 */
struct fake_store {
	/* What the functions answer. */
	enum err token_rc;
	struct {
		char user_id[ID_BYTES + 1];
		char user_org[ID_BYTES + 1];
		int pat;
		char audience[AUDIENCE_MAX + 1];
	} token;			/* on ERR_OK */
	enum err org_rc;
	enum err permission_rc;
	enum err app_rc;
	struct {
		enum app_kind kind;
		int no_config;		/* its configuration row is missing */
		struct ts created;
		char resource_owner[ID_BYTES + 1];
	} app;				/* on ERR_OK */
	enum err change_rc;
	struct change_result result;	/* on ERR_OK */
	enum err ping_rc;

	/* What they were asked. */
	unsigned token_calls;		/* lookups: each asks for the token */
	unsigned change_calls, ping_calls;
	char calls[128];		/* "lookup,change" */
	char digest[SHA256_HEX];	/* store_lookup's last key */
	int v1;
	char org[ID_BYTES + 1];		/* "(null)" for NULL */
	char project[ID_BYTES + 1];
	char app_id[ID_BYTES + 1];
	char permission[64];
	struct {			/* store_change_secret's last */
		char project[ID_BYTES + 1];
		char app[ID_BYTES + 1];
		char org[ID_BYTES + 1];	/* "(null)" for NULL */
		enum app_kind kind;
		char editor[ID_BYTES + 1];
		char hash[HASH_MAX];
	} change;
};

extern struct fake_store fake;

/*
 * Every lookup succeeds: an access token of FAKE_USER in FAKE_USER_ORG
 * whose audience holds FAKE_API_PROJECT, an active OIDC app owned by
 * FAKE_OWNER, a change to sequence 8; no call recorded.
 */
void fake_store_reset(void);

#endif
