/*
 * fcgibuf.h - libfcgi's stream buffers, which it frees unwiped: the part of
 * their private layout we rely on, checked before every use, and wiping
 * them (doc/security.md).
 *
 * The input buffer held the request's parameters, the bearer token among
 * them; the output buffer held the answer, the clear secret in it.
 */
#ifndef OIDC_SECRET_FCGIBUF_H
#define OIDC_SECRET_FCGIBUF_H

#include <stddef.h>

#include <fcgiapp.h>

/*
 * 1 when the request's input and output streams have the layout this
 * build knows (libfcgi 2.4's FCGX_Stream_Data): the buffers' bounds agree
 * with the public stream pointers and point back at the request.  Nothing
 * is wiped through a layout that fails this check.
 */
int fcgibuf_layout_ok(const FCGX_Request *r);

/*
 * After FCGX_Accept_r: wipes what the input buffer held that is already
 * read (the parameters), keeping the unread body bytes.
 */
void fcgibuf_wipe_read(FCGX_Request *r);

/* Before FCGX_Finish_r: wipes both buffers whole, whatever they hold. */
void fcgibuf_wipe_all(FCGX_Request *r);

/*
 * The buffer of a stream, for the tests that look inside it: *len bytes
 * at the returned address, or NULL when the layout check fails.
 */
const unsigned char *fcgibuf_peek(const FCGX_Request *r,
    const FCGX_Stream *s, size_t *len);

#endif
