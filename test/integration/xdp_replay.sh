#!/usr/bin/env bash
# op25b-xdp replay against op25b-policy replay: every test vector file made
# into a capture (op25b-gen vectors), replayed by both; the same line a
# packet, the same JSON objects, the same forwarded and reply captures
# byte for byte. What differs by design, and only that: frames shorter than
# an Ethernet header, which the kernel never runs XDP on (left out and
# noted), and the `chained` frame counter (mbufs). replay --exemptions:
# exactly the exempted sources' packets change, to exempted. exempt list's
# table and JSON on an instance loaded on a veth of our own. Then
# op25b-xdp's refusals:
# a broken policy (file:line:column), an unknown interface; and its
# --help. Adaptive: the two replays agree on a timestamped capture of SYN
# bursts. block: notify: both on one key (the test hook
# OP25B_NOTIFY_TEST_KEY) and the capture's clock, on notify.vec and on
# handshakes (xdp_notify.py: the cookie's ACK and its greeting, a wrong
# cookie, data, FIN, the next slot and the one after) and notify_rate.
# Needs root (BPF_PROG_TEST_RUN). Prints "ok NAME" / "not ok NAME".
set -uo pipefail
work=$(mktemp -d /tmp/op25b-xdp-replay.XXXXXX)
. "$(dirname "$0")/common.bash"
iname="xdp-replay-$$" ns="op25b-xdprp-$$"
cleanup() {
	netns_cleanup # the veth and its program go with the namespace
	if mountpoint -q "$work/bpffs"; then
		rm -rf "$work/bpffs/op25b/$iname"
		umount "$work/bpffs"
	fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

xdp="$build/app/op25b-xdp/op25b-xdp"
# block: notify's cookies: one key on both sides (doc/xdp.md).
notify_key=0123456789abcdef0fedcba987654321
export OP25B_NOTIFY_TEST_KEY=$notify_key
ptool="$build/app/op25b-policy/op25b-policy"
gen="$build/app/op25b-gen/op25b-gen"
need_xdp "op25b-xdp replay"

# The per-packet lines without their packet number, and the summary
# without the chained counter.
normalise() { # FILE
	sed -E -e 's/^ +[0-9]+  //' -e 's/"packet": [0-9]+, //' \
		-e 's/ chained [0-9]+//' -e 's/, "chained": [0-9]+//' \
		-e 's/^[0-9]+ packets:/N packets:/' \
		-e 's/"packets": \{"non_smtp"/"packets": {"non_smtp"/' "$1" |
		grep -v '^note: not run'
}

# replay_both ID POLICY CAPTURE: op25b-policy replay and op25b-xdp replay
# of CAPTURE, the same lines, JSON (and its summary on stderr), OUT and R
# captures; their outputs in $work/ID.{dpdk,xdp}.*.
replay_both() {
	local id=$1 pol=$2 cap=$3 side tool d f
	for side in dpdk xdp; do
		tool=$ptool
		[ $side = xdp ] && tool=$xdp
		"$tool" replay "$pol" "$cap" --out "$work/$id.$side.out.pcap" \
			--replies "$work/$id.$side.rep.pcap" >"$work/$id.$side.txt" 2>&1 ||
			problem "$side replay of $id failed:" "$(tail -3 "$work/$id.$side.txt")"
		"$tool" replay "$pol" "$cap" --json \
			>"$work/$id.$side.json" 2>"$work/$id.$side.jerr" ||
			problem "$side replay --json of $id failed"
	done
	for f in txt json jerr; do
		d=$(diff <(normalise "$work/$id.dpdk.$f") <(normalise "$work/$id.xdp.$f"))
		[ -z "$d" ] || problem "$id: the $f output differs:" "$(head -10 <<<"$d")"
	done
	cmp -s "$work/$id.dpdk.out.pcap" "$work/$id.xdp.out.pcap" ||
		problem "$id: the forwarded captures differ"
	cmp -s "$work/$id.dpdk.rep.pcap" "$work/$id.xdp.rep.pcap" ||
		problem "$id: the reply captures differ"
}

for vec in "$root"/test/vectors/*.vec; do
	v=$(basename "$vec" .vec)
	pol="$root/test/vectors/$(awk '/^policy /{print $2; exit}' "$vec")"
	"$gen" vectors "$vec" --out "$work/$v.pcap" >/dev/null 2>&1 ||
		problem "op25b-gen vectors $v.vec failed"
	# Runts: the kernel runs no XDP program on them; both sides without.
	"$py" - "$work/$v.pcap" "$work/$v.full.pcap" <<'EOF'
import struct, sys
src, dst = sys.argv[1], sys.argv[2]
data = open(src, "rb").read()
out, off, runts = [data[:24]], 24, 0
while off < len(data):
    caplen = struct.unpack("<I", data[off + 8:off + 12])[0]
    if caplen >= 14:
        out.append(data[off:off + 16 + caplen])
    else:
        runts += 1
    off += 16 + caplen
open(dst, "wb").write(b"".join(out))
EOF
	replay_both "$v" "$pol" "$work/$v.full.pcap"
	n=$(grep -cE '^ +[0-9]+  ' "$work/$v.xdp.txt")
	[ "$n" -gt 0 ] || problem "$v: op25b-xdp replayed no packet"
done
report "op25b-xdp replay = op25b-policy replay on every vector file: lines, JSON, OUT and R captures"

# A policy whose path is longer than the 255 bytes the maps keep for a
# reload (a deep CI workspace): replay never reloads, and it was refused
# ("File name too long") where op25b-policy replay ran it.
deep="$work/$(printf 'd%.0s' {1..120})/$(printf 'e%.0s' {1..120})"
mkdir -p "$deep"
cp "$root/test/vectors/enforce.yaml" "$deep/enforce.yaml"
replay_both deep-path "$deep/enforce.yaml" "$work/classify.full.pcap"
report "op25b-xdp replay of a policy whose path is over 255 bytes = op25b-policy replay"

# replay --exemptions: the exempted sources' blocked, reset and counted
# packets become exempted (forwarded untouched, no class row), nothing
# else changes; an expired exemption is not applied.
cat >"$work/replay.exemptions" <<'EOF'
# op25b exemptions, format 1: PREFIX EXPIRES GRANTED UID TTL "REASON" (doc/cli.md)
198.18.5.9/32 never 2026-12-01T00:00:00.000Z 0 0 "customer 4711"
198.19.0.5/32 2099-01-01T00:00:00.000Z 2026-12-01T00:00:00.000Z 1000 0 "watched"
2001:db8:1000::/48 never 2026-12-01T00:00:00.000Z 0 0 "v6 customer"
198.18.21.0/24 2020-01-02T00:00:00.000Z 2020-01-01T00:00:00.000Z 0 86400 "expired"
EOF
"$xdp" replay "$root/test/vectors/enforce.yaml" "$work/enforce.pcap" \
	--exemptions "$work/replay.exemptions" --out "$work/ex.out.pcap" \
	--replies "$work/ex.rep.pcap" >"$work/ex.txt" 2>"$work/ex.err"
want_rc $? 0 "replay --exemptions"
want_empty "$work/ex.err"
exsrc='(198\.18\.5\.9|198\.19\.0\.5|2001:db8:1000::9)'
n=$(grep -cE "^ +[0-9]+  exempted   forward  -                -                IPv[46] $exsrc " "$work/ex.txt")
[ "$n" = 29 ] || problem "replay --exemptions: $n exempted lines, not 29:" "$(head -20 "$work/ex.txt")"
# The lines without exemptions, those sources' verdicts made exempted:
# the lines with them. (The totals are checked next.)
lines() { grep -E '^ +[0-9]+  ' "$1"; }
d=$(diff <(lines "$work/enforce.xdp.txt" | sed -E "/ $exsrc -> /s/^( +[0-9]+  )(reset  |blocked|counted) +(reply|drop|forward) +[^ ]+ +[^ ]+ +/\1exempted   forward  -                -                /") \
	<(lines "$work/ex.txt"))
[ -z "$d" ] || problem "replay --exemptions: other lines changed:" "$(head -10 <<<"$d")"
want_has "$work/ex.txt" "53 packets: non_smtp 6 submission 3 fragments 2 malformed 0 exempted 29 forwarded 10 counted 0 blocked 0 reset 3"
"$py" - "$work/ex.rep.pcap" "$work/ex.out.pcap" <<'EOF' || problem "replay --exemptions: not 3 replies and 50 forwarded frames"
import struct, sys
def count(path):
    data, off, n = open(path, "rb").read(), 24, 0
    while off < len(data):
        off += 16 + struct.unpack("<I", data[off + 8:off + 12])[0]
        n += 1
    return n
assert (count(sys.argv[1]), count(sys.argv[2])) == (3, 50)
EOF
"$xdp" replay "$root/test/vectors/enforce.yaml" "$work/enforce.pcap" \
	--exemptions "$work/none.exemptions" >"$work/exn.out" 2>"$work/exn.err"
want_rc $? 1 "replay --exemptions with no such file"
want_has "$work/exn.err" "op25b-xdp: --exemptions $work/none.exemptions: No such file or directory"
want_lines "$work/exn.err" 1
want_empty "$work/exn.out"
printf '198.18.5.9/32 never\n' >"$work/bad.exemptions"
"$xdp" replay "$root/test/vectors/enforce.yaml" "$work/enforce.pcap" \
	--exemptions "$work/bad.exemptions" >"$work/exb.out" 2>"$work/exb.err"
want_rc $? 1 "replay --exemptions with a broken file"
want_re "$work/exb.err" "^$work/bad.exemptions:1: error: "
want_lines "$work/exb.err" 1
want_empty "$work/exb.out"
: >"$work/empty.exemptions"
"$xdp" replay "$root/test/vectors/enforce.yaml" "$work/enforce.pcap" \
	--exemptions "$work/empty.exemptions" >"$work/exe.out" 2>"$work/exe.err"
want_rc $? 0 "replay --exemptions with an empty file"
want_has "$work/exe.err" "$work/empty.exemptions: warning: the file is empty: read as no exemptions"
want_lines "$work/exe.err" 1
d=$(diff <(lines "$work/enforce.xdp.txt") <(lines "$work/exe.out"))
[ -z "$d" ] || problem "replay with an empty exemptions file: not the lines without one:" "$(head -6 <<<"$d")"
# A file whose every line is good and whose count is not (op25b's first
# line, cut before its end line; or an end line that counts wrong) is read
# as it is, with a warning, as op25b's start restores it: the same 19.
{ sed '1s/$/; the last line counts them/' "$work/replay.exemptions"; } >"$work/cut.exemptions"
{ cat "$work/cut.exemptions"; echo "# end: 3 exemptions"; } >"$work/miscount.exemptions"
for f in cut miscount; do
	"$xdp" replay "$root/test/vectors/enforce.yaml" "$work/enforce.pcap" \
		--exemptions "$work/$f.exemptions" >"$work/ex-$f.txt" 2>"$work/ex-$f.err"
	want_rc $? 0 "replay --exemptions with a $f file"
	want_lines "$work/ex-$f.err" 1
	cmp -s "$work/ex.txt" "$work/ex-$f.txt" || problem "replay --exemptions ($f file): not the output of the whole file:" "$(diff "$work/ex.txt" "$work/ex-$f.txt" | head -6)"
done
want_has "$work/ex-cut.err" "$work/cut.exemptions:5: warning: no end line ('# end: N exemptions', which the first line promises): the file is cut short; its 4 exemptions read as they are"
want_re "$work/ex-miscount.err" "^$work/miscount.exemptions:6: warning: .*; its 4 exemptions read as they are\$"
report "op25b-xdp replay --exemptions: the exempted sources' packets, and only they, exempted (29); expired not applied; a missing or broken file refused in one line; one whose count alone is wrong read with a warning; an empty one read as none, with a warning"

# exempt list: op25b's table (and its JSON) on an instance of our own, in
# a bpffs of our own (ip netns exec remounts /sys).
export OP25B_XDP_BPFFS="$work/bpffs"
mkdir -p "$OP25B_XDP_BPFFS"
# offloads IFACE FILE on|off: both VLAN receive offloads of IFACE in the
# namespace are so (ethtool -k's output kept in $work/FILE).
offloads() {
	ip netns exec "$ns" ethtool -k "$1" >"$work/$2" 2>&1
	want_re "$work/$2" "^rx-vlan-offload: $3\$"
	want_re "$work/$2" "^rx-vlan-stag-hw-parse: $3\$"
}
# load_refused NAME FILE WHAT MESSAGE: a load of NAME on l1 fails with one
# line, MESSAGE (its output in $work/FILE).
load_refused() {
	in_ns "$ns" "$xdp" load l1 --mode generic --name "$1" \
		--policy "$root/test/vectors/enforce.yaml" >"$work/$2" 2>&1
	want_rc $? 1 "$3"
	want_has "$work/$2" "$4"
	want_lines "$work/$2" 1
}
if ! mount -t bpf bpf "$OP25B_XDP_BPFFS" 2>"$work/mount.err"; then
	echo "ok op25b-xdp exempt list # SKIP cannot mount a bpffs: $(head -1 "$work/mount.err")"
elif ! netns_add "$ns"; then
	echo "ok op25b-xdp exempt list # SKIP $netns_err"
else
	veth "$ns:l0" "$ns:l1" || problem "veth failed"
	# A veth shows the VLAN receive offloads on, as i40e, ice, ixgbe
	# and mlx5 have them by default (there the NIC takes the tag out of
	# the frame before XDP): load turns them off and says so. What the
	# program then sees is not told here: a veth takes no tag out of a
	# frame its peer was given whole (a second reader showed the
	# stripping with a tag tc's bpf_skb_vlan_push put outside the
	# frame); this checks the flags and the note.
	offloads l0 k0.out on
	in_ns "$ns" "$xdp" load l0 --mode generic --name "$iname" \
		--adaptive-entries 4096 --policy "$root/test/vectors/enforce.yaml" \
		--exemptions "$work/inst.exemptions" >"$work/ld.out" 2>&1 ||
		problem "load failed:" "$(cat "$work/ld.out")"
	want_has "$work/ld.out" "op25b-xdp: l0: rx-vlan-hw-parse, rx-vlan-stag-hw-parse turned off (the program reads VLAN tags in the frame"
	offloads l0 k1.out off
	report "op25b-xdp load turns off the interface's VLAN receive offloads, and says so"
	# A load of a loaded name stops at the pin, before the offloads
	# (here l1's, on); one refused by another program on l1 (whose
	# offloads were turned on again under it) stops before them too.
	offloads l1 k3.out on
	load_refused "$iname" ld2.out "load of a loaded name on l1" \
		"an instance of that name is loaded already (reload or unload it)"
	offloads l1 k4.out on
	in_ns "$ns" "$xdp" load l1 --mode generic --name "$iname-a" \
		--policy "$root/test/vectors/enforce.yaml" >/dev/null 2>&1 ||
		problem "load on l1 failed"
	ip netns exec "$ns" ethtool -K l1 rxvlan on rx-vlan-stag-hw-parse on
	load_refused "$iname-b" ld3.out "a second program's load on l1" \
		"op25b-xdp: l1: cannot attach in generic mode: another XDP program is attached"
	offloads l1 k5.out on
	in_ns "$ns" "$xdp" unload l1 --name "$iname-a" >/dev/null 2>&1 ||
		problem "unload from l1 failed"
	ip netns exec "$ns" ethtool -K l1 rxvlan on rx-vlan-stag-hw-parse on
	report "op25b-xdp load of a loaded name, or onto another program, stops before the VLAN receive offloads"
	# A policy reached through a symbolic link into another directory (a
	# release switched by its link): its relative prefixes_file is found
	# beside the link, as check and op25b find it, and a reload reads the
	# file the link names now (realpath(3) took the target's directory,
	# and kept the old target for every reload).
	mkdir -p "$work/sym/etc" "$work/sym/releases/v1" "$work/sym/releases/v2"
	printf '198.18.0.0/16\n' >"$work/sym/etc/pools.txt"
	for v in 1 2; do
		printf 'version: 1\nblock: %s\nsources:\n  dynamic:\n    action: block\n    prefixes_file: pools.txt\n' \
			"$([ $v = 1 ] && echo drop || echo reset)" >"$work/sym/releases/v$v/policy.yaml"
	done
	ln -s ../releases/v1/policy.yaml "$work/sym/etc/op25b.yaml"
	"$build/app/op25b-policy/op25b-policy" check "$work/sym/etc/op25b.yaml" >"$work/symcheck.out" 2>&1 ||
		problem "check of the linked policy:" "$(cat "$work/symcheck.out")"
	in_ns "$ns" "$xdp" load l1 --mode generic --name "$iname-sym" \
		--policy "$work/sym/etc/op25b.yaml" >"$work/sym.out" 2>&1 ||
		problem "load through a symbolic link:" "$(cat "$work/sym.out")"
	ln -sfn ../releases/v2/policy.yaml "$work/sym/etc/op25b.yaml"
	in_ns "$ns" "$xdp" reload l1 --name "$iname-sym" >"$work/symr.out" 2>&1 ||
		problem "reload through the switched link:" "$(cat "$work/symr.out")"
	want_has "$work/symr.out" "op25b-xdp: l1 reloaded from $work/sym/etc/op25b.yaml: generation 2"
	in_ns "$ns" "$xdp" status l1 --name "$iname-sym" --json >"$work/syms.json" 2>&1
	[ "$(field "$work/syms.json" 's["block"]')" = reset ] ||
		problem "the reload did not read the file the link names now:" "$(head -c 400 "$work/syms.json")"
	in_ns "$ns" "$xdp" unload l1 --name "$iname-sym" >/dev/null 2>&1 ||
		problem "unload from l1 failed"
	ip netns exec "$ns" ethtool -K l1 rxvlan on rx-vlan-stag-hw-parse on
	report "op25b-xdp load and reload of a policy through a symbolic link: its prefixes_file beside the link, the link read anew"
	# On a macvlan the tag is parsed by the device below it (l1): its
	# offloads go off too. A load whose attach fails after turning them
	# off (native mode: a macvlan has none) turns them back on, and
	# does not say it turned them off.
	if ip -n "$ns" link add m1 link l1 type macvlan 2>"$work/mv.err" &&
		ip -n "$ns" link set m1 up; then
		in_ns "$ns" "$xdp" load m1 --mode native --name "$iname-mv" \
			--policy "$root/test/vectors/enforce.yaml" >"$work/mvn.out" 2>&1
		want_rc $? 1 "native load on a macvlan"
		want_has "$work/mvn.out" "op25b-xdp: m1: cannot attach in native mode: "
		want_lines "$work/mvn.out" 1
		offloads l1 k6.out on
		[ ! -e "$OP25B_XDP_BPFFS/op25b/$iname-mv" ] || problem "the failed load's pins are left"
		report "op25b-xdp load that fails after turning the VLAN receive offloads off turns them back on"
		in_ns "$ns" "$xdp" load m1 --mode generic --name "$iname-mv" \
			--policy "$root/test/vectors/enforce.yaml" >"$work/mv.out" 2>&1 ||
			problem "load on a macvlan failed:" "$(cat "$work/mv.out")"
		want_has "$work/mv.out" "l1: rx-vlan-hw-parse, rx-vlan-stag-hw-parse turned off"
		offloads l1 k2.out off
		in_ns "$ns" "$xdp" unload m1 --name "$iname-mv" >/dev/null 2>&1 ||
			problem "unload from the macvlan failed"
		ip -n "$ns" link del m1
		report "op25b-xdp load on a macvlan turns off the offloads of the device below it"
	else
		echo "ok op25b-xdp load on a macvlan # SKIP no macvlan: $(head -1 "$work/mv.err")"
	fi
	in_ns "$ns" "$xdp" exempt list l0 --name "$iname" >"$work/l0.txt" 2>&1
	want_rc $? 0 "exempt list, empty"
	[ "$(cat "$work/l0.txt")" = "no exemptions" ] || problem "empty list:" "$(cat "$work/l0.txt")"
	in_ns "$ns" "$xdp" exempt list l0 --name "$iname" --json >"$work/l0.json" 2>&1
	[ "$(cat "$work/l0.json")" = "[]" ] || problem "empty list --json:" "$(cat "$work/l0.json")"
	in_ns "$ns" "$xdp" exempt add l0 198.18.5.9 --ttl 1h --reason "customer 4711" \
		--name "$iname" >/dev/null 2>&1 &&
		in_ns "$ns" "$xdp" exempt add l0 2001:db8:4711::/48 --reason 'ticket "8812"' \
			--name "$iname" >/dev/null 2>&1 || problem "exempt add failed"
	# Refused, as op25b's CLI refuses it (the list below keeps 2).
	in_ns "$ns" "$xdp" exempt add l0 ::ffff:198.18.5.9 --name "$iname" >"$work/mapped.out" 2>&1
	want_rc $? 1 "exempt add of an IPv4-mapped address"
	want_has "$work/mapped.out" "op25b-xdp: exempt add ::ffff:198.18.5.9: an IPv4-mapped address is the source of no packet (IPv4 ones are looked up as IPv4): exempt 198.18.5.9/32"
	in_ns "$ns" "$xdp" exempt list l0 --name "$iname" >"$work/l.txt" 2>&1
	want_rc $? 0 "exempt list"
	want_lines "$work/l.txt" 3
	ts='20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z'
	want_re "$work/l.txt" "^prefix {39}time left granted \(UTC\) {8}uid    reason$"
	want_re "$work/l.txt" "^198\.18\.5\.9/32 {32}(1h00m |59m5[0-9]s) {4}$ts 0 {6}customer 4711$"
	want_re "$work/l.txt" "^2001:db8:4711::/48 {27}never {5}$ts 0 {6}ticket \"8812\"$"
	in_ns "$ns" "$xdp" exempt list l0 --name "$iname" --json >"$work/l.json" 2>&1
	want_rc $? 0 "exempt list --json"
	"$py" - "$work/l.json" <<'EOF' || problem "exempt list --json:" "$(cat "$work/l.json")"
import json, re, sys
l = json.load(open(sys.argv[1]))
assert [sorted(o) for o in l] == [["granted", "prefix", "reason", "seconds_left", "ttl", "uid"]] * 2, l
b, a = sorted(l, key=lambda o: o["prefix"])
assert (b["prefix"], b["ttl"], b["uid"], b["reason"]) == ("198.18.5.9/32", 3600, 0, "customer 4711"), b
assert 3590 <= b["seconds_left"] <= 3600, b
assert (a["prefix"], a["ttl"], a["seconds_left"], a["reason"]) == ("2001:db8:4711::/48", 0, 0, 'ticket "8812"'), a
assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", o["granted"]) for o in l), l
EOF
	in_ns "$ns" "$xdp" exempt add l0 198.18.5.10 --json --name "$iname" >/dev/null 2>&1
	want_rc $? 2 "exempt add --json"
	report "op25b-xdp exempt list: op25b's table (prefix, time left, granted, uid, reason) and its JSON; empty: no exemptions, []; an IPv4-mapped address refused"
	in_ns "$ns" "$xdp" status l0 --name "$iname" --json >"$work/new.json" 2>&1
	[ "$(field "$work/new.json" 's["adaptive_entries"]')" = 4096 ] ||
		problem "load --adaptive-entries 4096: status says" "$(cat "$work/new.json")"
	# Unloaded from another network namespace than the one that loaded
	# it, the index finds another interface or none: the pins went and
	# the program stayed attached, with nothing left to unload it by.
	"$xdp" unload l0 --name "$iname" >"$work/unx.out" 2>&1
	want_rc $? 1 "unload from another network namespace"
	want_has "$work/unx.out" "op25b-xdp: l0: the program is attached to l0 in the network namespace of /run/netns/$ns: unload it there (nsenter --net=/run/netns/$ns op25b-xdp unload ...; or ip link set l0 xdp off there); its pins stay"
	[ -e "$OP25B_XDP_BPFFS/op25b/$iname" ] || problem "unload from another namespace removed the pins"
	"$xdp" status l0 --name "$iname" --json >"$work/stx.json" 2>&1
	[ "$(field "$work/stx.json" '(s["mode"], s["interface"], s["netns"])')" = "('elsewhere', 'l0', '/run/netns/$ns')" ] ||
		problem "status from another network namespace:" "$(head -c 300 "$work/stx.json")"
	# The command it says, from here: nsenter keeps this mount
	# namespace's bpffs (ip netns exec remounts /sys).
	nsenter --net="/run/netns/$ns" "$xdp" unload l0 --name "$iname" >"$work/unn.out" 2>&1 ||
		problem "nsenter --net unload failed:" "$(cat "$work/unn.out")"
	[ ! -e "$OP25B_XDP_BPFFS/op25b/$iname" ] || problem "pins left after unload"
	report "op25b-xdp load --adaptive-entries 4096 (status: adaptive_entries); status and unload from another network namespace: where it runs, the pins kept"
	# l0 moved to a namespace where its index is taken and back gets a
	# new index: run's SIGTERM took its program for gone with the old
	# index, removed the pins and left it attached.
	if netns_add "$ns-x"; then
		for i in 1 2 3 4; do
			ip -n "$ns-x" link add "x$i" type veth peer name "y$i" || problem "veth in $ns-x"
		done
		ip netns exec "$ns" "$xdp" run l0 --mode generic --name "$iname-mv" \
			--policy "$root/test/vectors/enforce.yaml" >"$work/runmv.out" 2>&1 &
		runmv=$!
		wait_until 10 "$runmv" grep -q "running" "$work/runmv.out" ||
			problem "run did not start:" "$(cat "$work/runmv.out")"
		before=$(ip -n "$ns" -o link show l0 | cut -d: -f1)
		ip -n "$ns" link set l0 netns "$ns-x" && ip -n "$ns-x" link set l0 netns "$ns" ||
			problem "cannot move l0 away and back"
		after=$(ip -n "$ns" -o link show l0 | cut -d: -f1)
		[ "$before" != "$after" ] || problem "l0 kept its index $before: the test moves nothing"
		kill -TERM "$runmv"
		wait "$runmv"
		want_rc $? 0 "run's SIGTERM after l0's index changed"
		ip -n "$ns" link show l0 | grep -q "xdp" &&
			problem "run's SIGTERM left its program on l0 (index $before, now $after)"
		[ ! -e "$OP25B_XDP_BPFFS/op25b/$iname-mv" ] || problem "run's pins left"
		ip -n "$ns" link set l0 up
		report "op25b-xdp run's SIGTERM takes its program off an interface whose index changed (moved away and back)"
	else
		echo "ok op25b-xdp run after an index change # SKIP $netns_err"
	fi
	# The interface renamed under its program: unload finds it by the
	# index recorded at load and detaches it, rather than take the old
	# name's absence for a deleted interface and leave the program on
	# without its pins.
	in_ns "$ns" "$xdp" load l0 --mode generic --name "$iname-r" \
		--policy "$root/test/vectors/enforce.yaml" >"$work/ldr.out" 2>&1 ||
		problem "load failed:" "$(cat "$work/ldr.out")"
	# A reload refused before it reads anything (a policy path that
	# does not resolve) is counted as every refused reload is.
	in_ns "$ns" "$xdp" reload l0 --name "$iname-r" --policy "$work/no-such.yaml" \
		>"$work/rlr.out" 2>&1
	want_rc $? 1 "reload of a missing policy"
	in_ns "$ns" "$xdp" status l0 --name "$iname-r" --json >"$work/str.json" 2>&1
	[ "$(field "$work/str.json" 's["reload_failed"]')" = 1 ] ||
		problem "a reload of a missing policy is not counted:" "$(cat "$work/str.json")"
	# The generation, as op25b counts it (1 at load, one more a
	# reload), the same in status and op25b-stat --xdp: status gave the
	# maps' slot (0 or 1).
	in_ns "$ns" "$xdp" reload l0 --name "$iname-r" >"$work/rlg.out" 2>&1 ||
		problem "reload failed:" "$(cat "$work/rlg.out")"
	want_has "$work/rlg.out" "reloaded from $root/test/vectors/enforce.yaml: generation 2,"
	in_ns "$ns" "$xdp" status l0 --name "$iname-r" --json >"$work/stg.json" 2>&1
	in_ns "$ns" "$stat" --xdp "$iname-r" --json >"$work/sxg.json" 2>&1
	[ "$(field "$work/stg.json" 's["generation"]')" = 2 ] &&
		[ "$(field "$work/sxg.json" 's["generation"]')" = 2 ] ||
		problem "generation after one reload: status" "$(field "$work/stg.json" 's["generation"]')" \
			"op25b-stat --xdp" "$(field "$work/sxg.json" 's.get("generation")')"
	# The reload counters under op25b-stat's names in both (status said
	# "reloads" alone: kept, the older name).
	[ "$(field "$work/stg.json" 's["reload_ok"]')" = 1 ] &&
		[ "$(field "$work/sxg.json" 's["reload_ok"]')" = 1 ] &&
		[ "$(field "$work/stg.json" 's["reloads"]')" = 1 ] ||
		problem "reload_ok after one reload: status" "$(field "$work/stg.json" 's.get("reload_ok")')" \
			"op25b-stat --xdp" "$(field "$work/sxg.json" 's.get("reload_ok")')"
	report "op25b-xdp status and op25b-stat --xdp: generation 2 and reload_ok 1 after one reload"
	# --watch: rates from the second refresh on, every time (the
	# program's start, put on the wall clock anew at each read, moved
	# by nanoseconds, and about half the refreshes took it for a new
	# program: "-" again).
	in_ns "$ns" timeout 30 "$stat" --xdp "$iname-r" --watch 0.1 --count 12 \
		>"$work/sxw.out" 2>"$work/sxw.err"
	want_rc $? 0 "op25b-stat --xdp --watch"
	rates=$(awk '$1 == "forwarded" && NF == 3 { print $3 }' "$work/sxw.out" | tr '\n' ' ')
	[[ "$rates" =~ ^-\ ([0-9]+\.[0-9]\ ){11}$ ]] ||
		problem "op25b-stat --xdp --watch: forwarded rates '$rates', want '-' then 11 figures"
	report "op25b-stat --xdp --watch: rates in every refresh after the first"
	# Renamed while up (a kernel that refuses that fails the test rather
	# than let the name l0 be unloaded as before the fix), to a name
	# with a '"', which Linux takes: status --json escapes it.
	rn='l"9'
	ip -n "$ns" link set l0 name "$rn" ||
		problem "cannot rename l0 to $rn"
	ip -n "$ns" link show "$rn" | grep -q "xdp" ||
		problem "no program on the renamed interface before unload:" "$(ip -n "$ns" link show "$rn" 2>&1)"
	in_ns "$ns" "$xdp" status l0 --name "$iname-r" --json >"$work/strn.json" 2>&1
	[ "$(field "$work/strn.json" 's["interface"]')" = "$rn" ] ||
		problem "status --json of an interface named $rn:" "$(cat "$work/strn.json")"
	in_ns "$ns" "$xdp" unload l0 --name "$iname-r" >"$work/unr.out" 2>&1
	want_rc $? 0 "unload after a rename"
	ip -n "$ns" link show "$rn" >"$work/l9.txt" 2>&1 ||
		problem "$rn is gone:" "$(cat "$work/l9.txt")"
	grep -q "xdp" "$work/l9.txt" &&
		problem "the program is still on the renamed interface:" "$(cat "$work/l9.txt")"
	[ ! -e "$OP25B_XDP_BPFFS/op25b/$iname-r" ] || problem "pins left after unload"
	ip -n "$ns" link set "$rn" name l0
	report "op25b-xdp: a reload of a missing policy is counted as failed; status --json of an interface renamed to a name with a quote; unload of an interface renamed since load: the program comes off, the pins go"
	# flock_held DIR: another process holds DIR's lock.
	flock_held() { ! flock -n "$1" true; }
	# hold_lock DIR SECONDS: flock(1) holds DIR's lock that long (in the
	# background, $holder), as a load in progress or a reload would.
	hold_lock() {
		flock -o "$1" sleep "$2" &
		holder=$!
		pids+=("$holder")
		wait_until 10 "$holder" flock_held "$1" ||
			problem "flock(1) did not take the lock of $1"
	}
	# A load killed between its mkdir and its pins leaves a directory
	# that load refused ("loaded already") and unload too ("no
	# instance"): unload now removes it.
	mkdir -p "$OP25B_XDP_BPFFS/op25b/$iname-cut"
	in_ns "$ns" "$xdp" load l0 --mode generic --name "$iname-cut" \
		--policy "$root/test/vectors/enforce.yaml" >"$work/cut-ld.out" 2>&1
	want_rc $? 1 "load over a cut-short instance's directory"
	want_has "$work/cut-ld.out" "an instance of that name is loaded already"
	# status said "no instance is loaded" of it, while load refused the
	# name: it says what is there and how it goes.
	in_ns "$ns" "$xdp" status >"$work/cut-st.out" 2>&1
	want_rc $? 0 "status with a load cut short"
	want_has "$work/cut-st.out" "op25b-xdp: $OP25B_XDP_BPFFS/op25b/$iname-cut: no program pinned: a load cut short (op25b-xdp unload IFACE --name $iname-cut removes it), or one under way"
	grep -q "no instance is loaded" "$work/cut-st.out" &&
		problem "status says no instance is loaded beside the load cut short"
	# ... but not while a load holds the directory's lock (it has not
	# pinned its program yet, and will attach it): flock(1) plays it.
	hold_lock "$OP25B_XDP_BPFFS/op25b/$iname-cut" 30
	in_ns "$ns" "$xdp" unload l0 --name "$iname-cut" >"$work/cut-busy.out" 2>&1
	want_rc $? 1 "unload while a load holds the directory"
	want_has "$work/cut-busy.out" "another op25b-xdp command holds it (a load in progress, or a reload)"
	[ -d "$OP25B_XDP_BPFFS/op25b/$iname-cut" ] || problem "unload removed a directory a load holds"
	pkill -P "$holder" sleep 2>/dev/null
	kill "$holder" 2>/dev/null
	wait "$holder" 2>/dev/null
	in_ns "$ns" "$xdp" unload l0 --name "$iname-cut" >"$work/cut.out" 2>&1
	want_rc $? 0 "unload of a cut-short instance"
	want_has "$work/cut.out" "op25b-xdp: $OP25B_XDP_BPFFS/op25b/$iname-cut: the pins of a load cut short removed (no program was pinned, so none is attached)"
	[ ! -e "$OP25B_XDP_BPFFS/op25b/$iname-cut" ] || problem "the cut-short directory is left"
	# What a command killed midway through its unpin leaves (the
	# program's pin goes first, after the detach): maps without it.
	in_ns "$ns" "$xdp" load l0 --mode generic --name "$iname-cut" \
		--policy "$root/test/vectors/enforce.yaml" >"$work/cut-ld2.out" 2>&1 ||
		problem "load failed:" "$(cat "$work/cut-ld2.out")"
	ip -n "$ns" link set l0 xdpgeneric off
	rm "$OP25B_XDP_BPFFS/op25b/$iname-cut/op25b_xdp"
	in_ns "$ns" "$xdp" unload l0 --name "$iname-cut" >"$work/cut2.out" 2>&1
	want_rc $? 0 "unload of an instance whose program's pin went"
	[ ! -e "$OP25B_XDP_BPFFS/op25b/$iname-cut" ] || problem "the maps without their program's pin are left"
	# An instance of a version without one of this one's maps (the
	# names map came later): unload detaches it by its program.
	in_ns "$ns" "$xdp" load l0 --mode generic --name "$iname-cut" \
		--policy "$root/test/vectors/enforce.yaml" >"$work/cut-ld3.out" 2>&1 ||
		problem "load failed:" "$(cat "$work/cut-ld3.out")"
	rm "$OP25B_XDP_BPFFS/op25b/$iname-cut/op25b_names"
	in_ns "$ns" "$xdp" unload l0 --name "$iname-cut" >"$work/cut3.out" 2>&1
	want_rc $? 0 "unload of an instance without the names map"
	ip -n "$ns" link show l0 | grep -q "xdp" &&
		problem "unload left the program of an instance without the names map attached"
	[ ! -e "$OP25B_XDP_BPFFS/op25b/$iname-cut" ] || problem "its pins are left"
	report "op25b-xdp unload removes what a load killed before its program's pin left (status says it is there), what an unload killed midway leaves, and an instance without a later map"
	# A load (A) whose directory an unload removed between its mkdir and
	# its lock, and another load (B) made again and attached. The test
	# hooks run that unload and B's load in A: before A's look at the
	# directory it made (its stat then finds B's, its lock and check too,
	# and its first pin meets B's, EEXIST), or after it (the check finds
	# another directory: ESTALE). A removed every pin there, B's program
	# left attached with nothing to status, reload or unload it by; A
	# now removes only what it pinned, and says why it failed.
	race="$iname-race"
	# race_clear: l1 as before (a failure above must not fail the rest).
	race_clear() {
		ip -n "$ns" link set l1 xdpgeneric off 2>/dev/null
		rm -rf "${OP25B_XDP_BPFFS:?}/op25b/$race"
		ip netns exec "$ns" ethtool -K l1 rxvlan on rx-vlan-stag-hw-parse on
	}
	for hook in OP25B_XDP_TEST_AFTER_MKDIR OP25B_XDP_TEST_BEFORE_LOCK; do
		cmd="env -u $hook '$xdp' unload l1 --name '$race' >'$work/race-un.out' 2>&1 && env -u $hook '$xdp' load l1 --mode generic --name '$race' --policy '$root/test/vectors/enforce.yaml' >'$work/race-b.out' 2>&1"
		env "$hook=$cmd" timeout 20 ip netns exec "$ns" "$xdp" load l1 --mode generic \
			--name "$race" --policy "$root/test/vectors/enforce.yaml" >"$work/race-a.out" 2>&1
		want_rc $? 1 "$hook: a load whose name another load took between its mkdir and its lock"
		if [ $hook = OP25B_XDP_TEST_AFTER_MKDIR ]; then
			want_has "$work/race-a.out" "an instance of that name is loaded already (reload or unload it)"
		else
			want_has "$work/race-a.out" "an unload removed the directory as it was made (load again)"
		fi
		want_lines "$work/race-a.out" 1
		want_has "$work/race-un.out" "the pins of a load cut short removed"
		want_has "$work/race-b.out" "on l1 (generic XDP), program"
		in_ns "$ns" "$xdp" status l1 --name "$race" --json >"$work/race-st.json" 2>&1
		want_rc $? 0 "$hook: status of the load that won the name"
		[ "$(field "$work/race-st.json" '(s["interface"], s["mode"])')" = "('l1', 'generic')" ] ||
			problem "$hook: the winner's instance after the loser's load:" "$(head -c 300 "$work/race-st.json")"
		in_ns "$ns" "$xdp" unload l1 --name "$race" >"$work/race-un2.out" 2>&1
		want_rc $? 0 "$hook: unload of the load that won the name"
		ip -n "$ns" link show l1 | grep -q "xdp" &&
			problem "$hook: the winner's program is still on l1 after its unload"
		race_clear
	done
	report "op25b-xdp load that loses its name to an unload and another load between its mkdir and its lock (before its look at the directory, after it) leaves the winner's pins, and says why"
	# A reload that fails after its switch (the test hook: as the names'
	# update, the RCU wait or an old table's delete could) said "the
	# running policy stays" and counted a refused reload, with the new
	# policy in force and counted as a reload too.
	in_ns "$ns" "$xdp" load l1 --mode generic --name "$race" \
		--policy "$root/test/vectors/enforce.yaml" >"$work/sw-ld.out" 2>&1 ||
		problem "load failed:" "$(cat "$work/sw-ld.out")"
	OP25B_XDP_TEST_APPLY_FAIL_SWITCHED=1 in_ns "$ns" "$xdp" reload l1 --name "$race" \
		--policy "$root/test/vectors/monitor.yaml" >"$work/sw.out" 2>&1
	want_rc $? 1 "a reload that fails after its switch"
	want_has "$work/sw.out" "op25b-xdp: l1: $root/test/vectors/monitor.yaml is in force (generation 2), but a step after the switch failed: Input/output error (the next reload completes it)"
	want_lines "$work/sw.out" 1
	in_ns "$ns" "$xdp" status l1 --name "$race" --json >"$work/sw.json" 2>&1
	[ "$(field "$work/sw.json" '(s["policy"], s["generation"], s["reload_ok"], s["reload_failed"])')" = "('$root/test/vectors/monitor.yaml', 2, 1, 0)" ] ||
		problem "after a reload that failed past its switch: status" "$(head -c 400 "$work/sw.json")"
	in_ns "$ns" "$xdp" reload l1 --name "$race" >"$work/sw2.out" 2>&1 ||
		problem "the reload after it failed:" "$(cat "$work/sw2.out")"
	want_has "$work/sw2.out" "reloaded from $root/test/vectors/monitor.yaml: generation 3,"
	report "op25b-xdp reload that fails after its switch says the new policy is in force, counts a reload and no refused one"
	# Another program on the interface: load says so before it touches
	# the VLAN offloads (it turned them off and on again: a NIC reset,
	# and on again under that program where they were off for it).
	load_refused "$race-b" sw-b.out "a second program's load on l1" \
		"op25b-xdp: l1: cannot attach in generic mode: another XDP program is attached (program "
	want_has "$work/sw-b.out" ", generic)"
	[ ! -e "$OP25B_XDP_BPFFS/op25b/$race-b" ] || problem "the refused load's pins are left"
	report "op25b-xdp load refused by another program on the interface says which, before the offloads"
	# status, by a user who cannot read the pins (nobody; the pin root
	# is 0700): it said "no instance is loaded", exit status 0.
	nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups --)
	if ! "${nobody[@]}" "$xdp" --help >/dev/null 2>&1; then
		echo "ok op25b-xdp status unreadable # SKIP nobody cannot run $xdp here"
	else
		"${nobody[@]}" env OP25B_XDP_BPFFS="$OP25B_XDP_BPFFS" "$xdp" status \
			>"$work/st-nobody.out" 2>&1
		want_rc $? 1 "status by a user who cannot read the bpffs"
		want_has "$work/st-nobody.out" "op25b-xdp: $OP25B_XDP_BPFFS/op25b: Permission denied"
		want_lines "$work/st-nobody.out" 1
		report "op25b-xdp status by a user who cannot read the pins: said, exit 1"
	fi
	in_ns "$ns" "$xdp" unload l1 --name "$race" >/dev/null 2>&1 ||
		problem "unload from l1 failed"
	race_clear
	# load, reload: the exemptions in force, as status counts them (the
	# file's expired entry is not).
	cp "$work/replay.exemptions" "$work/count.exemptions"
	in_ns "$ns" "$xdp" load l1 --mode generic --name "$race" \
		--policy "$root/test/vectors/enforce.yaml" \
		--exemptions "$work/count.exemptions" >"$work/cnt-ld.out" 2>&1 ||
		problem "load failed:" "$(cat "$work/cnt-ld.out")"
	want_has "$work/cnt-ld.out" "; 3 exemptions from $work/count.exemptions"
	in_ns "$ns" "$xdp" reload l1 --name "$race" >"$work/cnt-rl.out" 2>&1 ||
		problem "reload failed:" "$(cat "$work/cnt-rl.out")"
	want_has "$work/cnt-rl.out" " prefixes, 3 exemptions"
	in_ns "$ns" "$xdp" status l1 --name "$race" --json >"$work/cnt.json" 2>&1
	[ "$(field "$work/cnt.json" 's["exemptions"]')" = 3 ] ||
		problem "status exemptions:" "$(field "$work/cnt.json" 's["exemptions"]')"
	# A file cut short (its end line gone: a copy caught midway, a disk
	# that filled) where exemptions run: exempt add wrote what was left
	# of it for good, a reload made that the running set; both refuse
	# it now, the running ones kept; exempt list shows it, writes nothing.
	in_ns "$ns" "$xdp" exempt add l1 198.18.9.9 --name "$race" >"$work/cut-add0.out" 2>&1 ||
		problem "exempt add failed:" "$(cat "$work/cut-add0.out")"
	cp "$work/count.exemptions" "$work/whole.exemptions"
	head -n 2 "$work/whole.exemptions" >"$work/count.exemptions"
	cp "$work/count.exemptions" "$work/cut-before.exemptions"
	in_ns "$ns" "$xdp" exempt add l1 198.18.9.10 --name "$race" >"$work/cut-add.out" 2>&1
	want_rc $? 1 "exempt add on a file cut short"
	want_re "$work/cut-add.out" "^$work/count.exemptions:2: error: no end line .*; refused, the running exemptions stay \(mend it: its end line '# end: N exemptions' counts its entries\)\$"
	want_lines "$work/cut-add.out" 1
	in_ns "$ns" "$xdp" reload l1 --name "$race" >"$work/cut-rl.out" 2>&1
	want_rc $? 1 "reload of a file cut short"
	want_has "$work/cut-rl.out" "refused, the running exemptions stay"
	in_ns "$ns" "$xdp" exempt list l1 --name "$race" >"$work/cut-ls.out" 2>"$work/cut-ls.err"
	want_rc $? 0 "exempt list of a file cut short"
	want_has "$work/cut-ls.err" "warning: no end line"
	want_lines "$work/cut-ls.out" 2
	cmp -s "$work/count.exemptions" "$work/cut-before.exemptions" ||
		problem "a command wrote the file cut short:" "$(cat "$work/count.exemptions")"
	in_ns "$ns" "$xdp" status l1 --name "$race" --json >"$work/cut.json" 2>&1
	[ "$(field "$work/cut.json" '(s["exemptions"], s["reload_failed"])')" = "(4, 1)" ] ||
		problem "after the refusals, status (exemptions, reload_failed):" "$(field "$work/cut.json" '(s["exemptions"], s["reload_failed"])')"
	cp "$work/whole.exemptions" "$work/count.exemptions"
	in_ns "$ns" "$xdp" exempt add l1 198.18.9.10 --name "$race" >"$work/cut-add2.out" 2>&1 ||
		problem "exempt add on the mended file failed:" "$(cat "$work/cut-add2.out")"
	[ "$(grep -vc '^#' "$work/count.exemptions")" = 5 ] ||
		problem "the mended file after exempt add:" "$(cat "$work/count.exemptions")"
	in_ns "$ns" "$xdp" unload l1 --name "$race" >/dev/null 2>&1 ||
		problem "unload from l1 failed"
	race_clear
	report "op25b-xdp load and reload count the exemptions in force (3 of a file of 4, one expired), as status; a file cut short is refused by exempt add and reload (the running exemptions kept, the file untouched), shown by exempt list"
	# run's SIGHUP looked at its pins before it waited for the lock: an
	# unload that held the lock meanwhile (flock(1) plays it, detaching
	# and removing the pins) left run to reload an instance gone. Now it
	# looks under the lock, sees it gone and ends.
	ip netns exec "$ns" "$xdp" run l1 --mode generic --name "$race" \
		--policy "$root/test/vectors/enforce.yaml" >"$work/run-hup.out" 2>&1 &
	runp=$!
	pids+=("$runp")
	wait_until 10 "$runp" grep -q "running" "$work/run-hup.out" ||
		problem "run did not start:" "$(cat "$work/run-hup.out")"
	d="$OP25B_XDP_BPFFS/op25b/$race"
	timeout 20 flock -o "$d" sh -c "kill -HUP $runp; sleep 1; ip -n $ns link set l1 xdpgeneric off; rm -r '$d'"
	timeout 20 tail --pid="$runp" -f /dev/null
	wait "$runp"
	want_rc $? 1 "run whose instance an unload removed while its SIGHUP waited"
	want_has "$work/run-hup.out" "op25b-xdp: l1: unloaded by another command ($d is gone)"
	grep -q "reloaded from" "$work/run-hup.out" &&
		problem "run reloaded an instance unloaded while it waited:" "$(cat "$work/run-hup.out")"
	race_clear
	report "op25b-xdp run's SIGHUP looks at its pins under the lock: an instance unloaded while it waited is not reloaded"
	# unload --all (what the package's removal runs): every instance,
	# one attached in another network namespace than this command's
	# taken off there, a load cut short removed.
	in_ns "$ns" "$xdp" load l1 --mode generic --name "$race" \
		--policy "$root/test/vectors/enforce.yaml" >"$work/all-ld.out" 2>&1 ||
		problem "load failed:" "$(cat "$work/all-ld.out")"
	mkdir "$OP25B_XDP_BPFFS/op25b/$race-cut"
	# Another command holds the instance a moment (flock(1) plays a
	# load in progress, or run's tick): --all waits for it.
	hold_lock "$OP25B_XDP_BPFFS/op25b/$race" 1
	"$xdp" unload l1 --all >"$work/all-u1.out" 2>&1
	want_rc $? 2 "unload IFACE --all"
	"$xdp" unload --all --name "$race" >"$work/all-u2.out" 2>&1
	want_rc $? 2 "unload --all --name"
	timeout 20 "$xdp" unload --all >"$work/all.out" 2>&1
	want_rc $? 0 "unload --all"
	want_has "$work/all.out" "op25b-xdp: $race: attached to l1 in the network namespace of /run/netns/$ns: taken off there"
	want_has "$work/all.out" "op25b-xdp: unloaded from $race"
	want_has "$work/all.out" "op25b-xdp: $OP25B_XDP_BPFFS/op25b/$race-cut: the pins of a load cut short removed"
	ip -n "$ns" link show l1 | grep -q "xdp" &&
		problem "unload --all left the program on l1 (another namespace)"
	[ -z "$(ls -A "$OP25B_XDP_BPFFS/op25b")" ] ||
		problem "unload --all left pins:" "$(ls -A "$OP25B_XDP_BPFFS/op25b")"
	"$xdp" unload --all >"$work/all2.out" 2>&1
	want_rc $? 0 "unload --all with nothing loaded"
	want_has "$work/all2.out" "op25b-xdp: no instance is loaded"
	race_clear
	report "op25b-xdp unload --all: every instance, one in another network namespace taken off there (held a moment by another command: waited for), a load cut short removed; nothing loaded: said, exit 0"
fi

# A runt: left out and noted, never run.
"$xdp" replay "$root/test/vectors/$(awk '/^policy /{print $2; exit}' \
	"$root/test/vectors/malformed.vec")" "$work/malformed.pcap" \
	>"$work/runt.out" 2>"$work/runt.err"
want_rc $? 0 "replay with a runt"
# The whole line: no multi-buffer count of none ("0 frames of 0 bytes").
want_re "$work/runt.err" "^note: not run \(the kernel runs XDP on no such frame\): 1 frames shorter than an Ethernet header$"
report "op25b-xdp replay: a frame shorter than Ethernet is left out and noted, nothing said of frames it did not meet"

# Refusals: one clear line, exit 1.
printf 'version: 1\ndefault: allow\nsources:\n  a: {action: block, prefixes: [198.18.0.0/33]}\n' \
	>"$work/bad.yaml"
"$xdp" replay "$work/bad.yaml" "$work/enforce.pcap" >"$work/bad.out" 2>"$work/bad.err"
want_rc $? 1 "replay with a broken policy"
want_re "$work/bad.err" "^$work/bad.yaml:4:[0-9]+: error: "
want_lines "$work/bad.err" 1
report "op25b-xdp refuses a broken policy with file:line:column: error"

# Adaptive: a timestamped capture of SYN bursts (xdp_adaptive.py) under
# xdp_adaptive.yaml, replayed by both on the capture's clock: N allowed,
# N+1 blocked and the source's other segments with it, a group's allow
# and submission neither counted nor blocked, another source unaffected,
# the destinations limit, IPv6 keyed by its /64, block: reset, block_for
# and an emptied window starting the count again; then in monitor mode
# with ipv6_key /48 (the other /64 now shares the count).
"$py" "$root/test/integration/xdp_adaptive.py" "$work/ad.pcap" ||
	problem "xdp_adaptive.py failed"
sed -e 's/^block: drop/mode: monitor\nblock: drop/' \
	-e 's/block_for: 10s}/block_for: 10s, ipv6_key: \/48}/' \
	"$root/test/integration/xdp_adaptive.yaml" >"$work/ad-monitor.yaml"
for p in xdp_adaptive ad-monitor; do
	pol="$root/test/integration/$p.yaml"
	[ $p = ad-monitor ] && pol="$work/$p.yaml"
	replay_both "$p" "$pol" "$work/ad.pcap"
done
t="$work/xdp_adaptive.xdp.txt"
want_has "$t" "35 packets: non_smtp 0 submission 1 fragments 0 malformed 0 exempted 0 forwarded 23 counted 0 blocked 9 reset 2"
want_has "$t" "adaptive: 6 sources blocked for going over a limit (adaptive_triggered), 0 evicted, 0 untracked (table full)"
# Packet by packet: the verdicts the policy documents (doc/policy.md).
verdicts=$(grep -E '^ +[0-9]+  ' "$t" | awk '{print $2}' | tr '\n' ' ')
want="forwarded forwarded forwarded blocked blocked forwarded submission forwarded blocked forwarded forwarded forwarded blocked blocked forwarded forwarded forwarded blocked forwarded forwarded forwarded reset blocked forwarded forwarded forwarded forwarded blocked forwarded forwarded forwarded blocked forwarded forwarded reset "
[ "$verdicts" = "$want" ] || problem "adaptive verdicts:" "$verdicts"
t="$work/ad-monitor.xdp.txt"
want_has "$t" "35 packets: non_smtp 0 submission 1 fragments 0 malformed 0 exempted 0 forwarded 22 counted 12 blocked 0 reset 0"
want_re "$t" "^ +19  counted    forward  hosting .* 2001:db8:1:6::1 "
report "op25b-xdp replay = op25b-policy replay on adaptive SYN bursts (capture clock): N allowed, N+1 blocked, destinations, IPv6 /64 and /48 keys, reset, block_for, monitor"
# The smallest state (64 sources) holds the capture's few: the same.
"$xdp" replay "$root/test/integration/xdp_adaptive.yaml" "$work/ad.pcap" \
	--adaptive-entries 64 >"$work/ad64.txt" 2>&1 ||
	problem "replay --adaptive-entries 64 failed:" "$(tail -3 "$work/ad64.txt")"
cmp -s "$work/ad64.txt" "$work/xdp_adaptive.xdp.txt" ||
	problem "replay --adaptive-entries 64 differs"
for n in 63 16777217 1k -1; do
	"$xdp" replay "$root/test/integration/xdp_adaptive.yaml" "$work/ad.pcap" \
		--adaptive-entries $n >"$work/adn.out" 2>"$work/adn.err"
	want_rc $? 2 "--adaptive-entries $n"
	want_re "$work/adn.err" "^op25b-xdp: --adaptive-entries $n: expected 64\.\.16777216 sources$"
	[ "$(wc -l <"$work/adn.err")" -eq 1 ] ||
		problem "--adaptive-entries $n: more than the one line:" "$(cat "$work/adn.err")"
	want_empty "$work/adn.out"
done
report "op25b-xdp --adaptive-entries: 64 sources enforce as many; 63, 2^24+1, 1k, -1 refused in one line"
# block: notify: handshakes on the capture's clock, the same lines and
# reply bytes on both sides; the verdicts as notify.c answers them, and
# the greetings in the replies.
verdicts() { # FILE: outcome and disposition, one packet a line
	awk '/^ +[0-9]+  /{printf "%s/%s ", $2, $3}' "$1"
}
greetings() { # CAPTURE: how many frames carry the greeting
	"$py" - "$1" <<'EOF'
import sys
print(open(sys.argv[1], "rb").read().count(b"554 5.7.1 Port 25 is closed: use 587.\r\n"))
EOF
}
# notify_case ID POLICY [budget] VERDICTS GREETINGS: the capture of
# xdp_notify.py (its budget part with "budget") replayed by both, the
# same; the program's verdicts and the greetings in its replies as given.
notify_case() {
	local id=$1 pol=$2 part=$3 want=$4 greet=$5 got
	"$py" "$root/test/integration/xdp_notify.py" "$work/$id.pcap" $notify_key $part ||
		problem "xdp_notify.py $part failed"
	replay_both "$id" "$pol" "$work/$id.pcap"
	got=$(verdicts "$work/$id.xdp.txt")
	[ "$got" = "$want" ] || problem "$id: verdicts" "got  $got" "want $want"
	[ "$(greetings "$work/$id.xdp.rep.pcap")" = "$greet" ] ||
		problem "$id: not $greet greetings in the replies"
}
hs='blocked/reply blocked/reply blocked/reply blocked/drop reset/reply reset/reply '
notify_case notify-hs "$root/test/integration/xdp_notify.yaml" "" \
	"$hs${hs}blocked/reply reset/reply reset/reply reset/reply blocked/reply blocked/reply reset/reply blocked/drop blocked/drop " 5
report "block: notify handshakes (IPv4, IPv6; wrong cookie, data, FIN, next slot, two slots late): op25b-xdp replay = op25b-policy replay, 5 greetings"

# notify_rate: 2 a second (per CPU; replay runs on one): the third and
# fourth SYN of a second and a greeting over it get RSTs; a second later
# the budget is back.
sed 's/^notice:.*/&\nnotify_rate: 2/' "$root/test/integration/xdp_notify.yaml" \
	>"$work/budget.yaml"
notify_case notify-budget "$work/budget.yaml" budget \
	"blocked/reply blocked/reply reset/reply reset/reply reset/reply blocked/reply blocked/reply reset/reply reset/reply blocked/reply " 1
report "block: notify's notify_rate: over budget RST on both sides, the same bytes; refilled a second later"

# monitor mode answers nothing: counted, forwarded.
sed 's/^mode: enforce/mode: monitor/' "$root/test/integration/xdp_notify.yaml" \
	>"$work/monitor.yaml"
replay_both notify-mon "$work/monitor.yaml" "$work/notify-hs.pcap"
got=$(verdicts "$work/notify-mon.xdp.txt" | tr ' ' '\n' | grep . | sort -u | tr '\n' ' ')
[ "$got" = "counted/forward " ] || problem "monitor: verdicts $got"
[ "$(stat -c %s "$work/notify-mon.xdp.rep.pcap")" = 24 ] ||
	problem "monitor: a reply (R is more than a pcap header)"
report "block: notify in monitor mode: every packet counted and forwarded, no reply"

# A verifier rejection: the test hook loads the same object as a socket
# filter, which the verifier refuses; one line with its last lines.
OP25B_XDP_TEST_REJECT=1 "$xdp" replay "$root/test/vectors/enforce.yaml" \
	"$work/enforce.pcap" >"$work/rej.out" 2>"$work/rej.err"
want_rc $? 1 "replay with the program refused"
want_re "$work/rej.err" "^op25b-xdp: the kernel refuses the program \((Invalid argument|Permission denied)\): .* \| .*cannot use helper bpf_xdp_get_buff_len"
want_lines "$work/rej.err" 1
want_empty "$work/rej.out"
report "op25b-xdp reports a verifier rejection in one line with the verifier's last lines"

# exempt: what is wrong with the command line is said before any instance
# is looked for.
"$xdp" exempt add no-such-if0 198.18.5.1/16 >"$work/ex.out" 2>"$work/ex.err"
want_rc $? 1 "exempt add with host bits set"
want_has "$work/ex.err" "op25b-xdp: exempt add: bad prefix 198.18.5.1/16: host bits set (did you mean 198.18.0.0/16?)"
want_lines "$work/ex.err" 1
"$xdp" exempt add no-such-if0 ::/0 >"$work/ex.out" 2>"$work/ex.err"
want_rc $? 1 "exempt add ::/0"
want_has "$work/ex.err" "--force if you mean it"
"$xdp" exempt add no-such-if0 198.18.5.9 --ttl 5x >"$work/ex.out" 2>"$work/ex.err"
want_rc $? 1 "exempt add with a bad duration"
want_has "$work/ex.err" "op25b-xdp: exempt add: bad duration '5x'"
"$xdp" exempt del no-such-if0 198.18.5.9 --ttl 5m >/dev/null 2>&1
want_rc $? 2 "exempt del with --ttl"
"$xdp" exempt frob no-such-if0 >/dev/null 2>&1
want_rc $? 2 "exempt frob"
"$xdp" exempt add no-such-if0 198.18.5.9 --name "xdp-replay-none-$$" >"$work/ex.out" 2>"$work/ex.err"
want_rc $? 1 "exempt add on no instance"
want_has "$work/ex.err" "no instance is loaded there (op25b-xdp load)"
report "op25b-xdp exempt: bad prefix, ::/0 without --force, bad duration, usage, no instance: one line each"

"$xdp" load no-such-if0 --policy "$root/test/vectors/enforce.yaml" \
	>"$work/if.out" 2>"$work/if.err"
want_rc $? 1 "load on an unknown interface"
want_has "$work/if.err" "op25b-xdp: no-such-if0: no such interface"
want_lines "$work/if.err" 1
report "op25b-xdp load on an unknown interface: one line, exit 1"

# A policy path the program could not keep whole for its reloads (256
# bytes or more): refused before anything is loaded (in a network
# namespace of its own: its lo, which nothing else uses).
long="$work/$(printf 'a%.0s' $(seq 1 200))/$(printf 'b%.0s' $(seq 1 60))"
mkdir -p "$long"
cp "$root/test/vectors/enforce.yaml" "$long/policy.yaml"
unshare --net "$xdp" load lo --policy "$long/policy.yaml" --name "xdp-replay-long-$$" \
	>"$work/long.out" 2>"$work/long.err"
want_rc $? 1 "load with a policy path over 255 bytes"
want_has "$work/long.err" "error: the policy's path is longer than 255 bytes (a reload reads it back)"
report "op25b-xdp load refuses a policy path longer than the program keeps"

"$xdp" --help >"$work/help.out" 2>&1
want_rc $? 0 "--help"
for w in load reload unload status replay run exempt --policy --exemptions \
	--ttl --reason --force --mode --name --out --replies --json \
	--adaptive-entries; do
	grep -q -- "$w" "$work/help.out" || problem "--help does not mention $w"
done
"$xdp" frobnicate >/dev/null 2>&1
want_rc $? 2 "an unknown command"
report "op25b-xdp --help names every command and option; unknown command: exit 2"
exit $status
