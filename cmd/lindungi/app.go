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
	"strconv"
	"strings"
	"time"

	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/activities"
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
	// Every payload is encrypted: notes can carry personal data. In
	// production the key must exist; in development it is made once.
	key, err := payloadcodec.LoadOrCreateKey(cfg.payloadKeyPath(), cfg.Env != "production")
	if err != nil {
		return nil, fmt.Errorf("Temporal payload key: %w", err)
	}
	codec, err := payloadcodec.New(key)
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

// policySet holds this process's policies and reloads them from the
// database when they change.
type policySet struct {
	db     *postgres.DB
	units  []lindungi.Unit
	authz  *policies.Authorizer
	router *policies.Router
	logger *slog.Logger
}

func loadPolicies(ctx context.Context, db *postgres.DB, logger *slog.Logger) (*policySet, error) {
	units, err := db.Units(ctx)
	if err != nil {
		return nil, err
	}
	if len(units) == 0 {
		return nil, errors.New("the database has no units: run `lindungi migrate` first")
	}
	rules, version, err := policyRules(ctx, db)
	if err != nil {
		return nil, err
	}
	ps := &policySet{db: db, units: units, logger: logger}
	if ps.authz, err = policies.NewAuthorizer(units, rules, version); err != nil {
		return nil, err
	}
	if ps.router, err = policies.NewRouter(units, rules, version); err != nil {
		return nil, err
	}
	return ps, nil
}

func policyRules(ctx context.Context, db *postgres.DB) ([]lindungi.PolicyRule, string, error) {
	var rules []lindungi.PolicyRule
	for _, m := range []string{lindungi.ModelAccess, lindungi.ModelRouting} {
		rs, err := db.PolicyRules(ctx, m)
		if err != nil {
			return nil, "", err
		}
		rules = append(rules, rs...)
	}
	v, err := db.PolicyVersion(ctx)
	if err != nil {
		return nil, "", err
	}
	if len(rules) == 0 {
		return nil, "", errors.New("the database has no policies: run `lindungi migrate` first")
	}
	return rules, strconv.FormatInt(v, 10), nil
}

// reload loads the policies again; decisions cached by the old ones go.
func (ps *policySet) reload(ctx context.Context) error {
	rules, version, err := policyRules(ctx, ps.db)
	if err != nil {
		return err
	}
	if err := ps.authz.Load(rules, version); err != nil {
		return err
	}
	if err := ps.router.Load(rules, version); err != nil {
		return err
	}
	ps.logger.Info("policies loaded", "version", version, "lines", len(rules))
	return nil
}

// watch reloads the policies whenever any process changes them, until ctx
// ends.
func (ps *policySet) watch(ctx context.Context) (stop func(), err error) {
	w, err := ps.db.NewWatcher(ps.logger)
	if err != nil {
		return nil, err
	}
	w.SetUpdateCallback(func(payload string) {
		rctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if err := ps.reload(rctx); err != nil {
			ps.logger.Error("policy reload", "notification", payload, "err", err)
		}
	})
	// A change made between loading and listening would be missed.
	if err := ps.reload(ctx); err != nil {
		w.Close()
		return nil, err
	}
	return w.Close, nil
}

// newServer wires the API.
func newServer(ctx context.Context, cfg Config, db *postgres.DB, tc client.Client, ps *policySet, logger *slog.Logger) (*server.Server, error) {
	auditKey, err := loadAuditKey(cfg)
	if err != nil {
		return nil, err
	}
	v, err := verifier(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return server.New(server.Deps{
		Store:       db,
		Authorizer:  ps.authz,
		Verifier:    v,
		Journeys:    journeys(cfg, tc),
		Cases:       journeys(cfg, tc),
		CaseActions: journeys(cfg, tc),
		CaseOwner: func(c lindungi.NewComplaint) (string, error) {
			risk := "normal"
			if lindungi.HighRisk(c.Categories, c.RiskFlags) {
				risk = "high"
			}
			r, err := ps.router.Route(lindungi.RouteRequest{Kind: lindungi.TaskCaseHandling, Unit: c.Unit, Risk: risk})
			return r.Unit, err
		},
		TemporalReady: func(ctx context.Context) error {
			_, err := tc.CheckHealth(ctx, &client.CheckHealthRequest{})
			return err
		},
		Units:         ps.units,
		PolicyChanged: ps.reload,
		Logger:        logger,
		AuditKey:      auditKey,
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

// runWorkerLoop runs the Temporal worker and the reconciler until ctx ends.
func runWorkerLoop(ctx context.Context, cfg Config, db *postgres.DB, tc client.Client, ps *policySet, logger *slog.Logger) error {
	deadlines, err := cfg.taskDeadlines()
	if err != nil {
		return err
	}
	auditKey, err := loadAuditKey(cfg)
	if err != nil {
		return err
	}
	w := worker.New(tc, cfg.TaskQueue, worker.Options{})
	demo, _ := time.ParseDuration(cfg.DemoDeadline)
	workflows.Register(w, &activities.Activities{Store: db, Cases: db, Router: ps.router, DueDays: deadlines, FixedDeadline: demo})
	if err := w.Start(); err != nil {
		return fmt.Errorf("start Temporal worker: %w", err)
	}
	defer w.Stop()
	logger.Info("Temporal worker started", "task_queue", cfg.TaskQueue, "namespace", cfg.TemporalNS)
	checkpointEvery, _ := time.ParseDuration(cfg.AuditCheckpointInterval)
	go checkpointLoop(ctx, db, auditKey, checkpointEvery, logger)
	interval, _ := time.ParseDuration(cfg.ReconcileInterval)
	reconcile(ctx, db, journeys(cfg, tc), interval, logger)
	return nil
}

// reconcile starts, every interval, the journeys of workers registered more
// than a few seconds ago whose journey is not known to run (the API died
// between saving the worker and starting the journey, or Temporal was down),
// and audits the delegations that expired.
func reconcile(ctx context.Context, db *postgres.DB, jc *workflowclient.Client, interval time.Duration, logger *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if n, err := db.AuditExpiredDelegations(ctx, time.Now()); err != nil {
			logger.Warn("reconciler: audit expired delegations", "err", err)
		} else if n > 0 {
			logger.Info("reconciler: delegations expired", "count", n)
		}
		cases, err := db.CasesWithoutWorkflow(ctx, time.Now().Add(-10*time.Second), 100)
		if err != nil {
			logger.Warn("reconciler: list cases", "err", err)
		}
		for _, pc := range cases {
			if err := jc.StartCase(ctx, pc, "reconciler"); err != nil {
				logger.Warn("reconciler: start case", "case_id", pc.ID, "err", err)
				continue
			}
			if err := db.MarkCaseStarted(ctx, pc.ID); err != nil {
				logger.Warn("reconciler: mark case", "case_id", pc.ID, "err", err)
			}
		}
		missing, err := db.WorkersWithoutJourney(ctx, time.Now().Add(-10*time.Second), 100)
		if err != nil {
			logger.Warn("reconciler: list workers", "err", err)
			continue
		}
		for _, m := range missing {
			in := workflows.JourneyInput{WorkerID: m.WorkerID, DomicileUnit: m.DomicileUnit, Scheme: lindungi.Scheme(m.Scheme),
				Entry: lindungi.Step(m.Entry), RequestID: "reconciler"}
			if err := jc.StartJourney(ctx, in); err != nil {
				logger.Warn("reconciler: start journey", "worker_id", m.WorkerID, "err", err)
				continue
			}
			if err := db.MarkJourneyStarted(ctx, m.WorkerID); err != nil {
				logger.Warn("reconciler: mark journey", "worker_id", m.WorkerID, "err", err)
				continue
			}
			logger.Info("reconciler: started missing journey", "worker_id", m.WorkerID)
		}
	}
}

// services are what serve and worker run on: the database, Temporal, and
// the policies, kept current by the watcher.
type services struct {
	db     *postgres.DB
	tc     client.Client
	ps     *policySet
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
	if s.ps, err = loadPolicies(ctx, s.db, logger); err != nil {
		s.close()
		return nil, err
	}
	stopWatch, err := s.ps.watch(ctx)
	if err != nil {
		s.close()
		return nil, err
	}
	s.closer = append(s.closer, stopWatch)
	return s, nil
}

func (s *services) close() {
	for i := len(s.closer) - 1; i >= 0; i-- {
		s.closer[i]()
	}
}

func runServe(ctx context.Context, args []string, cfg Config, stdout io.Writer) error {
	logger := newLogger(cfg, os.Stderr)
	logger.Info("starting API", "config", cfg)
	svc, err := connect(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer svc.close()
	srv, err := newServer(ctx, cfg, svc.db, svc.tc, svc.ps, logger)
	if err != nil {
		return err
	}
	return serveHTTP(ctx, cfg.Addr, srv, logger, nil)
}

func runWorker(ctx context.Context, args []string, cfg Config, stdout io.Writer) error {
	logger := newLogger(cfg, os.Stderr)
	logger.Info("starting worker", "config", cfg)
	svc, err := connect(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer svc.close()
	return runWorkerLoop(ctx, cfg, svc.db, svc.tc, svc.ps, logger)
}

func runMigrate(ctx context.Context, args []string, cfg Config, stdout io.Writer) error {
	db, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := migrate(ctx, db); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "migrations applied; units and holidays loaded")
	return nil
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

// journeys is the client that starts and steers journeys.
func journeys(cfg Config, tc client.Client) *workflowclient.Client {
	every, _ := time.ParseDuration(cfg.CheckInInterval)
	return &workflowclient.Client{Temporal: tc, TaskQueue: cfg.TaskQueue, CheckInEvery: every}
}
