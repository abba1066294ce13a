#!/usr/bin/env bash
# Any captures through every reader op25b has, each checked against the
# others and against Wireshark's dissectors (test/integration/captures.py):
# op25b-policy replay's reading of each frame (family, addresses, ports,
# VLAN ids, PPPoE session) against tshark's, op25b-xdp replay against
# op25b-policy replay (every frame, what passes), and op25b on net_pcap
# against replay (counters, frames out and replies byte for byte).
# Usage: scripts/captures.sh [--smtp] [--policy FILE] [--no-xdp]
#          [--no-appliance] [--work DIR] [--name NAME] CAPTURE...
# e.g. the public test captures of tcpdump, which this was written against:
#   git clone --depth 1 https://github.com/the-tcpdump-group/tcpdump
#   scripts/captures.sh tcpdump/tests/*.pcap tcpdump/tests/*.pcapng
# --smtp first makes the destination port of every TCP segment behind the
# frame's L2 and IP headers 25 (public captures hold little SMTP); the
# default policy blocks every source with block: reset. Captures that are
# not Ethernet are skipped, said so; --work keeps the files it makes (a
# temporary folder otherwise), --name names op25b's instance. As root
# (op25b-xdp replay, EAL). One line a capture, a progress line every 50
# on stderr, a summary; exit 1 when a capture does not agree or is no
# pcap/pcapng file (or the build fails), 2 on a usage error.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
case "${1:-}" in
"" | -h | --help)
	sed -n '2,/^[^#]/{/^#/p}' "$0" | sed 's/^# \{0,1\}//'
	[ $# -ge 1 ] && exit 0
	exit 2
	;;
esac
build=$("$root/scripts/build.sh") || exit 1
exec /usr/bin/python3 "$root/test/integration/captures.py" \
	--build "$root/$build" "$@"
