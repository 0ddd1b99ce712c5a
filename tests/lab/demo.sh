#!/usr/bin/env bash
# `make demo`: the built-in demo world.  Starts the lab DNS (lab.sh), checks
# the addresses of demo-addresses.txt with the CLI against it, prints the
# human-readable verdicts and stops the lab again.
#
#   tests/lab/demo.sh CLI_PATH [EXTRA CLI OPTIONS...]    e.g. --json
#
# The exit status is 0 whatever the verdicts are (the demo shows insecure
# addresses on purpose); it is non-zero only when the lab cannot start or
# the CLI cannot be run.
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
ADDRESSES=${DEMO_ADDRESSES:-$HERE/demo-addresses.txt}
RULES=${RULES:-$TOP/rules}

if [ $# -lt 1 ]; then
	echo "usage: demo.sh CLI_PATH [OPTIONS...]" >&2
	exit 2
fi
CLI=$1
shift
[ -x "$CLI" ] || {
	echo "demo.sh: $CLI is not an executable (run make)" >&2
	exit 1
}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/scorer-demo.XXXXXX") || exit 1
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	"$HERE/lab.sh" stop "$WORK/lab"
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if ! "$HERE/lab.sh" start "$WORK/lab" 2>"$WORK/lab.err"; then
	cat "$WORK/lab.err" >&2
	echo "demo.sh: the lab DNS did not start" >&2
	exit 1
fi
# shellcheck source=/dev/null
. "$WORK/lab/env"

addresses=()
while IFS= read -r line; do
	line=${line%%#*}
	line=${line#"${line%%[![:space:]]*}"}
	line=${line%"${line##*[![:space:]]}"}
	[ -n "$line" ] && addresses+=("$line")
done <"$ADDRESSES"

echo "Demo world: lab DNS (Knot) on $LAB_DNS, ${#addresses[@]} addresses" \
    "from ${ADDRESSES#"$TOP"/}"
echo "Loopback MX hosts count as routable here (--allow-loopback)."
echo
rules=()
[ -d "$RULES" ] && rules=(--rules "$RULES")
timeout --foreground -k 5 120 "$CLI" check "${rules[@]}" --resolver "$LAB_DNS" \
    --allow-loopback "$@" "${addresses[@]}"
rc=$?
case $rc in
0 | 1 | 2) ;; # all secure, some insecure, some not assessable: all fine
124 | 137) echo "demo.sh: the CLI timed out" >&2; exit 1 ;;
*) echo "demo.sh: the CLI failed (exit status $rc)" >&2; exit 1 ;;
esac
exit 0
