#!/usr/bin/env bash
# The house style that a tool can check: every C file of the tree laid out
# as .clang-format says (scripts/format.sh fixes what this finds), and the
# fuzzers' seeds made from the current test vectors (make-corpus.sh --check).
# Prints "ok NAME" / "not ok NAME" lines; details follow as "#   " lines.
set -uo pipefail
. "$(dirname "$0")/common.bash"
cd "$root" || exit 1

if out=$(scripts/format.sh --check 2>&1); then
	echo "ok format: every C file as .clang-format lays it out"
else
	echo "not ok format: files clang-format would change (scripts/format.sh FILE)"
	echo "$out" | sed 's/^/#   /'
fi

# The fuzzers' seeds are made from the test vectors: a vector added or
# changed without them leaves the fuzzers a stale start.
if out=$(test/fuzz/make-corpus.sh --check "$build" 2>&1); then
	echo "ok fuzz corpus: the seeds are those of the current test vectors"
else
	echo "not ok fuzz corpus: stale (test/fuzz/make-corpus.sh, then commit)"
	echo "$out" | sed 's/^/#   /'
fi
