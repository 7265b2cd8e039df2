"""The permission matrix, through lighttpd: REST v1, and the v2 and v2beta
calls as Connect JSON.

Every seeded role (sql/002_role_permissions.sql, plus a role nobody
seeded) at every scope doc/api.md names -- instance, the acting org,
another org, this project, another project -- through each call, and the
cases around them: a role at a scope that is not its own (IAM_* roles are
the instance's, ORG_* an organisation's, PROJECT_* a project's:
sql/004_role_scopes.sql), which grants nothing and which oidc-secret-admin
refuses to give; a user of another org with and without x-zitadel-orgid;
inactive, locked and removed users; inactive and removed orgs; expired and
revoked tokens; personal access tokens and access tokens with and without
the API project in their audience.  A denied call gets its exact code and
text and writes nothing; an allowed one gets 200 and writes exactly one
change.
"""

import json
import os
import unittest

from harness import (error_body, API_PROJECT, ERRORS, env, http, rest, st,
                     verify_hash)

# doc/database.md: the roles holding project.app.write.
WRITE_ROLES = {"IAM_OWNER", "IAM_ORG_MANAGER", "ORG_OWNER", "PROJECT_OWNER",
               "PROJECT_OWNER_GLOBAL"}
SCOPES = ("instance", "acting org", "other org", "this project", "other project")
ALLOWED_SCOPES = {"instance", "acting org", "this project"}
# A role's scope by the family its name starts with (doc/database.md).
FAMILIES = {"IAM_": "instance", "ORG_": "org", "PROJECT_": "project"}
CALLS = ("v1", "v2", "v2beta")
V2_PATH = "/zitadel.application.v2.ApplicationService/GenerateClientSecret"
V2BETA_PATH = "/zitadel.app.v2beta.AppService/RegenerateClientSecret"
# gRPC code -> the Connect protocol's name for it (doc/errors.md).
CONNECT_CODES = {3: "invalid_argument", 5: "not_found", 7: "permission_denied",
                 16: "unauthenticated"}


def family(role):
    """The scope a role's name gives it, or None."""
    return next((s for p, s in FAMILIES.items() if role.startswith(p)), None)


class Permissions(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.env = env()
        cls.web = cls.env.lighttpd("default")
        cls.port = cls.web.port

    # --- checks ---------------------------------------------------------

    def call(self, token, project, app, org=None, via="v1"):
        """REST v1 (x-zitadel-orgid: org), or v2 / v2beta as ZITADEL's
        SDKs send them: Connect unary JSON, acting in the project's org."""
        if via == "v1":
            return rest(self.port, project, app, token=token, org=org)
        self.assertIsNone(org, "v2 calls send no x-zitadel-orgid")
        body = {"projectId": project, "applicationId": app}
        if via == "v2beta":
            body["isOidc"] = True
        return http(self.port, "POST", V2_PATH if via == "v2" else V2BETA_PATH,
                    {"Content-Type": "application/json", "Accept": "application/json",
                     "Authorization": "Bearer " + token}, json.dumps(body))

    def denied(self, kind, token, project, app, org=None, via="v1"):
        e = self.env
        before = e.snapshot()
        r = self.call(token, project, app, org, via)
        code, eid, text, status = ERRORS[kind]
        self.assertEqual(r.status, status, r.body)
        self.assertEqual(r.header("Cache-Control"), "no-store")
        if via == "v1":
            self.assertEqual(r.json(), error_body(kind))
        else:
            body = r.json()
            self.assertEqual((body["code"], body["message"]),
                             (CONNECT_CODES[code], "%s (%s)" % (text, eid)), body)
            self.assertEqual(body["details"][0]["debug"], {"id": eid, "message": text})
        self.assertEqual(e.snapshot(), before, "a denied call wrote to the database")

    def allowed(self, token, project, app, owner, editor, org=None, via="v1"):
        e = self.env
        seq0 = e.sequence(project)
        events0 = e.q1("SELECT COUNT(*) FROM events")[0]
        r = self.call(token, project, app, org, via)
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.header("Cache-Control"), "no-store")
        body = r.json()
        secret = body["clientSecret"]
        e.secrets_seen.add(secret)
        if via == "v1":
            self.assertEqual(body["details"]["sequence"], str(seq0 + 1))
            self.assertEqual(body["details"]["resourceOwner"], owner)
        else:
            self.assertEqual(sorted(body), ["clientSecret", "creationDate"])
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
        # Each role has one scope, the one its name says.
        scopes = e.q("SELECT role, GROUP_CONCAT(DISTINCT scope) FROM role_permissions"
                     " GROUP BY role")
        self.assertEqual({role: scope for role, scope in scopes},
                         {role: family(role) for role, _ in scopes})

    def test_every_role_at_every_scope(self):
        """Through every call: allowed only for a writing role, at a scope
        that covers the project, which is the role's own."""
        e = self.env
        roles = sorted(r[0] for r in e.q("SELECT DISTINCT role FROM role_permissions"))
        roles.append("NO_SUCH_ROLE")
        for role in roles:
            for scope in SCOPES:
                kind = scope.split()[-1] if scope != "instance" else "instance"
                for via in CALLS:
                    with self.subTest(role=role, scope=scope, via=via):
                        org = e.org()
                        other_org = e.org()
                        user = e.user(org)
                        project = e.project(org)
                        other_project = e.project(org)
                        app = e.app(project)
                        scope_id = {"instance": "", "acting org": org,
                                    "other org": other_org, "this project": project,
                                    "other project": other_project}[scope]
                        e.grant(user, kind, scope_id, role)
                        token = e.token(user)
                        if (role in WRITE_ROLES and scope in ALLOWED_SCOPES
                                and family(role) == kind):
                            self.allowed(token, project, app, org, user, via=via)
                        else:
                            self.denied("permission_denied", token, project, app, via=via)

    # --- roles bound to their scope ---------------------------------------

    def admin(self, *args):
        return st.admin(self.env.config, *args, check=False)

    def test_a_role_at_another_scope_is_refused_and_grants_nothing(self):
        """The reproduction: PROJECT_OWNER given at instance scope, and
        IAM_OWNER at organisation C, let a user of C regenerate a secret in
        organisation A.  oidc-secret-admin refuses both; held anyway (as an
        older tool gave them, or by SQL), they grant nothing on any call."""
        e = self.env
        a = e.world(role=None)
        c_org = e.org()
        c_project = e.project(c_org)
        c_app = e.app(c_project)
        for scope_args, role, own in (
                (("--scope", "instance"), "PROJECT_OWNER", "of a project"),
                (("--scope", "org", "--org", c_org), "IAM_OWNER", "of the instance"),
                (("--scope", "project", "--project", a.project), "ORG_OWNER",
                 "of an organization")):
            with self.subTest(role=role, scope=scope_args[1]):
                user = e.user(c_org)
                before = e.snapshot()
                r = self.admin("member", "add", "--user", user, *scope_args, "--role", role)
                self.assertEqual(r.returncode, 8, r.stderr)
                self.assertEqual(r.stdout, "")
                self.assertEqual(len(r.stderr.splitlines()), 1, r.stderr)
                self.assertIn("member add: %s is a role %s, not" % (role, own), r.stderr)
                self.assertIn("instead: oidc-secret-admin member add --user %s" % user,
                              r.stderr)
                self.assertEqual(e.snapshot(), before, "a refusal wrote to the database")
                # Held all the same: inert, in organisation A and in the
                # user's own C, whichever call, with or without an org header.
                e.grant(user, scope_args[1], scope_args[3] if len(scope_args) > 2 else "",
                        role)
                token = e.token(user)
                for project, app, org in ((a.project, a.app, a.org),
                                          (c_project, c_app, c_org)):
                    self.denied("permission_denied", token, project, app, org=org)
                    self.denied("permission_denied", token, project, app)
                    for via in CALLS[1:]:
                        self.denied("permission_denied", token, project, app, via=via)
        # What the refusal said to run instead works.
        user = e.user(c_org)
        r = self.admin("member", "add", "--user", user, "--scope", "project", "--project",
                       a.project, "--role", "PROJECT_OWNER")
        self.assertEqual(r.returncode, 0, r.stderr)
        token = e.token(user)
        for via in CALLS:
            with self.subTest(via=via):
                self.allowed(token, a.project, a.app, a.org, user,
                             org=a.org if via == "v1" else None, via=via)

    def test_the_refusal_names_what_to_run_instead(self):
        e = self.env
        org = e.org()
        user = e.user(org)
        project = e.project(org)
        cases = (
            # (scope, its options, role, what to run instead, narrower first)
            ("org", ("--org", org), "IAM_OWNER",
             ["--scope org --org %s --role ORG_OWNER" % org,
              "--scope instance --role IAM_OWNER"]),
            ("instance", (), "PROJECT_OWNER",
             ["--scope project --project ID --role PROJECT_OWNER",
              "--scope instance --role IAM_OWNER"]),
            ("instance", (), "ORG_OWNER_VIEWER",
             ["--scope org --org %s --role ORG_OWNER_VIEWER" % org,
              "--scope instance --role IAM_OWNER_VIEWER"]),
            ("project", ("--project", project), "ORG_OWNER",
             ["--scope project --project %s --role PROJECT_OWNER" % project,
              "--scope org --org %s --role ORG_OWNER" % org]),
            ("project", ("--project", project), "IAM_ORG_MANAGER",
             ["--scope instance --role IAM_ORG_MANAGER"]),
        )
        for scope, opts, role, instead in cases:
            with self.subTest(scope=scope, role=role):
                r = self.admin("member", "add", "--user", user, "--scope", scope, *opts,
                               "--role", role)
                self.assertEqual(r.returncode, 8, r.stderr)
                told = r.stderr.split("; instead: ", 1)[1].rstrip("\n").split(", or ")
                self.assertEqual(told, ["oidc-secret-admin member add --user %s %s"
                                        % (user, i) for i in instead])
        self.assertEqual(e.q("SELECT role FROM memberships WHERE user_id = %s", user), [])

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
