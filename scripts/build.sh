#!/usr/bin/env bash
# Configure (once) and build. Usage: scripts/build.sh [--sanitize]
# The sanitizer build lives in build-sanitize/ so both can coexist.
set -euo pipefail
cd "$(dirname "$0")/.."

dir=build
opts=()
if [ "${1:-}" = "--sanitize" ]; then
	dir=build-sanitize
	opts=(-Db_sanitize=address,undefined -Db_lundef=false)
fi
if [ ! -f "$dir/build.ninja" ]; then
	meson setup "$dir" "${opts[@]}" >&2
fi
ninja -C "$dir" >&2
echo "$dir"
