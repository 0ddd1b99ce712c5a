#!/usr/bin/env bash
# The whole demo world in one call: Knot DNS (lab.sh), the lab CA, nginx
# with the MTA-STS policies and the RDAP registry (nginx.sh, rdap/setup.sh)
# and Postfix with STARTTLS on the MX
# addresses of the sound demo domains (postfix.sh).  Used by `make demo`
# and the benchmarks.
#
#   world.sh start DIR   start everything; writes DIR/world.env with
#                        LAB_DNS and WORLD_ARGS (the scorer options that
#                        point at this world, one a line)
#   world.sh stop DIR
#
# Without nginx or Postfix (Postfix needs root) the world still starts,
# with a warning: the STARTTLS and MTA-STS checks then cannot connect.
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

die() {
	echo "world.sh: $*" >&2
	exit 1
}

# The policy hosts and a real mail server, with certificates of the lab CA.
start_servers() {
	local dir=$1 pki=$1/pki
	"$HERE/mta-sts/setup.sh" "$pki" &&
	    "$HERE/nginx.sh" start "$dir/nginx" "$pki" || return 1
	# shellcheck source=/dev/null
	. "$dir/nginx/nginx.env"
	printf '%s\n' --https-port "$NGINX_PORT" --ca-file "$pki/ca.pem" \
	    >>"$dir/args"
	# The lab's RDAP registry (docs/rdap.md): its documents, and the
	# bootstrap file that points .test and .lab at it.  It is ours, so
	# the rate can be a lab's, not the polite 2 a second a registry gets.
	"$HERE/rdap/setup.sh" "$pki/rdap" "$NGINX_PORT" &&
	    printf '%s\n' --rdap-bootstrap "$pki/rdap/bootstrap.json" \
	        --rdap-rate 100 >>"$dir/args" || return 1
	"$HERE/pki.sh" leaf "$pki" mx1.good.test mx2.good.test \
	    mx.xn--bcher-kva.test mx1.northwind.test mx2.northwind.test &&
	    "$HERE/postfix.sh" start "$dir/postfix" "$pki/mx1.good.test.pem" \
	        "$pki/mx1.good.test.key" 127.0.0.10 127.0.0.11 127.0.0.61 \
	        127.0.0.62 127.0.0.50 ::1 || return 1
	# shellcheck source=/dev/null
	. "$dir/postfix/postfix.env"
	printf '%s\n' --smtp-port "$SMTP_PORT" >>"$dir/args"
}

cmd_start() {
	local dir=$1
	mkdir -p "$dir" || die "cannot create $dir"
	"$HERE/lab.sh" start "$dir/lab" >/dev/null 2>"$dir/lab.err" ||
	    { cat "$dir/lab.err" >&2; die "the lab DNS did not start"; }
	# shellcheck source=/dev/null
	. "$dir/lab/env"
	# --ns-port: the lab's nameservers (ns.lab and the lame-delegation
	# ones) listen on its port.
	printf '%s\n' --resolver "$LAB_DNS" --allow-loopback \
	    --ns-port "$LAB_PORT" >"$dir/args"
	if ! start_servers "$dir" >"$dir/servers.log" 2>&1; then
		echo "world.sh: nginx or Postfix did not start (Postfix needs" \
		    "root); STARTTLS and MTA-STS will be unverified" >&2
	fi
	echo "LAB_DNS=$LAB_DNS" >"$dir/world.env"
}

cmd_stop() {
	local dir=$1
	"$HERE/postfix.sh" stop "$dir/postfix"
	"$HERE/nginx.sh" stop "$dir/nginx"
	"$HERE/lab.sh" stop "$dir/lab"
}

case ${1:-} in
start) [ $# -eq 2 ] || die "usage: world.sh start DIR"; cmd_start "$2" ;;
stop) [ $# -eq 2 ] || die "usage: world.sh stop DIR"; cmd_stop "$2" ;;
*) die "usage: world.sh start|stop DIR" ;;
esac
