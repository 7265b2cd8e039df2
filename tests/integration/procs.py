"""Looking at the responder processes from outside: who they are, what they
log, what their memory holds.  Used by the reliability, bad-input and
secret tests (Linux /proc; reading another process's memory needs root).
"""

import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(HERE)), "scripts"))
import oidcstack as st  # noqa: E402


def _ppid(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            stat = f.read()
    except OSError:
        return None
    # "pid (comm) state ppid ...": comm may hold spaces and parentheses.
    return int(stat[stat.rindex(")") + 2:].split()[1])


def responder_pids(web, expect=None):
    """PIDs of the responders a lighttpd (oidcstack.Lighttpd) spawned; with
    expect, waits (10 s at most) until that many have started: just after
    lighttpd's start, one may not have exec'd yet."""
    if expect is not None:
        try:
            st.wait_for(lambda: len(responder_pids(web)) == expect, 10,
                        "%d responders" % expect)
        except RuntimeError:
            pass  # the caller's assertion says how many there are
    parent = web.proc.pid if web.proc else st.read_pid(web.pidfile)
    want = os.path.realpath(st.responder_path())
    out = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        pid = int(name)
        if _ppid(pid) != parent:
            continue
        try:
            exe = os.path.realpath("/proc/%d/exe" % pid)
        except OSError:
            continue
        if exe == want:
            out.append(pid)
    return sorted(out)


def log_path(web):
    """The file the responders' stderr goes to (lighttpd -D: its stderr)."""
    return web.errlog + ".stderr"


def log_size(web):
    try:
        return os.path.getsize(log_path(web))
    except OSError:
        return 0


def log_since(web, offset):
    """What the responders of web logged after offset."""
    try:
        with open(log_path(web), "rb") as f:
            f.seek(offset)
            return f.read().decode(errors="replace")
    except OSError:
        return ""


REQUEST_LINE = re.compile(r"oidc-secret\[(\d+)\]: info: request id=\w+ method=(\S+) "
                          r"route=(\S+) status=(\d+) code=(\d+)")


def request_lines(text):
    """(pid, method, route, status, code) of each request log line."""
    return [(int(m.group(1)), m.group(2), m.group(3), int(m.group(4)), int(m.group(5)))
            for m in REQUEST_LINE.finditer(text)]


def has_sanitizer(pid):
    """True when pid runs with ASan: its shadow memory and allocator reserve
    terabytes of address space, which no scan can read in reasonable time."""
    with open("/proc/%d/maps" % pid) as maps:
        return any("libasan" in line for line in maps)


def find_in_memory(pid, needles):
    """Which of needles (bytes) occur in any readable mapping of pid.

    Reads /proc/PID/maps and /proc/PID/mem; regions that cannot be read
    ([vvar], guard pages) are skipped.  Returns {needle: [(address, path)]}.
    """
    found = {n: [] for n in needles}
    longest = max(len(n) for n in needles)
    with open("/proc/%d/maps" % pid) as maps, open("/proc/%d/mem" % pid, "rb", 0) as mem:
        for line in maps:
            parts = line.split(None, 5)
            lo, hi = (int(x, 16) for x in parts[0].split("-"))
            if not parts[1].startswith("r"):
                continue
            path = parts[5].strip() if len(parts) > 5 else ""
            if path in ("[vvar]", "[vsyscall]"):
                continue
            tail = b""
            addr = lo
            while addr < hi:
                size = min(1 << 20, hi - addr)
                try:
                    mem.seek(addr)
                    chunk = mem.read(size)
                except (OSError, ValueError, OverflowError):
                    break
                if not chunk:
                    break
                data = tail + chunk
                for n in needles:
                    start = 0
                    while True:
                        i = data.find(n, start)
                        if i < 0:
                            break
                        found[n].append((addr - len(tail) + i, path))
                        start = i + 1
                tail = data[-(longest - 1):] if longest > 1 else b""
                addr += len(chunk)
    return found


def memory_matches(pid, pattern):
    """Every match of the compiled bytes regex pattern in pid's readable
    memory (matches across 1 MiB chunk edges up to 4 KiB long are kept)."""
    out = set()
    with open("/proc/%d/maps" % pid) as maps, open("/proc/%d/mem" % pid, "rb", 0) as mem:
        for line in maps:
            parts = line.split(None, 5)
            lo, hi = (int(x, 16) for x in parts[0].split("-"))
            path = parts[5].strip() if len(parts) > 5 else ""
            if not parts[1].startswith("r") or path in ("[vvar]", "[vsyscall]"):
                continue
            tail = b""
            addr = lo
            while addr < hi:
                size = min(1 << 20, hi - addr)
                try:
                    mem.seek(addr)
                    chunk = mem.read(size)
                except (OSError, ValueError, OverflowError):
                    break
                if not chunk:
                    break
                data = tail + chunk
                out.update(m.group(0) for m in pattern.finditer(data))
                tail = data[-4096:]
                addr += len(chunk)
    return out
