#!/usr/bin/env bash
# The example programs as an integrator meets them: `make install` into a
# temporary prefix, build examples/ with that prefix's pkg-config file
# alone, start the lab, and run each example against lab addresses.
#
#   BUILD=build tests/examples/run.sh
#
# Prints "ok NAME" or "FAIL NAME: why", then "N passed, N failed".
set -u

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
lab=$top/tests/lab/lab.sh
limit=30 # seconds per example run
pass=0
fail=0

work=$(mktemp -d "${TMPDIR:-/tmp}/scorer-examples.XXXXXX") || exit 1
prefix=$work/prefix
bin=$work/bin
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	"$lab" stop "$work/lab"
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ok() {
	echo "ok $1"
	pass=$((pass + 1))
}
bad() {
	echo "FAIL $1: $2"
	fail=$((fail + 1))
}
finish() {
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
	exit
}

# ---- install and build as an outsider -------------------------------------

if ! make -s -C "$top" install PREFIX="$prefix" BUILD="${BUILD:-build}" \
	>"$work/install.log" 2>&1; then
	cat "$work/install.log"
	bad install "make install failed"
	finish
fi
ok install
for page in sc_check.3 sc_check_async.3 sc_perform.3 sc_ctx_new.3 \
	sc_ctx_set_event_callbacks.3 sc_socket_action.3 libscorer.3; do
	if [ -e "$prefix/share/man/man3/$page" ]; then
		ok "installed man3/$page"
	else
		bad "installed man3/$page" "missing"
	fi
done
if command -v man >/dev/null; then
	if MANPATH=$prefix/share/man man sc_socket_action 2>/dev/null |
		grep -q "SC_POLL_REMOVE"; then
		ok "man sc_socket_action"
	else
		bad "man sc_socket_action" "does not render from the prefix"
	fi
fi

# Nothing of this tree's make leaks in: only PKG_CONFIG_PATH is set.
if env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
	PKG_CONFIG_PATH="$prefix/lib/pkgconfig" \
	make -C "$top/examples" O="$bin" >"$work/build.log" 2>&1; then
	if grep -q 'warning:' "$work/build.log"; then
		cat "$work/build.log"
		bad "build examples" "compiler warnings"
	else
		ok "build examples with pkg-config"
	fi
else
	cat "$work/build.log"
	bad "build examples" "make -C examples failed"
	finish
fi

# ---- run them against the lab ---------------------------------------------

if ! "$lab" start "$work/lab" 2>"$work/lab.err"; then
	cat "$work/lab.err"
	bad lab "the lab did not start"
	finish
fi
# shellcheck source=/dev/null
. "$work/lab/env"
# No --rules: the library finds the prefix's own rules beside itself.
unset SCORER_RULES_DIR
opts=(--resolver "$LAB_DNS" --allow-loopback --ns-port "$LAB_PORT")

# run PROG ARGS...: stdout in $work/out, stderr in $work/err, status in rc.
run() {
	local prog=$1
	shift
	timeout -k 5 "$limit" "$bin/$prog" "$@" >"$work/out" 2>"$work/err"
	rc=$?
}

# expect NAME RC LINE...: the exit status is RC and every LINE (an
# extended regular expression for a whole line) is in the output.
expect() {
	local name=$1 want=$2 line
	shift 2
	if [ "$rc" != "$want" ]; then
		bad "$name" "exit status $rc, want $want; output: $(cat "$work/out" "$work/err")"
		return
	fi
	for line in "$@"; do
		if ! grep -Eq "^$line\$" "$work/out"; then
			bad "$name" "no line '$line' in: $(cat "$work/out")"
			return
		fi
	done
	ok "$name"
}

# good.test publishes no MTA-STS or DANE: reset mail to it can be read on
# the way, which the default threat model rates insecure (grade D).
good='alice@good\.test insecure D [0-9]+'
insecure='erin@expired-startup\.test insecure F [0-9]+'
nxdomain='  critical domain\.nxdomain: .*'
# An address that could not be assessed has no grade and no score.
invalid='not-an-address error - -1'
invalid_why='  high address\.invalid: .*'

run blocking "${opts[@]}" alice@good.test
expect "blocking: good.test is insecure (interception)" 1 "$good"
run blocking "${opts[@]}" erin@expired-startup.test
expect "blocking: expired-startup.test is insecure" 1 "$insecure" "$nxdomain"
run blocking "${opts[@]}" not-an-address
expect "blocking: an invalid address is an error" 2 "$invalid" "$invalid_why"
run blocking
expect "blocking: usage" 2
run blocking --rules "$work/no-such-dir" alice@good.test
if [ "$rc" = 2 ] && grep -q 'no-such-dir' "$work/err"; then
	ok "blocking: a bad rules dir is reported with sc_ctx_errmsg()"
else
	bad "blocking: bad rules dir" "exit $rc: $(cat "$work/err")"
fi

for prog in async libuv; do
	run "$prog" "${opts[@]}" alice@good.test erin@expired-startup.test \
		not-an-address bob@good.test
	expect "$prog: four addresses at once" 2 "$good" "$insecure" \
		"$nxdomain" "$invalid" "$invalid_why" \
		'bob@good\.test insecure D [0-9]+'
	n=$(grep -c '^[^ ]' "$work/out")
	if [ "$n" = 4 ]; then
		ok "$prog: one report per address"
	else
		bad "$prog: one report per address" "$n reports"
	fi
	run "$prog" "${opts[@]}" alice@good.test
	expect "$prog: good.test alone" 1 "$good"
	# Only a report that is ready at once: no socket and no timer
	# would otherwise wake an outside loop for it.
	run "$prog" "${opts[@]}" not-an-address
	expect "$prog: an invalid address alone" 2 "$invalid"
	run "$prog" "${opts[@]}"
	expect "$prog: usage" 2
done

# libuv checks at exit that every socket was given back (uv_loop_close).
# (No HTTPS server here: northwind.test's MTA-STS policy would be "could
# not verify", exit 2.)
run libuv "${opts[@]}" a@good.test b@expired-startup.test c@nullmx.test
if [ "$rc" = 1 ] && ! grep -q 'left' "$work/err"; then
	ok "libuv: every watched socket released"
else
	bad "libuv: every watched socket released" \
		"exit $rc: $(cat "$work/err")"
fi

finish
