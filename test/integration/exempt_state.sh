#!/usr/bin/env bash
# Exemptions outlive the process: the state file (--state-dir) across
# SIGTERM and SIGKILL, entries that expire while op25b is stopped, state
# files that are cut short or garbage (moved aside, one line, op25b runs),
# exempt import that refuses a file with one bad line whole, exempt export
# -> import between two instances, relative paths from op25b-cli, the
# data path that forwards an exempted source's first SYN after a restart
# (exact frames, exact counters), and a state file op25b cannot read (left
# alone, read once it can be).
# Prints "ok NAME" / "not ok NAME" lines; details follow as "#   " lines.
set -uo pipefail
. "$(dirname "$0")/common.bash"
scenario exst
cleanup_more() {
	chattr -i "$work/state/$scenario_name.exemptions" "$work/state" 2>/dev/null
}

state="$work/state"
file="$state/$name.exemptions"
audit="$work/audit.log"

cat >"$work/policy.yaml" <<'EOF'
version: 1
mode: enforce
block: drop
sources:
  dynamic: {action: block, prefixes: [198.18.0.0/16, 2001:db8:1000::/36]}
destinations:
  isp-relays: {action: allow, prefixes: [192.0.2.25/32]}
EOF
# A running appliance replays this forever (its counters are not checked
# here); the first-packet test has a capture of its own.
cat >"$work/idle.vec" <<'EOF'
policy policy.yaml
v4 expect=blocked class=dynamic src=198.18.6.6 dst=203.0.113.9 dport=25 flags=S
EOF
# The exempted sources first: a restore that came late would block them.
cat >"$work/first.vec" <<'EOF'
policy policy.yaml
exempt-v4 expect=blocked class=dynamic src=198.18.5.9 dst=203.0.113.9 dport=25 flags=S
exempt-v6 expect=blocked class=dynamic src=2001:db8:1000::9 dst=2001:db8:ffff::9 dport=25 flags=S
other-v4 expect=blocked class=dynamic src=198.18.6.6 dst=203.0.113.9 dport=25 flags=S
EOF
for v in idle first; do
	"$build/app/op25b-gen/op25b-gen" vectors "$work/$v.vec" \
		--out "$work/$v.pcap" >/dev/null ||
		{ echo "not ok exempt state: capture $v"; exit 1; }
done

run=0
# start NAME STATE-DIR [RUNNER...]: an appliance on the endless capture,
# its socket in $work/NAME.sock, run by RUNNER when given (setpriv ...),
# its audit log $start_audit when set; waits until it says it is up.
# Output in $log.
start() {
	local n=$1 dir=$2
	shift 2
	run=$((run + 1))
	log="$work/run$run.log"
	"$@" "$op25b" "${eal[@]}" --file-prefix "$n-$run" \
		--vdev "net_pcap0,rx_pcap=$work/idle.pcap,infinite_rx=1,tx_pcap=/dev/null" \
		--vdev net_null1,no-rx=1 -- --policy "$work/policy.yaml" \
		--name "$n" --status-interval 0 --cli-socket "$work/$n.sock" \
		--audit-log "${start_audit:-$audit}" --state-dir "$dir" >"$log" 2>&1 &
	pid=$!
	pids+=("$pid")
	wait_until 10 "$pid" grep -q "op25b: commands:" "$log" && return 0
	problem "op25b did not start:" "$(tail -20 "$log")"
	return 1
}
# c [-n NAME] ARGS...: one-shot op25b-cli; output in $work/out, status $rc.
c() {
	local n=$name
	if [ "$1" = -n ]; then
		n=$2
		shift 2
	fi
	"$cli" --socket "$work/$n.sock" --timeout 20 "$@" >"$work/out" 2>&1
	rc=$?
}
# list FILE [NAME]: exempt list json into FILE, with the time it was taken
# as the first line.
list() {
	local t
	t=$(date +%s.%N)
	c ${2:+-n "$2"} exempt list json
	want_rc "$rc" 0 "exempt list json: status"
	{ echo "$t"; cat "$work/out"; } >"$1"
}
# same_list A B: the same exemptions, and the same expiry (taken time +
# time left) within a second.
same_list='
import json, sys
def load(path):
    with open(path) as f:
        t = float(f.readline())
        return t, json.load(f)
ta, a = load(sys.argv[1])
tb, b = load(sys.argv[2])
bad = []
key = lambda e: (e["prefix"], e["ttl"], e["granted"], e["uid"], e["reason"])
if [key(e) for e in a] != [key(e) for e in b]:
    bad.append("lists differ:\n  %s\n  %s" % (a, b))
for x, y in zip(a, b):
    if (x["seconds_left"] == 0) != (y["seconds_left"] == 0):
        bad.append("%s: never vs expiring" % x["prefix"])
    elif x["seconds_left"] and abs((ta + x["seconds_left"]) - (tb + y["seconds_left"])) > 1.0:
        bad.append("%s: %d s left at %.1f, %d s left at %.1f" % (x["prefix"],
                   x["seconds_left"], ta, y["seconds_left"], tb))
if len(sys.argv) > 3 and len(a) != int(sys.argv[3]):
    bad.append("%d exemptions, want %s" % (len(a), sys.argv[3]))
print("\n".join(bad))
sys.exit(1 if bad else 0)
'
# stop SIGNAL: stop the appliance started last; want status 0 for TERM.
stop() {
	stop_process "$pid" "$1" 10
	if [ "$1" = TERM ]; then
		want_rc "$rc" 0 "exit status after SIGTERM"
	fi
}
# entries FILE: the exemption lines of a state file.
entries() {
	grep -vc '^#' "$1"
}

# --- SIGTERM ---------------------------------------------------------------
if ! start "$name" "$state"; then
	report "exempt state: op25b starts with --state-dir, creating it"
	exit 1
fi
want_has "$log" "exemptions kept in $file"
[ -d "$state" ] || problem "--state-dir was not created"
[ -e "$file" ] && problem "a state file before any exemption"
report "exempt state: op25b starts with --state-dir, creating it"

c exempt add 198.18.5.9 ttl 1h reason own MX \"mail.example\" \\ 100%
want_rc "$rc" 0 "exempt add: status"
c exempt add 2001:db8:1000::/48 ttl 30d reason v6 customer
c exempt add 198.18.7.0/24 reason until further notice
want_rc "$rc" 0 "exempt add (no ttl): status"
[ -f "$file" ] || problem "no state file after exempt add"
[ "$(entries "$file")" = 3 ] || problem "state file: $(entries "$file") entries, want 3"
[ "$(stat -c %a "$file")" = 640 ] || problem "state file mode $(stat -c %a "$file"), want 640"
want_re "$file" '^198\.18\.5\.9/32 20[0-9-]+T[0-9:.]+Z 20[0-9-]+T[0-9:.]+Z 0 3600 "own MX \\"mail\.example\\" \\\\ 100%"$'
want_re "$file" '^198\.18\.7\.0/24 never 20[0-9-]+T[0-9:.]+Z 0 0 "until further notice"$'
ls "$state" | grep -q '\.tmp$' && problem "a temporary file left in the state dir"
list "$work/before"
cp "$file" "$work/file.before"
stop TERM
want_has "$work/file.before" "own MX"
cmp -s "$file" "$work/file.before" || problem "SIGTERM rewrote the state file"
sleep 1.2
start "$name" "$state"
want_has "$log" "op25b: 3 exemptions restored from $file (0 expired while op25b was stopped)"
list "$work/after"
py_check "$same_list" "$work/before" "$work/after" 3
want_re "$audit" "instance=$name restore file=$file exemptions=3 expired=0$"
report "exempt state: after SIGTERM and a restart, the same list and the same time left"

# --- SIGKILL at once after the answer --------------------------------------
c exempt add 198.18.9.9 ttl 2h reason kill test
want_rc "$rc" 0 "exempt add: status"
kill -KILL "$pid"
wait "$pid" 2>/dev/null
start "$name" "$state"
want_has "$log" "op25b: 4 exemptions restored from $file"
list "$work/killed"
py_check '
import json, sys
with open(sys.argv[1]) as f:
    f.readline()
    l = json.load(f)
e = [x for x in l if x["prefix"] == "198.18.9.9/32"]
if not e or e[0]["ttl"] != 7200 or not 7190 <= e[0]["seconds_left"] <= 7200 or e[0]["reason"] != "kill test":
    print("198.18.9.9/32 after SIGKILL:", e)
    sys.exit(1)
' "$work/killed"
c exempt del 198.18.9.9
want_rc "$rc" 0 "exempt del: status"
list "$work/deleted"
py_check "$same_list" "$work/after" "$work/deleted" 3
report "exempt state: an exemption added just before SIGKILL is there after the restart"

# --- expired while stopped -------------------------------------------------
c exempt add 198.18.8.8 ttl 1 reason short
want_rc "$rc" 0 "exempt add ttl 1: status"
stop TERM
grep -q '^198\.18\.8\.8/32 ' "$file" || problem "the state file lost 198.18.8.8 at SIGTERM"
sleep 1.2
start "$name" "$state"
want_has "$log" "op25b: 3 exemptions restored from $file (1 expired while op25b was stopped)"
want_re "$log" '^op25b: exemption 198\.18\.8\.8/32 expired at 20[0-9-]+T[0-9:]+Z, while op25b was stopped$'
want_re "$audit" "instance=$name expire prefix=198\.18\.8\.8/32 ttl=1s uid=[0-9]+ reason=\"short\" expired=20[0-9-]+T[0-9:]+Z while=stopped$"
grep -q '^198\.18\.8\.8/32 ' "$file" && problem "198.18.8.8 still in the state file"
[ "$(entries "$file")" = 3 ] || problem "state file: $(entries "$file") entries, want 3"
list "$work/expired"
py_check "$same_list" "$work/after" "$work/expired" 3
report "exempt state: an exemption that expired while op25b was stopped is gone, audited"

# --- expiry while running is written too -------------------------------------
c exempt add 198.18.8.9 ttl 1
expired() { ! grep -q '^198\.18\.8\.9/32 ' "$file"; }
wait_until 5 - expired
grep -q '^198\.18\.8\.9/32 ' "$file" && problem "198.18.8.9 still in the state file 5 s after it expired"
want_re "$audit" "instance=$name expire prefix=198\.18\.8\.9/32 ttl=1s"
report "exempt state: an expiry while running rewrites the state file"

# --- import: one bad line changes nothing ----------------------------------
cp "$file" "$work/file.before"
list "$work/before"
cat >"$work/bad.exemptions" <<'EOF'
# two good lines, then a bad one
198.18.30.0/24 never 2026-12-01T00:00:00Z 0 0 "good"
2001:db8:1000:30::/64 never 2026-12-01T00:00:00Z 0 0 "good"
198.18.31.0/24 never 2026-12-01T00:00:00Z root 0 "bad uid"
EOF
grep -c '' "$audit" >"$work/audit.lines"
for mode in "" replace merge; do
	(cd "$work" && "$cli" --socket "$work/$name.sock" exempt import bad.exemptions $mode) \
		>"$work/out" 2>&1
	want_rc $? 1 "import ${mode:-(no mode)}: status"
	want_lines "$work/out" 1
	want_has "$work/out" "exempt import $work/bad.exemptions:4: bad uid 'root': expected 0..4294967295; nothing changed"
done
c exempt import "$work/missing.exemptions"
want_rc "$rc" 1 "import of a missing file: status"
want_has "$work/out" "exempt import $work/missing.exemptions: No such file or directory; nothing changed"
c exempt import /dev/zero
want_rc "$rc" 1 "import /dev/zero: status"
want_has "$work/out" "exempt import /dev/zero: not a regular file; nothing changed"
list "$work/after"
py_check "$same_list" "$work/before" "$work/after" 3
cmp -s "$file" "$work/file.before" || problem "a refused import changed the state file"
[ "$(grep -c '' "$audit")" = "$(cat "$work/audit.lines")" ] || problem "a refused import was audited as a change"
report "exempt state: exempt import of a file with one bad line changes nothing, names file:line"

# A file with an IPv4-mapped address: refused whole, as exempt add
# refuses one, with the IPv4 prefix meant; force does not take it.
printf '%s\n' '198.18.32.0/24 never 2026-12-01T00:00:00Z 0 0 "good"' \
	'::ffff:198.18.6.0/120 never 2026-12-01T00:00:00Z 0 0 "mapped"' >"$work/mapped.exemptions"
for mode in "" "replace force"; do
	c exempt import "$work/mapped.exemptions" $mode
	want_rc "$rc" 1 "import of an IPv4-mapped prefix (${mode:-no mode}): status"
	want_has "$work/out" "exempt import $work/mapped.exemptions: ::ffff:198.18.6.0/120: an IPv4-mapped address is the source of no packet (IPv4 ones are looked up as IPv4): exempt 198.18.6.0/24; nothing changed"
done
list "$work/after"
py_check "$same_list" "$work/before" "$work/after" 3
cmp -s "$file" "$work/file.before" || problem "a refused import of a mapped prefix changed the state file"
report "exempt state: exempt import of an IPv4-mapped prefix changes nothing, names the IPv4 one"

# A file that exempts every source of a family (0.0.0.0/0 or ::/0):
# refused as exempt add refuses it, unless the command says force.
printf '%s\n' '198.18.32.0/24 never 2026-12-01T00:00:00Z 0 0 "good"' \
	'::/0 never 2026-12-01T00:00:00Z 0 0 "every IPv6 source"' >"$work/all.exemptions"
for mode in "" replace merge; do
	c exempt import "$work/all.exemptions" $mode
	want_rc "$rc" 1 "import of ::/0 without force (${mode:-no mode}): status"
	want_has "$work/out" "exempt import $work/all.exemptions: ::/0 exempts every IPv6 source, which turns OP25B off: add force if that is meant; nothing changed"
done
list "$work/after"
py_check "$same_list" "$work/before" "$work/after" 3
cmp -s "$file" "$work/file.before" || problem "a refused import of ::/0 changed the state file"
c exempt import "$work/all.exemptions" force
want_rc "$rc" 0 "import of ::/0 with force: status ($(cat "$work/out"))"
grep -q '^::/0 never ' "$file" || problem "::/0 imported with force is not in the state file"
c exempt del ::/0
c exempt del 198.18.32.0/24
list "$work/after"
py_check "$same_list" "$work/before" "$work/after" 3
# A replace by a file with no exemption (empty, or all expired) would
# delete every one: refused without force too; merge adds nothing.
: >"$work/none.exemptions"
c exempt import "$work/none.exemptions" replace
want_rc "$rc" 1 "replace by an empty file without force: status"
want_has "$work/out" "exempt import $work/none.exemptions replace: the file holds no exemption in force, so replacing would delete all 3: add force if that is meant; nothing changed"
c exempt import "$work/none.exemptions" merge
want_rc "$rc" 0 "merge of an empty file: status"
list "$work/after"
py_check "$same_list" "$work/before" "$work/after" 3
cmp -s "$file" "$work/file.before" || problem "a refused replace by an empty file changed the state file"
report "exempt state: exempt import of 0.0.0.0/0 or ::/0, or a replace by a file of none, only with force"

# A relative path that op25b-cli did not make absolute (a raw session): refused.
raw_batch "$work/$name.sock" "exempt export x.exemptions" \
	"exempt import x.exemptions" >"$work/out" 2>&1
want_has "$work/out" "exempt export x.exemptions: a relative path, and op25b does not run in your directory: give an absolute path (op25b-cli COMMAND from a shell makes one absolute; its prompt does not)"
want_has "$work/out" "exempt import x.exemptions: a relative path"
want_has "$work/out" "<RS>1"
report "exempt state: a relative FILE on the socket is refused, not taken from op25b's directory"

# The state file itself, in another spelling, and its temporary file:
# refused, the file as it was (an export there wrote over exemptions op25b
# keeps, perhaps a file it could not read).
cp "$file" "$work/file.before"
for target in "$state/../$(basename "$state")/$name.exemptions" "$file.tmp"; do
	c exempt export "$target"
	want_rc "$rc" 1 "export to the state file ($target): status"
	want_has "$work/out" "exempt export $target: that is op25b's state file (or its temporary file), which op25b keeps itself: export to another file"
done
cmp -s "$file" "$work/file.before" || problem "a refused export changed the state file"
[ ! -e "$file.tmp" ] || problem "a refused export left $file.tmp"
report "exempt state: exempt export to the state file (another spelling of it, or its .tmp) is refused, the file unchanged"

# --- export -> import on a second instance ------------------------------------
c exempt export
want_rc "$rc" 0 "export: status"
cp "$work/out" "$work/export.out"
(cd "$work" && "$cli" --socket "$work/$name.sock" exempt export export.exemptions) >"$work/out" 2>&1
want_rc $? 0 "export FILE (relative): status"
want_has "$work/out" "exempt export $work/export.exemptions: 3 exemptions written"
cmp -s "$work/export.out" "$work/export.exemptions" || problem "export FILE differs from export"
cmp -s "$work/export.out" "$file" || problem "export differs from the state file"
# FILE.tmp already there is someone's, not a crash's: left alone.
printf 'not ours\n' >"$work/mine.exemptions.tmp"
c exempt export "$work/mine.exemptions"
want_rc "$rc" 1 "export beside someone's FILE.tmp: status"
want_has "$work/out" "exempt export $work/mine.exemptions: $work/mine.exemptions.tmp exists (the export is written there first, then renamed): remove it or export elsewhere"
[ "$(cat "$work/mine.exemptions.tmp")" = "not ours" ] || problem "export replaced someone's FILE.tmp"
[ ! -e "$work/mine.exemptions" ] || problem "export beside someone's FILE.tmp wrote FILE"
rm -f "$work/mine.exemptions.tmp"
report "exempt state: exempt export FILE leaves a FILE.tmp that is already there alone, and says so"
list "$work/a.list"
pid_a=$pid
start "$name-b" "$work/state-b"
c -n "$name-b" exempt add 198.18.40.0/24 reason only on b
c -n "$name-b" exempt import "$work/export.exemptions" merge
want_rc "$rc" 0 "import merge: status"
want_has "$work/out" "(merge): 3 added, 0 replaced, 0 deleted, 0 unchanged, 0 already expired; 4 exemptions"
c -n "$name-b" exempt import "$work/export.exemptions" replace
want_rc "$rc" 0 "import replace: status"
want_has "$work/out" "(replace): 0 added, 0 replaced, 1 deleted, 3 unchanged, 0 already expired; 3 exemptions"
list "$work/b.list" "$name-b"
py_check "$same_list" "$work/a.list" "$work/b.list" 3
c -n "$name-b" exempt export
cmp -s "$work/export.out" "$work/out" || problem "instance b exports something else:" "$(diff "$work/export.out" "$work/out")"
cmp -s "$work/export.out" "$work/state-b/$name-b.exemptions" || problem "instance b's state file differs"
want_re "$audit" "instance=$name-b import-add prefix=198\.18\.5\.9/32 ttl=1h uid=[0-9]+ granted_by=[0-9]+ reason="
want_re "$audit" "instance=$name-b import-del prefix=198\.18\.40\.0/24 "
want_re "$audit" "instance=$name-b import file=$work/export.exemptions mode=replace uid=[0-9]+ entries=3 added=0 replaced=0 deleted=1 expired=0$"
stop TERM
pid=$pid_a
report "exempt state: export -> import on a second instance gives the same list, byte for byte"

# --- state files that cannot be read ----------------------------------------
stop TERM
cp "$file" "$work/good.exemptions"
# Cut inside its last exemption: the end line and 7 bytes before it gone.
head -n -1 "$work/good.exemptions" | head -c -7 >"$file"
cp "$file" "$work/cut.exemptions"
start "$name" "$state"
grep -E "^op25b: $file:4: the last line has no newline: the file is cut short; moved aside to $file\.corrupt-[0-9]{8}T[0-9]{6}Z, starting without its exemptions$" \
	"$log" >/dev/null || problem "no line saying the file is cut short:" "$(cat "$log")"
[ "$(grep -c "$name.exemptions" "$log")" = 2 ] || problem "more than one line about the file" # + the "kept in" line
[ -e "$file" ] && problem "the cut file is still in place"
aside=$(ls "$state" | grep -E "^$name\.exemptions\.corrupt-" | head -1)
cmp -s "$state/$aside" "$work/cut.exemptions" || problem "the moved file is not the cut file"
c exempt list
want_has "$work/out" "no exemptions"
want_re "$audit" "instance=$name state-unreadable file=$file line=4 error=\"the last line has no newline: the file is cut short\" moved=$state/$aside$"
report "exempt state: a state file cut short is moved aside with one line, op25b runs without it"

printf '\177ELF\002\001\001\000\000garbage' >"$file"
cp "$file" "$work/garbage.exemptions"
stop TERM
start "$name" "$state"
grep -E "^op25b: $file:1: a NUL byte: not an exemptions file; moved aside to $file\.corrupt-[0-9]{8}T[0-9]{6}Z(\.[0-9]+)?, starting without its exemptions$" \
	"$log" >/dev/null || problem "no line saying the file is garbage:" "$(cat "$log")"
n_aside=$(ls "$state" | grep -cE "^$name\.exemptions\.corrupt-")
[ "$n_aside" = 2 ] || problem "$n_aside files moved aside, want 2 (none replaced)"
found=0
for f in "$state/$name".exemptions.corrupt-*; do
	cmp -s "$f" "$work/garbage.exemptions" && found=1
done
[ $found = 1 ] || problem "the garbage file was not kept"
c show version
want_rc "$rc" 0 "op25b answers"
c exempt add 198.18.5.9 ttl 1h
want_rc "$rc" 0 "exempt add after a corrupt file: status"
[ "$(entries "$file")" = 1 ] || problem "a new state file with 1 entry, got $(entries "$file" 2>&1)"
# The audit trail names customers: 0640 at most, whatever the umask.
[ $((8#$(stat -c %a "$audit") & 8#137)) = 0 ] ||
	problem "the audit log is mode $(stat -c %a "$audit"), want 640 at most"
report "exempt state: a garbage state file is moved aside (an earlier one kept), op25b runs and writes a new one"

# A file put at the state path while op25b runs (a moved-aside copy put
# back, a backup restored): never written over. Changes fail saying what
# to do until it is imported (then it is read: op25b writes it, with the
# registry's exemptions and its own) or moved away; so does a file
# changed in place (its time).
cp "$file" "$work/put.exemptions"
# Added to by hand after its end line, as op25b reads it at start: the
# import of the state file itself takes it as it reads, and says so.
echo '198.18.5.30/32 never 2026-12-01T00:00:00.000Z 0 0 "by hand"' >>"$work/put.exemptions"
c exempt add 198.18.5.20 ttl 1h
want_rc "$rc" 0 "exempt add 198.18.5.20: status"
cp "$work/put.exemptions" "$work/put.copy"
mv "$work/put.exemptions" "$file"
for cmd in "add 198.18.5.21/32" "del 198.18.5.20/32"; do
	c exempt $cmd
	want_rc "$rc" 1 "exempt $cmd over a file put there: status"
	want_has "$work/out" "exempt $cmd: state file $file was put there since op25b last wrote it: exempt import it (merge), or move it away; nothing changed"
done
cmp -s "$file" "$work/put.copy" || problem "the file put there was written over"
c exempt import "$file" merge
want_rc "$rc" 0 "exempt import of the file put there: status ($(cat "$work/out"))"
want_has "$log" "op25b: $file:4: a line after the end line (line 3); its 2 exemptions imported as they are"
c exempt add 198.18.5.21 ttl 1h
want_rc "$rc" 0 "exempt add once the file is imported: status"
[ "$(entries "$file")" = 4 ] || problem "the state file should hold 4 entries, got $(entries "$file" 2>&1)"
touch -d '1 hour ago' "$file"
c exempt del 198.18.5.21
want_rc "$rc" 1 "exempt del over a file changed in place: status"
want_has "$work/out" "was put there since op25b last wrote it"
mv "$file" "$work/moved.exemptions"
c exempt del 198.18.5.21
want_rc "$rc" 0 "exempt del once the file is moved away: status"
[ "$(entries "$file")" = 3 ] || problem "the state file should hold 3 entries, got $(entries "$file" 2>&1)"
c exempt del 198.18.5.20
want_rc "$rc" 0 "exempt del 198.18.5.20: status"
c exempt del 198.18.5.30
want_rc "$rc" 0 "exempt del 198.18.5.30: status"
report "exempt state: a file put at the state path (or changed there) while op25b runs is never written over: changes wait for exempt import or its move"

# The file deleted (or moved away) while op25b runs, nothing changed after:
# written again within a second, said and audited, so that a stop then a
# start still has every exemption. Another file put there and left at the
# stop: not written over (the next start reads it), the exemptions in
# force written beside it for an import to bring back.
cp "$file" "$work/before-40.exemptions"
c exempt add 198.18.5.40 ttl 1h
want_rc "$rc" 0 "exempt add 198.18.5.40: status"
rm "$file"
wait_for "$log" "op25b: $file: gone since op25b wrote it: writing it again" \
	"$pid" || problem "no word of the deleted state file:" "$(tail -5 "$log")"
wait_until 5 "$pid" grep -q '^198\.18\.5\.40/32 ' "$file" ||
	problem "the deleted state file was not written again"
want_has "$log" "op25b: $file: written again"
want_re "$audit" "instance=$name state-lost file=$file why=gone$"
list "$work/before-stop.json"
stop TERM
start "$name" "$state"
list "$work/after-start.json"
out=$(/usr/bin/python3 -c "$same_list" "$work/before-stop.json" "$work/after-start.json") ||
	problem "exemptions after a deleted state file and a restart:" "$out"
grep -q '198.18.5.40/32' "$work/after-start.json" ||
	problem "198.18.5.40 lost across the restart"
mv "$work/before-40.exemptions" "$file"
wait_for "$log" "op25b: $file was put there since op25b last wrote it: exempt import it (merge), or move it away; op25b writes its own there once it is gone" \
	"$pid" || problem "no word of the file put there:" "$(tail -5 "$log")"
want_re "$audit" "instance=$name state-lost file=$file why=replaced$"
stop TERM
grep -q '198\.18\.5\.40/32' "$file" && problem "the file put there was written over at stop"
aside=$(ls "$state" | grep -E "^$name\.exemptions\.at-stop-[0-9]{8}T[0-9]{6}Z$")
[ -n "$aside" ] && grep -q '^198\.18\.5\.40/32 ' "$state/$aside" ||
	problem "no copy of the exemptions in force beside the file put there: $(ls "$state")"
want_has "$log" "op25b: $file: not written at stop: a file op25b did not read is there, left as it is (the next start reads it); the 2 exemptions in force are in $state/$aside (exempt import it merge)"
want_re "$audit" "instance=$name state-kept file=$file kept=$state/$aside exemptions=2$"
start "$name" "$state"
c exempt import "$state/$aside" merge
want_rc "$rc" 0 "exempt import of the copy made at stop: status ($(cat "$work/out"))"
c exempt list
want_has "$work/out" "198.18.5.40/32"
c exempt del 198.18.5.40
want_rc "$rc" 0 "exempt del 198.18.5.40: status"
rm -f "$state/$aside"
report "exempt state: a state file deleted while op25b runs is written again; one put there and left at the stop is kept, with the exemptions in force beside it"

# Cut at a line's end (here its end line gone): every line whole, but the
# first line promised a count at the end. Moved aside, the file would take
# every exemption with it: what it holds is restored, and said (log and
# audit). The same for a line added by hand after the end line.
stop TERM
grep -q '^# end: 1 exemptions$' "$file" || problem "no end line in the state file: $(cat "$file")"
head -n -1 "$file" >"$work/cut-at-end.exemptions"
cp "$work/cut-at-end.exemptions" "$file"
start "$name" "$state"
want_has "$log" "op25b: $file:2: no end line ('# end: N exemptions', which the first line promises): the file is cut short; its 1 exemptions restored as they are"
want_re "$audit" "instance=$name state-count file=$file line=2 error=\"no end line \('# end: N exemptions', which the first line promises\): the file is cut short\" exemptions=1$"
c exempt list
want_has "$work/out" "198.18.5.9/32"
n_aside=$(ls "$state" | grep -cE "^$name\.exemptions\.corrupt-")
[ "$n_aside" = 2 ] || problem "$n_aside files moved aside, want 2 (this one kept)"
stop TERM
{ cat "$work/cut-at-end.exemptions"; echo "# end: 1 exemptions"
  echo "198.18.5.77/32 never 2026-12-01T00:00:00.000Z 0 0 \"added by hand\""; } >"$file"
start "$name" "$state"
want_has "$log" "op25b: $file:4: a line after the end line (line 3); its 2 exemptions restored as they are"
c exempt list
want_has "$work/out" "198.18.5.77/32"
report "exempt state: a state file cut at a line's end (its count gone) or added to by hand is restored as it reads, and said so"

# A file that can be neither read nor moved aside (immutable): op25b runs,
# and never writes over it; changes fail until it is moved.
if chattr +i "$file" 2>/dev/null; then
	stop TERM
	chattr -i "$file"
	printf 'garbage\n' >"$file"
	chattr +i "$file"
	start "$name" "$state"
	want_has "$log" "op25b: $file:1: no expiry: expected PREFIX EXPIRES GRANTED UID TTL \"REASON\"; could not move it aside (Operation not permitted): it is not written over, exemption changes fail until it is moved"
	c exempt add 198.18.5.10
	want_rc "$rc" 1 "exempt add over an unread file: status"
	want_has "$work/out" "exempt add 198.18.5.10/32: state file $file could not be read nor moved aside: move it away; nothing changed"
	c exempt list
	want_has "$work/out" "no exemptions"
	[ "$(cat "$file")" = garbage ] || problem "the unread file was written over"
	chattr -i "$file"
	c exempt add 198.18.5.10
	want_rc "$rc" 0 "exempt add once it can be moved: status"
	[ "$(entries "$file")" = 1 ] || problem "a new state file with 1 entry, got $(entries "$file" 2>&1)"
	grep -lx garbage "$state/$name".exemptions.corrupt-* >/dev/null ||
		problem "the unread file was not moved aside at the next change"
	want_re "$audit" "instance=$name state-moved file=$file moved=$file\.corrupt-"
	report "exempt state: a state file that cannot be moved aside is never written over"

	# A directory that refuses the new file (as a full disk would):
	# the change is undone and refused.
	cp "$file" "$work/file.before"
	c exempt add 198.18.5.12 ttl 2 reason expires while refused
	want_rc "$rc" 0 "exempt add ttl 2: status"
	chattr +i "$state"
	c exempt add 198.18.5.11 ttl 1h
	want_rc "$rc" 1 "exempt add, state dir refusing: status"
	want_has "$work/out" "exempt add 198.18.5.11/32: state file $file: Operation not permitted; nothing changed"
	c exempt add 198.18.5.10 ttl 1h
	want_rc "$rc" 1 "exempt add (renewal), state dir refusing: status"
	c exempt del 198.18.5.10
	want_rc "$rc" 1 "exempt del, state dir refusing: status"
	want_has "$work/out" "exempt del 198.18.5.10/32: state file $file: Operation not permitted; nothing changed"
	# An expiry the file cannot take is said, though a refused change
	# said the failure before (it was silent then).
	wait_until 6 "$pid" grep -q "exemption 198.18.5.12/32 expired" "$log" ||
		problem "198.18.5.12 did not expire"
	wait_until 3 "$pid" grep -q "$file: Operation not permitted (retrying)" "$log" ||
		problem "the expiry's failed rewrite was not said"
	chattr -i "$state"
	wait_until 3 "$pid" grep -q "$file: written again" "$log" ||
		problem "the state file was not written again"
	c exempt list
	want_re "$work/out" '^198\.18\.5\.10/32 +never '
	want_lines "$work/out" 2
	c explain 198.18.5.11 203.0.113.9
	want_has "$work/out" "verdict:     block"
	cmp -s "$file" "$work/file.before" || problem "the state file changed"
	report "exempt state: a change the state file cannot take is undone and refused"

	# A rewrite still refused when op25b stops (an expiry's): tried
	# once more at the stop, and said, not left to the next start.
	c exempt add 198.18.5.13 ttl 1
	want_rc "$rc" 0 "exempt add ttl 1: status"
	chattr +i "$state"
	wait_until 5 "$pid" grep -q "exemption 198.18.5.13/32 expired" "$log" ||
		problem "198.18.5.13 did not expire"
	stop TERM
	chattr -i "$state"
	want_has "$log" "op25b: $file: not written at stop: Operation not permitted"
	grep -q "^198\.18\.5\.13/32 " "$file" ||
		problem "the refused file should still hold 198.18.5.13"
	start "$name" "$state"
	report "exempt state: a rewrite the state file still refuses at the stop is tried then, and said"
else
	echo "ok exempt state: a state file that cannot be moved aside is never written over # SKIP no chattr"
fi

# A state dir that cannot be used: one line, op25b refuses to start.
stop TERM
: >"$work/not-a-dir"
"$op25b" "${eal[@]}" --file-prefix "$name-nd" --vdev net_null0 --vdev net_null1 -- \
	--policy "$work/policy.yaml" --name "$name" --cli-socket none \
	--audit-log "$audit" --state-dir "$work/not-a-dir/x" >"$work/nd.log" 2>&1
want_rc $? 1 "op25b with an unusable --state-dir: status"
want_has "$work/nd.log" "op25b: --state-dir $work/not-a-dir/x: Not a directory (exemptions are kept there across restarts: give a directory op25b can write)"
report "exempt state: an unusable --state-dir stops op25b with one line"

# --- the data path on the first packet ---------------------------------------
rm -rf "$work/state-first"
mkdir "$work/state-first"
cat >"$work/state-first/$name.exemptions" <<'EOF'
198.18.5.9/32 never 2026-12-01T00:00:00Z 0 0 "restored"
2001:db8:1000::/48 2999-01-01T00:00:00Z 2026-12-01T00:00:00Z 0 0 "restored v6"
EOF
timeout 60 "$op25b" "${eal[@]}" --file-prefix "$name-first" \
	--vdev "net_pcap0,rx_pcap=$work/first.pcap,tx_pcap=$work/first-replies.pcap" \
	--vdev "net_pcap1,tx_pcap=$work/first-out.pcap" -- \
	--policy "$work/policy.yaml" --name "$name" --cli-socket none \
	--audit-log "$audit" --state-dir "$work/state-first" \
	--stop-after-idle 500 --status-interval 0 \
	--stats-json "$work/first.json" >"$work/first.log" 2>&1
want_rc $? 0 "op25b on the capture: status"
want_has "$work/first.log" "op25b: 2 exemptions restored from $work/state-first/$name.exemptions"
py_check '
import json, sys
from pcapfile import frames
src = frames(sys.argv[1])
out = frames(sys.argv[2])
p = json.load(open(sys.argv[3]))["packets"]
bad = []
if out != src[:2]:
    bad.append("upstream got %d frames, want the 2 exempted SYNs byte for byte" % len(out))
want = {"exempted": 2, "blocked": 1, "forwarded": 0, "counted": 0, "reset": 0}
got = {k: p.get(k) for k in want}
if got != want:
    bad.append("counters %s, want %s" % (got, want))
print("\n".join(bad))
sys.exit(1 if bad else 0)
' "$work/first.pcap" "$work/first-out.pcap" "$work/first.json"
report "exempt state: restored exemptions are in force on the first packet (exact frames and counters)"

# A state file op25b cannot read (root's, 0600, op25b run as nobody): it
# runs, says why, moves nothing aside and writes nothing over; changes
# fail; once the file can be read (chown) its exemptions come into force
# within a couple of seconds.
nb="$work/nobody"
mkdir -p "$nb/state"
# The socket's directory writable by op25b (nobody); the test's own.
chmod 1777 "$work"
chown -R 65534:65534 "$nb"
printf '198.18.5.9 never 2026-12-01T00:00:00Z 0 0 "kept"\n' >"$nb/state/$name-nb.exemptions"
chmod 600 "$nb/state/$name-nb.exemptions"
cp "$nb/state/$name-nb.exemptions" "$work/nb-before.exemptions"
if start_audit="$nb/audit.log" start "$name-nb" "$nb/state" \
	setpriv --reuid=65534 --regid=65534 --clear-groups; then
	want_has "$log" "op25b: $nb/state/$name-nb.exemptions: Permission denied: its exemptions are not in force until it can be read (tried again every second); not moved, not written over"
	c -n "$name-nb" exempt add 198.18.6.6
	want_rc "$rc" 1 "exempt add while the file cannot be read: status"
	want_has "$work/out" "state file $nb/state/$name-nb.exemptions cannot be read (Permission denied): fix it first"
	cmp -s "$nb/state/$name-nb.exemptions" "$work/nb-before.exemptions" ||
		problem "the unreadable file was changed"
	[ -z "$(ls "$nb/state" | grep corrupt)" ] || problem "the unreadable file was moved aside"
	chown 65534:65534 "$nb/state/$name-nb.exemptions"
	wait_until 10 "$pid" grep -q "op25b: $nb/state/$name-nb.exemptions: read" "$log" ||
		problem "the file was not read once it could be"
	c -n "$name-nb" exempt list
	want_has "$work/out" "198.18.5.9/32"
	c -n "$name-nb" exempt add 198.18.6.6
	want_rc "$rc" 0 "exempt add once the file is read: status"
	[ "$(entries "$nb/state/$name-nb.exemptions")" = 2 ] ||
		problem "the state file holds $(entries "$nb/state/$name-nb.exemptions" 2>&1) entries, want 2"
	stop TERM
fi
report "exempt state: a state file that cannot be read is left alone, changes wait, and it is read once it can be"

# --- an empty state file ------------------------------------------------------
# op25b never writes one (its first line and end line are there with no
# exemptions too): an empty file was cut or emptied from outside, and is
# refused as a cut one is, loudly, not read as no exemptions.
mkdir -p "$work/empty-state"
: >"$work/empty-state/$name-empty.exemptions"
if start "$name-empty" "$work/empty-state"; then
	want_has "$log" "op25b: $work/empty-state/$name-empty.exemptions: the file is empty: cut short or emptied (op25b writes its first line and an end line even with no exemptions); moved aside to"
	want_has "$audit" "state-unreadable file=$work/empty-state/$name-empty.exemptions line=0 error=\"the file is empty"
	c -n "$name-empty" exempt add 198.18.5.9
	want_rc "$rc" 0 "exempt add after the empty file: status"
	[ "$(entries "$work/empty-state/$name-empty.exemptions")" = 1 ] ||
		problem "the new state file holds $(entries "$work/empty-state/$name-empty.exemptions" 2>&1) entries, want 1"
	stop TERM
fi
report "exempt state: an empty state file is refused and moved aside, said and audited"

# --- an audit log that cannot be written --------------------------------------
# /dev/full refuses every write (ENOSPC): the change is made, and its
# audit line goes to stderr whole rather than nowhere.
if start_audit=/dev/full start "$name-full" "$work/full-state"; then
	c -n "$name-full" exempt add 198.18.1.2 reason "disk full"
	want_rc "$rc" 0 "exempt add with the audit log full: status"
	want_re "$log" "^op25b: audit log /dev/full: No space left on device; the line not written: [0-9T:-]+Z instance=$name-full add prefix=198\.18\.1\.2/32 .*reason=\"disk full\""
	c -n "$name-full" exempt del 198.18.1.2
	[ "$(grep -c "the line not written: .* del prefix=198.18.1.2/32" "$log")" = 1 ] ||
		problem "the del's audit line is not on stderr:" "$(tail -3 "$log")"
	stop TERM
fi
report "exempt state: an audit log that cannot be written: the change is made, its line goes to stderr"

exit $status
