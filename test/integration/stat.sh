#!/usr/bin/env bash
# op25b-stat against the real appliance: its refusals; a finite replay whose
# counters, read from shared memory while op25b idles, must equal op25b's own
# --stats-json; then a live run (net_pcap with infinite_rx) read as JSON,
# Prometheus text, over HTTP (/metrics with curl) and in watch mode; and the
# segment gone after SIGTERM, with /metrics answering 503.
# Prints "ok NAME" / "not ok NAME" lines; details follow as "#   " lines.
set -uo pipefail
. "$(dirname "$0")/common.bash"
scenario stat

policy="$root/test/vectors/enforce.yaml"

free_port() {
	"$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# --- refusals -------------------------------------------------------------
while IFS='|' read -r args message; do
	read -ra argv <<<"$args"
	"$stat" "${argv[@]}" >"$work/usage.out" 2>"$work/usage.err"
	want_rc $? 2
	want_has "$work/usage.err" "op25b-stat: $message"
	want_lines "$work/usage.err" 1
	want_empty "$work/usage.out"
	report "usage: op25b-stat $args: exit 2, $message"
done <<'EOF'
--json --prometheus|--json and --prometheus: choose one
--watch 0|--watch 0: expected seconds, 0.1 to 86400
--count 2|--count needs --watch
--watch 1 --json|--watch redraws the text view
--listen 9125|--listen 9125: expected HOST:PORT
--listen localhost:9125|--listen localhost:9125: expected HOST:PORT
--listen 127.0.0.1:99999|--listen 127.0.0.1:99999: expected HOST:PORT
--listen 127.0.0.1:9125 --json|--listen serves the Prometheus text
--name a/b|--name a/b: 1..63 characters, no '/'
--colour|unknown option '--colour'
-q|unknown option '-q'
--watch|missing the argument of '--watch'
--top 0|--top 0: expected a number of sources
--top 3 --watch 1|--top prints once
--xdp a/b|--xdp a/b: 1..63 characters, no '/'
--xdp x --top 1|--top lists op25b's block records; op25b-xdp keeps none
--name x --xdp y|--name and --xdp: --xdp NAME names the op25b-xdp instance; choose one
--xdp y --name x|--name and --xdp: --xdp NAME names the op25b-xdp instance; choose one
extra|unexpected argument 'extra'
EOF

"$stat" --help >"$work/help.out" 2>&1
want_rc $? 0
want_has "$work/help.out" "op25b-stat --xdp NAME [--json | --prometheus |"
for opt in --name --json --prometheus --watch --count --listen --top; do
	want_has "$work/help.out" "$opt"
done
report "--help lists every option"

# missing_instance NAME WHAT: op25b-stat --name NAME exits 1 with one line.
missing_instance() {
	"$stat" --name "$1" >"$work/missing.out" 2>"$work/missing.err"
	want_rc $? 1
	want_has "$work/missing.err" "op25b-stat: no op25b instance '$1' (/dev/shm/op25b.$1): is op25b running with --name $1?"
	want_lines "$work/missing.err" 1
	want_empty "$work/missing.out"
	report "$2"
}
missing_instance "op25b-absent-$$" "no such instance: exit 1 and one line saying so"

"$gen" vectors "$root/test/vectors/enforce.vec" --out "$work/in.pcap" \
	>/dev/null || { echo "not ok stat: generate the capture"; exit 1; }
"$gen" vectors "$root/test/integration/upstream.vec" \
	--out "$work/upstream.pcap" >/dev/null ||
	{ echo "not ok stat: generate the upstream capture"; exit 1; }

# --- a finite replay: shared memory == op25b's own --stats-json -------------
# op25b replays the capture, then idles 15 s before it exits (6 s was too
# short on a loaded machine for two reads 1.5 s apart): meanwhile its
# counters are final, and what op25b-stat reads must be what op25b writes.
replay="$name-replay"
timeout 120 "$op25b" "${eal[@]}" \
	--vdev "net_pcap0,rx_pcap=$work/in.pcap" \
	--vdev "net_pcap1,rx_pcap=$work/upstream.pcap" \
	-- --policy "$policy" --name "$replay" --stop-after-idle 15000 \
	--status-interval 0 --stats-json "$work/final.json" \
	>"$work/replay.log" 2>&1 &
replay_pid=$!
pids+=("$replay_pid")
# settled: two reads 1.5 s apart with identical packets and ports.
settled() {
	"$stat" --name "$replay" --json >"$work/replay-a.json" 2>/dev/null ||
		return 1
	sleep 1.5
	"$stat" --name "$replay" --json >"$work/replay-b.json" 2>/dev/null ||
		return 1
	"$py" - "$work/replay-a.json" "$work/replay-b.json" <<'EOF'
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
sys.exit(0 if a["packets"] == b["packets"] and a["ports"] == b["ports"]
         and sum(a["packets"].values()) > 0 else 1)
EOF
}
if ! wait_until 40 "$replay_pid" settled; then
	problem "op25b-stat never read settled counters of '$replay'"
	problem "$(tail -5 "$work/replay.log")"
fi
stop_process "$replay_pid" 0 30 # op25b exits by itself after its idle time
want_rc "$rc" 0 "op25b exit status (999: still running after 30 s)"
[ -e "/dev/shm/op25b.$replay" ] && problem "/dev/shm/op25b.$replay left behind"
if [ -s "$work/final.json" ] && [ -s "$work/replay-b.json" ]; then
	"$py" - "$work/replay-b.json" "$work/final.json" >"$work/compare.out" 2>&1 <<'EOF' ||
import json, sys
ours, theirs = (json.load(open(f)) for f in sys.argv[1:3])
bad = []
for key in ("instance", "policy", "generation", "reload_ok", "reload_failed",
            "packets", "classes", "groups", "ports"):
    if ours.get(key) != theirs.get(key):
        bad.append(f"{key}: op25b-stat {ours.get(key)!r}, op25b {theirs.get(key)!r}")
if list(ours["packets"]) != list(theirs["packets"]):
    bad.append("packets keys in another order")
if list(ours["classes"]) != list(theirs["classes"]):
    bad.append("classes in another order")
print("\n".join(bad))
sys.exit(1 if bad else 0)
EOF
		problem "op25b-stat --json differs from op25b --stats-json:" \
			"$(cat "$work/compare.out")"
else
	problem "missing output: final.json or op25b-stat --json"
fi
report "finite replay: op25b-stat --json equals op25b --stats-json (packets, classes, groups, ports)"

# --- a live run -------------------------------------------------------------
# Its policy under a name in Latin-1 (a byte that is no UTF-8): the JSON
# and the Prometheus text stay UTF-8, the byte written as U+FFFD.
live_policy="$work/$(printf 'caf\351')-enforce.yaml"
cp "$policy" "$live_policy"
timeout 300 "$op25b" "${eal[@]}" \
	--vdev "net_pcap0,rx_pcap=$work/in.pcap,infinite_rx=1" \
	--vdev "net_pcap1,rx_pcap=$work/upstream.pcap,infinite_rx=1" \
	-- --policy "$live_policy" --name "$name" --status-interval 0 \
	>"$work/op25b.log" 2>&1 &
op25b_pid=$!
pids+=("$op25b_pid")
# Port figures are published about once a second: wait for the first.
rx_positive() {
	"$stat" --name "$name" --json >"$work/live.json" 2>/dev/null &&
		"$py" -c 'import json, sys; d = json.load(open(sys.argv[1])); sys.exit(0 if d["ports"] and d["ports"][0]["rx"] > 0 else 1)' "$work/live.json"
}
if ! wait_until 30 "$op25b_pid" rx_positive; then
	echo "not ok stat: live op25b '$name' never showed rx > 0"
	sed 's/^/#   /' "$work/op25b.log" | tail -20
	exit 1
fi

"$stat" --name "$name" --json >"$work/a.json" 2>"$work/a.err"
want_rc $? 0
sleep 1.2
"$stat" --name "$name" --json >"$work/b.json" 2>"$work/b.err"
want_rc $? 0
"$py" - "$work/a.json" "$work/b.json" "$name" "$policy" >"$work/json.out" 2>&1 <<'EOF' ||
import json, sys, yaml
a, b = (json.load(open(f)) for f in sys.argv[1:3])
name, policy = sys.argv[3], yaml.safe_load(open(sys.argv[4]))
bad = []
keys = ["instance", "policy", "generation", "uptime_seconds", "reload_ok",
        "reload_failed", "ports", "packets", "classes", "groups", "workers"]
bad += [f"no key {k}" for k in keys if k not in b]
outcomes = ["non_smtp", "submission", "fragments", "malformed", "exempted",
            "forwarded", "counted", "blocked", "reset", "upstream"]
if list(b["packets"]) != outcomes:
    bad.append(f"packets keys {list(b['packets'])}")
if b["instance"] != name or b["generation"] != 1:
    bad.append(f"instance {b['instance']!r} generation {b['generation']}")
want = list(policy["sources"]) + ["(none)"]
if list(b["classes"]) != want:
    bad.append(f"classes {list(b['classes'])}, want {want}")
want = list(policy["destinations"]) + ["(none)"]
if list(b["groups"]) != want:
    bad.append(f"groups {list(b['groups'])}, want {want}")
verdicts = ["forwarded", "counted", "blocked", "reset"]
for table in ("classes", "groups"):
    for row, v in b[table].items():
        if list(v) != verdicts:
            bad.append(f"{table} {row}: keys {list(v)}")
port_keys = ["port", "name", "role", "rx", "tx", "rx_bytes", "tx_bytes",
             "rx_missed", "rx_errors", "rx_nombuf", "tx_errors", "link_up",
             "speed_mbps", "worker_rx", "worker_tx", "tx_dropped"]
for p in b["ports"]:
    if list(p) != port_keys:
        bad.append(f"port keys {list(p)}")
roles = [p["role"] for p in b["ports"]]
if roles != ["subscriber", "upstream"]:
    bad.append(f"roles {roles}")
if not b["workers"] or b["workers"][0]["loops"] <= 0:
    bad.append(f"workers {b['workers']}")
# Live counters only grow.
for k in outcomes:
    if b["packets"][k] < a["packets"][k]:
        bad.append(f"{k} went back")
if b["packets"]["reset"] <= a["packets"]["reset"] or b["ports"][0]["rx"] <= a["ports"][0]["rx"]:
    bad.append("counters did not grow in 1.2 s")
if b["uptime_seconds"] <= a["uptime_seconds"]:
    bad.append("uptime did not grow")
print("\n".join(bad))
sys.exit(1 if bad else 0)
EOF
	problem "$(cat "$work/json.out")"
report "live --json: the keys of --stats-json, the policy's classes and groups, counters growing"

# check_prometheus FILE: the text format, and the families op25b-stat serves.
check_prometheus() {
	"$py" - "$1" "$name" "$root/doc/policy.md" >"$work/prom.out" 2>&1 <<'EOF' ||
import re, sys
text = open(sys.argv[1]).read()
name = sys.argv[2]
bad = []
label = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:\\[\\"n]|[^"\\\n])*"'
sample = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{' + label + r'(?:,' + label + r')*\})? (\S+)$')
types, seen, samples = {}, [], {}
for n, line in enumerate(text.split("\n")[:-1], 1):
    if line.startswith("# HELP ") or line.startswith("# TYPE "):
        parts = line.split(" ", 3)
        if len(parts) < 4:
            bad.append(f"line {n}: {line}")
        elif parts[1] == "TYPE":
            if parts[2] in types or parts[3] not in ("counter", "gauge"):
                bad.append(f"line {n}: {line}")
            types[parts[2]] = parts[3]
            seen.append(parts[2])
        continue
    if line.startswith("#"):
        continue
    m = sample.match(line)
    if not m:
        bad.append(f"line {n} is not a sample: {line}")
        continue
    family = m.group(1)
    if not seen or family != seen[-1]:
        bad.append(f"line {n}: {family} outside its family")
    try:
        float(m.group(3))
    except ValueError:
        bad.append(f"line {n}: value {m.group(3)}")
    samples[m.group(1) + (m.group(2) or "")] = float(m.group(3))
if not text.endswith("\n"):
    bad.append("no final line feed")
for f in ["op25b_packets_total", "op25b_upstream_packets_total",
          "op25b_class_packets_total", "op25b_group_packets_total",
          "op25b_port_rx_packets_total", "op25b_port_tx_packets_total",
          "op25b_port_rx_missed_packets_total", "op25b_port_rx_errors_total",
          "op25b_port_tx_errors_total", "op25b_port_tx_dropped_packets_total",
          "op25b_port_rx_bytes_total", "op25b_port_tx_bytes_total",
          "op25b_port_rx_nombuf_total", "op25b_port_worker_rx_packets_total",
          "op25b_port_worker_tx_packets_total",
          "op25b_worker_loops_total", "op25b_worker_busy_loops_total",
          "op25b_reloads_total"]:
    if types.get(f) != "counter":
        bad.append(f"{f}: type {types.get(f)}, want counter")
for f in ["op25b_policy_generation", "op25b_start_time_seconds",
          "op25b_mode", "op25b_block", "op25b_ports_updated_seconds",
          "op25b_port_link_up", "op25b_port_link_speed_mbps",
          "op25b_class_active", "op25b_group_active"]:
    if types.get(f) != "gauge":
        bad.append(f"{f}: type {types.get(f)}, want gauge")
for s in ['op25b_packets_total{outcome="non_smtp"}',
          'op25b_packets_total{outcome="reset"}',
          'op25b_class_packets_total{class="dynamic",verdict="blocked"}',
          'op25b_class_packets_total{class="(none)",verdict="forwarded"}',
          'op25b_group_packets_total{group="isp-relays",verdict="forwarded"}',
          'op25b_port_rx_packets_total{port="0",name="net_pcap0",role="subscriber"}',
          'op25b_port_tx_dropped_packets_total{port="1",name="net_pcap1",role="upstream"}',
          'op25b_reloads_total{result="ok"}', 'op25b_reloads_total{result="failed"}',
          'op25b_worker_loops_total{lcore="1"}', 'op25b_policy_generation',
          'op25b_port_rx_bytes_total{port="0",name="net_pcap0",role="subscriber"}',
          'op25b_mode{mode="enforce"}', 'op25b_mode{mode="monitor"}',
          'op25b_block{block="drop"}', 'op25b_block{block="reset"}']:
    if s not in samples:
        bad.append(f"no sample {s}")
if samples.get('op25b_packets_total{outcome="reset"}', 0) <= 0:
    bad.append("no resets counted")
if samples.get('op25b_port_rx_bytes_total{port="0",name="net_pcap0",role="subscriber"}', 0) <= 0:
    bad.append("no bytes received on port 0")
if samples.get("op25b_policy_generation") != 1:
    bad.append("policy generation is not 1")
# Each outcome's comment is doc/policy.md's row for it ("meaning: what
# op25b does"), one list of words for the docs and every view.
doc = open(sys.argv[3]).read()
rows = doc[doc.index("| counter | meaning | what op25b does |"):].split("\n")[2:]
for row in rows:
    if not row.startswith("|"):
        break
    cells = [c.strip() for c in row.strip("|").split("|")]
    want = f'# outcome "{cells[0].strip("`")}": {cells[1]}: {cells[2]}'.replace("`", "")
    if want + "\n" not in text:
        bad.append(f"no line {want}")
print("\n".join(bad))
sys.exit(1 if bad else 0)
EOF
		problem "$(cat "$work/prom.out")"
}
"$stat" --name "$name" --prometheus >"$work/metrics.txt" 2>"$work/metrics.err"
want_rc $? 0
want_empty "$work/metrics.err"
check_prometheus "$work/metrics.txt"
# The instance's name under "name": Prometheus's own label "instance"
# (the target) would rename it exported_instance.
want_re "$work/metrics.txt" "^op25b_info\{name=\"$name\",policy=\""
"$py" -c 'import sys; t = open(sys.argv[1], "rb").read().decode("utf-8"); assert "caf\ufffd-enforce.yaml" in t, "no U+FFFD in the policy label"' \
	"$work/metrics.txt" 2>"$work/utf8.err" || problem "Prometheus text: $(tail -1 "$work/utf8.err")"
"$stat" --name "$name" --json >"$work/live-utf8.json" 2>/dev/null
"$py" -c 'import json, sys; d = json.loads(open(sys.argv[1], "rb").read().decode("utf-8")); assert "caf\ufffd-enforce.yaml" in json.dumps(d, ensure_ascii=False), "no U+FFFD in the JSON"' \
	"$work/live-utf8.json" 2>"$work/utf8.err" || problem "JSON: $(tail -1 "$work/utf8.err")"
report "live --prometheus: text format 0.0.4, every op25b_ family with its labels; a Latin-1 policy path as U+FFFD"

# --- /metrics over HTTP --------------------------------------------------------
# start_listen ADDRESS OUT VAR: op25b-stat --listen ADDRESS in the background,
# its output in $work/OUT.out and OUT.err, its pid in VAR; succeeds once it
# says it serves, within 10 s.
start_listen() {
	"$stat" --name "$name" --listen "$1" >"$work/$2.out" 2>"$work/$2.err" &
	printf -v "$3" '%s' "$!"
	pids+=("$!")
	wait_until 10 "$!" grep -qF "op25b-stat: serving /metrics on $1" "$work/$2.out"
}
port=$(free_port)
if start_listen "127.0.0.1:$port" listen listen_pid; then
	code=$(curl -s --max-time 5 -o "$work/http-metrics.txt" \
		-w '%{http_code} %{content_type}' "http://127.0.0.1:$port/metrics")
	[ "$code" = "200 text/plain; version=0.0.4; charset=utf-8" ] ||
		problem "GET /metrics: '$code'"
	check_prometheus "$work/http-metrics.txt"
	want_has "$work/http-metrics.txt" 'op25b_packets_total{outcome="non_smtp"} '
	# A fresh snapshot per request.
	first=$(grep '^op25b_worker_loops_total' "$work/http-metrics.txt")
	sleep 0.3
	second=$(curl -s --max-time 5 "http://127.0.0.1:$port/metrics" |
		grep '^op25b_worker_loops_total')
	[ -n "$first" ] && [ "$first" != "$second" ] ||
		problem "two scrapes gave the same loops: '$first' '$second'"
	code=$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' \
		"http://127.0.0.1:$port/other")
	[ "$code" = 404 ] || problem "GET /other: $code, want 404"
	code=$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' -X POST \
		"http://127.0.0.1:$port/metrics")
	[ "$code" = 405 ] || problem "POST /metrics: $code, want 405"
else
	problem "no 'serving' line within 10 s:" "$(cat "$work/listen.out" "$work/listen.err")"
fi
want_empty "$work/listen.err"
report "--listen 127.0.0.1:PORT: /metrics 200 with the Prometheus text, /other 404, POST 405"

# [::] takes IPv4 as well (as 0.0.0.0 would); a bind error names the
# address and the reason. One host holding idle connections (a client that
# trickles bytes: MHD's timeout counts idle time only) gets 4 of them, and a
# scraper from another address is still answered at once.
port6=$(free_port)
if start_listen "[::]:$port6" listen6 listen6_pid; then
	for url in "http://127.0.0.1:$port6/metrics" "http://[::1]:$port6/metrics"; do
		code=$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' "$url")
		[ "$code" = 200 ] || problem "--listen [::]:PORT, GET $url: '$code', want 200"
	done
	timeout 10 "$stat" --name "$name" --listen "127.0.0.1:$port6" >"$work/listen-busy.out" \
		2>"$work/listen-busy.err"
	want_rc $? 1 "op25b-stat --listen on a port in use"
	want_has "$work/listen-busy.err" "op25b-stat: cannot serve on 127.0.0.1:$port6: Address already in use"
	want_lines "$work/listen-busy.err" 1
	timeout 20 "$py" - "$port6" >"$work/slow.out" 2>&1 <<'PY'
import socket, subprocess, sys, time
port = int(sys.argv[1])
held = []
for _ in range(32):
    s = socket.create_connection(("127.0.0.1", port), timeout=2)
    s.sendall(b"GET /metrics HTTP/1.1\r\n")  # and never the rest
    held.append(s)
time.sleep(0.5)
open_ = 0
for s in held:
    s.setblocking(False)
    try:
        open_ += s.recv(1) != b""
    except BlockingIOError:
        open_ += 1
    except OSError:
        pass
print("held", open_)
r = subprocess.run(["curl", "-s", "--max-time", "3", "-o", "/dev/null",
                    "-w", "%{http_code}", "--interface", "127.0.0.2",
                    f"http://127.0.0.1:{port}/metrics"],
                   capture_output=True, text=True)
print("other address", r.stdout)
PY
	want_has "$work/slow.out" "held 4"
	want_has "$work/slow.out" "other address 200"
	want_lines "$work/slow.out" 2
else
	problem "no 'serving' line within 10 s:" "$(cat "$work/listen6.out" "$work/listen6.err")"
fi
stop_process "$listen6_pid" TERM 20
want_rc "$rc" 0 "op25b-stat --listen [::]:PORT exit status after SIGTERM"
report "--listen [::]:PORT answers IPv4 too; a port in use is refused with the reason; one host holds 4 connections at most"

# --- watch ------------------------------------------------------------------------
# watch_rates OUT SECONDS ROW NF FIELD: two blocks of --watch SECONDS in OUT;
# ROW's rate (field FIELD of its NF fields) "-" in the first, > 0 in the
# second.
watch_rates() {
	local rates
	timeout 30 "$stat" --name "$name" --watch "$2" --count 2 >"$work/$1" \
		2>"$work/$1.err"
	want_rc $? 0
	rates=$(awk -v row="$3" -v nf="$4" -v f="$5" '$1 == row && NF == nf { print $f }' \
		"$work/$1" | tr '\n' ' ')
	[[ "$rates" =~ ^-\ [0-9]+\.[0-9]\ $ ]] && [ "${rates#- }" != "0.0 " ] ||
		problem "$3 rates '$rates', want '- N.N' with N.N > 0"
	want_empty "$work/$1.err"
}
watch_rates watch.out 1 reset 3 3
blocks=$(grep -c '^op25b instance ' "$work/watch.out")
[ "$blocks" = 2 ] || problem "$blocks blocks, want 2"
want_re "$work/watch.out" '^packets +total +per second$'
want_re "$work/watch.out" '^class +forwarded +counted +blocked +reset +forwarded/s +counted/s +blocked/s +reset/s$'
report "--watch 1 --count 2: two blocks, rates from the second on"

# Ports: the driver's figures with the time they were sampled, and rates
# over the samples (1.5 s apart: at least one new sample, taken each second).
watch_rates watch-ports.out 1.5 rx 5 4
want_re "$work/watch-ports.out" '^ports \(driver figures sampled [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z, [0-9.]+ s ago\)$'
want_re "$work/watch-ports.out" '^port +0 net_pcap0 +1 net_pcap1 +0 net_pcap0/s +1 net_pcap1/s$'
report "--watch: port figures with their sample time, and their rates"

# --- SIGTERM: the segment goes, /metrics answers 503 ---------------------------
stop_process "$op25b_pid" TERM 20
want_rc "$rc" 0 "op25b exit status after SIGTERM (999: still running 20 s after it)"
[ -e "/dev/shm/op25b.$name" ] && problem "/dev/shm/op25b.$name left behind"
report "SIGTERM: op25b exits 0 and removes /dev/shm/op25b.NAME"

missing_instance "$name" "after op25b stopped: exit 1 and one line saying so"

if kill -0 "$listen_pid" 2>/dev/null; then
	code=$(curl -s --max-time 5 -o "$work/http-503.txt" -w '%{http_code}' \
		"http://127.0.0.1:$port/metrics")
	[ "$code" = 503 ] || problem "GET /metrics: $code, want 503"
	want_has "$work/http-503.txt" "no op25b instance '$name'"
	want_lines "$work/http-503.txt" 1
	stop_process "$listen_pid" TERM 20
	want_rc "$rc" 0 "op25b-stat --listen exit status after SIGTERM (999: still running 20 s after it)"
else
	problem "op25b-stat --listen is no longer running"
fi
report "--listen after op25b stopped: 503 with the reason; SIGTERM stops it (exit 0)"

# --- before the policy is in force ---------------------------------------------
# The segment is made before the policy is compiled (a million prefixes:
# a good part of a second): its header said generation 0, mode enforce,
# block drop, which a scrape took for a monitor-mode policy's. Read from
# op25b's start on: refused as starting, then the file's mode and block.
"$gen" pools --count 1000000 --out "$work/early-pools.txt" >/dev/null 2>&1 ||
	problem "op25b-gen pools failed"
printf 'version: 1\nmode: monitor\nblock: reset\nsources:\n  dynamic:\n    action: block\n    prefixes_file: %s\n' \
	"$work/early-pools.txt" >"$work/early.yaml"
"$op25b" "${eal[@]}" --file-prefix "$name-early" --vdev net_null0 \
	--vdev net_null1 -- --policy "$work/early.yaml" --name "$name-early" \
	--status-interval 0 --cli-socket none >"$work/early.log" 2>&1 &
early_pid=$!
pids+=("$early_pid")
starting=0 seen=0
for _ in $(seq 3000); do
	"$stat" --name "$name-early" --json >"$work/early.json" 2>"$work/early.err"
	rc=$?
	if [ "$rc" = 0 ]; then
		seen=1
		break
	fi
	if grep -q "is starting" "$work/early.err"; then
		starting=$((starting + 1))
		want_has "$work/early.err" "op25b-stat: op25b instance '$name-early' is starting: no policy is in force yet, its counters are not published (try again in a moment)"
		# Refused as well, unless op25b got its policy in between.
		if "$stat" --name "$name-early" --prometheus >"$work/early.prom" 2>&1; then
			want_has "$work/early.prom" 'op25b_mode{mode="monitor"} 1'
		else
			want_has "$work/early.prom" "is starting"
		fi
	elif ! grep -q "no op25b instance" "$work/early.err"; then
		problem "op25b-stat before the policy: $(cat "$work/early.err")"
	fi
	kill -0 "$early_pid" 2>/dev/null || break
done
if [ "$seen" = 1 ]; then
	py_check 'import json, sys
s = json.load(open(sys.argv[1]))
assert s["generation"] >= 1 and s["mode"] == "monitor" and s["block"] == "reset", (s["generation"], s["mode"], s["block"])
# Before the first sample of the ports, their driver figures are none
# (null), not zeros (link_up 0: a link down).
unsampled = s["ports_updated_seconds"] is None
for p in s["ports"]:
    assert (p["link_up"] is None) == unsampled and (p["rx"] is None) == unsampled, (s["ports_updated_seconds"], p)' \
		"$work/early.json"
else
	problem "op25b-stat never read the starting op25b: $(cat "$work/early.err")" "$(tail -3 "$work/early.log")"
fi
stop_process "$early_pid" TERM 20
echo "# $starting reads while op25b was starting"
report "op25b-stat before op25b's policy is in force: refused as starting, never its placeholder mode and block"

# --- a writer that died in a layout change -------------------------------------
# SIGKILL leaves the segment; its epoch made odd (offset 24, as a reload
# or a switch leaves it while it runs; op25b_stats.h keeps it there): the
# reader said "kept changing layout; try again" for good. It says the
# writer died in the change.
# Not under timeout: the SIGKILL must reach op25b itself.
"$op25b" "${eal[@]}" --file-prefix "$name-dead" \
	--vdev "net_pcap0,rx_pcap=$work/in.pcap,infinite_rx=1" \
	--vdev "net_pcap1,rx_pcap=$work/upstream.pcap,infinite_rx=1" \
	-- --policy "$policy" --name "$name-dead" --status-interval 0 \
	--cli-socket none >"$work/dead.log" 2>&1 &
dead_pid=$!
if wait_until 15 "$dead_pid" test -e "/dev/shm/op25b.$name-dead"; then
	sleep 0.5
	kill -KILL "$dead_pid"
	wait "$dead_pid" 2>/dev/null
	# A dead writer's counters: read with a warning, never a scrape (a
	# textfile collector exported them as live, exit 0).
	"$stat" --name "$name-dead" --prometheus >"$work/dead-prom.out" \
		2>"$work/dead-prom.err"
	want_rc $? 1 "op25b-stat --prometheus of a dead writer"
	[ ! -s "$work/dead-prom.out" ] ||
		problem "op25b-stat --prometheus of a dead writer printed $(wc -l <"$work/dead-prom.out") lines"
	want_has "$work/dead-prom.err" "no Prometheus text of a dead appliance's counters"
	want_lines "$work/dead-prom.err" 1
	"$stat" --name "$name-dead" --json >"$work/dead-json.out" \
		2>"$work/dead-json.err"
	want_rc $? 0 "op25b-stat --json of a dead writer"
	want_has "$work/dead-json.err" "op25b-stat: warning: "
	[ -s "$work/dead-json.out" ] || problem "op25b-stat --json of a dead writer printed nothing"
	# Its uptime stopped with it (at its last sample), the same a second
	# later; it was up about 0.5 s, not until now.
	sleep 1.1
	"$stat" --name "$name-dead" --json >"$work/dead-json2.out" 2>/dev/null
	py_check 'import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
last = a["ports_updated_seconds"] - a["start_time_seconds"]
assert abs(a["uptime_seconds"] - b["uptime_seconds"]) < 0.002 and abs(a["uptime_seconds"] - last) < 0.002, (a["uptime_seconds"], b["uptime_seconds"], last)' \
		"$work/dead-json.out" "$work/dead-json2.out"
	"$py" - "/dev/shm/op25b.$name-dead" <<'EOF'
import struct, sys
with open(sys.argv[1], "r+b") as f:
    f.seek(24)
    (epoch,) = struct.unpack("<Q", f.read(8))
    f.seek(24)
    f.write(struct.pack("<Q", epoch | 1))
EOF
	"$stat" --name "$name-dead" >"$work/dead.out" 2>"$work/dead.err"
	want_rc $? 1 "op25b-stat on a writer dead in a layout change"
	want_has "$work/dead.err" "op25b-stat: op25b instance '$name-dead' died while changing its counters' layout (a reload or a switch): /dev/shm/op25b.$name-dead holds no whole copy of them; remove it, or start op25b again"
	want_lines "$work/dead.err" 1
else
	problem "op25b did not start:" "$(tail -5 "$work/dead.log")"
fi
rm -f "/dev/shm/op25b.$name-dead"
rm -rf "/var/run/dpdk/$name-dead"
report "a dead writer: --prometheus refused in one line (nothing on stdout, exit 1), --json read with a warning; died in a layout change: one line saying so, not 'try again'"

# --- the segment's name removed under a running op25b --------------------------
# op25b's own views (the CLI, the report at exit) read the counters by its
# own mapping: with the name removed by hand, show counters failed and the
# exit report with it ("reading the final counters failed", exit 1).
"$op25b" "${eal[@]}" --file-prefix "$name-rm" --vdev net_null0 --vdev net_null1 \
	-- --policy "$policy" --name "$name-rm" --status-interval 0 \
	--cli-socket "$work/rm.sock" >"$work/rm.log" 2>&1 &
rm_pid=$!
# The cleanup's to kill when a check fails; forgotten once reaped (the
# pid may be another process's by then).
pids+=("$rm_pid")
forget() { # PID: out of pids
	local p keep=()
	for p in "${pids[@]}"; do
		[ "$p" = "$1" ] || keep+=("$p")
	done
	pids=("${keep[@]}")
}
if wait_until 15 "$rm_pid" test -S "$work/rm.sock"; then
	rm -f "/dev/shm/op25b.$name-rm"
	"$cli" --cli-socket "$work/rm.sock" --timeout 20 show counters >"$work/rm-show.out" 2>&1
	want_rc $? 0 "show counters with the segment's name removed"
	want_has "$work/rm-show.out" "op25b instance '$name-rm'"
	# Its socket removed too, and another op25b bound there since:
	# this one's stop removed the other's socket (any socket at the path).
	rm -f "$work/rm.sock"
	"$op25b" "${eal[@]}" --file-prefix "$name-rm2" --vdev net_null0,no-rx=1 \
		--vdev net_null1,no-rx=1 -- --policy "$policy" --name "$name-rm2" \
		--status-interval 0 --cli-socket "$work/rm.sock" >"$work/rm2.log" 2>&1 &
	rm2_pid=$!
	pids+=("$rm2_pid")
	wait_until 15 "$rm2_pid" test -S "$work/rm.sock" ||
		problem "the second op25b did not start:" "$(tail -5 "$work/rm2.log")"
	stop_process "$rm_pid" TERM 20
	forget "$rm_pid"
	want_rc "$rc" 0 "op25b's exit status with the segment's name removed"
	want_has "$work/rm.log" "non_smtp"
	grep -q "reading the final counters failed" "$work/rm.log" &&
		problem "the exit report failed:" "$(tail -5 "$work/rm.log")"
	"$cli" --cli-socket "$work/rm.sock" --timeout 20 show version >"$work/rm2-show.out" 2>&1 ||
		problem "the second op25b's socket is gone after the first stopped:" "$(cat "$work/rm2-show.out")"
	stop_process "$rm2_pid" TERM 20
	forget "$rm2_pid"
	want_rc "$rc" 0 "the second op25b's exit status"
	[ ! -e "$work/rm.sock" ] || problem "the second op25b left its socket"
else
	problem "op25b did not start:" "$(tail -5 "$work/rm.log")"
	kill -KILL "$rm_pid" 2>/dev/null
fi
rm -rf "/var/run/dpdk/$name-rm" "/var/run/dpdk/$name-rm2"
report "the segment's name removed under op25b: show counters and the report at exit read op25b's own mapping, exit 0; its socket's path bound by another op25b since: its stop leaves that one"

# --- a FIFO at the segment's name ----------------------------------------------
# /dev/shm is any local user's: a FIFO made there held op25b-stat (and its
# exporter, before it listened) in open() for good, and op25b's start with
# it. Now: not a segment, said at once; op25b takes the name as a stale
# segment's and starts.
# op25b under $name-SUFFIX in the background, its socket
# $work/SUFFIX.sock, its output LOG: over_pid.
start_over() { # SUFFIX LOG
	"$op25b" "${eal[@]}" --file-prefix "$name-$1" --vdev net_null0,no-rx=1 \
		--vdev net_null1,no-rx=1 -- --policy "$policy" --name "$name-$1" \
		--status-interval 0 --cli-socket "$work/$1.sock" >"$2" 2>&1 &
	over_pid=$!
	pids+=("$over_pid")
}
fifo=/dev/shm/op25b.$name-fifo
rm -f "$fifo"
mkfifo "$fifo"
timeout 10 "$stat" --name "$name-fifo" >"$work/fifo.out" 2>"$work/fifo.err"
want_rc $? 1 "op25b-stat on a FIFO at the segment's name"
want_has "$work/fifo.err" "op25b-stat: $fifo is not an op25b counters segment"
start_over fifo "$work/fifo.log"
fifo_pid=$over_pid
if wait_until 15 "$fifo_pid" test -S "$work/fifo.sock"; then
	[ -f "$fifo" ] && [ ! -p "$fifo" ] || problem "the FIFO is not replaced by a segment"
	"$stat" --name "$name-fifo" >"$work/fifo-stat.out" 2>&1
	want_rc $? 0 "op25b-stat of op25b started over a FIFO: $(tail -2 "$work/fifo-stat.out")"
	cp "$fifo" "$work/segment.copy" # a live writer's, for the next case
	stop_process "$fifo_pid" TERM 20
	forget "$fifo_pid"
	want_rc "$rc" 0 "op25b's exit status, started over a FIFO"
else
	problem "op25b did not start over a FIFO at its segment's name:" "$(tail -5 "$work/fifo.log")"
	kill -KILL "$fifo_pid" 2>/dev/null
fi
rm -f "$fifo"
rm -rf "/var/run/dpdk/$name-fifo"
report "a FIFO at the segment's name: op25b-stat says it is no segment at once, op25b starts over it"

# --- another user's file at the segment's name ---------------------------------
# A whole segment (a copy of a live op25b's) that a local user put at the
# name, its lock held: op25b-stat showed its made-up counters, and op25b
# said "another op25b runs as NAME". Now op25b-stat refuses it, naming
# its owner and --owner (which reads it); op25b refuses to start beside
# it in its own words while its writer lives (another user's op25b is
# not ours to take), and takes it over as stale once the lock is gone.
other=/dev/shm/op25b.$name-other
if [ -s "$work/segment.copy" ]; then
	cp "$work/segment.copy" "$other"
	chown 12345:12345 "$other"
	# The lock in this shell (a flock(1) child would outlive a kill).
	exec {other_lock}<"$other"
	flock -x "$other_lock"
	flock -n "$other" true && problem "the planted segment's lock is not held"
	timeout 10 "$stat" --name "$name-other" >"$work/other.out" 2>"$work/other.err"
	want_rc $? 1 "op25b-stat on another user's file at the segment's name"
	want_has "$work/other.err" "op25b-stat: $other belongs to uid 12345, neither root nor you: not read as an op25b's counters"
	want_has "$work/other.err" "say --owner 12345"
	timeout 10 "$stat" --name "$name-other" --owner 12345 --json >"$work/other-owner.out" 2>"$work/other-owner.err"
	want_rc $? 0 "op25b-stat --owner 12345 on its live file: $(tail -2 "$work/other-owner.err")"
	start_over other "$work/other-refused.log"
	other_pid=$over_pid
	wait "$other_pid"
	rc=$?
	forget "$other_pid"
	[ "$rc" != 0 ] || problem "op25b started beside another user's live file at its name"
	want_has "$work/other-refused.log" "op25b: /dev/shm/op25b.$name-other belongs to another user, not root, and a process holds it"
	[ "$(stat -c %u "$other")" = 12345 ] || problem "op25b's refused start changed another user's file"
	exec {other_lock}<&-
	start_over other "$work/other.log"
	other_pid=$over_pid
	if wait_until 15 "$other_pid" test -S "$work/other.sock"; then
		[ "$(stat -c %u "$other")" = 0 ] || problem "another user's stale file is not replaced by op25b's segment"
		"$stat" --name "$name-other" >"$work/other-stat.out" 2>&1
		want_rc $? 0 "op25b-stat of op25b started over another user's stale file: $(tail -2 "$work/other-stat.out")"
		stop_process "$other_pid" TERM 20
		forget "$other_pid"
		want_rc "$rc" 0 "op25b's exit status, started over another user's stale file"
	else
		problem "op25b did not start over another user's stale file at its segment's name:" "$(tail -5 "$work/other.log")"
		kill -KILL "$other_pid" 2>/dev/null
	fi
else
	problem "no copy of a live segment to plant"
fi
rm -f "$other"
rm -rf "/var/run/dpdk/$name-other"
report "another user's file at the segment's name: op25b-stat names its owner and --owner (which reads it); op25b will not start beside it while its lock is held, takes it over once it is stale"
"$stat" --name "$name-other" --owner no-such-user-op25b >"$work/owner-bad.out" 2>&1
want_rc $? 2 "op25b-stat --owner with no such user"
want_has "$work/owner-bad.out" "op25b-stat: --owner no-such-user-op25b: no such user (a name or a uid)"
report "op25b-stat --owner: a user name or uid; no such user refused as a usage error"

# --- the workers' lcores from the first read --------------------------------------
# The segment is made before the policy compiles (a million prefixes
# here) and the ports start; each worker's lcore was written when it
# started, so every read before that said lcore 0 (two workers: two
# worker_*_total{lcore="0"} series). Read as soon as the segment is there.
"$gen" pools --count 1000000 --out "$work/big-pools.txt" >/dev/null 2>&1 ||
	problem "op25b-gen pools failed"
printf 'version: 1\nsources:\n  big: {action: block, prefixes_file: %s}\n' \
	"$work/big-pools.txt" >"$work/big.yaml"
"$op25b" "${eal[@]}" --file-prefix "$name-early" --vdev net_null0,no-rx=1 \
	--vdev net_null1,no-rx=1 -- --policy "$work/big.yaml" --name "$name-early" \
	--status-interval 0 --cli-socket "$work/early.sock" >"$work/early.log" 2>&1 &
early_pid=$!
pids+=("$early_pid")
first=
for _ in $(seq 3000); do
	if "$stat" --name "$name-early" --json >"$work/early.json" 2>/dev/null; then
		first=$("$py" -c 'import json, sys; print([w["lcore"] for w in json.load(open(sys.argv[1]))["workers"]])' "$work/early.json")
		break
	fi
	kill -0 "$early_pid" 2>/dev/null || break
	sleep 0.01
done
[ "$first" = "[1]" ] || problem "the first read of the workers' lcores: '$first', want [1]"
wait_until 60 "$early_pid" test -S "$work/early.sock" ||
	problem "op25b did not start:" "$(tail -5 "$work/early.log")"
stop_process "$early_pid" TERM 20
forget "$early_pid"
want_rc "$rc" 0 "op25b's exit status (a million prefixes)"
rm -rf "/var/run/dpdk/$name-early"
report "the workers' lcores are right from the segment's first read, before the policy compiles"

exit $status
