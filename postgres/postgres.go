// Package postgres implements Lindungi's domain services on PostgreSQL with
// sqlx and lib/pq. It is the only package that knows the driver: it turns
// driver errors into lindungi errors at its boundary.
//
// One *DB implements every service, one file per noun, as in package
// lindungi; each file asserts the services it implements, and keeps its SQL
// as constants next to the method that runs it:
//
//	postgres.go      DB, Open, Migrate, transactions, driver errors, the audit chain's writer
//	worker.go        workers: registration, provisional workers, search and merge
//	journey.go       the journey's steps, and workers whose journey has not started
//	task.go          tasks: creation, completion, lists and every change (changeTask)
//	case.go          protection cases and every change to one (changeCase)
//	handover.go      referrals and transfers, decided by one algorithm (decideHandOver)
//	document.go      workers' documents
//	delegation.go    delegations
//	holiday.go       the calendar's holidays
//	idempotency.go   idempotency keys: reservations, their leases, stored answers
//	notification.go  notifications to units
//	policy.go        casbin policy lines and versions, and the casbin adapter
//	watcher.go       the casbin watcher on LISTEN/NOTIFY
//	reference.go     the reference data (units, holidays) and the user directory
//	audit.go         the audit trail's reads, checkpoints, exports and access events
//	shared.go        the small conversions and checks every noun uses
//
// Exported methods own the transaction; unexported helpers take the
// *sqlx.Tx, so several writes and their audit events commit together.
package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/auditlog"
	"github.com/lindungi/lindungi/schema"
	"github.com/pressly/goose/v3"
)

// DB is a connection pool to Lindungi's database.
type DB struct {
	db  *sqlx.DB
	dsn string
	// Now is the clock; tests may replace it.
	Now func() time.Time
}

// Open connects to the database at dsn and checks that it answers.
func Open(ctx context.Context, dsn string) (*DB, error) {
	db, err := sqlx.Open("postgres", dsn)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	db.SetMaxOpenConns(20)
	db.SetMaxIdleConns(10)
	db.SetConnMaxIdleTime(5 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to database: %w", err)
	}
	return &DB{db: db, dsn: dsn, Now: time.Now}, nil
}

// Close closes the pool.
func (db *DB) Close() error { return db.db.Close() }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.db.PingContext(ctx) }

// SQL returns the underlying pool, for tests and tools that inspect tables.
func (db *DB) SQL() *sqlx.DB { return db.db }

// Migrate applies every migration in schema that the database lacks, then
// chains audit events written before the hash chain existed.
func (db *DB) Migrate(ctx context.Context) error {
	provider, err := goose.NewProvider(goose.DialectPostgres, db.db.DB, schema.Migrations)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := provider.Up(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return db.chainUnchained(ctx)
}

// inTx runs fn in a transaction, committing when it returns nil.
func (db *DB) inTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	tx, err := db.db.BeginTxx(ctx, nil)
	if err != nil {
		return translate(err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return translate(tx.Commit())
}

// translate turns driver errors into lindungi errors.
func translate(err error) error {
	var pqErr *pq.Error
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sql.ErrNoRows):
		return lindungi.Errorf(lindungi.ENOTFOUND, "Not found.")
	case errors.As(err, &pqErr) && pqErr.Code == "23505":
		return &lindungi.Error{Code: lindungi.ECONFLICT, Message: "Already exists."}
	case errors.As(err, &pqErr) && pqErr.Code == "23503":
		return &lindungi.Error{Code: lindungi.EINVALID, Message: "A referenced record does not exist."}
	}
	return err
}

const advanceChainSQL = `UPDATE audit_chain_head SET seq = seq + 1 WHERE id RETURNING seq, hash`

const insertEventSQL = `
WITH ev AS (
    INSERT INTO audit_events (id, chain_seq, occurred_at, actor, actor_unit, actor_role, action, subject_type, subject_id,
        worker_id, before, after, rule, policy_version, workflow_id, run_id, request_id, purpose, prev_hash, hash)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)
    RETURNING hash)
UPDATE audit_chain_head SET hash = ev.hash FROM ev WHERE id`

// insertEvent appends ev to the audit trail inside tx, as the next link of
// the hash chain. Taking the next position locks the chain head until tx
// ends, so events are chained in commit order and a rolled-back
// transaction leaves no gap.
func insertEvent(ctx context.Context, tx *sqlx.Tx, ev lindungi.Event) error {
	var head struct {
		Seq  int64  `db:"seq"`
		Hash []byte `db:"hash"`
	}
	if err := tx.GetContext(ctx, &head, advanceChainSQL); err != nil {
		return fmt.Errorf("audit %s: chain head: %w", ev.Action, translate(err))
	}
	prev, ok := auditlog.DigestOf(head.Hash)
	if !ok {
		return fmt.Errorf("audit %s: the chain head holds a %d-byte hash", ev.Action, len(head.Hash))
	}
	// The database keeps microseconds; the hash covers what it keeps.
	ev.OccurredAt = ev.OccurredAt.UTC().Truncate(time.Microsecond)
	rec := auditlog.Record{Seq: head.Seq, ID: uuid.New(), Event: ev, PrevHash: prev}
	hash, err := auditlog.Hash(prev, rec)
	if err != nil {
		return fmt.Errorf("audit %s: %w", ev.Action, err)
	}
	var worker any
	if ev.WorkerID != nil {
		worker = *ev.WorkerID
	}
	_, err = tx.ExecContext(ctx, insertEventSQL, rec.ID, rec.Seq, ev.OccurredAt, ev.Actor, ev.ActorUnit, ev.ActorRole,
		ev.Action, ev.SubjectType, ev.SubjectID, worker, jsonOrNull(ev.Before), jsonOrNull(ev.After),
		ev.Rule, ev.Policy, ev.WorkflowID, ev.RunID, ev.RequestID, ev.Purpose, prev[:], hash[:])
	if err != nil {
		return fmt.Errorf("audit %s: %w", ev.Action, translate(err))
	}
	return nil
}

func jsonOrNull(b json.RawMessage) any {
	if len(b) == 0 {
		return nil
	}
	return []byte(b)
}

// mustJSON marshals values the package builds itself.
func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
