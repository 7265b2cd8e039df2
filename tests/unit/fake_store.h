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

struct fake_store {
	/* What the functions answer. */
	enum err token_rc;
	struct token_row token;		/* on ERR_OK */
	enum err org_rc;
	enum err permission_rc;
	enum err app_rc;
	struct app_row app;		/* on ERR_OK */
	enum err change_rc;
	struct change_result result;	/* on ERR_OK */
	enum err ping_rc;

	/* What they were asked. */
	unsigned token_calls, org_calls, permission_calls, app_calls;
	unsigned change_calls, ping_calls;
	char calls[128];		/* "token,org,permission,app,change" */
	char digest[SHA256_HEX];	/* store_token's last */
	char org[ID_BYTES + 1];		/* store_org_active's last */
	char perm_user[ID_BYTES + 1];	/* store_permission's last */
	char perm_org[ID_BYTES + 1];	/* "(null)" for NULL */
	char perm_project[ID_BYTES + 1];
	char permission[64];
	char app_project[ID_BYTES + 1];	/* store_app's last */
	char app_app[ID_BYTES + 1];
	char app_org[ID_BYTES + 1];	/* "(null)" for NULL */
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
