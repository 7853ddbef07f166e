#!/usr/bin/env bash
# The SPA's API types are generated from the backend's OpenAPI schema, never typed by hand.
#   bash scripts/api-types.sh           regenerate frontend/src/lib/api-schema.d.ts (make types)
#   bash scripts/api-types.sh --check   fail when the committed file differs from the schema (make lint)
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PY:-$PWD/.venv/bin/python}"
TARGET=frontend/src/lib/api-schema.d.ts

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Always on the embedded default (no DATABASE_URL / REDIS_URL): integer bounds in the schema
# come from the database backend's field ranges, so the same code would otherwise generate
# different types on SQLite and PostgreSQL. Nothing is written into the checkout.
(cd backend && env -u DATABASE_URL -u REDIS_URL DMS_DATA_DIR="$work/var" SQLITE_PATH="$work/db.sqlite3" \
  "$PY" manage.py spectacular --file "$work/openapi.yml")
(
  cd frontend
  npx --no-install openapi-typescript "$work/openapi.yml" --output "$work/api-schema.d.ts" >/dev/null
  # Formatted like the rest of the SPA, so `npm run lint`'s prettier check holds for it too.
  npx --no-install prettier --stdin-filepath src/lib/api-schema.d.ts <"$work/api-schema.d.ts" >"$work/formatted.d.ts"
)

if [[ "${1:-}" == "--check" ]]; then
  if ! diff -u "$TARGET" "$work/formatted.d.ts" >"$work/diff"; then
    head -n 60 "$work/diff"
    echo "$TARGET differs from the API schema: run 'make types' and commit the result." >&2
    exit 1
  fi
  echo "API types match the schema"
else
  cp "$work/formatted.d.ts" "$TARGET"
  echo "wrote $TARGET"
fi
