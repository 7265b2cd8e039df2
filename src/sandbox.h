/*
 * sandbox.h - what the responder gives up once it runs: being read by
 * other processes of its user, core files, and every system call that
 * serving a request does not need (doc/operations.md).
 */
#ifndef OIDC_SECRET_SANDBOX_H
#define OIDC_SECRET_SANDBOX_H

#include <stddef.h>

/*
 * From the start: the process is not dumpable (its /proc/PID files
 * become root's, other processes of its user can no longer read its
 * memory or environment, nor trace it) and writes no core file.  0, or
 * -1 with a line in err.
 */
int sandbox_harden(char *err, size_t errlen);

enum sandbox_state {
	SANDBOX_ON,		/* the seccomp filter is loaded */
	SANDBOX_NOT_BUILT,	/* built without libseccomp */
	SANDBOX_SANITIZER	/* ASan's runtime needs more: not loaded */
};

/* Whether sandbox_enter() loads a filter in this build, and why not. */
enum sandbox_state sandbox_available(void);

/*
 * "seccomp filter on (libseccomp 2.5.4)" and the like: for --version and
 * the start-up log line.
 */
const char *sandbox_describe(enum sandbox_state st);

/*
 * After start-up (configuration read, log opened, libraries initialised),
 * before the first request: loads the seccomp filter that allows only
 * what serving needs; any other system call ends the process with
 * SIGSYS.  Irreversible, and inherited by any child.  Returns the state
 * reached, or -1 with a line in err when the filter could not be loaded.
 */
int sandbox_enter(char *err, size_t errlen);

#endif
