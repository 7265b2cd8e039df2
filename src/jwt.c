/*
 * jwt.c - an RS256 JWT assertion (RFC 7523): read strictly, verified with
 * a key from rsakey.c, its claims checked (doc/keys.md).
 *
 * The header decides before anything else is looked at: only "RS256" is
 * taken, so a token that names "none" or an HMAC (which a confused
 * verifier might key with the public key's PEM) is refused there and no
 * code path here computes an HMAC.  Header and claims must be one strict
 * JSON object each (jsonstrict.c, then json-c in strict mode), with no
 * member name twice: json-c keeps the last of two, so the members are
 * counted in the text and compared with what json-c kept.
 */
#include "jwt.h"

#include <json-c/json.h>
#include <string.h>
#include <strings.h>

#include "b64.h"
#include "jsonstrict.h"
#include "utf8.h"
#include "util.h"

/* Four hex digits, known to be there (json_check_object). */
static unsigned
hex4(const char *p)
{
	unsigned v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		char c = p[i];

		v = v << 4 | (unsigned)(c <= '9' ? c - '0' : (c | 0x20) - 'a' +
		    10);
	}
	return v;
}

/*
 * Members of the top-level object in text[0..n), which is known to be one
 * strict JSON object (json_check_object); -1 when a string anywhere holds
 * an escape json-c would not keep as written: \u0000, at which it would
 * cut a member name short, or half a surrogate pair, which it would
 * replace (RFC 8259 8.2).
 */
static long
count_members(const char *text, size_t n)
{
	long commas = 0;
	int depth = 0, in_string = 0, any = 0;
	size_t i;
	unsigned v;

	for (i = 0; i < n; i++) {
		char c = text[i];

		if (in_string) {
			if (c == '"')
				in_string = 0;
			if (c != '\\')
				continue;
			if (text[i + 1] != 'u') {
				i++;	/* the escaped character */
				continue;
			}
			v = hex4(text + i + 2);
			if (v == 0 || (v >= 0xdc00 && v <= 0xdfff))
				return -1;
			if (v >= 0xd800 && v <= 0xdbff) {
				if (n - i <= 11 || text[i + 6] != '\\' ||
				    text[i + 7] != 'u')
					return -1;
				v = hex4(text + i + 8);
				if (v < 0xdc00 || v > 0xdfff)
					return -1;
				i += 6;
			}
			i += 5;
			continue;
		}
		if (c == '"') {
			in_string = 1;
			any |= depth == 1;
		} else if (c == '{' || c == '[')
			depth++;
		else if (c == '}' || c == ']')
			depth--;
		else if (c == ',' && depth == 1)
			commas++;
		else if (c != ' ' && c != '\t' && c != '\r' && c != '\n' &&
		    depth == 1)
			any = 1;
	}
	return any ? commas + 1 : 0;
}

/*
 * One JSON object from a base64url part: strict (RFC 8259), no member
 * name twice.  buf holds JWT_MAX bytes.
 */
static enum jwt_err
part_object(const char *part, size_t len, char *buf, json_object **out)
{
	struct json_tokener *tok = NULL;
	json_object *root = NULL;
	long n, members;

	*out = NULL;
	n = b64_decode(part, len, buf, JWT_MAX - 1, B64_URL);
	if (n <= 0)
		return JWT_MALFORMED;
	buf[n] = '\0';
	if (json_check_object(buf, (size_t)n) != ERR_OK ||
	    (members = count_members(buf, (size_t)n)) < 0)
		return JWT_MALFORMED;
	tok = json_tokener_new_ex(JSON_DEPTH + 1);
	if (tok == NULL)
		return JWT_ERROR;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	root = json_tokener_parse_ex(tok, buf, (int)n);
	json_tokener_free(tok);
	if (root == NULL || !json_object_is_type(root, json_type_object) ||
	    json_object_object_length(root) != members) {
		json_object_put(root);
		return JWT_MALFORMED;
	}
	*out = root;
	return JWT_OK;
}

/* s[0..n): 1 to max bytes of UTF-8, no control character. */
static int
text_ok(const char *s, size_t n, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned long cp;
	size_t i = 0, k;

	if (n == 0 || n > max)
		return 0;
	while (i < n) {
		k = utf8_next(p + i, n - i, &cp);
		if (k == 0 || util_is_control(cp))
			return 0;
		i += k;
	}
	return 1;
}

/* A string member into out (max + 1 bytes). */
static enum jwt_err
string_member(json_object *o, const char *name, size_t max, char *out,
    enum jwt_err missing, enum jwt_err bad)
{
	json_object *v;
	const char *s;
	size_t n;

	if (!json_object_object_get_ex(o, name, &v))
		return missing;
	if (!json_object_is_type(v, json_type_string))
		return bad;
	s = json_object_get_string(v);
	n = (size_t)json_object_get_string_len(v);
	if (!text_ok(s, n, max))
		return bad;
	memcpy(out, s, n);
	out[n] = '\0';
	return JWT_OK;
}

/*
 * A NumericDate (RFC 7519 2) written as an integer: json-c gives integer
 * syntax, and only that, json_type_int.
 */
static enum jwt_err
time_member(json_object *o, const char *name, int64_t *out)
{
	json_object *v;
	int64_t t;

	if (!json_object_object_get_ex(o, name, &v))
		return JWT_MISSING_CLAIM;
	if (!json_object_is_type(v, json_type_int))
		return JWT_BAD_CLAIM;
	t = json_object_get_int64(v);	/* saturates above INT64_MAX */
	if (t < 1 || t > JWT_TIME_MAX)
		return JWT_BAD_CLAIM;
	*out = t;
	return JWT_OK;
}

/* "aud": one string or an array of them (RFC 7519 4.1.3). */
static enum jwt_err
aud_member(json_object *o, struct jwt *t)
{
	json_object *v, *item;
	size_t count, i, o_len = 0, n;
	int array;

	if (!json_object_object_get_ex(o, "aud", &v))
		return JWT_MISSING_CLAIM;
	array = json_object_is_type(v, json_type_array);
	if (!array && !json_object_is_type(v, json_type_string))
		return JWT_BAD_CLAIM;
	count = array ? json_object_array_length(v) : 1;
	if (count == 0 || count > JWT_AUD_MAX)
		return JWT_BAD_CLAIM;
	for (i = 0; i < count; i++) {
		item = array ? json_object_array_get_idx(v, i) : v;
		if (!json_object_is_type(item, json_type_string))
			return JWT_BAD_CLAIM;
		n = (size_t)json_object_get_string_len(item);
		if (!text_ok(json_object_get_string(item), n, JWT_AUD_LEN) ||
		    n + 1 > sizeof(t->aud) - o_len)
			return JWT_BAD_CLAIM;
		memcpy(t->aud + o_len, json_object_get_string(item), n);
		t->aud[o_len + n] = '\0';
		o_len += n + 1;
	}
	t->naud = count;
	return JWT_OK;
}

/* The JOSE header (RFC 7515 4): alg, crit, typ, kid. */
static enum jwt_err
header(json_object *h, struct jwt *t)
{
	json_object *v;

	if (!json_object_object_get_ex(h, "alg", &v) ||
	    !json_object_is_type(v, json_type_string) ||
	    json_object_get_string_len(v) != 5 ||
	    memcmp(json_object_get_string(v), "RS256", 5) != 0)
		return JWT_BAD_ALG;
	/* RFC 7515 4.1.11: an extension we do not know must be refused. */
	if (json_object_object_get_ex(h, "crit", NULL))
		return JWT_CRIT;
	if (json_object_object_get_ex(h, "typ", &v) &&
	    (!json_object_is_type(v, json_type_string) ||
	    json_object_get_string_len(v) != 3 ||
	    strncasecmp(json_object_get_string(v), "JWT", 3) != 0))
		return JWT_BAD_TYP;
	return string_member(h, "kid", JWT_KID_MAX, t->kid, JWT_BAD_KID,
	    JWT_BAD_KID);
}

static enum jwt_err
claims(json_object *c, struct jwt *t)
{
	enum jwt_err e;

	if ((e = string_member(c, "iss", JWT_ID_MAX, t->iss,
	    JWT_MISSING_CLAIM, JWT_BAD_CLAIM)) != JWT_OK ||
	    (e = string_member(c, "sub", JWT_ID_MAX, t->sub,
	    JWT_MISSING_CLAIM, JWT_BAD_CLAIM)) != JWT_OK ||
	    (e = aud_member(c, t)) != JWT_OK ||
	    (e = time_member(c, "iat", &t->iat)) != JWT_OK ||
	    (e = time_member(c, "exp", &t->exp)) != JWT_OK)
		return e;
	e = time_member(c, "nbf", &t->nbf);
	return e == JWT_MISSING_CLAIM ? JWT_OK : e;
}

static enum jwt_err
parse(const char *token, size_t len, struct jwt *t)
{
	const char *dot1, *dot2, *end;
	json_object *o = NULL;
	char buf[JWT_MAX];
	enum jwt_err e;
	long n;

	if (token == NULL || len == 0 || len > JWT_MAX)
		return JWT_MALFORMED;
	end = token + len;
	/* RFC 7515 7.1: exactly three parts, two periods. */
	dot1 = memchr(token, '.', len);
	if (dot1 == NULL)
		return JWT_MALFORMED;
	dot2 = memchr(dot1 + 1, '.', (size_t)(end - dot1 - 1));
	if (dot2 == NULL || memchr(dot2 + 1, '.', (size_t)(end - dot2 - 1))
	    != NULL)
		return JWT_MALFORMED;
	if ((e = part_object(token, (size_t)(dot1 - token), buf, &o)) !=
	    JWT_OK)
		return e;
	e = header(o, t);
	json_object_put(o);
	if (e != JWT_OK)
		return e;
	n = b64_decode(dot2 + 1, (size_t)(end - dot2 - 1), t->sig,
	    sizeof(t->sig), B64_URL);
	if (n <= 0)
		return JWT_MALFORMED;
	t->sig_len = (size_t)n;
	if ((e = part_object(dot1 + 1, (size_t)(dot2 - dot1 - 1), buf, &o)) !=
	    JWT_OK)
		return e;
	e = claims(o, t);
	json_object_put(o);
	if (e != JWT_OK)
		return e;
	/* RFC 7515 5.2 step 8: the signing input is the parts as sent. */
	t->signed_len = (size_t)(dot2 - token);
	memcpy(t->signed_part, token, t->signed_len);
	return JWT_OK;
}

enum jwt_err
jwt_parse(const char *token, size_t len, struct jwt *t)
{
	enum jwt_err e;

	memset(t, 0, sizeof(*t));
	e = parse(token, len, t);
	if (e != JWT_OK)
		memset(t, 0, sizeof(*t));	/* nothing half read */
	return e;
}

enum jwt_err
jwt_verify(const struct jwt *t, const struct rsakey *key)
{
	int rc;

	if (t->signed_len == 0 || key == NULL)
		return JWT_ERROR;
	rc = rsakey_verify_rs256(key, t->signed_part, t->signed_len, t->sig,
	    t->sig_len);
	if (rc < 0)
		return JWT_ERROR;
	return rc == 1 ? JWT_OK : JWT_BAD_SIGNATURE;
}

/* a equal to b, or equal but for one trailing '/' on either side. */
static int
aud_match(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la > 0 && a[la - 1] == '/')
		la--;
	if (lb > 0 && b[lb - 1] == '/')
		lb--;
	return la > 0 && la == lb && memcmp(a, b, la) == 0;
}

enum jwt_err
jwt_check(const struct jwt *t, const struct jwt_expect *x)
{
	const char *a = t->aud;
	size_t i;
	int found = 0;

	if (x->audience == NULL || x->subject == NULL || x->now < 0 ||
	    x->now > JWT_TIME_MAX || t->naud == 0)
		return JWT_ERROR;
	/* RFC 7523 3: iss and sub name the client, here the user. */
	if (strcmp(t->iss, x->subject) != 0)
		return JWT_WRONG_ISSUER;
	if (strcmp(t->sub, x->subject) != 0)
		return JWT_WRONG_SUBJECT;
	for (i = 0; i < t->naud; i++) {
		found |= aud_match(a, x->audience);
		a += strlen(a) + 1;
	}
	if (!found)
		return JWT_WRONG_AUDIENCE;
	/* RFC 7519 4.1.4: now must be before exp; no leeway there. */
	if (t->exp <= x->now)
		return JWT_EXPIRED;
	if (t->exp <= t->iat || t->exp - t->iat > JWT_LIFETIME)
		return JWT_TOO_LONG;
	if (t->iat > x->now + JWT_SKEW)
		return JWT_IAT_FUTURE;
	if (t->nbf != 0 && t->nbf > x->now + JWT_SKEW)
		return JWT_NOT_YET_VALID;
	return JWT_OK;
}

static const struct reason reasons[] = {
	[JWT_OK] = { "ok", "ok" },
	[JWT_MALFORMED] = { "malformed",
		"assertion is not a compact JWS of two JSON objects" },
	[JWT_BAD_ALG] = { "bad_alg", "alg must be RS256" },
	[JWT_BAD_KID] = { "bad_kid", "kid missing or invalid" },
	[JWT_BAD_TYP] = { "bad_typ", "typ must be JWT" },
	[JWT_CRIT] = { "crit", "crit is not supported" },
	[JWT_MISSING_CLAIM] = { "missing_claim",
		"iss, sub, aud, iat and exp are required" },
	[JWT_BAD_CLAIM] = { "bad_claim", "a claim has the wrong type or "
		"is out of range" },
	[JWT_BAD_SIGNATURE] = { "bad_signature", "signature invalid" },
	[JWT_WRONG_ISSUER] = { "wrong_issuer", "iss is not the user" },
	[JWT_WRONG_SUBJECT] = { "wrong_subject", "sub is not the user" },
	[JWT_WRONG_AUDIENCE] = { "wrong_audience",
		"aud does not hold the issuer" },
	[JWT_EXPIRED] = { "expired", "assertion expired" },
	[JWT_TOO_LONG] = { "too_long",
		"exp must be after iat and at most 1 hour after it" },
	[JWT_IAT_FUTURE] = { "iat_future", "iat is in the future" },
	[JWT_NOT_YET_VALID] = { "not_yet_valid",
		"assertion not yet valid (nbf)" },
	[JWT_ERROR] = { "error", "internal error" },
};

const struct reason *
jwt_why(enum jwt_err e)
{
	return UTIL_REASON(reasons, e, JWT_ERROR);
}
