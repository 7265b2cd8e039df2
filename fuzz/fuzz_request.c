/*
 * fuzz_request.c - libFuzzer harness: the request reader, the router, the
 * codecs and CORS, through dispatch(), as main.c's serve() runs them.
 *
 * Input: byte 0 caps how many body bytes one read returns (0: no cap),
 * byte 1 names the read call that fails (0: none); then "NAME=VALUE\n"
 * lines, the server's parameters (CGI meta-variables); an empty line; the
 * body.  A struct io serves them from memory, as kcgi's afl/ harness does.
 * The store points at a socket that does not exist, so a request that gets
 * as far as the database is answered 503 at once: no database, no hashing.
 * Checks: no crash, no leak, no undefined behaviour; every answer is a CGI
 * response with a Status line; never more than max_body_bytes + 1 bytes
 * read; a body refused on its CONTENT_LENGTH is not read at all and is
 * left unread, as is one of a bad CONTENT_LENGTH.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "dispatch.h"
#include "log.h"
#include "request.h"
#include "secret.h"
#include "service.h"
#include "store.h"

#define MAX_PARAMS 32

struct fuzz_io {
	char *name[MAX_PARAMS];
	char *value[MAX_PARAMS];
	size_t nparam;
	const uint8_t *body;
	size_t body_len;
	size_t pos;
	size_t chunk;
	unsigned fail_at;
	unsigned reads;		/* calls that returned bytes or the end */
	size_t written;
	int saw_status;
};

static struct config cfg;
static struct store *store;
static struct service svc;

static const char *
f_param(void *ctx, const char *name)
{
	struct fuzz_io *f = ctx;
	size_t i;

	/* The last of duplicate names wins, as in an environment. */
	for (i = f->nparam; i > 0; i--)
		if (strcmp(f->name[i - 1], name) == 0)
			return f->value[i - 1];
	return NULL;
}

static long
f_read(void *ctx, char *buf, size_t len)
{
	struct fuzz_io *f = ctx;
	size_t n = f->body_len - f->pos;

	f->reads++;
	if (f->fail_at != 0 && f->reads == f->fail_at)
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
f_write(void *ctx, const char *buf, size_t len)
{
	struct fuzz_io *f = ctx;

	if (f->written == 0)
		f->saw_status = len >= 8 && memcmp(buf, "Status: ", 8) == 0;
	f->written += len;
	return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[256];

	(void)argc;
	(void)argv;
	if (secret_init() != 0)
		abort();
	config_defaults(&cfg);
	if (config_set(&cfg, "api_project_id", "69629023906488335", err,
	    sizeof(err)) != 0 ||
	    config_set(&cfg, "db_socket", "/nonexistent/oidc-secret-fuzz.sock",
	    err, sizeof(err)) != 0 ||
	    config_set(&cfg, "db_connect_timeout_s", "1", err,
	    sizeof(err)) != 0 ||
	    config_set(&cfg, "max_body_bytes", "1024", err, sizeof(err)) != 0) {
		fprintf(stderr, "fuzz_request: %s\n", err);
		abort();
	}
	/* Quiet: a log line per input would be most of the time spent. */
	log_set_level(LOG_ERROR);
	if (store_library_init() != 0 || (store = store_new(&cfg)) == NULL)
		abort();
	service_init(&svc, &cfg, store);
	return 0;
}

/* Splits data into parameters and body; the strings are malloc'd copies. */
static void
parse_input(const uint8_t *data, size_t size, struct fuzz_io *f)
{
	size_t i = 2;

	memset(f, 0, sizeof(*f));
	if (size < 2) {
		f->body = data + size;
		return;
	}
	f->chunk = data[0];
	f->fail_at = data[1];
	while (i < size && data[i] != '\n') {
		const uint8_t *nl = memchr(data + i, '\n', size - i);
		size_t end = nl != NULL ? (size_t)(nl - data) : size;
		const uint8_t *eq = memchr(data + i, '=', end - i);

		if (eq != NULL && f->nparam < MAX_PARAMS) {
			size_t nlen = (size_t)(eq - data) - i;
			size_t vlen = end - (size_t)(eq - data) - 1;

			f->name[f->nparam] = strndup((const char *)data + i,
			    nlen);
			f->value[f->nparam] = strndup((const char *)eq + 1,
			    vlen);
			if (f->name[f->nparam] == NULL ||
			    f->value[f->nparam] == NULL)
				abort();
			f->nparam++;
		}
		i = end + 1;
	}
	if (i < size)
		i++;		/* the empty line */
	if (i > size)
		i = size;
	f->body = data + i;
	f->body_len = size - i;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_io f;
	struct io io = { f_param, f_read, f_write, &f };
	struct request req;
	struct response resp;
	struct dispatch_report h;
	size_t i;

	parse_input(data, size, &f);
	memset(&req, 0, sizeof(req));
	memset(&resp, 0, sizeof(resp));
	memset(&h, 0, sizeof(h));
	if (request_read_params(&req, &io) != 0)
		abort();	/* only on out of memory */
	dispatch(&svc, &req, &io, &resp, &h);
	/* Every answer has a status a server accepts, and is written whole. */
	if (resp.status < 200 || resp.status > 599 || h.route == NULL)
		abort();
	/* The body's cap, decided before the first byte is read. */
	if (f.pos > (size_t)cfg.max_body_bytes + 1)
		abort();
	if (req.body_state == BODY_TOO_LARGE || req.body_state ==
	    BODY_BAD_LENGTH) {
		const char *cl = f_param(&f, "CONTENT_LENGTH");

		if (!req.input_unread)
			abort();
		if (cl != NULL && cl[0] != '\0' && f.reads != 0)
			abort();
	} else if (req.input_unread)
		abort();
	if (response_write(&resp, &io) != 0 || !f.saw_status)
		abort();
	/* As main.c: what was left unread stays unread. */
	if (!req.input_unread)
		(void)request_drain(&io, cfg.max_body_bytes);
	response_free(&resp);
	request_free(&req);
	for (i = 0; i < f.nparam; i++) {
		free(f.name[i]);
		free(f.value[i]);
	}
	return 0;
}
