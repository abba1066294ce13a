#!/usr/bin/env bash
# op25b-xdp run and a step of the wall clock. An exemption's expiry is
# wall-clock time in its file and on `exempt list`, and the program's
# clock is CLOCK_BOOTTIME: the entry's expiry is converted when written.
# A step back (NTP correcting a clock that ran ahead) would end the
# exemption early in the program while the list still shows time left; a
# step forward keeps it until run's expiry removes it. Here run (on a
# veth of our own namespace) holds an exemption of 3 s; the wall clock of
# run and of the commands alone (a build with the tests reads a step in
# milliseconds from OP25B_TEST_WALL_STEP_FILE) steps 60 s back: 4 s
# later the program still applies it (status: exemptions 1), the list
# shows it with about 58 s left; stepped forward again, it is gone from
# the program and the list within two seconds. Then the file is cut short
# under run and the clock steps past another's end: it leaves the program,
# the file is left alone, run says so once. Needs root.
# Prints "ok NAME" / "not ok NAME" lines.
set -uo pipefail
. "$(dirname "$0")/common.bash"
scenario xdp-clock

xdp="$build/app/op25b-xdp/op25b-xdp"
ns="op25b-xk-$$"
export OP25B_XDP_BPFFS="$work/bpffs"
export OP25B_TEST_WALL_STEP_FILE="$work/step"
cleanup_more() {
	umount "$OP25B_XDP_BPFFS" 2>/dev/null
}

need_xdp "op25b-xdp run: exemptions across a step of the wall clock"
xdp_veth_ns "op25b-xdp run: exemptions across a step of the wall clock" "$ns"
printf 'version: 1\ndefault: allow\n' >"$work/pass.yaml"
echo 0 >"$work/step"

ip netns exec "$ns" "$xdp" run l0 --policy "$work/pass.yaml" --name "$name" \
	--exemptions "$work/l0.exemptions" >"$work/run.out" 2>&1 &
bg_pid=$!
wait_until 10 "$bg_pid" grep -q "running" "$work/run.out" ||
	problem "run did not start:" "$(cat "$work/run.out")"
# exemptions_in_force: what the program applies (unexpired on its clock).
exemptions_in_force() {
	in_ns "$ns" "$xdp" status l0 --name "$name" --json >"$work/st.json" 2>&1 &&
		field "$work/st.json" 's["exemptions"]'
}
in_ns "$ns" "$xdp" exempt add l0 198.18.9.0/24 --ttl 3 --name "$name" \
	>"$work/add.out" 2>&1 || problem "exempt add failed:" "$(cat "$work/add.out")"
[ "$(exemptions_in_force)" = 1 ] || problem "status after exempt add:" "$(cat "$work/st.json")"
report "xdp clock: run holds an exemption of 3 s"
[ $status = 0 ] || exit $status

# The wall clock 60 s back; past the 3 s on the program's clock.
echo -60000 >"$work/step"
sleep 4
[ "$(exemptions_in_force)" = 1 ] ||
	problem "the wall clock stepped 60 s back, 4 s later the program no longer applies the exemption:" "$(cat "$work/st.json")"
in_ns "$ns" "$xdp" exempt list l0 --name "$name" --json >"$work/list.json" 2>&1
left=$(field "$work/list.json" 's[0]["seconds_left"] if s else -1')
[ "$left" -ge 55 ] && [ "$left" -le 60 ] ||
	problem "exempt list after the step: seconds_left $left, want 55..60:" "$(cat "$work/list.json")"
report "xdp clock: the wall clock 60 s back, the program applies the exemption past its 3 s, as its list says"

# Forward again: its end passed on the wall clock.
echo 0 >"$work/step"
gone() {
	[ "$(exemptions_in_force)" = 0 ] &&
		in_ns "$ns" "$xdp" exempt list l0 --name "$name" >"$work/list.txt" 2>&1 &&
		grep -q "no exemptions" "$work/list.txt"
}
wait_until 5 "$bg_pid" gone ||
	problem "the wall clock forward again: the exemption stays:" "$(cat "$work/st.json" "$work/list.txt")"
report "xdp clock: the wall clock forward past its end, the exemption leaves the program and the list"

# The file damaged under run (its end line gone: cut short, a copy
# caught midway): the tick read it strictly and did nothing, for good and
# unsaid, and an exemption past its end on the wall clock (stepped
# forward) went on applying. Now its expired entries leave the program,
# the file is left as it is, and run says so once.
in_ns "$ns" "$xdp" exempt add l0 198.18.8.0/24 --ttl 60 --name "$name" \
	>"$work/add2.out" 2>&1 || problem "exempt add failed:" "$(cat "$work/add2.out")"
[ "$(exemptions_in_force)" = 1 ] || problem "status after exempt add:" "$(cat "$work/st.json")"
cp "$work/l0.exemptions" "$work/whole"
# Into place by a rename: a tick never reads it half written.
head -n 2 "$work/whole" >"$work/cut" && cp "$work/cut" "$work/cut.new" &&
	mv "$work/cut.new" "$work/l0.exemptions"
echo 120000 >"$work/step"
none_in_force() { [ "$(exemptions_in_force)" = 0 ]; }
wait_until 5 "$bg_pid" none_in_force ||
	problem "the wall clock 120 s forward, a damaged file: the exemption stays in the program:" "$(cat "$work/st.json")"
cmp -s "$work/cut" "$work/l0.exemptions" || problem "run wrote the damaged file:" "$(cat "$work/l0.exemptions")"
sleep 1.5
n=$(grep -c "l0.exemptions:2: warning: no end line .*: expired exemptions leave the program, not the file, until it is mended" "$work/run.out")
[ "$n" = 1 ] || problem "run said the damaged file $n times, want 1:" "$(tail -5 "$work/run.out")"
echo 0 >"$work/step"
# Mended (the whole file back, its expired entry dropped by the tick):
# said once.
cp "$work/whole" "$work/whole.new" && mv "$work/whole.new" "$work/l0.exemptions"
mended() { grep -q "l0.exemptions: mended" "$work/run.out"; }
wait_until 5 "$bg_pid" mended ||
	problem "run did not say the file was mended:" "$(tail -5 "$work/run.out")"
report "xdp clock: a damaged file under run (its end line gone), the wall clock forward past an end: the exemption leaves the program, the file is left as it is, said once"

stop_bg TERM 10
want_rc "$rc" 0 "run's exit status"
[ ! -e "$OP25B_XDP_BPFFS/op25b/$name" ] || problem "pins left after run's SIGTERM"
report "xdp clock: SIGTERM unloads"

# A run whose instance another command unloaded and loaded again: the
# pins are the new program's. The old run removed them at its SIGTERM
# (the new program left attached with nothing to status or unload it
# by), or, before that, said "cannot lock" every second. It stops at its
# next tick, exit 1, saying so; the new instance stays whole.
ip netns exec "$ns" "$xdp" run l0 --policy "$work/pass.yaml" --name "$name" \
	--exemptions "$work/l0.exemptions" >"$work/run2.out" 2>&1 &
bg_pid=$!
wait_until 10 "$bg_pid" grep -q "running" "$work/run2.out" ||
	problem "run did not start:" "$(cat "$work/run2.out")"
in_ns "$ns" "$xdp" unload l0 --name "$name" >"$work/unload.out" 2>&1 ||
	problem "unload failed:" "$(cat "$work/unload.out")"
in_ns "$ns" "$xdp" load l0 --policy "$work/pass.yaml" --name "$name" \
	--mode generic --exemptions "$work/l0.exemptions" >"$work/load.out" 2>&1 ||
	problem "load failed:" "$(cat "$work/load.out")"
stop_process "$bg_pid" 0 5
bg_pid=""
want_rc "$rc" 1 "the old run's exit status"
# Its tick may fall between the unload and the load: either line.
[ "$(grep -cE "op25b-xdp: l0: ($OP25B_XDP_BPFFS/op25b/$name is another instance's now|unloaded by another command)" "$work/run2.out")" = 1 ] ||
	problem "the old run did not say why it stopped, once:" "$(cat "$work/run2.out")"
in_ns "$ns" "$xdp" status l0 --name "$name" >"$work/st2.out" 2>&1 ||
	problem "status of the new instance failed:" "$(cat "$work/st2.out")"
in_ns "$ns" "$xdp" unload l0 --name "$name" >"$work/unload2.out" 2>&1 ||
	problem "unload of the new instance failed:" "$(cat "$work/unload2.out")"
[ ! -e "$OP25B_XDP_BPFFS/op25b/$name" ] || problem "pins left after unload"
report "xdp clock: a run whose instance was unloaded and loaded again by other commands stops (exit 1) and leaves the new instance's pins"
exit $status
