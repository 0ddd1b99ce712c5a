#!/usr/bin/env bash
# An install as a user makes one: `make` (the Makefile's installcheck
# depends on all, built for the default PREFIX), then `make install
# PREFIX=...` into a temporary prefix.  Then: the installed files; the
# shared library exports nothing but sc_ symbols; the installed scorer,
# a program built with pkg-config alone and the examples find the
# prefix's own rules with no --rules and no rebuild, and the library
# honours SCORER_RULES_DIR as the CLI does; the man pages render and
# name in SEE ALSO only pages the install has; the shell completions
# (tests/docs/run.py drives them in depth).
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
	lib/libscorer.so.1 lib/pkgconfig/scorer.pc share/man/man1/scorer.1 \
	share/man/man3/libscorer.3 share/man/man3/sc_ctx_rules_dir.3 \
	share/scorer/rules/findings.ini share/scorer/rules/scoring.ini \
	share/scorer/rules/disposable.txt share/scorer/rules/providers.txt \
	share/scorer/rules/disposable.idx share/scorer/rules/providers.idx \
	share/scorer/rules/canonical.ini bin/scorer \
	share/bash-completion/completions/scorer \
	share/zsh/site-functions/_scorer; do
	if [ -e "$prefix/$f" ]; then ok "installed $f"; else bad installed "$f missing"; fi
done

soname=$(objdump -p "$prefix/lib/libscorer.so" 2>/dev/null | awk '/SONAME/ {print $2}')
if [ "$soname" = libscorer.so.1 ]; then ok soname; else bad soname "got '$soname'"; fi

# Only sc_ symbols are exported (-fvisibility=hidden).
others=$(nm -D --defined-only "$prefix/lib/libscorer.so" |
	awk '$2 ~ /^[TDBR]$/ {print $3}' | grep -v '^sc_' || true)
if [ -z "$others" ]; then ok exports; else bad exports "non-sc_ symbols: $others"; fi

# ---- the prefix's own rules, found without --rules ------------------------

# Mark the installed copy, so that output shows which rules were read (a
# source tree or /usr/local would give the original titles).
rules=$prefix/share/scorer/rules
sed -i -e 's/^title = A mail server of the domain does not exist$/& (prefix copy)/' \
	-e '/^\[address.invalid\]/,/^title/s/^title = .*/title = Invalid (prefix copy)/' \
	"$rules/findings.ini"
cp -r "$rules" "$tmp/own"
sed -i 's/^title = Invalid (prefix copy)$/title = Invalid (own copy)/' \
	"$tmp/own/findings.ini"

# The installed scorer, run from elsewhere with a clean environment.
out=$(cd / && env -u SCORER_RULES_DIR "$prefix/bin/scorer" explain mx.dangling 2>&1)
case "$out" in
*"does not exist (prefix copy)"*) ok "installed scorer reads the prefix's rules" ;;
*) bad "installed scorer reads the prefix's rules" "got '$out'" ;;
esac
out=$(cd / && env -u SCORER_RULES_DIR "$prefix/bin/scorer" check --json \
	not-an-address 2>&1)
rc=$?
if [ "$rc" = 2 ] && printf '%s' "$out" | grep -q '"address.invalid"'; then
	ok "installed scorer checks an address"
else
	bad "installed scorer checks an address" "exit $rc: $out"
fi
out=$(cd / && SCORER_RULES_DIR=$tmp/own "$prefix/bin/scorer" explain \
	address.invalid 2>&1)
case "$out" in
*"Invalid (own copy)"*) ok "installed scorer: SCORER_RULES_DIR" ;;
*) bad "installed scorer: SCORER_RULES_DIR" "got '$out'" ;;
esac

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
*"not-an-address error address.invalid"*) ok "run against the shared library" ;;
*) bad "run against the shared library" "got '$out'" ;;
esac

# No rules directory: the library finds the prefix's from its own place.
out=$(cd / && env -u SCORER_RULES_DIR LD_LIBRARY_PATH=$prefix/lib \
	"$tmp/hello" not-an-address 2>&1)
if printf '%s\n' "$out" | grep -qx "rules: $prefix/lib/../share/scorer/rules" &&
	printf '%s\n' "$out" | grep -qx "title: Invalid (prefix copy)"; then
	ok "library finds the prefix's rules beside itself"
else
	bad "library finds the prefix's rules beside itself" "got '$out'"
fi
out=$(cd / && SCORER_RULES_DIR=$tmp/own LD_LIBRARY_PATH=$prefix/lib \
	"$tmp/hello" not-an-address 2>&1)
if printf '%s\n' "$out" | grep -qx "title: Invalid (own copy)"; then
	ok "library honours SCORER_RULES_DIR"
else
	bad "library honours SCORER_RULES_DIR" "got '$out'"
fi
out=$(SCORER_RULES_DIR=$tmp/none LD_LIBRARY_PATH=$prefix/lib \
	"$tmp/hello" not-an-address 2>&1)
rc=$?
if [ "$rc" != 0 ] && printf '%s' "$out" | grep -q "$tmp/none/findings.ini"; then
	ok "library: a missing SCORER_RULES_DIR is an error naming it"
else
	bad "library: missing SCORER_RULES_DIR" "exit $rc: $out"
fi

# The examples as an integrator builds them (examples/Makefile, the
# prefix's scorer.pc alone), run with no --rules: offline, an invalid
# address (tests/examples/run.sh runs them on the lab).
if env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$top/examples" \
	O="$tmp/ex" "$tmp/ex/blocking" "$tmp/ex/async" >"$tmp/ex.log" 2>&1; then
	ok "build examples against the prefix"
	for prog in blocking async; do
		out=$(cd / && env -u SCORER_RULES_DIR "$tmp/ex/$prog" \
			not-an-address 2>&1)
		rc=$?
		if [ "$rc" = 2 ] && printf '%s\n' "$out" |
			grep -q '^  high address\.invalid: '; then
			ok "examples/$prog runs on the prefix's rules"
		else
			bad "examples/$prog runs on the prefix's rules" "exit $rc: $out"
		fi
	done
else
	cat "$tmp/ex.log"
	bad "build examples against the prefix" "make -C examples failed"
fi

# ---- man pages --------------------------------------------------------------

if man -l "$prefix/share/man/man1/scorer.1" 2>/dev/null | grep -q "recovery email"; then
	ok "man page"
else
	bad "man page" "does not render"
fi

# SEE ALSO names only pages this install has.
missing=""
for page in "$prefix"/share/man/man1/*.1 "$prefix"/share/man/man3/*.3; do
	grep -q '^\.so ' "$page" && continue
	for ref in $(sed -n '/^\.SH SEE ALSO/,/^\.SH /p' "$page" |
		sed -n 's/^\.BR \([A-Za-z0-9_.-]*\) (\([0-9]\)).*/\1.\2/p'); do
		[ -e "$prefix/share/man/man${ref##*.}/$ref" ] ||
			missing="$missing $(basename "$page"):$ref"
	done
	if sed -n '/^\.SH SEE ALSO/,/^\.SH /p' "$page" | grep -q 'docs/'; then
		missing="$missing $(basename "$page"):docs/"
	fi
done
if [ -z "$missing" ]; then
	ok "SEE ALSO names installed pages only"
else
	bad "SEE ALSO names installed pages only" "$missing"
fi

# ---- shell completions ------------------------------------------------------

# The installed bash completion, driving the installed scorer (finding ids
# come from `scorer explain --list` and the prefix's rules).
out=$(cd / && env -u SCORER_RULES_DIR bash -c 'source "$1"
	COMP_WORDS=("$2" explain mx.); COMP_CWORD=2; _scorer
	echo "${COMPREPLY[*]}"' bash \
	"$prefix/share/bash-completion/completions/scorer" "$prefix/bin/scorer" 2>&1)
if [ "$out" = "mx.dangling mx.private_address" ]; then
	ok "bash completion of the install"
else
	bad "bash completion of the install" "got '$out'"
fi
if command -v zsh >/dev/null; then
	if zsh -n "$prefix/share/zsh/site-functions/_scorer"; then
		ok "zsh completion of the install parses"
	else
		bad "zsh completion of the install parses" "zsh -n failed"
	fi
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
