package postgres

import (
	"context"
	"database/sql/driver"
	"maps"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/lib/pq"
)

// Every call to the database is bounded, so that a database that is down,
// slow or frozen makes a request fail, never hang:
//
//   - connect_timeout bounds opening a connection, handshake included;
//   - statement_timeout, lock_timeout and idle_in_transaction_session_timeout
//     are sent as session parameters, so the server ends a statement that
//     runs, or waits for a lock, too long, and a transaction left idle;
//   - a query whose context ends is cancelled (lib/pq sends a cancel
//     request); if the server does not answer the cancel within cancelGrace,
//     the connection stops waiting for it; a BEGIN, which lib/pq sends
//     without watching its context, stops waiting when the context ends;
//   - a read that waits longer than statement_timeout plus stallGrace gives
//     up: a server that has not answered by then is not answering (it is
//     frozen, or the network between is gone).
//
// A DSN may set any of the parameters; Open sets those it does not to
// these defaults. Zero turns a session timeout off.
var defaultSession = map[string]string{
	"statement_timeout":                   "15s",
	"lock_timeout":                        "5s",
	"idle_in_transaction_session_timeout": "60s",
}

// defaultConnectTimeout is the connect_timeout of a DSN that sets none.
const defaultConnectTimeout = 5 * time.Second

const (
	// cancelGrace is how long a query whose context ended waits for the
	// server to act on the cancel request.
	cancelGrace = 2 * time.Second
	// stallGrace is how much longer than statement_timeout a read waits.
	stallGrace = 5 * time.Second
)

// config is dsn with the default timeouts where it sets none.
func config(dsn string) (pq.Config, error) {
	cfg, err := pq.NewConfig(dsn)
	if err != nil {
		return cfg, err
	}
	if cfg.ConnectTimeout <= 0 {
		cfg.ConnectTimeout = defaultConnectTimeout
	}
	session := maps.Clone(cfg.Runtime)
	if session == nil {
		session = map[string]string{}
	}
	for k, v := range defaultSession {
		if _, ok := session[k]; !ok {
			session[k] = v
		}
	}
	cfg.Runtime = session
	return cfg, nil
}

// withoutStatementLimits is cfg for statements that may run long, such as
// migrations: no statement or lock timeout, and no stall guard.
func withoutStatementLimits(cfg pq.Config) pq.Config {
	cfg.Runtime = maps.Clone(cfg.Runtime)
	cfg.Runtime["statement_timeout"] = "0"
	cfg.Runtime["lock_timeout"] = "0"
	return cfg
}

// connector opens lib/pq connections, each watched by its own guard.
type connector struct {
	cfg   pq.Config
	stall time.Duration // 0: reads wait as long as the server takes
}

func newConnector(cfg pq.Config) connector {
	c := connector{cfg: cfg}
	if d, ok := pgDuration(cfg.Runtime["statement_timeout"]); ok && d > 0 {
		c.stall = d + stallGrace
	}
	return c
}

func (c connector) Connect(ctx context.Context) (driver.Conn, error) {
	pc, err := pq.NewConnectorConfig(c.cfg)
	if err != nil {
		return nil, err
	}
	g := &guard{}
	pc.Dialer(g)
	dc, err := pc.Connect(ctx)
	if err != nil {
		return nil, err
	}
	g.established(c.stall)
	if pqc, ok := dc.(pqConn); ok && g.conn != nil {
		return &conn{pqConn: pqc, net: g.conn}, nil
	}
	return dc, nil
}

// pqConn is what a lib/pq connection implements.
type pqConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.QueryerContext
	driver.ExecerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
	driver.NamedValueChecker
}

// conn is a lib/pq connection whose BEGIN gives up when its context ends.
type conn struct {
	pqConn
	net *guardedConn
}

func (c *conn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if ctx.Done() == nil {
		return c.pqConn.BeginTx(ctx, opts)
	}
	// The connection expires only while BEGIN is still waiting: once it
	// returned, the connection may already serve another request, and a
	// late expiry would break that request's reads.
	var mu sync.Mutex
	returned := false
	stop := context.AfterFunc(ctx, func() {
		mu.Lock()
		defer mu.Unlock()
		if !returned {
			c.net.expire(0)
		}
	})
	tx, err := c.pqConn.BeginTx(ctx, opts)
	mu.Lock()
	returned = true
	mu.Unlock()
	stop()
	return tx, err
}

func (c *conn) ResetSession(ctx context.Context) error {
	if c.net.isExpired() {
		return driver.ErrBadConn
	}
	return c.pqConn.ResetSession(ctx)
}

func (c *conn) IsValid() bool { return !c.net.isExpired() && c.pqConn.IsValid() }

func (c connector) Driver() driver.Driver { return &pq.Driver{} }

// guard dials the connection of one session and watches it. lib/pq dials
// through the same dialer again only to cancel the session's query when its
// context ended; the guard then gives the server cancelGrace to answer
// before the session's connection stops waiting.
type guard struct {
	mu   sync.Mutex
	conn *guardedConn // the session's connection
	up   bool         // the session is established
}

func (g *guard) Dial(network, address string) (net.Conn, error) {
	return g.DialContext(context.Background(), network, address)
}

func (g *guard) DialTimeout(network, address string, timeout time.Duration) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return g.DialContext(ctx, network, address)
}

func (g *guard) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	d := net.Dialer{KeepAlive: 15 * time.Second}
	c, err := d.DialContext(ctx, network, address)
	if err != nil {
		return nil, err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.up {
		g.conn.expire(cancelGrace)
		return c, nil
	}
	g.conn = &guardedConn{Conn: c}
	return g.conn, nil
}

// established says the session is open: from now on reads wait at most
// stall (if not 0), and a further dial is a cancel request.
func (g *guard) established(stall time.Duration) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.up = true
	if g.conn != nil {
		g.conn.mu.Lock()
		g.conn.stall = stall
		g.conn.mu.Unlock()
	}
}

// guardedConn is a session's connection whose reads wait at most stall,
// or, once it expires, until the expiry.
type guardedConn struct {
	net.Conn
	mu      sync.Mutex
	stall   time.Duration
	expired bool
}

func (c *guardedConn) Read(b []byte) (int, error) {
	c.mu.Lock()
	if c.stall > 0 && !c.expired {
		c.Conn.SetReadDeadline(time.Now().Add(c.stall))
	}
	c.mu.Unlock()
	return c.Conn.Read(b)
}

// expire makes the connection give up waiting after d. Neither lib/pq nor
// the pool uses a connection again after it expired.
func (c *guardedConn) expire(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.expired = true
	c.Conn.SetDeadline(time.Now().Add(d))
}

func (c *guardedConn) isExpired() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.expired
}

// pgDuration reads a PostgreSQL time setting: a number of milliseconds, or
// a number with a unit (us, ms, s, min, h, d).
func pgDuration(s string) (time.Duration, bool) {
	s = strings.TrimSpace(s)
	i := strings.IndexFunc(s, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	num, unit := s, "ms"
	if i >= 0 {
		num, unit = s[:i], strings.TrimSpace(s[i:])
	}
	n, err := strconv.ParseFloat(num, 64)
	if err != nil || n < 0 {
		return 0, false
	}
	units := map[string]time.Duration{"us": time.Microsecond, "ms": time.Millisecond, "s": time.Second,
		"min": time.Minute, "h": time.Hour, "d": 24 * time.Hour}
	u, ok := units[unit]
	if !ok {
		return 0, false
	}
	return time.Duration(n * float64(u)), true
}
