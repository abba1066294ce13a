#!/usr/bin/env bash
# Adaptive blocking with two workers: op25b on three lcores (two workers on
# the second core), its subscriber port a net_af_packet with two queue
# pairs on a veth of our own namespace, so that the kernel's fanout spreads
# one source's connections over both workers. A Python sender writes TCP
# SYNs into the veth's other end. Policy: class hosting adaptive, 5
# connections per 60 s, block_for 2 s, block: drop.
# Checks: the first 5 SYNs of a source are forwarded and the next 5 dropped,
# exactly, although both workers saw them; another source is not affected;
# after 2 s the source is forwarded again (class hosting); a mid-flow segment of a
# blocked source is dropped (class bulk, blocked for 1 h: slow machines
# take more than 2 s between two sends); in monitor mode (set mode monitor) the 6th and
# 7th SYN of a source are counted and forwarded. Exact counters from
# op25b-stat --json: class verdicts and the adaptive list, and
# adaptive_triggered per class in every view.
# Prints "ok NAME" / "not ok NAME" lines; details follow as "#   " lines.
set -uo pipefail
. "$(dirname "$0")/common.bash"
scenario adaptive
ns="op25b-ad-$$"
sock="$work/cli.sock"

if ! netns_add "$ns"; then
	echo "ok adaptive two workers # SKIP $netns_err"
	exit 0
fi
if ! { netns_no_ipv6 "$ns" && veth "$ns:ad0" "$ns:ad1"; } >"$work/setup.err" 2>&1; then
	echo "not ok adaptive set-up"
	sed 's/^/#   /' "$work/setup.err"
	exit 1
fi

cat >"$work/policy.yaml" <<'EOF'
version: 1
block: drop
sources:
  hosting:
    action: adaptive
    limit: {connections: 5, per: 60s, block_for: 2s}
    prefixes: [198.18.0.0/24]
  bulk:
    action: adaptive
    limit: {connections: 5, per: 60s, block_for: 1h}
    prefixes: [198.18.1.0/24]
EOF

# send.py SRC COUNT SPORT FLAGS: COUNT frames SRC:SPORT+i -> 203.0.113.5:25
# with TCP FLAGS (an int), written into ad0.
cat >"$work/send.py" <<'EOF'
import socket, struct, sys
src, count, sport, flags = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("ad0", 0))
for i in range(count):
    tcp = struct.pack("!HHIIBBHHH", sport + i, 25, 1000, 0, 5 << 4, flags,
                      65535, 0, 0)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40, 0, 0x4000, 64, 6, 0,
                     socket.inet_aton(src), socket.inet_aton("203.0.113.5"))
    s.send(b"\x02\0\0\0\0\x02" + b"\x02\0\0\0\0\x01" + b"\x08\x00" + ip + tcp)
EOF
send() { in_ns "$ns" "$py" "$work/send.py" "$@"; }

stat_json() { "$stat" --name "$name" --json >"$work/s.json" 2>"$work/s.err"; }
# seen CLASS N: the class's verdicts sum to N (every frame judged).
seen() {
	stat_json &&
		[ "$(field "$work/s.json" "sum(s['classes']['$1'].values())")" = "$2" ]
}
# sent SRC N SPORT FLAGS CLASS SEEN: N segments (TCP FLAGS: 2 SYN, 16 ACK)
# from SRC, then wait until CLASS has judged SEEN in all.
sent() {
	send "$1" "$2" "$3" "$4" || problem "send failed"
	wait_until 10 "$bg_pid" seen "$5" "$6" ||
		problem "$5: not all $2 segments from $1 judged (want $6 in all)"
}
# want_counts EXPR...: each python expression over s is true.
want_counts() {
	local e
	for e in "$@"; do
		[ "$(field "$work/s.json" "$e")" = True ] ||
			problem "want $e: classes $(field "$work/s.json" 's["classes"]["hosting"]'), adaptive $(field "$work/s.json" '{k: v for k, v in s.items() if k.startswith("adaptive")}')"
	done
}

ip netns exec "$ns" "$op25b" --lcores '0@0,1@1,2@1' "${eal[@]:2}" \
	--vdev "net_af_packet0,iface=ad1,qpairs=2" --vdev "net_null1,no-rx=1" \
	-- --policy "$work/policy.yaml" --name "$name" --status-interval 0 \
	--cli-socket "$sock" --audit-log "$work/audit.log" \
	--state-dir "$work" --adaptive-entries 1024 \
	>"$work/op25b.log" 2>&1 &
bg_pid=$!
if ! wait_for "$work/op25b.log" "op25b: commands:" "$bg_pid"; then
	echo "not ok adaptive op25b starts"
	sed 's/^/#   /' "$work/op25b.log" | tail -20
	exit 1
fi
want_has "$work/op25b.log" "op25b: adaptive table: 1024 sources, "
# Two workers account in one table: its compare-and-swaps are locked.
want_has "$work/op25b.log" ", workers share it"
report "adaptive: op25b with two workers starts, the table's size and kind printed"

# --- the (N+1)th is blocked, across both workers -----------------------------
sent 198.18.0.9 10 40000 2 hosting 10
want_counts 's["classes"]["hosting"]["forwarded"] == 5' \
	's["classes"]["hosting"]["blocked"] == 5' \
	's["adaptive_triggered"] == 1' \
	'all(w["busy_loops"] > 0 for w in s["workers"])' \
	'len(s["workers"]) == 2'
# The block began before its SYNs were counted.
t_blocked=$(date +%s%N)
report "adaptive: 10 SYNs over two workers, exactly 5 forwarded and 5 dropped"

# --- a blocked source's mid-flow segments are dropped too --------------------
sent 198.18.1.9 6 40000 2 bulk 6
sent 198.18.1.9 1 40000 16 bulk 7
want_counts 's["classes"]["bulk"]["forwarded"] == 5' \
	's["classes"]["bulk"]["blocked"] == 2' \
	's["adaptive_triggered"] == 2' \
	's["adaptive_tracked"] == 2' 's["adaptive_evicted"] == 0' \
	's["adaptive_table_full"] == 0'
report "adaptive: 6th SYN and then an ACK of a blocked source dropped"

# --- the abuse desk's views, and clear --------------------------------------
cli() { raw_batch "$sock" "$@" 2>&1 | sed 's/<RS>.*$//'; }
cli "show adaptive 198.18.1.9 json" >"$work/src.json"
py_check 'import json,sys
s = json.load(open(sys.argv[1]))
want = {"source": "198.18.1.9", "class": "bulk", "connections": 6,
        "blocked": True, "tracked": True, "limit_connections": 5}
bad = {k: (s.get(k), v) for k, v in want.items() if s.get(k) != v}
if bad or not 3000 < s["blocked_seconds_left"] <= 3600:
    sys.exit("show adaptive SRC json: %s (got, want); %s" % (bad, s))' "$work/src.json"
cli "show adaptive top 3" >"$work/top.out"
want_re "$work/top.out" '^198\.18\.1\.9 +bulk +6 +0 +[0-9]+ s left$'
# 6 SYNs counted, or 7: two workers may each count one over the limit
# before either's block is seen (both are blocked: 5 forwarded, above).
want_re "$work/top.out" '^198\.18\.0\.9 +hosting +[67] +0 +'
cli "explain 198.18.1.9 203.0.113.5" >"$work/explain.out"
want_re "$work/explain.out" '^ +blocked, [0-9]+ s left$'
# Exempt, a source of an adaptive class is forwarded, counted as
# exempted, and not counted against the class's limit.
cli "exempt add 198.18.1.9" >/dev/null
cli "explain 198.18.1.9 203.0.113.5" >"$work/explain-ex.out"
want_has "$work/explain-ex.out" "the source is exempt: forwarded, counted as exempted, and not counted against the class's limit"
cli "exempt del 198.18.1.9" >/dev/null
cli "show adaptive 198.18.5.5" >"$work/none.out"
want_has "$work/none.out" "show adaptive: 198.18.5.5 is in no class, which is not adaptive"
cli "show adaptive" >"$work/show.out"
want_re "$work/show.out" '^adaptive_triggered +2$'
want_re "$work/show.out" '^class bulk +adaptive_triggered 1$'
cli "adaptive clear 198.18.1.9" >"$work/clear.out"
want_has "$work/clear.out" "adaptive clear 198.18.1.9: forgotten (unblocked)"
want_has "$work/audit.log" "adaptive-clear source=198.18.1.9 class=bulk uid="
sent 198.18.1.9 1 44000 2 bulk 8
want_counts 's["classes"]["bulk"]["forwarded"] == 6'
report "adaptive: show adaptive SRC/top/explain show the block; adaptive clear unblocks, audited"

# --- an exempt source is not counted -------------------------------------------
# Its SYNs were counted first and the exemption asked after: over the
# limit it was "blocked" in the table (adaptive_triggered, the blocked
# gauge, show adaptive top, a way held) though forwarded as exempted, and
# under it counted as forwarded. Now every one is exempted and the table
# never sees it.
stat_json
triggered=$(field "$work/s.json" 's["adaptive_triggered"]')
exempted=$(field "$work/s.json" 's["packets"]["exempted"]')
cli "exempt add 198.18.1.77" >/dev/null
send 198.18.1.77 8 45000 2 || problem "send failed"
exempted_by() { stat_json && [ "$(field "$work/s.json" 's["packets"]["exempted"]')" = "$1" ]; }
wait_until 10 "$bg_pid" exempted_by $((exempted + 8)) ||
	problem "8 SYNs of an exempt source: exempted $(field "$work/s.json" 's["packets"]["exempted"]'), want $((exempted + 8))"
want_counts "s[\"adaptive_triggered\"] == $triggered"
cli "show adaptive 198.18.1.77 json" >"$work/ex-src.json"
py_check 'import json,sys
s = json.load(open(sys.argv[1]))
assert s["tracked"] is False and s["blocked"] is False, s' "$work/ex-src.json"
cli "exempt del 198.18.1.77" >/dev/null
report "adaptive: an exempt source's 8 SYNs (limit 5) all exempted; the table never counts it (not tracked, adaptive_triggered unchanged)"

# --- another source is not affected -----------------------------------------
sent 198.18.0.10 3 41000 2 hosting 13
want_counts 's["classes"]["hosting"]["forwarded"] == 8' \
	's["classes"]["hosting"]["blocked"] == 5'
report "adaptive: another source's 3 SYNs forwarded"

# --- block_for 2 s expires ---------------------------------------------------
left=$((2200 - ($(date +%s%N) - t_blocked) / 1000000))
[ "$left" -le 0 ] || sleep "$(printf '%d.%03d' $((left / 1000)) $((left % 1000)))"
sent 198.18.0.9 1 42000 2 hosting 14
want_counts 's["classes"]["hosting"]["forwarded"] == 9' \
	's["classes"]["hosting"]["blocked"] == 5' \
	's["adaptive_triggered"] == 2'
report "adaptive: after block_for (2 s) the source is forwarded again"

# --- monitor mode counts only ------------------------------------------------
raw_batch "$sock" "set mode monitor" >"$work/cli.out" 2>&1
want_has "$work/cli.out" "mode monitor: live"
sent 198.18.0.11 7 43000 2 hosting 21
# Forwarded upstream: 14 + 2 counted here, 5 + 1 of bulk, 8 exempted.
want_counts 's["classes"]["hosting"]["forwarded"] == 14' \
	's["classes"]["hosting"]["counted"] == 2' \
	's["classes"]["hosting"]["blocked"] == 5' \
	's["adaptive_triggered"] == 3' \
	's["ports"][1]["worker_tx"] == 30'
report "adaptive: monitor mode, the 6th and 7th SYN counted and forwarded"

# --- adaptive_triggered per class, the same in every view --------------------
# hosting triggered twice (198.18.0.9, then 198.18.0.11 in monitor mode), bulk
# once. The control lcore publishes them about every 10 ms.
per_class() {
	stat_json &&
		[ "$(field "$work/s.json" 's["adaptive"]')" = "{'hosting': {'adaptive_triggered': 2}, 'bulk': {'adaptive_triggered': 1}, '(none)': {'adaptive_triggered': 0}}" ]
}
wait_until 10 "$bg_pid" per_class ||
	problem "op25b-stat --json adaptive: $(field "$work/s.json" 's.get("adaptive")')"
"$stat" --name "$name" --prometheus >"$work/s.prom" 2>&1
want_re "$work/s.prom" '^op25b_class_adaptive_triggered_total\{class="hosting"\} 2$'
want_re "$work/s.prom" '^op25b_class_adaptive_triggered_total\{class="bulk"\} 1$'
want_re "$work/s.prom" '^op25b_adaptive_triggered_total 3$'
"$stat" --name "$name" >"$work/s.txt" 2>&1
want_re "$work/s.txt" '^hosting +2$'
want_re "$work/s.txt" '^bulk +1$'
cli "show counters class bulk" >"$work/class.out"
want_re "$work/class.out" '^  adaptive_triggered +1$'
report "adaptive: adaptive_triggered per class in op25b-stat JSON, text, Prometheus and the CLI"

# --- a reload forgets the sources of a class no longer adaptive ---------------
# bulk made `allow` and back: its blocked source must not come back blocked
# (nor show as blocked meanwhile); hosting, still adaptive, keeps its own.
tracked() {
	cli "show adaptive $1 json" >"$work/tr.json"
	field "$work/tr.json" '(s["tracked"], s["blocked"])'
}
sent 198.18.1.20 6 46000 2 bulk 14
[ "$(tracked 198.18.1.20)" = "(True, True)" ] ||
	problem "198.18.1.20 after 6 SYNs (limit 5): $(cat "$work/tr.json")"
[ "$(tracked 198.18.0.11)" = "(True, True)" ] ||
	problem "198.18.0.11 before the reload: $(cat "$work/tr.json")"
sed '/^  bulk:/,$ s/action: adaptive/action: allow/; /^  bulk:/,$ {/limit:/d}' \
	"$work/policy.yaml" >"$work/allow.yaml"
grep -q 'action: allow' "$work/allow.yaml" || problem "allow.yaml: $(cat "$work/allow.yaml")"
cli "policy reload $work/allow.yaml" >"$work/reload1.out"
# 198.18.1.20 and 198.18.1.9 (one SYN since its clear, counting).
want_has "$work/reload1.out" "; 2 adaptive sources forgotten (their class is no longer adaptive, or keys them anew)"
cli "show adaptive top 10" >"$work/top2.out"
grep -q '198\.18\.1\.20' "$work/top2.out" &&
	problem "show adaptive top lists 198.18.1.20 of class bulk, now allow: $(cat "$work/top2.out")"
[ "$(tracked 198.18.0.11)" = "(True, True)" ] ||
	problem "198.18.0.11 of hosting, still adaptive, after the reload: $(cat "$work/tr.json")"
cli "policy reload $work/policy.yaml" >"$work/reload2.out"
want_has "$work/reload2.out" "policy $work/policy.yaml loaded"
grep -q "forgotten" "$work/reload2.out" && problem "the second reload forgot sources: $(cat "$work/reload2.out")"
[ "$(tracked 198.18.1.20)" = "(False, False)" ] ||
	problem "198.18.1.20 after bulk is adaptive again: $(cat "$work/tr.json")"
report "adaptive: a reload that makes a class allow forgets its blocked source (it does not come back blocked); another class keeps its own"

# --- a renamed class keeps its sources, shown under their key length ----------
# An IPv6 /56 key of class v6, blocked; the class renamed v6b by a reload:
# the source is in an adaptive class still, so it is kept (its block runs
# on), and show adaptive top names it by its /56, not /64.
cat >"$work/send6.py" <<'EOF'
import socket, struct, sys
src, count, sport = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("ad0", 0))
for i in range(count):
    tcp = struct.pack("!HHIIBBHHH", sport + i, 25, 1000, 0, 5 << 4, 2, 65535, 0, 0)
    ip = struct.pack("!IHBB16s16s", 6 << 28, len(tcp), 6, 64,
                     socket.inet_pton(socket.AF_INET6, src),
                     socket.inet_pton(socket.AF_INET6, "2001:db8:ffff::25"))
    s.send(b"\x02\0\0\0\0\x02" + b"\x02\0\0\0\0\x01" + b"\x86\xdd" + ip + tcp)
EOF
v6_policy() {
	printf 'version: 1\nblock: drop\nsources:\n  %s:\n    action: adaptive\n    limit: {connections: 5, per: 60s, block_for: 1h, ipv6_key: /56}\n    prefixes: [2001:db8:100::/40]\n' "$1"
}
v6_policy v6 >"$work/v6.yaml"
v6_policy v6b >"$work/v6b.yaml"
cli "policy reload $work/v6.yaml" >"$work/reload3.out"
want_has "$work/reload3.out" "policy $work/v6.yaml loaded"
in_ns "$ns" "$py" "$work/send6.py" 2001:db8:100:1ff::9 6 47000 || problem "send6 failed"
wait_until 10 "$bg_pid" seen v6 6 || problem "v6: not all 6 SYNs judged"
cli "policy reload $work/v6b.yaml" >"$work/reload4.out"
grep -q "forgotten" "$work/reload4.out" && problem "renaming the class forgot its source: $(cat "$work/reload4.out")"
cli "show adaptive top 10" >"$work/top6.out"
want_re "$work/top6.out" '^2001:db8:100:100::/56 +v6b +6 +0 +[0-9]+ s left$'
report "adaptive: a class renamed by a reload keeps its blocked IPv6 source, shown as its /56"

# --- a reload that changes per, or moves a source: counted again ---------------
# Its next SYN starts it again (entry_restart()): show adaptive says 0
# connections rather than the old window's, and names the class it is in
# now in the text and the JSON alike.
cli "policy reload $work/policy.yaml" >"$work/reload5.out"
want_has "$work/reload5.out" "policy $work/policy.yaml loaded"
hosting_seen() {
	stat_json && field "$work/s.json" "sum(s['classes']['hosting'].values())"
}
sent 198.18.0.50 2 48000 2 hosting $(($(hosting_seen) + 2))
cli "show adaptive 198.18.0.50" >"$work/r5.out"
want_has "$work/r5.out" "2 connections, 0 destinations in the window"
sed 's/per: 60s, block_for: 2s/per: 120s, block_for: 2s/' "$work/policy.yaml" >"$work/per120.yaml"
grep -q 'per: 120s' "$work/per120.yaml" || problem "per120.yaml: $(cat "$work/per120.yaml")"
cli "policy reload $work/per120.yaml" >/dev/null
cli "show adaptive 198.18.0.50" >"$work/r6.out"
want_has "$work/r6.out" "0 connections, 0 destinations in the window"
cli "show adaptive top 10 json" >"$work/r6top.json"
py_check 'import json, sys
t = {x["source"]: x for x in json.load(open(sys.argv[1]))}
assert "198.18.0.50" not in t or t["198.18.0.50"]["connections"] == 0, t.get("198.18.0.50")' "$work/r6top.json"
sent 198.18.0.50 2 48100 2 hosting $(($(hosting_seen) + 2))
cli "show adaptive 198.18.0.50" >"$work/r7.out"
want_has "$work/r7.out" "2 connections, 0 destinations in the window"
printf 'version: 1\nblock: drop\nsources:\n  hosting:\n    action: adaptive\n    limit: {connections: 5, per: 120s, block_for: 2s}\n    prefixes: [198.18.2.0/24]\n  bulk:\n    action: adaptive\n    limit: {connections: 5, per: 120s, block_for: 1h}\n    prefixes: [198.18.0.0/23]\n' >"$work/moved.yaml"
cli "policy reload $work/moved.yaml" >/dev/null
cli "show adaptive 198.18.0.50" >"$work/r8.out"
want_has "$work/r8.out" "198.18.0.50 (class bulk:"
want_has "$work/r8.out" "0 connections, 0 destinations in the window"
cli "show adaptive 198.18.0.50 json" >"$work/r8.json"
[ "$(field "$work/r8.json" '(s["class"], s["connections"])')" = "('bulk', 0)" ] ||
	problem "show adaptive SRC json after the move: $(cat "$work/r8.json")"
report "adaptive: after a reload that changes per or moves the source, show adaptive counts from zero, under its class now in every view"

stop_bg TERM 20
want_rc "$rc" 0 "op25b exit status"
report "adaptive: op25b stops cleanly"
exit $status
