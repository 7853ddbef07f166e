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

# Is a server listening on 127.0.0.1:$1, and (with a pid as $2) is that process the one listening?
# Reads /proc, so it needs no tools; Daphne serves from one process, so its pid owns the socket.
listening() {
  "$py" - "$@" <<'PY'
import os, sys
port = int(sys.argv[1])
owner = int(sys.argv[2]) if len(sys.argv) > 2 else None
inodes = set()
if owner is not None:
    for fd in os.listdir(f"/proc/{owner}/fd"):
        try:
            link = os.readlink(f"/proc/{owner}/fd/{fd}")
        except OSError:
            continue
        if link.startswith("socket:["):
            inodes.add(link[len("socket:["):-1])
for table in ("/proc/net/tcp", "/proc/net/tcp6"):
    with open(table) as rows:
        for row in list(rows)[1:]:
            local, state, inode = row.split()[1], row.split()[3], row.split()[9]
            if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:  # 0A = LISTEN
                if owner is None or inode in inodes:
                    sys.exit(0)
sys.exit(1)
PY
}

# Never run the browser tests against whatever else listens on the port.
if listening "$port"; then
  echo "e2e: port $port is already in use by another process; free it or set E2E_PORT" >&2
  exit 1
fi

export DMS_DATA_DIR="$data" DMS_ADMIN_PASSWORD='E2e&Admin-Passw0rd' DJANGO_SETTINGS_MODULE=config.settings
unset DATABASE_URL REDIS_URL
cd "$root/backend"
"$py" manage.py migrate --noinput >"$data/setup.log" 2>&1
"$py" manage.py initial_setup --demo >>"$data/setup.log" 2>&1
"$py" -m daphne -b 127.0.0.1 -p "$port" config.asgi:application >"$data/server.log" 2>&1 &
server_pid=$!
ready=""
for _ in $(seq 1 120); do
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "e2e: the test server exited before it was ready (port $port taken?)" >&2
    cat "$data/server.log"; server_pid=""; exit 1
  fi
  if listening "$port" "$server_pid" && curl -fsS "http://127.0.0.1:$port/api/health/" >/dev/null 2>&1; then
    ready=1; break
  fi
  sleep 0.5
done
if [[ -z "$ready" ]]; then
  echo "e2e: the test server did not answer on port $port from its own process within 60 s" >&2
  cat "$data/server.log"; exit 1
fi

cd "$root/frontend"
if ! E2E_BASE_URL="http://127.0.0.1:$port" npm run -s test:e2e; then
  echo "--- server log ---"; tail -n 80 "$data/server.log"
  exit 1
fi
