#!/usr/bin/env bash
# Cipla DMS restore: the reverse of scripts/backup.sh, then proof that it worked.
#   1. checks SHA256SUMS of the backup folder;
#   2. restores database.dump into the target database (which must be empty: restore into a
#      fresh database, check it, then switch over - see PRODUCTION_DEPLOYMENT.md);
#   3. re-grants the application role its row-only rights (the dump carries no grants);
#   4. unpacks media.tar.gz into the media folder (if both exist);
#   5. compares the exact row count of every table with counts.tsv from the backup;
#   6. runs `manage.py verify_audit_chain` against the restored database (unless --no-verify).
# Exits non-zero if any step fails, so it can gate an automated restore drill.
#
# Usage:
#   scripts/restore.sh BACKUP_FOLDER --target-url postgres://u:p@host:5432/newdb [--create]
#        [--media-root DIR] [--app-role dms_app] [--no-verify]
#   scripts/restore.sh BACKUP_FOLDER --compose [--no-verify]
#        (into the compose stack's database, which must be empty: stop backend, celery_worker
#         and celery_beat, drop and re-create the database first - see the guide)
# Environment:
#   MANAGE_PY   command that runs manage.py for the verification step, direct mode
#               (default: "python backend/manage.py" relative to the repository root)
#   DJANGO_SETTINGS_MODULE and the rest of the backend's environment are passed through;
#   DATABASE_URL is set to the target for that step.
set -euo pipefail

BACKUP=""
TARGET_URL=""
CREATE=0
VERIFY=1
APP_ROLE=""
MODE=direct
MEDIA_DIR="${MEDIA_ROOT:-}"
COMPOSE_FILE="${COMPOSE_FILE:-docker-compose.production.yml}"
ENV_FILE="${ENV_FILE:-.env.production}"
REPO_ROOT="$(cd "$(dirname "$0")/.." && pwd)"

while [ $# -gt 0 ]; do
    case "$1" in
        --target-url) TARGET_URL="$2"; shift ;;
        --create) CREATE=1 ;;
        --media-root) MEDIA_DIR="$2"; shift ;;
        --app-role) APP_ROLE="$2"; shift ;;
        --no-verify) VERIFY=0 ;;
        --compose) MODE=compose ;;
        -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
        -*) echo "restore: unknown option $1" >&2; exit 2 ;;
        *) BACKUP="$1" ;;
    esac
    shift
done

log() { printf '%s restore: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
compose() { docker compose --env-file "$ENV_FILE" -f "$COMPOSE_FILE" "$@"; }

[ -n "$BACKUP" ] && [ -d "$BACKUP" ] || die "usage: restore.sh BACKUP_FOLDER (--target-url URL | --compose)"
[ -f "$BACKUP/database.dump" ] || die "$BACKUP has no database.dump"
case "$BACKUP" in *.partial) die "$BACKUP is an incomplete backup";; esac

log "checking checksums"
(cd "$BACKUP" && sha256sum --check --quiet SHA256SUMS) || die "checksum mismatch: backup is damaged"

if [ "$MODE" = compose ]; then
    db_psql() { compose exec -T db sh -c 'psql -X -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d "$POSTGRES_DB" "$@"' psql "$@"; }
    db_restore() { compose exec -T db sh -c 'pg_restore --no-owner --no-privileges --exit-on-error -U "$POSTGRES_USER" -d "$POSTGRES_DB"' <"$1"; }
    media_untar() { compose exec -T backend sh -c 'tar -C /app/media -xzf -' <"$1"; }
    run_verify() { compose run --rm --no-deps backend python manage.py verify_audit_chain; }
    db_grants() {
        compose exec -T db sh -c 'psql -X -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d "$POSTGRES_DB" \
            -v app_user="$APP_DB_USER" -v owner="$POSTGRES_USER" -v db_name="$POSTGRES_DB" \
            -f /docker-entrypoint-initdb.d/app-grants.psql' >/dev/null
    }
else
    [ -n "$TARGET_URL" ] || die "--target-url is required (or --compose)"
    db_psql() { psql -X -v ON_ERROR_STOP=1 "$TARGET_URL" "$@"; }
    db_restore() { pg_restore --no-owner --no-privileges --exit-on-error --jobs 2 -d "$TARGET_URL" "$1"; }
    media_untar() { mkdir -p "$MEDIA_DIR" && tar -C "$MEDIA_DIR" -xzf "$1"; }
    run_verify() {
        (cd "$REPO_ROOT" && DATABASE_URL="$TARGET_URL" ${MANAGE_PY:-python backend/manage.py} verify_audit_chain)
    }
    db_grants() {
        [ -n "$APP_ROLE" ] || return 0
        local dbname="${TARGET_URL##*/}"; dbname="${dbname%%\?*}"
        psql -X -v ON_ERROR_STOP=1 "$TARGET_URL" -v app_user="$APP_ROLE" \
            -v owner="$(psql -X -At "$TARGET_URL" -c 'SELECT current_user')" -v db_name="$dbname" \
            -f "$REPO_ROOT/scripts/db-init/app-grants.psql" >/dev/null
    }
    if [ "$CREATE" = 1 ]; then
        dbname="${TARGET_URL##*/}"; dbname="${dbname%%\?*}"
        admin_url="${TARGET_URL%/*}/postgres"
        log "creating database $dbname"
        psql -X -v ON_ERROR_STOP=1 "$admin_url" -c "CREATE DATABASE \"$dbname\"" >/dev/null \
            || die "could not create $dbname (does it exist already?)"
    fi
fi

existing="$(db_psql -At -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")"
[ "$existing" = 0 ] || die "target database is not empty ($existing tables): restore into a fresh one"

log "restoring database"
db_restore "$BACKUP/database.dump"
log "granting the application role its rights"
db_grants

if [ -f "$BACKUP/media.tar.gz" ]; then
    if [ "$MODE" = compose ] || [ -n "$MEDIA_DIR" ]; then
        log "restoring media"
        media_untar "$BACKUP/media.tar.gz"
    else
        log "media.tar.gz present but no --media-root given: media not restored"
    fi
fi

log "comparing row counts with the backup"
mismatch=0
while IFS=$'\t' read -r table expected; do
    actual="$(db_psql -At -c "SELECT count(*) FROM public.\"$table\"")"
    if [ "$actual" != "$expected" ]; then
        log "count mismatch: $table expected $expected, got $actual"
        mismatch=1
    fi
done <"$BACKUP/counts.tsv"
[ "$mismatch" = 0 ] || die "row counts differ from the backup"
log "row counts match ($(wc -l <"$BACKUP/counts.tsv") tables, $(awk -F'\t' '{s += $2} END {print s + 0}' "$BACKUP/counts.tsv") rows)"

if [ "$VERIFY" = 1 ]; then
    log "verifying the audit trail hash chain"
    run_verify || die "verify_audit_chain failed on the restored database"
fi
log "restore complete"
