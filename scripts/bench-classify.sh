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
if [ ! -s "$pools" ]; then
	echo "== generating a pool list of $count prefixes"
	"$build/app/op25b-gen/op25b-gen" pools --count "$count" \
		--v6 $((count / 100)) --out "$pools"
fi
if [ "$(id -u)" -eq 0 ] && [ "$(cat /proc/sys/vm/nr_hugepages)" -lt 768 ]; then
	echo 768 > /proc/sys/vm/nr_hugepages || true
fi
# shellcheck disable=SC2046
"$build/test/bench/bench_classify" -l 0 --no-pci $(./scripts/eal-args.sh 1400) \
	--log-level '*:warning' -- --pools "$pools" --burst "$burst"
