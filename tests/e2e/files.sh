#!/usr/bin/env bash
# Files, input framing and values (issue 18), through the real binary and
# without the lab: a resolver that refuses at once (127.0.0.1:9) is all a
# check here needs, since what is tested is what the commands do with
# their files, not the verdicts.
#
#   - every output of every command against a device that swallows
#     (/dev/null), one that is full (/dev/full), a symlink, a FIFO, the
#     input's own path and a place that cannot be written; the standard
#     output of every command against a full device; the lock on batch's
#     output; --resume against another input; SIGINT and SIGTERM during
#     report, diff and corpus build;
#   - every input reader (batch plain, numbered and CSV, report, corpus
#     build, a corpus opened as a text list, the rules files and lists)
#     against a NUL byte, a byte-order mark, CRLF and an unterminated
#     quote; endless inputs (/dev/zero, a FIFO fed for ever);
#   - values from the command line (--resolver, --concurrency,
#     --numbered) and from files (an empty corpus, not an address).
#
#   SCORER=build/scorer tests/e2e/files.sh
#
# Devices are made in the work directory (mknod, as root), so that a
# regression that replaces a device replaces ours, not /dev/null; without
# root, /dev/null and /dev/full themselves (which cannot be replaced then).
# Prints "ok NAME" / "FAIL NAME: why", then "N passed, N failed".
set -u

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SCORER=${SCORER:-$TOP/build/scorer}
RULES=${RULES:-$TOP/rules}
passed=0
failed=0
pids=()

WORK=$(mktemp -d "${TMPDIR:-/tmp}/scorer-files.XXXXXX") || exit 1
cleanup() {
	local p
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null
	done
	rm -rf "$WORK"
}
trap cleanup EXIT

pass() { echo "ok $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: ${*:2}"; failed=$((failed + 1)); }

# Options of check and batch: no network answer needed, quick.
C=(--rules "$RULES" --resolver 127.0.0.1:9 --timeout 2 --skip starttls,mta_sts)
B=("${C[@]}" --quiet)

# run NAME CMD...: the command with a hard limit; $rc, $WORK/NAME.out
# and $WORK/NAME.err.
run() {
	local name=$1
	shift
	timeout -k 5 60 "$@" >"$WORK/$name.out" 2>"$WORK/$name.err"
	rc=$?
}

# expect NAME STATUS REGEX CMD...: exit status STATUS, and REGEX (an
# extended regex, "-" for none) in stderr.
expect() {
	local name=$1 want=$2 re=$3
	shift 3
	run "$name" "$@"
	if [ "$rc" != "$want" ]; then
		fail "$name" "exit $rc, want $want: $(head -c 300 "$WORK/$name.err")"
	elif [ "$re" != - ] && ! grep -Eq -- "$re" "$WORK/$name.err"; then
		fail "$name" "stderr does not say /$re/: $(head -c 300 "$WORK/$name.err")"
	else
		pass "$name"
	fi
}

if mknod "$WORK/null" c 1 3 2>/dev/null && mknod "$WORK/full" c 1 7 2>/dev/null; then
	NULLDEV=$WORK/null
	FULLDEV=$WORK/full
else
	NULLDEV=/dev/null
	FULLDEV=/dev/full
fi
sha() { printf '%s' "$1" | sha1sum | cut -c1-40 | tr a-f A-F; }

# ---- inputs of every command ----------------------------------------------
mkdir "$WORK/in"
printf '%s\n' bad1 'a@example.invalid' bad3 >"$WORK/in/list.txt"
"$SCORER" batch "${B[@]}" --input "$WORK/in/list.txt" \
	--output "$WORK/in/results.jsonl" 2>/dev/null
{
	sha a@example.invalid
	echo
	sha b@example.invalid
	echo
} >"$WORK/in/hashes.txt"
"$SCORER" corpus build --quiet "$WORK/in/hashes.txt" "$WORK/in/hashes.idx"

# ---- files: every output option of every command -----------------------------
# out_cmd KIND TARGET: the command line that writes its output to TARGET.
# The input is $WORK/in/*; each command's own input is named by in_of.
out_cmd() {
	case $1 in
	report) echo "$SCORER" report --output "$2" "$WORK/in/results.jsonl" ;;
	diff) echo "$SCORER" diff --output "$2" "$WORK/in/results.jsonl" \
		"$WORK/in/results.jsonl" ;;
	batch-output) echo "$SCORER" batch "${B[@]}" --input "$WORK/in/list.txt" \
		--output "$2" ;;
	batch-csv) echo "$SCORER" batch "${B[@]}" --input "$WORK/in/list.txt" \
		--format csv --output "$2" ;;
	batch-summary) echo "$SCORER" batch "${B[@]}" --input "$WORK/in/list.txt" \
		--output "$WORK/b.jsonl" --summary "$2" ;;
	corpus-build) echo "$SCORER" corpus build --quiet "$WORK/in/hashes.txt" "$2" ;;
	esac
}
in_of() {
	case $1 in
	report | diff) echo "$WORK/in/results.jsonl" ;;
	batch-*) echo "$WORK/in/list.txt" ;;
	corpus-build) echo "$WORK/in/hashes.txt" ;;
	esac
}

for kind in report diff batch-output batch-csv batch-summary corpus-build; do
	# A device that swallows: written through, still a device.
	# shellcheck disable=SC2046 # the command line, word-split on purpose
	run "$kind-null" $(out_cmd "$kind" "$NULLDEV")
	if [ "$rc" != 0 ] || [ ! -c "$NULLDEV" ]; then
		fail "$kind-null" "exit $rc, $(ls -l "$NULLDEV"): $(head -c 200 "$WORK/$kind-null.err")"
	else
		pass "$kind-null"
	fi
	# A full device: an error naming it and the reason; still a device.
	# shellcheck disable=SC2046
	run "$kind-full" $(out_cmd "$kind" "$FULLDEV")
	if [ "$rc" != 2 ] || [ ! -c "$FULLDEV" ] ||
		! grep -q "$FULLDEV.*No space left on device" "$WORK/$kind-full.err"; then
		fail "$kind-full" "exit $rc, $(ls -l "$FULLDEV"): $(head -c 200 "$WORK/$kind-full.err")"
	else
		pass "$kind-full"
	fi
	# A symlink: followed, the link stays and its target gets it.
	rm -rf "$WORK/links" && mkdir -p "$WORK/links/real"
	ln -s real/target "$WORK/links/link"
	# shellcheck disable=SC2046
	run "$kind-symlink" $(out_cmd "$kind" "$WORK/links/link")
	if [ "$rc" != 0 ] || [ ! -L "$WORK/links/link" ] ||
		[ ! -s "$WORK/links/real/target" ]; then
		fail "$kind-symlink" "exit $rc; $(ls -lR "$WORK/links" | tr '\n' ' ')"
	elif [ "$(ls -A "$WORK/links/real")" != target ] ||
		[ "$(ls -A "$WORK/links")" != "$(printf 'link\nreal')" ]; then
		fail "$kind-symlink" "files left: $(ls -AR "$WORK/links" | tr '\n' ' ')"
	else
		pass "$kind-symlink"
	fi
	# A FIFO with a reader: written through, still a FIFO.
	rm -f "$WORK/fifo" "$WORK/fifo.got"
	mkfifo "$WORK/fifo"
	timeout 20 cat "$WORK/fifo" >"$WORK/fifo.got" &
	reader=$!
	# shellcheck disable=SC2046
	run "$kind-fifo" $(out_cmd "$kind" "$WORK/fifo")
	wait "$reader"
	if [ "$rc" != 0 ] || [ ! -p "$WORK/fifo" ] || [ ! -s "$WORK/fifo.got" ]; then
		fail "$kind-fifo" "exit $rc, $(ls -l "$WORK/fifo"), $(wc -c <"$WORK/fifo.got") bytes read"
	else
		pass "$kind-fifo"
	fi
	# The input's own path: refused before anything is written.
	input=$(in_of "$kind")
	cp "$input" "$WORK/saved"
	# shellcheck disable=SC2046
	run "$kind-own-input" $(out_cmd "$kind" "$input")
	if [ "$rc" != 2 ] || ! cmp -s "$input" "$WORK/saved" ||
		! grep -q 'same file' "$WORK/$kind-own-input.err"; then
		fail "$kind-own-input" "exit $rc, input $(cmp -s "$input" "$WORK/saved" && echo kept || echo CHANGED): $(head -c 200 "$WORK/$kind-own-input.err")"
	else
		pass "$kind-own-input"
	fi
	# A place that cannot be written: refused at once, naming it.
	# shellcheck disable=SC2046
	run "$kind-unwritable" $(out_cmd "$kind" "$WORK/no/such/dir/x")
	if [ "$rc" != 2 ] || ! grep -q "$WORK/no/such/dir/x.*No such file" \
		"$WORK/$kind-unwritable.err"; then
		fail "$kind-unwritable" "exit $rc: $(head -c 200 "$WORK/$kind-unwritable.err")"
	else
		pass "$kind-unwritable"
	fi
done
# /dev/stdout on a pipe: a link to what is not a path, written through.
for kind in report corpus-build; do
	# shellcheck disable=SC2046
	n=$($(out_cmd "$kind" /dev/stdout) 2>"$WORK/$kind-dev-stdout.err" | wc -c)
	if [ "$n" -gt 1000 ]; then
		pass "$kind-dev-stdout"
	else
		fail "$kind-dev-stdout" "$n bytes: $(head -c 200 "$WORK/$kind-dev-stdout.err")"
	fi
done
# The output and the summary in one file; through a hard link too.
ln "$WORK/in/list.txt" "$WORK/hardlink.txt"
expect batch-output-is-summary 2 'same file' "$SCORER" batch "${B[@]}" \
	--input "$WORK/in/list.txt" --output "$WORK/both" --summary "$WORK/both"
expect batch-hard-link 2 'same file' "$SCORER" batch "${B[@]}" \
	--input "$WORK/in/list.txt" --output "$WORK/hardlink.txt"
cp "$WORK/in/list.txt" "$WORK/list.saved"
expect batch-stdin-is-output 2 'same file' "$SCORER" batch "${B[@]}" \
	--output "$WORK/in/list.txt" <"$WORK/in/list.txt"
cmp -s "$WORK/in/list.txt" "$WORK/list.saved" ||
	fail batch-stdin-is-output-kept "input changed"
# A summary that cannot be written fails before the run, not after it.
expect batch-summary-first 2 "$WORK/nodir/s.json" "$SCORER" batch "${B[@]}" \
	--input "$WORK/in/list.txt" --output "$WORK/s-run.jsonl" \
	--summary "$WORK/nodir/s.json"
[ ! -s "$WORK/s-run.jsonl" ] || fail batch-summary-first "the run went ahead"

# ---- files: the standard output of every command, full ------------------------
stdout_full() {
	local name=$1
	shift
	run "$name" "$@"
	if [ "$rc" != 2 ] || ! grep -q 'standard output.*No space left' "$WORK/$name.err"; then
		fail "$name" "exit $rc: $(head -c 200 "$WORK/$name.err")"
	else
		pass "$name"
	fi
}
stdout_full stdout-check-text sh -c '"$0" check "$@" >"'"$FULLDEV"'"' \
	"$SCORER" "${C[@]}" bad@
stdout_full stdout-check-json sh -c '"$0" check --json "$@" >"'"$FULLDEV"'"' \
	"$SCORER" "${C[@]}" bad@
stdout_full stdout-explain sh -c '"$0" explain --rules "$1" domain.nxdomain >"'"$FULLDEV"'"' \
	"$SCORER" "$RULES"
stdout_full stdout-spf sh -c '"$0" spf --rules "$1" --resolver 127.0.0.1:9 --timeout 1 --ip 192.0.2.1 --sender a@example.invalid >"'"$FULLDEV"'"' \
	"$SCORER" "$RULES"
stdout_full stdout-corpus-info sh -c '"$0" corpus info "$1" >"'"$FULLDEV"'"' \
	"$SCORER" "$WORK/in/hashes.idx"
stdout_full stdout-corpus-lookup sh -c '"$0" corpus lookup "$1" a@example.invalid >"'"$FULLDEV"'"' \
	"$SCORER" "$WORK/in/hashes.idx"
stdout_full stdout-report sh -c '"$0" report --output - "$1" >"'"$FULLDEV"'"' \
	"$SCORER" "$WORK/in/results.jsonl"
stdout_full stdout-diff sh -c '"$0" diff "$1" "$1" >"'"$FULLDEV"'"' \
	"$SCORER" "$WORK/in/results.jsonl"
stdout_full stdout-batch-jsonl sh -c '"$0" batch "$@" >"'"$FULLDEV"'"' \
	"$SCORER" "${B[@]}" --input "$WORK/in/list.txt"
stdout_full stdout-batch-csv sh -c '"$0" batch "$@" >"'"$FULLDEV"'"' \
	"$SCORER" "${B[@]}" --format csv --input "$WORK/in/list.txt"
stdout_full stdout-version sh -c '"$0" --version >"'"$FULLDEV"'"' "$SCORER"

# ---- files: batch's lock, --resume against another input -----------------------
# A batch that waits on its input (a FIFO kept open) holds the lock on
# its output; a second run on that output is refused, naming it.
mkfifo "$WORK/slow.in"
(printf 'bad1\n'; sleep 4) >"$WORK/slow.in" &
pids+=($!)
"$SCORER" batch "${B[@]}" --input "$WORK/slow.in" --output "$WORK/locked.jsonl" &
holder=$!
pids+=("$holder")
for _ in $(seq 50); do # until it holds the lock (/proc/locks), 5 s at most
	[ -e "$WORK/locked.jsonl" ] &&
		grep -q ":$(stat -c %i "$WORK/locked.jsonl") " /proc/locks && break
	sleep 0.1
done
expect lock-second-run 2 "process $holder" "$SCORER" batch "${B[@]}" \
	--input "$WORK/in/list.txt" --output "$WORK/locked.jsonl"
expect lock-second-resume 2 "process $holder" "$SCORER" batch "${B[@]}" \
	--input "$WORK/in/list.txt" --output "$WORK/locked.jsonl" --resume
wait "$holder"
if [ "$(wc -l <"$WORK/locked.jsonl")" = 1 ]; then
	pass lock-first-run-whole
else
	fail lock-first-run-whole "$(wc -l <"$WORK/locked.jsonl") lines"
fi
# --resume: the records must be the input's, line by line.
printf '%s\n' bad1 bad2 bad3 bad4 >"$WORK/r1.txt"
printf '%s\n' bad1 bad2 >"$WORK/r1-head.txt"
printf '%s\n' other1 other2 other3 other4 >"$WORK/r2.txt"
"$SCORER" batch "${B[@]}" --input "$WORK/r1-head.txt" --output "$WORK/r.jsonl"
cp "$WORK/r.jsonl" "$WORK/r.saved"
expect resume-other-input 2 'another input' "$SCORER" batch "${B[@]}" \
	--input "$WORK/r2.txt" --output "$WORK/r.jsonl" --resume
cmp -s "$WORK/r.jsonl" "$WORK/r.saved" || fail resume-other-input-kept "output changed"
printf 'bad1\n' >"$WORK/r0.txt"
expect resume-shorter-input 2 'ends before' "$SCORER" batch "${B[@]}" \
	--input "$WORK/r0.txt" --output "$WORK/r.jsonl" --resume
expect resume-same-input 0 'resuming after line 2' "$SCORER" batch "${B[@]}" \
	--input "$WORK/r1.txt" --output "$WORK/r.jsonl" --resume
if [ "$(jq -r .line "$WORK/r.jsonl" | tr '\n' ' ')" = "1 2 3 4 " ]; then
	pass resume-same-input-records
else
	fail resume-same-input-records "$(jq -r .line "$WORK/r.jsonl" | tr '\n' ' ')"
fi
expect resume-device 2 'not a regular file' "$SCORER" batch "${B[@]}" \
	--input "$WORK/r1.txt" --output "$NULLDEV" --resume

# ---- files: SIGINT and SIGTERM leave no temporary file ---------------------------
# The input is a FIFO that stays open, so the run is in the middle when
# the signal comes: the output is open, nothing is finished.
interrupted() {
	local name=$1 sig=$2 pid
	shift 2
	rm -rf "$WORK/sig" "$WORK/sig.in"
	mkdir "$WORK/sig"
	mkfifo "$WORK/sig.in"
	(head -n 2 "$WORK/feed"; sleep 3) >"$WORK/sig.in" &
	pids+=($!)
	# (A shell starts background commands with SIGINT ignored.)
	env --default-signal=INT "$@" &
	pid=$!
	sleep 0.5
	kill "-$sig" "$pid"
	wait "$pid"
	if [ -n "$(ls -A "$WORK/sig")" ]; then
		fail "$name" "left behind: $(ls -A "$WORK/sig" | tr '\n' ' ')"
	else
		pass "$name"
	fi
}
cp "$WORK/in/results.jsonl" "$WORK/feed"
interrupted report-sigint INT "$SCORER" report --output "$WORK/sig/r.html" "$WORK/sig.in"
interrupted report-sigterm TERM "$SCORER" report --output "$WORK/sig/r.html" "$WORK/sig.in"
cp "$WORK/in/hashes.txt" "$WORK/feed"
interrupted corpus-build-sigint INT "$SCORER" corpus build --quiet "$WORK/sig.in" "$WORK/sig/c.idx"
interrupted corpus-build-sigterm TERM "$SCORER" corpus build --quiet "$WORK/sig.in" "$WORK/sig/c.idx"

# records NAME JQ WANT CMD...: CMD exits 0 and its JSON Lines, each made
# one line by the jq expression JQ and joined by spaces, are WANT.
records() {
	local name=$1 expr=$2 want=$3 got
	shift 3
	run "$name" "$@"
	got=$(jq -c "$expr" "$WORK/$name.out" 2>/dev/null | tr '\n' ' ')
	if [ "$rc" = 0 ] && [ "$got" = "$want" ]; then
		pass "$name"
	else
		fail "$name" "exit $rc: $got"
	fi
}

# ---- input framing: every reader against NUL, BOM, CRLF, a stray quote -------------
# batch, one address a line: a NUL is an error record of its own line,
# and the lines after it keep their numbers; a BOM is not part of the
# first address (a breached address is then found); CRLF is a line end;
# a quote is a character like any other.
printf '\xEF\xBB\xBFbreached@example.invalid\r\nbad\0x\r\n"bad3\r\nbad4\n' >"$WORK/plain.txt"
sha breached@example.invalid >"$WORK/breached.txt"
records framing-plain \
	'[.line, .address, .error // ([.findings[].id] | index("breach.found") != null)]' \
	'[1,"breached@example.invalid",true] [2,null,"NUL byte in the line"] [3,"\"bad3",false] [4,"bad4",false] ' \
	"$SCORER" batch "${B[@]}" --breach-corpus "$WORK/breached.txt" --input "$WORK/plain.txt"
# batch --numbered: the same, and numbers that are not positive, not in
# range or not increasing are error records that keep the order.
printf '\xEF\xBB\xBF1\tbad1\r\n2\tbad\0x\n-1\tbad3\n18446744073709551617\tbad4\n9\tbad5\n4\tbad6\n"10\tbad7\n11\tbad8\n' \
	>"$WORK/numbered.txt"
records framing-numbered '[.line, .address, (.error // "" | .[0:22])]' \
	'[1,"bad1",""] [1,null,"NUL byte in the line"] [1,null,"expected LINE<TAB>ADDR"] [1,null,"line number 1844674407"] [9,"bad5",""] [9,null,"line number 4 is not g"] [9,null,"expected LINE<TAB>ADDR"] [11,"bad8",""] ' \
	"$SCORER" batch "${B[@]}" --numbered --input "$WORK/numbered.txt"
# ... and a run cut after the error records resumes.
head -n 3 "$WORK/framing-numbered.out" >"$WORK/numbered.jsonl"
expect framing-numbered-resume 0 'resuming after line 1' "$SCORER" batch "${B[@]}" \
	--numbered --input "$WORK/numbered.txt" --output "$WORK/numbered.jsonl" --resume
# (elapsed_ms aside: an invalid address takes 0 or 1 ms.)
jq -c 'del(.elapsed_ms)' "$WORK/numbered.jsonl" >"$WORK/numbered.a"
jq -c 'del(.elapsed_ms)' "$WORK/framing-numbered.out" >"$WORK/numbered.b"
cmp -s "$WORK/numbered.a" "$WORK/numbered.b" ||
	fail framing-numbered-resume-records "$(diff "$WORK/numbered.a" "$WORK/numbered.b" | head -3)"
expect numbered-with-column 2 'cannot be combined' "$SCORER" batch "${B[@]}" \
	--numbered --column email --input "$WORK/numbered.txt"
# batch CSV: a BOM before the header, CRLF, a NUL in a record, and a
# quote opened and never closed: an error record of its line, and the
# lines after it read again as records.
printf '\xEF\xBB\xBFemail,name\r\nbad1,"A, B"\r\nbad\0x,y\r\nbad3,"open\r\nbad4,z\r\nbad5,w\r\n' >"$WORK/q.csv"
records framing-csv '[.line, .address, .key.name, (.error // "" | .[0:26])]' \
	'[2,"bad1","A, B",""] [3,null,null,"NUL byte in the line"] [4,null,null,"the quote opened on line 4"] [5,"bad4","z",""] [6,"bad5","w",""] ' \
	"$SCORER" batch "${B[@]}" --column email --input "$WORK/q.csv"
# A stray quote in a long file: bounded (one record a line, and no more
# memory than the same file without it, give or take what ASan keeps).
{
	echo 'email,note'
	echo 'bad0,"stray'
	for i in $(seq 1 30000); do echo "bad$i,n"; done
} >"$WORK/stray.csv"
sed 's/"stray/stray/' "$WORK/stray.csv" >"$WORK/nostray.csv"
peak() { # peak RSS in KiB of batch over $1, records to $2
	ASAN_OPTIONS=quarantine_size_mb=16:${ASAN_OPTIONS:-} \
		/usr/bin/time -f %M -o "$WORK/peak" timeout 60 "$SCORER" batch \
		"${B[@]}" --column email --input "$1" >"$2" 2>/dev/null
	tail -n 1 "$WORK/peak"
}
rss=$(peak "$WORK/stray.csv" "$WORK/stray.out")
base=$(peak "$WORK/nostray.csv" "$WORK/nostray.out")
n=$(wc -l <"$WORK/stray.out")
if [ "$n" = 30001 ] && [ "$rss" -lt $((base + 32768)) ] &&
	[ "$(jq -r 'select(.line == 30002) | .address' "$WORK/stray.out")" = bad30000 ]; then
	pass framing-csv-stray-quote "($rss KiB, $base KiB without the quote)"
else
	fail framing-csv-stray-quote "$n records, $rss KiB ($base KiB without the quote)"
fi
expect csv-duplicate-header 2 "names 'email' twice" sh -c \
	'printf "email,id,email\na,1,b\n" | "$0" batch "$@" --column email' "$SCORER" "${B[@]}"
# report: a BOM before the first record, CRLF, a NUL, a record cut in a
# string: the good ones counted, the others listed as unreadable.
{
	printf '\xEF\xBB\xBF'
	sed -n 1p "$WORK/in/results.jsonl" | tr -d '\n'
	printf '\r\n'
	sed -n 2p "$WORK/in/results.jsonl" | tr -d '\n'
	printf '\r\n{"line":7,"address":"x\0y","verdict":"error"}\n{"line":8,"address":"unterminated\n'
	sed -n 3p "$WORK/in/results.jsonl"
} >"$WORK/framed.jsonl"
run framing-report "$SCORER" report --output - "$WORK/framed.jsonl"
if grep -q 'id="n-records">3<' "$WORK/framing-report.out" &&
	grep -q 'id="n-bad">2<' "$WORK/framing-report.out" &&
	grep -q 'lines 3, 4\.' "$WORK/framing-report.out"; then
	pass framing-report
else
	fail framing-report "exit $rc: $(grep -o 'id="n-[a-z]*">[0-9]*<' "$WORK/framing-report.out" | tr '\n' ' ')"
fi
# corpus: a hash list with a BOM, CRLF, a NUL, a quote; built, and opened
# as a text list: the good hashes found, the bad lines counted.
{
	printf '\xEF\xBB\xBF%s\r\n' "$(sha one@example.invalid)"
	printf '%s\0\r\n' "$(sha nul@example.invalid)"
	printf '"%s\r\n' "$(sha quote@example.invalid)"
	printf '%s:3\r\n' "$(sha two@example.invalid)"
} >"$WORK/framed-hashes.txt"
run framing-corpus-build "$SCORER" corpus build "$WORK/framed-hashes.txt" "$WORK/framed.idx"
if [ "$rc" = 0 ] && grep -q '4 lines, 2 hashes.*2 malformed' "$WORK/framing-corpus-build.err"; then
	pass framing-corpus-build
else
	fail framing-corpus-build "exit $rc: $(cat "$WORK/framing-corpus-build.err")"
fi
for f in framed.idx framed-hashes.txt; do
	run "framing-corpus-lookup-$f" "$SCORER" corpus lookup "$WORK/$f" \
		one@example.invalid two@example.invalid nul@example.invalid
	if [ "$rc" = 1 ] && [ "$(grep -c ': found' "$WORK/framing-corpus-lookup-$f.out")" = 2 ] &&
		grep -q 'nul@example.invalid: not found' "$WORK/framing-corpus-lookup-$f.out"; then
		pass "framing-corpus-lookup-$f"
	else
		fail "framing-corpus-lookup-$f" "exit $rc: $(tr '\n' ' ' <"$WORK/framing-corpus-lookup-$f.out")"
	fi
done
# The rules: findings.ini with a NUL byte (an error naming file:line),
# with a BOM and CRLF (read); a data list with a BOM, CRLF (read: its
# first name counts) and a NUL (an error naming file:line).
rules_copy() {
	rm -rf "$WORK/rules" && cp -r "$RULES" "$WORK/rules"
}
rules_copy
printf '\xEF\xBB\xBF' | cat - "$RULES/findings.ini" | sed 's/$/\r/' >"$WORK/rules/findings.ini"
printf '\xEF\xBB\xBFdisposable.example\r\nother.example\r\n' >"$WORK/rules/disposable.txt"
run framing-rules-bom-crlf "$SCORER" check --json --rules "$WORK/rules" \
	--resolver 127.0.0.1:9 --timeout 2 --skip starttls,mta_sts u@disposable.example
if jq -e 'any(.findings[]; .id == "domain.disposable")' \
	"$WORK/framing-rules-bom-crlf.out" >/dev/null 2>&1; then
	pass framing-rules-bom-crlf
else
	fail framing-rules-bom-crlf "exit $rc: $(head -c 300 "$WORK/framing-rules-bom-crlf.err")"
fi
rules_copy
printf '# a comment\n[domain.nxdomain\0]\n' | cat - "$RULES/findings.ini" >"$WORK/rules/findings.ini"
expect framing-rules-nul 2 'findings.ini:2: a NUL byte' "$SCORER" check \
	--rules "$WORK/rules" --resolver 127.0.0.1:9 a@example.invalid
rules_copy
printf 'a.example\nb\0.example\n' >"$WORK/rules/providers.txt"
expect framing-list-nul 2 'providers.txt:2: NUL byte' "$SCORER" check \
	--rules "$WORK/rules" --resolver 127.0.0.1:9 a@example.invalid
rules_copy
printf '[x]\ndomains = "a.example\0"\n' >"$WORK/rules/canonical.ini"
run framing-canonical-nul "$SCORER" check --rules "$WORK/rules" \
	--resolver 127.0.0.1:9 --breach-corpus "$WORK/in/hashes.idx" --json \
	a@example.invalid
if grep -q 'canonical.ini: a NUL byte' "$WORK/framing-canonical-nul.out"; then
	pass framing-canonical-nul
else
	fail framing-canonical-nul "exit $rc: $(head -c 300 "$WORK/framing-canonical-nul.out")"
fi

# The compiled lists (rules/NAME.idx, docs/lists.md): a fresh index is
# mapped and its text never opened; an edited text makes its index stale,
# and the text is what counts (its new name is found).
if [ -s "$RULES/disposable.idx" ] && command -v strace >/dev/null 2>&1; then
	strace -f -e trace=open,openat -o "$WORK/list-index.strace" \
		"$SCORER" check --rules "$RULES" --resolver 127.0.0.1:9 --timeout 2 \
		--skip starttls,mta_sts u@mailinator.com >"$WORK/list-index.out" 2>&1
	if grep -q 'disposable\.idx' "$WORK/list-index.strace" &&
		! grep -q 'disposable\.txt' "$WORK/list-index.strace" &&
		grep -q 'domain.disposable\|disposable' "$WORK/list-index.out"; then
		pass list-index-mapped
	else
		fail list-index-mapped "$(grep disposable "$WORK/list-index.strace" | head -3)"
	fi
else
	fail list-index-mapped "no $RULES/disposable.idx (make builds it) or no strace"
fi
rules_copy
echo 'stale-index.example' >>"$WORK/rules/disposable.txt"
run list-index-stale "$SCORER" check --json --rules "$WORK/rules" \
	--resolver 127.0.0.1:9 --timeout 2 --skip starttls,mta_sts u@x.stale-index.example
if [ -s "$WORK/rules/disposable.idx" ] &&
	jq -e 'any(.findings[]; .id == "domain.disposable")' \
	"$WORK/list-index-stale.out" >/dev/null 2>&1; then
	pass list-index-stale
else
	fail list-index-stale "exit $rc: $(head -c 300 "$WORK/list-index-stale.out")"
fi
# A directory with the text lists alone (a user's --rules) still works.
rules_copy
rm -f "$WORK/rules"/*.idx
run list-text-only "$SCORER" check --json --rules "$WORK/rules" \
	--resolver 127.0.0.1:9 --timeout 2 --skip starttls,mta_sts u@mailinator.com
if jq -e 'any(.findings[]; .id == "domain.disposable")' \
	"$WORK/list-text-only.out" >/dev/null 2>&1; then
	pass list-text-only
else
	fail list-text-only "exit $rc: $(head -c 300 "$WORK/list-text-only.out")"
fi

# ---- endless and special inputs: each fails early, saying what ----------------------
# (each under a short limit: a hang is a failure)
quick() {
	local name=$1 re=$2 t0 ms
	shift 2
	t0=$(date +%s%N)
	timeout -k 2 15 "$@" >"$WORK/$name.out" 2>"$WORK/$name.err"
	rc=$?
	ms=$((($(date +%s%N) - t0) / 1000000))
	if [ "$rc" != 2 ] || ! grep -Eq -- "$re" "$WORK/$name.err"; then
		fail "$name" "exit $rc in ${ms} ms: $(head -c 300 "$WORK/$name.err")"
	else
		pass "$name (${ms} ms)"
	fi
}
quick endless-breach-corpus 'not a regular file' "$SCORER" check "${C[@]}" \
	--breach-corpus /dev/zero a@example.invalid
quick endless-corpus-info 'not a regular file' "$SCORER" corpus info /dev/zero
quick endless-corpus-lookup 'not a regular file' "$SCORER" corpus lookup /dev/zero a@example.invalid
quick endless-corpus-build 'not a text hash list' "$SCORER" corpus build /dev/zero "$WORK/z.idx"
[ ! -e "$WORK/z.idx" ] || fail endless-corpus-build-nothing "an index was written"
head -c 3000000 /dev/urandom >"$WORK/random.bin"
quick random-corpus-build 'not a text hash list' "$SCORER" corpus build "$WORK/random.bin" "$WORK/z.idx"
quick random-corpus-info 'not a text hash list' "$SCORER" corpus info "$WORK/random.bin"
quick endless-report 'longer than' "$SCORER" report --output "$WORK/z.html" /dev/zero
quick endless-diff 'longer than' "$SCORER" diff /dev/zero "$WORK/in/results.jsonl"
quick endless-baseline 'longer than' "$SCORER" report --baseline /dev/zero \
	--output "$WORK/z.html" "$WORK/in/results.jsonl"
quick endless-batch 'longer than' "$SCORER" batch "${B[@]}" --input /dev/zero --output "$WORK/z.jsonl"
quick endless-ca-file 'not a regular file' "$SCORER" check "${C[@]}" --ca-file /dev/zero a@example.invalid
rules_copy
ln -sf /dev/zero "$WORK/rules/disposable.txt"
quick endless-data-list 'disposable.txt: larger than' "$SCORER" check --rules "$WORK/rules" a@example.invalid
rules_copy
rm "$WORK/rules/findings.ini"
mkfifo "$WORK/rules/findings.ini"
(while printf '# again and again\n'; do :; done >"$WORK/rules/findings.ini") 2>/dev/null &
pids+=($!)
quick endless-rules-file 'findings.ini.*larger than' "$SCORER" check --rules "$WORK/rules" a@example.invalid
for cmd in "batch ${B[*]} --input" "report --output $WORK/d.html" "corpus build" "corpus info"; do
	name=directory-$(echo "$cmd" | cut -d' ' -f1-2 | tr ' ' -)
	[ "${cmd#corpus build}" = "$cmd" ] || extra=$WORK/d.idx
	# shellcheck disable=SC2086
	quick "$name" "$WORK/in.*(is a directory|Is a directory)" "$SCORER" $cmd "$WORK/in" ${extra:-}
	extra=
done

# ---- values from the command line and from files ---------------------------------
for r in garbage localhost:6128 127.0.0.1:abc '[::1' 127.0.0.1:99999; do
	expect "resolver-check-$r" 2 'bad resolver' "$SCORER" check \
		--rules "$RULES" --resolver "$r" a@example.invalid
	grep -qF -- "--resolver '$r'" "$WORK/resolver-check-$r.err" ||
		fail "resolver-check-$r-named" "$(head -c 200 "$WORK/resolver-check-$r.err")"
	rm -f "$WORK/res.jsonl"
	expect "resolver-batch-$r" 2 'bad resolver' "$SCORER" batch --rules "$RULES" \
		--resolver "$r" --input "$WORK/in/list.txt" --output "$WORK/res.jsonl"
	[ ! -s "$WORK/res.jsonl" ] || fail "resolver-batch-$r-nothing" "records written"
	expect "resolver-spf-$r" 2 'bad resolver' "$SCORER" spf --rules "$RULES" \
		--resolver "$r" --ip 192.0.2.1 --sender a@example.invalid
done
expect concurrency-zero 2 "--concurrency: a number from 1 to 1000000, not '0'" \
	"$SCORER" batch --concurrency 0
expect corpus-lookup-not-an-address 2 "'not an address': not an address" \
	"$SCORER" corpus lookup "$WORK/in/hashes.idx" 'not an address'
# A list without a hash: no index, unless on purpose; and an empty index
# is refused by check (breach.unverified, never "not breached").
printf 'not a hash\n' >"$WORK/nohash.txt"
expect corpus-build-empty 2 'holds no hash' "$SCORER" corpus build "$WORK/nohash.txt" "$WORK/empty.idx"
[ ! -e "$WORK/empty.idx" ] || fail corpus-build-empty-nothing "an index was written"
expect corpus-build-allow-empty 0 - "$SCORER" corpus build --allow-empty "$WORK/nohash.txt" "$WORK/empty.idx"
run check-empty-index "$SCORER" check --json "${C[@]}" --breach-corpus "$WORK/empty.idx" a@example.invalid
if jq -e 'any(.findings[]; .id == "breach.unverified" and (.detail | test("holds no hash")))' \
	"$WORK/check-empty-index.out" >/dev/null 2>&1; then
	pass check-empty-index
else
	fail check-empty-index "exit $rc: $(head -c 300 "$WORK/check-empty-index.out")"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
