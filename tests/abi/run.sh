#!/usr/bin/env bash
# The ABI and its reference pages:
#   - the shared library exports only sc_ symbols (-fvisibility=hidden);
#   - every SC_EXTERN function of include/scorer.h is exported, and every
#     exported function is declared there;
#   - SC_VERSION_NUM and SC_VERSION agree with sc_version(), and the
#     shared object's file name carries that version;
#   - every exported function has a man page in docs/man3: named in the
#     NAME section of a page, and reachable as `man FUNCTION` (a page or a
#     .so link of that name); the pages render without groff warnings.
#
#   BUILD=build tests/abi/run.sh
#
# Prints "ok NAME" or "FAIL NAME: why", then "N passed, N failed".
set -u

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${BUILD:-build}
case $build in /*) ;; *) build=$top/$build ;; esac
header=$top/include/scorer.h
so=$build/libscorer.so
man3=$top/docs/man3
pass=0
fail=0

work=$(mktemp -d "${TMPDIR:-/tmp}/scorer-abi.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT

ok() {
	echo "ok $1"
	pass=$((pass + 1))
}
bad() {
	echo "FAIL $1: $2"
	fail=$((fail + 1))
}

if [ ! -e "$so" ]; then
	bad library "no $so (run make)"
	echo "$pass passed, $fail failed"
	exit 1
fi

# ---- exports --------------------------------------------------------------

# Defined dynamic symbols of every kind that a program could bind to.
nm -D --defined-only "$so" | awk 'NF == 3 {print $2, $3}' >"$work/nm"
others=$(awk '$2 !~ /^sc_/ {print $2}' "$work/nm" | tr '\n' ' ')
if [ -z "$others" ]; then
	ok "exports only sc_ symbols"
else
	bad "exports only sc_ symbols" "also: $others"
fi
awk '$1 ~ /^[TtWiI]$/ && $2 ~ /^sc_/ {print $2}' "$work/nm" |
	sort -u >"$work/exported"

# SC_EXTERN declarations: preprocessor lines dropped (they define
# SC_EXTERN itself), the rest joined, then the name before each "(".
grep -v '^[[:space:]]*#' "$header" | tr '\n' ' ' |
	grep -o 'SC_EXTERN[^;(]*(' |
	sed -n 's/.*[^A-Za-z0-9_]\(sc_[A-Za-z0-9_]*\)[[:space:]]*($/\1/p' |
	sort -u >"$work/declared"
ndecl=$(wc -l <"$work/declared")
if [ "$ndecl" -ge 30 ]; then
	ok "header parsed ($ndecl SC_EXTERN functions)"
else
	bad "header parsed" "only $ndecl SC_EXTERN functions found"
fi

missing=$(comm -23 "$work/declared" "$work/exported" | tr '\n' ' ')
if [ -z "$missing" ]; then
	ok "every SC_EXTERN function is exported"
else
	bad "every SC_EXTERN function is exported" "not in $so: $missing"
fi
extra=$(comm -13 "$work/declared" "$work/exported" | tr '\n' ' ')
if [ -z "$extra" ]; then
	ok "every exported function is declared"
else
	bad "every exported function is declared" "not in scorer.h: $extra"
fi

# ---- version --------------------------------------------------------------

if cc -std=c99 -Wall -Wextra -I"$top/include" -o "$work/version" \
	"$top/tests/abi/version.c" -L"$build" -lscorer \
	-Wl,-rpath,"$build" 2>"$work/cc.log"; then
	if out=$("$work/version" 2>&1); then
		ok "SC_VERSION_NUM matches sc_version() ($out)"
		ver=${out%% *}
		if [ -e "$build/libscorer.so.$ver" ]; then
			ok "libscorer.so.$ver"
		else
			bad "shared object version" "no $build/libscorer.so.$ver"
		fi
	else
		bad "SC_VERSION_NUM matches sc_version()" "$out"
	fi
else
	cat "$work/cc.log"
	bad "version program" "does not build"
fi

# ---- man pages ------------------------------------------------------------

# Names listed in the NAME section of each page: the lines between
# ".SH NAME" and the next ".SH", up to the "\-".
: >"$work/named"
for page in "$man3"/*.3; do
	[ -e "$page" ] || continue
	grep -q '^\.so ' "$page" && continue
	sed -n '/^\.SH NAME/,/^\.SH /{/^\.SH/d;p}' "$page" |
		tr '\n,' '  ' | sed 's/\\-.*//' | tr -s ' ' '\n' |
		sed -n '/^sc_/p' >>"$work/named"
done
sort -u -o "$work/named" "$work/named"
unnamed=$(comm -23 "$work/exported" "$work/named" | tr '\n' ' ')
if [ -z "$unnamed" ]; then
	ok "every exported function is named by a man page"
else
	bad "every exported function is named by a man page" "none for: $unnamed"
fi

nofile=""
while read -r fn; do
	[ -e "$man3/$fn.3" ] || nofile="$nofile $fn"
done <"$work/exported"
if [ -z "$nofile" ]; then
	ok "man FUNCTION finds a page for every exported function"
else
	bad "man FUNCTION finds a page for every exported function" \
		"no docs/man3/NAME.3 for:$nofile"
fi

# A .so link must point at a page that exists.
dangling=""
for page in "$man3"/*.3; do
	[ -e "$page" ] || continue
	target=$(sed -n 's/^\.so \(.*\)$/\1/p' "$page")
	[ -n "$target" ] || continue
	[ -e "$man3/${target#man3/}" ] || dangling="$dangling $(basename "$page")"
done
if [ -z "$dangling" ]; then
	ok "man page links resolve"
else
	bad "man page links resolve" "dangling:$dangling"
fi

# Every full page has the sections an integrator looks for.
incomplete=""
for page in "$man3"/*.3; do
	[ -e "$page" ] || continue
	grep -q '^\.so ' "$page" && continue
	for sec in NAME SYNOPSIS DESCRIPTION "RETURN VALUE" EXAMPLE "SEE ALSO"; do
		grep -q "^\.SH \"\{0,1\}$sec\"\{0,1\}\$" "$page" ||
			incomplete="$incomplete $(basename "$page"):$sec"
	done
done
if [ -z "$incomplete" ]; then
	ok "man pages have NAME, SYNOPSIS, DESCRIPTION, RETURN VALUE, EXAMPLE"
else
	bad "man page sections" "missing:$incomplete"
fi

if command -v groff >/dev/null; then
	warned=""
	for page in "$man3"/*.3; do
		[ -e "$page" ] || continue
		grep -q '^\.so ' "$page" && continue
		if [ -n "$(groff -man -ww -z "$page" 2>&1)" ]; then
			warned="$warned $(basename "$page")"
			groff -man -ww -z "$page" 2>&1 | sed 's/^/  /'
		fi
	done
	if [ -z "$warned" ]; then
		ok "man pages render without warnings"
	else
		bad "man pages render without warnings" "$warned"
	fi
else
	echo "skip: groff not installed, pages not rendered"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
