package activities

import (
	"context"
	"encoding/json"
	"time"

	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
)

// ExpiringDocuments names the passport and visa types that expire within
// the validity margin after at (departure).
func (a *Activities) ExpiringDocuments(ctx context.Context, workerID uuid.UUID, at time.Time) ([]lindungi.DocType, error) {
	docs, err := a.Store.ExpiringDocuments(ctx, workerID, []lindungi.DocType{lindungi.DocPassport, lindungi.DocWorkVisa}, at.Add(lindungi.DocumentValidityMargin))
	if err != nil {
		return nil, asActivityError(err)
	}
	var types []lindungi.DocType
	for _, d := range docs {
		types = append(types, d.Type)
	}
	return types, nil
}

// RecordStepInput records that a journey entered a step.
type RecordStepInput struct {
	WorkerID  uuid.UUID
	Seq       int
	Step      lindungi.Step
	Reason    string
	Actor     Actor
	RequestID string
}

// RecordStep stores the journey's new step. The first step also marks the
// journey as running, which stops the reconciler from starting it again.
func (a *Activities) RecordStep(ctx context.Context, in RecordStepInput) error {
	if err := a.Store.RecordStep(ctx, in.WorkerID, in.Seq, in.Step, in.Reason, a.event(ctx, in.Actor, in.RequestID)); err != nil {
		return asActivityError(err)
	}
	if in.Seq == 0 {
		return asActivityError(a.Store.MarkJourneyStarted(ctx, in.WorkerID))
	}
	return nil
}

// WorkerScheme returns the scheme on the worker's file, which a
// correction may have changed since the journey started.
func (a *Activities) WorkerScheme(ctx context.Context, workerID uuid.UUID) (lindungi.Scheme, error) {
	w, err := a.Store.FindWorker(ctx, workerID)
	if err != nil {
		return "", asActivityError(err)
	}
	return w.Scheme, nil
}

// ContractEnd returns the end of the worker's current work contract (the
// expiry of the WORK_CONTRACT document), or the zero time if none gives one.
func (a *Activities) ContractEnd(ctx context.Context, workerID uuid.UUID) (time.Time, error) {
	docs, err := a.Store.ListDocuments(ctx, workerID, false)
	if err != nil {
		return time.Time{}, asActivityError(err)
	}
	for _, d := range docs {
		if d.Type != lindungi.DocWorkContract || d.ExpiresOn == "" {
			continue
		}
		end, err := time.ParseInLocation(time.DateOnly, d.ExpiresOn, lindungi.WIB)
		if err != nil {
			return time.Time{}, asActivityError(err)
		}
		return end, nil
	}
	return time.Time{}, nil
}

// JourneyEventInput audits a request a journey keeps in its own state.
type JourneyEventInput struct {
	WorkerID  uuid.UUID
	Action    string
	After     map[string]any
	Actor     Actor
	RequestID string
}

// RecordJourneyEvent writes the audit event of a journey request.
func (a *Activities) RecordJourneyEvent(ctx context.Context, in JourneyEventInput) error {
	ev := a.event(ctx, in.Actor, in.RequestID)
	ev.Action, ev.SubjectType, ev.SubjectID, ev.WorkerID = in.Action, "worker", in.WorkerID.String(), &in.WorkerID
	after, err := json.Marshal(in.After)
	if err != nil {
		return err
	}
	ev.After = after
	return asActivityError(a.Store.RecordEvent(ctx, ev))
}
