/*
 * calls.c - every route served: a row names its path (and grpc-gateway's
 * REST binding, where ZITADEL has one), its methods, the wires that may
 * carry it, its request and answer messages (messages.c), and the service
 * function that answers it, with that function's rule for this call.
 *
 * Adding a call is adding a row here, its messages, and (unless one
 * fits) its service function (doc/contributing.md, "Adding a call").
 */
#include "calls.h"

#include "messages.h"
#include "service.h"

#define MGMT "/zitadel.management.v1.ManagementService/"
#define USER_V2 "/zitadel.user.v2.UserService/"

static const struct app_rule v1_oidc = { WANT_OIDC, 1, ERR_ID_MISSING,
	ERR_APP_NOT_FOUND };
static const struct app_rule v1_api = { WANT_API, 1, ERR_ID_MISSING,
	ERR_APP_NOT_FOUND };
/* The v2 calls act in the project's own organisation. */
static const struct app_rule v2 = { WANT_ANY, 0, ERR_ID_MISSING_V2,
	ERR_APP_NOT_FOUND_V2 };
static const struct app_rule v2beta = { WANT_MESSAGE, 0, ERR_ID_MISSING,
	ERR_APP_NOT_FOUND };

static const struct user_rule secret_v2 = { 0, ERR_USER_ID_MISSING_SECRET,
	ERR_USER_NOT_FOUND_SECRET };
static const struct user_rule secret_v1 = { 1, ERR_USER_ID_MISSING_SECRET,
	ERR_USER_NOT_FOUND_SECRET };
static const struct user_rule unsecret_v2 = { 0, ERR_USER_ID_MISSING_REMOVE,
	ERR_USER_NOT_FOUND_REMOVE };
static const struct user_rule unsecret_v1 = { 1, ERR_USER_ID_MISSING_REMOVE,
	ERR_USER_NOT_FOUND_REMOVE };
static const struct user_rule key_v2 = { 0, ERR_USER_ID_MISSING_KEY,
	ERR_USER_NOT_FOUND_KEY };
static const struct user_rule key_v1 = { 1, ERR_USER_ID_MISSING_KEY,
	ERR_USER_NOT_FOUND_KEY };

const struct call_def calls[] = {
	/* The app secret calls */
	{ "RegenerateOIDCClientSecret", FAMILY_GRPC, "POST",
	    MGMT "RegenerateOIDCClientSecret", "POST",
	    "/management/v1/projects/{project_id}/apps/{app_id}/oidc_config/"
	    "_generate_client_secret",
	    &m_v1_regen_oidc_req, &m_v1_regen_resp, service_regenerate,
	    &v1_oidc },
	{ "RegenerateAPIClientSecret", FAMILY_GRPC, "POST",
	    MGMT "RegenerateAPIClientSecret", "POST",
	    "/management/v1/projects/{project_id}/apps/{app_id}/api_config/"
	    "_generate_client_secret",
	    &m_v1_regen_api_req, &m_v1_regen_resp, service_regenerate,
	    &v1_api },
	{ "GenerateClientSecret", FAMILY_CONNECT, "POST",
	    "/zitadel.application.v2.ApplicationService/GenerateClientSecret",
	    NULL, NULL, &m_v2_regen_req, &m_v2_regen_resp,
	    service_regenerate, &v2 },
	{ "RegenerateClientSecret", FAMILY_CONNECT, "POST",
	    "/zitadel.app.v2beta.AppService/RegenerateClientSecret",
	    NULL, NULL, &m_v2beta_regen_req, &m_v2_regen_resp,
	    service_regenerate, &v2beta },

	/* Machine users' secrets and keys */
	{ "AddSecret", FAMILY_CONNECT, "POST", USER_V2 "AddSecret", NULL, NULL,
	    &m_user_id_req, &m_v2_add_secret_resp, service_machine_secret,
	    &secret_v2 },
	{ "RemoveSecret", FAMILY_CONNECT, "POST", USER_V2 "RemoveSecret",
	    NULL, NULL, &m_user_id_req, &m_v2_deleted_resp,
	    service_machine_secret_remove, &unsecret_v2 },
	{ "AddKey", FAMILY_CONNECT, "POST", USER_V2 "AddKey", NULL, NULL,
	    &m_v2_add_key_req, &m_v2_add_key_resp, service_machine_key_add,
	    &key_v2 },
	{ "RemoveKey", FAMILY_CONNECT, "POST", USER_V2 "RemoveKey", NULL, NULL,
	    &m_key_id_req, &m_v2_deleted_resp, service_machine_key_remove,
	    &key_v2 },
	{ "GenerateMachineSecret", FAMILY_GRPC, "POST",
	    MGMT "GenerateMachineSecret", "PUT",
	    "/management/v1/users/{user_id}/secret",
	    &m_user_id_req, &m_v1_secret_resp, service_machine_secret,
	    &secret_v1 },
	{ "RemoveMachineSecret", FAMILY_GRPC, "POST",
	    MGMT "RemoveMachineSecret", "DELETE",
	    "/management/v1/users/{user_id}/secret",
	    &m_user_id_req, &m_v1_details_resp, service_machine_secret_remove,
	    &unsecret_v1 },
	{ "AddMachineKey", FAMILY_GRPC, "POST", MGMT "AddMachineKey", "POST",
	    "/management/v1/users/{user_id}/keys",
	    &m_v1_add_key_req, &m_v1_add_key_resp, service_machine_key_add,
	    &key_v1 },
	{ "RemoveMachineKey", FAMILY_GRPC, "POST", MGMT "RemoveMachineKey",
	    "DELETE", "/management/v1/users/{user_id}/keys/{key_id}",
	    &m_key_id_req, &m_v1_details_resp, service_machine_key_remove,
	    &key_v1 },

	/* OAuth 2.0 and OpenID Connect */
	{ "discovery", FAMILY_OAUTH, "GET", "/.well-known/openid-configuration",
	    NULL, NULL, &m_empty, &m_discovery, service_discovery, NULL },
	{ "discovery", FAMILY_OAUTH, "GET",
	    "/.well-known/oauth-authorization-server",
	    NULL, NULL, &m_empty, &m_discovery, service_discovery, NULL },
	{ "token", FAMILY_OAUTH, "POST", "/oauth/v2/token", NULL, NULL,
	    &m_token_req, &m_token_resp, service_token, NULL },
	{ "introspect", FAMILY_OAUTH, "POST", "/oauth/v2/introspect",
	    NULL, NULL, &m_introspect_req, &m_introspect_resp,
	    service_introspect, NULL },
	{ "authorize", FAMILY_OAUTH, "GET, POST", "/oauth/v2/authorize",
	    NULL, NULL, &m_empty, &m_empty, service_authorize, NULL },
	{ "userinfo", FAMILY_OAUTH, "GET, POST", "/oidc/v1/userinfo",
	    NULL, NULL, &m_empty, &m_userinfo, service_userinfo, NULL },

	/* Health */
	{ "healthz", FAMILY_PLAIN, "GET", "/debug/healthz", NULL, NULL,
	    &m_empty, &m_text, service_healthz, NULL },
	{ "ready", FAMILY_PLAIN, "GET", "/debug/ready", NULL, NULL,
	    &m_empty, &m_text, service_ready, NULL },
};

const size_t ncalls = sizeof(calls) / sizeof(calls[0]);
