#!/bin/bash
# Refresh rules/rdap-dns.json, IANA's RDAP bootstrap file for DNS (RFC
# 9224): which RDAP server answers for which top-level domain.
#
# Usage: scripts/refresh-rdap-bootstrap.sh [OUTPUT]
#        (OUTPUT defaults to rules/rdap-dns.json)
# Env:   RDAP_BOOTSTRAP_URL  where to fetch it (default IANA's:
#                            https://data.iana.org/rdap/dns.json)
#
# Needs curl and jq.  The file is fetched over HTTPS, checked for the
# shape scorer reads (a "services" array of [labels, URLs] pairs and a
# "publication" date), pretty-printed with jq (so that a refresh shows
# as a readable diff) and written only when all of that holds.  Then:
# review `git diff rules/rdap-dns.json`, update the date in
# rules/SOURCES.md, run `make check`, commit.
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$here/rules/rdap-dns.json}
url=${RDAP_BOOTSTRAP_URL:-https://data.iana.org/rdap/dns.json}

for tool in curl jq; do
	command -v "$tool" >/dev/null || {
		echo "refresh-rdap-bootstrap: $tool is required" >&2
		exit 1
	}
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

curl -fsS --proto '=https' --max-time 60 --max-filesize 8388608 \
    -o "$tmp/dns.json" "$url"
if ! jq -e '(.services | type == "array" and length > 0) and
    all(.services[]; (.[0] | type == "array") and (.[1] | type == "array"))
    and (.publication | type == "string")' "$tmp/dns.json" >/dev/null; then
	echo "refresh-rdap-bootstrap: $url is not an RDAP bootstrap file" >&2
	exit 1
fi
jq . "$tmp/dns.json" >"$tmp/out.json"
mv "$tmp/out.json" "$out"
echo "refresh-rdap-bootstrap: $(jq -r .publication "$out"):" \
    "$(jq '[.services[][0][]] | length' "$out") labels," \
    "$(jq '.services | length' "$out") services -> $out" >&2
