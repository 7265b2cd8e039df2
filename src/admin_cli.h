/*
 * admin_cli.h - what the files of oidc-secret-admin share: a command's
 * entry in the table, the parsed command line, the exit codes, and the
 * helpers every command uses (admin_cli.c): option values and their
 * checks, one-line messages, lists, new IDs.
 *
 * Each object has its file and its table of commands: the database
 * (admin_db.c, admin_check.c), organizations (admin_org.c), users and
 * machine users' secrets and keys (admin_user.c), memberships
 * (admin_member.c), projects (admin_project.c), apps (admin_app.c), tokens
 * (admin_token.c), stored secrets (admin_secret.c).  A new command is an
 * entry in its object's table and the functions it names, in that file;
 * admin.c puts the tables together.
 */
#ifndef OIDC_SECRET_ADMIN_CLI_H
#define OIDC_SECRET_ADMIN_CLI_H

#include <stddef.h>
#include <stdio.h>

#include "config.h"
#include "error.h"
#include "ids.h"
#include "secret.h"
#include "store_admin.h"
#include "ts.h"

#define PROG "oidc-secret-admin"

/* Fixed: scripts rely on them (usage(), oidc-secret-admin(8)). */
enum exit_code {
	EX_OK = 0,
	EX_NO = 1,		/* no match (verify), a failed check */
	EX_USAGE = 2,
	EX_CONFIG = 3,		/* configuration, unreadable sql directory */
	EX_DB = 4,		/* database unreachable or a statement failed */
	EX_NOTFOUND = 5,	/* no such user, app, key or token */
	EX_NEWER = 6,		/* the database is newer than this tool */
	EX_EXISTS = 7,		/* already there: a name, client ID, init */
	EX_SCOPE = 8		/* a role at a scope that is not its own */
};

#define OPTS_MAX 6

struct ctx;

struct command {
	/* "token" "issue"; "user" "key add"; "hash" NULL */
	const char *word, *sub;
	/* Options: "--name=" takes a value, "--name" is a flag. */
	const char *opts[OPTS_MAX + 1];
	int (*check)(struct ctx *);	/* values, before the configuration */
	int (*run)(struct ctx *);
	/* Its lines of --help; NULL where the entry before says it. */
	const char *help;
};

struct ctx {
	const struct command *cmd;
	const char *val[OPTS_MAX];	/* as cmd->opts; "" for a flag */
	const char *config_path;	/* --config, or NULL */
	struct config cfg;
	struct store *st;
	long ttl;
	/* user key add: --public-key as stored (canonical PEM), --expires */
	char *public_key;
	struct ts expires;
};

/* --- the command tables, each ended by an entry without a word --- */

extern const struct command admin_setup_commands[];	/* admin_db.c */
extern const struct command admin_org_commands[];
extern const struct command admin_user_commands[];
extern const struct command admin_member_commands[];
extern const struct command admin_project_commands[];
extern const struct command admin_app_commands[];
extern const struct command admin_token_commands[];
extern const struct command admin_secret_commands[];
extern const struct command admin_check_commands[];	/* admin_check.c */

/* --- the command line (admin_cli.c) --- */

/* Every argument a known option of c->cmd, each once, values present. */
int parse_opts(struct ctx *c, int argc, char **argv);
/* The value of option name ("" for a set flag), or NULL when not given. */
const char *get(const struct ctx *c, const char *name);
/* "org add", "check-config": how the command is called, for messages. */
const char *cmd_name(const struct ctx *c);
/* 1 to 200 characters of UTF-8 without control characters. */
int valid_id(const char *s);
/* No control characters: they would reach a terminal. */
int printable(const char *s);
/* Option opt holds an ID (or, for --name, a name): required when need. */
int check_id_opt(const struct ctx *c, const char *opt, int need);
/* --ttl into c->ttl (DEFAULT_TTL without it). */
int check_ttl_opt(struct ctx *c);
int check_by_id(struct ctx *c);		/* --id ID, required */
int check_by_org(struct ctx *c);	/* [--org ID] */
int check_org_and_name(struct ctx *c);	/* --org ID --name NAME */

/* --- messages (admin_cli.c) --- */

int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "PROG: what: database error (the line above says which)". */
void db_error(const char *what);
/* An enum err from the database as the exit status. */
int exit_for(enum err e);
/*
 * One line for a refusal of the store: what names the object (as the
 * store's *what), id what was named; with what to run instead.
 */
int refused(const struct ctx *c, enum err e, const char *what,
    const char *id);
/* s as a terminal may show it: control characters as '?'. */
void put_safe(FILE *f, const char *s);
/* s as one shell word, quoted where it needs it ('?' for control
 * characters): for a command line a message tells to run. */
void put_word(FILE *f, const char *s);
/*
 * The one time a secret or a private key is shown: label, then p[0..n),
 * then a line end, written to standard output's descriptor after what
 * stdio holds, so that no stdio buffer keeps a copy.  0, or -1 with a
 * message.
 */
int put_once(const char *label, const char *p, size_t n);

/* --- lists (admin_cli.c) --- */

struct column {
	const char *head;
	int width;		/* padded to; negative: to the right; 0: last */
	const char *blank;	/* shown for an empty cell, or NULL */
};

/*
 * A list is a header line and a line a row, each column padded to its
 * width and two spaces apart, control characters shown as '?'.  cols ends
 * with a column without head.  list_row is the store's list_row_fn, cols
 * its arg.
 */
void list_head(const struct column *cols);
void list_row(void *cols, const char *const *cells);
/* The exit status of a list the store ran: what names it on an error. */
int list_end(enum err e, const char *what);

/* --- shared by several commands --- */

#define DEFAULT_TTL 43200	/* 12 hours, ZITADEL's access token lifetime */
#define TOKEN_CHARS 43		/* 43 of 62 symbols: 256 bits */
#define DEFAULT_SCOPES "openid urn:zitadel:iam:org:project:id:zitadel:aud"

/*
 * org add, user add, project add: a new ID, add(store, id, --org, --name)
 * and the ID printed, or the refusal.
 */
typedef enum err add_fn(struct store *s, const char *id, const char *org,
    const char *name, const char **what);
int add_named(struct ctx *c, add_fn *add);
/* org deactivate, user deactivate: fn(store, --id) and "KIND ID
 * deactivated" or "... was inactive already", or the refusal. */
typedef enum err deactivate_fn(struct store *s, const char *id,
    int *already, const char **what);
int deactivate(struct ctx *c, deactivate_fn *fn, const char *kind);
/* A new ID (ids.h); -1 with a message when the clock is out of range. */
int new_id(char out[IDS_DECIMAL_MAX]);
/* The configuration's hash parameters. */
void hash_params(const struct config *cfg, struct hash_params *hp);
/*
 * A new client secret and its hash, as the responder makes them
 * (secret_length, hash_algorithm): 0, or EX_CONFIG with a message.  The
 * caller wipes both.
 */
int secret_new(const struct ctx *c, char secret[SECRET_MAX + 1],
    char hash[HASH_MAX]);
/* A new bearer token and its SHA-256; -1 when the random generator fails
 * (admin_token.c). */
int token_new(char token[TOKEN_CHARS + 1], char digest[SHA256_HEX]);
/* Now plus the lifetime, whole seconds (admin_token.c). */
struct ts token_expiry(long ttl);
/*
 * After migrate: the memberships whose role is not of their scope, which
 * grant nothing, each with what to run instead; on stderr (admin_member.c).
 */
int member_report_inert(struct ctx *c);

/* What a command needs of a machine user (admin_user.c). */
enum machine_need {
	MACHINE_ANY,		/* a machine user, not removed */
	MACHINE_ACTIVE,		/* active, in an active organization */
	MACHINE_SECRET,		/* that, holding a secret */
	MACHINE_KEY		/* that, holding the key key_id */
};

/*
 * The machine user id, looked up into *u: EX_OK when it is what need
 * asks, else the refusal on stderr, with what to run instead, and its exit
 * status.
 */
int machine_user(const struct ctx *c, const char *id, enum machine_need need,
    const char *key_id, struct user_state *u);

#endif
