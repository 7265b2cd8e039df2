#!/usr/bin/env bash
# tests/sdk/unpack.sh: ZITADEL's Python and PHP SDKs from the tarballs in
# tests/sdk/vendor/, laid out for use without PyPI or composer.
#
#   tests/sdk/unpack.sh DEST
#
# DEST/python   zitadel_client and authlib: PYTHONPATH=DEST/python, with a
#               python3 that has pydantic 2, requests, python-dateutil,
#               typing-extensions and cryptography (Debian 12's pydantic
#               is 1.10: too old)
# DEST/php      vendor/autoload.php as composer would lay it out: require it
#               from DEST/php; Guzzle and the PSR interfaces come from
#               Debian (php-guzzlehttp-guzzle, php-psr-http-factory)
# DEST/src      the unpacked trees, each with its LICENSE
#
# An existing DEST is brought up to date: trees of the versions in
# vendor/MANIFEST are unpacked once.
set -euo pipefail

[ $# = 1 ] || { echo "usage: tests/sdk/unpack.sh DEST" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$1"
dest=$(cd "$1" && pwd)
mkdir -p "$dest/src" "$dest/python" "$dest/php/vendor/zitadel" \
	"$dest/php/vendor/league" "$dest/php/vendor/firebase"

tree() { # tree NAME: the unpacked tree of NAME's version, unpacked if new
	local name=$1 version
	version=$(awk -v n="$name" '$1 == n { print $2 }' "$here/vendor/MANIFEST")
	[ -n "$version" ] || { echo "unpack.sh: $name is not in MANIFEST" >&2; exit 1; }
	if [ ! -d "$dest/src/$name-$version" ]; then
		rm -rf "$dest/src/$name-$version.tmp"
		mkdir "$dest/src/$name-$version.tmp"
		tar -xJf "$here/vendor/$name-$version.tar.xz" --no-same-owner \
			-C "$dest/src/$name-$version.tmp"
		mv "$dest/src/$name-$version.tmp/$name-$version" "$dest/src/$name-$version"
		rmdir "$dest/src/$name-$version.tmp"
	fi
	echo "$name-$version"
}

# Each tree first (a failure stops here), then relative links: DEST may move.
zpy=$(tree zitadel-client-python)
authlib=$(tree authlib)
zphp=$(tree zitadel-client-php)
oauth2=$(tree oauth2-client)
uri=$(tree uri)
urii=$(tree uri-interfaces)
jwt=$(tree php-jwt)
ln -sfn "../src/$zpy/zitadel_client" "$dest/python/zitadel_client"
ln -sfn "../src/$authlib/authlib" "$dest/python/authlib"
ln -sfn "../../../src/$zphp" "$dest/php/vendor/zitadel/client"
ln -sfn "../../../src/$oauth2" "$dest/php/vendor/league/oauth2-client"
ln -sfn "../../../src/$uri" "$dest/php/vendor/league/uri"
ln -sfn "../../../src/$urii" "$dest/php/vendor/league/uri-interfaces"
ln -sfn "../../../src/$jwt" "$dest/php/vendor/firebase/php-jwt"
cp "$here/autoload.php" "$dest/php/vendor/autoload.php"
