"""The request log line (doc/security.md, oidc-secret.conf(5)).

One line per request on the responder's stderr, which is the web server's
error log: under lighttpd's bin-path the responders inherit lighttpd's
stderr, which oidcstack.Lighttpd sends to lighttpd-error.log.stderr.

    <RFC 3339 UTC time> oidc-secret[<pid>]: info: request id=<16 hex>
        method=<M> route=<R> status=<HTTP> code=<gRPC> user=<id or -> latency_ms=<ms>

At log_level warn there are none.  Never a token, a secret or a hash.
"""

import calendar
import collections
import os
import re
import time
import unittest

from harness import GRPC_PATH, env, http, rest
from grpcwire import request_frame

LINE_RE = re.compile(
    r"^(?P<time>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z) oidc-secret\[(?P<pid>\d+)\]: "
    r"info: request id=(?P<id>[0-9a-f]{16}) method=(?P<method>\S+) "
    r"route=(?P<route>\S+) status=(?P<status>\d{3}) code=(?P<code>\d+) "
    r"user=(?P<user>\S+) latency_ms=(?P<latency>\d+\.\d) call=(?P<call>\S+)"
    r"( refused=\"(?P<reason>[^\"]*)\")?$")


class Base(unittest.TestCase):
    name = None
    level = None

    @classmethod
    def setUpClass(cls):
        cls.env = env()
        cls.web = cls.env.lighttpd(cls.name, log_level=cls.level)
        cls.port = cls.web.port
        cls.log = cls.web.errlog + ".stderr"

    def log_text(self):
        try:
            with open(self.log, errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def request_lines(self, text):
        return [ln for ln in text.splitlines() if " request id=" in ln]

    def make_requests(self):
        """A mix of outcomes; returns (expected log tuples, words that must not be logged)."""
        e = self.env
        w = e.world()
        stranger = e.user(w.org)                 # no role
        stranger_token = e.token(stranger)
        bad = "not-a-token-" + w.token[::-1]
        expected, secret_words = [], [w.token, stranger_token, bad, e.password]

        def want(method, route, status, code, user):
            expected.append((method, route, str(status), str(code), user))

        r = rest(self.port, w.project, w.app, token=w.token)
        self.assertEqual(r.status, 200, r.body)
        secret_words.append(r.json()["clientSecret"])
        want("POST", "rest", 200, 0, w.user)
        r = rest(self.port, w.project, w.app)
        self.assertEqual(r.status, 401)
        want("POST", "rest", 401, 16, "-")
        r = rest(self.port, w.project, w.app, token=bad)
        self.assertEqual(r.status, 401)
        want("POST", "rest", 401, 16, "-")
        r = rest(self.port, w.project, w.app, token=stranger_token)
        self.assertEqual(r.status, 403)
        want("POST", "rest", 403, 7, stranger)
        r = rest(self.port, w.project, "777777", token=w.token)
        self.assertEqual(r.status, 404)
        want("POST", "rest", 404, 5, w.user)
        r = rest(self.port, w.project, w.app, token=w.token, method="GET", body=b"")
        self.assertEqual(r.status, 405)
        want("GET", "rest", 405, 12, "-")
        r = http(self.port, "GET", "/debug/healthz")
        self.assertEqual(r.status, 200)
        want("GET", "healthz", 200, 0, "-")
        r = http(self.port, "GET", "/debug/ready")
        self.assertEqual(r.status, 200)
        want("GET", "ready", 200, 0, "-")
        r = http(self.port, "GET", "/nothing/here")
        self.assertEqual(r.status, 404)
        want("GET", "none", 404, 5, "-")
        grpc = {"Content-Type": "application/grpc-web+proto", "X-Grpc-Web": "1",
                "Authorization": "Bearer " + w.token}
        r = http(self.port, "POST", GRPC_PATH, grpc, request_frame(w.project, w.app))
        self.assertEqual((r.status, r.header("grpc-status")), (200, None))
        secret_words.append(r.body[7:71].decode())
        want("POST", "grpc-web", 200, 0, w.user)
        grpc["Authorization"] = "Bearer " + bad
        r = http(self.port, "POST", GRPC_PATH, grpc, request_frame(w.project, w.app))
        self.assertEqual((r.status, r.header("grpc-status")), (200, "16"))
        want("POST", "grpc-web", 200, 16, "-")
        secret_words.append(e.stored_hash(w.app))
        for s in secret_words:
            e.secrets_seen.add(s)
        return expected, secret_words

    def assert_nothing_secret(self, words):
        """No token, secret, hash or password in any log file of this server."""
        for root, _, files in os.walk(self.web.dir):
            for f in files:
                if "log" not in f:
                    continue
                with open(os.path.join(root, f), errors="replace") as fh:
                    text = fh.read()
                for word in words:
                    self.assertNotIn(word, text, "%s holds a secret" % f)
                    # The hash's salt and digest alone, too.
                    if word.startswith(("$argon2", "$2b$")):
                        self.assertNotIn(word.split("$")[-1], text)


class InfoLevel(Base):
    name = "logtest"
    level = "info"

    def test_one_line_per_request_with_its_outcome(self):
        start = len(self.log_text())
        t0 = time.time()
        expected, words = self.make_requests()
        # The line is written after the response: wait for the last ones.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            lines = self.request_lines(self.log_text()[start:])
            if len(lines) >= len(expected):
                break
            time.sleep(0.05)
        time.sleep(0.3)
        lines = self.request_lines(self.log_text()[start:])
        self.assertEqual(len(lines), len(expected), "\n".join(lines))
        got, ids = [], set()
        for ln in lines:
            m = LINE_RE.match(ln)
            self.assertIsNotNone(m, "malformed request line: %r" % ln)
            got.append((m["method"], m["route"], m["status"], m["code"], m["user"]))
            ids.add(m["id"])
            self.assertGreaterEqual(float(m["latency"]), 0.0)
            when = calendar.timegm(time.strptime(m["time"][:19], "%Y-%m-%dT%H:%M:%S"))
            self.assertLess(abs(when - t0), 120, m["time"])
        self.assertEqual(len(ids), len(lines), "request ids are unique")
        # Exactly one line for each request, with its status, code and user.
        self.assertEqual(collections.Counter(got), collections.Counter(expected))
        self.assert_nothing_secret(words)


class WarnLevel(Base):
    name = "logwarn"
    level = "warn"

    def test_no_request_lines_at_warn(self):
        start = len(self.log_text())
        _, words = self.make_requests()
        time.sleep(1.0)
        text = self.log_text()[start:]
        self.assertEqual(self.request_lines(text), [])
        self.assertNotIn(": info: ", text)
        self.assert_nothing_secret(words)


if __name__ == "__main__":
    unittest.main()
