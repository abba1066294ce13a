#!/usr/bin/env bash
# Lay out every C file of the tree as .clang-format says (clang-format 14,
# Debian 12), or with --check only list the files it would change.
# Usage: scripts/format.sh [--check] [FILE...]
# --check prints one line per file that is not formatted and exits 1 when
# there is one; without files it takes every *.c and *.h git knows of.
set -uo pipefail
cd "$(dirname "$0")/.."
check=0
if [ "${1:-}" = --check ]; then
	check=1
	shift
fi
if [ $# -eq 0 ]; then
	if git rev-parse --git-dir >/dev/null 2>&1; then
		mapfile -t files < <(git ls-files '*.c' '*.h')
	else
		mapfile -t files < <(find app lib test -name '*.[ch]' | sort)
	fi
else
	files=("$@")
fi
command -v clang-format >/dev/null || {
	echo "format.sh: clang-format is not installed (scripts/setup.sh)" >&2
	exit 2
}
if [ "$check" -eq 0 ]; then
	clang-format -i "${files[@]}"
	exit
fi
bad=0
for f in "${files[@]}"; do
	if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
		echo "$f"
		bad=1
	fi
done
exit "$bad"
