/*
 * test_migrate.c - splitting migration files into statements, and their
 * names (src/migrate.c: migrate_split, migrate_file_name).
 *
 * Covers: statements over one or many lines (each line trimmed, joined by
 * newlines, the final ';' dropped); comment lines ("--" first) and blank
 * lines skipped anywhere, also inside a statement; CRLF line ends; ';'
 * ending a statement only at the end of a line (inside a line, or before a
 * trailing comment, it does not); a last statement without ';' refused
 * with ERR_CONFIG and the last line; a server's executable comment kept
 * in its statement; an error from the callback stopping
 * the split at once, with the line where that statement ended; long
 * statements; the file names NNN_name.sql, version 001 to 999.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migrate.h"

#define MAX_STATEMENTS 16

struct seen {
	char *statement[MAX_STATEMENTS];
	int n;
	int fail_at;		/* statement number (from 1) that fails */
	enum err fail_with;
};

static enum err
collect(void *arg, const char *statement)
{
	struct seen *s = arg;

	assert_true(s->n < MAX_STATEMENTS);
	s->statement[s->n] = strdup(statement);
	assert_non_null(s->statement[s->n]);
	s->n++;
	return s->n == s->fail_at ? s->fail_with : ERR_OK;
}

static void
seen_free(struct seen *s)
{
	int i;

	for (i = 0; i < s->n; i++)
		free(s->statement[i]);
	memset(s, 0, sizeof(*s));
}

/* Splits a copy of text; the statements land in s. */
static enum err
split(const char *text, struct seen *s, unsigned *line)
{
	char *copy = strdup(text);
	enum err e;

	assert_non_null(copy);
	*line = 12345;
	e = migrate_split(copy, collect, s, line);
	free(copy);
	return e;
}

/* text splits cleanly into the n statements given, the last on line. */
static void
check(const char *text, unsigned want_line, int n, ...)
{
	struct seen s;
	unsigned line;
	va_list ap;
	int i;

	memset(&s, 0, sizeof(s));
	if (split(text, &s, &line) != ERR_OK)
		fail_msg("refused: %s", text);
	if (s.n != n)
		fail_msg("%d statements, want %d: %s", s.n, n, text);
	va_start(ap, n);
	for (i = 0; i < n; i++) {
		const char *want = va_arg(ap, const char *);

		if (strcmp(s.statement[i], want) != 0)
			fail_msg("statement %d:\n got  [%s]\n want [%s]", i,
			    s.statement[i], want);
	}
	va_end(ap);
	assert_int_equal(line, want_line);
	seen_free(&s);
}

static void
test_statements(void **state)
{
	(void)state;
	check("", 0, 0);
	check("CREATE TABLE a (x INT);\nINSERT INTO a VALUES (1);\n", 2, 2,
	    "CREATE TABLE a (x INT)", "INSERT INTO a VALUES (1)");
	/* No final newline. */
	check("SELECT 1;", 1, 1, "SELECT 1");
	/* Over several lines: each trimmed, joined by newlines. */
	check("CREATE TABLE a (\n\t  x INT,\n    y INT  \n);\n", 4, 1,
	    "CREATE TABLE a (\nx INT,\ny INT\n)");
	/* A ';' on a line of its own ends the statement before it. */
	check("SELECT 1\n;\n", 2, 1, "SELECT 1\n");
	check("  ;  \n", 1, 1, "");
}

static void
test_comments_and_blank_lines(void **state)
{
	(void)state;
	check("-- a comment\n\n   -- indented\n\t\nSELECT 1;\n\n-- end\n", 7,
	    1, "SELECT 1");
	/* Inside a statement too. */
	check("SELECT\n-- why\n\n  1;\n", 4, 1, "SELECT\n1");
	/* Only comments: nothing to run. */
	check("-- nothing\n--\n", 2, 0);
	/* "--" later in a line is the statement's. */
	check("SELECT '--x';\n", 1, 1, "SELECT '--x'");
}

/*
 * A server's executable comment (004_role_scopes.sql: MariaDB reads the
 * IF NOT EXISTS inside it, MySQL skips it) is the statement's, as any text
 * inside a line.
 */
static void
test_executable_comment_stays(void **state)
{
	(void)state;
	check("ALTER TABLE t\n  ADD COLUMN /*M! IF NOT EXISTS */ c INT NULL;\n"
	    "UPDATE t SET c = 1\n  WHERE c IS NULL;\n", 4, 2,
	    "ALTER TABLE t\nADD COLUMN /*M! IF NOT EXISTS */ c INT NULL",
	    "UPDATE t SET c = 1\nWHERE c IS NULL");
}

static void
test_crlf(void **state)
{
	(void)state;
	check("SELECT 1;\r\nSELECT\r\n  2;\r\n-- c\r\n\r\n", 5, 2, "SELECT 1",
	    "SELECT\n2");
	check("SELECT 1; \t\r\n", 1, 1, "SELECT 1");
}

/* ';' ends a statement only at the end of its line. */
static void
test_semicolon_at_line_end_only(void **state)
{
	(void)state;
	check("SELECT 1; SELECT 2;\n", 1, 1, "SELECT 1; SELECT 2");
	check("INSERT INTO t VALUES ('a;b');\nSELECT ';'\n, 1;\n", 3, 2,
	    "INSERT INTO t VALUES ('a;b')", "SELECT ';'\n, 1");
	check("CREATE TRIGGER x BEGIN\n  SET a = 1;\n  SET b = 2;\nEND;\n",
	    4, 3, "CREATE TRIGGER x BEGIN\nSET a = 1", "SET b = 2", "END");
}

static void
test_missing_final_semicolon(void **state)
{
	struct seen s;
	unsigned line;

	(void)state;
	memset(&s, 0, sizeof(s));
	assert_int_equal(split("SELECT 1;\nSELECT 2\n", &s, &line),
	    ERR_CONFIG);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.statement[0], "SELECT 1");
	assert_int_equal(line, 2);
	seen_free(&s);
	/* The line is the file's last, comments and blanks counted. */
	assert_int_equal(split("SELECT 1\n\n-- end\n", &s, &line), ERR_CONFIG);
	assert_int_equal(s.n, 0);
	assert_int_equal(line, 3);
	seen_free(&s);
	/* A comment after the ';' hides it: not the end of the line. */
	assert_int_equal(split("SELECT 1; -- one\n", &s, &line), ERR_CONFIG);
	assert_int_equal(s.n, 0);
	assert_int_equal(line, 1);
	seen_free(&s);
}

/* The first error from each() stops the split, at its statement. */
static void
test_each_error_stops(void **state)
{
	static const char text[] = "SELECT 1;\n\nSELECT\n2;\nSELECT 3;\n"
	    "SELECT 4\n";
	struct seen s;
	unsigned line;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.fail_at = 2;
	s.fail_with = ERR_UNAVAILABLE;
	assert_int_equal(split(text, &s, &line), ERR_UNAVAILABLE);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.statement[1], "SELECT\n2");
	assert_int_equal(line, 4);
	seen_free(&s);
	/* Its error wins over the missing ';' at the end. */
	s.fail_at = 3;
	s.fail_with = ERR_INTERNAL;
	assert_int_equal(split(text, &s, &line), ERR_INTERNAL);
	assert_int_equal(s.n, 3);
	assert_int_equal(line, 5);
	seen_free(&s);
}

static void
test_long_statement(void **state)
{
	size_t lines = 5000, i, n = 0;
	char *text = malloc(lines * 16 + 32), *want = malloc(lines * 16 + 32);
	struct seen s;
	unsigned line;

	(void)state;
	assert_non_null(text);
	assert_non_null(want);
	n = (size_t)sprintf(text, "INSERT INTO t VALUES\n");
	strcpy(want, "INSERT INTO t VALUES");
	for (i = 0; i < lines; i++) {
		char row[32];

		snprintf(row, sizeof(row), "(%zu)%s", i, i + 1 < lines ? "," :
		    "");
		n += (size_t)sprintf(text + n, "  %s\n", row);
		strcat(want, "\n");
		strcat(want, row);
	}
	strcpy(text + n, ";\n");
	strcat(want, "\n");
	memset(&s, 0, sizeof(s));
	assert_int_equal(split(text, &s, &line), ERR_OK);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.statement[0], want);
	assert_int_equal(line, lines + 2);
	seen_free(&s);
	free(text);
	free(want);
}

static void
test_file_names(void **state)
{
	static const struct {
		const char *name;
		unsigned version;
	} good[] = {
		{ "001_schema.sql", 1 }, { "002_role_permissions.sql", 2 },
		{ "003_api_apps.sql", 3 }, { "004_role_scopes.sql", 4 },
		{ "010_a1_b2.sql", 10 },
		{ "999_x.sql", 999 }, { "100_0.sql", 100 },
	};
	static const char *const bad[] = {
		"000_x.sql", "1_x.sql", "01_x.sql", "0001_x.sql", "001-x.sql",
		"001_.sql", "001_X.sql", "001_x.SQL", "001_x.sql~",
		"001_x.sql.bak", "abc_x.sql", "001_x y.sql", "001_x-y.sql",
		"001_x.txt", "", ".sql", "001_x.sq", "1a1_x.sql", "-01_x.sql",
		"+01_x.sql", " 01_x.sql", "001_\xc3\xa9.sql", "001_x\n.sql",
		"demo.sql", ".", "..",
	};
	char name[300];
	unsigned v;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		v = 0;
		if (migrate_file_name(good[i].name, &v) != 0 ||
		    v != good[i].version)
			fail_msg("%s: version %u", good[i].name, v);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = 4242;
		if (migrate_file_name(bad[i], &v) != -1)
			fail_msg("accepted \"%s\"", bad[i]);
		assert_int_equal(v, 4242);
	}
	/* Names up to 255 bytes, as a directory entry holds. */
	memcpy(name, "042_", 4);
	memset(name + 4, 'n', 247);
	strcpy(name + 251, ".sql");
	assert_int_equal(strlen(name), 255);
	assert_int_equal(migrate_file_name(name, &v), 0);
	assert_int_equal(v, 42);
	memset(name + 4, 'n', 248);
	strcpy(name + 252, ".sql");
	assert_int_equal(migrate_file_name(name, &v), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_statements),
		cmocka_unit_test(test_comments_and_blank_lines),
		cmocka_unit_test(test_executable_comment_stays),
		cmocka_unit_test(test_crlf),
		cmocka_unit_test(test_semicolon_at_line_end_only),
		cmocka_unit_test(test_missing_final_semicolon),
		cmocka_unit_test(test_each_error_stops),
		cmocka_unit_test(test_long_statement),
		cmocka_unit_test(test_file_names),
	};

	return cmocka_run_group_tests_name("migrate", tests, NULL, NULL);
}
