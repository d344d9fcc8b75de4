package postgres

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/lib/pq"
)

// ReconcileChannel is the PostgreSQL notification channel that wakes the
// reconciler: a request that saved a worker or a case but could not start
// its workflow notifies it, so the reconciler need not wait for its next
// pass.
const ReconcileChannel = "lindungi_reconcile"

// WakeReconciler wakes the reconciler, in whichever process it runs.
// EUNAVAILABLE when the database cannot be reached.
func (db *DB) WakeReconciler(ctx context.Context) error {
	_, err := db.db.ExecContext(ctx, `SELECT pg_notify($1, '')`, ReconcileChannel)
	return translate(err)
}

// Wakes delivers the reconciler's wake-ups: every notification on
// ReconcileChannel, and the LISTEN connection coming back after it was
// lost, since notifications sent meanwhile are lost. Wake-ups that come
// while one is pending are merged into it.
type Wakes struct {
	listener *pq.Listener
	c        chan struct{}
	done     chan struct{}
	stopped  chan struct{}
	closed   sync.Once
}

// ListenWakes listens on ReconcileChannel until Close.
func (db *DB) ListenWakes(logger *slog.Logger) (*Wakes, error) {
	w := &Wakes{c: make(chan struct{}, 1), done: make(chan struct{}), stopped: make(chan struct{})}
	w.listener = pq.NewListener(db.dsn, 100*time.Millisecond, 10*time.Second, func(ev pq.ListenerEventType, err error) {
		if err != nil {
			logger.Warn("reconciler wake-ups", "event", ev, "err", err)
		}
	})
	if err := w.listener.Listen(ReconcileChannel); err != nil {
		w.listener.Close()
		return nil, fmt.Errorf("listen %s: %w", ReconcileChannel, translate(err))
	}
	go w.run()
	return w, nil
}

// C delivers the wake-ups.
func (w *Wakes) C() <-chan struct{} { return w.c }

func (w *Wakes) run() {
	defer close(w.stopped)
	for {
		select {
		case <-w.done:
			return
		case _, ok := <-w.listener.Notify:
			if !ok {
				return
			}
			select {
			case w.c <- struct{}{}:
			default: // one is pending already
			}
		case <-time.After(90 * time.Second):
			// Ping now and then so that a dead connection is noticed.
			go w.listener.Ping()
		}
	}
}

// Close stops listening.
func (w *Wakes) Close() {
	w.closed.Do(func() {
		close(w.done)
		w.listener.Close()
	})
	<-w.stopped
}
