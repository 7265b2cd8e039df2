/*
 * b64.h - base64 (RFC 4648 section 4), once for every wire that needs it:
 * gRPC-web-text bodies, the PHC hash strings, Connect's error details, PEM
 * bodies; and base64url (section 5) for the parts of a JWS.
 */
#ifndef OIDC_SECRET_B64_H
#define OIDC_SECRET_B64_H

#include <stddef.h>

/* Characters of the padded encoding of n bytes, without the NUL. */
#define B64_LEN(n) (4 * (((n) + 2) / 3))

enum b64_form {
	B64_PADDED,	/* groups of four, '=' fills the last one */
	B64_UNPADDED,	/* no '=' at all (PHC strings, Connect details) */
	B64_CHUNKED,	/* padded, and '=' may end any group: separately
			 * encoded chunks back to back (gRPC-web-text) */
	B64_URL		/* base64url (RFC 4648 section 5): '-' and '_' for
			 * '+' and '/', no '=' at all (RFC 7515 2: JWS) */
};

/*
 * Encodes len bytes into out (B64_LEN(len) + 1 bytes), NUL-terminated;
 * B64_CHUNKED encodes as B64_PADDED, B64_URL without padding.  Returns the
 * characters written.
 */
size_t b64_encode(const void *in, size_t len, char *out, enum b64_form form);

/*
 * Decodes in[0..len) in the given form into out, at most max bytes.
 * Returns the bytes written, or -1 for a character outside the alphabet, a
 * length or '=' the form does not allow, more than max bytes, or non-zero
 * bits left over at the end of a group (only the canonical encoding of a
 * value is accepted, so one value has one spelling).
 */
long b64_decode(const char *in, size_t len, void *out, size_t max,
    enum b64_form form);

#endif
