"""Runs Python programs that use ZITADEL's Python SDK, each in a process
forked from this one once the SDK is imported: importing zitadel_client
builds some 1,400 pydantic models, seconds of CPU that every example would
otherwise pay again.

    PYTHONPATH=SDK python3 tests/sdk/forkrun.py

Reads one JSON line per run, {"file": PATH, "env": {NAME: VALUE}}, and
answers one JSON line, {"status": EXIT STATUS, "stdout": ..., "stderr": ...}.
The child runs PATH as __main__ with exactly that environment, its stdout
and stderr on pipes to this process (nothing it prints reaches a file), for
at most TIMEOUT_S seconds.
"""

import json
import os
import runpy
import selectors
import signal
import sys
import traceback

import zitadel_client  # noqa: F401  (imported once, here, for every child)

TIMEOUT_S = 120


def child(path, environ, out_w, err_w):
    signal.alarm(TIMEOUT_S)     # a hung example ends, killed by SIGALRM
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(out_w, 1)
    os.dup2(err_w, 2)
    os.environ.clear()
    os.environ.update(environ)
    sys.argv = [path]
    status = 0
    try:
        runpy.run_path(path, run_name="__main__")
    except SystemExit as e:
        if isinstance(e.code, str):
            print(e.code, file=sys.stderr)
            status = 1
        else:
            status = e.code or 0
    except BaseException:
        traceback.print_exc()
        status = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


def run(path, environ):
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(out_r)
        os.close(err_r)
        child(path, environ, out_w, err_w)
    os.close(out_w)
    os.close(err_w)
    got = {out_r: [], err_r: []}
    sel = selectors.DefaultSelector()
    for fd in got:
        sel.register(fd, selectors.EVENT_READ)
    while sel.get_map():
        for key, _ in sel.select():
            data = os.read(key.fd, 65536)
            if data:
                got[key.fd].append(data)
            else:
                sel.unregister(key.fd)
                os.close(key.fd)
    _, wait_status = os.waitpid(pid, 0)
    return {"status": os.waitstatus_to_exitcode(wait_status),
            "stdout": b"".join(got[out_r]).decode(errors="replace"),
            "stderr": b"".join(got[err_r]).decode(errors="replace")}


def main():
    for line in sys.stdin:
        req = json.loads(line)
        sys.stdout.write(json.dumps(run(req["file"], req["env"])) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
