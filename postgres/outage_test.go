package postgres_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/devenv/devtest"
	"github.com/lindungi/lindungi/postgres"
)

// Bounds of "does not hang": far above what each case takes, far below
// forever.
const (
	quickly = 15 * time.Second
	// withinStall allows the stall guard (statement_timeout + 5 s) and a
	// reconnection (connect_timeout) or two.
	withinStall = 30 * time.Second
)

// A value the database cannot store is EINVALID, which no retry changes:
// a NUL byte, as in issue 10's case reason.
func TestRefusedValueIsInvalid(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	_, err := db.Notifications(t.Context(), lindungi.NotificationQuery{Reader: lindungi.Reader{Unit: "a\x00b"}, Limit: 10})
	if code := lindungi.ErrorCode(err); code != lindungi.EINVALID {
		t.Fatalf("a NUL byte: %v (code %s), want %s", err, code, lindungi.EINVALID)
	}
}

// A database that refuses connections, or accepts them and never answers,
// is EUNAVAILABLE within the connect timeout.
func TestUnreachableDatabase(t *testing.T) {
	t.Parallel()
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	var held []net.Conn
	var mu sync.Mutex
	go func() {
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			held = append(held, c)
			mu.Unlock()
		}
	}()
	defer func() {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range held {
			c.Close()
		}
	}()
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refusing := closed.Addr().String()
	closed.Close()

	for name, addr := range map[string]string{"refusing": refusing, "silent": silent.Addr().String()} {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			_, err := postgres.Open(context.Background(), "postgres://lindungi@"+addr+"/lindungi?sslmode=disable&connect_timeout=1")
			if code := lindungi.ErrorCode(err); code != lindungi.EUNAVAILABLE {
				t.Errorf("open: %v (code %s), want %s", err, code, lindungi.EUNAVAILABLE)
			}
			if d := time.Since(start); d > quickly {
				t.Errorf("open took %v", d)
			}
		})
	}
}

// A database that stops answering mid-session (frozen, as by SIGSTOP, or
// cut off) makes a store call fail with EUNAVAILABLE, whether or not the
// call's context has a deadline; one that goes down makes it fail at once.
func TestFrozenDatabase(t *testing.T) {
	t.Parallel()
	dsn := devtest.Database(t)
	direct, err := postgres.Open(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	if err := direct.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	direct.Close()

	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	p := newProxy(t, u.Host)
	u.Host = p.addr()
	q := u.Query()
	q.Set("connect_timeout", "1")
	q.Set("statement_timeout", "1s")
	u.RawQuery = q.Encode()
	db, err := postgres.Open(t.Context(), u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	// Each case starts on a connection that works, then freezes.
	frozen := func(t *testing.T) {
		p.thaw()
		if _, err := db.FindWorker(t.Context(), uuid.New()); lindungi.ErrorCode(err) != lindungi.ENOTFOUND {
			t.Fatalf("before the freeze: %v, want not found", err)
		}
		p.freeze()
	}
	t.Run("with a deadline", func(t *testing.T) {
		frozen(t)
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		defer cancel()
		expectUnavailable(t, quickly, func() error { _, err := db.FindWorker(ctx, uuid.New()); return err })
	})
	t.Run("without a deadline", func(t *testing.T) {
		frozen(t)
		expectUnavailable(t, withinStall, func() error { _, err := db.FindWorker(context.Background(), uuid.New()); return err })
	})
	t.Run("a transaction", func(t *testing.T) {
		frozen(t)
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		defer cancel()
		expectUnavailable(t, quickly, func() error {
			return db.RecordEvent(ctx, lindungi.Event{Actor: "t", ActorUnit: "ID", ActorRole: "admin", Action: "test.frozen",
				SubjectType: "test", SubjectID: "1"})
		})
	})
	p.down()
	t.Run("down", func(t *testing.T) {
		expectUnavailable(t, quickly, func() error { _, err := db.FindWorker(context.Background(), uuid.New()); return err })
	})
}

// expectUnavailable runs call and fails unless it ends within bound with
// EUNAVAILABLE.
func expectUnavailable(t *testing.T, bound time.Duration, call func() error) {
	t.Helper()
	done := make(chan error, 1)
	start := time.Now()
	go func() { done <- call() }()
	select {
	case err := <-done:
		if code := lindungi.ErrorCode(err); code != lindungi.EUNAVAILABLE {
			t.Errorf("after %v: %v (code %s), want %s", time.Since(start).Round(time.Millisecond), err, code, lindungi.EUNAVAILABLE)
		}
	case <-time.After(bound):
		t.Fatalf("the call still waits after %v", bound)
	}
}

// proxy stands between the store and PostgreSQL, and can freeze (keep
// every connection open and accept new ones, but pass nothing on, as a
// stopped server does) or go down (close every connection and refuse new
// ones).
type proxy struct {
	ln     net.Listener
	target string

	mu      sync.Mutex
	frozen  chan struct{} // closed while not frozen
	conns   []net.Conn
	stopped bool
}

func newProxy(t *testing.T, target string) *proxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target, frozen: make(chan struct{})}
	close(p.frozen)
	go p.serve()
	t.Cleanup(p.down)
	return p
}

func (p *proxy) addr() string { return p.ln.Addr().String() }

func (p *proxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		if !p.track(c) {
			return
		}
		go func() {
			s, err := net.Dial("tcp", p.target)
			if err != nil {
				c.Close()
				return
			}
			if !p.track(s) {
				return
			}
			go p.pipe(s, c)
			p.pipe(c, s)
		}()
	}
}

// track keeps c to close it when the proxy goes down, and reports whether
// the proxy is still up.
func (p *proxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopped {
		c.Close()
		return false
	}
	p.conns = append(p.conns, c)
	return true
}

// pipe copies from src to dst, holding each chunk while the proxy is frozen.
func (p *proxy) pipe(dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			p.mu.Lock()
			thawed := p.frozen
			p.mu.Unlock()
			<-thawed
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				dst.Close()
			}
			return
		}
	}
}

func (p *proxy) freeze() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.frozen = make(chan struct{})
}

func (p *proxy) thaw() {
	p.mu.Lock()
	defer p.mu.Unlock()
	select {
	case <-p.frozen:
	default:
		close(p.frozen)
	}
}

func (p *proxy) down() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopped {
		return
	}
	p.stopped = true
	select {
	case <-p.frozen:
	default:
		close(p.frozen) // the held chunks go to closed connections
	}
	p.ln.Close()
	for _, c := range p.conns {
		c.Close()
	}
}
