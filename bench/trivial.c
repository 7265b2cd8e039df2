/*
 * trivial.c - the HTTP floor W: a FastCGI responder that answers a fixed
 * 200 and does nothing else, behind the same web server, driven by the same
 * wrk.  What oidc-secret adds on top of this is its overhead.
 */
#include <fcgiapp.h>
#include <string.h>

int
main(void)
{
	static const char answer[] =
	    "Status: 200 OK\r\n"
	    "Content-Type: text/plain\r\n"
	    "Content-Length: 3\r\n"
	    "\r\n"
	    "ok\n";
	FCGX_Request req;

	if (FCGX_Init() != 0 || FCGX_InitRequest(&req, 0, 0) != 0)
		return 1;
	while (FCGX_Accept_r(&req) >= 0) {
		FCGX_PutStr(answer, (int)(sizeof(answer) - 1), req.out);
		FCGX_Finish_r(&req);
	}
	return 0;
}
