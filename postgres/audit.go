package postgres

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/json"
	"fmt"
	"iter"
	"reflect"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/auditlog"
)

// eventRow is a row of audit_events with before and after as the text of
// their jsonb.
type eventRow struct {
	ChainSeq    sql.NullInt64 `db:"chain_seq"`
	ID          uuid.UUID     `db:"id"`
	OccurredAt  time.Time     `db:"occurred_at"`
	Actor       string        `db:"actor"`
	ActorUnit   string        `db:"actor_unit"`
	ActorRole   string        `db:"actor_role"`
	Action      string        `db:"action"`
	SubjectType string        `db:"subject_type"`
	SubjectID   string        `db:"subject_id"`
	WorkerID    *uuid.UUID    `db:"worker_id"`
	Before      *string       `db:"before"`
	After       *string       `db:"after"`
	Rule        string        `db:"rule"`
	Policy      string        `db:"policy_version"`
	WorkflowID  string        `db:"workflow_id"`
	RunID       string        `db:"run_id"`
	RequestID   string        `db:"request_id"`
	Purpose     string        `db:"purpose"`
	PrevHash    []byte        `db:"prev_hash"`
	Hash        []byte        `db:"hash"`
}

const eventColumns = `chain_seq, id, occurred_at, actor, actor_unit, actor_role, action, subject_type, subject_id,
    worker_id, before::text AS before, after::text AS after, rule, policy_version, workflow_id, run_id, request_id,
    purpose, prev_hash, hash`

func (r eventRow) record() auditlog.Record {
	rec := auditlog.Record{Seq: r.ChainSeq.Int64, ID: r.ID, Event: lindungi.Event{
		Actor: r.Actor, ActorUnit: r.ActorUnit, ActorRole: r.ActorRole, Action: r.Action,
		SubjectType: r.SubjectType, SubjectID: r.SubjectID, WorkerID: r.WorkerID,
		Rule: r.Rule, Policy: r.Policy, WorkflowID: r.WorkflowID, RunID: r.RunID, RequestID: r.RequestID,
		OccurredAt: r.OccurredAt.UTC(), Purpose: r.Purpose,
	}}
	if r.Before != nil {
		rec.Before = json.RawMessage(*r.Before)
	}
	if r.After != nil {
		rec.After = json.RawMessage(*r.After)
	}
	// A hash of the wrong length is kept as zeros, which never verify.
	rec.PrevHash, _ = auditlog.DigestOf(r.PrevHash)
	rec.Hash, _ = auditlog.DigestOf(r.Hash)
	return rec
}

var _ auditlog.Store = (*DB)(nil)

// RecordAccess writes an access event (a read of personal data, with its
// purpose) in a transaction of its own, at the store's clock.
func (db *DB) RecordAccess(ctx context.Context, ev lindungi.Event) error {
	ev.OccurredAt = db.Now().UTC()
	return db.inTx(ctx, func(tx *sqlx.Tx) error { return insertEvent(ctx, tx, ev) })
}

// AuditHead returns the end of the chain as committed now.
func (db *DB) AuditHead(ctx context.Context) (auditlog.Head, error) {
	return auditHead(ctx, db.db)
}

func auditHead(ctx context.Context, q sqlx.QueryerContext) (auditlog.Head, error) {
	var row struct {
		Seq  int64  `db:"seq"`
		Hash []byte `db:"hash"`
	}
	if err := sqlx.GetContext(ctx, q, &row, `SELECT seq, hash FROM audit_chain_head`); err != nil {
		return auditlog.Head{}, fmt.Errorf("audit chain head: %w", translate(err))
	}
	h, _ := auditlog.DigestOf(row.Hash)
	return auditlog.Head{Seq: row.Seq, Hash: h}, nil
}

// Checkpoint signs the chain head with key and stores the checkpoint,
// linked to the last one, unless the head is already signed (or the chain
// is empty); it reports whether it stored one. Several processes may call
// it at once: they take turns, so that each links to the one before.
func (db *DB) Checkpoint(ctx context.Context, key *auditlog.Key) (auditlog.Checkpoint, bool, error) {
	var c auditlog.Checkpoint
	stored := false
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext('lindungi audit checkpoint'))`); err != nil {
			return fmt.Errorf("checkpoint lock: %w", translate(err))
		}
		head, err := auditHead(ctx, tx)
		if err != nil || head.Seq == 0 {
			return err
		}
		last, err := checkpoints(ctx, tx, 0, 1<<62, true)
		if err != nil {
			return err
		}
		var prev *auditlog.Checkpoint
		if len(last) > 0 {
			if last[0].Seq >= head.Seq {
				return nil // signed already
			}
			prev = &last[0]
		}
		c = key.SignCheckpoint(head.Seq, head.Hash, db.Now(), prev)
		if _, err := tx.ExecContext(ctx, `
INSERT INTO audit_checkpoints (seq, hash, signed_at, key_id, prev, signature) VALUES ($1, $2, $3, $4, $5, $6)`,
			c.Seq, c.Hash[:], c.SignedAt, c.KeyID, c.Prev[:], c.Signature); err != nil {
			return fmt.Errorf("store checkpoint: %w", translate(err))
		}
		stored = true
		return nil
	})
	if err != nil || !stored {
		return auditlog.Checkpoint{}, false, err
	}
	return c, true, nil
}

type checkpointRow struct {
	Seq       int64     `db:"seq"`
	Hash      []byte    `db:"hash"`
	SignedAt  time.Time `db:"signed_at"`
	KeyID     string    `db:"key_id"`
	Prev      []byte    `db:"prev"`
	Signature []byte    `db:"signature"`
}

// checkpoints returns the checkpoints of seq from to to, in seq order, or
// only the last of them when last.
func checkpoints(ctx context.Context, q sqlx.QueryerContext, from, to int64, last ...bool) ([]auditlog.Checkpoint, error) {
	query := `SELECT seq, hash, signed_at, key_id, prev, signature FROM audit_checkpoints WHERE seq BETWEEN $1 AND $2 ORDER BY seq`
	if len(last) > 0 && last[0] {
		query = `SELECT seq, hash, signed_at, key_id, prev, signature FROM audit_checkpoints WHERE seq BETWEEN $1 AND $2 ORDER BY seq DESC LIMIT 1`
	}
	var rows []checkpointRow
	if err := sqlx.SelectContext(ctx, q, &rows, query, from, to); err != nil {
		return nil, fmt.Errorf("audit checkpoints: %w", translate(err))
	}
	out := make([]auditlog.Checkpoint, len(rows))
	for i, r := range rows {
		h, _ := auditlog.DigestOf(r.Hash)
		out[i] = auditlog.Checkpoint{Seq: r.Seq, Hash: h, SignedAt: r.SignedAt.UTC(), KeyID: r.KeyID, Signature: r.Signature}
		if r.Prev != nil {
			p, _ := auditlog.DigestOf(r.Prev)
			out[i].Prev = &p
		}
	}
	return out, nil
}

// VerifyAudit re-checks the whole trail in one consistent snapshot: every
// event's hash and link from the first, the chain head, and every
// checkpoint's hash and signature (with keys, the trusted public keys by
// key ID; nil skips the signatures). The report names the first event
// that fails.
func (db *DB) VerifyAudit(ctx context.Context, keys map[string]ed25519.PublicKey) (auditlog.Report, error) {
	tx, err := db.db.BeginTxx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return auditlog.Report{}, translate(err)
	}
	defer tx.Rollback()
	head, err := auditHead(ctx, tx)
	if err != nil {
		return auditlog.Report{}, err
	}
	cps, err := checkpoints(ctx, tx, 0, 1<<62)
	if err != nil {
		return auditlog.Report{}, err
	}
	rows, err := tx.QueryxContext(ctx, `SELECT `+eventColumns+` FROM audit_events ORDER BY chain_seq NULLS LAST, seq`)
	if err != nil {
		return auditlog.Report{}, fmt.Errorf("read audit events: %w", translate(err))
	}
	defer rows.Close()
	rep, err := auditlog.Verify(auditlog.Chain{FirstSeq: 1, Prev: auditlog.Genesis, Head: &head,
		Records: scanRecords(rows), Checkpoints: cps, Keys: keys})
	if err != nil {
		return rep, fmt.Errorf("verify audit trail: %w", err)
	}
	return rep, nil
}

// scanRecords yields the records of rows.
func scanRecords(rows *sqlx.Rows) iter.Seq2[auditlog.Record, error] {
	return func(yield func(auditlog.Record, error) bool) {
		for rows.Next() {
			var r eventRow
			if err := rows.StructScan(&r); err != nil {
				yield(auditlog.Record{}, translate(err))
				return
			}
			if !yield(r.record(), nil) {
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(auditlog.Record{}, translate(err))
		}
	}
}

const traceSQL = `
SELECT ` + eventColumns + ` FROM audit_events
WHERE worker_id = $1 AND chain_seq > $2
  AND ($3::timestamptz IS NULL OR occurred_at >= $3)
  AND ($4::timestamptz IS NULL OR occurred_at < $4)
  AND left(action, length($5)) = $5
  AND (NOT $6 OR purpose <> '')
  AND ($8 = '' OR actor = $8)
ORDER BY chain_seq
LIMIT $7`

// AuditTrace returns the events about a worker in chain order, filtered
// by f; f.AccessesOnly keeps the reads of personal data.
func (db *DB) AuditTrace(ctx context.Context, worker uuid.UUID, f auditlog.Filter) ([]auditlog.Record, error) {
	var rows []eventRow
	err := db.db.SelectContext(ctx, &rows, traceSQL, worker, f.After, nullTime(f.From), nullTime(f.To),
		f.ActionPrefix, f.AccessesOnly, f.Limit, f.Actor)
	if err != nil {
		return nil, fmt.Errorf("audit trace: %w", translate(err))
	}
	return convert(rows, eventRow.record), nil
}

// AuditExport returns the stretch of the chain from the first event at or
// after from to the last event before to (zero times: the start and the
// end of the trail), with the hash it starts from and the checkpoints
// signed within it: every event of the stretch when unit is "", else the
// events in the reach of unit (reachSQL). EINVALID when it would hold more
// than max events.
func (db *DB) AuditExport(ctx context.Context, from, to time.Time, unit string, max int) (auditlog.ExportPayload, error) {
	p := auditlog.ExportPayload{Scope: unit, Events: []auditlog.Record{}, Checkpoints: []auditlog.Checkpoint{}}
	if !from.IsZero() {
		f := from.UTC()
		p.From = &f
	}
	if !to.IsZero() {
		t := to.UTC()
		p.To = &t
	}
	tx, err := db.db.BeginTxx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return p, translate(err)
	}
	defer tx.Rollback()
	var bounds struct {
		First sql.NullInt64 `db:"first"`
		Last  sql.NullInt64 `db:"last"`
	}
	if err := tx.GetContext(ctx, &bounds, `
SELECT min(chain_seq) AS first, max(chain_seq) AS last FROM audit_events
WHERE ($1::timestamptz IS NULL OR occurred_at >= $1) AND ($2::timestamptz IS NULL OR occurred_at < $2)`,
		nullTime(from), nullTime(to)); err != nil {
		return p, fmt.Errorf("export range: %w", translate(err))
	}
	if !bounds.First.Valid {
		return p, nil
	}
	p.FirstSeq, p.LastSeq = bounds.First.Int64, bounds.Last.Int64
	tooMany := func(n int64) error {
		return &lindungi.Error{Code: lindungi.EINVALID, Message: fmt.Sprintf("The range holds %d events; export at most %d at a time.", n, max),
			Fields: []lindungi.FieldError{{Field: "to", Reason: fmt.Sprintf("narrow the range to at most %d events", max)}}}
	}
	if n := p.LastSeq - p.FirstSeq + 1; unit == "" && n > int64(max) {
		return p, tooMany(n)
	}
	p.PrevHash = auditlog.Genesis
	if p.FirstSeq > 1 {
		var prev []byte
		if err := tx.GetContext(ctx, &prev, `SELECT hash FROM audit_events WHERE chain_seq = $1`, p.FirstSeq-1); err != nil {
			return p, fmt.Errorf("export start hash: %w", translate(err))
		}
		p.PrevHash, _ = auditlog.DigestOf(prev)
	}
	var rows []eventRow
	if err := tx.SelectContext(ctx, &rows, `SELECT `+eventColumns+` FROM audit_events
WHERE chain_seq BETWEEN $1 AND $2 AND ($3 = '' OR `+reachSQL("$3")+`)
ORDER BY chain_seq LIMIT $4`, p.FirstSeq, p.LastSeq, unit, max+1); err != nil {
		return p, fmt.Errorf("export events: %w", translate(err))
	}
	if len(rows) > max {
		return p, tooMany(int64(len(rows)))
	}
	for _, r := range rows {
		p.Events = append(p.Events, r.record())
	}
	if p.Checkpoints, err = checkpoints(ctx, tx, p.FirstSeq, p.LastSeq); err != nil {
		return p, err
	}
	return p, nil
}

// WorkerAsOf returns a worker's file as it stood at instant at: the
// worker and its tasks from the history the triggers on workers and tasks
// keep, its documents (workerDocumentsAsOf) and its cases
// (workerCasesAsOf). ENOTFOUND if the worker did not exist yet.
func (db *DB) WorkerAsOf(ctx context.Context, id uuid.UUID, at time.Time) (auditlog.WorkerFile, error) {
	f := auditlog.WorkerFile{At: at.UTC()}
	var raw []byte
	err := db.db.GetContext(ctx, &raw, `
SELECT row_data FROM workers_history WHERE worker_id = $1 AND changed_at <= $2
ORDER BY changed_at DESC, history_id DESC LIMIT 1`, id, at)
	if lindungi.ErrorCode(translate(err)) == lindungi.ENOTFOUND {
		return f, lindungi.Errorf(lindungi.ENOTFOUND, "The worker was not registered yet at %s.", at.UTC().Format(time.RFC3339))
	}
	if err != nil {
		return f, fmt.Errorf("worker %s as of %s: %w", id, at, translate(err))
	}
	if err := json.Unmarshal(raw, &f.Worker); err != nil {
		return f, fmt.Errorf("worker %s as of %s: %w", id, at, err)
	}
	utcTimes(&f.Worker)
	var raws [][]byte
	if err := db.db.SelectContext(ctx, &raws, `
SELECT row_data FROM (
    SELECT DISTINCT ON (task_id) task_id, row_data, changed_at FROM tasks_history
    WHERE worker_id = $1 AND changed_at <= $2
    ORDER BY task_id, changed_at DESC, history_id DESC) latest
ORDER BY changed_at, task_id`, id, at); err != nil {
		return f, fmt.Errorf("tasks of %s as of %s: %w", id, at, translate(err))
	}
	f.Tasks = make([]lindungi.Task, len(raws))
	for i, b := range raws {
		if err := json.Unmarshal(b, &f.Tasks[i]); err != nil {
			return f, fmt.Errorf("task as of %s: %w", at, err)
		}
		utcTimes(&f.Tasks[i])
	}
	if f.Documents, err = db.workerDocumentsAsOf(ctx, id, at); err != nil {
		return f, err
	}
	if f.Cases, err = db.workerCasesAsOf(ctx, id, at); err != nil {
		return f, err
	}
	return f, nil
}

// utcTimes puts every time.Time and *time.Time field of the struct v
// points to in UTC: history rows keep the time zone of the session that
// wrote them, the API answers in UTC.
func utcTimes(v any) {
	s := reflect.ValueOf(v).Elem()
	for i := range s.NumField() {
		switch f := s.Field(i); t := f.Interface().(type) {
		case time.Time:
			f.Set(reflect.ValueOf(t.UTC()))
		case *time.Time:
			if t != nil {
				u := t.UTC()
				f.Set(reflect.ValueOf(&u))
			}
		}
	}
}

// chainUnchained chains the audit events written before the chain existed
// (the migration that added it leaves them without a chain position), in
// the order they were written, then has PostgreSQL check that every event
// is chained. The append-only trigger is off only inside this transaction,
// which holds the table's exclusive lock throughout.
func (db *DB) chainUnchained(ctx context.Context) error {
	var valid bool
	if err := db.db.GetContext(ctx, &valid, `SELECT convalidated FROM pg_constraint WHERE conname = 'audit_events_chained'`); err != nil {
		return fmt.Errorf("audit chain constraint: %w", translate(err))
	}
	if valid {
		return nil
	}
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `LOCK TABLE audit_events IN ACCESS EXCLUSIVE MODE`); err != nil {
			return translate(err)
		}
		var rows []eventRow
		if err := tx.SelectContext(ctx, &rows, `SELECT `+eventColumns+` FROM audit_events WHERE chain_seq IS NULL ORDER BY seq`); err != nil {
			return fmt.Errorf("unchained events: %w", translate(err))
		}
		if len(rows) > 0 {
			if _, err := tx.ExecContext(ctx, `ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update`); err != nil {
				return translate(err)
			}
			var head struct {
				Seq  int64  `db:"seq"`
				Hash []byte `db:"hash"`
			}
			if err := tx.GetContext(ctx, &head, `SELECT seq, hash FROM audit_chain_head FOR UPDATE`); err != nil {
				return translate(err)
			}
			prev, _ := auditlog.DigestOf(head.Hash)
			for _, r := range rows {
				rec := r.record()
				head.Seq++
				rec.Seq, rec.PrevHash = head.Seq, prev
				h, err := auditlog.Hash(prev, rec)
				if err != nil {
					return err
				}
				if _, err := tx.ExecContext(ctx, `UPDATE audit_events SET chain_seq = $2, prev_hash = $3, hash = $4 WHERE id = $1`,
					rec.ID, rec.Seq, prev[:], h[:]); err != nil {
					return fmt.Errorf("chain event %s: %w", rec.ID, translate(err))
				}
				prev = h
			}
			if _, err := tx.ExecContext(ctx, `UPDATE audit_chain_head SET seq = $1, hash = $2 WHERE id`, head.Seq, prev[:]); err != nil {
				return translate(err)
			}
			if _, err := tx.ExecContext(ctx, `ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update`); err != nil {
				return translate(err)
			}
		}
		_, err := tx.ExecContext(ctx, `ALTER TABLE audit_events VALIDATE CONSTRAINT audit_events_chained`)
		return translate(err)
	})
}

// RecordEvent audits a change that lives only in a workflow's state (a
// contract extension, a rehabilitation request). A retry of the same
// request (same action, subject and request ID) writes nothing more.
func (db *DB) RecordEvent(ctx context.Context, ev lindungi.Event) error {
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		if ev.RequestID != "" {
			var done bool
			if err := tx.GetContext(ctx, &done, `SELECT EXISTS (SELECT 1 FROM audit_events
				WHERE action = $1 AND subject_id = $2 AND request_id = $3)`, ev.Action, ev.SubjectID, ev.RequestID); err != nil {
				return translate(err)
			}
			if done {
				return nil
			}
		}
		ev.OccurredAt = db.Now().UTC()
		return insertEvent(ctx, tx, ev)
	})
}
