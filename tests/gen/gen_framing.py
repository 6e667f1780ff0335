#!/usr/bin/env python3
"""Generate the --framing test captures (tests/framing.sh checks them exactly).

Usage: python3 tests/gen/gen_framing.py [DIR]   (plain Python, no scapy; default tests/gen)

framing-line.pcap (--framing line), one connection, client 10.0.0.1:40000 -> 10.0.0.2:7000,
client ISN 2^32-10 so that client offset 9 is sequence number 0:
   t(ms)  frame
     0    1 SYN          10  2 SYN-ACK        20  3 ACK          (handshake RTT 20 ms)
   100    4 client "a\\nbb\\nccc\\ndd" offsets 0-10: three lines and the start of a fourth;
            the 2^32 wrap falls inside the fourth (offset 9)
   110    5 client "dddd"      offsets 11-14
   120    6 client "dddd\\n"    offsets 15-19: the fourth line "dddddddddd\\n" spans 4, 5, 6
   130    7 server ACK
   200    8 client "eee\\n"     offsets 25-28: out of order, 20-24 lost before the capture
   210    9 client "fff\\n"     offsets 29-32
   600   10 client "LOST\\n"    offsets 20-24, the retransmission: fills the hole; "eee\\n"
            waited 400 ms and "fff\\n" 390 ms (over the 20 ms RTT): head_of_line_blocked
            at frame 10, first frame after the hole 8, hole 20-25
   610   11 client "eXe\\n"     offsets 25-28 again, one byte differs: overlap_conflict
   620   12 server ACK 33   630 13 client FIN   640 14 server FIN   650 15 client ACK

framing-len.pcap (--framing len:4), one connection, 10.0.0.1:40001 -> 10.0.0.2:7001:
   frame 4 client 00000003 "abc" 0000   (a message, and half of the next one's prefix)
   frame 5 client 0005 "hello"          (the prefix is completed here: split inside it)
   frame 6 client 00000000              (an empty message)
   frame 7 server 7fffffff "x"          (2 GiB: framing_error at server offset 0)
   then FIN, FIN, ACK.

framing-auto.pcap (--framing auto), four connections:
 stream 0 HTTP 10.0.0.1:40010 -> 10.0.0.2:80, time 0 = 1700000100 s
     4 (t 100 ms)  GET / HTTP/1.1, Host (27 bytes)
     5 (t 150)     response head, Content-Length 10, and "01234" (43 bytes)
     6 (t 170)     "56789": first response 48 bytes over frames 5-6, first byte 50 ms,
                   last byte 70 ms after the request
     7 (t 200)     POST with Content-Length 3 and "abc" (45 bytes)
     8 (t 230)     chunked response head and chunks "hello", "!" and the last chunk,
                   in one segment (72 bytes): 30 ms to the first and the last byte
 stream 1 TLS 10.0.0.1:40011 -> 10.0.0.2:443: client one segment of two records (10 and
     7 bytes), server one record of 9 bytes split over two segments
 stream 2 RESP 10.0.0.1:40012 -> 10.0.0.2:6379: *1 PING / +PONG, SET k v / +OK
     (requests 14 and 29 bytes, replies 7 and 5), 1 ms and 2 ms answers
 stream 3 garbled HTTP 10.0.0.1:40013 -> 10.0.0.2:8080: "GET / HTTP/1.1", "Host a" (no
     colon): framing_error at client offset 0
Deterministic: fixed addresses, ports, ISNs and timestamps.
"""
import os
import struct
import sys

M = 0xFFFFFFFF
FIN, SYN, RST, PSH, ACK = 1, 2, 4, 8, 16


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ip4(a):
    return bytes(int(x) for x in a.split("."))


def frame(src, dst, sport, dport, flags, seq, ack, data=b""):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq & M, ack & M, 5 << 4, flags, 502, 0, 0)
    pseudo = ip4(src) + ip4(dst) + struct.pack("!BBH", 0, 6, len(tcp) + len(data))
    c = csum(pseudo + tcp + data)
    tcp = tcp[:16] + struct.pack("!H", c) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp) + len(data), 0, 0x4000, 64, 6, 0,
                     ip4(src), ip4(dst))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    eth = b"\x02\0\0\0\0\x02" + b"\x02\0\0\0\0\x01" + b"\x08\x00"
    return eth + ip + tcp + data


class Pcap:
    def __init__(self):
        self.recs = []

    def add(self, t, pkt):
        self.recs.append((t, pkt))

    def write(self, path):
        with open(path, "wb") as f:
            f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
            for t, pkt in sorted(self.recs, key=lambda r: r[0]):
                us = round(t * 1e6)
                f.write(struct.pack("<IIII", us // 1000000, us % 1000000, len(pkt), len(pkt)))
                f.write(pkt)


class Conn:
    """One connection: client/server data by stream offset, times in ms from t0."""

    def __init__(self, cap, t0, c, s, cport, sport, cisn, sisn):
        self.cap, self.t0 = cap, t0
        self.c, self.s, self.cp, self.sp = c, s, cport, sport
        self.cisn, self.sisn = cisn, sisn
        self.cack, self.sack = 0, 0     # offsets each side acknowledges

    def _t(self, ms):
        return self.t0 + ms / 1000.0

    def open(self, ms=0, rtt=(10, 10)):
        self.cap.add(self._t(ms), frame(self.c, self.s, self.cp, self.sp, SYN, self.cisn, 0))
        self.cap.add(self._t(ms + rtt[0]), frame(self.s, self.c, self.sp, self.cp, SYN | ACK,
                                                 self.sisn, self.cisn + 1))
        self.cap.add(self._t(ms + rtt[0] + rtt[1]),
                     frame(self.c, self.s, self.cp, self.sp, ACK, self.cisn + 1, self.sisn + 1))

    def cdata(self, ms, off, data, flags=PSH | ACK):
        self.cap.add(self._t(ms), frame(self.c, self.s, self.cp, self.sp, flags,
                                        self.cisn + 1 + off, self.sisn + 1 + self.sack, data))

    def sdata(self, ms, off, data, flags=PSH | ACK, ack=None):
        a = self.cisn + 1 + (ack if ack is not None else self.cack)
        self.cap.add(self._t(ms), frame(self.s, self.c, self.sp, self.cp, flags,
                                        self.sisn + 1 + off, a, data))

    def close(self, ms, coff, soff):
        self.cdata(ms, coff, b"", FIN | ACK)
        self.sdata(ms + 10, soff, b"", FIN | ACK, ack=coff + 1)
        self.cap.add(self._t(ms + 20), frame(self.c, self.s, self.cp, self.sp, ACK,
                                             self.cisn + 1 + coff + 1, self.sisn + 1 + soff + 1))


def gen_line(path):
    cap = Pcap()
    k = Conn(cap, 1700000000.0, "10.0.0.1", "10.0.0.2", 40000, 7000, (1 << 32) - 10, 5000)
    k.open(0)
    k.cdata(100, 0, b"a\nbb\nccc\ndd")
    k.cdata(110, 11, b"dddd")
    k.cdata(120, 15, b"dddd\n")
    k.sdata(130, 0, b"", ACK, ack=20)
    k.cdata(200, 25, b"eee\n")
    k.cdata(210, 29, b"fff\n")
    k.cdata(600, 20, b"LOST\n")
    k.cdata(610, 25, b"eXe\n")
    k.sdata(620, 0, b"", ACK, ack=33)
    k.close(630, 33, 0)
    cap.write(path)


def gen_len(path):
    cap = Pcap()
    k = Conn(cap, 1700000000.0, "10.0.0.1", "10.0.0.2", 40001, 7001, 1000, 2000)
    k.open(0)
    k.cdata(100, 0, b"\0\0\0\x03abc\0\0")
    k.cdata(110, 9, b"\0\x05hello")
    k.cdata(120, 16, b"\0\0\0\0")
    k.cack = 20
    k.sdata(130, 0, b"\x7f\xff\xff\xffx")
    k.close(200, 20, 5)
    cap.write(path)


def gen_auto(path):
    cap = Pcap()
    # stream 0: HTTP
    k = Conn(cap, 1700000100.0, "10.0.0.1", "10.0.0.2", 40010, 80, 100, 200)
    k.open(0)
    r1 = b"GET / HTTP/1.1\r\nHost: a\r\n\r\n"
    k.cdata(100, 0, r1)
    k.cack = len(r1)
    a1 = b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n"
    k.sdata(150, 0, a1 + b"01234")
    k.sdata(170, len(a1) + 5, b"56789")
    r2 = b"POST /x HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"
    k.sack = len(a1) + 10
    k.cdata(200, len(r1), r2)
    k.cack = len(r1) + len(r2)
    a2 = (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
          b"5\r\nhello\r\n1\r\n!\r\n0\r\n\r\n")
    k.sdata(230, len(a1) + 10, a2)
    k.sack = len(a1) + 10 + len(a2)
    k.close(300, len(r1) + len(r2), len(a1) + 10 + len(a2))
    # stream 1: TLS
    k = Conn(cap, 1700000101.0, "10.0.0.1", "10.0.0.2", 40011, 443, 300, 400)
    k.open(0)
    c = b"\x16\x03\x01\x00\x05hello" + b"\x17\x03\x03\x00\x02ok"
    k.cdata(100, 0, c)
    k.cack = len(c)
    srec = b"\x16\x03\x03\x00\x04" + b"abcd"
    k.sdata(150, 0, srec[:3])
    k.sdata(160, 3, srec[3:])
    k.sack = len(srec)
    k.close(200, len(c), len(srec))
    # stream 2: RESP
    k = Conn(cap, 1700000102.0, "10.0.0.1", "10.0.0.2", 40012, 6379, 500, 600)
    k.open(0)
    q1 = b"*1\r\n$4\r\nPING\r\n"
    k.cdata(100, 0, q1)
    k.cack = len(q1)
    k.sdata(101, 0, b"+PONG\r\n")
    k.sack = 7
    q2 = b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"
    k.cdata(110, len(q1), q2)
    k.cack = len(q1) + len(q2)
    k.sdata(112, 7, b"+OK\r\n")
    k.sack = 12
    k.close(200, len(q1) + len(q2), 12)
    # stream 3: a garbled HTTP head
    k = Conn(cap, 1700000103.0, "10.0.0.1", "10.0.0.2", 40013, 8080, 700, 800)
    k.open(0)
    g = b"GET / HTTP/1.1\r\nHost a\r\n\r\n"
    k.cdata(100, 0, g)
    k.cack = len(g)
    k.close(200, len(g), 0)
    cap.write(path)


def main():
    d = sys.argv[1] if len(sys.argv) > 1 else "tests/gen"
    gen_line(os.path.join(d, "framing-line.pcap"))
    gen_len(os.path.join(d, "framing-len.pcap"))
    gen_auto(os.path.join(d, "framing-auto.pcap"))


if __name__ == "__main__":
    main()
