#!/usr/bin/env bash
# The numbers agree: at the end of a replay, op25b-stat --json, the DPDK
# telemetry replies (/op25b/stats, /op25b/port,ID, /op25b/class,NAME,
# /op25b/group,NAME, /op25b/policy) and --stats-json give the same
# counters; every family of the lists in lib/stats/op25b_stats.h (header
# figures, port driver and worker figures) agrees across op25b-stat --json,
# --prometheus, the text view, telemetry, `show counters json`, `show port
# stats json` and --stats-json; and the mode and block gauges follow a
# policy reload, `set mode` and `set block` in all of them; a reload that
# removes a class and a group leaves them listed as removed everywhere
# (Prometheus: op25b_class_active 0),
# telemetry too, and the workers' loops are in telemetry as in the others.
# Prints "ok NAME" / "not ok NAME" lines; details follow as "#   " lines.
set -uo pipefail
. "$(dirname "$0")/common.bash"
scenario agree
sock="/var/run/dpdk/$prefix/dpdk_telemetry.v2"
cli_sock="$work/cli.sock"

"$build/app/op25b-gen/op25b-gen" traffic --profile demo --count 3000 \
	--out "$work/in.pcap" 2>/dev/null || { echo "not ok agree: capture"; exit 1; }

# The file says enforce and reset; the reload's file monitor and drop.
sed -e 's/^mode: enforce /mode: monitor /' -e 's/^block: reset /block: drop  /' \
	"$root/config/op25b.yaml" >"$work/monitor.yaml"
grep -q '^mode: monitor ' "$work/monitor.yaml" && grep -q '^block: drop ' "$work/monitor.yaml" ||
	{ echo "not ok agree: config/op25b.yaml no longer says mode: enforce, block: reset"; exit 1; }
# The reload's file without the class static and the group isp-relays
# (three lines each).
"$py" - "$work/monitor.yaml" "$work/fewer.yaml" <<'EOF'
import sys
out, skip = [], 0
for l in open(sys.argv[1]).read().split("\n"):
    if l.startswith("  static:") or l.startswith("  isp-relays:"):
        skip = 3
    if skip:
        skip -= 1
        continue
    out.append(l)
open(sys.argv[2], "w").write("\n".join(out))
EOF

# A finite capture: the counters settle, then they are read every way and
# the switches flipped; SIGTERM ends it (the idle stop is a bound only).
"$build/app/op25b/op25b" -l 0-1 --no-pci --no-huge -m 512 \
	--file-prefix "$prefix" --log-level '*:warning' \
	--vdev "net_pcap0,rx_pcap=$work/in.pcap,tx_pcap=$work/replies.pcap" \
	--vdev "net_pcap1,tx_pcap=$work/up.pcap" \
	-- --policy "$root/config/op25b.yaml" --name "$name" \
	--cli-socket "$cli_sock" \
	--status-interval 0 --stop-after-idle 60000 \
	--stats-json "$work/final.json" >"$work/op25b.log" 2>&1 &
bg_pid=$!

classified() {
	"$build/app/op25b-stat/op25b-stat" --name "$name" --json \
		>"$work/stat.json" 2>/dev/null &&
		[ "$("$py" -c 'import json,sys; s=json.load(open(sys.argv[1])); print(sum(v for k,v in s["packets"].items() if k != "upstream"))' "$work/stat.json")" = 3000 ]
}
wait_until 30 "$bg_pid" classified || problem "op25b did not classify the 3000 packets:" "$(tail -5 "$work/op25b.log")"
sleep 1.2 # one more port-figures update after the last packet

cli() {
	"$build/app/op25b-cli/op25b-cli" --cli-socket "$cli_sock" --timeout 20 "$@" \
		>"$work/cli.out" 2>&1 || problem "op25b-cli $*: $(cat "$work/cli.out")"
}
# views TAG: the header and port figures every way, as $work/TAG.*
views() {
	"$build/app/op25b-stat/op25b-stat" --name "$name" --json >"$work/$1.stat.json"
	"$build/app/op25b-stat/op25b-stat" --name "$name" --prometheus >"$work/$1.prom"
	"$build/app/op25b-stat/op25b-stat" --name "$name" >"$work/$1.txt"
	"$py" "$(dirname "$0")/telemetry.py" "$sock" /op25b/stats /op25b/port \
		>"$work/$1.tel.json" || problem "telemetry $sock did not answer"
	# One reply per port: they share a key.
	"$py" -c 'import json,sys; print(" ".join("/op25b/port,%d" % p for p in json.load(open(sys.argv[1]))["/op25b/port"]))' \
		"$work/$1.tel.json" >"$work/$1.tel-ports.txt"
	: >"$work/$1.tel-ports.json"
	for cmd in $(cat "$work/$1.tel-ports.txt"); do
		"$py" "$(dirname "$0")/telemetry.py" "$sock" "$cmd" >>"$work/$1.tel-ports.json"
	done
	"$build/app/op25b-cli/op25b-cli" --socket "$cli_sock" show counters json \
		>"$work/$1.cli.json" 2>&1 || problem "show counters json failed"
	"$build/app/op25b-cli/op25b-cli" --socket "$cli_sock" show port stats all json \
		>"$work/$1.cliports.json" 2>&1 || problem "show port stats all json failed"
}
views start
cli policy check "$work/monitor.yaml"
grep -q "^note: the policy's malformed: drop still drops malformed frames" "$work/cli.out" ||
	problem "policy check of monitor.yaml: no note:" "$(cat "$work/cli.out")"
cli policy reload "$work/monitor.yaml"
grep -q "^note: the policy's malformed: drop still drops malformed frames" "$work/cli.out" ||
	problem "policy reload of monitor.yaml: no note:" "$(cat "$work/cli.out")"
views reload
# The reload's line is followed by the dry run's note (monitor, malformed:
# drop); the start's (enforce) had none.
[ "$(grep -c "^op25b: note: the policy's malformed: drop still drops malformed frames" "$work/op25b.log")" = 1 ] ||
	problem "the reload to monitor.yaml: no note (or more than one):" "$(cat "$work/op25b.log")"
cli set mode enforce
views set-enforce
cli set mode monitor
cli set block reset
views set-monitor
cli policy reload "$work/fewer.yaml"
# The final figures: the state the switches left.
"$build/app/op25b-stat/op25b-stat" --name "$name" --json >"$work/stat.json"
"$build/app/op25b-stat/op25b-stat" --name "$name" --prometheus >"$work/stat.prom"
classes=$("$py" -c 'import json,sys; print(" ".join(k + "," + c for c in json.load(open(sys.argv[1]))["classes"] for k in ("/op25b/class", "/op25b/notify", "/op25b/adaptive")))' "$work/stat.json")
groups=$("$py" -c 'import json,sys; print(" ".join("/op25b/group," + c for c in json.load(open(sys.argv[1]))["groups"]))' "$work/stat.json")
"$py" "$(dirname "$0")/telemetry.py" "$sock" /op25b/stats /op25b/policy \
	/op25b/worker /op25b/removed_classes /op25b/removed_groups / \
	>"$work/tel-stats.json" || problem "telemetry $sock did not answer"
workers=$("$py" -c 'import json,sys; print(" ".join("/op25b/worker,%d" % w for w in json.load(open(sys.argv[1]))["/op25b/worker"]))' "$work/tel-stats.json")
: >"$work/tel-workers.json"
for cmd in $workers /op25b/worker,99; do
	"$py" "$(dirname "$0")/telemetry.py" "$sock" "$cmd" >>"$work/tel-workers.json"
done
# One reply per class: they share a key, so ask one at a time.
: >"$work/tel-names.txt"
for cmd in $classes $groups; do
	printf '%s %s\n' "$cmd" "$("$py" "$(dirname "$0")/telemetry.py" "$sock" "$cmd")" \
		>>"$work/tel-names.txt"
done
stop_process "$bg_pid" TERM 20
bg_pid=""
want_rc "$rc" 0 "op25b exit status"

# Every view of every state: the lists' names, the same values, and the
# mode and block each state should have.
py_problems "$work" <<'EOF'
import json, re, sys
work = sys.argv[1]
HEADER = ["generation", "reload_ok", "reload_failed", "exemptions", "mode", "block",
          "records_written", "records_dropped", "records_over_rate"]
PORT = ["rx", "tx", "rx_bytes", "tx_bytes", "rx_missed", "rx_errors",
        "rx_nombuf", "tx_errors", "link_up", "speed_mbps", "worker_rx",
        "worker_tx", "tx_dropped"]
PROM_PORT = {"rx": "port_rx_packets_total", "tx": "port_tx_packets_total",
             "rx_bytes": "port_rx_bytes_total", "tx_bytes": "port_tx_bytes_total",
             "rx_missed": "port_rx_missed_packets_total",
             "rx_errors": "port_rx_errors_total", "rx_nombuf": "port_rx_nombuf_total",
             "tx_errors": "port_tx_errors_total",
             "worker_rx": "port_worker_rx_packets_total",
             "worker_tx": "port_worker_tx_packets_total",
             "tx_dropped": "port_tx_dropped_packets_total",
             "link_up": "port_link_up", "speed_mbps": "port_link_speed_mbps"}
STATES = [("start", "enforce", "reset", 1), ("reload", "monitor", "drop", 2),
          ("set-enforce", "enforce", "drop", 3), ("set-monitor", "monitor", "reset", 5)]
problems = []
def same(what, a, b):
    if a != b:
        problems.append(f"{what}: {a} != {b}")
def prom_samples(path):
    out = {}
    for line in open(path):
        if line.startswith("#"):
            continue
        m = re.match(r'^(\w+)(\{.*\})? (\S+)$', line.rstrip("\n"))
        out[m.group(1) + (m.group(2) or "")] = float(m.group(3))
    return out
for tag, mode, block, generation in STATES:
    stat = json.load(open(f"{work}/{tag}.stat.json"))
    cli = json.load(open(f"{work}/{tag}.cli.json"))
    tel = json.load(open(f"{work}/{tag}.tel.json"))
    prom = prom_samples(f"{work}/{tag}.prom")
    text = open(f"{work}/{tag}.txt").read()
    want = {"mode": mode, "block": block, "generation": generation}
    same(f"{tag}: op25b-stat --json mode, block, generation",
         {k: stat[k] for k in want}, want)
    header = {k: stat[k] for k in HEADER}
    same(f"{tag}: show counters json header figures", {k: cli[k] for k in HEADER}, header)
    same(f"{tag}: telemetry /op25b/stats header figures",
         {k: tel["/op25b/stats"][k] for k in HEADER}, header)
    for m in ("enforce", "monitor"):
        same(f"{tag}: op25b_mode{{mode=\"{m}\"}}", prom.get(f'op25b_mode{{mode="{m}"}}'),
             1.0 if m == mode else 0.0)
    for b in ("drop", "reset"):
        same(f"{tag}: op25b_block{{block=\"{b}\"}}", prom.get(f'op25b_block{{block="{b}"}}'),
             1.0 if b == block else 0.0)
    same(f"{tag}: op25b_policy_generation", prom.get("op25b_policy_generation"), generation)
    same(f"{tag}: op25b_reloads_total ok", prom.get('op25b_reloads_total{result="ok"}'),
         stat["reload_ok"])
    same(f"{tag}: op25b_exemptions", prom.get("op25b_exemptions"), stat["exemptions"])
    line = [l for l in text.split("\n") if l.startswith("policy ")]
    want_line = ", ".join(f"{k} {stat[k]}" for k in HEADER)
    if not line or not line[0].endswith(want_line):
        problems.append(f"{tag}: text header {line}, want it to end in: {want_line}")
    # Ports: the same keys, in list order, and the same values everywhere
    # (no traffic since the capture ended; the driver figures were
    # sampled after its last packet).
    for p in stat["ports"]:
        same(f"{tag}: op25b-stat port keys", list(p), ["port", "name", "role"] + PORT)
    same(f"{tag}: show counters json ports", cli["ports"], stat["ports"])
    same(f"{tag}: telemetry /op25b/port", tel["/op25b/port"], [p["port"] for p in stat["ports"]])
    same(f"{tag}: telemetry /op25b/port,ID",
         [json.loads(l)["/op25b/port"] for l in open(f"{work}/{tag}.tel-ports.json")],
         stat["ports"])
    for p in stat["ports"]:
        for k in PORT:
            key = f'op25b_{PROM_PORT[k]}{{port="{p["port"]}",name="{p["name"]}",role="{p["role"]}"}}'
            same(f"{tag}: {key}", prom.get(key), p[k])
    ports = json.load(open(f"{work}/{tag}.cliports.json"))
    same(f"{tag}: show port stats json",
         [{k: p[k] for k in ["port", "name", "role"] + PORT} for p in ports],
         [{k: p[k] for k in ["port", "name", "role"] + PORT} for p in stat["ports"]])
    if stat["ports_updated_seconds"] <= stat["start_time_seconds"]:
        problems.append(f"{tag}: ports_updated_seconds {stat['ports_updated_seconds']}")
    if not re.search(r"^ports \(driver figures sampled \d{4}-\d\d-\d\dT[\d:.]+Z, [\d.]+ s ago\)$", text, re.M):
        problems.append(f"{tag}: the text view gives no sample time of the port figures")
final = json.load(open(f"{work}/final.json"))
same("--stats-json mode, block", (final["mode"], final["block"]), ("monitor", "reset"))
if sum(p["rx_bytes"] for p in final["ports"]) <= 0:
    problems.append("no byte counted")
print("\n".join(problems))
EOF
report "agree: header and port figures, mode and block gauges agree in every view after a reload and set mode/block"

py_problems "$work/stat.json" "$work/tel-stats.json" "$work/tel-names.txt" \
	"$work/final.json" "$work/stat.prom" "$work/tel-workers.json" <<'EOF'
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
# Removed names marked in Prometheus too: op25b_class_active 0.
import re
active = {}
for line in open(sys.argv[5]):
    m = re.match(r'op25b_(class|group)_active\{(?:class|group)="([^"]*)"\} ([01])$', line)
    if m:
        active[(m.group(1), m.group(2))] = int(m.group(3))
same("op25b-stat --prometheus class_active", {c: active.get(("class", c)) for c in final["classes"]},
     {c: int(c not in final["removed_classes"]) for c in final["classes"]})
same("op25b-stat --prometheus group_active", {g: active.get(("group", g)) for g in final["groups"]},
     {g: int(g not in final["removed_groups"]) for g in final["groups"]})

same("op25b-stat classes vs --stats-json", stat["classes"], final["classes"])
same("op25b-stat groups vs --stats-json", stat["groups"], final["groups"])
for key in ("generation", "reload_ok", "reload_failed", "exemptions", "mode",
            "block"):
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
same("--stats-json removed_classes, removed_groups",
     (final["removed_classes"], final["removed_groups"]), (["static"], ["isp-relays"]))
same("op25b-stat removed_classes, removed_groups",
     (stat["removed_classes"], stat["removed_groups"]), (["static"], ["isp-relays"]))
same("telemetry /op25b/policy classes",
     pol["classes"], [c for c in final["classes"] if c not in ("(none)", "static")])
same("telemetry /op25b/policy groups",
     pol["groups"], [g for g in final["groups"] if g not in ("(none)", "isp-relays")])
same("telemetry /op25b/policy removed",
     (pol["removed_classes"], pol["removed_classes_total"], pol["removed_groups"],
      pol["removed_groups_total"]), (["static"], 1, ["isp-relays"], 1))
same("telemetry /op25b/removed_classes", tel["/op25b/removed_classes"],
     {"generation": final["generation"], "total": 1, "offset": 0, "names": ["static"]})
same("telemetry /op25b/removed_groups", tel["/op25b/removed_groups"],
     {"generation": final["generation"], "total": 1, "offset": 0, "names": ["isp-relays"]})
# Every command registered (DPDK refuses one whose help is too long, and
# answers it with null).
same("telemetry: op25b's commands", sorted(c for c in tel["/"] if c.startswith("/op25b/")),
     sorted("/op25b/" + c for c in ("stats", "port", "worker", "policy", "classes", "groups",
                                    "removed_classes", "removed_groups", "class", "notify",
                                    "adaptive", "group")))
# Workers: the same lcores; loops only grow, and telemetry was asked
# before the exit's --stats-json.
same("telemetry /op25b/worker", tel["/op25b/worker"], [w["lcore"] for w in final["workers"]])
replies = [json.loads(l)["/op25b/worker"] for l in open(sys.argv[6])]
same("telemetry /op25b/worker,99", replies[-1], None)
same("telemetry /op25b/worker,ID keys", [list(r) for r in replies[:-1]],
     [["lcore", "loops", "busy_loops"]] * len(final["workers"]))
for r, w in zip(replies, final["workers"]):
    if not (r["lcore"] == w["lcore"] and 0 < r["busy_loops"] <= w["busy_loops"]
            and r["busy_loops"] <= r["loops"] <= w["loops"]):
        problems.append(f"telemetry /op25b/worker,{r['lcore']}: {r}, at exit {w}")
for line in open(sys.argv[3]):
    cmd, reply = line.split(" ", 1)
    kind, name = cmd[len("/op25b/"):].split(",", 1)
    got = json.loads(reply)["/op25b/" + kind]
    same(f"telemetry {cmd}", got, final[{"class": "classes", "notify": "notify", "adaptive": "adaptive"}.get(kind, "groups")][name])
if sum(final["packets"][k] for k in final["packets"] if k != "upstream") != 3000:
    problems.append(f"packets do not add up to 3000: {final['packets']}")
print("\n".join(problems))
EOF
report "agree: op25b-stat --json, telemetry and --stats-json give the same counters"

# 255 classes of 63-character names do not fit telemetry's 16 KB reply
# (DPDK left the last ones and the groups out, without a word):
# /op25b/policy says the totals and lists what fits, /op25b/classes,N
# pages through the rest; together, every name in order.
{ echo "version: 1"; echo "sources:"
  for i in $(seq 1 255); do
	printf '  c%03d-%s: {action: block, prefixes: [10.%d.%d.0/24]}\n' "$i" \
		"$(printf 'x%.0s' $(seq 1 58))" $((i / 200)) $((i % 200))
  done
  echo "destinations:"
  echo "  relays: {action: allow, prefixes: [192.0.2.25/32]}"; } >"$work/big.yaml"
"$build/app/op25b/op25b" -l 0-1 --no-pci --no-huge -m 512 \
	--file-prefix "$prefix-big" --log-level '*:warning' \
	--vdev "net_pcap0,rx_pcap=$work/in.pcap,tx_pcap=/dev/null" --vdev net_null1,no-rx=1 \
	-- --policy "$work/big.yaml" --name "$name-big" --cli-socket none \
	--status-interval 0 --stop-after-idle 60000 >"$work/big.log" 2>&1 &
bg_pid=$!
big_sock="/var/run/dpdk/$prefix-big/dpdk_telemetry.v2"
wait_until 30 "$bg_pid" test -S "$big_sock" && sleep 0.5 ||
	problem "op25b with 255 classes did not start:" "$(tail -3 "$work/big.log")"
tel() { "$py" "$(dirname "$0")/telemetry.py" "$big_sock" "$1"; }
tel /op25b/policy >"$work/big-policy.json" || problem "no /op25b/policy"
# pages CMD OUT: the pages of CMD,N from N = 0 while "next" says there
# are more (six at most), one reply after the other into OUT.
pages() {
	local next=0 _
	: >"$2"
	for _ in 1 2 3 4 5 6; do
		tel "$1,$next" >"$work/big-page.json" || { problem "no $1,$next"; break; }
		cat "$work/big-page.json" >>"$2"
		next=$("$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]].get("next", ""))' \
			"$work/big-page.json" "$1")
		[ -n "$next" ] || break
	done
}
pages /op25b/classes "$work/big-pages.json"
tel /op25b/groups >"$work/big-groups.json" || problem "no /op25b/groups"
tel /op25b/classes,x >"$work/big-bad.json"
# A reload keeps the first 55 classes: the other 200 are removed, listed
# in /op25b/policy as far as they fit and whole, in pages, in
# /op25b/removed_classes,N.
{ head -n 57 "$work/big.yaml"; tail -n 2 "$work/big.yaml"; } >"$work/big55.yaml"
mv "$work/big55.yaml" "$work/big.yaml"
kill -HUP "$bg_pid"
reloaded() {
	tel /op25b/policy >"$work/big-policy2.json" &&
		"$py" -c 'import json,sys; sys.exit(json.load(open(sys.argv[1]))["/op25b/policy"]["generation"] != 2)' "$work/big-policy2.json"
}
wait_until 10 "$bg_pid" reloaded || problem "the reload to 55 classes did not happen:" "$(tail -3 "$work/big.log")"
pages /op25b/removed_classes "$work/big-removed.json"
stop_bg TERM 20
py_problems "$work" <<'EOF'
import json, sys
work = sys.argv[1]
want = ["c%03d-%s" % (i, "x" * 58) for i in range(1, 256)]
problems = []
pol = json.load(open(f"{work}/big-policy.json"))["/op25b/policy"]
if pol.get("classes_total") != 255 or pol.get("groups_total") != 1:
    problems.append(f"totals {pol.get('classes_total')} {pol.get('groups_total')}, want 255 1")
if not pol.get("classes") or pol["classes"] != want[:len(pol["classes"])]:
    problems.append(f"/op25b/policy classes not the first names: {pol.get('classes', [])[:3]}")
if pol.get("groups") != ["relays"]:
    problems.append(f"/op25b/policy groups {pol.get('groups')}, want ['relays']")
got, offset = [], 0
dec = json.JSONDecoder()
text = open(f"{work}/big-pages.json").read().strip()
while text:
    page, end = dec.raw_decode(text)
    text = text[end:].strip()
    p = page["/op25b/classes"]
    if p["total"] != 255 or p["offset"] != offset or p["generation"] != pol["generation"]:
        problems.append(f"page at {offset}: total {p['total']} offset {p['offset']}")
    got += p["names"]
    offset += len(p["names"])
if got != want:
    problems.append(f"the pages hold {len(got)} names, want the 255 in order")
g = json.load(open(f"{work}/big-groups.json"))["/op25b/groups"]
if g != {"generation": pol["generation"], "total": 1, "offset": 0, "names": ["relays"]}:
    problems.append(f"/op25b/groups {g}")
if json.load(open(f"{work}/big-bad.json"))["/op25b/classes"] is not None:
    problems.append("/op25b/classes,x answered")
pol2 = json.load(open(f"{work}/big-policy2.json"))["/op25b/policy"]
if (pol2["classes_total"], pol2["removed_classes_total"], pol2["classes"]) != (55, 200, want[:55]):
    problems.append(f"after the reload: {pol2['classes_total']} classes, "
                    f"{pol2['removed_classes_total']} removed, classes {pol2['classes'][:2]}...")
if not pol2["removed_classes"] or pol2["removed_classes"] != want[55:55 + len(pol2["removed_classes"])]:
    problems.append(f"/op25b/policy removed_classes not the first removed: {pol2['removed_classes'][:2]}")
got, offset = [], 0
text = open(f"{work}/big-removed.json").read().strip()
while text:
    page, end = dec.raw_decode(text)
    text = text[end:].strip()
    p = page["/op25b/removed_classes"]
    if p["total"] != 200 or p["offset"] != offset or p["generation"] != 2:
        problems.append(f"removed page at {offset}: total {p['total']} offset {p['offset']}")
    got += p["names"]
    offset += len(p["names"])
if got != want[55:]:
    problems.append(f"the removed pages hold {len(got)} names, want the 200 in order")
print("\n".join(problems))
EOF
report "agree: telemetry gives 255 long class names whole: totals in /op25b/policy, pages of /op25b/classes,N and, after a reload, /op25b/removed_classes,N"
exit $status
