"""doc/getting-started.md, checked where a test on this machine can.

scripts/test-install runs the document's blocks as written, twice, in a
fresh Debian 12 root (real apt-get, real services); this module checks what
needs no root of its own:

- the blocks say what they must: one apt-get install line, the clone, the
  build, migrate, init, an app, the site file, the call; every block can
  run again (an existing clone is updated, CREATE ... IF NOT EXISTS, init
  only once); set -e from the first block on;
- the responder's GRANT statements of the document, given to a user of its
  own: with them the responder (as CGI) passes every call, and each single
  privilege taken away breaks a call; the manual lists the same grants.
"""

import base64
import json
import os
import re
import subprocess
import unittest

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from harness import env, quick_hash, st


def rsa_public_pem():
    k = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return k, k.public_key().public_bytes(
        serialization.Encoding.PEM,
        serialization.PublicFormat.SubjectPublicKeyInfo).decode()

DOC = os.path.join(st.ROOT, "doc", "getting-started.md")
BLOCK_RE = re.compile(r"^```sh getting-started\n(.*?)^```$", re.S | re.M)
V2_PATH = "/zitadel.application.v2.ApplicationService/GenerateClientSecret"


def doc_blocks():
    with open(DOC) as f:
        return BLOCK_RE.findall(f.read())


def key_values(text):
    return dict(line.split(" = ", 1) for line in text.splitlines()
                if " = " in line and not line.startswith("#"))


class GettingStarted(unittest.TestCase):
    def test_the_blocks_say_what_they_must(self):
        blocks = doc_blocks()
        text = "\n".join(blocks)
        self.assertGreaterEqual(len(blocks), 9)
        self.assertTrue(blocks[0].startswith("set -eo pipefail\n"), blocks[0])
        installs = [ln for ln in text.splitlines() if ln.startswith("apt-get install")]
        self.assertEqual(len(installs), 1, "the dependencies in one apt-get install line")
        for needed in ("git clone", "pull --ff-only", "autoreconf -fi", "make install",
                       " migrate", " init ", "app add", "token issue",
                       "oidc-secret-fcgid-vhost.conf", "service mariadb start",
                       "service apache2 restart", "curl "):
            self.assertIn(needed, text)
        # Run again, a block keeps what is there: no bare CREATE, no systemctl.
        self.assertEqual(re.findall(r"CREATE (?:DATABASE|USER) (?!IF NOT EXISTS)", text), [])
        self.assertNotIn("systemctl", text)
        # No demo leftovers: the reader's own URL and IDs.
        self.assertNotIn("demo", text)

    def test_the_readme_points_here(self):
        with open(os.path.join(st.ROOT, "README.md")) as f:
            self.assertIn("(doc/getting-started.md)", f.read())


class ResponderGrants(unittest.TestCase):
    """The document's GRANT statements for the responder are all it needs:
    every call passes with them, and fails without any one privilege."""

    DB = "oidc_gs_grants"
    USER = "oidc_gs_resp"

    @classmethod
    def setUpClass(cls):
        cls.env = env()

    def grants(self):
        """(privilege, column or None, table) of each GRANT to oidc_secret."""
        block = [b for b in doc_blocks()
                 if "CREATE USER IF NOT EXISTS 'oidc_secret'@" in b][0]
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

    def test_exactly_the_documents_grants(self):
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
        # A machine user, a key of it, and known secrets for it and the API
        # app, set again before each round (the calls below replace them).
        machine, kid = "7" + init["org_id"][-8:], "8" + init["org_id"][-8:]
        machine_secret, api_secret = "m" * 64, "a" * 64
        e.secrets_seen.update((machine_secret, api_secret))
        _, pem = rsa_public_pem()
        self.sql("INSERT INTO `{d}`.users (id, resource_owner, username, state,"
                 " user_type) VALUES ('{m}', '{o}', 'svc-{m}', 'active', 'machine')"
                 .format(d=self.DB, m=machine, o=init["org_id"]))
        reset = ("UPDATE `{d}`.users SET secret_hash = '{mh}' WHERE id = '{m}';"
                 " UPDATE `{d}`.api_configs SET client_secret_hash = '{ah}'"
                 " WHERE app_id = '{api}';"
                 " INSERT IGNORE INTO `{d}`.machine_keys (id, user_id, public_key,"
                 " expiration_date, creation_date) VALUES ('{k}', '{m}', '{pem}',"
                 " '9999-01-01', UTC_TIMESTAMP(6));").format(
                     d=self.DB, m=machine, k=kid, api=api["app_id"], pem=pem,
                     mh=quick_hash(machine_secret), ah=quick_hash(api_secret))
        form = {"CONTENT_TYPE": "application/x-www-form-urlencoded"}
        calls = (
            ("ready", "GET", "/debug/ready", b"", {}),
            ("introspect", "POST", "/oauth/v2/introspect",
             ("client_id=%s&client_secret=%s&token=%s" % (
                 api["client_id"], api_secret, token)).encode(), form),
            ("token", "POST", "/oauth/v2/token",
             ("grant_type=client_credentials&client_id=svc-%s&client_secret=%s"
              % (machine, machine_secret)).encode(), form),
            ("OIDC, acting org", "POST",
             "/management/v1/projects/%s/apps/%s/oidc_config/_generate_client_secret"
             % (project, oidc["app_id"]), b"{}",
             dict(auth, HTTP_X_ZITADEL_ORGID=init["org_id"])),
            ("API", "POST", "/management/v1/projects/%s/apps/%s/api_config/"
             "_generate_client_secret" % (project, api["app_id"]), b"{}", auth),
            ("v2", "POST", V2_PATH, json.dumps({"applicationId": oidc["app_id"],
                                                "projectId": project}).encode(), auth),
            ("machine secret", "PUT", "/management/v1/users/%s/secret" % machine,
             b"{}", auth),
            ("machine key", "POST", "/management/v1/users/%s/keys" % machine,
             json.dumps({"publicKey": base64.b64encode(pem.encode()).decode()}).encode(),
             auth),
            ("machine key removed", "DELETE",
             "/management/v1/users/%s/keys/%s" % (machine, kid), b"", auth),
        )
        # Needed only when a COMMIT's answer is lost (test_commit.py): the
        # responder looks for the event it wrote.
        rare = {("SELECT", col, "events")
                for col in ("aggregate_type", "aggregate_id", "sequence", "request_id")}

        def failures():
            bad = []
            self.sql(reset)
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
                if item in rare:
                    continue
                self.assertTrue(bad, "nothing needs %s" % (item,))
                self.assertTrue(any("command denied" in " ".join(b[2]) for b in bad), bad)
                # Refused, not crashed: an answer, 500 or 503, every time.
                for name, status, _ in bad:
                    self.assertRegex(status, r"^Status: 50[03] ", (item, name))
        self.assertEqual(failures(), [])

    def test_the_responder_carries_no_other_writes(self):
        """The statements compiled into the responder write only where the
        document grants it, and none of them is the admin tool's: a stolen
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
        # It issues access tokens (the token endpoint), but makes no user,
        # app, table or lock.
        for word in ("schema_migrations", "CREATE TABLE", "INSERT INTO users",
                     "INSERT INTO apps", "INSERT INTO orgs", "GET_LOCK"):
            self.assertNotIn(word, text)

    def test_the_manual_lists_the_same_grants(self):
        with open(os.path.join(st.BUILD, "man", "oidc-secret.conf.5")) as f:
            page = f.read()
        block = [b for b in doc_blocks()
                 if "CREATE USER IF NOT EXISTS 'oidc_secret'@" in b][0]
        doc = [" ".join(g.split()) for g in re.findall(r"^GRANT [^;]*;", block, re.M)]
        manual = [" ".join(g.split()) for g in re.findall(r"^GRANT [^;]*;", page, re.M)]
        self.assertEqual(manual, doc)


if __name__ == "__main__":
    unittest.main()
