/*
 * admin_cli.c - what every command of oidc-secret-admin uses: its options
 * and their checks, the one-line messages and exit codes of refusals,
 * lists as columns, new IDs (admin_cli.h).
 */
#include "admin_cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "route.h"
#include "util.h"

#define TTL_MAX (10L * 365 * 86400)

/* --- the command line --- */

static size_t
opt_len(const char *spec)
{
	size_t n = strlen(spec);

	return n > 0 && spec[n - 1] == '=' ? n - 1 : n;
}

const char *
get(const struct ctx *c, const char *name)
{
	int i;

	for (i = 0; c->cmd->opts[i] != NULL; i++)
		if (opt_len(c->cmd->opts[i]) == strlen(name) &&
		    strncmp(c->cmd->opts[i], name, strlen(name)) == 0)
			return c->val[i];
	return NULL;
}

int
parse_opts(struct ctx *c, int argc, char **argv)
{
	int i, j;

	for (i = 0; i < argc; i++) {
		const char *spec = NULL;
		size_t n;

		for (j = 0; c->cmd->opts[j] != NULL; j++) {
			n = opt_len(c->cmd->opts[j]);
			if (strlen(argv[i]) == n &&
			    strncmp(c->cmd->opts[j], argv[i], n) == 0) {
				spec = c->cmd->opts[j];
				break;
			}
		}
		if (spec == NULL)
			return usage_error("unexpected argument \"%s\"",
			    argv[i]);
		if (c->val[j] != NULL)
			return usage_error("%s given twice", argv[i]);
		if (spec[strlen(spec) - 1] != '=') {
			c->val[j] = "";
			continue;
		}
		/* "--user --pat" forgot a value; no user is named --pat. */
		if (i + 1 >= argc || strncmp(argv[i + 1], "--", 2) == 0)
			return usage_error("%s needs a value", argv[i]);
		c->val[j] = argv[++i];
	}
	return 0;
}

const char *
cmd_name(const struct ctx *c)
{
	static char name[64];

	snprintf(name, sizeof(name), "%s%s%s", c->cmd->word,
	    c->cmd->sub != NULL ? " " : "", c->cmd->sub != NULL ?
	    c->cmd->sub : "");
	return name;
}

int
valid_id(const char *s)
{
	struct slice id = { s, strlen(s) };

	return s[0] != '\0' && route_check_id(id) == ERR_OK;
}

int
printable(const char *s)
{
	return !util_has_control(s, strlen(s));
}

int
check_id_opt(const struct ctx *c, const char *opt, int need)
{
	const char *v = get(c, opt);
	int name = strcmp(opt, "--name") == 0;

	if (v == NULL && need)
		return usage_error("%s needs %s %s", cmd_name(c), opt,
		    name ? "NAME" : "ID");
	if (v != NULL && !valid_id(v))
		return usage_error("%s \"%s\": not %s (1 to 200 characters of "
		    "UTF-8, no control characters)", opt,
		    printable(v) ? v : "?",
		    name ? "a name" : "an ID");
	return 0;
}

int
check_ttl_opt(struct ctx *c)
{
	const char *ttl = get(c, "--ttl");
	uint64_t v;

	c->ttl = DEFAULT_TTL;
	if (ttl == NULL)
		return 0;
	if (util_decimal(ttl, strlen(ttl), TTL_MAX, &v) != DECIMAL_OK ||
	    v == 0)
		return usage_error("--ttl \"%s\": expected whole seconds, 1 to "
		    "315360000", printable(ttl) ? ttl : "?");
	c->ttl = (long)v;
	return 0;
}

int
check_by_id(struct ctx *c)
{
	return check_id_opt(c, "--id", 1);
}

int
check_by_org(struct ctx *c)
{
	return check_id_opt(c, "--org", 0);
}

int
check_org_and_name(struct ctx *c)
{
	int rc;

	if ((rc = check_id_opt(c, "--org", 1)) != 0)
		return rc;
	return check_id_opt(c, "--name", 1);
}

/* --- messages --- */

/* One line saying what is wrong, one pointing at --help; exit status 2. */
int
usage_error(const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, PROG ": %s\nTry '" PROG " --help'.\n", line);
	return EX_USAGE;
}

void
db_error(const char *what)
{
	fprintf(stderr, PROG ": %s: database error (the line above says "
	    "which)\n", what);
}

int
exit_for(enum err e)
{
	switch (e) {
	case ERR_OK:
		return EX_OK;
	case ERR_NOT_FOUND:
		return EX_NOTFOUND;
	case ERR_EXISTS:
		return EX_EXISTS;
	case ERR_CONFIG:
		return EX_CONFIG;
	case ERR_SCHEMA_NEWER:
		return EX_NEWER;
	case ERR_INVALID_ARGUMENT:
		return EX_SCOPE;
	default:
		return EX_DB;
	}
}

void
put_safe(FILE *f, const char *s)
{
	for (; *s != '\0'; s++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, f);
}

void
put_word(FILE *f, const char *s)
{
	const char *p;

	if (s[0] != '\0' && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789_.,:@%+=/-") == strlen(s)) {
		put_safe(f, s);
		return;
	}
	fputc('\'', f);
	for (p = s; *p != '\0'; p++) {
		if (*p == '\'')
			fputs("'\\''", f);
		else
			fputc((unsigned char)*p < 0x20 || *p == 0x7f ? '?' :
			    *p, f);
	}
	fputc('\'', f);
}

int
put_once(const char *label, const char *p, size_t n)
{
	const char *part[3] = { label, p, "\n" };
	size_t len[3] = { strlen(label), n, 1 }, done;
	ssize_t k;
	int i;

	if (fflush(stdout) != 0)
		goto err;
	for (i = 0; i < 3; i++)
		for (done = 0; done < len[i]; done += (size_t)k) {
			k = write(STDOUT_FILENO, part[i] + done,
			    len[i] - done);
			if (k < 0 && errno == EINTR)
				k = 0;
			else if (k <= 0) {
				if (k == 0)
					errno = EIO;
				goto err;
			}
		}
	return 0;
err:
	fprintf(stderr, PROG ": writing the output: %s\n", strerror(errno));
	return -1;
}

/*
 * What lists the objects a refusal names: for an object not found, the
 * list of its kind; for a name taken, the list of the command's own
 * objects within the parent it was given.
 */
static void
put_list_hint(const struct ctx *c, enum err e, const char *what)
{
	static const char *const missing[][2] = {
		/* the store's *what, its list */
		{ "organization", "org list" },
		{ "user", "user list" },
		{ "project", "project list" },
		{ "app", "app list" },
	};
	static const char *const taken[][3] = {
		/* the command's word, its list, the option naming the parent */
		{ "org", "org list", NULL },
		{ "user", "user list", "--org" },
		{ "project", "project list", "--org" },
		{ "app", "app list", "--project" },
	};
	const char *list = NULL, *by = NULL;
	size_t i;

	if (e == ERR_EXISTS && strcmp(what, "client ID") == 0 &&
	    strcmp(c->cmd->word, "user") == 0) {
		fputs(" by a user: a machine user's name is its client ID, "
		    "which no other user may have, in any organization; " PROG
		    " user list lists them", stderr);
		return;
	}
	if (e == ERR_EXISTS && strcmp(what, "client ID") == 0) {
		fputs("; leave --client-id out for a new one", stderr);
		return;
	}
	for (i = 0; e == ERR_NOT_FOUND &&
	    i < sizeof(missing) / sizeof(missing[0]); i++)
		if (strcmp(missing[i][0], what) == 0)
			list = missing[i][1];
	for (i = 0; e == ERR_EXISTS && i < sizeof(taken) / sizeof(taken[0]);
	    i++)
		if (strcmp(taken[i][0], c->cmd->word) == 0) {
			list = taken[i][1];
			by = taken[i][2];
		}
	if (list == NULL)
		return;
	fprintf(stderr, "; " PROG " %s", list);
	if (by != NULL && get(c, by) != NULL) {
		fprintf(stderr, " %s ", by);
		put_word(stderr, get(c, by));
	}
	fputs(" lists them", stderr);
}

int
refused(const struct ctx *c, enum err e, const char *what, const char *id)
{
	/* Where a name must be unique, by what is being added. */
	static const char *const named[][2] = {
		{ "org", "an organization" },
		{ "user", "a user of that organization" },
		{ "project", "a project of that organization" },
		{ "app", "an app of that project" },
	};
	size_t i;

	if (e != ERR_EXISTS && e != ERR_NOT_FOUND) {
		db_error(cmd_name(c));
		return exit_for(e);
	}
	fprintf(stderr, PROG ": %s: ", cmd_name(c));
	if (e == ERR_EXISTS && strcmp(what, "name") == 0) {
		for (i = 0; i < sizeof(named) / sizeof(named[0]); i++)
			if (strcmp(c->cmd->word, named[i][0]) == 0)
				break;
		fprintf(stderr, "there is %s named \"", i < sizeof(named) /
		    sizeof(named[0]) ? named[i][1] : "one");
	} else if (e == ERR_EXISTS)
		fprintf(stderr, "the %s \"", what);
	else
		fprintf(stderr, "no %s \"", what);
	put_safe(stderr, id != NULL ? id : "");
	fputs(e == ERR_NOT_FOUND ? "\" (unknown or removed)" :
	    strcmp(what, "name") == 0 ? "\" already" : "\" is taken already",
	    stderr);
	put_list_hint(c, e, what);
	fputc('\n', stderr);
	return exit_for(e);
}

/* --- lists --- */

/* One line of cells (heads when cells is NULL). */
static void
put_line(const struct column *cols, const char *const *cells)
{
	size_t i;
	int n;

	for (i = 0; cols[i].head != NULL; i++) {
		const char *v = cells != NULL ? cells[i] : cols[i].head;
		int w = cols[i].width < 0 ? -cols[i].width : cols[i].width;

		if (cells != NULL && v[0] == '\0' && cols[i].blank != NULL)
			v = cols[i].blank;
		n = (int)strlen(v);
		if (cols[i].width < 0)
			printf("%*s", w > n ? w - n : 0, "");
		put_safe(stdout, v);
		if (cols[i + 1].head == NULL)
			break;
		printf("%*s  ", cols[i].width > n ? cols[i].width - n : 0, "");
	}
	putchar('\n');
}

void
list_head(const struct column *cols)
{
	put_line(cols, NULL);
}

void
list_row(void *cols, const char *const *cells)
{
	put_line(cols, cells);
}

int
list_end(enum err e, const char *what)
{
	if (e == ERR_OK)
		return EX_OK;
	db_error(what);
	return EX_DB;
}

/* --- shared by several commands --- */

int
deactivate(struct ctx *c, deactivate_fn *fn, const char *kind)
{
	const char *id = get(c, "--id"), *what = "";
	int already = 0;
	enum err e;

	e = fn(c->st, id, &already, &what);
	if (e != ERR_OK)
		return refused(c, e, what, id);
	printf("%s %s %s\n", kind, id, already ? "was inactive already" :
	    "deactivated");
	return EX_OK;
}

int
add_named(struct ctx *c, add_fn *add)
{
	char id[IDS_DECIMAL_MAX];
	const char *what = "";
	enum err e;

	if (new_id(id) != 0)
		return EX_DB;
	e = add(c->st, id, get(c, "--org"), get(c, "--name"), &what);
	if (e != ERR_OK)
		return refused(c, e, what, strcmp(what, "name") == 0 ||
		    strcmp(what, "client ID") == 0 ? get(c, "--name") :
		    get(c, "--org"));
	printf("%s\n", id);
	return EX_OK;
}

int
new_id(char out[IDS_DECIMAL_MAX])
{
	static struct ids idgen;
	static int ready;

	if (!ready) {
		ids_init(&idgen);
		ready = 1;
	}
	if (ids_next(&idgen, out, IDS_DECIMAL_MAX) != 0) {
		fprintf(stderr, PROG ": the clock is outside 2024..2093: "
		    "no new ID\n");
		return -1;
	}
	return 0;
}

void
hash_params(const struct config *cfg, struct hash_params *hp)
{
	hp->alg = cfg->hash_algorithm;
	hp->m_kib = cfg->argon2_memory_kib;
	hp->t = cfg->argon2_iterations;
	hp->p = cfg->argon2_parallelism;
	hp->cost = cfg->bcrypt_cost;
}

int
secret_new(const struct ctx *c, char secret[SECRET_MAX + 1],
    char hash[HASH_MAX])
{
	struct hash_params hp;

	hash_params(&c->cfg, &hp);
	if (secret_generate(secret, c->cfg.secret_length) == 0 &&
	    secret_hash(&hp, secret, c->cfg.secret_length, hash,
	    HASH_MAX) == 0)
		return 0;
	fprintf(stderr, PROG ": %s: generating or hashing the secret "
	    "failed\n", cmd_name(c));
	return EX_CONFIG;
}
