#!/usr/bin/env bash
# Set up, build, and run op25b on virtual devices (no NIC needed) with the
# default policy over a generated capture of mixed subscriber traffic:
# dynamic, static, relay, submission, IPv6, VLAN, QinQ and PPPoE.
#
# Usage: scripts/run.sh [POLICY.yaml] [PACKETS]
# Outputs (in ${OP25B_RUN_DIR:-run/}): demo.pcap (what the subscribers
# sent), upstream.pcap (what op25b forwarded), replies.pcap (the TCP resets
# it sent back), stats.json (the final counters).
set -euo pipefail
# A POLICY and an OP25B_RUN_DIR given relative are the caller's, not the
# tree's: made absolute before the cd below.
here=$(pwd)
absolute() { case "$1" in /*) echo "$1" ;; *) echo "$here/$1" ;; esac; }
policy=${1:+$(absolute "$1")}
out=${OP25B_RUN_DIR:+$(absolute "$OP25B_RUN_DIR")}
cd "$(dirname "$0")/.."

policy=${policy:-config/op25b.yaml}
count=${2:-5000}
out=${out:-run}

./scripts/setup.sh
build=$(./scripts/build.sh)
mkdir -p "$out"

echo "== generating $count packets of mixed subscriber traffic"
"$build/app/op25b-gen/op25b-gen" traffic --profile demo --count "$count" \
	--out "$out/demo.pcap"

echo "== op25b on net_pcap vdevs with $policy"
# shellcheck disable=SC2046 # eal-args.sh prints several words on purpose
"$build/app/op25b/op25b" -l 0-1 --no-pci $(./scripts/eal-args.sh 1024) \
	--log-level '*:warning' \
	--vdev "net_pcap0,rx_pcap=$out/demo.pcap,tx_pcap=$out/replies.pcap" \
	--vdev "net_pcap1,tx_pcap=$out/upstream.pcap" \
	-- --policy "$policy" --stop-after-idle 500 \
	--stats-json "$out/stats.json"

echo "== outputs in $out/: demo.pcap (in), upstream.pcap (forwarded)," \
	"replies.pcap (TCP resets), stats.json"
echo "== why was a flow blocked? for example:"
echo "   $build/app/op25b-policy/op25b-policy explain $policy 198.18.7.7 203.0.113.9 25"
