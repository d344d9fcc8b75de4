package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"io"
	"regexp"

	"github.com/gin-gonic/gin"
	"github.com/lindungi/lindungi"
)

var idempotencyKeyPattern = regexp.MustCompile(`^[\x21-\x7e]{1,200}$`)

// idempotencyCtxKey is the context key of the request's idempotency key.
type idempotencyCtxKey struct{}

// idempotency replays the stored answer of a request retried with the same
// Idempotency-Key, and refuses the key with another request. Handlers store
// their answer (the application service does, in its own transaction,
// where it has one).
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
	body, err := io.ReadAll(io.LimitReader(c.Request.Body, maxBody+1))
	if err != nil {
		s.problem(c, lindungi.Errorf(lindungi.EMALFORMED, "The request body could not be read."))
		return
	}
	c.Request.Body = io.NopCloser(bytes.NewReader(body))
	sum := sha256.Sum256(body)
	k := lindungi.IdempotencyKey{Subject: principal(c).Subject, Key: key,
		Route: c.Request.Method + " " + c.Request.URL.Path, RequestHash: sum[:]}
	if s.replay(c, k) {
		return
	}
	c.Request = c.Request.WithContext(context.WithValue(c.Request.Context(), idempotencyCtxKey{}, k))
	c.Next()
}

// replay answers with the response stored for k, if there is one.
func (s *Server) replay(c *gin.Context, k lindungi.IdempotencyKey) bool {
	stored, err := s.Idempotency.FindResponse(c.Request.Context(), k.Subject, k.Key)
	switch {
	case lindungi.ErrorCode(err) == lindungi.ENOTFOUND:
		return false
	case err != nil:
		s.problem(c, err)
		return true
	case stored.Route != k.Route || !bytes.Equal(stored.RequestHash, k.RequestHash):
		s.problem(c, &lindungi.Error{Code: lindungi.ECONFLICT, Message: "This Idempotency-Key was used for another request.",
			Fields: []lindungi.FieldError{{Field: "Idempotency-Key", Reason: "was used with another request"}}})
		return true
	}
	c.Header("Idempotent-Replayed", "true")
	c.Data(stored.Status, "application/json; charset=utf-8", stored.Body)
	c.Abort()
	return true
}

// replayRace answers a conflict on a request made with a key by the answer
// of the concurrent request with the same key that won the race, if that is
// what happened.
func (s *Server) replayRace(c *gin.Context, err error) bool {
	key := idempotencyKeyOf(c)
	return key != nil && lindungi.ErrorCode(err) == lindungi.ECONFLICT && s.replay(c, *key)
}

// idempotencyKeyOf returns the request's idempotency key, if it has one.
func idempotencyKeyOf(c *gin.Context) *lindungi.IdempotencyKey {
	k, ok := c.Request.Context().Value(idempotencyCtxKey{}).(lindungi.IdempotencyKey)
	if !ok {
		return nil
	}
	return &k
}

// keyOf is the request's Idempotency-Key, or "": a workflow update sent
// with it is the same update when the request is retried.
func keyOf(c *gin.Context) string {
	if k := idempotencyKeyOf(c); k != nil {
		return k.Key
	}
	return ""
}

// storeResponse keeps the answer of an idempotent request made with a key.
func (s *Server) storeResponse(c *gin.Context, status int, body any) {
	key := idempotencyKeyOf(c)
	if key == nil {
		return
	}
	b, err := json.Marshal(body)
	if err == nil {
		err = s.Idempotency.SaveResponse(c.Request.Context(), *key, status, b)
	}
	if err != nil {
		s.Logger.WarnContext(c.Request.Context(), "idempotent response not stored", "err", err)
	}
}

// answer renders body with status, and stores it for a retry with the
// request's Idempotency-Key.
func (s *Server) answer(c *gin.Context, status int, body any) {
	s.storeResponse(c, status, body)
	c.JSON(status, body)
}
