/*
 * media.h - a Content-Type header's media type (RFC 9110 8.3.1), parsed
 * once for every codec.
 */
#ifndef OIDC_SECRET_MEDIA_H
#define OIDC_SECRET_MEDIA_H

#define MEDIA_TYPE_MAX 96

struct media {
	/* type "/" subtype, lowercased; "" when the header is absent */
	char type[MEDIA_TYPE_MAX];
	int malformed;		/* present, but no type/subtype to read */
	/* a charset parameter other than utf-8 (quoted or not) is there */
	int foreign_charset;
};

void media_parse(const char *content_type, struct media *out);

/* 1 when the type is exactly type (lowercase) */
int media_is(const struct media *m, const char *type);

/* 1 when the type starts with prefix (lowercase) */
int media_has_prefix(const struct media *m, const char *prefix);

#endif
