/*
 * store_client.c - OAuth clients: machine users and API apps by client ID
 * with the secret hashes they may present, machine users' keys, and the
 * projects an audience may name (doc/oauth.md).
 *
 * A previous hash comes back only while its grace lasts, judged on the
 * database's clock: one clock for every web host and cluster node.
 */
#include "store.h"
#include "store_internal.h"

#include <string.h>

static const struct stmt st_machine_client = { "machine client",
	"SELECT u.id, u.state = 'active' AND o.state = 'active',"
	" u.resource_owner, u.username, COALESCE(u.secret_hash, ''),"
	" IF(u.previous_secret_until > UTC_TIMESTAMP(6),"
	" COALESCE(u.previous_secret_hash, ''), '')"
	" FROM users u JOIN orgs o ON o.id = u.resource_owner"
	" WHERE u.client_id = ?" };

static const struct stmt st_api_client = { "API client",
	"SELECT a.id, a.state = 'active' AND p.state = 'active'"
	" AND o.state = 'active', p.resource_owner, p.id,"
	" COALESCE(c.client_secret_hash, ''),"
	" IF(c.previous_secret_until > UTC_TIMESTAMP(6),"
	" COALESCE(c.previous_secret_hash, ''), '')"
	" FROM api_configs c JOIN apps a ON a.id = c.app_id"
	" JOIN projects p ON p.id = a.project_id"
	" JOIN orgs o ON o.id = p.resource_owner"
	" WHERE c.client_id = ? AND a.app_type = 'api'" };

static const struct stmt st_machine_key = { "machine key",
	"SELECT k.public_key, u.resource_owner, u.username"
	" FROM machine_keys k JOIN users u ON u.id = k.user_id"
	" JOIN orgs o ON o.id = u.resource_owner"
	" WHERE k.id = ? AND k.user_id = ?"
	" AND k.expiration_date > UTC_TIMESTAMP(6)"
	" AND u.user_type = 'machine' AND u.state = 'active'"
	" AND o.state = 'active'" };

static const struct stmt st_project_exists = { "project exists",
	"SELECT 1 FROM projects WHERE id = ? AND state = 'active'" };

static enum err
client(struct store *s, const struct stmt *q, const char *client_id,
    int app, struct client_row *out)
{
	struct binds par = { .n = 0 }, res = { .n = 0 };
	unsigned long long active = 0;
	enum err e;

	memset(out, 0, sizeof(*out));
	bind_str(&par, client_id);
	result_str(&res, out->id, sizeof(out->id));
	result_u64(&res, &active);
	result_str(&res, out->owner, sizeof(out->owner));
	if (app)
		result_str(&res, out->project_id, sizeof(out->project_id));
	else
		result_str(&res, out->username, sizeof(out->username));
	result_str(&res, out->hash, sizeof(out->hash));
	result_str(&res, out->previous, sizeof(out->previous));
	e = store_query(s, q, &par, &res, &out->found);
	out->active = out->found && active != 0;
	return e;
}

enum err
store_machine_client(struct store *s, const char *client_id,
    struct client_row *out)
{
	return client(s, &st_machine_client, client_id, 0, out);
}

enum err
store_api_client(struct store *s, const char *client_id,
    struct client_row *out)
{
	return client(s, &st_api_client, client_id, 1, out);
}

enum err
store_machine_key(struct store *s, const char *user_id, const char *key_id,
    struct key_row *out)
{
	struct binds par = { .n = 0 }, res = { .n = 0 };

	memset(out, 0, sizeof(*out));
	bind_str(&par, key_id);
	bind_str(&par, user_id);
	result_str(&res, out->pem, sizeof(out->pem));
	result_str(&res, out->owner, sizeof(out->owner));
	result_str(&res, out->username, sizeof(out->username));
	return store_query(s, &st_machine_key, &par, &res, &out->found);
}

enum err
store_project_exists(struct store *s, const char *project_id, int *found)
{
	struct binds par = { .n = 0 }, res = { .n = 0 };
	unsigned long long one = 0;

	bind_str(&par, project_id);
	result_u64(&res, &one);
	return store_query(s, &st_project_exists, &par, &res, found);
}
