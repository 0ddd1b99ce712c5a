#!/usr/bin/env bash
# The batch benchmark: `scorer batch` against a Knot lab of 10,000 generated
# domains (bench/genworld.py), measured against what the lab's DNS server
# can answer.  Figures are printed, nothing is asserted: they depend on the
# machine and on whatever else runs on it.  See docs/bench.md.
#
#   bench/batch_bench.sh            (make bench-batch)
#
# Runs, each BENCH_REPEAT times (best and spread printed):
#   0. dnsperf with the query mix scorer sends (taken from run 1's JSON
#      records) against the same lab: the server's limit in queries/s,
#      divided by the queries per domain = the limit in domains/s; the
#      CPU a bare client needs for those queries, and the kernel's part
#      alone per transport (bench/transport_floor.py);
#   1. DNS-only (--skip starttls,mta_sts,breach), one address per domain,
#      10,000 domains no process has seen: domains/s as a share of that
#      limit, CPU time (user+sys of scorer) per domain, peak RSS;
#   2. BENCH_USERS lists (100,000 and 1,000,000 addresses, Zipf-skewed):
#      addresses/s, domains looked up, cache hit rate (--summary), CPU per
#      address, peak RSS.  The same checks as run 1: the lab serves DNS
#      only, and STARTTLS probes of 127.0.0.x:25 would measure whatever
#      else listens on port 25 of a shared machine.
#
# Environment: SCORER (build/scorer), RULES (rules/), BENCH_DIR
# (build/bench/batch: the world, outputs, lab), BENCH_CONCURRENCY
# (--concurrency, 1000), BENCH_REPEAT (3), BENCH_REPEAT_LARGE (1: lists
# of a million or more take minutes each), BENCH_USERS ("100000 1000000"),
# BENCH_DOMAINS (10000), BENCH_LAYOUT (big: one bench. zone holding every
# domain; zones: a zone file per domain), BENCH_DNSPERF_S (10 seconds a
# dnsperf run), BENCH_EXTRA (more scorer options, e.g. "--cache-size N"
# if the CLI grows one).
#
# Needs: knotd/knotc (knot), dig (bind9-dnsutils), jq, python3, GNU time
# (/usr/bin/time, package time) and dnsperf (package dnsperf).  Nothing is
# installed here; without dnsperf the server's limit is not measured and
# the ratio is left out.
set -u

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SCORER=${SCORER:-$TOP/build/scorer}
RULES=${RULES:-$TOP/rules}
LAB=$TOP/tests/lab/lab.sh
W=${BENCH_DIR:-$TOP/build/bench/batch}
CONC=${BENCH_CONCURRENCY:-1000}
REPEAT=${BENCH_REPEAT:-3}
REPEAT_LARGE=${BENCH_REPEAT_LARGE:-1} # lists of 1,000,000 and more
USERS=${BENCH_USERS-100000 1000000} # "" for run 1 alone
NDOM=${BENCH_DOMAINS:-10000}
LAYOUT=${BENCH_LAYOUT:-big}
PERF_S=${BENCH_DNSPERF_S:-10}
EXTRA=${BENCH_EXTRA:-}
GNUTIME=/usr/bin/time

die() {
	echo "batch_bench: $*" >&2
	exit 1
}

missing=
for tool in knotd:knot dig:bind9-dnsutils jq:jq python3:python3 bc:bc \
	"$GNUTIME:time"; do
	command -v "${tool%%:*}" >/dev/null 2>&1 || [ -x "${tool%%:*}" ] ||
	    missing="$missing ${tool##*:}"
done
[ -z "$missing" ] || die "missing tools; apt-get install$missing"
[ -x "$SCORER" ] || die "no $SCORER (make first)"
HAVE_DNSPERF=1
if ! command -v dnsperf >/dev/null 2>&1; then
	HAVE_DNSPERF=0
	cat >&2 <<'EOF'
batch_bench: dnsperf is not installed, so the DNS server's limit cannot be
measured and the domains/s ratio is left out.  It is a benchmark tool, not
a build or test dependency (scripts/install-deps.sh leaves it out):
    apt-get install dnsperf
EOF
fi

mkdir -p "$W" || die "cannot create $W"
W=$(cd "$W" && pwd)
cleanup() {
	"$LAB" stop "$W/lab" 2>/dev/null
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- the world -------------------------------------------------------------
WORLD=$W/world-$LAYOUT-$NDOM
stamp="$NDOM $LAYOUT $USERS $(cksum <"$TOP/bench/genworld.py")"
if [ "$(cat "$WORLD/stamp" 2>/dev/null)" != "$stamp" ]; then
	rm -rf "$WORLD"
	echo "== generating the world in $WORLD"
	python3 "$TOP/bench/genworld.py" --domains "$NDOM" --layout "$LAYOUT" \
	    --users "$(echo "$USERS" | tr ' ' ',')" "$WORLD" ||
	    die "genworld.py failed"
	echo "$stamp" >"$WORLD/stamp"
fi

# ---- the lab ---------------------------------------------------------------
"$LAB" stop "$W/lab"
nzones=$(find "$WORLD/zones" -name '*.zone' | wc -l)
t0=$(date +%s.%N)
LAB_ZONES=$WORLD/zones LAB_START_TIMEOUT=300 "$LAB" start "$W/lab" \
    2>"$W/lab.err" || { cat "$W/lab.err" >&2; die "the lab did not start"; }
# knotd answers the root before the last zone has loaded: wait for all.
for _ in $(seq 6000); do
	[ "$(grep -c 'loaded, serial' "$W/lab/knot.log")" -ge "$nzones" ] &&
	    break
	sleep 0.05
done
t1=$(date +%s.%N)
# shellcheck source=/dev/null
. "$W/lab/env"
echo "== lab: knotd on $LAB_DNS, $nzones zone files ($LAYOUT layout)" \
    "loaded in $(printf '%.2f' "$(echo "$t1 - $t0" | bc)") s," \
    "knotd RSS $(ps -o rss= -p "$(cat "$W/lab/knot.pid")" | tr -d ' ') kB"
echo "   (udp-workers: 1, as tests/lab/lab.sh configures it)"

# ---- run 0: start-up --------------------------------------------------------
# A one-address `scorer check` process (DNS only: the lab serves DNS), its
# CPU to the microsecond (bench/cputime.py), and what sc_ctx_new() and the
# first sc_check() cost inside a program (bench/startup.c, $STARTUP).
echo "== run 0: start-up, one address, DNS only, best of 30 fresh processes" \
    "(load average $(cut -d' ' -f1-3 /proc/loadavg))"
read -r _ su_best _ su_med _ su_u _ su_s _ < <(python3 "$TOP/bench/cputime.py" 30 \
    "$SCORER" check --resolver "$LAB_DNS" --rules "$RULES" --allow-loopback \
    --skip starttls,mta_sts,breach postmaster@d00001.bench)
echo "   scorer check process: best $(echo "scale=2; $su_best / 1000" | bc) ms" \
    "of CPU (median $(echo "scale=2; $su_med / 1000" | bc); target < 5 ms:" \
    "$([ "$su_best" -lt 5000 ] && echo met || echo MISSED))"
if [ -x "${STARTUP:-}" ]; then
	for _ in $(seq 30); do
		"$STARTUP" "$RULES" "$LAB_DNS" postmaster@d00001.bench
	done >"$W/startup.runs"
	read -r lib_best lib_wall < <(sort -k2,2n "$W/startup.runs" |
	    awk 'NR == 1 { print $2, $4 }')
	echo "   sc_ctx_new() + options + first sc_check(): best $(echo \
	    "scale=2; $lib_best / 1000" | bc) ms of CPU ($(echo "scale=2;" \
	    "$lib_wall / 1000" | bc) ms on the clock; target < 2 ms:" \
	    "$([ "$lib_best" -lt 2000 ] && echo met || echo MISSED))"
fi

# The "ns" check's direct questions go to the lab's nameserver (ns.lab,
# on the lab's port); the "rdap" check finds no server for .bench in the
# bootstrap file, so it sends nothing (BENCH_EXTRA="--skip ns,rdap" for
# the figures without both).
# shellcheck disable=SC2206,SC2054 # EXTRA is a list of words on purpose; the commas are --skip's
ARGS=(--resolver "$LAB_DNS" --rules "$RULES" --allow-loopback --quiet
	--skip starttls,mta_sts,breach --ns-port "$LAB_PORT"
	--concurrency "$CONC" $EXTRA)
echo "== scorer: $SCORER, --concurrency $CONC, --skip starttls,mta_sts,breach" \
    "${EXTRA:+($EXTRA) }$(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"

# timed NAME INPUT OUTPUT [OPTIONS]: one scorer batch under GNU time;
# appends "elapsed user sys maxrss_kB" to $W/NAME.times and keeps the
# summary.
timed() {
	local name=$1 input=$2 output=$3
	shift 3
	"$GNUTIME" -f '%e %U %S %M' -o "$W/$name.time1" \
	    "$SCORER" batch "${ARGS[@]}" "$@" --input "$input" \
	    --output "$output" --summary "$W/$name.summary.json" ||
	    die "scorer batch failed in run $name"
	cat "$W/$name.time1" >>"$W/$name.times"
}

# stats FILE COLUMN SCALE: "best spread" of a column of numbers scaled,
# best = max when BIG=1 else min; spread = max/min - 1 in percent.
stats() {
	awk -v c="$2" -v k="$3" -v big="${BIG:-1}" '
	{ v = $c * k; if (NR == 1 || v < lo) lo = v; if (NR == 1 || v > hi) hi = v }
	END { best = big ? hi : lo;
	      printf "%s %.0f%%\n", best, (lo > 0 ? (hi / lo - 1) * 100 : 0) }' "$1"
}

# ---- run 1: DNS-only, 10,000 fresh domains -------------------------------------
echo "== run 1: DNS-only, $NDOM fresh domains, one address each" \
    "(x$REPEAT)"
rm -f "$W/dns.times" "$W/dns.rates"
for _ in $(seq "$REPEAT"); do
	# --evidence: the lookups of each record give the query mix below
	timed dns "$WORLD/addr-domains.txt" "$W/dns-only.jsonl" --evidence
	jq -r '"\(.elapsed_s) \(.records)"' "$W/dns.summary.json" \
	    >>"$W/dns.rates"
done
# Queries per domain: every lookup is one entry of a record's "records"
# array (retries after a timeout are not; the run has none when
# timeouts=0 below).
read -r nq ndone ntimeout < <(jq -r '[(.records | length),
    ([.records[] | select(.status == "timeout")] | length)] | @tsv' \
    "$W/dns-only.jsonl" | awk '{ q += $1; t += $2 } END { print q, NR, t }')
qpd=$(echo "scale=3; $nq / $ndone" | bc)
echo "   queries per domain: $qpd ($nq lookups for $ndone domains," \
    "timeouts=$ntimeout); by type:" \
    "$(jq -r '.records[].type' "$W/dns-only.jsonl" | sort | uniq -c |
        sort -rn | awk '{ printf "%s %s, ", $2, $1 }' | sed 's/, $//')"

# ---- the DNS server's limit (dnsperf) --------------------------------------
limit_qps=
jq -r '.records[] | "\(.name) \(.type)"' "$W/dns-only.jsonl" \
    >"$W/queries.txt"
if [ "$HAVE_DNSPERF" = 1 ]; then
	rm -f "$W/dnsperf.qps"
	for _ in $(seq "$REPEAT"); do
		dnsperf -s "$LAB_HOST" -p "$LAB_PORT" -d "$W/queries.txt" \
		    -l "$PERF_S" -c 4 -q 500 >"$W/dnsperf.out" 2>&1 ||
		    die "dnsperf failed: $(tail -3 "$W/dnsperf.out")"
		awk '/Queries per second/ { print $4 }' "$W/dnsperf.out" \
		    >>"$W/dnsperf.qps"
	done
	read -r limit_qps qspread < <(stats "$W/dnsperf.qps" 1 1)
	limit_dps=$(echo "scale=1; $limit_qps / $qpd" | bc)
	echo "== the DNS server's limit: dnsperf, the same query mix, ${PERF_S} s x$REPEAT:" \
	    "best $(printf '%.0f' "$limit_qps") queries/s (spread $qspread)" \
	    "= $(printf '%.0f' "$limit_dps") domains/s at $qpd queries a domain"
	# The CPU a client that does nothing but send and receive needs for
	# the same queries: dnsperf, each query once, 128 in flight as
	# scorer keeps (dns.h), 2 s timeout.  Its user+sys time per query
	# times the queries per domain is a floor no DNS client beats by
	# much: most of it is the kernel's (loopback delivery of every
	# datagram, the server's wake-ups), charged to the sender.
	rm -f "$W/dnsperf.cpu"
	for _ in $(seq "$REPEAT"); do
		"$GNUTIME" -f '%e %U %S' -o "$W/dnsperf.time1" \
		    dnsperf -s "$LAB_HOST" -p "$LAB_PORT" -d "$W/queries.txt" \
		    -n 1 -c 1 -q 128 -t 2 >"$W/dnsperf1.out" 2>&1 ||
		    die "dnsperf failed: $(tail -3 "$W/dnsperf1.out")"
		read -r _ u s <"$W/dnsperf.time1"
		echo "$u $s" >>"$W/dnsperf.cpu"
	done
	read -r floor _ < <(awk '{ print $1 + $2 }' "$W/dnsperf.cpu" \
	    >"$W/dnsperf.cpus"; BIG=0 stats "$W/dnsperf.cpus" 1 \
	    "$(echo "1000000 * $qpd / $nq" | bc -l)")
	echo "   a bare DNS client's CPU for the same queries (dnsperf -n 1" \
	    "-q 128, user+sys): best $(printf '%.1f' "$floor") µs a domain" \
	    "($(printf '%.2f' "$(echo "$floor / $qpd" | bc -l)") µs a query;" \
	    "runs user_s sys_s: $(tr '\n' ';' <"$W/dnsperf.cpu" |
	        sed 's/;$//;s/;/; /g'))"
fi

# The kernel's part alone, per transport (bench/transport_floor.py): what
# any client pays for these queries in system time, as datagrams one by
# one or 32 at a time, or pipelined over one TCP connection 32 a write.
floors=
for t in "udp 1" "udp 32" "tcp 32"; do
	# shellcheck disable=SC2086 # two words on purpose
	read -r _ _ got _ _ us < <(python3 "$TOP/bench/transport_floor.py" \
	    "$LAB_HOST" "$LAB_PORT" "$W/queries.txt" $t 2>/dev/null) ||
	    continue
	[ "$got" = "$nq" ] || continue
	case $t in
	"udp 1") what="UDP, one at a time" ;;
	"udp 32") what="UDP, sent 32 at a time" ;;
	*) what="TCP, pipelined 32 a write" ;;
	esac
	floors="$floors${floors:+; }$what $(printf '%.1f' \
	    "$(echo "$us * $qpd" | bc -l)") µs a domain"
done
[ -n "$floors" ] && echo "   the kernel's time alone for the same queries" \
    "(bench/transport_floor.py, best of 1): $floors"

# Run 1's figures (now that the limit is known).
read -r dps dspread < <(awk '{ print $2 / $1 }' "$W/dns.rates" >"$W/dns.dps";
    stats "$W/dns.dps" 1 1)
read -r cpu cspread < <(awk '{ print $2 + $3 }' "$W/dns.times" \
    >"$W/dns.cpu"; BIG=0 stats "$W/dns.cpu" 1 "$(echo "1000000/$NDOM" | bc -l)")
read -r rss rspread < <(BIG=0 stats "$W/dns.times" 4 1)
echo "   domains/s: best $(printf '%.0f' "$dps") (spread $dspread)"
if [ -n "$limit_qps" ]; then
	ratio=$(echo "scale=3; $dps / $limit_dps" | bc)
	echo "   share of the DNS server's limit: $(printf "%.3f" "$ratio")" \
	    "(target >= 0.5: $(echo "$ratio >= 0.5" | bc | sed 's/1/met/;s/0/MISSED/'))"
fi
echo "   CPU (user+sys) per domain: best $(printf '%.1f' "$cpu") µs" \
    "(spread $cspread)"
read -r cu cs < <(sort -k2,2g -k3,3g "$W/dns.times" | awk -v n="$NDOM" '
    { printf "%.1f %.1f\n", $2 * 1e6 / n, $3 * 1e6 / n; exit }')
echo "   of which user $cu µs, kernel $cs µs (the run with the least user" \
    "time; target: user <= 25 µs: $(echo "$cu <= 25" | bc |
    sed 's/1/met/;s/0/MISSED/'))"
if [ -n "${floor:-}" ]; then
	echo "   user+sys = $(printf '%.2f' "$(echo "$cpu / $floor" | bc -l)") x" \
	    "the bare client's (dnsperf, same queries, same run; target <= 1.1:" \
	    "$(echo "$cpu / $floor <= 1.1" | bc -l | sed 's/1/met/;s/0/MISSED/'))"
fi
echo "   peak RSS: best $((rss / 1024)) MB (spread $rspread)"
echo "   runs (elapsed_s user_s sys_s maxrss_kB):" \
    "$(tr '\n' ';' <"$W/dns.times" | sed 's/;$//;s/;/; /g')"

# ---- the peer figure: mailauth (npm) ---------------------------------------
# Optional (BENCH_PEER=0 leaves it out; it needs node, npm and the npm
# registry once): the same domains through mailauth's MX, SPF, DMARC and
# MTA-STS TXT lookups (bench/mailauth_peer.sh), each run printed.
if [ "${BENCH_PEER:-1}" = 1 ] && command -v node >/dev/null 2>&1 &&
    command -v npm >/dev/null 2>&1; then
	echo "== peer: mailauth over the same $NDOM domains, concurrency $CONC (x$REPEAT)"
	for _ in $(seq "$REPEAT"); do
		if ! (set -o pipefail
		    "$TOP/bench/mailauth_peer.sh" "$LAB_HOST" "$LAB_PORT" \
		    "$WORLD/addr-domains.txt" "$CONC" 2>"$W/peer.err" |
		    sed 's/^/   /'); then
			echo "   not measured: $(tail -1 "$W/peer.err")"
			break
		fi
	done
fi

# ---- runs 2, 3: user lists --------------------------------------------------------
n=2
for k in $USERS; do
	name=users-$k
	rep=$REPEAT
	[ "$k" -lt 1000000 ] || rep=$REPEAT_LARGE
	echo "== run $n: $k addresses (Zipf over $NDOM domains) (x$rep)"
	rm -f "$W/$name.times" "$W/$name.rates"
	for _ in $(seq "$rep"); do
		timed "$name" "$WORLD/users-$k.txt" /dev/null
		jq -r '"\(.elapsed_s) \(.records) \(.domains_looked_up)
		    \(.domain_cache_hit_rate) \(.domains_evicted)"' \
		    "$W/$name.summary.json" | tr '\n' ' ' >>"$W/$name.rates"
		echo >>"$W/$name.rates"
	done
	read -r aps aspread < <(awk '{ print $2 / $1 }' "$W/$name.rates" \
	    >"$W/$name.aps"; stats "$W/$name.aps" 1 1)
	read -r cpu cspread < <(awk '{ print $2 + $3 }' "$W/$name.times" \
	    >"$W/$name.cpu"; BIG=0 stats "$W/$name.cpu" 1 "$(echo "1000000/$k" | bc -l)")
	read -r rss rspread < <(BIG=0 stats "$W/$name.times" 4 1)
	read -r _ _ looked hit evicted < <(tail -1 "$W/$name.rates")
	echo "   addresses/s: best $(printf '%.0f' "$aps") (spread $aspread)"
	echo "   domains looked up: $looked, cache hit rate" \
	    "$(printf '%.4f' "$hit"), evicted $evicted"
	echo "   CPU per address: best $(printf '%.1f' "$cpu") µs" \
	    "(spread $cspread); per domain looked up:" \
	    "$(printf '%.1f' "$(echo "$cpu * $k / $looked" | bc -l)") µs"
	echo "   peak RSS: best $((rss / 1024)) MB (spread $rspread)$( \
	    [ "$k" -ge 1000000 ] && echo "; target < 100 MB:" \
	    "$([ "$rss" -lt 102400 ] && echo met || echo MISSED)")"
	echo "   runs (elapsed_s user_s sys_s maxrss_kB):" \
	    "$(tr '\n' ';' <"$W/$name.times" | sed 's/;$//;s/;/; /g')"
	n=$((n + 1))
done
# ---- the scale run: BENCH_SCALE="ADDRESSES DOMAINS" ---------------------------
# Ten million addresses over 200,000 domains (a world of its own, made
# once), DNS-only as runs 2 and 3, CSV records piped to a checker of
# their order (JSON Lines would be 30 GB); peak RSS of scorer alone.
SCALE=${BENCH_SCALE-10000000 200000}
if [ -n "$SCALE" ]; then
	read -r sk sd <<<"$SCALE"
	SW=$W/world-scale-$sd
	stamp="$sd $sk $(cksum <"$TOP/bench/genworld.py")"
	if [ "$(cat "$SW/stamp" 2>/dev/null)" != "$stamp" ]; then
		rm -rf "$SW"
		echo "== generating the scale world in $SW (minutes)"
		python3 "$TOP/bench/genworld.py" --domains "$sd" --users "$sk" \
		    "$SW" || die "genworld.py failed"
		echo "$stamp" >"$SW/stamp"
	fi
	"$LAB" stop "$W/lab"
	# shellcheck source=bench/lab_world.sh
	. "$TOP/bench/lab_world.sh"
	lab_world_start "$SW/zones" "$W/lab" || die "the lab did not start"
	# shellcheck source=/dev/null
	. "$W/lab/env"
	ARGS[1]=$LAB_DNS
	echo "== the scale run: $sk addresses over $sd domains (Zipf), x1" \
	    "(load average $(cut -d' ' -f1-3 /proc/loadavg))"
	bad=$( (set -o pipefail
	    "$GNUTIME" -f '%e %U %S %M' -o "$W/scale.time1" \
	    "$SCORER" batch "${ARGS[@]}" --input "$SW/users-$sk.txt" --output - \
	    --format csv --summary "$W/scale.summary.json" |
	    awk -F, 'NR > 1 { gsub(/"/, "", $1); if ($1 != NR - 1) bad++ }
	        END { print NR - 1, bad + 0 }')) ||
	    die "scorer batch failed in the scale run"
	read -r e u s m <"$W/scale.time1"
	read -r nrec nbad <<<"$bad"
	echo "   $nrec records in $e s ($(printf '%.0f' "$(echo "$sk / $e" | bc -l)")" \
	    "addresses/s), CPU $(printf '%.1f' "$(echo "($u + $s) * 1000000 / $sk" |
	    bc -l)") µs an address; records out of input order: $nbad"
	echo "   domains looked up $(jq -r .domains_looked_up "$W/scale.summary.json")," \
	    "cache hit rate $(jq -r '.domain_cache_hit_rate * 1000 | round / 1000' \
	    "$W/scale.summary.json")"
	echo "   peak RSS: $((m / 1024)) MB (target < 150 MB: $([ "$m" -lt 153600 ] &&
	    echo met || echo MISSED))"
fi
echo "== outputs and raw figures in $W"
