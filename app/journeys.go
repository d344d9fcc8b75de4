package app

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/workflows"
)

// JourneyFlows starts and steers journeys in Temporal.
type JourneyFlows interface {
	StartJourney(ctx context.Context, in workflows.JourneyInput) error
	JourneyAction(ctx context.Context, workerID uuid.UUID, name string, req workflows.JourneyRequest, updateID string, result any) error
}

// Journeys registers workers and steers their journeys.
type Journeys struct {
	Store  WorkerStore
	Flows  JourneyFlows
	Access *Access
	Units  Units
	// Wake, if set, wakes the reconciler when a journey could not start.
	Wake   Waker
	Logger *slog.Logger
	Now    func() time.Time
}

// Registration is a request to register a worker.
type Registration struct {
	Worker lindungi.NewWorker
}

// Register registers a prospective worker in the caller's reach (the
// worker's domicile district, or by delegation) and starts the journey.
// The worker is saved in one transaction with its audit event and the
// answer of the request (lindungi.NewContextWithAnswer); if the journey
// cannot start now (the start waits briefly), the reconciler is woken and
// starts it as soon as Temporal answers.
// EINVALID naming bad fields, EFORBIDDEN outside the caller's reach,
// ECONFLICT for a NIK already registered or when a retry took the
// request's Idempotency-Key over. A known domicile unit is checked for
// reach before the rest is validated.
func (j *Journeys) Register(ctx context.Context, a Actor, r Registration) (lindungi.Worker, error) {
	nw := r.Worker
	nw.Normalize()
	known := j.Units.Path(nw.DomicileUnit) != nil
	if known {
		got, ok, err := j.Access.Reach(ctx, a, nw.DomicileUnit, uuid.Nil)
		if err != nil {
			return lindungi.Worker{}, err
		}
		if !ok {
			return lindungi.Worker{}, lindungi.Errorf(lindungi.EFORBIDDEN, "You may not register workers domiciled in %s; ask for a delegation.", nw.DomicileUnit)
		}
		a = got
	}
	if err := nw.Validate(clock(j.Now).In(lindungi.WIB)); err != nil {
		return lindungi.Worker{}, err
	}
	if !known {
		return lindungi.Worker{}, invalid("domicile_unit", "is not a known district")
	}
	w, err := j.Store.CreateWorker(ctx, nw, a.Event(ctx))
	if err != nil {
		return lindungi.Worker{}, err
	}
	err = j.Start(ctx, workflows.JourneyInput{WorkerID: w.ID, DomicileUnit: w.DomicileUnit, Scheme: w.Scheme, Entry: nw.Entry,
		RequestID: lindungi.RequestIDFromContext(ctx)})
	logLaunch(ctx, logger(j.Logger), j.Wake, "journey", w.ID, err)
	return w, nil
}

// Start starts a saved worker's journey and records that it runs. The
// journey's ID derives from the worker's, so starting it again starts
// nothing new.
func (j *Journeys) Start(ctx context.Context, in workflows.JourneyInput) error {
	return launch(ctx,
		func(ctx context.Context) error { return j.Flows.StartJourney(ctx, in) },
		func(ctx context.Context) error { return j.Store.MarkJourneyStarted(ctx, in.WorkerID) })
}

// JourneyAct names what a journey is asked to do by hand.
type JourneyAct string

// What a journey may be asked to do by hand: the names of its updates.
const (
	CloseJourney          JourneyAct = workflows.UpdateCloseJourney
	RecordReturn          JourneyAct = workflows.UpdateRecordReturn
	ExtendContract        JourneyAct = workflows.UpdateExtendContract
	RequestRehabilitation JourneyAct = workflows.UpdateRequestRehabilitation
)

// JourneyAction asks a worker's journey to close (with Reason), record a
// return (ArrivedAt, default now), extend the contract (ContractEnd,
// YYYY-MM-DD) or record a rehabilitation request (FamilyConsent). Key is
// the request's Idempotency-Key, if any.
type JourneyAction struct {
	WorkerID      uuid.UUID
	Act           JourneyAct
	Reason        string
	ArrivedAt     time.Time
	ContractEnd   string
	FamilyConsent bool
	Key           string
}

// Validate names the bad fields of a journey action on the instant now:
// closing says why (lindungi.CheckReason), and any other reason given is
// free text of at most 500 characters; a return is not in the future; a
// contract ends on a date (contract_end, when given, is a date whatever
// the action).
func (r JourneyAction) Validate(now time.Time) error {
	var v lindungi.Validation
	switch r.Act {
	case CloseJourney:
		v.Merge(lindungi.CheckReason("reason", r.Reason))
	case RecordReturn, ExtendContract, RequestRehabilitation:
		v.Merge(lindungi.CheckOptionalReason("reason", r.Reason))
	default:
		v.Add("", fmt.Sprintf("%q is not a journey action", r.Act))
	}
	if r.Act == RecordReturn && r.ArrivedAt.After(now) {
		v.Add("arrived_at", "is in the future")
	}
	if _, err := time.ParseInLocation(time.DateOnly, r.ContractEnd, lindungi.WIB); err != nil && (r.Act == ExtendContract || r.ContractEnd != "") {
		v.Add("contract_end", "must be a date in the form YYYY-MM-DD")
	}
	return v.Err()
}

// Act steers a worker's journey by hand; the journey validates the request
// against its state. It returns the worker as stored after. ENOTFOUND for
// a worker out of reach, then EINVALID naming bad fields
// (JourneyAction.Validate), ECONFLICT when the journey's step does not
// allow it.
func (j *Journeys) Act(ctx context.Context, a Actor, r JourneyAction) (lindungi.Worker, error) {
	r.Reason = lindungi.TrimText(r.Reason)
	r.ContractEnd = strings.TrimSpace(r.ContractEnd)
	w, a, err := findWorker(ctx, j.Store, j.Access, a, r.WorkerID)
	if err != nil {
		return lindungi.Worker{}, err
	}
	if err := r.Validate(clock(j.Now)); err != nil {
		return lindungi.Worker{}, err
	}
	req := workflows.JourneyRequest{Reason: r.Reason, FamilyConsent: r.FamilyConsent}
	switch r.Act {
	case RecordReturn:
		req.At = r.ArrivedAt
	case ExtendContract:
		req.At, _ = time.ParseInLocation(time.DateOnly, r.ContractEnd, lindungi.WIB)
	}
	req.Actor, req.RequestID = a.workflow(), lindungi.RequestIDFromContext(ctx)
	var result any
	name := string(r.Act)
	if err := j.Flows.JourneyAction(ctx, w.ID, name, req, updateID(a, name+"/"+w.ID.String(), r.Key), &result); err != nil {
		return lindungi.Worker{}, err
	}
	return j.Store.FindWorker(ctx, w.ID)
}

// findWorker loads a worker if a may do its action on the worker's
// records, and returns a with the decision that allowed it. ENOTFOUND
// otherwise.
func findWorker(ctx context.Context, store WorkerFinder, x *Access, a Actor, id uuid.UUID) (lindungi.Worker, Actor, error) {
	w, err := store.FindWorker(ctx, id)
	if err != nil {
		return lindungi.Worker{}, a, err
	}
	a, err = x.Visible(ctx, a, w.DomicileUnit, w.ID, "Worker not found.")
	if err != nil {
		return lindungi.Worker{}, a, err
	}
	return w, a, nil
}
