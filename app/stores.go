package app

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
)

// The services take the root package's services (lindungi.TaskService,
// lindungi.DelegationService, ...) where they use all of one, and otherwise
// the part of one they use, declared here; each part is checked below to
// stay a part of its service. postgres.DB implements them all.

// WorkerStore is the part of lindungi.WorkerService registration needs.
type WorkerStore interface {
	CreateWorker(ctx context.Context, w lindungi.NewWorker, ev lindungi.Event) (lindungi.Worker, error)
	FindWorker(ctx context.Context, id uuid.UUID) (lindungi.Worker, error)
	MarkJourneyStarted(ctx context.Context, id uuid.UUID) error
}

// WorkerFinder is the part of lindungi.WorkerService that finds a worker.
type WorkerFinder interface {
	FindWorker(ctx context.Context, id uuid.UUID) (lindungi.Worker, error)
}

// WorkerSearch is the part of lindungi.CaseService that searches and
// merges workers.
type WorkerSearch interface {
	SearchWorkers(ctx context.Context, q lindungi.WorkerQuery) ([]lindungi.WorkerMatch, error)
	MergeWorkers(ctx context.Context, provisionalID, registeredID uuid.UUID, ev lindungi.Event) (lindungi.WorkerMerge, error)
}

// WorkerFiles is what worker reads, corrections and merges need.
type WorkerFiles interface {
	WorkerFinder
	WorkerSearch
	WorkerCorrector
	TimelineReader
}

// WorkerCorrector is the part of lindungi.WorkerService that corrects a
// worker's profile.
type WorkerCorrector interface {
	CorrectWorker(ctx context.Context, id uuid.UUID, c lindungi.WorkerCorrection, ev lindungi.Event) (lindungi.Worker, error)
}

// TimelineReader reads a worker's timeline from the audit trail: the
// latest limit entries (lindungi.TimelineActions), oldest first, in one
// query. It returns no domain error codes.
type TimelineReader interface {
	WorkerTimeline(ctx context.Context, workerID uuid.UUID, limit int) ([]lindungi.TimelineEntry, error)
}

// CaseStore is the part of lindungi.CaseService intake and handling need:
// the rest is the workflow's, through activities.
type CaseStore interface {
	CreateCase(ctx context.Context, c lindungi.NewComplaint, ownerUnit string, ev lindungi.Event) (lindungi.Case, error)
	MarkCaseStarted(ctx context.Context, id uuid.UUID) error
	FindCase(ctx context.Context, id uuid.UUID) (lindungi.Case, error)
	CaseAsOf(ctx context.Context, id uuid.UUID, at time.Time) (lindungi.Case, error)
	ListCases(ctx context.Context, scope lindungi.Scope, f lindungi.CaseFilter) ([]lindungi.Case, error)
}

// DecisionFinder is the part of lindungi.TaskService that finds the
// decision task of a case: the open one, or the last one for a retried
// decision.
type DecisionFinder interface {
	OpenTaskOf(ctx context.Context, workflowID string, kind lindungi.TaskKind) (lindungi.Task, error)
	LastTaskOf(ctx context.Context, workflowID string, kind lindungi.TaskKind) (lindungi.Task, error)
}

// DocumentStore is the part of lindungi.DocumentService people use (the
// rest is the workflow's), and the scans of documents.
// CaseNoteStore keeps the notes of cases (lindungi.CaseNoteService).
type CaseNoteStore interface {
	AddCaseNote(ctx context.Context, caseID uuid.UUID, text string, ev lindungi.Event) (lindungi.CaseNote, error)
	CaseNotes(ctx context.Context, caseID uuid.UUID, limit int) ([]lindungi.CaseNote, error)
}

// DocumentStore is the part of lindungi.DocumentService people use; the
// rest is the workflow's.
type DocumentStore interface {
	lindungi.ScanService
	AddDocument(ctx context.Context, workerID uuid.UUID, d lindungi.NewDocument, ev lindungi.Event) (lindungi.Document, error)
	VerifyDocument(ctx context.Context, id uuid.UUID, ev lindungi.Event) (lindungi.Document, error)
	RejectDocument(ctx context.Context, id uuid.UUID, reason string, ev lindungi.Event) (lindungi.Document, error)
	ListDocuments(ctx context.Context, workerID uuid.UUID, includeSuperseded bool) ([]lindungi.Document, error)
	FindDocument(ctx context.Context, id uuid.UUID) (lindungi.Document, error)
}

// DelegationFinder is the part of lindungi.DelegationService the access
// decision needs.
type DelegationFinder interface {
	ActiveDelegations(ctx context.Context, subject, unit string, t time.Time) ([]lindungi.Delegation, error)
}

// UserFinder is the part of lindungi.UserService assignment needs.
type UserFinder interface {
	FindUser(ctx context.Context, subject string) (lindungi.User, error)
}

// Each part stays a part of its root service.
var (
	_ WorkerStore    = lindungi.WorkerService(nil)
	_ WorkerFinder   = lindungi.WorkerService(nil)
	_ WorkerSearch   = lindungi.CaseService(nil)
	_ CaseStore      = lindungi.CaseService(nil)
	_ DecisionFinder = lindungi.TaskService(nil)
	_ DocumentStore  = interface {
		lindungi.DocumentService
		lindungi.ScanService
	}(nil)
	_ WorkerCorrector  = lindungi.WorkerService(nil)
	_ CaseNoteStore    = lindungi.CaseNoteService(nil)
	_ DelegationFinder = lindungi.DelegationService(nil)
	_ UserFinder       = lindungi.UserService(nil)
)
