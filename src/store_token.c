/*
 * store_token.c - bearer tokens: the one a request carries, looked up by
 * its SHA-256 with its user and organisation as they are now, and the ones
 * the token endpoint issues (doc/database.md).
 */
#include "store.h"
#include "store_internal.h"

#include <string.h>

/*
 * By its primary key; a token that is not there, the common refusal,
 * costs one key lookup.  What makes a token unusable comes back as flags,
 * so the log can say which (never the token).
 */
static const struct stmt st_token = { "token",
	"SELECT t.user_id, t.token_type = 'pat', t.audience, t.scopes,"
	" t.revoked_at IS NOT NULL,"
	" t.expires_at IS NOT NULL AND t.expires_at <= UTC_TIMESTAMP(6),"
	" COALESCE(u.state = 'active', 0), COALESCE(o.state = 'active', 0),"
	" COALESCE(u.user_type = 'machine', 0),"
	" COALESCE(u.resource_owner, ''), COALESCE(u.username, ''),"
	" t.creation_date, t.expires_at"
	" FROM access_tokens t LEFT JOIN users u ON u.id = t.user_id"
	" LEFT JOIN orgs o ON o.id = u.resource_owner"
	" WHERE t.token_sha256 = ?" };

static const struct stmt st_token_add = { "token add",
	"INSERT INTO access_tokens (token_sha256, user_id, token_type,"
	" audience, scopes, expires_at, creation_date)"
	" VALUES (?, ?, 'access', ?, ?, ?, ?)" };

enum err
store_token(struct store *s, const char *digest, struct token_row *out)
{
	struct binds par = { .n = 0 }, res = { .n = 0 };
	unsigned long long pat = 0, revoked = 0, expired = 0, uok = 0;
	unsigned long long ook = 0, machine = 0;
	MYSQL_TIME created, expires;
	int found = 0;
	enum err e;

	memset(out, 0, sizeof(*out));
	bind_str(&par, digest);
	result_str(&res, out->user_id, sizeof(out->user_id));
	result_u64(&res, &pat);
	result_str(&res, out->audience, sizeof(out->audience));
	result_str(&res, out->scopes, sizeof(out->scopes));
	result_u64(&res, &revoked);
	result_u64(&res, &expired);
	result_u64(&res, &uok);
	result_u64(&res, &ook);
	result_u64(&res, &machine);
	result_str(&res, out->user_org, sizeof(out->user_org));
	result_str(&res, out->username, sizeof(out->username));
	result_time(&res, &created);
	result_time(&res, &expires);
	e = store_query(s, &st_token, &par, &res, &found);
	if (e != ERR_OK || !found)
		return e;
	out->found = 1;
	out->pat = pat != 0;
	out->revoked = revoked != 0;
	out->expired = expired != 0;
	out->user_active = uok != 0;
	out->org_active = ook != 0;
	out->machine = machine != 0;
	out->created = time_from_db(&created);
	if (!res.null[12])
		out->expires = time_from_db(&expires);
	return ERR_OK;
}

enum err
store_access_token_add(struct store *s, const char *digest, const char *user_id,
    const char *audience, const char *scopes, struct ts created,
    struct ts expires)
{
	struct binds par = { .n = 0 };
	MYSQL_TIME c, x;

	time_to_db(created, &c);
	time_to_db(expires, &x);
	bind_str(&par, digest);
	bind_str(&par, user_id);
	bind_str(&par, audience);
	bind_str(&par, scopes);
	bind_time(&par, &x);
	bind_time(&par, &c);
	return store_query(s, &st_token_add, &par, NULL, NULL);
}
