package server

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/app"
	"github.com/lindungi/lindungi/auditlog"
	"github.com/lindungi/lindungi/policies"
	"github.com/lindungi/lindungi/postgres"
)

// What the handler tests share: tokens, the shipped access decision, the
// parts of a fake store every test needs, and a client.

// RoleToken reads "role@unit" tokens; the subject is "role-unit". The
// handler tests test authorization, not tokens.
type RoleToken struct{}

func (RoleToken) Verify(_ context.Context, token string) (lindungi.Principal, error) {
	role, unit, ok := strings.Cut(token, "@")
	if !ok {
		return lindungi.Principal{}, lindungi.Errorf(lindungi.EUNAUTHORIZED, "bad token")
	}
	return lindungi.Principal{Subject: role + "-" + unit, Unit: unit, Roles: []string{role}}, nil
}

// ShippedPolicies are the shipped policies over the units of Central Java.
func ShippedPolicies(t *testing.T) (app.Units, *policies.Set) {
	t.Helper()
	units, err := postgres.ReferenceUnits()
	if err != nil {
		t.Fatal(err)
	}
	ps, err := policies.NewSet(units, policies.DefaultRules(), "1")
	if err != nil {
		t.Fatal(err)
	}
	return units, ps
}

// testAccess is the access decision of the shipped policies, with the
// delegations of delegations.
func testAccess(t *testing.T, delegations app.DelegationFinder, now func() time.Time) (app.Units, *app.Access) {
	t.Helper()
	units, ps := ShippedPolicies(t)
	return units, &app.Access{Authorizer: ps.Authorizer, Delegations: delegations, Now: now}
}

// accessLog is the audit trail of tests that read no audit view: it keeps
// the access events.
type accessLog struct{ accesses []lindungi.Event }

func (l *accessLog) RecordAccess(_ context.Context, ev lindungi.Event) error {
	l.accesses = append(l.accesses, ev)
	return nil
}

func (l *accessLog) AuditTrace(context.Context, uuid.UUID, auditlog.Filter) ([]auditlog.Record, error) {
	return nil, errNotInTest
}

func (l *accessLog) WorkerAsOf(context.Context, uuid.UUID, time.Time) (auditlog.WorkerFile, error) {
	return auditlog.WorkerFile{}, errNotInTest
}

func (l *accessLog) AuditEvents(context.Context, auditlog.Query, func(auditlog.Record) error) error {
	return errNotInTest
}

func (l *accessLog) VerifyAudit(context.Context, map[string]ed25519.PublicKey) (auditlog.Report, error) {
	return auditlog.Report{}, errNotInTest
}

func (l *accessLog) AuditExport(context.Context, time.Time, time.Time, string, int) (auditlog.ExportPayload, error) {
	return auditlog.ExportPayload{}, errNotInTest
}

// directory is the user directory of tests that assign nothing: it takes
// every sign-in and knows no one.
type directory struct{}

func (directory) UpsertUsers(context.Context, []lindungi.User) error { return nil }

func (directory) FindUser(context.Context, string) (lindungi.User, error) {
	return lindungi.User{}, lindungi.Errorf(lindungi.ENOTFOUND, "No such user.")
}

// errNotInTest answers a call a test does not expect.
var errNotInTest = errors.New("not in this test")

// call sends a request as token ("role@unit") with body (nil for none) and
// returns the status and the decoded JSON answer.
func call(t *testing.T, s *Server, token, method, url string, body any, header ...string) (int, map[string]any) {
	t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(raw)
	}
	req := httptest.NewRequest(method, url, r)
	if r != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+token)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	var out map[string]any
	if rec.Body.Len() > 0 {
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatalf("%s %s: answer %q is not a JSON object: %v", method, url, rec.Body.String(), err)
		}
	}
	return rec.Code, out
}

// problemFields returns the field names of a problem answer.
func problemFields(p map[string]any) []string {
	var out []string
	errs, _ := p["errors"].([]any)
	for _, e := range errs {
		m, _ := e.(map[string]any)
		f, _ := m["field"].(string)
		out = append(out, f)
	}
	return out
}

// keyStore keeps idempotency keys in memory, as the real store does: a
// reservation, its lease, and the answer. A fake write made with an answer
// context (withAnswer) completes the reservation itself, as the real
// store's writes do in their transaction.
type keyStore struct {
	mu    sync.Mutex
	keys  map[string]*storedKey
	saved []int // statuses of the answers stored, in order
}

type storedKey struct {
	lindungi.StoredResponse
	holder uuid.UUID
	until  time.Time
}

func (ks *keyStore) Reserve(_ context.Context, k lindungi.IdempotencyKey, holder uuid.UUID, lease time.Duration) (bool, lindungi.StoredResponse, error) {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	if ks.keys == nil {
		ks.keys = map[string]*storedKey{}
	}
	id := k.Subject + "\x00" + k.Key
	sk, ok := ks.keys[id]
	switch {
	case !ok:
		ks.keys[id] = &storedKey{StoredResponse: lindungi.StoredResponse{Route: k.Route, RequestHash: k.RequestHash, Pending: true},
			holder: holder, until: time.Now().Add(lease)}
		return true, lindungi.StoredResponse{}, nil
	case sk.Pending && sk.until.Before(time.Now()) && sk.Same(k):
		sk.holder, sk.until = holder, time.Now().Add(lease)
		return true, lindungi.StoredResponse{}, nil
	}
	return false, sk.StoredResponse, nil
}

func (ks *keyStore) held(r lindungi.Reservation) *storedKey {
	sk := ks.keys[r.Subject+"\x00"+r.Key]
	if sk == nil || !sk.Pending || sk.holder != r.Holder {
		return nil
	}
	return sk
}

func (ks *keyStore) Renew(_ context.Context, r lindungi.Reservation, lease time.Duration) error {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	if sk := ks.held(r); sk != nil {
		sk.until = time.Now().Add(lease)
	}
	return nil
}

func (ks *keyStore) Complete(_ context.Context, r lindungi.Reservation, status int, body json.RawMessage) error {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	if sk := ks.held(r); sk != nil {
		sk.Pending, sk.Status, sk.Body = false, status, body
		ks.saved = append(ks.saved, status)
	}
	return nil
}

func (ks *keyStore) Release(_ context.Context, r lindungi.Reservation) error {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	if ks.held(r) != nil {
		delete(ks.keys, r.Subject+"\x00"+r.Key)
	}
	return nil
}

func (ks *keyStore) FindResponse(_ context.Context, subject, key string) (lindungi.StoredResponse, error) {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	sk, ok := ks.keys[subject+"\x00"+key]
	if !ok {
		return lindungi.StoredResponse{}, lindungi.Errorf(lindungi.ENOTFOUND, "none")
	}
	return sk.StoredResponse, nil
}

// answer completes the reservation ctx carries with v, as a real write does
// in its transaction.
func (ks *keyStore) answer(ctx context.Context, v any) {
	r, ok := lindungi.AnswerFromContext(ctx)
	if !ok {
		return
	}
	body, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	ks.Complete(ctx, r, r.Status, body)
}
