/*
 * test_log.c - the log lines (src/log.c).
 *
 * Includes log.c to reach its sink, so that log rotation can be tested
 * without waiting for the check interval.  Covers: the line's form
 * ("time ident[pid]: level: text", RFC 3339 UTC time, one newline, one
 * write), on stderr and in log_file; the level filter; a line too long
 * for the buffer cut short, still one line; log_sanitize (controls,
 * quotes, backslashes, spaces and non-ASCII replaced, long values cut with
 * "..."); the request line with its call and a refusal's reason, and a
 * committed change not delivered or not a 200 (at warn, with the word
 * "undelivered", the object's kind and ID and the sequence, written
 * whatever the level); log_file: appended to, opened again after
 * rotation (rename or removal) once the check interval has passed and not
 * before, and an error naming the file when it cannot be opened.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <regex.h>
#include <stdlib.h>

#include "log.c"

static char dir[512];
static char path[600], moved[600];

static int
group_setup(void **state)
{
	const char *t = getenv("TMPDIR");

	(void)state;
	snprintf(dir, sizeof(dir), "%s/oidc-secret-log-XXXXXX",
	    t != NULL && t[0] != '\0' ? t : "/tmp");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/responder.log", dir);
	snprintf(moved, sizeof(moved), "%s/responder.log.1", dir);
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	unlink(path);
	unlink(moved);
	return rmdir(dir);
}

/* Back to stderr at info, the files gone. */
static int
setup(void **state)
{
	(void)state;
	if (sink.fd != STDERR_FILENO)
		close(sink.fd);
	sink.fd = STDERR_FILENO;
	sink.path = NULL;
	log_set_level(LOG_INFO);
	log_set_ident("oidc-secret");
	unlink(path);
	unlink(moved);
	return 0;
}

/* The whole file at p ("" when there is none); the caller frees. */
static char *
slurp(const char *p)
{
	char *buf = NULL;
	size_t len = 0;

	if (util_read_file(p, 1 << 20, &buf, &len) != 0)
		return strdup("");
	return buf;
}

/* Line n (from 0) of text with its newline, into out; "" past the end. */
static void
nth_line(const char *text, int n, char *out, size_t outlen)
{
	const char *p = text, *nl;

	while (n-- > 0 && p != NULL) {
		nl = strchr(p, '\n');
		p = nl != NULL ? nl + 1 : NULL;
	}
	if (p == NULL || *p == '\0') {
		out[0] = '\0';
		return;
	}
	nl = strchr(p, '\n');
	snprintf(out, outlen, "%.*s", (int)(nl != NULL ? nl - p + 1 :
	    (long)strlen(p)), p);
}

static void
use_file(void)
{
	char err[256];

	err[0] = '\0';
	if (log_open_file(path, err, sizeof(err)) != 0)
		fail_msg("log_open_file: %s", err);
}

/* The line's text after "time ident[pid]: level: ", checked by pattern. */
static void
check_line(const char *line, const char *name, const char *level,
    const char *text)
{
	char pattern[512], want[1200];
	regex_t re;
	int rc;

	snprintf(pattern, sizeof(pattern), "^[0-9]{4}-[0-9]{2}-[0-9]{2}T"
	    "[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{3}|\\.[0-9]{6})?Z %s\\[%ld\\]"
	    ": %s: ", name, (long)getpid(), level);
	assert_int_equal(regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB), 0);
	rc = regexec(&re, line, 0, NULL, 0);
	regfree(&re);
	if (rc != 0)
		fail_msg("line \"%s\" does not match %s", line, pattern);
	snprintf(want, sizeof(want), ": %s: %s\n", level, text);
	if (strlen(line) < strlen(want) ||
	    strcmp(line + strlen(line) - strlen(want), want) != 0)
		fail_msg("\n got  %s want ...%s", line, want);
}

static void
test_line_on_stderr(void **state)
{
	char tmp[700], line[1100], *text;
	int saved, fd;

	(void)state;
	snprintf(tmp, sizeof(tmp), "%s/stderr", dir);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	saved = dup(STDERR_FILENO);
	assert_true(saved >= 0);
	assert_int_equal(dup2(fd, STDERR_FILENO), STDERR_FILENO);
	log_msg(LOG_ERROR, "configuration: %s", "db_port");
	log_set_ident("oidc-secret-admin");
	log_msg(LOG_WARN, "w %d", 7);
	assert_int_equal(dup2(saved, STDERR_FILENO), STDERR_FILENO);
	close(saved);
	close(fd);
	text = slurp(tmp);
	unlink(tmp);
	nth_line(text, 0, line, sizeof(line));
	check_line(line, "oidc-secret", "error", "configuration: db_port");
	nth_line(text, 1, line, sizeof(line));
	check_line(line, "oidc-secret-admin", "warn", "w 7");
	nth_line(text, 2, line, sizeof(line));
	assert_string_equal(line, "");
	free(text);
}

static void
test_levels(void **state)
{
	char *text;

	(void)state;
	use_file();
	log_set_level(LOG_INFO);
	assert_true(log_enabled(LOG_ERROR));
	assert_true(log_enabled(LOG_INFO));
	assert_false(log_enabled(LOG_DEBUG));
	log_msg(LOG_DEBUG, "hidden debug");
	log_msg(LOG_INFO, "shown info");
	log_set_level(LOG_ERROR);
	assert_false(log_enabled(LOG_WARN));
	log_msg(LOG_WARN, "hidden warn");
	log_msg(LOG_INFO, "hidden info");
	log_msg(LOG_ERROR, "shown error");
	log_set_level(LOG_DEBUG);
	log_msg(LOG_DEBUG, "shown debug");
	text = slurp(path);
	assert_null(strstr(text, "hidden"));
	assert_non_null(strstr(text, ": info: shown info\n"));
	assert_non_null(strstr(text, ": error: shown error\n"));
	assert_non_null(strstr(text, ": debug: shown debug\n"));
	free(text);
}

static void
test_long_line(void **state)
{
	char big[3000], *text;

	(void)state;
	use_file();
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	log_msg(LOG_INFO, "%s", big);
	log_msg(LOG_INFO, "next");
	text = slurp(path);
	/* Cut at the buffer: 1022 bytes and the newline. */
	assert_int_equal(strcspn(text, "\n"), 1022);
	assert_non_null(strstr(text, ": info: next\n"));
	free(text);
}

static void
test_sanitize(void **state)
{
	char out[64];

	(void)state;
	log_sanitize("plain-ID_1.2:3@x", out, sizeof(out));
	assert_string_equal(out, "plain-ID_1.2:3@x");
	log_sanitize("a b\"c\\d\ne\rf\tg\x01h\x7fi\xc3\xa9j", out, sizeof(out));
	assert_string_equal(out, "a?b?c?d?e?f?g?h?i??j");
	/* Forged fields cannot be made: "=" stays, but space does not. */
	log_sanitize("x status=200 user=admin", out, sizeof(out));
	assert_string_equal(out, "x?status=200?user=admin");
	log_sanitize(NULL, out, sizeof(out));
	assert_string_equal(out, "");
	log_sanitize("", out, sizeof(out));
	assert_string_equal(out, "");
	/* Cut short with "..." in the last places. */
	log_sanitize("abcdefghij", out, 8);
	assert_string_equal(out, "abcd...");
	log_sanitize("abcdefg", out, 8);
	assert_string_equal(out, "abcdefg");
	log_sanitize("abc", out, 3);
	assert_string_equal(out, "ab");
	log_sanitize("abc", out, 1);
	assert_string_equal(out, "");
	out[0] = 'z';
	log_sanitize("abc", out, 0);
	assert_int_equal(out[0], 'z');
}

/*
 * A request line: a change to object (of kind "app") at seq, committed
 * when object is not NULL, and delivered or not.
 */
static void
request_line(int delivered, const char *object, unsigned long long seq)
{
	struct log_request r;

	memset(&r, 0, sizeof(r));
	r.id = "0123456789abcdef";
	r.method = "POST";
	r.route = "rest";
	r.call = "RegenerateOIDCClientSecret";
	r.status = 200;
	r.grpc = 0;
	r.user = "user 1";
	r.latency_ms = 12.34;
	r.committed = object != NULL;
	r.delivered = delivered;
	r.object_kind = "app";
	r.object = object;
	r.sequence = seq;
	log_request(&r);
}

static void
test_request_line(void **state)
{
	char line[1100], *text;

	(void)state;
	use_file();
	request_line(1, NULL, 0);
	request_line(0, "app\n1", 8);
	request_line(1, "app-2", 9);
	text = slurp(path);
	nth_line(text, 0, line, sizeof(line));
	check_line(line, "oidc-secret", "info", "request id=0123456789abcdef "
	    "method=POST route=rest status=200 code=0 user=user?1 "
	    "latency_ms=12.3 call=RegenerateOIDCClientSecret");
	nth_line(text, 1, line, sizeof(line));
	check_line(line, "oidc-secret", "warn", "request "
	    "id=0123456789abcdef method=POST route=rest status=200 "
	    "undelivered code=0 app=app?1 sequence=8 latency_ms=12.3 "
	    "call=RegenerateOIDCClientSecret");
	/* Committed and delivered: the ordinary line. */
	nth_line(text, 2, line, sizeof(line));
	check_line(line, "oidc-secret", "info", "request id=0123456789abcdef "
	    "method=POST route=rest status=200 code=0 user=user?1 "
	    "latency_ms=12.3 call=RegenerateOIDCClientSecret");
	free(text);
	/* Unknown user, no object, no method: "-". */
	unlink(path);
	use_file();
	{
		struct log_request r;

		memset(&r, 0, sizeof(r));
		r.id = "id";
		r.method = "";
		r.route = "none";
		r.call = "-";
		r.status = 500;
		r.grpc = 13;
		r.user = "";
		r.committed = 1;
		r.object_kind = "user";
		r.object = "";
		log_request(&r);
		r.delivered = 1;
		/* Committed, delivered, but not a 200: the client has no
		 * secret, so the operator hears of it. */
		log_request(&r);
		r.committed = 0;
		r.reason = "no role with user.write";
		log_request(&r);
	}
	text = slurp(path);
	nth_line(text, 0, line, sizeof(line));
	check_line(line, "oidc-secret", "warn", "request id=id method=- "
	    "route=none status=500 undelivered code=13 user=- sequence=0 "
	    "latency_ms=0.0 call=-");
	nth_line(text, 1, line, sizeof(line));
	check_line(line, "oidc-secret", "warn", "request id=id method=- "
	    "route=none status=500 undelivered code=13 user=- sequence=0 "
	    "latency_ms=0.0 call=-");
	nth_line(text, 2, line, sizeof(line));
	check_line(line, "oidc-secret", "info", "request id=id method=- "
	    "route=none status=500 code=13 user=- latency_ms=0.0 call=- "
	    "refused=\"no role with user.write\"");
	free(text);
}

/*
 * The level filters the ordinary lines; an undelivered one is written
 * whatever the level, as the operator must act on it.
 */
static void
test_request_line_levels(void **state)
{
	char *text;

	(void)state;
	use_file();
	log_set_level(LOG_WARN);
	request_line(1, NULL, 0);
	request_line(0, "a-warn", 9);
	log_set_level(LOG_ERROR);
	request_line(1, NULL, 0);
	request_line(1, "a-ok", 11);
	request_line(0, "a-error", 10);
	text = slurp(path);
	assert_null(strstr(text, ": info: "));
	assert_null(strstr(text, "a-ok"));
	assert_non_null(strstr(text, "undelivered code=0 app=a-warn "
	    "sequence=9"));
	assert_non_null(strstr(text, "undelivered code=0 app=a-error "
	    "sequence=10"));
	free(text);
}

static void
test_log_file_rotation(void **state)
{
	char *text;

	(void)state;
	use_file();
	log_msg(LOG_INFO, "one");
	assert_int_equal(rename(path, moved), 0);
	/* Before the check interval: still the old file. */
	log_msg(LOG_INFO, "two");
	assert_int_equal(access(path, F_OK), -1);
	/* Once it has passed, the path is opened again. */
	sink.checked -= REOPEN_CHECK_NS;
	log_msg(LOG_INFO, "three");
	log_msg(LOG_INFO, "four");
	text = slurp(moved);
	assert_non_null(strstr(text, ": info: one\n"));
	assert_non_null(strstr(text, ": info: two\n"));
	assert_null(strstr(text, "three"));
	free(text);
	text = slurp(path);
	assert_null(strstr(text, "two"));
	assert_non_null(strstr(text, ": info: three\n"));
	assert_non_null(strstr(text, ": info: four\n"));
	free(text);
	/* Removed, the same. */
	assert_int_equal(unlink(path), 0);
	sink.checked -= REOPEN_CHECK_NS;
	log_msg(LOG_INFO, "five");
	text = slurp(path);
	assert_non_null(strstr(text, ": info: five\n"));
	assert_null(strstr(text, "four"));
	free(text);
	/* Appended to, never truncated. */
	setup(NULL);
	use_file();
	log_msg(LOG_INFO, "six");
	use_file();
	log_msg(LOG_INFO, "seven");
	text = slurp(path);
	assert_non_null(strstr(text, "six"));
	assert_non_null(strstr(text, "seven"));
	free(text);
}

static void
test_log_file_error(void **state)
{
	char err[700], want[700];

	(void)state;
	assert_int_equal(log_open_file("/nonexistent/dir/x.log", err,
	    sizeof(err)), -1);
	assert_string_equal(err, "log_file = \"/nonexistent/dir/x.log\": "
	    "cannot open for appending: No such file or directory");
	/* The sink stays where it was. */
	assert_int_equal(sink.fd, STDERR_FILENO);
	assert_null(sink.path);
	snprintf(want, sizeof(want), "log_file = \"%s\": cannot open for "
	    "appending: Is a directory", dir);
	assert_int_equal(log_open_file(dir, err, sizeof(err)), -1);
	assert_string_equal(err, want);
}

#define T(f) cmocka_unit_test_setup(f, setup)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_line_on_stderr),
		T(test_levels),
		T(test_long_line),
		T(test_sanitize),
		T(test_request_line),
		T(test_request_line_levels),
		T(test_log_file_rotation),
		T(test_log_file_error),
	};

	return cmocka_run_group_tests_name("log", tests, group_setup,
	    group_teardown);
}
