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

func (l *accessLog) WorkerAsOf(context.Context, uuid.UUID, time.Time) (lindungi.Worker, []lindungi.Task, error) {
	return lindungi.Worker{}, nil, errNotInTest
}

func (l *accessLog) VerifyAudit(context.Context, map[string]ed25519.PublicKey) (auditlog.Report, error) {
	return auditlog.Report{}, errNotInTest
}

func (l *accessLog) AuditExport(context.Context, time.Time, time.Time, int) (auditlog.ExportPayload, error) {
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
