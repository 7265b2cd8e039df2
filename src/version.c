/*
 * version.c - --version: ours, then each linked library's version, asked
 * of the library at run time where it can tell (a static build reports the
 * copy linked in), else the one built against.
 */
#include "version.h"

#include "jsonmsg.h"
#include "secret.h"
#include "store.h"

#ifndef FCGI_VERSION_BUILT
#define FCGI_VERSION_BUILT "unknown"
#endif
#ifndef XCRYPT_VERSION_BUILT
#define XCRYPT_VERSION_BUILT "unknown"
#endif

void
version_print(FILE *f, const char *prog, int fcgi)
{
	fprintf(f, "%s %s\n", prog, PACKAGE_VERSION);
	fprintf(f, "libgcrypt %s\n", secret_gcrypt_version());
	fprintf(f, "libgpg-error %s\n", secret_gpg_error_version());
	fprintf(f, "json-c %s\n", jsonmsg_library_version());
	fprintf(f, "MariaDB Connector/C %s\n", store_client_version());
	if (fcgi)
		fprintf(f, "libfcgi %s\n", FCGI_VERSION_BUILT);
	fprintf(f, "libxcrypt %s\n", XCRYPT_VERSION_BUILT);
}
