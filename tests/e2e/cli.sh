# End-to-end tests of the command line itself (GNU-style options, standard
# input as "-", short options, help, explain --list), sourced by
# tests/e2e/run.sh: it uses run.sh's helpers (run, pass, fail, selected)
# and its lab ($WORK, $LAB_DNS, $RULES).  Case names start with "cli-".
# tests/docs/run.py holds the help texts against the man page.
# shellcheck shell=bash disable=SC2154 # rc: run.sh's

# The lab options of a check, as check_json gives them, under the threat
# model remote: these cases are about the command line, and good.test (no
# MTA-STS) is secure only when reading the mail on the way is not rated.
CLI_LAB=(--rules "$RULES" --resolver "$LAB_DNS" --allow-loopback
	--threat-model remote --ns-port "$LAB_PORT")

# cli_jq NAME FILTER: does the JSON of $WORK/out pass the jq filter?
cli_jq() {
	jq -e "$2" "$WORK/out" >/dev/null 2>&1
}

# cli_expect NAME RC JQ-FILTER: the exit status is RC and, unless the
# filter is "-", stdout is JSON that passes it.
cli_expect() {
	local name=$1 want=$2 filter=$3
	if [ "$rc" != "$want" ]; then
		fail "$name" "exit status $rc, expected $want: $(head -c 300 "$WORK/err")"
	elif [ "$filter" != - ] && ! cli_jq "$name" "$filter"; then
		fail "$name" "output fails $filter: $(head -c 300 "$WORK/out")"
	else
		pass "$name"
	fi
}

cli_options() {
	if selected cli-options-after-operands; then
		# getopt permutes: options after the address still count
		run check alice@good.test --json "${CLI_LAB[@]}"
		cli_expect cli-options-after-operands 0 \
			'.address == "alice@good.test" and .verdict == "secure"'
	fi
	if selected cli-short-options; then
		run check -j -r "$LAB_DNS" -t 5 --rules "$RULES" \
			--allow-loopback bob@nullmx.test
		cli_expect cli-short-options 1 '.verdict == "insecure"'
	fi
	if selected cli-bundled-short-options; then
		run check -jq "${CLI_LAB[@]}" bob@nullmx.test
		if [ "$rc" = 1 ] && [ ! -s "$WORK/out" ]; then
			pass cli-bundled-short-options
		else
			fail cli-bundled-short-options "exit $rc, output:" \
				"$(head -c 200 "$WORK/out")"
		fi
	fi
	if selected cli-double-dash; then
		# after --, "-x@good.test" is an address, not options
		run check --json "${CLI_LAB[@]}" -- -x@good.test
		cli_expect cli-double-dash 0 '.address == "-x@good.test"'
	fi
	if selected cli-dash-address-needs-double-dash; then
		run check --json "${CLI_LAB[@]}" -x@good.test
		if [ "$rc" = 2 ] && grep -q "scorer check --help" "$WORK/err"; then
			pass cli-dash-address-needs-double-dash
		else
			fail cli-dash-address-needs-double-dash "exit $rc:" \
				"$(head -c 200 "$WORK/err")"
		fi
	fi
	if selected cli-unknown-option; then
		run check --bogus alice@good.test
		if [ "$rc" = 2 ] && grep -q "'--bogus'" "$WORK/err" &&
			grep -q "Try 'scorer check --help'" "$WORK/err" &&
			[ ! -s "$WORK/out" ]; then
			pass cli-unknown-option
		else
			fail cli-unknown-option "exit $rc: $(head -c 200 "$WORK/err")"
		fi
	fi
	if selected cli-missing-value; then
		run check alice@good.test --timeout
		if [ "$rc" = 2 ] && grep -q "timeout" "$WORK/err"; then
			pass cli-missing-value
		else
			fail cli-missing-value "exit $rc: $(head -c 200 "$WORK/err")"
		fi
	fi
	if selected cli-quiet; then
		run check -q "${CLI_LAB[@]}" alice@good.test
		local secure_rc=$rc
		run check --quiet "${CLI_LAB[@]}" alice@good.test bob@nullmx.test
		if [ "$secure_rc" = 0 ] && [ "$rc" = 1 ] && [ ! -s "$WORK/out" ]; then
			pass cli-quiet
		else
			fail cli-quiet "exit $secure_rc and $rc (want 0 and 1)," \
				"output: $(head -c 200 "$WORK/out")"
		fi
	fi
}

cli_stdin() {
	if selected cli-check-stdin; then
		printf 'alice@good.test\n# a comment\n\n  bob@nullmx.test  \r\n' \
			>"$WORK/cli-in.txt"
		run check -j "${CLI_LAB[@]}" - <"$WORK/cli-in.txt"
		cli_expect cli-check-stdin 1 'length == 2 and
			.[0].address == "alice@good.test" and
			.[0].verdict == "secure" and
			.[1].address == "bob@nullmx.test" and
			.[1].verdict == "insecure"'
	fi
	if selected cli-check-stdin-and-arguments; then
		printf 'alice@good.test\n' >"$WORK/cli-in.txt"
		run check -j "${CLI_LAB[@]}" bob@nullmx.test - carol@good.test \
			<"$WORK/cli-in.txt"
		cli_expect cli-check-stdin-and-arguments 1 \
			'[.[].address] == ["bob@nullmx.test", "alice@good.test",
			"carol@good.test"]'
	fi
	if selected cli-check-stdin-bad-line; then
		# a line over 64 KiB is no address: exit 2, the others checked
		{
			echo alice@good.test
			head -c 70000 /dev/zero | tr '\0' a
			echo
		} >"$WORK/cli-in.txt"
		run check -j "${CLI_LAB[@]}" - <"$WORK/cli-in.txt"
		if [ "$rc" = 2 ] && grep -q "line 2" "$WORK/err" &&
			cli_jq x '.address == "alice@good.test"'; then
			pass cli-check-stdin-bad-line
		else
			fail cli-check-stdin-bad-line "exit $rc:" \
				"$(head -c 200 "$WORK/err")"
		fi
	fi
	if selected cli-check-stdin-twice; then
		run check "${CLI_LAB[@]}" - - </dev/null
		if [ "$rc" = 2 ] && grep -q "twice" "$WORK/err"; then
			pass cli-check-stdin-twice
		else
			fail cli-check-stdin-twice "exit $rc: $(head -c 200 "$WORK/err")"
		fi
	fi
	if selected cli-check-stdin-empty; then
		run check "${CLI_LAB[@]}" - </dev/null
		cli_expect cli-check-stdin-empty 0 -
	fi
	if selected cli-batch-operand; then
		printf 'alice@good.test\nbob@nullmx.test\n' >"$WORK/cli-in.txt"
		run batch -q "${CLI_LAB[@]}" --input "$WORK/cli-in.txt" \
			-o "$WORK/cli-a.jsonl"
		local rc_a=$rc
		run batch "$WORK/cli-in.txt" -q "${CLI_LAB[@]}" \
			--output "$WORK/cli-b.jsonl"
		local rc_b=$rc
		run batch - --quiet "${CLI_LAB[@]}" <"$WORK/cli-in.txt"
		cp "$WORK/out" "$WORK/cli-c.jsonl"
		if [ "$rc_a$rc_b$rc" = 000 ] &&
			[ "$(jq -c '[.line, .address, .verdict]' "$WORK/cli-a.jsonl")" = \
			  "$(jq -c '[.line, .address, .verdict]' "$WORK/cli-b.jsonl")" ] &&
			[ "$(jq -c '[.line, .address, .verdict]' "$WORK/cli-a.jsonl")" = \
			  "$(jq -c '[.line, .address, .verdict]' "$WORK/cli-c.jsonl")" ] &&
			[ "$(wc -l <"$WORK/cli-a.jsonl")" = 2 ]; then
			pass cli-batch-operand
		else
			fail cli-batch-operand "exits $rc_a $rc_b $rc or records differ"
		fi
	fi
	if selected cli-batch-two-inputs; then
		run batch -q --input "$WORK/cli-in.txt" "$WORK/cli-in.txt"
		cli_expect cli-batch-two-inputs 2 -
	fi
	if selected cli-report-stdin; then
		# The page names the domain, not the user's address (that
		# needs --show-addresses).
		run report -o - - <"$WORK/cli-a.jsonl"
		if [ "$rc" = 0 ] && grep -q '<html' "$WORK/out" &&
			grep -q 'nullmx.test' "$WORK/out" &&
			! grep -q 'bob@nullmx.test' "$WORK/out"; then
			pass cli-report-stdin
		else
			fail cli-report-stdin "exit $rc: $(head -c 200 "$WORK/err")"
		fi
	fi
}

cli_help() {
	local cmd
	if selected cli-help; then
		for cmd in check batch report spf explain corpus; do
			run "$cmd" --help
			if [ "$rc" != 0 ] || ! grep -q "^usage: scorer $cmd" "$WORK/out"; then
				fail cli-help "$cmd --help: exit $rc"
				return
			fi
			run help "$cmd"
			if [ "$rc" != 0 ] || ! grep -q "^usage: scorer $cmd" "$WORK/out"; then
				fail cli-help "help $cmd: exit $rc"
				return
			fi
			run "$cmd" -h
			if [ "$rc" != 0 ] || ! grep -q "^usage: scorer $cmd" "$WORK/out"; then
				fail cli-help "$cmd -h: exit $rc"
				return
			fi
		done
		pass cli-help
	fi
	if selected cli-help-unknown; then
		run help nope
		cli_expect cli-help-unknown 2 -
	fi
	if selected cli-version; then
		run -V
		if [ "$rc" = 0 ] && grep -Eq '^scorer [0-9]+\.[0-9]+\.[0-9]+$' "$WORK/out"; then
			pass cli-version
		else
			fail cli-version "exit $rc: $(head -c 100 "$WORK/out")"
		fi
	fi
	if selected cli-explain-list; then
		local n ids
		n=$(grep -c '^\[' "$RULES/findings.ini")
		run explain --list --rules "$RULES"
		ids=$(awk '{print $1}' "$WORK/out")
		if [ "$rc" != 0 ] || [ "$(wc -l <"$WORK/out")" != "$n" ] ||
			! grep -Eq '^mx\.dangling +critical +A mail server' "$WORK/out"; then
			fail cli-explain-list "exit $rc, $(wc -l <"$WORK/out") lines for $n rules"
		else
			# shellcheck disable=SC2086 # one id a word
			run explain --rules "$RULES" $ids
			if [ "$rc" = 0 ] && [ "$(grep -c '^How to fix it:' "$WORK/out")" = "$n" ]; then
				pass cli-explain-list
			else
				fail cli-explain-list "explaining every listed id: exit $rc"
			fi
		fi
	fi
	if selected cli-explain-json; then
		run explain --list --json --rules "$RULES"
		cli_expect cli-explain-json 0 'length > 30 and
			all(.[]; (.id | type) == "string" and .severity != null and
			    .title != null and .why == null) and
			(map(.id) | index("mx.dangling")) != null'
		run explain -j --rules "$RULES" mx.dangling
		cli_expect cli-explain-json-one 0 '.id == "mx.dangling" and
			.severity == "critical" and (.fix | length) > 10'
	fi
	if selected cli-explain-unknown-among; then
		run explain --rules "$RULES" mx.dangling nope
		if [ "$rc" = 2 ] && grep -q "nope" "$WORK/err" &&
			grep -q "^mx.dangling" "$WORK/out"; then
			pass cli-explain-unknown-among
		else
			fail cli-explain-unknown-among "exit $rc"
		fi
	fi
	if selected cli-rules-missing; then
		# a --rules that does not exist is an error, even from build/
		# where rules/ of the source tree is beside the binary (and
		# without SCORER_RULES_DIR, which would rule that out anyway)
		local saved=$SCORER_RULES_DIR
		unset SCORER_RULES_DIR
		run explain --rules "$WORK/no-such-rules" mx.dangling
		export SCORER_RULES_DIR=$saved
		if [ "$rc" = 2 ] && grep -q "no-such-rules" "$WORK/err" &&
			[ ! -s "$WORK/out" ]; then
			pass cli-rules-missing
		else
			fail cli-rules-missing "exit $rc: $(head -c 200 "$WORK/err")"
		fi
	fi
	if selected cli-corpus-options-after; then
		breach_key=$(printf '%s' alice@good.test | sha1sum | awk '{print toupper($1)}')
		echo "$breach_key:2" >"$WORK/cli-corpus.txt"
		run corpus lookup "$WORK/cli-corpus.txt" alice@good.test --rules "$RULES"
		if [ "$rc" = 1 ] && grep -q "found" "$WORK/out"; then
			pass cli-corpus-options-after
		else
			fail cli-corpus-options-after "exit $rc: $(head -c 200 "$WORK/err")"
		fi
	fi
}

cli_options
cli_stdin
cli_help
