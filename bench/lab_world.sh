# Sourced by the benchmarks: start a Knot lab over a generated world's
# zones and wait until every zone has loaded.
#
#   . bench/lab_world.sh
#   lab_world_start ZONES_DIR LAB_DIR    # then . LAB_DIR/env
#
# knotd answers the root before the last zone has loaded, so the lab's own
# readiness check is not enough for a world of thousands of zones: this
# waits (at most 5 minutes) for a "loaded, serial" line per zone file.
# Returns 2 with the lab's errors on stderr when it does not start.

lab_world_start() {
	local zones=$1 lab=$2 top nzones
	top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
	nzones=$(find "$zones" -name '*.zone' | wc -l)
	LAB_ZONES=$zones LAB_START_TIMEOUT=300 "$top/tests/lab/lab.sh" \
	    start "$lab" 2>"$lab.err" || { cat "$lab.err" >&2; return 2; }
	for _ in $(seq 6000); do
		[ "$(grep -c 'loaded, serial' "$lab/knot.log")" -ge "$nzones" ] &&
		    return 0
		sleep 0.05
	done
	echo "lab_world_start: not every zone of $zones loaded in 5 minutes" >&2
	return 2
}
