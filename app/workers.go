package app

import (
	"context"

	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/policies"
)

// Workers finds workers in the caller's reach and merges provisional ones.
type Workers struct {
	Store  WorkerFiles
	Access *Access
}

// Find returns a worker if a may do its action on the worker's records,
// with the decision that allowed it. ENOTFOUND otherwise.
func (ws *Workers) Find(ctx context.Context, a Actor, id uuid.UUID) (lindungi.Worker, Actor, error) {
	return findWorker(ctx, ws.Store, ws.Access, a, id)
}

// Search finds the workers in the caller's scope by NIK, name (with birth
// date, or at least 3 characters) or phone. EINVALID naming bad criteria.
func (ws *Workers) Search(ctx context.Context, a Actor, q lindungi.WorkerQuery) ([]lindungi.WorkerMatch, error) {
	q.Normalize()
	if err := q.Validate(); err != nil {
		return nil, err
	}
	scope, err := ws.Access.Scope(ctx, a.Principal)
	if err != nil {
		return nil, err
	}
	q.Scope = scope
	return ws.Store.SearchWorkers(ctx, q)
}

// Merge merges the provisional worker from into the registered worker into:
// its cases and tasks move, both records and their trails stay. The caller
// must reach both workers. ENOTFOUND for from out of reach, EINVALID when
// into is uuid.Nil (no ID), from or out of reach, ECONFLICT when from is
// not provisional or into not registered.
func (ws *Workers) Merge(ctx context.Context, a Actor, from, into uuid.UUID) (lindungi.WorkerMerge, error) {
	w, a, err := ws.Find(ctx, a, from)
	if err != nil {
		return lindungi.WorkerMerge{}, err
	}
	switch into {
	case uuid.Nil:
		return lindungi.WorkerMerge{}, invalid("into", "must be the ID of the registered worker")
	case w.ID:
		return lindungi.WorkerMerge{}, invalid("into", "must be another worker")
	}
	target, err := ws.Store.FindWorker(ctx, into)
	ok := err == nil
	if ok {
		_, ok, err = ws.Access.Reach(ctx, a, target.DomicileUnit, target.ID)
	}
	if err != nil && lindungi.ErrorCode(err) != lindungi.ENOTFOUND {
		return lindungi.WorkerMerge{}, err
	}
	if !ok {
		return lindungi.WorkerMerge{}, invalid("into", "is not a worker you may see")
	}
	// The decision recorded is the one on the worker merged away.
	return ws.Store.MergeWorkers(ctx, w.ID, into, a.Event(ctx))
}

// MayCorrectNIK reports whether p may correct the NIK of a worker
// domiciled at unit: the policy's named action worker correct-nik there
// (supervisors). The correction form shows the NIK field only to them.
func (ws *Workers) MayCorrectNIK(p lindungi.Principal, unit string) bool {
	return ws.Access.may(p, unit, policies.ObjWorker, policies.ActCorrectNIK)
}

// Correct corrects the profile of a worker in the caller's reach: name,
// phone, address, scheme (with its placement company and job order) and,
// for those who may (MayCorrectNIK), the NIK, each with a reason; the
// correction and its audit event (before and after) are one transaction.
// ENOTFOUND for a worker out of reach, then EFORBIDDEN for a NIK given by
// someone who may not correct it (whatever its value), then EINVALID
// naming bad fields or for a correction that changes nothing, ECONFLICT
// as lindungi.WorkerService.CorrectWorker.
func (ws *Workers) Correct(ctx context.Context, a Actor, id uuid.UUID, c lindungi.WorkerCorrection) (lindungi.Worker, error) {
	w, a, err := ws.Find(ctx, a, id)
	if err != nil {
		return lindungi.Worker{}, err
	}
	if c.NIK != nil && !ws.MayCorrectNIK(a.Principal, w.DomicileUnit) {
		return lindungi.Worker{}, &lindungi.Error{Code: lindungi.EFORBIDDEN, Message: "Only a supervisor may correct the NIK.",
			Fields: []lindungi.FieldError{{Field: "nik", Reason: "only a supervisor may correct it"}}}
	}
	c.Normalize()
	if _, _, err := c.Check(w); err != nil {
		return lindungi.Worker{}, err
	}
	return ws.Store.CorrectWorker(ctx, w.ID, c, a.Event(ctx))
}

// Timeline returns the latest limit entries of the timeline of a worker in
// the caller's reach (lindungi.TimelineActions), oldest first. ENOTFOUND
// for a worker out of reach.
func (ws *Workers) Timeline(ctx context.Context, a Actor, id uuid.UUID, limit int) ([]lindungi.TimelineEntry, error) {
	w, _, err := ws.Find(ctx, a, id)
	if err != nil {
		return nil, err
	}
	return ws.Store.WorkerTimeline(ctx, w.ID, limit)
}
