#!/usr/bin/env bash
# Runs once, when the postgres container starts on an empty data volume
# (mounted at /docker-entrypoint-initdb.d by docker-compose.yml). To run it
# again, remove the volume: docker compose down -v.
#
# It creates one least-privilege login role per application:
#   - LINDUNGI_DB_USER owns LINDUNGI_DB_NAME; `lindungi migrate` creates the
#     tables in it.
#   - TEMPORAL_DB_USER owns the databases temporal and temporal_visibility;
#     temporalio/auto-setup creates their schema (with SKIP_DB_CREATE=true,
#     since it may not create databases).
# The names and passwords come from the postgres service's environment in
# docker-compose.yml and must match DATABASE_URL and the temporal service.
#
# The image's entrypoint may source this file rather than execute it, so it
# does not change shell options; ${VAR:?} stops it when a variable is missing.

psql -v ON_ERROR_STOP=1 --no-psqlrc \
	--username "${POSTGRES_USER:?}" --dbname "${POSTGRES_DB:?}" \
	--set=lindungi_db="${LINDUNGI_DB_NAME:?}" \
	--set=lindungi_user="${LINDUNGI_DB_USER:?}" \
	--set=lindungi_password="${LINDUNGI_DB_PASSWORD:?}" \
	--set=temporal_user="${TEMPORAL_DB_USER:?}" \
	--set=temporal_password="${TEMPORAL_DB_PASSWORD:?}" <<'EOSQL'
CREATE ROLE :"lindungi_user" LOGIN PASSWORD :'lindungi_password';
CREATE DATABASE :"lindungi_db" OWNER :"lindungi_user";

CREATE ROLE :"temporal_user" LOGIN PASSWORD :'temporal_password';
CREATE DATABASE temporal OWNER :"temporal_user";
CREATE DATABASE temporal_visibility OWNER :"temporal_user";
EOSQL
