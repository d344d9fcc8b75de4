package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"io"
	"net/http"
	"regexp"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
)

var idempotencyKeyPattern = regexp.MustCompile(`^[\x21-\x7e]{1,200}$`)

// A reservation's lease: how long a retry waits for the answer of a request
// whose process died. The running request renews it, so a request may take
// longer.
const (
	idempotencyLease = 10 * time.Second
	idempotencyRenew = 3 * time.Second
)

// reservationKey is the context key of the request's reservation.
type reservationKey struct{}

// idempotency reserves the request's Idempotency-Key before the request
// runs, so that only one request with a key runs at a time:
//
//   - a key free (or held by a request that died, its lease run out) is
//     reserved and the request runs; its answer is stored if it succeeds
//     (by its database write, in the write's transaction: withAnswer), and
//     the key is released if it fails, so that a corrected retry can run;
//   - a key done replays the answer stored;
//   - a key held by a running request answers 409 with Retry-After;
//   - a key used with another request answers 409.
func (s *Server) idempotency(c *gin.Context) {
	key := c.GetHeader("Idempotency-Key")
	if key == "" {
		c.Next()
		return
	}
	if !idempotencyKeyPattern.MatchString(key) {
		s.problem(c, &lindungi.Error{Code: lindungi.EINVALID, Message: "The Idempotency-Key header is not valid.",
			Fields: []lindungi.FieldError{{Field: "Idempotency-Key", Reason: "must be 1 to 200 visible ASCII characters"}}})
		return
	}
	body, err := io.ReadAll(io.LimitReader(c.Request.Body, bodyLimit(c, maxBody)+1))
	if err != nil {
		s.problem(c, lindungi.Errorf(lindungi.EMALFORMED, "The request body could not be read."))
		return
	}
	c.Request.Body = io.NopCloser(bytes.NewReader(body))
	sum := sha256.Sum256(body)
	// The route holds the query, which some writes read (?reason=).
	k := lindungi.IdempotencyKey{Subject: principal(c).Subject, Key: key,
		Route: c.Request.Method + " " + c.Request.URL.RequestURI(), RequestHash: sum[:]}
	r := lindungi.Reservation{IdempotencyKey: k, Holder: uuid.New()}
	held, stored, err := s.Idempotency.Reserve(c.Request.Context(), k, r.Holder, idempotencyLease)
	switch {
	case err != nil:
		s.problem(c, err)
	case held:
		s.hold(c, r)
	case !stored.Same(k):
		s.problem(c, &lindungi.Error{Code: lindungi.ECONFLICT, Message: "This Idempotency-Key was used for another request.",
			Fields: []lindungi.FieldError{{Field: "Idempotency-Key", Reason: "was used with another request"}}})
	case stored.Pending:
		c.Header("Retry-After", "1")
		s.problem(c, &lindungi.Error{Code: lindungi.ECONFLICT, Message: "A request with this Idempotency-Key is still running; retry in a second to get its answer.",
			Fields: []lindungi.FieldError{{Field: "Idempotency-Key", Reason: "is held by a request still running"}}})
	default:
		c.Header("Idempotent-Replayed", "true")
		c.Data(stored.Status, "application/json; charset=utf-8", stored.Body)
		c.Abort()
	}
}

// hold runs the request that holds r, renewing its lease, then stores a
// successful answer (unless the request's write stored it already, in its
// transaction) or releases r after a failure or a panic. A failure leaves
// no effect behind: a database write rolled back, and a workflow update is
// sent again by the retry with the same update ID, which the workflow
// answers as the first time.
func (s *Server) hold(c *gin.Context, r lindungi.Reservation) {
	rec := &recorder{ResponseWriter: c.Writer}
	c.Writer = rec
	c.Request = c.Request.WithContext(context.WithValue(c.Request.Context(), reservationKey{}, r))
	stopRenewing := s.renew(c.Request.Context(), r)
	finished := false
	defer func() {
		stopRenewing()
		// The answer is kept even when the caller has gone away.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(c.Request.Context()), 5*time.Second)
		defer cancel()
		var err error
		if finished && rec.Status() < http.StatusMultipleChoices {
			err = s.Idempotency.Complete(ctx, r, rec.Status(), rec.body.Bytes())
		} else {
			err = s.Idempotency.Release(ctx, r)
		}
		if err != nil {
			s.Logger.WarnContext(ctx, "idempotency key not completed or released; a retry waits for its lease", "key", r.Key, "err", err)
		}
	}()
	c.Next()
	finished = true
}

// renew renews r's lease until the returned function is called.
func (s *Server) renew(ctx context.Context, r lindungi.Reservation) (stop func()) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(idempotencyRenew)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				if err := s.Idempotency.Renew(ctx, r, idempotencyLease); err != nil && ctx.Err() == nil {
					s.Logger.WarnContext(ctx, "idempotency lease not renewed", "key", r.Key, "err", err)
				}
			}
		}
	}()
	return func() { cancel(); <-done }
}

// recorder keeps a copy of the answer written, to store it.
type recorder struct {
	gin.ResponseWriter
	body bytes.Buffer
}

func (w *recorder) Write(b []byte) (int, error) {
	w.body.Write(b)
	return w.ResponseWriter.Write(b)
}

func (w *recorder) WriteString(s string) (int, error) {
	w.body.WriteString(s)
	return w.ResponseWriter.WriteString(s)
}

// reservation is the reservation the request holds, if it was sent with an
// Idempotency-Key.
func reservation(c *gin.Context) (lindungi.Reservation, bool) {
	r, ok := c.Request.Context().Value(reservationKey{}).(lindungi.Reservation)
	return r, ok
}

// withAnswer returns the request's context for an application service
// whose effect is one database write: when the request holds a
// reservation, the write stores status and its result as the request's
// answer in its own transaction, so that a crash cannot keep the effect
// and lose the answer. Handlers that pass it answer with status and that
// result.
func withAnswer(c *gin.Context, status int) context.Context {
	r, ok := reservation(c)
	if !ok {
		return c.Request.Context()
	}
	r.Status = status
	return lindungi.NewContextWithAnswer(c.Request.Context(), r)
}

// keyOf is the request's Idempotency-Key, or "": a workflow update sent
// with it is the same update when the request is retried, and the
// workflow answers it as the first time.
func keyOf(c *gin.Context) string {
	if r, ok := reservation(c); ok {
		return r.Key
	}
	return ""
}
