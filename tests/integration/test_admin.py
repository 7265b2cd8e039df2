"""oidc-secret-admin against the suite's real MariaDB (issue 6, part 1).

Each class works in databases of its own (oidc_admin_*), created here as
root, so nothing it does touches the data of the other tests.  The tool is
run as an operator runs it: --config FILE, no OIDC_SECRET_* inherited from
the caller, results on stdout, errors on stderr, fixed exit codes
(0 ok, 1 no match / check failed, 2 usage, 3 configuration, 4 database,
5 not found, 6 database newer than the tool).
"""

import datetime
import os
import re
import shutil
import subprocess
import tempfile
import time
import unittest

from harness import (API_PROJECT, ERRORS, argon2_verify, env, php_verify, rest,
                     st)

SQL_DIR = os.path.join(st.ROOT, "sql")
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
        self.assertIn("applied 001_schema.sql", r.stdout)
        self.assertIn("applied 002_role_permissions.sql", r.stdout)
        self.assertIn("applied 003_api_apps.sql", r.stdout)
        self.assertEqual(r.stderr, "")
        tables, versions, roles = self.state()
        self.assertEqual([v[:2] for v in versions],
                         [["1", "001_schema.sql"], ["2", "002_role_permissions.sql"],
                          ["3", "003_api_apps.sql"]])
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
             " (7, '007_from_the_future.sql', UTC_TIMESTAMP(6))")
        before = self.state()
        # Even a pending file of its own is not applied to a newer database.
        d = self.sql_dir(("004_extra.sql", "CREATE TABLE extra (id INT);\n"))
        r = run_admin(self.config, "migrate", "--sql-dir", d)
        self.assert_exit(r, 6, r"schema version 7, newer than .*\(4 in ")
        self.assertIn("nothing changed", r.stderr)
        self.assertNotIn("applied", r.stdout)
        self.assertEqual(self.state(), before)

    def test_broken_migration_rolls_back_its_data_and_is_not_recorded(self):
        self.fresh("broken")
        self.assert_exit(run_admin(self.config, "migrate"), 0)
        good_insert = ("INSERT INTO role_permissions (role, permission)"
                       " VALUES ('OPS_TEST_ROLE', 'ops.test');\n")
        d = self.sql_dir(("004_broken.sql", "-- a good statement, then a bad one\n"
                          + good_insert + "UPDATE no_such_table SET x = 1;\n"))
        before = self.state()
        r = run_admin(self.config, "migrate", "--sql-dir", d)
        self.assert_exit(r, 4, r"004_broken\.sql: the statement ending at line 3 failed")
        self.assertIn("004_broken.sql not applied; schema left at version 3", r.stderr)
        self.assertNotIn("applied 004", r.stdout)
        # The INSERT before the failure is undone (DML in the transaction).
        self.assertEqual(self.state(), before)
        # Fixed, it applies, once.
        with open(os.path.join(d, "004_broken.sql"), "w") as fh:
            fh.write(good_insert)
        r = run_admin(self.config, "migrate", "--sql-dir", d)
        self.assert_exit(r, 0)
        self.assertIn("applied 004_broken.sql", r.stdout)
        self.assertNotIn("applied 001", r.stdout)
        _, versions, roles = self.state()
        self.assertEqual([v[0] for v in versions], ["1", "2", "3", "4"])
        self.assertIn(["OPS_TEST_ROLE", "ops.test"], roles)

    def test_a_skipped_older_migration_is_refused(self):
        self.fresh("gap")
        self.assert_exit(run_admin(self.config, "migrate"), 0)
        d = self.sql_dir(("004_a.sql", "CREATE TABLE IF NOT EXISTS gap_a (id INT);\n"),
                         ("005_b.sql", "CREATE TABLE IF NOT EXISTS gap_b (id INT);\n"))
        # 005 recorded, 004 never: applying 004 now would run it out of order.
        rows(self.env, self.database, "INSERT INTO schema_migrations VALUES"
             " (5, '005_b.sql', UTC_TIMESTAMP(6))")
        before = self.state()
        r = run_admin(self.config, "migrate", "--sql-dir", d)
        self.assert_exit(r, 3, r"004_a\.sql was never applied, yet the database is at version 5")
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
        d = self.sql_dir(("004_open.sql", "INSERT INTO role_permissions VALUES ('A', 'b')\n"))
        before = self.state()
        r = run_admin(self.config, "migrate", "--sql-dir", d)
        # A malformed file is an input file's fault (3), not the database's.
        self.assert_exit(r, 3, r"004_open\.sql: the last statement has no ';'")
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
        d = self.sql_dir(("004_extra.sql", "CREATE TABLE IF NOT EXISTS extra (id INT);\n"))
        r = run_admin(self.config, "migrate", sql_dir=d)
        self.assert_exit(r, 0)
        self.assertIn("applied 004_extra.sql", r.stdout)
        self.assertIn("schema at version 4 (4 applied now)", r.stdout)

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

    def issue(self, *args, user=DEMO["USER_ID"]):
        r = run_admin(self.config, "token", "issue", "--user", user, *args)
        self.assert_exit(r, 0)
        self.assertEqual(r.stderr, "")
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
        other_aud = self.issue("--audience", "123 456")
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

    def test_argon2id_default_verifies_with_php_and_argon2_cffi(self):
        secret = "s3cret-For-Import-0123456789"
        r = run_admin(self.conf("default"), "hash", stdin=secret + "\n")
        self.assert_exit(r, 0)
        h = r.stdout.strip()
        self.assertRegex(h, r"^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$")
        self.assertNotIn(secret, r.stdout)
        self.assertTrue(php_verify(secret, h))
        self.assertTrue(argon2_verify(secret, h))
        self.assertFalse(php_verify(secret + "x", h))
        # A fresh salt each time.
        self.assertNotEqual(run_admin(self.conf("default"), "hash", stdin=secret).stdout, r.stdout)

    def test_argon2id_parameters_from_the_configuration(self):
        secret = "another-secret"
        r = run_admin(self.conf("argon", argon2_memory_kib=8192, argon2_iterations=3,
                                argon2_parallelism=2), "hash", stdin=secret)
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


class CheckConfig(AdminCase):
    @classmethod
    def setUpClass(cls):
        cls.env = env()
        cls.config, cls.password = own_database(cls.env, "oidc_admin_check", migrate=True)

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
        self.assertIn("configuration: %s: ok (hash argon2id)" % self.config, r.stdout)
        self.assertIn("database: reachable, schema version 3", r.stdout)
        self.assertEqual(r.stderr, "")
        self.assert_no_password(r)

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
                     "check-config", "2 usage", "6 database newer"):
            self.assertIn(text, r.stdout)
        self.assertEqual(r.stderr, "")
        self.assert_exit(run_admin(self.missing, "token", "issue", "--help"), 0)
        r = run_admin(None, "--version")
        self.assert_exit(r, 0)
        self.assertRegex(r.stdout, r"^oidc-secret-admin \d+\.\d+\.\d+\n$")

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


if __name__ == "__main__":
    unittest.main()
