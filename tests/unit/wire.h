/*
 * wire.h - what the codec tests read back from an answer, written apart
 * from the code under test: base64 (padded or not), and the error details
 * the codecs attach (zitadel.v1.ErrorDetail, and google.rpc.Status holding
 * one), unpacked with protobuf-c and compared with the error table.
 */
#ifndef OIDC_SECRET_TEST_WIRE_H
#define OIDC_SECRET_TEST_WIRE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "message.pb-c.h"
#include "status.pb-c.h"

/*
 * Standard base64 (RFC 4648 section 4), with or without '=' padding, into
 * a malloc'd buffer; *len bytes.  NULL for anything else.
 */
static inline unsigned char *
wire_unbase64(const char *s, size_t *len)
{
	size_t n = strlen(s), i, o = 0;
	unsigned long acc = 0;
	unsigned char *out;
	int bits = 0;

	while (n > 0 && s[n - 1] == '=')
		n--;
	if (strlen(s) - n > 2)
		return NULL;
	out = malloc(n * 3 / 4 + 1);
	if (out == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		const char *a = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "abcdefghijklmnopqrstuvwxyz0123456789+/";
		const char *p = s[i] != '\0' ? strchr(a, s[i]) : NULL;

		if (p == NULL) {
			free(out);
			return NULL;
		}
		acc = acc << 6 | (unsigned long)(p - a);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(acc >> bits);
		}
	}
	*len = o;
	return out;
}

/* "text (ID)" of kind, as every codec spells an error's message. */
static inline void
wire_message(enum err kind, char *out, size_t outlen)
{
	const struct err_info *e = err_info(kind);

	snprintf(out, outlen, "%s (%s)", e->text, e->id);
}

/* p[0..n) is zitadel.v1.ErrorDetail {id, text} of kind: 0, else -1. */
static inline int
wire_error_detail(const void *p, size_t n, enum err kind)
{
	Zitadel__V1__ErrorDetail *d;
	int rc;

	d = zitadel__v1__error_detail__unpack(NULL, n, p);
	if (d == NULL)
		return -1;
	rc = strcmp(d->id, err_info(kind)->id) == 0 &&
	    strcmp(d->message, err_info(kind)->text) == 0 ? 0 : -1;
	zitadel__v1__error_detail__free_unpacked(d, NULL);
	return rc;
}

/*
 * p[0..n) is google.rpc.Status {code, "text (ID)", [Any(ErrorDetail)]} of
 * kind: 0, else -1.
 */
static inline int
wire_status(const void *p, size_t n, enum err kind)
{
	Google__Rpc__Status *st;
	char message[300];
	int rc = -1;

	wire_message(kind, message, sizeof(message));
	st = google__rpc__status__unpack(NULL, n, p);
	if (st == NULL)
		return -1;
	if (st->code == err_info(kind)->grpc &&
	    strcmp(st->message, message) == 0 && st->n_details == 1 &&
	    strcmp(st->details[0]->type_url,
	    "type.googleapis.com/zitadel.v1.ErrorDetail") == 0 &&
	    wire_error_detail(st->details[0]->value.data,
	    st->details[0]->value.len, kind) == 0)
		rc = 0;
	google__rpc__status__free_unpacked(st, NULL);
	return rc;
}

#endif
