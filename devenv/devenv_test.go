package devenv_test

import (
	"context"
	"database/sql"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/lib/pq"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/lindungi/lindungi/devenv"
	"github.com/lindungi/lindungi/devenv/devtest"
)

func TestMain(m *testing.M) {
	devtest.TemporalSearchAttributes = map[string]string{"DevtestKeyword": "Keyword"}
	devtest.Main(m)
}

// tempDir returns a directory that the postgres user can enter when the
// tests run as root (t.TempDir's directories are mode 0700).
func tempDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "devenv-test-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

func openDB(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	var one int
	if err := db.QueryRow("SELECT 1").Scan(&one); err != nil || one != 1 {
		t.Fatalf("SELECT 1 on %s: %v, %d", dsn, err, one)
	}
	return db
}

func TestPostgres(t *testing.T) {
	ctx := context.Background()
	// A missing parent exercises the creation of parent directories.
	dataDir := filepath.Join(tempDir(t), "missing", "pgdata")
	opts := devenv.PostgresOptions{DataDir: dataDir, Log: t.Output()}

	pg, err := devenv.StartPostgres(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pg.Stop() })
	wantPrefix := "postgres://postgres@127.0.0.1:"
	if !strings.HasPrefix(pg.DSN, wantPrefix) || !strings.Contains(pg.DSN, "/lindungi?sslmode=disable&connect_timeout=5") {
		t.Errorf("DSN = %q", pg.DSN)
	}

	db := openDB(t, pg.DSN)
	if _, err := db.Exec("CREATE TABLE kept (x int); INSERT INTO kept VALUES (42)"); err != nil {
		t.Fatal(err)
	}
	db.Close()

	otherDSN, err := pg.CreateDatabase(ctx, "other")
	if err != nil {
		t.Fatal(err)
	}
	openDB(t, otherDSN).Close()
	if _, err := pg.CreateDatabase(ctx, "other"); err == nil {
		t.Error("CreateDatabase of an existing database succeeded")
	}

	// A second server on the same data directory is refused.
	_, err = devenv.StartPostgres(ctx, opts)
	if err == nil || !strings.Contains(err.Error(), "already running on this data directory") {
		t.Fatalf("second StartPostgres on the same data directory: err = %v", err)
	}

	if err := pg.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if err := pg.Stop(); err != nil {
		t.Fatalf("second Stop: %v", err)
	}

	// Restart on the same data directory: the data is still there.
	pg2, err := devenv.StartPostgres(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pg2.Stop() })
	var x int
	if err := openDB(t, pg2.DSN).QueryRow("SELECT x FROM kept").Scan(&x); err != nil || x != 42 {
		t.Fatalf("after restart: SELECT x FROM kept: %v, %d", err, x)
	}
	if err := pg2.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
}

func TestPostgresNonEmptyDataDir(t *testing.T) {
	dir := tempDir(t)
	if err := os.WriteFile(filepath.Join(dir, "junk"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := devenv.StartPostgres(context.Background(), devenv.PostgresOptions{DataDir: dir})
	if err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("err = %v, want a 'not empty' error", err)
	}
}

func TestTemporal(t *testing.T) {
	ctx := context.Background()
	bin, err := devenv.TemporalCLI(ctx, t.Output())
	if err != nil {
		t.Fatal(err)
	}
	opts := devenv.TemporalOptions{
		Bin:              bin,
		DBFile:           filepath.Join(t.TempDir(), "state", "temporal.db"),
		Namespace:        "devenv-test",
		SearchAttributes: map[string]string{"LindungiA": "Keyword"},
		Log:              t.Output(),
	}
	srv, err := devenv.StartTemporal(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Stop() })
	if !strings.HasPrefix(srv.Address, "127.0.0.1:") || srv.Namespace != "devenv-test" {
		t.Errorf("Address = %q, Namespace = %q", srv.Address, srv.Namespace)
	}
	checkUI(t, srv.UIURL)

	c := dialTemporal(t, srv.Address, srv.Namespace)
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:        "devenv-test-a",
		TaskQueue: "devenv-test",
		TypedSearchAttributes: temporal.NewSearchAttributes(
			temporal.NewSearchAttributeKeyKeyword("LindungiA").ValueSet("a")),
	}, "NoSuchWorkflow")
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	if err := srv.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}

	// Restart on the same DB file with one more search attribute: the
	// workflow is still running and the new attribute is usable.
	opts.Port, opts.Headless = 0, true
	opts.SearchAttributes = map[string]string{"LindungiA": "Keyword", "LindungiB": "Int"}
	srv2, err := devenv.StartTemporal(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv2.Stop() })
	if srv2.UIURL != "" {
		t.Errorf("headless UIURL = %q", srv2.UIURL)
	}
	c = dialTemporal(t, srv2.Address, srv2.Namespace)
	desc, err := c.DescribeWorkflowExecution(ctx, "devenv-test-a", run.GetRunID())
	if err != nil {
		t.Fatal(err)
	}
	if status := desc.GetWorkflowExecutionInfo().GetStatus().String(); status != "Running" {
		t.Errorf("after restart, workflow status = %s, want Running", status)
	}
	_, err = c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:        "devenv-test-b",
		TaskQueue: "devenv-test",
		TypedSearchAttributes: temporal.NewSearchAttributes(
			temporal.NewSearchAttributeKeyInt64("LindungiB").ValueSet(7)),
	}, "NoSuchWorkflow")
	if err != nil {
		t.Fatalf("start workflow with the search attribute added at restart: %v", err)
	}
	c.Close()
	if err := srv2.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
}

func dialTemporal(t *testing.T, address, namespace string) client.Client {
	t.Helper()
	c, err := client.Dial(client.Options{HostPort: address, Namespace: namespace})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := c.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
		t.Fatalf("CheckHealth: %v", err)
	}
	return c
}

func checkUI(t *testing.T, uiURL string) {
	t.Helper()
	if !strings.HasPrefix(uiURL, "http://127.0.0.1:") {
		t.Fatalf("UIURL = %q", uiURL)
	}
	resp, err := http.Get(uiURL)
	if err != nil {
		t.Fatalf("UI: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("UI: GET %s: %s", uiURL, resp.Status)
	}
}

func TestDevtest(t *testing.T) {
	dsn1 := devtest.Database(t)
	dsn2 := devtest.Database(t)
	if dsn1 == dsn2 {
		t.Fatalf("Database returned %s twice", dsn1)
	}
	db := openDB(t, dsn1)
	var n int
	err := db.QueryRow("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'").Scan(&n)
	if err != nil || n != 0 {
		t.Fatalf("fresh database has %d tables (%v)", n, err)
	}
	openDB(t, dsn2)

	addr := devtest.Temporal(t)
	if addr2 := devtest.Temporal(t); addr2 != addr {
		t.Errorf("Temporal returned %s, then %s", addr, addr2)
	}
	c := dialTemporal(t, addr, "default")
	_, err = c.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{
		TaskQueue: "devtest",
		TypedSearchAttributes: temporal.NewSearchAttributes(
			temporal.NewSearchAttributeKeyKeyword("DevtestKeyword").ValueSet("x")),
	}, "NoSuchWorkflow")
	if err != nil {
		t.Fatalf("start workflow with TemporalSearchAttributes: %v", err)
	}
}
