/*
 * fake_store.h - the store interface (src/store.h) answered from memory,
 * for tests of the code above the store: each function answers the row
 * set here (or its error), and every call is counted and recorded with
 * what it was asked.  A test linking this never links src/store*.c, so no
 * database is involved.
 */
#ifndef OIDC_SECRET_TEST_FAKE_STORE_H
#define OIDC_SECRET_TEST_FAKE_STORE_H

#include "secret.h"
#include "store.h"

#define FAKE_USER "user-1"
#define FAKE_USER_ORG "org-1"
#define FAKE_USERNAME "alice"
#define FAKE_OWNER "org-owner"
#define FAKE_API_PROJECT "api-project"
#define FAKE_MACHINE "machine-1"	/* a machine user's ID */
#define FAKE_MACHINE_NAME "svc-bot"	/* and its client ID */

/* A text argument as the fake saw it: "(null)" for NULL. */
#define FAKE_TEXT 2100

struct fake_store {
	/* --- what the functions answer -------------------------------- */
	enum err token_rc;
	struct token_row token;		/* store_token, on ERR_OK */
	enum err token_add_rc;
	enum err app_lookup_rc;
	struct app_lookup app;		/* store_app_lookup */
	enum err app_secret_rc;
	enum err user_lookup_rc;
	struct user_lookup user;	/* store_user_lookup */
	enum err user_change_rc;
	/* Both change functions: the result, stale for the first n calls. */
	struct change_result result;
	unsigned stale_calls;
	enum err machine_client_rc;
	struct client_row machine_client;	/* store_machine_client */
	enum err api_client_rc;
	struct client_row api_client;		/* store_api_client */
	enum err key_rc;
	struct key_row key;		/* store_machine_key */
	enum err project_rc;
	int project_found;		/* store_project_exists */
	enum err ping_rc;

	/* --- what they were asked ------------------------------------- */
	/* Every call, in order: "token,app_lookup,app_secret". */
	char calls[256];
	unsigned token_calls, change_calls, ping_calls;
	char digest[SHA256_HEX];	/* store_token's last */
	struct {			/* store_access_token_add's last */
		char digest[SHA256_HEX];
		char user_id[ID_BYTES + 1];
		char audience[AUDIENCE_MAX + 1];
		char scopes[SCOPES_MAX + 1];
		struct ts created, expires;
	} token_add;
	struct {			/* store_app_lookup's last key */
		char user_id[ID_BYTES + 1];
		char user_org[ID_BYTES + 1];
		int v1;
		char org[ID_BYTES + 1];
		char project[ID_BYTES + 1];
		char app[ID_BYTES + 1];
		char permission[64];
	} app_key;
	struct {			/* store_app_secret's last change */
		char project[ID_BYTES + 1];
		char app[ID_BYTES + 1];
		enum app_kind kind;
		char org[ID_BYTES + 1];
		char editor[ID_BYTES + 1];
		char digest[SHA256_HEX];
		char permission[64];
		char hash[HASH_MAX];
		unsigned grace_s;
		int64_t deadline_ns;
	} app_change;
	struct {			/* store_user_lookup's last key */
		char caller[ID_BYTES + 1];
		char caller_org[ID_BYTES + 1];
		int v1;
		char org[ID_BYTES + 1];
		char user[ID_BYTES + 1];
		char key[ID_BYTES + 1];
		char permission[64];
	} user_key;
	struct {			/* store_user_change's last change */
		enum machine_change_kind kind;
		char user[ID_BYTES + 1];
		char owner[ID_BYTES + 1];
		char editor[ID_BYTES + 1];
		char digest[SHA256_HEX];
		char permission[64];
		char hash[HASH_MAX];
		unsigned grace_s;
		char key[ID_BYTES + 1];
		char public_key[PEM_MAX];
		struct ts expires;
	} user_change;
	char client_id[FAKE_TEXT];	/* the client stores' last */
	char key_user[FAKE_TEXT];	/* store_machine_key's last */
	char key_id[FAKE_TEXT];
	char project[FAKE_TEXT];	/* store_project_exists' last */
};

extern struct fake_store fake;

/*
 * Every answer a success: an access token of FAKE_USER (FAKE_USERNAME) in
 * FAKE_USER_ORG, both active, whose audience holds FAKE_API_PROJECT; an
 * active OIDC app with its configuration, owned by FAKE_OWNER, that the
 * user may change; an active machine user FAKE_MACHINE of FAKE_OWNER with
 * a secret and the key asked for; changes to sequence 8; clients found,
 * active, without a secret; no project.  No call recorded.
 */
void fake_store_reset(void);

#endif
