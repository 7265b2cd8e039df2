#!/usr/bin/env python3
"""Writes tests/badinput/cases.jsonl, the bad-input corpus.

    python3 tests/badinput/make_cases.py      # rewrites cases.jsonl

One JSON object per line:

  group, name        batch and a unique name
  method, path       request line (version: "HTTP/1.1" unless given)
  headers            [[name, value], ...] in order, duplicates allowed
  body | body_b64    the body, text (UTF-8) or base64 for arbitrary bytes
  path_b64           the request target as bytes, when it is not UTF-8
  content_length     what Content-Length says (a string; "" for none);
                     default: the body's true length
  chunked            send the body with Transfer-Encoding: chunked
  half_close         shut the socket's write side after sending (so a body
                     shorter than Content-Length ends there)
  expect             status, id (the error ID, null when none), kind (the
                     error kind in harness.ERRORS, or the test's own),
                     server (true: lighttpd answers before the responder;
                     its page is not checked, a status of 0 means it closes
                     without an answer), grpc (true: gRPC-web
                     trailers-only, HTTP 200 with grpc-status)

Strings may hold placeholders the test fills in: {PROJECT} {APP} {MISSING}
(an app ID that names nothing) {TOKEN} {ORG} {INACTIVE_ORG} {REMOVED_ORG},
and {REPEAT:text:count} (text repeated count times).
Where a request would pass every check, its app is {MISSING} (no such app)
or it carries no token, so no case writes to the database.  The expected
answers are the contract's (doc/api.md, doc/errors.md), and lighttpd 1.4.69's own where it refuses first.
"""

import base64
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "integration"))
from grpcwire import frame, pb_bytes, pb_varint  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REST = "/management/v1/projects/{PROJECT}/apps/{APP}/oidc_config/_generate_client_secret"
REST_MISSING = REST.replace("{APP}", "{MISSING}")
GRPC = "/zitadel.management.v1.ManagementService/RegenerateOIDCClientSecret"
JSON = ["Content-Type", "application/json"]
AUTH = ["Authorization", "Bearer {TOKEN}"]
GRPC_CT = ["Content-Type", "application/grpc-web+proto"]

# kind -> (status, id)
KINDS = {
    "auth_missing": (401, "AUTH-7fs1e"),
    "token_invalid": (401, "AUTH-7fs1e"),
    "org_not_found": (403, "AUTH-Bs7Ds"),
    "id_missing": (400, "COMMAND-99i83"),
    "invalid_argument": (400, "OSF-VAL01"),
    "permission_denied": (403, "AUTH-5mWD2"),
    "app_not_found": (404, "COMMAND-2g66f"),
    "app_not_oidc": (400, "COMMAND-Ghrh3"),
    "route_not_found": (404, "OSF-RT404"),
    "method_not_allowed": (405, "OSF-RT405"),
    "body_too_large": (413, "OSF-RQ413"),
    "bad_body": (400, "OSF-RQ400"),
    "media_type": (415, "OSF-RQ415"),
    "grpc_native": (415, "OSF-GW415"),
    "grpc_media_type": (415, "OSF-GWCT1"),
}

cases = []


def case(group, name, method="POST", path=REST, headers=(), body="", expect=None,
         **extra):
    c = {"group": group, "name": name, "method": method, "path": path,
         "headers": [list(h) for h in headers]}
    if isinstance(body, bytes):
        c["body_b64"] = base64.b64encode(body).decode()
    else:
        c["body"] = body
    c.update(extra)
    c["expect"] = expect
    cases.append(c)


def ours(kind, grpc=False):
    status, eid = KINDS[kind]
    if grpc:
        return {"status": 200, "id": eid, "kind": kind, "server": False, "grpc": True}
    return {"status": status, "id": eid, "kind": kind, "server": False, "grpc": False}


def server(status):
    return {"status": status, "id": None, "kind": None, "server": True, "grpc": False}


def pb(field, value, wire=2):
    return pb_varint(field, value) if wire == 0 else pb_bytes(field, value)


def preflight(allow):
    """OPTIONS: 204, no body, Allow, never authenticated (CORS preflight)."""
    return {"status": 204, "id": None, "kind": "preflight", "allow": allow,
            "server": False, "grpc": False}


# --- methods: 405 with Allow from the responder; lighttpd's own refusals ----
for m in ("GET", "PUT", "DELETE", "PATCH", "PROPFIND", "MKCOL", "LOCK",
          "SEARCH", "CONNECT", "TRACE"):
    body = "" if m in ("GET", "TRACE") else "{}"
    case("methods", "rest " + m, m, REST, [JSON], body, ours("method_not_allowed"))
case("methods", "rest HEAD", "HEAD", REST, [], "", ours("method_not_allowed"),
     content_length="")
for m in ("GET", "PUT", "DELETE", "PATCH"):
    body = "" if m == "GET" else "{}"
    case("methods", "grpc " + m, m, GRPC, [GRPC_CT], body, ours("method_not_allowed"))
for m in ("POST", "PUT", "DELETE"):
    case("methods", "healthz " + m, m, "/debug/healthz", [], "",
         ours("method_not_allowed"), content_length="0")
case("methods", "rest OPTIONS", "OPTIONS", REST, [JSON], "{}", preflight("POST, OPTIONS"))
case("methods", "rest OPTIONS with a bad token", "OPTIONS", REST,
     [["Authorization", "Bearer x"], ["Origin", "https://a.example"],
      ["Access-Control-Request-Method", "POST"]], "", preflight("POST, OPTIONS"))
case("methods", "grpc OPTIONS", "OPTIONS", GRPC, [GRPC_CT], "{}", preflight("POST, OPTIONS"))
case("methods", "healthz OPTIONS", "OPTIONS", "/debug/healthz", [], "",
     preflight("GET, HEAD, OPTIONS"), content_length="0")
for m in ("POST", "DELETE", "PATCH"):
    case("methods", "ready " + m, m, "/debug/ready", [], "", ours("method_not_allowed"))
for m, why in (("post", "lowercase"), ("FOO", "unknown"), ("P0ST", "look-alike"),
               ("PRI", "HTTP/2 preface"), ("P" * 100, "long")):
    case("methods", "rest %s (%s)" % (m[:10], why), m, REST, [JSON], "{}", server(501))
case("methods", "rest non-ASCII method", "P\u00d6ST", REST, [JSON], "{}", server(501))
case("methods", "GET with a body", "GET", "/debug/healthz", [], "{}", server(400))
case("methods", "GET rest with a body", "GET", REST_MISSING, [JSON, AUTH], "{}", server(400))

# --- paths ------------------------------------------------------------------
unknown = [
    "/", "/management", "/management/v1", "/management/v1/projects",
    "/management/v1/projects/{PROJECT}", "/management/v1/projects/{PROJECT}/apps/{APP}",
    "/management/v1/projects/{PROJECT}/apps/{APP}/oidc_config",
    REST + "/", REST + "/x", REST + ".json",
    REST.replace("/v1/", "/v2/"), REST.replace("/management/", "/Management/"),
    REST.replace("/projects/", "/Projects/"), REST.replace("_generate", "_GENERATE"),
    REST.replace("/apps/", "/app/"), REST.replace("/oidc_config/", "/saml_config/"),
    GRPC + "/", GRPC.lower(), GRPC.replace("RegenerateOIDCClientSecret", "GetAppByID"),
    GRPC.replace("ManagementService", "AdminService"),
    "/debug/healthz/", "/debug/HEALTHZ", "/debug", "/debug/ready/x",
    "/favicon.ico", "/index.html", "/.env", "/../../etc/passwd", "/cgi-bin/x",
    REST.replace("/apps/", "\\apps/"), REST.replace("{PROJECT}", "a%2Fb"),
    REST.replace("{APP}", "{APP}/extra"),
    "/management/v1/projects/{PROJECT}/apps/{APP}/oidc_config/_generate_client_secret/..",
    REST.replace("{PROJECT}", ".."),
]
for i, p in enumerate(unknown):
    case("paths", "unknown %02d %s" % (i, p[-40:]), "POST", p, [JSON], "{}",
         ours("route_not_found"))
# Mount prefixes and normalised paths still reach the route: the token is
# missing, so 401 proves the route matched without writing anything.
for name, p in (
        ("mount /api", "/api" + REST), ("mount deep", "/a/b/c" + REST),
        ("dot-dot segment", REST.replace("/apps/", "/apps/../apps/")),
        ("dot segment", REST.replace("/apps/", "/./apps/")),
        ("encoded dot-dot", REST.replace("/apps/", "/apps/%2E%2E/apps/")),
        ("encoded dot", REST.replace("/apps/", "/%2e/apps/")),
        ("leading dot-dot", "/.." + REST), ("projects dot-dot", REST.replace(
            "/projects/", "/projects/../projects/")),
        ("leading double slash", "/" + REST),
        ("absolute form", "http://127.0.0.1" + REST), ("query", REST + "?projectId=x&appId=y"),
        ("long query", REST + "?{REPEAT:q:5000}"), ("fragment", REST + "#frag"),
        ("space in ID", REST.replace("{PROJECT}", "a b")),
        ("merged empty IDs", REST.replace("{PROJECT}", "").replace("{APP}", "")),
        ("grpc mount", "/api" + GRPC)):
    hdrs = [GRPC_CT] if "grpc" in name else [JSON]
    body = frame(b"") if "grpc" in name else "{}"
    case("paths", "routed " + name, "POST", p, hdrs, body,
         ours("auth_missing", grpc="grpc" in name))
# IDs that reach the service (valid token): judged by the service (doc/api.md).
ids = [
    ("empty project", REST.replace("{PROJECT}", ""), "id_missing"),
    ("empty app", REST.replace("{APP}", ""), "id_missing"),
    ("both empty", REST.replace("{PROJECT}", "").replace("{APP}", ""), "id_missing"),
    ("encoded slash as ID", REST.replace("{PROJECT}", "%2F"), "id_missing"),
    ("dot as ID", REST.replace("{PROJECT}", "."), "id_missing"),
    ("201 chars", REST.replace("{PROJECT}", "{REPEAT:p:201}"), "invalid_argument"),
    ("201 chars app", REST.replace("{APP}", "{REPEAT:a:201}"), "invalid_argument"),
    ("1000 chars", REST.replace("{PROJECT}", "{REPEAT:p:1000}"), "invalid_argument"),
    ("7000 chars", REST.replace("{PROJECT}", "{REPEAT:p:7000}"), "invalid_argument"),
    ("201 two-byte chars", REST.replace("{PROJECT}", "{REPEAT:%C3%A9:201}"), "invalid_argument"),
    ("200 two-byte chars", REST.replace("{PROJECT}", "{REPEAT:%C3%A9:200}"), "app_not_found"),
    ("200 chars", REST.replace("{PROJECT}", "{REPEAT:p:200}"), "app_not_found"),
    ("C1 control", REST.replace("{PROJECT}", "%C2%85"), "invalid_argument"),
    ("C1 control in app", REST.replace("{APP}", "a%C2%9Fb"), "invalid_argument"),
    ("surrogate", REST.replace("{PROJECT}", "%ED%A0%80"), "invalid_argument"),
    ("above U+10FFFF", REST.replace("{PROJECT}", "%F4%90%80%80"), "invalid_argument"),
    ("truncated UTF-8", REST.replace("{PROJECT}", "a%C3"), "invalid_argument"),
    ("lone continuation", REST.replace("{PROJECT}", "%80"), "invalid_argument"),
    ("latin-1 byte raw", None, "invalid_argument"),
    ("double encoded", REST.replace("{PROJECT}", "%2541"), "app_not_found"),
    ("encoded letters", REST.replace("{PROJECT}", "%41%42"), "app_not_found"),
    ("bad escape", REST.replace("{PROJECT}", "%zz"), "app_not_found"),
    ("lone percent", REST.replace("{PROJECT}", "%"), "app_not_found"),
    ("truncated escape", REST.replace("{PROJECT}", "%4"), "app_not_found"),
    ("plus", REST.replace("{PROJECT}", "a+b"), "app_not_found"),
    ("matrix param", REST.replace("{PROJECT}", "p;x=1"), "app_not_found"),
    ("zero width space", REST.replace("{PROJECT}", "%E2%80%8B"), "app_not_found"),
    ("raw UTF-8", REST.replace("{PROJECT}", "\u00e9\u65e5"), "app_not_found"),
    ("three dots", REST.replace("{PROJECT}", "..."), "app_not_found"),
    ("SQL", REST.replace("{PROJECT}", "1'%20OR%20'1'='1"), "app_not_found"),
    ("LIKE wildcard", REST.replace("{PROJECT}", "%25"), "app_not_found"),
    ("trailing space", REST.replace("{PROJECT}", "{PROJECT}%20"), "app_not_found"),
    ("other case", REST.replace("{PROJECT}", "{PROJECT}A"), "app_not_found"),
]
for name, p, kind in ids:
    if p is None:
        raw = REST.replace("{PROJECT}", "p\xe9").encode("latin-1")
        case("paths", "ID " + name, "POST", "", [JSON, AUTH], "{}", ours(kind),
             path_b64=base64.b64encode(raw.replace(b"{APP}", b"0")).decode())
        continue
    case("paths", "ID " + name, "POST", p, [JSON, AUTH], "{}", ours(kind))
# lighttpd refuses these before the responder (README: "Server behaviour").
# With a good token and a missing app: should one get through, it cannot
# write.
for name, p, status in (
        ("NUL", REST_MISSING.replace("{PROJECT}", "a%00b"), 400),
        ("NUL in app", REST.replace("{APP}", "%00"), 400),
        ("SOH", REST.replace("{PROJECT}", "a%01b"), 400),
        ("TAB encoded", REST.replace("{PROJECT}", "a%09b"), 400),
        ("LF encoded", REST.replace("{PROJECT}", "a%0Ab"), 400),
        ("CR encoded", REST.replace("{PROJECT}", "a%0Db"), 400),
        ("US", REST.replace("{PROJECT}", "%1F"), 400),
        ("DEL", REST.replace("{PROJECT}", "a%7Fb"), 400),
        ("overlong UTF-8", REST.replace("{PROJECT}", "a%C0%AFb"), 400),
        ("FF byte", REST.replace("{PROJECT}", "%FF"), 400),
        ("raw tab", REST.replace("{PROJECT}", "a\tb"), 400),
        ("asterisk", "*", 400),
        ("8100 chars", REST.replace("{PROJECT}", "{REPEAT:p:8100}"), 431),
        ("70000 chars", REST.replace("{PROJECT}", "{REPEAT:p:70000}"), 431)):
    case("paths", "server " + name, "POST", p.replace("{APP}", "{MISSING}"), [JSON, AUTH],
         "{}", server(status))
raw = REST.encode().replace(b"{PROJECT}", b"a\xffb").replace(b"{APP}", b"1")
case("paths", "server raw FF byte", "POST", "", [JSON, AUTH], "{}", server(400),
     path_b64=base64.b64encode(raw).decode())

# --- headers ----------------------------------------------------------------
for name, value, kind in (
        ("Basic", "Basic dXNlcjpwYXNz", "auth_missing"),
        ("scheme only", "Bearer", "auth_missing"),
        ("scheme and space", "Bearer ", "auth_missing"),
        ("no space", "Bearer{TOKEN}", "auth_missing"),
        ("Token scheme", "Token {TOKEN}", "auth_missing"),
        ("Digest", 'Digest username="a", realm="b"', "auth_missing"),
        ("empty", "", "auth_missing"),
        ("comma", ",", "auth_missing"),
        ("unknown token", "Bearer nope{TOKEN}", "token_invalid"),
        ("token and more", "Bearer {TOKEN} extra", "token_invalid"),
        ("token with suffix", "Bearer {TOKEN}x", "token_invalid"),
        ("upper case scheme, bad token", "BEARER x", "token_invalid"),
        ("tab after scheme", "Bearer\tx", "token_invalid"),
        ("non-ASCII token", "Bearer \u00e9t\u00e9", "token_invalid"),
        ("quoted token", 'Bearer "{TOKEN}"', "token_invalid"),
        ("percent-encoded token", "Bearer %41%42", "token_invalid"),
        ("SQL token", "Bearer ' OR '1'='1", "token_invalid"),
        ("5000-char token", "Bearer {REPEAT:a:5000}", "token_invalid"),
        ("7000-char token", "Bearer {REPEAT:a:7000}", "token_invalid"),
        ("token of sha", "Bearer {REPEAT:0:64}", "token_invalid")):
    case("headers", "Authorization " + name, "POST", REST, [JSON, ["Authorization", value]],
         "{}", ours(kind))
for name, values, kind in (
        ("twice", ["Bearer {TOKEN}", "Bearer {TOKEN}"], "token_invalid"),
        ("Basic then Bearer", ["Basic eA==", "Bearer {TOKEN}"], "auth_missing"),
        ("Bearer then Basic", ["Bearer {TOKEN}", "Basic eA=="], "token_invalid"),
        ("two bad", ["Bearer a", "Bearer b"], "token_invalid")):
    case("headers", "duplicate Authorization " + name, "POST", REST,
         [JSON] + [["Authorization", v] for v in values], "{}", ours(kind))
for name, value in (("SOH", "Bearer a\x01b"), ("DEL", "Bearer a\x7f"), ("NUL", "Bearer a\x00")):
    case("headers", "server Authorization " + name, "POST", REST, [JSON, ["Authorization", value]],
         "{}", server(400))
case("headers", "server Authorization 70000", "POST", REST,
     [JSON, ["Authorization", "Bearer {REPEAT:a:70000}"]], "{}", server(431))
case("headers", "auth on gRPC missing", "POST", GRPC, [GRPC_CT],
     frame(b""), ours("auth_missing", grpc=True))
case("headers", "auth on gRPC Basic", "POST", GRPC, [GRPC_CT, ["Authorization", "Basic eA=="]],
     frame(b""), ours("auth_missing", grpc=True))
case("headers", "auth on gRPC unknown", "POST", GRPC, [GRPC_CT, ["Authorization", "Bearer x"]],
     frame(b""), ours("token_invalid", grpc=True))
for name, value in (
        ("unknown", "404404404"), ("inactive", "{INACTIVE_ORG}"), ("removed", "{REMOVED_ORG}"),
        ("201 chars", "{REPEAT:o:201}"), ("5000 chars", "{REPEAT:o:5000}"),
        ("percent-encoded", "%41"), ("C1 control", "a\u0085b"), ("SQL", "' OR '1'='1"),
        ("wildcard", "%"), ("asterisk", "*"), ("other case", "{ORG}A"),
        ("org and more", "{ORG} {ORG}"), ("comma list", "{ORG},{ORG}")):
    case("headers", "x-zitadel-orgid " + name, "POST", REST_MISSING,
         [JSON, AUTH, ["x-zitadel-orgid", value]], "{}", ours("org_not_found"))
case("headers", "x-zitadel-orgid twice", "POST", REST_MISSING,
     [JSON, AUTH, ["x-zitadel-orgid", "{ORG}"], ["x-zitadel-orgid", "{ORG}"]], "{}",
     ours("org_not_found"))
case("headers", "x-zitadel-orgid not UTF-8", "POST", REST_MISSING,
     [JSON, AUTH, ["x-zitadel-orgid", "a\udcffb"]], "{}", ours("org_not_found"))
case("headers", "x-zitadel-orgid trailing space (trimmed)", "POST", REST_MISSING,
     [JSON, AUTH, ["x-zitadel-orgid", "{ORG} "]], "{}", ours("app_not_found"))
case("headers", "x-zitadel-orgid bad, token bad", "POST", REST,
     [JSON, ["Authorization", "Bearer x"], ["x-zitadel-orgid", "404"]], "{}",
     ours("token_invalid"))
case("headers", "server x-zitadel-orgid NUL", "POST", REST_MISSING,
     [JSON, AUTH, ["x-zitadel-orgid", "a\x00"]], "{}", server(400))
# As grpc-gateway: any content type but gRPC's is read as JSON.
for ct in ("text/plain", "application/x-www-form-urlencoded", "application/jsonx",
           "application/json-seq", "multipart/form-data; boundary=x",
           "json", "application/", "/json",
           "application/merge-patch+json", "text/json", "application/ json"):
    case("headers", "Content-Type read as JSON " + ct, "POST", REST_MISSING,
         [["Content-Type", ct], AUTH], "{}", ours("app_not_found"))
for ct in ("application/grpc-web+proto", "application/grpc", "application/grpc+proto",
           "APPLICATION/GRPC-WEB-TEXT"):
    case("headers", "Content-Type " + ct, "POST", REST_MISSING, [["Content-Type", ct], AUTH],
         "{}", ours("media_type"))
for ct in ("APPLICATION/JSON", "application/json; charset=latin1", "application/json ;",
           "application/json;;;", ""):
    case("headers", "Content-Type accepted %r" % ct, "POST", REST, [["Content-Type", ct]],
         "{}", ours("auth_missing"))
case("headers", "server Content-Type twice", "POST", REST,
     [JSON, ["Content-Type", "text/plain"]], "{}", server(400))
for name, hdrs, status in (
        ("huge header", [["X-Big", "{REPEAT:a:100000}"]], 431),
        ("many headers", [["X-H%d" % i, "{REPEAT:v:100}"] for i in range(200)], 431),
        ("name with space", [["X A", "b"]], 400),
        ("second Host", [["Host", "other"]], 400),
        ("NUL in a header", [["X-A", "a\x00b"]], 400),
        ("Transfer-Encoding gzip", [["Transfer-Encoding", "gzip"]], 501),
        ("Transfer-Encoding chunked twice", [["Transfer-Encoding", "chunked, chunked"]], 501)):
    extra = {"content_length": ""} if "Transfer" in name else {}
    case("headers", "server " + name, "POST", REST, [JSON] + hdrs, "{}", server(status), **extra)
case("headers", "obs-fold continuation", "POST", REST, [JSON, ["X-A", "a\r\n b"]], "{}",
     ours("auth_missing"))
case("headers", "Expect 100-continue", "POST", REST, [JSON, ["Expect", "100-continue"]], "{}",
     ours("auth_missing"))
case("headers", "HTTP/1.0 without Host", "POST", REST, [JSON], "{}", ours("auth_missing"),
     version="HTTP/1.0", no_host=True)
case("headers", "server HTTP/1.1 without Host", "POST", REST, [JSON], "{}", server(400),
     no_host=True)
case("headers", "server HTTP/2.0 request line", "POST", REST, [JSON], "{}", server(505),
     version="HTTP/2.0")

# --- bodies: checked before the token, so 400/413/415 need none -----------
bad = [
    "[]", "null", "1", '"x"', "true", "{", "}", "{}x", "{}{}", '{"a":1,}', "{,}", '{"a"}',
    '{"a":}', '{"a" 1}', '{"a":1 "b":2}', "{'a':1}", '{"a":NaN}', '{"a":Infinity}',
    '{"a":-Infinity}', '{"a":01}', '{"a":1.}', '{"a":.5}', '{"a":+1}', '{"a":0x10}',
    '{"a":1e}', '{"a":-}', '{"a":tru}', '{"a":nul}', '{"a":falsey}', '{"a":"\x01"}',
    '{"a":"tab\there"}', '{"a":"\\x"}', '{"a":"\\u12"}', '{"a":"\\uZZZZ"}', "{a:1}",
    '{"a":"abc', '{"a":\'x\'}', '{"a":1}}', '{"a":[1,]}', '{"a":[,1]}', '{"a":[1 2]}',
    '/*c*/{}', '{}//c', "{}\x00", "\x00{}", '{"a":1}\n{"b":2}', "{REPEAT:[:100}{REPEAT:]:100}",
    '{"a":{REPEAT:[:10000}', '{REPEAT:{"a"::40}1{REPEAT:}:40}',
    '{"a":{REPEAT:[:32}{REPEAT:]:32}}', "\ufeff{}",
]
for i, b in enumerate(bad):
    case("bodies", "bad JSON %02d %r" % (i, b[:24]), "POST", REST, [JSON], b, ours("bad_body"))
for name, b in (("invalid UTF-8", b'{"a":"\xff"}'), ("overlong UTF-8", b'{"a":"\xc0\xaf"}'),
                ("surrogate bytes", b'{"a":"\xed\xa0\x80"}'), ("truncated UTF-8", b'{"a":"\xc3"}'),
                ("latin-1 key", b'{"\xe9":1}'), ("UTF-16", '{"a":1}'.encode("utf-16"))):
    case("bodies", "bad bytes " + name, "POST", REST, [JSON], b, ours("bad_body"))
# Odd but valid: the body passes, so the token check answers.
for i, b in enumerate(("", "   ", "\r\n\t ", "{}", '{ "projectId" : "other" , "appId":"x" }',
                       '{"a":"\\ud800"}', '{"a":"\\u0000"}', '{"":""}', '{"a":1,"a":2}',
                       '{"a":1e999999}', '{"a":-0}', '{"\u00e9":"\u65e5"}',
                       '{"a":{REPEAT:[:31}{REPEAT:]:31}}',
                       '{"a":"{REPEAT:x:65528}"}')):
    case("bodies", "accepted %02d %r" % (i, b[:24]), "POST", REST, [JSON], b,
         ours("auth_missing"))
case("bodies", "accepted without Content-Type", "POST", REST, [], "{}", ours("auth_missing"))
case("bodies", "too large by one", "POST", REST, [JSON], '{"a":"{REPEAT:x:65529}"}',
     ours("body_too_large"))
case("bodies", "too large 1 MiB", "POST", REST, [JSON], "{REPEAT: :1048576}",
     ours("body_too_large"))
case("bodies", "too large, invalid anyway", "POST", REST, [JSON], "{REPEAT:[:70000}",
     ours("body_too_large"))
case("bodies", "too large chunked", "POST", REST, [JSON], '{"a":"{REPEAT:x:70000}"}',
     ours("body_too_large"), chunked=True)
case("bodies", "bad JSON chunked", "POST", REST, [JSON], "{'a':1}", ours("bad_body"),
     chunked=True)
case("bodies", "accepted chunked", "POST", REST, [JSON], "{}", ours("auth_missing"),
     chunked=True)
case("bodies", "text/plain holding JSON", "POST", REST, [["Content-Type", "text/plain"]],
     "{}", ours("auth_missing"))
for ct, b in (("application/x-www-form-urlencoded", "a=1"),
              ("application/xml", "<a/>"), ("application/octet-stream", b"\x00\x01")):
    case("bodies", "not JSON, as " + ct, "POST", REST, [["Content-Type", ct]], b,
         ours("bad_body"))

# --- gRPC-web ----------------------------------------------------------------
# Placeholders would change the frame's lengths: fixed IDs.  The token's
# user owns its org, so any project there passes the permission check and
# then is not found.
ok_msg = pb(1, b"777777") + pb(2, b"777777")
for name, b in (
        ("empty", b""), ("short header", b"\x00\x00\x00"),
        ("length past the end", b"\x00\x00\x00\x01\x00ab"),
        ("length short", b"\x00\x00\x00\x00\x01ab"),
        ("two frames", frame(b"\x0a\x01p") * 2), ("compressed", frame(b"\x0a\x01p", 1)),
        ("trailer flag", frame(b"\x0a\x01p", 0x80)), ("reserved flag", frame(b"\x0a\x01p", 2)),
        ("garbage", frame(b"\xff\xff\xff\xff")), ("truncated field", frame(b"\x0a\x05ab")),
        ("wrong wire type", frame(pb(1, 5, wire=0))),
        ("varint overflow", frame(b"\x0a\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f")),
        ("group wire type", frame(b"\x0b\x0c"))):
    case("grpcweb", "frame " + name, "POST", GRPC, [GRPC_CT, AUTH], b, ours("bad_body", grpc=True))
for name, b in (("not base64", "!!!!"), ("bad length", "AAAAA"), ("padding first", "=AAA"),
                ("spaces", "AAAA AAA="), ("base64 of junk", base64.b64encode(b"\x01abcd").decode())):
    case("grpcweb", "text " + name, "POST", GRPC,
         [["Content-Type", "application/grpc-web-text"], AUTH], b, ours("bad_body", grpc=True))
case("grpcweb", "empty message", "POST", GRPC, [GRPC_CT, AUTH], frame(b""),
     ours("id_missing", grpc=True))
case("grpcweb", "201-char ID", "POST", GRPC, [GRPC_CT, AUTH],
     frame(pb(1, b"p" * 201) + pb(2, b"a")), ours("invalid_argument", grpc=True))
# Over 200 characters is too long whatever the wire: the ID check says so.
case("grpcweb", "ID over 800 bytes", "POST", GRPC, [GRPC_CT, AUTH],
     frame(pb(1, b"p" * 801) + pb(2, b"a")), ours("invalid_argument", grpc=True))
case("grpcweb", "unknown field, no such app", "POST", GRPC, [GRPC_CT, AUTH],
     frame(ok_msg + pb(9, b"x")), ours("app_not_found", grpc=True))
case("grpcweb", "too large", "POST", GRPC, [GRPC_CT, AUTH], "{REPEAT:A:65537}",
     ours("body_too_large", grpc=True))
for ct in ("application/grpc", "application/grpc+proto", "application/grpc+json"):
    case("grpcweb", "native " + ct, "POST", GRPC, [["Content-Type", ct], AUTH],
         frame(ok_msg), ours("grpc_native"))
for ct in (None, "application/json", "text/plain", "application/grpc-webx"):
    hdrs = [AUTH] + ([["Content-Type", ct]] if ct else [])
    case("grpcweb", "content type %s" % ct, "POST", GRPC, hdrs, frame(ok_msg),
         ours("grpc_media_type"))

# --- Content-Length that lies, and chunking gone wrong (raw sockets) --------
case("lengths", "shorter than the body", "POST", REST, [JSON], '{"a":1}', ours("bad_body"),
     content_length="3")
case("lengths", "one byte of two", "POST", REST, [JSON], "{}", ours("bad_body"),
     content_length="1")
case("lengths", "zero with a body", "POST", REST, [JSON], "{}", ours("auth_missing"),
     content_length="0")
case("lengths", "server over the limit, body short", "POST", REST, [JSON], "{}",
     server(0), content_length="65537", half_close=True)
case("lengths", "gRPC frame cut by the length", "POST", GRPC, [GRPC_CT, AUTH],
     frame(ok_msg), ours("bad_body", grpc=True), content_length="4")
case("lengths", "server longer than the body", "POST", REST, [JSON], "{}", server(0),
     content_length="10", half_close=True)
case("lengths", "server 70000, body short", "POST", REST, [JSON], "{}", server(0),
     content_length="70000", half_close=True)
for name, cl in (("negative", "-1"), ("not a number", "abc"), ("plus sign", "+2"),
                 ("list", "2, 2"), ("huge", "99999999999999999999"), ("hex", "0x2"),
                 ("space inside", "1 0")):
    case("lengths", "server Content-Length " + name, "POST", REST, [JSON], "{}", server(400),
         content_length=cl)
case("lengths", "server missing on POST", "POST", REST, [JSON], "{}", server(411),
     content_length="")
case("lengths", "server two lengths", "POST", REST, [JSON, ["Content-Length", "3"]], "{}",
     server(400))
case("lengths", "server two equal lengths", "POST", REST, [JSON, ["Content-Length", "2"]], "{}",
     server(400))
case("lengths", "server chunked and a length", "POST", REST,
     [JSON, ["Transfer-Encoding", "chunked"], ["Content-Length", "5"]], "2\r\n{}\r\n0\r\n\r\n",
     server(400), content_length="")
case("lengths", "server bad chunk size", "POST", REST, [JSON, ["Transfer-Encoding", "chunked"]],
     "zz\r\n{}\r\n0\r\n\r\n", server(400), content_length="")
case("lengths", "server chunk cut short", "POST", REST, [JSON, ["Transfer-Encoding", "chunked"]],
     "5\r\n{}", server(0), content_length="", half_close=True)
case("lengths", "chunk extension", "POST", REST, [JSON, ["Transfer-Encoding", "chunked"]],
     "2;x=y\r\n{}\r\n0\r\n\r\n", ours("auth_missing"), content_length="")
case("lengths", "chunked trailer", "POST", REST, [JSON, ["Transfer-Encoding", "chunked"]],
     "2\r\n{}\r\n0\r\nX-T: 1\r\n\r\n", ours("auth_missing"), content_length="")
case("lengths", "chunked over the limit", "POST", REST, [JSON, ["Transfer-Encoding", "Chunked"]],
     "10001\r\n{{REPEAT: :65535}}\r\n0\r\n\r\n", ours("body_too_large"), content_length="")


def main():
    names = [c["group"] + "/" + c["name"] for c in cases]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        raise SystemExit("duplicate names: %s" % sorted(dup))
    with open(os.path.join(HERE, "cases.jsonl"), "w") as f:
        for c in cases:
            f.write(json.dumps(c, ensure_ascii=True) + "\n")
    print("%d cases" % len(cases))


if __name__ == "__main__":
    main()
