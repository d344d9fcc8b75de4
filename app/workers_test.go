package app_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/app"
	"github.com/lindungi/lindungi/policies"
	"github.com/lindungi/lindungi/postgres"
)

// correctionStore is a store of one worker that records the corrections
// it is asked to write.
type correctionStore struct {
	*store
	written []lindungi.WorkerCorrection
}

func (s *correctionStore) CorrectWorker(_ context.Context, id uuid.UUID, c lindungi.WorkerCorrection, _ lindungi.Event) (lindungi.Worker, error) {
	s.written = append(s.written, c)
	return s.workers[id], nil
}

func (s *correctionStore) WorkerTimeline(context.Context, uuid.UUID, int) ([]lindungi.TimelineEntry, error) {
	return nil, nil
}

func (s *correctionStore) SearchWorkers(context.Context, lindungi.WorkerQuery) ([]lindungi.WorkerMatch, error) {
	return nil, nil
}

func (s *correctionStore) MergeWorkers(context.Context, uuid.UUID, uuid.UUID, lindungi.Event) (lindungi.WorkerMerge, error) {
	return lindungi.WorkerMerge{}, nil
}

// TestCorrectAuthorityFirst: a caller out of reach learns nothing (not
// found, whatever the correction holds); a NIK from someone who may not
// correct it is refused before the rest is read; a valid correction is
// written once.
func TestCorrectAuthorityFirst(t *testing.T) {
	units, err := postgres.ReferenceUnits()
	if err != nil {
		t.Fatal(err)
	}
	ps, err := policies.NewSet(units, policies.DefaultRules(), "1")
	if err != nil {
		t.Fatal(err)
	}
	w := lindungi.Worker{ID: uuid.New(), NIK: "3305011508950001", Name: "Siti", BirthDate: "1995-08-15", DomicileUnit: "3305",
		Phone: "+6281234567890", Scheme: lindungi.SchemeG2G, JourneyStep: lindungi.StepRegistered}
	s := &correctionStore{store: &store{workers: map[uuid.UUID]lindungi.Worker{w.ID: w}}}
	access := &app.Access{Authorizer: ps.Authorizer, Delegations: s}
	ws := &app.Workers{Store: s, Access: access}
	as := func(unit, role string) app.Actor {
		a, err := access.Route(lindungi.Principal{Subject: role + "-" + unit, Unit: unit, Roles: []string{role}}, "/v1/workers/:id/corrections", "POST")
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	bad := lindungi.WorkerCorrection{Phone: new(string), NIK: new(string)} // every field wrong, no reason
	ctx := context.Background()
	if _, err := ws.Correct(ctx, as("3301", lindungi.RoleSupervisor), w.ID, bad); lindungi.ErrorCode(err) != lindungi.ENOTFOUND {
		t.Errorf("Cilacap: %v, want ENOTFOUND", err)
	}
	if _, err := ws.Correct(ctx, as("3305", lindungi.RoleCaseworker), w.ID, bad); lindungi.ErrorCode(err) != lindungi.EFORBIDDEN {
		t.Errorf("a case worker's NIK: %v, want EFORBIDDEN", err)
	}
	if _, err := ws.Correct(ctx, as("3305", lindungi.RoleSupervisor), w.ID, bad); lindungi.ErrorCode(err) != lindungi.EINVALID {
		t.Errorf("the supervisor's bad correction: %v, want EINVALID", err)
	}
	nik := "3305011508950002"
	if _, err := ws.Correct(ctx, as("33", lindungi.RoleSupervisor), w.ID, lindungi.WorkerCorrection{NIK: &nik, Reason: "Salah ketik NIK"}); err != nil {
		t.Errorf("the province's supervisor: %v", err)
	}
	if len(s.written) != 1 || *s.written[0].NIK != nik {
		t.Errorf("written: %+v, want the one valid correction", s.written)
	}
	if !ws.MayCorrectNIK(lindungi.Principal{Subject: "s", Unit: "3305", Roles: []string{lindungi.RoleSupervisor}}, "3305") ||
		ws.MayCorrectNIK(lindungi.Principal{Subject: "c", Unit: "3305", Roles: []string{lindungi.RoleCaseworker}}, "3305") ||
		ws.MayCorrectNIK(lindungi.Principal{Subject: "s", Unit: "3301", Roles: []string{lindungi.RoleSupervisor}}, "3305") {
		t.Error("MayCorrectNIK does not follow the policy")
	}
}
