#!/usr/bin/env bash
# Peer figure for the batch benchmark (docs/bench.md): the npm package
# mailauth (Postal Systems) doing per domain what a recovery-address check
# needs (MX, SPF evaluation, DMARC record, MTA-STS TXT record) over the same
# Knot lab as `scorer batch`, timed like scorer: domains/s, CPU time
# (user+sys) per domain, peak RSS.  Prints one line; asserts nothing.
#
#   bench/mailauth_peer.sh DNS_HOST DNS_PORT DOMAINS_FILE [CONCURRENCY]
#
# DOMAINS_FILE: one domain or address a line (addresses are cut to their
# domain).  CONCURRENCY: domains in flight (1000, like --concurrency).
# What is looked up and how: bench/mailauth_peer.mjs.
#
# mailauth's version is pinned in bench/mailauth/package.json (and its
# package-lock.json); both are copied to MAILAUTH_DIR (build/bench/mailauth)
# and installed there with npm, never in the source tree.  A second run
# with the same files does not ask the registry again.
#
# Environment: MAILAUTH_DIR (build/bench/mailauth), NODE (node), NPM (npm),
# MAILAUTH_MTA_STS (txt; "policy": getPolicy(), TXT + A + HTTPS),
# MAILAUTH_DNS_TIMEOUT_MS / MAILAUTH_DNS_TRIES (the Resolver's; node's
# defaults otherwise), MAILAUTH_PEER_TRACE (FILE: one JSON line a domain).
#
# Needs: node >= 20.18.1 (mailauth 4.13.3's engines; mailauth 5 and later
# need node 22.19), npm, GNU time (/usr/bin/time, package time), awk.
set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SRC=$TOP/bench/mailauth
DIR=${MAILAUTH_DIR:-$TOP/build/bench/mailauth}
NODE=${NODE:-node}
NPM=${NPM:-npm}
GNUTIME=/usr/bin/time

die() {
	echo "mailauth_peer: $*" >&2
	exit 1
}

if [ $# -lt 3 ] || [ $# -gt 4 ]; then
	die "usage: $0 DNS_HOST DNS_PORT DOMAINS_FILE [CONCURRENCY]"
fi
HOST=$1
PORT=$2
FILE=$3
CONC=${4:-1000}
[ -r "$FILE" ] || die "cannot read $FILE"
case $PORT in '' | *[!0-9]*) die "bad port $PORT" ;; esac
case $CONC in '' | *[!0-9]* | 0) die "bad concurrency $CONC" ;; esac

command -v "$NODE" >/dev/null 2>&1 || die "no $NODE (apt-get install nodejs)"
command -v "$NPM" >/dev/null 2>&1 || die "no $NPM (apt-get install npm)"
[ -x "$GNUTIME" ] || die "no $GNUTIME (apt-get install time)"
"$NODE" -e '
	const [a, b, c] = process.versions.node.split(".").map(Number);
	process.exit(a > 20 || (a === 20 && (b > 18 || (b === 18 && c >= 1))) ? 0 : 1);' ||
    die "node $("$NODE" --version) is too old for the pinned mailauth (>= 20.18.1)"

# Install (or reuse) mailauth under DIR.
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
FILE=$(cd "$(dirname "$FILE")" && pwd)/$(basename "$FILE")
fresh=1
cmp -s "$SRC/package.json" "$DIR/package.json" || fresh=0
if [ -f "$SRC/package-lock.json" ]; then
	cmp -s "$SRC/package-lock.json" "$DIR/package-lock.json" || fresh=0
fi
want=$("$NODE" -p 'require(process.argv[1]).dependencies.mailauth' \
    "$SRC/package.json")
have=$("$NODE" -p 'require(process.argv[1]).version' \
    "$DIR/node_modules/mailauth/package.json" 2>/dev/null || true)
[ "$have" = "$want" ] || fresh=0
if [ "$fresh" = 0 ]; then
	echo "mailauth_peer: installing mailauth $want in $DIR" >&2
	cp "$SRC/package.json" "$DIR/package.json"
	if [ -f "$SRC/package-lock.json" ]; then
		cp "$SRC/package-lock.json" "$DIR/package-lock.json"
		(cd "$DIR" && "$NPM" ci --no-audit --no-fund --loglevel=error) >&2 ||
		    die "npm ci failed in $DIR"
	else
		rm -f "$DIR/package-lock.json"
		(cd "$DIR" && "$NPM" install --no-audit --no-fund \
		    --loglevel=error) >&2 || die "npm install failed in $DIR"
	fi
fi

# The run, under GNU time (wall, user, sys, peak RSS of the node process).
OUT=$DIR/last-run.out
TIMES=$DIR/last-run.time
if ! "$GNUTIME" -f '%e %U %S %M' -o "$TIMES" \
    "$NODE" "$TOP/bench/mailauth_peer.mjs" "$DIR" "$HOST" "$PORT" "$FILE" \
    "$CONC" >"$OUT"; then
	die "the node script failed (output: $OUT)"
fi

field() { sed -n "s/^$1 //p" "$OUT"; }
version=$(field version)
n=$(field domains)
lookups=$(field lookups)
case $n in '' | *[!0-9]* | 0) die "no domains counted (output: $OUT)" ;; esac
read -r wall user sys rss_kb < <(tail -n 1 "$TIMES")

awk -v ver="$version" -v n="$n" -v e="$wall" -v u="$user" -v s="$sys" \
    -v m="$rss_kb" -v l="$lookups" 'BEGIN {
	dps = (e > 0) ? n / e : 0
	printf "mailauth %s: %d domains in %.2f s = %.0f domains/s; CPU (user+sys) %.0f µs a domain; peak RSS %.0f MB; lookups: %s\n",
	    ver, n, e, dps, (u + s) / n * 1e6, m / 1024, l
}'
