"""OAuth 2.0 and OpenID Connect (doc/oauth.md): discovery, the token endpoint
with client credentials (RFC 6749 4.4) and JWT bearer assertions (RFC 7523),
every RFC 6749 5.2 error, the tokens it issues working on every call,
userinfo, the authorization endpoint's refusal, and introspection by an API
app (RFC 7662).

Assertions are signed here with Python's cryptography, by keys the server
made (from its key file) and keys made here and registered; each refusal is
checked by status, body, challenge and the database left as it was.
"""

import base64
import hashlib
import hmac
import json
import time
import unittest
import urllib.parse

import argon2
import bcrypt
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from harness import (API_PROJECT, ERROR_TABLE, REST_PATH, SECRET_RE, env, http,
                     new_id)

GRANT_JWT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
ZITADEL_AUD = "urn:zitadel:iam:org:project:id:zitadel:aud"
FORM = "application/x-www-form-urlencoded"


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(s):
    return base64.b64decode(s + "=" * (-len(s) % 4))


def jws(header, claims, key):
    """A compact JWS; key an RSA private key (RS256) or bytes (HS256)."""
    signing = (b64url(json.dumps(header).encode()) + "." +
               b64url(json.dumps(claims).encode())).encode()
    if isinstance(key, bytes):
        sig = hmac.new(key, signing, hashlib.sha256).digest()
    else:
        sig = key.sign(signing, padding.PKCS1v15(), hashes.SHA256())
    return signing.decode() + "." + b64url(sig)


def basic(client_id, secret):
    raw = urllib.parse.quote(client_id, safe="") + ":" + urllib.parse.quote(secret, safe="")
    return "Basic " + base64.b64encode(raw.encode()).decode()


class Base(unittest.TestCase):
    server = "default"

    @classmethod
    def setUpClass(cls):
        cls.env = env()
        cls.web = cls.env.server(cls.server)
        cls.port = cls.web.port
        cls.issuer = "http://127.0.0.1:%d" % cls.port

    def post(self, path, form, headers=None, ctype=FORM, raw=None):
        h = {"Content-Type": ctype} if ctype else {}
        h.update(headers or {})
        body = raw if raw is not None else urllib.parse.urlencode(form)
        return http(self.port, "POST", path, h, body)

    def token_request(self, form, headers=None, **kw):
        return self.post("/oauth/v2/token", form, headers, **kw)

    def machine(self, secret=None, state="active"):
        """An org with a machine user, and the secret it signs in with."""
        org = self.env.org()
        secret = secret or "m" + new_id() * 3
        uid = self.env.machine(org, state=state, secret=secret)
        name = self.env.q1("SELECT username FROM users WHERE id = %s", uid)[0]
        m = type("Machine", (), {})()
        m.org, m.id, m.name, m.secret = org, uid, name, secret
        return m

    def add_key(self, m, pem=None, expires="9999-01-01 00:00:00"):
        """A key of m in the database; its private half when made here."""
        priv = None
        if pem is None:
            priv = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            pem = priv.public_key().public_bytes(
                serialization.Encoding.PEM,
                serialization.PublicFormat.SubjectPublicKeyInfo).decode()
        kid = new_id("7")
        self.env.q("INSERT INTO machine_keys (id, user_id, key_type, public_key,"
                   " expiration_date, creation_date) VALUES (%s, %s, 'json', %s, %s,"
                   " UTC_TIMESTAMP(6))", kid, m.id, pem, expires)
        return kid, priv

    def assertion(self, m, kid, priv, **over):
        now = int(time.time())
        claims = {"iss": m.id, "sub": m.id, "aud": self.issuer, "iat": now,
                  "exp": now + 3600}
        claims.update(over.pop("claims", {}))
        header = {"alg": "RS256", "typ": "JWT", "kid": kid}
        header.update(over.pop("header", {}))
        return jws(header, claims, over.pop("key", priv))

    def api_app(self, secret="a" * 64):
        """An API app with a known secret, in a project of a new org."""
        org = self.env.org()
        project = self.env.project(org)
        app = self.env.app(project, app_type="api")
        from harness import quick_hash
        self.env.q("UPDATE api_configs SET client_secret_hash = %s WHERE app_id = %s",
                   quick_hash(secret), app)
        self.env.secrets_seen.add(secret)
        a = type("App", (), {})()
        a.org, a.project, a.id, a.client_id, a.secret = org, project, app, app, secret
        return a

    def issue(self, m, scope):
        r = self.token_request({"grant_type": "client_credentials", "scope": scope},
                               {"Authorization": basic(m.name, m.secret)})
        self.env.secrets_seen.add(r.json()["access_token"])
        return r.json()["access_token"]

    def tokens(self):
        return self.env.q("SELECT COUNT(*) FROM access_tokens")[0][0]

    def oauth_error(self, r, kind, challenge=None):
        code, eid, text, status, oauth, _ = ERROR_TABLE[kind]
        self.assertEqual(r.status, status, r.body)
        self.assertEqual(r.header("Content-Type"), "application/json")
        self.assertEqual(r.json(), {"error": oauth, "error_description": text})
        self.assertEqual(r.header("Cache-Control"), "no-store")
        self.assertEqual(r.header("Pragma"), "no-cache")
        self.assertEqual(r.header("WWW-Authenticate"), challenge)

    def refused(self, kind, form, headers=None, challenge=None, **kw):
        before = self.env.snapshot()
        self.oauth_error(self.token_request(form, headers, **kw), kind, challenge)
        self.assertEqual(self.env.snapshot(), before, "a refusal wrote")


class Discovery(Base):

    def test_both_documents(self):
        for path in ("/.well-known/openid-configuration",
                     "/.well-known/oauth-authorization-server"):
            r = http(self.port, "GET", path)
            self.assertEqual(r.status, 200, r.body)
            self.assertEqual(r.header("Content-Type"), "application/json")
            d = r.json()
            self.assertEqual(d["issuer"], self.issuer)
            for key, end in (("token_endpoint", "/oauth/v2/token"),
                             ("introspection_endpoint", "/oauth/v2/introspect"),
                             ("authorization_endpoint", "/oauth/v2/authorize"),
                             ("userinfo_endpoint", "/oidc/v1/userinfo")):
                self.assertEqual(d[key], self.issuer + end)
            self.assertEqual(d["grant_types_supported"], ["client_credentials", GRANT_JWT])
            self.assertEqual(d["token_endpoint_auth_methods_supported"],
                             ["client_secret_basic", "client_secret_post"])
            self.assertEqual(d["introspection_endpoint_auth_methods_supported"],
                             ["client_secret_basic", "client_secret_post"])
            self.assertIn(ZITADEL_AUD, d["scopes_supported"])
            self.assertEqual(d["response_types_supported"], [])

    def test_issuer_configured(self):
        web = self.env.lighttpd("issuer", issuer="https://login.example.org/base/")
        d = http(web.port, "GET", "/.well-known/openid-configuration").json()
        self.assertEqual(d["issuer"], "https://login.example.org/base")
        self.assertEqual(d["token_endpoint"], "https://login.example.org/base/oauth/v2/token")

    def test_methods_and_authorize(self):
        r = http(self.port, "POST", "/.well-known/openid-configuration")
        self.assertEqual(r.status, 405)
        self.assertEqual(r.header("Allow"), "GET, HEAD")
        for method in ("GET", "POST"):
            r = http(self.port, method, "/oauth/v2/authorize?response_type=code")
            self.oauth_error(r, "oauth_response_type")


class ClientCredentials(Base):

    def issued(self, r, m, scope=None):
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.header("Cache-Control"), "no-store")
        self.assertEqual(r.header("Pragma"), "no-cache")
        b = r.json()
        self.assertEqual(b["token_type"], "Bearer")
        self.assertEqual(b["expires_in"], 43200)
        self.assertRegex(b["access_token"], r"^[A-Za-z0-9]{43}$")
        self.env.secrets_seen.add(b["access_token"])
        self.assertEqual(b.get("scope"), scope)
        row = self.env.q1("SELECT user_id, token_type, audience, scopes,"
                          " TIMESTAMPDIFF(SECOND, creation_date, expires_at)"
                          " FROM access_tokens WHERE token_sha256 = %s",
                          hashlib.sha256(b["access_token"].encode()).hexdigest())
        self.assertIsNotNone(row, "stored by its SHA-256 only")
        self.assertEqual(row[:2], (m.id, "access"))
        self.assertEqual(row[4], 43200)
        return b["access_token"], row

    def test_basic_and_post(self):
        m = self.machine()
        before = self.tokens()
        tok, row = self.issued(self.token_request(
            {"grant_type": "client_credentials", "scope": "openid " + ZITADEL_AUD},
            {"Authorization": basic(m.name, m.secret)}), m, "openid " + ZITADEL_AUD)
        self.assertEqual(row[2], API_PROJECT)
        tok2, _ = self.issued(self.token_request(
            {"grant_type": "client_credentials", "client_id": m.name,
             "client_secret": m.secret, "scope": ZITADEL_AUD + " profile"}),
            m, ZITADEL_AUD)
        self.assertEqual(self.tokens(), before + 2)
        self.assertNotEqual(tok, tok2)

    def test_sdk_content_type_and_project_scope(self):
        m = self.machine()
        project = self.env.project(m.org)
        _, row = self.issued(self.token_request(
            {"grant_type": "client_credentials",
             "scope": "urn:zitadel:iam:org:project:id:%s:aud" % project},
            {"Authorization": basic(m.name, m.secret)},
            ctype=FORM + ";charset=UTF-8"),
            m, "urn:zitadel:iam:org:project:id:%s:aud" % project)
        self.assertEqual(row[2], project)

    def test_token_works_on_every_regenerate_call(self):
        m = self.machine()
        self.env.grant(m.id, "org", m.org, "ORG_OWNER")
        project = self.env.project(m.org)
        app = self.env.app(project)
        api = self.env.app(project, app_type="api")
        r = self.token_request({"grant_type": "client_credentials", "scope": ZITADEL_AUD},
                               {"Authorization": basic(m.name, m.secret)})
        tok = r.json()["access_token"]
        h = {"Authorization": "Bearer " + tok, "Content-Type": "application/json"}
        calls = ((REST_PATH % (project, app), {}),
                 ("/management/v1/projects/%s/apps/%s/api_config/_generate_client_secret"
                  % (project, api), {}),
                 ("/zitadel.application.v2.ApplicationService/GenerateClientSecret",
                  {"projectId": project, "applicationId": app}),
                 ("/zitadel.app.v2beta.AppService/RegenerateClientSecret",
                  {"projectId": project, "applicationId": api, "isApi": True}))
        for path, body in calls:
            r = http(self.port, "POST", path, h, json.dumps(body))
            self.assertEqual(r.status, 200, (path, r.body))
            self.assertRegex(r.json()["clientSecret"], SECRET_RE)
            self.env.secrets_seen.add(r.json()["clientSecret"])
        # Without the ZITADEL audience scope the token is not for this API.
        r = self.token_request({"grant_type": "client_credentials"},
                               {"Authorization": basic(m.name, m.secret)})
        self.assertNotIn("scope", r.json())
        h["Authorization"] = "Bearer " + r.json()["access_token"]
        r = http(self.port, "POST", REST_PATH % (project, app), h, "{}")
        self.assertEqual(r.status, 401)

    def test_errors(self):
        m = self.machine()
        cc = {"grant_type": "client_credentials"}
        auth = {"Authorization": basic(m.name, m.secret)}
        post = dict(cc, client_id=m.name, client_secret=m.secret)
        challenge = 'Basic realm="oidc-secret", charset="UTF-8"'
        self.refused("oauth_media_type", cc, auth, ctype="application/json")
        self.refused("oauth_media_type", cc, auth, ctype=None)
        self.refused("oauth_missing", {}, auth)
        self.refused("oauth_repeated", None, auth,
                     raw="grant_type=client_credentials&grant_type=client_credentials")
        self.refused("oauth_bad_form", None, auth, raw="grant_type=%zz")
        self.refused("oauth_two_auths", post, auth)
        self.refused("oauth_bad_basic", cc, {"Authorization": "Basic !!!"})
        self.refused("oauth_grant_type", {"grant_type": "password"}, auth)
        self.refused("oauth_client", cc)
        self.refused("oauth_client", dict(cc, client_id=m.name))
        self.refused("oauth_client", cc, {"Authorization": basic("nobody", m.secret)},
                     challenge)
        self.refused("oauth_client", cc, {"Authorization": basic(m.name, "wrong")},
                     challenge)
        self.refused("oauth_client", dict(cc, client_id=m.name, client_secret="wrong"))
        self.refused("oauth_scope", dict(post, scope="openid bad\\scope"))
        self.refused("oauth_scope",
                     dict(post, scope="urn:zitadel:iam:org:project:id:777:aud"))
        for state in ("inactive", "removed"):
            g = self.machine(state=state)
            self.refused("oauth_client", cc, {"Authorization": basic(g.name, g.secret)},
                         challenge)
        o = self.machine()
        self.env.q("UPDATE orgs SET state = 'inactive' WHERE id = %s", o.org)
        self.refused("oauth_client", cc, {"Authorization": basic(o.name, o.secret)},
                     challenge)

    def test_unknown_client_and_wrong_secret_read_the_same(self):
        m = self.machine()
        cc = {"grant_type": "client_credentials"}
        a = self.token_request(cc, {"Authorization": basic("nobody" + m.name, "x")})
        b = self.token_request(cc, {"Authorization": basic(m.name, "x")})
        self.assertEqual((a.status, a.body, a.header("WWW-Authenticate")),
                         (b.status, b.body, b.header("WWW-Authenticate")))

    def test_secrets_stored_before_the_default_changed(self):
        """bcrypt cost 4 is the default; a secret stored as argon2id at the
        old default (m=19456, t=2, p=1) or as bcrypt of another cost still
        signs in, and only with the right secret."""
        for encoded in (
                lambda x: argon2.PasswordHasher(time_cost=2, memory_cost=19456,
                                                parallelism=1).hash(x),
                lambda x: bcrypt.hashpw(x.encode(), bcrypt.gensalt(6)).decode()):
            m = self.machine()
            stored = encoded(m.secret)
            self.env.q("UPDATE users SET secret_hash = %s WHERE id = %s", stored, m.id)
            self.assertTrue(stored.startswith(("$argon2id$v=19$m=19456,t=2,p=1$",
                                               "$2b$06$")), stored)
            self.issued(self.token_request({"grant_type": "client_credentials"},
                                           {"Authorization": basic(m.name, m.secret)}), m)
            self.refused("oauth_client", {"grant_type": "client_credentials"},
                         {"Authorization": basic(m.name, m.secret[:-1] + "!")},
                         'Basic realm="oidc-secret", charset="UTF-8"')


class JwtBearer(Base):

    def test_server_made_and_registered_keys(self):
        m = self.machine()
        # A key file the server made (AddKey), read as the SDKs read it.
        admin_org = m.org
        admin = self.env.user(admin_org, roles=[("org", admin_org, "ORG_OWNER")])
        tok = self.env.token(admin)
        r = http(self.port, "POST", "/zitadel.user.v2.UserService/AddKey",
                 {"Authorization": "Bearer " + tok, "Content-Type": "application/json"},
                 json.dumps({"userId": m.id}))
        keyfile = json.loads(unb64(r.json()["keyContent"]))
        self.env.secrets_seen.add(keyfile["key"].splitlines()[1])
        priv = serialization.load_pem_private_key(keyfile["key"].encode(), None)
        # The PHP SDK sends client_id "zitadel", the Python one "None": ignored.
        for junk in ("zitadel", "None"):
            r = self.token_request({"grant_type": GRANT_JWT, "client_id": junk,
                                    "scope": "openid " + ZITADEL_AUD,
                                    "assertion": self.assertion(m, keyfile["keyId"],
                                                                priv)})
            self.assertEqual(r.status, 200, r.body)
            self.env.secrets_seen.add(r.json()["access_token"])
        kid, priv2 = self.add_key(m)
        r = self.token_request({"grant_type": GRANT_JWT, "scope": ZITADEL_AUD,
                                "assertion": self.assertion(m, kid, priv2)})
        self.assertEqual(r.status, 200, r.body)
        self.env.secrets_seen.add(r.json()["access_token"])
        self.assertEqual(r.json()["scope"], ZITADEL_AUD)

    def test_refusals(self):
        m = self.machine()
        kid, priv = self.add_key(m)
        pem = self.env.q1("SELECT public_key FROM machine_keys WHERE id = %s", kid)[0]
        other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        now = int(time.time())
        good = self.assertion(m, kid, priv)
        h, c, s = good.split(".")
        claims = json.loads(unb64(c))
        claims["sub"] = claims["iss"] = "someone"
        tampered = h + "." + b64url(json.dumps(claims).encode()) + "." + s
        bad = {
            "alg none": self.assertion(m, kid, priv, header={"alg": "none"}),
            "HS256 keyed with the public key": self.assertion(
                m, kid, priv, header={"alg": "HS256"}, key=pem.encode()),
            "another key's signature": self.assertion(m, kid, other),
            "tampered claims": tampered,
            "unknown kid": self.assertion(m, "777", priv),
            "wrong audience": self.assertion(m, kid, priv,
                                             claims={"aud": "https://elsewhere"}),
            "iss is not sub": self.assertion(m, kid, priv, claims={"iss": "x"}),
            "expired": self.assertion(m, kid, priv,
                                      claims={"iat": now - 7200, "exp": now - 60}),
            "exp over an hour after iat": self.assertion(
                m, kid, priv, claims={"exp": now + 7200}),
            "issued in the future": self.assertion(
                m, kid, priv, claims={"iat": now + 600, "exp": now + 900}),
            "not three parts": good + ".x",
            "padding": good + "=",
        }
        for name, a in bad.items():
            with self.subTest(name):
                self.refused("oauth_grant", {"grant_type": GRANT_JWT, "assertion": a})
        self.refused("oauth_missing", {"grant_type": GRANT_JWT})
        # An expired key, a removed user: no key to verify with.
        old, opriv = self.add_key(m, expires="2001-01-01 00:00:00")
        self.refused("oauth_grant", {"grant_type": GRANT_JWT,
                                     "assertion": self.assertion(m, old, opriv)})
        self.env.q("UPDATE users SET state = 'inactive' WHERE id = %s", m.id)
        self.refused("oauth_grant", {"grant_type": GRANT_JWT, "assertion": good})


class Userinfo(Base):

    def test_userinfo(self):
        m = self.machine()
        r = self.token_request({"grant_type": "client_credentials"},
                               {"Authorization": basic(m.name, m.secret)})
        tok = r.json()["access_token"]
        self.env.secrets_seen.add(tok)
        for method in ("GET", "POST"):
            r = http(self.port, method, "/oidc/v1/userinfo",
                     {"Authorization": "Bearer " + tok})
            self.assertEqual(r.status, 200, r.body)
            self.assertEqual(r.json(), {"sub": m.id, "preferred_username": m.name,
                                        "name": m.name})
        r = http(self.port, "GET", "/oidc/v1/userinfo")
        self.oauth_error(r, "auth_missing", 'Bearer realm="oidc-secret"')
        r = http(self.port, "GET", "/oidc/v1/userinfo", {"Authorization": "Bearer nope"})
        self.oauth_error(r, "token_invalid",
                         'Bearer realm="oidc-secret", error="invalid_token"')


class Introspection(Base):

    def introspect(self, a, token, basic_auth=True, secret=None):
        form = {"token": token, "token_type_hint": "access_token"}
        headers = {}
        if basic_auth:
            headers["Authorization"] = basic(a.client_id, secret or a.secret)
        else:
            form.update(client_id=a.client_id, client_secret=secret or a.secret)
        return self.post("/oauth/v2/introspect", form, headers)

    def test_active_and_inactive(self):
        a = self.api_app()
        m = self.machine()
        scope = "openid urn:zitadel:iam:org:project:id:%s:aud" % a.project
        tok = self.issue(m, scope)
        before = self.env.snapshot()
        for basic_auth in (True, False):
            r = self.introspect(a, tok, basic_auth)
            self.assertEqual(r.status, 200, r.body)
            self.assertEqual(r.header("Cache-Control"), "no-store")
            b = r.json()
            self.assertEqual(b["active"], True)
            self.assertEqual((b["sub"], b["username"], b["client_id"], b["token_type"],
                              b["scope"], b["aud"], b["iss"]),
                             (m.id, m.name, m.name, "Bearer", scope, [a.project],
                              self.issuer))
            self.assertEqual(b["exp"] - b["iat"], 43200)
        # Not for this app's project, unknown, expired, revoked: not active.
        other = self.issue(m, ZITADEL_AUD)
        expired = self.issue(m, scope)
        self.env.q("UPDATE access_tokens SET expires_at = UTC_TIMESTAMP(6) - INTERVAL 1"
                   " SECOND WHERE token_sha256 = %s",
                   hashlib.sha256(expired.encode()).hexdigest())
        revoked = self.issue(m, scope)
        self.env.q("UPDATE access_tokens SET revoked_at = UTC_TIMESTAMP(6)"
                   " WHERE token_sha256 = %s", hashlib.sha256(revoked.encode()).hexdigest())
        before = self.env.snapshot()
        for t in (other, expired, revoked, "unknown", "not a token!"):
            r = self.introspect(a, t)
            self.assertEqual((r.status, r.json()), (200, {"active": False}), t)
        self.assertEqual(self.env.snapshot(), before, "introspection wrote")

    def test_client_refused(self):
        a = self.api_app()
        m = self.machine()
        tok = self.issue(m, "urn:zitadel:iam:org:project:id:%s:aud" % a.project)
        challenge = 'Basic realm="oidc-secret", charset="UTF-8"'
        before = self.env.snapshot()
        self.oauth_error(self.introspect(a, tok, secret="wrong"), "oauth_client", challenge)
        self.oauth_error(self.introspect(a, tok, basic_auth=False, secret="wrong"),
                         "oauth_client")
        self.oauth_error(self.post("/oauth/v2/introspect", {"token": tok}), "oauth_client")
        nobody = type("App", (), {"client_id": "nobody", "secret": a.secret})()
        self.oauth_error(self.introspect(nobody, tok), "oauth_client", challenge)
        self.env.q("UPDATE apps SET state = 'inactive' WHERE id = %s", a.id)
        self.oauth_error(self.introspect(a, tok), "oauth_client", challenge)
        self.env.q("UPDATE apps SET state = 'active' WHERE id = %s", a.id)
        self.env.q("UPDATE orgs SET state = 'inactive' WHERE id = %s", a.org)
        self.oauth_error(self.introspect(a, tok), "oauth_client", challenge)
        self.assertEqual(self.env.snapshot(), before, "a refusal wrote")


class ResourceServerExample(Base):
    """doc/oauth.md's PHP resource server, run by PHP's own web server
    against this server's introspection."""

    def test_the_documented_script(self):
        import os
        import re
        import subprocess
        from harness import st
        with open(os.path.join(st.ROOT, "doc", "oauth.md")) as f:
            script = re.findall(r"```php resource-server\n(.*?)```", f.read(), re.S)[0]
        a = self.api_app()
        m = self.machine()
        tok = self.issue(m, "urn:zitadel:iam:org:project:id:%s:aud" % a.project)
        other = self.issue(m, ZITADEL_AUD)
        d = os.path.join(self.env.dir, "resource-server")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "index.php"), "w") as f:
            f.write(script)
        port = st.free_port()

        def serve(secret):
            env = dict(os.environ, ISSUER=self.issuer, API_CLIENT_ID=a.client_id,
                       API_CLIENT_SECRET=secret)
            p = subprocess.Popen(["php", "-S", "127.0.0.1:%d" % port, "-t", d],
                                 env=env, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
            st.wait_for(lambda: st.port_open(port), 10, "php -S")
            return p

        p = serve(a.secret)
        try:
            r = http(port, "GET", "/", {"Authorization": "Bearer " + tok})
            self.assertEqual(r.status, 200, r.body)
            self.assertEqual(r.json(), {"hello": m.name,
                                        "scope": "urn:zitadel:iam:org:project:id:%s:aud"
                                        % a.project})
            r = http(port, "GET", "/")
            self.assertEqual((r.status, r.header("WWW-Authenticate")), (401, "Bearer"))
            for t in (other, "nope"):
                r = http(port, "GET", "/", {"Authorization": "Bearer " + t})
                self.assertEqual((r.status, r.header("WWW-Authenticate")),
                                 (401, 'Bearer error="invalid_token"'))
        finally:
            p.terminate()
            p.wait(10)
        p = serve("wrong")
        try:
            r = http(port, "GET", "/", {"Authorization": "Bearer " + tok})
            self.assertEqual(r.status, 503)
        finally:
            p.terminate()
            p.wait(10)


class OAuthApacheFcgid(ClientCredentials):
    """Through Apache mod_fcgid, as shipped: the OAuth paths at the root."""
    server = "apache-fcgid"


if __name__ == "__main__":
    unittest.main()
