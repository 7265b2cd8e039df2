/*
 * log.c - one line per event on stderr: "time oidc-secret[pid]: level: text".
 *
 * stderr is the web server's error log under CGI, mod_fcgid and lighttpd.
 * Each line goes out in one write(2) so lines of several processes do not
 * interleave.  Values from outside are sanitised before they are written.
 */
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ts.h"
#include "util.h"

#define REOPEN_CHECK_NS (5LL * 1000000000)

static unsigned current = LOG_INFO;
static const char *ident = "oidc-secret";
static long pid;
static const char *const names[] = { "error", "warn", "info", "debug" };

/* log_file: where lines go, and when its path was last looked at. */
static struct {
	const char *path;
	int fd;
	dev_t dev;
	ino_t ino;
	int64_t checked;
} sink = { NULL, STDERR_FILENO, 0, 0, 0 };

static int
open_log(const char *path)
{
	struct stat st;
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0) {
		close(fd);
		return -1;
	}
	if (sink.fd != STDERR_FILENO)
		close(sink.fd);
	sink.fd = fd;
	sink.dev = st.st_dev;
	sink.ino = st.st_ino;
	return 0;
}

int
log_open_file(const char *path, char *err, size_t errlen)
{
	if (open_log(path) != 0) {
		snprintf(err, errlen, "log_file = \"%s\": cannot open for "
		    "appending: %s", path, strerror(errno));
		return -1;
	}
	sink.path = path;
	sink.checked = util_mono_ns();
	return 0;
}

/* Rotated away (renamed or removed): open the path again. */
static void
follow_rotation(void)
{
	struct stat st;
	int64_t now = util_mono_ns();

	if (sink.path == NULL || now - sink.checked < REOPEN_CHECK_NS)
		return;
	sink.checked = now;
	if (stat(sink.path, &st) != 0 || st.st_dev != sink.dev ||
	    st.st_ino != sink.ino)
		(void)open_log(sink.path);
}

void
log_forked(void)
{
	pid = 0;
}

void
log_set_ident(const char *name)
{
	ident = name;
}

void
log_set_level(unsigned level)
{
	current = level;
}

int
log_enabled(unsigned level)
{
	return level <= current;
}

static void
vline(unsigned level, const char *fmt, va_list ap)
{
	char line[1024], when[TS_RFC3339_MAX];
	int n, k;

	if (ts_format(ts_now(), when, sizeof(when)) != 0)
		snprintf(when, sizeof(when), "-");
	/* getpid(2) is a system call per line otherwise (log_forked). */
	if (pid == 0)
		pid = (long)getpid();
	n = snprintf(line, sizeof(line), "%s %s[%ld]: %s: ", when, ident,
	    pid, names[level < 4 ? level : 3]);
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	k = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	if (k < 0)
		return;
	n += k;
	if ((size_t)n > sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	follow_rotation();
	/* Nothing to do when the log is gone. */
	if (write(sink.fd, line, (size_t)n) < 0)
		return;
}

void
log_msg(unsigned level, const char *fmt, ...)
{
	va_list ap;

	if (!log_enabled(level))
		return;
	va_start(ap, fmt);
	vline(level, fmt, ap);
	va_end(ap);
}

/* A line whatever the configured level. */
static void
log_always(unsigned level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
log_always(unsigned level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline(level, fmt, ap);
	va_end(ap);
}

void
log_sanitize(const char *in, char *out, size_t outlen)
{
	size_t i, n = 0;

	if (outlen == 0)
		return;
	for (i = 0; in != NULL && in[i] != '\0' && n + 1 < outlen; i++) {
		unsigned char c = (unsigned char)in[i];

		out[n++] = c > 0x20 && c < 0x7f && c != '"' && c != '\\' ?
		    (char)c : '?';
	}
	if (in != NULL && in[i] != '\0' && n >= 3)
		memcpy(out + n - 3, "...", 3);
	out[n] = '\0';
}

void
log_request(const struct log_request *r)
{
	char method[16], user[64], object[64], reason[96];

	log_sanitize(r->method, method, sizeof(method));
	if (r->committed && (!r->delivered || r->status != 200)) {
		/* Logged whatever the level: an operator must act on it. */
		log_sanitize(r->object, object, sizeof(object));
		log_always(LOG_WARN, "request id=%s method=%s route=%s "
		    "status=%d undelivered code=%d %s=%s sequence=%llu "
		    "latency_ms=%.1f call=%s", r->id, method[0] ? method : "-",
		    r->route, r->status, r->grpc, r->object_kind,
		    object[0] ? object : "-", r->sequence, r->latency_ms,
		    r->call);
		return;
	}
	if (!log_enabled(LOG_INFO))
		return;
	log_sanitize(r->user, user, sizeof(user));
	/* Why a request was refused, never the token or secret itself. */
	reason[0] = '\0';
	if (r->reason != NULL)
		snprintf(reason, sizeof(reason), " refused=\"%.80s\"",
		    r->reason);
	log_msg(LOG_INFO, "request id=%s method=%s route=%s status=%d code=%d "
	    "user=%s latency_ms=%.1f call=%s%s", r->id,
	    method[0] ? method : "-", r->route, r->status, r->grpc,
	    user[0] ? user : "-", r->latency_ms, r->call, reason);
}
