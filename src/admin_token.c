/*
 * admin_token.c - oidc-secret-admin's bearer tokens: token issue (shown
 * once, stored as its SHA-256), revoke, list (admin_cli.h).
 */
#include "admin_cli.h"

#include <stdio.h>
#include <string.h>

#define SCOPES_MAX 2048		/* access_tokens.scopes VARCHAR(2048) */

int
token_new(char token[TOKEN_CHARS + 1], char digest[SHA256_HEX])
{
	if (secret_generate(token, TOKEN_CHARS) != 0) {
		fprintf(stderr, PROG ": the random generator failed\n");
		return -1;
	}
	secret_sha256_hex(token, strlen(token), digest);
	return 0;
}

struct ts
token_expiry(long ttl)
{
	struct ts exp = ts_now();

	exp.sec += ttl;
	exp.nsec = 0;
	return exp;
}

static int
check_token_issue(struct ctx *c)
{
	const char *aud = get(c, "--audience");
	const char *scopes = get(c, "--scopes");
	int rc;

	if ((rc = check_id_opt(c, "--user", 1)) != 0 ||
	    (rc = check_ttl_opt(c)) != 0)
		return rc;
	if (aud != NULL && (aud[0] == '\0' || strlen(aud) > AUDIENCE_MAX ||
	    !printable(aud)))
		return usage_error("--audience: expected 1 to %d bytes, no "
		    "control characters", AUDIENCE_MAX);
	if (scopes != NULL &&
	    (strlen(scopes) > SCOPES_MAX || !printable(scopes)))
		return usage_error("--scopes: expected at most %d bytes, no "
		    "control characters", SCOPES_MAX);
	return 0;
}

/* Whether the space-separated audience holds word. */
static int
audience_holds(const char *aud, const char *word)
{
	size_t n = strlen(word), k;

	while (*aud != '\0') {
		aud += strspn(aud, " ");
		k = strcspn(aud, " ");
		if (k == n && k > 0 && strncmp(aud, word, n) == 0)
			return 1;
		aud += k;
	}
	return 0;
}

/* An access token the responder will refuse: said before it is made. */
static void
warn_audience(const struct ctx *c, const char *aud)
{
	const char *api = c->cfg.api_project_id;

	if (api[0] == '\0' || audience_holds(aud, api))
		return;
	fprintf(stderr, PROG ": token issue: warning: the audience \"%s\" does "
	    "not hold api_project_id (%s), so the responder will refuse this "
	    "access token; leave --audience out, add %s to it, or issue a "
	    "personal access token (--pat)\n", aud, api, api);
}

static int
token_issue(struct ctx *c)
{
	const char *user = get(c, "--user");
	const char *aud = get(c, "--audience");
	const char *scopes = get(c, "--scopes");
	int pat = get(c, "--pat") != NULL;
	char token[TOKEN_CHARS + 1], digest[SHA256_HEX];
	struct ts exp;
	enum err rc;

	/*
	 * An access token is accepted only with api_project_id in its
	 * audience.  A personal access token is not checked for one, so
	 * without api_project_id it gets none.
	 */
	if (aud == NULL && c->cfg.api_project_id[0] != '\0')
		aud = c->cfg.api_project_id;
	else if (aud == NULL && pat)
		aud = "";
	else if (aud == NULL) {
		fprintf(stderr, PROG ": token issue: api_project_id is not "
		    "set, and an access token needs it as its audience: set it "
		    "in the configuration (init prints it), give --audience "
		    "ID, or issue a personal access token (--pat)\n");
		return EX_CONFIG;
	}
	if (scopes == NULL)
		scopes = DEFAULT_SCOPES;
	rc = store_user_exists(c->st, user);
	if (rc == ERR_NOT_FOUND) {
		fprintf(stderr, PROG ": no user \"%s\"; " PROG " user list "
		    "lists them\n", user);
		return EX_NOTFOUND;
	}
	if (rc != ERR_OK) {
		db_error("looking the user up");
		return EX_DB;
	}
	if (token_new(token, digest) != 0)
		return EX_DB;
	exp = token_expiry(c->ttl);
	/* A personal access token without --ttl never expires (ZITADEL). */
	rc = store_token_add(c->st, digest, user, pat, aud, scopes,
	    pat && get(c, "--ttl") == NULL ? NULL : &exp);
	if (rc != ERR_OK) {
		secret_wipe(token, sizeof(token));
		db_error("storing the token");
		return EX_DB;
	}
	if (get(c, "--audience") != NULL && !pat)
		warn_audience(c, aud);
	/* The one time the token is shown. */
	printf("%s\n", token);
	fflush(stdout);
	secret_wipe(token, sizeof(token));
	return EX_OK;
}

static int
check_token_revoke(struct ctx *c)
{
	const char *id = get(c, "--id");
	size_t i, n;

	if (id == NULL)
		return usage_error("token revoke needs --id PREFIX");
	n = strlen(id);
	for (i = 0; i < n; i++)
		if (!((id[i] >= '0' && id[i] <= '9') ||
		    (id[i] >= 'a' && id[i] <= 'f')))
			break;
	if (n < 8 || n > 64 || i < n)
		return usage_error("--id \"%s\": expected 8 to 64 lowercase "
		    "hex digits (the ID column of token list)",
		    printable(id) ? id : "?");
	return 0;
}

static int
token_revoke(struct ctx *c)
{
	const char *id = get(c, "--id");
	unsigned matched = 0;
	enum err rc;

	rc = store_token_revoke(c->st, id, &matched);
	if (rc == ERR_NOT_FOUND) {
		if (matched == 0)
			fprintf(stderr, PROG ": no unrevoked token has an ID "
			    "starting with %s; " PROG " token list lists "
			    "them\n", id);
		else
			fprintf(stderr, PROG ": %u unrevoked tokens have an ID "
			    "starting with %s; give more digits\n",
			    matched, id);
		return EX_NOTFOUND;
	}
	if (rc != ERR_OK) {
		db_error("revoking the token");
		return EX_DB;
	}
	printf("revoked %s\n", id);
	return EX_OK;
}

static int
check_token_list(struct ctx *c)
{
	const char *user = get(c, "--user");

	if (user != NULL && !valid_id(user))
		return usage_error("--user \"%s\": not an ID",
		    printable(user) ? user : "?");
	return 0;
}

static int
token_list(struct ctx *c)
{
	static const struct column cols[] = {
		{ "ID", 12, NULL }, { "USER", 20, NULL }, { "TYPE", 6, NULL },
		{ "CREATED", 27, NULL }, { "EXPIRES", 27, "never" },
		{ "REVOKED", 27, "-" }, { "AUDIENCE", 0, "-" },
		{ NULL, 0, NULL }
	};

	list_head(cols);
	return list_end(store_token_list(c->st, get(c, "--user"), list_row,
	    (void *)cols), "listing tokens");
}

const struct command admin_token_commands[] = {
	{ "token", "issue", { "--user=", "--ttl=", "--pat", "--audience=",
	    "--scopes=", NULL }, check_token_issue, token_issue,
	    "  token issue --user ID [--ttl SECONDS] [--pat] [--audience A]"
	    " [--scopes S]\n"
	    "        print a new bearer token once; only its SHA-256 is"
	    " stored\n" },
	{ "token", "revoke", { "--id=", NULL }, check_token_revoke,
	    token_revoke,
	    "  token revoke --id PREFIX\n"
	    "        revoke the token whose SHA-256 starts with PREFIX (from"
	    " token list)\n" },
	{ "token", "list", { "--user=", NULL }, check_token_list, token_list,
	    "  token list [--user ID]\n"
	    "        list tokens by SHA-256 prefix (never the tokens"
	    " themselves)\n" },
	{ NULL, NULL, { NULL }, NULL, NULL, NULL }
};
