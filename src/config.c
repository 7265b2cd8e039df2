/*
 * config.c - settings: defaults, then oidc-secret.conf, then OIDC_SECRET_<KEY>.
 *
 * One table names every key, where it lives in struct config and what it may
 * hold.  Numbers are parsed with an explicit range, never atoi.  A bad value
 * stops start-up with one line naming the key, the value and what is allowed
 * (oidc-secret.conf(5)); a password is never echoed, and every buffer that
 * held it is wiped.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cors.h"
#include "util.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif

#define CONFIG_FILE_MAX (64 * 1024)

enum kind { K_STR, K_UINT, K_ENUM };

struct key {
	const char *name;
	enum kind kind;
	size_t off;
	size_t size;		/* K_STR: buffer size */
	unsigned min, max;	/* K_UINT */
	const char *const *names;	/* K_ENUM: NULL-terminated */
	int secret;		/* never echo the value */
};

static const char *const hash_names[] = { "argon2id", "bcrypt", NULL };
static const char *const level_names[] = {
	"error", "warn", "info", "debug", NULL
};

#define STR(k, s) { #k, K_STR, offsetof(struct config, k), \
	sizeof(((struct config *)0)->k), 0, 0, NULL, s }
#define UINT(k, lo, hi) { #k, K_UINT, offsetof(struct config, k), 0, \
	lo, hi, NULL, 0 }
#define ENUM(k, n) { #k, K_ENUM, offsetof(struct config, k), 0, 0, 0, n, 0 }

static const struct key keys[] = {
	STR(db_host, 0),
	UINT(db_port, 1, 65535),
	STR(db_socket, 0),
	STR(db_name, 0),
	STR(db_user, 0),
	STR(db_password, 1),
	UINT(db_connect_timeout_s, 1, 300),
	UINT(db_rw_timeout_s, 1, 3600),
	UINT(db_lock_wait_timeout_s, 1, 3600),
	STR(api_project_id, 0),
	ENUM(hash_algorithm, hash_names),
	/* RFC 9106 3.1: m >= 8p; 4 GiB - 1 KiB keeps m*1024 in 32 bits. */
	UINT(argon2_memory_kib, 8, 4194303),
	UINT(argon2_iterations, 1, 1000),
	UINT(argon2_parallelism, 1, 64),
	UINT(bcrypt_cost, 4, 31),
	UINT(secret_length, 16, 128),
	UINT(max_body_bytes, 0, 16777216),
	ENUM(log_level, level_names),
	STR(log_file, 0),
	STR(cors_allowed_origins, 0),
	STR(issuer, 0),
	/* A minute to a year; ZITADEL's default is 12 hours. */
	UINT(access_token_lifetime_s, 60, 31536000),
	/* Up to 30 days of a rotated secret still working. */
	UINT(secret_grace_period_s, 0, 2592000),
	UINT(read_timeout_s, 1, 3600),
	UINT(workers, 1, 256),
};

#define NKEYS (sizeof(keys) / sizeof(keys[0]))

const char *
config_default_path(void)
{
	return SYSCONFDIR "/oidc-secret.conf";
}

const char *
config_hash_name(unsigned alg)
{
	return alg < 2 ? hash_names[alg] : "?";
}

void
config_defaults(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->db_host, sizeof(cfg->db_host), "localhost");
	cfg->db_port = 3306;
	snprintf(cfg->db_name, sizeof(cfg->db_name), "oidc_secret");
	snprintf(cfg->db_user, sizeof(cfg->db_user), "oidc_secret");
	cfg->db_connect_timeout_s = 5;
	cfg->db_rw_timeout_s = 10;
	cfg->db_lock_wait_timeout_s = 3;
	/*
	 * bcrypt cost 4, ZITADEL's default for client secrets: a secret of 64
	 * letters and digits carries 381 bits, which no hash cost adds to,
	 * and a wrong one at the token endpoint or introspection costs a
	 * hash unauthenticated (doc/security.md, "Why bcrypt cost 4 by
	 * default").
	 */
	cfg->hash_algorithm = HASH_BCRYPT;
	cfg->bcrypt_cost = 4;
	/* When argon2id is chosen: OWASP's minimum, m=19 MiB, t=2, p=1. */
	cfg->argon2_memory_kib = 19456;
	cfg->argon2_iterations = 2;
	cfg->argon2_parallelism = 1;
	cfg->secret_length = 64;
	cfg->max_body_bytes = 64 * 1024;
	cfg->log_level = LOG_INFO;
	/* Any origin, as ZITADEL: the bearer token is the only credential. */
	snprintf(cfg->cors_allowed_origins, sizeof(cfg->cors_allowed_origins),
	    "*");
	/* ZITADEL's access token lifetime. */
	cfg->access_token_lifetime_s = 43200;
	/* ZITADEL's rotation: the old secret stops at once. */
	cfg->secret_grace_period_s = 0;
	cfg->read_timeout_s = 10;
	cfg->workers = 1;
}

static const struct key *
find_key(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (strlen(keys[i].name) == len &&
		    strncmp(keys[i].name, name, len) == 0)
			return &keys[i];
	return NULL;
}

/* A value as it may appear in a message: bounded, printable, or hidden. */
static void
shown(const struct key *k, const char *value, char *out, size_t outlen)
{
	size_t i, n = 0;

	if (k != NULL && k->secret) {
		snprintf(out, outlen, "(hidden)");
		return;
	}
	for (i = 0; value[i] != '\0' && n + 4 < outlen && i < 64; i++)
		out[n++] = isprint((unsigned char)value[i]) ? value[i] : '?';
	if (value[i] != '\0' && n + 4 < outlen) {
		memcpy(out + n, "...", 3);
		n += 3;
	}
	out[n] = '\0';
}

static int
parse_uint(const char *s, unsigned min, unsigned max, unsigned *out)
{
	uint64_t v;

	if (util_decimal(s, strlen(s), max, &v) != DECIMAL_OK || v < min)
		return -1;
	*out = (unsigned)v;
	return 0;
}

int
config_set(struct config *cfg, const char *key, const char *value,
    char *err, size_t errlen)
{
	const struct key *k = find_key(key, strlen(key));
	char *base = (char *)cfg;
	char show[80];
	size_t i, len;

	if (k == NULL) {
		shown(NULL, key, show, sizeof(show));
		snprintf(err, errlen, "unknown configuration key \"%s\"", show);
		return -1;
	}
	shown(k, value, show, sizeof(show));
	switch (k->kind) {
	case K_STR:
		len = strlen(value);
		if (len >= k->size) {
			snprintf(err, errlen,
			    "%s = \"%s\": longer than %zu bytes",
			    k->name, show, k->size - 1);
			return -1;
		}
		if (util_has_control(value, len)) {
			snprintf(err, errlen, "%s = \"%s\": control "
			    "characters are not allowed", k->name, show);
			return -1;
		}
		memcpy(base + k->off, value, len + 1);
		return 0;
	case K_UINT:
		if (parse_uint(value, k->min, k->max,
		    (unsigned *)(void *)(base + k->off)) != 0) {
			snprintf(err, errlen, "%s = \"%s\": expected a whole "
			    "number from %u to %u", k->name, show, k->min,
			    k->max);
			return -1;
		}
		return 0;
	case K_ENUM:
		for (i = 0; k->names[i] != NULL; i++)
			if (strcmp(k->names[i], value) == 0) {
				*(unsigned *)(void *)(base + k->off) =
				    (unsigned)i;
				return 0;
			}
		{
			char allowed[128] = "";
			size_t n = 0;

			for (i = 0; k->names[i] != NULL; i++)
				n += (size_t)snprintf(allowed + n,
				    sizeof(allowed) - n, "%s%s",
				    i ? ", " : "", k->names[i]);
			snprintf(err, errlen, "%s = \"%s\": expected one of %s",
			    k->name, show, allowed);
		}
		return -1;
	}
	return -1;
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/*
 * The value from v to line_end into out (outlen bytes): quoted, or bare up
 * to a comment.  0, or -1 with a message in err; out always holds a
 * NUL-terminated value, or as much of it as was read, for the message.
 */
static int
parse_value(const char *v, const char *line_end, char *out, size_t outlen,
    char *err, size_t errlen)
{
	const char *e;
	size_t n = 0;

	if (v < line_end && *v == '"') {
		for (v++; v < line_end && *v != '"'; v++) {
			if (*v == '\\' && v + 1 < line_end &&
			    (v[1] == '"' || v[1] == '\\'))
				v++;
			if (n + 1 >= outlen) {
				out[n] = '\0';
				snprintf(err, errlen, "value longer than %zu "
				    "bytes", outlen - 1);
				return -1;
			}
			out[n++] = *v;
		}
		out[n] = '\0';
		if (v == line_end) {
			snprintf(err, errlen, "unterminated \"");
			return -1;
		}
		for (v++; v < line_end && is_blank(*v); v++)
			;
		if (v < line_end && *v != '#') {
			snprintf(err, errlen, "text after the closing \"");
			return -1;
		}
		return 0;
	}
	/* Bare: up to "#" at the start or after white space. */
	for (e = v; e < line_end; e++)
		if (*e == '#' && (e == v || is_blank(e[-1])))
			break;
	while (e > v && is_blank(e[-1]))
		e--;
	n = (size_t)(e - v);
	if (n >= outlen) {
		memcpy(out, v, outlen - 1);
		out[outlen - 1] = '\0';
		snprintf(err, errlen, "value longer than %zu bytes",
		    outlen - 1);
		return -1;
	}
	memcpy(out, v, n);
	out[n] = '\0';
	return 0;
}

static int
config_line(struct config *cfg, const char *k, const char *line_end,
    unsigned *seen, unsigned lineno, const char *origin, char *err,
    size_t errlen)
{
	const char *k_end, *eq;
	const struct key *key;
	char name[64], value[1024], sub[512], show[80];
	int rc = -1;

	eq = memchr(k, '=', (size_t)(line_end - k));
	if (eq == NULL) {
		snprintf(err, errlen, "%s:%u: expected \"key = value\"", origin,
		    lineno);
		return -1;
	}
	k_end = eq;
	while (k_end > k && is_blank(k_end[-1]))
		k_end--;
	if ((size_t)(k_end - k) >= sizeof(name)) {
		snprintf(err, errlen, "%s:%u: key longer than %zu bytes",
		    origin, lineno, sizeof(name) - 1);
		return -1;
	}
	memcpy(name, k, (size_t)(k_end - k));
	name[k_end - k] = '\0';
	key = find_key(name, strlen(name));
	if (key != NULL && seen[key - keys] != 0) {
		snprintf(err, errlen, "%s:%u: %s given again (first on line "
		    "%u): keep one", origin, lineno, name, seen[key - keys]);
		return -1;
	}
	for (eq++; eq < line_end && is_blank(*eq); eq++)
		;
	if (parse_value(eq, line_end, value, sizeof(value), sub,
	    sizeof(sub)) != 0) {
		/* Named like any bad value; an unknown key's value is not. */
		if (key != NULL) {
			shown(key, value, show, sizeof(show));
			snprintf(err, errlen, "%s:%u: %s = \"%s\": %s", origin,
			    lineno, name, show, sub);
		} else
			snprintf(err, errlen, "%s:%u: %s: %s", origin, lineno,
			    name, sub);
		goto out;
	}
	if (config_set(cfg, name, value, sub, sizeof(sub)) != 0) {
		snprintf(err, errlen, "%s:%u: %s", origin, lineno, sub);
		goto out;
	}
	if (key != NULL)
		seen[key - keys] = lineno;
	rc = 0;
out:
	/* It may have held db_password. */
	explicit_bzero(value, sizeof(value));
	return rc;
}

int
config_parse(struct config *cfg, const char *text, size_t len,
    const char *origin, char *err, size_t errlen)
{
	const char *p = text, *end = text + len;
	unsigned lineno = 0, seen[NKEYS];

	memset(seen, 0, sizeof(seen));
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *line_end = eol != NULL ? eol : end;
		const char *k = p;

		lineno++;
		p = eol != NULL ? eol + 1 : end;
		while (k < line_end && is_blank(*k))
			k++;
		if (k == line_end || *k == '#')
			continue;
		if (memchr(k, '\0', (size_t)(line_end - k)) != NULL) {
			snprintf(err, errlen, "%s:%u: NUL byte in line", origin,
			    lineno);
			return -1;
		}
		if (config_line(cfg, k, line_end, seen, lineno, origin, err,
		    errlen) != 0)
			return -1;
	}
	return 0;
}

int
config_check_api(const struct config *cfg, char *err, size_t errlen)
{
	if (cfg->api_project_id[0] == '\0') {
		snprintf(err, errlen, "api_project_id is empty: set it to the "
		    "ID of the project that access tokens must name in their "
		    "audience");
		return -1;
	}
	return 0;
}

/* "*" alone, or origins: scheme://host[:port] without a path, or "null". */
static int
check_origins(const char *list, char *err, size_t errlen)
{
	const char *p = list, *e;
	int entries = 0, star = 0;
	size_t k;

	while (cors_list_next(&p, &e, &k)) {
		const char *host = strncasecmp(e, "https://", 8) == 0 ? e + 8 :
		    strncasecmp(e, "http://", 7) == 0 ? e + 7 : NULL;

		entries++;
		if (k == 1 && e[0] == '*')
			star = 1;
		else if (!(k == 4 && strncmp(e, "null", 4) == 0) &&
		    (host == NULL || host >= e + k ||
		    memchr(host, '/', (size_t)(e + k - host)) != NULL)) {
			snprintf(err, errlen,
			    "cors_allowed_origins = \"%.*s\": "
			    "not an origin (scheme://host[:port], no path)",
			    (int)(k > 64 ? 64 : k), e);
			return -1;
		}
	}
	if (entries == 0 || (star && entries > 1)) {
		snprintf(err, errlen, "cors_allowed_origins: expected \"*\" "
		    "alone, or origins separated by commas or spaces");
		return -1;
	}
	return 0;
}

/* One "host[:port]" entry of n bytes at p into h; -1 when malformed. */
static int
parse_host(const char *p, size_t n, unsigned port, struct db_host *h)
{
	const char *name = p, *rest;
	size_t hn;
	uint64_t v;

	if (n > 0 && p[0] == '[') {		/* [v6] or [v6]:port */
		const char *close = memchr(p, ']', n);

		if (close == NULL)
			return -1;
		name = p + 1;
		hn = (size_t)(close - name);
		rest = close + 1;
	} else {
		const char *colon = memchr(p, ':', n);

		hn = colon != NULL ? (size_t)(colon - p) : n;
		rest = p + hn;
	}
	if (rest < p + n) {		/* ":port" */
		if (*rest != ':' || util_decimal(rest + 1,
		    (size_t)(p + n - rest - 1), 65535, &v) != DECIMAL_OK ||
		    v == 0)
			return -1;
		port = (unsigned)v;
	}
	if (hn == 0 || hn >= sizeof(h->name))
		return -1;
	memcpy(h->name, name, hn);
	h->name[hn] = '\0';
	h->port = port;
	return 0;
}

int
config_db_hosts(const struct config *cfg, struct db_host *out, unsigned *n,
    char *err, size_t errlen)
{
	const char *p = cfg->db_host, *end;

	*n = 0;
	if (*p == '\0') {
		out[0].name[0] = '\0';
		out[0].port = cfg->db_port;
		*n = 1;
		return 0;
	}
	for (;;) {
		size_t k;

		p += strspn(p, " \t");
		k = strcspn(p, ",");
		end = p + k;
		while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		if (*n == DB_HOSTS_MAX || parse_host(p, (size_t)(end - p),
		    cfg->db_port, &out[*n]) != 0) {
			snprintf(err, errlen, "db_host = \"%.64s\": expected "
			    "host[:port] entries, at most %d, separated by "
			    "commas", cfg->db_host, DB_HOSTS_MAX);
			return -1;
		}
		(*n)++;
		if (p[k] == '\0')
			return 0;
		p += k + 1;
	}
}

/* http(s)://host[:port][/path], nothing a URL's query or fragment adds. */
static int
check_issuer(const char *v, char *err, size_t errlen)
{
	const char *host = strncmp(v, "https://", 8) == 0 ? v + 8 :
	    strncmp(v, "http://", 7) == 0 ? v + 7 : NULL;

	if (v[0] == '\0')
		return 0;
	if (host == NULL || host[0] == '\0' || host[0] == '/' ||
	    strpbrk(v, " \t?#\"\\") != NULL) {
		snprintf(err, errlen, "issuer = \"%.64s\": expected the site's "
		    "public base URL, https://host[:port][/path], no query",
		    v);
		return -1;
	}
	return 0;
}

int
config_check(const struct config *cfg, char *err, size_t errlen)
{
	struct db_host hosts[DB_HOSTS_MAX];
	unsigned n;

	if (check_issuer(cfg->issuer, err, errlen) != 0)
		return -1;
	if (check_origins(cfg->cors_allowed_origins, err, errlen) != 0)
		return -1;
	if (config_db_hosts(cfg, hosts, &n, err, errlen) != 0)
		return -1;
	if (cfg->argon2_memory_kib < 8 * cfg->argon2_parallelism) {
		snprintf(err, errlen, "argon2_memory_kib = %u: must be at "
		    "least 8 x argon2_parallelism (%u)", cfg->argon2_memory_kib,
		    8 * cfg->argon2_parallelism);
		return -1;
	}
	/* bcrypt reads at most 72 bytes: a longer secret would be cut short. */
	if (cfg->hash_algorithm == HASH_BCRYPT && cfg->secret_length > 72) {
		snprintf(err, errlen, "secret_length = %u: bcrypt uses at most "
		    "72 characters", cfg->secret_length);
		return -1;
	}
	return 0;
}

/*
 * What to do about a file the process may not read.  An account without
 * root (shared hosting without suEXEC) can still grant a user read access
 * to its own file with an ACL; root can give it to the process's group.
 * The group is named: a user's name need not be a group's (nobody's group
 * is nogroup on Debian).
 */
static void
no_access(const char *path, char *err, size_t errlen)
{
	struct passwd *pw = getpwuid(geteuid());
	struct group *gr = getgrgid(getegid());
	/* Named in full: the bundle's path is relative, the commands not. */
	char *abs = realpath(path, NULL);
	char user[64];

	if (abs != NULL)
		path = abs;
	if (pw != NULL)
		snprintf(user, sizeof(user), "%s", pw->pw_name);
	else
		snprintf(user, sizeof(user), "%u", (unsigned)geteuid());
	snprintf(err, errlen, "%s: cannot open: Permission denied: this "
	    "process runs as uid %u (%s) and needs read permission: "
	    "setfacl -m u:%s:r %s (as the file's owner; x on its directories "
	    "too), or as root chgrp %s and chmod 0640 (oidc-secret.conf(5))",
	    path, (unsigned)geteuid(), pw != NULL ? pw->pw_name : "?", user,
	    path, gr != NULL ? gr->gr_name : "GROUP");
	free(abs);
}

static int
load_file(struct config *cfg, const char *path, int required,
    char *err, size_t errlen)
{
	char *buf = NULL;
	size_t len = 0;
	int e, rc;

	e = util_read_file(path, CONFIG_FILE_MAX, &buf, &len);
	switch (e) {
	case 0:
		break;
	case ENOENT:
		if (!required)
			return 0;
		snprintf(err, errlen, "%s: cannot open: %s", path,
		    strerror(e));
		return -1;
	case EACCES:
		no_access(path, err, errlen);
		return -1;
	case EFBIG:
	case EINVAL:
		snprintf(err, errlen, "%s: not a regular file of at most %d "
		    "bytes", path, CONFIG_FILE_MAX);
		return -1;
	default:
		snprintf(err, errlen, "%s: cannot read: %s", path, strerror(e));
		return -1;
	}
	rc = config_parse(cfg, buf, len, path, err, errlen);
	/* The file may hold db_password. */
	explicit_bzero(buf, len);
	free(buf);
	return rc;
}

static int
load_env(struct config *cfg, char *err, size_t errlen)
{
	char name[96], sub[512];
	const char *value;
	size_t i, j;

	for (i = 0; i < NKEYS; i++) {
		int n = snprintf(name, sizeof(name), "OIDC_SECRET_");

		for (j = 0; keys[i].name[j] != '\0'; j++)
			name[n++] =
			    (char)toupper((unsigned char)keys[i].name[j]);
		name[n] = '\0';
		value = getenv(name);
		if (value == NULL)
			continue;
		if (config_set(cfg, keys[i].name, value, sub,
		    sizeof(sub)) != 0) {
			snprintf(err, errlen, "environment %s: %s", name, sub);
			return -1;
		}
		/* Our copy is in cfg; /proc/PID/environ keeps no password. */
		if (keys[i].secret)
			explicit_bzero((char *)(uintptr_t)value, strlen(value));
	}
	return 0;
}

int
config_load(struct config *cfg, const char *path, char *err, size_t errlen)
{
	int required = 1;

	config_defaults(cfg);
	if (path == NULL)
		path = getenv("OIDC_SECRET_CONFIG");
	if (path == NULL || path[0] == '\0') {
		path = config_default_path();
		required = 0;
	}
	if (load_file(cfg, path, required, err, errlen) != 0)
		return -1;
	if (load_env(cfg, err, errlen) != 0)
		return -1;
	return config_check(cfg, err, errlen);
}
