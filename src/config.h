/*
 * config.h - settings from oidc-secret.conf and OIDC_SECRET_<KEY>
 * (oidc-secret.conf(5)).
 */
#ifndef OIDC_SECRET_CONFIG_H
#define OIDC_SECRET_CONFIG_H

#include <stddef.h>

#define ID_MAX 200		/* characters in an ID, as ZITADEL allows */
#define ID_BYTES (ID_MAX * 4)	/* the same in UTF-8 bytes */

enum hash_alg { HASH_ARGON2ID, HASH_BCRYPT };
enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

struct config {
	char db_host[256];
	unsigned db_port;
	char db_socket[256];
	char db_name[65];
	char db_user[81];
	char db_password[256];
	unsigned db_connect_timeout_s;
	unsigned db_rw_timeout_s;
	unsigned db_lock_wait_timeout_s;
	char api_project_id[ID_BYTES + 1];
	unsigned hash_algorithm;	/* enum hash_alg */
	unsigned argon2_memory_kib;
	unsigned argon2_iterations;
	unsigned argon2_parallelism;
	unsigned bcrypt_cost;
	unsigned secret_length;
	unsigned max_body_bytes;
	unsigned log_level;		/* enum log_level */
	char log_file[256];		/* "" : stderr */
	char cors_allowed_origins[2048];	/* "*", or origins */
	/* OAuth 2.0 (doc/oauth.md) */
	char issuer[256];		/* "": from the request's host */
	unsigned access_token_lifetime_s;
	unsigned secret_grace_period_s;	/* 0: a new secret ends the old */
	/* The process model (doc/operations.md). */
	unsigned read_timeout_s;	/* parameters and body, from accept */
	unsigned workers;		/* processes on one inherited socket */
};

/* One database server of db_host's list. */
#define DB_HOSTS_MAX 8
struct db_host {
	char name[256];		/* "" : the client library's default */
	unsigned port;
};

/*
 * db_host as a list: "host[:port]" entries separated by commas, "[v6]" or
 * "[v6]:port" for IPv6 addresses; a port not given is db_port.  0 and *n,
 * or -1 with a line in err.
 */
int config_db_hosts(const struct config *cfg, struct db_host *out,
    unsigned *n, char *err, size_t errlen);

/* Where the file is looked for when OIDC_SECRET_CONFIG is not set. */
const char *config_default_path(void);

/*
 * Fills cfg with the defaults, then the file, then the environment.  path
 * NULL means OIDC_SECRET_CONFIG, else config_default_path(); a missing file
 * is an error only when it was named explicitly.  On failure returns -1 with
 * one line in err naming the key, the value and what is allowed, or the
 * file and what to do about it.  The file's text, and the password's
 * environment variable, are wiped once read.
 */
int config_load(struct config *cfg, const char *path, char *err, size_t errlen);

/* The same steps, separately (for tests and the admin tool). */
void config_defaults(struct config *cfg);
int config_set(struct config *cfg, const char *key, const char *value,
    char *err, size_t errlen);
/*
 * "key = value" lines; "#" starts a comment at the start of a line or after
 * white space; a value in double quotes keeps "#" and spaces (\" and \\
 * inside).  A key given twice is an error.
 */
int config_parse(struct config *cfg, const char *text, size_t len,
    const char *origin, char *err, size_t errlen);
/* Rules between keys and lists (argon2 lanes, bcrypt, origins). */
int config_check(const struct config *cfg, char *err, size_t errlen);
/*
 * api_project_id is set: the responder cannot check an audience without it,
 * so it refuses to start; the admin tool needs it only to issue tokens.
 */
int config_check_api(const struct config *cfg, char *err, size_t errlen);

const char *config_hash_name(unsigned alg);

#endif
