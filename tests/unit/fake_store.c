/*
 * fake_store.c - the store interface answered from memory (fake_store.h).
 */
#include "fake_store.h"

#include <stdio.h>
#include <string.h>

struct fake_store fake;

void
fake_store_reset(void)
{
	memset(&fake, 0, sizeof(fake));
	snprintf(fake.token.user_id, sizeof(fake.token.user_id), FAKE_USER);
	snprintf(fake.token.user_org, sizeof(fake.token.user_org),
	    FAKE_USER_ORG);
	snprintf(fake.token.audience, sizeof(fake.token.audience),
	    "other " FAKE_API_PROJECT " more");
	fake.app.kind = APP_OIDC;
	fake.app.created.sec = 1795774272;
	fake.app.created.nsec = 123456000;
	snprintf(fake.app.resource_owner, sizeof(fake.app.resource_owner),
	    FAKE_OWNER);
	fake.result.sequence = 8;
	fake.result.change_date.sec = 1795785255;
	fake.result.change_date.nsec = 500000000;
	fake.result.lock_ns = 1000;
	fake.result.attempts = 1;
}

static void
called(const char *what)
{
	size_t n = strlen(fake.calls);

	snprintf(fake.calls + n, sizeof(fake.calls) - n, "%s%s",
	    n > 0 ? "," : "", what);
}

static void
copy(char *out, size_t outlen, const char *s)
{
	snprintf(out, outlen, "%s", s != NULL ? s : "(null)");
}

/* A check's outcome as the statement's column: 1, 0, or a failure. */
static int
holds(enum err rc, enum err no, enum err *fail)
{
	if (rc == ERR_OK)
		return 1;
	if (rc != no && *fail == ERR_OK)
		*fail = rc;
	return 0;
}

enum err
store_lookup(struct store *s, const struct lookup_key *k, struct lookup *out)
{
	enum err fail = ERR_OK;

	(void)s;
	fake.token_calls++;
	called("lookup");
	copy(fake.digest, sizeof(fake.digest), k->digest);
	fake.v1 = k->v1;
	copy(fake.org, sizeof(fake.org), k->org);
	copy(fake.project, sizeof(fake.project), k->project_id);
	copy(fake.app_id, sizeof(fake.app_id), k->app_id);
	copy(fake.permission, sizeof(fake.permission), k->permission);
	memset(out, 0, sizeof(*out));
	out->token_found = holds(fake.token_rc, ERR_TOKEN_INVALID, &fail);
	out->org_active = holds(fake.org_rc, ERR_ORG_NOT_FOUND, &fail);
	out->permitted = holds(fake.permission_rc, ERR_PERMISSION_DENIED,
	    &fail);
	out->app_found = holds(fake.app_rc, ERR_APP_NOT_FOUND, &fail);
	if (fail != ERR_OK) {
		memset(out, 0, sizeof(*out));
		return fail;
	}
	if (!out->token_found) {
		memset(out, 0, sizeof(*out));
		return ERR_OK;
	}
	copy(out->user_id, sizeof(out->user_id), fake.token.user_id);
	copy(out->user_org, sizeof(out->user_org), fake.token.user_org);
	out->pat = fake.token.pat;
	copy(out->audience, sizeof(out->audience), fake.token.audience);
	if (out->app_found) {
		out->kind = fake.app.kind;
		out->has_config = !fake.app.no_config;
		out->created = fake.app.created;
		copy(out->resource_owner, sizeof(out->resource_owner),
		    fake.app.resource_owner);
	}
	return ERR_OK;
}

enum err
store_change_secret(struct store *s, const struct change *c,
    struct change_result *out)
{
	(void)s;
	fake.change_calls++;
	called("change");
	copy(fake.change.project, sizeof(fake.change.project), c->project_id);
	copy(fake.change.app, sizeof(fake.change.app), c->app_id);
	copy(fake.change.org, sizeof(fake.change.org), c->org_id);
	fake.change.kind = c->kind;
	copy(fake.change.editor, sizeof(fake.change.editor), c->editor);
	copy(fake.change.hash, sizeof(fake.change.hash), c->hash);
	if (fake.change_rc == ERR_OK)
		*out = fake.result;
	return fake.change_rc;
}

enum err
store_ping(struct store *s)
{
	(void)s;
	fake.ping_calls++;
	called("ping");
	return fake.ping_rc;
}
