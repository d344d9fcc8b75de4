package server_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/app"
	"github.com/lindungi/lindungi/devenv/devtest"
	"github.com/lindungi/lindungi/postgres"
	"github.com/lindungi/lindungi/server"
)

func TestMain(m *testing.M) { devtest.Main(m) }

// These tests send requests with one Idempotency-Key at once, through the
// server, the application services and a real PostgreSQL.

// dbServer returns a server on a fresh database with the reference data
// and the shipped policies, and a worker of Kebumen (3305).
func dbServer(t *testing.T) (*server.Server, *postgres.DB, lindungi.Worker) {
	t.Helper()
	ctx := t.Context()
	db, err := postgres.Open(ctx, devtest.Database(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := db.LoadReference(ctx); err != nil {
		t.Fatal(err)
	}
	w, err := db.CreateWorker(ctx, lindungi.NewWorker{NIK: "3305011508950001", Name: "Siti Aminah", BirthDate: "1995-08-15",
		DomicileUnit: "3305", Phone: "+6281234567890", Scheme: lindungi.SchemeP2P}, lindungi.Event{Actor: "caseworker-3305"})
	if err != nil {
		t.Fatal(err)
	}
	units, ps := server.ShippedPolicies(t)
	access := &app.Access{Authorizer: ps.Authorizer, Delegations: db}
	s := server.New(server.Deps{Access: access,
		Documents:   &app.Documents{Store: db, Workers: db, Access: access},
		Delegations: &app.Delegations{Store: db, Workers: db, Access: access, Units: units},
		Idempotency: db, Users: db, Verifier: server.RoleToken{}, Units: units, Logger: slog.New(slog.DiscardHandler)})
	return s, db, w
}

// answer is what a request got.
type answer struct {
	status     int
	replayed   bool
	retryAfter string
	body       string
}

// send sends a request as token with an Idempotency-Key.
func send(s *server.Server, token, method, url string, body any, key string) answer {
	raw, _ := json.Marshal(body)
	req := httptest.NewRequest(method, url, bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Idempotency-Key", key)
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	return answer{status: rec.Code, replayed: rec.Header().Get("Idempotent-Replayed") == "true",
		retryAfter: rec.Header().Get("Retry-After"), body: rec.Body.String()}
}

// race sends n identical requests with one key at once, and checks that
// one ran and answered status, and that each other one got that answer
// replayed or was told to retry after a second. It returns the first
// answer.
func race(t *testing.T, s *server.Server, n int, token, method, url string, body any, key string, status int) answer {
	t.Helper()
	answers := make([]answer, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { answers[i] = send(s, token, method, url, body, key) })
	}
	wg.Wait()
	var first *answer
	for i, a := range answers {
		if a.status == status && !a.replayed {
			if first != nil {
				t.Fatalf("two requests with key %s ran: %s and %s", key, first.body, a.body)
			}
			first = &answers[i]
		}
	}
	if first == nil {
		t.Fatalf("no request with key %s ran: %+v", key, answers)
	}
	for _, a := range answers {
		switch {
		case a == *first:
		case a.status == status && a.replayed && a.body == first.body:
		case a.status == http.StatusConflict && a.retryAfter == "1":
		default:
			t.Errorf("a request with key %s got %+v; want the first answer replayed or 409 with Retry-After: 1", key, a)
		}
	}
	return *first
}

func TestConcurrentDocumentsWithOneKey(t *testing.T) {
	t.Parallel()
	s, db, w := dbServer(t)
	url := "/v1/workers/" + w.ID.String() + "/documents"
	doc := map[string]string{"type": "passport", "number": "C1234567", "expires_on": "2031-01-05", "file_ref": "docs/p.pdf"}
	for trial := range 20 {
		key := "add-passport-" + strconv.Itoa(trial)
		first := race(t, s, 8, "caseworker@3305", http.MethodPost, url, doc, key, http.StatusCreated)
		if n := count(t, db, `SELECT count(*) FROM documents`); n != trial+1 {
			t.Fatalf("trial %d: %d documents, want %d: one per key", trial, n, trial+1)
		}
		// Later, the key replays the first answer.
		if a := send(s, "caseworker@3305", http.MethodPost, url, doc, key); a.status != http.StatusCreated || !a.replayed || a.body != first.body {
			t.Errorf("trial %d: a later retry got %+v, want the first answer replayed", trial, a)
		}
	}
}

func TestConcurrentDelegationsWithOneKey(t *testing.T) {
	t.Parallel()
	s, db, _ := dbServer(t)
	grant := map[string]any{"kind": "queue", "grantee_unit": "3301", "target_unit": "3305",
		"reason": "Petugas Kebumen cuti sampai Januari", "expires_at": time.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339)}
	race(t, s, 20, "supervisor@3305", http.MethodPost, "/v1/delegations", grant, "grant-1", http.StatusCreated)
	if n := count(t, db, `SELECT count(*) FROM delegations`); n != 1 {
		t.Errorf("%d delegations after 20 requests with one key, want 1", n)
	}
	if n := count(t, db, `SELECT count(*) FROM audit_events WHERE action = 'delegation.grant'`); n != 1 {
		t.Errorf("%d delegation.grant events, want 1", n)
	}
}

// TestKeyAfterAFailureOrACrash: a request that failed frees its key for a
// corrected retry; a request whose process died (its reservation left
// pending, the lease run out) is run by its retry.
func TestKeyAfterAFailureOrACrash(t *testing.T) {
	t.Parallel()
	s, db, w := dbServer(t)
	url := "/v1/workers/" + w.ID.String() + "/documents"
	bad := map[string]string{"type": "passport", "number": "C1234567", "file_ref": "docs/p.pdf"} // no expiry
	if a := send(s, "caseworker@3305", http.MethodPost, url, bad, "k1"); a.status != http.StatusUnprocessableEntity {
		t.Fatalf("a passport without expiry = %+v, want 422", a)
	}
	if a := send(s, "caseworker@3305", http.MethodPost, url, bad, "k1"); a.status != http.StatusUnprocessableEntity || a.replayed {
		t.Errorf("the same failed request again = %+v, want it run again (422, not replayed)", a)
	}
	good := map[string]string{"type": "passport", "number": "C1234567", "expires_on": "2031-01-05", "file_ref": "docs/p.pdf"}
	if a := send(s, "caseworker@3305", http.MethodPost, url, good, "k1"); a.status != http.StatusCreated || a.replayed {
		t.Errorf("the corrected request with the key = %+v, want 201", a)
	}

	// The API died while holding k2, before its transaction committed.
	raw, _ := json.Marshal(good)
	if _, err := db.SQL().ExecContext(t.Context(), `INSERT INTO idempotency_keys (subject, key, route, request_hash, state, holder, lease_until, created_at)
VALUES ('caseworker-3305', 'k2', $1, sha256($2), 'pending', gen_random_uuid(), now() - interval '1 second', now())`, "POST "+url, raw); err != nil {
		t.Fatal(err)
	}
	first := send(s, "caseworker@3305", http.MethodPost, url, good, "k2")
	if first.status != http.StatusCreated || first.replayed {
		t.Fatalf("the retry after the crash = %+v, want 201", first)
	}
	if n := count(t, db, `SELECT count(*) FROM documents`); n != 2 {
		t.Errorf("%d documents, want 2: one per key", n)
	}
	if a := send(s, "caseworker@3305", http.MethodPost, url, good, "k2"); a.status != http.StatusCreated || !a.replayed || a.body != first.body {
		t.Errorf("the retry's retry = %+v, want the retry's answer replayed", a)
	}
}

// TestIdempotentRoutesAreDocumented: every route that honours the
// Idempotency-Key documents it, and its 409 with Retry-After; every write
// honours it.
func TestIdempotentRoutesAreDocumented(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(server.OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range server.New(server.Deps{}).Routes() {
		if r.Method == http.MethodGet || r.Page || r.Reads { // pages sign in and out by the session, not the API
			continue
		}
		if !r.Idempotent {
			t.Errorf("%s %s writes without honouring Idempotency-Key", r.Method, r.Path)
			continue
		}
		op := doc.Paths.Find(ginToOpenAPI(r.Path)).GetOperation(r.Method)
		if op.Parameters.GetByInAndName("header", "Idempotency-Key") == nil {
			t.Errorf("%s %s does not document Idempotency-Key", r.Method, r.Path)
		}
		if c := op.Responses.Status(http.StatusConflict); c == nil || c.Value.Headers["Retry-After"] == nil {
			t.Errorf("%s %s does not document its 409 with Retry-After", r.Method, r.Path)
		}
	}
}

// count runs a SELECT count(*) query.
func count(t *testing.T, db *postgres.DB, query string) int {
	t.Helper()
	var n int
	if err := db.SQL().GetContext(t.Context(), &n, query); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}
