package fault_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "github.com/lib/pq"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"

	"github.com/lindungi/lindungi/devenv"
	"github.com/lindungi/lindungi/workflows"
)

// system is one installation in the production shape: PostgreSQL, a
// Temporal dev server with its state in a file, and the serve and worker
// processes of the binary, each a separate process the suite can kill,
// freeze and restart.
type system struct {
	t   *testing.T
	dir string // logs, keys, data; kept when the test fails

	pgData string
	pgPort int
	pgMu   sync.Mutex
	pg     *devenv.Postgres
	dsn    string

	temporalBin  string
	temporalPort int
	temporalDB   string
	temporal     *proc

	apiAddr string
	baseURL string
	env     []string

	mu       sync.Mutex
	serve    *proc
	worker   *proc
	stopping bool
	exits    []string // unexpected exits of serve and worker

	db *sql.DB           // the suite's own connection, for the checks
	tc client.Client     // the suite's own Temporal client, for the checks
	ts map[string]string // bearer tokens by user name
}

// proc is a long-running child process.
type proc struct {
	name   string
	cmd    *exec.Cmd
	done   chan struct{}
	killed bool // by the suite, on purpose
}

func (p *proc) pid() int { return p.cmd.Process.Pid }

func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// liveSystem is the system of the running test, for the signal handler.
var (
	liveMu     sync.Mutex
	liveSystem *system
)

// startSystem starts PostgreSQL and Temporal, migrates, and starts the
// worker and the API.
func startSystem(t *testing.T, sz size) *system {
	t.Helper()
	dir, err := os.MkdirTemp("", "lindungi-fault-")
	if err != nil {
		t.Fatal(err)
	}
	// As root, PostgreSQL runs as the postgres user, which must enter dir.
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	s := &system{t: t, dir: dir, pgData: filepath.Join(dir, "postgres"), temporalDB: filepath.Join(dir, "temporal.db")}
	liveMu.Lock()
	liveSystem = s
	liveMu.Unlock()
	t.Cleanup(func() {
		s.shutdown()
		liveMu.Lock()
		liveSystem = nil
		liveMu.Unlock()
		if t.Failed() {
			t.Logf("logs kept in %s", dir)
			return
		}
		os.RemoveAll(dir)
	})
	t.Logf("system folder: %s", dir)

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if s.pgPort, err = devenv.FreePort(); err != nil {
		t.Fatal(err)
	}
	if err := s.startPostgres(ctx); err != nil {
		t.Fatal(err)
	}
	s.dsn = s.pg.DSN
	if s.db, err = sql.Open("postgres", s.dsn); err != nil {
		t.Fatal(err)
	}
	// The throwaway server skips fsync, which a killed process does not
	// need (the operating system keeps what was written), but also waits
	// for no WAL flush at commit, which would lose the last commits to
	// kill -9 and be reported as lost writes. Commits wait for the WAL.
	if _, err := s.db.ExecContext(ctx, `ALTER DATABASE lindungi SET synchronous_commit = on`); err != nil {
		t.Fatal(err)
	}

	if s.temporalBin, err = devenv.TemporalCLI(ctx, os.Stderr); err != nil {
		t.Fatal(err)
	}
	if s.temporalPort, err = devenv.FreePort(); err != nil {
		t.Fatal(err)
	}
	if err := s.startTemporal(ctx); err != nil {
		t.Fatal(err)
	}

	port, err := devenv.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	s.apiAddr = "127.0.0.1:" + strconv.Itoa(port)
	s.baseURL = "http://" + s.apiAddr
	s.env = append(os.Environ(),
		"LINDUNGI_ENV=development",
		"DATABASE_URL="+s.dsn,
		"TEMPORAL_ADDRESS="+s.temporalAddr(),
		"TEMPORAL_NAMESPACE=default",
		"LINDUNGI_TASK_QUEUE=fault",
		"LINDUNGI_ADDR="+s.apiAddr,
		"LINDUNGI_DATA="+dir,
		"LINDUNGI_DEV_KEY_FILE="+filepath.Join(dir, "dev.key"),
		"LINDUNGI_RECONCILE_INTERVAL="+sz.Reconcile.String(),
		"LINDUNGI_LOG_LEVEL=warn",
		"LINDUNGI_LOG_FORMAT=text",
	)
	if out, err := s.command("migrate").CombinedOutput(); err != nil {
		t.Fatalf("lindungi migrate: %v\n%s", err, out)
	}
	// The API and the worker connect as the application's role, as in
	// production; the test's own connection stays the owner's.
	appDSN, err := devenv.AppLogin(ctx, s.dsn, "lindungi_fault_app")
	if err != nil {
		t.Fatal(err)
	}
	s.env = append(s.env, "DATABASE_URL="+appDSN)
	s.ts = map[string]string{}
	for name, u := range users {
		out, err := s.command("token", "--sub", u.sub, "--unit", u.unit, "--role", u.role, "--ttl", "6h").Output()
		if err != nil {
			t.Fatalf("lindungi token %s: %v", name, err)
		}
		s.ts[name] = strings.TrimSpace(string(out))
	}
	s.mu.Lock()
	s.worker = s.startProc("worker")
	s.serve = s.startProc("serve")
	s.mu.Unlock()
	if _, err := s.waitReady(context.Background(), 60*time.Second); err != nil {
		t.Fatalf("the API did not become ready: %v", err)
	}
	return s
}

// users are the callers of the suite, by the name the load uses.
var users = map[string]struct{ sub, unit, role string }{
	"caseworker-3305":        {"caseworker-3305", "3305", "caseworker"},
	"verifier-3305":          {"verifier-3305", "3305", "verifier"},
	"supervisor-3305":        {"supervisor-3305", "3305", "supervisor"},
	"caseworker-3329":        {"caseworker-3329", "3329", "caseworker"},
	"supervisor-3329":        {"supervisor-3329", "3329", "supervisor"},
	"province-supervisor-33": {"province-supervisor-33", "33", "province_supervisor"},
	"auditor-ID":             {"auditor-ID", "ID", "auditor"},
	// A token for a unit that does not exist, which the API refuses.
	"caseworker-9999": {"caseworker-9999", "9999", "caseworker"},
}

func (s *system) temporalAddr() string { return "127.0.0.1:" + strconv.Itoa(s.temporalPort) }

func (s *system) command(args ...string) *exec.Cmd {
	cmd := exec.Command(binary, args...)
	cmd.Env = s.env
	return cmd
}

// startProc starts `lindungi name` with its output appended to name.log,
// and restarts it, as a process supervisor would, when it exits without
// being told to. The caller holds s.mu.
func (s *system) startProc(name string) *proc {
	log, err := os.OpenFile(filepath.Join(s.dir, name+".log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		s.t.Fatal(err)
	}
	cmd := s.command(name)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	p := &proc{name: name, cmd: cmd, done: make(chan struct{})}
	go func() {
		err := cmd.Wait()
		log.Close()
		close(p.done)
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.stopping || p.killed {
			return
		}
		s.exits = append(s.exits, fmt.Sprintf("%s %s exited by itself: %v", time.Now().Format("15:04:05.000"), name, err))
		time.AfterFunc(time.Second, func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			if s.stopping {
				return
			}
			np := s.startProc(name)
			if name == "serve" {
				s.serve = np
			} else {
				s.worker = np
			}
		})
	}()
	return p
}

// kill9 sends SIGKILL to a serve or worker process and waits for its end.
func (s *system) kill9(name string) {
	s.mu.Lock()
	p := s.serve
	if name == "worker" {
		p = s.worker
	}
	p.killed = true
	s.mu.Unlock()
	syscall.Kill(-p.pid(), syscall.SIGKILL)
	<-p.done
}

// restart starts a serve or worker process again.
func (s *system) restart(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if name == "serve" {
		s.serve = s.startProc(name)
	} else {
		s.worker = s.startProc(name)
	}
}

// waitReady polls /readyz (each call bounded by 1 s) until it answers 200.
func (s *system) waitReady(ctx context.Context, within time.Duration) (time.Duration, error) {
	start := time.Now()
	hc := &http.Client{Timeout: time.Second}
	for {
		resp, err := hc.Get(s.baseURL + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Since(start), nil
			}
		}
		if time.Since(start) > within {
			return time.Since(start), fmt.Errorf("/readyz not 200 within %s (last: %v)", within, err)
		}
		select {
		case <-ctx.Done():
			return time.Since(start), ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// PostgreSQL.

func (s *system) startPostgres(ctx context.Context) error {
	log, err := os.OpenFile(filepath.Join(s.dir, "postgres.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	// fsync off: a killed server loses nothing the operating system holds,
	// and the suite does not crash the machine.
	pg, err := devenv.StartPostgres(ctx, devenv.PostgresOptions{DataDir: s.pgData, Port: s.pgPort, Database: "lindungi",
		Log: log, Throwaway: true})
	if err != nil {
		return err
	}
	s.pgMu.Lock()
	s.pg = pg
	s.pgMu.Unlock()
	return nil
}

// postmaster returns the pid of the running postmaster, which leads the
// process group of every backend.
func (s *system) postmaster() (int, error) {
	b, err := os.ReadFile(filepath.Join(s.pgData, "postmaster.pid"))
	if err != nil {
		return 0, err
	}
	line, _, _ := strings.Cut(string(b), "\n")
	return strconv.Atoi(strings.TrimSpace(line))
}

// signalPostgres sends sig to the postmaster and every process it forked.
// Each child of the postmaster starts its own session (setsid), so a
// signal to the postmaster's process group reaches the postmaster alone:
// the suite stops the postmaster first, so that it forks no more, then
// signals its children, then the postmaster.
func (s *system) signalPostgres(sig syscall.Signal) error {
	pid, err := s.postmaster()
	if err != nil {
		return err
	}
	if sig != syscall.SIGCONT {
		if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
			return err
		}
	}
	for _, child := range children(pid) {
		_ = syscall.Kill(child, sig) // it may have exited meanwhile
	}
	return syscall.Kill(pid, sig)
}

// children returns the pids of the processes whose parent is pid.
func children(pid int) []int {
	var out []int
	dirs, _ := os.ReadDir("/proc")
	for _, d := range dirs {
		child, err := strconv.Atoi(d.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile("/proc/" + d.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...; comm may hold spaces and parentheses.
		fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
		if len(fields) > 1 && fields[1] == strconv.Itoa(pid) {
			out = append(out, child)
		}
	}
	return out
}

func (s *system) killPostgres() error {
	if err := s.signalPostgres(syscall.SIGKILL); err != nil {
		return err
	}
	s.pgMu.Lock()
	pg := s.pg
	s.pgMu.Unlock()
	_ = pg.Stop() // reaps it; it reports the kill
	return nil
}

// Temporal.

func (s *system) startTemporal(ctx context.Context) error {
	args := []string{"server", "start-dev", "--ip", "127.0.0.1", "--port", strconv.Itoa(s.temporalPort), "--headless",
		"--db-filename", s.temporalDB, "--log-level", "warn"}
	for _, name := range slices.Sorted(maps.Keys(workflows.SearchAttributes)) {
		args = append(args, "--search-attribute", name+"="+workflows.SearchAttributes[name])
	}
	log, err := os.OpenFile(filepath.Join(s.dir, "temporal.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	cmd := exec.Command(s.temporalBin, args...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TEMPORAL_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return err
	}
	p := &proc{name: "temporal", cmd: cmd, done: make(chan struct{})}
	go func() { cmd.Wait(); log.Close(); close(p.done) }()
	s.temporal = p
	deadline := time.Now().Add(90 * time.Second)
	for {
		if p.exited() {
			return errors.New("the Temporal dev server exited at start; see temporal.log")
		}
		if c, err := net.DialTimeout("tcp", s.temporalAddr(), time.Second); err == nil {
			c.Close()
			if s.tc == nil {
				// The suite's own client, made once the server answers.
				tc, err := client.Dial(client.Options{HostPort: s.temporalAddr(), Namespace: "default",
					Logger: sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler))})
				if err == nil {
					s.tc = tc
				}
			}
			if s.tc != nil {
				hctx, cancel := context.WithTimeout(ctx, 2*time.Second)
				_, err := s.tc.CheckHealth(hctx, &client.CheckHealthRequest{})
				cancel()
				if err == nil {
					return nil
				}
			}
		}
		if time.Now().After(deadline) {
			return errors.New("the Temporal dev server did not become healthy within 90 s")
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func (s *system) killTemporal() {
	p := s.temporal
	syscall.Kill(-p.pid(), syscall.SIGKILL)
	<-p.done
}

func (s *system) signalTemporal(sig syscall.Signal) error {
	return syscall.Kill(-s.temporal.pid(), sig)
}

// shutdown wakes anything frozen and stops every process, newest first.
func (s *system) shutdown() {
	s.mu.Lock()
	s.stopping = true
	procs := []*proc{s.serve, s.worker}
	s.mu.Unlock()
	_ = s.signalPostgres(syscall.SIGCONT)
	if s.temporal != nil {
		_ = s.signalTemporal(syscall.SIGCONT)
	}
	for _, p := range procs {
		if p == nil || p.exited() {
			continue
		}
		syscall.Kill(-p.pid(), syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(10 * time.Second):
			syscall.Kill(-p.pid(), syscall.SIGKILL)
			<-p.done
		}
	}
	if s.tc != nil {
		s.tc.Close()
	}
	if s.db != nil {
		s.db.Close()
	}
	if s.temporal != nil && !s.temporal.exited() {
		syscall.Kill(-s.temporal.pid(), syscall.SIGINT)
		select {
		case <-s.temporal.done:
		case <-time.After(15 * time.Second):
			syscall.Kill(-s.temporal.pid(), syscall.SIGKILL)
			<-s.temporal.done
		}
	}
	s.pgMu.Lock()
	pg := s.pg
	s.pgMu.Unlock()
	if pg != nil {
		_ = pg.Stop()
	}
}
