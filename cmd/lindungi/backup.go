package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lindungi/lindungi/auditlog"
)

// Manifest describes a backup: where the dumped audit chain ends and the
// last checkpoint signed before it, read in the snapshot pg_dump dumped,
// so that a restore can be checked against it (README, "Backup and
// restore").
type Manifest struct {
	CreatedAt      time.Time            `json:"created_at"`
	Dump           string               `json:"dump"`
	DumpSHA256     string               `json:"dump_sha256"`
	PgDump         string               `json:"pg_dump"`
	ChainHead      auditlog.Head        `json:"chain_head"`
	LastCheckpoint *auditlog.Checkpoint `json:"last_checkpoint,omitempty"`
}

const backupUsage = `usage:
  lindungi backup --out FILE     pg_dump of DATABASE_URL (custom format) to FILE,
                                 and its manifest (chain head, last checkpoint) to FILE.json`

// runBackup dumps Lindungi's database with pg_dump, in the snapshot whose
// chain head and last checkpoint it records in a manifest beside the dump.
func runBackup(ctx context.Context, args []string, cfg Config, stdout io.Writer) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(stdout)
	out := fs.String("out", "", "the dump file to write (it must not exist)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		fmt.Fprintln(stdout, backupUsage)
		return errUsage
	}
	if _, err := os.Stat(*out); err == nil {
		return fmt.Errorf("%s exists; a backup never overwrites a file", *out)
	}
	pgDump, err := postgresTool("pg_dump")
	if err != nil {
		return err
	}
	db, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	snap, err := db.ExportSnapshot(ctx)
	if err != nil {
		return err
	}
	defer snap.Release()

	cmd := exec.CommandContext(ctx, pgDump, "--format=custom", "--no-owner", "--snapshot="+snap.ID, "--file="+*out, "--dbname="+cfg.DatabaseURL)
	if msg, err := cmd.CombinedOutput(); err != nil {
		os.Remove(*out)
		return fmt.Errorf("pg_dump: %w: %s", err, strings.TrimSpace(string(msg)))
	}
	snap.Release()
	sum, err := fileSHA256(*out)
	if err != nil {
		return err
	}
	version, _ := exec.Command(pgDump, "--version").Output()
	m := Manifest{CreatedAt: time.Now().UTC(), Dump: filepath.Base(*out), DumpSHA256: sum, PgDump: strings.TrimSpace(string(version)),
		ChainHead: snap.Head, LastCheckpoint: snap.Checkpoint}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(*out+".json", append(b, '\n'), 0o600); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backup written to %s (manifest %s.json): audit chain to seq %d, hash %s\n", *out, *out, m.ChainHead.Seq, m.ChainHead.Hash)
	return nil
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// postgresTool finds a PostgreSQL client program: on PATH, else the
// newest of Debian's /usr/lib/postgresql/N/bin.
func postgresTool(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/" + name)
	slices.SortFunc(matches, func(a, b string) int { return majorOf(b) - majorOf(a) })
	if len(matches) > 0 {
		return matches[0], nil
	}
	return "", errors.New(name + " not found: install the PostgreSQL client (apt-get install postgresql-client)")
}

// majorOf is N of /usr/lib/postgresql/N/bin/name.
func majorOf(path string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(path))))
	return n
}
