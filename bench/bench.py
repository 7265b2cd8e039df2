"""bench/run's work: oidc-secret against its floors and against the PHP peer.

One run, on this machine, with a private MariaDB (innodb_flush_log_at_trx_commit
= 1, the binary log off, as Debian ships it):

  floors
    H  hashes per second of the configured algorithm (secret module), 1 and
       2 threads (bench/hash.c)
    D  the least work the change needs from the database: one row update,
       one event insert, one commit per transaction, 1, 4 and 8 connections
       on the same project (bench/db.c); D8 is the floor
    W  a trivial FastCGI responder behind the same lighttpd, same wrk
    L  one token lookup that finds nothing, per round trip, 8 connections
       (bench/db.c --lookups): a new bad token's floor is 1 / (1/W + 1/L8)
    combined floor 1 / (1/H2 + 1/D8 + 1/W)
  oidc-secret and the PHP peer (bench/peer/regen.php: PDO, password_hash,
  one statement per check; php-fpm with as many children as oidc-secret has
  processes, which spawn-fcgi starts on one socket as php-fpm's share one,
  behind the same lighttpd), side by side:
    sweep  concurrency 1 to 16, bcrypt cost 4 and argon2id at its defaults
    cases  at concurrency 8, in alternating rounds (oidc-secret, peer,
           oidc-secret, peer, ...): bcrypt 4, argon2id, one bad token
           repeated, a new bad token every request, and plain CGI (oidc-secret
           and php-cgi under Apache mod_cgi, bcrypt 4)
  group commit
    D8, D8 spread over 8 projects and oidc-secret again with the binary log
    on (sync_binlog = 1), without and with binlog_commit_wait_count /
    binlog_commit_wait_usec, in two passes

Writes bench/results/latest.md, latest.json and throughput.png (gnuplot) and
prints the Markdown.  BENCH_SECONDS (4, one round of a case), BENCH_ROUNDS
(4; short rounds, many of them, so that a burst of other work on the
machine falls on both sides alike), BENCH_SWEEP_SECONDS (4), BENCH_FLOOR_SECONDS (4), BENCH_GC_SECONDS (5,
oidc-secret with the binary log), BENCH_PROCS (4), BENCH_GROUP_COMMIT (1; 0
skips that part) change the run.
"""

import glob
import http.client
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "scripts"))
import oidcstack as st  # noqa: E402

VAR = os.path.join(st.ROOT, "var", "bench")
RESULTS = os.path.join(HERE, "results")
PEER = os.path.join(HERE, "peer")
DATABASE = "oidc_bench"
USER = "oidc_bench"
SWEEP = [1, 2, 4, 8, 16]
C = 8                                   # the concurrency of the cases
SECONDS = int(os.environ.get("BENCH_SECONDS", "4"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "4"))
SWEEP_SECONDS = int(os.environ.get("BENCH_SWEEP_SECONDS", "4"))
FLOOR_SECONDS = int(os.environ.get("BENCH_FLOOR_SECONDS", "4"))
GC_SECONDS = int(os.environ.get("BENCH_GC_SECONDS", "5"))
PROCS = int(os.environ.get("BENCH_PROCS", "4"))
GROUP_COMMIT = os.environ.get("BENCH_GROUP_COMMIT", "1") != "0"
ALGORITHMS = {
    "bcrypt-4": {"hash_algorithm": "bcrypt", "bcrypt_cost": 4},
    "argon2id": {"hash_algorithm": "argon2id"},      # m=19456, t=2, p=1
}
REST = "/management/v1/projects/%s/apps/%s/oidc_config/_generate_client_secret"
# Binary log settings tried for the group commit figures:
# (binlog_commit_wait_count, binlog_commit_wait_usec).
BINLOG_WAITS = [(0, 100000), (4, 2000), (8, 5000)]
# Internal temporary tables in a directory of the run's own, not /tmp,
# which other programs on the machine share.
DB_FLAGS = ["--tmpdir=" + os.path.join(VAR, "mysql", "tmp")]
# Projects of the floor's own, one per connection, for D spread over rows.
FLOOR_PROJECTS = ["bench-floor-%d" % i for i in range(1, C + 1)]
STATUS = ("Com_commit", "Innodb_log_writes", "Innodb_data_fsyncs", "Binlog_commits",
          "Binlog_group_commits")

# The targets: oidc-secret's throughput over the peer's, per case.
TARGETS = {"bcrypt-4": 1.5, "argon2id": 1.0, "bad-token": 2.0,
           "distinct-bad-tokens": 2.0, "cgi": 1.5}
P99_OVER_P50 = 2.0
TICK = os.sysconf("SC_CLK_TCK")      # /proc's unit of CPU time


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def bench_bin(name):
    return os.path.join(st.BUILD, "bench", name)


def kv(line):
    return dict(re.findall(r"(\w+)=([^\s]+)", line))


def run(cmd, env=None):
    out = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if out.returncode != 0:
        raise RuntimeError("%s: %s" % (" ".join(cmd), out.stderr.strip()))
    return out.stdout


def cpu_busy_s():
    """Seconds of CPU the whole machine has spent busy since boot."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:9]]
    # user nice system idle iowait irq softirq steal: all but idle, iowait
    return (sum(v) - v[3] - v[4]) / TICK


UNREAPED = [0.0]      # CPU seconds of processes that no one of ours waits for


def own_cpu_s():
    """CPU seconds of this run: this process and every process it waited
    for, with theirs (servers, responders, wrk, the floors)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system + UNREAPED[0]


def procs_stat():
    """(pid, comm, the fields after comm) of each live process."""
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % p) as f:
                stat = f.read()
        except OSError:
            continue
        yield (int(p), stat[stat.index("(") + 1:stat.rindex(")")],
               stat.rsplit(")", 1)[1].split())


def cpu_s(fields):
    """A process's CPU seconds (user and system) from its stat fields."""
    return (int(fields[11]) + int(fields[12])) / TICK


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def wrk(port, path, token, conns, seconds, distinct=False):
    env = dict(os.environ, BENCH_PATH=path, BENCH_TOKEN=token,
               BENCH_DISTINCT="1" if distinct else "0")
    out = run(["wrk", "-t", str(min(conns, 2)), "-c", str(conns), "-d", "%ds" % seconds,
               "--timeout", "10s", "--latency", "-s", os.path.join(HERE, "regen.lua"),
               "http://127.0.0.1:%d" % port], env=env)
    line = [l for l in out.splitlines() if l.startswith("BENCH ")][-1]
    r = {k: int(v) for k, v in kv(line).items()}
    r["rps"] = r["requests"] / (r["duration_us"] / 1e6)
    r["errors"] = r["connect"] + r["read"] + r["write"] + r["timeout"]
    return r


# --- the servers ------------------------------------------------------------

def php_fpm_binary():
    found = sorted(glob.glob("/usr/sbin/php-fpm*"))
    if not found:
        raise RuntimeError("php-fpm not installed (bench/run installs php-fpm)")
    return found[-1]


class PhpFpm:
    """Debian's php-fpm, bench/peer/php-fpm.conf: a static pool of procs."""

    def __init__(self, directory, procs):
        self.dir = st.make_dir(directory)
        self.procs = procs
        self.socket = os.path.join(self.dir, "php-fpm.sock")
        self.proc = None

    def start(self):
        self.stop()
        if os.path.exists(self.socket):
            os.unlink(self.socket)
        env = dict(os.environ, PEER_DIR=self.dir, PEER_PROCS=str(self.procs))
        self.proc = subprocess.Popen(
            [php_fpm_binary(), "--nodaemonize", "--fpm-config",
             os.path.join(PEER, "php-fpm.conf")], env=env, stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=open(os.path.join(self.dir, "stderr.log"), "a"),
            start_new_session=True)
        st.wait_for(lambda: self.proc.poll() is not None or os.path.exists(self.socket),
                    20, "php-fpm socket")
        if self.proc.poll() is not None:
            raise RuntimeError("php-fpm exited; see %s" % self.dir)

    def stop(self):
        st.stop_child(self.proc)
        self.proc = None


def peer_config(path, db, pw, settings):
    """The peer's settings as a PHP file, the same values as the responder's."""
    alg = settings["hash_algorithm"]
    values = [
        ("dsn", "'mysql:unix_socket=%s;dbname=%s;charset=utf8mb4'" % (db.socket, DATABASE)),
        ("user", "'%s'" % USER),
        ("password", "'%s'" % pw),
        ("api_project_id", "'%s'" % st.DEMO["API_PROJECT_ID"]),
        ("hash", "'%s'" % alg),
        ("bcrypt_cost", str(settings.get("bcrypt_cost", 4))),
        ("argon2_memory_kib", "19456"),
        ("argon2_iterations", "2"),
        ("argon2_parallelism", "1"),
        ("secret_length", "64"),
        # A connection per process, kept, as oidc-secret keeps its own.
        ("persistent", "true"),
    ]
    st.write_file(path, "<?php\nreturn [\n" + "".join(
        "    '%s' => %s,\n" % kv_ for kv_ in values) + "];\n")
    return path


def peer_lighttpd(directory, port, fpm, config):
    web = st.Lighttpd(directory, port, config, include=os.path.join(PEER, "lighttpd.conf"),
                      extra_vars={"peer_socket": fpm.socket, "peer_config": config})
    shutil.copy(os.path.join(PEER, "regen.php"), os.path.join(web.dir, "htdocs", "regen.php"))
    os.chmod(os.path.join(web.dir, "htdocs", "regen.php"), 0o644)
    return web


class Site:
    """A FastCGI program as php-fpm runs the peer: PROCS processes that
    spawn-fcgi forks on one socket, lighttpd in front of it
    (lighttpd-conf/oidc-secret-socket.conf).  A request goes to whichever
    process is free first; lighttpd's bin-path would give each process a
    socket, and a queue, of its own.  The responders log to self.log."""

    def __init__(self, directory, port, conf, binary=None):
        self.dir = st.make_dir(directory)
        self.conf = conf
        self.binary = binary or st.responder_path()
        self.socket = os.path.join(self.dir, "fcgi.sock")
        self.pidfile = os.path.join(self.dir, "spawn-fcgi.pid")
        self.log = os.path.join(self.dir, "responder.log")
        self.web = st.Lighttpd(self.dir, port, conf, include=os.path.join(
            st.ROOT, "lighttpd-conf", "oidc-secret-socket.conf"),
            extra_vars={"oidc_secret_socket": self.socket})
        self.port = port
        self.pids = []

    def start(self):
        self.stop()
        for f in (self.socket, self.log):     # a fresh log: lock times
            if os.path.exists(f):
                os.unlink(f)
        env = dict(os.environ, OIDC_SECRET_CONFIG=self.conf, OIDC_SECRET_LOG_FILE=self.log)
        run(["spawn-fcgi", "-s", self.socket, "-M", "0600", "-F", str(PROCS),
             "-P", self.pidfile, "--", self.binary], env)
        with open(self.pidfile) as f:
            self.pids = [int(x) for x in f.read().split()]
        self.web.start()

    def stop(self):
        """Stops lighttpd and the responders, counting their CPU first:
        spawn-fcgi leaves them to init, so they never reach os.times()."""
        self.web.stop()
        UNREAPED[0] += sum(cpu_s(v) for pid, _, v in procs_stat() if pid in self.pids)
        for pid in self.pids:
            try:
                os.kill(pid, signal.SIGTERM)
            except OSError:
                pass
        st.wait_for(lambda: not any(st.pid_alive(p) for p in self.pids), 20,
                    "the responders to stop")
        self.pids = []


def peer_apache_cgi(directory, port, config):
    """php-cgi under Apache mod_cgi, set up as apache_cgi sets up oidc-secret."""
    d = st.make_dir(directory)
    apache = st.Apache(d, port, "", modules=("cgi", "rewrite"), mpm="prefork")
    docroot = os.path.join(d, "htdocs")
    shutil.copy(os.path.join(PEER, "htaccess"), os.path.join(docroot, ".htaccess"))
    for name, mode in (("regen.cgi", 0o755), ("regen.php", 0o644)):
        shutil.copy(os.path.join(PEER, name), os.path.join(docroot, name))
        os.chmod(os.path.join(docroot, name), mode)
    shutil.copy(config, os.path.join(docroot, "config.php"))
    os.chmod(os.path.join(docroot, "config.php"), 0o644)
    with open(apache.conf, "a") as f:
        f.write('<Directory "%s">\n    AllowOverride All\n    Require all granted\n'
                '</Directory>\n' % docroot)
    return apache


# --- the same answers from both ----------------------------------------------

def call(port, path, token=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    h = {"Content-Type": "application/json"}
    if token is not None:
        h["Authorization"] = "Bearer " + token
    h.update(headers or {})
    try:
        conn.request("POST", path, body="{}", headers=h)
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read().decode()
    finally:
        conn.close()


def check_same(sides, conf, token, path, bad_path):
    """Both sides answer alike: a secret that verifies against the stored
    hash, in the same JSON shape; the same error bodies.  Raises if not."""
    seen = {}
    for name, port in sides.items():
        status, headers, body = call(port, path, token)
        if status != 200:
            raise RuntimeError("%s: %d %s" % (name, status, body[:200]))
        doc = json.loads(body, object_pairs_hook=lambda p: p)
        shape = [(k, [kk for kk, _ in v] if isinstance(v, list) else None) for k, v in doc]
        secret = dict(doc)["clientSecret"]
        if not re.fullmatch(r"[A-Za-z0-9]{64}", secret):
            raise RuntimeError("%s: secret of the wrong form" % name)
        # The stored hash is this secret's (checked by oidc-secret-admin).
        if st.admin(conf, "verify", "--project", st.DEMO["PROJECT_ID"], "--app",
                    st.DEMO["APP_ID"], stdin=secret, check=False).returncode != 0:
            raise RuntimeError("%s: the stored hash does not verify" % name)
        if headers.get("cache-control") != "no-store":
            raise RuntimeError("%s: no Cache-Control: no-store" % name)
        errors = [call(port, path, "wrong" + token[5:])[::2],
                  call(port, path)[::2],
                  call(port, bad_path, token)[::2]]
        seen[name] = (shape, errors)
    (a, sa), (b, sb) = seen.items()
    if sa != sb:
        raise RuntimeError("answers differ:\n%s: %s\n%s: %s" % (a, sa, b, sb))
    return {"success_shape": sa[0], "errors": sa[1]}


# --- measuring ---------------------------------------------------------------

# Where a request's CPU goes: processes by name (the kernel's comm), in groups.
CPU_GROUPS = (("responder", ("oidc-secret.fcg", "php-fpm", "php-cgi")),
              ("mariadbd", ("mariadbd",)),
              ("web server", ("lighttpd", "apache2")),
              ("kernel workers", ("kworker", "jbd2", "ksoftirqd")))


def cpu_by_group():
    """CPU seconds so far of the live processes of each group of CPU_GROUPS."""
    out = {g: 0.0 for g, _ in CPU_GROUPS}
    for _, comm, v in procs_stat():
        for g, prefixes in CPU_GROUPS:
            if comm.startswith(prefixes):
                out[g] += cpu_s(v)
    return out


def rounds(sides, path, token, distinct=False):
    """ROUNDS alternating rounds at concurrency C: side A, side B, A, B...
    Each run also gets the CPU its request took, by group of processes
    (cpu_us): of processes alive before and after it, so CGI's short-lived
    ones count only through their web server and the database."""
    out = {name: [] for name in sides}
    for i in range(ROUNDS):
        for name, port in sides.items():
            before = cpu_by_group()
            r = wrk(port, path, token, C, SECONDS, distinct)
            after = cpu_by_group()
            r["cpu_us"] = {g: (after[g] - before[g]) * 1e6 / max(r["requests"], 1)
                           for g in after}
            out[name].append(r)
            log("    round %d %-11s %8.1f req/s  p50 %6.1f ms  p99 %6.1f ms  non2xx %d" % (
                i + 1, name, r["rps"], r["p50_us"] / 1e3, r["p99_us"] / 1e3, r["non2xx"]))
    return out


def summary(runs):
    """Throughput over all rounds; latency of each round."""
    reqs = sum(r["requests"] for r in runs)
    secs = sum(r["duration_us"] for r in runs) / 1e6
    return {"rps": reqs / secs, "rps_min": min(r["rps"] for r in runs),
            "rps_max": max(r["rps"] for r in runs),
            "p50_ms": sum(r["p50_us"] for r in runs) / len(runs) / 1e3,
            "p99_ms": sum(r["p99_us"] for r in runs) / len(runs) / 1e3,
            "p99_over_p50": max(r["p99_us"] / max(r["p50_us"], 1) for r in runs),
            "non2xx": sum(r["non2xx"] for r in runs),
            "errors": sum(r["errors"] for r in runs),
            "cpu_us": {g: sum(r["cpu_us"][g] * r["requests"] for r in runs) / reqs
                       for g in runs[0].get("cpu_us", {})}}


def case_result(label, runs, expect):
    res = {"label": label, "expect": expect, "runs": runs,
           "oidc-secret": summary(runs["oidc-secret"]), "peer": summary(runs["peer"])}
    res["ratio"] = res["oidc-secret"]["rps"] / res["peer"]["rps"]
    res["round_ratios"] = [a["rps"] / b["rps"] for a, b in zip(runs["oidc-secret"], runs["peer"])]
    for side in ("oidc-secret", "peer"):
        s = res[side]
        # Every answer must be the expected one: all 200, or all refusals.
        bad = s["non2xx"] if expect == 200 else sum(
            r["requests"] for r in runs[side]) - s["non2xx"]
        if bad:
            raise RuntimeError("%s, %s: %d unexpected answers" % (label, side, bad))
    return res


def db_status(db):
    rows = db.sql("SHOW GLOBAL STATUS WHERE Variable_name IN (%s)" % ", ".join(
        "'%s'" % s for s in STATUS))
    got = {k: int(v) for k, v in rows}
    return {k: got.get(k, 0) for k in STATUS}


def db_floor(db, pw, hash_, conns, seconds=FLOOR_SECONDS, spread=False, lookups=False):
    """D on conns connections: all on the demo project (the floor), or
    spread over FLOOR_PROJECTS (no row lock shared); with lookups, L: one
    token lookup that finds nothing per round trip."""
    before = db_status(db)
    env = dict(os.environ, BENCH_DB_PASSWORD=pw, BENCH_HASH=hash_)
    projects = ",".join(FLOOR_PROJECTS) if spread else st.DEMO["PROJECT_ID"]
    r = kv(run([bench_bin("oidc-bench-db"), "--socket", db.socket, "--database", DATABASE,
                "--user", USER, "--project", projects, "--app", st.DEMO["APP_ID"],
                "--org", st.DEMO["ORG_ID"], "--editor", st.DEMO["USER_ID"],
                "--connections", str(conns), "--seconds", str(seconds)]
               + (["--lookups"] if lookups else []), env))
    after = db_status(db)
    r = {k: (float(v) if "." in v else int(v)) for k, v in r.items()}
    r["status"] = {k: after.get(k, 0) - before.get(k, 0) for k in STATUS}
    # Group commit: one durable redo log write for several commits.
    lw = r["status"]["Innodb_log_writes"]
    r["commits_per_log_write"] = r["transactions"] / lw if lw else None
    return r


def responder_pids(binary):
    return [p for p, cmd in procs_cmdlines() if cmd == binary]


def procs_cmdlines():
    out = []
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                with open("/proc/%s/cmdline" % p, "rb") as f:
                    out.append((int(p), f.read().split(b"\0")[0].decode(errors="replace")))
            except OSError:
                pass
    return out


def peak_rss_kib(pids):
    peak = 0
    for pid in pids:
        try:
            with open("/proc/%d/status" % pid) as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        peak = max(peak, int(line.split()[1]))
        except OSError:
            pass
    return peak


def lock_times(path):
    """Row-lock hold times from the responders' debug lines, when they log them."""
    vals = []
    try:
        with open(path, errors="replace") as f:
            for line in f:
                m = re.search(r" lock_ms=([0-9.]+)", line)
                if m:
                    vals.append(float(m.group(1)))
    except OSError:
        pass
    vals.sort()
    if not vals:
        return None
    return {"n": len(vals), "p50": vals[len(vals) // 2],
            "p99": vals[len(vals) * 99 // 100], "max": vals[-1]}


def combined(h2, d, w):
    return 1.0 / (1.0 / h2 + 1.0 / d + 1.0 / w)


# --- the run -----------------------------------------------------------------

def main():
    started = time.monotonic()
    busy0, own0 = cpu_busy_s(), own_cpu_s()
    st.make_dir(os.path.dirname(VAR))
    st.make_dir(VAR)
    os.makedirs(RESULTS, exist_ok=True)
    db = st.MariaDB(os.path.join(VAR, "mysql"))
    st.make_dir(os.path.join(VAR, "mysql", "tmp"))
    servers = []
    res = {"machine": machine(), "load_start": loadavg(), "seconds": SECONDS,
           "rounds": ROUNDS, "sweep_seconds": SWEEP_SECONDS, "floor_seconds": FLOOR_SECONDS,
           "procs": PROCS, "concurrency": C}
    try:
        db.start(extra=DB_FLAGS)
        pw = st.random_password()
        base_conf = os.path.join(VAR, "oidc-secret.conf")
        st.responder_config(base_conf, db, DATABASE, USER, pw, log_level="warn")
        st.setup_database(db, DATABASE, USER, pw, base_conf)
        # The same table size at every run: events of earlier runs go.
        db.sql("TRUNCATE TABLE events", DATABASE)
        db.sql_file(os.path.join(st.ROOT, "sql", "demo.sql"), DATABASE)
        db.sql("INSERT IGNORE INTO projects (id, resource_owner, name, state, sequence, "
               "creation_date, change_date) VALUES %s" % ", ".join(
                   "('%s', '%s', '%s', 'active', 0, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))" % (
                       p, st.DEMO["ORG_ID"], p) for p in FLOOR_PROJECTS), DATABASE)
        token = st.issue_token(base_conf, st.DEMO["USER_ID"])
        project, app = st.DEMO["PROJECT_ID"], st.DEMO["APP_ID"]
        path = REST % (project, app)
        bad_path = REST % (project, "0")
        res["mariadb"] = dict(db.sql(
            "SHOW GLOBAL VARIABLES WHERE Variable_name IN ('version', 'log_bin', "
            "'innodb_flush_log_at_trx_commit', 'sync_binlog', 'binlog_commit_wait_count', "
            "'binlog_commit_wait_usec', 'innodb_flush_method')"))

        # W: the trivial responder behind the same lighttpd.
        web = Site(os.path.join(VAR, "lighttpd-trivial"), st.free_port(), base_conf,
                   binary=bench_bin("fcgi-trivial"))
        servers.append(web)
        web.start()
        w_runs = {c: wrk(web.port, path, token, c, SWEEP_SECONDS) for c in (4, 8, 16)}
        web.stop()
        W = max(r["rps"] for r in w_runs.values())
        res["W"] = {"best": W, "runs": w_runs}
        # L8: a refused token's least database work; with W, a bad token's floor.
        L = db_floor(db, pw, "-", C, lookups=True)
        res["L8"] = L
        res["refusal_floor"] = 1.0 / (1.0 / W + 1.0 / L["rate"])
        log("W (trivial FastCGI): best %.0f req/s; L8 %.0f lookups/s" % (W, L["rate"]))

        fpm = PhpFpm(os.path.join(VAR, "php-fpm"), PROCS)
        servers.append(fpm)
        fpm.start()
        res["algorithms"], res["cases"] = {}, {}
        for name, settings in ALGORITHMS.items():
            conf = os.path.join(VAR, "oidc-secret-%s.conf" % name)
            st.responder_config(conf, db, DATABASE, USER, pw, log_level="debug", **settings)
            pconf = peer_config(os.path.join(VAR, "peer-%s.php" % name), db, pw, settings)
            env = dict(os.environ, OIDC_SECRET_CONFIG=conf)
            h = {n: float(kv(run([bench_bin("oidc-bench-hash"), "--threads", str(n),
                                  "--seconds", str(FLOOR_SECONDS)], env))["rate"])
                 for n in (1, 2)}
            a_hash = st.admin(conf, "hash", stdin="x" * 64).stdout.strip()
            d = {n: db_floor(db, pw, a_hash, n) for n in (1, 4, C)}
            d["spread"] = db_floor(db, pw, a_hash, C, spread=True)
            D = d[C]["rate"]
            floor = combined(h[2], D, W)
            log("%s: H1 %.1f H2 %.1f D1 %.0f D8 %.0f floor %.1f" % (
                name, h[1], h[2], d[1]["rate"], D, floor))

            web = Site(os.path.join(VAR, "lighttpd-" + name), st.free_port(), conf)
            peer = peer_lighttpd(os.path.join(VAR, "lighttpd-peer-" + name), st.free_port(),
                                 fpm, pconf)
            servers += [web, peer]
            web.start()
            peer.start()
            sides = {"oidc-secret": web.port, "peer": peer.port}
            same = check_same(sides, base_conf, token, path, bad_path)
            for port in sides.values():
                wrk(port, path, token, C, 2)        # every process warm
            sweep = {side: {} for side in sides}
            for c in SWEEP:
                for side, port in sides.items():
                    sweep[side][c] = wrk(port, path, token, c, SWEEP_SECONDS)
                log("  c=%-2d oidc-secret %7.1f req/s   peer %7.1f req/s" % (
                    c, sweep["oidc-secret"][c]["rps"], sweep["peer"][c]["rps"]))
            log("  case %s" % name)
            res["cases"][name] = case_result(
                "%s, concurrency %d" % (name, C), rounds(sides, path, token), 200)
            if name == "bcrypt-4":
                log("  case bad-token")
                res["cases"]["bad-token"] = case_result(
                    "one bad token, repeated (401)",
                    rounds(sides, path, "wrong" + token[5:]), 401)
                log("  case distinct-bad-tokens")
                res["cases"]["distinct-bad-tokens"] = case_result(
                    "a new bad token every request (401)",
                    rounds(sides, path, token, distinct=True), 401)
            rss = peak_rss_kib(responder_pids(st.responder_path()))
            peer_rss = peak_rss_kib([p for p, cmd in procs_cmdlines()
                                     if cmd.startswith("php-fpm: pool peer")])
            web.stop()
            peer.stop()
            res["algorithms"][name] = {
                "settings": settings, "H": h, "D": d, "D8": D, "floor": floor,
                "sweep": sweep, "same_answers": same, "peak_rss_kib": rss,
                "peer_peak_rss_kib": peer_rss, "lock_ms": lock_times(web.log),
            }
        fpm.stop()

        # Plain CGI: every request a process, oidc-secret and php-cgi alike.
        log("case cgi (bcrypt-4)")
        conf = os.path.join(VAR, "oidc-secret-bcrypt-4.conf")
        pconf = os.path.join(VAR, "peer-bcrypt-4.php")
        a = st.apache_cgi(os.path.join(VAR, "apache-cgi"), st.free_port(), conf)
        p = peer_apache_cgi(os.path.join(VAR, "apache-cgi-peer"), st.free_port(), pconf)
        servers += [a, p]
        a.start()
        p.start()
        sides = {"oidc-secret": a.port, "peer": p.port}
        res["cgi_same_answers"] = check_same(sides, base_conf, token, path, bad_path)
        for port in sides.values():
            wrk(port, path, token, C, 2)
        res["cases"]["cgi"] = case_result("plain CGI (mod_cgi), bcrypt-4, concurrency %d" % C,
                                          rounds(sides, path, token), 200)
        a.stop()
        p.stop()

        if GROUP_COMMIT:
            res["group_commit"] = group_commit(db, pw, base_conf, token, path)
    finally:
        for s in servers:
            s.stop()
        db.stop()
    res["cases"] = {k: res["cases"][k] for k in TARGETS if k in res["cases"]}
    res["load_end"] = loadavg()
    res["elapsed_s"] = time.monotonic() - started
    # What the rest of the machine took meanwhile: the load average counts
    # this run's own processes, this does not.
    res["others_cpu_share"] = max(0.0, (cpu_busy_s() - busy0) - (own_cpu_s() - own0)) / (
        res["elapsed_s"] * os.cpu_count())
    res["targets"] = targets(res)
    with open(os.path.join(RESULTS, "latest.json"), "w") as f:
        json.dump(res, f, indent=1, default=str)
    report = table(res)
    with open(os.path.join(RESULTS, "latest.md"), "w") as f:
        f.write(report)
    print(report)
    plot(res)


def group_commit(db, pw, base_conf, token, path):
    """D8, D8 spread and oidc-secret (bcrypt 4, concurrency 8) with the
    binary log on, durable (sync_binlog = 1), for each binlog commit wait in
    BINLOG_WAITS; two passes, the second in reverse order, so that neither
    order nor a drift of the machine favours a setting."""
    log("group commit: binary log on")
    db.stop()
    db.start(extra=DB_FLAGS + ["--log-bin=oidc-bench-bin", "--server-id=1",
                               "--sync-binlog=1"])
    seen = {w: {"D8": [], "D8_spread": [], "oidc-secret": [], "oidc-secret_status": []}
            for w in BINLOG_WAITS}
    conf = os.path.join(VAR, "oidc-secret-bcrypt-4.conf")
    a_hash = st.admin(conf, "hash", stdin="x" * 64).stdout.strip()
    web = Site(os.path.join(VAR, "lighttpd-binlog"), st.free_port(), conf)
    try:
        web.start()
        db_floor(db, pw, a_hash, C, seconds=2)          # a warm server
        wrk(web.port, path, token, C, 2)
        for order in (BINLOG_WAITS, BINLOG_WAITS[::-1]):
            for count, usec in order:
                db.sql("SET GLOBAL binlog_commit_wait_count = %d; "
                       "SET GLOBAL binlog_commit_wait_usec = %d" % (count, usec))
                m = seen[(count, usec)]
                m["D8"].append(db_floor(db, pw, a_hash, C))
                m["D8_spread"].append(db_floor(db, pw, a_hash, C, spread=True))
                before = db_status(db)
                m["oidc-secret"].append(wrk(web.port, path, token, C, GC_SECONDS))
                after = db_status(db)
                m["oidc-secret_status"].append({k: after[k] - before[k] for k in STATUS})
                log("  wait_count %d usec %d: D8 %.0f/s, spread %.0f/s, oidc-secret %.1f "
                    "req/s" % (count, usec, m["D8"][-1]["rate"], m["D8_spread"][-1]["rate"],
                               m["oidc-secret"][-1]["rps"]))
    finally:
        web.stop()
        db.sql("SET GLOBAL binlog_commit_wait_count = 0; RESET MASTER")
        db.stop()
    out = []
    for (count, usec), m in seen.items():
        out.append({"binlog_commit_wait_count": count, "binlog_commit_wait_usec": usec,
                    "D8": floor_mean(m["D8"]), "D8_spread": floor_mean(m["D8_spread"]),
                    "oidc-secret": summary(m["oidc-secret"]), "runs": m})
    return out


def floor_mean(runs):
    """Floor runs taken together: rate over all, latency the mean."""
    n = sum(r["transactions"] for r in runs)
    return {"rate": n / sum(r["seconds"] for r in runs),
            "p50_ms": sum(r["p50_ms"] for r in runs) / len(runs),
            "p99_ms": sum(r["p99_ms"] for r in runs) / len(runs),
            "status": {k: sum(r["status"][k] for r in runs) for k in STATUS}}


def per_write(d):
    return "%.1f" % d["commits_per_log_write"] if d.get("commits_per_log_write") else "?"


def group_size(status):
    g = status.get("Binlog_group_commits", 0)
    return status.get("Binlog_commits", 0) / g if g else 0.0


def targets(res):
    out = []
    for case, want in TARGETS.items():
        if case not in res.get("cases", {}):
            continue
        got = res["cases"][case]["ratio"]
        out.append({"what": "%s: oidc-secret / peer >= %.1fx" % (case, want),
                    "value": got, "target": want, "met": got >= want,
                    "by": got / want - 1})
    # Latency spread where a request does the work; a refusal takes well
    # under a millisecond, where the p99 is the scheduler's (wrk, lighttpd
    # and the server share two cores).
    work = [(c["oidc-secret"]["p99_over_p50"], k) for k, c in res["cases"].items()
            if c["expect"] == 200]
    if work:
        worst = max(work)
        out.append({"what": "p99 <= %.0fx p50 at concurrency %d, oidc-secret, every "
                    "regeneration case (worst: %s)" % (P99_OVER_P50, C, worst[1]),
                    "value": worst[0], "target": P99_OVER_P50,
                    "met": worst[0] <= P99_OVER_P50, "by": 1 - worst[0] / P99_OVER_P50})
    return out


# --- the report --------------------------------------------------------------

def machine():
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return "%d cores, %s, %.0f GiB, %s %s" % (os.cpu_count(), cpu, mem, platform.system(),
                                            platform.release())


def verdict(t):
    if t["met"]:
        return "**met** (%+.0f %%)" % (100 * t["by"])
    return "**missed** by %.0f %%" % (-100 * t["by"])


def table(res):
    W = res["W"]["best"]
    out = ["Machine: %s; MariaDB %s, innodb_flush_log_at_trx_commit %s, binary log %s; "
           "lighttpd, %d oidc-secret processes, %d php-fpm children; wrk, %d s per round, "
           "%d rounds, %d s per sweep point.  Load average at start %s, at end %s; "
           "other programs used %.0f %% of the machine's CPU during the run, which "
           "took %.0f s." % (
               res["machine"], res["mariadb"].get("version", "?"),
               res["mariadb"].get("innodb_flush_log_at_trx_commit", "?"),
               res["mariadb"].get("log_bin", "?"), res["procs"], res["procs"],
               res["seconds"], res["rounds"], res["sweep_seconds"], res["load_start"],
               res["load_end"], 100 * res["others_cpu_share"], res["elapsed_s"]), ""]

    out += ["### oidc-secret against the PHP peer", "",
            "Concurrency %d, rounds alternating; req/s over all rounds (each round's "
            "range), latency the mean of the rounds, p99/p50 the worst round." % res["concurrency"],
            "",
            "| case | oidc-secret req/s | peer req/s | **ratio** | per round | "
            "oidc-secret p50 / p99 ms, p99/p50 | peer p50 / p99 ms, p99/p50 | target |",
            "|---|---:|---:|---:|---|---|---|---|"]
    for key, c in res["cases"].items():
        a, b = c["oidc-secret"], c["peer"]
        out.append("| %s | %.0f (%.0f–%.0f) | %.0f (%.0f–%.0f) | **%.2f×** | %s | "
                   "%.1f / %.1f, %.2f | %.1f / %.1f, %.2f | >= %.1f× |" % (
                       c["label"], a["rps"], a["rps_min"], a["rps_max"], b["rps"],
                       b["rps_min"], b["rps_max"], c["ratio"],
                       ", ".join("%.2f" % x for x in c["round_ratios"]),
                       a["p50_ms"], a["p99_ms"], a["p99_over_p50"],
                       b["p50_ms"], b["p99_ms"], b["p99_over_p50"], TARGETS.get(key, 0)))
    if "distinct-bad-tokens" in res["cases"]:
        c = res["cases"]["distinct-bad-tokens"]
        out += ["", "A new bad token per request costs at least one token lookup: L8, one "
                "primary-key lookup that finds nothing per round trip on 8 connections, "
                "is %.0f/s; with W, the floor of such a refusal is 1/(1/W+1/L8) = **%.0f/s**.  "
                "oidc-secret refuses them at %.0f/s (%.0f %% of that floor); twice the "
                "peer would be %.0f/s (%.0f %% of it)." % (
                    res["L8"]["rate"], res["refusal_floor"], c["oidc-secret"]["rps"],
                    100 * c["oidc-secret"]["rps"] / res["refusal_floor"], 2 * c["peer"]["rps"],
                    200 * c["peer"]["rps"] / res["refusal_floor"])]
    out += ["", "CPU per request, µs, by process (responders: oidc-secret's or php-fpm's; "
            "kernel workers: the writing of the redo log, mostly); the machine has %d "
            "cores, so at full load a request costs %d s / throughput in all:" % (
                os.cpu_count(), os.cpu_count()), "",
            "| case | side | " + " | ".join(g for g, _ in CPU_GROUPS) + " | all of the machine |",
            "|---|---|" + "---:|" * (len(CPU_GROUPS) + 1)]
    for key, c in res["cases"].items():
        if key == "cgi":
            continue        # its responders live too briefly to be counted
        for side in ("oidc-secret", "peer"):
            cpu = c[side].get("cpu_us")
            if cpu:
                out.append("| %s | %s | %s | %.0f |" % (
                    c["label"], side, " | ".join("%.0f" % cpu[g] for g, _ in CPU_GROUPS),
                    os.cpu_count() * 1e6 / c[side]["rps"]))
    errs = ["%s, %s: %d" % (k, side, c[side]["errors"]) for k, c in res["cases"].items()
            for side in ("oidc-secret", "peer") if c[side]["errors"]]
    if errs:
        out += ["", "Socket errors or timeouts (10 s): " + "; ".join(errs) + "."]
    out += ["", "### Targets", ""]
    for t in res["targets"]:
        out.append("- %s: %.2f — %s" % (t["what"], t["value"], verdict(t)))

    out += ["", "### Floors", "",
            "D is the least work the change needs from the database: per transaction one "
            "row update (the project's sequence, `LAST_INSERT_ID(sequence + 1)`), one event "
            "insert and a commit, autocommit off once per session, all connections on the "
            "same project, as all the clients here regenerate one app (bench/db.c).  D8 "
            "spread: the same on 8 projects, one per connection (no shared row lock).  "
            "W: a trivial FastCGI responder behind the same lighttpd, best of concurrency "
            "4, 8, 16: **%.0f/s**." % W, "",
            "| | H1 /s | H2 /s | D1 /s (commit p50 ms) | D4 /s | **D8 /s** (commits per "
            "redo log write) | D8 spread /s (commits per write) | combined floor "
            "1/(1/H2+1/D8+1/W) | oidc-secret at c=%d | of D8 | of combined |"
            % res["concurrency"],
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, a in res["algorithms"].items():
        got = res["cases"][name]["oidc-secret"]["rps"]
        d1, d4, d8 = a["D"][1], a["D"][4], a["D"][res["concurrency"]]
        sp = a["D"]["spread"]
        out.append("| %s | %.1f | %.1f | %.0f (%.2f) | %.0f | **%.0f** (%s) | %.0f (%s) | "
                   "**%.1f** | %.1f | **%.0f %%** | **%.0f %%** |" % (
                       name, a["H"][1], a["H"][2], d1["rate"], d1["p50_ms"], d4["rate"],
                       d8["rate"], per_write(d8), sp["rate"], per_write(sp), a["floor"], got,
                       100 * got / a["D8"], 100 * got / a["floor"]))

    out += ["", "### Concurrency sweep (req/s; %d s per point)" % res["sweep_seconds"], "",
            "| concurrency | " + " | ".join("oidc-secret %s | peer %s" % (n, n)
                                           for n in res["algorithms"]) + " |",
            "|---:|" + "---:|" * (2 * len(res["algorithms"]))]
    for c in SWEEP:
        cells = []
        for a in res["algorithms"].values():
            cells += ["%.1f" % a["sweep"]["oidc-secret"][c]["rps"],
                      "%.1f" % a["sweep"]["peer"][c]["rps"]]
        out.append("| %d | %s |" % (c, " | ".join(cells)))

    out += ["", "### Memory and the row lock", ""]
    for name, a in res["algorithms"].items():
        line = "- %s: peak RSS of an oidc-secret process %.1f MiB, of a php-fpm child %.1f MiB" % (
            name, a["peak_rss_kib"] / 1024, a["peer_peak_rss_kib"] / 1024)
        lk = a["lock_ms"]
        if lk:
            line += ("; row lock held (oidc-secret's sequence UPDATE to COMMIT), %d "
                     "transactions: p50 %.2f ms, p99 %.2f ms, max %.2f ms" % (
                         lk["n"], lk["p50"], lk["p99"], lk["max"]))
        out.append(line)

    if res.get("group_commit"):
        out += ["", "### Group commit with the binary log on", "",
                "Binary log on, `sync_binlog = 1`, `innodb_flush_log_at_trx_commit = 1`; "
                "D8, D8 spread (floor runs of %d s) and oidc-secret (bcrypt-4, concurrency "
                "%d, %d s) for each setting, in two passes (the second in reverse order), "
                "taken together.  Without the binary log (above): D8 %.0f/s, "
                "oidc-secret %.0f/s." % (
                    res["floor_seconds"], res["concurrency"], GC_SECONDS,
                    res["algorithms"]["bcrypt-4"]["D8"],
                    res["cases"]["bcrypt-4"]["oidc-secret"]["rps"]), "",
                "| binlog_commit_wait_count | binlog_commit_wait_usec | D8 /s (commits per "
                "binlog group) | D8 commit p50 / p99 ms | D8 spread /s (commits per group) | "
                "oidc-secret req/s | oidc-secret p50 / p99 ms |",
                "|---:|---:|---:|---|---:|---:|---|"]
        for g in res["group_commit"]:
            d, sp, r = g["D8"], g["D8_spread"], g["oidc-secret"]
            out.append("| %d | %d | %.0f (%.1f) | %.2f / %.2f | %.0f (%.1f) | %.1f | "
                       "%.1f / %.1f |" % (
                           g["binlog_commit_wait_count"], g["binlog_commit_wait_usec"],
                           d["rate"], group_size(d["status"]), d["p50_ms"], d["p99_ms"],
                           sp["rate"], group_size(sp["status"]), r["rps"],
                           r["p50_ms"], r["p99_ms"]))
    return "\n".join(out) + "\n"


def plot(res):
    data = os.path.join(VAR, "throughput.dat")
    names = list(res["algorithms"])
    with open(data, "w") as f:
        for name in names:
            for side in ("oidc-secret", "peer"):
                f.write("# %s %s\n" % (side, name))
                for c in SWEEP:
                    f.write("%d %.2f\n" % (c, res["algorithms"][name]["sweep"][side][c]["rps"]))
                f.write("\n\n")
    cases = os.path.join(VAR, "cases.dat")
    with open(cases, "w") as f:
        for i, (key, c) in enumerate(res["cases"].items()):
            f.write('%d "%s" %.2f %.2f %.2f\n' % (i, key, c["oidc-secret"]["rps"],
                                                  c["peer"]["rps"], c["ratio"]))
    png = os.path.join(RESULTS, "throughput.png")
    colors = {"bcrypt-4": "#1b8a5a", "argon2id": "#7b2cbf"}
    lines, i = [], 0
    for name in names:
        col = colors.get(name, "#2c6fbb")
        lines.append("'%s' index %d with linespoints lw 2 pt 7 lc rgb '%s' title 'oidc-secret %s'"
                     % (data, i, col, name))
        lines.append("'%s' index %d with linespoints lw 2 dt 2 pt 6 lc rgb '%s' title 'PHP peer %s'"
                     % (data, i + 1, col, name))
        lines.append("%.2f with lines dt 3 lw 1.5 lc rgb '%s' title '%s: combined floor'"
                     % (res["algorithms"][name]["floor"], col, name))
        i += 2
    lines.append("%.2f with lines dt 4 lw 1.5 lc rgb '#c0392b' title 'D8: database floor'"
                 % res["algorithms"][names[0]]["D8"])
    lines.append("%.2f with lines dt 3 lw 1.5 lc rgb '#555555' title 'W: trivial FastCGI'"
                 % res["W"]["best"])
    script = "\n".join([
        "set terminal %s size 1280,560 font ',10'" % ("pngcairo" if has_cairo() else "png"),
        "set output '%s'" % png,
        "set multiplot layout 1,2",
        "set title 'Throughput against concurrency (lighttpd, MariaDB, 2 cores)'",
        "set xlabel 'concurrent connections (wrk)'", "set ylabel 'requests per second'",
        "set logscale x 2", "set logscale y", "set yrange [5:200000]",
        "set key top right opaque box font ',9'", "set grid",
        "plot " + ", ".join(lines),
        "unset logscale x", "set xrange [-0.6:%f]" % (len(res["cases"]) - 0.4),
        "set title 'Concurrency %d, alternating rounds: oidc-secret against the PHP peer'" % C,
        "set xlabel ''", "set xtics rotate by -20", "set key top right",
        "set style fill solid 0.8", "set boxwidth 0.38",
        "plot '%s' using ($1-0.2):3:xtic(2) with boxes lc rgb '#1b8a5a' title 'oidc-secret', "
        "'' using ($1+0.2):4 with boxes lc rgb '#999999' title 'PHP peer', "
        "'' using 1:($3*1.25):(sprintf('%%.2fx', $5)) with labels notitle" % cases,
        "unset multiplot"])
    subprocess.run(["gnuplot"], input=script, text=True, check=True)


def has_cairo():
    out = subprocess.run(["gnuplot", "-e", "set terminal"], capture_output=True, text=True)
    return "pngcairo" in out.stdout + out.stderr


if __name__ == "__main__":
    main()
