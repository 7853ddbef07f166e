#!/usr/bin/env bash
# System packages the test suite drives for real: Chromium (browser tests), nginx (config
# and stack tests), PostgreSQL client tools (backup/restore). Installs only what is missing.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v nginx >/dev/null 2>&1 || [[ -x /usr/sbin/nginx ]] || need+=(nginx)
command -v pg_dump >/dev/null 2>&1 || need+=(postgresql-client)
if ((${#need[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "missing system packages (${need[*]}): install them with apt-get as root" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
