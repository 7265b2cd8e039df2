/*
 * fcgibuf.c - wiping libfcgi's stream buffers, through the one piece of
 * its private layout we rely on.
 *
 * libfcgi (FastCGI-Archives/fcgi2, fcgiapp.c) reads the request into an
 * input buffer and builds the answer in an output buffer, and frees both
 * unwiped.  Its public FCGX_Stream points at them only partly (rdNext,
 * wrNext, stop); the bounds are in FCGX_Stream_Data, private to
 * fcgiapp.c, whose layout has not changed since libfcgi 2.4.0.  It is
 * mirrored below and checked before each use: the buffer pointers must
 * agree with the public ones and the back pointer must name our request.
 * A library with another layout fails the check, and we then wipe nothing
 * rather than write through a wrong guess (logged once).
 * tests/unit/test_fcgibuf.c pins the layout against the real library.
 */
#include "fcgibuf.h"

#include <fastcgi.h>
#include <stdint.h>
#include <string.h>

#include "log.h"
#include "secret.h"

/* libfcgi 2.4's FCGX_Stream_Data (fcgiapp.c), member for member. */
struct stream_data {
	unsigned char *buff;		/* buffer after alignment */
	int bufflen;			/* bytes buff can store */
	unsigned char *mBuff;		/* buffer as malloc returned it */
	unsigned char *buffStop;	/* reader: last valid byte + 1 */
	int type;			/* FCGI_STDIN, FCGI_STDOUT, ... */
	int eorStop;
	int skip;
	int contentLen;
	int paddingLen;
	int isAnythingWritten;
	int rawWrite;
	FCGX_Request *reqDataPtr;	/* the request the stream belongs to */
};

static const struct stream_data *
data_of(const FCGX_Request *r, const FCGX_Stream *s, int reader)
{
	const struct stream_data *d;
	const unsigned char *end;

	if (s == NULL || s->data == NULL || s->isReader != reader)
		return NULL;
	d = s->data;
	if (d->reqDataPtr != r || d->mBuff == NULL || d->buff < d->mBuff ||
	    d->buff >= d->mBuff + 8 || ((uintptr_t)d->buff & 7) != 0 ||
	    d->bufflen < 32 || d->bufflen > FCGI_MAX_LENGTH + 1)
		return NULL;
	end = d->buff + d->bufflen;
	if (reader) {
		if (d->type != FCGI_STDIN || d->buffStop < d->buff ||
		    d->buffStop > end || s->rdNext < d->buff ||
		    s->rdNext > d->buffStop)
			return NULL;
	} else {
		if (d->type != FCGI_STDOUT || s->stop != end ||
		    s->wrNext < d->buff || s->wrNext > end)
			return NULL;
	}
	return d;
}

int
fcgibuf_layout_ok(const FCGX_Request *r)
{
	static int warned;

	if (data_of(r, r->in, 1) != NULL && data_of(r, r->out, 0) != NULL)
		return 1;
	if (!warned) {
		warned = 1;
		log_msg(LOG_WARN, "libfcgi's buffers have a layout this build "
		    "does not know: they are not wiped (doc/security.md)");
	}
	return 0;
}

void
fcgibuf_wipe_read(FCGX_Request *r)
{
	const struct stream_data *d;

	if (!fcgibuf_layout_ok(r))
		return;
	d = data_of(r, r->in, 1);
	/* Read already: the parameters.  Past buffStop: earlier reads. */
	secret_wipe(d->buff, (size_t)(r->in->rdNext - d->buff));
	secret_wipe(d->buffStop, (size_t)(d->buff + d->bufflen - d->buffStop));
}

void
fcgibuf_wipe_all(FCGX_Request *r)
{
	const struct stream_data *d;

	if (!fcgibuf_layout_ok(r))
		return;
	d = data_of(r, r->in, 1);
	secret_wipe(d->buff, (size_t)d->bufflen);
	d = data_of(r, r->out, 0);
	secret_wipe(d->buff, (size_t)d->bufflen);
}

const unsigned char *
fcgibuf_peek(const FCGX_Request *r, const FCGX_Stream *s, size_t *len)
{
	const struct stream_data *d = data_of(r, s, s == r->in);

	if (d == NULL)
		return NULL;
	*len = (size_t)d->bufflen;
	return d->buff;
}
