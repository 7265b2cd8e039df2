/*
 * main.c - start-up, configuration, signals, and the accept loop.
 *
 * One binary serves FastCGI (fd 0 is a listening socket: lighttpd's
 * bin-path, mod_fcgid, spawn-fcgi) and plain CGI (anything else: mod_cgi).
 * With fcgibuf.c, the only code that touches libfcgi; it binds struct io
 * to an FCGX_Request or to CGI's environment and stdio.  One request at a
 * time per process: the web server runs more processes for concurrency.
 *
 * Signals stay blocked except while waiting for a connection, in ppoll(2):
 * a SIGTERM can neither slip in between the check and the wait, nor cut
 * a request short while its parameters or body are read.
 */
#include <errno.h>
#include <fastcgi.h>
#include <fcgiapp.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "dispatch.h"
#include "fcgibuf.h"
#include "log.h"
#include "request.h"
#include "errwire.h"
#include "secret.h"
#include "service.h"
#include "store.h"
#include "util.h"
#include "version.h"

/* Handlers only set a flag and tell libfcgi (as fcgiwrap does). */
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

/* What one request came to, for its log line and the connection. */
struct served {
	struct request req;
	struct dispatch_report h;
	int status;
	int64_t t0;
};

/*
 * Reads the request, dispatches it and writes the answer through io (into
 * libfcgi's buffer under FastCGI).  The caller delivers it, ends the input
 * and logs.  0, or -1 when the answer could not be written.
 */
static int
serve(struct service *svc, const struct io *io, struct served *s)
{
	struct response resp;
	unsigned char rid[8];
	size_t i;
	int rc;

	s->t0 = util_mono_ns();
	memset(&s->req, 0, sizeof(s->req));
	memset(&s->h, 0, sizeof(s->h));
	memset(&resp, 0, sizeof(resp));
	secret_nonce(rid, sizeof(rid));
	for (i = 0; i < sizeof(rid); i++)
		snprintf(s->req.id + 2 * i, 3, "%02x", rid[i]);
	if (request_read_params(&s->req, io) != 0) {
		s->h.route = "none";
		s->h.call = "-";
		s->h.grpc = 13;
		resp.status = 500;
		resp.content_type = "text/plain";
	} else
		dispatch(svc, &s->req, io, &resp, &s->h);
	s->status = resp.status;
	rc = response_write(&resp, io);
	response_free(&resp);
	return rc;
}

/* The request log line; an answer that changed a secret but did not
 * reach the client is a warning the operator must see. */
static void
log_served(const struct served *s, int delivered)
{
	struct log_request line;

	line.id = s->req.id;
	line.method = s->req.method;
	line.route = s->h.route != NULL ? s->h.route : "none";
	line.call = s->h.call != NULL ? s->h.call : "-";
	line.status = s->status;
	line.grpc = s->h.grpc;
	line.user = s->h.user_id;
	line.reason = s->h.reason;
	line.latency_ms = (double)(util_mono_ns() - s->t0) / 1e6;
	line.committed = s->h.committed;
	line.delivered = delivered;
	line.object_kind = s->h.object_kind != NULL ? s->h.object_kind : "app";
	line.object = s->h.object;
	line.sequence = s->h.sequence;
	log_request(&line);
}

/* Under CGI, what is read of stdin after the answer (cgi_settle). */
#define CGI_SETTLE_MAX (16u * 1024 * 1024)
#define CGI_SETTLE_MS 200

/*
 * After the answer, under CGI: reads and drops what is left of stdin, at
 * most max bytes, until it ends or nothing more comes for a moment.
 * mod_cgid hands the body over a socket, and closing a socket with input
 * unread resets it, cutting Apache's reading of the answer short (curl:
 * "transfer closed with outstanding read data remaining").  A body that
 * never ends, or is over the bound, is left: the process ends anyway.
 */
static void
cgi_settle(size_t max)
{
	char scratch[4096];
	struct pollfd pfd = { STDIN_FILENO, POLLIN, 0 };
	size_t total = 0;

	while (total < max && poll(&pfd, 1, CGI_SETTLE_MS) > 0) {
		ssize_t n = read(STDIN_FILENO, scratch, sizeof(scratch));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		total += (size_t)n;
	}
	explicit_bzero(scratch, sizeof(scratch));
}

/* Under CGI a process that cannot start must still answer (RFC 3875 6). */
static void
cgi_refuse(void)
{
	struct io io = { cgi_param, cgi_read, cgi_write, NULL };
	struct response resp;

	memset(&resp, 0, sizeof(resp));
	if (errwire_gateway(ERR_INTERNAL, &resp) == 0)
		response_write(&resp, &io);
	response_free(&resp);
	cgi_settle(CGI_SETTLE_MAX);
}

/* Environment strings are ours to overwrite: the token leaves no copy. */
static void
wipe_env(const char *name)
{
	char *v = getenv(name);

	if (v != NULL)
		secret_wipe(v, strlen(v));
}

/*
 * Apache gives a CGI program the Authorization header only with
 * CGIPassAuth On, which the shipped cgi-bin/.htaccess sets, with
 * OIDC_SECRET_HTACCESS beside it.  A request without the header, under
 * Apache, without that variable: the .htaccess was not read.
 */
static void
warn_stripped_authorization(const struct served *s)
{
	const char *sw = getenv("SERVER_SOFTWARE");

	if (s->h.grpc != GRPC_UNAUTHENTICATED ||
	    s->req.header[H_AUTHORIZATION] != NULL || sw == NULL ||
	    strncmp(sw, "Apache", 6) != 0 ||
	    getenv("OIDC_SECRET_HTACCESS") != NULL)
		return;
	log_msg(LOG_WARN, "request id=%s: no Authorization header reached the "
	    "responder: Apache passes it to CGI only with CGIPassAuth On, and "
	    "the cgi-bin's .htaccess that sets it was not read (AllowOverride "
	    "None?): see apache-conf/oidc-secret-cgi.conf", s->req.id);
}

static int
serve_cgi(struct service *svc)
{
	struct io io = { cgi_param, cgi_read, cgi_write, NULL };
	struct served s;
	int delivered;

	delivered = serve(svc, &io, &s) == 0;
	warn_stripped_authorization(&s);
	/* The answer is out; a refused body was never read into memory. */
	cgi_settle(CGI_SETTLE_MAX);
	log_served(&s, delivered);
	request_free(&s.req);
	wipe_env("HTTP_AUTHORIZATION");
	return 0;
}

/* libfcgi frees its copy of the parameters unwiped: the token is one. */
static void
wipe_param(char **envp, const char *prefix)
{
	size_t n = strlen(prefix);

	for (; envp != NULL && *envp != NULL; envp++)
		if (strncmp(*envp, prefix, n) == 0)
			secret_wipe(*envp + n, strlen(*envp + n));
}

/*
 * Input the answer does not need is not read by us.  The connection is
 * not kept for another request (its next bytes would be this one's body):
 * libfcgi's lingering close then reads, and drops, only what the server
 * had already sent, since a server stops sending once the request is
 * ended.  Closing the read side at once instead loses the answer: a server
 * still writing the body (mod_proxy_fcgi) takes the broken pipe for a
 * failed backend and answers 503 itself.
 */
static void
end_input(FCGX_Request *fr)
{
	fr->keepConnection = 0;
}

/* One connection's request, answered, delivered or not, and wiped. */
static void
serve_one(struct service *svc, FCGX_Request *fr, const struct io *io)
{
	struct served s;
	int delivered;

	fcgibuf_wipe_read(fr);
	delivered = serve(svc, io, &s) == 0;
	/* The answer leaves before any unread input is looked at. */
	if (FCGX_FFlush(fr->out) != 0 || FCGX_GetError(fr->out) != 0)
		delivered = 0;
	if (s.req.input_unread ||
	    request_drain(io, svc->cfg->max_body_bytes) != 0)
		end_input(fr);
	/*
	 * Whatever became of the write, libfcgi frees these unwiped.  Before
	 * the streams close: a closed stream's bounds no longer show its
	 * buffer (fcgibuf.c checks them).
	 */
	fcgibuf_wipe_all(fr);
	/* The request ends now (FCGI_END_REQUEST), not after the logging. */
	if (FCGX_FClose(fr->err) != 0 || FCGX_FClose(fr->out) != 0)
		delivered = 0;
	wipe_param(fr->envp, "HTTP_AUTHORIZATION=");
	log_served(&s, delivered);
	request_free(&s.req);
}

static int
serve_fcgi(struct service *svc)
{
	FCGX_Request fr;
	struct io io = { fcgx_param, fcgx_read, fcgx_write, &fr };
	struct sigaction sa;
	sigset_t block, waiting;
	struct pollfd pfd;
	int rc, flags;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGUSR1);
	sigaddset(&block, SIGINT);
	/* Blocked from here on; unblocked only inside ppoll. */
	sigprocmask(SIG_BLOCK, &block, &waiting);
	sigdelset(&waiting, SIGTERM);
	sigdelset(&waiting, SIGUSR1);
	sigdelset(&waiting, SIGINT);
	/*
	 * Several processes may share the listening socket: another may take
	 * the connection ppoll saw, and a blocking accept would then wait,
	 * deaf to signals.  Non-blocking, accept answers EAGAIN instead.
	 */
	flags = fcntl(FCGI_LISTENSOCK_FILENO, F_GETFL);
	if (flags < 0 || fcntl(FCGI_LISTENSOCK_FILENO, F_SETFL,
	    flags | O_NONBLOCK) != 0) {
		log_msg(LOG_ERROR, "FastCGI: cannot set up the listening "
		    "socket");
		return 1;
	}
	if (FCGX_InitRequest(&fr, FCGI_LISTENSOCK_FILENO, 0) != 0) {
		log_msg(LOG_ERROR, "FastCGI: cannot initialise a request");
		return 1;
	}
	pfd.fd = FCGI_LISTENSOCK_FILENO;
	pfd.events = POLLIN;
	while (!stopping) {
		rc = ppoll(&pfd, 1, NULL, &waiting);
		if (rc < 0 && errno != EINTR) {
			log_msg(LOG_ERROR, "FastCGI: waiting for a connection: "
			    "%s", strerror(errno));
			break;
		}
		if (rc <= 0 || stopping)
			continue;
		rc = FCGX_Accept_r(&fr);
		if (rc == -EAGAIN || rc == -EWOULDBLOCK)
			continue;	/* another process took it */
		if (rc < 0) {
			if (!stopping)
				log_msg(LOG_ERROR, "FastCGI: accept failed "
				    "(%d)", rc);
			break;
		}
		serve_one(svc, &fr, &io);
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
			version_print(stdout, "oidc-secret.fcgi", 1);
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
	if (cfg.log_file[0] != '\0' &&
	    log_open_file(cfg.log_file, err, sizeof(err)) != 0) {
		log_msg(LOG_ERROR, "configuration: %s", err);
		if (FCGX_IsCGI())
			cgi_refuse();
		return 1;
	}
	if (store_library_init() != 0) {
		log_msg(LOG_ERROR, "database client library failed to "
		    "initialise");
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
	/*
	 * libfcgi's initialisation catches SIGPIPE with a handler that does
	 * nothing; ignored again, a web server that closes first costs no
	 * signal delivery.  The write fails with EPIPE either way.
	 */
	signal(SIGPIPE, SIG_IGN);
	rc = FCGX_IsCGI() ? serve_cgi(&svc) : serve_fcgi(&svc);
	store_free(store);
	store_library_end();
	secret_wipe(cfg.db_password, sizeof(cfg.db_password));
	return rc;
}
