package postgres_test

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/devenv/devtest"
	"github.com/lindungi/lindungi/postgres"
	"github.com/lindungi/lindungi/schema"
	"github.com/pressly/goose/v3"
)

// idemKey is user:siti's key sent with a request to route with body.
func idemKey(key, route, body string) lindungi.IdempotencyKey {
	h := sha256.Sum256([]byte(body))
	return lindungi.IdempotencyKey{Subject: "user:siti", Key: key, Route: route, RequestHash: h[:]}
}

// reserve reserves key for a new request to route and returns the context
// of a write that answers it with status, and the reservation.
func reserve(t *testing.T, db *postgres.DB, key, route string, status int) (context.Context, lindungi.Reservation) {
	t.Helper()
	r := lindungi.Reservation{IdempotencyKey: idemKey(key, route, "{}"), Holder: uuid.New(), Status: status}
	held, stored, err := db.Reserve(t.Context(), r.IdempotencyKey, r.Holder, time.Minute)
	if err != nil || !held {
		t.Fatalf("Reserve(%s) = %v, %+v, %v; want it held", key, held, stored, err)
	}
	return lindungi.NewContextWithAnswer(t.Context(), r), r
}

// answering is reserve for a registration, without the reservation.
func answering(t *testing.T, db *postgres.DB, key string) context.Context {
	t.Helper()
	ctx, _ := reserve(t, db, key, "POST /v1/workers", http.StatusCreated)
	return ctx
}

// stored returns what is kept for user:siti's key.
func stored(t *testing.T, db *postgres.DB, key string) lindungi.StoredResponse {
	t.Helper()
	s, err := db.FindResponse(t.Context(), "user:siti", key)
	if err != nil {
		t.Fatalf("FindResponse(%s): %v", key, err)
	}
	return s
}

func TestReserveCompleteRelease(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := t.Context()
	k := idemKey("k1", "POST /v1/workers/w/documents", `{"type":"passport"}`)
	first := lindungi.Reservation{IdempotencyKey: k, Holder: uuid.New()}
	if held, _, err := db.Reserve(ctx, k, first.Holder, 10*time.Second); err != nil || !held {
		t.Fatalf("first Reserve = %v, %v; want held", held, err)
	}

	// The same request while the first runs is told it is pending; another
	// request with the key is told it is another's.
	held, s, err := db.Reserve(ctx, k, uuid.New(), 10*time.Second)
	if err != nil || held || !s.Pending || !s.Same(k) {
		t.Errorf("the same request again = %v, %+v, %v; want not held, pending, the same request", held, s, err)
	}
	other := idemKey("k1", "POST /v1/workers/w/documents", `{"type":"visa"}`)
	if held, s, err := db.Reserve(ctx, other, uuid.New(), 10*time.Second); err != nil || held || s.Same(other) {
		t.Errorf("another request with the key = %v, %+v, %v; want not held, not the same request", held, s, err)
	}

	// Only the holder answers.
	if err := db.Complete(ctx, lindungi.Reservation{IdempotencyKey: k, Holder: uuid.New()}, 201, json.RawMessage(`{"id":"x"}`)); err != nil {
		t.Fatal(err)
	}
	if s := stored(t, db, "k1"); !s.Pending {
		t.Errorf("after another holder's answer: %+v, want still pending", s)
	}
	if err := db.Complete(ctx, first, 201, json.RawMessage(`{"id":"first"}`)); err != nil {
		t.Fatal(err)
	}
	want := lindungi.StoredResponse{Route: k.Route, RequestHash: k.RequestHash, Status: 201, Body: json.RawMessage(`{"id":"first"}`)}
	check := func(when string) {
		t.Helper()
		s := stored(t, db, "k1")
		if s.Pending || s.Status != want.Status || string(s.Body) != string(want.Body) || !s.Same(k) {
			t.Errorf("%s: %+v, want the first answer %+v", when, s, want)
		}
	}
	check("after the answer")

	// A done key keeps its first answer.
	if err := db.Complete(ctx, first, 500, json.RawMessage(`{"id":"again"}`)); err != nil {
		t.Fatal(err)
	}
	check("after a second answer")
	if err := db.Release(ctx, first); err != nil {
		t.Fatal(err)
	}
	check("after a release")
	db.Now = func() time.Time { return t0.Add(time.Hour) }
	held, s, err = db.Reserve(ctx, k, uuid.New(), 10*time.Second)
	if err != nil || held || s.Pending || s.Status != 201 || string(s.Body) != `{"id":"first"}` {
		t.Errorf("Reserve of a done key an hour later = %v, %+v, %v; want the first answer to replay", held, s, err)
	}
}

// TestReleaseLetsARetryRun: a request that failed without effect frees its
// key, so that a corrected retry runs.
func TestReleaseLetsARetryRun(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := t.Context()
	k := idemKey("k1", "POST /v1/delegations", `{}`)
	r := lindungi.Reservation{IdempotencyKey: k, Holder: uuid.New()}
	if held, _, err := db.Reserve(ctx, k, r.Holder, time.Minute); err != nil || !held {
		t.Fatalf("Reserve = %v, %v", held, err)
	}
	// Someone else's release frees nothing.
	if err := db.Release(ctx, lindungi.Reservation{IdempotencyKey: k, Holder: uuid.New()}); err != nil {
		t.Fatal(err)
	}
	if held, _, _ := db.Reserve(ctx, k, uuid.New(), time.Minute); held {
		t.Fatal("the key was taken while its holder ran")
	}
	if err := db.Release(ctx, r); err != nil {
		t.Fatal(err)
	}
	if held, s, err := db.Reserve(ctx, k, uuid.New(), time.Minute); err != nil || !held {
		t.Errorf("Reserve after the release = %v, %+v, %v; want held", held, s, err)
	}
}

// TestLeaseTakeOver: a request whose holder died (its lease ran out) is
// taken over by its retry; the holder, if it was only slow, can then
// neither answer nor write.
func TestLeaseTakeOver(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := t.Context()
	at := func(d time.Duration) { db.Now = func() time.Time { return t0.Add(d) } }
	k := idemKey("k1", "POST /v1/workers", `{"nik":"3305011508950001"}`)
	slow := lindungi.Reservation{IdempotencyKey: k, Holder: uuid.New(), Status: http.StatusCreated}
	if held, _, err := db.Reserve(ctx, k, slow.Holder, 10*time.Second); err != nil || !held {
		t.Fatalf("Reserve = %v, %v", held, err)
	}
	at(5 * time.Second)
	if err := db.Renew(ctx, slow, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	at(12 * time.Second)
	if held, _, _ := db.Reserve(ctx, k, uuid.New(), 10*time.Second); held {
		t.Fatal("a retry took over a renewed lease")
	}
	at(16 * time.Second)
	other := idemKey("k1", "POST /v1/workers", `{"nik":"3305011508950002"}`)
	if held, s, _ := db.Reserve(ctx, other, uuid.New(), 10*time.Second); held || s.Same(other) {
		t.Fatal("another request took over the key")
	}
	retry := lindungi.Reservation{IdempotencyKey: k, Holder: uuid.New(), Status: http.StatusCreated}
	if held, s, err := db.Reserve(ctx, k, retry.Holder, 10*time.Second); err != nil || !held {
		t.Fatalf("the retry after the lease ran out = %v, %+v, %v; want held", held, s, err)
	}

	if err := db.Complete(ctx, slow, 201, json.RawMessage(`{}`)); err != nil {
		t.Fatal(err)
	}
	if err := db.Release(ctx, slow); err != nil {
		t.Fatal(err)
	}
	if s := stored(t, db, "k1"); !s.Pending {
		t.Fatalf("the slow holder answered or released the key taken over: %+v", s)
	}
	nw := newWorker("3305011508950001", "3305")
	if _, err := db.CreateWorker(lindungi.NewContextWithAnswer(ctx, slow), nw, clerk("req-slow")); lindungi.ErrorCode(err) != lindungi.ECONFLICT {
		t.Errorf("the slow holder's write = %v, want ECONFLICT", err)
	}
	if n := count(t, db, `SELECT count(*) FROM workers`); n != 0 {
		t.Errorf("%d workers after the slow holder's write, want none", n)
	}
	w, err := db.CreateWorker(lindungi.NewContextWithAnswer(ctx, retry), nw, clerk("req-retry"))
	if err != nil {
		t.Fatal(err)
	}
	if s := stored(t, db, "k1"); s.Pending || s.Status != 201 || !jsonEqual(t, s.Body, w) {
		t.Errorf("after the retry's write: %+v, want 201 with the worker", s)
	}
}

// TestConcurrentReserve sends one request with one key from eight
// connections at once: one holds it, the others are told it is pending.
func TestConcurrentReserve(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	k := idemKey("k1", "POST /v1/delegations", `{}`)
	var (
		mu            sync.Mutex
		held, pending int
		wg            sync.WaitGroup
	)
	for range 8 {
		wg.Go(func() {
			ok, s, err := db.Reserve(t.Context(), k, uuid.New(), time.Minute)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil:
				t.Error(err)
			case ok:
				held++
			case s.Pending && s.Same(k):
				pending++
			}
		})
	}
	wg.Wait()
	if held != 1 || pending != 7 {
		t.Errorf("%d held and %d told pending, want 1 and 7", held, pending)
	}
}

// TestWritesStoreTheirAnswer: every write whose effect answers a request
// stores the answer in its own transaction: with the reservation held, the
// effect and the answer commit together; with the reservation lost, nothing
// of the write stays.
func TestWritesStoreTheirAnswer(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	seedShipped(t, db)
	w := register(t, db, "3305011508950001", "3305")
	registered := register(t, db, "3329015507990003", "3329")
	provisional := openCase(t, db, walkIn("3329"), "3329").WorkerID
	toVerify := addDoc(t, db, w, passport("C1234567", "", "2031-01-05"))
	toReject := addDoc(t, db, w, lindungi.NewDocument{Type: lindungi.DocWorkVisa, Number: "V1234567", ExpiresOn: "2031-01-05", FileRef: "docs/v.pdf"})
	task := createTask(t, db, newTask(w, "3305", t0.Add(72*time.Hour)))
	var delegation lindungi.Delegation

	tests := []struct {
		name   string
		status int
		write  func(ctx context.Context) (any, error)
	}{
		{"CreateWorker", 201, func(ctx context.Context) (any, error) {
			return db.CreateWorker(ctx, newWorker("3305011508950002", "3305"), clerk("r"))
		}},
		{"CreateCase", 201, func(ctx context.Context) (any, error) {
			return db.CreateCase(ctx, about(w, "3305"), "3305", clerk("r"))
		}},
		{"MergeWorkers", 200, func(ctx context.Context) (any, error) {
			return db.MergeWorkers(ctx, provisional, registered.ID, officer("r"))
		}},
		{"VerifyDocument", 200, func(ctx context.Context) (any, error) { return db.VerifyDocument(ctx, toVerify.ID, officer("r")) }},
		{"RejectDocument", 200, func(ctx context.Context) (any, error) {
			return db.RejectDocument(ctx, toReject.ID, "Pindaian tidak terbaca", officer("r"))
		}},
		{"AddDocument", 201, func(ctx context.Context) (any, error) {
			return db.AddDocument(ctx, w.ID, passport("C7654321", "", "2032-01-05"), clerk("r"))
		}},
		{"CreateDelegation", 201, func(ctx context.Context) (any, error) {
			d, err := db.CreateDelegation(ctx, queueDelegation("3301", "3305", t0, t0.Add(24*time.Hour)), supervisor("r"))
			delegation = d
			return d, err
		}},
		{"RevokeDelegation", 200, func(ctx context.Context) (any, error) {
			return db.RevokeDelegation(ctx, delegation.ID, supervisor("r"))
		}},
		{"AddHoliday", 201, func(ctx context.Context) (any, error) {
			return db.AddHoliday(ctx, lindungi.Holiday{Date: "2027-01-01", Kind: "national", Name: "Tahun Baru"}, "SKB 3 Menteri", calendarAdmin("r"))
		}},
		{"RemoveHoliday", 200, func(ctx context.Context) (any, error) {
			return db.RemoveHoliday(ctx, "2027-01-01", "Salah tanggal", calendarAdmin("r"))
		}},
		{"ChangePolicy", 200, func(ctx context.Context) (any, error) {
			return db.ChangePolicy(ctx, lindungi.PolicyChange{Add: []lindungi.PolicyRule{accessLine("supervisor", "/v1/policies", "GET")},
				Reason: "supervisors review the policy"}, admin("r"), acceptAll)
		}},
		{"ClaimTask", 200, func(ctx context.Context) (any, error) { return db.ClaimTask(ctx, task.ID, "user:siti", clerk("r")) }},
		{"ReleaseTask", 200, func(ctx context.Context) (any, error) { return db.ReleaseTask(ctx, task.ID, clerk("r")) }},
	}
	for _, tt := range tests {
		// In order: each write builds on the one before.
		ctx, r := reserve(t, db, "key-"+tt.name, "POST /"+tt.name, tt.status)
		events := count(t, db, `SELECT count(*) FROM audit_events`)
		lost := r
		lost.Holder = uuid.New() // as after a retry took the key over
		if _, err := tt.write(lindungi.NewContextWithAnswer(t.Context(), lost)); lindungi.ErrorCode(err) != lindungi.ECONFLICT {
			t.Errorf("%s without its reservation: %v, want ECONFLICT", tt.name, err)
		}
		if n := count(t, db, `SELECT count(*) FROM audit_events`); n != events {
			t.Errorf("%s without its reservation left %d audit events, want none", tt.name, n-events)
		}
		got, err := tt.write(ctx)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if s := stored(t, db, "key-"+tt.name); s.Pending || s.Status != tt.status || !jsonEqual(t, s.Body, got) {
			t.Errorf("%s stored %d %s (pending %v); want %d %s", tt.name, s.Status, s.Body, s.Pending, tt.status, mustMarshal(t, got))
		}
	}
}

// TestMigrationKeepsStoredAnswers: answers stored before keys were
// reserved still replay.
func TestMigrationKeepsStoredAnswers(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db, err := postgres.Open(ctx, devtest.Database(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	provider, err := goose.NewProvider(goose.DialectPostgres, db.SQL().DB, schema.Migrations)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := provider.UpTo(ctx, 7); err != nil {
		t.Fatal(err)
	}
	k := idemKey("k1", "POST /v1/workers", `{}`)
	if _, err := db.SQL().ExecContext(ctx, `INSERT INTO idempotency_keys (subject, key, route, request_hash, status, response, created_at)
VALUES ($1, $2, $3, $4, 201, '{"id":"old"}', now())`, k.Subject, k.Key, k.Route, k.RequestHash); err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	held, s, err := db.Reserve(ctx, k, uuid.New(), time.Minute)
	if err != nil || held || s.Pending || !s.Same(k) || s.Status != 201 || string(s.Body) != `{"id":"old"}` {
		t.Errorf("Reserve of a key answered before the migration = %v, %+v, %v; want its answer", held, s, err)
	}
}

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// jsonEqual reports whether body is v as JSON.
func jsonEqual(t *testing.T, body []byte, v any) bool {
	t.Helper()
	return string(body) == string(mustMarshal(t, v))
}
