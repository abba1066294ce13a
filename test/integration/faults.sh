#!/usr/bin/env bash
# Faults, each a test: a policy file missing at start; ports that cannot be
# probed or started (a missing capture, a missing interface, more workers
# than queues, a capture larger than the mbuf pool on either port of the
# pair); the mbuf pool exhausted while running; a TX queue that refuses
# frames (a kernel qdisc that is full, behind net_pcap tx_iface, in a netns
# of our own); SIGTERM in the middle of traffic (complete pcap files);
# systemd's notify protocol (READY=1, STOPPING=1, nothing from a start that
# fails); and SIGKILL, whose stale segment the next op25b of the same name
# replaces.
#
# Why not net_ring for a full TX ring: a net_ring port's RX and TX queue i
# are one and the same ring (loopback), so op25b drains its own upstream TX
# ring every loop, a burst at most behind; a second vdev cannot ATTACH to it
# (its ethdev name is taken). net_null never refuses a frame.
# Prints "ok NAME" / "not ok NAME" lines; details follow as "#   " lines.
set -uo pipefail
. "$(dirname "$0")/common.bash"
scenario faults
tag=$name
ns="op25b-f-$$"

enforce="$root/test/vectors/enforce.yaml"

# pcap_check FILE: its number of records, every header consistent, or
# what is wrong (pcapfile.check).
pcap_check() {
	"$py" -c 'import pcapfile, sys; print(pcapfile.check(sys.argv[1]))' "$1"
}

# The identities every run satisfies: subscriber rx == sum of outcomes,
# upstream tx + tx_dropped == what was forwarded, mempool full.
identity='
import json, sys
s = json.load(open(sys.argv[1]))
p = s["packets"]
sub = [q for q in s["ports"] if q["role"] == "subscriber"][0]
up = [q for q in s["ports"] if q["role"] == "upstream"][0]
outs = ["non_smtp", "submission", "fragments", "malformed", "exempted",
        "forwarded", "counted", "blocked", "reset"]
fwd = sum(p[k] for k in ("non_smtp", "submission", "fragments", "exempted", "forwarded", "counted"))
bad = []
if sub["rx"] != sum(p[k] for k in outs):
    bad.append("subscriber rx %d != sum of outcomes %d: %s" % (sub["rx"], sum(p[k] for k in outs), p))
if up["tx"] + up["tx_dropped"] != fwd:
    bad.append("upstream tx %d + tx_dropped %d != forwarded outcomes %d" % (up["tx"], up["tx_dropped"], fwd))
m = s["mempool"]
if m["available"] != m["size"]:
    bad.append("mempool: %d of %d mbufs available at exit" % (m["available"], m["size"]))
print("\n".join(bad))
sys.exit(1 if bad else 0)
'
# /dev/shm entries that appeared since a listing, other op25b instances'
# (tests running at the same time) left out; ours are always shown.
shm_list() { ls -A /dev/shm | sort; }
shm_new() { # BEFORE-LISTING NAME
	shm_list | comm -13 "$1" - | grep -v -e '^op25b\.' -e '^\.op25b-new\.'
	shm_list | grep -Fx -e "op25b.$2"
	shm_list | grep -F -e ".$2" | grep -E '^\.op25b-new\.[0-9]+\.' | grep -F -e ".$2" |
		awk -v n=".$2" 'substr($0, length($0) - length(n) + 1) == n'
}

# run_fail CASE APP-NAME EAL-AND-APP-ARGS...: op25b is expected to refuse;
# sets d, rc; checks nothing new in /dev/shm and no segment of its name.
run_fail() {
	local c=$1 name=$2
	shift 2
	d="$work/$c"
	mkdir -p "$d"
	shm_list >"$d/shm.before"
	timeout 30 "$op25b" "$@" >"$d/out" 2>"$d/err"
	rc=$?
	local left
	left=$(shm_new "$d/shm.before" "$name")
	[ -z "$left" ] || problem "left in /dev/shm:" "$left"
}
# want_one_line FILE TEXT: exactly one line of op25b's own on stderr, with TEXT.
want_one_line() { # FILE FIXED-STRING
	local n
	n=$(grep -c '^op25b:' "$1")
	[ "$n" -eq 1 ] || problem "$n lines of op25b's own on stderr, want 1:" "$(sed 's/^/  /' "$1")"
	want_has "$1" "$2"
}

# start_bg CASE NAME EAL-AND-APP-ARGS...: op25b in the background, not
# under timeout (signals must reach op25b itself); waits until it is up.
# ${wrap[@]}: a command that execs op25b (ip netns exec NS), if any.
wrap=()
start_bg() {
	local c=$1 name=$2
	shift 2
	d="$work/$c"
	mkdir -p "$d"
	"${wrap[@]}" "$op25b" "$@" >"$d/out" 2>"$d/err" &
	bg_pid=$!
	wait_until 15 "$bg_pid" grep -qsF "counters in /dev/shm/op25b.$name" "$d/out" &&
		return 0
	problem "op25b did not start:" "$(tail -n 20 "$d/out" "$d/err")"
	return 1
}

# run_then_term SECONDS [WHO]: the op25b of start_bg runs SECONDS, then
# SIGTERM: it must exit 0 within 5 s, and its --stats-json ($d/stats.json)
# add up; true when that file is there to check further. WHO names it in
# the messages.
run_then_term() {
	local whose="" from=""
	[ $# -lt 2 ] || whose="$2's " from=" from the $2"
	sleep "$1"
	stop_bg TERM 5
	want_rc "$rc" 0 "${whose}exit status (999: still running 5 s after SIGTERM)"
	if [ -f "$d/stats.json" ]; then
		py_check "$identity" "$d/stats.json"
		return 0
	fi
	problem "no --stats-json$from"
	return 1
}

"$gen" vectors "$root/test/vectors/enforce.vec" --out "$work/small.pcap" \
	>/dev/null 2>&1 || { echo "not ok faults: op25b-gen vectors"; exit 1; }
"$gen" traffic --profile demo --count 2000 --out "$work/demo.pcap" -q ||
	{ echo "not ok faults: op25b-gen traffic"; exit 1; }

# --- policy file missing at start -------------------------------------------
run_fail policy-missing "$tag-pm" "${eal[@]}" --vdev net_null0 --vdev net_null1 \
	-- --policy "$work/nosuch.yaml" --name "$tag-pm" --status-interval 0
want_rc "$rc" 1
want_lines "$d/err" 1
want_has "$d/err" "$work/nosuch.yaml"
want_has "$d/err" "No such file or directory"
want_empty "$d/out"
report "faults: policy file missing at start: one line naming the file, exit 1, nothing in /dev/shm"

# --- ports that cannot be probed --------------------------------------------
run_fail probe-pcap "$tag-pp" "${eal[@]}" \
	--vdev "net_pcap0,rx_pcap=$work/nosuch.pcap" --vdev net_null1 \
	-- --policy "$enforce" --name "$tag-pp" --status-interval 0
want_rc "$rc" 1
want_has "$d/err" "$work/nosuch.pcap: No such file or directory"
want_one_line "$d/err" "op25b: port 1 does not exist (1 ports found"
# Linked statically (no librte_ in its libraries), op25b names the NIC
# drivers it has: the dpdk package's plugins are not loaded.
if ! ldd "$op25b" | grep -q librte_eal; then
	want_re "$d/err" "; NIC drivers built in: [a-z0-9_ ]*\\be1000 [a-z0-9_ ]*, no others\\)\$"
fi
report "faults: net_pcap rx_pcap missing: the driver names the file, one op25b line (and the NIC drivers built in), exit 1, nothing in /dev/shm"

run_fail probe-af "$tag-pa" "${eal[@]}" \
	--vdev net_af_packet0,iface=op25bnosuch --vdev net_null1 \
	-- --policy "$enforce" --name "$tag-pa" --status-interval 0
want_rc "$rc" 1
want_has "$d/err" "net_af_packet0: ioctl failed (SIOCGIFINDEX)"
want_one_line "$d/err" "op25b: port 1 does not exist (1 ports found"
report "faults: net_af_packet on a missing interface: one op25b line, exit 1, nothing in /dev/shm"

# --- ports that cannot start ------------------------------------------------
# Three lcores on whatever CPUs there are: two workers, and net_pcap has one
# queue.
run_fail queues "$tag-q" --lcores '(0-2)@(0-1)' "${eal[@]:2}" \
	--vdev "net_pcap0,rx_pcap=$work/small.pcap" --vdev net_null1 \
	-- --policy "$enforce" --name "$tag-q" --status-interval 0
want_rc "$rc" 1
want_one_line "$d/err" "op25b: port 0 (net_pcap0) has 1 RX / 1 TX queues; 2 workers need one each: use fewer lcores"
want_empty "$d/out"
report "faults: 2 workers on net_pcap (1 queue): refused in one line, exit 1, nothing in /dev/shm"

# The pool's size, as op25b reports it for 1 worker and 2 ports.
mkdir -p "$work/size"
timeout 30 "$op25b" "${eal[@]}" --vdev "net_pcap0,rx_pcap=$work/small.pcap" \
	--vdev net_null1 -- --policy "$enforce" --name "$tag-size" \
	--status-interval 0 --stop-after-idle 200 --stats-json "$work/size/stats.json" \
	>"$work/size/out" 2>"$work/size/err"
pool=$(field "$work/size/stats.json" 's["mempool"]["size"]' 2>/dev/null)
if ! [ "${pool:-0}" -gt 100 ] 2>/dev/null; then
	echo "not ok faults: no mempool size from a plain run"
	sed 's/^/#   /' "$work/size/err"
	exit 1
fi
# infinite_rx copies the whole capture into mbufs of op25b's pool when the
# queue is set up: a capture of pool + 1 frames cannot fit.
"$gen" traffic --profile demo --count $((pool + 1)) --out "$work/pool+1.pcap" -q
"$gen" traffic --profile demo --count "$pool" --out "$work/pool.pcap" -q
"$gen" traffic --profile demo --count $((pool - 16)) --out "$work/pool-16.pcap" -q

run_fail pool-port0 "$tag-p0" "${eal[@]}" \
	--vdev "net_pcap0,rx_pcap=$work/pool+1.pcap,infinite_rx=1" --vdev net_null1 \
	-- --policy "$enforce" --name "$tag-p0" --status-interval 0
want_rc "$rc" 1
want_one_line "$d/err" "op25b: port 0 (net_pcap0): infinite_rx keeps its capture in mbufs of the pool, one a frame: $((pool + 1)) frames, and the pool has $pool (of $pool) free: try --mbufs $((2 * pool + 1))"
report "faults: subscriber port cannot start (capture of pool + 1 frames, infinite_rx): one op25b line, exit 1, nothing in /dev/shm"

# --mbufs makes room for it.
if start_bg pool-mbufs "$tag-pb" "${eal[@]}" \
	--vdev "net_pcap0,rx_pcap=$work/pool+1.pcap,infinite_rx=1" --vdev net_null1 \
	-- --policy "$enforce" --name "$tag-pb" --status-interval 0 \
	--mbufs $((pool + 4096)) --stats-json "$work/pool-mbufs/stats.json"; then
	sleep 0.5
	stop_bg TERM 5
	want_rc "$rc" 0 "exit status with --mbufs"
	want_has "$d/out" "mempool: $((pool + 4096)) of $((pool + 4096)) mbufs free"
	[ -f "$d/stats.json" ] && py_check "$identity" "$d/stats.json"
fi
report "faults: --mbufs POOL+4096 runs that capture; the pool is full again at exit"

# The second port fails after the first started: the first is closed (its TX
# pcap is complete: a header and no frame).
run_fail pool-port1 "$tag-p1" "${eal[@]}" \
	--vdev "net_pcap0,rx_pcap=$work/small.pcap,tx_pcap=$work/pool-port1/sub-tx.pcap" \
	--vdev "net_pcap1,rx_pcap=$work/pool+1.pcap,infinite_rx=1" \
	-- --policy "$enforce" --name "$tag-p1" --status-interval 0
want_rc "$rc" 1
want_one_line "$d/err" "op25b: port 1 (net_pcap1): infinite_rx keeps its capture in mbufs of the pool, one a frame: $((pool + 1)) frames, and the pool has $pool (of $pool) free: try --mbufs $((2 * pool + 1))"
n=$(pcap_check "$d/sub-tx.pcap" 2>&1)
[ "$n" = 0 ] || problem "port 0's tx pcap: $n (want a complete file of 0 frames)"
report "faults: upstream port cannot start after the subscriber port started: port 0 closed, exit 1, nothing in /dev/shm"

# --- the mbuf pool exhausted while running ----------------------------------
# A capture of exactly the pool's size fits (the queue set-up succeeds) and
# leaves no mbuf: every RX burst fails to allocate; op25b must keep running
# and stop cleanly.
if start_bg pool-empty "$tag-pe" "${eal[@]}" \
	--vdev "net_pcap0,rx_pcap=$work/pool.pcap,infinite_rx=1" --vdev net_null1,no-rx=1 \
	-- --policy "$enforce" --name "$tag-pe" --status-interval 0 \
	--stats-json "$work/pool-empty/stats.json"; then
	run_then_term 1 &&
		want_rc "$(field "$d/stats.json" 's["ports"][0]["rx"]')" 0 "subscriber rx with no free mbuf"
	[ -e "/dev/shm/op25b.$tag-pe" ] && problem "/dev/shm/op25b.$tag-pe left behind"
fi
report "faults: mbuf pool exhausted (capture of pool-size frames preloaded): runs with rx 0, SIGTERM: exit 0, mempool full again"

# Sixteen mbufs left: bursts of 16 still get through, all of them recycled.
if start_bg pool-16 "$tag-p16" "${eal[@]}" \
	--vdev "net_pcap0,rx_pcap=$work/pool-16.pcap,infinite_rx=1,tx_pcap=/dev/null" \
	--vdev net_null1,no-rx=1 \
	-- --policy "$enforce" --name "$tag-p16" --status-interval 0 --burst 16 \
	--stats-json "$work/pool-16/stats.json"; then
	if run_then_term 1; then
		rx=$(field "$d/stats.json" 's["ports"][0]["rx"]')
		[ "$rx" -gt 0 ] || problem "subscriber rx $rx, want > 0"
	fi
fi
report "faults: 16 mbufs free, --burst 16: traffic flows, rx = sum of outcomes, mempool full again at exit"

# --- a TX queue that refuses frames -----------------------------------------
txfull="faults: upstream TX refuses frames (full qdisc behind net_pcap tx_iface): drops counted, tx + tx_dropped = forwarded, tx = frames the kernel sent, mempool full"
if ! netns_add "$ns"; then
	echo "ok $txfull # SKIP $netns_err"
else
	nsx() { in_ns "$ns" "$@"; }
	# No IPv6: no kernel chatter on the link. tbf with an 8 KB queue at
	# 1 Mbit/s: a send beyond it is refused with ENOBUFS, net_pcap stops the
	# burst there and op25b drops the rest.
	setup_err=$(
		netns_no_ipv6 "$ns" 2>&1 && veth "$ns:vU" "$ns:pU" 2>&1 &&
			nsx tc qdisc add dev vU root tbf rate 1mbit burst 4kb limit 8kb 2>&1
	)
	if [ $? -ne 0 ]; then
		problem "netns set-up failed:" "$setup_err"
	elif wrap=(ip netns exec "$ns") && start_bg txfull "$tag-tx" "${eal[@]}" \
		--vdev "net_pcap0,rx_pcap=$work/demo.pcap,infinite_rx=1,tx_pcap=/dev/null" \
		--vdev net_pcap1,tx_iface=vU \
		-- --policy "$enforce" --name "$tag-tx" --status-interval 0 \
		--stats-json "$work/txfull/stats.json"; then
		wrap=()
		if run_then_term 1; then
			sleep 0.2 # the qdisc's backlog out
			sent=$(nsx tc -s qdisc show dev vU | awk '/Sent/ {print $4; exit}')
			py_check '
import json, sys
s = json.load(open(sys.argv[1]))
up = [q for q in s["ports"] if q["role"] == "upstream"][0]
bad = []
if up["tx_dropped"] <= 0:
    bad.append("upstream tx_dropped %d, want > 0" % up["tx_dropped"])
if up["tx"] <= 0:
    bad.append("upstream tx %d, want > 0" % up["tx"])
if str(up["tx"]) != sys.argv[2]:
    bad.append("upstream tx %d, the qdisc sent %s" % (up["tx"], sys.argv[2]))
print("\n".join(bad))
sys.exit(1 if bad else 0)
' "$d/stats.json" "$sent"
		fi
	fi
	wrap=()
	report "$txfull"
fi

# --- SIGTERM in the middle of traffic ---------------------------------------
if start_bg sigterm "$tag-st" "${eal[@]}" \
	--vdev "net_pcap0,rx_pcap=$work/demo.pcap,infinite_rx=1,tx_pcap=$work/sigterm/sub-tx.pcap" \
	--vdev "net_pcap1,tx_pcap=$work/sigterm/up-tx.pcap" \
	-- --policy "$enforce" --name "$tag-st" --status-interval 0 \
	--stats-json "$work/sigterm/stats.json"; then
	if run_then_term 1; then
		for f in up:upstream sub:subscriber; do
			if n=$(pcap_check "$d/${f%%:*}-tx.pcap" 2>&1); then
				tx=$(field "$d/stats.json" "[q for q in s['ports'] if q['role'] == '${f#*:}'][0]['tx']")
				[ "$n" = "$tx" ] || problem "${f%%:*}-tx.pcap: $n frames, the ${f#*:} port's tx $tx"
				[ "$n" -gt 0 ] || problem "${f%%:*}-tx.pcap: no frames"
			else
				problem "${f%%:*}-tx.pcap: $n"
			fi
		done
	fi
	want_has "$d/out" "op25b: Terminated, stopping"
	echo "# SIGTERM to exit: $elapsed ms; upstream pcap $(($(stat -c %s "$d/up-tx.pcap" 2>/dev/null || echo 0) / 1048576)) MB"
	rm -f "$d"/*.pcap
	[ -e "/dev/shm/op25b.$tag-st" ] && problem "/dev/shm/op25b.$tag-st left behind"
fi
report "faults: SIGTERM after 1 s of traffic: exit 0 within 5 s, both tx pcaps complete with as many frames as the ports' tx, mempool full"

# --- systemd's notify protocol (op25b@.service is Type=notify) -------------
# notify_listen SOCKET OUT: a stand-in for systemd's $NOTIFY_SOCKET (a path,
# or @name in the abstract namespace), each datagram a line of OUT, until
# STOPPING=1 or 30 s.
notify_listen() {
	timeout 40 "$py" - "$1" "$2" <<'EOF' &
import socket, sys, time
path, out = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("\0" + path[1:] if path.startswith("@") else path)
open(out + ".bound", "w").close()
s.settimeout(1)
end = time.time() + 30
with open(out, "w") as f:
    while time.time() < end:
        try:
            msg = s.recv(4096).decode()
        except socket.timeout:
            continue
        f.write(msg.replace("\n", " ").strip() + "\n")
        f.flush()
        if "STOPPING=1" in msg:
            break
EOF
	notify_pid=$!
	pids+=("$notify_pid")
	wait_until 10 "$notify_pid" test -e "$2.bound" || problem "the notify listener did not start"
}
for sock in "$work/notify.sock" "@op25b-notify-$$"; do
	notify_listen "$sock" "$work/notify.msgs"
	wrap=(env "NOTIFY_SOCKET=$sock")
	if start_bg notify "$tag-n" "${eal[@]}" --vdev net_null0 --vdev net_null1 \
		-- --policy "$enforce" --name "$tag-n" --status-interval 0; then
		# READY=1 comes after the ports started and the workers run.
		wait_until 10 "$bg_pid" grep -qx 'READY=1' "$work/notify.msgs" ||
			problem "no READY=1 from op25b within 10 s"
		stop_bg TERM 5
		want_rc "$rc" 0 "exit status after SIGTERM"
	fi
	wrap=()
	wait "$notify_pid"
	[ "$(cat "$work/notify.msgs")" = "READY=1
STOPPING=1" ] || problem "NOTIFY_SOCKET=$sock got:" "$(cat "$work/notify.msgs")"
	want_empty "$d/err"
	rm -f "$work/notify.msgs" "$work/notify.msgs.bound" "$work/notify.sock"
done
# A start that fails says nothing: systemd sees the exit, not a READY=1.
notify_listen "$work/notify.sock" "$work/notify.msgs"
NOTIFY_SOCKET="$work/notify.sock" run_fail notify-fail "$tag-nf" "${eal[@]}" \
	--vdev net_null0 --vdev net_null1 -- --policy "$work/nosuch.yaml" \
	--name "$tag-nf" --status-interval 0
want_rc "$rc" 1
"$py" -c 'import socket, sys; s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.sendto(b"STOPPING=1", sys.argv[1])' "$work/notify.sock"
wait "$notify_pid"
[ "$(cat "$work/notify.msgs")" = "STOPPING=1" ] ||
	problem "a start that failed sent:" "$(cat "$work/notify.msgs")"
report "faults: NOTIFY_SOCKET (a path, an @abstract name): READY=1 once the ports run, STOPPING=1 at SIGTERM; a start that fails sends nothing"

# --- SIGTERM during the start-up: nothing forwarded -------------------------
# op25b reads its --cmdline-file before the ports start: a FIFO holds it
# there while SIGTERM comes (as `systemctl stop` of a unit still starting).
d="$work/startup-term"
mkdir -p "$d"
mkfifo "$d/cmd.fifo"
notify_listen "$d/notify.sock" "$d/notify.msgs"
NOTIFY_SOCKET="$d/notify.sock" timeout 30 "$op25b" "${eal[@]}" --vdev "net_pcap0,rx_pcap=$work/demo.pcap,tx_pcap=$d/sub-tx.pcap" \
	--vdev "net_pcap1,tx_pcap=$d/up-tx.pcap" -- --policy "$enforce" \
	--name "$tag-su" --status-interval 0 --cmdline-file "$d/cmd.fifo" \
	--stats-json "$d/stats.json" >"$d/out" 2>"$d/err" &
bg_pid=$!
# fifo_open: op25b (timeout's child) has the FIFO open, reading it.
fifo_open() {
	local p
	p=$(pgrep -P "$bg_pid" -x op25b) &&
		ls -l "/proc/$p/fd" 2>/dev/null | grep -qF "$d/cmd.fifo"
}
{
	wait_until 20 "$bg_pid" fifo_open || problem "op25b did not open its --cmdline-file"
	kill -TERM "$(pgrep -P "$bg_pid" -x op25b)"
	sleep 0.5
	printf 'show version\n'
} 1<>"$d/cmd.fifo"
stop_bg TERM 10
want_rc "$rc" 0 "exit status"
want_has "$d/out" "op25b: Terminated during the start-up, stopping before the ports start"
grep -q "op25b: policy " "$d/out" && problem "the ports started:" "$(cat "$d/out")"
for f in sub up; do
	n=$(pcap_check "$d/$f-tx.pcap" 2>&1)
	[ "$n" = 0 ] || [ ! -s "$d/$f-tx.pcap" ] || problem "$f-tx.pcap: $n frames, want none"
done
[ -e "/dev/shm/op25b.$tag-su" ] && problem "/dev/shm/op25b.$tag-su left behind"
# To a Type=notify unit an exit before READY=1 is a failure to restart:
# ready and stopping at once, a clean stop.
wait "$notify_pid"
[ "$(cat "$d/notify.msgs")" = "READY=1 STOPPING=1" ] ||
	problem "NOTIFY_SOCKET got:" "$(cat "$d/notify.msgs")"
report "faults: SIGTERM during the start-up (op25b reading its --cmdline-file): exit 0, stops before the ports start, nothing forwarded, READY=1 and STOPPING=1 at once"

# --- SIGKILL leaves a stale segment; the next op25b replaces it -------------
shm_list >"$work/kill.shm.before"
if start_bg kill "$tag-k" "${eal[@]}" --vdev net_null0 --vdev net_null1 \
	-- --policy "$enforce" --name "$tag-k" --status-interval 0; then
	sleep 0.3
	stop_bg KILL 5 2>/dev/null # no "Killed" from bash
	want_rc "$rc" 137 "exit status after SIGKILL"
	[ -e "/dev/shm/op25b.$tag-k" ] ||
		problem "no /dev/shm/op25b.$tag-k after SIGKILL (expected a stale one)"
	[ -S "/run/op25b/$tag-k.sock" ] ||
		problem "no /run/op25b/$tag-k.sock after SIGKILL (expected a stale one)"
	if start_bg kill-again "$tag-k" "${eal[@]}" --vdev net_null0 --vdev net_null1 \
		-- --policy "$enforce" --name "$tag-k" --status-interval 0 \
		--stats-json "$work/kill-again/stats.json"; then
		run_then_term 0.5 "second op25b"
	fi
	want_empty "$work/kill-again/err"
	[ -e "/dev/shm/op25b.$tag-k" ] && problem "/dev/shm/op25b.$tag-k left behind by the second op25b"
	[ -e "/run/op25b/$tag-k.sock" ] && problem "/run/op25b/$tag-k.sock left behind by the second op25b"
	left=$(shm_new "$work/kill.shm.before" "$tag-k")
	[ -z "$left" ] || problem "left in /dev/shm:" "$left"
fi
report "faults: SIGKILL leaves /dev/shm/op25b.NAME and its socket; a new op25b of that name replaces both, exits 0 and removes them"
# --- infinite_rx short of mbufs: the --mbufs it says works, no ring noise ---
# (issue 20.11; the refusal itself is checked with pool-port0 above)
grep -q "RING:" "$work/pool-port0/err" &&
	problem "ring noise at exit:" "$(cat "$work/pool-port0/err")"
grep -q "Not enough mbufs" "$work/pool-port0/err" &&
	problem "net_pcap was asked to set up a queue the pool cannot fill"
if start_bg pool-advised "$tag-pa" "${eal[@]}" \
	--vdev "net_pcap0,rx_pcap=$work/pool+1.pcap,infinite_rx=1" --vdev net_null1 \
	-- --policy "$enforce" --name "$tag-pa" --status-interval 0 \
	--mbufs $((2 * pool + 1)); then
	sleep 0.5
	stop_bg TERM 5
	want_rc "$rc" 0 "exit status with the advised --mbufs"
	want_has "$d/out" "mempool: $((2 * pool + 1)) of $((2 * pool + 1)) mbufs free"
fi
grep -q "RING:" "$work/pool-advised/err" && problem "ring noise:" "$(cat "$work/pool-advised/err")"
report "faults: infinite_rx short of mbufs: op25b says try --mbufs N, N runs, no RING noise at exit"

exit $status
