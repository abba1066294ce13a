#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Build the libFuzzer targets (test/fuzz) with clang, ASan and UBSan in
# build-fuzz/, replay the saved crashes of test/fuzz/regressions/, then fuzz
# each target for SECONDS from a copy of its seed corpus.
#
# Usage: scripts/fuzz.sh SECONDS [TARGET...]    (TARGET: classify, policy, cli, exempt_state)
# Environment: FUZZ_BUILD (build dir, default build-fuzz), FUZZ_ARTIFACTS
# (default fuzz-artifacts).
#
# Crashes go to fuzz-artifacts/<target>/ (with the full log next to them);
# move a crash into test/fuzz/regressions/<target>/ once it is understood.
# The committed corpus is never grown. Needs clang and libclang-rt-14-dev.
# Exit status: 0 when no target crashed, 1 on any crash or failed replay,
# 2 on usage or build errors.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
root=$(pwd)

usage() {
	sed -n 's/^# Usage: //p' "$0" >&2
	exit 2
}

[ $# -ge 1 ] || usage
seconds=$1
shift
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -eq 0 ]; then
	usage
fi

build=${FUZZ_BUILD:-build-fuzz}
case $build in
/*) build_path=$build ;;
*) build_path=$root/$build ;;
esac
artifacts=${FUZZ_ARTIFACTS:-$root/fuzz-artifacts}

all=()
for src in test/fuzz/fuzz_*.c; do
	name=${src#test/fuzz/fuzz_}
	all+=("${name%.c}")
done
targets=()
for t in "$@"; do
	t=${t#fuzz_}
	[ -f "test/fuzz/fuzz_$t.c" ] || {
		echo "fuzz.sh: unknown target '$t' (one of: ${all[*]})" >&2
		exit 2
	}
	targets+=("$t")
done
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")

# Inputs larger than these say nothing more about a parser: a jumbo
# Ethernet frame (fuzz_classify also cuts it into a chain of segments), a
# policy snippet, a state file.
declare -A max_len=([classify]=9216 [policy]=4096 [cli]=1024
	[exempt_state]=4096)

# ---- build -----------------------------------------------------------------
command -v clang >/dev/null || {
	echo "fuzz.sh: clang not found (apt-get install clang libclang-rt-14-dev)" >&2
	exit 2
}
# -Dfuzz=true also gives the libraries the coverage instrumentation
# libFuzzer steers by (meson.build); the fuzz executables add the runtime.
opts=("-Db_sanitize=address,undefined" -Db_lundef=false -Dfuzz=true)
echo "== build ($build)"
if [ ! -f "$build/build.ninja" ]; then
	CC=clang meson setup "$build" "${opts[@]}" || exit 2
else
	meson configure "$build" "${opts[@]}" || exit 2
fi
exes=()
for t in "${targets[@]}"; do
	exes+=("fuzz_$t")
done
# meson compile looks targets up before ninja regenerates: a target added
# since the last build would be "not found".
ninja -C "$build" build.ninja >/dev/null || exit 2
meson compile -C "$build" "${exes[@]}" || exit 2

# ---- run -------------------------------------------------------------------
# UBSan reports must stop the run to count as crashes; leaks are checked
# after every input (libFuzzer's -detect_leaks, on by default with ASan).
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

work=$(mktemp -d "${TMPDIR:-/tmp}/op25b-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$artifacts"

crashed=0
summary=()
for t in "${targets[@]}"; do
	exe="$build_path/test/fuzz/fuzz_$t"
	out="$artifacts/$t"
	mkdir -p "$out" "$work/$t/corpus" "$work/$t/cwd"
	args=(-timeout=10 -rss_limit_mb=2048 -max_len="${max_len[$t]:-4096}"
		-artifact_prefix="$out/")
	[ -f "test/fuzz/$t.dict" ] && args+=(-dict="$root/test/fuzz/$t.dict")

	# Saved crashes first: each must now pass.
	regressions=()
	if [ -d "test/fuzz/regressions/$t" ]; then
		while IFS= read -r -d '' f; do
			regressions+=("$f")
		done < <(find "$root/test/fuzz/regressions/$t" -type f \
			! -name '.*' -print0 | sort -z)
	fi
	echo "== $t: replay ${#regressions[@]} regression input(s)"
	if [ ${#regressions[@]} -gt 0 ]; then
		# From an empty directory, as the fuzzing run below.
		if ! (cd "$work/$t/cwd" && "$exe" "${args[@]}" \
			"${regressions[@]}") >"$out/replay.log" 2>&1; then
			grep -E 'ERROR|SUMMARY|check failed|Running:' \
				"$out/replay.log" | tail -20
			echo "$t: regression replay FAILED (log: $out/replay.log)"
			summary+=("$t: regression replay FAILED")
			crashed=1
			continue
		fi
	fi

	# The corpus is copied: new units stay in the temporary directory.
	cp -r "test/fuzz/corpus/$t/." "$work/$t/corpus/" 2>/dev/null
	echo "== $t: fuzzing for ${seconds}s ($(find "$work/$t/corpus" \
		-type f | wc -l) seeds)"
	log="$out/fuzz.log"
	(cd "$work/$t/cwd" && "$exe" "${args[@]}" -max_total_time="$seconds" \
		-print_final_stats=1 "$work/$t/corpus") >"$log" 2>&1
	rc=$?
	# The last status line: "#RUNS DONE cov: N ft: N corp: N/Nb ...".
	status=$(grep -E '^#[0-9]+' "$log" | tail -1)
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	cov=$(echo "$status" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
	ft=$(echo "$status" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
	corp=$(echo "$status" | sed -n 's/.* corp: \([0-9]*\)\/.*/\1/p')
	crash=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
	if [ $rc -ne 0 ] || [ -n "$crash" ]; then
		grep -E '==ERROR|SUMMARY|check failed|runtime error|^ *#[0-9] ' \
			"$log" | head -25
		line="$t: CRASH ${crash:-(exit $rc, no input saved)} (log: $log)"
		crashed=1
	else
		line="$t: no crash"
	fi
	line+=" runs=${runs:-?} exec/s=${rate:-?} cov=${cov:-?} ft=${ft:-?}"
	line+=" corpus=${corp:-?}"
	echo "$line"
	summary+=("$line")
done

echo "== summary"
printf '%s\n' "${summary[@]}"
exit $crashed
