package devenv

import (
	"context"
	"fmt"
	"io"
	"maps"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// TemporalOptions configures StartTemporal.
type TemporalOptions struct {
	// Bin is the temporal CLI; "" means the result of TemporalCLI.
	Bin string
	// DBFile is the SQLite file that keeps the server's state, so that a
	// restart keeps running workflows; "" keeps the state in memory.
	DBFile string
	// Port is the frontend gRPC port on 127.0.0.1; 0 picks a free port.
	Port int
	// UIPort is the Web UI port; 0 picks a free port. Unused when Headless.
	UIPort int
	// Headless disables the Web UI.
	Headless bool
	// Namespace is created at start; "" means "default".
	Namespace string
	// SearchAttributes maps names to types (Keyword, Text, Int, Double,
	// Bool, Datetime, KeywordList) of custom search attributes registered in
	// Namespace.
	SearchAttributes map[string]string
	// UICodecEndpoint is the remote codec the Web UI decodes payloads
	// with, such as http://127.0.0.1:8080/codec; "" for none.
	UICodecEndpoint string
	// Log receives the server's output; nil discards it.
	Log io.Writer
}

// Temporal is a Temporal dev server started by StartTemporal.
type Temporal struct {
	Address   string // frontend gRPC address, 127.0.0.1:PORT
	UIURL     string // http://127.0.0.1:UIPORT, "" when headless
	Namespace string

	bin  string
	proc *process
}

const (
	temporalStartTimeout = 90 * time.Second
	temporalStopTimeout  = 20 * time.Second
)

// StartTemporal runs `temporal server start-dev` as a child process in its
// own process group and waits until the frontend answers a health check.
//
// The server runs until Stop is called; ctx bounds only the start-up (and
// the build of the CLI when opts.Bin is "" and it is not built yet).
func StartTemporal(ctx context.Context, opts TemporalOptions) (*Temporal, error) {
	bin := opts.Bin
	if bin == "" {
		var err error
		if bin, err = TemporalCLI(ctx, opts.Log); err != nil {
			return nil, fmt.Errorf("start Temporal: %w", err)
		}
	}
	namespace := opts.Namespace
	if namespace == "" {
		namespace = "default"
	}
	port := opts.Port
	if port == 0 {
		var err error
		if port, err = FreePort(); err != nil {
			return nil, fmt.Errorf("start Temporal: %w", err)
		}
	}

	args := []string{"server", "start-dev",
		"--ip", "127.0.0.1",
		"--port", strconv.Itoa(port),
	}
	uiURL := ""
	if opts.Headless {
		args = append(args, "--headless")
	} else {
		uiPort := opts.UIPort
		if uiPort == 0 {
			var err error
			if uiPort, err = FreePort(); err != nil {
				return nil, fmt.Errorf("start Temporal: %w", err)
			}
		}
		args = append(args, "--ui-port", strconv.Itoa(uiPort))
		uiURL = "http://127.0.0.1:" + strconv.Itoa(uiPort)
	}
	dbFileExisted := false
	if opts.DBFile != "" {
		dbFile, err := filepath.Abs(opts.DBFile)
		if err != nil {
			return nil, fmt.Errorf("start Temporal: %w", err)
		}
		if err := os.MkdirAll(filepath.Dir(dbFile), 0o755); err != nil {
			return nil, fmt.Errorf("start Temporal: %w", err)
		}
		args = append(args, "--db-filename", dbFile)
		_, err = os.Stat(dbFile)
		dbFileExisted = err == nil
	}
	// The "default" namespace is always created; it need not be named.
	if namespace != "default" {
		args = append(args, "--namespace", namespace)
	}
	args = append(args, "--log-level", "warn")
	if opts.UICodecEndpoint != "" && !opts.Headless {
		args = append(args, "--ui-codec-endpoint", opts.UICodecEndpoint)
	}
	for _, name := range slices.Sorted(maps.Keys(opts.SearchAttributes)) {
		args = append(args, "--search-attribute", name+"="+opts.SearchAttributes[name])
	}

	cmd := exec.Command(bin, args...)
	cmd.Env = temporalEnv()
	proc, err := startProcess("Temporal dev server", cmd, opts.Log)
	if err != nil {
		return nil, err
	}
	t := &Temporal{
		Address:   "127.0.0.1:" + strconv.Itoa(port),
		UIURL:     uiURL,
		Namespace: namespace,
		bin:       bin,
		proc:      proc,
	}
	if err := t.waitReady(ctx); err != nil {
		_ = t.Stop()
		return nil, fmt.Errorf("start Temporal: %w", err)
	}
	// start-dev registers search attributes only when it creates the
	// namespace, which happens once per DB file. Register the ones added
	// since then.
	if dbFileExisted && len(opts.SearchAttributes) > 0 {
		if err := t.addSearchAttributes(ctx, opts.SearchAttributes); err != nil {
			_ = t.Stop()
			return nil, fmt.Errorf("start Temporal: %w", err)
		}
	}
	return t, nil
}

// Stop shuts the server down: SIGINT, then SIGKILL to its process group if
// it has not exited within 20 seconds. Calling Stop again returns the same
// result.
func (t *Temporal) Stop() error {
	return t.proc.stop(temporalStopTimeout)
}

// waitReady waits until the frontend port accepts TCP connections and then
// until `temporal operator cluster health` succeeds.
func (t *Temporal) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, temporalStartTimeout)
	defer cancel()
	var lastErr error
	for {
		if t.proc.exited() {
			return t.proc.exitError()
		}
		lastErr = t.checkHealth(ctx)
		if lastErr == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("server did not become healthy on %s: %v (last error: %v)\n%s",
				t.Address, ctx.Err(), lastErr, t.proc.out.lastLines(20))
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func (t *Temporal) checkHealth(ctx context.Context) error {
	conn, err := net.DialTimeout("tcp", t.Address, time.Second)
	if err != nil {
		return err
	}
	conn.Close()

	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return t.runCLI(ctx, "operator", "cluster", "health")
}

func (t *Temporal) addSearchAttributes(ctx context.Context, attrs map[string]string) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	args := []string{"operator", "search-attribute", "create", "--namespace", t.Namespace}
	for _, name := range slices.Sorted(maps.Keys(attrs)) {
		args = append(args, "--name", name, "--type", attrs[name])
	}
	if err := t.runCLI(ctx, args...); err != nil {
		return fmt.Errorf("register search attributes: %w", err)
	}
	return nil
}

// runCLI runs a temporal CLI client command against this server.
func (t *Temporal) runCLI(ctx context.Context, args ...string) error {
	// Ignore the user's CLI config file, which may point at another server
	// with TLS or an API key.
	args = append(args, "--address", t.Address, "--disable-config-file", "--color", "never")
	cmd := exec.CommandContext(ctx, t.bin, args...)
	cmd.Env = temporalEnv()
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("temporal %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// temporalEnv returns the environment without TEMPORAL_* variables, which
// configure the CLI for some other server.
func temporalEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TEMPORAL_") {
			env = append(env, kv)
		}
	}
	return env
}
