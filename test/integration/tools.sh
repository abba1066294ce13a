#!/usr/bin/env bash
# The operator's tools and the appliance's error paths: op25b-policy check,
# explain and replay on good and broken input, op25b --help, and every way
# op25b refuses to start (one clear line on stderr, no shared-memory
# residue), and a policy with warnings that still runs.
# Prints "ok NAME" / "not ok NAME" lines; details follow as "#   " lines.
set -uo pipefail
. "$(dirname "$0")/common.bash"
scenario tools

config="$root/config/op25b.yaml"
enforce="$root/test/vectors/enforce.yaml"

# pos FILE LINE-REGEX TOKEN: "line:column" (1-based) of TOKEN in the first
# line of FILE matching LINE-REGEX, computed from the file as written.
pos() {
	awk -v re="$2" -v tok="$3" \
		'$0 ~ re { c = index($0, tok); if (c) { print NR ":" c; exit } }' "$1"
}

# --- op25b-policy check -----------------------------------------------------
# Expected summary rows computed from the YAML itself (PyYAML), so that the
# check holds whatever prefixes the default policy lists.
"$policy_tool" check "$config" >"$work/check.out" 2>"$work/check.err"
rc=$?
want_rc $rc 0
want_has "$work/check.out" "$config: OK (version 1, mode enforce, block reset, default allow, malformed drop)"
want_has "$work/check.out" "smtp ports: 25   submission ports: 587 465"
# A dry run's operator is told that malformed frames are still dropped:
# monitor with malformed: drop says so, enforce and monitor with forward
# do not.
note="note: the policy's malformed: drop still drops malformed frames in monitor mode (malformed: forward passes them)"
grep -qF "$note" "$work/check.out" && problem "check of an enforce policy: $note"
sed 's/^mode: enforce /mode: monitor /' "$config" >"$work/monitor.yaml"
sed 's/^malformed: drop /malformed: forward/' "$work/monitor.yaml" >"$work/monitor-fwd.yaml"
"$policy_tool" check "$work/monitor.yaml" >"$work/check-mon.out" 2>&1
want_rc $? 0 "check of a monitor policy: status"
want_has "$work/check-mon.out" "$note"
"$policy_tool" check "$work/monitor-fwd.yaml" >"$work/check-fwd.out" 2>&1
want_has "$work/check-fwd.out" "mode monitor, block reset, default allow, malformed forward)"
grep -qF "$note" "$work/check-fwd.out" && problem "check with malformed: forward: $note"
want_re "$work/check.out" '^class +action +prefixes +ipv4 +ipv6 +to$'
want_re "$work/check.out" '^group +action +prefixes +ipv4 +ipv6$'
rows=$("$py" - "$config" <<'EOF'
import ipaddress, sys, yaml
p = yaml.safe_load(open(sys.argv[1]))
def row(name, e, default_action):
    pf = e.get("prefixes", [])
    v4 = sum(1 for x in pf if ipaddress.ip_network(x).version == 4)
    print(f"{name} {e.get('action', default_action)} {len(pf)} {v4} {len(pf) - v4}")
for n, e in p["sources"].items():
    row(n, e, "?")
for n, e in p["destinations"].items():
    row(n, e, "-")
EOF
)
while read -r row_name action n v4 v6; do
	want_re "$work/check.out" "^$row_name +$action +$n +$v4 +$v6( |\$)"
done <<<"$rows"
want_re "$work/check.out" '^mobile-only .* mobile-mx=block$'
# An adaptive class is enforced: no warning about it.
! grep -q adaptive "$work/check.err" ||
	problem "a warning about adaptive:" "$(cat "$work/check.err")"
report "check config/op25b.yaml: exit 0, every class and group with its prefix counts; a monitor policy that drops malformed frames says so"

# Broken policies: exit 1, "FILE:LINE:COLUMN: error: MESSAGE" on stderr with
# the position of the offending token in the file as written.
# check_bad NAME FILE LINE-REGEX TOKEN MESSAGE-FIXED-STRING
check_bad() {
	local name=$1 f=$2 at
	at=$(pos "$f" "$3" "$4")
	"$policy_tool" check "$f" >"$work/$name.out" 2>"$work/$name.err"
	rc=$?
	want_rc $rc 1
	[ -n "$at" ] || problem "test bug: '$4' not found in $f"
	want_has "$work/$name.err" "$f:$at: error: $5"
	want_lines "$work/$name.err" 1
	want_empty "$work/$name.out"
	report "check $name: exit 1, $(basename "$f"):$at: error: $5"
}
bad_policy() { # NAME LINE-REGEX TOKEN MESSAGE-FIXED-STRING; the YAML on stdin
	cat >"$work/$1.yaml"
	check_bad "$1" "$work/$1.yaml" "$2" "$3" "$4"
}

# Every policy error vector (test/vectors/policy/errors.txt, shared with
# test_policy and the fuzzer's seeds): check run from that folder exits 1
# with exactly "FILE:LINE:COLUMN: error: MESSAGE", one line, nothing on
# stdout.
vectors="$root/test/vectors/policy"
while IFS= read -r line; do
	case $line in '#'* | '') continue ;; esac
	vname=${line%%:*}
	rest=${line#*:}
	at=${rest%%: *}
	want="$vname:$at: error: ${rest#*: }"
	(cd "$vectors" && "$policy_tool" check "$vname") >"$work/v.out" 2>"$work/v.err"
	rc=$?
	want_rc $rc 1
	[ "$(cat "$work/v.err")" = "$want" ] ||
		problem "stderr: $(head -c 300 "$work/v.err")" "want:   $want"
	want_empty "$work/v.out"
	report "check vector $vname: exit 1, $vname:$at: error: MESSAGE as listed"
done <"$vectors/errors.txt"

bad_policy missing-prefixes-file 'prefixes_file:' nosuch-pool.txt \
	"cannot read prefixes_file $work/nosuch-pool.txt: No such file or directory" <<'EOF'
version: 1
sources:
  dynamic:
    action: block
    prefixes_file: nosuch-pool.txt
EOF

"$policy_tool" check >"$work/u1.out" 2>"$work/u1.err"
rc1=$?
"$policy_tool" frobnicate "$config" >"$work/u2.out" 2>"$work/u2.err"
rc2=$?
"$policy_tool" >"$work/u3.out" 2>"$work/u3.err"
rc3=$?
want_rc $rc1 2 "check with no FILE: exit status"
want_has "$work/u1.err" "usage: op25b-policy check FILE"
want_rc $rc2 2 "unknown command: exit status"
want_has "$work/u2.err" "op25b-policy: unknown command 'frobnicate'"
want_has "$work/u2.err" "usage: op25b-policy COMMAND ARGS..."
want_rc $rc3 2 "no command: exit status"
want_has "$work/u3.err" "usage: op25b-policy COMMAND ARGS..."
report "check with no FILE, an unknown subcommand, no subcommand: exit 2 with usage"

# Every subcommand's --help: exit 0, its usage and every option on stdout,
# nothing on stderr (replay's used to be a usage error).
for sub in "check|-h, --help" "explain|--json|-h, --help" \
	"replay|--out OUT.pcap|--replies R.pcap|--json|--mbuf-size N|-h, --help"; do
	IFS='|' read -ra want <<<"$sub"
	"$policy_tool" "${want[0]}" --help >"$work/h.out" 2>"$work/h.err"
	want_rc $? 0 "${want[0]} --help: exit status"
	want_has "$work/h.out" "usage: op25b-policy ${want[0]} "
	for opt in "${want[@]:1}"; do
		want_has "$work/h.out" "  $opt "
	done
	want_empty "$work/h.err"
done
report "check, explain and replay --help: exit 0, usage and every option"

# --- op25b-policy explain ---------------------------------------------------
explain() { # NAME ARGS...: run explain, stdout to $work/NAME.out
	local name=$1
	shift
	"$policy_tool" explain "$@" >"$work/$name.out" 2>"$work/$name.err"
	rc=$?
}
p14=$(pos "$config" '^    prefixes: \[198\.18\.0\.0/16' 198.18.0.0/16)

explain x-dyn "$config" 198.18.7.7 203.0.113.9 25
want_rc $rc 0
want_has "$work/x-dyn.out" "flow:        198.18.7.7 -> 203.0.113.9 port 25 (smtp)"
want_has "$work/x-dyn.out" "source:      class dynamic (prefix 198.18.0.0/16, $config:$p14)"
want_has "$work/x-dyn.out" "destination: no group"
want_has "$work/x-dyn.out" "rule:        class.action (dynamic: block)"
want_has "$work/x-dyn.out" "verdict:     block (block: reset -> a SYN is answered with TCP RST)"
want_empty "$work/x-dyn.err"
report "explain dynamic -> outside:25: block, reset, class dynamic 198.18.0.0/16, rule class.action"

# No RST (nor notify's answer) goes to or from a multicast, broadcast or
# loopback address (RFC 1122; reset.c, notify.c, the XDP program): such a
# SYN is dropped, and explain says so rather than promise a reply.
for dst in 224.0.0.25 255.255.255.255 127.0.0.1 ff02::1; do
	src=198.18.7.7
	case $dst in *:*) src=2001:db8:1000::7 ;; esac
	explain x-group "$config" "$src" "$dst" 25
	want_rc $rc 0
	want_has "$work/x-group.out" "verdict:     block (block: reset -> dropped without a RST: none goes to or from a multicast, broadcast, unspecified or loopback address (RFC 1122))"
done
{ sed 's/^block: reset /block: notify /' "$config"; echo 'notice: "see example.net/op25b"'; } >"$work/notify.yaml"
grep -q '^block: notify ' "$work/notify.yaml" || problem "no block: reset line in $config"
explain x-group "$work/notify.yaml" 198.18.7.7 224.0.0.25 25
want_has "$work/x-group.out" "verdict:     block (block: notify -> dropped without an answer: none goes to or from a multicast, broadcast, unspecified or loopback address (RFC 1122))"
grep -q "554" "$work/x-group.out" && problem "explain promises notify's 554 to a group address"
report "explain dynamic -> multicast, broadcast or loopback:25 under block: reset or notify: dropped without a reply"

explain x-relay "$config" 198.18.7.7 192.0.2.25 25
want_rc $rc 0
want_has "$work/x-relay.out" "source:      class dynamic (prefix 198.18.0.0/16"
want_re "$work/x-relay.out" '^destination: group isp-relays \(prefix 192\.0\.2\.25/32, '
want_has "$work/x-relay.out" "rule:        group.action (isp-relays: allow)"
want_has "$work/x-relay.out" "verdict:     allow (forwarded)"
report "explain dynamic -> isp relay:25: allow via group isp-relays, rule group.action"

explain x-static "$config" 198.18.20.5 203.0.113.9
want_rc $rc 0
want_has "$work/x-static.out" "flow:        198.18.20.5 -> 203.0.113.9 port 25 (smtp)"
want_has "$work/x-static.out" "source:      class static (prefix 198.18.20.0/24"
want_has "$work/x-static.out" "rule:        class.action (static: allow)"
want_has "$work/x-static.out" "verdict:     allow (forwarded)"
report "explain static (port defaults to 25): class static, allow"

explain x-mobile "$config" 198.19.200.1 198.51.100.7
want_rc $rc 0
want_has "$work/x-mobile.out" "source:      class mobile-only (prefix 198.19.128.0/17"
want_has "$work/x-mobile.out" "destination: group mobile-mx (prefix 198.51.100.0/24"
want_has "$work/x-mobile.out" "rule:        class.to (mobile-only.to.mobile-mx: block)"
want_re "$work/x-mobile.out" '^verdict: +block '
report "explain mobile-only -> mobile-mx: block via class.to"

explain x-587 "$config" 198.18.7.7 203.0.113.9 587
want_rc $rc 0
want_has "$work/x-587.out" "flow:        198.18.7.7 -> 203.0.113.9 port 587 (submission)"
want_has "$work/x-587.out" "source:      class dynamic"
want_has "$work/x-587.out" "rule:        none (only smtp ports are classified)"
want_has "$work/x-587.out" "verdict:     forward (submission ports are always forwarded)"
report "explain dynamic -> outside:587: forwarded as submission"

explain x-443 "$config" 198.18.7.7 203.0.113.9 443
want_rc $rc 0
want_has "$work/x-443.out" "flow:        198.18.7.7 -> 203.0.113.9 port 443 (other)"
want_has "$work/x-443.out" "rule:        none (only smtp ports are classified)"
want_has "$work/x-443.out" "verdict:     forward (not SMTP: forwarded untouched)"
report "explain dynamic -> outside:443: not SMTP, forwarded untouched"

explain x-v6 "$config" 2001:db8:1000::5 2001:db8:ffff::9 25
want_rc $rc 0
want_has "$work/x-v6.out" "flow:        2001:db8:1000::5 -> 2001:db8:ffff::9 port 25 (smtp)"
want_has "$work/x-v6.out" "source:      class dynamic (prefix 2001:db8:1000::/36"
want_has "$work/x-v6.out" "rule:        class.action (dynamic: block)"
want_re "$work/x-v6.out" '^verdict: +block '
report "explain IPv6 dynamic source: class dynamic 2001:db8:1000::/36, block"

explain x-json --json "$config" 198.18.7.7 203.0.113.9 25
want_rc $rc 0
if ! out=$("$py" -c '
import json, sys
x = json.load(sys.stdin)
want = {"src": "198.18.7.7", "dst": "203.0.113.9", "port": 25,
        "port_kind": "smtp", "class": "dynamic",
        "class_prefix": "198.18.0.0/16", "group": None, "group_prefix": None,
        "rule": "class.action", "action": "block", "verdict": "block"}
bad = [f"{k}: got {x.get(k)!r}, want {v!r}" for k, v in want.items()
       if x.get(k) != v]
if "reset" not in (x.get("note") or ""):
    bad.append("note does not mention reset: %r" % x.get("note"))
print("\n".join(bad))
sys.exit(1 if bad else 0)
' <"$work/x-json.out" 2>&1); then
	problem "JSON:" "$(cat "$work/x-json.out")" "$out"
fi
report "explain --json: valid JSON with src, dst, port, class, prefix, rule, verdict"

explain x-badaddr "$config" 198.18.7 203.0.113.9
want_rc $rc 2
want_has "$work/x-badaddr.err" "op25b-policy explain: bad source address '198.18.7'"
want_empty "$work/x-badaddr.out"
report "explain with a bad address: exit 2, names the address"

explain x-mixed "$config" 198.18.7.7 2001:db8::25
want_rc $rc 2
want_has "$work/x-mixed.err" "198.18.7.7 is IPv4 but 2001:db8::25 is IPv6: a flow has one address family"
want_empty "$work/x-mixed.out"
report "explain with mixed address families: exit 2"

# --- op25b-policy replay errors ---------------------------------------------
"$policy_tool" replay "$enforce" "$work/nosuch.pcap" >"$work/r1.out" 2>"$work/r1.err"
rc=$?
want_rc $rc 1
want_has "$work/r1.err" "$work/nosuch.pcap"
want_has "$work/r1.err" "No such file or directory"
report "replay with a missing capture: exit 1, names the file"

printf 'version: 1\nthis is not a capture\n' >"$work/not-a.pcap"
"$policy_tool" replay "$enforce" "$work/not-a.pcap" >"$work/r2.out" 2>"$work/r2.err"
rc=$?
want_rc $rc 1
want_has "$work/r2.err" "op25b-policy: $work/not-a.pcap: unknown file format"
report "replay with a file that is not a pcap: exit 1, unknown file format"

# A capture or an output that a write cut short is no result: a full
# device under --out or the standard output (a full disk, a file size
# limit) fails in one line (the exit status was 0, the file cut).
"$gen" vectors "$root/test/vectors/enforce.vec" --out "$work/enf.pcap" >/dev/null
"$policy_tool" replay "$enforce" "$work/enf.pcap" --out /dev/full >/dev/null 2>"$work/r3.err"
want_rc $? 1 "replay --out /dev/full"
want_has "$work/r3.err" "op25b-policy: /dev/full: write failed: No space left on device"
want_lines "$work/r3.err" 1
"$policy_tool" replay "$enforce" "$work/enf.pcap" --json >/dev/full 2>"$work/r4.err"
want_rc $? 1 "replay --json >/dev/full"
want_has "$work/r4.err" "op25b-policy: standard output: write failed: No space left on device"
"$policy_tool" replay "$enforce" "$work/enf.pcap" --out "$work/none/o.pcap" >/dev/null 2>"$work/r5.err"
want_rc $? 1 "replay --out into a missing directory"
want_has "$work/r5.err" "op25b-policy: $work/none/o.pcap: No such file or directory"
want_lines "$work/r5.err" 1
report "replay whose output cannot be written (--out or stdout on /dev/full, a missing directory): exit 1, one line"

# --- replay an adaptive policy: the capture's timestamps are the clock --------
cat >"$work/adaptive-replay.yaml" <<'EOF'
version: 1
block: drop
sources:
  hosting:
    action: adaptive
    limit: {connections: 2, per: 60s, block_for: 10s}
    prefixes: [198.18.0.0/24]
EOF
# timed_pcap FILE BASE T:FLAGS...: TCP segments 198.18.0.9:40000+i ->
# 203.0.113.5:25, the i-th at capture time BASE + T seconds (T negative or
# fractional too) with TCP FLAGS (2 SYN, 16 ACK).
timed_pcap() {
	"$py" - "$@" <<'EOF'
import socket, struct, sys
out = open(sys.argv[1], "wb")
out.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
for i, arg in enumerate(sys.argv[3:]):
    t, flags = arg.split(":")
    tcp = struct.pack("!HHIIBBHHH", 40000 + i, 25, 1, 0, 5 << 4, int(flags), 65535, 0, 0)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40, 0, 0x4000, 64, 6, 0,
                     socket.inet_aton("198.18.0.9"), socket.inet_aton("203.0.113.5"))
    frame = b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00" + ip + tcp
    at = int(sys.argv[2]) * 1000000 + round(float(t) * 1e6)
    out.write(struct.pack("<IIII", at // 1000000, at % 1000000, len(frame), len(frame)))
    out.write(frame)
EOF
}
# SYNs at 0, 1 and 2 s (the third over the limit), an ACK at 5 s (blocked),
# a SYN at 12.5 s (the block ended at 12 s), all from 198.18.0.9.
timed_pcap "$work/adaptive-replay.pcap" 1700000000 0:2 1:2 2:2 5:16 12.5:2
"$policy_tool" replay "$work/adaptive-replay.yaml" "$work/adaptive-replay.pcap" \
	>"$work/ar.out" 2>"$work/ar.err"
rc=$?
want_rc $rc 0
n=0
for want in forwarded forwarded blocked blocked forwarded; do
	n=$((n + 1))
	want_re "$work/ar.out" "^ +$n +$want +[a-z]+ +hosting "
done
want_has "$work/ar.out" "adaptive: 1 sources blocked for going over a limit (adaptive_triggered), 0 evicted, 0 untracked (table full)"
report "replay of an adaptive policy: capture timestamps are the clock (blocked at the 3rd SYN, free after block_for)"

# A frame whose time goes back (a capture merged out of order) is judged
# at the latest time seen: the clock never goes back, or the frame took a
# sub-window's slot and the counts in it. Limit 3 per 8 s: SYNs at 0, 1,
# 2, then one stamped -8 s, then 3 and 3.1 s: the 4th to 6th blocked.
cat >"$work/adaptive-back.yaml" <<'EOF'
version: 1
block: drop
sources:
  hosting:
    action: adaptive
    limit: {connections: 3, per: 8s, block_for: 60s}
    prefixes: [198.18.0.0/24]
EOF
timed_pcap "$work/adaptive-back.pcap" 1700000000 0:2 1:2 2:2 -8:2 3:2 3.1:2
# back_replay TOOL NAME: TOOL's replay of it: the 4th to 6th blocked, said.
back_replay() {
	"$1" replay "$work/adaptive-back.yaml" "$work/adaptive-back.pcap" \
		>"$work/$2.out" 2>"$work/$2.err"
	want_rc $? 0
	n=0
	for want in forwarded forwarded forwarded blocked blocked blocked; do
		n=$((n + 1))
		want_re "$work/$2.out" "^ +$n +$want +[a-z]+ +hosting "
	done
	want_has "$work/$2.err" "$2: warning: the capture's time goes back 10.000000 s at packet 4: such frames are judged at the latest time seen"
}
back_replay "$policy_tool" op25b-policy
# The XDP program's replay keeps the same clock.
if [ -x "$build/app/op25b-xdp/op25b-xdp" ] && [ "$(id -u)" = 0 ]; then
	back_replay "$build/app/op25b-xdp/op25b-xdp" op25b-xdp
fi
report "replay of an adaptive policy: a frame whose time goes back is judged at the latest time seen, said once"

# block: notify's budget on a capture stamped 0 (the epoch): the same
# answers as the same frames a second later (a budget last used at time
# 0 was taken for one never used, and filled again at every SYN).
cat >"$work/notify-zero.yaml" <<'EOF'
version: 1
block: notify
notice: "see example.net/op25b"
notify_rate: 2
sources:
  dynamic:
    action: block
    prefixes: [198.18.0.0/24]
EOF
for at in 0 1; do
	timed_pcap "$work/notify-$at.pcap" "$at" 0:2 0:2 0:2 0:2 0:2 0:2 0:2
	"$policy_tool" replay "$work/notify-zero.yaml" "$work/notify-$at.pcap" \
		>"$work/nz-$at.out" 2>&1
	want_rc $? 0
done
cmp -s "$work/nz-0.out" "$work/nz-1.out" ||
	problem "notify at time 0 and 1 differ:" "$(diff "$work/nz-0.out" "$work/nz-1.out")"
[ "$(grep -c ' reply ' "$work/nz-1.out")" = 7 ] ||
	problem "not 7 replies: $(cat "$work/nz-1.out")"
report "replay of block: notify: its budget on a capture stamped 0 as a second later"

# --- op25b --help -----------------------------------------------------------
timeout 10 "$op25b" --help >"$work/help.out" 2>"$work/help.err"
rc=$?
want_rc $rc 0
for opt in "--policy FILE" "--pairs SUB:UP" "--burst N" "--stop-after-idle MS" \
	"--stats-json FILE"; do
	want_has "$work/help.out" "  $opt"
done
want_empty "$work/help.err"
report "op25b --help without EAL arguments: exit 0, lists every option"

# README's line for op25b names every option --help lists (it had left out
# the five --block-records options).
grep -o '^  --[a-z-]*' "$work/help.out" | sed 's/^  //' | sort -u >"$work/help.opts"
grep '^| `build/app/op25b/op25b ' "$root/README.md" | grep -o -- '--[a-z-]*' |
	sort -u >"$work/readme.opts"
missing=$(comm -23 "$work/help.opts" "$work/readme.opts" | tr '\n' ' ')
[ -z "$missing" ] || problem "README's op25b line does not name: $missing"
[ -s "$work/help.opts" ] || problem "no option found in op25b --help"
report "README: op25b's line in the tools table names every option of --help"

# --- op25b refuses to start -------------------------------------------------
# DPDK files a run may leave: hugepage/memfd files, config, sockets. The
# runtime directory of the default prefix (/var/run/dpdk/rte) is created by
# EAL and kept by design; everything else must be gone. The refused runs
# use op25b's default name; other test runs on the machine (CI's helpers,
# a developer's suite) name theirs op25b-TAG-PID...: not ours to count, and
# their PIDs may live in another PID namespace, so they go by name.
dpdk_files() {
	find /dev/shm /var/run/dpdk -mindepth 1 2>/dev/null |
		grep -vx /var/run/dpdk/rte |
		grep -Ev '/(op25b\.)?op25b-[^/]*-[0-9]+' | sort
}
# refuse NAME EXPECTED-STDERR-LINE OP25B-ARGS...
refuse() {
	local name=$1 line=$2 new
	shift 2
	dpdk_files >"$work/$name.before"
	timeout 30 "$op25b" "$@" >"$work/$name.out" 2>"$work/$name.err"
	rc=$?
	dpdk_files >"$work/$name.after"
	[ "$rc" -ne 0 ] || problem "exit status 0, want non-zero"
	[ "$rc" -ne 124 ] || problem "timed out"
	want_has "$work/$name.err" "$line"
	want_lines "$work/$name.err" 1
	new=$(comm -13 "$work/$name.before" "$work/$name.after")
	[ -z "$new" ] || problem "left behind:" "$new"
	report "op25b $name: exit $rc, one line: $line"
}
vdevs=(--vdev net_null0 --vdev net_null1)

refuse "policy file missing" \
	"$work/nosuch.yaml: cannot read: No such file or directory" \
	"${eal[@]}" "${vdevs[@]}" -- --policy "$work/nosuch.yaml"
cp "$vectors/check-host-bits.yaml" "$work/host-bits.yaml"
refuse "policy with an error" \
	"$work/host-bits.yaml:$(pos "$work/host-bits.yaml" '198\.18\.1\.1' 198.18.1.1/16): 198.18.1.1/16: host bits set" \
	"${eal[@]}" "${vdevs[@]}" -- --policy "$work/host-bits.yaml"
refuse "no --policy" "op25b: --policy FILE is required" \
	"${eal[@]}" "${vdevs[@]}" --
refuse "--pairs 0:0" "op25b: --pairs 0:0: expected SUB:UP[,SUB:UP...] with distinct port ids" \
	"${eal[@]}" "${vdevs[@]}" -- --policy "$enforce" --pairs 0:0
refuse "--pairs 0:5 with two ports" "op25b: port 5 does not exist (2 ports found" \
	"${eal[@]}" "${vdevs[@]}" -- --policy "$enforce" --pairs 0:5
# --cli-socket naming a file that is no socket: refused, the file kept
# (it was deleted and replaced by the socket).
echo precious >"$work/precious.txt"
refuse "--cli-socket on a file" \
	"op25b: --cli-socket $work/precious.txt: not a socket (a file is there): give another path" \
	"${eal[@]}" "${vdevs[@]}" -- --policy "$enforce" --cli-socket "$work/precious.txt"
[ "$(cat "$work/precious.txt" 2>&1)" = precious ] ||
	problem "the file at --cli-socket: $(ls -l "$work/precious.txt" 2>&1)"
report "op25b --cli-socket on a file: the file stays as it was"
refuse "--burst 0" "op25b: --burst 0: expected 1..64" \
	"${eal[@]}" "${vdevs[@]}" -- --policy "$enforce" --burst 0
refuse "--burst 65" "op25b: --burst 65: expected 1..64" \
	"${eal[@]}" "${vdevs[@]}" -- --policy "$enforce" --burst 65
refuse "--mbufs 100" "op25b: --mbufs 100: expected 1024..67108864" \
	"${eal[@]}" "${vdevs[@]}" -- --policy "$enforce" --mbufs 100
# --mbufs below what the RX rings and bursts hold: said, not refused (a
# vdev without rings runs with it); 2688 and more, nothing said.
for m in 1024 2688; do
	timeout 30 "$op25b" "${eal[@]}" --vdev net_null0,no-rx=1 --vdev net_null1,no-rx=1 \
		-- --policy "$enforce" --mbufs $m --stop-after-idle 300 --status-interval 0 \
		--name "$name-mbufs" --cli-socket none >"$work/mbufs-$m.out" 2>"$work/mbufs-$m.err"
	want_rc $? 0 "--mbufs $m: exit status"
done
want_has "$work/mbufs-1024.err" "op25b: warning: --mbufs 1024 is fewer than the 2688 the ports' RX rings (2 port(s) x 1 queue(s) x 1024 descriptors) and the bursts hold: a NIC may refuse to start or drop frames as rx_nombuf, and its TX rings hold more under load (the default, without --mbufs: 5760)"
want_lines "$work/mbufs-1024.err" 1
want_empty "$work/mbufs-2688.err"
grep -q "note:" "$work/mbufs-2688.out" && problem "an enforce policy's start: $(grep note: "$work/mbufs-2688.out")"
# The start with a monitor policy that drops malformed frames: the note,
# once, after the policy line.
timeout 30 "$op25b" "${eal[@]}" --vdev net_null0,no-rx=1 --vdev net_null1,no-rx=1 \
	-- --policy "$work/monitor.yaml" --stop-after-idle 300 --status-interval 0 \
	--name "$name-monitor" --cli-socket none >"$work/monitor-start.out" 2>&1
want_rc $? 0 "op25b with a monitor policy: exit status"
[ "$(grep -c "^op25b: $note\$" "$work/monitor-start.out")" = 1 ] ||
	problem "op25b's start with a monitor policy:" "$(cat "$work/monitor-start.out")"
report "op25b --mbufs below the RX rings and bursts: one warning line, runs; at their size, nothing said; a monitor policy's start notes that malformed frames are still dropped"
# --cmdline-file that cannot be read to its end: nothing forwarded.
mkdir -p "$work/cmd-dir"
refuse "--cmdline-file a directory" \
	"op25b: --cmdline-file $work/cmd-dir: Is a directory after line 0; stopping (the start-up commands must all succeed)" \
	"${eal[@]}" "${vdevs[@]}" -- --policy "$enforce" --cmdline-file "$work/cmd-dir"
# A FIFO whose writer pauses in a line commented out, and a signal in the
# pause (logrotate's SIGUSR1): the line reads on whole, a comment (the
# old code dropped its start: " set mode monitor" ran).
mkfifo "$work/cmd.fifo"
timeout 60 "$op25b" "${eal[@]}" --vdev net_null0,no-rx=1 --vdev net_null1,no-rx=1 \
	-- --policy "$enforce" --cmdline-file "$work/cmd.fifo" --stop-after-idle 1500 \
	--status-interval 0 --name "$name-fifo" --cli-socket none >"$work/fifo.out" 2>&1 &
fifo_pid=$!
{
	printf 'show version\n#'
	# op25b in the read of the rest of the line (it has the FIFO open
	# once it answers: 30 s for a loaded machine, the writes wait in the
	# pipe meanwhile).
	for _ in $(seq 1 300); do
		grep -q '^op25b ' "$work/fifo.out" 2>/dev/null && break
		sleep 0.1
	done
	sleep 0.5
	pkill -USR1 -P "$fifo_pid" -x op25b
	sleep 0.5
	printf ' set mode monitor\n'
} 1<>"$work/cmd.fifo" # read-write: never waits for an op25b that died
wait "$fifo_pid"
want_rc $? 0 "op25b with a --cmdline-file FIFO and a signal mid-line: exit status"
want_has "$work/fifo.out" "op25b: $work/cmd.fifo: 2 lines run"
grep -q "mode monitor" "$work/fifo.out" &&
	problem "a line commented out ran:" "$(grep "mode monitor" "$work/fifo.out")"
report "op25b --cmdline-file FIFO, SIGUSR1 while a line commented out is half written: the line reads on whole, a comment; 2 lines run"
# A FIFO no writer has opened yet: op25b waits in its open. logrotate's
# SIGUSR1 there failed the start ("Interrupted system call", exit 1); it
# waits on. A SIGTERM there stops the start-up (exit 0), as in a read.
# op25b_in_open: op25b (timeout's child) is in the FIFO's open.
op25b_in_open() { # PID
	local p
	p=$(pgrep -P "$1" -x op25b) &&
		grep -qs -e wait_for_partner -e fifo_open "/proc/$p/wchan" "/proc/$p/stack"
}
# start_in_open TAG: op25b on the FIFO, in its open once this returns;
# fifo_pid is timeout's, its output in $work/TAG.out.
start_in_open() {
	timeout 60 "$op25b" "${eal[@]}" --vdev net_null0,no-rx=1 \
		--vdev net_null1,no-rx=1 -- --policy "$enforce" \
		--cmdline-file "$work/cmd2.fifo" --stop-after-idle 1500 \
		--status-interval 0 --name "$name-$1" --cli-socket none \
		>"$work/$1.out" 2>&1 &
	fifo_pid=$!
	wait_until 30 "$fifo_pid" op25b_in_open "$fifo_pid" ||
		problem "op25b did not wait in the FIFO's open:" "$(cat "$work/$1.out")"
}
rm -f "$work/cmd2.fifo"
mkfifo "$work/cmd2.fifo"
start_in_open fifo2
pkill -USR1 -P "$fifo_pid" -x op25b
sleep 0.5
# Read-write: never waits for an op25b that died (the bug this looks for).
{ printf 'show version\n'; } 1<>"$work/cmd2.fifo"
wait "$fifo_pid"
want_rc $? 0 "op25b with SIGUSR1 in its --cmdline-file FIFO's open: exit status"
want_has "$work/fifo2.out" "op25b: $work/cmd2.fifo: 1 lines run"
start_in_open fifo3
pkill -TERM -P "$fifo_pid" -x op25b
wait "$fifo_pid"
want_rc $? 0 "op25b with SIGTERM in its --cmdline-file FIFO's open: exit status"
want_has "$work/fifo3.out" "op25b: Terminated during the start-up, stopping before the ports start"
report "op25b --cmdline-file FIFO not yet opened by a writer: SIGUSR1 in the open waits on (1 line run), SIGTERM there stops the start-up, exit 0"
{ printf 'show version\nshow version # '; printf 'x%.0s' $(seq 1 5000); printf '\n'; } >"$work/long.cli"
refuse "--cmdline-file with a line over 4094 bytes" \
	"op25b: $work/long.cli:2: a line longer than 4094 bytes; stopping (the start-up commands must all succeed)" \
	"${eal[@]}" "${vdevs[@]}" -- --policy "$enforce" --cmdline-file "$work/long.cli"
# A NUL in a line: refused, not run as the text before it ("exempt add
# X \0ttl 1h" granted X for ever).
printf 'show version\nexempt add 198.18.7.7 reason x\0 ttl 1h\n' >"$work/nul.cli"
refuse "--cmdline-file with a NUL in a line" \
	"op25b: $work/nul.cli:2: a NUL byte in the line; stopping (the start-up commands must all succeed)" \
	"${eal[@]}" "${vdevs[@]}" -- --policy "$enforce" --cmdline-file "$work/nul.cli"
refuse "-l 0 (one lcore)" "op25b: no worker lcore: give EAL at least two lcores" \
	-l 0 "${eal[@]:2}" "${vdevs[@]}" -- --policy "$enforce"
refuse "unknown option" "op25b: unknown option '--frobnicate' (try --help)" \
	"${eal[@]}" "${vdevs[@]}" -- --policy "$enforce" --frobnicate
# An unknown letter: getopt sets optopt for it too, which was taken for a
# letter missing its argument.
refuse "unknown short option" "op25b: unknown option '-z' (try --help)" \
	"${eal[@]}" "${vdevs[@]}" -- --policy "$enforce" -z

# --- a policy with an adaptive class runs ----------------------------------
# enforce.yaml with its count class turned adaptive: no warning; the table
# is made (its size printed) and one SYN, under the limit, is forwarded.
sed -e 's/^  watched:$/  hosting:/' \
	-e '/^  hosting:$/{n;s/action: count/action: adaptive\n    limit: {connections: 10, per: 60s, block_for: 1h}/}' \
	"$enforce" >"$work/adaptive.yaml"
at=$(pos "$work/adaptive.yaml" 'action: adaptive' adaptive)
d="$work/adaptive"
mkdir -p "$d"
if ! "$gen" vectors "$root/test/vectors/enforce.vec" --out "$d/in.pcap" \
	--expect "$d/expect.txt" >"$d/gen.log" 2>&1; then
	problem "op25b-gen vectors failed:" "$(cat "$d/gen.log")"
fi
timeout 60 "$op25b" "${eal[@]}" \
	--vdev "net_pcap0,rx_pcap=$d/in.pcap,tx_pcap=$d/sub-tx.pcap" \
	--vdev "net_pcap1,tx_pcap=$d/up-tx.pcap" \
	-- --policy "$work/adaptive.yaml" --stop-after-idle 300 \
	--status-interval 0 --name "$scenario_name-run" --stats-json "$d/stats.json" \
	--adaptive-entries 131072 >"$d/op25b.out" 2>"$d/op25b.err"
rc=$?
want_rc $rc 0
[ -n "$at" ] || problem "test bug: no adaptive action in adaptive.yaml"
! grep -q warning "$d/op25b.err" ||
	problem "a warning:" "$(cat "$d/op25b.err")"
# 131,072 entries: a pass of the sweep takes about a second, longer than
# this run; the report's gauges are still exact (the table is aged whole
# at stop: it said adaptive_tracked 0).
want_has "$d/op25b.out" "op25b: adaptive table: 131072 sources, "
# One worker: the table's only writer (plain stores, no locked CAS).
want_has "$d/op25b.out" ", one worker writes"
want_has "$d/op25b.out" "op25b: idle for 300 ms, stopping"
if [ -f "$d/stats.json" ]; then
	n=$(wc -l <"$d/expect.txt")
	if ! out=$("$py" -c '
import json, sys
s = json.load(open(sys.argv[1]))
n = int(sys.argv[2])
bad = []
if s["ports"][0]["rx"] != n:
    bad.append("port 0 rx %d, want %d" % (s["ports"][0]["rx"], n))
h = s["classes"]["hosting"]
if h != {"forwarded": 1, "counted": 0, "blocked": 0, "reset": 0}:
    bad.append(f"class hosting {h}: want the one packet of 198.19.0.0/24 forwarded")
if s["adaptive_tracked"] != 1 or s["adaptive_triggered"] != 0:
    bad.append("adaptive_tracked %d, adaptive_triggered %d: want 1, 0"
               % (s["adaptive_tracked"], s["adaptive_triggered"]))
print("\n".join(bad))
sys.exit(1 if bad else 0)
' "$d/stats.json" "$n" 2>&1); then
		problem "$out"
	fi
else
	problem "no stats.json written"
fi
report "a policy with an adaptive class starts: no warning, table made, a SYN under the limit forwarded"

# --- explain --json carries the positions the text shows (issue 20.8) ------
p29=$(pos "$config" '^    prefixes: \[192\.0\.2\.25/32' 192.0.2.25/32)
explain x-json-loc --json "$config" 198.18.7.7 192.0.2.25
want_rc $rc 0
want_lines "$work/x-json-loc.out" 1
want_has "$work/x-json-loc.out" '{"src":"198.18.7.7","dst":"192.0.2.25","port":25,"port_kind":"smtp","class":"dynamic","class_prefix":"198.18.0.0/16","class_location":{"file":"'"$config"'","line":'"${p14%:*}"',"column":'"${p14#*:}"'},"group":"isp-relays","group_prefix":"192.0.2.25/32","group_location":{"file":"'"$config"'","line":'"${p29%:*}"',"column":'"${p29#*:}"'},"rule":"group.action","action":"allow","verdict":"allow","note":"forwarded"}'
explain x-json-none --json "$config" 198.51.100.1 203.0.113.9
want_has "$work/x-json-none.out" '"class":null,"class_prefix":null,"class_location":null,"group":null,"group_prefix":null,"group_location":null,'
report "explain --json: class_location and group_location, the file:line:column of the text"

# --- op25b-gen pools --out: the file is opened before the work (issue 20.11)
# Generating 1M prefixes prints a warning and progress lines on stderr: one
# line alone (the error) says nothing was generated before the open failed.
for out in "$work/no-such-dir/pools.txt" "$work"; do
	"$gen" pools --count 1M --out "$out" >"$work/gp.out" 2>"$work/gp.err"
	want_rc $? 1 "pools --out $(basename "$out"): status"
	want_lines "$work/gp.err" 1
	want_empty "$work/gp.out"
done
want_has "$work/gp.err" "op25b-gen: $work: Is a directory"
"$gen" pools --count 1M --out "$work/no-such-dir/pools.txt" 2>"$work/gp.err"
want_has "$work/gp.err" "op25b-gen: $work/no-such-dir/pools.txt: No such file or directory"
[ -e "$work/no-such-dir" ] && problem "pools created $work/no-such-dir"
report "op25b-gen pools --out into a missing directory or onto a directory: one line, exit 1, nothing generated"

# --- op25b-gen traffic --profile worst-adaptive: every source a new one -------
# 198.18.7.0/30 holds three sources (.0 is never drawn): three frames, each
# from another one; a fourth cannot be new.
echo 198.18.7.0/30 >"$work/p30.txt"
"$gen" traffic --profile worst-adaptive --count 3 --pools "$work/p30.txt" \
	--out "$work/wa.pcap" -q 2>"$work/wa.err"
want_rc $? 0 "worst-adaptive --count 3: status"
got=$("$py" -c 'import sys; sys.path.insert(0, sys.argv[1]); import traces
t = [traces.five_tuple(f) for f in traces.read_pcap(sys.argv[2])]
print(len(t), len({x[1] for x in t}), all(x[4] == 25 and x[5] == 6 for x in t))' \
	"$root/scripts/bench" "$work/wa.pcap")
[ "$got" = "3 3 True" ] || problem "worst-adaptive: frames, distinct sources, all SYNs to 25: $got"
"$gen" traffic --profile worst-adaptive --count 4 --pools "$work/p30.txt" \
	--out "$work/wa.pcap" -q 2>"$work/wa.err"
want_rc $? 1 "worst-adaptive --count 4 from 3 sources: status"
want_has "$work/wa.err" "traffic: worst-adaptive: fewer than 4 distinct addresses in the pool"
report "op25b-gen traffic --profile worst-adaptive: distinct sources, and an error when the pool has too few"

# --- op25b-gen traffic --profile access: tiny's frames under tags and PPPoE ---
# A quarter each untagged, one tag, QinQ and PPPoE, every one readable and
# none to a mail port (bench.sh measures the classifier's non-SMTP cost on
# it).
"$gen" traffic --profile access --count 400 --pools "$work/p30.txt" \
	--out "$work/access.pcap" -q 2>"$work/access.err"
want_rc $? 0 "access --count 400: status"
got=$("$py" -c 'import sys, struct; sys.path.insert(0, sys.argv[1]); import traces
f = list(traces.read_pcap(sys.argv[2])); t = [traces.five_tuple(x) for x in f]
kinds = {0x0800: 0, 0x8100: 0, 0x88a8: 0, 0x8864: 0}
for x in f: kinds[struct.unpack("!H", x[12:14])[0]] += 1
print(len(f), all(60 <= n <= 140 for n in kinds.values()),
      all(x is not None for x in t), all(x[4] == 443 for x in t))' \
	"$root/scripts/bench" "$work/access.pcap")
[ "$got" = "400 True True True" ] || problem "access: frames, a quarter of each shape, all readable, all to port 443: $got"
report "op25b-gen traffic --profile access: tiny's frames, a quarter each untagged, VLAN, QinQ, PPPoE"

# --- op25b-gen traffic: a --pools file without the profile's family --------
# worst and worst6 draw every source from the file: one without their
# family is refused (its table would not hold them); mix says it.
for p in "worst 4 2001:db8:7::/48" "worst6 6 198.18.7.0/30"; do
	read -r profile family other <<<"$p"
	echo "$other" >"$work/pfam.txt"
	"$gen" traffic --profile "$profile" --count 2 --pools "$work/pfam.txt" \
		--out "$work/pfam.pcap" 2>"$work/pfam.err"
	want_rc $? 1 "$profile with a pools file of the other family: status"
	want_has "$work/pfam.err" "op25b-gen: $work/pfam.txt: no IPv$family prefixes for the $profile profile"
done
echo 198.18.7.0/30 >"$work/pfam.txt"
"$gen" traffic --profile mix --count 20 --pools "$work/pfam.txt" --out "$work/pfam.pcap" 2>"$work/pfam.err"
want_rc $? 0 "mix with an IPv4-only pools file: status"
want_has "$work/pfam.err" "op25b-gen: traffic: $work/pfam.txt has no IPv6 prefix: IPv6 sources from 2001:db8:1000::/36"
report "op25b-gen traffic: worst and worst6 refuse a --pools file without their family; mix says where the missing family's sources come from"

exit $status
