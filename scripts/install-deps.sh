#!/usr/bin/env bash
# Install the Debian packages that building and testing scorer need, when
# they are missing.  Safe to run again; needs root (or sudo) only when
# something is missing.
set -euo pipefail

pkgs=(
	build-essential pkg-config
	libc-ares-dev libssl-dev libcurl4-openssl-dev libpsl-dev publicsuffix
	libidn2-dev libinih-dev libjansson-dev
	check libsubunit-dev libxml2-dev
	knot knot-dnsutils dnsutils jq iproute2
)

missing=()
for p in "${pkgs[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		grep -q "install ok installed"; then
		missing+=("$p")
	fi
done

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
$sudo apt-get update -qq
# Knot's package starts a system knotd; the lab runs its own on a free
# port, so the system one is harmless, but keep it from starting here.
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
