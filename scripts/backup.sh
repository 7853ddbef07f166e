#!/usr/bin/env bash
# Cipla DMS backup: PostgreSQL (pg_dump custom format) + media files, with exact row counts,
# SHA-256 checksums and retention. A backup is a folder
#   $BACKUP_DIR/cipla-dms-<UTC timestamp>/
#       database.dump   pg_dump -Fc (restore with scripts/restore.sh or pg_restore)
#       media.tar.gz    MEDIA_ROOT (reports, certificates, uploads)
#       counts.tsv      exact row count of every table at dump time (restore.sh compares)
#       manifest.txt    what, when, from where, tool versions
#       SHA256SUMS      checksums of the files above
# written under a .partial name and renamed only when complete, so a folder without
# .partial is always a whole, checked backup.
#
# Usage:
#   scripts/backup.sh                 # direct: needs DATABASE_URL, pg_dump/psql on PATH
#   scripts/backup.sh --compose       # through docker compose (db and backend containers)
# Environment:
#   BACKUP_DIR             where backups go (default /var/backups/cipla-dms)
#   BACKUP_RETENTION_DAYS  delete backups older than this (default 30; 0 keeps all)
#   DATABASE_URL           direct mode: postgres://user:pass@host:5432/dbname
#   MEDIA_ROOT             direct mode: media folder (skipped when unset or missing)
#   COMPOSE_FILE, ENV_FILE compose mode (defaults docker-compose.production.yml, .env.production)
#
# Schedule it (cron, as root, 02:30 daily):
#   30 2 * * * cd /opt/cipla-dms && scripts/backup.sh --compose >>/var/log/cipla-dms-backup.log 2>&1
set -euo pipefail
umask 077

MODE=direct
while [ $# -gt 0 ]; do
    case "$1" in
        --compose) MODE=compose ;;
        -o|--output) BACKUP_DIR="$2"; shift ;;
        -h|--help) sed -n '2,30p' "$0"; exit 0 ;;
        *) echo "backup: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done

BACKUP_DIR="${BACKUP_DIR:-/var/backups/cipla-dms}"
RETENTION_DAYS="${BACKUP_RETENTION_DAYS:-30}"
COMPOSE_FILE="${COMPOSE_FILE:-docker-compose.production.yml}"
ENV_FILE="${ENV_FILE:-.env.production}"

log() { printf '%s backup: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

compose() { docker compose --env-file "$ENV_FILE" -f "$COMPOSE_FILE" "$@"; }

# psql/pg_dump against the application database, in either mode.
if [ "$MODE" = compose ]; then
    db_psql() { compose exec -T db sh -c 'psql -X -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d "$POSTGRES_DB" "$@"' psql "$@"; }
    db_dump() { compose exec -T db sh -c 'pg_dump -U "$POSTGRES_USER" -d "$POSTGRES_DB" -Fc --no-owner --no-privileges'; }
    media_tar() { compose exec -T backend sh -c 'tar -C /app/media -czf - .'; }
    SOURCE="compose:$COMPOSE_FILE"
else
    [ -n "${DATABASE_URL:-}" ] || die "DATABASE_URL is not set"
    command -v pg_dump >/dev/null || die "pg_dump not found (apt-get install postgresql-client)"
    db_psql() { psql -X -v ON_ERROR_STOP=1 "$DATABASE_URL" "$@"; }
    db_dump() { pg_dump -Fc --no-owner --no-privileges "$DATABASE_URL"; }
    media_tar() { tar -C "$MEDIA_ROOT" -czf - .; }
    SOURCE="$(printf '%s' "$DATABASE_URL" | sed -E 's#//([^:@/]+):[^@]*@#//\1:***@#')"
fi

STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
NAME="cipla-dms-$STAMP"
mkdir -p "$BACKUP_DIR"
WORK="$BACKUP_DIR/$NAME.partial"
rm -rf "$WORK"
mkdir "$WORK"
trap 'rm -rf "$WORK"' ERR INT TERM

log "dumping database ($SOURCE)"
# Row counts and the dump come from one point in time only if nothing writes in between;
# pg_dump itself is a consistent snapshot. Counts are taken first and again after the dump:
# a mismatch means writes happened, which is fine for the dump but is noted in the manifest.
count_rows() {
    db_psql -At -F $'\t' -c "
        SELECT format('SELECT %L AS t, count(*) FROM %I.%I', c.relname, n.nspname, c.relname)
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p') AND n.nspname = 'public'
        ORDER BY c.relname" \
    | { q=""; while IFS= read -r line; do q="${q:+$q UNION ALL }$line"; done
        if [ -n "$q" ]; then db_psql -At -F $'\t' -c "SELECT * FROM ($q) s ORDER BY 1"; fi; }
}
count_rows >"$WORK/counts.tsv"
db_dump >"$WORK/database.dump"
count_rows >"$WORK/counts.after.tsv"
if cmp -s "$WORK/counts.tsv" "$WORK/counts.after.tsv"; then
    QUIESCENT=yes
else
    QUIESCENT="no (writes during the dump; counts.tsv is from before it)"
fi
rm -f "$WORK/counts.after.tsv"

# A dump that pg_restore cannot list is not a backup.
if command -v pg_restore >/dev/null; then
    pg_restore --list "$WORK/database.dump" >/dev/null || die "pg_restore cannot read the dump"
fi

if [ "$MODE" = compose ] || { [ -n "${MEDIA_ROOT:-}" ] && [ -d "${MEDIA_ROOT}" ]; }; then
    log "archiving media"
    media_tar >"$WORK/media.tar.gz"
else
    log "no MEDIA_ROOT folder; media skipped"
fi

{
    echo "name: $NAME"
    echo "created_utc: $STAMP"
    echo "source: $SOURCE"
    echo "host: $(hostname)"
    echo "server_version: $(db_psql -At -c 'SHOW server_version')"
    echo "pg_dump: $( [ "$MODE" = compose ] && echo "in db container" || pg_dump --version)"
    echo "tables: $(wc -l <"$WORK/counts.tsv")"
    echo "rows: $(awk -F'\t' '{s += $2} END {print s + 0}' "$WORK/counts.tsv")"
    echo "quiescent: $QUIESCENT"
} >"$WORK/manifest.txt"

(cd "$WORK" && sha256sum -- * >SHA256SUMS)
mv "$WORK" "$BACKUP_DIR/$NAME"
trap - ERR INT TERM
log "done: $BACKUP_DIR/$NAME ($(du -sh "$BACKUP_DIR/$NAME" | cut -f1))"

if [ "$RETENTION_DAYS" -gt 0 ]; then
    find "$BACKUP_DIR" -mindepth 1 -maxdepth 1 -type d -name 'cipla-dms-*' ! -name '*.partial' \
        -mtime +"$RETENTION_DAYS" -print -exec rm -rf {} + | sed 's/^/pruned: /' >&2 || true
fi
# Last line on stdout: the backup folder, for scripts that chain restore.sh.
echo "$BACKUP_DIR/$NAME"
