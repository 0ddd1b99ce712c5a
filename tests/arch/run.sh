#!/usr/bin/env bash
# The architecture, checked (docs/architecture.md):
#   - the CLI (scorer/tool/) includes scorer.h, its own headers and system
#     headers only (the Makefile also compiles it with -Iinclude alone);
#   - the core (ctx.c, engine.c, report.c, json.c, score.c) names no
#     check: no symbol any file of scorer/checks/ defines, and no check
#     header;
#   - the checks are a file each under scorer/checks/, and each is in the
#     registry (checks.c) and declared in checks.h.
#
#   BUILD=build tests/arch/run.sh
#
# Prints "ok NAME" or "FAIL NAME: why", then "N passed, N failed".
set -u

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${BUILD:-build}
case $build in /*) ;; *) build=$top/$build ;; esac
pass=0
fail=0

ok() {
	echo "ok $1"
	pass=$((pass + 1))
}
bad() {
	echo "FAIL $1: $2"
	fail=$((fail + 1))
}

cd "$top" || exit 1

# ---- the CLI sees the public API alone -------------------------------------

own=$(cd scorer/tool && ls -- *.h 2>/dev/null | tr '\n' ' ')
why=""
for f in scorer/tool/*.c scorer/tool/*.h; do
	while IFS= read -r inc; do
		h=${inc#*\"}
		h=${h%\"*}
		case " scorer.h $own " in
		*" $h "*) ;;
		*) why="$why $f: \"$h\";" ;;
		esac
	done < <(grep -E '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f")
done
if [ -z "$why" ]; then
	ok "scorer/tool includes scorer.h, its own and system headers only"
else
	bad "scorer/tool includes only the public API" "$why"
fi

# ---- the core names no check -----------------------------------------------

core="scorer/ctx.c scorer/engine.c scorer/report.c scorer/json.c scorer/score.c"
objs=()
for f in scorer/checks/*.c; do
	o=$build/obj/${f%.c}.o
	[ -f "$o" ] || { bad "check objects" "no $o (run make)"; break; }
	objs+=("$o")
done
if [ "${#objs[@]}" -gt 0 ]; then
	# Every global symbol a check file defines: its table, its helpers.
	nm --defined-only "${objs[@]}" 2>/dev/null |
	    awk 'NF == 3 && $2 ~ /^[TDRB]$/ {print $3}' | sort -u >"$build/arch.syms"
	named=""
	while IFS= read -r sym; do
		hits=$(grep -lw -- "$sym" $core 2>/dev/null | tr '\n' ' ')
		[ -n "$hits" ] && named="$named $sym ($hits)"
	done <"$build/arch.syms"
	n=$(wc -l <"$build/arch.syms")
	if [ "$n" -lt 13 ]; then
		bad "core names no check" "only $n symbols read from the checks"
	elif [ -n "$named" ]; then
		bad "core names no check" "$named"
	else
		ok "core (ctx, engine, report, json, score) names none of the $n symbols of scorer/checks"
	fi
fi
hdrs=$(cd scorer/checks && ls -- *.h 2>/dev/null | tr '\n' ' ')
why=""
for f in $core scorer/engine.h scorer/report.h; do
	for h in checks.h $hdrs; do
		grep -q "#include \"$h\"" "$f" && why="$why $f: $h;"
	done
done
if [ -z "$why" ]; then
	ok "core includes no check header"
else
	bad "core includes no check header" "$why"
fi

# ---- a file per check, each registered --------------------------------------

why=""
for f in scorer/checks/*.c; do
	name=$(sed -n 's/^const struct sc_check sc_check_\([a-z_]*\) = {$/\1/p' "$f")
	if [ -z "$name" ]; then
		why="$why $f defines no check table;"
		continue
	fi
	grep -q "&sc_check_$name," scorer/checks.c ||
	    why="$why sc_check_$name not in checks.c;"
	grep -q "extern const struct sc_check sc_check_$name;" scorer/checks.h ||
	    why="$why sc_check_$name not in checks.h;"
done
if [ -z "$why" ]; then
	ok "every file of scorer/checks is a check in the registry"
else
	bad "every file of scorer/checks is a registered check" "$why"
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
