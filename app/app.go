// Package app holds the application services: what a request means across
// PostgreSQL and Temporal. Each action is one method (Journeys.Register,
// Tasks.Complete, Cases.Act, Documents.Verify, ...) that takes the caller's
// access decision (an Actor) and a typed request: it loads the record,
// checks the caller may act on the record's unit, and only then validates
// the request (its type's Validate, on the root's one text check), writes
// through the store and steers the workflow. Authority first: a caller who
// may not act learns nothing of what the request should hold. The JSON API, the web pages and
// the reconciler call the same methods; nothing here knows HTTP (an
// Actor names the API route it acts for, as data for the policy).
package app

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
)

// Units are the organisational units, from the units table.
type Units []lindungi.Unit

// Path returns a unit's code and the codes above it, from the top; nil for
// an unknown unit.
func (us Units) Path(code string) []string {
	for _, u := range us {
		if u.Code == code {
			return u.Path
		}
	}
	return nil
}

// Top is the unit above all others.
func (us Units) Top() string {
	for _, u := range us {
		if u.Parent == "" {
			return u.Code
		}
	}
	return ""
}

// updateID names a workflow update so that a retried request (the same
// caller and Idempotency-Key) reaches the workflow as the same update;
// without a key every request is a new one.
func updateID(a Actor, what, key string) string {
	if key != "" {
		return what + "/" + a.Principal.Subject + "/" + key
	}
	return what + "/" + uuid.NewString()
}

// launch starts the workflow of a record just saved and records that it
// runs. When either step fails the record stays saved and the reconciler
// tries again; the error says which step failed.
func launch(ctx context.Context, start func(context.Context) error, mark func(context.Context) error) error {
	if err := start(ctx); err != nil {
		return &launchError{started: false, err: err}
	}
	if err := mark(ctx); err != nil {
		return &launchError{started: true, err: err}
	}
	return nil
}

// launchError says which step of a launch failed.
type launchError struct {
	started bool
	err     error
}

func (e *launchError) Error() string { return e.err.Error() }
func (e *launchError) Unwrap() error { return e.err }

// Waker wakes the reconciler, in whichever process runs it, so that what
// a request left half done is repaired now rather than at its next pass.
type Waker interface {
	WakeReconciler(ctx context.Context) error
}

// logLaunch logs a launch that failed after its record was saved, and wakes
// the reconciler (if wake is not nil): the record stays, and the reconciler
// starts its workflow.
func logLaunch(ctx context.Context, logger *slog.Logger, wake Waker, what string, id uuid.UUID, err error) {
	if err == nil {
		return
	}
	var le *launchError
	if errors.As(err, &le) && le.started {
		logger.WarnContext(ctx, what+" workflow start not recorded", "id", id, "err", err)
	} else {
		logger.WarnContext(ctx, what+" workflow not started; the reconciler will start it", "id", id, "err", err)
	}
	if wake != nil {
		if err := wake.WakeReconciler(ctx); err != nil {
			logger.WarnContext(ctx, "reconciler not woken; its next pass starts the "+what, "id", id, "err", err)
		}
	}
}

// clock returns now, or time.Now when it is nil.
func clock(now func() time.Time) time.Time {
	if now == nil {
		return time.Now()
	}
	return now()
}

// logger returns l, or the default logger when it is nil.
func logger(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.Default()
	}
	return l
}

// invalid is EINVALID naming one field.
func invalid(field, reason string) error {
	return &lindungi.Error{Code: lindungi.EINVALID, Message: "The request has invalid fields.",
		Fields: []lindungi.FieldError{{Field: field, Reason: reason}}}
}
