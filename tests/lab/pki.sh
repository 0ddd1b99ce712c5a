#!/usr/bin/env bash
# The lab's own certificate authority, for the TLS servers of the lab
# (nginx for MTA-STS policies and the breach range API, Postfix and the
# SMTP fixtures).  scorer is pointed at it with --ca-file DIR/ca.pem.
#
#   pki.sh ca DIR                        a new CA: DIR/ca.pem, DIR/ca.key
#   pki.sh leaf DIR NAME [SAN...]        DIR/NAME.pem (cert + CA chain) and
#                                        DIR/NAME.key, for NAME and the SANs
#   pki.sh expired DIR NAME [SAN...]     the same, valid only in the past
#   pki.sh self DIR NAME [SAN...]        self-signed, not from the CA
#
# A SAN is a DNS name ("*.example.test" allowed) or IP:127.0.0.1.  Keys
# are P-256 ECDSA: quick to make, and what real mail servers use.
set -eu

die() {
	echo "pki.sh: $*" >&2
	exit 1
}

san_list() {
	local name=$1 s out
	shift
	out="DNS:$name"
	for s in "$@"; do
		case $s in
		IP:*) out="$out,$s" ;;
		*) out="$out,DNS:$s" ;;
		esac
	done
	echo "$out"
}

new_key() {
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
	    -out "$1" 2>/dev/null
}

cmd_ca() {
	local dir=$1
	mkdir -p "$dir/ca.db"
	new_key "$dir/ca.key"
	openssl req -x509 -new -key "$dir/ca.key" -sha256 -days 3650 \
	    -subj "/CN=scorer lab CA" \
	    -addext "basicConstraints=critical,CA:TRUE" \
	    -addext "keyUsage=critical,keyCertSign,cRLSign" \
	    -out "$dir/ca.pem" 2>/dev/null
	: >"$dir/ca.db/index.txt"
	echo 1000 >"$dir/ca.db/serial"
	cat >"$dir/ca.db/openssl.cnf" <<CNF
[ca]
default_ca = lab
[lab]
dir = $dir/ca.db
database = \$dir/index.txt
serial = \$dir/serial
new_certs_dir = \$dir
default_md = sha256
policy = anything
unique_subject = no
copy_extensions = copy
[anything]
commonName = supplied
CNF
}

# leaf DIR NAME START END SAN...: a CA-signed leaf valid START..END
# (openssl ca's YYYYMMDDHHMMSSZ).
sign_leaf() {
	local dir=$1 name=$2 start=$3 end=$4
	shift 4
	[ -f "$dir/ca.pem" ] || die "no CA in $dir (run: pki.sh ca $dir)"
	new_key "$dir/$name.key"
	openssl req -new -key "$dir/$name.key" -subj "/CN=$name" \
	    -addext "subjectAltName=$(san_list "$name" "$@")" \
	    -addext "extendedKeyUsage=serverAuth" \
	    -out "$dir/$name.csr" 2>/dev/null
	openssl ca -batch -config "$dir/ca.db/openssl.cnf" -notext \
	    -cert "$dir/ca.pem" -keyfile "$dir/ca.key" \
	    -startdate "$start" -enddate "$end" \
	    -in "$dir/$name.csr" -out "$dir/$name.crt" >/dev/null 2>&1 ||
	    die "signing $name failed"
	cat "$dir/$name.crt" "$dir/ca.pem" >"$dir/$name.pem"
	rm -f "$dir/$name.csr"
}

stamp() {
	date -u -d "$1" +%Y%m%d%H%M%SZ
}

cmd_self() {
	local dir=$1 name=$2
	shift 2
	new_key "$dir/$name.key"
	openssl req -x509 -new -key "$dir/$name.key" -sha256 -days 30 \
	    -subj "/CN=$name" \
	    -addext "subjectAltName=$(san_list "$name" "$@")" \
	    -out "$dir/$name.pem" 2>/dev/null
	cp "$dir/$name.pem" "$dir/$name.crt"
}

[ $# -ge 2 ] || die "usage: pki.sh ca|leaf|expired|self DIR [NAME [SAN...]]"
cmd=$1
dir=$2
shift 2
case $cmd in
ca) cmd_ca "$dir" ;;
leaf)
	[ $# -ge 1 ] || die "leaf needs a NAME"
	sign_leaf "$dir" "$1" "$(stamp '1 day ago')" "$(stamp '30 days')" \
	    "${@:2}"
	;;
expired)
	[ $# -ge 1 ] || die "expired needs a NAME"
	sign_leaf "$dir" "$1" "$(stamp '60 days ago')" "$(stamp '2 days ago')" \
	    "${@:2}"
	;;
self)
	[ $# -ge 1 ] || die "self needs a NAME"
	cmd_self "$dir" "$@"
	;;
*) die "unknown command '$cmd'" ;;
esac
