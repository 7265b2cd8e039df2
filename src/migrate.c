/*
 * migrate.c - the schema migrations: which files, in what order, split
 * into statements, applied once each under a lock.
 *
 * The SQL it runs goes through store_admin_db.c (store_admin.h).  Two migrates
 * at once would race on DDL, so a named lock held by the connection guards
 * the run, and the connection is pinned: if it is lost, the lock is lost
 * with it, and the run stops instead of going on unguarded on a new
 * connection.
 */
#include "migrate.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store_admin.h"
#include "util.h"

#define MIGRATE_LOCK_WAIT 30	/* seconds */
#define MIGRATION_FILE_MAX (1024 * 1024)

struct migration {
	unsigned version;
	char name[256];
};

enum err
migrate_split(char *text, enum err (*each)(void *, const char *), void *arg,
    unsigned *line)
{
	char *p = text, *stmt = NULL;
	size_t stmt_len = 0, cap = 0;
	unsigned lineno = 0;
	enum err e = ERR_OK;

	while (p != NULL && *p != '\0') {
		char *nl = strchr(p, '\n'), *s = p, *end;
		size_t n;

		lineno++;
		if (nl != NULL)
			*nl = '\0';
		p = nl != NULL ? nl + 1 : NULL;
		while (*s == ' ' || *s == '\t')
			s++;
		end = s + strlen(s);
		while (end > s && (end[-1] == ' ' || end[-1] == '\t' ||
		    end[-1] == '\r'))
			end--;
		n = (size_t)(end - s);
		if (n == 0 || strncmp(s, "--", 2) == 0)
			continue;
		if (stmt_len + n + 2 > cap) {
			char *grown;

			cap = (stmt_len + n + 2) * 2;
			grown = realloc(stmt, cap);
			if (grown == NULL) {
				e = ERR_INTERNAL;
				break;
			}
			stmt = grown;
		}
		if (stmt_len > 0)
			stmt[stmt_len++] = '\n';
		memcpy(stmt + stmt_len, s, n);
		stmt_len += n;
		stmt[stmt_len] = '\0';
		if (stmt[stmt_len - 1] != ';')
			continue;
		stmt[--stmt_len] = '\0';
		if ((e = each(arg, stmt)) != ERR_OK)
			break;
		stmt_len = 0;
	}
	if (e == ERR_OK && stmt_len > 0)
		e = ERR_CONFIG;
	*line = lineno;
	free(stmt);
	return e;
}

int
migrate_file_name(const char *f, unsigned *version)
{
	size_t n = strlen(f), i;
	uint64_t v;

	if (n < 9 || n >= 256 || strcmp(f + n - 4, ".sql") != 0 || f[3] != '_')
		return -1;
	for (i = 4; i < n - 4; i++)
		if (!((f[i] >= 'a' && f[i] <= 'z') ||
		    (f[i] >= '0' && f[i] <= '9') || f[i] == '_'))
			return -1;
	if (util_decimal(f, 3, 999, &v) != DECIMAL_OK || v == 0)
		return -1;
	*version = (unsigned)v;
	return 0;
}

static int
by_version(const void *a, const void *b)
{
	const struct migration *x = a, *y = b;

	return x->version < y->version ? -1 : x->version > y->version;
}

/* The migrations in dir, sorted; ERR_CONFIG (reported) when none or two
 * share a number. */
static enum err
list_migrations(const char *dir, struct migration *m, size_t *count,
    const char *prog, FILE *err)
{
	struct dirent *de;
	DIR *d;
	size_t n = 0, i;

	d = opendir(dir);
	if (d == NULL) {
		fprintf(err, "%s: sql directory %s: %s\n", prog, dir,
		    strerror(errno));
		return ERR_CONFIG;
	}
	while ((de = readdir(d)) != NULL) {
		unsigned v;

		if (migrate_file_name(de->d_name, &v) != 0)
			continue;
		if (n == MIGRATION_MAX) {
			fprintf(err, "%s: %s: more than %d migrations\n", prog,
			    dir, MIGRATION_MAX);
			closedir(d);
			return ERR_CONFIG;
		}
		m[n].version = v;
		snprintf(m[n].name, sizeof(m[n].name), "%s", de->d_name);
		n++;
	}
	closedir(d);
	qsort(m, n, sizeof(*m), by_version);
	for (i = 1; i < n; i++)
		if (m[i].version == m[i - 1].version) {
			fprintf(err, "%s: %s: %s and %s share a version\n",
			    prog, dir, m[i - 1].name, m[i].name);
			return ERR_CONFIG;
		}
	if (n == 0) {
		fprintf(err, "%s: %s holds no NNN_name.sql migrations\n", prog,
		    dir);
		return ERR_CONFIG;
	}
	*count = n;
	return ERR_OK;
}

static enum err
exec_one(void *st, const char *statement)
{
	return store_exec(st, statement);
}

/* One file in one transaction, recorded in the same one. */
static enum err
apply(struct store *st, const char *dir, const struct migration *m,
    const char *prog, FILE *err)
{
	char path[4096], *text = NULL;
	size_t len;
	unsigned line = 0;
	enum err e;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, m->name) >=
	    sizeof(path) || util_read_file(path, MIGRATION_FILE_MAX, &text,
	    &len) != 0) {
		fprintf(err, "%s: %s: cannot read (or over %d bytes)\n", prog,
		    path, MIGRATION_FILE_MAX);
		return ERR_CONFIG;
	}
	/*
	 * MySQL commits implicitly around DDL, so only data changes are
	 * undone when a later statement fails; the shipped files use IF NOT
	 * EXISTS and INSERT IGNORE so that a rerun completes what a failed
	 * run began.
	 */
	e = store_begin(st);
	if (e == ERR_OK) {
		e = migrate_split(text, exec_one, st, &line);
		if (e == ERR_CONFIG)
			fprintf(err, "%s: %s: the last statement has no ';'\n",
			    prog, m->name);
		else if (e != ERR_OK)
			fprintf(err, "%s: %s: the statement ending at line %u "
			    "failed\n", prog, m->name, line);
	}
	if (e == ERR_OK)
		e = store_record_migration(st, m->version, m->name);
	if (e == ERR_OK)
		e = store_commit(st);
	if (e != ERR_OK)
		store_rollback(st);
	free(text);
	return e;
}

/* Every file older than the database's version must have been applied. */
static enum err
check_history(struct store *st, const struct migration *m, size_t n,
    unsigned have, const char *prog, FILE *err)
{
	size_t i;
	enum err e;

	for (i = 0; i < n && m[i].version <= have; i++) {
		e = store_migration_recorded(st, m[i].version);
		if (e == ERR_NOT_FOUND) {
			fprintf(err, "%s: %s was never applied, yet the "
			    "database is at version %u: apply it by hand or "
			    "renumber it; nothing changed\n", prog, m[i].name,
			    have);
			return ERR_CONFIG;
		}
		if (e != ERR_OK)
			return e;
	}
	return ERR_OK;
}

enum err
migrate_run(struct store *st, const char *dir, const char *prog, FILE *out,
    FILE *err)
{
	struct migration *m;
	size_t n = 0, i;
	unsigned have = 0, newest, applied = 0;
	enum err e;

	m = calloc(MIGRATION_MAX, sizeof(*m));
	if (m == NULL)
		return ERR_INTERNAL;
	if ((e = list_migrations(dir, m, &n, prog, err)) != ERR_OK)
		goto out;
	newest = m[n - 1].version;
	e = store_migration_lock(st, MIGRATE_LOCK_WAIT);
	if (e == ERR_BUSY) {
		fprintf(err, "%s: another migrate has held the database's "
		    "migration lock for %d s; nothing changed\n", prog,
		    MIGRATE_LOCK_WAIT);
		goto out;
	}
	if (e == ERR_OK)
		e = store_schema_version(st, &have);
	if (e != ERR_OK)
		goto out;
	if (have > newest) {
		fprintf(err, "%s: the database is at schema version %u, newer "
		    "than the newest migration here (%u in %s): upgrade "
		    "oidc-secret first; nothing changed\n", prog, have,
		    newest, dir);
		e = ERR_SCHEMA_NEWER;
		goto out;
	}
	if ((e = check_history(st, m, n, have, prog, err)) != ERR_OK)
		goto out;
	for (i = 0; i < n; i++) {
		if (m[i].version <= have)
			continue;
		e = apply(st, dir, &m[i], prog, err);
		if (e != ERR_OK) {
			fprintf(err, "%s: %s not applied; schema left at "
			    "version %u\n", prog, m[i].name, applied > 0 ?
			    m[i - 1].version : have);
			goto out;
		}
		fprintf(out, "applied %s\n", m[i].name);
		applied++;
	}
	fprintf(out, "schema at version %u (%u applied now)\n", newest,
	    applied);
out:
	free(m);
	return e;
}
