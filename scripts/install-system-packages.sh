#!/usr/bin/env bash
# System packages the test suite drives for real: Chromium for the browser tests, plus the
# production tools (nginx, docker-compose as a validator, pg_dump, openssl) installed by
# scripts/install-ci-tools.sh. Installs only what is missing; needs root (CI runs as root).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if ! command -v chromium >/dev/null 2>&1; then
  if [[ $(id -u) -ne 0 ]]; then
    echo "chromium is missing: install it with 'apt-get install chromium' as root" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium fonts-liberation >/dev/null
fi
bash "$here/install-ci-tools.sh"
