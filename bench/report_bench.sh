#!/usr/bin/env bash
# The size of batch records and the time `scorer report` takes, on a
# million-line run: `scorer batch` over BENCH_USERS (1,000,000) Zipf-skewed
# addresses of the generated world of bench/genworld.py (10,000 domains,
# served by the Knot lab), DNS-only as bench/batch_bench.sh runs it, once
# writing compact records (the default) and once with --evidence; then
# `scorer report` (and `scorer diff` of the run against itself) on each.
# With BENCH_BEFORE=/path/to/an/older/scorer, the same with that binary,
# for a before/after.  Figures are printed, nothing is asserted.
# docs/bench.md.
#
#   bench/report_bench.sh            (make bench-report)
#
# Environment: SCORER (build/scorer), RULES (rules/), BENCH_DIR
# (build/bench/report), BENCH_USERS (1000000), BENCH_DOMAINS (10000),
# BENCH_BEFORE (unset).  Needs knotd/knotc, python3, GNU time.  The
# --evidence output of a million lines takes about 4 GB of disk; it is
# deleted at the end.
set -u

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SCORER=${SCORER:-$TOP/build/scorer}
RULES=${RULES:-$TOP/rules}
LAB=$TOP/tests/lab/lab.sh
W=${BENCH_DIR:-$TOP/build/bench/report}
NUSERS=${BENCH_USERS:-1000000}
NDOM=${BENCH_DOMAINS:-10000}
GNUTIME=/usr/bin/time

die() {
	echo "report_bench: $*" >&2
	exit 1
}
[ -x "$SCORER" ] || die "no $SCORER (make first)"
[ -x "$GNUTIME" ] || die "GNU time is missing: apt-get install time"
mkdir -p "$W" || die "cannot create $W"
W=$(cd "$W" && pwd)
cleanup() {
	"$LAB" stop "$W/lab" 2>/dev/null
	rm -f "$W"/*.jsonl "$W"/*.html
}
trap cleanup EXIT
trap 'exit 130' INT TERM

WORLD=$W/world-$NDOM-$NUSERS
if [ ! -s "$WORLD/users-$NUSERS.txt" ]; then
	rm -rf "$WORLD"
	python3 "$TOP/bench/genworld.py" --domains "$NDOM" --layout big \
	    --users "$NUSERS" "$WORLD" >/dev/null || die "genworld.py failed"
fi
"$LAB" stop "$W/lab"
# shellcheck source=bench/lab_world.sh
. "$TOP/bench/lab_world.sh"
lab_world_start "$WORLD/zones" "$W/lab" >/dev/null || die "no lab"
# shellcheck source=/dev/null
. "$W/lab/env"
# shellcheck disable=SC2054 # the commas are --skip's
ARGS=(--resolver "$LAB_DNS" --rules "$RULES" --allow-loopback --quiet
	--skip starttls,mta_sts,breach)
echo "== $NUSERS addresses over $NDOM domains, DNS-only, $(nproc) CPUs," \
    "load $(cut -d' ' -f1 /proc/loadavg)"

# one NAME SCORER [BATCH OPTIONS]: batch, then report (and diff) of it.
one() {
	local name=$1 bin=$2 bytes lines med
	shift 2
	"$GNUTIME" -f '%e %M' -o "$W/$name.batch.t" "$bin" batch "${ARGS[@]}" \
	    "$@" --input "$WORLD/users-$NUSERS.txt" --output "$W/$name.jsonl" ||
	    die "batch $name failed"
	bytes=$(stat -c %s "$W/$name.jsonl")
	lines=$(wc -l <"$W/$name.jsonl")
	med=$(awk 'NR % 100 == 1 { print length($0) + 1 }' "$W/$name.jsonl" |
	    sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
	"$GNUTIME" -f '%e %M' -o "$W/$name.report.t" "$bin" report \
	    --output "$W/$name.html" "$W/$name.jsonl" || die "report $name failed"
	printf '%-10s %9d records, %6.0f bytes a record (median %s), %6.0f MB;' \
	    "$name" "$lines" "$(echo "$bytes / $lines" | bc -l)" "$med" \
	    "$(echo "$bytes / 1000000" | bc -l)"
	read -r e m <"$W/$name.batch.t"
	printf ' batch %.1f s;' "$e"
	read -r e m <"$W/$name.report.t"
	printf ' report %.1f s, %d MB peak\n' "$e" $((m / 1024))
	if "$bin" diff --help >/dev/null 2>&1; then
		"$GNUTIME" -f '%e %M' -o "$W/$name.diff.t" "$bin" diff \
		    "$W/$name.jsonl" "$W/$name.jsonl" >/dev/null
		read -r e m <"$W/$name.diff.t"
		printf '%-10s diff of the run against itself: %.1f s, %d MB peak\n' \
		    "" "$e" $((m / 1024))
	fi
	rm -f "$W/$name.jsonl"
}

if [ -n "${BENCH_BEFORE:-}" ]; then
	one before "$BENCH_BEFORE"
fi
one compact "$SCORER"
one evidence "$SCORER" --evidence
