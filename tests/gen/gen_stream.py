#!/usr/bin/env python3
"""Generate the byte-stream analysis captures tests/pcaps/gen-stream-<case>.pcap and their truth
files tests/gen/stream-truth/<case>.truth.

Usage:  /usr/bin/python3 tests/gen/gen_stream.py [--pcapdir DIR] [--truthdir DIR] [--list]
        (needs scapy; the checked-in files were made with scapy 2.5.0)

Every case is a short, realistic TCP connection (handshake with MSS / SACK-permitted / window
scale / timestamps, data, ACKs, FIN close) that contains one corner case of the byte-stream
detectors (retransmission, dup ACK, zero window, keep-alive, ... see doc of the rules in the
truth files' headers and in tests/truth_check.py).  Deterministic: fixed addresses, ports, ISNs,
IP IDs, TSvals and capture timestamps, no randomness, no clock.

The truth is derived twice and the two derivations must agree, otherwise the generator stops:
  1. every packet a scenario writes carries the list of event kinds the scenario author intends
     (expect=...), so frame numbers come from the generator, never from hand counting;
  2. an independent reference model of the detector rules (analyze() below) is run over the
     packets actually written.
The truth file lists every (kind, frame, stream) of a byte-stream kind; it is complete: the
checker allows no other byte-stream-kind event in that capture.

Sequence wraparound: every kind is also generated 'before', 'at' and 'across' the 2^32 wrap of
the client's sequence space (case names wrap-<kind>-<pos>): the client ISN is chosen so that the
sequence number of interest (marked by the scenario with key()) is 2^32-2000 (before: the
connection wraps later), exactly 0 (at) or in the middle of the segment of interest (across).
seq_wraparound is reported on the segment that moves S.nextseq from <= 0xffffffff to a value
past it, including a segment ending exactly at 2^32 (nextseq becomes 0).
"""

import argparse
import os
import struct
import sys

import logging
logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
try:
    from scapy.layers.inet import IP, TCP  # noqa: E402
    from scapy.packet import Raw  # noqa: E402
except ImportError:
    sys.exit("gen_stream.py: scapy is not installed (use /usr/bin/python3 or pip install scapy)")

M = 0xFFFFFFFF
MOD = 1 << 32
US = 1                      # time unit: microseconds
MS = 1000
SEC = 1000000
T0 = 1700000000 * SEC       # 2023-11-14T22:13:20Z

BYTE_STREAM_KINDS = [
    "zero_window_probe", "zero_window", "zero_window_end", "lost_segment", "keep_alive",
    "window_update", "window_full", "dup_ack", "acked_unseen", "network_duplicate",
    "spurious_retransmission", "fast_retransmission", "out_of_order", "retransmission",
    "seq_wraparound",
]

C, S = 0, 1
MAC = {C: bytes.fromhex("020000000001"), S: bytes.fromhex("020000000002")}


def sdiff(a, b):
    """signed 32-bit difference a - b"""
    d = (a - b) & M
    return d - MOD if d & 0x80000000 else d


def sgt(a, b):
    return sdiff(a, b) > 0


def sge(a, b):
    return not slt(a, b)


RETRANS_KINDS = ("retransmission", "fast_retransmission", "spurious_retransmission")


def slt(a, b):
    return sdiff(a, b) < 0


def sle(a, b):
    return sdiff(a, b) <= 0


# ---------------------------------------------------------------------------------------------
# capture / connection builders

class Seg:
    """What the generator wrote (or deliberately did not capture)."""
    __slots__ = ("frame", "ts", "stream", "side", "seq", "ack", "flags", "win", "n", "ipid",
                 "tsval", "ws", "captured", "expect", "raw", "sack")


class Capture:
    def __init__(self, name, desc, notes=""):
        self.name, self.desc, self.notes = name, desc, notes
        self.t = T0 + 5 * SEC
        self.segs = []            # every segment, captured or not
        self.frames = 0
        self.conns = []

    def conn(self, **kw):
        c = Conn(self, len(self.conns), **kw)
        self.conns.append(c)
        return c

    def write(self, path):
        out = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)]
        for s in self.segs:
            if not s.captured:
                continue
            frame = MAC[1 - s.side] + MAC[s.side] + b"\x08\x00" + s.raw
            out.append(struct.pack("<IIII", s.ts // SEC, s.ts % SEC, len(frame), len(frame)))
            out.append(frame)
        with open(path, "wb") as f:
            f.write(b"".join(out))


class Side:
    def __init__(self, ip, port, isn, ws, win, ipid, tsbase):
        self.ip, self.port, self.isn, self.ws, self.win = ip, port, isn, ws, win
        self.nxt = isn
        self.ipid = ipid
        self.tsbase = tsbase
        self.last_tsval = 0


class Conn:
    """One TCP connection; the client (C) and server (S) sides.  Defaults: seq = the side's next
    sequence number, ack = everything the peer has sent, window = the side's current window."""

    def __init__(self, cap, stream, cip="192.0.2.10", sip="198.51.100.20", cport=40000,
                 sport=8080, cisn=0x1A2B3C4D, sisn=0x5E6F7081, cws=7, sws=7, cwin=502,
                 swin=509, ts=True, sack=True, mss=1460, cipid=0x1200, sipid=0x3400,
                 rtt=10 * MS, ipid_zero=False):
        self.cap, self.stream = cap, stream
        self.side = {C: Side(cip, cport + stream, cisn, cws, cwin, cipid, 100000 + 1000 * stream),
                     S: Side(sip, sport, sisn, sws, swin, sipid, 7000000)}
        self.ts, self.sack, self.mss, self.rtt = ts, sack, mss, rtt
        self.ipid_zero = ipid_zero
        self.keys = []

    # -- marks for the wraparound variants
    def key(self, seq, span=2):
        """Mark the client sequence number of interest (and the length of the segment of
        interest) for the wrap-* variants."""
        self.keys.append(((seq - self.side[C].isn) & M, span))

    def rel(self, side, off):
        return (self.side[side].isn + off) & M

    def pkt(self, side, dt=0, flags="A", n=0, seq=None, ack=None, win=None, ipid=None,
            tsval=None, tsecr=None, payload=None, sack=None, captured=True, expect=(),
            advance=True, opts=None):
        cap = self.cap
        cap.t += int(dt)
        me, peer = self.side[side], self.side[1 - side]
        if seq is None:
            seq = me.nxt
        if ack is None:
            ack = peer.nxt if "A" in flags else 0
        if win is None:
            win = 64240 if "S" in flags else me.win
        if payload is None:
            payload = bytes(((seq + i) * 31 + 7) & 0xFF for i in range(n))
        n = len(payload)
        if ipid is None:
            ipid = 0 if self.ipid_zero and side == C else me.ipid
            me.ipid = (me.ipid + 1) & 0xFFFF
        if tsval is None:
            tsval = (me.tsbase + (cap.t - T0) // MS) & M
        if tsecr is None:
            tsecr = peer.last_tsval if "A" in flags else 0
        if opts is None:
            opts = []
            if "S" in flags:
                opts.append(("MSS", self.mss))
                if self.sack:
                    opts.append(("SAckOK", b""))
                if self.ts:
                    opts.append(("Timestamp", (tsval, tsecr)))
                if me.ws is not None:
                    opts += [("NOP", None), ("WScale", me.ws)]
            else:
                if self.ts:
                    opts += [("NOP", None), ("NOP", None), ("Timestamp", (tsval, tsecr))]
                if sack:
                    opts += [("NOP", None), ("NOP", None), ("SAck", tuple(x & M for x in sack))]
        if self.ts:
            me.last_tsval = tsval
        ip = IP(src=me.ip, dst=peer.ip, id=ipid, flags="DF", ttl=64)
        tcp = TCP(sport=me.port, dport=peer.port, seq=seq & M, ack=ack & M, flags=flags,
                  window=win, options=opts)
        raw = bytes(ip / tcp / Raw(payload)) if n else bytes(ip / tcp)
        s = Seg()
        s.ts, s.stream, s.side, s.seq, s.ack, s.flags = cap.t, self.stream, side, seq & M, \
            ack & M, flags
        s.win, s.n, s.ipid, s.tsval = win, n, ipid, (tsval if self.ts else None)
        s.sack = [x & M for x in sack] if sack and "S" not in flags else []
        s.ws = me.ws if "S" in flags else None
        s.captured, s.expect, s.raw = captured, list(expect), raw
        if captured:
            cap.frames += 1
            s.frame = cap.frames
        else:
            s.frame = None
            assert not expect
        cap.segs.append(s)
        end = (seq + n + ("S" in flags) + ("F" in flags)) & M
        if advance and sgt(end, me.nxt) or "S" in flags:
            me.nxt = end
        return s

    # -- building blocks
    def handshake(self, gap=1 * MS):
        self.pkt(C, gap, "S")
        self.pkt(S, self.rtt, "SA")
        self.pkt(C, 50, "A")

    def data(self, side, n, dt=100, **kw):
        return self.pkt(side, dt, "PA", n=n, **kw)

    def ack(self, side, dt=100, **kw):
        return self.pkt(side, dt, "A", **kw)

    def close(self, dt=1 * MS):
        self.pkt(C, dt, "FA")
        self.pkt(S, self.rtt, "FA")
        self.pkt(C, 50, "A")

    def tail(self, count=5, size=1000):
        """A clean bulk transfer client -> server (crosses the wrap in the 'before' variants)."""
        for i in range(count):
            self.data(C, size, dt=200)
            if i % 2 == 1 or i == count - 1:
                self.ack(S, dt=self.rtt // 2)


# ---------------------------------------------------------------------------------------------
# reference model of the rules (independent of the scenarios' expect= annotations)

class Dir:
    def __init__(self):
        self.nextseq = None
        self.nextseq_time = None
        self.lastack = None
        self.lastack_time = None
        self.window = None
        self.last_was_syn = False
        self.syn_ws = "unseen"      # window scale option of this side's SYN (None = no option)
        self.dupcount = 0
        self.lastnondup = None
        self.last_ka_or_probe = False
        self.prevdata = None
        self.maxts = None
        self.base = None            # first sequence number seen (relative origin)
        self.ranges = []            # captured [start, end) in relative numbers, merged
        self.contig = None          # relative end of the contiguous run from base
        self.zw_start = None
        self.sack_holes = False     # its last ACK SACKed data above the ack


def add_range(ranges, a, b):
    ranges.append([a, b])
    ranges.sort()
    out = []
    for r in ranges:
        if out and r[0] <= out[-1][1]:
            out[-1][1] = max(out[-1][1], r[1])
        else:
            out.append(r)
    ranges[:] = out


def covered_any(ranges, a, b):
    return any(r[0] < b and a < r[1] for r in ranges)


def analyze(segs):
    """-> list of (kind, frame, stream).  The rules, one to one, from the detector spec."""
    ev = []
    conns = {}
    for p in segs:
        if not p.captured:
            continue
        st = conns.setdefault(p.stream, {"d": [Dir(), Dir()], "syn_t": None, "rtt": None})
        Sd, Rd = st["d"][p.side], st["d"][1 - p.side]
        syn, fin, rst = "S" in p.flags, "F" in p.flags, "R" in p.flags
        sfr = syn or fin or rst
        L = p.n
        kinds = []

        def emit(k):
            kinds.append(k)

        if syn and "A" not in p.flags:
            st["syn_t"] = p.ts
        elif not syn and "A" in p.flags and st["syn_t"] is not None and st["rtt"] is None:
            st["rtt"] = p.ts - st["syn_t"]

        r_zero = Rd.window == 0
        probe = False
        if Sd.nextseq is not None and r_zero:
            if L == 1 and p.seq == Sd.nextseq:
                probe = True
            elif L in (0, 1) and p.seq == (Sd.nextseq - 1) & M and not sfr:
                probe = True
        if probe:
            emit("zero_window_probe")
        if p.win == 0 and not sfr:
            emit("zero_window")
        if Sd.zw_start is not None and p.win != 0:
            emit("zero_window_end")
            Sd.zw_start = None
        if p.win == 0 and not sfr and Sd.zw_start is None:
            Sd.zw_start = p.frame
        if Sd.nextseq is not None and sgt(p.seq, Sd.nextseq) and not rst:
            emit("lost_segment")
        ka = (Sd.nextseq is not None and L in (0, 1) and p.seq == (Sd.nextseq - 1) & M
              and not sfr and not r_zero)
        if ka:
            emit("keep_alive")
        if (L == 0 and p.win != 0 and Sd.window is not None and p.win != Sd.window
                and p.seq == Sd.nextseq and p.ack == Sd.lastack and not sfr):
            emit("window_update")
        if (L > 0 and Rd.syn_ws != "unseen" and Rd.lastack is not None and not sfr):
            scale = 0
            if Rd.syn_ws is not None and Sd.syn_ws not in (None, "unseen") and not Rd.last_was_syn:
                scale = Rd.syn_ws
            if (p.seq + L) & M == (Rd.lastack + (Rd.window << scale)) & M:
                emit("window_full")
        if (L == 0 and p.win != 0 and p.win == Sd.window and p.seq == Sd.nextseq
                and p.ack == Sd.lastack and not sfr and not Rd.last_ka_or_probe):
            Sd.dupcount += 1
            emit("dup_ack")
        if p.ack != Sd.lastack:
            Sd.lastnondup = p.frame
            Sd.dupcount = 0
        if "A" in p.flags and Rd.contig is not None:
            arel = (p.ack - Rd.base) & M
            if arel < 0x80000000 and arel > Rd.contig:
                emit("acked_unseen")
                add_range(Rd.ranges, Rd.contig, arel)     # the ACK proves they were sent
                Rd.contig = Rd.ranges[0][1]
        # retransmission family
        if (L > 0 or syn or fin) and Sd.nextseq is not None and slt(p.seq, Sd.nextseq) \
                and not ka and not probe and not (L > 1 and p.seq == (Sd.nextseq - 1) & M):
            q = Sd.prevdata
            srel = (p.seq - Sd.base) & M
            if q is not None and (q.seq, q.n, q.ack, q.flags, q.win, q.ipid, q.tsval) == \
                    (p.seq, L, p.ack, p.flags, p.win, p.ipid, p.tsval) and \
                    (p.ipid != 0 or p.ts - q.ts < 1 * MS):
                emit("network_duplicate")
            else:
                unseen = not covered_any(Sd.ranges, srel, srel + L + syn + fin)
                ts_older = p.tsval is not None and Sd.maxts is not None and \
                    slt(p.tsval, Sd.maxts)
                ts_newer = p.tsval is not None and Sd.maxts is not None and \
                    sgt(p.tsval, Sd.maxts)
                if L > 0 and Rd.lastack is not None and sle(p.seq + L, Rd.lastack):
                    emit("spurious_retransmission")
                elif unseen and ts_older:
                    emit("out_of_order")
                elif Rd.dupcount >= 2 and Rd.lastack == p.seq and \
                        p.ts - Rd.lastack_time < 20 * MS:
                    emit("fast_retransmission")
                elif not unseen and Rd.sack_holes and sge(p.seq, Rd.lastack) and \
                        p.ts - Rd.lastack_time < 20 * MS:
                    emit("fast_retransmission")     # SACK recovery at the sender
                elif unseen and ts_newer:
                    if Rd.sack_holes and p.ts - Sd.nextseq_time < 200 * MS:
                        emit("fast_retransmission")  # SACK recovery seen at the receiver
                    else:
                        emit("retransmission")
                elif unseen and p.ts - Sd.nextseq_time < max(st["rtt"] or 0, 3 * MS):
                    emit("out_of_order")
                else:
                    emit("retransmission")
        # state update
        end = (p.seq + L + syn + fin) & M
        if not probe and (Sd.nextseq is None or sgt(end, Sd.nextseq)):
            if Sd.nextseq is not None and end < Sd.nextseq:
                emit("seq_wraparound")
            Sd.nextseq = end
            Sd.nextseq_time = p.ts
        if Sd.base is None:
            Sd.base = p.seq
            Sd.contig = 0
        if L or syn or fin:
            srel = (p.seq - Sd.base) & M
            add_range(Sd.ranges, srel, srel + L + syn + fin)
            if Sd.ranges[0][0] <= Sd.contig:
                Sd.contig = max(Sd.contig, Sd.ranges[0][1])
            Sd.prevdata = p
        if p.tsval is not None and L > 0 and not probe and \
                not (kinds and kinds[-1] in RETRANS_KINDS) and \
                (Sd.maxts is None or sgt(p.tsval, Sd.maxts)):
            Sd.maxts = p.tsval          # newest TSval on new data only
        Sd.sack_holes = "A" in p.flags and any(sgt(l, p.ack) for l in p.sack[0::2])
        if syn:
            Sd.syn_ws = p.ws
        Sd.window = p.win
        Sd.lastack = p.ack
        Sd.lastack_time = p.ts
        Sd.last_was_syn = syn
        Sd.last_ka_or_probe = ka or probe
        for k in kinds:
            ev.append((k, p.frame, p.stream))
    return ev


# ---------------------------------------------------------------------------------------------
# scenarios.  Each takes a Conn (client = data sender unless said otherwise), writes one
# connection and annotates the packets that must carry events.  key() marks the client sequence
# number around which the wrap-* variants put 2^32.

def sc_clean(c):
    c.handshake()
    c.data(C, 300)
    c.ack(S, c.rtt)
    c.data(S, 1448, 200)
    c.data(S, 1448, 10)
    c.ack(C, 500)
    c.data(S, 500, 10)
    c.ack(C, c.rtt)
    c.data(C, 200, 50 * MS)
    c.ack(S, 5 * MS, win=600)       # window grows together with a new ack: no window_update
    c.data(S, 700, 2 * MS)
    c.ack(C, c.rtt)
    c.tail()
    c.close()


def sc_zero_window_probe(c):
    """Wireshark-style probe: 1 new byte at S.nextseq while R.window == 0."""
    c.handshake()
    c.data(C, 1000)
    c.ack(S, c.rtt, win=0, expect=["zero_window"])
    c.key(c.side[C].nxt, 2)
    c.pkt(C, 200 * MS, "A", n=1, advance=False, expect=["zero_window_probe"])
    c.ack(S, c.rtt, win=0, expect=["zero_window"])
    c.pkt(C, 400 * MS, "A", n=1, advance=False, expect=["zero_window_probe"])
    c.ack(S, c.rtt, win=0, expect=["zero_window"])
    c.ack(S, 300 * MS, expect=["zero_window_end", "window_update"])
    c.data(C, 1000, 1 * MS)
    c.ack(S, c.rtt)
    c.tail()
    c.close()


def sc_zero_window_probe_linux(c):
    """Linux probe: 0-byte segment at snd_una-1 while R.window == 0 (Wireshark: keep-alive)."""
    c.handshake()
    c.data(C, 1000)
    c.ack(S, c.rtt, win=0, expect=["zero_window"])
    c.key(c.side[C].nxt, 2)
    nx = c.side[C].nxt
    c.pkt(C, 200 * MS, "A", seq=nx - 1, expect=["zero_window_probe"])
    c.ack(S, c.rtt, win=0, expect=["zero_window"])
    c.pkt(C, 400 * MS, "A", seq=nx - 1, expect=["zero_window_probe"])
    c.ack(S, c.rtt, win=0, expect=["zero_window"])
    c.ack(S, 100 * MS, expect=["zero_window_end", "window_update"])
    c.data(C, 1000, 1 * MS)
    c.ack(S, c.rtt)
    c.tail()
    c.close()


def sc_zero_window_2s(c):
    """The receiver's window stays 0 for 2 s (Linux probes at 200/400/800 ms), then opens."""
    c.handshake()
    c.data(C, 1000)
    c.data(C, 1000, 100)
    c.key(c.side[C].nxt, 2)
    c.ack(S, c.rtt, win=0, expect=["zero_window"])
    nx = c.side[C].nxt
    spent = 0
    for gap in (200 * MS, 400 * MS, 800 * MS):
        c.pkt(C, gap - c.rtt if spent else gap, "A", seq=nx - 1, expect=["zero_window_probe"])
        c.ack(S, c.rtt, win=0, expect=["zero_window"])
        spent += gap
    c.ack(S, 2 * SEC - spent - c.rtt, expect=["zero_window_end", "window_update"])
    c.data(C, 1000, 1 * MS)
    c.ack(S, c.rtt)
    c.tail()
    c.close()


def sc_lost_segment(c):
    """Captured at the receiver: the 2nd segment was lost upstream, the RTO retransmission
    (newer TSval) fills the hole."""
    c.handshake()
    c.data(C, 1000)
    hole = c.side[C].nxt
    c.key(hole, 1000)
    c.data(C, 1000, 100, captured=False)
    d3 = c.data(C, 1000, 100, expect=["lost_segment"])
    c.ack(S, 100, ack=hole, sack=(d3.seq, d3.seq + 1000))
    c.data(C, 1000, 200 * MS, seq=hole, expect=["retransmission"])
    c.ack(S, 100)
    c.tail()
    c.close()


def sc_long_silence(c):
    """Quiet for 5 minutes 10 s (past the live --idle-timeout of 300 s), then 600 bytes the
    capture missed and 400 it saw: a file keeps the connection's state through the silence, so
    the gap is a lost_segment (as Wireshark flags it) and the server's ACK of all of it an
    acked_unseen."""
    c.handshake()
    c.data(C, 300)
    c.ack(S, c.rtt)
    hole = c.side[C].nxt
    c.key(hole, 600)
    c.data(C, 600, 310 * SEC, captured=False)
    c.data(C, 400, 100, expect=["lost_segment"])
    c.ack(S, c.rtt, expect=["acked_unseen"])
    c.data(S, 200, 1 * MS)
    c.ack(C, c.rtt)
    c.close()


def sc_keep_alive(c):
    """Idle connection; keep-alives one byte below S.nextseq: 0-byte (Linux) and 1-byte garbage
    (BSD/Windows) variants; their ACKs are not dup ACKs."""
    c.handshake()
    c.data(C, 100)
    c.ack(S, c.rtt)
    nx = c.side[C].nxt
    c.key(nx, 2)
    c.pkt(C, 60 * SEC, "A", seq=nx - 1, expect=["keep_alive"])
    c.ack(S, c.rtt)
    c.pkt(C, 60 * SEC, "A", seq=nx - 1, payload=b"\x00", expect=["keep_alive"])
    c.ack(S, c.rtt)
    c.data(C, 100, 5 * SEC)
    c.ack(S, c.rtt)
    c.tail()
    c.close()


def sc_window_update(c):
    c.handshake()
    c.data(C, 1000)
    c.key(c.side[C].nxt, 2)
    c.ack(S, c.rtt, win=100)
    c.ack(S, 5 * MS, win=502, expect=["window_update"])
    c.data(C, 1000, 1 * MS)
    c.ack(S, c.rtt)
    c.tail()
    c.close()


def sc_window_full(c):
    """The server advertises 8 << 7 = 1024 bytes; the client sends exactly that."""
    c.handshake()
    c.data(C, 100)
    c.ack(S, c.rtt, win=8)
    c.key(c.side[C].nxt, 1024)
    c.data(C, 1024, 1 * MS, expect=["window_full"])
    c.ack(S, c.rtt)
    c.tail()
    c.close()


def sc_dup_ack(c):
    """Captured at the sender: segment 2 is lost downstream, two SACK dup ACKs, then an RTO
    retransmission 200 ms later (too late for a fast retransmission)."""
    c.handshake()
    d = [c.data(C, 1000, 100) for _ in range(4)]
    c.key(d[1].seq, 1000)
    c.ack(S, c.rtt, ack=d[1].seq)
    c.ack(S, 100, ack=d[1].seq, sack=(d[2].seq, d[2].seq + 1000), expect=["dup_ack"])
    c.ack(S, 100, ack=d[1].seq, sack=(d[2].seq, d[3].seq + 1000), expect=["dup_ack"])
    c.data(C, 1000, 200 * MS, seq=d[1].seq, expect=["retransmission"])
    c.ack(S, c.rtt)
    c.tail()
    c.close()


def sc_fast_retransmission(c):
    """Captured at the sender: 3 dup ACKs, the retransmission of the hole 1 ms later."""
    c.handshake()
    d = [c.data(C, 1000, 100) for _ in range(5)]
    c.key(d[1].seq, 1000)
    c.ack(S, c.rtt, ack=d[1].seq)
    for k in range(2, 5):
        c.ack(S, 100, ack=d[1].seq, sack=(d[2].seq, d[k].seq + 1000), expect=["dup_ack"])
    c.data(C, 1000, 1 * MS, seq=d[1].seq, expect=["fast_retransmission"])
    c.ack(S, c.rtt)
    c.tail()
    c.close()


def sc_spurious_retransmission(c):
    """Captured at the receiver: its ACK was lost, the sender retransmits acked data; the
    receiver answers with a D-SACK dup ACK."""
    c.handshake()
    d1 = c.data(C, 1000)
    c.key(d1.seq, 1000)
    c.ack(S, 100)
    c.data(C, 1000, 200 * MS, seq=d1.seq, expect=["spurious_retransmission"])
    c.ack(S, 100, sack=(d1.seq, d1.seq + 1000), expect=["dup_ack"])
    c.tail()
    c.close()


def sc_out_of_order(c):
    """Captured at the receiver: segment 2 is overtaken by segment 3 and arrives 1 ms later
    with its original (older) TSval."""
    c.handshake()
    c.data(C, 1000)
    hole = c.side[C].nxt
    c.key(hole, 1000)
    d2 = c.data(C, 1000, 100, captured=False)
    d3 = c.data(C, 1000, 100, expect=["lost_segment"])
    c.ack(S, 100, ack=hole, sack=(d3.seq, d3.seq + 1000))
    c.data(C, 1000, 1 * MS, seq=hole, tsval=d2.tsval, expect=["out_of_order"])
    c.ack(S, 100)
    c.tail()
    c.close()


def sc_hole_filled_late(c):
    """Like out-of-order, but the hole is filled 5 ms later by a real retransmission (newer
    TSval) while the receiver's SACK shows the hole: a fast retransmission of SACK recovery
    (Wireshark's 'within one RTT' heuristic says out-of-order)."""
    c.handshake()
    c.data(C, 1000)
    hole = c.side[C].nxt
    c.key(hole, 1000)
    c.data(C, 1000, 100, captured=False)
    d3 = c.data(C, 1000, 2 * MS, expect=["lost_segment"])
    c.ack(S, 100, ack=hole, sack=(d3.seq, d3.seq + 1000))
    c.data(C, 1000, 5 * MS, seq=hole, expect=["fast_retransmission"])
    c.ack(S, 100)
    c.tail()
    c.close()


def sc_retransmission(c):
    """Plain RTO retransmission of the only outstanding segment (captured at the sender)."""
    c.handshake()
    d1 = c.data(C, 1000)
    c.key(d1.seq, 1000)
    c.data(C, 1000, 250 * MS, seq=d1.seq, expect=["retransmission"])
    c.ack(S, c.rtt)
    c.tail()
    c.close()


def sc_network_duplicate(c):
    """An identical copy of the last data segment 50 us later (same IP ID, same TSval)."""
    c.handshake()
    c.data(C, 1000)
    d2 = c.data(C, 1000)
    c.key(d2.seq, 1000)
    c.pkt(C, 50, "PA", seq=d2.seq, payload=None, n=1000, ipid=d2.ipid, tsval=d2.tsval,
          expect=["network_duplicate"])
    c.ack(S, c.rtt)
    c.tail()
    c.close()


def sc_netdup_ipid0_late(c):
    """IP ID 0 on every client packet: an identical copy 2 ms later cannot be told from a
    retransmission -> retransmission."""
    c.handshake()
    c.data(C, 1000)
    d2 = c.data(C, 1000)
    c.pkt(C, 2 * MS, "PA", seq=d2.seq, n=1000, ipid=d2.ipid, tsval=d2.tsval,
          expect=["retransmission"])
    c.ack(S, c.rtt)
    c.tail()
    c.close()


def sc_netdup_ipid0_fast(c):
    """IP ID 0, identical copy 300 us later -> network_duplicate."""
    c.handshake()
    c.data(C, 1000)
    d2 = c.data(C, 1000)
    c.pkt(C, 300, "PA", seq=d2.seq, n=1000, ipid=d2.ipid, tsval=d2.tsval,
          expect=["network_duplicate"])
    c.ack(S, c.rtt)
    c.tail()
    c.close()


def sc_tail_loss_probe(c):
    """The last segment re-sent 5 ms later with a new IP ID and TSval: a TLP, i.e. a
    retransmission (not a network duplicate)."""
    c.handshake()
    c.data(C, 1000)
    c.data(C, 1000)
    d3 = c.data(C, 1000)
    c.data(C, 1000, 5 * MS, seq=d3.seq, expect=["retransmission"])
    c.ack(S, c.rtt)
    c.tail()
    c.close()


def sc_sack_recovery(c):
    """Captured at the sender: segments 2 and 5 of 8 lost downstream; limited transmit sends
    segment 9 after the first dup ACK; 1 ms after the 3rd dup ACK the first hole is fast
    retransmitted, 1 ms later the second hole (SACK recovery) is retransmitted.  Wireshark calls
    the second one out-of-order (within one RTT of the last new data)."""
    c.handshake()
    d = [c.data(C, 1000, 100) for _ in range(8)]
    h1, h2 = d[1].seq, d[4].seq
    c.key(h2, 1000)
    c.ack(S, c.rtt, ack=h1)
    sacks = [(d[2].seq, d[2].seq + 1000), (d[2].seq, d[3].seq + 1000),
             (d[5].seq, d[5].seq + 1000), (d[5].seq, d[6].seq + 1000),
             (d[5].seq, d[7].seq + 1000)]
    c.ack(S, 100, ack=h1, sack=sacks[0], expect=["dup_ack"])
    c.data(C, 1000, 100)                        # limited transmit: new data
    c.ack(S, 100, ack=h1, sack=sacks[1], expect=["dup_ack"])
    c.ack(S, 100, ack=h1, sack=sacks[2] + sacks[1], expect=["dup_ack"])
    c.data(C, 1000, 1 * MS, seq=h1, expect=["fast_retransmission"])
    c.ack(S, 100, ack=h1, sack=sacks[3] + sacks[1], expect=["dup_ack"])
    c.data(C, 1000, 1 * MS, seq=h2, expect=["fast_retransmission"])
    c.ack(S, c.rtt, ack=h2, sack=(d[5].seq, d[7].seq + 2000))
    c.ack(S, 100)
    c.tail()
    c.close()


def sc_retrans_overlap(c):
    """Retransmissions that overlap two earlier segments: the receiver acked the middle of
    segment 2; the RTO retransmission starts there and runs into segment 3."""
    c.handshake()
    d = [c.data(C, 1000, 100) for _ in range(3)]
    mid = (d[1].seq + 500) & M
    c.key(mid, 1000)
    c.ack(S, c.rtt, ack=mid)
    c.data(C, 1000, 200 * MS, seq=mid, expect=["retransmission"])
    c.ack(S, c.rtt, ack=mid + 1000)
    c.data(C, 500, 1 * MS, seq=mid + 1000, expect=["retransmission"])
    c.ack(S, c.rtt)
    c.tail()
    c.close()


def sc_retrans_extra_data(c):
    """Wireshark bug 8404: the RTO retransmission of segment 2 also carries 1000 new bytes; the
    ACK of all of it is not an 'ACKed unseen segment'."""
    c.handshake()
    c.data(C, 1000)
    d2 = c.data(C, 1000)
    c.key(d2.seq, 2000)
    c.ack(S, c.rtt, ack=d2.seq)
    c.data(C, 2000, 200 * MS, seq=d2.seq, expect=["retransmission"])
    c.ack(S, c.rtt)
    c.tail()
    c.close()


def sc_acked_unseen(c):
    """Captured at the client: one segment of the server's response never reached the capture
    point (the client's ACK proves it arrived)."""
    c.handshake()
    c.data(C, 300)
    c.ack(S, c.rtt)
    c.data(S, 1000, 1 * MS)
    c.data(S, 1000, 100, captured=False)
    c.data(S, 1000, 100, expect=["lost_segment"])
    c.key(c.side[C].nxt, 2)
    c.ack(C, 200, expect=["acked_unseen"])
    c.data(C, 100, 5 * MS)
    c.ack(S, c.rtt)
    c.tail()
    c.close()


def sc_dup_ack_burst(c):
    """30 dup ACKs for one hole; the fast retransmission goes out 1 ms after the 3rd."""
    c.handshake()
    d = [c.data(C, 1000, 50) for _ in range(33)]
    hole = d[1].seq
    c.key(hole, 1000)
    c.ack(S, c.rtt, ack=hole)
    for k in range(30):
        c.ack(S, 50, ack=hole, sack=(d[2].seq, d[2 + k].seq + 1000), expect=["dup_ack"])
        if k == 2:
            c.data(C, 1000, 1 * MS, seq=hole, expect=["fast_retransmission"])
    c.ack(S, c.rtt)
    c.close()


def sc_midstream(c):
    """The capture starts mid-connection (no SYN): nothing is known about window scaling, the
    first packets of each side set the state; a later hole and its repair are still found."""
    me = c.side[C]
    me.nxt = (me.isn + 50001) & M
    c.side[S].nxt = (c.side[S].isn + 7001) & M
    c.data(C, 1000, 1 * MS)
    c.ack(S, c.rtt, win=8)              # raw 8, scale unknown: no window_full below
    c.data(C, 1024, 1 * MS)
    c.ack(S, c.rtt)
    d = [c.data(C, 1000, 100, captured=(i != 1)) for i in range(3)]
    c.key(d[1].seq, 1000)
    d[2].expect.append("lost_segment")
    c.ack(S, 100, ack=d[1].seq, sack=(d[2].seq, d[2].seq + 1000))
    c.ack(S, 100, ack=d[1].seq, sack=(d[2].seq, d[2].seq + 1000), expect=["dup_ack"])
    c.data(C, 1000, 200 * MS, seq=d[1].seq, expect=["retransmission"])
    c.ack(S, c.rtt)
    c.close()


def sc_wscale(c):
    """Same raw window fields, different negotiated server scale (case wscale-0 / wscale-7):
    raw window 1 is 1 byte with scale 0 (1-byte segment = window_full) but 128 bytes with
    scale 7 (nothing); raw window 0 makes the next 1-byte segment a zero-window probe either
    way (the probe rule uses the raw field)."""
    scale0 = c.side[S].ws == 0
    c.handshake()
    c.data(C, 100)
    c.ack(S, c.rtt, win=1)
    c.key(c.side[C].nxt, 2)
    c.data(C, 1, 1 * MS, expect=["window_full"] if scale0 else [])
    c.ack(S, c.rtt, win=0, expect=["zero_window"])
    c.pkt(C, 200 * MS, "A", n=1, advance=False, expect=["zero_window_probe"])
    c.ack(S, c.rtt, win=0, expect=["zero_window"])
    c.ack(S, 100 * MS, expect=["zero_window_end", "window_update"])
    c.data(C, 100, 1 * MS)
    c.ack(S, c.rtt)
    c.close()


def sc_seq_wraparound(c):
    """Both sequence spaces cross 2^32 during a clean transfer."""
    c.handshake()
    c.data(C, 300)
    c.ack(S, c.rtt)
    for _ in range(4):
        c.data(S, 1000, 200)
    c.ack(C, 100)
    c.tail()
    c.close()


# ---------------------------------------------------------------------------------------------
# the case list

BASIC = [
    ("clean", sc_clean, {}, "a clean connection with data both ways: no byte-stream event"),
    ("zero-window-probe", sc_zero_window_probe, {},
     "zero_window_probe rule (a): 1 byte at S.nextseq while R.window==0; zero_window on every "
     "zero-window ACK; zero_window_end + window_update when the window opens"),
    ("zero-window-probe-linux", sc_zero_window_probe_linux, {},
     "zero_window_probe rule (b): Linux 0-byte probe at snd_una-1 while R.window==0"),
    ("zero-window-2s", sc_zero_window_2s, {},
     "zero window lasting 2 s (Linux probes at 200/400/800 ms) ended by a window update"),
    ("lost-segment", sc_lost_segment, {},
     "lost_segment (receiver-side capture), hole filled by an RTO retransmission"),
    ("keep-alive", sc_keep_alive, {},
     "keep-alives one byte below S.nextseq, 0-byte and 1-byte-garbage variants; their ACKs are "
     "not dup ACKs"),
    ("window-update", sc_window_update, {}, "window_update: pure ACK, same seq/ack, new window"),
    ("window-full", sc_window_full, {},
     "window_full: data up to R.lastack + (8 << 7) exactly"),
    ("dup-ack", sc_dup_ack, {}, "two SACK dup ACKs, then an RTO retransmission 200 ms later"),
    ("fast-retransmission", sc_fast_retransmission, {},
     "three dup ACKs, fast retransmission 1 ms later"),
    ("spurious-retransmission", sc_spurious_retransmission, {},
     "retransmission of acked data (receiver-side capture), answered by a D-SACK dup ACK"),
    ("out-of-order", sc_out_of_order, {},
     "reordered original: fills the hole 1 ms later with an older TSval -> out_of_order"),
    ("hole-filled-late", sc_hole_filled_late, {},
     "hole filled 5 ms later by a retransmission with a newer TSval -> retransmission"),
    ("retransmission", sc_retransmission, {}, "plain RTO retransmission"),
    ("long-silence", sc_long_silence, {},
     "600 bytes missed after 310 s of silence: lost_segment, the connection kept in a file"),
    ("network-duplicate", sc_network_duplicate, {},
     "identical copy 50 us later (same IP ID / TSval) -> network_duplicate"),
    ("netdup-ipid0-late", sc_netdup_ipid0_late, {"ipid_zero": True},
     "identical copy with IP ID 0, 2 ms later -> retransmission"),
    ("netdup-ipid0-fast", sc_netdup_ipid0_fast, {"ipid_zero": True},
     "identical copy with IP ID 0, 300 us later -> network_duplicate"),
    ("tail-loss-probe", sc_tail_loss_probe, {},
     "last segment re-sent 5 ms later, new IP ID and TSval -> retransmission"),
    ("sack-recovery", sc_sack_recovery, {},
     "SACK recovery at the sender: fast retransmission of hole 1, retransmission of hole 2 "
     "1 ms later"),
    ("retrans-overlap", sc_retrans_overlap, {},
     "retransmissions overlapping two earlier segments"),
    ("retrans-extra-data", sc_retrans_extra_data, {},
     "retransmission carrying extra new data, then an ACK of all of it: no acked_unseen "
     "(Wireshark bug 8404)"),
    ("acked-unseen", sc_acked_unseen, {},
     "an ACK for server data that never passed the capture point"),
    ("dup-ack-burst-30", sc_dup_ack_burst, {}, "30 dup ACKs for one hole"),
    ("midstream", sc_midstream, {"cisn": 0x2000}, "capture starts mid-connection (no SYN)"),
    ("wscale-0", sc_wscale, {"sws": 0},
     "server window scale 0: raw window 1 -> 1-byte segment is window_full; raw 0 -> probe"),
    ("wscale-7", sc_wscale, {"sws": 7},
     "server window scale 7: same raw windows as wscale-0, the 1-byte segment is nothing; "
     "raw 0 -> probe"),
    ("seq-wraparound", sc_seq_wraparound, {"cisn": MOD - 2500, "sisn": MOD - 1500},
     "clean transfer, both sequence spaces cross 2^32"),
]

WRAP_KINDS = [
    ("zero-window-probe", sc_zero_window_probe),
    ("zero-window-probe-linux", sc_zero_window_probe_linux),
    ("zero-window", sc_zero_window_2s),
    ("lost-segment", sc_lost_segment),
    ("keep-alive", sc_keep_alive),
    ("window-update", sc_window_update),
    ("window-full", sc_window_full),
    ("dup-ack", sc_dup_ack),
    ("acked-unseen", None),        # server-side data: built by sc_acked_unseen with the server ISN
    ("network-duplicate", sc_network_duplicate),
    ("spurious-retransmission", sc_spurious_retransmission),
    ("fast-retransmission", sc_fast_retransmission),
    ("out-of-order", sc_out_of_order),
    ("retransmission", sc_retransmission),
]


def build(name, fn, kw, desc):
    cap = Capture(name, desc)
    c = cap.conn(**kw)
    fn(c)
    return cap, c


def wrap_cases():
    out = []
    for kname, fn in WRAP_KINDS:
        if fn is None:
            continue
        _, probe = build("probe", fn, {"cisn": 0x1000}, "")
        krel, span = probe.keys[0]
        for pos in ("before", "at", "across"):
            if pos == "before":
                isn = (-(krel + 2000)) & M
            elif pos == "at":
                isn = (-krel) & M
            else:
                isn = (-(krel + span // 2)) & M
            desc = "%s with the client's 2^32 wrap %s the sequence number of interest " \
                   "(client ISN 0x%08x)" % (kname, {"before": "2000 bytes after",
                                                   "at": "exactly at",
                                                   "across": "inside the segment at"}[pos], isn)
            out.append(("wrap-%s-%s" % (kname, pos), fn, {"cisn": isn}, desc))
    # acked_unseen: the hole is in the server's space; wrap the server's ISN instead.
    _, probe = build("probe", sc_acked_unseen_srv_key, {"sisn": 0x1000}, "")
    krel, span = probe.keys[0]
    for pos, off in (("before", krel + 2000), ("at", krel), ("across", krel + span // 2)):
        isn = (-off) & M
        out.append(("wrap-acked-unseen-%s" % pos, sc_acked_unseen_srv_key, {"sisn": isn},
                    "acked_unseen with the server's 2^32 wrap %s the unseen segment "
                    "(server ISN 0x%08x)" % (pos, isn)))
    return out


def sc_acked_unseen_srv_key(c):
    """acked_unseen with the key in the server's space (hole start)."""
    c.handshake()
    c.data(C, 300)
    c.ack(S, c.rtt)
    c.data(S, 1000, 1 * MS)
    hole = c.side[S].nxt
    c.keys.append(((hole - c.side[S].isn) & M, 1000))
    c.data(S, 1000, 100, captured=False)
    c.data(S, 1000, 100, expect=["lost_segment"])
    c.ack(C, 200, expect=["acked_unseen"])
    c.data(C, 100, 5 * MS)
    c.ack(S, c.rtt)
    for _ in range(4):
        c.data(S, 1000, 200)
    c.ack(C, 100)
    c.close()


def all_cases():
    return BASIC + wrap_cases()


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pcapdir", default=os.path.join(here, "..", "pcaps"))
    ap.add_argument("--truthdir", default=os.path.join(here, "stream-truth"))
    ap.add_argument("--list", action="store_true", help="list the cases and exit")
    args = ap.parse_args()
    os.makedirs(args.truthdir, exist_ok=True)
    bad = 0
    for name, fn, kw, desc in all_cases():
        if args.list:
            print(name)
            continue
        cap, conn = build(name, fn, kw, desc)
        model = analyze(cap.segs)
        intent = []
        for s in cap.segs:
            for k in s.expect:
                intent.append((k, s.frame, s.stream))
        # seq_wraparound comes from the model only (it depends on the ISN the case picked)
        want = sorted(intent, key=lambda e: (e[1], e[0]))
        got = sorted([e for e in model if e[0] != "seq_wraparound"], key=lambda e: (e[1], e[0]))
        if want != got:
            bad += 1
            sys.stderr.write("gen_stream.py: %s: scenario intent and rule model disagree\n"
                             "  intent only: %s\n  model only:  %s\n" % (
                                 name, sorted(set(want) - set(got)), sorted(set(got) - set(want))))
            continue
        cap.write(os.path.join(args.pcapdir, "gen-stream-%s.pcap" % name))
        truth = sorted(model, key=lambda e: (e[2], e[1], e[0]))
        with open(os.path.join(args.truthdir, name + ".truth"), "w") as f:
            f.write("# gen-stream-%s.pcap: %s\n" % (name, desc))
            f.write("# generated by tests/gen/gen_stream.py; KIND FRAME STREAM; complete for "
                    "the byte-stream kinds\n")
            for k, fr, st in truth:
                f.write("%s %d %d\n" % (k, fr, st))
    if bad:
        sys.exit("gen_stream.py: %d case(s) inconsistent" % bad)


if __name__ == "__main__":
    main()
