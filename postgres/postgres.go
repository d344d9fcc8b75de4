// Package postgres implements Lindungi's domain services on PostgreSQL with
// sqlx and lib/pq. It is the only package that knows the driver: it turns
// driver errors into lindungi errors at its boundary.
//
// One *DB implements every service, one file per noun, as in package
// lindungi; each file asserts the services it implements, and keeps its SQL
// as constants next to the method that runs it:
//
//	postgres.go      DB, Open, Migrate, transactions, driver errors, the audit chain's writer
//	dial.go          the timeouts of every call, and the guard against a server that stops answering
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
//	wake.go          the reconciler's wake-ups on LISTEN/NOTIFY
//	reference.go     the reference data (units, holidays) and the user directory
//	audit.go         the audit trail's reads, checkpoints, exports and access events
//	stats.go         the figures of a unit and below, for the dashboard
//	shared.go        the small conversions and checks every noun uses
//
// Exported methods own the transaction; unexported helpers take the
// *sqlx.Tx, so several writes and their audit events commit together.
package postgres

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
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
	cfg pq.Config
	// Now is the clock; tests may replace it.
	Now func() time.Time
}

// Open connects to the database at dsn and checks that it answers. Every
// connection has the timeouts of dial.go, unless dsn sets its own
// (connect_timeout, statement_timeout, lock_timeout,
// idle_in_transaction_session_timeout).
func Open(ctx context.Context, dsn string) (*DB, error) {
	cfg, err := config(dsn)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	db := sqlx.NewDb(sql.OpenDB(newConnector(cfg)), "postgres")
	db.SetMaxOpenConns(20)
	db.SetMaxIdleConns(10)
	db.SetConnMaxIdleTime(5 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to database: %w", translate(err))
	}
	return &DB{db: db, dsn: dsn, cfg: cfg, Now: time.Now}, nil
}

// Close closes the pool.
func (db *DB) Close() error { return db.db.Close() }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.db.PingContext(ctx) }

// SQL returns the underlying pool, for tests and tools that inspect tables.
func (db *DB) SQL() *sqlx.DB { return db.db }

// Migrate applies every migration in schema that the database lacks, then
// chains audit events written before the hash chain existed. Migrations
// run on their own connections, without statement and lock timeouts.
func (db *DB) Migrate(ctx context.Context) error {
	long := sql.OpenDB(newConnector(withoutStatementLimits(db.cfg)))
	defer long.Close()
	provider, err := goose.NewProvider(goose.DialectPostgres, long, schema.Migrations)
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

// translate turns driver errors into lindungi errors at the package's
// boundary: a missing row is ENOTFOUND; data the database refuses, which
// no retry can change (SQLSTATE classes 22 and 23, and 54), is EINVALID or
// ECONFLICT; a database that cannot be reached or does not answer in time
// is EUNAVAILABLE. The cause stays in the chain for the logs. An error
// that is a lindungi error already is returned as it is.
func translate(err error) error {
	var e *lindungi.Error
	var pqErr *pq.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &e):
		return err
	case errors.Is(err, sql.ErrNoRows):
		return lindungi.Errorf(lindungi.ENOTFOUND, "Not found.")
	case errors.As(err, &pqErr):
		if e := serverError(pqErr); e != nil {
			return fmt.Errorf("%w: %w", e, err)
		}
		return err
	case unreachable(err):
		return fmt.Errorf("%w: %w", errUnavailable(), err)
	}
	return err
}

func errUnavailable() *lindungi.Error {
	return lindungi.Errorf(lindungi.EUNAVAILABLE, "The database cannot be reached or did not answer in time; try again shortly.")
}

// serverError is the domain error of an error the server reported, or nil
// when it is none of those translate knows.
func serverError(err *pq.Error) *lindungi.Error {
	switch err.Code {
	case "23505": // unique_violation
		return lindungi.Errorf(lindungi.ECONFLICT, "Already exists.")
	case "23P01": // exclusion_violation
		return lindungi.Errorf(lindungi.ECONFLICT, "Conflicts with a record that exists.")
	case "23503": // foreign_key_violation
		return lindungi.Errorf(lindungi.EINVALID, "A referenced record does not exist.")
	case "57014", // query_canceled: statement_timeout, or the request's context ended
		"55P03",                   // lock_not_available: lock_timeout
		"25P03",                   // idle_in_transaction_session_timeout
		"40001",                   // serialization_failure
		"40P01",                   // deadlock_detected
		"57P01", "57P02", "57P03": // the server is shutting down or starting
		return errUnavailable()
	}
	switch err.Code.Class() {
	case "22", // data exception: a NUL byte, invalid UTF-8, a value out of range
		"23", // integrity constraint violation: a check, a null
		"54": // program limit exceeded: a value too large to index
		return lindungi.Errorf(lindungi.EINVALID, "The database refused a value of the request.")
	case "08", // connection exception
		"53": // insufficient resources: too many connections, disk full
		return errUnavailable()
	}
	return nil
}

// unreachable reports whether err says the database could not be reached
// or stopped answering: a refused, reset or timed-out connection, a
// connection the driver gave up, or a context that ended first.
func unreachable(err error) bool {
	var netErr net.Error
	return errors.As(err, &netErr) ||
		errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) ||
		err.Error() == "sql: database is closed"
}

// The application's role may not write the audit tables: it locks the
// chain head and appends through two functions of the schema (migration
// 00014), which let the chain grow by one link at a time and nothing else.
const (
	lockChainSQL   = `SELECT seq, hash FROM audit_chain_lock()`
	appendEventSQL = `SELECT audit_append($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12::jsonb, $13, $14, $15, $16, $17, $18, $19, $20)`
)

// insertEvent appends ev to the audit trail inside tx, as the next link of
// the hash chain. Locking the chain head holds it until tx ends, so events
// are chained in commit order and a rolled-back transaction leaves no gap.
func insertEvent(ctx context.Context, tx *sqlx.Tx, ev lindungi.Event) error {
	var head struct {
		Seq  int64  `db:"seq"`
		Hash []byte `db:"hash"`
	}
	if err := tx.GetContext(ctx, &head, lockChainSQL); err != nil {
		return fmt.Errorf("audit %s: chain head: %w", ev.Action, translate(err))
	}
	head.Seq++
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
	_, err = tx.ExecContext(ctx, appendEventSQL, rec.ID, rec.Seq, ev.OccurredAt, ev.Actor, ev.ActorUnit, ev.ActorRole,
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
