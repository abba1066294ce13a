#!/usr/bin/env bash
# Frames longer than one mbuf: --max-pkt-len and --mbuf-size.
#   (a) net_pcap, both directions, 1.5k..16k-byte frames in chains of mbufs
#       (and, for the port side alone, in one large mbuf each): forwarded
#       byte for byte; the MTU each port got; the pool sized for the chains
#   (b) net_ring: a chain through a ring port (looped back to upstream)
#   (c) net_af_packet on veths with MTU 9000 in a namespace of our own:
#       what DPDK 22.11's af_packet takes (MTU 1500: it reports
#       max_rx_pktlen 1518 whatever its ring takes), refused above it; at
#       MTU 1500 the kernel interfaces get it, HTTPS passes, port 25 is reset
#       and an 8,900-byte frame is never forwarded cut
#   (d) a blocked SYN in a chain of mbufs is answered by a RST, checked
#       field by field
#   (e) a port that cannot take the size, or cannot send the chains its
#       partner may receive, or a bond's member named as a port, or a
#       net_pcap capture with frames over 65,535 bytes: one line, exit
#       status 1; a port in no pair: a warning
#   (f) bad --max-pkt-len / --mbuf-size values: one line, exit status 1
#   (g) net_pcap on the same veths (MTU 9000): real 8,900-byte frames
#       through the kernel, HTTPS intact both ways, big and small port-25
#       SYNs answered with RSTs
# Prints "ok NAME" / "not ok NAME" lines; details follow as "#   " lines.
set -uo pipefail
. "$(dirname "$0")/common.bash"
scenario jumbo
ns="op25b-jumbo-$$"

frames="$(dirname "$0")/jumbo_frames.py"
policy="$root/config/op25b.yaml"
app=(--status-interval 0 --name "$name" --cli-socket none
	--audit-log "$work/audit.log")
eal_pcap=("${eal[@]}")

if ! sizes=$("$py" "$frames" craft "$work" 2>"$work/craft.err"); then
	echo "not ok crafting frames with scapy"
	sed 's/^/#   /' "$work/craft.err"
	exit 1
fi
n_sub=$(wc -w <<<"$sizes")
# Frames longer than the default data room (2,048 bytes) arrive chained.
n_chained=0
for n in $sizes; do
	[ "$n" -gt 2048 ] && n_chained=$((n_chained + 1))
done

# run NAME VDEV-ARGS... -- APP-ARGS...: op25b over pcaps until idle, its
# output in $work/NAME; sets rc and d.
run() {
	local name=$1
	shift
	d="$work/$name"
	mkdir -p "$d"
	timeout 60 "$op25b" "${eal_pcap[@]}" "$@" --stop-after-idle 300 \
		"${app[@]}" --stats-json "$d/stats.json" >"$d/out" 2>"$d/err"
	rc=$?
}
want_ok() {
	[ "$rc" = 0 ] && return 0
	problem "op25b exited with $rc:" "$(tail -n 20 "$d/out" "$d/err")"
	return 1
}
same() { # WANT.pcap GOT.pcap
	py_check "$(cat "$frames")" same "$1" "$2"
}
# stats NAME=VALUE...: packets.X, frames.X, pool (the mempool's size) from
# stats.json, and a full mempool.
stats() {
	py_check '
import json, sys
s = json.load(open(sys.argv[1]))
bad = []
for kv in sys.argv[2:]:
    k, v = kv.split("=")
    got = s["mempool"]["size"] if k == "pool" else \
        s["frames"][k] if k in s["frames"] else s["packets"][k]
    if got != int(v):
        bad.append("%s %d, want %s" % (k, got, v))
m = s["mempool"]
if m["available"] != m["size"]:
    bad.append("mempool: %d of %d available" % (m["available"], m["size"]))
if bad:
    bad.append("packets: %s" % s["packets"])
print("\n".join(bad))
sys.exit(1 if bad else 0)
' "$d/stats.json" "$@"
}
# The pool main.c sizes for 2 ports, 1 worker and SEGS segments a frame.
pool() { echo $((2 * (1024 + 1024 * $1) + 2 * (64 * $1 + 256) + 1024)); }

# --- (a) net_pcap, both directions ------------------------------------------
# Port side alone: each frame in one 16,512-byte mbuf (what the classifier
# judges today whatever it does with chains).
run pcap-one-mbuf \
	--vdev "net_pcap0,rx_pcap=$work/sub.pcap,tx_pcap=$work/pcap-one-mbuf/sub-tx.pcap" \
	--vdev "net_pcap1,rx_pcap=$work/up.pcap,tx_pcap=$work/pcap-one-mbuf/up-tx.pcap" \
	-- --policy "$policy" --max-pkt-len 16128 --mbuf-size 16512
if want_ok; then
	want_has "$d/out" "op25b: ports 0 (net_pcap0) MTU 16110, 1 (net_pcap1) MTU 16110; frames up to 16128 bytes in up to 1 mbuf(s) of 16512"
	same "$work/sub.pcap" "$d/up-tx.pcap"
	same "$work/up.pcap" "$d/sub-tx.pcap"
	stats non_smtp="$n_sub" malformed=0 upstream=10 chained=0 pool="$(pool 1)"
fi
report "net_pcap --max-pkt-len 16128 --mbuf-size 16512: MTU 16110 on both ports, frames of $sizes bytes forwarded byte for byte both ways, pool $(pool 1)"

run pcap-chains \
	--vdev "net_pcap0,rx_pcap=$work/sub.pcap,tx_pcap=$work/pcap-chains/sub-tx.pcap" \
	--vdev "net_pcap1,rx_pcap=$work/up.pcap,tx_pcap=$work/pcap-chains/up-tx.pcap" \
	-- --policy "$policy" --max-pkt-len 16128
if want_ok; then
	want_has "$d/out" "op25b: ports 0 (net_pcap0) MTU 16110, 1 (net_pcap1) MTU 16110; frames up to 16128 bytes in up to 8 mbuf(s) of 2176"
	same "$work/up.pcap" "$d/sub-tx.pcap"
	stats upstream=10 pool="$(pool 8)"
fi
report "net_pcap --max-pkt-len 16128: upstream -> subscriber, frames of 1.5k..16k bytes in chains of up to 8 mbufs forwarded byte for byte, pool $(pool 8)"
if [ "$rc" = 0 ]; then
	same "$work/sub.pcap" "$d/up-tx.pcap"
	stats non_smtp="$n_sub" malformed=0 chained="$n_chained"
fi
report "net_pcap --max-pkt-len 16128: subscriber -> upstream, frames of 1.5k..16k bytes in chains judged non_smtp and forwarded byte for byte"

# Within a QinQ allowance of the data room (2044 + 8 > 2048) a NIC that
# turns scatter on by itself hands chains of 2: the pool counts them.
run near-room \
	--vdev "net_pcap0,rx_pcap=$work/up.pcap,tx_pcap=$work/near-room/sub-tx.pcap" \
	--vdev "net_pcap1,tx_pcap=$work/near-room/up-tx.pcap" \
	-- --policy "$policy" --max-pkt-len 2044
if want_ok; then
	want_has "$d/out" "frames up to 2044 bytes in up to 1 mbuf(s) of 2176"
	stats pool="$(pool 2)"
fi
report "--max-pkt-len 2044 (within 8 bytes of the data room): the pool sized for chains of 2, $(pool 2)"

# --- (b) net_ring -----------------------------------------------------------
# Upstream is a net_ring port, which receives what it sends: each frame goes
# through the classifier into the ring, out of it on the upstream side and
# back to the subscriber port's file, still a chain.
run ring \
	--vdev "net_pcap0,rx_pcap=$work/sub.pcap,tx_pcap=$work/ring/sub-tx.pcap" \
	--vdev net_ring0 \
	-- --policy "$policy" --max-pkt-len 16128
if want_ok; then
	want_has "$d/out" "op25b: ports 0 (net_pcap0) MTU 16110, 1 (net_ring0) MTU 16110"
	same "$work/sub.pcap" "$d/sub-tx.pcap"
	stats non_smtp="$n_sub" upstream="$n_sub" chained="$n_chained"
fi
report "net_ring: chains of up to 8 mbufs through a ring port and back, byte for byte"

# --- (d) a blocked SYN in a chain: its RST ----------------------------------
for how in one-mbuf chains; do
	opts=(--max-pkt-len 16128)
	[ $how = one-mbuf ] && opts+=(--mbuf-size 16512)
	run "rst-$how" \
		--vdev "net_pcap0,rx_pcap=$work/syn.pcap,tx_pcap=$work/rst-$how/sub-tx.pcap" \
		--vdev "net_pcap1,tx_pcap=$work/rst-$how/up-tx.pcap" \
		-- --policy "$policy" "${opts[@]}"
	if want_ok; then
		py_check "$(cat "$frames")" resets "$work/syn.pcap" "$d/sub-tx.pcap"
		n=$("$py" "$frames" count "$d/up-tx.pcap" 2>&1)
		[ "$n" = 0 ] || problem "upstream got $n frames, want 0"
		stats reset=4 chained=$([ $how = chains ] && echo 4 || echo 0)
	fi
	report "a blocked SYN with data ($how: 2,100..16,124 bytes, IPv4/IPv6, VLAN) gets a RST+ACK: MACs, VLAN, addresses, ports swapped, seq 0, ack = seq + 1 + payload, checksums valid, 54..78 bytes"
done

# --- (e) a port that cannot take the size -----------------------------------
# refused NAME WANT-LINE VDEV-ARGS... -- APP-ARGS...
refused() {
	local name=$1 line=$2
	shift 2
	run "$name" "$@"
	want_rc "$rc" 1
	# stderr holds the refusal and nothing else (the policy's warnings
	# aside).
	grep -v "warning:" "$d/err" >"$d/err.own"
	want_lines "$d/err.own" 1
	want_has "$d/err.own" "$line"
	if grep -q "op25b: policy" "$d/out"; then
		problem "op25b started"
	fi
}
refused pcap-too-long \
	"op25b: port 0 (net_pcap0): --max-pkt-len 20000 is more than the 16128 bytes this port takes (MTU 16110)" \
	--vdev "net_pcap0,rx_pcap=$work/sub.pcap,tx_pcap=$work/x0.pcap" \
	--vdev "net_pcap1,tx_pcap=$work/x1.pcap" \
	-- --policy "$policy" --max-pkt-len 20000
report "net_pcap --max-pkt-len 20000: refused in one line (it writes 16,128 bytes at most), exit 1"

# A frame over 65,535 bytes (a host's capture of GRO or BIG TCP packets):
# DPDK 22.11's net_pcap reads its length modulo 65,536 into a chain that
# says the whole length, and sending it read past the chain (a crash in
# net_pcap's TX, found with tcpdump's bigtcp-*.pcap). op25b reads the
# capture first and refuses it, on either port; cut with editcap -s 65535
# as the refusal says, it runs.
"$py" - "$work/big.pcap" <<'EOF'
import struct, sys
def frame(n):
    # Ethernet, local experimental ethertype 0x88b5: non_smtp, not read.
    head = bytes.fromhex("020000000002" "020000000001" "88b5")
    return head + bytes(n - len(head))
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1))
    for n in (60, 70000, 100000, 2000, 67584):
        f.write(struct.pack("<IIII", 1, 0, n, n) + frame(n))
EOF
refused pcap-over-64k \
	"op25b: port 0 (net_pcap0): $work/big.pcap has 3 frame(s) longer than 65535 bytes (frame 2: 70000 bytes; a host's GRO or BIG TCP packets, which no Ethernet link carries), which DPDK's net_pcap cannot read whole: cut them with editcap -s 65535" \
	--vdev "net_pcap0,rx_pcap=$work/big.pcap,tx_pcap=$work/x0.pcap" \
	--vdev "net_pcap1,tx_pcap=$work/x1.pcap" \
	-- --policy "$policy" --max-pkt-len 16128
refused pcap-over-64k-up \
	"op25b: port 1 (net_pcap1): $work/big.pcap has 3 frame(s) longer than 65535 bytes" \
	--vdev "net_pcap0,rx_pcap=$work/sub.pcap,tx_pcap=$work/x0.pcap" \
	--vdev "net_pcap1,rx_pcap=$work/big.pcap,tx_pcap=$work/x1.pcap" \
	-- --policy "$policy" --max-pkt-len 16128
if editcap -s 65535 "$work/big.pcap" "$work/big-cut.pcap" >"$work/editcap.out" 2>&1; then
	run pcap-cut \
		--vdev "net_pcap0,rx_pcap=$work/big-cut.pcap,tx_pcap=$work/pcap-cut/sub-tx.pcap" \
		--vdev "net_pcap1,tx_pcap=$work/pcap-cut/up-tx.pcap" \
		-- --policy "$policy" --max-pkt-len 16128
	want_ok && stats non_smtp=5 malformed=0 chained=3
else
	problem "editcap -s 65535:" "$(cat "$work/editcap.out")"
fi
report "net_pcap: a capture with frames over 65,535 bytes refused in one line on either port (its frame and length, editcap -s 65535), exit 1; cut so, it runs"
# A FIFO cannot be read ahead: op25b makes each frame's length what its
# mbufs hold (net_pcap's 16-bit count: 70,000 -> 4,464 and 100,000 ->
# 34,464 bytes in chains, 67,584 -> one mbuf of 2,048), so that the frames
# go through cut short (net_pcap writes 16,128 bytes of a chain at most)
# instead of being read past their end (exit status 139 before).
mkfifo "$work/big.fifo"
cat "$work/big.pcap" >"$work/big.fifo" &
pids+=($!)
run pcap-fifo \
	--vdev "net_pcap0,rx_pcap=$work/big.fifo,tx_pcap=$work/pcap-fifo/sub-tx.pcap" \
	--vdev "net_pcap1,tx_pcap=$work/pcap-fifo/up-tx.pcap" \
	-- --policy "$policy" --max-pkt-len 16128
if want_ok; then
	stats non_smtp=5 malformed=0 chained=2
	py_check '
import sys, pcapfile
got = [(len(d), n) for d, n in pcapfile.records(sys.argv[1])]
want = [(60, 60), (4464, 4464), (16128, 34464), (2000, 2000), (2048, 2048)]
if got != want:
    print("upstream frames (written, length) %s, want %s" % (got, want))
    sys.exit(1)
' "$d/up-tx.pcap"
fi
report "net_pcap: frames over 65,535 bytes from a FIFO (not read ahead) go through cut to what net_pcap's chain holds, never read past it"

refused null-no-scatter \
	"op25b: port 0 (net_null0): a 1526-byte frame does not fit one mbuf (--mbuf-size 1024 holds 896) and this port cannot chain mbufs: it takes --mbuf-size 1654 or more" \
	--vdev net_null0 --vdev net_null1 \
	-- --policy "$policy" --mbuf-size 1024
report "net_null (no scatter) --mbuf-size 1024: refused in one line naming the --mbuf-size it takes, exit 1"

# A port that may receive chains (net_pcap chains any long frame; a frame
# within a QinQ allowance of the data room, where NICs turn scatter on)
# and one that cannot send them: net_bonding over net_null offers no
# multi-segment TX and is not known to send a chain whole. (Leak checks
# off for these two runs under --sanitize: DPDK 22.11's bonding PMD keeps
# its parsed devargs until its vdev is removed, which rte_eal_cleanup()
# does not do, a leak at exit whatever the application.)
nolsan=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
ASAN_OPTIONS=$nolsan refused pcap-to-bond \
	"op25b: port 2 (net_bonding0) cannot send chains of mbufs, which port 0 (net_pcap0) hands over for any frame longer than the data room: pair it with a port that sends chains" \
	--vdev "net_pcap0,rx_pcap=$work/sub.pcap,tx_pcap=$work/x0.pcap" \
	--vdev net_null1 --vdev net_bonding0,mode=0,slave=net_null1 \
	-- --policy "$policy" --pairs 0:2
ASAN_OPTIONS=$nolsan refused near-room-to-bond \
	"op25b: port 2 (net_bonding0) cannot send chains of mbufs, which port 0 (net_ring0) may hand over (--max-pkt-len 2044 is within 8 bytes of --mbuf-size 2176's data room, where drivers turn scatter on): give --max-pkt-len 2040 or less, or --mbuf-size 2180 or more" \
	--vdev net_ring0 --vdev net_null1 --vdev net_bonding0,mode=0,slave=net_null1 \
	-- --policy "$policy" --pairs 0:2 --max-pkt-len 2044
report "a port that may receive chains paired with one that cannot send them (net_bonding over net_null): refused in one line saying what avoids it, exit 1"

# A bond's member named as a port: the default pair (0:1) over a bond of
# ports 0 and 1, and a member given by its port id with the bond first.
# op25b set the member up beside the bond (frames split between the two
# pollers of one queue), or failed on it as "busy".
ASAN_OPTIONS=$nolsan refused bond-members-default \
	"op25b: port 0 (net_null0) is a member of bond port 2 (net_bonding0): name the bond in --pairs, not its members" \
	--vdev net_null0 --vdev net_null1 \
	--vdev net_bonding0,mode=0,slave=net_null0,slave=net_null1 \
	-- --policy "$policy"
ASAN_OPTIONS=$nolsan refused bond-member-by-id \
	"op25b: port 0 (net_ring0) is a member of bond port 2 (net_bonding0): name the bond in --pairs, not its members" \
	--vdev net_ring0 --vdev net_null1 --vdev net_bonding0,mode=0,slave=0 \
	-- --policy "$policy" --pairs 2:0
report "a bond's member in --pairs (the default pair, or by port id): refused in one line naming the bond, exit 1"

# A probed port in no pair passes nothing: said once at start.
run unpaired --vdev "net_pcap0,rx_pcap=$work/sub.pcap,tx_pcap=$work/x0.pcap" \
	--vdev "net_pcap1,tx_pcap=$work/x1.pcap" --vdev net_ring2 \
	-- --policy "$policy"
if want_ok; then
	want_has "$d/err" "op25b: warning: port 2 (net_ring2) is in no pair: it passes nothing (--pairs names the ports op25b runs)"
	[ "$(grep -c "in no pair" "$d/err")" = 1 ] ||
		problem "want one unpaired-port warning:" "$(cat "$d/err")"
fi
report "a port in no pair: op25b runs and warns once that it passes nothing"

# --- (f) bad values ---------------------------------------------------------
for bad in "--max-pkt-len 1517" "--max-pkt-len 65536" "--max-pkt-len 9k" \
	"--max-pkt-len -9018" "--max-pkt-len ''" "--mbuf-size 1023" \
	"--mbuf-size 65536" "--mbuf-size 2176.5"; do
	eval "args=($bad)"
	case ${args[0]} in
	--max-pkt-len) want="op25b: ${args[0]} ${args[1]}: expected 1518..65535 bytes" ;;
	*) want="op25b: ${args[0]} ${args[1]}: expected 1024..65535 bytes" ;;
	esac
	run bad --vdev net_null0 --vdev net_null1 -- --policy "$policy" "${args[@]}"
	want_rc "$rc" 1 "$bad: exit status"
	grep -v "warning:" "$d/err" >"$d/err.own"
	want_lines "$d/err.own" 1
	want_has "$d/err.own" "$want"
done
report "bad --max-pkt-len and --mbuf-size values: one line each saying the range, exit 1"

# --- (c) net_af_packet over veths with MTU 9000 -----------------------------
af_name="net_af_packet on veths with MTU 9000"
if ! netns_add "$ns"; then
	echo "ok $af_name # SKIP $netns_err"
	exit $status
fi
nsx() { in_ns "$ns" "$@"; }
# vA, vB: op25b's ports; pA: the subscriber's end; pB: upstream's.
setup_err=$(
	netns_no_ipv6 "$ns" 2>&1 && veth "$ns:vA" "$ns:pA" 9000 2>&1 &&
		veth "$ns:vB" "$ns:pB" 9000 2>&1 &&
		for i in pA pB; do nsx ethtool -K "$i" tx off >/dev/null 2>&1 || exit 1; done
)
if [ $? -ne 0 ]; then
	problem "veth set-up failed:" "$setup_err"
	report "$af_name: set-up"
	exit $status
fi
mtu() { nsx cat "/sys/class/net/$1/mtu"; }
af=(--vdev net_af_packet0,iface=vA --vdev net_af_packet1,iface=vB)

d="$work/af-refused"
mkdir -p "$d"
nsx "$op25b" "${eal[@]}" "${af[@]}" -- --policy "$policy" "${app[@]}" \
	--max-pkt-len 9018 >"$d/out" 2>"$d/err"
want_rc $? 1
grep -v "warning:" "$d/err" >"$d/err.own"
want_lines "$d/err.own" 1
want_has "$d/err.own" "op25b: port 0 (net_af_packet0): --max-pkt-len 9018 is more than the 1526 bytes this port takes (MTU 1500)"
[ "$(mtu vA)/$(mtu vB)" = 9000/9000 ] ||
	problem "kernel MTUs vA/vB $(mtu vA)/$(mtu vB) after a refusal, want 9000/9000 (untouched)"
report "$af_name: --max-pkt-len 9018 refused in one line (DPDK 22.11's af_packet takes MTU 1500), kernel MTUs untouched, exit 1"

# --max-pkt-len 1518 (an untagged 1,514-byte frame and its CRC): the
# kernel interfaces get MTU 1500, not 1492 (1518 less two tags' room),
# which dropped every full-size untagged frame before op25b saw it.
# af_start NAME ARGS...: op25b on the veths in $d=$work/NAME with ARGS;
# true once it runs (else said). af_stop: its stop, exit status 0.
af_start() {
	d="$work/$1"
	shift
	mkdir -p "$d"
	ip netns exec "$ns" timeout 30 "$op25b" "${eal[@]}" "${af[@]}" \
		-- --policy "$policy" "${app[@]}" "$@" >"$d/out" 2>"$d/err" &
	bg_pid=$!
	wait_until 15 "$bg_pid" grep -qsF "op25b: policy" "$d/out" && return 0
	problem "op25b did not start:" "$(tail -n 20 "$d/out" "$d/err")"
	return 1
}
af_stop() {
	stop_bg TERM 5
	[ "$rc" = 0 ] || problem "op25b exit status $rc:" "$(tail -20 "$d/err")"
}

if af_start af-1518 --max-pkt-len 1518; then
	want_has "$d/out" "op25b: ports 0 (net_af_packet0) MTU 1500, 1 (net_af_packet1) MTU 1500"
	[ "$(mtu vA)/$(mtu vB)" = 1500/1500 ] ||
		problem "kernel MTUs vA/vB $(mtu vA)/$(mtu vB) at --max-pkt-len 1518, want 1500/1500"
fi
af_stop
report "$af_name: --max-pkt-len 1518 gives MTU 1500 (an untagged frame of 1518 bytes passes), not 1492"

if af_start af --stats-json "$work/af/stats.json"; then
	[ "$(mtu vA)/$(mtu vB)" = 1500/1500 ] ||
		problem "kernel MTUs vA/vB $(mtu vA)/$(mtu vB), want 1500/1500 (what op25b set)"
	ip netns exec "$ns" timeout 30 "$py" "$frames" veth pA pB \
		>"$d/scapy.out" 2>"$d/scapy.err"
	[ $? -eq 0 ] || problem "scapy failed:" "$(tail -5 "$d/scapy.err")"
	# Only the 1,514-byte frame, intact: the 8,900-byte one is refused
	# by the kernel at vA (MTU 1500), never cut by af_packet's ring.
	got=$(grep "^upstream 443" "$d/scapy.out")
	[ "$got" = "upstream 443 1514 same" ] ||
		problem "HTTPS upstream: '${got//$'\n'/; }', want only 'upstream 443 1514 same'"
	# The way back too: without the MTU op25b sets, af_packet's ring
	# (framesz 2048) cut an 8,900-byte frame to 1,982 bytes and op25b
	# forwarded it so.
	got=$(grep "^subscriber" "$d/scapy.out")
	[ "$got" = "subscriber 1514 same" ] ||
		problem "HTTPS back to the subscriber: '${got//$'\n'/; }', want only 'subscriber 1514 same'"
	grep -q "^upstream 25 " "$d/scapy.out" && problem "the port-25 SYN was forwarded"
	grep -qx "rst 44003 ack 1004" "$d/scapy.out" ||
		problem "no RST+ACK for the port-25 SYN:" "$(cat "$d/scapy.out")"
	grep -q "^rst 44006 " "$d/scapy.out" &&
		problem "an RST for the 8,900-byte SYN, which vA's MTU drops"
fi
af_stop
report "$af_name: op25b sets them to 1500; 1,514-byte HTTPS frames arrive intact both ways, 8,900-byte ones are never forwarded cut, a port-25 SYN is reset"

# --- (g) real jumbo frames through the kernel: net_pcap on the veths ---------
# net_pcap on a live interface reads a frame longer than one mbuf into a
# chain and sends a chain whole (up to 16,128 bytes), and leaves the kernel
# MTU alone: the veths keep 9,000, so 8,900-byte frames cross them for real.
pc_name="net_pcap on veths with MTU 9000"
for i in vA pA vB pB; do nsx ip link set "$i" mtu 9000 || problem "mtu $i"; done
d="$work/pcap-live"
mkdir -p "$d"
ip netns exec "$ns" timeout 30 "$op25b" "${eal[@]}" \
	--vdev net_pcap0,iface=vA --vdev net_pcap1,iface=vB \
	-- --policy "$policy" "${app[@]}" --max-pkt-len 9018 \
	--stats-json "$d/stats.json" >"$d/out" 2>"$d/err" &
bg_pid=$!
if wait_until 15 "$bg_pid" grep -qsF "op25b: policy" "$d/out"; then
	ip netns exec "$ns" timeout 30 "$py" "$frames" veth pA pB \
		>"$d/scapy.out" 2>"$d/scapy.err"
	[ $? -eq 0 ] || problem "scapy failed:" "$(tail -5 "$d/scapy.err")"
	got=$(grep "^upstream 443" "$d/scapy.out" | sort)
	[ "$got" = $'upstream 443 1514 same\nupstream 443 8900 same' ] ||
		problem "HTTPS upstream: '${got//$'\n'/; }', want 1,514 and 8,900 bytes, the same"
	got=$(grep "^subscriber" "$d/scapy.out" | sort)
	[ "$got" = $'subscriber 1514 same\nsubscriber 8900 same' ] ||
		problem "HTTPS back: '${got//$'\n'/; }', want 1,514 and 8,900 bytes, the same"
	grep -q "^upstream 25 " "$d/scapy.out" && problem "a port-25 SYN was forwarded"
	# RFC 9293: the RST acknowledges the SYN and its 8,846 data bytes.
	grep -qx "rst 44003 ack 1004" "$d/scapy.out" &&
		grep -qx "rst 44006 ack 9853" "$d/scapy.out" ||
		problem "RST+ACKs for the two port-25 SYNs:" "$(cat "$d/scapy.out")"
else
	problem "op25b did not start:" "$(tail -n 20 "$d/out" "$d/err")"
fi
stop_bg TERM 5
[ "$rc" = 0 ] || problem "op25b exit status $rc:" "$(tail -20 "$d/err")"
py_check 'import json,sys; s=json.load(open(sys.argv[1])); assert s["frames"]["chained"] == 2 and s["packets"]["reset"] == 2 and s["packets"]["malformed"] == 0, (s["frames"], s["packets"])' "$d/stats.json"
report "$pc_name: 8,900-byte HTTPS frames arrive intact both ways, 8,900-byte and small port-25 SYNs are answered with RSTs, the two 8,900-byte subscriber frames counted as chained, none malformed"
exit $status
