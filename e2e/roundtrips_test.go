package e2e_test

import (
	"bufio"
	"bytes"
	be "encoding/binary"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lindungi/lindungi"
)

// MaxCompletionStatements is the most SQL statements (BEGIN and COMMIT
// included) that the API and the worker together send to PostgreSQL for
// one approval of a verification task, from the request to its answer. On
// this branch it is exactly this: the API loads the task (1); the
// workflow's activities load it again with the worker and its documents
// (3), complete it with its audit event (5), record VERIFIED and TRAINING
// (5 each), and read the calendar and create the next task (6). lib/pq
// sends a statement with parameters in two round trips (prepare, then
// execute), so they are 43 round trips. A completion sent with an
// Idempotency-Key adds two statements: finding and saving the answer.
// TestCompletionStatements counts them through a proxy; lower the number
// when a change makes completions cheaper.
const MaxCompletionStatements = 28

// TestCompletionStatements counts the statements one completion sends to
// PostgreSQL, API and worker together, and fails when they are more than
// MaxCompletionStatements. It counts, it does not time.
func TestCompletionStatements(t *testing.T) {
	var counter *statementCounter
	s := startSystemVia(t, func(dsn string) string {
		var err error
		counter, err = newStatementCounter(dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(counter.close)
		return counter.dsn
	},
		// Nothing in the background while the completion is counted.
		"LINDUNGI_RECONCILE_INTERVAL=1h", "LINDUNGI_AUDIT_CHECKPOINT_INTERVAL=1h")
	kebumen := s.user("caseworker-3305", "3305", "caseworker")
	r := kebumen.do("POST", "/v1/workers", kebumenWorker())
	if r.Status != http.StatusCreated {
		t.Fatalf("register = %d %s", r.Status, r.Body)
	}
	var w lindungi.Worker
	r.decode(t, &w)
	provide(t, kebumen, s.user("verifier-3305", "3305", "verifier"), w, verificationDocuments...)
	task := openTask(t, kebumen, w, lindungi.TaskVerifyRegistration)

	counter.reset()
	r = kebumen.do("POST", "/v1/tasks/"+task.ID.String()+"/complete", map[string]string{"outcome": "approved", "note": "Dokumen lengkap"})
	n, trips, texts := counter.snapshot()
	if r.Status != http.StatusOK {
		t.Fatalf("complete = %d %s", r.Status, r.Body)
	}
	t.Logf("one completion: %d statements in %d round trips:\n%s", n, trips, strings.Join(texts, "\n"))
	if n > MaxCompletionStatements {
		t.Errorf("one completion sent %d statements to PostgreSQL, more than MaxCompletionStatements (%d)", n, MaxCompletionStatements)
	}
	if n == 0 {
		t.Error("no statement counted: the API and the worker do not reach PostgreSQL through the counter")
	}
}

// statementCounter is a TCP proxy in front of PostgreSQL that counts what
// its clients send: each statement (a simple query, or the execution of an
// extended-protocol one; BEGIN and COMMIT are statements too) and each round
// trip (a simple query, or a Sync, which waits for the server). The API and
// the worker are separate processes: a proxy sees both, as a wrapped
// driver inside one process could not. Connections that LISTEN (the policy
// watcher) are left out.
type statementCounter struct {
	ln  net.Listener
	dsn string // the DSN that reaches PostgreSQL through the proxy

	mu         sync.Mutex
	statements int
	trips      int
	texts      []string // the statements' SQL, for the log
	conns      []net.Conn
}

// newStatementCounter starts a proxy to the server of dsn.
func newStatementCounter(dsn string) (*statementCounter, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return nil, err
	}
	target := u.Host
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	u.Host = ln.Addr().String()
	c := &statementCounter{ln: ln, dsn: u.String()}
	go c.accept(target)
	return c, nil
}

func (c *statementCounter) accept(target string) {
	for {
		client, err := c.ln.Accept()
		if err != nil {
			return
		}
		server, err := net.Dial("tcp", target)
		if err != nil {
			client.Close()
			continue
		}
		c.mu.Lock()
		c.conns = append(c.conns, client, server)
		c.mu.Unlock()
		go func() { io.Copy(client, server); client.Close() }()
		go func() { c.forward(client, server); server.Close() }()
	}
}

// forward copies the client's messages to the server, counting them.
func (c *statementCounter) forward(client, server net.Conn) {
	r := bufio.NewReader(client)
	// The startup phase: untyped messages (an SSL or GSS request is answered
	// with one byte, then the startup message follows).
	for {
		msg, err := readUntyped(r)
		if err != nil {
			return
		}
		if _, err := server.Write(msg); err != nil {
			return
		}
		code := be.BigEndian.Uint32(msg[4:8])
		if code != 80877103 && code != 80877104 {
			break
		}
	}
	listener := false
	for {
		var hdr [5]byte
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			return
		}
		body := make([]byte, be.BigEndian.Uint32(hdr[1:5])-4)
		if _, err := io.ReadFull(r, body); err != nil {
			return
		}
		switch hdr[0] {
		case 'Q':
			query := string(bytes.TrimRight(body, "\x00"))
			listener = listener || strings.HasPrefix(strings.ToUpper(query), "LISTEN")
			c.count(listener, 1, 1, query)
		case 'P': // name, query, parameter types
			if parts := bytes.SplitN(body, []byte{0}, 3); len(parts) == 3 {
				c.count(listener, 0, 0, string(parts[1]))
			}
		case 'E':
			c.count(listener, 1, 0, "")
		case 'S':
			c.count(listener, 0, 1, "")
		}
		if _, err := server.Write(append(hdr[:], body...)); err != nil {
			return
		}
	}
}

func readUntyped(r *bufio.Reader) ([]byte, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, err
	}
	n := be.BigEndian.Uint32(hdr[:])
	if n < 8 || n > 1<<16 {
		return nil, errors.New("not a startup message")
	}
	msg := make([]byte, n)
	copy(msg, hdr[:])
	_, err := io.ReadFull(r, msg[4:])
	return msg, err
}

func (c *statementCounter) count(listener bool, statements, trips int, text string) {
	if listener {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.statements += statements
	c.trips += trips
	if text != "" {
		c.texts = append(c.texts, strings.Join(strings.Fields(text), " "))
	}
}

func (c *statementCounter) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.statements, c.trips, c.texts = 0, 0, nil
}

func (c *statementCounter) snapshot() (statements, trips int, texts []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.statements, c.trips, append([]string(nil), c.texts...)
}

func (c *statementCounter) close() {
	c.ln.Close()
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, conn := range c.conns {
		conn.SetDeadline(time.Now())
		conn.Close()
	}
}
