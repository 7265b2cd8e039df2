"""An existing database upgrades in place: 003_api_apps.sql on data.

A database made by the schema before API apps had secrets (migrations 001
and 002 only), holding organisations, users, memberships, tokens, a project
with an OIDC app whose secret was regenerated, an API app, a SAML app and
their events, is migrated with today's sql/.  Every row that was there is
there unchanged, the API app gets its configuration row, and the upgraded
database serves the API app's regeneration through the real responder.
"""

import os
import shutil
import unittest

import pymysql

from harness import (API_PROJECT, env, php_verify, rest, st)

DATABASE = "oidc_secret_upgrade"
USER = "oidc_secret_upgrade"
API_REST = "/management/v1/projects/%s/apps/%s/api_config/_generate_client_secret"
TABLES = ("orgs", "users", "memberships", "role_permissions", "access_tokens",
          "projects", "apps", "oidc_configs", "events")


class Upgrade(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        e = cls.env = env()
        cls.password = st.random_password()
        cls.config = st.responder_config(
            os.path.join(e.dir, "oidc-secret-upgrade.conf"), e.db, DATABASE, USER,
            cls.password, log_level="info", hash_algorithm="bcrypt", bcrypt_cost=4)
        e.db.sql("CREATE DATABASE `%s` CHARACTER SET utf8mb4;\n"
                 "CREATE USER '%s'@'localhost' IDENTIFIED BY '%s';\n"
                 "GRANT ALL ON `%s`.* TO '%s'@'localhost';\n" % (
                     DATABASE, USER, cls.password, DATABASE, USER))
        # The schema as it was: only the migrations that existed then.
        cls.old_sql = os.path.join(e.dir, "sql-before-api-apps")
        os.makedirs(cls.old_sql, exist_ok=True)
        for f in ("001_schema.sql", "002_role_permissions.sql"):
            shutil.copy(os.path.join(st.ROOT, "sql", f), cls.old_sql)
        out = st.admin(cls.config, "migrate", "--sql-dir", cls.old_sql)
        assert "schema at version 2" in out.stdout, out.stdout
        cls.conn = pymysql.connect(unix_socket=e.db.socket, user="root", database=DATABASE,
                                   autocommit=True, charset="utf8mb4")

    @classmethod
    def tearDownClass(cls):
        cls.conn.close()

    def q(self, sql, *args):
        with self.conn.cursor() as c:
            c.execute(sql, args)
            return c.fetchall()

    def dump(self):
        """Every row of every table the old schema had, in a stable order."""
        return {t: self.q("SELECT * FROM `%s` ORDER BY 1, 2" % t) for t in TABLES}

    def fill(self):
        now = "UTC_TIMESTAMP(6)"
        self.q("INSERT INTO orgs VALUES ('o1', 'Org', 'active', %s, %s),"
               " ('o2', 'Gone', 'removed', %s, %s)" % (now, now, now, now))
        self.q("INSERT INTO users VALUES ('u1', 'o1', 'owner', 'active'),"
               " ('u2', 'o1', 'viewer', 'inactive')")
        self.q("INSERT INTO memberships VALUES ('u1', 'org', 'o1', 'ORG_OWNER'),"
               " ('u2', 'project', 'p1', 'PROJECT_OWNER_VIEWER')")
        self.token = "t" + st.random_password()
        self.env.secrets_seen.add(self.token)
        self.q("INSERT INTO access_tokens VALUES (%s, 'u1', 'access', %s, 'openid',"
               " UTC_TIMESTAMP(6) + INTERVAL 1 HOUR, NULL, UTC_TIMESTAMP(6))",
               st.sha256_hex(self.token), API_PROJECT)
        self.q("INSERT INTO projects VALUES ('p1', 'o1', 'Project', 'active', 3, %s, %s)"
               % (now, now))
        self.q("INSERT INTO apps VALUES"
               " ('a-oidc', 'p1', 'Web', 'oidc', 'active', %s, %s),"
               " ('a-api', 'p1', 'API', 'api', 'active', %s, %s),"
               " ('a-saml', 'p1', 'SAML', 'saml', 'inactive', %s, %s)"
               % (now, now, now, now, now, now))
        self.q("INSERT INTO oidc_configs VALUES ('a-oidc', 'a-oidc@p', 'basic',"
               " '$2b$04$abcdefghijklmnopqrstuuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ01', %s)" % now)
        for seq, etype in ((1, "project.added"), (2, "project.application.added"),
                           (3, "project.application.config.oidc.secret.changed")):
            self.q("INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type,"
                   " resource_owner, editor_user, creation_date, payload) VALUES"
                   " ('project', 'p1', %s, %s, 'o1', 'u1', UTC_TIMESTAMP(6), '{}')",
                   seq, etype)

    def test_upgrade_keeps_every_row_and_serves_api_apps(self):
        self.fill()
        before = self.dump()
        out = st.admin(self.config, "migrate", "--sql-dir", os.path.join(st.ROOT, "sql"))
        self.assertIn("applied 003_api_apps.sql", out.stdout)
        self.assertEqual(self.dump(), before, "a row changed in the upgrade")
        self.assertEqual(self.q("SELECT MAX(version) FROM schema_migrations")[0][0], 3)
        # The API app, and only it, has its configuration row, no secret yet.
        self.assertEqual(self.q("SELECT app_id, client_id, auth_method, client_secret_hash"
                                " FROM api_configs"),
                         ((b"a-api", b"a-api", "basic", None),))
        # A second run changes nothing.
        again = st.admin(self.config, "migrate", "--sql-dir", os.path.join(st.ROOT, "sql"))
        self.assertIn("(0 applied now)", again.stdout)
        # The upgraded database serves the API app's call.
        web = self.env.lighttpd("upgrade", config=self.config)
        r = rest(web.port, "p1", "a-api", token=self.token,
                 path=API_REST % ("p1", "a-api"))
        self.assertEqual(r.status, 200, r.body[:100])
        body = r.json()
        self.env.secrets_seen.add(body["clientSecret"])
        self.assertEqual(body["details"]["sequence"], "4")
        stored = self.q("SELECT client_secret_hash FROM api_configs"
                        " WHERE app_id = 'a-api'")[0][0]
        self.assertTrue(php_verify(body["clientSecret"], stored))
        self.assertEqual(self.q("SELECT event_type FROM events WHERE aggregate_id = 'p1'"
                                " AND sequence = 4")[0][0],
                         "project.application.config.api.secret.changed")
        # The OIDC app's row is as it was.
        self.assertEqual(self.q("SELECT * FROM oidc_configs"), before["oidc_configs"])


if __name__ == "__main__":
    unittest.main()
