package postgres

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/lindungi/lindungi"
)

// What a page that lists people needs: their names in one query, and the
// access events of that read in one transaction.

const workerNamesSQL = `SELECT id, name FROM workers WHERE id = ANY($1)`

// WorkerNames returns the names of the workers ids names, provisional and
// merged ones included, by ID; an unknown ID is absent. It is one query
// whatever the number of IDs. It returns no domain error codes.
func (db *DB) WorkerNames(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]string, error) {
	out := make(map[uuid.UUID]string, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		ID   uuid.UUID `db:"id"`
		Name string    `db:"name"`
	}
	if err := db.db.SelectContext(ctx, &rows, workerNamesSQL, pq.Array(ids)); err != nil {
		return nil, fmt.Errorf("worker names: %w", translate(err))
	}
	for _, r := range rows {
		out[r.ID] = r.Name
	}
	return out, nil
}

// RecordAccesses writes access events (reads of personal data, each with
// its purpose) in one transaction: all or none. A page that shows the
// names of twenty workers logs twenty reads at once.
func (db *DB) RecordAccesses(ctx context.Context, evs []lindungi.Event) error {
	if len(evs) == 0 {
		return nil
	}
	now := db.Now().UTC()
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		for _, ev := range evs {
			ev.OccurredAt = now
			if err := insertEvent(ctx, tx, ev); err != nil {
				return err
			}
		}
		return nil
	})
}
