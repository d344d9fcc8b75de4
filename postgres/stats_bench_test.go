package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lib/pq"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/devenv/devtest"
)

// The figures at the benchmark's scale: 200,000 workers with 2,000,000
// journey tasks (one open per worker), 50,000 cases over five years with a
// handling task each, and 350 officers, across the 35 districts of Central
// Java. Each figure is timed next to a bare SELECT count(*) over the table
// it reads most, and reports the ratio (x-count). Run with
//
//	go test -run '^$' -bench Stats -benchtime 20x ./postgres/
//
// The data is loaded once per test binary, by generate_series in SQL, and
// only when a benchmark asks for it: a plain `go test` loads nothing.
// LINDUNGI_BENCH_EXPLAIN=plans.txt writes each figure's EXPLAIN (ANALYZE,
// BUFFERS) at the province to plans.txt.

const (
	benchWorkers = 200_000
	benchTasks   = 2_000_000
	benchCases   = 50_000
	benchUsers   = 350
)

// benchNow is the instant the data is laid out around and measured at.
var benchNow = time.Date(2026, 12, 23, 10, 0, 0, 0, lindungi.WIB)

var (
	benchOnce sync.Once
	benchDB   *DB
	benchErr  error
)

// benchStatsDB returns a database with the benchmark's data, loading it on
// first use.
func benchStatsDB(b *testing.B) *DB {
	b.Helper()
	benchOnce.Do(func() {
		ctx := context.Background()
		dsn := devtest.Database(&onceTB{TB: b})
		if benchDB, benchErr = Open(ctx, dsn); benchErr != nil {
			return
		}
		if benchErr = benchDB.Migrate(ctx); benchErr != nil {
			return
		}
		if benchErr = benchDB.LoadReference(ctx); benchErr != nil {
			return
		}
		start := time.Now()
		if benchErr = loadBenchData(ctx, benchDB); benchErr == nil {
			b.Logf("loaded %d workers, %d journey tasks, %d cases in %s", benchWorkers, benchTasks, benchCases, time.Since(start).Round(time.Second))
		}
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchDB
}

// onceTB is the benchmark that loads the data, as the owner of a database
// that outlives it: the data serves every benchmark of the test binary, so
// what devtest would do when the benchmark ends is done when the binary
// ends.
type onceTB struct{ testing.TB }

func (onceTB) Cleanup(f func()) { devtest.AtCleanup(f) }

// benchDataSQL lays the data out around $1 (now). Row i of each series
// gets its unit, scheme, step, deadline and claim from i, so the load is
// the same every time.
var benchDataSQL = []string{
	// Triggers (the history kept for the as-of views, foreign keys) are off
	// for the load: the rows are consistent by construction.
	`SET session_replication_role = replica`,
	`CREATE TEMP TABLE districts AS
    SELECT array_agg(code ORDER BY code) AS codes FROM units WHERE kind IN ('regency', 'city')`,
	`INSERT INTO workers (id, nik, name, birth_date, domicile_unit, phone, scheme, journey_step, journey_workflow_id,
    journey_started_at, created_by, created_at, updated_at)
SELECT md5('w' || i)::uuid, '33' || lpad(i::text, 14, '0'), 'Pekerja ' || i, DATE '1980-01-01' + i % 7000,
    d.codes[1 + i % 35], '+62812' || lpad(i::text, 7, '0'), (ARRAY['G2G', 'P2P', 'P2P', 'P2P', 'MANDIRI'])[1 + i % 5],
    (ARRAY['REGISTERED', 'VERIFIED', 'TRAINING', 'TRAINING', 'MEDICAL', 'PLACEMENT_AGREEMENT', 'SOCIAL_SECURITY',
        'PASSPORT_VISA', 'WORK_CONTRACT', 'ORIENTATION', 'DEPARTED', 'ABROAD', 'ABROAD', 'ABROAD', 'ABROAD',
        'RETURNED', 'REINTEGRATION', 'CLOSED'])[1 + i % 18],
    'journey/' || md5('w' || i)::uuid, $1::timestamptz, 'bench', $1::timestamptz - (i % 1000) * interval '1 day', $1::timestamptz
FROM generate_series(1, ` + strconv.Itoa(benchWorkers) + `) AS i, districts d`,
	// Task n is the (n / workers)-th of worker 1 + n % workers: the last
	// of each worker is open, a third of those overdue, one in seven
	// escalated, one in three claimed, one in twenty at the province.
	`INSERT INTO tasks (id, workflow_id, worker_id, kind, step, level, unit, route_rule, status, due_at, due_date,
    created_at, completed_at, completed_by, claimed_by, at_top, outcome)
SELECT md5('t' || n)::uuid, 'journey/' || md5('w' || w)::uuid, md5('w' || w)::uuid,
    (ARRAY['VERIFY_REGISTRATION', 'RECORD_TRAINING', 'MEDICAL_CHECK', 'PLACEMENT_AGREEMENT', 'SOCIAL_SECURITY',
        'PASSPORT_VISA', 'WORK_CONTRACT', 'ORIENTATION', 'CONFIRM_DEPARTURE', 'CHECK_IN'])[1 + k],
    'TRAINING', CASE WHEN open AND n % 7 = 0 THEN 1 + n % 3 ELSE 0 END,
    CASE WHEN open AND n % 20 = 0 THEN '33' ELSE d.codes[1 + w % 35] END, 'bench',
    CASE WHEN open THEN 'open' ELSE 'completed' END,
    due, (due - interval '1 day')::date, due - interval '10 days',
    CASE WHEN NOT open THEN due - interval '2 days' END, CASE WHEN NOT open THEN 'bench-officer-' || n % 350 END,
    CASE WHEN open AND n % 3 = 0 THEN 'bench-officer-' || (w % 35 + 35 * (n % 10)) ELSE '' END,
    open AND n % 97 = 0, CASE WHEN NOT open THEN 'approved' END
FROM generate_series(0, ` + strconv.Itoa(benchTasks-1) + `) AS n,
    LATERAL (SELECT 1 + n % ` + strconv.Itoa(benchWorkers) + ` AS w, n / ` + strconv.Itoa(benchWorkers) + ` AS k,
        n / ` + strconv.Itoa(benchWorkers) + ` = 9 AS open) AS t,
    LATERAL (SELECT CASE WHEN t.open THEN $1::timestamptz + (n % 30 - 10) * interval '1 day'
        ELSE $1::timestamptz - (10 - t.k) * interval '60 days' - (n % 50) * interval '1 day' END AS due) AS dd,
    districts d`,
	// Case j: six in ten resolved then closed, one resolved awaiting
	// closure, one closed unresolved, two open; one in ten owned by the
	// province; a third with a second category; a third of the resolved
	// with money recovered.
	`INSERT INTO cases (id, number, worker_id, channel, complainant_name, complainant_relation, categories, description,
    high_risk, intake_unit, owner_unit, read_units, step, workflow_id, received_at, last_contact_at, last_action_at,
    resolution, money_recovered_idr, resolved_at, closed_at, closed_reason, created_by)
SELECT md5('c' || j)::uuid, 'PGD-33-B-' || j, md5('w' || (1 + j * 4 % ` + strconv.Itoa(benchWorkers) + `))::uuid, 'HOTLINE', 'Pengadu', 'SELF',
    ARRAY[cats[1 + j % 25]] || CASE WHEN j % 3 = 0 THEN ARRAY[cats[1 + (j / 3) % 25]] ELSE '{}' END, 'Uraian', false,
    d.codes[1 + j % 35], CASE WHEN j % 10 = 0 THEN '33' ELSE d.codes[1 + j % 35] END, '{}',
    CASE WHEN fate <= 5 OR fate = 7 THEN 'CLOSED' WHEN fate = 6 THEN 'RESOLVED' ELSE 'VERIFICATION' END,
    'case/' || md5('c' || j)::uuid, received, received, received,
    CASE WHEN fate <= 6 THEN 'WAGES_PAID' ELSE '' END,
    CASE WHEN fate <= 6 AND j % 3 = 0 THEN (1 + j % 50) * 1000000 ELSE 0 END,
    CASE WHEN fate <= 6 THEN received + (1 + j % 40) * interval '1 day' END,
    CASE WHEN fate <= 5 THEN received + (3 + j % 40) * interval '1 day' WHEN fate = 7 THEN received + interval '60 days' END,
    CASE WHEN fate <= 5 THEN 'resolved' WHEN fate = 7 THEN 'art30c' ELSE '' END, 'bench'
FROM generate_series(1, ` + strconv.Itoa(benchCases) + `) AS j,
    LATERAL (SELECT j % 10 AS fate) AS f,
    LATERAL (SELECT $1::timestamptz - CASE WHEN f.fate <= 7 THEN (61 + j % 1765) ELSE j % 120 END * interval '1 day'
        - (j % 24) * interval '1 hour' AS received) AS r,
    (SELECT ARRAY['WANTS_REPATRIATION', 'FAILED_DEPARTURE', 'UNPAID_WAGES', 'OVERCHARGED_FEES', 'JOB_FRAUD', 'TRAFFICKING',
        'DEATH', 'ILLNESS', 'MENTAL_ILLNESS', 'JOB_NOT_AS_CONTRACTED', 'EMPLOYER_VIOLENCE', 'SEXUAL_HARASSMENT',
        'EARLY_DISMISSAL', 'OVERSTAY', 'UNDOCUMENTED', 'LOST_CONTACT', 'NOT_SENT_HOME', 'DETAINED', 'ACCIDENT',
        'ILLEGAL_RECRUITMENT', 'EXCESS_DEDUCTIONS', 'DOCUMENTS_WITHHELD', 'RAN_AWAY', 'DEPORTATION',
        'SOCIAL_SECURITY_CLAIM'] AS cats) AS c,
    districts d`,
	// Each case's handling task, open while the case is in handling.
	`INSERT INTO tasks (id, workflow_id, worker_id, kind, step, level, unit, route_rule, status, due_at, due_date,
    created_at, completed_at, claimed_by, at_top)
SELECT md5('ct' || c.id)::uuid, c.workflow_id, c.worker_id, 'CASE_HANDLING', 'CASE',
    CASE WHEN c.step = 'VERIFICATION' AND c.number LIKE '%9' THEN 1 ELSE 0 END, c.owner_unit, 'bench',
    CASE WHEN c.step = 'VERIFICATION' THEN 'open' ELSE 'completed' END,
    c.received_at + interval '14 days', (c.received_at + interval '13 days')::date, c.received_at,
    CASE WHEN c.step <> 'VERIFICATION' THEN c.received_at + interval '5 days' END,
    CASE WHEN c.step = 'VERIFICATION' AND c.number LIKE '%8' THEN 'bench-officer-' || right(c.number, 2)::int % 350 ELSE '' END,
    false
FROM cases c`,
	`INSERT INTO users (subject, name, unit, roles)
SELECT 'bench-officer-' || k, 'Petugas ' || k, CASE WHEN k % 35 = 0 THEN '33' ELSE d.codes[1 + k % 35] END, '{caseworker}'
FROM generate_series(0, ` + strconv.Itoa(benchUsers-1) + `) AS k, districts d`,
	`SET session_replication_role = DEFAULT`,
	`VACUUM ANALYZE tasks`,
	`VACUUM ANALYZE cases`,
	`VACUUM ANALYZE users`,
	`VACUUM ANALYZE workers`,
}

// loadBenchData runs benchDataSQL in one session (the SET and the
// temporary table), without the statement limits, as migrations run.
func loadBenchData(ctx context.Context, db *DB) error {
	long := sql.OpenDB(newConnector(withoutStatementLimits(db.cfg)))
	defer long.Close()
	conn, err := long.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	for _, q := range benchDataSQL {
		var err error
		if strings.Contains(q, "$1") {
			_, err = conn.ExecContext(ctx, q, benchNow)
		} else {
			_, err = conn.ExecContext(ctx, q)
		}
		if err != nil {
			return err
		}
	}
	// Index-only scans need the pages marked all-visible, as autovacuum
	// leaves them in a running system; a VACUUM right after the load can
	// leave some unmarked, so it runs again until none is.
	for try := 0; ; try++ {
		var unmarked []string
		if err := conn.QueryRowContext(ctx, `SELECT coalesce(array_agg(relname), '{}') FROM pg_class
WHERE relname IN ('workers', 'tasks', 'cases') AND relallvisible < relpages`).Scan((*pq.StringArray)(&unmarked)); err != nil {
			return err
		}
		if len(unmarked) == 0 {
			return nil
		}
		if try == 5 {
			return fmt.Errorf("pages of %v stay not all-visible after vacuuming", unmarked)
		}
		time.Sleep(time.Second)
		if _, err := conn.ExecContext(ctx, `VACUUM `+strings.Join(unmarked, ", ")); err != nil {
			return err
		}
	}
}

// BenchmarkStats times each figure for the province (33: the 35 districts
// and the province's own work) and for one district (3305), next to a bare
// count of the table it reads most, and the whole dashboard.
func BenchmarkStats(b *testing.B) {
	db := benchStatsDB(b)
	ctx := context.Background()
	year := time.Date(benchNow.Year(), 1, 1, 0, 0, 0, 0, lindungi.WIB)
	figures := []struct {
		name, table string
		run         func(lindungi.StatsQuery) error
		sql         string
		args        func(lindungi.StatsQuery) []any
	}{
		{"tasks", "tasks", func(q lindungi.StatsQuery) error { _, err := db.TaskStats(ctx, q); return err },
			taskStatsSQL, func(q lindungi.StatsQuery) []any { return []any{q.Unit, q.Now} }},
		{"cases", "cases", func(q lindungi.StatsQuery) error { _, err := db.CaseStats(ctx, q); return err },
			caseStatsSQL, func(q lindungi.StatsQuery) []any { return []any{q.Unit, q.Now} }},
		{"flow", "cases", func(q lindungi.StatsQuery) error { _, err := db.CaseStats(ctx, q); return err },
			caseFlowSQL, func(q lindungi.StatsQuery) []any {
				month := time.Date(benchNow.Year(), benchNow.Month(), 1, 0, 0, 0, 0, lindungi.WIB)
				return []any{q.Unit, year, month, month.AddDate(0, 1, 0), year, year.AddDate(1, 0, 0), q.From, q.To.AddDate(0, 0, 1)}
			}},
		{"resolution", "cases", func(q lindungi.StatsQuery) error { _, err := db.ResolutionStats(ctx, q); return err },
			resolutionStatsSQL, func(q lindungi.StatsQuery) []any { return []any{q.Unit, q.From, q.To.AddDate(0, 0, 1)} }},
		{"recovery", "cases", func(q lindungi.StatsQuery) error { _, err := db.RecoveryStats(ctx, q); return err },
			recoveryStatsSQL, func(q lindungi.StatsQuery) []any {
				var months []string
				for m := 1; m <= 12; m++ {
					months = append(months, time.Date(year.Year(), time.Month(m), 1, 0, 0, 0, 0, lindungi.WIB).Format("2006-01"))
				}
				return []any{q.Unit, q.From, q.To.AddDate(0, 0, 1), pq.StringArray(months)}
			}},
		{"journeys", "workers", func(q lindungi.StatsQuery) error { _, err := db.JourneyStats(ctx, q); return err },
			journeyStatsSQL, func(q lindungi.StatsQuery) []any { return []any{q.Unit} }},
		{"workload", "tasks", func(q lindungi.StatsQuery) error { _, err := db.WorkloadStats(ctx, q); return err },
			workloadSQL, func(q lindungi.StatsQuery) []any {
				return []any{q.Unit, q.Now, pq.StringArray(lindungi.OfficerRoles), lindungi.MaxOfficers}
			}},
	}
	for _, unit := range []string{"33", "3305"} {
		q := lindungi.StatsQuery{Unit: unit, From: year, To: lindungi.DayOf(benchNow), Now: benchNow}
		for _, f := range figures {
			if f.name == "flow" {
				if os.Getenv("LINDUNGI_BENCH_EXPLAIN") != "" && unit == "33" {
					explain(b, db, f.name, f.sql, f.args(q))
				}
				continue // timed within cases
			}
			b.Run(f.name+"/"+unit, func(b *testing.B) {
				if os.Getenv("LINDUNGI_BENCH_EXPLAIN") != "" && unit == "33" {
					explain(b, db, f.name, f.sql, f.args(q))
				}
				base := baseline(b, db, f.table)
				for b.Loop() {
					if err := f.run(q); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.Elapsed())/float64(b.N)/float64(base), "x-count")
			})
		}
		b.Run("dashboard/"+unit, func(b *testing.B) {
			for b.Loop() {
				for _, f := range figures {
					if f.name == "flow" {
						continue
					}
					if err := f.run(q); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
	for _, table := range []string{"tasks", "cases", "workers"} {
		b.Run("count/"+table, func(b *testing.B) {
			for b.Loop() {
				var n int
				if err := db.db.GetContext(ctx, &n, `SELECT count(*) FROM `+pq.QuoteIdentifier(table)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// baseline is the median time of five bare counts of table.
func baseline(b *testing.B, db *DB, table string) time.Duration {
	b.Helper()
	var times []time.Duration
	for range 5 {
		start := time.Now()
		var n int
		if err := db.db.Get(&n, `SELECT count(*) FROM `+pq.QuoteIdentifier(table)); err != nil {
			b.Fatal(err)
		}
		times = append(times, time.Since(start))
	}
	slices.Sort(times)
	return times[2]
}

// explain appends the plan of a figure's statement, as it runs, to the
// file LINDUNGI_BENCH_EXPLAIN names.
func explain(b *testing.B, db *DB, name, query string, args []any) {
	b.Helper()
	var plan []string
	if err := db.db.Select(&plan, `EXPLAIN (ANALYZE, BUFFERS) `+query, args...); err != nil {
		b.Fatalf("explain %s: %v", name, err)
	}
	f, err := os.OpenFile(os.Getenv("LINDUNGI_BENCH_EXPLAIN"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString("-- " + name + "\n" + strings.Join(plan, "\n") + "\n\n"); err != nil {
		b.Fatal(err)
	}
}
