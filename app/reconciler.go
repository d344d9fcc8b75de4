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

// Reconciler repairs, every Every, what a request left half done: it
// starts the journeys and case workflows that were saved but not started
// (the API died between the commit and the start, or Temporal was down),
// through the same Journeys.Start and Cases.Start as the API, and audits
// the delegations that expired.
type Reconciler struct {
	Backlog  Backlog
	Journeys *Journeys
	Cases    *Cases
	Every    time.Duration
	// Grace is how old a saved record must be before the reconciler starts
	// its workflow, so that it does not race the request that saved it.
	Grace  time.Duration
	Now    func() time.Time
	Logger *slog.Logger
}

// Batch is the most journeys, and the most cases, one pass starts.
const Batch = 100

// reconcilerRequestID is the request ID of what the reconciler starts.
const reconcilerRequestID = "reconciler"

// Run reconciles every r.Every until ctx ends.
func (r *Reconciler) Run(ctx context.Context) error {
	t := time.NewTicker(r.Every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		r.Once(ctx)
	}
}

// Once makes one pass. Failures are logged and tried again next pass.
func (r *Reconciler) Once(ctx context.Context) {
	log := logger(r.Logger)
	now := clock(r.Now)
	if n, err := r.Backlog.AuditExpiredDelegations(ctx, now); err != nil {
		log.Warn("reconciler: audit expired delegations", "err", err)
	} else if n > 0 {
		log.Info("reconciler: delegations expired", "count", n)
	}
	cases, err := r.Backlog.CasesWithoutWorkflow(ctx, now.Add(-r.Grace), Batch)
	if err != nil {
		log.Warn("reconciler: list cases", "err", err)
	}
	for _, pc := range cases {
		if err := r.Cases.Start(ctx, pc, reconcilerRequestID); err != nil {
			log.Warn("reconciler: start case", "case_id", pc.ID, "err", err)
		}
	}
	missing, err := r.Backlog.WorkersWithoutJourney(ctx, now.Add(-r.Grace), Batch)
	if err != nil {
		log.Warn("reconciler: list workers", "err", err)
		return
	}
	for _, m := range missing {
		in := workflows.JourneyInput{WorkerID: m.WorkerID, DomicileUnit: m.DomicileUnit, Scheme: m.Scheme, Entry: m.Entry,
			RequestID: reconcilerRequestID}
		if err := r.Journeys.Start(ctx, in); err != nil {
			log.Warn("reconciler: start journey", "worker_id", m.WorkerID, "err", err)
			continue
		}
		log.Info("reconciler: started missing journey", "worker_id", m.WorkerID)
	}
}
