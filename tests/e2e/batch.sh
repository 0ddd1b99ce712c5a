#!/usr/bin/env bash
# End-to-end tests of `scorer batch` against the Knot lab: order, bad
# lines, compact records and --evidence, --fail-on, CSV, kill -9 and
# --resume, SIGTERM, a half-written last line, GNU parallel giving the
# same records as one process, the summary's user counts, and the
# progress line on a pseudo-terminal.
#
#   SCORER=build/scorer BUILD=build tests/e2e/batch.sh
#
# Prints "ok NAME" / "FAIL NAME: why", then "N passed, N failed".
set -u

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SCORER=${SCORER:-$TOP/build/scorer}
RULES=${RULES:-$TOP/rules}
LAB=$TOP/tests/lab/lab.sh
passed=0
failed=0

WORK=$(mktemp -d "${TMPDIR:-/tmp}/scorer-batch.XXXXXX") || exit 1
cleanup() {
	"$LAB" stop "$WORK/lab"
	rm -rf "$WORK"
}
trap cleanup EXIT

pass() { echo "ok $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: ${*:2}"; failed=$((failed + 1)); }

"$LAB" start "$WORK/lab" >/dev/null 2>"$WORK/lab.err" || {
	cat "$WORK/lab.err" >&2
	exit 1
}
# shellcheck source=/dev/null
. "$WORK/lab/env"

# DNS-only: the probes and fetches are tested elsewhere, and only DNS
# answers here, so every record is quick and deterministic.  No RDAP
# (rdap.sh tests it): this lab has no registry for .test, and the
# rdap.unavailable of every record would be measured as its size.
# shellcheck disable=SC2054 # the commas are --skip's
ARGS=(--resolver "$LAB_DNS" --rules "$RULES" --allow-loopback --quiet
	--skip starttls,mta_sts,rdap --timeout 10 --ns-port "$LAB_PORT")

batch() {
	timeout 120 "$SCORER" batch "${ARGS[@]}" "$@"
}

# line<TAB>verdict of a JSONL output, sorted by line.
verdicts() {
	jq -r '"\(.line)\t\(.verdict)"' "$1" | sort -n
}

# ---- order, comments, bad lines ------------------------------------------
printf '%s\n' 'alice@good.test' '# a comment' '' 'bob@nullmx.test' \
	'not-an-address' 'carol@expired-startup.test' >"$WORK/small.txt"
batch --input "$WORK/small.txt" --output "$WORK/small.jsonl"
rc=$?
got=$(jq -r '"\(.line) \(.verdict)"' "$WORK/small.jsonl" | tr '\n' ',')
want="1 secure,4 insecure,5 error,6 insecure,"
if [ "$rc" = 0 ] && [ "$got" = "$want" ]; then
	pass order
else
	fail order "rc=$rc got '$got' want '$want'"
fi
if jq -s -e 'map(select(.line == 5))[0].findings[0].id == "address.invalid"' \
	"$WORK/small.jsonl" >/dev/null; then
	pass bad-line
else
	fail bad-line "line 5 is not an address.invalid record"
fi

# ---- compact records, --evidence ----------------------------------------
# By default a record is compact: verdict, grade, score, threat model, the
# findings' ids, severities and details, the time: no lookups, no check
# descriptions, no rules' texts.
if jq -e -s 'length == 4 and all(.[]; has("checked") and has("verdict") and
	(has("records") | not) and (has("checks") | not) and
	(has("headline") | not) and all(.findings[]?; has("id") and
	has("severity") and has("detail") and (has("title") | not) and
	(has("why") | not) and (has("fix") | not))) and
	all(.[] | select(.address != null and (.findings | all(.id != "address.invalid")));
	has("threat_model") and has("grade") and has("score"))' \
	"$WORK/small.jsonl" >/dev/null; then
	pass compact-fields
else
	fail compact-fields "$(head -c 600 "$WORK/small.jsonl")"
fi
# A typical address (good.test: one low finding) is well under 600 bytes.
size=$(sed -n 1p "$WORK/small.jsonl" | wc -c)
if [ "$size" -lt 600 ]; then
	pass "compact-size ($size bytes)"
else
	fail compact-size "$size bytes: $(sed -n 1p "$WORK/small.jsonl")"
fi
batch --input "$WORK/small.txt" --output "$WORK/evidence.jsonl" --evidence
# --evidence: the whole report (lookups, checks, rules' texts) with the
# same verdicts and findings as the compact record.
if jq -e -s 'all(.[] | select(.address != null and .verdict != "error");
	(.records | length) > 0 and has("checks") and has("headline") and
	has("checked") and all(.findings[]; has("title") and has("fix")))' \
	"$WORK/evidence.jsonl" >/dev/null &&
	[ "$(jq -c '[.line, .verdict, .grade, [.findings[].id]]' \
	    "$WORK/evidence.jsonl")" = "$(jq -c \
	    '[.line, .verdict, .grade, [.findings[].id]]' "$WORK/small.jsonl")" ]; then
	pass evidence
else
	fail evidence "$(head -c 300 "$WORK/evidence.jsonl")"
fi
big=$(sed -n 1p "$WORK/evidence.jsonl" | wc -c)
if [ "$big" -gt $((size * 3)) ]; then
	pass "evidence-larger ($big bytes)"
else
	fail evidence-larger "$big bytes against $size compact"
fi

# ---- --fail-on -----------------------------------------------------------------
# small.txt: secure, insecure (critical), invalid; good.txt: one secure
# address with a low finding; invalid.txt: an invalid address only.
printf 'alice@good.test\n' >"$WORK/good.txt"
printf 'not-an-address\n' >"$WORK/invalid.txt"
fail_on() {
	local name=$1 want=$2 input=$3 got
	shift 3
	batch --input "$WORK/$input" --output /dev/null "$@" 2>"$WORK/err"
	got=$?
	if [ "$got" = "$want" ]; then
		pass "fail-on $name"
	else
		fail "fail-on $name" "exit $got, want $want: $(head -1 "$WORK/err")"
	fi
}
fail_on default 0 small.txt
fail_on insecure 1 small.txt --fail-on insecure
fail_on error 1 small.txt --fail-on error
fail_on critical 1 small.txt --fail-on critical
fail_on secure-insecure 0 good.txt --fail-on insecure
fail_on secure-error 0 good.txt --fail-on error
fail_on secure-medium 0 good.txt --fail-on medium
fail_on secure-low 1 good.txt --fail-on low
fail_on secure-list 1 good.txt --fail-on error,low
fail_on invalid-high 0 invalid.txt --fail-on high
fail_on invalid-error 1 invalid.txt --fail-on error
fail_on bad-word 2 good.txt --fail-on sometimes
fail_on empty-word 2 good.txt --fail-on ,

# Each record reaches the file in one write(), even when it is longer than
# stdio's default 4 KiB buffer (a 6,000-byte key column makes sure): a
# kill can then cut only the last line.
if command -v strace >/dev/null 2>&1; then
	{
		echo 'email,note'
		for a in alice@good.test bob@nullmx.test not-an-address; do
			printf '%s,%06000d\n' "$a" 7
		done
	} >"$WORK/long.csv"
	strace -f -qq -o "$WORK/writes" -e trace=write -P "$WORK/w.jsonl" \
	    "$SCORER" batch "${ARGS[@]}" --input "$WORK/long.csv" \
	    --column email --output "$WORK/w.jsonl" 2>/dev/null
	nrec=$(wc -l <"$WORK/w.jsonl")
	nwrite=$(grep -c '^[0-9]* *write(' "$WORK/writes")
	longest=$(awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }' \
	    "$WORK/w.jsonl")
	if [ "$longest" -le 4096 ]; then
		fail one-write-per-record "no record over 4096 bytes to tell"
	elif [ "$nwrite" != "$nrec" ]; then
		fail one-write-per-record "$nwrite writes for $nrec records"
	else
		pass one-write-per-record
	fi
else
	fail one-write-per-record "strace is not installed"
fi

# ---- stdin to stdout, CSV in and out ---------------------------------------
printf 'id,email,name\n7,alice@good.test,Alice\n8,"bob@nullmx.test","Bob, Jr"\n9,,Nobody\n' |
	batch --column email --format csv >"$WORK/out.csv"
if [ "$(sed -n 1p "$WORK/out.csv")" = '"line","address","verdict","grade","score","findings","id","name"' ] &&
	grep -q '^"3","bob@nullmx.test","insecure",.*"8","Bob, Jr"$' "$WORK/out.csv" &&
	grep -q '^"4","","error",.*"9","Nobody"$' "$WORK/out.csv"; then
	pass csv
else
	fail csv "$(cat "$WORK/out.csv")"
fi
# The address the only column: no key columns (and, under LeakSanitizer,
# an exit status that is not 0 if their empty list is not freed).
if printf 'email\nalice@good.test\n' | batch --column email >"$WORK/key.jsonl" &&
	jq -e '.line == 2 and .key == {} and .verdict == "secure"' \
	"$WORK/key.jsonl" >/dev/null; then
	pass csv-jsonl
else
	fail csv-jsonl "$(cat "$WORK/key.jsonl")"
fi
if printf 'mail\nx@good.test\n' | batch --column email >/dev/null 2>&1; then
	fail csv-no-column "a missing column must be an error"
else
	pass csv-no-column
fi

# ---- a list long enough to interrupt: 12000 lines, 6000 domains -----------
# Absent names under test. (NXDOMAIN), good.test and some invalid lines.
# Long enough that a batch run one address at a time (--concurrency 1)
# takes seconds: the kill tests below stop it well before its end.
BIG=12000
awk -v n="$BIG" 'BEGIN { for (i = 1; i <= n; i++) {
	if (i % 10 == 0) print "bad line " i;
	else if (i % 3 == 0) print "u" i "@good.test";
	else print "u" i "@gone-" int(i / 2) ".test";
} }' >"$WORK/big.txt"
batch --input "$WORK/big.txt" --output "$WORK/full.jsonl" --concurrency 50 \
	--summary "$WORK/full.summary.json"
verdicts "$WORK/full.jsonl" >"$WORK/full.v"
# The summary counts users, as the report does: per verdict (invalid
# apart), and per finding id once per record, computed here with jq.
want=$(jq -s -c '
	def invalid: .address == null or any(.findings[]?; .id == "address.invalid");
	{secure: map(select(.verdict == "secure")) | length,
	 insecure: map(select(.verdict == "insecure")) | length,
	 unassessed: map(select(.verdict == "error" and (invalid | not))) | length,
	 invalid: map(select(invalid)) | length,
	 findings: (map(select(invalid | not) | [.findings[].id] | unique[])
	    | group_by(.) | map({id: .[0], users: length}) | sort_by(.id))}' \
	"$WORK/full.jsonl")
got=$(jq -c '.users + {findings: ((.top_findings + .unverified)
	| map({id, users}) | sort_by(.id))}' "$WORK/full.summary.json")
if [ "$want" = "$got" ]; then
	pass summary-users
else
	fail summary-users "summary $got, records $want"
fi
if [ "$(wc -l <"$WORK/full.v")" -eq "$BIG" ] &&
	[ "$(cut -f1 "$WORK/full.v" | uniq | wc -l)" -eq "$BIG" ]; then
	pass full-run
else
	fail full-run "$(wc -l <"$WORK/full.v") records"
fi

# kill -9 in the middle, then --resume: one complete record per line.
resume_after_kill() {
	local name=$1 sig=$2 out=$WORK/$1.jsonl pid n
	rm -f "$out"
	"$SCORER" batch "${ARGS[@]}" --input "$WORK/big.txt" --output "$out" \
	    --concurrency 1 &
	pid=$!
	for _ in $(seq 1000); do # until some records are out, at most 10 s
		[ -s "$out" ] && [ "$(wc -l <"$out")" -gt 100 ] && break
		sleep 0.01
	done
	kill "-$sig" "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	n=$(wc -l <"$out")
	if [ "$n" -ge "$BIG" ]; then
		fail "$name" "finished before the kill; nothing tested"
		return
	fi
	# A half-written line, as a kill during a write leaves.
	printf '{"line":99999,"address":"half' >>"$out"
	batch --input "$WORK/big.txt" --output "$out" --resume --concurrency 50
	verdicts "$out" >"$WORK/$name.v"
	if cmp -s "$WORK/full.v" "$WORK/$name.v"; then
		pass "$name (stopped after $n records)"
	else
		fail "$name" "records differ from a full run: $(diff \
		    "$WORK/full.v" "$WORK/$name.v" | head -5)"
	fi
}
resume_after_kill kill9-resume KILL
resume_after_kill sigterm-resume TERM

# SIGTERM leaves the exit status 128+15: sent once records flow (the
# handler is installed by then), and long before the end.
rm -f "$WORK/t.jsonl"
"$SCORER" batch "${ARGS[@]}" --input "$WORK/big.txt" --output "$WORK/t.jsonl" \
	--concurrency 1 &
pid=$!
for _ in $(seq 100); do
	[ -s "$WORK/t.jsonl" ] && break
	sleep 0.05
done
kill -TERM "$pid"
wait "$pid"
rc=$?
n=$(wc -l <"$WORK/t.jsonl")
if [ "$rc" = 143 ] && [ "$n" -lt "$BIG" ]; then
	pass sigterm-status
else
	fail sigterm-status "rc=$rc after $n records"
fi

# ---- GNU parallel: split a numbered list over 4 processes ------------------
if command -v parallel >/dev/null; then
	awk '{ print NR "\t" $0 }' "$WORK/big.txt" |
		parallel --will-cite --pipe -k -N 500 -j 3 \
		    "$SCORER" batch "${ARGS[@]// /\\ }" --numbered \
		    >"$WORK/par.jsonl" 2>"$WORK/par.err"
	verdicts "$WORK/par.jsonl" >"$WORK/par.v"
	if cmp -s "$WORK/full.v" "$WORK/par.v"; then
		pass gnu-parallel
	else
		fail gnu-parallel "$(head -3 "$WORK/par.err") $(diff \
		    "$WORK/full.v" "$WORK/par.v" | head -5)"
	fi
else
	fail gnu-parallel "GNU parallel is not installed"
fi

# ---- resume: CSV (quoted fields, a line break inside a key), wrong format --
printf 'id,email,name\n1,a@good.test,"Al\nice"\n2,b@nullmx.test,Bob\n3,c@good.test,Carol\n' \
	>"$WORK/r.csv"
batch --input "$WORK/r.csv" --column email --format csv --output "$WORK/r-full.csv"
head -n 2 "$WORK/r-full.csv" >"$WORK/r-cut.csv"
printf '"5","c@go' >>"$WORK/r-cut.csv"
batch --input "$WORK/r.csv" --column email --format csv --output "$WORK/r-cut.csv" \
	--resume
if cmp -s "$WORK/r-full.csv" "$WORK/r-cut.csv" &&
	[ "$(wc -l <"$WORK/r-full.csv")" -eq 4 ]; then
	pass csv-resume
else
	fail csv-resume "$(diff "$WORK/r-full.csv" "$WORK/r-cut.csv" | head -5)"
fi
cp "$WORK/small.jsonl" "$WORK/wrong.jsonl"
if batch --input "$WORK/small.txt" --output "$WORK/wrong.jsonl" --format csv \
	--resume 2>/dev/null; then
	fail resume-wrong-format "resumed a JSON Lines file as CSV"
elif ! cmp -s "$WORK/small.jsonl" "$WORK/wrong.jsonl"; then
	fail resume-wrong-format "the existing output was changed"
else
	pass resume-wrong-format
fi

# ---- the progress line on a terminal (a pseudo-terminal) -------------------
# tests/e2e/progress.py: its own DNS server, one domain that never answers.
if out=$(${PYTHON3:-/usr/bin/python3} "$TOP/tests/e2e/progress.py" "$SCORER" \
	"$RULES" "$WORK" 2>&1); then
	while IFS= read -r line; do
		case $line in
		"ok "*) pass "${line#ok }" ;;
		"FAIL "*) fail "${line#FAIL }" ;;
		*) fail progress "$line" ;;
		esac
	done <<<"$out"
else
	fail progress "$out"
fi

# ---- usage ---------------------------------------------------------------------
if batch --resume >/dev/null 2>&1; then
	fail resume-needs-output "accepted --resume without --output"
else
	pass resume-needs-output
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
