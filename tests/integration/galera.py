"""A three-node MariaDB Galera cluster on loopback, started and stopped by
the suite (test_galera.py), and the faults the tests put it through.

Each node is a mariadbd of its own: its own datadir, socket, client port,
group communication port (gmcast.listen_addr), incremental state transfer
port (ist.recv_addr) and rsync state transfer port, all on 127.0.0.1 and all
free ports.  The nodes run as user mysql with their datadirs owned by it:
started as root, an rsync state transfer fails to write the joiner's
datadir and the joiner aborts.  Node 1 bootstraps the cluster
(--wsrep-new-cluster); the others join it by a full state transfer (SST,
rsync) and are then Synced.

Faults, per node:
- kill()    kill -9: no shutdown, no saved position;
- start()   after a kill: recovers its position from InnoDB (as Debian's
            galera_recovery does, mariadbd --wsrep-recover) and rejoins; the
            state transfer it got (IST or SST) is read from its error log;
- pause() / resume()   SIGSTOP / SIGCONT: a node that stops answering, as
            behind a partition that drops its packets;
- isolate() / heal()   Galera's gmcast.isolate: the node closes its group
            connections and refuses new ones while it keeps running, so it
            is the minority of a partition (non-Primary) and says so.

Python 3 standard library only (the SQL goes through the mariadb client).
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(HERE)), "scripts"))
import oidcstack as st  # noqa: E402

PROVIDER = "/usr/lib/galera/libgalera_smm.so"
PACKAGES = ("galera-4", "rsync")
CLUSTER_NAME = "oidc-secret-test"
RUN_AS = "mysql"


class SQLError(RuntimeError):
    """An error the server answered; errno is its number (1047, 1213, ...)."""

    def __init__(self, errno, message):
        super().__init__(message)
        self.errno = errno


def ensure_packages():
    """galera-4 and rsync, from Debian's apt, when missing."""
    missing = [p for p in PACKAGES if subprocess.run(
        ["dpkg-query", "-W", "-f=${Status}", p], capture_output=True,
        text=True).stdout != "install ok installed"]
    if not missing:
        return
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "-o", "DPkg::Lock::Timeout=900", "update", "-qq"],
                   check=True, env=env, stdout=subprocess.DEVNULL)
    subprocess.run(["apt-get", "-o", "DPkg::Lock::Timeout=900", "install", "-y", "-qq",
                    "--no-install-recommends"] + missing,
                   check=True, env=env, stdout=subprocess.DEVNULL)


def free_ports(n):
    """n distinct free ports on 127.0.0.1."""
    ports = []
    while len(ports) < n:
        p = st.free_port()
        if p not in ports:
            ports.append(p)
    return ports


def _reachable_by(user, path):
    """Whether user can enter every directory above path (mode bits only)."""
    import pwd
    pw = pwd.getpwnam(user)
    d = os.path.dirname(os.path.abspath(path))
    while True:
        s = os.stat(d)
        if s.st_uid == pw.pw_uid:
            ok = s.st_mode & 0o100
        elif s.st_gid == pw.pw_gid:
            ok = s.st_mode & 0o010
        else:
            ok = s.st_mode & 0o001
        if not ok:
            return False
        if d == "/":
            return True
        d = os.path.dirname(d)


class Node:
    """One mariadbd of the cluster."""

    def __init__(self, cluster, index, ports):
        self.cluster = cluster
        self.index = index
        self.name = "node%d" % index
        self.dir = st.make_dir(os.path.join(cluster.dir, self.name))
        # Named "data": the suite's log collection skips such directories.
        self.datadir = os.path.join(self.dir, "data")
        self.socket = os.path.join(self.dir, "mysqld.sock")
        self.pidfile = os.path.join(self.dir, "mysqld.pid")
        self.errlog = os.path.join(self.dir, "mysqld.err")
        self.port, self.gcomm_port, self.ist_port, self.sst_port = ports
        self.proc = None
        self.paused = False
        self.stopped_by_us = False
        self.log_offset = 0     # where the error log stood at the last start

    def __repr__(self):
        return "<galera %s port %d>" % (self.name, self.port)

    @property
    def address(self):
        """host:port as a responder's db_host lists it."""
        return "127.0.0.1:%d" % self.port

    # --- life ---------------------------------------------------------

    def options(self):
        c = self.cluster
        provider = ";".join([
            "gmcast.listen_addr=tcp://127.0.0.1:%d" % self.gcomm_port,
            "ist.recv_addr=127.0.0.1:%d" % self.ist_port,
            # Enough write sets kept for a node that was away a minute to
            # come back by IST; the file is allocated in the datadir.
            "gcache.size=%s" % c.gcache_size,
        ] + list(c.provider_options))
        return [
            "--no-defaults",
            "--user=" + RUN_AS,
            "--datadir=" + self.datadir,
            "--socket=" + self.socket,
            "--pid-file=" + self.pidfile,
            "--log-error=" + self.errlog,
            "--port=%d" % self.port,
            "--bind-address=127.0.0.1",
            "--skip-name-resolve",
            "--character-set-server=utf8mb4",
            "--collation-server=utf8mb4_general_ci",
            "--innodb-buffer-pool-size=64M",
            "--innodb-log-file-size=16M",
            "--max-connections=300",
            # What Galera needs of the server (doc/galera.md).
            "--default-storage-engine=InnoDB",
            "--binlog-format=ROW",
            "--innodb-autoinc-lock-mode=2",
            "--wsrep-on=ON",
            "--wsrep-provider=" + PROVIDER,
            "--wsrep-cluster-name=" + CLUSTER_NAME,
            "--wsrep-cluster-address=gcomm://" + ",".join(
                "127.0.0.1:%d" % n.gcomm_port for n in c.nodes),
            "--wsrep-node-name=" + self.name,
            "--wsrep-node-address=127.0.0.1:%d" % self.gcomm_port,
            "--wsrep-provider-options=" + provider,
            "--wsrep-sst-method=rsync",
            "--wsrep-sst-receive-address=127.0.0.1:%d" % self.sst_port,
        ] + list(c.extra)

    def _prepare_datadir(self, bootstrap):
        # mysql writes its socket, pid file and logs here.
        shutil.chown(self.dir, RUN_AS, RUN_AS)
        if not os.path.isdir(self.datadir):
            os.makedirs(self.datadir)
        shutil.chown(self.datadir, RUN_AS, RUN_AS)
        os.chmod(self.datadir, 0o750)
        if bootstrap and not os.path.isdir(os.path.join(self.datadir, "mysql")):
            with open(os.path.join(self.dir, "install.log"), "w") as log:
                subprocess.run(
                    ["mariadb-install-db", "--no-defaults", "--user=" + RUN_AS,
                     "--datadir=" + self.datadir,
                     "--auth-root-authentication-method=normal", "--skip-test-db"],
                    stdout=log, stderr=subprocess.STDOUT, check=True)
        # The error log lives beside the datadir; mysql writes it.
        if not os.path.exists(self.errlog):
            open(self.errlog, "a").close()
        shutil.chown(self.errlog, RUN_AS, RUN_AS)

    def recover_position(self):
        """uuid:seqno from InnoDB after a crash (mariadbd --wsrep-recover,
        as Debian's galera_recovery), or None when there is none."""
        log = os.path.join(self.dir, "recover.log")
        if os.path.exists(log):
            os.unlink(log)
        open(log, "a").close()
        shutil.chown(log, RUN_AS, RUN_AS)
        opts = [o for o in self.options() if not o.startswith("--log-error=")]
        subprocess.run(["mariadbd"] + opts + ["--log-error=" + log, "--wsrep-recover"],
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=120)
        with open(log, errors="replace") as f:
            m = re.findall(r"WSREP: Recovered position: (\S+:-?\d+)", f.read())
        if m and not m[-1].endswith(":-1"):
            return m[-1]
        return None

    def start(self, bootstrap=False, wait=True, timeout=120):
        """Starts the node: bootstrap makes it a new cluster of one; else it
        joins the others.  After a kill its position is recovered first."""
        if self.proc is not None and self.proc.poll() is None:
            raise RuntimeError("%s runs already" % self.name)
        self._prepare_datadir(bootstrap)
        extra = []
        if bootstrap:
            extra.append("--wsrep-new-cluster")
        elif os.path.exists(os.path.join(self.datadir, "grastate.dat")):
            position = self._grastate_position()
            if position is None:
                position = self.recover_position()
            if position is not None:
                extra.append("--wsrep-start-position=" + position)
        self.log_offset = os.path.getsize(self.errlog)
        # What mariadbd says before it opens its error log (a bad option).
        with open(os.path.join(self.dir, "mysqld.stderr"), "a") as early:
            self.proc = subprocess.Popen(
                ["mariadbd"] + self.options() + extra, stdin=subprocess.DEVNULL,
                stdout=early, stderr=early, start_new_session=True)
        self.paused = False
        self.stopped_by_us = False
        if wait:
            self.wait_synced(timeout)

    def _grastate_position(self):
        """The position grastate.dat saved at a clean shutdown, else None."""
        try:
            with open(os.path.join(self.datadir, "grastate.dat")) as f:
                text = f.read()
        except OSError:
            return None
        uuid = re.search(r"^uuid:\s*(\S+)", text, re.M)
        seqno = re.search(r"^seqno:\s*(-?\d+)", text, re.M)
        if uuid and seqno and seqno.group(1) != "-1":
            return "%s:%s" % (uuid.group(1), seqno.group(1))
        return None

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def died(self):
        """None while running or when stopped or killed here; else what its
        error log says about its end (a crash: the signal and the query)."""
        if self.proc is None or self.stopped_by_us or self.proc.poll() is None:
            return None
        text = self.log()
        lines = [l for l in text.splitlines() if re.search(
            r"got signal|Query \(|Assertion|\[ERROR\]|Aborting", l)]
        return "%s exited with %s: %s" % (self.name, self.proc.returncode,
                                          " | ".join(lines[:6]) or self.log_tail(5))

    @property
    def pid(self):
        return self.proc.pid if self.running() else None

    def kill(self):
        """kill -9; waits for the process to be gone."""
        if not self.running():
            return
        self.stopped_by_us = True
        self._kill_group(signal.SIGKILL)
        self.proc.wait(30)
        self.paused = False

    def _kill_group(self, sig):
        """Signals the node and what it started (its state transfer script
        and rsync daemon share its process group)."""
        try:
            os.killpg(self.proc.pid, sig)
        except ProcessLookupError:
            pass

    def stop(self, timeout=60):
        """A clean shutdown (SIGTERM), SIGKILL after timeout."""
        if self.proc is None:
            return
        self.stopped_by_us = True
        if self.proc.poll() is None:
            if self.paused:
                self.resume()
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self._kill_group(signal.SIGKILL)
                self.proc.wait(30)
        # Whatever it left behind in its group (an rsync daemon).
        self._kill_group(signal.SIGKILL)
        self.proc = None
        self.paused = False

    def pause(self):
        """SIGSTOP: the node holds its connections and answers nothing."""
        os.kill(self.proc.pid, signal.SIGSTOP)
        self.paused = True

    def resume(self):
        os.kill(self.proc.pid, signal.SIGCONT)
        self.paused = False

    def isolate(self):
        """Cuts the node off the group (gmcast.isolate): it keeps running and
        serving its clients, as the minority of a network partition."""
        self.sql("SET GLOBAL wsrep_provider_options = 'gmcast.isolate=1'")

    def heal(self):
        self.sql("SET GLOBAL wsrep_provider_options = 'gmcast.isolate=0'")

    # --- SQL and status ----------------------------------------------

    def sql(self, query, database=None, timeout=30):
        """Runs SQL as root over the node's socket; rows as lists of strings.
        Raises SQLError with the server's error number."""
        cmd = ["mariadb", "--no-defaults", "-S", self.socket, "-u", "root",
               "-N", "-B", "--raw", "--connect-timeout=5"]
        if database:
            cmd.append(database)
        try:
            out = subprocess.run(cmd, input=query, capture_output=True, text=True,
                                 timeout=timeout)
        except subprocess.TimeoutExpired:
            raise SQLError(None, "%s: no answer in %ss" % (self.name, timeout))
        if out.returncode != 0:
            m = re.search(r"ERROR (\d+)", out.stderr)
            raise SQLError(int(m.group(1)) if m else None,
                           "%s: %s" % (self.name, out.stderr.strip()))
        return [line.split("\t") for line in out.stdout.splitlines()]

    def status(self):
        """wsrep_* status variables, by name; {} when the node does not answer."""
        if not self.running() or self.paused:
            return {}
        try:
            rows = self.sql("SHOW GLOBAL STATUS LIKE 'wsrep%'", timeout=10)
        except SQLError:
            return {}
        return {r[0].lower(): r[1] if len(r) > 1 else "" for r in rows}

    def state(self):
        """(wsrep_local_state_comment, wsrep_cluster_status, wsrep_ready,
        wsrep_cluster_size) or None when the node does not answer."""
        s = self.status()
        if not s:
            return None
        return (s.get("wsrep_local_state_comment"), s.get("wsrep_cluster_status"),
                s.get("wsrep_ready"), int(s.get("wsrep_cluster_size") or 0))

    def last_committed(self):
        return int(self.status().get("wsrep_last_committed", -1))

    def synced(self, size=None):
        s = self.state()
        return (s is not None and s[0] == "Synced" and s[1] == "Primary"
                and s[2] == "ON" and (size is None or s[3] == size))

    def wait_synced(self, timeout=120, size=None):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.running():
                raise RuntimeError("%s exited; see %s:\n%s" % (
                    self.name, self.errlog, self.log_tail()))
            if self.synced(size):
                return
            time.sleep(0.1)
        raise RuntimeError("%s not Synced after %ss (state %s); see %s:\n%s" % (
            self.name, timeout, self.state(), self.errlog, self.log_tail()))

    def wait_state(self, check, timeout, what):
        """Polls state() until check(state) holds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            s = self.state()
            if check(s):
                return s
            time.sleep(0.1)
        raise RuntimeError("%s: timed out after %ss waiting for %s (state %s)" % (
            self.name, timeout, what, self.state()))

    # --- the error log -------------------------------------------------

    def mark(self):
        """From now on, log() and transfer() read the error log from here
        (start() marks too): call it before resume() or heal()."""
        self.log_offset = os.path.getsize(self.errlog)

    def log(self, since_mark=True):
        with open(self.errlog, errors="replace") as f:
            if since_mark:
                f.seek(self.log_offset)
            return f.read()

    def log_tail(self, lines=25):
        text = ""
        for path in (os.path.join(self.dir, "mysqld.stderr"), self.errlog):
            try:
                with open(path, errors="replace") as f:
                    text += f.read()
            except OSError:
                pass
        return "\n".join(text.splitlines()[-lines:])

    def transfer(self):
        """How the node got its state since its last start or mark(), from
        its error log:
        ("IST", first, last) with the seqnos it received, ("SST", ...) when
        the donor copied the datadir, ("none", None, None) when it needed
        nothing.  The rsync script runs for both and says which it did."""
        text = self.log()
        ist = re.search(r"Receiving IST: (\d+) writesets, seqnos (-?\d+)-(-?\d+)", text)
        first, last = (int(ist.group(2)), int(ist.group(3))) if ist else (None, None)
        if "rsync SST completed on joiner" in text:
            return ("SST", first, last)
        if "rsync IST completed on joiner" in text or ist:
            return ("IST", first, last)
        return ("none", None, None)


class Cluster:
    """Three nodes (or size) on loopback under directory."""

    def __init__(self, directory, size=3, provider_options=(), extra=(),
                 gcache_size="64M"):
        ensure_packages()
        self.dir = st.make_dir(directory)
        if not _reachable_by(RUN_AS, os.path.join(self.dir, "x")):
            raise RuntimeError("user %s cannot reach %s: the nodes run as %s"
                               % (RUN_AS, self.dir, RUN_AS))
        self.provider_options = list(provider_options)
        self.extra = list(extra)
        self.gcache_size = gcache_size
        ports = free_ports(4 * size)
        self.nodes = []
        for i in range(size):
            self.nodes.append(Node(self, i + 1, ports[4 * i:4 * i + 4]))
        for n in self.nodes:
            if len(n.socket) > 100:
                raise RuntimeError("socket path too long: %s" % n.socket)

    def node(self, i):
        """Node i, counted from 1."""
        return self.nodes[i - 1]

    def __iter__(self):
        return iter(self.nodes)

    def start(self, timeout=180):
        """Node 1 bootstraps, the others join one after another (each by a
        full state transfer from a Synced node); returns when all are Synced
        in a Primary component of len(nodes)."""
        try:
            self.nodes[0].start(bootstrap=True, timeout=timeout)
            for n in self.nodes[1:]:
                n.start(timeout=timeout)
            self.wait_synced(timeout)
        except Exception:
            self.stop()
            raise

    def wait_rejoined(self, node, timeout=120):
        """node back in the cluster: the others see len(nodes) members
        again and node is Synced.  (A node resumed after a pause reports
        its old state, Synced, until it notices it was dropped: only the
        others' view tells.)"""
        others = [n for n in self.nodes if n is not node]
        deadline = time.monotonic() + timeout
        others[0].wait_state(lambda s: s and s[3] == len(self.nodes), timeout,
                             "%s back in the cluster" % node.name)
        node.wait_synced(max(1, deadline - time.monotonic()), size=len(self.nodes))

    def wait_synced(self, timeout=120, nodes=None):
        """Every node (of nodes) Synced, Primary, wsrep_ready, and a cluster
        of that many."""
        nodes = nodes or self.nodes
        deadline = time.monotonic() + timeout
        for n in nodes:
            n.wait_synced(max(1, deadline - time.monotonic()), size=len(nodes))

    def wait_converged(self, timeout=60, nodes=None):
        """Every running node has applied the same write sets."""
        nodes = nodes or [n for n in self.nodes if n.running() and not n.paused]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            seen = {n.last_committed() for n in nodes}
            if len(seen) == 1 and -1 not in seen:
                return seen.pop()
            time.sleep(0.05)
        raise RuntimeError("nodes did not converge: %s" % {
            n.name: n.last_committed() for n in nodes})

    def deaths(self):
        """What died here without being killed or stopped (crashes)."""
        return [d for d in (n.died() for n in self.nodes) if d]

    def stop(self):
        """Stops every node; the last one saves the cluster's position."""
        for n in reversed(self.nodes):
            try:
                if n.paused:
                    n.resume()
            except ProcessLookupError:
                pass
        for n in reversed(self.nodes):
            n.stop()

    def remove(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def leftovers(self):
        """PIDs of processes still running from this cluster's directory
        (mariadbd, state transfer scripts, rsync daemons)."""
        out = []
        mark = self.dir.encode()
        for name in os.listdir("/proc"):
            if not name.isdigit() or int(name) == os.getpid():
                continue
            try:
                with open("/proc/%s/cmdline" % name, "rb") as f:
                    if mark in f.read():
                        out.append(int(name))
            except OSError:
                continue
        return out


def self_test(directory, rounds=3):
    """Start, kill -9 and rejoin (IST), pause and resume, isolate and heal,
    stop -- rounds times, each in a fresh directory; nothing may be left
    running.  Prints one line per step with its duration."""
    import tempfile
    for r in range(1, rounds + 1):
        d = tempfile.mkdtemp(prefix="galera-%d-" % r, dir=directory)
        os.chmod(d, 0o755)
        c = Cluster(os.path.join(d, "cluster"))
        t = time.monotonic()

        def step(what):
            nonlocal t
            now = time.monotonic()
            print("round %d: %-46s %5.1fs" % (r, what, now - t), flush=True)
            t = now
        try:
            c.start()
            step("3 nodes Synced")
            n1, n2, n3 = c.nodes
            n1.sql("CREATE DATABASE t; CREATE TABLE t.x (id INT PRIMARY KEY"
                   " AUTO_INCREMENT, v INT) ENGINE=InnoDB")
            n2.kill()
            n1.wait_state(lambda s: s and s[3] == 2, 30, "node 2 dropped")
            step("node 2 killed, dropped by the others")
            for _ in range(50):
                n1.sql("INSERT INTO t.x (v) VALUES (1)")
            n2.start()
            how = n2.transfer()
            assert how[0] == "IST", how
            step("node 2 back by IST (seqnos %s-%s)" % how[1:])
            n3.pause()
            n1.wait_state(lambda s: s and s[3] == 2, 60, "node 3 dropped")
            step("node 3 paused, dropped by the others")
            n1.sql("INSERT INTO t.x (v) VALUES (2)")
            n3.mark()
            n3.resume()
            c.wait_rejoined(n3)
            step("node 3 resumed, back by %s" % n3.transfer()[0])
            n3.isolate()
            n3.wait_state(lambda s: s and s[1] == "non-Primary", 60, "non-Primary")
            try:
                n3.sql("SELECT COUNT(*) FROM t.x")
                raise AssertionError("an isolated node answered")
            except SQLError as e:
                assert e.errno == 1047, e
            step("node 3 isolated: non-Primary, 1047")
            n3.mark()
            n3.heal()
            c.wait_rejoined(n3)
            step("node 3 healed, back by %s" % n3.transfer()[0])
            counts = {n.name: n.sql("SELECT COUNT(*) FROM t.x")[0][0] for n in c.nodes}
            assert len(set(counts.values())) == 1, counts
        finally:
            c.stop()
        left = c.leftovers()
        assert not left, "left running: %s" % left
        for n in c.nodes:
            assert not st.port_open(n.port), "%s still listens" % n.name
        step("stopped, nothing left")
        shutil.rmtree(d)


if __name__ == "__main__":
    # python3 tests/integration/galera.py [DIR]: the harness's self-test.
    self_test(sys.argv[1] if len(sys.argv) > 1 else "/tmp")
