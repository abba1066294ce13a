# Shared by the integration scripts (sourced, not run: test.sh runs *.sh).
# The caller sets $work (its temporary folder) before sourcing.
# Checks collect problems; report NAME prints "ok NAME" or "not ok NAME"
# with the problems as "#   " lines, and the script exits with $status.

root=${OP25B_SOURCE_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
build=${OP25B_BUILD:-$root/build}
py=/usr/bin/python3
# A functional run: no hugepages, nothing shared with other DPDK processes.
eal=(-l 0-1 --no-pci --no-huge -m 512 --no-shconf --no-telemetry
	--log-level '*:warning')

status=0
problems=""

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

# kill_pids PID...: SIGKILL to each (the processes a script leaves behind
# when it stops early; none may outlive it).
kill_pids() {
	local p
	for p in "$@"; do
		kill -KILL "$p" 2>/dev/null
	done
}

# stop_process PID SIGNAL SECONDS: signal it, wait at most SECONDS for it to
# exit; sets rc and elapsed (ms). rc 999: it did not exit in time (then it
# is killed). The caller forgets PID afterwards: once reaped, the id may be
# reused by another process.
stop_process() {
	local pid=$1 t0 i
	t0=$(date +%s%N)
	kill -"$2" "$pid" 2>/dev/null
	for ((i = 0; i < $3 * 50; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.02
	done
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

# wait_for FILE TEXT PID: until FILE has a line containing TEXT (10 s at
# most) or PID has exited; false when TEXT never came.
wait_for() {
	local i
	for ((i = 0; i < 500; i++)); do
		grep -qF -- "$2" "$1" 2>/dev/null && return 0
		kill -0 "$3" 2>/dev/null || break
		sleep 0.02
	done
	grep -qF -- "$2" "$1" 2>/dev/null
}

# raw_batch SOCKET LINE...: the lines sent over the control socket as a
# raw batch session (no op25b-cli in between: paths go as typed); prints
# the answers, each status byte RS shown as <RS>.
raw_batch() {
	"$py" - "$@" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.settimeout(10)
buf = b""
while b"op25b> " not in buf:
    buf += s.recv(4096)
s.sendall(b"\x1e" + "".join(l + "\n" for l in sys.argv[2:]).encode())
buf = b""
while buf.count(b"\x1e") < len(sys.argv) - 2:
    buf += s.recv(4096)
print(buf.decode().replace("\x1e", "<RS>"), end="")
EOF
}
