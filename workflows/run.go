package workflows

import (
	"errors"
	"time"

	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/activities"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// What every workflow of the package shares: how it calls activities, how
// it sleeps, how it continues as new, how it reports a refusal.

// run is what a run of any workflow here keeps besides its state: its
// context, its task ledger, and the person and request it acts for now
// (zero while it acts on its own).
type run struct {
	ctx workflow.Context
	l   *ledger
	by  activities.Actor
	req string
}

// a is used only for method references; activities run on the worker.
var a *activities.Activities

var activityOptions = workflow.ActivityOptions{
	StartToCloseTimeout: 30 * time.Second,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:    time.Second,
		BackoffCoefficient: 2,
		MaximumInterval:    time.Minute,
	},
}

// sleep waits until *rev moves (a handler changed the state) or until next,
// whichever comes first, and reports whether next came; a zero next waits
// for a change only.
func sleep(ctx workflow.Context, next time.Time, rev *int) (bool, error) {
	from := *rev
	changed := func() bool { return *rev != from }
	if next.IsZero() {
		return false, workflow.Await(ctx, changed)
	}
	if d := next.Sub(workflow.Now(ctx)); d > 0 {
		if ok, err := workflow.AwaitWithTimeout(ctx, d, changed); err != nil || ok {
			return false, err
		}
	}
	return true, nil
}

// handlersFinished waits until no update handler is running, so that none
// is cut off when the run ends.
func handlersFinished(ctx workflow.Context) error {
	return workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
}

// continueAsNew ends the run once its handlers have finished and starts
// workflow fn again with next, which carries the state over.
func continueAsNew(ctx workflow.Context, fn, next any) error {
	if err := handlersFinished(ctx); err != nil {
		return err
	}
	return workflow.NewContinueAsNewError(ctx, fn, next)
}

func invalid(field, reason string) error {
	return temporal.NewApplicationError(field+" "+reason, lindungi.EINVALID, []lindungi.FieldError{{Field: field, Reason: reason}})
}

func conflict(msg string) error { return temporal.NewApplicationError(msg, lindungi.ECONFLICT) }

// unwrapActivityError returns the domain failure inside an activity error,
// so that the update's caller sees the activity's own error type.
func unwrapActivityError(err error) error {
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		return appErr
	}
	return err
}
