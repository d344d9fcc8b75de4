package postgres

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/casbin/casbin/v2/persist"
	"github.com/lib/pq"
)

// Watcher tells every process when the policies change, through PostgreSQL
// LISTEN/NOTIFY. It implements casbin's persist.Watcher: the callback runs
// on every notification, and also after the connection was lost and came
// back, since notifications sent meanwhile are lost.
type Watcher struct {
	db       *DB
	listener *pq.Listener
	logger   *slog.Logger

	mu       sync.Mutex
	callback func(string)
	done     chan struct{}
	stopped  chan struct{} // closed when run returns
	closed   sync.Once
}

var _ persist.Watcher = (*Watcher)(nil)

// NewWatcher listens on the policy channel until Close.
func (db *DB) NewWatcher(logger *slog.Logger) (*Watcher, error) {
	w := &Watcher{db: db, logger: logger, done: make(chan struct{}), stopped: make(chan struct{})}
	w.listener = pq.NewListener(db.dsn, 100*time.Millisecond, 10*time.Second, func(ev pq.ListenerEventType, err error) {
		if err != nil {
			logger.Warn("policy watcher", "event", ev, "err", err)
		}
	})
	if err := w.listener.Listen(PolicyChannel); err != nil {
		w.listener.Close()
		return nil, fmt.Errorf("listen %s: %w", PolicyChannel, err)
	}
	go w.run()
	return w, nil
}

func (w *Watcher) run() {
	defer close(w.stopped)
	for {
		select {
		case <-w.done:
			return
		case n, ok := <-w.listener.Notify:
			if !ok {
				return
			}
			select {
			case <-w.done:
				return // closed while this notification waited
			default:
			}
			payload := "reconnected"
			if n != nil {
				payload = n.Extra
			}
			w.mu.Lock()
			cb := w.callback
			w.mu.Unlock()
			if cb != nil {
				cb(payload)
			}
		case <-time.After(90 * time.Second):
			// Ping now and then so that a dead connection is noticed.
			go w.listener.Ping()
		}
	}
}

// SetUpdateCallback sets the function called when the policies change.
func (w *Watcher) SetUpdateCallback(cb func(string)) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.callback = cb
	return nil
}

// Update tells every process that the policies changed. ChangePolicy
// notifies in its own transaction; this is for casbin tools.
func (w *Watcher) Update() error {
	_, err := w.db.db.ExecContext(context.Background(), `SELECT pg_notify($1, 'update')`, PolicyChannel)
	return translate(err)
}

// Close stops listening. It waits for a callback that is running; none
// runs once it has returned.
func (w *Watcher) Close() {
	w.closed.Do(func() {
		close(w.done)
		w.listener.Close()
	})
	<-w.stopped
}
