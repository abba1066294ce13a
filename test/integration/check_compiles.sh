#!/usr/bin/env bash
# `op25b-policy check` compiles what the appliance compiles:
# - every policy of the fuzz corpus, of the test vectors and of config/:
#   check accepts it exactly when op25b (net_null ports, no traffic) starts
#   with it, with the same table memory; when both refuse a policy whose
#   tables do not compile, they print the same file:line:column line;
# - an IPv6 pool past the IPv6 table's groups is refused by check, at start
#   and on reload, at the prefixes_file line where the table runs out;
# - ::/0 and 0.0.0.0/0 in explain.
# Prints "ok NAME" / "not ok NAME" lines; details follow as "#   " lines.
set -uo pipefail
. "$(dirname "$0")/common.bash"
scenario check

# Ports that never receive: op25b starts, goes idle and stops.
ports=(--vdev net_null0,no-rx=1 --vdev net_null1,no-rx=1)

# run_op25b POLICY OUT ERR [IDLE-MS]: start op25b with POLICY; it stops by
# itself after IDLE-MS (default 1) without traffic.
run_op25b() {
	timeout 60 "$op25b" "${eal[@]}" "${ports[@]}" -- --policy "$1" \
		--stop-after-idle "${4:-1}" --status-interval 0 --name "$name" \
		--audit-log "$work/audit.log" >"$2" 2>"$3"
}
# errors FILE: its lines but warnings, "error: " taken out, so that check's
# "file:line:column: error: message" reads as op25b's.
errors() {
	grep -v ': warning: ' "$1" | sed 's/: error: /: /'
}

# --- every policy we have: check and the appliance agree -------------------
policies=("$root"/test/fuzz/corpus/policy/*.yaml "$root"/test/vectors/*.yaml
	"$root"/config/*.yaml)
accepted=0 refused=0 appliance_runs=0
for f in "${policies[@]}"; do
	base=$(basename "$f" .yaml)
	"$policy_tool" check "$f" >"$work/check.out" 2>"$work/check.err"
	check_rc=$?
	case $check_rc in
	0) accepted=$((accepted + 1)) ;;
	1) refused=$((refused + 1)) ;;
	*) problem "$base: check exit $check_rc" ;;
	esac
	# A policy that fails to load fails in the same loader in both; one
	# refused policy in four still goes through op25b, every accepted
	# one does.
	if [ $check_rc -ne 0 ] && [ $((refused % 4)) -ne 1 ]; then
		continue
	fi
	appliance_runs=$((appliance_runs + 1))
	run_op25b "$f" "$work/op25b.out" "$work/op25b.err"
	rc=$?
	if [ $check_rc -eq 0 ]; then
		[ $rc -eq 0 ] || problem "$base: check accepts it, op25b exits $rc:" \
			"$(tail -5 "$work/op25b.err")"
		kb=$(sed -n 's/^tables: \([0-9]*\) KB$/\1/p' "$work/check.out")
		[ -n "$kb" ] || problem "$base: no 'tables: N KB' in check's summary"
		want_has "$work/op25b.out" " $kb KB of tables;"
		continue
	fi
	[ $rc -ne 0 ] && [ $rc -ne 124 ] ||
		problem "$base: check refuses it, op25b exits $rc"
	errors "$work/check.err" >"$work/check.lines"
	errors "$work/op25b.err" >"$work/op25b.lines"
	want_lines "$work/check.lines" 1
	cmp -s "$work/check.lines" "$work/op25b.lines" ||
		problem "$base: check and op25b differ:" "$(cat "$work/check.lines")" \
			"$(cat "$work/op25b.lines")"
done
[ $accepted -ge 10 ] && [ $refused -ge 10 ] ||
	problem "only $accepted accepted and $refused refused policies: corpus missing?"
report "check and op25b agree on ${#policies[@]} policies ($accepted accepted, $refused refused; op25b run on $appliance_runs)"

# --- a compile-time limit, at its line ---------------------------------------
# Prefix i: 2001:db8:(i % 65536):(i / 65536 * 256)::1/128. Alone, the first
# i + 1 of them need 3 + 256 + 65536 + 9 (i + 1) groups of the IPv6 table
# (lib/classify/lpm6.h): past 2^21 at i = 225706, line 225707. The IPv4 class before them needs none.
awk 'BEGIN { for (i = 0; i < 230000; i++)
	printf "2001:db8:%x:%x::1/128\n", i % 65536, int(i / 65536) * 256 }' \
	>"$work/pools.txt"
cat >"$work/pool.yaml" <<'EOF'
version: 1
sources:
  small:
    action: allow
    prefixes: [198.18.0.0/15]
  pool:
    action: block
    prefixes_file: pools.txt
EOF
limit="$work/pools.txt:225707:1: error: class 'pool': the IPv6 source table runs out of groups from this prefix on (2135795 needed, at most 2097152)"
"$policy_tool" check "$work/pool.yaml" >"$work/limit.out" 2>"$work/limit.err"
want_rc $? 1
want_has "$work/limit.err" "$limit"
want_lines "$work/limit.err" 1
want_empty "$work/limit.out"
report "check: an IPv6 pool past the IPv6 table's groups: exit 1, error at pools.txt:225707:1"

# The same list as destinations: the other table, the group's name.
sed -e 's/^sources:/destinations:/' -e '/action: /d' "$work/pool.yaml" \
	>"$work/pool-dst.yaml"
"$policy_tool" check "$work/pool-dst.yaml" >"$work/limit-dst.out" \
	2>"$work/limit-dst.err"
want_rc $? 1
want_has "$work/limit-dst.err" "$work/pools.txt:225707:1: error: group 'pool': the IPv6 destination table runs out of groups from this prefix on (2135795 needed, at most 2097152)"
want_lines "$work/limit-dst.err" 1
report "check: the same pool as destinations: group 'pool', destination table"

# The appliance: refused at start with the same line, no residue.
run_op25b "$work/pool.yaml" "$work/start.out" "$work/start.err"
rc=$?
[ $rc -ne 0 ] && [ $rc -ne 124 ] || problem "op25b exit $rc, want a refusal"
want_has "$work/start.err" "${limit/: error: /: }"
want_lines "$work/start.err" 1
[ ! -e "/dev/shm/op25b.$name" ] || problem "/dev/shm/op25b.$name left behind"
report "op25b refuses the pool at start: exit $rc, the same file:line:column line"

# And on reload: the running policy stays.
cp "$root/test/vectors/enforce.yaml" "$work/running.yaml"
timeout 60 "$op25b" "${eal[@]}" "${ports[@]}" -- --policy "$work/running.yaml" \
	--stop-after-idle 30000 --status-interval 0 --name "$name" \
	--audit-log "$work/audit.log" >"$work/reload.out" 2>"$work/reload.err" &
bg_pid=$!
wait_until 5 "$bg_pid" grep -q 'op25b: commands:' "$work/reload.out"
cp "$work/pool.yaml" "$work/running.yaml"
kill -HUP "$bg_pid"
wait_until 10 "$bg_pid" grep -q 'reload failed' "$work/reload.err"
stop_process "$bg_pid" TERM 10
bg_pid=""
want_rc $rc 0 "exit status after SIGTERM"
want_has "$work/reload.err" "op25b: reload failed: ${limit/: error: /: }; policy generation 1 stays"
report "op25b refuses the pool on reload, at the same line; generation 1 stays"

# --- ::/0 and 0.0.0.0/0 in explain -------------------------------------------
dr="$root/test/vectors/default-route.yaml"
"$policy_tool" explain "$dr" 2001:db8:2000::9 2001:db8:ffff::9 >"$work/x6.out" 2>&1
want_rc $? 0
want_has "$work/x6.out" "source:      class everyone (prefix ::/0, $dr:"
want_has "$work/x6.out" "destination: group anywhere (prefix ::/0, $dr:"
"$policy_tool" explain "$dr" 203.0.113.77 198.51.100.7 >"$work/x4.out" 2>&1
want_rc $? 0
want_has "$work/x4.out" "source:      class everyone (prefix 0.0.0.0/0, $dr:"
want_has "$work/x4.out" "verdict:     block"
"$policy_tool" explain "$dr" 2001:db8:1000:20::1 2001:db8::25 >"$work/xs.out" 2>&1
want_has "$work/xs.out" "source:      class static (prefix 2001:db8:1000:20::/64,"
want_has "$work/xs.out" "destination: group isp-relays (prefix 2001:db8::25/128,"
report "explain: ::/0 and 0.0.0.0/0 match anything, longer prefixes win"

exit $status
