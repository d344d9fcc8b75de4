#!/usr/bin/env bash
# Runs once, when the postgres container starts on an empty data volume
# (mounted at /docker-entrypoint-initdb.d by docker-compose.yml). To run it
# again, remove the volume: docker compose down -v.
#
# It creates the roles and databases of the stack, each with least privilege
# (README, "Database roles"):
#   - lindungi_app, a group role that cannot log in. The migration
#     schema/00014_app_role.sql grants it what the application needs. It
#     makes the role only when it is missing, which takes CREATEROLE; made
#     here, the owner needs no such privilege.
#   - LINDUNGI_DB_OWNER owns LINDUNGI_DB_NAME: `lindungi migrate` connects as
#     it and creates the tables, which it therefore owns.
#   - LINDUNGI_DB_APP, a login role in lindungi_app and nothing else:
#     `lindungi serve` and `lindungi worker` connect as it. Owning no table,
#     it cannot alter one, disable its triggers or truncate it.
#   - TEMPORAL_DB_USER owns the databases temporal and temporal_visibility;
#     the temporal-schema job creates their tables as it.
# Only these roles may connect to their databases (PUBLIC's default CONNECT
# and TEMPORARY are revoked). None of them may create roles or databases.
# Names and passwords come from the postgres service's environment in
# docker-compose.yml and must match the DATABASE_URL of migrate, api and
# worker and the settings of temporal-schema and temporal (cmd/lindungi's
# compose tests check it, and run this script on a throwaway server).
#
# The image's entrypoint may source this file rather than execute it, so it
# does not change shell options; ${VAR:?} stops it when a variable is missing.

psql -v ON_ERROR_STOP=1 --no-psqlrc \
	--username "${POSTGRES_USER:?}" --dbname "${POSTGRES_DB:?}" \
	--set=lindungi_db="${LINDUNGI_DB_NAME:?}" \
	--set=owner="${LINDUNGI_DB_OWNER:?}" \
	--set=owner_password="${LINDUNGI_DB_OWNER_PASSWORD:?}" \
	--set=app="${LINDUNGI_DB_APP:?}" \
	--set=app_password="${LINDUNGI_DB_APP_PASSWORD:?}" \
	--set=temporal_user="${TEMPORAL_DB_USER:?}" \
	--set=temporal_password="${TEMPORAL_DB_PASSWORD:?}" <<'EOSQL'
CREATE ROLE lindungi_app NOLOGIN;
CREATE ROLE :"owner" LOGIN PASSWORD :'owner_password';
CREATE ROLE :"app" LOGIN PASSWORD :'app_password' IN ROLE lindungi_app;
CREATE DATABASE :"lindungi_db" OWNER :"owner";
REVOKE ALL ON DATABASE :"lindungi_db" FROM PUBLIC;
GRANT CONNECT ON DATABASE :"lindungi_db" TO lindungi_app;

CREATE ROLE :"temporal_user" LOGIN PASSWORD :'temporal_password';
CREATE DATABASE temporal OWNER :"temporal_user";
CREATE DATABASE temporal_visibility OWNER :"temporal_user";
REVOKE ALL ON DATABASE temporal, temporal_visibility FROM PUBLIC;
EOSQL
