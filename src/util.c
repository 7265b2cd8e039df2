/*
 * util.c - decimal numbers, a bounded file read, control characters, the
 * monotonic clock: each written once, for every module.
 */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum decimal
util_decimal(const char *s, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	int over = 0;
	size_t i;

	if (n == 0)
		return DECIMAL_BAD;
	for (i = 0; i < n; i++) {
		unsigned d;

		if (s[i] < '0' || s[i] > '9')
			return DECIMAL_BAD;
		d = (unsigned)(s[i] - '0');
		/*
		 * Keep reading after an overflow: a later non-digit is BAD.
		 * d > max first: max - d would wrap around.
		 */
		if (over || d > max || v > (max - d) / 10)
			over = 1;
		else
			v = v * 10 + d;
	}
	if (over)
		return DECIMAL_OVER;
	*out = v;
	return DECIMAL_OK;
}

int
util_read_file(const char *path, size_t max, char **buf, size_t *len)
{
	struct stat st;
	char *b = NULL;
	size_t have = 0;
	int fd, rc = 0;

	*buf = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno != 0 ? errno : EIO;
	if (fstat(fd, &st) != 0) {
		rc = EIO;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = EINVAL;
		goto out;
	}
	if (st.st_size < 0 || (uint64_t)st.st_size > max) {
		rc = EFBIG;
		goto out;
	}
	b = malloc((size_t)st.st_size + 1);
	if (b == NULL) {
		rc = ENOMEM;
		goto out;
	}
	while (have < (size_t)st.st_size) {
		ssize_t k = read(fd, b + have, (size_t)st.st_size - have);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			rc = EIO;
			goto out;
		}
		have += (size_t)k;
	}
	b[have] = '\0';
	*buf = b;
	*len = have;
	b = NULL;
out:
	if (b != NULL) {
		/* A part read may hold a password. */
		explicit_bzero(b, have);
		free(b);
	}
	close(fd);
	return rc;
}

int
util_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

unsigned
util_digest_slot(const char *hex, unsigned n)
{
	return (unsigned)(util_hexval(hex[0]) * 16 + util_hexval(hex[1])) % n;
}

const struct reason *
util_reason(const struct reason *table, size_t n, unsigned kind,
    unsigned fallback)
{
	return &table[kind < n ? kind : fallback];
}

int
util_is_control(unsigned long cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
}

int
util_has_control(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 1;
	return 0;
}

int64_t
util_mono_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}
