/*
 * version.h - what --version prints: ours, and each linked library's, so
 * an operator can tell when a library's security fix needs a rebuild.
 */
#ifndef OIDC_SECRET_VERSION_H
#define OIDC_SECRET_VERSION_H

#include <stdio.h>

/*
 * "prog VERSION", then one "<library> <version>" line per library;
 * libfcgi's only for the responder (fcgi 1), the one program linking it.
 */
void version_print(FILE *f, const char *prog, int fcgi);

#endif
