#!/usr/bin/env bash
# op25b against DPDK's testpmd and l3fwd, side by side, on the same virtual
# devices; the classifier against dpdk-test-acl and dpdk-test-fib; burst
# sizes, policy compile time and memory, instructions per packet.
# Usage: scripts/bench.sh [--quick] [--json FILE] [--plot FILE.png]
#   --quick   a smoke check in about two minutes: a 100k-prefix pool, one
#             short run each (every system and capture still runs once)
#   --json    write every figure here (default: bench-out/bench/bench.json)
#   --plot    Mpps per system and capture as a PNG (default: .../bench.png)
# Progress goes to stderr, the tables to stdout (and to table.txt in the
# output directory).
# doc/bench.md says what is measured, how, and how to read it.
# Output files go under $OP25B_BENCH_DIR (default bench-out/bench).
set -euo pipefail
cd "$(dirname "$0")/.."

quick=()
json=
plot=
while [ $# -gt 0 ]; do
	case "$1" in
	--quick) quick=(--quick) ;;
	--json) json=$(realpath -m "${2:?--json needs a file}"); shift ;;
	--plot) plot=$(realpath -m "${2:?--plot needs a file}"); shift ;;
	-h | --help) sed -n '2,14s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "bench.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
	esac
	shift
done
if [ "$(id -u)" -ne 0 ]; then
	echo "bench.sh: run as root (hugepages, DPDK's runtime directory)" >&2
	exit 1
fi

./scripts/setup.sh
build=$(./scripts/build.sh)
out=${OP25B_BENCH_DIR:-bench-out/bench}
mkdir -p "$out"

# 2 MB hugepages for every measured run (in memory: nothing is left
# mounted or reserved by the runs themselves). 1536 pages fit the largest
# run (dpdk-test-acl on a million rules); the reservation stays afterwards,
# as scripts/bench-classify.sh leaves its own.
want=1536
if [ "$(cat /proc/sys/vm/nr_hugepages)" -lt "$want" ]; then
	echo "$want" >/proc/sys/vm/nr_hugepages || true
fi
free=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)
if [ "${free:-0}" -lt 512 ]; then
	echo "bench.sh: only ${free:-0} free hugepages: the figures will be" \
		"plain-memory figures, useless for comparison" >&2
fi

args=(--root . --build "$build" --out "$out" "${quick[@]}")
[ -n "$json" ] && args+=(--json "$json")
[ -n "$plot" ] && args+=(--plot "$plot")
exec /usr/bin/python3 scripts/bench/bench.py "${args[@]}"
