#!/usr/bin/env bash
# An op25b-xdp instance pinned by another version of op25b-xdp: its maps'
# values may be of another layout. The kernel copies a map's own value
# size into the reader's buffer, so op25b-stat --xdp and op25b-xdp status
# would sum counters at the wrong offsets, or write past the buffer when
# the other version's values are larger. Here an instance loaded on a
# veth of our own namespace gets (a) its pinned op25b_counters replaced by
# a map whose values are 8 bytes larger (what the next added counter makes
# them), (b) its adaptive maps removed (an op25b-xdp from before adaptive
# pinned none), (c) an exemption table whose inner map's values are 32
# bytes (status reads its entries), (d) its adaptive maps removed and its
# interface renamed: op25b-stat --xdp, status, reload and exempt add
# refuse it with one line that says another version loaded it; unload
# still takes the program off the interface (found by the program's id
# where the name no longer finds it) and removes the pins. Needs root.
# Prints "ok NAME" / "not ok NAME" lines.
set -uo pipefail
. "$(dirname "$0")/common.bash"
scenario xdp-layout

xdp="$build/app/op25b-xdp/op25b-xdp"
ns="op25b-xl-$$"
export OP25B_XDP_BPFFS="$work/bpffs"
cleanup_more() {
	umount "$OP25B_XDP_BPFFS" 2>/dev/null
}

need_xdp "op25b-xdp: an instance of another layout"
command -v bpftool >/dev/null || {
	echo "not ok op25b-xdp: an instance of another layout"
	echo "#   bpftool is missing: run scripts/setup.sh"
	exit 1
}
xdp_veth_ns "op25b-xdp: an instance of another layout" "$ns"
printf 'version: 1\ndefault: allow\n' >"$work/pass.yaml"
pins="$OP25B_XDP_BPFFS/op25b/$name"

# load_ok: this version's instance on l0, read by op25b-stat.
load_ok() {
	in_ns "$ns" "$xdp" load l0 --policy "$work/pass.yaml" --name "$name" \
		--exemptions "$work/l0.exemptions" >"$work/load.out" 2>&1 ||
		problem "load failed:" "$(cat "$work/load.out")"
	in_ns "$ns" "$stat" --xdp "$name" --json >"$work/stat-ok.json" 2>&1 ||
		problem "op25b-stat --xdp of this version's instance failed:" "$(cat "$work/stat-ok.json")"
}
# refused CMD...: CMD exits non-zero and says why in one line.
refused() {
	local out="$work/refused.out" rc
	in_ns "$ns" "$@" >"$out" 2>&1
	rc=$?
	[ $rc -ne 0 ] || problem "$* exited 0:" "$(head -5 "$out")"
	grep -q "another version" "$out" ||
		problem "$*: no line says another version loaded it:" "$(head -5 "$out")"
	[ "$(wc -l <"$out")" -eq 1 ] || problem "$*: not one line:" "$(head -5 "$out")"
}
# all_refused WHAT [IFACE]: every reader and writer refuses the instance,
# unload removes it from IFACE (l0 by default: the name it was loaded on).
all_refused() {
	local on=${2:-l0}
	refused "$stat" --xdp "$name"
	refused "$stat" --xdp "$name" --prometheus
	refused "$xdp" status l0 --name "$name" --json
	refused "$xdp" reload l0 --name "$name"
	refused "$xdp" exempt add l0 198.18.7.0/24 --name "$name"
	# Listing every instance says it too (and lists nothing of it).
	in_ns "$ns" "$xdp" status >"$work/all.out" 2>&1
	want_rc $? 1 "status of every instance, one of another version"
	want_has "$work/all.out" "another version"
	report "xdp layout, $1: op25b-stat --xdp, status, reload and exempt add refuse it in one line saying another version loaded it"
	in_ns "$ns" "$xdp" unload l0 --name "$name" >"$work/unload.out" 2>&1 ||
		problem "unload failed:" "$(cat "$work/unload.out")"
	[ ! -e "$pins" ] || problem "the pins are still there:" "$(ls "$pins")"
	ip -n "$ns" link show "$on" >"$work/link.out" 2>&1
	grep -q "prog/xdp" "$work/link.out" &&
		problem "a program is still attached to $on:" "$(cat "$work/link.out")"
	report "xdp layout, $1: unload takes it off the interface and removes its pins"
}

load_ok
report "xdp layout: an instance of this version loads and reads"
[ $status = 0 ] || exit $status
# (a) The counters' value size, and a map 8 bytes larger under the same
# pin.
value=$(bpftool map show pinned "$pins/op25b_counters" 2>"$work/show.err" |
	sed -n 's/.*value \([0-9]*\)B.*/\1/p')
if [ -z "$value" ]; then
	problem "bpftool map show: no value size:" "$(cat "$work/show.err")"
else
	rm -f "$pins/op25b_counters"
	bpftool map create "$pins/op25b_counters" type percpu_array key 4 \
		value $((value + 8)) entries 1 name op25b_counters \
		>"$work/create.out" 2>&1 ||
		problem "bpftool map create failed:" "$(cat "$work/create.out")"
fi
report "xdp layout: the pinned counters replaced by a map of values 8 bytes larger"
[ $status = 0 ] || exit $status
all_refused "counters 8 bytes larger"

# (b) No adaptive maps.
load_ok
rm "$pins/op25b_adaptive" "$pins/op25b_adaptive_counts"
all_refused "no adaptive maps"

# (c) The IPv4 exemption table of every generation an LPM trie of 32-byte
# values (its key as this version's), with one entry.
load_ok
# The inner map of the generation that has one: its id, then its key size.
id=$(for g in 0 1; do
	bpftool -j map lookup pinned "$pins/op25b_exempt4" key "$g" 0 0 0 2>/dev/null
	echo
done | "$py" -c '
import json, sys
for line in sys.stdin:
    try:
        v = json.loads(line)
    except ValueError:
        continue
    if isinstance(v, dict) and "value" in v:
        print(int.from_bytes(bytes(int(b, 16) for b in v["value"]), "little"))
        break')
key=$(bpftool -j map show id "${id:-0}" 2>/dev/null |
	"$py" -c 'import json, sys; print(json.load(sys.stdin)["bytes_key"])' 2>/dev/null)
if [ -z "$key" ]; then
	problem "no inner map of op25b_exempt4 (id '$id')"
else
	rm -f "$pins/op25b_exempt4"
	bpftool map create "$work/bpffs/inner" type lpm_trie key "$key" value 32 \
		entries 16 name inner flags 1 &&
		bpftool map update pinned "$work/bpffs/inner" \
			key 24 0 0 0 198 18 7 0 value $(printf '0 %.0s' $(seq 32)) &&
		bpftool map create "$pins/op25b_exempt4" type array_of_maps key 4 \
			value 4 entries 2 name op25b_exempt4 \
			inner_map pinned "$work/bpffs/inner" &&
		bpftool map update pinned "$pins/op25b_exempt4" key 0 0 0 0 \
			value pinned "$work/bpffs/inner" &&
		bpftool map update pinned "$pins/op25b_exempt4" key 1 0 0 0 \
			value pinned "$work/bpffs/inner" >"$work/inner.out" 2>&1 ||
		problem "bpftool: the inner map:" "$(cat "$work/inner.out")"
	rm -f "$work/bpffs/inner"
fi
all_refused "exemption table of 32-byte values"

# (d) No adaptive maps, the interface renamed since the load.
load_ok
rm "$pins/op25b_adaptive" "$pins/op25b_adaptive_counts"
ip -n "$ns" link set l0 down && ip -n "$ns" link set l0 name l0x &&
	ip -n "$ns" link set l0x up || problem "renaming l0 failed"
all_refused "interface renamed" l0x
exit $status
