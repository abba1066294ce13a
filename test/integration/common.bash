# Shared by the integration and end-to-end scripts (sourced, not run:
# scripts/test.sh runs the scripts listed there).
# A script starts with `scenario TAG` (below): its temporary folder, its
# instance name and its cleanup on exit.
# Checks collect problems; report NAME prints "ok NAME" or "not ok NAME"
# with the problems as "#   " lines, and the script exits with $status.

root=${OP25B_SOURCE_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
build=${OP25B_BUILD:-$root/build}
py=/usr/bin/python3
# The scenarios' Python imports pcapfile.py from here.
export PYTHONPATH="$root/test/integration${PYTHONPATH:+:$PYTHONPATH}"
# A functional run: no hugepages, nothing shared with other DPDK processes.
eal=(-l 0-1 --no-pci --no-huge -m 512 --no-shconf --no-telemetry
	--log-level '*:warning')

status=0
problems=""

# The tools under test.
op25b="$build/app/op25b/op25b"
cli="$build/app/op25b-cli/op25b-cli"
stat="$build/app/op25b-stat/op25b-stat"
gen="$build/app/op25b-gen/op25b-gen"
policy_tool="$build/app/op25b-policy/op25b-policy"

# scenario TAG: the set-up every script shares. $work is a new temporary
# folder, $name (and $prefix, for a DPDK --file-prefix) TAG-PID, unique on
# the machine. On exit, also after SIGINT or SIGTERM, the cleanup kills
# $bg_pid and every pid in $pids and what runs in the script's network
# namespaces, calls the script's own cleanup_more when it defines one, and
# removes what op25b instances named $name* leave behind (shared memory,
# control sockets, DPDK runtime folder, audit log and exemptions in the
# default places) and $work.
pids=()
scenario() {
	work=$(mktemp -d "/tmp/op25b-$1.XXXXXX")
	name="op25b-$1-$$"
	prefix=$name
	scenario_name=$name
	trap scenario_cleanup EXIT
	trap 'exit 1' INT TERM
}
scenario_cleanup() {
	kill_pids $bg_pid "${pids[@]}"
	netns_cleanup
	if declare -F cleanup_more >/dev/null; then
		cleanup_more
	fi
	local n=$scenario_name
	rm -rf /dev/shm/op25b."$n" /dev/shm/op25b."$n"-* \
		/dev/shm/op25b-top."$n" /dev/shm/op25b-top."$n"-* \
		/dev/shm/.op25b-new.*."$n"* /run/op25b/"$n".sock \
		/run/op25b/"$n"-*.sock /var/run/dpdk/"$n" /var/run/dpdk/"$n"-* \
		/var/log/op25b/"$n".audit.log /var/log/op25b/"$n"-*.audit.log \
		/var/lib/op25b/"$n".exemptions /var/lib/op25b/"$n"-*.exemptions \
		"$work"
}

problem() {
	local line
	for line in "$@"; do
		problems+="$line"$'\n'
	done
}
report() { # NAME: the same from run to run (no temporary paths)
	local name=${1//$work\//}
	if [ -z "$problems" ]; then
		echo "ok $name"
	else
		echo "not ok $name"
		printf '%s' "$problems" | sed 's/^/#   /'
		status=1
	fi
	problems=""
}
# want_rc GOT WANT [WHAT]
want_rc() {
	[ "$1" = "$2" ] || problem "${3:-exit status} $1, want $2"
}
# want_has FILE FIXED-STRING: a line of FILE contains the string.
want_has() {
	grep -qF -- "$2" "$1" && return 0
	problem "$(basename "$1") has no line containing: $2" "$(basename "$1"):"
	problem "$(sed 's/^/  /' "$1" | tail -20)"
	return 1
}
# want_re FILE EXTENDED-REGEX
want_re() {
	grep -qE -- "$2" "$1" && return 0
	problem "$(basename "$1") has no line matching: $2" "$(basename "$1"):"
	problem "$(sed 's/^/  /' "$1" | tail -20)"
	return 1
}
# want_lines FILE N: FILE has exactly N lines.
want_lines() {
	local n
	n=$(wc -l <"$1")
	[ "$n" -eq "$2" ] && return 0
	problem "$(basename "$1"): $n lines, want $2:"
	problem "$(sed 's/^/  /' "$1" | head -20)"
	return 1
}
# want_empty FILE
want_empty() {
	[ ! -s "$1" ] && return 0
	problem "$(basename "$1") should be empty:"
	problem "$(sed 's/^/  /' "$1" | head -20)"
	return 1
}

# py_check PYTHON-SCRIPT ARGS...: a failed check's output becomes the
# problem lines.
py_check() {
	local script=$1 out
	shift
	if ! out=$("$py" -c "$script" "$@" 2>&1); then
		problem "$out"
		return 1
	fi
}

# py_problems ARGS... <<'EOF' (a Python script on stdin): the lines the
# script prints are problems, and so is its own failure (a crash prints
# nothing to stdout, and must not pass for a clean check).
py_problems() {
	local out
	out=$("$py" - "$@") || out="${out}${out:+ }(the check itself failed: exit $?)"
	[ -z "$out" ] || problem "$out"
}

# kill_pids PID...: SIGKILL to each (the processes a script leaves behind
# when it stops early; none may outlive it).
kill_pids() {
	local p
	for p in "$@"; do
		kill -KILL "$p" 2>/dev/null
	done
}

# wait_until SECONDS PID COMMAND...: COMMAND again every 20 ms until it
# succeeds (true), SECONDS have passed or PID has exited (PID "-": no
# process to watch); then one last try, whose status is the answer (what a
# process wrote just before it exited still counts). The one polling loop
# of the scripts: a wait is always bounded, and stops early when what it
# waits for can no longer come.
wait_until() {
	local secs=$1 pid=$2 end
	shift 2
	end=$(($(date +%s%N) + secs * 1000000000))
	while ! "$@"; do
		[ "$pid" = - ] || kill -0 "$pid" 2>/dev/null || break
		[ "$(date +%s%N)" -lt "$end" ] || break
		sleep 0.02
	done 2>/dev/null
	"$@"
}

# stop_process PID SIGNAL SECONDS: signal it (SIGNAL 0: none, it exits by
# itself), wait at most SECONDS for it to exit; sets rc and elapsed (ms).
# rc 999: it did not exit in time (then it is killed). The caller forgets
# PID afterwards: once reaped, the id may be reused by another process.
stop_process() {
	local pid=$1 t0
	t0=$(date +%s%N)
	kill -"$2" "$pid" 2>/dev/null
	wait_until "$3" "$pid" false
	elapsed=$((($(date +%s%N) - t0) / 1000000))
	if kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		rc=999
	else
		wait "$pid" 2>/dev/null
		rc=$?
	fi
}

# The one background op25b a script runs at a time: its pid in $bg_pid
# (the script's cleanup kills it). stop_bg SIGNAL SECONDS: stop_process on
# it, then forget it.
bg_pid=""
stop_bg() {
	stop_process "$bg_pid" "$@"
	bg_pid=""
}

# wait_for FILE TEXT PID: until FILE has a line containing TEXT (10 s at
# most) or PID has exited; false when TEXT never came.
wait_for() {
	wait_until 10 "$3" grep -qsF -- "$2" "$1"
}

# need_xdp NAME: the scenario NAME runs the XDP program with
# BPF_PROG_TEST_RUN: "ok NAME # SKIP" and exit where op25b-xdp is not built
# or this is not root.
need_xdp() {
	if [ ! -x "$build/app/op25b-xdp/op25b-xdp" ]; then
		echo "ok $1 # SKIP built without -Dxdp (no libbpf, clang or bpftool)"
		exit 0
	fi
	if [ "$(id -u)" != 0 ]; then
		echo "ok $1 # SKIP BPF_PROG_TEST_RUN needs root"
		exit 0
	fi
}

# field JSON-FILE PYTHON-EXPRESSION-OVER-s: prints the expression, s being
# the file's JSON (field f.json 's["packets"]["blocked"]').
field() {
	"$py" -c "import json,sys; s=json.load(open(sys.argv[1])); print($2)" "$1"
}

# install_policy FILE POLICY: FILE becomes POLICY the way configuration
# management installs a file, a copy renamed over the old one (a reader
# never sees half a file). FILE "none": POLICY is removed.
install_policy() {
	if [ "$1" = none ]; then
		rm -f "$2"
	else
		cp "$1" "$2.new" && mv "$2.new" "$2"
	fi
}

# rss_kb PID: its resident set, in kB.
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
# heap_alloc TELEMETRY-SOCKET: bytes the DPDK heap has allocated (tables,
# mbufs, ...), from the process's telemetry.
heap_alloc() {
	"$py" "$(dirname "${BASH_SOURCE[0]}")/telemetry.py" "$1" /eal/heap_info,0 |
		"$py" -c 'import json,sys; print(json.load(sys.stdin)["/eal/heap_info"]["Alloc_size"])'
}

# --- network namespaces and veths -------------------------------------------
# A script's network tests run in namespaces of its own (names with its
# pid), on veths it makes there, with addresses from 198.18.0.0/15 and
# 2001:db8::/32; netns_cleanup (from the script's EXIT trap) kills what
# still runs inside them and deletes them, and so their veths.
netns_names=()
# netns_add NS: a namespace, its lo up; false with the reason in
# $netns_err when this machine cannot make one (the caller then skips).
netns_add() {
	local err
	if ! err=$(timeout 10 ip netns add "$1" 2>&1); then
		netns_err="ip netns add failed: $(head -1 <<<"$err")"
		return 1
	fi
	netns_names+=("$1")
	timeout 10 ip -n "$1" link set lo up
}
# in_ns NS COMMAND...: COMMAND inside NS, bounded.
in_ns() {
	local n=$1
	shift
	timeout 20 ip netns exec "$n" "$@"
}
# netns_no_ipv6 NS: no IPv6 in NS (no kernel chatter on its links).
netns_no_ipv6() {
	in_ns "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
}
# veth NS:END NS2:PEER [MTU]: a veth pair, END in NS and PEER in NS2 (the
# same namespace or another), both up, both with MTU when given.
veth() {
	local a=$1 b=$2 mtu=()
	[ -z "${3:-}" ] || mtu=(mtu "$3")
	timeout 10 ip -n "${a%%:*}" link add "${a#*:}" "${mtu[@]}" type veth \
		peer name "${b#*:}" "${mtu[@]}" netns "${b%%:*}" &&
		timeout 10 ip -n "${a%%:*}" link set "${a#*:}" up &&
		timeout 10 ip -n "${b%%:*}" link set "${b#*:}" up
}
# smtp_servers NS LISTENER...: an aiosmtpd in NS on each ADDRESS:PORT,
# delivering into the maildir $work/mail/LISTENER, its output in
# $work/aiosmtpd-LISTENER.log; their pids join the script's bg_pids.
smtp_servers() {
	local ns=$1 l
	shift
	mkdir -p "$work/mail"
	for l in "$@"; do
		ip netns exec "$ns" "$py" -m aiosmtpd -n -l "$l" \
			-c aiosmtpd.handlers.Mailbox "$work/mail/$l" \
			>"$work/aiosmtpd-$l.log" 2>&1 &
		bg_pids+=($!)
	done
}
# smtp_listening NS LISTENER...: every ADDRESS:PORT is in NS's list of
# listening sockets (written to $work/ss.out); for wait_until.
smtp_listening() {
	local ns=$1 l a p
	shift
	in_ns "$ns" ss -Hltn >"$work/ss.out" 2>&1
	for l in "$@"; do
		a=${l%:*} p=${l##*:}
		grep -qE "(^|[[:space:]])\[?${a}\]?:${p}[[:space:]]" "$work/ss.out" ||
			return 1
	done
}
# e2e_policy MODE BLOCK STATIC RELAYS [CLASSES]: the end-to-end scripts'
# policy, on stdout: MODE and BLOCK, the class dynamic (198.18.1.0/24,
# 2001:db8:1::/48) blocked, the class static (the prefixes STATIC)
# allowed, the lines of CLASSES (more source classes, each line ending in
# a newline), and the group isp-relays (the prefixes RELAYS) allowed.
e2e_policy() {
	cat <<EOF
version: 1
mode: $1
block: $2
default: allow
sources:
  dynamic:
    action: block
    prefixes: [198.18.1.0/24, 2001:db8:1::/48]
  static:
    action: allow
    prefixes: [$3]
${5:-}destinations:
  isp-relays:
    action: allow
    prefixes: [$4]
EOF
}
# xdp_veth_ns TEST-NAME NS: for a test of op25b-xdp on a veth: a bpffs of
# its own at $OP25B_XDP_BPFFS (ip netns exec remounts /sys: /sys/fs/bpf
# would not be the same from one command to the next), the namespace NS
# with the veth l0 <-> l1 up, no IPv6; "ok TEST-NAME # SKIP why" and exit
# where this machine cannot make them. The caller unmounts the bpffs.
xdp_veth_ns() {
	mkdir -p "$OP25B_XDP_BPFFS"
	if ! mount -t bpf bpf "$OP25B_XDP_BPFFS" 2>"$work/mount.err"; then
		echo "ok $1 # SKIP cannot mount a bpffs: $(head -1 "$work/mount.err")"
		exit 0
	fi
	if ! netns_add "$2"; then
		echo "ok $1 # SKIP $netns_err"
		exit 0
	fi
	netns_no_ipv6 "$2"
	veth "$2:l0" "$2:l1" || problem "veth failed"
}
netns_cleanup() {
	local n p
	for n in "${netns_names[@]}"; do
		for p in $(timeout 5 ip netns pids "$n" 2>/dev/null); do
			kill -KILL "$p" 2>/dev/null
		done
	done
	for n in "${netns_names[@]}"; do
		timeout 10 ip netns del "$n" 2>/dev/null
	done
	netns_names=()
}

# raw_batch SOCKET LINE...: the lines sent over the control socket as a
# raw batch session (no op25b-cli in between: paths go as typed); prints
# the answers, each status byte RS shown as <RS>. A connection op25b closes
# early ends it with what came and "<closed>"; 20 s in all at most.
raw_batch() {
	timeout 20 "$py" - "$@" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.settimeout(10)

def more(buf):
    chunk = s.recv(4096)
    if not chunk:
        print(buf.decode(errors="replace").replace("\x1e", "<RS>") + "<closed>")
        sys.exit(1)
    return buf + chunk

buf = b""
while b"op25b> " not in buf:
    buf = more(buf)
s.sendall(b"\x1e" + "".join(l + "\n" for l in sys.argv[2:]).encode())
buf = b""
while buf.count(b"\x1e") < len(sys.argv) - 2:
    buf = more(buf)
print(buf.decode().replace("\x1e", "<RS>"), end="")
EOF
}
