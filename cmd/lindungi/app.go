package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/activities"
	"github.com/lindungi/lindungi/app"
	"github.com/lindungi/lindungi/devenv"
	"github.com/lindungi/lindungi/identity"
	"github.com/lindungi/lindungi/payloadcodec"
	"github.com/lindungi/lindungi/policies"
	"github.com/lindungi/lindungi/postgres"
	"github.com/lindungi/lindungi/server"
	"github.com/lindungi/lindungi/workflowclient"
	"github.com/lindungi/lindungi/workflows"
	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
	"golang.org/x/sync/errgroup"
)

func newLogger(cfg Config, w io.Writer) *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
		level = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func openDB(ctx context.Context, cfg Config) (*postgres.DB, error) {
	if cfg.DatabaseURL == "" {
		return nil, errors.New("DATABASE_URL is not set (lindungi dev starts a local database for you)")
	}
	return postgres.Open(ctx, cfg.DatabaseURL)
}

func dialTemporal(ctx context.Context, cfg Config, logger *slog.Logger) (client.Client, error) {
	if cfg.TemporalAddress == "" {
		return nil, errors.New("TEMPORAL_ADDRESS is not set (lindungi dev starts a Temporal dev server for you)")
	}
	codec, err := payloadCodec(cfg)
	if err != nil {
		return nil, err
	}
	c, err := client.DialContext(ctx, client.Options{
		HostPort:         cfg.TemporalAddress,
		Namespace:        cfg.TemporalNS,
		Logger:           tlog.NewStructuredLogger(logger.With("component", "temporal")),
		DataConverter:    payloadcodec.DataConverter(codec),
		FailureConverter: payloadcodec.FailureConverter(codec),
	})
	if err != nil {
		return nil, fmt.Errorf("connect to Temporal at %s: %w", cfg.TemporalAddress, err)
	}
	return c, nil
}

// payloadCodec is the codec of every Temporal payload: notes can carry
// personal data, so all are encrypted. The key file may hold several keys,
// the first sealing (payloadcodec.LoadKeys). In production it must exist;
// in development it is made once.
func payloadCodec(cfg Config) (*payloadcodec.Codec, error) {
	keys, err := payloadcodec.LoadKeys(cfg.payloadKeyPath(), cfg.Env != "production")
	if err != nil {
		return nil, fmt.Errorf("Temporal payload key (LINDUNGI_PAYLOAD_KEY_FILE): %w", err)
	}
	return payloadcodec.New(keys...)
}

// verifier returns the token verifier of this configuration: the external
// OpenID Connect issuer when one is set; otherwise, in development only, the
// development key. Production refuses to start without an issuer.
func verifier(ctx context.Context, cfg Config) (identity.Verifier, error) {
	if cfg.OIDCIssuer != "" {
		return identity.NewOIDC(ctx, identity.OIDCConfig{IssuerURL: cfg.OIDCIssuer, Audience: cfg.OIDCAudience,
			SubjectClaim: cfg.OIDCSubjectClaim, UnitClaim: cfg.OIDCUnitClaim, RolesClaim: cfg.OIDCRolesClaim})
	}
	if cfg.Env == "production" {
		return nil, errors.New("LINDUNGI_ENV=production needs LINDUNGI_OIDC_ISSUER and LINDUNGI_OIDC_AUDIENCE; development tokens are refused in production")
	}
	return identity.LoadOrCreateDev(cfg.devKeyPath())
}

// subscribe returns the subscription to policy changes of db.
func subscribe(db *postgres.DB, logger *slog.Logger) func() (policies.Changes, error) {
	return func() (policies.Changes, error) {
		w, err := db.NewWatcher(logger)
		if err != nil {
			return nil, err
		}
		return w, nil
	}
}

// app wires the application services on the database, Temporal and
// the policies.
func (svc *services) app(cfg Config, logger *slog.Logger) appServices {
	db, ps := svc.db, svc.ps
	flows := workflowClient(cfg, svc.tc)
	access := &app.Access{Authorizer: ps.Authorizer, Delegations: db}
	units := app.Units(ps.Units)
	cases := &app.Cases{Store: db, Notes: db, Tasks: db, Workers: db, Users: db, Flows: flows, Router: ps.Router, Access: access, Units: units, Wake: db, Logger: logger}
	journeys := &app.Journeys{Store: db, Flows: flows, Access: access, Units: units, Wake: db, Logger: logger}
	return appServices{
		access:      access,
		journeys:    journeys,
		workers:     &app.Workers{Store: db, Access: access},
		tasks:       &app.Tasks{Store: db, Users: db, Flows: flows, Access: access, Units: units},
		cases:       cases,
		documents:   &app.Documents{Store: db, Workers: db, Access: access},
		delegations: &app.Delegations{Store: db, Workers: db, Access: access, Units: units},
		holidays:    &app.Holidays{Store: db, Access: access, Units: units},
		stats:       &app.Stats{Store: db, Access: access, Units: units},
		policies: &app.Policies{Store: db, Access: access, Units: units, Governed: server.Governed(),
			Reload: ps.Reload, Logger: logger},
		reconciler: &app.Reconciler{Backlog: backlog{db}, Journeys: journeys, Cases: cases, Grace: 10 * time.Second, Logger: logger},
	}
}

// appServices are the application services of one process.
type appServices struct {
	access      *app.Access
	journeys    *app.Journeys
	workers     *app.Workers
	tasks       *app.Tasks
	cases       *app.Cases
	documents   *app.Documents
	delegations *app.Delegations
	holidays    *app.Holidays
	policies    *app.Policies
	stats       *app.Stats
	reconciler  *app.Reconciler
}

// backlog is the database as the reconciler reads it.
type backlog struct{ *postgres.DB }

func (b backlog) WorkersWithoutJourney(ctx context.Context, olderThan time.Time, limit int) ([]app.JourneyStart, error) {
	rows, err := b.DB.WorkersWithoutJourney(ctx, olderThan, limit)
	out := make([]app.JourneyStart, len(rows))
	for i, r := range rows {
		out[i] = app.JourneyStart{WorkerID: r.WorkerID, DomicileUnit: r.DomicileUnit, Scheme: lindungi.Scheme(r.Scheme), Entry: lindungi.Step(r.Entry)}
	}
	return out, err
}

// newServer wires the API.
func newServer(ctx context.Context, cfg Config, svc *services, logger *slog.Logger) (*server.Server, error) {
	auditKey, err := loadAuditKey(cfg)
	if err != nil {
		return nil, err
	}
	v, err := verifier(ctx, cfg)
	if err != nil {
		return nil, err
	}
	a := svc.app(cfg, logger)
	pg, err := pages(ctx, cfg, v, svc.db, logger)
	if err != nil {
		return nil, err
	}
	codec, err := payloadCodec(cfg)
	if err != nil {
		return nil, err
	}
	auditKeys, err := cfg.auditKeys(auditKey)
	if err != nil {
		return nil, err
	}
	return server.New(server.Deps{
		Codec:         codec,
		CodecOrigins:  cfg.codecOrigins(),
		Access:        a.access,
		Journeys:      a.journeys,
		Workers:       a.workers,
		Tasks:         a.tasks,
		Cases:         a.cases,
		Documents:     a.documents,
		Delegations:   a.delegations,
		Holidays:      a.holidays,
		Policies:      a.policies,
		Auditing:      &app.Audit{Store: svc.db, Workers: svc.db, Access: a.access, Units: svc.ps.Units, Key: auditKey, Keys: auditKeys},
		Stats:         a.stats,
		Reports:       &app.Reports{Store: svc.db, Cases: a.cases, Tasks: a.tasks, Access: a.access, Units: svc.ps.Units},
		Audit:         svc.db,
		Notifications: svc.db,
		Idempotency:   svc.db,
		Users:         svc.db,
		Verifier:      v,
		Units:         svc.ps.Units,
		DatabaseReady: svc.db.Ping,
		TemporalReady: func(ctx context.Context) error {
			_, err := svc.tc.CheckHealth(ctx, &client.CheckHealthRequest{})
			return err
		},
		AuditKey:       auditKey,
		Logger:         logger,
		Pages:          pg,
		RequestTimeout: cfg.duration(cfg.RequestTimeout),
	}), nil
}

// serveHTTP serves h on addr until ctx ends, then drains for up to 10 s.
// It sends the bound address on ready once listening.
func serveHTTP(ctx context.Context, addr string, h http.Handler, logger *slog.Logger, ready chan<- string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 2 * time.Minute}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	logger.Info("API listening", "addr", ln.Addr().String())
	if ready != nil {
		ready <- ln.Addr().String()
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(shutdownCtx)
}

// runWorkerLoop runs the Temporal worker, the audit checkpoints and the
// reconciler until ctx ends.
func runWorkerLoop(ctx context.Context, cfg Config, svc *services, logger *slog.Logger) error {
	deadlines, err := cfg.taskDeadlines()
	if err != nil {
		return err
	}
	auditKey, err := loadAuditKey(cfg)
	if err != nil {
		return err
	}
	// A namespace without the search attributes would fail every journey's
	// workflow tasks: refuse to start. A Temporal that cannot answer now is
	// left to the worker's own retries.
	if err := workflowclient.CheckNamespace(ctx, svc.tc, cfg.namespace()); err != nil {
		if errors.Is(err, workflowclient.ErrNamespaceNotReady) {
			return err
		}
		logger.Warn("cannot check the Temporal namespace's search attributes", "err", err)
	}
	auditKeys, err := cfg.auditKeys(auditKey)
	if err != nil {
		return err
	}
	db := svc.db
	w := worker.New(svc.tc, cfg.TaskQueue, worker.Options{})
	demo, _ := time.ParseDuration(cfg.DemoDeadline)
	workflows.Register(w, &activities.Activities{Store: db, Cases: db, Router: svc.ps.Router, DueDays: deadlines, FixedDeadline: demo,
		Audit: db, AuditKeys: auditKeys})
	if err := w.Start(); err != nil {
		return fmt.Errorf("start Temporal worker: %w", err)
	}
	defer w.Stop()
	logger.Info("Temporal worker started", "task_queue", cfg.TaskQueue, "namespace", cfg.TemporalNS)
	go keepAuditSchedule(ctx, svc.tc, cfg, logger)
	checkpointEvery, _ := time.ParseDuration(cfg.AuditCheckpointInterval)
	go checkpointLoop(ctx, db, auditKey, checkpointEvery, logger)
	r := svc.app(cfg, logger).reconciler
	r.Every, _ = time.ParseDuration(cfg.ReconcileInterval)
	// The API wakes the reconciler when it could not start a workflow; the
	// regular passes remain the safety net.
	if wakes, err := db.ListenWakes(logger); err != nil {
		logger.Warn("the reconciler only polls: cannot listen for wake-ups", "err", err)
	} else {
		defer wakes.Close()
		r.Wake = wakes.C()
	}
	return r.Run(ctx)
}

// services are what serve and worker run on: the database, Temporal, and
// the policies, kept current while their Run runs.
type services struct {
	db     *postgres.DB
	tc     client.Client
	ps     *policies.Set
	closer []func()
}

// connect opens the database and Temporal and loads the policies; close
// undoes it.
func connect(ctx context.Context, cfg Config, logger *slog.Logger) (*services, error) {
	s := &services{}
	var err error
	if s.db, err = openDB(ctx, cfg); err != nil {
		return nil, err
	}
	s.closer = append(s.closer, func() { s.db.Close() })
	if s.tc, err = dialTemporal(ctx, cfg, logger); err != nil {
		s.close()
		return nil, err
	}
	s.closer = append(s.closer, s.tc.Close)
	if s.ps, err = policies.Load(ctx, s.db, subscribe(s.db, logger), logger); err != nil {
		s.close()
		return nil, err
	}
	return s, nil
}

func (s *services) close() {
	for i := len(s.closer) - 1; i >= 0; i-- {
		s.closer[i]()
	}
}

// run runs the policies' Run and each job until ctx ends or one of them
// fails.
func (s *services) run(ctx context.Context, jobs ...func(ctx context.Context) error) error {
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return s.ps.Run(gctx) })
	for _, job := range jobs {
		g.Go(func() error { return job(gctx) })
	}
	return g.Wait()
}

// withServices connects to the services, runs do on them, and closes them.
func withServices(ctx context.Context, cfg Config, logger *slog.Logger, do func(svc *services) error) error {
	svc, err := connect(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer svc.close()
	return do(svc)
}

func runServe(ctx context.Context, args []string, cfg Config, stdout io.Writer) error {
	logger := newLogger(cfg, os.Stderr)
	logger.Info("starting API", "config", cfg)
	return withServices(ctx, cfg, logger, func(svc *services) error {
		srv, err := newServer(ctx, cfg, svc, logger)
		if err != nil {
			return err
		}
		return svc.run(ctx, func(ctx context.Context) error { return serveHTTP(ctx, cfg.Addr, srv, logger, nil) })
	})
}

func runWorker(ctx context.Context, args []string, cfg Config, stdout io.Writer) error {
	logger := newLogger(cfg, os.Stderr)
	logger.Info("starting worker", "config", cfg)
	return withServices(ctx, cfg, logger, func(svc *services) error {
		return svc.run(ctx, func(ctx context.Context) error { return runWorkerLoop(ctx, cfg, svc, logger) })
	})
}

func runMigrate(ctx context.Context, args []string, cfg Config, stdout io.Writer) error {
	if err := migrateThen(ctx, cfg, nil); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "migrations applied; units and holidays loaded")
	if err := prepareTemporal(ctx, cfg); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Temporal namespace %s ready: search attributes registered, retention %s\n", cfg.TemporalNS, cfg.TemporalRetention)
	return nil
}

// namespace is what the workflows need of the configured namespace.
func (c Config) namespace() workflowclient.Namespace {
	return workflowclient.Namespace{Name: c.TemporalNS, SearchAttributes: workflows.SearchAttributes, Retention: c.duration(c.TemporalRetention)}
}

// prepareTemporal registers the workflows' search attributes and sets the
// retention on the namespace (workflowclient.PrepareNamespace), through a
// plain connection: it reads and writes no payload.
func prepareTemporal(ctx context.Context, cfg Config) error {
	if cfg.TemporalAddress == "" {
		return errors.New("TEMPORAL_ADDRESS is not set: `lindungi migrate` registers the workflows' search attributes in Temporal")
	}
	c, err := client.DialContext(ctx, client.Options{HostPort: cfg.TemporalAddress, Namespace: cfg.TemporalNS,
		Logger: tlog.NewStructuredLogger(slog.New(slog.DiscardHandler))})
	if err != nil {
		return fmt.Errorf("connect to Temporal at %s: %w", cfg.TemporalAddress, err)
	}
	defer c.Close()
	return workflowclient.PrepareNamespace(ctx, c, cfg.namespace())
}

// migrateThen opens the database, migrates it (see migrate), then runs
// then on it, when not nil.
func migrateThen(ctx context.Context, cfg Config, then func(db *postgres.DB) error) error {
	db, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := migrate(ctx, db); err != nil || then == nil {
		return err
	}
	return then(db)
}

func migrate(ctx context.Context, db *postgres.DB) error {
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	if err := db.LoadReference(ctx); err != nil {
		return err
	}
	_, err := db.SeedPolicies(ctx, policies.DefaultRules())
	return err
}

func runToken(ctx context.Context, args []string, cfg Config, stdout io.Writer) error {
	fs := flag.NewFlagSet("token", flag.ContinueOnError)
	fs.SetOutput(stdout)
	sub := fs.String("sub", "", "user name (subject)")
	unit := fs.String("unit", "", "unit code, e.g. 3305, 33 or ID")
	role := fs.String("role", "", "role, or roles separated by commas: "+strings.Join(roles, ", "))
	ttl := fs.Duration("ttl", 12*time.Hour, "how long the token is valid")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *sub == "" || *unit == "" || *role == "" {
		return errors.New("token needs --sub, --unit and --role")
	}
	p := lindungi.Principal{Subject: *sub, Unit: *unit, Roles: strings.Split(*role, ",")}
	dev, err := identity.LoadOrCreateDev(cfg.devKeyPath())
	if err != nil {
		return err
	}
	tok, err := dev.Sign(p, *ttl)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, tok)
	return nil
}

var roles = []string{lindungi.RoleCaseworker, lindungi.RoleVerifier, lindungi.RoleSupervisor, lindungi.RoleProvinceSupervisor,
	lindungi.RoleBP3MIOfficer, lindungi.RoleBP3MIHead, lindungi.RoleNationalOfficer, lindungi.RoleAuditor, lindungi.RoleAdmin}

func runTemporalCLI(ctx context.Context, args []string, cfg Config, stdout io.Writer) error {
	path, err := devenv.TemporalCLI(ctx, os.Stderr)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, path)
	return nil
}

// workflowClient starts and steers journeys and cases.
func workflowClient(cfg Config, tc client.Client) *workflowclient.Client {
	every, _ := time.ParseDuration(cfg.CheckInInterval)
	return &workflowclient.Client{Temporal: tc, TaskQueue: cfg.TaskQueue, CheckInEvery: every,
		UpdateTimeout: cfg.duration(cfg.UpdateTimeout), StartTimeout: cfg.duration(cfg.StartTimeout)}
}
