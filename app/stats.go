package app

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
	"golang.org/x/sync/errgroup"
)

// Stats reads the figures of a unit and the units below it, for the
// supervisors' dashboard and GET /v1/stats/.... The figures are aggregates
// without the personal data of workers, so reading them is not an access
// to personal data; the workload names officers, who are staff, and is
// not logged either.
type Stats struct {
	Store  lindungi.StatsService
	Access *Access
	Units  Units
	Now    func() time.Time
}

// StatsRequest asks for the figures of Unit, the caller's own unit when
// empty, with flows counted over the days From to To (YYYY-MM-DD, WIB,
// both included; this year up to today when empty).
type StatsRequest struct {
	Unit     string
	From, To string
}

// Query decides whether a may read the figures of the request's unit, by
// the policy at a's unit or a queue delegation to it, and reads the
// period. EFORBIDDEN for a known unit out of reach, before the period is
// read; EINVALID naming unit (malformed or unknown), from or to.
func (st *Stats) Query(ctx context.Context, a Actor, r StatsRequest) (lindungi.StatsQuery, error) {
	unit := r.Unit
	if unit == "" {
		unit = a.Principal.Unit
	}
	known := lindungi.IsUnitCode(unit) && st.Units.Path(unit) != nil
	if known {
		_, ok, err := st.Access.Reach(ctx, a, unit, uuid.Nil)
		if err != nil {
			return lindungi.StatsQuery{}, err
		}
		if !ok {
			return lindungi.StatsQuery{}, lindungi.Errorf(lindungi.EFORBIDDEN, "You may not read the figures of unit %s.", unit)
		}
	}
	var v lindungi.Validation
	switch {
	case !lindungi.IsUnitCode(unit):
		v.Add("unit", "must be a unit code such as 3305, 33 or ID")
	case !known:
		v.Add("unit", "is not a known unit")
	}
	now := clock(st.Now)
	from, to, err := lindungi.ParseStatsPeriod(r.From, r.To, now)
	v.Merge(err)
	if err := v.Err(); err != nil {
		return lindungi.StatsQuery{}, err
	}
	return lindungi.StatsQuery{Unit: unit, From: from, To: to, Now: now}, nil
}

// Tasks is the open tasks of the unit and below, by unit and by kind.
func (st *Stats) Tasks(ctx context.Context, a Actor, r StatsRequest) (lindungi.TaskStats, error) {
	return read(ctx, st, a, r, st.Store.TaskStats)
}

// Cases is the open cases of the unit and below, by unit and by category,
// and the complaints received, resolved and closed.
func (st *Stats) Cases(ctx context.Context, a Actor, r StatsRequest) (lindungi.CaseStats, error) {
	return read(ctx, st, a, r, st.Store.CaseStats)
}

// Resolution is the working days the cases resolved in the period took.
func (st *Stats) Resolution(ctx context.Context, a Actor, r StatsRequest) (lindungi.ResolutionStats, error) {
	return read(ctx, st, a, r, st.Store.ResolutionStats)
}

// Recovery is the money recovered by the cases resolved in the period.
func (st *Stats) Recovery(ctx context.Context, a Actor, r StatsRequest) (lindungi.RecoveryStats, error) {
	return read(ctx, st, a, r, st.Store.RecoveryStats)
}

// Journeys is where the journeys of the unit's workers stand.
func (st *Stats) Journeys(ctx context.Context, a Actor, r StatsRequest) (lindungi.JourneyStats, error) {
	return read(ctx, st, a, r, st.Store.JourneyStats)
}

// Workload is the open work each officer of the unit and below holds.
func (st *Stats) Workload(ctx context.Context, a Actor, r StatsRequest) (lindungi.WorkloadStats, error) {
	return read(ctx, st, a, r, st.Store.WorkloadStats)
}

// read decides and reads one set of figures.
func read[T any](ctx context.Context, st *Stats, a Actor, r StatsRequest, figures func(context.Context, lindungi.StatsQuery) (T, error)) (T, error) {
	q, err := st.Query(ctx, a, r)
	if err != nil {
		var zero T
		return zero, err
	}
	return figures(ctx, q)
}

// Dashboard is every figure of a unit and below, as of one instant.
type Dashboard struct {
	Query      lindungi.StatsQuery
	Tasks      lindungi.TaskStats
	Cases      lindungi.CaseStats
	Resolution lindungi.ResolutionStats
	Recovery   lindungi.RecoveryStats
	Journeys   lindungi.JourneyStats
	Workload   lindungi.WorkloadStats
}

// dashboardReads is how many of the dashboard's reads run at once.
const dashboardReads = 3

// Dashboard reads every figure after one decision (Query's, with its
// errors), a few reads at a time.
func (st *Stats) Dashboard(ctx context.Context, a Actor, r StatsRequest) (Dashboard, error) {
	q, err := st.Query(ctx, a, r)
	if err != nil {
		return Dashboard{}, err
	}
	d := Dashboard{Query: q}
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(dashboardReads)
	g.Go(func() (err error) { d.Tasks, err = st.Store.TaskStats(ctx, q); return })
	g.Go(func() (err error) { d.Cases, err = st.Store.CaseStats(ctx, q); return })
	g.Go(func() (err error) { d.Resolution, err = st.Store.ResolutionStats(ctx, q); return })
	g.Go(func() (err error) { d.Recovery, err = st.Store.RecoveryStats(ctx, q); return })
	g.Go(func() (err error) { d.Journeys, err = st.Store.JourneyStats(ctx, q); return })
	g.Go(func() (err error) { d.Workload, err = st.Store.WorkloadStats(ctx, q); return })
	return d, g.Wait()
}
