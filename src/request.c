/*
 * request.c - server parameters and body -> struct request; struct response
 * -> CGI/FastCGI output.
 *
 * Works through struct io only: main.c binds it to libfcgi's FCGX_Request or
 * to plain CGI's environment and stdio, the tests and fuzzers to buffers.
 * Every string kept is a copy (FCGX_GetParam's die at the next accept), and
 * the body has a cap decided before the first byte is read (curl's dynbuf
 * with its toobig).
 */
#include "request.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "route.h"
#include "secret.h"
#include "util.h"

static int
copy_param(const struct io *io, const char *name, char **out)
{
	const char *v = io->param(io->ctx, name);

	*out = NULL;
	if (v == NULL)
		return 0;
	*out = strdup(v);
	return *out != NULL ? 0 : -1;
}

/* RFC 3875 4.1.18: a header's meta-variable is HTTP_ and its name. */
static const char *const header_var[H__COUNT] = {
	[H_CONTENT_TYPE] = "CONTENT_TYPE",
	[H_AUTHORIZATION] = "HTTP_AUTHORIZATION",
	[H_ORG_ID] = "HTTP_X_ZITADEL_ORGID",
	[H_ORIGIN] = "HTTP_ORIGIN",
	[H_CONTENT_ENCODING] = "HTTP_CONTENT_ENCODING",
	[H_CONNECT_VERSION] = "HTTP_CONNECT_PROTOCOL_VERSION",
	[H_CONNECT_TIMEOUT] = "HTTP_CONNECT_TIMEOUT_MS",
	[H_GRPC_TIMEOUT] = "HTTP_GRPC_TIMEOUT",
	[H_HOST] = "HTTP_HOST",
	[H_HTTPS] = "HTTPS",
};

int
request_read_params(struct request *req, const struct io *io)
{
	int i;

	if (copy_param(io, "REQUEST_METHOD", &req->method) != 0)
		return -1;
	for (i = 0; i < H__COUNT; i++)
		if (copy_param(io, header_var[i], &req->header[i]) != 0)
			return -1;
	if (req->method == NULL && (req->method = strdup("")) == NULL)
		return -1;
	return route_request_path(io->param(io->ctx, "SCRIPT_NAME"),
	    io->param(io->ctx, "PATH_INFO"), io->param(io->ctx, "REQUEST_URI"),
	    &req->path);
}

/* Reads up to want bytes into buf; returns how many arrived, -1 on error. */
static long
read_full(const struct io *io, char *buf, size_t want)
{
	size_t have = 0;

	while (have < want) {
		long n = io->read(io->ctx, buf + have, want - have);

		if (n < 0)
			return -1;
		if (n == 0)
			break;
		have += (size_t)n;
	}
	return (long)have;
}

int
request_read_body(struct request *req, const struct io *io, size_t max)
{
	const char *cl = io->param(io->ctx, "CONTENT_LENGTH");
	size_t want = max + 1;
	uint64_t v;
	long got;
	int known = 0;

	req->body_state = BODY_OK;
	req->body_len = 0;
	/* RFC 3875 4.1.2: CONTENT_LENGTH is 1*digit. */
	if (cl != NULL && cl[0] != '\0') {
		switch (util_decimal(cl, strlen(cl), max, &v)) {
		case DECIMAL_OK:
			want = (size_t)v;
			known = 1;
			break;
		case DECIMAL_OVER:
			/* Refused unread: the answer goes out at once. */
			req->body_state = BODY_TOO_LARGE;
			req->input_unread = 1;
			return 0;
		default:
			req->body_state = BODY_BAD_LENGTH;
			req->input_unread = 1;
			return 0;
		}
	}
	/*
	 * A chunked request may come without CONTENT_LENGTH: read to the
	 * end of input, max + 1 bytes at most.
	 */
	req->body = malloc(want + 1);
	if (req->body == NULL)
		return -1;
	got = read_full(io, req->body, want);
	if (got < 0)
		return -1;
	req->body_len = (size_t)got;
	req->body[req->body_len] = '\0';
	if (!known && req->body_len > max) {
		req->body_state = BODY_TOO_LARGE;
		req->input_unread = 1;
	}
	else if (known && req->body_len < want)
		req->body_state = BODY_SHORT;
	return 0;
}

int
request_drain(const struct io *io, size_t max)
{
	char scratch[4096];
	size_t total = 0;
	long n;

	for (;;) {
		size_t want = max - total + 1;

		n = io->read(io->ctx, scratch,
		    want < sizeof(scratch) ? want : sizeof(scratch));
		if (n == 0)
			return 0;
		if (n < 0)
			return -1;
		total += (size_t)n;
		if (total > max)
			return -1;
	}
}

void
request_free(struct request *req)
{
	int i;

	free(req->method);
	route_path_free(&req->path);
	for (i = 0; i < H__COUNT; i++) {
		/* The Authorization header holds a bearer token. */
		if (req->header[i] != NULL)
			secret_wipe(req->header[i], strlen(req->header[i]));
		free(req->header[i]);
	}
	if (req->body != NULL) {
		secret_wipe(req->body, req->body_len);
		free(req->body);
	}
	memset(req, 0, sizeof(*req));
}

int
response_header(struct response *resp, const char *name, const char *value)
{
	if (resp->nheader == RESPONSE_HEADERS || strpbrk(value, "\r\n") != NULL)
		return -1;
	resp->header[resp->nheader].value = strdup(value);
	if (resp->header[resp->nheader].value == NULL)
		return -1;
	resp->header[resp->nheader].name = name;
	resp->nheader++;
	return 0;
}

int
response_write(const struct response *resp, const struct io *io)
{
	char head[2048];
	size_t i, n;
	int k;

	/* RFC 3875 6.3.3: the Status header carries the code to the server. */
	k = snprintf(head, sizeof(head), "Status: %d %s\r\n", resp->status,
	    err_http_reason(resp->status));
	if (k < 0 || (size_t)k >= sizeof(head))
		return -1;
	n = (size_t)k;
	/* RFC 9110 8.6, 15.3.5: a 204 has no content and no word of it. */
	if (resp->status != 204) {
		k = snprintf(head + n, sizeof(head) - n,
		    "Content-Type: %s\r\nContent-Length: %zu\r\n",
		    resp->content_type != NULL ? resp->content_type :
		    "text/plain", resp->body_len);
		if (k < 0 || (size_t)k >= sizeof(head) - n)
			return -1;
		n += (size_t)k;
	}
	k = snprintf(head + n, sizeof(head) - n, "Cache-Control: no-store\r\n"
	    "Pragma: no-cache\r\nX-Content-Type-Options: nosniff\r\n");
	if (k < 0 || (size_t)k >= sizeof(head) - n)
		return -1;
	n += (size_t)k;
	for (i = 0; i < resp->nheader; i++) {
		k = snprintf(head + n, sizeof(head) - n, "%s: %s\r\n",
		    resp->header[i].name, resp->header[i].value);
		if (k < 0 || (size_t)k >= sizeof(head) - n)
			return -1;
		n += (size_t)k;
	}
	if (n + 2 >= sizeof(head))
		return -1;
	memcpy(head + n, "\r\n", 2);
	n += 2;
	if (io->write(io->ctx, head, n) != 0)
		return -1;
	if (resp->body_len > 0 && !resp->head &&
	    io->write(io->ctx, resp->body, resp->body_len) != 0)
		return -1;
	return 0;
}

void
response_free(struct response *resp)
{
	size_t i;

	for (i = 0; i < resp->nheader; i++)
		free(resp->header[i].value);
	if (resp->body != NULL) {
		secret_wipe(resp->body, resp->body_len);
		free(resp->body);
	}
	memset(resp, 0, sizeof(*resp));
}
