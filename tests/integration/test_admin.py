"""oidc-secret-admin against the suite's real MariaDB.

Each class works in databases of its own (oidc_admin_*), created here as
root, so nothing it does touches the data of the other tests.  The tool is
run as an operator runs it: --config FILE, no OIDC_SECRET_* inherited from
the caller, results on stdout, errors on stderr, fixed exit codes
(0 ok, 1 no match / check failed, 2 usage, 3 configuration, 4 database,
5 not found, 6 database newer than the tool, 7 already exists).

The management commands (init, org, user, member, project, app) are checked
on the database (rows, events, sequences) and against the real responder:
a token from init, a membership, a deactivation, a secret from app add.
"""

import concurrent.futures
import datetime
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import unittest

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from harness import (API_PROJECT, ERRORS, SECRET_RE, argon2_verify, env, http, new_id,
                     php_verify, rest, st, verify_hash)
from test_oauth import FORM, GRANT_JWT, b64url, basic, jws

SQL_DIR = os.path.join(st.ROOT, "sql")
# The shipped migrations, and the numbers a test's own files take after them.
SHIPPED = sorted(f for f in os.listdir(SQL_DIR) if re.match(r"^\d{3}_[a-z0-9_]+\.sql$", f))
LATEST = int(SHIPPED[-1][:3])
NEXT, AFTER = "%03d" % (LATEST + 1), "%03d" % (LATEST + 2)
TOKEN_RE = re.compile(r"^[A-Za-z0-9]{43}$")
DEMO = st.DEMO


def run_admin(config, *args, stdin=None, extra_env=None, sql_dir=SQL_DIR):
    """oidc-secret-admin --config config args; a CompletedProcess (text)."""
    environ = {k: v for k, v in os.environ.items()
               if not k.startswith("OIDC_SECRET_")}
    if sql_dir is not None:
        environ["OIDC_SECRET_SQL_DIR"] = sql_dir
    environ.update(extra_env or {})
    cmd = [st.admin_path()]
    if config is not None:
        cmd += ["--config", config]
    return subprocess.run(cmd + list(args), input=stdin, capture_output=True,
                          text=True, env=environ, timeout=120)


def own_database(e, name, migrate=False, demo=False, **settings):
    """An empty database `name` with a user of the same name; its config path."""
    password = st.random_password()
    e.db.sql(
        "DROP DATABASE IF EXISTS `{n}`;\n"
        "CREATE DATABASE `{n}` CHARACTER SET utf8mb4;\n"
        "CREATE USER IF NOT EXISTS '{n}'@'localhost' IDENTIFIED BY '{p}';\n"
        "ALTER USER '{n}'@'localhost' IDENTIFIED BY '{p}';\n"
        "GRANT ALL ON `{n}`.* TO '{n}'@'localhost';\n".format(n=name, p=password))
    config = st.responder_config(os.path.join(e.dir, "%s.conf" % name), e.db,
                                 name, name, password, **settings)
    if migrate or demo:
        r = run_admin(config, "migrate")
        if r.returncode != 0:
            raise RuntimeError("migrate %s: %s" % (name, r.stderr))
    if demo:
        e.db.sql_file(os.path.join(SQL_DIR, "demo.sql"), name)
    return config, password


def rows(e, database, query):
    return e.db.sql(query, database)


def now_utc():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def parse_dt(text):
    return datetime.datetime.strptime(text[:19], "%Y-%m-%d %H:%M:%S")


class AdminCase(unittest.TestCase):
    def assert_exit(self, r, code, stderr_re=None):
        self.assertEqual(r.returncode, code,
                         "exit %d, stdout %r, stderr %r" % (r.returncode, r.stdout, r.stderr))
        if stderr_re is not None:
            self.assertRegex(r.stderr, stderr_re)


class Migrate(AdminCase):
    """Each test in a fresh database of its own."""

    @classmethod
    def setUpClass(cls):
        cls.env = env()

    def fresh(self, tag):
        name = "oidc_admin_mig_" + tag
        self.config, _ = own_database(self.env, name)
        self.database = name
        return name

    def state(self):
        """What migrate could change: tables, recorded versions, seeded roles."""
        return (
            rows(self.env, self.database, "SELECT table_name FROM information_schema.tables"
                 " WHERE table_schema = DATABASE() ORDER BY table_name"),
            rows(self.env, self.database, "SELECT version, name, applied_at"
                 " FROM schema_migrations ORDER BY version"),
            rows(self.env, self.database, "SELECT role, permission FROM role_permissions"
                 " ORDER BY role, permission"),
        )

    def sql_dir(self, *extra):
        """A copy of sql/ with extra (name, text) migrations."""
        d = tempfile.mkdtemp(prefix="sql-", dir=self.env.dir)
        self.addCleanup(shutil.rmtree, d, True)
        for f in os.listdir(SQL_DIR):
            shutil.copy(os.path.join(SQL_DIR, f), d)
        for name, text in extra:
            with open(os.path.join(d, name), "w") as fh:
                fh.write(text)
        return d

    def test_empty_database_gets_every_migration_then_nothing(self):
        self.fresh("fresh")
        r = run_admin(self.config, "migrate")
        self.assert_exit(r, 0)
        for name in SHIPPED:
            self.assertIn("applied " + name, r.stdout)
        self.assertIn("schema at version %d (%d applied now)" % (LATEST, len(SHIPPED)),
                      r.stdout)
        self.assertEqual(r.stderr, "")
        tables, versions, roles = self.state()
        self.assertEqual([v[:2] for v in versions],
                         [[str(int(f[:3])), f] for f in SHIPPED])
        self.assertEqual(SHIPPED[:4], ["001_schema.sql", "002_role_permissions.sql",
                                       "003_api_apps.sql", "004_role_scopes.sql"])
        names = {t[0] for t in tables}
        for t in ("orgs", "users", "memberships", "role_permissions", "access_tokens",
                  "projects", "apps", "oidc_configs", "api_configs", "events",
                  "schema_migrations"):
            self.assertIn(t, names)
        self.assertIn(["IAM_OWNER", "project.app.write"], roles)
        before = self.state()
        # Idempotent: a second run applies nothing and changes nothing.
        r = run_admin(self.config, "migrate")
        self.assert_exit(r, 0)
        self.assertNotIn("applied 0", r.stdout)
        self.assertIn("(0 applied now)", r.stdout)
        self.assertEqual(self.state(), before)

    def test_database_newer_than_the_tool_is_refused(self):
        self.fresh("newer")
        self.assert_exit(run_admin(self.config, "migrate"), 0)
        rows(self.env, self.database, "INSERT INTO schema_migrations VALUES"
             " (%d, 'from_the_future.sql', UTC_TIMESTAMP(6))" % (LATEST + 3))
        before = self.state()
        # Even a pending file of its own is not applied to a newer database.
        d = self.sql_dir((NEXT + "_extra.sql", "CREATE TABLE extra (id INT);\n"))
        r = run_admin(self.config, "migrate", "--sql-dir", d)
        self.assert_exit(r, 6, r"schema version %d, newer than .*\(%d in " % (LATEST + 3, LATEST + 1))
        self.assertIn("nothing changed", r.stderr)
        self.assertNotIn("applied", r.stdout)
        self.assertEqual(self.state(), before)

    def test_broken_migration_rolls_back_its_data_and_is_not_recorded(self):
        self.fresh("broken")
        self.assert_exit(run_admin(self.config, "migrate"), 0)
        good_insert = ("INSERT INTO role_permissions (role, permission)"
                       " VALUES ('OPS_TEST_ROLE', 'ops.test');\n")
        broken = NEXT + "_broken.sql"
        d = self.sql_dir((broken, "-- a good statement, then a bad one\n"
                          + good_insert + "UPDATE no_such_table SET x = 1;\n"))
        before = self.state()
        r = run_admin(self.config, "migrate", "--sql-dir", d)
        self.assert_exit(r, 4, r"%s: the statement ending at line 3 failed" % re.escape(broken))
        self.assertIn("%s not applied; schema left at version %d" % (broken, LATEST), r.stderr)
        self.assertNotIn("applied " + NEXT, r.stdout)
        # The INSERT before the failure is undone (DML in the transaction).
        self.assertEqual(self.state(), before)
        # Fixed, it applies, once.
        with open(os.path.join(d, broken), "w") as fh:
            fh.write(good_insert)
        r = run_admin(self.config, "migrate", "--sql-dir", d)
        self.assert_exit(r, 0)
        self.assertIn("applied " + broken, r.stdout)
        self.assertNotIn("applied 001", r.stdout)
        _, versions, roles = self.state()
        self.assertEqual([v[0] for v in versions], [str(v) for v in range(1, LATEST + 2)])
        self.assertIn(["OPS_TEST_ROLE", "ops.test"], roles)

    def test_a_skipped_older_migration_is_refused(self):
        self.fresh("gap")
        self.assert_exit(run_admin(self.config, "migrate"), 0)
        d = self.sql_dir((NEXT + "_a.sql", "CREATE TABLE IF NOT EXISTS gap_a (id INT);\n"),
                         (AFTER + "_b.sql", "CREATE TABLE IF NOT EXISTS gap_b (id INT);\n"))
        # The later one recorded, the earlier never: applying it now would
        # run it out of order.
        rows(self.env, self.database, "INSERT INTO schema_migrations VALUES"
             " (%d, '%s_b.sql', UTC_TIMESTAMP(6))" % (LATEST + 2, AFTER))
        before = self.state()
        r = run_admin(self.config, "migrate", "--sql-dir", d)
        self.assert_exit(r, 3, r"%s_a\.sql was never applied, yet the database is at version %d"
                         % (NEXT, LATEST + 2))
        self.assertIn("nothing changed", r.stderr)
        self.assertEqual(self.state(), before)

    def test_one_migrate_at_a_time(self):
        import pymysql
        name = self.fresh("lock")
        holder = pymysql.connect(unix_socket=self.env.db.socket, user="root", database=name)
        self.addCleanup(holder.close)
        with holder.cursor() as cur:
            cur.execute("SELECT GET_LOCK(CONCAT(DATABASE(), '.oidc-secret-migrate'), 0)")
            self.assertEqual(cur.fetchone()[0], 1)
        environ = {k: v for k, v in os.environ.items() if not k.startswith("OIDC_SECRET_")}
        environ["OIDC_SECRET_SQL_DIR"] = SQL_DIR
        p = subprocess.Popen([st.admin_path(), "--config", self.config, "migrate"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env=environ)
        time.sleep(1.5)
        # Waiting for the lock, it has changed nothing yet.
        self.assertIsNone(p.poll())
        self.assertEqual(rows(self.env, self.database, "SHOW TABLES"), [])
        with holder.cursor() as cur:
            cur.execute("SELECT RELEASE_LOCK(CONCAT(DATABASE(), '.oidc-secret-migrate'))")
        out, err = p.communicate(timeout=60)
        self.assertEqual(p.returncode, 0, err)
        self.assertIn("applied 002_role_permissions.sql", out)

    def test_statement_without_semicolon_is_refused(self):
        self.fresh("nosemi")
        self.assert_exit(run_admin(self.config, "migrate"), 0)
        d = self.sql_dir((NEXT + "_open.sql", "INSERT INTO role_permissions (role, permission)"
                          " VALUES ('A', 'b')\n"))
        before = self.state()
        r = run_admin(self.config, "migrate", "--sql-dir", d)
        # A malformed file is an input file's fault (3), not the database's.
        self.assert_exit(r, 3, r"%s_open\.sql: the last statement has no ';'" % NEXT)
        self.assertEqual(self.state(), before)

    def test_bad_sql_directories_are_configuration_errors(self):
        self.fresh("dirs")
        empty = tempfile.mkdtemp(prefix="sql-empty-", dir=self.env.dir)
        self.addCleanup(shutil.rmtree, empty, True)
        dup = self.sql_dir(("002_again.sql", "SELECT 1;\n"))
        cases = (
            (os.path.join(self.env.dir, "no-such-dir"), r"sql directory .*no-such-dir: No such file"),
            (empty, r"holds no NNN_name\.sql migrations"),
            (dup, r"002_(again|role_permissions)\.sql and 002_(again|role_permissions)\.sql share a version"),
        )
        for d, msg in cases:
            with self.subTest(dir=d):
                r = run_admin(self.config, "migrate", "--sql-dir", d)
                self.assert_exit(r, 3, msg)
                self.assertEqual(rows(self.env, self.database, "SHOW TABLES"), [])

    def test_sql_dir_from_the_environment(self):
        self.fresh("envdir")
        d = self.sql_dir((NEXT + "_extra.sql", "CREATE TABLE IF NOT EXISTS extra (id INT);\n"))
        r = run_admin(self.config, "migrate", sql_dir=d)
        self.assert_exit(r, 0)
        self.assertIn("applied %s_extra.sql" % NEXT, r.stdout)
        self.assertIn("schema at version %d (%d applied now)" % (LATEST + 1, LATEST + 1),
                      r.stdout)

    def test_unreachable_database_is_4(self):
        self.fresh("down")
        config = st.responder_config(
            os.path.join(self.env.dir, "admin-down.conf"), self.env.db, self.database,
            self.database, "x", db_socket=os.path.join(self.env.dir, "no.sock"),
            db_connect_timeout_s=2)
        r = run_admin(config, "migrate")
        self.assert_exit(r, 4, r"database")


class WithDemo(AdminCase):
    """A migrated database with the demo data, and a lighttpd serving it."""

    database = "oidc_admin_demo"

    @classmethod
    def setUpClass(cls):
        cls.env = env()
        if not hasattr(WithDemo, "_config"):
            WithDemo._config, WithDemo._password = own_database(
                cls.env, cls.database, demo=True)
        cls.config = WithDemo._config
        cls.web = cls.env.lighttpd("admin-demo", config=cls.config)
        cls.port = cls.web.port

    def sql(self, query):
        return rows(self.env, self.database, query)

    def issue(self, *args, user=DEMO["USER_ID"], warning=None):
        """A token, printed alone; stderr empty, or the one warning line."""
        r = run_admin(self.config, "token", "issue", "--user", user, *args)
        self.assert_exit(r, 0)
        if warning is None:
            self.assertEqual(r.stderr, "")
        else:
            self.assertEqual(len(r.stderr.splitlines()), 1, r.stderr)
            self.assertRegex(r.stderr, warning)
        token = r.stdout.strip()
        self.assertRegex(token, TOKEN_RE)
        self.assertEqual(r.stdout, token + "\n", "the token is printed once, alone")
        self.env.secrets_seen.add(token)
        return token

    def token_row(self, token):
        got = self.sql("SELECT user_id, token_type, audience, scopes,"
                       " COALESCE(expires_at, 'NULL'), COALESCE(revoked_at, 'NULL')"
                       " FROM access_tokens WHERE token_sha256 = '%s'" % st.sha256_hex(token))
        self.assertEqual(len(got), 1, "the token's SHA-256 is stored")
        return got[0]

    def call(self, token, app=DEMO["APP_ID"]):
        return rest(self.port, DEMO["PROJECT_ID"], app, token=token)

    def assert_invalid(self, r):
        code, eid, text, status = ERRORS["token_invalid"]
        self.assertEqual(r.status, status, r.body)
        self.assertEqual(r.json()["message"], "%s (%s)" % (text, eid))


class Tokens(WithDemo):
    def test_issue_prints_a_token_once_and_stores_only_its_sha256(self):
        token = self.issue()
        user, ttype, aud, scopes, expires, revoked = self.token_row(token)
        self.assertEqual((user, ttype, aud, revoked), (DEMO["USER_ID"], "access",
                                                       API_PROJECT, "NULL"))
        self.assertIn("openid", scopes)
        # Default lifetime: 12 hours.
        left = (parse_dt(expires) - now_utc()).total_seconds()
        self.assertTrue(43200 - 120 < left <= 43200 + 1, left)
        # Nowhere in the table, in any column of any row.
        dump = self.sql("SELECT CONCAT_WS('|', token_sha256, user_id, token_type, audience,"
                        " scopes, COALESCE(expires_at, ''), COALESCE(revoked_at, ''),"
                        " creation_date) FROM access_tokens")
        self.assertNotIn(token, "\n".join(r[0] for r in dump))
        # And it works against the responder.
        r = self.call(token)
        self.assertEqual(r.status, 200, r.body)
        self.env.secrets_seen.add(r.json()["clientSecret"])

    def test_ttl_pat_audience_and_scopes_are_honoured(self):
        short = self.issue("--ttl", "2")
        left = (parse_dt(self.token_row(short)[4]) - now_utc()).total_seconds()
        self.assertTrue(-1 <= left <= 3, left)
        pat = self.issue("--pat", "--audience", "some-other-api")
        _, ttype, aud, _, expires, _ = self.token_row(pat)
        self.assertEqual((ttype, aud, expires), ("pat", "some-other-api", "NULL"))
        pat_ttl = self.issue("--pat", "--ttl", "600")
        _, ttype, _, _, expires, _ = self.token_row(pat_ttl)
        self.assertEqual(ttype, "pat")
        self.assertTrue(590 < (parse_dt(expires) - now_utc()).total_seconds() <= 601)
        # The responder will refuse an access token without api_project_id
        # in its audience: issued, with a warning saying so and what to do.
        other_aud = self.issue("--audience", "123 456", warning=(
            r'^oidc-secret-admin: token issue: warning: the audience "123 456" does not '
            r'hold api_project_id \(%s\), so the responder will refuse this access token; '
            r'leave --audience out, add %s to it, or issue a personal access token \(--pat\)'
            % (API_PROJECT, API_PROJECT)))
        self.assertEqual(self.token_row(other_aud)[2], "123 456")
        several = self.issue("--audience", "123 %s" % API_PROJECT, "--scopes", "openid profile")
        self.assertEqual(self.token_row(several)[2:4], ["123 %s" % API_PROJECT, "openid profile"])
        # What the responder makes of them.
        self.assertEqual(self.call(several).status, 200)
        self.assertEqual(self.call(pat).status, 200, "a PAT skips the audience check")
        self.assert_invalid(self.call(other_aud))
        time.sleep(3.2)
        self.assert_invalid(self.call(short))

    def test_unknown_user_is_5_and_nothing_stored(self):
        before = self.sql("SELECT COUNT(*) FROM access_tokens")
        r = run_admin(self.config, "token", "issue", "--user", "4242424242")
        self.assert_exit(r, 5, r'no user "4242424242"')
        self.assertEqual(r.stdout, "")
        self.assertEqual(self.sql("SELECT COUNT(*) FROM access_tokens"), before)

    def test_list_shows_ids_never_tokens(self):
        a = self.issue()
        b = self.issue("--pat")
        r = run_admin(self.config, "token", "list")
        self.assert_exit(r, 0)
        self.assertEqual(r.stderr, "")
        lines = r.stdout.splitlines()
        self.assertTrue(lines[0].startswith("ID "), lines[0])
        for tok in (a, b):
            self.assertNotIn(tok, r.stdout)
            sha = st.sha256_hex(tok)
            self.assertNotIn(sha, r.stdout, "only a 12-digit prefix is shown")
            mine = [ln for ln in lines if ln.startswith(sha[:12] + " ")]
            self.assertEqual(len(mine), 1, r.stdout)
            self.assertRegex(mine[0], r"^[0-9a-f]{12}  %s " % DEMO["USER_ID"])
        self.assertIn(" pat ", [ln for ln in lines if ln.startswith(st.sha256_hex(b)[:12])][0])
        # --user filters.
        r = run_admin(self.config, "token", "list", "--user", "no-such-user")
        self.assert_exit(r, 0)
        self.assertEqual(len(r.stdout.splitlines()), 1)

    def test_revoke_by_prefix_then_the_token_is_invalid(self):
        token = self.issue()
        self.assertEqual(self.call(token).status, 200)
        prefix = st.sha256_hex(token)[:12]
        r = run_admin(self.config, "token", "revoke", "--id", prefix)
        self.assert_exit(r, 0)
        self.assertIn("revoked " + prefix, r.stdout)
        self.assertNotEqual(self.token_row(token)[5], "NULL")
        self.assert_invalid(self.call(token))
        listed = run_admin(self.config, "token", "list").stdout
        line = [ln for ln in listed.splitlines() if ln.startswith(prefix)][0]
        self.assertNotRegex(line, r"  -  ", "the REVOKED column shows a time")
        # Already revoked: nothing left to revoke.
        r = run_admin(self.config, "token", "revoke", "--id", prefix)
        self.assert_exit(r, 5, "no unrevoked token")

    def test_ambiguous_and_unknown_prefixes_are_5(self):
        # Two stored digests sharing 10 digits (made up: no token behind them).
        shared = "0badc0ffee"
        for tail in ("1" * 54, "2" * 54):
            self.sql("INSERT INTO access_tokens (token_sha256, user_id, token_type,"
                     " audience, scopes, expires_at, revoked_at, creation_date) VALUES"
                     " ('%s', '%s', 'access', '', '', NULL, NULL, UTC_TIMESTAMP(6))"
                     % (shared + tail, DEMO["USER_ID"]))
        r = run_admin(self.config, "token", "revoke", "--id", shared)
        self.assert_exit(r, 5, "2 unrevoked tokens have an ID starting with 0badc0ffee")
        self.assertEqual(self.sql("SELECT COUNT(*) FROM access_tokens WHERE token_sha256"
                                  " LIKE '0badc0ffee%' AND revoked_at IS NULL"), [["2"]])
        r = run_admin(self.config, "token", "revoke", "--id", "ffffffff0000ffff")
        self.assert_exit(r, 5, "no unrevoked token")
        # More digits pick one.
        r = run_admin(self.config, "token", "revoke", "--id", shared + "1")
        self.assert_exit(r, 0)
        # Not a prefix at all: usage.
        for bad in ("0BADC0FFEE", "0badc0f%", "0badc0", "x" * 65):
            with self.subTest(prefix=bad):
                self.assert_exit(run_admin(self.config, "token", "revoke", "--id", bad),
                                 2, "--id")


class Verify(WithDemo):
    def regenerate(self, app=DEMO["APP_ID"]):
        token = self.issue()
        r = self.call(token, app=app)
        self.assertEqual(r.status, 200, r.body)
        secret = r.json()["clientSecret"]
        self.env.secrets_seen.add(secret)
        return secret

    def verify(self, secret, project=DEMO["PROJECT_ID"], app=DEMO["APP_ID"]):
        return run_admin(self.config, "verify", "--project", project, "--app", app,
                         stdin=secret)

    def test_right_secret_0_wrong_1(self):
        secret = self.regenerate()
        self.assert_exit(self.verify(secret), 0)
        self.assert_exit(self.verify(secret + "\n"), 0)
        r = self.verify(secret[:-1] + ("a" if secret[-1] != "a" else "b"))
        self.assert_exit(r, 1)
        self.assertEqual((r.stdout, r.stderr), ("", ""))
        self.assert_exit(self.verify(secret + "x"), 1)
        # The secret of before a regeneration no longer matches.
        self.regenerate()
        self.assert_exit(self.verify(secret), 1)

    def test_no_hash_or_no_app_is_5(self):
        self.sql("INSERT IGNORE INTO apps (id, project_id, name, app_type, state,"
                 " creation_date, change_date) VALUES ('4000000000001', '%s', 'no secret',"
                 " 'oidc', 'active', UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))" % DEMO["PROJECT_ID"])
        self.sql("INSERT IGNORE INTO oidc_configs (app_id, client_id, auth_method)"
                 " VALUES ('4000000000001', '4000000000001@t', 'none')")
        for project, app in ((DEMO["PROJECT_ID"], "4000000000001"),
                             (DEMO["PROJECT_ID"], DEMO["API_APP_ID"]),
                             (DEMO["PROJECT_ID"], "no-such-app"),
                             ("no-such-project", DEMO["APP_ID"])):
            with self.subTest(project=project, app=app):
                self.assert_exit(self.verify("whatever", project, app), 5, "no secret stored")

    def test_hashes_made_elsewhere_are_verified(self):
        """$2y$ and $argon2id$ from PHP, $2b$ from hash: all read."""
        secret = "imported-secret-0123456789"
        app = "4000000000002"
        self.sql("INSERT IGNORE INTO apps (id, project_id, name, app_type, state,"
                 " creation_date, change_date) VALUES ('%s', '%s', 'imported', 'oidc',"
                 " 'active', UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))" % (app, DEMO["PROJECT_ID"]))
        self.sql("INSERT IGNORE INTO oidc_configs (app_id, client_id, auth_method)"
                 " VALUES ('%s', '%s@t', 'basic')" % (app, app))
        hashes = []
        for algo in ("PASSWORD_BCRYPT", "PASSWORD_ARGON2ID", "PASSWORD_ARGON2I"):
            out = subprocess.run(["php", "-r", "echo password_hash(stream_get_contents(STDIN), %s);"
                                  % algo], input=secret, capture_output=True, text=True)
            if out.returncode == 0 and out.stdout.startswith("$"):
                hashes.append(out.stdout)
        bcrypt_conf = st.responder_config(
            os.path.join(self.env.dir, "admin-bcrypt.conf"), self.env.db, self.database,
            self.database, self._password, hash_algorithm="bcrypt", bcrypt_cost=5)
        r = run_admin(bcrypt_conf, "hash", stdin=secret)
        self.assert_exit(r, 0)
        hashes.append(r.stdout.strip())
        self.assertTrue(any(h.startswith("$2y$") for h in hashes), hashes)
        self.assertTrue(any(h.startswith("$2b$05$") for h in hashes), hashes)
        for h in hashes:
            with self.subTest(hash=h[:12]):
                self.sql("UPDATE oidc_configs SET client_secret_hash = '%s'"
                         " WHERE app_id = '%s'" % (h, app))
                self.assert_exit(self.verify(secret, app=app), 0)
                self.assert_exit(self.verify(secret + "!", app=app), 1)

    def test_empty_stdin_is_usage(self):
        self.assert_exit(self.verify(""), 2, "expected one secret on stdin")
        self.assert_exit(self.verify("\n"), 2, "expected one secret on stdin")


class Hash(AdminCase):
    """hash needs a configuration but no database."""

    @classmethod
    def setUpClass(cls):
        cls.env = env()

    def conf(self, name, **settings):
        return st.responder_config(
            os.path.join(self.env.dir, "admin-hash-%s.conf" % name), self.env.db,
            "unused", "unused", "unused", db_socket="/nonexistent/socket", **settings)

    def test_bcrypt_4_default_verifies_with_php_and_pyca_bcrypt(self):
        secret = "s3cret-For-Import-0123456789"
        r = run_admin(self.conf("default"), "hash", stdin=secret + "\n")
        self.assert_exit(r, 0)
        h = r.stdout.strip()
        self.assertRegex(h, r"^\$2b\$04\$[./A-Za-z0-9]{53}$")
        self.assertNotIn(secret, r.stdout)
        self.assertTrue(php_verify(secret, h))
        self.assertTrue(verify_hash(secret, h))
        self.assertFalse(php_verify(secret + "x", h))
        self.assertFalse(verify_hash(secret + "x", h))
        # A fresh salt each time.
        self.assertNotEqual(run_admin(self.conf("default"), "hash", stdin=secret).stdout, r.stdout)

    def test_argon2id_verifies_with_php_and_argon2_cffi(self):
        secret = "s3cret-For-Import-0123456789"
        r = run_admin(self.conf("argon2id", hash_algorithm="argon2id"), "hash",
                      stdin=secret + "\n")
        self.assert_exit(r, 0)
        h = r.stdout.strip()
        self.assertRegex(h, r"^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$")
        self.assertNotIn(secret, r.stdout)
        self.assertTrue(php_verify(secret, h))
        self.assertTrue(argon2_verify(secret, h))
        self.assertFalse(php_verify(secret + "x", h))

    def test_argon2id_parameters_from_the_configuration(self):
        secret = "another-secret"
        r = run_admin(self.conf("argon", hash_algorithm="argon2id", argon2_memory_kib=8192,
                                argon2_iterations=3, argon2_parallelism=2), "hash",
                      stdin=secret)
        self.assert_exit(r, 0)
        self.assertTrue(r.stdout.startswith("$argon2id$v=19$m=8192,t=3,p=2$"), r.stdout)
        self.assertTrue(php_verify(secret, r.stdout.strip()))

    def test_bcrypt_verifies_with_php(self):
        secret = "bcrypt-secret-0123456789"
        r = run_admin(self.conf("bcrypt", hash_algorithm="bcrypt", bcrypt_cost=6),
                      "hash", stdin=secret)
        self.assert_exit(r, 0)
        h = r.stdout.strip()
        self.assertRegex(h, r"^\$2b\$06\$[./A-Za-z0-9]{53}$")
        self.assertTrue(php_verify(secret, h))
        self.assertFalse(php_verify(secret[:-1], h))
        # bcrypt reads 72 bytes: more would be cut short silently, so refused.
        r = run_admin(self.conf("bcrypt", hash_algorithm="bcrypt"), "hash", stdin="x" * 73)
        self.assert_exit(r, 2, "at most 72 bytes")

    def test_empty_or_oversized_input_is_usage(self):
        for text in ("", "\n", "x" * 1024):
            with self.subTest(n=len(text)):
                self.assert_exit(run_admin(self.conf("default"), "hash", stdin=text), 2,
                                 "expected one secret on stdin")


def readme_responder_grants():
    """Getting started: the GRANT statements of the responder's user."""
    with open(os.path.join(st.ROOT, "doc", "getting-started.md")) as f:
        text = f.read()
    block = [b for b in re.findall(r"^```sh getting-started\n(.*?)^```$", text, re.S | re.M)
             if "CREATE USER IF NOT EXISTS 'oidc_secret'@" in b][0]
    return re.findall(r"^GRANT (.+?) ON oidc_secret\.(\w+) TO 'oidc_secret'@'localhost';$",
                      block, re.M)


class CheckConfig(AdminCase):
    database = "oidc_admin_check"

    @classmethod
    def setUpClass(cls):
        cls.env = env()
        cls.config, cls.password = own_database(cls.env, cls.database, migrate=True)
        # The API project init would have made: api_project_id names it.
        rows(cls.env, cls.database,
             "INSERT INTO orgs VALUES ('check-org', 'Check', 'active', UTC_TIMESTAMP(6),"
             " UTC_TIMESTAMP(6));"
             " INSERT INTO projects VALUES ('%s', 'check-org', 'API', 'active', 1,"
             " UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))" % API_PROJECT)

    def conf_text(self, name, text):
        """The configuration with the keys of text replaced (a key given
        twice is an error of its own)."""
        path = os.path.join(self.env.dir, "admin-check-%s.conf" % name)
        given = {ln.split("=")[0].strip() for ln in text.splitlines()}
        with open(self.config) as f:
            base = [ln for ln in f if ln.split("=")[0].strip() not in given]
        with open(path, "w") as f:
            f.write("".join(base) + text)
        return path

    def assert_no_password(self, r):
        self.assertNotIn(self.password, r.stdout + r.stderr)

    def test_good_configuration_0(self):
        r = run_admin(self.config, "check-config")
        self.assert_exit(r, 0)
        self.assertIn("configuration: %s: ok (hash bcrypt)" % self.config, r.stdout)
        self.assertIn("database: reachable, schema version %d" % LATEST, r.stdout)
        self.assertEqual(r.stderr, "")
        self.assert_no_password(r)

    def test_the_admin_tools_user_and_the_api_project_are_named(self):
        r = run_admin(self.config, "check-config")
        self.assert_exit(r, 0)
        self.assertIn("database user: 'oidc_admin_check'@'localhost': may change the schema: "
                      "the admin tool's user", r.stdout)
        self.assertIn('api_project_id: %s: project "API", active' % API_PROJECT, r.stdout)

    def test_an_api_project_id_that_names_no_project_is_a_warning(self):
        r = run_admin(self.conf_text("noproject", "api_project_id = 4040404\n"),
                      "check-config")
        self.assert_exit(r, 0)
        self.assertEqual(r.stderr.splitlines(), [
            "oidc-secret-admin: warning: api_project_id = 4040404 names no project in this"
            " database: the responder accepts access tokens with 4040404 in their audience all"
            " the same, but init made the API project and printed its ID; oidc-secret-admin"
            " project list lists the projects"])
        self.assertNotIn("api_project_id:", r.stdout)

    def responder_user(self, name, grants):
        """A database user of its own with these (privileges, table) grants;
        a configuration that names it."""
        password = st.random_password()
        self.env.db.sql("DROP USER IF EXISTS '{u}'@'localhost';"
                        " CREATE USER '{u}'@'localhost' IDENTIFIED BY '{p}';".format(
                            u=name, p=password))
        for privs, table in grants:
            self.env.db.sql("GRANT %s ON `%s`.`%s` TO '%s'@'localhost';"
                            % (privs, self.database, table, name))
        return self.conf_text(name, "db_user = %s\ndb_password = %s\n" % (name, password))

    def test_the_responders_user_has_exactly_the_readme_grants(self):
        grants = readme_responder_grants()
        self.assertGreaterEqual(len(grants), 10)
        conf = self.responder_user("oidc_check_resp", grants)
        r = run_admin(conf, "check-config")
        self.assert_exit(r, 0)
        self.assertEqual(r.stderr, "")
        self.assertIn("database: reachable, the tables in place", r.stdout)
        self.assertIn("database user: 'oidc_check_resp'@'localhost': exactly the responder's"
                      " grants (oidc-secret.conf(5))", r.stdout)
        self.assertIn('api_project_id: %s: project "API", active' % API_PROJECT, r.stdout)

    def test_a_grant_missing_or_one_too_many_is_named_with_its_statement(self):
        grants = readme_responder_grants()
        # Each grant the README gives is one check-config looks for.
        for i, (privs, table) in enumerate(grants):
            with self.subTest(without=(privs, table)):
                conf = self.responder_user("oidc_check_less", grants[:i] + grants[i + 1:])
                r = run_admin(conf, "check-config")
                self.assert_exit(r, 1)
                lines = r.stderr.splitlines()
                self.assertRegex(lines[0], r"^oidc-secret-admin: database user "
                                 r"'oidc_check_less'@'localhost' lacks \d+ and holds 0 more than"
                                 r" the responder's grants \(oidc-secret\.conf\(5\)\); as the"
                                 r" database's administrator, run:$")
                self.assertTrue(lines[1:], r.stderr)
                for line in lines[1:]:
                    self.assertRegex(line, r"^GRANT (SELECT|UPDATE|INSERT|DELETE)( \(\w+\))? ON "
                                     r"`oidc_admin_check`\.`%s` TO 'oidc_check_less'@'localhost';$"
                                     % table)
        # More than the responder needs: every column of oidc_configs.
        conf = self.responder_user("oidc_check_more", grants + [("SELECT", "oidc_configs")])
        r = run_admin(conf, "check-config")
        self.assert_exit(r, 1)
        # Revoked from the table, the column goes too: granted again after.
        self.assertEqual(r.stderr.splitlines()[1:], [
            "REVOKE SELECT ON `oidc_admin_check`.`oidc_configs` FROM"
            " 'oidc_check_more'@'localhost';",
            "GRANT SELECT (app_id) ON `oidc_admin_check`.`oidc_configs` TO"
            " 'oidc_check_more'@'localhost';",
            "GRANT SELECT (client_secret_hash) ON `oidc_admin_check`.`oidc_configs` TO"
            " 'oidc_check_more'@'localhost';"])
        self.assertIn("lacks 0 and holds 1 more", r.stderr)
        # Run as told, the statements make it right.
        self.env.db.sql("\n".join(r.stderr.splitlines()[1:]))
        r = run_admin(conf, "check-config")
        self.assert_exit(r, 0)
        self.assertIn("exactly the responder's grants", r.stdout)

    def test_config_from_the_environment_variable(self):
        r = run_admin(None, "check-config", extra_env={"OIDC_SECRET_CONFIG": self.config})
        self.assert_exit(r, 0)
        self.assertIn(self.config, r.stdout)

    def test_bad_value_3_one_line_naming_the_key(self):
        cases = (
            ("db_port = 80a\n", None, r"db_port = \"80a\": expected a whole number from 1 to 65535"),
            ("bcrypt_cost = 32\n", None, r"bcrypt_cost = \"32\": expected a whole number from 4 to 31"),
            ("hash_algorithm = md5\n", None, r"hash_algorithm = \"md5\": expected one of argon2id, bcrypt"),
            ("log_level = loud\n", None, r"log_level = \"loud\""),
            ("no_such_key = 1\n", None, r"unknown configuration key \"no_such_key\""),
            ("db_password\n", None, r"expected \"key = value\""),
            ("", {"OIDC_SECRET_SECRET_LENGTH": "8"},
             r"environment OIDC_SECRET_SECRET_LENGTH: secret_length = \"8\": expected a whole number from 16 to 128"),
            ("api_project_id =\n", None, r"api_project_id is empty"),
            ("hash_algorithm = bcrypt\nsecret_length = 100\n", None, r"secret_length = 100: bcrypt"),
        )
        for i, (text, extra, msg) in enumerate(cases):
            with self.subTest(text=text, env=extra):
                r = run_admin(self.conf_text("bad%d" % i, text), "check-config",
                              extra_env=extra)
                self.assert_exit(r, 3, msg)
                self.assertEqual(len(r.stderr.splitlines()), 1, r.stderr)
                self.assertTrue(r.stderr.startswith("oidc-secret-admin: configuration: "))
                self.assertEqual(r.stdout, "")
                self.assert_no_password(r)

    def test_password_is_never_echoed(self):
        r = run_admin(self.conf_text("pw", "db_password = %s\x01\n" % self.password),
                      "check-config")
        self.assert_exit(r, 3, r"db_password = \"\(hidden\)\"")
        self.assert_no_password(r)

    def test_missing_file_named_explicitly_3(self):
        r = run_admin(os.path.join(self.env.dir, "no-such.conf"), "check-config")
        self.assert_exit(r, 3, "cannot open")

    def test_unreachable_database_4(self):
        for name, text in (("sock", "db_socket = %s\ndb_connect_timeout_s = 2\n"
                            % os.path.join(self.env.dir, "nothing.sock")),
                           ("pw", "db_password = wrong-%s\n" % self.password[:4])):
            with self.subTest(case=name):
                r = run_admin(self.conf_text("down-" + name, text), "check-config")
                self.assert_exit(r, 4, r"database: cannot connect as oidc_admin_check to oidc_admin_check")
                self.assertIn("configuration:", r.stdout)
                self.assert_no_password(r)

    def test_unmigrated_database_1(self):
        config, _ = own_database(self.env, "oidc_admin_check_empty")
        r = run_admin(config, "check-config")
        self.assert_exit(r, 1, "no schema yet: run oidc-secret-admin migrate")
        self.assertIn("schema version 0", r.stdout)


class Usage(AdminCase):
    """Usage errors are 2, found before the configuration is even read."""

    @classmethod
    def setUpClass(cls):
        cls.env = env()
        cls.missing = os.path.join(cls.env.dir, "does-not-exist.conf")

    def test_help_and_version(self):
        r = run_admin(None, "--help")
        self.assert_exit(r, 0)
        for text in ("migrate [--sql-dir DIR]", "token issue --user ID", "token revoke --id PREFIX",
                     "token list [--user ID]", "verify --project ID --app ID", "hash",
                     "check-config", "2 usage", "6 database newer", "init [--org NAME]",
                     "org add --name NAME", "user add --org ID --name NAME",
                     "member add|remove --user ID --scope instance|org|project",
                     "project add --org ID --name NAME", "app add --project ID --name NAME",
                     "7 already exists", "user add --org ID --name NAME [--machine]",
                     "user secret --user ID", "user secret remove --user ID",
                     "user key add --user ID [--expires YYYY-MM-DD] [--public-key FILE]",
                     "user key list --user ID", "user key remove --user ID --key KEY_ID",
                     "secret end-grace --app ID | --user ID", "verify --user ID"):
            self.assertIn(text, r.stdout)
        self.assertEqual(r.stderr, "")
        self.assert_exit(run_admin(self.missing, "token", "issue", "--help"), 0)
        r = run_admin(None, "--version")
        self.assert_exit(r, 0)
        self.assertRegex(r.stdout, r"^oidc-secret-admin \d+\.\d+\.\d+\n")
        # Then each library it links, as the responder's --version has them.
        # The MySQL client's TLS library is named as it names itself.
        libs = [line.split(" ")[0] for line in r.stdout.splitlines()[1:]]
        self.assertIn(libs[4:5], (["OpenSSL"], ["GnuTLS"]), r.stdout)
        self.assertEqual(libs[:4] + libs[5:], ["libgcrypt", "libgpg-error", "json-c", "MariaDB",
                                               "zlib", "libxcrypt"])

    def test_usage_errors_are_2_on_stderr(self):
        cases = (
            ((), r"^usage: oidc-secret-admin"),
            (("frobnicate",), r'unknown command "frobnicate"'),
            (("--verbose", "migrate"), r'unknown option "--verbose"'),
            (("token",), r"token: expected issue, revoke or list"),
            (("token", "burn"), r"token: expected issue, revoke or list"),
            (("migrate", "--sql-dir"), r"--sql-dir needs a value"),
            (("migrate", "extra"), r'unexpected argument "extra"'),
            (("token", "issue"), r"token issue needs --user ID"),
            (("token", "issue", "--user"), r"--user needs a value"),
            (("token", "issue", "--user", "--pat"), r"--user needs a value"),
            (("token", "issue", "--user", "1", "--user", "2"), r"--user given twice"),
            (("token", "issue", "--user", "1", "--ttl", "0"), r"--ttl \"0\": expected whole seconds"),
            (("token", "issue", "--user", "1", "--ttl", "1h"), r"--ttl"),
            (("token", "issue", "--user", "1", "--ttl", "315360001"), r"--ttl"),
            (("token", "issue", "--user", "1", "--audience", ""), r"--audience"),
            (("token", "issue", "--user", "x" * 201), r"not an ID"),
            (("token", "issue", "--user", "1", "--id", "2"), r'unexpected argument "--id"'),
            (("token", "revoke"), r"token revoke needs --id PREFIX"),
            (("token", "list", "--pat"), r'unexpected argument "--pat"'),
            (("verify", "--project", "1"), r"verify needs --project ID --app ID"),
            (("verify", "--app", "1", "--project", ""), r"--project needs a value|not an ID"),
            (("hash", "--cost", "5"), r'unexpected argument "--cost"'),
            (("check-config", "now"), r'unexpected argument "now"'),
            (("org",), r"org: expected add, list or deactivate"),
            (("member", "grant"), r"member: expected add, remove or list"),
            (("app", "add", "--project", "1", "--name", "x"), r"needs --oidc or --api"),
            (("org", "add"), r"org add needs --name NAME"),
            (("user", "add", "--name", "x"), r"user add needs --org ID"),
            (("project", "add", "--org", "1"), r"project add needs --name NAME"),
            (("org", "deactivate"), r"org deactivate needs --id ID"),
            (("member", "remove", "--user", "1", "--scope", "org", "--org", "2"),
             r"member remove needs --role ROLE"),
            (("app", "list", "--project", "x" * 201), r"--project .*not an ID"),
            (("init", "--org"), r"--org needs a value"),
        )
        for args, msg in cases:
            with self.subTest(args=args):
                # The configuration named does not exist: usage is found first.
                r = run_admin(self.missing if args else None, *args)
                self.assert_exit(r, 2, msg)
                self.assertEqual(r.stdout, "")
        for args in (("--config",), ("--config", "a", "--config", "b", "hash")):
            with self.subTest(args=args):
                self.assert_exit(run_admin(None, *args), 2, "--config")


# --- the management commands ---------------------------------------------------

ID_RE = re.compile(r"^[1-9][0-9]{16,18}$")
V2_PATH = "/zitadel.application.v2.ApplicationService/GenerateClientSecret"


def key_values(text):
    """The "key = value" lines of an output; "#" lines are comments."""
    out = {}
    for line in text.splitlines():
        if line.startswith("#") or " = " not in line:
            continue
        key, _, value = line.partition(" = ")
        out[key] = value
    return out


class ObjectsBase(AdminCase):
    """What the management commands' tests share: a migrated database of
    the class's own, and a lighttpd whose responder uses it."""

    def sql(self, query):
        return rows(self.env, self.database, query)

    def one(self, query):
        got = self.sql(query)
        return got[0][0] if got else None

    def ok(self, *args, stdin=None):
        r = run_admin(self.config, *args, stdin=stdin)
        self.assert_exit(r, 0)
        self.assertEqual(r.stderr, "")
        return r.stdout

    def add(self, *args):
        """An add command that prints one new ID."""
        out = self.ok(*args)
        self.assertRegex(out, r"^[1-9][0-9]{16,18}\n$")
        return out.strip()

    def org(self):
        return self.add("org", "add", "--name", "org " + new_id("7"))

    def user(self, org, name=None):
        return self.add("user", "add", "--org", org, "--name", name or "u" + new_id("8"))

    def project(self, org, name=None):
        return self.add("project", "add", "--org", org, "--name", name or "p" + new_id("6"))

    def app(self, project, *flags, name=None):
        out = self.ok("app", "add", "--project", project, "--name",
                      name or "a" + new_id("5"), *flags)
        values = key_values(out)
        self.assertEqual(out, "".join("%s = %s\n" % kv for kv in values.items()),
                         "app add prints key = value lines only")
        self.assertRegex(values["app_id"], ID_RE)
        if "client_secret" in values:
            self.env.secrets_seen.add(values["client_secret"])
        return values

    def events(self, aggregate_id):
        return self.sql("SELECT aggregate_type, sequence, event_type, resource_owner,"
                        " editor_user, payload FROM events WHERE aggregate_id = '%s'"
                        " ORDER BY sequence" % aggregate_id)

    def counts(self):
        """What a command could change: row counts, and a checksum of every
        row of the tables it writes."""
        return (self.sql("SELECT (SELECT COUNT(*) FROM orgs), (SELECT COUNT(*) FROM users),"
                         " (SELECT COUNT(*) FROM memberships), (SELECT COUNT(*) FROM projects),"
                         " (SELECT COUNT(*) FROM apps), (SELECT COUNT(*) FROM oidc_configs),"
                         " (SELECT COUNT(*) FROM api_configs), (SELECT COUNT(*) FROM events),"
                         " (SELECT SUM(sequence) FROM projects),"
                         " (SELECT COUNT(*) FROM machine_keys)"),
                self.sql("CHECKSUM TABLE orgs, users, memberships, projects, apps, oidc_configs,"
                         " api_configs, machine_keys, events, access_tokens"))

    def refused(self, code, pattern, *args):
        before = self.counts()
        r = run_admin(self.config, *args)
        self.assert_exit(r, code, pattern)
        self.assertEqual(r.stdout, "")
        self.assertEqual(len(r.stderr.rstrip("\n").split("\n")), 1 if code != 2 else 2,
                         r.stderr)
        self.assertEqual(self.counts(), before, "a refusal wrote to the database")
        return r

    def token(self, user):
        r = run_admin(self.config, "token", "issue", "--user", user)
        self.assert_exit(r, 0)
        self.env.secrets_seen.add(r.stdout.strip())
        return r.stdout.strip()


class Objects(ObjectsBase):
    """org, user, member, project and app."""

    database = "oidc_admin_objects"

    @classmethod
    def setUpClass(cls):
        cls.env = env()
        cls.config, cls.password = own_database(cls.env, cls.database, migrate=True,
                                                hash_algorithm="bcrypt")
        cls.port = cls.env.lighttpd("admin-objects", config=cls.config).port

    # --- organizations

    def test_org_add_list_deactivate(self):
        name = "Example Org " + new_id("7")
        a = self.add("org", "add", "--name", name)
        b = self.org()
        self.assertGreater(int(b), int(a), "IDs grow with time")
        self.assertEqual(self.sql("SELECT name, state FROM orgs WHERE id = '%s'" % a),
                         [[name, "active"]])
        self.assertEqual(self.events(a), [["org", "1", "org.added", a, "oidc-secret-admin",
                                           json.dumps({"name": name})]])
        listed = [ln for ln in self.ok("org", "list").splitlines() if ln.startswith(a + " ")]
        self.assertEqual(len(listed), 1)
        self.assertRegex(listed[0], r"^%s +active +\d{4}-\d\d-\d\dT[\d:.]+Z +%s$" % (a, name))
        self.refused(7, r'org add: there is an organization named "%s" already' % name,
                     "org", "add", "--name", name)
        self.assertEqual(self.ok("org", "deactivate", "--id", a),
                         "organization %s deactivated\n" % a)
        self.assertEqual(self.one("SELECT state FROM orgs WHERE id = '%s'" % a), "inactive")
        self.assertEqual([e[1:3] for e in self.events(a)],
                         [["1", "org.added"], ["2", "org.deactivated"]])
        self.assertEqual(self.ok("org", "deactivate", "--id", a),
                         "organization %s was inactive already\n" % a)
        self.assertEqual(len(self.events(a)), 2)
        self.refused(5, r'org deactivate: no organization "4040404" \(unknown or removed\)',
                     "org", "deactivate", "--id", "4040404")

    def test_deactivated_org_and_user_lose_their_tokens(self):
        org = self.org()
        project = self.project(org)
        app = self.app(project, "--oidc")["app_id"]
        owner = self.user(org)
        self.ok("member", "add", "--user", owner, "--scope", "org", "--org", org,
                "--role", "ORG_OWNER")
        other = self.user(org)
        self.ok("member", "add", "--user", other, "--scope", "org", "--org", org,
                "--role", "ORG_OWNER")
        t_owner, t_other = self.token(owner), self.token(other)
        for t in (t_owner, t_other):
            r = rest(self.port, project, app, token=t)
            self.assertEqual(r.status, 200, r.body)
            self.env.secrets_seen.add(r.json()["clientSecret"])
        self.assertEqual(self.ok("user", "deactivate", "--id", other),
                         "user %s deactivated\n" % other)
        self.assertEqual([e[2] for e in self.events(other)],
                         ["user.human.added", "user.deactivated"])
        self.assertEqual(rest(self.port, project, app, token=t_other).status, 401)
        r = rest(self.port, project, app, token=t_owner)
        self.assertEqual(r.status, 200, r.body)
        self.env.secrets_seen.add(r.json()["clientSecret"])
        self.ok("org", "deactivate", "--id", org)
        # A refused token is remembered for up to a second.
        time.sleep(1.1)
        self.assertEqual(rest(self.port, project, app, token=t_owner).status, 401)
        self.refused(5, r'user deactivate: no user "4040404"',
                     "user", "deactivate", "--id", "4040404")

    # --- users

    def test_user_add_and_list(self):
        org, other = self.org(), self.org()
        u = self.user(org, name="alice")
        v = self.user(other, name="alice")      # another organization: fine
        self.assertEqual(self.sql("SELECT resource_owner, username, state FROM users"
                                  " WHERE id = '%s'" % u), [[org, "alice", "active"]])
        self.assertEqual(self.events(u), [["user", "1", "user.human.added", org,
                                           "oidc-secret-admin",
                                           json.dumps({"userName": "alice"})]])
        self.refused(7, r'user add: there is a user of that organization named "alice" already',
                     "user", "add", "--org", org, "--name", "alice")
        self.refused(5, r'user add: no organization "4040404" \(unknown or removed\)',
                     "user", "add", "--org", "4040404", "--name", "bob")
        removed = self.org()
        self.sql("UPDATE orgs SET state = 'removed' WHERE id = '%s'" % removed)
        self.refused(5, r'no organization "%s"' % removed,
                     "user", "add", "--org", removed, "--name", "bob")
        listed = self.ok("user", "list", "--org", org).splitlines()
        self.assertEqual(listed[0].split(), ["ID", "ORG", "STATE", "NAME", "TYPE"])
        self.assertEqual([ln.split() for ln in listed[1:]], [[u, org, "active", "alice", "human"]])
        # The columns before TYPE where they were.
        self.assertEqual([listed[0].index(h) for h in ("ORG", "STATE", "NAME")], [21, 42, 52])
        self.assertEqual((listed[1][21:].split()[0], listed[1][42:].split()[0],
                          listed[1][52:].split()[0]), (org, "active", "alice"))
        self.assertIn(v, self.ok("user", "list"))

    # --- memberships

    def test_member_add_change_remove_with_events(self):
        org = self.org()
        project = self.project(org)
        user = self.user(org)
        seq = int(self.one("SELECT sequence FROM projects WHERE id = '%s'" % project))
        args = ("--user", user, "--scope", "project", "--project", project)
        self.assertEqual(self.ok("member", "add", *args, "--role", "PROJECT_OWNER"),
                         "user %s holds PROJECT_OWNER at project %s\n" % (user, project))
        self.ok("member", "add", *args, "--role", "PROJECT_OWNER_VIEWER")
        self.refused(7, r"member add: user %s holds PROJECT_OWNER at project %s already"
                     % (user, project), "member", "add", *args, "--role", "PROJECT_OWNER")
        self.ok("member", "remove", *args, "--role", "PROJECT_OWNER")
        self.ok("member", "remove", *args, "--role", "PROJECT_OWNER_VIEWER")
        self.refused(5, r"member remove: user %s does not hold PROJECT_OWNER at project %s"
                     % (user, project), "member", "remove", *args, "--role", "PROJECT_OWNER")
        # Each change moved the project's sequence with its event.
        self.assertEqual(int(self.one("SELECT sequence FROM projects WHERE id = '%s'"
                                      % project)), seq + 4)
        got = [(int(e[1]), e[2], json.loads(e[5])) for e in self.events(project)][1:]
        self.assertEqual(got, [
            (seq + 1, "project.member.added", {"userId": user, "roles": ["PROJECT_OWNER"]}),
            (seq + 2, "project.member.changed",
             {"userId": user, "roles": ["PROJECT_OWNER", "PROJECT_OWNER_VIEWER"]}),
            (seq + 3, "project.member.changed",
             {"userId": user, "roles": ["PROJECT_OWNER_VIEWER"]}),
            (seq + 4, "project.member.removed", {"userId": user}),
        ])
        # Instance and organization scopes have their own aggregates.
        self.ok("member", "add", "--user", user, "--scope", "org", "--org", org,
                "--role", "ORG_OWNER_VIEWER")
        self.assertEqual(self.events(org)[-1][1:4], ["2", "org.member.added", org])
        before = int(self.one("SELECT COALESCE(MAX(sequence), 0) FROM events"
                              " WHERE aggregate_type = 'instance'"))
        self.ok("member", "add", "--user", user, "--scope", "instance",
                "--role", "IAM_OWNER_VIEWER")
        self.assertEqual(self.sql("SELECT sequence, event_type, payload FROM events"
                                  " WHERE aggregate_type = 'instance' AND sequence > %d"
                                  % before),
                         [[str(before + 1), "instance.member.added",
                           json.dumps({"userId": user, "roles": ["IAM_OWNER_VIEWER"]})]])
        listed = self.ok("member", "list", "--user", user).splitlines()
        self.assertEqual([ln.split() for ln in listed[1:]],
                         [[user, "instance", "-", "IAM_OWNER_VIEWER"],
                          [user, "org", org, "ORG_OWNER_VIEWER"]])

    def test_a_membership_grants_and_its_removal_takes_away(self):
        org = self.org()
        project = self.project(org)
        app = self.app(project, "--oidc")["app_id"]
        user = self.user(org)
        token = self.token(user)
        self.assertEqual(rest(self.port, project, app, token=token).status, 403)
        self.ok("member", "add", "--user", user, "--scope", "project", "--project", project,
                "--role", "PROJECT_OWNER")
        r = rest(self.port, project, app, token=token)
        self.assertEqual(r.status, 200, r.body)
        self.env.secrets_seen.add(r.json()["clientSecret"])
        self.ok("member", "remove", "--user", user, "--scope", "project", "--project",
                project, "--role", "PROJECT_OWNER")
        self.assertEqual(rest(self.port, project, app, token=token).status, 403)

    def test_member_refusals(self):
        org = self.org()
        user = self.user(org)
        project = self.project(org)
        r = self.refused(5, r'member add: no role "NOT_A_ROLE" in role_permissions \(it knows '
                         r'IAM_ORG_MANAGER, IAM_OWNER, .*ORG_OWNER, .*PROJECT_OWNER',
                         "member", "add", "--user", user, "--scope", "org", "--org", org,
                         "--role", "NOT_A_ROLE")
        self.assertIn("PROJECT_OWNER_GLOBAL", r.stderr)
        self.refused(5, r'member add: no user "4040404"', "member", "add", "--user", "4040404",
                     "--scope", "org", "--org", org, "--role", "ORG_OWNER")
        self.refused(5, r'member add: no organization "4040404"', "member", "add", "--user",
                     user, "--scope", "org", "--org", "4040404", "--role", "ORG_OWNER")
        self.sql("UPDATE projects SET state = 'removed' WHERE id = '%s'" % project)
        self.refused(5, r'member add: no project "%s" \(unknown or removed\)' % project,
                     "member", "add", "--user", user, "--scope", "project", "--project",
                     project, "--role", "PROJECT_OWNER")
        for args, msg in (
                (("--scope", "instance", "--org", org), "--scope instance takes neither"),
                (("--scope", "org"), "member add needs --org ID"),
                (("--scope", "org", "--project", project), "--scope org takes --org ID"),
                (("--scope", "project", "--org", org), "--scope project takes --project ID"),
                (("--scope", "galaxy"), r'--scope "galaxy": expected instance, org or project'),
                (("--scope", "instance", "--role", "A B"), r'--role "A B": expected'),
                (("--scope", "instance", "--role", "R" * 65), r"--role"),
        ):
            with self.subTest(args=args):
                full = ("member", "add", "--user", user) + args
                if "--role" not in args:
                    full += ("--role", "ORG_OWNER")
                self.refused(2, msg, *full)

    # --- projects

    def test_project_add_and_list(self):
        org = self.org()
        p = self.project(org, name="Apps")
        self.assertEqual(self.sql("SELECT resource_owner, name, state, sequence FROM projects"
                                  " WHERE id = '%s'" % p), [[org, "Apps", "active", "1"]])
        self.assertEqual(self.events(p), [["project", "1", "project.added", org,
                                           "oidc-secret-admin", json.dumps({"name": "Apps"})]])
        self.refused(7, r'project add: there is a project of that organization named "Apps"',
                     "project", "add", "--org", org, "--name", "Apps")
        self.refused(5, r'project add: no organization "4040404"',
                     "project", "add", "--org", "4040404", "--name", "Apps")
        listed = self.ok("project", "list", "--org", org).splitlines()
        self.assertEqual([ln.split() for ln in listed[1:]], [[p, org, "active", "1", "Apps"]])

    # --- apps

    def assert_secret_stored(self, values, table, project):
        secret = values["client_secret"]
        self.assertRegex(secret, SECRET_RE)
        stored = self.one("SELECT client_secret_hash FROM %s WHERE app_id = '%s'"
                          % (table, values["app_id"]))
        self.assertTrue(stored.startswith("$2b$04$"), stored)   # this config: bcrypt 4
        self.assertTrue(php_verify(secret, stored), "PHP password_verify")
        self.assertFalse(php_verify(secret[:-1], stored))
        self.assert_exit(run_admin(self.config, "verify", "--project", project,
                                   "--app", values["app_id"], stdin=secret), 0)
        self.assert_exit(run_admin(self.config, "verify", "--project", project,
                                   "--app", values["app_id"], stdin=secret[::-1]), 1)
        # The clear secret is nowhere in the database.
        dump = self.sql("SELECT CONCAT_WS('|', app_id, client_id, client_secret_hash)"
                        " FROM %s UNION ALL SELECT payload FROM events" % table)
        self.assertNotIn(secret, "\n".join(r[0] for r in dump))
        return stored

    def test_app_add_confidential_apps_get_a_secret_that_verifies(self):
        org = self.org()
        project = self.project(org)
        for flags, table, kind, method in (
                (("--oidc",), "oidc_configs", "oidc", 0),
                (("--oidc", "--auth-method", "post"), "oidc_configs", "oidc", 1),
                (("--api",), "api_configs", "api", 0)):
            with self.subTest(flags=flags):
                seq = int(self.one("SELECT sequence FROM projects WHERE id = '%s'" % project))
                values = self.app(project, *flags, name="app " + " ".join(flags))
                self.assertEqual(sorted(values), ["app_id", "client_id", "client_secret"])
                self.assertRegex(values["client_id"], ID_RE)
                self.assertNotEqual(values["client_id"], values["app_id"])
                stored = self.assert_secret_stored(values, table, project)
                # One transaction in a regeneration's shape: two events, the
                # project's sequence moved by them.
                self.assertEqual(int(self.one("SELECT sequence FROM projects WHERE id = '%s'"
                                              % project)), seq + 2)
                got = [(int(e[1]), e[2], json.loads(e[5])) for e in self.events(project)[-2:]]
                self.assertEqual(got, [
                    (seq + 1, "project.application.added",
                     {"appId": values["app_id"], "name": "app " + " ".join(flags)}),
                    (seq + 2, "project.application.config.%s.added" % kind,
                     {"appId": values["app_id"], "clientId": values["client_id"],
                      "authMethodType": method, "hashedSecret": stored}),
                ])
                self.assertEqual(self.sql("SELECT app_type, state FROM apps WHERE id = '%s'"
                                          % values["app_id"]), [[kind, "active"]])
                # The responder takes it from there: the next sequence, a new secret.
                path = "/management/v1/projects/%s/apps/%s/%s_config/_generate_client_secret" % (
                    project, values["app_id"], kind)
                owner = self.user(org)
                self.ok("member", "add", "--user", owner, "--scope", "project",
                        "--project", project, "--role", "PROJECT_OWNER")
                seq = int(self.one("SELECT sequence FROM projects WHERE id = '%s'" % project))
                r = rest(self.port, project, values["app_id"], token=self.token(owner),
                         path=path)
                self.assertEqual(r.status, 200, r.body)
                self.assertEqual(r.json()["details"]["sequence"], str(seq + 1))
                self.env.secrets_seen.add(r.json()["clientSecret"])
                self.assert_exit(run_admin(self.config, "verify", "--project", project,
                                           "--app", values["app_id"],
                                           stdin=values["client_secret"]), 1)

    def test_app_add_argon2id_secret_verifies_with_php(self):
        """The configured hash: argon2id, chosen, at its own defaults."""
        conf = st.responder_config(os.path.join(self.env.dir, "admin-objects-argon.conf"),
                                   self.env.db, self.database, self.database, self.password,
                                   hash_algorithm="argon2id")
        org = self.org()
        project = self.project(org)
        r = run_admin(conf, "app", "add", "--project", project, "--name", "web", "--oidc")
        self.assert_exit(r, 0)
        values = key_values(r.stdout)
        self.env.secrets_seen.add(values["client_secret"])
        stored = self.one("SELECT client_secret_hash FROM oidc_configs WHERE app_id = '%s'"
                          % values["app_id"])
        self.assertTrue(stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$"), stored)
        self.assertTrue(php_verify(values["client_secret"], stored))
        self.assertTrue(argon2_verify(values["client_secret"], stored))
        self.assert_exit(run_admin(conf, "verify", "--project", project, "--app",
                                   values["app_id"], stdin=values["client_secret"]), 0)

    def test_app_add_public_apps_get_no_secret(self):
        org = self.org()
        project = self.project(org)
        for flags, table, kind, method in (
                (("--oidc", "--auth-method", "none"), "oidc_configs", "oidc", 2),
                (("--oidc", "--auth-method", "private_key_jwt"), "oidc_configs", "oidc", 3),
                (("--api", "--auth-method", "private_key_jwt"), "api_configs", "api", 1)):
            with self.subTest(flags=flags):
                values = self.app(project, *flags)
                self.assertEqual(sorted(values), ["app_id", "client_id"])
                self.assertEqual(self.sql("SELECT auth_method, COALESCE(client_secret_hash,"
                                          " 'NULL') FROM %s WHERE app_id = '%s'"
                                          % (table, values["app_id"])),
                                 [[flags[-1], "NULL"]])
                self.assertEqual(json.loads(self.events(project)[-1][5]),
                                 {"appId": values["app_id"], "clientId": values["client_id"],
                                  "authMethodType": method})

    def test_app_add_refusals(self):
        org = self.org()
        project, other = self.project(org), self.project(org)
        taken_oidc = "client-" + new_id("5")
        taken_api = "client-" + new_id("5")
        self.app(project, "--oidc", "--client-id", taken_oidc)
        self.app(project, "--api", "--client-id", taken_api)
        # One client ID across OIDC and API apps, whatever the project.
        for kind in ("--oidc", "--api"):
            for taken in (taken_oidc, taken_api):
                with self.subTest(kind=kind, taken=taken):
                    self.refused(7, r'app add: the client ID "%s" is taken already' % taken,
                                 "app", "add", "--project", other, "--name", "x", kind,
                                 "--client-id", taken)
        self.app(project, "--oidc", name="web")
        self.refused(7, r'app add: there is an app of that project named "web" already',
                     "app", "add", "--project", project, "--name", "web", "--api")
        self.refused(5, r'app add: no project "4040404" \(unknown or removed\)',
                     "app", "add", "--project", "4040404", "--name", "x", "--oidc")
        self.sql("UPDATE projects SET state = 'removed' WHERE id = '%s'" % other)
        self.refused(5, r'app add: no project "%s" \(unknown or removed\)' % other,
                     "app", "add", "--project", other, "--name", "x", "--oidc")
        for args, msg in (
                (("--oidc", "--api"), "app add needs --oidc or --api"),
                ((), "app add needs --oidc or --api"),
                (("--api", "--auth-method", "post"), r'--auth-method "post": expected basic '
                                                     r'or private_key_jwt \(API\)'),
                (("--oidc", "--auth-method", "secret"), r"--auth-method"),
                (("--oidc", "--client-id", "a\x01b"), r"--client-id"),
        ):
            with self.subTest(args=args):
                self.refused(2, msg, "app", "add", "--project", project, "--name", "y", *args)

    def test_app_list(self):
        org = self.org()
        project = self.project(org)
        web = self.app(project, "--oidc", name="web")
        spa = self.app(project, "--oidc", "--auth-method", "none", name="spa")
        api = self.app(project, "--api", "--client-id", "api-" + new_id("5"), name="api")
        lines = self.ok("app", "list", "--project", project).splitlines()
        self.assertEqual(lines[0].split(), ["ID", "PROJECT", "TYPE", "STATE", "AUTH", "SECRET",
                                            "CLIENT_ID", "NAME"])
        self.assertEqual(sorted(ln.split() for ln in lines[1:]), sorted([
            [web["app_id"], project, "oidc", "active", "basic", "yes", web["client_id"], "web"],
            [spa["app_id"], project, "oidc", "active", "none", "no", spa["client_id"], "spa"],
            [api["app_id"], project, "api", "active", "basic", "yes", api["client_id"], "api"],
        ]))

    # --- at the same time

    def test_concurrent_changes(self):
        org = self.org()
        projects = [self.project(org) for _ in range(6)]
        client = "shared-" + new_id("5")

        def add(project):
            return run_admin(self.config, "app", "add", "--project", project, "--name",
                             "same", "--api", "--client-id", client)
        with concurrent.futures.ThreadPoolExecutor(6) as pool:
            results = list(pool.map(add, projects))
        self.assertEqual(sorted(r.returncode for r in results), [0] + [7] * 5,
                         [r.stderr for r in results])
        for r in results:
            if r.returncode == 0:
                self.env.secrets_seen.add(key_values(r.stdout)["client_secret"])
        self.assertEqual(self.one("SELECT COUNT(*) FROM api_configs WHERE client_id = '%s'"
                                  % client), "1")

        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            ids = list(pool.map(lambda i: run_admin(self.config, "org", "add", "--name",
                                                    "c%d %s" % (i, client)), range(8)))
        self.assertEqual([r.returncode for r in ids], [0] * 8, [r.stderr for r in ids])
        self.assertEqual(len({r.stdout for r in ids}), 8, "no ID twice")

    # --- token issue's default audience

    def test_token_issue_without_api_project_id(self):
        org = self.org()
        user = self.user(org)
        conf = st.responder_config(os.path.join(self.env.dir, "admin-objects-noapi.conf"),
                                   self.env.db, self.database, self.database, self.password,
                                   api_project_id="")
        r = run_admin(conf, "token", "issue", "--user", user)
        self.assert_exit(r, 3, r"api_project_id is not set, and an access token needs it as "
                               r"its audience: .*give --audience ID, or .*\(--pat\)")
        self.assertEqual(r.stdout, "")
        r = run_admin(conf, "token", "issue", "--user", user, "--pat")
        self.assert_exit(r, 0)
        self.env.secrets_seen.add(r.stdout.strip())
        self.assertEqual(self.sql("SELECT token_type, audience FROM access_tokens"
                                  " WHERE token_sha256 = '%s'" % st.sha256_hex(r.stdout.strip())),
                         [["pat", ""]])


def thumbprint(public_key):
    """RFC 7638 3.1: the SHA-256 of the key's JWK, its members in order."""
    numbers = public_key.public_numbers()

    def b64int(i):
        return b64url(i.to_bytes((i.bit_length() + 7) // 8, "big"))
    jwk = '{"e":"%s","kty":"RSA","n":"%s"}' % (b64int(numbers.e), b64int(numbers.n))
    return b64url(hashlib.sha256(jwk.encode()).digest())


def public_pem(private_key):
    return private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


# A host clock moved by SHIFT_S seconds, for the programs run with it.
CLOCK_SHIM = r"""
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <time.h>

int
clock_gettime(clockid_t id, struct timespec *ts)
{
	int (*real)(clockid_t, struct timespec *) =
	    (int (*)(clockid_t, struct timespec *))dlsym(RTLD_NEXT, "clock_gettime");
	int rc = real(id, ts);
	const char *shift = getenv("SHIFT_S");

	if (rc == 0 && id == CLOCK_REALTIME && shift != NULL)
		ts->tv_sec += atol(shift);
	return rc;
}
"""


class Machines(ObjectsBase):
    """Machine users' secrets and keys, and grace periods, through the tool;
    what it wrote works at the token endpoint of a lighttpd on the same
    database.  The tool runs with secret_grace_period_s 0 (config) or
    GRACE (grace_config); the responder with GRACE."""

    database = "oidc_admin_machines"
    GRACE = 3600

    @classmethod
    def setUpClass(cls):
        cls.env = env()
        cls.config, cls.password = own_database(cls.env, cls.database, migrate=True,
                                                hash_algorithm="bcrypt")
        cls.grace_config = st.responder_config(
            os.path.join(cls.env.dir, "admin-machines-grace.conf"), cls.env.db, cls.database,
            cls.database, cls.password, hash_algorithm="bcrypt",
            secret_grace_period_s=cls.GRACE)
        cls.port = cls.env.lighttpd("admin-machines", config=cls.grace_config).port
        cls.issuer = "http://127.0.0.1:%d" % cls.port

    def machine(self, org=None, name=None):
        org = org or self.org()
        return self.add("user", "add", "--org", org, "--name", name or "svc-" + new_id("4"),
                        "--machine")

    def username(self, user):
        return self.one("SELECT username FROM users WHERE id = '%s'" % user)

    def secret(self, user, config=None):
        """user secret: exactly the two lines; the secret."""
        r = run_admin(config or self.config, "user", "secret", "--user", user)
        self.assert_exit(r, 0)
        self.assertEqual(r.stderr, "")
        lines = r.stdout.splitlines()
        self.assertEqual(len(lines), 2, r.stdout)
        self.assertEqual(lines[0], "client_id = " + self.username(user))
        self.assertTrue(lines[1].startswith("client_secret = "), lines[1])
        secret = lines[1][len("client_secret = "):]
        self.assertRegex(secret, SECRET_RE)
        self.assertEqual(r.stdout, "%s\n%s\n" % (lines[0], lines[1]))
        self.env.secrets_seen.add(secret)
        return secret

    def verify_user(self, user, secret):
        return run_admin(self.config, "verify", "--user", user, stdin=secret).returncode

    def verify_app(self, project, app, secret):
        return run_admin(self.config, "verify", "--project", project, "--app", app,
                         stdin=secret).returncode

    def user_row(self, user):
        return self.sql("SELECT user_type, state, sequence, COALESCE(secret_hash, 'NULL'),"
                        " COALESCE(previous_secret_hash, 'NULL'),"
                        " COALESCE(previous_secret_until, 'NULL'), COALESCE(client_id, 'NULL')"
                        " FROM users WHERE id = '%s'" % user)[0]

    def sign_in(self, client_id, secret):
        """client_credentials with HTTP Basic at the token endpoint."""
        return http(self.port, "POST", "/oauth/v2/token",
                    {"Content-Type": FORM, "Authorization": basic(client_id, secret)},
                    "grant_type=client_credentials&scope=openid")

    def assert_signed_in(self, r, user):
        self.assertEqual(r.status, 200, r.body)
        token = r.json()["access_token"]
        self.env.secrets_seen.add(token)
        self.assertEqual(self.sql("SELECT user_id FROM access_tokens WHERE token_sha256 = '%s'"
                                  % st.sha256_hex(token)), [[user]])

    def assertion(self, user, kid, key):
        now = int(time.time())
        return jws({"alg": "RS256", "typ": "JWT", "kid": kid},
                   {"iss": user, "sub": user, "aud": self.issuer, "iat": now,
                    "exp": now + 600}, key)

    def jwt_sign_in(self, user, kid, key):
        return http(self.port, "POST", "/oauth/v2/token", {"Content-Type": FORM},
                    "grant_type=%s&scope=openid&assertion=%s"
                    % (GRANT_JWT, self.assertion(user, kid, key)))

    def write(self, name, data):
        path = os.path.join(self.env.dir, "admin-machines-" + name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    # --- user add --machine, user list

    def test_machine_user_add_and_list(self):
        org, other = self.org(), self.org()
        name = "svc-" + new_id("4")
        m = self.machine(org, name)
        self.assertEqual(self.sql("SELECT resource_owner, username, state, user_type, sequence,"
                                  " client_id, creation_date IS NOT NULL FROM users"
                                  " WHERE id = '%s'" % m),
                         [[org, name, "active", "machine", "1", name, "1"]])
        self.assertEqual(self.events(m), [["user", "1", "user.machine.added", org,
                                           "oidc-secret-admin", json.dumps({"userName": name})]])
        human = self.user(org, name="h" + new_id("4"))
        self.assertEqual([e[2] for e in self.events(human)], ["user.human.added"])
        self.assertEqual(self.user_row(human)[:3], ["human", "active", "1"])
        # A name any user has, in any organization, is no machine user's.
        taken = 'user add: the client ID "%s" is taken already by a user: a machine user\'s ' \
                'name is its client ID, which no other user may have, in any organization; ' \
                'oidc-secret-admin user list lists them'
        for org_, name_ in ((other, name), (org, name), (other, self.username(human))):
            with self.subTest(org=org_, name=name_):
                self.refused(7, "^oidc-secret-admin: " + re.escape(taken % name_), "user", "add",
                             "--org", org_, "--name", name_, "--machine")
        # A removed machine user keeps its client ID; a removed human's name is free.
        gone = self.machine(org)
        self.sql("UPDATE users SET state = 'removed' WHERE id = '%s'" % gone)
        self.refused(7, "client ID", "user", "add", "--org", other, "--name",
                     self.username(gone), "--machine")
        self.sql("UPDATE users SET state = 'removed' WHERE id = '%s'" % human)
        self.machine(other, self.username(human))
        # A human may still share a name within the rules for humans.
        self.user(other, name=name)
        self.refused(5, r'user add: no organization "4040404" \(unknown or removed\)',
                     "user", "add", "--org", "4040404", "--name", "x" + new_id(), "--machine")
        self.machine(other, "\u00e9" * 200)     # 200 characters, 400 bytes: fine
        for bad in ("", "x" * 201, "a b", "a:b", "a\tb", "a\x01b", "a\u00a0b", "a\u3000b",
                    "a\u2028b", "a\x7fb"):
            with self.subTest(name=bad):
                self.refused(2, r"--name .*not a machine user's name, which is its client ID",
                             "user", "add", "--org", org, "--name", bad, "--machine")
        listed = self.ok("user", "list", "--org", org).splitlines()
        self.assertEqual(listed[0].split(), ["ID", "ORG", "STATE", "NAME", "TYPE"])
        rows = {ln.split()[0]: ln.split() for ln in listed[1:]}
        self.assertEqual(rows[m], [m, org, "active", name, "machine"])
        self.assertEqual(rows[gone][-1], "machine")
        self.assertEqual(rows[human][-1], "human")

    def test_concurrent_machine_adds_of_one_name(self):
        orgs = [self.org() for _ in range(6)]
        name = "race-" + new_id("4")
        with concurrent.futures.ThreadPoolExecutor(6) as pool:
            results = list(pool.map(lambda o: run_admin(self.config, "user", "add", "--org", o,
                                                        "--name", name, "--machine"), orgs))
        self.assertEqual(sorted(r.returncode for r in results), [0] + [7] * 5,
                         [r.stderr for r in results])
        self.assertEqual(self.one("SELECT COUNT(*) FROM users WHERE username = '%s'" % name),
                         "1")

    # --- user secret, user secret remove

    def test_user_secret_signs_in_replaces_and_is_removed(self):
        m = self.machine()
        name = self.username(m)
        s1 = self.secret(m)
        user_type, state, seq, hash1, previous, until, client = self.user_row(m)
        self.assertEqual((seq, previous, until, client), ("2", "NULL", "NULL", name))
        self.assertTrue(hash1.startswith("$2b$"), hash1)
        self.assertTrue(php_verify(s1, hash1))
        self.assertEqual(self.events(m)[1:], [["user", "2", "user.machine.secret.set",
                                               self.one("SELECT resource_owner FROM users"
                                                        " WHERE id = '%s'" % m),
                                               "oidc-secret-admin",
                                               json.dumps({"hashedSecret": hash1})]])
        self.assertNotIn(s1, json.dumps(self.sql("SELECT * FROM events")))
        # It signs in, Basic and in the body.
        self.assert_signed_in(self.sign_in(name, s1), m)
        r = http(self.port, "POST", "/oauth/v2/token", {"Content-Type": FORM},
                 "grant_type=client_credentials&client_id=%s&client_secret=%s" % (name, s1))
        self.assert_signed_in(r, m)
        self.assertEqual(self.verify_user(m, s1), 0)
        self.assertEqual(self.verify_user(m, s1 + "x"), 1)
        # Replaced without a grace (this configuration's 0): the old one stops.
        s2 = self.secret(m)
        self.assertNotEqual(s1, s2)
        self.assertEqual(self.user_row(m)[2:6], ["3", self.user_row(m)[3], "NULL", "NULL"])
        self.assertEqual((self.verify_user(m, s1), self.verify_user(m, s2)), (1, 0))
        self.assert_signed_in(self.sign_in(name, s2), m)
        # Removed: none left, one event; removing again is refused.
        self.assertEqual(self.ok("user", "secret", "remove", "--user", m),
                         "secret of user %s removed\n" % m)
        self.assertEqual(self.user_row(m)[2:6], ["4", "NULL", "NULL", "NULL"])
        self.assertEqual([e[1:3] for e in self.events(m)[3:]],
                         [["4", "user.machine.secret.removed"]])
        self.assertEqual(self.events(m)[3][5], "{}")
        r = run_admin(self.config, "verify", "--user", m, stdin=s2)
        self.assert_exit(r, 5, r'no secret stored for user "%s"' % m)
        self.refused(5, r'^oidc-secret-admin: user secret remove: user "%s" has no secret; '
                        r'oidc-secret-admin user secret --user %s makes one$' % (m, m),
                     "user", "secret", "remove", "--user", m)
        self.assertEqual(self.sign_in(name, s2).status, 401)

    def test_refusals_for_users_that_are_not_active_machine_users(self):
        org = self.org()
        human = self.user(org)
        inactive = self.machine(org)
        self.ok("user", "deactivate", "--id", inactive)
        self.assertEqual(self.user_row(inactive)[2], "2", "the row keeps its sequence")
        removed = self.machine(org)
        self.sql("UPDATE users SET state = 'removed' WHERE id = '%s'" % removed)
        dormant_org = self.org()
        dormant = self.machine(dormant_org)
        self.ok("org", "deactivate", "--id", dormant_org)
        commands = (("user", "secret"), ("user", "secret", "remove"), ("user", "key", "add"),
                    ("user", "key", "remove", "--key", "123"))
        for cmd in commands:
            words = " ".join(w for w in cmd if not w.startswith("--") and w != "123")
            with self.subTest(command=words):
                self.refused(5, r'^oidc-secret-admin: %s: user "%s" is a human user: only a '
                                r'machine user has a secret and keys; oidc-secret-admin user add '
                                r'--org %s --name NAME --machine adds one$' % (words, human, org),
                             *cmd, "--user", human)
                self.refused(5, r'^oidc-secret-admin: %s: no user "4040404" \(unknown or removed\); '
                                r'oidc-secret-admin user list lists them$' % words,
                             *cmd, "--user", "4040404")
                self.refused(5, r'^oidc-secret-admin: %s: no user "%s" ' % (words, removed),
                             *cmd, "--user", removed)
                self.refused(5, r'^oidc-secret-admin: %s: user "%s" is inactive: its secret and '
                                r'keys change no more; oidc-secret-admin user add --org %s --name '
                                r'NAME --machine adds a new machine user$' % (words, inactive, org),
                             *cmd, "--user", inactive)
                self.refused(5, r'^oidc-secret-admin: %s: user "%s" belongs to the organization '
                                r'"%s", which is not active' % (words, dormant, dormant_org),
                             *cmd, "--user", dormant)
        # Listing keys, verifying and ending a grace ask only for a machine user.
        for cmd in (("user", "key", "list"), ("secret", "end-grace")):
            with self.subTest(command=cmd):
                self.refused(5, r'^oidc-secret-admin: %s: user "%s" is a human user' %
                             (" ".join(cmd), human), *cmd, "--user", human)
                self.refused(5, r'no user "%s"' % removed, *cmd, "--user", removed)
        self.assertEqual(self.ok("user", "key", "list", "--user", inactive).split(),
                         ["ID", "EXPIRES", "CREATED", "THUMBPRINT"])
        r = run_admin(self.config, "verify", "--user", human, stdin="x" * 64)
        self.assert_exit(r, 5, r'no secret stored for user "%s"' % human)
        for args, msg in (
                (("user", "secret"), r"user secret needs --user ID"),
                (("user", "secret", "--id", "1"), r'unexpected argument "--id"'),
                (("user", "key"), r"user: expected add, list, deactivate, secret, secret remove, "
                                  r"key add, key list or key remove"),
                (("user", "key", "remove", "--user", "1"), r"user key remove needs --key ID"),
                (("user", "key", "add", "--user", "1", "--expires", "2030-02-30"),
                 r'--expires "2030-02-30": expected a day, YYYY-MM-DD'),
                (("user", "key", "add", "--user", "1", "--expires", "2030-1-01"), r"--expires"),
                (("user", "key", "add", "--user", "1", "--expires", "2030-01-01T00:00:00Z"),
                 r"--expires"),
                (("user", "key", "add", "--user", "1", "--expires", "2020-01-01"),
                 r"--expires 2020-01-01: the key would expire at the start of that day \(UTC\), "
                 r"which has come already"),
                (("secret", "end-grace"), r"secret end-grace needs --app ID or --user ID"),
                (("secret", "end-grace", "--app", "1", "--user", "2"),
                 r"secret end-grace needs --app ID or --user ID \(one of them\)"),
                (("secret",), r"secret: expected end-grace"),
                (("verify", "--user", "1", "--app", "2"),
                 r"verify takes --project ID --app ID or --user ID, not both"),
                (("verify", "--user", "a\x01"), r"--user"),
        ):
            with self.subTest(args=args):
                self.refused(2, msg, *args)

    # --- user key add, list, remove

    def test_key_pair_made_by_the_tool_signs_an_assertion(self):
        m = self.machine()
        owner = self.one("SELECT resource_owner FROM users WHERE id = '%s'" % m)
        r = run_admin(self.config, "user", "key", "add", "--user", m)
        self.assert_exit(r, 0)
        self.assertEqual(r.stderr, "")
        self.assertTrue(r.stdout.endswith("}\n") and r.stdout.count("\n") == 1, r.stdout)
        keyfile = json.loads(r.stdout)
        self.assertEqual(list(keyfile), ["type", "keyId", "key", "userId"])
        self.assertEqual((keyfile["type"], keyfile["userId"]), ("serviceaccount", m))
        kid = keyfile["keyId"]
        self.assertRegex(kid, ID_RE)
        self.assertTrue(keyfile["key"].startswith("-----BEGIN RSA PRIVATE KEY-----\n"))
        self.env.secrets_seen.add(keyfile["key"])
        priv = serialization.load_pem_private_key(keyfile["key"].encode(), None)
        self.assertEqual(priv.key_size, 2048)
        stored = self.sql("SELECT id, user_id, key_type, REPLACE(public_key, CHAR(10), '|'),"
                          " expiration_date FROM machine_keys WHERE user_id = '%s'" % m)
        self.assertEqual(stored, [[kid, m, "json", public_pem(priv).replace("\n", "|"),
                                   "9999-01-01 00:00:00.000000"]])
        ev = self.events(m)
        self.assertEqual([e[:5] for e in ev[1:]], [["user", "2", "user.machine.key.added", owner,
                                                    "oidc-secret-admin"]])
        payload = json.loads(ev[1][5])
        self.assertEqual(payload, {"keyId": kid, "type": "json",
                                   "expirationDate": payload["expirationDate"],
                                   "publicKey": public_pem(priv)})
        self.assertTrue(payload["expirationDate"].startswith("9999-01-01"), payload)
        # No private key anywhere in the database.
        body = keyfile["key"].split("\n")[1]
        for table in ("users", "machine_keys", "events"):
            self.assertNotIn(body, json.dumps(self.sql("SELECT * FROM %s" % table)))
        # It signs an RS256 assertion the token endpoint takes.
        self.assert_signed_in(self.jwt_sign_in(m, kid, priv), m)
        listed = self.ok("user", "key", "list", "--user", m).splitlines()
        self.assertEqual(listed[0].split(), ["ID", "EXPIRES", "CREATED", "THUMBPRINT"])
        self.assertEqual(len(listed), 2, listed)
        cells = listed[1].split()
        self.assertEqual((cells[0], cells[1], cells[3]),
                         (kid, "9999-01-01T00:00:00Z", thumbprint(priv.public_key())))
        self.assertRegex(cells[2], r"^\d{4}-\d\d-\d\dT[\d:.]+Z$")
        self.assertNotIn("BEGIN", "\n".join(listed))

    def test_public_key_given_pem_or_der_with_expiry_then_removed(self):
        m = self.machine()
        priv = rsa.generate_private_key(public_exponent=65537, key_size=3072)
        pem = self.write("pub.pem", priv.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
        day = (now_utc() + datetime.timedelta(days=30)).strftime("%Y-%m-%d")
        out = self.ok("user", "key", "add", "--user", m, "--public-key", pem, "--expires", day)
        self.assertRegex(out, r"^[1-9][0-9]{16,18}\n$", "the key's ID alone")
        kid = out.strip()
        self.assertEqual(self.sql("SELECT REPLACE(public_key, CHAR(10), '|'), expiration_date"
                                  " FROM machine_keys WHERE id = '%s'" % kid),
                         [[public_pem(priv).replace("\n", "|"), day + " 00:00:00.000000"]])
        self.assert_signed_in(self.jwt_sign_in(m, kid, priv), m)
        # DER, the same key: stored as the same canonical PEM.
        der = self.write("pub.der", priv.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo))
        kid2 = self.ok("user", "key", "add", "--user", m, "--public-key", der).strip()
        self.assertEqual(self.one("SELECT COUNT(DISTINCT public_key) FROM machine_keys"
                                  " WHERE user_id = '%s'" % m), "1")
        listed = self.ok("user", "key", "list", "--user", m).splitlines()[1:]
        self.assertEqual([ln.split()[0] for ln in listed], [kid, kid2])
        self.assertEqual({ln.split()[3] for ln in listed}, {thumbprint(priv.public_key())})
        self.assertEqual(listed[0].split()[1], day + "T00:00:00Z")
        # Removed: gone, one event; its assertions refused; removing again is 5.
        self.assertEqual(self.ok("user", "key", "remove", "--user", m, "--key", kid),
                         "key %s of user %s removed\n" % (kid, m))
        self.assertEqual(self.one("SELECT COUNT(*) FROM machine_keys WHERE id = '%s'" % kid), "0")
        self.assertEqual(self.events(m)[-1][1:3], ["4", "user.machine.key.removed"])
        self.assertEqual(json.loads(self.events(m)[-1][5]), {"keyId": kid})
        r = self.jwt_sign_in(m, kid, priv)
        self.assertEqual((r.status, r.json()["error"]), (400, "invalid_grant"), r.body)
        self.assert_signed_in(self.jwt_sign_in(m, kid2, priv), m)
        self.refused(5, r'^oidc-secret-admin: user key remove: user "%s" has no key "%s"; '
                        r'oidc-secret-admin user key list --user %s lists its keys$' % (m, kid, m),
                     "user", "key", "remove", "--user", m, "--key", kid)

    def test_public_keys_refused_with_the_reason(self):
        m = self.machine()
        small = rsa.generate_private_key(public_exponent=65537, key_size=1024)
        rsa_priv = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        ec_key = ec.generate_private_key(ec.SECP256R1())
        cases = (
            (self.write("none", b""), r"not an RSA public key"),
            (self.write("text", b"hello\n"), r"not an RSA public key in PEM"),
            (self.write("small.pem", small.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)),
             r"RSA key size not between 2048 and 8192 bits"),
            (self.write("priv.pem", rsa_priv.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                serialization.NoEncryption())), r"a private key: give its public key"),
            (self.write("ec.pem", ec_key.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)),
             r"not an RSA key"),
            (self.write("big", b"x" * 16385), r"over 16384 bytes"),
            (os.path.join(self.env.dir, "no-such-key.pem"), r"No such file or directory"),
            (self.env.dir, r"not a regular file"),
        )
        for path, msg in cases:
            with self.subTest(path=os.path.basename(path)):
                self.refused(2, r'^oidc-secret-admin: --public-key "%s": %s'
                             % (re.escape(path), msg), "user", "key", "add", "--user", m,
                             "--public-key", path)

    # --- grace periods: verify, end-grace

    def test_machine_secret_grace_until_end_grace(self):
        m = self.machine()
        name = self.username(m)
        s1 = self.secret(m, self.grace_config)
        self.assertEqual(self.user_row(m)[4:6], ["NULL", "NULL"], "no previous secret yet")
        s2 = self.secret(m, self.grace_config)
        _, _, seq, hash2, previous, until, _ = self.user_row(m)
        self.assertTrue(php_verify(s1, previous))
        left = (parse_dt(until) - parse_dt(self.one("SELECT UTC_TIMESTAMP(6)"))).total_seconds()
        self.assertTrue(self.GRACE - 60 < left <= self.GRACE, left)
        self.assertEqual(json.loads(self.events(m)[-1][5]),
                         {"hashedSecret": hash2, "previousSecretValidSeconds": self.GRACE})
        # Both verify, and both sign in, while the grace lasts.
        self.assertEqual((self.verify_user(m, s1), self.verify_user(m, s2)), (0, 0))
        self.assertEqual(self.verify_user(m, s1[:-1]), 1)
        self.assert_signed_in(self.sign_in(name, s1), m)
        self.assert_signed_in(self.sign_in(name, s2), m)
        # The database's clock judges, not the host's: a tool whose clock is
        # two days ahead still takes the previous secret.
        shim = self.clock_shim()
        ahead = {"LD_PRELOAD": shim, "SHIFT_S": str(2 * 86400),
                 # An ASan build wants its runtime first; the shim only
                 # moves the clock.
                 "ASAN_OPTIONS": ":".join(filter(None, [
                     os.environ.get("ASAN_OPTIONS"), "verify_asan_link_order=0"]))}
        tomorrow = (now_utc() + datetime.timedelta(days=1)).strftime("%Y-%m-%d")
        self.assert_exit(run_admin(self.config, "user", "key", "add", "--user", m, "--expires",
                                   tomorrow, extra_env=ahead), 2, "has come already")
        self.assert_exit(run_admin(self.config, "verify", "--user", m, stdin=s1,
                                   extra_env=ahead), 0)
        # Ended now: one event, only the new secret from then on.
        out = self.ok("secret", "end-grace", "--user", m)
        self.assertRegex(out, r"^the previous secret of user %s, valid until "
                              r"\d{4}-\d\d-\d\dT[\d:.]+Z, is no longer valid\n$" % m)
        self.assertEqual(self.user_row(m)[2:6], [str(int(seq) + 1), hash2, "NULL", "NULL"])
        self.assertEqual(self.events(m)[-1][:6], ["user", str(int(seq) + 1),
                                                  "user.machine.secret.grace.ended",
                                                  self.events(m)[0][3], "oidc-secret-admin",
                                                  "{}"])
        self.assertEqual((self.verify_user(m, s1), self.verify_user(m, s2)), (1, 0))
        self.assertEqual(self.sign_in(name, s1).status, 401)
        self.assert_signed_in(self.sign_in(name, s2), m)
        before = self.counts()
        self.assertEqual(self.ok("secret", "end-grace", "--user", m),
                         "user %s has no previous secret within a grace period; nothing"
                         " changed\n" % m)
        self.assertEqual(self.counts(), before)
        # A grace that ran out by the database's clock is none.
        self.secret(m, self.grace_config)
        self.sql("UPDATE users SET previous_secret_until = UTC_TIMESTAMP(6) - INTERVAL 1 SECOND"
                 " WHERE id = '%s'" % m)
        self.assertEqual(self.verify_user(m, s2), 1)
        self.assertIn("has no previous secret", self.ok("secret", "end-grace", "--user", m))

    def clock_shim(self):
        path = os.path.join(self.env.dir, "clock-shift.so")
        if not os.path.exists(path):
            src = self.write("clock-shift.c", CLOCK_SHIM.encode())
            subprocess.run(["cc", "-shared", "-fPIC", "-o", path, src, "-ldl"], check=True)
        return path

    def test_app_secret_grace_until_end_grace(self):
        org = self.org()
        owner = self.user(org)
        self.ok("member", "add", "--user", owner, "--scope", "org", "--org", org,
                "--role", "ORG_OWNER")
        token = self.token(owner)
        project = self.project(org)
        for kind, path in (("oidc", None),
                           ("api", "/management/v1/projects/%s/apps/%s/api_config/"
                                   "_generate_client_secret")):
            with self.subTest(kind=kind):
                r = run_admin(self.grace_config, "app", "add", "--project", project, "--name",
                              kind + new_id("5"), "--" + kind)
                self.assert_exit(r, 0)
                app = key_values(r.stdout)
                s1 = app["client_secret"]
                self.env.secrets_seen.add(s1)
                a = app["app_id"]
                # The API regenerates it, with the responder's grace.
                r = rest(self.port, project, a, token=token,
                         path=path % (project, a) if path else None)
                self.assertEqual(r.status, 200, r.body)
                s2 = r.json()["clientSecret"]
                self.env.secrets_seen.add(s2)
                self.assertEqual((self.verify_app(project, a, s1),
                                  self.verify_app(project, a, s2)), (0, 0))
                self.assertEqual(self.verify_app(project, a, s1 + "x"), 1)
                table = kind + "_configs"
                self.assertEqual(self.one("SELECT previous_secret_until > UTC_TIMESTAMP(6)"
                                          " FROM %s WHERE app_id = '%s'" % (table, a)), "1")
                seq = int(self.one("SELECT sequence FROM projects WHERE id = '%s'" % project))
                out = self.ok("secret", "end-grace", "--app", a)
                self.assertRegex(out, r"^the previous secret of app %s, valid until .*Z, is no "
                                      r"longer valid\n$" % a)
                self.assertEqual(self.sql("SELECT COALESCE(previous_secret_hash, 'NULL'),"
                                          " COALESCE(previous_secret_until, 'NULL')"
                                          " FROM %s WHERE app_id = '%s'" % (table, a)),
                                 [["NULL", "NULL"]])
                self.assertEqual(self.one("SELECT sequence FROM projects WHERE id = '%s'"
                                          % project), str(seq + 1))
                self.assertEqual(self.events(project)[-1],
                                 ["project", str(seq + 1),
                                  "project.application.config.%s.secret.grace.ended" % kind,
                                  org, "oidc-secret-admin", json.dumps({"appId": a})])
                self.assertEqual(int(self.one("SELECT COUNT(*) FROM events WHERE aggregate_id"
                                              " = '%s'" % project)), seq + 1)
                self.assertEqual((self.verify_app(project, a, s1),
                                  self.verify_app(project, a, s2)), (1, 0))
                before = self.counts()
                self.assertEqual(self.ok("secret", "end-grace", "--app", a),
                                 "app %s has no previous secret within a grace period; nothing"
                                 " changed\n" % a)
                self.assertEqual(self.counts(), before)
                # The responder takes it from there: the next sequence.
                r = rest(self.port, project, a, token=token,
                         path=path % (project, a) if path else None)
                self.assertEqual(r.status, 200, r.body)
                self.env.secrets_seen.add(r.json()["clientSecret"])
                self.assertEqual(r.json()["details"]["sequence"], str(seq + 2))
        self.refused(5, r'^oidc-secret-admin: secret end-grace: no app "4040404" \(unknown or '
                        r'removed\); oidc-secret-admin app list lists them$',
                     "secret", "end-grace", "--app", "4040404")


class Init(AdminCase):
    """init on databases of its own."""

    @classmethod
    def setUpClass(cls):
        cls.env = env()

    def fresh(self, tag, migrate=True):
        self.database = "oidc_admin_init_" + tag
        self.config, self.password = own_database(self.env, self.database, migrate=migrate)
        return self.config

    def sql(self, query):
        return rows(self.env, self.database, query)

    def state(self):
        return [self.sql("SELECT * FROM %s ORDER BY 1" % t) for t in
                ("orgs", "users", "memberships", "projects", "access_tokens", "events")]

    def test_init_makes_a_site_whose_token_works_against_the_responder(self):
        self.fresh("site")
        r = run_admin(self.config, "init", "--org", "Example Org")
        self.assert_exit(r, 0)
        self.assertEqual(r.stderr, "")
        lines = r.stdout.splitlines()
        values = key_values(r.stdout)
        self.assertEqual(list(values), ["api_project_id", "org_id", "user_id", "token"])
        self.assertTrue(all(ln.startswith("#") or " = " in ln for ln in lines), lines)
        self.assertTrue(lines[0].startswith("# Put this line in oidc-secret.conf"), lines)
        self.assertEqual(lines[1], "api_project_id = " + values["api_project_id"])
        token = values["token"]
        self.env.secrets_seen.add(token)
        self.assertRegex(token, TOKEN_RE)
        org, user, api = values["org_id"], values["user_id"], values["api_project_id"]
        for v in (org, user, api):
            self.assertRegex(v, ID_RE)
        self.assertEqual(self.sql("SELECT id, name, state FROM orgs"),
                         [[org, "Example Org", "active"]])
        self.assertEqual(self.sql("SELECT id, resource_owner, username, state FROM users"),
                         [[user, org, "admin", "active"]])
        self.assertEqual(self.sql("SELECT user_id, scope, scope_id, role FROM memberships"
                                  " ORDER BY scope"),
                         [[user, "instance", "", "IAM_OWNER"], [user, "org", org, "ORG_OWNER"]])
        self.assertEqual(self.sql("SELECT id, resource_owner, name, state, sequence FROM projects"),
                         [[api, org, "ZITADEL", "active", "1"]])
        tok = self.sql("SELECT user_id, token_type, audience, expires_at FROM access_tokens"
                       " WHERE token_sha256 = '%s'" % st.sha256_hex(token))
        self.assertEqual([t[:3] for t in tok], [[user, "access", api]])
        left = (parse_dt(tok[0][3]) - now_utc()).total_seconds()
        self.assertTrue(43200 - 120 < left <= 43200 + 1, left)
        self.assertEqual(sorted(e[0] for e in self.sql("SELECT event_type FROM events")),
                         sorted(["org.added", "user.human.added", "instance.member.added",
                                 "org.member.added", "project.added"]))
        self.assertNotIn(token, "\n".join("\t".join(row) for t in self.state() for row in t))

        # The line as printed goes into the responder's configuration.
        conf = os.path.join(self.env.dir, "init-site-responder.conf")
        with open(self.config) as f:
            text = "".join(ln for ln in f if not ln.startswith("api_project_id"))
        with open(conf, "w") as f:
            f.write(text + lines[1] + "\n")
        port = self.env.lighttpd("admin-init", config=conf).port
        r = run_admin(conf, "project", "add", "--org", org, "--name", "Apps")
        self.assert_exit(r, 0)
        project = r.stdout.strip()
        r = run_admin(conf, "app", "add", "--project", project, "--name", "Web", "--oidc")
        self.assert_exit(r, 0)
        app = key_values(r.stdout)
        self.env.secrets_seen.add(app["client_secret"])
        r = rest(port, project, app["app_id"], token=token)
        self.assertEqual(r.status, 200, r.body)
        secret = r.json()["clientSecret"]
        self.env.secrets_seen.add(secret)
        self.assertEqual(r.json()["details"]["resourceOwner"], org)
        self.assert_exit(run_admin(conf, "verify", "--project", project, "--app",
                                   app["app_id"], stdin=secret), 0)
        r = http(port, "POST", V2_PATH, {"Content-Type": "application/json",
                                         "Authorization": "Bearer " + token},
                 json.dumps({"applicationId": app["app_id"], "projectId": project}))
        self.assertEqual(r.status, 200, r.body)
        self.env.secrets_seen.add(r.json()["clientSecret"])

    def test_init_twice_is_refused_and_changes_nothing(self):
        self.fresh("twice")
        r = run_admin(self.config, "init")
        self.assert_exit(r, 0)
        self.env.secrets_seen.add(key_values(r.stdout)["token"])
        before = self.state()
        r = run_admin(self.config, "init", "--org", "Again")
        self.assert_exit(r, 7, r"^oidc-secret-admin: init: the database holds 1 organization "
                               r"already; init sets up an empty database, once")
        self.assertEqual((r.stdout, len(r.stderr.splitlines())), ("", 1))
        self.assertEqual(self.state(), before)

    def test_two_inits_at_once_make_one_site(self):
        self.fresh("race")
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            results = list(pool.map(lambda _: run_admin(self.config, "init"), range(4)))
        self.assertEqual(sorted(r.returncode for r in results), [0, 7, 7, 7],
                         [r.stderr for r in results])
        for r in results:
            if r.returncode == 0:
                self.env.secrets_seen.add(key_values(r.stdout)["token"])
        self.assertEqual(self.sql("SELECT COUNT(*) FROM orgs"), [["1"]])
        self.assertEqual(self.sql("SELECT COUNT(*) FROM access_tokens"), [["1"]])

    def test_init_names_and_pat(self):
        self.fresh("pat")
        r = run_admin(self.config, "init", "--org", "Acme", "--user", "root-user",
                      "--project", "API", "--pat")
        self.assert_exit(r, 0)
        values = key_values(r.stdout)
        self.env.secrets_seen.add(values["token"])
        self.assertIn("personal access token", r.stdout)
        self.assertEqual(self.sql("SELECT name FROM orgs"), [["Acme"]])
        self.assertEqual(self.sql("SELECT username FROM users"), [["root-user"]])
        self.assertEqual(self.sql("SELECT name FROM projects"), [["API"]])
        self.assertEqual(self.sql("SELECT token_type, COALESCE(expires_at, 'NULL')"
                                  " FROM access_tokens"), [["pat", "NULL"]])

    def test_init_needs_a_schema(self):
        self.fresh("empty", migrate=False)
        r = run_admin(self.config, "init")
        self.assert_exit(r, 1, r"init: the database has no schema yet: run oidc-secret-admin "
                               r"migrate first")
        self.assertEqual(r.stdout, "")
        self.assertEqual(self.sql("SHOW TABLES"), [])

    def test_usage(self):
        for args, msg in ((("init", "--org", ""), r"--org"),
                          (("init", "--ttl", "0"), r"--ttl"),
                          (("init", "--org", "a\x01"), r"--org")):
            with self.subTest(args=args):
                self.assert_exit(run_admin(os.path.join(self.env.dir, "nope.conf"), *args),
                                 2, msg)


class DatabaseLogin(AdminCase):
    """A login the database refuses says which statements let it in, in the
    admin tool's output and in the responder's log."""

    @classmethod
    def setUpClass(cls):
        cls.env = env()
        cls.config, cls.password = own_database(cls.env, "oidc_admin_login", migrate=True)

    def bad(self, name, **settings):
        return st.responder_config(os.path.join(self.env.dir, "admin-login-%s.conf" % name),
                                   self.env.db, settings.pop("db", "oidc_admin_login"),
                                   settings.pop("user", "oidc_admin_login"),
                                   settings.pop("password", self.password), **settings)

    def test_1045_and_1044_name_create_user_and_grant(self):
        cases = (
            ("password", self.bad("pw", password="wrong-" + self.password[:3]),
             "oidc_admin_login", "oidc_admin_login"),
            ("no user", self.bad("user", user="oidc_nobody"), "oidc_nobody", "oidc_admin_login"),
            ("no grant", self.bad("db", db="oidc_admin_other"), "oidc_admin_login",
             "oidc_admin_other"),
        )
        for what, conf, user, db in cases:
            with self.subTest(case=what):
                r = run_admin(conf, "check-config")
                self.assert_exit(r, 4)
                self.assertRegex(r.stderr, r"database: connect to localhost: 104[45] .*Access denied")
                self.assertIn("CREATE USER '%s'@'localhost' IDENTIFIED BY '<db_password>'"
                              % user, r.stderr)
                self.assertIn("GRANT ALL ON `%s`.* TO '%s'@'localhost'" % (db, user), r.stderr)
                self.assertIn("GRANT lines of oidc-secret.conf(5)", r.stderr)
                self.assertNotIn(self.password, r.stderr + r.stdout)
                # The responder's log line says the same.
                cgi = subprocess.run([st.responder_path()], env={
                    "REQUEST_METHOD": "GET", "SCRIPT_NAME": "", "PATH_INFO": "/debug/ready",
                    "GATEWAY_INTERFACE": "CGI/1.1", "OIDC_SECRET_CONFIG": conf},
                    stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30)
                self.assertTrue(cgi.stdout.startswith("Status: 503"), cgi.stdout)
                self.assertIn("CREATE USER '%s'@'localhost'" % user, cgi.stderr)
                self.assertIn("GRANT lines of oidc-secret.conf(5)", cgi.stderr)
                self.assertNotIn(self.password, cgi.stderr)


if __name__ == "__main__":
    unittest.main()
