"""Secrets stay secret (doc/security.md).  Named to run last.

1. No secret, token or hash in any log: every log file of the run
   (env.logs(): web servers' error logs with the responders' stderr,
   MariaDB's, the private fault database's) is searched for every secret
   and token the suite handled (env.secrets_seen) and every hash the
   database holds (oidc_configs, events), and for the database password.
2. The clear secret is wiped once the response is written: after a
   successful call through a FastCGI responder (REST, gRPC-web binary and
   text, argon2id and bcrypt), the responder's whole memory
   (/proc/PID/maps + /proc/PID/mem, as root) does not hold the secret.
3. The no-store headers ride on every answer of every route, errors too.
"""

import base64
import json
import os
import threading
import time
import unittest

import pymysql

from harness import (DATABASE, DB_USER, GRPC_PATH, REST_PATH, env, http, rest)
from grpcwire import frames, pb_fields, request_frame
from procs import (find_in_memory, has_sanitizer,
                   responder_pids)


class MemoryWipe(unittest.TestCase):
    """One responder process, so the one that answered is the one read.

    The first run of this test found the secret on the responder's stack
    after its first request: the binary bound symbols lazily, and the
    dynamic linker's resolver saved the vector registers -- holding the
    response body from the last memcpy -- on the stack.  Fixed by linking
    with -z now (configure.ac, HARDEN_LDFLAGS)."""

    @classmethod
    def setUpClass(cls):
        cls.env = env()

    def responder(self, web):
        pids = responder_pids(web, expect=1)
        self.assertEqual(len(pids), 1, pids)
        if has_sanitizer(pids[0]):
            self.skipTest("an ASan build: its memory is too large to scan")
        return pids[0]

    def assert_not_in_memory(self, web, secret, what):
        pids = [self.responder(web)]
        found = find_in_memory(pids[0], [secret.encode()])
        where = found[secret.encode()]
        self.assertEqual(where, [], "%s: the secret is still in responder memory at %s" % (
            what, ", ".join("%#x %s" % (a, p or "[anon]") for a, p in where[:8])))

    def check_server(self, name, **settings):
        e = self.env
        web = e.lighttpd(name, procs=1, **settings)
        self.responder(web)
        w = e.world()
        # REST
        r = rest(web.port, w.project, w.app, token=w.token)
        self.assertEqual(r.status, 200, r.body)
        secret = r.json()["clientSecret"]
        e.secrets_seen.add(secret)
        self.assert_not_in_memory(web, secret, name + " REST")
        # gRPC-web, binary
        r = http(web.port, "POST", GRPC_PATH, {"Content-Type": "application/grpc-web+proto",
                                               "Authorization": "Bearer " + w.token},
                 request_frame(w.project, w.app))
        self.assertEqual(r.status, 200)
        secret = pb_fields(frames(r.body)[0][1])[1][0].decode()
        e.secrets_seen.add(secret)
        self.assert_not_in_memory(web, secret, name + " gRPC-web")
        # gRPC-web, text
        r = http(web.port, "POST", GRPC_PATH, {"Content-Type": "application/grpc-web-text",
                                               "Authorization": "Bearer " + w.token},
                 base64.b64encode(request_frame(w.project, w.app)))
        self.assertEqual(r.status, 200)
        secret = pb_fields(frames(base64.b64decode(r.body))[0][1])[1][0].decode()
        e.secrets_seen.add(secret)
        self.assert_not_in_memory(web, secret, name + " gRPC-web-text")
        return web, w

    def test_reader_finds_what_is_there(self):
        """The search itself works, on a value as short-lived as a secret:
        the request's bearer token is found while its request waits on a
        row lock, and gone once it is answered."""
        e = self.env
        web = e.lighttpd("memory", procs=1)
        pid = self.responder(web)
        w = e.world()
        holder = pymysql.connect(unix_socket=e.db.socket, user="root",
                                 database=DATABASE, autocommit=False)
        with holder.cursor() as c:
            c.execute("SELECT sequence FROM projects WHERE id = %s FOR UPDATE",
                      (w.project,))
        out = {}
        t = threading.Thread(target=lambda: out.update(
            r=rest(web.port, w.project, w.app, token=w.token)))
        t.start()
        try:
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and not e.q(
                    "SELECT 1 FROM information_schema.processlist WHERE user = %s"
                    " AND info LIKE 'UPDATE projects SET sequence%%'", DB_USER):
                time.sleep(0.1)
            found = find_in_memory(pid, [w.token.encode()])[w.token.encode()]
            self.assertNotEqual(found, [], "the scan misses a token in hand")
        finally:
            holder.rollback()
            holder.close()
            t.join(30)
        self.assertEqual(out["r"].status, 200, out["r"].body)
        e.secrets_seen.add(out["r"].json()["clientSecret"])
        self.assertEqual(find_in_memory(pid, [w.token.encode()])[w.token.encode()], [])

    def test_argon2id(self):
        self.check_server("memory-argon2id", hash_algorithm="argon2id")

    def test_bcrypt(self):
        self.check_server("memory")


class SecretsNotInLogs(unittest.TestCase):
    """Runs after the other classes here (alphabetical), last of the suite."""

    def test_no_secret_token_or_hash_in_any_log(self):
        e = env()
        needles = set(e.secrets_seen)
        rows = e.q("SELECT client_secret_hash FROM oidc_configs"
                   " WHERE client_secret_hash IS NOT NULL")
        needles.update(r[0] for r in rows)
        for (payload,) in e.q("SELECT payload FROM events"):
            h = json.loads(payload).get("hashedSecret")
            if h:
                needles.add(h)
                # A hash's salt and digest are secrets of their own.
                needles.update(p for p in h.split("$") if len(p) >= 16)
        needles.add(e.password)
        self.assertGreater(len(e.secrets_seen), 0, "the suite handled no secrets?")
        logs = e.logs()
        self.assertGreater(len(logs), 2)
        total = sum(len(t) for t in logs.values())
        leaks = []
        for path, text in logs.items():
            for n in needles:
                if n and n in text:
                    leaks.append((os.path.relpath(path, e.dir), n[:12] + "..."))
        self.assertEqual(leaks, [], "secrets in the logs")
        print("  searched %d log files (%d bytes) for %d secrets, tokens and hashes" % (
            len(logs), total, len(needles)))


class NoStore(unittest.TestCase):
    """doc/api.md: every response, every route, errors included."""

    def test_every_route_and_error(self):
        e = env()
        web = e.lighttpd("default")
        w = e.world()
        rest_path = REST_PATH % (w.project, "777777")
        cases = {
            "healthz": ("GET", "/debug/healthz", {}, b""),
            "ready": ("GET", "/debug/ready", {}, b""),
            "healthz 405": ("POST", "/debug/healthz", {}, b""),
            "ready 405": ("POST", "/debug/ready", {}, b""),
            "unknown 404": ("POST", "/nowhere", {}, b"{}"),
            "rest 405": ("GET", rest_path, {}, b""),
            "rest 401": ("POST", rest_path, {"Content-Type": "application/json"}, b"{}"),
            "rest 404": ("POST", rest_path, {"Content-Type": "application/json",
                                             "Authorization": "Bearer " + w.token}, b"{}"),
            "rest 400": ("POST", rest_path, {"Content-Type": "application/json"}, b"[]"),
            "rest 413": ("POST", rest_path, {"Content-Type": "application/json"},
                         b" " * 70000),
            "rest 415": ("POST", rest_path, {"Content-Type": "application/grpc"}, b"{}"),
            "grpc 405": ("GET", GRPC_PATH, {}, b""),
            "grpc 415": ("POST", GRPC_PATH, {"Content-Type": "text/plain"}, b""),
            "grpc native": ("POST", GRPC_PATH, {"Content-Type": "application/grpc"}, b""),
            "grpc trailers-only": ("POST", GRPC_PATH,
                                   {"Content-Type": "application/grpc-web+proto"}, b""),
            "grpc 404": ("POST", GRPC_PATH, {"Content-Type": "application/grpc-web+proto",
                                             "Authorization": "Bearer " + w.token},
                         request_frame(w.project, "777777")),
        }
        for name, (method, path, headers, body) in cases.items():
            with self.subTest(case=name):
                r = http(web.port, method, path, headers, body)
                self.assertEqual(r.header("Cache-Control"), "no-store", (r.status, r.headers))
                self.assertEqual(r.header("Pragma"), "no-cache")
                self.assertEqual(r.header("X-Content-Type-Options"), "nosniff")
        nodb = e.servers.get("nodb") or e.lighttpd(
            "nodb", db_socket="/nonexistent/mysqld.sock", db_connect_timeout_s=2)
        for path, headers in (("/debug/ready", {}),
                              (rest_path, {"Content-Type": "application/json",
                                           "Authorization": "Bearer x"})):
            with self.subTest(case="503 " + path[:20]):
                r = http(nodb.port, "GET" if "ready" in path else "POST", path, headers,
                         b"" if "ready" in path else b"{}")
                self.assertEqual(r.status, 503)
                self.assertEqual(r.header("Cache-Control"), "no-store")
                self.assertEqual(r.header("Pragma"), "no-cache")


if __name__ == "__main__":
    unittest.main()
