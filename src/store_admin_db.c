/*
 * store_admin_db.c - the admin tool's SQL about the database itself: migration
 * statements, the schema's version and records, the migration lock, and
 * what the connected user may do there (store_admin.h).
 */
#include "store_admin_internal.h"

#include <string.h>

enum err
store_exec(struct store *s, const char *statement)
{
	return sa_run(s, statement, NULL);
}

enum err
store_schema_version(struct store *s, unsigned *version)
{
	static const char q_max[] =
	    "SELECT COALESCE(MAX(version), 0) FROM schema_migrations";
	unsigned long long v = 0;
	enum err e;

	*version = 0;
	e = store_table_visible(s, "schema_migrations", NULL);
	if (e == ERR_NOT_FOUND)
		return ERR_OK;
	if (e != ERR_OK)
		return e;
	e = sa_one_u64(s, q_max, NULL, &v, NULL);
	if (e == ERR_OK)
		*version = (unsigned)v;
	return e;
}

enum err
store_table_visible(struct store *s, const char *table, const char *column)
{
	struct binds par = { .n = 0 };

	bind_str(&par, table);
	if (column == NULL)
		return sa_exists(s, "SELECT 1 FROM information_schema.tables"
		    " WHERE table_schema = DATABASE() AND table_name = ?",
		    &par);
	bind_str(&par, column);
	return sa_exists(s, "SELECT 1 FROM information_schema.columns"
	    " WHERE table_schema = DATABASE() AND table_name = ?"
	    " AND column_name = ?", &par);
}

enum err
store_record_migration(struct store *s, unsigned version, const char *name)
{
	static const char q[] =
	    "INSERT INTO schema_migrations (version, name, applied_at)"
	    " VALUES (?, ?, UTC_TIMESTAMP(6))";
	struct binds par = { .n = 0 };
	unsigned long long v = version;

	bind_u64(&par, &v);
	bind_str(&par, name);
	return sa_run(s, q, &par);
}

enum err
store_migration_recorded(struct store *s, unsigned version)
{
	struct binds par = { .n = 0 };
	unsigned long long v = version;

	bind_u64(&par, &v);
	return sa_exists(s, "SELECT 1 FROM schema_migrations WHERE version = ?",
	    &par);
}

enum err
store_migration_lock(struct store *s, unsigned wait_s)
{
	static const char q[] = "SELECT COALESCE(GET_LOCK(CONCAT(DATABASE(),"
	    " '.oidc-secret-migrate'), ?), 0)";
	struct binds par = { .n = 0 };
	unsigned long long wait = wait_s, got = 0;
	enum err e;

	bind_u64(&par, &wait);
	e = sa_one_u64(s, q, &par, &got, NULL);
	if (e != ERR_OK)
		return e;
	if (got != 1)
		return ERR_BUSY;
	/* The lock belongs to this connection: never open another. */
	store_pin(s);
	return ERR_OK;
}

enum err
store_current_user(struct store *s, char *out, size_t outlen)
{
	struct binds res = { .n = 0 };

	result_str(&res, out, outlen);
	return store_oneshot(s, "SELECT CURRENT_USER()", NULL, &res, NULL,
	    NULL, NULL);
}

/*
 * information_schema names a grantee 'name'@'host'; CURRENT_USER() is
 * name@host, and only the host is sure to hold no '@'.
 */
enum err
store_privileges(struct store *s, list_row_fn *each, void *arg)
{
	static const struct sa_list l = {
		"SELECT p.lvl, p.tbl, p.col, p.priv FROM ("
		" SELECT 'global' AS lvl, '' AS tbl, '' AS col,"
		" PRIVILEGE_TYPE AS priv, GRANTEE AS g"
		" FROM information_schema.USER_PRIVILEGES"
		" WHERE PRIVILEGE_TYPE <> 'USAGE'"
		" UNION ALL SELECT 'database', '', '', PRIVILEGE_TYPE, GRANTEE"
		" FROM information_schema.SCHEMA_PRIVILEGES"
		" WHERE DATABASE() LIKE TABLE_SCHEMA"
		" UNION ALL SELECT 'table', TABLE_NAME, '', PRIVILEGE_TYPE,"
		" GRANTEE FROM information_schema.TABLE_PRIVILEGES"
		" WHERE TABLE_SCHEMA = DATABASE()"
		" UNION ALL SELECT 'column', TABLE_NAME, COLUMN_NAME,"
		" PRIVILEGE_TYPE, GRANTEE"
		" FROM information_schema.COLUMN_PRIVILEGES"
		" WHERE TABLE_SCHEMA = DATABASE()) p,"
		" (SELECT CURRENT_USER() AS cu,"
		" SUBSTRING_INDEX(CURRENT_USER(), '@', -1) AS h) u"
		" WHERE p.g = CONCAT('''', LEFT(u.cu, CHAR_LENGTH(u.cu)"
		" - CHAR_LENGTH(u.h) - 1), '''@''', u.h, '''')"
		" ORDER BY p.tbl, p.col, p.priv, p.lvl",
		4, 0
	};

	return sa_list(s, &l, NULL, each, arg);
}
