#!/usr/bin/env bash
# tests/sdk/vendor.sh: re-creates tests/sdk/vendor/*.tar.xz, the sources of
# ZITADEL's Python and PHP SDKs and of the libraries Debian lacks, from git
# clones of their repositories (tests/sdk/vendor/README.md says why they are
# vendored).
#
#   tests/sdk/vendor.sh SRC
#
# SRC holds one clone per repository of vendor/MANIFEST, at SRC/OWNER/NAME
# (plain or bare), e.g.
#   git clone --bare https://github.com/zitadel/client-python SRC/zitadel/client-python
# To move to a new version, change its line in vendor/MANIFEST (version,
# tag, commit) and run this again; the old tarball is removed.
set -euo pipefail

[ $# = 1 ] || { echo "usage: tests/sdk/vendor.sh SRC" >&2; exit 2; }
src=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
out=$here/vendor

while read -r name version repo tag commit licence paths; do
	case $name in '' | '#'*) continue ;; esac
	git=$src/$repo
	[ -d "$git" ] || { echo "vendor.sh: no clone of $repo at $git" >&2; exit 1; }
	got=$(git -C "$git" rev-parse --verify -q "$tag^{commit}") ||
		{ echo "vendor.sh: $repo has no tag $tag" >&2; exit 1; }
	if [ "$got" != "$commit" ]; then
		echo "vendor.sh: $repo $tag is $got, MANIFEST says $commit" >&2
		exit 1
	fi
	rm -f "$out/$name"-*.tar.xz
	# git archive honours the repository's export-ignore (as composer's
	# dist archives do) and stamps every file with the commit's time, so
	# the same commit gives the same tar.
	IFS=, read -r -a want <<<"$paths"
	git -C "$git" archive --format=tar --prefix="$name-$version/" "$commit" \
		"${want[@]}" | xz -9e -T1 >"$out/$name-$version.tar.xz"
	printf '%-34s %7s bytes  %s %s (%s)\n' "$name-$version.tar.xz" \
		"$(wc -c <"$out/$name-$version.tar.xz")" "$repo" "$tag" "$licence"
done <"$out/MANIFEST"
