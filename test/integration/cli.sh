#!/usr/bin/env bash
# The operator CLI against a running op25b on virtual devices: every
# command over the control socket (op25b-cli one-shot, batch, interactive
# on a pty, a raw second session at the same time), the -i prompt on a
# pty, --cmdline-file, exemptions with a TTL, switches that act on the
# next packets, and bad input that changes nothing.
#
# Traffic: net_pcap replays blocked SMTP packets (IPv4 and IPv6 from the
# dynamic class) forever into net_null, so counter deltas say what the
# data path does after each command.
# Prints "ok NAME" / "not ok NAME" lines; details follow as "#   " lines.
set -uo pipefail
. "$(dirname "$0")/common.bash"
scenario cli
sock="/run/op25b/$name.sock"
audit="$work/audit.log"

session="$(dirname "$0")/cli_session.py"

cat >"$work/policy.yaml" <<'EOF'
version: 1
mode: enforce
block: drop
sources:
  dynamic: {action: block, prefixes: [198.18.0.0/16, 2001:db8:1000::/36]}
  static: {action: allow, prefixes: [198.18.20.0/24], block: notify}
destinations:
  isp-relays: {action: allow, prefixes: [192.0.2.25/32, 2001:db8::25/128]}
notice: "Port 25 is closed: use 587."
notify_rate: 500
EOF
sed 's/static:/business:/' "$work/policy.yaml" >"$work/policy2.yaml"
printf 'version: 1\nsources:\n  dynamic: {action: block, prefixes: [198.18.0.1/16]}\n' \
	>"$work/broken.yaml"
cat >"$work/traffic.vec" <<'EOF'
policy policy.yaml
v4-data expect=blocked class=dynamic src=198.18.5.9 dst=203.0.113.9 dport=25 flags=A payload=100
v6-data expect=blocked class=dynamic src=2001:db8:1000::9 dst=2001:db8:ffff::9 dport=25 flags=A payload=100
EOF
"$build/app/op25b-gen/op25b-gen" vectors "$work/traffic.vec" \
	--out "$work/in.pcap" >/dev/null || { echo "not ok cli: capture"; exit 1; }

# start_op25b NAME LOG EXTRA-ARGS...: an appliance replaying the capture
# forever; waits until it says it is up.
start_op25b() {
	local n=$1 log=$2
	shift 2
	"$op25b" "${eal[@]}" \
		--vdev "net_pcap0,rx_pcap=$work/in.pcap,infinite_rx=1,tx_pcap=/dev/null" \
		--vdev net_null1,no-rx=1 -- --policy "$work/policy.yaml" \
		--name "$n" --status-interval 0 --state-dir "$work/state" "$@" \
		>"$log" 2>&1 &
	pids+=($!)
	wait_until 10 "${pids[-1]}" grep -q "op25b: commands:" "$log"
}

# c ARGS...: one-shot op25b-cli; output in $work/out, status in $rc.
c() {
	"$cli" --name "$name" --timeout 20 "$@" >"$work/out" 2>&1
	rc=$?
}
# counters FILE: the counters as JSON, from the CLI itself.
counters() {
	"$cli" --name "$name" show counters json >"$1" 2>&1
}
# delta A B EXPR: EXPR over a = packets of A and b = packets of B.
delta_check() {
	py_check "
import json, sys
a = json.load(open(sys.argv[1]))['packets']
b = json.load(open(sys.argv[2]))['packets']
ok = $3
if not ok:
    print('counters before', {k: a[k] for k in ('blocked','counted','exempted','forwarded')})
    print('counters after ', {k: b[k] for k in ('blocked','counted','exempted','forwarded')})
    sys.exit(1)
" "$1" "$2"
}
# window NAME: counters at the start and 0.4 s later: $work/NAME.0/.1
window() {
	counters "$work/$1.0"
	sleep 0.4
	counters "$work/$1.1"
}

if ! start_op25b "$name" "$work/op25b.log" --audit-log "$audit"; then
	echo "not ok cli: op25b did not start"
	sed 's/^/#   /' "$work/op25b.log" | tail -20
	exit 1
fi

# --- the socket ---------------------------------------------------------
[ -S "$sock" ] || problem "no socket at /run/op25b/NAME.sock"
[ "$(stat -c %a "$sock" 2>/dev/null)" = 600 ] ||
	problem "socket mode $(stat -c %a "$sock" 2>/dev/null), want 600"
want_has "$work/op25b.log" "op25b-cli --name $name (socket $sock)"
if command -v setpriv >/dev/null; then
	setpriv --reuid=65534 --regid=65534 --clear-groups "$cli" --name "$name" \
		show version >"$work/out" 2>&1
	want_rc $? 2 "op25b-cli as nobody"
	want_has "$work/out" "Permission denied"
fi
report "cli: socket /run/op25b/NAME.sock, mode 0600, refused to other users"

# op25b's option name works for op25b-cli too; the old --socket still does.
for opt in --cli-socket --socket; do
	"$cli" "$opt" "$sock" --timeout 20 show version >"$work/out" 2>&1
	want_rc $? 0 "op25b-cli $opt PATH"
	want_re "$work/out" '^op25b '
done
"$cli" --help >"$work/out" 2>&1
want_has "$work/out" "--cli-socket PATH"
report "cli: op25b-cli --cli-socket PATH (as op25b's option), --socket PATH kept"

c show version
want_rc "$rc" 0
want_re "$work/out" '^op25b [0-9]+\.[0-9]+\.[0-9]+, DPDK 22\.11'
report "cli: show version"

c frobnicate the widgets
want_rc "$rc" 1 "unknown command: status"
want_lines "$work/out" 1
want_has "$work/out" "unknown command: frobnicate the widgets (try help)"
c help
want_rc "$rc" 0 "help: status"
for cmd in "show port info|stats all|N" "clear port stats all|N" "show workers" \
	"show policy" "show counters class|group NAME" "policy check FILE" \
	"policy reload FILE" "explain SRC DST PORT" "set mode enforce|monitor" \
	"set block drop|reset|notify" "exempt add PREFIX [ttl DURATION] [force] [reason TEXT]" \
	"exempt del PREFIX" "exempt list" "exempt export FILE" \
	"exempt import FILE replace|merge" "show adaptive SRC" \
	"show adaptive top N" "adaptive clear SRC|all" "show version" "quit"; do
	want_has "$work/out" "  $cmd"
done
report "cli: unknown command is one line and status 1; help lists every command"

# --- ports and workers --------------------------------------------------
c show port info all
want_rc "$rc" 0
want_has "$work/out" "port 0: net_pcap0"
want_has "$work/out" "role       subscriber (paired with port 1)"
want_has "$work/out" "port 1: net_null1"
want_has "$work/out" "role       upstream (paired with port 0)"
c show port info 1 json
want_rc "$rc" 0 "json: status"
py_check 'import json,sys; p=json.load(open(sys.argv[1])); assert [x["port"] for x in p]==[1] and p[0]["driver"]=="net_null" and p[0]["role"]=="upstream", p' "$work/out"
c show port info 7
want_rc "$rc" 1 "port 7: status"
want_lines "$work/out" 1
want_has "$work/out" "no port '7'"
report "cli: show port info all|N [json]; an unknown port is refused"

c show port stats all json
cp "$work/out" "$work/stats0"
sleep 0.2
c clear port stats all
want_rc "$rc" 0 "clear: status"
c show port stats all json
cp "$work/out" "$work/stats1"
sleep 0.3
c show port stats 0
want_rc "$rc" 0 "show port stats 0: status"
want_re "$work/out" '^  rx +[1-9][0-9]* '
want_re "$work/out" ' worker_rx +[1-9][0-9]* '
py_check '
import json, sys
before, after = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert before[0]["rx"] > 1000, before
# since the clear: fewer than the total before it, and counting again
assert 0 <= after[0]["rx"] < before[0]["rx"] + 10**9, after
assert after[0]["worker_rx"] < before[0]["worker_rx"], (before, after)
# the names of op25b-stat --json, the figures of the counter lists
assert list(before[0]) == ["port", "name", "role", "rx", "tx", "rx_bytes", "tx_bytes",
    "rx_missed", "rx_errors", "rx_nombuf", "tx_errors", "link_up",
    "speed_mbps", "worker_rx", "worker_tx", "tx_dropped"], list(before[0])
# the link is a level: after a clear as before it (net_pcap: up, 10G)
assert (before[0]["link_up"], before[0]["speed_mbps"]) == (1, 10000), before
assert (after[0]["link_up"], after[0]["speed_mbps"]) == (1, 10000), after
assert before[0]["rx_bytes"] > before[0]["rx"], before
' "$work/stats0" "$work/stats1"
"$build/app/op25b-stat/op25b-stat" --name "$name" --json >"$work/stat.json"
py_check '
import json, sys
s, before = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert s["packets"]["blocked"] >= before[0]["worker_rx"], "shared memory went backwards"
' "$work/stat.json" "$work/stats0"
report "cli: show port stats, clear port stats (shared memory keeps its totals)"

c show workers
want_rc "$rc" 0
want_re "$work/out" '^0 +1 +0 +[0-9]+ +[0-9]+ +[0-9.]+%$'
want_has "$work/out" "1 worker(s), 1 port pair(s), burst 64"
c show workers json
py_check 'import json,sys; w=json.load(open(sys.argv[1])); assert w["burst"]==64 and [x["lcore"] for x in w["workers"]]==[1] and w["workers"][0]["busy_loops"]>0, w' "$work/out"
report "cli: show workers [json]"

# --- policy -------------------------------------------------------------
c show policy
want_rc "$rc" 0
want_has "$work/out" "file        $work/policy.yaml"
want_re "$work/out" '^generation  1 '
want_has "$work/out" "mode        enforce"
want_has "$work/out" "block       drop"
want_re "$work/out" '^  dynamic +block +2 prefixes \(1 IPv4, 1 IPv6\)'
want_re "$work/out" '^  isp-relays +allow +2 prefixes'
want_re "$work/out" '^  static +allow +1 prefixes \(1 IPv4, 0 IPv6\) block: notify$'
want_has "$work/out" "notice      Port 25 is closed: use 587. (notify_rate 500 a second per worker)"
c show policy json
want_rc "$rc" 0 "show policy json: status"
py_check '
import json, sys
p = json.load(open(sys.argv[1]))
assert p["mode"] == "enforce" and p["block"] == "drop" and p["generation"] == 1, p
assert [(c["name"], c["action"], c["ipv4"], c["ipv6"]) for c in p["classes"]] == [("dynamic", "block", 1, 1), ("static", "allow", 1, 0)], p["classes"]
assert p["groups"][0]["name"] == "isp-relays" and p["smtp_ports"] == [25], p
assert p["notice"] == "Port 25 is closed: use 587." and p["notify_rate"] == 500, p
assert "block" not in p["classes"][0] and p["classes"][1]["block"] == "notify", p["classes"]
# the key op25b-stat --json gives the policy file
assert p["policy"] == sys.argv[2] and "file" not in p, p
' "$work/out" "$work/policy.yaml"
report "cli: show policy [json]"

# A reply is rendered into a buffer and sent with one write: traced, the
# reply to `show policy json` is one send of its whole length (besides the
# prompt's, 7 bytes, and the batch status's, 3, and cmdline's one-byte
# writes into the session's pipe).
if command -v strace >/dev/null; then
	strace -f -qq -e trace=write,sendto -s 0 -o "$work/strace.txt" -p "${pids[0]}" &
	tracer=$!
	sleep 0.5 # attached
	c show policy json
	cp "$work/out" "$work/policy.json"
	sleep 0.2
	kill -INT "$tracer" 2>/dev/null
	wait "$tracer" 2>/dev/null
	py_check '
import re, sys
sizes = [int(m.group(2)) for m in
         (re.search(r"(?:write|sendto)\((\d+), .*\)\s+=\s+(\d+)$", l) for l in open(sys.argv[1]))
         if m and int(m.group(1)) > 2]
reply = len(open(sys.argv[2], "rb").read())
big = [n for n in sizes if n > 7]
assert big == [reply], f"writes of the reply: {big}, want one of {reply} bytes (all: {sizes})"
' "$work/strace.txt" "$work/policy.json"
else
	problem "strace is not installed"
fi
report "cli: a reply is sent in one write"

c show counters
want_rc "$rc" 0
want_re "$work/out" 'blocked'
# the port figures are a sample of up to a second ago: say when
want_re "$work/out" '^ports \(driver figures sampled [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z, [0-9.]+ s ago\)$'
want_re "$work/out" '^policy .*, mode enforce, block drop, records_written 0, records_dropped 0, records_over_rate 0$'
counters "$work/c.json"
py_check 'import json,sys; s=json.load(open(sys.argv[1])); assert s["packets"]["blocked"] > 0 and s["packets"]["exempted"] == 0, s["packets"]' "$work/c.json"
c show counters class dynamic
want_rc "$rc" 0 "class dynamic: status"
want_re "$work/out" '^  blocked +[1-9]'
want_re "$work/out" '^  notify_syn_ack +0$'
want_re "$work/out" '^  notify_over_budget +0$'
c show counters group isp-relays
want_rc "$rc" 0 "group isp-relays: status"
c show counters class nosuch
want_rc "$rc" 1 "class nosuch: status"
want_lines "$work/out" 1
report "cli: show counters [json | class NAME | group NAME]"

window enforce
delta_check "$work/enforce.0" "$work/enforce.1" 'b["blocked"] > a["blocked"] and b["counted"] == a["counted"]'
c set mode monitor
want_rc "$rc" 0 "set mode monitor: status"
want_has "$work/out" "mode monitor: live"
# The policy's malformed is drop (the default): monitor mode still drops
# malformed frames, which the operator is told.
want_has "$work/out" "note: the policy's malformed: drop still drops malformed frames in monitor mode (malformed: forward passes them)"
window monitor
delta_check "$work/monitor.0" "$work/monitor.1" 'b["blocked"] == a["blocked"] and b["counted"] > a["counted"]'
c show policy
want_has "$work/out" "mode        monitor (set mode; the file says enforce)"
c set mode enforce
want_rc "$rc" 0 "set mode enforce: status"
grep -q "note:" "$work/out" && problem "set mode enforce: $(cat "$work/out")"
window enforce2
delta_check "$work/enforce2.0" "$work/enforce2.1" 'b["blocked"] > a["blocked"] and b["counted"] == a["counted"]'
report "cli: set mode monitor stops blocking from the next packets; enforce resumes"

c set block reset
want_rc "$rc" 0 "set block reset: status"
c show policy
want_has "$work/out" "block       reset (set block; the file says drop)"
c set block drop
c set block sideways
want_rc "$rc" 1 "set block sideways: status"
want_lines "$work/out" 1
report "cli: set block drop|reset; a bad value is refused"

# set block notify: the file's notice; a reload of a file without one is
# refused while it is in force, and without a notice it is refused.
c set block notify
want_rc "$rc" 0 "set block notify: status"
c show policy
want_has "$work/out" "block       notify (set block; the file says drop)"
printf 'version: 1\nsources:\n  dynamic: {action: block, prefixes: [198.18.0.0/16]}\n' \
	>"$work/nonotice.yaml"
c policy reload "$work/nonotice.yaml"
want_rc "$rc" 1 "reload without a notice under set block notify: status"
want_lines "$work/out" 1
want_has "$work/out" "reload failed: $work/nonotice.yaml: set block notify is in force and the file has no notice"
c set block file
want_rc "$rc" 0 "set block file: status"
c policy reload "$work/nonotice.yaml"
want_rc "$rc" 0 "reload without a notice: status"
c set block notify
want_rc "$rc" 1 "set block notify without a notice: status"
want_has "$work/out" "set block notify: $work/nonotice.yaml has no notice (add notice: to the file); nothing changed"
c show policy
want_has "$work/out" "block       drop"
c policy reload "$work/policy.yaml"
want_rc "$rc" 0 "reload back: status"
report "cli: set block notify answers with the file's notice; refused, and a reload refused, without one"

c explain 198.18.5.9 203.0.113.9
want_rc "$rc" 0
want_has "$work/out" "source:      class dynamic (prefix 198.18.0.0/16"
want_has "$work/out" "verdict:     block (block: drop -> the packets are dropped)"
c explain 2001:db8:1000::9 2001:db8::25 25
want_rc "$rc" 0 "explain v6: status"
want_has "$work/out" "destination: group isp-relays"
want_has "$work/out" "verdict:     allow"
c explain 198.18.5.9 203.0.113.9 587
want_has "$work/out" "verdict:     forward (submission ports are always forwarded)"
c explain 198.18.5.9 nowhere
want_rc "$rc" 1 "explain to nowhere: status"
want_lines "$work/out" 1
want_has "$work/out" "bad destination address 'nowhere'"
c explain 198.18.5.9 203.0.113.9 70000
want_rc "$rc" 1 "explain port 70000: status"
report "cli: explain SRC DST [PORT]; bad addresses and ports refused"

# --- exemptions ---------------------------------------------------------
# A TTL long enough that the checks below (several op25b-stat and CLI
# round trips) finish inside it on a loaded machine.
ttl=6
t0=$(date +%s%N)
c exempt add 198.18.5.9 ttl $ttl reason customer runs its own MX
want_rc "$rc" 0 "exempt add v4: status"
want_has "$work/out" "exempt 198.18.5.9/32: added (ttl ${ttl}s)"
c exempt add 2001:db8:1000::/48 ttl ${ttl}s
want_rc "$rc" 0 "exempt add v6: status"
window exempt
delta_check "$work/exempt.0" "$work/exempt.1" 'b["blocked"] == a["blocked"] and b["exempted"] > a["exempted"]'
# The gauge, under one name in shared memory and Prometheus.
"$build/app/op25b-stat/op25b-stat" --name "$name" --json >"$work/ex.json"
py_check 'import json,sys; s=json.load(open(sys.argv[1])); assert s["exemptions"] == 2, s["exemptions"]' "$work/ex.json"
"$build/app/op25b-stat/op25b-stat" --name "$name" --prometheus >"$work/ex.prom"
want_has "$work/ex.prom" "op25b_exemptions 2"
want_re "$work/ex.prom" '^op25b_packets_total\{outcome="exempted"\} [1-9]'
c exempt list
want_rc "$rc" 0 "exempt list: status"
want_re "$work/out" "^198\\.18\\.5\\.9/32 +[1-${ttl}]s +[0-9T:-]+Z +0 +customer runs its own MX\$"
want_re "$work/out" "^2001:db8:1000::/48 +[1-${ttl}]s "
c explain 198.18.5.9 203.0.113.9
want_has "$work/out" "exempt:      198.18.5.9/32 (reason \"customer runs its own MX\")"
want_has "$work/out" "verdict:     forward (the source is exempt"
# Expiry: both gone within the TTL and a little, not before it.
expired() { c exempt list; grep -q "no exemptions" "$work/out"; }
wait_until $((ttl + 3)) - expired
t1=$(date +%s%N)
ms=$(((t1 - t0) / 1000000))
want_has "$work/out" "no exemptions"
[ "$ms" -ge $((ttl * 1000 - 100)) ] && [ "$ms" -le $((ttl * 1000 + 2000)) ] ||
	problem "expired after $ms ms, want about $((ttl * 1000))"
window expired
delta_check "$work/expired.0" "$work/expired.1" 'b["blocked"] > a["blocked"] and b["exempted"] == a["exempted"]'
want_re "$audit" "Z instance=op25b-cli-[0-9]+ add prefix=198\\.18\\.5\\.9/32 ttl=${ttl}s uid=0 reason=\"customer runs its own MX\"\$"
want_re "$audit" " add prefix=2001:db8:1000::/48 ttl=${ttl}s uid=0 reason=\"\"\$"
want_re "$audit" " expire prefix=198\\.18\\.5\\.9/32 ttl=${ttl}s uid=0 reason=\"customer runs its own MX\"\$"
want_re "$audit" " expire prefix=2001:db8:1000::/48 ttl=${ttl}s uid=0"
want_has "$work/op25b.log" "exemption 198.18.5.9/32 expired (ttl ${ttl}s)"
report "cli: exempt add with a TTL exempts at once and expires on time, audited"

c exempt add 198.18.5.9/32 reason "until further notice"
want_rc "$rc" 0 "exempt add (no ttl): status"
c exempt add 198.18.5.9
want_has "$work/out" "renewed"
c policy reload "$work/policy2.yaml"
want_rc "$rc" 0 "reload: status"
want_has "$work/out" "loaded: generation"
c exempt list
want_re "$work/out" '^198\.18\.5\.9/32 +never '
counters "$work/r.0"
sleep 0.4
counters "$work/r.1"
delta_check "$work/r.0" "$work/r.1" 'b["exempted"] > a["exempted"]'
c exempt del 198.18.5.9
want_rc "$rc" 0 "exempt del: status"
want_has "$work/out" "exempt 198.18.5.9/32: deleted"
c exempt del 198.18.5.9
want_rc "$rc" 1 "exempt del again: status"
want_has "$work/out" "no such exemption"
want_re "$audit" ' replace prefix=198\.18\.5\.9/32 ttl=none uid=0 '
want_re "$audit" ' del prefix=198\.18\.5\.9/32 uid=0 '
window deleted
delta_check "$work/deleted.0" "$work/deleted.1" 'b["blocked"] > a["blocked"] and b["exempted"] == a["exempted"]'
report "cli: an exemption outlives a policy reload; exempt del ends it, audited"

lines_before=$(wc -l <"$audit")
for bad in "exempt add 198.18.5.9/33" "exempt add 198.18.5.1/16" \
	"exempt add 198.18.5.9 ttl 5x" "exempt add 198.18.5.9 ttl 0" \
	"exempt add nonsense" "exempt del 198.18.0.0/15"; do
	# shellcheck disable=SC2086
	c $bad
	[ "$rc" = 1 ] || problem "'$bad': status $rc, want 1"
	[ "$(wc -l <"$work/out")" = 1 ] || problem "'$bad': not one line:" "$(cat "$work/out")"
done
c exempt add 198.18.5.9/33
want_has "$work/out" "exempt add: bad prefix 198.18.5.9/33: "
c exempt add 198.18.5.9 ttl 5x
want_has "$work/out" "bad duration '5x'"
# A reason over 127 bytes (100 two-byte characters): refused, as an
# import refuses it; cut, it ended inside a character (no UTF-8 then).
long=$(printf '\303\251%.0s' $(seq 100))
c exempt add 198.18.5.9 reason "\"$long\""
want_rc "$rc" 1 "exempt add with a 200-byte reason: status"
want_has "$work/out" "exempt add 198.18.5.9/32: the reason is longer than 127 bytes; nothing changed"
c exempt list
want_has "$work/out" "no exemptions"
[ "$(wc -l <"$audit")" = "$lines_before" ] || problem "bad input wrote to the audit log"
report "cli: bad prefixes, durations and reasons: one line, status 1, nothing changed"

# --- policy files -------------------------------------------------------
c policy check "$work/broken.yaml"
want_rc "$rc" 1 "check broken: status"
want_lines "$work/out" 1
want_re "$work/out" "broken.yaml:3:[0-9]+: "
c policy check "$work/policy.yaml"
want_rc "$rc" 0 "check good: status"
want_has "$work/out" "valid: 2 classes, 1 destination groups, 5 prefixes"
want_re "$work/out" "valid: .*, [0-9]+ KB of tables \(not loaded"
c show policy
gen=$(sed -n 's/^generation  \([0-9]*\) .*/\1/p' "$work/out")
c policy reload "$work/broken.yaml"
want_rc "$rc" 1 "reload broken: status"
want_lines "$work/out" 1
want_re "$work/out" "^reload failed: .*broken.yaml:3:[0-9]+: .*; policy generation $gen stays$"
c show policy
want_has "$work/out" "file        $work/policy2.yaml"
# Two failed: the notice-less reload under set block notify was the first.
want_re "$work/out" "^generation  $gen .* 2 failed\)"
window kept
delta_check "$work/kept.0" "$work/kept.1" 'b["blocked"] > a["blocked"]'
c policy reload
want_rc "$rc" 0 "bare reload: status"
c show policy
want_re "$work/out" "^generation  $((gen + 1)) "
want_has "$work/out" "file        $work/policy2.yaml"
want_re "$audit" "reload by=cli uid=0 file=.*broken.yaml result=failed reason=\".*broken.yaml:3:[0-9]+: "
report "cli: policy check/reload of a broken file: file:line:column, the old policy stays"

# A prefixes_file deep in folders (over 1,000 bytes of path): check and
# reload say the whole path and the reason, the audit log too.
deep=$work
for i in $(seq 20); do deep+=/$(printf '%050d' "$i"); done
mkdir -p "$deep"
printf 'version: 1\nsources:\n  d: {action: block, prefixes_file: %s/pools.txt}\n' \
	"$deep" >"$work/deep.yaml"
c policy check "$work/deep.yaml"
want_rc "$rc" 1 "check of a deep missing prefixes_file: status"
want_has "$work/out" "cannot read prefixes_file $deep/pools.txt: No such file or directory"
c policy reload "$work/deep.yaml"
want_rc "$rc" 1 "reload of a deep missing prefixes_file: status"
want_has "$work/out" "cannot read prefixes_file $deep/pools.txt: No such file or directory; policy generation $((gen + 1)) stays"
want_has "$audit" "cannot read prefixes_file $deep/pools.txt: No such file or directory\""
report "cli: policy check/reload of a prefixes_file over 1,000 bytes of path: the whole path and the reason"

# --- sessions -----------------------------------------------------------
printf 'show version\nfrobnicate\n\n# a comment\nshow workers\n' |
	"$cli" --name "$name" >"$work/out" 2>&1
want_rc $? 1 "batch with a failing line: status"
want_re "$work/out" '^op25b [0-9.]+, DPDK'
want_has "$work/out" "unknown command: frobnicate"
want_has "$work/out" "1 worker(s)"
report "cli: op25b-cli reads commands from a pipe; one failure makes status 1"

# A raw interactive session held open (with a half-typed line) while a
# second session runs commands; then the first one finishes its line.
"$py" "$session" socket '[["expect","op25b> "],["send","show ver"],["sleep",1.0],
	["send","sion\r"],["expect","DPDK 22.11"],["expect","op25b> "],
	["send","exempt list\r"],["expect","192.0.2.99/32"],["send","quit\r"],["eof"]]' \
	"$sock" >"$work/raw.txt" 2>&1 &
raw=$!
sleep 0.4
c exempt add 192.0.2.99 ttl 1h reason second session
want_rc "$rc" 0 "second session: status"
wait "$raw" || problem "raw session:" "$(cat "$work/raw.txt")"
c exempt del 192.0.2.99
report "cli: two sessions at once (a raw socket session and op25b-cli)"

# op25b-cli's arguments: a newline would have run the rest as a second
# command, its answer never read (a permanent exemption from a ticket's
# text); a reason the shell unquoted reaches op25b quoted again; '#'
# (the CLI's comment) is refused rather than the rest dropped.
"$cli" --name "$name" --timeout 20 exempt add 192.0.2.97 ttl 1h reason \
	"$(printf 'line1\nexempt add 198.18.9.0/24')" >"$work/out" 2>&1
want_rc $? 2 "an argument with a newline: status"
want_has "$work/out" "op25b-cli: argument 'line1"
want_has "$work/out" "holds a control character (byte 0x0a): refused"
"$cli" --name "$name" --timeout 20 exempt add 192.0.2.97 reason "ticket #8812" \
	>"$work/out" 2>&1
want_rc $? 2 "an argument with '#': status"
want_has "$work/out" "op25b-cli: argument 'ticket #8812' holds '#', which starts a comment in op25b's CLI: leave it out"
# --timeout out of 1..86400, 4294967297 too (an int cast took it for 1):
# refused before any command is sent.
for t in 4294967297 0 86401 -1 1x; do
	"$cli" --name "$name" --timeout "$t" exempt add 198.18.9.0/24 \
		>"$work/out" 2>&1
	want_rc $? 2 "--timeout $t: status"
	want_has "$work/out" "op25b-cli: --timeout $t: expected 1..86400 seconds"
done
c exempt list
grep -qE '^(192\.0\.2\.97|198\.18\.9\.0)/' "$work/out" && problem "a refused argument exempted something:" "$(cat "$work/out")"
c exempt add 192.0.2.97 reason "ticket 8812 customer" ttl 1h
want_rc "$rc" 0 "a reason with blanks, then ttl: status ($(cat "$work/out"))"
c exempt list json
py_check 'import json,sys; a=json.load(open(sys.argv[1])); e=[x for x in a if x["prefix"]=="192.0.2.97/32"]; assert e and e[0]["reason"]=="ticket 8812 customer" and e[0]["ttl"]==3600, a' "$work/out"
c exempt del 192.0.2.97
# A whole command as one argument (sudo, ExecStartPost=, scripts) goes as
# a line, unquoted.
c "show version"
want_rc "$rc" 0 "a command as one argument: status"
want_re "$work/out" '^op25b [0-9.]+, DPDK'
report "cli: op25b-cli refuses a control character or '#' in an argument, and a --timeout out of 1..86400, and quotes a reason the shell unquoted"

# Piped lines: one longer than op25b-cli's line is refused whole (cut, its
# head ran and its tail ran as a second command); a '#' comment after
# policy reload is no file name (it was made a path and the reload
# failed). An answer that cannot be written (a full disk under `exempt
# export > FILE`) fails the command (it exited 0).
"$py" -c "print('exempt add 198.18.9.0/24 reason ' + 'x' * 4100 + ' exempt del 198.18.9.0/24')" |
	"$cli" --name "$name" --timeout 20 >"$work/out" 2>&1
want_rc $? 1 "a piped line of 4,200 bytes: status"
want_has "$work/out" "op25b-cli: a line longer than 4094 bytes: refused, not sent"
c exempt list
grep -q '^198\.18\.9\.0/24' "$work/out" && problem "the head of a long line ran:" "$(cat "$work/out")"
# A NUL in a batch line over the socket: refused whole, not run as the
# C string before it (which granted an exemption without its ttl).
"$py" - "$sock" >"$work/out" 2>&1 <<'PYEOF'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.settimeout(10)
buf = b""
while b"op25b> " not in buf:
    buf += s.recv(4096)
s.sendall(b"\x1eexempt add 198.18.9.9 \x00ttl 1h\n")
buf = b""
while b"\n" not in buf.partition(b"\x1e")[2]:
    buf += s.recv(4096)
print(buf.decode().replace("\x1e", "<RS>"), end="")
PYEOF
want_has "$work/out" "a NUL byte in the command: refused"
want_has "$work/out" "<RS>1"
c exempt list
grep -q '^198\.18\.9\.9' "$work/out" && problem "a line with a NUL ran:" "$(cat "$work/out")"
# A control byte in a piped line: refused as in an argument. op25b echoed
# it into its answer, where a 0x1e read as the status mark: this exited 0.
printf 'frobnicate\0360\n' | "$cli" --name "$name" --timeout 20 >"$work/out" 2>&1
want_rc $? 1 "a piped line with a 0x1e: status"
want_has "$work/out" "op25b-cli: a line with a control character (byte 0x1e): refused, not sent"
printf 'exempt add 198.18.9.9 \0ttl 1h\n' | "$cli" --name "$name" --timeout 20 >"$work/out" 2>&1
want_rc $? 1 "a piped line with a NUL: status"
want_has "$work/out" "op25b-cli: a line with a control character (byte 0x00): refused, not sent"
# A working directory with '#' is not put in the line: op25b read the
# rest as a comment and exported to the directory's stem.
mkdir -p "$work/exp#1"
(cd "$work/exp#1" && "$cli" --name "$name" --timeout 20 exempt export out) >"$work/out" 2>&1
want_rc $? 1 "exempt export from a directory with '#': status"
want_has "$work/out" "op25b-cli: out: the working directory $work/exp#1 holds '#' or a blank, which op25b's command line reads apart: use a file in a directory without them"
[ -e "$work/exp" ] && problem "exempt export from $work/exp#1 wrote $work/exp"
echo 'policy reload # after deploy' | "$cli" --name "$name" --timeout 20 >"$work/out" 2>&1
want_rc $? 0 "policy reload with a comment: status ($(cat "$work/out"))"
want_re "$work/out" "^policy .* loaded: generation "
"$cli" --name "$name" --timeout 20 show version >/dev/full 2>"$work/err"
want_rc $? 1 "show version > /dev/full: status"
want_has "$work/err" "op25b-cli: writing the answer: No space left on device"
report "cli: op25b-cli refuses a piped line too long whole, takes '#' after policy reload as a comment, fails when it cannot write the answer"

# logrotate's way with the audit log: renamed, then SIGUSR1; the next
# event goes into a new file at the path (copytruncate lost a line written
# between its copy and its truncation).
mv "$audit" "$audit.1"
kill -USR1 "${pids[0]}"
sleep 0.3
c exempt add 192.0.2.98 ttl 1h reason after rotation
want_rc "$rc" 0 "exempt add after a rotation: status"
wait_until 5 "${pids[0]}" grep -q 'add prefix=192.0.2.98/32' "$audit" ||
	problem "the audit line after SIGUSR1 is not in a new $audit"
grep -q 'add prefix=192.0.2.98/32' "$audit.1" && problem "the audit line went into the renamed file"
c exempt del 192.0.2.98
# One file again for the checks below: joined, and opened afresh.
cat "$audit" >>"$audit.1" && mv "$audit.1" "$audit"
kill -USR1 "${pids[0]}"
sleep 0.3
report "cli: SIGUSR1 after the audit log was renamed: the next event opens a new file"

# raw_client OUT PAUSE MARKER COUNT SEND...: a raw session on $sock with
# an 8 KB receive buffer. Each SEND (a Python bytes expression) is sent,
# PAUSE seconds after the one before; then what comes is read, 8 KB every
# 20 ms, until MARKER has come COUNT times (COUNT 0: until op25b closes),
# 60 s at most, into OUT, which starts with the prompt op25b greets with.
raw_client() {
	"$py" - "$sock" "$@" <<'PY'
import socket, sys, time
sock, out, pause, marker, count = sys.argv[1:6]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8192)
s.connect(sock)
s.settimeout(5)
data = s.recv(100)
for i, m in enumerate(sys.argv[6:]):
    time.sleep(float(pause) if i else 0)
    s.sendall(eval(m))
s.settimeout(1)
t0 = time.time()
while (int(count) == 0 or data.count(eval(marker)) < int(count)) and time.time() - t0 < 60:
    time.sleep(0.02)
    try:
        chunk = s.recv(8192)
    except socket.timeout:
        continue
    if not chunk:
        break
    data += chunk
open(out, "wb").write(data)
PY
}

# probe_latency WHAT: `show version` from a second session, three times,
# each answered within a second (the control lcore is not held up).
probe_latency() {
	local k t0 t1
	for k in 1 2 3; do
		t0=$(date +%s%N)
		c show version
		t1=$(date +%s%N)
		want_rc "$rc" 0 "show version beside $1: status"
		[ $(((t1 - t0) / 1000000)) -lt 1000 ] ||
			problem "show version beside $1 took $(((t1 - t0) / 1000000)) ms"
		sleep 0.3
	done
}

# A client that reads slowly: 5000 exemptions make `exempt list` about
# 0.9 MB, several times what the socket holds. A batch client sends two
# lists and a command between them in one write and reads 8 KB every
# 20 ms: it gets all three answers whole and in order, while a second
# session is answered at once (before, the control lcore waited on the
# slow client for each of its replies).
c exempt export "$work/before.ex"
want_rc "$rc" 0 "exempt export before the slow client: status"
"$py" - "$work/many.ex" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("# op25b exemptions, format 1\n")
    for i in range(5000):
        f.write('198.19.%d.%d/32 never 2026-12-01T00:00:00.000Z 0 0 "slow-reader test %s"\n'
                % (i // 250, i % 250, "x" * 80))
    f.write("# end: 5000 exemptions\n")
PY
c exempt import "$work/many.ex" merge
want_rc "$rc" 0 "exempt import of 5000: status"
c exempt list
want_rc "$rc" 0 "exempt list of 5000: status"
cp "$work/out" "$work/list.txt"
raw_client "$work/slow.bin" 0 'b"\x1e"' 3 'b"\x1eexempt list\nshow version\nexempt list\n"' &
slow=$!
sleep 0.5
probe_latency "a slow reader"
wait "$slow"
py_check '
import sys
data = open(sys.argv[1], "rb").read()
listing = open(sys.argv[2], "rb").read()
assert data.startswith(b"op25b> "), data[:20]
parts = data[len(b"op25b> "):].split(b"\x1e")
assert len(parts) == 4 and parts[3] == b"0\n", (len(data), [p[:40] for p in parts])
assert parts[0] == listing and listing.count(b"slow-reader test") == 5000, (len(parts[0]), len(listing))
assert parts[1].startswith(b"0\nop25b ") and parts[1].count(b"\n") == 2, parts[1]
assert parts[2] == b"0\n" + listing, len(parts[2])
' "$work/slow.bin" "$work/list.txt"
report "cli: a client that reads slowly gets its replies whole and in order; the others are served meanwhile"

# op25b-cli into a pager that waits longer than op25b waits for a client
# that reads nothing: op25b-cli has read the answer whole by then (checked
# after the stuck session below, which takes as long).
( "$cli" --name "$name" exempt list | { sleep 12; cat; } >"$work/paged.txt"
  echo "${PIPESTATUS[0]}" >"$work/paged.rc" ) &
paged=$!
sleep 2

# The same list on an interactive session: the echo, the whole reply,
# then the prompt (cmdline's echo and prompt join the reply in order).
raw_client "$work/slow-i.bin" 0 'b"op25b> "' 2 'b"exempt list\n"'
py_check '
import sys
data = open(sys.argv[1], "rb").read()
listing = open(sys.argv[2], "rb").read()
head = b"op25b> exempt list\r\n"
assert data.startswith(head), data[:60]
assert data.endswith(b"op25b> ") and data.count(b"op25b> ") == 2, data[-60:]
assert data[len(head):-len(b"op25b> ")] == listing, len(data)
' "$work/slow-i.bin" "$work/list.txt"
report "cli: an interactive session: the echo, the whole reply, then the prompt"
# force: the list before may hold none, and a replace that deletes every
# exemption is refused without it.
c exempt import "$work/before.ex" replace force
want_rc "$rc" 0 "exempt import of the list before: status"

# A paste of 300 '?' after "show ": each lists the choices and redraws the
# line, 500 KB in all, before the client reads any of it. Every listing
# arrives whole (cmdline's writes go through the session's pipe, emptied
# every few keys; before, what the socket refused was lost).
raw_client "$work/paste.bin" 1 'b""' 0 'b"show " + b"?" * 300' 'b"\x15quit\n"'
py_check '
import sys
data = open(sys.argv[1], "rb").read()
one = data[data.index(b"\r\n"):data.index(b"op25b> show ", 7)]
assert b"show counters json" in one, one[:200]
# the prompt and the echo of "show ", then a redraw after each listing
assert data.count(b"op25b> show ") == 301, data.count(b"op25b> show ")
assert data.count(one) == 300, (len(one), data.count(one))
' "$work/paste.bin"
report "cli: 300 pasted '?' on an interactive session: 300 whole listings, nothing dropped"

# The line editor holds 510 characters and dropped what was typed beyond,
# without a word, and Enter ran the rest: a 518-byte exempt add whose
# "ttl 1h" fell off was a permanent exemption. A line that reaches the
# end is refused whole; one just under it runs (made long by blanks:
# a reason holds 127 bytes).
raw_client "$work/long.bin" 0 'b"op25b> "' 3 \
	'b"exempt add 198.18.77.7 reason \"" + b"a" * 478 + b"\" ttl 1h\n"' \
	'b"exempt add 198.18.77.8" + b" " * 360 + b" ttl 1h reason \"" + b"b" * 100 + b"\"\n"'
py_check '
import sys
data = open(sys.argv[1], "rb").read()
assert b"a line of 510 characters or more: refused whole (the prompt edits up to 509; op25b-cli COMMAND takes up to 4094 bytes)" in data, data[-400:]
assert b"exempt 198.18.77.8/32: added" in data, data[-400:]
' "$work/long.bin"
c exempt list json
py_check 'import json,sys
a = {x["prefix"]: x for x in json.load(open(sys.argv[1]))}
assert "198.18.77.7/32" not in a, a.get("198.18.77.7/32")
assert a["198.18.77.8/32"]["ttl"] == 3600, a["198.18.77.8/32"]' "$work/out"
c exempt del 198.18.77.8
report "cli: an interactive line that reaches the editor's 510 characters is refused whole, not run cut; one of 505 runs"

# A client that queues commands and never reads their replies (a receive
# buffer of 4 KB): its session is closed after 10 s of reading nothing,
# and the other sessions are served at once meanwhile (its replies wait
# in its session, not in the control lcore).
"$py" - "$sock" >"$work/stuck.txt" 2>&1 <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.connect(sys.argv[1])
s.recv(100)
s.send(b"\x1e")
s.setblocking(False)
sent, t0, closed = 0, time.time(), None
while time.time() - t0 < 40:
    try:
        sent += s.send(b"show counters\n" * 50)
    except BlockingIOError:
        time.sleep(0.05)
    except (BrokenPipeError, ConnectionResetError):
        closed = time.time() - t0
        break
print("closed after %s s, %d commands queued" % (closed, sent // 14))
PY
stuck=$!
sleep 1.5
probe_latency "a stuck session"
wait "$stuck"
py_check '
import re, sys
m = re.match(r"closed after ([0-9.]+) s", open(sys.argv[1]).read())
assert m and 9 <= float(m.group(1)) <= 30, open(sys.argv[1]).read()
' "$work/stuck.txt"
want_has "$work/op25b.log" "closed: the client did not read its replies for 10 s"
report "cli: a client that does not read its replies loses its session after 10 s; the others are served meanwhile"
wait "$paged"
want_rc "$(cat "$work/paged.rc")" 0 "op25b-cli into a pager: status"
cmp -s "$work/paged.txt" "$work/list.txt" ||
	problem "op25b-cli into a pager: $(wc -c <"$work/paged.txt") bytes, want $(wc -c <"$work/list.txt")"
report "cli: op25b-cli reads an answer whole: a pager that waits 12 s gets all of it"

"$py" "$session" pty '[["expect","op25b> "],["send","show ver\t"],
	["expect","show version "],["send","\r"],["expect","DPDK 22.11"],
	["send","set mode mon\t\r"],["expect","mode monitor: live"],
	["send","show policy\r"],["expect","monitor (set mode"],
	["send","set mode enforce\r"],["expect","mode enforce: live"],
	["send","quit\r"],["exit",0]]' -- "$cli" --name "$name" >"$work/pty.txt" 2>&1 ||
	problem "op25b-cli on a terminal:" "$(cat "$work/pty.txt")"
c show version
want_rc "$rc" 0 "op25b after the interactive client quit: status"
report "cli: op25b-cli on a terminal: TAB completes, quit ends the session only"

# --- -i and --cmdline-file ----------------------------------------------
printf '# start-up\nexempt add 198.18.7.0/24 ttl 1d reason start-up file\nset block reset\n' \
	>"$work/start.cli"
"$py" "$session" pty '[["expect","start.cli: 3 lines run"],["expect","op25b> "],
	["send","exempt list\r"],["expect","198.18.7.0/24"],["expect","start-up file"],
	["send","show policy\r"],["expect","block       reset (set block"],
	["send","show counters class dynamic\r"],["expect","blocked"],
	["send","quit\r"],["expect","quit, stopping"],["expect","mbufs free"],["exit",0]]' \
	-- "$op25b" "${eal[@]}" \
	--vdev "net_pcap0,rx_pcap=$work/in.pcap,infinite_rx=1,tx_pcap=/dev/null" \
	--vdev net_null1,no-rx=1 -- --policy "$work/policy.yaml" --name "$name-i" \
	--audit-log "$work/audit-i.log" --state-dir "$work/state" \
	--cmdline-file "$work/start.cli" -i \
	>"$work/i.txt" 2>&1 || problem "op25b -i:" "$(tail -40 "$work/i.txt")"
[ -e "/run/op25b/$name-i.sock" ] && problem "op25b -i left its socket behind"
want_re "$work/audit-i.log" ' add prefix=198\.18\.7\.0/24 ttl=1d uid=0 reason="start-up file"$'
want_re "$work/audit-i.log" ' quit uid=0$'
report "cli: op25b -i prompt with --cmdline-file; quit stops op25b cleanly"

printf 'show version\nexempt add 198.18.7.0/33\nshow workers\n' >"$work/bad.cli"
"$op25b" "${eal[@]}" --vdev net_null0,no-rx=1 --vdev net_null1,no-rx=1 -- \
	--policy "$work/policy.yaml" --name "$name-f" --audit-log "$work/audit-f.log" \
	--state-dir "$work/state" --cmdline-file "$work/bad.cli" >"$work/f.txt" 2>&1 &
fpid=$!
pids+=($fpid)
stop_process "$fpid" 0 10
want_rc "$rc" 1 "op25b with a failing start-up file: status"
want_re "$work/f.txt" "^op25b: .*bad.cli:2: 'exempt add 198.18.7.0/33' failed: exempt add: bad prefix 198.18.7.0/33: .*; stopping"
grep -q "port pair(s), burst" "$work/f.txt" && problem "ran the line after the failing one"
report "cli: a failing --cmdline-file command stops op25b with status 1"

# --- issue 20: explain json, argument errors, Ctrl-U, TAB names ---------
# The running policy is policy2.yaml (reloaded above); positions as written.
c explain 198.18.5.9 192.0.2.25 25 json
want_rc "$rc" 0 "explain json: status"
want_lines "$work/out" 1
want_has "$work/out" '{"src":"198.18.5.9","dst":"192.0.2.25","port":25,"port_kind":"smtp","class":"dynamic","class_prefix":"198.18.0.0/16","class_location":{"file":"'"$work"'/policy2.yaml","line":5,"column":39},"group":"isp-relays","group_prefix":"192.0.2.25/32","group_location":{"file":"'"$work"'/policy2.yaml","line":8,"column":42},"rule":"group.action","action":"allow","verdict":"allow","note":"forwarded","exempt":null}'
c explain 198.18.5.9 203.0.113.9 json
want_rc "$rc" 0 "explain SRC DST json: status"
py_check 'import json,sys; x=json.load(open(sys.argv[1])); assert (x["port"], x["group"], x["group_location"], x["verdict"]) == (25, None, None, "block"), x' "$work/out"
c exempt add 198.18.5.0/24 ttl 1h reason json test
c explain 198.18.5.9 203.0.113.9 587 json
py_check 'import json,sys; x=json.load(open(sys.argv[1])); assert (x["port_kind"], x["rule"], x["exempt"]) == ("submission", None, {"prefix": "198.18.5.0/24", "reason": "json test"}), x' "$work/out"
c exempt del 198.18.5.0/24
report "cli: explain SRC DST [PORT] json: one object with the locations and the exemption"

# Each refused line names the word that is wrong and what would do there.
bad_args() { # WANT LINE...
	local want=$1
	shift
	c "$@"
	want_rc "$rc" 1 "$*: status"
	want_lines "$work/out" 1
	want_has "$work/out" "$want"
}
bad_args "set mode dryrun: mode is enforce|monitor|file" set mode dryrun
bad_args "set mode: mode is enforce|monitor|file" set mode
bad_args "set block sideways: block is drop|reset|notify|file" set block sideways
bad_args "exempt frob: exempt is add|del|list|export|import" exempt frob
bad_args "show counters xyz: unexpected 'xyz': counters takes json|class|group or nothing" show counters xyz
bad_args "show version now: unexpected 'now' (show version)" show version now
bad_args "explain 198.18.5.9: incomplete (explain SRC DST; try help)" explain 198.18.5.9
bad_args "explain 198.18.5.9 203.0.113.9 json 25: unexpected '25' (explain SRC DST json)" explain 198.18.5.9 203.0.113.9 json 25
c show policy
want_has "$work/out" "mode        enforce"
report "cli: a refused argument is named with its allowed values (set mode dryrun: mode is enforce|monitor|file)"

# At the prompt: the same words for a bad line, Ctrl-U (0x15) clears the
# line, TAB completes the running policy's class and group names.
"$py" "$session" socket '[["expect","op25b> "],
	["send","set mode dryrun\r"],["expect","set mode dryrun: mode is enforce|monitor|file\n"],
	["expect","op25b> "],["send","set mode monitor\u0015show version\r"],
	["expect","DPDK 22.11"],["expect","op25b> "],
	["send","show counters class dyn\t"],["expect","dynamic "],["send","\r"],
	["expect","class dynamic:"],["expect","op25b> "],
	["send","show counters class bus\t\r"],["expect","class business:"],
	["send","show counters group isp\t\r"],["expect","group isp-relays:"],
	["send","quit\r"],["eof"]]' "$sock" >"$work/keys.txt" 2>&1 ||
	problem "prompt keys:" "$(cat -A "$work/keys.txt" | tail -30)"
grep -q "Bad arguments" "$work/keys.txt" && problem "librte_cmdline's bare 'Bad arguments' at the prompt"
c show policy
want_has "$work/out" "mode        enforce"
report "cli: at the prompt, Ctrl-U clears the line, TAB completes class and group names, errors name the argument"

# --- sixteen sessions taken: the one idle longest gives its place ---------
# (a minute in op25b; 1.5 s here, a test build's hook)
OP25B_TEST_CLI_IDLE_YIELD_MS=1500 start_op25b "$name-idle" "$work/idle.log" ||
	problem "op25b did not start:" "$(tail -5 "$work/idle.log")"
timeout 30 "$py" - "/run/op25b/$name-idle.sock" "${pids[-1]}" >"$work/idle.out" 2>&1 <<'EOF'
import os, signal, socket, sys, time
path, pid = sys.argv[1], int(sys.argv[2])

def connect():
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(5)
    s.connect(path)
    return s

def read_until(s, text):
    buf = b""
    while text.encode() not in buf:
        chunk = s.recv(4096)
        if not chunk:
            break
        buf += chunk
    return buf.decode(errors="replace")

held = [connect() for _ in range(16)]
for s in held:
    read_until(s, "op25b> ")
late = connect()
print("17th at once:", read_until(late, "\n").strip())
time.sleep(2)
held[5].sendall(b"show version\r")  # active: keeps its place
read_until(held[5], "op25b> ")
new = connect()
print("17th after 2 s:", "prompt" if "op25b> " in read_until(new, "op25b> ") else "none")
print("session 0:", read_until(held[0], "\x00").strip())
held[5].sendall(b"show version\r")
print("session 5:", "answers" if "DPDK" in read_until(held[5], "op25b> ") else "closed")
# A command typed in the poll round in which a new connection comes (op25b
# stopped meanwhile, so that both wait for the same round): that session
# is not idle, another gives its place.
time.sleep(2)
os.kill(pid, signal.SIGSTOP)
try:
    held[1].sendall(b"show version\r")
    time.sleep(0.2)
    newer = connect()
finally:
    os.kill(pid, signal.SIGCONT)
print("session 1 typing:", "answers" if "DPDK" in read_until(held[1], "op25b> ") else "closed")
print("18th:", "prompt" if "op25b> " in read_until(newer, "op25b> ") else "none")
EOF
want_rc $? 0 "the sessions' script"
want_has "$work/idle.out" "17th at once: op25b: 16 CLI sessions already, none idle for 1 s: try later"
want_has "$work/idle.out" "17th after 2 s: prompt"
want_re "$work/idle.out" "^session 0: op25b: session closed: idle [0-9]+ s, and a new session needed its place$"
want_has "$work/idle.out" "session 5: answers"
want_has "$work/idle.out" "session 1 typing: answers"
want_has "$work/idle.out" "18th: prompt"
want_re "$work/idle.log" "CLI session \(uid 0\) closed: idle [0-9]+ s, its place taken by a new one \(16 sessions at most\)"
stop_process "${pids[-1]}" TERM 10
want_rc "$rc" 0 "op25b exit status"
report "cli: 16 sessions taken: a 17th is refused, then takes the place of the one idle longest (told why, logged); an active one keeps its place, and so does one whose command waits to be read"

# --- one command a turn ---------------------------------------------------
# A session's pipelined commands ran back to back in one turn of the
# control loop while their replies fit the socket (a read of input, 4 KB,
# at a time): a batch of checks held every other session, and the loop's
# other work, for 68 of them at least (the second session was answered
# after 140). Now a session runs one command a turn: a second session's
# command is answered while the first's batch is still going. (The 2 ms
# budget for keys, a pasted run of '?', has no test here that a client in
# Python can make fail.)
"$build/app/op25b-gen/op25b-gen" pools --count 20000 --out "$work/turn-pools.txt" >/dev/null 2>&1 ||
	problem "op25b-gen pools failed"
printf 'version: 1\nsources:\n  p: {action: block, prefixes_file: %s}\n' \
	"$work/turn-pools.txt" >"$work/turn.yaml"
timeout 120 "$py" - "$sock" "$work/turn.yaml" >"$work/turn.out" 2>&1 <<'EOF'
import select, socket, sys
path, policy = sys.argv[1], sys.argv[2]
N = 200

def session():
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    s.settimeout(60)
    buf = b""
    while b"op25b> " not in buf:
        buf += s.recv(4096)
    return s

def take(s):  # what s has to read now, without waiting
    got = b""
    while select.select([s], [], [], 0)[0]:
        chunk = s.recv(65536)
        if not chunk:
            break
        got += chunk
    return got

a = session()
a.sendall(b"\x1e" + (f"policy check {policy}\n" * N).encode())
b = session()
b.sendall(b"\x1eshow version\n")
got_b = b""
while b"\x1e" not in got_b:
    got_b += b.recv(4096)
done_a = take(a).count(b"\x1e")
print(f"b answered after {done_a} of a's {N} checks")
got_a = b""
while done_a + got_a.count(b"\x1e") < N:
    got_a += a.recv(65536)
print("a: all answered")
EOF
want_rc $? 0 "the sessions' script: $(tail -3 "$work/turn.out")"
done_a=$(sed -n 's/^b answered after \([0-9]*\) of .*/\1/p' "$work/turn.out")
[ -n "$done_a" ] && [ "$done_a" -lt 50 ] ||
	problem "the second session was answered after ${done_a:-?} of the first's 200 checks, want fewer than 50"
want_has "$work/turn.out" "a: all answered"
report "cli: one command a turn: a second session is answered while the first's batch of 200 checks is still going"

# --- the end ------------------------------------------------------------
stop_process "${pids[0]}" TERM 10
want_rc "$rc" 0 "op25b exit status"
[ -e "$sock" ] && problem "the socket is left behind"
want_has "$work/op25b.log" "mbufs free"
report "cli: op25b stops cleanly and removes its socket"
exit $status
