#!/bin/bash
# refused.sh: record connections refused by a closed port into OUT (default
# tests/pcaps/real-refused.pcap), with the nstat counter deltas of the server
# and the client namespace beside it in real-refused.pcap.nstat.  Run as root; it
# creates two network namespaces joined by a veth pair (tx checksum/TSO
# offload off, so the capture has real checksums) and removes them on exit.
# Recorded on kernel 6.18.44-fc-v669; needs python3 (no scapy), tcpdump,
# iproute2 (ip, nstat), ethtool.
#
# Why: a SYN to a port with no listener is answered by the kernel with a
# RST|ACK (seq 0, ack = ISN + 1, no options, window 0) and connect() fails at
# once with ECONNREFUSED, without retransmitting the SYN.  The client
# (10.202.0.2) connects three times, 0.1 s apart, to 10.202.0.1:9999 where
# nothing listens (the server namespace has no listener at all).  No sysctl is
# changed.
# Counters that should match: server TcpOutRsts 3, TcpInSegs 3; client
# TcpActiveOpens 3, TcpAttemptFails 3, TcpExtTCPSynRetrans 0.
set -uo pipefail
name=refused
. "$(dirname "$0")/listen-common.sh"
rec_setup
rec_pin_server_mac

rec_capture "tcp"
sleep 0.3
nstat_reset "$srv"; nstat_reset "$cli"
ip netns exec "$cli" /usr/bin/python3 -c '
import socket, time
for i in range(3):
    s = socket.socket()
    s.settimeout(3)
    try:
        s.connect(("10.202.0.1", 9999))
        print("connected?!")
    except OSError as e:
        print("connect %d: %s" % (i, e))
    s.close()
    time.sleep(0.1)
'
sleep 0.3
rec_stop
rec_save
