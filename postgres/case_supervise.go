package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/lindungi/lindungi"
)

// The supervisors' changes to a case: its categories, its risk, and who
// holds its handling. The case's workflow asks for each (through
// activities) and routes the case's tasks again when its risk rises.

// SetCaseCategories re-categorises an open case for reason and audits it
// (case.recategorise, with the categories before and after). The same
// categories in any order change nothing. Whether the case becomes high
// risk by its new categories is the workflow's to decide (SetCaseRisk).
func (db *DB) SetCaseCategories(ctx context.Context, id uuid.UUID, categories []lindungi.CaseCategory, reason string, ev lindungi.Event) (lindungi.Case, error) {
	categories = append([]lindungi.CaseCategory(nil), categories...)
	lindungi.NormalizeCategories(categories)
	reason = strings.TrimSpace(reason)
	var v lindungi.Validation
	v.Merge(lindungi.CheckCategories(categories))
	v.Merge(lindungi.CheckReason("reason", reason))
	if err := v.Err(); err != nil {
		return lindungi.Case{}, err
	}
	codes := make(pq.StringArray, len(categories))
	for i, c := range categories {
		codes[i] = string(c)
	}
	return db.changeCase(ctx, id, func(tx *sqlx.Tx, c lindungi.Case, now time.Time) (bool, error) {
		switch {
		case c.Step == lindungi.CaseClosed:
			return false, errClosed()
		case lindungi.SameCategories(c.Categories, categories):
			return false, nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE cases SET categories = $2, last_action_at = $3 WHERE id = $1`, id, codes, now); err != nil {
			return false, fmt.Errorf("case categories: %w", translate(err))
		}
		return true, insertEvent(ctx, tx, caseEvent(ev, "case.recategorise", c, now,
			map[string]any{"categories": c.Categories}, map[string]any{"categories": categories, "reason": reason}))
	})
}

// SetCaseRisk raises an open case to high risk or lowers it, for reason,
// and audits it (case.risk). The level it has changes nothing; lowering a
// case whose categories or flags make it high risk (lindungi.HighRisk) is
// refused. Moving its tasks is the workflow's.
func (db *DB) SetCaseRisk(ctx context.Context, id uuid.UUID, high bool, reason string, ev lindungi.Event) (lindungi.Case, error) {
	reason = strings.TrimSpace(reason)
	if err := lindungi.CheckReason("reason", reason); err != nil {
		return lindungi.Case{}, err
	}
	return db.changeCase(ctx, id, func(tx *sqlx.Tx, c lindungi.Case, now time.Time) (bool, error) {
		switch {
		case c.Step == lindungi.CaseClosed:
			return false, errClosed()
		case c.HighRisk == high:
			return false, nil
		case !high && lindungi.HighRisk(c.Categories, c.RiskFlags):
			return false, lindungi.ErrHighRiskByRule()
		}
		if _, err := tx.ExecContext(ctx, `UPDATE cases SET high_risk = $2, last_action_at = $3 WHERE id = $1`, id, high, now); err != nil {
			return false, fmt.Errorf("case risk: %w", translate(err))
		}
		return true, insertEvent(ctx, tx, caseEvent(ev, "case.risk", c, now,
			map[string]any{"high_risk": c.HighRisk}, map[string]any{"high_risk": high, "reason": reason}))
	})
}

// AssignCase gives the open task taskID of an open case to assignee: it
// claims the task for them (taking it from whoever held it), tells them and
// the task's unit (task.assigned, with the reason), and audits it on the
// case (case.assign, with the holder before and after and the reason), in
// one transaction. Giving it to its holder changes nothing.
func (db *DB) AssignCase(ctx context.Context, id, taskID uuid.UUID, assignee, reason string, ev lindungi.Event) (lindungi.Task, error) {
	assignee, reason = strings.TrimSpace(assignee), strings.TrimSpace(reason)
	var v lindungi.Validation
	lindungi.Text{Min: 1, Max: 200}.Check(&v, "assignee", assignee)
	v.Merge(lindungi.CheckReason("reason", reason))
	if err := v.Err(); err != nil {
		return lindungi.Task{}, err
	}
	var out lindungi.Task
	_, err := db.changeCase(ctx, id, func(tx *sqlx.Tx, c lindungi.Case, now time.Time) (bool, error) {
		if c.Step == lindungi.CaseClosed {
			return false, errClosed()
		}
		t, err := lockTask(ctx, tx, taskID)
		if lindungi.ErrorCode(err) == lindungi.ENOTFOUND || (err == nil && t.WorkflowID != c.WorkflowID) {
			return false, lindungi.Errorf(lindungi.ENOTFOUND, "The task is not one of the case's.")
		}
		switch {
		case err != nil:
			return false, err
		case t.Status != lindungi.TaskOpen:
			return false, lindungi.Errorf(lindungi.ECONFLICT, "The task is %s.", t.Status)
		case t.ClaimedBy == assignee:
			out = t
			return false, nil
		}
		out, err = updateTask(ctx, tx, `UPDATE tasks SET claimed_by = $2, claimed_at = $3 WHERE id = $1 RETURNING `+taskColumns, taskID, assignee, now)
		if err != nil {
			return false, err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE cases SET last_action_at = $2 WHERE id = $1`, id, now); err != nil {
			return false, fmt.Errorf("case assignment: %w", translate(err))
		}
		n := taskNotice(out, lindungi.NoticeAssigned, fmt.Sprintf("Kasus %s ditugaskan kepada %s oleh %s: %s / Case assigned to %s by %s: %s",
			c.Number, assignee, ev.Actor, reason, assignee, ev.Actor, reason), ev.Actor)
		n.Reason = reason
		if err := notify(ctx, tx, n, now); err != nil {
			return false, err
		}
		return true, insertEvent(ctx, tx, caseEvent(ev, "case.assign", c, now,
			map[string]any{"assignee": t.ClaimedBy, "task_id": t.ID},
			map[string]any{"assignee": assignee, "task_id": t.ID, "reason": reason}))
	})
	return out, err
}
