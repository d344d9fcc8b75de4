package e2e_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/lindungi/lindungi/auditlog"
	"github.com/lindungi/lindungi/devenv"
)

// TestBackupRestore: `lindungi backup` dumps a working installation (as
// the application's role) with a manifest of its chain head; the dump
// restored into a fresh PostgreSQL cluster by the documented steps holds
// the workers, and its audit chain verifies there and ends where the
// manifest says.
func TestBackupRestore(t *testing.T) {
	ctx := context.Background()
	s := startSystem(t)
	w := registerForInbox(t, s, "Sri Rahayu")
	if out, err := s.command("audit", "checkpoint").CombinedOutput(); err != nil {
		t.Fatalf("lindungi audit checkpoint: %v\n%s", err, out)
	}
	dir := t.TempDir()
	dump := filepath.Join(dir, "lindungi.dump")
	if out, err := s.command("backup", "--out", dump).CombinedOutput(); err != nil {
		t.Fatalf("lindungi backup: %v\n%s", err, out)
	}
	b, err := os.ReadFile(dump + ".json")
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		DumpSHA256     string               `json:"dump_sha256"`
		ChainHead      auditlog.Head        `json:"chain_head"`
		LastCheckpoint *auditlog.Checkpoint `json:"last_checkpoint"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if m.ChainHead.Seq == 0 || m.LastCheckpoint == nil || m.DumpSHA256 == "" {
		t.Fatalf("manifest %s: want the chain head, the last checkpoint and the dump's hash", b)
	}
	if out, err := s.command("backup", "--out", dump).CombinedOutput(); err == nil {
		t.Errorf("a second backup over the same file succeeded:\n%s", out)
	}

	// A fresh cluster: the roles first, then pg_restore.
	pgDir, err := os.MkdirTemp("", "lindungi-restore-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(pgDir) })
	if err := os.Chmod(pgDir, 0o755); err != nil {
		t.Fatal(err)
	}
	pg, err := devenv.StartPostgres(ctx, devenv.PostgresOptions{DataDir: filepath.Join(pgDir, "data"), Database: "restored", Throwaway: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pg.Stop() })
	db, err := sql.Open("postgres", pg.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `CREATE ROLE lindungi_app NOLOGIN`); err != nil {
		t.Fatal(err)
	}
	restore, err := exec.LookPath("pg_restore")
	if err != nil {
		matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_restore")
		if len(matches) == 0 {
			t.Fatal("pg_restore not found")
		}
		restore = matches[len(matches)-1]
	}
	if out, err := exec.Command(restore, "--no-owner", "--exit-on-error", "--dbname="+pg.DSN, dump).CombinedOutput(); err != nil {
		t.Fatalf("pg_restore: %v\n%s", err, out)
	}

	var name string
	if err := db.QueryRowContext(ctx, `SELECT name FROM workers WHERE id = $1`, w.ID).Scan(&name); err != nil || name != "Sri Rahayu" {
		t.Errorf("the restored worker: %q, %v", name, err)
	}
	verify := s.command("audit", "verify", "--json")
	verify.Env = append(verify.Env, "DATABASE_URL="+pg.DSN)
	out, err := verify.Output()
	if err != nil {
		t.Fatalf("lindungi audit verify on the restored database: %v\n%s", err, out)
	}
	var rep auditlog.Report
	if err := json.Unmarshal(out, &rep); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if !rep.OK || rep.LastSeq != m.ChainHead.Seq || rep.LastHash != m.ChainHead.Hash || rep.Checkpoints == 0 {
		t.Errorf("the restored chain: %+v; want it intact, ending at the manifest's head %+v, its checkpoints checked", rep, m.ChainHead)
	}

	// The restored database serves the application's role.
	appDSN, err := devenv.AppLogin(ctx, pg.DSN, "lindungi_restore_app")
	if err != nil {
		t.Fatal(err)
	}
	app, err := sql.Open("postgres", appDSN)
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	var n int
	if err := app.QueryRowContext(ctx, `SELECT count(*) FROM workers`).Scan(&n); err != nil || n == 0 {
		t.Errorf("the application's role reads %d workers of the restored database: %v", n, err)
	}
	if _, err := app.ExecContext(ctx, `DELETE FROM audit_events`); err == nil {
		t.Error("the application's role deleted audit events of the restored database")
	}
}
