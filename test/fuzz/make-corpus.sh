#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Regenerate the classify fuzzer's seed corpus (test/fuzz/corpus/classify/)
# from the test vectors and test/fuzz/seeds.vec: one raw frame a file, named
# <vector file>-<case>; and the policy fuzzer's seeds from the policy error
# vectors (test/vectors/policy/*.yaml as corpus/policy/vector-*.yaml, beside
# the hand-written seeds there). The result is committed; run this again
# when the vectors change. --check regenerates into a copy and says what
# differs from the committed corpus (exit 1), changing nothing: the style
# scenario runs it, so a vector added without its seed fails the suite.
# Usage: test/fuzz/make-corpus.sh [--check] [BUILD_DIR]   (default: build)
set -euo pipefail
cd "$(dirname "$0")/../.."
check=0
if [ "${1:-}" = --check ]; then
	check=1
	shift
fi
gen=${1:-build}/app/op25b-gen/op25b-gen
[ -x "$gen" ] || { echo "no $gen: build the project first" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
corpus=test/fuzz/corpus
if [ $check = 1 ]; then
	cp -r test/fuzz/corpus "$tmp/corpus"
	corpus=$tmp/corpus
fi
out=$corpus/classify

rm -f "$out"/*
for vec in test/vectors/*.vec test/fuzz/seeds.vec; do
	base=$(basename "$vec" .vec)
	"$gen" vectors "$vec" --out "$tmp/$base.pcap" \
		--expect "$tmp/$base.txt"
	# shellcheck disable=SC2046 # one name per case, no blanks in names
	python3 test/fuzz/pcap-split.py "$tmp/$base.pcap" "$out" \
		$(awk -v b="$base" '{print b "-" $1}' "$tmp/$base.txt")
done
[ $check = 1 ] || echo "$(find "$out" -type f | wc -l) frames in $out"

policy_out=$corpus/policy
rm -f "$policy_out"/vector-*.yaml
for f in test/vectors/policy/*.yaml; do
	cp "$f" "$policy_out/vector-$(basename "$f")"
done
[ $check = 1 ] || echo "$(find "$policy_out" -name 'vector-*.yaml' | wc -l) policy vectors in $policy_out"
if [ $check = 1 ]; then
	if ! diff -r test/fuzz/corpus "$corpus" >"$tmp/diff"; then
		echo "the fuzz corpus is stale: run test/fuzz/make-corpus.sh and commit" >&2
		cat "$tmp/diff" >&2
		exit 1
	fi
	exit 0
fi
