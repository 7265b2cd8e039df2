/*
 * errwire.c - an error kind in each wire's spelling: the message is
 * err_message()'s "text (ID)" everywhere, the details one
 * zitadel.v1.ErrorDetail, as ZITADEL's gateway, its Connect handlers and
 * its gRPC-web proxy attach them.
 */
#include "errwire.h"

#include <stdio.h>
#include <string.h>

#include "b64.h"
#include "buf.h"
#include "jsonmsg.h"
#include "messages.h"
#include "pbwire.h"

#define DETAIL_TYPE "zitadel.v1.ErrorDetail"
#define TYPE_URL_PREFIX "type.googleapis.com/"

static void
member(struct buf *b, const char *key, const char *value, int comma)
{
	if (comma)
		buf_char(b, ',');
	json_put_string(b, key, strlen(key));
	buf_char(b, ':');
	json_put_string(b, value, strlen(value));
}

static int
finish(struct buf *b, enum err kind, struct response *resp)
{
	resp->body = buf_take(b, &resp->body_len);
	if (resp->body == NULL)
		return -1;
	resp->content_type = "application/json";
	resp->status = err_http(kind);
	return 0;
}

int
errwire_gateway(enum err kind, struct response *resp)
{
	const struct err_info *e = err_info(kind);
	char message[ERR_MESSAGE_MAX], code[16];
	struct buf b = { 0 };

	if (err_message(kind, message, sizeof(message)) != 0)
		return -1;
	snprintf(code, sizeof(code), "%d", e->grpc);
	buf_str(&b, "{\"code\":");
	buf_str(&b, code);
	member(&b, "message", message, 1);
	buf_str(&b, ",\"details\":[{");
	member(&b, "@type", TYPE_URL_PREFIX DETAIL_TYPE, 0);
	member(&b, "id", e->id, 1);
	member(&b, "message", e->text, 1);
	buf_str(&b, "}]}");
	return finish(&b, kind, resp);
}

int
errwire_connect(enum err kind, struct response *resp)
{
	const struct err_info *e = err_info(kind);
	unsigned char raw[ERRWIRE_MAX];
	char message[ERR_MESSAGE_MAX], value[B64_LEN(ERRWIRE_MAX) + 1];
	struct buf b = { 0 };
	size_t n;

	n = errwire_detail(kind, raw, sizeof(raw));
	if (n == 0 || err_message(kind, message, sizeof(message)) != 0)
		return -1;
	/* Connect: details' values are unpadded base64. */
	b64_encode(raw, n, value, B64_UNPADDED);
	buf_char(&b, '{');
	member(&b, "code", err_connect_code(e->grpc), 0);
	member(&b, "message", message, 1);
	buf_str(&b, ",\"details\":[{");
	member(&b, "type", DETAIL_TYPE, 0);
	member(&b, "value", value, 1);
	/* "debug" is for people reading the wire; clients use "value". */
	buf_str(&b, ",\"debug\":{");
	member(&b, "id", e->id, 0);
	member(&b, "message", e->text, 1);
	buf_str(&b, "}}]}");
	return finish(&b, kind, resp);
}

int
errwire_oauth(enum err kind, struct response *resp)
{
	struct buf b = { 0 };

	buf_char(&b, '{');
	member(&b, "error", err_oauth_code(kind), 0);
	member(&b, "error_description", err_info(kind)->text, 1);
	buf_char(&b, '}');
	return finish(&b, kind, resp);
}

size_t
errwire_detail(enum err kind, void *out, size_t cap)
{
	const struct err_info *e = err_info(kind);
	struct value v[OUT__COUNT];

	memset(v, 0, sizeof(v));
	value_str(&v[OUT_ERR_ID], e->id);
	value_str(&v[OUT_ERR_TEXT], e->text);
	return pbwire_encode_to(&m_error_detail, v, out, cap);
}

size_t
errwire_status(enum err kind, void *out, size_t cap)
{
	unsigned char detail[ERRWIRE_MAX];
	char message[ERR_MESSAGE_MAX];
	struct value v[OUT__COUNT];
	size_t n = errwire_detail(kind, detail, sizeof(detail));

	if (n == 0 || err_message(kind, message, sizeof(message)) != 0)
		return 0;
	memset(v, 0, sizeof(v));
	value_int(&v[OUT_ERR_CODE], err_info(kind)->grpc);
	value_str(&v[OUT_ERR_MESSAGE], message);
	value_str(&v[OUT_ERR_TYPE_URL], TYPE_URL_PREFIX DETAIL_TYPE);
	v[OUT_ERR_DETAIL].set = 1;
	v[OUT_ERR_DETAIL].s.p = (const char *)detail;
	v[OUT_ERR_DETAIL].s.n = n;
	return pbwire_encode_to(&m_status, v, out, cap);
}
