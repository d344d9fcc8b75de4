package postgres

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
)

// The monthly recaps: one aggregate query per table of a recap, each over
// indexed columns (cases by owner unit and date, the resolutions' audit
// events by date, journey steps by date, workers by domicile), with the
// unit's subtree read from units.path. Totals are the sums of the unit
// table, where each case or journey counts once.

// recapCasesSQL is what every table of the complaints recap reads: $1 the
// unit, $2 and $3 the month. It selects the cases owned at or below the
// unit that were received, last resolved or closed in the month, each with
// what it counts as.
const recapCasesSQL = `
WITH reach AS (
    SELECT code FROM units WHERE $1 = ANY (path)
),
-- The last resolution of each case resolved since the month began (a case
-- resolved, reopened and resolved again counts where it was resolved last).
resolutions AS (
    SELECT e.subject_id::uuid AS case_id, max(e.occurred_at) AS at
    FROM audit_events e
    WHERE e.action = 'case.resolve' AND e.occurred_at >= $2
    GROUP BY e.subject_id
),
month_cases AS (
    SELECT c.id, c.categories, c.channel, c.country, c.owner_unit, c.money_recovered_idr,
        c.received_at >= $2 AND c.received_at < $3 AS received,
        coalesce(r.at < $3 AND c.step IN ('RESOLVED', 'CLOSED'), false) AS resolved,
        coalesce(c.closed_at >= $2 AND c.closed_at < $3, false) AS closed
    FROM cases c
    LEFT JOIN resolutions r ON r.case_id = c.id
    WHERE c.owner_unit IN (SELECT code FROM reach)
      AND c.id IN (
          SELECT id FROM cases WHERE owner_unit IN (SELECT code FROM reach) AND received_at >= $2 AND received_at < $3
          UNION SELECT id FROM cases WHERE owner_unit IN (SELECT code FROM reach) AND closed_at >= $2 AND closed_at < $3
          UNION SELECT case_id FROM resolutions WHERE at < $3)
)`

// recapCountsSQL are the figures of one line of the complaints recap.
const recapCountsSQL = `
    count(*) FILTER (WHERE received) AS received,
    count(*) FILTER (WHERE resolved) AS resolved,
    count(*) FILTER (WHERE closed) AS closed,
    coalesce(sum(money_recovered_idr) FILTER (WHERE resolved), 0) AS money_recovered_idr`

// The tables of the complaints recap, one query each.
const (
	recapByCategorySQL = recapCasesSQL + `
SELECT category AS key,` + recapCountsSQL + `
FROM month_cases, unnest(categories) AS category
GROUP BY category ORDER BY category`
	recapByChannelSQL = recapCasesSQL + `
SELECT channel AS key,` + recapCountsSQL + `
FROM month_cases GROUP BY channel ORDER BY channel`
	recapByCountrySQL = recapCasesSQL + `
SELECT country AS key,` + recapCountsSQL + `
FROM month_cases GROUP BY country ORDER BY country`
	recapByUnitSQL = recapCasesSQL + `
SELECT owner_unit AS key,` + recapCountsSQL + `
FROM month_cases GROUP BY owner_unit ORDER BY owner_unit`
)

type recapRow struct {
	Key            string `db:"key"`
	Received       int    `db:"received"`
	Resolved       int    `db:"resolved"`
	Closed         int    `db:"closed"`
	MoneyRecovered int64  `db:"money_recovered_idr"`
}

// ComplaintRecap recaps the complaints owned at or below unit between from
// and to (lindungi.ComplaintRecap says what counts where). EINVALID for a
// unit that does not exist.
func (db *DB) ComplaintRecap(ctx context.Context, unit string, from, to time.Time) (lindungi.ComplaintRecap, error) {
	if err := db.checkUnit(ctx, unit); err != nil {
		return lindungi.ComplaintRecap{}, err
	}
	out := lindungi.ComplaintRecap{Unit: unit, Month: lindungi.MonthOf(from).String(), From: from, To: to}
	for _, t := range []struct {
		query string
		into  *[]lindungi.RecapRow
	}{
		{recapByCategorySQL, &out.ByCategory}, {recapByChannelSQL, &out.ByChannel},
		{recapByCountrySQL, &out.ByCountry}, {recapByUnitSQL, &out.ByUnit},
	} {
		var rows []recapRow
		if err := db.db.SelectContext(ctx, &rows, t.query, unit, from, to); err != nil {
			return lindungi.ComplaintRecap{}, fmt.Errorf("complaint recap: %w", translate(err))
		}
		*t.into = convert(rows, func(r recapRow) lindungi.RecapRow { return lindungi.RecapRow(r) })
	}
	out.Total = lindungi.SumRecap("", out.ByUnit)
	return out, nil
}

// recapJourneysSQL is what every table of the placements recap reads: $1
// the unit, $2 the month's start, $3 its end (or now, for the month under
// way). journeys are the registered workers domiciled at or below the unit
// by then, each with the step its journey stood at then (the last step
// entered before it, by the journey_steps primary key); moves are what
// each entered in the month.
const recapJourneysSQL = `
WITH reach AS (
    SELECT code FROM units WHERE $1 = ANY (path)
),
journeys AS (
    SELECT w.id, w.scheme, w.domicile_unit,
        w.created_at >= $2 AS registered,
        (SELECT s.step FROM journey_steps s
         WHERE s.worker_id = w.id AND s.entered_at < $3
         ORDER BY s.seq DESC LIMIT 1) AS step_at_end
    FROM workers w
    WHERE NOT w.provisional AND w.domicile_unit IN (SELECT code FROM reach) AND w.created_at < $3
),
moves AS (
    SELECT s.worker_id, s.step
    FROM journey_steps s
    WHERE s.entered_at >= $2 AND s.entered_at < $3 AND s.worker_id IN (SELECT id FROM journeys)
),
month_journeys AS (
    SELECT j.*,
        EXISTS (SELECT 1 FROM moves m WHERE m.worker_id = j.id AND m.step = 'DEPARTED') AS departed,
        EXISTS (SELECT 1 FROM moves m WHERE m.worker_id = j.id AND m.step = 'RETURNED') AS returned,
        coalesce(j.step_at_end <> 'CLOSED', false) AS active
    FROM journeys j
)`

// placementCountsSQL are the figures of one line of the placements recap.
const placementCountsSQL = `
    count(*) FILTER (WHERE registered) AS registered,
    count(*) FILTER (WHERE departed) AS departed,
    count(*) FILTER (WHERE returned) AS returned,
    count(*) FILTER (WHERE active) AS active`

// The tables of the placements recap, one query each.
const (
	placementByStepSQL = recapJourneysSQL + `
SELECT step, sum(entered)::int AS entered, sum(at_end)::int AS at_end FROM (
    SELECT step, count(*) AS entered, 0 AS at_end FROM moves GROUP BY step
    UNION ALL
    SELECT step_at_end, 0, count(*) FROM journeys WHERE step_at_end IS NOT NULL GROUP BY step_at_end
) steps
GROUP BY step`
	placementBySchemeSQL = recapJourneysSQL + `
SELECT scheme AS key,` + placementCountsSQL + `
FROM month_journeys GROUP BY scheme ORDER BY scheme`
	placementByUnitSQL = recapJourneysSQL + `
SELECT domicile_unit AS key,` + placementCountsSQL + `
FROM month_journeys GROUP BY domicile_unit ORDER BY domicile_unit`
)

type placementRow struct {
	Key        string `db:"key"`
	Registered int    `db:"registered"`
	Departed   int    `db:"departed"`
	Returned   int    `db:"returned"`
	Active     int    `db:"active"`
}

// PlacementRecap recaps the journeys of the registered workers domiciled at
// or below unit between from and to: registered, departed, returned,
// under way at to, and each step entered and stood at. EINVALID for a unit
// that does not exist.
func (db *DB) PlacementRecap(ctx context.Context, unit string, from, to time.Time) (lindungi.PlacementRecap, error) {
	if err := db.checkUnit(ctx, unit); err != nil {
		return lindungi.PlacementRecap{}, err
	}
	out := lindungi.PlacementRecap{Unit: unit, Month: lindungi.MonthOf(from).String(), From: from, To: to}
	var steps []struct {
		Step    string `db:"step"`
		Entered int    `db:"entered"`
		AtEnd   int    `db:"at_end"`
	}
	if err := db.db.SelectContext(ctx, &steps, placementByStepSQL, unit, from, to); err != nil {
		return lindungi.PlacementRecap{}, fmt.Errorf("placement recap: %w", translate(err))
	}
	for _, s := range steps {
		out.ByStep = append(out.ByStep, lindungi.StepRow{Step: lindungi.Step(s.Step), Entered: s.Entered, AtEnd: s.AtEnd})
	}
	// Steps in the journey's order.
	slices.SortFunc(out.ByStep, func(a, b lindungi.StepRow) int { return stepOrder(a.Step) - stepOrder(b.Step) })
	for _, t := range []struct {
		query string
		into  *[]lindungi.PlacementRow
	}{{placementBySchemeSQL, &out.ByScheme}, {placementByUnitSQL, &out.ByUnit}} {
		var rows []placementRow
		if err := db.db.SelectContext(ctx, &rows, t.query, unit, from, to); err != nil {
			return lindungi.PlacementRecap{}, fmt.Errorf("placement recap: %w", translate(err))
		}
		*t.into = convert(rows, func(r placementRow) lindungi.PlacementRow { return lindungi.PlacementRow(r) })
	}
	out.Total = lindungi.SumPlacements("", out.ByUnit)
	return out, nil
}

// journeyOrder lists the journey's steps in their order, for the recap.
var journeyOrder = []lindungi.Step{lindungi.StepOutreach, lindungi.StepRegistered, lindungi.StepVerified, lindungi.StepTraining,
	lindungi.StepMedical, lindungi.StepPlacementAgreement, lindungi.StepSocialSecurity, lindungi.StepPassportVisa,
	lindungi.StepWorkContract, lindungi.StepOrientation, lindungi.StepDeparted, lindungi.StepAbroad, lindungi.StepReturned,
	lindungi.StepRehabilitation, lindungi.StepReintegration, lindungi.StepClosed}

// stepOrder is a step's place in the journey; an unknown step comes last.
func stepOrder(s lindungi.Step) int {
	if i := slices.Index(journeyOrder, s); i >= 0 {
		return i
	}
	return len(journeyOrder)
}

// checkUnit is EINVALID for a unit that does not exist.
func (db *DB) checkUnit(ctx context.Context, unit string) error {
	var n int
	if err := db.db.GetContext(ctx, &n, `SELECT count(*) FROM units WHERE code = $1`, unit); err != nil {
		return fmt.Errorf("unit: %w", translate(err))
	}
	if n == 0 {
		return invalid("unit", "is not a known unit")
	}
	return nil
}

// CountCases counts the cases ListCases lists with scope and f, every page
// of them: the list's own query, counted.
func (db *DB) CountCases(ctx context.Context, scope lindungi.Scope, f lindungi.CaseFilter) (int, error) {
	f.AfterStart, f.AfterID = time.Time{}, uuid.Nil
	var n int
	if err := db.db.GetContext(ctx, &n, `SELECT count(*) FROM (`+listCasesSQL+`) counted`, db.listCasesArgs(scope, f, nil)...); err != nil {
		return 0, fmt.Errorf("count cases: %w", translate(err))
	}
	return n, nil
}

// CountTasks counts the tasks ListTasks lists with scope and f, every page
// of them: the list's own query, counted.
func (db *DB) CountTasks(ctx context.Context, scope lindungi.Scope, f lindungi.TaskFilter) (int, error) {
	f.AfterDue, f.AfterID = time.Time{}, uuid.Nil
	var n int
	if err := db.db.GetContext(ctx, &n, `SELECT count(*) FROM (`+listTasksSQL+`) counted`, db.listTasksArgs(scope, f, nil)...); err != nil {
		return 0, fmt.Errorf("count tasks: %w", translate(err))
	}
	return n, nil
}

var _ lindungi.ReportService = (*DB)(nil)
