#!/usr/bin/env python3
"""gen_load.py: hostile and large captures for tests/stress/hostile-load.sh,
written to stdout (a pipe or a file), with the counts they hold (the
counting oracle) as JSON on stderr.

  gen_load.py flood N        N spoofed SYNs, each from a new source address,
                             to 192.0.2.1:443, 10 us apart; one complete
                             connection (9 packets, from 198.51.100.7)
                             after the first N/2 SYNs.  Classic pcap.
  gen_load.py bulk BYTES     connections of 1,000 full-sized data segments
                             (and their ACKs) until the file passes BYTES.
  gen_load.py bulkng BYTES   the same as pcapng (Enhanced Packet Blocks).

IP and TCP checksums are left zero: tcpdissect does not verify them."""
import json
import struct
import sys

out = sys.stdout.buffer
ETH = b"\x02\0\0\0\0\x01\x02\0\0\0\0\x02\x08\x00"


def pkt(src, dst, sport, dport, seq, ack, flags, payload=b""):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xffffffff, ack & 0xffffffff,
                      5 << 4, flags, 64240, 0, 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0x4000, 64, 6, 0, src, dst)
    return ETH + ip + tcp


class Writer:
    def __init__(self, ng):
        self.ng = ng
        self.frames = 0
        self.bytes = 0
        self.t = 1700000000 * 10**6        # microseconds
        self.buf = []
        if ng:
            shb = struct.pack("<IIIHHq", 0x0a0d0d0a, 28, 0x1a2b3c4d, 1, 0, -1) + \
                struct.pack("<I", 28)
            idb = struct.pack("<IIHHII", 1, 20, 1, 0, 262144, 20)
            self.raw(shb + idb)
        else:
            self.raw(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1))

    def raw(self, b):
        self.buf.append(b)
        self.bytes += len(b)
        if len(self.buf) >= 4096:
            self.flush()

    def flush(self):
        out.write(b"".join(self.buf))
        self.buf = []

    def rec(self, p, dt=10):
        self.t += dt
        self.frames += 1
        n = len(p)
        if self.ng:
            pad = (-n) & 3
            total = 32 + n + pad
            self.raw(struct.pack("<IIIIIII", 6, total, 0, self.t >> 32, self.t & 0xffffffff,
                                 n, n) + p + b"\0" * pad + struct.pack("<I", total))
        else:
            self.raw(struct.pack("<IIII", self.t // 10**6, self.t % 10**6, n, n) + p)


def real_connection(w, cli, srv):
    """The one legitimate connection: 9 packets; returns its first frame."""
    first = w.frames + 1
    for p in (pkt(cli, srv, 40000, 443, 100, 0, 0x02), pkt(srv, cli, 443, 40000, 900, 101, 0x12),
              pkt(cli, srv, 40000, 443, 101, 901, 0x10),
              pkt(cli, srv, 40000, 443, 101, 901, 0x18, b"GET / HTTP/1.0\r\n\r\n"),
              pkt(srv, cli, 443, 40000, 901, 119, 0x18, b"HTTP/1.0 200 OK\r\n\r\n"),
              pkt(cli, srv, 40000, 443, 119, 920, 0x10),
              pkt(srv, cli, 443, 40000, 920, 119, 0x11), pkt(cli, srv, 40000, 443, 119, 921, 0x11),
              pkt(srv, cli, 443, 40000, 921, 120, 0x10)):
        w.rec(p)
    return first


def flood(n):
    w = Writer(False)
    srv = bytes([192, 0, 2, 1])
    cli = bytes([198, 51, 100, 7])
    # a template SYN whose source address and port are patched in place
    tmpl = bytearray(pkt(bytes(4), srv, 0, 443, 0, 0, 0x02))
    hdr = struct.Struct("<IIII")
    real_first = None
    for i in range(n):
        if i == n // 2:
            real_first = real_connection(w, cli, srv)
        tmpl[26:30] = bytes([10, (i >> 16) & 255, (i >> 8) & 255, i & 255])
        tmpl[34:36] = struct.pack("!H", 1024 + i % 60000)
        tmpl[38:42] = struct.pack("!I", (i * 7919) & 0xffffffff)
        w.t += 10
        w.frames += 1
        w.raw(hdr.pack(w.t // 10**6, w.t % 10**6, len(tmpl), len(tmpl)) + bytes(tmpl))
    w.flush()
    return {"frames": w.frames, "syns": n + 1, "sources": n + 1, "real_first_frame": real_first,
            "real_last_frame": real_first + 8}


def bulk(limit, ng):
    """Connections of 1,000 data segments of 1,448 bytes, each ACKed, with a
    handshake and a FIN exchange: 2,007 packets per connection."""
    w = Writer(ng)
    payload = bytes(range(256)) * 5 + bytes(1448 - 1280)
    srv = bytes([192, 0, 2, 80])
    conns = 0
    last = None
    while w.bytes < limit:
        conns += 1
        cli = bytes([198, 51, (conns >> 8) & 255, conns & 255])
        sport = 10000 + conns % 50000
        first = w.frames + 1
        w.rec(pkt(cli, srv, sport, 80, 1000, 0, 0x02))
        w.rec(pkt(srv, cli, 80, sport, 5000, 1001, 0x12))
        w.rec(pkt(cli, srv, sport, 80, 1001, 5001, 0x10))
        seq = 1001
        data = pkt(cli, srv, sport, 80, seq, 5001, 0x18, payload)
        for _ in range(1000):
            d = bytearray(data)
            d[38:42] = struct.pack("!I", seq)
            w.rec(bytes(d), 5)
            seq += len(payload)
            w.rec(pkt(srv, cli, 80, sport, 5001, seq, 0x10), 5)
        w.rec(pkt(cli, srv, sport, 80, seq, 5001, 0x11))
        w.rec(pkt(srv, cli, 80, sport, 5001, seq + 1, 0x11))
        w.rec(pkt(cli, srv, sport, 80, seq + 1, 5002, 0x10))
        last = {"first_frame": first, "last_frame": w.frames, "client": "198.51.%d.%d" % (
            (conns >> 8) & 255, conns & 255)}
    w.flush()
    return {"frames": w.frames, "bytes": w.bytes, "connections": conns, "last": last}


def main():
    what, n = sys.argv[1], int(float(sys.argv[2]))
    if what == "flood":
        r = flood(n)
    elif what in ("bulk", "bulkng"):
        r = bulk(n, what == "bulkng")
    else:
        sys.exit("usage: gen_load.py flood N | bulk BYTES | bulkng BYTES")
    out.flush()
    sys.stderr.write(json.dumps(r) + "\n")


if __name__ == "__main__":
    main()
