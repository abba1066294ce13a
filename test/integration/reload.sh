#!/usr/bin/env bash
# Hitless reload under traffic: op25b replays a capture forever
# (net_pcap infinite_rx) while the policy file is swapped and SIGHUP sent
# 100 times: a policy that blocks the dynamic class, one that allows it
# (and adds a class), and broken files of five kinds mixed in.
# Prints "ok NAME" / "not ok NAME" lines; details follow as "#   " lines.
set -uo pipefail
. "$(dirname "$0")/common.bash"
scenario reload
# Its own runtime directory (--file-prefix $prefix), for its own telemetry
# socket.
sock="/var/run/dpdk/$prefix/dpdk_telemetry.v2"

policy="$work/policy.yaml"
reloads=${OP25B_RELOADS:-100}

cat >"$work/block.yaml" <<'EOF'
version: 1
block: drop
sources:
  dynamic: {action: block, prefixes: [198.18.0.0/16, 2001:db8:1000::/36]}
  static: {action: allow, prefixes: [198.18.20.0/24, 2001:db8:1000:20::/64]}
destinations:
  isp-relays: {action: allow, prefixes: [192.0.2.25/32, 2001:db8::25/128]}
EOF
# The same policy, the dynamic class allowed and a class added.
sed -e 's/^  dynamic: {action: block,/  dynamic: {action: allow,/' \
	-e '/^destinations:/i\  watched: {action: count, prefixes: [198.19.0.0/24]}' \
	"$work/block.yaml" >"$work/allow.yaml"
printf 'version: 1\nsources: {dynamic: {action: block, prefixes: [198.18.0.0/16]}\n' \
	>"$work/bad-syntax.yaml"
printf 'version: 1\ncolour: blue\n' >"$work/bad-key.yaml"
printf 'version: 1\nsources: {d: {action: block, prefixes: [198.18.0.1/16]}}\n' \
	>"$work/bad-prefix.yaml"
printf 'version: 1\nsources: {d: {action: block, prefixes_file: nosuch.txt}}\n' \
	>"$work/bad-pool.yaml"
bad_kinds=(bad-syntax bad-key bad-prefix bad-pool missing)

"$build/app/op25b-gen/op25b-gen" vectors "$root/test/vectors/enforce.vec" \
	--out "$work/in.pcap" >/dev/null || { echo "not ok reload: capture"; exit 1; }

stat_json() { "$stat" --name "$name" --json 2>/dev/null; }
# reloaded N: the log shows N reload results (loaded or failed).
reloaded() {
	[ "$(grep -cE 'policy .* loaded: generation|reload failed' \
		"$work/op25b.log")" -ge "$1" ]
}
# swap KIND: the policy file swapped for $work/KIND.yaml (or removed).
swap() {
	if [ "$1" = missing ]; then
		install_policy none "$policy"
	else
		install_policy "$work/$1.yaml" "$policy"
	fi
}

swap block
# Not under timeout: signals must reach op25b itself (the trap and the
# bounded waits keep the test bounded).
"$op25b" -l 0-1 --no-pci --no-huge -m 1024 --file-prefix "$prefix" \
	--log-level '*:warning' \
	--vdev "net_pcap0,rx_pcap=$work/in.pcap,infinite_rx=1,tx_pcap=/dev/null" \
	--vdev "net_null1,no-rx=1" \
	-- --policy "$policy" --name "$name" --status-interval 0 \
	--audit-log "$work/audit.log" \
	--stats-json "$work/final.json" >"$work/op25b.log" 2>&1 &
bg_pid=$!
started() { [ -e "/dev/shm/op25b.$name" ] && grep -q "counters in" "$work/op25b.log"; }
wait_until 10 "$bg_pid" started
grep -q "counters in" "$work/op25b.log" ||
	problem "op25b did not start:" "$(tail -5 "$work/op25b.log")"
report "reload: op25b runs on an endless capture"

done_reloads=0 good=0 bad=0 rss_first="" alive=1 gen_problems=""
last_good=block
for i in $(seq 1 "$reloads"); do
	if [ $((i % 7)) -eq 3 ]; then
		kind=${bad_kinds[$((i / 7 % ${#bad_kinds[@]}))]}
		bad=$((bad + 1))
	else
		kind=$([ $((i % 2)) -eq 0 ] && echo allow || echo block)
		good=$((good + 1))
		last_good=$kind
	fi
	# The last reload is a good one: it must decide at the end.
	if [ "$i" -eq "$reloads" ] && [ "${kind#bad}" != "$kind" -o "$kind" = missing ]; then
		kind=allow good=$((good + 1)) bad=$((bad - 1)) last_good=allow
	fi
	swap "$kind"
	kill -HUP "$bg_pid" 2>/dev/null || { alive=0; break; }
	done_reloads=$((done_reloads + 1))
	if ! wait_until 5 "$bg_pid" reloaded "$done_reloads"; then
		problem "reload $i ($kind): no result logged within 5 s"
		break
	fi
	if [ "$i" -eq 1 ]; then
		rss_first=$(rss_kb "$bg_pid")
		heap_first=$(heap_alloc "$sock")
	fi
done
kill -0 "$bg_pid" 2>/dev/null || alive=0
[ "$alive" = 1 ] || problem "op25b died:" "$(tail -20 "$work/op25b.log")"
report "reload: op25b lives through $reloads reloads under traffic"

loaded=$(grep -c 'policy .* loaded: generation' "$work/op25b.log")
failed=$(grep -c 'reload failed' "$work/op25b.log")
want_rc "$loaded" "$good" "successful reloads logged"
want_rc "$failed" "$bad" "failed reloads logged"
grep 'reload failed' "$work/op25b.log" | grep -vqE ':[0-9]+:[0-9]+: |No such file' &&
	problem "a failed reload without file:line:column or a reason:" \
		"$(grep 'reload failed' "$work/op25b.log" | grep -vE ':[0-9]+:[0-9]+: |No such file' | head -3)"
report "reload: $good good and $bad broken files, each result logged (errors as file:line:column)"

stat_json >"$work/s1.json"
sleep 0.5
stat_json >"$work/s2.json"
if [ -s "$work/s1.json" ] && [ -s "$work/s2.json" ]; then
	want_rc "$(field "$work/s2.json" 's["generation"]')" "$((good + 1))" \
		"generation (1 at start, +1 a good reload)"
	want_rc "$(field "$work/s2.json" 's["reload_ok"]')" "$good" "reload_ok"
	want_rc "$(field "$work/s2.json" 's["reload_failed"]')" "$bad" \
		"reload_failed"
	b1=$(field "$work/s1.json" 's["classes"]["dynamic"]["blocked"]')
	b2=$(field "$work/s2.json" 's["classes"]["dynamic"]["blocked"]')
	f1=$(field "$work/s1.json" 's["classes"]["dynamic"]["forwarded"]')
	f2=$(field "$work/s2.json" 's["classes"]["dynamic"]["forwarded"]')
	[ "$b1" = "$b2" ] || problem "dynamic blocked still growing ($b1 -> $b2) under the last policy ($last_good)"
	[ "$f2" -gt "$f1" ] || problem "dynamic forwarded not growing ($f1 -> $f2) under the last policy"
else
	problem "op25b-stat --json gave nothing for $name"
fi
report "reload: after the last reload the last good policy decides, counters carry on"

# Under --no-huge the EAL's memory is one mapping of -m MB that the heap
# reuses but never returns, so resident memory may climb to -m and no
# further; what must not grow is what the heap holds.
rss_last=$(rss_kb "$bg_pid")
heap_last=$(heap_alloc "$sock")
if [ -n "$heap_first" ] && [ -n "$heap_last" ] && [ -n "$rss_last" ]; then
	growth=$(( (heap_last - heap_first) / 1024 ))
	[ "$growth" -lt 4096 ] && [ "$growth" -gt -4096 ] ||
		problem "DPDK heap allocation changed by $growth KB over $reloads reloads ($heap_first -> $heap_last bytes)"
	[ "$rss_last" -lt $(( (1024 + 128) * 1024 )) ] ||
		problem "resident memory $rss_last KB beyond the EAL's 1024 MB and 128 MB more"
	echo "# heap allocated: $((heap_first / 1048576)) MB after 1 reload, $((heap_last / 1048576)) MB after $reloads; resident $((rss_last / 1024)) MB (EAL -m 1024)"
else
	problem "no memory figures (telemetry $sock)"
fi
report "reload: memory after $reloads reloads within 4 MB of after 1 (DPDK heap, by telemetry)"

kill -TERM "$bg_pid"
wait "$bg_pid"
rc=$?
bg_pid=""
want_rc "$rc" 0 "op25b exit status"
if [ -s "$work/final.json" ]; then
	py_problems "$work/final.json" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
p = s["packets"]
sub = [x for x in s["ports"] if x["role"] == "subscriber"][0]
outcomes = sum(v for k, v in p.items() if k != "upstream")
if sub["rx"] != outcomes:
    print(f"subscriber rx {sub['rx']} != sum of outcomes {outcomes}")
if s["mempool"]["available"] != s["mempool"]["size"]:
    print(f"mempool not full: {s['mempool']}")
if sub["rx"] == 0:
    print("no traffic")
# The upstream port sent every packet forwarded (no malformed ones: these
# policies drop them), or counted it as dropped at a full TX queue.
up = [x for x in s["ports"] if x["role"] == "upstream"][0]
sent = sum(p[k] for k in ("non_smtp", "submission", "fragments", "exempted",
                          "forwarded", "counted"))
if up["tx"] + up["tx_dropped"] != sent:
    print(f"upstream tx {up['tx']} + dropped {up['tx_dropped']} != forwarded outcomes {sent}")
EOF
else
	problem "no --stats-json written"
fi
[ -e "/dev/shm/op25b.$name" ] && problem "/dev/shm/op25b.$name left behind"
report "reload: clean exit, every packet accounted for on both ports, mempool full, segment removed"
exit $status
