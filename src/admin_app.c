/*
 * admin_app.c - oidc-secret-admin's apps: app add (with a confidential
 * client's first secret), app list (admin_cli.h).
 */
#include "admin_cli.h"

#include <stdio.h>
#include <string.h>

/* The auth methods of each kind, as the configuration tables spell them. */
static const char *const oidc_methods[] = { "basic", "post", "none",
    "private_key_jwt", NULL };
static const char *const api_methods[] = { "basic", "private_key_jwt", NULL };

static int
in_list(const char *const *list, const char *v)
{
	for (; *list != NULL; list++)
		if (strcmp(*list, v) == 0)
			return 1;
	return 0;
}

static int
check_app_add(struct ctx *c)
{
	int oidc = get(c, "--oidc") != NULL, api = get(c, "--api") != NULL;
	const char *m = get(c, "--auth-method");
	int rc;

	if ((rc = check_id_opt(c, "--project", 1)) != 0 ||
	    (rc = check_id_opt(c, "--name", 1)) != 0 ||
	    (rc = check_id_opt(c, "--client-id", 0)) != 0)
		return rc;
	if (oidc == api)
		return usage_error("app add needs --oidc or --api "
		    "(one of them)");
	if (m != NULL && !in_list(oidc ? oidc_methods : api_methods, m))
		return usage_error("--auth-method \"%s\": expected %s",
		    printable(m) ? m : "?", oidc ?
		    "basic, post, none or private_key_jwt (OIDC)" :
		    "basic or private_key_jwt (API)");
	return 0;
}

static int
cmd_app_add(struct ctx *c)
{
	struct app_new a;
	char id[IDS_DECIMAL_MAX], client[IDS_DECIMAL_MAX];
	char secret[SECRET_MAX + 1], hash[HASH_MAX];
	const char *what = "";
	int confidential, ex = EX_OK;
	enum err e;

	memset(&a, 0, sizeof(a));
	a.kind = get(c, "--api") != NULL ? APP_API : APP_OIDC;
	a.auth_method = get(c, "--auth-method") != NULL ?
	    get(c, "--auth-method") : "basic";
	/* A client that authenticates with a secret gets one now. */
	confidential = strcmp(a.auth_method, "basic") == 0 ||
	    (a.kind == APP_OIDC && strcmp(a.auth_method, "post") == 0);
	if (new_id(id) != 0 || (get(c, "--client-id") == NULL &&
	    new_id(client) != 0))
		return EX_DB;
	a.id = id;
	a.project_id = get(c, "--project");
	a.name = get(c, "--name");
	a.client_id = get(c, "--client-id") != NULL ? get(c, "--client-id") :
	    client;
	secret[0] = '\0';
	if (confidential) {
		if ((ex = secret_new(c, secret, hash)) != 0)
			goto out;
		a.hash = hash;
	}
	e = store_app_add(c->st, &a, &what);
	if (e != ERR_OK) {
		ex = refused(c, e, what, strcmp(what, "client ID") == 0 ?
		    a.client_id : strcmp(what, "name") == 0 ? a.name :
		    a.project_id);
		goto out;
	}
	printf("app_id = %s\nclient_id = %s\n", a.id, a.client_id);
	/* The one time the secret is shown; only its hash is stored. */
	if (confidential && put_once("client_secret = ", secret,
	    c->cfg.secret_length) != 0)
		ex = EX_NO;
out:
	secret_wipe(secret, sizeof(secret));
	secret_wipe(hash, sizeof(hash));
	return ex;
}

static int
check_app_list(struct ctx *c)
{
	return check_id_opt(c, "--project", 0);
}

static int
cmd_app_list(struct ctx *c)
{
	static const struct column cols[] = {
		{ "ID", 19, NULL }, { "PROJECT", 19, NULL },
		{ "TYPE", 4, NULL }, { "STATE", 8, NULL },
		{ "AUTH", 15, "-" }, { "SECRET", 6, NULL },
		{ "CLIENT_ID", 19, "-" }, { "NAME", 0, NULL }, { NULL, 0, NULL }
	};

	list_head(cols);
	return list_end(store_app_list(c->st, get(c, "--project"), list_row,
	    (void *)cols), "listing apps");
}

const struct command admin_app_commands[] = {
	{ "app", "add", { "--project=", "--name=", "--oidc", "--api",
	    "--auth-method=", "--client-id=", NULL }, check_app_add,
	    cmd_app_add,
	    "  app add --project ID --name NAME --oidc|--api [--auth-method M]"
	    " [--client-id C]\n"
	    "        print the app ID, client ID and, for a confidential app,"
	    " its first secret\n" },
	{ "app", "list", { "--project=", NULL }, check_app_list, cmd_app_list,
	    "  app list [--project ID]\n" },
	{ NULL, NULL, { NULL }, NULL, NULL, NULL }
};
