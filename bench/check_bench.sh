#!/usr/bin/env bash
# One-address check of a healthy lab domain, everything on loopback: DNS
# (Knot), the STARTTLS probe (Postfix) and the MTA-STS policy fetch
# (nginx).  Prints figures; asserts nothing (`make bench-check`).
#
#   bench/check_bench.sh [SCORER] [RUNS]
#
# Two figures per run: the wall time of the whole `scorer check` process
# (start-up, reading the rules and the 146,000-name disposable list
# included), and the check itself as the report measures it (elapsed_ms:
# from submitting the address to the report).
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
SCORER=${1:-$TOP/build/scorer}
RUNS=${2:-20}
ADDRESS=ceo@northwind.test

WORK=$(mktemp -d "${TMPDIR:-/tmp}/scorer-bench.XXXXXX") || exit 1
trap '"$TOP/tests/lab/world.sh" stop "$WORK/world"; rm -rf "$WORK"' EXIT
"$TOP/tests/lab/world.sh" start "$WORK/world" || exit 1
mapfile -t args <"$WORK/world/args"

# One run first, to check the world is healthy: MTA-STS and STARTTLS
# must both have been exercised for real.
"$SCORER" check --json --rules "$TOP/rules" "${args[@]}" "$ADDRESS" \
    >"$WORK/first.json"
if ! jq -e '.verdict == "secure" and (.findings | length == 0) and
    .checks.mta_sts.policy.mode == "enforce"' "$WORK/first.json" >/dev/null; then
	echo "check_bench.sh: $ADDRESS is not a healthy A+ check here:" >&2
	jq -c '{verdict, grade, findings: [.findings[].id]}' "$WORK/first.json" >&2
	exit 1
fi

: >"$WORK/wall" && : >"$WORK/check"
for _ in $(seq "$RUNS"); do
	t0=$(date +%s%N)
	"$SCORER" check --json --rules "$TOP/rules" "${args[@]}" "$ADDRESS" \
	    >"$WORK/out.json"
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000)) >>"$WORK/wall"
	jq -r .elapsed_ms "$WORK/out.json" >>"$WORK/check"
done

stats() { # min median max of a column of numbers
	sort -n "$1" | awk '{ v[NR] = $1 } END {
		printf "min %s, median %s, max %s", v[1], v[int((NR + 1) / 2)], v[NR] }'
}
echo "one-address check of $ADDRESS (DNS + STARTTLS + MTA-STS fetch), $RUNS runs"
echo "  the check (report elapsed_ms):        $(stats "$WORK/check") ms"
echo "  the whole process (wall, microseconds): $(stats "$WORK/wall") us"
echo "  lookups per check: $(jq '.records | length' "$WORK/first.json")"
