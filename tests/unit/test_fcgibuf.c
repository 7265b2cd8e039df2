/*
 * test_fcgibuf.c - the part of libfcgi's private layout that
 * src/fcgibuf.c relies on, pinned against the real library with a real
 * FastCGI exchange over a Unix socket.
 *
 * The test plays the web server: it connects, writes BEGIN_REQUEST,
 * PARAMS (HTTP_AUTHORIZATION holding a random bearer token), an empty
 * PARAMS, the body as STDIN and an empty STDIN; the responder side is
 * libfcgi's FCGX_Accept_r.  Then: the layout check passes; the token is
 * in the input buffer before wiping (the positive control: a search that
 * finds it, so its absence later means something) and gone after
 * fcgibuf_wipe_read, while the body still reads whole with FCGX_GetStr,
 * also one larger than the buffer; a secret written with FCGX_PutStr is in
 * the output buffer, still there after a successful flush, and gone after
 * fcgibuf_wipe_all; the same when the peer has closed first, so that the
 * flush fails and libfcgi keeps the whole answer in its buffer.  A request
 * the check does not recognise gets nothing wiped and nothing peeked.
 *
 * And what src/main.c's read deadline relies on: a connection handed to
 * FCGX_Accept_r as a kept one (ipcFd set, keepConnection on, listen_sock
 * -1) is read, not accepted; when its parameters stall inside one past
 * the socket's receive timeout, FCGX_Accept_r returns an error at once
 * with the connection closed (detached: no lingering) rather than
 * accepting another, and between two it returns the request with its
 * input in error (EAGAIN), still answerable; in the body, the content
 * libfcgi holds is stop - rdNext, read without waiting, and a wait past
 * the timeout ends FCGX_GetStr with FCGX_GetError EAGAIN while the answer
 * can still be written.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fastcgi.h>
#include <fcgiapp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "fcgibuf.h"
#include "log.h"
#include "secret.h"

#define TOKEN_LEN 43
#define REQUEST_ID 1

static char dir[80], sock_path[100];
static int listen_fd = -1;
static FCGX_Request req;
static char token[TOKEN_LEN + 1];

/* --- the web server's side --------------------------------------------- */

static void
put_all(int fd, const void *p, size_t n)
{
	const char *b = p;

	while (n > 0) {
		ssize_t k = write(fd, b, n);

		if (k < 0 && errno == EINTR)
			continue;
		assert_true(k > 0);
		b += k;
		n -= (size_t)k;
	}
}

/* One record of type, padded to 8 bytes as web servers do. */
static void
record(int fd, int type, const void *content, size_t len)
{
	static const unsigned char zeros[8];
	FCGI_Header h;
	unsigned char pad = (unsigned char)((8 - len % 8) % 8);

	assert_true(len <= FCGI_MAX_LENGTH);
	h.version = FCGI_VERSION_1;
	h.type = (unsigned char)type;
	h.requestIdB1 = 0;
	h.requestIdB0 = REQUEST_ID;
	h.contentLengthB1 = (unsigned char)(len >> 8);
	h.contentLengthB0 = (unsigned char)len;
	h.paddingLength = pad;
	h.reserved = 0;
	put_all(fd, &h, sizeof(h));
	if (len > 0)
		put_all(fd, content, len);
	put_all(fd, zeros, pad);
}

/* A name-value pair (FastCGI 3.4), both lengths under 128. */
static size_t
pair(unsigned char *out, const char *name, const char *value)
{
	size_t n = strlen(name), v = strlen(value);

	assert_true(n < 128 && v < 128);
	out[0] = (unsigned char)n;
	out[1] = (unsigned char)v;
	memcpy(out + 2, name, n);
	memcpy(out + 2 + n, value, v);
	return 2 + n + v;
}

/*
 * Connects, sends a whole request with body[0..len), and accepts it on
 * the responder's side.  Returns the client's socket; *sent is how many
 * bytes went out.
 */
static int
exchange(const char *body, size_t len, size_t *sent)
{
	FCGI_BeginRequestBody begin;
	struct sockaddr_un sa;
	unsigned char params[512];
	char bearer[64], length[24];
	size_t n = 0, off;
	int fd;

	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock_path);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);

	memset(&begin, 0, sizeof(begin));
	begin.roleB0 = FCGI_RESPONDER;
	record(fd, FCGI_BEGIN_REQUEST, &begin, sizeof(begin));
	snprintf(bearer, sizeof(bearer), "Bearer %s", token);
	snprintf(length, sizeof(length), "%zu", len);
	n += pair(params + n, "REQUEST_METHOD", "POST");
	n += pair(params + n, "SCRIPT_NAME", "/api/management/v1/projects/p/"
	    "apps/a/oidc_config/_generate_client_secret");
	n += pair(params + n, "HTTP_AUTHORIZATION", bearer);
	n += pair(params + n, "CONTENT_TYPE", "application/json");
	n += pair(params + n, "CONTENT_LENGTH", length);
	record(fd, FCGI_PARAMS, params, n);
	record(fd, FCGI_PARAMS, NULL, 0);
	*sent = 3 * FCGI_HEADER_LEN + sizeof(begin) + n + (8 - n % 8) % 8;
	for (off = 0; off < len; off += 8000) {
		size_t k = len - off < 8000 ? len - off : 8000;

		record(fd, FCGI_STDIN, body + off, k);
		*sent += FCGI_HEADER_LEN + k + (8 - k % 8) % 8;
	}
	record(fd, FCGI_STDIN, NULL, 0);
	*sent += FCGI_HEADER_LEN;

	assert_int_equal(FCGX_Accept_r(&req), 0);
	assert_string_equal(FCGX_GetParam("HTTP_AUTHORIZATION", req.envp),
	    bearer);
	return fd;
}

/* Whether p[0..n) holds s. */
static int
holds(const unsigned char *p, size_t n, const char *s)
{
	return memmem(p, n, s, strlen(s)) != NULL;
}

/* --- setup ------------------------------------------------------------- */

static int
group_setup(void **state)
{
	const char *t = getenv("TMPDIR");
	struct sockaddr_un sa;

	(void)state;
	signal(SIGPIPE, SIG_IGN);
	log_set_level(LOG_ERROR);
	if (secret_init() != 0 || FCGX_Init() != 0)
		return -1;
	/* A socket's path is short: a long TMPDIR is not used. */
	snprintf(dir, sizeof(dir), "%s/oidc-secret-fcgi-XXXXXX",
	    t != NULL && t[0] != '\0' && strlen(t) < 50 ? t : "/tmp");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(sock_path, sizeof(sock_path), "%s/s", dir);
	listen_fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (listen_fd < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock_path);
	if (bind(listen_fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    listen(listen_fd, 4) != 0)
		return -1;
	if (FCGX_InitRequest(&req, listen_fd, 0) != 0)
		return -1;
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	FCGX_Free(&req, 1);
	close(listen_fd);
	unlink(sock_path);
	return rmdir(dir);
}

/* A new random bearer token for each test. */
static int
setup(void **state)
{
	(void)state;
	return secret_generate(token, TOKEN_LEN);
}

/* --- the input buffer -------------------------------------------------- */

static void
test_token_wiped_body_kept(void **state)
{
	static const char body[] = "{\"some\":\"body\",\"kept\":true}";
	const unsigned char *buf;
	char got[64];
	size_t len = 0, sent;
	int fd;

	(void)state;
	fd = exchange(body, sizeof(body) - 1, &sent);
	assert_int_equal(fcgibuf_layout_ok(&req), 1);
	buf = fcgibuf_peek(&req, req.in, &len);
	assert_non_null(buf);
	assert_true(len >= sent);
	/* The positive control: the search finds the token before. */
	if (!holds(buf, sent, token))
		fail_msg("the token is not in the input buffer: the search "
		    "proves nothing");
	assert_true(holds(buf, sent, body));
	fcgibuf_wipe_read(&req);
	assert_int_equal(fcgibuf_layout_ok(&req), 1);
	buf = fcgibuf_peek(&req, req.in, &len);
	assert_non_null(buf);
	if (holds(buf, len, token))
		fail_msg("the token is still in the input buffer");
	assert_false(holds(buf, len, "HTTP_AUTHORIZATION"));
	/* The body, not yet read, is intact. */
	memset(got, 0, sizeof(got));
	assert_int_equal(FCGX_GetStr(got, sizeof(got), req.in),
	    sizeof(body) - 1);
	assert_string_equal(got, body);
	assert_int_equal(FCGX_GetError(req.in), 0);
	/* Closed first: libfcgi's closing drain then ends at once. */
	close(fd);
	FCGX_Finish_r(&req);
}

/* A body longer than the buffer: read in several fills, still whole. */
static void
test_long_body_after_wipe(void **state)
{
	size_t n = 20000, sent, len = 0, i;
	char *body = malloc(n), *got = malloc(n + 1);
	const unsigned char *buf;
	int fd;

	(void)state;
	assert_non_null(body);
	assert_non_null(got);
	for (i = 0; i < n; i++)
		body[i] = (char)('a' + i % 23);
	fd = exchange(body, n, &sent);
	buf = fcgibuf_peek(&req, req.in, &len);
	assert_non_null(buf);
	assert_true(holds(buf, len < sent ? len : sent, token));
	fcgibuf_wipe_read(&req);
	buf = fcgibuf_peek(&req, req.in, &len);
	assert_false(holds(buf, len, token));
	assert_int_equal(FCGX_GetStr(got, (int)n + 1, req.in), (int)n);
	assert_memory_equal(got, body, n);
	close(fd);
	FCGX_Finish_r(&req);
	free(body);
	free(got);
}

/* --- the output buffer ------------------------------------------------- */

/* The secret written into the output buffer, found there. */
static char *
write_secret(void)
{
	char *secret = malloc(65);
	const unsigned char *buf;
	size_t len = 0;

	assert_non_null(secret);
	assert_int_equal(secret_generate(secret, 64), 0);
	assert_int_equal(FCGX_PutStr("Status: 200 OK\r\n\r\n", 18, req.out),
	    18);
	assert_int_equal(FCGX_PutStr(secret, 64, req.out), 64);
	buf = fcgibuf_peek(&req, req.out, &len);
	assert_non_null(buf);
	assert_true(len > FCGI_HEADER_LEN + 82);
	/* Positive control: libfcgi keeps the answer in this buffer. */
	if (!holds(buf + FCGI_HEADER_LEN, 82, secret))
		fail_msg("the secret is not in the output buffer: the search "
		    "proves nothing");
	return secret;
}

static void
test_secret_wiped_after_flush(void **state)
{
	const unsigned char *buf;
	char reply[512], *secret;
	size_t len = 0, sent, got = 0;
	int fd;

	(void)state;
	fd = exchange("{}", 2, &sent);
	fcgibuf_wipe_read(&req);
	secret = write_secret();
	assert_int_equal(FCGX_FFlush(req.out), 0);
	assert_int_equal(FCGX_GetError(req.out), 0);
	/* Sent, and still in the buffer: libfcgi only moves a pointer. */
	while (got < 8 + 82) {
		ssize_t k = read(fd, reply + got, sizeof(reply) - got);

		assert_true(k > 0);
		got += (size_t)k;
	}
	assert_true(holds((unsigned char *)reply, got, secret));
	buf = fcgibuf_peek(&req, req.out, &len);
	assert_true(holds(buf, len, secret));
	fcgibuf_wipe_all(&req);
	buf = fcgibuf_peek(&req, req.out, &len);
	assert_non_null(buf);
	assert_false(holds(buf, len, secret));
	buf = fcgibuf_peek(&req, req.in, &len);
	assert_non_null(buf);
	assert_false(holds(buf, len, token));
	assert_false(holds(buf, len, "{}"));
	close(fd);
	FCGX_Finish_r(&req);
	secret_wipe(secret, 64);
	free(secret);
}

/*
 * The client left before the answer: the flush fails, and libfcgi keeps
 * the whole answer in its buffer, which it would free unwiped.
 */
static void
test_secret_wiped_when_peer_closed(void **state)
{
	const unsigned char *buf;
	size_t len = 0, sent;
	char *secret;
	int fd;

	(void)state;
	fd = exchange("{}", 2, &sent);
	fcgibuf_wipe_read(&req);
	close(fd);
	secret = write_secret();
	(void)FCGX_FFlush(req.out);
	assert_int_not_equal(FCGX_GetError(req.out), 0);
	/* The case that matters: still there after the failed write. */
	buf = fcgibuf_peek(&req, req.out, &len);
	assert_non_null(buf);
	if (!holds(buf, len, secret))
		fail_msg("the secret left the buffer: this test no longer "
		    "covers the failed flush");
	assert_int_equal(fcgibuf_layout_ok(&req), 1);
	fcgibuf_wipe_all(&req);
	buf = fcgibuf_peek(&req, req.out, &len);
	assert_non_null(buf);
	assert_false(holds(buf, len, secret));
	FCGX_Finish_r(&req);
	secret_wipe(secret, 64);
	free(secret);
}

/* --- what the check refuses -------------------------------------------- */

static void
test_layout_check_refuses(void **state)
{
	FCGX_Request other;
	unsigned char *saved;
	size_t len = 0, sent;
	int fd;

	(void)state;
	/* Not accepted yet: no streams. */
	memset(&other, 0, sizeof(other));
	assert_int_equal(fcgibuf_layout_ok(&other), 0);
	fcgibuf_wipe_read(&other);
	fcgibuf_wipe_all(&other);

	fd = exchange("{}", 2, &sent);
	assert_int_equal(fcgibuf_layout_ok(&req), 1);
	/* A copy of the request: the streams point back at the original. */
	other = req;
	assert_int_equal(fcgibuf_layout_ok(&other), 0);
	assert_null(fcgibuf_peek(&other, other.in, &len));
	/* Public pointers that disagree with the private bounds. */
	saved = req.in->rdNext;
	req.in->rdNext = saved + 100000;
	assert_int_equal(fcgibuf_layout_ok(&req), 0);
	assert_null(fcgibuf_peek(&req, req.in, &len));
	fcgibuf_wipe_read(&req);	/* refused: nothing written */
	req.in->rdNext = saved;
	saved = req.out->stop;
	req.out->stop = saved - 8;
	assert_int_equal(fcgibuf_layout_ok(&req), 0);
	assert_null(fcgibuf_peek(&req, req.out, &len));
	req.out->stop = saved;
	assert_int_equal(fcgibuf_layout_ok(&req), 1);
	/* The streams swapped: a reader is no writer. */
	assert_null(fcgibuf_peek(&req, req.err, &len));
	{
		FCGX_Stream *in = req.in;

		req.in = req.out;
		req.out = in;
		assert_int_equal(fcgibuf_layout_ok(&req), 0);
		req.out = req.in;
		req.in = in;
	}
	assert_int_equal(fcgibuf_layout_ok(&req), 1);
	close(fd);
	FCGX_Finish_r(&req);
}

/* --- a kept connection, and the read deadline -------------------------- */

/* A receive timeout of ms milliseconds on fd. */
static void
rcv_timeout(int fd, long ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv,
	    sizeof(tv)), 0);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* BEGIN_REQUEST and the parameters; all of them, or a first part. */
static void
begin(int fd, int whole, size_t body_len)
{
	FCGI_BeginRequestBody b;
	unsigned char params[256];
	char length[24];
	size_t n = 0;

	memset(&b, 0, sizeof(b));
	b.roleB0 = FCGI_RESPONDER;
	record(fd, FCGI_BEGIN_REQUEST, &b, sizeof(b));
	snprintf(length, sizeof(length), "%zu", body_len);
	n += pair(params + n, "REQUEST_METHOD", "POST");
	n += pair(params + n, "CONTENT_LENGTH", length);
	record(fd, FCGI_PARAMS, params, n);
	if (whole)
		record(fd, FCGI_PARAMS, NULL, 0);
}

/* The responder's end of a fresh connection, as main.c hands it over. */
static void
hand_over(FCGX_Request *r, int fd)
{
	FCGX_InitRequest(r, -1, 0);
	r->ipcFd = fd;
	r->keepConnection = 1;
	assert_int_equal(FCGX_Detach(r), 0);
}

static void
test_kept_connection_is_read_not_accepted(void **state)
{
	FCGX_Request r;
	char got[8];
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	begin(sv[0], 1, 3);
	record(sv[0], FCGI_STDIN, "abc", 3);
	record(sv[0], FCGI_STDIN, NULL, 0);
	hand_over(&r, sv[1]);
	assert_int_equal(FCGX_Accept_r(&r), 0);
	assert_int_equal(FCGX_Attach(&r), 0);
	assert_int_equal(r.ipcFd, sv[1]);
	assert_string_equal(FCGX_GetParam("CONTENT_LENGTH", r.envp), "3");
	/* Nothing of the body is held before the first read asks. */
	assert_true(r.in->stop == r.in->rdNext);
	assert_int_equal(FCGX_GetStr(got, 1, r.in), 1);
	/* The rest of the record's content, held: read without waiting. */
	assert_int_equal((int)(r.in->stop - r.in->rdNext), 2);
	assert_int_equal(FCGX_GetStr(got + 1, 2, r.in), 2);
	assert_memory_equal(got, "abc", 3);
	assert_int_equal(FCGX_GetStr(got, 1, r.in), 0);
	assert_int_equal(FCGX_GetError(r.in), 0);
	r.keepConnection = 0;
	close(sv[0]);
	FCGX_Finish_r(&r);
	assert_int_equal(r.ipcFd, -1);
}

/*
 * Stalled inside a parameter: the start fails at the timeout, the
 * connection closed (detached: at once), and no other is accepted.
 */
static void
test_stalled_inside_a_parameter_ends_the_start(void **state)
{
	FCGX_Request r;
	unsigned char half[] = { 14, 4, 'R', 'E', 'Q' };
	char c;
	double t0;
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	begin(sv[0], 0, 0);
	/* A record whose content stops inside a name. */
	{
		FCGI_Header h;

		memset(&h, 0, sizeof(h));
		h.version = FCGI_VERSION_1;
		h.type = FCGI_PARAMS;
		h.requestIdB0 = REQUEST_ID;
		h.contentLengthB0 = 20;
		put_all(sv[0], &h, sizeof(h));
		put_all(sv[0], half, sizeof(half));
	}
	rcv_timeout(sv[1], 200);
	hand_over(&r, sv[1]);
	t0 = now_s();
	assert_true(FCGX_Accept_r(&r) < 0);
	assert_true(now_s() - t0 < 2.0);
	assert_int_equal(r.ipcFd, -1);
	assert_int_equal(r.detached, 0);
	/* Closed: the peer reads the end, not a wait. */
	rcv_timeout(sv[0], 2000);
	assert_int_equal(read(sv[0], &c, 1), 0);
	close(sv[0]);
}

/*
 * Stalled between two parameters: libfcgi takes those it has as the
 * request, its input stream in error (EAGAIN), and the answer can go.
 */
static void
test_stalled_between_parameters_is_a_request_in_error(void **state)
{
	FCGX_Request r;
	unsigned char reply[512];
	size_t n = 0;
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	begin(sv[0], 0, 0);
	rcv_timeout(sv[1], 200);
	hand_over(&r, sv[1]);
	assert_int_equal(FCGX_Accept_r(&r), 0);
	assert_int_equal(FCGX_Attach(&r), 0);
	assert_true(FCGX_GetError(r.in) == EAGAIN ||
	    FCGX_GetError(r.in) == EWOULDBLOCK);
	assert_string_equal(FCGX_GetParam("REQUEST_METHOD", r.envp), "POST");
	assert_int_equal(FCGX_PutStr("Status: 408\r\n\r\n", 15, r.out), 15);
	assert_int_equal(FCGX_FClose(r.err), 0);
	assert_int_equal(FCGX_FClose(r.out), 0);
	rcv_timeout(sv[0], 2000);
	while (n < 8 + 16 + 8 + 8 + 8) {
		ssize_t k = read(sv[0], reply + n, sizeof(reply) - n);

		assert_true(k > 0);
		n += (size_t)k;
	}
	assert_true(holds(reply, n, "Status: 408"));
	r.keepConnection = 0;
	close(sv[0]);
	FCGX_Finish_r(&r);
}

static void
test_stalled_body_times_out_and_the_answer_goes(void **state)
{
	FCGX_Request r;
	unsigned char reply[512];
	char got[16];
	size_t n = 0;
	double t0;
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	begin(sv[0], 1, 10);
	record(sv[0], FCGI_STDIN, "abcd", 4);	/* 6 bytes never come */
	hand_over(&r, sv[1]);
	assert_int_equal(FCGX_Accept_r(&r), 0);
	assert_int_equal(FCGX_Attach(&r), 0);
	assert_int_equal(FCGX_GetStr(got, 4, r.in), 4);
	rcv_timeout(sv[1], 200);
	t0 = now_s();
	assert_int_equal(FCGX_GetStr(got, 1, r.in), 0);
	assert_true(now_s() - t0 < 2.0);
	assert_true(FCGX_GetError(r.in) == EAGAIN ||
	    FCGX_GetError(r.in) == EWOULDBLOCK);
	/* The answer still goes out, whole. */
	assert_int_equal(FCGX_PutStr("Status: 408\r\n\r\n", 15, r.out), 15);
	assert_int_equal(FCGX_FClose(r.err), 0);
	assert_int_equal(FCGX_FClose(r.out), 0);
	rcv_timeout(sv[0], 2000);
	while (n < sizeof(reply)) {
		ssize_t k = read(sv[0], reply + n, sizeof(reply) - n);

		assert_true(k > 0);
		n += (size_t)k;
		/* STDOUT, empty STDOUT, END_REQUEST. */
		if (n >= 8 + 16 + 8 + 8 + 8)
			break;
	}
	assert_true(holds(reply, n, "Status: 408"));
	assert_int_equal(reply[n - 16 + 1], FCGI_END_REQUEST);
	r.keepConnection = 0;
	close(sv[0]);
	FCGX_Finish_r(&r);
}

#define T(f) cmocka_unit_test_setup(f, setup)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_token_wiped_body_kept),
		T(test_long_body_after_wipe),
		T(test_secret_wiped_after_flush),
		T(test_secret_wiped_when_peer_closed),
		T(test_layout_check_refuses),
		T(test_kept_connection_is_read_not_accepted),
		T(test_stalled_inside_a_parameter_ends_the_start),
		T(test_stalled_between_parameters_is_a_request_in_error),
		T(test_stalled_body_times_out_and_the_answer_goes),
	};

	return cmocka_run_group_tests_name("fcgibuf", tests, group_setup,
	    group_teardown);
}
