/*
 * proto.c - the calls' protobuf messages: requests in, responses and error
 * details out.  The only module that touches protobuf-c.
 *
 * The clear secret goes into the packed response only, in a buffer the
 * caller wipes; protobuf-c's pack allocates nothing.  IDs are declared
 * `bytes` in proto/ (same wire form as ZITADEL's `string`), so an embedded
 * NUL reaches the ID check instead of cutting the ID short.
 */
#include "proto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "any.pb-c.h"
#include "app_service.pb-c.h"
#include "application_service.pb-c.h"
#include "management.pb-c.h"
#include "message.pb-c.h"
#include "secret.h"
#include "status.pb-c.h"

#define ERROR_DETAIL_TYPE "type.googleapis.com/zitadel.v1.ErrorDetail"

/* protobuf-c's generated names, shortened: PB(V1_OIDC_REQ, unpack). */
#define PB(msg, fn) PB_(msg, fn)
#define PB_(msg, fn) msg##__##fn
#define V1_OIDC_REQ \
	zitadel__management__v1__regenerate_oidcclient_secret_request
#define V1_API_REQ zitadel__management__v1__regenerate_apiclient_secret_request
#define V2_REQ zitadel__application__v2__generate_client_secret_request
#define V2BETA_REQ zitadel__app__v2beta__regenerate_client_secret_request
#define PB_INIT(x) ZITADEL__##x##_SECRET_RESPONSE__INIT
#define V2BETA_CASE(x) \
	ZITADEL__APP__V2BETA__REGENERATE_CLIENT_SECRET_REQUEST__APP_TYPE_##x

typedef Zitadel__Management__V1__RegenerateOIDCClientSecretRequest v1_oidc_req;
typedef Zitadel__Management__V1__RegenerateAPIClientSecretRequest v1_api_req;
typedef Zitadel__Application__V2__GenerateClientSecretRequest v2_req;
typedef Zitadel__App__V2beta__RegenerateClientSecretRequest v2beta_req;

enum err
proto_decode(const void *p, size_t n, struct call *c)
{
	const uint8_t *data = p;
	int rc = -1;

	switch (c->rpc) {
	case RPC_V1_OIDC: {
		v1_oidc_req *m = PB(V1_OIDC_REQ, unpack)(NULL, n, data);

		if (m == NULL)
			return ERR_BAD_BODY;
		rc = call_set_ids(c, m->project_id.data, m->project_id.len,
		    m->app_id.data, m->app_id.len);
		PB(V1_OIDC_REQ, free_unpacked)(m, NULL);
		break;
	}
	case RPC_V1_API: {
		v1_api_req *m = PB(V1_API_REQ, unpack)(NULL, n, data);

		if (m == NULL)
			return ERR_BAD_BODY;
		rc = call_set_ids(c, m->project_id.data, m->project_id.len,
		    m->app_id.data, m->app_id.len);
		PB(V1_API_REQ, free_unpacked)(m, NULL);
		break;
	}
	case RPC_V2: {
		v2_req *m = PB(V2_REQ, unpack)(NULL, n, data);

		if (m == NULL)
			return ERR_BAD_BODY;
		rc = call_set_ids(c, m->project_id.data, m->project_id.len,
		    m->application_id.data, m->application_id.len);
		PB(V2_REQ, free_unpacked)(m, NULL);
		break;
	}
	case RPC_V2BETA: {
		v2beta_req *m = PB(V2BETA_REQ, unpack)(NULL, n, data);

		if (m == NULL)
			return ERR_BAD_BODY;
		rc = call_set_ids(c, m->project_id.data, m->project_id.len,
		    m->application_id.data, m->application_id.len);
		/* The oneof's case, whatever its value: ZITADEL's switch. */
		if (m->app_type_case == V2BETA_CASE(IS_OIDC))
			c->msg_kind = MSG_KIND_OIDC;
		else if (m->app_type_case == V2BETA_CASE(IS_API))
			c->msg_kind = MSG_KIND_API;
		PB(V2BETA_REQ, free_unpacked)(m, NULL);
		break;
	}
	default:
		return ERR_INTERNAL;
	}
	return rc == 0 ? ERR_OK : ERR_BAD_BODY;
}

static void
timestamp(Google__Protobuf__Timestamp *t, struct ts v)
{
	t->seconds = v.sec;
	t->nanos = (int32_t)v.nsec;
}

/* Packs m after front bytes of a buffer with back bytes after it. */
static unsigned char *
pack(const ProtobufCMessage *m, size_t front, size_t back, size_t *len)
{
	size_t n = protobuf_c_message_get_packed_size(m);
	unsigned char *buf;

	if (n > SIZE_MAX / 2 - front - back)
		return NULL;
	buf = malloc(front + n + back);
	if (buf == NULL)
		return NULL;
	if (protobuf_c_message_pack(m, buf + front) != n) {
		secret_wipe(buf, front + n + back);
		free(buf);
		return NULL;
	}
	*len = n;
	return buf;
}

unsigned char *
proto_response(const struct call *c, const struct outcome *o, size_t front,
    size_t back, size_t *len)
{
	Zitadel__V1__ObjectDetails details = ZITADEL__V1__OBJECT_DETAILS__INIT;
	Google__Protobuf__Timestamp created = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
	Google__Protobuf__Timestamp changed = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
	/* protobuf-c's fields are not const, but pack only reads them. */
	char *secret = (char *)(uintptr_t)o->client_secret;

	timestamp(&created, o->creation_date);
	timestamp(&changed, o->change_date);
	details.sequence = o->sequence;
	details.creation_date = &created;
	details.change_date = &changed;
	details.resource_owner = (char *)(uintptr_t)o->resource_owner;
	switch (c->rpc) {
	case RPC_V1_OIDC: {
		Zitadel__Management__V1__RegenerateOIDCClientSecretResponse m =
		    PB_INIT(MANAGEMENT__V1__REGENERATE_OIDCCLIENT);

		m.client_secret = secret;
		m.details = &details;
		return pack(&m.base, front, back, len);
	}
	case RPC_V1_API: {
		Zitadel__Management__V1__RegenerateAPIClientSecretResponse m =
		    PB_INIT(MANAGEMENT__V1__REGENERATE_APICLIENT);

		m.client_secret = secret;
		m.details = &details;
		return pack(&m.base, front, back, len);
	}
	case RPC_V2: {
		Zitadel__Application__V2__GenerateClientSecretResponse m =
		    PB_INIT(APPLICATION__V2__GENERATE_CLIENT);

		/* The v2 calls date the secret: this change. */
		m.client_secret = secret;
		m.creation_date = &changed;
		return pack(&m.base, front, back, len);
	}
	case RPC_V2BETA: {
		Zitadel__App__V2beta__RegenerateClientSecretResponse m =
		    PB_INIT(APP__V2BETA__REGENERATE_CLIENT);

		m.client_secret = secret;
		m.creation_date = &changed;
		return pack(&m.base, front, back, len);
	}
	default:
		return NULL;
	}
}

size_t
proto_error_detail(enum err kind, void *out, size_t cap)
{
	const struct err_info *e = err_info(kind);
	Zitadel__V1__ErrorDetail d = ZITADEL__V1__ERROR_DETAIL__INIT;

	d.id = (char *)(uintptr_t)e->id;
	d.message = (char *)(uintptr_t)e->text;
	if (zitadel__v1__error_detail__get_packed_size(&d) > cap)
		return 0;
	return zitadel__v1__error_detail__pack(&d, out);
}

size_t
proto_status(enum err kind, void *out, size_t cap)
{
	const struct err_info *e = err_info(kind);
	Google__Rpc__Status st = GOOGLE__RPC__STATUS__INIT;
	Google__Protobuf__Any any = GOOGLE__PROTOBUF__ANY__INIT;
	Google__Protobuf__Any *list[1];
	uint8_t detail[PROTO_ERROR_MAX];
	char message[256];
	size_t n = proto_error_detail(kind, detail, sizeof(detail));
	int k;

	k = snprintf(message, sizeof(message), "%s (%s)", e->text, e->id);
	if (n == 0 || k < 0 || (size_t)k >= sizeof(message))
		return 0;
	any.type_url = (char *)ERROR_DETAIL_TYPE;
	any.value.data = detail;
	any.value.len = n;
	list[0] = &any;
	st.code = e->grpc;
	st.message = message;
	st.n_details = 1;
	st.details = list;
	if (google__rpc__status__get_packed_size(&st) > cap)
		return 0;
	return google__rpc__status__pack(&st, out);
}

const char *
proto_library_version(void)
{
	return protobuf_c_version();
}
