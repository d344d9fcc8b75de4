package workflows

import (
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/activities"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// Names of the task updates, which every workflow with a ledger serves.
const (
	UpdateCompleteTask   = "complete-task"
	UpdateEscalateTask   = "escalate-task"
	UpdateReassignTask   = "reassign-task"
	UpdateExtendDeadline = "extend-deadline"
)

// Requests of the task updates. Actor and RequestID say who asked, for audit.
type (
	CompleteTaskRequest struct {
		TaskID    uuid.UUID
		Outcome   lindungi.Outcome
		Note      string
		Actor     activities.Actor
		Rule      string // the access rule that let the actor do it
		RequestID string
	}
	TaskActionRequest struct {
		TaskID      uuid.UUID
		Unit        string // reassign: the new unit
		Role        string // reassign: the new holder role ("" keeps it)
		WorkingDays int    // extend: how many more working days
		Reason      string
		Actor       activities.Actor
		RequestID   string
	}
)

// CompleteTaskResult is the answer of the complete-task update: the task
// and the step after it (the journey's step, or the case's).
type CompleteTaskResult struct {
	Task        lindungi.Task
	JourneyStep lindungi.Step
}

// TaskEntry is what a workflow keeps of one of its tasks: the task as the
// activities last reported it, and the workflow's own marks. The marks are
// not task statuses: the API reads statuses from PostgreSQL, never from here.
type TaskEntry struct {
	activities.TaskRef
	// Pending is set from the moment the workflow asks for the task until
	// the activity creating it answers; only the ID, kind, step, attempt and
	// subject are known then, and the status is empty.
	Pending bool `json:",omitempty"`
	// Completing is set while a completion is being written, so that
	// updates queued behind it see the task taken.
	Completing bool `json:",omitempty"`
	// Handled is set once the workflow has acted on the task's outcome.
	Handled bool `json:",omitempty"`
}

// open reports whether the task is stored, open and not being completed.
func (t TaskEntry) open() bool { return t.Status == lindungi.TaskOpen && !t.Completing }

// unhandled reports whether the task is completed and the workflow has not
// acted on its outcome yet.
func (t TaskEntry) unhandled() bool { return t.Status == lindungi.TaskCompleted && !t.Handled }

// Statuses that journeys before the ledger wrote into their state, which
// continue-as-new carries: decode marks them as the flags that replaced them.
const (
	legacyHandled    lindungi.TaskStatus = "completed+handled"
	legacyCompleting lindungi.TaskStatus = "completing"
)

// ledger is the one book of a workflow's tasks, shared by the journey and
// the case: it creates tasks, checks the requests made about them, writes
// their completion and records what escalation, reassignment and extension
// did to them. It works on the slice in the workflow's state, so that the
// state query and continue-as-new carry it. Its methods run no timer and
// change no search attribute: the workflow decides when to wake and what to
// show operators.
type ledger struct {
	tasks *[]TaskEntry
	noun  string    // "journey" or "case", for messages
	wf    string    // the workflow ID the task IDs derive from
	owner uuid.UUID // the worker whose documents approval checks
}

// newLedger keeps the tasks of the workflow running in ctx in *tasks,
// which may come from a state written before the ledger existed.
func newLedger(ctx workflow.Context, tasks *[]TaskEntry, noun string, owner uuid.UUID) *ledger {
	l := &ledger{tasks: tasks, noun: noun, wf: workflow.GetInfo(ctx).WorkflowExecution.ID, owner: owner}
	l.decode()
	return l
}

// decode turns the statuses of a state written before the ledger into flags.
func (l *ledger) decode() {
	for i := range *l.tasks {
		t := &(*l.tasks)[i]
		switch t.Status {
		case legacyHandled:
			t.Status, t.Handled = lindungi.TaskCompleted, true
		case legacyCompleting:
			t.Status, t.Completing = lindungi.TaskOpen, true
		}
	}
}

// find returns the task with id, or nil; the pointer is good until the
// ledger next adds or drops a task.
func (l *ledger) find(id uuid.UUID) *TaskEntry {
	if i := slices.IndexFunc(*l.tasks, func(t TaskEntry) bool { return t.ID == id }); i >= 0 {
		return &(*l.tasks)[i]
	}
	return nil
}

// count is how many tasks of kind the ledger holds.
func (l *ledger) count(kind lindungi.TaskKind) int {
	n := 0
	for _, t := range *l.tasks {
		if t.Kind == kind {
			n++
		}
	}
	return n
}

// openOf returns the open tasks of kind, or of every kind if kind is "".
func (l *ledger) openOf(kind lindungi.TaskKind) []TaskEntry {
	var out []TaskEntry
	for _, t := range *l.tasks {
		if t.open() && (kind == "" || t.Kind == kind) {
			out = append(out, t)
		}
	}
	return out
}

// create asks the CreateTask activity for a task. Its ID derives from the
// workflow, step, kind and attempt, so the ledger records it as pending
// before the row exists: an update about it that comes before the activity
// answers then waits for it (awaitCreated) instead of being told it is
// unknown. A task the ledger already knows (carried over by
// continue-as-new) is returned as it is.
func (l *ledger) create(ctx workflow.Context, in activities.CreateTaskInput) (TaskEntry, error) {
	in.WorkflowID = l.wf
	id, known := l.reserve(in)
	var ref activities.TaskRef
	err := execute(ctx, &ref, a.CreateTask, in)
	if !known && (err != nil || ref.ID != id) {
		l.forget(id)
	}
	if err != nil {
		return TaskEntry{}, err
	}
	if t := l.find(ref.ID); t != nil && !t.Pending {
		return *t, nil
	}
	l.forget(ref.ID)
	*l.tasks = append(*l.tasks, TaskEntry{TaskRef: ref})
	return TaskEntry{TaskRef: ref}, nil
}

// reserve records the task in asks for as pending, unless the ledger holds
// it already (known), and returns its ID.
func (l *ledger) reserve(in activities.CreateTaskInput) (id uuid.UUID, known bool) {
	id = lindungi.TaskID(l.wf, in.Step, in.Kind, in.Attempt)
	if t := l.find(id); t != nil {
		return id, !t.Pending
	}
	*l.tasks = append(*l.tasks, TaskEntry{Pending: true, TaskRef: activities.TaskRef{ID: id, Kind: in.Kind, Step: in.Step,
		Attempt: in.Attempt, Subject: in.Subject}})
	return id, false
}

func (l *ledger) forget(id uuid.UUID) {
	*l.tasks = slices.DeleteFunc(*l.tasks, func(t TaskEntry) bool { return t.ID == id })
}

// record puts a task as an activity reported it into the ledger, keeping
// the workflow's marks. A report that the task is open does not reopen a
// task the workflow knows to be completed or cancelled: it was read before
// that happened.
func (l *ledger) record(ref activities.TaskRef) {
	if ref.ID == uuid.Nil {
		return
	}
	t := l.find(ref.ID)
	if t == nil {
		*l.tasks = append(*l.tasks, TaskEntry{TaskRef: ref})
		return
	}
	if t.Status != lindungi.TaskOpen && ref.Status == lindungi.TaskOpen {
		ref.Status, ref.Outcome = t.Status, t.Outcome
	}
	t.TaskRef = ref
}

// cancel marks a task cancelled after the CancelTask activity ended it.
func (l *ledger) cancel(id uuid.UUID) {
	if t := l.find(id); t != nil {
		t.Status = lindungi.TaskCancelled
	}
}

// check rejects a request about a task this workflow does not have open.
// A pending task passes: its row is not there yet to check against, so
// the handler checks again once it is (awaitCreated).
func (l *ledger) check(id uuid.UUID) (TaskEntry, error) {
	t := l.find(id)
	switch {
	case t == nil:
		return TaskEntry{}, temporal.NewApplicationError("The task does not belong to this "+l.noun+".", lindungi.ENOTFOUND)
	case t.Pending:
	case t.Completing:
		return *t, conflict("The task is being completed.")
	case t.Status != lindungi.TaskOpen:
		return *t, conflict(fmt.Sprintf("The task is %s, not open.", t.Status))
	}
	return *t, nil
}

// checkCompletion rejects a completion of a task this workflow does not
// have open, or by an actor whose unit (or the unit it acts for) is
// neither the task's unit nor above it; then rules, the workflow's own
// checks of the outcome, decide.
func (l *ledger) checkCompletion(req CompleteTaskRequest, rules func(TaskEntry, CompleteTaskRequest) error) error {
	t, err := l.check(req.TaskID)
	if err != nil {
		return err
	}
	if !t.Pending && !slices.Contains(t.UnitPath, req.Actor.Authority()) {
		return temporal.NewApplicationError("The task belongs to another unit.", lindungi.EFORBIDDEN)
	}
	return rules(t, req)
}

// awaitCreated waits, in an update handler, for a task that was pending
// when the validator let the update in, and reports whether it waited: the
// handler must then check the request again, which the validator could not
// do before the task's row existed.
func (l *ledger) awaitCreated(ctx workflow.Context, id uuid.UUID) (bool, error) {
	if t := l.find(id); t == nil || !t.Pending {
		return false, nil
	}
	return true, workflow.Await(ctx, func() bool { t := l.find(id); return t == nil || !t.Pending })
}

// awaitPending waits until no task of kind is pending and reports whether
// it waited.
func (l *ledger) awaitPending(ctx workflow.Context, kind lindungi.TaskKind) (bool, error) {
	pending := func() bool {
		return slices.ContainsFunc(*l.tasks, func(t TaskEntry) bool { return t.Pending && t.Kind == kind })
	}
	if !pending() {
		return false, nil
	}
	return true, workflow.Await(ctx, func() bool { return !pending() })
}

// complete writes a completion its validator accepted, through the
// CompleteTask activity, and records it. While it is written the task is
// marked completing, so that the validators of updates queued behind it see
// it taken. The activity gets the task's worker, step and kind from the
// ledger, so it checks the step's documents without reading the task.
func (l *ledger) complete(ctx workflow.Context, req CompleteTaskRequest, rules func(TaskEntry, CompleteTaskRequest) error) (lindungi.Task, TaskEntry, error) {
	if _, err := l.awaitCreated(ctx, req.TaskID); err != nil {
		return lindungi.Task{}, TaskEntry{}, err
	}
	// Updates accepted before this one may have changed the task since its
	// validator ran.
	if err := l.checkCompletion(req, rules); err != nil {
		return lindungi.Task{}, TaskEntry{}, err
	}
	t := l.find(req.TaskID)
	t.Completing = true
	var task lindungi.Task
	err := execute(ctx, &task, a.CompleteTask, activities.CompleteTaskInput{TaskID: req.TaskID, Outcome: req.Outcome,
		Note: req.Note, Actor: req.Actor, Rule: req.Rule, RequestID: req.RequestID,
		WorkerID: l.owner, Step: t.Step, Kind: t.Kind})
	t = l.find(req.TaskID)
	t.Completing = false
	if err != nil {
		return lindungi.Task{}, TaskEntry{}, unwrapActivityError(err)
	}
	t.Status, t.Outcome = lindungi.TaskCompleted, req.Outcome
	return task, *t, nil
}

// escalate moves a task up its escalation chain through the EscalateTask
// activity and records where it went. At the top of the chain nothing
// moves; markTop then records the task as at the top, so that its
// deadline no longer wakes the workflow.
func (l *ledger) escalate(ctx workflow.Context, in activities.EscalateInput, markTop bool) (activities.EscalateResult, error) {
	var res activities.EscalateResult
	if err := execute(ctx, &res, a.EscalateTask, in); err != nil {
		return res, err
	}
	if res.AtTop {
		if !markTop {
			return res, nil
		}
		res.Task.AtTop = true
	}
	l.record(res.Task)
	return res, nil
}

// reassign moves a task to another unit through the ReassignTask activity
// and records it.
func (l *ledger) reassign(ctx workflow.Context, in activities.ReassignInput) (activities.TaskRef, error) {
	var ref activities.TaskRef
	if err := execute(ctx, &ref, a.ReassignTask, in); err != nil {
		return ref, err
	}
	l.record(ref)
	return ref, nil
}

// extend gives a task more working days through the ExtendDeadline
// activity and records it.
func (l *ledger) extend(ctx workflow.Context, in activities.ExtendInput) (activities.TaskRef, error) {
	var ref activities.TaskRef
	if err := execute(ctx, &ref, a.ExtendDeadline, in); err != nil {
		return ref, err
	}
	l.record(ref)
	return ref, nil
}

// next is the earliest deadline of an open task not yet at the top of its
// chain, or wake if that is earlier; zero when there is neither.
func (l *ledger) next(wake time.Time) time.Time {
	for _, t := range *l.tasks {
		if t.open() && !t.AtTop && (wake.IsZero() || t.DueAt.Before(wake)) {
			wake = t.DueAt
		}
	}
	return wake
}

// overdue returns the open tasks whose deadline has passed at now and that
// can still move up their chain.
func (l *ledger) overdue(now time.Time) []TaskEntry {
	var out []TaskEntry
	for _, t := range *l.tasks {
		if t.open() && !t.AtTop && !t.DueAt.After(now) {
			out = append(out, t)
		}
	}
	return out
}

// settle marks every completed task as handled and drops the finished
// tasks of steps other than step, so that the state stays small.
func (l *ledger) settle(step lindungi.Step) {
	kept := (*l.tasks)[:0]
	for _, t := range *l.tasks {
		if t.Status == lindungi.TaskCompleted {
			t.Handled = true
		}
		if t.Status == lindungi.TaskOpen || t.Pending || t.Step == step {
			kept = append(kept, t)
		}
	}
	*l.tasks = kept
}

// handled reports whether the workflow has acted on a completed task (or
// dropped or cancelled it).
func (l *ledger) handled(id uuid.UUID) bool {
	t := l.find(id)
	return t == nil || t.Status == lindungi.TaskCancelled || t.Handled
}

// taskUpdates is how a workflow answers the task updates (complete-task,
// escalate-task, reassign-task, extend-deadline) that the ledger registers
// behind its own checks.
type taskUpdates struct {
	// completeRules are the workflow's checks of a completion's outcome.
	completeRules func(TaskEntry, CompleteTaskRequest) error
	// completed acts on a completion the ledger has written, and answers.
	completed func(ctx workflow.Context, req CompleteTaskRequest, task lindungi.Task, t TaskEntry) (CompleteTaskResult, error)
	// actionRules are the workflow's checks of an escalation, reassignment
	// or extension (name says which); nil when it has none.
	actionRules func(t TaskEntry, name string, r TaskActionRequest) error
	// escalate moves a task up its chain by hand; the ledger reassigns and
	// extends by itself.
	escalate func(ctx workflow.Context, t TaskEntry, r TaskActionRequest) (activities.TaskRef, error)
	// changed hears of every escalation, reassignment and extension done.
	changed func(name string, t TaskEntry)
}

// register installs the task updates with validators that reject, before
// anything is written to history, a request about a task this workflow
// does not have open, a completion by a unit without authority over the
// task, and malformed requests.
func (l *ledger) register(ctx workflow.Context, u taskUpdates) error {
	complete := func(ctx workflow.Context, r CompleteTaskRequest) (CompleteTaskResult, error) {
		ctx = workflow.WithActivityOptions(ctx, activityOptions)
		task, t, err := l.complete(ctx, r, u.completeRules)
		if err != nil {
			return CompleteTaskResult{}, err
		}
		return u.completed(ctx, r, task, t)
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateCompleteTask, complete, workflow.UpdateHandlerOptions{
		Validator: func(r CompleteTaskRequest) error { return l.checkCompletion(r, u.completeRules) },
	}); err != nil {
		return err
	}
	for _, name := range []string{UpdateEscalateTask, UpdateReassignTask, UpdateExtendDeadline} {
		validate := func(r TaskActionRequest) error {
			switch {
			case name == UpdateReassignTask && r.Unit == "":
				return invalid("unit", "is required")
			case name == UpdateExtendDeadline && (r.WorkingDays < 1 || r.WorkingDays > 30):
				return invalid("working_days", "must be 1 to 30")
			}
			t, err := l.check(r.TaskID)
			if err != nil || u.actionRules == nil {
				return err
			}
			return u.actionRules(t, name, r)
		}
		handle := func(ctx workflow.Context, r TaskActionRequest) (activities.TaskRef, error) {
			ctx = workflow.WithActivityOptions(ctx, activityOptions)
			if waited, err := l.awaitCreated(ctx, r.TaskID); err != nil {
				return activities.TaskRef{}, err
			} else if waited {
				if err := validate(r); err != nil {
					return activities.TaskRef{}, err
				}
			}
			found := l.find(r.TaskID)
			if found == nil {
				_, err := l.check(r.TaskID)
				return activities.TaskRef{}, err
			}
			t := *found
			var ref activities.TaskRef
			var err error
			switch name {
			case UpdateEscalateTask:
				ref, err = u.escalate(ctx, t, r)
			case UpdateReassignTask:
				ref, err = l.reassign(ctx, activities.ReassignInput{TaskID: r.TaskID, Unit: r.Unit, Role: r.Role,
					Reason: r.Reason, Actor: r.Actor, RequestID: r.RequestID})
			case UpdateExtendDeadline:
				ref, err = l.extend(ctx, activities.ExtendInput{TaskID: r.TaskID, WorkingDays: r.WorkingDays,
					Reason: r.Reason, Actor: r.Actor, RequestID: r.RequestID})
			}
			if err != nil {
				return activities.TaskRef{}, unwrapActivityError(err)
			}
			u.changed(name, t)
			return ref, nil
		}
		if err := workflow.SetUpdateHandlerWithOptions(ctx, name, handle, workflow.UpdateHandlerOptions{Validator: validate}); err != nil {
			return err
		}
	}
	return nil
}
