package lindungi

import (
	"context"
	"encoding/json"
	"time"

	"github.com/google/uuid"
)

// IdempotencyKey identifies a retried request: the caller, the key it sent,
// and the request it was sent with.
type IdempotencyKey struct {
	Subject     string
	Key         string
	Route       string // method and target, e.g. "POST /v1/workers" or "DELETE /v1/holidays/2026-12-25?reason=..."
	RequestHash []byte
}

// Reservation is an idempotency key held by the one request that runs with
// it. The request's answer completes it (the key is then done and replays
// that answer); a request that fails releases it; a request that dies keeps
// it until its lease runs out, when a retry takes it over.
type Reservation struct {
	IdempotencyKey
	// Holder names the running request that holds the key: only it
	// completes or releases the reservation.
	Holder uuid.UUID
	// Status is the status the request answers with when its write
	// succeeds, for a write that completes the reservation in its own
	// transaction (NewContextWithAnswer).
	Status int
}

// StoredResponse is what is kept for an idempotency key: the request it was
// first sent with and, once that request is done, its answer.
type StoredResponse struct {
	Route       string
	RequestHash []byte
	// Pending says the request that holds the key still runs (or died
	// less than a lease ago): there is no answer yet.
	Pending bool
	Status  int
	Body    json.RawMessage
}

// Same reports whether k is the request the key was first sent with.
func (s StoredResponse) Same(k IdempotencyKey) bool {
	return s.Route == k.Route && string(s.RequestHash) == string(k.RequestHash)
}

// IdempotencyService keeps idempotency keys: which request holds one while
// it runs, and the answer it gave. A write whose effect is in the database
// stores the answer in its own transaction (NewContextWithAnswer); the
// answer of an effect in a workflow is stored after the workflow answers,
// and a retry re-sends the same workflow update, which the workflow
// answers as the first time.
type IdempotencyService interface {
	// Reserve reserves k for the request holder for lease. held is true
	// when holder now holds the key: it was free, or its holder's lease
	// ran out with the same request (that request is taken to have died).
	// Otherwise stored is the key as it stands: done with its answer, or
	// pending under another holder, for this request or another one. It
	// returns no domain error codes.
	Reserve(ctx context.Context, k IdempotencyKey, holder uuid.UUID, lease time.Duration) (held bool, stored StoredResponse, err error)
	// Renew extends the lease of a reservation r.Holder still holds. It
	// returns no domain error codes.
	Renew(ctx context.Context, r Reservation, lease time.Duration) error
	// Complete stores status and body as the answer of the request that
	// holds r, unless the reservation is done already (its write stored the
	// answer) or another request took it over. It returns no domain error
	// codes.
	Complete(ctx context.Context, r Reservation, status int, body json.RawMessage) error
	// Release frees a reservation r.Holder still holds, after a request
	// that failed without effect: a retry then runs again. It returns no
	// domain error codes.
	Release(ctx context.Context, r Reservation) error
	// FindResponse returns what is kept for a caller's key. ENOTFOUND if
	// nothing is.
	FindResponse(ctx context.Context, subject, key string) (StoredResponse, error)
}

// answerKey is the context key of a reservation a write completes.
type answerKey struct{}

// NewContextWithAnswer returns ctx carrying r: a store write made with the
// context completes r in the write's own transaction, with r.Status and
// the write's result as the answer, so that the effect and the answer
// commit together or not at all. A request whose effect is one write
// passes it; one that writes several times does not. The writes that
// complete it: CreateWorker, CreateCase, MergeWorkers, AddDocument,
// VerifyDocument, RejectDocument, CreateDelegation, RevokeDelegation,
// AddHoliday, RemoveHoliday, ChangePolicy, ClaimTask and ReleaseTask. Each
// answers ECONFLICT, and writes nothing, when the request no longer holds
// r (a retry took it over after its lease ran out).
func NewContextWithAnswer(ctx context.Context, r Reservation) context.Context {
	return context.WithValue(ctx, answerKey{}, r)
}

// AnswerFromContext returns the reservation a write made with ctx
// completes, if any.
func AnswerFromContext(ctx context.Context) (Reservation, bool) {
	r, ok := ctx.Value(answerKey{}).(Reservation)
	return r, ok
}
