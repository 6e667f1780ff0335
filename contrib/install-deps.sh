#!/bin/sh
# install-deps.sh: install every Debian package that building and testing
# tcpdissect needs.  Idempotent; non-interactive (tshark's "should non-root
# users capture" question is answered by debconf's defaults).  Run as root.
# ethtool and nftables are for the recording scripts in tests/record/;
# chromium for tests/report-browser.sh (the --report page in a browser).
set -eu

PACKAGES="build-essential autoconf automake libtool pkg-config
libpcap-dev libjson-c-dev nettle-dev libevent-dev zlib1g-dev libzstd-dev liblz4-dev
tshark tcpdump python3 python3-scapy python3-jsonschema iproute2 time ethtool nftables
parallel chromium"

missing=""
for p in $PACKAGES; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done
if [ -z "$missing" ]; then
	echo "install-deps: all packages present"
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "install-deps: need root to install:$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
echo "install-deps: installed$missing"
