#!/usr/bin/env bash
# `make install` into a temporary prefix, then build a program outside the
# tree with pkg-config alone and run it; check the installed files and that
# the shared library exports nothing but sc_ symbols.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d /tmp/scorer-install.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix
pass=0
fail=0

ok() { echo "ok $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1: $2"; fail=$((fail + 1)); }

if ! make -s -C "$top" install PREFIX="$prefix" BUILD="${BUILD:-build}" \
	>"$tmp/install.log" 2>&1; then
	cat "$tmp/install.log"
	bad install "make install failed"
	echo "$pass passed, $fail failed"
	exit 1
fi
ok install

for f in include/scorer.h lib/libscorer.a lib/libscorer.so \
	lib/libscorer.so.0 lib/pkgconfig/scorer.pc share/man/man1/scorer.1 \
	share/scorer/rules/findings.ini share/scorer/rules/scoring.ini \
	share/scorer/rules/disposable.txt share/scorer/rules/providers.txt \
	bin/scorer; do
	if [ -e "$prefix/$f" ]; then ok "installed $f"; else bad installed "$f missing"; fi
done

soname=$(objdump -p "$prefix/lib/libscorer.so" 2>/dev/null | awk '/SONAME/ {print $2}')
if [ "$soname" = libscorer.so.0 ]; then ok soname; else bad soname "got '$soname'"; fi

# Only sc_ symbols are exported (-fvisibility=hidden).
others=$(nm -D --defined-only "$prefix/lib/libscorer.so" |
	awk '$2 ~ /^[TDBR]$/ {print $3}' | grep -v '^sc_' || true)
if [ -z "$others" ]; then ok exports; else bad exports "non-sc_ symbols: $others"; fi

export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
# shellcheck disable=SC2046
if cc -Wall -Wextra -o "$tmp/hello" "$top/tests/install/hello.c" \
	$(pkg-config --cflags --libs scorer) 2>"$tmp/cc.log"; then
	ok "build with pkg-config"
else
	cat "$tmp/cc.log"
	bad "build with pkg-config" "compile failed"
fi

out=$(LD_LIBRARY_PATH=$prefix/lib "$tmp/hello" \
	"$prefix/share/scorer/rules" "not-an-address" 2>&1)
case "$out" in
*"not-an-address error address.invalid") ok "run against the shared library" ;;
*) bad "run against the shared library" "got '$out'" ;;
esac

if man -l "$prefix/share/man/man1/scorer.1" 2>/dev/null | grep -q "recovery email"; then
	ok "man page"
else
	bad "man page" "does not render"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
