package postgres_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/postgres"
)

func TestCreateWorker(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := t.Context()
	nw := newWorker("3305011508950001", "3305")
	w, err := db.CreateWorker(ctx, nw, clerk("req-1"))
	if err != nil {
		t.Fatal(err)
	}
	want := lindungi.Worker{ID: w.ID, NIK: nw.NIK, Name: nw.Name, BirthDate: nw.BirthDate, DomicileUnit: "3305",
		Phone: nw.Phone, Scheme: lindungi.SchemeP2P, JourneyStep: lindungi.StepRegistered,
		WorkflowID: "journey/" + w.ID.String(), CreatedAt: t0, UpdatedAt: t0}
	if diff := cmp.Diff(want, w); diff != "" {
		t.Errorf("CreateWorker returned (-want +got):\n%s", diff)
	}
	found, err := db.FindWorker(ctx, w.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, found); diff != "" {
		t.Errorf("FindWorker (-want +got):\n%s", diff)
	}

	wantEvents := []auditEvent{{
		Actor: "user:siti", ActorUnit: "3305", ActorRole: "caseworker", Action: "worker.register",
		SubjectType: "worker", SubjectID: w.ID.String(), WorkerID: w.ID.String(),
		After: map[string]any{"domicile_unit": "3305", "scheme": "P2P", "journey_step": "REGISTERED",
			"fields": []any{"nik", "name", "birth_date", "phone"}},
		PolicyVersion: "test-policy", RequestID: "req-1", OccurredAt: t0,
	}}
	if diff := cmp.Diff(wantEvents, auditEvents(t, db, "")); diff != "" {
		t.Errorf("audit trail (-want +got):\n%s", diff)
	}

	// The trail records that personal data was set, never the data itself.
	var trail string
	if err := db.SQL().GetContext(ctx, &trail, `SELECT string_agg(row_to_json(a)::text, E'\n') FROM audit_events a`); err != nil {
		t.Fatal(err)
	}
	for _, personal := range []string{nw.NIK, nw.Name, nw.Phone, "81234567890", nw.BirthDate} {
		if strings.Contains(trail, personal) {
			t.Errorf("audit trail contains personal data %q:\n%s", personal, trail)
		}
	}
}

func TestCreateWorkerRefuses(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	const taken = "3305011508950001"
	register(t, db, taken, "3305")

	tests := []struct {
		name       string
		nw         lindungi.NewWorker
		wantCode   string
		wantFields []string
	}{
		{"NIK already registered", newWorker(taken, "3305"), lindungi.ECONFLICT, []string{"nik"}},
		{"NIK already registered, other district", newWorker(taken, "3301"), lindungi.ECONFLICT, []string{"nik"}},
		{"unknown district", newWorker("3399011508950001", "3399"), lindungi.EINVALID, []string{"domicile_unit"}},
		{"province is not a district", newWorker("3305011508950002", "33"), lindungi.EINVALID, []string{"domicile_unit"}},
		{"nation is not a district", newWorker("3305011508950003", "ID"), lindungi.EINVALID, []string{"domicile_unit"}},
		{"empty unit", newWorker("3305011508950004", ""), lindungi.EINVALID, []string{"domicile_unit"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := db.CreateWorker(t.Context(), tt.nw, clerk("req-refused"))
			code, fields := errorFields(err)
			if code != tt.wantCode || !cmp.Equal(fields, tt.wantFields) {
				t.Errorf("CreateWorker: %v; want code %s naming %v", err, tt.wantCode, tt.wantFields)
			}
			if n := count(t, db, `SELECT count(*) FROM workers`); n != 1 {
				t.Errorf("%d workers, want only the first", n)
			}
			if n := count(t, db, `SELECT count(*) FROM audit_events`); n != 1 {
				t.Errorf("%d audit events, want only the first registration's", n)
			}
		})
	}
}

// A registration whose audit event cannot be written is not stored: the
// worker and its event share one transaction.
func TestCreateWorkerWithoutAuditIsNotStored(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := t.Context()
	for _, stmt := range []string{
		`CREATE FUNCTION refuse_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'audit store down'; END; $$`,
		`CREATE TRIGGER refuse_insert BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION refuse_insert()`,
	} {
		if _, err := db.SQL().ExecContext(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.CreateWorker(ctx, newWorker("3305011508950001", "3305"), clerk("req-1")); err == nil {
		t.Fatal("CreateWorker succeeded though its audit event could not be written")
	}
	if n := count(t, db, `SELECT count(*) FROM workers`); n != 0 {
		t.Errorf("%d workers stored without their audit event, want 0", n)
	}
}

func TestCreateWorkerConcurrentSameNIK(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	const n = 10
	var (
		wg    sync.WaitGroup
		start = make(chan struct{})
		errs  = make([]error, n)
	)
	for i := range n {
		wg.Go(func() {
			<-start
			_, errs[i] = db.CreateWorker(t.Context(), newWorker("3305011508950001", "3305"), clerk("req-concurrent"))
		})
	}
	close(start)
	wg.Wait()

	codes := map[string]int{}
	for _, err := range errs {
		code, fields := errorFields(err)
		codes[code]++
		if code == lindungi.ECONFLICT && !cmp.Equal(fields, []string{"nik"}) {
			t.Errorf("conflict names %v, want [nik]", fields)
		}
		if code != "" && code != lindungi.ECONFLICT {
			t.Errorf("CreateWorker: %v", err)
		}
	}
	if diff := cmp.Diff(map[string]int{"": 1, lindungi.ECONFLICT: n - 1}, codes); diff != "" {
		t.Errorf("outcomes by error code (-want +got):\n%s", diff)
	}
	if got := count(t, db, `SELECT count(*) FROM workers`); got != 1 {
		t.Errorf("%d workers, want 1", got)
	}
	if got := count(t, db, `SELECT count(*) FROM audit_events WHERE action = 'worker.register'`); got != 1 {
		t.Errorf("%d worker.register events, want 1", got)
	}
}

func TestCreateWorkerStoresItsAnswer(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := t.Context()

	k1, r1 := reserve(t, db, "k1", "POST /v1/workers", http.StatusCreated)
	w, err := db.CreateWorker(k1, newWorker("3305011508950001", "3305"), clerk("req-1"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := db.FindResponse(ctx, "user:siti", "k1")
	if err != nil {
		t.Fatalf("FindResponse after a registration: %v", err)
	}
	if !got.Same(r1.IdempotencyKey) || got.Pending || got.Status != 201 {
		t.Errorf("stored %+v; want the request's route and hash, done, 201", got)
	}
	var answered lindungi.Worker
	if err := json.Unmarshal(got.Body, &answered); err != nil {
		t.Fatalf("stored body %s: %v", got.Body, err)
	}
	if diff := cmp.Diff(w, answered); diff != "" {
		t.Errorf("stored body is not the registered worker (-registered +stored):\n%s", diff)
	}

	tests := []struct {
		name     string
		nik      string
		unit     string
		ctx      context.Context
		wantCode string
	}{
		// A failed registration stores no answer: its reservation stays
		// pending, for the server to release, and a retry tries again.
		{"duplicate NIK", "3305011508950001", "3305", answering(t, db, "k2"), lindungi.ECONFLICT},
		// A request whose reservation is done (or was taken over)
		// registers nobody, and the first answer stays.
		{"reservation done already", "3305011508950003", "3305", k1, lindungi.ECONFLICT},
		{"unknown district", "3399011508950001", "3399", answering(t, db, "k3"), lindungi.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := db.CreateWorker(tt.ctx, newWorker(tt.nik, tt.unit), clerk("req-2"))
			if code := lindungi.ErrorCode(err); code != tt.wantCode {
				t.Errorf("CreateWorker: %v; want code %s", err, tt.wantCode)
			}
			if n := count(t, db, `SELECT count(*) FROM idempotency_keys WHERE state = 'done'`); n != 1 {
				t.Errorf("%d answers stored, want the first one alone", n)
			}
			if n := count(t, db, `SELECT count(*) FROM workers`); n != 1 {
				t.Errorf("%d workers, want 1", n)
			}
			if n := count(t, db, `SELECT count(*) FROM audit_events`); n != 1 {
				t.Errorf("%d audit events, want 1", n)
			}
		})
	}
}

func TestFindUnknown(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	register(t, db, "3305011508950001", "3305")
	tests := []struct {
		name string
		find func() error
	}{
		{"worker", func() error { _, err := db.FindWorker(t.Context(), uuid.New()); return err }},
		{"task", func() error { _, err := db.FindTask(t.Context(), uuid.New()); return err }},
		{"idempotency key", func() error { _, err := db.FindResponse(t.Context(), "user:siti", "never-sent"); return err }},
	}
	for _, tt := range tests {
		if err := tt.find(); lindungi.ErrorCode(err) != lindungi.ENOTFOUND {
			t.Errorf("find unknown %s: %v; want code %s", tt.name, err, lindungi.ENOTFOUND)
		}
	}
}

func TestWorkersWithoutJourney(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := t.Context()
	at := func(d time.Duration) { db.Now = func() time.Time { return t0.Add(d) } }
	at(0)
	first := register(t, db, "3305011508950001", "3305")
	at(10 * time.Minute)
	second := register(t, db, "3301011508950001", "3301")
	js := func(w lindungi.Worker) postgres.JourneyStart {
		return postgres.JourneyStart{WorkerID: w.ID, DomicileUnit: w.DomicileUnit, Scheme: string(w.Scheme), Entry: string(w.JourneyStep)}
	}

	tests := []struct {
		name      string
		mark      *lindungi.Worker // marked started before listing
		olderThan time.Duration    // the cut-off, after t0
		limit     int
		want      []postgres.JourneyStart
	}{
		{"only workers older than the cut-off", nil, 5 * time.Minute, 10, []postgres.JourneyStart{js(first)}},
		{"oldest first", nil, time.Hour, 10, []postgres.JourneyStart{js(first), js(second)}},
		{"limit", nil, time.Hour, 1, []postgres.JourneyStart{js(first)}},
		{"cut-off is exclusive", nil, 0, 10, nil},
		{"marked worker is no longer listed", &first, time.Hour, 10, []postgres.JourneyStart{js(second)}},
		{"marking twice is harmless", &first, time.Hour, 10, []postgres.JourneyStart{js(second)}},
		{"all marked", &second, time.Hour, 10, nil},
	}
	for _, tt := range tests {
		at(20 * time.Minute)
		if tt.mark != nil {
			if err := db.MarkJourneyStarted(ctx, tt.mark.ID); err != nil {
				t.Fatalf("%s: MarkJourneyStarted: %v", tt.name, err)
			}
		}
		got, err := db.WorkersWithoutJourney(ctx, t0.Add(tt.olderThan), tt.limit)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s: WorkersWithoutJourney (-want +got):\n%s", tt.name, diff)
		}
	}
}
