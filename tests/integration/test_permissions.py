"""The permission matrix , through lighttpd, REST.

Every seeded role (sql/002_role_permissions.sql, plus a role nobody
seeded) at every scope doc/api.md names -- instance, the acting org,
another org, this project, another project -- and the cases around them: a
user of another org with and without x-zitadel-orgid; inactive, locked and
removed users; inactive and removed orgs; expired and revoked tokens;
personal access tokens and access tokens with and without the API project
in their audience.  A denied call gets its exact code and text and writes
nothing; an allowed one gets 200 and writes exactly one change.
"""

import json
import unittest

from harness import error_body, API_PROJECT, ERRORS, env, rest, verify_hash

# doc/database.md: the roles holding project.app.write.
WRITE_ROLES = {"IAM_OWNER", "IAM_ORG_MANAGER", "ORG_OWNER", "PROJECT_OWNER",
               "PROJECT_OWNER_GLOBAL"}
SCOPES = ("instance", "acting org", "other org", "this project", "other project")
ALLOWED_SCOPES = {"instance", "acting org", "this project"}


class Permissions(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.env = env()
        cls.web = cls.env.lighttpd("default")
        cls.port = cls.web.port

    # --- checks ---------------------------------------------------------

    def call(self, token, project, app, org=None):
        return rest(self.port, project, app, token=token, org=org)

    def denied(self, kind, token, project, app, org=None):
        e = self.env
        before = e.snapshot()
        r = self.call(token, project, app, org)
        code, eid, text, status = ERRORS[kind]
        self.assertEqual(r.status, status, r.body)
        self.assertEqual(r.header("Cache-Control"), "no-store")
        self.assertEqual(r.json(), error_body(kind))
        self.assertEqual(e.snapshot(), before, "a denied call wrote to the database")

    def allowed(self, token, project, app, owner, editor, org=None):
        e = self.env
        seq0 = e.sequence(project)
        events0 = e.q1("SELECT COUNT(*) FROM events")[0]
        r = self.call(token, project, app, org)
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.header("Cache-Control"), "no-store")
        body = r.json()
        secret = body["clientSecret"]
        e.secrets_seen.add(secret)
        self.assertEqual(body["details"]["sequence"], str(seq0 + 1))
        self.assertEqual(body["details"]["resourceOwner"], owner)
        self.assertEqual(e.sequence(project), seq0 + 1)
        self.assertEqual(e.q1("SELECT COUNT(*) FROM events")[0], events0 + 1)
        ev = e.q1("SELECT editor_user, resource_owner, payload FROM events"
                  " WHERE aggregate_id = %s AND sequence = %s", project, seq0 + 1)
        self.assertEqual(ev[:2], (editor, owner))
        self.assertEqual(json.loads(ev[2])["appId"], app)
        self.assertTrue(verify_hash(secret, e.stored_hash(app)))

    # --- the seeded roles -----------------------------------------------

    def test_seeded_roles_are_spec_roles(self):
        e = self.env
        writers = {r[0] for r in e.q("SELECT role FROM role_permissions"
                                     " WHERE permission = 'project.app.write'")}
        self.assertEqual(writers, WRITE_ROLES)
        roles = {r[0] for r in e.q("SELECT DISTINCT role FROM role_permissions")}
        self.assertTrue({"ORG_USER_MANAGER", "PROJECT_OWNER_VIEWER"} <= roles, roles)

    def test_every_role_at_every_scope(self):
        e = self.env
        roles = sorted(r[0] for r in e.q("SELECT DISTINCT role FROM role_permissions"))
        roles.append("NO_SUCH_ROLE")
        for role in roles:
            for scope in SCOPES:
                with self.subTest(role=role, scope=scope):
                    org = e.org()
                    other_org = e.org()
                    user = e.user(org)
                    project = e.project(org)
                    other_project = e.project(org)
                    app = e.app(project)
                    scope_id = {"instance": "", "acting org": org, "other org": other_org,
                                "this project": project,
                                "other project": other_project}[scope]
                    kind = scope.split()[-1] if scope != "instance" else "instance"
                    e.grant(user, kind, scope_id, role)
                    token = e.token(user)
                    if role in WRITE_ROLES and scope in ALLOWED_SCOPES:
                        self.allowed(token, project, app, org, user)
                    else:
                        self.denied("permission_denied", token, project, app)

    def test_roles_add_up_across_scopes(self):
        """Read-only roles everywhere do not make a writer."""
        e = self.env
        w = e.world(role=None)
        other = e.org()
        for scope, scope_id in (("instance", ""), ("org", w.org), ("project", w.project),
                                ("org", other)):
            for role in ("IAM_OWNER_VIEWER", "ORG_OWNER_VIEWER", "PROJECT_OWNER_VIEWER",
                         "PROJECT_OWNER_VIEWER_GLOBAL", "ORG_USER_MANAGER"):
                e.grant(w.user, scope, scope_id, role)
        self.denied("permission_denied", w.token, w.project, w.app)
        e.grant(w.user, "org", other, "ORG_OWNER")
        self.denied("permission_denied", w.token, w.project, w.app)
        e.grant(w.user, "project", w.project, "PROJECT_OWNER")
        self.allowed(w.token, w.project, w.app, w.org, w.user)

    # --- a user of another org ------------------------------------------

    def test_user_of_another_org(self):
        e = self.env
        w = e.world()
        home = e.org()
        cases = [
            # (roles of the stranger, x-zitadel-orgid, outcome)
            ([("org", home, "ORG_OWNER")], None, "app_not_found"),
            ([("org", home, "ORG_OWNER")], "home", "app_not_found"),
            ([("org", home, "ORG_OWNER")], w.org, "permission_denied"),
            ([("org", w.org, "ORG_OWNER")], None, "permission_denied"),
            ([("org", w.org, "ORG_OWNER")], w.org, "allowed"),
            ([("org", w.org, "ORG_OWNER_VIEWER")], w.org, "permission_denied"),
            ([("instance", "", "IAM_OWNER")], None, "app_not_found"),
            ([("instance", "", "IAM_OWNER")], w.org, "allowed"),
            ([("instance", "", "IAM_ORG_MANAGER")], w.org, "allowed"),
            ([("instance", "", "IAM_OWNER_VIEWER")], w.org, "permission_denied"),
            ([("project", w.project, "PROJECT_OWNER")], None, "app_not_found"),
            ([("project", w.project, "PROJECT_OWNER")], w.org, "allowed"),
            ([("project", w.project, "PROJECT_OWNER_GLOBAL")], w.org, "allowed"),
            ([("project", w.project, "PROJECT_OWNER_VIEWER")], w.org, "permission_denied"),
            ([], w.org, "permission_denied"),
            ([], None, "permission_denied"),
        ]
        for roles, org, outcome in cases:
            with self.subTest(roles=roles, org=org):
                stranger = e.user(home, roles=roles)
                token = e.token(stranger)
                header = home if org == "home" else org
                if outcome == "allowed":
                    self.allowed(token, w.project, w.app, w.org, stranger, org=header)
                else:
                    self.denied(outcome, token, w.project, w.app, org=header)

    def test_org_header_names_no_active_org(self):
        e = self.env
        w = e.world()
        admin = e.user(e.org(), roles=[("instance", "", "IAM_OWNER")])
        token = e.token(admin)
        for name, org in (("inactive", e.org(state="inactive")),
                          ("removed", e.org(state="removed")),
                          ("unknown", "404404404")):
            with self.subTest(org=name):
                self.denied("org_not_found", token, w.project, w.app, org=org)
        # The target org itself inactive: named, it is refused.
        dead = e.org(state="inactive")
        p = e.project(dead)
        a = e.app(p)
        self.denied("org_not_found", token, p, a, org=dead)

    # --- users, orgs and tokens that are no longer good -----------------

    def test_user_not_active(self):
        e = self.env
        w = e.world()
        for state in ("inactive", "locked", "removed"):
            for role in (("instance", "", "IAM_OWNER"), ("org", w.org, "ORG_OWNER")):
                with self.subTest(state=state, role=role[2]):
                    u = e.user(w.org, state=state, roles=[role])
                    self.denied("token_invalid", e.token(u), w.project, w.app)
                    self.denied("token_invalid", e.token(u, token_type="pat", audience=""),
                                w.project, w.app)

    def test_org_not_active(self):
        e = self.env
        for state in ("inactive", "removed"):
            with self.subTest(state=state):
                org = e.org(state=state)
                u = e.user(org, roles=[("org", org, "ORG_OWNER"), ("instance", "", "IAM_OWNER")])
                p = e.project(org)
                a = e.app(p)
                self.denied("token_invalid", e.token(u), p, a)
                # Acting elsewhere does not help: the token is judged first.
                w = e.world()
                self.denied("token_invalid", e.token(u), w.project, w.app, org=w.org)

    def test_tokens(self):
        e = self.env
        w = e.world()
        never = e.token(w.user)
        e.q("UPDATE access_tokens SET expires_at = NULL WHERE token_sha256 = SHA2(%s, 256)",
            never)
        cases = [
            ("access, expired", e.token(w.user, expires_in=-1), "token_invalid"),
            ("access, revoked", e.token(w.user, revoked=True), "token_invalid"),
            ("access, no audience", e.token(w.user, audience=""), "token_invalid"),
            ("access, other audience", e.token(w.user, audience="111 222"), "token_invalid"),
            ("access, audience is a prefix", e.token(w.user, audience=API_PROJECT[:-1]),
             "token_invalid"),
            ("access, audience is longer", e.token(w.user, audience=API_PROJECT + "0"),
             "token_invalid"),
            ("access, audience among several",
             e.token(w.user, audience="111 %s 222" % API_PROJECT), "allowed"),
            ("access, expires soon", e.token(w.user, expires_in=30), "allowed"),
            ("access, never expires", never, "allowed"),
            ("pat, no audience", e.token(w.user, token_type="pat", audience=""), "allowed"),
            ("pat, other audience", e.token(w.user, token_type="pat", audience="111"),
             "allowed"),
            ("pat, expired", e.token(w.user, token_type="pat", audience="", expires_in=-1),
             "token_invalid"),
            ("pat, revoked", e.token(w.user, token_type="pat", audience="", revoked=True),
             "token_invalid"),
            ("unknown", "t" + "x" * 24, "token_invalid"),
        ]
        for name, token, outcome in cases:
            with self.subTest(token=name):
                if outcome == "allowed":
                    self.allowed(token, w.project, w.app, w.org, w.user)
                else:
                    self.denied(outcome, token, w.project, w.app)

    def test_revoked_after_use(self):
        """A token that worked stops working once revoked or expired."""
        e = self.env
        w = e.world()
        self.allowed(w.token, w.project, w.app, w.org, w.user)
        e.q("UPDATE access_tokens SET revoked_at = UTC_TIMESTAMP(6)"
            " WHERE token_sha256 = SHA2(%s, 256)", w.token)
        self.denied("token_invalid", w.token, w.project, w.app)
        tok = e.token(w.user)
        self.allowed(tok, w.project, w.app, w.org, w.user)
        e.q("UPDATE access_tokens SET expires_at = UTC_TIMESTAMP(6) - INTERVAL 1 SECOND"
            " WHERE token_sha256 = SHA2(%s, 256)", tok)
        self.denied("token_invalid", tok, w.project, w.app)
        # A role taken away, likewise.
        tok = e.token(w.user)
        e.q("DELETE FROM memberships WHERE user_id = %s", w.user)
        self.denied("permission_denied", tok, w.project, w.app)


if __name__ == "__main__":
    unittest.main()
