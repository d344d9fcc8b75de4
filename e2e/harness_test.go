package e2e_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/devenv"
	"github.com/lindungi/lindungi/devenv/devtest"
	"github.com/lindungi/lindungi/identity"
	"github.com/lindungi/lindungi/postgres"
	"github.com/lindungi/lindungi/server"
	"github.com/lindungi/lindungi/workflows"
)

var binary string

// httpClient gives up on an answer after 30 s, so that a hung request fails
// its test instead of the whole run.
var httpClient = &http.Client{Timeout: 30 * time.Second}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "lindungi-e2e-bin")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "lindungi")
	build := exec.Command("go", "build", "-o", binary, "../cmd/lindungi")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: build lindungi:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	devtest.AtCleanup(func() { os.RemoveAll(dir) })
	devtest.TemporalSearchAttributes = workflows.SearchAttributes
	devtest.Main(m)
}

// system is one Lindungi installation: a database, a task queue on the
// shared Temporal dev server, and serve and worker processes.
type system struct {
	t       *testing.T
	env     []string
	db      *postgres.DB
	dev     *identity.Dev
	baseURL string
	router  routers.Router
	serve   *exec.Cmd
	worker  *exec.Cmd
	logDir  string
}

// startSystem migrates a fresh database and starts the API and the worker.
// Each extra "NAME=value" overrides the environment they run with.
func startSystem(t *testing.T, extraEnv ...string) *system {
	t.Helper()
	return startSystemVia(t, nil, extraEnv...)
}

// startSystemVia is startSystem with the API and the worker reaching the
// database at via(dsn) instead of dsn (nil for dsn itself); the test's own
// connection (s.db) reaches it directly.
func startSystemVia(t *testing.T, via func(dsn string) string, extraEnv ...string) *system {
	t.Helper()
	ctx := context.Background()
	dsn := devtest.Database(t)
	temporal := devtest.Temporal(t)
	port, err := devenv.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	s := &system{t: t, logDir: dir, baseURL: fmt.Sprintf("http://127.0.0.1:%d", port)}
	s.env = append(os.Environ(),
		"TEMPORAL_ADDRESS="+temporal,
		"LINDUNGI_TASK_QUEUE=e2e-"+strings.ReplaceAll(strings.ToLower(t.Name()), "/", "-"),
		"LINDUNGI_ADDR="+fmt.Sprintf("127.0.0.1:%d", port),
		"LINDUNGI_DATA="+dir,
		"LINDUNGI_DEV_KEY_FILE="+filepath.Join(dir, "dev.key"),
		"LINDUNGI_RECONCILE_INTERVAL=1s",
		"LINDUNGI_LOG_LEVEL=warn",
	)
	s.env = append(s.env, extraEnv...)
	// Migrations run as the owner of the tables; everything else as the
	// application's role, as in production (README, "Database roles").
	migrate := s.command("migrate")
	migrate.Env = append(migrate.Env, "DATABASE_URL="+dsn)
	if out, err := migrate.CombinedOutput(); err != nil {
		t.Fatalf("lindungi migrate: %v\n%s", err, out)
	}
	appDSN, err := devenv.AppLogin(ctx, dsn, "lindungi_e2e_app")
	if err != nil {
		t.Fatal(err)
	}
	if via != nil {
		appDSN = via(appDSN)
	}
	s.env = append(s.env, "DATABASE_URL="+appDSN)
	if s.db, err = postgres.Open(ctx, dsn); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.db.Close() })
	if s.dev, err = identity.LoadOrCreateDev(filepath.Join(dir, "dev.key")); err != nil {
		t.Fatal(err)
	}
	s.router = openAPIRouter(t, s.baseURL)
	s.startWorker()
	s.startServe()
	return s
}

func (s *system) command(args ...string) *exec.Cmd {
	cmd := exec.Command(binary, args...)
	cmd.Env = s.env
	return cmd
}

// start runs a long-lived subcommand, logging to a file in the test's folder.
func (s *system) start(name string) *exec.Cmd { return s.startAs(name, name) }

// startAs runs subcommand, logging to name.log in the test's folder.
func (s *system) startAs(name, subcommand string) *exec.Cmd {
	s.t.Helper()
	log, err := os.OpenFile(filepath.Join(s.logDir, name+".log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		s.t.Fatal(err)
	}
	cmd := s.command(subcommand)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	s.t.Cleanup(func() {
		stop(cmd)
		log.Close()
		if s.t.Failed() {
			b, _ := os.ReadFile(log.Name())
			s.t.Logf("%s log:\n%s", name, b)
		}
	})
	return cmd
}

func stop(cmd *exec.Cmd) {
	if cmd.ProcessState != nil || cmd.Process == nil {
		return
	}
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		cmd.Process.Kill()
		<-done
	}
}

func (s *system) startWorker() { s.worker = s.start("worker") }

func (s *system) startServe() {
	s.serve = s.start("serve")
	s.waitReady()
}

// waitReady waits for the API to answer /readyz with 200.
func (s *system) waitReady() {
	s.t.Helper()
	eventually(s.t, "the API to be ready", func() bool {
		resp, err := http.Get(s.baseURL + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
}

// eventually waits up to 60 s for cond, which the system reaches through
// asynchronous work (a workflow task, a reconciler tick). It is a bound on
// waiting, not a speed assertion.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// user is a caller with a development token.
type user struct {
	s     *system
	token string
	p     lindungi.Principal
}

func (s *system) user(sub, unit string, roles ...string) user {
	p := lindungi.Principal{Subject: sub, Unit: unit, Roles: roles}
	tok, err := s.dev.Sign(p, time.Hour)
	if err != nil {
		s.t.Fatal(err)
	}
	return user{s: s, token: tok, p: p}
}

// response is an answer of the API, already checked against the OpenAPI document.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r response) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// problem decodes a problem+json answer.
func (r response) problem(t *testing.T) problemDoc {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type = %q, want application/problem+json; body %s", ct, r.Body)
	}
	var p problemDoc
	r.decode(t, &p)
	return p
}

type problemDoc struct {
	Type   string                `json:"type"`
	Status int                   `json:"status"`
	Detail string                `json:"detail"`
	Errors []lindungi.FieldError `json:"errors"`
}

func (p problemDoc) fields() []string {
	var fs []string
	for _, e := range p.Errors {
		fs = append(fs, e.Field)
	}
	return fs
}

// do sends a request as u (no token when u.token is empty), validating the
// request and the response against the OpenAPI document.
func (u user) do(method, path string, body any, headers ...string) response {
	t := u.s.t
	t.Helper()
	var raw []byte
	switch b := body.(type) {
	case nil:
	case string:
		raw = []byte(b)
	default:
		var err error
		if raw, err = json.Marshal(b); err != nil {
			t.Fatal(err)
		}
	}
	req, err := http.NewRequest(method, u.s.baseURL+path, bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if u.token != "" {
		req.Header.Set("Authorization", "Bearer "+u.token)
	}
	r := send(t, req, headers...)
	u.s.checkContract(req, raw, r.http, r.Body)
	return r.response
}

// sent is a response with the HTTP response it was read from.
type sent struct {
	response
	http *http.Response
}

// send sets headers (name, value, ...) on req, sends it and reads the
// answer whole.
func send(t *testing.T, req *http.Request, headers ...string) sent {
	t.Helper()
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return sent{response{Status: resp.StatusCode, Header: resp.Header, Body: got}, resp}
}

// checkContract validates a request/response pair against the OpenAPI
// document. Requests the test makes invalid on purpose are checked only for
// their response.
func (s *system) checkContract(req *http.Request, reqBody []byte, resp *http.Response, respBody []byte) {
	t := s.t
	t.Helper()
	route, params, err := s.router.FindRoute(req)
	if err != nil {
		if resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusMethodNotAllowed {
			return // an endpoint that does not exist: nothing to check against
		}
		t.Errorf("OpenAPI: %s %s is not documented: %v", req.Method, req.URL.Path, err)
		return
	}
	req.Body = io.NopCloser(bytes.NewReader(reqBody))
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
	// What the server accepted, the document must accept too. Requests made
	// invalid on purpose are checked only for their answer.
	if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil && resp.StatusCode < 300 {
		t.Errorf("OpenAPI: the server accepted %s %s but the document does not: %v", req.Method, req.URL.Path, err)
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: resp.StatusCode, Header: resp.Header,
		Options: &openapi3filter.Options{IncludeResponseStatus: true}}
	out.SetBodyBytes(respBody)
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		t.Errorf("OpenAPI: response to %s %s (%d) does not match the document: %v\nbody: %s", req.Method, req.URL.Path, resp.StatusCode, err, respBody)
	}
}

func openAPIRouter(t *testing.T, baseURL string) routers.Router {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(server.OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("openapi.yaml is not valid: %v", err)
	}
	doc.Servers = openapi3.Servers{{URL: baseURL}}
	r, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
