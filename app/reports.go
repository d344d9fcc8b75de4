package app

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
)

// Reports reads the monthly recaps of a unit and below, and walks the
// lists an export writes: every page of the case list or of the inbox,
// with the filters and the scope of the screen (Cases.List, Tasks.List).
type Reports struct {
	Store  lindungi.ReportService
	Cases  *Cases
	Tasks  *Tasks
	Access *Access
	Units  Units
	Now    func() time.Time
}

// ExportPage is how many rows an export reads from the database at a
// time: it writes them before it reads the next.
const ExportPage = 500

// Recap is a request for a monthly recap: the unit ("" is the caller's
// own) and the month.
type Recap struct {
	Unit  string
	Month lindungi.Month
}

// decide returns the unit a recap is of and the decision that lets a read
// it: the policy at that unit for the caller's roles (the unit itself or
// one above it), or a delegation of its queue. EINVALID for a unit that
// does not exist, EFORBIDDEN for one out of reach, then EINVALID for a
// month still to come.
func (r *Reports) decide(ctx context.Context, a Actor, req Recap) (string, Actor, error) {
	unit := req.Unit
	if unit == "" {
		unit = a.Principal.Unit
	}
	if r.Units.Path(unit) == nil {
		return "", a, invalid("unit", "is not a known unit")
	}
	got, ok, err := r.Access.Reach(ctx, a, unit, uuid.Nil)
	if err != nil {
		return "", a, err
	}
	if !ok {
		return "", a, lindungi.Errorf(lindungi.EFORBIDDEN, "You may not read the reports of unit %s.", unit)
	}
	if err := lindungi.CheckMonth("month", req.Month, clock(r.Now)); err != nil {
		return "", a, err
	}
	return unit, got, nil
}

// Complaints is the recap of the complaints owned at or below the unit in
// the month (lindungi.ComplaintRecap).
func (r *Reports) Complaints(ctx context.Context, a Actor, req Recap) (lindungi.ComplaintRecap, error) {
	unit, _, err := r.decide(ctx, a, req)
	if err != nil {
		return lindungi.ComplaintRecap{}, err
	}
	return r.Store.ComplaintRecap(ctx, unit, req.Month.Start(), req.Month.End())
}

// Placements is the recap of the journeys of the workers domiciled at or
// below the unit in the month; for the month under way, up to now.
func (r *Reports) Placements(ctx context.Context, a Actor, req Recap) (lindungi.PlacementRecap, error) {
	unit, _, err := r.decide(ctx, a, req)
	if err != nil {
		return lindungi.PlacementRecap{}, err
	}
	to := req.Month.End()
	if now := clock(r.Now); now.Before(to) {
		to = now
	}
	return r.Store.PlacementRecap(ctx, unit, req.Month.Start(), to)
}

// CountCases counts the cases Cases.List would list for a with f, every
// page: what an export of the list will hold.
func (r *Reports) CountCases(ctx context.Context, a Actor, f lindungi.CaseFilter) (int, error) {
	scope, err := r.exportScope(ctx, a, f.Unit)
	if err != nil {
		return 0, err
	}
	return r.Store.CountCases(ctx, scope, f)
}

// EachCase calls each with every page of the cases Cases.List lists for a
// with f, ExportPage at a time, from the first page on; it stops at the
// first error.
func (r *Reports) EachCase(ctx context.Context, a Actor, f lindungi.CaseFilter, each func([]lindungi.Case) error) error {
	f.Limit, f.AfterStart, f.AfterID = ExportPage, time.Time{}, uuid.Nil
	return eachPage(func() ([]lindungi.Case, error) { return r.Cases.List(ctx, a, f) }, each, func(last lindungi.Case) {
		f.AfterStart, f.AfterID = last.ReceivedAt, last.ID
	})
}

// CountTasks counts the tasks Tasks.List would list for a with f, every
// page.
func (r *Reports) CountTasks(ctx context.Context, a Actor, f lindungi.TaskFilter) (int, error) {
	scope, err := r.exportScope(ctx, a, f.Unit)
	if err != nil {
		return 0, err
	}
	return r.Store.CountTasks(ctx, scope, f)
}

// EachTask calls each with every page of the tasks Tasks.List lists for a
// with f, ExportPage at a time; it stops at the first error.
func (r *Reports) EachTask(ctx context.Context, a Actor, f lindungi.TaskFilter, each func([]lindungi.Task) error) error {
	f.Limit, f.AfterDue, f.AfterID = ExportPage, time.Time{}, uuid.Nil
	return eachPage(func() ([]lindungi.Task, error) { return r.Tasks.List(ctx, a, f) }, each, func(last lindungi.Task) {
		f.AfterDue, f.AfterID = last.DueAt, last.ID
	})
}

// exportScope is what a may read, for a list filtered by unit (a unit the
// system knows, or "").
func (r *Reports) exportScope(ctx context.Context, a Actor, unit string) (lindungi.Scope, error) {
	if unit != "" && r.Units.Path(unit) == nil {
		return lindungi.Scope{}, invalid("unit", "is not a known unit")
	}
	return r.Access.Scope(ctx, a.Principal)
}

// eachPage reads pages with next, hands each non-empty one to each, and
// moves the cursor past its last item with after, until a page is short
// (ExportPage items make a full one).
func eachPage[T any](next func() ([]T, error), each func([]T) error, after func(last T)) error {
	for {
		page, err := next()
		if err != nil {
			return err
		}
		if len(page) > 0 {
			if err := each(page); err != nil {
				return err
			}
		}
		if len(page) < ExportPage {
			return nil
		}
		after(page[len(page)-1])
	}
}
