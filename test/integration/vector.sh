#!/usr/bin/env bash
# The classifier's paths in the appliance: the same capture (the demo
# profile: web, DNS, SMTP and submission from every class, VLAN, QinQ,
# PPPoE; and the encapsulation test vectors) through op25b on the path it
# picks, on AVX-512 (--force-max-simd-bitwidth=512), at a 128-bit limit
# and with --force-scalar: each run prints the path the CPU and the
# options give, and every run forwards and answers the same bytes and
# counts the same. (test_vector_diff holds the paths to each other frame
# by frame; this is the wiring: options, start line, exit report, show.)
# Prints "ok NAME" / "not ok NAME" lines; details follow as "#   " lines.
set -uo pipefail
. "$(dirname "$0")/common.bash"
scenario vector

has_flag() { grep -qw "$1" /proc/cpuinfo; }
best=scalar
has_flag avx2 && best=avx2
wide=$best
has_flag avx512f && has_flag avx512bw && has_flag avx512dq &&
	has_flag avx512vl && wide=avx512

"$gen" traffic --profile demo --count 4000 -q --out "$work/demo.pcap" &&
	"$gen" vectors "$root/test/vectors/encap.vec" --out "$work/encap.pcap" \
		>/dev/null ||
	{ echo "not ok vector: captures"; exit 1; }
# One capture: the two files' records after one header.
{ cat "$work/demo.pcap"; tail -c +25 "$work/encap.pcap"; } >"$work/in.pcap"

# run TAG [EAL options] -- [op25b options]: one replay into $work/TAG.*
run() {
	local tag=$1 eal_more=()
	shift
	while [ "$1" != -- ]; do eal_more+=("$1"); shift; done
	shift
	timeout 60 "$op25b" "${eal[@]}" "${eal_more[@]}" \
		--vdev "net_pcap0,rx_pcap=$work/in.pcap,tx_pcap=$work/$tag.replies.pcap" \
		--vdev "net_pcap1,tx_pcap=$work/$tag.up.pcap" \
		-- --policy "$root/config/op25b.yaml" --name "$name-$tag" \
		--cli-socket none --state-dir "$work" --audit-log "$work/audit.log" \
		--status-interval 0 --stop-after-idle 500 \
		--cmdline-file "$work/show.cli" \
		--stats-json "$work/$tag.json" "$@" >"$work/$tag.log" 2>&1
	want_rc $? 0 "op25b ($tag) exit status" || tail -5 "$work/$tag.log" | sed 's/^/# /'
}
printf 'show workers\n' >"$work/show.cli"

run default --
run avx512 --force-max-simd-bitwidth=512 --
run narrow --force-max-simd-bitwidth=128 --
run scalar -- --force-scalar
run scalar512 --force-max-simd-bitwidth=512 -- --force-scalar

for want in default:$best avx512:$wide narrow:scalar scalar:scalar \
	scalar512:scalar; do
	tag=${want%%:*} path=${want#*:}
	want_has "$work/$tag.log" "op25b: classifier path $path" &&
		want_has "$work/$tag.log" "burst 32, classifier $path" &&
		want_has "$work/$tag.log" "classifier path: $path"
done
report "vector: the path the CPU and the options give, at start, in show workers and the report"

for tag in default avx512 narrow scalar512; do
	py_check '
import json, sys
from pcapfile import frames
w, tag, ref = sys.argv[1], sys.argv[2], "scalar"
for f in ("up", "replies"):
    a, b = frames(f"{w}/{tag}.{f}.pcap"), frames(f"{w}/{ref}.{f}.pcap")
    assert a == b, f"{tag}: {f}.pcap differs from the scalar run ({len(a)} and {len(b)} frames)"
j, k = json.load(open(f"{w}/{tag}.json")), json.load(open(f"{w}/{ref}.json"))
for key in ("packets", "frames", "classes", "groups"):
    assert j[key] == k[key], f"{tag}: {key} {j[key]} != {k[key]}"
assert sum(k["packets"].values()) > 4000, k["packets"]
' "$work" "$tag"
done
report "vector: every path forwards, answers and counts as the scalar one"
exit $status
