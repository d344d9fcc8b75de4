package postgres

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/lib/pq"
	"github.com/lindungi/lindungi"
)

// TestTranslate turns what the driver reports into the codes the API
// answers with: data no retry can store is EINVALID (or ECONFLICT), a
// database that cannot be reached or answer in time is EUNAVAILABLE, and
// what it does not know stays internal.
func TestTranslate(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	reset := &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}
	stalled := &net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded}
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"no row", sql.ErrNoRows, lindungi.ENOTFOUND},
		{"a NUL byte", &pq.Error{Code: "22021", Message: `invalid byte sequence for encoding "UTF8": 0x00`}, lindungi.EINVALID},
		{"a value out of range", &pq.Error{Code: "22003"}, lindungi.EINVALID},
		{"a bad date", &pq.Error{Code: "22007"}, lindungi.EINVALID},
		{"a duplicate", &pq.Error{Code: "23505"}, lindungi.ECONFLICT},
		{"an unknown reference", &pq.Error{Code: "23503"}, lindungi.EINVALID},
		{"a check", &pq.Error{Code: "23514"}, lindungi.EINVALID},
		{"a null", &pq.Error{Code: "23502"}, lindungi.EINVALID},
		{"an overlap", &pq.Error{Code: "23P01"}, lindungi.ECONFLICT},
		{"a value too large to index", &pq.Error{Code: "54000"}, lindungi.EINVALID},
		{"statement timeout", &pq.Error{Code: "57014"}, lindungi.EUNAVAILABLE},
		{"lock timeout", &pq.Error{Code: "55P03"}, lindungi.EUNAVAILABLE},
		{"idle transaction ended", &pq.Error{Code: "25P03"}, lindungi.EUNAVAILABLE},
		{"serialization failure", &pq.Error{Code: "40001"}, lindungi.EUNAVAILABLE},
		{"server shutting down", &pq.Error{Code: "57P01"}, lindungi.EUNAVAILABLE},
		{"server starting", &pq.Error{Code: "57P03"}, lindungi.EUNAVAILABLE},
		{"too many connections", &pq.Error{Code: "53300"}, lindungi.EUNAVAILABLE},
		{"connection failure", &pq.Error{Code: "08006"}, lindungi.EUNAVAILABLE},
		{"connection refused", refused, lindungi.EUNAVAILABLE},
		{"connection reset", fmt.Errorf("find worker: %w", reset), lindungi.EUNAVAILABLE},
		{"a server that stopped answering", stalled, lindungi.EUNAVAILABLE},
		{"a connection the driver gave up", driver.ErrBadConn, lindungi.EUNAVAILABLE},
		{"a connection closed mid-message", io.ErrUnexpectedEOF, lindungi.EUNAVAILABLE},
		{"the request's deadline", context.DeadlineExceeded, lindungi.EUNAVAILABLE},
		{"a syntax error is a bug", &pq.Error{Code: "42601"}, lindungi.EINTERNAL},
		{"anything else is a bug", errors.New("boom"), lindungi.EINTERNAL},
		{"a domain error stays", lindungi.Errorf(lindungi.EFORBIDDEN, "no"), lindungi.EFORBIDDEN},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := translate(tt.err)
			if code := lindungi.ErrorCode(got); code != tt.want {
				t.Errorf("translate(%v) has code %s, want %s", tt.err, code, tt.want)
			}
			if !errors.Is(got, tt.err) && tt.want != lindungi.ENOTFOUND {
				t.Errorf("translate(%v) = %v, which lost the cause", tt.err, got)
			}
		})
	}
}

// TestConfig sets the timeouts a DSN leaves out, and keeps those it sets.
func TestConfig(t *testing.T) {
	cfg, err := config("postgres://u@db:5432/lindungi?sslmode=disable&statement_timeout=30s")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.ConnectTimeout != defaultConnectTimeout {
		t.Errorf("connect timeout = %v, want %v", cfg.ConnectTimeout, defaultConnectTimeout)
	}
	want := map[string]string{"statement_timeout": "30s", "lock_timeout": "5s", "idle_in_transaction_session_timeout": "60s"}
	for k, v := range want {
		if cfg.Runtime[k] != v {
			t.Errorf("%s = %q, want %q", k, cfg.Runtime[k], v)
		}
	}
	if got := newConnector(cfg).stall; got != 30*time.Second+stallGrace {
		t.Errorf("stall = %v, want statement_timeout + %v", got, stallGrace)
	}
	if got := newConnector(withoutStatementLimits(cfg)).stall; got != 0 {
		t.Errorf("stall without statement limits = %v, want none", got)
	}
	cfg, err = config("host=db connect_timeout=2 lock_timeout=1000")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.ConnectTimeout != 2*time.Second || cfg.Runtime["lock_timeout"] != "1000" {
		t.Errorf("connect timeout %v, lock timeout %q; want the DSN's 2s and 1000", cfg.ConnectTimeout, cfg.Runtime["lock_timeout"])
	}
}

func TestPGDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"15000", 15 * time.Second, true},
		{"15s", 15 * time.Second, true},
		{"1min", time.Minute, true},
		{"250ms", 250 * time.Millisecond, true},
		{"0", 0, true},
		{"soon", 0, false},
	}
	for _, tt := range tests {
		got, ok := pgDuration(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("pgDuration(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}
