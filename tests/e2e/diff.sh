#!/usr/bin/env bash
# End-to-end tests of `scorer diff` and `scorer report --baseline` on
# hand-made runs with every kind of change (tests/data/diff/old.jsonl and
# new.jsonl): a user whose verdict fell and who got new findings, one
# whose grade fell alone, one who got better, one matched by the key of a
# CSV input under a new address, users whose domain could not be assessed
# this time (the last known verdict kept, "stale since"), one that could
# not be assessed either time, one added, one removed, one who lost only
# a "could not verify" finding (not better), an old record written with
# --evidence against a compact one (no change), and a line that is no
# record.  No lab: the runs are files.
#
#   SCORER=build/scorer tests/e2e/diff.sh
#
# Prints "ok NAME" / "FAIL NAME: why", then "N passed, N failed".
set -u

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SCORER=${SCORER:-$TOP/build/scorer}
DATA=$TOP/tests/data/diff
passed=0
failed=0

WORK=$(mktemp -d "${TMPDIR:-/tmp}/scorer-diff.XXXXXX") || exit 1
trap 'rm -rf "$WORK"' EXIT

pass() { echo "ok $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: ${*:2}"; failed=$((failed + 1)); }

# expect NAME JQ-FILTER: the filter holds on the JSON Lines output (-s).
expect() {
	if jq -e -s "$2" "$WORK/d.jsonl" >/dev/null 2>"$WORK/jq.err"; then
		pass "$1"
	else
		fail "$1" "$(cat "$WORK/jq.err") $(head -c 400 "$WORK/d.jsonl")"
	fi
}

"$SCORER" diff --format jsonl "$DATA/old.jsonl" "$DATA/new.jsonl" \
	>"$WORK/d.jsonl" 2>"$WORK/err"
rc=$?
if [ "$rc" = 1 ]; then pass exit-worse; else fail exit-worse "exit $rc: $(cat "$WORK/err")"; fi

user() { echo "map(select(.type == \"user\" and .address == \"$1\"))"; }
expect verdict-fell "$(user b@worse.test) | length == 1 and (.[0] |
	.change == \"worse\" and .verdict == {old: \"secure\", new: \"insecure\"}
	and .grade == {old: \"A+\", new: \"D\"} and
	([.new_findings[].id] == [\"interception.possible\", \"mta_sts.missing\"])
	and .new_findings[0].severity == \"high\" and
	.new_findings[0].detail == \"the MTA-STS policy is gone\")"
expect grade-fell "$(user g@grade.test) | .[0] | .change == \"worse\" and
	.grade == {old: \"C\", new: \"D\"} and .new_findings == []"
expect new-finding "$(user l@shared.test) | .[0] | .change == \"worse\" and
	[.new_findings[].id] == [\"breach.found\"]"
expect better "$(user c@better.test) | .[0] | .change == \"better\" and
	.gone_findings == [\"spf.missing\"] and .verdict.new == \"secure\""
expect by-key 'map(select(.type == "user" and .key.user_id == "7")) |
	length == 1 and (.[0] | .change == "better" and
	.address == "h@new-provider.test" and .gone_findings == ["domain.nxdomain"])'
expect stale-user "$(user d@stale.test) | .[0] | .change == \"unassessed\" and
	.last_verdict == \"insecure\" and .last_grade == \"D\" and
	.stale_since == \"2026-01-05T10:00:00Z\" and .missing == [\"dns.unverified\"]"
expect still-unassessed "$(user i@still.test) | .[0].change == \"still_unassessed\""
expect added "$(user e@added.test) | .[0].change == \"added\""
expect removed "$(user f@gone.test) | .[0].change == \"removed\""
expect unverified-gone-not-better "$(user j@unv.test) | length == 0"
expect unchanged "$(user a@same.test) | length == 0"
expect evidence-vs-compact "$(user m@evidence.test) | length == 0"
dom() { echo "map(select(.type == \"domain\" and .domain == \"$1\"))"; }
expect domain-worse "$(dom worse.test) | .[0] | .change == \"worse\" and
	.verdict == {old: \"secure\", new: \"insecure\"} and
	[.new_findings[] | [.id, .users]] == [[\"interception.possible\", 1],
	[\"mta_sts.missing\", 1]]"
expect domain-one-user-worse "$(dom shared.test) | .[0] | .change == \"worse\" and
	.users == {old: 2, new: 2} and .insecure == {old: 0, new: 1} and
	.new_findings == [{id: \"breach.found\", severity: \"high\", users: 1}]"
expect domain-stale "$(dom stale.test) | .[0] | .change == \"unassessed\" and
	.last_verdict == \"insecure\" and .stale_since == \"2026-01-05T10:00:01Z\"
	and .gone_findings == []"
expect domain-better "$(dom better.test) | .[0] | .change == \"better\" and
	.gone_findings == [{id: \"spf.missing\", users: 1}]"
expect domain-same "$(dom same.test) + $(dom unv.test) | length == 0"
expect summary 'map(select(.type == "summary")) | length == 1 and (.[0] |
	.records == {old: 13, new: 13, matched: 12} and
	.unreadable == {old: 1, new: 0} and
	.users == {same: 4, worse: 3, better: 2, unassessed: 2,
	           still_unassessed: 1, added: 1, removed: 1} and
	.domains.worse == 2 and .domains.better == 1 and .domains.unassessed == 1)'
expect summary-last '.[-1].type == "summary"'

# ---- text ------------------------------------------------------------------------
"$SCORER" diff "$DATA/old.jsonl" "$DATA/new.jsonl" >"$WORK/d.txt"
rc=$?
if [ "$rc" = 1 ] &&
	grep -q '^users: 13 then 13 (12 matched, 1 added, 1 removed): 3 worse, 2 better, 2 could not be assessed this time$' "$WORK/d.txt" &&
	grep -q '^Domains that got worse:$' "$WORK/d.txt" &&
	grep -q '^  stale.test (2 users): last known insecure, stale since 2026-01-05T10:00:01Z$' "$WORK/d.txt" &&
	grep -q '^  line 2  b@worse.test: secure -> insecure, grade A+ -> D; new: interception.possible (high), mta_sts.missing (medium)$' "$WORK/d.txt" &&
	grep -q '^  line 8  {"user_id":"7"} h@new-provider.test: insecure -> secure' "$WORK/d.txt"; then
	pass text
else
	fail text "exit $rc: $(cat "$WORK/d.txt")"
fi
"$SCORER" diff --max-users 1 "$DATA/old.jsonl" "$DATA/new.jsonl" >"$WORK/d1.txt"
if grep -q '^  \.\.\. 2 more (--max-users' "$WORK/d1.txt"; then
	pass text-max-users
else
	fail text-max-users "$(cat "$WORK/d1.txt")"
fi

# ---- exit status: nothing worse, only better, errors --------------------------------
status() {
	local name=$1 want=$2 got
	shift 2
	"$@" >/dev/null 2>"$WORK/err"
	got=$?
	if [ "$got" = "$want" ]; then
		pass "$name"
	else
		fail "$name" "exit $got, want $want: $(head -1 "$WORK/err")"
	fi
}
status same-run 0 "$SCORER" diff "$DATA/new.jsonl" "$DATA/new.jsonl"
# new -> old is the other way round: what got better got worse.
status reverse 1 "$SCORER" diff "$DATA/new.jsonl" "$DATA/old.jsonl"
grep -v 'worse.test\|grade.test\|l@shared.test' "$DATA/new.jsonl" >"$WORK/better.jsonl"
grep -v 'worse.test\|grade.test\|l@shared.test' "$DATA/old.jsonl" >"$WORK/old-b.jsonl"
status only-better 0 "$SCORER" diff "$WORK/old-b.jsonl" "$WORK/better.jsonl"
status missing-file 2 "$SCORER" diff "$WORK/no-such.jsonl" "$DATA/new.jsonl"
status one-argument 2 "$SCORER" diff "$DATA/new.jsonl"
status bad-format 2 "$SCORER" diff --format xml "$DATA/old.jsonl" "$DATA/new.jsonl"
status help 0 "$SCORER" diff --help
status stdin 1 sh -c "\"$SCORER\" diff \"$DATA/old.jsonl\" - <\"$DATA/new.jsonl\""
status output-file 1 "$SCORER" diff --format jsonl --output "$WORK/o.jsonl" \
	"$DATA/old.jsonl" "$DATA/new.jsonl"
if cmp -s "$WORK/o.jsonl" "$WORK/d.jsonl"; then pass output-same; else fail output-same "differs"; fi

# An old run without "checked" (an older scorer): stale since the file's
# modification time.
jq -c 'del(.checked)' "$DATA/old.jsonl" 2>/dev/null >"$WORK/nochecked.jsonl"
touch -d '2025-12-29 08:30:00 UTC' "$WORK/nochecked.jsonl"
"$SCORER" diff --format jsonl "$WORK/nochecked.jsonl" "$DATA/new.jsonl" >"$WORK/d.jsonl"
expect stale-file-time "$(user d@stale.test) | .[0].stale_since == \"2025-12-29T08:30:00Z\""

# ---- scorer report --baseline ----------------------------------------------------
"$SCORER" report --baseline "$DATA/old.jsonl" --output "$WORK/r.html" \
	"$DATA/new.jsonl" 2>"$WORK/err"
rc=$?
text=$(sed -e 's/<[^>]*>/ /g' "$WORK/r.html" | tr -s ' \n' ' ')
num() { grep -o "id=\"$1\">[0-9,]*<" "$WORK/r.html" | grep -o '[0-9,]*' | tr -d ,; }
if [ "$rc" = 0 ] && [ "$(num c-worse)" = 3 ] && [ "$(num c-better)" = 2 ] &&
	[ "$(num c-unassessed)" = 2 ] && [ "$(num cd-worse)" = 2 ] &&
	[ "$(num cd-unassessed)" = 1 ] && [ "$(num cd-better)" = 1 ]; then
	pass report-baseline-counts
else
	fail report-baseline-counts "exit $rc $(cat "$WORK/err"): worse $(num c-worse)"
fi
if grep -q 'stale since 2026-01-05T10:00:01Z' <<<"$text" &&
	grep -q 'stale.test' <<<"$text" && grep -q 'insecure (last known)' <<<"$text"; then
	pass report-baseline-stale
else
	fail report-baseline-stale "no last known verdict for stale.test"
fi
if grep -q '@' <<<"$(sed -n '/id="changes"/,/<\/section>/p' "$WORK/r.html")"; then
	fail report-baseline-no-addresses "an address in the changes section"
else
	pass report-baseline-no-addresses
fi
"$SCORER" report --baseline "$DATA/old.jsonl" --show-addresses \
	--output "$WORK/ra.html" "$DATA/new.jsonl"
if sed -n '/id="changes"/,/<\/section>/p' "$WORK/ra.html" | grep -q 'b@worse.test'; then
	pass report-baseline-show-addresses
else
	fail report-baseline-show-addresses "no address with --show-addresses"
fi
status report-baseline-missing 2 "$SCORER" report --baseline "$WORK/nope.jsonl" \
	--output "$WORK/x.html" "$DATA/new.jsonl"

# ---- contrib/monitoring/scorer-weekly ----------------------------------------------
# The weekly job's flow, with a stand-in for `scorer batch` that writes
# the hand-made runs (the rest is the real scorer): the first run is
# quiet, the second (with changes for the worse) prints them, exits 1 and
# runs the alert command; the report has the baseline section.
WEEKLY=$TOP/contrib/monitoring/scorer-weekly
cat >"$WORK/fake-scorer" <<FAKE
#!/bin/sh
if [ "\$1" = batch ]; then
	while [ \$# -gt 0 ]; do
		case \$1 in
		--output) out=\$2; shift ;;
		--summary) sum=\$2; shift ;;
		esac
		shift
	done
	cp "\$(cat "$WORK/next-run")" "\$out" && echo '{}' >"\$sum"
	exit
fi
exec "$SCORER" "\$@"
FAKE
chmod +x "$WORK/fake-scorer"
echo "$DATA/old.jsonl" >"$WORK/next-run"
out=$(SCORER=$WORK/fake-scorer "$WEEKLY" "$WORK/mon" /dev/null --resolver x 2>&1)
rc=$?
if [ "$rc" = 0 ] && [ -z "$out" ] && [ -s "$WORK/mon/report.html" ] &&
	[ "$(readlink "$WORK/mon/latest.jsonl")" = "runs/$(ls "$WORK/mon/runs" | grep -v summary)" ]; then
	pass weekly-first
else
	fail weekly-first "exit $rc: $out"
fi
sleep 1 # a run a second at most: the runs are named by the time
echo "$DATA/new.jsonl" >"$WORK/next-run"
out=$(SCORER=$WORK/fake-scorer SCORER_ALERT="cat >$WORK/alert.txt" \
	"$WEEKLY" "$WORK/mon" /dev/null 2>&1)
rc=$?
if [ "$rc" = 1 ] && grep -q '3 worse' <<<"$out" &&
	grep -q '3 worse' "$WORK/alert.txt" &&
	grep -q 'id="changes"' "$WORK/mon/report.html" &&
	[ "$(jq -s 'map(select(.type == "summary"))[0].users.worse' \
	    "$WORK/mon/changes.jsonl")" = 3 ] &&
	[ "$(ls "$WORK/mon/runs" | grep -c 'jsonl$')" = 2 ]; then
	pass weekly-worse
else
	fail weekly-worse "exit $rc: $out"
fi
sleep 1
out=$(SCORER=$WORK/fake-scorer SCORER_KEEP=2 "$WEEKLY" "$WORK/mon" /dev/null 2>&1)
rc=$?
if [ "$rc" = 0 ] && [ -z "$out" ] &&
	[ "$(ls "$WORK/mon/runs" | grep -c 'jsonl$')" = 2 ]; then
	pass weekly-same-and-keep
else
	fail weekly-same-and-keep "exit $rc: $out $(ls "$WORK/mon/runs")"
fi
# A failed run: exit 2, the previous run stays the latest.
before=$(readlink "$WORK/mon/latest.jsonl")
echo "$WORK/no-such-file" >"$WORK/next-run"
SCORER=$WORK/fake-scorer "$WEEKLY" "$WORK/mon" /dev/null >/dev/null 2>&1
rc=$?
if [ "$rc" = 2 ] && [ "$(readlink "$WORK/mon/latest.jsonl")" = "$before" ]; then
	pass weekly-failed-run
else
	fail weekly-failed-run "exit $rc, latest $(readlink "$WORK/mon/latest.jsonl")"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
