#!/usr/bin/env bash
# The invariants of docs/verdict.md, over every address of the demo world
# (tests/lab/demo-addresses.txt) and of the lab's end-to-end cases
# (column 2 of tests/e2e/cases*.tsv), under both threat models, checked
# on the JSON reports and on the text report of the same run:
#
#   - secure: no known finding at high or worse, no missing evidence the
#     model needs, grade A+, A or B, and the interception answer is not
#     "exposed" unless the model is remote;
#   - error: no score and no grade, and a headline;
#   - insecure: a grade, capped by the worst finding (critical F, high D
#     or F), and a headline naming the worst known finding;
#   - the score is 100 minus the points of each finding id once;
#   - in text, "SECURE" never stands above "Read on the way? yes" unless
#     the line says the model does not rate it, and "COULD NOT BE
#     ASSESSED" never beside a grade.
#
#   SCORER=build/scorer tests/e2e/invariants.sh
#
# Prints "ok NAME" or "FAIL NAME: why", then "N passed, N failed".
set -u

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SCORER=${SCORER:-$TOP/build/scorer}
RULES=${RULES:-$TOP/rules}
passed=0
failed=0

pass() {
	echo "ok $1"
	passed=$((passed + 1))
}
fail() {
	echo "FAIL $1: ${*:2}"
	failed=$((failed + 1))
}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/scorer-inv.XXXXXX") || exit 1
cleanup() {
	"$TOP/tests/lab/world.sh" stop "$WORK/world" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if ! "$TOP/tests/lab/world.sh" start "$WORK/world" >"$WORK/world.out" 2>&1
then
	cat "$WORK/world.out" >&2
	fail world "the demo world did not start"
	echo "$passed passed, $failed failed"
	exit 1
fi
mapfile -t world_args <"$WORK/world/args"

# Every address: the demo's, then the lab cases' (unique, in order).
{
	sed -e 's/#.*//' -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' \
	    "$TOP/tests/lab/demo-addresses.txt"
	cat "$TOP"/tests/e2e/cases*.tsv | grep -v '^#' | cut -f2
} | grep -v '^$' | grep -v '^EMPTY$' | awk '!seen[$0]++' >"$WORK/addresses"
n=$(wc -l <"$WORK/addresses")

# One report an address, as JSON Lines (batch --evidence: the whole
# report), to test with jq.
INV='
def known: [.findings[] | select(.unverified | not)];
def needed_missing: [.findings[] | select(.unverified and .severity != "info")];
def sev_at_least_high: .severity == "critical" or .severity == "high";
def points_once: [.findings | group_by(.id)[] | .[0].points] | add // 0;
(if .verdict == "secure" then
   (known | map(select(sev_at_least_high)) | length) == 0
   and (needed_missing | length) == 0
   and (.grade | IN("A+", "A", "B"))
   and (.interception.verdict != "exposed" or .threat_model == "remote")
 elif .verdict == "error" then
   .grade == null and .score == null and (.headline | length) > 0
 else
   .grade != null and (.headline | length) > 0
   and ((known | .[0].title // "") as $t | $h | contains($t))
   and (if any(known[]; .severity == "critical") then .grade == "F"
        elif any(known[]; .severity == "high") then .grade | IN("D", "F")
        else true end)
 end)
and (.score == null or .score == ([100 - points_once, 0] | max))
'
INV=".headline as \$h | $INV"

for model in full remote; do
	"$SCORER" batch --rules "$RULES" "${world_args[@]}" --evidence \
	    --threat-model "$model" --timeout 10 --quiet \
	    --input "$WORK/addresses" --output "$WORK/$model.jsonl" \
	    2>"$WORK/$model.err"
	got=$(wc -l <"$WORK/$model.jsonl")
	if [ "$got" != "$n" ]; then
		fail "reports-$model" "$got reports for $n addresses:" \
		    "$(head -c 300 "$WORK/$model.err")"
		continue
	fi
	pass "reports-$model"
	bad=$(jq -c "select(($INV) | not) | {address, verdict, grade, score,
	    headline, interception: .interception.verdict,
	    findings: [.findings[] | [.id, .severity, .points, .unverified]]}" \
	    "$WORK/$model.jsonl")
	if [ -n "$bad" ]; then
		fail "invariants-$model" "$(echo "$bad" | head -c 1500)"
	else
		pass "invariants-$model"
	fi
	# The model is stated in every report.
	if jq -se --arg m "$model" 'all(.threat_model == $m)' \
	    "$WORK/$model.jsonl" >/dev/null; then
		pass "model-stated-$model"
	else
		fail "model-stated-$model" "a report names another model"
	fi
	# The text report of the same addresses: the verdict line, the
	# interception line and the grade line agree.
	"$SCORER" check --rules "$RULES" "${world_args[@]}" \
	    --threat-model "$model" --timeout 10 \
	    $(cat "$WORK/addresses") >"$WORK/$model.txt" 2>/dev/null
	why=$(awk -v model="$model" '
	    /^[^ ]/ { addr = $0; verdict = ""; next }
	    /^  (SECURE|INSECURE|COULD NOT BE ASSESSED):/ {
		verdict = $1; next }
	    /^  Read on the way\? yes/ && verdict == "SECURE:" &&
	        $0 !~ /not rated: threat model remote/ {
		print addr ": SECURE beside read on the way? yes"; next }
	    /^  Grade / && verdict == "COULD" {
		print addr ": a grade beside COULD NOT BE ASSESSED"; next }
	    /^  No grade or score/ && verdict != "COULD" {
		print addr ": no grade beside " verdict }
	    ' "$WORK/$model.txt")
	if [ -n "$why" ]; then
		fail "text-$model" "$(echo "$why" | head -5)"
	elif ! grep -q '^  SECURE: ' "$WORK/$model.txt"; then
		fail "text-$model" "no address is secure: the test tests nothing"
	else
		pass "text-$model"
	fi
done

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
