package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/lib/pq"
	"github.com/lindungi/lindungi"
)

// The latest events of lindungi.TimelineActions about a worker, with the
// actor's name from the directory and, for task events, the task's kind,
// in one query. Reads carry a purpose and none of these actions; the
// partial index audit_events_worker_changes (changes only) keeps a worker
// read ten thousand times as quick to show as one read once.
const timelineSQL = `
SELECT e.chain_seq, e.occurred_at, e.action, e.actor, coalesce(u.name, '') AS actor_name, e.actor_unit, e.actor_role,
    coalesce(t.kind, '') AS task_kind, e.after::text AS after
FROM audit_events e
LEFT JOIN users u ON u.subject = e.actor
LEFT JOIN tasks t ON t.id = CASE WHEN e.subject_type = 'task' THEN e.subject_id::uuid END
WHERE e.worker_id = $1 AND e.purpose = '' AND e.action = ANY ($2)
ORDER BY e.chain_seq DESC
LIMIT $3`

// WorkerTimeline returns the latest limit events about a worker that its
// timeline shows (lindungi.TimelineActions), oldest first. It is one query
// whatever their number, and returns no domain error codes.
func (db *DB) WorkerTimeline(ctx context.Context, workerID uuid.UUID, limit int) ([]lindungi.TimelineEntry, error) {
	var rows []struct {
		Seq        int64     `db:"chain_seq"`
		OccurredAt time.Time `db:"occurred_at"`
		Action     string    `db:"action"`
		Actor      string    `db:"actor"`
		ActorName  string    `db:"actor_name"`
		ActorUnit  string    `db:"actor_unit"`
		ActorRole  string    `db:"actor_role"`
		TaskKind   string    `db:"task_kind"`
		After      *string   `db:"after"`
	}
	if err := db.db.SelectContext(ctx, &rows, timelineSQL, workerID, pq.StringArray(lindungi.TimelineActions),
		pageSize(limit, 100, 500)); err != nil {
		return nil, fmt.Errorf("timeline of %s: %w", workerID, translate(err))
	}
	out := make([]lindungi.TimelineEntry, len(rows))
	for i, r := range rows {
		e := lindungi.TimelineEntry{Seq: r.Seq, OccurredAt: r.OccurredAt.UTC(), Action: r.Action, Actor: r.Actor,
			ActorName: r.ActorName, ActorUnit: r.ActorUnit, ActorRole: r.ActorRole, TaskKind: lindungi.TaskKind(r.TaskKind)}
		if r.After != nil {
			e.After = json.RawMessage(*r.After)
		}
		out[i] = e
	}
	slices.Reverse(out)
	return out, nil
}
