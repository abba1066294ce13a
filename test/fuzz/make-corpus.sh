#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Regenerate the classify fuzzer's seed corpus (test/fuzz/corpus/classify/)
# from the test vectors and test/fuzz/seeds.vec: one raw frame a file, named
# <vector file>-<case>; and the policy fuzzer's seeds from the policy error
# vectors (test/vectors/policy/*.yaml as corpus/policy/vector-*.yaml, beside
# the hand-written seeds there). The result is committed; run this again
# only when the vectors change.
# Usage: test/fuzz/make-corpus.sh [BUILD_DIR]   (default: build)
set -euo pipefail
cd "$(dirname "$0")/../.."
gen=${1:-build}/app/op25b-gen/op25b-gen
out=test/fuzz/corpus/classify
[ -x "$gen" ] || { echo "no $gen: build the project first" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

rm -f "$out"/*
for vec in test/vectors/*.vec test/fuzz/seeds.vec; do
	base=$(basename "$vec" .vec)
	"$gen" vectors "$vec" --out "$tmp/$base.pcap" \
		--expect "$tmp/$base.txt"
	# shellcheck disable=SC2046 # one name per case, no blanks in names
	python3 test/fuzz/pcap-split.py "$tmp/$base.pcap" "$out" \
		$(awk -v b="$base" '{print b "-" $1}' "$tmp/$base.txt")
done
echo "$(find "$out" -type f | wc -l) frames in $out"

policy_out=test/fuzz/corpus/policy
rm -f "$policy_out"/vector-*.yaml
for f in test/vectors/policy/*.yaml; do
	cp "$f" "$policy_out/vector-$(basename "$f")"
done
echo "$(find "$policy_out" -name 'vector-*.yaml' | wc -l) policy vectors in $policy_out"
