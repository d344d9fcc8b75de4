package workflows_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/activities"
	"github.com/lindungi/lindungi/workflows"
	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"
)

var supervisor3329 = activities.Actor{Subject: "supervisor-3329", Unit: "3329", Role: "supervisor"}

// withReroute answers RerouteTask as the shipped policy does for a Brebes
// case raised to high risk: the handling task goes to the province's BP3MI
// officers, the closure approval to the BP3MI head; it records each input.
func (ct *caseTest) withReroute() *[]activities.RerouteInput {
	var got []activities.RerouteInput
	ct.env.OnActivity(acts.RerouteTask, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.RerouteInput) (activities.TaskRef, error) {
			got = append(got, in)
			for _, t := range ct.tasks {
				if t.ID == in.TaskID {
					t.Unit, t.UnitPath, t.HolderRole = "33", []string{"33", "ID"}, "bp3mi_officer"
					if t.Kind == lindungi.TaskClosureApproval {
						t.HolderRole = "bp3mi_head"
					}
					return t, nil
				}
			}
			return activities.TaskRef{}, errors.New("unknown task")
		})
	return &got
}

func (ct *caseTest) supervise(req workflows.CaseActionRequest) {
	if req.Actor.Subject == "" {
		req.Actor = supervisor3329
	}
	ct.send(workflows.UpdateCaseAction, req)
}

// refusedAs fails unless err is an update refusal of type code naming
// field (if any).
func refusedAs(t *testing.T, what string, err error, code, field string) {
	t.Helper()
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || appErr.Type() != code {
		t.Errorf("%s: %v, want %s", what, err, code)
		return
	}
	if field == "" {
		return
	}
	var fields []lindungi.FieldError
	if !appErr.HasDetails() || appErr.Details(&fields) != nil || !slices.ContainsFunc(fields, func(f lindungi.FieldError) bool { return f.Field == field }) {
		t.Errorf("%s: %v names %+v, want the field %s", what, err, fields, field)
	}
}

// TestRaiseRiskReroutes: a supervisor raises an ordinary case to high
// risk; its open handling task is routed again by the policy (with the
// high-risk deadline), the case follows it to the province, and the tasks
// made afterwards are high risk too. Lowering it again changes the level
// and moves nothing.
func TestRaiseRiskReroutes(t *testing.T) {
	ct := newCaseTest(t, 1000)
	reroutes := ct.withReroute()
	ct.env.RegisterDelayedCallback(func() {
		ct.supervise(workflows.CaseActionRequest{Action: workflows.ActSetRisk, Risk: lindungi.RiskHigh, Reason: "Indikasi TPPO"})
	}, time.Hour)
	ct.env.RegisterDelayedCallback(func() {
		s := ct.state()
		if s.Risk != lindungi.RiskHigh || s.OwnerUnit != "33" {
			t.Errorf("after raising: risk %s, owner %s; want high, owned by 33", s.Risk, s.OwnerUnit)
		}
		if len(s.Tasks) != 1 || s.Tasks[0].Unit != "33" || s.Tasks[0].HolderRole != "bp3mi_officer" {
			t.Errorf("after raising, the ledger holds %+v; want the handling task at 33 with the BP3MI officers", s.Tasks)
		}
		ct.send(workflows.UpdateCaseAction, workflows.CaseActionRequest{Action: workflows.ActProposeClosure, Reason: "Pengadu mencabut",
			Actor: activities.Actor{Subject: "cw", Unit: "33", Role: "bp3mi_officer"}})
	}, 2*time.Hour)
	ct.env.RegisterDelayedCallback(func() {
		ct.supervise(workflows.CaseActionRequest{Action: workflows.ActSetRisk, Risk: lindungi.RiskNormal, Reason: "Bukan TPPO setelah klarifikasi",
			Actor: supervisor33})
	}, 3*time.Hour)
	ct.env.RegisterDelayedCallback(func() {
		if s := ct.state(); s.Risk != lindungi.RiskNormal || s.OwnerUnit != "33" {
			t.Errorf("after lowering: risk %s, owner %s; want normal, still at 33", s.Risk, s.OwnerUnit)
		}
		ct.env.CancelWorkflow()
	}, 4*time.Hour)
	ct.run(false)

	for i, err := range ct.errs {
		if err != nil {
			t.Errorf("update %d: %v", i, err)
		}
	}
	if len(*reroutes) != 1 {
		t.Fatalf("RerouteTask ran %d times, want once (raising; lowering moves nothing): %+v", len(*reroutes), *reroutes)
	}
	in := (*reroutes)[0]
	if in.TaskID != ct.tasks[0].ID || in.DomicileUnit != "3329" || in.Risk != lindungi.RiskHigh ||
		in.DueDays != workflows.HighRiskDueDays || in.Reason != "Indikasi TPPO" || in.Actor != supervisor3329 {
		t.Errorf("RerouteTask input %+v, want the handling task routed from 3329 as high risk, due within %d working days, for the supervisor's reason",
			in, workflows.HighRiskDueDays)
	}
	want := []activities.CaseChange{activities.ChangeRisk, activities.ChangeOwner, activities.ChangeRisk}
	if !slices.Equal(ct.actions, want) {
		t.Errorf("case changes %v, want %v", ct.actions, want)
	}
	if got := ct.changes[0]; !got.HighRisk || got.Reason != "Indikasi TPPO" || ct.changes[2].HighRisk {
		t.Errorf("risk changes %+v and %+v, want high then normal", got, ct.changes[2])
	}
	last := ct.inputs[len(ct.inputs)-1]
	if last.Kind != lindungi.TaskClosureApproval || last.Risk != lindungi.RiskHigh || last.DomicileUnit != "33" {
		t.Errorf("the closure approval asked after raising: %+v, want it routed as high risk from 33", last)
	}
}

// TestRaiseRiskMovesAWaitingClosure: a closure waiting for approval when
// the case is raised goes to whom the policy names for a high-risk case,
// without the handling deadline.
func TestRaiseRiskMovesAWaitingClosure(t *testing.T) {
	ct := newCaseTest(t, 1000)
	reroutes := ct.withReroute()
	ct.env.RegisterDelayedCallback(func() {
		ct.send(workflows.UpdateCaseAction, workflows.CaseActionRequest{Action: workflows.ActProposeClosure, Reason: "Pengadu mencabut",
			Actor: activities.Actor{Subject: "cw", Unit: "3329", Role: "caseworker"}})
	}, time.Hour)
	ct.env.RegisterDelayedCallback(func() {
		ct.supervise(workflows.CaseActionRequest{Action: workflows.ActSetRisk, Risk: lindungi.RiskHigh, Reason: "Pekerja di bawah umur"})
	}, 2*time.Hour)
	ct.env.RegisterDelayedCallback(func() { ct.env.CancelWorkflow() }, 3*time.Hour)
	ct.run(false)
	kinds := map[lindungi.TaskKind]int{}
	for _, in := range *reroutes {
		for _, task := range ct.tasks {
			if task.ID == in.TaskID {
				kinds[task.Kind] = in.DueDays
			}
		}
	}
	if len(*reroutes) != 2 || kinds[lindungi.TaskCaseHandling] != workflows.HighRiskDueDays || kinds[lindungi.TaskClosureApproval] != 0 {
		t.Errorf("rerouted %+v, want the handling task (due within %d working days) and the closure approval (its deadline kept)",
			*reroutes, workflows.HighRiskDueDays)
	}
}

// TestRecategorise: new categories are recorded; trafficking makes the
// case high risk (and routes it again), an ordinary category does not.
func TestRecategorise(t *testing.T) {
	for _, tt := range []struct {
		name       string
		categories []lindungi.CaseCategory
		want       []activities.CaseChange
		risk       string
	}{
		{"ordinary", []lindungi.CaseCategory{lindungi.CatUnpaidWages, lindungi.CatDocumentsWithheld},
			[]activities.CaseChange{activities.ChangeCategories}, lindungi.RiskNormal},
		{"trafficking", []lindungi.CaseCategory{lindungi.CatTrafficking},
			[]activities.CaseChange{activities.ChangeCategories, activities.ChangeRisk, activities.ChangeOwner}, lindungi.RiskHigh},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ct := newCaseTest(t, 1000)
			ct.withReroute()
			ct.env.RegisterDelayedCallback(func() {
				ct.supervise(workflows.CaseActionRequest{Action: workflows.ActRecategorise, Categories: tt.categories, Reason: "Hasil verifikasi"})
			}, time.Hour)
			ct.env.RegisterDelayedCallback(func() {
				if s := ct.state(); s.Risk != tt.risk {
					t.Errorf("risk after recategorising: %s, want %s", s.Risk, tt.risk)
				}
				ct.env.CancelWorkflow()
			}, 2*time.Hour)
			ct.run(false)
			if len(ct.errs) != 1 || ct.errs[0] != nil {
				t.Errorf("update errors %v", ct.errs)
			}
			if !slices.Equal(ct.actions, tt.want) {
				t.Errorf("case changes %v, want %v", ct.actions, tt.want)
			}
			if len(ct.changes) > 0 && !slices.Equal(ct.changes[0].Categories, tt.categories) {
				t.Errorf("categories written %v, want %v", ct.changes[0].Categories, tt.categories)
			}
		})
	}
}

// TestAssignCase: the handling task goes to an officer whose unit reaches
// it; one elsewhere is refused before anything is written.
func TestAssignCase(t *testing.T) {
	ct := newCaseTest(t, 1000)
	ct.env.RegisterDelayedCallback(func() {
		ct.supervise(workflows.CaseActionRequest{Action: workflows.ActAssign, Assignee: "caseworker-3301", AssigneeUnit: "3301", Reason: "Petugas Cilacap"})
		ct.supervise(workflows.CaseActionRequest{Action: workflows.ActAssign, Assignee: "caseworker-3329", AssigneeUnit: "3329", Reason: "Menangani kasus serupa"})
	}, time.Hour)
	ct.env.RegisterDelayedCallback(func() { ct.env.CancelWorkflow() }, 2*time.Hour)
	ct.run(false)
	if len(ct.errs) != 2 || ct.errs[1] != nil {
		t.Fatalf("update errors %v, want the first refused and the second done", ct.errs)
	}
	refusedAs(t, "an assignee outside the unit", ct.errs[0], lindungi.EINVALID, "assignee")
	if len(ct.changes) != 1 {
		t.Fatalf("case changes %+v, want the one assignment", ct.changes)
	}
	got := ct.changes[0]
	if got.Kind != activities.ChangeAssign || got.TaskID != ct.tasks[0].ID || got.Assignee != "caseworker-3329" ||
		got.Reason != "Menangani kasus serupa" || got.Actor != supervisor3329 {
		t.Errorf("assignment %+v, want the handling task to caseworker-3329 with the reason", got)
	}
}

// TestSupervisionRefusals: each of the three actions is refused, before
// anything is written, without a reason, with what the action cannot
// take, or on a closed case.
func TestSupervisionRefusals(t *testing.T) {
	ct := newCaseTest(t, 1000)
	ct.withReroute()
	type refusal struct {
		what        string
		req         workflows.CaseActionRequest
		code, field string
	}
	open := []refusal{
		{"recategorise without a reason", workflows.CaseActionRequest{Action: workflows.ActRecategorise,
			Categories: []lindungi.CaseCategory{lindungi.CatJobFraud}}, lindungi.EINVALID, "reason"},
		{"an unknown category", workflows.CaseActionRequest{Action: workflows.ActRecategorise,
			Categories: []lindungi.CaseCategory{"SMUGGLING"}, Reason: "Hasil verifikasi"}, lindungi.EINVALID, "categories[0]"},
		{"no category", workflows.CaseActionRequest{Action: workflows.ActRecategorise, Reason: "Hasil verifikasi"}, lindungi.EINVALID, "categories"},
		{"raise without a reason", workflows.CaseActionRequest{Action: workflows.ActSetRisk, Risk: lindungi.RiskHigh, Reason: " "}, lindungi.EINVALID, "reason"},
		{"an unknown level", workflows.CaseActionRequest{Action: workflows.ActSetRisk, Risk: "extreme", Reason: "Indikasi TPPO"}, lindungi.EINVALID, "level"},
		{"the level it has", workflows.CaseActionRequest{Action: workflows.ActSetRisk, Risk: lindungi.RiskNormal, Reason: "Tetap biasa"}, lindungi.ECONFLICT, ""},
		{"assign without a reason", workflows.CaseActionRequest{Action: workflows.ActAssign, Assignee: "caseworker-3329", AssigneeUnit: "3329"}, lindungi.EINVALID, "reason"},
		{"assign to no one", workflows.CaseActionRequest{Action: workflows.ActAssign, Reason: "Petugas baru"}, lindungi.EINVALID, "assignee"},
	}
	closed := []refusal{
		{"recategorise a closed case", workflows.CaseActionRequest{Action: workflows.ActRecategorise,
			Categories: []lindungi.CaseCategory{lindungi.CatJobFraud}, Reason: "Hasil verifikasi"}, lindungi.ECONFLICT, ""},
		{"raise a closed case", workflows.CaseActionRequest{Action: workflows.ActSetRisk, Risk: lindungi.RiskHigh, Reason: "Indikasi TPPO"}, lindungi.ECONFLICT, ""},
		{"assign a closed case", workflows.CaseActionRequest{Action: workflows.ActAssign, Assignee: "caseworker-3329", AssigneeUnit: "3329",
			Reason: "Petugas baru"}, lindungi.ECONFLICT, ""},
	}
	ct.env.RegisterDelayedCallback(func() {
		for _, r := range open {
			ct.supervise(r.req)
		}
		ct.send(workflows.UpdateCaseAction, workflows.CaseActionRequest{Action: workflows.ActProposeClosure, Reason: "Pengadu mencabut",
			Actor: activities.Actor{Subject: "cw", Unit: "3329", Role: "caseworker"}})
	}, time.Hour)
	ct.env.RegisterDelayedCallback(func() { ct.decide(lindungi.OutcomeApproved) }, 2*time.Hour)
	ct.env.RegisterDelayedCallback(func() {
		if s := ct.state(); s.Step != lindungi.CaseClosed {
			t.Fatalf("the case is %s, want CLOSED", s.Step)
		}
		for _, r := range closed {
			ct.supervise(r.req)
		}
	}, 3*time.Hour)
	ct.env.RegisterDelayedCallback(func() { ct.env.CancelWorkflow() }, 4*time.Hour)
	ct.run(false)

	all := append(open, closed...)
	// The errors, in order: the refusals of the open case, the proposal and
	// the approval (nil), then those of the closed case.
	if len(ct.errs) != len(all)+2 {
		t.Fatalf("%d update answers, want %d: %v", len(ct.errs), len(all)+2, ct.errs)
	}
	errs := append(slices.Clone(ct.errs[:len(open)]), ct.errs[len(open)+2:]...)
	for i, r := range all {
		refusedAs(t, r.what, errs[i], r.code, r.field)
	}
	for _, c := range ct.actions {
		if c == activities.ChangeCategories || c == activities.ChangeRisk || c == activities.ChangeAssign {
			t.Errorf("a refused action wrote %s", c)
		}
	}
}
