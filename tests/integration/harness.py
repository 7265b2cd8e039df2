"""Shared fixture of the integration suite: one real MariaDB, real web servers.

The suite starts a private MariaDB and the web servers under a directory of
its own (OIDC_TEST_DIR, else a fresh one in /tmp: short socket paths, and
reachable by Apache's www-data), builds test data with unique IDs per test,
and talks HTTP to the servers exactly as a client would.  Nothing is mocked.
"""

import atexit
import datetime
import http.client as httpclient
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(HERE)), "scripts"))
import oidcstack as st  # noqa: E402

import argon2  # noqa: E402  (Debian's python3-argon2)
import bcrypt  # noqa: E402  (Debian's python3-bcrypt)
import pymysql  # noqa: E402  (Debian's python3-pymysql)

DATABASE = "oidc_secret_test"
DB_USER = "oidc_secret_test"
REST_PATH = "/management/v1/projects/%s/apps/%s/oidc_config/_generate_client_secret"
GRPC_PATH = "/zitadel.management.v1.ManagementService/RegenerateOIDCClientSecret"
API_PROJECT = st.DEMO["API_PROJECT_ID"]
DATE_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3}|\.\d{6}|\.\d{9})?Z$")
SECRET_RE = re.compile(r"^[A-Za-z0-9]{64}$")
ERROR_TYPE = "type.googleapis.com/zitadel.v1.ErrorDetail"

import errors_doc  # noqa: E402  (scripts/: src/errors.def, the one source)

# kind -> (gRPC code, ID, text, HTTP status, OAuth code, when).
ERROR_TABLE = {kind: (code, eid, text, http_, oauth, when) for
               _, kind, code, http_, eid, text, oauth, when in errors_doc.read()}
# kind -> (gRPC code, ID, text, HTTP status): what most tests compare.
ERRORS = {k: v[:4] for k, v in ERROR_TABLE.items()}


def error_body(kind):
    """The REST JSON error body (doc/errors.md) for an ERRORS kind."""
    code, eid, text, _ = ERRORS[kind]
    return {"code": code, "message": "%s (%s)" % (text, eid),
            "details": [{"@type": ERROR_TYPE, "id": eid, "message": text}]}


_ids = itertools.count(1)
_lock = threading.Lock()


def new_id(prefix="9"):
    """IDs unique within the run, shaped like ZITADEL's snowflakes."""
    with _lock:
        return "%s%d%06d" % (prefix, os.getpid() % 1000, next(_ids))


def now_utc():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # lowercase name -> value (last wins)
        self.header_list = None
        self.body = body

    def json(self):
        return json.loads(self.body)

    def header(self, name):
        return self.headers.get(name.lower())


def http(base_port, method, path, headers=None, body=b"", chunked=False,
         timeout=30, host="127.0.0.1"):
    """One HTTP/1.1 request; the body as given (bytes), or chunked."""
    conn = httpclient.HTTPConnection(host, base_port, timeout=timeout)
    try:
        hdrs = dict(headers or {})
        if isinstance(body, str):
            body = body.encode()
        if chunked:
            conn.putrequest(method, path, skip_accept_encoding=True)
            for k, v in hdrs.items():
                conn.putheader(k, v)
            conn.putheader("Transfer-Encoding", "chunked")
            conn.endheaders()
            for i in range(0, len(body), 7):
                piece = body[i:i + 7]
                conn.send(b"%x\r\n%s\r\n" % (len(piece), piece))
            conn.send(b"0\r\n\r\n")
        else:
            conn.request(method, path, body=body if body or method == "POST" else None,
                         headers=hdrs)
        r = conn.getresponse()
        data = r.read()
        resp = Response(r.status, {k.lower(): v for k, v in r.getheaders()}, data)
        resp.header_list = r.getheaders()
        return resp
    finally:
        conn.close()


def raw_http(port, data, timeout=10):
    """Sends bytes as they are; returns the raw response bytes."""
    import socket
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        chunks = []
        while True:
            try:
                c = s.recv(65536)
            except socket.timeout:
                break
            if not c:
                break
            chunks.append(c)
        return b"".join(chunks)


def argon2_verify(secret, encoded):
    try:
        return argon2.PasswordHasher().verify(encoded, secret)
    except argon2.exceptions.VerificationError:
        return False


def verify_hash(secret, encoded):
    """secret against a stored hash of either format the responder writes,
    by a library that shares nothing with ours: argon2-cffi for $argon2id$
    and $argon2i$, pyca/bcrypt for $2a$, $2b$ and $2y$."""
    if encoded.startswith("$argon2"):
        return argon2_verify(secret, encoded)
    if re.match(r"^\$2[aby]\$\d\d\$", encoded):
        return bcrypt.checkpw(secret.encode(), encoded.encode())
    raise ValueError("not a hash the responder writes: %.7s..." % encoded)


def php_verify(secret, encoded):
    """PHP's password_verify: an implementation that shares nothing with ours."""
    code = ('$s = stream_get_contents(STDIN); $p = explode("\\n", $s, 2);'
            'exit(password_verify($p[0], $p[1]) ? 0 : 1);')
    r = subprocess.run(["php", "-r", code], input="%s\n%s" % (secret, encoded),
                       capture_output=True, text=True)
    if r.returncode not in (0, 1):
        raise RuntimeError("php: " + r.stderr)
    return r.returncode == 0


def quick_hash(secret):
    """An argon2id hash of secret that is cheap to verify (tests only)."""
    return argon2.PasswordHasher(time_cost=1, memory_cost=64, parallelism=1).hash(secret)


class Env:
    """The run's services and the helpers tests use to make data."""

    def __init__(self):
        base = os.environ.get("OIDC_TEST_DIR")
        self.owned = base is None
        self.dir = base or tempfile.mkdtemp(prefix="oidc-secret-test-")
        st.make_dir(self.dir)
        self.db = st.MariaDB(os.path.join(self.dir, "mysql"))
        self.password = st.random_password()
        self.servers = {}
        self.secrets_seen = set()   # every secret and token the run handled
        self.db.start()
        self.config = st.responder_config(
            os.path.join(self.dir, "oidc-secret.conf"), self.db, DATABASE,
            DB_USER, self.password, log_level="info")
        st.setup_database(self.db, DATABASE, DB_USER, self.password, self.config)
        self.conn = pymysql.connect(unix_socket=self.db.socket, user="root",
                                    database=DATABASE, autocommit=True,
                                    charset="utf8mb4")
        self.conn_lock = threading.Lock()

    # --- servers --------------------------------------------------------

    def config_with(self, name, **settings):
        """A responder configuration differing from the default in settings."""
        settings.setdefault("log_level", "info")
        return st.responder_config(
            os.path.join(self.dir, "oidc-secret-%s.conf" % name), self.db,
            DATABASE, DB_USER, self.password, **settings)

    def lighttpd(self, name="default", procs=2, config=None, **settings):
        """A running lighttpd (bin-path) whose responders use config."""
        if name in self.servers:
            return self.servers[name]
        if config is None:
            config = self.config_with(name, **settings) if settings else self.config
        web = st.Lighttpd(os.path.join(self.dir, "lighttpd-" + name),
                          st.free_port(), config, procs=procs)
        web.start()
        self.servers[name] = web
        return web

    # --- deployments: each shipped server configuration -----------------

    def server(self, name):
        """The running server called name: a deployment mode below, else a
        lighttpd (bin-path) with the default configuration."""
        if name in self.servers:
            return self.servers[name]
        modes = {
            "apache-fcgid": self.apache_fcgid,
            "apache-fcgid-vhost": self.apache_fcgid_vhost,
            "apache-proxy-fcgi": self.apache_proxy_fcgi,
            "apache-cgi": self.apache_cgi,
            "apache-cgi-bin": self.apache_cgi_bin,
            "lighttpd-socket": self.lighttpd_socket,
        }
        return modes[name](name) if name in modes else self.lighttpd(name)

    def _config_for(self, name, config, settings):
        if config is None:
            config = self.config_with(name, **settings) if settings else self.config
        return config

    def _start(self, name, web, responder=None):
        """Starts responder (if any) then web; both stop with the run."""
        try:
            if responder is not None:
                responder.start()
                self.servers[name + ".responder"] = responder
            web.start()
        except Exception:
            if responder is not None:
                responder.stop()
            raise
        web.responder = responder
        self.servers[name] = web
        return web

    def spawn_fcgi(self, name, config=None, **settings):
        """A responder started by spawn-fcgi (not yet started)."""
        d = st.make_dir(os.path.join(self.dir, name, "responder"))
        return st.SpawnFcgi(d, self._config_for(name, config, settings),
                            binary=st.install_responder(d))

    def apache_fcgid(self, name="apache-fcgid", procs=2, config=None, **settings):
        """Apache + mod_fcgid with apache-conf/oidc-secret-fcgid.conf."""
        if name in self.servers:
            return self.servers[name]
        web = st.apache_fcgid(os.path.join(self.dir, name), st.free_port(),
                              self._config_for(name, config, settings), procs=procs)
        return self._start(name, web)

    def apache_proxy_fcgi(self, name="apache-proxy-fcgi", config=None, **settings):
        """Apache + mod_proxy_fcgi with apache-conf/oidc-secret-proxy-fcgi.conf,
        to a responder spawn-fcgi started."""
        if name in self.servers:
            return self.servers[name]
        responder = self.spawn_fcgi(name, config, **settings)
        web = st.apache_proxy_fcgi(os.path.join(self.dir, name), st.free_port(),
                                   responder.socket)
        return self._start(name, web, responder)

    def apache_cgi(self, name="apache-cgi", config=None, **settings):
        """Apache + mod_cgi, set up by cgi-bin/.htaccess and oidc-secret.cgi."""
        if name in self.servers:
            return self.servers[name]
        web = st.apache_cgi(os.path.join(self.dir, name), st.free_port(),
                            self._config_for(name, config, settings))
        return self._start(name, web)

    def apache_fcgid_vhost(self, name="apache-fcgid-vhost", config=None, **settings):
        """Apache + mod_fcgid with apache-conf/oidc-secret-fcgid-vhost.conf."""
        if name in self.servers:
            return self.servers[name]
        web = st.apache_fcgid_vhost(os.path.join(self.dir, name), st.free_port(),
                                    self._config_for(name, config, settings))
        return self._start(name, web)

    def apache_cgi_bin(self, name="apache-cgi-bin", config=None, snippet=True,
                       cgid=False, **settings):
        """Apache + mod_cgi (cgid: mod_cgid) and a cgi-bin as Debian has it,
        with apache-conf/oidc-secret-cgi.conf (snippet) or without."""
        if name in self.servers:
            return self.servers[name]
        web = st.apache_cgi_bin(os.path.join(self.dir, name), st.free_port(),
                                self._config_for(name, config, settings),
                                snippet=snippet, cgid=cgid)
        return self._start(name, web)

    def lighttpd_socket(self, name="lighttpd-socket", responder=None, config=None,
                        **settings):
        """lighttpd with lighttpd-conf/oidc-secret-socket.conf, to a responder
        spawn-fcgi started (or the one given, e.g. st.SocketUnits)."""
        if name in self.servers:
            return self.servers[name]
        responder = responder or self.spawn_fcgi(name, config, **settings)
        web = st.Lighttpd(os.path.join(self.dir, name), st.free_port(), self.config,
                          include=st.shipped("lighttpd-conf", "oidc-secret-socket.conf"),
                          extra_vars={"oidc_secret_socket": responder.socket})
        return self._start(name, web, responder)

    def stop(self):
        for web in self.servers.values():
            try:
                web.stop()
            except Exception as e:  # keep stopping the rest
                print("stopping %s: %s" % (web, e), file=sys.stderr)
        self.servers.clear()
        try:
            self.conn.close()
        except Exception:
            pass
        self.db.stop()

    def logs(self):
        """Every log file of the run, as text."""
        out = {}
        for root, _, files in os.walk(self.dir):
            if "data" in root.split(os.sep):
                continue
            for f in files:
                if f.endswith((".log", ".err", ".stderr")) or "error" in f:
                    p = os.path.join(root, f)
                    with open(p, errors="replace") as fh:
                        out[p] = fh.read()
        return out

    # --- database -------------------------------------------------------

    def q(self, sql, *args):
        with self.conn_lock:
            with self.conn.cursor() as c:
                c.execute(sql, args)
                rows = c.fetchall()
        return [tuple(v.decode() if isinstance(v, (bytes, bytearray)) else v
                      for v in row) for row in rows]

    def q1(self, sql, *args):
        rows = self.q(sql, *args)
        return rows[0] if rows else None

    def snapshot(self):
        """What a request or an admin command could change: compared before
        and after errors."""
        return {
            "projects": self.q("SELECT id, sequence, change_date FROM projects ORDER BY id"),
            "apps": self.q("SELECT id, change_date FROM apps ORDER BY id"),
            "oidc": self.q("SELECT app_id, client_secret_hash, secret_change_date"
                           " FROM oidc_configs ORDER BY app_id"),
            "api_configs": self.q("SELECT app_id, client_secret_hash, secret_change_date"
                                  " FROM api_configs ORDER BY app_id"),
            "events": self.q("SELECT COUNT(*), COALESCE(MAX(id), 0) FROM events"),
            "tokens": self.q("SELECT token_sha256, revoked_at FROM access_tokens"
                             " ORDER BY token_sha256"),
            "machines": self.q("SELECT id, sequence, change_date, secret_hash,"
                               " previous_secret_hash, previous_secret_until"
                               " FROM users WHERE user_type = 'machine' ORDER BY id"),
            "keys": self.q("SELECT id, user_id, public_key FROM machine_keys"
                           " ORDER BY id"),
            "memberships": self.q("SELECT user_id, scope, scope_id, role FROM memberships"
                                  " ORDER BY user_id, scope, scope_id, role"),
            "role_permissions": self.q("SELECT * FROM role_permissions"
                                       " ORDER BY role, permission"),
        }

    def org(self, state="active"):
        oid = new_id("1")
        self.q("INSERT INTO orgs (id, name, state, creation_date, change_date)"
               " VALUES (%s, %s, %s, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))",
               oid, "org " + oid, state)
        return oid

    def user(self, org, state="active", roles=()):
        """roles: (scope, scope_id, role) triples."""
        uid = new_id("2")
        self.q("INSERT INTO users (id, resource_owner, username, state)"
               " VALUES (%s, %s, %s, %s)", uid, org, "user" + uid, state)
        for scope, scope_id, role in roles:
            self.grant(uid, scope, scope_id, role)
        return uid

    def grant(self, user, scope, scope_id, role):
        self.q("INSERT INTO memberships (user_id, scope, scope_id, role)"
               " VALUES (%s, %s, %s, %s)", user, scope, scope_id, role)

    def project(self, org, state="active", sequence=1, pid=None):
        pid = pid or new_id("3")
        self.q("INSERT INTO projects (id, resource_owner, name, state, sequence,"
               " creation_date, change_date) VALUES (%s, %s, %s, %s, %s,"
               " UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))",
               pid, org, "project " + pid, state, sequence)
        return pid

    def app(self, project, app_type="oidc", state="active", auth_method="basic",
            created="2026-11-27 10:11:12.123456", aid=None, with_config=True):
        aid = aid or new_id("4")
        self.q("INSERT INTO apps (id, project_id, name, app_type, state,"
               " creation_date, change_date) VALUES (%s, %s, %s, %s, %s, %s, %s)",
               aid, project, "app " + aid, app_type, state, created, created)
        if app_type == "oidc" and with_config:
            self.q("INSERT INTO oidc_configs (app_id, client_id, auth_method)"
                   " VALUES (%s, %s, %s)", aid, aid + "@test", auth_method)
        if app_type == "api" and with_config:
            self.q("INSERT INTO api_configs (app_id, client_id, auth_method)"
                   " VALUES (%s, %s, 'basic')", aid, aid)
        return aid

    def token(self, user, token_type="access", audience=API_PROJECT,
              expires_in=3600, revoked=False):
        tok = "t" + st.random_password()
        self.secrets_seen.add(tok)
        self.q("INSERT INTO access_tokens (token_sha256, user_id, token_type,"
               " audience, scopes, expires_at, revoked_at, creation_date)"
               " VALUES (%s, %s, %s, %s, 'openid',"
               " UTC_TIMESTAMP(6) + INTERVAL %s SECOND, %s, UTC_TIMESTAMP(6))",
               st.sha256_hex(tok), user, token_type, audience, expires_in,
               now_utc() if revoked else None)
        return tok

    def world(self, role="ORG_OWNER"):
        """An org, its owner (with role at org scope), a project, an OIDC app, a token."""
        w = type("World", (), {})()
        w.org = self.org()
        w.user = self.user(w.org, roles=[("org", w.org, role)] if role else [])
        w.project = self.project(w.org)
        w.app = self.app(w.project)
        w.api_app = self.app(w.project, app_type="api")
        w.token = self.token(w.user)
        return w

    def stored_hash(self, app):
        row = self.q1("SELECT client_secret_hash FROM oidc_configs WHERE app_id = %s", app)
        return row[0] if row else None

    def sequence(self, project):
        return self.q1("SELECT sequence FROM projects WHERE id = %s", project)[0]

    # --- machine users (service accounts) ---------------------------------

    def machine(self, org, state="active", secret=None, name=None):
        """A machine user of org, its username also its client_id; with a
        secret, its hash stored (a cheap argon2id: the responder verifies
        either format, whatever it writes itself)."""
        uid = new_id("5")
        name = name or "svc" + uid
        self.q("INSERT INTO users (id, resource_owner, username, state, user_type,"
               " creation_date, change_date) VALUES (%s, %s, %s, %s, 'machine',"
               " UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))", uid, org, name, state)
        if secret is not None:
            self.secrets_seen.add(secret)
            self.q("UPDATE users SET secret_hash = %s, secret_change_date ="
                   " UTC_TIMESTAMP(6) WHERE id = %s", quick_hash(secret), uid)
        return uid

    def machine_state(self, user):
        """(secret_hash, previous_secret_hash, sequence) of a machine user."""
        return self.q1("SELECT secret_hash, previous_secret_hash, sequence FROM users"
                       " WHERE id = %s", user)

    def machine_keys(self, user):
        return self.q("SELECT id, public_key, expiration_date FROM machine_keys"
                      " WHERE user_id = %s ORDER BY id", user)

    def user_events(self, user):
        return self.q("SELECT sequence, event_type, payload, editor_user FROM events"
                      " WHERE aggregate_type = 'user' AND aggregate_id = %s"
                      " ORDER BY sequence", user)


ENV = None


def env():
    """The run's Env, started at first use and stopped at exit."""
    global ENV
    if ENV is None:
        ENV = Env()
        atexit.register(_shutdown)
    return ENV


def _shutdown():
    if ENV is not None:
        ENV.stop()
        if ENV.owned and os.environ.get("OIDC_TEST_KEEP") != "1":
            keep = os.path.join(st.ROOT, "var", "test-logs")
            shutil.rmtree(keep, ignore_errors=True)
            os.makedirs(keep, exist_ok=True)
            for path, text in ENV.logs().items():
                name = os.path.relpath(path, ENV.dir).replace(os.sep, "_")
                with open(os.path.join(keep, name), "w") as f:
                    f.write(text)
            shutil.rmtree(ENV.dir, ignore_errors=True)


def rest(port, project, app, token=None, org=None, body=b"{}", method="POST",
         headers=None, chunked=False, content_type="application/json", path=None):
    h = {}
    if content_type is not None:
        h["Content-Type"] = content_type
    h["Accept"] = "application/json"
    if token is not None:
        h["Authorization"] = "Bearer " + token
    if org is not None:
        h["x-zitadel-orgid"] = org
    h.update(headers or {})
    return http(port, method, path or REST_PATH % (project, app), h, body, chunked=chunked)
