/*
 * rest.h - the REST codec: grpc-gateway style JSON (doc/api.md).
 */
#ifndef OIDC_SECRET_REST_H
#define OIDC_SECRET_REST_H

#include "codec.h"

/*
 * Message m of o's values as a 200 application/json answer: also the
 * Connect codec's and the OAuth codec's success.  -1 on failure.
 */
int rest_encode_message(const struct message *m, const struct answer *o,
    struct response *resp);

#endif
