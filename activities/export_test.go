package activities

import (
	"context"

	"github.com/lindungi/lindungi"
)

// CompleteTaskRetried is CompleteTask as Temporal runs it again after an
// attempt whose answer was lost.
func (a *Activities) CompleteTaskRetried(ctx context.Context, in CompleteTaskInput) (lindungi.Task, error) {
	return a.completeTask(ctx, in, true)
}
