/* SPDX-License-Identifier: Apache-2.0 */
/*
 * version.c - --version: ours, then each linked library's version, asked
 * of the library at run time where it can tell (a static build reports the
 * copy linked in), else the one built against; the MySQL client's TLS
 * library and zlib among them.
 */
#include "version.h"

#include <string.h>
#include <zlib.h>

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
	const char *tls = NULL;

	fprintf(f, "%s %s\n", prog, PACKAGE_VERSION);
	fprintf(f, "libgcrypt %s\n", secret_gcrypt_version());
	fprintf(f, "libgpg-error %s\n", secret_gpg_error_version());
	fprintf(f, "json-c %s\n", jsonmsg_library_version());
	fprintf(f, "MariaDB Connector/C %s\n", store_client_version());
	/* Only the MySQL client speaks TLS: its library, name first. */
	tls = store_client_tls_library();
	if (tls == NULL)
		fprintf(f, "TLS library unknown (the MySQL client does not "
		    "tell)\n");
	else if (strcmp(tls, "Off") == 0)
		fprintf(f, "TLS off (the MySQL client was built without)\n");
	else
		fprintf(f, "%s\n", tls);
	/* The MySQL client's compression; none of our own code calls it. */
	fprintf(f, "zlib %s\n", zlibVersion());
	if (fcgi)
		fprintf(f, "libfcgi %s\n", FCGI_VERSION_BUILT);
	fprintf(f, "libxcrypt %s\n", XCRYPT_VERSION_BUILT);
}
