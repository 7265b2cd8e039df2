"""ZITADEL's clients, none of them written here, against the real responder.

tests/clients/ pins them (package.json, package-lock.json; the tests run
`npm ci` there once per run):

- connect-es (@connectrpc/connect with connect-node's transports: Connect
  JSON, Connect binary, gRPC-web) driving @zitadel/proto's generated
  zitadel.app.v2beta.AppService and zitadel.management.v1.ManagementService.
  @zitadel/proto 1.3.1, the newest release, has no
  zitadel.application.v2.ApplicationService: tests/clients/application_v2.mjs
  describes its one call, with names and field numbers from ZITADEL's
  application_service.proto, for the same libraries to encode and call.
- @zitadel/client (ZITADEL's TypeScript client): createClientTransport from
  @zitadel/client/web (gRPC-web over fetch) with its ManagementService
  client, as doc/clients.md shows it (tests/clients/zitadel-client.mjs).
- The same call as ZITADEL's generated SDKs (PHP, Python, Java, Ruby, .NET)
  send it: Connect unary JSON with no Connect header; and `curl -d '{}'`.
- A real browser: Debian's Chromium (through playwright-core, no downloaded
  browser) opens a page served from a second origin, which calls the API
  with fetch and with connect-web over gRPC-web and Connect.

Secrets never reach stdout or a file: the Node scripts write them to a pipe
(SECRET_FD) that the tests read into memory.  Every success is checked
against the database (hash verified by python3-bcrypt or -argon2 and PHP's
password_verify, sequence, event); every error leaves the database as it was.
"""

import base64
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import unittest
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

from grpcwire import pb_fields
from harness import (DATE_RE, ERRORS, REST_PATH, SECRET_RE, env, http,
                     php_verify, st, verify_hash)

HERE = os.path.dirname(os.path.abspath(__file__))
CLIENT_DIR = os.path.join(os.path.dirname(HERE), "clients")
OUT_DIR = os.path.join(st.BUILD, "clients")

V2_PATH = "/zitadel.application.v2.ApplicationService/GenerateClientSecret"
V2BETA_PATH = "/zitadel.app.v2beta.AppService/RegenerateClientSecret"
API_REST_PATH = "/management/v1/projects/%s/apps/%s/api_config/_generate_client_secret"

# kind -> (gRPC code, ID, text, HTTP status): the kinds of harness.ERRORS and
# the ones only the application v2, app v2beta and API app calls have.
KINDS = dict(ERRORS, **{
    "v2_id_missing": (3, "COMMAND-KJ29c", "ID missing", 400),
    "v2_app_not_found": (5, "COMMAND-Kd92s", "Application doesn't exist", 404),
    "app_not_api": (3, "COMMAND-aeH4", "Application is not type API", 400),
    "app_type_unknown": (3, "APP-aLWIzw", "unknown app type", 400),
})
# gRPC code -> the Connect protocol's name for it.
CONNECT_CODES = {
    1: "canceled", 2: "unknown", 3: "invalid_argument", 4: "deadline_exceeded",
    5: "not_found", 6: "already_exists", 7: "permission_denied",
    8: "resource_exhausted", 9: "failed_precondition", 10: "aborted",
    11: "out_of_range", 12: "unimplemented", 13: "internal", 14: "unavailable",
    15: "data_loss", 16: "unauthenticated",
}
EVENT = "project.application.config.%s.secret.changed"
# What ZITADEL's PHP SDK (zitadel/client 4.1) sends, header for header; the
# other generated SDKs differ only in User-Agent.
SDK_HEADERS = {
    "User-Agent": "zitadel-client/4.1.0 (lang=php; lang_version=8.2; os=linux; arch=x86_64)",
    "Accept": "application/json",
    "Content-Type": "application/json",
}

_npm_lock = threading.Lock()
_npm_done = False


def npm_ci():
    """tests/clients/node_modules as package-lock.json pins it (once a run)."""
    global _npm_done
    with _npm_lock:
        if _npm_done:
            return
        stamp = os.path.join(CLIENT_DIR, "node_modules", ".package-lock.json")
        lock = os.path.join(CLIENT_DIR, "package-lock.json")
        if not os.path.exists(stamp) or os.path.getmtime(stamp) < os.path.getmtime(lock):
            subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                           cwd=CLIENT_DIR, check=True, stdout=subprocess.DEVNULL)
        _npm_done = True


class SecretPipe:
    """A pipe a child writes secrets to (its SECRET_FD); read into memory."""

    def __init__(self):
        r, self.w = os.pipe()
        self.reader = os.fdopen(r, "r")

    def child_env(self):
        return dict(os.environ, SECRET_FD=str(self.w))

    def started(self):
        os.close(self.w)    # the child holds the write end now

    def readline(self):
        return self.reader.readline().rstrip("\n")

    def close(self):
        self.reader.close()


class CallScript:
    """tests/clients/call.mjs, one process for many calls: a JSON line in,
    a JSON line out, each success's secret on the pipe."""

    def __init__(self):
        self.pipe = SecretPipe()
        self.proc = subprocess.Popen(
            ["node", os.path.join(CLIENT_DIR, "call.mjs")], cwd=CLIENT_DIR,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, env=self.pipe.child_env(), pass_fds=(self.pipe.w,))
        self.pipe.started()

    def call(self, **c):
        """(outcome, secret or None)"""
        self.proc.stdin.write(json.dumps(c) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("call.mjs exited %s: %s" % (self.proc.wait(),
                                                          self.proc.stderr.read()))
        out = json.loads(line)
        return out, (self.pipe.readline() if out.get("ok") else None)

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=30)
        self.proc.stdout.close()
        self.proc.stderr.close()
        self.pipe.close()


# --- the database side --------------------------------------------------

def api_config_table(e):
    """The table that holds API apps' client_secret_hash (by app_id), if any."""
    row = e.q1("SELECT c.TABLE_NAME FROM information_schema.COLUMNS c"
               " JOIN information_schema.COLUMNS a ON a.TABLE_SCHEMA = c.TABLE_SCHEMA"
               " AND a.TABLE_NAME = c.TABLE_NAME AND a.COLUMN_NAME = 'app_id'"
               " WHERE c.TABLE_SCHEMA = DATABASE() AND c.COLUMN_NAME = 'client_secret_hash'"
               " AND c.TABLE_NAME <> 'oidc_configs' ORDER BY c.TABLE_NAME")
    return row[0] if row else None


def stored_hash(e, app, kind):
    if kind == "oidc":
        return e.stored_hash(app)
    table = api_config_table(e)
    if table is None:
        raise AssertionError("no table holds API apps' client_secret_hash")
    row = e.q1("SELECT client_secret_hash FROM `%s` WHERE app_id = %%s" % table, app)
    return row[0] if row else None


def snapshot(e):
    """Env.snapshot(), and API apps' configuration where the schema has it."""
    s = e.snapshot()
    table = api_config_table(e)
    if table is not None:
        s["api"] = e.q("SELECT app_id, client_secret_hash FROM `%s` ORDER BY app_id" % table)
    return s


class Checks:
    """Assertions shared by the test classes (a mixin for TestCase)."""

    def assert_stored(self, w, app, kind, secret, seq0, php=False):
        """secret is the app's secret now: hash, sequence, event."""
        e = self.env
        # Messages never show a secret: a failing test's output is kept.
        self.assertIsNotNone(secret)
        e.secrets_seen.add(secret)
        self.assertTrue(SECRET_RE.match(secret), "not 64 letters and digits")
        stored = stored_hash(e, app, kind)
        self.assertIsNotNone(stored, "no hash stored for %s app %s" % (kind, app))
        self.assertTrue(verify_hash(secret, stored), "the stored hash does not verify")
        if php:
            self.assertTrue(php_verify(secret, stored), "PHP password_verify says no")
        self.assertEqual(e.sequence(w.project), seq0 + 1)
        ev = e.q1("SELECT event_type, JSON_UNQUOTE(JSON_EXTRACT(payload, '$.appId')),"
                  " JSON_UNQUOTE(JSON_EXTRACT(payload, '$.hashedSecret')), editor_user"
                  " FROM events WHERE aggregate_type = 'project' AND aggregate_id = %s"
                  " AND sequence = %s", w.project, seq0 + 1)
        self.assertEqual(ev, (EVENT % kind, app, stored, w.user))

    def assert_change_time(self, w, created):
        """A v2 answer's creationDate: the time of this change."""
        self.assertIsNotNone(created)
        changed = self.env.q1("SELECT UNIX_TIMESTAMP(change_date) FROM projects WHERE id = %s",
                              w.project)[0]
        got = int(created["seconds"]) + created["nanos"] / 1e9
        self.assertLess(abs(got - float(changed)), 1.0, (created, changed))


# --- connect-node: Connect JSON, Connect binary, gRPC-web -----------------

class _ViaConnectNode(Checks):
    """connect-node's transport `transport` through server `server`."""
    transport = None
    server = "default"
    # gRPC-web as oidc-secret speaks it carries grpc-status and grpc-message
    # but no grpc-status-details-bin: the client sees no details then.
    details_required = True

    @classmethod
    def setUpClass(cls):
        npm_ci()
        cls.env = env()
        cls.base = cls.env.server(cls.server).base_url()
        cls.script = CallScript()

    @classmethod
    def tearDownClass(cls):
        cls.script.close()

    def call(self, call, w, app, token="world", project=None, app_type=None, org=None):
        """app_type: v2beta's oneof, "oidc" (is_oidc), "api" (is_api) or None."""
        return self.script.call(
            call=call, transport=self.transport, baseUrl=self.base,
            token=w.token if token == "world" else (token or ""),
            projectId=w.project if project is None else project, appId=app,
            kind=app_type, orgId=org)

    def refused(self, err, call, w, app, **kw):
        """The call fails with error kind err and changes nothing."""
        before = snapshot(self.env)
        out, secret = self.call(call, w, app, **kw)
        self.assertIsNone(secret)
        code, eid, text, _ = KINDS[err]
        self.assertEqual(out["ok"], False, out)
        self.assertEqual((out["code"], out["message"]),
                         (CONNECT_CODES[code], "%s (%s)" % (text, eid)), out)
        if self.details_required or out["details"]:
            self.assertEqual(out["details"], [{"id": eid, "message": text}], out)
        self.assertEqual(snapshot(self.env), before, "an error wrote to the database")

    def succeeded(self, call, w, app, app_kind, **kw):
        seq0 = self.env.sequence(w.project)
        out, secret = self.call(call, w, app, **kw)
        self.assertTrue(out["ok"], out)
        self.assertEqual(out["secretLength"], 64)
        self.assert_stored(w, app, app_kind, secret, seq0)
        return out

    def test_v2_oidc_app(self):
        w = self.env.world()
        out = self.succeeded("v2", w, w.app, "oidc")
        self.assert_change_time(w, out["creationDate"])

    def test_v2_api_app(self):
        w = self.env.world()
        out = self.succeeded("v2", w, w.api_app, "api")
        self.assert_change_time(w, out["creationDate"])

    def test_v2beta_is_oidc(self):
        w = self.env.world()
        out = self.succeeded("v2beta", w, w.app, "oidc", app_type="oidc")
        self.assert_change_time(w, out["creationDate"])

    def test_v2beta_is_api(self):
        w = self.env.world()
        out = self.succeeded("v2beta", w, w.api_app, "api", app_type="api")
        self.assert_change_time(w, out["creationDate"])

    def test_unauthenticated(self):
        w = self.env.world()
        for call in ("v2", "v2beta"):
            with self.subTest(call=call):
                self.refused("auth_missing", call, w, w.app, token=None, app_type="oidc")
                self.refused("token_invalid", call, w, w.app, token="not-a-token", app_type="oidc")

    def test_permission_denied(self):
        e = self.env
        weak = e.world(role="ORG_USER_MANAGER")
        other = e.world()
        for call in ("v2", "v2beta"):
            with self.subTest(call=call):
                self.refused("permission_denied", call, weak, weak.app, app_type="oidc")
                # The project's own organization acts: a role elsewhere is no help.
                self.refused("permission_denied", call, other, weak.app,
                             project=weak.project, app_type="oidc")

    def test_not_found(self):
        w = self.env.world()
        self.refused("v2_app_not_found", "v2", w, "777777")
        self.refused("app_not_found", "v2beta", w, "777777", app_type="oidc")
        self.refused("app_not_found", "v2beta", w, "777777", app_type="api")

    def test_app_kind_mismatch(self):
        w = self.env.world()
        self.refused("app_not_oidc", "v2beta", w, w.api_app, app_type="oidc")
        self.refused("app_not_api", "v2beta", w, w.app, app_type="api")
        self.refused("app_type_unknown", "v2beta", w, w.app, app_type=None)
        self.refused("app_type_unknown", "v2beta", w, w.api_app, app_type=None)

    def test_v2_ids_missing(self):
        w = self.env.world()
        self.refused("v2_id_missing", "v2", w, "")
        self.refused("v2_id_missing", "v2", w, w.app, project="")


class ConnectJson(_ViaConnectNode, unittest.TestCase):
    transport = "connect-json"


class ConnectBinary(_ViaConnectNode, unittest.TestCase):
    transport = "connect-proto"


class GrpcWeb(_ViaConnectNode, unittest.TestCase):
    transport = "grpc-web"
    details_required = False

    def test_v1_api_app(self):
        e = self.env
        w = e.world()
        seq0 = e.sequence(w.project)
        out = self.succeeded("v1-api", w, w.api_app, "api")
        self.assertEqual(out["sequence"], str(seq0 + 1))
        self.assertEqual(out["resourceOwner"], w.org)
        self.assertEqual(out["creationDate"], {"seconds": "1795774272", "nanos": 123456000})

    def test_v1_api_refused(self):
        e = self.env
        w = e.world()
        self.refused("auth_missing", "v1-api", w, w.api_app, token=None)
        self.refused("token_invalid", "v1-api", w, w.api_app, token="not-a-token")
        self.refused("org_not_found", "v1-api", w, w.api_app, org="404404")
        weak = e.world(role="ORG_USER_MANAGER")
        self.refused("permission_denied", "v1-api", weak, weak.api_app)
        self.refused("app_not_found", "v1-api", w, "777777")
        self.refused("app_not_api", "v1-api", w, w.app)
        self.refused("id_missing", "v1-api", w, w.api_app, project="")


class ConnectBinaryApacheFcgid(ConnectBinary):
    """Through Apache mod_fcgid (apache-conf/): connect-node's chunked
    bodies, Authorization and the Connect headers reach the responder."""
    server = "apache-fcgid"


# --- as ZITADEL's generated SDKs and curl send it ------------------------

def connect_error(test, r, err):
    """r is a Connect unary error of kind err: status, JSON body, details."""
    code, eid, text, status = KINDS[err]
    test.assertEqual(r.status, status, r.body)
    test.assertTrue(r.header("Content-Type").startswith("application/json"), r.headers)
    body = r.json()
    test.assertEqual((body["code"], body["message"]),
                     (CONNECT_CODES[code], "%s (%s)" % (text, eid)), body)
    test.assertEqual([d["type"] for d in body["details"]], ["zitadel.v1.ErrorDetail"], body)
    value = body["details"][0]["value"]
    detail = pb_fields(base64.b64decode(value + "=" * (-len(value) % 4)))
    test.assertEqual(detail, {1: [eid.encode()], 2: [text.encode()]})


class AsTheSDKsSendIt(Checks, unittest.TestCase):
    """Connect unary JSON exactly as ZITADEL's generated SDKs send it (no
    Connect-Protocol-Version), and curl -d on the v1 REST paths."""

    @classmethod
    def setUpClass(cls):
        cls.env = env()
        cls.port = cls.env.lighttpd("default").port

    def post(self, path, body, token):
        h = dict(SDK_HEADERS)
        if token:
            h["Authorization"] = "Bearer " + token
        return http(self.port, "POST", path, h, json.dumps(body))

    def sdk_success(self, path, body, w, app, kind):
        seq0 = self.env.sequence(w.project)
        r = self.post(path, body, w.token)
        self.assertEqual(r.status, 200, r.body)
        self.assertTrue(r.header("Content-Type").startswith("application/json"), r.headers)
        self.assertEqual(r.header("Cache-Control"), "no-store")
        res = r.json()
        self.assertEqual(sorted(res), ["clientSecret", "creationDate"])
        self.assertRegex(res["creationDate"], DATE_RE)
        self.assert_stored(w, app, kind, res["clientSecret"], seq0, php=True)

    def sdk_refused(self, path, body, token, err):
        before = snapshot(self.env)
        connect_error(self, self.post(path, body, token), err)
        self.assertEqual(snapshot(self.env), before, "an error wrote to the database")

    def test_v2_generate_client_secret(self):
        w = self.env.world()
        self.sdk_success(V2_PATH, {"applicationId": w.app, "projectId": w.project},
                         w, w.app, "oidc")
        self.sdk_success(V2_PATH, {"applicationId": w.api_app, "projectId": w.project},
                         w, w.api_app, "api")

    def test_v2beta_regenerate_client_secret(self):
        w = self.env.world()
        self.sdk_success(V2BETA_PATH, {"projectId": w.project, "applicationId": w.app,
                                       "isOidc": True}, w, w.app, "oidc")
        self.sdk_success(V2BETA_PATH, {"projectId": w.project, "applicationId": w.api_app,
                                       "isApi": True}, w, w.api_app, "api")

    def test_v2_errors(self):
        e = self.env
        w = e.world()
        weak = e.world(role="ORG_USER_MANAGER")
        ids = {"applicationId": w.app, "projectId": w.project}
        self.sdk_refused(V2_PATH, ids, None, "auth_missing")
        self.sdk_refused(V2_PATH, ids, "not-a-token", "token_invalid")
        self.sdk_refused(V2_PATH, {"applicationId": weak.app, "projectId": weak.project},
                         weak.token, "permission_denied")
        self.sdk_refused(V2_PATH, dict(ids, applicationId="777777"), w.token,
                         "v2_app_not_found")
        self.sdk_refused(V2_PATH, {"projectId": w.project}, w.token, "v2_id_missing")
        self.sdk_refused(V2_PATH, dict(ids, projectId=""), w.token, "v2_id_missing")

    def test_v2beta_errors(self):
        w = self.env.world()
        ids = {"projectId": w.project}
        self.sdk_refused(V2BETA_PATH, dict(ids, applicationId=w.api_app, isOidc=True),
                         w.token, "app_not_oidc")
        self.sdk_refused(V2BETA_PATH, dict(ids, applicationId=w.app, isApi=True),
                         w.token, "app_not_api")
        self.sdk_refused(V2BETA_PATH, dict(ids, applicationId=w.app), w.token,
                         "app_type_unknown")
        self.sdk_refused(V2BETA_PATH, dict(ids, applicationId="777777", isOidc=True),
                         w.token, "app_not_found")

    def curl(self, path, token):
        """curl -d '{}' with the bearer header only: (status, body)."""
        r = subprocess.run(
            ["curl", "-sS", "-d", "{}", "-H", "Authorization: Bearer " + token,
             "-w", "\n%{http_code}", "http://127.0.0.1:%d%s" % (self.port, path)],
            capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        body, _, status = r.stdout.rpartition("\n")
        return int(status), body

    def test_curl_d_on_the_v1_rest_paths(self):
        w = self.env.world()
        for path, app, kind in ((REST_PATH, w.app, "oidc"), (API_REST_PATH, w.api_app, "api")):
            with self.subTest(kind=kind):
                seq0 = self.env.sequence(w.project)
                status, body = self.curl(path % (w.project, app), w.token)
                self.assertEqual(status, 200, body)
                secret = secret_of(body)
                self.assertEqual(json.loads(body)["details"]["sequence"], str(seq0 + 1))
                self.assert_stored(w, app, kind, secret, seq0, php=True)

    def test_cors_on_the_wire(self):
        """What the browser below relies on, header by header."""
        w = self.env.world()
        origin = "http://127.0.0.1:%d" % st.free_port()
        for path in (V2_PATH, V2BETA_PATH, REST_PATH % (w.project, w.app),
                     API_REST_PATH % (w.project, w.api_app)):
            with self.subTest(path=path):
                before = snapshot(self.env)
                r = http(self.port, "OPTIONS", path, {
                    "Origin": origin, "Access-Control-Request-Method": "POST",
                    "Access-Control-Request-Headers":
                        "authorization,connect-protocol-version,content-type"})
                self.assertEqual(r.status, 204, r.body)
                self.assertEqual(r.header("Access-Control-Allow-Origin"), origin)
                self.assertIn("POST", r.header("Access-Control-Allow-Methods") or "")
                allowed = {h.strip().lower() for h in
                           (r.header("Access-Control-Allow-Headers") or "").split(",")}
                for h in ("authorization", "content-type", "accept", "x-zitadel-orgid",
                          "x-grpc-web", "x-user-agent", "connect-protocol-version",
                          "connect-timeout-ms", "grpc-timeout"):
                    self.assertIn(h, allowed)
                self.assertEqual(snapshot(self.env), before)
        r = http(self.port, "POST", V2_PATH, dict(SDK_HEADERS, Origin=origin),
                 json.dumps({"applicationId": w.app, "projectId": w.project}))
        self.assertEqual(r.status, 401)
        self.assertEqual(r.header("Access-Control-Allow-Origin"), origin)
        self.assertIn("origin", (r.header("Vary") or "").lower())
        exposed = {h.strip().lower() for h in
                   (r.header("Access-Control-Expose-Headers") or "").split(",")}
        self.assertLessEqual({"grpc-status", "grpc-message", "grpc-status-details-bin"}, exposed)


# --- the examples of the "Clients" documentation -------------------------

def clients_doc():
    """doc/clients.md."""
    with open(os.path.join(st.ROOT, "doc", "clients.md")) as f:
        return f.read()


def code_blocks(text, lang):
    return re.findall(r"```%s\n(.*?)```" % re.escape(lang), text, re.S)


def secret_of(output):
    """clientSecret of a JSON answer; an error answer (no secret) in the message."""
    try:
        res = json.loads(output)
    except ValueError:
        res = None
    if not isinstance(res, dict) or "clientSecret" not in res:
        raise AssertionError("no clientSecret in %r" % output[:300])
    return res["clientSecret"]


class TheDocsExamples(Checks, unittest.TestCase):
    """The @zitadel/client, connect-node and curl examples of doc/clients.md,
    run as written against the server, with the variables its first block
    sets (BASE_URL, TOKEN, PROJECT_ID, APP_ID, API_APP_ID) pointing at a
    fresh world."""

    @classmethod
    def setUpClass(cls):
        npm_ci()
        cls.env = env()
        cls.base = cls.env.lighttpd("default").base_url()

    def doc_env(self, w):
        return dict(os.environ, BASE_URL=self.base, TOKEN=w.token, PROJECT_ID=w.project,
                    APP_ID=w.app, API_APP_ID=w.api_app, ORG_ID=w.org)

    def test_node_examples_are_the_mjs_files(self):
        for name in ("example.mjs", "zitadel-client.mjs"):
            with self.subTest(file=name):
                with open(os.path.join(CLIENT_DIR, name)) as f:
                    code = f.read()
                code = code[code.index("import "):]
                self.assertIn(code, code_blocks(clients_doc(), "js"))

    def test_zitadel_client_example(self):
        """@zitadel/client's createClientTransport (gRPC-web) with its
        ManagementService client: a secret stored for the app; an unknown
        app, code 5 and nothing written."""
        e = self.env
        w = e.world()
        seq0 = e.sequence(w.project)
        r = subprocess.run(["node", "zitadel-client.mjs"], cwd=CLIENT_DIR,
                           env=self.doc_env(w), capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assert_stored(w, w.app, "oidc", secret_of(r.stdout), seq0)
        before = snapshot(e)
        r = subprocess.run(["node", "zitadel-client.mjs"], cwd=CLIENT_DIR,
                           env=dict(self.doc_env(w), APP_ID="777777"),
                           capture_output=True, text=True, timeout=60)
        self.assertEqual((r.returncode, r.stdout), (1, ""))
        self.assertEqual(r.stderr.strip(), "5 Application doesn't exist (COMMAND-2g66f)")
        self.assertEqual(snapshot(e), before)

    def test_node_example(self):
        e = self.env
        w = e.world()
        seq0 = e.sequence(w.project)
        r = subprocess.run(["node", "example.mjs"], cwd=CLIENT_DIR, env=self.doc_env(w),
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assert_stored(w, w.app, "oidc", secret_of(r.stdout), seq0)
        before = snapshot(e)
        r = subprocess.run(["node", "example.mjs"], cwd=CLIENT_DIR,
                           env=dict(self.doc_env(w), APP_ID="777777"),
                           capture_output=True, text=True, timeout=60)
        self.assertEqual((r.returncode, r.stdout), (1, ""))
        self.assertEqual(r.stderr.strip(),
                         "5 Application doesn't exist (COMMAND-2g66f) COMMAND-2g66f")
        self.assertEqual(snapshot(e), before)

    def test_curl_examples(self):
        e = self.env
        w = e.world()
        blocks = [b for b in code_blocks(clients_doc(), "sh clients") if "curl" in b]
        self.assertEqual(len(blocks), 1)
        lines = blocks[0].replace("\\\n", " ").splitlines()
        bearer = [c for c in lines if c.startswith("bearer() ")]
        commands = [c for c in lines if c.startswith("bearer | curl ")]
        self.assertEqual((len(bearer), len(commands)), (1, 4))
        for command in commands:
            # the token never on curl's command line
            self.assertNotIn("TOKEN", command)
            command = bearer[0] + "\n" + command
            with self.subTest(command=command):
                api = "$API_APP_ID" in command
                app, kind = (w.api_app, "api") if api else (w.app, "oidc")
                seq0 = e.sequence(w.project)
                r = subprocess.run(["bash", "-c", command], env=self.doc_env(w),
                                   capture_output=True, text=True, timeout=60)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assert_stored(w, app, kind, secret_of(r.stdout), seq0)


# --- a real browser on another origin ------------------------------------

class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class InTheBrowser(Checks, unittest.TestCase):
    """Headless Chromium opens page.html from a second origin (its own
    port); the page calls the API cross-origin three ways."""

    @classmethod
    def setUpClass(cls):
        npm_ci()
        cls.env = env()
        cls.page_dir = os.path.join(OUT_DIR, "page")
        os.makedirs(cls.page_dir, exist_ok=True)
        subprocess.run([os.path.join(CLIENT_DIR, "node_modules", ".bin", "esbuild"),
                        os.path.join(CLIENT_DIR, "page.mjs"), "--bundle", "--format=esm",
                        "--platform=browser", "--log-level=warning",
                        "--outfile=" + os.path.join(cls.page_dir, "page.js")],
                       cwd=CLIENT_DIR, check=True)
        shutil.copy(os.path.join(CLIENT_DIR, "page.html"), cls.page_dir)
        cls.pages = ThreadingHTTPServer(("127.0.0.1", st.free_port()),
                                        partial(_Quiet, directory=cls.page_dir))
        threading.Thread(target=cls.pages.serve_forever, daemon=True).start()
        cls.page_url = "http://127.0.0.1:%d/page.html" % cls.pages.server_port
        cls.api = cls.env.lighttpd("default").base_url()
        # Another lighttpd whose responders allow one origin that is not the page's.
        cls.elsewhere = "http://127.0.0.1:%d" % st.free_port()
        cls.api_refusing = cls.env.lighttpd(
            "cors-elsewhere", cors_allowed_origins=cls.elsewhere).base_url()

    @classmethod
    def tearDownClass(cls):
        cls.pages.shutdown()
        cls.pages.server_close()

    def browse(self, api, w, apps, screenshot):
        """Runs the page against api; (browser.mjs's report, {call: secret})."""
        pipe = SecretPipe()
        profile = tempfile.mkdtemp(prefix="oidc-secret-chromium-")
        try:
            cfg = {"pageUrl": self.page_url, "userDataDir": profile,
                   "screenshot": os.path.join(OUT_DIR, screenshot),
                   "settings": {"baseUrl": api, "token": w.token, "projectId": w.project,
                                "restAppId": apps[0], "grpcWebAppId": apps[1],
                                "connectAppId": apps[2]}}
            # Its own process group: Node and the Chromium it starts end together.
            proc = subprocess.Popen(["node", os.path.join(CLIENT_DIR, "browser.mjs")],
                                    cwd=CLIENT_DIR, stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    text=True, env=pipe.child_env(), pass_fds=(pipe.w,),
                                    start_new_session=True)
            pipe.started()
            try:
                out, err = proc.communicate(json.dumps(cfg), timeout=120)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.communicate()
                raise
            self.assertEqual(proc.returncode, 0, err)
            secrets = dict(line.split(" ", 1) for line in pipe.reader.read().splitlines())
            return json.loads(out), secrets
        finally:
            pipe.close()
            shutil.rmtree(profile, ignore_errors=True)

    def test_cross_origin_three_ways(self):
        e = self.env
        w = e.world()
        second = e.app(w.project)
        seq0 = e.sequence(w.project)
        report, secrets = self.browse(self.api, w, (w.app, second, w.api_app), "browser.png")
        self.assertNotEqual(report["origin"], self.api)
        self.assertEqual(report["status"], "done")
        self.assertEqual([(r["call"], r["ok"], r["length"]) for r in report["results"]],
                         [("rest", True, 64), ("grpc-web", True, 64), ("connect", True, 64)],
                         report)
        for r in report["results"]:
            self.assertIn("a secret of 64 characters", r["text"])
        # connect-web cancels a gRPC-web body once it has read the trailer
        # frame; when Chromium has not yet marked the (complete) response
        # done, it reports that request ERR_ABORTED.  Its call succeeded
        # (above): any other failure counts.
        self.assertEqual([f for f in report["failed"]
                          if not (f["error"] == "net::ERR_ABORTED" and f["method"] == "POST"
                                  and "AppService/RegenerateClientSecret" in f["url"])], [])
        self.assertEqual(sorted(secrets), ["connect", "grpc-web", "rest"])
        for name, app, kind in (("rest", w.app, "oidc"), ("grpc-web", second, "oidc"),
                                ("connect", w.api_app, "api")):
            secret = secrets[name]
            e.secrets_seen.add(secret)
            self.assertTrue(SECRET_RE.match(secret), name)
            self.assertTrue(verify_hash(secret, stored_hash(e, app, kind)), name)
        self.assertEqual(e.sequence(w.project), seq0 + 3)
        with open(os.path.join(OUT_DIR, "browser.png"), "rb") as f:
            self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")

    def test_other_origin_refused(self):
        e = self.env
        w = e.world()
        second = e.app(w.project)
        # The refusing server is up and answers its one origin, not the page's.
        port = e.servers["cors-elsewhere"].port
        self.assertEqual(http(port, "GET", "/debug/healthz").status, 200)
        page_origin = self.page_url.rsplit("/", 1)[0]
        for origin, allowed in ((self.elsewhere, self.elsewhere), (page_origin, None)):
            r = http(port, "OPTIONS", V2_PATH, {
                "Origin": origin, "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization,content-type"})
            self.assertEqual(r.header("Access-Control-Allow-Origin"), allowed, origin)
        before = snapshot(e)
        report, secrets = self.browse(self.api_refusing, w, (w.app, second, w.api_app),
                                      "browser-refused.png")
        self.assertEqual(secrets, {})
        self.assertEqual([(r["call"], r["ok"]) for r in report["results"]],
                         [("rest", False), ("grpc-web", False), ("connect", False)], report)
        for r in report["results"]:
            self.assertIn("Failed to fetch", r["text"])
        blocked = [c for c in report["console"] if "blocked by CORS policy" in c]
        self.assertEqual(len(blocked), 3, report["console"])
        self.assertEqual(snapshot(e), before, "a refused call wrote to the database")


if __name__ == "__main__":
    unittest.main()
