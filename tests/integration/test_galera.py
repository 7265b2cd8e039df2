"""oidc-secret on a three-node MariaDB Galera cluster (galera.py), behind
three lighttpd servers, one per node.

Each responder's db_host is the list of the three nodes, its "own" node
first (r1: 1,2,3; r2: 2,3,1; r3: 3,1,2): a responder tries its hosts in that
order and moves to the next on a failed connection, error 1047 or 1053, a
node not in the Primary component, or a lost connection; token lookups are
causal reads (wsrep_sync_wait), so a token issued on one node is accepted
at once through another; a certification conflict (1213) at COMMIT retries
the whole transaction; no 200 is ever answered for a change that did not
land; GET /debug/ready answers 503 while the node it talks to is not Synced.

(a) 8 clients x 30 calls regenerate one app through the three responders:
    every 200 is one event, the sequences have no gap or repeat, the stored
    hash verifies the secret of the highest sequence and no other.
(b) A token inserted on node 1 is used through the responder of node 3
    within 10 ms, on a quiet cluster and while node 3 is still applying a
    large write set that came before the token.
(c) kill -9 of node 2 under load: its responder fails over, the 503s stay
    under a bound, no 200 is lost; node 2 rejoins by IST and serves again.
(d) Node 3 paused (SIGSTOP): nodes 1 and 2 keep quorum and serve, the
    responder of node 3 moves; node 3 resumes and rejoins.  Then node 3 cut
    off the group (gmcast.isolate) while it runs: it is non-Primary and
    refuses SQL with 1047; the responder of node 3 moves; a responder that
    knows only node 3 answers 503 (code 14) and /debug/ready 503; healed,
    it rejoins and serves.
(e) /debug/ready through a responder that knows only node 2: 200 while
    Synced, 503 while node 2 is desynced (wsrep_desync), 200 again after.

OIDC_TEST_GALERA=skip skips the module (scripts/test runs it in the first
integration pass only).  OIDC_TEST_GALERA_HOSTS=first gives each responder
its first node only (db_host and db_port, no list), the single-host
configuration, for comparison.
"""

import base64
import collections
import http.client as httpclient
import json
import math
import os
import re
import threading
import time
import unittest

import pymysql

from harness import (DATABASE, DB_USER, REST_PATH, SECRET_RE, env, error_body,
                     http, php_verify, st, verify_hash)
import harness
import galera
from dbproxy import Proxy
from procs import log_since

SKIP = os.environ.get("OIDC_TEST_GALERA") == "skip"
ONE_HOST = os.environ.get("OIDC_TEST_GALERA_HOSTS") == "first"

# Cheap hashing: the point is the cluster, not the hash's cost.
FAST_HASH = {"hash_algorithm": "bcrypt", "bcrypt_cost": 4}
# A node that accepts connections but answers nothing (paused) costs a
# responder db_connect_timeout_s per attempt; a query in flight on it,
# db_rw_timeout_s.  The others stall ~6 s until they drop a paused node
# (evs.suspect_timeout, 5 s), which db_rw_timeout_s must outlast.
TIMEOUTS = {"db_connect_timeout_s": 2, "db_rw_timeout_s": 10}
PROCS = 2                 # responder processes per lighttpd
HTTP_TIMEOUT = 60
# Certification conflicts on one hot row: a 1213 at COMMIT is retried, but
# a bounded retry can still lose against 7 other clients and answer 503.
# At most one call in ten may (with one host per responder and three
# attempts, 16 to 31 of the 240 calls of (a) were, on a 2-core machine).
CONFLICT_503_RATE = 0.10


def ring(first, size=3):
    """Node numbers in a responder's order: first, then the next ones."""
    return [(first - 1 + k) % size + 1 for k in range(size)]


class NodeSession(harness.Env):
    """harness.Env's data helpers (org, user, world, token, q ...), writing
    through one node.  Only the helpers are used, not Env's services."""

    def __init__(self, node, secrets_seen, sync_wait=False):
        self.node = node
        self.secrets_seen = secrets_seen
        self.conn_lock = threading.Lock()
        self.conn = pymysql.connect(
            unix_socket=node.socket, user="root", database=DATABASE,
            autocommit=True, charset="utf8mb4",
            init_command="SET SESSION wsrep_sync_wait = %d" % (1 if sync_wait else 0))

    def close(self):
        try:
            self.conn.close()
        except Exception:
            pass

    def status(self, name):
        return self.q1("SHOW GLOBAL STATUS LIKE %s", name)[1]


class GaleraEnv:
    """The cluster, its database, the responders on it, under the run's
    directory (so the run's log checks see the responders' logs)."""

    def __init__(self, parent):
        self.parent = parent
        self.dir = st.make_dir(os.path.join(parent.dir, "galera"))
        self.servers = {}
        self.cluster = galera.Cluster(os.path.join(self.dir, "cluster"))
        t0 = time.monotonic()
        self.cluster.start()
        self.start_took = time.monotonic() - t0
        n1 = self.cluster.node(1)
        self.password = st.random_password()
        # The admin tool migrates through node 1's socket; DDL replicates.
        self.admin_config = st.responder_config(
            os.path.join(self.dir, "admin.conf"), n1, DATABASE, DB_USER, self.password)
        st.setup_database(n1, DATABASE, DB_USER, self.password, self.admin_config)
        # The responders come over TCP (skip-name-resolve: 127.0.0.1, not
        # localhost).
        n1.sql("CREATE USER IF NOT EXISTS '%s'@'127.0.0.1' IDENTIFIED BY '%s';\n"
               "GRANT ALL ON `%s`.* TO '%s'@'127.0.0.1';\n" % (
                   DB_USER, self.password, DATABASE, DB_USER))
        self.data = NodeSession(n1, parent.secrets_seen)
        self.cluster.wait_converged()

    def node(self, i):
        return self.cluster.node(i)

    def session(self, i, sync_wait=False):
        return NodeSession(self.node(i), self.parent.secrets_seen, sync_wait)

    def responder(self, name, nodes, procs=PROCS, **settings):
        """A running lighttpd whose responders have db_host = nodes (numbers),
        in that order; with OIDC_TEST_GALERA_HOSTS=first, the first only."""
        if name in self.servers:
            return self.servers[name]
        hosts = [self.node(i) for i in nodes]
        values = dict(FAST_HASH, **TIMEOUTS)
        values.update(db_socket="", log_level="info")
        if ONE_HOST or len(hosts) == 1:
            values.update(db_host="127.0.0.1", db_port=hosts[0].port)
        else:
            values.update(db_host=",".join(n.address for n in hosts))
        values.update(settings)
        config = st.responder_config(
            os.path.join(self.dir, "%s.conf" % name), self.node(1), DATABASE,
            DB_USER, self.password, **values)
        web = st.Lighttpd(os.path.join(self.dir, "lighttpd-" + name),
                          st.free_port(), config, procs=procs)
        web.start()
        web.name = name
        web.nodes = list(nodes)
        self.servers[name] = web
        return web

    def ensure_whole(self):
        """Every node running, answering, Synced in a cluster of three."""
        for n in self.cluster:
            if n.paused:
                n.resume()
            if not n.running():
                n.start(wait=False)
        for n in self.cluster:
            if n.state() is not None and n.state()[1] != "Primary":
                try:
                    n.heal()
                except galera.SQLError:
                    pass
        self.cluster.wait_synced(180)

    def stop(self):
        for web in self.servers.values():
            try:
                web.stop()
            except Exception as e:
                print("stopping %s: %s" % (web.name, e))
        self.servers.clear()
        try:
            for (h,) in self.data.q("SELECT client_secret_hash FROM oidc_configs"
                                    " WHERE client_secret_hash IS NOT NULL"):
                self.parent.secrets_seen.add(h)
            for (payload,) in self.data.q("SELECT payload FROM events"):
                self.parent.secrets_seen.add(json.loads(payload)["hashedSecret"])
        except Exception as e:
            print("collecting hashes: %s" % e)
        self.data.close()
        self.cluster.stop()
        left = self.cluster.leftovers()
        if left:
            raise RuntimeError("processes left after the cluster stopped: %s" % left)


class Answer:
    __slots__ = ("client", "web", "t0", "t1", "status", "body", "error")

    def __init__(self, client, web, t0, t1, status=None, body=None, error=None):
        self.client, self.web, self.t0, self.t1 = client, web, t0, t1
        self.status, self.body, self.error = status, body, error


class Load:
    """Clients calling the regeneration of one app through servers: client
    k through servers[k % len(servers)], each either `calls` times or until
    stop()."""

    def __init__(self, servers, w, clients, calls=None):
        self.servers, self.w = servers, w
        self.clients, self.calls = clients, calls
        self.answers = []
        self.lock = threading.Lock()
        self.halt = threading.Event()
        self.threads = []

    def call(self, web):
        return http(web.port, "POST", REST_PATH % (self.w.project, self.w.app),
                    {"Content-Type": "application/json", "Accept": "application/json",
                     "Authorization": "Bearer " + self.w.token}, b"{}",
                    timeout=HTTP_TIMEOUT)

    def client(self, k):
        web = self.servers[k % len(self.servers)]
        n = 0
        while not self.halt.is_set() and (self.calls is None or n < self.calls):
            n += 1
            t0 = time.monotonic()
            try:
                r = self.call(web)
                a = Answer(k, web.name, t0, time.monotonic(), r.status, r.body)
            except Exception as ex:   # reported by the checks
                a = Answer(k, web.name, t0, time.monotonic(), error=repr(ex))
            with self.lock:
                self.answers.append(a)

    def start(self):
        self.t0 = time.monotonic()
        self.threads = [threading.Thread(target=self.client, args=(k,))
                        for k in range(self.clients)]
        for t in self.threads:
            t.start()
        return self

    def stop(self):
        self.halt.set()
        return self.join()

    def join(self, timeout=600):
        deadline = time.monotonic() + timeout
        for t in self.threads:
            t.join(max(0.1, deadline - time.monotonic()))
        self.took = time.monotonic() - self.t0
        return not any(t.is_alive() for t in self.threads)

    def wait_for(self, check, timeout):
        """The time of the first answer that check() accepts, waiting up to
        timeout seconds for one; None if none came."""
        deadline = time.monotonic() + timeout
        while True:
            with self.lock:
                hits = [a.t1 for a in self.answers if check(a)]
            if hits:
                return min(hits)
            if time.monotonic() >= deadline:
                return None
            time.sleep(0.1)

    def count(self, status, web=None, after=None, before=None):
        """Answers with status (through web) of calls made wholly between
        after and before."""
        return sum(1 for a in self.answers if a.status == status
                   and (web is None or a.web == web)
                   and (after is None or a.t0 >= after)
                   and (before is None or a.t1 <= before))


def db_errors(web, offset=0):
    """The responders' database warnings and errors since offset, counted by
    message (the statement's number kept: it says which one; the values in
    quotes left out)."""
    try:
        with open(web.errlog + ".stderr", "rb") as f:
            f.seek(offset)
            text = f.read().decode(errors="replace")
    except OSError:
        return collections.Counter()
    return collections.Counter(
        re.sub(r"'[^']*' for key", "'...' for key", m.group(1))
        for m in re.finditer(r"((?:warn|error): database: [^\n]*)", text))


def log_offset(web):
    try:
        return os.path.getsize(web.errlog + ".stderr")
    except OSError:
        return 0


@unittest.skipIf(SKIP, "OIDC_TEST_GALERA=skip (runs in the first integration pass)")
class Galera(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.run_env = env()
        t0 = time.monotonic()
        cls.g = GaleraEnv(cls.run_env)
        print("  galera: cluster of 3 Synced in %.1fs, ready for tests in %.1fs%s" % (
            cls.g.start_took, time.monotonic() - t0,
            " (one host per responder)" if ONE_HOST else ""))
        g = cls.g
        cls.web = {i: g.responder("r%d" % i, ring(i)) for i in (1, 2, 3)}

    @classmethod
    def tearDownClass(cls):
        cls.g.stop()

    def setUp(self):
        self.g.ensure_whole()
        self.g.data.conn.ping(reconnect=True)
        self.offsets = {name: log_offset(web) for name, web in self.g.servers.items()}

    def tearDown(self):
        deaths = self.g.cluster.deaths()
        if deaths:
            # ensure_whole() restarts the node for the next test.
            print("  NODE DIED: " + "\n  NODE DIED: ".join(deaths))
        errors = collections.defaultdict(collections.Counter)
        for name, web in sorted(self.g.servers.items()):
            for msg, n in db_errors(web, self.offsets.get(name, 0)).items():
                errors[msg][name] += n
        if errors:
            print("  the responders logged (count by server):")
            for msg, by in sorted(errors.items(), key=lambda kv: -sum(kv[1].values())):
                print("    %5d  %s  (%s)" % (sum(by.values()), msg[:150], " ".join(
                    "%s %d" % kv for kv in sorted(by.items()))))
        # A node that died under the test's load (not killed by it) fails it.
        self.assertEqual(deaths, [], "a database node died")

    # --- checks ---------------------------------------------------------

    def world(self):
        """Test data written through node 1, and on every node before use."""
        w = self.g.data.world()
        self.g.cluster.wait_converged()
        return w

    def tally(self, load, what):
        """{sequence: secret} of the 200s.  Checks, each a subtest so that
        the others still run: every call got an HTTP answer; no two 200s
        share a sequence; every other answer is a 503 with code 14 (no 500,
        no other error)."""
        statuses = collections.Counter(a.status or "no answer" for a in load.answers)
        print("  %s: %d calls in %.1fs: %s" % (what, len(load.answers), load.took, ", ".join(
            "%s x %s" % (n, st_) for st_, n in sorted(statuses.items(), key=str))))
        with self.subTest("every call answered"):
            self.assertEqual([a.error for a in load.answers if a.error], [])
        won = {}
        other = collections.Counter()
        twice = []
        for a in load.answers:
            if a.status == 200:
                body = json.loads(a.body)
                secret, seq = body["clientSecret"], int(body["details"]["sequence"])
                self.assertRegex(secret, SECRET_RE)
                self.run_env.secrets_seen.add(secret)
                if seq in won:
                    twice.append(seq)
                won[seq] = secret
            elif a.status == 503 and json.loads(a.body) == error_body("unavailable"):
                pass
            elif a.status is not None:
                other["%s %s" % (a.status, a.body[:120])] += 1
        with self.subTest("no two 200s with one sequence"):
            self.assertEqual(twice, [])
        with self.subTest("only 200 and 503 (code 14)"):
            self.assertEqual(dict(other), {})
        return won

    def assert_nothing_lost(self, w, seq0, won, unanswered=0):
        """Every 200 has its event, holding the hash of its secret; the
        sequences have no gap; at most `unanswered` events have no 200 (a
        COMMIT whose answer a dead node cut off: 503, may have landed); the
        stored hash verifies the highest sequence's secret and no other;
        every node holds the same."""
        self.g.cluster.wait_converged()
        views = {}
        for n in self.g.cluster:
            s = self.g.session(n.index)
            try:
                views[n.name] = (
                    s.q("SELECT sequence, event_type, editor_user, payload FROM events"
                        " WHERE aggregate_type = 'project' AND aggregate_id = %s"
                        " AND sequence > %s ORDER BY sequence", w.project, seq0),
                    s.sequence(w.project), s.stored_hash(w.app))
            finally:
                s.close()
        first = views["node1"]
        for name, view in views.items():
            self.assertEqual(view, first, "%s differs from node1" % name)
        rows, sequence, stored = first
        seqs = [r[0] for r in rows]
        self.assertEqual(seqs, list(range(seq0 + 1, seq0 + len(rows) + 1)),
                         "event sequences have gaps or repeats")
        self.assertEqual(sequence, seq0 + len(rows))
        self.assertEqual(sorted(set(won) - set(seqs)), [], "200s without their event")
        extra = sorted(set(seqs) - set(won))
        self.assertLessEqual(len(extra), unanswered, "events without a 200: %s" % extra)
        for seq, etype, editor, payload in rows:
            self.assertEqual(etype, "project.application.config.oidc.secret.changed")
            self.assertEqual(editor, w.user)
            p = json.loads(payload)
            self.assertEqual(p["appId"], w.app)
            if seq in won:
                self.assertTrue(verify_hash(won[seq], p["hashedSecret"]),
                                "event %d holds another secret's hash" % seq)
        self.assertTrue(rows, "no event at all")
        self.assertEqual(json.loads(rows[-1][3])["hashedSecret"], stored)
        top = seqs[-1]
        if top in won:
            self.assertTrue(verify_hash(won[top], stored))
            self.assertTrue(php_verify(won[top], stored), "PHP password_verify")
        for seq, secret in won.items():
            if seq != top:
                self.assertFalse(verify_hash(secret, stored),
                                 "the stored hash verifies sequence %d's secret" % seq)
        return len(extra)

    def assert_ready(self, web, status):
        r = http(web.port, "GET", "/debug/ready", timeout=HTTP_TIMEOUT)
        self.assertEqual(r.status, status, r.body)
        if status == 503:
            self.assertEqual(json.loads(r.body), error_body("unavailable"))
        return r

    def regenerate(self, web, w):
        return Load([web], w, 1).call(web)

    # --- (a) -------------------------------------------------------------

    def test_a_concurrent_regeneration_through_three_nodes(self):
        w = self.world()
        seq0 = self.g.data.sequence(w.project)
        load = Load([self.web[1], self.web[2], self.web[3]], w, clients=8, calls=30).start()
        self.assertTrue(load.join(), "a client hangs")
        self.assertEqual(len(load.answers), 240)
        won = self.tally(load, "(a) 8 clients x 30 calls")
        n503 = load.count(503)
        bound = math.floor(CONFLICT_503_RATE * 240)
        print("  (a) 200/503 by responder: %s; 503 bound %d" % (", ".join(
            "%s %d/%d" % (name, load.count(200, name), load.count(503, name))
            for name in ("r1", "r2", "r3")), bound))
        with self.subTest("every 200 one event, the hash the last secret's"):
            self.assert_nothing_lost(w, seq0, won)
        with self.subTest("each responder served"):
            for name in ("r1", "r2", "r3"):
                self.assertGreater(load.count(200, name), 0, "%s answered no 200" % name)
        with self.subTest("503s within the bound for conflicts"):
            self.assertLessEqual(n503, bound)

    # --- (b) -------------------------------------------------------------

    def test_b_token_from_node1_accepted_on_node3_within_10ms(self):
        g = self.g
        w = self.world()
        web = self.web[3]
        self.assertEqual(web.nodes[0], 3)
        n3 = g.session(3)
        self.addCleanup(n3.close)

        def use_at_once():
            """A token inserted through node 1, used through r3 at once:
            (ms from its COMMIT to the request, ms the request took)."""
            conn = httpclient.HTTPConnection("127.0.0.1", web.port, timeout=HTTP_TIMEOUT)
            try:
                conn.connect()          # before the token: only the request is timed
                token = g.data.token(w.user)
                committed = time.monotonic()
                conn.request("POST", REST_PATH % (w.project, w.app), body=b"{}", headers={
                    "Content-Type": "application/json", "Authorization": "Bearer " + token})
                sent = time.monotonic()
                r = conn.getresponse()
                status, body = r.status, r.read()
                done = time.monotonic()
            finally:
                conn.close()
            self.assertEqual(status, 200, body)
            self.run_env.secrets_seen.add(json.loads(body)["clientSecret"])
            return (sent - committed) * 1000, (done - sent) * 1000

        # A quiet cluster: 20 tokens, each used at once.
        quiet = [use_at_once() for _ in range(20)]
        # Node 3 still applying a large write set that node 1 replicated just
        # before the token: a read there without wsrep_sync_wait does not
        # see the token yet.
        g.data.q("CREATE TABLE IF NOT EXISTS galera_filler"
                 " (id BIGINT UNSIGNED NOT NULL PRIMARY KEY, pad CHAR(100) NOT NULL)"
                 " ENGINE=InnoDB")
        self.addCleanup(g.data.q, "DROP TABLE IF EXISTS galera_filler")
        lagged = []
        for i in range(3):
            g.data.q("INSERT INTO galera_filler SELECT seq + %s, REPEAT('x', 100)"
                     " FROM seq_1_to_100000", i * 1000000)
            filler = int(g.data.status("wsrep_last_committed"))
            behind = int(n3.status("wsrep_last_committed")) < filler
            lagged.append(use_at_once() + (behind,))
        gaps = sorted(q[0] for q in quiet + lagged)
        took = sorted(q[1] for q in quiet)
        print("  (b) token COMMIT on node 1 to request on r3: p50 %.2f ms, max %.2f ms;"
              " quiet: 20 x 200, call p50 %.1f ms, max %.1f ms; behind a 100,000-row"
              " write set: %s" % (
                  gaps[len(gaps) // 2], gaps[-1], took[len(took) // 2], took[-1],
                  ", ".join("200 in %.0f ms%s" % (t, " (node 3 behind)" if b else "")
                            for _, t, b in lagged)))
        # Within 10 ms: the requests went out that soon after the COMMIT (a
        # slower one on a busy machine proves less, but was accepted too).
        self.assertLess(gaps[len(gaps) // 2], 10.0)
        self.assertTrue(any(b for _, _, b in lagged),
                        "node 3 was never behind: the lag case proved nothing")

    # --- (c) -------------------------------------------------------------

    def test_c_kill_9_under_load_failover_and_ist_rejoin(self):
        g = self.g
        n2 = g.node(2)
        w = self.world()
        seq0 = g.data.sequence(w.project)
        load = Load([self.web[1], self.web[2], self.web[3]], w, clients=6).start()
        try:
            time.sleep(3)
            killed = time.monotonic()
            n2.kill()
            # The others drop it after evs.suspect_timeout; their commits
            # wait until then.
            g.node(1).wait_state(lambda s: s and s[3] == 2, 30, "node 2 dropped")
            dropped = time.monotonic()
            time.sleep(4)
            back0 = time.monotonic()
            n2.start(wait=True, timeout=120)
            rejoined = time.monotonic()
            transfer = n2.transfer()
            time.sleep(4)
        finally:
            self.assertTrue(load.stop(), "a client hangs")
        won = self.tally(load, "(c) 6 clients, node 2 killed")
        n503 = load.count(503)
        calls = len(load.answers)
        # Each of r2's processes had at most one call in flight on node 2
        # when it died: one whose COMMIT was cut off has an unknown fate and
        # is answered 503; any other is retried on the next node.  On top,
        # the conflict 503s that (a) allows.
        bound = PROCS + math.floor(CONFLICT_503_RATE * calls)
        down = (killed, rejoined)
        print("  (c) %d x 503 (bound %d); node 2 dropped by the others %.1fs after the kill,"
              " down %.1fs, rejoined by %s%s in %.1fs; calls through r2 made while it was down:"
              " %d x 200, %d x 503; after the rejoin: r1 %d, r2 %d, r3 %d x 200" % (
                  n503, bound, dropped - killed, rejoined - killed, transfer[0],
                  " (seqnos %s-%s)" % transfer[1:] if transfer[1] is not None else "",
                  rejoined - back0, load.count(200, "r2", *down), load.count(503, "r2", *down),
                  load.count(200, "r1", rejoined), load.count(200, "r2", rejoined),
                  load.count(200, "r3", rejoined)))
        with self.subTest("node 2 rejoined by IST"):
            self.assertEqual(transfer[0], "IST")
        with self.subTest("no 200 lost"):
            unanswered = self.assert_nothing_lost(w, seq0, won, unanswered=n503)
            if unanswered:
                print("  (c) %d commit(s) landed whose answer was a 503" % unanswered)
        with self.subTest("r2 failed over while node 2 was down"):
            self.assertGreater(load.count(200, "r2", killed, back0), 0)
        with self.subTest("the load goes on after the rejoin"):
            for name in ("r1", "r2", "r3"):
                self.assertGreater(load.count(200, name, after=rejoined), 0,
                                   "%s served nothing after the rejoin" % name)
        with self.subTest("503s within the bound"):
            self.assertLessEqual(n503, bound)
        with self.subTest("node 2 itself serves again"):
            only2 = g.responder("only2", [2])
            r = self.regenerate(only2, w)
            self.assertEqual(r.status, 200, r.body)
            self.run_env.secrets_seen.add(r.json()["clientSecret"])

    # --- (d) -------------------------------------------------------------

    def test_d_paused_node_and_minority_partition(self):
        g = self.g
        n1, n3 = g.node(1), g.node(3)
        w = self.world()
        seq0 = g.data.sequence(w.project)
        # 1. Node 3 paused (SIGSTOP), as behind a partition that drops its
        # packets: nodes 1 and 2 drop it after evs.suspect_timeout and keep
        # quorum (2 of 3); r3, whose first node is 3, moves.
        load = Load([self.web[1], self.web[2], self.web[3]], w, clients=6).start()
        try:
            time.sleep(2)
            paused = time.monotonic()
            n3.pause()
            n1.wait_state(lambda s: s and s[3] == 2 and s[1] == "Primary", 60,
                          "nodes 1 and 2 to drop node 3")
            dropped = time.monotonic()
            # Paused until r3 has answered a call made after the drop, by
            # another node (its processes' queries stuck on node 3 time out
            # after db_rw_timeout_s), for at most 30 s; then 2 s more.
            moved = load.wait_for(lambda a: a.web == "r3" and a.status == 200
                                  and a.t0 >= dropped, 30)
            time.sleep(2)
            resumed = time.monotonic()
            n3.mark()
            n3.resume()
            g.cluster.wait_rejoined(n3)
            back = time.monotonic()
        finally:
            self.assertTrue(load.stop(), "a client hangs")
        won = self.tally(load, "(d) 6 clients, node 3 paused")
        n503 = load.count(503)
        calls = len(load.answers)
        # As in (c): r3's processes may each lose one call in flight on
        # node 3 at COMMIT; on top, the conflict 503s of (a).
        bound = PROCS + math.floor(CONFLICT_503_RATE * calls)
        transfer = n3.transfer()
        print("  (d) %d x 503 (bound %d); nodes 1+2 dropped node 3 %.1fs after the pause;"
              " r3's first 200 after that: %s; from the drop to the resume: r1 %d, r2 %d,"
              " r3 %d x 200; node 3 back by %s in %.1fs" % (
                  n503, bound, dropped - paused,
                  "%.1fs after the pause" % (moved - paused) if moved else "none in 30 s",
                  load.count(200, "r1", dropped, resumed), load.count(200, "r2", dropped, resumed),
                  load.count(200, "r3", dropped, resumed), transfer[0], back - resumed))
        with self.subTest("no 200 lost"):
            self.assert_nothing_lost(w, seq0, won, unanswered=n503)
        with self.subTest("nodes 1 and 2 serve, r3 moved, while node 3 is paused"):
            for name in ("r1", "r2", "r3"):
                self.assertGreater(load.count(200, name, dropped, resumed), 0,
                                   "%s served nothing while node 3 was paused" % name)
        with self.subTest("503s within the bound"):
            self.assertLessEqual(n503, bound)

        # 2. Node 3 cut off the group while it runs (gmcast.isolate): the
        # minority of a partition.  It says non-Primary and refuses SQL on
        # the tables with 1047; r3 moves; a responder that knows only node 3
        # refuses (503, code 14) and reports not ready.
        only3 = g.responder("only3", [3])
        r = self.regenerate(only3, w)
        self.assertEqual(r.status, 200, r.body)
        self.run_env.secrets_seen.add(r.json()["clientSecret"])
        self.assert_ready(only3, 200)
        seq1 = g.data.sequence(w.project)
        n3.isolate()
        self.addCleanup(lambda: n3.running() and n3.heal())
        n3.wait_state(lambda s: s and s[1] == "non-Primary", 60, "node 3 non-Primary")
        n1.wait_state(lambda s: s and s[3] == 2 and s[1] == "Primary", 60,
                      "nodes 1 and 2 Primary without node 3")
        state = n3.state()
        try:
            n3.sql("SELECT COUNT(*) FROM events", DATABASE)
            refused = None
        except galera.SQLError as e:
            refused = e
        only3_regen = self.regenerate(only3, w)
        only3_ready = http(only3.port, "GET", "/debug/ready", timeout=HTTP_TIMEOUT)
        answers = [self.regenerate(self.web[3], w) for _ in range(5)]
        won = {}
        for a in answers:
            if a.status == 200:
                body = a.json()
                self.run_env.secrets_seen.add(body["clientSecret"])
                won[int(body["details"]["sequence"])] = body["clientSecret"]
        print("  (d) node 3 isolated: %s; SQL on it: %s; only3: %d, /debug/ready %d;"
              " r3: %s" % (state, "error %s" % refused.errno if refused else "answered",
                           only3_regen.status, only3_ready.status,
                           " ".join(str(a.status) for a in answers)))
        with self.subTest("node 3 refuses SQL with 1047"):
            self.assertIsNotNone(refused, "node 3 answered SQL while non-Primary")
            self.assertEqual(refused.errno, 1047, str(refused))
        with self.subTest("a responder that knows only node 3 refuses"):
            self.assertEqual(only3_regen.status, 503, only3_regen.body)
            self.assertEqual(only3_regen.json(), error_body("unavailable"))
            self.assertEqual(only3_ready.status, 503, only3_ready.body)
            self.assertEqual(json.loads(only3_ready.body), error_body("unavailable"))
        with self.subTest("r3 moves to the majority"):
            self.assertEqual([a.status for a in answers], [200] * 5,
                             [a.body[:200] for a in answers])
        n3.mark()
        n3.heal()
        g.cluster.wait_rejoined(n3)
        print("  (d) node 3 healed, back by %s" % (n3.transfer()[0],))
        with self.subTest("healed, node 3 serves again"):
            self.assert_ready(only3, 200)
            r = self.regenerate(only3, w)
            self.assertEqual(r.status, 200, r.body)
            body = r.json()
            self.run_env.secrets_seen.add(body["clientSecret"])
            won[int(body["details"]["sequence"])] = body["clientSecret"]
        with self.subTest("no 200 lost, nothing written by a refusal"):
            self.assert_nothing_lost(w, seq1, won)

    # --- (e) -------------------------------------------------------------

    def test_e_ready_follows_the_node_state(self):
        g = self.g
        n2 = g.node(2)
        only2 = g.responder("only2", [2])
        self.assert_ready(only2, 200)
        n2.sql("SET GLOBAL wsrep_desync = ON")
        self.addCleanup(lambda: n2.running() and n2.sql("SET GLOBAL wsrep_desync = OFF"))
        state = n2.state()
        self.assertEqual(state[0], "Donor/Desynced")
        # A responder asks the node at most once a second.
        time.sleep(1.1)
        self.assert_ready(only2, 503)
        self.assert_ready(only2, 503)
        n2.sql("SET GLOBAL wsrep_desync = OFF")
        n2.wait_synced(30, size=3)
        time.sleep(1.1)
        self.assert_ready(only2, 200)
        print("  (e) /debug/ready through a node-2-only responder: 200 Synced, 503 %s,"
              " 200 Synced again" % state[0])


    # --- (f) -------------------------------------------------------------

    def test_f_commit_answer_lost_the_change_found_on_the_next_node(self):
        """A proxy in front of node 1 cuts the connection after node 1
        committed: the responder reconnects to node 2, finds its event and
        answers 200 with the secret; one event, on every node."""
        g = self.g
        proxy = Proxy(("127.0.0.1", g.node(1).port))
        self.addCleanup(proxy.close)
        web = g.responder("lost-commit", [], procs=1, db_host="%s,%s,%s" % (
            proxy.address, g.node(2).address, g.node(3).address))
        w = self.world()
        self.assertEqual(self.regenerate(web, w).status, 200)
        seq0 = g.data.sequence(w.project)
        proxy.arm("lose_answer")
        a = self.regenerate(web, w)
        self.assertTrue(proxy.fired.is_set(), "the cut never happened")
        self.assertEqual(a.status, 200, a.body)
        body = json.loads(a.body)
        self.run_env.secrets_seen.add(body["clientSecret"])
        seq = int(body["details"]["sequence"])
        self.assertEqual(seq, seq0 + 1)
        self.assert_nothing_lost(w, seq0, {seq: body["clientSecret"]})
        self.assertIn("COMMIT's answer was lost, but the change landed",
                      log_since(web, 0))
        print("  (f) COMMIT's answer cut off after node 1 committed: 200 from node 2,"
              " one event")

    # --- (g) -------------------------------------------------------------

    def test_g_rotation_grace_across_nodes(self):
        """An API app's secret changed through node 1 and introspected
        through node 3 at once: the new one works, the old one for the
        grace (the database's clock decides), then only the new one."""
        g = self.g
        grace = 3
        r1 = g.responder("grace1", [1, 2, 3], secret_grace_period_s=grace)
        r3 = g.responder("grace3", [3, 1, 2], secret_grace_period_s=grace)
        w = self.world()
        subject = g.data.token(g.data.user(w.org), audience=w.project)
        g.cluster.wait_converged()

        def regenerate():
            a = http(r1.port, "POST", "/management/v1/projects/%s/apps/%s/api_config/"
                     "_generate_client_secret" % (w.project, w.api_app),
                     {"Authorization": "Bearer " + w.token,
                      "Content-Type": "application/json"}, "{}", timeout=HTTP_TIMEOUT)
            self.assertEqual(a.status, 200, a.body)
            s = json.loads(a.body)["clientSecret"]
            self.run_env.secrets_seen.add(s)
            return s

        def introspects(secret):
            auth = base64.b64encode(("%s:%s" % (w.api_app, secret)).encode()).decode()
            a = http(r3.port, "POST", "/oauth/v2/introspect",
                     {"Authorization": "Basic " + auth,
                      "Content-Type": "application/x-www-form-urlencoded"},
                     "token=" + subject, timeout=HTTP_TIMEOUT)
            self.assertIn(a.status, (200, 401), a.body)
            return a.status == 200 and json.loads(a.body)["active"]

        old = regenerate()
        new = regenerate()
        self.assertTrue(introspects(new), "the new secret, through node 3 at once")
        self.assertTrue(introspects(old), "the old secret within the grace")
        time.sleep(grace + 0.5)
        self.assertFalse(introspects(old), "the old secret after the grace")
        self.assertTrue(introspects(new))
        print("  (g) secret changed through node 1: node 3 takes the new one at once,"
              " the old one for %d s" % grace)


if __name__ == "__main__":
    unittest.main()
