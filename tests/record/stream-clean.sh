#!/bin/bash
# stream-clean.sh: record a clean bulk transfer through relay.c, with no
# scripted action at all: the no-false-alarm baseline for the other
# real-stream-* recordings.
#
# What: the client sends 80 full-size segments (115840 bytes) to the
# server through relay.c (2 ms each way), waits 0.3 s and closes; the
# server reads everything and closes.  Nothing is lost, reordered or
# duplicated (the relay log has no action lines and no kernel drops), so
# every anomaly reported for these captures is a false alarm.
# Vantage points: client's (sender's) veth -> real-stream-clean-sender.pcap,
#   server's (receiver's) veth -> real-stream-clean-receiver.pcap, same run;
#   real-stream-clean.relaylog, real-stream-clean.nstat beside them.
# Recorded on Linux 6.18.44-fc-v669 (no tc netem: hence relay.c).
# Re-run: sudo bash tests/record/stream-clean.sh   (overwrites the files)
. "$(dirname "$0")/stream-common.sh"
setup_net
start_relay --link-delay 2ms
start_capture sender "$cli" "$ifc0"
start_capture receiver "$srv" "$ifs0"
run_server
run_client $((80 * 1448)) 0.3
wait_bg
finish clean client
