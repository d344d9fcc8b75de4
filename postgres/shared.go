// The small conversions between Go and SQL values, and checks against
// the database, that every noun of this package uses.

package postgres

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/lindungi/lindungi"
)

// invalid is the EINVALID error naming one bad field.
func invalid(field, reason string) error {
	return &lindungi.Error{Code: lindungi.EINVALID, Message: "The request has invalid fields.",
		Fields: []lindungi.FieldError{{Field: field, Reason: reason}}}
}

// unitPath returns the path of a unit (codes from the root down), or nil
// if there is no such unit.
func unitPath(ctx context.Context, tx *sqlx.Tx, code string) ([]string, error) {
	var path pq.StringArray
	err := tx.GetContext(ctx, &path, `SELECT path FROM units WHERE code = $1`, code)
	if lindungi.ErrorCode(translate(err)) == lindungi.ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("unit %s: %w", code, translate(err))
	}
	return path, nil
}

// nullString is s, or NULL for "".
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// setFields names the fields of m that are set, in order.
func setFields(m map[string]string) []string {
	out := []string{}
	for k, v := range m {
		if v != "" {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// deref is *s, or "" for NULL.
func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// utc is *t in UTC, or nil for NULL.
func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// convert returns the domain values of rows.
func convert[R, T any](rows []R, value func(R) T) []T {
	out := make([]T, len(rows))
	for i, r := range rows {
		out[i] = value(r)
	}
	return out
}

// nullTime is t, or NULL for the zero time.
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

// nullUUID is id, or NULL for uuid.Nil.
func nullUUID(id uuid.UUID) any {
	if id == uuid.Nil {
		return nil
	}
	return id
}

// pageSize is limit when it is 1 to most, def otherwise.
func pageSize(limit, def, most int) int {
	if limit <= 0 || limit > most {
		return def
	}
	return limit
}

// pageAfter is the key a list continues after: the sort value at and the
// ID, or NULLs for the first page (at is zero).
func pageAfter(at time.Time, id uuid.UUID) (any, any) {
	if at.IsZero() {
		return nil, nil
	}
	return at, id
}

// nowOr is t, or the store's clock when t is zero: the instant a list
// measures deadlines and idle days against.
func (db *DB) nowOr(t time.Time) time.Time {
	if t.IsZero() {
		return db.Now()
	}
	return t
}

// dateString is *t as YYYY-MM-DD, or "" for NULL.
func dateString(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Format(time.DateOnly)
}
