package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/lindungi/lindungi"
)

var _ lindungi.IdempotencyService = (*DB)(nil)

// reserveSQL inserts a pending key, or takes over a pending one whose
// holder's lease ran out when it was reserved for the same request. It
// returns a row only when $5 now holds the key.
const reserveSQL = `
INSERT INTO idempotency_keys (subject, key, route, request_hash, state, holder, lease_until, created_at)
VALUES ($1, $2, $3, $4, 'pending', $5, $6, $7)
ON CONFLICT (subject, key) DO UPDATE SET holder = EXCLUDED.holder, lease_until = EXCLUDED.lease_until
WHERE idempotency_keys.state = 'pending' AND idempotency_keys.lease_until < $7
    AND idempotency_keys.route = EXCLUDED.route AND idempotency_keys.request_hash = EXCLUDED.request_hash
RETURNING holder`

// Reserve reserves k for holder for lease, or returns what is kept for k.
func (db *DB) Reserve(ctx context.Context, k lindungi.IdempotencyKey, holder uuid.UUID, lease time.Duration) (bool, lindungi.StoredResponse, error) {
	// A key released between the two statements is tried again.
	for range 3 {
		now := db.Now().UTC()
		var got uuid.UUID
		err := db.db.GetContext(ctx, &got, reserveSQL, k.Subject, k.Key, k.Route, k.RequestHash, holder, now.Add(lease), now)
		if err == nil {
			return true, lindungi.StoredResponse{}, nil
		}
		if lindungi.ErrorCode(translate(err)) != lindungi.ENOTFOUND {
			return false, lindungi.StoredResponse{}, fmt.Errorf("reserve idempotency key: %w", translate(err))
		}
		stored, err := db.FindResponse(ctx, k.Subject, k.Key)
		if lindungi.ErrorCode(err) == lindungi.ENOTFOUND {
			continue
		}
		return false, stored, err
	}
	return false, lindungi.StoredResponse{}, fmt.Errorf("reserve idempotency key: released and taken again three times")
}

// Renew extends the lease of a reservation its holder still holds.
func (db *DB) Renew(ctx context.Context, r lindungi.Reservation, lease time.Duration) error {
	_, err := db.db.ExecContext(ctx, `
UPDATE idempotency_keys SET lease_until = $4
WHERE subject = $1 AND key = $2 AND holder = $3 AND state = 'pending'`, r.Subject, r.Key, r.Holder, db.Now().UTC().Add(lease))
	return translate(err)
}

const completeSQL = `
UPDATE idempotency_keys SET state = 'done', status = $4, response = $5, done_at = $6, lease_until = NULL
WHERE subject = $1 AND key = $2 AND holder = $3 AND state = 'pending'`

// Complete stores the answer of the request that holds r, unless the
// reservation is done already or was taken over.
func (db *DB) Complete(ctx context.Context, r lindungi.Reservation, status int, body json.RawMessage) error {
	_, err := db.db.ExecContext(ctx, completeSQL, r.Subject, r.Key, r.Holder, status, []byte(body), db.Now().UTC())
	return translate(err)
}

// Release frees a reservation its holder still holds.
func (db *DB) Release(ctx context.Context, r lindungi.Reservation) error {
	_, err := db.db.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE subject = $1 AND key = $2 AND holder = $3 AND state = 'pending'`,
		r.Subject, r.Key, r.Holder)
	return translate(err)
}

// FindResponse returns what is kept for a caller's key. ENOTFOUND if none.
func (db *DB) FindResponse(ctx context.Context, subject, key string) (lindungi.StoredResponse, error) {
	var row struct {
		Route       string `db:"route"`
		RequestHash []byte `db:"request_hash"`
		State       string `db:"state"`
		Status      *int   `db:"status"`
		Response    []byte `db:"response"`
	}
	err := db.db.GetContext(ctx, &row, `
SELECT route, request_hash, state, status, response FROM idempotency_keys WHERE subject = $1 AND key = $2`, subject, key)
	if err != nil {
		return lindungi.StoredResponse{}, translate(err)
	}
	out := lindungi.StoredResponse{Route: row.Route, RequestHash: row.RequestHash, Pending: row.State == "pending", Body: row.Response}
	if row.Status != nil {
		out.Status = *row.Status
	}
	return out, nil
}

// answer completes the reservation ctx carries (lindungi.NewContextWithAnswer),
// if any, with its status and v as the answer, inside tx: the write's
// effect and its answer commit together. ECONFLICT when the request no
// longer holds the reservation (a retry took it over after its lease ran
// out), so that tx rolls back and the effect happens once.
func (db *DB) answer(ctx context.Context, tx *sqlx.Tx, v any) error {
	r, ok := lindungi.AnswerFromContext(ctx)
	if !ok {
		return nil
	}
	body, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("answer: %w", err)
	}
	res, err := tx.ExecContext(ctx, completeSQL, r.Subject, r.Key, r.Holder, r.Status, body, db.Now().UTC())
	if err != nil {
		return fmt.Errorf("store idempotent answer: %w", translate(err))
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return lindungi.Errorf(lindungi.ECONFLICT, "A retry with this Idempotency-Key took the request over; its answer is the one kept.")
	}
	return nil
}
