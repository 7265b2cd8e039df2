/*
 * test_request.c - server parameters and body -> struct request, struct
 * response -> CGI/FastCGI output (src/request.c).
 *
 * A fake struct io serves parameters and a body from memory and records
 * what is written, counting calls.  Covers: request_read_params copies every
 * header it keeps (each H_* from its CGI meta-variable); request_read_body
 * with an exact CONTENT_LENGTH, one over the limit (refused unread: the
 * fake's read is never called, nothing of the input is consumed, and
 * input_unread is set so the caller ends the connection instead of
 * draining), no CONTENT_LENGTH (chunked) under, at and over the limit, a
 * CONTENT_LENGTH the input cannot fill, malformed CONTENT_LENGTHs (unread
 * too), short reads and read errors; request_drain and its bound; the exact
 * bytes of response_write for a 200 and a 405 with Allow, and for HEAD;
 * response_header refusing CR/LF and overflow.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "request.h"

/* --- the fake io ------------------------------------------------------- */

#define FAKE_PARAMS 16

struct fake {
	struct {
		const char *name;
		char *value;	/* owned, mutable: tests scribble on it */
	} param[FAKE_PARAMS];
	size_t nparam;
	const char *body;	/* input */
	size_t body_len;
	size_t pos;		/* bytes handed out so far */
	size_t chunk;		/* most bytes one read returns; 0 = no cap */
	int fail_read_at;	/* read call number that fails; 0 = never */
	int read_calls;
	char *out;		/* what was written */
	size_t out_len;
	int write_calls;
	int fail_write;
};

static const char *
fake_param(void *ctx, const char *name)
{
	struct fake *f = ctx;
	size_t i;

	for (i = 0; i < f->nparam; i++)
		if (strcmp(f->param[i].name, name) == 0)
			return f->param[i].value;
	return NULL;
}

static long
fake_read(void *ctx, char *buf, size_t len)
{
	struct fake *f = ctx;
	size_t n = f->body_len - f->pos;

	f->read_calls++;
	if (f->fail_read_at != 0 && f->read_calls == f->fail_read_at)
		return -1;
	if (n > len)
		n = len;
	if (f->chunk != 0 && n > f->chunk)
		n = f->chunk;
	memcpy(buf, f->body + f->pos, n);
	f->pos += n;
	return (long)n;
}

static int
fake_write(void *ctx, const char *buf, size_t len)
{
	struct fake *f = ctx;
	char *p;

	f->write_calls++;
	if (f->fail_write)
		return -1;
	p = realloc(f->out, f->out_len + len + 1);
	if (p == NULL)
		return -1;
	f->out = p;
	memcpy(f->out + f->out_len, buf, len);
	f->out_len += len;
	f->out[f->out_len] = '\0';
	return 0;
}

static void
fake_set(struct fake *f, const char *name, const char *value)
{
	assert_true(f->nparam < FAKE_PARAMS);
	f->param[f->nparam].name = name;
	f->param[f->nparam].value = strdup(value);
	assert_non_null(f->param[f->nparam].value);
	f->nparam++;
}

static void
fake_body(struct fake *f, const char *body, size_t len)
{
	f->body = body;
	f->body_len = len;
	f->pos = 0;
}

static struct io
fake_io(struct fake *f)
{
	struct io io;

	io.param = fake_param;
	io.read = fake_read;
	io.write = fake_write;
	io.ctx = f;
	return io;
}

static int
setup_fake(void **state)
{
	struct fake *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	*state = f;
	return 0;
}

static int
teardown_fake(void **state)
{
	struct fake *f = *state;
	size_t i;

	for (i = 0; i < f->nparam; i++)
		free(f->param[i].value);
	free(f->out);
	free(f);
	return 0;
}

/* A body of n bytes: a repeating, position-dependent pattern. */
static char *
pattern(size_t n)
{
	char *s = malloc(n + 1);
	size_t i;

	assert_non_null(s);
	for (i = 0; i < n; i++)
		s[i] = (char)('a' + i % 26);
	s[n] = '\0';
	return s;
}

/* --- request_read_params ----------------------------------------------- */

/* Segment i of p is want. */
static void
assert_seg(const struct path *p, size_t i, const char *want)
{
	assert_true(i < p->n);
	assert_int_equal(p->seg[i].n, strlen(want));
	assert_memory_equal(p->seg[i].p, want, strlen(want));
}

static void
test_params_are_copies(void **state)
{
	static const struct {
		const char *var;
		enum header h;
		const char *value;
	} headers[] = {
		{ "CONTENT_TYPE", H_CONTENT_TYPE, "application/json" },
		{ "HTTP_AUTHORIZATION", H_AUTHORIZATION, "Bearer abc.def" },
		{ "HTTP_X_ZITADEL_ORGID", H_ORG_ID, "123456" },
		{ "HTTP_ORIGIN", H_ORIGIN, "https://console.example" },
		{ "HTTP_CONTENT_ENCODING", H_CONTENT_ENCODING, "gzip" },
		{ "HTTP_CONNECT_PROTOCOL_VERSION", H_CONNECT_VERSION, "1" },
		{ "HTTP_CONNECT_TIMEOUT_MS", H_CONNECT_TIMEOUT, "2500" },
		{ "HTTP_GRPC_TIMEOUT", H_GRPC_TIMEOUT, "5S" },
		{ "HTTP_HOST", H_HOST, "id.example:8443" },
		{ "HTTPS", H_HTTPS, "on" },
	};
	struct fake *f = *state;
	struct io io = fake_io(f);
	struct request req;
	size_t i, j;

	memset(&req, 0, sizeof(req));
	assert_int_equal(sizeof(headers) / sizeof(headers[0]), H__COUNT);
	fake_set(f, "REQUEST_METHOD", "POST");
	for (i = 0; i < H__COUNT; i++)
		fake_set(f, headers[i].var, headers[i].value);
	fake_set(f, "SCRIPT_NAME", "/api");
	fake_set(f, "PATH_INFO", "/debug/healthz");
	fake_set(f, "REQUEST_URI", "/api/debug/healthz?x=1");
	assert_int_equal(request_read_params(&req, &io), 0);

	/* FCGX_GetParam's strings die at the next accept: scribble on them. */
	for (i = 0; i < f->nparam; i++)
		memset(f->param[i].value, 'X', strlen(f->param[i].value));

	assert_string_equal(req.method, "POST");
	for (i = 0; i < H__COUNT; i++) {
		assert_non_null(req.header[headers[i].h]);
		assert_string_equal(req.header[headers[i].h], headers[i].value);
		for (j = 0; j < f->nparam; j++)
			assert_ptr_not_equal(req.header[headers[i].h],
			    f->param[j].value);
	}
	/* The path, copied and split into its segments. */
	assert_int_equal(req.path.len, strlen("/api/debug/healthz"));
	assert_string_equal(req.path.buf, "/api/debug/healthz");
	assert_int_equal(req.path.n, 3);
	assert_seg(&req.path, 0, "api");
	assert_seg(&req.path, 1, "debug");
	assert_seg(&req.path, 2, "healthz");
	for (j = 0; j < f->nparam; j++)
		assert_ptr_not_equal(req.path.buf, f->param[j].value);
	for (j = 0; j < f->nparam; j++)
		assert_ptr_not_equal(req.method, f->param[j].value);
	assert_null(req.body);
	assert_int_equal(req.input_unread, 0);
	assert_int_equal(f->read_calls, 0);	/* parameters only */
	request_free(&req);
	assert_null(req.method);
	assert_null(req.path.buf);
	assert_int_equal(req.path.n, 0);
	for (i = 0; i < H__COUNT; i++)
		assert_null(req.header[i]);
}

static void
test_params_absent(void **state)
{
	struct fake *f = *state;
	struct io io = fake_io(f);
	struct request req;
	int i;

	memset(&req, 0, sizeof(req));
	fake_set(f, "REQUEST_URI", "/a%20b?q");
	assert_int_equal(request_read_params(&req, &io), 0);
	assert_non_null(req.method);
	assert_string_equal(req.method, "");
	for (i = 0; i < H__COUNT; i++)
		assert_null(req.header[i]);
	/* SCRIPT_NAME and PATH_INFO both absent: REQUEST_URI, decoded once. */
	assert_int_equal(req.path.n, 1);
	assert_seg(&req.path, 0, "a b");
	request_free(&req);
}

/* --- request_read_body ------------------------------------------------- */

static void
test_body_exact_length(void **state)
{
	struct fake *f = *state;
	struct io io = fake_io(f);
	struct request req;
	static const char data[] = "{\"a\":\"bcde\"}tail";

	memset(&req, 0, sizeof(req));
	fake_set(f, "CONTENT_LENGTH", "12");
	fake_body(f, data, sizeof(data) - 1);
	assert_int_equal(request_read_body(&req, &io, 64), 0);
	assert_int_equal(req.body_state, BODY_OK);
	assert_int_equal(req.body_len, 12);
	assert_memory_equal(req.body, "{\"a\":\"bcde\"}", 12);
	assert_int_equal(req.body[12], '\0');
	/* It read CONTENT_LENGTH bytes, not what follows them. */
	assert_int_equal(f->pos, 12);
	request_free(&req);
}

static void
test_body_length_at_max(void **state)
{
	struct fake *f = *state;
	struct io io = fake_io(f);
	struct request req;
	char *data = pattern(64);

	memset(&req, 0, sizeof(req));
	fake_set(f, "CONTENT_LENGTH", "64");
	fake_body(f, data, 64);
	f->chunk = 5;		/* FastCGI hands the body out in records */
	assert_int_equal(request_read_body(&req, &io, 64), 0);
	assert_int_equal(req.body_state, BODY_OK);
	assert_int_equal(req.body_len, 64);
	assert_memory_equal(req.body, data, 64);
	assert_true(f->read_calls >= 13);
	request_free(&req);
	free(data);
}

static void
test_body_zero_length(void **state)
{
	struct fake *f = *state;
	struct io io = fake_io(f);
	struct request req;

	memset(&req, 0, sizeof(req));
	fake_set(f, "CONTENT_LENGTH", "0");
	fake_body(f, "ignored", 7);
	assert_int_equal(request_read_body(&req, &io, 64), 0);
	assert_int_equal(req.body_state, BODY_OK);
	assert_int_equal(req.body_len, 0);
	assert_non_null(req.body);
	assert_string_equal(req.body, "");
	assert_int_equal(f->pos, 0);
	request_free(&req);
}

/*
 * Over the limit: refused without reading a byte.  The fake's read is
 * never called, no byte of the input is consumed, and input_unread tells
 * the caller to end the connection rather than drain it (a slow sender of
 * a huge body must not hold the process).
 */
static void
test_body_length_over_max_not_read(void **state)
{
	static const struct {
		const char *length;
		size_t max;
	} cases[] = {
		{ "65", 64 }, { "1000000", 64 }, { "30000000", 65536 },
		{ "18446744073709551615", 64 }, { "18446744073709551616", 64 },
		{ "99999999999999999999999999999999", 64 },
		{ "1", 0 }, { "5", 0 }, { "9", 8 }, { "10", 9 },
	};
	struct fake *f = *state;
	struct io io = fake_io(f);
	size_t i;

	fake_set(f, "CONTENT_LENGTH", "");
	fake_body(f, "0123456789", 10);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct request req;

		memset(&req, 0, sizeof(req));
		free(f->param[0].value);
		f->param[0].value = strdup(cases[i].length);
		assert_non_null(f->param[0].value);
		assert_int_equal(request_read_body(&req, &io, cases[i].max), 0);
		if (req.body_state != BODY_TOO_LARGE)
			fail_msg("CONTENT_LENGTH %s, max %zu: state %d",
			    cases[i].length, cases[i].max, (int)req.body_state);
		if (f->read_calls != 0 || f->pos != 0)
			fail_msg("CONTENT_LENGTH %s, max %zu: %d reads, %zu "
			    "bytes read", cases[i].length, cases[i].max,
			    f->read_calls, f->pos);
		if (req.input_unread != 1)
			fail_msg("CONTENT_LENGTH %s: input_unread not set",
			    cases[i].length);
		assert_int_equal(req.body_len, 0);
		assert_null(req.body);
		request_free(&req);
	}
	/* At the limit it is read, and the input is not left unread. */
	{
		struct request req;

		memset(&req, 0, sizeof(req));
		free(f->param[0].value);
		f->param[0].value = strdup("10");
		assert_non_null(f->param[0].value);
		assert_int_equal(request_read_body(&req, &io, 10), 0);
		assert_int_equal(req.body_state, BODY_OK);
		assert_int_equal(req.input_unread, 0);
		assert_int_equal(f->pos, 10);
		request_free(&req);
	}
}

static void
test_body_chunked_under_max(void **state)
{
	struct fake *f = *state;
	struct io io = fake_io(f);
	struct request req;

	memset(&req, 0, sizeof(req));
	/* No CONTENT_LENGTH at all: read to the end of input. */
	fake_body(f, "{\"x\":1}", 7);
	f->chunk = 3;
	assert_int_equal(request_read_body(&req, &io, 64), 0);
	assert_int_equal(req.body_state, BODY_OK);
	assert_int_equal(req.body_len, 7);
	assert_string_equal(req.body, "{\"x\":1}");
	assert_int_equal(f->pos, 7);
	request_free(&req);
}

static void
test_body_chunked_empty_length(void **state)
{
	struct fake *f = *state;
	struct io io = fake_io(f);
	struct request req;

	memset(&req, 0, sizeof(req));
	/* An empty CONTENT_LENGTH counts as absent (RFC 3875 4.1.2). */
	fake_set(f, "CONTENT_LENGTH", "");
	fake_body(f, "{}", 2);
	assert_int_equal(request_read_body(&req, &io, 64), 0);
	assert_int_equal(req.body_state, BODY_OK);
	assert_int_equal(req.body_len, 2);
	assert_string_equal(req.body, "{}");
	request_free(&req);
}

static void
test_body_chunked_at_max(void **state)
{
	struct fake *f = *state;
	struct io io = fake_io(f);
	struct request req;
	char *data = pattern(64);

	memset(&req, 0, sizeof(req));
	fake_body(f, data, 64);
	assert_int_equal(request_read_body(&req, &io, 64), 0);
	assert_int_equal(req.body_state, BODY_OK);
	assert_int_equal(req.body_len, 64);
	assert_memory_equal(req.body, data, 64);
	request_free(&req);
	free(data);
}

static void
test_body_chunked_over_max(void **state)
{
	struct fake *f = *state;
	struct io io = fake_io(f);
	struct request req;
	char *data = pattern(65);

	memset(&req, 0, sizeof(req));
	fake_body(f, data, 65);
	assert_int_equal(request_read_body(&req, &io, 64), 0);
	assert_int_equal(req.body_state, BODY_TOO_LARGE);
	/* Read to one byte past the limit, and no further. */
	assert_int_equal(f->pos, 65);
	assert_int_equal(req.input_unread, 1);
	request_free(&req);
	free(data);
}

/* Still bounded by the limit: never more than max + 1 bytes in memory. */
static void
test_body_chunked_far_over_max_bounded(void **state)
{
	struct fake *f = *state;
	struct io io = fake_io(f);
	struct request req;
	char *data = pattern(100000);

	memset(&req, 0, sizeof(req));
	fake_body(f, data, 100000);
	f->chunk = 7;
	assert_int_equal(request_read_body(&req, &io, 64), 0);
	assert_int_equal(req.body_state, BODY_TOO_LARGE);
	assert_true(f->pos <= 65);
	assert_true(req.body_len <= 65);
	assert_int_equal(req.input_unread, 1);
	request_free(&req);
	/* A drain gives up past its bound instead of reading on. */
	assert_int_equal(request_drain(&io, 1000), -1);
	assert_true(f->pos <= 65 + 1001);
	free(data);
}

static void
test_body_short(void **state)
{
	struct fake *f = *state;
	struct io io = fake_io(f);
	struct request req;

	memset(&req, 0, sizeof(req));
	fake_set(f, "CONTENT_LENGTH", "20");
	fake_body(f, "{\"a\":1}", 7);
	f->chunk = 2;
	assert_int_equal(request_read_body(&req, &io, 64), 0);
	assert_int_equal(req.body_state, BODY_SHORT);
	assert_int_equal(req.body_len, 7);
	assert_string_equal(req.body, "{\"a\":1}");
	request_free(&req);
}

static void
test_body_bad_length(void **state)
{
	static const char *const lengths[] = {
		"12x", "-1", "+1", " 12", "12 ", "0x10", "1e3", "1.0", "x",
	};
	struct fake *f = *state;
	struct io io = fake_io(f);
	size_t i;

	fake_set(f, "CONTENT_LENGTH", "");
	fake_body(f, "{}", 2);
	for (i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
		struct request req;

		memset(&req, 0, sizeof(req));
		free(f->param[0].value);
		f->param[0].value = strdup(lengths[i]);
		assert_non_null(f->param[0].value);
		assert_int_equal(request_read_body(&req, &io, 64), 0);
		if (req.body_state != BODY_BAD_LENGTH)
			fail_msg("CONTENT_LENGTH \"%s\": state %d", lengths[i],
			    (int)req.body_state);
		assert_int_equal(f->read_calls, 0);
		assert_int_equal(req.input_unread, 1);
		assert_null(req.body);
		request_free(&req);
	}
}

static void
test_body_read_error(void **state)
{
	struct fake *f = *state;
	struct io io = fake_io(f);
	struct request req;

	memset(&req, 0, sizeof(req));
	fake_set(f, "CONTENT_LENGTH", "10");
	fake_body(f, "0123456789", 10);
	f->chunk = 4;
	f->fail_read_at = 2;
	assert_int_equal(request_read_body(&req, &io, 64), -1);
	request_free(&req);
}

static void
test_drain_reads_to_end(void **state)
{
	struct fake *f = *state;
	struct io io = fake_io(f);
	char *data = pattern(10000);

	fake_body(f, data, 10000);
	f->chunk = 999;
	assert_int_equal(request_drain(&io, 10000), 0);
	assert_int_equal(f->pos, 10000);
	/* Nothing left: one more read sees the end and stops. */
	f->read_calls = 0;
	assert_int_equal(request_drain(&io, 0), 0);
	assert_int_equal(f->read_calls, 1);
	free(data);
}

/* More than max left: -1, after reading no more than max + 1 bytes. */
static void
test_drain_bounded(void **state)
{
	struct fake *f = *state;
	struct io io = fake_io(f);
	char *data = pattern(100000);

	fake_body(f, data, 100000);
	assert_int_equal(request_drain(&io, 9999), -1);
	assert_int_equal(f->pos, 10000);
	fake_body(f, data, 100000);
	assert_int_equal(request_drain(&io, 0), -1);
	assert_int_equal(f->pos, 1);
	/* A read error is -1 too. */
	fake_body(f, data, 100);
	f->read_calls = 0;
	f->fail_read_at = 1;
	assert_int_equal(request_drain(&io, 1000), -1);
	free(data);
}

/* --- response ---------------------------------------------------------- */

static void
test_write_200_exact(void **state)
{
	struct fake *f = *state;
	struct io io = fake_io(f);
	struct response resp;
	static const char body[] = "{\"clientSecret\":\"abc\"}";
	static const char want[] =
	    "Status: 200 OK\r\n"
	    "Content-Type: application/json\r\n"
	    "Content-Length: 22\r\n"
	    "Cache-Control: no-store\r\n"
	    "Pragma: no-cache\r\n"
	    "X-Content-Type-Options: nosniff\r\n"
	    "\r\n"
	    "{\"clientSecret\":\"abc\"}";

	memset(&resp, 0, sizeof(resp));
	resp.status = 200;
	resp.content_type = "application/json";
	resp.body = strdup(body);
	assert_non_null(resp.body);
	resp.body_len = strlen(body);
	assert_int_equal(response_write(&resp, &io), 0);
	assert_int_equal(f->out_len, sizeof(want) - 1);
	assert_memory_equal(f->out, want, sizeof(want) - 1);
	response_free(&resp);
	assert_null(resp.body);
	assert_int_equal(resp.body_len, 0);
}

static void
test_write_405_with_allow(void **state)
{
	struct fake *f = *state;
	struct io io = fake_io(f);
	struct response resp;
	static const char body[] = "{\"code\":12}";
	static const char want[] =
	    "Status: 405 Method Not Allowed\r\n"
	    "Content-Type: application/json\r\n"
	    "Content-Length: 11\r\n"
	    "Cache-Control: no-store\r\n"
	    "Pragma: no-cache\r\n"
	    "X-Content-Type-Options: nosniff\r\n"
	    "Allow: POST\r\n"
	    "\r\n"
	    "{\"code\":12}";

	memset(&resp, 0, sizeof(resp));
	resp.status = 405;
	resp.content_type = "application/json";
	resp.body = strdup(body);
	assert_non_null(resp.body);
	resp.body_len = strlen(body);
	assert_int_equal(response_header(&resp, "Allow", "POST"), 0);
	assert_int_equal(response_write(&resp, &io), 0);
	assert_int_equal(f->out_len, sizeof(want) - 1);
	assert_memory_equal(f->out, want, sizeof(want) - 1);
	response_free(&resp);
	assert_int_equal(resp.nheader, 0);
}

static void
test_write_empty_body(void **state)
{
	struct fake *f = *state;
	struct io io = fake_io(f);
	struct response resp;
	static const char want[] =
	    "Status: 503 Service Unavailable\r\n"
	    "Content-Type: text/plain\r\n"
	    "Content-Length: 0\r\n"
	    "Cache-Control: no-store\r\n"
	    "Pragma: no-cache\r\n"
	    "X-Content-Type-Options: nosniff\r\n"
	    "grpc-status: 14\r\n"
	    "grpc-message: service%20unavailable\r\n"
	    "\r\n";

	memset(&resp, 0, sizeof(resp));
	resp.status = 503;
	assert_int_equal(response_header(&resp, "grpc-status", "14"), 0);
	assert_int_equal(response_header(&resp, "grpc-message",
	    "service%20unavailable"), 0);
	assert_int_equal(response_write(&resp, &io), 0);
	assert_int_equal(f->out_len, sizeof(want) - 1);
	assert_memory_equal(f->out, want, sizeof(want) - 1);
	assert_int_equal(f->write_calls, 1);	/* no empty body write */
	response_free(&resp);
}

/* HEAD: the headers, Content-Length of the body, no body. */
static void
test_write_head(void **state)
{
	struct fake *f = *state;
	struct io io = fake_io(f);
	struct response resp;
	static const char want[] =
	    "Status: 200 OK\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Length: 3\r\n"
	    "Cache-Control: no-store\r\n"
	    "Pragma: no-cache\r\n"
	    "X-Content-Type-Options: nosniff\r\n"
	    "\r\n";

	memset(&resp, 0, sizeof(resp));
	resp.status = 200;
	resp.content_type = "text/plain; charset=utf-8";
	resp.body = strdup("ok\n");
	assert_non_null(resp.body);
	resp.body_len = 3;
	resp.head = 1;
	assert_int_equal(response_write(&resp, &io), 0);
	assert_int_equal(f->out_len, sizeof(want) - 1);
	assert_memory_equal(f->out, want, sizeof(want) - 1);
	assert_int_equal(f->write_calls, 1);
	response_free(&resp);
}

static void
test_write_failure(void **state)
{
	struct fake *f = *state;
	struct io io = fake_io(f);
	struct response resp;

	memset(&resp, 0, sizeof(resp));
	resp.status = 200;
	resp.body = strdup("x");
	assert_non_null(resp.body);
	resp.body_len = 1;
	f->fail_write = 1;
	assert_int_equal(response_write(&resp, &io), -1);
	response_free(&resp);
}

/* Header injection: a value with CR or LF never reaches the output. */
static void
test_header_refuses_crlf(void **state)
{
	static const char *const bad[] = {
		"a\r\nSet-Cookie: x=1", "a\nb", "a\rb", "\r\n", "\n", "POST\r",
	};
	struct response resp;
	size_t i;

	(void)state;
	memset(&resp, 0, sizeof(resp));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (response_header(&resp, "X-Test", bad[i]) != -1)
			fail_msg("accepted header value %zu", i);
	assert_int_equal(resp.nheader, 0);
	response_free(&resp);
}

static void
test_header_copies_and_limits(void **state)
{
	struct response resp;
	char value[] = "POST";
	size_t i;

	(void)state;
	memset(&resp, 0, sizeof(resp));
	assert_int_equal(response_header(&resp, "Allow", value), 0);
	value[0] = 'X';
	assert_string_equal(resp.header[0].value, "POST");
	assert_string_equal(resp.header[0].name, "Allow");
	for (i = 1; i < RESPONSE_HEADERS; i++)
		assert_int_equal(response_header(&resp, "X-N", "v"), 0);
	assert_int_equal(resp.nheader, RESPONSE_HEADERS);
	assert_int_equal(response_header(&resp, "X-Full", "v"), -1);
	assert_int_equal(resp.nheader, RESPONSE_HEADERS);
	response_free(&resp);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup_fake, teardown_fake)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_params_are_copies),
		T(test_params_absent),
		T(test_body_exact_length),
		T(test_body_length_at_max),
		T(test_body_zero_length),
		T(test_body_length_over_max_not_read),
		T(test_body_chunked_under_max),
		T(test_body_chunked_empty_length),
		T(test_body_chunked_at_max),
		T(test_body_chunked_over_max),
		T(test_body_chunked_far_over_max_bounded),
		T(test_body_short),
		T(test_body_bad_length),
		T(test_body_read_error),
		T(test_drain_reads_to_end),
		T(test_drain_bounded),
		T(test_write_head),
		T(test_write_200_exact),
		T(test_write_405_with_allow),
		T(test_write_empty_body),
		T(test_write_failure),
		T(test_header_refuses_crlf),
		T(test_header_copies_and_limits),
	};

	return cmocka_run_group_tests_name("request", tests, NULL, NULL);
}
