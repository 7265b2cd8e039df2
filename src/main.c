/*
 * main.c - start-up, configuration, signals, the workers and the accept
 * loop (doc/operations.md).
 *
 * One binary serves FastCGI (fd 0 is a listening socket: lighttpd's
 * bin-path, mod_fcgid, spawn-fcgi, systemd) and plain CGI (anything else:
 * mod_cgi).  With fcgibuf.c, the only code that touches libfcgi; it binds
 * struct io to an FCGX_Request or to CGI's environment and stdio.  One
 * request at a time per process: with workers > 1 a parent forks that
 * many processes on the inherited socket, as php-fpm does, and starts
 * again any that dies.
 *
 * Every request is read within read_timeout_s of its connection: the
 * accept is ours, so that the connection has a receive timeout
 * (SO_RCVTIMEO) before libfcgi reads the parameters, and each wait for
 * body bytes gets the time left.  Under CGI, poll(2) bounds the reads.
 *
 * Signals stay blocked except while waiting for a connection, in ppoll(2):
 * a SIGTERM can neither slip in between the check and the wait, nor cut
 * a request short while its parameters or body are read.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fastcgi.h>
#include <fcgiapp.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef OIDC_SECRET_TEST_HOOKS
#include <sys/syscall.h>
#endif

#include "config.h"
#include "dispatch.h"
#include "fcgibuf.h"
#include "log.h"
#include "request.h"
#include "errwire.h"
#include "sandbox.h"
#include "secret.h"
#include "service.h"
#include "store.h"
#include "util.h"
#include "version.h"

#define NS_PER_S 1000000000LL

/* A configuration error is logged again at most this often. */
#define BROKEN_LOG_NS (60 * NS_PER_S)

/*
 * Handlers only set flags and tell libfcgi (as fcgiwrap does); the
 * workers' parent passes each stop signal on to its workers.
 */
static volatile sig_atomic_t stopping;
static volatile sig_atomic_t stop_signal;
static volatile sig_atomic_t stop_count;

static void
on_signal(int sig)
{
	stopping = 1;
	stop_signal = sig;
	stop_count++;
	FCGX_ShutdownPending();
}

/* SIGCHLD has to be caught to wake the parent's ppoll: nothing to do. */
static void
on_child(int sig)
{
	(void)sig;
}

/*
 * Catches the stop signals (and SIGCHLD in the workers' parent) and
 * blocks them; *waiting is the mask for ppoll, which lets them in.
 */
static void
catch_signals(int parent, sigset_t *waiting)
{
	struct sigaction sa;
	sigset_t block;

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
	if (parent) {
		sa.sa_handler = on_child;
		sa.sa_flags = SA_NOCLDSTOP;
		sigaction(SIGCHLD, &sa, NULL);
		sigaddset(&block, SIGCHLD);
	}
	sigprocmask(SIG_BLOCK, &block, waiting);
	sigdelset(waiting, SIGTERM);
	sigdelset(waiting, SIGUSR1);
	sigdelset(waiting, SIGINT);
	if (parent)
		sigdelset(waiting, SIGCHLD);
}

/* --- one connection, and its deadline ----------------------------------- */

/* The io context: the request's connection and its read deadline. */
struct conn {
	FCGX_Request *fr;	/* NULL under CGI */
	int fd;			/* the connection; stdin under CGI */
	int64_t deadline;	/* CLOCK_MONOTONIC, ns */
	int timed_out;		/* the deadline passed while reading */
};

/*
 * The connection's receive timeout, to the time left: the next read of
 * libfcgi's returns EAGAIN then.  -1 when no time is left.
 */
static int
limit_read(struct conn *c)
{
	int64_t left = c->deadline - util_mono_ns();
	struct timeval tv;

	if (left <= 0) {
		c->timed_out = 1;
		return -1;
	}
	tv.tv_sec = (time_t)(left / NS_PER_S);
	tv.tv_usec = (suseconds_t)(left % NS_PER_S / 1000);
	/* Zero would mean no timeout at all. */
	if (tv.tv_sec == 0 && tv.tv_usec == 0)
		tv.tv_usec = 1;
	return setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

/* --- struct io over FastCGI --- */

static const char *
fcgx_param(void *ctx, const char *name)
{
	return FCGX_GetParam(name, ((struct conn *)ctx)->fr->envp);
}

/*
 * What libfcgi holds already is read without waiting.  Otherwise one byte
 * is asked for: libfcgi reads from the connection once (more only when a
 * record header is split across reads), within the time left.
 */
static long
fcgx_read(void *ctx, char *buf, size_t len)
{
	struct conn *c = ctx;
	FCGX_Stream *in = c->fr->in;
	long held = (long)(in->stop - in->rdNext);
	int want, n, e;

	if (c->timed_out)
		return -1;
	if (len == 0)
		return 0;
	if (held > 0)
		want = (size_t)held < len ? (int)held :
		    len > INT_MAX ? INT_MAX : (int)len;
	else {
		if (limit_read(c) != 0)
			return -1;
		want = 1;
	}
	n = FCGX_GetStr(buf, want, in);
	if (n > 0 || (e = FCGX_GetError(in)) == 0)
		return n;
	if (e == EAGAIN || e == EWOULDBLOCK)
		c->timed_out = 1;
	return -1;
}

static int
fcgx_write(void *ctx, const char *buf, size_t len)
{
	FCGX_Stream *out = ((struct conn *)ctx)->fr->out;

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

/* Each read waits for stdin no longer than the time left. */
static long
cgi_read(void *ctx, char *buf, size_t len)
{
	struct conn *c = ctx;
	struct pollfd pfd = { STDIN_FILENO, POLLIN, 0 };
	ssize_t n;

	while (!c->timed_out) {
		int64_t left = c->deadline - util_mono_ns();
		int rc;

		if (left <= 0) {
			c->timed_out = 1;
			break;
		}
		rc = poll(&pfd, 1, (int)((left + 999999) / 1000000));
		if (rc < 0 && errno != EINTR)
			return -1;
		if (rc <= 0)
			continue;
		n = read(STDIN_FILENO, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		return (long)n;
	}
	return -1;
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

/* --- one request ------------------------------------------------------ */

/* One request and what became of it: its log line and the connection's. */
struct exchange {
	struct request req;
	struct dispatch_report h;
	int status;
	int64_t t0;
};

/* A refusal before or instead of the service: the REST JSON error. */
static void
refuse(enum err kind, struct response *resp, struct dispatch_report *h)
{
	response_free(resp);
	h->grpc = err_info(kind)->grpc;
	if (errwire_gateway(kind, resp) != 0) {
		resp->status = 500;
		resp->content_type = "text/plain";
	}
}

#ifdef OIDC_SECRET_TEST_HOOKS
/*
 * Test builds only (src/oidc-secret-hooks.fcgi): a request with the
 * header X-Test-Syscall makes a system call the sandbox does not allow.
 */
static void
test_hooks(const struct io *io)
{
	if (io->param(io->ctx, "HTTP_X_TEST_SYSCALL") != NULL)
		(void)syscall(SYS_getppid);
}
#endif

/*
 * Reads the request, dispatches it (or refuses it: svc NULL, the
 * responder cannot serve) and writes the answer through io (into libfcgi's
 * buffer under FastCGI).  The caller delivers it, ends the input and
 * logs.  0, or -1 when the answer could not be written.
 */
static int
serve(struct service *svc, const struct io *io, struct conn *c,
    struct exchange *s)
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
	s->h.route = "none";
	if (request_read_params(&s->req, io) != 0) {
		s->h.call = "-";
		s->h.grpc = 13;
		resp.status = 500;
		resp.content_type = "text/plain";
	} else if (c->timed_out) {
		/* The parameters did not all come in time: answered below. */
		s->req.input_unread = 1;
	} else if (svc == NULL) {
		refuse(ERR_INTERNAL, &resp, &s->h);
		s->req.input_unread = 1;
	} else {
#ifdef OIDC_SECRET_TEST_HOOKS
		test_hooks(io);
#endif
		dispatch(svc, &s->req, io, &resp, &s->h);
	}
	/* The body did not come in time: a 408, whatever the call. */
	if (c->timed_out)
		refuse(ERR_READ_TIMEOUT, &resp, &s->h);
	s->status = resp.status;
	rc = response_write(&resp, io);
	response_free(&resp);
	return rc;
}

/* The request log line; an answer that changed a secret but did not
 * reach the client is a warning the operator must see. */
static void
log_exchange(const struct exchange *s, int delivered)
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

/* --- plain CGI -------------------------------------------------------- */

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
	struct conn c = { NULL, STDIN_FILENO, 0, 0 };
	struct io io = { cgi_param, cgi_read, cgi_write, &c };
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
 * OIDC_SECRET_HTACCESS beside it.  suEXEC drops that variable but keeps
 * REDIRECT_STATUS, which the same file's RewriteRule leaves: either shows
 * the file was read.  A request without the header, under Apache, with
 * neither: the .htaccess was not read.
 */
static void
warn_stripped_authorization(const struct exchange *s)
{
	const char *sw = getenv("SERVER_SOFTWARE");

	if (s->h.grpc != GRPC_UNAUTHENTICATED ||
	    s->req.header[H_AUTHORIZATION] != NULL || sw == NULL ||
	    strncmp(sw, "Apache", 6) != 0 ||
	    getenv("OIDC_SECRET_HTACCESS") != NULL ||
	    getenv("REDIRECT_STATUS") != NULL)
		return;
	log_msg(LOG_WARN, "request id=%s: no Authorization header reached the "
	    "responder: Apache passes it to CGI only with CGIPassAuth On, and "
	    "the cgi-bin's .htaccess that sets it was not read (AllowOverride "
	    "None?): see apache-conf/oidc-secret-cgi.conf", s->req.id);
}

static int
serve_cgi(struct service *svc)
{
	struct conn c = { NULL, STDIN_FILENO, 0, 0 };
	struct io io = { cgi_param, cgi_read, cgi_write, &c };
	struct exchange s;
	int delivered;

	c.deadline = util_mono_ns() +
	    (int64_t)svc->cfg->read_timeout_s * NS_PER_S;
	delivered = serve(svc, &io, &c, &s) == 0;
	warn_stripped_authorization(&s);
	/*
	 * The answer is out; a refused body was never read into memory.  A
	 * body still trickling in at the deadline is left.
	 */
	if (!c.timed_out)
		cgi_settle(CGI_SETTLE_MAX);
	log_exchange(&s, delivered);
	request_free(&s.req);
	wipe_env("HTTP_AUTHORIZATION");
	return 0;
}

/* --- FastCGI ---------------------------------------------------------- */

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
 * One connection's request, answered, delivered or not, and wiped; svc
 * NULL answers it with a 500.
 *
 * The connection serves this one request (FCGI_KEEP_CONN is not kept: a
 * worker waits for the next request on the listening socket).  Input the
 * answer does not need is not read by us: libfcgi's lingering close then
 * reads, and drops, only what the server had already sent, since a server
 * stops sending once the request is ended.  Closing the read side at once
 * instead loses the answer: a server still writing the body
 * (mod_proxy_fcgi) takes the broken pipe for a failed backend and answers
 * 503 itself.
 */
static void
serve_one(struct service *svc, size_t drain_max, struct conn *c,
    const struct io *io)
{
	FCGX_Request *fr = c->fr;
	struct exchange s;
	int delivered;

	fcgibuf_wipe_read(fr);
	delivered = serve(svc, io, c, &s) == 0;
	/*
	 * The answer is in libfcgi's buffer: no copy of the token outlives
	 * its delivery (and the end of the request comes right after it).
	 */
	wipe_param(fr->envp, "HTTP_AUTHORIZATION=");
	if (s.req.header[H_AUTHORIZATION] != NULL)
		secret_wipe(s.req.header[H_AUTHORIZATION],
		    strlen(s.req.header[H_AUTHORIZATION]));
	/* The answer leaves before any unread input is looked at. */
	if (FCGX_FFlush(fr->out) != 0 || FCGX_GetError(fr->out) != 0)
		delivered = 0;
	if (!s.req.input_unread)
		(void)request_drain(io, drain_max);
	fr->keepConnection = 0;
	/*
	 * Whatever became of the write, libfcgi frees these unwiped.  Before
	 * the streams close: a closed stream's bounds no longer show its
	 * buffer (fcgibuf.c checks them).
	 */
	fcgibuf_wipe_all(fr);
	/*
	 * The request ends now (FCGI_END_REQUEST), not after the logging.
	 * The answer was delivered when it was flushed: a server that has it
	 * all may close before the end record, which then fails to no harm.
	 */
	(void)FCGX_FClose(fr->err);
	(void)FCGX_FClose(fr->out);
	log_exchange(&s, delivered);
	request_free(&s.req);
}

/* libfcgi's FCGI_WEB_SERVER_ADDRS, read once: our accept honours it. */
static const char *web_server_addrs;

/*
 * A TCP peer must be one of FCGI_WEB_SERVER_ADDRS's addresses, when it is
 * set (libfcgi's rule, which checked IPv4 only; an IPv6 peer is held to
 * the list too, an IPv4-mapped one by its IPv4 address).
 */
static int
peer_allowed(const struct sockaddr_storage *ss)
{
	const unsigned char *addr;
	const char *p = web_server_addrs;
	unsigned char want[16];
	char entry[INET6_ADDRSTRLEN];
	int family = ss->ss_family;
	size_t alen;

	if (p == NULL || *p == '\0')
		return 1;
	if (family == AF_INET) {
		addr = (const void *)&((const struct sockaddr_in *)
		    (const void *)ss)->sin_addr;
		alen = 4;
	} else if (family == AF_INET6) {
		const struct in6_addr *a6 = &((const struct sockaddr_in6 *)
		    (const void *)ss)->sin6_addr;

		addr = a6->s6_addr;
		alen = 16;
		if (IN6_IS_ADDR_V4MAPPED(a6)) {
			family = AF_INET;
			addr += 12;
			alen = 4;
		}
	} else
		return 1;
	while (*p != '\0') {
		size_t k = strcspn(p, ",");

		if (k < sizeof(entry)) {
			memcpy(entry, p, k);
			entry[k] = '\0';
			if (inet_pton(family, entry, want) == 1 &&
			    memcmp(want, addr, alen) == 0)
				return 1;
		}
		p += k;
		if (*p == ',')
			p++;
	}
	return 0;
}

/*
 * The next connection on the listening socket, with its read deadline set
 * (SO_RCVTIMEO, read_timeout_s) before anything is read from it.  0 when
 * it is in c; 1 when there is none for us (another process took it) or it
 * was refused; -1 when accept fails for good.
 */
static int
take_connection(unsigned timeout_s, struct conn *c)
{
	struct sockaddr_storage peer;
	socklen_t len = sizeof(peer);
	int fd, one = 1;

	memset(&peer, 0, sizeof(peer));
	fd = accept4(FCGI_LISTENSOCK_FILENO, (struct sockaddr *)&peer, &len,
	    SOCK_CLOEXEC);
	if (fd < 0) {
		switch (errno) {
		case EAGAIN:
#if EWOULDBLOCK != EAGAIN
		case EWOULDBLOCK:
#endif
		case EINTR:
		case ECONNABORTED:
		case EPROTO:
			return 1;
		case EMFILE:
		case ENFILE:
		case ENOBUFS:
		case ENOMEM:
			log_msg(LOG_ERROR, "FastCGI: accept: %s",
			    strerror(errno));
			return 1;
		default:
			log_msg(LOG_ERROR, "FastCGI: accept failed: %s",
			    strerror(errno));
			return -1;
		}
	}
	if (!peer_allowed(&peer)) {
		log_msg(LOG_WARN, "FastCGI: a connection from an address not "
		    "in FCGI_WEB_SERVER_ADDRS: closed");
		close(fd);
		return 1;
	}
	/* No replies to wait for: Nagle would only delay the answer. */
	if (peer.ss_family == AF_INET || peer.ss_family == AF_INET6)
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
		    sizeof(one));
	c->fd = fd;
	c->timed_out = 0;
	c->deadline = util_mono_ns() + (int64_t)timeout_s * NS_PER_S;
	if (limit_read(c) != 0) {
		log_msg(LOG_ERROR, "FastCGI: cannot set a receive timeout: %s",
		    strerror(errno));
		close(fd);
		return 1;
	}
	return 0;
}

/*
 * libfcgi reads the connection's parameters (FCGX_Accept_r).  The
 * connection is handed over as a kept one, which libfcgi reads instead of
 * accepting (fcgiapp.c; tests/unit/test_fcgibuf.c pins what follows);
 * listen_sock is -1, so it never accepts one itself.  When the deadline
 * passes between two parameters, libfcgi takes those it has as the
 * request, with the input stream in error: that request is answered 408.
 * When it passes inside one, or the records are bad, libfcgi closes the
 * connection (detached: without lingering, FCGX_Detach) and the request
 * is gone with its streams, unanswered.  0 when there is a request to
 * answer.
 */
static int
start_request(FCGX_Request *fr, struct conn *c)
{
	int rc, e;

	fr->ipcFd = c->fd;
	fr->keepConnection = 1;
	(void)FCGX_Detach(fr);
	rc = FCGX_Accept_r(fr);
	if (rc == 0 && (e = FCGX_GetError(fr->in)) != 0) {
		/* Still detached: closed at once after the answer. */
		if (e == EAGAIN || e == EWOULDBLOCK) {
			c->timed_out = 1;
			return 0;
		}
		/* The peer closed, or sent bad records: no one to answer. */
		fr->keepConnection = 0;
		FCGX_Finish_r(fr);
		rc = -1;
	}
	if (rc == 0) {
		/* From here on, the close lingers (serve_one). */
		(void)FCGX_Attach(fr);
		return 0;
	}
	if (fr->ipcFd >= 0) {
		close(fr->ipcFd);
		fr->ipcFd = -1;
	}
	/* A peer that connects and closes (a port check) is no news. */
	if (util_mono_ns() >= c->deadline)
		log_msg(LOG_WARN, "FastCGI: a connection's parameters did not "
		    "arrive within read_timeout_s: closed");
	else
		log_msg(LOG_DEBUG, "FastCGI: a connection closed before its "
		    "parameters, or sent no FastCGI request");
	return -1;
}

/*
 * The accept loop: connections, one at a time, until a stop signal.  svc
 * NULL: every request is answered 500 and broken is logged again, at
 * most once a minute, while requests come.
 */
static int
serve_fcgi(struct service *svc, const struct config *cfg, const char *broken)
{
	FCGX_Request fr;
	struct conn c = { &fr, -1, 0, 0 };
	struct io io = { fcgx_param, fcgx_read, fcgx_write, &c };
	sigset_t waiting;
	struct pollfd pfd;
	int64_t logged = util_mono_ns();
	int rc, flags, failed = 0;

	catch_signals(0, &waiting);
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
	web_server_addrs = getenv("FCGI_WEB_SERVER_ADDRS");
	FCGX_InitRequest(&fr, -1, 0);
	pfd.fd = FCGI_LISTENSOCK_FILENO;
	pfd.events = POLLIN;
	while (!stopping) {
		rc = ppoll(&pfd, 1, NULL, &waiting);
		if (rc < 0 && errno != EINTR) {
			log_msg(LOG_ERROR, "FastCGI: waiting for a connection: "
			    "%s", strerror(errno));
			failed = 1;
			break;
		}
		if (rc <= 0 || stopping)
			continue;
		rc = take_connection(cfg->read_timeout_s, &c);
		if (rc < 0) {
			failed = 1;
			break;
		}
		if (rc > 0)
			continue;
		if (start_request(&fr, &c) != 0)
			continue;
		if (broken != NULL &&
		    util_mono_ns() - logged >= BROKEN_LOG_NS) {
			logged = util_mono_ns();
			log_msg(LOG_ERROR, "%s (every request is answered "
			    "500 until the responder is restarted)", broken);
		}
		serve_one(svc, cfg->max_body_bytes, &c, &io);
		FCGX_Finish_r(&fr);
	}
	FCGX_Free(&fr, 1);
	return failed ? 1 : 0;
}

/* --- workers: php-fpm's model on the inherited socket ----------------- */

#define WORKERS_MAX 256
/* supervise() returns this in a worker, which goes on to serve. */
#define WORKER (-1)
/* A worker that dies young is started again after 0.1 s, doubling... */
#define BACKOFF_MIN_NS (NS_PER_S / 10)
/* ...up to 30 s; one that served a while starts the backoff afresh. */
#define BACKOFF_MAX_NS (30 * NS_PER_S)
#define SETTLED_NS (10 * NS_PER_S)

struct worker {
	pid_t pid;		/* 0: not running */
	int64_t started;
	int64_t restart_at;	/* when to start it again */
	int64_t backoff;	/* the wait after its next early death */
};

/*
 * Forks one worker.  In the worker: the parent's signal handling undone,
 * a stop signal of its parent's death, and WORKER returned; in the
 * parent, 0 (or -1 when fork failed).
 */
static int
start_worker(struct worker *w, const sigset_t *orig, pid_t parent)
{
	struct sigaction sa;
	pid_t pid = fork();

	if (pid < 0) {
		log_msg(LOG_ERROR, "workers: fork: %s", strerror(errno));
		return -1;
	}
	if (pid > 0) {
		w->pid = pid;
		w->started = util_mono_ns();
		return 0;
	}
	log_forked();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, NULL);
	/* A parent killed outright takes its workers along. */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0) != 0 ||
	    getppid() != parent)
		_exit(0);
	sigprocmask(SIG_SETMASK, orig, NULL);
	return WORKER;
}

/* A worker gone: said, unless it was asked to stop; when to restart it. */
static void
reaped(struct worker *w, int status)
{
	int64_t now = util_mono_ns();
	int clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;

	if (now - w->started >= SETTLED_NS)
		w->backoff = 0;
	w->restart_at = now + w->backoff;
	if (!stopping || !clean) {
		if (WIFSIGNALED(status))
			log_msg(LOG_ERROR, "workers: worker %ld killed by "
			    "signal %d (%s)%s", (long)w->pid,
			    WTERMSIG(status), strsignal(WTERMSIG(status)),
			    stopping ? "" : "; started again");
		else
			log_msg(clean ? LOG_WARN : LOG_ERROR, "workers: "
			    "worker %ld exited with status %d%s",
			    (long)w->pid, WEXITSTATUS(status),
			    stopping ? "" : "; started again");
		if (!stopping && w->backoff > 0)
			log_msg(LOG_WARN, "workers: it died within %lld s of "
			    "its start: waiting %.1f s first",
			    SETTLED_NS / NS_PER_S,
			    (double)w->backoff / NS_PER_S);
	}
	w->backoff = w->backoff == 0 ? BACKOFF_MIN_NS :
	    w->backoff * 2 > BACKOFF_MAX_NS ? BACKOFF_MAX_NS : w->backoff * 2;
	w->pid = 0;
}

/*
 * The workers' parent: starts n workers on fd 0 and starts again any that
 * dies, passes SIGTERM, SIGUSR1 and SIGINT on to them, and returns 0 once
 * they are all gone.  It never accepts a connection and runs no filter
 * of its own (doc/operations.md).  Returns WORKER in each worker.
 */
static int
supervise(unsigned n)
{
	struct worker w[WORKERS_MAX];
	sigset_t orig, waiting;
	pid_t parent = getpid(), pid;
	sig_atomic_t passed = 0;
	unsigned i, alive;
	int status;

	memset(w, 0, sizeof(w));
	sigprocmask(SIG_SETMASK, NULL, &orig);
	catch_signals(1, &waiting);
	for (;;) {
		int64_t now, next = -1;
		struct timespec ts;

		while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
			for (i = 0; i < n; i++)
				if (w[i].pid == pid)
					reaped(&w[i], status);
		if (stop_count != passed) {
			passed = stop_count;
			for (i = 0; i < n; i++)
				if (w[i].pid > 0)
					kill(w[i].pid, stop_signal);
		}
		now = util_mono_ns();
		for (i = 0, alive = 0; i < n; i++) {
			if (w[i].pid > 0) {
				alive++;
				continue;
			}
			if (stopping)
				continue;
			if (w[i].restart_at <= now) {
				if (start_worker(&w[i], &orig, parent) ==
				    WORKER)
					return WORKER;
				if (w[i].pid > 0) {
					alive++;
					continue;
				}
				w[i].restart_at = now + BACKOFF_MIN_NS;
			}
			if (next < 0 || w[i].restart_at < next)
				next = w[i].restart_at;
		}
		if (stopping && alive == 0)
			return 0;
		if (next >= 0) {
			next = next > now ? next - now : 0;
			ts.tv_sec = (time_t)(next / NS_PER_S);
			ts.tv_nsec = (long)(next % NS_PER_S);
		}
		if (ppoll(NULL, 0, next >= 0 ? &ts : NULL, &waiting) < 0 &&
		    errno != EINTR) {
			log_msg(LOG_ERROR, "workers: ppoll: %s",
			    strerror(errno));
			return 1;
		}
	}
}

/* --- start-up ----------------------------------------------------------- */

static void
print_version(void)
{
	version_print(stdout, "oidc-secret.fcgi", 1);
	printf("sandbox: %s\n", sandbox_describe(sandbox_available()));
}

/*
 * Once start-up is done, in the process that serves: the seccomp filter.
 * When it cannot be loaded, the process serves nothing but 500s.
 */
static const char *
enter_sandbox(unsigned level, const char *mode, const char *broken,
    char *why, size_t len)
{
	char err[256];
	int st = sandbox_enter(err, sizeof(err));

	if (st < 0) {
		snprintf(why, len, "%s", err);
		log_msg(LOG_ERROR, "%s", why);
		return broken != NULL ? broken : why;
	}
	log_msg(level, "started: %s; sandbox: %s", mode,
	    sandbox_describe((enum sandbox_state)st));
	return broken;
}

int
main(int argc, char **argv)
{
	struct config cfg;
	struct service svc;
	struct store *store = NULL;
	char err[512], why[sizeof(err) + 32], fault[512];
	const char *broken = NULL;
	int rc;

	if (argc > 1) {
		if (strcmp(argv[1], "--version") == 0) {
			print_version();
			return 0;
		}
		fprintf(stderr, "usage: %s [--version]\n"
		    "A FastCGI/CGI responder: run it from a web server "
		    "(see oidc-secret.fcgi(8)).\n", argv[0]);
		return 2;
	}
	/* Before anything secret is in memory. */
	if (sandbox_harden(err, sizeof(err)) != 0)
		log_msg(LOG_WARN, "%s", err);
	signal(SIGPIPE, SIG_IGN);
	if (secret_init() != 0) {
		log_msg(LOG_ERROR, "libgcrypt: version check failed");
		return 1;
	}
	if (config_load(&cfg, NULL, err, sizeof(err)) != 0 ||
	    config_check_api(&cfg, err, sizeof(err)) != 0)
		broken = err;
	else {
		log_set_level(cfg.log_level);
		if (cfg.log_file[0] != '\0' &&
		    log_open_file(cfg.log_file, err, sizeof(err)) != 0)
			broken = err;
	}
	if (broken != NULL) {
		snprintf(why, sizeof(why), "configuration: %s", err);
		broken = why;
		log_msg(LOG_ERROR, "%s", why);
		if (FCGX_IsCGI()) {
			cgi_refuse();
			return 1;
		}
		/*
		 * FastCGI: the process stays, and answers 500 (JSON) until it
		 * is stopped, instead of the server's own error page.  What
		 * was read of the file is not used: the defaults are.
		 */
		secret_wipe(cfg.db_password, sizeof(cfg.db_password));
		config_defaults(&cfg);
	} else {
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
	}
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
	if (FCGX_IsCGI()) {
		broken = enter_sandbox(LOG_DEBUG, "CGI", broken, fault,
		    sizeof(fault));
		if (broken != NULL)
			cgi_refuse();
		rc = broken != NULL ? 1 : serve_cgi(&svc);
	} else if (broken == NULL && cfg.workers > 1) {
		log_msg(LOG_INFO, "started: FastCGI, %u workers; sandbox in "
		    "each: %s", cfg.workers,
		    sandbox_describe(sandbox_available()));
		rc = supervise(cfg.workers);
		if (rc == WORKER) {
			/* IDs are unique per process: the node from this
			 * worker's PID (before the filter: it reads files). */
			ids_init(&svc.ids);
			broken = enter_sandbox(LOG_DEBUG, "a worker", NULL,
			    fault, sizeof(fault));
			rc = serve_fcgi(broken == NULL ? &svc : NULL, &cfg,
			    broken);
		}
	} else {
		broken = enter_sandbox(LOG_INFO, "FastCGI, one process",
		    broken, fault, sizeof(fault));
		rc = serve_fcgi(broken == NULL ? &svc : NULL, &cfg, broken);
	}
	if (store != NULL) {
		store_free(store);
		store_library_end();
	}
	secret_wipe(cfg.db_password, sizeof(cfg.db_password));
	return rc;
}
