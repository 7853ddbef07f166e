#!/usr/bin/env bash
# Cipla DMS installer: a fresh server with Docker to the running system over HTTPS.
#
#   git clone <repository> cipla-dms && cd cipla-dms
#   sudo scripts/install.sh --host dms.example.com [--cert fullchain.pem --key privkey.pem]
#   open https://dms.example.com and sign in as "admin" with the password printed at the end
#
# Steps: writes .env.production (mode 600) from .env.production.example with every secret
# generated (a re-run keeps the secrets and settings already in the file), installs the given
# certificate or makes a self-signed one for the host, validates the compose file
# (`docker compose config`) and the nginx configuration (`nginx -t`), builds the images,
# starts the stack, waits until https://HOST/api/health/ answers, runs `initial_setup` and
# prints the administrator's one-time password.
#
# --no-start stops after the validation (nothing built or started: CI runs it so, without a
# Docker engine). --env-file PATH writes elsewhere than .env.production (tests).
set -euo pipefail

usage() {
    sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'
    exit "${1:-0}"
}

repo=$(cd "$(dirname "$0")/.." && pwd)
host="" cert="" key="" start=1 env_file="$repo/.env.production" ssl_dir="$repo/nginx/ssl"
while [ $# -gt 0 ]; do
    case "$1" in
        --host) host="${2:-}"; shift 2 ;;
        --cert) cert="${2:-}"; shift 2 ;;
        --key) key="${2:-}"; shift 2 ;;
        --no-start) start=0; shift ;;
        --env-file) env_file="${2:-}"; shift 2 ;;
        --ssl-dir) ssl_dir="${2:-}"; shift 2 ;;
        -h|--help) usage 0 ;;
        *) echo "install: unknown argument $1" >&2; usage 2 ;;
    esac
done

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf 'install: %s\n' "$*" >&2; exit 1; }

[ -n "$host" ] || die "--host is required (the name users type, e.g. dms.example.com)"
[[ "$host" =~ ^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$ ]] || die "--host must be a host name, got '$host'"
if [ -n "$cert$key" ] && { [ -z "$cert" ] || [ -z "$key" ]; }; then
    die "--cert and --key go together"
fi
command -v python3 >/dev/null || die "python3 is needed"
command -v openssl >/dev/null || die "openssl is needed"

# --- 1. .env.production --------------------------------------------------------------------
say "Writing $env_file"
python3 - "$repo/.env.production.example" "$env_file" "$host" <<'PY'
import os
import re
import secrets
import sys

example_path, env_path, host = sys.argv[1:4]
LINE = re.compile(r"^([A-Z][A-Z0-9_]*)=(.*)$")
# Values that are not ours to invent: the operator fills them in when needed.
NOT_GENERATED = {"EMAIL_HOST_PASSWORD"}


def parse(path):
    values = {}
    if os.path.exists(path):
        for line in open(path, encoding="utf-8"):
            match = LINE.match(line.rstrip("\n"))
            if match:
                values[match.group(1)] = match.group(2)
    return values


def generate(name):
    # SECRET_KEY: 64 random bytes, URL-safe; the others are embedded in URLs: hex only.
    return secrets.token_urlsafe(64) if name == "SECRET_KEY" else secrets.token_hex(32)


existing = parse(env_path)
from_host = {
    "ALLOWED_HOSTS": host,
    "CSRF_TRUSTED_ORIGINS": f"https://{host}",
}
kept, generated, lines, seen = 0, [], [], set()
for raw in open(example_path, encoding="utf-8"):
    line = raw.rstrip("\n")
    match = LINE.match(line)
    if not match:
        lines.append(line)
        continue
    name, default = match.groups()
    seen.add(name)
    current = existing.get(name)
    if name in from_host:
        value = from_host[name]
    elif current is not None and current != "CHANGE_ME":
        value = current  # a re-run keeps secrets and the operator's settings
        kept += default == "CHANGE_ME"
    elif default == "CHANGE_ME":
        value = "" if name in NOT_GENERATED else generate(name)
        if name not in NOT_GENERATED:
            generated.append(name)
    else:
        value = default
    lines.append(f"{name}={value}")
extra = [f"{name}={value}" for name, value in existing.items() if name not in seen]
if extra:
    lines += ["", "# --- Kept from the earlier .env.production ---", *extra]

# Written with mode 600 from the start: the secrets are never readable by others.
fd = os.open(env_path + ".tmp", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
with os.fdopen(fd, "w", encoding="utf-8") as out:
    out.write("\n".join(lines) + "\n")
os.chmod(env_path + ".tmp", 0o600)
os.replace(env_path + ".tmp", env_path)
print(f"    secrets generated: {', '.join(generated) or 'none'}; kept from the earlier file: {kept}")
PY

# --- 2. TLS certificate ----------------------------------------------------------------------
mkdir -p "$ssl_dir"
if [ -n "$cert" ]; then
    say "Installing the certificate $cert"
    [ -r "$cert" ] && [ -r "$key" ] || die "cannot read $cert / $key"
    # The key must belong to the certificate (compare their public keys).
    [ "$(openssl x509 -in "$cert" -noout -pubkey | openssl sha256)" = "$(openssl pkey -in "$key" -pubout | openssl sha256)" ] \
        || die "$key is not the private key of $cert"
    install -m 644 "$cert" "$ssl_dir/fullchain.pem"
    install -m 600 "$key" "$ssl_dir/privkey.pem"
elif [ -s "$ssl_dir/fullchain.pem" ] && [ -s "$ssl_dir/privkey.pem" ] \
    && openssl x509 -in "$ssl_dir/fullchain.pem" -noout -checkhost "$host" 2>/dev/null | grep -q "does match"; then
    say "Keeping the certificate already in $ssl_dir"
else
    say "Making a self-signed certificate for $host (replace it with your CA's: --cert/--key)"
    openssl req -x509 -newkey rsa:3072 -sha256 -nodes -days 825 \
        -subj "/CN=$host" -addext "subjectAltName=DNS:$host" \
        -keyout "$ssl_dir/privkey.pem" -out "$ssl_dir/fullchain.pem" 2>/dev/null
    chmod 600 "$ssl_dir/privkey.pem"
    chmod 644 "$ssl_dir/fullchain.pem"
fi

# --- 3. Validate: compose file and nginx configuration -------------------------------------
compose=()
if docker compose version >/dev/null 2>&1; then
    compose=(docker compose)
elif command -v docker-compose >/dev/null 2>&1; then
    compose=(docker-compose)
else
    die "Docker Compose is needed (docker compose or docker-compose)"
fi
compose+=(--env-file "$env_file" -f "$repo/docker-compose.production.yml")
say "Validating docker-compose.production.yml"
(cd "$repo" && DMS_ENV_FILE="$env_file" "${compose[@]}" config -q) || die "the compose file does not validate"

say "Validating the nginx configuration (nginx -t)"
check_dir=$(mktemp -d)
trap 'rm -rf "$check_dir"' EXIT
# The shipped config as the nginx container reads it, with only what ties it to the
# container changed: upstream service names (resolved by Docker's DNS at run time) become
# loopback, container paths become the check folder; the certificate is the real one.
python3 - "$repo/nginx" "$check_dir" "$ssl_dir" <<'PY'
import os
import re
import sys
from pathlib import Path

source, out, ssl_dir = (Path(p) for p in sys.argv[1:4])
(out / "conf.d").mkdir(parents=True)
for sub in ("logs", "tmp", "www/static", "www/media", "www/certbot"):
    (out / sub).mkdir(parents=True, exist_ok=True)
main = (source / "nginx.conf").read_text()
main = re.sub(r"^user\s+\S+;", "user root;" if os.geteuid() == 0 else "", main, flags=re.M)
main = re.sub(r"^pid\s+\S+;", f"pid {out}/nginx.pid;", main, flags=re.M)
main = re.sub(r"error_log\s+\S+", f"error_log {out}/logs/error.log", main)
main = re.sub(r"access_log\s+/\S+", f"access_log {out}/logs/access.log", main)
main = main.replace("include /etc/nginx/conf.d/*.conf;", f"include {out}/conf.d/*.conf;")
(out / "nginx.conf").write_text(main)
for conf in sorted((source / "conf.d").glob("*.conf")):
    site = conf.read_text()
    site = re.sub(r"(\bserver\s+)[A-Za-z][\w.-]*(:\d+)", r"\g<1>127.0.0.1\g<2>", site)
    site = site.replace("/etc/nginx/ssl/", f"{ssl_dir}/")
    site = site.replace("/var/www/", f"{out}/www/")
    (out / "conf.d" / conf.name).write_text(site)
(out / "conf.d" / "00-check-paths.conf").write_text(
    "".join(f"{kind}_temp_path {out}/tmp/{kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
)
PY
nginx_bin=$(command -v nginx || true)
[ -n "$nginx_bin" ] || { [ -x /usr/sbin/nginx ] && nginx_bin=/usr/sbin/nginx; } || true
if [ -n "$nginx_bin" ]; then
    "$nginx_bin" -t -q -c "$check_dir/nginx.conf" -p "$check_dir" -e "$check_dir/logs/error.log" \
        || die "nginx -t rejects the configuration"
elif command -v docker >/dev/null 2>&1; then
    docker run --rm -v "$check_dir:$check_dir" -v "$ssl_dir:$ssl_dir:ro" nginx:1.27-alpine \
        nginx -t -q -c "$check_dir/nginx.conf" -p "$check_dir" -e "$check_dir/logs/error.log" \
        || die "nginx -t rejects the configuration"
else
    die "neither nginx nor docker is available to check the nginx configuration"
fi

if [ "$start" = 0 ]; then
    say "Validated; nothing started (--no-start). To start: scripts/install.sh --host $host"
    exit 0
fi

# --- 4. Build, start, wait for health --------------------------------------------------------
command -v docker >/dev/null || die "Docker is needed to start the stack"
command -v curl >/dev/null || die "curl is needed to wait for the stack's health"
cd "$repo"
say "Building the images (a few minutes the first time)"
DMS_ENV_FILE="$env_file" "${compose[@]}" build
say "Starting the stack"
DMS_ENV_FILE="$env_file" "${compose[@]}" up -d
https_port=$(sed -n 's/^HTTPS_PORT=//p' "$env_file")
https_port=${https_port:-443}
say "Waiting for https://$host:$https_port/api/health/"
healthy=0
for _ in $(seq 1 90); do
    status=$(curl -ks -o /dev/null -w '%{http_code}' --resolve "$host:$https_port:127.0.0.1" \
        "https://$host:$https_port/api/health/" || true)
    if [ "$status" = 200 ]; then
        healthy=1
        break
    fi
    sleep 5
done
if [ "$healthy" != 1 ]; then
    DMS_ENV_FILE="$env_file" "${compose[@]}" ps
    die "the stack did not become healthy in 7.5 minutes: see '${compose[*]} logs backend'"
fi

# --- 5. initial_setup: groups, permissions, the first administrator --------------------------
say "Running initial_setup"
output=$(DMS_ENV_FILE="$env_file" "${compose[@]}" exec -T backend python manage.py initial_setup)
printf '%s\n' "$output"
password=$(printf '%s\n' "$output" | sed -n "s/.*created with password: //p")
admin=$(sed -n 's/^DMS_ADMIN_USERNAME=//p' "$env_file")
echo
say "Cipla DMS is running: https://$host/"
if [ -n "$password" ]; then
    echo "    Sign in as '${admin:-admin}' with this one-time password (shown only now):"
    echo "        $password"
    echo "    and change it at the first sign-in."
else
    echo "    The administrator already existed: its password was not changed."
fi
