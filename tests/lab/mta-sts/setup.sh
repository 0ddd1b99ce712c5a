#!/usr/bin/env bash
# What the lab nginx needs before it starts, made in the CA directory PKI
# that nginx.sh is given:
#   - the lab CA (pki.sh ca) and default.invalid (00-default.conf), unless
#     already there (another area may have made them);
#   - one certificate per "# pki: KIND NAME" line of every snippet
#     (tests/lab/nginx/*.conf, or $NGINX_SNIPPETS as nginx.sh reads them),
#     KIND being leaf (from the CA), self (self-signed) or expired;
#   - PKI/sts-huge.test.txt, a 1 GiB MTA-STS policy (sparse; too big for git).
#
#   mta-sts/setup.sh PKI
set -eu

LAB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PKI_SH=$LAB_ROOT/pki.sh
SNIPPETS=${NGINX_SNIPPETS:-$LAB_ROOT/nginx}

[ $# -eq 1 ] || { echo "usage: mta-sts/setup.sh PKI" >&2; exit 2; }
pki=$1
mkdir -p "$pki"
[ -f "$pki/ca.pem" ] || "$PKI_SH" ca "$pki"
[ -f "$pki/default.invalid.pem" ] || "$PKI_SH" leaf "$pki" default.invalid

while read -r _ _ kind name; do
	[ -f "$pki/$name.pem" ] && continue
	case $kind in
	leaf | self | expired) "$PKI_SH" "$kind" "$pki" "$name" ;;
	*) echo "mta-sts/setup.sh: unknown kind '$kind' for $name" >&2; exit 1 ;;
	esac
done < <(cat "$SNIPPETS"/*.conf | grep '^# pki: ')

# A valid start, then unknown fields (ignored by parsers) up to 1 MiB,
# then a sparse hole to 1 GiB (no disk used): only the size is wrong, and
# the fetch must stop at 64 KiB, in bounded time and memory.
{
	printf 'version: STSv1\nmode: enforce\nmx: mx.sts-huge.test\n'
	printf 'max_age: 604800\n'
	yes 'padding: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' |
	    head -c 1048576
} >"$pki/sts-huge.test.txt"
truncate -s 1G "$pki/sts-huge.test.txt"
