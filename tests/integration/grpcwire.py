"""gRPC-web on the wire, as much as the tests need (doc/api.md).

Builds request frames and reads responses byte by byte, with nothing from
the code under test, so the tests check the responder's framing and
protobuf encoding independently.
"""

import struct


def varint(n):
    out = b""
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])


def pb_bytes(field, value):
    """A length-delimited field (wire type 2)."""
    return bytes([field << 3 | 2]) + varint(len(value)) + value


def pb_varint(field, n):
    """A varint field (wire type 0)."""
    return bytes([field << 3]) + varint(n)


def pb_string(field, value):
    return pb_bytes(field, value.encode())


def frame(payload, flag=0):
    """flag byte, 4-byte big-endian length, payload."""
    return struct.pack(">BI", flag, len(payload)) + payload


def request_frame(project, app):
    """RegenerateOIDCClientSecretRequest {project_id = 1; app_id = 2} in a data frame."""
    return frame(pb_string(1, project) + pb_string(2, app))


def read_varint(buf, i):
    shift = v = 0
    while True:
        b = buf[i]
        i += 1
        v |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return v, i


def pb_fields(buf):
    """A protobuf message as {field number: [values]} (varint or bytes)."""
    out = {}
    i = 0
    while i < len(buf):
        key, i = read_varint(buf, i)
        field, wire = key >> 3, key & 7
        if wire == 0:
            v, i = read_varint(buf, i)
        elif wire == 2:
            n, i = read_varint(buf, i)
            v, i = buf[i:i + n], i + n
        elif wire == 1:
            v, i = buf[i:i + 8], i + 8
        elif wire == 5:
            v, i = buf[i:i + 4], i + 4
        else:
            raise ValueError("wire type %d" % wire)
        out.setdefault(field, []).append(v)
    return out


def frames(body):
    """[(flag, payload), ...] of a response body."""
    out = []
    while body:
        flag, n = struct.unpack(">BI", body[:5])
        out.append((flag, body[5:5 + n]))
        body = body[5 + n:]
    return out


def outcome(body):
    """(client_secret, sequence) of a gRPC-web success body."""
    fs = frames(body)
    if [f[0] for f in fs] != [0x00, 0x80]:
        raise ValueError("frames %r" % [f[0] for f in fs])
    msg = pb_fields(fs[0][1])
    details = pb_fields(msg[2][0])
    return msg[1][0].decode(), details[1][0]
