"""Client secrets that rotate with a grace period, and the per-process cache
of verified client credentials (doc/security.md, doc/oauth.md).

With secret_grace_period_s above 0 a new secret (an API app's, from any
call; a machine user's) leaves the previous one valid until the change plus
the grace, on the database's clock: introspection's and the token
endpoint's client authentication accept either while it lasts, only the
new one after, at most two at once; RemoveSecret ends both.  With the
default 0, the old secret stops at once.  A valid pair costs one hash
verification per process, not one per call; a refused pair repeated costs
none; a rotated secret's cache entry is unusable at once.
"""

import base64
import hashlib
import json
import re
import time
import unittest
import urllib.parse

from harness import API_PROJECT, env, http, new_id, quick_hash

GRACE = 3
FORM = "application/x-www-form-urlencoded"


def basic(client_id, secret):
    raw = urllib.parse.quote(client_id, safe="") + ":" + urllib.parse.quote(secret, safe="")
    return "Basic " + base64.b64encode(raw.encode()).decode()


class Rotation(unittest.TestCase):
    server = "rotation"
    settings = {"secret_grace_period_s": GRACE}

    @classmethod
    def setUpClass(cls):
        cls.env = env()
        if cls.server.startswith("apache"):
            cls.web = cls.env.apache_fcgid(cls.server, **cls.settings)
        else:
            cls.web = cls.env.lighttpd(cls.server, **cls.settings)
        cls.port = cls.web.port

    def setUp(self):
        e = self.env
        self.org = e.org()
        self.admin = e.user(self.org, roles=[("org", self.org, "ORG_OWNER")])
        self.token = e.token(self.admin)
        self.project = e.project(self.org)
        self.app = e.app(self.project, app_type="api")
        self.machine = e.machine(self.org)
        self.name = e.q1("SELECT username FROM users WHERE id = %s", self.machine)[0]
        # A token for the app's project, to introspect.
        subject = e.user(self.org)
        self.subject_token = e.token(subject, audience=self.project)

    def post(self, path, form, headers=None):
        h = {"Content-Type": FORM}
        h.update(headers or {})
        return http(self.port, "POST", path, h, urllib.parse.urlencode(form))

    def regenerate_app(self):
        r = http(self.port, "POST",
                 "/management/v1/projects/%s/apps/%s/api_config/_generate_client_secret"
                 % (self.project, self.app),
                 {"Authorization": "Bearer " + self.token,
                  "Content-Type": "application/json"}, "{}")
        self.assertEqual(r.status, 200, r.body)
        s = r.json()["clientSecret"]
        self.env.secrets_seen.add(s)
        return s

    def machine_secret(self):
        r = http(self.port, "POST", "/zitadel.user.v2.UserService/AddSecret",
                 {"Authorization": "Bearer " + self.token,
                  "Content-Type": "application/json"},
                 json.dumps({"userId": self.machine}))
        self.assertEqual(r.status, 200, r.body)
        s = r.json()["clientSecret"]
        self.env.secrets_seen.add(s)
        return s

    def introspects(self, secret):
        r = self.post("/oauth/v2/introspect", {"token": self.subject_token},
                      {"Authorization": basic(self.app, secret)})
        self.assertIn(r.status, (200, 401), r.body)
        if r.status == 200:
            self.assertEqual(r.json()["active"], True)
        return r.status == 200

    def signs_in(self, secret):
        r = self.post("/oauth/v2/token", {"grant_type": "client_credentials"},
                      {"Authorization": basic(self.name, secret)})
        self.assertIn(r.status, (200, 401), r.body)
        if r.status == 200:
            self.env.secrets_seen.add(r.json()["access_token"])
        return r.status == 200

    def test_app_secret_grace(self):
        s1 = self.regenerate_app()
        t0 = time.monotonic()
        s2 = self.regenerate_app()
        self.assertTrue(self.introspects(s1), "the old secret within the grace")
        self.assertTrue(self.introspects(s2))
        until = self.env.q1("SELECT TIMESTAMPDIFF(MICROSECOND, secret_change_date,"
                            " previous_secret_until) FROM api_configs WHERE app_id = %s",
                            self.app)[0]
        self.assertAlmostEqual(until / 1e6, GRACE, delta=0.5)
        ev = self.env.q1("SELECT payload FROM events WHERE aggregate_id = %s"
                         " ORDER BY sequence DESC LIMIT 1", self.project)[0]
        self.assertEqual(json.loads(ev)["previousSecretValidSeconds"], GRACE)
        # A third change drops the oldest at once.
        s3 = self.regenerate_app()
        self.assertFalse(self.introspects(s1), "at most two valid at once")
        self.assertTrue(self.introspects(s2))
        self.assertTrue(self.introspects(s3))
        time.sleep(max(0, GRACE + 0.3 - (time.monotonic() - t0)))
        time.sleep(0.5)
        self.assertFalse(self.introspects(s2), "after the grace, only the new one")
        self.assertTrue(self.introspects(s3))

    def test_machine_secret_grace_and_removal(self):
        s1 = self.machine_secret()
        s2 = self.machine_secret()
        self.assertTrue(self.signs_in(s1))
        self.assertTrue(self.signs_in(s2))
        r = http(self.port, "POST", "/zitadel.user.v2.UserService/RemoveSecret",
                 {"Authorization": "Bearer " + self.token,
                  "Content-Type": "application/json"},
                 json.dumps({"userId": self.machine}))
        self.assertEqual(r.status, 200, r.body)
        self.assertFalse(self.signs_in(s1), "RemoveSecret ends both")
        self.assertFalse(self.signs_in(s2))
        s3 = self.machine_secret()
        time.sleep(GRACE + 0.5)
        self.assertTrue(self.signs_in(s3))

    def test_valid_until_is_the_databases_clock(self):
        s1 = self.regenerate_app()
        self.regenerate_app()
        # Moved into the past on the database's clock: over, whatever the
        # web host's clock says.
        self.env.q("UPDATE api_configs SET previous_secret_until = UTC_TIMESTAMP(6)"
                   " - INTERVAL 1 SECOND WHERE app_id = %s", self.app)
        self.assertFalse(self.introspects(s1))


class RotationApache(Rotation):
    server = "apache-rotation"


class NoGrace(Rotation):
    server = "default"
    settings = {}

    def test_app_secret_grace(self):
        s1 = self.regenerate_app()
        s2 = self.regenerate_app()
        self.assertFalse(self.introspects(s1), "grace 0: the old secret stops at once")
        self.assertTrue(self.introspects(s2))
        self.assertIsNone(self.env.q1("SELECT previous_secret_hash FROM api_configs"
                                      " WHERE app_id = %s", self.app)[0])

    def test_machine_secret_grace_and_removal(self):
        s1 = self.machine_secret()
        s2 = self.machine_secret()
        self.assertFalse(self.signs_in(s1))
        self.assertTrue(self.signs_in(s2))

    test_valid_until_is_the_databases_clock = None


class VerifiedCache(unittest.TestCase):
    """One responder process at debug level: its log counts the hashes."""

    @classmethod
    def setUpClass(cls):
        cls.env = env()
        cls.web = cls.env.lighttpd("cache", procs=1, log_level="debug")
        cls.port = cls.web.port

    def verifications(self):
        text = "\n".join(t for p, t in self.env.logs().items() if "lighttpd-cache" in p)
        return len(re.findall(r"client secret: hash verification", text))

    def introspect(self, app, secret, token):
        r = http(self.port, "POST", "/oauth/v2/introspect",
                 {"Content-Type": FORM, "Authorization": basic(app, secret)},
                 urllib.parse.urlencode({"token": token}))
        return r.status

    def wait_count(self, want):
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and self.verifications() < want:
            time.sleep(0.05)
        time.sleep(0.2)
        return self.verifications()

    def test_one_hash_for_many_introspections(self):
        e = self.env
        org = e.org()
        admin = e.user(org, roles=[("org", org, "ORG_OWNER")])
        admin_token = e.token(admin)
        project = e.project(org)
        app = e.app(project, app_type="api")
        secret = "c" * 64
        e.secrets_seen.add(secret)
        e.q("UPDATE api_configs SET client_secret_hash = %s WHERE app_id = %s",
            quick_hash(secret), app)
        token = e.token(e.user(org), audience=project)
        n0 = self.verifications()
        for _ in range(20):
            self.assertEqual(self.introspect(app, secret, token), 200)
        self.assertEqual(self.wait_count(n0 + 1), n0 + 1,
                         "20 introspections, one hash verification")
        # A refused pair, repeated within the second, costs no more hashes.
        n1 = self.verifications()
        for _ in range(10):
            self.assertEqual(self.introspect(app, "wrong" * 10, token), 401)
        self.assertEqual(self.wait_count(n1 + 1), n1 + 1, "a refusal is remembered")
        # A rotated secret: the cached pair is unusable at once.
        r = http(self.port, "POST",
                 "/management/v1/projects/%s/apps/%s/api_config/_generate_client_secret"
                 % (project, app),
                 {"Authorization": "Bearer " + admin_token,
                  "Content-Type": "application/json"}, "{}")
        self.assertEqual(r.status, 200)
        new = r.json()["clientSecret"]
        e.secrets_seen.add(new)
        self.assertEqual(self.introspect(app, secret, token), 401)
        self.assertEqual(self.introspect(app, new, token), 200)


if __name__ == "__main__":
    unittest.main()
