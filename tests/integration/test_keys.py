"""Machine users' keys and JWT assertions (src/rsakey.c, src/jwt.c,
doc/keys.md) against implementations that share no code with ours: Python's
cryptography (Debian's python3-cryptography, OpenSSL underneath) and PHP's
openssl extension.  tests/tools/keytool (built here with make) is the C side;
no database and no web server are involved.

- A pair we generate: cryptography loads our PKCS#1 private key, finds its
  numbers consistent (p * q = n, d * e = 1 mod lambda(n), the CRT values),
  writes it back byte for byte as we did, and derives the very public key we
  wrote; a JWT it signs with that key verifies in C; PHP loads it too.
- Keys Python makes (RSA 2048, 3072, 4096, e = 3), as SPKI PEM and DER, are
  read, with the thumbprint RFC 7638 gives and Python's own PEM as the
  canonical spelling; EC, Ed25519, RSA-1024, PKCS#1 public keys and private
  keys are refused, each for its reason.
- JWTs Python and PHP sign (RS256, with keys they made) verify in C; the
  same JWTs changed, late, for another audience or key, or re-signed as
  HS256 with the public PEM as the HMAC key, are refused for their reasons.
"""

import base64
import hashlib
import hmac
import json
import math
import os
import stat
import subprocess
import tempfile
import unittest

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

from harness import st

KEYTOOL = os.path.join(st.BUILD, "tests", "tools", "keytool")
ISSUER = "https://id.example.com"
USER = "312345678901234567"
NOW = 1767225600


def setUpModule():
    r = subprocess.run(["make", "-C", st.BUILD, "-s", "tests/tools/keytool"],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("make tests/tools/keytool: " + r.stderr[-2000:])


def keytool(*args, stdin=b""):
    """keytool's exit status and output lines."""
    r = subprocess.run([KEYTOOL] + [str(a) for a in args], input=stdin,
                       capture_output=True)
    if r.returncode == 2:
        raise RuntimeError("keytool %s: %s" % (args[0], r.stderr.decode()))
    return r.returncode, r.stdout.decode()


def b64u(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def thumbprint(pub):
    """RFC 7638 3.1, computed here from the numbers."""
    nums = pub.public_numbers()
    n = nums.n.to_bytes((nums.n.bit_length() + 7) // 8, "big")
    e = nums.e.to_bytes((nums.e.bit_length() + 7) // 8, "big")
    jwk = json.dumps({"e": b64u(e), "kty": "RSA", "n": b64u(n)},
                     separators=(",", ":"), sort_keys=True)
    return b64u(hashlib.sha256(jwk.encode()).digest())


def spki_pem(pub):
    return pub.public_bytes(serialization.Encoding.PEM,
                            serialization.PublicFormat.SubjectPublicKeyInfo)


def claims(**over):
    c = {"iss": USER, "sub": USER, "aud": ISSUER, "iat": NOW, "exp": NOW + 3600}
    c.update(over)
    return c


def sign_jwt(key, claims_, header=None):
    """An RS256 JWS as ZITADEL's SDKs write it (PyJWT, firebase/php-jwt)."""
    header = header or {"alg": "RS256", "typ": "JWT", "kid": "key-1"}
    si = b64u(json.dumps(header).encode()) + "." + b64u(json.dumps(claims_).encode())
    sig = key.sign(si.encode(), padding.PKCS1v15(), hashes.SHA256())
    return si + "." + b64u(sig)


def php_has_openssl():
    try:
        r = subprocess.run(["php", "-m"], capture_output=True, text=True)
    except FileNotFoundError:
        return False
    return r.returncode == 0 and "openssl" in r.stdout.split()


# PHP: reads {"key": PEM or null, "claims": {...}} on stdin; with no key it
# makes an RSA-2048 pair.  Prints the public PEM, a line "%%", the JWS.
PHP_SIGN = r'''
$in = json_decode(stream_get_contents(STDIN), true);
$k = $in["key"] === null
    ? openssl_pkey_new(["private_key_bits" => 2048, "private_key_type" => OPENSSL_KEYTYPE_RSA])
    : openssl_pkey_get_private($in["key"]);
if ($k === false) { fwrite(STDERR, openssl_error_string()); exit(2); }
$b = function ($s) { return rtrim(strtr(base64_encode($s), "+/", "-_"), "="); };
$si = $b(json_encode(["alg" => "RS256", "typ" => "JWT", "kid" => "php-1"])) . "." .
    $b(json_encode($in["claims"]));
if (!openssl_sign($si, $sig, $k, OPENSSL_ALGO_SHA256)) exit(2);
echo openssl_pkey_get_details($k)["key"], "%%\n", $si, ".", $b($sig);
'''


def php_sign(claims_, key_pem=None):
    r = subprocess.run(["php", "-r", PHP_SIGN], capture_output=True,
                       input=json.dumps({"key": key_pem, "claims": claims_}).encode())
    if r.returncode != 0:
        raise RuntimeError("php: " + r.stderr.decode())
    pub, jws = r.stdout.decode().split("%%\n")
    return pub, jws


class Base(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)

    def path(self, name):
        return os.path.join(self.tmp.name, name)

    def write(self, name, data):
        with open(self.path(name), "wb") as f:
            f.write(data)
        return self.path(name)

    def read_pub(self, data):
        """keytool read-pub of data: (status, first line, canonical PEM)."""
        rc, out = keytool("read-pub", self.write("pub", data))
        first, _, rest = out.partition("\n")
        return rc, first, rest

    def verify(self, pub_pem, jws, audience=ISSUER, subject=USER, now=NOW):
        rc, out = keytool("verify-jws", self.write("key", pub_pem), audience,
                          subject, now, stdin=jws.encode())
        return out.strip()


class GeneratedPair(Base):
    """A pair keytool gen makes, held against cryptography and PHP."""

    def setUp(self):
        super().setUp()
        rc, out = keytool("gen", self.path("priv"), self.path("pub"))
        self.assertEqual(rc, 0)
        self.bits, self.thumb = out.split()
        with open(self.path("priv"), "rb") as f:
            self.priv_pem = f.read()
        with open(self.path("pub"), "rb") as f:
            self.pub_pem = f.read()

    def test_private_key_loads_and_is_consistent(self):
        self.assertEqual(stat.S_IMODE(os.stat(self.path("priv")).st_mode), 0o600)
        self.assertTrue(self.priv_pem.startswith(b"-----BEGIN RSA PRIVATE KEY-----\n"))
        self.assertTrue(self.priv_pem.endswith(b"-----END RSA PRIVATE KEY-----\n"))
        key = serialization.load_pem_private_key(self.priv_pem, password=None)
        self.assertIsInstance(key, rsa.RSAPrivateKey)
        self.assertEqual(key.key_size, 2048)
        self.assertEqual(self.bits, "2048")
        pn = key.private_numbers()
        n, e = pn.public_numbers.n, pn.public_numbers.e
        self.assertEqual(e, 65537)
        self.assertEqual(pn.p * pn.q, n)
        self.assertGreater(pn.p, pn.q)
        lam = (pn.p - 1) * (pn.q - 1) // math.gcd(pn.p - 1, pn.q - 1)
        self.assertEqual(pn.d * e % lam, 1)
        self.assertEqual(pn.dmp1, pn.d % (pn.p - 1))
        self.assertEqual(pn.dmq1, pn.d % (pn.q - 1))
        # PKCS#1's coefficient: q^-1 mod p (not libgcrypt's p^-1 mod q)
        self.assertEqual(pn.iqmp, pow(pn.q, -1, pn.p))
        self.assertEqual(pn.iqmp * pn.q % pn.p, 1)
        # One encoding: cryptography writes it back byte for byte.
        again = key.private_bytes(serialization.Encoding.PEM,
                                  serialization.PrivateFormat.TraditionalOpenSSL,
                                  serialization.NoEncryption())
        self.assertEqual(again, self.priv_pem)
        # The public key we wrote is this key's, in the canonical spelling.
        self.assertEqual(spki_pem(key.public_key()), self.pub_pem)
        self.assertEqual(thumbprint(key.public_key()), self.thumb)

    def test_signs_what_c_verifies(self):
        key = serialization.load_pem_private_key(self.priv_pem, password=None)
        self.assertEqual(self.verify(self.pub_pem, sign_jwt(key, claims())), "ok key-1")
        # Another pair's public key does not verify it.
        rc, _ = keytool("gen", self.path("priv2"), self.path("pub2"))
        self.assertEqual(rc, 0)
        with open(self.path("pub2"), "rb") as f:
            other = f.read()
        self.assertNotEqual(other, self.pub_pem)
        self.assertEqual(self.verify(other, sign_jwt(key, claims())),
                         "refused bad_signature")

    def test_reads_back(self):
        rc, first, pem = self.read_pub(self.pub_pem)
        self.assertEqual(rc, 0)
        self.assertEqual(first, "ok 2048 " + self.thumb)
        self.assertEqual(pem.encode(), self.pub_pem)
        # Our private key is not a public key.
        rc, first, _ = self.read_pub(self.priv_pem)
        self.assertEqual((rc, first), (1, "refused private"))

    @unittest.skipUnless(php_has_openssl(), "PHP without openssl")
    def test_php_loads_it(self):
        pub, jws = php_sign(claims(), self.priv_pem.decode())
        self.assertEqual(pub.encode(), self.pub_pem)
        self.assertEqual(self.verify(self.pub_pem, jws), "ok php-1")


class PythonKeys(Base):
    """Keys cryptography makes, as PEM and DER, read or refused."""

    def test_rsa_sizes(self):
        for bits in (2048, 3072, 4096):
            with self.subTest(bits=bits):
                key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
                pub = key.public_key()
                pem = spki_pem(pub)
                der = pub.public_bytes(serialization.Encoding.DER,
                                       serialization.PublicFormat.SubjectPublicKeyInfo)
                want = "ok %d %s" % (bits, thumbprint(pub))
                for data in (pem, der, b"\r\n  " + pem.replace(b"\n", b"\r\n") + b"\n\n"):
                    rc, first, canon = self.read_pub(data)
                    self.assertEqual((rc, first), (0, want))
                    self.assertEqual(canon.encode(), pem)
                # A JWT this key signs verifies in C.
                self.assertEqual(self.verify(pem, sign_jwt(key, claims())), "ok key-1")
                self.assertEqual(self.verify(der, sign_jwt(key, claims())), "ok key-1")

    def test_small_exponent(self):
        key = rsa.generate_private_key(public_exponent=3, key_size=2048)
        rc, first, _ = self.read_pub(spki_pem(key.public_key()))
        self.assertEqual((rc, first), (0, "ok 2048 " + thumbprint(key.public_key())))

    def test_refused(self):
        rsa1024 = rsa.generate_private_key(public_exponent=65537, key_size=1024)
        rsa2048 = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        p256 = ec.generate_private_key(ec.SECP256R1())
        ed = ed25519.Ed25519PrivateKey.generate()
        der = serialization.Encoding.DER
        pem = serialization.Encoding.PEM
        spki = serialization.PublicFormat.SubjectPublicKeyInfo
        cases = [
            ("EC PEM", p256.public_key().public_bytes(pem, spki), "not_rsa"),
            ("EC DER", p256.public_key().public_bytes(der, spki), "not_rsa"),
            ("Ed25519", ed.public_key().public_bytes(pem, spki), "not_rsa"),
            ("RSA-1024", rsa1024.public_key().public_bytes(pem, spki), "bad_size"),
            ("RSA-1024 DER", rsa1024.public_key().public_bytes(der, spki), "bad_size"),
            ("PKCS#1 public", rsa2048.public_key().public_bytes(
                pem, serialization.PublicFormat.PKCS1), "malformed"),
            ("OpenSSH public", rsa2048.public_key().public_bytes(
                serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH),
             "malformed"),
            ("PKCS#8 private", rsa2048.private_bytes(
                pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()),
             "private"),
            ("PKCS#1 private", rsa2048.private_bytes(
                pem, serialization.PrivateFormat.TraditionalOpenSSL,
                serialization.NoEncryption()), "private"),
            ("EC private", p256.private_bytes(
                pem, serialization.PrivateFormat.TraditionalOpenSSL,
                serialization.NoEncryption()), "private"),
            ("PKCS#8 private DER", rsa2048.private_bytes(
                der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()),
             "malformed"),
            ("text before", b"key: " + spki_pem(rsa2048.public_key()), "malformed"),
            ("empty", b"", "malformed"),
        ]
        for name, data, reason in cases:
            with self.subTest(name):
                rc, first, _ = self.read_pub(data)
                self.assertEqual((rc, first), (1, "refused " + reason))


class Assertions(Base):
    """JWTs Python and PHP sign, verified and checked in C."""

    @classmethod
    def setUpClass(cls):
        cls.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        cls.pem = spki_pem(cls.key.public_key())

    def test_valid(self):
        self.assertEqual(self.verify(self.pem, sign_jwt(self.key, claims())), "ok key-1")
        # aud as an array; the issuer with a trailing slash; nbf; unknown claims
        for c in (claims(aud=["https://other.example", ISSUER]),
                  claims(aud=ISSUER + "/"),
                  claims(nbf=NOW - 5, jti="x1", scope="openid"),
                  claims(iat=NOW + 60, exp=NOW + 120)):
            with self.subTest(c):
                self.assertEqual(self.verify(self.pem, sign_jwt(self.key, c)), "ok key-1")
        # typ absent or in another case
        for h in ({"alg": "RS256", "kid": "key-1"},
                  {"alg": "RS256", "kid": "key-1", "typ": "jwt"}):
            self.assertEqual(self.verify(self.pem, sign_jwt(self.key, claims(), h)),
                             "ok key-1")

    def test_refused(self):
        cases = [
            (claims(aud="https://other.example"), "wrong_audience"),
            (claims(aud=["https://a", "https://b"]), "wrong_audience"),
            (claims(iss="412345678901234567", sub="412345678901234567"), "wrong_issuer"),
            (claims(sub="412345678901234567"), "wrong_subject"),
            (claims(iat=NOW - 3600, exp=NOW), "expired"),
            (claims(exp=NOW + 3601), "too_long"),
            (claims(iat=NOW + 61, exp=NOW + 120), "iat_future"),
            (claims(nbf=NOW + 61), "not_yet_valid"),
            (claims(exp=float(NOW + 60) + 0.5), "bad_claim"),
            (claims(exp=str(NOW + 60)), "bad_claim"),
        ]
        for c, reason in cases:
            with self.subTest(reason=reason, claims=c):
                self.assertEqual(self.verify(self.pem, sign_jwt(self.key, c)),
                                 "refused " + reason)
        for h, reason in (({"alg": "RS256", "typ": "JWT"}, "bad_kid"),
                          ({"alg": "RS256", "kid": "k", "typ": "JOSE"}, "bad_typ"),
                          ({"alg": "RS256", "kid": "k", "crit": ["exp"]}, "crit")):
            with self.subTest(reason=reason):
                self.assertEqual(self.verify(self.pem, sign_jwt(self.key, claims(), h)),
                                 "refused " + reason)

    def test_tampered(self):
        jws = sign_jwt(self.key, claims())
        h, c, s = jws.split(".")
        forged = b64u(json.dumps(claims(exp=NOW + 1800)).encode())
        self.assertEqual(self.verify(self.pem, ".".join((h, forged, s))),
                         "refused bad_signature")
        sig = bytearray(base64.urlsafe_b64decode(s + "=="))
        sig[100] ^= 1
        self.assertEqual(self.verify(self.pem, ".".join((h, c, b64u(bytes(sig))))),
                         "refused bad_signature")
        for bad in (jws + "=", jws + ".x", h + "." + c, " " + jws,
                    jws.replace("-", "+").replace("_", "/")):
            if bad == jws:
                continue
            with self.subTest(bad=bad[-20:]):
                self.assertEqual(self.verify(self.pem, bad), "refused malformed")
        other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.assertEqual(self.verify(self.pem, sign_jwt(other, claims())),
                         "refused bad_signature")

    def test_algorithm_confusion(self):
        """HS256 keyed with the public key's PEM, as a confused verifier would
        check it, and "none": both refused at the header."""
        for alg in ("HS256", "none", "RS512", "PS256", "ES256"):
            with self.subTest(alg=alg):
                h = b64u(json.dumps({"alg": alg, "typ": "JWT", "kid": "key-1"}).encode())
                si = h + "." + b64u(json.dumps(claims()).encode())
                mac = hmac.new(self.pem, si.encode(), hashlib.sha256).digest()
                sig = b64u(mac) if alg == "HS256" else ""
                self.assertEqual(self.verify(self.pem, si + "." + sig), "refused bad_alg")
        # RS512 really signed with the key: still not RS256.
        h = b64u(json.dumps({"alg": "RS512", "kid": "key-1"}).encode())
        si = h + "." + b64u(json.dumps(claims()).encode())
        sig = self.key.sign(si.encode(), padding.PKCS1v15(), hashes.SHA512())
        self.assertEqual(self.verify(self.pem, si + "." + b64u(sig)), "refused bad_alg")

    def test_size_bound(self):
        pad = "p" * 5600
        ok = sign_jwt(self.key, claims(pad=pad))
        self.assertLessEqual(len(ok), 8192)
        self.assertEqual(self.verify(self.pem, ok), "ok key-1")
        big = sign_jwt(self.key, claims(pad=pad * 2))
        self.assertGreater(len(big), 8192)
        self.assertEqual(self.verify(self.pem, big), "refused malformed")

    @unittest.skipUnless(php_has_openssl(), "PHP without openssl")
    def test_php_signed(self):
        pub, jws = php_sign(claims())
        rc, first, canon = self.read_pub(pub.encode())
        self.assertEqual(rc, 0)
        self.assertEqual(canon, pub)
        self.assertEqual(self.verify(pub.encode(), jws), "ok php-1")
        self.assertEqual(self.verify(pub.encode(), jws, audience="https://other"),
                         "refused wrong_audience")
        self.assertEqual(self.verify(self.pem, jws), "refused bad_signature")


if __name__ == "__main__":
    unittest.main()
