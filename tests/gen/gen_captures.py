#!/usr/bin/env python3
"""Regenerate the synthetic regression captures tests/pcaps/gen-*.

Usage:  python3 tests/gen/gen_captures.py [OUTDIR]      (default: tests/pcaps next to this script)
        (needs scapy: Debian/Ubuntu python3-scapy, or pip install scapy; the checked-in files
        were made with scapy 2.5.0 - another scapy version may change a default we do not set)

Deterministic: fixed addresses, ports, ISNs, IP ids, TCP timestamps and capture timestamps,
no randomness, no clock.  Running it twice gives byte-identical files (md5sum them).
Scapy builds the IPv4/IPv6/TCP headers (so checksums are right); link-layer headers and the
pcap / pcapng file framing are written by hand with struct, so that every variant we need
(nanosecond pcap, big-endian files, SLL2, NFLOG TLVs, DLT_NULL in both byte orders, pcapng
with two interfaces, cut records, lying length fields) is under our control.

Addresses are from the documentation ranges (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24,
2001:db8::/32).  Every capture is small (< 50 packets).
"""

import os
import struct
import sys

import logging
logging.getLogger("scapy.runtime").setLevel(logging.ERROR)

try:
    import scapy  # noqa: F401
except ImportError:
    sys.exit("gen_captures.py: scapy is not installed (apt install python3-scapy / pip install scapy)")

from scapy.layers.inet import IP, TCP, ICMP  # noqa: E402
from scapy.layers.l2 import GRE  # noqa: E402
from scapy.layers.inet6 import (IPv6, IPv6ExtHdrHopByHop, IPv6ExtHdrDestOpt,  # noqa: E402
                                IPv6ExtHdrRouting, IPv6ExtHdrFragment, PadN,
                                ICMPv6DestUnreach)
from scapy.packet import Raw  # noqa: E402

# ---------------------------------------------------------------------------------------------
# constants

T0 = 1700000000 * 10**9          # 2023-11-14T22:13:20Z, all timestamps are integer nanoseconds
MS = 10**6
SEC = 10**9
M32 = 0xFFFFFFFF

ETH_IP4, ETH_IP6 = 0x0800, 0x86DD
MAC_C = bytes.fromhex("020000000001")   # locally administered MACs
MAC_S = bytes.fromhex("020000000002")

DLT_NULL, DLT_EN10MB, DLT_RAW, DLT_LOOP, DLT_LINUX_SLL = 0, 1, 101, 108, 113
DLT_USER0, DLT_NFLOG, DLT_IPV4, DLT_IPV6, DLT_LINUX_SLL2 = 147, 239, 228, 229, 276

C, S = 0, 1     # sides: client, server


class Pkt:
    """One captured packet: timestamp (ns), network-layer bytes, which side sent it."""

    def __init__(self, ts, l3, v6, side, orig_len=None, ifid=0):
        self.ts, self.l3, self.v6, self.side = ts, l3, v6, side
        self.frame = None          # link-layer frame, filled by a link wrapper
        self.orig_len = orig_len   # original length when it differs from len(frame)
        self.ifid = ifid           # pcapng interface id
        self.af6 = None            # DLT_NULL address family used for IPv6


# ---------------------------------------------------------------------------------------------
# TCP conversation builder


def syn_opts(tsval, tsecr=0, ws=7, mss=1460):
    """Linux-style SYN options: MSS, SACK-permitted, timestamps, NOP, window scale."""
    return [("MSS", mss), ("SAckOK", b""), ("Timestamp", (tsval, tsecr)), ("NOP", None),
            ("WScale", ws)]


def ts_opts(tsval, tsecr):
    return [("NOP", None), ("NOP", None), ("Timestamp", (tsval, tsecr))]


class Flow:
    """A TCP connection between a client and a server; seg() emits the next segment.

    Keeps snd_nxt for both sides so that sequence and acknowledgment numbers are consistent
    (modulo 2^32).  `timestamps` adds the TCP timestamp option to every segment.
    `ip_options` (IPv4 option bytes) and `v6ext` (a function returning scapy extension
    headers) are put on every packet of the flow.
    """

    def __init__(self, cli, cport, srv, sport, cisn, sisn, t=None, timestamps=True,
                 ip_options=None, v6ext=None, ipid=(0x1000, 0x5000), win=(64240, 65160)):
        self.addr = [(cli, cport), (srv, sport)]
        self.v6 = ":" in cli
        self.nxt = [cisn & M32, sisn & M32]
        self.t = T0 if t is None else t
        self.timestamps = timestamps
        self.tsval = [100000, 700000]
        self.ipid = list(ipid)
        self.win = list(win)
        self.ip_options = ip_options
        self.v6ext = v6ext

    def tcp(self, side, flags, data=b"", opts=None, seq=None, ack=None, win=None, advance=True):
        """Build a TCP segment object (scapy) and advance the sender's sequence number."""
        other = 1 - side
        sport, dport = self.addr[side][1], self.addr[other][1]
        if seq is None:
            seq = self.nxt[side]
        if ack is None:
            ack = self.nxt[other] if "A" in flags else 0
        if opts is None:
            if self.timestamps:
                tsecr = self.tsval[other] if "A" in flags else 0
                opts = (syn_opts(self.tsval[side], tsecr) if "S" in flags
                        else ts_opts(self.tsval[side], tsecr))
            else:
                opts = [("MSS", 1460)] if "S" in flags else []
        seg = TCP(sport=sport, dport=dport, seq=seq & M32, ack=ack & M32, flags=flags,
                  window=self.win[side] if win is None else win, urgptr=0, options=opts)
        if data:
            seg = seg / Raw(load=data)
        if advance:
            n = len(data) + (1 if "S" in flags else 0) + (1 if "F" in flags else 0)
            self.nxt[side] = (seq + n) & M32
        self.tsval[side] += 1
        return seg

    def ip(self, side, seg):
        """Wrap a TCP segment (or any L4 scapy object) in the flow's IP header -> bytes."""
        src, dst = self.addr[side][0], self.addr[1 - side][0]
        ipid = self.ipid[side]
        self.ipid[side] = (ipid + 1) & 0xFFFF
        if self.v6:
            p = IPv6(src=src, dst=dst, hlim=64, tc=0, fl=0)
            if self.v6ext is not None:
                p = p / self.v6ext(ipid)
            return bytes(p / seg)
        kw = {}
        if self.ip_options is not None:
            kw["options"] = self.ip_options
        return bytes(IP(src=src, dst=dst, id=ipid, ttl=64, tos=0, flags="DF", **kw) / seg)

    def seg(self, side, flags, data=b"", dt=1 * MS, **kw):
        """Emit one packet dt nanoseconds after the previous one."""
        self.t += dt
        return Pkt(self.t, self.ip(side, self.tcp(side, flags, data, **kw)), self.v6, side)

    # -- canned exchanges -------------------------------------------------------------------

    def handshake(self, rtt=20 * MS):
        return [self.seg(C, "S", dt=0), self.seg(S, "SA", dt=rtt // 2),
                self.seg(C, "A", dt=rtt // 2)]

    def data(self, req=b"GET / HTTP/1.1\r\nHost: example.test\r\n\r\n",
             resp=(b"HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n", b"hello world\n"),
             rtt=20 * MS):
        out = [self.seg(C, "PA", req, dt=rtt // 4), self.seg(S, "A", dt=rtt // 2)]
        for chunk in resp:
            out.append(self.seg(S, "PA", chunk, dt=1 * MS))
        out.append(self.seg(C, "A", dt=rtt // 2))
        return out

    def close(self, closer=C, rtt=20 * MS):
        o = 1 - closer
        return [self.seg(closer, "FA", dt=rtt // 4), self.seg(o, "FA", dt=rtt // 2),
                self.seg(closer, "A", dt=rtt // 2)]

    def full(self, **kw):
        return self.handshake() + self.data(**kw) + self.close()


def merge(*lists):
    """Interleave packet lists by timestamp (stable: ties keep argument order)."""
    allp = [(p.ts, i, j, p) for i, lst in enumerate(lists) for j, p in enumerate(lst)]
    allp.sort(key=lambda x: (x[0], x[1], x[2]))
    return [x[3] for x in allp]


# ---------------------------------------------------------------------------------------------
# link layers: each sets p.frame from p.l3


def eth_hdr(p, tags=(), ethertype=None):
    dst, src = (MAC_S, MAC_C) if p.side == C else (MAC_C, MAC_S)
    et = ethertype if ethertype is not None else (ETH_IP6 if p.v6 else ETH_IP4)
    h = dst + src
    for tpid, tci in tags:
        h += struct.pack(">HH", tpid, tci)
    return h + struct.pack(">H", et)


def link_eth(pkts, tags=()):
    for p in pkts:
        p.frame = eth_hdr(p, tags) + p.l3
    return pkts


def link_mpls(pkts, labels):
    for p in pkts:
        stack = b""
        for i, lab in enumerate(labels):
            bos = 1 if i == len(labels) - 1 else 0
            stack += struct.pack(">I", (lab << 12) | (0 << 9) | (bos << 8) | 64)
        p.frame = eth_hdr(p, (), 0x8847) + stack + p.l3
    return pkts


def link_pppoe(pkts, session=0x1234):
    for p in pkts:
        ppp = struct.pack(">H", 0x0057 if p.v6 else 0x0021) + p.l3
        p.frame = (eth_hdr(p, (), 0x8864) + struct.pack(">BBHH", 0x11, 0x00, session, len(ppp))
                   + ppp)
    return pkts


def link_sll(pkts):
    # packet type: 0 = to us (server->client seen on the client), 4 = outgoing (client sent)
    for p in pkts:
        ptype = 4 if p.side == C else 0
        mac = MAC_C if p.side == C else MAC_S
        p.frame = (struct.pack(">HHH", ptype, 1, 6) + mac + b"\x00\x00"
                   + struct.pack(">H", ETH_IP6 if p.v6 else ETH_IP4) + p.l3)
    return pkts


def link_sll2(pkts, ifindex=2):
    for p in pkts:
        ptype = 4 if p.side == C else 0
        mac = MAC_C if p.side == C else MAC_S
        p.frame = (struct.pack(">HHIHBB", ETH_IP6 if p.v6 else ETH_IP4, 0, ifindex, 1, ptype, 6)
                   + mac + b"\x00\x00" + p.l3)
    return pkts


def link_raw(pkts):
    for p in pkts:
        p.frame = p.l3
    return pkts


def link_null(pkts, endian, af6=None):
    """DLT_NULL: 4-byte address family in the byte order of the capturing host (= file)."""
    for p in pkts:
        af = (af6 if af6 is not None else p.af6) if p.v6 else 2
        p.frame = struct.pack(endian + "I", af) + p.l3
    return pkts


def link_loop(pkts, af6=24):
    """DLT_LOOP: like DLT_NULL but the family is always big-endian (OpenBSD)."""
    for p in pkts:
        p.frame = struct.pack(">I", af6 if p.v6 else 2) + p.l3
    return pkts


def nflog_tlv(t, value, endian="<"):
    """NFLOG TLV: length and type in host byte order; length excludes the padding."""
    tlv = struct.pack(endian + "HH", 4 + len(value), t) + value
    return tlv + b"\x00" * (-len(tlv) % 4)


def link_nflog(pkts, prefix=b"tcpdissect: \x00"):
    for p in pkts:
        fam = 10 if p.v6 else 2
        hdr = struct.pack(">BBH", fam, 0, 5)                       # family, version, res id
        tl = nflog_tlv(1, struct.pack(">HBB", ETH_IP6 if p.v6 else ETH_IP4, 1, 0))  # PACKET_HDR
        tl += nflog_tlv(2, struct.pack(">I", 0))                   # NFULA_MARK
        tl += nflog_tlv(4, struct.pack(">I", 2))                   # NFULA_IFINDEX_INDEV
        tl += nflog_tlv(10, prefix)                                # NFULA_PREFIX (odd length)
        tl += nflog_tlv(11, struct.pack(">I", 1000))               # NFULA_UID
        tl += nflog_tlv(9, p.l3)                                   # NFULA_PAYLOAD last
        p.frame = hdr + tl
    return pkts


# ---------------------------------------------------------------------------------------------
# file writers (by hand)


def pcap_bytes(linktype, pkts, snaplen=262144, nano=False, endian="<", cut_last=None):
    """Classic pcap.  Records longer than snaplen are cut (caplen < len).
    cut_last: keep only this many bytes of the last record's data (file cut mid-record)."""
    magic = 0xA1B23C4D if nano else 0xA1B2C3D4
    out = bytearray(struct.pack(endian + "IHHiIII", magic, 2, 4, 0, 0, snaplen, linktype))
    for i, p in enumerate(pkts):
        data = p.frame
        orig = p.orig_len if p.orig_len is not None else len(data)
        data = data[:snaplen]
        sec, frac = divmod(p.ts, SEC)
        if not nano:
            frac //= 1000
        rec = struct.pack(endian + "IIII", sec, frac, len(data), orig) + data
        if cut_last is not None and i == len(pkts) - 1:
            rec = rec[:16 + cut_last]
        out += rec
    return bytes(out)


def pcapng_opt(code, value):
    return struct.pack("<HH", code, len(value)) + value + b"\x00" * (-len(value) % 4)


def pcapng_block(btype, body):
    body += b"\x00" * (-len(body) % 4)
    n = len(body) + 12
    return struct.pack("<II", btype, n) + body + struct.pack("<I", n)


def pcapng_bytes(interfaces, pkts):
    """pcapng, little-endian, one section.  interfaces: list of (linktype, snaplen, name, tsresol)
    with tsresol the negative power of ten (6 = µs, 9 = ns)."""
    shb = struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1)
    shb += pcapng_opt(4, b"tcpdissect tests/gen/gen_captures.py") + pcapng_opt(0, b"")
    out = bytearray(pcapng_block(0x0A0D0D0A, shb))
    for linktype, snaplen, name, tsresol in interfaces:
        idb = struct.pack("<HHI", linktype, 0, snaplen) + pcapng_opt(2, name)
        if tsresol != 6:
            idb += pcapng_opt(9, bytes([tsresol]))
        idb += pcapng_opt(0, b"")
        out += pcapng_block(1, idb)
    for p in pkts:
        linktype, snaplen, name, tsresol = interfaces[p.ifid]
        units = p.ts // 10 ** (9 - tsresol)
        data = p.frame[:snaplen]
        orig = p.orig_len if p.orig_len is not None else len(p.frame)
        epb = struct.pack("<IIIII", p.ifid, units >> 32, units & M32, len(data), orig) + data
        epb += b"\x00" * (-len(data) % 4)
        out += pcapng_block(6, epb)
    return bytes(out)


def pcapng_sections_bytes(sections):
    """pcapng of several sections, each in its own byte order ("<" or ">").  sections: list of
    (endian, interfaces, items); interfaces: (linktype, snaplen, tsresol byte, tsoffset s);
    items: Pkt (an EPB, or with p.block = 2 an obsolete Packet Block, 3 a Simple Packet Block)
    or (block type, body bytes) for any other block, written as given."""
    out = bytearray()
    for e, interfaces, items in sections:
        def opt(code, value):
            return struct.pack(e + "HH", code, len(value)) + value + b"\x00" * (-len(value) % 4)

        def block(btype, body):
            body += b"\x00" * (-len(body) % 4)
            n = len(body) + 12
            return struct.pack(e + "II", btype, n) + body + struct.pack(e + "I", n)

        out += block(0x0A0D0D0A, struct.pack(e + "IHHq", 0x1A2B3C4D, 1, 0, -1) + opt(0, b""))
        units = []
        for linktype, snaplen, tsresol, tsoffset in interfaces:
            idb = struct.pack(e + "HHI", linktype, 0, snaplen)
            idb += opt(9, bytes([tsresol])) + opt(14, struct.pack(e + "q", tsoffset))
            out += block(1, idb + opt(0, b""))
            per_s = 2 ** (tsresol & 0x7F) if tsresol & 0x80 else 10 ** tsresol
            units.append((per_s, tsoffset))
        for it in items:
            if isinstance(it, tuple):
                out += block(it[0], it[1])
                continue
            per_s, tsoffset = units[it.ifid]
            t = (it.ts - tsoffset * SEC) * per_s // SEC
            snaplen = interfaces[it.ifid][1]
            data = it.frame[:snaplen]
            kind = getattr(it, "block", 6)
            if kind == 3:
                out += block(3, struct.pack(e + "I", len(it.frame)) + data)
            elif kind == 2:
                out += block(2, struct.pack(e + "HHIIII", it.ifid, 0, t >> 32, t & M32,
                                            len(data), len(it.frame)) + data)
            else:
                out += block(6, struct.pack(e + "IIIII", it.ifid, t >> 32, t & M32, len(data),
                                            len(it.frame)) + data)
    return bytes(out)


OUT = None


def write(name, blob):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(blob)


def pcap(name, linktype, pkts, **kw):
    write(name, pcap_bytes(linktype, pkts, **kw))


# ---------------------------------------------------------------------------------------------
# the captures


def gen_link_layers():
    # gen-eth-qinq: 802.1ad S-tag (0x88a8, VLAN 100) + 802.1Q C-tag (VLAN 200) around IPv4 TCP
    f = Flow("192.0.2.10", 40001, "198.51.100.20", 80, 1000, 5000)
    pcap("gen-eth-qinq.pcap", DLT_EN10MB, link_eth(f.full(), tags=[(0x88A8, 100), (0x8100, 200)]))

    # gen-eth-vlan3: three stacked 802.1Q tags (VLAN 10/20/30), IPv4 TCP
    f = Flow("192.0.2.11", 40002, "198.51.100.20", 443, 2000, 6000)
    pcap("gen-eth-vlan3.pcap", DLT_EN10MB,
         link_eth(f.full(), tags=[(0x8100, 10), (0x8100, 20), (0x8100, 30)]))

    # gen-mpls: Ethernet + MPLS unicast 2-label stack (labels 16, 17, BoS on the inner), IPv4 TCP
    f = Flow("192.0.2.12", 40003, "198.51.100.21", 22, 3000, 7000)
    pcap("gen-mpls.pcap", DLT_EN10MB, link_mpls(f.full(), [16, 17]))

    # gen-pppoe: PPPoE session frames (0x8864), one IPv4 (PPP 0x0021) and one IPv6 (0x0057) TCP
    f4 = Flow("192.0.2.13", 40004, "198.51.100.22", 80, 4000, 8000)
    f6 = Flow("2001:db8:1::13", 40005, "2001:db8:2::22", 80, 4100, 8100, t=T0 + 5 * MS)
    pcap("gen-pppoe.pcap", DLT_EN10MB, link_pppoe(merge(f4.full(), f6.full())))

    # gen-sll: Linux cooked v1 (DLT 113): IPv4 + IPv6 TCP, outgoing/incoming packet types
    f4 = Flow("192.0.2.14", 40006, "198.51.100.23", 8080, 5000, 9000)
    f6 = Flow("2001:db8:1::14", 40007, "2001:db8:2::23", 8080, 5100, 9100, t=T0 + 300 * MS)
    pcap("gen-sll.pcap", DLT_LINUX_SLL, link_sll(f4.full() + f6.full()))

    # gen-sll2: Linux cooked v2 (DLT 276, 20-byte header with ifindex): IPv4 + IPv6 TCP
    f4 = Flow("192.0.2.15", 40008, "198.51.100.24", 8443, 6000, 10000)
    f6 = Flow("2001:db8:1::15", 40009, "2001:db8:2::24", 8443, 6100, 10100, t=T0 + 300 * MS)
    pcap("gen-sll2.pcap", DLT_LINUX_SLL2, link_sll2(f4.full() + f6.full()))

    # gen-raw-ipv4: LINKTYPE_IPV4 (228), packets start with the IPv4 header
    f = Flow("192.0.2.16", 40010, "198.51.100.25", 25, 7000, 11000)
    pcap("gen-raw-ipv4.pcap", DLT_IPV4, link_raw(f.full()))

    # gen-raw-ipv6: LINKTYPE_IPV6 (229), packets start with the IPv6 header
    f = Flow("2001:db8:1::16", 40011, "2001:db8:2::25", 25, 7100, 11100)
    pcap("gen-raw-ipv6.pcap", DLT_IPV6, link_raw(f.full()))

    # gen-rawip: LINKTYPE_RAW (101): version nibble decides, one IPv4 and one IPv6 connection
    f4 = Flow("192.0.2.17", 40012, "198.51.100.26", 110, 8000, 12000)
    f6 = Flow("2001:db8:1::17", 40013, "2001:db8:2::26", 110, 8100, 12100, t=T0 + 7 * MS)
    pcap("gen-rawip.pcap", DLT_RAW, link_raw(merge(f4.full(), f6.full())))

    # gen-null-le / gen-null-be: DLT_NULL (0), AF in the file's byte order; IPv4 (AF 2) and
    # IPv6 with the AF_INET6 values 24 (Net/OpenBSD), 28 (FreeBSD), 30 (macOS) and, last, 10
    # (Linux's AF_INET6, which Wireshark 4.0 and tcpdump do NOT decode on DLT_NULL: no TCP there)
    for endian, name, base in (("<", "gen-null-le.pcap", 100), (">", "gen-null-be.pcap", 200)):
        pk = Flow("127.0.0.1", 41000 + base, "127.0.0.1", 8000, 9000 + base, 13000 + base,
                  timestamps=False).full()
        t = T0 + 500 * MS
        for i, af in enumerate((24, 28, 30, 10)):
            f = Flow("::1", 41001 + base + i, "::1", 8000, 9100 + base + i, 13100 + base + i,
                     t=t + i * 200 * MS, timestamps=False)
            fp = f.handshake() + f.close()
            for p in fp:
                p.af6 = af
            pk += fp
        pcap(name, DLT_NULL, link_null(pk, endian), endian=endian)

    # gen-loop: DLT_LOOP (108): AF always big-endian (here in a little-endian file), v4 + v6 (24)
    f4 = Flow("127.0.0.1", 42000, "127.0.0.1", 9000, 10000, 14000, timestamps=False)
    f6 = Flow("::1", 42001, "::1", 9000, 10100, 14100, t=T0 + 300 * MS, timestamps=False)
    pcap("gen-loop.pcap", DLT_LOOP, link_loop(f4.full() + f6.full()))

    # gen-nflog: NFLOG (239): TLVs PACKET_HDR, MARK, IFINDEX, PREFIX (padded), UID, then PAYLOAD;
    # one IPv4 and one IPv6 connection
    f4 = Flow("192.0.2.18", 40014, "198.51.100.27", 80, 11000, 15000)
    f6 = Flow("2001:db8:1::18", 40015, "2001:db8:2::27", 80, 11100, 15100, t=T0 + 300 * MS)
    pcap("gen-nflog.pcap", DLT_NFLOG, link_nflog(f4.full() + f6.full()))


def gen_ip_layers():
    # gen-ipv4-options: every packet carries IPv4 options: NOP padding, record route, EOL
    # SYN / SYN-ACK / ACK: NOP + record route with 1 slot, already filled (IHL 7)
    f = Flow("192.0.2.19", 40016, "198.51.100.28", 80, 12000, 16000,
             ip_options=b"\x01" + bytes([7, 7, 8]) + bytes([192, 0, 2, 1]))
    pk = f.handshake()
    # the rest: NOP NOP + record route with 2 empty slots + EOL + zero padding (IHL 9)
    f.ip_options = b"\x01\x01" + bytes([7, 11, 4]) + bytes(8) + b"\x00\x00\x00"
    pk += f.data() + f.close()
    pcap("gen-ipv4-options.pcap", DLT_EN10MB, link_eth(pk))

    # gen-ipv4-fragments: a TCP connection in which one 1000-byte data segment is sent as two
    # IPv4 fragments (first: 32-byte TCP header + 472 data bytes, MF; second: offset 504, rest)
    f = Flow("192.0.2.20", 40017, "198.51.100.29", 80, 13000, 17000)
    pk = f.handshake() + f.data()
    body = bytes((i * 7) & 0xFF for i in range(1000))
    seg = f.tcp(C, "PA", body)
    tcpbytes = bytes(IP(src="192.0.2.20", dst="198.51.100.29", flags="DF") / seg)[20:]
    ipid = 0x4242
    frag1 = bytes(IP(src="192.0.2.20", dst="198.51.100.29", id=ipid, ttl=64, flags="MF", frag=0,
                     proto=6) / Raw(tcpbytes[:504]))
    frag2 = bytes(IP(src="192.0.2.20", dst="198.51.100.29", id=ipid, ttl=64, flags=0,
                     frag=504 // 8, proto=6) / Raw(tcpbytes[504:]))
    f.t += 5 * MS
    pk.append(Pkt(f.t, frag1, False, C))
    f.t += 1 * MS
    pk.append(Pkt(f.t, frag2, False, C))
    pk.append(f.seg(S, "A", dt=10 * MS))
    pk += f.close()
    pcap("gen-ipv4-fragments.pcap", DLT_EN10MB, link_eth(pk))

    # gen-ipv6-exthdrs: every packet has hop-by-hop (PadN) + destination options (PadN) +
    # routing (type 0, segments left 0) + atomic fragment (offset 0, M=0) headers before TCP
    def ext(ipid):
        return (IPv6ExtHdrHopByHop(options=[PadN(optdata=b"\x00" * 4)])
                / IPv6ExtHdrDestOpt(options=[PadN(optdata=b"\x00" * 4)])
                / IPv6ExtHdrRouting(type=0, segleft=0, addresses=["2001:db8:3::1"])
                / IPv6ExtHdrFragment(offset=0, m=0, id=0x10000 + ipid))
    f = Flow("2001:db8:1::21", 40018, "2001:db8:2::30", 80, 14000, 18000, v6ext=ext)
    pcap("gen-ipv6-exthdrs.pcap", DLT_EN10MB, link_eth(f.full()))

    # gen-ipv6-basic: two plain IPv6 connections (one ends with FIN, one with RST from the client)
    f1 = Flow("2001:db8:1::22", 40019, "2001:db8:2::31", 443, 15000, 19000)
    f2 = Flow("2001:db8:1::23", 40020, "2001:db8:2::31", 443, 15100, 19100, t=T0 + 30 * MS)
    p2 = f2.handshake() + f2.data() + [f2.seg(C, "RA", dt=5 * MS)]
    pcap("gen-ipv6-basic.pcap", DLT_EN10MB, link_eth(merge(f1.full(), p2)))

    # gen-tunnels (extra): TCP inside IPv4-in-IPv4, GRE, 6in4 (proto 41) and 4in6; Wireshark
    # gives the inner TCP its tcp.stream (the outer header belongs to the tunnel endpoints)
    pk = []
    kinds = (("ipip", "192.0.2.70", "198.51.100.80"), ("gre", "192.0.2.71", "198.51.100.81"),
             ("6in4", "2001:db8:1::72", "2001:db8:2::82"), ("4in6", "192.0.2.73", "198.51.100.83"))
    for i, (kind, cli, srv) in enumerate(kinds):
        f = Flow(cli, 40070 + i, srv, 22, 40000 + i, 50000 + i, t=T0 + i * 100 * MS)
        for p in f.handshake() + f.close():
            fwd = p.side == C
            if kind == "4in6":
                o6 = ("2001:db8:ffff::1", "2001:db8:ffff::2")[::1 if fwd else -1]
                p.l3 = bytes(IPv6(src=o6[0], dst=o6[1], hlim=64, nh=4) / Raw(p.l3))
                p.v6 = True
            else:
                o4 = ("203.0.113.1", "203.0.113.2")[::1 if fwd else -1]
                outer = IP(src=o4[0], dst=o4[1], id=0x2000 + len(pk), ttl=64, flags="DF")
                if kind == "gre":
                    p.l3 = bytes(outer / GRE(proto=ETH_IP4) / Raw(p.l3))
                else:
                    outer.proto = 41 if kind == "6in4" else 4
                    p.l3 = bytes(outer / Raw(p.l3))
                p.v6 = False
            pk.append(p)
    pcap("gen-tunnels.pcap", DLT_EN10MB, link_eth(pk))

    # gen-icmp-embedded (extra): ICMP errors quoting TCP headers. Wireshark 4.0 gives the quoted
    # TCP header a tcp.stream when it is complete (20+ bytes): it joins the stream of a known
    # 4-tuple, and a quoted header for an unseen 4-tuple creates a new stream; an RFC 792
    # 8-byte quote gets no tcp.stream
    f = Flow("192.0.2.74", 40074, "198.51.100.84", 80, 60000, 61000)
    pk = f.handshake()
    big = f.seg(C, "PA", b"P" * 1400, dt=1 * MS)
    pk.append(big)
    router = ("203.0.113.254", "192.0.2.74")
    icmp4 = ICMP(type=3, code=4, nexthopmtu=1280)
    pk.append(Pkt(big.ts + 1 * MS, bytes(IP(src=router[0], dst=router[1], id=1, ttl=255)
                                         / icmp4 / Raw(big.l3[:28])), False, S))
    pk.append(Pkt(big.ts + 2 * MS, bytes(IP(src=router[0], dst=router[1], id=2, ttl=255)
                                         / icmp4 / Raw(big.l3[:548])), False, S))
    f.nxt[C] = (f.nxt[C] - 1400) & M32       # the big segment was lost: resend it smaller
    pk.append(f.seg(C, "PA", b"P" * 1200, dt=5 * MS))
    pk.append(f.seg(C, "PA", b"P" * 200, dt=1 * MS))
    pk.append(f.seg(S, "A", dt=10 * MS))
    ghost = bytes(IPv6(src="2001:db8:1::75", dst="2001:db8:2::85", hlim=64)
                  / TCP(sport=40075, dport=443, seq=777, flags="S", window=64800,
                        options=syn_opts(1)))
    pk.append(Pkt(pk[-1].ts + 1 * MS, bytes(IPv6(src="2001:db8:ffff::fe", dst="2001:db8:1::75",
                                                 hlim=64) / ICMPv6DestUnreach(code=1)
                                            / Raw(ghost)), True, S))
    pk += f.close()
    pcap("gen-icmp-embedded.pcap", DLT_EN10MB, link_eth(pk))


def gen_tcp_options():
    # gen-tcp-options: every common option kind
    pk = []
    # 1. SYN: MSS, SACK-perm, TS, NOP, WS 7, TFO cookie request (kind 34 len 2), NOP NOP;
    #    SYN-ACK returns an 8-byte TFO cookie; data segments carry SACK blocks 1..4
    f = Flow("192.0.2.30", 40030, "198.51.100.40", 80, 20000, 30000)
    syn = syn_opts(f.tsval[C]) + [("TFO", b""), ("NOP", None), ("NOP", None)]
    pk.append(f.seg(C, "S", dt=0, opts=syn))
    synack = syn_opts(f.tsval[S], f.tsval[C]) + [("TFO", b"\x11\x22\x33\x44\x55\x66\x77\x88"),
                                                 ("NOP", None), ("NOP", None)]
    pk.append(f.seg(S, "SA", dt=10 * MS, opts=synack))
    pk.append(f.seg(C, "A", dt=10 * MS))
    pk.append(f.seg(C, "PA", b"x" * 100, dt=1 * MS))
    base = f.nxt[S]
    s1 = (base + 1000) & M32
    blocks = [s1, s1 + 100, s1 + 200, s1 + 300, s1 + 400, s1 + 500, s1 + 600, s1 + 700]
    for n in (1, 2, 3):         # SACK with 1..3 blocks fit next to timestamps
        o = ([("NOP", None), ("NOP", None), ("Timestamp", (f.tsval[C], f.tsval[S])),
              ("NOP", None), ("NOP", None), ("SAck", tuple(x & M32 for x in blocks[:2 * n]))])
        pk.append(f.seg(C, "A", dt=1 * MS, opts=o, ack=base))
    o = [("NOP", None), ("NOP", None), ("SAck", tuple(x & M32 for x in blocks[:8]))]  # 4 blocks
    pk.append(f.seg(C, "A", dt=1 * MS, opts=o, ack=base))
    pk.append(f.seg(S, "PA", b"y" * 200, dt=1 * MS))
    pk.append(f.seg(C, "A", dt=1 * MS))
    pk += f.close()
    # 2. TFO: SYN carrying a cookie (kind 34 len 10) and 20 bytes of data, SYN-ACK acks them
    f = Flow("192.0.2.30", 40031, "198.51.100.40", 80, 21000, 31000, t=T0 + 1 * SEC)
    syn = syn_opts(f.tsval[C]) + [("TFO", b"\x11\x22\x33\x44\x55\x66\x77\x88"),
                                  ("NOP", None), ("NOP", None)]
    pk.append(f.seg(C, "S", b"GET /tfo HTTP/1.0\r\n\r\n", dt=0, opts=syn))
    pk.append(f.seg(S, "SA", dt=10 * MS))
    pk.append(f.seg(C, "A", dt=10 * MS))
    pk += f.close(closer=S)
    # 3. MPTCP (kind 30): MP_CAPABLE v1 on SYN / SYN-ACK / ACK, DSS on data; MSS then EOL and
    #    zero padding ending the option list early
    f = Flow("192.0.2.31", 40032, "198.51.100.41", 443, 22000, 32000, t=T0 + 2 * SEC)
    mpc = (30, b"\x01\x81")                          # subtype 0 version 1, flags A|H
    mpc_key = (30, b"\x01\x81" + b"\x01\x02\x03\x04\x05\x06\x07\x08")
    mpc_keys = (30, b"\x01\x81" + bytes(range(0x11, 0x19)) + bytes(range(1, 9)))  # own, echoed
    pk.append(f.seg(C, "S", dt=0, opts=syn_opts(f.tsval[C]) + [mpc]))
    pk.append(f.seg(S, "SA", dt=10 * MS, opts=syn_opts(f.tsval[S], f.tsval[C]) + [mpc_key]))
    pk.append(f.seg(C, "A", dt=10 * MS, opts=ts_opts(f.tsval[C], f.tsval[S]) + [mpc_keys]))
    dss = (30, b"\x20\x01" + struct.pack(">I", 0x01020304))    # DSS, data ACK present (4 bytes)
    pk.append(f.seg(C, "PA", b"z" * 50, dt=1 * MS, opts=ts_opts(f.tsval[C], f.tsval[S]) + [dss]))
    pk.append(f.seg(S, "A", dt=10 * MS, opts=[("MSS", 1400), ("EOL", None)]))
    pk += f.close()
    # 4. TCP MD5 signature (kind 19, 16-byte digest) on every segment (BGP-like, port 179),
    #    plus a SYN whose window-scale option says 15 (must be clamped to 14, RFC 7323)
    f = Flow("192.0.2.32", 40033, "198.51.100.42", 179, 23000, 33000, t=T0 + 3 * SEC)
    md5 = (19, bytes(range(0x40, 0x50)))
    pk.append(f.seg(C, "S", dt=0, opts=[("MSS", 1460), ("NOP", None), ("WScale", 15), md5,
                                        ("EOL", None)]))
    pk.append(f.seg(S, "SA", dt=10 * MS, opts=[("MSS", 1460), ("NOP", None), ("WScale", 14),
                                               md5, ("EOL", None)]))
    pk.append(f.seg(C, "A", dt=10 * MS, opts=[("NOP", None), ("NOP", None), md5]))
    pk.append(f.seg(C, "PA", b"\xff" * 19, dt=1 * MS, opts=[("NOP", None), ("NOP", None), md5]))
    pk.append(f.seg(S, "A", dt=10 * MS, opts=[("NOP", None), ("NOP", None), md5]))
    pk.append(f.seg(C, "RA", dt=1 * MS, opts=[("NOP", None), ("NOP", None), md5]))
    assert len(pk) < 50
    pcap("gen-tcp-options.pcap", DLT_EN10MB, link_eth(pk))


def gen_file_formats():
    # gen-nano: classic pcap, nanosecond magic a1b23c4d, timestamps with all 9 digits non-zero
    f = Flow("192.0.2.40", 40040, "198.51.100.50", 80, 24000, 34000, t=T0 + 123456789)
    pk = f.full()
    for i, p in enumerate(pk):
        p.ts += 111 * i + 7
    pcap("gen-nano.pcap", DLT_EN10MB, link_eth(pk), nano=True)

    # gen-pcapng: pcapng, one Ethernet interface with if_tsresol 9 (nanosecond timestamps)
    f = Flow("192.0.2.41", 40041, "198.51.100.51", 80, 25000, 35000, t=T0 + 987654321)
    pk = link_eth(f.full())
    for i, p in enumerate(pk):
        p.ts += 13 * i + 1
    write("gen-pcapng.pcapng", pcapng_bytes([(DLT_EN10MB, 262144, b"eth0", 9)], pk))

    # gen-pcapng-2if-same: two Ethernet IDBs (eth0 µs, eth1 ns), one connection on each,
    # interleaved in time
    f0 = Flow("192.0.2.42", 40042, "198.51.100.52", 80, 26000, 36000)
    f1 = Flow("192.0.2.43", 40043, "198.51.100.53", 443, 26100, 36100, t=T0 + 3 * MS)
    p0, p1 = link_eth(f0.full()), link_eth(f1.full())
    for p in p1:
        p.ifid = 1
    write("gen-pcapng-2if-same.pcapng",
          pcapng_bytes([(DLT_EN10MB, 262144, b"eth0", 6), (DLT_EN10MB, 262144, b"eth1", 9)],
                       merge(p0, p1)))

    # gen-pcapng-2if-mixed: IDB0 Ethernet, IDB1 raw IP (101); libpcap refuses a second link type
    # (expected error case for tools built on libpcap; Wireshark reads it)
    f0 = Flow("192.0.2.44", 40044, "198.51.100.54", 80, 27000, 37000)
    f1 = Flow("192.0.2.45", 40045, "198.51.100.55", 80, 27100, 37100, t=T0 + 3 * MS)
    p0, p1 = link_eth(f0.full()), link_raw(f1.full())
    for p in p1:
        p.ifid = 1
    write("gen-pcapng-2if-mixed.pcapng",
          pcapng_bytes([(DLT_EN10MB, 262144, b"eth0", 6), (DLT_RAW, 262144, b"tun0", 6)],
                       merge(p0, p1)))

    # gen-snaplen: snaplen 54 = Ethernet + IPv4 + TCP without options: every header is complete,
    # payload of the data segments is cut (caplen 54 < len)
    # no TCP options at all (not even MSS), so the 54 bytes are exactly the headers
    f = Flow("192.0.2.46", 40046, "198.51.100.56", 80, 28000, 38000, timestamps=False)
    pk = [f.seg(C, "S", dt=0, opts=[]), f.seg(S, "SA", dt=10 * MS, opts=[]),
          f.seg(C, "A", dt=10 * MS)]
    pk += f.data(resp=(b"A" * 1000, b"B" * 1000, b"C" * 500)) + f.close()
    pcap("gen-snaplen.pcap", DLT_EN10MB, link_eth(pk), snaplen=54)

    # gen-snaplen-opts: snaplen 60: 6 bytes of TCP options survive, so the SYN's options
    # (MSS, SACK-perm, TS...) and the data segments' timestamp option are cut in the middle
    f = Flow("192.0.2.47", 40047, "198.51.100.57", 80, 29000, 39000)
    pcap("gen-snaplen-opts.pcap", DLT_EN10MB, link_eth(f.full()), snaplen=60)

    # gen-truncated-file: a good pcap whose last record (the final ACK, 66 bytes) is cut after
    # 30 bytes of its data: the file ends in the middle of a record
    f = Flow("192.0.2.48", 40048, "198.51.100.58", 80, 30000, 40000)
    pk = link_eth(f.full())
    pcap("gen-truncated-file.pcap", DLT_EN10MB, pk, cut_last=30)

    # gen-unknown-dlt: linktype 147 (LINKTYPE_USER0): records hold Ethernet frames, but nothing
    # says so; readers must reject or skip it gracefully
    f = Flow("192.0.2.49", 40049, "198.51.100.59", 80, 31000, 41000)
    pcap("gen-unknown-dlt.pcap", DLT_USER0, link_eth(f.handshake()))

    # gen-not-a-capture: a text file with a .pcap name
    write("gen-not-a-capture.pcap",
          b"This is not a capture file.\nIt is plain text that happens to be named .pcap.\n")

    # gen-empty-file: zero bytes
    write("gen-empty-file.pcap", b"")


def gen_pcapng_sections():
    # gen-pcapng-sections: a pcapng that Wireshark reads and libpcap refuses.  Section 1
    # (little-endian): a custom block before the first interface, IDB0 Ethernet (us), IDB1
    # Linux SLL with snaplen 96 (ns), IDB2 raw IP (2^-20 s, if_tsoffset 1000 s), one
    # connection on each, interleaved, with a custom block, an unknown block type and an
    # interface statistics block among them.  Section 2 (big-endian): IDB0 Ethernet (ns), a
    # connection whose first half is in obsolete Packet Blocks, and a Simple Packet Block with
    # an ARP frame.  Wireshark numbers the custom blocks as frames; libpcap does not.
    cb = (0x00000BAD, struct.pack("<I", 32473) + b"tcpdissect test")
    f0 = Flow("192.0.2.60", 40060, "198.51.100.60", 80, 42000, 52000)
    f1 = Flow("192.0.2.61", 40061, "198.51.100.61", 80, 42100, 52100, t=T0 + 2 * MS)
    f2 = Flow("192.0.2.62", 40062, "198.51.100.62", 80, 42200, 52200, t=T0 + 4 * MS + 7)
    p0, p1, p2 = link_eth(f0.full()), link_sll(f1.full()), link_raw(f2.full())
    for p in p1:
        p.ifid = 1
    for p in p2:
        p.ifid = 2
    items = merge(p0, p1, p2)
    items[7:7] = [cb, (0x00012345, b"unknown block"), (5, struct.pack("<IIIII", 0, 0, 0, 0, 0))]
    s1 = ("<", [(DLT_EN10MB, 262144, 6, 0), (DLT_LINUX_SLL, 96, 9, 0),
                (DLT_RAW, 262144, 0x94, 1000)], [cb] + items)
    f3 = Flow("192.0.2.63", 40063, "198.51.100.63", 443, 42300, 52300, t=T0 + 1 * SEC)
    p3 = link_eth(f3.full())
    for p in p3[:len(p3) // 2]:
        p.block = 2
    arp = Pkt(T0 + 2 * SEC, b"\x00\x01\x08\x00\x06\x04\x00\x01" + bytes(20), False, C)
    arp.frame = eth_hdr(arp, (), 0x0806) + arp.l3
    arp.block = 3
    s2 = (">", [(DLT_EN10MB, 262144, 9, 0)], p3 + [arp])
    write("gen-pcapng-sections.pcapng", pcapng_sections_bytes([s1, s2]))


def gen_malformed():
    # gen-lying-lengths: a good connection interleaved with broken packets, each on its own
    # 4-tuple: IPv4 total length 12 < IHL*4; TCP data offset 3 (< 5); TCP data offset 15
    # (60 bytes) beyond the IP length; IPv6 payload length 1000 > the 20 bytes present
    f = Flow("192.0.2.50", 40050, "198.51.100.60", 80, 32000, 42000)
    good = f.full()
    bad = []
    t = T0 + 15 * MS

    def rawip4(src, tcp_hdr, total=None):
        return bytes(IP(src=src, dst="198.51.100.61", id=0x7777, ttl=64, flags="DF", proto=6,
                        len=total) / Raw(tcp_hdr))

    def tcp_raw(sport, doff, flags=0x02, extra=b""):
        return struct.pack(">HHIIBBHHH", sport, 80, 0x01000000, 0, doff << 4, flags, 1024, 0,
                           0) + extra

    # (a) IPv4 total length 12 (less than the 20-byte header)
    bad.append(Pkt(t, rawip4("192.0.2.51", tcp_raw(40051, 5), total=12), False, C))
    # (b) TCP data offset 3 (12 bytes, less than the minimal 20-byte header)
    bad.append(Pkt(t + 10 * MS, rawip4("192.0.2.52", tcp_raw(40052, 3)), False, C))
    # (c) TCP data offset 15 (60 bytes) but the IP datagram only holds 20 bytes of TCP
    bad.append(Pkt(t + 20 * MS, rawip4("192.0.2.53", tcp_raw(40053, 15)), False, C))
    # (d) IPv6 payload length 1000, only a 20-byte TCP header follows
    v6 = bytearray(bytes(IPv6(src="2001:db8:1::54", dst="2001:db8:2::61", hlim=64, nh=6)
                         / Raw(tcp_raw(40054, 5))))
    v6[4:6] = struct.pack(">H", 1000)
    bad.append(Pkt(t + 30 * MS, bytes(v6), True, C))
    # (e) TCP header cut by the end of the IPv4 datagram (total length 30: only 10 TCP bytes)
    bad.append(Pkt(t + 40 * MS, rawip4("192.0.2.55", tcp_raw(40055, 5), total=30),
                   False, C))
    pcap("gen-lying-lengths.pcap", DLT_EN10MB, link_eth(merge(good, bad)))


def gen_lifecycle():
    # gen-reuse: client closes with FIN/FIN; 2 s later a new SYN on the same 4-tuple with a
    # higher ISN (TIME_WAIT reuse); 200 s after that another one (outside 2*MSL: port reuse)
    pk = []
    for i, (dt, cisn, sisn) in enumerate(((0, 100000, 900000), (2 * SEC, 5000000, 9000000),
                                          (200 * SEC, 90000000, 700000))):
        start = pk[-1].ts + dt if pk else T0
        f = Flow("192.0.2.60", 40060, "198.51.100.70", 80, cisn, sisn, t=start)
        pk += f.full()
    pcap("gen-reuse.pcap", DLT_EN10MB, link_eth(pk))

    # gen-syn-retrans-same-isn: SYN, SYN again after 1 s and 3 s with the same ISN (Linux
    # backoff), then the handshake completes: one stream, not three
    f = Flow("192.0.2.61", 40061, "198.51.100.71", 80, 123456, 654321)
    isn = f.nxt[C]
    pk = [f.seg(C, "S", dt=0)]
    for dt in (1 * SEC, 2 * SEC):
        pk.append(f.seg(C, "S", dt=dt, seq=isn))
    pk += [f.seg(S, "SA", dt=10 * MS), f.seg(C, "A", dt=10 * MS)] + f.data() + f.close()
    pcap("gen-syn-retrans-same-isn.pcap", DLT_EN10MB, link_eth(pk))

    # gen-midstream: the capture starts in the middle of a connection (no SYN; the client has the
    # higher port), the connection is then closed by FIN; 5 s later a SYN on the same 4-tuple
    # with a new ISN opens a new connection
    f = Flow("192.0.2.62", 40062, "198.51.100.72", 80, 77777777, 88888888)
    pk = [f.seg(S, "PA", b"middle of a response\n", dt=0), f.seg(C, "A", dt=10 * MS),
          f.seg(C, "PA", b"GET /next HTTP/1.1\r\n\r\n", dt=5 * MS), f.seg(S, "A", dt=10 * MS)]
    pk += f.close()
    f = Flow("192.0.2.62", 40062, "198.51.100.72", 80, 1111111, 2222222, t=pk[-1].ts + 5 * SEC)
    pk += f.full()
    pcap("gen-midstream.pcap", DLT_EN10MB, link_eth(pk))

    # gen-wrap: both directions' sequence numbers cross 2^32 during the transfer
    f = Flow("192.0.2.63", 40063, "198.51.100.73", 80, 2**32 - 250, 2**32 - 1200)
    pk = f.handshake()
    pk.append(f.seg(C, "PA", b"q" * 200, dt=1 * MS))
    pk.append(f.seg(C, "PA", b"r" * 200, dt=1 * MS))   # client crosses 2^32 here
    pk.append(f.seg(S, "A", dt=10 * MS))
    for i in range(4):                         # the server's 3rd segment straddles 2^32
        pk.append(f.seg(S, "A" if i < 3 else "PA", bytes([65 + i]) * 500, dt=1 * MS))
    pk.append(f.seg(C, "A", dt=10 * MS))
    pk += f.close()
    pcap("gen-wrap.pcap", DLT_EN10MB, link_eth(pk))

    # gen-refused: SYN to a closed port answered by RST/ACK; the client retries once (new port)
    f = Flow("192.0.2.64", 40064, "198.51.100.74", 81, 424242, 0)
    pk = [f.seg(C, "S", dt=0), f.seg(S, "RA", dt=1 * MS, opts=[], seq=0, win=0)]
    f = Flow("192.0.2.64", 40065, "198.51.100.74", 81, 434343, 0, t=T0 + 1 * SEC)
    pk += [f.seg(C, "S", dt=0), f.seg(S, "RA", dt=1 * MS, opts=[], seq=0, win=0)]
    pcap("gen-refused.pcap", DLT_EN10MB, link_eth(pk))

    # gen-reset: established connection, server sends part of a response then resets it
    f = Flow("192.0.2.65", 40066, "198.51.100.75", 80, 515151, 616161)
    pk = f.handshake()
    pk.append(f.seg(C, "PA", b"GET /big HTTP/1.1\r\n\r\n", dt=1 * MS))
    pk.append(f.seg(S, "A", dt=10 * MS))
    pk.append(f.seg(S, "PA", b"D" * 1000, dt=1 * MS))
    pk.append(f.seg(C, "A", dt=10 * MS))
    pk.append(f.seg(S, "RA", dt=5 * MS, opts=[]))
    pcap("gen-reset.pcap", DLT_EN10MB, link_eth(pk))


def gen_listen_queue():
    # gen-accept-overflow-rst: the handshake completes, the client sends a
    # request, and the server (accept queue full, tcp_abort_on_overflow=1)
    # answers with a bare RST <SEQ=ISN+1> twice (one per client segment in
    # flight): one accept_overflow_rst, no connection_reset.  A second
    # connection is accepted and then aborted by the application (RST with
    # ACK, after data): a connection_reset, not an overflow.
    f = Flow("192.0.2.70", 41000, "198.51.100.70", 8080, 1110000, 2220000, timestamps=False)
    pk = f.handshake(rtt=2 * MS)
    pk.append(f.seg(C, "PA", b"GET / HTTP/1.1\r\n\r\n", dt=1 * MS))
    pk.append(f.seg(S, "R", dt=1 * MS, seq=2220001, ack=0, win=0, advance=False))
    pk.append(f.seg(C, "PA", b"more", dt=1 * MS))
    pk.append(f.seg(S, "R", dt=1 * MS, seq=2220001, ack=0, win=0, advance=False))
    g = Flow("192.0.2.71", 41001, "198.51.100.70", 8080, 3330000, 4440000, t=T0 + SEC,
             timestamps=False)
    pk2 = g.handshake(rtt=2 * MS)
    pk2.append(g.seg(C, "PA", b"GET / HTTP/1.1\r\n\r\n", dt=1 * MS))
    pk2.append(g.seg(S, "PA", b"HTTP/1.1 200 OK\r\n", dt=1 * MS))
    pk2.append(g.seg(S, "RA", dt=1 * MS))
    pcap("gen-accept-overflow-rst.pcap", DLT_EN10MB, link_eth(merge(pk, pk2)))

    # gen-accept-overflow-drop-fin: the handshake completes, the client sends
    # a 58-byte request with its FIN in the same segment, and the server,
    # its accept queue full (tcp_abort_on_overflow=0), drops that ACK and
    # re-sends its SYN-ACK at 1 s and 3 s; the client answers each with the
    # ACK and re-sends its request and FIN.  One accept_overflow_drop whose
    # message counts the 58 payload bytes, not the FIN's sequence number.
    f = Flow("192.0.2.74", 41200, "198.51.100.74", 8080, 5550000, 6660000)
    pk = f.handshake(rtt=2 * MS)
    req = b"GET /index.html HTTP/1.1\r\nHost: example.test\r\nX-Abc: d\r\n\r\n"
    assert len(req) == 58
    pk.append(f.seg(C, "FPA", req, dt=1 * MS))
    for wait in (1 * SEC, 2 * SEC):
        f.nxt[S] = (f.nxt[S] - 1) & M32
        pk.append(f.seg(S, "SA", dt=wait, ack=5550001))
        pk.append(f.seg(C, "A", dt=1 * MS, seq=5550001 + 59, ack=f.nxt[S]))
        pk.append(f.seg(C, "FPA", req, dt=200 * MS, seq=5550001, advance=False))
    pcap("gen-accept-overflow-drop-fin.pcap", DLT_EN10MB, link_eth(pk))

    # gen-synack-bad-ack: SYN-ACKs whose ack is, or is not, the SYN's ISN + 1 (or the end of
    # the data the SYN carried), around the 2^32 wrap.  One connection per case, one second
    # apart; synack_bad_ack only where the comment says so.
    pk = []
    cases = (
        (0xFFFFFFFF, b"", 0, False),         # stream 0: ack 0 = ISN + 1 across the wrap: good
        (0xFFFFFFFF, b"", -1, True),         # stream 1: ack = ISN (forgot the +1): bad, -1
        (0xFFFFFFF0, b"", 31, True),         # stream 2: ack 0x10, expected 0xfffffff1: bad, +31
        (1000, b"", 0, False),               # stream 3: plain and good
        (0xFFFFFFFA, b"0123456789", 10, False),  # stream 4: acks SYN data across the wrap: good
        (0xFFFFFFFA, b"0123456789", 11, True),   # stream 5: one past the SYN data: bad, +11
    )
    for i, (cisn, syn_data, off, bad) in enumerate(cases):
        f = Flow("192.0.2.73", 41100 + i, "198.51.100.73", 443, cisn, 7770000 + i * 1000,
                 t=T0 + i * SEC, timestamps=False)
        pk.append(f.seg(C, "S", syn_data, dt=0))
        synack_ack = (cisn + 1 + off) & M32
        pk.append(f.seg(S, "SA", dt=2 * MS, ack=synack_ack))
        if bad:
            # RFC 793 p.66: the SYN's sender refuses it with <SEQ=SEG.ACK><CTL=RST>; the
            # server re-sends the same SYN-ACK (one mistake, one event), refused again
            pk.append(f.seg(C, "R", dt=1 * MS, seq=synack_ack, ack=0, win=0, advance=False))
            f.nxt[S] = (f.nxt[S] - 1) & M32
            pk.append(f.seg(S, "SA", dt=200 * MS, ack=synack_ack))
            pk.append(f.seg(C, "R", dt=1 * MS, seq=synack_ack, ack=0, win=0, advance=False))
        else:
            f.nxt[C] = synack_ack
            pk.append(f.seg(C, "A", dt=2 * MS))
            pk += f.close(rtt=2 * MS)
    pcap("gen-synack-bad-ack.pcap", DLT_EN10MB, link_eth(pk))


def gen_teardown():
    # gen-simultaneous-close: both sides send a FIN before seeing the
    # other's (each FIN acks only the data), then each acknowledges the
    # other's: one simultaneous_close; both sides end in TIME_WAIT.
    f = Flow("192.0.2.72", 41002, "198.51.100.72", 7000, 5550000, 6660000, timestamps=False)
    pk = f.handshake(rtt=2 * MS) + f.data(rtt=2 * MS)
    cfin = f.nxt[C]
    sfin = f.nxt[S]
    pk.append(f.seg(C, "FA", dt=1 * MS))
    pk.append(f.seg(S, "FA", dt=0, ack=cfin))       # crosses the client's FIN
    pk.append(f.seg(C, "A", dt=1 * MS, ack=sfin + 1))
    pk.append(f.seg(S, "A", dt=0, ack=cfin + 1))
    pcap("gen-simultaneous-close.pcap", DLT_EN10MB, link_eth(pk))


def server_lines(f, lines, gap):
    """The server sends each line gap ns after the previous; the client ACKs each at once."""
    out = []
    for line in lines:
        out.append(f.seg(S, "PA", line, dt=gap))
        out.append(f.seg(C, "A", dt=1 * MS))
    return out


def gen_close_wait():
    # gen-close-wait-stuck: the client half-closes after its request; its FIN is re-sent
    # 200 ms later (the first copy's ACK never came), then acknowledged by the server, which
    # keeps sending a line every 3 s and closes only 14 s later: close_wait_stuck at the
    # server's ACK of the FIN, found at its first packet 10 s or more after (the line at +12 s).
    f = Flow("192.0.2.76", 41010, "198.51.100.76", 8080, 7770000, 8880000)
    pk = f.handshake() + f.data()
    pk.append(f.seg(C, "FA", dt=5 * MS))
    f.nxt[C] = (f.nxt[C] - 1) & M32
    pk.append(f.seg(C, "FA", dt=200 * MS))            # the FIN again, same seq
    pk.append(f.seg(S, "PA", b"tick 0\n", dt=1 * MS))  # acknowledges the FIN
    pk += server_lines(f, [b"tick %d\n" % i for i in range(1, 5)], 3 * SEC)
    pk.append(f.seg(S, "FA", dt=2 * SEC))
    pk.append(f.seg(C, "A", dt=1 * MS))
    pcap("gen-close-wait-stuck.pcap", DLT_EN10MB, link_eth(pk))

    # gen-close-wait-ok: a half-close that ends properly within the timeout: the client's
    # FIN is acknowledged, the server sends for 4 more seconds and closes after 6: no event.
    f = Flow("192.0.2.77", 41011, "198.51.100.76", 8080, 7771000, 8881000)
    pk = f.handshake() + f.data()
    pk.append(f.seg(C, "FA", dt=5 * MS))
    pk.append(f.seg(S, "A", dt=1 * MS))
    pk += server_lines(f, [b"more 0\n", b"more 1\n"], 2 * SEC)
    pk.append(f.seg(S, "FA", dt=2 * SEC))
    pk.append(f.seg(C, "A", dt=1 * MS))
    pcap("gen-close-wait-ok.pcap", DLT_EN10MB, link_eth(pk))

    # gen-close-wait-wrap: sequence numbers wrap during the teardown: the client's FIN takes
    # sequence number 2^32 - 1 (its ACK is 0) and the server's data in CLOSE_WAIT crosses 2^32
    # (3 x 100 bytes from 2^32 - 150): close_wait_stuck at the ACK, found at the line 12 s
    # after it, with 300 bytes sent in CLOSE_WAIT.
    req = b"GET /w HTTP/1.0\r\n\r\n"
    f = Flow("192.0.2.78", 41012, "198.51.100.76", 8080, (M32 - 1 - len(req)) & M32,
             (2**32 - 150 - 1 - 20) & M32)
    pk = f.handshake()
    pk.append(f.seg(C, "PA", req, dt=5 * MS))
    pk.append(f.seg(S, "PA", b"x" * 20, dt=1 * MS))
    pk.append(f.seg(C, "A", dt=1 * MS))
    assert f.nxt[C] == M32
    pk.append(f.seg(C, "FA", dt=5 * MS))               # FIN at 2^32 - 1
    pk.append(f.seg(S, "A", dt=1 * MS))                # ack 0
    pk += server_lines(f, [bytes([97 + i]) * 100 for i in range(3)], 4 * SEC)
    pcap("gen-close-wait-wrap.pcap", DLT_EN10MB, link_eth(pk))

    # gen-close-wait-silent: the server acknowledges the client's FIN and then says nothing
    # more; another connection keeps the capture going for 16 s: close_wait_stuck found at the
    # end of the capture, reported at the ACK (the first connection's last frame).
    f = Flow("192.0.2.79", 41013, "198.51.100.76", 8080, 7773000, 8883000)
    pk = f.handshake() + f.data()
    pk.append(f.seg(C, "FA", dt=5 * MS))
    pk.append(f.seg(S, "A", dt=1 * MS))
    g = Flow("192.0.2.80", 41014, "198.51.100.77", 8080, 7774000, 8884000, t=T0 + 10 * MS)
    pk2 = g.handshake()
    for i in range(8):
        pk2.append(g.seg(C, "PA", b"k", dt=2 * SEC))
        pk2.append(g.seg(S, "A", dt=1 * MS))
    pcap("gen-close-wait-silent.pcap", DLT_EN10MB, link_eth(merge(pk, pk2)))


def gen_close_wait_late():
    # gen-close-wait-late: the same 80 minutes into a connection (a line every 200 s until
    # then): the time of the FIN's ACK is kept to the millisecond past 35 minutes, where
    # 32 bits of microseconds would have wrapped after 71 (close_wait_stuck 15.000 s at the
    # ACK, found at the server's line 15 s after it).
    f = Flow("192.0.2.84", 41015, "198.51.100.76", 8080, 7775000, 8885000)
    pk = f.handshake()
    pk += server_lines(f, [b"hello\n"] * 24, 200 * SEC)
    pk.append(f.seg(C, "FA", dt=5 * MS))
    pk.append(f.seg(S, "A", dt=1 * MS))
    pk += server_lines(f, [b"late\n"], 15 * SEC)
    pcap("gen-close-wait-late.pcap", DLT_EN10MB, link_eth(pk))


def gen_synack_new_isn():
    # gen-synack-new-isn: stream 0, a client's SYN re-sent after 1 s reaches two servers behind
    # a load balancer: the first answers (ISN 6000000), the connection is established and
    # carries a request, then the second server's SYN-ACK (ISN 9000000, its own TSval clock)
    # for the same SYN arrives: synack_new_isn at frame 8; the client answers it with a
    # challenge ACK of the old numbers (RFC 5961 4.2) and the first server's answer follows.
    # Stream 1, the control: a SYN-ACK re-sent with the same ISN after the client's ACK (lost
    # on its way): a synack_retransmit, no synack_new_isn.
    f = Flow("192.0.2.90", 41020, "198.51.100.90", 443, 5000000, 6000000)
    pk = [f.seg(C, "S", dt=0)]
    f.nxt[C] = (f.nxt[C] - 1) & M32
    pk.append(f.seg(C, "S", dt=1 * SEC))
    pk.append(f.seg(S, "SA", dt=10 * MS))
    pk.append(f.seg(C, "A", dt=10 * MS))
    pk.append(f.seg(C, "PA", b"GET / HTTP/1.1\r\nHost: example.test\r\n\r\n", dt=1 * MS))
    pk.append(f.seg(S, "A", dt=10 * MS))
    pk.append(f.seg(S, "PA", b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", dt=1 * MS))
    pk.append(f.seg(S, "SA", dt=15 * MS, seq=9000000, ack=5000001, advance=False,
                    opts=syn_opts(4242000, f.tsval[C] - 2)))
    pk.append(f.seg(C, "A", dt=1 * MS))                 # challenge ACK: the old numbers
    pk += f.close()
    g = Flow("192.0.2.91", 41021, "198.51.100.90", 443, 5100000, 6100000, t=f.t + 100 * MS)
    pk2 = g.handshake()
    pk2.append(g.seg(S, "SA", dt=1 * SEC, seq=6100000, advance=False))
    pk2.append(g.seg(C, "A", dt=10 * MS))
    pk2 += g.data() + g.close()
    pcap("gen-synack-new-isn.pcap", DLT_EN10MB, link_eth(pk + pk2))


def tw_old(cport, cisn, sisn, timestamps=True, req=b"GET / HTTP/1.0\r\n\r\n"):
    """A short connection the server closes first (its FIN, the client's, the server's ACK):
    the server is left in TIME_WAIT."""
    f = Flow("192.0.2.81", cport, "198.51.100.78", 8080, cisn, sisn, timestamps=timestamps)
    pk = f.handshake()
    pk.append(f.seg(C, "PA", req, dt=5 * MS))
    pk.append(f.seg(S, "PA", b"ok\n", dt=1 * MS))
    pk.append(f.seg(C, "A", dt=1 * MS))
    pk += f.close(closer=S)
    return f, pk


def tw_refused(old, new, pk):
    """The TIME_WAIT side refuses new's SYN (already in pk): it answers with an ACK of the
    old connection, the client (SYN-SENT) resets it (seq = that ack), which ends the
    TIME_WAIT, and re-sends its SYN 1 s later, which the listener accepts."""
    isn = (new.nxt[C] - 1) & M32
    opts = ts_opts(old.tsval[S], old.tsval[C] - 1) if old.timestamps else []
    old.t = new.t
    pk.append(old.seg(S, "A", dt=50000, opts=opts))
    new.t = old.t
    pk.append(new.seg(C, "R", dt=30000, seq=old.nxt[C], ack=0, win=0, opts=[], advance=False))
    new.nxt[C] = isn
    pk.append(new.seg(C, "S", dt=1 * SEC))
    return pk


def gen_time_wait_reuse():
    # gen-tw-reuse-ts-newer: the server closed first and is in TIME_WAIT; 1 s later the client
    # reuses the 4-tuple with an ISN below the old connection's but a newer TSval: acceptable
    # (RFC 6191); the server answers with a SYN-ACK whose ISN is the old one's snd_nxt + 65537
    # (Linux's choice for a SYN accepted in TIME_WAIT).  A new stream (the ISN differs).
    old, pk = tw_old(41020, 50000000, 60000000)
    new = Flow("192.0.2.81", 41020, "198.51.100.78", 8080, 40000000,
               (old.nxt[S] + 65537 - 1) & M32, t=old.t + 1 * SEC)
    new.tsval = [old.tsval[C] + 1000, old.tsval[S] + 1000]
    pk += new.full()
    pcap("gen-tw-reuse-ts-newer.pcap", DLT_EN10MB, link_eth(pk))

    # gen-tw-reuse-refused: the same with both the ISN and the TSval below the old
    # connection's (a client with another TS clock: another host behind the same NAT
    # address): not acceptable (PAWS); the TIME_WAIT side answers with an ACK of the old
    # connection, the client resets and re-sends its SYN, the listener accepts it.
    old, pk = tw_old(41021, 50000000, 60000000)
    new = Flow("192.0.2.81", 41021, "198.51.100.78", 8080, 40000000, 90000000,
               t=old.t + 1 * SEC)
    new.tsval = [old.tsval[C] - 5000, old.tsval[S] + 1000]
    pk.append(new.seg(C, "S", dt=0))
    tw_refused(old, new, pk)
    pk += [new.seg(S, "SA", dt=1 * MS), new.seg(C, "A", dt=1 * MS)] + new.data()
    pk += new.close(closer=S)
    pcap("gen-tw-reuse-refused.pcap", DLT_EN10MB, link_eth(pk))

    # gen-tw-reuse-wrap: the ISN comparison across 2^32, without timestamps.  Port 41022: the
    # old client's sequence numbers end just below 2^32 and the new ISN is 0x100: above it
    # modulo 2^32, accepted.  Port 41023: the old client's end just past 2^32 and the new ISN
    # is 0xffffff00, numerically larger but below it modulo 2^32: refused.
    old, pk = tw_old(41022, 2**32 - 200, 70000000, timestamps=False)
    assert old.nxt[C] > 2**32 - 200
    new = Flow("192.0.2.81", 41022, "198.51.100.78", 8080, 0x100,
               (old.nxt[S] + 65537 - 1) & M32, t=old.t + 1 * SEC, timestamps=False)
    pk += new.handshake() + new.close()
    old2, pk2 = tw_old(41023, 2**32 - 20, 71000000, timestamps=False)
    assert old2.nxt[C] < 100
    for p in pk2:
        p.ts += 3 * SEC
    old2.t += 3 * SEC
    new2 = Flow("192.0.2.81", 41023, "198.51.100.78", 8080, 0xffffff00, 91000000,
                t=old2.t + 1 * SEC, timestamps=False)
    pk2.append(new2.seg(C, "S", dt=0))
    tw_refused(old2, new2, pk2)
    pk2 += [new2.seg(S, "SA", dt=1 * MS), new2.seg(C, "A", dt=1 * MS)] + new2.close()
    pcap("gen-tw-reuse-wrap.pcap", DLT_EN10MB, link_eth(merge(pk, pk2)))


def gen_long_spans():
    # gen-zero-window-long: the server's window stays zero for 5,000 s (longer than 2^32 us,
    # 71.6 minutes, where 32-bit microsecond spans wrapped: it was reported as 705 s), then a
    # window update opens it; run with --idle-timeout 6000 so the quiet connection stays
    f = Flow("192.0.2.90", 40090, "198.51.100.90", 80, 3141592, 2718281)
    pk = f.handshake()
    pk.append(f.seg(C, "PA", b"GET /slow HTTP/1.1\r\n\r\n", dt=1 * MS))
    pk.append(f.seg(S, "A", dt=10 * MS, win=0))
    pk.append(f.seg(S, "A", dt=5000 * SEC))
    pk += f.data(req=b"GET /more HTTP/1.1\r\n\r\n") + f.close()
    pcap("gen-zero-window-long.pcap", DLT_EN10MB, link_eth(pk))


def gen_resets():
    # gen-rst-bad-seq: resets a receiver must ignore (RFC 793 3.4, RFC 5961).  Port 41030: a
    # RST|ACK answering the SYN that acknowledges ISN + 5, not ISN + 1; the SYN is re-sent
    # and the handshake completes.  Port 41031: a RST without the ACK flag answering a SYN.
    # Ports 41032 and 41034: an established connection gets a RST outside the client's window
    # (its scaled window is 64240 << 7), 2^30 below RCV.NXT, or above it (injections); each goes
    # on and closes with FINs: no connection_reset, and the server's later data is new data,
    # not a retransmission (an ignored RST says nothing of its sender's sequence).
    f = Flow("192.0.2.82", 41030, "198.51.100.79", 8080, 1000, 5000)
    pk = [f.seg(C, "S", dt=0)]
    pk.append(f.seg(S, "RA", dt=1 * MS, seq=0, ack=1000 + 5, win=0, opts=[], advance=False))
    f.nxt[C] = 1000
    pk.append(f.seg(C, "S", dt=1 * SEC))
    pk += [f.seg(S, "SA", dt=10 * MS), f.seg(C, "A", dt=10 * MS)] + f.close()
    g = Flow("192.0.2.82", 41031, "198.51.100.79", 8080, 2000, 6000, t=T0 + 2 * SEC)
    pk += [g.seg(C, "S", dt=0), g.seg(S, "R", dt=1 * MS, seq=6000, ack=0, win=0, opts=[],
                                     advance=False)]
    for i, off in enumerate((-2**30, 2**30)):
        h = Flow("192.0.2.82", 41032 + 2 * i, "198.51.100.79", 8080, 3000, 7000,
                 t=T0 + (3 + i) * SEC)
        pk += h.handshake() + h.data()
        pk.append(h.seg(S, "R", dt=5 * MS, seq=(h.nxt[S] + off) & M32, ack=0, win=0, opts=[],
                        advance=False))
        pk += h.data(req=b"GET /again HTTP/1.0\r\n\r\n", resp=(b"still here\n",)) + h.close()
    pcap("gen-rst-bad-seq.pcap", DLT_EN10MB, link_eth(pk))

    # gen-fin-retransmit: the client's FIN is re-sent 300 ms later (its ACK lost beyond the
    # capture point); then the server acknowledges it and closes: one retransmission (of a
    # FIN), nothing else.
    f = Flow("192.0.2.83", 41033, "198.51.100.79", 8080, 4000, 8000)
    pk = f.handshake() + f.data()
    pk.append(f.seg(C, "FA", dt=5 * MS))
    f.nxt[C] = (f.nxt[C] - 1) & M32
    pk.append(f.seg(C, "FA", dt=300 * MS))
    pk.append(f.seg(S, "A", dt=10 * MS))
    pk.append(f.seg(S, "FA", dt=1 * MS))
    pk.append(f.seg(C, "A", dt=10 * MS))
    pcap("gen-fin-retransmit.pcap", DLT_EN10MB, link_eth(pk))


def gen_capacity():
    # gen-evict: 1,200 connections open at once (a SYN, a SYN-ACK and the
    # final ACK each), then the first 100 send data again.  Run with
    # --memcap 200K (gen-evict.pcap.args) the table holds 1,024 connections,
    # so the oldest are evicted, reported, and come back under their own
    # stream numbers ("resumed"); the summary counts the evictions.
    flows = []
    pk = []
    for i in range(1200):
        f = Flow("10.%d.%d.2" % (i // 250, i % 250), 20000 + i, "192.0.2.80", 443,
                 1000 + 7919 * i, 5000 + 104729 * i, t=T0 + i * MS, timestamps=False)
        flows.append(f)
        pk += f.handshake(rtt=2 * MS)
    for i, f in enumerate(flows[:100]):
        f.t = T0 + 5 * SEC + i * MS
        pk.append(f.seg(C, "PA", b"x" * 10, dt=0))
    pcap("gen-evict.pcap", DLT_EN10MB, link_eth(merge(pk)))

    # gen-idle: a connection quiet for 400 s in the middle; with
    # --idle-timeout 300 (gen-idle.pcap.args) it is reported as
    # idle_timeout and resumed under the same stream when it speaks again.
    f = Flow("192.0.2.90", 45000, "198.51.100.90", 22, 777000, 888000, timestamps=False)
    pk = f.handshake() + f.data()
    f.t += 400 * SEC
    pk += f.data() + f.close()
    pcap("gen-idle.pcap", DLT_EN10MB, link_eth(pk))


US = 10**3


def copy_of(p, dt):
    """The same IP packet again dt ns later: a copy made by the network (same IP ID, TSval,
    everything)."""
    return Pkt(p.ts + dt, p.l3, p.v6, p.side)


def resend_same_ipid(f, side, flags, data=b"", dt=0, seq=None, ack=None):
    """Re-send a segment keeping the IP ID of the previous packet of side (some stacks do):
    a retransmission, not a copy, when it comes an RTO later."""
    f.ipid[side] = (f.ipid[side] - 1) & 0xFFFF
    return f.seg(side, flags, data, dt=dt, seq=seq, ack=ack, advance=False)


def gen_copies():
    # gen-netdup-control: control segments copied by the network (issue 12, class 1).
    # Stream 0: the SYN, the SYN-ACK and the client's FIN each arrive twice, 12-20 us apart,
    # byte for byte the same (IP ID, TSval): three network_duplicate, no syn_retransmit,
    # synack_retransmit or retransmission.
    f = Flow("192.0.2.120", 42000, "198.51.100.120", 443, 1200000, 2200000)
    pk = []
    syn = f.seg(C, "S", dt=0)
    pk += [syn, copy_of(syn, 15 * US)]
    sa = f.seg(S, "SA", dt=10 * MS)
    pk += [sa, copy_of(sa, 20 * US)]
    pk.append(f.seg(C, "A", dt=10 * MS))
    pk += f.data()
    fin = f.seg(C, "FA", dt=5 * MS)
    pk += [fin, copy_of(fin, 12 * US)]
    pk += [f.seg(S, "FA", dt=10 * MS), f.seg(C, "A", dt=10 * MS)]
    # Stream 1: a SYN lost after the capture point, re-sent 1 s later (new IP ID: a real
    # syn_retransmit, attempt 2), and that retry copied 8 us later (network_duplicate; the
    # retry schedule does not move: the SYN-ACK answers attempt 2).
    g = Flow("192.0.2.121", 42001, "198.51.100.120", 443, 1210000, 2210000, t=T0 + 1 * SEC)
    isn = g.nxt[C]
    pk2 = [g.seg(C, "S", dt=0)]
    retry = g.seg(C, "S", dt=1 * SEC, seq=isn)
    pk2 += [retry, copy_of(retry, 8 * US)]
    pk2 += [g.seg(S, "SA", dt=10 * MS), g.seg(C, "A", dt=10 * MS)] + g.data() + g.close()
    pcap("gen-netdup-control.pcap", DLT_EN10MB, link_eth(merge(pk, pk2)))

    # gen-netdup-span: a SPAN port mirroring two VLANs shows every frame of a connection
    # twice, 4 us apart, tagged 10 then 20 (802.1Q): every second frame, SYN, SYN-ACK and
    # FINs included, is a network_duplicate; nothing is a retransmission.
    f = Flow("192.0.2.122", 42002, "198.51.100.122", 80, 1220000, 2220000)
    pk = []
    for p in f.full():
        q = copy_of(p, 4 * US)
        p.frame = eth_hdr(p, ((0x8100, 10),)) + p.l3
        q.frame = eth_hdr(q, ((0x8100, 20),)) + q.l3
        pk += [p, q]
    pcap("gen-netdup-span.pcap", DLT_EN10MB, pk)

    # gen-resend-same-ipid: a stack that keeps the IP ID when it re-sends (no timestamps, so
    # nothing else tells the copies apart).  Issue 12, class 2: the same IP ID an RTO later is
    # a retransmission, never a network_duplicate.
    # Stream 0: the client's request re-sent 0.3, 0.6, 1.2 and 2.4 s after the previous
    # transmission (an RTO backoff): four retransmissions.  Its FIN is re-sent 0.3 s later
    # with the same IP ID: a retransmission.  (The server greets first, so its silence after
    # the request is loss, not a full accept queue.)
    f = Flow("192.0.2.123", 42003, "198.51.100.123", 8080, 1230000, 2230000, timestamps=False)
    pk = f.handshake()
    pk += [f.seg(S, "PA", b"220 ready\r\n", dt=1 * MS), f.seg(C, "A", dt=10 * MS)]
    req = b"GET /slow HTTP/1.1\r\n\r\n"
    start = f.nxt[C]
    pk.append(f.seg(C, "PA", req, dt=1 * MS))
    for gap in (300 * MS, 600 * MS, 1200 * MS, 2400 * MS):
        pk.append(resend_same_ipid(f, C, "PA", req, dt=gap, seq=start))
    pk.append(f.seg(S, "A", dt=10 * MS))
    pk.append(f.seg(S, "PA", b"HTTP/1.1 204 No Content\r\n\r\n", dt=1 * MS))
    pk.append(f.seg(C, "A", dt=10 * MS))
    fin_seq = f.nxt[C]
    pk.append(f.seg(C, "FA", dt=1 * MS))
    pk.append(resend_same_ipid(f, C, "FA", dt=300 * MS, seq=fin_seq))
    pk += [f.seg(S, "FA", dt=10 * MS), f.seg(C, "A", dt=10 * MS)]
    # Stream 1: a SYN re-sent with the same IP ID after 1 s and 2 s (Linux-like backoff):
    # two syn_retransmit (attempts 2 and 3), exponential, no network_duplicate.
    g = Flow("192.0.2.124", 42004, "198.51.100.123", 8080, 1240000, 2240000, t=T0 + 10 * SEC,
             timestamps=False)
    isn = g.nxt[C]
    pk2 = [g.seg(C, "S", dt=0)]
    for gap in (1 * SEC, 2 * SEC):
        pk2.append(resend_same_ipid(g, C, "S", dt=gap, seq=isn))
    g.nxt[C] = (isn + 1) & M32
    pk2 += [g.seg(S, "SA", dt=10 * MS), g.seg(C, "A", dt=10 * MS)] + g.data() + g.close()
    pcap("gen-resend-same-ipid.pcap", DLT_EN10MB, link_eth(merge(pk, pk2)))


def gen_flood():
    # gen-syn-flood-drops: a SYN flood without SYN cookies (issue 12 class 5, issue 11
    # defect 7).  2000 SYNs in 1 s from 241 spoofed sources (198.18.0.0/15, each sending
    # several from other ports) to 192.0.2.130:80; the server answers the first 150 (its SYN
    # queue then full: TcpExtListenDrops) and drops the rest, and one real client
    # (192.0.2.131) completes its handshake and an exchange in the middle.  syn_flood must say:
    # 242 sources (exact: the 241 and the real client), 2001 SYNs, 151 SYN-ACKs (peak 151 half-open: the 150 answered and the
    # real one before its ACK), 1850 dropped; the same under any --memcap.
    pk = []
    t = T0
    for i in range(2000):
        src = "198.18.%d.%d" % ((i % 241) // 200, (i % 241) % 200 + 1)
        f = Flow(src, 30000 + i, "192.0.2.130", 80, 5000000 + i * 7919, 9000000 + i * 104729,
                 t=t, timestamps=False, ipid=(i & 0xFFFF, 0x4000 + i))
        pk.append(f.seg(C, "S", dt=0))
        if i < 150:
            pk.append(f.seg(S, "SA", dt=100 * US))
        t += 500 * US
        if i == 1000:
            g = Flow("192.0.2.131", 40131, "192.0.2.130", 80, 777, 888, t=t + 100 * US,
                     timestamps=False)
            pk += g.handshake(rtt=200 * US) + g.data(rtt=200 * US) + g.close(rtt=200 * US)
    pcap("gen-syn-flood-drops.pcap", DLT_EN10MB, link_eth(merge(pk)))


def gen_cookie_clock():
    # gen-cookie-synthetic-clock: issue 12 class 4.  A capture at the server (SYN -> SYN-ACK
    # 100 us) whose timestamps are synthetic: each connection's packets 100-200 us apart while
    # the server's TSval advances by 20 between its SYN-ACK and its next segment.  Taken at face
    # value, every SYN-ACK's TSval lags the server's clock by ~20 ms, as a SYN cookie's does.
    # Stream 5's SYN-ACK is re-sent 1 s later with a TSval only 250 higher (a 250 Hz TSval
    # clock): the server's TSval clock does not keep step with the capture's, so the TSval
    # evidence is not used and no syn_cookie is reported (the old rule said "high confidence").
    pk = []
    for i in range(6):
        f = Flow("192.0.2.140", 43000 + i, "198.51.100.140", 8443, 6100000 + i * 1000,
                 7100000 + i * 1000, t=T0 + i * 2 * SEC)
        pk.append(f.seg(C, "S", dt=0))
        sa_ts = f.tsval[S]
        sa = f.seg(S, "SA", dt=100 * US)
        pk.append(sa)
        if i == 5:
            f.nxt[S] = (f.nxt[S] - 1) & M32
            pk.append(f.seg(S, "SA", dt=1 * SEC, opts=syn_opts(sa_ts + 250, f.tsval[C] - 1)))
            f.tsval[S] = sa_ts + 251
        pk.append(f.seg(C, "A", dt=100 * US))
        pk.append(f.seg(C, "PA", b"GET / HTTP/1.1\r\n\r\n", dt=100 * US))
        f.tsval[S] += 20                       # the synthetic jump
        pk.append(f.seg(S, "PA", b"HTTP/1.1 204 No Content\r\n\r\n", dt=200 * US))
        pk.append(f.seg(C, "A", dt=100 * US))
        pk += f.close(rtt=400 * US)
    pcap("gen-cookie-synthetic-clock.pcap", DLT_EN10MB, link_eth(pk))


def gen_cookie_clock_slope():
    # gen-cookie-clock-slope: issue 12 class 4, the server's TSval clock timed by its segments
    # after the handshake (no re-sent SYN-ACK).  Capture at the server (SYN -> SYN-ACK 50 us).
    # Listener 198.51.100.160:8443, streams 0-3 (0.3 s apart): each SYN-ACK's TSval is the
    # server's 1 kHz clock set back 17, 41, 29, 53 ms (a cookie's), and the server answers the
    # request at once, then twice more 200 ms apart: its segments after the handshake time its
    # clock over 0.4 s each, in step with the capture's.  syn_cookie: 4 SYN-ACKs, high
    # confidence (TSval set back, clock in step).
    # Listener 198.51.100.161:8443, streams 4-7, the same exchange with SYN-ACKs not set back,
    # but the server's TSval advances 4 ticks per capture ms (a synthetic or slow capture
    # clock): SYN-ACK to the next segment 6 ms later looks set back 18 ms; its segments after
    # the handshake show 4 ticks per ms, so the TSval evidence is not used: no syn_cookie.
    pk = []
    stream_t = T0
    for srv, rate, lags in (("198.51.100.160", 1, (17, 41, 29, 53)),
                            ("198.51.100.161", 4, (0, 0, 0, 0))):
        for i, lag in enumerate(lags):
            f = Flow("192.0.2.160", 45000 + i, srv, 8443, 6300000 + i * 1000,
                     7300000 + i * 1000, t=stream_t)
            base = 5000000 + i * 777777          # a TSval offset per connection
            t0 = f.t

            def clk(side, f=f, base=base, t0=t0, rate=rate):
                if side == C:
                    return 900000 + (f.t - t0) // MS
                return base + rate * ((f.t - t0) // MS)

            def seg(side, flags, data=b"", dt=1 * MS, lag=0, f=f, clk=clk):
                f.t += dt
                ts = clk(side) - lag
                other_ts = f.tsval[1 - side]
                opts = (syn_opts(ts, other_ts if "A" in flags else 0) if "S" in flags
                        else ts_opts(ts, other_ts))
                f.t -= dt
                p = f.seg(side, flags, data, dt=dt, opts=opts)
                f.tsval[side] = ts
                return p
            pk.append(seg(C, "S", dt=0))
            pk.append(seg(S, "SA", dt=50 * US, lag=lag))
            pk.append(seg(C, "A", dt=100 * US))
            pk.append(seg(C, "PA", b"GET / HTTP/1.1\r\n\r\n", dt=100 * US))
            pk.append(seg(S, "PA", b"HTTP/1.1 200 OK\r\n\r\n", dt=6 * MS))
            pk.append(seg(C, "A", dt=100 * US))
            for _ in range(2):
                pk.append(seg(S, "PA", b"more\n", dt=200 * MS))
                pk.append(seg(C, "A", dt=100 * US))
            pk.append(seg(C, "FA", dt=1 * MS))
            pk.append(seg(S, "FA", dt=100 * US))
            pk.append(seg(C, "A", dt=100 * US))
            stream_t += 300 * MS
    pk.sort(key=lambda p: p.ts)
    pcap("gen-cookie-clock-slope.pcap", DLT_EN10MB, link_eth(pk))


def gen_cookie_no_timestamps():
    # gen-cookie-no-timestamps: issue 12 class 7, what a SYN cookie costs a connection whose
    # SYN had no timestamp option.  Listener 198.51.100.170:80, no timestamps anywhere.
    # Stream 0: SYN with MSS 1460, window scale 7, SACK-permitted; the SYN-ACK echoes window
    # scale and SACK-permitted (a request socket: the listener has them enabled).
    # Stream 1 (1 s later): SYN with MSS 1400, window scale 7, SACK-permitted; the SYN-ACK
    # (frame 13) carries only MSS: a cookie, which has nowhere to keep the others.  RTT 20 ms
    # (SYN -> SYN-ACK 10 ms, SYN-ACK -> ACK 10 ms).  syn_cookie: 1 SYN-ACK, medium (options
    # dropped, one kind); cookie_synack at frame 11, stream 1: window scaling and SACK lost,
    # the window capped at 65535 bytes per round trip = 26.2 Mbit/s at 20 ms; cookie MSS 1300.
    no_ts = [("MSS", 1460), ("NOP", None), ("WScale", 7), ("NOP", None), ("NOP", None),
             ("SAckOK", b"")]
    pk = []
    for i, (mss, echo) in enumerate(((1460, True), (1400, False))):
        f = Flow("192.0.2.170", 46000 + i, "198.51.100.170", 80, 6700000 + i * 1000,
                 7700000 + i * 1000, t=T0 + i * SEC, timestamps=False)
        syn = [("MSS", mss)] + no_ts[1:]
        pk.append(f.seg(C, "S", dt=0, opts=syn))
        pk.append(f.seg(S, "SA", dt=10 * MS, opts=no_ts if echo else [("MSS", 1460)]))
        pk.append(f.seg(C, "A", dt=10 * MS))
        pk += f.data(rtt=20 * MS) + f.close(rtt=20 * MS)
    pcap("gen-cookie-no-timestamps.pcap", DLT_EN10MB, link_eth(merge(pk)))


def gen_one_sided():
    # gen-one-sided: issue 12 class 3.  Asymmetric routing: the capture sees only the client's
    # direction.  The client's SYN, then its ACK of the server's ISN + 1, its request, its ACKs
    # of the server's data and its FIN: the SYN was answered (the client could not acknowledge
    # the SYN-ACK otherwise), so no syn_unanswered.
    f = Flow("192.0.2.150", 44000, "198.51.100.150", 80, 8100000, 9100000)
    pk = [p for p in f.full() if p.side == C]
    pcap("gen-one-sided.pcap", DLT_EN10MB, link_eth(pk))


def gen_port_scan():
    # gen-port-scan: a port scan as nmap -sS makes it (issue 17 item 5, bursts grouped).
    # 203.0.113.9 sends one SYN from port 51234 to each of ports 1-1000 of 198.51.100.20, in
    # a fixed shuffled order, 200 us apart: ports 22, 80 and 443 answer with a SYN-ACK (the
    # scanner resets), ports 100-149 never answer (filtered), the 947 others refuse (RST-ACK
    # after 100 us).  Then it probes port 23 on the 40 hosts 198.51.100.101-140, all
    # refusing.  Text output: one line for the 947 refused ports of the host, one for the
    # 50 unanswered, one for the 40 hosts' port 23 (grouped by the scanner), the open ports
    # as they are; JSON keeps every event.
    pk = []
    t = T0
    opened, filtered = (22, 80, 443), range(100, 150)
    targets = [("198.51.100.20", (i * 337) % 1000 + 1) for i in range(1000)]
    targets += [("198.51.100.%d" % h, 23) for h in range(101, 141)]
    for i, (host, port) in enumerate(targets):
        f = Flow("203.0.113.9", 51234, host, port, 0x5ca40000 + i * 7919, 0x7e570000 + i * 104729,
                 t=t, timestamps=False, ipid=((0x2000 + i) & 0xFFFF, 0))
        pk.append(f.seg(C, "S", dt=0, opts=[("MSS", 1460)], win=1024))
        if port in opened:
            pk.append(f.seg(S, "SA", dt=100 * US))
            pk.append(f.seg(C, "R", dt=100 * US, ack=0, win=0, opts=[]))
        elif port not in filtered or host != "198.51.100.20":
            pk.append(f.seg(S, "RA", dt=100 * US, seq=0, win=0, opts=[]))
        t += 200 * US
    pcap("gen-port-scan.pcap", DLT_EN10MB, link_eth(merge(pk)))


def gen_one_sided_unanswered():
    # gen-one-sided-unanswered: issue 12 class 3, a capture of the client's direction only.
    # Stream 0 (frames 1-6): a full exchange to 198.51.100.151:80 whose SYN-ACK, data and FIN
    # the capture never saw: the client acknowledges them (one-sided, handshake completed
    # without the SYN-ACK captured).  Stream 1 (frames 7-9): a SYN to 198.51.100.152:443, re-sent
    # after 1 and 3 s, never acknowledged; that address sends nothing in the whole capture, so
    # the capture cannot say whether it answered: one-sided, no syn_unanswered.
    # Stream 2 (frames 10-12): the same towards 198.51.100.151:81, whose address the capture
    # shows sending nothing either (stream 0's SYN-ACK went another way): one-sided.
    # Summary: 3 connections seen in one direction only.
    f = Flow("192.0.2.151", 44100, "198.51.100.151", 80, 8200000, 9200000)
    pk = [p for p in f.full() if p.side == C]
    for i, (srv, port) in enumerate((("198.51.100.152", 443), ("198.51.100.151", 81))):
        g = Flow("192.0.2.151", 44101 + i, srv, port, 8300000 + i, 9300000 + i,
                 t=T0 + (1 + 5 * i) * SEC)
        isn = g.nxt[C]
        pk.append(g.seg(C, "S", dt=0))
        for gap in (1 * SEC, 2 * SEC):
            g.nxt[C] = isn
            pk.append(g.seg(C, "S", dt=gap))
    pcap("gen-one-sided-unanswered.pcap", DLT_EN10MB, link_eth(merge(pk)))


def main():
    global OUT
    here = os.path.dirname(os.path.abspath(__file__))
    OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "pcaps")
    os.makedirs(OUT, exist_ok=True)
    gen_link_layers()
    gen_ip_layers()
    gen_tcp_options()
    gen_file_formats()
    gen_pcapng_sections()
    gen_malformed()
    gen_lifecycle()
    gen_capacity()
    gen_listen_queue()
    gen_teardown()
    gen_close_wait()
    gen_close_wait_late()
    gen_synack_new_isn()
    gen_time_wait_reuse()
    gen_resets()
    gen_long_spans()
    gen_copies()
    gen_flood()
    gen_cookie_clock()
    gen_cookie_clock_slope()
    gen_cookie_no_timestamps()
    gen_one_sided()
    gen_port_scan()
    gen_one_sided_unanswered()


if __name__ == "__main__":
    main()
