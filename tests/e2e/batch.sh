#!/usr/bin/env bash
# End-to-end tests of `scorer batch` against the Knot lab: order, bad
# lines, CSV, kill -9 and --resume, SIGTERM, a half-written last line, and
# GNU parallel giving the same records as one process.
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
# answers here, so every record is quick and deterministic.
# shellcheck disable=SC2054 # the commas are --skip's
ARGS=(--resolver "$LAB_DNS" --rules "$RULES" --allow-loopback --quiet
	--skip starttls,mta_sts --timeout 10 --ns-port "$LAB_PORT")

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
batch --input "$WORK/big.txt" --output "$WORK/full.jsonl" --concurrency 50
verdicts "$WORK/full.jsonl" >"$WORK/full.v"
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

# ---- usage ---------------------------------------------------------------------
if batch --resume >/dev/null 2>&1; then
	fail resume-needs-output "accepted --resume without --output"
else
	pass resume-needs-output
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
