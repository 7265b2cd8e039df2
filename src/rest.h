/*
 * rest.h - the REST codec: grpc-gateway style JSON (doc/api.md).
 */
#ifndef OIDC_SECRET_REST_H
#define OIDC_SECRET_REST_H

#include "codec.h"

/*
 * The error body grpc-gateway writes, with its HTTP status: also the
 * answer of the paths no codec serves (unknown path, native gRPC).
 */
int rest_encode_error(enum err kind, struct response *resp);

#endif
