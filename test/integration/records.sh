#!/usr/bin/env bash
# Block records (doc/records.md) through the appliance on net_pcap: exact
# records from a capture of plain IPv4, PPPoE in VLAN, QinQ, IPv6 and a
# class.to source (counts, destinations, first/time, the last frame's
# figures), flushed at exit before the report; the same through
# --block-records syslog (RFC 5424 MSGID and structured data, read from a
# stand-in for /dev/log in a mount namespace); monitor mode; two workers
# whose records of one source are merged; two intervals with the file
# renamed and reopened between them (SIGUSR1, records reopen), a reopen
# that fails (the old file kept), and show blocked top; a file that
# refuses (/dev/full) and a file system that fills mid-line (whole lines
# only, counts exact); --block-records-rate (the frames over it
# counted, two workers' summed), refused without --block-records; a
# one-record ring under 12000 sources: traffic unaffected, every record
# written or counted as dropped, with the default table and one of 32
# (--block-records-table).
# Prints "ok NAME" / "not ok NAME" lines.
set -uo pipefail
. "$(dirname "$0")/common.bash"
scenario records
frames="$root/test/integration/records_frames.py"
log_pid=
cleanup_more() {
	exec 3>&- 2>/dev/null
	[ -z "$log_pid" ] || kill_pids "$log_pid"
	rm -f "/dev/shm/op25b-top.$name-stale"* \
		"/dev/shm/.op25b-top.$name-stale"*
}

"$py" "$frames" gen "$work" || { echo "not ok records: captures"; exit 1; }

# run NAME RX-VDEV-ARGS POLICY EXTRA...: op25b over a capture until idle;
# its output in $work/NAME.log, counters in $work/NAME.json.
run() {
	local n=$1 rx=$2 policy=$3
	shift 3
	timeout 60 "$op25b" "${lcores[@]}" \
		--vdev "net_pcap0,$rx" --vdev net_null1,no-rx=1 -- \
		--policy "$work/$policy" --name "$name-$n" --cli-socket none \
		--audit-log "$work/audit.log" --state-dir "$work" \
		--status-interval 0 --stop-after-idle 300 \
		--stats-json "$work/$n.json" --block-records "$work/$n.jsonl" \
		"$@" >"$work/$n.log" 2>&1
	want_rc $? 0 "op25b exit status"
}
# check FILE SCENARIO: the records records_frames.py expects.
check() {
	local out
	out=$("$py" "$frames" check "$1" "$2") || problem "$out"
}
# counter FILE KEY: a header counter of a --stats-json file.
counter() { field "$1" "s[\"$2\"]"; }

lcores=("${eal[@]}")
# One interval, ended by the exit: written before the report.
run one "rx_pcap=$work/all.pcap,tx_pcap=$work/one-replies.pcap" policy.yaml
check "$work/one.jsonl" one
want_has "$work/one.log" "records_written 5, records_dropped 0"
# The records name subscribers: not every local user's, whatever the
# umask (0640 at most).
[ $((8#$(stat -c %a "$work/one.jsonl") & 8#137)) = 0 ] ||
	problem "the records file is mode $(stat -c %a "$work/one.jsonl"), want 640 at most"
[ "$(counter "$work/one.json" records_written)" = 5 ] ||
	problem "stats-json records_written $(counter "$work/one.json" records_written), want 5"
report "records: one interval, exact records (plain, PPPoE in VLAN, QinQ, IPv6, class.to) at exit"

# A file a run killed in a write (or a full disk) left ending inside a
# line: the next run's first record starts on a line of its own (it
# finished the torn line, and neither parsed), still counted written.
torn='{"time":"2026-12-07T00:00:00.000Z","src":"198.18.1.1","cla'
printf '%s' "$torn" >"$work/torn.jsonl"
run torn "rx_pcap=$work/all.pcap,tx_pcap=/dev/null" policy.yaml
[ "$(head -n 1 "$work/torn.jsonl")" = "$torn" ] ||
	problem "the torn line was not left on its own: $(head -n 1 "$work/torn.jsonl")"
tail -n +2 "$work/torn.jsonl" >"$work/torn-rest.jsonl"
check "$work/torn-rest.jsonl" one
want_has "$work/torn.log" "records_written 5, records_dropped 0"
report "records: a file that ends inside a line: the first record starts on a line of its own"

# bg_op25b NAME RECORDS: op25b replaying the capture forever, records
# into RECORDS each `records flush` (an hour's interval), its socket
# $work/NAME.sock; waits until it is up.
bg_op25b() {
	"$op25b" "${eal[@]}" --file-prefix "$name-$1" \
		--vdev "net_pcap0,rx_pcap=$work/all.pcap,infinite_rx=1,tx_pcap=/dev/null" \
		--vdev net_null1,no-rx=1 -- --policy "$work/policy.yaml" \
		--name "$name-$1" --cli-socket "$work/$1.sock" \
		--audit-log "$work/audit.log" --state-dir "$work" \
		--status-interval 0 --block-records "$2" \
		--block-records-interval 3600 >"$work/$1.log" 2>&1 &
	bg_pid=$!
	wait_until 20 "$bg_pid" grep -q "op25b: commands:" "$work/$1.log" ||
		problem "op25b did not start: $(tail -3 "$work/$1.log")"
}
# on NAME ARGS...: op25b-cli to bg_op25b NAME; output in $work/out.
on() {
	local n=$1
	shift
	timeout 10 "$cli" --cli-socket "$work/$n.sock" --timeout 5 "$@" \
		>"$work/out" 2>&1
}
lines() { [ -f "$1" ] && [ "$(wc -l <"$1")" = "$2" ]; }

# The file deleted (a rotation whose SIGUSR1 was lost, or by hand): the
# next interval's write sees its path no longer names the open file, says
# so and reopens it, rather than count records written into a file
# nobody can read.
bg_op25b moved "$work/moved.jsonl"
on moved records flush
wait_until 10 "$bg_pid" lines "$work/moved.jsonl" 5 ||
	problem "the first interval was not written"
rm "$work/moved.jsonl"
on moved records flush
wait_until 10 "$bg_pid" lines "$work/moved.jsonl" 5 ||
	problem "the interval after the file was deleted is not in a new file"
want_has "$work/moved.log" "block records: $work/moved.jsonl is not the file op25b writes any more (deleted without records reopen or SIGUSR1): reopening it"
stop_bg TERM 20
want_rc "$rc" 0 "op25b exit status"
kept=$(cat "$work/moved.jsonl" 2>/dev/null | wc -l)
written=$(sed -n 's/.*records_written \([0-9]*\), records_dropped 0\b.*/\1/p' "$work/moved.log")
[ "$written" = $((5 + kept)) ] ||
	problem "records_written '$written', want 5 (the deleted file) + $kept lines"
report "records: a records file deleted without a reopen is reopened at the next interval, and said"

# A FIFO: with no reader, op25b refuses to start at once (open(2) of a
# FIFO waits for a reader); its reader gone, `records reopen` fails at
# once, the CLI answers, the interval's records are counted as dropped,
# and one SIGTERM stops op25b. A reader that stops reading (a pipe of 4
# KB, full): the write waits 250 ms for it to take some, then drops the
# rest, counted and said, the CLI answering meanwhile.
mkfifo "$work/records.fifo" "$work/stalled.fifo"
timeout 20 "$op25b" "${eal[@]}" --file-prefix "$name-noreader" \
	--vdev "net_pcap0,rx_pcap=$work/all.pcap,tx_pcap=/dev/null" \
	--vdev net_null1,no-rx=1 -- --policy "$work/policy.yaml" \
	--name "$name-noreader" --cli-socket none --state-dir "$work" \
	--audit-log "$work/audit.log" --status-interval 0 \
	--block-records "$work/records.fifo" >"$work/noreader.log" 2>&1
want_rc $? 1 "op25b with a FIFO with no reader: exit status"
want_has "$work/noreader.log" "op25b: --block-records $work/records.fifo: a FIFO with no reader (start its reader first)"
cat "$work/records.fifo" >"$work/fifo-read.jsonl" &
reader=$!
pids+=("$reader")
bg_op25b piped "$work/records.fifo"
on piped records flush
wait_until 10 "$bg_pid" lines "$work/fifo-read.jsonl" 5 ||
	problem "the reader did not get the first interval"
kill "$reader"
wait "$reader" 2>/dev/null
on piped records reopen
want_rc $? 1 "records reopen of a FIFO whose reader is gone: status"
want_has "$work/out" "block records: reopen $work/records.fifo: a FIFO with no reader (start its reader first) (still writing to the file opened before)"
on piped records flush
want_rc $? 0 "records flush with the reader gone: status"
wait_until 10 "$bg_pid" grep -q "records not written: Broken pipe" "$work/piped.log" ||
	problem "no word of the records the gone reader did not take: $(tail -3 "$work/piped.log")"
on piped show version
want_rc $? 0 "show version with the reader gone: status ($(cat "$work/out"))"
stop_bg TERM 10
want_rc "$rc" 0 "op25b exit status after one SIGTERM"
grep -q "records_dropped [1-9]" "$work/piped.log" ||
	problem "the records the gone reader did not take are not counted as dropped: $(grep records_ "$work/piped.log")"
# F_SETPIPE_SZ (1031): the FIFO's buffer at its least, a page.
"$py" -c 'import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR)
fcntl.fcntl(fd, 1031, 4096)
time.sleep(60)' "$work/stalled.fifo" &
holder=$!
pids+=("$holder")
wait_until 5 - test -d "/proc/$holder/fd" && sleep 0.2
bg_op25b stalled "$work/stalled.fifo"
# SIGUSR1 (logrotate's: a reopen) every 50 ms meanwhile: a signal wakes
# the wait, it does not end it ("Interrupted system call").
while kill -USR1 "$bg_pid" 2>/dev/null; do sleep 0.05; done &
usr1=$!
pids+=("$usr1")
for _ in $(seq 20); do
	on stalled records flush
	if wait_until 2 "$bg_pid" grep -q "its reader took nothing for 250 ms" "$work/stalled.log"; then
		break
	fi
done
kill "$usr1" 2>/dev/null
want_has "$work/stalled.log" "records not written: its reader took nothing for 250 ms"
grep -q "Interrupted system call" "$work/stalled.log" &&
	problem "a signal cut the wait short: $(grep -m1 Interrupted "$work/stalled.log")"
t0=$(date +%s%N)
on stalled show version
want_rc $? 0 "show version with the reader stalled: status"
[ $((($(date +%s%N) - t0) / 1000000)) -lt 2000 ] ||
	problem "show version took $((($(date +%s%N) - t0) / 1000000)) ms with the reader stalled"
stop_bg TERM 10
want_rc "$rc" 0 "op25b exit status, the reader stalled"
grep -q "records_dropped [1-9]" "$work/stalled.log" ||
	problem "the records the stalled reader did not take are not counted as dropped"
kill "$holder" 2>/dev/null
report "records: a FIFO with no reader refused at start; its reader gone or stalled, the control lcore goes on, records counted as dropped"

# A reader that reads steadily but slower than op25b writes (4 KB a
# millisecond or so): every record reaches it (the wait ends when it
# takes nothing for 250 ms, not 250 ms after the interval's write began).
mkfifo "$work/slow.fifo"
"$py" -c 'import os, sys, time
fd = os.open(sys.argv[1], os.O_RDONLY)
with open(sys.argv[2], "wb") as out:
    while True:
        b = os.read(fd, 4096)
        if not b:
            break
        out.write(b)
        time.sleep(0.001)' "$work/slow.fifo" "$work/slow-read.jsonl" &
slow=$!
pids+=("$slow")
timeout 60 "$op25b" "${eal[@]}" --file-prefix "$name-slow" \
	--vdev "net_pcap0,rx_pcap=$work/overload.pcap,tx_pcap=/dev/null" \
	--vdev net_null1,no-rx=1 -- --policy "$work/policy.yaml" \
	--name "$name-slow" --cli-socket none --state-dir "$work" \
	--audit-log "$work/audit.log" --status-interval 0 \
	--stop-after-idle 300 --stats-json "$work/slow.json" \
	--block-records "$work/slow.fifo" >"$work/slow.log" 2>&1
want_rc $? 0 "op25b into a slow reader: exit status"
wait "$slow"
written=$(counter "$work/slow.json" records_written)
dropped=$(counter "$work/slow.json" records_dropped)
[ "$written" = "$(cat "$work/overload.count")" ] && [ "$dropped" = 0 ] ||
	problem "a slow reader: written $written, dropped $dropped of $(cat "$work/overload.count"): $(grep -m1 'not written' "$work/slow.log")"
[ "$(wc -l <"$work/slow-read.jsonl")" = "$written" ] ||
	problem "a slow reader read $(wc -l <"$work/slow-read.jsonl") lines, $written written"
report "records: a FIFO reader slower than op25b but reading gets every record"

# The file deleted with its directory: no file can be opened at its path
# again, so the records of later intervals are counted as dropped, not as
# written into a file nobody can read.
mkdir "$work/gone"
bg_op25b gone "$work/gone/r.jsonl"
on gone records flush
wait_until 10 "$bg_pid" lines "$work/gone/r.jsonl" 5 ||
	problem "the first interval was not written"
rm "$work/gone/r.jsonl"
rmdir "$work/gone"
on gone records flush
wait_until 10 "$bg_pid" grep -q "records not written: $work/gone/r.jsonl was deleted and cannot be opened again" "$work/gone.log" ||
	problem "no word of the records with nowhere to go: $(tail -3 "$work/gone.log")"
stop_bg TERM 20
want_rc "$rc" 0 "op25b exit status"
grep -q "records_written 5, records_dropped [1-9]" "$work/gone.log" ||
	problem "records after the file and its directory went: $(grep -o 'records_written [0-9]*, records_dropped [0-9]*' "$work/gone.log")"
report "records: the file deleted and no new one possible: later records counted as dropped, said"

# --block-records-rate: 0 (no limit) gives the same records; 1 a second
# (a bucket of one frame, which the capture's milliseconds do not refill)
# takes the first blocked frame into a record and counts every other one
# as records_over_rate, with a warning; the traffic is the same.
run rate0 "rx_pcap=$work/all.pcap,tx_pcap=$work/rate0-replies.pcap" policy.yaml \
	--block-records-rate 0
check "$work/rate0.jsonl" one
want_has "$work/rate0.log" "records_written 5, records_dropped 0, records_over_rate 0"
run rate1 "rx_pcap=$work/all.pcap,tx_pcap=$work/rate1-replies.pcap" policy.yaml \
	--block-records-rate 1
want_has "$work/rate1.log" "records_written 1, records_dropped 0"
py_check '
import json, sys
one = [json.loads(l) for l in open(sys.argv[1])]
got = [json.loads(l) for l in open(sys.argv[2])]
s1, s2 = (json.load(open(f)) for f in sys.argv[3:5])
total = sum(r["segments"] for r in one)
# The first blocked frame: its source first ("first": the frames of a
# burst are a tick apart, in order).
first = min(one, key=lambda r: r["first"])
assert len(got) == 1, got
assert got[0]["src"] == first["src"] and got[0]["segments"] == 1, (got, first)
assert s2["records_over_rate"] == total - 1, (s2["records_over_rate"], total)
assert s1["records_over_rate"] == 0
assert s1["packets"] == s2["packets"], (s1["packets"], s2["packets"])
' "$work/one.jsonl" "$work/rate1.jsonl" "$work/one.json" "$work/rate1.json"
want_re "$work/rate1.log" "^op25b: warning: block records: [0-9]+ more blocked frames over --block-records-rate \(1 a second a worker\) are in no record \(records_over_rate [0-9]+\): their sources' records count less than they sent, or are missing$"
want_has "$work/rate1.log" "merged: 131072 sources at most; 1 frames a second a worker"
want_has "$work/rate0.log" "merged: 131072 sources at most; every blocked frame counted (no rate)"
grep -q "warning: block records" "$work/rate0.log" && problem "rate 0: a warning of frames over the rate"
report "records: --block-records-rate 1 takes one frame and counts the rest as records_over_rate; 0 takes every frame"

# A --block-records-* option without --block-records keeps no records:
# refused in one line, before any traffic.
for opt in "--block-records-rate 5" "--block-records-interval 10"; do
	timeout 30 "$op25b" "${eal[@]}" --vdev net_null0 --vdev net_null1 \
		-- --policy "$work/policy.yaml" --name "$name-alone" \
		--cli-socket none --audit-log "$work/audit.log" \
		--state-dir "$work" $opt >"$work/alone.out" 2>"$work/alone.err"
	want_rc $? 1 "op25b $opt without --block-records: status"
	want_has "$work/alone.err" "op25b: ${opt% *} needs --block-records FILE|syslog: without it no block records are kept"
	want_lines "$work/alone.err" 1
done
report "records: --block-records-rate or -interval without --block-records refused in one line"

# A top list a killed op25b of this name left, and what a save cut short
# left beside it: gone when an op25b of the name starts, with records off
# too (op25b-stat --top showed the dead run's sources as current). The
# list of another instance whose name is this one's and six characters
# more stays (it matched the clean-up's PATH.?????? pattern).
echo stale >"/dev/shm/op25b-top.$name-stale"
echo stale >"/dev/shm/.op25b-top.$name-stale.Ab12Cd"
echo other >"/dev/shm/op25b-top.$name-stale.site01"
timeout 60 "$op25b" "${lcores[@]}" --vdev "net_pcap0,rx_pcap=$work/all.pcap" \
	--vdev net_null1,no-rx=1 -- --policy "$work/policy.yaml" \
	--name "$name-stale" --cli-socket none --audit-log "$work/audit.log" \
	--state-dir "$work" --status-interval 0 --stop-after-idle 300 \
	>"$work/stale.log" 2>&1
want_rc $? 0 "op25b exit status (records off)"
for f in "/dev/shm/op25b-top.$name-stale" "/dev/shm/.op25b-top.$name-stale.Ab12Cd"; do
	[ ! -e "$f" ] || problem "$f left by an earlier op25b is still there"
	rm -f "$f"
done
[ -e "/dev/shm/op25b-top.$name-stale.site01" ] ||
	problem "another instance's list (op25b-top.$name-stale.site01) was removed"
rm -f "/dev/shm/op25b-top.$name-stale.site01"
report "records: a top list an earlier op25b of the name left is removed at start, records off too; another instance's is kept"

# A file that takes nothing (/dev/full): every record counted as dropped,
# none as written.
timeout 60 "$op25b" "${eal[@]}" --vdev "net_pcap0,rx_pcap=$work/all.pcap" \
	--vdev net_null1,no-rx=1 -- --policy "$work/policy.yaml" \
	--name "$name-full" --cli-socket none --audit-log "$work/audit.log" \
	--state-dir "$work" --status-interval 0 --stop-after-idle 300 \
	--block-records /dev/full >"$work/full.log" 2>&1
want_rc $? 0 "op25b exit status (/dev/full)"
want_has "$work/full.log" "records_written 0, records_dropped 5"
want_has "$work/full.log" "block records: 5 of 5 records not written: No space left on device"
report "records: a file that takes nothing (/dev/full): every record counted as dropped"

# --block-records syslog: syslog(3) writes to /dev/log, which is, in a
# mount namespace of op25b's own, a socket this test reads (a tmpfs /dev
# with the nodes op25b needs bound in; the host's /dev is not touched).
"$py" -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "w") as f:
    while True:
        f.write(s.recv(65536).decode().rstrip("\0\n") + "\n")
        f.flush()
' "$work/log.sock" "$work/syslog.txt" &
log_pid=$!
disown "$log_pid" # killed at the end: no job notice
wait_until 10 "$log_pid" test -S "$work/log.sock" || problem "no stand-in for /dev/log"
# in_test_dev SOCK COMMAND...: COMMAND in a mount namespace whose /dev
# holds null, zero, full, random, urandom, shm and, as /dev/log, SOCK
# ("": an empty file, where no syslog daemon listens).
in_test_dev() {
	timeout 60 unshare --mount --propagation private sh -ec '
	w=$1; s=$2; shift 2
	mkdir -p "$w/hostdev"
	mount --bind /dev "$w/hostdev"
	mount -t tmpfs op25b-test-dev /dev
	for n in null zero full random urandom log; do
		touch "/dev/$n"
	done
	for n in null zero full random urandom; do
		mount --bind "$w/hostdev/$n" "/dev/$n"
	done
	mkdir /dev/shm && mount --bind "$w/hostdev/shm" /dev/shm
	[ -z "$s" ] || mount --bind "$s" /dev/log
	exec "$@"' sh "$work" "$@"
}
syslog_run() { # TAG SOCK: op25b with --block-records syslog, output in $work/TAG.log
	in_test_dev "$2" "$op25b" "${eal[@]}" \
		--vdev "net_pcap0,rx_pcap=$work/all.pcap,tx_pcap=$work/$1-replies.pcap" \
		--vdev net_null1,no-rx=1 -- --policy "$work/policy.yaml" --name "$name-$1" \
		--cli-socket none --audit-log "$work/audit.log" --state-dir "$work" \
		--status-interval 0 --stop-after-idle 300 --block-records syslog \
		>"$work/$1.log" 2>&1
}
[ -S "$work/log.sock" ] && syslog_run syslog "$work/log.sock"
want_rc $? 0 "op25b exit status (syslog): $(tail -3 "$work/syslog.log")"
want_has "$work/syslog.log" "records_written 5, records_dropped 0"
wait_until 5 "$log_pid" eval '[ "$(wc -l <"$work/syslog.txt")" -ge 5 ]'
kill_pids "$log_pid"
log_pid=
out=$("$py" "$frames" syslog "$work/syslog.txt" "$work/one.jsonl") || problem "$out"
grep -q "warning: --block-records syslog" "$work/syslog.log" &&
	problem "a warning with a syslog listening: $(grep warning "$work/syslog.log")"
# A daemon on a stream socket (syslog-ng's unix-stream("/dev/log")):
# syslog(3) connects as a stream when a datagram is refused; no warning.
"$py" -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1])
s.listen(4)
with open(sys.argv[2], "w") as f:
    while True:
        c, _ = s.accept()
        while True:
            b = c.recv(65536)
            if not b:
                break
            f.write(b.decode().replace("\0", "\n"))
            f.flush()
' "$work/log-stream.sock" "$work/syslog-stream.txt" &
log_pid=$!
disown "$log_pid"
wait_until 10 "$log_pid" test -S "$work/log-stream.sock" || problem "no stream stand-in for /dev/log"
syslog_run stream "$work/log-stream.sock"
want_rc $? 0 "op25b exit status (syslog on a stream socket)"
want_has "$work/stream.log" "records_written 5, records_dropped 0"
wait_until 5 "$log_pid" eval '[ "$(grep -c "block-record" "$work/syslog-stream.txt")" -ge 5 ]' ||
	problem "not 5 records through the stream socket:" "$(head -c 600 "$work/syslog-stream.txt")"
kill_pids "$log_pid"
log_pid=
grep -q "warning: --block-records syslog" "$work/stream.log" &&
	problem "a warning with a syslog listening on a stream socket: $(grep warning "$work/stream.log")"
# With nothing listening, syslog(3) loses every record without a word:
# op25b says so at start.
syslog_run nolog ""
want_rc $? 0 "op25b exit status (syslog, no listener)"
want_has "$work/nolog.log" "op25b: warning: --block-records syslog: /dev/log: Connection refused: no syslog daemon listens there, and syslog(3) drops what it cannot send without a word (records_written counts what op25b handed to it)"
report "records: syslog(3) messages carry RFC 5424's MSGID and structured data with the JSON's members; a daemon on a stream socket takes them, no warning; with no syslog listening, a warning at start"

# block: notify rewrites a SYN into its SYN-ACK (a stray data segment into
# a RST) in place: the record is still the client's (source, MAC, port),
# its action notify (reset).
run notify "rx_pcap=$work/all.pcap,tx_pcap=$work/notify-replies.pcap" notify.yaml
check "$work/notify.jsonl" notify
report "records: block: notify's answered SYNs recorded as the client sent them, action notify"

run monitor "rx_pcap=$work/all.pcap,tx_pcap=$work/monitor-out.pcap" monitor.yaml
check "$work/monitor.jsonl" monitor
report "records: monitor mode records would-block sources as count"

# Two workers, each reading half of the capture: a source's frames are
# seen by both, and its record is one.
lcores=(--lcores '0@0,1@1,2@1' "${eal[@]:2}")
run workers "rx_pcap=$work/w0.pcap,rx_pcap=$work/w1.pcap,tx_pcap=$work/w-r0.pcap,tx_pcap=$work/w-r1.pcap" \
	policy.yaml
check "$work/workers.jsonl" workers
want_has "$work/workers.log" "records_written 5, records_dropped 0"
report "records: two workers, one record per source"
# Each worker has a rate of its own: at one frame a second, each takes
# its first blocked frame, and records_over_rate (and the warning) sum
# the rest of both.
run workers-rate1 "rx_pcap=$work/w0.pcap,rx_pcap=$work/w1.pcap,tx_pcap=$work/w-r2.pcap,tx_pcap=$work/w-r3.pcap" \
	policy.yaml --block-records-rate 1
py_check '
import json, sys
one = [json.loads(l) for l in open(sys.argv[1])]
got = [json.loads(l) for l in open(sys.argv[2])]
s = json.load(open(sys.argv[3]))
total = sum(r["segments"] for r in one)
assert sum(r["segments"] for r in got) == 2, got
assert s["records_over_rate"] == total - 2, (s["records_over_rate"], total)
' "$work/one.jsonl" "$work/workers-rate1.jsonl" "$work/workers-rate1.json"
over=$(counter "$work/workers-rate1.json" records_over_rate)
want_has "$work/workers-rate1.log" "op25b: warning: block records: $over more blocked frames over --block-records-rate (1 a second a worker) are in no record (records_over_rate $over)"
report "records: two workers at --block-records-rate 1 take one frame each; records_over_rate sums the rest of both"
lcores=("${eal[@]}")

# A ring of one record: 12000 sources (records_frames.py's
# OVERLOAD_SOURCES, which it writes beside the capture), most of the
# default table's 8192 held in the worker's table and written at exit, the
# rest handed over one by one and mostly dropped. Traffic is not affected,
# and every source is written or dropped.
sources=$(cat "$work/overload.count")
# overload_run N EXTRA...: the scenario; sets written and dropped.
overload_run() {
	local n=$1 lines reset
	shift
	run "$n" "rx_pcap=$work/overload.pcap,tx_pcap=$work/$n-replies.pcap" \
		policy.yaml --block-records-ring 1 "$@"
	written=$(counter "$work/$n.json" records_written)
	dropped=$(counter "$work/$n.json" records_dropped)
	lines=$(wc -l <"$work/$n.jsonl")
	[ "$written" = "$lines" ] ||
		problem "$n: records_written $written, $lines lines"
	[ "$((written + dropped))" = "$sources" ] ||
		problem "$n: written $written + dropped $dropped != $sources sources"
	reset=$(field "$work/$n.json" 's["packets"]["reset"]')
	[ "$reset" = "$sources" ] || problem "$n: $reset SYNs reset, want $sources"
}
overload_run overload
want_has "$work/overload.log" "op25b: block records: each worker a table of 8192 sources (1440 KB) and a ring of 1 (0 KB)"
# Most of the default table's sources are written at exit.
[ "$written" -gt 4096 ] && [ "$dropped" -gt 0 ] ||
	problem "default table: written $written, dropped $dropped"
# The same with a table of 32 (--block-records-table 17, rounded up):
# about as many written as it holds (and the few the ring took), the
# rest dropped.
overload_run overload-small --block-records-table 17
want_has "$work/overload-small.log" "op25b: block records: each worker a table of 32 sources (5 KB)"
[ "$written" -lt 1000 ] ||
	problem "a table of 32: written $written, want far fewer than 4096"
# The control lcore merges 1024 sources at most (--block-records-sources):
# the default table's thousands reach it at exit, 1024 are written and
# the rest counted as dropped.
overload_run overload-merge --block-records-sources 1024
want_has "$work/overload-merge.log" "merged: 1024 sources at most"
[ "$written" = 1024 ] || problem "--block-records-sources 1024: written $written"
report "records: a full ring drops records (counted), never traffic; --block-records-table sizes the table; --block-records-sources bounds the merge"

# A file system that fills mid-line (a 16 KB tmpfs in a mount namespace of
# op25b's own, under the overload capture's thousands of records): the
# lines that fit are in the file whole, the cut one is taken back out, and
# every source is written (a line) or dropped.
mkdir "$work/small"
timeout 60 unshare --mount --propagation private sh -ec '
	w=$1; shift
	mount -t tmpfs -o size=16k op25b-test-small "$w/small"
	rc=0
	"$@" || rc=$?
	cp "$w/small/small.jsonl" "$w/small.jsonl"
	exit $rc' sh "$work" "$op25b" "${eal[@]}" \
	--vdev "net_pcap0,rx_pcap=$work/overload.pcap" --vdev net_null1,no-rx=1 -- \
	--policy "$work/policy.yaml" --name "$name-small" --cli-socket none \
	--audit-log "$work/audit.log" --state-dir "$work" --status-interval 0 \
	--stop-after-idle 300 --stats-json "$work/small.json" \
	--block-records "$work/small/small.jsonl" >"$work/small.log" 2>&1
want_rc $? 0 "op25b exit status (16 KB file system): $(tail -3 "$work/small.log")"
written=$(counter "$work/small.json" records_written)
dropped=$(counter "$work/small.json" records_dropped)
lines=$(wc -l <"$work/small.jsonl")
[ "$written" = "$lines" ] && [ "$lines" -gt 0 ] &&
	[ "$((written + dropped))" = "$sources" ] ||
	problem "16 KB: records_written $written, $lines lines, dropped $dropped, $sources sources"
[ "$(tail -c 1 "$work/small.jsonl" | od -An -tx1 | tr -d ' ')" = 0a ] ||
	problem "16 KB: the file does not end with a whole line"
py_check 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$work/small.jsonl"
want_has "$work/small.log" "records not written: No space left on device"
report "records: a file system that fills mid-line keeps whole lines; every record written or dropped"

# Two intervals through a FIFO: net_pcap returns a burst when it is full
# and then blocks until the next, so the test decides what each interval
# holds (bursts of 32, as records_frames.py pads them). records flush ends the first; a burst of HTTPS wakes the worker,
# which hands its table over; the file is renamed and reopened (SIGUSR1)
# before the second interval, which the exit writes.
mkfifo "$work/in.fifo"
"$op25b" "${eal[@]}" --vdev "net_pcap0,rx_pcap=$work/in.fifo,tx_pcap=$work/fifo-replies.pcap" \
	--vdev net_null1,no-rx=1 -- --policy "$work/policy.yaml" --name "$name-fifo" \
	--audit-log "$work/audit.log" --state-dir "$work" --status-interval 0 \
	--cli-socket "$work/cli.sock" --block-records "$work/fifo.jsonl" \
	--stats-json "$work/fifo.json" --burst 32 >"$work/fifo.log" 2>&1 &
bg_pid=$!
# Read-write: an open that never waits for op25b (one that died before
# opening its end would hold a write-only open forever); the bursts are a
# few KB, in the pipe's buffer until op25b reads them.
exec 3<>"$work/in.fifo"
cat "$work/fifo1.pcap" >&3
c() { "$cli" --cli-socket "$work/cli.sock" --timeout 20 "$@" >"$work/out" 2>&1; }
rx_is() { # N: the worker has received N frames
	"$build/app/op25b-stat/op25b-stat" --name "$name-fifo" --json >"$work/stat.json" 2>/dev/null &&
		[ "$(field "$work/stat.json" 's["packets"]["non_smtp"] + s["packets"]["submission"] + s["packets"]["forwarded"] + s["packets"]["blocked"] + s["packets"]["reset"] + s["packets"]["counted"]')" = "$1" ]
}
wait_until 10 "$bg_pid" grep -q "op25b: commands:" "$work/fifo.log" ||
	problem "op25b did not start: $(tail -3 "$work/fifo.log")"
wait_until 10 "$bg_pid" rx_is 32 || problem "the first burst was not received"
# A reload before the interval is written, under which mobile-only's SYN
# would be blocked by class.action: its record still names class.to, the
# step that blocked it (the second interval has no mobile-only frame).
# The reload waits for the worker, which a FIFO holds in its RX until a
# burst comes: bursts of HTTPS let it go on until the reload is done.
sed -e '/^  mobile-only:/,/^    prefixes:/{/^    to:/d;s/^    action: allow/    action: block/}' \
	"$work/policy.yaml" >"$work/policy-rules.yaml"
grep -q 'to: {mobile-mx' "$work/policy-rules.yaml" && problem "policy-rules.yaml still has mobile-only's to:"
received=32
# nudged OUT COMMAND...: a CLI command that waits for the worker, with
# bursts of HTTPS until it is done; its exit status.
nudged() {
	local out=$1 pid rc
	shift
	"$cli" --cli-socket "$work/cli.sock" --timeout 20 "$@" >"$out" 2>&1 &
	pid=$!
	while kill -0 "$pid" 2>/dev/null && [ "$received" -lt 6432 ]; do
		cat "$work/nudge.bin" >&3
		received=$((received + 32))
		sleep 0.1
	done
	wait "$pid"
	rc=$?
	wait_until 10 "$bg_pid" rx_is "$received" || problem "the nudges were not received"
	return $rc
}
nudged "$work/reload.out" policy reload "$work/policy-rules.yaml"
want_rc $? 0 "reload before the interval is written: $(cat "$work/reload.out")"
# Monitor mode before the interval is written, and for the second one:
# the first's records still say enforce, the mode their frames were
# judged in; the second's monitor, their blocks counted.
nudged "$work/mode.out" set mode monitor
want_rc $? 0 "set mode monitor: $(cat "$work/mode.out")"
c records flush || problem "records flush failed: $(cat "$work/out")"
cat "$work/nudge.bin" >&3
received=$((received + 32))
wait_until 10 "$bg_pid" eval '[ "$(wc -l <"$work/fifo.jsonl")" = 5 ]' ||
	problem "the first interval was not written: $(wc -l <"$work/fifo.jsonl") lines"
c show blocked top 1
want_re "$work/out" '^  1  198\.18\.1\.1 +3 +4 +2  - +- +02:00:00:00:01:01 +0$'
c show blocked top 3 json
py_check 'import json,sys; a=json.load(open(sys.argv[1])); assert [r["src"] for r in a][0] == "198.18.1.1" and len(a) == 3 and a[0]["syns"] == 3, a' "$work/out"
stat="$build/app/op25b-stat/op25b-stat"
"$stat" --name "$name-fifo" --top 1 >"$work/out" 2>&1 || problem "op25b-stat --top failed: $(cat "$work/out")"
# The list is /dev/shm/op25b-top.NAME: outside the counters' op25b.NAME
# names, which an instance named NAME.top would have had for its own.
[ -f "/dev/shm/op25b-top.$name-fifo" ] && [ ! -e "/dev/shm/op25b.$name-fifo.top" ] ||
	problem "the top list is not /dev/shm/op25b-top.$name-fifo: $(ls /dev/shm | grep -- "$name-fifo")"
want_re "$work/out" '^  1  198\.18\.1\.1 +3 +4 +2  - +- +02:00:00:00:01:01 +0$'
grep -q "warning" "$work/out" && problem "op25b-stat --top of a running op25b warns: $(cat "$work/out")"
"$stat" --name "$name-fifo" --top 9 --json >"$work/out" 2>&1
py_check 'import json,sys; a=json.load(open(sys.argv[1])); assert [r["src"] for r in a][0] == "198.18.1.1" and len(a) == 5 and a[1]["pppoe_session"] in (4660, None), a' "$work/out"
# Kept, to play the list a killed op25b leaves behind (below).
cp "/dev/shm/op25b-top.$name-fifo" "$work/top.kept"
# An interval without a blocked frame ends: the list is empty (it kept
# the interval before's, which passed for the last one's).
c records flush || problem "records flush failed: $(cat "$work/out")"
cat "$work/nudge.bin" >&3
received=$((received + 32))
top_is_empty() {
	"$stat" --name "$name-fifo" --top 9 --json >"$work/top.json" 2>/dev/null &&
		[ "$(tr -d ' \n' <"$work/top.json")" = "[]" ]
}
wait_until 10 "$bg_pid" top_is_empty ||
	problem "op25b-stat --top after an interval without blocks: $(cat "$work/top.json")"
c show blocked top 3
[ "$(wc -l <"$work/out")" = 2 ] || problem "show blocked top after an interval without blocks: $(cat "$work/out")"
c records reopen
want_has "$work/out" "block records: reopened $work/fifo.jsonl"
mv "$work/fifo.jsonl" "$work/fifo.jsonl.1"
kill -USR1 "$bg_pid"
wait_until 10 "$bg_pid" test -e "$work/fifo.jsonl" || problem "SIGUSR1 did not reopen the file"
# A reopen that cannot open the file (a directory where it was): refused
# with the reason, and records go on into the file opened before.
mv "$work/fifo.jsonl" "$work/fifo.jsonl.2"
mkdir "$work/fifo.jsonl"
c records reopen && problem "records reopen onto a directory succeeded"
want_has "$work/out" "block records: reopen $work/fifo.jsonl: Is a directory (still writing to the file opened before)"
cat "$work/fifo2.bin" >&3
exec 3>&-
wait_until 10 "$bg_pid" rx_is $((received + 32)) || problem "the second burst was not received"
stop_bg TERM 20
want_rc "$rc" 0 "op25b exit status"
[ ! -e "/dev/shm/op25b-top.$name-fifo" ] || problem "/dev/shm/op25b-top.$name-fifo left behind"
# The list a killed op25b leaves (it removes it only at a clean exit):
# shown, with a warning that its sources are the last interval's.
cp "$work/top.kept" "/dev/shm/op25b-top.$name-fifo"
"$stat" --name "$name-fifo" --top 1 >"$work/dead.out" 2>&1
rm -f "/dev/shm/op25b-top.$name-fifo"
want_has "$work/dead.out" "op25b-stat: warning: op25b instance '$name-fifo' is not running: /dev/shm/op25b-top.$name-fifo holds the sources of its last interval"
want_re "$work/dead.out" '^  1  198\.18\.1\.1 +3 +4 +2  - +- +02:00:00:00:01:01 +0$'
want_lines "$work/fifo.jsonl.1" 5
want_lines "$work/fifo.jsonl.2" 2
cat "$work/fifo.jsonl.1" "$work/fifo.jsonl.2" >"$work/fifo-all.jsonl"
check "$work/fifo-all.jsonl" two
[ "$(counter "$work/fifo.json" records_written)" = 7 ] || problem "records_written $(counter "$work/fifo.json" records_written), want 7"
report "records: two intervals, one record per source each; the rule of the policy and the mode that blocked, across a reload and set mode; reopen after rename; a reopen that fails keeps the old file; show blocked top, op25b-stat --top, empty after an interval without blocks, a dead op25b's list shown with a warning"

c() { :; }
exit $status
