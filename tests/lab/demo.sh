#!/usr/bin/env bash
# `make demo`: the built-in demo world.  Starts the lab (Knot DNS, the lab
# CA, nginx for MTA-STS policies, Postfix for STARTTLS), checks the
# addresses of demo-addresses.txt with the CLI against it, prints the
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
	"$HERE/world.sh" stop "$WORK/world"
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"$HERE/world.sh" start "$WORK/world" || exit 1
# shellcheck source=/dev/null
. "$WORK/world/world.env"
mapfile -t lab_args <"$WORK/world/args"

addresses=()
while IFS= read -r line; do
	line=${line%%#*}
	line=${line#"${line%%[![:space:]]*}"}
	line=${line%"${line##*[![:space:]]}"}
	[ -n "$line" ] && addresses+=("$line")
done <"$ADDRESSES"

echo "Demo world: lab DNS (Knot) on $LAB_DNS, ${#addresses[@]} addresses" \
    "from ${ADDRESSES#"$TOP"/}"
echo "Loopback MX hosts count as routable here (--allow-loopback);" \
    "STARTTLS and MTA-STS are probed on the lab's own servers."
echo
rules=()
[ -d "$RULES" ] && rules=(--rules "$RULES")
# As a service would check its users: each address was set as a recovery
# address some time ago (here 800 days before today, for every one), so
# a domain registered since then shows as re-registered.
enrolled=$(date -u -d '-800 days' +%F)
timeout --foreground -k 5 120 "$CLI" check "${rules[@]}" "${lab_args[@]}" \
    --enrolled "$enrolled" "$@" "${addresses[@]}"
rc=$?
case $rc in
0 | 1 | 2) ;; # all secure, some insecure, some not assessable: all fine
124 | 137) echo "demo.sh: the CLI timed out" >&2; exit 1 ;;
*) echo "demo.sh: the CLI failed (exit status $rc)" >&2; exit 1 ;;
esac
exit 0
