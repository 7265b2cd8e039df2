/*
 * fake_store.c - the store interface answered from memory (fake_store.h).
 */
#include "fake_store.h"

#include <stdio.h>
#include <string.h>

struct fake_store fake;

#define COPY(out, s) \
	snprintf((out), sizeof(out), "%s", (s) != NULL ? (s) : "(null)")

void
fake_store_reset(void)
{
	memset(&fake, 0, sizeof(fake));
	fake.token.found = 1;
	fake.token.user_active = 1;
	fake.token.org_active = 1;
	COPY(fake.token.user_id, FAKE_USER);
	COPY(fake.token.user_org, FAKE_USER_ORG);
	COPY(fake.token.username, FAKE_USERNAME);
	COPY(fake.token.audience, "other " FAKE_API_PROJECT " more");
	fake.token.created.sec = 1795774000;
	fake.token.expires.sec = 1795817200;

	fake.app.org_active = 1;
	fake.app.permitted = 1;
	fake.app.app_found = 1;
	fake.app.owner_active = 1;
	fake.app.kind = APP_OIDC;
	fake.app.has_config = 1;
	fake.app.created.sec = 1795774272;
	fake.app.created.nsec = 123456000;
	COPY(fake.app.resource_owner, FAKE_OWNER);

	fake.user.org_active = 1;
	fake.user.permitted = 1;
	fake.user.found = 1;
	fake.user.owner_active = 1;
	fake.user.has_secret = 1;
	fake.user.key_found = 1;
	COPY(fake.user.owner, FAKE_OWNER);
	COPY(fake.user.username, FAKE_MACHINE_NAME);

	fake.result.sequence = 8;
	fake.result.change_date.sec = 1795785255;
	fake.result.change_date.nsec = 500000000;
	fake.result.lock_ns = 1000;
	fake.result.attempts = 1;

	fake.machine_client.found = 1;
	fake.machine_client.active = 1;
	COPY(fake.machine_client.id, FAKE_MACHINE);
	COPY(fake.machine_client.owner, FAKE_OWNER);
	COPY(fake.machine_client.username, FAKE_MACHINE_NAME);
	fake.api_client.found = 1;
	fake.api_client.active = 1;
	COPY(fake.api_client.id, "api-app-1");
	COPY(fake.api_client.owner, FAKE_OWNER);
	COPY(fake.api_client.project_id, "project-1");
	fake.key.found = 1;
	COPY(fake.key.owner, FAKE_OWNER);
	COPY(fake.key.username, FAKE_MACHINE_NAME);
}

static void
called(const char *what)
{
	size_t n = strlen(fake.calls);

	snprintf(fake.calls + n, sizeof(fake.calls) - n, "%s%s",
	    n > 0 ? "," : "", what);
}

enum err
store_token(struct store *s, const char *digest, struct token_row *out)
{
	(void)s;
	fake.token_calls++;
	called("token");
	COPY(fake.digest, digest);
	memset(out, 0, sizeof(*out));
	if (fake.token_rc == ERR_OK)
		*out = fake.token;
	return fake.token_rc;
}

enum err
store_access_token_add(struct store *s, const char *digest,
    const char *user_id, const char *audience, const char *scopes,
    struct ts created, struct ts expires)
{
	(void)s;
	called("token_add");
	COPY(fake.token_add.digest, digest);
	COPY(fake.token_add.user_id, user_id);
	COPY(fake.token_add.audience, audience);
	COPY(fake.token_add.scopes, scopes);
	fake.token_add.created = created;
	fake.token_add.expires = expires;
	return fake.token_add_rc;
}

enum err
store_app_lookup(struct store *s, const struct app_key *k,
    struct app_lookup *out)
{
	(void)s;
	called("app_lookup");
	COPY(fake.app_key.user_id, k->user_id);
	COPY(fake.app_key.user_org, k->user_org);
	fake.app_key.v1 = k->v1;
	COPY(fake.app_key.org, k->org);
	COPY(fake.app_key.project, k->project_id);
	COPY(fake.app_key.app, k->app_id);
	COPY(fake.app_key.permission, k->permission);
	memset(out, 0, sizeof(*out));
	if (fake.app_lookup_rc == ERR_OK)
		*out = fake.app;
	return fake.app_lookup_rc;
}

/* The change's answer: stale for the first fake.stale_calls calls. */
static enum err
change_answer(enum err rc, struct change_result *out)
{
	fake.change_calls++;
	memset(out, 0, sizeof(*out));
	if (rc != ERR_OK)
		return rc;
	*out = fake.result;
	out->stale = fake.change_calls <= fake.stale_calls;
	return ERR_OK;
}

enum err
store_app_secret(struct store *s, const struct app_secret_change *c,
    struct change_result *out)
{
	(void)s;
	called("app_secret");
	COPY(fake.app_change.project, c->project_id);
	COPY(fake.app_change.app, c->app_id);
	fake.app_change.kind = c->kind;
	COPY(fake.app_change.org, c->org_id);
	COPY(fake.app_change.editor, c->editor);
	COPY(fake.app_change.digest, c->digest);
	COPY(fake.app_change.permission, c->permission);
	COPY(fake.app_change.hash, c->hash);
	fake.app_change.grace_s = c->grace_s;
	fake.app_change.deadline_ns = c->deadline_ns;
	return change_answer(fake.app_secret_rc, out);
}

enum err
store_user_lookup(struct store *s, const struct user_key *k,
    struct user_lookup *out)
{
	(void)s;
	called("user_lookup");
	COPY(fake.user_key.caller, k->caller);
	COPY(fake.user_key.caller_org, k->caller_org);
	fake.user_key.v1 = k->v1;
	COPY(fake.user_key.org, k->org);
	COPY(fake.user_key.user, k->user_id);
	COPY(fake.user_key.key, k->key_id);
	COPY(fake.user_key.permission, k->permission);
	memset(out, 0, sizeof(*out));
	if (fake.user_lookup_rc == ERR_OK)
		*out = fake.user;
	return fake.user_lookup_rc;
}

enum err
store_user_change(struct store *s, const struct machine_change *c,
    struct change_result *out)
{
	(void)s;
	called("user_change");
	fake.user_change.kind = c->kind;
	COPY(fake.user_change.user, c->user_id);
	COPY(fake.user_change.owner, c->owner);
	COPY(fake.user_change.editor, c->editor);
	COPY(fake.user_change.digest, c->digest);
	COPY(fake.user_change.permission, c->permission);
	COPY(fake.user_change.hash, c->hash);
	fake.user_change.grace_s = c->grace_s;
	COPY(fake.user_change.key, c->key_id);
	COPY(fake.user_change.public_key, c->public_key);
	fake.user_change.expires = c->expires;
	return change_answer(fake.user_change_rc, out);
}

enum err
store_machine_client(struct store *s, const char *client_id,
    struct client_row *out)
{
	(void)s;
	called("machine_client");
	COPY(fake.client_id, client_id);
	memset(out, 0, sizeof(*out));
	if (fake.machine_client_rc == ERR_OK)
		*out = fake.machine_client;
	return fake.machine_client_rc;
}

enum err
store_api_client(struct store *s, const char *client_id,
    struct client_row *out)
{
	(void)s;
	called("api_client");
	COPY(fake.client_id, client_id);
	memset(out, 0, sizeof(*out));
	if (fake.api_client_rc == ERR_OK)
		*out = fake.api_client;
	return fake.api_client_rc;
}

enum err
store_machine_key(struct store *s, const char *user_id, const char *key_id,
    struct key_row *out)
{
	(void)s;
	called("machine_key");
	COPY(fake.key_user, user_id);
	COPY(fake.key_id, key_id);
	memset(out, 0, sizeof(*out));
	if (fake.key_rc == ERR_OK)
		*out = fake.key;
	return fake.key_rc;
}

enum err
store_project_exists(struct store *s, const char *project_id, int *found)
{
	(void)s;
	called("project");
	COPY(fake.project, project_id);
	*found = fake.project_rc == ERR_OK && fake.project_found;
	return fake.project_rc;
}

enum err
store_ping(struct store *s)
{
	(void)s;
	fake.ping_calls++;
	called("ping");
	return fake.ping_rc;
}
