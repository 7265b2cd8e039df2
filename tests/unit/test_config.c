/*
 * test_config.c - settings from oidc-secret.conf and OIDC_SECRET_<KEY>
 * (src/config.c, oidc-secret.conf(5)).
 *
 * Covers: the defaults; config_parse of a file with comments, blank lines,
 * CRLF and whitespace around '='; trailing comments (after white space
 * only); double-quoted values with \" and \\; a key given twice, refused
 * with the line of the first; bad values, each refused with one line naming
 * the key, the value and what is allowed (exact text where it matters);
 * db_password never echoed; log_file; config_check's cross-key rules and
 * cors_allowed_origins; config_load through OIDC_SECRET_CONFIG with an
 * environment override winning over the file; a missing file named
 * explicitly; the default file missing; a file the process may not read,
 * whose message names the uid and the fix.  Includes config.c to point its
 * default path somewhere that never exists.  The group setup clears every
 * OIDC_SECRET_* variable so the caller's environment cannot leak in.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * config.c itself, with a default path that never exists: the machine's
 * own /etc/oidc-secret.conf must not change what these tests see.
 */
#undef SYSCONFDIR
#define SYSCONFDIR "/nonexistent/oidc-secret-unit-test"
#include "config.c"

extern char **environ;

#define ERRLEN 512

static int
clear_env(void **state)
{
	int again = 1;

	(void)state;
	/* unsetenv() reshuffles environ: rescan until nothing matches. */
	while (again) {
		char **e;

		again = 0;
		for (e = environ; *e != NULL; e++)
			if (strncmp(*e, "OIDC_SECRET_", 12) == 0) {
				char name[256];
				size_t n = strcspn(*e, "=");

				if (n >= sizeof(name))
					return -1;
				memcpy(name, *e, n);
				name[n] = '\0';
				unsetenv(name);
				again = 1;
				break;
			}
	}
	return 0;
}

static int
parse(struct config *cfg, const char *text, char *err)
{
	err[0] = '\0';
	return config_parse(cfg, text, strlen(text), "t.conf", err, ERRLEN);
}

/* --- defaults ---------------------------------------------------------- */

static void
test_defaults(void **state)
{
	struct config cfg;

	(void)state;
	memset(&cfg, 0x5a, sizeof(cfg));
	config_defaults(&cfg);
	assert_int_equal(cfg.hash_algorithm, HASH_BCRYPT);
	assert_int_equal(cfg.argon2_memory_kib, 19456);
	assert_int_equal(cfg.argon2_iterations, 2);
	assert_int_equal(cfg.argon2_parallelism, 1);
	assert_int_equal(cfg.bcrypt_cost, 4);
	assert_int_equal(cfg.secret_length, 64);
	assert_int_equal(cfg.max_body_bytes, 65536);
	assert_int_equal(cfg.log_level, LOG_INFO);
	assert_string_equal(cfg.db_host, "localhost");
	assert_int_equal(cfg.db_port, 3306);
	assert_string_equal(cfg.db_socket, "");
	assert_string_equal(cfg.db_password, "");
	assert_string_equal(cfg.api_project_id, "");
	assert_true(cfg.db_connect_timeout_s >= 1);
	assert_true(cfg.db_rw_timeout_s >= 1);
	assert_string_equal(config_hash_name(HASH_ARGON2ID), "argon2id");
	assert_string_equal(config_hash_name(HASH_BCRYPT), "bcrypt");
	assert_string_equal(config_hash_name(2), "?");
}

/* --- config_parse: good files ------------------------------------------ */

static void
test_parse_good_file(void **state)
{
	static const char text[] =
	    "# oidc-secret.conf\n"
	    "\n"
	    "   \t\n"
	    "db_host=db.example.org\n"
	    "db_port = 3307\n"
	    "  db_socket\t=\t/run/mysqld/mysqld.sock  \n"
	    "db_name =oidc\r\n"
	    "db_user= oidc_rw\n"
	    "   # indented comment = not a setting\n"
	    "db_password = p@ss w0rd#not-a-comment\n"
	    "db_connect_timeout_s = 7\n"
	    "db_rw_timeout_s = 30\n"
	    "api_project_id = 69629023906488334\n"
	    "hash_algorithm = bcrypt\n"
	    "argon2_memory_kib = 65536\n"
	    "argon2_iterations = 3\n"
	    "argon2_parallelism = 4\n"
	    "bcrypt_cost = 10\n"
	    "secret_length = 72\n"
	    "max_body_bytes = 1024\n"
	    "log_level = debug";	/* no final newline */
	struct config cfg;
	char err[ERRLEN];

	(void)state;
	config_defaults(&cfg);
	assert_int_equal(parse(&cfg, text, err), 0);
	assert_string_equal(cfg.db_host, "db.example.org");
	assert_int_equal(cfg.db_port, 3307);
	assert_string_equal(cfg.db_socket, "/run/mysqld/mysqld.sock");
	assert_string_equal(cfg.db_name, "oidc");
	assert_string_equal(cfg.db_user, "oidc_rw");
	/* Inner spaces and '#' after a value are part of it. */
	assert_string_equal(cfg.db_password, "p@ss w0rd#not-a-comment");
	assert_int_equal(cfg.db_connect_timeout_s, 7);
	assert_int_equal(cfg.db_rw_timeout_s, 30);
	assert_string_equal(cfg.api_project_id, "69629023906488334");
	assert_int_equal(cfg.hash_algorithm, HASH_BCRYPT);
	assert_int_equal(cfg.argon2_memory_kib, 65536);
	assert_int_equal(cfg.argon2_iterations, 3);
	assert_int_equal(cfg.argon2_parallelism, 4);
	assert_int_equal(cfg.bcrypt_cost, 10);
	assert_int_equal(cfg.secret_length, 72);
	assert_int_equal(cfg.max_body_bytes, 1024);
	assert_int_equal(cfg.log_level, LOG_DEBUG);
	assert_int_equal(config_check(&cfg, err, ERRLEN), 0);
}

static void
test_parse_empty_and_comments_only(void **state)
{
	struct config cfg, def;
	char err[ERRLEN];

	(void)state;
	config_defaults(&def);
	config_defaults(&cfg);
	assert_int_equal(parse(&cfg, "", err), 0);
	assert_int_equal(parse(&cfg, "\n\n# x = y\n\t# z\n", err), 0);
	assert_memory_equal(&cfg, &def, sizeof(cfg));
}

static void
test_parse_range_edges(void **state)
{
	struct config cfg;
	char err[ERRLEN];

	(void)state;
	config_defaults(&cfg);
	assert_int_equal(parse(&cfg, "db_port = 1\n", err), 0);
	assert_int_equal(cfg.db_port, 1);
	assert_int_equal(parse(&cfg, "db_port = 65535\n", err), 0);
	assert_int_equal(cfg.db_port, 65535);
	assert_int_equal(parse(&cfg, "argon2_memory_kib = 8\n", err), 0);
	assert_int_equal(cfg.argon2_memory_kib, 8);
	assert_int_equal(parse(&cfg, "hash_algorithm = argon2id\n", err), 0);
	assert_int_equal(cfg.hash_algorithm, HASH_ARGON2ID);
	assert_int_equal(parse(&cfg, "log_level = error\n", err), 0);
	assert_int_equal(cfg.log_level, LOG_ERROR);
	assert_int_equal(parse(&cfg, "log_level = warn\n", err), 0);
	assert_int_equal(cfg.log_level, LOG_WARN);
	/* empty string */
	assert_int_equal(parse(&cfg, "db_socket =\n", err), 0);
	assert_string_equal(cfg.db_socket, "");
}

/* --- config_parse: bad values ------------------------------------------ */

/* One line, naming the origin and line number, the key and the value. */
static void
check_bad(const char *text, const char *want_err)
{
	struct config cfg;
	char err[ERRLEN];

	config_defaults(&cfg);
	if (parse(&cfg, text, err) != -1)
		fail_msg("accepted: %s", text);
	assert_null(strchr(err, '\n'));
	if (strcmp(err, want_err) != 0)
		fail_msg("\n got  %s\n want %s", err, want_err);
}

static void
test_bad_db_port(void **state)
{
	(void)state;
	check_bad("db_port = 0\n",
	    "t.conf:1: db_port = \"0\": expected a whole number from 1 to "
	    "65535");
	check_bad("# c\ndb_port = 65536\n",
	    "t.conf:2: db_port = \"65536\": expected a whole number from 1 to "
	    "65535");
	check_bad("\n\ndb_port=12a\n",
	    "t.conf:3: db_port = \"12a\": expected a whole number from 1 to "
	    "65535");
	check_bad("db_port = -1\n",
	    "t.conf:1: db_port = \"-1\": expected a whole number from 1 to "
	    "65535");
	check_bad("db_port =\n",
	    "t.conf:1: db_port = \"\": expected a whole number from 1 to "
	    "65535");
	/* No wrap-around: 2^32 + 3306 is not 3306. */
	check_bad("db_port = 4294970602\n",
	    "t.conf:1: db_port = \"4294970602\": expected a whole number from "
	    "1 to 65535");
	/* '#' starts a comment only after white space. */
	check_bad("db_port = 3306#comment\n",
	    "t.conf:1: db_port = \"3306#comment\": expected a whole number "
	    "from 1 to 65535");
	check_bad("db_port = # nothing\n",
	    "t.conf:1: db_port = \"\": expected a whole number from 1 to "
	    "65535");
}

static void
test_bad_argon2_memory(void **state)
{
	(void)state;
	check_bad("argon2_memory_kib = 7\n",
	    "t.conf:1: argon2_memory_kib = \"7\": expected a whole number from "
	    "8 to 4194303");
	check_bad("argon2_memory_kib = 4194304\n",
	    "t.conf:1: argon2_memory_kib = \"4194304\": expected a whole "
	    "number from 8 to 4194303");
}

static void
test_bad_enums(void **state)
{
	(void)state;
	check_bad("hash_algorithm = md5\n",
	    "t.conf:1: hash_algorithm = \"md5\": expected one of argon2id, "
	    "bcrypt");
	check_bad("hash_algorithm = Argon2id\n",
	    "t.conf:1: hash_algorithm = \"Argon2id\": expected one of "
	    "argon2id, bcrypt");
	check_bad("log_level = verbose\n",
	    "t.conf:1: log_level = \"verbose\": expected one of error, warn, "
	    "info, debug");
}

static void
test_bad_key_and_syntax(void **state)
{
	(void)state;
	check_bad("db_hots = x\n",
	    "t.conf:1: unknown configuration key \"db_hots\"");
	check_bad("= x\n", "t.conf:1: unknown configuration key \"\"");
	check_bad("DB_PORT = 1\n",
	    "t.conf:1: unknown configuration key \"DB_PORT\"");
	check_bad("db_port 3306\n", "t.conf:1: expected \"key = value\"");
	check_bad("# ok\n\n[section]\n", "t.conf:3: expected \"key = value\"");
	{
		static const char nul[] = "db_host = a\0b\n";
		struct config cfg;
		char err[ERRLEN];

		config_defaults(&cfg);
		assert_int_equal(config_parse(&cfg, nul, sizeof(nul) - 1,
		    "t.conf",
		    err, ERRLEN), -1);
		assert_string_equal(err, "t.conf:1: NUL byte in line");
	}
}

static void
test_bad_value_too_long(void **state)
{
	char text[400], want[256];

	(void)state;
	/* db_name holds 64 bytes. */
	snprintf(text, sizeof(text), "db_name = %065d\n", 0);
	snprintf(want, sizeof(want),
	    "t.conf:1: db_name = \"%064d...\": longer than 64 bytes", 0);
	check_bad(text, want);
	/* db_host holds 255: the message shows the first 64 and "...". */
	memset(text, 0, sizeof(text));
	memcpy(text, "db_host = ", 10);
	memset(text + 10, 'h', 300);
	snprintf(want, sizeof(want),
	    "t.conf:1: db_host = \"%.64s...\": longer than 255 bytes",
	    text + 10);
	check_bad(text, want);
}

/* Longer than the parser's line buffer: still one line naming the key. */
static void
test_bad_value_very_long_names_key(void **state)
{
	struct config cfg;
	char *text = malloc(2100), err[ERRLEN], want[ERRLEN];

	(void)state;
	assert_non_null(text);
	memcpy(text, "db_host = ", 10);
	memset(text + 10, 'h', 2000);
	memcpy(text + 2010, "\n", 2);
	config_defaults(&cfg);
	assert_int_equal(config_parse(&cfg, text, 2012, "t.conf", err, ERRLEN),
	    -1);
	snprintf(want, sizeof(want), "t.conf:1: db_host = \"%.64s...\": "
	    "value longer than 1023 bytes", text + 10);
	assert_string_equal(err, want);
	/* Quoted, the same. */
	memcpy(text, "db_host = \"", 11);
	memset(text + 11, 'h', 2000);
	memcpy(text + 2011, "\"\n", 3);
	assert_int_equal(config_parse(&cfg, text, 2013, "t.conf", err, ERRLEN),
	    -1);
	assert_string_equal(err, want);
	/* A password is never shown, however it fails. */
	memcpy(text, "db_password = ", 14);
	memset(text + 14, 'H', 1990);
	memcpy(text + 2004, "\n", 2);
	assert_int_equal(config_parse(&cfg, text, 2005, "t.conf", err, ERRLEN),
	    -1);
	assert_string_equal(err, "t.conf:1: db_password = \"(hidden)\": value "
	    "longer than 1023 bytes");
	free(text);
	assert_string_equal(cfg.db_host, "localhost");
}

static void
test_bad_control_characters(void **state)
{
	(void)state;
	check_bad("db_name = a\x01" "b\n",
	    "t.conf:1: db_name = \"a?b\": control characters are not allowed");
	check_bad("db_host = a\tb\n",
	    "t.conf:1: db_host = \"a?b\": control characters are not allowed");
	check_bad("api_project_id = x\x7fy\n",
	    "t.conf:1: api_project_id = \"x?y\": control characters are not "
	    "allowed");
}

/* The password is never echoed in a message. */
static void
test_password_never_echoed(void **state)
{
	static const char *const texts[] = {
		"db_password = Hunter2\x01Secret\n",
		"db_password = Hunter2\x7fSecret\n",
		"db_password = Hunter2Secret\tX\n",
		NULL,	/* too long: filled in below */
	};
	char longpw[400];
	struct config cfg;
	char err[ERRLEN];
	size_t i;

	(void)state;
	memcpy(longpw, "db_password = ", 14);
	memset(longpw + 14, 'H', 300);
	memcpy(longpw + 14, "Hunter2Secret", 13);
	longpw[314] = '\0';
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		const char *t = texts[i] != NULL ? texts[i] : longpw;

		config_defaults(&cfg);
		assert_int_equal(parse(&cfg, t, err), -1);
		assert_non_null(strstr(err, "db_password"));
		assert_non_null(strstr(err, "(hidden)"));
		if (strstr(err, "Hunter") != NULL || strstr(err,
		    "Secret") != NULL ||
		    strstr(err, "HHHH") != NULL)
			fail_msg("password echoed: %s", err);
	}
	/* Not through config_set either. */
	config_defaults(&cfg);
	assert_int_equal(config_set(&cfg, "db_password", "Hunter2\nSecret", err,
	    ERRLEN), -1);
	assert_null(strstr(err, "Hunter"));
	/* And a good one is stored as is. */
	assert_int_equal(config_set(&cfg, "db_password", "Hunter2 Secret!", err,
	    ERRLEN), 0);
	assert_string_equal(cfg.db_password, "Hunter2 Secret!");
}

/* A failed setting leaves the old value in place. */
static void
test_bad_value_keeps_old(void **state)
{
	struct config cfg;
	char err[ERRLEN];

	(void)state;
	config_defaults(&cfg);
	assert_int_equal(parse(&cfg, "db_port = 99999\n", err), -1);
	assert_int_equal(cfg.db_port, 3306);
	assert_int_equal(parse(&cfg, "hash_algorithm = md5\n", err), -1);
	assert_int_equal(cfg.hash_algorithm, HASH_BCRYPT);
	assert_int_equal(parse(&cfg, "db_host = a\x01\n", err), -1);
	assert_string_equal(cfg.db_host, "localhost");
}

/* --- comments, quotes, duplicates ------------------------------------ */

static void
test_trailing_comments(void **state)
{
	struct config cfg;
	char err[ERRLEN];

	(void)state;
	config_defaults(&cfg);
	assert_int_equal(parse(&cfg, "db_port = 3307 # the test port\n", err),
	    0);
	assert_int_equal(cfg.db_port, 3307);
	/* The password does not keep " # old". */
	assert_int_equal(parse(&cfg, "db_password = x # old\n", err), 0);
	assert_string_equal(cfg.db_password, "x");
	assert_int_equal(parse(&cfg, "db_host = a\t# tab before\n", err), 0);
	assert_string_equal(cfg.db_host, "a");
	assert_int_equal(parse(&cfg, "db_host = a#b # c\n", err), 0);
	assert_string_equal(cfg.db_host, "a#b");
	assert_int_equal(parse(&cfg, "db_name = n #\r\n", err), 0);
	assert_string_equal(cfg.db_name, "n");
	/* A comment right after '=' leaves the value empty. */
	assert_int_equal(parse(&cfg, "db_socket = # none\n", err), 0);
	assert_string_equal(cfg.db_socket, "");
	assert_int_equal(parse(&cfg, "log_level = warn#x\n", err), -1);
	assert_string_equal(err, "t.conf:1: log_level = \"warn#x\": expected "
	    "one of error, warn, info, debug");
}

static void
test_quoted_values(void **state)
{
	struct config cfg;
	char err[ERRLEN];

	(void)state;
	config_defaults(&cfg);
	/* '#', spaces and both escapes kept; a comment after the quote. */
	assert_int_equal(parse(&cfg,
	    "db_password = \"a # b \\\" c \\\\ d \" # comment\n", err), 0);
	assert_string_equal(cfg.db_password, "a # b \" c \\ d ");
	assert_int_equal(parse(&cfg, "db_host = \"\"\n", err), 0);
	assert_string_equal(cfg.db_host, "");
	assert_int_equal(parse(&cfg, "db_host=\"h\"\t\r\n", err), 0);
	assert_string_equal(cfg.db_host, "h");
	/* Any other backslash is itself. */
	assert_int_equal(parse(&cfg, "db_name = \"a\\nb\\\\\"\n", err), 0);
	assert_string_equal(cfg.db_name, "a\\nb\\");
	/* A quote inside a bare value is just a character. */
	assert_int_equal(parse(&cfg, "db_user = a\"b\n", err), 0);
	assert_string_equal(cfg.db_user, "a\"b");
	assert_int_equal(parse(&cfg, "db_port = \"3308\"\n", err), 0);
	assert_int_equal(cfg.db_port, 3308);
	check_bad("db_host = \"abc\n",
	    "t.conf:1: db_host = \"abc\": unterminated \"");
	check_bad("db_host = \"abc\\\"\n",
	    "t.conf:1: db_host = \"abc\"\": unterminated \"");
	check_bad("\ndb_host = \"abc\" x\n",
	    "t.conf:2: db_host = \"abc\": text after the closing \"");
	check_bad("db_password = \"Hunter2\n",
	    "t.conf:1: db_password = \"(hidden)\": unterminated \"");
	/* The closing quote is on the same line. */
	check_bad("db_host = \"a\nb\"\n",
	    "t.conf:1: db_host = \"a\": unterminated \"");
}

static void
test_duplicate_key_names_first_line(void **state)
{
	struct config cfg;
	char err[ERRLEN];

	(void)state;
	check_bad("db_port = 1\n# c\n\ndb_port = 2\n",
	    "t.conf:4: db_port given again (first on line 1): keep one");
	check_bad("db_host=a\ndb_name = n\n  db_host = a\n",
	    "t.conf:3: db_host given again (first on line 1): keep one");
	/* Even with the same value; even for the password. */
	check_bad("db_password = x\ndb_password = x\n",
	    "t.conf:2: db_password given again (first on line 1): keep one");
	/* Each text is checked on its own: a later one may set it again. */
	config_defaults(&cfg);
	assert_int_equal(parse(&cfg, "db_port = 1\n", err), 0);
	assert_int_equal(parse(&cfg, "db_port = 2\n", err), 0);
	assert_int_equal(cfg.db_port, 2);
}

static void
test_log_file_key(void **state)
{
	struct config cfg;
	char err[ERRLEN], text[400];

	(void)state;
	config_defaults(&cfg);
	assert_string_equal(cfg.log_file, "");
	assert_int_equal(parse(&cfg,
	    "log_file = /var/log/oidc-secret/responder.log # rotated\n", err),
	    0);
	assert_string_equal(cfg.log_file,
	    "/var/log/oidc-secret/responder.log");
	check_bad("log_file = /tmp/a\x01" "b\n",
	    "t.conf:1: log_file = \"/tmp/a?b\": control characters are not "
	    "allowed");
	memcpy(text, "log_file = /", 12);
	memset(text + 12, 'l', 255);
	text[267] = '\0';
	config_defaults(&cfg);
	assert_int_equal(parse(&cfg, text, err), -1);
	assert_non_null(strstr(err, "log_file"));
	assert_non_null(strstr(err, "longer than 255 bytes"));
}

/* --- config_check ------------------------------------------------------ */

static void
test_check_rules(void **state)
{
	struct config cfg;
	char err[ERRLEN];

	(void)state;
	config_defaults(&cfg);
	/* The defaults pass the rules between keys; api_project_id apart. */
	assert_int_equal(config_check(&cfg, err, ERRLEN), 0);
	assert_int_equal(config_check_api(&cfg, err, ERRLEN), -1);
	assert_non_null(strstr(err, "api_project_id"));

	snprintf(cfg.api_project_id, sizeof(cfg.api_project_id), "1");
	assert_int_equal(config_check_api(&cfg, err, ERRLEN), 0);
	assert_int_equal(config_check(&cfg, err, ERRLEN), 0);

	/* bcrypt reads at most 72 bytes. */
	cfg.hash_algorithm = HASH_BCRYPT;
	cfg.secret_length = 100;
	err[0] = '\0';
	assert_int_equal(config_check(&cfg, err, ERRLEN), -1);
	assert_non_null(strstr(err, "secret_length"));
	assert_non_null(strstr(err, "100"));
	cfg.secret_length = 72;
	assert_int_equal(config_check(&cfg, err, ERRLEN), 0);
	cfg.hash_algorithm = HASH_ARGON2ID;
	cfg.secret_length = 100;
	assert_int_equal(config_check(&cfg, err, ERRLEN), 0);

	/* RFC 9106 3.1: m >= 8p. */
	cfg.argon2_memory_kib = 15;
	cfg.argon2_parallelism = 2;
	assert_int_equal(config_check(&cfg, err, ERRLEN), -1);
	assert_non_null(strstr(err, "argon2_memory_kib"));
	cfg.argon2_memory_kib = 16;
	assert_int_equal(config_check(&cfg, err, ERRLEN), 0);
}


static void
check_origins_ok(const char *list)
{
	struct config cfg;
	char err[ERRLEN];

	config_defaults(&cfg);
	err[0] = '\0';
	if (config_set(&cfg, "cors_allowed_origins", list, err, ERRLEN) != 0 ||
	    config_check(&cfg, err, ERRLEN) != 0)
		fail_msg("refused \"%s\": %s", list, err);
}

static void
check_origins_bad(const char *list, const char *want)
{
	struct config cfg;
	char err[ERRLEN];

	config_defaults(&cfg);
	err[0] = '\0';
	assert_int_equal(config_set(&cfg, "cors_allowed_origins", list, err,
	    ERRLEN), 0);
	if (config_check(&cfg, err, ERRLEN) != -1)
		fail_msg("accepted \"%s\"", list);
	if (strcmp(err, want) != 0)
		fail_msg("\n got  %s\n want %s", err, want);
}

static void
test_check_cors_origins(void **state)
{
	static const char alone[] = "cors_allowed_origins: expected \"*\" "
	    "alone, or origins separated by commas or spaces";
	struct config cfg;

	(void)state;
	config_defaults(&cfg);
	assert_string_equal(cfg.cors_allowed_origins, "*");
	check_origins_ok("*");
	check_origins_ok(" * ");
	check_origins_ok("https://console.example.com");
	check_origins_ok("https://a.example, http://b.example:8080");
	check_origins_ok("https://a.example  https://b.example,,http://c");
	check_origins_ok("HTTPS://A.example,null");
	check_origins_bad("*, https://a.example", alone);
	check_origins_bad("https://a.example *", alone);
	check_origins_bad("", alone);
	check_origins_bad(" , ,", alone);
	check_origins_bad("https://a.example/",
	    "cors_allowed_origins = \"https://a.example/\": not an origin "
	    "(scheme://host[:port], no path)");
	check_origins_bad("https://a.example, a.example",
	    "cors_allowed_origins = \"a.example\": not an origin "
	    "(scheme://host[:port], no path)");
	check_origins_bad("ftp://a.example",
	    "cors_allowed_origins = \"ftp://a.example\": not an origin "
	    "(scheme://host[:port], no path)");
	check_origins_bad("https://",
	    "cors_allowed_origins = \"https://\": not an origin "
	    "(scheme://host[:port], no path)");
	check_origins_bad("**",
	    "cors_allowed_origins = \"**\": not an origin "
	    "(scheme://host[:port], no path)");
}

/* --- config_load ------------------------------------------------------- */

/* A temporary file holding text; its name goes to path. */
static void
write_temp(char *path, size_t pathlen, const char *text)
{
	const char *dir = getenv("TMPDIR");
	FILE *f;
	int fd;

	snprintf(path, pathlen, "%s/oidc-secret-test-XXXXXX",
	    dir != NULL && dir[0] != '\0' ? dir : "/tmp");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static void
test_load_env_overrides_file(void **state)
{
	char path[512], err[ERRLEN];
	struct config cfg;

	(void)state;
	write_temp(path, sizeof(path),
	    "api_project_id = 42\n"
	    "db_port = 3310\n"
	    "db_host = filehost\n");
	assert_int_equal(setenv("OIDC_SECRET_CONFIG", path, 1), 0);
	assert_int_equal(setenv("OIDC_SECRET_DB_PORT", "3307", 1), 0);
	err[0] = '\0';
	if (config_load(&cfg, NULL, err, ERRLEN) != 0)
		fail_msg("config_load: %s", err);
	/* the environment wins */
	assert_int_equal(cfg.db_port, 3307);
	assert_string_equal(cfg.db_host, "filehost");	/* the file's */
	assert_string_equal(cfg.api_project_id, "42");
	assert_int_equal(cfg.secret_length, 64);	/* the default's */

	/* A bad value in the environment names the variable. */
	assert_int_equal(setenv("OIDC_SECRET_DB_PORT", "0", 1), 0);
	assert_int_equal(config_load(&cfg, NULL, err, ERRLEN), -1);
	assert_string_equal(err,
	    "environment OIDC_SECRET_DB_PORT: db_port = \"0\": "
	    "expected a whole number from 1 to 65535");

	/* A path given to config_load wins over OIDC_SECRET_CONFIG. */
	assert_int_equal(unsetenv("OIDC_SECRET_DB_PORT"), 0);
	assert_int_equal(setenv("OIDC_SECRET_CONFIG", "/nonexistent/x.conf", 1),
	    0);
	assert_int_equal(config_load(&cfg, path, err, ERRLEN), 0);
	assert_int_equal(cfg.db_port, 3310);

	unsetenv("OIDC_SECRET_CONFIG");
	unlink(path);
}

static void
test_load_file_error_names_line(void **state)
{
	char path[512], err[ERRLEN], want[600];
	struct config cfg;

	(void)state;
	write_temp(path, sizeof(path),
	    "api_project_id = 42\nlog_level = loud\n");
	assert_int_equal(config_load(&cfg, path, err, ERRLEN), -1);
	snprintf(want, sizeof(want), "%s:2: log_level = \"loud\": expected one "
	    "of error, warn, info, debug", path);
	assert_string_equal(err, want);
	unlink(path);
}

static void
test_load_check_runs(void **state)
{
	char path[512], err[ERRLEN];
	struct config cfg;

	(void)state;
	write_temp(path, sizeof(path), "hash_algorithm = bcrypt\n"
	    "secret_length = 100\napi_project_id = 1\n");
	assert_int_equal(config_load(&cfg, path, err, ERRLEN), -1);
	assert_non_null(strstr(err, "secret_length"));
	unlink(path);
}

static void
test_load_missing_named_file(void **state)
{
	struct config cfg;
	char err[ERRLEN];

	(void)state;
	err[0] = '\0';
	assert_int_equal(config_load(&cfg, "/nonexistent/oidc-secret.conf", err,
	    ERRLEN), -1);
	assert_non_null(strstr(err, "/nonexistent/oidc-secret.conf"));

	assert_int_equal(setenv("OIDC_SECRET_CONFIG",
	    "/nonexistent/env-named.conf", 1), 0);
	err[0] = '\0';
	assert_int_equal(config_load(&cfg, NULL, err, ERRLEN), -1);
	assert_non_null(strstr(err, "/nonexistent/env-named.conf"));
	unsetenv("OIDC_SECRET_CONFIG");
}

/* Not named and not there: defaults and the environment only. */
static void
test_load_missing_default_file(void **state)
{
	struct config cfg;
	char err[ERRLEN];

	(void)state;
	assert_string_equal(config_default_path(),
	    "/nonexistent/oidc-secret-unit-test/oidc-secret.conf");
	assert_int_equal(setenv("OIDC_SECRET_API_PROJECT_ID", "77", 1), 0);
	assert_int_equal(setenv("OIDC_SECRET_HASH_ALGORITHM", "bcrypt", 1), 0);
	err[0] = '\0';
	if (config_load(&cfg, NULL, err, ERRLEN) != 0)
		fail_msg("config_load: %s", err);
	assert_string_equal(cfg.api_project_id, "77");
	assert_int_equal(cfg.hash_algorithm, HASH_BCRYPT);
	unsetenv("OIDC_SECRET_API_PROJECT_ID");
	unsetenv("OIDC_SECRET_HASH_ALGORITHM");
	/* Without api_project_id it loads; the responder's check stops it. */
	assert_int_equal(config_load(&cfg, NULL, err, ERRLEN), 0);
	assert_int_equal(config_check_api(&cfg, err, ERRLEN), -1);
	assert_non_null(strstr(err, "api_project_id"));
}


/*
 * A file this process may not read: the message names the file, the uid
 * and user the process runs as, and a fix with the group it runs as.  As
 * root every file is readable, so a child drops to nobody first.
 */
static void
test_load_unreadable_file(void **state)
{
	char dir[512], path[600], err[ERRLEN], want[4096];
	const char *tmp = getenv("TMPDIR");
	struct passwd *pw;
	struct group *gr;
	uid_t uid = geteuid();
	gid_t gid = getegid();
	int fds[2], status;
	ssize_t n;
	pid_t pid;
	FILE *f;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/oidc-secret-test-XXXXXX",
	    tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
	assert_non_null(mkdtemp(dir));
	assert_int_equal(chmod(dir, 0755), 0);
	snprintf(path, sizeof(path), "%s/oidc-secret.conf", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_true(fputs("db_password = Hunter2\n", f) >= 0);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, 0600), 0);
	if (uid == 0) {
		uid = 65534;
		gid = 65534;
	} else
		assert_int_equal(chmod(path, 0), 0);
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct config cfg;
		char e[ERRLEN];
		int rc;

		close(fds[0]);
		if (geteuid() == 0 && (setgroups(0, NULL) != 0 ||
		    setgid(gid) != 0 || setuid(uid) != 0))
			_exit(3);
		e[0] = '\0';
		rc = config_load(&cfg, path, e, sizeof(e));
		if (write(fds[1], e, strlen(e)) < 0)
			_exit(4);
		_exit(rc == -1 ? 0 : 1);
	}
	close(fds[1]);
	n = read(fds[0], err, sizeof(err) - 1);
	close(fds[0]);
	assert_true(n >= 0);
	err[n] = '\0';
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) != 0)
		fail_msg("child exit %d: %s", WEXITSTATUS(status), err);
	pw = getpwuid(uid);
	gr = getgrgid(gid);
	snprintf(want, sizeof(want), "%s: cannot open: Permission denied: this "
	    "process runs as uid %u (%s) and needs read permission: "
	    "setfacl -m u:%s:r %s (as the file's owner; x on its directories "
	    "too), or as root chgrp %s and chmod 0640 (oidc-secret.conf(5))",
	    path, (unsigned)uid, pw != NULL ? pw->pw_name : "?",
	    pw != NULL ? pw->pw_name : "?", path,
	    gr != NULL ? gr->gr_name : "GROUP");
	assert_string_equal(err, want);
	assert_null(strstr(err, "Hunter2"));
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_parse_good_file),
		cmocka_unit_test(test_parse_empty_and_comments_only),
		cmocka_unit_test(test_parse_range_edges),
		cmocka_unit_test(test_bad_db_port),
		cmocka_unit_test(test_bad_argon2_memory),
		cmocka_unit_test(test_bad_enums),
		cmocka_unit_test(test_bad_key_and_syntax),
		cmocka_unit_test(test_bad_value_too_long),
		cmocka_unit_test(test_bad_value_very_long_names_key),
		cmocka_unit_test(test_bad_control_characters),
		cmocka_unit_test(test_password_never_echoed),
		cmocka_unit_test(test_bad_value_keeps_old),
		cmocka_unit_test(test_trailing_comments),
		cmocka_unit_test(test_quoted_values),
		cmocka_unit_test(test_duplicate_key_names_first_line),
		cmocka_unit_test(test_log_file_key),
		cmocka_unit_test(test_check_rules),
		cmocka_unit_test(test_check_cors_origins),
		cmocka_unit_test_setup(test_load_env_overrides_file, clear_env),
		cmocka_unit_test_setup(test_load_file_error_names_line,
		    clear_env),
		cmocka_unit_test_setup(test_load_check_runs, clear_env),
		cmocka_unit_test_setup(test_load_missing_named_file, clear_env),
		cmocka_unit_test_setup(test_load_missing_default_file,
		    clear_env),
		cmocka_unit_test_setup(test_load_unreadable_file, clear_env),
	};

	return cmocka_run_group_tests_name("config", tests, clear_env, NULL);
}
