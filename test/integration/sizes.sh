#!/usr/bin/env bash
# Frames of 60 to 65,535 bytes (IPv4 and IPv6; plain, VLAN, QinQ, PPPoE
# with and without PPP protocol-field compression;
# SYNs answered with a RST, data dropped, static and HTTPS forwarded)
# through `op25b-policy replay` and through the appliance on net_pcap,
# which reads a frame longer than one mbuf into a chain: every frame gets
# its verdict, the two agree frame by frame and byte for byte, and the
# frames that were chained are counted. Prints "ok NAME" / "not ok NAME".
set -uo pipefail
. "$(dirname "$0")/common.bash"
scenario sizes
policy="$root/test/vectors/enforce.yaml"
tool="$build/app/op25b-policy/op25b-policy"
ok() { echo "ok $1"; }
bad() { echo "not ok $1"; status=1; }

"$py" "$root/test/integration/sizes.py" make "$work/in.pcap" \
	"$work/expect.txt" || { bad "sizes: make the capture"; exit 1; }
frames=$(wc -l <"$work/expect.txt")

# Replay in the appliance's default mbufs (2 KB data room: chains), and in
# mbufs that hold 9 KB frames whole: the layout must not matter.
for run in default big; do
	size=()
	[ $run = big ] && size=(--mbuf-size 9344)
	if timeout 120 "$tool" replay "$policy" "$work/in.pcap" --json \
		"${size[@]}" --out "$work/replay-$run-out.pcap" \
		--replies "$work/replay-$run-rep.pcap" \
		>"$work/replay-$run.json" 2>"$work/replay-$run.err"; then
		ok "sizes: replay ($run mbufs) ran over $frames frames"
	else
		bad "sizes: replay ($run mbufs) ran over $frames frames"
		sed 's/^/#   /' "$work/replay-$run.err" | tail -5
	fi
done
"$py" - "$work/expect.txt" "$work/replay-default.json" "$work/in.pcap" \
	"$work/replay-default-out.pcap" <<'PYEOF' || status=1
import json, sys
from scapy.all import RawPcapReader
want = [l.split() for l in open(sys.argv[1])]
got = [json.loads(l) for l in open(sys.argv[2])]
got = [g for g in got if "packet" in g]
frames = [bytes(d) for d, _ in RawPcapReader(sys.argv[3])]
out = [bytes(d) for d, _ in RawPcapReader(sys.argv[4])]
kept = [f for f, w in zip(frames, want) if w[4] == "forward"]
print(("ok" if out == kept else "not ok") +
      " sizes: replay forwards every frame byte for byte, 60..65535 bytes")
names = {"reset": "reply", "drop": "drop", "forward": "forward"}
bad = [f"{w[:4]}: {g['outcome']}/{g['disposition']}, want {w[4]}"
       for w, g in zip(want, got) if g["disposition"] != names[w[4]]]
if len(got) != len(want):
    bad.insert(0, f"{len(got)} verdicts for {len(want)} frames")
print(("ok" if not bad else "not ok") +
      " sizes: replay gives every frame its verdict, 60..65535 bytes")
for b in bad[:10]:
    print("#   " + b)
sys.exit(1 if bad or out != kept else 0)
PYEOF
"$py" "$root/test/integration/sizes.py" compare \
	"sizes: replay in 2 KB and 9 KB mbufs" \
	"$work/replay-big-out.pcap" "$work/replay-big-rep.pcap" \
	"$work/replay-default-out.pcap" "$work/replay-default-rep.pcap" ||
	status=1

# The appliance: net_pcap chains frames longer than 2 KB; it writes a
# chain through a 16,128-byte buffer, so longer frames leave cut (their
# original length recorded).
"$py" -c 'from scapy.all import wrpcap; wrpcap("'"$work/empty.pcap"'", [], linktype=1)'
timeout 120 "$build/app/op25b/op25b" -l 0-1 --no-pci --no-huge -m 1024 \
	--no-shconf --no-telemetry --log-level '*:warning' \
	--vdev "net_pcap0,rx_pcap=$work/in.pcap,tx_pcap=$work/sub-tx.pcap" \
	--vdev "net_pcap1,rx_pcap=$work/empty.pcap,tx_pcap=$work/up-tx.pcap" \
	-- --policy "$policy" --stop-after-idle 300 --status-interval 0 \
	--name "$scenario_name" --stats-json "$work/stats.json" \
	>"$work/op25b.log" 2>&1
rc=$?
if [ $rc -eq 0 ]; then
	ok "sizes: op25b ran over the capture and exited cleanly"
else
	bad "sizes: op25b ran over the capture and exited cleanly (status $rc)"
	sed 's/^/#   /' "$work/op25b.log" | tail -10
fi
"$py" "$root/test/integration/sizes.py" compare \
	"sizes: appliance and replay" \
	"$work/replay-default-out.pcap" "$work/replay-default-rep.pcap" \
	"$work/up-tx.pcap" "$work/sub-tx.pcap" --cut 16128 || status=1
"$py" - "$work/stats.json" "$work/replay-default.json" "$work/expect.txt" <<'PYEOF' || status=1
import json, re, sys
s = json.load(open(sys.argv[1]))
summary = [json.loads(l) for l in open(sys.argv[2])][-1]["totals"]
replay, frames = summary["packets"], summary["frames"]
pk = {k: v for k, v in s["packets"].items() if k != "upstream"}
chained = sum(1 for l in open(sys.argv[3]) if int(l.split()[0]) > 2048)
checks = [
    ("packet counters equal replay's", pk == replay, f"{pk} vs {replay}"),
    ("frame counters equal replay's", s["frames"] == frames,
     f"{s['frames']} vs {frames}"),
    (f"{chained} frames over 2 KB counted as chained",
     s["frames"]["chained"] == chained, s["frames"]["chained"]),
    ("no frame malformed", pk["malformed"] == 0, pk["malformed"]),
]
for name, cond, detail in checks:
    print(("ok" if cond else "not ok") + " sizes: appliance " + name)
    if not cond:
        print(f"#   {detail}")
sys.exit(0 if all(c for _, c, _ in checks) else 1)
PYEOF
exit $status
