#!/usr/bin/env bash
# The full-pipeline benchmark: scorer with its STARTTLS probes and MTA-STS
# policy fetches against real servers on loopback, measured against the
# limits those servers set.  Figures are printed, nothing is asserted.
# See docs/bench.md ("The full pipeline").
#
#   bench/pipeline_bench.sh            (make bench-pipeline)
#
# The lab (bench/genpipeline.py): Knot with BENCH_DOMAINS domains (10,000),
# Postfix with STARTTLS on BENCH_MX_ADDRS loopback addresses (256;
# tests/lab/postfix.sh), nginx serving the MTA-STS policies of 40 % of the
# domains (tests/lab/nginx.sh), certificates of a lab CA (tests/lab/pki.sh).
#
# Measured, each BENCH_REPEAT times (best and every run printed), with the
# load average before each block:
#   1. the limits: SMTP STARTTLS handshakes/s of the Postfix lab with a
#      bare C client (bench/tls_limit.c: EHLO, STARTTLS, handshake, over
#      every address, 32 at once); policy fetches/s of nginx with a bare
#      libcurl multi loop (bench/https_limit.c, 32 at once); queries/s of
#      Knot with dnsperf (when installed) at each pass's own query mix;
#   2. the probe pass: one domain per MX address, every check off but
#      starttls: probes/s as a share of the handshake limit; connections
#      counted at Postfix (each address once);
#   3. the peer: bench/smtp_peer.py (Python asyncio + ssl) over the same
#      addresses;
#   4. the full batch: every domain, every check but breach: domains/s,
#      and as a share of the limit each server sets in domains/s (its
#      limit divided by what a domain needs of it);
#   5. the DNS pass with MTA-STS in (--skip starttls,breach): domains/s as
#      a share of the DNS limit at its own queries per domain, and of the
#      policy-fetch limit.
#
# Environment: SCORER, RULES, BENCH_DIR (build/bench/pipeline),
# BENCH_DOMAINS (10000), BENCH_MX_ADDRS (256), BENCH_STS_SHARE (0.4),
# BENCH_REPEAT (3), BENCH_TLS_ROUNDS (4: rounds over every address of the
# handshake limit), BENCH_DNSPERF_S (5), BENCH_LOAD_MAX (1.0: wait up to
# BENCH_LOAD_WAIT seconds, 120, for the 1-minute load average to fall
# below it before each block; measured anyway after that, and said so).
#
# Needs: root (Postfix), knotd, postfix, nginx, openssl, jq, python3, bc,
# GNU time; dnsperf optional.  Builds bench/tls_limit.c and
# bench/https_limit.c with cc.
set -u

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SCORER=${SCORER:-$TOP/build/scorer}
RULES=${RULES:-$TOP/rules}
LAB=$TOP/tests/lab
W=${BENCH_DIR:-$TOP/build/bench/pipeline}
NDOM=${BENCH_DOMAINS:-10000}
NADDR=${BENCH_MX_ADDRS:-256}
SHARE=${BENCH_STS_SHARE:-0.4}
REPEAT=${BENCH_REPEAT:-3}
ROUNDS=${BENCH_TLS_ROUNDS:-4}
PERF_S=${BENCH_DNSPERF_S:-5}
LOAD_MAX=${BENCH_LOAD_MAX:-1.0}
LOAD_WAIT=${BENCH_LOAD_WAIT:-120}
CONC=32
GNUTIME=/usr/bin/time

die() {
	echo "pipeline_bench: $*" >&2
	exit 1
}

for tool in knotd postfix nginx openssl jq python3 bc cc "$GNUTIME"; do
	command -v "$tool" >/dev/null 2>&1 || [ -x "$tool" ] ||
	    die "missing $tool (scripts/install-deps.sh installs the lab)"
done
[ "$(id -u)" = 0 ] || die "Postfix needs root"
[ -x "$SCORER" ] || die "no $SCORER (make first)"
mkdir -p "$W/bin" || die "cannot create $W"
W=$(cd "$W" && pwd)
for t in tls_limit:"-lssl -lcrypto" https_limit:-lcurl; do
	src=$TOP/bench/${t%%:*}.c bin=$W/bin/${t%%:*}
	if [ ! -x "$bin" ] || [ "$src" -nt "$bin" ]; then
		# shellcheck disable=SC2086 # the libraries are words
		cc -std=c99 -D_DEFAULT_SOURCE -O2 -Wall -Wextra -o "$bin" "$src" \
		    ${t#*:} || die "cannot build $src"
	fi
done

cleanup() {
	"$LAB/nginx.sh" stop "$W/nginx" 2>/dev/null
	"$LAB/postfix.sh" stop "$W/postfix" 2>/dev/null
	"$LAB/lab.sh" stop "$W/lab" 2>/dev/null
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# quiet: wait (bounded) for the machine to calm down; prints the load.
quiet() {
	local i load
	for ((i = 0; i < LOAD_WAIT; i += 5)); do
		load=$(cut -d' ' -f1 /proc/loadavg)
		[ "$(echo "$load < $LOAD_MAX" | bc)" = 1 ] && break
		sleep 5
	done
	load=$(cut -d' ' -f1-3 /proc/loadavg)
	if [ "$(echo "${load%% *} < $LOAD_MAX" | bc)" = 1 ]; then
		echo "load average $load"
	else
		echo "load average $load: BUSY (above $LOAD_MAX after ${LOAD_WAIT} s)"
	fi
}

# best FILE COLUMN: the largest value of a column, and every value.
best() {
	awk -v c="$2" '{ v = $c; if (NR == 1 || v > b) b = v; all = all (NR > 1 ? ", " : "") v }
	    END { printf "%s %s\n", b, all }' "$1"
}

# ---- the world, the certificates, the servers -------------------------------
WORLD=$W/world-$NDOM-$NADDR-$SHARE
stamp="$(cksum <"$TOP/bench/genpipeline.py")"
if [ "$(cat "$WORLD/stamp" 2>/dev/null)" != "$stamp" ]; then
	rm -rf "$WORLD" "$W/pki"
	python3 "$TOP/bench/genpipeline.py" --domains "$NDOM" \
	    --mx-addrs "$NADDR" --sts-share "$SHARE" "$WORLD" ||
	    die "genpipeline.py failed"
	echo "$stamp" >"$WORLD/stamp"
fi
if [ ! -s "$W/pki/done" ]; then
	rm -rf "$W/pki"
	"$LAB/pki.sh" ca "$W/pki" >/dev/null &&
	    "$LAB/pki.sh" leaf "$W/pki" mx.pipe '*.mx.pipe' >/dev/null ||
	    die "pki.sh failed"
	while read -r first rest; do
		# shellcheck disable=SC2086 # a certificate's names
		"$LAB/pki.sh" leaf "$W/pki" "$first" $rest >/dev/null ||
		    die "pki.sh failed for $first"
	done <"$WORLD/cert-groups.txt"
	date >"$W/pki/done"
fi

cleanup
LAB_ZONES=$WORLD/zones "$LAB/lab.sh" start "$W/lab" >/dev/null 2>"$W/lab.err" ||
    { cat "$W/lab.err" >&2; die "the DNS lab did not start"; }
# shellcheck source=/dev/null
. "$W/lab/env"
# shellcheck disable=SC2046 # one address a word
POSTFIX_HOSTNAME=mx.pipe "$LAB/postfix.sh" start "$W/postfix" \
    "$W/pki/mx.pipe.pem" "$W/pki/mx.pipe.key" $(cat "$WORLD/mx-addrs.txt") \
    >/dev/null 2>"$W/postfix.err" ||
    { tail -5 "$W/postfix.err" >&2; die "Postfix did not start"; }
# shellcheck source=/dev/null
. "$W/postfix/postfix.env"
# Idle smtpd processes stay for the whole run (default 100 s), so that
# every measurement meets the same warm servers.
postconf -c "$W/postfix/etc" -e max_idle=3600s max_use=100000 &&
    postfix -c "$W/postfix/etc" reload >/dev/null 2>&1
NGINX_SNIPPETS=$WORLD/nginx "$LAB/nginx.sh" start "$W/nginx" "$W/pki" \
    >/dev/null 2>"$W/nginx.err" ||
    { cat "$W/nginx.err" >&2; die "nginx did not start"; }
# shellcheck source=/dev/null
. "$W/nginx/nginx.env"
sed "s|.*|https://&:$NGINX_PORT/.well-known/mta-sts.txt|" \
    "$WORLD/sts-hosts.txt" >"$W/sts-urls.txt"
nprobe=$(wc -l <"$WORLD/mx-hosts.txt")
nsts=$(wc -l <"$WORLD/sts-hosts.txt")
echo "== lab: $NDOM domains, Knot on $LAB_DNS; Postfix (STARTTLS, one smtpd" \
    "service per address) on $NADDR addresses, $nprobe of them MX hosts," \
    "port $SMTP_PORT; nginx (1 worker) with $nsts policies on" \
    "127.0.0.1:$NGINX_PORT; $(nproc) CPUs"
echo "   scorer: $SCORER, commit $(git -C "$TOP" rev-parse --short HEAD 2>/dev/null)"
# Warm up: one session to every address starts its smtpd.
"$W/bin/tls_limit" "$WORLD/mx-addrs.txt" "$SMTP_PORT" h0.mx.pipe "$CONC" 1 \
    >/dev/null

ARGS=(--resolver "$LAB_DNS" --rules "$RULES" --allow-loopback --quiet
	--smtp-port "$SMTP_PORT" --https-port "$NGINX_PORT"
	--ca-file "$W/pki/ca.pem")

# run NAME INPUT SKIP: one scorer batch under GNU time; appends
# "rate elapsed user sys maxrss_kB" (rate: records/s from the summary).
run() {
	local name=$1 input=$2 skip=$3
	"$GNUTIME" -f '%e %U %S %M' -o "$W/$name.time1" \
	    "$SCORER" batch "${ARGS[@]}" --skip "$skip" --input "$input" \
	    --output "$W/$name.jsonl" --summary "$W/$name.summary.json" ||
	    die "scorer batch failed in $name"
	read -r _ u s m <"$W/$name.time1"
	jq -r --arg u "$u" --arg s "$s" --arg m "$m" \
	    '"\(.records / .elapsed_s | round) \(.elapsed_s * 100 | round / 100) \($u) \($s) \($m)"' \
	    "$W/$name.summary.json" >>"$W/$name.runs"
}

# ---- 1. the limits ------------------------------------------------------------
echo "== 1. the servers' limits, x$REPEAT ($(quiet))"
rm -f "$W/tls.runs" "$W/https.runs"
for _ in $(seq "$REPEAT"); do
	"$W/bin/tls_limit" "$WORLD/mx-addrs.txt" "$SMTP_PORT" h0.mx.pipe \
	    "$CONC" "$ROUNDS" >"$W/tls.out" || die "tls_limit failed"
	awk '{ print $8, $6, $10, $12, $2 }' "$W/tls.out" >>"$W/tls.runs"
	"$W/bin/https_limit" "$W/sts-urls.txt" "$W/pki/ca.pem" 127.0.0.1 \
	    "$CONC" 1 >"$W/https.out" || die "https_limit failed"
	awk '{ print $8, $6, $10, $12, $2 }' "$W/https.out" >>"$W/https.runs"
done
read -r hs_limit hs_all < <(best "$W/tls.runs" 1)
read -r f_limit f_all < <(best "$W/https.runs" 1)
echo "   STARTTLS handshakes/s (bare C client, $CONC at once, $ROUNDS rounds" \
    "of $NADDR addresses): best $(printf '%.0f' "$hs_limit") (runs: $hs_all;" \
    "client CPU $(awk '{ printf "%.0f", ($3 + $4) * 1e6 / ($5 + 0.0001) }' \
    <(tail -1 "$W/tls.runs")) µs a handshake)"
echo "   policy fetches/s (bare libcurl multi, $CONC at once, $nsts URLs):" \
    "best $(printf '%.0f' "$f_limit") (runs: $f_all; client CPU" \
    "$(awk '{ printf "%.0f", ($3 + $4) * 1e6 / ($5 + 0.0001) }' \
    <(tail -1 "$W/https.runs")) µs a fetch)"

# dnsperf's limit for the query mix of a run's records: queries/s.
dns_limit() {
	local jsonl=$1
	jq -r '.records[] | "\(.name) \(.type)"' "$jsonl" >"$W/queries.txt"
	command -v dnsperf >/dev/null 2>&1 || return 1
	rm -f "$W/dnsperf.qps"
	for _ in $(seq "$REPEAT"); do
		dnsperf -s "$LAB_HOST" -p "$LAB_PORT" -d "$W/queries.txt" \
		    -l "$PERF_S" -c 4 -q 500 >"$W/dnsperf.out" 2>&1 || return 1
		awk '/Queries per second/ { print $4 }' "$W/dnsperf.out" \
		    >>"$W/dnsperf.qps"
	done
	sort -g "$W/dnsperf.qps" | tail -1
}

# ---- 2. the probe pass --------------------------------------------------------
# shellcheck disable=SC2054 # commas: --skip's list
ONLY_PROBE=spf,dmarc,tlsrpt,mta_sts,breach,dane,disposable,lookalike,interception
echo "== 2. the probe pass: $nprobe domains, one per MX address, every check" \
    "off but starttls, x$REPEAT ($(quiet))"
rm -f "$W/probe.runs" "$W/probe.conns"
for _ in $(seq "$REPEAT"); do
	before=$(grep -c ': connect from' "$W/postfix/postfix.log")
	run probe "$WORLD/addr-probe.txt" "$ONLY_PROBE"
	sleep 1 # postlogd writes behind
	after=$(grep -c ': connect from' "$W/postfix/postfix.log")
	echo "$((after - before))" >>"$W/probe.conns"
done
read -r p_rate p_all < <(best "$W/probe.runs" 1)
naddr_seen=$(jq -r '.checks.starttls.hosts[].addresses[] | "\(.address) \(.status)"' \
    "$W/probe.jsonl" | sort -u | awk '{ n++; if ($2 == "tls") t++ } END { print n, t + 0 }')
echo "   probes/s: best $(printf '%.0f' "$p_rate") (runs: $p_all) =" \
    "$(printf '%.2f' "$(echo "$p_rate / $hs_limit" | bc -l)") of the handshake" \
    "limit (target >= 0.5: $(echo "$p_rate / $hs_limit >= 0.5" | bc -l |
    sed 's/1/met/;s/0/MISSED/'))"
echo "   addresses probed, with TLS: $naddr_seen; sessions Postfix saw per" \
    "run (Postfix's log, smtpd 'connect from'): $(tail -n "$REPEAT" \
    "$W/probe.conns" | tr '\n' ' ')(each address once: $nprobe)"
echo "   runs (records/s elapsed_s user_s sys_s maxrss_kB): $(tr '\n' ';' \
    <"$W/probe.runs" | sed 's/;$//;s/;/; /g')"

# ---- 3. the peer --------------------------------------------------------------
echo "== 3. peer: bench/smtp_peer.py (Python $(python3 -c \
    'import sys; print(sys.version.split()[0])') asyncio + ssl), the same" \
    "$nprobe addresses, $CONC at once, x$REPEAT ($(quiet))"
rm -f "$W/peer.runs"
for _ in $(seq "$REPEAT"); do
	"$GNUTIME" -f '%e %U %S' -o "$W/peer.time1" python3 \
	    "$TOP/bench/smtp_peer.py" "$WORLD/mx-hosts.txt" "$SMTP_PORT" \
	    "$W/pki/ca.pem" "$CONC" >"$W/peer.out" || die "smtp_peer.py failed"
	read -r e _ _ <"$W/peer.time1"
	awk -v e="$e" '{ print $10, $8, e, $4, $6 }' "$W/peer.out" >>"$W/peer.runs"
done
read -r peer_rate peer_all < <(best "$W/peer.runs" 1)
echo "   probes/s inside its loop: best $(printf '%.0f' "$peer_rate") (runs:" \
    "$peer_all); whole process, start-up included: best $(printf '%.0f' \
    "$(awk -v n="$nprobe" '{ v = n / $3; if (v > b) b = v } END { print b }' \
    "$W/peer.runs")") (scorer's figure above is the whole batch: DNS and" \
    "start-up included); with TLS: $(tail -1 "$W/peer.runs" | cut -d' ' -f4)"
echo "   scorer's probe pass / the peer's loop: $(printf '%.2f' "$(echo \
    "$p_rate / $peer_rate" | bc -l)"); the peer / the handshake limit:" \
    "$(printf '%.2f' "$(echo "$peer_rate / $hs_limit" | bc -l)")"

# ---- 4. the full batch --------------------------------------------------------
echo "== 4. the full batch: $NDOM domains, every check but breach, x$REPEAT" \
    "($(quiet))"
rm -f "$W/full.runs"
for _ in $(seq "$REPEAT"); do
	run full "$WORLD/addr-domains.txt" breach
done
read -r d_rate d_all < <(best "$W/full.runs" 1)
nq=$(jq '.records | length' "$W/full.jsonl" | awk '{ s += $1 } END { print s }')
qpd=$(echo "scale=3; $nq / $NDOM" | bc)
hs_dps=$(echo "$hs_limit * $NDOM / $nprobe" | bc -l)
f_dps=$(echo "$f_limit * $NDOM / $nsts" | bc -l)
echo "   domains/s: best $(printf '%.0f' "$d_rate") (runs: $d_all)"
echo "   a domain needs $(printf '%.3f' "$(echo "$nprobe / $NDOM" | bc -l)")" \
    "probes (each address once a run), $(printf '%.3f' "$(echo "$nsts / $NDOM" |
    bc -l)") policy fetches, $qpd DNS queries"
echo "   limits in domains/s: handshakes $(printf '%.0f' "$hs_dps"), policy" \
    "fetches $(printf '%.0f' "$f_dps")$(q=$(dns_limit "$W/full.jsonl") &&
    printf ', DNS %.0f (dnsperf %.0f queries/s at %s a domain)' \
    "$(echo "$q / $qpd" | bc -l)" "$q" "$qpd")"
echo "   share of each: handshakes $(printf '%.3f' "$(echo "$d_rate / $hs_dps" |
    bc -l)"), policy fetches $(printf '%.3f' "$(echo "$d_rate / $f_dps" |
    bc -l)")"
echo "   runs (domains/s elapsed_s user_s sys_s maxrss_kB): $(tr '\n' ';' \
    <"$W/full.runs" | sed 's/;$//;s/;/; /g')"
echo "   verdicts: $(jq -r '.verdicts | to_entries | map("\(.key) \(.value)") |
    join(", ")' "$W/full.summary.json")"

# ---- 5. the DNS pass with MTA-STS in ------------------------------------------
echo "== 5. the DNS pass with MTA-STS in (--skip starttls,breach): $NDOM" \
    "domains, $nsts with a policy, x$REPEAT ($(quiet))"
rm -f "$W/sts.runs"
for _ in $(seq "$REPEAT"); do
	run sts "$WORLD/addr-domains.txt" starttls,breach
done
read -r s_rate s_all < <(best "$W/sts.runs" 1)
nq=$(jq '.records | length' "$W/sts.jsonl" | awk '{ s += $1 } END { print s }')
qpd=$(echo "scale=3; $nq / $NDOM" | bc)
echo "   domains/s: best $(printf '%.0f' "$s_rate") (runs: $s_all); CPU a domain" \
    "(best run): $(sort -k3,3g "$W/sts.runs" | awk -v n="$NDOM" \
    'NR == 1 { printf "user %.1f µs, sys %.1f µs", $3 * 1e6 / n, $4 * 1e6 / n }')"
echo "   queries a domain: $qpd, by type: $(jq -r '.records[].type' \
    "$W/sts.jsonl" | sort | uniq -c | sort -rn | awk '{ printf "%s %s, ", $2, $1 }' |
    sed 's/, $//')"
if q=$(dns_limit "$W/sts.jsonl"); then
	l=$(echo "$q / $qpd" | bc -l)
	echo "   DNS limit: dnsperf $(printf '%.0f' "$q") queries/s = $(printf '%.0f' \
	    "$l") domains/s; share $(printf '%.3f' "$(echo "$s_rate / $l" | bc -l)")" \
	    "(target >= 0.9: $(echo "$s_rate / $l >= 0.9" | bc -l |
	    sed 's/1/met/;s/0/MISSED/'))"
else
	echo "   DNS limit: not measured (apt-get install dnsperf)"
fi
echo "   policy-fetch limit: $(printf '%.0f' "$f_dps") domains/s; share" \
    "$(printf '%.3f' "$(echo "$s_rate / $f_dps" | bc -l)")"
echo "   runs (domains/s elapsed_s user_s sys_s maxrss_kB): $(tr '\n' ';' \
    <"$W/sts.runs" | sed 's/;$//;s/;/; /g')"
echo "== outputs and raw figures in $W"
