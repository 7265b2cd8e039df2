/*
 * migrate.h - the schema migrations: sql/NNN_name.sql applied in order,
 * once each, under a lock (doc/database.md).
 */
#ifndef OIDC_SECRET_MIGRATE_H
#define OIDC_SECRET_MIGRATE_H

#include <stdio.h>

#include "error.h"
#include "store.h"

#define MIGRATION_MAX 1000

/*
 * Splits a migration file into statements and hands each to
 * each(arg, statement).  The format is ours: a statement ends with ';' at
 * the end of a line (the ';' is dropped), lines whose first non-blank
 * characters are "--" are comments, blank lines are skipped.  text is
 * changed in place.  Returns ERR_OK, the first error each() returned, or
 * ERR_CONFIG when the last statement has no ';'; *line is the line where
 * the failing statement ended.
 */
enum err migrate_split(char *text, enum err (*each)(void *arg,
    const char *statement), void *arg, unsigned *line);

/* NNN_name.sql (three digits from 001, lowercase name): 0 and *version. */
int migrate_file_name(const char *name, unsigned *version);

/*
 * Applies the migrations in dir not yet applied, each in its own
 * transaction recorded in schema_migrations, after taking the migration
 * lock.  Progress lines go to out, errors (one line each) to err, each
 * starting with prog.  ERR_OK; ERR_CONFIG for a bad directory or file, or a
 * file older than the database that was never applied; ERR_SCHEMA_NEWER;
 * ERR_BUSY when the lock is held elsewhere; ERR_UNAVAILABLE or
 * ERR_INTERNAL from the database.
 */
enum err migrate_run(struct store *st, const char *dir, const char *prog,
    FILE *out, FILE *err);

#endif
