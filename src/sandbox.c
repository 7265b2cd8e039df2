/*
 * sandbox.c - the responder's own confinement: not dumpable, no core file,
 * and a seccomp filter of the system calls serving needs (kcgi sandboxes
 * its workers the same way).  doc/operations.md lists what is allowed
 * and why.
 *
 * The filter is loaded once start-up is done, so what only start-up needs
 * (reading the configuration, loading libraries, fork for the workers)
 * stays outside it.  What serving needs, and is allowed:
 *   - the connection: accept4, reads and writes, poll, SO_RCVTIMEO for
 *     the read deadline, shutdown and close (libfcgi's lingering close);
 *   - the database, opened lazily and opened again after a failure:
 *     socket for AF_UNIX, AF_INET and AF_INET6, connect, the socket
 *     options the client library sets, and name resolution (openat of
 *     /etc/hosts and NSS modules, mmap, uname for the resolver's default
 *     domain; UDP to a DNS server, ioctl FIONREAD for its answer's size).
 *     glibc asks the kernel's routing netlink which address families exist
 *     before it sorts several addresses: AF_NETLINK fails with
 *     EAFNOSUPPORT, as under systemd's RestrictAddressFamilies, and glibc
 *     does without;
 *   - the log file opened again after rotation (openat, newfstatat);
 *   - libgcrypt: getrandom, and its entropy poll (getrusage, sysinfo,
 *     the CPU clocks); argon2's large blocks: mmap, munmap, mremap,
 *     madvise, mlock for secure memory;
 *   - nanosleep for the transaction's retry backoff, the clocks, futex.
 * Anything else (execve, fork, ptrace, ...) kills the process: a worker is
 * started again by its parent, a lone process by the web server.
 *
 * ASan's and LSan's runtimes need more than this (they trace the process
 * at exit, read /proc, spawn a symbolizer), so a sanitizer build loads no
 * filter, and says so.
 */
#include "sandbox.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>

#ifdef HAVE_SECCOMP
#include <seccomp.h>
#endif

/* ASan: GCC says __SANITIZE_ADDRESS__, clang __has_feature. */
#ifdef __SANITIZE_ADDRESS__
#define SANITIZER_BUILD 1
#endif
#ifdef __has_feature
#if __has_feature(address_sanitizer)
#define SANITIZER_BUILD 1
#endif
#endif

int
sandbox_harden(char *err, size_t errlen)
{
	struct rlimit none = { 0, 0 };

	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
		snprintf(err, errlen, "prctl(PR_SET_DUMPABLE): %s",
		    strerror(errno));
		return -1;
	}
	if (setrlimit(RLIMIT_CORE, &none) != 0) {
		snprintf(err, errlen, "setrlimit(RLIMIT_CORE): %s",
		    strerror(errno));
		return -1;
	}
	return 0;
}

enum sandbox_state
sandbox_available(void)
{
#if !defined(HAVE_SECCOMP)
	return SANDBOX_NOT_BUILT;
#elif defined(SANITIZER_BUILD)
	return SANDBOX_SANITIZER;
#else
	return SANDBOX_ON;
#endif
}

const char *
sandbox_describe(enum sandbox_state st)
{
#ifdef HAVE_SECCOMP
	static char line[96];
	const struct scmp_version *v = seccomp_version();

	switch (st) {
	case SANDBOX_ON:
		snprintf(line, sizeof(line), "seccomp filter on (libseccomp "
		    "%u.%u.%u)", v->major, v->minor, v->micro);
		return line;
	case SANDBOX_SANITIZER:
		return "seccomp filter off: a sanitizer build";
	default:
		break;
	}
#endif
	(void)st;
	return "seccomp filter off: built without libseccomp";
}

#ifdef HAVE_SECCOMP
/* Allowed whatever their arguments. */
static const char *const allowed[] = {
	/* the connection, the log, files NSS reads */
	"read", "readv", "pread64", "write", "writev", "close", "lseek",
	"open", "openat", "fstat", "newfstatat", "stat", "lstat", "statx",
	"access", "faccessat", "faccessat2", "fcntl",
	"poll", "ppoll", "select", "pselect6",
	"accept", "accept4", "connect", "shutdown", "getsockopt",
	"setsockopt", "getsockname", "getpeername", "sendto", "recvfrom",
	"sendmsg", "recvmsg", "sendmmsg",
	/* memory: malloc, argon2's blocks, libgcrypt's secure memory */
	"brk", "mmap", "munmap", "mremap", "mprotect", "madvise", "mlock",
	"munlock",
	/* libgcrypt's random pool and its entropy poll */
	"getrandom", "getrusage", "sysinfo", "times",
	/* clocks, the retry backoff, locks */
	"clock_gettime", "clock_getres", "gettimeofday", "time",
	"nanosleep", "clock_nanosleep", "futex", "sched_yield",
	/* signals: the stop signals, ppoll's mask; abort() */
	"rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "restart_syscall",
	"getpid", "gettid", "tgkill",
	"getuid", "geteuid", "getgid", "getegid",
	/* the resolver takes its default domain from the host name */
	"uname",
	"exit", "exit_group",
};

/*
 * Allowed with these arguments only: sockets of three families
 * (AF_NETLINK refused with an error), and the one ioctl the resolver
 * makes (FIONREAD, the size of a DNS answer).
 */
static int
add_argument_rules(scmp_filter_ctx ctx)
{
	static const int family[] = { AF_UNIX, AF_INET, AF_INET6 };
	size_t i;
	int rc;

	for (i = 0; i < sizeof(family) / sizeof(family[0]); i++) {
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1,
		    SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)family[i]));
		if (rc != 0)
			return rc;
	}
	rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT),
	    SCMP_SYS(socket), 1, SCMP_A0(SCMP_CMP_EQ, AF_NETLINK));
	if (rc != 0)
		return rc;
	return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
	    SCMP_A1(SCMP_CMP_EQ, FIONREAD));
}
#endif

int
sandbox_enter(char *err, size_t errlen)
{
	enum sandbox_state st = sandbox_available();
#ifdef HAVE_SECCOMP
	scmp_filter_ctx ctx = NULL;
	const char *what = "seccomp_init";
	size_t i;
	int rc = -ENOMEM;

	if (st != SANDBOX_ON)
		return (int)st;
	/* The whole process, not the calling thread (Linux 4.14). */
	ctx = seccomp_init(seccomp_api_get() >= 3 ? SCMP_ACT_KILL_PROCESS :
	    SCMP_ACT_KILL);
	if (ctx == NULL)
		goto err;
	what = "a rule";
	for (i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++) {
		int nr = seccomp_syscall_resolve_name(allowed[i]);

		/* Not on this architecture (e.g. "open" on arm64). */
		if (nr == __NR_SCMP_ERROR)
			continue;
		if ((rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0)) != 0)
			goto err;
	}
	if ((rc = add_argument_rules(ctx)) != 0)
		goto err;
	what = "seccomp_load";
	if ((rc = seccomp_load(ctx)) != 0)
		goto err;
	seccomp_release(ctx);
	return (int)SANDBOX_ON;
err:
	snprintf(err, errlen, "sandbox: %s: %s", what, strerror(-rc));
	if (ctx != NULL)
		seccomp_release(ctx);
	return -1;
#else
	(void)err;
	(void)errlen;
	return (int)st;
#endif
}
