#!/usr/bin/env bash
# What an operator's first day tripped over (issue 20), through op25b-cli
# against a running op25b on virtual devices:
#  - set mode|block file clears an override, and the file's value clears it
#    too; every reload and switch line says which switches are overridden;
#  - exempt add takes its options in any order or refuses clearly; /0 needs
#    force; host bits get the loader's "did you mean";
#  - a relative FILE is the client's, not op25b's (op25b runs elsewhere);
#  - explain names the longest exemption, as the data path uses;
#  - one audit format for CLI and SIGHUP reloads, with file and reason;
#  - --cmdline-file runs before any packet is forwarded; a failing line's
#    reason is on stderr with file:line, and nothing is forwarded.
# Prints "ok NAME" / "not ok NAME" lines; details follow as "#   " lines.
set -uo pipefail
. "$(dirname "$0")/common.bash"
scenario op
sock="$work/$name.sock"
audit="$work/audit.log"

mkdir -p "$work/daemon" "$work/client" "$work/state"

cat >"$work/policy.yaml" <<'EOF'
version: 1
mode: enforce
block: drop
sources:
  dynamic: {action: block, prefixes: [198.18.0.0/16]}
  static: {action: allow, prefixes: [198.19.0.0/16]}
EOF
sed 's/^mode: enforce/mode: monitor/' "$work/policy.yaml" >"$work/monitor.yaml"
printf 'version: 1\nsources:\n  dynamic: {action: block, prefixes: [198.18.0.1/16]}\n' \
	>"$work/broken.yaml"
# Two files of one name: op25b's directory holds a one-class policy, the
# client's a three-class one.
printf 'version: 1\nsources:\n  only: {action: block, prefixes: [198.18.0.0/16]}\n' \
	>"$work/daemon/isp.yaml"
{ cat "$work/policy.yaml"
  echo '  business: {action: allow, prefixes: [198.19.128.0/17]}'; } \
	>"$work/client/isp.yaml"
cat >"$work/traffic.vec" <<'EOF'
policy policy.yaml
v4-syn expect=blocked class=dynamic src=198.18.5.9 dst=203.0.113.9 dport=25 flags=S
EOF
"$build/app/op25b-gen/op25b-gen" vectors "$work/traffic.vec" \
	--out "$work/in.pcap" >/dev/null || { echo "not ok operator: capture"; exit 1; }

# c ARGS...: one-shot op25b-cli from the client's directory; output in
# $work/out, status in $rc.
c() {
	(cd "$work/client" && "$cli" --socket "$sock" --timeout 20 "$@") \
		>"$work/out" 2>&1
	rc=$?
}
# want_out REGEX: the command's output is that one line.
want_out() {
	want_lines "$work/out" 1 && want_re "$work/out" "$1"
}
# want_out_noted REGEX: that line, then the note a monitor policy that
# drops malformed frames carries.
want_out_noted() {
	want_lines "$work/out" 2 && want_re "$work/out" "$1" &&
		[ "$(tail -n 1 "$work/out")" = "note: the policy's malformed: drop still drops malformed frames in monitor mode (malformed: forward passes them)" ] ||
		problem "no note after: $(cat "$work/out")"
}
# window NAME: the packet counters now and 0.4 s later.
window() {
	c show counters json
	cp "$work/out" "$work/$1.0"
	sleep 0.4
	c show counters json
	cp "$work/out" "$work/$1.1"
}
delta_check() { # NAME EXPR over a (before) and b (after)
	py_check "
import json, sys
a = json.load(open(sys.argv[1]))['packets']
b = json.load(open(sys.argv[2]))['packets']
if not ($2):
    print('before', {k: a[k] for k in ('blocked','reset','counted','exempted')})
    print('after ', {k: b[k] for k in ('blocked','reset','counted','exempted')})
    sys.exit(1)
" "$work/$1.0" "$work/$1.1"
}
# audit_wait REGEX: the audit log gets a line matching it within 5 s.
audit_wait() {
	wait_until 5 - grep -qsE -- "$1" "$audit" || want_re "$audit" "$1"
}

# op25b runs in a directory of its own, as under systemd (/).
(cd "$work/daemon" && exec "$op25b" "${eal[@]}" \
	--vdev "net_pcap0,rx_pcap=$work/in.pcap,infinite_rx=1,tx_pcap=/dev/null" \
	--vdev net_null1,no-rx=1 -- --policy "$work/policy.yaml" \
	--name "$name" --status-interval 0 --state-dir "$work/state" \
	--cli-socket "$sock" --audit-log "$audit") >"$work/op25b.log" 2>&1 &
pid=$!
pids+=($pid)
if ! wait_for "$work/op25b.log" "op25b: commands:" "$pid"; then
	echo "not ok operator: op25b did not start"
	sed 's/^/#   /' "$work/op25b.log" | tail -20
	exit 1
fi

# --- switches: the file's value clears an override ------------------------
gen='policy generation [0-9]+, [0-9]+ ms'
c set mode enforce
want_rc "$rc" 0 "set mode enforce: status"
want_out "^mode enforce: live \($gen\); overridden: none$"
c policy reload "$work/monitor.yaml"
want_rc "$rc" 0 "reload monitor.yaml: status"
want_out_noted "^policy $work/monitor.yaml loaded: generation [0-9]+, 2 classes, 0 destination groups, 2 prefixes, [0-9]+ KB of tables, [0-9]+ ms; overridden: none$"
c show policy
want_re "$work/out" '^mode        monitor$'
window monitor
delta_check monitor 'b["blocked"] == a["blocked"] and b["counted"] > a["counted"]'
report "operator: set mode to the file's value clears the override; a reload of a monitor file then monitors"

c set mode enforce
want_out "^mode enforce: live \($gen\); overridden: mode enforce \(the file says monitor\)$"
c set block reset
want_out "^block reset: live \($gen\); overridden: mode enforce \(the file says monitor\), block reset \(the file says drop\)$"
c policy reload
want_rc "$rc" 0 "bare reload: status"
want_out "^policy $work/monitor.yaml loaded: .*; overridden: mode enforce \(the file says monitor\), block reset \(the file says drop\)$"
c show policy
want_has "$work/out" "mode        enforce (set mode; the file says monitor)"
window enforce
delta_check enforce 'b["reset"] > a["reset"] and b["counted"] == a["counted"]'
c set mode file
want_rc "$rc" 0 "set mode file: status"
want_out_noted "^mode monitor \(the file's\): live \($gen\); overridden: block reset \(the file says drop\)$"
c show policy
want_re "$work/out" '^mode        monitor$'
window back
delta_check back 'b["blocked"] == a["blocked"] and b["counted"] > a["counted"]'
c set block file
want_out "^block drop \(the file's\): live \($gen\); overridden: none$"
c show policy
want_re "$work/out" '^block       drop$'
c set mode sideways
want_rc "$rc" 1 "set mode sideways: status"
want_re "$audit" ' set mode=file uid=0 result=ok$'
want_re "$audit" ' set block=file uid=0 result=ok$'
report "operator: set mode|block file go back to the file; every reload and switch line names the overrides"

# --- one audit format for reloads -----------------------------------------
c policy reload "$work/broken.yaml"
want_rc "$rc" 1 "reload broken: status"
want_re "$audit" "Z instance=$name reload by=cli uid=0 file=$work/monitor.yaml result=ok generation=[0-9]+$"
want_re "$audit" "Z instance=$name reload by=cli uid=0 file=$work/broken.yaml result=failed reason=\"$work/broken.yaml:3:[0-9]+: 198\.18\.0\.1/16: host bits set \(did you mean 198\.18\.0\.0/16\?\)\"$"
cp "$work/monitor.yaml" "$work/hup.yaml"
c policy reload "$work/hup.yaml"
want_rc "$rc" 0 "reload hup.yaml: status"
cp "$work/broken.yaml" "$work/hup.yaml"
kill -HUP "$pid"
audit_wait "reload by=SIGHUP uid=$(id -u) file=$work/hup.yaml result=failed reason=\"$work/hup.yaml:3:[0-9]+: 198\.18\.0\.1/16: host bits set \(did you mean 198\.18\.0\.0/16\?\)\"$"
cp "$work/monitor.yaml" "$work/hup.yaml"
kill -HUP "$pid"
audit_wait "reload by=SIGHUP uid=$(id -u) file=$work/hup.yaml result=ok generation=[0-9]+$"
want_re "$work/op25b.log" "^op25b: policy $work/hup.yaml loaded: .*; overridden: none$"
grep -E ' reload (uid=|by=SIGHUP result=)' "$audit" >"$work/old-format"
want_empty "$work/old-format"
report "operator: CLI and SIGHUP reloads audited in one format, with file and reason"

# SIGUSR1 is logrotate's for block records, sent to every op25b unit: an
# op25b without them goes on (the default action kills).
kill -USR1 "$pid"
sleep 0.5
c show version
want_rc "$rc" 0 "op25b answers after SIGUSR1"
kill -0 "$pid" 2>/dev/null || problem "SIGUSR1 killed op25b (no block records)"
report "operator: SIGUSR1 without block records does nothing"

# --- exempt add: options in any order, or a clear error -------------------
lines_before=$(wc -l <"$audit")
c exempt add 198.18.5.9 reason ttl 5m
want_rc "$rc" 1 "reason ttl 5m: status"
want_out '^exempt add 198\.18\.5\.9: the reason "ttl 5m" holds the word ttl: give ttl DURATION and force before reason, or quote the reason \(reason "TEXT"\)$'
c exempt add 0.0.0.0/0 ttl 1h
want_rc "$rc" 1 "0.0.0.0/0: status"
want_out '^exempt add 0\.0\.0\.0/0: exempts every IPv4 source, which turns OP25B off: add force if that is meant$'
c exempt add ::/0
want_rc "$rc" 1 "::/0: status"
want_out '^exempt add ::/0: exempts every IPv6 source, which turns OP25B off: add force if that is meant$'
c exempt add ::ffff:198.18.5.9 ttl 1h
want_rc "$rc" 1 "IPv4-mapped: status"
want_out '^exempt add ::ffff:198\.18\.5\.9: an IPv4-mapped address is the source of no packet \(IPv4 ones are looked up as IPv4\): exempt 198\.18\.5\.9/32$'
c exempt add ::ffff:198.18.0.0/112
want_rc "$rc" 1 "IPv4-mapped /112: status"
want_out 'exempt 198\.18\.0\.0/16$'
c exempt add 198.18.5.1/16 ttl 1h
want_rc "$rc" 1 "host bits: status"
want_out '^exempt add: bad prefix 198\.18\.5\.1/16: host bits set \(did you mean 198\.18\.0\.0/16\?\)$'
c exempt add 198.18.5.9 ttl 5m ttl 1h
want_rc "$rc" 1 "ttl twice: status"
want_out '^exempt add 198\.18\.5\.9: ttl given twice$'
c exempt add 198.18.5.9 ttl
want_rc "$rc" 1 "ttl without a duration: status"
want_out '^exempt add 198\.18\.5\.9: ttl needs a DURATION \(90, 15m, 12h, 30d\)$'
c exempt add 198.18.5.9 for a while
want_rc "$rc" 1 "a stray word: status"
want_out '^exempt add 198\.18\.5\.9: unexpected .for.: exempt add PREFIX \[ttl DURATION\] \[force\] \[reason TEXT\]$'
c exempt add 198.18.5.9 reason '"unclosed' ttl 5m
want_rc "$rc" 1 "an unclosed quote: status"
want_out '^exempt add 198\.18\.5\.9: the reason has no closing quote$'
c exempt list
want_out '^no exemptions$'
[ "$(wc -l <"$audit")" = "$lines_before" ] || problem "refused input was audited"
report "operator: exempt add refuses a ttl in the reason, /0 without force, an IPv4-mapped address (the IPv4 one meant), host bits (did you mean), in one line"

c exempt add 198.18.5.9 reason '"runs its own MX"' ttl 5m
want_rc "$rc" 0 "quoted reason, then ttl: status"
want_out '^exempt 198\.18\.5\.9/32: added \(ttl 5m\); 1 exemption$'
c exempt add 198.18.5.10 ttl 2h reason ticket 8812
want_rc "$rc" 0 "ttl, then reason: status"
want_out '^exempt 198\.18\.5\.10/32: added \(ttl 2h\)$'
c exempt add 198.18.5.11 force ttl 1d reason '"say \"hi\""'
want_rc "$rc" 0 "force, ttl, quoted reason: status"
c exempt add 0.0.0.0/0 ttl 1m force reason everyone, for a minute
want_rc "$rc" 0 "0.0.0.0/0 force: status"
want_out '^exempt 0\.0\.0\.0/0: added \(ttl 1m\)$'
c exempt list
want_re "$work/out" '^198\.18\.5\.9/32 +[45]m[0-9]+s .* runs its own MX$'
want_re "$work/out" '^198\.18\.5\.10/32 +[12]h[0-9]+m .* ticket 8812$'
want_re "$work/out" '^198\.18\.5\.11/32 +(1d00h|23h[0-9]+m) .* say "hi"$'
want_re "$work/out" '^0\.0\.0\.0/0 +[01]m?[0-9]+s .* everyone, for a minute$'
want_re "$audit" ' add prefix=198\.18\.5\.9/32 ttl=5m uid=0 reason="runs its own MX"$'
want_re "$audit" ' add prefix=198\.18\.5\.11/32 ttl=1d uid=0 reason="say \\"hi\\""$'
c exempt del 0.0.0.0/0
want_rc "$rc" 0 "del 0.0.0.0/0: status"
for p in 198.18.5.9 198.18.5.10 198.18.5.11; do
	c exempt del "$p"
done
report "operator: exempt add takes ttl, force and a quoted reason in any order"

# --- explain: the longest exemption, as the data path uses ----------------
c exempt add 198.18.0.0/16 ttl 1h reason the whole pool
c exempt add 198.18.5.8/30 ttl 1h reason the customer\'s block
c exempt add 198.18.5.9 ttl 1h reason the customer\'s MX
c explain 198.18.5.9 203.0.113.9
want_rc "$rc" 0 "explain /32: status"
want_has "$work/out" 'exempt:      198.18.5.9/32 (reason "the customer'"'"'s MX")'
c explain 198.18.5.10 203.0.113.9
want_has "$work/out" 'exempt:      198.18.5.8/30 (reason "the customer'"'"'s block")'
c explain 198.18.9.9 203.0.113.9
want_has "$work/out" 'exempt:      198.18.0.0/16 (reason "the whole pool")'
c explain 198.19.9.9 203.0.113.9
grep -q '^exempt:' "$work/out" && problem "explain names an exemption for 198.19.9.9"
for p in 198.18.0.0/16 198.18.5.8/30 198.18.5.9; do
	c exempt del "$p"
done
report "operator: explain names the longest of nested exemptions"

# --- paths: the client's directory, not op25b's ---------------------------
c policy check isp.yaml
want_rc "$rc" 0 "policy check isp.yaml: status"
want_out "^$work/client/isp.yaml: valid: 3 classes, 0 destination groups, 3 prefixes, [0-9]+ KB of tables \(not loaded: policy reload $work/client/isp.yaml\)$"
c policy reload isp.yaml
want_rc "$rc" 0 "policy reload isp.yaml: status"
want_out "^policy $work/client/isp.yaml loaded: generation [0-9]+, 3 classes, .*; overridden: none$"
c show policy
want_has "$work/out" "file        $work/client/isp.yaml"
# A raw session (no op25b-cli to make the path absolute): refused.
raw_batch "$sock" "policy check isp.yaml" "policy reload isp.yaml" \
	>"$work/out" 2>&1
want_has "$work/out" "policy check isp.yaml: a relative path, and op25b does not run in your directory: give an absolute path (op25b-cli COMMAND from a shell makes one absolute; its prompt does not)"
want_has "$work/out" "policy reload isp.yaml: a relative path, and op25b does not run in your directory: give an absolute path (op25b-cli COMMAND from a shell makes one absolute; its prompt does not)"
[ "$(grep -c '<RS>1' "$work/out")" = 2 ] || problem "raw session: want two failures:" "$(cat "$work/out")"
c show policy
want_has "$work/out" "file        $work/client/isp.yaml"
report "operator: op25b-cli sends absolute paths; op25b refuses a relative one from the socket"

# A path that holds a terminal escape, a quote and vertical tabs (a token
# ends only at a blank, tab, newline or #): its audit line quotes it, so
# that no raw escape reaches the log and no forged field splits off.
raw_batch "$sock" "policy reload /tmp/x$(printf '\033')[31m\"$(printf '\v')result=ok$(printf '\v')generation=9" \
	>"$work/out" 2>&1
grep -q '<RS>1' "$work/out" || problem "the odd path's reload did not fail:" "$(cat "$work/out")"
line=$(grep 'file=.*x' "$audit" | tail -1)
case $line in
*file=\"/tmp/x?\[31m\\\"?result=ok?generation=9\"\ result=failed\ *) ;;
*) problem "the audit line of an odd path: $(printf '%q' "$line")" ;;
esac
[[ $line == *$'\033'* || $line == *$'\v'* ]] && problem "raw control characters in the audit line: $(printf '%q' "$line")"
report "operator: an odd path is quoted in the audit line (no raw escape, no forged field)"

stop_process "$pid" TERM 10
pids=()
want_rc "$rc" 0 "op25b exit status"
report "operator: op25b stops cleanly"

# --- --cmdline-file: before the first packet ------------------------------
# 2000 frames that the policy forwards (static is allowed) and, after them,
# the blocked source: none may reach the upstream file when the start-up
# file fails.
cat >"$work/start.vec" <<'EOF'
policy policy.yaml
allowed expect=forwarded class=static src=198.19.5.9 dst=203.0.113.9 dport=25 flags=S
blocked expect=blocked class=dynamic src=198.18.5.9 dst=203.0.113.9 dport=25 flags=S
EOF
"$build/app/op25b-gen/op25b-gen" vectors "$work/start.vec" --out "$work/two.pcap" >/dev/null
"$py" - "$work/two.pcap" "$work/start.pcap" <<'EOF'
import sys
data = open(sys.argv[1], "rb").read()
head, body = data[:24], data[24:]
open(sys.argv[2], "wb").write(head + body * 1000)
EOF
# run_start NAME FILE: op25b with the capture and a start-up file; stdout,
# stderr and the upstream capture in $work/NAME.{out,err,up.pcap}.
run_start() {
	local n=$1
	"$op25b" "${eal[@]}" \
		--vdev "net_pcap0,rx_pcap=$work/start.pcap,tx_pcap=$work/$n.replies.pcap" \
		--vdev "net_pcap1,tx_pcap=$work/$n.up.pcap" -- \
		--policy "$work/policy.yaml" --name "$name-$n" --status-interval 0 \
		--cli-socket none --audit-log "$work/audit-$n.log" \
		--state-dir "$work/state-$n" --stop-after-idle 300 \
		--stats-json "$work/$n.json" --cmdline-file "$work/$n.cli" \
		>"$work/$n.out" 2>"$work/$n.err" &
	pids+=($!)
	stop_process "${pids[-1]}" 0 30
}
frames() { # PCAP: its frame count (0 when absent)
	"$py" -c '
import struct, sys
try:
    d = open(sys.argv[1], "rb").read()
except FileNotFoundError:
    print(0); sys.exit()
o, n = 24, 0
while o + 16 <= len(d):
    o += 16 + struct.unpack("<IIII", d[o:o + 16])[2]; n += 1
print(n)' "$1"
}

printf 'show version\npolicy reload %s\nexempt add 198.18.7.0/33\n' \
	"$work/monitor.yaml" >"$work/f.cli"
run_start f
want_rc "$rc" 1 "a failing last line: status"
[ "$(frames "$work/f.up.pcap")" = 0 ] ||
	problem "forwarded $(frames "$work/f.up.pcap") frames before the start-up file failed"
want_out_f="op25b: $work/f.cli:3: 'exempt add 198.18.7.0/33' failed: exempt add: bad prefix 198.18.7.0/33: "
want_has "$work/f.err" "$want_out_f"
want_re "$work/f.err" "failed: .*; stopping \(the start-up commands must all succeed\)$"
grep -q "bad prefix" "$work/f.out" && problem "the reason went to stdout"
want_has "$work/f.out" "op25b: $work/f.cli: 3 lines run"
grep -q "op25b: commands:" "$work/f.out" && problem "op25b said it was up"
report "operator: a --cmdline-file whose last line fails forwards nothing; the reason on stderr with file:line"

printf 'exempt add 198.18.5.9 reason start-up\nset mode monitor\n' >"$work/g.cli"
run_start g
want_rc "$rc" 0 "a good start-up file: status"
py_check '
import json, sys
p = json.load(open(sys.argv[1]))["packets"]
assert p["blocked"] == 0 and p["counted"] == 0 and p["exempted"] == 1000 \
    and p["forwarded"] == 1000, p
' "$work/g.json"
[ "$(frames "$work/g.up.pcap")" = 2000 ] ||
	problem "upstream: $(frames "$work/g.up.pcap") frames, want 2000"
want_empty "$work/g.err"
report "operator: the start-up file's exemption and switch hold from the first packet"

# Signals while op25b starts (the EAL's init, the policy's compile): a
# SIGHUP and a SIGUSR1 then neither kill it (their default action) nor
# are lost: the reload runs once the control loop does.
"$op25b" "${eal[@]}" --vdev "net_pcap0,rx_pcap=$work/in.pcap,infinite_rx=1,tx_pcap=/dev/null" \
	--vdev net_null1,no-rx=1 -- --policy "$work/policy.yaml" \
	--name "$name-early" --status-interval 0 --cli-socket none \
	--audit-log "$work/audit-early.log" --state-dir "$work/state-early" \
	>"$work/early.log" 2>&1 &
early=$!
pids+=($early)
# As soon as it catches both (SigCgt: SIGHUP bit 0, SIGUSR1 bit 9), which
# it does before the EAL's init: a signal before main() would find the
# default action still, as for any process.
catches() {
	local m
	m=$(awk '/^SigCgt:/ {print $2}' "/proc/$1/status" 2>/dev/null) &&
		(((0x$m & 0x201) == 0x201))
}
wait_until 10 "$early" catches "$early" ||
	problem "op25b never caught SIGHUP and SIGUSR1"
kill -HUP "$early" 2>/dev/null
kill -USR1 "$early" 2>/dev/null
if wait_for "$work/early.log" "op25b: commands:" "$early"; then
	wait_until 10 "$early" grep -q "reload by=SIGHUP" "$work/audit-early.log" ||
		problem "the early SIGHUP did not reload"
	kill -TERM "$early"
	wait "$early"
	want_rc $? 0 "op25b after early signals: exit status"
else
	problem "op25b died of a signal while starting:" "$(tail -5 "$work/early.log")"
fi
report "operator: SIGHUP and SIGUSR1 while op25b starts: it starts, then reloads"
# A reload that fails after its class names were given counter slots (here
# the adaptive table, too large to allocate, fails it): the names are taken
# back, not left as removed classes. 30 such reloads of 10 new names each
# (300, past the 255 names a run may give), then a good policy with a new
# class still loads.
"$op25b" "${eal[@]}" --vdev "net_pcap0,rx_pcap=$work/in.pcap,infinite_rx=1,tx_pcap=/dev/null" \
	--vdev net_null1,no-rx=1 -- --policy "$work/policy.yaml" \
	--name "$name-slots" --status-interval 0 --cli-socket "$work/slots.sock" \
	--audit-log "$work/audit-slots.log" --state-dir "$work/state-slots" \
	--adaptive-entries 1073741824 >"$work/slots.log" 2>&1 &
slots=$!
pids+=($slots)
if wait_for "$work/slots.log" "op25b: commands:" "$slots"; then
	checks=0
	for i in $(seq 1 30); do
		{ cat "$work/policy.yaml"
		  for k in $(seq 1 9); do echo "  c$i-$k: {action: block, prefixes: [10.$i.$k.0/24]}"; done
		  echo "  hosting$i:"
		  echo "    action: adaptive"
		  echo "    limit: {connections: 10, per: 60s, block_for: 1h}"
		  echo "    prefixes: [10.$i.200.0/24]"; } >"$work/slots-$i.yaml"
		# What the reload refuses, `policy check` refuses first, with
		# the reload's reason (the check makes and frees the table).
		if [ "$i" -le 2 ]; then
			"$cli" --socket "$work/slots.sock" --timeout 20 policy check "$work/slots-$i.yaml" >"$work/out" 2>&1
			want_rc $? 1 "policy check $i with an adaptive table too large: $(cat "$work/out")"
			want_re "$work/out" "the adaptive table \(--adaptive-entries 1073741824\) cannot be allocated" &&
				checks=$((checks + 1))
		fi
		"$cli" --socket "$work/slots.sock" --timeout 20 policy reload "$work/slots-$i.yaml" >"$work/out" 2>&1
		[ $? = 1 ] || { problem "reload $i with an adaptive table too large: not refused: $(cat "$work/out")"; break; }
	done
	[ "$checks" = 2 ] || problem "policy check refused $checks of 2 policies a reload refuses"
	"$build/app/op25b-stat/op25b-stat" --name "$name-slots" --json >"$work/slots.json" 2>&1
	py_check 'import json,sys; s=json.load(open(sys.argv[1])); assert s.get("removed_classes", []) == [], s.get("removed_classes")' "$work/slots.json"
	{ cat "$work/policy.yaml"; echo '  business: {action: allow, prefixes: [198.20.0.0/16]}'; } >"$work/slots-good.yaml"
	"$cli" --socket "$work/slots.sock" --timeout 20 policy reload "$work/slots-good.yaml" >"$work/out" 2>&1
	want_rc $? 0 "a good reload after 300 names that failed: $(cat "$work/out")"
	# The names' budget: 3 named so far (dynamic, static, business); 200
	# more load; then 60 new ones are past the 255, which `policy check`
	# says as the reload does, without giving them slots: 52 new ones
	# (255 in all) load after it.
	# names FILE PREFIX COUNT: policy.yaml with COUNT more classes.
	names() {
		{ cat "$work/policy.yaml"
		  for k in $(seq 1 "$3"); do
			echo "  $2$k: {action: block, prefixes: [10.$((k / 200)).$((k % 200)).0/24]}"
		  done; } >"$1"
	}
	names "$work/names-200.yaml" n 200
	names "$work/names-60.yaml" m 60
	names "$work/names-52.yaml" k 52
	"$cli" --socket "$work/slots.sock" --timeout 20 policy reload "$work/names-200.yaml" >"$work/out" 2>&1
	want_rc $? 0 "a reload with 200 new names: $(cat "$work/out")"
	"$cli" --socket "$work/slots.sock" --timeout 20 policy check "$work/names-200.yaml" >"$work/out" 2>&1
	want_rc $? 0 "policy check of the running names: $(cat "$work/out")"
	for verb in check reload check; do
		"$cli" --socket "$work/slots.sock" --timeout 20 policy "$verb" "$work/names-60.yaml" >"$work/out" 2>&1
		want_rc $? 1 "policy $verb with 60 names past the budget: $(cat "$work/out")"
		want_re "$work/out" "names-60.yaml: more than 255 class or group names since start \(restart op25b to renumber\)"
	done
	"$cli" --socket "$work/slots.sock" --timeout 20 policy check "$work/names-52.yaml" >"$work/out" 2>&1
	want_rc $? 0 "policy check with the last 52 names: $(cat "$work/out")"
	"$cli" --socket "$work/slots.sock" --timeout 20 policy reload "$work/names-52.yaml" >"$work/out" 2>&1
	want_rc $? 0 "a reload with the last 52 names, after the checks: $(cat "$work/out")"
	kill -TERM "$slots"
	wait "$slots"
else
	problem "op25b did not start:" "$(tail -5 "$work/slots.log")"
fi
report "operator: a reload that fails takes its class names back (no removed classes, no names used up); policy check refuses what the reload refuses (adaptive table, names' budget) and gives no names"
exit $status
