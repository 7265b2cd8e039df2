# SPDX-License-Identifier: Apache-2.0
"""installcheck: the install paths of the README, tested as a user takes them.

    /usr/bin/python3 scripts/installcheck.py bundle TARBALL   (scripts/test-bundle)
    /usr/bin/python3 scripts/installcheck.py deb DEBFILE [LINTIAN_JSON]    (scripts/test-deb)

bundle: the CGI bundle unpacked, as INSTALL.txt says, into a fresh Debian 11
root (debootstrap minbase and Apache, cached in var/bundle/cache/) that
holds none of the libraries the programs link; Apache runs inside that root
with mod_cgi and mod_rewrite and the bundle's .htaccess, as a shared host
does; the test MariaDB runs on this machine, on TCP on loopback.

deb: the package installed on this machine with apt-get, its mod_fcgid
configuration enabled with a2enconf, Apache started with the packaged files
(its own ServerRoot and port on loopback), then the package purged.

Both run oidc-secret-admin migrate and token issue against the test
MariaDB, then the REST success case (checked in the database and with PHP's
password_verify) and three error cases (status, JSON body, database
unchanged).  One line per check, and last "N passed, N failed".
Python 3 standard library only; php-cli and the MariaDB server from Debian.
"""

import http.client as httpclient
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oidcstack as st  # noqa: E402

DATABASE = "oidc_secret"
DB_USER = "oidc_secret"
REST_PATH = "/management/v1/projects/%s/apps/%s/oidc_config/_generate_client_secret"
ERROR_TYPE = "type.googleapis.com/zitadel.v1.ErrorDetail"
SECRET_RE = re.compile(r"^[A-Za-z0-9]{64}$")
# What the REST error cases answer: (HTTP status, gRPC code, ID, text).
ERRORS = {
    "auth_missing": (401, 16, "AUTH-7fs1e", "auth header missing"),
    "token_invalid": (401, 16, "AUTH-7fs1e", "Token is invalid"),
    "app_not_found": (404, 5, "COMMAND-2g66f", "Application doesn't exist"),
    "body_too_large": (413, 3, "OSF-RQ413", "request body too large"),
}
# The libraries the programs link; none may be in the bundle test's root.
LIBRARY_PACKAGES = ("libfcgi0ldbl", "libjson-c5", "libmariadb3",
                    "libgcrypt20", "libgpg-error0")
LIBRARY_FILES = re.compile(r"^lib(fcgi|json-c|mariadb|mysqlclient|protobuf-c|gcrypt|gpg-error)\.so")
GLIBC = re.compile(r"^(linux-vdso\.so\.1|/lib64/ld-linux-x86-64\.so\.2|"
                   r"lib(c|m|dl|pthread|rt|resolv)\.so\.\d+)$")


def error_body(kind):
    _, code, eid, text = ERRORS[kind]
    return {"code": code, "message": "%s (%s)" % (text, eid),
            "details": [{"@type": ERROR_TYPE, "id": eid, "message": text}]}


class Checks:
    def __init__(self):
        self.passed = self.failed = 0

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
            print("ok   %s" % name, flush=True)
        else:
            self.failed += 1
            print("FAIL %s%s" % (name, ": " + detail if detail else ""), flush=True)
        return ok

    def line(self):
        return "%d passed, %d failed" % (self.passed, self.failed)


def run(cmd, **kw):
    kw.setdefault("capture_output", True)
    kw.setdefault("text", True)
    return subprocess.run(cmd, **kw)


def http(port, method, path, headers=None, body=b""):
    conn = httpclient.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


def php_verify(secret, encoded):
    code = ('$s = stream_get_contents(STDIN); $p = explode("\\n", $s, 2);'
            'exit(password_verify($p[0], $p[1]) ? 0 : 1);')
    r = run(["php", "-r", code], input="%s\n%s" % (secret, encoded))
    if r.returncode not in (0, 1):
        raise RuntimeError("php: " + r.stderr)
    return r.returncode == 0


def state(db, app):
    """What a regeneration changes, read as root."""
    rows = db.sql("SELECT p.sequence, o.client_secret_hash, "
                  "(SELECT COUNT(*) FROM events), (SELECT COALESCE(MAX(id), 0) FROM events) "
                  "FROM oidc_configs o JOIN apps a ON a.id = o.app_id "
                  "JOIN projects p ON p.id = a.project_id WHERE o.app_id = '%s'" % app,
                  DATABASE)
    seq, hashed, n_events, last = rows[0]
    return {"sequence": int(seq), "hash": None if hashed == "NULL" else hashed,
            "events": int(n_events), "last_event": int(last)}


def version_lines(c, what, out, tls=r"(OpenSSL|GnuTLS) \d"):
    """The first line names the program and the version; then one line per
    linked library, the TLS library the MySQL client uses (tls: what its
    line must match) and zlib among them."""
    lines = out.strip().splitlines()
    c.check("%s --version names the package version" % what,
            bool(lines) and re.search(r"\b\d+\.\d+\.\d+", lines[0]) is not None, out)
    c.check("%s --version lists libgcrypt 1.10+" % what,
            any(re.match(r"^libgcrypt 1\.1[0-9]", x) for x in lines), out)
    c.check("%s --version lists MariaDB Connector/C" % what,
            any(re.match(r"^MariaDB Connector/C \d", x) for x in lines), out)
    c.check("%s --version lists the MySQL client's TLS library" % what,
            any(re.match("^" + tls, x) for x in lines), out)
    c.check("%s --version lists zlib" % what,
            any(re.match(r"^zlib \d+\.\d+", x) for x in lines), out)
    return lines


def rest_cases(c, port, db, token, ids, prefix="", too_large=None):
    """The REST success case and three error cases through the server on
    port.  too_large: also the body over the server's limit (bytes)."""
    path = REST_PATH % (ids["PROJECT_ID"], ids["APP_ID"])
    good = {"Content-Type": "application/json", "Accept": "application/json",
            "Authorization": "Bearer " + token}

    status, _, body = http(port, "GET", prefix + "/debug/healthz")
    c.check("GET /debug/healthz is 200 ok", (status, body.strip()) == (200, b"ok"),
            "%s %r" % (status, body[:200]))

    before = state(db, ids["APP_ID"])
    status, headers, body = http(port, "POST", prefix + path, good, b"{}")
    after = state(db, ids["APP_ID"])
    try:
        answer = json.loads(body)
    except ValueError:
        answer = {}
    secret = answer.get("clientSecret", "")
    details = answer.get("details", {})
    c.check("success: 200, application/json, a 64-character secret",
            status == 200 and headers.get("content-type", "").startswith("application/json")
            and SECRET_RE.match(secret) is not None,
            "%s %s" % (status, body[:300]))
    c.check("success: no-store headers",
            headers.get("cache-control") == "no-store" and headers.get("pragma") == "no-cache",
            str(headers))
    c.check("success: details carry the new sequence and the owner",
            details.get("sequence") == str(before["sequence"] + 1)
            and details.get("resourceOwner") == ids["ORG_ID"], json.dumps(details))
    c.check("success: the database has the new sequence, one event, a bcrypt hash "
            "(cost 4, the default)",
            after["sequence"] == before["sequence"] + 1
            and after["events"] == before["events"] + 1
            and (after["hash"] or "").startswith("$2b$04$"),
            "before %s, after %s" % (before, {k: v for k, v in after.items() if k != "hash"}))
    ev = db.sql("SELECT event_type, JSON_VALUE(payload, '$.appId'), "
                "JSON_VALUE(payload, '$.hashedSecret') = o.client_secret_hash "
                "FROM events e JOIN oidc_configs o ON o.app_id = '%s' WHERE e.id = %d"
                % (ids["APP_ID"], after["last_event"]), DATABASE)
    c.check("success: the event names the app and holds the stored hash",
            ev == [["project.application.config.oidc.secret.changed", ids["APP_ID"], "1"]],
            str(ev))
    c.check("success: PHP password_verify accepts the secret for the stored hash",
            bool(secret) and after["hash"] is not None and php_verify(secret, after["hash"]))
    c.check("success: PHP password_verify refuses another secret",
            after["hash"] is not None and not php_verify(secret[::-1] + "x", after["hash"]))

    cases = [
        ("no Authorization header", "auth_missing",
         {k: v for k, v in good.items() if k != "Authorization"}, path, b"{}"),
        ("an unknown token", "token_invalid",
         dict(good, Authorization="Bearer " + "x" * 43), path, b"{}"),
        ("an app that does not exist", "app_not_found", good,
         REST_PATH % (ids["PROJECT_ID"], "404" + ids["APP_ID"]), b"{}"),
    ]
    for name, kind, headers, p, payload in cases:
        before = state(db, ids["APP_ID"])
        status, h, body = http(port, "POST", prefix + p, headers, payload)
        try:
            answer = json.loads(body)
        except ValueError:
            answer = None
        c.check("error, %s: %d and the JSON error body" % (name, ERRORS[kind][0]),
                status == ERRORS[kind][0] and answer == error_body(kind)
                and h.get("content-type", "").startswith("application/json"),
                "%s %r" % (status, body[:300]))
        c.check("error, %s: the database is unchanged" % name,
                state(db, ids["APP_ID"]) == before)

    if too_large is not None:
        # Sent with its Content-Length and only part of the body: the
        # server refuses on the header, before reading.
        before = state(db, ids["APP_ID"])
        head = ("POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                "Authorization: Bearer %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n"
                % (prefix + path, token, too_large)).encode()
        raw = b""
        with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
            s.sendall(head + b"{" + b" " * 4096)
            try:
                while True:
                    piece = s.recv(65536)
                    if not piece:
                        break
                    raw += piece
            except (ConnectionResetError, socket.timeout):
                pass
        head_text, _, body = raw.partition(b"\r\n\r\n")
        status_line = head_text.split(b"\r\n", 1)[0].decode(errors="replace")
        ctype = re.search(rb"(?im)^content-type:\s*([^\r\n;]+)", head_text)
        try:
            answer = json.loads(body)
        except ValueError:
            answer = None
        c.check("a body over FcgidMaxRequestLen: 413 with the JSON error body",
                status_line.split(" ")[1:2] == ["413"] and answer == error_body("body_too_large")
                and ctype is not None and ctype.group(1) == b"application/json",
                raw[:400].decode(errors="replace"))
        c.check("a body over FcgidMaxRequestLen: the database is unchanged",
                state(db, ids["APP_ID"]) == before)
    return secret


def start_database(directory, tcp=False, sock=None):
    """The test MariaDB: its socket (sock, or one in directory), and on tcp
    also a loopback port."""
    db = st.MariaDB(directory)
    if sock is not None:
        # sun_path holds 108 bytes.
        if len(sock) > 100:
            raise RuntimeError("socket path too long: %s" % sock)
        os.makedirs(os.path.dirname(sock), mode=0o755, exist_ok=True)
        db.socket = sock
    extra = []
    if tcp:
        db.port = st.free_port()
        extra = ["--skip-networking=0", "--bind-address=127.0.0.1", "--port=%d" % db.port]
    db.start(extra)
    return db


def create_database(db, password, host):
    db.sql("CREATE DATABASE IF NOT EXISTS `%s` CHARACTER SET utf8mb4;\n"
           "CREATE USER IF NOT EXISTS '%s'@'%s' IDENTIFIED BY '%s';\n"
           "GRANT ALL ON `%s`.* TO '%s'@'%s';\n" % (
               DATABASE, DB_USER, host, password, DATABASE, DB_USER, host))


def set_keys(path, values):
    """Edits a configuration as an operator does: each key's line (commented
    out or not) gets the value; the file keeps its mode and owner."""
    with open(path) as f:
        lines = f.read().splitlines()
    done = set()
    for i, line in enumerate(lines):
        m = re.match(r"^#?\s*([a-z0-9_]+)\s*=", line)
        if m and m.group(1) in values and m.group(1) not in done:
            lines[i] = "%s = %s" % (m.group(1), values[m.group(1)])
            done.add(m.group(1))
    lines += ["%s = %s" % kv for kv in values.items() if kv[0] not in done]
    with open(path, "r+") as f:
        f.write("\n".join(lines) + "\n")
        f.truncate()


# --- the bundle --------------------------------------------------------------

# bundle/security-floor: "<source package> <minimum Debian version or -> <what
# it fixes>"; VERSIONS.txt: "- <source package> <Debian version>: <how>",
# one row per source package the linker took an archive of.
FLOOR = os.path.join(st.ROOT, "bundle", "security-floor")
MANIFEST_ROW = re.compile(r"^- (\S+) (\S+): (.+)$")
# What the bundle links, whatever else comes: their rows must be there.
BUNDLED = ("libfcgi", "json-c", "libgcrypt20", "libgpg-error", "mariadb", "openssl",
           "zlib", "libxcrypt")
# --version's line of a library that tells its version at run time, and the
# source package it comes from.
RUNTIME_VERSIONS = (("libgcrypt", "libgcrypt20"), ("libgpg-error", "libgpg-error"),
                    ("json-c", "json-c"),
                    ("OpenSSL", "openssl"), ("zlib", "zlib"))


def dpkg_ge(a, b):
    return run(["dpkg", "--compare-versions", a, "ge", b]).returncode == 0


def upstream_version(version):
    """The upstream part of a Debian version: no epoch, no Debian revision,
    no repack suffix (1:1.2.11.dfsg-2+deb11u2 gives 1.2.11)."""
    v = version.split(":", 1)[-1]
    if "-" in v:
        v = v.rsplit("-", 1)[0]
    return re.sub(r"[.+~](dfsg|ds)[0-9]*$", "", v)


def read_floor(path):
    rows = {}
    with open(path) as f:
        for line in f:
            if line.strip() and not line.lstrip().startswith("#"):
                pkg, minimum, fixes = (line.split(None, 2) + [""])[:3]
                rows[pkg] = (minimum, fixes.strip())
    return rows


def read_manifest(text):
    rows = {}
    for line in text.splitlines():
        m = MANIFEST_ROW.match(line)
        if m:
            rows[m.group(1)] = (m.group(2), m.group(3))
    return rows


def check_versions(c, tarball, work, admin_version):
    """VERSIONS.txt against bundle/security-floor and against what the
    programs say at run time; scripts/bundle --check-versions, which the
    build runs, passes it and refuses a table it does not meet."""
    name = os.path.basename(tarball)[:-len(".tar.gz")]
    r = run(["tar", "-xzOf", tarball, name + "/VERSIONS.txt"])
    text = r.stdout if r.returncode == 0 else ""
    manifest = read_manifest(text)
    c.check("VERSIONS.txt has a row for each bundled library (%s)" % ", ".join(BUNDLED),
            all(p in manifest for p in BUNDLED), text)
    floor = read_floor(FLOOR)
    for pkg in sorted(floor):
        minimum, fixes = floor[pkg]
        if minimum == "-" or pkg not in manifest and pkg not in BUNDLED:
            continue
        have = manifest.get(pkg, ("(none)",))[0]
        c.check("VERSIONS.txt: %s %s or newer (%s)" % (pkg, minimum, fixes.split(" ")[0]),
                pkg in manifest and dpkg_ge(have, minimum), "the bundle has %s" % have)
    c.check("every library in VERSIONS.txt has a row in bundle/security-floor",
            bool(manifest) and all(p in floor for p in manifest),
            " ".join(p for p in manifest if p not in floor))
    r = run(["tar", "-xzOf", tarball, name + "/LICENSE"])
    with open(COMMON_LICENSES) as f:
        c.check("the bundle holds LICENSE, the Apache License 2.0",
                r.returncode == 0 and r.stdout == f.read(), r.stderr)
    r = run(["tar", "-xzOf", tarball, name + "/THIRD-PARTY.txt"])
    heads = re.findall(r"(?m)^==== (\S+) (\S+) \(.*\) ====$", r.stdout)
    c.check("THIRD-PARTY.txt: the notices of each library VERSIONS.txt names",
            bool(manifest) and sorted(heads) == sorted((p, v[0]) for p, v in manifest.items())
            and "OpenSSL" in r.stdout and "Free Software Foundation" in r.stdout,
            "%s %s" % (heads, r.stderr))
    for line, pkg in RUNTIME_VERSIONS:
        said = [x.split()[1] for x in admin_version if x.startswith(line + " ") and len(x.split()) > 1]
        want = upstream_version(manifest[pkg][0]) if pkg in manifest else "(none)"
        c.check("--version's %s is the copy VERSIONS.txt names (%s)" % (line, want),
                said == [want], "--version says %s" % said)

    bundle = os.path.join(st.ROOT, "scripts", "bundle")
    path = os.path.join(work, "VERSIONS.txt")
    st.write_file(path, text)
    r = run([bundle, "--check-versions", path])
    c.check("scripts/bundle --check-versions accepts the bundle", r.returncode == 0,
            r.stdout + r.stderr)
    with open(FLOOR) as f:
        table = f.read()
    raised = re.sub(r"(?m)^libfcgi\s+\S+", "libfcgi 99:0", table)
    st.write_file(os.path.join(work, "floor-raised"), raised)
    r = run([bundle, "--check-versions", path, os.path.join(work, "floor-raised")])
    c.check("scripts/bundle --check-versions refuses a libfcgi below the table's minimum",
            raised != table and r.returncode == 1 and "libfcgi" in r.stderr,
            "%d %s" % (r.returncode, r.stderr))
    st.write_file(os.path.join(work, "floor-short"), re.sub(r"(?m)^zlib\s.*\n", "", table))
    r = run([bundle, "--check-versions", path, os.path.join(work, "floor-short")])
    c.check("scripts/bundle --check-versions refuses a library the table has no row for",
            r.returncode == 1 and "zlib" in r.stderr, "%d %s" % (r.returncode, r.stderr))

TEST_ROOT_TAR = os.path.join(st.ROOT, "var", "bundle", "cache", "test-root.tar")
SITE_UID = 2000


def in_root(root, script, user=None, stdin=None, env=None):
    """Runs a shell script inside the root, as user (uid) or root."""
    cmd = ["chroot"]
    if user is not None:
        cmd.append("--userspec=%d:%d" % (user, user))
    e = {"PATH": "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", "LANG": "C.UTF-8",
         "HOME": "/home/site" if user is not None else "/root"}
    e.update(env or {})
    cmd += [root, "/usr/bin/env", "-i"] + ["%s=%s" % kv for kv in e.items()]
    cmd += ["/bin/sh", "-ec", script]
    return run(cmd, input=stdin)


def test_bundle(c, tarball):
    tarball = os.path.abspath(tarball)
    work = os.path.join(st.ROOT, "var", "bundle", "test")
    root = os.path.join(work, "root")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(root)
    subprocess.run(["tar", "-C", root, "-xf", TEST_ROOT_TAR], check=True)

    # None of the libraries is in the root.
    installed = [p for p in LIBRARY_PACKAGES
                 if "install ok installed" in in_root(
                     root, "dpkg-query -W -f='${Status}' %s 2>/dev/null || true" % p).stdout]
    c.check("the root has none of the library packages (%s)" % ", ".join(LIBRARY_PACKAGES),
            not installed, " ".join(installed))
    found = []
    for d, _, files in os.walk(root):
        found += [os.path.join(d, f) for f in files if LIBRARY_FILES.match(f)]
    c.check("the root has no file of those libraries", not found, " ".join(found[:5]))
    glibc = in_root(root, "ldd --version | head -n 1").stdout.split()[-1:]
    c.check("the root is Debian 11 (glibc 2.31)", glibc == ["2.31"], str(glibc))

    # As INSTALL.txt says: an account "site", its web root public_html.
    in_root(root, "useradd -m -u %d -U -s /bin/sh site && mkdir -p /home/site/public_html "
            "&& chown site:site /home/site/public_html" % SITE_UID)
    shutil.copy(tarball, os.path.join(root, "home", "site"))
    name = os.path.basename(tarball)[:-len(".tar.gz")]
    r = in_root(root, """
        cd ~
        tar -xzf %(name)s.tar.gz
        cd %(name)s
        cp -r oidc-secret ~/
        cp public_html/oidc-secret.cgi public_html/.htaccess ~/public_html/
        chmod 755 ~/public_html/oidc-secret.cgi ~/oidc-secret/oidc-secret-admin
        chmod 644 ~/public_html/.htaccess
        cp ~/oidc-secret/oidc-secret.conf.example ~/oidc-secret/oidc-secret.conf
        chmod 600 ~/oidc-secret/oidc-secret.conf
    """ % {"name": name}, user=SITE_UID)
    c.check("INSTALL.txt steps 1-3 run as the account", r.returncode == 0, r.stderr)
    for prog in ("public_html/oidc-secret.cgi", "oidc-secret/oidc-secret-admin"):
        r = in_root(root, "ldd /home/site/%s" % prog)
        libs = [ln.split()[0] for ln in r.stdout.splitlines() if ln.strip()]
        c.check("ldd %s: glibc only" % prog,
                r.returncode == 0 and libs and all(GLIBC.match(x) for x in libs),
                r.stdout + r.stderr)
        r = in_root(root, "/home/site/%s --version" % prog, user=SITE_UID)
        c.check("%s --version runs in the root" % prog, r.returncode == 0, r.stderr)
        admin_version = version_lines(c, prog, r.stdout, tls=r"OpenSSL \d")
    check_versions(c, tarball, work, admin_version)

    # The test MariaDB listens on loopback TCP and, as Debian's server does,
    # on /run/mysqld/mysqld.sock (in the root).
    db = start_database(os.path.join("/tmp", "oidc-bundle-db-%d" % os.getpid()), tcp=True,
                        sock=os.path.join(root, "run", "mysqld", "mysqld.sock"))
    apache_started = False
    try:
        password = st.random_password()
        create_database(db, password, "127.0.0.1")
        create_database(db, password, "localhost")
        conf = os.path.join(root, "home", "site", "oidc-secret", "oidc-secret.conf")
        set_keys(conf, {"db_host": "127.0.0.1", "db_port": db.port, "db_name": DATABASE,
                        "db_user": DB_USER, "db_password": password,
                        "api_project_id": st.DEMO["API_PROJECT_ID"]})
        # Apache here runs CGI programs as www-data (no suEXEC): INSTALL.txt's
        # "that user must be able to read the file".
        in_root(root, "chgrp www-data /home/site/oidc-secret/oidc-secret.conf && "
                "chmod 640 /home/site/oidc-secret/oidc-secret.conf")

        r = in_root(root, "cd ~/oidc-secret && ./oidc-secret-admin migrate", user=SITE_UID)
        c.check("oidc-secret-admin migrate (from ~/oidc-secret, no options)",
                r.returncode == 0 and "schema at version" in r.stdout, r.stdout + r.stderr)
        tables = [x[0] for x in db.sql("SHOW TABLES", DATABASE)]
        c.check("migrate made the tables", {"access_tokens", "events", "oidc_configs",
                                            "schema_migrations"} <= set(tables), str(tables))
        r = in_root(root, "cd ~/oidc-secret && ./oidc-secret-admin check-config", user=SITE_UID)
        c.check("oidc-secret-admin check-config", r.returncode == 0, r.stdout + r.stderr)
        # The example as it is, but for db_host = localhost: no db_socket,
        # so the client library's default socket.
        local = os.path.join(root, "home", "site", "oidc-secret", "localhost.conf")
        shutil.copy(conf + ".example", local)
        set_keys(local, {"db_host": "localhost", "db_name": DATABASE, "db_user": DB_USER,
                         "db_password": password, "api_project_id": st.DEMO["API_PROJECT_ID"]})
        with open(local) as f:
            sockets = [x for x in f.read().splitlines() if re.match(r"^\s*db_socket\s*=", x)]
        r = in_root(root, "cd ~/oidc-secret && ./oidc-secret-admin --config localhost.conf "
                    "check-config", user=SITE_UID)
        c.check("db_host = localhost without db_socket reaches the server on "
                "/run/mysqld/mysqld.sock", not sockets and r.returncode == 0
                and "database: reachable" in r.stdout, r.stdout + r.stderr)
        db.sql_file(os.path.join(st.ROOT, "sql", "demo.sql"), DATABASE)
        r = in_root(root, "cd ~/oidc-secret && ./oidc-secret-admin token issue --user %s"
                    % st.DEMO["USER_ID"], user=SITE_UID)
        token = r.stdout.strip()
        stored = db.sql("SELECT COUNT(*) FROM access_tokens WHERE token_sha256 = '%s'"
                        % st.sha256_hex(token), DATABASE) if token else [["0"]]
        c.check("oidc-secret-admin token issue: a token, its SHA-256 stored",
                r.returncode == 0 and len(token) == 43 and stored == [["1"]], r.stderr)

        port = st.free_port()
        st.write_file(os.path.join(root, "etc", "apache2", "ports.conf"),
                      "Listen 127.0.0.1:%d\n" % port)
        st.write_file(os.path.join(root, "etc", "apache2", "sites-available", "000-default.conf"), """\
<VirtualHost 127.0.0.1:%d>
    ServerName 127.0.0.1
    DocumentRoot /home/site/public_html
    <Directory /home/site/public_html>
        AllowOverride All
        Require all granted
    </Directory>
    ErrorLog ${APACHE_LOG_DIR}/error.log
    CustomLog ${APACHE_LOG_DIR}/access.log combined
</VirtualHost>
""" % port)
        r = in_root(root, """
            a2dismod -q mpm_event >/dev/null
            a2enmod -q mpm_prefork cgi rewrite >/dev/null
            echo 'ServerName 127.0.0.1' >> /etc/apache2/apache2.conf
            . /etc/apache2/envvars
            mkdir -p "$APACHE_RUN_DIR" "$APACHE_LOCK_DIR" "$APACHE_LOG_DIR"
            apache2 -k start
        """)
        apache_started = r.returncode == 0
        if apache_started:
            st.wait_for(lambda: st.port_open(port), 20, "Apache in the root")
        c.check("Apache 2.4 with mod_cgi starts in the root", apache_started, r.stderr)
        if apache_started:
            version = in_root(root, "apache2 -v | head -n 1").stdout.strip()
            print("  (%s, prefork, mod_cgi, mod_rewrite)" % version)
            secret = rest_cases(c, port, db, token, st.DEMO)
            r = in_root(root, "cd ~/oidc-secret && ./oidc-secret-admin verify --project %s "
                        "--app %s" % (st.DEMO["PROJECT_ID"], st.DEMO["APP_ID"]),
                        user=SITE_UID, stdin=secret)
            c.check("oidc-secret-admin verify accepts the secret", r.returncode == 0,
                    r.stdout + r.stderr)
            log = os.path.join(root, "var", "log", "apache2", "error.log")
            with open(log, errors="replace") as f:
                text = f.read()
            c.check("the error log holds neither the token nor the secret",
                    token not in text and (not secret or secret not in text))
    finally:
        if apache_started:
            in_root(root, ". /etc/apache2/envvars && apache2 -k stop")
            pidfile = os.path.join(root, "run", "apache2", "apache2.pid")
            st.wait_for(lambda: not os.path.exists(pidfile), 30, "Apache to stop")
        db.stop()
        shutil.rmtree(db.dir, ignore_errors=True)
    shutil.rmtree(work, ignore_errors=True)


# --- the Debian package --------------------------------------------------------

APT = ["apt-get", "-o", "DPkg::Lock::Timeout=900", "-y", "-q"]
FCGID_CONF = "/etc/apache2/conf-enabled/oidc-secret-fcgid.conf"
CONF = "/etc/oidc-secret.conf"


def traces():
    """Every path on the system that carries the package's name."""
    out = run(["find", "/etc", "/usr", "/lib", "/var/lib", "-xdev", "-name", "*oidc-secret*",
               "-not", "-path", "/var/lib/mysql*"])
    return set(out.stdout.split())


# lintian's warnings that stay, and why (debian/README.Debian says it too).
LINTIAN_KEPT = {
    # Two alternative files, named for the module each needs; lintian wants
    # one named after the package.
    "non-standard-apache2-configuration-name",
}
COMMON_LICENSES = "/usr/share/common-licenses/Apache-2.0"


def copyright_stanzas(text):
    """debian/copyright (DEP-5) as a list of {field: value} paragraphs."""
    stanzas = []
    for para in re.split(r"\n\s*\n", text.strip()):
        fields, key = {}, None
        for line in para.splitlines():
            m = re.match(r"^([A-Za-z-]+):\s*(.*)$", line)
            if m and not line[0].isspace():
                key = m.group(1)
                fields[key] = m.group(2)
            elif key is not None:
                fields[key] += "\n" + line.strip()
        stanzas.append(fields)
    return stanzas


def check_licence(c, copyright_file):
    """LICENSE is the Apache 2.0 text; the package's copyright file is
    machine-readable and says Apache-2.0 for ours, ZITADEL's and debian/."""
    def text(path):
        try:
            with open(path) as f:
                return f.read()
        except OSError:
            return None
    ours = text(os.path.join(st.ROOT, "LICENSE"))
    c.check("LICENSE is the Apache License 2.0 (as %s)" % COMMON_LICENSES,
            ours is not None and ours == text(COMMON_LICENSES))
    with open(copyright_file) as f:
        stanzas = copyright_stanzas(f.read())
    files = {x.get("Files"): x for x in stanzas if "Files" in x}
    c.check("copyright: DEP-5 header", bool(stanzas) and stanzas[0].get("Format", "")
            .startswith("https://www.debian.org/doc/packaging-manuals/copyright-format/1.0"),
            str(stanzas[:1]))
    c.check("copyright: Files: *, Files: proto/*, Files: debian/*, each Apache-2.0",
            all(f in files and files[f].get("License", "").split("\n")[0] == "Apache-2.0"
                and files[f].get("Copyright") for f in ("*", "proto/*", "debian/*")),
            str(sorted(files)))
    c.check("copyright: proto/* names ZITADEL's copyright",
            "ZITADEL" in files.get("proto/*", {}).get("Copyright", ""))
    standalone = [x for x in stanzas if "Files" not in x and x.get("License", "")
                  .startswith("Apache-2.0")]
    c.check("copyright: the Apache-2.0 licence paragraph points at common-licenses",
            any(COMMON_LICENSES in x["License"] for x in standalone), str(standalone))


def check_lintian(c, path):
    """lintian's JSON output (--exp-output format=json) over the .dsc and
    the .deb: both checked, no error, no warning but LINTIAN_KEPT."""
    try:
        with open(path) as f:
            report = json.load(f)
    except (OSError, ValueError) as e:
        c.check("lintian's report can be read", False, "%s: %s" % (path, e))
        return
    checked, hints = [], []
    for group in report.get("groups", []):
        for item in group.get("input_files", []):
            checked.append(os.path.basename(item.get("path", "")))
            for h in item.get("hints", []):
                level = h.get("visibility", "?")
                hints.append((level, h.get("tag", "?"), h.get("note", ""), checked[-1]))
                print("  lintian %s: %s %s (%s)" % ((level,) + hints[-1][1:]))
    print("  lintian %s checked %s" % (report.get("lintian_version", "?"), ", ".join(checked)))
    c.check("lintian checked the source package and the binary one",
            any(x.endswith(".dsc") for x in checked) and any(x.endswith(".deb") for x in checked),
            " ".join(checked))
    errors = [h for h in hints if h[0] == "error"]
    warnings = [h for h in hints if h[0] == "warning"]
    c.check("lintian reports no error (%d warnings)" % len(warnings), not errors, str(errors))
    c.check("lintian: no warning but those kept (%s)" % ", ".join(sorted(LINTIAN_KEPT)),
            all(h[1] in LINTIAN_KEPT for h in warnings),
            str([h for h in warnings if h[1] not in LINTIAN_KEPT]))


def test_deb(c, debfile, lintian=None):
    debfile = os.path.abspath(debfile)
    if lintian is not None:
        check_lintian(c, lintian)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    status = run(["dpkg-query", "-W", "-f=${Status}", "oidc-secret"]).stdout
    if "installed" in status.split() or os.path.lexists(CONF):
        c.check("the machine has no oidc-secret package or %s yet" % CONF, False, status)
        return
    before = traces()
    r = run(APT + ["install", "--no-install-recommends", debfile], env=env)
    installed = r.returncode == 0
    try:
        c.check("apt-get install ./%s" % os.path.basename(debfile), installed, r.stdout + r.stderr)
        if not installed:
            return
        c.check("postinst says how to run migrate", "oidc-secret-admin migrate" in r.stdout,
                r.stdout[-800:])
        files = run(["dpkg", "-L", "oidc-secret"]).stdout.split()
        print("  dpkg -L oidc-secret: %d paths" % len(files))
        for path in ("/usr/libexec/oidc-secret/oidc-secret.fcgi", "/usr/sbin/oidc-secret-admin",
                     CONF, "/etc/apache2/conf-available/oidc-secret-fcgid.conf",
                     "/etc/apache2/conf-available/oidc-secret-proxy-fcgi.conf",
                     "/etc/lighttpd/conf-available/50-oidc-secret.conf",
                     "/lib/systemd/system/oidc-secret.socket",
                     "/lib/systemd/system/oidc-secret.service",
                     "/lib/systemd/system/oidc-secret.service.d/debian.conf",
                     "/usr/share/man/man8/oidc-secret-admin.8.gz",
                     "/usr/share/man/man8/oidc-secret.fcgi.8.gz",
                     "/usr/share/man/man5/oidc-secret.conf.5.gz",
                     "/usr/share/oidc-secret/sql/001_schema.sql",
                     "/usr/share/oidc-secret/apache-conf/oidc-secret-fcgid.conf",
                     "/usr/share/oidc-secret/apache-conf/oidc-secret-413.json",
                     "/usr/share/doc/oidc-secret/README.Debian"):
            c.check("the package holds %s" % path, path in files and os.path.exists(path))
        st_conf = os.stat(CONF)
        www = run(["getent", "group", "www-data"]).stdout.split(":")
        c.check("%s is 0640 root:www-data" % CONF,
                (st_conf.st_mode & 0o7777, st_conf.st_uid, str(st_conf.st_gid)) ==
                (0o640, 0, www[2] if len(www) > 2 else "?"),
                "%o %d:%d" % (st_conf.st_mode & 0o7777, st_conf.st_uid, st_conf.st_gid))
        conffiles = run(["dpkg-query", "-W", "-f=${Conffiles}", "oidc-secret"]).stdout
        c.check("%s is a conffile" % CONF, (" %s " % CONF) in conffiles, conffiles)
        check_licence(c, "/usr/share/doc/oidc-secret/copyright")
        with open(CONF) as f, open("/usr/share/oidc-secret/oidc-secret.conf.example") as g:
            c.check("the installed configuration holds no secret (it is the example)",
                    f.read() == g.read())

        for prog in ("/usr/libexec/oidc-secret/oidc-secret.fcgi", "/usr/sbin/oidc-secret-admin"):
            r = run([prog, "--version"])
            c.check("%s --version" % prog, r.returncode == 0, r.stderr)
            version_lines(c, prog, r.stdout)

        db = start_database(os.path.join("/tmp", "oidc-deb-db-%d" % os.getpid()))
        apache = None
        try:
            password = st.random_password()
            create_database(db, password, "localhost")
            set_keys(CONF, {"db_socket": db.socket, "db_name": DATABASE, "db_user": DB_USER,
                            "db_password": password, "api_project_id": st.DEMO["API_PROJECT_ID"]})
            r = run(["oidc-secret-admin", "migrate"])
            c.check("oidc-secret-admin migrate (the packaged configuration and SQL)",
                    r.returncode == 0 and "schema at version" in r.stdout, r.stdout + r.stderr)
            r = run(["oidc-secret-admin", "check-config"])
            c.check("oidc-secret-admin check-config", r.returncode == 0, r.stdout + r.stderr)
            db.sql_file(os.path.join(st.ROOT, "sql", "demo.sql"), DATABASE)
            r = run(["oidc-secret-admin", "token", "issue", "--user", st.DEMO["USER_ID"]])
            token = r.stdout.strip()
            c.check("oidc-secret-admin token issue", r.returncode == 0 and len(token) == 43,
                    r.stderr)

            r = run(["a2enconf", "oidc-secret-fcgid"])
            c.check("a2enconf oidc-secret-fcgid links the packaged file",
                    r.returncode == 0 and os.path.islink(FCGID_CONF) and os.path.realpath(FCGID_CONF)
                    == "/etc/apache2/conf-available/oidc-secret-fcgid.conf", r.stdout + r.stderr)
            d = st.make_dir(os.path.join("/tmp", "oidc-deb-apache-%d" % os.getpid()))
            ipc = st.make_dir(os.path.join(d, "fcgid"))
            shutil.chown(ipc, st.APACHE_USER, st.APACHE_USER)
            port = st.free_port()
            # The site: the enabled file as a2enconf left it, nothing else.
            apache = st.Apache(d, port, "\n".join([
                'FcgidIPCDir "%s"' % ipc,
                'FcgidProcessTableFile "%s"' % os.path.join(ipc, "shm"),
                'Include "%s"' % FCGID_CONF]) + "\n", modules=("alias", "fcgid"))
            apache.start()
            c.check("Apache starts with the enabled configuration", True)
            secret = rest_cases(c, port, db, token, st.DEMO, too_large=200000)
            r = run(["oidc-secret-admin", "verify", "--project", st.DEMO["PROJECT_ID"],
                     "--app", st.DEMO["APP_ID"]], input=secret)
            c.check("oidc-secret-admin verify accepts the secret", r.returncode == 0,
                    r.stdout + r.stderr)
        finally:
            if apache is not None:
                apache.stop()
                shutil.rmtree(apache.dir, ignore_errors=True)
            db.stop()
            shutil.rmtree(db.dir, ignore_errors=True)
    finally:
        if installed:
            r = run(APT + ["purge", "oidc-secret"], env=env)
            c.check("apt-get purge oidc-secret", r.returncode == 0, r.stdout + r.stderr)
    left = [p for p in files if os.path.lexists(p) and not os.path.isdir(p)]
    c.check("after the purge, no file of dpkg -L is left", not left, " ".join(left))
    own_dirs = [p for p in files if "oidc-secret" in p and os.path.isdir(p)]
    c.check("after the purge, none of its own directories is left", not own_dirs,
            " ".join(own_dirs))
    c.check("after the purge, %s is gone" % CONF, not os.path.lexists(CONF))
    c.check("after the purge, a2enconf's link is gone", not os.path.lexists(FCGID_CONF))
    status = run(["dpkg-query", "-W", "-f=${Status}", "oidc-secret"]).stdout
    c.check("after the purge, dpkg knows no oidc-secret", "installed" not in status.split()
            and "config-files" not in status.split(), status)
    extra = traces() - before
    c.check("after the purge, no path on the system carries its name", not extra,
            " ".join(sorted(extra)))


def main():
    if not (len(sys.argv) == 3 and sys.argv[1] == "bundle"
            or len(sys.argv) in (3, 4) and sys.argv[1] == "deb"):
        sys.exit("usage: installcheck.py bundle TARBALL | deb DEBFILE [LINTIAN_JSON]")
    t0 = time.monotonic()
    c = Checks()
    try:
        (test_bundle if sys.argv[1] == "bundle" else test_deb)(c, *sys.argv[2:])
    except Exception as e:  # the count must still come out
        c.check("%s test ran to its end" % sys.argv[1], False, "%s: %s" % (type(e).__name__, e))
    print("%s test: %.0f s" % (sys.argv[1], time.monotonic() - t0))
    started = os.environ.get("INSTALLCHECK_STARTED", "")
    if started.isdigit():
        print("all of scripts/test-%s: %.0f s" % (sys.argv[1], time.time() - int(started)))
    print(c.line())
    sys.exit(1 if c.failed else 0)


if __name__ == "__main__":
    main()
