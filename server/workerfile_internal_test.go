package server

import (
	"context"

	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
)

// The stores of the case and document handler tests know nothing of
// corrections and scans.

func (s *caseStore) CorrectWorker(context.Context, uuid.UUID, lindungi.WorkerCorrection, lindungi.Event) (lindungi.Worker, error) {
	return lindungi.Worker{}, errNotInTest
}

func (s *caseStore) WorkerTimeline(context.Context, uuid.UUID, int) ([]lindungi.TimelineEntry, error) {
	return nil, errNotInTest
}

func (s *docStore) AddDocumentWithScan(context.Context, uuid.UUID, lindungi.NewDocument, lindungi.NewScan, lindungi.Event) (lindungi.Document, lindungi.ScanInfo, error) {
	return lindungi.Document{}, lindungi.ScanInfo{}, errNotInTest
}

func (s *docStore) AttachScan(context.Context, uuid.UUID, lindungi.NewScan, lindungi.Event) (lindungi.ScanInfo, error) {
	return lindungi.ScanInfo{}, errNotInTest
}

func (s *docStore) FindScan(context.Context, uuid.UUID) (lindungi.Scan, error) {
	return lindungi.Scan{}, errNotInTest
}

func (s *docStore) ScansOf(context.Context, uuid.UUID) (map[uuid.UUID]lindungi.ScanInfo, error) {
	return nil, errNotInTest
}
