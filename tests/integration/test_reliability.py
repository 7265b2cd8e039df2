"""Nothing lost: concurrency and database faults.

Concurrency: 8 clients x 50 requests regenerate one app through lighttpd
with 4 responder processes; every answer is 200 or a documented error, the
project's sequence and its events account for every 200 exactly once, and
the stored hash is the last secret's.

Database faults run against a MariaDB of their own (under the run's
directory, with its own database, configuration and lighttpd), so stopping
it, holding its row locks or killing its connections touches no other test:
MariaDB stopped mid-run and started again; frozen (SIGSTOP); a row lock
held past the lock wait timeout, and one released in time; the
responder's connection killed from another session while idle, while the
secret is hashed (which found store.c reusing a dead connection for all
three attempts), and inside the transaction.
"""

import json
import os
import re
import signal
import threading
import time
import unittest

import pymysql

import harness
from harness import (error_body, DATABASE, DB_USER, ERRORS, GRPC_PATH,
                     SECRET_RE, env, http, rest, st, verify_hash)
from grpcwire import outcome as grpc_outcome, request_frame
from procs import (log_since, log_size, request_lines,
                   responder_pids)

# Cheap hashing: the point here is the database, not the hash's cost.
FAST_HASH = {"hash_algorithm": "bcrypt", "bcrypt_cost": 4}


class Checks(unittest.TestCase):
    def assert_error(self, r, kind):
        code, eid, text, status = ERRORS[kind]
        self.assertEqual(r.status, status, r.body)
        self.assertEqual(r.header("Cache-Control"), "no-store")
        self.assertEqual(r.json(), error_body(kind))

    def outcome(self, r):
        """(secret, sequence) of a 200, REST or gRPC-web."""
        self.assertEqual(r.status, 200, r.body)
        if r.header("Content-Type") == "application/json":
            body = r.json()
            secret, seq = body["clientSecret"], int(body["details"]["sequence"])
        else:
            self.assertIsNone(r.header("grpc-status"), r.headers)
            secret, seq = grpc_outcome(r.body)
        self.assertRegex(secret, SECRET_RE)
        env().secrets_seen.add(secret)      # test_zz_logs looks for it
        return secret, seq

    def assert_events_account_for(self, e, w, seq0, won, unanswered=0):
        """won: {sequence: secret} of every 200.  The project's sequence,
        its events and the stored hash agree with them, each exactly once.

        unanswered: how many changes may have committed without a 200 --
        a connection lost during COMMIT is answered 14, as the change may
        or may not have landed (store.c); each such change still has its
        event, and no 200 is without one."""
        rows = e.q("SELECT sequence, event_type, editor_user, creation_date, payload"
                   " FROM events WHERE aggregate_type = 'project' AND aggregate_id = %s"
                   " AND sequence > %s ORDER BY sequence", w.project, seq0)
        seqs = [r[0] for r in rows]
        self.assertEqual(seqs, list(range(seq0 + 1, seq0 + len(rows) + 1)),
                         "event sequences have gaps")
        self.assertEqual(e.sequence(w.project), seq0 + len(rows))
        missing = sorted(set(won) - set(seqs))
        self.assertEqual(missing, [], "200s without a committed event")
        self.assertLessEqual(len(rows) - len(won), unanswered,
                             "events without a 200: %s" % sorted(set(seqs) - set(won)))
        last = None
        for seq, etype, editor, created, payload in rows:
            self.assertEqual(etype, "project.application.config.oidc.secret.changed")
            self.assertEqual(editor, w.user)
            p = json.loads(payload)
            self.assertEqual(p["appId"], w.app)
            # Each event holds the hash of the secret answered with its sequence.
            if seq in won:
                self.assertTrue(verify_hash(won[seq], p["hashedSecret"]), seq)
            if last is not None:
                self.assertLessEqual(last, created, "change dates follow the sequence")
            last = created
        stored = e.stored_hash(w.app)
        if rows:
            self.assertEqual(json.loads(rows[-1][4])["hashedSecret"], stored)
        top = max(seqs) if seqs else None
        if top in won:
            self.assertTrue(verify_hash(won[top], stored))
        for seq, secret in won.items():
            if seq != top:
                self.assertFalse(verify_hash(secret, stored),
                                 "the stored hash also verifies sequence %d's secret" % seq)


class Concurrency(Checks):
    """Item 1: 8 clients x 50 requests on one app, 4 responder processes."""
    CLIENTS, REQUESTS = 8, 50

    @classmethod
    def setUpClass(cls):
        cls.env = env()
        cls.web = cls.env.lighttpd("conc", procs=4, **FAST_HASH)

    def test_same_app_regenerated_concurrently(self):
        e = self.env
        w = e.world()
        seq0 = e.sequence(w.project)
        offset = log_size(self.web)
        pids0 = responder_pids(self.web, expect=4)
        self.assertEqual(len(pids0), 4, pids0)
        answers = []
        failures = []
        lock = threading.Lock()

        def client(i):
            # Six clients speak REST, two gRPC-web: the same service behind both.
            try:
                for _ in range(self.REQUESTS):
                    if i < 6:
                        r = rest(self.web.port, w.project, w.app, token=w.token)
                    else:
                        r = http(self.web.port, "POST", GRPC_PATH,
                                 {"Content-Type": "application/grpc-web+proto",
                                  "Authorization": "Bearer " + w.token},
                                 request_frame(w.project, w.app))
                    with lock:
                        answers.append(r)
            except Exception as ex:  # reported below, with the others
                with lock:
                    failures.append(repr(ex))

        threads = [threading.Thread(target=client, args=(i,)) for i in range(self.CLIENTS)]
        t0 = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join(300)
        took = time.monotonic() - t0
        self.assertFalse(any(t.is_alive() for t in threads), "a client hangs")
        self.assertEqual(failures, [])
        self.assertEqual(len(answers), self.CLIENTS * self.REQUESTS)
        won = {}
        for r in answers:
            grpc_error = r.status == 200 and r.header("grpc-status") not in (None, "0")
            if r.status == 200 and not grpc_error:
                secret, seq = self.outcome(r)
                e.secrets_seen.add(secret)
                self.assertNotIn(seq, won, "two 200s with one sequence")
                won[seq] = secret
            elif grpc_error:
                # Documented: a retried conflict that still fails is 14.
                self.assertEqual(r.header("grpc-status"), "14", r.headers)
            else:
                self.assert_error(r, "unavailable")
        self.assertGreater(len(won), 0)
        self.assert_events_account_for(e, w, seq0, won)
        # The load was spread over several processes, which all still run.
        served = {pid for pid, _, route, status, _ in
                  request_lines(log_since(self.web, offset)) if route in ("rest", "grpc-web")}
        self.assertGreaterEqual(len(served), 2, served)
        self.assertEqual(responder_pids(self.web), pids0)
        print("  concurrency: %d requests in %.1fs, %d answered 200" % (
            len(answers), took, len(won)))


class PrivateEnv(harness.Env):
    """A MariaDB, database, configuration and servers of its own, under the
    run's directory (so env.logs() still finds its logs)."""

    def __init__(self, parent, name):
        self.owned = False
        self.dir = st.make_dir(os.path.join(parent.dir, name))
        self.db = st.MariaDB(os.path.join(self.dir, "mysql"))
        self.password = st.random_password()
        self.servers = {}
        self.secrets_seen = parent.secrets_seen
        self.db.start()
        self.config = st.responder_config(
            os.path.join(self.dir, "oidc-secret.conf"), self.db, DATABASE,
            DB_USER, self.password, log_level="info")
        st.setup_database(self.db, DATABASE, DB_USER, self.password, self.config)
        self.conn = None
        self.conn_lock = threading.Lock()
        self.connect()

    def connect(self):
        """(Re)opens the root connection the data helpers use."""
        if self.conn is not None:
            try:
                self.conn.close()
            except Exception:
                pass
        self.conn = self.session(autocommit=True)

    def session(self, autocommit=False):
        return pymysql.connect(unix_socket=self.db.socket, user="root",
                               database=DATABASE, autocommit=autocommit,
                               charset="utf8mb4")

    def responder_connections(self):
        """processlist rows (id, command, info) of the responders' user."""
        return self.q("SELECT id, command, COALESCE(info, '') FROM"
                      " information_schema.processlist WHERE user = %s", DB_USER)


class DatabaseFaults(Checks):
    """Item 2, against a private MariaDB."""

    @classmethod
    def setUpClass(cls):
        cls.env = env()
        cls.p = PrivateEnv(cls.env, "faults")

    @classmethod
    def tearDownClass(cls):
        # Its hashes join the run's secrets: test_zz_logs looks for them
        # in every log, this database's too.
        try:
            for (h,) in cls.p.q("SELECT client_secret_hash FROM oidc_configs"
                                " WHERE client_secret_hash IS NOT NULL"):
                cls.env.secrets_seen.add(h)
            for (payload,) in cls.p.q("SELECT payload FROM events"):
                cls.env.secrets_seen.add(json.loads(payload)["hashedSecret"])
        finally:
            cls.p.stop()

    def server(self, name, **kw):
        """A lighttpd on the private database, stopped when the test ends,
        so the next test sees only its own responders' connections."""
        web = self.p.lighttpd(name, **kw)

        def stop():
            web.stop()
            self.p.servers.pop(name, None)
        self.addCleanup(stop)
        return web

    def call(self, web, w, timeout=60):
        return harness.http(web.port, "POST", harness.REST_PATH % (w.project, w.app),
                            {"Content-Type": "application/json",
                             "Authorization": "Bearer " + w.token}, b"{}",
                            timeout=timeout)

    def timed(self, web, w):
        t0 = time.monotonic()
        r = self.call(web, w)
        return r, time.monotonic() - t0

    def test_a_stopped_then_started(self):
        """Stopped mid-run: 14 / 503 fast, no 200 without its event; started
        again: the same responders serve again."""
        p = self.p
        connect_timeout, rw_timeout = 2, 5
        web = self.server("stop", procs=2, db_connect_timeout_s=connect_timeout,
                          db_rw_timeout_s=rw_timeout, **FAST_HASH)
        w = p.world()
        seq0 = p.sequence(w.project)
        won = {}
        for _ in range(4):   # every process has a connection before the stop
            secret, seq = self.outcome(self.call(web, w))
            won[seq] = secret
        pids = responder_pids(web, expect=2)
        self.assertEqual(len(pids), 2)
        offset = log_size(web)
        stop = threading.Event()
        results = []     # (started, took, response or exception)
        lock = threading.Lock()

        def client():
            while not stop.is_set():
                t0 = time.monotonic()
                try:
                    r = self.call(web, w, timeout=30)
                except Exception as ex:
                    r = ex
                with lock:
                    results.append((t0, time.monotonic() - t0, r))
                if not isinstance(r, Exception) and r.status != 200:
                    time.sleep(0.01)    # fewer log lines, the same proof

        threads = [threading.Thread(target=client) for _ in range(3)]
        for t in threads:
            t.start()
        time.sleep(0.5)

        def restart():      # whatever happens below, the next tests need it
            if not p.db.running():
                p.db.start()
                p.connect()
        self.addCleanup(restart)
        p.db.stop()
        down = time.monotonic()
        time.sleep(connect_timeout + 2)
        stop.set()
        for t in threads:
            t.join(60)
        self.assertFalse(any(t.is_alive() for t in threads), "a client hangs")
        self.assertFalse([r for _, _, r in results if isinstance(r, Exception)])
        after = [(took, r) for t0, took, r in results if t0 >= down]
        self.assertGreater(len(after), 3, "no request was made while it was down")
        slowest = 0.0
        for t0, took, r in results:
            if r.status == 200:
                secret, seq = self.outcome(r)
                self.assertLess(t0, down, "a 200 while the database was down")
                won[seq] = secret
            else:
                self.assert_error(r, "unavailable")
            if t0 >= down:
                slowest = max(slowest, took)
                self.assertLessEqual(took, connect_timeout + 1,
                                     "503 took %.2fs" % took)
            else:
                # In flight when the server went: bounded by the timeouts.
                self.assertLessEqual(took, rw_timeout + connect_timeout + 1,
                                     "an answer took %.2fs" % took)
        p.db.start()
        p.connect()
        # No 200 without its committed event.  A COMMIT whose answer the
        # stop cut off was answered 14 and may have landed: such events
        # have no 200, and there are no more of them than the log shows.
        lost_commits = len(re.findall(r"warn: database: commit: ", log_since(web, offset)))
        self.assert_events_account_for(p, w, seq0, won, unanswered=lost_commits)
        # Started again: the next request succeeds, on the same processes.
        current = p.sequence(w.project)
        secret, seq = self.outcome(self.call(web, w))
        self.assertEqual(seq, current + 1)
        for _ in range(3):
            self.outcome(self.call(web, w))
        self.assertEqual(responder_pids(web), pids)
        r = http(web.port, "GET", "/debug/ready")
        self.assertEqual(r.status, 200)
        print("  database down: %d answers after the stop, slowest %.3fs" % (
            len(after), slowest))

    def test_b_frozen_database_answers_within_the_timeouts(self):
        """A server that accepts but never answers (SIGSTOP): 503 within
        db_rw_timeout_s + db_connect_timeout_s + 1, no hang; then it thaws."""
        p = self.p
        web = self.server("frozen", procs=1, db_connect_timeout_s=1, db_rw_timeout_s=2,
                         **FAST_HASH)
        w = p.world()
        self.outcome(self.call(web, w))
        before = p.snapshot()
        pid = p.db.proc.pid
        os.kill(pid, signal.SIGSTOP)
        try:
            r, took = self.timed(web, w)
            self.assert_error(r, "unavailable")
            self.assertLessEqual(took, 2 + 1 + 1, "503 took %.2fs" % took)
            # Now without a connection: the connect timeout alone.
            r, took2 = self.timed(web, w)
            self.assert_error(r, "unavailable")
            self.assertLessEqual(took2, 1 + 1, "503 took %.2fs" % took2)
        finally:
            os.kill(pid, signal.SIGCONT)
        p.connect()
        self.assertEqual(p.snapshot(), before)
        self.outcome(self.call(web, w))
        print("  frozen database: 503 in %.2fs, then %.2fs" % (took, took2))

    def test_c_row_lock_past_the_wait_timeout(self):
        """Another session holds the project row: the change is retried
        (three lock waits), answered 14, and writes nothing."""
        p = self.p
        web = self.server("lock", procs=1, db_lock_wait_timeout_s=1, **FAST_HASH)
        w = p.world()
        self.outcome(self.call(web, w))
        holder = p.session()
        try:
            with holder.cursor() as c:
                c.execute("BEGIN")
                c.execute("SELECT sequence FROM projects WHERE id = %s FOR UPDATE",
                          (w.project,))
            before = p.snapshot()
            offset = log_size(web)
            r, took = self.timed(web, w)
            self.assert_error(r, "unavailable")
            self.assertEqual(p.snapshot(), before, "a refused change wrote something")
            log = log_since(web, offset)
            self.assertEqual(len(re.findall(r"warn: database: .*: 1205 ", log)), 3, log)
            self.assertEqual(log.count("abandoned after 3 attempts"), 1, log)
            self.assertGreaterEqual(took, 3.0)
            self.assertLess(took, 3 * 1 + 3)
        finally:
            holder.rollback()
            holder.close()
        self.outcome(self.call(web, w))

    def test_d_row_lock_released_during_the_retries(self):
        """A lock released before the retries run out: one 200, one event."""
        p = self.p
        web = self.server("lock", procs=1, db_lock_wait_timeout_s=1, **FAST_HASH)
        w = p.world()
        seq0 = p.sequence(w.project)
        holder = p.session()
        with holder.cursor() as c:
            c.execute("BEGIN")
            c.execute("SELECT sequence FROM projects WHERE id = %s FOR UPDATE", (w.project,))
        offset = log_size(web)
        timer = threading.Timer(1.5, holder.rollback)
        timer.start()
        try:
            secret, seq = self.outcome(self.call(web, w))
        finally:
            timer.join()
            holder.close()
        self.assertEqual(seq, seq0 + 1)
        self.assert_events_account_for(p, w, seq0, {seq: secret})
        log = log_since(web, offset)
        self.assertGreaterEqual(len(re.findall(r": 1205 ", log)), 1, log)
        self.assertNotIn("abandoned", log)

    def test_e_killed_connection_reconnects(self):
        """KILL of the responder's idle connection: the next request
        reconnects and succeeds, once."""
        p = self.p
        web = self.server("kill", procs=1, **FAST_HASH)
        w = p.world()
        seq0 = p.sequence(w.project)
        won = dict([self.outcome(self.call(web, w))[::-1]])
        old = [row[0] for row in p.responder_connections()]
        self.assertEqual(len(old), 1, old)
        for cid in old:
            p.q("KILL %s" % int(cid))
        secret, seq = self.outcome(self.call(web, w))
        won[seq] = secret
        self.assert_events_account_for(p, w, seq0, won)
        new = [row[0] for row in p.responder_connections()]
        self.assertEqual(len(new), 1)
        self.assertNotIn(new[0], old)

    def test_f_connection_killed_inside_the_transaction(self):
        """KILL while the responder waits for the project's row lock, inside
        its transaction: the server rolls back, the responder retries on a
        new connection and writes exactly once."""
        p = self.p
        web = self.server("killtx", procs=1, db_lock_wait_timeout_s=30, **FAST_HASH)
        w = p.world()
        seq0 = p.sequence(w.project)
        won = dict([self.outcome(self.call(web, w))[::-1]])
        holder = p.session()
        with holder.cursor() as c:
            c.execute("BEGIN")
            c.execute("SELECT sequence FROM projects WHERE id = %s FOR UPDATE", (w.project,))
        offset = log_size(web)
        result = []
        t = threading.Thread(target=lambda: result.append(self.call(web, w)))
        t.start()

        def waiting():
            return [cid for cid, _, info in p.responder_connections()
                    if info.startswith("UPDATE projects SET sequence")]
        try:
            st.wait_for(lambda: waiting(), 20, "the responder to wait for the lock")
            first = waiting()
            p.q("KILL %s" % int(first[0]))
            st.wait_for(lambda: [c for c in waiting() if c not in first], 20,
                        "the retry to wait for the lock again")
        finally:
            holder.rollback()
            holder.close()
        t.join(60)
        self.assertFalse(t.is_alive())
        secret, seq = self.outcome(result[0])
        won[seq] = secret
        self.assert_events_account_for(p, w, seq0, won)
        self.assertEqual(seq, seq0 + 2)
        log = log_since(web, offset)
        self.assertRegex(log, r"warn: database: .*(2013|1927|2006) ")

    def test_g_connection_killed_while_hashing(self):
        """KILL after the lookups, while the secret is being hashed (no
        transaction open yet): the transaction's BEGIN finds the connection
        gone, reconnects and writes once."""
        p = self.p
        # About a second of argon2: time to kill the connection in between.
        web = self.server("killhash", procs=1, hash_algorithm="argon2id",
                          argon2_memory_kib=8192, argon2_iterations=80)
        w = p.world()
        seq0 = p.sequence(w.project)
        won = dict([self.outcome(self.call(web, w))[::-1]])
        executed = lambda: int(p.q1("SHOW GLOBAL STATUS LIKE 'Com_stmt_execute'")[1])
        n0 = executed()
        offset = log_size(web)
        result = []
        t = threading.Thread(target=lambda: result.append(self.call(web, w)))
        t.start()
        # The one lookup done: the hashing has begun.
        st.wait_for(lambda: executed() >= n0 + 1, 20, "the lookup")
        ids = [cid for cid, _, _ in p.responder_connections()]
        self.assertEqual(len(ids), 1)
        p.q("KILL %s" % int(ids[0]))
        t.join(60)
        self.assertFalse(t.is_alive())
        log = log_since(web, offset)
        secret, seq = self.outcome(result[0])
        won[seq] = secret
        self.assertEqual(seq, seq0 + 2)
        self.assert_events_account_for(p, w, seq0, won)
        self.assertNotEqual([c for c, _, _ in p.responder_connections()], ids)
        self.assertRegex(log, r"warn: database: begin: (2006|2013) ")
        self.assertNotIn("abandoned", log)


if __name__ == "__main__":
    unittest.main()
