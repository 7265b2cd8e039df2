"""ZITADEL's own SDKs sign in to this server and call it: the Python SDK
(zitadel_client 4.1.8) and the PHP SDK (zitadel/client 4.1.0), unpacked by
tests/sdk/unpack.sh from tests/sdk/vendor/ (its README says where each
tarball comes from and why they are vendored: neither PyPI nor composer is
reachable, and Debian has only some of their dependencies).

What they run are the documentation's examples, tests/sdk/examples/, as
written, for each language:

- access_token: an administrator's token (Zitadel.with_access_token) gives
  a machine user a client secret (UserService AddSecret) and a key the
  server makes (AddKey), its key file written with mode 0600;
- own_key: the same token registers the public half of a key pair the
  example makes (AddKey with publicKey) and writes the key file;
- client_credentials: the machine user signs in with its client ID and
  that secret (Zitadel.with_client_credentials) and regenerates an OIDC
  app's secret over application v2;
- private_key: it signs in with a key file (Zitadel.with_private_key: a
  JWT bearer assertion) and regenerates an API app's secret over app
  v2beta.

Every success is checked in the database: the secret the example printed
verifies against the stored hash (python3-bcrypt or python3-argon2, and PHP's
password_verify), the event is there with the right editor, the key
stored is the public half of the key file's private key, and the machine
user's one access token (the one the SDK signed in for) is stored with the
ZITADEL audience and scopes.  Every refusal (a wrong secret, a removed
key, a bad token) fails the example with the server's error and writes
nothing.

The Python examples run in processes forked from one that imported the
SDK once (tests/sdk/forkrun.py); one runs on its own as well.
"""

import functools
import json
import os
import shutil
import stat
import subprocess
import tempfile
import threading
import unittest

from cryptography.hazmat.primitives import serialization

from harness import (API_PROJECT, ERRORS, SECRET_RE, env, http,
                     php_verify, st, verify_hash)

SDK_DIR = os.path.join(st.ROOT, "tests", "sdk")
EXAMPLES = os.path.join(SDK_DIR, "examples")
UNPACKED = os.path.join(st.BUILD, "sdk")
ZITADEL_SCOPES = {"openid", "urn:zitadel:iam:org:project:id:zitadel:aud"}
EVENT = "project.application.config.%s.secret.changed"
# What the SDK's Python needs besides itself and authlib (its pyproject.toml).
PY_PROBE = ("import cryptography, dateutil, pydantic, requests, typing_extensions,"
            " urllib3; raise SystemExit(int(pydantic.VERSION.split('.')[0]) < 2)")

_unpack_lock = threading.Lock()
_unpacked = False


def unpack():
    """build/sdk as tests/sdk/unpack.sh lays it out (once a run)."""
    global _unpacked
    with _unpack_lock:
        if not _unpacked:
            subprocess.run([os.path.join(SDK_DIR, "unpack.sh"), UNPACKED], check=True)
            _unpacked = True


@functools.lru_cache(maxsize=None)
def sdk_python():
    """A python3 that can run zitadel_client: $OIDC_SDK_PYTHON, else the
    first python3 on PATH with pydantic 2, requests, python-dateutil,
    typing-extensions and cryptography (Debian 12's python3-pydantic is
    1.10, too old: its own python3 cannot); None when there is none."""
    if os.environ.get("OIDC_SDK_PYTHON"):
        candidates = [os.environ["OIDC_SDK_PYTHON"]]
    else:
        candidates = [os.path.join(d, "python3")
                      for d in os.environ.get("PATH", "").split(os.pathsep) if d]
    for python in candidates:
        if os.access(python, os.X_OK) and subprocess.run(
                [python, "-c", PY_PROBE], capture_output=True).returncode == 0:
            return python
    return None


def example_env(values):
    """An example's whole environment: PATH and its own variables."""
    out = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}
    out.update(values)
    return out


class Run:
    def __init__(self, status, stdout, stderr):
        self.status, self.stdout, self.stderr = status, stdout, stderr


class PythonSDK:
    """The Python examples, forked from one process that imported the SDK."""
    lang = "python"
    _shared = None

    @classmethod
    def get(cls):
        if cls._shared is None:
            cls._shared = cls()
        return cls._shared

    def __init__(self):
        self.python = sdk_python()
        if self.python is None:
            raise unittest.SkipTest(
                "no python3 with pydantic 2, requests, python-dateutil and "
                "cryptography on PATH (set OIDC_SDK_PYTHON); Debian 12's "
                "python3-pydantic is 1.10")
        self.pythonpath = os.path.join(UNPACKED, "python")
        self.proc = subprocess.Popen(
            [self.python, os.path.join(SDK_DIR, "forkrun.py")],
            env=example_env({"PYTHONPATH": self.pythonpath}),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def run(self, name, standalone=False, **values):
        path = os.path.join(EXAMPLES, "python_%s.py" % name)
        values["PYTHONPATH"] = self.pythonpath
        if standalone:
            r = subprocess.run([self.python, path], env=example_env(values),
                               capture_output=True, text=True, timeout=120)
            return Run(r.returncode, r.stdout, r.stderr)
        self.proc.stdin.write(json.dumps({"file": path, "env": example_env(values)}) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("forkrun.py exited %s" % self.proc.wait())
        out = json.loads(line)
        return Run(out["status"], out["stdout"], out["stderr"])

    @classmethod
    def close(cls):
        if cls._shared is not None:
            cls._shared.proc.stdin.close()
            cls._shared.proc.wait(timeout=30)
            cls._shared.proc.stdout.close()
            cls._shared = None


class PhpSDK:
    """The PHP examples, each `php FILE` where vendor/autoload.php is (PHP
    starts in milliseconds: every run is standalone)."""
    lang = "php"

    @classmethod
    def get(cls):
        return cls()

    def run(self, name, standalone=True, **values):
        r = subprocess.run(["php", os.path.join(EXAMPLES, "php_%s.php" % name)],
                           cwd=os.path.join(UNPACKED, "php"), env=example_env(values),
                           capture_output=True, text=True, timeout=120)
        return Run(r.returncode, r.stdout, r.stderr)


def tearDownModule():
    PythonSDK.close()


class _SDK:
    """The examples of one language (sdk) through one server."""
    sdk = None
    server = "default"

    @classmethod
    def setUpClass(cls):
        cls.env = env()
        unpack()
        cls.runner = cls.sdk.get()
        cls.base = cls.env.server(cls.server).base_url()

    # --- data and runs -------------------------------------------------

    def world(self):
        """An org with an owner (and the owner's token), a machine user
        that may change the org's apps, a project with an OIDC app and an
        API app, and a private directory for key files."""
        e = self.env
        w = type("World", (), {})()
        w.org = e.org()
        w.admin = e.user(w.org, roles=[("org", w.org, "ORG_OWNER")])
        w.token = e.token(w.admin)
        w.machine = e.machine(w.org)
        e.grant(w.machine, "org", w.org, "ORG_OWNER")
        w.name = e.q1("SELECT username FROM users WHERE id = %s", w.machine)[0]
        w.project = e.project(w.org)
        w.app = e.app(w.project)
        w.api_app = e.app(w.project, app_type="api")
        w.dir = tempfile.mkdtemp(dir=e.dir, prefix="sdk-keys-")
        self.addCleanup(shutil.rmtree, w.dir, True)
        return w

    def example(self, name, w, standalone=False, **values):
        values.setdefault("BASE_URL", self.base)
        values.setdefault("PROJECT_ID", w.project)
        return self.runner.run(name, standalone=standalone, **values)

    def ok(self, r):
        """The example succeeded: its JSON line."""
        # Never the output in a message: it holds secrets.
        self.assertEqual(r.status, 0, "%s example failed: %s" % (self.sdk.lang, r.stderr))
        return json.loads(r.stdout)

    def refused(self, r, text, exact=False):
        """The example failed with text on stderr (all of it, if exact)."""
        self.assertEqual(r.status, 1, r.stderr)
        self.assertTrue(r.stdout == "", "the example printed an answer")
        if exact:
            self.assertEqual(r.stderr.strip(), text)
        else:
            self.assertIn(text, r.stderr)

    # --- what the examples leave behind ---------------------------------

    def key_file(self, path, w, key_id):
        """The key file at path: mode 0600, ZITADEL's format; the private
        key whose public half the server stores under key_id."""
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
        with open(path) as f:
            kf = json.load(f)
        self.assertEqual(sorted(kf), ["key", "keyId", "type", "userId"])
        self.assertEqual((kf["type"], kf["keyId"], kf["userId"]),
                         ("serviceaccount", key_id, w.machine))
        self.env.secrets_seen.add(kf["key"].splitlines()[1])
        priv = serialization.load_pem_private_key(kf["key"].encode(), None)
        stored = dict((k[0], k[1]) for k in self.env.machine_keys(w.machine))
        self.assertEqual(stored.get(key_id), priv.public_key().public_bytes(
            serialization.Encoding.PEM,
            serialization.PublicFormat.SubjectPublicKeyInfo).decode(),
            "the stored key is not the key file's public half")
        return kf

    def added(self, w):
        """access_token: the machine user's new secret and its key file."""
        path = os.path.join(w.dir, "server-made.json")
        out = self.ok(self.example("access_token", w, TOKEN=w.token,
                                   USER_ID=w.machine, KEY_FILE=path))
        self.assertEqual(sorted(out), ["clientSecret", "keyId"])
        secret = out["clientSecret"]
        self.env.secrets_seen.add(secret)
        self.assertTrue(SECRET_RE.match(secret), "not 64 letters and digits")
        stored, previous, sequence = self.env.machine_state(w.machine)
        self.assertTrue(verify_hash(secret, stored), "the stored hash does not verify the secret")
        self.assertTrue(php_verify(secret, stored), "password_verify does not verify it")
        self.assertIsNone(previous)
        self.assertEqual(sequence, 2)
        events = self.env.user_events(w.machine)
        self.assertEqual([(ev[0], ev[1], ev[3]) for ev in events],
                         [(1, "user.machine.secret.set", w.admin),
                          (2, "user.machine.key.added", w.admin)])
        self.assertEqual(json.loads(events[0][2]), {"hashedSecret": stored})
        self.assertEqual(json.loads(events[1][2])["keyId"], out["keyId"])
        self.key_file(path, w, out["keyId"])
        return secret, path

    def app_secret(self, w, app, kind, secret, seq0, tokens0):
        """secret is app's secret now, changed by the machine user with a
        token it signed in for: the one token it has beyond tokens0."""
        self.env.secrets_seen.add(secret)
        self.assertTrue(SECRET_RE.match(secret), "not 64 letters and digits")
        table = "oidc_configs" if kind == "oidc" else "api_configs"
        stored = self.env.q1("SELECT client_secret_hash FROM %s WHERE app_id = %%s"
                             % table, app)[0]
        self.assertTrue(verify_hash(secret, stored), "the stored hash does not verify the secret")
        self.assertTrue(php_verify(secret, stored), "password_verify does not verify it")
        self.assertEqual(self.env.sequence(w.project), seq0 + 1)
        ev = self.env.q1(
            "SELECT event_type, JSON_UNQUOTE(JSON_EXTRACT(payload, '$.appId')),"
            " JSON_UNQUOTE(JSON_EXTRACT(payload, '$.hashedSecret')), editor_user"
            " FROM events WHERE aggregate_type = 'project' AND aggregate_id = %s"
            " AND sequence = %s", w.project, seq0 + 1)
        self.assertEqual(ev, (EVENT % kind, app, stored, w.machine))
        new = [t for t in self.tokens(w) if t[0] not in tokens0]
        self.assertEqual(len(new), 1, "one token more: the one the SDK signed in for")
        _, kind_, audience, scopes, lifetime, revoked = new[0]
        self.assertEqual((kind_, audience, lifetime, revoked),
                         ("access", API_PROJECT, 43200, None))
        self.assertEqual(set(scopes.split()), ZITADEL_SCOPES)

    def tokens(self, w):
        """The machine user's access tokens."""
        return self.env.q(
            "SELECT token_sha256, token_type, audience, scopes,"
            " TIMESTAMPDIFF(SECOND, creation_date, expires_at), revoked_at"
            " FROM access_tokens WHERE user_id = %s", w.machine)

    def unchanged(self, call):
        before = self.env.snapshot()
        r = call()
        self.assertEqual(self.env.snapshot(), before, "a refusal wrote")
        return r

    # --- the sign-ins ---------------------------------------------------

    def sign_in_with_client_credentials(self, w, secret, standalone=False):
        seq0 = self.env.sequence(w.project)
        tokens0 = {t[0] for t in self.tokens(w)}
        out = self.ok(self.example("client_credentials", w, standalone,
                                   CLIENT_ID=w.name, CLIENT_SECRET=secret,
                                   APP_ID=w.app))
        self.assertEqual(sorted(out), ["clientSecret"])
        self.app_secret(w, w.app, "oidc", out["clientSecret"], seq0, tokens0)

    def sign_in_with_private_key(self, w, key_file):
        seq0 = self.env.sequence(w.project)
        tokens0 = {t[0] for t in self.tokens(w)}
        out = self.ok(self.example("private_key", w, KEY_FILE=key_file,
                                   API_APP_ID=w.api_app))
        self.assertEqual(sorted(out), ["clientSecret"])
        self.app_secret(w, w.api_app, "api", out["clientSecret"], seq0, tokens0)


class _AllSignIns(_SDK):

    def test_access_token_adds_a_secret_and_a_server_made_key(self):
        self.added(self.world())

    def test_access_token_refused(self):
        w = self.world()
        code, eid, text, status = ERRORS["token_invalid"]
        r = self.unchanged(lambda: self.example(
            "access_token", w, TOKEN="not-a-token", USER_ID=w.machine,
            KEY_FILE=os.path.join(w.dir, "k.json")))
        self.refused(r, "%d %s (%s)" % (status, text, eid), exact=True)
        self.assertFalse(os.path.exists(os.path.join(w.dir, "k.json")))

    def test_client_credentials(self):
        w = self.world()
        secret, _ = self.added(w)
        self.sign_in_with_client_credentials(w, secret)
        # A wrong secret: the sign-in fails with the token endpoint's error.
        r = self.unchanged(lambda: self.example(
            "client_credentials", w, CLIENT_ID=w.name, CLIENT_SECRET="x" + secret[1:],
            APP_ID=w.app))
        self.refused(r, "invalid_client")
        # Signed in, the call refused: the API's error, and no change.
        code, eid, text, status = ERRORS["app_not_found_v2"]
        seq0 = self.env.sequence(w.project)
        r = self.example("client_credentials", w, CLIENT_ID=w.name, CLIENT_SECRET=secret,
                         APP_ID="777777")
        self.refused(r, "%d %s (%s)" % (status, text, eid), exact=True)
        self.assertEqual(self.env.sequence(w.project), seq0)

    def test_private_key_made_by_the_server(self):
        w = self.world()
        _, key_file = self.added(w)
        self.sign_in_with_private_key(w, key_file)
        # The key removed, the same file no longer signs in.
        with open(key_file) as f:
            key_id = json.load(f)["keyId"]
        r = http(self.env.server(self.server).port, "POST",
                 "/zitadel.user.v2.UserService/RemoveKey",
                 {"Authorization": "Bearer " + w.token, "Content-Type": "application/json"},
                 json.dumps({"userId": w.machine, "keyId": key_id}))
        self.assertEqual(r.status, 200, r.body)
        r = self.unchanged(lambda: self.example("private_key", w, KEY_FILE=key_file,
                                                API_APP_ID=w.api_app))
        self.refused(r, "invalid_grant")

    def test_private_key_of_a_pair_made_here(self):
        w = self.world()
        key_file = os.path.join(w.dir, "own.json")
        out = self.ok(self.example("own_key", w, TOKEN=w.token, USER_ID=w.machine,
                                   KEY_FILE=key_file))
        self.assertEqual(sorted(out), ["keyId"])
        self.key_file(key_file, w, out["keyId"])
        ev = self.env.user_events(w.machine)
        self.assertEqual([(e[0], e[1], e[3]) for e in ev],
                         [(1, "user.machine.key.added", w.admin)])
        self.assertNotIn("PRIVATE", ev[0][2])
        self.sign_in_with_private_key(w, key_file)


class Python(_AllSignIns, unittest.TestCase):
    sdk = PythonSDK


class Php(_AllSignIns, unittest.TestCase):
    sdk = PhpSDK


class _ThroughApache(_SDK):
    """Both sign-ins through an Apache deployment as shipped: discovery and
    the token endpoint at the host's root, the API calls beside them."""

    def test_both_sign_ins(self):
        w = self.world()
        secret, key_file = self.added(w)
        self.sign_in_with_client_credentials(w, secret, standalone=True)
        self.sign_in_with_private_key(w, key_file)


class PythonApacheFcgid(_ThroughApache, unittest.TestCase):
    sdk = PythonSDK
    server = "apache-fcgid"


class PhpApacheFcgid(_ThroughApache, unittest.TestCase):
    sdk = PhpSDK
    server = "apache-fcgid"


class PythonApacheCgi(_ThroughApache, unittest.TestCase):
    """Plain CGI, set up by cgi-bin/.htaccess: shared hosting."""
    sdk = PythonSDK
    server = "apache-cgi"


class PhpApacheCgi(_ThroughApache, unittest.TestCase):
    sdk = PhpSDK
    server = "apache-cgi"


if __name__ == "__main__":
    unittest.main()
