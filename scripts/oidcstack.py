"""oidcstack: the real services oidc-secret runs behind, started privately.

Used by scripts/demo, the integration tests and the benchmark, so all three
start MariaDB and the web servers the same way (../shared/SERVICES.md):
a MariaDB with its own datadir and socket, no TCP; web servers on loopback
ports with their own configuration; nothing outside the given directory,
no system service touched.  Python 3 standard library only.
"""

import hashlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("OIDC_SECRET_BUILD_DIR", os.path.join(ROOT, "build"))

# What sql/demo.sql creates.
DEMO = {
    "ORG_ID": "69629023906488334",
    "USER_ID": "69629026806489455",
    "PROJECT_ID": "69629026806489512",
    "APP_ID": "69629026806489623",
    "API_APP_ID": "69629026806489734",
    # The ZITADEL project whose ID access tokens carry in their audience.
    "API_PROJECT_ID": "69629023906488335",
}


def responder_path():
    return os.path.join(BUILD, "src", "oidc-secret.fcgi")


def admin_path():
    return os.path.join(BUILD, "src", "oidc-secret-admin")


def wait_for(check, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise RuntimeError("timed out after %ss waiting for %s" % (timeout, what))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


def pid_alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def stop_pid(pid, sig=signal.SIGTERM, timeout=15):
    """Signal pid and wait for it to go; SIGKILL after timeout."""
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
            if done == pid:
                return
        except ChildProcessError:
            if not pid_alive(pid):
                return
        time.sleep(0.05)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def read_pid(path):
    try:
        with open(path) as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None


def write_file(path, text, mode=0o644):
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)


def make_dir(path):
    """A directory others (the web server's user) can pass through."""
    os.makedirs(path, exist_ok=True)
    os.chmod(path, 0o755)
    return path


class MariaDB:
    """A private mariadbd: own datadir, own socket, no networking."""

    def __init__(self, directory):
        self.dir = make_dir(directory)
        self.datadir = os.path.join(self.dir, "data")
        self.socket = os.path.join(self.dir, "mysqld.sock")
        self.pidfile = os.path.join(self.dir, "mysqld.pid")
        self.errlog = os.path.join(self.dir, "mysqld.err")
        self.proc = None
        # sun_path holds 108 bytes.
        if len(self.socket) > 100:
            raise RuntimeError("socket path too long: %s" % self.socket)

    def ping(self):
        return subprocess.run(
            ["mariadb-admin", "--no-defaults", "-S", self.socket, "-u", "root",
             "--connect-timeout=2", "ping"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0

    def running(self):
        pid = read_pid(self.pidfile)
        return pid is not None and pid_alive(pid) and self.ping()

    def start(self, extra=()):
        if self.running():
            return
        if not os.path.isdir(os.path.join(self.datadir, "mysql")):
            with open(os.path.join(self.dir, "install.log"), "w") as log:
                subprocess.run(
                    ["mariadb-install-db", "--no-defaults", "--user=root",
                     "--datadir=" + self.datadir,
                     "--auth-root-authentication-method=normal",
                     "--skip-test-db"],
                    stdout=log, stderr=subprocess.STDOUT, check=True)
        cmd = ["mariadbd", "--no-defaults", "--user=root",
               "--datadir=" + self.datadir, "--socket=" + self.socket,
               "--skip-networking", "--pid-file=" + self.pidfile,
               "--log-error=" + self.errlog,
               "--innodb-buffer-pool-size=128M",
               "--max-connections=500",
               "--character-set-server=utf8mb4",
               "--collation-server=utf8mb4_general_ci"] + list(extra)
        self.proc = subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True)
        wait_for(lambda: self.proc.poll() is not None or self.ping(), 60,
                 "mariadbd to answer")
        if self.proc.poll() is not None:
            raise RuntimeError("mariadbd exited; see " + self.errlog)
        os.chmod(self.socket, 0o777)

    def stop(self):
        pid = self.proc.pid if self.proc else read_pid(self.pidfile)
        if pid is not None:
            stop_pid(pid, timeout=60)
        self.proc = None

    def sql(self, query, database=None):
        """Runs SQL as root; returns rows as lists of strings (tab-separated)."""
        cmd = ["mariadb", "--no-defaults", "-S", self.socket, "-u", "root",
               "-N", "-B", "--raw"]
        if database:
            cmd.append(database)
        out = subprocess.run(cmd, input=query, capture_output=True, text=True)
        if out.returncode != 0:
            raise RuntimeError("mariadb: " + out.stderr.strip())
        return [line.split("\t") for line in out.stdout.splitlines()]

    def sql_file(self, path, database):
        with open(path) as f:
            self.sql(f.read(), database)


def responder_config(path, db, database, user, password, **settings):
    """Writes an oidc-secret.conf for the responder and the admin tool."""
    values = {
        "db_socket": db.socket,
        "db_name": database,
        "db_user": user,
        "db_password": password,
        "api_project_id": DEMO["API_PROJECT_ID"],
    }
    values.update({k: str(v) for k, v in settings.items()})
    text = "# written by scripts/oidcstack.py\n" + "".join(
        "%s = %s\n" % kv for kv in values.items())
    # Read by the web server's user under Apache; the tests' own secrets only.
    write_file(path, text, 0o644)
    return path


def admin(config, *args, stdin=None, check=True):
    """Runs oidc-secret-admin with a configuration; returns CompletedProcess."""
    env = dict(os.environ, OIDC_SECRET_CONFIG=config,
               OIDC_SECRET_SQL_DIR=os.path.join(ROOT, "sql"))
    out = subprocess.run([admin_path()] + list(args), input=stdin,
                         capture_output=True, text=True, env=env)
    if check and out.returncode != 0:
        raise RuntimeError("oidc-secret-admin %s: exit %d: %s" % (
            " ".join(args), out.returncode, out.stderr.strip()))
    return out


def setup_database(db, database, user, password, config):
    """Creates the database and its user, and migrates it (idempotent)."""
    db.sql(
        "CREATE DATABASE IF NOT EXISTS `%s` CHARACTER SET utf8mb4;\n"
        "CREATE USER IF NOT EXISTS '%s'@'localhost' IDENTIFIED BY '%s';\n"
        "ALTER USER '%s'@'localhost' IDENTIFIED BY '%s';\n"
        "GRANT ALL ON `%s`.* TO '%s'@'localhost';\n" % (
            database, user, password, user, password, database, user))
    admin(config, "migrate")


def sha256_hex(token):
    return hashlib.sha256(token.encode()).hexdigest()


class Lighttpd:
    """lighttpd on 127.0.0.1:port with the shipped fastcgi configuration."""

    def __init__(self, directory, port, config, procs=2, include=None,
                 extra_vars=None, extra_conf=""):
        self.dir = make_dir(directory)
        self.port = port
        self.conf = os.path.join(self.dir, "lighttpd.conf")
        self.pidfile = os.path.join(self.dir, "lighttpd.pid")
        self.errlog = os.path.join(self.dir, "lighttpd-error.log")
        docroot = make_dir(os.path.join(self.dir, "htdocs"))
        include = include or os.path.join(ROOT, "lighttpd-conf", "oidc-secret.conf")
        variables = {
            "oidc_secret_bin": responder_path(),
            "oidc_secret_socket": os.path.join(self.dir, "fcgi.sock"),
            "oidc_secret_config": config,
            "oidc_secret_procs": procs,
        }
        variables.update(extra_vars or {})
        lines = [
            "# written by scripts/oidcstack.py",
            'server.document-root = "%s"' % docroot,
            'server.bind = "127.0.0.1"',
            "server.port = %d" % port,
            'server.pid-file = "%s"' % self.pidfile,
            'server.errorlog = "%s"' % self.errlog,
            # Give the responder its own 413 for bodies; lighttpd's cap is KiB.
            "server.max-request-size = 1048576",
        ]
        for k, v in variables.items():
            lines.append("var.%s = %s" % (k, v if isinstance(v, int) else '"%s"' % v))
        lines.append('include "%s"' % include)
        write_file(self.conf, "\n".join(lines) + "\n" + extra_conf)
        self.proc = None

    def start(self):
        self.stop()
        self.proc = subprocess.Popen(
            ["lighttpd", "-D", "-f", self.conf], stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=open(self.errlog + ".stderr", "a"),
            start_new_session=True)
        wait_for(lambda: self.proc.poll() is not None or port_open(self.port),
                 20, "lighttpd on port %d" % self.port)
        if self.proc.poll() is not None:
            raise RuntimeError("lighttpd exited; see " + self.errlog)

    def stop(self):
        pid = self.proc.pid if self.proc else read_pid(self.pidfile)
        if pid is not None and pid_alive(pid):
            stop_pid(pid)
        self.proc = None

    def base_url(self):
        return "http://127.0.0.1:%d" % self.port


def issue_token(config, user, *flags):
    return admin(config, "token", "issue", "--user", user, *flags).stdout.strip()


def random_password():
    return secrets.token_urlsafe(18)


def copy_tree(src, dst):
    shutil.copytree(src, dst, dirs_exist_ok=True)
