/*
 * messages.c - every message of every call, as msg.h describes them.
 *
 * Field numbers, names and types are ZITADEL's (its protos; doc/api.md),
 * OAuth's and OpenID Connect's (RFC 6749 4.4 and 5.1, RFC 7523 2.1, RFC
 * 7662 2.1-2.2, RFC 8414 2, OpenID Connect Core 5.3).  A request field's
 * slot is where the service reads it; an answer field's slot is where the
 * service put its value.
 */
#include "messages.h"

/* --- the app secret calls ---------------------------------------------- */

static const struct field v1_regen_req[] = {
	FIELD(1, "projectId", "project_id", F_STRING, ARG_PROJECT_ID),
	FIELD(2, "appId", "app_id", F_STRING, ARG_APP_ID),
};
const struct message m_v1_regen_oidc_req = MSG(
    "zitadel.management.v1.RegenerateOIDCClientSecretRequest", v1_regen_req);
const struct message m_v1_regen_api_req = MSG(
    "zitadel.management.v1.RegenerateAPIClientSecretRequest", v1_regen_req);

/* zitadel.v1.ObjectDetails */
static const struct field details[] = {
	FIELD(1, "sequence", NULL, F_UINT64, OUT_SEQUENCE),
	FIELD(2, "creationDate", "creation_date", F_TIME, OUT_CREATED),
	FIELD(3, "changeDate", "change_date", F_TIME, OUT_CHANGED),
	FIELD(4, "resourceOwner", "resource_owner", F_STRING, OUT_OWNER),
};
static const struct message m_details = MSG("zitadel.v1.ObjectDetails",
    details);

static const struct field v1_regen_resp[] = {
	FIELD(1, "clientSecret", "client_secret", F_STRING, OUT_SECRET),
	NESTED(2, "details", m_details),
};
const struct message m_v1_regen_resp = MSG(
    "zitadel.management.v1.RegenerateClientSecretResponse", v1_regen_resp);

static const struct field v2_regen_req[] = {
	FIELD(1, "applicationId", "application_id", F_STRING, ARG_APP_ID),
	FIELD(2, "projectId", "project_id", F_STRING, ARG_PROJECT_ID),
};
const struct message m_v2_regen_req = MSG(
    "zitadel.application.v2.GenerateClientSecretRequest", v2_regen_req);

/* oneof app_type { bool is_oidc = 3; bool is_api = 4; } */
static const struct field v2beta_regen_req[] = {
	FIELD(1, "projectId", "project_id", F_STRING, ARG_PROJECT_ID),
	FIELD(2, "applicationId", "application_id", F_STRING, ARG_APP_ID),
	ONEOF(3, "isOidc", "is_oidc", F_BOOL, ARG_IS_OIDC, 1),
	ONEOF(4, "isApi", "is_api", F_BOOL, ARG_IS_API, 1),
};
const struct message m_v2beta_regen_req = MSG(
    "zitadel.app.v2beta.RegenerateClientSecretRequest", v2beta_regen_req);

/* The v2 calls date the secret: this change. */
static const struct field v2_regen_resp[] = {
	FIELD(1, "clientSecret", "client_secret", F_STRING, OUT_SECRET),
	FIELD(2, "creationDate", "creation_date", F_TIME, OUT_CHANGED),
};
const struct message m_v2_regen_resp = MSG(
    "zitadel.application.v2.GenerateClientSecretResponse", v2_regen_resp);

/* --- machine users ----------------------------------------------------- */

static const struct field user_id_req[] = {
	FIELD(1, "userId", "user_id", F_STRING, ARG_USER_ID),
};
const struct message m_user_id_req = MSG("zitadel.user.v2.UserIdRequest",
    user_id_req);

static const struct field key_id_req[] = {
	FIELD(1, "userId", "user_id", F_STRING, ARG_USER_ID),
	FIELD(2, "keyId", "key_id", F_STRING, ARG_KEY_ID),
};
const struct message m_key_id_req = MSG("zitadel.user.v2.RemoveKeyRequest",
    key_id_req);

static const struct field v2_add_secret_resp[] = {
	FIELD(1, "creationDate", "creation_date", F_TIME, OUT_CHANGED),
	FIELD(2, "clientSecret", "client_secret", F_STRING, OUT_SECRET),
};
const struct message m_v2_add_secret_resp = MSG(
    "zitadel.user.v2.AddSecretResponse", v2_add_secret_resp);

static const struct field v2_deleted_resp[] = {
	FIELD(1, "deletionDate", "deletion_date", F_TIME, OUT_CHANGED),
};
const struct message m_v2_deleted_resp = MSG(
    "zitadel.user.v2.RemoveSecretResponse", v2_deleted_resp);

static const struct field v2_add_key_req[] = {
	FIELD(1, "userId", "user_id", F_STRING, ARG_USER_ID),
	FIELD(2, "expirationDate", "expiration_date", F_TIME, ARG_EXPIRATION),
	FIELD(3, "publicKey", "public_key", F_BYTES, ARG_PUBLIC_KEY),
};
const struct message m_v2_add_key_req = MSG("zitadel.user.v2.AddKeyRequest",
    v2_add_key_req);

static const struct field v2_add_key_resp[] = {
	FIELD(1, "creationDate", "creation_date", F_TIME, OUT_CHANGED),
	FIELD(2, "keyId", "key_id", F_STRING, OUT_KEY_ID),
	FIELD(3, "keyContent", "key_content", F_BYTES, OUT_KEY_CONTENT),
};
const struct message m_v2_add_key_resp = MSG(
    "zitadel.user.v2.AddKeyResponse", v2_add_key_resp);

/* zitadel.authn.v1.KeyType */
static const char *const key_types[] = {
	"KEY_TYPE_UNSPECIFIED", "KEY_TYPE_JSON", NULL
};

static const struct field v1_add_key_req[] = {
	FIELD(1, "userId", "user_id", F_STRING, ARG_USER_ID),
	ENUMERATED(2, "type", NULL, ARG_KEY_TYPE, key_types),
	FIELD(3, "expirationDate", "expiration_date", F_TIME, ARG_EXPIRATION),
	FIELD(4, "publicKey", "public_key", F_BYTES, ARG_PUBLIC_KEY),
};
const struct message m_v1_add_key_req = MSG(
    "zitadel.management.v1.AddMachineKeyRequest", v1_add_key_req);

static const struct field v1_secret_resp[] = {
	FIELD(1, "clientId", "client_id", F_STRING, OUT_CLIENT_ID),
	FIELD(2, "clientSecret", "client_secret", F_STRING, OUT_SECRET),
	NESTED(3, "details", m_details),
};
const struct message m_v1_secret_resp = MSG(
    "zitadel.management.v1.GenerateMachineSecretResponse", v1_secret_resp);

static const struct field v1_details_resp[] = {
	NESTED(1, "details", m_details),
};
const struct message m_v1_details_resp = MSG(
    "zitadel.management.v1.RemoveMachineSecretResponse", v1_details_resp);

static const struct field v1_add_key_resp[] = {
	FIELD(1, "keyId", "key_id", F_STRING, OUT_KEY_ID),
	FIELD(2, "keyDetails", "key_details", F_BYTES, OUT_KEY_CONTENT),
	NESTED(3, "details", m_details),
};
const struct message m_v1_add_key_resp = MSG(
    "zitadel.management.v1.AddMachineKeyResponse", v1_add_key_resp);

/* --- OAuth 2.0, OpenID Connect ----------------------------------------- */

const struct message m_empty = { "empty", NULL, 0 };

/* RFC 6749 4.4.2, 2.3.1; RFC 7523 2.1 (form parameters) */
static const struct field token_req[] = {
	FIELD(0, "grant_type", NULL, F_STRING, ARG_GRANT_TYPE),
	FIELD(0, "client_id", NULL, F_STRING, ARG_CLIENT_ID),
	FIELD(0, "client_secret", NULL, F_STRING, ARG_CLIENT_SECRET),
	FIELD(0, "assertion", NULL, F_STRING, ARG_ASSERTION),
	FIELD(0, "scope", NULL, F_STRING, ARG_SCOPE),
};
const struct message m_token_req = MSG("token request", token_req);

/* RFC 6749 5.1 */
static const struct field token_resp[] = {
	FIELD(0, "access_token", NULL, F_STRING, OUT_ACCESS_TOKEN),
	FIELD(0, "token_type", NULL, F_STRING, OUT_TOKEN_TYPE),
	FIELD(0, "expires_in", NULL, F_INT, OUT_EXPIRES_IN),
	FIELD(0, "scope", NULL, F_STRING, OUT_SCOPE),
};
const struct message m_token_resp = MSG("token response", token_resp);

/* RFC 7662 2.1: token_type_hint is ignored (a server may). */
static const struct field introspect_req[] = {
	FIELD(0, "token", NULL, F_STRING, ARG_TOKEN),
	FIELD(0, "client_id", NULL, F_STRING, ARG_CLIENT_ID),
	FIELD(0, "client_secret", NULL, F_STRING, ARG_CLIENT_SECRET),
};
const struct message m_introspect_req = MSG("introspection request",
    introspect_req);

/* RFC 7662 2.2; an inactive token sets "active" alone. */
static const struct field introspect_resp[] = {
	FIELD(0, "active", NULL, F_BOOL, OUT_ACTIVE),
	FIELD(0, "scope", NULL, F_STRING, OUT_SCOPE),
	FIELD(0, "client_id", NULL, F_STRING, OUT_CLIENT_ID),
	FIELD(0, "username", NULL, F_STRING, OUT_USERNAME),
	FIELD(0, "token_type", NULL, F_STRING, OUT_TOKEN_TYPE),
	FIELD(0, "exp", NULL, F_INT, OUT_EXPIRES_AT),
	FIELD(0, "iat", NULL, F_INT, OUT_ISSUED_AT),
	FIELD(0, "sub", NULL, F_STRING, OUT_SUBJECT),
	FIELD(0, "aud", NULL, F_WORDS, OUT_AUDIENCE),
	FIELD(0, "iss", NULL, F_STRING, OUT_ISSUER),
};
const struct message m_introspect_resp = MSG("introspection response",
    introspect_resp);

static const struct field authorize_req[] = {
	FIELD(0, "response_type", NULL, F_STRING, ARG_RESPONSE_TYPE),
};
const struct message m_authorize_req = MSG("authorization request",
    authorize_req);

/* RFC 8414 2; OpenID Connect Discovery 1.0, 3 */
static const struct field discovery[] = {
	FIELD(0, "issuer", NULL, F_STRING, OUT_ISSUER),
	FIELD(0, "authorization_endpoint", NULL, F_STRING,
	    OUT_AUTHORIZATION_ENDPOINT),
	FIELD(0, "token_endpoint", NULL, F_STRING, OUT_TOKEN_ENDPOINT),
	FIELD(0, "introspection_endpoint", NULL, F_STRING,
	    OUT_INTROSPECTION_ENDPOINT),
	FIELD(0, "userinfo_endpoint", NULL, F_STRING, OUT_USERINFO_ENDPOINT),
	FIELD(0, "grant_types_supported", NULL, F_WORDS, OUT_GRANT_TYPES),
	FIELD(0, "token_endpoint_auth_methods_supported", NULL, F_WORDS,
	    OUT_AUTH_METHODS),
	FIELD(0, "introspection_endpoint_auth_methods_supported", NULL,
	    F_WORDS, OUT_AUTH_METHODS),
	FIELD(0, "scopes_supported", NULL, F_WORDS, OUT_SCOPES_SUPPORTED),
	FIELD(0, "response_types_supported", NULL, F_WORDS,
	    OUT_RESPONSE_TYPES),
};
const struct message m_discovery = MSG("discovery", discovery);

/* OpenID Connect Core 1.0, 5.3.2 */
static const struct field userinfo[] = {
	FIELD(0, "sub", NULL, F_STRING, OUT_SUBJECT),
	FIELD(0, "preferred_username", NULL, F_STRING, OUT_USERNAME),
	FIELD(0, "name", NULL, F_STRING, OUT_NAME),
};
const struct message m_userinfo = MSG("userinfo", userinfo);

static const struct field text[] = {
	FIELD(0, "text", NULL, F_STRING, OUT_TEXT),
};
const struct message m_text = MSG("text", text);

/* --- errors ------------------------------------------------------------ */

static const struct field error_detail[] = {
	FIELD(1, "id", NULL, F_STRING, OUT_ERR_ID),
	FIELD(2, "message", NULL, F_STRING, OUT_ERR_TEXT),
};
const struct message m_error_detail = MSG("zitadel.v1.ErrorDetail",
    error_detail);

/* google.protobuf.Any */
static const struct field any[] = {
	FIELD(1, "typeUrl", "type_url", F_STRING, OUT_ERR_TYPE_URL),
	FIELD(2, "value", NULL, F_BYTES, OUT_ERR_DETAIL),
};
static const struct message m_any = MSG("google.protobuf.Any", any);

/* google.rpc.Status; details is repeated: one Any here. */
static const struct field status[] = {
	FIELD(1, "code", NULL, F_INT32, OUT_ERR_CODE),
	FIELD(2, "message", NULL, F_STRING, OUT_ERR_MESSAGE),
	NESTED(3, "details", m_any),
};
const struct message m_status = MSG("google.rpc.Status", status);
