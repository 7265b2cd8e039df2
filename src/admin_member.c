/*
 * admin_member.c - oidc-secret-admin's memberships: member add, remove,
 * list, and what to run instead of a membership whose role is not of its
 * scope (admin_cli.h; doc/database.md, "Roles and their scopes").
 */
#include "admin_cli.h"

#include <stdio.h>
#include <string.h>

#define ROLE_MAX 64		/* role_permissions.role */

/* ZITADEL's role names: letters, digits and "_" (and ".", "-", ":"). */
static int
valid_role(const char *r)
{
	size_t n = strlen(r), i;

	for (i = 0; i < n; i++)
		if (!((r[i] >= 'A' && r[i] <= 'Z') || (r[i] >= 'a' &&
		    r[i] <= 'z') || (r[i] >= '0' && r[i] <= '9') ||
		    r[i] == '_' || r[i] == '.' || r[i] == '-' || r[i] == ':'))
			return 0;
	return n > 0 && n <= ROLE_MAX;
}

static int
check_member(struct ctx *c)
{
	const char *scope = get(c, "--scope"), *role = get(c, "--role");
	int rc;

	if ((rc = check_id_opt(c, "--user", 1)) != 0)
		return rc;
	if (scope == NULL)
		return usage_error("%s needs --scope instance|org|project",
		    cmd_name(c));
	if (role == NULL)
		return usage_error("%s needs --role ROLE", cmd_name(c));
	if (!valid_role(role))
		return usage_error("--role \"%s\": expected 1 to %d letters, "
		    "digits, \"_\", \".\", \"-\" or \":\"", printable(role) ?
		    role : "?", ROLE_MAX);
	if (strcmp(scope, "instance") == 0) {
		if (get(c, "--org") != NULL || get(c, "--project") != NULL)
			return usage_error("--scope instance takes neither "
			    "--org nor --project");
		return 0;
	}
	if (strcmp(scope, "org") == 0) {
		if (get(c, "--project") != NULL)
			return usage_error("--scope org takes --org ID, not "
			    "--project");
		return check_id_opt(c, "--org", 1);
	}
	if (strcmp(scope, "project") == 0) {
		if (get(c, "--org") != NULL)
			return usage_error("--scope project takes --project "
			    "ID, not --org");
		return check_id_opt(c, "--project", 1);
	}
	return usage_error("--scope \"%s\": expected instance, org or project",
	    printable(scope) ? scope : "?");
}

/* --- what to run instead --- */

/* "of the instance", "of an organization", "of a project". */
static const char *
of_scope(const char *scope)
{
	if (strcmp(scope, "instance") == 0)
		return "of the instance";
	if (strcmp(scope, "org") == 0)
		return "of an organization";
	if (strcmp(scope, "project") == 0)
		return "of a project";
	return "of no scope";
}

/* "oidc-secret-admin member VERB --user U --scope S [--org|--project ID]
 * --role R"; id NULL: "ID", for the reader to fill in. */
static void
put_member_command(const char *verb, const char *user, const char *scope,
    const char *id, const char *role)
{
	fprintf(stderr, PROG " member %s --user ", verb);
	put_word(stderr, user);
	fprintf(stderr, " --scope %s", scope);
	if (strcmp(scope, "instance") != 0) {
		fprintf(stderr, " --%s ", scope);
		if (id != NULL)
			put_word(stderr, id);
		else
			fputs("ID", stderr);
	}
	fputs(" --role ", stderr);
	put_word(stderr, role);
}

/* project 0, org 1, instance 2; a role's scopes otherwise 3. */
static int
breadth(const char *scope)
{
	static const char *const scopes[] = { "project", "org", "instance" };
	int i, n = (int)(sizeof(scopes) / sizeof(scopes[0]));

	for (i = 0; i < n; i++)
		if (strcmp(scope, scopes[i]) == 0)
			return i;
	return n;
}

/*
 * What would do what a membership of cells (MEMBER_ADVICE_*) meant: the
 * role of its scope named like its role, and its role at the role's own
 * scope (an organization's role in the project's organization or the
 * user's), the narrower first; the first after lead, the other after or.
 */
static void
put_instead(const char *const *cells, const char *lead, const char *or)
{
	const char *user = cells[MEMBER_ADVICE_USER];
	const char *scope = cells[MEMBER_ADVICE_SCOPE];
	const char *own = cells[MEMBER_ADVICE_ROLE_SCOPES];
	const char *role = cells[MEMBER_ADVICE_ROLE];
	const char *like = cells[MEMBER_ADVICE_COUNTERPART];
	const char *org = cells[MEMBER_ADVICE_PROJECT_ORG][0] != '\0' ?
	    cells[MEMBER_ADVICE_PROJECT_ORG] : cells[MEMBER_ADVICE_USER_ORG];
	int like_first = like[0] != '\0' && breadth(scope) <= breadth(own);

	if (like_first) {
		fputs(lead, stderr);
		put_member_command("add", user, scope,
		    cells[MEMBER_ADVICE_SCOPE_ID], like);
		lead = or;
	}
	fputs(lead, stderr);
	if (breadth(own) == 3) {
		/* Of no scope, or of several: the site's to say which. */
		fputs("give the role one scope: UPDATE role_permissions SET "
		    "scope = '", stderr);
		fprintf(stderr, "%s' WHERE role = '", scope);
		put_safe(stderr, role);
		fputc('\'', stderr);
	} else
		put_member_command("add", user, own, strcmp(own, "org") == 0 &&
		    org[0] != '\0' ? org : NULL, role);
	if (like[0] != '\0' && !like_first) {
		fputs(or, stderr);
		put_member_command("add", user, scope,
		    cells[MEMBER_ADVICE_SCOPE_ID], like);
	}
}

/* "user U holds ROLE at SCOPE[ ID]" */
static void
put_membership(FILE *f, const char *verb, const char *const *cells)
{
	fputs("user ", f);
	put_safe(f, cells[MEMBER_ADVICE_USER]);
	fprintf(f, " %s ", verb);
	put_safe(f, cells[MEMBER_ADVICE_ROLE]);
	fprintf(f, " at %s", cells[MEMBER_ADVICE_SCOPE]);
	if (cells[MEMBER_ADVICE_SCOPE_ID][0] != '\0') {
		fputc(' ', f);
		put_safe(f, cells[MEMBER_ADVICE_SCOPE_ID]);
	}
}

struct refusal {
	const struct ctx *c;
	int said;
};

/* member add's refusal of a role at a scope that is not its own. */
static void
refuse_scope(void *arg, const char *const *cells)
{
	struct refusal *r = arg;

	r->said = 1;
	fprintf(stderr, PROG ": %s: ", cmd_name(r->c));
	put_safe(stderr, cells[MEMBER_ADVICE_ROLE]);
	fprintf(stderr, " is a role %s, not %s, and would grant nothing "
	    "there", of_scope(cells[MEMBER_ADVICE_ROLE_SCOPES]),
	    of_scope(cells[MEMBER_ADVICE_SCOPE]));
	put_instead(cells, "; instead: ", ", or ");
	fputc('\n', stderr);
}

struct inert {
	unsigned n;
};

static void
report_inert(void *arg, const char *const *cells)
{
	struct inert *r = arg;

	if (r->n++ == 0)
		fprintf(stderr, PROG ": these memberships hold a role at a "
		    "scope that is not the role's, and grant nothing (see "
		    "oidc-secret-admin(8), ROLES AND SCOPES):\n");
	fputs(PROG ": ", stderr);
	put_membership(stderr, "holds", cells);
	fprintf(stderr, ", a role %s\n  remove it: ",
	    of_scope(cells[MEMBER_ADVICE_ROLE_SCOPES]));
	put_member_command("remove", cells[MEMBER_ADVICE_USER],
	    cells[MEMBER_ADVICE_SCOPE], cells[MEMBER_ADVICE_SCOPE_ID],
	    cells[MEMBER_ADVICE_ROLE]);
	put_instead(cells, "\n  instead: ", "\n      or: ");
	fputc('\n', stderr);
}

int
member_report_inert(struct ctx *c)
{
	struct inert r = { 0 };
	enum err e;

	/* A database not yet at the migration that gives roles a scope. */
	e = store_table_visible(c->st, "role_permissions", "scope");
	if (e == ERR_NOT_FOUND)
		return EX_OK;
	if (e == ERR_OK)
		e = store_member_inert(c->st, report_inert, &r);
	if (e != ERR_OK) {
		db_error("listing the memberships that grant nothing");
		return EX_DB;
	}
	return EX_OK;
}

/* --- the commands --- */

static int
cmd_member(struct ctx *c)
{
	const char *user = get(c, "--user"), *scope = get(c, "--scope");
	const char *role = get(c, "--role"), *what = "";
	const char *scope_id = strcmp(scope, "org") == 0 ? get(c, "--org") :
	    strcmp(scope, "project") == 0 ? get(c, "--project") : "";
	int add = strcmp(c->cmd->sub, "add") == 0;
	char known[1024];
	enum err e;

	e = add ? store_member_add(c->st, user, scope, scope_id, role, &what) :
	    store_member_remove(c->st, user, scope, scope_id, role, &what);
	if (e == ERR_INVALID_ARGUMENT && strcmp(what, "scope") == 0) {
		struct refusal r = { c, 0 };

		if (store_member_advice(c->st, user, scope, scope_id, role,
		    refuse_scope, &r) != ERR_OK || !r.said)
			fprintf(stderr, PROG ": %s: %s is not a role of that "
			    "scope (" PROG "(8), ROLES AND SCOPES)\n",
			    cmd_name(c), role);
		return EX_SCOPE;
	}
	if (e == ERR_NOT_FOUND && strcmp(what, "role") == 0) {
		if (store_role_names(c->st, known, sizeof(known)) != ERR_OK)
			snprintf(known, sizeof(known), "?");
		fprintf(stderr, PROG ": %s: no role \"%s\" in role_permissions "
		    "(it knows %s)\n", cmd_name(c), role, known);
		return EX_NOTFOUND;
	}
	if ((e == ERR_NOT_FOUND || e == ERR_EXISTS) &&
	    strcmp(what, "membership") == 0) {
		fprintf(stderr, PROG ": %s: user %s %s %s at %s%s%s%s; " PROG
		    " member list --user ", cmd_name(c), user,
		    e == ERR_EXISTS ? "holds" : "does not hold",
		    role, scope, scope_id[0] ? " " : "", scope_id,
		    e == ERR_EXISTS ? " already" : "");
		put_word(stderr, user);
		fputs(" lists what it holds\n", stderr);
		return exit_for(e);
	}
	if (e != ERR_OK)
		return refused(c, e, what, strcmp(what, "user") == 0 ? user :
		    scope_id);
	printf("user %s %s %s at %s%s%s\n", user, add ? "holds" :
	    "no longer holds", role, scope, scope_id[0] ? " " : "", scope_id);
	return EX_OK;
}

static int
check_member_list(struct ctx *c)
{
	return check_id_opt(c, "--user", 0);
}

static int
cmd_member_list(struct ctx *c)
{
	static const struct column cols[] = {
		{ "USER", 19, NULL }, { "SCOPE", 8, NULL },
		{ "SCOPE_ID", 19, "-" }, { "ROLE", 0, NULL }, { NULL, 0, NULL }
	};

	list_head(cols);
	return list_end(store_member_list(c->st, get(c, "--user"), list_row,
	    (void *)cols), "listing memberships");
}

const struct command admin_member_commands[] = {
	{ "member", "add", { "--user=", "--scope=", "--org=", "--project=",
	    "--role=", NULL }, check_member, cmd_member,
	    "  member add|remove --user ID --scope instance|org|project [--org"
	    " ID]\n"
	    "        [--project ID] --role ROLE\n"
	    "        a role of that scope: IAM_* instance, ORG_* org,"
	    " PROJECT_* project\n" },
	{ "member", "remove", { "--user=", "--scope=", "--org=", "--project=",
	    "--role=", NULL }, check_member, cmd_member, NULL },
	{ "member", "list", { "--user=", NULL }, check_member_list,
	    cmd_member_list, "  member list [--user ID]\n" },
	{ NULL, NULL, { NULL }, NULL, NULL, NULL }
};
