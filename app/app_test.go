package app_test

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/app"
	"github.com/lindungi/lindungi/policies"
	"github.com/lindungi/lindungi/postgres"
	"github.com/lindungi/lindungi/workflows"
)

// store is a fake database: it keeps the workers, cases and what was
// marked started.
type store struct {
	workers       map[uuid.UUID]lindungi.Worker
	cases         []lindungi.Case
	missing       []app.JourneyStart
	journeyMarked []uuid.UUID
	caseMarked    []uuid.UUID
	expiredAt     []time.Time
	olderThan     []time.Time
}

func (s *store) CreateWorker(_ context.Context, nw lindungi.NewWorker, ev lindungi.Event) (lindungi.Worker, error) {
	w := lindungi.Worker{ID: uuid.New(), NIK: nw.NIK, Name: nw.Name, DomicileUnit: nw.DomicileUnit, Scheme: nw.Scheme, JourneyStep: nw.Entry}
	s.workers[w.ID] = w
	return w, nil
}

func (s *store) FindWorker(_ context.Context, id uuid.UUID) (lindungi.Worker, error) {
	w, ok := s.workers[id]
	if !ok {
		return lindungi.Worker{}, lindungi.Errorf(lindungi.ENOTFOUND, "Worker not found.")
	}
	return w, nil
}

func (s *store) MarkJourneyStarted(_ context.Context, id uuid.UUID) error {
	s.journeyMarked = append(s.journeyMarked, id)
	return nil
}

func (s *store) ActiveDelegations(context.Context, string, string, time.Time) ([]lindungi.Delegation, error) {
	return nil, nil
}

func (s *store) AuditExpiredDelegations(_ context.Context, t time.Time) (int, error) {
	s.expiredAt = append(s.expiredAt, t)
	return 0, nil
}

func (s *store) CasesWithoutWorkflow(_ context.Context, olderThan time.Time, _ int) ([]lindungi.Case, error) {
	s.olderThan = append(s.olderThan, olderThan)
	return s.cases, nil
}

func (s *store) WorkersWithoutJourney(_ context.Context, olderThan time.Time, _ int) ([]app.JourneyStart, error) {
	s.olderThan = append(s.olderThan, olderThan)
	return s.missing, nil
}

func (s *store) MarkCaseStarted(_ context.Context, id uuid.UUID) error {
	s.caseMarked = append(s.caseMarked, id)
	return nil
}

// The case reads and writes are not used by these tests.
func (s *store) CreateCase(context.Context, lindungi.NewComplaint, string, lindungi.Event) (lindungi.Case, error) {
	return lindungi.Case{}, errors.New("not in these tests")
}
func (s *store) FindCase(context.Context, uuid.UUID) (lindungi.Case, error) {
	return lindungi.Case{}, errors.New("not in these tests")
}
func (s *store) ListCases(context.Context, lindungi.Scope, lindungi.CaseFilter) ([]lindungi.Case, error) {
	return nil, errors.New("not in these tests")
}
func (s *store) CaseAsOf(context.Context, uuid.UUID, time.Time) (lindungi.Case, error) {
	return lindungi.Case{}, errors.New("not in these tests")
}
func (s *store) OpenTaskOf(context.Context, string, lindungi.TaskKind) (lindungi.Task, error) {
	return lindungi.Task{}, errors.New("not in these tests")
}
func (s *store) LastTaskOf(context.Context, string, lindungi.TaskKind) (lindungi.Task, error) {
	return lindungi.Task{}, errors.New("not in these tests")
}

// flows is a fake Temporal: it records what it started, and fails while
// down is set.
type flows struct {
	journeys []workflows.JourneyInput
	cases    []string // request IDs
	down     bool
}

func (f *flows) StartJourney(_ context.Context, in workflows.JourneyInput) error {
	if f.down {
		return errors.New("temporal down")
	}
	f.journeys = append(f.journeys, in)
	return nil
}

func (f *flows) JourneyAction(context.Context, uuid.UUID, string, workflows.JourneyRequest, string, any) error {
	return errors.New("not in these tests")
}

func (f *flows) StartCase(_ context.Context, _ lindungi.Case, requestID string) error {
	if f.down {
		return errors.New("temporal down")
	}
	f.cases = append(f.cases, requestID)
	return nil
}

func (f *flows) CaseAction(context.Context, uuid.UUID, workflows.CaseActionRequest, string) (workflows.CaseState, error) {
	return workflows.CaseState{}, errors.New("not in these tests")
}

func (f *flows) CompleteTask(context.Context, lindungi.Task, workflows.CompleteTaskRequest, string) (workflows.CompleteTaskResult, error) {
	return workflows.CompleteTaskResult{}, errors.New("not in these tests")
}

// services returns the journeys and cases of the shipped policies on s and f.
func services(t *testing.T, s *store, f *flows, now func() time.Time) (*app.Journeys, *app.Cases) {
	t.Helper()
	units, err := postgres.ReferenceUnits()
	if err != nil {
		t.Fatal(err)
	}
	ps, err := policies.NewSet(units, policies.DefaultRules(), "1")
	if err != nil {
		t.Fatal(err)
	}
	access := &app.Access{Authorizer: ps.Authorizer, Delegations: s, Now: now}
	quiet := slog.New(slog.DiscardHandler)
	return &app.Journeys{Store: s, Flows: f, Access: access, Units: units, Logger: quiet, Now: now},
		&app.Cases{Store: s, Tasks: s, Workers: s, Flows: f, Router: ps.Router, Access: access, Units: units, Logger: quiet, Now: now}
}

func TestRegisterSavesThenStartsTheJourney(t *testing.T) {
	now := func() time.Time { return time.Date(2026, 12, 23, 1, 0, 0, 0, time.UTC) }
	s, f := &store{workers: map[uuid.UUID]lindungi.Worker{}}, &flows{}
	journeys, _ := services(t, s, f, now)
	a, err := journeys.Access.Route(lindungi.Principal{Subject: "cw", Unit: "3305", Roles: []string{lindungi.RoleCaseworker}}, "/v1/workers", "POST")
	if err != nil {
		t.Fatal(err)
	}
	nw := lindungi.NewWorker{NIK: "3305011508950001", Name: "Ahmad Fauzi", BirthDate: "1995-08-15", DomicileUnit: "3305",
		Phone: "081234567891", Scheme: lindungi.SchemeMandiri}
	w, err := journeys.Register(context.Background(), a, app.Registration{Worker: nw})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.journeys) != 1 || f.journeys[0].WorkerID != w.ID || f.journeys[0].Entry != lindungi.StepRegistered ||
		!slices.Equal(s.journeyMarked, []uuid.UUID{w.ID}) {
		t.Errorf("journeys started %+v, marked %v; want the new worker's journey started once and marked", f.journeys, s.journeyMarked)
	}

	// Temporal down: the worker is saved, its journey left for the reconciler.
	f.down = true
	nw.NIK, nw.Name = "3305011508950002", "Budi"
	if _, err := journeys.Register(context.Background(), a, app.Registration{Worker: nw}); err != nil {
		t.Fatalf("register with Temporal down: %v; want the worker saved", err)
	}
	if len(s.workers) != 2 || len(s.journeyMarked) != 1 {
		t.Errorf("%d workers, %d marked; want the second saved and not marked", len(s.workers), len(s.journeyMarked))
	}

	// A Cilacap case worker may not register a Kebumen worker.
	b, _ := journeys.Access.Route(lindungi.Principal{Subject: "cw", Unit: "3301", Roles: []string{lindungi.RoleCaseworker}}, "/v1/workers", "POST")
	nw.NIK = "3305011508950003"
	if _, err := journeys.Register(context.Background(), b, app.Registration{Worker: nw}); lindungi.ErrorCode(err) != lindungi.EFORBIDDEN {
		t.Errorf("register out of reach = %v, want forbidden", err)
	}
}

func TestReconcilerStartsWhatWasLeftHalfDone(t *testing.T) {
	at := time.Date(2026, 12, 23, 1, 0, 0, 0, time.UTC)
	now := func() time.Time { return at }
	pc := lindungi.Case{ID: uuid.New(), OwnerUnit: "3305"}
	left := app.JourneyStart{WorkerID: uuid.New(), DomicileUnit: "3305", Scheme: lindungi.SchemeP2P, Entry: lindungi.StepOutreach}
	s := &store{workers: map[uuid.UUID]lindungi.Worker{}, cases: []lindungi.Case{pc}, missing: []app.JourneyStart{left}}
	f := &flows{down: true}
	journeys, cases := services(t, s, f, now)
	r := &app.Reconciler{Backlog: s, Journeys: journeys, Cases: cases, Grace: 10 * time.Second, Now: now, Logger: slog.New(slog.DiscardHandler)}

	r.Once(context.Background())
	if len(s.journeyMarked)+len(s.caseMarked) != 0 {
		t.Errorf("with Temporal down, marked %v and %v; want nothing marked", s.journeyMarked, s.caseMarked)
	}
	f.down = false
	r.Once(context.Background())
	want := workflows.JourneyInput{WorkerID: left.WorkerID, DomicileUnit: "3305", Scheme: lindungi.SchemeP2P, Entry: lindungi.StepOutreach, RequestID: "reconciler"}
	if len(f.journeys) != 1 || f.journeys[0] != want || !slices.Equal(s.journeyMarked, []uuid.UUID{left.WorkerID}) {
		t.Errorf("journeys started %+v, marked %v; want %+v started and marked", f.journeys, s.journeyMarked, want)
	}
	if !slices.Equal(f.cases, []string{"reconciler"}) || !slices.Equal(s.caseMarked, []uuid.UUID{pc.ID}) {
		t.Errorf("cases started %v, marked %v; want the case started and marked", f.cases, s.caseMarked)
	}
	for _, got := range s.olderThan {
		if !got.Equal(at.Add(-10 * time.Second)) {
			t.Errorf("listed records older than %v, want %v: the clock less the grace", got, at.Add(-10*time.Second))
		}
	}
	if len(s.expiredAt) != 2 || !s.expiredAt[1].Equal(at) {
		t.Errorf("expired delegations audited at %v, want at the clock's time on each pass", s.expiredAt)
	}
}

func TestCaseOwner(t *testing.T) {
	_, cases := services(t, &store{}, &flows{}, time.Now)
	for _, tt := range []struct {
		name string
		c    lindungi.NewComplaint
		want string
	}{
		{"unpaid wages at Kebumen", lindungi.NewComplaint{Unit: "3305", Categories: []lindungi.CaseCategory{lindungi.CatUnpaidWages}}, "3305"},
		{"a minor, high risk", lindungi.NewComplaint{Unit: "3305", Categories: []lindungi.CaseCategory{lindungi.CatUnpaidWages},
			RiskFlags: []string{lindungi.FlagMinor}}, "33"},
	} {
		if got, err := cases.Owner(tt.c); err != nil || got != tt.want {
			t.Errorf("%s: owner %q (%v), want %q", tt.name, got, err, tt.want)
		}
	}
}
