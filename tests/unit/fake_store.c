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
	fake.result.app = fake.app;
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

enum err
store_token(struct store *s, const char *sha256_hex, struct token_row *out)
{
	(void)s;
	fake.token_calls++;
	called("token");
	copy(fake.digest, sizeof(fake.digest), sha256_hex);
	if (fake.token_rc == ERR_OK)
		*out = fake.token;
	return fake.token_rc;
}

enum err
store_org_active(struct store *s, const char *org_id)
{
	(void)s;
	fake.org_calls++;
	called("org");
	copy(fake.org, sizeof(fake.org), org_id);
	return fake.org_rc;
}

enum err
store_permission(struct store *s, const char *user_id, const char *org_id,
    const char *project_id, const char *permission)
{
	(void)s;
	fake.permission_calls++;
	called("permission");
	copy(fake.perm_user, sizeof(fake.perm_user), user_id);
	copy(fake.perm_org, sizeof(fake.perm_org), org_id);
	copy(fake.perm_project, sizeof(fake.perm_project), project_id);
	copy(fake.permission, sizeof(fake.permission), permission);
	return fake.permission_rc;
}

enum err
store_app(struct store *s, const char *project_id, const char *app_id,
    const char *org_id, struct app_row *out)
{
	(void)s;
	fake.app_calls++;
	called("app");
	copy(fake.app_project, sizeof(fake.app_project), project_id);
	copy(fake.app_app, sizeof(fake.app_app), app_id);
	copy(fake.app_org, sizeof(fake.app_org), org_id);
	if (fake.app_rc == ERR_OK)
		*out = fake.app;
	return fake.app_rc;
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
