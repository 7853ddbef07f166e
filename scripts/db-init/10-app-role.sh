#!/bin/sh
# Runs once, when the postgres container initialises an empty data volume
# (mounted at /docker-entrypoint-initdb.d by docker-compose.production.yml).
# Creates the application role APP_DB_USER (no superuser, no DDL) next to the owner role
# POSTGRES_USER that runs migrations. See app-grants.psql for why.
set -eu
: "${APP_DB_USER:?APP_DB_USER must be set}"
: "${APP_DB_PASSWORD:?APP_DB_PASSWORD must be set}"
here=/docker-entrypoint-initdb.d
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v app_user="$APP_DB_USER" -v app_password="$APP_DB_PASSWORD" -f "$here/app-role.psql"
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v app_user="$APP_DB_USER" -v owner="$POSTGRES_USER" -v db_name="$POSTGRES_DB" -f "$here/app-grants.psql"
echo "db-init: application role $APP_DB_USER ready"
