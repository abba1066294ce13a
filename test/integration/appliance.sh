#!/usr/bin/env bash
# Every test vector file through the appliance (op25b on net_pcap vdevs,
# one worker) and through `op25b-policy replay`; test/integration/
# check_appliance.py checks the output captures and counters.
# Prints "ok NAME" / "not ok NAME" lines.
set -uo pipefail
. "$(dirname "$0")/common.bash"
scenario appliance

"$gen" vectors "$root/test/integration/upstream.vec" \
	--out "$work/upstream-in.pcap" >/dev/null || { echo "not ok upstream capture"; exit 1; }

for vec in "$root"/test/vectors/*.vec; do
	name=$(basename "$vec" .vec)
	d="$work/$name"
	mkdir -p "$d"
	policy=$(sed -n 's/^policy[[:space:]]\+//p' "$vec" | head -1)
	policy="$(dirname "$vec")/$policy"
	malformed=()
	if grep -q '^malformed:[[:space:]]*forward' "$policy"; then
		malformed=(--malformed-forward)
	fi
	if ! "$gen" vectors "$vec" --out "$d/in.pcap" --expect "$d/expect.txt" \
		>"$d/gen.log" 2>&1; then
		echo "not ok $name: generate capture"
		sed 's/^/#   /' "$d/gen.log"
		status=1
		continue
	fi
	timeout 60 "$build/app/op25b/op25b" "${eal[@]}" \
		--vdev "net_pcap0,rx_pcap=$d/in.pcap,tx_pcap=$d/sub-tx.pcap" \
		--vdev "net_pcap1,rx_pcap=$work/upstream-in.pcap,tx_pcap=$d/up-tx.pcap" \
		-- --policy "$policy" --stop-after-idle 300 --status-interval 0 --name "$scenario_name" \
		--stats-json "$d/stats.json" >"$d/op25b.log" 2>&1
	rc=$?
	if [ $rc -ne 0 ]; then
		echo "not ok $name: op25b exited with $rc"
		sed 's/^/#   /' "$d/op25b.log" | tail -20
		status=1
		continue
	fi
	echo "ok $name: op25b replayed the capture and exited cleanly"
	"$build/app/op25b-policy/op25b-policy" replay "$policy" "$d/in.pcap" \
		--json --out "$d/replay-out.pcap" >"$d/replay.json" 2>"$d/replay.err"
	rc=$?
	if [ $rc -ne 0 ]; then
		echo "not ok $name: op25b-policy replay exited with $rc"
		sed 's/^/#   /' "$d/replay.err" | tail -20
		status=1
	fi
	"$py" "$root/test/integration/check_appliance.py" \
		--name "$name" --expect "$d/expect.txt" --input "$d/in.pcap" \
		--upstream-in "$work/upstream-in.pcap" --sub-tx "$d/sub-tx.pcap" \
		--up-tx "$d/up-tx.pcap" --stats "$d/stats.json" "${malformed[@]}" \
		--replay-json "$d/replay.json" --replay-out "$d/replay-out.pcap" ||
		status=1
done
exit $status
