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
	"$HERE/postfix.sh" stop "$WORK/postfix"
	"$HERE/nginx.sh" stop "$WORK/nginx"
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
lab_args=(--resolver "$LAB_DNS" --allow-loopback)

# The policy hosts (nginx) and a real mail server (Postfix) for the sound
# domains, with certificates of the lab CA.  Without them the demo still
# runs, and the probes say they could not connect.
start_servers() {
	local pki=$WORK/pki
	"$HERE/mta-sts/setup.sh" "$pki" &&
	    "$HERE/nginx.sh" start "$WORK/nginx" "$pki" || return 1
	# shellcheck source=/dev/null
	. "$WORK/nginx/nginx.env"
	lab_args+=(--https-port "$NGINX_PORT" --ca-file "$pki/ca.pem")
	"$HERE/pki.sh" leaf "$pki" mx1.good.test mx2.good.test mx.xn--bcher-kva.test \
	    mx1.northwind.test mx2.northwind.test &&
	    "$HERE/postfix.sh" start "$WORK/postfix" "$pki/mx1.good.test.pem" \
	        "$pki/mx1.good.test.key" 127.0.0.10 127.0.0.11 127.0.0.61 \
	        127.0.0.62 127.0.0.50 ::1 || return 1
	# shellcheck source=/dev/null
	. "$WORK/postfix/postfix.env"
	lab_args+=(--smtp-port "$SMTP_PORT")
}
if ! start_servers >"$WORK/servers.log" 2>&1; then
	echo "demo.sh: nginx or Postfix did not start (Postfix needs root);" \
	    "the STARTTLS and MTA-STS parts of the demo will be unverified" >&2
fi

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
timeout --foreground -k 5 120 "$CLI" check "${rules[@]}" "${lab_args[@]}" \
    "$@" "${addresses[@]}"
rc=$?
case $rc in
0 | 1 | 2) ;; # all secure, some insecure, some not assessable: all fine
124 | 137) echo "demo.sh: the CLI timed out" >&2; exit 1 ;;
*) echo "demo.sh: the CLI failed (exit status $rc)" >&2; exit 1 ;;
esac
exit 0
