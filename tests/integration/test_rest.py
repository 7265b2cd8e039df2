"""The REST call end to end: lighttpd -> oidc-secret.fcgi -> MariaDB.

Covers doc/api.md, doc/errors.md and doc/database.md: the 200 body and what it changes in the
database, every row of the error table with its status, body and headers,
the order of the checks, and that no error writes anything.
"""

import json
import time
import unittest

from harness import (error_body, st, DATE_RE, ERRORS, GRPC_PATH, REST_PATH,
                     SECRET_RE, API_PROJECT, argon2_verify, env, http, new_id,
                     php_verify, rest, verify_hash)


class Base(unittest.TestCase):
    server = "default"
    settings = {}

    @classmethod
    def setUpClass(cls):
        cls.env = env()
        cls.web = cls.env.lighttpd(cls.server, **cls.settings)
        cls.port = cls.web.port

    def call(self, w, **kw):
        kw.setdefault("token", w.token)
        return rest(self.port, kw.pop("project", w.project), kw.pop("app", w.app), **kw)

    def assert_common_headers(self, r):
        self.assertEqual(r.header("Cache-Control"), "no-store")
        self.assertEqual(r.header("Pragma"), "no-cache")
        self.assertEqual(r.header("X-Content-Type-Options"), "nosniff")

    def assert_error(self, r, kind):
        code, eid, text, status = ERRORS[kind]
        self.assertEqual(r.status, status, r.body)
        self.assertEqual(r.header("Content-Type"), "application/json")
        self.assert_common_headers(r)
        self.assertEqual(r.json(), error_body(kind))

    def assert_refused(self, kind, w=None, **kw):
        """The call fails with kind and the database is as it was."""
        before = self.env.snapshot()
        r = self.call(w, **kw) if w is not None else rest(self.port, **kw)
        self.assert_error(r, kind)
        self.assertEqual(self.env.snapshot(), before, "an error wrote to the database")
        return r

    def assert_success(self, r, w, project=None):
        project = project or w.project
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.header("Content-Type"), "application/json")
        self.assert_common_headers(r)
        body = r.json()
        self.assertEqual(set(body), {"clientSecret", "details"})
        self.assertEqual(set(body["details"]),
                         {"sequence", "creationDate", "changeDate", "resourceOwner"})
        self.assertRegex(body["clientSecret"], SECRET_RE)
        self.env.secrets_seen.add(body["clientSecret"])
        self.assertRegex(body["details"]["changeDate"], DATE_RE)
        self.assertRegex(body["details"]["creationDate"], DATE_RE)
        self.assertIsInstance(body["details"]["sequence"], str)
        return body


class Success(Base):
    def test_secret_body_and_database(self):
        e = self.env
        w = e.world()
        seq0 = e.sequence(w.project)
        events0 = e.q1("SELECT COUNT(*) FROM events")[0]
        r = self.call(w)
        body = self.assert_success(r, w)
        secret = body["clientSecret"]
        details = body["details"]
        self.assertEqual(details["sequence"], str(seq0 + 1))
        self.assertEqual(details["resourceOwner"], w.org)
        # The app's creation time, with the 6 digits DATETIME(6) holds.
        self.assertEqual(details["creationDate"], "2026-11-27T10:11:12.123456Z")
        # The stored state agrees with the answer.
        self.assertEqual(e.sequence(w.project), seq0 + 1)
        stored = e.stored_hash(w.app)
        # bcrypt cost 4, the default (doc/security.md).
        self.assertRegex(stored, r"^\$2b\$04\$[./A-Za-z0-9]{53}$")
        self.assertNotIn(secret, stored)
        self.assertTrue(verify_hash(secret, stored))
        self.assertTrue(php_verify(secret, stored))
        self.assertFalse(verify_hash(secret[:-1] + ("A" if secret[-1] != "A" else "B"), stored))
        change = e.q1("SELECT change_date FROM projects WHERE id = %s", w.project)[0]
        sc = e.q1("SELECT secret_change_date FROM oidc_configs WHERE app_id = %s", w.app)[0]
        self.assertEqual(change, sc)
        want = change.strftime("%Y-%m-%dT%H:%M:%S")
        self.assertTrue(details["changeDate"].startswith(want), (details["changeDate"], want))
        # Exactly one event, carrying what doc/database.md says.
        self.assertEqual(e.q1("SELECT COUNT(*) FROM events")[0], events0 + 1)
        ev = e.q1("SELECT aggregate_type, aggregate_id, sequence, event_type,"
                  " resource_owner, editor_user, creation_date, payload FROM events"
                  " WHERE aggregate_id = %s AND sequence = %s", w.project, seq0 + 1)
        self.assertEqual(ev[:6], ("project", w.project, seq0 + 1,
                                  "project.application.config.oidc.secret.changed",
                                  w.org, w.user))
        self.assertEqual(ev[6], change)
        self.assertEqual(json.loads(ev[7]), {"appId": w.app, "hashedSecret": stored})

    def test_sequence_up_by_one_each_call_and_old_secret_dies(self):
        e = self.env
        w = e.world()
        seq0 = e.sequence(w.project)
        secrets = []
        for i in range(3):
            body = self.assert_success(self.call(w), w)
            self.assertEqual(body["details"]["sequence"], str(seq0 + i + 1))
            secrets.append(body["clientSecret"])
        self.assertEqual(len(set(secrets)), 3)
        stored = e.stored_hash(w.app)
        self.assertTrue(verify_hash(secrets[-1], stored))
        for old in secrets[:-1]:
            self.assertFalse(verify_hash(old, stored))
        seqs = [r[0] for r in e.q("SELECT sequence FROM events WHERE aggregate_id = %s"
                                  " AND event_type LIKE '%%secret.changed' ORDER BY sequence",
                                  w.project)]
        self.assertEqual(seqs, [seq0 + 1, seq0 + 2, seq0 + 3])

    def test_empty_and_any_json_object_body(self):
        w = self.env.world()
        for body, ctype in ((b"", None), (b"", "application/json"),
                            (b'{"projectId":"other","appId":"x","extra":[1,{"a":null}]}',
                             "application/json; charset=utf-8"),
                            (b" \r\n{ } \n", "Application/JSON")):
            with self.subTest(body=body, ctype=ctype):
                self.assert_success(self.call(w, body=body, content_type=ctype), w)

    def test_chunked_body_without_content_length(self):
        w = self.env.world()
        self.assert_success(self.call(w, body=b'{"a": "' + b"x" * 100 + b'"}',
                                      chunked=True), w)

    def test_inactive_app_and_auth_method_none_still_get_a_secret(self):
        e = self.env
        w = e.world()
        inactive = e.app(w.project, state="inactive")
        public = e.app(w.project, auth_method="none")
        for app in (inactive, public):
            body = self.assert_success(self.call(w, app=app), w)
            self.assertTrue(verify_hash(body["clientSecret"], e.stored_hash(app)))

    def test_inactive_project_still_served(self):
        e = self.env
        w = e.world()
        p = e.project(w.org, state="inactive")
        a = e.app(p)
        self.assert_success(self.call(w, project=p, app=a), w)

    def test_personal_access_token_skips_audience(self):
        e = self.env
        w = e.world()
        pat = e.token(w.user, token_type="pat", audience="")
        self.assert_success(self.call(w, token=pat), w)

    def test_audience_among_several(self):
        e = self.env
        w = e.world()
        tok = e.token(w.user, audience="123 %s 456" % API_PROJECT)
        self.assert_success(self.call(w, token=tok), w)

    def test_bearer_scheme_case_insensitive(self):
        w = self.env.world()
        r = rest(self.port, w.project, w.app, headers={"Authorization": "bEaReR " + w.token})
        self.assert_success(r, w)

    def test_mount_prefix_and_percent_encoded_path(self):
        e = self.env
        w = e.world()
        # An ID with a space, sent encoded: the server decodes it once.
        p = e.project(w.org, pid=new_id("3") + " x")
        a = e.app(p)
        r = rest(self.port, p, a, token=w.token,
                 path="/some/prefix" + REST_PATH % (p.replace(" ", "%20"), a))
        body = self.assert_success(r, w)
        self.assertEqual(body["details"]["resourceOwner"], w.org)

    def test_x_zitadel_orgid_own_org(self):
        w = self.env.world()
        self.assert_success(self.call(w, org=w.org), w)

    def test_instance_admin_acts_in_another_org(self):
        e = self.env
        w = e.world()
        home = e.org()
        admin = e.user(home, roles=[("instance", "", "IAM_OWNER")])
        tok = e.token(admin)
        body = self.assert_success(self.call(w, token=tok, org=w.org), w)
        self.assertEqual(body["details"]["resourceOwner"], w.org)
        ev = e.q1("SELECT editor_user FROM events WHERE aggregate_id = %s"
                  " ORDER BY sequence DESC LIMIT 1", w.project)
        self.assertEqual(ev[0], admin)

    def test_a_refused_token_that_turns_valid_is_accepted_a_second_later(self):
        # A refused token is refused again for up to a second without a
        # database round trip (src/auth.c); acceptance is never remembered.
        e = self.env
        w = e.world()
        u = e.user(w.org, state="inactive", roles=[("org", w.org, "ORG_OWNER")])
        tok = e.token(u)
        self.assert_error(self.call(w, token=tok), "token_invalid")
        e.q("UPDATE users SET state = 'active' WHERE id = %s", u)
        time.sleep(1.1)
        self.assert_success(self.call(w, token=tok), w)
        # And a revocation takes effect at once.
        e.q("UPDATE access_tokens SET revoked_at = UTC_TIMESTAMP(6) WHERE token_sha256 = %s",
            st.sha256_hex(tok))
        self.assert_error(self.call(w, token=tok), "token_invalid")

    def test_project_owner_at_project_scope(self):
        e = self.env
        w = e.world(role=None)
        e.grant(w.user, "project", w.project, "PROJECT_OWNER")
        self.assert_success(self.call(w), w)


class Health(Base):
    def test_healthz_and_ready(self):
        for path in ("/debug/healthz", "/debug/ready", "/api/debug/healthz"):
            with self.subTest(path=path):
                r = http(self.port, "GET", path)
                self.assertEqual(r.status, 200)
                self.assertEqual(r.body, b"ok\n")
                self.assert_common_headers(r)

    def test_health_other_method(self):
        r = http(self.port, "POST", "/debug/healthz", body=b"")
        self.assert_error(r, "method_not_allowed")
        self.assertEqual(r.header("Allow"), "GET, HEAD")

    def test_health_head(self):
        for path in ("/debug/healthz", "/debug/ready"):
            with self.subTest(path=path):
                r = http(self.port, "HEAD", path)
                self.assertEqual(r.status, 200)
                self.assertEqual(r.body, b"")
                self.assertEqual(r.header("Content-Length"), "3")
                self.assert_common_headers(r)


class Errors(Base):
    """Every row of doc/errors.md, and the transport's refusals."""

    def test_no_authorization(self):
        w = self.env.world()
        self.assert_refused("auth_missing", w, token=None)

    def test_not_bearer(self):
        w = self.env.world()
        for value in ("Basic dXNlcjpwYXNz", "Bearer", "Bearertoken", "", "Token " + w.token):
            with self.subTest(value=value):
                self.assert_refused("auth_missing", w, token=None,
                                    headers={"Authorization": value})

    def test_token_invalid_causes_share_one_answer(self):
        e = self.env
        w = e.world()
        cases = {
            "unknown": "nope" + w.token,
            "expired": e.token(w.user, expires_in=-5),
            "revoked": e.token(w.user, revoked=True),
            "no audience": e.token(w.user, audience="111 222"),
            "audience prefix only": e.token(w.user, audience=API_PROJECT[:-1]),
            "pat expired": e.token(w.user, token_type="pat", audience="", expires_in=-5),
        }
        for state in ("inactive", "locked", "removed"):
            u = e.user(w.org, state=state, roles=[("org", w.org, "ORG_OWNER")])
            cases["user " + state] = e.token(u)
        dead_org = e.org(state="inactive")
        u = e.user(dead_org, roles=[("instance", "", "IAM_OWNER")])
        cases["org inactive"] = e.token(u)
        for name, tok in cases.items():
            with self.subTest(cause=name):
                self.assert_refused("token_invalid", w, token=tok)

    def test_org_header_names_no_active_org(self):
        e = self.env
        w = e.world()
        for org in ("404404404", e.org(state="inactive"), e.org(state="removed"),
                    "x" * 300):
            with self.subTest(org=org[:20]):
                self.assert_refused("org_not_found", w, org=org)

    def test_id_missing(self):
        w = self.env.world()
        self.assert_refused("id_missing", w, project="")
        self.assert_refused("id_missing", w, app="")
        self.assert_refused("id_missing", w, project="", app="")

    def test_invalid_argument(self):
        w = self.env.world()
        # C0 controls and DEL never get past lighttpd (url-ctrls-reject): the
        # Apache modes send them through.  U+0085 is a C1 control.
        # lighttpd also refuses bytes that are not UTF-8; a surrogate's
        # encoding gets through to us.
        for project in ("p" * 201, "%ED%A0%80", "%C2%85", "a%C2%9Fb"):
            with self.subTest(project=project[:12]):
                self.assert_refused("invalid_argument", w, project=project)
        self.assert_refused("invalid_argument", w, app="a" * 201)

    def test_200_characters_is_not_too_long(self):
        w = self.env.world()
        # 200 multibyte characters pass the check and find no project.
        self.assert_refused("app_not_found", w, project="%C3%A9" * 200)
        self.assert_refused("app_not_found", w, project="p" * 200)

    def test_permission_denied(self):
        e = self.env
        w = e.world(role="ORG_USER_MANAGER")
        self.assert_refused("permission_denied", w)
        e.grant(w.user, "project", w.project, "PROJECT_OWNER_VIEWER")
        self.assert_refused("permission_denied", w)
        # A role at another project's scope does not reach this one.
        other = e.project(w.org)
        e.grant(w.user, "project", other, "PROJECT_OWNER")
        self.assert_refused("permission_denied", w)

    def test_user_of_another_org(self):
        e = self.env
        w = e.world()
        stranger_org = e.org()
        stranger = e.user(stranger_org, roles=[("org", stranger_org, "ORG_OWNER")])
        tok = e.token(stranger)
        # In its own org the project does not exist; in w's it has no role.
        self.assert_refused("app_not_found", w, token=tok)
        self.assert_refused("permission_denied", w, token=tok, org=w.org)

    def test_app_not_found(self):
        e = self.env
        w = e.world()
        other = e.world()
        removed_project = e.project(w.org, state="removed")
        removed_app = e.app(w.project, state="removed")
        cases = {
            "no such project": dict(project="777777"),
            "no such app": dict(app="777777"),
            "app of another project": dict(app=e.app(e.project(w.org))),
            "project of another org": dict(project=other.project, app=other.app),
            "removed project": dict(project=removed_project, app=e.app(removed_project)),
            "removed app": dict(app=removed_app),
        }
        for name, kw in cases.items():
            with self.subTest(case=name):
                self.assert_refused("app_not_found", w, **kw)

    def test_app_not_oidc(self):
        e = self.env
        w = e.world()
        self.assert_refused("app_not_oidc", w, app=w.api_app)
        self.assert_refused("app_not_oidc", w, app=e.app(w.project, app_type="saml"))

    def test_internal_error_says_nothing_inside(self):
        e = self.env
        w = e.world()
        broken = e.app(w.project, with_config=False)
        r = self.assert_refused("internal", w, app=broken)
        self.assertNotIn(b"oidc_configs", r.body)

    def test_unknown_path_and_wrong_method(self):
        w = self.env.world()
        for path in ("/", "/management/v1/projects", REST_PATH % (w.project, w.app) + "/",
                     "/management/v2/projects/1/apps/2/oidc_config/_generate_client_secret"):
            with self.subTest(path=path):
                before = self.env.snapshot()
                self.assert_error(http(self.port, "POST", path, body=b"{}"), "route_not_found")
                self.assertEqual(self.env.snapshot(), before)
        for method in ("GET", "PUT", "DELETE", "PATCH"):
            with self.subTest(method=method):
                # lighttpd refuses a GET that carries a body: send none.
                body = b"" if method == "GET" else b"{}"
                r = self.assert_refused("method_not_allowed", w, method=method,
                                        body=body, content_type=None)
                self.assertEqual(r.header("Allow"), "POST")

    def test_bad_bodies(self):
        w = self.env.world()
        for body in (b"[]", b"null", b"1", b'"x"', b"{", b"{}x", b'{"a":1,}',
                     b"{'a':1}", b'{"a":NaN}', b'{"a":01}', b'{"a":"\x01"}',
                     b'{"a":"\\x"}', b'{a:1}', b'{"a":"\xff"}', b"[" * 100 + b"]" * 100,
                     b'{"a":' * 40 + b"1" + b"}" * 40):
            with self.subTest(body=body[:16]):
                self.assert_refused("bad_body", w, body=body)

    def test_grpc_content_type_on_the_rest_path(self):
        w = self.env.world()
        for ctype in ("application/grpc-web+proto", "application/grpc",
                      "application/grpc-web-text"):
            with self.subTest(ctype=ctype):
                self.assert_refused("media_type", w, content_type=ctype)

    def test_any_other_content_type_is_read_as_json(self):
        """As grpc-gateway: curl -d '{}' sends a form type, and works."""
        for ctype in ("text/plain", "application/x-www-form-urlencoded",
                      "application/jsonx", "multipart/form-data; boundary=x", None):
            with self.subTest(ctype=ctype):
                w = self.env.world()
                self.assert_success(self.call(w, content_type=ctype), w)
        w = self.env.world()
        self.assert_refused("bad_body", w, content_type="application/x-www-form-urlencoded",
                            body=b"a=1")

    def test_body_too_large(self):
        w = self.env.world()
        big = b'{"a":"' + b"x" * (64 * 1024) + b'"}'
        self.assert_refused("body_too_large", w, body=big)
        self.assert_refused("body_too_large", w, body=big, chunked=True)
        # At the limit exactly, the body is read and accepted.
        exact = b'{"a":"' + b"x" * (64 * 1024 - 8) + b'"}'
        self.assertEqual(len(exact), 64 * 1024)
        self.assert_success(self.call(w, body=exact), w)

    def test_native_grpc_refused(self):
        w = self.env.world()
        before = self.env.snapshot()
        r = http(self.port, "POST", GRPC_PATH, {"Content-Type": "application/grpc",
                                                "Authorization": "Bearer " + w.token},
                 body=b"\x00\x00\x00\x00\x00")
        self.assertEqual(r.status, 415)
        self.assertEqual(r.header("grpc-status"), "12")
        self.assertIn("gRPC-web", r.header("grpc-message"))
        self.assertEqual(self.env.snapshot(), before)


class Order(Base):
    """doc/api.md: the first failing check answers."""

    def test_auth_before_everything(self):
        w = self.env.world()
        self.assert_refused("auth_missing", w, token=None, org="404", project="",
                            app="x" * 300)
        self.assert_refused("auth_missing", w, token=None, body=b"{}",
                            content_type="application/json")
        self.assert_refused("token_invalid", w, token="bogus", org="404", project="")

    def test_org_before_ids(self):
        w = self.env.world()
        self.assert_refused("org_not_found", w, org="404404", project="", app="%C2%85")

    def test_missing_before_malformed(self):
        w = self.env.world()
        self.assert_refused("id_missing", w, project="", app="%C2%85")
        self.assert_refused("id_missing", w, project="%C2%85", app="")

    def test_ids_before_permission(self):
        e = self.env
        w = e.world(role="ORG_USER_MANAGER")
        self.assert_refused("id_missing", w, app="")
        self.assert_refused("invalid_argument", w, app="x" * 201)

    def test_permission_before_lookup(self):
        e = self.env
        w = e.world(role="ORG_USER_MANAGER")
        self.assert_refused("permission_denied", w, app="777")
        self.assert_refused("permission_denied", w, app=w.api_app)

    def test_lookup_before_type(self):
        w = self.env.world()
        self.assert_refused("app_not_found", w, app=self.env.app(w.project, app_type="api",
                                                                   state="removed"))


class Unavailable(Base):
    """A responder that cannot reach its database answers 14 / 503."""
    server = "nodb"
    settings = {"db_socket": "/nonexistent/mysqld.sock", "db_connect_timeout_s": 2}

    def test_unavailable(self):
        w = self.env.world()
        self.assert_refused("unavailable", w)

    def test_ready_says_503(self):
        r = http(self.port, "GET", "/debug/ready")
        self.assert_error(r, "unavailable")

    def test_auth_header_checked_before_the_database(self):
        w = self.env.world()
        self.assert_refused("auth_missing", w, token=None)


class Argon2id(Base):
    """hash_algorithm = argon2id, chosen: the stored hash is argon2id at its
    defaults and verifies with argon2-cffi and PHP."""
    server = "argon2id"
    settings = {"hash_algorithm": "argon2id"}

    def test_argon2id_hash_verifies_independently(self):
        e = self.env
        w = e.world()
        body = self.assert_success(self.call(w), w)
        stored = e.stored_hash(w.app)
        self.assertTrue(stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$"), stored)
        self.assertTrue(argon2_verify(body["clientSecret"], stored))
        self.assertTrue(php_verify(body["clientSecret"], stored))
        self.assertFalse(php_verify(body["clientSecret"][:-1], stored))


if __name__ == "__main__":
    unittest.main()
