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

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "route.h"
#include "secret.h"

#define DRAIN_MAX (64UL * 1024 * 1024)

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

int
request_read_params(struct request *req, const struct io *io)
{
	if (copy_param(io, "REQUEST_METHOD", &req->method) != 0 ||
	    copy_param(io, "CONTENT_TYPE", &req->content_type) != 0 ||
	    copy_param(io, "HTTP_AUTHORIZATION", &req->authorization) != 0 ||
	    copy_param(io, "HTTP_X_ZITADEL_ORGID", &req->org_id) != 0)
		return -1;
	if (req->method == NULL && (req->method = strdup("")) == NULL)
		return -1;
	req->path = route_request_path(io->param(io->ctx, "SCRIPT_NAME"),
	    io->param(io->ctx, "PATH_INFO"), io->param(io->ctx, "REQUEST_URI"),
	    &req->path_len);
	return req->path != NULL ? 0 : -1;
}

/* CONTENT_LENGTH (RFC 3875 4.1.2): 1*digit, parsed with an explicit cap. */
static int
parse_length(const char *s, size_t cap, size_t *out, int *over)
{
	size_t v = 0;

	*over = 0;
	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (!*over) {
			v = v * 10 + (size_t)(*s - '0');
			if (v > cap)
				*over = 1;
		}
	}
	*out = v;
	return 0;
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
	long got;
	int over, known = 0;

	req->body_state = BODY_OK;
	req->body_len = 0;
	if (cl != NULL && cl[0] != '\0') {
		if (parse_length(cl, max, &want, &over) != 0) {
			req->body_state = BODY_BAD_LENGTH;
			return 0;
		}
		if (over) {
			req->body_state = BODY_TOO_LARGE;
			return 0;
		}
		known = 1;
	}
	/* Chunked, no CONTENT_LENGTH (SPEC section 1): read to the end, max + 1 caps it. */
	req->body = malloc(want + 1);
	if (req->body == NULL)
		return -1;
	got = read_full(io, req->body, want);
	if (got < 0)
		return -1;
	req->body_len = (size_t)got;
	req->body[req->body_len] = '\0';
	if (!known && req->body_len > max)
		req->body_state = BODY_TOO_LARGE;
	else if (known && req->body_len < want)
		req->body_state = BODY_SHORT;
	return 0;
}

void
request_drain(const struct io *io)
{
	char scratch[4096];
	size_t total = 0;
	long n;

	while (total < DRAIN_MAX &&
	    (n = io->read(io->ctx, scratch, sizeof(scratch))) > 0)
		total += (size_t)n;
}

void
request_free(struct request *req)
{
	free(req->method);
	free(req->path);
	free(req->content_type);
	if (req->authorization != NULL) {
		secret_wipe(req->authorization, strlen(req->authorization));
		free(req->authorization);
	}
	free(req->org_id);
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
	k = snprintf(head, sizeof(head),
	    "Status: %d %s\r\n"
	    "Content-Type: %s\r\n"
	    "Content-Length: %zu\r\n"
	    "Cache-Control: no-store\r\n"
	    "Pragma: no-cache\r\n"
	    "X-Content-Type-Options: nosniff\r\n",
	    resp->status, err_http_reason(resp->status),
	    resp->content_type != NULL ? resp->content_type : "text/plain",
	    resp->body_len);
	if (k < 0 || (size_t)k >= sizeof(head))
		return -1;
	n = (size_t)k;
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
