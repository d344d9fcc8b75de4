package app

import (
	"context"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/activities"
	"github.com/lindungi/lindungi/policies"
	"github.com/lindungi/lindungi/workflows"
)

// TaskFlows sends a task's updates to the workflow that owns it.
type TaskFlows interface {
	CompleteTask(ctx context.Context, t lindungi.Task, req workflows.CompleteTaskRequest, updateID string) (workflows.CompleteTaskResult, error)
	TaskAction(ctx context.Context, t lindungi.Task, name string, req workflows.TaskActionRequest, updateID string) (activities.TaskRef, error)
}

// Tasks completes, claims, moves and assigns tasks. A task's workflow owns
// its state and deadline: completion, escalation, reassignment and
// extension go through the workflow's updates, which answer once the
// database and the workflow agree.
type Tasks struct {
	Store  lindungi.TaskService
	Users  UserFinder
	Flows  TaskFlows
	Access *Access
	Units  Units
}

// Find returns a task if a may do its action on the task's unit, with the
// decision that allowed it. ENOTFOUND otherwise.
func (ts *Tasks) Find(ctx context.Context, a Actor, id uuid.UUID) (lindungi.Task, Actor, error) {
	t, err := ts.Store.FindTask(ctx, id)
	if err != nil {
		return lindungi.Task{}, a, err
	}
	a, err = ts.Access.Visible(ctx, a, t.Unit, t.WorkerID, "Task not found.")
	if err != nil {
		return lindungi.Task{}, a, err
	}
	return t, a, nil
}

// List returns the tasks in the caller's scope (its unit and below, and
// what was delegated to it) that pass f, by deadline then ID.
func (ts *Tasks) List(ctx context.Context, a Actor, f lindungi.TaskFilter) ([]lindungi.Task, error) {
	var v lindungi.Validation
	if f.Unit != "" && ts.Units.Path(f.Unit) == nil {
		v.Add("unit", "is not a known unit")
	}
	lindungi.Text{Max: 200}.Check(&v, "assignee", f.Assignee)
	if err := v.Err(); err != nil {
		return nil, err
	}
	scope, err := ts.Access.Scope(ctx, a.Principal)
	if err != nil {
		return nil, err
	}
	return ts.Store.ListTasks(ctx, scope, f)
}

// MaxNote is the longest note a completion may carry, in characters.
const MaxNote = 2000

// Completion is a request to complete a task. Key is the request's
// Idempotency-Key, if any: a retry with it is the same update.
type Completion struct {
	TaskID  uuid.UUID
	Outcome lindungi.Outcome
	Note    string
	Key     string
}

// Completed is a completed task and the step its workflow moved to.
type Completed struct {
	Task        lindungi.Task
	JourneyStep lindungi.Step
}

// Validate names the bad fields of a completion: an unknown outcome, a
// note that is not free text of at most MaxNote characters.
func (c Completion) Validate() error {
	var v lindungi.Validation
	if !c.Outcome.Valid() {
		v.Add("outcome", "must be approved, needs_correction or rejected")
	}
	lindungi.Text{Max: MaxNote, Free: true}.Check(&v, "note", c.Note)
	return v.Err()
}

// Complete completes an open task through its workflow's complete-task
// update, whose validator checks again that the task is open and the
// caller's unit may complete it; it answers after the update returns.
// ENOTFOUND for a task out of reach, then EINVALID naming bad fields,
// ECONFLICT for a task no longer open.
func (ts *Tasks) Complete(ctx context.Context, a Actor, c Completion) (Completed, error) {
	c.Note = lindungi.TrimText(c.Note)
	t, a, err := ts.Find(ctx, a, c.TaskID)
	if err != nil {
		return Completed{}, err
	}
	if err := c.Validate(); err != nil {
		return Completed{}, err
	}
	// A request with a key may be the retry of one whose update ran before
	// its process died: the workflow, which knows the update by its ID,
	// answers it as the first time (and refuses another request on a task
	// no longer open), so the task's status is not checked here.
	if t.Status != lindungi.TaskOpen && c.Key == "" {
		return Completed{}, lindungi.Errorf(lindungi.ECONFLICT, "The task is already %s.", t.Status)
	}
	res, err := ts.Flows.CompleteTask(ctx, t, workflows.CompleteTaskRequest{TaskID: t.ID, Outcome: c.Outcome, Note: c.Note,
		Actor: a.workflow(), Rule: a.Rule, RequestID: lindungi.RequestIDFromContext(ctx)}, updateID(a, "complete/"+t.ID.String(), c.Key))
	if err != nil {
		return Completed{}, err
	}
	return Completed{Task: res.Task, JourneyStep: res.JourneyStep}, nil
}

// TaskMove is a request to move an open task by hand: escalate it up the
// policy's chain, reassign it to Unit (and Role), or extend its deadline
// by WorkingDays; always with a Reason. Key is the request's
// Idempotency-Key, if any.
type TaskMove struct {
	TaskID      uuid.UUID
	Unit        string
	Role        string
	WorkingDays int
	Reason      string
	Key         string
}

// Escalate moves a task up its escalation chain by hand. ECONFLICT at the
// top of the chain.
func (ts *Tasks) Escalate(ctx context.Context, a Actor, m TaskMove) (lindungi.Task, error) {
	return ts.move(ctx, a, workflows.UpdateEscalateTask, m)
}

// Reassign gives a task to another unit, one the caller could act on too.
// EFORBIDDEN for a unit out of the caller's reach.
func (ts *Tasks) Reassign(ctx context.Context, a Actor, m TaskMove) (lindungi.Task, error) {
	return ts.move(ctx, a, workflows.UpdateReassignTask, m)
}

// Extend moves a task's deadline 1 to 30 working days later.
func (ts *Tasks) Extend(ctx context.Context, a Actor, m TaskMove) (lindungi.Task, error) {
	return ts.move(ctx, a, workflows.UpdateExtendDeadline, m)
}

// validate names the bad fields of a move by the update name: a person's
// move always says why (lindungi.CheckReason); a reassignment names a
// known unit (and a role, or none to keep the holder's); an extension
// adds 1 to 30 working days. A unit or role given is checked whatever the
// move.
func (m TaskMove) validate(name string, units Units) error {
	var v lindungi.Validation
	v.Merge(lindungi.CheckReason("reason", m.Reason))
	switch {
	case name == workflows.UpdateReassignTask && m.Unit == "":
		v.Add("unit", "is required")
	case m.Unit != "" && units.Path(m.Unit) == nil:
		v.Add("unit", "is not a known unit")
	}
	v.Merge(lindungi.CheckRole("role", m.Role))
	if name == workflows.UpdateExtendDeadline && (m.WorkingDays < 1 || m.WorkingDays > 30) {
		v.Add("working_days", "must be 1 to 30")
	}
	return v.Err()
}

// move sends the update name about an open task to its workflow, which
// owns the task's deadline, and returns the task as stored after. The
// caller must reach the task before the request is validated.
func (ts *Tasks) move(ctx context.Context, a Actor, name string, m TaskMove) (lindungi.Task, error) {
	m.Reason = lindungi.TrimText(m.Reason)
	m.Unit, m.Role = strings.TrimSpace(m.Unit), strings.TrimSpace(m.Role)
	t, a, err := ts.Find(ctx, a, m.TaskID)
	if err != nil {
		return lindungi.Task{}, err
	}
	if err := m.validate(name, ts.Units); err != nil {
		return lindungi.Task{}, err
	}
	if t.Status != lindungi.TaskOpen && m.Key == "" { // with a key, the workflow judges (see Complete)
		return lindungi.Task{}, lindungi.Errorf(lindungi.ECONFLICT, "The task is %s.", t.Status)
	}
	if name == workflows.UpdateReassignTask {
		if _, ok, err := ts.Access.At(a, m.Unit); err != nil || !ok {
			return lindungi.Task{}, &lindungi.Error{Code: lindungi.EFORBIDDEN, Message: "You may not give tasks to that unit.",
				Fields: []lindungi.FieldError{{Field: "unit", Reason: "is outside your reach"}}}
		}
	}
	_, err = ts.Flows.TaskAction(ctx, t, name, workflows.TaskActionRequest{TaskID: t.ID, Unit: m.Unit, Role: m.Role,
		WorkingDays: m.WorkingDays, Reason: m.Reason, Actor: a.workflow(), RequestID: lindungi.RequestIDFromContext(ctx)},
		updateID(a, name+"/"+t.ID.String(), m.Key))
	if err != nil {
		return lindungi.Task{}, err
	}
	return ts.Store.FindTask(ctx, t.ID)
}

// Claim makes the caller the task's assignee.
func (ts *Tasks) Claim(ctx context.Context, a Actor, id uuid.UUID) (lindungi.Task, error) {
	t, a, err := ts.Find(ctx, a, id)
	if err != nil {
		return lindungi.Task{}, err
	}
	return ts.Store.ClaimTask(ctx, t.ID, a.Principal.Subject, a.Event(ctx))
}

// Release gives a claimed task back to its queue: by its assignee, or by
// someone whom the policy's release-claimed action lets at the task's unit
// (supervisors). EFORBIDDEN for anyone else.
func (ts *Tasks) Release(ctx context.Context, a Actor, id uuid.UUID) (lindungi.Task, error) {
	t, a, err := ts.Find(ctx, a, id)
	if err != nil {
		return lindungi.Task{}, err
	}
	if t.ClaimedBy != "" && t.ClaimedBy != a.Principal.Subject && !ts.Access.may(a.Principal, t.Unit, policies.ObjTask, policies.ActReleaseClaimed) {
		return lindungi.Task{}, lindungi.Errorf(lindungi.EFORBIDDEN, "Only %s or a supervisor may release this task.", t.ClaimedBy)
	}
	return ts.Store.ReleaseTask(ctx, t.ID, a.Event(ctx))
}

// reaches reports whether a user working at unit may be given a task of
// taskUnit: it is their unit or a unit below it.
func reaches(units Units, unit, taskUnit string) bool {
	return slices.Contains(units.Path(taskUnit), unit)
}

// MaxBulk is the most tasks one assignment may touch.
const MaxBulk = 100

// Assignment gives tasks to a user.
type Assignment struct {
	TaskIDs  []uuid.UUID
	Assignee string
}

// Assigned is what became of one task of an assignment: the task as
// claimed, or the error that stopped it.
type Assigned struct {
	TaskID uuid.UUID
	Task   lindungi.Task
	Err    error
}

// Assign gives up to MaxBulk tasks to a user, checking each on its own:
// the caller reaches it, it is open, and the assignee's unit reaches it.
// The error is for the whole request (EINVALID naming bad fields or an
// unknown assignee); each task's own result is in its Assigned.
func (ts *Tasks) Assign(ctx context.Context, a Actor, r Assignment) ([]Assigned, error) {
	var v lindungi.Validation
	if len(r.TaskIDs) == 0 || len(r.TaskIDs) > MaxBulk {
		v.Add("task_ids", "must hold 1 to 100 task IDs")
	}
	r.Assignee = strings.TrimSpace(r.Assignee)
	lindungi.Text{Min: 1, Max: 200}.Check(&v, "assignee", r.Assignee)
	if err := v.Err(); err != nil {
		return nil, err
	}
	assignee, err := ts.Users.FindUser(ctx, r.Assignee)
	if lindungi.ErrorCode(err) == lindungi.ENOTFOUND {
		return nil, &lindungi.Error{Code: lindungi.EINVALID, Message: "Unknown assignee.",
			Fields: []lindungi.FieldError{{Field: "assignee", Reason: "is not a known user"}}}
	}
	if err != nil {
		return nil, err
	}
	out := make([]Assigned, 0, len(r.TaskIDs))
	for _, id := range r.TaskIDs {
		res := Assigned{TaskID: id}
		t, ta, err := ts.Find(ctx, a, id)
		if err == nil && !reaches(ts.Units, assignee.Unit, t.Unit) {
			err = lindungi.Errorf(lindungi.EINVALID, "%s works at %s, which does not reach %s.", assignee.Subject, assignee.Unit, t.Unit)
		}
		if err == nil {
			ev := ta.Event(ctx)
			ev.Action = "task.assign"
			res.Task, err = ts.Store.ClaimTask(ctx, id, assignee.Subject, ev)
		}
		res.Err = err
		out = append(out, res)
	}
	return out, nil
}
