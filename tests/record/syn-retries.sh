#!/bin/bash
# syn-retries.sh: record real Linux SYN and SYN-ACK retransmission schedules
# into OUT (default tests/pcaps/real-syn-retries.pcap), with the nstat
# counter deltas of the server and the client namespace beside it in
# real-syn-retries.pcap.nstat.  Run as root; it creates two network namespaces
# joined by a veth pair (tx checksum/TSO offload off, so the capture has real
# checksums) and removes them on exit.  Recorded on kernel 6.18.44-fc-v669;
# needs /usr/bin/python3 with scapy, tcpdump, iproute2 (ip, nstat), ethtool,
# nftables (nft).  Takes about 55 s.
#
# Why: an unanswered SYN is retransmitted on a schedule that depends on
# net.ipv4.tcp_syn_linear_timeouts (Linux >= 6.5; default 4 on this kernel:
# the first 4 retransmission timeouts stay at the initial RTO of 1 s, then
# exponential backoff starts at 2^0 * RTO), and an unanswered SYN-ACK is
# re-sent by the listener's request timer 1, 2, 4 s apart
# (tcp_synack_retries).  Link loss is made with nftables (input hooks run
# after the capture tap, so the dropped segments are in the pcap).
#
# Sequence (server 10.202.0.1, client 10.202.0.2, capture on the server's
# side of the veth):
#   t0: 10.202.0.2:40003 -> :9003 one SYN crafted with scapy (MSS, SACK_PERM,
#       TS, WS options).  The server listens on 9003 (tcp_synack_retries=3)
#       and answers; nft in the CLIENT namespace drops incoming SYN-ACKs from
#       port 9003, so the server re-sends its SYN-ACK at about 1, 3, 7 s (and
#       gives up at about 15 s, which is not on the wire).  Scapy sends
#       nothing more.
#   t0: connection "linear": kernel connect() to :9001 with
#       tcp_syn_retries=4 and tcp_syn_linear_timeouts=4 (the default) in the
#       client namespace; nft in the SERVER namespace drops SYNs to 9001.
#       Recorded: 8 retransmissions, not 4 (SYNs at 0, 1, 2, 3, 4, 5, 7, 11,
#       19 s): the give-up test for SYN_SENT is time-based (the time an
#       exponential schedule of tcp_syn_retries retransmissions would take,
#       (2^5 - 1) * 1 s = 31 s), so connect() fails with ETIMEDOUT at ~35.6 s.
#   then: tcp_syn_linear_timeouts=0 in the client namespace and connection
#       "exponential": connect() to :9001, tcp_syn_retries=4; SYNs at 0, 1,
#       3, 7, 15 s; the application gives up after 16 s (closes the socket
#       before the kernel's own timeout at 31 s).
# Sysctls: client tcp_syn_retries=4, tcp_syn_linear_timeouts=4 then 0;
# server tcp_synack_retries=3.
# Counters that should match: client TcpExtTCPSynRetrans 12 (8 + 4 SYN
# retransmissions), TcpExtTCPTimeouts 13 (9 timer expiries of "linear",
# the last one giving up, + 4), TcpExtTCPAbortOnTimeout 1, TcpAttemptFails 1;
# server TcpExtTCPSynRetrans 3 (re-sent SYN-ACKs), TcpExtTCPTimeouts 4 (the
# request timer: 3 re-sends + the expiry), TcpInSegs 1 (the nft-dropped SYNs
# to 9001 never reach TCP).
set -uo pipefail
name=syn-retries
. "$(dirname "$0")/listen-common.sh"
command -v nft > /dev/null || { echo "nft (Debian package nftables) is needed" >&2; exit 1; }
rec_setup
ip netns exec "$srv" sysctl -qw net.ipv4.tcp_synack_retries=3
ip netns exec "$cli" sysctl -qw net.ipv4.tcp_syn_retries=4
ip netns exec "$cli" sysctl -qw net.ipv4.tcp_syn_linear_timeouts=4
ip netns exec "$srv" nft -f - <<'NFT' || exit 1
table inet tdrec {
	chain in {
		type filter hook input priority 0;
		tcp dport 9001 tcp flags & (syn | ack) == syn drop
	}
}
NFT
ip netns exec "$cli" nft -f - <<'NFT' || exit 1
table inet tdrec {
	chain in {
		type filter hook input priority 0;
		tcp sport 9003 tcp flags & (syn | ack) == (syn | ack) drop
	}
}
NFT
rec_pin_server_mac

rec_capture "tcp"
ip netns exec "$srv" /usr/bin/python3 -c '
import socket, time
ls = []
for port in (9001, 9003):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("10.202.0.1", port))
    s.listen(8)          # never accepted; nothing completes anyway
    ls.append(s)
time.sleep(60)
' &
server_pid=$!
for i in $(seq 50); do
	[ "$(ip netns exec "$srv" ss -lnt | grep -c ':900[13] ')" = 2 ] && break
	sleep 0.1
done
sleep 0.5
nstat_reset "$srv"; nstat_reset "$cli"
# phase 1: the scapy SYN to 9003 and the "linear" connection, together
ip netns exec "$cli" /usr/bin/python3 -c '
import socket, sys, time
from scapy.all import Ether, IP, TCP, conf
conf.verb = 0
iface, dmac = sys.argv[1], sys.argv[2]
syn = Ether(dst=dmac) / IP(src="10.202.0.2", dst="10.202.0.1") / TCP(
    sport=40003, dport=9003, flags="S", seq=1000000, window=64240,
    options=[("MSS", 1460), ("SAckOK", b""), ("Timestamp", (1000000, 0)),
             ("NOP", None), ("WScale", 7)])
s = socket.socket()
s.bind(("10.202.0.2", 40001))
s.settimeout(60)
conf.L2socket(iface=iface).send(syn)
t = time.time()
try:
    s.connect(("10.202.0.1", 9001))
except OSError as e:
    print("linear: connect failed after %.2f s: %s" % (time.time() - t, e))
' "tdr1-$$" "$srv_mac"
# phase 2: pure exponential backoff
ip netns exec "$cli" sysctl -qw net.ipv4.tcp_syn_linear_timeouts=0
ip netns exec "$cli" /usr/bin/python3 -c '
import socket, time
s = socket.socket()
s.bind(("10.202.0.2", 40002))
s.settimeout(16)
t = time.time()
try:
    s.connect(("10.202.0.1", 9001))
except OSError as e:
    print("exponential: connect given up after %.2f s: %s" % (time.time() - t, e))
s.close()
'
sleep 0.3
rec_stop
rec_save
