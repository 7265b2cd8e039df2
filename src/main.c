/*
 * main.c - start-up, configuration, signals, and the accept loop.
 *
 * One binary serves FastCGI (fd 0 is a listening socket: lighttpd's
 * bin-path, mod_fcgid, spawn-fcgi) and plain CGI (anything else: mod_cgi).
 * With request.c, the only code that touches libfcgi; it binds struct io
 * to an FCGX_Request or to CGI's environment and stdio.  One request at a
 * time per process: the web server runs more processes for concurrency.
 */
#include <errno.h>
#include <fcgiapp.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "dispatch.h"
#include "log.h"
#include "request.h"
#include "rest.h"
#include "secret.h"
#include "service.h"
#include "store.h"

/* STYLE.md habit 7: handlers only set a flag and tell libfcgi (fcgiwrap). */
static volatile sig_atomic_t stopping;

static void
on_signal(int sig)
{
	(void)sig;
	stopping = 1;
	FCGX_ShutdownPending();
}

/* --- struct io over FastCGI --- */

static const char *
fcgx_param(void *ctx, const char *name)
{
	return FCGX_GetParam(name, ((FCGX_Request *)ctx)->envp);
}

static long
fcgx_read(void *ctx, char *buf, size_t len)
{
	FCGX_Stream *in = ((FCGX_Request *)ctx)->in;
	int n = FCGX_GetStr(buf, len > INT_MAX ? INT_MAX : (int)len, in);

	return n == 0 && FCGX_GetError(in) != 0 ? -1 : n;
}

static int
fcgx_write(void *ctx, const char *buf, size_t len)
{
	FCGX_Stream *out = ((FCGX_Request *)ctx)->out;

	while (len > 0) {
		int chunk = len > INT_MAX ? INT_MAX : (int)len;

		if (FCGX_PutStr(buf, chunk, out) != chunk)
			return -1;
		buf += chunk;
		len -= (size_t)chunk;
	}
	return 0;
}

/* --- struct io over plain CGI (RFC 3875) --- */

static const char *
cgi_param(void *ctx, const char *name)
{
	(void)ctx;
	return getenv(name);
}

static long
cgi_read(void *ctx, char *buf, size_t len)
{
	ssize_t n;

	(void)ctx;
	do
		n = read(STDIN_FILENO, buf, len);
	while (n < 0 && errno == EINTR);
	return (long)n;
}

static int
cgi_write(void *ctx, const char *buf, size_t len)
{
	(void)ctx;
	/* write(2), not stdio: no library buffer keeps a copy of the secret. */
	while (len > 0) {
		ssize_t n = write(STDOUT_FILENO, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static double
elapsed_ms(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 +
	    (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* One request, start to finish, over io. */
static void
serve(struct service *svc, const struct io *io)
{
	struct request req;
	struct response resp;
	struct handled h;
	struct log_request line;
	struct timespec t0;
	unsigned char rid[8];
	size_t i;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	memset(&req, 0, sizeof(req));
	memset(&resp, 0, sizeof(resp));
	memset(&h, 0, sizeof(h));
	secret_nonce(rid, sizeof(rid));
	for (i = 0; i < sizeof(rid); i++)
		snprintf(req.id + 2 * i, 3, "%02x", rid[i]);
	if (request_read_params(&req, io) != 0) {
		h.route = "none";
		h.grpc = 13;
		resp.status = 500;
		resp.content_type = "text/plain";
	} else
		dispatch(svc, &req, io, &resp, &h);
	if (response_write(&resp, io) != 0)
		log_msg(LOG_WARN, "request id=%s: the response could not be "
		    "written (client gone?)", req.id);
	/* Unread input would be taken for the next request's. */
	request_drain(io);
	line.id = req.id;
	line.method = req.method;
	line.route = h.route != NULL ? h.route : "none";
	line.status = resp.status;
	line.grpc = h.grpc;
	line.user = h.user_id;
	line.latency_ms = elapsed_ms(&t0);
	log_request(&line);
	response_free(&resp);
	request_free(&req);
}

/* Under CGI a process that cannot start must still answer (RFC 3875 6). */
static void
cgi_refuse(void)
{
	struct io io = { cgi_param, cgi_read, cgi_write, NULL };
	struct response resp;

	memset(&resp, 0, sizeof(resp));
	if (rest_encode_error(ERR_INTERNAL, &resp) == 0)
		response_write(&resp, &io);
	response_free(&resp);
}

static int
serve_cgi(struct service *svc)
{
	struct io io = { cgi_param, cgi_read, cgi_write, NULL };

	serve(svc, &io);
	return 0;
}

/* libfcgi frees its copy of the parameters unwiped: the bearer token is one. */
static void
wipe_param(char **envp, const char *prefix)
{
	size_t n = strlen(prefix);

	for (; envp != NULL && *envp != NULL; envp++)
		if (strncmp(*envp, prefix, n) == 0)
			secret_wipe(*envp + n, strlen(*envp + n));
}

static int
serve_fcgi(struct service *svc)
{
	FCGX_Request fr;
	struct io io = { fcgx_param, fcgx_read, fcgx_write, &fr };
	struct sigaction sa;
	sigset_t mask;
	int rc;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: the signal must break accept(2) (libfcgi OS_Accept). */
	sa.sa_flags = 0;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGUSR1);
	sigaddset(&mask, SIGINT);

	if (FCGX_InitRequest(&fr, 0, FCGI_FAIL_ACCEPT_ON_INTR) != 0) {
		log_msg(LOG_ERROR, "FastCGI: cannot initialise a request");
		return 1;
	}
	for (;;) {
		/* A signal that came during the last request is delivered here. */
		sigprocmask(SIG_UNBLOCK, &mask, NULL);
		if (stopping)
			break;
		rc = FCGX_Accept_r(&fr);
		/* The request in hand finishes whatever signal comes. */
		sigprocmask(SIG_BLOCK, &mask, NULL);
		if (rc < 0) {
			if (!stopping)
				log_msg(LOG_ERROR, "FastCGI: accept failed (%d)", rc);
			break;
		}
		serve(svc, &io);
		/*
		 * libfcgi frees its output buffer unwiped; the secret went
		 * through it.  After the flush, [wrNext, stop) is that whole
		 * buffer's payload area.
		 */
		FCGX_FFlush(fr.out);
		if (fr.out != NULL && fr.out->wrNext != NULL && fr.out->stop > fr.out->wrNext)
			secret_wipe(fr.out->wrNext, (size_t)(fr.out->stop - fr.out->wrNext));
		wipe_param(fr.envp, "HTTP_AUTHORIZATION=");
		FCGX_Finish_r(&fr);
	}
	FCGX_Free(&fr, 1);
	return stopping ? 0 : 1;
}

int
main(int argc, char **argv)
{
	struct config cfg;
	struct service svc;
	struct store *store = NULL;
	char err[512];
	int rc;

	if (argc > 1) {
		if (strcmp(argv[1], "--version") == 0) {
			printf("oidc-secret.fcgi %s\n", PACKAGE_VERSION);
			return 0;
		}
		fprintf(stderr, "usage: %s [--version]\n"
		    "A FastCGI/CGI responder: run it from a web server "
		    "(see oidc-secret.fcgi(8)).\n", argv[0]);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	if (secret_init() != 0) {
		log_msg(LOG_ERROR, "libgcrypt: version check failed");
		return 1;
	}
	if (config_load(&cfg, NULL, err, sizeof(err)) != 0 ||
	    config_check_api(&cfg, err, sizeof(err)) != 0) {
		log_msg(LOG_ERROR, "configuration: %s", err);
		if (FCGX_IsCGI())
			cgi_refuse();
		return 1;
	}
	log_set_level(cfg.log_level);
	if (store_library_init() != 0) {
		log_msg(LOG_ERROR, "database client library failed to initialise");
		return 1;
	}
	store = store_new(&cfg);
	if (store == NULL) {
		log_msg(LOG_ERROR, "out of memory");
		return 1;
	}
	service_init(&svc, &cfg, store);
	if (FCGX_Init() != 0) {
		log_msg(LOG_ERROR, "FastCGI: library failed to initialise");
		return 1;
	}
	rc = FCGX_IsCGI() ? serve_cgi(&svc) : serve_fcgi(&svc);
	store_free(store);
	store_library_end();
	secret_wipe(cfg.db_password, sizeof(cfg.db_password));
	return rc;
}
