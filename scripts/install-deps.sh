#!/usr/bin/env bash
# Install the Debian packages scorer needs, when they are missing.  Safe to
# run again; needs root (or sudo) only when something is missing.
#
#   scripts/install-deps.sh            what building and every test need
#   scripts/install-deps.sh --build    only what `make` and `make install`
#                                      need (compiler and -dev packages)
#   scripts/install-deps.sh --list [--build]   print the packages, one a
#                                      line, and install nothing
#
# README.md lists both sets; tests/docs/run.py checks it still does.
set -euo pipefail

# make: the compiler, pkg-config and the libraries' headers.
build_pkgs=(
	build-essential pkg-config
	libc-ares-dev libssl-dev libcurl4-openssl-dev libpsl-dev libidn2-dev
	libinih-dev libjansson-dev libcsv-dev
)
# make check, make demo and CI on top of that: Check and libxml2 (unit
# tests), libuv (an example), the system's public suffix list, the lab
# (Knot, Unbound, nginx, Postfix, OpenSSL for its CA), the HTML report's
# browser test (Chromium), the tools the scripts call, Dask's scheduler
# and workers (contrib/dask, tests/e2e/dask.sh), clang for the fuzzers,
# valgrind, and zsh for the completion test.
test_pkgs=(
	publicsuffix openssl
	check libsubunit-dev libxml2-dev libuv1-dev
	knot knot-dnsutils dnsutils jq iproute2 python3-yaml
	nginx-light parallel man-db strace
	unbound
	postfix
	chromium fonts-dejavu-core time
	python3-distributed
	clang libclang-rt-14-dev valgrind
	zsh
)

build_only=0
list=0
for arg in "$@"; do
	case $arg in
	--build) build_only=1 ;;
	--list) list=1 ;;
	-h | --help)
		sed -n '2,12s/^# \{0,1\}//p' "$0"
		exit 0
		;;
	*)
		echo "install-deps: unknown argument '$arg' (--build, --list)" >&2
		exit 2
		;;
	esac
done

pkgs=("${build_pkgs[@]}")
[ "$build_only" = 1 ] || pkgs+=("${test_pkgs[@]}")
if [ "$list" = 1 ]; then
	printf '%s\n' "${pkgs[@]}"
	exit 0
fi

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
if [[ " ${missing[*]} " == *" postfix "* ]]; then
	echo "postfix postfix/main_mailer_type select No configuration" |
		$sudo debconf-set-selections
fi
$sudo apt-get update -qq
# Knot's package starts a system knotd; the lab runs its own on a free
# port, so the system one is harmless, but keep it from starting here.
# So does Unbound's (the DANE lab runs its own, tests/lab/unbound.sh).
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
