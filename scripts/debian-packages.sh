#!/usr/bin/env bash
# Installs the Debian packages named on the command line that are missing (as root, with
# apt-get); elsewhere only says which are missing. Used by `make run` and `make test`.
set -euo pipefail
need=()
for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg"); done
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian packages: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq "${need[@]}" >/dev/null
else
  echo "Missing Debian packages (install them as root): ${need[*]}" >&2
fi
