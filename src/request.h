/*
 * request.h - one request in, one response out, on plain structs.
 *
 * The server's parameters and body become a struct request (copied strings,
 * bounded body); a struct response becomes CGI/FastCGI output.  Both go
 * through struct io, so the same code serves FastCGI, plain CGI, the tests
 * and the fuzzers.
 */
#ifndef OIDC_SECRET_REQUEST_H
#define OIDC_SECRET_REQUEST_H

#include <stddef.h>

#include "route.h"

struct io {
	/* A server parameter (CGI meta-variable), or NULL. */
	const char *(*param)(void *ctx, const char *name);
	/* Up to len body bytes; 0 at end of input, -1 on error. */
	long (*read)(void *ctx, char *buf, size_t len);
	/* All of len bytes, or -1. */
	int (*write)(void *ctx, const char *buf, size_t len);
	void *ctx;
};

enum body_state {
	BODY_OK,
	BODY_TOO_LARGE,		/* over max_body_bytes: not read */
	BODY_SHORT,		/* input ended before CONTENT_LENGTH */
	BODY_BAD_LENGTH		/* CONTENT_LENGTH is not a number */
};

/* The headers kept, by CGI meta-variable; each NULL when absent. */
enum header {
	H_CONTENT_TYPE,
	H_AUTHORIZATION,
	H_ORG_ID,		/* x-zitadel-orgid */
	H_ORIGIN,
	H_CONTENT_ENCODING,
	H_CONNECT_VERSION,	/* connect-protocol-version */
	H_CONNECT_TIMEOUT,	/* connect-timeout-ms */
	H_GRPC_TIMEOUT,		/* grpc-timeout (gRPC-web) */
	H_HOST,			/* the issuer, when none is configured */
	H_HTTPS,		/* the server's HTTPS variable: "on" */
	H__COUNT
};

struct request {
	char *method;
	/* SCRIPT_NAME + PATH_INFO, or REQUEST_URI's path, in segments */
	struct path path;
	char *header[H__COUNT];
	/* NUL-terminated; NULL until request_read_body */
	char *body;
	size_t body_len;
	enum body_state body_state;
	/*
	 * The body was refused before its end (too large, or a bad
	 * CONTENT_LENGTH): the input is left unread, and the connection is
	 * ended rather than drained.
	 */
	int input_unread;
	char id[17];		/* request ID for the log: 16 hex digits */
};

/* Copies the parameters it keeps (they die at the next accept); -1 on OOM. */
int request_read_params(struct request *req, const struct io *io);

/*
 * Reads the body, never more than max bytes into memory: a CONTENT_LENGTH
 * over max is refused unread; without CONTENT_LENGTH (chunked) input is
 * read up to max + 1 bytes and refused there.  A refused body leaves
 * req->input_unread set.  -1 on OOM or I/O error.
 */
int request_read_body(struct request *req, const struct io *io, size_t max);

/*
 * Reads and drops what is left of the input, at most max bytes: 0 when
 * the input ended within them, -1 when more is left (the caller ends the
 * connection instead of reading on).
 */
int request_drain(const struct io *io, size_t max);

void request_free(struct request *req);

#define RESPONSE_HEADERS 12

struct response {
	int status;
	const char *content_type;
	struct {
		const char *name;
		char *value;	/* owned */
	} header[RESPONSE_HEADERS];
	size_t nheader;
	/* owned; wiped when freed (it may hold a secret) */
	char *body;
	size_t body_len;
	int head;		/* HEAD: the headers only (RFC 3875 4.3.2) */
};

/* Adds a header (the value is copied); -1 when full or out of memory. */
int response_header(struct response *resp, const char *name, const char *value);

/*
 * The Status line, the headers every answer carries (doc/api.md), the
 * extras, the body.
 */
int response_write(const struct response *resp, const struct io *io);

void response_free(struct response *resp);

#endif
