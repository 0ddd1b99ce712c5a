#!/usr/bin/env bash
# End-to-end tests: the real scorer binary against a real DNS server (the
# lab, tests/lab/lab.sh) and two misbehaving ones (tests/lab/fixtures/).
#
#   SCORER=build/scorer BUILD=build tests/e2e/run.sh [PATTERN]
#
# SCORER  the CLI to test (default: build/scorer of this tree)
# BUILD   the build directory holding fixtures/ (default: build)
# RULES   the rules directory passed with --rules (default: rules/)
# PATTERN run only the cases whose name matches this bash glob
# E2E_VERBOSE=1 prints the command and its output for every failure.
#
# Prints "ok NAME" or "FAIL NAME: why" per case, then "N passed, N failed";
# the exit status is 0 only when nothing failed.
set -u

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SCORER=${SCORER:-$TOP/build/scorer}
BUILD=${BUILD:-$TOP/build}
RULES=${RULES:-$TOP/rules}
LAB=$TOP/tests/lab/lab.sh
# Every tests/e2e/cases*.tsv: one table per area (cases-spf.tsv ...).
CASES=("$TOP"/tests/e2e/cases*.tsv)
PATTERN=${1:-*}
VERBOSE=${E2E_VERBOSE:-0}
CASE_TIMEOUT=30

passed=0
failed=0
fixture_pids=()
# Options every `scorer check` gets (run() adds them): the lab servers.
LAB_CHECK_ARGS=()

WORK=$(mktemp -d "${TMPDIR:-/tmp}/scorer-e2e.XXXXXX") || exit 1

cleanup() {
	local pid
	for pid in "${fixture_pids[@]}"; do
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	"$TOP/tests/lab/postfix.sh" stop "$WORK/postfix" # STARTTLS lab
	"$LAB" stop "$WORK/lab"
	"$TOP/tests/lab/nginx.sh" stop "$WORK/nginx" # MTA-STS block below
	"$TOP/tests/lab/unbound.sh" stop "$WORK/unbound" # DANE lab
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

for tool in jq timeout; do
	command -v "$tool" >/dev/null || {
		echo "run.sh: $tool is required" >&2
		exit 1
	}
done
[ -x "$SCORER" ] || {
	echo "run.sh: no scorer binary at $SCORER (run make)" >&2
	exit 1
}

# Zones knotd signs (the DANE lab below trusts their keys).
export LAB_SIGN=". dane-good.test dane-bad.test dnssec-signed.test"
if ! "$LAB" start "$WORK/lab" 2>"$WORK/lab.err"; then
	cat "$WORK/lab.err" >&2
	echo "run.sh: the lab did not start" >&2
	exit 1
fi
# shellcheck source=/dev/null
. "$WORK/lab/env"
# The direct questions of the "ns" check go to the lab's nameservers
# (ns.lab and the lame-delegation ones), which listen on the lab's port.
LAB_CHECK_ARGS+=(--ns-port "$LAB_PORT")

# ---- MTA-STS: the lab CA and nginx --------------------------------------
# The policy hosts of the sts-*.test zones (tests/lab/nginx/mta-sts.conf),
# with certificates from the lab CA in $WORK/pki (tests/lab/pki.sh).
if ! "$TOP/tests/lab/mta-sts/setup.sh" "$WORK/pki" >"$WORK/pki.log" 2>&1 ||
    ! "$TOP/tests/lab/nginx.sh" start "$WORK/nginx" "$WORK/pki" \
        >"$WORK/nginx.log" 2>&1; then
	cat "$WORK/pki.log" "$WORK/nginx.log" >&2
	echo "run.sh: the lab CA or nginx did not start" >&2
	exit 1
fi
# shellcheck source=/dev/null
. "$WORK/nginx/nginx.env"
LAB_CHECK_ARGS+=(--https-port "$NGINX_PORT" --ca-file "$WORK/pki/ca.pem")
# ---- end MTA-STS ----------------------------------------------------------

# ---- RDAP: the lab's registry (tests/lab/nginx/rdap.conf) -----------------
# Its documents and the bootstrap file that points at it; cases marked
# RDAPLAB use that file (the others the shipped one, which names no
# server for .test: rdap.unavailable, info).
RDAP_LAB=$WORK/pki/rdap
if ! "$TOP/tests/lab/rdap/setup.sh" "$RDAP_LAB" "$NGINX_PORT" \
    >"$WORK/rdap.log" 2>&1; then
	cat "$WORK/rdap.log" >&2
	echo "run.sh: the lab RDAP documents could not be written" >&2
	exit 1
fi
RDAP_LOG=$WORK/nginx/rdap-access.log

# The CLI should not find rules anywhere else either.
export SC_RULES_DIR=$RULES SCORER_RULES_DIR=$RULES

# ---- helpers ------------------------------------------------------------

# Cases whose finding is which of two time limits fired first (a server
# that stalls, one that sends a byte a second, under --timeout 3): under
# valgrind (make valgrind, VALGRIND_SCORER) the CLI runs 20 to 50 times
# slower, so its TLS handshake alone outlasts them.  They run plainly and
# under ASan; memcheck gains nothing from them.
TIMED_CASES=" sts-stall rdap-slow "

selected() {
	# shellcheck disable=SC2053 # PATTERN is a glob on purpose
	[[ $1 == $PATTERN ]] || return 1
	if [ -n "${VALGRIND_SCORER:-}" ] && [[ $TIMED_CASES == *" $1 "* ]]; then
		echo "skip $1 (timed: not under valgrind)"
		return 1
	fi
}

pass() {
	echo "ok $1"
	passed=$((passed + 1))
}

# fail NAME WHY: report, and with E2E_VERBOSE the last command's output.
fail() {
	echo "FAIL $1: ${*:2}"
	failed=$((failed + 1))
	if [ "$VERBOSE" = 1 ]; then
		echo "  command: ${last_cmd[*]}"
		sed 's/^/  stdout: /' "$WORK/out"
		sed 's/^/  stderr: /' "$WORK/err"
	fi
}

# run ARGS...: run the CLI with a hard time limit; stdout in $WORK/out,
# stderr in $WORK/err, exit status in $rc, wall time in $elapsed_ms.
run() {
	local t0 t1
	[ "${1:-}" != check ] || set -- check "${LAB_CHECK_ARGS[@]}" "${@:2}"
	last_cmd=("$SCORER" "$@")
	t0=$(date +%s%N)
	# --foreground: Ctrl-C reaches the CLI instead of waiting it out.
	timeout --foreground -k 5 "$CASE_TIMEOUT" "$SCORER" "$@" \
	    >"$WORK/out" 2>"$WORK/err"
	rc=$?
	t1=$(date +%s%N)
	elapsed_ms=$(((t1 - t0) / 1000000))
}

# check_json ADDRESS...: the lab-pointed JSON check, with extra options
# taken from the array `extra` (NOLOOP drops --allow-loopback;
# VALIDATING asks the lab's validating resolver instead of Knot; RDAPLAB
# finds RDAP servers in the lab's bootstrap file).
check_json() {
	local args=(check --json --rules "$RULES" --resolver "$LAB_DNS")
	local loop=1 x
	for x in "${extra[@]}"; do
		if [ "$x" = NOLOOP ]; then
			loop=0
		elif [ "$x" = VALIDATING ]; then
			args[5]=${UNBOUND_DNS:-127.0.0.1:1}
		elif [ "$x" = RDAPLAB ]; then
			args+=(--rdap-bootstrap "$RDAP_LAB/bootstrap.json")
		else
			args+=("$x")
		fi
	done
	[ "$loop" = 0 ] || args+=(--allow-loopback)
	run "${args[@]}" "$@"
}

# The exit status a verdict implies.
verdict_rc() {
	case $1 in
	secure) echo 0 ;;
	insecure) echo 1 ;;
	*) echo 2 ;;
	esac
}

# one_of VALUE "a|b|c": is VALUE one of the alternatives?
one_of() {
	local alt alts
	IFS='|' read -r -a alts <<<"$2"
	for alt in "${alts[@]}"; do
		[ "$1" = "$alt" ] && return 0
	done
	return 1
}

# assess_report NAME FILE ADDRESS EXIT VERDICT WANT FORBID JQ: check one
# JSON report (an object) against the expectations; prints why it fails.
assess_report() {
	local file=$2 address=$3 want_rc=$4 want_verdict=$5 want=$6
	local forbid=$7 expr=$8 verdict ids id got list
	if [ ! -s "$file" ]; then
		echo "no output (exit status $rc; stderr:" \
		    "$(head -c 200 "$WORK/err"))"
		return 1
	fi
	# -s: jq 1.6 -e exits 0 on input without any JSON value.
	if ! jq -se 'length == 1 and (.[0] | type == "object")' "$file" \
	    >/dev/null 2>&1; then
		echo "output is not one JSON object: $(head -c 200 "$file")"
		return 1
	fi
	verdict=$(jq -r '.verdict' "$file")
	ids=$(jq -r '[.findings[]?.id] | join(",")' "$file")
	got=$(jq -r '.address' "$file")
	if [ "$got" != "$address" ]; then
		echo ".address is \"$got\", not \"$address\""
		return 1
	fi
	if [ "$want_verdict" != - ] && ! one_of "$verdict" "$want_verdict"; then
		echo "verdict $verdict, expected $want_verdict (findings: ${ids:-none})"
		return 1
	fi
	if [ "$want_rc" != - ] && ! one_of "$rc" "$want_rc"; then
		echo "exit status $rc, expected $want_rc"
		return 1
	fi
	if [ "$rc" != "$(verdict_rc "$verdict")" ]; then
		echo "exit status $rc does not match verdict $verdict"
		return 1
	fi
	if [ "$want" != - ]; then
		IFS=, read -r -a list <<<"$want"
		for id in "${list[@]}"; do
			if ! jq -e --arg id "$id" \
			    'any(.findings[]?; .id == $id)' "$file" >/dev/null; then
				echo "finding $id missing (findings: ${ids:-none})"
				return 1
			fi
		done
	fi
	if [ "$forbid" != - ]; then
		IFS=, read -r -a list <<<"$forbid"
		for id in "${list[@]}"; do
			if jq -e --arg id "$id" '
			    any(.findings[]?;
			        if ($id | endswith(".*"))
			        then .id | startswith($id | rtrimstr("*"))
			        else .id == $id end)' "$file" >/dev/null; then
				echo "forbidden finding $id present (findings: $ids)"
				return 1
			fi
		done
	fi
	if [ -n "$expr" ] && [ "$expr" != - ]; then
		if ! jq -e "$expr" "$file" >/dev/null 2>&1; then
			echo "jq condition failed: $expr"
			return 1
		fi
	fi
	return 0
}

# start_fixture NAME ARGS...: start build/fixtures/NAME, wait (bounded) for
# the port it prints, and set $fixture_port.
start_fixture() {
	local bin=$BUILD/fixtures/$1 out=$WORK/$1.port i
	shift
	fixture_port=
	[ -x "$bin" ] || return 1
	# The shell truncates $out in the child, which may run after the read
	# below: without this, a port of an earlier fixture could be read.
	rm -f "$out"
	"$bin" -l 120 "$@" >"$out" 2>"$out.err" &
	fixture_pids+=($!)
	for ((i = 0; i < 50; i++)); do
		read -r fixture_port 2>/dev/null <"$out"
		[ -n "$fixture_port" ] && return 0
		sleep 0.1
	done
	return 1
}

# ---- STARTTLS lab: begin (tests/lab/postfix.sh, smtpfix) ----------------
# One SMTP port for the whole lab (scorer's --smtp-port applies to every
# MX): the lab Postfix on the sound MX addresses (tls-good.test and the
# reference good.test), a fixture per misbehaviour on a 127.0.2.N of its
# own.  Every check gets --smtp-port (LAB_CHECK_ARGS), and the lab CA,
# which the MTA-STS block made (made here if it did not).
PKI=$WORK/pki
SMTP_LOG=$WORK/smtp-commands.log
smtp_lab_error=
start_smtp_lab() {
	local pki=$TOP/tests/lab/pki.sh m
	[ -f "$PKI/ca.pem" ] || "$pki" ca "$PKI" || return 1
	"$pki" leaf "$PKI" mx.tls-good.test mx1.good.test mx2.good.test \
	    mx1.tls-backup.test && "$pki" self "$PKI" mx.tls-selfsigned.test &&
	    "$pki" expired "$PKI" mx.tls-expired.test &&
	    "$pki" leaf "$PKI" mx.elsewhere.test &&
	    "$pki" leaf "$PKI" mx.tls-old.test || return 1
	"$TOP/tests/lab/postfix.sh" start "$WORK/postfix" \
	    "$PKI/mx.tls-good.test.pem" "$PKI/mx.tls-good.test.key" \
	    127.0.2.10 127.0.0.10 127.0.0.11 ::1 2>"$WORK/postfix.err" ||
	    { cat "$WORK/postfix.err" >&2; return 1; }
	# shellcheck source=/dev/null
	. "$WORK/postfix/postfix.env"
	for m in notls:11:mx.tls-good selfsigned:12:mx.tls-selfsigned \
	    expired:13:mx.tls-expired wronghost:14:mx.elsewhere \
	    tls10:15:mx.tls-old tarpit:16: drop:17: hugeline:18: \
	    endless:19: slow:20:mx.tls-good; do
		set -- ${m//:/ }
		start_fixture smtpfix -l 1800 -m "$1" -a "127.0.2.$2" \
		    -p "$SMTP_PORT" -L "$SMTP_LOG.$1" \
		    ${3:+-c "$PKI/$3.test.pem" -k "$PKI/$3.test.key"} ||
		    return 1
	done
	LAB_CHECK_ARGS+=(--smtp-port "$SMTP_PORT")
	[[ " ${LAB_CHECK_ARGS[*]} " == *" --ca-file "* ]] ||
	    LAB_CHECK_ARGS+=(--ca-file "$PKI/ca.pem")
}
start_smtp_lab || smtp_lab_error="the STARTTLS lab did not start (Postfix needs root)"
# ---- STARTTLS lab: end ------------------------------------------------------

# ---- DANE lab: begin (tests/lab/unbound.sh; cases-dane.tsv) ---------------
# dane-good.test's TLSA record is "3 1 1" of the lab Postfix's key (the PKI
# is made per run, above), added to the signed zone with knotc (knotd
# signs the change); then Unbound validates in front of Knot, trusting the
# keys of the LAB_SIGN zones.  Cases marked VALIDATING ask it.
dane_lab_error=
start_dane_lab() {
	local spki knotc=(knotc -c "$WORK/lab/knot.conf")
	[ -f "$PKI/mx.tls-good.test.pem" ] || return 1
	spki=$(openssl x509 -in "$PKI/mx.tls-good.test.pem" -noout -pubkey |
	    openssl pkey -pubin -outform DER | sha256sum | cut -d' ' -f1)
	[ ${#spki} = 64 ] || return 1
	"${knotc[@]}" zone-begin dane-good.test. >/dev/null &&
	    "${knotc[@]}" zone-set dane-good.test. _25._tcp.mx 60 TLSA \
	        3 1 1 "$spki" >/dev/null &&
	    "${knotc[@]}" zone-commit dane-good.test. >/dev/null || return 1
	# shellcheck disable=SC2086 # a list of zones
	"$TOP/tests/lab/unbound.sh" start "$WORK/unbound" "$LAB_PORT" \
	    $LAB_SIGN 2>"$WORK/unbound.err" ||
	    { cat "$WORK/unbound.err" >&2; return 1; }
	# shellcheck source=/dev/null
	. "$WORK/unbound/unbound.env"
}
start_dane_lab || dane_lab_error="the DANE lab (knotc, Unbound) did not start"

# The lab itself, and the text report's interception line.
case_dane_lab() {
	if selected dane-lab; then
		if [ -n "$dane_lab_error" ]; then
			fail dane-lab "$dane_lab_error"
		else
			pass dane-lab
		fi
	fi
	if selected interception-text; then
		run check --rules "$RULES" --resolver "$LAB_DNS" \
		    --allow-loopback a@icpt-sts.test a@tls-notls.test
		if ! grep -q 'Read on the way? no: protected by MTA-STS' \
		    "$WORK/out"; then
			fail interception-text "no protected line for icpt-sts.test"
		elif ! grep -q 'Read on the way? yes: MX host mx.tls-notls.test' \
		    "$WORK/out"; then
			fail interception-text "no exposed line for tls-notls.test"
		else
			pass interception-text
		fi
	fi
	# The root probe's answer is the resolver's, kept on the context:
	# two unsigned domains checked one after the other by one batch
	# ask ". NS" once, and both still get dnssec.unsigned.
	selected dnssec-root-memo || return 0
	printf 'a@dnssec-unsigned.test\nb@dane-unsigned.test\n' >"$WORK/memo.in"
	run batch --rules "$RULES" --resolver "${UNBOUND_DNS:-127.0.0.1:1}" \
	    --ns-port "$LAB_PORT" \
	    --allow-loopback --skip starttls,mta_sts,breach --concurrency 1 \
	    --evidence --input "$WORK/memo.in"
	local soa unsigned validates
	soa=$(jq -s '[.[].records[] | select(.name == "." and .type == "NS")]
	    | length' "$WORK/out" 2>/dev/null)
	unsigned=$(jq -s '[.[] | select(any(.findings[];
	    .id == "dnssec.unsigned"))] | length' "$WORK/out" 2>/dev/null)
	validates=$(jq -s '[.[] | select(.checks.dane.resolver_validates)] |
	    length' "$WORK/out" 2>/dev/null)
	if [ "$soa" != 1 ] || [ "$unsigned" != 2 ] || [ "$validates" != 2 ]; then
		fail dnssec-root-memo "root NS lookups $soa (want 1)," \
		    "dnssec.unsigned in $unsigned reports, resolver_validates in" \
		    "$validates (want 2 each)"
	else
		pass dnssec-root-memo
	fi
}
# ---- DANE lab: end ----------------------------------------------------------

# ---- the table ----------------------------------------------------------

table_cases() {
	local name address extra_s want_rc want_verdict want forbid expr why
	while IFS=$'\t' read -r name address extra_s want_rc want_verdict \
	    want forbid expr; do
		case $name in '' | '#'*) continue ;; esac
		selected "$name" || continue
		[ "$address" = EMPTY ] && address=
		extra=()
		[ "$extra_s" = - ] || read -r -a extra <<<"$extra_s"
		check_json "$address"
		if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
			fail "$name" "timed out after ${CASE_TIMEOUT}s"
			continue
		fi
		if why=$(assess_report "$name" "$WORK/out" "$address" \
		    "$want_rc" "$want_verdict" "$want" "$forbid" "${expr:--}"); then
			pass "$name"
		else
			fail "$name" "$why"
		fi
	done < <(cat "${CASES[@]}")
}

# ---- cases beyond the table ---------------------------------------------

# Several addresses: a JSON array in argument order; the exit status is 0
# when all are secure, 1 when any is insecure, 2 when any is an error.
# case_multi NAME EXIT ADDRESS... [-- OPTIONS...]
case_multi() {
	local name=$1 want_rc=$2 n why addr=()
	shift 2
	selected "$name" || return 0
	extra=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		addr+=("$1")
		shift
	done
	[ $# -gt 0 ] && shift && extra=("$@")
	set -- "${addr[@]}"
	check_json "$@"
	n=$#
	if ! jq -se --argjson n "$n" \
	    'length == 1 and (.[0] | type == "array" and length == $n)' \
	    "$WORK/out" >/dev/null 2>&1; then
		fail "$name" "expected a JSON array of $n reports (exit" \
		    "status $rc): $(head -c 200 "$WORK/out")" \
		    "$(head -c 200 "$WORK/err")"
		return
	fi
	if ! why=$(jq -r '
	    [range(0; $ARGS.positional | length) as $i
	     | select(.[$i].address != $ARGS.positional[$i])
	     | "report \($i) is for \(.[$i].address), not \($ARGS.positional[$i])"]
	    | first // empty' --args "$@" <"$WORK/out") || [ -n "$why" ]; then
		fail "$name" "${why:-bad array}"
		return
	fi
	if [ "$rc" != "$want_rc" ]; then
		fail "$name" "exit status $rc, expected $want_rc" \
		    "(verdicts: $(jq -r '[.[].verdict] | join(",")' "$WORK/out"))"
		return
	fi
	pass "$name"
}

# Text output names the verdict and the finding.
case_text() {
	selected text-output || return 0
	run check --rules "$RULES" --resolver "$LAB_DNS" --allow-loopback \
	    bob@nullmx.test
	if [ "$rc" != 1 ]; then
		fail text-output "exit status $rc, expected 1"
	elif ! grep -qi insecure "$WORK/out"; then
		fail text-output "the word \"insecure\" is not in the output"
	elif ! grep -q 'domain\.null_mx' "$WORK/out"; then
		fail text-output "domain.null_mx is not in the output"
	elif jq -e . "$WORK/out" >/dev/null 2>&1; then
		fail text-output "text output is JSON"
	else
		pass text-output
	fi
}

# Text output shows the SPF include tree with its lookup counts and the
# DMARC policy that applies; colour only on a terminal, never with NO_COLOR.
case_text_auth() {
	selected text-auth || return 0
	NO_COLOR=1 run check --rules "$RULES" --resolver "$LAB_DNS" \
	    --allow-loopback a@spf-toomany.test
	if ! grep -q 'SPF: a forger gets "permerror"; 16 DNS lookups' "$WORK/out"; then
		fail text-auth "no SPF summary: $(head -c 300 "$WORK/out")"
	elif ! grep -q 'include i1.spf-toomany.test (4 lookups)' "$WORK/out"; then
		fail text-auth "no include tree"
	elif ! grep -q 'DMARC: policy reject (p= at _dmarc.spf-toomany.test)' \
	    "$WORK/out"; then
		fail text-auth "no DMARC line"
	elif grep -q $'\033' "$WORK/out"; then
		fail text-auth "colour escapes with NO_COLOR and no terminal"
	else
		pass text-auth
	fi
}

# The first words of KEY in the [ID] section of findings.ini, whitespace
# squeezed, or nothing when the file or the key is not there.
rule_text() {
	local id=$1 key=$2
	[ -r "$RULES/findings.ini" ] || return 0
	awk -v sect="[$id]" -v key="$key" '
	    /^[ \t]*\[/ { on = ($0 ~ "^[ \t]*\\[" ) && index($0, sect) > 0 }
	    on && $0 ~ "^[ \t]*" key "[ \t]*[=:]" {
	        sub(/^[^=:]*[=:][ \t]*/, ""); print; exit }' \
	    "$RULES/findings.ini" | tr -s '[:space:]' ' ' | cut -c1-24
}

case_explain() {
	local key text squeezed
	if selected explain-known; then
		run explain --rules "$RULES" domain.nxdomain
		squeezed=$(tr -s '[:space:]' ' ' <"$WORK/out")
		if [ "$rc" != 0 ]; then
			fail explain-known "exit status $rc, expected 0"
		elif ! grep -q 'domain\.nxdomain' "$WORK/out"; then
			fail explain-known "the id is not in the output"
		else
			for key in title why fix; do
				text=$(rule_text domain.nxdomain "$key")
				text=${text% }
				if [ -n "$text" ] &&
				    [[ $squeezed != *"$text"* ]]; then
					fail explain-known "no $key (\"$text...\")"
					return
				fi
			done
			pass explain-known
		fi
	fi
	if selected explain-unknown; then
		run explain --rules "$RULES" nope
		if [ "$rc" != 2 ]; then
			fail explain-unknown "exit status $rc, expected 2"
		elif ! grep -q nope "$WORK/err"; then
			fail explain-unknown "stderr does not name the id:" \
			    "$(head -c 200 "$WORK/err")"
		else
			pass explain-unknown
		fi
	fi
}

# A malformed rules file: exit 2 and a message naming file:line.
case_bad_rules() {
	local dir=$WORK/badrules line
	selected bad-rules || return 0
	rm -rf "$dir"
	mkdir -p "$dir"
	cp "$RULES"/* "$dir"/ 2>/dev/null
	[ -f "$dir/findings.ini" ] || : >"$dir/findings.ini"
	# A section header that never closes: an ini syntax error on a
	# line we know.
	# A last line without its newline would swallow ours.
	[ ! -s "$dir/findings.ini" ] || [ -z "$(tail -c 1 "$dir/findings.ini")" ] ||
	    echo >>"$dir/findings.ini"
	line=$(($(wc -l <"$dir/findings.ini") + 1))
	echo '[domain.broken' >>"$dir/findings.ini"
	run check --rules "$dir" --resolver "$LAB_DNS" --allow-loopback \
	    alice@good.test
	if [ "$rc" != 2 ]; then
		fail bad-rules "exit status $rc, expected 2"
	elif ! grep -q "findings\.ini:$line" "$WORK/err"; then
		fail bad-rules "stderr does not name findings.ini:$line:" \
		    "$(head -c 200 "$WORK/err")"
	else
		pass bad-rules
	fi
}

# A resolver that fails (never answers, SERVFAIL, REFUSED): the check ends
# within --timeout plus slack with verdict error and dns.unverified, and
# never claims the domain does not exist.
case_broken_resolver() {
	local name=$1 fixture=$2 why
	shift 2
	selected "$name" || return 0
	if ! start_fixture "$fixture" "$@"; then
		fail "$name" "fixture $fixture did not start (make fixtures)"
		return
	fi
	run check --json --rules "$RULES" --resolver "127.0.0.1:$fixture_port" \
	    --timeout 3 --allow-loopback alice@good.test
	if [ "$elapsed_ms" -gt 5500 ]; then
		fail "$name" "took ${elapsed_ms} ms with --timeout 3"
	elif why=$(assess_report "$name" "$WORK/out" alice@good.test 2 \
	    error dns.unverified domain.nxdomain,domain.no_mail,mx.dangling \
	    'all(.records[]?; .status != "nxdomain")'); then
		pass "$name"
	else
		fail "$name" "$why"
	fi
	kill "${fixture_pids[-1]}" 2>/dev/null
}

# c-ares moves on to the next resolver after a SERVFAIL: the lab behind a
# failing resolver still gives a full answer.
case_failover() {
	local why
	selected resolver-failover || return 0
	if ! start_fixture servfail; then
		fail resolver-failover "fixture servfail did not start"
		return
	fi
	run check --json --rules "$RULES" \
	    --resolver "127.0.0.1:$fixture_port" --resolver "$LAB_DNS" \
	    --timeout 5 --allow-loopback alice@good.test
	if why=$(assess_report resolver-failover "$WORK/out" alice@good.test \
	    1 insecure interception.possible dns.unverified,domain.* -); then
		pass resolver-failover
	else
		fail resolver-failover "$why"
	fi
	kill "${fixture_pids[-1]}" 2>/dev/null
}

# ---- main ---------------------------------------------------------------

table_cases
# ceo@northwind.test is secure by its MTA-STS policy alone here (this lab
# serves no SMTP for it: the probe is skipped, which narrows the claim).
case_multi multi-secure 0 ceo@northwind.test pat@northwind.test \
    -- --skip starttls
case_multi multi-insecure 1 ceo@northwind.test bob@nullmx.test \
    -- --skip starttls
case_multi multi-error 2 alice@good.test no-at-sign
case_multi multi-error-wins 2 bob@nullmx.test a@b@c alice@good.test
case_multi multi-same-domain 1 alice@good.test bob@good.test
case_text
case_text_auth
case_explain
case_bad_rules
case_broken_resolver blackhole blackhole
case_broken_resolver servfail servfail
case_broken_resolver refused servfail -r 5
case_failover
# shellcheck source=/dev/null
. "$TOP/tests/e2e/starttls.sh" # the STARTTLS probe's own cases
case_dane_lab # DANE lab: the lab and the text report's interception line
# shellcheck source=/dev/null
. "$TOP/tests/e2e/breach.sh" # breach corpus and range API cases
# shellcheck source=/dev/null
. "$TOP/tests/e2e/verdict.sh" # lying resolvers, the run's notices
# shellcheck source=/dev/null
. "$TOP/tests/e2e/cli.sh" # the command line: options, "-", help, explain
# shellcheck source=/dev/null
. "$TOP/tests/e2e/rdap.sh" # RDAP: enrollment, politeness, RDAP down

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
