/*
 * config.c - settings: defaults, then oidc-secret.conf, then OIDC_SECRET_<KEY>.
 *
 * One table names every key, where it lives in struct config and what it may
 * hold.  Numbers are parsed with an explicit range, never atoi (curl's
 * curlx_str_number).  A bad value stops start-up with one line naming the
 * key, the value and what is allowed (SPEC section 7); a password is never
 * echoed.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
static const char *const level_names[] = { "error", "warn", "info", "debug", NULL };

#define STR(k, s) { #k, K_STR, offsetof(struct config, k), \
	sizeof(((struct config *)0)->k), 0, 0, NULL, s }
#define UINT(k, lo, hi) { #k, K_UINT, offsetof(struct config, k), 0, lo, hi, NULL, 0 }
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
	cfg->hash_algorithm = HASH_ARGON2ID;
	/* OWASP's argon2id minimum, and ZITADEL's: m=19 MiB, t=2, p=1. */
	cfg->argon2_memory_kib = 19456;
	cfg->argon2_iterations = 2;
	cfg->argon2_parallelism = 1;
	/* ZITADEL's default for client secrets: they carry 381 bits already. */
	cfg->bcrypt_cost = 4;
	cfg->secret_length = 64;
	cfg->max_body_bytes = 64 * 1024;
	cfg->log_level = LOG_INFO;
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
	unsigned long v = 0;
	const char *p = s;

	if (*p == '\0')
		return -1;
	for (; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (unsigned long)(*p - '0');
		if (v > max)
			return -1;
	}
	if (v < min)
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
			snprintf(err, errlen, "%s = \"%s\": longer than %zu bytes",
			    k->name, show, k->size - 1);
			return -1;
		}
		for (i = 0; i < len; i++)
			if ((unsigned char)value[i] < 0x20 || value[i] == 0x7f) {
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
			    "number from %u to %u", k->name, show, k->min, k->max);
			return -1;
		}
		return 0;
	case K_ENUM:
		for (i = 0; k->names[i] != NULL; i++)
			if (strcmp(k->names[i], value) == 0) {
				*(unsigned *)(void *)(base + k->off) = (unsigned)i;
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

int
config_parse(struct config *cfg, const char *text, size_t len,
    const char *origin, char *err, size_t errlen)
{
	const char *p = text, *end = text + len;
	unsigned lineno = 0;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *line_end = eol != NULL ? eol : end;
		const char *k, *k_end, *v, *v_end, *eq;
		char key[64], value[1024], sub[512];

		lineno++;
		k = p;
		p = eol != NULL ? eol + 1 : end;
		while (k < line_end && is_blank(*k))
			k++;
		if (k == line_end || *k == '#')
			continue;
		if (memchr(k, '\0', (size_t)(line_end - k)) != NULL) {
			snprintf(err, errlen, "%s:%u: NUL byte in line", origin, lineno);
			return -1;
		}
		eq = memchr(k, '=', (size_t)(line_end - k));
		if (eq == NULL) {
			snprintf(err, errlen, "%s:%u: expected \"key = value\"",
			    origin, lineno);
			return -1;
		}
		k_end = eq;
		while (k_end > k && is_blank(k_end[-1]))
			k_end--;
		v = eq + 1;
		while (v < line_end && is_blank(*v))
			v++;
		v_end = line_end;
		while (v_end > v && is_blank(v_end[-1]))
			v_end--;
		if ((size_t)(k_end - k) >= sizeof(key)) {
			snprintf(err, errlen, "%s:%u: key longer than %zu bytes",
			    origin, lineno, sizeof(key) - 1);
			return -1;
		}
		memcpy(key, k, (size_t)(k_end - k));
		key[k_end - k] = '\0';
		if ((size_t)(v_end - v) >= sizeof(value)) {
			/* No key takes this much: name it, show the start. */
			memcpy(value, v, sizeof(value) - 1);
			value[sizeof(value) - 1] = '\0';
			shown(find_key(key, strlen(key)), value, sub, 80);
			snprintf(err, errlen, "%s:%u: %s = \"%s\": longer than %zu "
			    "bytes", origin, lineno, key, sub, sizeof(value) - 1);
			return -1;
		}
		memcpy(value, v, (size_t)(v_end - v));
		value[v_end - v] = '\0';
		if (config_set(cfg, key, value, sub, sizeof(sub)) != 0) {
			snprintf(err, errlen, "%s:%u: %s", origin, lineno, sub);
			return -1;
		}
	}
	return 0;
}

int
config_check_api(const struct config *cfg, char *err, size_t errlen)
{
	if (cfg->api_project_id[0] == '\0') {
		snprintf(err, errlen, "api_project_id is empty: set it to the ID "
		    "of the project that access tokens must name in their audience");
		return -1;
	}
	return 0;
}

int
config_check(const struct config *cfg, char *err, size_t errlen)
{
	if (cfg->argon2_memory_kib < 8 * cfg->argon2_parallelism) {
		snprintf(err, errlen, "argon2_memory_kib = %u: must be at least "
		    "8 x argon2_parallelism (%u)", cfg->argon2_memory_kib,
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

static int
load_file(struct config *cfg, const char *path, int required,
    char *err, size_t errlen)
{
	char *buf = NULL;
	struct stat st;
	ssize_t n;
	size_t have = 0;
	int fd, rc = -1;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT && !required)
			return 0;
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_size > CONFIG_FILE_MAX) {
		snprintf(err, errlen, "%s: not a regular file of at most %d bytes",
		    path, CONFIG_FILE_MAX);
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (buf == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto out;
	}
	while (have < (size_t)st.st_size) {
		n = read(fd, buf + have, (size_t)st.st_size - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(err, errlen, "%s: read failed", path);
			goto out;
		}
		have += (size_t)n;
	}
	rc = config_parse(cfg, buf, have, path, err, errlen);
out:
	if (buf != NULL) {
		/* The file may hold db_password. */
		explicit_bzero(buf, have);
		free(buf);
	}
	close(fd);
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
			name[n++] = (char)toupper((unsigned char)keys[i].name[j]);
		name[n] = '\0';
		value = getenv(name);
		if (value == NULL)
			continue;
		if (config_set(cfg, keys[i].name, value, sub, sizeof(sub)) != 0) {
			snprintf(err, errlen, "environment %s: %s", name, sub);
			return -1;
		}
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
