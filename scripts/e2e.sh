#!/usr/bin/env bash
# Browser tests against a real server: the same Daphne + embedded default that `make run`
# serves, on a throwaway database with the demo data, on its own port. Stops it afterwards.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
py="${VENV:-$root/.venv}/bin/python"
port="${E2E_PORT:-8765}"
data=$(mktemp -d)
server_pid=""
cleanup() {
  [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$data"
}
trap cleanup EXIT

export DMS_DATA_DIR="$data" DMS_ADMIN_PASSWORD='E2e&Admin-Passw0rd' DJANGO_SETTINGS_MODULE=config.settings
unset DATABASE_URL REDIS_URL
cd "$root/backend"
"$py" manage.py migrate --noinput >"$data/setup.log" 2>&1
"$py" manage.py initial_setup --demo >>"$data/setup.log" 2>&1
"$py" -m daphne -b 127.0.0.1 -p "$port" config.asgi:application >"$data/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 60); do
  curl -fsS "http://127.0.0.1:$port/api/health/" >/dev/null 2>&1 && break
  sleep 0.5
done
curl -fsS "http://127.0.0.1:$port/api/health/" >/dev/null || { cat "$data/server.log"; exit 1; }

cd "$root/frontend"
if ! E2E_BASE_URL="http://127.0.0.1:$port" npm run -s test:e2e; then
  echo "--- server log ---"; tail -n 80 "$data/server.log"
  exit 1
fi
