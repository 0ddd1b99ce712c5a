#!/usr/bin/env bash
# Do two builds of scorer give the same reports?  For a change that must
# not change behaviour (a refactoring): the demo world (tests/lab/world.sh:
# Knot, nginx, Postfix; every demo address) and the 10,000 domains of the
# batch benchmark's world (bench/genworld.py on a Knot lab, DNS only), each
# checked by both builds with the same options, one JSON Lines record an
# address (the whole report: --evidence, for a build that has it),
# compared byte for byte once the fields that measure time (every
# elapsed_ms: the report's, each lookup's, each probe's; the record's
# "checked") are 0.
#
#   bench/same_output.sh OLD_SCORER NEW_SCORER
#
# Prints the number of records compared and "same" or the first
# differences; exit status 0 when both worlds give the same bytes.
# BENCH_DOMAINS (10000) sets the size of the second world.
set -u

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OLD=${1:?usage: same_output.sh OLD_SCORER NEW_SCORER}
NEW=${2:?usage: same_output.sh OLD_SCORER NEW_SCORER}
RULES=$TOP/rules
NDOM=${BENCH_DOMAINS:-10000}
W=$(mktemp -d "${TMPDIR:-/tmp}/scorer-same.XXXXXX") || exit 1
cleanup() {
	"$TOP/tests/lab/world.sh" stop "$W/world" >/dev/null 2>&1
	"$TOP/tests/lab/lab.sh" stop "$W/lab" >/dev/null 2>&1
	rm -rf "$W"
}
trap cleanup EXIT
rc=0

# mask FILE: every time field zeroed (the report's, each lookup's, each
# probe's), as jq writes compact JSON.
mask() {
	jq -c 'walk(if type == "object" and has("elapsed_ms")
	            then .elapsed_ms = 0 else . end) | del(.checked)' "$1"
}

# evidence BIN: the option that makes BIN write whole reports (batch
# writes compact records by default since --evidence exists).
evidence() {
	"$1" batch --help 2>/dev/null | grep -q -- '--evidence' &&
	    echo --evidence
}

# compare NAME: $W/NAME.old.jsonl against $W/NAME.new.jsonl
compare() {
	local name=$1 n
	mask "$W/$name.old.jsonl" >"$W/$name.old.masked" || return 1
	mask "$W/$name.new.jsonl" >"$W/$name.new.masked" || return 1
	n=$(wc -l <"$W/$name.old.masked")
	if cmp -s "$W/$name.old.masked" "$W/$name.new.masked"; then
		echo "$name: $n records, same bytes"
	else
		echo "$name: $n records, DIFFERENT:"
		diff "$W/$name.old.masked" "$W/$name.new.masked" | head -c 3000
		rc=1
	fi
}

# ---- the demo world ----------------------------------------------------
"$TOP/tests/lab/world.sh" start "$W/world" >"$W/world.out" 2>&1 || {
	cat "$W/world.out" >&2
	exit 2
}
mapfile -t world_args <"$W/world/args"
sed -e 's/#.*//' -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' \
    "$TOP/tests/lab/demo-addresses.txt" | grep -v '^$' >"$W/demo.in"
for v in old new; do
	bin=$OLD
	[ "$v" = new ] && bin=$NEW
	# shellcheck disable=SC2046 # the option, or nothing
	"$bin" batch --rules "$RULES" "${world_args[@]}" --quiet \
	    --concurrency 1 --input "$W/demo.in" --output "$W/demo.$v.jsonl" \
	    $(evidence "$bin")
done
compare demo
"$TOP/tests/lab/world.sh" stop "$W/world" >/dev/null 2>&1

# ---- the batch benchmark's world (DNS only, as its run 1) ---------------
python3 "$TOP/bench/genworld.py" --domains "$NDOM" --layout big \
    --users 1000 "$W/bench" >/dev/null || exit 2
# shellcheck source=bench/lab_world.sh
. "$TOP/bench/lab_world.sh"
lab_world_start "$W/bench/zones" "$W/lab" || exit 2
# shellcheck source=/dev/null
. "$W/lab/env"
for v in old new; do
	bin=$OLD
	[ "$v" = new ] && bin=$NEW
	# shellcheck disable=SC2046 # the option, or nothing
	"$bin" batch --rules "$RULES" --resolver "$LAB_DNS" --allow-loopback \
	    --quiet --skip starttls,mta_sts,breach --timeout 30 \
	    --concurrency 200 --input "$W/bench/addr-domains.txt" \
	    --output "$W/bench.$v.jsonl" $(evidence "$bin")
done
compare bench
exit "$rc"
