package app

import (
	"context"
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
	// Wake, if set, wakes the reconciler when a journey could not start.
	Wake   Waker
	Logger *slog.Logger
	Now    func() time.Time
}

// Registration is a request to register a worker. Key, when the request
// has one, is stored with the worker in its transaction.
type Registration struct {
	Worker lindungi.NewWorker
	Key    *lindungi.IdempotencyKey
}

// Register registers a prospective worker in the caller's reach (the
// worker's domicile district, or by delegation) and starts the journey.
// The worker is saved in one transaction with its audit event; if the
// journey cannot start now (the start waits briefly), the reconciler is
// woken and starts it as soon as Temporal answers.
// EINVALID naming bad fields, EFORBIDDEN outside the caller's reach,
// ECONFLICT for a NIK already registered or a key already used.
func (j *Journeys) Register(ctx context.Context, a Actor, r Registration) (lindungi.Worker, error) {
	nw := r.Worker
	nw.Normalize()
	if err := nw.Validate(clock(j.Now).In(lindungi.WIB)); err != nil {
		return lindungi.Worker{}, err
	}
	a, ok, err := j.Access.Reach(ctx, a, nw.DomicileUnit, uuid.Nil)
	if err != nil {
		return lindungi.Worker{}, err
	}
	if !ok {
		return lindungi.Worker{}, lindungi.Errorf(lindungi.EFORBIDDEN, "You may not register workers domiciled in %s; ask for a delegation.", nw.DomicileUnit)
	}
	w, err := j.Store.CreateWorkerIdempotent(ctx, nw, a.Event(ctx), r.Key)
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

// Act steers a worker's journey by hand; the journey validates the request
// against its state. It returns the worker as stored after. EINVALID naming
// bad fields, ENOTFOUND for a worker out of reach, ECONFLICT when the
// journey's step does not allow it.
func (j *Journeys) Act(ctx context.Context, a Actor, r JourneyAction) (lindungi.Worker, error) {
	r.Reason = strings.TrimSpace(r.Reason)
	req := workflows.JourneyRequest{Reason: r.Reason, FamilyConsent: r.FamilyConsent}
	var v lindungi.Validation
	switch r.Act {
	case CloseJourney:
		if err := lindungi.CheckReason("reason", r.Reason); err != nil {
			return lindungi.Worker{}, err
		}
	case RecordReturn:
		req.At = r.ArrivedAt
		if !r.ArrivedAt.IsZero() && r.ArrivedAt.After(clock(j.Now)) {
			v.Add("arrived_at", "is in the future")
		}
	case ExtendContract:
		end, err := time.ParseInLocation(time.DateOnly, r.ContractEnd, lindungi.WIB)
		if err != nil {
			v.Add("contract_end", "must be a date in the form YYYY-MM-DD")
		}
		req.At = end
	case RequestRehabilitation:
	default:
		return lindungi.Worker{}, lindungi.Errorf(lindungi.EINVALID, "Unknown journey action %q.", r.Act)
	}
	if err := v.Err(); err != nil {
		return lindungi.Worker{}, err
	}
	w, a, err := findWorker(ctx, j.Store, j.Access, a, r.WorkerID)
	if err != nil {
		return lindungi.Worker{}, err
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
