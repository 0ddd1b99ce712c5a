#!/usr/bin/env bash
# Run every fuzz target in $FUZZ_BUILD for $FUZZ_TIME seconds each, from
# the seed corpora (fuzz/seeds.sh) plus what earlier runs found (kept in
# $FUZZ_BUILD/corpus/<target>, never committed).  Fails on any crash,
# leak, timeout (-timeout=5) or out-of-memory (-rss_limit_mb=512); the
# reproducer is left in $FUZZ_BUILD/artifacts/.
#
#   FUZZ_BUILD=build/fuzz FUZZ_TIME=15 fuzz/run.sh [TARGET...]
#   (TARGET: address, spf, ... without the fuzz_ prefix)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${FUZZ_BUILD:-build/fuzz}
time=${FUZZ_TIME:-15}
fuzz/seeds.sh "$build/seeds" >/dev/null
mkdir -p "$build/artifacts" "$build/logs"
# ASan keeps 256 MB of freed memory by default (its quarantine, to catch
# uses after free); with libFuzzer's own that nears -rss_limit_mb on a
# fast target with large inputs (fuzz_dns: 64 KiB messages, 500 MB after
# 1.4 million runs) and fails a run that leaks nothing.  64 MB still
# holds thousands of runs' frees.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=64

if [ $# -eq 0 ]; then
	set --
	for f in fuzz/fuzz_*.c; do
		n=${f#fuzz/fuzz_}
		set -- "$@" "${n%.c}"
	done
fi

pass=0
fail=0
for t in "$@"; do
	bin=$build/fuzz_$t
	corpus=$build/corpus/$t
	mkdir -p "$corpus" "$build/seeds/$t"
	extra=()
	case $t in
	dns) extra=(-max_len=65536) ;;        # a DNS message over TCP
	corpus_index) extra=(-max_len=600000) ;; # a valid index: 512 KiB
	batch_input) extra=(-close_fd_mask=2) ;; # its own stderr messages
	esac
	log=$build/logs/$t.log
	# -max_total_time bounds the run; timeout(1) bounds a stuck harness.
	if timeout -k 10 $((time + 120)) "$bin" -max_total_time="$time" \
		-timeout=5 -rss_limit_mb=512 -malloc_limit_mb=512 \
		-print_final_stats=1 -artifact_prefix="$build/artifacts/$t-" \
		"${extra[@]}" "$corpus" "$build/seeds/$t" >"$log" 2>&1; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
		echo "ok fuzz_$t: ${runs:-?} runs in ${time}s"
		pass=$((pass + 1))
	else
		echo "FAIL fuzz_$t: see $log and $build/artifacts/$t-*"
		grep -E "ERROR|SUMMARY|runtime error" "$log" | head -5 || true
		fail=$((fail + 1))
	fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
