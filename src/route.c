/*
 * route.c - request path -> the call it names, and its IDs (doc/api.md).
 *
 * The path is a list of segments; a route is a pattern of segments, some
 * of them {variables}, matched against the path's last segments.  What
 * comes before is the mount prefix the server put in front (/api,
 * /cgi-bin/oidc-secret.cgi, lighttpd's SCRIPT_NAME), which needs no
 * setting but may not hold a route's own first segment.  The path arrives
 * decoded by the server (RFC 3875 4.1.5, 4.1.13) and is never decoded a
 * second time; only the REQUEST_URI fallback is decoded, a segment at a
 * time.  IDs are slices of the path; route_check_id() judges them later,
 * in the service's order.
 */
#include "route.h"

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "utf8.h"
#include "util.h"

#define PATTERN_MAX 12		/* segments in a route's pattern */

static int
slice_is(struct slice s, const char *lit, size_t n)
{
	return s.n == n && memcmp(s.p, lit, n) == 0;
}

/*
 * The segments after each '/' (a leading '/' opens the first): "/a/b" is
 * "a", "b"; "/a/" is "a", ""; "/a//b" holds an empty segment.
 */
static void
split(char *buf, size_t len, int decode, struct path *out)
{
	size_t i = len > 0 && buf[0] == '/' ? 1 : 0;

	out->n = 0;
	if (len == 0)
		return;
	for (;;) {
		size_t start = i;

		while (i < len && buf[i] != '/')
			i++;
		if (out->n == ROUTE_SEGMENTS_MAX) {
			out->overflow = 1;
			return;
		}
		out->seg[out->n].p = buf + start;
		out->seg[out->n].n = decode ?
		    route_percent_decode(buf + start, i - start) : i - start;
		out->n++;
		if (i >= len)
			return;
		i++;
	}
}

int
route_request_path(const char *script_name, const char *path_info,
    const char *request_uri, struct path *out)
{
	size_t sn = script_name != NULL ? strlen(script_name) : 0;
	size_t pn = path_info != NULL ? strlen(path_info) : 0;
	int decode = 0;

	memset(out, 0, sizeof(*out));
	if (sn + pn == 0 && request_uri != NULL) {
		sn = strcspn(request_uri, "?#");
		script_name = request_uri;
		decode = 1;
	}
	out->buf = malloc(sn + pn + 1);
	if (out->buf == NULL)
		return -1;
	if (sn > 0)
		memcpy(out->buf, script_name, sn);
	if (pn > 0)
		memcpy(out->buf + sn, path_info, pn);
	out->buf[sn + pn] = '\0';
	out->len = sn + pn;
	split(out->buf, out->len, decode, out);
	return 0;
}

void
route_path_free(struct path *p)
{
	free(p->buf);
	memset(p, 0, sizeof(*p));
}

/* --- patterns ----------------------------------------------------------- */

struct pattern {
	struct slice seg[PATTERN_MAX];
	size_t n;
};

static int
pattern(const char *s, struct pattern *out)
{
	out->n = 0;
	while (*s == '/') {
		size_t k = strcspn(s + 1, "/");

		if (out->n == PATTERN_MAX)
			return -1;
		out->seg[out->n].p = s + 1;
		out->seg[out->n].n = k;
		out->n++;
		s += 1 + k;
	}
	return 0;
}

static int
is_var(struct slice s)
{
	return s.n > 2 && s.p[0] == '{' && s.p[s.n - 1] == '}';
}

/*
 * The segments a route may start with: a mount prefix holding one of them
 * would let any route hide behind another's path.
 */
static int
reserved(struct slice s)
{
	static const char *const first[] = {
		"management", "debug", "oauth", "oidc", ".well-known"
	};
	size_t i;

	if (s.n > 8 && memcmp(s.p, "zitadel.", 8) == 0)
		return 1;
	for (i = 0; i < sizeof(first) / sizeof(first[0]); i++)
		if (slice_is(s, first[i], strlen(first[i])))
			return 1;
	return 0;
}

struct match {
	size_t omitted;		/* variables whose segment was merged away */
	struct route_var var[ROUTE_VARS_MAX];
	size_t nvar;
};

/* The request slot a {name} fills: the request field of that proto name. */
static int
var_slot(const struct message *req, struct slice name, unsigned *slot)
{
	size_t i;

	for (i = 0; req != NULL && i < req->n; i++) {
		const struct field *f = &req->fields[i];
		const char *proto = f->proto != NULL ? f->proto : f->json;

		if (slice_is(name, proto, strlen(proto))) {
			*slot = f->slot;
			return 0;
		}
	}
	return -1;
}

/*
 * Matches pattern segments [0, pi) against path segments [0, si), from
 * the end.  A variable takes one segment, or none: lighttpd merges "//"
 * into "/", and "/projects//apps/A" should answer "ID missing", not "no
 * such path".  Fills m with the fewest omissions.
 */
static int
tail(const struct pattern *pt, size_t pi, const struct path *p, size_t si,
    const struct message *req, struct match *m)
{
	struct slice want;
	struct match a, b;
	int ra, rb;

	if (pi == 0) {
		size_t i;

		for (i = 0; i < si; i++)
			if (reserved(p->seg[i]))
				return -1;
		m->omitted = 0;
		m->nvar = 0;
		return 0;
	}
	want = pt->seg[pi - 1];
	if (!is_var(want)) {
		if (si == 0 || !slice_is(p->seg[si - 1], want.p, want.n))
			return -1;
		return tail(pt, pi - 1, p, si - 1, req, m);
	}
	ra = si > 0 ? tail(pt, pi - 1, p, si - 1, req, &a) : -1;
	rb = tail(pt, pi - 1, p, si, req, &b);
	if (ra != 0 && rb != 0)
		return -1;
	if (ra == 0 && (rb != 0 || a.omitted <= b.omitted + 1)) {
		*m = a;
		m->var[m->nvar].value = p->seg[si - 1];
	} else {
		*m = b;
		m->omitted++;
		m->var[m->nvar].value.p = "";
		m->var[m->nvar].value.n = 0;
	}
	want.p++;
	want.n -= 2;
	if (m->nvar == ROUTE_VARS_MAX ||
	    var_slot(req, want, &m->var[m->nvar].slot) != 0)
		return -1;
	m->nvar++;
	return 0;
}


/* 1 when the list names method exactly. */
static int
listed(const char *method, const char *list)
{
	size_t n = strlen(method);
	const char *p = list;

	while (*p != '\0') {
		size_t k = strcspn(p, ", ");

		if (k == n && memcmp(p, method, n) == 0)
			return 1;
		p += k;
		p += strspn(p, ", ");
	}
	return 0;
}

static void
allow_add(char *allow, size_t cap, const char *methods)
{
	const char *p = methods;

	while (*p != '\0') {
		size_t k = strcspn(p, ", "), n = strlen(allow);
		char one[16];

		if (k < sizeof(one)) {
			memcpy(one, p, k);
			one[k] = '\0';
			if (!listed(one, allow) && n + k + 3 < cap) {
				if (n > 0)
					memcpy(allow + n, ", ", 2), n += 2;
				memcpy(allow + n, one, k + 1);
			}
		}
		p += k;
		p += strspn(p, ", ");
	}
}

static void
consider(const char *method, const struct call_def *d, enum family fam,
    const char *spelling, const char *methods, const struct path *p,
    struct route *out, size_t *best)
{
	struct pattern pt;
	struct match m;
	int ok;

	if (spelling == NULL || pattern(spelling, &pt) != 0 ||
	    tail(&pt, pt.n, p, p->n, d->req, &m) != 0 || m.omitted > *best)
		return;
	if (m.omitted < *best) {
		/* A closer match: forget the looser ones and their methods. */
		*best = m.omitted;
		out->def = NULL;
		out->allow[0] = '\0';
	}
	allow_add(out->allow, sizeof(out->allow), methods);
	/* RFC 9110 9.3.2: where GET is, HEAD is too. */
	if (listed("GET", methods))
		allow_add(out->allow, sizeof(out->allow), "HEAD");
	/* RFC 9110 9.3.2: HEAD is GET without the body. */
	ok = method != NULL && (listed(method, methods) ||
	    (strcmp(method, "HEAD") == 0 && listed("GET", methods)));
	if (out->def != NULL && (out->method_ok || !ok))
		return;
	out->def = d;
	out->family = fam;
	out->method_ok = ok;
	memcpy(out->var, m.var, sizeof(m.var));
	out->nvar = m.nvar;
}

void
route_match(const char *method, const struct path *p, struct route *out)
{
	size_t i, best = (size_t)-1;

	memset(out, 0, sizeof(*out));
	if (p->overflow || p->n == 0)
		return;
	for (i = 0; i < ncalls; i++) {
		const struct call_def *d = &calls[i];

		consider(method, d, d->family, d->path, d->methods, p, out,
		    &best);
		consider(method, d, FAMILY_REST, d->rest_path, d->rest_method,
		    p, out, &best);
	}
}

/* --- IDs and escapes --------------------------------------------------- */

size_t
route_percent_decode(char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		int hi, lo;

		if (s[i] == '%' && i + 2 < len &&
		    (hi = util_hexval(s[i + 1])) >= 0 &&
		    (lo = util_hexval(s[i + 2])) >= 0) {
			s[n++] = (char)(hi << 4 | lo);
			i += 2;
		} else
			s[n++] = s[i];
	}
	return n;
}

enum err
route_check_id(struct slice id)
{
	const unsigned char *s = (const unsigned char *)id.p;
	size_t i = 0, chars = 0;

	if (id.n == 0)
		return ERR_ID_MISSING;
	while (i < id.n) {
		unsigned long cp;
		size_t k = utf8_next(s + i, id.n - i, &cp);

		/* C0, DEL and C1 are control characters (Unicode Cc). */
		if (k == 0 || util_is_control(cp))
			return ERR_INVALID_ARGUMENT;
		if (++chars > ID_MAX)
			return ERR_INVALID_ARGUMENT;
		i += k;
	}
	return ERR_OK;
}
