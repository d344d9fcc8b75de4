#!/bin/sh
# The temporal-schema job of docker-compose.yml: creates or upgrades the
# tables of Temporal's two databases with the temporal-sql-tool of the
# temporalio/admin-tools image, the way Temporal's own compose samples do
# (github.com/temporalio/samples-server, compose/scripts/setup-postgres.sh).
# The temporal service starts only after this job has succeeded.
#
# Unlike those samples it skips `temporal-sql-tool create`: the databases
# exist already, made by deploy/postgres/initdb/10-roles.sh and owned by
# POSTGRES_USER, which may not create databases. PostgreSQL checks that
# privilege before it looks for the name, so `create` would fail even on a
# database that exists.
#
# Running it again is harmless: setup-schema -v 0.0 leaves a database whose
# schema is newer alone, and update-schema applies only the versions the
# database lacks. A newer admin-tools image therefore upgrades the schema;
# pin it to the version of the temporalio/server image.
set -eu

: "${POSTGRES_SEEDS:?}" "${POSTGRES_USER:?}" "${SQL_PASSWORD:?}"
: "${DBNAME:=temporal}" "${VISIBILITY_DBNAME:=temporal_visibility}" "${DB_PORT:=5432}"
schema=/etc/temporal/schema/postgresql/v12

sql_tool() {
	# The password comes from SQL_PASSWORD, which temporal-sql-tool reads.
	temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$DB_PORT" -u "$POSTGRES_USER" "$@"
}

sql_tool --db "$DBNAME" setup-schema -v 0.0
sql_tool --db "$DBNAME" update-schema -d "$schema/temporal/versioned"
sql_tool --db "$VISIBILITY_DBNAME" setup-schema -v 0.0
sql_tool --db "$VISIBILITY_DBNAME" update-schema -d "$schema/visibility/versioned"
echo "Temporal schema ready in $DBNAME and $VISIBILITY_DBNAME"
