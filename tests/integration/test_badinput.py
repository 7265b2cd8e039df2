"""Bad input: the corpus in tests/badinput/cases.jsonl.

Each case goes to lighttpd over a raw socket, byte for byte as written
(duplicate headers, lying Content-Length, control characters and all), and
gets its documented answer: the responder's status and error body (REST) or
grpc-status and grpc-message (gRPC-web), with the no-store headers; or,
where lighttpd refuses first ("server"), lighttpd's status.  After each
batch the responders still answer health checks, are the same processes,
and the database is as it was.  tests/badinput/make_cases.py documents the
format and writes the corpus.
"""

import base64
import json
import os
import re
import socket
import unittest
import urllib.parse

from harness import error_body, ERRORS, env, http
from procs import responder_pids

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = os.path.join(os.path.dirname(HERE), "badinput", "cases.jsonl")

# The gRPC path's own content-type refusals (doc/api.md), beside
# harness.ERRORS: kind -> (gRPC code, ID, text, HTTP status).
REPEAT = re.compile(r"\{REPEAT:(.*?):(\d+)\}", re.S)


def load_cases():
    with open(CASES) as f:
        return [json.loads(line) for line in f if line.strip()]


class Response:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def header(self, name):
        return self.headers.get(name.lower())


def parse_response(data):
    """The first response in data; status 0 when there is none."""
    if not data.startswith(b"HTTP/"):
        return Response(0, {}, data)
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(b":")
        headers[k.strip().lower().decode("latin-1")] = v.strip().decode("latin-1")
    n = int(headers.get("content-length", len(rest)))
    return Response(status, headers, rest[:n])


def exchange(port, raw, half_close=False, timeout=20):
    """Sends raw, reads until the server closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        try:
            s.sendall(raw)
        except (BrokenPipeError, ConnectionResetError):
            pass    # refused before the whole request went out
        if half_close:
            s.shutdown(socket.SHUT_WR)
        chunks = []
        while True:
            try:
                c = s.recv(65536)
            except ConnectionResetError:
                break
            if not c:
                break
            chunks.append(c)
    return b"".join(chunks)


class BadInput(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.env = env()
        e = cls.env
        cls.web = e.lighttpd("badinput", procs=2)
        cls.port = cls.web.port
        w = e.world()
        cls.values = {
            "{PROJECT}": w.project, "{APP}": w.app, "{API_APP}": w.api_app,
            "{TOKEN}": w.token, "{ORG}": w.org, "{MISSING}": "777777",
            "{INACTIVE_ORG}": e.org(state="inactive"), "{REMOVED_ORG}": e.org(state="removed"),
        }
        cls.cases = load_cases()
        cls.pids = responder_pids(cls.web, expect=2)

    def fill(self, s):
        s = REPEAT.sub(lambda m: m.group(1) * int(m.group(2)), s)
        for k, v in self.values.items():
            s = s.replace(k, v)
        return s.encode("utf-8", "surrogateescape")

    def build(self, c):
        target = base64.b64decode(c["path_b64"]) if c.get("path_b64") else self.fill(c["path"])
        body = base64.b64decode(c["body_b64"]) if "body_b64" in c else self.fill(c["body"])
        head = [self.fill(c["method"]) + b" " + target + b" " +
                c.get("version", "HTTP/1.1").encode()]
        if not c.get("no_host"):
            head.append(b"Host: 127.0.0.1")
        for name, value in c["headers"]:
            head.append(self.fill(name) + b": " + self.fill(value))
        if c.get("chunked"):
            head.append(b"Transfer-Encoding: chunked")
            chunks = b"".join(b"%x\r\n%s\r\n" % (len(body[i:i + 4096]), body[i:i + 4096])
                              for i in range(0, len(body), 4096))
            body = chunks + b"0\r\n\r\n"
        elif "content_length" in c:
            if c["content_length"] != "":
                head.append(b"Content-Length: " + c["content_length"].encode())
        else:
            head.append(b"Content-Length: %d" % len(body))
        head.append(b"Connection: close")
        return b"\r\n".join(head) + b"\r\n\r\n" + body

    def check(self, c, r):
        exp = c["expect"]
        self.assertEqual(r.status, exp["status"], (r.status, r.body[:200]))
        if exp["server"]:
            # lighttpd's own page, not an answer of ours.
            self.assertNotIn(b'"code"', r.body)
            return
        self.assertEqual(r.header("Cache-Control"), "no-store")
        self.assertEqual(r.header("Pragma"), "no-cache")
        self.assertEqual(r.header("X-Content-Type-Options"), "nosniff")
        if exp["kind"] == "preflight":
            self.assertEqual(r.body, b"")
            self.assertEqual(r.header("Allow"), exp["allow"])
            return
        code, eid, text, status = ERRORS[exp["kind"]]
        self.assertEqual(eid, exp["id"])
        if exp["grpc"]:
            # Trailers-only (doc/api.md).
            self.assertEqual(r.body, b"")
            self.assertEqual(r.header("grpc-status"), str(code))
            self.assertEqual(urllib.parse.unquote(r.header("grpc-message")),
                             "%s (%s)" % (text, eid))
            return
        self.assertEqual(status, exp["status"])
        if exp["kind"] == "method_not_allowed":
            self.assertIn(r.header("Allow"), ("POST", "GET, HEAD"))
        if exp["kind"] == "grpc_native":
            self.assertEqual(r.header("grpc-status"), "12")
        if c["method"] == "HEAD":
            self.assertEqual(r.body, b"")
            return
        self.assertEqual(r.header("Content-Type"), "application/json")
        self.assertEqual(json.loads(r.body), error_body(exp["kind"]))

    def run_group(self, group):
        cases = [c for c in self.cases if c["group"] == group]
        self.assertGreater(len(cases), 0)
        before = self.env.snapshot()
        for c in cases:
            with self.subTest(case=c["name"]):
                raw = self.build(c)
                r = parse_response(exchange(self.port, raw, c.get("half_close", False)))
                self.check(c, r)
        # The batch changed nothing, and the same processes still serve.
        self.assertEqual(self.env.snapshot(), before, "a bad request wrote to the database")
        r = http(self.port, "GET", "/debug/healthz")
        self.assertEqual((r.status, r.body), (200, b"ok\n"))
        self.assertEqual(responder_pids(self.web), self.pids, "a responder died")

    def test_corpus_size(self):
        self.assertGreaterEqual(len(self.cases), 200)
        names = [c["group"] + "/" + c["name"] for c in self.cases]
        self.assertEqual(len(names), len(set(names)))

    def test_methods(self):
        self.run_group("methods")

    def test_paths(self):
        self.run_group("paths")

    def test_headers(self):
        self.run_group("headers")

    def test_bodies(self):
        self.run_group("bodies")

    def test_grpcweb(self):
        self.run_group("grpcweb")

    def test_lengths(self):
        self.run_group("lengths")


if __name__ == "__main__":
    unittest.main()
