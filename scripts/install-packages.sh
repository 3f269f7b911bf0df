#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs the Debian packages named on the command line that are not installed yet (apt-get,
# through sudo when not root). Shared by install-deps.sh and install-bench-deps.sh.
# usage: install-packages.sh WHO [--no-install-recommends] PACKAGE...
set -euo pipefail
who=$1
shift
apt_options=()
if [ "${1:-}" = --no-install-recommends ]; then
  apt_options+=(--no-install-recommends)
  shift
fi

missing=()
for p in "$@"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "$who: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo_cmd=(sudo)
fi
echo "$who: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -q
"${sudo_cmd[@]}" apt-get install -y -q "${apt_options[@]}" "${missing[@]}"
