"""oidcstack: the real services oidc-secret runs behind, started privately.

Used by scripts/demo, the integration tests and the benchmark, so all three
start MariaDB and the web servers the same way (doc/contributing.md):
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
        # Temporary tables of its own: cleaners of the shared /tmp remove
        # files a long run still has open.
        self.tmpdir = os.path.join(self.dir, "tmp")
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
        make_dir(self.tmpdir)
        cmd = ["mariadbd", "--no-defaults", "--user=root",
               "--datadir=" + self.datadir, "--socket=" + self.socket,
               "--tmpdir=" + self.tmpdir,
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


# --- Apache, spawn-fcgi and the systemd units ------------------------------

APACHE_MODULES = "/usr/lib/apache2/modules"
APACHE_USER = "www-data"


def install_responder(directory, name="oidc-secret.fcgi"):
    """Copies the responder where Apache's user can run it: the build
    directory may sit under a home the web server's user cannot enter."""
    make_dir(directory)
    path = os.path.join(directory, name)
    shutil.copy2(responder_path(), path)
    os.chmod(path, 0o755)
    return path


class Apache:
    """Apache 2.4 on 127.0.0.1:port: its own ServerRoot, PidFile, ErrorLog,
    modules loaded from APACHE_MODULES (SERVICES.md).  conf is the rest of
    httpd.conf: Define and Include lines of a shipped configuration and what
    the mode needs around them.  Children run as www-data: what they read,
    run or connect to must be reachable by that user."""

    def __init__(self, directory, port, conf, modules=(), mpm="event",
                 log_level="warn"):
        self.dir = make_dir(directory)
        self.port = port
        self.conf = os.path.join(self.dir, "httpd.conf")
        self.pidfile = os.path.join(self.dir, "httpd.pid")
        self.errlog = os.path.join(self.dir, "error.log")
        self.accesslog = os.path.join(self.dir, "access.log")
        run = make_dir(os.path.join(self.dir, "run"))
        docroot = make_dir(os.path.join(self.dir, "htdocs"))
        mods = ["mpm_" + mpm, "authz_core", "mime"]
        mods += [m for m in modules if m not in mods]
        lines = ["# written by scripts/oidcstack.py",
                 'ServerRoot "%s"' % self.dir,
                 'DefaultRuntimeDir "%s"' % run]
        lines += ["LoadModule %s_module %s/mod_%s.so" % (m, APACHE_MODULES, m)
                  for m in mods]
        lines += [
            "ServerName 127.0.0.1",
            "Listen 127.0.0.1:%d" % port,
            'PidFile "%s"' % self.pidfile,
            'ErrorLog "%s"' % self.errlog,
            "LogLevel %s" % log_level,
            'LogFormat "%h %t \\"%r\\" %>s %b %D" oidc',
            'CustomLog "%s" oidc' % self.accesslog,
            "User %s" % APACHE_USER,
            "Group %s" % APACHE_USER,
            "TypesConfig /etc/mime.types",
            'DocumentRoot "%s"' % docroot,
            "<Directory />",
            "    Options None",
            "    AllowOverride None",
            "    Require all denied",
            "</Directory>",
            "Timeout 60",
        ]
        write_file(self.conf, "\n".join(lines) + "\n" + conf)
        self.proc = None

    def start(self):
        self.stop()
        check = subprocess.run(["apache2", "-f", self.conf, "-t"],
                               capture_output=True, text=True)
        if check.returncode != 0:
            raise RuntimeError("apache2 -t %s: %s" % (self.conf, check.stderr.strip()))
        self.proc = subprocess.Popen(
            ["apache2", "-f", self.conf, "-DFOREGROUND"], stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=open(self.errlog + ".stderr", "a"),
            start_new_session=True)
        wait_for(lambda: self.proc.poll() is not None or port_open(self.port),
                 20, "apache2 on port %d" % self.port)
        if self.proc.poll() is not None:
            raise RuntimeError("apache2 exited; see " + self.errlog)

    def stop(self):
        pid = self.proc.pid if self.proc else read_pid(self.pidfile)
        if pid is not None and pid_alive(pid):
            # SIGTERM: Apache stops its children, mod_fcgid its responders.
            stop_pid(pid, timeout=30)
        self.proc = None

    def base_url(self):
        return "http://127.0.0.1:%d" % self.port


def stop_child(proc, sig=signal.SIGTERM, timeout=15):
    """Signals a child of ours and reaps it through Popen, so that
    proc.returncode is its real exit status (SIGKILL after timeout)."""
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(sig)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


class SpawnFcgi:
    """A responder that spawn-fcgi starts on a Unix socket, for mod_proxy_fcgi
    and lighttpd's external socket.  -n keeps it in the foreground: spawn-fcgi
    execs the responder in its own process, so self.proc is the responder,
    whose exit status the tests collect, and its stderr is kept (forking,
    spawn-fcgi points it at /dev/null)."""

    def __init__(self, directory, config, binary=None, user=APACHE_USER):
        self.dir = make_dir(directory)
        self.config = config
        self.binary = binary or responder_path()
        self.user = user
        self.socket = os.path.join(self.dir, "oidc-secret.sock")
        self.errlog = os.path.join(self.dir, "responder.log")
        self.proc = None

    def start(self):
        self.stop()
        cmd = ["spawn-fcgi", "-n", "-s", self.socket, "-M", "0660"]
        if self.user:
            cmd += ["-u", self.user, "-U", self.user, "-G", self.user]
        cmd += ["--", self.binary]
        env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
               "OIDC_SECRET_CONFIG": self.config}
        if os.path.exists(self.socket):
            os.unlink(self.socket)
        self.proc = subprocess.Popen(
            cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=open(self.errlog, "a"), start_new_session=True)
        # The socket appears before spawn-fcgi listens, switches user and
        # execs the responder: wait for the responder itself.
        wait_for(lambda: self.proc.poll() is not None or (
            os.path.exists(self.socket) and self.execed()), 10,
            "spawn-fcgi socket " + self.socket)
        if self.proc.poll() is not None:
            raise RuntimeError("spawn-fcgi exited %d; see %s" % (
                self.proc.returncode, self.errlog))

    def execed(self):
        try:
            exe = os.readlink("/proc/%d/exe" % self.proc.pid)
        except OSError:
            return False
        return exe == os.path.realpath(self.binary)

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def wait(self, timeout=30):
        """The responder's exit status."""
        return self.proc.wait(timeout)

    def stop(self):
        stop_child(self.proc)


def unit_file(path):
    """A systemd unit as {section: [(key, value), ...]} (no line continuation
    or specifiers: the shipped units use neither)."""
    sections, current = {}, None
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line[0] in "#;":
                continue
            if line.startswith("[") and line.endswith("]"):
                current = sections.setdefault(line[1:-1], [])
            else:
                key, _, value = line.partition("=")
                current.append((key.strip(), value.strip()))
    return sections


class SocketUnits:
    """The shipped oidc-secret.socket + oidc-secret.service pair, started the
    way systemd starts them (no systemd runs here): the .socket's
    ListenStream bound with its SocketMode and handed to ExecStart's program
    as fd 0 (StandardInput=socket), under the .service's Environment=.  The
    socket path, the binary and OIDC_SECRET_CONFIG are the test's; User=,
    Group= and the sandboxing are left to systemd-analyze verify."""

    def __init__(self, directory, socket_unit, service_unit, config, binary=None):
        self.dir = make_dir(directory)
        self.socket_unit = unit_file(socket_unit)
        self.service_unit = unit_file(service_unit)
        self.config = config
        self.binary = binary or responder_path()
        self.socket = os.path.join(self.dir, "oidc-secret.sock")
        self.errlog = os.path.join(self.dir, "responder.log")
        self.proc = None

    def setting(self, unit, section, key):
        values = [v for k, v in unit.get(section, []) if k == key]
        return values[-1] if values else None

    def environment(self):
        env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}
        for k, v in self.service_unit.get("Service", []):
            if k == "Environment":
                name, _, value = v.strip('"').partition("=")
                env[name] = value
        env["OIDC_SECRET_CONFIG"] = self.config
        return env

    def start(self):
        self.stop()
        mode = int(self.setting(self.socket_unit, "Socket", "SocketMode") or "0666", 8)
        if os.path.exists(self.socket):
            os.unlink(self.socket)
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            listener.bind(self.socket)
            os.chmod(self.socket, mode)
            owner = self.setting(self.socket_unit, "Socket", "SocketUser")
            group = self.setting(self.socket_unit, "Socket", "SocketGroup")
            if owner or group:
                shutil.chown(self.socket, owner, group)
            listener.listen(int(self.setting(self.socket_unit, "Socket", "Backlog") or 128))
            # ExecStart's program with its arguments, the test's binary for it.
            argv = self.setting(self.service_unit, "Service", "ExecStart").split()
            argv[0] = self.binary
            # StandardInput=socket: fd 0 is the listening socket; anything
            # else would leave the responder a CGI program with no request.
            stdin = (listener.fileno() if self.setting(
                self.service_unit, "Service", "StandardInput") == "socket"
                else subprocess.DEVNULL)
            self.proc = subprocess.Popen(
                argv, env=self.environment(), stdin=stdin,
                stdout=subprocess.DEVNULL, stderr=open(self.errlog, "a"),
                start_new_session=True)
        finally:
            listener.close()

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def stop(self):
        # systemctl stop sends KillSignal (SIGTERM unless the unit says).
        sig = getattr(signal, self.setting(self.service_unit, "Service", "KillSignal")
                      or "SIGTERM")
        stop_child(self.proc, sig)


def shipped(*parts):
    """A file of the tree, used as it is shipped."""
    return os.path.join(ROOT, *parts)


def apache_fcgid(directory, port, config, procs=2, binary=None, log_level="warn",
                 extra_conf=""):
    """Apache with mod_fcgid and apache-conf/oidc-secret-fcgid.conf, verbatim;
    extra_conf follows it (test-only settings)."""
    d = make_dir(directory)
    binary = binary or install_responder(os.path.join(d, "bin"))
    ipc = make_dir(os.path.join(d, "fcgid"))
    shutil.chown(ipc, APACHE_USER, APACHE_USER)
    conf = "\n".join([
        "Define OIDC_SECRET_BIN %s" % binary,
        "Define OIDC_SECRET_CONFIG %s" % config,
        "Define OIDC_SECRET_PROCS %d" % procs,
        'FcgidIPCDir "%s"' % ipc,
        'FcgidProcessTableFile "%s"' % os.path.join(ipc, "shm"),
        'Include "%s"' % shipped("apache-conf", "oidc-secret-fcgid.conf"),
    ]) + "\n" + extra_conf
    return Apache(d, port, conf, modules=("alias", "fcgid"), log_level=log_level)


def apache_proxy_fcgi(directory, port, socket_path, log_level="warn"):
    """Apache with mod_proxy_fcgi and apache-conf/oidc-secret-proxy-fcgi.conf,
    verbatim, to a responder listening on socket_path."""
    conf = "\n".join([
        "Define OIDC_SECRET_SOCKET %s" % socket_path,
        'Include "%s"' % shipped("apache-conf", "oidc-secret-proxy-fcgi.conf"),
    ]) + "\n"
    return Apache(directory, port, conf, modules=("proxy", "proxy_fcgi"),
                  log_level=log_level)


def apache_cgi(directory, port, config, log_level="warn", site_files=None,
               htaccess_after=""):
    """Shared hosting: Apache (prefork, mod_cgi, mod_rewrite) whose document
    root allows .htaccess, as hosts do, and holds cgi-bin/'s files as an
    account uploads them; the responder and its configuration sit beside
    the document root, where oidc-secret.cgi looks for them.  Another
    application's files (site_files, name -> text) and .htaccess lines
    (htaccess_after, after the shipped ones) may share the root."""
    d = make_dir(directory)
    apache = Apache(d, port, "", modules=("cgi", "rewrite"), mpm="prefork",
                    log_level=log_level)
    docroot = os.path.join(d, "htdocs")
    private = make_dir(os.path.join(d, "oidc-secret"))
    install_responder(private)
    shutil.copy(config, os.path.join(private, "oidc-secret.conf"))
    os.chmod(os.path.join(private, "oidc-secret.conf"), 0o644)
    for name in (".htaccess", "oidc-secret.cgi"):
        shutil.copy(shipped("cgi-bin", name), os.path.join(docroot, name))
    os.chmod(os.path.join(docroot, "oidc-secret.cgi"), 0o755)
    if htaccess_after:
        with open(os.path.join(docroot, ".htaccess"), "a") as f:
            f.write("\n" + htaccess_after)
    for name, text in (site_files or {}).items():
        write_file(os.path.join(docroot, name), text)
    with open(apache.conf, "a") as f:
        f.write('<Directory "%s">\n    AllowOverride All\n    Require all granted\n'
                '</Directory>\n' % docroot)
    return apache


# --- Apache: the vhost-scoped mod_fcgid site, and a server's cgi-bin -----------

def apache_fcgid_vhost(directory, port, config, procs=2, binary=None,
                       log_level="warn"):
    """Apache with mod_fcgid and apache-conf/oidc-secret-fcgid-vhost.conf,
    verbatim, as a site of its own: OIDC_SECRET_SITE the loopback address,
    OIDC_SECRET_PORT the test's port (Debian's would be 80)."""
    d = make_dir(directory)
    binary = binary or install_responder(os.path.join(d, "bin"))
    ipc = make_dir(os.path.join(d, "fcgid"))
    shutil.chown(ipc, APACHE_USER, APACHE_USER)
    conf = "\n".join([
        'FcgidIPCDir "%s"' % ipc,
        'FcgidProcessTableFile "%s"' % os.path.join(ipc, "shm"),
        "Define OIDC_SECRET_SITE 127.0.0.1",
        "Define OIDC_SECRET_PORT %d" % port,
        "Define OIDC_SECRET_BIN %s" % binary,
        "Define OIDC_SECRET_CONFIG %s" % config,
        "Define OIDC_SECRET_PROCS %d" % procs,
        'Include "%s"' % shipped("apache-conf", "oidc-secret-fcgid-vhost.conf"),
    ]) + "\n"
    return Apache(d, port, conf, modules=("alias", "fcgid"), log_level=log_level)


# Debian's serve-cgi-bin.conf, where the apache2 package is not installed.
SERVE_CGI_BIN = "/etc/apache2/conf-available/serve-cgi-bin.conf"
SERVE_CGI_BIN_TEXT = """<IfModule mod_alias.c>
	<IfModule mod_cgi.c>
		Define ENABLE_USR_LIB_CGI_BIN
	</IfModule>

	<IfModule mod_cgid.c>
		Define ENABLE_USR_LIB_CGI_BIN
	</IfModule>

	<IfDefine ENABLE_USR_LIB_CGI_BIN>
		ScriptAlias /cgi-bin/ /usr/lib/cgi-bin/
		<Directory "/usr/lib/cgi-bin">
			AllowOverride None
			Options +ExecCGI -MultiViews +SymLinksIfOwnerMatch
			Require all granted
		</Directory>
	</IfDefine>
</IfModule>
"""


def apache_cgi_bin(directory, port, config, snippet=True, cgid=True,
                   log_level="warn"):
    """A server's cgi-bin as Debian sets it up (its serve-cgi-bin.conf, with
    only /usr/lib/cgi-bin replaced by a directory of ours), holding what
    make install-cgi puts there: the responder as oidc-secret.cgi and
    cgi-bin/.htaccess, which AllowOverride None leaves unread.  snippet:
    apache-conf/oidc-secret-cgi.conf included, verbatim.  mod_cgid under the
    event MPM (Debian's default), else mod_cgi under prefork.  The program
    would read $(sysconfdir)/oidc-secret.conf; SetEnv names the test's."""
    d = make_dir(directory)
    cgi_dir = make_dir(os.path.join(d, "cgi-bin"))
    install_responder(cgi_dir, "oidc-secret.cgi")
    shutil.copy(shipped("cgi-bin", ".htaccess"), os.path.join(cgi_dir, ".htaccess"))
    try:
        with open(SERVE_CGI_BIN) as f:
            serve = f.read()
    except OSError:
        serve = SERVE_CGI_BIN_TEXT
    lines = [serve.replace("/usr/lib/cgi-bin", cgi_dir),
             'SetEnv OIDC_SECRET_CONFIG "%s"' % config]
    if snippet:
        lines += ["Define OIDC_SECRET_CGI_DIR %s" % cgi_dir,
                  'Include "%s"' % shipped("apache-conf", "oidc-secret-cgi.conf")]
    apache = Apache(d, port, "\n".join(lines) + "\n",
                    modules=("alias", "env", "cgid" if cgid else "cgi"),
                    mpm="event" if cgid else "prefork", log_level=log_level)
    apache.cgi_dir = cgi_dir
    return apache
