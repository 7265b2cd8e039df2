"""gRPC-web end to end with ZITADEL's published client (doc/api.md).

tests/grpcweb/client.mjs runs @zitadel/proto's ManagementService on
connect-node's gRPC-web transport (HTTP/1.1, chunked body, no
Content-Length), against the real web servers.  Raw requests check the
framing, text mode and trailers-only errors byte for byte.
"""

import base64
import json
import os
import subprocess
import unittest
import urllib.parse

from grpcwire import frame, frames, request_frame
from harness import (ERRORS, GRPC_PATH, SECRET_RE, env, http, php_verify,
                     verify_hash)

HERE = os.path.dirname(os.path.abspath(__file__))
CLIENT_DIR = os.path.join(os.path.dirname(HERE), "grpcweb")
_npm_done = False


def npm_ci():
    global _npm_done
    if _npm_done:
        return
    if not os.path.isdir(os.path.join(CLIENT_DIR, "node_modules", "@zitadel")):
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                       cwd=CLIENT_DIR, check=True, stdout=subprocess.DEVNULL)
    _npm_done = True


def client(base_url, token, project, app, org=None):
    e = dict(os.environ, BASE_URL=base_url, TOKEN=token or "", PROJECT_ID=project,
             APP_ID=app, ORG_ID=org or "", TIMEOUT_MS="30000")
    out = subprocess.run(["node", os.path.join(CLIENT_DIR, "client.mjs")], env=e,
                         capture_output=True, text=True, timeout=60)
    if out.returncode != 0:
        raise RuntimeError("client.mjs exit %d: %s" % (out.returncode, out.stderr))
    return json.loads(out.stdout.strip().splitlines()[-1])


class ViaClient(unittest.TestCase):
    """The published client through lighttpd (bin-path)."""
    server = "default"

    @classmethod
    def setUpClass(cls):
        npm_ci()
        cls.env = env()
        cls.web = cls.env.server(cls.server)
        cls.base = cls.web.base_url()

    def assert_grpc_error(self, res, kind):
        code, eid, text, _ = ERRORS[kind]
        self.assertEqual(res, {"ok": False, "code": code,
                               "message": "%s (%s)" % (text, eid)})

    def refused(self, kind, w, **kw):
        before = self.env.snapshot()
        args = dict(token=w.token, project=w.project, app=w.app)
        args.update(kw)
        res = client(self.base, args["token"], args["project"], args["app"], args.get("org"))
        self.assert_grpc_error(res, kind)
        self.assertEqual(self.env.snapshot(), before, "an error wrote to the database")

    def test_success(self):
        e = self.env
        w = e.world()
        seq0 = e.sequence(w.project)
        res = client(self.base, w.token, w.project, w.app)
        self.assertTrue(res["ok"], res)
        self.assertRegex(res["clientSecret"], SECRET_RE)
        e.secrets_seen.add(res["clientSecret"])
        self.assertEqual(res["sequence"], str(seq0 + 1))
        self.assertEqual(res["resourceOwner"], w.org)
        # 2026-11-27T10:11:12.123456Z, the app's creation time
        self.assertEqual(res["creationDate"], {"seconds": "1795774272", "nanos": 123456000})
        change = e.q1("SELECT UNIX_TIMESTAMP(change_date), MICROSECOND(change_date)"
                      " FROM projects WHERE id = %s", w.project)
        self.assertEqual(res["changeDate"], {"seconds": str(int(change[0])),
                                             "nanos": change[1] * 1000})
        stored = e.stored_hash(w.app)
        self.assertTrue(verify_hash(res["clientSecret"], stored))
        self.assertTrue(php_verify(res["clientSecret"], stored))
        self.assertEqual(e.q1("SELECT COUNT(*) FROM events WHERE aggregate_id = %s"
                              " AND sequence = %s", w.project, seq0 + 1)[0], 1)

    def test_unauthenticated_16(self):
        w = self.env.world()
        self.refused("auth_missing", w, token=None)
        self.refused("token_invalid", w, token="not-a-token")

    def test_permission_denied_7(self):
        e = self.env
        w = e.world()
        self.refused("org_not_found", w, org="404404")
        other = e.world(role="ORG_USER_MANAGER")
        self.refused("permission_denied", other)

    def test_not_found_5(self):
        w = self.env.world()
        self.refused("app_not_found", w, app="777777")

    def test_invalid_argument_3(self):
        w = self.env.world()
        self.refused("app_not_oidc", w, app=w.api_app)
        self.refused("id_missing", w, project="")
        self.refused("invalid_argument", w, app="\u0085x")
        self.refused("invalid_argument", w, app="a" * 201)


class ViaClientApacheFcgid(ViaClient):
    """The published client through Apache mod_fcgid (apache-conf/): its
    chunked body reaches the responder, as do Authorization and the org."""
    server = "apache-fcgid"


class Raw(unittest.TestCase):
    """Framing on the wire: binary, text, trailers-only errors."""

    @classmethod
    def setUpClass(cls):
        cls.env = env()
        cls.port = cls.env.lighttpd("default").port

    def post(self, body, ctype="application/grpc-web+proto", token=None, chunked=False):
        h = {"Content-Type": ctype, "X-Grpc-Web": "1"}
        if token:
            h["Authorization"] = "Bearer " + token
        return http(self.port, "POST", GRPC_PATH, h, body, chunked=chunked)

    def test_binary_success_frames(self):
        w = self.env.world()
        r = self.post(request_frame(w.project, w.app), token=w.token)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.header("Content-Type"), "application/grpc-web+proto")
        self.assertEqual(r.header("Cache-Control"), "no-store")
        fs = frames(r.body)
        self.assertEqual([f[0] for f in fs], [0x00, 0x80])
        self.assertEqual(fs[1][1], b"grpc-status:0\r\ngrpc-message:\r\n")
        msg = fs[0][1]
        self.assertEqual(msg[0], 0x0A)          # client_secret, field 1
        self.assertEqual(msg[1], 64)
        secret = msg[2:66].decode()
        self.env.secrets_seen.add(secret)
        self.assertRegex(secret, SECRET_RE)
        self.assertTrue(verify_hash(secret, self.env.stored_hash(w.app)))

    def test_text_mode_round_trip(self):
        w = self.env.world()
        body = base64.b64encode(request_frame(w.project, w.app))
        r = self.post(body, ctype="application/grpc-web-text", token=w.token, chunked=True)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.header("Content-Type"), "application/grpc-web-text+proto")
        fs = frames(base64.b64decode(r.body))
        self.assertEqual([f[0] for f in fs], [0x00, 0x80])
        self.env.secrets_seen.add(fs[0][1][2:66].decode())

    def test_trailers_only_error(self):
        w = self.env.world()
        before = self.env.snapshot()
        r = self.post(request_frame(w.project, "777777"), token=w.token)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, b"")
        self.assertEqual(r.header("grpc-status"), "5")
        self.assertEqual(urllib.parse.unquote(r.header("grpc-message")),
                         "Application doesn't exist (COMMAND-2g66f)")
        self.assertEqual(self.env.snapshot(), before)

    def test_bad_frames_are_invalid_argument(self):
        w = self.env.world()
        good = request_frame(w.project, w.app)
        cases = {
            "empty": b"", "short header": b"\x00\x00\x00",
            "length past the end": b"\x00\x00\x00\x01\x00ab",
            "two frames": good + good, "compressed": b"\x01" + good[1:],
            "trailer flag": b"\x80" + good[1:], "garbage": frame(b"\xff\xff\xff\xff"),
        }
        for name, body in cases.items():
            with self.subTest(case=name):
                before = self.env.snapshot()
                r = self.post(body, token=w.token)
                self.assertEqual(r.status, 200)
                self.assertEqual(r.header("grpc-status"), "3", r.headers)
                self.assertEqual(urllib.parse.unquote(r.header("grpc-message")),
                                 "invalid request body (OSF-RQ400)")
                self.assertEqual(self.env.snapshot(), before)


if __name__ == "__main__":
    unittest.main()
