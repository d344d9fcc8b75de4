package app_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/activities"
	"github.com/lindungi/lindungi/app"
	"github.com/lindungi/lindungi/workflows"
)

// These tests retry a request whose workflow update ran before its process
// died, leaving no stored answer: the retry, with the same key, must reach
// the workflow as the same update and get the first answer, whatever the
// database says of the task now.

// taskFlow is a fake workflow that keeps its updates by ID, as Temporal
// does: an update ID seen before answers the first outcome without running
// again; a new one is refused unless its task is open.
type taskFlow struct {
	tasks   map[uuid.UUID]*lindungi.Task
	outcome map[string]workflows.CompleteTaskResult
	ran     int
}

func (f *taskFlow) CompleteTask(_ context.Context, t lindungi.Task, req workflows.CompleteTaskRequest, updateID string) (workflows.CompleteTaskResult, error) {
	if res, ok := f.outcome[updateID]; ok {
		return res, nil
	}
	task := f.tasks[req.TaskID]
	if task.Status != lindungi.TaskOpen {
		return workflows.CompleteTaskResult{}, lindungi.Errorf(lindungi.ECONFLICT, "The task is %s, not open.", task.Status)
	}
	f.ran++
	task.Status, task.Outcome, task.CompletedBy = lindungi.TaskCompleted, req.Outcome, req.Actor.Subject
	res := workflows.CompleteTaskResult{Task: *task, JourneyStep: lindungi.StepTraining}
	f.outcome[updateID] = res
	return res, nil
}

func (f *taskFlow) TaskAction(context.Context, lindungi.Task, string, workflows.TaskActionRequest, string) (activities.TaskRef, error) {
	return activities.TaskRef{}, errors.New("not in these tests")
}

func (f *taskFlow) StartCase(context.Context, lindungi.Case, string) error { return nil }

func (f *taskFlow) CaseAction(context.Context, uuid.UUID, workflows.CaseActionRequest, string) (workflows.CaseState, error) {
	return workflows.CaseState{}, errors.New("not in these tests")
}

// taskStore is the database's view of the flow's tasks and one case.
type taskStore struct {
	lindungi.TaskService
	*store
	flow *taskFlow
	pc   lindungi.Case
}

func (s *taskStore) FindTask(_ context.Context, id uuid.UUID) (lindungi.Task, error) {
	t, ok := s.flow.tasks[id]
	if !ok {
		return lindungi.Task{}, lindungi.Errorf(lindungi.ENOTFOUND, "Task not found.")
	}
	return *t, nil
}

// OpenTaskOf and LastTaskOf find the flow's tasks by creation order (the
// order of their IDs' first byte, in these tests).
func (s *taskStore) OpenTaskOf(ctx context.Context, workflowID string, kind lindungi.TaskKind) (lindungi.Task, error) {
	return s.find(kind, true)
}

func (s *taskStore) LastTaskOf(ctx context.Context, workflowID string, kind lindungi.TaskKind) (lindungi.Task, error) {
	return s.find(kind, false)
}

func (s *taskStore) find(kind lindungi.TaskKind, open bool) (lindungi.Task, error) {
	var found *lindungi.Task
	for _, t := range s.flow.tasks {
		if t.Kind == kind && (!open || t.Status == lindungi.TaskOpen) && (found == nil || t.ID[0] > found.ID[0]) {
			found = t
		}
	}
	if found == nil {
		return lindungi.Task{}, lindungi.Errorf(lindungi.ENOTFOUND, "No task.")
	}
	return *found, nil
}

func (s *taskStore) FindCase(context.Context, uuid.UUID) (lindungi.Case, error) { return s.pc, nil }

// task returns an open task of kind at Kebumen, created n-th.
func task(n byte, kind lindungi.TaskKind, workflowID string) *lindungi.Task {
	id := uuid.New()
	id[0] = n
	return &lindungi.Task{ID: id, Kind: kind, WorkflowID: workflowID, Unit: "3305", Status: lindungi.TaskOpen}
}

func TestRetriedCompletionGetsTheFirstAnswer(t *testing.T) {
	open := task(1, lindungi.TaskVerifyRegistration, "journey/w")
	flow := &taskFlow{tasks: map[uuid.UUID]*lindungi.Task{open.ID: open}, outcome: map[string]workflows.CompleteTaskResult{}}
	s := &taskStore{store: &store{}, flow: flow}
	_, cases := services(t, s.store, &flows{}, nil)
	tasks := &app.Tasks{Store: s, Flows: flow, Access: cases.Access, Units: cases.Units}
	a, err := cases.Access.Route(lindungi.Principal{Subject: "cw", Unit: "3305", Roles: []string{lindungi.RoleCaseworker}}, "/v1/tasks/:id/complete", "POST")
	if err != nil {
		t.Fatal(err)
	}
	c := app.Completion{TaskID: open.ID, Outcome: lindungi.OutcomeApproved, Key: "complete-1"}
	first, err := tasks.Complete(context.Background(), a, c)
	if err != nil {
		t.Fatal(err)
	}

	// The process died before the answer was stored; the retry with the
	// key finds the task completed and still gets the first answer.
	again, err := tasks.Complete(context.Background(), a, c)
	if err != nil || again != first || flow.ran != 1 {
		t.Errorf("retry with the key = %+v, %v (ran %d times); want the first answer %+v, run once", again, err, flow.ran, first)
	}
	// Another key is another request: the workflow refuses it.
	c.Key = "complete-2"
	if _, err := tasks.Complete(context.Background(), a, c); lindungi.ErrorCode(err) != lindungi.ECONFLICT || flow.ran != 1 {
		t.Errorf("another key = %v (ran %d times), want ECONFLICT", err, flow.ran)
	}
	// Without a key, the completed task is refused before the workflow.
	c.Key = ""
	if _, err := tasks.Complete(context.Background(), a, c); lindungi.ErrorCode(err) != lindungi.ECONFLICT {
		t.Errorf("without a key = %v, want ECONFLICT", err)
	}
}

func TestRetriedDecisionGetsTheFirstAnswer(t *testing.T) {
	pc := lindungi.Case{ID: uuid.New(), OwnerUnit: "3305", WorkflowID: "case/c"}
	decided := task(1, lindungi.TaskClosureApproval, pc.WorkflowID)
	flow := &taskFlow{tasks: map[uuid.UUID]*lindungi.Task{decided.ID: decided}, outcome: map[string]workflows.CompleteTaskResult{}}
	s := &taskStore{store: &store{}, flow: flow, pc: pc}
	_, cases := services(t, s.store, &flows{}, nil)
	cases.Store, cases.Tasks, cases.Flows = s, s, flow
	a, err := cases.Access.Route(lindungi.Principal{Subject: "sup", Unit: "3305", Roles: []string{lindungi.RoleSupervisor}}, "/v1/cases/:id/closure/approve", "POST")
	if err != nil {
		t.Fatal(err)
	}
	d := app.Decision{CaseID: pc.ID, Kind: lindungi.TaskClosureApproval, Outcome: lindungi.OutcomeApproved, Reason: "Selesai", Key: "approve-1"}
	if _, err := cases.Decide(context.Background(), a, d); err != nil {
		t.Fatal(err)
	}
	if decided.Status != lindungi.TaskCompleted {
		t.Fatalf("the decision task is %s after the decision", decided.Status)
	}

	// The retry finds no open decision: it goes to the workflow with the
	// last one, as the same update.
	if _, err := cases.Decide(context.Background(), a, d); err != nil || flow.ran != 1 {
		t.Errorf("retry with the key = %v (ran %d times); want the first answer, run once", err, flow.ran)
	}
	// A newer proposal waits now: the retry does not decide it.
	newer := task(2, lindungi.TaskClosureApproval, pc.WorkflowID)
	flow.tasks[newer.ID] = newer
	if _, err := cases.Decide(context.Background(), a, d); err != nil || flow.ran != 1 || newer.Status != lindungi.TaskOpen {
		t.Errorf("retry with the key while a newer proposal waits = %v (ran %d times, newer %s); want the first answer, the newer one open",
			err, flow.ran, newer.Status)
	}
	// Without a key, nothing is decided twice.
	delete(flow.tasks, newer.ID)
	d.Key = ""
	if _, err := cases.Decide(context.Background(), a, d); lindungi.ErrorCode(err) != lindungi.ECONFLICT {
		t.Errorf("without a key = %v, want ECONFLICT", err)
	}
}
