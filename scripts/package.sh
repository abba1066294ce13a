#!/usr/bin/env bash
# Build the Debian package of this tree: op25b_VERSION_ARCH.deb, with
# debhelper (debian/, dpkg-buildpackage -us -uc -b), then lintian (any
# error fails the build). The last line printed is the path of the .deb.
#
# Usage: scripts/package.sh [--out DIR]
#   --out DIR   where the .deb goes (default build-deb/)
#
# VERSION comes from git describe: a tag vX.Y.Z gives X.Y.Z (+N.gHASH
# for N commits after it); with no tag, meson.build's version ~gitN.gHASH
# (N commits in all: ~ sorts it below the release, so that the release
# and what follows it install over a snapshot as upgrades). Uncommitted changes add .dirty. The build runs in a
# copy of the tree's files (tracked and not ignored) in a temporary
# directory, so that the tree gets nothing but the .deb. Everything but
# the output goes to standard error.
set -euo pipefail
caller=$(pwd)
cd "$(dirname "$0")/.."
root=$(pwd)
out=$root/build-deb

die() {
	echo "package: $*" >&2
	exit 1
}
usage() { sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
	case $1 in
	--out)
		out=${2:?--out needs a directory}
		[[ $out == /* ]] || out=$caller/$out
		shift 2 ;;
	-h | --help)
		usage
		exit 0 ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
done

for tool in dpkg-buildpackage dh help2man lintian; do
	command -v "$tool" >/dev/null || die "$tool missing: run scripts/setup.sh"
done

base=$(sed -n "s/^[[:space:]]*version: '\([^']*\)',.*/\1/p" meson.build | head -1)
[ -n "$base" ] || die "no version in meson.build"
if git rev-parse --git-dir >/dev/null 2>&1; then
	describe=$(git describe --tags --always --match 'v[0-9]*')
	if [[ $describe =~ ^v([0-9][0-9.]*)(-([0-9]+)-g([0-9a-f]+))?$ ]]; then
		version=${BASH_REMATCH[1]}
		[ -z "${BASH_REMATCH[2]}" ] ||
			version+="+${BASH_REMATCH[3]}.g${BASH_REMATCH[4]}"
	else
		version="$base~git$(git rev-list --count HEAD).g$describe"
	fi
	[ -z "$(git status --porcelain --untracked-files=no)" ] || version+=.dirty
	when=$(git log -1 --format=%ct)
else
	describe="no git"
	version=$base
	when=$(date +%s)
fi

tmp=$(mktemp -d /tmp/op25b-package.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
src=$tmp/op25b-$version
mkdir "$src"
if git rev-parse --git-dir >/dev/null 2>&1; then
	# Tracked and untracked files, not the ignored ones (build dirs);
	# a tracked file deleted in the tree is left out.
	git ls-files -z --cached --others --exclude-standard |
		while IFS= read -r -d '' f; do
			[ -e "$f" ] && printf '%s\0' "$f"
		done | tar --null -T - -cf - | tar -xf - -C "$src"
else
	tar --exclude='./build*' -cf - . | tar -xf - -C "$src"
fi

# Dated by the last commit: the same commit gives the same package.
cat >"$src/debian/changelog" <<EOF
op25b ($version) unstable; urgency=medium

  * Built by scripts/package.sh from $describe.

 -- op25b developers <op25b@example.org>  $(date -R -u -d "@$when")
EOF

echo "package: building op25b $version in $src" >&2
(cd "$src" &&
	DEB_BUILD_OPTIONS="nocheck parallel=$(nproc)" \
		dpkg-buildpackage -us -uc -b >"$tmp/build.log" 2>&1) || {
	tail -40 "$tmp/build.log" >&2
	die "dpkg-buildpackage failed (the log's last lines above)"
}
deb=$(ls "$tmp"/op25b_"$version"_*.deb)
changes=$(ls "$tmp"/op25b_"$version"_*.changes)

# Warnings and notes are shown; an error fails the package.
echo "package: lintian" >&2
lintian --fail-on error \
	"$changes" >&2 || die "lintian found errors (above)"

mkdir -p "$out"
cp "$deb" "$out/"
echo "$(cd "$out" && pwd)/$(basename "$deb")"
