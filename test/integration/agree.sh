#!/usr/bin/env bash
# The numbers agree: at the end of a replay, op25b-stat --json, the DPDK
# telemetry replies (/op25b/stats, /op25b/class,NAME, /op25b/group,NAME,
# /op25b/policy) and --stats-json give the same counters.
# Prints "ok NAME" / "not ok NAME" lines; details follow as "#   " lines.
set -uo pipefail
work=$(mktemp -d /tmp/op25b-agree.XXXXXX)
. "$(dirname "$0")/common.bash"
name="op25b-agree-$$"
prefix="op25b-agree-$$"
sock="/var/run/dpdk/$prefix/dpdk_telemetry.v2"
op25b_pid=""
cleanup() {
	[ -n "$op25b_pid" ] && kill -KILL "$op25b_pid" 2>/dev/null
	rm -rf "$work" "/var/run/dpdk/$prefix"
}
trap cleanup EXIT

"$build/app/op25b-gen/op25b-gen" traffic --profile demo --count 3000 \
	--out "$work/in.pcap" 2>/dev/null || { echo "not ok agree: capture"; exit 1; }

# A finite capture and a long idle stop: the counters settle, then there is
# time to read them every way before op25b exits.
"$build/app/op25b/op25b" -l 0-1 --no-pci --no-huge -m 512 \
	--file-prefix "$prefix" --log-level '*:warning' \
	--vdev "net_pcap0,rx_pcap=$work/in.pcap,tx_pcap=$work/replies.pcap" \
	--vdev "net_pcap1,tx_pcap=$work/up.pcap" \
	-- --policy "$root/config/op25b.yaml" --name "$name" \
	--status-interval 0 --stop-after-idle 3000 \
	--stats-json "$work/final.json" >"$work/op25b.log" 2>&1 &
op25b_pid=$!

settled=""
for _ in $(seq 1 300); do
	"$build/app/op25b-stat/op25b-stat" --name "$name" --json \
		>"$work/stat.json" 2>/dev/null &&
		[ "$("$py" -c 'import json,sys; s=json.load(open(sys.argv[1])); print(sum(v for k,v in s["packets"].items() if k != "upstream"))' "$work/stat.json")" = 3000 ] &&
		{ settled=1; break; }
	sleep 0.01
done
[ -n "$settled" ] || problem "op25b did not classify the 3000 packets:" "$(tail -5 "$work/op25b.log")"
sleep 1.2 # one more port-figures update after the last packet
"$build/app/op25b-stat/op25b-stat" --name "$name" --json >"$work/stat.json"
"$build/app/op25b-stat/op25b-stat" --name "$name" --prometheus >"$work/stat.prom"
classes=$("$py" -c 'import json,sys; print(" ".join("/op25b/class," + c for c in json.load(open(sys.argv[1]))["classes"]))' "$work/stat.json")
groups=$("$py" -c 'import json,sys; print(" ".join("/op25b/group," + c for c in json.load(open(sys.argv[1]))["groups"]))' "$work/stat.json")
"$py" "$(dirname "$0")/telemetry.py" "$sock" /op25b/stats /op25b/policy \
	>"$work/tel-stats.json" || problem "telemetry $sock did not answer"
# One reply per class: they share a key, so ask one at a time.
: >"$work/tel-names.txt"
for cmd in $classes $groups; do
	printf '%s %s\n' "$cmd" "$("$py" "$(dirname "$0")/telemetry.py" "$sock" "$cmd")" \
		>>"$work/tel-names.txt"
done
wait "$op25b_pid"
rc=$?
op25b_pid=""
want_rc "$rc" 0 "op25b exit status"

out=$("$py" - "$work/stat.json" "$work/tel-stats.json" "$work/tel-names.txt" \
	"$work/final.json" "$work/stat.prom" <<'EOF'
import json, sys
stat = json.load(open(sys.argv[1]))
tel = json.load(open(sys.argv[2]))
final = json.load(open(sys.argv[4]))
problems = []
def same(what, a, b):
    if a != b:
        problems.append(f"{what}: {a} != {b}")
same("op25b-stat packets vs --stats-json", stat["packets"], final["packets"])
same("op25b-stat frames vs --stats-json", stat["frames"], final["frames"])
prom = {}
for line in open(sys.argv[5]):
    if line.startswith("op25b_frames_total{kind=\""):
        kind = line.split('"')[1]
        prom[kind] = int(line.rsplit(" ", 1)[1])
same("op25b-stat --prometheus frames vs --stats-json", prom, final["frames"])

same("op25b-stat classes vs --stats-json", stat["classes"], final["classes"])
same("op25b-stat groups vs --stats-json", stat["groups"], final["groups"])
for key in ("generation", "reload_ok", "reload_failed", "exemptions"):
    same(f"op25b-stat {key} vs --stats-json", stat[key], final[key])
ports = lambda s: [{k: p[k] for k in ("port", "name", "role", "rx", "tx",
                    "tx_dropped")} for p in s["ports"]]
same("op25b-stat ports vs --stats-json", ports(stat), ports(final))
t = tel["/op25b/stats"]
same("telemetry /op25b/stats vs --stats-json",
     {k: t[k] for k in final["packets"]}, final["packets"])
same("telemetry /op25b/stats frames vs --stats-json",
     {k: t[k] for k in final["frames"]}, final["frames"])
same("telemetry generation", t["generation"], final["generation"])
same("telemetry exemptions", t["exemptions"], final["exemptions"])
pol = tel["/op25b/policy"]
same("telemetry /op25b/policy classes",
     pol["classes"], [c for c in final["classes"] if c != "(none)"])
for line in open(sys.argv[3]):
    cmd, reply = line.split(" ", 1)
    kind, name = cmd[len("/op25b/"):].split(",", 1)
    got = json.loads(reply)["/op25b/" + kind]
    same(f"telemetry {cmd}", got, final["classes" if kind == "class" else "groups"][name])
if sum(final["packets"][k] for k in final["packets"] if k != "upstream") != 3000:
    problems.append(f"packets do not add up to 3000: {final['packets']}")
print("\n".join(problems))
EOF
)
[ -z "$out" ] || problem "$out"
report "agree: op25b-stat --json, telemetry and --stats-json give the same counters"
exit $status
