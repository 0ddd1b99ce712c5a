# The STARTTLS probe's end-to-end cases beyond the table (cases-tls.tsv);
# sourced by tests/e2e/run.sh after its own cases, with its helpers and
# the STARTTLS lab (SMTP_PORT, SMTP_LOG, PKI) at hand.
# shellcheck shell=bash

# The lab itself: Postfix and the fixtures are up.
case_smtp_lab() {
	selected smtp-lab || return 0
	if [ -n "$smtp_lab_error" ]; then
		fail smtp-lab "$smtp_lab_error"
	else
		pass smtp-lab
	fi
}

# A tarpit (accepts, never speaks) cannot hold the report past the
# deadline: --timeout 3 gives starttls.unreachable "timed out" within 5 s.
# Checked with a sound domain beside it, which still gets its TLS answer.
case_tarpit() {
	local why
	selected tls-tarpit || return 0
	extra=(--timeout 3)
	check_json a@tls-tarpit.test
	if [ "$elapsed_ms" -gt 5000 ]; then
		fail tls-tarpit "took ${elapsed_ms} ms with --timeout 3"
	elif why=$(assess_report tls-tarpit "$WORK/out" a@tls-tarpit.test - - \
	    starttls.unreachable starttls.unsupported,tls.*,dns.unverified \
	    'any(.findings[]; .id == "starttls.unreachable" and (.detail | test("timed out")))'); then
		echo "   tarpit bound: ${elapsed_ms} ms with --timeout 3"
		pass tls-tarpit
	else
		fail tls-tarpit "$why"
	fi
	selected tls-tarpit-beside || return 0
	check_json a@tls-tarpit.test a@tls-good.test
	if [ "$elapsed_ms" -gt 5000 ]; then
		fail tls-tarpit-beside "took ${elapsed_ms} ms with --timeout 3"
	elif ! jq -e '.[1].checks.starttls.hosts[0].addresses[0].status == "tls"
	    and .[1].verdict != "error"' "$WORK/out" >/dev/null 2>&1; then
		fail tls-tarpit-beside "the sound domain beside the tarpit lost" \
		    "its answer: $(head -c 300 "$WORK/out")"
	else
		pass tls-tarpit-beside
	fi
}

# One probe per address and run: two domains whose MX hosts share an
# address cost one connection.
case_shared() {
	local before after
	selected tls-shared || return 0
	extra=()
	before=$(grep -c EHLO "$SMTP_LOG.notls" 2>/dev/null)
	check_json a@tls-notls.test a@tls-shared.test a@tls-backup.test
	after=$(grep -c EHLO "$SMTP_LOG.notls" 2>/dev/null)
	if [ "$rc" != 1 ]; then
		fail tls-shared "exit status $rc, expected 1"
	elif [ $((after - before)) != 1 ]; then
		fail tls-shared "$((after - before)) connections to 127.0.2.11 for" \
		    "three domains sharing it, expected 1"
	elif ! jq -e 'all(.[]; any(.findings[]; .id == "starttls.unsupported"))' \
	    "$WORK/out" >/dev/null 2>&1; then
		fail tls-shared "not every report has starttls.unsupported"
	else
		pass tls-shared
	fi
}

# The probe never sends mail: the servers saw EHLO, STARTTLS and QUIT only
# (smtpfix logs every command; Postfix counts them in its "disconnect"
# line, which must read "ehlo=1 starttls=1 quit=1 commands=3").
case_commands() {
	local bad i lines
	selected smtp-commands || return 0
	extra=()
	check_json a@tls-good.test a@tls-notls.test a@tls-selfsigned.test
	bad=$(cat "$SMTP_LOG".* 2>/dev/null |
	    grep -vE '^[^ ]+ (EHLO scorer\.invalid|STARTTLS|QUIT)$' | head -3)
	if [ -n "$bad" ]; then
		fail smtp-commands "a fixture saw: $bad"
		return
	fi
	# postlogd writes asynchronously: wait (bounded) for the lines.
	for ((i = 0; i < 30; i++)); do
		lines=$(grep -c 'disconnect from' "$WORK/postfix/postfix.log" \
		    2>/dev/null)
		[ "${lines:-0}" -gt 0 ] && break
		sleep 0.1
	done
	bad=$(grep 'disconnect from' "$WORK/postfix/postfix.log" 2>/dev/null |
	    grep -v ' ehlo=1 starttls=1 quit=1 commands=3$' | head -3)
	if [ "${lines:-0}" = 0 ]; then
		fail smtp-commands "Postfix logged no session"
	elif [ -n "$bad" ]; then
		fail smtp-commands "Postfix saw: $bad"
	elif ! grep -q EHLO "$SMTP_LOG.notls" 2>/dev/null; then
		fail smtp-commands "the notls fixture saw nothing"
	else
		pass smtp-commands
	fi
}

# --mx-sessions 1: one session at a time per address; a tarpit that holds
# its address's only session does not hold up the probes of other
# addresses (a sound domain, and two domains sharing one address, which
# still cost one connection).  Values outside 1..32 are refused.
case_mx_sessions() {
	local before after out
	selected tls-mx-sessions || return 0
	extra=(--timeout 3 --mx-sessions 1)
	before=$(grep -c EHLO "$SMTP_LOG.notls" 2>/dev/null)
	check_json a@tls-tarpit.test a@tls-good.test a@tls-notls.test \
	    a@tls-shared.test
	after=$(grep -c EHLO "$SMTP_LOG.notls" 2>/dev/null)
	if [ "$elapsed_ms" -gt 5000 ]; then
		fail tls-mx-sessions "took ${elapsed_ms} ms with --timeout 3"
	elif ! jq -e '.[1].checks.starttls.hosts[0].addresses[0].status == "tls"
	    and (.[2:] | all(.[]; any(.findings[]; .id == "starttls.unsupported")))' \
	    "$WORK/out" >/dev/null 2>&1; then
		fail tls-mx-sessions "a probe was held up: $(head -c 300 "$WORK/out")"
	elif [ $((after - before)) != 1 ]; then
		fail tls-mx-sessions "$((after - before)) connections to 127.0.2.11," \
		    "expected 1"
	elif out=$("$SCORER" check --mx-sessions 0 a@tls-good.test 2>&1); then
		fail tls-mx-sessions "--mx-sessions 0 was accepted"
	elif ! grep -q "mx-sessions '0': invalid value" <<<"$out"; then
		fail tls-mx-sessions "--mx-sessions 0: $out"
	else
		pass tls-mx-sessions
	fi
}

case_smtp_lab
case_tarpit
case_shared
case_commands
case_mx_sessions
