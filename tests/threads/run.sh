#!/usr/bin/env bash
# Thread safety under ThreadSanitizer: start the lab, run the thread test
# (tests/threads/threads.c, built with the library's sources and
# -fsanitize=thread by `make threadcheck`), and fail on any TSan report or
# wrong verdict.
#
#   TSAN_BIN=build/tsan/threads tests/threads/run.sh
#
# Prints the test's lines, then "N passed, N failed" as the last line.
set -u

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
bin=${TSAN_BIN:-$top/build/tsan/threads}
lab=$top/tests/lab/lab.sh
supp=$top/tests/threads/tsan.supp
limit=180 # seconds for the whole test; TSan slows code 5-15 times
pass=0
fail=0

work=$(mktemp -d "${TMPDIR:-/tmp}/scorer-threads.XXXXXX") || exit 1
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	"$lab" stop "$work/lab"
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

finish() {
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
	exit
}

if [ ! -x "$bin" ]; then
	echo "FAIL build: no thread test at $bin (make threadcheck builds it)"
	fail=$((fail + 1))
	finish
fi
if ! "$lab" start "$work/lab" 2>"$work/lab.err"; then
	cat "$work/lab.err"
	echo "FAIL lab: the lab did not start"
	fail=$((fail + 1))
	finish
fi
# shellcheck source=/dev/null
. "$work/lab/env"

# halt_on_error: the first report ends the run with exit status 66, so
# that a race cannot hide behind a passing verdict.  The suppressions
# file lists only reports investigated and found to be false positives,
# each with its reason.
opts="halt_on_error=1 exitcode=66 second_deadlock_stack=1"
if [ -s "$supp" ]; then
	opts="$opts suppressions=$supp"
fi
TSAN_OPTIONS="$opts" timeout -k 5 "$limit" "$bin" "$LAB_DNS" \
	"$top/rules" >"$work/out" 2>"$work/err"
rc=$?
cat "$work/out"
pass=$(grep -c '^ok ' "$work/out")
fail=$(grep -c '^FAIL ' "$work/out")
case $rc in
0) ;;
66)
	cat "$work/err"
	echo "FAIL tsan: ThreadSanitizer reported a problem (above)"
	fail=$((fail + 1))
	;;
124 | 137)
	echo "FAIL timeout: the thread test ran over ${limit}s"
	fail=$((fail + 1))
	;;
*)
	cat "$work/err"
	if [ "$fail" -eq 0 ]; then
		echo "FAIL exit: the thread test exited with $rc"
		fail=$((fail + 1))
	fi
	;;
esac
if [ "$rc" -eq 0 ] && [ -s "$work/err" ]; then
	# TSan prints warnings it does not count as errors (e.g. about
	# the mapping); show them, do not fail on them.
	sed 's/^/stderr: /' "$work/err"
fi
finish
