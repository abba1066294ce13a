#!/usr/bin/env bash
# End to end: real SMTP peers through op25b-xdp. Three network namespaces of
# our own, a router between a client and a server:
#     client c0 <-> x0 [router, op25b-xdp native on x0] x1 <-> s0 server
# The router forwards with the kernel (ip_forward); the XDP program sits on
# its subscriber-side veth. A veth delivers XDP_TX frames (the resets) only
# to a peer that runs XDP itself, so c0 gets an allow-all op25b-xdp too.
# Scenarios: block: reset (refused at once), submission, relay, static,
# IPv6, block: notify (swaks gets the 554 greeting), an exemption granted
# and ended live, reload to block: drop under
# traffic (timeout), action adaptive (N delivered, the next refused, again
# after block_for), unload (delivered); then op25b-xdp run: SIGHUP
# reloads (a bad policy keeps the running one), expired exemptions leave,
# SIGTERM unloads.
# Each checks swaks' outcome, the mailbox, and op25b-xdp status --json.
# Prints "ok NAME" / "not ok NAME" lines; details follow as "#   " lines.
set -uo pipefail
work=$(mktemp -d /tmp/op25b-xdp-e2e.XXXXXX)
# shellcheck source=../integration/common.bash
. "$(dirname "$0")/../integration/common.bash"

xdp="$build/app/op25b-xdp/op25b-xdp"
nc="op25b-xc-$$" nr="op25b-xr-$$" nsv="op25b-xs-$$"
name="e2e-xdp-$$" cname="e2e-xdp-c-$$"
bg_pids=()
# Pins in a bpffs of our own: ip netns exec remounts /sys, so that
# /sys/fs/bpf would not be the same from one command to the next.
export OP25B_XDP_BPFFS="$work/bpffs"

cleanup() {
	local p
	for p in "${bg_pids[@]}"; do
		kill -TERM "$p" 2>/dev/null
	done
	netns_cleanup # the veths go with the namespaces, the programs too
	kill_pids "${bg_pids[@]}"
	wait 2>/dev/null
	rm -rf "$OP25B_XDP_BPFFS/op25b/$name" "$OP25B_XDP_BPFFS/op25b/$cname" \
		"$OP25B_XDP_BPFFS/op25b/$name-y0" "$OP25B_XDP_BPFFS/op25b/$name-y2"
	umount "$OP25B_XDP_BPFFS" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

now_ms() { echo $(($(date +%s%N) / 1000000)); }

if [ ! -x "$xdp" ]; then
	echo "ok e2e op25b-xdp # SKIP built without -Dxdp (no libbpf, clang or bpftool)"
	exit 0
fi
mkdir -p "$OP25B_XDP_BPFFS"
if ! mount -t bpf bpf "$OP25B_XDP_BPFFS" 2>"$work/mount.err"; then
	echo "ok e2e op25b-xdp # SKIP cannot mount a bpffs: $(head -1 "$work/mount.err")"
	exit 0
fi
if ! netns_add "$nc" || ! netns_add "$nr" || ! netns_add "$nsv"; then
	echo "ok e2e op25b-xdp # SKIP $netns_err"
	exit 0
fi

dyn4=198.18.1.10 sta4=198.18.1.200 mx4=198.19.2.25 relay4=198.19.2.26
dyn6=2001:db8:1::10 mx6=2001:db8:2::25
write_policy() { # FILE BLOCK
	e2e_policy enforce "$2" "$sta4/32" "$relay4/32" >"$1"
}
write_policy "$work/reset.yaml" reset
write_policy "$work/drop.yaml" drop
write_policy "$work/notify.yaml" notify
echo 'notice: "Port 25 is closed for dynamic addresses: use 587."' >>"$work/notify.yaml"
# The longest notice a policy takes (400 characters): its greeting (412
# bytes) is mostly more room than a veth gives the small frame of a
# client's ACK (XDP_PACKET_HEADROOM less the xdp_frame at its head, a few
# to tens of bytes at its tail), though not always: the tail's room is
# the skb's, as the sender's stack allocated it.
write_policy "$work/notify-long.yaml" notify
printf 'notice: "Port 25 is closed for dynamic addresses: use 587.%0351d"\n' 0 \
	>>"$work/notify-long.yaml"
printf 'version: 1\ndefault: allow\n' >"$work/pass.yaml"

net_setup() {
	local n
	for n in "$nc" "$nsv" "$nr"; do
		in_ns "$n" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
			net.ipv6.conf.default.accept_dad=0 || return 1
	done
	veth "$nc:c0" "$nr:x0" || return 1
	veth "$nsv:s0" "$nr:x1" || return 1
	in_ns "$nr" sysctl -qw net.ipv4.ip_forward=1 \
		net.ipv6.conf.all.forwarding=1 || return 1
	# Offloads off at the ends: no partial checksums to complete.
	in_ns "$nc" ethtool -K c0 tx off >/dev/null || return 1
	in_ns "$nsv" ethtool -K s0 tx off >/dev/null || return 1
	ip -n "$nc" addr add "$dyn4/24" dev c0 &&
		ip -n "$nc" addr add "$sta4/24" dev c0 &&
		ip -n "$nc" addr add "$dyn6/64" dev c0 nodad &&
		ip -n "$nr" addr add 198.18.1.1/24 dev x0 &&
		ip -n "$nr" addr add 2001:db8:1::1/64 dev x0 nodad &&
		ip -n "$nr" addr add 198.19.2.1/24 dev x1 &&
		ip -n "$nr" addr add 2001:db8:2::1/64 dev x1 nodad &&
		ip -n "$nsv" addr add "$mx4/24" dev s0 &&
		ip -n "$nsv" addr add "$relay4/24" dev s0 &&
		ip -n "$nsv" addr add "$mx6/64" dev s0 nodad &&
		ip -n "$nc" route add default via 198.18.1.1 &&
		ip -n "$nc" -6 route add default via 2001:db8:1::1 &&
		ip -n "$nsv" route add default via 198.19.2.1 &&
		ip -n "$nsv" -6 route add default via 2001:db8:2::1
}
net_setup >"$work/setup.err" 2>&1 ||
	problem "namespace/veth set-up failed:" "$(cat "$work/setup.err")"
report "e2e xdp namespaces: client, router, server"
[ $status = 0 ] || exit $status

listeners=("$mx4:25" "$mx4:587" "$relay4:25" "$mx6:25" "$mx6:587")
smtp_servers "$nsv" "${listeners[@]}"
wait_until 10 - smtp_listening "$nsv" "${listeners[@]}" ||
	problem "aiosmtpd not listening:" "$(in_ns "$nsv" ss -Hltn)"

# load: the subscriber side, and an allow-all program on the client's end.
in_ns "$nr" "$xdp" load x0 --policy "$work/reset.yaml" --name "$name" \
	--exemptions "$work/x0.exemptions" >"$work/load.out" 2>&1 || problem "load failed:" "$(cat "$work/load.out")"
in_ns "$nc" "$xdp" load c0 --policy "$work/pass.yaml" --name "$cname" \
	--exemptions "$work/c0.exemptions" >"$work/loadc.out" 2>&1 || problem "load on c0 failed:" "$(cat "$work/loadc.out")"
in_ns "$nr" "$xdp" status x0 --name "$name" --json >"$work/st.json" 2>&1
[ "$(field "$work/st.json" 's["mode"]')" = native ] ||
	problem "status: not attached natively:" "$(cat "$work/st.json")"
report "e2e xdp load: attached natively on x0, pinned, status --json"
[ $status = 0 ] || exit $status

status_json() { in_ns "$nr" "$xdp" status x0 --name "$name" --json >"$1" 2>&1; }
counter() { field "$1" "s[\"packets\"][\"$2\"]"; }
# scenario ID SRC DST PORT EXPECT [COUNTER MIN]: one mail; EXPECT
# deliver, refused (a reset: at once) or timeout (a drop).
scenario() {
	local id=$1 src=$2 dst=$3 port=$4 expect=$5 key=${6:-} min=${7:-0}
	local subject="xdp-e2e-$id-$$" out="$work/$id.swaks" t0 elapsed rc f b a moved
	status_json "$work/before.json"
	t0=$(now_ms)
	timeout 15 ip netns exec "$nc" swaks --server "$dst" --port "$port" \
		--local-interface "$src" --from "e2e@client.test" \
		--to postmaster@server.test --header "Subject: $subject" \
		--timeout 3 >"$out" 2>&1
	rc=$?
	elapsed=$(($(now_ms) - t0))
	f=$(grep -rlF -- "Subject: $subject" "$work/mail" 2>/dev/null)
	case $expect in
	deliver)
		[ "$rc" = 0 ] && [ -n "$f" ] ||
			problem "not delivered (swaks $rc):" "$(tail -5 "$out")" ;;
	refused)
		[ "$rc" != 0 ] && [ -z "$f" ] && [ "$elapsed" -lt 1500 ] &&
			grep -qiE "refused|reset" "$out" ||
			problem "want refused at once, got swaks $rc after $elapsed ms:" \
				"$(tail -3 "$out")" ;;
	timeout)
		[ "$rc" != 0 ] && [ -z "$f" ] && [ "$elapsed" -ge 2500 ] ||
			problem "want a timeout, got swaks $rc after $elapsed ms:" \
				"$(tail -3 "$out")" ;;
	esac
	if [ -n "$key" ]; then
		status_json "$work/after.json"
		b=$(counter "$work/before.json" "$key")
		a=$(counter "$work/after.json" "$key")
		[ $((a - b)) -ge "$min" ] ||
			problem "counter $key grew by $((a - b)), want >= $min"
		# Every other outcome stays where it was (non_smtp moves
		# with stray neighbour discovery): a mail is judged one way.
		moved=$("$py" - "$work/before.json" "$work/after.json" "$key" <<'EOF'
import json, sys
b, a = (json.load(open(f))["packets"] for f in sys.argv[1:3])
print(" ".join(f"{k}+{a[k] - b.get(k, 0)}" for k in sorted(a)
               if k not in (sys.argv[3], "non_smtp") and a[k] != b.get(k, 0)))
EOF
)
		[ -z "$moved" ] || problem "other outcomes moved: $moved"
	fi
}

scenario dyn-mx "$dyn4" "$mx4" 25 refused reset 1
report "e2e xdp dynamic -> MX:25 with block: reset: refused at once (XDP_TX), reset counted"
# op25b-stat reads the same counters, under op25b's names. Stray traffic
# (IPv6 neighbour discovery, router solicitations) can move non_smtp between
# two reads, so each figure must lie between status before and after it.
stat="$build/app/op25b-stat/op25b-stat"
status_json "$work/st-before.json"
"$stat" --xdp "$name" --json >"$work/stat.json" 2>"$work/stat.err" ||
	problem "op25b-stat --xdp --json failed:" "$(cat "$work/stat.err")"
"$stat" --xdp "$name" --prometheus >"$work/stat.prom" 2>>"$work/stat.err" ||
	problem "op25b-stat --xdp --prometheus failed:" "$(cat "$work/stat.err")"
"$stat" --xdp "$name" >"$work/stat.txt" 2>>"$work/stat.err" ||
	problem "op25b-stat --xdp failed:" "$(cat "$work/stat.err")"
status_json "$work/st-after.json"
for k in reset non_smtp; do
	lo=$(counter "$work/st-before.json" $k)
	hi=$(counter "$work/st-after.json" $k)
	got=$(field "$work/stat.json" "s[\"packets\"][\"$k\"]")
	[ "$got" -ge "$lo" ] && [ "$got" -le "$hi" ] ||
		problem "op25b-stat --json packets.$k is $got, status read $lo before and $hi after"
	got=$(sed -n "s/^op25b_packets_total{outcome=\"$k\"} \([0-9]*\)$/\1/p" "$work/stat.prom")
	[ -n "$got" ] && [ "$got" -ge "$lo" ] && [ "$got" -le "$hi" ] ||
		problem "--prometheus op25b_packets_total{outcome=\"$k\"} is '$got', status read $lo before and $hi after"
done
[ "$(field "$work/stat.json" 's["classes"]["dynamic"]["reset"]')" -ge 1 ] ||
	problem "op25b-stat --json: class dynamic has no reset:" "$(head -c 600 "$work/stat.json")"
grep -q dynamic "$work/stat.txt" || problem "op25b-stat text has no class dynamic"
report "e2e xdp op25b-stat --xdp: text, JSON and Prometheus, the counters of status by class"
scenario dyn-587 "$dyn4" "$mx4" 587 deliver submission 3
report "e2e xdp dynamic -> MX:587: delivered, counted as submission"
scenario dyn-relay "$dyn4" "$relay4" 25 deliver forwarded 3
report "e2e xdp dynamic -> ISP relay:25: delivered"
scenario static-mx "$sta4" "$mx4" 25 deliver forwarded 3
report "e2e xdp static -> MX:25: delivered"
scenario dyn6-mx "$dyn6" "$mx6" 25 refused reset 1
report "e2e xdp IPv6 dynamic -> MX:25: refused at once"
scenario dyn6-587 "$dyn6" "$mx6" 587 deliver submission 3
report "e2e xdp IPv6 dynamic -> MX:587: delivered, counted as submission"

# block: notify: the program answers the handshake itself; swaks gets the
# 554 greeting (and op25b's FIN) at once, nothing reaches the MX; the
# counters by class. Then back to block: reset for what follows.
in_ns "$nr" "$xdp" reload x0 --policy "$work/notify.yaml" --name "$name" \
	>"$work/rl-notify.out" 2>&1 ||
	problem "reload to block: notify failed:" "$(cat "$work/rl-notify.out")"
# swaks_quick ID SRC DST: a mail from SRC to DST:25 that op25b-xdp answers
# itself; swaks' output in $work/ID.swaks, its status in $rc, its time in
# $elapsed (ms).
swaks_quick() {
	local t0
	t0=$(now_ms)
	timeout 15 ip netns exec "$nc" swaks --server "$3" --port 25 \
		--local-interface "$2" --from e2e@client.test \
		--to postmaster@server.test --header "Subject: xdp-e2e-$1-$$" \
		--timeout 3 >"$work/$1.swaks" 2>&1
	rc=$?
	elapsed=$(($(now_ms) - t0))
}
notify_mail() { # ID SRC DST
	local out="$work/$1.swaks" elapsed rc
	swaks_quick "$@"
	[ "$rc" != 0 ] && [ "$elapsed" -lt 2500 ] &&
		grep -qF '<** 554 5.7.1 Port 25 is closed for dynamic addresses: use 587.' "$out" ||
		problem "$1: want the 554 greeting at once, got swaks $rc after $elapsed ms:" \
			"$(tail -4 "$out")"
	grep -rqF -- "Subject: xdp-e2e-$1-$$" "$work/mail" 2>/dev/null &&
		problem "$1: delivered"
}
"$stat" --xdp "$name" --json >"$work/nt-before.json" 2>&1
notify_mail dyn-mx-notify "$dyn4" "$mx4"
notify_mail dyn6-mx-notify "$dyn6" "$mx6"
"$stat" --xdp "$name" --json >"$work/nt-after.json" 2>&1
for k in notify_syn_ack notified; do
	b=$(field "$work/nt-before.json" "s[\"notify\"][\"dynamic\"][\"$k\"]")
	a=$(field "$work/nt-after.json" "s[\"notify\"][\"dynamic\"][\"$k\"]")
	[ $((a - b)) -ge 2 ] || problem "op25b-stat --xdp: $k of dynamic grew by $((a - b)), want >= 2"
done
# The mode and block style op25b-stat shows are the program's, not what
# the policy file says now (a file changed on disk and not yet reloaded).
[ "$(field "$work/nt-after.json" 's["block"]')" = notify ] ||
	problem "op25b-stat --xdp: block is not notify:" "$(head -c 300 "$work/nt-after.json")"
cp "$work/notify.yaml" "$work/notify.yaml.applied"
sed -i -e 's/^block: notify/block: drop/' -e 's/^mode: enforce/mode: monitor/' "$work/notify.yaml"
[ "$(grep -cE '^(block: drop|mode: monitor)$' "$work/notify.yaml")" = 2 ] ||
	problem "the edited policy file:" "$(head -4 "$work/notify.yaml")"
"$stat" --xdp "$name" --json >"$work/nt-edited.json" 2>&1
status_json "$work/st-edited.json"
in_ns "$nr" "$xdp" status x0 --name "$name" >"$work/st-edited.txt" 2>&1
mv "$work/notify.yaml.applied" "$work/notify.yaml"
[ "$(field "$work/nt-edited.json" 's["block"]') $(field "$work/nt-edited.json" 's["mode"]')" = "notify enforce" ] ||
	problem "op25b-stat --xdp: the policy file edited on disk changed what it shows:" "$(head -c 300 "$work/nt-edited.json")"
[ "$(field "$work/st-edited.json" 's["block"]') $(field "$work/st-edited.json" 's["policy_mode"]')" = "notify enforce" ] ||
	problem "op25b-xdp status --json: not the program's block and mode:" "$(head -c 300 "$work/st-edited.json")"
grep -q ', mode enforce, block notify, ' "$work/st-edited.txt" ||
	problem "op25b-xdp status: not the program's mode and block:" "$(head -3 "$work/st-edited.txt")"
status_json "$work/st-notify.json"
for k in notify_syn_ack notified; do
	[ "$(field "$work/st-notify.json" "s[\"$k\"]")" = \
		"$(field "$work/nt-after.json" "s[\"notify\"][\"dynamic\"][\"$k\"]")" ] ||
		problem "status --json $k differs from op25b-stat --xdp's"
done
report "e2e xdp block: notify: swaks gets the 554 greeting at once (IPv4, IPv6), nothing delivered, notify_syn_ack and notified counted; op25b-stat and op25b-xdp status show the program's mode and block, not the file's"

# A greeting the frame has no room for: the handshake's ACK is answered
# with the RST that ends the connection, so that the client fails at once
# rather than wait minutes for a greeting (RFC 5321 4.5.3.2.1), and
# notify_no_room says why no notice was seen. Which ACK gets which is the
# skb's (an IPv4 ACK here had 8 bytes at its tail, an IPv6 one 48, or
# once a page): each mail is answered at once, one way or the other, and
# the counters add up; most runs take the RST for both.
in_ns "$nr" "$xdp" reload x0 --policy "$work/notify-long.yaml" --name "$name" \
	>"$work/rl-long.out" 2>&1 ||
	problem "reload to a notice of 400 characters failed:" "$(cat "$work/rl-long.out")"
"$stat" --xdp "$name" --json >"$work/nl-before.json" 2>&1
no_room_mail() { # ID SRC DST
	local out="$work/$1.swaks" elapsed rc
	swaks_quick "$@"
	# The RST may meet swaks' non-blocking connect: "connect: Connection
	# reset by peer"; the counters below say it answered the handshake.
	[ "$rc" != 0 ] && [ "$elapsed" -lt 2500 ] &&
		{ grep -qF "<** 554 5.7.1 Port 25 is closed for dynamic addresses: use 587.0000" "$out" ||
			grep -q 'reset by peer\|closed connection' "$out"; } ||
		problem "$1: want the greeting or a reset at once, got swaks $rc after $elapsed ms:" \
			"$(tail -4 "$out")"
	grep -rqF -- "Subject: xdp-e2e-$1-$$" "$work/mail" 2>/dev/null &&
		problem "$1: delivered"
}
no_room_mail dyn-mx-no-room "$dyn4" "$mx4"
no_room_mail dyn6-mx-no-room "$dyn6" "$mx6"
"$stat" --xdp "$name" --json >"$work/nl-after.json" 2>&1
grown() { # COUNTER: how much it grew over the two mails
	echo $(($(field "$work/nl-after.json" "s[\"notify\"][\"dynamic\"][\"$1\"]") - \
		$(field "$work/nl-before.json" "s[\"notify\"][\"dynamic\"][\"$1\"]")))
}
[ "$(grown notify_syn_ack)" = 2 ] && [ $(($(grown notify_no_room) + $(grown notified))) = 2 ] ||
	problem "op25b-stat --xdp: notify_syn_ack +$(grown notify_syn_ack), notify_no_room +$(grown notify_no_room), notified +$(grown notified); want +2 and the two summing to 2"
# A mail reset is one notify_no_room counted, a greeting one notified.
[ "$(grep -lE 'reset by peer|closed connection' "$work"/dyn*-mx-no-room.swaks | xargs -r grep -LF '<** 554' | wc -l)" = "$(grown notify_no_room)" ] ||
	problem "the mails reset are not the notify_no_room counted ($(grown notify_no_room))"
in_ns "$nr" "$xdp" reload x0 --policy "$work/reset.yaml" --name "$name" \
	>"$work/rl-back.out" 2>&1 ||
	problem "reload back to block: reset failed:" "$(cat "$work/rl-back.out")"
report "e2e xdp block: notify with a notice of 400 characters on a veth: a greeting the frame has no room for is a reset at once, counted notify_no_room (the others the greeting, notified); IPv4, IPv6"

# An exemption, granted live: the dynamic source delivers to MX:25,
# counted as exempted; in the file (op25b's format); ended: refused again.
in_ns "$nr" "$xdp" exempt add x0 "$dyn4" --ttl 1h --reason "e2e customer" \
	--name "$name" >"$work/exadd.out" 2>&1 ||
	problem "exempt add failed:" "$(cat "$work/exadd.out")"
want_has "$work/exadd.out" "op25b-xdp: x0: $dyn4/32 exempt for 3600 s"
grep -qE "^$dyn4/32 [0-9T:.-]+Z [0-9T:.-]+Z 0 3600 \"e2e customer\"\$" \
	"$work/x0.exemptions" ||
	problem "not in the state file:" "$(cat "$work/x0.exemptions")"
scenario dyn-mx-exempt "$dyn4" "$mx4" 25 deliver exempted 3
in_ns "$nr" "$xdp" exempt list x0 --name "$name" >"$work/exlist.out" 2>&1
want_has "$work/exlist.out" "$dyn4/32 "
status_json "$work/st.json"
"$stat" --xdp "$name" --json >"$work/stat-ex.json" 2>&1
[ "$(field "$work/st.json" 's["exemptions"]')" = 1 ] &&
	[ "$(field "$work/stat-ex.json" 's["exemptions"]')" = 1 ] &&
	grep -q "^op25b_exemptions 1$" <("$stat" --xdp "$name" --prometheus) ||
	problem "the gauge exemptions is not 1 in status, op25b-stat --json and --prometheus:" \
		"$(cat "$work/st.json")"
report "e2e xdp exempt add: an exempted dynamic source delivers to MX:25 (exempted counted), in the file, gauge exemptions 1"
in_ns "$nr" "$xdp" exempt del x0 "$dyn4" --name "$name" >"$work/exdel.out" 2>&1 ||
	problem "exempt del failed:" "$(cat "$work/exdel.out")"
grep -q "^$dyn4/" "$work/x0.exemptions" && problem "still in the file after del"
status_json "$work/st.json"
[ "$(field "$work/st.json" 's["exemptions"]')" = 0 ] || problem "status: exemptions not 0 after del"
scenario dyn-mx-unexempt "$dyn4" "$mx4" 25 refused reset 1
in_ns "$nr" "$xdp" exempt del x0 "$dyn4" --name "$name" >"$work/exdel2.out" 2>&1
want_rc $? 1 "exempt del of no exemption"
want_has "$work/exdel2.out" "op25b-xdp: exempt del: no exemption for $dyn4/32"
report "e2e xdp exempt del: refused at once again; a second del fails in one line"

# Reload under traffic: mails from the static source keep flowing while
# the policy switches to block: drop; none fails.
(
	for i in 1 2 3 4 5 6; do
		timeout 15 ip netns exec "$nc" swaks --server "$mx4" --port 25 \
			--local-interface "$sta4" --to postmaster@server.test \
			--header "Subject: xdp-e2e-bg-$i-$$" --timeout 3 \
			>"$work/bg-$i.swaks" 2>&1 || echo "mail $i failed" >>"$work/bg.fail"
	done
) &
bgmail=$!
bg_pids+=($bgmail)
sleep 0.3
in_ns "$nr" "$xdp" reload x0 --policy "$work/drop.yaml" --name "$name" \
	>"$work/reload.out" 2>&1 || problem "reload failed:" "$(cat "$work/reload.out")"
wait "$bgmail"
[ ! -s "$work/bg.fail" ] || problem "mails during the reload failed:" "$(cat "$work/bg.fail")"
[ "$(grep -rlF -- "xdp-e2e-bg-" "$work/mail" | wc -l)" = 6 ] ||
	problem "not all 6 mails sent during the reload arrived"
status_json "$work/st.json"
[ "$(field "$work/st.json" 's["reloads"]')" = 4 ] ||
	problem "status does not show four reloads (to notify, to the long notice, back, this one):" "$(cat "$work/st.json")"
report "e2e xdp reload to block: drop under traffic: 6 of 6 mails through, reloads 4"
# A reload from a path the program could not keep whole for the next
# reload (256 bytes or more): refused before anything changes (it was
# kept cut short, and every later reload read another file), and counted
# as a failed reload, in status and in op25b-stat --xdp (always 0 before).
long="$work/$(printf 'a%.0s' $(seq 1 200))/$(printf 'b%.0s' $(seq 1 60))"
mkdir -p "$long"
cp "$work/drop.yaml" "$long/policy.yaml"
in_ns "$nr" "$xdp" reload x0 --policy "$long/policy.yaml" --name "$name" \
	>"$work/long.out" 2>&1 && problem "a reload from a path over 255 bytes succeeded"
grep -qF "error: the path is longer than 255 bytes (a reload reads it back); the running policy stays" \
	"$work/long.out" || problem "the long path's error:" "$(cat "$work/long.out")"
status_json "$work/st.json"
[ "$(field "$work/st.json" 's["reloads"]')" = 4 ] &&
	[ "$(field "$work/st.json" 's["reload_failed"]')" = 1 ] &&
	[ "$(field "$work/st.json" 's["policy"]')" = "$work/drop.yaml" ] ||
	problem "the long path changed the instance or was not counted:" "$(cat "$work/st.json")"
grep -q '^op25b_reloads_total{result="failed"} 1$' <("$stat" --xdp "$name" --prometheus) ||
	problem "op25b-stat --xdp does not count the failed reload"
report "e2e xdp reload from a path over 255 bytes: refused, nothing changes, counted failed (status, op25b-stat --xdp)"
# A path with a quote and a backslash: status --json is still JSON (the
# paths went out unescaped).
odd="$work/q\"x\\y.yaml"
cp "$work/drop.yaml" "$odd"
in_ns "$nr" "$xdp" reload x0 --policy "$odd" --name "$name" >"$work/odd.out" 2>&1 ||
	problem "reload from $odd failed:" "$(cat "$work/odd.out")"
status_json "$work/st.json"
[ "$(field "$work/st.json" 's["policy"]')" = "$odd" ] ||
	problem "status --json with a quote and a backslash in the policy's path:" "$(cat "$work/st.json")"
report "e2e xdp status --json escapes the policy's path"
scenario dyn-mx-drop "$dyn4" "$mx4" 25 timeout blocked 2
report "e2e xdp dynamic -> MX:25 after the reload: dropped (timeout), blocked counted"

# Adaptive: the dynamic class may open 2 connections per 60 s, then it is
# refused (block: reset) for 3 s; a reload (the same file) in between
# keeps the count, as op25b's table does; then it delivers again. The
# figures under op25b's names in status and op25b-stat --xdp.
sed 's/action: block/action: adaptive\n    limit: {connections: 2, per: 60s, block_for: 3s}/' \
	"$work/reset.yaml" >"$work/adaptive.yaml"
in_ns "$nr" "$xdp" reload x0 --policy "$work/adaptive.yaml" --name "$name" \
	>"$work/adaptive.out" 2>&1 || problem "reload to adaptive failed:" "$(cat "$work/adaptive.out")"
scenario ad-1 "$dyn4" "$mx4" 25 deliver forwarded 1
in_ns "$nr" "$xdp" reload x0 --name "$name" >"$work/adaptive2.out" 2>&1 ||
	problem "reload (adaptive again) failed:" "$(cat "$work/adaptive2.out")"
scenario ad-2 "$dyn4" "$mx4" 25 deliver forwarded 1
scenario ad-3 "$dyn4" "$mx4" 25 refused reset 1
t_block=$(now_ms)
scenario ad-static "$sta4" "$mx4" 25 deliver forwarded 1
status_json "$work/st.json"
"$stat" --xdp "$name" --json >"$work/stat-ad.json" 2>&1
for f in "$work/st.json" "$work/stat-ad.json"; do
	[ "$(field "$f" '(s["adaptive_triggered"], s["adaptive_blocked"], s["adaptive_tracked"], s["adaptive_evicted"], s["adaptive_table_full"])')" = "(1, 1, 1, 0, 0)" ] ||
		problem "adaptive figures in $(basename "$f"):" "$(field "$f" '{k: v for k, v in s.items() if k.startswith("adaptive")}')"
done
[ "$(field "$work/st.json" 's["adaptive_entries"]')" = 131072 ] ||
	problem "status: adaptive_entries is not the default 131072"
[ "$(field "$work/stat-ad.json" 's["adaptive"]["dynamic"]["adaptive_triggered"]')" = 1 ] ||
	problem "op25b-stat --xdp: adaptive_triggered of class dynamic:" "$(field "$work/stat-ad.json" 's["adaptive"]')"
grep -q '^op25b_adaptive_triggered_total 1$' <("$stat" --xdp "$name" --prometheus) ||
	problem "op25b-stat --xdp --prometheus: no op25b_adaptive_triggered_total 1"
report "e2e xdp adaptive: 2 mails delivered (a reload between keeps the count), the 3rd refused at once; static unaffected; adaptive_triggered 1 in status, op25b-stat --xdp (class dynamic) and Prometheus"
while [ $(($(now_ms) - t_block)) -lt 3200 ]; do sleep 0.2; done
scenario ad-4 "$dyn4" "$mx4" 25 deliver forwarded 1
report "e2e xdp adaptive: delivered again after block_for (3 s)"
in_ns "$nr" "$xdp" reload x0 --policy "$work/drop.yaml" --name "$name" \
	>"$work/adaptive3.out" 2>&1 || problem "reload back to drop failed:" "$(cat "$work/adaptive3.out")"

# Counter slots go by name: the classes in another order keep their
# counts, and enforce as before.
"$stat" --xdp "$name" --json >"$work/names-before.json" 2>&1
cat >"$work/reordered.yaml" <<EOF
version: 1
block: drop
sources:
  static:
    action: allow
    prefixes: [$sta4/32]
  dynamic:
    action: block
    prefixes: [198.18.1.0/24, 2001:db8:1::/48]
EOF
in_ns "$nr" "$xdp" reload x0 --policy "$work/reordered.yaml" --name "$name" \
	>"$work/reorder.out" 2>&1 || problem "reload (reordered) failed:" "$(cat "$work/reorder.out")"
"$stat" --xdp "$name" --json >"$work/names-after.json" 2>&1
for c in dynamic static; do
	for v in reset blocked forwarded; do
		b=$(field "$work/names-before.json" "s[\"classes\"][\"$c\"][\"$v\"]")
		a=$(field "$work/names-after.json" "s[\"classes\"][\"$c\"][\"$v\"]")
		[ "$a" = "$b" ] || problem "class $c $v: $b before the reordering reload, $a after"
	done
done
scenario dyn-mx-reordered "$dyn4" "$mx4" 25 timeout blocked 2
"$stat" --xdp "$name" --json >"$work/names-last.json" 2>&1
[ "$(field "$work/names-last.json" 's["classes"]["dynamic"]["blocked"]')" -gt \
	"$(field "$work/names-after.json" 's["classes"]["dynamic"]["blocked"]')" ] ||
	problem "class dynamic's blocked count did not grow after the reordering"
report "e2e xdp reload with the classes reordered: each keeps its counter slot by name"

in_ns "$nr" "$xdp" unload x0 --name "$name" >"$work/unload.out" 2>&1 ||
	problem "unload failed:" "$(cat "$work/unload.out")"
[ ! -e "$OP25B_XDP_BPFFS/op25b/$name" ] || problem "pins left after unload"
in_ns "$nr" ip link show x0 | grep -q xdp && problem "x0 still runs XDP"
scenario dyn-mx-plain "$dyn4" "$mx4" 25 deliver
report "e2e xdp unload: pins gone, x0 forwards plainly: dynamic -> MX:25 delivered"
# Generic (skb) mode, and a second load on an interface that has one.
in_ns "$nr" "$xdp" load x0 --policy "$work/drop.yaml" --name "$name" \
	--exemptions "$work/x0.exemptions" --mode generic >"$work/gen.out" 2>&1 || problem "generic load failed:" "$(cat "$work/gen.out")"
status_json "$work/st.json"
[ "$(field "$work/st.json" 's["mode"]')" = generic ] ||
	problem "status: not generic:" "$(cat "$work/st.json")"
in_ns "$nr" "$xdp" load x0 --policy "$work/drop.yaml" --name "$name-2" \
	--exemptions "$work/x0.exemptions" >"$work/twice.out" 2>&1
want_rc $? 1 "a second load on x0"
want_has "$work/twice.out" "op25b-xdp: x0: cannot attach in native mode: another XDP program is attached"
[ ! -e "$OP25B_XDP_BPFFS/op25b/$name-2" ] || problem "the refused load left pins"
scenario dyn-mx-generic "$dyn4" "$mx4" 25 timeout blocked 1
in_ns "$nr" "$xdp" unload x0 --name "$name" >"$work/unload.out" 2>&1 ||
	problem "unload (generic) failed:" "$(cat "$work/unload.out")"
in_ns "$nr" ip link show x0 | grep -q xdp && problem "x0 still runs XDP"
report "e2e xdp --mode generic: attached in skb mode, enforces, a second load refused, unload detaches"

# op25b-xdp run: the daemon. The policy file changes, SIGHUP switches;
# a broken file keeps the running policy; an exemption with a TTL leaves
# file and table when due; SIGTERM unloads.
cp "$work/reset.yaml" "$work/run.yaml"
printf '%s\n' '# op25b exemptions, format 1: PREFIX EXPIRES GRANTED UID TTL "REASON" (doc/cli.md)' \
	"$sta4/32 never 2026-12-01T00:00:00.000Z 0 0 \"kept\"" >"$work/run.exemptions"
ip netns exec "$nr" "$xdp" run x0 --policy "$work/run.yaml" --name "$name" \
	--exemptions "$work/run.exemptions" >"$work/run.out" 2>"$work/run.err" &
runpid=$!
bg_pids+=($runpid)
wait_until 10 "$runpid" grep -q "^op25b-xdp: running" "$work/run.out" ||
	problem "run did not start:" "$(cat "$work/run.out" "$work/run.err")"
want_has "$work/run.out" "1 exemptions from $work/run.exemptions"
scenario run-dyn-mx "$dyn4" "$mx4" 25 refused reset 1
report "e2e xdp run: in the foreground, the policy and the exemptions file loaded"
cp "$work/drop.yaml" "$work/run.yaml"
kill -HUP "$runpid"
reloaded() { grep -q "reloaded from" "$work/run.out"; }
wait_until 10 "$runpid" reloaded || problem "no reload after SIGHUP:" "$(cat "$work/run.out" "$work/run.err")"
scenario run-dyn-mx-drop "$dyn4" "$mx4" 25 timeout blocked 1
report "e2e xdp run: SIGHUP reloads the changed policy (block: drop)"
printf 'version: 1\nsources:\n  dynamic:\n    action: blok\n' >"$work/run.yaml"
kill -HUP "$runpid"
wait_until 10 "$runpid" grep -q "run.yaml:" "$work/run.err" ||
	problem "no error after a SIGHUP with a broken policy:" "$(cat "$work/run.err")"
[ "$(grep -c . "$work/run.err")" = 1 ] &&
	grep -qE "^$work/run.yaml:4:[0-9]+: error: " "$work/run.err" ||
	problem "want one line file:line:column:" "$(cat "$work/run.err")"
kill -0 "$runpid" 2>/dev/null || problem "run exited on a bad policy"
status_json "$work/st.json"
[ "$(field "$work/st.json" 's["reloads"]')" = 1 ] &&
	[ "$(field "$work/st.json" 's["reload_failed"]')" = 1 ] ||
	problem "the bad policy changed the instance, or was not counted:" "$(cat "$work/st.json")"
scenario run-dyn6-mx-kept "$dyn6" "$mx6" 25 timeout blocked 1
report "e2e xdp run: SIGHUP with a broken policy: one line file:line:column, the running policy stays"
# A broken exemptions file: said once (SIGHUP), not every second by the
# expiry tick; nothing changes.
cp "$work/drop.yaml" "$work/run.yaml"
cp "$work/run.exemptions" "$work/run.exemptions.good"
echo "198.18.1.0/33 never" >"$work/run.exemptions"
kill -HUP "$runpid"
wait_until 10 "$runpid" grep -q "run.exemptions:1: error: " "$work/run.err" ||
	problem "no error after a SIGHUP with a broken exemptions file:" "$(cat "$work/run.err")"
sleep 2.2
[ "$(grep -c . "$work/run.err")" = 2 ] || problem "want 2 lines in all:" "$(cat "$work/run.err")"
status_json "$work/st.json"
[ "$(field "$work/st.json" 's["reloads"]')" = 1 ] &&
	[ "$(field "$work/st.json" 's["reload_failed"]')" = 2 ] &&
	[ "$(field "$work/st.json" 's["exemptions"]')" = 1 ] ||
	problem "the broken exemptions changed the instance, or were not counted:" "$(cat "$work/st.json")"
mv "$work/run.exemptions.good" "$work/run.exemptions"
report "e2e xdp run: SIGHUP with a broken exemptions file: one line FILE:LINE, said once, nothing changes"
in_ns "$nr" "$xdp" exempt add x0 "$dyn4" --ttl 2 --name "$name" >"$work/runex.out" 2>&1 ||
	problem "exempt add under run failed:" "$(cat "$work/runex.out")"
scenario run-dyn-mx-exempt "$dyn4" "$mx4" 25 deliver exempted 3
expired() { ! grep -q "^$dyn4/" "$work/run.exemptions"; }
wait_until 6 "$runpid" expired || problem "the 2 s exemption is still in the file:" "$(cat "$work/run.exemptions")"
grep -q "^$sta4/32 never" "$work/run.exemptions" || problem "the lasting exemption went too"
scenario run-dyn-mx-expired "$dyn4" "$mx4" 25 timeout blocked 1
report "e2e xdp run: an exemption with --ttl 2 delivers, then leaves the file and the program"
kill -TERM "$runpid"
wait "$runpid"
want_rc $? 0 "run after SIGTERM"
want_has "$work/run.out" "op25b-xdp: unloaded from x0"
[ ! -e "$OP25B_XDP_BPFFS/op25b/$name" ] || problem "pins left after SIGTERM"
in_ns "$nr" ip link show x0 | grep -q xdp && problem "x0 still runs XDP"
report "e2e xdp run: SIGTERM detaches, unpins and exits 0"

# The interface deleted under the program: run's SIGTERM and unload still
# remove the pins.
in_ns "$nr" ip link add y0 type veth peer name y1 &&
	in_ns "$nr" ip link add y2 type veth peer name y3 &&
	in_ns "$nr" ip link set y0 up && in_ns "$nr" ip link set y2 up ||
	problem "cannot make veths y0/y1 and y2/y3"
ip netns exec "$nr" "$xdp" run y0 --policy "$work/drop.yaml" --name "$name-y0" \
	--exemptions "$work/y.exemptions" >"$work/runy.out" 2>"$work/runy.err" &
runpid=$!
bg_pids+=($runpid)
in_ns "$nr" "$xdp" load y2 --policy "$work/drop.yaml" --name "$name-y2" \
	--exemptions "$work/y.exemptions" >"$work/loady.out" 2>&1 ||
	problem "load on y2 failed:" "$(cat "$work/loady.out")"
wait_until 10 "$runpid" grep -q "^op25b-xdp: running" "$work/runy.out" ||
	problem "run on y0 did not start:" "$(cat "$work/runy.out" "$work/runy.err")"
in_ns "$nr" ip link del y0
in_ns "$nr" ip link del y2
kill -TERM "$runpid"
wait "$runpid"
want_rc $? 0 "run after its interface went, SIGTERM"
in_ns "$nr" "$xdp" unload y2 --name "$name-y2" >"$work/unloady.out" 2>&1
want_rc $? 0 "unload of an interface that went"
[ ! -e "$OP25B_XDP_BPFFS/op25b/$name-y0" ] && [ ! -e "$OP25B_XDP_BPFFS/op25b/$name-y2" ] ||
	problem "pins left:" "$(ls "$OP25B_XDP_BPFFS/op25b")" "$(cat "$work/runy.err" "$work/unloady.out")"
report "e2e xdp an interface deleted under the program: run's SIGTERM and unload remove the pins"

in_ns "$nc" "$xdp" unload c0 --name "$cname" >/dev/null 2>&1
exit $status
