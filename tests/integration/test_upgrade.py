"""An existing database upgrades in place, its rows kept.

003_api_apps.sql: a database made by the schema before API apps had
secrets (migrations 001 and 002 only), holding organisations, users,
memberships, tokens, a project with an OIDC app whose secret was
regenerated, an API app, a SAML app and their events, is migrated with
today's sql/.  Every row that was there is there unchanged, the API app
gets its configuration row, and the upgraded database serves the API app's
regeneration through the real responder.

004_role_scopes.sql: a database at version 3 whose memberships hold roles
at scopes not their own (as an older oidc-secret-admin, or SQL, gave them)
is migrated.  Every row stays, each role gets its scope, migrate lists the
memberships that now grant nothing with what to run instead, the responder
refuses them on every call, and what migrate said to run works.
"""

import json
import os
import re
import shutil
import subprocess
import unittest

import pymysql

from harness import (API_PROJECT, env, http, php_verify, rest, st)

DATABASE = "oidc_secret_upgrade"
API_REST = "/management/v1/projects/%s/apps/%s/api_config/_generate_client_secret"
V2_PATH = "/zitadel.application.v2.ApplicationService/GenerateClientSecret"
V2BETA_PATH = "/zitadel.app.v2beta.AppService/RegenerateClientSecret"
# The tables of the old schema, with their columns then (a migration may add
# columns: role_permissions.scope).
# The old schema's columns: later migrations add columns, never change these.
TABLES = {"orgs": "*", "users": "id, resource_owner, username, state",
          "memberships": "*",
          # Later migrations add roles' permissions (user.write): the old
          # rows, project.app.*, stay.
          "role_permissions": "role, permission",
          "access_tokens": "*", "projects": "*", "apps": "*",
          "oidc_configs": "app_id, client_id, auth_method, client_secret_hash,"
                          " secret_change_date",
          "events": "id, aggregate_type, aggregate_id, sequence, event_type,"
                    " resource_owner, editor_user, creation_date, payload"}
SQL = os.path.join(st.ROOT, "sql")
LATEST = max(int(f[:3]) for f in os.listdir(SQL) if re.match(r"^\d{3}_\w+\.sql$", f))


class Database:
    """A database of its own, migrated with the first `upto` shipped files."""

    @classmethod
    def setup(cls, name, upto):
        self = cls
        e = self.env = env()
        self.database = name
        self.password = st.random_password()
        self.config = st.responder_config(
            os.path.join(e.dir, "%s.conf" % name), e.db, name, name,
            self.password, log_level="info", hash_algorithm="bcrypt", bcrypt_cost=4)
        e.db.sql("CREATE DATABASE `%s` CHARACTER SET utf8mb4;\n"
                 "CREATE USER '%s'@'localhost' IDENTIFIED BY '%s';\n"
                 "GRANT ALL ON `%s`.* TO '%s'@'localhost';\n" % (
                     name, name, self.password, name, name))
        # The schema as it was: only the migrations that existed then.
        self.old_sql = os.path.join(e.dir, "sql-%s" % name)
        os.makedirs(self.old_sql, exist_ok=True)
        shipped = sorted(f for f in os.listdir(SQL) if re.match(r"^\d{3}_\w+\.sql$", f))
        for f in shipped[:upto]:
            shutil.copy(os.path.join(SQL, f), self.old_sql)
        out = st.admin(self.config, "migrate", "--sql-dir", self.old_sql)
        assert "schema at version %d" % upto in out.stdout, out.stdout
        self.conn = pymysql.connect(unix_socket=e.db.socket, user="root", database=name,
                                    autocommit=True, charset="utf8mb4")

    def q(self, sql, *args):
        with self.conn.cursor() as c:
            c.execute(sql, args)
            return c.fetchall()

    def dump(self):
        """Every row of every table the old schema had, in a stable order."""
        return {t: self.q("SELECT %s FROM `%s`%s ORDER BY 1, 2" % (
                    cols, t, " WHERE permission LIKE 'project.%%'"
                    if t == "role_permissions" else ""))
                for t, cols in TABLES.items()}

    def migrate(self):
        return st.admin(self.config, "migrate", "--sql-dir", SQL, check=False)


class Upgrade(Database, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.setup(DATABASE, 2)

    @classmethod
    def tearDownClass(cls):
        cls.conn.close()

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
        out = self.migrate()
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("applied 003_api_apps.sql", out.stdout)
        self.assertEqual(out.stderr, "", "no membership is at a scope not its role's")
        self.assertEqual(self.dump(), before, "a row changed in the upgrade")
        self.assertEqual(self.q("SELECT MAX(version) FROM schema_migrations")[0][0], LATEST)
        # The API app, and only it, has its configuration row, no secret yet.
        self.assertEqual(self.q("SELECT app_id, client_id, auth_method, client_secret_hash"
                                " FROM api_configs"),
                         ((b"a-api", b"a-api", "basic", None),))
        # A second run changes nothing.
        again = self.migrate()
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
        self.assertEqual(self.q("SELECT %s FROM oidc_configs" % TABLES["oidc_configs"]),
                         before["oidc_configs"])



class RoleScopes(Database, unittest.TestCase):
    """A populated database at version 3 with memberships at scopes not
    their roles', upgraded."""

    @classmethod
    def setUpClass(cls):
        cls.setup("oidc_secret_upgrade_scopes", 3)
        cls.web = cls.env.lighttpd("upgrade-scopes", config=cls.config)

    @classmethod
    def tearDownClass(cls):
        cls.conn.close()

    def token(self, user):
        token = "t" + st.random_password()
        self.env.secrets_seen.add(token)
        self.q("INSERT INTO access_tokens VALUES (%s, %s, 'access', %s, 'openid',"
               " UTC_TIMESTAMP(6) + INTERVAL 1 HOUR, NULL, UTC_TIMESTAMP(6))",
               st.sha256_hex(token), user, API_PROJECT)
        return token

    def fill(self):
        """Organisation A (project pa, app aa) and C (project pc, app ac);
        C's users hold roles at scopes not theirs, A's owner rightly."""
        now = "UTC_TIMESTAMP(6)"
        self.q("INSERT INTO orgs VALUES ('oa', 'A', 'active', %s, %s),"
               " ('oc', 'C', 'active', %s, %s)" % (now, now, now, now))
        self.q("INSERT INTO users VALUES ('ua', 'oa', 'owner', 'active'),"
               " ('uc1', 'oc', 'one', 'active'), ('uc2', 'oc', 'two', 'active'),"
               " ('uc3', 'oc', 'three', 'active'), ('uc4', 'oc', 'four', 'active')")
        for p, o in (("pa", "oa"), ("pc", "oc")):
            self.q("INSERT INTO projects VALUES (%%s, %%s, 'P', 'active', 1, %s, %s)"
                   % (now, now), p, o)
        for a, p in (("aa", "pa"), ("ac", "pc")):
            self.q("INSERT INTO apps VALUES (%%s, %%s, 'Web', 'oidc', 'active', %s, %s)"
                   % (now, now), a, p)
            self.q("INSERT INTO oidc_configs VALUES (%s, %s, 'basic', NULL, NULL)",
                   a, a + "@c")
        # A site's own role, of no family: it gets no scope.
        self.q("INSERT INTO role_permissions VALUES ('SITE_ROTATOR', 'project.app.write')")
        self.q("INSERT INTO memberships VALUES"
               " ('ua', 'org', 'oa', 'ORG_OWNER'),"
               " ('uc1', 'instance', '', 'PROJECT_OWNER'),"
               " ('uc2', 'org', 'oc', 'IAM_OWNER'),"
               " ('uc3', 'project', 'pa', 'ORG_OWNER'),"
               " ('uc4', 'org', 'oc', 'SITE_ROTATOR'),"
               " ('uc4', 'org', 'oc', 'NO_SUCH_ROLE')")

    def call(self, token, project, app, via, org=None):
        if via == "v1":
            return rest(self.web.port, project, app, token=token, org=org)
        body = {"projectId": project, "applicationId": app}
        if via == "v2beta":
            body["isOidc"] = True
        return http(self.web.port, "POST", V2_PATH if via == "v2" else V2BETA_PATH,
                    {"Content-Type": "application/json", "Authorization": "Bearer " + token},
                    json.dumps(body))

    def test_mismatched_memberships_are_listed_and_grant_nothing(self):
        self.fill()
        before = self.dump()
        out = self.migrate()
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("applied 004_role_scopes.sql", out.stdout)
        self.assertEqual(self.dump(), before, "a row changed in the upgrade")
        self.assertEqual(dict(self.q("SELECT role, GROUP_CONCAT(DISTINCT COALESCE(scope, '-'))"
                                     " FROM role_permissions GROUP BY role")),
                         {"IAM_OWNER": "instance", "IAM_ORG_MANAGER": "instance",
                          "IAM_OWNER_VIEWER": "instance", "ORG_OWNER": "org",
                          "ORG_OWNER_VIEWER": "org", "ORG_USER_MANAGER": "org",
                          "PROJECT_OWNER": "project", "PROJECT_OWNER_GLOBAL": "project",
                          "PROJECT_OWNER_VIEWER": "project",
                          "PROJECT_OWNER_VIEWER_GLOBAL": "project", "SITE_ROTATOR": "-",
                          # 005 brings ZITADEL's user manager (user.write)
                          "IAM_USER_MANAGER": "instance"})
        admin = "oidc-secret-admin member "
        self.assertEqual(out.stderr, "".join(line + "\n" for line in (
            "oidc-secret-admin: these memberships hold a role at a scope that is not the"
            " role's, and grant nothing (see oidc-secret-admin(8), ROLES AND SCOPES):",
            "oidc-secret-admin: user uc1 holds PROJECT_OWNER at instance, a role of a project",
            "  remove it: " + admin + "remove --user uc1 --scope instance --role PROJECT_OWNER",
            "  instead: " + admin + "add --user uc1 --scope project --project ID"
            " --role PROJECT_OWNER",
            "      or: " + admin + "add --user uc1 --scope instance --role IAM_OWNER",
            "oidc-secret-admin: user uc2 holds IAM_OWNER at org oc, a role of the instance",
            "  remove it: " + admin + "remove --user uc2 --scope org --org oc --role IAM_OWNER",
            "  instead: " + admin + "add --user uc2 --scope org --org oc --role ORG_OWNER",
            "      or: " + admin + "add --user uc2 --scope instance --role IAM_OWNER",
            "oidc-secret-admin: user uc3 holds ORG_OWNER at project pa, a role of an"
            " organization",
            "  remove it: " + admin + "remove --user uc3 --scope project --project pa"
            " --role ORG_OWNER",
            "  instead: " + admin + "add --user uc3 --scope project --project pa"
            " --role PROJECT_OWNER",
            "      or: " + admin + "add --user uc3 --scope org --org oa --role ORG_OWNER",
            "oidc-secret-admin: user uc4 holds SITE_ROTATOR at org oc, a role of no scope",
            "  remove it: " + admin + "remove --user uc4 --scope org --org oc"
            " --role SITE_ROTATOR",
            "  instead: give the role one scope: UPDATE role_permissions SET scope = 'org'"
            " WHERE role = 'SITE_ROTATOR'")))
        # Disarmed: no call, in A or in C, with or without an org header.
        for user in ("uc1", "uc2", "uc3", "uc4"):
            token = self.token(user)
            for project, app, org in (("pa", "aa", "oa"), ("pc", "ac", "oc")):
                for via, header in (("v1", org), ("v1", None), ("v2", None),
                                    ("v2beta", None)):
                    with self.subTest(user=user, project=project, via=via, org=header):
                        seq = self.q("SELECT sequence FROM projects WHERE id = %s", project)
                        r = self.call(token, project, app, via, header)
                        self.assertEqual(r.status, 403, r.body)
                        self.assertEqual(self.q("SELECT sequence FROM projects WHERE id = %s",
                                                project), seq)
        # The rightful owner goes on as before.
        r = self.call(self.token("ua"), "pa", "aa", "v1")
        self.assertEqual(r.status, 200, r.body)
        self.env.secrets_seen.add(r.json()["clientSecret"])
        # Listed again while they are there; gone once what it said is run.
        self.assertEqual(self.migrate().stderr, out.stderr)
        lines = [ln.split(": ", 1)[1] for ln in out.stderr.splitlines()
                 if ln.startswith(("  remove it: ", "  instead: "))]
        for line in lines:
            if "UPDATE " in line:
                self.q(line[line.index("UPDATE "):])
            elif "--project ID" not in line:
                args = line.split()[1:]
                r = st.admin(self.config, *args, check=False)
                self.assertEqual(r.returncode, 0, (args, r.stderr))
        again = self.migrate()
        self.assertEqual((again.returncode, again.stderr), (0, ""))
        r = self.call(self.token("uc2"), "pc", "ac", "v2")
        self.assertEqual(r.status, 200, r.body)
        self.env.secrets_seen.add(r.json()["clientSecret"])


if __name__ == "__main__":
    unittest.main()
