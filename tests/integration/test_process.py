"""The process model (doc/operations.md), each part shown by a test that
fails without it.

1. Read deadlines and workers.  Through Apache's mod_proxy_fcgi to a
   responder spawn-fcgi started on a Unix socket: a client trickling a
   64 KiB body at 600 B/s holds up neither /debug/healthz nor a regenerate
   call of another client (4 workers), gets the JSON 408 once
   read_timeout_s has passed, and holds even a lone process no longer than
   that; SIGTERM to the workers' parent ends everything within the
   deadline + 1 s, every worker finishing its request.  A peer stalling in
   the FastCGI parameters is cut off at the deadline; under CGI a stdin
   that stops is answered 408 too.  The parent passes SIGTERM, SIGUSR1 and
   SIGINT on, starts again a worker that dies (later each time one dies
   young), and its workers draw their own random numbers.
2. The sandbox.  A responder under mod_fcgid runs as www-data, yet its
   /proc/PID is root's and another www-data process reads neither its
   environ nor its memory.  In the test build (src/oidc-secret-hooks.fcgi)
   a system call outside the seccomp filter ends the process with SIGSYS
   and the web server answers an error; under the filter, a regenerate
   call, /debug/ready, a database reached by host name over TCP and
   reconnected after KILL CONNECTION, and log rotation all work.  The
   shipped systemd unit is hardened, and systemd's own checker accepts it
   with Debian's drop-in.
3. A configuration error under FastCGI: mod_fcgid's client gets the JSON
   500 (application/json), the process stays, and the error log names the
   key once.
"""

import json
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import unittest

import pymysql

import fcgi_client as fc
from harness import (DATABASE, DB_USER, REST_PATH, SECRET_RE, env, error_body, http,
                     rest, st)
from test_deploy import log_text as text, responders_under
from test_hardening import dechunk, wait_for

FAST = {"hash_algorithm": "bcrypt", "bcrypt_cost": 4}
DEADLINE = 3
BODY = 65536

TIMEOUT_BODY = {"code": 4, "message": "request not received in time (OSF-RQ408)",
                "details": [{"@type": "type.googleapis.com/zitadel.v1.ErrorDetail",
                             "id": "OSF-RQ408",
                             "message": "request not received in time"}]}


# --- processes, seen from outside --------------------------------------------

def status_field(pid, name):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(name + ":"):
                return line.split(":", 1)[1].strip()
    return None


def sandbox_line(binary):
    out = subprocess.run([binary, "--version"], capture_output=True, text=True)
    return [l for l in out.stdout.splitlines() if l.startswith("sandbox: ")][0]


class SlowClient:
    """A client that sends its headers, then a body of BODY bytes at
    600 B/s (60 bytes every 0.1 s), and reads whatever answer comes."""

    def __init__(self, port, w):
        self.t0 = time.monotonic()
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.sock.sendall((
            "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            "Authorization: Bearer %s\r\nContent-Length: %d\r\n\r\n"
            % (REST_PATH % (w.project, w.app), w.token, BODY)).encode())
        self.sent = 0
        self.answer = b""
        self.took = None
        self.done = threading.Event()
        threading.Thread(target=self.trickle, daemon=True).start()
        threading.Thread(target=self.read, daemon=True).start()

    def trickle(self):
        try:
            while self.sent < BODY and not self.done.is_set():
                self.sock.sendall(b" " * 60)
                self.sent += 60
                time.sleep(0.1)
        except OSError:
            pass

    def read(self):
        try:
            while True:
                chunk = self.sock.recv(65536)
                if not chunk:
                    break
                if not self.answer:
                    self.took = time.monotonic() - self.t0
                self.answer += chunk
                head, _, body = self.answer.partition(b"\r\n\r\n")
                if b"chunked" in head.lower() and body.endswith(b"0\r\n\r\n"):
                    break
                if b"chunked" not in head.lower() and body.endswith(b"}"):
                    break
        except OSError:
            pass
        self.done.set()

    def result(self, timeout):
        """(status, content type, JSON body) of the answer."""
        self.done.wait(timeout)
        self.sock.close()
        head, _, body = self.answer.partition(b"\r\n\r\n")
        if not head:
            return None, None, None
        lines = head.decode().split("\r\n")
        headers = dict(l.lower().split(": ", 1) for l in lines[1:] if ": " in l)
        if headers.get("transfer-encoding") == "chunked":
            body = dechunk(body)
        return int(lines[0].split()[1]), headers.get("content-type"), json.loads(body)


class Base(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.env = env()

    def proxy(self, name, **settings):
        """Apache + mod_proxy_fcgi to a responder spawn-fcgi started."""
        web = self.env.apache_proxy_fcgi(name, **settings)
        self.addCleanup(self.stop, name)
        return web

    def stop(self, name):
        for key in (name, name + ".responder"):
            web = self.env.servers.pop(key, None)
            if web is not None:
                web.stop()

    def spawn(self, name, binary=None, **settings):
        """A responder spawn-fcgi started on a Unix socket."""
        r = self.env.spawn_fcgi(name, **settings)
        if binary is not None:
            r.binary = binary
        r.start()
        self.addCleanup(r.stop)
        return r

    def workers(self, r, n):
        return wait_for(lambda: (lambda p: p if len(p) == n else None)(
            responders_under(r.pid)), 10, "%d workers under %d" % (n, r.pid))

    def hooks_binary(self):
        """The test build, where a user of www-data can run it."""
        src = os.path.join(st.BUILD, "src", "oidc-secret-hooks.fcgi")
        self.assertTrue(os.path.exists(src), "%s not built" % src)
        d = st.make_dir(os.path.join(self.env.dir, "hooks-bin"))
        # Named as the responder, which is what the process helpers look for.
        dst = os.path.join(d, "oidc-secret.fcgi")
        shutil.copy2(src, dst)
        os.chmod(dst, 0o755)
        line = sandbox_line(dst)
        if "filter on" not in line:
            self.skipTest("this build loads no seccomp filter (%s)" % line)
        return dst


# --- 1. read deadlines and workers -------------------------------------------

class ReadDeadline(Base):
    def test_a_slow_body_holds_up_no_other_caller(self):
        e = self.env
        web = self.proxy("slow-body", workers=4, read_timeout_s=DEADLINE, **FAST)
        self.workers(web.responder, 4)
        slow, other = e.world(), e.world()
        seq0 = e.sequence(slow.project)
        client = SlowClient(web.port, slow)
        time.sleep(0.5)
        for _ in range(3):
            t0 = time.monotonic()
            r = http(web.port, "GET", "/debug/healthz", timeout=10)
            self.assertEqual((r.status, r.body), (200, b"ok\n"))
            self.assertLess(time.monotonic() - t0, 1.0, "healthz waited")
            t0 = time.monotonic()
            r = rest(web.port, other.project, other.app, token=other.token)
            self.assertEqual(r.status, 200, r.body[:200])
            self.assertLess(time.monotonic() - t0, 1.0, "the regenerate call waited")
            self.assertRegex(r.json()["clientSecret"], SECRET_RE)
            e.secrets_seen.add(r.json()["clientSecret"])
        status, ctype, body = client.result(DEADLINE + 5)
        self.assertEqual((status, ctype, body), (408, "application/json", TIMEOUT_BODY))
        self.assertGreaterEqual(client.took, DEADLINE - 0.1)
        self.assertLess(client.took, DEADLINE + 1.5)
        self.assertLess(client.sent, BODY)
        self.assertEqual(e.sequence(slow.project), seq0)
        self.assertRegex(text(web.responder.errlog),
                         r"method=POST route=rest status=408 code=4 user=- ")

    def test_a_lone_process_is_held_no_longer_than_the_deadline(self):
        web = self.proxy("slow-lone", workers=1, read_timeout_s=DEADLINE, **FAST)
        w = self.env.world()
        client = SlowClient(web.port, w)
        time.sleep(0.5)
        t0 = time.monotonic()
        r = http(web.port, "GET", "/debug/healthz", timeout=DEADLINE + 5)
        self.assertEqual(r.status, 200)
        self.assertLess(time.monotonic() - t0, DEADLINE + 1.0)
        status, _, body = client.result(5)
        self.assertEqual((status, body), (408, TIMEOUT_BODY))

    def test_sigterm_ends_every_worker_within_the_deadline(self):
        """A worker reading a slow body, another inside a call (held on a
        row lock, released after the signal): SIGTERM to the parent; the
        first answers 408 at its deadline, the second its 200, and all are
        gone within the deadline + 1 s."""
        e = self.env
        web = self.proxy("slow-stop", workers=4, read_timeout_s=DEADLINE,
                         db_lock_wait_timeout_s=20, **FAST)
        responder = web.responder
        pids = self.workers(responder, 4)
        slow, busy = e.world(), e.world()
        seq0 = e.sequence(busy.project)
        client = SlowClient(web.port, slow)
        lock = pymysql.connect(unix_socket=e.db.socket, user="root", database=DATABASE,
                               autocommit=False)
        self.addCleanup(lock.close)
        lock.cursor().execute("SELECT sequence FROM projects WHERE id = %s FOR UPDATE",
                              (busy.project,))
        called = {}
        t = threading.Thread(target=lambda: called.update(
            r=rest(web.port, busy.project, busy.app, token=busy.token)))
        t.start()
        wait_for(lambda: e.q("SELECT COUNT(*) FROM information_schema.processlist"
                             " WHERE user = %s AND info LIKE 'UPDATE projects SET sequence%%'",
                             DB_USER)[0][0] > 0, 10, "the call to wait for the row lock")
        t0 = time.monotonic()
        os.kill(responder.pid, signal.SIGTERM)
        time.sleep(0.5)
        lock.commit()
        self.assertEqual(responder.wait(DEADLINE + 5), 0)
        self.assertLess(time.monotonic() - t0, DEADLINE + 1.0)
        self.assertEqual([p for p in pids if st.pid_alive(p)], [])
        t.join(10)
        r = called["r"]
        self.assertEqual(r.status, 200, r.body[:200])
        e.secrets_seen.add(r.json()["clientSecret"])
        self.assertEqual(e.sequence(busy.project), seq0 + 1)
        status, _, body = client.result(5)
        self.assertEqual((status, body), (408, TIMEOUT_BODY))
        log = text(responder.errlog)
        self.assertRegex(log, r"route=rest status=408 code=4 ")
        self.assertRegex(log, r"route=rest status=200 code=0 user=%s " % busy.user)
        self.assertNotIn("workers: worker", log)

    def test_parameters_that_stall_are_cut_off(self):
        """A peer stalling inside a parameter is closed at the deadline;
        between two, its request is answered 408."""
        r = self.spawn("stall-params", workers=1, read_timeout_s=2, **FAST)
        whole = fc.request_bytes(fc.cgi_params("GET", "/debug/healthz"))
        begin = fc.record(fc.BEGIN_REQUEST, bytes([0, fc.RESPONDER]) + b"\0" * 6)
        pairs = fc.params({"REQUEST_METHOD": "GET", "SCRIPT_NAME": "/debug/healthz"})
        s = fc.connect(r.socket, timeout=10)
        t0 = time.monotonic()
        s.sendall(begin + fc.record(fc.PARAMS, pairs)[:8 + len(pairs) // 2])
        self.assertEqual(s.recv(100), b"")
        self.assertLess(time.monotonic() - t0, 3.5)
        s.close()
        s = fc.connect(r.socket, timeout=10)
        t0 = time.monotonic()
        s.sendall(begin + fc.record(fc.PARAMS, pairs))
        status, headers, body = fc.read_response(s)
        self.assertLess(time.monotonic() - t0, 3.5)
        self.assertEqual((status, headers["content-type"], json.loads(body)),
                         (408, "application/json", TIMEOUT_BODY))
        s.close()
        # The process serves on.
        s = fc.connect(r.socket)
        s.sendall(whole)
        self.assertEqual(fc.read_response(s)[0], 200)
        s.close()
        self.assertIn("parameters did not arrive within read_timeout_s", text(r.errlog))

    def test_cgi_stdin_that_stops_is_answered_408(self):
        e = self.env
        w = e.world()
        rd, wr = os.pipe()
        self.addCleanup(os.close, wr)
        os.write(wr, b'{"a":')
        cgi = {"PATH": "/usr/bin:/bin", "OIDC_SECRET_CONFIG": e.config,
               "OIDC_SECRET_READ_TIMEOUT_S": "2", "GATEWAY_INTERFACE": "CGI/1.1",
               "REQUEST_METHOD": "POST", "SCRIPT_NAME": "/cgi-bin/oidc-secret.cgi",
               "PATH_INFO": REST_PATH % (w.project, w.app),
               "HTTP_AUTHORIZATION": "Bearer " + w.token,
               "CONTENT_TYPE": "application/json", "CONTENT_LENGTH": "100"}
        seq0 = e.sequence(w.project)
        t0 = time.monotonic()
        p = subprocess.run([st.responder_path()], env=cgi, stdin=rd,
                           capture_output=True, timeout=10)
        os.close(rd)
        took = time.monotonic() - t0
        self.assertGreaterEqual(took, 1.9)
        self.assertLess(took, 3.5)
        self.assertEqual(p.returncode, 0, p.stderr)
        head, _, body = p.stdout.partition(b"\r\n\r\n")
        self.assertTrue(head.startswith(b"Status: 408 Request Timeout\r\n"), head)
        self.assertIn(b"Content-Type: application/json", head)
        self.assertEqual(json.loads(body), TIMEOUT_BODY)
        self.assertEqual(e.sequence(w.project), seq0)


class Workers(Base):
    def test_stop_signals_are_passed_on(self):
        for sig in (signal.SIGTERM, signal.SIGUSR1, signal.SIGINT):
            with self.subTest(signal=sig.name):
                r = self.spawn("stop-" + sig.name, workers=3, **FAST)
                pids = self.workers(r, 3)
                status, _, _ = fc.call(r.socket, "GET", "/debug/healthz")
                self.assertEqual(status, 200)
                t0 = time.monotonic()
                os.kill(r.pid, sig)
                self.assertEqual(r.wait(5), 0)
                self.assertLess(time.monotonic() - t0, 1.0)
                self.assertEqual([p for p in pids if st.pid_alive(p)], [])
                self.assertNotIn("workers: worker", text(r.errlog))

    def test_a_worker_that_dies_is_started_again_later_each_time(self):
        r = self.spawn("restart", workers=2, **FAST)
        first = self.workers(r, 2)
        os.kill(first[0], signal.SIGKILL)
        now = wait_for(lambda: (lambda p: p if len(p) == 2 and first[0] not in p
                                else None)(responders_under(r.pid)), 5, "a new worker")
        log = text(r.errlog)
        self.assertRegex(log, r"workers: worker %d killed by signal 9 \([^)]*\); started "
                         r"again" % first[0])
        # Killed young, again and again: a longer wait each time.
        young = [p for p in now if p not in first][0]
        for wait in ("0.1", "0.2"):
            os.kill(young, signal.SIGKILL)
            again = wait_for(lambda: (lambda p: p if len(p) == 2 and young not in p
                                      else None)(responders_under(r.pid)), 5,
                             "a worker after %s s" % wait)
            self.assertRegex(text(r.errlog), r"waiting %s s first" % wait)
            young = [p for p in again if p not in now][0]
            now = again
        for _ in range(4):
            self.assertEqual(fc.call(r.socket, "GET", "/debug/healthz")[0], 200)

    def test_workers_draw_their_own_random_numbers(self):
        """A pool copied by fork would hand two workers the same secret."""
        e = self.env
        r = self.spawn("random", workers=4)
        self.workers(r, 4)
        worlds = [e.world() for _ in range(8)]
        out = {}

        def call(i, w):
            out[i] = fc.call(r.socket, "POST", REST_PATH % (w.project, w.app),
                             {"Authorization": "Bearer " + w.token,
                              "Content-Type": "application/json"}, b"{}")
        threads = [threading.Thread(target=call, args=(i, w)) for i, w in enumerate(worlds)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        secrets = []
        for i in range(len(worlds)):
            status, _, body = out[i]
            self.assertEqual(status, 200, body[:200])
            secrets.append(json.loads(body)["clientSecret"])
        e.secrets_seen.update(secrets)
        self.assertEqual(len(set(secrets)), len(secrets))
        lines = re.findall(r"oidc-secret\[(\d+)\]: info: request id=(\w+) ", text(r.errlog))
        self.assertGreaterEqual(len({pid for pid, _ in lines}), 2, lines)
        self.assertEqual(len({rid for _, rid in lines}), len(lines))

    def test_the_shipped_unit_starts_four_workers(self):
        e = self.env
        d = st.make_dir(os.path.join(e.dir, "unit-workers"))
        units = st.SocketUnits(d, st.shipped("apache-conf", "systemd", "oidc-secret.socket"),
                               st.shipped("apache-conf", "systemd", "oidc-secret.service"),
                               e.config, binary=st.install_responder(d))
        units.start()
        self.addCleanup(units.stop)
        pids = self.workers(units, 4)
        status, _, _ = fc.call(units.socket, "GET", "/debug/healthz")
        self.assertEqual(status, 200)
        units.stop()
        self.assertEqual(units.proc.returncode, 0)
        self.assertEqual([p for p in pids if st.pid_alive(p)], [])


# --- 2. the sandbox ------------------------------------------------------------

class Sandbox(Base):
    def test_not_readable_by_its_own_user_under_mod_fcgid(self):
        e = self.env
        name = "fcgid-dumpable"
        web = st.apache_fcgid(os.path.join(e.dir, name), st.free_port(), e.config, procs=1)
        web.start()
        self.addCleanup(web.stop)
        self.assertEqual(http(web.port, "GET", "/debug/healthz").status, 200)
        [pid] = responders_under(web.proc.pid)
        self.assertEqual(int(status_field(pid, "Uid").split()[0]),
                         pwd.getpwnam("www-data").pw_uid)
        # Its /proc entries are root's, though it runs as www-data (the
        # directory itself keeps the process's user: procps reads it).
        for entry in ("environ", "mem", "maps", "fd", "cmdline"):
            self.assertEqual(os.stat("/proc/%d/%s" % (pid, entry)).st_uid, 0, entry)
        reader = ("import sys\nfor p in sys.argv[1:]:\n"
                  "    try:\n        open(p, 'rb').read(16); print('read', p)\n"
                  "    except OSError as e: print('refused', p, e.errno)\n")
        # Positive control: www-data reads another www-data process's files.
        other = subprocess.Popen(["sleep", "30"], user="www-data", group="www-data")
        self.addCleanup(other.kill)
        out = subprocess.run(["python3", "-c", reader, "/proc/%d/environ" % other.pid,
                              "/proc/%d/environ" % pid, "/proc/%d/mem" % pid],
                             user="www-data", group="www-data", capture_output=True,
                             text=True, timeout=30)
        lines = out.stdout.splitlines()
        self.assertEqual(lines[0], "read /proc/%d/environ" % other.pid, out.stderr)
        self.assertTrue(lines[1].startswith("refused /proc/%d/environ" % pid), lines)
        self.assertTrue(lines[2].startswith("refused /proc/%d/mem" % pid), lines)
        if "filter on" in sandbox_line(st.responder_path()):
            self.assertEqual(status_field(pid, "Seccomp"), "2")

    def test_a_call_outside_the_filter_ends_the_process(self):
        binary = self.hooks_binary()
        e = self.env
        web = self.proxy("sigsys", **FAST)
        web.responder.stop()
        web.responder.binary = binary
        web.responder.start()
        self.assertEqual(http(web.port, "GET", "/debug/healthz").status, 200)
        before = e.snapshot()
        r = http(web.port, "GET", "/debug/healthz", {"X-Test-Syscall": "1"})
        self.assertIn(r.status, (500, 502, 503), r.body[:200])
        self.assertEqual(web.responder.wait(10), -signal.SIGSYS)
        self.assertEqual(e.snapshot(), before)
        # Workers: the parent says which signal, and starts another.
        r = self.spawn("sigsys-workers", binary=binary, workers=2, **FAST)
        first = self.workers(r, 2)
        with self.assertRaises(EOFError):
            fc.call(r.socket, "GET", "/debug/healthz", {"X-Test-Syscall": "1"})
        wait_for(lambda: "killed by signal %d" % signal.SIGSYS in text(r.errlog), 5,
                 "the parent's line")
        now = self.workers(r, 2)
        self.assertNotEqual(now, first)
        self.assertEqual(fc.call(r.socket, "GET", "/debug/healthz")[0], 200)

    def test_serving_under_the_filter(self):
        """Workers under the filter (their parent has none): regenerate,
        ready, the database by host name over TCP, reconnected after KILL,
        and the log file rotated."""
        e = self.env
        forward = TcpToUnix(e.db.socket)
        self.addCleanup(forward.close)
        logdir = st.make_dir(os.path.join(e.dir, "filtered-log"))
        shutil.chown(logdir, st.APACHE_USER, st.APACHE_USER)
        logfile = os.path.join(logdir, "r.log")
        host = loopback_name()
        r = self.spawn("filtered", workers=2, db_socket="", db_host="%s:%d" % (host, forward.port),
                       log_file=logfile, **FAST)
        pids = self.workers(r, 2)
        filtered = "filter on" in sandbox_line(st.responder_path())
        for pid in pids:
            self.assertEqual(status_field(pid, "Seccomp"), "2" if filtered else "0")
            self.assertEqual(status_field(pid, "NoNewPrivs"), "1" if filtered else "0")
        self.assertEqual(status_field(r.pid, "Seccomp"), "0")
        w = e.world()
        auth = {"Authorization": "Bearer " + w.token, "Content-Type": "application/json"}

        def regenerate():
            status, _, body = fc.call(r.socket, "POST", REST_PATH % (w.project, w.app),
                                      auth, b"{}")
            self.assertEqual(status, 200, body[:200])
            e.secrets_seen.add(json.loads(body)["clientSecret"])

        for _ in range(4):
            regenerate()
            self.assertEqual(fc.call(r.socket, "GET", "/debug/ready")[0], 200)
        self.assertGreater(forward.connections, 0)
        # Every connection of the responders' user killed: they reconnect.
        for (cid,) in e.q("SELECT id FROM information_schema.processlist WHERE user = %s",
                          DB_USER):
            e.q("KILL CONNECTION %d" % cid)
        for _ in range(4):
            self.assertEqual(fc.call(r.socket, "GET", "/debug/ready")[0], 200)
            regenerate()
        # The log rotated away: a new file of that name within ~5 s.
        os.rename(logfile, logfile + ".1")
        t0 = time.monotonic()
        while time.monotonic() - t0 < 10 and "route=healthz" not in text(logfile):
            self.assertEqual(fc.call(r.socket, "GET", "/debug/healthz")[0], 200)
            time.sleep(0.2)
        self.assertIn("route=healthz status=200", text(logfile))
        self.assertEqual(responders_under(r.pid), pids)
        self.assertNotIn("killed by signal", text(logfile) + text(logfile + ".1"))

    def test_the_shipped_unit_is_hardened(self):
        svc = st.unit_file(st.shipped("apache-conf", "systemd", "oidc-secret.service"))
        s = svc["Service"]
        for kv in (("NoNewPrivileges", "yes"), ("CapabilityBoundingSet", ""),
                   ("ProtectSystem", "strict"), ("ProtectHome", "yes"),
                   ("PrivateTmp", "yes"), ("PrivateDevices", "yes"),
                   ("LockPersonality", "yes"), ("RestrictRealtime", "yes"),
                   ("RestrictNamespaces", "yes"), ("MemoryDenyWriteExecute", "yes"),
                   ("SystemCallArchitectures", "native"),
                   ("RestrictAddressFamilies", "AF_UNIX AF_INET AF_INET6"),
                   ("SystemCallFilter", "@system-service seccomp"),
                   ("User", "oidc-secret"), ("KillMode", "mixed"),
                   ("Environment", "OIDC_SECRET_WORKERS=4")):
            with self.subTest(setting=kv[0]):
                self.assertIn(kv, s)
        drop = st.unit_file(st.shipped("debian", "systemd", "oidc-secret.service.d",
                                       "debian.conf"))["Service"]
        self.assertIn(("DynamicUser", "yes"), drop)
        self.assertNotIn(("User", "www-data"), drop)
        if shutil.which("systemd-analyze") is None:
            self.skipTest("systemd-analyze is not installed")
        d = tempfile.mkdtemp(dir=self.env.dir)
        binary = st.install_responder(d)
        shutil.copy(st.shipped("apache-conf", "systemd", "oidc-secret.socket"), d)
        with open(st.shipped("apache-conf", "systemd", "oidc-secret.service")) as f:
            unit = f.read().replace("ExecStart=/usr/libexec/oidc-secret.fcgi",
                                    "ExecStart=" + binary)
        st.write_file(os.path.join(d, "oidc-secret.service"), unit)
        os.makedirs(os.path.join(d, "oidc-secret.service.d"))
        with open(st.shipped("debian", "systemd", "oidc-secret.service.d", "debian.conf")) as f:
            drop_in = f.read().replace("/usr/libexec/oidc-secret/oidc-secret.fcgi", binary)
        st.write_file(os.path.join(d, "oidc-secret.service.d", "debian.conf"), drop_in)
        out = subprocess.run(["systemd-analyze", "verify", "oidc-secret.socket",
                              "oidc-secret.service"], cwd=d, capture_output=True, text=True)
        self.assertEqual((out.returncode, out.stdout + out.stderr), (0, ""))
        out = subprocess.run(["systemd-analyze", "security", "--offline=true",
                              "oidc-secret.service"], cwd=d, capture_output=True, text=True)
        m = re.search(r"Overall exposure level for oidc-secret\.service: (\d+\.\d+)",
                      out.stdout)
        if m is None:
            self.skipTest("systemd-analyze security --offline: " + out.stderr.strip()[:200])
        self.assertLessEqual(float(m.group(1)), 2.0, out.stdout[-2000:])


def loopback_name():
    """A host name /etc/hosts gives a loopback address (so the database
    is found by name resolution), else the address itself."""
    for name in (socket.gethostname(), "localhost.localdomain"):
        try:
            if socket.gethostbyname(name).startswith("127.") and name != "localhost":
                return name
        except OSError:
            pass
    return "127.0.0.1"


class TcpToUnix:
    """127.0.0.1:port to MariaDB's Unix socket, byte for byte: the
    responder reaches the database over TCP, the server sees a local
    client."""

    def __init__(self, target):
        self.target = target
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        self.connections = 0
        self.open = []
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            try:
                a, _ = self.listener.accept()
            except OSError:
                return
            b = socket.socket(socket.AF_UNIX)
            b.connect(self.target)
            self.connections += 1
            self.open += [a, b]
            threading.Thread(target=self.pump, args=(a, b), daemon=True).start()
            threading.Thread(target=self.pump, args=(b, a), daemon=True).start()

    @staticmethod
    def pump(src, dst):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def close(self):
        self.listener.close()
        for s in self.open:
            s.close()


# --- 3. a configuration error under FastCGI ----------------------------------

class ConfigError(Base):
    def test_mod_fcgid_answers_json_500_and_names_the_key(self):
        e = self.env
        name = "fcgid-bad-config"
        bad = e.config_with(name, no_such_key="1")
        web = st.apache_fcgid(os.path.join(e.dir, name), st.free_port(), bad, procs=1)
        web.start()
        self.addCleanup(web.stop)
        w = e.world()
        before = e.snapshot()
        seen = set()
        for i in range(3):
            out = subprocess.run(
                ["curl", "-sS", "-X", "POST", "-H", "Content-Type: application/json",
                 "-H", "Authorization: Bearer " + w.token, "--data-raw", "{}",
                 "-w", "\n%{http_code} %{content_type}",
                 "http://127.0.0.1:%d%s" % (web.port, REST_PATH % (w.project, w.app))],
                capture_output=True, text=True, timeout=30)
            self.assertEqual(out.returncode, 0, out.stderr)
            body, _, tail = out.stdout.rpartition("\n")
            self.assertEqual(tail, "500 application/json")
            self.assertEqual(json.loads(body), error_body("internal"))
            seen.update(responders_under(web.proc.pid))
        self.assertEqual(len(seen), 1, "one process answered them all")
        self.assertEqual(e.snapshot(), before)
        log = text(web.errlog)
        self.assertEqual(log.count('unknown configuration key "no_such_key"'), 1, log[-2000:])

    def test_spawn_fcgi_answers_json_500_until_stopped(self):
        bad = self.env.config_with("spawn-bad-config", db_port="80a")
        r = self.spawn("spawn-bad-config", config=bad)
        for _ in range(2):
            status, headers, body = fc.call(r.socket, "GET", "/debug/ready")
            self.assertEqual((status, headers["content-type"]), (500, "application/json"))
            self.assertEqual(json.loads(body), error_body("internal"))
        os.kill(r.pid, signal.SIGTERM)
        self.assertEqual(r.wait(5), 0)
        self.assertIn('db_port = "80a": expected a whole number from 1 to 65535',
                      text(r.errlog))


if __name__ == "__main__":
    unittest.main()
