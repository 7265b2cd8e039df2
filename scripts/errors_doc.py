#!/usr/bin/env python3
"""src/errors.def, the one source of the error table, read for the docs and
the tests: doc/errors.md's tables are written from it (python3
scripts/errors_doc.py --write) and checked against it by the suite
(tests/integration/test_errors_doc.py); harness.py takes the tests'
expectations from it.
"""

import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEF = os.path.join(ROOT, "src", "errors.def")
DOC = os.path.join(ROOT, "doc", "errors.md")

# gRPC code -> HTTP status, as grpc-gateway and Connect map them.
GRPC_HTTP = {0: 200, 1: 499, 2: 500, 3: 400, 4: 504, 5: 404, 6: 409, 7: 403,
             8: 429, 9: 400, 10: 409, 11: 400, 12: 501, 13: 500, 14: 503,
             15: 500, 16: 401}
GRPC_CODES = {"OK": 0, "CANCELLED": 1, "UNKNOWN": 2, "INVALID_ARGUMENT": 3,
              "DEADLINE_EXCEEDED": 4, "NOT_FOUND": 5, "ALREADY_EXISTS": 6,
              "PERMISSION_DENIED": 7, "RESOURCE_EXHAUSTED": 8,
              "FAILED_PRECONDITION": 9, "ABORTED": 10, "OUT_OF_RANGE": 11,
              "UNIMPLEMENTED": 12, "INTERNAL": 13, "UNAVAILABLE": 14,
              "DATA_LOSS": 15, "UNAUTHENTICATED": 16}
CONNECT = ["ok", "canceled", "unknown", "invalid_argument", "deadline_exceeded",
           "not_found", "already_exists", "permission_denied", "resource_exhausted",
           "failed_precondition", "aborted", "out_of_range", "unimplemented",
           "internal", "unavailable", "data_loss", "unauthenticated"]


def read(path=DEF):
    """[(group, kind, code, http, ID, text, oauth, when)], in the file's
    order; group is the comment heading the rows' group."""
    with open(path) as f:
        text = f.read()
    rows, group = [], None
    for m in re.finditer(r'/\* --- ([^*]*?)(?: ---)?\s*\*/|^ERR\((.*?)\)\s*$', text,
                         flags=re.S | re.M):
        if m.group(1) is not None:
            group = m.group(1).split(" (")[0]
            continue
        args, cur = [], ""
        for tok in re.findall(r'"(?:[^"\\]|\\.)*"|[^,\s"]+|,', m.group(2)):
            if tok == ",":
                args.append(cur)
                cur = ""
            elif tok.startswith('"'):
                cur += tok[1:-1].replace('\\"', '"').replace("\\\\", "\\")
            else:
                cur += tok
        args.append(cur)
        kind, code, http, eid, txt, oauth, when = args
        code = GRPC_CODES[code]
        rows.append((group, kind.lower(), code, int(http) or GRPC_HTTP[code], eid,
                     txt, oauth, when))
    return rows


def tables(rows=None):
    """The markdown of every group's table, as doc/errors.md holds it."""
    out = []
    group = None
    for g, kind, code, http, eid, txt, oauth, when in rows or read():
        if g.startswith("the admin tool"):
            continue
        if g != group:
            group = g
            out.append("\n### %s\n\n| when | code (Connect) | HTTP | ID | text | OAuth |"
                       "\n|---|---|---|---|---|---|" % (g[0].upper() + g[1:]))
        out.append("| %s | %d (`%s`) | %d | `%s` | %s | %s |" % (
            when, code, CONNECT[code], http, eid, txt, "`%s`" % oauth if oauth else ""))
    return "\n".join(out).lstrip("\n") + "\n"


BEGIN = "<!-- written from src/errors.def by scripts/errors_doc.py --write -->\n"
END = "<!-- end of the table -->\n"


def doc_tables(text):
    a, b = text.index(BEGIN) + len(BEGIN), text.index(END)
    return text[a:b]


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        with open(DOC) as f:
            text = f.read()
        a, b = text.index(BEGIN) + len(BEGIN), text.index(END)
        with open(DOC, "w") as f:
            f.write(text[:a] + tables() + text[b:])
    else:
        sys.stdout.write(tables())
