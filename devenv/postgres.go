package devenv

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/lib/pq"
)

// PostgresOptions configures StartPostgres.
type PostgresOptions struct {
	// DataDir is the cluster's data directory. It is created and initdb'd
	// (auth trust, UTF8, locale C, superuser "postgres") if it is missing or
	// empty, and reused if it already holds a cluster. Required.
	DataDir string
	// Port is the TCP port on 127.0.0.1; 0 picks a free port.
	Port int
	// Database is created if missing; "" means "lindungi".
	Database string
	// Log receives the output of initdb and of the server; nil discards it.
	Log io.Writer
	// Throwaway turns off fsync: for test clusters whose data nobody keeps.
	Throwaway bool
}

// Postgres is a PostgreSQL server started by StartPostgres.
type Postgres struct {
	// DSN is the URL of Database:
	// postgres://postgres@127.0.0.1:PORT/DATABASE?sslmode=disable&connect_timeout=5
	DSN  string
	Port int

	dataDir string
	proc    *process
}

const (
	postgresStartTimeout = 60 * time.Second
	postgresStopTimeout  = 30 * time.Second
)

// StartPostgres starts a PostgreSQL server on opts.DataDir, listening on
// 127.0.0.1 only, waits until it accepts connections and creates
// opts.Database if it is missing.
//
// The server runs as a child process in its own process group until Stop is
// called; ctx bounds only the start-up. When the current user is root, initdb
// and the server run as the "postgres" system user, which owns the data
// directory and must be able to reach it: StartPostgres creates missing
// parent directories with mode 0755, and reports an error if an existing
// parent is not accessible to that user.
//
// The PostgreSQL binaries are taken from the directory named by the
// environment variable LINDUNGI_PG_BIN, else from /usr/lib/postgresql/*/bin
// (the version of an existing cluster, else the newest), else from
// `pg_config --bindir`, else from PATH.
func StartPostgres(ctx context.Context, opts PostgresOptions) (*Postgres, error) {
	if opts.DataDir == "" {
		return nil, errors.New("start PostgreSQL: PostgresOptions.DataDir is empty")
	}
	dataDir, err := filepath.Abs(opts.DataDir)
	if err != nil {
		return nil, fmt.Errorf("start PostgreSQL: %w", err)
	}
	database := opts.Database
	if database == "" {
		database = "lindungi"
	}
	port := opts.Port
	if port == 0 {
		if port, err = FreePort(); err != nil {
			return nil, fmt.Errorf("start PostgreSQL: %w", err)
		}
	}

	binDir, err := postgresBinDir(dataDir)
	if err != nil {
		return nil, fmt.Errorf("start PostgreSQL: %w", err)
	}
	runAs, err := postgresRunAs()
	if err != nil {
		return nil, fmt.Errorf("start PostgreSQL: %w", err)
	}

	if err := prepareDataDir(ctx, dataDir, binDir, runAs, opts.Log); err != nil {
		return nil, fmt.Errorf("start PostgreSQL: %w", err)
	}
	if err := checkNotRunning(dataDir); err != nil {
		return nil, fmt.Errorf("start PostgreSQL: %w", err)
	}

	// The Unix socket goes into the data directory, unless the path would be
	// too long for a socket address (108 bytes on Linux); clients here use
	// TCP anyway.
	socketDir := dataDir
	if len(dataDir)+len("/.s.PGSQL.")+len(strconv.Itoa(port)) >= 100 {
		socketDir = ""
	}
	args := []string{"-D", dataDir, "-p", strconv.Itoa(port), "-k", socketDir, "-c", "listen_addresses=127.0.0.1"}
	if opts.Throwaway {
		// Nothing survives a crash anyway: skip waiting for the disk.
		args = append(args, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	}
	cmd := exec.Command(filepath.Join(binDir, "postgres"), args...)
	cmd.Dir = dataDir
	cmd.SysProcAttr = runAs.sysProcAttr()
	proc, err := startProcess("PostgreSQL", cmd, opts.Log)
	if err != nil {
		return nil, err
	}
	p := &Postgres{
		DSN:     postgresDSN(port, database),
		Port:    port,
		dataDir: dataDir,
		proc:    proc,
	}

	if err := p.waitReady(ctx); err != nil {
		_ = p.Stop()
		return nil, fmt.Errorf("start PostgreSQL on %s: %w", dataDir, err)
	}
	if err := p.createDatabaseIfMissing(ctx, database); err != nil {
		_ = p.Stop()
		return nil, fmt.Errorf("start PostgreSQL on %s: %w", dataDir, err)
	}
	return p, nil
}

// CreateDatabase creates a new database with the given name on this server
// and returns its DSN. It fails if the database already exists.
func (p *Postgres) CreateDatabase(ctx context.Context, name string) (string, error) {
	db, err := sql.Open("postgres", postgresDSN(p.Port, "postgres"))
	if err != nil {
		return "", fmt.Errorf("create database %q: %w", name, err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+pq.QuoteIdentifier(name)); err != nil {
		return "", fmt.Errorf("create database %q: %w", name, err)
	}
	return postgresDSN(p.Port, name), nil
}

// Stop shuts the server down: SIGINT (PostgreSQL's fast shutdown), then
// SIGKILL to its process group if it has not exited within 30 seconds.
// Calling Stop again returns the same result.
func (p *Postgres) Stop() error {
	return p.proc.stop(postgresStopTimeout)
}

// waitReady waits until the server accepts connections.
func (p *Postgres) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, postgresStartTimeout)
	defer cancel()
	db, err := sql.Open("postgres", postgresDSN(p.Port, "postgres"))
	if err != nil {
		return err
	}
	defer db.Close()
	for {
		if p.proc.exited() {
			return p.proc.exitError()
		}
		pingCtx, pingCancel := context.WithTimeout(ctx, 2*time.Second)
		err := db.PingContext(pingCtx)
		pingCancel()
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("server did not accept connections on port %d: %v (last error: %v)\n%s",
				p.Port, ctx.Err(), err, p.proc.out.lastLines(20))
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func (p *Postgres) createDatabaseIfMissing(ctx context.Context, name string) error {
	db, err := sql.Open("postgres", postgresDSN(p.Port, "postgres"))
	if err != nil {
		return err
	}
	defer db.Close()
	var exists bool
	err = db.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists)
	if err != nil {
		return fmt.Errorf("look up database %q: %w", name, err)
	}
	if exists {
		return nil
	}
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+pq.QuoteIdentifier(name)); err != nil {
		return fmt.Errorf("create database %q: %w", name, err)
	}
	return nil
}

func postgresDSN(port int, database string) string {
	u := url.URL{
		Scheme:   "postgres",
		User:     url.User("postgres"),
		Host:     "127.0.0.1:" + strconv.Itoa(port),
		Path:     "/" + database,
		RawQuery: "sslmode=disable&connect_timeout=5",
	}
	return u.String()
}

// postgresBinDir finds the directory holding the postgres and initdb
// binaries. dataDir is used to prefer the version of an existing cluster.
func postgresBinDir(dataDir string) (string, error) {
	if dir := os.Getenv("LINDUNGI_PG_BIN"); dir != "" {
		if !isExecutableFile(filepath.Join(dir, "postgres")) || !isExecutableFile(filepath.Join(dir, "initdb")) {
			return "", fmt.Errorf("LINDUNGI_PG_BIN=%s does not hold the postgres and initdb binaries", dir)
		}
		return dir, nil
	}

	// Debian and Ubuntu install each major version in /usr/lib/postgresql/N/bin.
	if v, err := os.ReadFile(filepath.Join(dataDir, "PG_VERSION")); err == nil {
		dir := filepath.Join("/usr/lib/postgresql", strings.TrimSpace(string(v)), "bin")
		if isExecutableFile(filepath.Join(dir, "postgres")) {
			return dir, nil
		}
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/postgres")
	sort.Slice(matches, func(i, j int) bool {
		return postgresDirVersion(matches[i]) > postgresDirVersion(matches[j])
	})
	for _, m := range matches {
		if isExecutableFile(m) {
			return filepath.Dir(m), nil
		}
	}

	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		dir := strings.TrimSpace(string(out))
		if isExecutableFile(filepath.Join(dir, "postgres")) {
			return dir, nil
		}
	}
	if path, err := exec.LookPath("postgres"); err == nil {
		return filepath.Dir(path), nil
	}
	return "", errors.New("PostgreSQL server binaries (postgres, initdb) not found; install PostgreSQL or set LINDUNGI_PG_BIN to the directory that holds them")
}

// postgresDirVersion returns N from /usr/lib/postgresql/N/bin/postgres.
func postgresDirVersion(path string) float64 {
	v, _ := strconv.ParseFloat(filepath.Base(filepath.Dir(filepath.Dir(path))), 64)
	return v
}

// osUser is the user initdb and postgres run as.
type osUser struct {
	name     string
	uid, gid int
	groups   []int // all groups of the user, for access checks
	switchTo bool  // run the commands as this user (we are root)
}

// postgresRunAs returns the current user, or the "postgres" user when the
// current user is root, because PostgreSQL refuses to run as root.
func postgresRunAs() (osUser, error) {
	if os.Geteuid() != 0 {
		return osUser{name: "current user", uid: os.Geteuid(), gid: os.Getegid()}, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return osUser{}, fmt.Errorf("running as root, PostgreSQL must run as the \"postgres\" user: %w", err)
	}
	uid, err := strconv.Atoi(u.Uid)
	if err != nil {
		return osUser{}, fmt.Errorf("user postgres: bad uid %q", u.Uid)
	}
	gid, err := strconv.Atoi(u.Gid)
	if err != nil {
		return osUser{}, fmt.Errorf("user postgres: bad gid %q", u.Gid)
	}
	groups := []int{gid}
	if ids, err := u.GroupIds(); err == nil {
		for _, id := range ids {
			if n, err := strconv.Atoi(id); err == nil {
				groups = append(groups, n)
			}
		}
	}
	return osUser{name: "postgres", uid: uid, gid: gid, groups: groups, switchTo: true}, nil
}

func (u osUser) sysProcAttr() *syscall.SysProcAttr {
	if !u.switchTo {
		return nil
	}
	return &syscall.SysProcAttr{
		Credential: &syscall.Credential{Uid: uint32(u.uid), Gid: uint32(u.gid)},
	}
}

// prepareDataDir makes sure dataDir holds a cluster, running initdb if it is
// missing or empty.
func prepareDataDir(ctx context.Context, dataDir, binDir string, runAs osUser, log io.Writer) error {
	if _, err := os.Stat(filepath.Join(dataDir, "PG_VERSION")); err == nil {
		return nil
	}

	entries, err := os.ReadDir(dataDir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := mkdirParents(dataDir); err != nil {
			return err
		}
		if err := os.Mkdir(dataDir, 0o700); err != nil {
			return err
		}
	case err != nil:
		return err
	case len(entries) > 0:
		return fmt.Errorf("data directory %s is not empty but holds no PostgreSQL cluster (no PG_VERSION file)", dataDir)
	}
	if runAs.switchTo {
		if err := os.Chown(dataDir, runAs.uid, runAs.gid); err != nil {
			return err
		}
		if err := checkReachable(dataDir, runAs); err != nil {
			return err
		}
	}

	cmd := exec.CommandContext(ctx, filepath.Join(binDir, "initdb"),
		"-D", dataDir,
		"--username=postgres",
		"--auth=trust",
		"--encoding=UTF8",
		"--locale=C",
		// A development cluster does not need initdb to wait for the disk.
		"--no-sync",
	)
	cmd.Dir = dataDir
	cmd.SysProcAttr = runAs.sysProcAttr()
	out := &outputTail{w: log}
	cmd.Stdout = out
	cmd.Stderr = out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("initdb %s: %w\n%s", dataDir, err, out.lastLines(20))
	}
	return nil
}

// mkdirParents creates the missing parent directories of dir with mode 0755,
// so that the user PostgreSQL runs as can reach dir.
func mkdirParents(dir string) error {
	var missing []string
	for d := filepath.Dir(dir); ; d = filepath.Dir(d) {
		if _, err := os.Stat(d); err == nil {
			break
		} else if !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		missing = append(missing, d)
		if d == filepath.Dir(d) {
			break
		}
	}
	for i := len(missing) - 1; i >= 0; i-- {
		if err := os.Mkdir(missing[i], 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
			return err
		}
		// Mkdir's mode is reduced by the umask.
		if err := os.Chmod(missing[i], 0o755); err != nil {
			return err
		}
	}
	return nil
}

// checkReachable reports an error if u cannot search (x permission) every
// parent directory of dir.
func checkReachable(dir string, u osUser) error {
	for d := filepath.Dir(dir); ; d = filepath.Dir(d) {
		info, err := os.Stat(d)
		if err != nil {
			return err
		}
		st, ok := info.Sys().(*syscall.Stat_t)
		if ok && !canSearch(info.Mode().Perm(), int(st.Uid), int(st.Gid), u) {
			return fmt.Errorf("PostgreSQL runs as user %s, which cannot enter directory %s (mode %v); "+
				"allow it (e.g. chmod o+x %s) or use a data directory elsewhere", u.name, d, info.Mode().Perm(), d)
		}
		if d == filepath.Dir(d) {
			return nil
		}
	}
}

func canSearch(perm fs.FileMode, ownerUID, ownerGID int, u osUser) bool {
	if ownerUID == u.uid {
		return perm&0o100 != 0
	}
	for _, g := range u.groups {
		if g == ownerGID {
			return perm&0o010 != 0
		}
	}
	return perm&0o001 != 0
}

// checkNotRunning returns an error if the postmaster.pid file in dataDir
// names a live PostgreSQL process. It removes the file if it names a process
// that is not PostgreSQL (the pid was reused after a crash), which the
// server would otherwise refuse.
func checkNotRunning(dataDir string) error {
	pidFile := filepath.Join(dataDir, "postmaster.pid")
	data, err := os.ReadFile(pidFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	firstLine, _, _ := strings.Cut(string(data), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(firstLine))
	if err != nil || pid <= 0 {
		// Unreadable: let the server deal with it.
		return nil
	}
	err = syscall.Kill(pid, 0)
	if errors.Is(err, syscall.ESRCH) {
		// Stale; the server replaces it.
		return nil
	}
	// The process exists. On Linux, check that it is PostgreSQL.
	comm, readErr := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
	if readErr == nil && !strings.HasPrefix(strings.TrimSpace(string(comm)), "postgres") && !strings.HasPrefix(strings.TrimSpace(string(comm)), "postmaster") {
		if err := os.Remove(pidFile); err != nil {
			return fmt.Errorf("remove stale %s: %w", pidFile, err)
		}
		return nil
	}
	return fmt.Errorf("a PostgreSQL server is already running on this data directory (pid %d); stop it first", pid)
}

// DataDirReachable reports an error if PostgreSQL, run as the user
// StartPostgres would run it as, could not enter the folders above dataDir
// that exist already (as root, a checkout under /root is such a case).
func DataDirReachable(dataDir string) error {
	runAs, err := postgresRunAs()
	if err != nil || !runAs.switchTo {
		return err
	}
	dir, err := filepath.Abs(dataDir)
	if err != nil {
		return err
	}
	for {
		if _, err := os.Stat(dir); err == nil {
			return checkReachable(filepath.Join(dir, "x"), runAs)
		}
		if dir == filepath.Dir(dir) {
			return nil
		}
		dir = filepath.Dir(dir)
	}
}
