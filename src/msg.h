/*
 * msg.h - a call's messages, described once for every wire.
 *
 * A message is a table of fields; each field has its protobuf number, its
 * JSON name (protobuf JSON's lowerCamelCase, or the OAuth parameter's name)
 * and proto name, a type, and a slot: where its value lives in a struct
 * call (requests) or a struct answer (answers).  The wires read and write
 * messages through these tables only: protobuf binary (pbwire.c), JSON
 * (jsonmsg.c), HTML forms (form.c).  So a call's messages are data
 * (messages.c), and adding a call adds no code to a codec.
 */
#ifndef OIDC_SECRET_MSG_H
#define OIDC_SECRET_MSG_H

#include <stddef.h>
#include <stdint.h>

#include "ts.h"

struct slice {
	const char *p;
	size_t n;
};

enum ftype {
	F_STRING,	/* string: JSON string */
	F_BYTES,	/* bytes: JSON base64 */
	F_BOOL,		/* bool: JSON true/false */
	F_ENUM,		/* enum (varint): JSON its value's name, or number */
	F_UINT64,	/* uint64: JSON decimal string (protobuf JSON) */
	F_INT32,	/* int32: JSON number */
	F_INT,		/* int64: JSON number (OAuth's expires_in, exp, iat) */
	F_TIME,		/* google.protobuf.Timestamp: JSON RFC 3339 */
	F_MSG,		/* a nested message, from the same slots */
	F_WORDS		/* repeated string, from space-separated words: a JSON
			 * array */
};

/* Where a request's values land (struct call's arg[]). */
enum arg {
	ARG_PROJECT_ID,
	ARG_APP_ID,
	ARG_USER_ID,
	ARG_KEY_ID,
	ARG_KEY_TYPE,
	ARG_EXPIRATION,
	ARG_PUBLIC_KEY,
	ARG_IS_OIDC,
	ARG_IS_API,
	/* OAuth 2.0 form parameters */
	ARG_GRANT_TYPE,
	ARG_CLIENT_ID,
	ARG_CLIENT_SECRET,
	ARG_ASSERTION,
	ARG_SCOPE,
	ARG_TOKEN,
	ARG_RESPONSE_TYPE,
	ARG__COUNT
};

/* Where an answer's values come from (struct answer's out[]). */
enum out {
	OUT_SECRET,		/* a new client secret */
	OUT_CLIENT_ID,
	OUT_SEQUENCE,		/* the aggregate's sequence after the change */
	OUT_CREATED,		/* the object's creation */
	OUT_CHANGED,		/* this change's time */
	OUT_OWNER,		/* the organisation owning the object */
	OUT_KEY_ID,
	OUT_KEY_CONTENT,	/* a key file (holds a private key) */
	OUT_TEXT,		/* a plain text answer (health) */
	/* OAuth 2.0 answers */
	OUT_ACCESS_TOKEN,
	OUT_TOKEN_TYPE,
	OUT_EXPIRES_IN,
	OUT_SCOPE,
	OUT_ACTIVE,
	OUT_USERNAME,
	OUT_NAME,
	OUT_SUBJECT,
	OUT_AUDIENCE,
	OUT_ISSUED_AT,
	OUT_EXPIRES_AT,
	OUT_ISSUER,
	/* discovery */
	OUT_TOKEN_ENDPOINT,
	OUT_INTROSPECTION_ENDPOINT,
	OUT_AUTHORIZATION_ENDPOINT,
	OUT_USERINFO_ENDPOINT,
	OUT_GRANT_TYPES,
	OUT_AUTH_METHODS,
	OUT_SCOPES_SUPPORTED,
	OUT_RESPONSE_TYPES,
	/* an error's details (google.rpc.Status, zitadel.v1.ErrorDetail) */
	OUT_ERR_CODE,
	OUT_ERR_ID,
	OUT_ERR_TEXT,
	OUT_ERR_MESSAGE,
	OUT_ERR_TYPE_URL,
	OUT_ERR_DETAIL,
	OUT__COUNT
};

/* One value of a slot: what the type asks for is set. */
struct value {
	int set;
	struct slice s;		/* F_STRING, F_BYTES, F_WORDS */
	int64_t i;		/* F_BOOL, F_ENUM, F_UINT64, F_INT32, F_INT */
	struct ts t;		/* F_TIME */
};

struct message;

struct field {
	unsigned num;		/* protobuf field number; 0: not on that wire */
	const char *json;	/* JSON member (lowerCamelCase), form name */
	const char *proto;	/* also accepted in JSON; NULL: as json */
	enum ftype type;
	unsigned slot;		/* enum arg, or enum out */
	const struct message *msg;	/* F_MSG */
	const char *const *names;	/* F_ENUM: by number, NULL-ended */
	/*
	 * Non-zero: the field's oneof.  On the wire the last member wins;
	 * in JSON two members are an error.
	 */
	unsigned oneof;
};

/* A field of a scalar type, a nested message, an enum, a oneof member. */
#define FIELD(num, json, proto, type, slot) \
	{ num, json, proto, type, slot, NULL, NULL, 0 }
#define NESTED(num, json, m) { num, json, NULL, F_MSG, 0, &m, NULL, 0 }
#define ENUMERATED(num, json, proto, slot, names) \
	{ num, json, proto, F_ENUM, slot, NULL, names, 0 }
#define ONEOF(num, json, proto, type, slot, group) \
	{ num, json, proto, type, slot, NULL, NULL, group }

struct message {
	const char *name;	/* "zitadel.user.v2.AddSecretRequest" */
	const struct field *fields;
	size_t n;
};

#define MSG(name, fields) { name, fields, sizeof(fields) / sizeof(fields[0]) }

/* A slot's value set from a C string or a number. */
void value_str(struct value *v, const char *s);
void value_int(struct value *v, int64_t i);
void value_time(struct value *v, struct ts t);

#endif
