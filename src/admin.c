/*
 * admin.c - oidc-secret-admin: what an operator runs beside the responder.
 * This file holds main() and the command table; each object's commands
 * live in a file of their own (admin_cli.h names them).
 *
 *   migrate                 apply sql/NNN_*.sql in order, once each
 *   init                    an empty database -> organization, admin user,
 *                           API project, first token
 *   org, user, member,      the objects a site is made of, each change
 *   project, app            with its event; app add prints a first secret
 *   user secret, user key   machine users' secrets and keys, through the
 *                           responder's own transaction
 *   token issue|revoke|list bearer tokens, stored only as SHA-256
 *   secret end-grace        end a previous secret's grace period now
 *   verify                  does a secret (stdin) match an app's or a
 *                           machine user's stored hashes
 *   hash                    hash a secret (stdin) in the configured format
 *   check-config            validate the configuration, reach the database,
 *                           check its user's grants
 *
 * Built on the responder's own modules: config, store, secret.  The command
 * line is parsed and checked in full before the configuration is read, so a
 * usage error is exit 2 whatever the configuration holds.  Results go to
 * stdout, every error to stderr; the exit codes are fixed (enum exit_code,
 * usage(), oidc-secret-admin(8)) so scripts can rely on them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin_cli.h"
#include "log.h"
#include "version.h"

/* Every command, in the order --help names them. */
static const struct command *const tables[] = {
	admin_setup_commands,
	admin_org_commands,
	admin_user_commands,
	admin_member_commands,
	admin_project_commands,
	admin_app_commands,
	admin_token_commands,
	admin_secret_commands,
	admin_check_commands,
};

#define NTABLES (sizeof(tables) / sizeof(tables[0]))

static void
usage(FILE *f)
{
	const struct command *cmd;
	size_t t;

	fprintf(f,
	    "usage: " PROG " [--config FILE] COMMAND [OPTIONS]\n"
	    "       " PROG " --help | --version\n"
	    "\n"
	    "commands:\n");
	for (t = 0; t < NTABLES; t++)
		for (cmd = tables[t]; cmd->word != NULL; cmd++)
			if (cmd->help != NULL)
				fputs(cmd->help, f);
	fprintf(f,
	    "\n"
	    "The configuration is FILE, else $OIDC_SECRET_CONFIG, else %s;\n"
	    "OIDC_SECRET_<KEY> overrides a key.\n"
	    "\n"
	    "exit status: 0 success, 1 no match or check failed, 2 usage,\n"
	    "3 configuration, 4 database, 5 not found, 6 database newer than"
	    " this tool,\n"
	    "7 already exists, 8 a role at a scope that is not its own\n",
	    config_default_path());
}

/* "token: expected issue, revoke or list" */
static void
expected_subs(const char *word)
{
	const struct command *cmd, *last = NULL;
	size_t t;
	int n = 0;

	fprintf(stderr, PROG ": %s: expected ", word);
	for (t = 0; t < NTABLES; t++)
		for (cmd = tables[t]; cmd->word != NULL; cmd++) {
			if (strcmp(cmd->word, word) != 0)
				continue;
			if (last != NULL)
				fprintf(stderr, "%s%s", n++ > 0 ? ", " : "",
				    last->sub);
			last = cmd;
		}
	if (last != NULL)
		fprintf(stderr, "%s%s", n > 0 ? " or " : "", last->sub);
	fprintf(stderr, "\nTry '" PROG " --help'.\n");
}

/*
 * The words of sub ("key add") at argv[1], argv[2] ...: how many, or 0
 * when they are not there.
 */
static int
sub_words(const char *sub, int argc, char **argv)
{
	size_t n;
	int k = 1;

	while (*sub != '\0') {
		n = strcspn(sub, " ");
		if (k >= argc || strlen(argv[k]) != n ||
		    strncmp(argv[k], sub, n) != 0)
			return 0;
		k++;
		sub += n;
		sub += strspn(sub, " ");
	}
	return k - 1;
}

/*
 * The command named at argv[0] and the words after it, the longest that
 * fits ("user secret remove" before "user secret"); *used: the words it
 * took.
 */
static const struct command *
find_command(int argc, char **argv, int *used)
{
	const struct command *cmd, *best = NULL;
	size_t t;
	int word = 0, n, most = 0;

	for (t = 0; t < NTABLES; t++)
		for (cmd = tables[t]; cmd->word != NULL; cmd++) {
			if (strcmp(argv[0], cmd->word) != 0)
				continue;
			word = 1;
			n = cmd->sub != NULL ? sub_words(cmd->sub, argc, argv) :
			    0;
			if ((cmd->sub == NULL || n > 0) &&
			    (best == NULL || n > most)) {
				best = cmd;
				most = n;
			}
		}
	if (best != NULL) {
		*used = 1 + most;
		return best;
	}
	if (word)
		expected_subs(argv[0]);
	else
		usage_error("unknown command \"%s\"", argv[0]);
	return NULL;
}

int
main(int argc, char **argv)
{
	struct ctx c;
	char err[512];
	int i = 1, used = 0, ex, k;

	memset(&c, 0, sizeof(c));
	/* Options before the command. */
	while (i < argc && argv[i][0] == '-') {
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return EX_OK;
		}
		if (strcmp(argv[i], "--version") == 0) {
			version_print(stdout, PROG, 0);
			return EX_OK;
		}
		if (strcmp(argv[i], "--config") == 0) {
			if (c.config_path != NULL)
				return usage_error("--config given twice");
			if (i + 1 >= argc || argv[i + 1][0] == '\0')
				return usage_error("--config needs a file");
			c.config_path = argv[i + 1];
			i += 2;
			continue;
		}
		return usage_error("unknown option \"%s\"", argv[i]);
	}
	if (i >= argc) {
		usage(stderr);
		return EX_USAGE;
	}
	/* "--help" anywhere after the command asks for help, not for action. */
	for (k = i; k < argc; k++)
		if (strcmp(argv[k], "--help") == 0 ||
		    strcmp(argv[k], "-h") == 0) {
			usage(stdout);
			return EX_OK;
		}
	c.cmd = find_command(argc - i, argv + i, &used);
	if (c.cmd == NULL)
		return EX_USAGE;
	i += used;
	if (parse_opts(&c, argc - i, argv + i) != 0)
		return EX_USAGE;
	/* Before the checks: a public key is read with libgcrypt. */
	if (secret_init() != 0) {
		fprintf(stderr, PROG ": libgcrypt failed to initialise\n");
		return EX_CONFIG;
	}
	if (c.cmd->check != NULL && (ex = c.cmd->check(&c)) != 0)
		return ex;
	/* One line naming the key, the value and what is allowed. */
	if (config_load(&c.cfg, c.config_path, err, sizeof(err)) != 0) {
		fprintf(stderr, PROG ": configuration: %s\n", err);
		secret_wipe(c.cfg.db_password, sizeof(c.cfg.db_password));
		return EX_CONFIG;
	}
	/* Database messages go to stderr; no request log here. */
	log_set_ident(PROG);
	log_set_level(LOG_WARN);
	if (store_library_init() != 0 || (c.st = store_new(&c.cfg)) == NULL) {
		fprintf(stderr,
		    PROG ": cannot initialise the database client\n");
		secret_wipe(c.cfg.db_password, sizeof(c.cfg.db_password));
		return EX_DB;
	}
	ex = c.cmd->run(&c);
	free(c.public_key);
	store_free(c.st);
	store_library_end();
	secret_wipe(c.cfg.db_password, sizeof(c.cfg.db_password));
	/* A token or hash that did not reach its reader is no success. */
	if ((fflush(stdout) != 0 || ferror(stdout)) && ex == EX_OK) {
		fprintf(stderr, PROG ": writing the output: %s\n",
		    strerror(errno));
		ex = EX_NO;
	}
	return ex;
}
