#!/usr/bin/env bash
# Install the Debian packages that building and testing scorer need, when
# they are missing.  Safe to run again; needs root (or sudo) only when
# something is missing.
set -euo pipefail

pkgs=(
	build-essential pkg-config
	libc-ares-dev libssl-dev libcurl4-openssl-dev libpsl-dev publicsuffix
	libidn2-dev libinih-dev libjansson-dev libcsv-dev openssl
	check libsubunit-dev libxml2-dev libuv1-dev
	knot knot-dnsutils dnsutils jq iproute2 python3-yaml
	nginx-light parallel man-db strace
	unbound
	postfix
	chromium fonts-dejavu-core time
	clang libclang-rt-14-dev valgrind
)

missing=()
for p in "${pkgs[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		grep -q "install ok installed"; then
		missing+=("$p")
	fi
done

# Installing Postfix would replace a mail server already there (exim4 ...):
# leave that to a person; only the STARTTLS lab's Postfix cases need it.
if [[ " ${missing[*]} " == *" postfix "* ]] && [ -e /usr/sbin/sendmail ]; then
	echo "install-deps: another MTA is installed; not replacing it with" \
	    "postfix (the STARTTLS lab needs postfix)" >&2
	missing=("${missing[@]/postfix/}")
	read -r -a missing <<<"${missing[*]}"
fi

if [ "${#missing[@]}" -eq 0 ]; then
	echo "install-deps: all packages present"
	exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
	sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
# Postfix (the STARTTLS lab runs a private instance, tests/lab/postfix.sh)
# asks how to configure the system's mail; "No configuration" leaves it
# unconfigured and stopped, so nothing listens on port 25.
echo "postfix postfix/main_mailer_type select No configuration" |
	$sudo debconf-set-selections
$sudo apt-get update -qq
# Knot's package starts a system knotd; the lab runs its own on a free
# port, so the system one is harmless, but keep it from starting here.
# So does Unbound's (the DANE lab runs its own, tests/lab/unbound.sh).
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
