package workflows

import (
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/activities"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// What every workflow of the package shares: how it calls activities (and
// what it does when one fails for good), how it sleeps, how it continues as
// new, how it reports a refusal.

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

// activityOptions retry an activity for about a quarter of an hour (an
// outage of PostgreSQL that long), not for ever: then the activity fails
// for good, as one the database refused does at once. An update handler
// answers the failure to its caller; the workflow's own loop flags itself
// for attention and waits (attention).
var activityOptions = workflow.ActivityOptions{
	StartToCloseTimeout: 30 * time.Second,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:    time.Second,
		BackoffCoefficient: 2,
		MaximumInterval:    time.Minute,
		MaximumAttempts:    MaxActivityAttempts,
	},
}

// MaxActivityAttempts is how many times an activity runs before it fails
// for good: with a backoff from 1 s doubling to 1 min, about 15 minutes.
const MaxActivityAttempts = 20

// SignalRetry asks a workflow that waits for attention to try its failed
// step again, once an operator has fixed the cause.
const SignalRetry = "retry"

// AttentionRetry is how long a workflow whose step failed on an outage
// (its retries ran out) waits before it tries the step again by itself. A
// step the database refused waits for the retry signal only.
const AttentionRetry = time.Hour

// flagOptions run FlagAttention: a few quick tries, since the database it
// writes to may be what failed; the workflow waits either way.
var flagOptions = workflow.ActivityOptions{
	StartToCloseTimeout: 30 * time.Second,
	RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumAttempts: 5},
}

// attentionKey marks the context of a workflow's own loop with its
// *attention. Update handlers run on contexts without it: their failures
// go back to their callers.
type attentionKey struct{}

// execute runs an activity and stores its answer in result (if not nil).
// When it fails for good on the workflow's own loop, the workflow flags
// itself and waits for attention, then runs the activity again, rather
// than failing or retrying for ever; elsewhere the failure is returned.
func execute(ctx workflow.Context, result any, activity any, args ...any) error {
	for {
		err := workflow.ExecuteActivity(ctx, activity, args...).Get(ctx, result)
		at, _ := ctx.Value(attentionKey{}).(*attention)
		if err == nil || at == nil {
			return err
		}
		if err := at.wait(ctx, err); err != nil {
			return err
		}
	}
}

// attention is how a workflow's loop waits for a person after one of its
// activities failed for good: it records the failure in the workflow's
// state (note) and its memo, flags it to the administrators
// (FlagAttention: a notification and an audit event), and waits for the
// retry signal, or, when the failure may pass by itself (an outage),
// AttentionRetry.
type attention struct {
	worker uuid.UUID
	unit   func() string // the unit whose work the workflow does
	note   *string       // the state's Attention
	flags  int           // flags raised by this run, which key them
}

// withAttention marks ctx as the loop of a workflow that waits for
// attention as at says.
func withAttention(ctx workflow.Context, at *attention) workflow.Context {
	return workflow.WithValue(ctx, attentionKey{}, at)
}

// wait flags the failure err and waits; it returns nil when the step
// should run again, and an error when the workflow must end instead: it
// was cancelled, or it replays a history recorded before workflows waited
// for attention (they failed then).
func (at *attention) wait(ctx workflow.Context, err error) error {
	var actErr *temporal.ActivityError
	if !errors.As(err, &actErr) || ctx.Err() != nil {
		return err
	}
	if workflow.GetVersion(ctx, "attention", workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return err
	}
	msg, typ, retrying := err.Error(), "", true
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		msg, typ, retrying = appErr.Message(), appErr.Type(), !appErr.NonRetryable()
	}
	retry := workflow.GetSignalChannel(ctx, SignalRetry)
	for retry.ReceiveAsync(nil) {
		// A retry sent before this failure is not one for it.
	}
	step := actErr.ActivityType().GetName()
	at.flags++
	*at.note = step + ": " + msg
	logger := workflow.GetLogger(ctx)
	if err := workflow.UpsertMemo(ctx, map[string]any{"attention": *at.note}); err != nil {
		logger.Warn("attention memo not set", "err", err)
	}
	fctx := workflow.WithActivityOptions(ctx, flagOptions)
	info := workflow.GetInfo(ctx)
	ferr := workflow.ExecuteActivity(fctx, a.FlagAttention, activities.AttentionInput{WorkerID: at.worker, Unit: at.unit(),
		Step: step, Error: msg, ErrorType: typ, Retrying: retrying,
		Key: fmt.Sprintf("attention/%s/%d", info.WorkflowExecution.RunID, at.flags)}).Get(fctx, nil)
	if ferr != nil {
		logger.Error("attention not flagged", "step", step, "err", ferr)
	}
	logger.Warn("waiting for attention", "step", step, "err", err, "retrying", retrying)

	sel := workflow.NewSelector(ctx)
	sel.AddReceive(retry, func(c workflow.ReceiveChannel, _ bool) { c.Receive(ctx, nil) })
	sel.AddReceive(ctx.Done(), func(workflow.ReceiveChannel, bool) {})
	tctx, stopTimer := workflow.WithCancel(ctx)
	if retrying {
		sel.AddFuture(workflow.NewTimer(tctx, AttentionRetry), func(workflow.Future) {})
	}
	sel.Select(ctx)
	stopTimer()
	if ctx.Err() != nil {
		return ctx.Err() // cancelled while waiting
	}
	*at.note = ""
	if err := workflow.UpsertMemo(ctx, map[string]any{"attention": nil}); err != nil {
		logger.Warn("attention memo not cleared", "err", err)
	}
	return nil
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
