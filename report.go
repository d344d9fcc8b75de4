package lindungi

import (
	"context"
	"fmt"
	"time"
)

// Month is a calendar month in WIB: the period of a monthly recap.
type Month struct {
	Year  int
	Month time.Month
}

// ParseMonth reads a month written YYYY-MM ("2026-11").
func ParseMonth(s string) (Month, bool) {
	t, err := time.ParseInLocation("2006-01", s, WIB)
	if err != nil || len(s) != 7 {
		return Month{}, false
	}
	return Month{Year: t.Year(), Month: t.Month()}, true
}

// MonthOf is the month (WIB) of the instant t.
func MonthOf(t time.Time) Month {
	t = t.In(WIB)
	return Month{Year: t.Year(), Month: t.Month()}
}

// String writes the month as ParseMonth reads it.
func (m Month) String() string { return fmt.Sprintf("%04d-%02d", m.Year, int(m.Month)) }

// Start is the first instant of the month in WIB.
func (m Month) Start() time.Time { return time.Date(m.Year, m.Month, 1, 0, 0, 0, 0, WIB) }

// End is the first instant of the month after.
func (m Month) End() time.Time { return m.Start().AddDate(0, 1, 0) }

// Prev is the month before.
func (m Month) Prev() Month { return MonthOf(m.Start().AddDate(0, -1, 0)) }

// CheckMonth names what is wrong with the month of a recap asked for at
// now: none later than now's, none before 2000. EINVALID naming field.
func CheckMonth(field string, m Month, now time.Time) error {
	var v Validation
	switch {
	case m.Year < 2000:
		v.Add(field, "must be 2000-01 or later")
	case m.Start().After(now):
		v.Add(field, "must not be a month still to come")
	}
	return v.Err()
}

// RecapRow is one line of a complaints recap: the cases of one category,
// channel, country or unit (Key, the code) received, resolved and closed
// in the month, and the money recovered (Rupiah) by the cases resolved.
type RecapRow struct {
	Key            string `json:"key"`
	Received       int    `json:"received"`
	Resolved       int    `json:"resolved"`
	Closed         int    `json:"closed"`
	MoneyRecovered int64  `json:"money_recovered_idr"`
}

// ComplaintRecap is the monthly recap of the complaints owned by a unit
// and the units below it. A case counts as received in the month of its
// intake, as resolved in the month of its last resolution (while it stays
// resolved or closed: a case reopened since counts no more), as closed in
// the month it was closed. A case may have several categories: it counts
// under each, so the category lines may add up to more than Total, which
// counts each case once. Country "" is a complaint without one.
type ComplaintRecap struct {
	Unit       string     `json:"unit"`
	Month      string     `json:"month"`
	From       time.Time  `json:"from"`
	To         time.Time  `json:"to"`
	Total      RecapRow   `json:"total"`
	ByCategory []RecapRow `json:"by_category"`
	ByChannel  []RecapRow `json:"by_channel"`
	ByCountry  []RecapRow `json:"by_country"`
	ByUnit     []RecapRow `json:"by_unit"`
}

// PlacementRow is one line of a placements recap: the journeys of one
// scheme or unit (Key) registered in the month, that departed or returned
// in it, and that were under way (not closed) at its end.
type PlacementRow struct {
	Key        string `json:"key"`
	Registered int    `json:"registered"`
	Departed   int    `json:"departed"`
	Returned   int    `json:"returned"`
	Active     int    `json:"active"`
}

// StepRow is one step of a placements recap: how many journeys entered it
// in the month, and how many stood at it at the month's end.
type StepRow struct {
	Step    Step `json:"step"`
	Entered int  `json:"entered"`
	AtEnd   int  `json:"at_end"`
}

// PlacementRecap is the monthly recap of the journeys of the registered
// workers domiciled in a unit and below it. For the month under way, its
// "end" is now (To).
type PlacementRecap struct {
	Unit     string         `json:"unit"`
	Month    string         `json:"month"`
	From     time.Time      `json:"from"`
	To       time.Time      `json:"to"`
	Total    PlacementRow   `json:"total"`
	ByStep   []StepRow      `json:"by_step"`
	ByScheme []PlacementRow `json:"by_scheme"`
	ByUnit   []PlacementRow `json:"by_unit"`
}

// SumRecap adds up rows into one with key.
func SumRecap(key string, rows []RecapRow) RecapRow {
	out := RecapRow{Key: key}
	for _, r := range rows {
		out.Received += r.Received
		out.Resolved += r.Resolved
		out.Closed += r.Closed
		out.MoneyRecovered += r.MoneyRecovered
	}
	return out
}

// SumPlacements adds up rows into one with key.
func SumPlacements(key string, rows []PlacementRow) PlacementRow {
	out := PlacementRow{Key: key}
	for _, r := range rows {
		out.Registered += r.Registered
		out.Departed += r.Departed
		out.Returned += r.Returned
		out.Active += r.Active
	}
	return out
}

// ReportService reads the monthly recaps and counts what a list export
// will hold. Each recap is a few aggregate queries over indexed columns,
// one per table; none returns a domain error code but EINVALID for a unit
// that does not exist.
type ReportService interface {
	// ComplaintRecap recaps the complaints owned at or below unit between
	// from and to (a month).
	ComplaintRecap(ctx context.Context, unit string, from, to time.Time) (ComplaintRecap, error)
	// PlacementRecap recaps the journeys of workers domiciled at or below
	// unit between from and to (a month, or its part up to now).
	PlacementRecap(ctx context.Context, unit string, from, to time.Time) (PlacementRecap, error)
	// CountCases counts the cases ListCases would list with scope and f,
	// all pages (f's limit and cursor are ignored).
	CountCases(ctx context.Context, scope Scope, f CaseFilter) (int, error)
	// CountTasks counts the tasks ListTasks would list with scope and f,
	// all pages.
	CountTasks(ctx context.Context, scope Scope, f TaskFilter) (int, error)
}
