package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
)

// caseAsOfSelect is caseSelect over the case's latest version written at or
// before $1, from the history a trigger keeps of every change.
var caseAsOfSelect = strings.Replace(caseSelect, "FROM cases c", `FROM (
    SELECT (jsonb_populate_record(NULL::cases, row_data)).* FROM cases_history
    WHERE case_id = $2 AND changed_at <= $1
    ORDER BY changed_at DESC, history_id DESC LIMIT 1) c`, 1)

// CaseAsOf returns a case as it stood at the instant at. ENOTFOUND if it
// was not taken in yet.
func (db *DB) CaseAsOf(ctx context.Context, id uuid.UUID, at time.Time) (lindungi.Case, error) {
	var row caseRow
	if err := db.db.GetContext(ctx, &row, caseAsOfSelect, at, id); err != nil {
		if lindungi.ErrorCode(translate(err)) == lindungi.ENOTFOUND {
			return lindungi.Case{}, lindungi.Errorf(lindungi.ENOTFOUND, "The case was not taken in yet at %s.", at.UTC().Format(time.RFC3339))
		}
		return lindungi.Case{}, fmt.Errorf("case %s as of %s: %w", id, at, translate(err))
	}
	c := row.pcase()
	utcTimes(&c)
	return c, nil
}
