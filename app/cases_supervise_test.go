package app_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/app"
	"github.com/lindungi/lindungi/devenv"
	"github.com/lindungi/lindungi/policies"
	"github.com/lindungi/lindungi/postgres"
	"github.com/lindungi/lindungi/workflows"
)

// superviseStore is one Kebumen case with its open handling task, and the
// demo users as the directory.
type superviseStore struct {
	store
	pc   lindungi.Case
	task lindungi.Task
}

func (s *superviseStore) FindCase(_ context.Context, id uuid.UUID) (lindungi.Case, error) {
	if id != s.pc.ID {
		return lindungi.Case{}, lindungi.Errorf(lindungi.ENOTFOUND, "Case not found.")
	}
	return s.pc, nil
}

func (s *superviseStore) OpenTaskOf(context.Context, string, lindungi.TaskKind) (lindungi.Task, error) {
	return s.task, nil
}

func (s *superviseStore) FindUser(_ context.Context, sub string) (lindungi.User, error) {
	for _, u := range devenv.DemoUsers() {
		if u.Subject == sub {
			return u, nil
		}
	}
	return lindungi.User{}, lindungi.Errorf(lindungi.ENOTFOUND, "User not found.")
}

// sentFlows records the case actions sent to the workflow.
type sentFlows struct {
	flows
	sent []workflows.CaseActionRequest
}

func (f *sentFlows) CaseAction(_ context.Context, _ uuid.UUID, r workflows.CaseActionRequest, _ string) (workflows.CaseState, error) {
	f.sent = append(f.sent, r)
	return workflows.CaseState{}, nil
}

// TestSupervisorActionsCheckedBeforeTheWorkflow: an assignment names a
// user of the directory whose unit reaches the case's handling task (the
// district's or the province's) and whose roles take tasks; lowering a
// trafficking case is refused; what passes reaches the workflow with the
// assignee's unit.
func TestSupervisorActionsCheckedBeforeTheWorkflow(t *testing.T) {
	units, err := postgres.ReferenceUnits()
	if err != nil {
		t.Fatal(err)
	}
	ps, err := policies.NewSet(units, policies.DefaultRules(), "1")
	if err != nil {
		t.Fatal(err)
	}
	pc := lindungi.Case{ID: uuid.New(), WorkerID: uuid.New(), OwnerUnit: "3305", IntakeUnit: "3305", Step: lindungi.CaseReceived,
		Categories: []lindungi.CaseCategory{lindungi.CatUnpaidWages}, WorkflowID: "case/x"}
	s := &superviseStore{pc: pc, task: lindungi.Task{ID: uuid.New(), WorkflowID: pc.WorkflowID, Kind: lindungi.TaskCaseHandling,
		Unit: "3305", Status: lindungi.TaskOpen}}
	f := &sentFlows{}
	access := &app.Access{Authorizer: ps.Authorizer, Delegations: s, Now: time.Now}
	cases := &app.Cases{Store: s, Tasks: s, Workers: s, Users: s, Flows: f, Access: access, Units: units, Logger: slog.New(slog.DiscardHandler)}
	ctx := context.Background()
	act := func(path string, r app.CaseAct) error {
		a, err := access.Route(lindungi.Principal{Subject: "supervisor-3305", Unit: "3305", Roles: []string{lindungi.RoleSupervisor}}, path, "POST")
		if err != nil {
			t.Fatal(err)
		}
		r.CaseID = pc.ID
		_, err = cases.Act(ctx, a, r)
		return err
	}
	assign := func(who string) error {
		return act("/v1/cases/:id/assign", app.CaseAct{Action: workflows.ActAssign, Assignee: who, Reason: "Menangani kasus serupa"})
	}
	for _, who := range []string{"caseworker-3301", "auditor-33", "someone-unknown", ""} {
		if err := assign(who); !isInvalidField(err, "assignee") {
			t.Errorf("assigning to %q: %v, want EINVALID naming assignee", who, err)
		}
	}
	if len(f.sent) != 0 {
		t.Fatalf("refused assignments reached the workflow: %+v", f.sent)
	}
	for _, who := range []string{"caseworker-3305", "bp3mi_officer-33"} {
		if err := assign(who); err != nil {
			t.Errorf("assigning to %s: %v", who, err)
		}
	}
	if len(f.sent) != 2 || f.sent[0].Assignee != "caseworker-3305" || f.sent[0].AssigneeUnit != "3305" || f.sent[1].AssigneeUnit != "33" {
		t.Errorf("assignments sent: %+v", f.sent)
	}

	s.pc.HighRisk, s.pc.Categories = true, []lindungi.CaseCategory{lindungi.CatTrafficking}
	f.sent = nil
	lower := app.CaseAct{Action: workflows.ActSetRisk, Level: "normal", Reason: "Bukan TPPO"}
	if err := act("/v1/cases/:id/risk", lower); lindungi.ErrorCode(err) != lindungi.ECONFLICT || len(f.sent) != 0 {
		t.Errorf("lowering a trafficking case: %v, sent %+v; want ECONFLICT before the workflow", err, f.sent)
	}
	if err := act("/v1/cases/:id/risk", app.CaseAct{Action: workflows.ActSetRisk, Level: "extreme", Reason: "Indikasi TPPO"}); !isInvalidField(err, "level") {
		t.Errorf("an unknown level: %v, want EINVALID naming level", err)
	}
	if err := act("/v1/cases/:id/recategorise", app.CaseAct{Action: workflows.ActRecategorise, Categories: []lindungi.CaseCategory{" death "},
		Reason: "Pekerja meninggal"}); err != nil || len(f.sent) != 1 || f.sent[0].Categories[0] != lindungi.CatDeath {
		t.Errorf("recategorise: %v, sent %+v; want DEATH sent", err, f.sent)
	}
}

func isInvalidField(err error, field string) bool {
	e, ok := err.(*lindungi.Error)
	if !ok || e.Code != lindungi.EINVALID {
		return false
	}
	for _, fe := range e.Fields {
		if fe.Field == field {
			return true
		}
	}
	return false
}
