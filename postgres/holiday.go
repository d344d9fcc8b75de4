package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lindungi/lindungi"
)

var _ lindungi.HolidayService = (*DB)(nil)

type holidayRow struct {
	Day  time.Time `db:"day"`
	Kind string    `db:"kind"`
	Name string    `db:"name"`
}

func (r holidayRow) holiday() lindungi.Holiday {
	return lindungi.Holiday{Date: r.Day.Format(time.DateOnly), Kind: r.Kind, Name: r.Name}
}

// Holidays returns every holiday, ordered by date.
func (db *DB) Holidays(ctx context.Context) ([]lindungi.Holiday, error) {
	var rows []holidayRow
	if err := db.db.SelectContext(ctx, &rows, `SELECT day, kind, name FROM holidays ORDER BY day`); err != nil {
		return nil, translate(err)
	}
	return convert(rows, holidayRow.holiday), nil
}

// AddHoliday adds a holiday to the calendar, with its audit event
// (holiday.add: date, kind, name and reason) and the answer of the request
// (lindungi.NewContextWithAnswer), in one transaction. Deadlines
// already set do not move. EINVALID naming the bad fields, ECONFLICT when
// the date is already a holiday.
func (db *DB) AddHoliday(ctx context.Context, h lindungi.Holiday, reason string, ev lindungi.Event) (lindungi.Holiday, error) {
	h.Normalize()
	reason = strings.TrimSpace(reason)
	if err := lindungi.CheckNewHoliday(h, reason); err != nil {
		return lindungi.Holiday{}, err
	}
	var out lindungi.Holiday
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		var row holidayRow
		err := tx.GetContext(ctx, &row, `INSERT INTO holidays (day, kind, name) VALUES ($1, $2, $3) RETURNING day, kind, name`,
			h.Date, h.Kind, h.Name)
		if err != nil {
			if lindungi.ErrorCode(translate(err)) == lindungi.ECONFLICT {
				return &lindungi.Error{Code: lindungi.ECONFLICT, Message: "The calendar already has a holiday on " + h.Date + "; remove it first to change it.",
					Fields: []lindungi.FieldError{{Field: "date", Reason: "is already a holiday"}}}
			}
			return fmt.Errorf("insert holiday %s: %w", h.Date, translate(err))
		}
		out = row.holiday()
		ev.OccurredAt = db.Now().UTC()
		ev.Action = "holiday.add"
		ev.SubjectType, ev.SubjectID = "holiday", out.Date
		ev.After = mustJSON(map[string]any{"date": out.Date, "kind": out.Kind, "name": out.Name, "reason": reason})
		if err := insertEvent(ctx, tx, ev); err != nil {
			return err
		}
		return db.answer(ctx, tx, out)
	})
	return out, err
}

// RemoveHoliday removes the holiday on date (YYYY-MM-DD) with its audit
// event (holiday.remove) and the answer of the request
// (lindungi.NewContextWithAnswer), in one transaction, and returns it. Deadlines
// already set do not move; a year whose last holiday is removed has no
// calendar data and counts weekends only. EINVALID for a malformed date or
// reason, ENOTFOUND when date is not a holiday.
func (db *DB) RemoveHoliday(ctx context.Context, date, reason string, ev lindungi.Event) (lindungi.Holiday, error) {
	date, reason = strings.TrimSpace(date), strings.TrimSpace(reason)
	if err := lindungi.CheckHolidayRemoval(date, reason); err != nil {
		return lindungi.Holiday{}, err
	}
	var out lindungi.Holiday
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		var row holidayRow
		if err := tx.GetContext(ctx, &row, `DELETE FROM holidays WHERE day = $1 RETURNING day, kind, name`, date); err != nil {
			if lindungi.ErrorCode(translate(err)) == lindungi.ENOTFOUND {
				return lindungi.Errorf(lindungi.ENOTFOUND, "The calendar has no holiday on %s.", date)
			}
			return fmt.Errorf("remove holiday %s: %w", date, translate(err))
		}
		out = row.holiday()
		ev.OccurredAt = db.Now().UTC()
		ev.Action = "holiday.remove"
		ev.SubjectType, ev.SubjectID = "holiday", out.Date
		ev.Before = mustJSON(map[string]any{"date": out.Date, "kind": out.Kind, "name": out.Name})
		ev.After = mustJSON(map[string]any{"removed": true, "reason": reason})
		if err := insertEvent(ctx, tx, ev); err != nil {
			return err
		}
		return db.answer(ctx, tx, out)
	})
	return out, err
}

// HolidayYears returns the years that have calendar data, in order.
func (db *DB) HolidayYears(ctx context.Context) ([]int, error) {
	years := []int{}
	if err := db.db.SelectContext(ctx, &years,
		`SELECT DISTINCT extract(year FROM day)::int AS year FROM holidays ORDER BY year`); err != nil {
		return nil, fmt.Errorf("holiday years: %w", translate(err))
	}
	return years, nil
}

// HolidaysOf returns the holidays of year, ordered by date.
func (db *DB) HolidaysOf(ctx context.Context, year int) ([]lindungi.Holiday, error) {
	var rows []holidayRow
	if err := db.db.SelectContext(ctx, &rows, `SELECT day, kind, name FROM holidays
WHERE day >= make_date($1, 1, 1) AND day < make_date($1 + 1, 1, 1) ORDER BY day`, year); err != nil {
		return nil, fmt.Errorf("holidays of %d: %w", year, translate(err))
	}
	return convert(rows, holidayRow.holiday), nil
}
