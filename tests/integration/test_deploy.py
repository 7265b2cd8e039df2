"""Each shipped deployment, proven in the real server.

The same REST cases run through every mode, each server started with the
shipped configuration as it is (Apache Include, lighttpd include, the
cgi-bin/ files copied as an account uploads them):

    lighttpd bin-path         lighttpd-conf/oidc-secret.conf
    lighttpd external socket  lighttpd-conf/oidc-secret-socket.conf + spawn-fcgi
    Apache mod_fcgid          apache-conf/oidc-secret-fcgid.conf
    Apache mod_fcgid, a site  apache-conf/oidc-secret-fcgid-vhost.conf
    Apache mod_proxy_fcgi     apache-conf/oidc-secret-proxy-fcgi.conf + spawn-fcgi
    Apache mod_cgi            cgi-bin/.htaccess + cgi-bin/oidc-secret.cgi
    Apache mod_cgi, cgi-bin   Debian's serve-cgi-bin.conf + apache-conf/oidc-secret-cgi.conf

(every call of every API, and CORS preflights, in each), then the traps
of a real install: Debian's cgi-bin ignoring .htaccess, an unreadable or
bad configuration under mod_cgi and mod_cgid, a daemonized lighttpd and
log_file; the systemd units, the process life (SIGTERM and SIGUSR1 while a
slow request is in hand), and the deploy documents' links to the shipped
files.
"""

import json
import os
import pwd
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import unittest

from grpcwire import request_frame
from harness import (error_body, DATE_RE, ERRORS, GRPC_PATH, REST_PATH, SECRET_RE,
                     env, http, new_id, php_verify, rest, st, verify_hash)

# Every file a deployment takes from the tree, as the deploy documents link it.
SHIPPED = [
    "lighttpd-conf/oidc-secret.conf",
    "lighttpd-conf/oidc-secret-socket.conf",
    "apache-conf/oidc-secret-fcgid.conf",
    "apache-conf/oidc-secret-fcgid-vhost.conf",
    "apache-conf/oidc-secret-proxy-fcgi.conf",
    "apache-conf/oidc-secret-cgi.conf",
    "apache-conf/systemd/oidc-secret.socket",
    "apache-conf/systemd/oidc-secret.service",
    "cgi-bin/.htaccess",
    "cgi-bin/oidc-secret.cgi",
]

# A hash that takes about a second: long enough to signal the process while
# it holds the request.
SLOW = {"hash_algorithm": "argon2id", "argon2_memory_kib": 131072, "argon2_iterations": 6}

API_REST_PATH = "/management/v1/projects/%s/apps/%s/api_config/_generate_client_secret"
GRPC_API_PATH = "/zitadel.management.v1.ManagementService/RegenerateAPIClientSecret"
V2_PATH = "/zitadel.application.v2.ApplicationService/GenerateClientSecret"
V2BETA_PATH = "/zitadel.app.v2beta.AppService/RegenerateClientSecret"
ORIGIN = "https://app.example.org"


class Modes:
    """The REST cases; a subclass per mode names its server (Env.server)."""
    server = None
    # lighttpd in front, else Apache: lighttpd refuses C0 controls and bytes
    # that are not UTF-8 in a path with its own 400, Apache passes them on.
    lighttpd = False
    # The status the server itself answers a 200 KiB body with, sent with
    # a Content-Length or chunked; None: it reaches the responder, whose cap
    # (max_body_bytes) is 65536.
    over_cap_length = None
    over_cap_chunked = None

    @classmethod
    def setUpClass(cls):
        cls.env = env()
        cls.web = cls.env.server(cls.server)
        cls.port = cls.web.port

    def call(self, w, **kw):
        kw.setdefault("token", w.token)
        return rest(self.port, kw.pop("project", w.project), kw.pop("app", w.app), **kw)

    def assert_error(self, r, kind):
        code, eid, text, status = ERRORS[kind]
        self.assertEqual(r.status, status, r.body[:300])
        self.assertEqual(r.header("Content-Type"), "application/json")
        self.assertEqual(r.header("Cache-Control"), "no-store")
        self.assertEqual(r.json(), error_body(kind))

    def assert_refused(self, kind, w, **kw):
        before = self.env.snapshot()
        r = self.call(w, **kw)
        self.assert_error(r, kind)
        self.assertEqual(self.env.snapshot(), before, "an error wrote to the database")
        return r

    def assert_server_refused(self, r, status, before):
        """The web server answered itself (its own page), nothing was written."""
        self.assertEqual(r.status, status, r.body[:300])
        self.assertNotEqual(r.header("Content-Type"), "application/json")
        self.assertEqual(self.env.snapshot(), before, "a refused request wrote")

    def assert_committed(self, r, w, seq0, verify_php=True):
        """200 with the body of a regeneration, and exactly one change stored."""
        e = self.env
        self.assertEqual(r.status, 200, r.body[:300])
        self.assertEqual(r.header("Content-Type"), "application/json")
        body = r.json()
        self.assertEqual(set(body), {"clientSecret", "details"})
        self.assertEqual(set(body["details"]),
                         {"sequence", "creationDate", "changeDate", "resourceOwner"})
        secret = body["clientSecret"]
        self.assertRegex(secret, SECRET_RE)
        e.secrets_seen.add(secret)
        self.assertRegex(body["details"]["changeDate"], DATE_RE)
        self.assertEqual(body["details"]["sequence"], str(seq0 + 1))
        self.assertEqual(e.sequence(w.project), seq0 + 1)
        stored = e.stored_hash(w.app)
        self.assertTrue(verify_hash(secret, stored), stored)
        if verify_php:
            self.assertTrue(php_verify(secret, stored))
        events = e.q("SELECT sequence FROM events WHERE aggregate_id = %s AND"
                     " event_type = 'project.application.config.oidc.secret.changed'",
                     w.project)
        self.assertEqual(events, [(seq0 + 1,)])
        return body

    def test_success(self):
        e = self.env
        w = e.world()
        seq0 = e.sequence(w.project)
        body = self.assert_committed(self.call(w), w, seq0)
        self.assertEqual(body["details"]["resourceOwner"], w.org)
        self.assertEqual(body["details"]["creationDate"], "2026-11-27T10:11:12.123456Z")

    def test_authorization_reaches_the_responder(self):
        e = self.env
        w = e.world()
        self.assert_refused("auth_missing", w, token=None)
        self.assert_refused("token_invalid", w, token="not-" + w.token)
        seq0 = e.sequence(w.project)
        self.assert_committed(self.call(w, headers={"Authorization": "bearer " + w.token}),
                              w, seq0, verify_php=False)

    def test_org_header_reaches_the_responder(self):
        e = self.env
        w = e.world()
        self.assert_refused("org_not_found", w, org="404404404")
        # An instance admin of another org acts in w's org only by the header.
        home = e.org()
        admin = e.user(home, roles=[("instance", "", "IAM_OWNER")])
        tok = e.token(admin)
        self.assert_refused("app_not_found", w, token=tok)
        seq0 = e.sequence(w.project)
        body = self.assert_committed(self.call(w, token=tok, org=w.org), w, seq0,
                                     verify_php=False)
        self.assertEqual(body["details"]["resourceOwner"], w.org)

    def test_chunked_body_without_content_length(self):
        e = self.env
        w = e.world()
        seq0 = e.sequence(w.project)
        self.assert_committed(self.call(w, body=b'{"a": "' + b"x" * 100 + b'"}',
                                        chunked=True), w, seq0, verify_php=False)
        # Chunked and not JSON: the body did reach the responder.
        self.assert_refused("bad_body", w, body=b"[" * 10, chunked=True)

    def test_unknown_path_404_and_other_method_405(self):
        w = self.env.world()
        for path in ("/management/v1/projects", "/management/v1/x",
                     "/zitadel.management.v1.ManagementService/Other"):
            with self.subTest(path=path):
                before = self.env.snapshot()
                self.assert_error(http(self.port, "POST", path, body=b"{}"),
                                  "route_not_found")
                self.assertEqual(self.env.snapshot(), before)
        for method in ("GET", "PUT", "DELETE"):
            with self.subTest(method=method):
                r = self.assert_refused("method_not_allowed", w, method=method,
                                        body=b"" if method == "GET" else b"{}",
                                        content_type=None)
                self.assertEqual(r.header("Allow"), "POST")
        r = http(self.port, "GET", GRPC_PATH)
        self.assert_error(r, "method_not_allowed")
        self.assertEqual(r.header("Allow"), "POST")

    def test_body_too_large(self):
        w = self.env.world()
        big = b'{"a":"' + b"x" * (64 * 1024) + b'"}'
        self.assert_refused("body_too_large", w, body=big)
        self.assert_refused("body_too_large", w, body=big, chunked=True)
        # Past the server's own cap, if it has one: the server answers.
        huge = b'{"a":"' + b"x" * (200 * 1024) + b'"}'
        for chunked, expect in ((False, self.over_cap_length),
                                (True, self.over_cap_chunked)):
            with self.subTest(chunked=chunked, size=len(huge)):
                if expect is None:
                    self.assert_refused("body_too_large", w, body=huge, chunked=chunked)
                else:
                    before = self.env.snapshot()
                    r = self.call(w, body=huge, chunked=chunked)
                    self.assert_server_refused(r, expect, before)

    def test_control_characters_and_bytes_not_utf8_in_an_id(self):
        w = self.env.world()
        for project in ("a%01b", "a%1Fb", "a%7Fb", "a%0Ab", "a%FFb", "%C0%AF"):
            with self.subTest(project=project):
                if self.lighttpd:
                    before = self.env.snapshot()
                    self.assert_server_refused(self.call(w, project=project), 400, before)
                else:
                    self.assert_refused("invalid_argument", w, project=project)
        # A C1 control arrives everywhere (it is valid UTF-8).
        self.assert_refused("invalid_argument", w, app="a%C2%85b")

    def test_empty_id(self):
        w = self.env.world()
        # Apache and lighttpd both merge "//": the responder knows the shape.
        self.assert_refused("id_missing", w, project="")
        self.assert_refused("id_missing", w, app="")
        self.assert_refused("id_missing", w, project="", app="")

    def test_encoded_slash_in_an_id(self):
        w = self.env.world()
        before = self.env.snapshot()
        r = self.call(w, project="a%2Fb")
        if self.lighttpd:
            # lighttpd decodes it: one segment more, an unknown path.
            self.assert_error(r, "route_not_found")
            self.assertEqual(self.env.snapshot(), before)
        else:
            # Apache refuses it (AllowEncodedSlashes Off, its default).
            self.assert_server_refused(r, 404, before)

    def test_path_decoded_exactly_once(self):
        e = self.env
        w = e.world()
        # "%2541" must arrive as "%41" (not "A"), "%20" as a space.
        p = e.project(w.org, pid=new_id("3") + " x%41")
        a = e.app(p)
        seq0 = e.sequence(p)
        r = self.call(w, project=p.replace("%", "%25").replace(" ", "%20"), app=a)
        self.assertEqual(r.status, 200, r.body[:300])
        self.assertEqual(r.json()["details"]["sequence"], str(seq0 + 1))
        e.secrets_seen.add(r.json()["clientSecret"])

    def test_grpcweb_call(self):
        e = self.env
        w = e.world()
        seq0 = e.sequence(w.project)
        r = http(self.port, "POST", GRPC_PATH,
                 {"Content-Type": "application/grpc-web+proto", "X-Grpc-Web": "1",
                  "Authorization": "Bearer " + w.token},
                 request_frame(w.project, w.app))
        self.assertEqual(r.status, 200)
        self.assertEqual(r.header("Content-Type"), "application/grpc-web+proto")
        self.assertTrue(r.body.endswith(b"\x80\x00\x00\x00\x1egrpc-status:0\r\n"
                                        b"grpc-message:\r\n"), r.body[-40:])
        secret = r.body[7:71].decode()
        e.secrets_seen.add(secret)
        self.assertTrue(verify_hash(secret, e.stored_hash(w.app)))
        self.assertEqual(e.sequence(w.project), seq0 + 1)
        # Trailers-only error: Authorization reached it here too.
        r = http(self.port, "POST", GRPC_PATH,
                 {"Content-Type": "application/grpc-web+proto"},
                 request_frame(w.project, w.app))
        self.assertEqual((r.status, r.header("grpc-status")), (200, "16"))

    def test_health(self):
        for path in ("/debug/healthz", "/debug/ready"):
            with self.subTest(path=path):
                r = http(self.port, "GET", path)
                self.assertEqual((r.status, r.body), (200, b"ok\n"))

    def test_every_call_of_every_api(self):
        """API apps over REST and gRPC-web, ZITADEL's v2 and v2beta calls over
        Connect JSON: each path reaches the responder and changes one secret."""
        e = self.env
        w = e.world()
        auth = {"Authorization": "Bearer " + w.token}

        def api_hash():
            return e.q1("SELECT client_secret_hash FROM api_configs WHERE app_id = %s",
                        w.api_app)[0]
        calls = (
            ("api_config REST", lambda: rest(self.port, w.project, w.api_app, token=w.token,
                                             path=API_REST_PATH % (w.project, w.api_app)),
             lambda r: r.json()["clientSecret"], api_hash),
            ("gRPC-web API", lambda: http(self.port, "POST", GRPC_API_PATH, dict(
                auth, **{"Content-Type": "application/grpc-web+proto"}),
                request_frame(w.project, w.api_app)),
             lambda r: r.body[7:71].decode(), api_hash),
            ("application.v2", lambda: http(self.port, "POST", V2_PATH, dict(
                auth, **{"Content-Type": "application/json"}),
                json.dumps({"applicationId": w.app, "projectId": w.project})),
             lambda r: r.json()["clientSecret"], lambda: e.stored_hash(w.app)),
            ("app.v2beta", lambda: http(self.port, "POST", V2BETA_PATH, dict(
                auth, **{"Content-Type": "application/json"}),
                json.dumps({"projectId": w.project, "applicationId": w.api_app,
                            "isApi": True})),
             lambda r: r.json()["clientSecret"], api_hash),
        )
        for name, call, secret_of, stored in calls:
            with self.subTest(call=name):
                seq0 = e.sequence(w.project)
                r = call()
                self.assertEqual(r.status, 200, r.body[:300])
                secret = secret_of(r)
                self.assertRegex(secret, SECRET_RE)
                e.secrets_seen.add(secret)
                self.assertTrue(verify_hash(secret, stored()))
                self.assertEqual(e.sequence(w.project), seq0 + 1)

    def test_cors_preflight_reaches_the_responder(self):
        """OPTIONS on each call's path is the responder's 204 (its own
        headers), with no token, and changes nothing."""
        w = self.env.world()
        for path in (REST_PATH % (w.project, w.app), API_REST_PATH % (w.project, w.api_app),
                     GRPC_PATH, GRPC_API_PATH, V2_PATH, V2BETA_PATH):
            with self.subTest(path=path):
                before = self.env.snapshot()
                r = http(self.port, "OPTIONS", path, {
                    "Origin": ORIGIN, "Access-Control-Request-Method": "POST",
                    "Access-Control-Request-Headers": "authorization, content-type"})
                self.assertEqual(r.status, 204, r.body[:300])
                self.assertEqual(r.header("Access-Control-Allow-Origin"), ORIGIN)
                self.assertIn("POST", r.header("Access-Control-Allow-Methods"))
                self.assertIn("authorization", r.header("Access-Control-Allow-Headers"))
                self.assertEqual(r.header("Cache-Control"), "no-store")
                self.assertEqual(self.env.snapshot(), before)
        # And the answer to the call itself names the origin.
        r = rest(self.port, w.project, w.app, token=w.token, headers={"Origin": ORIGIN})
        self.assertEqual(r.status, 200, r.body[:300])
        self.env.secrets_seen.add(r.json()["clientSecret"])
        self.assertEqual(r.header("Access-Control-Allow-Origin"), ORIGIN)


class LighttpdBinPath(Modes, unittest.TestCase):
    """lighttpd spawns the responders (lighttpd-conf/oidc-secret.conf)."""
    server = "default"
    lighttpd = True


class LighttpdSocket(Modes, unittest.TestCase):
    """lighttpd to a responder spawn-fcgi started (oidc-secret-socket.conf)."""
    server = "lighttpd-socket"
    lighttpd = True


class ApacheFcgid(Modes, unittest.TestCase):
    """Apache + mod_fcgid (apache-conf/oidc-secret-fcgid.conf).  mod_fcgid
    reads the whole body first, up to FcgidMaxRequestLen (131072): the
    shipped config answers a larger Content-Length with Apache's own 413,
    and mod_fcgid a larger chunked body with its 500."""
    server = "apache-fcgid"
    over_cap_length = 413
    over_cap_chunked = 500


class ApacheFcgidVhost(Modes, unittest.TestCase):
    """Apache + mod_fcgid as a site of its own
    (apache-conf/oidc-secret-fcgid-vhost.conf); mod_fcgid's caps as above."""
    server = "apache-fcgid-vhost"
    over_cap_length = 413
    over_cap_chunked = 500


class ApacheProxyFcgi(Modes, unittest.TestCase):
    """Apache + mod_proxy_fcgi to spawn-fcgi (oidc-secret-proxy-fcgi.conf)."""
    server = "apache-proxy-fcgi"


class ApacheCgi(Modes, unittest.TestCase):
    """Shared hosting: Apache mod_cgi set up by cgi-bin/.htaccess alone."""
    server = "apache-cgi"

    def test_configuration_outside_the_web_root(self):
        root = os.path.join(self.web.dir, "htdocs")
        self.assertEqual(sorted(os.listdir(root)), [".htaccess", "oidc-secret.cgi"])
        # Neither the responder nor the configuration is reachable by URL.
        for path in ("/oidc-secret/oidc-secret.conf", "/../oidc-secret/oidc-secret.conf",
                     "/oidc-secret/oidc-secret.fcgi"):
            with self.subTest(path=path):
                r = http(self.port, "GET", path)
                self.assertIn(r.status, (400, 403, 404))
                self.assertNotIn(b"db_password", r.body)

    def test_no_false_htaccess_warning_without_its_variable(self):
        """mod_env is not loaded here, so the .htaccess sets no
        OIDC_SECRET_HTACCESS, as under suEXEC, which drops SetEnv's
        variables: its RewriteRule (REDIRECT_STATUS) shows it was read."""
        w = self.env.world()
        r = rest(self.port, w.project, w.app, token=None)
        self.assertEqual((r.status, r.json()), (401, error_body("auth_missing")))
        # The request's own line comes after any warning of it.
        self.assertIsNotNone(wait_for_line(self.web.errlog, r"status=401", 5))
        self.assertNotRegex(log_text(self.web.errlog), re.compile(PASSAUTH_WARNING, re.M))


class BesideAnotherApplication(unittest.TestCase):
    """doc/deploy-cgi.md: the bundle's .htaccess lines above an
    application's own catch-all rules (WordPress's, as the document shows
    them) in one web root; the API's paths reach the responder, every other
    path the application."""

    @classmethod
    def setUpClass(cls):
        cls.env = env()
        with open(st.shipped("doc", "deploy-cgi.md")) as f:
            block = re.search(r"^```apache\n(.*?)^```$", f.read(), re.M | re.S).group(1)
        wordpress = block[block.index("# BEGIN WordPress"):]
        name = "apache-cgi-wordpress"
        web = st.apache_cgi(os.path.join(cls.env.dir, name), st.free_port(),
                            cls.env.config, htaccess_after=wordpress,
                            site_files={"index.php": "the application\n"})
        cls.web = cls.env._start(name, web)

    def test_the_application_keeps_its_paths(self):
        for path in ("/index.php", "/2026/12/a-post/", "/management/", "/oauth/v2",
                     "/debug/healthz/x", "/.well-known/security.txt"):
            with self.subTest(path=path):
                r = http(self.web.port, "GET", path)
                self.assertEqual((r.status, r.body), (200, b"the application\n"))

    def test_the_api_keeps_its_paths(self):
        w = self.env.world()
        r = http(self.web.port, "GET", "/.well-known/openid-configuration")
        self.assertEqual(r.status, 200, r.body[:300])
        self.assertEqual(r.json()["token_endpoint"],
                         "http://127.0.0.1:%d/oauth/v2/token" % self.web.port)
        r = http(self.web.port, "GET", "/debug/healthz")
        self.assertEqual((r.status, r.body), (200, b"ok\n"))
        seq0 = self.env.sequence(w.project)
        r = rest(self.web.port, w.project, w.app, token=w.token)
        self.assertEqual(r.status, 200, r.body[:300])
        self.env.secrets_seen.add(r.json()["clientSecret"])
        self.assertEqual(self.env.sequence(w.project), seq0 + 1)


class ApacheCgiBin(Modes, unittest.TestCase):
    """The responder in a server's cgi-bin as make install-cgi puts it, Apache
    set up as Debian ships it (serve-cgi-bin.conf: AllowOverride None, so
    the .htaccess beside it is never read) plus apache-conf/oidc-secret-cgi.conf;
    mod_cgi under prefork here (mod_cgid: the CgiBin tests below)."""
    server = "apache-cgi-bin"

    def test_the_cgi_bin_path_works_too(self):
        w = self.env.world()
        r = rest(self.port, w.project, w.app, token=w.token,
                 path="/cgi-bin/oidc-secret.cgi" + REST_PATH % (w.project, w.app))
        self.assertEqual(r.status, 200, r.body[:300])
        self.env.secrets_seen.add(r.json()["clientSecret"])


# --- the traps of a real install ------------------------------------------------

def wait_for_line(path, pattern, timeout=10):
    """The first match of pattern (multi-line) in the file, waiting for it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with open(path, errors="replace") as f:
                m = re.search(pattern, f.read(), re.M)
            if m:
                return m
        except OSError:
            pass
        time.sleep(0.1)
    return None


def log_text(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:
        return ""


# A warning line that names both settings, in either order.
PASSAUTH_WARNING = r"^.*warn.*(CGIPassAuth.*AllowOverride|AllowOverride.*CGIPassAuth).*$"


class CgiBin(unittest.TestCase):
    """Debian's cgi-bin under mod_cgid (event MPM, Debian's default): the
    .htaccess is not read, so Authorization is lost unless
    apache-conf/oidc-secret-cgi.conf says CGIPassAuth; the responder says so
    in a warning, and only where that is the cause."""

    @classmethod
    def setUpClass(cls):
        cls.env = env()
        cls.bare = cls.env.apache_cgi_bin("cgid-cgi-bin-bare", snippet=False, cgid=True)
        cls.snippet = cls.env.apache_cgi_bin("cgid-cgi-bin", snippet=True, cgid=True)

    def call(self, web, w, token):
        return rest(web.port, w.project, w.app, token=token,
                    path="/cgi-bin/oidc-secret.cgi" + REST_PATH % (w.project, w.app))

    def test_without_the_snippet_authorization_is_lost(self):
        w = self.env.world()
        before = self.env.snapshot()
        r = self.call(self.bare, w, w.token)
        self.assertEqual(r.status, 401, r.body[:300])
        self.assertEqual(r.json(), error_body("auth_missing"))
        self.assertEqual(self.env.snapshot(), before)

    def test_without_the_snippet_the_responder_logs_the_fix(self):
        w = self.env.world()
        self.assertEqual(self.call(self.bare, w, w.token).status, 401)
        self.assertIsNotNone(wait_for_line(self.bare.errlog, PASSAUTH_WARNING, 5),
                             "no warning naming CGIPassAuth and AllowOverride in "
                             + self.bare.errlog)

    def test_with_the_snippet_it_works_and_warns_of_nothing(self):
        w = self.env.world()
        r = self.call(self.snippet, w, None)
        self.assertEqual(r.json(), error_body("auth_missing"))
        r = self.call(self.snippet, w, w.token)
        self.assertEqual(r.status, 200, r.body[:300])
        self.env.secrets_seen.add(r.json()["clientSecret"])
        r = rest(self.snippet.port, w.project, w.app, token=w.token)
        self.assertEqual(r.status, 200, r.body[:300])
        self.env.secrets_seen.add(r.json()["clientSecret"])
        self.assertNotRegex(log_text(self.snippet.errlog), re.compile(PASSAUTH_WARNING, re.M))


class ConfigErrors(unittest.TestCase):
    """A configuration the responder cannot use, under plain CGI: the client
    gets a whole JSON 500, the error log the reason and what to do."""

    @classmethod
    def setUpClass(cls):
        cls.env = env()

    def test_unreadable_configuration_under_mod_cgi(self):
        """Shared hosting without suEXEC: the CGI runs as www-data, the
        account's 0600 file is not readable to it."""
        e = self.env
        name = "cgi-unreadable"
        web = st.apache_cgi(os.path.join(e.dir, name), st.free_port(), e.config)
        conf = os.path.join(web.dir, "oidc-secret", "oidc-secret.conf")
        os.chown(conf, 0, 0)
        os.chmod(conf, 0o600)
        e._start(name, web)
        w = e.world()
        before = e.snapshot()
        r = rest(web.port, w.project, w.app, token=w.token)
        self.assertEqual((r.status, r.json()), (500, error_body("internal")))
        self.assertEqual(e.snapshot(), before)
        m = wait_for_line(web.errlog, r"configuration: (\S+/oidc-secret\.conf): cannot open: "
                          r"Permission denied: this process runs as uid (\d+) \(www-data\) "
                          r"and needs read permission: setfacl -m u:www-data:r (\S+) "
                          r"\(as the file's owner; x on its directories too\), or as root "
                          r"chgrp (www-data) and chmod 0640 \(oidc-secret\.conf\(5\)\)$", 5)
        self.assertIsNotNone(m, log_text(web.errlog)[-2000:])
        self.assertEqual(int(m.group(2)), pwd.getpwnam("www-data").pw_uid)
        self.assertEqual(os.path.realpath(m.group(1)), os.path.realpath(conf))
        self.assertEqual(os.path.realpath(m.group(3)), os.path.realpath(conf))
        # What the line says root may do, done as it says, is the fix.
        shutil.chown(m.group(3), group=m.group(4))
        os.chmod(m.group(3), 0o640)
        r = rest(web.port, w.project, w.app, token=w.token)
        self.assertEqual(r.status, 200, r.body[:300])
        e.secrets_seen.add(r.json()["clientSecret"])

    def test_configuration_error_under_mod_cgid_is_a_whole_json_500(self):
        """mod_cgid hands the body over a socket: a program that exits with
        it unread reset the connection under Apache's read of the answer
        (curl exit 18).  Twenty calls, each answered whole."""
        e = self.env
        bad = e.config_with("cgid-bad", db_port="80a")
        web = e.apache_cgi_bin("cgid-bad-config", config=bad, cgid=True)
        w = e.world()
        url = "http://127.0.0.1:%d%s" % (web.port, REST_PATH % (w.project, w.app))
        for i in range(20):
            with self.subTest(call=i):
                out = subprocess.run(
                    ["curl", "-sS", "-X", "POST", "-H", "Content-Type: application/json",
                     "-H", "Authorization: Bearer " + w.token, "--data-raw",
                     '{"pad": "%s"}' % ("x" * (i * 500)), "-w", "\n%{http_code}", url],
                    capture_output=True, text=True, timeout=30)
                self.assertEqual(out.returncode, 0, out.stderr)
                body, _, status = out.stdout.rpartition("\n")
                self.assertEqual((status, json.loads(body)), ("500", error_body("internal")))
        self.assertIn('db_port = "80a": expected a whole number from 1 to 65535',
                      log_text(web.errlog))


class DaemonizedLighttpd(unittest.TestCase):
    """lighttpd started as a daemon sends its responders' stderr nowhere;
    log_file keeps the request log, and follows a rotation."""

    def test_log_file_keeps_the_request_log_and_follows_rotation(self):
        e = env()
        name = "lighttpd-daemon"
        d = st.make_dir(os.path.join(e.dir, name))
        logfile = os.path.join(st.make_dir(os.path.join(d, "log")), "oidc-secret.log")
        web = st.Lighttpd(d, st.free_port(), e.config_with(name, log_file=logfile))
        # As an init script starts it: no -D, lighttpd forks and detaches.
        subprocess.run(["lighttpd", "-f", web.conf], check=True, timeout=30,
                       stdin=subprocess.DEVNULL, capture_output=True)
        e.servers[name] = web
        st.wait_for(lambda: st.port_open(web.port), 20, "lighttpd on %d" % web.port)
        w = e.world()
        r = rest(web.port, w.project, w.app, token=w.token)
        self.assertEqual(r.status, 200, r.body[:300])
        e.secrets_seen.add(r.json()["clientSecret"])
        line = r"request id=\w+ method=POST route=rest status=200 code=0 user=%s " % w.user
        self.assertIsNotNone(wait_for_line(logfile, line, 5), log_text(logfile))
        self.assertEqual(os.stat(logfile).st_mode & 0o777, 0o640)
        # Rotated away: a new file of that name gets the lines within ~5 s.
        os.rename(logfile, logfile + ".1")
        t0 = time.monotonic()
        while time.monotonic() - t0 < 10 and "route=healthz" not in log_text(logfile):
            self.assertEqual(http(web.port, "GET", "/debug/healthz").status, 200)
            time.sleep(0.2)
        took = time.monotonic() - t0
        self.assertIn("route=healthz status=200", log_text(logfile))
        self.assertLess(took, 6.5)
        self.assertRegex(log_text(logfile + ".1"), line)


# --- the systemd units --------------------------------------------------------

class SystemdUnits(unittest.TestCase):
    """apache-conf/systemd/: systemd's own checker accepts the units, and the
    responder started as they say (listening socket on fd 0, their
    Environment=) serves behind lighttpd's socket config and stops with exit
    status 0 on their KillSignal."""

    @classmethod
    def setUpClass(cls):
        cls.env = env()
        cls.socket_unit = st.shipped("apache-conf", "systemd", "oidc-secret.socket")
        cls.service_unit = st.shipped("apache-conf", "systemd", "oidc-secret.service")

    def test_systemd_analyze_verify(self):
        if shutil.which("systemd-analyze") is None:
            self.skipTest("systemd-analyze is not installed")
        d = tempfile.mkdtemp(dir=self.env.dir)
        binary = st.install_responder(d)
        shutil.copy(self.socket_unit, d)
        with open(self.service_unit) as f:
            text = f.read()
        # The one path that must exist for verify: the installed binary's.
        text = text.replace("ExecStart=/usr/libexec/oidc-secret.fcgi",
                            "ExecStart=" + binary)
        self.assertIn("ExecStart=" + binary, text)
        with open(os.path.join(d, "oidc-secret.service"), "w") as f:
            f.write(text)
        out = subprocess.run(["systemd-analyze", "verify", "oidc-secret.socket",
                              "oidc-secret.service"], cwd=d, capture_output=True, text=True)
        self.assertEqual((out.returncode, out.stdout + out.stderr), (0, ""))

    def test_units_say_what_fastcgi_needs(self):
        sock = st.unit_file(self.socket_unit)
        svc = st.unit_file(self.service_unit)
        self.assertIn(("ListenStream", "/run/oidc-secret/oidc-secret.sock"), sock["Socket"])
        self.assertIn(("Accept", "no"), sock["Socket"])
        self.assertIn(("SocketUser", "www-data"), sock["Socket"])
        self.assertIn(("StandardInput", "socket"), svc["Service"])
        # stderr is the log; left alone it would follow stdin to the socket.
        self.assertIn(("StandardError", "journal"), svc["Service"])
        self.assertIn(("Environment", "OIDC_SECRET_CONFIG=/etc/oidc-secret.conf"),
                      svc["Service"])
        self.assertIn(("Requires", "oidc-secret.socket"), svc["Unit"])
        # The same socket the Apache and lighttpd configurations default to.
        with open(st.shipped("apache-conf", "oidc-secret-proxy-fcgi.conf")) as f:
            self.assertIn("Define OIDC_SECRET_SOCKET /run/oidc-secret/oidc-secret.sock",
                          f.read())
        with open(st.shipped("lighttpd-conf", "oidc-secret-socket.conf")) as f:
            self.assertIn('var.oidc_secret_socket = "/run/oidc-secret/oidc-secret.sock"',
                          f.read())

    def test_started_as_the_units_say(self):
        e = self.env
        d = st.make_dir(os.path.join(e.dir, "systemd-units"))
        units = st.SocketUnits(d, self.socket_unit, self.service_unit, e.config,
                               binary=st.install_responder(d))
        web = e.lighttpd_socket("systemd-units", responder=units)
        self.assertEqual(os.stat(units.socket).st_mode & 0o777, 0o660)
        w = e.world()
        r = rest(web.port, w.project, w.app, token=w.token)
        self.assertEqual(r.status, 200, r.body)
        e.secrets_seen.add(r.json()["clientSecret"])
        r = rest(web.port, w.project, w.app)
        self.assertEqual(r.status, 401)
        with open(units.errlog) as f:
            self.assertIn("route=rest status=200", f.read())
        units.stop()
        self.assertEqual(units.proc.returncode, 0)


# --- process life -------------------------------------------------------------

def descendants(pid):
    """Every process under pid (any depth)."""
    parent = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % name) as f:
                stat = f.read()
        except OSError:
            continue
        parent[int(name)] = int(stat[stat.rindex(")") + 2:].split()[1])
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        kids = [c for c, pp in parent.items() if pp == p]
        out += kids
        todo += kids
    return out


def responders_under(pid):
    out = []
    for p in descendants(pid):
        try:
            if os.path.basename(os.readlink("/proc/%d/exe" % p)) == "oidc-secret.fcgi":
                out.append(p)
        except OSError:
            pass
    return sorted(out)


def resident_kib(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def wait_for_text(path, pattern, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with open(path, errors="replace") as f:
                m = re.search(pattern, f.read())
            if m:
                return m
        except OSError:
            pass
        time.sleep(0.1)
    return None


class ProcessLife(unittest.TestCase):
    """SIGTERM and SIGUSR1 let the request in hand finish; then the process
    exits 0, as oidc-secret.fcgi(8) says.  Each test starts a call whose hash
    takes about a second, signals the responder while it hashes (its
    resident memory has passed half of argon2_memory_kib), and checks the
    200, the stored hash, the one event, and the exit status."""

    @classmethod
    def setUpClass(cls):
        cls.env = env()

    def slow_call_signalled(self, port, pid, sig, w):
        result = {}

        def call():
            try:
                result["r"] = rest(port, w.project, w.app, token=w.token)
            except Exception as ex:  # reported below
                result["error"] = ex
        t = threading.Thread(target=call)
        t.start()
        deadline = time.monotonic() + 20
        while resident_kib(pid) < SLOW["argon2_memory_kib"] // 2:
            self.assertTrue(t.is_alive(), "the call ended before the hash: %r" % result)
            self.assertLess(time.monotonic(), deadline, "the responder never hashed")
            time.sleep(0.005)
        os.kill(pid, sig)
        t.join(60)
        self.assertNotIn("error", result)
        return result["r"]

    def assert_committed_once(self, r, w, seq0):
        e = self.env
        self.assertEqual(r.status, 200, r.body[:300])
        secret = r.json()["clientSecret"]
        e.secrets_seen.add(secret)
        self.assertEqual(r.json()["details"]["sequence"], str(seq0 + 1))
        self.assertEqual(e.sequence(w.project), seq0 + 1)
        self.assertTrue(verify_hash(secret, e.stored_hash(w.app)))
        self.assertEqual(e.q("SELECT sequence FROM events WHERE aggregate_id = %s",
                             w.project), [(seq0 + 1,)])

    def spawn_fcgi_case(self, sig):
        e = self.env
        web = e.apache_proxy_fcgi("slow-proxy-fcgi", **SLOW)
        responder = web.responder
        if responder.proc.poll() is not None:   # the other signal's test ended it
            responder.start()
        w = e.world()
        seq0 = e.sequence(w.project)
        r = self.slow_call_signalled(web.port, responder.pid, sig, w)
        self.assert_committed_once(r, w, seq0)
        self.assertEqual(responder.wait(10), 0)
        # Nothing listens any more: the server says so, nothing is written.
        before = e.snapshot()
        self.assertEqual(rest(web.port, w.project, w.app, token=w.token).status, 503)
        self.assertEqual(e.snapshot(), before)

    def test_sigterm_spawn_fcgi_behind_mod_proxy_fcgi(self):
        self.spawn_fcgi_case(signal.SIGTERM)

    def test_sigusr1_spawn_fcgi_behind_mod_proxy_fcgi(self):
        self.spawn_fcgi_case(signal.SIGUSR1)

    def test_sigusr1_lighttpd_bin_path(self):
        """lighttpd's own signal to its children; it logs their exit status."""
        e = self.env
        web = e.lighttpd("slow-bin-path", procs=1, **SLOW)
        [pid] = responders_under(web.proc.pid)
        w = e.world()
        seq0 = e.sequence(w.project)
        r = self.slow_call_signalled(web.port, pid, signal.SIGUSR1, w)
        self.assert_committed_once(r, w, seq0)
        self.assertIsNotNone(wait_for_text(web.errlog, r"child exited: 0 "), web.errlog)
        with open(web.errlog) as f:
            self.assertNotIn("child signalled", f.read())
        # lighttpd starts another, which serves.
        w2 = e.world()
        r = rest(web.port, w2.project, w2.app, token=w2.token)
        self.assertEqual(r.status, 200)
        e.secrets_seen.add(r.json()["clientSecret"])

    def test_sigterm_apache_mod_fcgid(self):
        """Apache's signal to mod_fcgid's processes; mod_fcgid logs the exit."""
        e = self.env
        name = "slow-fcgid"
        web = st.apache_fcgid(
            os.path.join(e.dir, name), st.free_port(), e.config_with(name, **SLOW),
            procs=1, log_level="warn fcgid:info",
            extra_conf="FcgidErrorScanInterval 1\nFcgidZombieScanInterval 1\n")
        web.start()
        e.servers[name] = web
        self.assertEqual(http(web.port, "GET", "/debug/healthz").status, 200)
        [pid] = responders_under(web.proc.pid)
        w = e.world()
        seq0 = e.sequence(w.project)
        r = self.slow_call_signalled(web.port, pid, signal.SIGTERM, w)
        self.assert_committed_once(r, w, seq0)
        m = wait_for_text(web.errlog, r"oidc-secret\.fcgi\(%d\) exit\([^)]*\), "
                          r"terminated by calling exit\(\), return code: (\d+)" % pid)
        self.assertIsNotNone(m, "mod_fcgid logged no exit of %d" % pid)
        self.assertEqual(m.group(1), "0")


# --- the documents -----------------------------------------------------------

def documents():
    """README.md and doc/deploy-*.md: name -> text."""
    names = ["README.md"] + sorted(
        os.path.join("doc", f) for f in os.listdir(st.shipped("doc"))
        if f.startswith("deploy-") and f.endswith(".md"))
    out = {}
    for name in names:
        with open(st.shipped(name)) as f:
            out[name] = f.read()
    return out


class Documents(unittest.TestCase):
    """The deploy documents link each shipped file these tests run, rather
    than holding a copy of it, and every installed path they name is one."""

    def test_each_shipped_file_is_linked(self):
        docs = documents()
        linked = set()
        for name, text in docs.items():
            for m in re.finditer(r"\]\(\.\./([^)#\s]+)\)", text):
                linked.add(m.group(1))
                with self.subTest(doc=name, link=m.group(1)):
                    self.assertTrue(os.path.exists(st.shipped(m.group(1))), m.group(1))
        self.assertEqual(sorted(set(SHIPPED) - linked), [], "shipped but linked nowhere")

    def test_no_copies(self):
        for name, text in documents().items():
            with self.subTest(doc=name):
                self.assertEqual(re.findall(r"^```[\w-]* file=\S+$", text, re.M), [])
                for path in SHIPPED:
                    with open(st.shipped(path)) as f:
                        head = "".join(f.readlines()[:8])
                    self.assertNotIn(head, text, "%s copies %s" % (name, path))

    def test_installed_paths_named_are_shipped(self):
        for name, text in documents().items():
            for m in re.finditer(r"/usr/share/oidc-secret/((?:apache|lighttpd)-conf/[\w./-]+"
                                 r"|cgi-bin/[\w.-]+)", text):
                with self.subTest(doc=name, path=m.group(1)):
                    self.assertTrue(os.path.isfile(st.shipped(m.group(1))), m.group(1))


if __name__ == "__main__":
    unittest.main()
