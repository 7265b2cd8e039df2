/*
 * keytool.c - src/rsakey.c and src/jwt.c from the command line, for the
 * integration test (tests/integration/test_keys.py) to hold them against
 * Python's and PHP's cryptography.  A test tool: built on request, never
 * installed.
 *
 *   keytool gen PRIVFILE PUBFILE
 *	a new pair: the PKCS#1 PEM into PRIVFILE (mode 0600), the canonical
 *	public PEM into PUBFILE; prints "BITS THUMBPRINT"
 *   keytool read-pub FILE
 *	prints "ok BITS THUMBPRINT" and the canonical PEM, or "refused
 *	REASON" (rsakey_why)
 *   keytool verify-jws KEYFILE AUDIENCE SUBJECT NOW < assertion
 *	prints "ok KID", or "refused REASON" (jwt_why), after parsing,
 *	verifying with the key in KEYFILE and checking the claims
 *
 * Exit status: 0 ok, 1 refused, 2 usage or failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jwt.h"
#include "rsakey.h"
#include "secret.h"
#include "util.h"

#define FILE_MAX (1024 * 1024)

static int
usage(void)
{
	fprintf(stderr, "usage: keytool gen PRIVFILE PUBFILE\n"
	    "       keytool read-pub FILE\n"
	    "       keytool verify-jws KEYFILE AUDIENCE SUBJECT NOW "
	    "< assertion\n");
	return 2;
}

static int
write_file(const char *path, const char *data, size_t len, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	size_t off = 0;

	if (fd < 0)
		return -1;
	while (off < len) {
		ssize_t n = write(fd, data + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			close(fd);
			return -1;
		}
		off += (size_t)n;
	}
	return close(fd);
}

static int
gen(const char *priv_path, const char *pub_path)
{
	struct rsakey *k = NULL;
	char *priv = NULL, *pub = NULL, thumb[RSAKEY_THUMB_LEN];
	size_t plen = 0, len;
	int rc = 2;

	if (rsakey_generate(&k, &priv, &plen) != 0)
		goto out;
	if (write_file(priv_path, priv, plen, 0600) != 0 ||
	    rsakey_public_pem(k, &pub, &len) != 0 ||
	    write_file(pub_path, pub, len, 0644) != 0)
		goto out;
	rsakey_thumbprint(k, thumb);
	printf("%u %s\n", rsakey_bits(k), thumb);
	rc = 0;
out:
	rsakey_private_free(priv, plen);
	free(pub);
	rsakey_free(k);
	return rc;
}

static enum rsakey_err
load_key(const char *path, struct rsakey **k)
{
	char *buf = NULL;
	size_t len = 0;
	enum rsakey_err e;

	*k = NULL;
	if (util_read_file(path, FILE_MAX, &buf, &len) != 0)
		return RSAKEY_ERROR;
	e = rsakey_read_public(buf, len, k);
	free(buf);
	return e;
}

static int
read_pub(const char *path)
{
	struct rsakey *k = NULL;
	char *pem = NULL, thumb[RSAKEY_THUMB_LEN];
	size_t len;
	enum rsakey_err e = load_key(path, &k);
	int rc = 2;

	if (e == RSAKEY_ERROR)
		return 2;
	if (e != RSAKEY_OK) {
		printf("refused %s\n", rsakey_why(e)->reason);
		return 1;
	}
	if (rsakey_public_pem(k, &pem, &len) == 0) {
		rsakey_thumbprint(k, thumb);
		printf("ok %u %s\n%s", rsakey_bits(k), thumb, pem);
		rc = 0;
	}
	free(pem);
	rsakey_free(k);
	return rc;
}

static int
verify_jws(const char *key_path, const char *aud, const char *sub,
    const char *now_s)
{
	static struct jwt t;
	static char tok[JWT_MAX + 2];
	struct jwt_expect x = { aud, sub, 0 };
	struct rsakey *k = NULL;
	uint64_t now;
	size_t len = 0;
	ssize_t n;
	enum jwt_err e;

	if (util_decimal(now_s, strlen(now_s), JWT_TIME_MAX, &now) !=
	    DECIMAL_OK || load_key(key_path, &k) != RSAKEY_OK)
		return 2;
	x.now = (int64_t)now;
	/* One byte more than JWT_MAX shows jwt_parse an oversize one. */
	while (len < sizeof(tok) && (n = read(0, tok + len,
	    sizeof(tok) - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rsakey_free(k);
			return 2;
		}
		len += (size_t)n;
	}
	if ((e = jwt_parse(tok, len, &t)) == JWT_OK &&
	    (e = jwt_verify(&t, k)) == JWT_OK)
		e = jwt_check(&t, &x);
	rsakey_free(k);
	if (e == JWT_ERROR)
		return 2;
	if (e != JWT_OK) {
		printf("refused %s\n", jwt_why(e)->reason);
		return 1;
	}
	printf("ok %s\n", t.kid);
	return 0;
}

int
main(int argc, char **argv)
{
	if (secret_init() != 0)
		return 2;
	if (argc == 4 && strcmp(argv[1], "gen") == 0)
		return gen(argv[2], argv[3]);
	if (argc == 3 && strcmp(argv[1], "read-pub") == 0)
		return read_pub(argv[2]);
	if (argc == 6 && strcmp(argv[1], "verify-jws") == 0)
		return verify_jws(argv[2], argv[3], argv[4], argv[5]);
	return usage();
}
