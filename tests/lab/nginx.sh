#!/usr/bin/env bash
# nginx for the lab: HTTPS on a free port of 127.0.0.1, one server block
# per name, certificates from the lab CA (pki.sh).  What it serves is in
# tests/lab/nginx/*.conf, one snippet per area (MTA-STS policies, the
# breach range API ...), with these placeholders:
#   @DIR@   this lab's directory     @PKI@   the CA directory (certs)
#   @PORT@  the HTTPS port           @LAB@   tests/lab (served files)
#
#   nginx.sh start DIR PKI   start; writes DIR/nginx.env (NGINX_PORT=...)
#   nginx.sh stop DIR        stop (fine when nothing runs)
set -u

LAB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SNIPPETS=${NGINX_SNIPPETS:-$LAB_ROOT/nginx}
NGINX=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}
PORT_FIRST=${NGINX_PORT_FIRST:-8443}
PORT_LAST=${NGINX_PORT_LAST:-8499}
START_TIMEOUT=10

die() {
	echo "nginx.sh: $*" >&2
	exit 1
}

port_free() {
	! ss -Hltn "sport = :$1" 2>/dev/null | grep -q .
}

write_conf() {
	local dir=$1 pki=$2 port=$3 user=""
	# Workers run as the master's user unless told; as root they would
	# drop to nobody and could not read the lab's 0700 directories.
	[ "$(id -u)" -ne 0 ] || user="user root root;"
	{
		cat <<EOF2
$user
daemon off;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/nginx-error.log info;
events { worker_connections 256; }
http {
    access_log $dir/nginx-access.log;
    client_body_temp_path $dir/tmp/body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
    default_type application/octet-stream;
    server_tokens off;
EOF2
		for f in "$SNIPPETS"/*.conf; do
			[ -e "$f" ] || continue
			sed -e "s|@DIR@|$dir|g" -e "s|@PKI@|$pki|g" \
			    -e "s|@PORT@|$port|g" -e "s|@LAB@|$LAB_ROOT|g" "$f"
		done
		echo "}"
	} >"$dir/nginx.conf"
}

cmd_start() {
	local dir=$1 pki=$2 port pid deadline
	mkdir -p "$dir/tmp" || die "cannot create $dir"
	for ((port = PORT_FIRST; port <= PORT_LAST; port++)); do
		port_free "$port" || continue
		write_conf "$dir" "$pki" "$port"
		"$NGINX" -t -q -c "$dir/nginx.conf" -p "$dir" 2>"$dir/nginx-t.log" ||
		    { cat "$dir/nginx-t.log" >&2; die "bad configuration"; }
		"$NGINX" -c "$dir/nginx.conf" -p "$dir" </dev/null \
		    >>"$dir/nginx-error.log" 2>&1 &
		pid=$!
		deadline=$((SECONDS + START_TIMEOUT))
		while [ "$SECONDS" -le "$deadline" ]; do
			if ! kill -0 "$pid" 2>/dev/null; then
				grep -q "Address already in use" \
				    "$dir/nginx-error.log" && continue 2
				cat "$dir/nginx-error.log" >&2
				die "nginx exited"
			fi
			if ! port_free "$port"; then
				echo "NGINX_PORT=$port" >"$dir/nginx.env"
				echo "nginx.sh: serving HTTPS on 127.0.0.1:$port"
				return 0
			fi
			sleep 0.05
		done
		kill "$pid" 2>/dev/null
		die "nginx did not listen within ${START_TIMEOUT}s"
	done
	die "no free port in $PORT_FIRST..$PORT_LAST"
}

cmd_stop() {
	local dir=$1 pid i
	[ -s "$dir/nginx.pid" ] || return 0
	pid=$(cat "$dir/nginx.pid")
	case $pid in '' | *[!0-9]*) return 0 ;; esac
	kill "$pid" 2>/dev/null || return 0
	for ((i = 0; i < 50; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -9 "$pid" 2>/dev/null
	return 0
}

case ${1:-} in
start) [ $# -eq 3 ] || die "usage: nginx.sh start DIR PKI"; cmd_start "$2" "$3" ;;
stop) [ $# -eq 2 ] || die "usage: nginx.sh stop DIR"; cmd_stop "$2" ;;
*) die "usage: nginx.sh start DIR PKI | stop DIR" ;;
esac
