# End-to-end tests of the breach lookups (docs/breach.md), sourced by
# tests/e2e/run.sh after its own cases: it uses run.sh's helpers (run,
# assess_report, pass, fail, selected, start_fixture) and its lab ($WORK,
# $LAB_DNS, $SCORER, $RULES).  Case names start with "breach-".
#
#   - the local corpus: `scorer corpus build|lookup|info`, and `scorer
#     check --breach-corpus` with the text list and the index;
#   - the range API on the lab nginx (tests/lab/nginx/breach.conf), in the
#     text and the JSON form, over HTTPS from the lab CA, the host resolved
#     through the lab DNS; the nginx access log must hold the prefixes
#     and never a full hash or an address;
#   - a misbehaving API (build/fixtures/rangefix): 429 with Retry-After,
#     503 then success, garbage, down, never answering.
#
# The nginx of another area's block in run.sh is used when it runs
# ($NGINX_PORT, its CA in $WORK/pki holding our certificate); otherwise
# this file starts its own (certificates for every "# pki:" line of the
# snippets, as nginx.sh loads all of them) and stops it at the end.
# shellcheck shell=bash disable=SC2154 # rc, elapsed_ms ...: run.sh's

BREACH_NGINX_OWN=0

# SHA-1 of a string, upper-case hex.
breach_sha1() {
	printf '%s' "$1" | sha1sum | awk '{ print toupper($1) }'
}

# Certificates every nginx snippet names, in the CA directory $1.
breach_pki() {
	local pki=$1 kind name lab=$TOP/tests/lab
	mkdir -p "$pki"
	if [ -x "$lab/mta-sts/setup.sh" ]; then
		"$lab/mta-sts/setup.sh" "$pki" >/dev/null || return 1
	fi
	[ -f "$pki/ca.pem" ] || "$lab/pki.sh" ca "$pki" || return 1
	[ -f "$pki/default.invalid.pem" ] ||
	    "$lab/pki.sh" leaf "$pki" default.invalid || return 1
	while read -r _ _ kind name; do
		[ -f "$pki/$name.pem" ] && continue
		"$lab/pki.sh" "$kind" "$pki" "$name" || return 1
	done < <(cat "$lab"/nginx/*.conf | grep '^# pki: ')
}

breach_nginx() {
	if [ -n "${NGINX_PORT:-}" ] && [ -f "$WORK/pki/breach-api.test.pem" ]; then
		BREACH_PKI=$WORK/pki
		BREACH_NGINX_DIR=${NGINX_DIR:-$WORK/nginx}
		BREACH_PORT=$NGINX_PORT
		return 0
	fi
	BREACH_PKI=$WORK/breach-pki
	BREACH_NGINX_DIR=$WORK/breach-nginx
	breach_pki "$BREACH_PKI" || return 1
	"$TOP/tests/lab/nginx.sh" start "$BREACH_NGINX_DIR" "$BREACH_PKI" \
	    >/dev/null 2>"$WORK/breach-nginx.err" || return 1
	BREACH_NGINX_OWN=1
	# run.sh's cleanup stops it too if we are interrupted.
	[ -s "$BREACH_NGINX_DIR/nginx.pid" ] &&
	    fixture_pids+=("$(cat "$BREACH_NGINX_DIR/nginx.pid")")
	BREACH_PORT=$(sed -n 's/^NGINX_PORT=//p' "$BREACH_NGINX_DIR/nginx.env")
}

# Range files for the prefix of each address given: the corpus hashes
# under that prefix and a few decoys, as text (PREFIX) and JSON
# (PREFIX.json; websites for alice).
breach_ranges() {
	local dir=$1 a h p
	shift
	mkdir -p "$dir"
	for a in "$@"; do
		h=$(breach_sha1 "$a")
		p=${h:0:6}
		[ -f "$dir/$p" ] && continue
		{
			grep -hi "^$p" "$BREACH_TXT" | cut -c7- | tr -d '\r'
			printf '%s:3\n' "$(breach_sha1 "decoy1-$a" | cut -c7-)"
			printf '%s:1\n' "$(breach_sha1 "decoy2-$a" | cut -c7-)"
		} | awk -F: 'NF' >"$dir/$p"
		awk -F: -v alice="$(breach_sha1 alice@good.test | cut -c7-)" '
		    BEGIN { printf "[" }
		    NF { printf "%s{\"hashSuffix\":\"%s\",\"websites\":[%s]}",
		         n++ ? "," : "", $1,
		         $1 == alice ? "\"Adobe\",\"LinkedIn\"" : "\"Decoy\"" }
		    END { print "]" }' "$dir/$p" >"$dir/$p.json"
	done
}

breach_setup() {
	BREACH_DIR=$WORK/breach
	BREACH_TXT=$BREACH_DIR/corpus.txt
	BREACH_IDX=$BREACH_DIR/corpus.idx
	mkdir -p "$BREACH_DIR"
	# alice and carol are breached (carol under her canonical form in
	# the lab rules below); a malformed line 3 and a blank line.
	{
		printf '%s:12\n' "$(breach_sha1 alice@good.test)"
		breach_sha1 carol@good.test | tr 'A-F' 'a-f'
		echo 'not-a-hash'
		echo
		for i in 1 2 3 4 5 6 7 8; do
			printf '%s:%s\r\n' "$(breach_sha1 "filler$i@example.org")" "$i"
		done
	} >"$BREACH_TXT"
	# The shipped rules plus a lab provider at good.test that ignores
	# dots and "+tags", so the canonical form can be tested on the lab.
	BREACH_RULES=$BREACH_DIR/rules
	mkdir -p "$BREACH_RULES"
	cp "$RULES"/* "$BREACH_RULES"/
	printf '\n[lab]\ndomains = good.test\nignore_dots = yes\nsubaddress = +\n' \
	    >>"$BREACH_RULES/canonical.ini"
	breach_ranges "$WORK/ranges" alice@good.test bob@good.test \
	    carol@good.test c.arol+news@good.test
}

# breach_check NAME WANT_RC VERDICT WANT FORBID JQ ADDRESS OPTIONS...
# Under the threat model remote: good.test publishes no MTA-STS, which
# the default model rates insecure whatever the breach lookup finds, and
# these cases are about what the breach evidence does to the verdict
# (found: insecure; could not be had: error; clean: secure).
breach_check() {
	local name=$1 want_rc=$2 verdict=$3 want=$4 forbid=$5 expr=$6
	local address=$7 why
	shift 7
	run check --json --rules "${BREACH_RULES_USE:-$RULES}" \
	    --resolver "$LAB_DNS" --allow-loopback --threat-model remote \
	    "$@" "$address"
	if why=$(assess_report "$name" "$WORK/out" "$address" "$want_rc" \
	    "$verdict" "$want" "$forbid" "$expr"); then
		pass "$name"
	else
		fail "$name" "$why"
	fi
}

breach_corpus_cli() {
	local name
	name=breach-corpus-build
	if selected "$name"; then
		run corpus build "$BREACH_TXT" "$BREACH_IDX"
		if [ "$rc" != 0 ]; then
			fail "$name" "exit status $rc: $(head -c 200 "$WORK/err")"
		elif ! grep -q '10 distinct' "$WORK/err"; then
			fail "$name" "no '10 distinct': $(head -c 300 "$WORK/err")"
		elif ! grep -q 'malformed lines (skipped): 3$' "$WORK/err"; then
			fail "$name" "malformed line 3 not reported:" \
			    "$(head -c 300 "$WORK/err")"
		elif [ "$(head -c 1 "$BREACH_IDX" | od -An -tx1 | tr -d ' ')" != 89 ]; then
			fail "$name" "the index has no magic"
		else
			pass "$name"
		fi
	fi
	name=breach-corpus-info
	if selected "$name"; then
		run corpus info "$BREACH_IDX"
		if [ "$rc" != 0 ] || ! grep -q '^records: *10$' "$WORK/out" ||
		    ! grep -q '^format: *index' "$WORK/out"; then
			fail "$name" "exit status $rc: $(head -c 300 "$WORK/out")"
		else
			pass "$name"
		fi
	fi
	name=breach-corpus-lookup
	if selected "$name"; then
		run corpus lookup --rules "$BREACH_RULES" "$BREACH_IDX" \
		    Alice@Good.Test bob@good.test c.arol+news@good.test
		if [ "$rc" != 1 ]; then
			fail "$name" "exit status $rc, expected 1"
		elif ! grep -q '^Alice@Good.Test: found (as given, count 12)$' \
		    "$WORK/out" ||
		    ! grep -q '^bob@good.test: not found$' "$WORK/out" ||
		    ! grep -q 'c.arol+news@good.test: found (as its canonical form carol@good.test)' \
		    "$WORK/out"; then
			fail "$name" "output: $(head -c 400 "$WORK/out")"
		else
			pass "$name"
		fi
	fi
	name=breach-corpus-lookup-absent
	if selected "$name"; then
		run corpus lookup "$BREACH_TXT" bob@good.test
		if [ "$rc" != 0 ]; then
			fail "$name" "exit status $rc, expected 0"
		else
			pass "$name"
		fi
	fi
	name=breach-corpus-bad-index
	if selected "$name"; then
		head -c 100 "$BREACH_IDX" >"$BREACH_DIR/truncated.idx"
		run corpus info "$BREACH_DIR/truncated.idx"
		if [ "$rc" != 2 ] || ! grep -q truncated "$WORK/err"; then
			fail "$name" "exit status $rc: $(head -c 200 "$WORK/err")"
		else
			pass "$name"
		fi
	fi
}

breach_corpus_check() {
	local form file
	for form in text index; do
		file=$BREACH_TXT
		[ "$form" = index ] && file=$BREACH_IDX
		selected "breach-corpus-$form-found" &&
		    breach_check "breach-corpus-$form-found" 1 insecure \
		    breach.found breach.unverified \
		    'any(.findings[]; .id == "breach.found" and (.detail | test("local breach corpus \\(the address as given, seen 12 times\\)")))' \
		    alice@good.test --breach-corpus "$file"
		selected "breach-corpus-$form-clean" &&
		    breach_check "breach-corpus-$form-clean" 0 secure - \
		    breach.found,breach.unverified - bob@good.test \
		    --breach-corpus "$file"
	done
	selected breach-corpus-canonical &&
	    BREACH_RULES_USE=$BREACH_RULES breach_check breach-corpus-canonical \
	    1 insecure breach.found - \
	    'any(.findings[]; .detail | test("canonical form carol@good.test"))' \
	    c.arol+news@good.test --breach-corpus "$BREACH_IDX"
	selected breach-corpus-missing &&
	    breach_check breach-corpus-missing 2 error breach.unverified \
	    breach.found - alice@good.test --breach-corpus "$BREACH_DIR/nope"
}

breach_api_nginx() {
	local url="https://breach-api.test:$BREACH_PORT"
	local jurl="https://json.breach-api.test:$BREACH_PORT"
	local log=$BREACH_NGINX_DIR/nginx-access.log a h leaked=
	local opts=(--ca-file "$BREACH_PKI/ca.pem")

	selected breach-api-text-found &&
	    breach_check breach-api-text-found 1 insecure breach.found \
	    breach.unverified \
	    'any(.findings[]; .detail | test("breach range API \\(the address as given, seen 12 times\\)"))' \
	    alice@good.test "${opts[@]}" --breach-api "$url"
	selected breach-api-text-clean &&
	    breach_check breach-api-text-clean 0 secure - \
	    breach.found,breach.unverified - bob@good.test "${opts[@]}" \
	    --breach-api "$url/"
	selected breach-api-json-found &&
	    breach_check breach-api-json-found 1 insecure breach.found \
	    breach.unverified \
	    'any(.findings[]; .detail | test("in: Adobe, LinkedIn"))' \
	    alice@good.test "${opts[@]}" --breach-api "$jurl"
	selected breach-api-canonical &&
	    BREACH_RULES_USE=$BREACH_RULES breach_check breach-api-canonical \
	    1 insecure breach.found breach.unverified \
	    'any(.findings[]; .detail | test("canonical form carol@good.test"))' \
	    c.arol+news@good.test "${opts[@]}" --breach-api "$url"
	# A certificate that does not name the host (nginx's catch-all
	# default.invalid, reached by IP): could not verify, never "not
	# breached".
	selected breach-api-badcert &&
	    breach_check breach-api-badcert 2 error breach.unverified \
	    breach.found - bob@good.test "${opts[@]}" \
	    --breach-api "https://127.0.0.1:$BREACH_PORT"
	if selected breach-api-privacy; then
		for a in alice@good.test bob@good.test carol@good.test \
		    c.arol+news@good.test; do
			h=$(breach_sha1 "$a")
			if grep -qiF -e "$h" -e "${h:6}" -e "$a" "$log"; then
				leaked="$leaked $a"
			fi
		done
		h=$(breach_sha1 alice@good.test)
		if [ ! -s "$log" ]; then
			fail breach-api-privacy "no access log at $log"
		elif [ -n "$leaked" ]; then
			fail breach-api-privacy "the access log holds the full" \
			    "hash or the address of:$leaked"
		elif ! grep -q "GET /range/${h:0:6} " "$log"; then
			fail breach-api-privacy "no request for /range/${h:0:6}"
		else
			pass breach-api-privacy
		fi
	fi
}

# breach_fixture NAME MODE WANT_RC VERDICT WANT FORBID [OPTIONS...]
breach_fixture() {
	local name=$1 mode=$2 want_rc=$3 verdict=$4 want=$5 forbid=$6
	shift 6
	selected "$name" || return 0
	: >"$WORK/rangefix-$mode.log"
	# start_fixture could read the port file of the last rangefix
	# before the new one truncates it.
	rm -f "$WORK/rangefix.port"
	if ! start_fixture rangefix -m "$mode" -d "$WORK/ranges" \
	    -L "$WORK/rangefix-$mode.log"; then
		fail "$name" "fixture rangefix did not start (make fixtures)"
		return 1
	fi
	breach_check "$name" "$want_rc" "$verdict" "$want" "$forbid" - \
	    alice@good.test --breach-api "http://127.0.0.1:$fixture_port" "$@"
	kill "${fixture_pids[-1]}" 2>/dev/null
}

breach_api_fixture() {
	local n
	# 429 with Retry-After: 1, then the answer: found, after >= 1 s.
	if breach_fixture breach-api-429 429 1 insecure breach.found \
	    breach.unverified && selected breach-api-429; then
		n=$(grep -c '^GET /range/' "$WORK/rangefix-429.log")
		if [ "$n" != 2 ] || [ "$elapsed_ms" -lt 1000 ]; then
			fail breach-api-429-retry "$n requests in ${elapsed_ms} ms," \
			    "expected 2 after Retry-After: 1"
		else
			pass breach-api-429-retry
		fi
	fi
	breach_fixture breach-api-5xx-then-ok 5xx 1 insecure breach.found \
	    breach.unverified
	breach_fixture breach-api-garbage garbage 2 error breach.unverified \
	    breach.found
	if breach_fixture breach-api-down down 2 error breach.unverified \
	    breach.found && selected breach-api-down; then
		n=$(grep -c '^GET /range/' "$WORK/rangefix-down.log")
		if [ "$n" != 3 ]; then
			fail breach-api-down-tries "$n requests, expected 3"
		else
			pass breach-api-down-tries
		fi
	fi
	if breach_fixture breach-api-hang hang 2 error breach.unverified \
	    breach.found --timeout 3 && selected breach-api-hang; then
		if [ "$elapsed_ms" -gt 5500 ]; then
			fail breach-api-hang-time "took ${elapsed_ms} ms with" \
			    "--timeout 3"
		else
			pass breach-api-hang-time
		fi
	fi
	# The key from the environment, in its header; two spellings of one
	# address (one hash, one prefix) cost one request; nothing else of
	# the address leaves.
	if selected breach-api-key-and-sharing; then
		: >"$WORK/rangefix-ok.log"
		rm -f "$WORK/rangefix.port"
		if ! start_fixture rangefix -m ok -d "$WORK/ranges" \
		    -L "$WORK/rangefix-ok.log"; then
			fail breach-api-key-and-sharing "rangefix did not start"
			return
		fi
		export SCORER_BREACH_API_KEY=lab-secret-key
		run check --json --rules "$RULES" --resolver "$LAB_DNS" \
		    --allow-loopback --breach-api "http://127.0.0.1:$fixture_port" \
		    alice@good.test Alice@Good.Test
		unset SCORER_BREACH_API_KEY
		kill "${fixture_pids[-1]}" 2>/dev/null
		n=$(grep -c '^GET /range/' "$WORK/rangefix-ok.log")
		if [ "$rc" != 1 ]; then
			fail breach-api-key-and-sharing "exit status $rc, expected 1"
		elif [ "$n" != 1 ]; then
			fail breach-api-key-and-sharing "$n requests, expected 1"
		elif ! grep -qi '^hibp-api-key: lab-secret-key' \
		    "$WORK/rangefix-ok.log"; then
			fail breach-api-key-and-sharing "no API key header"
		elif grep -qiF -e "$(breach_sha1 alice@good.test | cut -c7-)" \
		    -e alice "$WORK/rangefix-ok.log"; then
			fail breach-api-key-and-sharing "the request holds more" \
			    "than the prefix"
		else
			pass breach-api-key-and-sharing
		fi
	fi
}

breach_cases() {
	breach_setup
	breach_corpus_cli
	breach_corpus_check
	if breach_nginx; then
		breach_api_nginx
	else
		fail breach-api-nginx "nginx did not start:" \
		    "$(head -c 300 "$WORK/breach-nginx.err" 2>/dev/null)"
	fi
	breach_api_fixture
	if [ "$BREACH_NGINX_OWN" = 1 ]; then
		"$TOP/tests/lab/nginx.sh" stop "$BREACH_NGINX_DIR"
	fi
}

breach_cases
