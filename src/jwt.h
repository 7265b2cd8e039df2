/*
 * jwt.h - a JWT bearer assertion (RFC 7523 2.1, 3) or client assertion: a
 * compact JWS (RFC 7515 7.1) signed with RS256, read strictly, its
 * signature verified with a machine user's key, its claims checked
 * (doc/keys.md).
 *
 * Three steps, so that the caller can look the key up in between:
 *
 *	struct jwt t;
 *	e = jwt_parse(assertion, len, &t);	   // t.kid, t.sub: untrusted
 *	key = look up the key t.kid of the user t.sub ...
 *	e = jwt_verify(&t, key);		   // the signature
 *	e = jwt_check(&t, &expect);		   // aud, iss, sub, times
 *
 * Each step answers JWT_OK or the reason it refused; jwt_why() names it
 * for the log line (->reason) and the answer's error_description
 * (->text).  Neither ever holds the assertion itself.
 */
#ifndef OIDC_SECRET_JWT_H
#define OIDC_SECRET_JWT_H

#include <stddef.h>
#include <stdint.h>

#include "rsakey.h"

#define JWT_MAX 8192		/* bytes of a whole assertion */
#define JWT_KID_MAX 128		/* bytes of "kid" (ZITADEL's are digits) */
#define JWT_ID_MAX 255		/* bytes of "iss" and of "sub" */
#define JWT_AUD_MAX 16		/* strings in "aud" */
#define JWT_AUD_LEN 1024	/* bytes of one of them */
#define JWT_SIG_MAX (RSAKEY_BITS_MAX / 8)	/* bytes of a signature */
#define JWT_SKEW 60		/* seconds a client's clock may be ahead */
#define JWT_LIFETIME 3600	/* seconds from "iat" to "exp" at most */
#define JWT_TIME_MAX 253402300799LL	/* 9999-12-31T23:59:59Z */

enum jwt_err {
	JWT_OK,
	JWT_MALFORMED,		/* not three base64url parts, over JWT_MAX,
				 * header or claims not one strict JSON
				 * object, a member name twice */
	JWT_BAD_ALG,		/* "alg" not exactly "RS256" */
	JWT_BAD_KID,		/* "kid" absent, not a string, empty, long */
	JWT_BAD_TYP,		/* "typ" present and not "JWT" */
	JWT_CRIT,		/* "crit" present: no extension is known */
	JWT_MISSING_CLAIM,	/* "iss", "sub", "aud", "iat" or "exp" absent */
	JWT_BAD_CLAIM,		/* one of those, or "nbf", of the wrong type
				 * or out of range */
	JWT_BAD_SIGNATURE,	/* not signed by the key */
	JWT_WRONG_ISSUER,	/* "iss" not the expected subject */
	JWT_WRONG_SUBJECT,	/* "sub" not the expected subject */
	JWT_WRONG_AUDIENCE,	/* "aud" lacks the expected audience */
	JWT_EXPIRED,		/* "exp" not after now */
	JWT_TOO_LONG,		/* "exp" not after "iat", or more than
				 * JWT_LIFETIME after it */
	JWT_IAT_FUTURE,		/* "iat" more than JWT_SKEW after now */
	JWT_NOT_YET_VALID,	/* "nbf" more than JWT_SKEW after now */
	JWT_ERROR		/* out of memory, libgcrypt failed */
};

/*
 * What jwt_parse() took from an assertion: the header's "kid", the
 * claims, and what the signature covers.  Nothing in it is trusted before
 * jwt_verify() and jwt_check() have answered JWT_OK.  Strings are
 * NUL-terminated and hold no NUL.
 */
struct jwt {
	char kid[JWT_KID_MAX + 1];
	char iss[JWT_ID_MAX + 1];
	char sub[JWT_ID_MAX + 1];
	char aud[JWT_MAX];	/* naud strings back to back, each with
				 * its NUL: 1 for a string, else the array's */
	size_t naud;
	int64_t iat, exp, nbf;	/* seconds since the epoch; nbf 0: none */
	char signed_part[JWT_MAX];	/* header "." claims, as sent */
	size_t signed_len;
	unsigned char sig[JWT_SIG_MAX];
	size_t sig_len;
};

/* What jwt_check() holds the claims against. */
struct jwt_expect {
	const char *audience;	/* the issuer URL: equal, or equal but for
				 * one trailing '/' on either side */
	const char *subject;	/* the user ID the key was looked up by:
				 * "iss" and "sub" both */
	int64_t now;		/* seconds since the epoch */
};

/*
 * Reads token[0..len): header.claims.signature, each part base64url
 * without padding and canonical (RFC 7515 2, RFC 4648 5), no white space.
 * The header: "alg" exactly "RS256" (so never "none" nor an HMAC keyed
 * with the public key), "kid" a string of 1 to JWT_KID_MAX bytes, "typ"
 * absent or "JWT" in any case (RFC 7519 5.1), no "crit"; other members
 * ignored.  The claims: "iss", "sub" (strings of 1 to JWT_ID_MAX bytes),
 * "aud" (a string, or an array of 1 to JWT_AUD_MAX strings, each of 1 to
 * JWT_AUD_LEN bytes), "iat", "exp" and optional "nbf" (integers from 1
 * to JWT_TIME_MAX, written without fraction or exponent); other claims
 * ignored.  No member name twice in either object.  Fills *t on JWT_OK;
 * otherwise *t holds zeros.
 */
enum jwt_err jwt_parse(const char *token, size_t len, struct jwt *t);

/* The RS256 signature of t against key: JWT_OK or JWT_BAD_SIGNATURE. */
enum jwt_err jwt_verify(const struct jwt *t, const struct rsakey *key);

/*
 * The claims of t against x, in this order: "iss" is x->subject, "sub" is
 * too, "aud" holds x->audience, "exp" after x->now, "exp" after "iat" by
 * JWT_LIFETIME at most, "iat" and "nbf" not after x->now + JWT_SKEW.
 */
enum jwt_err jwt_check(const struct jwt *t, const struct jwt_expect *x);

/*
 * Why: ->reason a stable word for the log line ("bad_alg", "expired",
 * ...), ->text a short English sentence for an error_description.
 */
const struct reason *jwt_why(enum jwt_err e);

#endif
