#!/usr/bin/env bash
# Long run: op25b replays a mixed capture forever (net_pcap infinite_rx ->
# net_null) while the policy is reloaded every few seconds (two valid
# policies in turn, now and then a broken one); every 10 s a sample of the
# DPDK heap (telemetry), resident memory and the counters (op25b-stat
# --json); at the end SIGTERM and the final --stats-json checked exactly.
# Usage: scripts/soak.sh MINUTES [--name NAME]    (CI: scripts/soak.sh 1)
# Prints a progress line per sample and a summary; exit 1 on any growth in
# memory or counter mismatch, 2 on a usage error.
set -uo pipefail
# The tools' paths, the scenario set-up and its cleanup, rss_kb, wait_until:
# shared with the test scenarios.
. "$(dirname "$0")/../test/integration/common.bash"

usage() { echo "usage: $0 MINUTES [--name NAME]" >&2; exit 2; }
[ $# -ge 1 ] || usage
minutes=$1
shift
[[ "$minutes" =~ ^[1-9][0-9]*$ ]] || usage
scenario soak
while [ $# -gt 0 ]; do
	case $1 in
	--name) [ $# -ge 2 ] || usage; name=$2; shift 2 ;;
	*) usage ;;
	esac
done
duration=$((minutes * 60))
sample_every=10
reload_every=3
sock="/var/run/dpdk/$prefix/dpdk_telemetry.v2"

soak_problems=()
problem() { soak_problems+=("$*"); echo "soak: PROBLEM: $*"; }
# The output ($4) of a check script: each "PROBLEM text" reported behind
# the prefix $1, any other line but "INFO text" behind $2; the INFO text,
# if any, into the variable named $3.
read_check() {
	local line
	while read -r line; do
		case $line in
		PROBLEM*) problem "$1${line#PROBLEM }" ;;
		INFO*) printf -v "$3" '%s' "${line#INFO }" ;;
		*) problem "$2$line" ;;
		esac
	done <<<"$4"
}

# Hugepages when there are enough free, else plain memory; a file prefix of
# our own either way: the telemetry socket lives under it.
# OP25B_SOAK_MEM overrides them (e.g. "--no-huge -m 1024 --no-shconf").
read -ra mem <<<"${OP25B_SOAK_MEM:-$("$root/scripts/eal-args.sh" 1024)}"
# A capture smaller than the mbuf pool: infinite_rx keeps all of it in mbufs.
"$gen" traffic --profile demo --count 4000 --out "$work/demo.pcap" -q ||
	{ echo "soak: op25b-gen failed"; exit 1; }

# Two valid policies (the default one and the same in monitor mode) and a
# broken one, installed the way configuration management does: a new file
# renamed over the old.
policy="$work/policy.yaml"
cp "$root/config/op25b.yaml" "$work/a.yaml"
sed 's/^mode: enforce/mode: monitor/' "$root/config/op25b.yaml" >"$work/b.yaml"
printf 'version: 1\nsources: {dynamic: {action: block, prefixes: [198.18.0.0/16]}\n' \
	>"$work/bad.yaml"
install_policy() { cp "$work/$1.yaml" "$policy.new" && mv "$policy.new" "$policy"; }
install_policy a

# Not under timeout: the signals must reach op25b itself.
"$op25b" -l 0-1 --no-pci "${mem[@]}" --file-prefix "$prefix" \
	--log-level '*:warning' \
	--vdev "net_pcap0,rx_pcap=$work/demo.pcap,infinite_rx=1,tx_pcap=/dev/null" \
	--vdev net_null1,no-rx=1 \
	-- --policy "$policy" --name "$name" --status-interval 0 \
	--audit-log "$work/audit.log" \
	--stats-json "$work/final.json" >"$work/op25b.log" 2>&1 &
bg_pid=$!
for _ in $(seq 1 300); do
	grep -q "counters in" "$work/op25b.log" && break
	kill -0 "$bg_pid" 2>/dev/null || break
	sleep 0.05
done
if ! grep -q "counters in" "$work/op25b.log"; then
	echo "soak: op25b did not start:"
	tail -20 "$work/op25b.log"
	exit 1
fi
echo "soak: $minutes min, op25b pid $bg_pid, --name $name, EAL ${mem[*]}, reload every ${reload_every} s, sample every ${sample_every} s"

heap_alloc() {
	"$py" "$root/test/integration/telemetry.py" "$sock" /eal/heap_info,0 2>/dev/null |
		"$py" -c 'import json,sys; print(json.load(sys.stdin)["/eal/heap_info"]["Alloc_size"])' 2>/dev/null
}
results() { grep -cE 'policy .* loaded: generation|reload failed' "$work/op25b.log"; }

# One sample: the counters against the previous sample's (monotonic) and
# subscriber rx against the sum of outcomes. The ports' figures are the
# driver's, published once a second, so the sum of outcomes (read now) may
# be ahead of rx by up to ~1 s of traffic, and behind by no more than the
# bursts in flight.
cat >"$work/sample.py" <<'EOF'
import json, sys
cur = json.load(open(sys.argv[1]))
prev = json.load(open(sys.argv[2])) if sys.argv[2] != "-" else None
secs = float(sys.argv[3])
out = []
def flat(s):
    f = {}
    for q in s["ports"]:
        for k in ("rx", "tx", "tx_dropped"):
            f["port%d.%s" % (q["port"], k)] = q[k]
    for k, v in s["packets"].items():
        f["packets." + k] = v
    for kind in ("classes", "groups"):
        for n, row in s[kind].items():
            for k, v in row.items():
                f["%s.%s.%s" % (kind, n, k)] = v
    for k in ("generation", "reload_ok", "reload_failed"):
        f[k] = s[k]
    return f
c = flat(cur)
outcomes = sum(v for k, v in cur["packets"].items() if k != "upstream")
rx = sum(q["rx"] for q in cur["ports"] if q["role"] == "subscriber")
rate = 0
if prev is not None:
    p = flat(prev)
    for k, v in p.items():
        if k in c and c[k] < v:
            out.append("PROBLEM %s went back: %d -> %d" % (k, v, c[k]))
    prev_out = sum(v for k, v in prev["packets"].items() if k != "upstream")
    rate = (outcomes - prev_out) / secs
    if outcomes <= prev_out:
        out.append("PROBLEM no traffic since the last sample")
# 2 s at the rate seen, and 64 per worker behind.
if outcomes < rx - 64 * len(cur["workers"]):
    out.append("PROBLEM sum of outcomes %d behind subscriber rx %d" % (outcomes, rx))
if prev is not None and outcomes - rx > 2 * rate + 100000:
    out.append("PROBLEM sum of outcomes %d ahead of subscriber rx %d by more than 2 s of traffic" % (outcomes, rx))
out.append("INFO rx %d outcomes %d (ahead %d) rate %s Mpps generation %d ok %d failed %d"
           % (rx, outcomes, outcomes - rx,
              "%.2f" % (rate / 1e6) if prev is not None else "-", cur["generation"],
              cur["reload_ok"], cur["reload_failed"]))
print("\n".join(out))
EOF

start=$SECONDS
next_reload=$((start + reload_every))
next_sample=$((start + sample_every))
end=$((start + duration))
n_reloads=0 good=0 bad=0 n_samples=0
heap_first="" heap_last="" rss_first="" rss_last="" prev="-"
while [ $SECONDS -lt $end ]; do
	sleep 0.2
	if ! kill -0 "$bg_pid" 2>/dev/null; then
		problem "op25b died: $(tail -5 "$work/op25b.log" | tr '\n' ' ')"
		bg_pid=""
		break
	fi
	if [ $SECONDS -ge $next_reload ]; then
		n_reloads=$((n_reloads + 1))
		if [ $((n_reloads % 5)) -eq 3 ]; then
			kind=bad bad=$((bad + 1))
		else
			kind=$([ $((n_reloads % 2)) -eq 0 ] && echo a || echo b) good=$((good + 1))
		fi
		install_policy "$kind"
		kill -HUP "$bg_pid"
		# Each result logged before the next SIGHUP (they would merge).
		for _ in $(seq 1 250); do
			[ "$(results)" -ge "$n_reloads" ] && break
			sleep 0.02
		done
		[ "$(results)" -ge "$n_reloads" ] ||
			problem "reload $n_reloads ($kind): no result logged within 5 s"
		next_reload=$((SECONDS + reload_every))
	fi
	if [ $SECONDS -ge $next_sample ]; then
		n_samples=$((n_samples + 1))
		heap=$(heap_alloc)
		rss=$(rss_kb "$bg_pid" 2>/dev/null)
		f="$work/s$n_samples.json"
		"$stat" --name "$name" --json >"$f" 2>"$work/stat.err" ||
			problem "op25b-stat --json failed: $(cat "$work/stat.err")"
		if [ -s "$f" ]; then
			out=$("$py" "$work/sample.py" "$f" "$prev" "$sample_every" 2>&1)
			read_check "sample $n_samples: " "sample $n_samples: " info "$out"
			prev=$f
		fi
		[ -n "$heap" ] || problem "sample $n_samples: no heap figure from telemetry ($sock)"
		[ -n "$heap_first" ] || heap_first=$heap
		[ -n "$rss_first" ] || rss_first=$rss
		heap_last=$heap rss_last=$rss
		printf 'soak: %3ds heap %s KB rss %s KB reloads %d (%d good, %d broken) %s\n' \
			$((SECONDS - start)) "$((${heap:-0} / 1024))" "${rss:-?}" \
			"$n_reloads" "$good" "$bad" "${info:-}"
		next_sample=$((next_sample + sample_every))
	fi
done

if [ -n "$bg_pid" ]; then
	t0=$(date +%s%N)
	kill -TERM "$bg_pid"
	for _ in $(seq 1 250); do
		kill -0 "$bg_pid" 2>/dev/null || break
		sleep 0.02
	done
	if kill -0 "$bg_pid" 2>/dev/null; then
		problem "op25b still running 5 s after SIGTERM"
		kill -KILL "$bg_pid"
	fi
	wait "$bg_pid"
	rc=$?
	bg_pid=""
	echo "soak: stopped in $((($(date +%s%N) - t0) / 1000000)) ms, exit status $rc"
	[ "$rc" = 0 ] || problem "op25b exit status $rc: $(grep -v 'loaded: generation\|reload failed' "$work/op25b.log" | tail -5 | tr '\n' ' ')"
fi
[ -e "/dev/shm/op25b.$name" ] && problem "/dev/shm/op25b.$name left behind"

logged_ok=$(grep -c 'policy .* loaded: generation' "$work/op25b.log")
logged_bad=$(grep -c 'reload failed' "$work/op25b.log")
[ "$logged_ok" = "$good" ] || problem "$logged_ok reloads logged as loaded, $good good ones sent"
[ "$logged_bad" = "$bad" ] || problem "$logged_bad reloads logged as failed, $bad broken ones sent"

if [ -s "$work/final.json" ]; then
	out=$("$py" - "$work/final.json" "$good" "$bad" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
good, bad = int(sys.argv[2]), int(sys.argv[3])
p = s["packets"]
sub = [q for q in s["ports"] if q["role"] == "subscriber"][0]
up = [q for q in s["ports"] if q["role"] == "upstream"][0]
outcomes = sum(v for k, v in p.items() if k != "upstream")
fwd = sum(p[k] for k in ("non_smtp", "submission", "fragments", "forwarded", "counted"))
out = []
if sub["rx"] != outcomes:
    out.append("PROBLEM final: subscriber rx %d != sum of outcomes %d" % (sub["rx"], outcomes))
if up["tx"] + up["tx_dropped"] != fwd:
    out.append("PROBLEM final: upstream tx %d + dropped %d != forwarded outcomes %d" % (up["tx"], up["tx_dropped"], fwd))
if sub["tx"] + sub["tx_dropped"] != p["reset"]:
    out.append("PROBLEM final: subscriber tx %d + dropped %d != reset %d" % (sub["tx"], sub["tx_dropped"], p["reset"]))
m = s["mempool"]
if m["available"] != m["size"]:
    out.append("PROBLEM final: mempool %d of %d available" % (m["available"], m["size"]))
if s["generation"] != 1 + good:
    out.append("PROBLEM final: generation %d, want 1 + %d good reloads" % (s["generation"], good))
if s["reload_ok"] != good:
    out.append("PROBLEM final: reload_ok %d, want %d" % (s["reload_ok"], good))
if s["reload_failed"] != bad:
    out.append("PROBLEM final: reload_failed %d, want %d" % (s["reload_failed"], bad))
if sub["rx"] == 0:
    out.append("PROBLEM final: no traffic")
out.append("INFO subscriber rx %d, outcomes (%s), upstream tx %d, replies %d, mempool %d/%d, generation %d, reloads %d ok %d failed"
           % (sub["rx"], " ".join("%s=%d" % kv for kv in p.items()), up["tx"], sub["tx"],
              m["available"], m["size"], s["generation"], s["reload_ok"], s["reload_failed"]))
print("\n".join(out))
EOF
)
	read_check "" "final check: " final_info "$out"
else
	problem "no --stats-json written"
fi

# Memory: the heap and resident memory of the first sample against the last.
# Under --no-huge the EAL's -m is one mapping the heap reuses, touched once.
if [ "$n_samples" -ge 2 ] && [ -n "$heap_first" ] && [ -n "$heap_last" ]; then
	heap_growth=$(((heap_last - heap_first) / 1024))
	[ "$heap_growth" -le 1024 ] ||
		problem "DPDK heap grew by $heap_growth KB ($heap_first -> $heap_last bytes)"
	rss_growth=$((rss_last - rss_first))
	[ "$rss_growth" -le 8192 ] ||
		problem "resident memory grew by $rss_growth KB ($rss_first -> $rss_last KB)"
else
	problem "fewer than 2 samples with memory figures"
fi

echo "soak: summary after $((SECONDS - start)) s: $n_samples samples, $n_reloads reloads ($good good, $bad broken)"
echo "soak: heap allocated first $((${heap_first:-0} / 1024)) KB, last $((${heap_last:-0} / 1024)) KB; resident first ${rss_first:-?} KB, last ${rss_last:-?} KB"
echo "soak: counters: ${final_info:-none}"
if [ ${#soak_problems[@]} -eq 0 ]; then
	echo "soak: no growth, no mismatch"
	exit 0
fi
echo "soak: ${#soak_problems[@]} problem(s):"
printf 'soak:   %s\n' "${soak_problems[@]}"
exit 1
