#!/usr/bin/env bash
# op25b runs unchanged on other vdevs: net_null (endless zero frames, stopped
# by SIGTERM and SIGINT), net_ring (idle), net_pcap with the pair reversed,
# two pairs, bursts of 1, 32 and the default 64, net_af_packet over veths in
# a network namespace of its own with frames injected and captured by scapy,
# and net_tap's link taken down and up in that namespace.
# Prints "ok NAME" / "not ok NAME" lines; details follow as "#   " lines.
set -uo pipefail
. "$(dirname "$0")/common.bash"
scenario vdevs
ns="op25b-t-$$"

enforce="$root/test/vectors/enforce.yaml"
app=(--status-interval 0 --name "$scenario_name")

# Frames of pcap files, with no dependency on scapy (fast).
cat >"$work/pcaptool.py" <<'EOF'
import struct
import sys

from pcapfile import frames

def expected(in_pcap, expect_txt, outcomes):
    """The frames of in_pcap whose expected outcome is in outcomes."""
    cases = [l.split() for l in open(expect_txt)
             if l.strip() and not l.startswith("#")]
    fr = frames(in_pcap)
    if len(fr) != len(cases):
        raise SystemExit(f"{in_pcap}: {len(fr)} frames, {len(cases)} cases")
    return [f for f, c in zip(fr, cases) if c[1] in outcomes], cases

FORWARDED = ("non_smtp", "submission", "fragments", "exempted", "forwarded",
             "counted")

def same_frames(what, got, want):
    """Problems, as lines, when got and want differ."""
    bad = []
    if len(got) != len(want):
        bad.append(f"{what}: {len(got)} frames, want {len(want)}")
    for i, (g, w) in enumerate(zip(got, want)):
        if g != w:
            bad.append(f"{what}: frame {i + 1} differs: got {g[:64].hex()}..."
                       f" want {w[:64].hex()}...")
            break
    return bad

if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "forwarded":  # IN.pcap EXPECT.txt OUT.pcap...
        want, _ = expected(sys.argv[2], sys.argv[3], FORWARDED)
        bad = []
        for path in sys.argv[4:]:
            bad += same_frames(path.rsplit("/", 1)[-1], frames(path), want)
        print("\n".join(bad))
        sys.exit(1 if bad else 0)
    if cmd == "count":  # EXPECT.txt OUTCOME...: how many cases
        print(sum(1 for l in open(sys.argv[2])
                  if l.split() and l.split()[1] in sys.argv[3:]))
    elif cmd == "frames":  # PCAP: how many frames
        print(len(frames(sys.argv[2])))
    elif cmd == "norm":  # IN OUT: the same frames, timestamps zeroed
        with open(sys.argv[3], "wb") as f:
            f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
            for fr in frames(sys.argv[2]):
                f.write(struct.pack("<IIII", 0, 0, len(fr), len(fr)))
                f.write(fr)
EOF
pcaptool() { "$py" "$work/pcaptool.py" "$@"; }

# The stats JSON identities every run must satisfy: port rx == sum of the
# outcomes on the subscriber side, upstream rx == "upstream", mempool full.
stats_identity='
import json, sys
s = json.load(open(sys.argv[1]))
p = s["packets"]
outcomes = ["non_smtp", "submission", "fragments", "malformed",
            "exempted", "forwarded", "counted", "blocked", "reset"]
sub = sum(q["rx"] for q in s["ports"] if q["role"] == "subscriber")
up = sum(q["rx"] for q in s["ports"] if q["role"] == "upstream")
bad = []
if sub != sum(p[o] for o in outcomes):
    bad.append("subscriber rx %d != sum of outcomes %d: %s"
               % (sub, sum(p[o] for o in outcomes), p))
if up != p["upstream"]:
    bad.append("upstream rx %d != packets.upstream %d" % (up, p["upstream"]))
m = s["mempool"]
if m["available"] != m["size"]:
    bad.append("mempool: %d of %d available" % (m["available"], m["size"]))
print("\n".join(bad))
sys.exit(1 if bad else 0)
'

# run_signalled NAME SIGNAL RUN-SECONDS VDEV-ARGS...: op25b in the background
# (under timeout, which passes the signal on), signalled after it has run.
run_signalled() {
	local name=$1 sig=$2 secs=$3
	shift 3
	d="$work/$name"
	mkdir -p "$d"
	timeout 30 "$op25b" "${eal[@]}" "$@" -- --policy "$enforce" "${app[@]}" \
		--stats-json "$d/stats.json" >"$d/out" 2>"$d/err" &
	bg_pid=$!
	if ! wait_until 15 "$bg_pid" grep -qsF "op25b: policy" "$d/out"; then
		problem "op25b did not start:" "$(tail -n 20 "$d/out" "$d/err")"
	fi
	sleep "$secs"
	stop_bg "$sig" 5
	case $rc in
	0) ;;
	999) problem "did not exit within 5 s of SIG$sig" ;;
	*) problem "exit status $rc, want 0:" "$(tail -20 "$d/err")" ;;
	esac
}

# --- net_null: zero frames, endlessly ---------------------------------------
# A zero-filled frame has EtherType 0x0000: not IP, so the parser settles it
# as non_smtp (forwarded untouched), never malformed.
null_check='
import json, sys
s = json.load(open(sys.argv[1]))
p = s["packets"]
rx0 = s["ports"][0]["rx"]
bad = []
if s["ports"][0]["port"] != 0 or s["ports"][0]["role"] != "subscriber":
    bad.append("ports[0] is not the subscriber port 0: %s" % s["ports"][0])
if rx0 <= 0:
    bad.append("port 0 rx %d, want > 0" % rx0)
if p["non_smtp"] != rx0:
    bad.append("non_smtp %d, want every packet of port 0 (%d): %s"
               % (p["non_smtp"], rx0, p))
print("\n".join(bad))
sys.exit(1 if bad else 0)
'
for sig in TERM INT; do
	want=$([ $sig = TERM ] && echo Terminated || echo Interrupt)
	run_signalled "null-$sig" "$sig" 2 --vdev net_null0 --vdev net_null1
	want_has "$d/out" "op25b: $want, stopping"
	if [ -f "$d/stats.json" ]; then
		py_check "$null_check" "$d/stats.json"
		py_check "$stats_identity" "$d/stats.json"
	else
		problem "no stats json"
	fi
	report "net_null SIG$sig after 2 s: exit 0 within 5 s, \"stopping\", port 0 rx > 0, all non_smtp, rx = sum of outcomes, mempool full"
done

# --- net_ring: nothing arrives ----------------------------------------------
run_signalled ring TERM 1 --vdev net_ring0 --vdev net_ring1
want_has "$d/out" "op25b: Terminated, stopping"
if [ -f "$d/stats.json" ]; then
	py_check '
import json, sys
s = json.load(open(sys.argv[1]))
bad = ["port %d rx %d, want 0" % (q["port"], q["rx"])
       for q in s["ports"] if q["rx"] != 0]
if sum(s["packets"].values()) != 0:
    bad.append("packets: %s, want all 0" % s["packets"])
print("\n".join(bad))
sys.exit(1 if bad else 0)
' "$d/stats.json"
	py_check "$stats_identity" "$d/stats.json"
else
	problem "no stats json"
fi
report "net_ring SIGTERM: exit 0, rx 0 on both ports, mempool full"

# --- net_pcap ---------------------------------------------------------------
vec="$root/test/vectors/enforce.vec"
if ! "$gen" vectors "$vec" --out "$work/in.pcap" --expect "$work/expect.txt" \
	>"$work/gen.log" 2>&1; then
	echo "not ok op25b-gen vectors $vec"
	sed 's/^/#   /' "$work/gen.log"
	exit 1
fi
n_cases=$(wc -l <"$work/expect.txt")
n_fwd=$(pcaptool count "$work/expect.txt" non_smtp submission fragments forwarded counted)
n_reset=$(pcaptool count "$work/expect.txt" reset)

# run_pcap NAME VDEV-AND-APP-ARGS...: op25b over pcaps until idle.
run_pcap() {
	local name=$1
	shift
	d="$work/$name"
	mkdir -p "$d"
	timeout 60 "$op25b" "${eal[@]}" "$@" --stop-after-idle 300 "${app[@]}" \
		--stats-json "$d/stats.json" >"$d/out" 2>"$d/err"
	rc=$?
	if [ $rc -ne 0 ]; then
		problem "op25b exited with $rc:" "$(tail -n 20 "$d/out" "$d/err")"
		return 1
	fi
	py_check "$stats_identity" "$d/stats.json"
}

# The pair reversed: port 1 is the subscriber side, port 0 upstream.
if run_pcap reversed \
	--vdev "net_pcap0,tx_pcap=$work/reversed/up-tx.pcap" \
	--vdev "net_pcap1,rx_pcap=$work/in.pcap,tx_pcap=$work/reversed/sub-tx.pcap" \
	-- --policy "$enforce" --pairs 1:0; then
	"$py" "$work/pcaptool.py" forwarded "$work/in.pcap" "$work/expect.txt" \
		"$d/up-tx.pcap" >"$d/cmp.txt" 2>&1 || problem "$(cat "$d/cmp.txt")"
	got=$(pcaptool frames "$d/sub-tx.pcap")
	[ "$got" = "$n_reset" ] || problem "port 1 tx (resets) $got frames, want $n_reset"
	py_check '
import json, sys
s = json.load(open(sys.argv[1]))
roles = {q["port"]: (q["role"], q["rx"]) for q in s["ports"]}
want = {1: ("subscriber", int(sys.argv[2])), 0: ("upstream", 0)}
if roles != want:
    print("ports (role, rx): %s, want %s" % (roles, want))
    sys.exit(1)
' "$d/stats.json" "$n_cases"
fi
report "net_pcap --pairs 1:0: port 0 tx has the $n_fwd forwarded frames of port 1's $n_cases, port 1 tx the $n_reset resets"

# Two pairs, the capture on both subscriber ports.
if run_pcap two-pairs \
	--vdev "net_pcap0,rx_pcap=$work/in.pcap,tx_pcap=$work/two-pairs/sub0.pcap" \
	--vdev "net_pcap1,tx_pcap=$work/two-pairs/up1.pcap" \
	--vdev "net_pcap2,rx_pcap=$work/in.pcap,tx_pcap=$work/two-pairs/sub2.pcap" \
	--vdev "net_pcap3,tx_pcap=$work/two-pairs/up3.pcap" \
	-- --policy "$enforce" --pairs 0:1,2:3; then
	"$py" "$work/pcaptool.py" forwarded "$work/in.pcap" "$work/expect.txt" \
		"$d/up1.pcap" "$d/up3.pcap" >"$d/cmp.txt" 2>&1 ||
		problem "$(cat "$d/cmp.txt")"
	py_check '
import json, sys
s = json.load(open(sys.argv[1]))
n, fwd = int(sys.argv[2]), int(sys.argv[3])
got = {q["port"]: (q["role"], q["rx"], q["tx"]) for q in s["ports"]}
bad = []
for sub, up in ((0, 1), (2, 3)):
    if got.get(sub, (None, None))[:2] != ("subscriber", n):
        bad.append("port %d: %s, want subscriber with rx %d" % (sub, got.get(sub), n))
    if got.get(up) != ("upstream", 0, fwd):
        bad.append("port %d: %s, want upstream, rx 0, tx %d" % (up, got.get(up), fwd))
if s["packets"]["forwarded"] + s["packets"]["exempted"] + s["packets"]["non_smtp"] + s["packets"]["submission"] + s["packets"]["fragments"] + s["packets"]["counted"] != 2 * fwd:
    bad.append("packets %s: want twice the forwarded cases (%d)" % (s["packets"], fwd))
print("\n".join(bad))
sys.exit(1 if bad else 0)
' "$d/stats.json" "$n_cases" "$n_fwd"
fi
report "net_pcap --pairs 0:1,2:3: both upstream files get the $n_fwd forwarded frames; stats show subscriber ports 0 and 2"

# Bursts: the same frames out whatever the burst size. net_pcap stamps
# frames with the time they were sent, so the files are compared with their
# timestamps zeroed.
for b in default 1 32; do
	opts=()
	[ $b = default ] || opts=(--burst "$b")
	if run_pcap "burst-$b" \
		--vdev "net_pcap0,rx_pcap=$work/in.pcap,tx_pcap=$work/burst-$b/sub-tx.pcap" \
		--vdev "net_pcap1,tx_pcap=$work/burst-$b/up-tx.pcap" \
		-- --policy "$enforce" "${opts[@]}"; then
		for f in up sub; do
			pcaptool norm "$d/$f-tx.pcap" "$d/$f.norm" 2>"$d/norm.err" ||
				problem "burst $b: $f-tx.pcap cannot be normalised:" "$(tail -3 "$d/norm.err")"
		done
	fi
done
for b in 1 32; do
	for f in up sub; do
		cmp "$work/burst-default/$f.norm" "$work/burst-$b/$f.norm" >"$work/cmp.txt" 2>&1 ||
			problem "--burst $b: $f-tx.pcap differs from the default burst's: $(cat "$work/cmp.txt")"
	done
done
n=$(pcaptool frames "$work/burst-default/up-tx.pcap" 2>/dev/null)
[ "$n" = "$n_fwd" ] || problem "default burst: upstream has ${n:-no} frames, want $n_fwd"
# The comparison compares frames: the normalised files hold them all.
n=$(pcaptool frames "$work/burst-default/up.norm" 2>/dev/null)
[ "$n" = "$n_fwd" ] || problem "default burst: up.norm has ${n:-no} frames, want $n_fwd"
report "--burst 1 and --burst 32: upstream (and reply) pcaps identical to the default burst's, frame by frame"

# --- net_af_packet over veths in a namespace of our own ---------------------
af_name="net_af_packet over veths in a netns of its own: a dynamic SYN to port 25 is reset, not forwarded; a SYN to 443 is forwarded"
if ! netns_add "$ns"; then
	echo "ok $af_name # SKIP $netns_err"
	exit $status
fi
# vA, vB: op25b's ports; pA: the subscriber's end (inject, get the RST);
# pB: the upstream end (capture). No IPv6: no kernel chatter on the links.
setup_err=$(
	netns_no_ipv6 "$ns" 2>&1 && veth "$ns:vA" "$ns:pA" 2>&1 &&
		veth "$ns:vB" "$ns:pB" 2>&1
)
if [ $? -ne 0 ]; then
	problem "veth set-up failed:" "$setup_err"
	report "$af_name"
	exit $status
fi
d="$work/af"
mkdir -p "$d"
ip netns exec "$ns" timeout 30 "$op25b" "${eal[@]}" \
	--vdev net_af_packet0,iface=vA --vdev net_af_packet1,iface=vB \
	-- --policy "$enforce" "${app[@]}" --stats-json "$d/stats.json" \
	>"$d/out" 2>"$d/err" &
bg_pid=$!
if wait_until 15 "$bg_pid" grep -qsF "op25b: policy" "$d/out"; then
	# Scapy: sniff both peer ends, inject on pA, and report what came out.
	ip netns exec "$ns" timeout 30 "$py" - pA pB >"$d/scapy.out" 2>"$d/scapy.err" <<'EOF'
import sys

from scapy.all import Ether, IP, TCP, sendp
from pcapfile import Sniffers

a, b = sys.argv[1], sys.argv[2]
src, dst = "198.18.5.9", "198.19.250.9"  # dynamic class -> no group
eth = Ether(src="02:00:00:00:00:0a", dst="02:00:00:00:00:0b")
syns = []
for i in range(3):
    syns.append(eth / IP(src=src, dst=dst) /
                TCP(sport=40250 + i, dport=25, flags="S", seq=1000 + i))
    syns.append(eth / IP(src=src, dst=dst) /
                TCP(sport=44430 + i, dport=443, flags="S", seq=2000 + i))
with Sniffers(a, b) as sniffed:
    sendp(syns, iface=a, verbose=False)
got_a, got_b = sniffed.got

def tcp(pkts):
    return [p for p in pkts if IP in p and TCP in p]

fwd25 = [p for p in tcp(got_b) if p[TCP].dport == 25]
fwd443 = [p for p in tcp(got_b)
          if p[TCP].dport == 443 and p[IP].src == src and p[IP].dst == dst]
rsts = [p for p in tcp(got_a)
        if p[IP].src == dst and p[IP].dst == src and p[TCP].sport == 25
        and 40250 <= p[TCP].dport < 40253 and p[TCP].flags == "RA"
        and p[TCP].ack == 1001 + p[TCP].dport - 40250]
print("upstream_port25 %d" % len(fwd25))
print("upstream_port443 %d" % len(fwd443))
print("subscriber_rst %d" % len(rsts))
for p in got_b:
    print("# upstream: " + p.summary())
for p in got_a:
    print("# subscriber: " + p.summary())
EOF
	src_rc=$?
	[ $src_rc -eq 0 ] || problem "scapy exited with $src_rc:" "$(tail -20 "$d/scapy.err")"
	val() { sed -n "s/^$1 //p" "$d/scapy.out"; }
	[ "$(val upstream_port25)" = 0 ] ||
		problem "port-25 SYNs forwarded upstream: $(val upstream_port25), want 0"
	[ "$(val upstream_port443)" = 3 ] ||
		problem "port-443 SYNs forwarded upstream: $(val upstream_port443), want 3"
	[ "$(val subscriber_rst)" = 3 ] ||
		problem "RST+ACKs back to the subscriber: $(val subscriber_rst), want 3"
	[ -z "$problems" ] || problem "captured:" "$(grep '^#' "$d/scapy.out" | head -30)"
else
	problem "op25b did not start:" "$(tail -n 20 "$d/out" "$d/err")"
fi
stop_bg TERM 5
[ "$rc" = 0 ] || problem "op25b exit status $rc (999: did not stop within 5 s):" \
	"$(tail -20 "$d/err")"
if [ -f "$d/stats.json" ]; then
	py_check "$stats_identity" "$d/stats.json"
	py_check '
import json, sys
p = json.load(open(sys.argv[1]))["packets"]
if p["reset"] != 3:
    print("packets.reset %d, want 3: %s" % (p["reset"], p))
    sys.exit(1)
' "$d/stats.json"
fi
report "$af_name"

# --- the link: down and up again -------------------------------------------
# net_tap's interface in the scenario's namespace: its link follows the
# interface (up and running), so `ip link set` takes it down and up. op25b
# logs each change, and the shared memory (op25b-stat --json, Prometheus)
# follows within its one-second sample.
link_name="the link: net_tap's interface set down and up is logged and shown as link_up and speed_mbps"
d="$work/link"
mkdir -p "$d"
ip netns exec "$ns" timeout 60 "$op25b" "${eal[@]}" \
	--vdev net_tap0,iface=op25bL --vdev net_null1,no-rx=1 \
	-- --policy "$enforce" --status-interval 0 --name "$name-link" \
	--cli-socket "$d/cli.sock" >"$d/out" 2>"$d/err" &
bg_pid=$!
# link_is UP SPEED: port 0 as op25b-stat --json and --prometheus show it.
link_is() {
	"$stat" --name "$name-link" --json >"$d/stat.json" 2>/dev/null &&
		"$stat" --name "$name-link" --prometheus >"$d/stat.prom" 2>/dev/null &&
		"$py" - "$d/stat.json" "$d/stat.prom" "$1" "$2" <<'EOF'
import json, sys
p = json.load(open(sys.argv[1]))["ports"][0]
prom = open(sys.argv[2]).read()
up, speed = int(sys.argv[3]), int(sys.argv[4])
labels = '{port="0",name="net_tap0",role="subscriber"}'
sys.exit(not ((p["link_up"], p["speed_mbps"]) == (up, speed)
              and f"op25b_port_link_up{labels} {up}\n" in prom
              and f"op25b_port_link_speed_mbps{labels} {speed}\n" in prom))
EOF
}
if wait_until 15 "$bg_pid" grep -qsF "op25b: policy" "$d/out"; then
	wait_until 5 "$bg_pid" link_is 1 10000 ||
		problem "at start: port 0 $(cat "$d/stat.json" 2>/dev/null | "$py" -c 'import json,sys; p=json.load(sys.stdin)["ports"][0]; print(p["link_up"], p["speed_mbps"])')"
	in_ns "$ns" ip link set op25bL down
	wait_until 5 "$bg_pid" link_is 0 0 || problem "the interface set down: port 0 not shown down"
	wait_for "$d/out" "op25b: port 0 (net_tap0): link down" "$bg_pid" ||
		problem "no 'link down' line:" "$(cat "$d/out")"
	in_ns "$ns" ip link set op25bL up
	wait_until 5 "$bg_pid" link_is 1 10000 || problem "the interface set up again: port 0 not shown up"
	wait_for "$d/out" "op25b: port 0 (net_tap0): link up, 10000 Mbps" "$bg_pid" ||
		problem "no 'link up' line:" "$(cat "$d/out")"
	# At start only a link that is down is said; each change once.
	[ "$(grep -c ': link ' "$d/out")" = 2 ] || problem "link lines:" "$(grep ': link ' "$d/out")"
else
	problem "op25b on net_tap did not start:" "$(tail -5 "$d/out" "$d/err")"
fi
stop_bg TERM 20
want_rc "$rc" 0 "op25b on net_tap: exit status"
report "$link_name"

# --- --stop-after-idle with a worker stalled in its TX -----------------------
# Its pcap goes to a FIFO that nobody reads for 1.5 s: net_pcap's write
# blocks the worker once the pipe is full. A stalled worker is not idle, so
# op25b waits for it rather than stop 300 ms after its last RX (which cut
# replays short on a loaded machine), and every frame gets out: as many as
# a run writing to a plain file.
stall_name="vdevs: --stop-after-idle waits for a worker stalled in a blocking TX (every frame out)"
d="$work/stall"
mkdir -p "$d"
if "$gen" traffic --profile demo --count 3000 --out "$d/in.pcap" 2>"$d/gen.err"; then
	timeout 60 "$op25b" "${eal[@]}" --vdev "net_pcap0,rx_pcap=$d/in.pcap" \
		--vdev "net_pcap1,tx_pcap=$d/file.pcap" -- \
		--policy "$enforce" --stop-after-idle 300 "${app[@]}" \
		>"$d/file.out" 2>&1 || problem "op25b (to a file) failed:" "$(tail -5 "$d/file.out")"
	mkfifo "$d/fifo"
	# The reader opens the FIFO (so that op25b's open returns), then
	# reads nothing for 1.5 s.
	(exec 3<"$d/fifo" && sleep 1.5 && cat <&3 >"$d/fifo.pcap") &
	reader=$!
	timeout 60 "$op25b" "${eal[@]}" --vdev "net_pcap0,rx_pcap=$d/in.pcap" \
		--vdev "net_pcap1,tx_pcap=$d/fifo" -- \
		--policy "$enforce" --stop-after-idle 300 "${app[@]}" \
		>"$d/fifo.out" 2>&1 || problem "op25b (to a FIFO) failed:" "$(tail -5 "$d/fifo.out")"
	timeout 10 tail --pid="$reader" -f /dev/null || kill "$reader" 2>/dev/null
	a=$("$py" "$work/pcaptool.py" frames "$d/file.pcap" 2>&1)
	b=$("$py" "$work/pcaptool.py" frames "$d/fifo.pcap" 2>&1)
	[ -n "$a" ] && [ "$a" -gt 100 ] || problem "the run to a file wrote $a frames"
	[ "$a" = "$b" ] || problem "the stalled run wrote $b frames, the run to a file $a"
else
	problem "op25b-gen traffic failed:" "$(cat "$d/gen.err")"
fi
report "$stall_name"
exit $status
