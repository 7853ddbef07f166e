#!/usr/bin/env bash
# Headers that `pip install` needs to build python-ldap (directory sign-in), which ships no
# wheels: OpenLDAP's and Cyrus SASL's development packages and a C compiler. Idempotent;
# installs with apt when run as root, otherwise says what to install.
set -euo pipefail

need=()
[ -e /usr/include/ldap.h ] || need+=(libldap2-dev)
[ -e /usr/include/sasl/sasl.h ] || need+=(libsasl2-dev)
command -v gcc >/dev/null 2>&1 || need+=(gcc)
python3 -c 'import sysconfig, os, sys; sys.exit(0 if os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")) else 1)' \
    || need+=(python3-dev)

if [ "${#need[@]}" -eq 0 ]; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "install-build-deps: missing ${need[*]}: run 'sudo apt-get install ${need[*]}' first" >&2
    exit 1
fi
echo "install-build-deps: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
for attempt in 1 2 3 4 5 6; do
    # apt may be locked for a moment by another installer: retry.
    if apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null; then
        exit 0
    fi
    sleep 10
done
echo "install-build-deps: apt-get failed" >&2
exit 1
