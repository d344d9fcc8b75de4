// Package schema holds the SQL migrations (applied in order by goose, the same
// in tests and production) and the reference data every installation loads:
// the units of Central Java and the holiday calendar.
package schema

import "embed"

// Migrations are the goose migrations, named NNNNN_name.sql.
//
//go:embed *.sql
var Migrations embed.FS

// Data holds the reference data: data/jateng_units.csv and data/holidays_*.csv.
//
//go:embed data/*.csv
var Data embed.FS
