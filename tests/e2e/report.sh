#!/usr/bin/env bash
# End-to-end tests of `scorer report`: a results file from `scorer batch`
# against the Knot lab, with hostile and broken lines added, turned into a
# page that headless Chromium renders (offline: every host name resolves
# to nothing) and tests/e2e/report-check.py inspects: the counts against
# the results (users, not occurrences; invalid addresses apart) and
# against the batch's --summary, the order of risk (severity, then users;
# takeover and interception apart from hygiene) and of the domains to
# fix, no address in the page without --show-addresses, hostile strings
# kept as text, the search script, no links, printing to PDF.  The same
# page from records written with --evidence; then the limits (rows,
# domains, memory) and the exit status.
#
#   SCORER=build/scorer tests/e2e/report.sh
#   REPORT_SCREENSHOT=docs/report.png tests/e2e/report.sh   (keep the picture)
#
# Prints "ok NAME" / "FAIL NAME: why", then "N passed, N failed".
set -u

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SCORER=${SCORER:-$TOP/build/scorer}
RULES=${RULES:-$TOP/rules}
LAB=$TOP/tests/lab/lab.sh
CHECK=$TOP/tests/e2e/report-check.py
PYTHON3=${PYTHON3:-python3}
CHROMIUM=${CHROMIUM:-$(command -v chromium || command -v chromium-browser)}
passed=0
failed=0

WORK=$(mktemp -d "${TMPDIR:-/tmp}/scorer-report.XXXXXX") || exit 1
cleanup() {
	"$LAB" stop "$WORK/lab"
	rm -rf "$WORK"
}
trap cleanup EXIT

pass() { echo "ok $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: ${*:2}"; failed=$((failed + 1)); }

# report-check.py prints ok/FAIL lines: count them as ours.
checked() {
	local out line
	if ! out=$("$PYTHON3" "$CHECK" "$@" 2>&1); then
		fail "report-check $*" "$out"
		return
	fi
	while IFS= read -r line; do
		case $line in
		"ok "*) pass "${line#ok }" ;;
		"FAIL "*) fail "${line#FAIL }" ;;
		esac
	done <<<"$out"
}

# Headless Chromium as CI runs it (root: no sandbox), with no network:
# every name maps to nothing, so a page that needed the network would
# show it.  Bounded by timeout.
chrome() {
	local profile
	profile=$(mktemp -d "$WORK/chrome.XXXXXX")
	timeout 90 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
		--disable-quic --no-first-run --disable-background-networking \
		--disable-component-update --disable-sync \
		--host-resolver-rules="MAP * ~NOTFOUND" \
		--user-data-dir="$profile" "$@" 2>>"$WORK/chrome.err"
}

"$LAB" start "$WORK/lab" >/dev/null 2>"$WORK/lab.err" || {
	cat "$WORK/lab.err" >&2
	exit 1
}
# shellcheck source=/dev/null
. "$WORK/lab/env"

# ---- a results file from the lab ---------------------------------------
# 30 users at a null-MX domain make domain.null_mx the top finding (the
# users at good.test, mailinator.com and gmial.com share tlsrpt.missing,
# low: hygiene).
{
	for i in $(seq 1 30); do
		echo "user$i@nullmx.test"
		[ $((i % 3)) = 0 ] && echo "ok$i@good.test"
		[ $((i % 5)) = 0 ] && echo "old$i@expired-startup.test"
		[ $((i % 10)) = 0 ] && echo "temp$i@mailinator.com"
	done
	echo 'typo1@gmial.com'
	echo 'typo2@gmial.com'
	# 10 at a lookalike (high): more users than expired-startup.test's
	# NXDOMAIN (critical, 6), which still comes first
	for i in $(seq 1 10); do echo "digit$i@gmai1.com"; done
	echo 'not an address'
	echo 'two@@at.test'
	echo '"><script>alert(1)</script>@x.test'
	echo '<img src=x onerror=alert(3)>@x.test'
} >"$WORK/users.txt"
# DNS only (no RDAP: this lab has no registry, and rdap.unavailable, on
# every record, would rank first by users).
# shellcheck disable=SC2054 # the commas are --skip's
BATCH=(--resolver "$LAB_DNS" --rules "$RULES" --allow-loopback --quiet
	--skip starttls,mta_sts,rdap --timeout 10
	--ns-port "$LAB_PORT")
timeout 120 "$SCORER" batch "${BATCH[@]}" --input "$WORK/users.txt" \
	--output "$WORK/results.jsonl" --summary "$WORK/summary.json"
# The same run with the whole reports: the page must not change.
timeout 120 "$SCORER" batch "${BATCH[@]}" --input "$WORK/users.txt" \
	--output "$WORK/evidence.jsonl" --evidence
if [ "$(wc -l <"$WORK/results.jsonl")" -eq "$(wc -l <"$WORK/users.txt")" ]; then
	pass batch-results
else
	fail batch-results "$(wc -l <"$WORK/results.jsonl") records"
fi

# Hand-made lines: garbage, records without a verdict, hostile text in
# every field a page shows, a batch error record, a blank line (ignored)
# and a half-written last line, as a killed batch leaves.
cat >>"$WORK/results.jsonl" <<'EOF'
this is not json
{"line":9001,"address":"nobody@x.test"}
[1,2,3]

{"line":9002,"address":"x@y.test","verdict":"maybe"}
{"line":9003,"address":"mallory@evil.test","domain":"evil.test","verdict":"insecure","grade":"F","score":0,"findings":[{"id":"x.<b>bold</b>","severity":"critical\" onmouseover=\"alert(4)","category":"takeover","points":100,"title":"<img src=x onerror=alert(5)>","detail":"<img src=x onerror=alert(2)></td></tr></table><script>alert(6)</script>","why":"","fix":"<a href=\"https://evil.example/\">click</a>"}],"records":[]}
{"line":9004,"address":"</textarea><svg onload=alert(7)>","verdict":"error","error":"<iframe src=javascript:alert(8)>"}
EOF
printf '{"line":9005,"address":"half' >>"$WORK/results.jsonl"

# The expected numbers, by jq rather than by the code under test.
verdict_count() {
	jq -R -r 'fromjson? | objects | .verdict | strings' \
		"$WORK/results.jsonl" | grep -cx "$1"
}
secure=$(verdict_count secure)
insecure=$(verdict_count insecure)
# Invalid: a bad input line (no address) or address.invalid; the other
# records of verdict error could not be assessed.
invalid=$(jq -R -r 'fromjson? | objects | select(.verdict == "error") |
	select(.address == null or any(.findings[]?; .id == "address.invalid"))
	| .line' "$WORK/results.jsonl" | wc -l)
error=$(($(verdict_count error) - invalid))
records=$((secure + insecure + error + invalid))
nonblank=$(grep -c '[^[:space:]]' "$WORK/results.jsonl")
bad=$((nonblank - records))
nullmx=$(grep -c '@nullmx.test$' "$WORK/users.txt")

HOSTILE=(
	'text="><script>alert(1)</script>@x.test'
	'text=<img src=x onerror=alert(3)>@x.test'
	'text=<img src=x onerror=alert(2)></td></tr></table><script>alert(6)</script>'
	'text=<img src=x onerror=alert(5)>'
	'text=<a href="https://evil.example/">click</a>'
	'text=x.<b>bold</b>'
	'text=</textarea><svg onload=alert(7)>'
	'text=<iframe src=javascript:alert(8)>'
)
EXPECT=(records="$records" secure="$secure" insecure="$insecure"
	error="$error" invalid="$invalid" bad="$bad"
	rows=$((insecure + error + invalid))
	top_finding=domain.null_mx top_domain=nullmx.test
	top_domain_insecure="$nullmx" jsonl="$WORK/results.jsonl" rules="$RULES")

timeout 60 "$SCORER" report --output "$WORK/report.html" "$WORK/results.jsonl"
rc=$?
if [ "$rc" = 0 ] && [ -s "$WORK/report.html" ]; then
	pass report-written
else
	fail report-written "rc=$rc"
fi
# Without --show-addresses: no address.
checked page "$WORK/report.html" "${EXPECT[@]}" addresses=hidden
# With it: the addresses, hostile ones too, are there as text.
timeout 60 "$SCORER" report --show-addresses --output "$WORK/report-a.html" \
	"$WORK/results.jsonl"
checked page "$WORK/report-a.html" "${EXPECT[@]}" label=page-addresses \
	addresses=shown "${HOSTILE[@]}"
# Records with the evidence make the same page as compact ones (but for
# the source's name, the time and the nonce): the batch's own lines.
head -n "$(wc -l <"$WORK/evidence.jsonl")" "$WORK/results.jsonl" \
	>"$WORK/results-only.jsonl"
timeout 60 "$SCORER" report --output "$WORK/report-c.html" "$WORK/results-only.jsonl"
timeout 60 "$SCORER" report --output "$WORK/report-e.html" "$WORK/evidence.jsonl"
strip() { sed -e 's/nonce-[0-9a-f]*/N/g; s/nonce="[0-9a-f]*"/N/g' \
	-e '/class="meta"/d' "$1"; }
if [ -s "$WORK/report-e.html" ] &&
	diff <(strip "$WORK/report-e.html") <(strip "$WORK/report-c.html") \
	>"$WORK/page.diff"; then
	pass evidence-same-page
else
	fail evidence-same-page "$(head -20 "$WORK/page.diff")"
fi
# The batch's own lines: the page's numbers are its summary's and its
# records'.
checked page "$WORK/report-c.html" label=page-summary \
	jsonl="$WORK/results-only.jsonl" rules="$RULES" \
	summary="$WORK/summary.json"
# scorer diff on the same run, compact against evidence: no change.
if "$SCORER" diff "$WORK/evidence.jsonl" "$WORK/results-only.jsonl" \
	>"$WORK/diff.txt" 2>&1 &&
	grep -q ': 0 worse, 0 better, 0 could not be assessed' "$WORK/diff.txt"; then
	pass diff-evidence-compact
else
	fail diff-evidence-compact "$(cat "$WORK/diff.txt")"
fi

# ---- rendered by Chromium ------------------------------------------------
if [ -z "$CHROMIUM" ]; then
	fail chromium "chromium is not installed: scripts/install-deps.sh" \
	    "installs Debian's chromium, which this test needs"
else
	chrome --dump-dom "file://$WORK/report.html" >"$WORK/dom.html"
	if grep -q '</html>' "$WORK/dom.html"; then
		pass chromium-renders
		checked dom "$WORK/dom.html" "${EXPECT[@]}" addresses=hidden
	else
		fail chromium-renders "no DOM: $(tail -3 "$WORK/chrome.err")"
	fi
	chrome --dump-dom "file://$WORK/report-a.html" >"$WORK/dom-a.html"
	checked dom "$WORK/dom-a.html" "${EXPECT[@]}" label=dom-addresses \
		addresses=shown "${HOSTILE[@]}"
	# The script ran: "#q=" in the address filters the rows.
	chrome --dump-dom "file://$WORK/report.html#q=nullmx.test" \
		>"$WORK/dom-q.html"
	checked dom "$WORK/dom-q.html" label=dom-search visible="$nullmx"
	# Printed: a PDF, without the table of users (the print style sheet
	# hides it; the page says so in print only).
	chrome --print-to-pdf="$WORK/report.pdf" --no-pdf-header-footer \
		"file://$WORK/report.html" >/dev/null
	if [ "$(head -c 5 "$WORK/report.pdf" 2>/dev/null)" = "%PDF-" ] &&
		grep -q '@media print{' "$WORK/report.html" &&
		grep -q '#table,.tools,footer{display:none}' "$WORK/report.html"; then
		pass print-pdf
	else
		fail print-pdf "no PDF or no print style: $(tail -3 "$WORK/chrome.err")"
	fi
	# The picture of docs/report.md: 412 users of the demo domains, a CSV
	# with a user_id column, DNS checks only, against a baseline where
	# good.test still had a TLS-RPT record (REPORT_SCREENSHOT=FILE keeps
	# it).
	awk 'BEGIN { print "user_id,email"; srand(7);
		n = split("good.test good.test good.test northwind.test " \
		    "northwind.test xn--bcher-kva.test implicit.test " \
		    "nullmx.test expired-startup.test dangling-regdom.test " \
		    "mailinator.com gmai1.com private.test nomail.test", d, " ");
		for (i = 1; i <= 412; i++) {
			if (i % 97 == 0) { printf "u%05d,not-an-address\n", i; continue }
			printf "u%05d,user%d@%s\n", i, i, d[1 + int(rand() * n)] } }' \
		>"$WORK/demo.csv"
	timeout 120 "$SCORER" batch "${BATCH[@]}" --input "$WORK/demo.csv" \
		--column email --output "$WORK/demo.jsonl"
	jq -c 'if .domain == "good.test" then .findings -= [.findings[]
		| select(.id == "tlsrpt.missing")] | .grade = "A+" | .score = 100
		| .checked = "2026-01-05T06:00:00Z" else . end' "$WORK/demo.jsonl" \
		>"$WORK/demo-old.jsonl"
	"$SCORER" report --baseline "$WORK/demo-old.jsonl" \
		--output "$WORK/demo.html" "$WORK/demo.jsonl"
	chrome --screenshot="$WORK/report.png" --window-size=1280,2560 \
		--hide-scrollbars "file://$WORK/demo.html" >/dev/null
	magic=$(head -c 4 "$WORK/report.png" 2>/dev/null | od -An -c | tr -d ' ')
	if [ "$magic" = 211PNG ]; then
		pass screenshot
		if [ -n "${REPORT_SCREENSHOT:-}" ]; then
			cp "$WORK/report.png" "$REPORT_SCREENSHOT"
		fi
	else
		fail screenshot "no PNG: $(tail -3 "$WORK/chrome.err")"
	fi
fi

# ---- limits: rows, domains, memory ---------------------------------------
# 100,000 synthetic insecure records at 20,000 domains: the table stops at
# --rows, the domain table (bounded to 1,000) is cut and says so, and the
# page stays small whatever the input's size.
awk 'BEGIN { for (i = 1; i <= 100000; i++)
	printf "{\"line\":%d,\"address\":\"u%d@d%d.test\",\"domain\":\"d%d.test\",\"verdict\":\"insecure\",\"grade\":\"F\",\"score\":0,\"findings\":[{\"id\":\"domain.nxdomain\",\"severity\":\"critical\",\"title\":\"t\",\"detail\":\"d%d.test does not exist\",\"fix\":\"f\"}],\"records\":[]}\n", i, i, i % 20000, i % 20000, i % 20000 }' \
	>"$WORK/big.jsonl"
# ASan holds freed memory in a quarantine; keep it small for the measure.
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=8 \
	timeout 300 /usr/bin/time -f %M -o "$WORK/rss" \
	"$SCORER" report --rows 5000 --max-domains 1000 \
	--output "$WORK/big.html" "$WORK/big.jsonl"
rc=$?
if [ "$rc" = 0 ]; then pass big-report; else fail big-report "rc=$rc"; fi
checked page "$WORK/big.html" label=big records=100000 insecure=100000 \
	rows=5000 more=95000 top_finding=domain.nxdomain max_bytes=4000000 pruned=1
# The input is ~20 MB; a reader that held it (as jansson trees) would
# take several times that.
rss=$(tail -1 "$WORK/rss")
kib=$(($(wc -c <"$WORK/big.jsonl") / 1024))
if [ "${rss:-999999}" -lt 60000 ]; then
	pass "bounded-memory (${rss} KiB for $kib KiB in)"
else
	fail bounded-memory "peak RSS ${rss:-?} KiB"
fi

# ---- output places and exit status ---------------------------------------
mkdir "$WORK/cwd"
if (cd "$WORK/cwd" && "$SCORER" report "$WORK/results.jsonl") &&
	[ -s "$WORK/cwd/report.html" ] &&
	[ -z "$(find "$WORK/cwd" -name 'report.html.*')" ]; then
	pass default-output
else
	fail default-output "no report.html in the current directory"
fi
if "$SCORER" report --output - "$WORK/results.jsonl" | grep -q '</html>'; then
	pass stdout
else
	fail stdout "nothing on stdout"
fi
if "$SCORER" report - --output - <"$WORK/results.jsonl" |
	grep -q "id=\"n-records\">$records<"; then
	pass stdin
else
	fail stdin "standard input not read"
fi
expect_status() {
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
expect_status missing-input 2 "$SCORER" report --output "$WORK/x.html" \
	"$WORK/no-such.jsonl"
expect_status unwritable-output 2 "$SCORER" report \
	--output "$WORK/no/such/dir/r.html" "$WORK/results.jsonl"
expect_status output-is-directory 2 "$SCORER" report --output "$WORK/cwd" \
	"$WORK/results.jsonl"
expect_status no-input 2 "$SCORER" report
expect_status bad-rows 2 "$SCORER" report --rows -1 "$WORK/results.jsonl"
expect_status help 0 "$SCORER" report --help
: >"$WORK/empty.jsonl"
expect_status empty-input 0 "$SCORER" report --output "$WORK/empty.html" \
	"$WORK/empty.jsonl"
checked page "$WORK/empty.html" label=empty records=0 rows=0
if [ -e "$WORK/x.html" ] ||
	[ -n "$(find "$WORK" -maxdepth 1 -name '*.html.*' -o -name 'cwd.*')" ]; then
	fail no-leftovers "a failed run left a file: $(ls "$WORK")"
else
	pass no-leftovers
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
