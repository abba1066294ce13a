#!/usr/bin/env bash
# Set up, build and run every test: cmocka unit and functional tests (each
# case counted) and the integration scenarios (each counted).
# Usage: scripts/test.sh [--sanitize | --check-list]
# The last line is "N passed, N failed, N skipped" (a skipped case or
# scenario says why in its own line and is listed before it); the exit
# status is non-zero on any failure. --check-list: only check the list of
# scenarios below against the scripts on disk (no build, no test).
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

# The integration and end-to-end scenarios, each run once, in this order.
# A new script goes here: the check below fails the run when a script of
# test/integration/ or test/e2e/ is not listed (it would never run) or a
# listed one is gone.
scenarios=(
	test/integration/adaptive.sh
	test/integration/agree.sh
	test/integration/appliance.sh
	test/integration/captures.sh
	test/integration/check_compiles.sh
	test/integration/cli.sh
	test/integration/exempt_state.sh
	test/integration/faults.sh
	test/integration/jumbo.sh
	test/integration/nic_setup.sh
	test/integration/operator.sh
	test/integration/package.sh
	test/integration/records.sh
	test/integration/reload.sh
	test/integration/sizes.sh
	test/integration/stat.sh
	test/integration/style.sh
	test/integration/tools.sh
	test/integration/vdevs.sh
	test/integration/vector.sh
	test/integration/xdp_replay.sh
	test/integration/xdp_clock.sh
	test/integration/xdp_kernel.sh
	test/integration/xdp_layout.sh
	test/e2e/smtp.sh
	test/e2e/xdp.sh
)
# check_list: prints "ok ..." or "not ok ..." with the differences.
check_list() {
	local diff
	diff=$(comm -3 <(printf '%s\n' "${scenarios[@]}" | sort) \
		<(ls test/integration/*.sh test/e2e/*.sh | sort))
	if [ -z "$diff" ]; then
		echo "ok scenarios: every script of test/integration and test/e2e listed in scripts/test.sh, once"
		return 0
	fi
	echo "not ok scenarios: scripts/test.sh's list and the scripts on disk differ"
	echo "#   listed twice, or no such script:"
	comm -23 <(printf '%s\n' "${scenarios[@]}" | sort) \
		<(ls test/integration/*.sh test/e2e/*.sh | sort) | sed 's/^/#     /'
	echo "#   on disk, not listed (never run):"
	comm -13 <(printf '%s\n' "${scenarios[@]}" | sort -u) \
		<(ls test/integration/*.sh test/e2e/*.sh | sort) | sed 's/^/#     /'
	return 1
}
if [ "${1:-}" = --check-list ]; then
	check_list
	exit
fi

./scripts/setup.sh || exit 1
build=$(./scripts/build.sh "$@") || { echo "0 passed, 1 failed, 0 skipped"; exit 1; }
if [ "${1:-}" = "--sanitize" ]; then
	# DPDK's own allocations are not ours to leak-check; ours are.
	export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
	export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
fi
export OP25B_BUILD="$root/$build" OP25B_SOURCE_ROOT="$root"

passed=0
failed=0
skipped=0
skipped_names=()

# run_unit EXE LABEL [VAR=VALUE...]: one cmocka executable, with VAR=VALUE
# in its environment. cmocka prints "[  PASSED  ] N test(s).",
# "[  FAILED  ] N test(s)" and "[  SKIPPED ] N test(s)"; a crash before
# those lines counts as one failure.
run_unit() {
	local exe=$1 label=$2 log rc p f k
	shift 2
	echo "== $label"
	log=$(env "$@" CMOCKA_MESSAGE_OUTPUT=stdout timeout 600 "$exe" 2>&1)
	rc=$?
	echo "$log" | grep -E '^\[  (FAILED|PASSED|SKIPPED|  ERROR) \]|^\[  FAILED  \] |ERROR|runtime error|Sanitizer' || true
	# A group run twice (test_adaptive) prints a line per run: the sum.
	p=$(echo "$log" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | awk '{ n += $1 } END { print n + 0 }')
	f=$(echo "$log" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | awk '{ n += $1 } END { print n + 0 }')
	k=$(echo "$log" | sed -n 's/^\[  SKIPPED \] \([0-9]*\) test.*/\1/p' | awk '{ n += $1 } END { print n + 0 }')
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "$log" | tail -30
		echo "$label: exited with status $rc"
		f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + k))
	[ "$k" -eq 0 ] || skipped_names+=("$label: $k case(s)")
}
for exe in "$build"/test/unit/test_*; do
	[ -f "$exe" ] && [ -x "$exe" ] || continue
	run_unit "$exe" "$(basename "$exe")"
done
# The XDP prefix tables filled as a kernel without batch updates on LPM
# tries fills them (Debian 12's 6.1), and after a batch that stopped
# halfway (lib/xdp/xdp.c's test hook): the same verdicts, counters and
# bytes on every vector. meson registers the same two runs.
if [ -x "$build/test/unit/test_xdp" ]; then
	for mode in none half; do
		run_unit "$build/test/unit/test_xdp" "test_xdp (OP25B_XDP_TEST_BATCH=$mode)" \
			"OP25B_XDP_TEST_BATCH=$mode"
	done
fi

# Integration and end-to-end scenarios print "ok NAME" or "not ok NAME",
# one a line.
echo "== scenario list"
if check_list; then
	passed=$((passed + 1))
else
	failed=$((failed + 1))
fi
for script in "${scenarios[@]}"; do
	[ -f "$script" ] || continue
	echo "== $(basename "$script")"
	log=$(timeout 900 bash "$script" 2>&1)
	rc=$?
	# -a: a scenario's details may quote bytes that are no text (a
	# Latin-1 file name); its lines are still to be shown.
	echo "$log" | grep -aE '^(ok|not ok) ' || true
	# "ok NAME # SKIP why" is counted as skipped, not passed.
	p=$(echo "$log" | grep -a '^ok ' | grep -acv ' # SKIP')
	f=$(echo "$log" | grep -ac '^not ok ')
	k=$(echo "$log" | grep -a '^ok ' | grep -ac ' # SKIP')
	skipped=$((skipped + k))
	[ "$k" -eq 0 ] || skipped_names+=("$(basename "$script"): $k scenario(s)")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "$log" | tail -30
		echo "$(basename "$script"): exited with status $rc"
		f=1
	elif [ "$f" -ne 0 ]; then
		echo "$log" | grep -a -B2 -A12 '^not ok ' | head -80
	fi
	passed=$((passed + p))
	failed=$((failed + f))
done

# The fuzzers, a bounded short time each (scripts/fuzz.sh replays the
# regression inputs first); one scenario. The fuzz build carries its own
# sanitizers, so the --sanitize run does not repeat it.
if [ "${1:-}" != "--sanitize" ]; then
	echo "== fuzz (20 s a target)"
	if timeout 900 ./scripts/fuzz.sh 20 >"$build/fuzz.log" 2>&1; then
		grep -E "runs|no crash" "$build/fuzz.log" | tail -4
		echo "ok fuzz: every target 20 s, no crash, regressions replayed"
		passed=$((passed + 1))
	else
		tail -30 "$build/fuzz.log"
		echo "not ok fuzz"
		failed=$((failed + 1))
	fi
fi

# The benchmark harness, once, to keep it working: scripts/bench.sh --quick
# must finish and its JSON hold every system x capture. One scenario; it
# asserts structure, never speed (a shared machine is noisy).
if [ "${1:-}" != "--sanitize" ]; then
	echo "== bench (scripts/bench.sh --quick)"
	if timeout 600 ./scripts/bench.sh --quick --json "$build/bench.json" \
		--plot "$build/bench.png" >"$build/bench.log" 2>&1 &&
		summary=$(/usr/bin/python3 scripts/bench/check_json.py \
			"$build/bench.json"); then
		echo "ok bench: --quick ran, $summary"
		passed=$((passed + 1))
	else
		tail -30 "$build/bench.log"
		echo "${summary:-}"
		echo "not ok bench"
		failed=$((failed + 1))
	fi
fi

# One minute of the long run: reloads under traffic, memory and counters
# sampled (scripts/soak.sh); one scenario. Not under --sanitize: ASan's
# quarantine keeps every freed policy resident, so its memory figures
# would measure ASan; leaks there are LeakSanitizer's to find at exit.
if [ "${1:-}" != "--sanitize" ]; then
	echo "== soak (1 minute)"
	if timeout 300 ./scripts/soak.sh 1 >"$build/soak.log" 2>&1; then
		echo "ok soak: $(tail -1 "$build/soak.log")"
		passed=$((passed + 1))
	else
		tail -30 "$build/soak.log"
		echo "not ok soak"
		failed=$((failed + 1))
	fi
fi

# What did not run, and where (each says why above): a skip is not a pass.
if [ "$skipped" -ne 0 ]; then
	echo "skipped:"
	printf '  %s\n' "${skipped_names[@]}"
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
