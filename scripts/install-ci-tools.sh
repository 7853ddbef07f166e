#!/usr/bin/env bash
# Installs the system tools the production tests need (backend/tests/production):
#   nginx           - `nginx -t` on the shipped config and the loopback production-like stack
#   docker-compose  - Debian's Compose (v1.29, Python) used only as `docker-compose config`,
#                     a validator of both compose files; no Docker engine is needed or started
#   postgresql-client, openssl - pg_dump/pg_restore for backup.sh/restore.sh, test certificates
#   slapd, ldap-utils - the OpenLDAP server the directory sign-in tests start on a loopback
#                     port (backend/tests/directory); the package's own server is not started
# Idempotent; needs root (CI runs as root). Services are NOT started by the packages.
set -euo pipefail

need=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx)
command -v docker-compose >/dev/null 2>&1 || need+=(docker-compose)
command -v pg_dump >/dev/null 2>&1 || need+=(postgresql-client)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v curl >/dev/null 2>&1 || need+=(curl)
[ -x /usr/sbin/slapd ] || need+=(slapd)
command -v ldapsearch >/dev/null 2>&1 || need+=(ldap-utils)

if [ "${#need[@]}" -eq 0 ]; then
    echo "install-ci-tools: everything present"
    exit 0
fi

echo "install-ci-tools: installing ${need[*]}"
# Keep the packages' maintainer scripts from starting nginx on port 80 (policy-rc.d, exit 101 =
# "action forbidden"); the tests start their own nginx on unprivileged loopback ports.
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod +x "$policy"
    created_policy=1
fi
trap '[ "$created_policy" = 1 ] && rm -f "$policy"' EXIT

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
echo "install-ci-tools: done"
