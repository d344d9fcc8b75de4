// Package devtest gives tests a PostgreSQL database and a Temporal dev
// server, started once per test binary through package devenv.
//
// A test package that uses it must call Main from its TestMain:
//
//	func TestMain(m *testing.M) { devtest.Main(m) }
//
// Environment variables:
//
//   - LINDUNGI_TEST_DATABASE_URL: a postgres:// URL of an existing server,
//     used instead of starting one. Databases created on it are dropped when
//     their test ends.
//   - LINDUNGI_TEST_TEMPORAL_ADDRESS: host:port of an existing Temporal
//     server, used instead of starting one.
//   - LINDUNGI_PG_BIN, LINDUNGI_TEMPORAL_BIN: see package devenv.
package devtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/lib/pq"

	"github.com/lindungi/lindungi/devenv"
)

// TemporalSearchAttributes are registered on the test dev server, as name to
// type (Keyword, Text, Int, Double, Bool, Datetime, KeywordList); set it
// before the first Temporal call.
var TemporalSearchAttributes map[string]string

// The servers shared by the test binary.
var (
	mainCalled atomic.Bool

	// mainCtx is cancelled when the test binary gets a signal, to abort a
	// build of the temporal CLI.
	mainCtx, cancelMain = context.WithCancel(context.Background())

	postgresMu  sync.Mutex
	tempDir     string // holds the PostgreSQL data directory; removed by Main
	postgres    *devenv.Postgres
	postgresErr error // a failed start is not retried

	temporalMu  sync.Mutex
	temporal    *devenv.Temporal
	temporalErr error

	cleanupOnce sync.Once
)

// Main runs the package's tests and stops every server started through this
// package afterwards; use as
//
//	func TestMain(m *testing.M) { devtest.Main(m) }
//
// It also stops the servers when the test binary gets SIGINT or SIGTERM,
// since they run in their own process group and would otherwise outlive it.
func Main(m *testing.M) {
	mainCalled.Store(true)

	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	go func() {
		sig := <-signals
		fmt.Fprintf(os.Stderr, "devtest: got %v, stopping test servers\n", sig)
		cancelMain()
		cleanup()
		os.Exit(1)
	}()

	code := m.Run()
	signal.Stop(signals)
	cleanup()
	os.Exit(code)
}

// atCleanup are what AtCleanup asked to run when the test binary ends.
var (
	atCleanupMu sync.Mutex
	atCleanup   []func()
)

// AtCleanup runs f when Main ends the test binary (os.Exit skips deferred
// calls), for example to remove a binary the tests built.
func AtCleanup(f func()) {
	atCleanupMu.Lock()
	defer atCleanupMu.Unlock()
	atCleanup = append(atCleanup, f)
}

// cleanup stops the servers and removes the temporary directory, once.
func cleanup() {
	cleanupOnce.Do(func() {
		atCleanupMu.Lock()
		for _, f := range atCleanup {
			f()
		}
		atCleanupMu.Unlock()
		temporalMu.Lock()
		if temporal != nil {
			if err := temporal.Stop(); err != nil {
				fmt.Fprintf(os.Stderr, "devtest: stop Temporal: %v\n", err)
			}
		}
		temporalMu.Unlock()

		postgresMu.Lock()
		defer postgresMu.Unlock()
		if postgres != nil {
			if err := postgres.Stop(); err != nil {
				fmt.Fprintf(os.Stderr, "devtest: stop PostgreSQL: %v\n", err)
			}
		}
		if tempDir != "" {
			if err := os.RemoveAll(tempDir); err != nil {
				fmt.Fprintf(os.Stderr, "devtest: %v\n", err)
			}
		}
	})
}

// Database returns the DSN of a fresh empty database on a PostgreSQL server
// shared by the test binary, started on first use in a temporary directory
// that Main removes. If LINDUNGI_TEST_DATABASE_URL is set, the database is
// created on that server instead, and dropped when the test ends. It calls
// t.Fatal on error.
func Database(t testing.TB) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	name := databaseName(t.Name())

	if serverURL := os.Getenv("LINDUNGI_TEST_DATABASE_URL"); serverURL != "" {
		dsn, err := createDatabaseOn(ctx, serverURL, name)
		if err != nil {
			t.Fatalf("devtest: LINDUNGI_TEST_DATABASE_URL: %v", err)
		}
		t.Cleanup(func() {
			if err := dropDatabaseOn(serverURL, name); err != nil {
				t.Logf("devtest: %v", err)
			}
		})
		return dsn
	}

	p, err := sharedPostgres(ctx)
	if err != nil {
		t.Fatalf("devtest: %v", err)
	}
	dsn, err := p.CreateDatabase(ctx, name)
	if err != nil {
		t.Fatalf("devtest: %v", err)
	}
	return dsn
}

// Temporal returns the address (host:port) of a Temporal dev server shared
// by the test binary, started on first use: headless, state in memory, with
// TemporalSearchAttributes registered in the "default" namespace. The CLI
// comes from devenv.TemporalCLI, which builds it if needed (several
// minutes, once per machine). If LINDUNGI_TEST_TEMPORAL_ADDRESS is set, it
// is returned instead. It calls t.Fatal on error.
func Temporal(t testing.TB) string {
	t.Helper()
	if addr := os.Getenv("LINDUNGI_TEST_TEMPORAL_ADDRESS"); addr != "" {
		return addr
	}
	tmp, err := sharedTemporal()
	if err != nil {
		t.Fatalf("devtest: %v", err)
	}
	return tmp.Address
}

func sharedPostgres(ctx context.Context) (*devenv.Postgres, error) {
	postgresMu.Lock()
	defer postgresMu.Unlock()
	if !mainCalled.Load() {
		return nil, fmt.Errorf("call devtest.Main from TestMain, so the PostgreSQL server gets stopped")
	}
	if postgres != nil || postgresErr != nil {
		return postgres, postgresErr
	}
	postgres, postgresErr = startPostgres(ctx)
	return postgres, postgresErr
}

func startPostgres(ctx context.Context) (*devenv.Postgres, error) {
	if tempDir == "" {
		dir, err := os.MkdirTemp("", "lindungi-devtest-")
		if err != nil {
			return nil, err
		}
		// When the tests run as root, PostgreSQL runs as the postgres user,
		// which must be able to enter this directory.
		if err := os.Chmod(dir, 0o755); err != nil {
			return nil, err
		}
		tempDir = dir
	}
	return devenv.StartPostgres(ctx, devenv.PostgresOptions{
		DataDir:   filepath.Join(tempDir, "postgres"),
		Database:  "postgres", // exists already; tests get their own
		Throwaway: true,
	})
}

func sharedTemporal() (*devenv.Temporal, error) {
	temporalMu.Lock()
	defer temporalMu.Unlock()
	if !mainCalled.Load() {
		return nil, fmt.Errorf("call devtest.Main from TestMain, so the Temporal server gets stopped")
	}
	if temporal != nil || temporalErr != nil {
		return temporal, temporalErr
	}
	// No timeout: building the CLI, if needed, takes minutes. StartTemporal
	// has its own timeout for the server start.
	ctx := mainCtx
	bin, err := devenv.TemporalCLI(ctx, os.Stderr)
	if err != nil {
		temporalErr = err
		return nil, err
	}
	temporal, temporalErr = devenv.StartTemporal(ctx, devenv.TemporalOptions{
		Bin:              bin,
		Headless:         true,
		SearchAttributes: TemporalSearchAttributes,
	})
	return temporal, temporalErr
}

// databaseName returns a new database name made of the test name and a
// random suffix, e.g. "t_testorders_create_3f9a1c2b". Names are unique
// across test binaries, which may share a server.
func databaseName(testName string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(testName) {
		if b.Len() >= 40 {
			break
		}
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	suffix := make([]byte, 4)
	_, _ = rand.Read(suffix) // crypto/rand.Read never fails
	return "t_" + b.String() + "_" + hex.EncodeToString(suffix)
}

// createDatabaseOn creates database name on the server of serverURL and
// returns serverURL with the database replaced by name.
func createDatabaseOn(ctx context.Context, serverURL, name string) (string, error) {
	u, err := url.Parse(serverURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", fmt.Errorf("want a postgres://user@host:port/database URL, got %q", serverURL)
	}
	db, err := sql.Open("postgres", serverURL)
	if err != nil {
		return "", err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+pq.QuoteIdentifier(name)); err != nil {
		return "", fmt.Errorf("create database %q: %w", name, err)
	}
	u.Path = "/" + name
	u.RawPath = ""
	return u.String(), nil
}

func dropDatabaseOn(serverURL, name string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := sql.Open("postgres", serverURL)
	if err != nil {
		return err
	}
	defer db.Close()
	// FORCE ends connections the test left open (PostgreSQL 13 and later).
	if _, err := db.ExecContext(ctx, "DROP DATABASE IF EXISTS "+pq.QuoteIdentifier(name)+" WITH (FORCE)"); err != nil {
		return fmt.Errorf("drop database %q: %w", name, err)
	}
	return nil
}
