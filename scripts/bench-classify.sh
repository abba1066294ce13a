#!/usr/bin/env bash
# Classifier micro-benchmark: cycles/packet at burst 32 for non-SMTP
# traffic and for port-25 SYNs from random sources of a 1,000,000-prefix
# pool list, plus the policy load and compile time at that size.
# Usage: scripts/bench-classify.sh [PREFIXES] [BURST]
# Uses hugepages (2 MB pages, reserved here if free memory allows), since
# --no-huge figures are meaningless for speed.
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-1000000}
burst=${2:-32}
./scripts/setup.sh
build=$(./scripts/build.sh)
work=${OP25B_BENCH_DIR:-bench-out}
mkdir -p "$work"
pools="$work/pools-$count.txt"
# Made afresh (under a second; a file cut short or by an older op25b-gen
# is never measured), renamed when whole.
echo "== generating a pool list of $count prefixes"
"$build/app/op25b-gen/op25b-gen" pools --count "$count" \
	--v6 $((count / 100)) --out "$pools.part" --quiet
mv "$pools.part" "$pools"
if [ "$(id -u)" -eq 0 ] && [ "$(cat /proc/sys/vm/nr_hugepages)" -lt 768 ]; then
	echo 768 > /proc/sys/vm/nr_hugepages || true
fi
# shellcheck disable=SC2046
"$build/test/bench/bench_classify" -l 0 --no-pci $(./scripts/eal-args.sh 1400) \
	--log-level '*:warning' -- --pools "$pools" --burst "$burst"

# Reload at this size, in the appliance: from SIGHUP to the new tables
# live (the log line is printed after the swap and the RCU grace period),
# five times, with the DPDK heap before and after (telemetry).
echo "== op25b: policy reload with $count prefixes (SIGHUP to tables live)"
prefix="op25b-bench-$$"
sock="/var/run/dpdk/$prefix/dpdk_telemetry.v2"
cat >"$work/reload.yaml" <<YAML
version: 1
block: drop
sources:
  dynamic: {action: block, prefixes_file: $(realpath "$pools")}
destinations:
  isp-relays: {action: allow, prefixes: [192.0.2.25/32, 2001:db8::25/128]}
YAML
./build/app/op25b-gen/op25b-gen vectors test/vectors/enforce.vec \
	--out "$work/reload-in.pcap" >/dev/null
heap() {
	/usr/bin/python3 test/integration/telemetry.py "$sock" /eal/heap_info,0 |
		/usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["/eal/heap_info"]["Alloc_size"] // 1048576)'
}
# shellcheck disable=SC2046
"$build/app/op25b/op25b" -l 0-1 --no-pci $(./scripts/eal-args.sh 1400) \
	--file-prefix "$prefix" --log-level '*:warning' \
	--vdev "net_pcap0,rx_pcap=$work/reload-in.pcap,infinite_rx=1,tx_pcap=/dev/null" \
	--vdev net_null1,no-rx=1 -- --policy "$work/reload.yaml" \
	--name "$prefix" --status-interval 0 --audit-log "$work/audit.log" \
	>"$work/reload.log" 2>&1 &
pid=$!
trap 'kill -KILL $pid 2>/dev/null; rm -rf /var/run/dpdk/$prefix' EXIT
for _ in $(seq 1 3000); do
	grep -q "counters in" "$work/reload.log" && break
	sleep 0.01
done
echo "start-up: $(grep -o '[0-9]* KB of tables' "$work/reload.log")"
echo "heap allocated before reloads: $(heap) MiB"
for i in 1 2 3 4 5; do
	t0=$(date +%s%N)
	kill -HUP "$pid"
	# 60 s at most; a reload that fails says so and ends the run.
	deadline=$((t0 + 60000000000))
	until [ "$(grep -c 'loaded: generation' "$work/reload.log")" -ge "$i" ]; do
		if grep -q 'reload failed' "$work/reload.log" ||
			! kill -0 "$pid" 2>/dev/null || [ "$(date +%s%N)" -gt "$deadline" ]; then
			echo "reload $i: no new generation within 60 s:" >&2
			tail -5 "$work/reload.log" >&2
			exit 1
		fi
		sleep 0.001
	done
	t1=$(date +%s%N)
	echo "reload $i: $(( (t1 - t0) / 1000000 )) ms from SIGHUP to tables live" \
		"($(grep 'loaded: generation' "$work/reload.log" | tail -1 | grep -oE '[0-9]+ ms') inside op25b)"
done
echo "heap allocated after 5 reloads: $(heap) MiB"
kill -TERM "$pid"
wait "$pid"
