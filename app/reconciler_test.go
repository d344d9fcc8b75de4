package app_test

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/app"
	"github.com/lindungi/lindungi/devenv/devtest"
	"github.com/lindungi/lindungi/policies"
	"github.com/lindungi/lindungi/postgres"
	"github.com/lindungi/lindungi/workflows"
)

func TestMain(m *testing.M) { devtest.Main(m) }

// temporal is a Temporal that is down until it comes back.
type temporal struct {
	mu      sync.Mutex
	down    bool
	tries   int
	started []uuid.UUID
}

func (f *temporal) StartJourney(_ context.Context, in workflows.JourneyInput) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tries++
	if f.down {
		return lindungi.Errorf(lindungi.EUNAVAILABLE, "The workflow service cannot be reached.")
	}
	f.started = append(f.started, in.WorkerID)
	return nil
}

func (f *temporal) JourneyAction(context.Context, uuid.UUID, string, workflows.JourneyRequest, string, any) error {
	return lindungi.Errorf(lindungi.EINTERNAL, "not in this test")
}

func (f *temporal) state() (tries int, started []uuid.UUID) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.tries, append([]uuid.UUID(nil), f.started...)
}

// backlog is the database as the reconciler reads it.
type backlog struct{ *postgres.DB }

func (b backlog) WorkersWithoutJourney(ctx context.Context, olderThan time.Time, limit int) ([]app.JourneyStart, error) {
	rows, err := b.DB.WorkersWithoutJourney(ctx, olderThan, limit)
	out := make([]app.JourneyStart, len(rows))
	for i, r := range rows {
		out[i] = app.JourneyStart{WorkerID: r.WorkerID, DomicileUnit: r.DomicileUnit, Scheme: lindungi.Scheme(r.Scheme), Entry: lindungi.Step(r.Entry)}
	}
	return out, err
}

// With Temporal down, a registration answers at once and wakes the
// reconciler through PostgreSQL (NOTIFY); the reconciler, whose regular
// pass is an hour away, tries at once, again soon after while Temporal is
// down, and starts the journey once Temporal is back.
func TestRegistrationWakesTheReconciler(t *testing.T) {
	ctx := t.Context()
	db, err := postgres.Open(ctx, devtest.Database(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := db.LoadReference(ctx); err != nil {
		t.Fatal(err)
	}
	units, err := postgres.ReferenceUnits()
	if err != nil {
		t.Fatal(err)
	}
	ps, err := policies.NewSet(units, policies.DefaultRules(), "1")
	if err != nil {
		t.Fatal(err)
	}
	quiet := slog.New(slog.DiscardHandler)
	temporal := &temporal{down: true}
	access := &app.Access{Authorizer: ps.Authorizer, Delegations: db}
	journeys := &app.Journeys{Store: db, Flows: temporal, Access: access, Units: units, Wake: db, Logger: quiet}
	cases := &app.Cases{Store: db, Flows: &flows{}, Access: access, Logger: quiet}

	wakes, err := db.ListenWakes(quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer wakes.Close()
	r := &app.Reconciler{Backlog: backlog{db}, Journeys: journeys, Cases: cases, Every: time.Hour, Grace: time.Hour,
		Wake: wakes.C(), Logger: quiet}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- r.Run(runCtx) }()
	defer func() { stop(); <-done }()

	a, err := access.Route(lindungi.Principal{Subject: "cw", Unit: "3305", Roles: []string{lindungi.RoleCaseworker}}, "/v1/workers", "POST")
	if err != nil {
		t.Fatal(err)
	}
	w, err := journeys.Register(ctx, a, app.Registration{Worker: lindungi.NewWorker{NIK: "3305011508950001", Name: "Ahmad Fauzi",
		BirthDate: "1995-08-15", DomicileUnit: "3305", Phone: "081234567891", Scheme: lindungi.SchemeMandiri}})
	if err != nil {
		t.Fatalf("register with Temporal down: %v", err)
	}

	t0 := time.Now()
	// The registration tried once; the woken reconciler tries again.
	waitFor(t, "the woken reconciler to try", func() bool { tries, _ := temporal.state(); return tries >= 2 })
	temporal.mu.Lock()
	temporal.down = false
	temporal.mu.Unlock()
	waitFor(t, "the journey to start", func() bool {
		_, started := temporal.state()
		return len(started) == 1 && started[0] == w.ID
	})
	t.Logf("started %v after registration", time.Since(t0))
	waitFor(t, "the journey to be marked started", func() bool {
		left, err := db.WorkersWithoutJourney(ctx, time.Now().Add(time.Hour), 10)
		return err == nil && len(left) == 0
	})
}

// waitFor fails the test unless ok holds within a bound far below the
// reconciler's hour between regular passes.
func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("waited 20s for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
