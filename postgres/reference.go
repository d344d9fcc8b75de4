package postgres

import (
	"context"
	"encoding/csv"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/schema"
)

// ReferenceUnits reads the units shipped in schema/data, with their paths.
func ReferenceUnits() ([]lindungi.Unit, error) {
	rows, err := readCSV(schema.Data, "data/jateng_units.csv", []string{"code", "name", "kind", "parent"})
	if err != nil {
		return nil, err
	}
	byCode := map[string]*lindungi.Unit{}
	units := make([]lindungi.Unit, 0, len(rows))
	for _, r := range rows {
		units = append(units, lindungi.Unit{Code: r[0], Name: r[1], Kind: r[2], Parent: r[3]})
	}
	for i := range units {
		byCode[units[i].Code] = &units[i]
	}
	for i := range units {
		var path []string
		for u := &units[i]; u != nil; u = byCode[u.Parent] {
			path = append([]string{u.Code}, path...)
			if len(path) > 10 {
				return nil, fmt.Errorf("units: cycle at %s", units[i].Code)
			}
			if u.Parent != "" && byCode[u.Parent] == nil {
				return nil, fmt.Errorf("units: %s has unknown parent %s", u.Code, u.Parent)
			}
		}
		units[i].Path = path
	}
	return units, nil
}

// ReferenceHolidays reads every holidays_*.csv shipped in schema/data.
func ReferenceHolidays() ([]lindungi.Holiday, error) {
	names, err := fs.Glob(schema.Data, "data/holidays_*.csv")
	if err != nil {
		return nil, err
	}
	var hs []lindungi.Holiday
	for _, name := range names {
		rows, err := readCSV(schema.Data, name, []string{"date", "kind", "name"})
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			if _, err := time.Parse(time.DateOnly, r[0]); err != nil {
				return nil, fmt.Errorf("%s: bad date %q", name, r[0])
			}
			hs = append(hs, lindungi.Holiday{Date: r[0], Kind: r[1], Name: r[2]})
		}
	}
	return hs, nil
}

func readCSV(fsys fs.FS, name string, header []string) ([][]string, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(rows) == 0 || strings.Join(rows[0], ",") != strings.Join(header, ",") {
		return nil, fmt.Errorf("%s: want header %v", name, header)
	}
	return rows[1:], nil
}

const upsertUnitSQL = `
INSERT INTO units (code, name, kind, parent, path) VALUES ($1, $2, $3, NULLIF($4, ''), $5)
ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind, parent = EXCLUDED.parent, path = EXCLUDED.path`

const insertHolidaySQL = `
INSERT INTO holidays (day, kind, name) VALUES ($1, $2, $3) ON CONFLICT (day) DO NOTHING`

// LoadReference loads the shipped units and holidays, and gathers their
// statistics. It is idempotent: units are updated in place, holidays
// already present are kept (an administrator may have corrected them).
func (db *DB) LoadReference(ctx context.Context) error {
	units, err := ReferenceUnits()
	if err != nil {
		return err
	}
	holidays, err := ReferenceHolidays()
	if err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		// Parents come before children in the file; insert in path order to be sure.
		for depth := 1; depth <= 10; depth++ {
			for _, u := range units {
				if len(u.Path) != depth {
					continue
				}
				if _, err := tx.ExecContext(ctx, upsertUnitSQL, u.Code, u.Name, u.Kind, u.Parent, pq.StringArray(u.Path)); err != nil {
					return fmt.Errorf("unit %s: %w", u.Code, translate(err))
				}
			}
		}
		for _, h := range holidays {
			if _, err := tx.ExecContext(ctx, insertHolidaySQL, h.Date, h.Kind, h.Name); err != nil {
				return fmt.Errorf("holiday %s: %w", h.Date, translate(err))
			}
		}
		// Tables this small are never analyzed by autovacuum: without
		// statistics the planner guesses a unit and its descendants are 2
		// rows, not 36, and plans the figures of a province (stats.go)
		// for a handful of rows.
		if _, err := tx.ExecContext(ctx, `ANALYZE units, holidays`); err != nil {
			return fmt.Errorf("analyze the reference data: %w", translate(err))
		}
		return nil
	})
}

type unitRow struct {
	Code   string         `db:"code"`
	Name   string         `db:"name"`
	Kind   string         `db:"kind"`
	Parent *string        `db:"parent"`
	Path   pq.StringArray `db:"path"`
}

// Units returns every unit, ordered by code.
func (db *DB) Units(ctx context.Context) ([]lindungi.Unit, error) {
	var rows []unitRow
	if err := db.db.SelectContext(ctx, &rows, `SELECT code, name, kind, parent, path FROM units ORDER BY code`); err != nil {
		return nil, translate(err)
	}
	units := make([]lindungi.Unit, len(rows))
	for i, r := range rows {
		units[i] = lindungi.Unit{Code: r.Code, Name: r.Name, Kind: r.Kind, Path: r.Path}
		if r.Parent != nil {
			units[i].Parent = *r.Parent
		}
	}
	return units, nil
}

var _ lindungi.UserService = (*DB)(nil)

const upsertUserSQL = `
INSERT INTO users (subject, name, unit, roles) VALUES ($1, $2, $3, $4)
ON CONFLICT (subject) DO UPDATE SET name = EXCLUDED.name, unit = EXCLUDED.unit, roles = EXCLUDED.roles`

// UpsertUsers adds or updates users of the directory.
func (db *DB) UpsertUsers(ctx context.Context, users []lindungi.User) error {
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		for _, u := range users {
			if _, err := tx.ExecContext(ctx, upsertUserSQL, u.Subject, u.Name, u.Unit, pq.StringArray(u.Roles)); err != nil {
				return fmt.Errorf("user %s: %w", u.Subject, translate(err))
			}
		}
		return nil
	})
}

// FindUser returns a user of the directory. ENOTFOUND if there is none.
func (db *DB) FindUser(ctx context.Context, subject string) (lindungi.User, error) {
	var row struct {
		Subject string         `db:"subject"`
		Name    string         `db:"name"`
		Unit    string         `db:"unit"`
		Roles   pq.StringArray `db:"roles"`
	}
	if err := db.db.GetContext(ctx, &row, `SELECT subject, name, unit, roles FROM users WHERE subject = $1`, subject); err != nil {
		if lindungi.ErrorCode(translate(err)) == lindungi.ENOTFOUND {
			return lindungi.User{}, lindungi.Errorf(lindungi.ENOTFOUND, "User not found.")
		}
		return lindungi.User{}, translate(err)
	}
	return lindungi.User{Subject: row.Subject, Name: row.Name, Unit: row.Unit, Roles: row.Roles}, nil
}
