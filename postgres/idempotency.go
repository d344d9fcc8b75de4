package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lindungi/lindungi"
)

var _ lindungi.IdempotencyService = (*DB)(nil)

const saveIdempotentSQL = `
INSERT INTO idempotency_keys (subject, key, route, request_hash, status, response, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7)`

func saveIdempotent(ctx context.Context, tx *sqlx.Tx, k lindungi.IdempotencyKey, status int, body json.RawMessage, now time.Time) error {
	if _, err := tx.ExecContext(ctx, saveIdempotentSQL, k.Subject, k.Key, k.Route, k.RequestHash, status, []byte(body), now); err != nil {
		return fmt.Errorf("save idempotency key: %w", translate(err))
	}
	return nil
}

// SaveResponse stores the answer given to a request made with key. A key
// stored already keeps its first answer.
func (db *DB) SaveResponse(ctx context.Context, k lindungi.IdempotencyKey, status int, body json.RawMessage) error {
	_, err := db.db.ExecContext(ctx, saveIdempotentSQL+` ON CONFLICT (subject, key) DO NOTHING`,
		k.Subject, k.Key, k.Route, k.RequestHash, status, []byte(body), db.Now().UTC())
	return translate(err)
}

// FindResponse returns the answer stored for a caller's key. ENOTFOUND if none.
func (db *DB) FindResponse(ctx context.Context, subject, key string) (lindungi.StoredResponse, error) {
	var row struct {
		Route       string `db:"route"`
		RequestHash []byte `db:"request_hash"`
		Status      int    `db:"status"`
		Response    []byte `db:"response"`
	}
	err := db.db.GetContext(ctx, &row, `SELECT route, request_hash, status, response FROM idempotency_keys WHERE subject = $1 AND key = $2`, subject, key)
	if err != nil {
		return lindungi.StoredResponse{}, translate(err)
	}
	return lindungi.StoredResponse{Route: row.Route, RequestHash: row.RequestHash, Status: row.Status, Body: row.Response}, nil
}
