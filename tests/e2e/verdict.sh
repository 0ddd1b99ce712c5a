# End-to-end tests of what a verdict may rest on (docs/verdict.md),
# sourced by tests/e2e/run.sh after its own cases: it uses run.sh's
# helpers (run, assess_report, pass, fail, selected, start_fixture) and
# its lab ($WORK, $LAB_DNS, $LAB_PORT, $LAB_SIGN, $SCORER, $RULES).
#
#   - the resolver is checked before it is believed: a resolver that says
#     NXDOMAIN for every name, the root included, with no SOA (the servfail
#     fixture with -r 3: a captive portal, a sandbox) or with the SOA of a
#     zone of its own (-S rpz.local); a real filtering resolver (Unbound
#     with an RPZ policy zone) that blocks one domain and answers the rest
#     honestly.  "Does not exist" must not be concluded from any of them;
#   - the run's notices, said once: on stderr after `check`, and in the
#     summary of `batch`, for the lying resolver and for port 25 blocked.
#
# Case names start with "resolver-" or "notice-".
# shellcheck shell=bash disable=SC2154 # rc, fixture_port ...: run.sh's

# verdict_liar NAME SERVFAIL-OPTIONS...: every address through a lying
# resolver is "could not be assessed", never "anyone may register it".
verdict_liar() {
	local name=$1 why says
	shift
	selected "$name" || return 0
	if ! start_fixture servfail "$@"; then
		fail "$name" "fixture servfail did not start (make fixtures)"
		return
	fi
	says='"without the SOA"'
	[ "${*: -1}" = rpz.local ] && says='"SOA of rpz.local"'
	run check --json --rules "$RULES" --resolver "127.0.0.1:$fixture_port" \
	    --timeout 3 --allow-loopback alice@gmail.com
	kill "${fixture_pids[-1]}" 2>/dev/null
	if ! why=$(assess_report "$name" "$WORK/out" alice@gmail.com 2 error \
	    dns.resolver_untrusted domain.nxdomain,mx.dangling,domain.no_mail \
	    ".grade == null and .score == null and
	     (.headline | test(\"cannot be believed\")) and any(.findings[]; .id ==
	     \"dns.resolver_untrusted\" and .unverified and .points == 0 and
	     (.detail | test($says)) and (.detail | test(\"127.0.0.1:\")))"); then
		fail "$name" "$why"
	elif [ "$(grep -c 'scorer: note: the resolver 127.0.0.1' \
	    "$WORK/err")" != 1 ]; then
		fail "$name" "the notice is not on stderr once:" \
		    "$(head -c 300 "$WORK/err")"
	else
		pass "$name"
	fi
}

# A batch through the lying resolver: every record an error, and the
# summary says why once, not per record.
verdict_liar_batch() {
	local name=resolver-liar-batch
	selected "$name" || return 0
	if ! start_fixture servfail -r 3; then
		fail "$name" "fixture servfail did not start (make fixtures)"
		return
	fi
	printf 'a@gmail.com\nb@example.org\nc@gone.test\n' >"$WORK/liar.in"
	run batch --rules "$RULES" --resolver "127.0.0.1:$fixture_port" \
	    --timeout 3 --input "$WORK/liar.in" --output "$WORK/liar.jsonl" \
	    --summary "$WORK/liar.json"
	kill "${fixture_pids[-1]}" 2>/dev/null
	if ! jq -se 'length == 3 and all(.verdict == "error" and
	    any(.findings[]; .id == "dns.resolver_untrusted") and
	    all(.findings[]; .id != "domain.nxdomain"))' "$WORK/liar.jsonl" \
	    >/dev/null 2>&1; then
		fail "$name" "records: $(head -c 300 "$WORK/liar.jsonl")"
	elif ! jq -e '.verdicts.error == 3 and (.notices | length) == 1 and
	    (.notices[0] | test("without proof 3 times"))' "$WORK/liar.json" \
	    >/dev/null 2>&1; then
		fail "$name" "summary: $(head -c 400 "$WORK/liar.json")"
	else
		pass "$name"
	fi
}

# A real filtering resolver: Unbound with an RPZ policy zone that blocks
# good.test (NXDOMAIN, no SOA) and answers everything else as it is.
verdict_rpz() {
	local name=resolver-rpz dir=$WORK/unbound-rpz why
	selected "$name" || return 0
	mkdir -p "$dir"
	printf '%s\n' '$TTL 60' \
	    '@ SOA localhost. root.localhost. 1 3600 600 86400 60' \
	    '  NS localhost.' 'good.test CNAME .' '*.good.test CNAME .' \
	    >"$dir/rpz.zone"
	# shellcheck disable=SC2086 # a list of zones
	if ! UNBOUND_RPZ=$dir/rpz.zone "$TOP/tests/lab/unbound.sh" start \
	    "$dir" "$LAB_PORT" $LAB_SIGN 2>"$WORK/unbound-rpz.err"; then
		fail "$name" "Unbound with RPZ did not start:" \
		    "$(head -c 300 "$WORK/unbound-rpz.err")"
		return
	fi
	fixture_pids+=("$(cat "$dir/unbound.pid")")
	local res
	res=$(sed -n 's/^UNBOUND_DNS=//p' "$dir/unbound.env")
	run check --json --rules "$RULES" --resolver "$res" --allow-loopback \
	    --timeout 5 alice@good.test
	if ! why=$(assess_report "$name" "$WORK/out" alice@good.test 2 error \
	    dns.resolver_untrusted domain.nxdomain \
	    '.grade == null and any(.findings[]; .id ==
	     "dns.resolver_untrusted" and (.detail | test("good.test")))'); then
		fail "$name" "blocked domain: $why"
		"$TOP/tests/lab/unbound.sh" stop "$dir"
		return
	fi
	# The same resolver's honest NXDOMAIN (Knot's SOA in it) is believed.
	run check --json --rules "$RULES" --resolver "$res" --allow-loopback \
	    --timeout 5 erin@expired-startup.test
	if ! why=$(assess_report "$name" "$WORK/out" \
	    erin@expired-startup.test 1 insecure domain.nxdomain \
	    dns.resolver_untrusted -); then
		fail "$name" "honest NXDOMAIN: $why"
	else
		pass "$name"
	fi
	"$TOP/tests/lab/unbound.sh" stop "$dir"
}

# Port 25 blocked (a closed port stands for it): said once, plainly, with
# what to do; in a batch, once in the summary.
verdict_port25() {
	local name=notice-port25
	selected "$name" || return 0
	run check --rules "$RULES" --resolver "$LAB_DNS" --allow-loopback \
	    --smtp-port 1 ceo@northwind.test alice@good.test
	if [ "$rc" != 2 ]; then
		fail "$name" "exit status $rc, expected 2"
	elif [ "$(grep -c 'note: no MX host could be reached on port 1' \
	    "$WORK/err")" != 1 ] || ! grep -q -- '--skip starttls' "$WORK/err"
	then
		fail "$name" "no single notice on stderr: $(head -c 300 "$WORK/err")"
	elif ! grep -q 'COULD NOT BE ASSESSED: A mail server could not be' \
	    "$WORK/out" || ! grep -q 'No grade or score' "$WORK/out"; then
		fail "$name" "text: $(head -c 400 "$WORK/out")"
	else
		printf 'ceo@northwind.test\nalice@good.test\n' >"$WORK/p25.in"
		run batch --rules "$RULES" --resolver "$LAB_DNS" \
		    --ns-port "$LAB_PORT" \
		    --allow-loopback --smtp-port 1 --input "$WORK/p25.in" \
		    --output "$WORK/p25.jsonl" --summary "$WORK/p25.json"
		if jq -e '(.notices | length) == 1 and (.notices[0] |
		    test("port 1 is probably blocked"))' "$WORK/p25.json" \
		    >/dev/null 2>&1; then
			pass "$name"
		else
			fail "$name" "summary: $(head -c 400 "$WORK/p25.json")"
		fi
	fi
}

verdict_liar resolver-liar -r 3
verdict_liar resolver-liar-soa -r 3 -S rpz.local
verdict_liar_batch
verdict_rpz
verdict_port25
