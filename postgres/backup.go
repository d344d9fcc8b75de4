package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"math"

	"github.com/jmoiron/sqlx"
	"github.com/lindungi/lindungi/auditlog"
)

// Snapshot is a consistent view of the database held open for a backup:
// pg_dump --snapshot=ID dumps exactly what Head and Checkpoint describe.
type Snapshot struct {
	ID         string
	Head       auditlog.Head
	Checkpoint *auditlog.Checkpoint // the last one, nil when none
	tx         *sqlx.Tx
}

// Release ends the snapshot; call it once pg_dump has finished.
func (s *Snapshot) Release() error { return s.tx.Rollback() }

// ExportSnapshot opens a repeatable-read transaction, exports its snapshot
// for pg_dump, and reads the chain head and the last checkpoint in it, so
// that the backup's manifest says exactly where the dumped chain ends.
func (db *DB) ExportSnapshot(ctx context.Context) (*Snapshot, error) {
	tx, err := db.db.BeginTxx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("backup snapshot: %w", translate(err))
	}
	s := &Snapshot{tx: tx}
	if err := tx.QueryRowContext(ctx, `SELECT pg_export_snapshot()`).Scan(&s.ID); err != nil {
		tx.Rollback()
		return nil, fmt.Errorf("backup snapshot: %w", translate(err))
	}
	var hash []byte
	if err := tx.QueryRowContext(ctx, `SELECT seq, hash FROM audit_chain_head`).Scan(&s.Head.Seq, &hash); err != nil {
		tx.Rollback()
		return nil, fmt.Errorf("backup snapshot: chain head: %w", translate(err))
	}
	s.Head.Hash, _ = auditlog.DigestOf(hash)
	cps, err := lastCheckpoint(ctx, tx)
	if err != nil {
		tx.Rollback()
		return nil, err
	}
	s.Checkpoint = cps
	return s, nil
}

func lastCheckpoint(ctx context.Context, tx *sqlx.Tx) (*auditlog.Checkpoint, error) {
	cps, err := checkpoints(ctx, tx, 0, math.MaxInt64, true)
	if err != nil || len(cps) == 0 {
		return nil, err
	}
	return &cps[0], nil
}
