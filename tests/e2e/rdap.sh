# End-to-end tests of the "rdap" check beyond its table (cases-rdap.tsv;
# docs/rdap.md), sourced by tests/e2e/run.sh after its own cases: it uses
# run.sh's helpers (run, assess_report, pass, fail, selected) and its lab
# ($WORK, $LAB_DNS, $LAB_PORT, $RULES, $RDAP_LAB: the lab RDAP server's
# documents and bootstrap file, $RDAP_LOG: its access log, one line a
# request: "END DURATION URI STATUS", seconds to the millisecond).  Case names start with "rdap-".
#
#   - the enrollment date: check --enrolled, batch --enrolled-column;
#   - politeness: the server's log shows no more requests in any second
#     than --rdap-rate allows, and one request per registrable domain;
#     a 429's Retry-After is waited out;
#   - RDAP down: the same verdicts as without the check, and
#     rdap.unavailable in every report;
#   - bad bootstrap files.
# shellcheck shell=bash disable=SC2154 # rc, elapsed_ms ...: run.sh's

# The options of every RDAP case: the lab, its RDAP server, threat model
# remote (takeover only) and no STARTTLS probe.
RDAP_ARGS=(--rules "$RULES" --resolver "$LAB_DNS" --allow-loopback
	--rdap-bootstrap "$RDAP_LAB/bootstrap.json" --threat-model remote
	--ca-file "$WORK/pki/ca.pem")

day() {
	date -u -d "$1" +%F
}

# The requests the RDAP server logged after line $1 of its log, as
# "START URI STATUS" (START: when its connection began), by START.
rdap_log_since() {
	tail -n "+$(($1 + 1))" "$RDAP_LOG" 2>/dev/null |
	    awk '{ printf "%.3f %s %s\n", $1 - $2, $3, $4 }' | sort -n
}

rdap_log_lines() {
	wc -l <"$RDAP_LOG" 2>/dev/null || echo 0
}

# The lab's rdap-reregistered.test was registered again 400 days ago.
rdap_enrolled_check() {
	local name=rdap-enrolled-check why
	selected "$name" || return 0
	run check --json "${RDAP_ARGS[@]}" --skip starttls \
	    --enrolled "$(day '-800 days')" a@rdap-reregistered.test
	if ! why=$(assess_report "$name" "$WORK/out" a@rdap-reregistered.test \
	    1 insecure domain.re_registered rdap.unavailable \
	    '.grade == "F" and (.findings[] | select(.id ==
	    "domain.re_registered") | .severity == "critical" and (.detail |
	    test("registered on .*, after this address was enrolled")))'); then
		fail "$name" "enrolled before: $why"
		return
	fi
	# Enrolled after the registration began: the user chose the domain
	# as it is now.  An RFC 3339 date and time is taken too.
	run check --json "${RDAP_ARGS[@]}" --skip starttls \
	    --enrolled "$(day '-100 days')T12:00:00+02:00" \
	    a@rdap-reregistered.test
	if ! why=$(assess_report "$name" "$WORK/out" a@rdap-reregistered.test \
	    0 secure - domain.re_registered -); then
		fail "$name" "enrolled after: $why"
		return
	fi
	# Enrolled the day the registration began, the day alone given: the
	# user may have chosen it after; not taken to be a new owner.
	run check --json "${RDAP_ARGS[@]}" --skip starttls \
	    --enrolled "$(day '-400 days')" a@rdap-reregistered.test
	if ! why=$(assess_report "$name" "$WORK/out" a@rdap-reregistered.test \
	    0 secure - domain.re_registered -); then
		fail "$name" "enrolled the same day: $why"
		return
	fi
	# The domain is also its own nameserver's and MX host's (as for most
	# domains that run their own): one entry, judged as the address's
	# domain.  The order of the answers is not forced here (test_claim
	# in tests/check_rdap.c covers the NS answer first).
	run check --json "${RDAP_ARGS[@]}" --skip starttls \
	    --enrolled "$(day '-800 days')" a@rdap-selfns.test
	if ! why=$(assess_report "$name" "$WORK/out" a@rdap-selfns.test \
	    1 insecure domain.re_registered rdap.unavailable \
	    '.checks.rdap.domains | map(select(.domain ==
	    "rdap-selfns.test")) | length == 1 and .[0].role ==
	    "address"'); then
		fail "$name" "its own nameserver's domain: $why"
		return
	fi
	run check --json "${RDAP_ARGS[@]}" --enrolled 2024-02-30 a@good.test
	if [ "$rc" != 2 ] || ! grep -q -- "--enrolled: a date" "$WORK/err"; then
		fail "$name" "a bad date: exit status $rc," \
		    "$(head -c 200 "$WORK/err")"
		return
	fi
	pass "$name"
}

# CSV with an enrollment column: each row its own date; an empty one is
# unknown; a bad one is that line's error record; the column stays in
# the key.
rdap_enrolled_batch() {
	local name=rdap-enrolled-batch got want
	selected "$name" || return 0
	{
		echo "id,email,enrolled"
		echo "1,a@rdap-reregistered.test,$(day '-800 days')"
		echo "2,b@rdap-reregistered.test,$(day '-10 days')"
		echo "3,c@rdap-reregistered.test,"
		echo "4,d@good.test,$(day '-800 days')"
		echo "5,e@good.test,yesterday"
	} >"$WORK/enrolled.csv"
	run batch "${RDAP_ARGS[@]}" --ns-port "$LAB_PORT" --skip starttls \
	    --column email --enrolled-column enrolled --quiet \
	    --input "$WORK/enrolled.csv"
	got=$(jq -r '[.line, (.key.id // "-"), .verdict,
	    ([.findings[]? | select(.id == "domain.re_registered")] | length),
	    (.error // "-" | test("enrollment date .yesterday.")),
	    (.key.enrolled != null)] | @tsv' "$WORK/out" 2>/dev/null)
	want=$(printf '%s\n' "2	1	insecure	1	false	true" \
	    "3	2	secure	0	false	true" "4	3	secure	0	false	true" \
	    "5	4	secure	0	false	true" "6	5	error	0	true	true")
	if [ "$rc" != 0 ]; then
		fail "$name" "exit status $rc: $(head -c 300 "$WORK/err")"
	elif [ "$got" != "$want" ]; then
		fail "$name" "records (line, id, verdict, re_registered, bad" \
		    "date, key): $(echo "$got" | tr '\n\t' '; ')"
	else
		run batch "${RDAP_ARGS[@]}" --enrolled-column enrolled \
		    --input "$WORK/enrolled.csv"
		if [ "$rc" != 2 ] || ! grep -q 'needs CSV input' "$WORK/err"
		then
			fail "$name" "--enrolled-column without --column:" \
			    "exit status $rc"
		else
			pass "$name"
		fi
	fi
}

# A batch over many lab domains at --rdap-rate 2: the server sees at most
# two requests in any second, and each registrable domain once (several
# addresses share good.test; every domain shares ns.lab).
rdap_rate_limit() {
	local name=rdap-rate-limit from n dup burst
	selected "$name" || return 0
	from=$(rdap_log_lines)
	printf '%s\n' a@good.test b@good.test c@good.test a@nullmx.test \
	    a@implicit.test a@dangling.test a@spf-good.test \
	    a@dmarc-none.test >"$WORK/rate.in"
	run batch "${RDAP_ARGS[@]}" --ns-port "$LAB_PORT" --skip starttls \
	    --rdap-rate 2 --timeout 15 --quiet --input "$WORK/rate.in"
	rdap_log_since "$from" >"$WORK/rate.log"
	n=$(wc -l <"$WORK/rate.log")
	dup=$(awk '{ print $2 }' "$WORK/rate.log" | sort | uniq -d | head -3)
	# Any three requests in a row span a second or more (50 ms of
	# slack for the clocks of two processes).
	burst=$(awk '{ t[NR] = $1 } END { for (i = 3; i <= NR; i++)
	    if (t[i] - t[i - 2] < 0.95) { print t[i - 2], t[i]; exit } }' \
	    "$WORK/rate.log")
	if [ "$rc" != 0 ]; then
		fail "$name" "exit status $rc: $(head -c 300 "$WORK/err")"
	elif [ "$n" -lt 7 ]; then
		fail "$name" "only $n requests logged: $(tr '\n' ';' <"$WORK/rate.log")"
	elif [ -n "$dup" ]; then
		fail "$name" "asked more than once: $dup"
	elif [ -n "$burst" ]; then
		fail "$name" "three requests within a second ($burst)"
	elif [ "$(jq -s '[.[] | select(any(.findings[]?;
	    .id == "rdap.unavailable"))] | length' "$WORK/out")" != 0 ]; then
		fail "$name" "rdap.unavailable in a record: a request was not" \
		    "sent in time"
	else
		pass "$name"
	fi
	# One domain, said once more: a second rate.
	selected rdap-rate-slow || return 0
	from=$(rdap_log_lines)
	printf '%s\n' a@good.test a@nullmx.test a@implicit.test >"$WORK/rate.in"
	run batch "${RDAP_ARGS[@]}" --ns-port "$LAB_PORT" --skip starttls \
	    --rdap-rate 0.5 --timeout 15 --quiet --input "$WORK/rate.in"
	rdap_log_since "$from" >"$WORK/rate.log"
	burst=$(awk '{ t[NR] = $1 } END { for (i = 2; i <= NR; i++)
	    if (t[i] - t[i - 1] < 1.95) { print t[i - 1], t[i]; exit } }' \
	    "$WORK/rate.log")
	if [ "$(wc -l <"$WORK/rate.log")" -ne 4 ] || [ -n "$burst" ]; then
		fail rdap-rate-slow "at 0.5 a second: $(tr '\n' ';' \
		    <"$WORK/rate.log")"
	else
		pass rdap-rate-slow
	fi
}

# The table's rdap-429 case asked three times: each retry waited out the
# Retry-After (1 s) of the 429 before.
rdap_retry_after() {
	local name=rdap-retry-after times gap
	selected "$name" || return 0
	times=$(rdap_log_since 0 |
	    awk '$2 == "/rdap/domain/rdap-429.test" { print $1 }' | tail -3)
	gap=$(echo "$times" | awk 'NR > 1 && $1 - p < 0.95 { print p, $1 }
	    { p = $1 }')
	if [ "$(echo "$times" | grep -c .)" != 3 ]; then
		fail "$name" "rdap-429.test asked $(echo "$times" | grep -c .)" \
		    "times, not 3 (run the table's rdap-429 case too)"
	elif [ -n "$gap" ]; then
		fail "$name" "a retry before Retry-After: $gap"
	else
		pass "$name"
	fi
}

# RDAP down (nothing listens where the bootstrap points): every report
# says rdap.unavailable, and the verdicts and grades are those of a run
# without the check.
rdap_down() {
	local name=rdap-down a with without
	selected "$name" || return 0
	sed "s|https://rdap.test:[0-9]*/|https://rdap.test:1/|" \
	    "$RDAP_LAB/bootstrap.json" >"$WORK/down.json"
	a=(a@good.test a@ns-dangling.test a@nullmx.test a@dangling.test
	    a@rdap-pending.test a@spf-plusall.test)
	run check --json "${RDAP_ARGS[@]}" --ns-port "$LAB_PORT" \
	    --skip starttls --rdap-bootstrap "$WORK/down.json" "${a[@]}"
	with=$(jq -r '.[] | [.address, .verdict, .grade,
	    any(.findings[]; .id == "rdap.unavailable" and
	        (.detail | test("RDAP request failed")))] | @tsv' \
	    "$WORK/out" 2>/dev/null)
	run check --json "${RDAP_ARGS[@]}" --ns-port "$LAB_PORT" \
	    --skip starttls,rdap "${a[@]}"
	without=$(jq -r '.[] | [.address, .verdict, .grade, true] | @tsv' \
	    "$WORK/out" 2>/dev/null)
	if [ -z "$with" ] || [ "$with" != "$without" ]; then
		fail "$name" "RDAP down: $(echo "$with" | tr '\n\t' '; ')" \
		    "without RDAP: $(echo "$without" | tr '\n\t' '; ')"
	else
		pass "$name"
	fi
}

# A bootstrap file that is not one: refused before any check, naming it.
rdap_bad_bootstrap() {
	local name=rdap-bad-bootstrap
	selected "$name" || return 0
	printf '{"services": 7}\n' >"$WORK/bad-bootstrap.json"
	run check "${RDAP_ARGS[@]}" --rdap-bootstrap "$WORK/bad-bootstrap.json" \
	    a@good.test
	if [ "$rc" != 2 ] || ! grep -q 'bad-bootstrap.json: no "services"' \
	    "$WORK/err"; then
		fail "$name" "malformed: exit status $rc, $(head -c 200 "$WORK/err")"
		return
	fi
	run check "${RDAP_ARGS[@]}" --rdap-bootstrap /dev/zero a@good.test
	if [ "$rc" != 2 ] || ! grep -q 'not a regular file' "$WORK/err"; then
		fail "$name" "/dev/zero: exit status $rc, $(head -c 200 "$WORK/err")"
		return
	fi
	run check "${RDAP_ARGS[@]}" --rdap-rate 0 a@good.test
	if [ "$rc" != 2 ] || ! grep -q -- "--rdap-rate '0'" "$WORK/err"; then
		fail "$name" "--rdap-rate 0: exit status $rc"
		return
	fi
	pass "$name"
}

rdap_enrolled_check
rdap_enrolled_batch
rdap_rate_limit
rdap_retry_after
rdap_down
rdap_bad_bootstrap
