"""Defects a review found, each shown by a test that fails without its fix.

1. An answer that never reached the web server: the change is committed,
   the request line says "undelivered" at warn with the app and the new
   sequence, and libfcgi's output buffer holds no trace of the secret.
2. Bearer tokens do not stay in libfcgi's input buffer (or anywhere else
   in the responder) once their request is answered.  Both scans have a
   positive control: in the middle of the request, held on a row lock,
   the same scan finds the secret and the token.
3. A body over max_body_bytes is answered 413 at once, unread, through
   the single-process mod_proxy_fcgi set-up, and another client is served
   while the first is still sending.
4. Signals: SIGTERM ends an idle responder within a second; a signal in the
   middle of a slowly sent request leaves that request's answer right.
5. token revoke revokes what it counted, in one transaction; migrate,
   once it holds its lock, never continues on a new connection.
6. The configuration file: trailing comments, a key given twice.

The web server's part is played by tests/integration/fcgi_client.py where
the test needs the worst moment (a connection closed early, parameters
sent slowly); otherwise real Apache and lighttpd.
"""

import json
import os
import re
import signal
import socket
import subprocess
import threading
import time
import unittest

import pymysql

import fcgi_client as fc
import harness
from harness import (DATABASE, DB_USER, REST_PATH, env, error_body, http,
                     php_verify, st)
from procs import find_in_memory, has_sanitizer, memory_matches

SECRET_RUN = re.compile(rb"(?<![A-Za-z0-9])[A-Za-z0-9]{64}(?![A-Za-z0-9])")
BCRYPT4 = re.compile(rb"\$2b\$04\$[./A-Za-z0-9]{53}")
FAST = {"hash_algorithm": "bcrypt", "bcrypt_cost": 4}


def php_match(candidates, encoded):
    """The candidates (bytes) that PHP's password_verify takes for encoded."""
    code = ('$h = trim(fgets(STDIN)); while (($l = fgets(STDIN)) !== false)'
            ' { $l = rtrim($l, "\\n"); if (password_verify($l, $h)) echo $l, "\\n"; }')
    r = subprocess.run(["php", "-r", code], capture_output=True, check=True,
                       input=encoded.encode() + b"\n" + b"\n".join(candidates) + b"\n")
    return [x for x in r.stdout.split(b"\n") if x]


def dechunk(data):
    """The body of an HTTP/1.1 chunked transfer coding."""
    out = b""
    while data:
        size, _, data = data.partition(b"\r\n")
        n = int(size.split(b";")[0], 16)
        if n == 0:
            break
        out, data = out + data[:n], data[n + 2:]
    return out


def wait_for(check, timeout, what):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = check()
        if v:
            return v
        time.sleep(0.05)
    raise AssertionError("timed out waiting for " + what)


class Base(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.env = env()

    def responder(self, name, **settings):
        """A single responder on a Unix socket (spawn-fcgi), started."""
        settings.setdefault("log_level", "info")
        r = self.env.spawn_fcgi(name, **settings)
        r.start()
        self.addCleanup(r.stop)
        return r

    def log(self, r):
        with open(r.errlog, errors="replace") as f:
            return f.read()

    def lock_project(self, project):
        """A row lock on the project, held until the returned connection
        commits: the responder's transaction waits for it."""
        c = pymysql.connect(unix_socket=self.env.db.socket, user="root",
                            database=DATABASE, autocommit=False)
        c.cursor().execute("SELECT sequence FROM projects WHERE id = %s FOR UPDATE",
                           (project,))
        return c

    def wait_lock_wait(self):
        """Until a responder's statement waits on the project row."""
        wait_for(lambda: self.env.q(
            "SELECT COUNT(*) FROM information_schema.processlist WHERE user = %s"
            " AND info LIKE 'UPDATE projects SET sequence%%'", DB_USER)[0][0] > 0,
            10, "the responder to wait for the row lock")

    def scannable(self, pid):
        if has_sanitizer(pid):
            self.skipTest("an ASan build: its memory is too large to scan")


class Undelivered(Base):
    def test_closed_before_the_answer(self):
        e = self.env
        r = self.responder("undelivered", db_lock_wait_timeout_s=20, **FAST)
        self.scannable(r.pid)
        w = e.world()
        seq0 = e.sequence(w.project)
        lock = self.lock_project(w.project)
        s = fc.connect(r.socket)
        s.sendall(fc.request_bytes(fc.cgi_params(
            "POST", REST_PATH % (w.project, w.app),
            {"Authorization": "Bearer " + w.token,
             "Content-Type": "application/json"}, b"{}"), b"{}"))
        self.wait_lock_wait()
        # Positive control: mid-request, the scan finds the secret and
        # the token, so "not found" afterwards means something.
        hashes = memory_matches(r.pid, BCRYPT4)
        self.assertEqual(len(hashes), 1, "the new hash, in memory")
        encoded = hashes.pop().decode()
        secrets = php_match(sorted(memory_matches(r.pid, SECRET_RUN)), encoded)
        self.assertEqual(len(secrets), 1, "the new secret, in memory")
        secret = secrets[0]
        e.secrets_seen.add(secret.decode())
        self.assertNotEqual(find_in_memory(r.pid, [w.token.encode()])[w.token.encode()], [])
        # The web server gives up on the request: its end closes.
        s.close()
        lock.commit()
        lock.close()
        wait_for(lambda: "status=200" in self.log(r), 10, "the request's log line")
        # Committed: the old secret is dead.
        self.assertEqual(e.sequence(w.project), seq0 + 1)
        self.assertEqual(e.stored_hash(w.app), encoded)
        self.assertTrue(php_verify(secret.decode(), e.stored_hash(w.app)))
        found = find_in_memory(r.pid, [secret, w.token.encode()])
        self.assertEqual(found[secret], [], "the undelivered secret stays in memory")
        self.assertEqual(found[w.token.encode()], [], "the token stays in memory")
        # The operator learns which app lost its secret, at warn.
        line = re.search(r"warn: request id=\w+ method=POST route=rest status=200 "
                         r"undelivered code=0 app=(\S+) sequence=(\d+)", self.log(r))
        self.assertIsNotNone(line, self.log(r)[-300:])
        self.assertEqual(line.group(1), w.app)
        self.assertEqual(int(line.group(2)), seq0 + 1)
        # The responder goes on serving.
        status, _, body = fc.call(r.socket, "GET", "/debug/healthz")
        self.assertEqual((status, body), (200, b"ok\n"))


class TokensWiped(Base):
    """Every outcome, including refusals: the token leaves no copy."""

    def test_success_refusals_and_errors(self):
        e = self.env
        r = self.responder("tokens", **FAST)
        self.scannable(r.pid)
        w = e.world()
        pat = e.token(w.user, token_type="pat")
        unknown = "t" + st.random_password() + st.random_password()
        e.secrets_seen.add(unknown)
        cases = [(pat, w.app, 200), (unknown, w.app, 401), (w.token, "77777", 404),
                 (w.token, w.app, 200)]
        for token, app, want in cases:
            status, _, body = fc.call(r.socket, "POST", REST_PATH % (w.project, app),
                                      {"Authorization": "Bearer " + token,
                                       "Content-Type": "application/json"}, b"{}")
            self.assertEqual(status, want, body[:120])
            if status == 200:
                e.secrets_seen.add(json.loads(body)["clientSecret"])
        needles = [pat.encode(), unknown.encode(), w.token.encode()]
        found = find_in_memory(r.pid, needles)
        self.assertEqual({n.decode()[:6]: v for n, v in found.items() if v}, {},
                         "tokens left in the responder's memory")

    def test_positive_control(self):
        """The scan finds a token while its request is in hand."""
        e = self.env
        r = self.responder("tokens-ctl", db_lock_wait_timeout_s=20, **FAST)
        self.scannable(r.pid)
        w = e.world()
        lock = self.lock_project(w.project)
        result = {}

        def call():
            result["r"] = fc.call(r.socket, "POST", REST_PATH % (w.project, w.app),
                                  {"Authorization": "Bearer " + w.token,
                                   "Content-Type": "application/json"}, b"{}")
        t = threading.Thread(target=call)
        t.start()
        try:
            self.wait_lock_wait()
            self.assertNotEqual(find_in_memory(r.pid, [w.token.encode()])[w.token.encode()],
                                [], "the scan does not see a token in hand")
        finally:
            lock.commit()
            lock.close()
            t.join(30)
        self.assertEqual(result["r"][0], 200)
        e.secrets_seen.add(json.loads(result["r"][2])["clientSecret"])
        self.assertEqual(find_in_memory(r.pid, [w.token.encode()])[w.token.encode()], [])


class RefusedUnread(Base):
    """A CONTENT_LENGTH over the limit is answered at once."""

    def test_413_while_the_client_still_sends(self):
        e = self.env
        web = e.apache_proxy_fcgi("proxy-413", **FAST)
        w = e.world()
        path = REST_PATH % (w.project, w.app)
        a = socket.create_connection(("127.0.0.1", web.port), timeout=10)
        self.addCleanup(a.close)
        a.sendall(("POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                   "Authorization: Bearer %s\r\nContent-Length: 30000000\r\n\r\n"
                   % (path, w.token)).encode())
        t0 = time.monotonic()
        sent = {"bytes": 0}

        def upload():   # 10 MB, then the client pauses, its socket open
            piece = b" " * 65536
            try:
                while sent["bytes"] < 10 * 1024 * 1024:
                    a.sendall(piece)
                    sent["bytes"] += len(piece)
            except OSError:
                pass
        up = threading.Thread(target=upload, daemon=True)
        up.start()
        a.settimeout(5)
        head = a.recv(65536)
        took = time.monotonic() - t0
        self.assertTrue(head.startswith(b"HTTP/1.1 413"), head[:80])
        self.assertLess(took, 1.0, "the 413 took %.2f s" % took)
        while b"\r\n0\r\n" not in head and b"}" not in head.partition(b"\r\n\r\n")[2]:
            more = a.recv(65536)
            if not more:
                break
            head += more
        headers, _, body = head.partition(b"\r\n\r\n")
        if b"transfer-encoding: chunked" in headers.lower():
            body = dechunk(body)
        self.assertEqual(json.loads(body), error_body("body_too_large"))
        # While the first client still holds its connection, another is
        # served by the same, single responder.
        t1 = time.monotonic()
        r = harness.rest(web.port, w.project, w.app, token=w.token)
        self.assertEqual(r.status, 200, r.body[:80])
        e.secrets_seen.add(r.json()["clientSecret"])
        self.assertLess(time.monotonic() - t1, 1.0)
        self.assertLess(sent["bytes"], 30000000)

    def test_cgi_does_not_read_stdin(self):
        """Under plain CGI the 413 goes out and the process ends with its
        stdin unread: a pipe that is never written to or closed.  (Apache's
        mod_cgi and mod_cgid themselves copy the whole body to the script
        before they read its answer, so this is the program's part.)"""
        e = self.env
        w = e.world()
        rd, wr = os.pipe()
        self.addCleanup(os.close, wr)
        cgi = {"PATH": "/usr/bin:/bin", "OIDC_SECRET_CONFIG": e.config,
               "GATEWAY_INTERFACE": "CGI/1.1", "REQUEST_METHOD": "POST",
               "SCRIPT_NAME": "/cgi-bin/oidc-secret.cgi",
               "PATH_INFO": REST_PATH % (w.project, w.app),
               "CONTENT_TYPE": "application/json", "CONTENT_LENGTH": "30000000"}
        t0 = time.monotonic()
        p = subprocess.run([st.responder_path()], env=cgi, stdin=rd,
                           capture_output=True, timeout=10)
        os.close(rd)
        self.assertLess(time.monotonic() - t0, 1.0)
        head, _, body = p.stdout.partition(b"\r\n\r\n")
        self.assertTrue(head.startswith(b"Status: 413"), head[:80])
        self.assertEqual(json.loads(body), error_body("body_too_large"))


class Signals(Base):
    def test_sigterm_ends_an_idle_responder_at_once(self):
        for i in range(5):
            with self.subTest(round=i):
                r = self.responder("idle-%d" % i, **FAST)
                status, _, _ = fc.call(r.socket, "GET", "/debug/healthz")
                self.assertEqual(status, 200)
                # Right after an answer: the window between the loop's check
                # and the wait for the next connection.
                os.kill(r.pid, signal.SIGTERM)
                t0 = time.monotonic()
                self.assertEqual(r.wait(5), 0)
                self.assertLess(time.monotonic() - t0, 1.0)

    def check_slow_request(self, sig):
        e = self.env
        r = self.responder("slow-" + sig.name, **FAST)
        w = e.world()
        seq0 = e.sequence(w.project)
        data = fc.request_bytes(fc.cgi_params(
            "POST", REST_PATH % (w.project, w.app),
            {"Authorization": "Bearer " + w.token,
             "Content-Type": "application/json"}, b"{}"), b"{}")

        def slow(s, blob):      # the parameters in pieces, a signal midway
            cut = len(blob) // 10
            for i in range(10):
                s.sendall(blob[i * cut:(i + 1) * cut if i < 9 else len(blob)])
                time.sleep(0.1)
                if i == 3:
                    os.kill(r.pid, sig)
        status, _, body = fc.call(r.socket, "POST", "", slow=lambda s, _: slow(s, data))
        self.assertEqual(status, 200, body[:200])
        secret = json.loads(body)["clientSecret"]
        e.secrets_seen.add(secret)
        self.assertEqual(e.sequence(w.project), seq0 + 1)
        self.assertTrue(php_verify(secret, e.stored_hash(w.app)))
        return r

    def test_sigterm_mid_request(self):
        r = self.check_slow_request(signal.SIGTERM)
        # The request finished, then the responder ended.
        self.assertEqual(r.wait(5), 0)

    def test_sigusr1_mid_request(self):
        r = self.check_slow_request(signal.SIGUSR1)
        self.assertEqual(r.wait(5), 0)


class AdminRaces(Base):
    def admin(self, *args, check=False):
        return st.admin(self.env.config, *args, check=check)

    def test_revoke_counts_what_it_revokes(self):
        """A token committed between the count and the update is not
        revoked unseen: the count is a locking read."""
        e = self.env
        w = e.world()
        digest = st.sha256_hex(w.token)
        twin = digest[:8] + "0" * 56
        if twin == digest:
            twin = digest[:8] + "1" * 56
        c = pymysql.connect(unix_socket=e.db.socket, user="root", database=DATABASE,
                            autocommit=False)
        self.addCleanup(c.close)
        c.cursor().execute(
            "INSERT INTO access_tokens (token_sha256, user_id, token_type, audience,"
            " scopes, expires_at, revoked_at, creation_date) VALUES (%s, %s, 'access',"
            " '', '', NULL, NULL, UTC_TIMESTAMP(6))", (twin, w.user))
        result = {}
        t = threading.Thread(target=lambda: result.update(
            out=self.admin("token", "revoke", "--id", digest[:8])))
        t.start()
        time.sleep(1.0)     # revoke now waits on the uncommitted twin
        c.commit()
        t.join(30)
        out = result["out"]
        self.assertEqual(out.returncode, 5, out.stdout + out.stderr)
        self.assertIn("2 unrevoked tokens", out.stderr)
        revoked = e.q("SELECT token_sha256 FROM access_tokens WHERE token_sha256 IN (%s, %s)"
                      " AND revoked_at IS NOT NULL", digest, twin)
        self.assertEqual(revoked, [])

    def test_revoke_one(self):
        e = self.env
        w = e.world()
        digest = st.sha256_hex(w.token)
        out = self.admin("token", "revoke", "--id", digest[:16])
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIsNotNone(e.q1("SELECT revoked_at FROM access_tokens"
                                  " WHERE token_sha256 = %s", digest)[0])

    def test_migrate_stops_when_its_lock_is_lost(self):
        """The lock goes with the connection: a killed connection ends the
        run, and nothing after it is applied on a new one."""
        e = self.env
        sql = os.path.join(e.dir, "sql-lost-lock")
        os.makedirs(sql, exist_ok=True)
        src = os.path.join(st.ROOT, "sql")
        for f in sorted(os.listdir(src)):
            if re.match(r"^\d{3}_", f):
                with open(os.path.join(src, f)) as a, open(os.path.join(sql, f), "w") as b:
                    b.write(a.read())
        with open(os.path.join(sql, "900_slow.sql"), "w") as f:
            f.write("DO SLEEP(3);\n")
        with open(os.path.join(sql, "901_after.sql"), "w") as f:
            f.write("CREATE TABLE IF NOT EXISTS lost_lock_probe (id INT PRIMARY KEY);\n")
        proc = subprocess.Popen(
            [st.admin_path(), "--config", e.config, "migrate", "--sql-dir", sql],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        conn = wait_for(lambda: e.q1("SELECT id FROM information_schema.processlist"
                                     " WHERE info LIKE 'DO SLEEP%%'"), 10,
                        "migrate to reach its slow file")
        e.q("KILL %s" % int(conn[0]))
        out, err = proc.communicate(timeout=30)
        self.assertEqual(proc.returncode, 4, out + err)
        self.assertIn("900_slow.sql not applied", err)
        self.assertIsNone(e.q1("SELECT 1 FROM schema_migrations WHERE version IN (900, 901)"))
        self.assertIsNone(e.q1("SELECT 1 FROM information_schema.tables WHERE"
                               " table_schema = DATABASE() AND table_name = 'lost_lock_probe'"))


class ConfigFile(Base):
    def write(self, name, text):
        path = os.path.join(self.env.dir, name)
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, 0o644)
        return path

    def base(self):
        with open(self.env.config) as f:
            return [l for l in f.read().splitlines()
                    if not l.startswith(("db_password", "log_level", "#")) and l.strip()]

    def test_trailing_comment_is_not_in_the_password(self):
        lines = self.base() + ["db_password = %s   # set 2026-11-30" % self.env.password]
        path = self.write("comment.conf", "\n".join(lines) + "\n")
        out = st.admin(path, "check-config", check=False)
        self.assertEqual(out.returncode, 0, out.stderr)
        quoted = self.base() + ['db_password = "%s"  # quoted' % self.env.password]
        path = self.write("quoted.conf", "\n".join(quoted) + "\n")
        self.assertEqual(st.admin(path, "check-config", check=False).returncode, 0)

    def test_a_key_given_twice_is_refused(self):
        lines = self.base() + ["db_password = %s" % self.env.password, "log_level = info",
                               "log_level = debug"]
        path = self.write("twice.conf", "\n".join(lines) + "\n")
        out = st.admin(path, "check-config", check=False)
        self.assertEqual(out.returncode, 3, out.stdout)
        first = len(self.base()) + 2
        self.assertIn("log_level given again (first on line %d)" % first, out.stderr)
        self.assertEqual(out.stderr.count("\n"), 1, out.stderr)


if __name__ == "__main__":
    unittest.main()
