#!/usr/bin/env python3
"""Generate tests/gen/bytestream.pcap: one connection whose bytes tests/bytestream.sh checks
exactly with --extract, --follow and the overlap_conflict event.

Usage: /usr/bin/python3 tests/gen/gen_bytestream.py [OUTPUT]   (needs scapy)

Frames (client 10.0.0.1:40000, server 10.0.0.2:7000, client ISN 2^32-10 so its first message
crosses the 2^32 wrap of sequence numbers):
  1 SYN  2 SYN-ACK  3 ACK
  4 client "MSG1:wrap-around\\n" (17 bytes, offsets 0-16, sequence numbers wrap inside it)
  5 client "MSG3\\n" at offset 22 (out of order: offset 17-21 not yet seen)
  6 client "MSG2\\n" at offset 17: completes offsets 17-26
  7 server "OK\\n", acknowledging everything so far
  8 client retransmits frame 4 with byte 5 changed ('w' -> 'W'): overlap_conflict, the first
    copy (frame 4) is what the application read
  9 client "MSG5\\n" at offset 32: offsets 27-31 ("MSG4\\n") never captured
 10 server ACK past offset 36: the receiver had the missing bytes -> a hole, not a wait
 11 client FIN  12 server FIN  13 client ACK
Deterministic: fixed addresses, ports, ISNs and timestamps.
"""
import sys

import logging
logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.layers.inet import IP, TCP  # noqa: E402
from scapy.layers.l2 import Ether  # noqa: E402
from scapy.utils import PcapWriter  # noqa: E402

C, S = "10.0.0.1", "10.0.0.2"
CP, SP = 40000, 7000
CISN = (1 << 32) - 10
SISN = 5000
M = 0xFFFFFFFF


def cseq(off):
    return (CISN + 1 + off) & M


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "tests/gen/bytestream.pcap"
    pk = []

    def c2s(flags, off, data=b"", ack=SISN + 1):
        pk.append(Ether() / IP(src=C, dst=S) / TCP(sport=CP, dport=SP, flags=flags,
                                                    seq=cseq(off) if off >= 0 else CISN,
                                                    ack=ack, window=502) / data)

    def s2c(flags, off, data=b"", ack=0):
        pk.append(Ether() / IP(src=S, dst=C) / TCP(sport=SP, dport=CP, flags=flags,
                                                    seq=(SISN + 1 + off) & M if off >= 0 else SISN,
                                                    ack=ack, window=502) / data)

    m1 = b"MSG1:wrap-around\n"
    c2s("S", -1, ack=0)                                   # 1
    s2c("SA", -1, ack=cseq(0))                            # 2
    c2s("A", 0)                                           # 3
    c2s("PA", 0, m1)                                      # 4
    c2s("PA", 22, b"MSG3\n")                              # 5
    c2s("PA", 17, b"MSG2\n")                              # 6
    s2c("PA", 0, b"OK\n", ack=cseq(27))                   # 7
    c2s("PA", 0, m1[:5] + b"W" + m1[6:], ack=SISN + 4)    # 8
    c2s("PA", 32, b"MSG5\n", ack=SISN + 4)                # 9
    s2c("A", 3, ack=cseq(37))                             # 10
    c2s("FA", 37, ack=SISN + 4)                           # 11
    s2c("FA", 3, ack=cseq(38))                            # 12
    c2s("A", 38, ack=SISN + 5)                            # 13
    w = PcapWriter(out, linktype=1, sync=True)
    t = 1700000000.0
    for i, p in enumerate(pk):
        p.time = t + i * 0.001
        w.write(p)
    w.close()


if __name__ == "__main__":
    main()
