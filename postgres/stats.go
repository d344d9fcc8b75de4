package postgres

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/lib/pq"
	"github.com/lindungi/lindungi"
)

var _ lindungi.StatsService = (*DB)(nil)

// The figures of a unit and below, one statement per set (the complaints
// take two: open ones and flows) over indexed columns (migration 00012): open work from the partial indexes of open tasks and
// open cases, flows from the owner unit and a date, journeys from the
// workers' domicile and step. Rows are broken down by the units one level
// below the query's unit, each counting itself and the units below it, and
// the query's unit itself (its own level).

// bucketScope is the units at or below $1, each with the unit it is
// counted under: the unit one level below $1 on its path, or $1 itself.
const bucketScope = `scope AS (
    SELECT u.code, b.code AS bucket, b.name AS bucket_name
    FROM units u JOIN units b ON b.code = coalesce(u.path[array_position(u.path, $1::text) + 1], u.code)
    WHERE u.path @> ARRAY[$1::text])`

// unitScope is the units at or below $1.
const unitScope = `scope AS (SELECT code FROM units WHERE path @> ARRAY[$1::text])`

// statsRow is one row of a breakdown: its dimension ("unit", "kind",
// "category", "month" or "total"), the value it is counted under, the
// unit's name, and the figures a query selects.
type statsRow struct {
	Dim        string  `db:"dim"`
	Key        string  `db:"key"`
	Name       string  `db:"name"`
	Open       int     `db:"open"`
	Overdue    int     `db:"overdue"`
	Escalated  int     `db:"escalated"`
	AtTop      int     `db:"at_top"`
	OldestDays int     `db:"oldest_days"`
	Resolved   int     `db:"resolved"`
	Median     float64 `db:"median"`
	P90        float64 `db:"p90"`
	Fallback   bool    `db:"fallback"`
	Amount     int64   `db:"amount"`
	Cases      int     `db:"cases"`
}

func (r statsRow) backlog() lindungi.Backlog {
	return lindungi.Backlog{Open: r.Open, Overdue: r.Overdue, Escalated: r.Escalated, AtTop: r.AtTop, OldestDays: r.OldestDays}
}

func (r statsRow) resolution() lindungi.ResolutionTime {
	return lindungi.ResolutionTime{Resolved: r.Resolved, Median: r.Median, P90: r.P90}
}

func (r statsRow) recovery() lindungi.Recovery {
	return lindungi.Recovery{AmountIDR: r.Amount, Cases: r.Cases}
}

// backlogColumns aggregate open work: rows with overdue, escalated and
// at_top, and since, the instant each came in. $2 is now.
var backlogColumns = `count(*) AS open,
    count(*) FILTER (WHERE overdue) AS overdue,
    count(*) FILTER (WHERE escalated) AS escalated,
    count(*) FILTER (WHERE at_top) AS at_top,
    ` + oldestDays("min(since)")

// oldestDays is the calendar days (WIB) from the instant since to $2 (now),
// 0 when since is NULL (nothing open).
func oldestDays(since string) string {
	return `coalesce(` + wibDate("$2::timestamptz") + ` - ` + wibDate(since) + `, 0) AS oldest_days`
}

// taskStatsSQL: $1 the unit, $2 now. The open tasks of the units in scope
// are counted per unit and kind straight off the index of open tasks, in
// its order; those counts are then summed by unit (one level below $1),
// by kind and in all.
var taskStatsSQL = `
WITH ` + bucketScope + `,
per_unit AS (
    SELECT unit, kind, count(*) AS open,
        count(*) FILTER (WHERE due_at < $2) AS overdue,
        count(*) FILTER (WHERE level > 0) AS escalated,
        count(*) FILTER (WHERE at_top) AS at_top,
        min(created_at) AS since
    FROM tasks
    WHERE status = 'open' AND unit = ANY (ARRAY(SELECT code FROM scope))
    GROUP BY unit, kind)
SELECT CASE WHEN grouping(s.bucket) = 0 THEN 'unit' WHEN grouping(p.kind) = 0 THEN 'kind' ELSE 'total' END AS dim,
    coalesce(s.bucket, p.kind, '') AS key, coalesce(s.bucket_name, '') AS name,
    coalesce(sum(p.open), 0) AS open, coalesce(sum(p.overdue), 0) AS overdue, coalesce(sum(p.escalated), 0) AS escalated,
    coalesce(sum(p.at_top), 0) AS at_top, ` + oldestDays("min(p.since)") + `
FROM per_unit p JOIN scope s ON s.code = p.unit
GROUP BY GROUPING SETS ((s.bucket, s.bucket_name), (p.kind), ())`

// TaskStats counts the open tasks of units at or below q.Unit, by unit
// and by kind.
func (db *DB) TaskStats(ctx context.Context, q lindungi.StatsQuery) (lindungi.TaskStats, error) {
	now := db.nowOr(q.Now)
	var rows []statsRow
	if err := db.db.SelectContext(ctx, &rows, taskStatsSQL, q.Unit, now); err != nil {
		return lindungi.TaskStats{}, fmt.Errorf("task stats: %w", translate(err))
	}
	out := lindungi.TaskStats{Unit: q.Unit, AsOf: now.UTC(), ByUnit: []lindungi.UnitBacklog{}, ByKind: []lindungi.KindBacklog{}}
	for _, r := range rows {
		switch r.Dim {
		case "unit":
			out.ByUnit = append(out.ByUnit, lindungi.UnitBacklog{Unit: r.Key, Name: r.Name, Own: r.Key == q.Unit, Backlog: r.backlog()})
		case "kind":
			out.ByKind = append(out.ByKind, lindungi.KindBacklog{Kind: lindungi.TaskKind(r.Key), Backlog: r.backlog()})
		default:
			out.Total = r.backlog()
		}
	}
	sortByOpen(out.ByUnit, func(b lindungi.UnitBacklog) (int, string) { return b.Open, b.Unit })
	sortByOpen(out.ByKind, func(b lindungi.KindBacklog) (int, string) { return b.Open, string(b.Kind) })
	return out, nil
}

// caseStatsSQL: $1 the unit, $2 now. A case is overdue, escalated or at
// the top when an open task of its workflow is; the open tasks of cases
// (step CASE) are few, and read once rather than once per case.
var caseStatsSQL = `
WITH ` + bucketScope + `,
case_tasks AS (
    SELECT workflow_id, bool_or(due_at < $2) AS overdue, bool_or(level > 0) AS escalated, bool_or(at_top) AS at_top
    FROM tasks WHERE status = 'open' AND step = 'CASE'
    GROUP BY workflow_id),
open_cases AS (
    SELECT s.bucket, s.bucket_name, c.categories, c.received_at AS since,
        coalesce(k.overdue, false) AS overdue, coalesce(k.escalated, false) AS escalated, coalesce(k.at_top, false) AS at_top
    FROM cases c JOIN scope s ON s.code = c.owner_unit
    LEFT JOIN case_tasks k ON k.workflow_id = c.workflow_id
    WHERE c.step <> 'CLOSED')
SELECT 'unit' AS dim, bucket AS key, bucket_name AS name, ` + backlogColumns + `
FROM open_cases GROUP BY bucket, bucket_name
UNION ALL
SELECT 'category', category, '', ` + backlogColumns + `
FROM open_cases, unnest(categories) AS category GROUP BY category
UNION ALL
SELECT 'total', '', '', ` + backlogColumns + `
FROM open_cases`

// caseFlowSQL: $1 the unit; $2 the first instant any count needs; then the
// month, the year and the period, each as its first instant and the
// instant after it.
const caseFlowSQL = `
WITH ` + unitScope + `,
events AS (
    SELECT 'received' AS what, received_at AS at FROM cases
    WHERE owner_unit IN (SELECT code FROM scope) AND received_at >= $2
    UNION ALL
    SELECT 'resolved', resolved_at FROM cases
    WHERE owner_unit IN (SELECT code FROM scope) AND resolved_at >= $2
    UNION ALL
    SELECT 'closed', closed_at FROM cases
    WHERE owner_unit IN (SELECT code FROM scope) AND closed_at >= $2)
SELECT what,
    count(*) FILTER (WHERE at >= $3 AND at < $4) AS month,
    count(*) FILTER (WHERE at >= $5 AND at < $6) AS year,
    count(*) FILTER (WHERE at >= $7 AND at < $8) AS period
FROM events GROUP BY what`

// flowRow is how many cases were received, resolved or closed (what) in
// the month, the year and the period.
type flowRow struct {
	What   string `db:"what"`
	Month  int    `db:"month"`
	Year   int    `db:"year"`
	Period int    `db:"period"`
}

// CaseStats counts the open cases owned by units at or below q.Unit, by
// unit and by category, and the complaints received, resolved and closed
// this month, this year and in q's period.
func (db *DB) CaseStats(ctx context.Context, q lindungi.StatsQuery) (lindungi.CaseStats, error) {
	now := db.nowOr(q.Now)
	var rows []statsRow
	if err := db.db.SelectContext(ctx, &rows, caseStatsSQL, q.Unit, now); err != nil {
		return lindungi.CaseStats{}, fmt.Errorf("case stats: %w", translate(err))
	}
	out := lindungi.CaseStats{Unit: q.Unit, AsOf: now.UTC(), ByUnit: []lindungi.UnitBacklog{}, ByCategory: []lindungi.CategoryBacklog{}}
	for _, r := range rows {
		switch r.Dim {
		case "unit":
			out.ByUnit = append(out.ByUnit, lindungi.UnitBacklog{Unit: r.Key, Name: r.Name, Own: r.Key == q.Unit, Backlog: r.backlog()})
		case "category":
			out.ByCategory = append(out.ByCategory, lindungi.CategoryBacklog{Category: lindungi.CaseCategory(r.Key), Backlog: r.backlog()})
		default:
			out.Total = r.backlog()
		}
	}
	sortByOpen(out.ByUnit, func(b lindungi.UnitBacklog) (int, string) { return b.Open, b.Unit })
	sortByOpen(out.ByCategory, func(b lindungi.CategoryBacklog) (int, string) { return b.Open, string(b.Category) })

	today := lindungi.DayOf(now)
	month := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, lindungi.WIB)
	year := time.Date(today.Year(), 1, 1, 0, 0, 0, 0, lindungi.WIB)
	from, until := q.From, q.To.AddDate(0, 0, 1)
	out.Flow.Month.Period = lindungi.Period{From: month.Format(time.DateOnly), To: month.AddDate(0, 1, -1).Format(time.DateOnly)}
	out.Flow.Year.Period = lindungi.Period{From: year.Format(time.DateOnly), To: year.AddDate(1, 0, -1).Format(time.DateOnly)}
	out.Flow.Period.Period = q.Period()
	var flows []flowRow
	if err := db.db.SelectContext(ctx, &flows, caseFlowSQL, q.Unit, minTime(year, from),
		month, month.AddDate(0, 1, 0), year, year.AddDate(1, 0, 0), from, until); err != nil {
		return lindungi.CaseStats{}, fmt.Errorf("case flow: %w", translate(err))
	}
	for _, f := range flows {
		for counts, n := range map[*lindungi.FlowCounts]int{&out.Flow.Month: f.Month, &out.Flow.Year: f.Year, &out.Flow.Period: f.Period} {
			switch f.What {
			case "received":
				counts.Received = n
			case "resolved":
				counts.Resolved = n
			case "closed":
				counts.Closed = n
			}
		}
	}
	return out, nil
}

// resolutionColumns aggregate the spans' working days.
const resolutionColumns = `count(*) AS resolved,
    coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY working_days), 0) AS median,
    coalesce(percentile_cont(0.9) WITHIN GROUP (ORDER BY working_days), 0) AS p90`

// resolutionStatsSQL: $1 the unit, $2 and $3 the first instant of the
// period and the instant after it. Working days are counted on one series
// of days, not per case: each day from the first receipt to the last
// resolution is numbered by the working days up to it (not a Saturday,
// Sunday or holiday), so a case took the difference of the numbers of the
// day it was resolved and the day it was received. A year without
// holidays in the calendar counts weekends only, and says so (fallback).
var resolutionStatsSQL = `
WITH ` + bucketScope + `,
resolved AS (
    SELECT s.bucket, s.bucket_name, c.categories,
        ` + wibDate("c.received_at") + ` AS received_on, ` + wibDate("c.resolved_at") + ` AS resolved_on
    FROM cases c JOIN scope s ON s.code = c.owner_unit
    WHERE c.resolved_at >= $2 AND c.resolved_at < $3),
span AS (SELECT min(received_on) AS first, max(resolved_on) AS last FROM resolved),
days AS (
    SELECT span.first + i AS day,
        count(*) FILTER (WHERE extract(isodow FROM span.first + i) < 6 AND h.day IS NULL) OVER (ORDER BY i) AS n,
        extract(year FROM span.first + i) IN (SELECT extract(year FROM day) FROM holidays) AS known
    FROM span CROSS JOIN generate_series(0, span.last - span.first) AS i
    LEFT JOIN holidays h ON h.day = span.first + i),
spans AS (
    SELECT r.bucket, r.bucket_name, r.categories, e.n - b.n AS working_days
    FROM resolved r JOIN days b ON b.day = r.received_on JOIN days e ON e.day = r.resolved_on)
SELECT 'unit' AS dim, bucket AS key, bucket_name AS name, ` + resolutionColumns + `, false AS fallback
FROM spans GROUP BY bucket, bucket_name
UNION ALL
SELECT 'category', category, '', ` + resolutionColumns + `, false
FROM spans, unnest(categories) AS category GROUP BY category
UNION ALL
SELECT 'total', '', '', ` + resolutionColumns + `, EXISTS (SELECT 1 FROM days WHERE NOT known)
FROM spans`

// ResolutionStats gives the median and 90th percentile of the working
// days the cases owned by units at or below q.Unit and resolved in q's
// period took, by unit and by category.
func (db *DB) ResolutionStats(ctx context.Context, q lindungi.StatsQuery) (lindungi.ResolutionStats, error) {
	var rows []statsRow
	if err := db.db.SelectContext(ctx, &rows, resolutionStatsSQL, q.Unit, q.From, q.To.AddDate(0, 0, 1)); err != nil {
		return lindungi.ResolutionStats{}, fmt.Errorf("resolution stats: %w", translate(err))
	}
	out := lindungi.ResolutionStats{Unit: q.Unit, Period: q.Period(), ByUnit: []lindungi.UnitResolution{},
		ByCategory: []lindungi.CategoryResolution{}}
	for _, r := range rows {
		switch r.Dim {
		case "unit":
			out.ByUnit = append(out.ByUnit, lindungi.UnitResolution{Unit: r.Key, Name: r.Name, Own: r.Key == q.Unit, ResolutionTime: r.resolution()})
		case "category":
			out.ByCategory = append(out.ByCategory, lindungi.CategoryResolution{Category: lindungi.CaseCategory(r.Key), ResolutionTime: r.resolution()})
		default:
			out.Total, out.CalendarFallback = r.resolution(), r.Fallback
		}
	}
	sortByOpen(out.ByUnit, func(r lindungi.UnitResolution) (int, string) { return r.Resolved, r.Unit })
	sortByOpen(out.ByCategory, func(r lindungi.CategoryResolution) (int, string) { return r.Resolved, string(r.Category) })
	return out, nil
}

// recoveryStatsSQL: $1 the unit, $2 and $3 the first instant of the
// period and the instant after it, $4 the months of the period (YYYY-MM).
var recoveryStatsSQL = `
WITH ` + unitScope + `,
recovered AS (
    SELECT c.categories, c.money_recovered_idr AS amount, to_char(` + wibDate("c.resolved_at") + `, 'YYYY-MM') AS month
    FROM cases c
    WHERE c.owner_unit IN (SELECT code FROM scope) AND c.resolved_at >= $2 AND c.resolved_at < $3
      AND c.money_recovered_idr > 0)
SELECT 'month' AS dim, m.month AS key, coalesce(sum(r.amount), 0) AS amount, count(r.amount) AS cases
FROM unnest($4::text[]) AS m (month) LEFT JOIN recovered r ON r.month = m.month GROUP BY m.month
UNION ALL
SELECT 'category', category, sum(amount), count(*)
FROM recovered, unnest(categories) AS category GROUP BY category
UNION ALL
SELECT 'total', '', coalesce(sum(amount), 0), count(*)
FROM recovered`

// RecoveryStats sums the money recovered by the cases owned by units at
// or below q.Unit and resolved in q's period, in all, by month (every
// month of the period, in order) and by category.
func (db *DB) RecoveryStats(ctx context.Context, q lindungi.StatsQuery) (lindungi.RecoveryStats, error) {
	var months []string
	from := q.From.In(lindungi.WIB)
	for m := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, lindungi.WIB); !m.After(q.To); m = m.AddDate(0, 1, 0) {
		months = append(months, m.Format("2006-01"))
	}
	var rows []statsRow
	if err := db.db.SelectContext(ctx, &rows, recoveryStatsSQL, q.Unit, q.From, q.To.AddDate(0, 0, 1), pq.StringArray(months)); err != nil {
		return lindungi.RecoveryStats{}, fmt.Errorf("recovery stats: %w", translate(err))
	}
	out := lindungi.RecoveryStats{Unit: q.Unit, Period: q.Period(), ByMonth: []lindungi.MonthRecovery{},
		ByCategory: []lindungi.CategoryRecovery{}}
	for _, r := range rows {
		switch r.Dim {
		case "month":
			out.ByMonth = append(out.ByMonth, lindungi.MonthRecovery{Month: r.Key, Recovery: r.recovery()})
		case "category":
			out.ByCategory = append(out.ByCategory, lindungi.CategoryRecovery{Category: lindungi.CaseCategory(r.Key), Recovery: r.recovery()})
		default:
			out.Total = r.recovery()
		}
	}
	slices.SortFunc(out.ByMonth, func(a, b lindungi.MonthRecovery) int { return cmp.Compare(a.Month, b.Month) })
	slices.SortFunc(out.ByCategory, func(a, b lindungi.CategoryRecovery) int {
		return cmp.Or(cmp.Compare(b.AmountIDR, a.AmountIDR), cmp.Compare(a.Category, b.Category))
	})
	return out, nil
}

// journeyStatsSQL: $1 the unit. The units as an array keep the planner on
// the covering index of registered workers, read in one pass, rather than
// a parallel scan of the table for a province.
const journeyStatsSQL = `
WITH ` + unitScope + `
SELECT journey_step AS step, scheme, count(*) AS journeys
FROM workers
WHERE domicile_unit = ANY (ARRAY(SELECT code FROM scope)) AND NOT provisional
GROUP BY journey_step, scheme`

// JourneyStats counts the journeys of the workers domiciled at or below
// q.Unit by step and scheme, every step listed in journey order.
func (db *DB) JourneyStats(ctx context.Context, q lindungi.StatsQuery) (lindungi.JourneyStats, error) {
	var rows []struct {
		Step     lindungi.Step   `db:"step"`
		Scheme   lindungi.Scheme `db:"scheme"`
		Journeys int             `db:"journeys"`
	}
	if err := db.db.SelectContext(ctx, &rows, journeyStatsSQL, q.Unit); err != nil {
		return lindungi.JourneyStats{}, fmt.Errorf("journey stats: %w", translate(err))
	}
	out := lindungi.JourneyStats{Unit: q.Unit, AsOf: db.nowOr(q.Now).UTC(), ByStep: make([]lindungi.StepCount, len(lindungi.JourneySteps))}
	for i, s := range lindungi.JourneySteps {
		out.ByStep[i].Step = s
	}
	for _, r := range rows {
		i := slices.IndexFunc(out.ByStep, func(c lindungi.StepCount) bool { return c.Step == r.Step })
		if i < 0 { // a step newer than this code: listed after the others
			out.ByStep = append(out.ByStep, lindungi.StepCount{Step: r.Step})
			i = len(out.ByStep) - 1
		}
		out.ByStep[i].Add(r.Scheme, r.Journeys)
		out.Total += r.Journeys
	}
	out.ByStage = lindungi.Stages(out.ByStep)
	return out, nil
}

// workloadSQL: $1 the unit, $2 now, $3 the roles of officers, $4 how many
// to list. Officers are the users of units at or below $1 holding one of
// those roles, and whoever holds an open task of those units. The open
// tasks are grouped by holder off the index of open tasks, the unclaimed
// ones (held by the empty subject) too: that row, first, is the count of
// unclaimed tasks. (A condition on claimed_by would make the planner fetch
// every claimed task of the country from the heap through the index of
// claims.)
const workloadSQL = `
WITH ` + unitScope + `,
held AS (
    SELECT claimed_by AS subject, count(*) AS open_tasks, count(*) FILTER (WHERE due_at < $2) AS overdue_tasks
    FROM tasks WHERE status = 'open' AND unit IN (SELECT code FROM scope)
    GROUP BY claimed_by),
cases_held AS (
    SELECT claimed_by AS subject, count(DISTINCT workflow_id) AS cases_held
    FROM tasks WHERE status = 'open' AND step = 'CASE' AND unit IN (SELECT code FROM scope)
    GROUP BY claimed_by),
officers AS (
    SELECT subject, name, unit FROM users WHERE unit IN (SELECT code FROM scope) AND roles && $3::text[])
SELECT coalesce(o.subject, h.subject) AS subject, coalesce(o.name, u.name, h.subject) AS name,
    coalesce(o.unit, u.unit, '') AS unit, coalesce(h.open_tasks, 0) AS open_tasks,
    coalesce(h.overdue_tasks, 0) AS overdue_tasks, coalesce(c.cases_held, 0) AS cases_held
FROM held h
FULL JOIN officers o ON o.subject = h.subject
LEFT JOIN users u ON u.subject = h.subject
LEFT JOIN cases_held c ON c.subject = h.subject
ORDER BY coalesce(o.subject, h.subject) = '' DESC, open_tasks DESC, name, subject
LIMIT $4 + 1`

// WorkloadStats lists the open work each officer of the units at or below
// q.Unit holds, the busiest first, and counts the open tasks nobody holds.
func (db *DB) WorkloadStats(ctx context.Context, q lindungi.StatsQuery) (lindungi.WorkloadStats, error) {
	now := db.nowOr(q.Now)
	out := lindungi.WorkloadStats{Unit: q.Unit, AsOf: now.UTC(), Officers: []lindungi.OfficerLoad{}}
	var rows []struct {
		Subject      string `db:"subject"`
		Name         string `db:"name"`
		Unit         string `db:"unit"`
		OpenTasks    int    `db:"open_tasks"`
		OverdueTasks int    `db:"overdue_tasks"`
		CasesHeld    int    `db:"cases_held"`
	}
	if err := db.db.SelectContext(ctx, &rows, workloadSQL, q.Unit, now, pq.StringArray(lindungi.OfficerRoles), lindungi.MaxOfficers); err != nil {
		return out, fmt.Errorf("workload: %w", translate(err))
	}
	for _, r := range rows {
		switch {
		case r.Subject == "":
			out.Unclaimed = r.OpenTasks
		case len(out.Officers) < lindungi.MaxOfficers:
			out.Officers = append(out.Officers, lindungi.OfficerLoad(r))
		}
	}
	return out, nil
}

// sortByOpen sorts rows by their count, largest first, then by key.
func sortByOpen[T any](rows []T, by func(T) (int, string)) {
	slices.SortFunc(rows, func(a, b T) int {
		na, ka := by(a)
		nb, kb := by(b)
		return cmp.Or(cmp.Compare(nb, na), cmp.Compare(ka, kb))
	})
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
