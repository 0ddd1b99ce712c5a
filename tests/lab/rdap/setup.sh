#!/usr/bin/env bash
# The documents of the lab's RDAP server (tests/lab/nginx/rdap.conf) and
# the bootstrap file that points scorer at it, in DIR (PKI/rdap, which
# nginx serves):
#   DIR/NAME.json       an RFC 9083 domain object for every .test zone of
#                       tests/lab/zones/, every RDAP scenario name and
#                       ns.lab: registered years ago, renewed a year ahead,
#                       client transfer prohibited (no finding) unless the
#                       scenario says otherwise;
#   DIR/bootstrap.json  RFC 9224: .test and .lab -> https://rdap.test:PORT/rdap/
# Dates are relative to now, so that "expires in 10 days" stays true.
#
#   rdap/setup.sh DIR PORT
set -eu

LAB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
[ $# -eq 2 ] || { echo "usage: rdap/setup.sh DIR PORT" >&2; exit 2; }
dir=$1
port=$2
mkdir -p "$dir"

at() { date -u -d "$1" +%Y-%m-%dT%H:%M:%SZ; }

# doc NAME REGISTERED EXPIRES STATUS...: a domain object.
doc() {
	local name=$1 reg=$2 exp=$3 st="" s
	shift 3
	for s in "$@"; do
		st="$st${st:+, }\"$s\""
	done
	cat >"$dir/$name.json" <<JSON
{
  "objectClassName": "domain",
  "rdapConformance": ["rdap_level_0"],
  "handle": "LAB-$name",
  "ldhName": "$name",
  "status": [$st],
  "events": [
    {"eventAction": "registration", "eventDate": "$reg"},
    {"eventAction": "expiration", "eventDate": "$exp"},
    {"eventAction": "last changed", "eventDate": "$(at '-30 days')"},
    {"eventAction": "last update of RDAP database", "eventDate": "$(at now)"}
  ],
  "notices": [{"title": "Lab", "description": ["The scorer test lab."]}]
}
JSON
}

old=$(at '2012-03-04 10:00:00')
year=$(at '+400 days')
# Every lab domain: sound.
for f in "$LAB_ROOT"/zones/*.test.zone; do
	name=$(basename "$f" .zone)
	doc "$name" "$old" "$year" "client transfer prohibited" active
done
doc ns.lab "$old" "$year" "client transfer prohibited" active
doc rdap-redirect.test "$old" "$year" "client transfer prohibited" active
doc rdap-http-redirect.test "$old" "$year" "client transfer prohibited"
doc rdap-slow.test "$old" "$year" "client transfer prohibited" active
doc rdap-mx.test "$old" "$year" "client transfer prohibited" active
# One finding each.
doc rdap-pending.test "$old" "$(at '-40 days')" "pending delete" \
    "client transfer prohibited"
doc rdap-expiring.test "$old" "$(at '+10 days')" \
    "client transfer prohibited" active
doc rdap-renewal.test "$old" "$(at '+60 days')" \
    "client transfer prohibited" active
doc rdap-new.test "$(at '-20 days')" "$(at '+345 days')" \
    "client transfer prohibited" active
doc rdap-unlocked.test "$old" "$year" active
# Registered again 400 days ago (after a lapse): re-registered for an
# address enrolled before that (tests use --enrolled).
doc rdap-reregistered.test "$(at '-400 days')" "$(at '+330 days')" \
    "client transfer prohibited" active
# The same, for a domain that is its own nameserver's and MX host's too.
doc rdap-selfns.test "$(at '-400 days')" "$(at '+330 days')" \
    "client transfer prohibited" active
doc rdap-mxprov.test "$old" "$(at '+10 days')" \
    "client transfer prohibited" active
doc rdap-nsprov.test "$old" "$(at '-35 days')" "redemption period"
# An answer for another name: not evidence about this one.
doc rdap-wrongname.test "$old" "$year" active
sed -i 's/"ldhName": "rdap-wrongname.test"/"ldhName": "someone-else.test"/' \
    "$dir/rdap-wrongname.test.json"
# Not JSON (cut short).
printf '{"objectClassName": "domain", "ldhName": "rdap-malformed.test",\n' \
    >"$dir/rdap-malformed.test.json"
# A valid start, then 2 MiB of notices: over the 1 MiB the check reads.
{
	printf '{"objectClassName": "domain", "ldhName": "rdap-huge.test",'
	printf ' "notices": [{"description": ["'
	head -c 2097152 /dev/zero | tr '\0' x
	printf '"]}]}\n'
} >"$dir/rdap-huge.test.json"
# No document for rdap-404.test (and rdap-429.test is nginx's).
rm -f "$dir/rdap-404.test.json"

cat >"$dir/bootstrap.json" <<JSON
{
  "description": "RDAP bootstrap file of the scorer test lab",
  "publication": "$(at now)",
  "version": "1.0",
  "services": [
    [["test", "lab"], ["https://rdap.test:$port/rdap/"]]
  ]
}
JSON
