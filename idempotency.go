package lindungi

import (
	"context"
	"encoding/json"
)

// IdempotencyKey identifies a retried request: the caller, the key it sent,
// the request it was sent with, and the answer first given.
type IdempotencyKey struct {
	Subject     string
	Key         string
	Route       string // method and path, e.g. "POST /v1/workers"
	RequestHash []byte
}

// StoredResponse is the answer kept for an idempotency key.
type StoredResponse struct {
	Route       string
	RequestHash []byte
	Status      int
	Body        json.RawMessage
}

// IdempotencyService keeps the answers given to requests sent with an
// idempotency key, so that a retried request gets the first answer again.
// A write that creates something stores its answer in its own transaction
// (CreateWorkerIdempotent, CreateCaseIdempotent).
type IdempotencyService interface {
	// FindResponse returns the answer stored for a caller's key. ENOTFOUND
	// if there is none.
	FindResponse(ctx context.Context, subject, key string) (StoredResponse, error)
	// SaveResponse stores the answer given to a request made with k. A key
	// stored already keeps its first answer. It returns no domain error
	// codes.
	SaveResponse(ctx context.Context, k IdempotencyKey, status int, body json.RawMessage) error
}
