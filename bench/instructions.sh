#!/usr/bin/env bash
# Instructions a domain, counted by callgrind (which the machine's load
# does not blur, unlike time): a DNS-only batch (as run 1 of
# batch_bench.sh: --skip starttls,mta_sts,breach) over N domains of the
# batch benchmark's world, minus a one-address run for the start-up, for
# one build or for two side by side (before and after a change).
#
#   bench/instructions.sh SCORER [OTHER_SCORER]
#
# Environment: BENCH_DOMAINS (1000); BENCH_EXTRA, more options for every
# run (BENCH_EXTRA="--skip ns,rdap" for the figure without the checks of
# issue 15; an older build may not know --ns-port: BENCH_NS_PORT=0 leaves
# it out); BENCH_KEEP, a directory that keeps callgrind's files
# (addr-domains.txt.N.cg, one.txt.N.cg for the Nth build) for
# callgrind_annotate.  Needs valgrind, knotd, python3.
set -u

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NDOM=${BENCH_DOMAINS:-1000}
W=$(mktemp -d "${TMPDIR:-/tmp}/scorer-ir.XXXXXX") || exit 1
trap '"$TOP/tests/lab/lab.sh" stop "$W/lab" >/dev/null 2>&1; rm -rf "$W"' EXIT

python3 "$TOP/bench/genworld.py" --domains "$NDOM" --layout big \
    --users 1000 "$W/world" >/dev/null || exit 2
# shellcheck source=bench/lab_world.sh
. "$TOP/bench/lab_world.sh"
lab_world_start "$W/world/zones" "$W/lab" || exit 2
# shellcheck source=/dev/null
. "$W/lab/env"
head -n 1 "$W/world/addr-domains.txt" >"$W/one.txt"

# ir SCORER INPUT: the instructions callgrind counts for one batch.
ir() {
	local ns=()

	# The ns check's direct questions go to the lab's nameserver port.
	[ "${BENCH_NS_PORT:-1}" = 0 ] || ns=(--ns-port "$LAB_PORT")
	# shellcheck disable=SC2086 # BENCH_EXTRA is a list of words on purpose
	valgrind --tool=callgrind --callgrind-out-file="$W/cg.out" \
	    "$1" batch --rules "$TOP/rules" --resolver "$LAB_DNS" \
	    --allow-loopback --quiet --skip starttls,mta_sts,breach \
	    --timeout 60 --concurrency 200 "${ns[@]}" ${BENCH_EXTRA:-} \
	    --input "$2" \
	    --output /dev/null 2>"$W/cg.err" || { cat "$W/cg.err" >&2; return 1; }
	[ -n "${BENCH_KEEP:-}" ] && cp "$W/cg.out" "$BENCH_KEEP/$(basename "$2").$3.cg"
	sed -n 's/^summary: \([0-9]*\).*/\1/p' "$W/cg.out"
}

i=0
for bin in "$@"; do
	i=$((i + 1))
	total=$(ir "$bin" "$W/world/addr-domains.txt" "$i") || exit 1
	start=$(ir "$bin" "$W/one.txt" "$i") || exit 1
	echo "$bin: $NDOM domains $total instructions, start-up $start," \
	    "$(( (total - start) / NDOM )) a domain"
done
