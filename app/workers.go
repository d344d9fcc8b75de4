package app

import (
	"context"

	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
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
