"""bench/run's work: oidc-secret against its floors and against the PHP peers.

One run, on this machine, with a private MariaDB (innodb_flush_log_at_trx_commit
= 1, the binary log off, as Debian ships it):

  floors
    H  hashes per second of the configured algorithm (secret module), 1 and
       2 threads (bench/hash.c); verifying a secret costs what hashing it
       does
    D  the least work the change needs from the database: one row update,
       one event insert, one commit per transaction, 1, 4 and 8 connections
       on the same project (bench/db.c); D8 is the floor
    W  a trivial FastCGI responder behind the same lighttpd, same wrk
    L  one token lookup that finds nothing, per round trip, 8 connections
       (bench/db.c --mode refused-token): a new bad token's floor is
       1 / (1/W + 1/L8)
    C, I, T  the least an OAuth call needs from the database, 8 connections
       (bench/db.c): C a client's secret hash by its client ID; I that and
       the token's row (introspection); T that and a new token's row,
       committed (issuing a token)
    combined floors: regeneration 1 / (1/H2 + 1/D8 + 1/W); introspection
    1 / (1/W + 1/I8); token issuance 1 / (1/W + 1/T8); a wrong secret
    1 / (1/W + 1/C8 + 1/H2)
  oidc-secret and the PHP peers (bench/peer/: regen.php for the
  regeneration, oauth.php for the OAuth endpoints; PDO, password_hash and
  password_verify, a statement per check; php-fpm with as many children as
  oidc-secret has processes, which spawn-fcgi starts on one socket as
  php-fpm's share one, behind the same lighttpd), side by side, after
  checking that both give the same answers:
    sweep  the regeneration at concurrency 1 to 16, bcrypt cost 4 and
           argon2id at its defaults
    cases  at concurrency 8, in alternating rounds (oidc-secret, peer,
           oidc-secret, peer, ...): the regeneration with bcrypt 4 and with
           argon2id, one bad token repeated, a new bad token every request,
           introspection of an active token by an API app, a token for a
           machine user's client credentials, the token endpoint with a new
           wrong secret every request (with a second client asking for
           tokens beside it, whose latency is measured), and plain CGI
           (oidc-secret and php-cgi under Apache mod_cgi, bcrypt 4)
  group commit
    D8, D8 spread over 8 projects and oidc-secret again with the binary log
    on (sync_binlog = 1), without and with binlog_commit_wait_count /
    binlog_commit_wait_usec, in two passes

Writes bench/results/latest.md, latest.json and throughput.png (gnuplot) and
prints the Markdown.  BENCH_SECONDS (4, one round of a case), BENCH_ROUNDS
(4; short rounds, many of them, so that a burst of other work on the
machine falls on both sides alike), BENCH_SWEEP_SECONDS (4),
BENCH_FLOOR_SECONDS (4), BENCH_GC_SECONDS (5, oidc-secret with the binary
log), BENCH_PROCS (4), BENCH_GROUP_COMMIT (1; 0 skips that part) and
BENCH_PARTS (all of sweep, bcrypt-4, bad-tokens, oauth, argon2id, cgi;
comma-separated, to run fewer) change the run.
"""

import base64
import glob
import http.client
import json
import os
import platform
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.parse

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
ALL_PARTS = ("sweep", "bcrypt-4", "bad-tokens", "oauth", "argon2id", "cgi")
PARTS = [p for p in os.environ.get("BENCH_PARTS", ",".join(ALL_PARTS)).split(",") if p]
ALGORITHMS = {
    "bcrypt-4": {"hash_algorithm": "bcrypt", "bcrypt_cost": 4},
    "argon2id": {"hash_algorithm": "argon2id"},      # m=19456, t=2, p=1
}
REST = "/management/v1/projects/%s/apps/%s/oidc_config/_generate_client_secret"
TOKEN_PATH = "/oauth/v2/token"
INTROSPECT_PATH = "/oauth/v2/introspect"
# Both sides name themselves so in introspection answers.
ISSUER = "https://bench.example"
TOKEN_LIFETIME_S = 43200
# The machine user whose client credentials get tokens (sql/demo.sql's org).
MACHINE = {"id": "69629026806480001", "name": "bench-machine"}
PROJECT_AUD = "urn:zitadel:iam:org:project:id:%s:aud"
# Binary log settings tried for the group commit figures:
# (binlog_commit_wait_count, binlog_commit_wait_usec).
BINLOG_WAITS = [(0, 100000), (4, 2000), (8, 5000)]
# Projects of the floor's own, one per connection, for D spread over rows.
FLOOR_PROJECTS = ["bench-floor-%d" % i for i in range(1, C + 1)]
STATUS = ("Com_commit", "Innodb_log_writes", "Innodb_data_fsyncs", "Binlog_commits",
          "Binlog_group_commits")

# The targets: oidc-secret's throughput over the peer's, per case, and over
# the case's combined floor.
TARGETS = {"bcrypt-4": 1.5, "argon2id": 1.0, "bad-token": 2.0,
           "distinct-bad-tokens": 2.0, "introspect": 3.0, "token": 1.5,
           "wrong-secret": 2.0, "cgi": 1.5}
FLOOR_TARGETS = {"bcrypt-4": 0.75, "introspect": 0.60}
# The cases in the report's order; those without a target are there to be
# looked at (what a wrong secret costs when the stored hash is argon2id).
CASES = ("bcrypt-4", "argon2id", "bad-token", "distinct-bad-tokens", "introspect", "token",
         "wrong-secret", "wrong-secret-argon2id", "cgi")
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


def regen_load(path, token, distinct=False):
    """The regeneration as a client calls it (bench/regen.lua)."""
    return {"script": "regen.lua", "env": {
        "BENCH_PATH": path, "BENCH_TOKEN": token, "BENCH_DISTINCT": "1" if distinct else "0"}}


def oauth_load(path, body, client_id, secret="", new_secret=False):
    """A form POST with HTTP Basic client credentials (bench/oauth.lua)."""
    return {"script": "oauth.lua", "env": {
        "BENCH_PATH": path, "BENCH_BODY": body, "BENCH_CLIENT_ID": client_id,
        "BENCH_SECRET": secret, "BENCH_NEW_SECRET": "1" if new_secret else "0"}}


def wrk_cmd(port, load, conns, seconds):
    return (["wrk", "-t", str(min(conns, 2)), "-c", str(conns), "-d", "%ds" % seconds,
             "--timeout", "10s", "--latency", "-s", os.path.join(HERE, load["script"]),
             "http://127.0.0.1:%d" % port], dict(os.environ, **load["env"]))


def wrk_result(out):
    line = [l for l in out.splitlines() if l.startswith("BENCH ")][-1]
    r = {k: int(v) for k, v in kv(line).items()}
    r["rps"] = r["requests"] / (r["duration_us"] / 1e6)
    r["errors"] = r["connect"] + r["read"] + r["write"] + r["timeout"]
    return r


def wrk(port, load, conns, seconds):
    cmd, env = wrk_cmd(port, load, conns, seconds)
    return wrk_result(run(cmd, env))


def wrk_beside(port, load, conns, seconds, beside, beside_conns=1):
    """load on conns connections and, at the same time, beside on
    beside_conns: (load's result, beside's result)."""
    procs = []
    for l, c in ((load, conns), (beside, beside_conns)):
        cmd, env = wrk_cmd(port, l, c, seconds)
        procs.append(subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, text=True))
    outs = []
    for p in procs:
        out, err = p.communicate()
        if p.returncode != 0:
            raise RuntimeError("wrk: %s" % err.strip())
        outs.append(wrk_result(out))
    return outs[0], outs[1]


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
    """The peers' settings as a PHP file, the same values as the responder's."""
    alg = settings["hash_algorithm"]
    values = [
        ("dsn", "'mysql:unix_socket=%s;dbname=%s;charset=utf8mb4'" % (db.socket, DATABASE)),
        ("user", "'%s'" % USER),
        ("password", "'%s'" % pw),
        ("api_project_id", "'%s'" % st.DEMO["API_PROJECT_ID"]),
        ("issuer", "'%s'" % ISSUER),
        ("access_token_lifetime_s", str(TOKEN_LIFETIME_S)),
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
    for name in ("regen.php", "oauth.php"):
        shutil.copy(os.path.join(PEER, name), os.path.join(web.dir, "htdocs", name))
        os.chmod(os.path.join(web.dir, "htdocs", name), 0o644)
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
        SPAWNED.update(self.pids)
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
        SPAWNED.difference_update(self.pids)
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


FORM = "application/x-www-form-urlencoded"


def form_post(port, path, form, auth=None, ctype=FORM):
    """A form POST; auth (client ID, secret) as HTTP Basic (RFC 6749 2.3.1)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    h = {"Content-Type": ctype, "Accept": "application/json"}
    if auth is not None:
        raw = "%s:%s" % tuple(urllib.parse.quote(x, safe="") for x in auth)
        h["Authorization"] = "Basic " + base64.b64encode(raw.encode()).decode()
    try:
        conn.request("POST", path, body=urllib.parse.urlencode(form), headers=h)
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read().decode()
    finally:
        conn.close()


def ordered(body):
    return json.loads(body, object_pairs_hook=lambda p: p)


def check_same_oauth(sides, db, o):
    """Both sides answer the OAuth calls alike: tokens of the same form,
    stored alike by their SHA-256, that either side's introspection finds
    active with the same answer; the same bytes for the benchmark's token,
    an unknown one and every refusal measured.  Raises if not."""
    machine = (MACHINE["name"], o["machine_secret"])
    api = (o["api_client"], o["api_secret"])
    scope = "openid " + PROJECT_AUD % st.DEMO["PROJECT_ID"]
    issued, seen = {}, {}
    for name, port in sides.items():
        got = []
        for auth, form in ((machine, {"grant_type": "client_credentials", "scope": scope}),
                           (None, {"grant_type": "client_credentials", "scope": scope,
                                   "client_id": machine[0], "client_secret": machine[1]})):
            status, headers, body = form_post(port, TOKEN_PATH, form, auth)
            if status != 200 or headers.get("cache-control") != "no-store":
                raise RuntimeError("%s: token: %d %s" % (name, status, body[:200]))
            doc = ordered(body)
            d = dict(doc)
            if not re.fullmatch(r"[A-Za-z0-9]{43}", d["access_token"]):
                raise RuntimeError("%s: a token of the wrong form" % name)
            row = db.sql("SELECT user_id, token_type, audience, scopes, TIMESTAMPDIFF("
                         "SECOND, creation_date, expires_at) FROM access_tokens WHERE "
                         "token_sha256 = '%s'" % st.sha256_hex(d["access_token"]), DATABASE)
            if len(row) != 1:
                raise RuntimeError("%s: the token is not stored by its SHA-256" % name)
            got.append(([k for k, _ in doc], [(k, v) for k, v in doc if k != "access_token"],
                        row[0]))
            issued.setdefault(name, d["access_token"])
        seen[name] = got
    (a, sa), (b, sb) = seen.items()
    if sa != sb:
        raise RuntimeError("tokens differ:\n%s: %s\n%s: %s" % (a, sa, b, sb))
    token_answer = sa[0][:2]
    for tok_side, tok in issued.items():
        answers = {}
        for name, port in sides.items():
            status, _, body = form_post(port, INTROSPECT_PATH, {"token": tok}, api)
            doc = ordered(body)
            d = dict(doc)
            if status != 200 or d.get("active") is not True or \
                    d["exp"] - d["iat"] != TOKEN_LIFETIME_S:
                raise RuntimeError("%s: introspecting %s's token: %d %s" % (
                    name, tok_side, status, body[:300]))
            answers[name] = [k for k, _ in doc] + [(k, v) for k, v in doc
                                                   if k not in ("iat", "exp")]
        (a, sa), (b, sb) = answers.items()
        if sa != sb:
            raise RuntimeError("introspections of %s's token differ:\n%s: %s\n%s: %s" % (
                tok_side, a, sa, b, sb))
    grant = {"grant_type": "client_credentials"}
    probes = [
        ("the benchmark's token introspected", INTROSPECT_PATH, {"token": o["token"]}, api,
         FORM),
        ("an unknown token introspected", INTROSPECT_PATH, {"token": "unknown"}, api, FORM),
        ("introspection, a wrong secret", INTROSPECT_PATH, {"token": o["token"]},
         (api[0], "wrong"), FORM),
        ("token, a wrong secret", TOKEN_PATH, grant, (machine[0], "wrong"), FORM),
        ("token, an unknown client", TOKEN_PATH, grant, ("nobody", machine[1]), FORM),
        ("token, no client authentication", TOKEN_PATH, grant, None, FORM),
        ("token, another grant type", TOKEN_PATH, {"grant_type": "password"}, machine, FORM),
        ("token, another content type", TOKEN_PATH, grant, machine, "application/json"),
    ]
    seen = {}
    for name, port in sides.items():
        seen[name] = []
        for label, path, form, auth, ctype in probes:
            status, headers, body = form_post(port, path, form, auth, ctype)
            seen[name].append((label, status, headers.get("www-authenticate"),
                               headers.get("cache-control"), body))
    (a, sa), (b, sb) = seen.items()
    if sa != sb:
        diff = [(x, y) for x, y in zip(sa, sb) if x != y]
        raise RuntimeError("OAuth answers differ (%s, %s): %s" % (a, b, diff))
    if sa[0][1] != 200 or not dict(ordered(sa[0][4])).get("active"):
        raise RuntimeError("the benchmark's token is not active: %s" % (sa[0],))
    return {"token": token_answer,
            "answers": [(label, status, body) for label, status, _, _, body in sa]}


# --- measuring ---------------------------------------------------------------

# Where a request's CPU goes: processes by name (the kernel's comm), in groups.
CPU_GROUPS = (("responder", ("oidc-secret.fcg", "php-fpm", "php-cgi", "fcgi-trivial")),
              ("mariadbd", ("mariadbd",)),
              ("web server", ("lighttpd", "apache2")),
              ("kernel workers", ("kworker", "jbd2", "ksoftirqd")))


# Responders spawn-fcgi started for this run: they are init's children.
SPAWNED = set()


def cpu_by_group():
    """CPU seconds so far of this run's live processes in each group of
    CPU_GROUPS: this process's descendants and the responders it spawned
    with theirs, never another program's (the machine may be running the
    same servers for someone else); the kernel's workers, whoever's work
    they do."""
    procs = {pid: (comm, v) for pid, comm, v in procs_stat()}
    children = {}
    for pid, (_, v) in procs.items():
        children.setdefault(int(v[1]), []).append(pid)
    mine, todo = set(), [os.getpid()] + [p for p in SPAWNED if p in procs]
    while todo:
        pid = todo.pop()
        if pid not in mine:
            mine.add(pid)
            todo += children.get(pid, [])
    out = {g: 0.0 for g, _ in CPU_GROUPS}
    for pid, (comm, v) in procs.items():
        for g, prefixes in CPU_GROUPS:
            # The kernel's workers belong to no one: the machine's, all.
            if comm.startswith(prefixes) and (pid in mine or g == "kernel workers"):
                out[g] += cpu_s(v)
    return out


def with_cpu(r, before, after, n):
    """r with the CPU its n requests took, µs each, by group of processes."""
    r["cpu_us"] = {g: max(0.0, after[g] - before[g]) * 1e6 / max(n, 1) for g in after}
    return r


def rounds(sides, load, beside=None):
    """ROUNDS alternating rounds at concurrency C: side A, side B, A, B...
    Each run also gets the CPU its request took, by group of processes
    (cpu_us): of processes alive before and after it, so CGI's short-lived
    ones count only through their web server and the database.  With
    beside, a second client (one connection) runs that load at the same
    time; its result is the run's "beside"."""
    out = {name: [] for name in sides}
    for i in range(ROUNDS):
        for name, port in sides.items():
            before = cpu_by_group()
            if beside is None:
                r = wrk(port, load, C, SECONDS)
            else:
                r, r["beside"] = wrk_beside(port, load, C, SECONDS, beside)
            out[name].append(with_cpu(r, before, cpu_by_group(), r["requests"]))
            log("    round %d %-11s %8.1f req/s  p50 %6.1f ms  p99 %6.1f ms  non2xx %d%s" % (
                i + 1, name, r["rps"], r["p50_us"] / 1e3, r["p99_us"] / 1e3, r["non2xx"],
                "" if beside is None else "   beside: %.1f req/s p50 %.1f p99 %.1f ms" % (
                    r["beside"]["rps"], r["beside"]["p50_us"] / 1e3,
                    r["beside"]["p99_us"] / 1e3)))
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
            "max_ms": max(r["max_us"] for r in runs) / 1e3,
            "requests": reqs,
            "non2xx": sum(r["non2xx"] for r in runs),
            "errors": sum(r["errors"] for r in runs),
            "cpu_us": {g: sum(r["cpu_us"][g] * r["requests"] for r in runs) / reqs
                       for g in runs[0].get("cpu_us", {})}}


def case_result(label, runs, expect, floor=None):
    res = {"label": label, "expect": expect, "runs": runs,
           "oidc-secret": summary(runs["oidc-secret"]), "peer": summary(runs["peer"])}
    res["ratio"] = res["oidc-secret"]["rps"] / res["peer"]["rps"]
    res["round_ratios"] = [a["rps"] / b["rps"] for a, b in zip(runs["oidc-secret"], runs["peer"])]
    if floor is not None:
        res["floor"] = floor
        res["of_floor"] = res["oidc-secret"]["rps"] / floor
    for side in ("oidc-secret", "peer"):
        s = res[side]
        # Every answer must be the expected one: all 200, or all refusals.
        bad = s["non2xx"] if expect == 200 else sum(
            r["requests"] for r in runs[side]) - s["non2xx"]
        if bad:
            raise RuntimeError("%s, %s: %d unexpected answers" % (label, side, bad))
        if "beside" in runs[side][0]:
            res[side]["beside"] = summary([r["beside"] for r in runs[side]])
    return res


def db_status(db):
    rows = db.sql("SHOW GLOBAL STATUS WHERE Variable_name IN (%s)" % ", ".join(
        "'%s'" % s for s in STATUS))
    got = {k: int(v) for k, v in rows}
    return {k: got.get(k, 0) for k in STATUS}


def db_floor(db, pw, hash_, conns, seconds=FLOOR_SECONDS, spread=False, mode="change",
             **args):
    """A floor of bench/db.c on conns connections.  change: D, all on the
    demo project (the floor), or spread over FLOOR_PROJECTS (no row lock
    shared); refused-token: L; client, introspect, issue: C, I, T, with
    their --client, --token-digest, --machine-user in args."""
    before = db_status(db)
    cpu_before = cpu_by_group()
    env = dict(os.environ, BENCH_DB_PASSWORD=pw, BENCH_HASH=hash_)
    cmd = [bench_bin("oidc-bench-db"), "--socket", db.socket, "--database", DATABASE,
           "--user", USER, "--mode", mode, "--connections", str(conns),
           "--seconds", str(seconds)]
    if mode == "change":
        cmd += ["--project", ",".join(FLOOR_PROJECTS) if spread else st.DEMO["PROJECT_ID"],
                "--app", st.DEMO["APP_ID"], "--org", st.DEMO["ORG_ID"],
                "--editor", st.DEMO["USER_ID"]]
    for k, v in args.items():
        cmd += ["--" + k.replace("_", "-"), v]
    r = kv(run(cmd, env))
    cpu_after = cpu_by_group()
    after = db_status(db)
    r = {k: (float(v) if "." in v else v if k == "mode" else int(v)) for k, v in r.items()}
    with_cpu(r, cpu_before, cpu_after, r["transactions"])
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


# --- the run -----------------------------------------------------------------

def combined(*rates):
    """The floor of costs paid one after another: 1 / (1/r1 + 1/r2 ...)."""
    return 1.0 / sum(1.0 / r for r in rates)


def new_secret():
    return "".join(secrets.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                  "0123456789") for _ in range(64))


def oauth_data(db, conf):
    """The OAuth clients of the run, with secrets new for it, hashed as conf
    says: a machine user of the demo organisation, the demo API app; and a
    token of the machine user for the demo project, for the API app to
    introspect."""
    o = {"machine_secret": new_secret(), "api_secret": new_secret(),
         "api_client": st.DEMO["API_APP_ID"]}
    hm = st.admin(conf, "hash", stdin=o["machine_secret"]).stdout.strip()
    ha = st.admin(conf, "hash", stdin=o["api_secret"]).stdout.strip()
    db.sql("INSERT INTO users (id, resource_owner, username, state, user_type, "
           "creation_date, change_date) VALUES ('%(id)s', '%(org)s', '%(name)s', 'active', "
           "'machine', UTC_TIMESTAMP(6), UTC_TIMESTAMP(6)) ON DUPLICATE KEY UPDATE "
           "state = 'active';\n"
           "DELETE FROM access_tokens WHERE user_id = '%(id)s';\n"
           "UPDATE users SET secret_hash = '%(hm)s', previous_secret_hash = NULL, "
           "previous_secret_until = NULL WHERE id = '%(id)s';\n"
           "UPDATE api_configs SET client_secret_hash = '%(ha)s', previous_secret_hash = NULL, "
           "previous_secret_until = NULL WHERE app_id = '%(app)s';\n" % {
               "id": MACHINE["id"], "name": MACHINE["name"], "org": st.DEMO["ORG_ID"],
               "hm": hm, "ha": ha, "app": o["api_client"]}, DATABASE)
    o["token"] = st.issue_token(conf, MACHINE["id"], "--audience", st.DEMO["PROJECT_ID"],
                                "--scopes", "openid " + PROJECT_AUD % st.DEMO["PROJECT_ID"])
    return o


TOKEN_SCOPE = "openid urn:zitadel:iam:org:project:id:zitadel:aud"


def oauth_loads(o):
    return {
        "introspect": oauth_load(INTROSPECT_PATH, "token=" + o["token"], o["api_client"],
                                 o["api_secret"]),
        "token": oauth_load(TOKEN_PATH, urllib.parse.urlencode(
            {"grant_type": "client_credentials", "scope": TOKEN_SCOPE}), MACHINE["name"],
            o["machine_secret"]),
        "wrong-secret": oauth_load(TOKEN_PATH, "grant_type=client_credentials",
                                   MACHINE["name"], new_secret=True),
    }


def oauth_floors(db, pw, o, W, h2):
    """C8, I8, T8 and the OAuth calls' combined floors."""
    c8 = db_floor(db, pw, "-", C, mode="client", client=MACHINE["name"])
    i8 = db_floor(db, pw, "-", C, mode="introspect", client=o["api_client"],
                  token_digest=st.sha256_hex(o["token"]))
    t8 = db_floor(db, pw, "-", C, mode="issue", client=MACHINE["name"],
                  machine_user=MACHINE["id"])
    f = {"C8": c8, "I8": i8, "T8": t8, "H2": h2,
         "introspect": combined(W, i8["rate"]), "token": combined(W, t8["rate"]),
         "wrong-secret": combined(W, c8["rate"], h2)}
    log("OAuth floors: C8 %.0f/s I8 %.0f/s T8 %.0f/s; introspection %.0f/s, token %.0f/s, "
        "a wrong secret %.0f/s" % (c8["rate"], i8["rate"], t8["rate"], f["introspect"],
                                    f["token"], f["wrong-secret"]))
    return f


def oauth_cases(res, sides, db, o, floors):
    """Introspection, token issuance and a new wrong secret every request,
    side by side; beside the last, a second client asking for tokens."""
    res["oauth_same_answers"] = check_same_oauth(sides, db, o)
    loads = oauth_loads(o)
    for port in sides.values():
        for key in ("introspect", "token"):
            wrk(port, loads[key], C, 2)         # every process warm
    log("  case introspect")
    res["cases"]["introspect"] = case_result(
        "introspection of an active token (200)", rounds(sides, loads["introspect"]), 200,
        floors["introspect"])
    log("  case token")
    res["cases"]["token"] = case_result(
        "a token for client credentials (200)", rounds(sides, loads["token"]), 200,
        floors["token"])
    log("  case wrong-secret (a second client alone first)")
    alone = {side: wrk(port, loads["token"], 1, SECONDS) for side, port in sides.items()}
    c = res["cases"]["wrong-secret"] = case_result(
        "a new wrong secret every request (401)",
        rounds(sides, loads["wrong-secret"], beside=loads["token"]), 401,
        floors["wrong-secret"])
    for side in sides:
        c[side]["beside_alone"] = summary([alone[side]])


def oauth_argon2id_case(res, sides, o):
    """A new wrong secret every request again, the stored hash argon2id at
    its defaults: what each refusal costs then, and a second client beside."""
    loads = oauth_loads(o)
    for port in sides.values():
        wrk(port, loads["token"], C, 2)
    log("  case wrong-secret-argon2id (a second client alone first)")
    alone = {side: wrk(port, loads["token"], 1, SECONDS) for side, port in sides.items()}
    c = res["cases"]["wrong-secret-argon2id"] = case_result(
        "a new wrong secret every request, argon2id stored (401)",
        rounds(sides, loads["wrong-secret"], beside=loads["token"]), 401)
    for side in sides:
        c[side]["beside_alone"] = summary([alone[side]])


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
           "procs": PROCS, "concurrency": C, "parts": PARTS, "cases": {}, "algorithms": {}}
    try:
        db.start()
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
        confs = {}
        for name, settings in ALGORITHMS.items():
            confs[name] = os.path.join(VAR, "oidc-secret-%s.conf" % name)
            st.responder_config(confs[name], db, DATABASE, USER, pw, log_level="debug",
                                issuer=ISSUER, **settings)
        oauth = oauth_data(db, confs["bcrypt-4"])
        res["mariadb"] = dict(db.sql(
            "SHOW GLOBAL VARIABLES WHERE Variable_name IN ('version', 'log_bin', "
            "'innodb_flush_log_at_trx_commit', 'sync_binlog', 'binlog_commit_wait_count', "
            "'binlog_commit_wait_usec', 'innodb_flush_method')"))

        # W: the trivial responder behind the same lighttpd.
        web = Site(os.path.join(VAR, "lighttpd-trivial"), st.free_port(), base_conf,
                   binary=bench_bin("fcgi-trivial"))
        servers.append(web)
        web.start()
        w_runs = {}
        for c in (4, 8, 16):
            before = cpu_by_group()
            r = wrk(web.port, regen_load(path, token), c, SWEEP_SECONDS)
            w_runs[c] = with_cpu(r, before, cpu_by_group(), r["requests"])
        web.stop()
        W = max(r["rps"] for r in w_runs.values())
        res["W"] = {"best": W, "runs": w_runs}
        # L8: a refused token's least database work; with W, a bad token's floor.
        L = db_floor(db, pw, "-", C, mode="refused-token")
        res["L8"] = L
        res["refusal_floor"] = combined(W, L["rate"])
        log("W (trivial FastCGI): best %.0f req/s; L8 %.0f lookups/s" % (W, L["rate"]))

        fpm = PhpFpm(os.path.join(VAR, "php-fpm"), PROCS)
        servers.append(fpm)
        fpm.start()
        for name, settings in ALGORITHMS.items():
            wanted = [p for p in PARTS if p == name or p == "sweep" or (
                p == "oauth" or (name == "bcrypt-4" and p == "bad-tokens"))]
            if not wanted:
                continue
            conf = confs[name]
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
            a = res["algorithms"][name] = {"settings": settings, "H": h, "D": d, "D8": D,
                                           "floor": floor}
            if name == "bcrypt-4" and "oauth" in PARTS:
                res["oauth_floors"] = oauth_floors(db, pw, oauth, W, h[2])

            web = Site(os.path.join(VAR, "lighttpd-" + name), st.free_port(), conf)
            peer = peer_lighttpd(os.path.join(VAR, "lighttpd-peer-" + name), st.free_port(),
                                 fpm, pconf)
            servers += [web, peer]
            web.start()
            peer.start()
            sides = {"oidc-secret": web.port, "peer": peer.port}
            load = regen_load(path, token)
            a["same_answers"] = check_same(sides, base_conf, token, path, bad_path)
            for port in sides.values():
                wrk(port, load, C, 2)        # every process warm
            if "sweep" in PARTS:
                sweep = a["sweep"] = {side: {} for side in sides}
                for c in SWEEP:
                    for side, port in sides.items():
                        sweep[side][c] = wrk(port, load, c, SWEEP_SECONDS)
                    log("  c=%-2d oidc-secret %7.1f req/s   peer %7.1f req/s" % (
                        c, sweep["oidc-secret"][c]["rps"], sweep["peer"][c]["rps"]))
            if name in PARTS:
                log("  case %s" % name)
                res["cases"][name] = case_result(
                    "regeneration, %s (200)" % name, rounds(sides, load), 200, floor)
            if name == "bcrypt-4" and "bad-tokens" in PARTS:
                log("  case bad-token")
                res["cases"]["bad-token"] = case_result(
                    "one bad token, repeated (401)",
                    rounds(sides, regen_load(path, "wrong" + token[5:])), 401)
                log("  case distinct-bad-tokens")
                res["cases"]["distinct-bad-tokens"] = case_result(
                    "a new bad token every request (401)",
                    rounds(sides, regen_load(path, token, distinct=True)), 401,
                    res["refusal_floor"])
            if name == "bcrypt-4" and "oauth" in PARTS:
                oauth_cases(res, sides, db, oauth, res["oauth_floors"])
            if name == "argon2id" and "oauth" in PARTS:
                # The machine user's secret stored as argon2id now.
                oauth_argon2id_case(res, sides, oauth_data(db, conf))
            a["peak_rss_kib"] = peak_rss_kib(responder_pids(st.responder_path()))
            a["peer_peak_rss_kib"] = peak_rss_kib([p for p, cmd in procs_cmdlines()
                                                   if cmd.startswith("php-fpm: pool peer")])
            web.stop()
            peer.stop()
            a["lock_ms"] = lock_times(web.log)
        fpm.stop()

        if "cgi" in PARTS:
            # Plain CGI: every request a process, oidc-secret and php-cgi alike.
            log("case cgi (bcrypt-4)")
            conf = confs["bcrypt-4"]
            pconf = peer_config(os.path.join(VAR, "peer-bcrypt-4.php"), db, pw,
                                ALGORITHMS["bcrypt-4"])
            oc = st.apache_cgi(os.path.join(VAR, "apache-cgi"), st.free_port(), conf)
            pc = peer_apache_cgi(os.path.join(VAR, "apache-cgi-peer"), st.free_port(), pconf)
            servers += [oc, pc]
            oc.start()
            pc.start()
            sides = {"oidc-secret": oc.port, "peer": pc.port}
            res["cgi_same_answers"] = check_same(sides, base_conf, token, path, bad_path)
            for port in sides.values():
                wrk(port, regen_load(path, token), C, 2)
            res["cases"]["cgi"] = case_result(
                "plain CGI (mod_cgi), regeneration, bcrypt-4 (200)",
                rounds(sides, regen_load(path, token)), 200)
            oc.stop()
            pc.stop()

        if GROUP_COMMIT:
            res["group_commit"] = group_commit(db, pw, token, path)
    finally:
        for s in servers:
            s.stop()
        db.stop()
    res["cases"] = {k: res["cases"][k] for k in CASES if k in res["cases"]}
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


def group_commit(db, pw, token, path):
    """D8, D8 spread and oidc-secret (bcrypt 4, concurrency 8) with the
    binary log on, durable (sync_binlog = 1), for each binlog commit wait in
    BINLOG_WAITS; two passes, the second in reverse order, so that neither
    order nor a drift of the machine favours a setting."""
    log("group commit: binary log on")
    db.stop()
    db.start(extra=["--log-bin=oidc-bench-bin", "--server-id=1",
                               "--sync-binlog=1"])
    seen = {w: {"D8": [], "D8_spread": [], "oidc-secret": [], "oidc-secret_status": []}
            for w in BINLOG_WAITS}
    conf = os.path.join(VAR, "oidc-secret-bcrypt-4.conf")
    a_hash = st.admin(conf, "hash", stdin="x" * 64).stdout.strip()
    web = Site(os.path.join(VAR, "lighttpd-binlog"), st.free_port(), conf)
    try:
        web.start()
        db_floor(db, pw, a_hash, C, seconds=2)          # a warm server
        wrk(web.port, regen_load(path, token), C, 2)
        for order in (BINLOG_WAITS, BINLOG_WAITS[::-1]):
            for count, usec in order:
                db.sql("SET GLOBAL binlog_commit_wait_count = %d; "
                       "SET GLOBAL binlog_commit_wait_usec = %d" % (count, usec))
                m = seen[(count, usec)]
                m["D8"].append(db_floor(db, pw, a_hash, C))
                m["D8_spread"].append(db_floor(db, pw, a_hash, C, spread=True))
                before = db_status(db)
                m["oidc-secret"].append(wrk(web.port, regen_load(path, token), C, GC_SECONDS))
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
        c = res["cases"][case]
        got = c["ratio"]
        out.append({"what": "%s: oidc-secret / peer >= %.1fx" % (case, want),
                    "value": got, "target": want, "met": got >= want, "by": got / want - 1})
        if case in FLOOR_TARGETS and "of_floor" in c:
            want = FLOOR_TARGETS[case]
            got = c["of_floor"]
            out.append({"what": "%s: oidc-secret / its combined floor >= %.0f %%" % (
                case, 100 * want), "value": got, "target": want, "met": got >= want,
                "by": got / want - 1, "percent": True})
    c = res.get("cases", {}).get("wrong-secret")
    if c:
        b = c["oidc-secret"]["beside"]
        alone = c["oidc-secret"]["beside_alone"]
        met = b["non2xx"] == 0 and b["errors"] == 0 and b["requests"] > 0
        out.append({"what": "wrong-secret: a second client's token requests meanwhile all "
                    "answered 200 (p99 %.1f ms, alone %.1f ms)" % (b["p99_ms"], alone["p99_ms"]),
                    "value": b["rps"], "target": 0, "met": met, "by": 0.0, "served": True})
    # Latency spread where a request does the work; a refusal takes well
    # under a millisecond, where the p99 is the scheduler's (wrk, lighttpd
    # and the server share two cores).
    work = [(c["oidc-secret"]["p99_over_p50"], k) for k, c in res.get("cases", {}).items()
            if c["expect"] == 200 and k in ("bcrypt-4", "argon2id", "cgi")]
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
    if t.get("served"):
        return "**met**" if t["met"] else "**missed**"
    if t["met"]:
        return "**met** (%+.0f %%)" % (100 * t["by"])
    return "**missed** by %.0f %%" % (-100 * t["by"])


def target_value(t):
    if t.get("served"):
        return "%.0f req/s" % t["value"]
    if t.get("percent"):
        return "%.0f %%" % (100 * t["value"])
    return "%.2f" % t["value"]


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

    out += ["### oidc-secret against the PHP peers", "",
            "Concurrency %d, rounds alternating; req/s over all rounds (each round's "
            "range), latency the mean of the rounds, p99/p50 the worst round; the "
            "floor is the case's combined floor (below) and oidc-secret's share of it."
            % res["concurrency"], "",
            "| case | oidc-secret req/s | peer req/s | **ratio** | per round | "
            "oidc-secret p50 / p99 ms, p99/p50 | peer p50 / p99 ms, p99/p50 | floor /s "
            "(share) | target |",
            "|---|---:|---:|---:|---|---|---|---:|---|"]
    for key, c in res["cases"].items():
        a, b = c["oidc-secret"], c["peer"]
        want = ">= %.1f×" % TARGETS[key] if key in TARGETS else "(none: to compare)"
        if key in FLOOR_TARGETS:
            want += ", >= %.0f %% of floor" % (100 * FLOOR_TARGETS[key])
        out.append("| %s | %.0f (%.0f–%.0f) | %.0f (%.0f–%.0f) | **%.2f×** | %s | "
                   "%.1f / %.1f, %.2f | %.1f / %.1f, %.2f | %s | %s |" % (
                       c["label"], a["rps"], a["rps_min"], a["rps_max"], b["rps"],
                       b["rps_min"], b["rps_max"], c["ratio"],
                       ", ".join("%.2f" % x for x in c["round_ratios"]),
                       a["p50_ms"], a["p99_ms"], a["p99_over_p50"],
                       b["p50_ms"], b["p99_ms"], b["p99_over_p50"],
                       "%.0f (%.0f %%)" % (c["floor"], 100 * c["of_floor"])
                       if "floor" in c else "", want))

    out += ["", "### Targets", ""]
    for t in res["targets"]:
        out.append("- %s: %s — %s" % (t["what"], target_value(t), verdict(t)))

    floods = [k for k in ("wrong-secret", "wrong-secret-argon2id") if k in res["cases"]]
    if floods:
        out += ["", "### A second client during the wrong-secret flood", "",
                "While 8 connections send a new wrong secret every request, one more "
                "connection asks for tokens with the right secret (client credentials); "
                "the same client alone before, %d s:" % res["seconds"], "",
                "| stored hash | side | alone req/s | alone p50 / p99 ms | meanwhile req/s | "
                "meanwhile p50 / p99 / max ms | answers not 200, socket errors |",
                "|---|---|---:|---|---:|---|---|"]
        for key in floods:
            c = res["cases"][key]
            for side in ("oidc-secret", "peer"):
                al, b = c[side]["beside_alone"], c[side]["beside"]
                out.append("| %s | %s | %.0f | %.1f / %.1f | %.0f | %.1f / %.1f / %.1f | "
                           "%d, %d |" % (
                               "argon2id" if key.endswith("argon2id") else "bcrypt-4", side,
                               al["rps"], al["p50_ms"], al["p99_ms"], b["rps"], b["p50_ms"],
                               b["p99_ms"], b["max_ms"], b["non2xx"], b["errors"]))

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
            "1/(1/H2+1/D8+1/W) | oidc-secret at c=%d | of D8 | of combined | MariaDB "
            "µs per change: D8, oidc-secret |" % res["concurrency"],
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, a in res["algorithms"].items():
        got = res["cases"][name]["oidc-secret"]["rps"] if name in res["cases"] else None
        d1, d4, d8 = a["D"][1], a["D"][4], a["D"][res["concurrency"]]
        sp = a["D"]["spread"]
        mine = res["cases"][name]["oidc-secret"]["cpu_us"]["mariadbd"] if got else None
        out.append("| %s | %.1f | %.1f | %.0f (%.2f) | %.0f | **%.0f** (%s) | %.0f (%s) | "
                   "**%.1f** | %s | %s | %s | %.0f, %s |" % (
                       name, a["H"][1], a["H"][2], d1["rate"], d1["p50_ms"], d4["rate"],
                       d8["rate"], per_write(d8), sp["rate"], per_write(sp), a["floor"],
                       "%.1f" % got if got else "", "**%.0f %%**" % (100 * got / a["D8"])
                       if got else "", "**%.0f %%**" % (100 * got / a["floor"]) if got else "",
                       d8["cpu_us"]["mariadbd"], "%.0f" % mine if got else ""))

    if res.get("oauth_floors"):
        f = res["oauth_floors"]
        out += ["", "The OAuth calls' floors, from the least each needs of the database on "
                "8 connections (bench/db.c, single-table prepared statements): **C8** a "
                "client's secret hash by its client ID, %.0f/s; **I8** that and the "
                "token's row, %.0f/s; **T8** that and a new token's row inserted and "
                "committed, %.0f/s; H2 (bcrypt-4, verifying costs what hashing does) "
                "%.0f/s; W %.0f/s:" % (f["C8"]["rate"], f["I8"]["rate"], f["T8"]["rate"],
                                       f["H2"], W), "",
                "| case | floor | /s | oidc-secret | share |", "|---|---|---:|---:|---:|"]
        for key, formula in (("introspect", "1/(1/W+1/I8)"), ("token", "1/(1/W+1/T8)"),
                             ("wrong-secret", "1/(1/W+1/C8+1/H2)")):
            got = res["cases"].get(key, {}).get("oidc-secret", {}).get("rps")
            out.append("| %s | %s | %.0f | %s | %s |" % (
                key, formula, f[key], "%.0f" % got if got else "",
                "%.0f %%" % (100 * got / f[key]) if got else ""))
        wbest = max(res["W"]["runs"].values(), key=lambda r: r["rps"])
        wcpu = wbest.get("cpu_us", {})
        out += ["", "Where the time goes, against the floors: CPU per request, µs, by "
                "process.  The floor's row adds W's (the trivial responder, lighttpd, at "
                "its best concurrency) and the database floor's MariaDB; the hash (H2) "
                "is the responder's.", "",
                "| case | | responder | mariadbd | web server | all of the machine |",
                "|---|---|---:|---:|---:|---:|"]
        for key, dbf in (("introspect", "I8"), ("token", "T8"), ("wrong-secret", "C8")):
            c = res["cases"].get(key)
            if c is None:
                continue
            hash_us = os.cpu_count() * 1e6 / f["H2"] if key == "wrong-secret" else 0
            out.append("| %s | floor: W + %s%s | %.0f | %.0f | %.0f | %.0f |" % (
                key, dbf, " + H2" if hash_us else "", wcpu.get("responder", 0) + hash_us,
                f[dbf]["cpu_us"]["mariadbd"], wcpu.get("web server", 0),
                os.cpu_count() * 1e6 / f[key]))
            for side in ("oidc-secret", "peer"):
                cpu = c[side]["cpu_us"]
                out.append("| | %s | %.0f | %.0f | %.0f | %.0f |" % (
                    side, cpu["responder"], cpu["mariadbd"], cpu["web server"],
                    os.cpu_count() * 1e6 / c[side]["rps"]))

    sweeps = {n: a["sweep"] for n, a in res["algorithms"].items() if "sweep" in a}
    if sweeps:
        out += ["", "### Concurrency sweep, the regeneration (req/s; %d s per point)" %
                res["sweep_seconds"], "",
                "| concurrency | " + " | ".join("oidc-secret %s | peer %s" % (n, n)
                                               for n in sweeps) + " |",
                "|---:|" + "---:|" * (2 * len(sweeps))]
        for c in SWEEP:
            cells = []
            for s in sweeps.values():
                cells += ["%.1f" % s["oidc-secret"][c]["rps"], "%.1f" % s["peer"][c]["rps"]]
            out.append("| %d | %s |" % (c, " | ".join(cells)))

    out += ["", "### Memory and the row lock", ""]
    for name, a in res["algorithms"].items():
        line = "- %s: peak RSS of an oidc-secret process %.1f MiB, of a php-fpm child %.1f MiB" % (
            name, a["peak_rss_kib"] / 1024, a["peer_peak_rss_kib"] / 1024)
        lk = a.get("lock_ms")
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
                "taken together.  Without the binary log (above): D8 %.0f/s%s." % (
                    res["floor_seconds"], res["concurrency"], GC_SECONDS,
                    res["algorithms"]["bcrypt-4"]["D8"],
                    ", oidc-secret %.0f/s" % res["cases"]["bcrypt-4"]["oidc-secret"]["rps"]
                    if "bcrypt-4" in res["cases"] else ""), "",
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
    sweeps = {n: a["sweep"] for n, a in res["algorithms"].items() if "sweep" in a}
    with open(data, "w") as f:
        for name, s in sweeps.items():
            for side in ("oidc-secret", "peer"):
                f.write("# %s %s\n" % (side, name))
                for c in SWEEP:
                    f.write("%d %.2f\n" % (c, s[side][c]["rps"]))
                f.write("\n\n")
    cases = os.path.join(VAR, "cases.dat")
    with open(cases, "w") as f:
        for i, (key, c) in enumerate(res["cases"].items()):
            # The ratio's label above the bars and the floor's marker.
            top = max(c["oidc-secret"]["rps"], c["peer"]["rps"], c.get("floor", 0))
            f.write('%d "%s" %.2f %.2f %.2f %s %.2f\n' % (
                i, key, c["oidc-secret"]["rps"], c["peer"]["rps"], c["ratio"],
                "%.2f" % c["floor"] if "floor" in c else "NaN", top * 1.5))
    png = os.path.join(RESULTS, "throughput.png")
    colors = {"bcrypt-4": "#1b8a5a", "argon2id": "#7b2cbf"}
    lines, i = [], 0
    for name in sweeps:
        col = colors.get(name, "#2c6fbb")
        lines.append("'%s' index %d with linespoints lw 2 pt 7 lc rgb '%s' title 'oidc-secret %s'"
                     % (data, i, col, name))
        lines.append("'%s' index %d with linespoints lw 2 dt 2 pt 6 lc rgb '%s' title 'PHP peer %s'"
                     % (data, i + 1, col, name))
        lines.append("%.2f with lines dt 3 lw 1.5 lc rgb '%s' title '%s: combined floor'"
                     % (res["algorithms"][name]["floor"], col, name))
        i += 2
    first = next(iter(res["algorithms"].values()), None)
    if first is not None:
        lines.append("%.2f with lines dt 4 lw 1.5 lc rgb '#c0392b' title 'D8: database floor'"
                     % first["D8"])
    lines.append("%.2f with lines dt 3 lw 1.5 lc rgb '#555555' title 'W: trivial FastCGI'"
                 % res["W"]["best"])
    script = [
        "set terminal %s size 1400,600 font ',10'" % ("pngcairo" if has_cairo() else "png"),
        "set output '%s'" % png,
        "set multiplot layout 1,2" if sweeps else "set multiplot layout 1,1",
        "set logscale y", "set yrange [5:200000]", "set grid"]
    if sweeps:
        script += [
            "set title 'The regeneration: throughput against concurrency (lighttpd, MariaDB, "
            "2 cores)'",
            "set xlabel 'concurrent connections (wrk)'", "set ylabel 'requests per second'",
            "set logscale x 2", "set key top right opaque box font ',9'",
            "plot " + ", ".join(lines), "unset logscale x"]
    script += [
        "set xrange [-0.6:%f]" % (len(res["cases"]) - 0.4),
        "set title 'Concurrency %d, alternating rounds: oidc-secret against the PHP peers'" % C,
        "set xlabel ''", "set ylabel 'requests per second'", "set xtics rotate by -25",
        "set key top right", "set style fill solid 0.8", "set boxwidth 0.38",
        "plot '%s' using ($1-0.2):3:xtic(2) with boxes lc rgb '#1b8a5a' title 'oidc-secret', "
        "'' using ($1+0.2):4 with boxes lc rgb '#999999' title 'PHP peer', "
        "'' using ($1-0.2):6 with points pt 9 ps 1.6 lc rgb '#c0392b' "
        "title 'combined floor', "
        "'' using 1:7:(sprintf('%%.2fx', $5)) with labels notitle" % cases,
        "unset multiplot"]
    subprocess.run(["gnuplot"], input="\n".join(script), text=True, check=True)


def has_cairo():
    out = subprocess.run(["gnuplot", "-e", "set terminal"], capture_output=True, text=True)
    return "pngcairo" in out.stdout + out.stderr


if __name__ == "__main__":
    main()
