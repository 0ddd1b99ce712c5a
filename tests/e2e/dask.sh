#!/usr/bin/env bash
# End-to-end test of contrib/dask/scorer_dask.py: a Dask scheduler and two
# workers, each its own process on loopback (Debian's python3-distributed),
# run `scorer batch --numbered` over a list against the Knot lab.  The
# records must equal those of one `scorer batch` process (but for the time
# each was checked), in input order; then again while one worker is
# killed (SIGKILL) in the middle of a partition: no record lost, none
# written twice.  CSV output too.
#
#   SCORER=build/scorer tests/e2e/dask.sh
#
# Prints "ok NAME" / "FAIL NAME: why", then "N passed, N failed".
set -u

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SCORER=${SCORER:-$TOP/build/scorer}
RULES=${RULES:-$TOP/rules}
LAB=$TOP/tests/lab/lab.sh
DRIVER=$TOP/contrib/dask/scorer_dask.py
# Debian's Python, where python3-distributed is installed (not a pyenv or
# virtualenv python3 that may come first on PATH).
PY=${DASK_PYTHON:-/usr/bin/python3}
passed=0
failed=0

WORK=$(mktemp -d "${TMPDIR:-/tmp}/scorer-dask.XXXXXX") || exit 1
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null
	done
	for p in "${PIDS[@]}"; do
		wait "$p" 2>/dev/null
	done
	"$LAB" stop "$WORK/lab"
	rm -rf "$WORK"
}
trap cleanup EXIT

pass() { echo "ok $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: ${*:2}"; failed=$((failed + 1)); }

if ! "$PY" -c 'import distributed' 2>/dev/null; then
	fail dask "Dask distributed is not installed for $PY:" \
	    "scripts/install-deps.sh installs Debian's python3-distributed"
	echo "$passed passed, $failed failed"
	exit 1
fi

"$LAB" start "$WORK/lab" >/dev/null 2>"$WORK/lab.err" || {
	cat "$WORK/lab.err" >&2
	exit 1
}
# shellcheck source=/dev/null
. "$WORK/lab/env"
# shellcheck disable=SC2054 # the commas are --skip's
ARGS=(--resolver "$LAB_DNS" --rules "$RULES" --allow-loopback
	--skip starttls,mta_sts --timeout 10)

# 3000 lines over 1500 domains, with comments, blank and invalid lines.
awk 'BEGIN { for (i = 1; i <= 3000; i++) {
	if (i % 100 == 0) print "# a comment";
	else if (i % 101 == 0) print "";
	else if (i % 10 == 0) print "bad line " i;
	else if (i % 3 == 0) print "u" i "@good.test";
	else print "u" i "@gone-" int(i / 2) ".test";
} }' >"$WORK/users.txt"
timeout 120 "$SCORER" batch "${ARGS[@]}" --quiet --input "$WORK/users.txt" \
	--output "$WORK/one.jsonl"
norm() { jq -c 'del(.checked)' "$1"; }
norm "$WORK/one.jsonl" >"$WORK/one.n"

# ---- the cluster: a scheduler and two workers, separate processes ----------
cd "$WORK" || exit 1 # the workers' scratch space
"$PY" -m distributed.cli.dask_scheduler --host 127.0.0.1 --port 0 \
	--no-dashboard --scheduler-file "$WORK/sched.json" \
	>"$WORK/sched.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 300); do
	[ -s "$WORK/sched.json" ] && break
	sleep 0.1
done
worker() {
	# No nanny: a killed worker stays dead, as a lost machine does.
	"$PY" -m distributed.cli.dask_worker --scheduler-file "$WORK/sched.json" \
		--host 127.0.0.1 --nthreads 1 --no-nanny --no-dashboard \
		--name "$1" >"$WORK/$1.log" 2>&1 &
	PIDS+=($!)
	eval "$1=$!"
}
worker w1
worker w2
# Both registered with the scheduler before the first run.
ready=0
for _ in $(seq 300); do
	n=$("$PY" - "$WORK/sched.json" 2>/dev/null <<'PY'
import sys
from distributed import Client
with Client(scheduler_file=sys.argv[1], timeout="5s") as c:
    print(len(c.scheduler_info()["workers"]))
PY
)
	[ "${n:-0}" -ge 2 ] && ready=1 && break
	sleep 0.2
done
if [ "$ready" = 1 ]; then
	pass cluster-up
else
	fail cluster-up "$(tail -3 "$WORK/sched.log") $(tail -3 "$WORK/w1.log")"
fi

drive() {
	timeout 300 "$PY" "$DRIVER" --scheduler-file "$WORK/sched.json" \
		--scorer "$SCORER" --verbose "$@"
}

# ---- the same records as one process -------------------------------------------
drive --input "$WORK/users.txt" --output "$WORK/dask.jsonl" \
	--partition-lines 250 -- "${ARGS[@]}" 2>"$WORK/drive.err"
rc=$?
norm "$WORK/dask.jsonl" >"$WORK/dask.n"
if [ "$rc" = 0 ] && cmp -s "$WORK/one.n" "$WORK/dask.n"; then
	pass "same-records ($(wc -l <"$WORK/dask.n") records)"
else
	fail same-records "exit $rc: $(tail -2 "$WORK/drive.err")" \
	    "$(diff "$WORK/one.n" "$WORK/dask.n" | head -3)"
fi
if grep -q 'from w1' "$WORK/drive.err" && grep -q 'from w2' "$WORK/drive.err"; then
	pass both-workers
else
	fail both-workers "$(grep -c 'from w' "$WORK/drive.err") partitions: $(tail -1 "$WORK/drive.err")"
fi

# CSV: one header, then the records in order.
drive --input "$WORK/users.txt" --output "$WORK/dask.csv" \
	--partition-lines 400 -- "${ARGS[@]}" --format csv 2>/dev/null
timeout 120 "$SCORER" batch "${ARGS[@]}" --quiet --input "$WORK/users.txt" \
	--format csv --output "$WORK/one.csv"
if cmp -s "$WORK/one.csv" "$WORK/dask.csv"; then
	pass csv
else
	fail csv "$(diff "$WORK/one.csv" "$WORK/dask.csv" | head -3)"
fi

# ---- a worker killed in the middle of a partition ---------------------------------
# One address at a time (--concurrency 1) so that a partition takes a
# while; w2 is killed once it runs a scorer batch of its own.
drive --input "$WORK/users.txt" --output "$WORK/kill.jsonl" \
	--partition-lines 300 -- "${ARGS[@]}" --concurrency 1 \
	2>"$WORK/kill.err" &
drv=$!
PIDS+=("$drv")
killed=0
for _ in $(seq 600); do
	child=$(pgrep -P "$w2" -f 'batch --numbered' | head -1)
	if [ -n "$child" ]; then
		kill -9 "$w2" && killed=1
		wait "$w2" 2>/dev/null
		# the orphaned scorer would die on its closed pipe; do not wait
		kill -9 "$child" 2>/dev/null
		break
	fi
	sleep 0.05
done
wait "$drv"
rc=$?
norm "$WORK/kill.jsonl" >"$WORK/kill.n"
if [ "$killed" != 1 ]; then
	fail worker-killed "w2 never ran a partition"
elif [ "$rc" = 0 ] && cmp -s "$WORK/one.n" "$WORK/kill.n"; then
	pass "worker-killed (records equal, $(grep -c 'from w1' "$WORK/kill.err") partitions on w1)"
else
	fail worker-killed "exit $rc: $(tail -2 "$WORK/kill.err")" \
	    "$(diff "$WORK/one.n" "$WORK/kill.n" | head -3)"
fi
if [ "$(jq -r .line "$WORK/kill.jsonl" | sort -n | uniq -d | wc -l)" = 0 ] &&
	[ "$(wc -l <"$WORK/kill.jsonl")" = "$(wc -l <"$WORK/one.jsonl")" ]; then
	pass no-loss-no-duplicate
else
	fail no-loss-no-duplicate "$(wc -l <"$WORK/kill.jsonl") records"
fi

# ---- usage -----------------------------------------------------------------------
if "$PY" "$DRIVER" --scheduler-file "$WORK/sched.json" --input "$WORK/users.txt" \
	-- --resume >/dev/null 2>&1; then
	fail driver-usage "accepted a batch option the driver sets"
else
	pass driver-usage
fi
if timeout 60 "$PY" "$DRIVER" --scheduler tcp://127.0.0.1:9 --input \
	"$WORK/users.txt" --output "$WORK/none.jsonl" >/dev/null 2>&1 ||
	[ -e "$WORK/none.jsonl" ]; then
	fail no-scheduler "no error, or an output, without a scheduler"
else
	pass no-scheduler
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
