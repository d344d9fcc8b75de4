package workflows

import (
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/activities"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// Names of the journey's workflow type, queries, updates and signals. It
// also serves the task updates (UpdateCompleteTask, ...).
const (
	JourneyWorkflowName          = "WorkerJourney"
	QueryState                   = "state"
	UpdateCloseJourney           = "close-journey"
	UpdateRecordReturn           = "record-return"
	UpdateExtendContract         = "extend-contract"
	UpdateRequestRehabilitation  = "request-rehabilitation"
	SignalComplaint              = "complaint"
	closedAfterReintegration     = "reintegration completed"
	closedByRequest              = "closed by a supervisor"
	closedRenewalFailed          = "passport or visa could not be renewed"
	closedCorrectionNotSubmitted = "documents not corrected"
)

// VerificationWorkingDays is the time a district has to verify a
// registration (DOMAIN.md: letter within 2 working days).
const VerificationWorkingDays = 2

// JourneyInput starts or continues a journey. It carries IDs and codes only.
type JourneyInput struct {
	WorkerID     uuid.UUID
	DomicileUnit string
	Scheme       lindungi.Scheme
	Risk         string        // "normal" or "high"
	Entry        lindungi.Step // OUTREACH or REGISTERED (the default)
	CheckInEvery time.Duration // how often a worker abroad is checked on; 0 is lindungi.DefaultCheckInInterval
	RequestID    string
	// Resume carries the state over when the journey continues as new.
	Resume *JourneyState `json:",omitempty"`
}

// JourneyState is what the journey knows, returned by the state query.
type JourneyState struct {
	WorkerID     uuid.UUID
	DomicileUnit string
	Scheme       lindungi.Scheme
	Risk         string
	Step         lindungi.Step
	Seq          int         // position of Step in the journey
	Attempt      int         // how many times the current step's task was sent back for correction
	Tasks        []TaskEntry // the journey's ledger: open tasks and those of the current step
	Reason       string      // why the journey closed, when it did
	AbroadSince  time.Time
	ContractEnd  time.Time
	CheckIns     int
	CheckInEvery time.Duration
	ArrivedAt    time.Time
	Returned     bool
	Rehab        bool     // rehabilitation requested with family consent
	Cases        []string // protection cases opened while abroad or after
	Closing      string   // a supervisor asked to close, with this reason
	// Attention names the step that failed for good while the journey
	// waits for an operator (SignalRetry); empty otherwise.
	Attention string `json:",omitempty"`
	Rev       int    // changes whenever a handler changes the state
}

// Requests of the updates. Actor and RequestID say who asked, for audit.
type (
	JourneyRequest struct {
		Reason        string
		At            time.Time // record-return: arrival; extend-contract: new end
		FamilyConsent bool      // request-rehabilitation
		Actor         activities.Actor
		RequestID     string
	}
	Complaint struct {
		CaseID       string
		Repatriation bool // the case's outcome brings the worker home
	}
)

// Search attributes operators use to find journeys in the Temporal UI.
var (
	SearchUnit    = temporal.NewSearchAttributeKeyKeyword("LindungiUnit")
	SearchStep    = temporal.NewSearchAttributeKeyKeyword("LindungiStep")
	SearchScheme  = temporal.NewSearchAttributeKeyKeyword("LindungiScheme")
	SearchOverdue = temporal.NewSearchAttributeKeyBool("LindungiOverdue")
)

// SearchAttributes are the custom search attributes to register, by type.
var SearchAttributes = map[string]string{
	SearchUnit.GetName(): "Keyword", SearchStep.GetName(): "Keyword",
	SearchScheme.GetName(): "Keyword", SearchOverdue.GetName(): "Bool",
}

// journey is one run of the workflow. Its by and req are who completed the
// task the journey acts on now, so that the steps it leads to are recorded
// as theirs.
type journey struct {
	run
	s  *JourneyState
	in JourneyInput
}

// WorkerJourney is one worker's journey from outreach or registration to
// closure. Each step with a task creates it (routed by policy, with a
// working-day deadline), escalates it up the policy's chain when its
// deadline passes, and moves on when it is approved; a task sent back for
// correction returns after a correction task, and a rejection closes the
// journey with the step's reason. Abroad, it checks on the worker
// periodically and watches the contract's end. It continues as new at
// phase boundaries, carrying its state.
func WorkerJourney(ctx workflow.Context, in JourneyInput) (JourneyState, error) {
	ctx = workflow.WithActivityOptions(ctx, activityOptions)
	j := &journey{run: run{ctx: ctx}, in: in}
	fresh := in.Resume == nil
	if fresh {
		entry := in.Entry
		if entry == "" {
			entry = lindungi.StepRegistered
		}
		risk := in.Risk
		if risk == "" {
			risk = "normal"
		}
		j.s = &JourneyState{WorkerID: in.WorkerID, DomicileUnit: in.DomicileUnit, Scheme: in.Scheme, Risk: risk, Step: entry,
			CheckInEvery: in.CheckInEvery}
	} else {
		j.s = in.Resume
		j.in.Resume = nil
	}
	j.ctx = withAttention(ctx, &attention{worker: j.s.WorkerID, unit: func() string { return j.s.DomicileUnit }, note: &j.s.Attention})
	j.l = newLedger(ctx, &j.s.Tasks, "journey", j.s.WorkerID)
	if err := j.register(); err != nil {
		return *j.s, err
	}
	if fresh {
		if err := j.record(j.s.Step, "", activities.System, in.RequestID, 0); err != nil {
			return *j.s, err
		}
	}
	j.upsertSearch()

	for j.s.Step != lindungi.StepClosed {
		phase := j.s.Step.Phase()
		var err error
		switch {
		case j.s.Closing != "":
			by, req := j.actor()
			err = j.close(j.s.Closing, by, req)
		case j.s.Step == lindungi.StepVerified:
			err = j.advance(lindungi.StepTraining)
		case j.s.Step == lindungi.StepAbroad:
			err = j.abroad()
		default:
			err = j.runStep()
		}
		if err != nil {
			return *j.s, err
		}
		if j.s.Step != lindungi.StepClosed && (j.s.Step.Phase() != phase || workflow.GetInfo(ctx).GetContinueAsNewSuggested()) {
			j.settle()
			next := j.in
			next.Resume = j.s
			return *j.s, continueAsNew(ctx, WorkerJourney, next)
		}
	}
	j.settle()
	err := handlersFinished(ctx)
	return *j.s, err
}

// register installs the query and the update and signal handlers.
func (j *journey) register() error {
	ctx, s := j.ctx, j.s
	if err := workflow.SetQueryHandler(ctx, QueryState, func() (JourneyState, error) { return *s, nil }); err != nil {
		return err
	}
	if err := j.l.register(ctx, taskUpdates{completeRules: journeyOutcome, completed: j.completed,
		escalate: j.escalateByHand, changed: func(string, TaskEntry) { j.changed() }}); err != nil {
		return err
	}
	handlers := []struct {
		name     string
		handler  any
		validate any
	}{
		{UpdateCloseJourney, j.requestClose, func(r JourneyRequest) error {
			if s.Step == lindungi.StepClosed || s.Closing != "" {
				return temporal.NewApplicationError("The journey is closed already.", lindungi.ECONFLICT)
			}
			return nil
		}},
		{UpdateRecordReturn, j.recordReturn, func(r JourneyRequest) error {
			if s.Step != lindungi.StepAbroad || s.Returned {
				return temporal.NewApplicationError("Only a worker abroad can return.", lindungi.ECONFLICT)
			}
			return nil
		}},
		{UpdateExtendContract, j.extendContract, func(r JourneyRequest) error {
			if s.Step != lindungi.StepAbroad {
				return temporal.NewApplicationError("Only the contract of a worker abroad can be extended.", lindungi.ECONFLICT)
			}
			if !r.At.After(s.ContractEnd) {
				return invalid("contract_end", "must be after the current end")
			}
			return nil
		}},
		{UpdateRequestRehabilitation, j.requestRehabilitation, func(r JourneyRequest) error {
			switch {
			case s.Step != lindungi.StepReturned:
				return temporal.NewApplicationError("Rehabilitation is decided when the return is recorded.", lindungi.ECONFLICT)
			case !r.FamilyConsent:
				return invalid("family_consent", "rehabilitation needs the family's recorded consent")
			case workflow.Now(j.ctx).Sub(s.ArrivedAt) > lindungi.RehabilitationWindow:
				return invalid("family_consent", "rehabilitation is possible only within a year of arrival")
			}
			return nil
		}},
	}
	for _, h := range handlers {
		if err := workflow.SetUpdateHandlerWithOptions(ctx, h.name, h.handler, workflow.UpdateHandlerOptions{Validator: h.validate}); err != nil {
			return err
		}
	}
	complaints := workflow.GetSignalChannel(ctx, SignalComplaint)
	workflow.Go(ctx, func(ctx workflow.Context) {
		for {
			var c Complaint
			complaints.Receive(ctx, &c)
			s.Cases = append(s.Cases, c.CaseID)
			if c.Repatriation && s.Step == lindungi.StepAbroad && !s.Returned {
				s.Returned, s.ArrivedAt = true, workflow.Now(ctx)
			}
			s.Rev++
		}
	})
	return nil
}

// journeyOutcome rejects an unknown outcome, and sending back a task that
// cannot be corrected.
func journeyOutcome(t TaskEntry, req CompleteTaskRequest) error {
	switch {
	case !req.Outcome.Valid():
		return temporal.NewApplicationError("The outcome must be approved, needs_correction or rejected.", lindungi.EINVALID)
	case req.Outcome == lindungi.OutcomeNeedsCorrection && !correctable(t.Kind):
		return temporal.NewApplicationError("This task cannot be sent back for correction.", lindungi.EINVALID)
	}
	return nil
}

// correctable reports whether a task of kind may be sent back: tasks of
// steps may; correction, renewal and monitoring tasks may not.
func correctable(kind lindungi.TaskKind) bool {
	for _, sp := range lindungi.StepSpecs {
		if sp.Task == kind {
			return true
		}
	}
	return false
}

// completed answers a completion once the journey has acted on its
// outcome, so that the caller sees the step it led to.
func (j *journey) completed(ctx workflow.Context, req CompleteTaskRequest, task lindungi.Task, _ TaskEntry) (CompleteTaskResult, error) {
	j.by, j.req = req.Actor, req.RequestID
	j.s.Rev++
	if err := workflow.Await(ctx, func() bool { return j.l.handled(req.TaskID) }); err != nil {
		return CompleteTaskResult{}, err
	}
	return CompleteTaskResult{Task: task, JourneyStep: j.s.Step}, nil
}

// settle marks every completed task as acted on and drops finished tasks
// of earlier steps from the state, so that it stays small.
func (j *journey) settle() { j.l.settle(j.s.Step) }

// escalateByHand moves a task up its chain for a supervisor; at the top of
// the chain it refuses.
func (j *journey) escalateByHand(ctx workflow.Context, t TaskEntry, r TaskActionRequest) (activities.TaskRef, error) {
	res, err := j.l.escalate(ctx, activities.EscalateInput{TaskID: r.TaskID, DomicileUnit: j.s.DomicileUnit, Risk: j.s.Risk,
		DueDays: dueDaysOf(t.Kind), Reason: r.Reason, Actor: r.Actor, RequestID: r.RequestID}, false)
	if err == nil && res.AtTop {
		err = temporal.NewApplicationError("No one is above the task's holder on its escalation chain.", lindungi.ECONFLICT)
	}
	return res.Task, err
}

func (j *journey) requestClose(ctx workflow.Context, r JourneyRequest) (lindungi.Step, error) {
	reason := r.Reason
	if reason == "" {
		reason = closedByRequest
	}
	j.s.Closing = reason
	j.by, j.req = r.Actor, r.RequestID
	j.s.Rev++
	if err := workflow.Await(ctx, func() bool { return j.s.Step == lindungi.StepClosed }); err != nil {
		return "", err
	}
	return j.s.Step, nil
}

func (j *journey) recordReturn(ctx workflow.Context, r JourneyRequest) (lindungi.Step, error) {
	at := r.At
	if at.IsZero() {
		at = workflow.Now(ctx)
	}
	j.s.Returned, j.s.ArrivedAt = true, at
	j.by, j.req = r.Actor, r.RequestID
	j.s.Rev++
	if err := workflow.Await(ctx, func() bool { return j.s.Step != lindungi.StepAbroad }); err != nil {
		return "", err
	}
	return j.s.Step, nil
}

func (j *journey) extendContract(ctx workflow.Context, r JourneyRequest) (time.Time, error) {
	if err := j.audit(ctx, "journey.contract_extend", map[string]any{"from": j.s.ContractEnd, "to": r.At}, r); err != nil {
		return time.Time{}, err
	}
	j.s.ContractEnd = r.At
	j.s.Rev++
	return j.s.ContractEnd, nil
}

func (j *journey) requestRehabilitation(ctx workflow.Context, r JourneyRequest) (bool, error) {
	if err := j.audit(ctx, "journey.rehabilitation_request", map[string]any{"family_consent": r.FamilyConsent}, r); err != nil {
		return false, err
	}
	j.s.Rehab = true
	j.s.Rev++
	return true, nil
}

// audit writes the event of a request the journey keeps only in its state.
// Journeys recorded before this were not audited here: the version keeps
// their histories replaying.
func (j *journey) audit(ctx workflow.Context, action string, after map[string]any, r JourneyRequest) error {
	if workflow.GetVersion(ctx, "audit-journey-requests", workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return nil
	}
	ctx = workflow.WithActivityOptions(ctx, activityOptions)
	return execute(ctx, nil, a.RecordJourneyEvent, activities.JourneyEventInput{WorkerID: j.s.WorkerID,
		Action: action, After: after, Actor: r.Actor, RequestID: r.RequestID})
}

// changed wakes the main loop after a task changed and keeps the search
// attributes current.
func (j *journey) changed() {
	j.s.Rev++
	j.upsertSearch()
}

// record stores the step at position seq and makes it the current one.
func (j *journey) record(step lindungi.Step, reason string, actor activities.Actor, requestID string, seq int) error {
	err := execute(j.ctx, nil, a.RecordStep, activities.RecordStepInput{
		WorkerID: j.s.WorkerID, Seq: seq, Step: step, Reason: reason, Actor: actor, RequestID: requestID,
	})
	if err != nil {
		return fmt.Errorf("record step %s: %w", step, err)
	}
	j.s.Step, j.s.Seq = step, seq
	j.upsertSearch()
	return nil
}

// advance moves to the next step, as the person whose completion led there.
func (j *journey) advance(next lindungi.Step) error {
	j.s.Attempt = 0
	by, req := j.actor()
	return j.record(next, "", by, req, j.s.Seq+1)
}

// actor is who the journey acts for now: the person who completed the last
// task, or the system.
func (j *journey) actor() (activities.Actor, string) {
	if j.by.Subject != "" {
		return j.by, j.req
	}
	return activities.System, j.in.RequestID
}

// close cancels the open tasks and closes the journey with a reason.
func (j *journey) close(reason string, actor activities.Actor, requestID string) error {
	for _, t := range j.l.openOf("") {
		if err := execute(j.ctx, nil, a.CancelTask, t.ID, "journey closed: "+reason); err != nil {
			return err
		}
		j.l.cancel(t.ID)
	}
	j.s.Reason = reason
	return j.record(lindungi.StepClosed, reason, actor, requestID, j.s.Seq+1)
}

func dueDaysOf(kind lindungi.TaskKind) int {
	for _, sp := range lindungi.StepSpecs {
		if sp.Task == kind {
			return sp.DueDays
		}
	}
	switch kind {
	case lindungi.TaskCorrection:
		return lindungi.CorrectionDueDays
	case lindungi.TaskRenewDocuments:
		return lindungi.RenewDueDays
	case lindungi.TaskCheckIn:
		return lindungi.CheckInDueDays
	case lindungi.TaskContractEnd:
		return lindungi.ContractEndDays
	}
	return VerificationWorkingDays
}

// createTask creates a task of the current step (attempt tells repeated
// ones apart) and puts it in the ledger.
func (j *journey) createTask(kind lindungi.TaskKind, attempt int) (TaskEntry, error) {
	t, err := j.l.create(j.ctx, activities.CreateTaskInput{
		WorkerID: j.s.WorkerID, Kind: kind, Step: j.s.Step, Attempt: attempt,
		DomicileUnit: j.s.DomicileUnit, Scheme: j.s.Scheme, Risk: j.s.Risk, DueInWorkingDays: dueDaysOf(kind),
		RequestID: j.in.RequestID,
	})
	if err != nil {
		return t, fmt.Errorf("create %s task: %w", kind, err)
	}
	return t, nil
}

// errClosing ends a wait because a supervisor asked to close the journey.
var errClosing = errors.New("journey closing")

// runTask creates a task and waits for its outcome, escalating it (and any
// other open task) whenever a deadline passes.
func (j *journey) runTask(kind lindungi.TaskKind, attempt int) (lindungi.Outcome, error) {
	created, err := j.createTask(kind, attempt)
	if err != nil {
		return "", err
	}
	for {
		if t := j.l.find(created.ID); t.unhandled() {
			return t.Outcome, nil
		}
		if j.s.Closing != "" {
			return "", errClosing
		}
		if err := j.wait(time.Time{}); err != nil {
			return "", err
		}
	}
}

// wait sleeps until the state changes, until the earliest deadline of an
// open task (which it then escalates), or until wake if it is set.
func (j *journey) wait(wake time.Time) error {
	j.settle()
	j.by, j.req = activities.Actor{}, ""
	due, err := sleep(j.ctx, j.l.next(wake), &j.s.Rev)
	if err != nil || !due {
		return err
	}
	return j.escalateOverdue()
}

// escalateOverdue escalates every open task whose deadline has passed.
func (j *journey) escalateOverdue() error {
	for _, t := range j.l.overdue(workflow.Now(j.ctx)) {
		_, err := j.l.escalate(j.ctx, activities.EscalateInput{TaskID: t.ID, DomicileUnit: j.s.DomicileUnit,
			Risk: j.s.Risk, DueDays: dueDaysOf(t.Kind), Actor: activities.System, RequestID: j.in.RequestID}, true)
		if err != nil {
			return fmt.Errorf("escalate task %s: %w", t.ID, err)
		}
		j.changed()
	}
	return nil
}

// upsertSearch keeps the search attributes operators filter on current.
func (j *journey) upsertSearch() {
	overdue := false
	for _, t := range j.l.openOf("") {
		overdue = overdue || t.AtTop || t.Level > 0
	}
	_ = workflow.UpsertTypedSearchAttributes(j.ctx,
		SearchUnit.ValueSet(j.s.DomicileUnit), SearchStep.ValueSet(string(j.s.Step)),
		SearchScheme.ValueSet(string(j.s.Scheme)), SearchOverdue.ValueSet(overdue))
}

// runStep works the current step: renewals before departure, the step's
// task, and the branch its outcome takes.
func (j *journey) runStep() error {
	spec, ok := lindungi.SpecOf(j.s.Step)
	if !ok {
		return temporal.NewNonRetryableApplicationError("no spec for step "+string(j.s.Step), "internal", nil)
	}
	if j.s.Step == lindungi.StepOrientation || j.s.Step == lindungi.StepDeparted {
		if err := j.renewDocuments(); err != nil {
			return j.closingOr(err)
		}
		if j.s.Step == lindungi.StepClosed {
			return nil
		}
	}
	outcome, err := j.runTask(spec.Task, j.s.Attempt)
	if err != nil {
		return j.closingOr(err)
	}
	switch outcome {
	case lindungi.OutcomeApproved:
		switch j.s.Step {
		case lindungi.StepReturned:
			if j.s.Rehab {
				return j.advance(lindungi.StepRehabilitation)
			}
			return j.advance(lindungi.StepReintegration)
		case lindungi.StepReintegration:
			by, req := j.actor()
			return j.close(closedAfterReintegration, by, req)
		case lindungi.StepMedical:
			if err := j.refreshScheme(); err != nil {
				return err
			}
		}
		return j.advance(lindungi.NextStep(j.s.Step, j.s.Scheme))
	case lindungi.OutcomeNeedsCorrection:
		corrected, err := j.runTask(lindungi.TaskCorrection, j.s.Attempt)
		if err != nil {
			return j.closingOr(err)
		}
		if corrected != lindungi.OutcomeApproved {
			return j.close(closedCorrectionNotSubmitted, activities.System, j.in.RequestID)
		}
		j.s.Attempt++
		return nil
	default:
		reason := spec.RejectReason
		if reason == "" {
			reason = "rejected at " + string(j.s.Step)
		}
		by, req := j.actor()
		return j.close(reason, by, req)
	}
}

// refreshScheme reads the worker's scheme from the file where the scheme
// first chooses the journey's path (after the medical check): a
// correction may have changed it since the journey started, until then
// (lindungi.SchemeCorrectable). A file without a valid scheme keeps the
// journey's. Journeys recorded before this did not read it: the version
// keeps their histories replaying.
func (j *journey) refreshScheme() error {
	if workflow.GetVersion(j.ctx, "scheme-from-file", workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return nil
	}
	var scheme lindungi.Scheme
	if err := execute(j.ctx, &scheme, a.WorkerScheme, j.s.WorkerID); err != nil {
		return fmt.Errorf("read the scheme: %w", err)
	}
	if scheme.Valid() && scheme != j.s.Scheme {
		j.s.Scheme = scheme
		j.s.Rev++
	}
	return nil
}

// closingOr turns a wait ended by a close request into the close itself.
func (j *journey) closingOr(err error) error {
	if errors.Is(err, errClosing) {
		by, req := j.actor()
		return j.close(j.s.Closing, by, req)
	}
	return err
}

// renewDocuments raises a renewal task while the passport or visa expires
// within six months of departure, until they no longer do.
func (j *journey) renewDocuments() error {
	for round := 0; ; round++ {
		var expiring []lindungi.DocType
		if err := execute(j.ctx, &expiring, a.ExpiringDocuments, j.s.WorkerID, workflow.Now(j.ctx)); err != nil {
			return err
		}
		if len(expiring) == 0 {
			return nil
		}
		outcome, err := j.runTask(lindungi.TaskRenewDocuments, round)
		if err != nil {
			return err
		}
		if outcome != lindungi.OutcomeApproved {
			return j.close(closedRenewalFailed, activities.System, j.in.RequestID)
		}
	}
}

// abroad watches a worker abroad: periodic check-ins, the contract's end,
// and the return.
func (j *journey) abroad() error {
	s := j.s
	if s.AbroadSince.IsZero() {
		s.AbroadSince = workflow.Now(j.ctx)
		var end time.Time
		if err := execute(j.ctx, &end, a.ContractEnd, s.WorkerID); err != nil {
			return err
		}
		if end.IsZero() {
			end = s.AbroadSince.Add(lindungi.DefaultContract)
		}
		s.ContractEnd = end
	}
	contractTasks := 0
	for !s.Returned && s.Closing == "" {
		now := workflow.Now(j.ctx)
		every := s.CheckInEvery
		if every <= 0 {
			every = lindungi.DefaultCheckInInterval
		}
		checkIn := s.AbroadSince.Add(time.Duration(s.CheckIns+1) * every)
		if !now.Before(checkIn) {
			if _, err := j.createTask(lindungi.TaskCheckIn, s.CheckIns); err != nil {
				return err
			}
			s.CheckIns++
			continue
		}
		end := s.ContractEnd
		if !now.Before(end) && contractTasks == 0 {
			if _, err := j.createTask(lindungi.TaskContractEnd, int(end.Unix()/86400)); err != nil {
				return err
			}
			contractTasks++
			continue
		}
		wake := checkIn
		if now.Before(end) && end.Before(wake) {
			wake = end
		}
		before := s.ContractEnd
		if err := j.wait(wake); err != nil {
			return err
		}
		if s.ContractEnd != before {
			contractTasks = 0 // extended: a new end, a new task when it comes
		}
	}
	if s.Closing != "" {
		by, req := j.actor()
		return j.close(s.Closing, by, req)
	}
	for _, t := range j.l.openOf("") {
		if t.Kind == lindungi.TaskCheckIn || t.Kind == lindungi.TaskContractEnd {
			if err := execute(j.ctx, nil, a.CancelTask, t.ID, "worker returned"); err != nil {
				return err
			}
			j.l.cancel(t.ID)
		}
	}
	return j.advance(lindungi.StepReturned)
}
