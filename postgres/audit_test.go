package postgres_test

import (
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/auditlog"
	"github.com/lindungi/lindungi/devenv/devtest"
	"github.com/lindungi/lindungi/postgres"
)

func auditKey(t testing.TB) *auditlog.Key {
	t.Helper()
	k, err := auditlog.LoadKey(filepath.Join(t.TempDir(), "access.key"), true)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// access is the event of an auditor reading a worker's file.
func access(n int) lindungi.Event {
	w := uuid.NewSHA1(uuid.NameSpaceOID, []byte(fmt.Sprint("worker", n%3)))
	return lindungi.Event{Actor: "auditor-33", ActorUnit: "33", ActorRole: "auditor", Action: "access.worker",
		SubjectType: "worker", SubjectID: w.String(), WorkerID: &w, Purpose: fmt.Sprintf("ST-%03d/Inspektorat/2026", n),
		RequestID: fmt.Sprintf("req-%d", n)}
}

func appendEvents(t testing.TB, db *postgres.DB, from, to int) {
	t.Helper()
	for i := from; i <= to; i++ {
		if err := db.RecordAccess(t.Context(), access(i)); err != nil {
			t.Fatal(err)
		}
	}
}

func verify(t *testing.T, db *postgres.DB, key *auditlog.Key) auditlog.Report {
	t.Helper()
	rep, err := db.VerifyAudit(t.Context(), map[string]ed25519.PublicKey{key.ID: key.Public()})
	if err != nil {
		t.Fatalf("VerifyAudit: %v", err)
	}
	return rep
}

// TestEveryEventIsChained writes events of every kind the store makes and
// checks that they form one gap-free chain that verifies, whatever
// spelling of JSON the callers used.
func TestEveryEventIsChained(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := t.Context()
	key := auditKey(t)
	w := register(t, db, "3305011508950001", "3305")
	task := lindungi.Task{ID: lindungi.TaskID(w.WorkflowID, lindungi.StepRegistered, lindungi.TaskVerifyRegistration, 0),
		WorkflowID: w.WorkflowID, WorkerID: w.ID, Kind: lindungi.TaskVerifyRegistration, Step: lindungi.StepRegistered,
		Unit: "3305", RouteRule: "verify-at-domicile-district", DueAt: t0.Add(48 * time.Hour), DueDate: "2026-12-28"}
	if _, err := db.CreateTask(ctx, task, clerk("req-task")); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CompleteTask(ctx, task.ID, lindungi.OutcomeApproved, "ok", clerk("req-complete")); err != nil {
		t.Fatal(err)
	}
	if err := db.RecordStep(ctx, w.ID, 2, lindungi.StepVerified, "", clerk("req-complete")); err != nil {
		t.Fatal(err)
	}
	// JSON that jsonb re-spells: key order, escapes, a big number.
	odd := access(1)
	odd.After = json.RawMessage(`{"z": 1e+21, "a": "\u003cb\u003e", "m": [1.50, -0.0, {"y": true, "b": null}]}`)
	if err := db.RecordAccess(ctx, odd); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := db.Checkpoint(ctx, key); err != nil || !ok {
		t.Fatalf("Checkpoint = %v, %v; want a new checkpoint", ok, err)
	}
	if _, ok, err := db.Checkpoint(ctx, key); err != nil || ok {
		t.Errorf("second Checkpoint of the same head = %v, %v; want none", ok, err)
	}
	rep := verify(t, db, key)
	if !rep.OK || rep.Events != 5 || rep.Checkpoints != 1 || !rep.SignaturesChecked {
		t.Fatalf("report %+v, want 5 events and 1 checkpoint verified", rep)
	}
	var seqs []int64
	if err := db.SQL().SelectContext(ctx, &seqs, `SELECT chain_seq FROM audit_events ORDER BY chain_seq`); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int64{1, 2, 3, 4, 5}, seqs); diff != "" {
		t.Errorf("chain positions (-want +got):\n%s", diff)
	}
	head, err := db.AuditHead(ctx)
	if err != nil || head.Seq != 5 || head.Hash != rep.LastHash {
		t.Errorf("head = %+v, %v; want seq 5 ending in %s", head, err, rep.LastHash)
	}
	trace, err := db.AuditTrace(ctx, w.ID, auditlog.Filter{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, r := range trace {
		actions = append(actions, r.Action)
	}
	if diff := cmp.Diff([]string{"worker.register", "task.create", "task.complete", "journey.step"}, actions); diff != "" {
		t.Errorf("trace (-want +got):\n%s", diff)
	}
	tasks, err := db.AuditTrace(ctx, w.ID, auditlog.Filter{Limit: 10, ActionPrefix: "task.", After: 2})
	if err != nil || len(tasks) != 1 || tasks[0].Action != "task.complete" {
		t.Errorf("trace of task. after seq 2 = %v, %v; want task.complete alone", tasks, err)
	}
}

// TestFailedChangeLeavesNoGap rolls back a transaction after its event was
// chained: the position is given to the next event.
func TestFailedChangeLeavesNoGap(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	answered, _ := reserve(t, db, "k-1", "POST /v1/workers", http.StatusCreated)
	if _, err := db.CreateWorker(answered, newWorker("3305011508950001", "3305"), clerk("req-1")); err != nil {
		t.Fatal(err)
	}
	// The same reservation again, done now: the worker and its event are
	// written, then the answer conflicts and everything rolls back.
	if _, err := db.CreateWorker(answered, newWorker("3305011508950002", "3305"), clerk("req-2")); lindungi.ErrorCode(err) != lindungi.ECONFLICT {
		t.Fatalf("second registration with the key = %v, want a conflict", err)
	}
	appendEvents(t, db, 1, 1)
	if n := count(t, db, `SELECT count(*) FROM audit_events WHERE request_id = 'req-2'`); n != 0 {
		t.Errorf("%d events of the failed change, want none", n)
	}
	if n := count(t, db, `SELECT max(chain_seq) FROM audit_events`); n != 2 {
		t.Errorf("last chain position %d, want 2: a rolled-back event must leave no gap", n)
	}
	if rep := verify(t, db, auditKey(t)); !rep.OK {
		t.Errorf("chain after a rollback: %+v", rep.Failure)
	}
}

// TestConcurrentWritersChainInCommitOrder writes from many connections at
// once.
func TestConcurrentWritersChainInCommitOrder(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Go(func() { appendEvents(t, db, g*10+1, g*10+10) })
	}
	wg.Wait()
	rep := verify(t, db, auditKey(t))
	if !rep.OK || rep.Events != 160 || rep.LastSeq != 160 {
		t.Errorf("after 160 concurrent events: %+v", rep)
	}
}

// chained builds a trail of 8 events with a checkpoint signed after the
// fifth, and returns the store and the key.
func chained(t *testing.T) (*postgres.DB, *auditlog.Key) {
	t.Helper()
	db := openDB(t)
	key := auditKey(t)
	appendEvents(t, db, 1, 5)
	if _, _, err := db.Checkpoint(t.Context(), key); err != nil {
		t.Fatal(err)
	}
	appendEvents(t, db, 6, 8)
	if rep := verify(t, db, key); !rep.OK {
		t.Fatalf("fresh trail: %+v", rep.Failure)
	}
	return db, key
}

// behindTheBack runs statements as the table owner with the append-only
// triggers off, as an administrator with database access could.
func behindTheBack(t *testing.T, db *postgres.DB, fn func(tx *sqlx.Tx)) {
	t.Helper()
	tx, err := db.SQL().BeginTxx(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	for _, table := range []string{"audit_events", "audit_checkpoints"} {
		tx.MustExec(`ALTER TABLE ` + table + ` DISABLE TRIGGER USER`)
	}
	fn(tx)
	for _, table := range []string{"audit_events", "audit_checkpoints"} {
		tx.MustExec(`ALTER TABLE ` + table + ` ENABLE TRIGGER USER`)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

func hashAt(t *testing.T, tx *sqlx.Tx, seq int64) auditlog.Digest {
	t.Helper()
	var b []byte
	if err := tx.Get(&b, `SELECT hash FROM audit_events WHERE chain_seq = $1`, seq); err != nil {
		t.Fatal(err)
	}
	d, _ := auditlog.DigestOf(b)
	return d
}

// forge inserts an event at seq after prev with a hash that fits, as an
// attacker who read the source would.
func forge(t *testing.T, tx *sqlx.Tx, seq any, prev auditlog.Digest) {
	t.Helper()
	ev := access(99)
	ev.Actor, ev.OccurredAt = "mallory", t0
	rec := auditlog.Record{ID: uuid.New(), Event: ev, PrevHash: prev}
	if s, ok := seq.(int64); ok {
		rec.Seq = s
	}
	h, err := auditlog.Hash(prev, rec)
	if err != nil {
		t.Fatal(err)
	}
	tx.MustExec(`INSERT INTO audit_events (id, chain_seq, occurred_at, actor, actor_unit, actor_role, action, subject_type, subject_id,
    worker_id, purpose, request_id, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
		rec.ID, seq, rec.OccurredAt, ev.Actor, ev.ActorUnit, ev.ActorRole, ev.Action, ev.SubjectType, ev.SubjectID,
		*ev.WorkerID, ev.Purpose, ev.RequestID, prev[:], h[:])
}

// TestTamperingIsCaught changes, removes and inserts events with raw SQL
// behind the application's back and expects the verification to name the
// first event that fails, and why.
func TestTamperingIsCaught(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		tamper     func(t *testing.T, tx *sqlx.Tx, key *auditlog.Key)
		wantSeq    int64
		wantReason string
	}{
		{"actor changed", func(t *testing.T, tx *sqlx.Tx, _ *auditlog.Key) {
			tx.MustExec(`UPDATE audit_events SET actor = 'mallory' WHERE chain_seq = 4`)
		}, 4, auditlog.Changed},
		{"purpose changed", func(t *testing.T, tx *sqlx.Tx, _ *auditlog.Key) {
			tx.MustExec(`UPDATE audit_events SET purpose = 'pemeriksaan rutin' WHERE chain_seq = 7`)
		}, 7, auditlog.Changed},
		{"after changed", func(t *testing.T, tx *sqlx.Tx, _ *auditlog.Key) {
			tx.MustExec(`UPDATE audit_events SET after = '{"outcome": "approved"}' WHERE chain_seq = 2`)
		}, 2, auditlog.Changed},
		{"time moved", func(t *testing.T, tx *sqlx.Tx, _ *auditlog.Key) {
			tx.MustExec(`UPDATE audit_events SET occurred_at = occurred_at - interval '1 day' WHERE chain_seq = 6`)
		}, 6, auditlog.Changed},
		{"removed", func(t *testing.T, tx *sqlx.Tx, _ *auditlog.Key) {
			tx.MustExec(`DELETE FROM audit_events WHERE chain_seq = 3`)
		}, 3, auditlog.Removed},
		{"removed and the rest renumbered", func(t *testing.T, tx *sqlx.Tx, _ *auditlog.Key) {
			tx.MustExec(`DELETE FROM audit_events WHERE chain_seq = 3`)
			tx.MustExec(`UPDATE audit_events SET chain_seq = -chain_seq WHERE chain_seq > 3`)
			tx.MustExec(`UPDATE audit_events SET chain_seq = -chain_seq - 1 WHERE chain_seq < 0`)
			tx.MustExec(`UPDATE audit_chain_head SET seq = 7`)
		}, 3, auditlog.Removed},
		{"the last ones removed", func(t *testing.T, tx *sqlx.Tx, _ *auditlog.Key) {
			tx.MustExec(`DELETE FROM audit_events WHERE chain_seq > 6`)
		}, 7, auditlog.Removed},
		{"inserted, the rest renumbered", func(t *testing.T, tx *sqlx.Tx, _ *auditlog.Key) {
			tx.MustExec(`UPDATE audit_events SET chain_seq = -chain_seq WHERE chain_seq >= 4`)
			tx.MustExec(`UPDATE audit_events SET chain_seq = -chain_seq + 1 WHERE chain_seq < 0`)
			forge(t, tx, int64(4), hashAt(t, tx, 3))
			tx.MustExec(`UPDATE audit_chain_head SET seq = 9`)
		}, 4, auditlog.Inserted},
		{"appended beyond the head", func(t *testing.T, tx *sqlx.Tx, _ *auditlog.Key) {
			forge(t, tx, int64(9), hashAt(t, tx, 8))
		}, 9, auditlog.Inserted},
		{"inserted outside the chain", func(t *testing.T, tx *sqlx.Tx, _ *auditlog.Key) {
			tx.MustExec(`ALTER TABLE audit_events DROP CONSTRAINT audit_events_chained`)
			forge(t, tx, nil, auditlog.Genesis)
		}, 0, auditlog.Inserted},
		{"rewritten and re-chained up to the head", func(t *testing.T, tx *sqlx.Tx, _ *auditlog.Key) {
			rows, err := tx.Queryx(`SELECT chain_seq, id, occurred_at, actor, actor_unit, actor_role, action, subject_type, subject_id,
    worker_id, rule, policy_version, workflow_id, run_id, request_id, purpose FROM audit_events WHERE chain_seq >= 3 ORDER BY chain_seq`)
			if err != nil {
				t.Fatal(err)
			}
			var recs []auditlog.Record
			for rows.Next() {
				var r struct {
					Seq int64     `db:"chain_seq"`
					ID  uuid.UUID `db:"id"`
					lindungi.Event
				}
				var occurred time.Time
				var worker *uuid.UUID
				if err := rows.Scan(&r.Seq, &r.ID, &occurred, &r.Actor, &r.ActorUnit, &r.ActorRole, &r.Action, &r.SubjectType,
					&r.SubjectID, &worker, &r.Rule, &r.Policy, &r.WorkflowID, &r.RunID, &r.RequestID, &r.Purpose); err != nil {
					t.Fatal(err)
				}
				r.OccurredAt, r.WorkerID = occurred, worker
				recs = append(recs, auditlog.Record{Seq: r.Seq, ID: r.ID, Event: r.Event})
			}
			rows.Close()
			recs[0].Purpose = "tidak ada"
			prev := hashAt(t, tx, 2)
			for _, r := range recs {
				h, err := auditlog.Hash(prev, r)
				if err != nil {
					t.Fatal(err)
				}
				tx.MustExec(`UPDATE audit_events SET purpose = $2, prev_hash = $3, hash = $4 WHERE chain_seq = $1`, r.Seq, r.Purpose, prev[:], h[:])
				prev = h
			}
			tx.MustExec(`UPDATE audit_chain_head SET hash = $1`, prev[:])
		}, 5, auditlog.BadCheckpoint},
		{"checkpoint forged", func(t *testing.T, tx *sqlx.Tx, _ *auditlog.Key) {
			other := auditKey(t)
			head := hashAt(t, tx, 8)
			c := other.SignCheckpoint(8, head, t0, nil)
			tx.MustExec(`INSERT INTO audit_checkpoints (seq, hash, signed_at, key_id, signature) VALUES ($1, $2, $3, $4, $5)`,
				c.Seq, c.Hash[:], c.SignedAt, c.KeyID, c.Signature)
		}, 8, auditlog.BadCheckpoint},
		{"checkpoint signature changed", func(t *testing.T, tx *sqlx.Tx, _ *auditlog.Key) {
			tx.MustExec(`UPDATE audit_checkpoints SET signature = overlay(signature placing '\x00' from 1 for 1)`)
		}, 5, auditlog.BadCheckpoint},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			db, key := chained(t)
			behindTheBack(t, db, func(tx *sqlx.Tx) { tt.tamper(t, tx, key) })
			rep := verify(t, db, key)
			if rep.OK || rep.Failure == nil {
				t.Fatalf("tampering not caught: %+v", rep)
			}
			if rep.Failure.Seq != tt.wantSeq || rep.Failure.Reason != tt.wantReason {
				t.Errorf("failure = seq %d %s (%s), want seq %d %s", rep.Failure.Seq, rep.Failure.Reason, rep.Failure.Detail, tt.wantSeq, tt.wantReason)
			}
		})
	}
}

// TestCheckpointCatchesACutEnd removes the newest events and moves the
// head back; the checkpoint signed over them names the first one gone.
// (Events after the last checkpoint cut off this way cannot be told from
// a shorter trail: checkpoints, and exports kept by auditors, are what
// seal the end.)
func TestCheckpointCatchesACutEnd(t *testing.T) {
	t.Parallel()
	db, key := chained(t)
	if _, _, err := db.Checkpoint(t.Context(), key); err != nil {
		t.Fatal(err)
	}
	behindTheBack(t, db, func(tx *sqlx.Tx) {
		tx.MustExec(`DELETE FROM audit_events WHERE chain_seq > 6`)
		tx.MustExec(`UPDATE audit_chain_head SET seq = 6, hash = (SELECT hash FROM audit_events WHERE chain_seq = 6)`)
	})
	rep := verify(t, db, key)
	if rep.OK || rep.Failure.Seq != 7 || rep.Failure.Reason != auditlog.Removed {
		t.Errorf("failure = %+v, want seq 7 removed", rep.Failure)
	}
}

// TestAuditTablesAreAppendOnly extends the trail's append-only test to the
// checkpoints and the history tables.
func TestAuditTablesAreAppendOnly(t *testing.T) {
	t.Parallel()
	db, _ := chained(t)
	w := register(t, db, "3305011508950001", "3305")
	if _, err := db.CreateTask(t.Context(), lindungi.Task{ID: uuid.New(), WorkflowID: w.WorkflowID, WorkerID: w.ID,
		Kind: lindungi.TaskVerifyRegistration, Step: lindungi.StepRegistered, Unit: "3305", RouteRule: "r",
		DueAt: t0.Add(48 * time.Hour), DueDate: "2026-12-28"}, clerk("req-task")); err != nil {
		t.Fatal(err)
	}
	for table, set := range map[string]string{"audit_checkpoints": "key_id = 'x'", "workers_history": "row_data = '{}'",
		"tasks_history": "row_data = '{}'"} {
		for _, stmt := range []string{`UPDATE ` + table + ` SET ` + set, `DELETE FROM ` + table, `TRUNCATE ` + table} {
			before := count(t, db, `SELECT count(*) FROM `+table)
			if _, err := db.SQL().ExecContext(t.Context(), stmt); err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s: error %v, want the append-only refusal", stmt, err)
			}
			if after := count(t, db, `SELECT count(*) FROM `+table); before == 0 || after != before {
				t.Errorf("%s: %d rows before, %d after", stmt, before, after)
			}
		}
	}
}

// TestEventsBeforeTheChainAreChained takes a trail written before the
// chain existed (rows without a chain position) and migrates it.
func TestEventsBeforeTheChainAreChained(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := t.Context()
	db.SQL().MustExecContext(ctx, `ALTER TABLE audit_events DROP CONSTRAINT audit_events_chained`)
	for i := range 3 {
		db.SQL().MustExecContext(ctx, `INSERT INTO audit_events (id, occurred_at, actor, actor_unit, actor_role, action, subject_type, subject_id, after)
VALUES ($1, $2, 'user:siti', '3305', 'caseworker', 'worker.register', 'worker', $3, '{"scheme": "P2P"}')`, uuid.New(), t0, fmt.Sprint(i))
	}
	db.SQL().MustExecContext(ctx, `ALTER TABLE audit_events ADD CONSTRAINT audit_events_chained
    CHECK (chain_seq IS NOT NULL AND prev_hash IS NOT NULL AND hash IS NOT NULL) NOT VALID`)
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	appendEvents(t, db, 1, 1)
	rep := verify(t, db, auditKey(t))
	if !rep.OK || rep.Events != 4 {
		t.Errorf("after chaining the old events: %+v", rep)
	}
	if _, err := db.SQL().ExecContext(ctx, `UPDATE audit_events SET actor = 'x'`); err == nil {
		t.Error("the append-only trigger is off after the migration")
	}
}

// TestWorkerAsOf reads a worker's file as it stood before a task was
// completed, after, and before the worker existed.
func TestWorkerAsOf(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := t.Context()
	before := time.Now()
	w := register(t, db, "3305011508950001", "3305")
	task := lindungi.Task{ID: lindungi.TaskID(w.WorkflowID, lindungi.StepRegistered, lindungi.TaskVerifyRegistration, 0),
		WorkflowID: w.WorkflowID, WorkerID: w.ID, Kind: lindungi.TaskVerifyRegistration, Step: lindungi.StepRegistered,
		Unit: "3305", RouteRule: "verify-at-domicile-district", DueAt: t0.Add(48 * time.Hour), DueDate: "2026-12-28"}
	open, err := db.CreateTask(ctx, task, clerk("req-task"))
	if err != nil {
		t.Fatal(err)
	}
	registered, err := db.FindWorker(ctx, w.ID)
	if err != nil {
		t.Fatal(err)
	}
	mid := time.Now()
	done, err := db.CompleteTask(ctx, task.ID, lindungi.OutcomeApproved, "ok", clerk("req-complete"))
	if err != nil {
		t.Fatal(err)
	}
	if err := db.RecordStep(ctx, w.ID, 2, lindungi.StepVerified, "", clerk("req-complete")); err != nil {
		t.Fatal(err)
	}
	verified, err := db.FindWorker(ctx, w.ID)
	if err != nil {
		t.Fatal(err)
	}

	for _, tt := range []struct {
		name   string
		at     time.Time
		worker lindungi.Worker
		tasks  []lindungi.Task
	}{
		{"before the completion", mid, registered, []lindungi.Task{open}},
		{"now", time.Now(), verified, []lindungi.Task{done}},
	} {
		file, err := db.WorkerAsOf(ctx, w.ID, tt.at)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if diff := cmp.Diff(tt.worker, file.Worker); diff != "" {
			t.Errorf("%s: worker (-want +got):\n%s", tt.name, diff)
		}
		if diff := cmp.Diff(tt.tasks, file.Tasks); diff != "" {
			t.Errorf("%s: tasks (-want +got):\n%s", tt.name, diff)
		}
	}
	if _, err := db.WorkerAsOf(ctx, w.ID, before); lindungi.ErrorCode(err) != lindungi.ENOTFOUND {
		t.Errorf("as of before the registration: %v, want not found", err)
	}
}

// BenchmarkRecordAccess measures one audit event in a transaction of its
// own, chained: the cost every read of personal data now pays. With
// -cpu 1,4,16 it shows what the chain head's lock costs concurrent
// writers.
func BenchmarkRecordAccess(b *testing.B) {
	db, err := postgres.Open(b.Context(), devtest.Database(b))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(b.Context()); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			i++
			if err := db.RecordAccess(b.Context(), access(i)); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// Checkpoints stored by the store link to one another: removing one behind
// the back of the triggers is found at the next.
func TestCheckpointRemovedIsFound(t *testing.T) {
	db, key := chained(t)
	if _, ok, err := db.Checkpoint(t.Context(), key); err != nil || !ok {
		t.Fatalf("second checkpoint: %v %v", ok, err)
	}
	if _, ok, err := db.Checkpoint(t.Context(), key); err != nil || ok {
		t.Fatalf("a checkpoint of a head signed already: stored %v, %v", ok, err)
	}
	appendEvents(t, db, 9, 10)
	if _, ok, err := db.Checkpoint(t.Context(), key); err != nil || !ok {
		t.Fatalf("third checkpoint: %v %v", ok, err)
	}
	if rep := verify(t, db, key); !rep.OK || rep.Checkpoints != 3 {
		t.Fatalf("three linked checkpoints: %+v", rep)
	}
	behindTheBack(t, db, func(tx *sqlx.Tx) { tx.MustExec(`DELETE FROM audit_checkpoints WHERE seq = 8`) })
	rep := verify(t, db, key)
	if rep.OK || rep.Failure.Reason != auditlog.BadCheckpoint || rep.Failure.Seq != 10 {
		t.Errorf("after removing the checkpoint at seq 8: %+v, want a bad checkpoint at seq 10", rep.Failure)
	}
}

// A rotation of the signing key: checkpoints signed with the new key link
// to those of the old one, and the trail verifies with both public keys
// (the old one kept in a file of retired keys), not with the new one only.
func TestAuditKeyRotation(t *testing.T) {
	db, old := chained(t)
	appendEvents(t, db, 9, 10)
	current := auditKey(t)
	if _, ok, err := db.Checkpoint(t.Context(), current); err != nil || !ok {
		t.Fatalf("checkpoint with the new key: %v %v", ok, err)
	}
	retired := filepath.Join(t.TempDir(), "retired.pem")
	if err := os.WriteFile(retired, append(auditlog.PublicPEM(old.Public()), auditlog.PublicPEM(auditKey(t).Public())...), 0o644); err != nil {
		t.Fatal(err)
	}
	keys, err := auditlog.ReadPublicKeys(retired)
	if err != nil || len(keys) != 2 || keys[old.ID] == nil {
		t.Fatalf("retired keys: %v, %v; want 2, the old key's among them", keys, err)
	}
	keys[current.ID] = current.Public()
	rep, err := db.VerifyAudit(t.Context(), keys)
	if err != nil || !rep.OK || rep.Checkpoints != 2 || rep.LastCheckpoint.KeyID != current.ID {
		t.Errorf("with the retired and the current key: %+v, %v; want OK, 2 checkpoints, the last by the new key", rep, err)
	}
	rep = verify(t, db, current)
	if rep.OK || rep.Failure.Reason != auditlog.BadCheckpoint || !strings.Contains(rep.Failure.Detail, old.ID) {
		t.Errorf("with the new key only: %+v, want the old key's checkpoint untrusted", rep.Failure)
	}
}
