"""A TCP proxy in front of a MariaDB server that can cut a connection at
COMMIT, the worst moment: after the server has committed, before the
client hears it (lose_answer), or before the server sees it (lose_commit).

The responder commits by turning autocommit back on ("SET autocommit=1",
MySQL's COM_QUERY); the proxy reads the client's packets (3-byte length,
sequence number, payload) to find it.  No TLS or compression: the test
servers offer neither.  Python 3 standard library only.
"""

import re
import socket
import threading
import time

COMMIT_RE = re.compile(rb"^\s*(commit\b|set\s+autocommit\s*=\s*1)", re.I)
COM_QUERY = 3


class Proxy:
    def __init__(self, upstream):
        """upstream: a unix socket path, or (host, port)."""
        self.upstream = upstream
        self.mode = None            # None, "lose_answer", "lose_commit"
        self.fired = threading.Event()
        self.lock = threading.Lock()
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        self.address = "127.0.0.1:%d" % self.port
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def arm(self, mode):
        """The next COMMIT through the proxy meets mode, once."""
        with self.lock:
            self.mode = mode
            self.fired.clear()

    def close(self):
        self.closed = True
        try:
            self.listener.close()
        except OSError:
            pass

    def _connect_upstream(self):
        if isinstance(self.upstream, str):
            s = socket.socket(socket.AF_UNIX)
        else:
            s = socket.socket()
        s.connect(self.upstream)
        return s

    def _accept(self):
        while not self.closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            try:
                server = self._connect_upstream()
            except OSError:
                client.close()
                continue
            dead, hold = threading.Event(), threading.Event()
            threading.Thread(target=self._to_server,
                             args=(client, server, dead, hold), daemon=True).start()
            threading.Thread(target=self._to_client,
                             args=(server, client, dead, hold), daemon=True).start()

    def _take(self):
        """The armed mode, disarmed (a COMMIT fires it once)."""
        with self.lock:
            mode, self.mode = self.mode, None
            return mode

    def _to_server(self, client, server, dead, hold):
        buf = b""
        try:
            while not dead.is_set():
                chunk = client.recv(65536)
                if not chunk:
                    break
                buf += chunk
                while len(buf) >= 4:
                    n = int.from_bytes(buf[:3], "little")
                    if len(buf) < 4 + n:
                        break
                    packet, buf = buf[:4 + n], buf[4 + n:]
                    payload = packet[4:]
                    mode = None
                    if payload[:1] == bytes([COM_QUERY]) and COMMIT_RE.match(payload[1:]):
                        mode = self._take()
                    if mode == "lose_commit":
                        self.fired.set()
                        return          # never sent: the server rolls back
                    if mode == "lose_answer":
                        hold.set()      # the server's answer goes nowhere
                    server.sendall(packet)
                    if mode == "lose_answer":
                        # Time for the server to commit; its OK is dropped.
                        time.sleep(0.3)
                        dead.set()
                        self.fired.set()
                        return
        except OSError:
            pass
        finally:
            dead.set()
            for s in (client, server):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()

    def _to_client(self, server, client, dead, hold):
        try:
            while not dead.is_set():
                chunk = server.recv(65536)
                if not chunk or dead.is_set() or hold.is_set():
                    break
                client.sendall(chunk)
        except OSError:
            pass
        finally:
            dead.set()
