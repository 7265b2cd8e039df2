/*
 * messages.h - every message a call reads or writes (messages.c), and the
 * error details the wires attach to an error.
 */
#ifndef OIDC_SECRET_MESSAGES_H
#define OIDC_SECRET_MESSAGES_H

#include "msg.h"

/* The app secret calls */
extern const struct message m_v1_regen_oidc_req, m_v1_regen_api_req;
extern const struct message m_v1_regen_resp;
extern const struct message m_v2_regen_req, m_v2beta_regen_req;
extern const struct message m_v2_regen_resp;

/* Machine users: zitadel.user.v2.UserService */
extern const struct message m_user_id_req, m_key_id_req;
extern const struct message m_v2_add_secret_resp, m_v2_deleted_resp;
extern const struct message m_v2_add_key_req, m_v2_add_key_resp;
/* ... and zitadel.management.v1.ManagementService */
extern const struct message m_v1_add_key_req;
extern const struct message m_v1_secret_resp, m_v1_details_resp;
extern const struct message m_v1_add_key_resp;

/* OAuth 2.0 and OpenID Connect */
extern const struct message m_empty;
extern const struct message m_token_req, m_token_resp;
extern const struct message m_introspect_req, m_introspect_resp;
extern const struct message m_authorize_req;
extern const struct message m_discovery, m_userinfo;
extern const struct message m_text;

/*
 * Errors: zitadel.v1.ErrorDetail, google.rpc.Status with one Any holding
 * it (gRPC-web's grpc-status-details-bin).
 */
extern const struct message m_error_detail, m_status;

#endif
