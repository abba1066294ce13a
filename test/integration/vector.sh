#!/usr/bin/env bash
# The classifier's paths in the appliance: the same capture (the demo
# profile: web, DNS, SMTP and submission from every class, VLAN, QinQ,
# PPPoE; and the encapsulation test vectors) through op25b on its default
# (auto: the widest path the CPU offers within the EAL's SIMD width: 256
# by default, 512 on an AMD CPU or an Intel Sapphire or Emerald Rapids
# (AVX-512 at full clock) unless the width is given, 512 with
# --force-max-simd-bitwidth=512, 256 with =256, scalar at 128; the vendor
# and model also as the test hooks say), each path named, and
# each vector path with --classifier-prepass, and auto where Linux
# reports the GDS mitigation (scalar): each run
# prints the path the CPU and the options give, and every run forwards and
# answers the same bytes and counts the same; an unknown path is refused
# in one line. (test_vector_diff holds the paths to each other frame by
# frame; this is the wiring: options, start line, exit report, show.)
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
vendor=$(awk -F': ' '/^vendor_id/ { print $2; exit }' /proc/cpuinfo)
family=$(awk -F': ' '/^cpu family/ { print $2; exit }' /proc/cpuinfo)
model=$(awk -F': ' '/^model[[:space:]]*:/ { print $2; exit }' /proc/cpuinfo)

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
run auto -- --classifier-path auto
run auto512 --force-max-simd-bitwidth=512 -- --classifier-path auto
# (at the EAL's notice level: its refusal of the width probe is a notice)
run auto256 --force-max-simd-bitwidth=256 --log-level lib.eal:notice \
	-- --classifier-path auto
run narrow --force-max-simd-bitwidth=128 -- --classifier-path auto
run scalar -- --classifier-path scalar
# The vendor and model as the test hooks say (builds with the tests read
# OP25B_TEST_CPU_VENDOR and OP25B_TEST_CPU_MODEL instead of CPUID): AMD's
# widens auto, and Intel's Sapphire Rapids (143) and Emerald Rapids (207);
# Intel's Cascade Lake (85) not.
OP25B_TEST_CPU_VENDOR=AuthenticAMD run amd --
OP25B_TEST_CPU_VENDOR=GenuineIntel OP25B_TEST_CPU_MODEL=85 run intel --
OP25B_TEST_CPU_VENDOR=GenuineIntel OP25B_TEST_CPU_MODEL=143 run spr --
OP25B_TEST_CPU_VENDOR=GenuineIntel OP25B_TEST_CPU_MODEL=207 run emr --
OP25B_TEST_CPU_VENDOR=AuthenticAMD run amd256 \
	--force-max-simd-bitwidth=256 -- --classifier-path auto
# auto on this machine: scalar where Linux reports the GDS mitigation.
auto=$best autowide=$wide
case "$vendor/$family/$model" in
AuthenticAMD/* | GenuineIntel/6/143 | GenuineIntel/6/207) auto=$wide ;;
esac
unmitigated=$auto amd=$wide intel=$best auto256=$best
if grep -qsE '^Mitigation: (Microcode|AVX disabled)' \
	/sys/devices/system/cpu/vulnerabilities/gather_data_sampling; then
	auto=scalar autowide=scalar amd=scalar intel=scalar auto256=scalar
fi
checks="default:$auto auto:$auto auto512:$autowide auto256:$auto256"
checks="$checks amd:$amd intel:$intel spr:$amd emr:$amd amd256:$auto256"
checks="$checks narrow:scalar scalar:scalar"
if [ "$best" = avx2 ]; then
	run avx2 -- --classifier-path avx2
	run avx2pre -- --classifier-path avx2 --classifier-prepass
	checks="$checks avx2:avx2 avx2pre:avx2"
fi
if [ "$wide" = avx512 ]; then
	run avx512 -- --classifier-path avx512
	run avx512pre -- --classifier-path avx512 --classifier-prepass
	checks="$checks avx512:avx512 avx512pre:avx512"
fi
# Where Linux reports the GDS mitigation (gathers slowed), auto takes
# the scalar path and says why; a path named is still taken. The status
# file is the test hook's (builds with the tests read
# OP25B_TEST_GDS_STATUS instead of /sys).
if [ "$best" != scalar ]; then
	printf 'Mitigation: Microcode\n' >"$work/gds-status"
	export OP25B_TEST_GDS_STATUS=$work/gds-status
	run gds --
	run gdsnamed -- --classifier-path "$best"
	printf 'Not affected\n' >"$work/gds-status"
	run gdsnot --
	# GDS "force" without the microcode: Linux turned AVX off.
	printf 'Mitigation: AVX disabled, no microcode\n' >"$work/gds-status"
	run gdsavx --
	unset OP25B_TEST_GDS_STATUS
	checks="$checks gds:scalar gdsnamed:$best gdsnot:$unmitigated"
	checks="$checks gdsavx:scalar"
	want_has "$work/gds.log" "op25b: classifier path scalar (auto: Linux reports the GDS mitigation"
	! grep -qF "GDS" "$work/gdsnamed.log" "$work/gdsnot.log" ||
		problem "the GDS mitigation said where auto did not pass over the vector paths"
fi

for want in $checks; do
	tag=${want%%:*} path=${want#*:}
	want_has "$work/$tag.log" "op25b: classifier path $path" &&
		want_has "$work/$tag.log" "burst 64, classifier $path" &&
		want_has "$work/$tag.log" "classifier path: $path"
done
# The pre-pass is said at start only where it runs.
for tag in avx2pre avx512pre; do
	[ -f "$work/$tag.log" ] || continue
	want_has "$work/$tag.log" "op25b: classifier path ${tag%pre} with the pre-pass"
done
for tag in default auto scalar; do
	! grep -qF "with the pre-pass" "$work/$tag.log" ||
		problem "$tag.log: the pre-pass said where it does not run"
done
# Asking the EAL whether the width was given is quiet: its refusal's
# notice is not shown, even at the notice level (auto256).
! grep -qF "Cannot set max SIMD" "$work"/*.log ||
	problem "the EAL's notice of a refused SIMD width was shown"
report "vector: the path the CPU and the options give, at start, in show workers and the report"

for want in $checks; do
	tag=${want%%:*}
	[ "$tag" != scalar ] || continue
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

# A path name op25b does not know: one line, exit 1, before any traffic.
timeout 30 "$op25b" "${eal[@]}" --vdev net_null0 --vdev net_null1 \
	-- --policy "$root/config/op25b.yaml" --name "$name-bad" \
	--cli-socket none --classifier-path sse >"$work/bad.out" 2>"$work/bad.err"
want_rc $? 1 "op25b --classifier-path sse: status"
want_has "$work/bad.err" "op25b: --classifier-path sse: expected scalar, avx2, avx512 or auto"
want_lines "$work/bad.err" 1
report "vector: --classifier-path sse refused in one line"
exit $status
