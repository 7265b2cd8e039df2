"""README.md's "Getting started", run as written.

The blocks fenced "```sh getting-started" are taken from README.md, in
order, and run as one bash script (set -euo pipefail) as root, in an empty
directory.  Only this differs from a clean Debian 12, and nothing else of
the text is changed:

- The first block's REPO=... names a local repository: a clone of this one
  at HEAD, with the tracked files' uncommitted changes committed on it, so
  the tree under test is what the README's git clone gets.

- Paths: "/etc" and "/usr" in the blocks become ROOT/etc and ROOT/usr, a
  directory of the test's, so that make install, the configuration files
  and the Apache site land there; /run/mysqld/mysqld.sock becomes a
  private MariaDB's socket.
- Its SITE=... becomes SITE=127.0.0.1:PORT, a free loopback port.
- Shell functions stand in for the commands that act on the machine's
  services (the PREAMBLE below): apt-get (update does nothing; install
  installs only what is missing, with a dpkg lock timeout, since other jobs
  share the machine), mariadb (root, on the private socket), a2enmod (copies
  Debian's mods-available/NAME.load and .conf), a2ensite, apache2ctl
  configtest and systemctl restart apache2 (a private Apache whose
  httpd.conf loads the enabled modules, gives mod_fcgid writable
  directories, listens on PORT with OIDC_SECRET_PORT defined to it as
  Debian's ports.conf would with 80, and includes the enabled sites).

Then: the last line the script printed is the call's JSON; its secret is
the one stored for the app; the clone's "git status" is clean after the
in-tree build (.gitignore covers what it leaves).

A second test takes the responder's GRANT statements from the README, gives
them to a user of its own, and runs the responder (as CGI) on every call:
all pass with them, and each single privilege taken away breaks a call.
"""

import json
import os
import re
import shutil
import subprocess
import unittest

from harness import SECRET_RE, env, st

README = os.path.join(st.ROOT, "README.md")
BLOCK_RE = re.compile(r"^```sh getting-started\n(.*?)^```$", re.S | re.M)
PATH_RE = re.compile(r"(?<![\w./-])/(etc|usr)(?=[/\s]|$)", re.M)
DEBIAN_SOCKET = "/run/mysqld/mysqld.sock"
V2_PATH = "/zitadel.application.v2.ApplicationService/GenerateClientSecret"

PREAMBLE = r'''
set -euo pipefail
export PATH="$GS_ROOT/usr/sbin:$GS_ROOT/usr/bin:$PATH"
apt-get() {
	local p missing=()
	[ "$1" = update ] && return 0
	for p in "$@"; do
		case $p in -*|install) continue ;; esac
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] ||
		command apt-get -o DPkg::Lock::Timeout=900 install -y --no-install-recommends "${missing[@]}"
}
mariadb() { command mariadb --no-defaults -S "$GS_SOCKET" -u root "$@"; }
a2enmod() {
	local m f
	for m in "$@"; do
		for f in /etc/apache2/mods-available/"$m".load /etc/apache2/mods-available/"$m".conf; do
			[ ! -e "$f" ] || cp "$f" "$GS_ROOT/etc/apache2/mods-enabled/"
		done
	done
}
a2ensite() {
	local s
	for s in "$@"; do
		ln -sf "../sites-available/$s.conf" "$GS_ROOT/etc/apache2/sites-enabled/$s.conf"
	done
}
apache2ctl() {
	[ "$1" = configtest ] && command apache2 -f "$GS_HTTPD" -t
}
systemctl() {
	[ "$1 $2" = "restart apache2" ] || return 1
	if [ -s "$GS_HTTPD_PID" ] && kill -0 "$(cat "$GS_HTTPD_PID")" 2>/dev/null; then
		command apache2 -f "$GS_HTTPD" -k restart
	else
		command apache2 -f "$GS_HTTPD" -k start
	fi
	for _ in $(seq 200); do
		(exec 3<>"/dev/tcp/127.0.0.1/$GS_PORT") 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
'''


def readme_blocks():
    with open(README) as f:
        return BLOCK_RE.findall(f.read())


def substitute(blocks, root, socket, port, repo):
    """The blocks as the private run takes them (the module's docstring)."""
    text = "\n".join(blocks)
    for name, value in (("SITE", "127.0.0.1:%d" % port), ("REPO", repo)):
        line = re.compile(r"^%s=\S+$" % name, re.M)
        assert len(line.findall(text)) == 1, "one %s= line" % name
        text = line.sub(lambda _: "%s=%s" % (name, value), text)
    text = text.replace(DEBIAN_SOCKET, socket)
    return PATH_RE.sub(lambda m: root + "/" + m.group(1), text)


def key_values(text):
    return dict(line.split(" = ", 1) for line in text.splitlines()
                if " = " in line and not line.startswith("#"))


class GettingStarted(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.env = env()

    def test_the_readme_blocks_say_what_they_must(self):
        blocks = readme_blocks()
        text = "\n".join(blocks)
        self.assertGreaterEqual(len(blocks), 8)
        installs = [ln for ln in text.splitlines() if ln.startswith("apt-get install")]
        self.assertEqual(len(installs), 1, "the dependencies in one apt-get install line")
        for needed in ("git clone", "autoreconf -fi", "make install", " migrate", " init ", "app add",
                       "oidc-secret-fcgid-vhost.conf", "curl "):
            self.assertIn(needed, text)
        # No demo leftovers: the reader's own URL and IDs.
        self.assertNotIn("demo", text)

    def test_getting_started_as_written(self):
        if subprocess.run(["git", "-C", st.ROOT, "rev-parse", "--git-dir"],
                          capture_output=True).returncode != 0:
            self.skipTest("not a git checkout (a release tarball): nothing to clone")
        e = self.env
        work = st.make_dir(os.path.join(e.dir, "getting-started"))
        root = st.make_dir(os.path.join(work, "root"))
        for sub in ("mods-enabled", "sites-available", "sites-enabled"):
            os.makedirs(os.path.join(root, "etc", "apache2", sub))
        # The repository the README clones: HEAD, and the tracked files as
        # they are now.
        repo = os.path.join(work, "repository")
        subprocess.run(["git", "clone", "-q", "--no-checkout", st.ROOT, repo], check=True)
        head = subprocess.run(["git", "-C", st.ROOT, "rev-parse", "HEAD"], check=True,
                              capture_output=True, text=True).stdout.strip()
        subprocess.run(["git", "-C", repo, "checkout", "-q", "-B", "under-test", head],
                       check=True)
        diff = subprocess.run(["git", "-C", st.ROOT, "diff", "HEAD", "--binary"],
                              check=True, capture_output=True).stdout
        if diff:
            subprocess.run(["git", "-C", repo, "apply", "--index", "--whitespace=nowarn"],
                           input=diff, check=True)
            subprocess.run(["git", "-C", repo, "-c", "user.name=test", "-c",
                            "user.email=test@localhost", "commit", "-q", "-m",
                            "the tree under test"], check=True)
        clone = os.path.join(work, "oidc-secret")
        db = st.MariaDB(os.path.join(work, "mysql"))
        db.start()
        self.addCleanup(db.stop)
        port = st.free_port()
        ipc = st.make_dir(os.path.join(work, "fcgid"))
        shutil.chown(ipc, st.APACHE_USER, st.APACHE_USER)
        apache = st.Apache(os.path.join(work, "apache"), port, "\n".join([
            'IncludeOptional "%s/etc/apache2/mods-enabled/*.load"' % root,
            'IncludeOptional "%s/etc/apache2/mods-enabled/*.conf"' % root,
            "<IfModule mod_fcgid.c>",
            '    FcgidIPCDir "%s"' % ipc,
            '    FcgidProcessTableFile "%s"' % os.path.join(ipc, "shm"),
            "</IfModule>",
            "Define OIDC_SECRET_PORT %d" % port,
            'IncludeOptional "%s/etc/apache2/sites-enabled/*.conf"' % root,
        ]) + "\n")
        self.addCleanup(apache.stop)
        script = PREAMBLE + substitute(readme_blocks(), root, db.socket, port, repo)
        environ = dict(os.environ, GS_ROOT=root, GS_SOCKET=db.socket, GS_PORT=str(port),
                       GS_HTTPD=apache.conf, GS_HTTPD_PID=apache.pidfile)
        environ = {k: v for k, v in environ.items() if not k.startswith("OIDC_SECRET_")}
        r = subprocess.run(["bash", "-c", script], cwd=work, env=environ,
                           capture_output=True, text=True, timeout=1800)
        self.assertEqual(r.returncode, 0, "stdout:\n%s\nstderr:\n%s" % (
            r.stdout[-3000:], r.stderr[-6000:]))
        out = key_values(r.stdout)
        for key in ("api_project_id", "org_id", "user_id", "app_id", "client_id",
                    "client_secret"):
            self.assertIn(key, out, r.stdout)
        e.secrets_seen.add(out["client_secret"])
        self.assertNotIn("token", out, "the token is not shown")
        body = json.loads(r.stdout.rstrip().splitlines()[-1])
        secret = body["clientSecret"]
        e.secrets_seen.add(secret)
        self.assertRegex(secret, SECRET_RE)
        self.assertEqual(body["details"]["resourceOwner"], out["org_id"])
        self.assertEqual(body["details"]["sequence"], "4")
        # The secret stored for the app is the one the call returned.
        project = subprocess.run(
            ["mariadb", "--no-defaults", "-S", db.socket, "-u", "root", "-N", "-B",
             "oidc_secret", "-e", "SELECT project_id FROM apps WHERE id = '%s'"
             % out["app_id"]], check=True, capture_output=True, text=True).stdout.strip()
        admin = [os.path.join(root, "usr", "sbin", "oidc-secret-admin"), "--config",
                 os.path.join(root, "etc", "oidc-secret-admin.conf")]
        v = subprocess.run(admin + ["verify", "--project", project, "--app", out["app_id"]],
                           input=secret, capture_output=True, text=True, env=environ)
        self.assertEqual(v.returncode, 0, v.stderr)
        # The responder's configuration: its own user, Apache's group.
        conf = os.path.join(root, "etc", "oidc-secret.conf")
        self.assertEqual(os.stat(conf).st_mode & 0o777, 0o640)
        with open(conf) as f:
            self.assertIn("db_user = oidc_secret\n", f.read())
        # What an in-tree build leaves, .gitignore covers.
        status = subprocess.run(["git", "-C", clone, "status", "--porcelain"], check=True,
                                capture_output=True, text=True).stdout
        self.assertEqual(status, "", "untracked or changed after the build:\n" + status)


class ResponderGrants(unittest.TestCase):
    """The README's GRANT statements for the responder are all it needs:
    every call passes with them, and fails without any one privilege."""

    DB = "oidc_gs_grants"
    USER = "oidc_gs_resp"

    @classmethod
    def setUpClass(cls):
        cls.env = env()

    def grants(self):
        """(privilege, column or None, table) of each GRANT to oidc_secret."""
        block = [b for b in readme_blocks() if "CREATE USER 'oidc_secret'@" in b][0]
        items = []
        for privs, table in re.findall(
                r"^GRANT (.+?) ON oidc_secret\.(\w+) TO 'oidc_secret'@'localhost';$",
                block, re.M):
            for priv, cols in re.findall(r"(SELECT|UPDATE|INSERT|DELETE)(?: \(([^)]*)\))?",
                                         privs):
                for col in ([c.strip() for c in cols.split(",")] if cols else [None]):
                    items.append((priv, col, table))
        return items

    def sql(self, query):
        return self.env.db.sql(query)

    def privilege(self, verb, item):
        priv, col, table = item
        return "%s %s%s ON `%s`.`%s` %s '%s'@'localhost'" % (
            verb, priv, " (%s)" % col if col else "", self.DB, table,
            "TO" if verb == "GRANT" else "FROM", self.USER)

    def cgi(self, config, method, path, body=b"", headers=None):
        environ = {"REQUEST_METHOD": method, "SCRIPT_NAME": "", "PATH_INFO": path,
                   "GATEWAY_INTERFACE": "CGI/1.1", "SERVER_PROTOCOL": "HTTP/1.1",
                   "CONTENT_LENGTH": str(len(body)), "CONTENT_TYPE": "application/json",
                   "OIDC_SECRET_CONFIG": config, "PATH": "/usr/bin:/bin"}
        environ.update(headers or {})
        r = subprocess.run([st.responder_path()], env=environ, input=body,
                           capture_output=True, timeout=60)
        return r.stdout.split(b"\r\n", 1)[0].decode(), r.stderr.decode()

    def test_exactly_the_readme_grants(self):
        e = self.env
        items = self.grants()
        self.assertGreaterEqual(len(items), 10)
        admin_pw, resp_pw = st.random_password(), st.random_password()
        self.sql("DROP DATABASE IF EXISTS `{d}`; CREATE DATABASE `{d}`;"
                 " DROP USER IF EXISTS '{d}'@'localhost', '{u}'@'localhost';"
                 " CREATE USER '{d}'@'localhost' IDENTIFIED BY '{a}';"
                 " GRANT ALL ON `{d}`.* TO '{d}'@'localhost';"
                 " CREATE USER '{u}'@'localhost' IDENTIFIED BY '{r}';".format(
                     d=self.DB, u=self.USER, a=admin_pw, r=resp_pw))
        admin_conf = st.responder_config(os.path.join(e.dir, "gs-grants-admin.conf"), e.db,
                                         self.DB, self.DB, admin_pw, hash_algorithm="bcrypt")
        st.admin(admin_conf, "migrate")
        init = key_values(st.admin(admin_conf, "init").stdout)
        token = init["token"]
        e.secrets_seen.add(token)
        project = st.admin(admin_conf, "project", "add", "--org", init["org_id"],
                           "--name", "apps").stdout.strip()
        oidc = key_values(st.admin(admin_conf, "app", "add", "--project", project,
                                   "--name", "web", "--oidc").stdout)
        api = key_values(st.admin(admin_conf, "app", "add", "--project", project,
                                  "--name", "api", "--api").stdout)
        e.secrets_seen.update((oidc["client_secret"], api["client_secret"]))
        conf = st.responder_config(os.path.join(e.dir, "gs-grants-responder.conf"), e.db,
                                   self.DB, self.USER, resp_pw, hash_algorithm="bcrypt",
                                   api_project_id=init["api_project_id"], log_level="warn")
        auth = {"HTTP_AUTHORIZATION": "Bearer " + token}
        calls = (
            ("ready", "GET", "/debug/ready", b"", {}),
            ("OIDC, acting org", "POST",
             "/management/v1/projects/%s/apps/%s/oidc_config/_generate_client_secret"
             % (project, oidc["app_id"]), b"{}",
             dict(auth, HTTP_X_ZITADEL_ORGID=init["org_id"])),
            ("API", "POST", "/management/v1/projects/%s/apps/%s/api_config/"
             "_generate_client_secret" % (project, api["app_id"]), b"{}", auth),
            ("v2", "POST", V2_PATH, json.dumps({"applicationId": oidc["app_id"],
                                                "projectId": project}).encode(), auth),
        )

        def failures():
            bad = []
            for name, method, path, body, headers in calls:
                status, log = self.cgi(conf, method, path, body, headers)
                if status != "Status: 200 OK":
                    bad.append((name, status, log.strip().splitlines()[-1:]))
            return bad

        for item in items:
            self.sql(self.privilege("GRANT", item))
        self.assertEqual(failures(), [])
        for item in items:
            with self.subTest(without=item):
                self.sql(self.privilege("REVOKE", item))
                try:
                    bad = failures()
                finally:
                    self.sql(self.privilege("GRANT", item))
                self.assertTrue(bad, "nothing needs %s" % (item,))
                self.assertTrue(any("command denied" in " ".join(b[2]) for b in bad), bad)
                # Refused, not crashed: an answer, 500 or 503, every time.
                for name, status, _ in bad:
                    self.assertRegex(status, r"^Status: 50[03] ", (item, name))
        self.assertEqual(failures(), [])

    def test_the_responder_carries_no_other_writes(self):
        """The statements compiled into the responder write only where the
        README grants it, and none of them is the admin tool's: a stolen
        responder cannot be made to create users, tokens or tables."""
        with open(st.responder_path(), "rb") as f:
            text = f.read().decode("latin-1")
        writes = set()
        for verb, table in re.findall(
                r"\b(INSERT INTO|UPDATE|DELETE FROM) `?(\w+)`?[ (]", text):
            writes.add((verb.split()[0], table))
        self.assertIn(("UPDATE", "projects"), writes)   # the scan sees statements
        granted = {(priv, table) for priv, _, table in self.grants()}
        self.assertEqual({w for w in writes if w not in granted}, set())
        for word in ("schema_migrations", "CREATE TABLE", "INSERT INTO access_tokens",
                     "INSERT INTO users", "INSERT INTO apps", "GET_LOCK"):
            self.assertNotIn(word, text)

    def test_the_manual_lists_the_same_grants(self):
        with open(os.path.join(st.BUILD, "man", "oidc-secret.conf.5")) as f:
            page = f.read()
        block = [b for b in readme_blocks() if "CREATE USER 'oidc_secret'@" in b][0]
        readme = [" ".join(g.split()) for g in re.findall(r"^GRANT [^;]*;", block, re.M)]
        manual = [" ".join(g.split()) for g in re.findall(r"^GRANT [^;]*;", page, re.M)]
        self.assertEqual(manual, readme)


if __name__ == "__main__":
    unittest.main()
