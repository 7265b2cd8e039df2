/*
 * test_sandbox.c - src/sandbox.c in a child process each: not dumpable
 * and no core file after sandbox_harden; under the seccomp filter, what
 * serving needs still works (a Unix socket, a TCP socket, a large mmap,
 * getrandom, a short sleep, opening a file, the resolver's FIONREAD) and
 * AF_NETLINK fails with EAFNOSUPPORT, while a call outside the filter
 * (getppid) ends the process with SIGSYS, and so do execve and any other
 * ioctl.  A build without libseccomp, or with
 * ASan, loads no filter: sandbox_enter must say so, and the filter's cases
 * do not run.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sandbox.h"

/* Runs body in a child; returns its wait status. */
static int
in_child(int (*body)(void))
{
	int status = 0;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(body());
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

/*
 * Whether the filter can be tried here: this build has one, and valgrind
 * (which makes system calls of its own in the child) is not running us.
 * cmocka's skip() reads as a failure to automake's TAP driver: a case
 * that cannot run says so and passes.
 */
static int
filtered(void)
{
	const char *preload = getenv("LD_PRELOAD");

	if (sandbox_available() != SANDBOX_ON ||
	    (preload != NULL && strstr(preload, "vgpreload") != NULL)) {
		print_message("# not run: no filter here (%s)\n",
		    sandbox_describe(sandbox_available()));
		return 0;
	}
	return 1;
}

static int
hardened(void)
{
	char err[128];
	struct rlimit rl;

	if (sandbox_harden(err, sizeof(err)) != 0)
		return 10;
	if (prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0)
		return 11;
	if (getrlimit(RLIMIT_CORE, &rl) != 0 || rl.rlim_cur != 0 ||
	    rl.rlim_max != 0)
		return 12;
	return 0;
}

static void
test_harden(void **state)
{
	int status;

	(void)state;
	status = in_child(hardened);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* What serving does, under the filter. */
static int
serving(void)
{
	char err[128], rnd[32];
	struct timespec nap = { 0, 1000000 };
	size_t big = 64u * 1024 * 1024;
	unsigned char *p;
	int fd, n = -1;

	if (sandbox_enter(err, sizeof(err)) != SANDBOX_ON)
		return 20;
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return 21;
	close(fd);
	if ((fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return 22;
	close(fd);
	if (socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, 0) != -1 ||
	    errno != EAFNOSUPPORT)
		return 23;
	/* The resolver's one ioctl: the size of a DNS answer. */
	if ((fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0 ||
	    ioctl(fd, FIONREAD, &n) != 0 || n != 0)
		return 30;
	close(fd);
	/* argon2's blocks: a large mapping, grown, touched, released. */
	p = mmap(NULL, big, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
	    -1, 0);
	if (p == MAP_FAILED)
		return 24;
	p = mremap(p, big, 2 * big, MREMAP_MAYMOVE);
	if (p == MAP_FAILED)
		return 25;
	memset(p, 1, 2 * big);
	if (madvise(p, big, MADV_DONTNEED) != 0 || munmap(p, 2 * big) != 0)
		return 26;
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		return 27;
	if (nanosleep(&nap, NULL) != 0)
		return 28;
	/* A log file opened again after rotation. */
	if ((fd = open("/dev/null", O_WRONLY | O_APPEND | O_CLOEXEC)) < 0)
		return 29;
	close(fd);
	return 0;
}

static void
test_serving_works_under_the_filter(void **state)
{
	int status;

	(void)state;
	if (!filtered())
		return;
	status = in_child(serving);
	if (WIFSIGNALED(status))
		fail_msg("killed by signal %d", WTERMSIG(status));
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static int
forbidden_getppid(void)
{
	char err[128];

	if (sandbox_enter(err, sizeof(err)) != SANDBOX_ON)
		return 20;
	(void)syscall(SYS_getppid);
	return 0;
}

static int
forbidden_execve(void)
{
	char err[128];
	char *const argv[] = { (char *)"true", NULL };
	char *const envp[] = { NULL };

	if (sandbox_enter(err, sizeof(err)) != SANDBOX_ON)
		return 20;
	execve("/bin/true", argv, envp);
	return 30;
}

static int
forbidden_ioctl(void)
{
	char err[128];
	int n = 0;

	if (sandbox_enter(err, sizeof(err)) != SANDBOX_ON)
		return 20;
	/* Any other ioctl. */
	(void)ioctl(STDIN_FILENO, FIONBIO, &n);
	return 0;
}

static void
test_outside_the_filter_is_sigsys(void **state)
{
	int status;

	(void)state;
	if (!filtered())
		return;
	status = in_child(forbidden_getppid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGSYS);
	status = in_child(forbidden_execve);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGSYS);
	status = in_child(forbidden_ioctl);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGSYS);
}

/* What --version and the start-up line say; without a filter, why. */
static void
test_says_whether_it_is_on(void **state)
{
	char err[128];
	enum sandbox_state st = sandbox_available();

	(void)state;
	if (st == SANDBOX_ON) {
		assert_non_null(strstr(sandbox_describe(st),
		    "seccomp filter on (libseccomp "));
		return;
	}
	assert_int_equal(sandbox_enter(err, sizeof(err)), (int)st);
	assert_non_null(strstr(sandbox_describe(st), "seccomp filter off: "));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_harden),
		cmocka_unit_test(test_serving_works_under_the_filter),
		cmocka_unit_test(test_outside_the_filter_is_sigsys),
		cmocka_unit_test(test_says_whether_it_is_on),
	};

	return cmocka_run_group_tests_name("sandbox", tests, NULL, NULL);
}
