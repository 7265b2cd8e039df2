/*
 * media.c - a Content-Type header's media type (RFC 9110 8.3.1): type and
 * subtype are case-insensitive, parameters follow ';'.  The codecs ask
 * only for the type and whether a charset other than UTF-8 was named.
 */
#include "media.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

static int
charset_foreign(const char *params)
{
	const char *p = params;

	while ((p = strchr(p, ';')) != NULL) {
		p++;
		p += strspn(p, " \t");
		if (strncasecmp(p, "charset=", 8) != 0)
			continue;
		p += 8;
		if (*p == '"')
			p++;
		if (strncasecmp(p, "utf-8", 5) != 0 ||
		    strchr("\"; \t", p[5]) == NULL)
			return 1;
	}
	return 0;
}

void
media_parse(const char *ct, struct media *out)
{
	size_t n, i;

	memset(out, 0, sizeof(*out));
	if (ct == NULL)
		return;
	ct += strspn(ct, " \t");
	n = strcspn(ct, "; \t");
	if (n == 0 || n >= sizeof(out->type) || memchr(ct, '/', n) == NULL) {
		out->malformed = 1;
		return;
	}
	for (i = 0; i < n; i++)
		out->type[i] = (char)tolower((unsigned char)ct[i]);
	out->type[n] = '\0';
	out->foreign_charset = charset_foreign(ct + n);
}

int
media_is(const struct media *m, const char *type)
{
	return strcmp(m->type, type) == 0;
}

int
media_has_prefix(const struct media *m, const char *prefix)
{
	return strncmp(m->type, prefix, strlen(prefix)) == 0;
}
