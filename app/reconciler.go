package app

import (
	"context"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/workflows"
)

// JourneyStart is a saved worker whose journey is not known to run, as
// the reconciler needs it to start the journey.
type JourneyStart struct {
	WorkerID     uuid.UUID
	DomicileUnit string
	Scheme       lindungi.Scheme
	Entry        lindungi.Step // a journey not started yet is still at its entry
}

// Backlog lists what the reconciler repairs.
type Backlog interface {
	// AuditExpiredDelegations writes the audit event of each delegation
	// that expired by t and returns how many.
	AuditExpiredDelegations(ctx context.Context, t time.Time) (int, error)
	// CasesWithoutWorkflow returns up to limit open cases received before
	// olderThan whose workflow is not known to run.
	CasesWithoutWorkflow(ctx context.Context, olderThan time.Time, limit int) ([]lindungi.Case, error)
	// WorkersWithoutJourney returns up to limit workers registered before
	// olderThan whose journey is not known to run.
	WorkersWithoutJourney(ctx context.Context, olderThan time.Time, limit int) ([]JourneyStart, error)
}

// Reconciler repairs what a request left half done: it starts the
// journeys and case workflows that were saved but not started (the API died
// between the commit and the start, or Temporal was down), through the
// same Journeys.Start and Cases.Start as the API, and audits the
// delegations that expired. It makes a pass every Every, as a safety net,
// and at once when Wake delivers (a request could not start a workflow).
// A pass that finds Temporal or the database unavailable stops, and the
// next comes sooner: after a second, then twice as long each time, up to
// Every.
type Reconciler struct {
	Backlog  Backlog
	Journeys *Journeys
	Cases    *Cases
	Every    time.Duration
	// Wake, if not nil, wakes the reconciler for a pass now.
	Wake <-chan struct{}
	// Grace is how old a saved record must be before a regular pass starts
	// its workflow, so that it does not race the request that saved it. A
	// pass on a wake-up, or a retry after an outage, has none: the request
	// has given up.
	Grace  time.Duration
	Now    func() time.Time
	Logger *slog.Logger
}

// Batch is the most journeys, and the most cases, one pass starts.
const Batch = 100

// reconcilerRequestID is the request ID of what the reconciler starts.
const reconcilerRequestID = "reconciler"

// firstRetry is how soon a pass that met an outage is tried again.
const firstRetry = time.Second

// Run reconciles until ctx ends.
func (r *Reconciler) Run(ctx context.Context) error {
	t := time.NewTimer(r.Every)
	defer t.Stop()
	retry := time.Duration(0) // 0 while the last pass finished
	for {
		grace := time.Duration(0)
		select {
		case <-ctx.Done():
			return nil
		case <-r.Wake:
		case <-t.C:
			if retry == 0 {
				grace = r.Grace
			}
		}
		if r.pass(ctx, grace) {
			retry = 0
			t.Reset(r.Every)
			continue
		}
		retry = min(max(2*retry, firstRetry), r.Every)
		t.Reset(retry)
	}
}

// Once makes one pass. Failures are logged and tried again next pass.
func (r *Reconciler) Once(ctx context.Context) { r.pass(ctx, r.Grace) }

// pass makes one pass over the records saved more than grace ago, and
// reports whether it finished: false when it stopped at an outage.
func (r *Reconciler) pass(ctx context.Context, grace time.Duration) bool {
	log := logger(r.Logger)
	now := clock(r.Now)
	if n, err := r.Backlog.AuditExpiredDelegations(ctx, now); err != nil {
		log.Warn("reconciler: audit expired delegations", "err", err)
	} else if n > 0 {
		log.Info("reconciler: delegations expired", "count", n)
	}
	cases, err := r.Backlog.CasesWithoutWorkflow(ctx, now.Add(-grace), Batch)
	if err != nil {
		log.Warn("reconciler: list cases", "err", err)
		if outage(err) {
			return false
		}
	}
	for _, pc := range cases {
		if err := r.Cases.Start(ctx, pc, reconcilerRequestID); err != nil {
			log.Warn("reconciler: start case", "case_id", pc.ID, "err", err)
			if outage(err) {
				return false
			}
		}
	}
	missing, err := r.Backlog.WorkersWithoutJourney(ctx, now.Add(-grace), Batch)
	if err != nil {
		log.Warn("reconciler: list workers", "err", err)
		return !outage(err)
	}
	for _, m := range missing {
		in := workflows.JourneyInput{WorkerID: m.WorkerID, DomicileUnit: m.DomicileUnit, Scheme: m.Scheme, Entry: m.Entry,
			RequestID: reconcilerRequestID}
		if err := r.Journeys.Start(ctx, in); err != nil {
			log.Warn("reconciler: start journey", "worker_id", m.WorkerID, "err", err)
			if outage(err) {
				return false
			}
			continue
		}
		log.Info("reconciler: started missing journey", "worker_id", m.WorkerID)
	}
	return true
}

// outage reports whether err says a dependency is unavailable or slow, so
// that the rest of a pass would fail the same way.
func outage(err error) bool {
	switch lindungi.ErrorCode(err) {
	case lindungi.EUNAVAILABLE, lindungi.ETIMEOUT:
		return true
	}
	return false
}
