"""Machine users' secrets and keys (doc/api.md): zitadel.user.v2.UserService
AddSecret, RemoveSecret, AddKey, RemoveKey over Connect JSON, Connect binary
and gRPC-web; zitadel.management.v1 GenerateMachineSecret,
RemoveMachineSecret, AddMachineKey, RemoveMachineKey over REST and gRPC-web.

Each success is checked on the wire, in the database (the hash verifies
with an independent library, the key reads with Python's cryptography, one
event each) and each error by its code, ID and text, with the database as
it was.
"""

import base64
import datetime
import json
import unittest

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from grpcwire import frame, frames, pb_bytes, pb_fields, pb_string, pb_varint
from harness import DATE_RE, ERRORS, SECRET_RE, env, http, verify_hash

V2 = "/zitadel.user.v2.UserService/"
MGMT = "/zitadel.management.v1.ManagementService/"


def b64(data):
    return base64.b64encode(data).decode()


def unb64(s):
    return base64.b64decode(s + "=" * (-len(s) % 4))


def new_public_pem(bits=2048):
    k = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    return k, k.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def timestamp(when):
    """google.protobuf.Timestamp {seconds = 1; nanos = 2}."""
    return pb_varint(1, int(when.timestamp()))


class Calls:
    """The calls as each wire carries them; each returns the response."""

    def __init__(self, port):
        self.port = port

    def headers(self, token, ctype, org=None):
        h = {"Content-Type": ctype}
        if token:
            h["Authorization"] = "Bearer " + token
        if org:
            h["x-zitadel-orgid"] = org
        return h

    def connect_json(self, method, body, token):
        return http(self.port, "POST", V2 + method,
                    self.headers(token, "application/json"), json.dumps(body))

    def connect_proto(self, method, msg, token):
        return http(self.port, "POST", V2 + method,
                    self.headers(token, "application/proto"), msg)

    def grpcweb(self, path, msg, token, org=None):
        return http(self.port, "POST", path,
                    self.headers(token, "application/grpc-web+proto", org), frame(msg))

    def rest(self, method, path, body, token, org=None):
        return http(self.port, method, "/management/v1" + path,
                    self.headers(token, "application/json", org),
                    json.dumps(body) if body is not None else b"")


def grpc_message(test, r):
    """The message of a gRPC-web success."""
    test.assertEqual(r.status, 200)
    test.assertEqual(r.header("grpc-status"), None, r.headers)
    fs = frames(r.body)
    test.assertEqual([f[0] for f in fs], [0x00, 0x80])
    test.assertEqual(fs[1][1], b"grpc-status:0\r\ngrpc-message:\r\n")
    return pb_fields(fs[0][1])


class Base(unittest.TestCase):
    server = "default"

    @classmethod
    def setUpClass(cls):
        cls.env = env()
        cls.web = cls.env.server(cls.server)
        cls.c = Calls(cls.web.port)

    def world(self, role="ORG_OWNER", machine_state="active", secret=None):
        e = self.env
        w = type("World", (), {})()
        w.org = e.org()
        w.admin = e.user(w.org, roles=[("org", w.org, role)] if role else [])
        w.token = e.token(w.admin)
        w.machine = e.machine(w.org, state=machine_state, secret=secret)
        w.name = e.q1("SELECT username FROM users WHERE id = %s", w.machine)[0]
        return w

    # --- error checks, one per wire -------------------------------------

    def unchanged(self, call, check):
        before = self.env.snapshot()
        r = call()
        check(r)
        self.assertEqual(self.env.snapshot(), before, "an error wrote to the database")

    def connect_refused(self, kind, method, body, token):
        code, eid, text, status = ERRORS[kind]

        def check(r):
            self.assertEqual(r.status, status, r.body)
            b = r.json()
            self.assertEqual(b["message"], "%s (%s)" % (text, eid), b)
            detail = pb_fields(unb64(b["details"][0]["value"]))
            self.assertEqual(detail, {1: [eid.encode()], 2: [text.encode()]})
        self.unchanged(lambda: self.c.connect_json(method, body, token), check)

    def grpc_refused(self, kind, path, msg, token, org=None):
        code, eid, text, _ = ERRORS[kind]

        def check(r):
            self.assertEqual(r.status, 200)
            self.assertEqual(r.header("grpc-status"), str(code), r.headers)
            self.assertIn(eid, r.header("grpc-message"))
        self.unchanged(lambda: self.c.grpcweb(path, msg, token, org), check)

    def rest_refused(self, kind, method, path, body, token, org=None):
        code, eid, text, status = ERRORS[kind]

        def check(r):
            self.assertEqual(r.status, status, r.body)
            self.assertEqual(r.json()["message"], "%s (%s)" % (text, eid))
            self.assertEqual(r.json()["code"], code)
        self.unchanged(lambda: self.c.rest(method, path, body, token, org), check)


class Secrets(Base):

    def assert_secret(self, w, secret, seq):
        self.assertRegex(secret, SECRET_RE)
        self.env.secrets_seen.add(secret)
        h, prev, sequence = self.env.machine_state(w.machine)
        self.assertTrue(verify_hash(secret, h), "the stored hash verifies")
        self.assertIsNone(prev, "no grace configured: no previous secret")
        self.assertEqual(sequence, seq)
        ev = self.env.user_events(w.machine)[-1]
        self.assertEqual(ev[:2], (seq, "user.machine.secret.set"))
        self.assertEqual(json.loads(ev[2]), {"hashedSecret": h})
        self.assertEqual(ev[3], w.admin)

    def test_add_secret_connect_json(self):
        w = self.world()
        r = self.c.connect_json("AddSecret", {"userId": w.machine}, w.token)
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.header("Content-Type"), "application/json")
        b = r.json()
        self.assertEqual(sorted(b), ["clientSecret", "creationDate"])
        self.assertRegex(b["creationDate"], DATE_RE)
        self.assert_secret(w, b["clientSecret"], 1)

    def test_add_secret_connect_binary_and_grpcweb_replace_the_last(self):
        w = self.world()
        r = self.c.connect_proto("AddSecret", pb_string(1, w.machine), w.token)
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.header("Content-Type"), "application/proto")
        m = pb_fields(r.body)
        self.assertIn(1, pb_fields(m[1][0]))        # creation_date.seconds
        self.assert_secret(w, m[2][0].decode(), 1)
        m = grpc_message(self, self.c.grpcweb(V2 + "AddSecret",
                                              pb_string(1, w.machine), w.token))
        self.assert_secret(w, m[2][0].decode(), 2)

    def test_generate_machine_secret_rest_and_grpcweb(self):
        w = self.world()
        r = self.c.rest("PUT", "/users/%s/secret" % w.machine, {}, w.token)
        self.assertEqual(r.status, 200, r.body)
        b = r.json()
        self.assertEqual(sorted(b), ["clientId", "clientSecret", "details"])
        self.assertEqual(b["clientId"], w.name)
        self.assertEqual(b["details"]["sequence"], "1")
        self.assertEqual(b["details"]["resourceOwner"], w.org)
        self.assertRegex(b["details"]["changeDate"], DATE_RE)
        self.assert_secret(w, b["clientSecret"], 1)
        m = grpc_message(self, self.c.grpcweb(MGMT + "GenerateMachineSecret",
                                              pb_string(1, w.machine), w.token))
        self.assertEqual(m[1][0].decode(), w.name)
        self.assertEqual(pb_fields(m[3][0])[1], [2])   # details.sequence
        self.assert_secret(w, m[2][0].decode(), 2)

    def test_remove_secret_v2_and_v1(self):
        w = self.world(secret="s" * 64)
        r = self.c.connect_json("RemoveSecret", {"userId": w.machine}, w.token)
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(sorted(r.json()), ["deletionDate"])
        self.assertEqual(self.env.machine_state(w.machine)[:2], (None, None))
        self.assertEqual(self.env.user_events(w.machine)[-1][1],
                         "user.machine.secret.removed")
        self.connect_refused("secret_not_found", "RemoveSecret", {"userId": w.machine},
                             w.token)
        self.rest_refused("secret_not_found", "DELETE", "/users/%s/secret" % w.machine,
                          None, w.token)
        w2 = self.world(secret="t" * 64)
        r = self.c.rest("DELETE", "/users/%s/secret" % w2.machine, None, w2.token)
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(sorted(r.json()), ["details"])
        self.assertEqual(r.json()["details"]["sequence"], "1")

    def test_errors(self):
        e = self.env
        w = self.world()
        body = {"userId": w.machine}
        self.connect_refused("auth_missing", "AddSecret", body, None)
        self.connect_refused("token_invalid", "AddSecret", body, "nope")
        self.connect_refused("user_id_missing_secret", "AddSecret", {}, w.token)
        self.connect_refused("invalid_argument", "AddSecret", {"userId": "x" * 201},
                             w.token)
        self.connect_refused("user_not_found_secret", "AddSecret", {"userId": "777"},
                             w.token)
        human = e.user(w.org)
        self.connect_refused("user_not_found_secret", "AddSecret", {"userId": human},
                             w.token)
        gone = e.machine(w.org, state="inactive")
        self.connect_refused("user_not_found_secret", "AddSecret", {"userId": gone},
                             w.token)
        self.connect_refused("user_not_found_remove", "RemoveSecret",
                             {"userId": "777"}, w.token)
        # Permission: user.write at the user's organisation or instance.
        weak = self.world(role="PROJECT_OWNER")
        self.connect_refused("permission_denied", "AddSecret",
                             {"userId": weak.machine}, weak.token)
        other = self.world()
        self.connect_refused("permission_denied", "AddSecret",
                             {"userId": other.machine}, w.token)
        # v1 acts in the caller's organisation, where that user is not.
        self.rest_refused("user_not_found_secret", "PUT",
                          "/users/%s/secret" % other.machine, {}, w.token)
        # v1 acts in x-zitadel-orgid: a machine user of another org is not there.
        self.rest_refused("org_not_found", "PUT", "/users/%s/secret" % w.machine,
                          {}, w.token, org="777")
        self.grpc_refused("user_id_missing_secret", MGMT + "GenerateMachineSecret",
                          b"", w.token)

    def test_roles_that_may(self):
        e = self.env
        for role, scope in (("ORG_USER_MANAGER", "org"), ("ORG_OWNER", "org"),
                            ("IAM_OWNER", "instance")):
            w = self.world(role=None)
            e.grant(w.admin, scope, w.org if scope == "org" else "", role)
            r = self.c.connect_json("AddSecret", {"userId": w.machine}, w.token)
            self.assertEqual(r.status, 200, (role, r.body))
            self.env.secrets_seen.add(r.json()["clientSecret"])

    def test_organisation_deactivated(self):
        w = self.world()
        other = self.world(role=None)
        self.env.grant(w.admin, "instance", "", "IAM_OWNER")
        self.env.q("UPDATE orgs SET state = 'inactive' WHERE id = %s", other.org)
        self.connect_refused("org_not_found", "AddSecret", {"userId": other.machine},
                             w.token)


class Keys(Base):

    def test_add_key_made_by_the_server(self):
        w = self.world()
        r = self.c.connect_json("AddKey", {"userId": w.machine}, w.token)
        self.assertEqual(r.status, 200, r.body)
        b = r.json()
        self.assertEqual(sorted(b), ["creationDate", "keyContent", "keyId"])
        keyfile = json.loads(unb64(b["keyContent"]))
        self.assertEqual(sorted(keyfile), ["key", "keyId", "type", "userId"])
        self.assertEqual((keyfile["type"], keyfile["keyId"], keyfile["userId"]),
                         ("serviceaccount", b["keyId"], w.machine))
        self.env.secrets_seen.add(keyfile["key"].splitlines()[1])
        self.assertTrue(keyfile["key"].startswith("-----BEGIN RSA PRIVATE KEY-----\n"))
        priv = serialization.load_pem_private_key(keyfile["key"].encode(), None)
        self.assertEqual(priv.key_size, 2048)
        stored = self.env.machine_keys(w.machine)
        self.assertEqual([k[0] for k in stored], [b["keyId"]])
        pub = priv.public_key().public_bytes(
            serialization.Encoding.PEM,
            serialization.PublicFormat.SubjectPublicKeyInfo).decode()
        self.assertEqual(stored[0][1], pub, "the stored key is the pair's public half")
        self.assertEqual(stored[0][2], datetime.datetime(9999, 1, 1))
        ev = self.env.user_events(w.machine)[-1]
        self.assertEqual(ev[1], "user.machine.key.added")
        self.assertEqual(json.loads(ev[2])["keyId"], b["keyId"])
        self.assertNotIn("PRIVATE", ev[2])

    def test_add_key_with_a_public_key_and_expiry(self):
        w = self.world()
        _, pem = new_public_pem(3072)
        when = datetime.datetime(2031, 5, 6, 7, 8, 9, tzinfo=datetime.timezone.utc)
        r = self.c.connect_json("AddKey", {"userId": w.machine, "publicKey": b64(pem),
                                           "expirationDate": "2031-05-06T07:08:09Z"},
                                w.token)
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(sorted(r.json()), ["creationDate", "keyId"])
        stored = self.env.machine_keys(w.machine)
        self.assertEqual(stored[0][1], pem.decode())
        self.assertEqual(stored[0][2], when.replace(tzinfo=None))
        # The same over gRPC-web, the key as bytes.
        _, pem2 = new_public_pem()
        m = grpc_message(self, self.c.grpcweb(
            V2 + "AddKey", pb_string(1, w.machine) + pb_bytes(3, pem2), w.token))
        self.assertEqual(sorted(m), [1, 2])
        self.assertEqual(len(self.env.machine_keys(w.machine)), 2)

    def test_add_machine_key_v1_rest(self):
        w = self.world()
        r = self.c.rest("POST", "/users/%s/keys" % w.machine,
                        {"type": "KEY_TYPE_JSON", "expirationDate": "2030-01-01T00:00:00Z"},
                        w.token)
        self.assertEqual(r.status, 200, r.body)
        b = r.json()
        self.assertEqual(sorted(b), ["details", "keyDetails", "keyId"])
        keyfile = json.loads(unb64(b["keyDetails"]))
        self.env.secrets_seen.add(keyfile["key"].splitlines()[1])
        self.assertEqual(keyfile["keyId"], b["keyId"])
        self.assertEqual(b["details"]["sequence"], "1")
        _, pem = new_public_pem()
        r = self.c.rest("POST", "/users/%s/keys" % w.machine,
                        {"type": 1, "publicKey": b64(pem)}, w.token)
        self.assertEqual(r.status, 200, r.body)
        self.assertNotIn("keyDetails", r.json())

    def test_remove_key(self):
        w = self.world()
        _, pem = new_public_pem()
        kid = self.c.connect_json("AddKey", {"userId": w.machine, "publicKey": b64(pem)},
                                  w.token).json()["keyId"]
        self.connect_refused("key_not_found", "RemoveKey",
                             {"userId": w.machine, "keyId": "777"}, w.token)
        r = self.c.connect_json("RemoveKey", {"userId": w.machine, "keyId": kid}, w.token)
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(sorted(r.json()), ["deletionDate"])
        self.assertEqual(self.env.machine_keys(w.machine), [])
        self.assertEqual(self.env.user_events(w.machine)[-1][1], "user.machine.key.removed")
        kid = self.c.connect_json("AddKey", {"userId": w.machine, "publicKey": b64(pem)},
                                  w.token).json()["keyId"]
        r = self.c.rest("DELETE", "/users/%s/keys/%s" % (w.machine, kid), None, w.token)
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(sorted(r.json()), ["details"])
        self.rest_refused("key_not_found", "DELETE",
                          "/users/%s/keys/%s" % (w.machine, kid), None, w.token)

    def test_errors(self):
        w = self.world()
        _, pem = new_public_pem()
        for bad in (b"junk", pem[:-40], pem.replace(b"PUBLIC", b"PRIVATE"),
                    ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
                        serialization.Encoding.PEM,
                        serialization.PublicFormat.SubjectPublicKeyInfo),
                    new_public_pem(1024)[1]):
            self.connect_refused("key_invalid", "AddKey",
                                 {"userId": w.machine, "publicKey": b64(bad)}, w.token)
        self.connect_refused("key_expired", "AddKey",
                             {"userId": w.machine, "expirationDate": "2001-01-01T00:00:00Z"},
                             w.token)
        self.connect_refused("bad_body", "AddKey",
                             {"userId": w.machine, "expirationDate": "yesterday"}, w.token)
        self.rest_refused("key_type_invalid", "POST", "/users/%s/keys" % w.machine,
                          {"type": 7}, w.token)
        self.connect_refused("user_id_missing_key", "AddKey", {}, w.token)
        self.connect_refused("user_not_found_key", "AddKey", {"userId": "777"}, w.token)
        self.connect_refused("key_id_missing", "RemoveKey", {"userId": w.machine},
                             w.token)
        self.rest_refused("key_id_missing", "DELETE", "/users/%s/keys/" % w.machine,
                          None, w.token)
        weak = self.world(role="PROJECT_OWNER")
        self.connect_refused("permission_denied", "AddKey", {"userId": weak.machine},
                             weak.token)
        self.grpc_refused("key_invalid", MGMT + "AddMachineKey",
                          pb_string(1, w.machine) + pb_bytes(4, b"junk"), w.token)


class SecretsApacheFcgid(Secrets):
    """The same through Apache mod_fcgid: PUT and DELETE reach the responder."""
    server = "apache-fcgid"


if __name__ == "__main__":
    unittest.main()
