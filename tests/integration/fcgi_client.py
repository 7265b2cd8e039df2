"""A FastCGI client that plays the web server's part (FastCGI 1.0 spec),
record by record, so tests can do what a server does at the worst moment:
send the parameters slowly, stop reading, close the connection early.
"""

import socket
import struct
import time

BEGIN_REQUEST, END_REQUEST, PARAMS, STDIN, STDOUT = 1, 3, 4, 5, 6
RESPONDER = 1


def record(rtype, content, request_id=1):
    pad = -len(content) % 8
    return struct.pack(">BBHHBB", 1, rtype, request_id, len(content), pad, 0) + \
        content + b"\0" * pad


def _length(n):
    return bytes([n]) if n < 128 else struct.pack(">I", n | 0x80000000)


def params(pairs):
    """The name-value pairs of a PARAMS stream (without its end record)."""
    out = b""
    for name, value in pairs.items():
        name, value = name.encode(), value.encode()
        out += _length(len(name)) + _length(len(value)) + name + value
    return out


def request_bytes(pairs, body=b""):
    """A whole request: BEGIN_REQUEST, PARAMS, empty PARAMS, STDIN, empty STDIN."""
    out = record(BEGIN_REQUEST, struct.pack(">HB5x", RESPONDER, 0))
    p = params(pairs)
    for i in range(0, len(p), 65535):
        out += record(PARAMS, p[i:i + 65535])
    out += record(PARAMS, b"")
    for i in range(0, len(body), 65535):
        out += record(STDIN, body[i:i + 65535])
    return out + record(STDIN, b"")


def cgi_params(method, path, headers=None, body=b"", script_name=""):
    """The CGI meta-variables a server sends for an HTTP request."""
    pairs = {"REQUEST_METHOD": method, "SCRIPT_NAME": script_name,
             "PATH_INFO": path, "REQUEST_URI": script_name + path,
             "SERVER_PROTOCOL": "HTTP/1.1", "GATEWAY_INTERFACE": "CGI/1.1",
             "SERVER_SOFTWARE": "fcgi_client", "CONTENT_LENGTH": str(len(body))}
    for name, value in (headers or {}).items():
        key = name.upper().replace("-", "_")
        if key == "CONTENT_TYPE":
            pairs[key] = value
        else:
            pairs["HTTP_" + key] = value
    return pairs


def connect(path, timeout=30):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect(path)
    return s


def read_response(s):
    """(status, headers, body) from STDOUT records until END_REQUEST."""
    buf, out = b"", b""
    while True:
        while len(buf) < 8:
            chunk = s.recv(65536)
            if not chunk:
                raise EOFError("the responder closed before END_REQUEST")
            buf += chunk
        _, rtype, _, clen, pad, _ = struct.unpack(">BBHHBB", buf[:8])
        while len(buf) < 8 + clen + pad:
            chunk = s.recv(65536)
            if not chunk:
                raise EOFError("the responder closed inside a record")
            buf += chunk
        content, buf = buf[8:8 + clen], buf[8 + clen + pad:]
        if rtype == STDOUT:
            out += content
        elif rtype == END_REQUEST:
            break
    head, _, body = out.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    headers = {}
    for line in lines:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    status = int(headers.get("status", "200").split()[0])
    return status, headers, body


def call(path, method, url_path, headers=None, body=b"", slow=None):
    """One request over the unix socket path; slow(sock, data) may send the
    bytes itself (in pieces, with pauses).  Returns (status, headers, body)."""
    s = connect(path)
    try:
        data = request_bytes(cgi_params(method, url_path, headers, body), body)
        if slow is not None:
            slow(s, data)
        else:
            s.sendall(data)
        return read_response(s)
    finally:
        s.close()


def send_slowly(pieces, pause):
    """A slow(sock, data) that sends data in pieces with a pause between."""
    def send(s, data):
        step = max(1, len(data) // pieces)
        for i in range(0, len(data), step):
            s.sendall(data[i:i + step])
            time.sleep(pause)
    return send
