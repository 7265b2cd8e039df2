/*
 * connect.h - the Connect codec: Connect unary, JSON and binary
 * (connectrpc.com, "Connect Protocol Reference"; doc/api.md).
 */
#ifndef OIDC_SECRET_CONNECT_H
#define OIDC_SECRET_CONNECT_H

#include "codec.h"

/* The codec's forms. */
enum connect_form {
	CONNECT_JSON,		/* application/json */
	CONNECT_PROTO		/* application/proto */
};

#define CONNECT_TIMEOUT_DIGITS 10	/* Connect-Timeout-Ms: 1*10DIGIT */

#endif
