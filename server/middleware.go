package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/policies"
)

var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,128}$`)

// requestID takes the caller's X-Request-ID when it is well formed, or makes
// one, and puts it in the context, the logs and the response.
func (s *Server) requestID(c *gin.Context) {
	id := c.GetHeader("X-Request-ID")
	if !requestIDPattern.MatchString(id) {
		id = uuid.NewString()
	}
	c.Header("X-Request-ID", id)
	c.Request = c.Request.WithContext(lindungi.NewContextWithRequestID(c.Request.Context(), id))
	c.Next()
}

func (s *Server) logRequests(c *gin.Context) {
	start := time.Now()
	c.Next()
	s.Logger.InfoContext(c.Request.Context(), "request",
		"method", c.Request.Method, "route", c.FullPath(), "status", c.Writer.Status(),
		"duration_ms", time.Since(start).Milliseconds(), "request_id", lindungi.RequestIDFromContext(c.Request.Context()))
}

// recover turns a panic into a 500 problem.
func (s *Server) recover(c *gin.Context) {
	defer func() {
		if r := recover(); r != nil {
			if r == http.ErrAbortHandler {
				panic(r)
			}
			s.problem(c, fmt.Errorf("panic: %v", r))
		}
	}()
	c.Next()
}

const principalKey = "principal"

// authenticate checks the bearer token and puts the principal in the context.
func (s *Server) authenticate(c *gin.Context) {
	h := c.GetHeader("Authorization")
	token, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || strings.TrimSpace(token) == "" {
		s.problem(c, lindungi.Errorf(lindungi.EUNAUTHORIZED, "Send Authorization: Bearer <token>."))
		return
	}
	p, err := s.Verifier.Verify(c.Request.Context(), strings.TrimSpace(token))
	if err != nil {
		s.problem(c, err)
		return
	}
	c.Set(principalKey, p)
	c.Request = c.Request.WithContext(lindungi.NewContextWithPrincipal(c.Request.Context(), p))
	s.rememberUser(c, p)
	c.Next()
}

// authorizeRoute lets a request through when the caller's roles, at the
// caller's own unit, may use the route at all. Routes on records check the
// record's unit again in the handler.
func (s *Server) authorizeRoute(c *gin.Context) {
	p := principal(c)
	d, err := s.Authorizer.Authorize(p, p.Unit, c.FullPath(), c.Request.Method)
	if err != nil {
		s.problem(c, err)
		return
	}
	if !d.Allowed {
		s.problem(c, lindungi.Errorf(lindungi.EFORBIDDEN, "Your role may not use %s %s.", c.Request.Method, c.FullPath()))
		return
	}
	s.allowed(c, d, nil)
	c.Next()
}

const roleKey = "role"

// authorizeUnit reports whether the caller may use this route on a record
// of unit belonging to worker (uuid.Nil for none): by the policy at the
// caller's own unit, or else through a delegation in force: a queue
// delegation lets the caller's unit work the target unit's records as that
// unit would; a record delegation lets the named user work one worker's
// records. Handlers answer "not found" when it may not, so that a record's
// existence does not leak across units.
func (s *Server) authorizeUnit(c *gin.Context, unit string, worker uuid.UUID) (bool, error) {
	p := principal(c)
	d, err := s.Authorizer.Authorize(p, unit, c.FullPath(), c.Request.Method)
	if err != nil || d.Allowed {
		s.allowed(c, d, nil)
		return d.Allowed, err
	}
	delegations, err := s.Store.ActiveDelegations(c.Request.Context(), p.Subject, p.Unit, s.Now())
	if err != nil {
		return false, err
	}
	for _, del := range delegations {
		scope := del.TargetUnit
		if del.Kind == lindungi.DelegateRecord {
			if del.WorkerID == nil || *del.WorkerID != worker {
				continue
			}
			scope = unit
		}
		d, err := s.Authorizer.AuthorizeAs(p, scope, unit, c.FullPath(), c.Request.Method)
		if err != nil {
			return false, err
		}
		if d.Allowed {
			s.allowed(c, d, &del)
			c.Set(actingKey, scope)
			return true, nil
		}
	}
	return false, nil
}

// allowed remembers the decision that let the request through, for its
// audit events.
func (s *Server) allowed(c *gin.Context, d policies.Decision, via *lindungi.Delegation) {
	if !d.Allowed {
		return
	}
	c.Set(roleKey, d.Role)
	rule := d.Rule
	if via != nil {
		rule += " via delegation " + via.ID.String()
	}
	c.Set(ruleKey, rule)
	c.Set(versionKey, d.Version)
}

const (
	ruleKey    = "rule"
	versionKey = "policy_version"
	actingKey  = "acting_for" // the unit whose authority a delegation lends
)

func principal(c *gin.Context) lindungi.Principal {
	p, _ := c.Get(principalKey)
	pr, _ := p.(lindungi.Principal)
	return pr
}

// event starts an audit event for the caller of this request.
func (s *Server) event(c *gin.Context) lindungi.Event {
	p := principal(c)
	return lindungi.Event{Actor: p.Subject, ActorUnit: p.Unit, ActorRole: c.GetString(roleKey),
		Rule: c.GetString(ruleKey), Policy: c.GetString(versionKey), RequestID: lindungi.RequestIDFromContext(c.Request.Context())}
}

const maxBody = 1 << 20

const idempotencyKey = "idempotency"

var idempotencyKeyPattern = regexp.MustCompile(`^[\x21-\x7e]{1,200}$`)

// idempotency replays the stored answer of a request retried with the same
// Idempotency-Key, and refuses the key with another request. Handlers store
// their answer (in their own transaction where they have one).
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
	c.Set(idempotencyKey, k)
	c.Next()
}

// replay answers with the response stored for k, if there is one.
func (s *Server) replay(c *gin.Context, k lindungi.IdempotencyKey) bool {
	stored, err := s.Store.FindResponse(c.Request.Context(), k.Subject, k.Key)
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

// idempotencyKeyOf returns the request's idempotency key, if it has one.
func idempotencyKeyOf(c *gin.Context) *lindungi.IdempotencyKey {
	v, ok := c.Get(idempotencyKey)
	if !ok {
		return nil
	}
	k := v.(lindungi.IdempotencyKey)
	return &k
}

// bindJSON decodes a JSON object body into v, naming the field of a type
// error and refusing unknown fields.
func bindJSON(c *gin.Context, v any) error {
	ct := c.ContentType()
	if ct != "application/json" {
		return &lindungi.Error{Code: lindungi.EMALFORMED, Message: "Send a JSON body with Content-Type: application/json.",
			Fields: []lindungi.FieldError{{Field: "Content-Type", Reason: "must be application/json"}}}
	}
	dec := json.NewDecoder(http.MaxBytesReader(c.Writer, c.Request.Body, maxBody))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	var typeErr *json.UnmarshalTypeError
	var maxErr *http.MaxBytesError
	switch {
	case err == nil:
		if dec.More() {
			return lindungi.Errorf(lindungi.EMALFORMED, "The body must hold one JSON object.")
		}
		return nil
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			return lindungi.Errorf(lindungi.EMALFORMED, "The body must be a JSON object.")
		}
		return &lindungi.Error{Code: lindungi.EINVALID, Message: "The request has invalid fields.",
			Fields: []lindungi.FieldError{{Field: field, Reason: "must be a " + jsonKind(typeErr.Type.Kind().String())}}}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &lindungi.Error{Code: lindungi.EINVALID, Message: "The request has an unknown field.",
			Fields: []lindungi.FieldError{{Field: field, Reason: "is not a field of this request"}}}
	case errors.As(err, &maxErr):
		return lindungi.Errorf(lindungi.EMALFORMED, "The body is larger than %d bytes.", maxBody)
	case errors.Is(err, io.EOF):
		return lindungi.Errorf(lindungi.EMALFORMED, "The body is empty; send a JSON object.")
	}
	return lindungi.Errorf(lindungi.EMALFORMED, "The body is not valid JSON: %v.", err)
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "string"
	case "struct", "map":
		return "object"
	case "slice", "array":
		return "array"
	case "bool":
		return "boolean"
	}
	return "number"
}

// jsonEncode writes v as JSON.
func jsonEncode(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// rememberUser keeps the user directory current with the people who sign
// in (their unit and roles come from the token), writing only when a user
// is new to this process or changed.
func (s *Server) rememberUser(c *gin.Context, p lindungi.Principal) {
	key := p.Unit + "|" + strings.Join(p.Roles, ",")
	if seen, ok := s.users.Load(p.Subject); ok && seen == key {
		return
	}
	u := lindungi.User{Subject: p.Subject, Name: p.Subject, Unit: p.Unit, Roles: p.Roles}
	if err := s.Store.UpsertUsers(c.Request.Context(), []lindungi.User{u}); err != nil {
		s.Logger.WarnContext(c.Request.Context(), "user directory not updated", "sub", p.Subject, "err", err)
		return
	}
	s.users.Store(p.Subject, key)
}
