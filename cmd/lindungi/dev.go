package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/devenv"
	"github.com/lindungi/lindungi/identity"
	"github.com/lindungi/lindungi/postgres"
)

// runDev runs the whole system on this machine.
func runDev(ctx context.Context, args []string, cfg Config, stdout io.Writer) error {
	logger := newLogger(cfg, os.Stderr)
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return err
	}
	logFile, err := os.OpenFile(filepath.Join(cfg.DataDir, "services.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logFile.Close()

	ownPostgres := cfg.DatabaseURL == ""
	if ownPostgres {
		pgData := filepath.Join(cfg.DataDir, "postgres")
		if err := devenv.DataDirReachable(pgData); err != nil {
			// As root, PostgreSQL runs as the postgres user, which may not
			// enter the checkout (say, under /root): keep its data in a
			// folder of its own, named after this data folder.
			sum := sha256.Sum256([]byte(cfg.DataDir))
			pgData = filepath.Join(os.TempDir(), "lindungi-"+hex.EncodeToString(sum[:6]), "postgres")
			logger.Warn("PostgreSQL cannot use the data folder; using another", "reason", err, "data", pgData)
		}
		logger.Info("starting PostgreSQL", "data", pgData)
		pg, err := devenv.StartPostgres(ctx, devenv.PostgresOptions{DataDir: pgData, Database: "lindungi", Log: logFile})
		if err != nil {
			return err
		}
		defer pg.Stop()
		cfg.DatabaseURL = pg.DSN
	}
	uiURL := "(external Temporal: see its own UI)"
	if cfg.TemporalAddress == "" {
		logger.Info("finding the temporal CLI (the first build takes about 8 minutes)")
		bin, err := devenv.TemporalCLI(ctx, os.Stderr)
		if err != nil {
			return err
		}
		logger.Info("starting Temporal dev server", "state", filepath.Join(cfg.DataDir, "temporal.db"))
		tmp, err := devenv.StartTemporal(ctx, devenv.TemporalOptions{Bin: bin, DBFile: filepath.Join(cfg.DataDir, "temporal.db"),
			Namespace: cfg.TemporalNS, UICodecEndpoint: cfg.publicURL(cfg.Addr) + "/codec", Log: logFile})
		if err != nil {
			return err
		}
		defer tmp.Stop()
		cfg.TemporalAddress, uiURL = tmp.Address, tmp.UIURL
		if cfg.CodecOrigins == "" {
			cfg.CodecOrigins = tmp.UIURL // the dev UI decodes through /codec
		}
	}

	if err := migrateDev(ctx, cfg); err != nil {
		return err
	}
	if ownPostgres {
		// The API and the worker connect as the application's role, as
		// in production: a privilege they lack fails here first.
		if cfg.DatabaseURL, err = devenv.AppLogin(ctx, cfg.DatabaseURL, "lindungi_dev_app"); err != nil {
			return err
		}
	}
	svc, err := connect(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer svc.close()
	srv, err := newServer(ctx, cfg, svc, logger)
	if err != nil {
		return err
	}
	dev, err := identity.LoadOrCreateDev(cfg.devKeyPath())
	if err != nil {
		return err
	}

	ready := make(chan string, 1)
	err = svc.run(ctx,
		func(ctx context.Context) error { return runWorkerLoop(ctx, cfg, svc, logger) },
		func(ctx context.Context) error { return serveHTTP(ctx, cfg.Addr, srv, logger, ready) },
		func(ctx context.Context) error {
			var addr string
			select {
			case addr = <-ready:
			case <-ctx.Done():
				return nil
			}
			apiURL := "http://" + addr
			if err := seedDemoWorkers(ctx, apiURL, dev); err != nil {
				logger.Warn("demo workers not registered", "err", err)
			}
			printBanner(stdout, apiURL, cfg.publicURL(addr)+"/", uiURL, cfg, dev)
			return nil
		})
	logger.Info("stopping")
	return err
}

// demoWorkers are registered through the public API, once: their
// idempotency keys make a restart replay instead of registering again.
var demoWorkers = []lindungi.NewWorker{
	{NIK: "3305015508950002", Name: "Siti Aminah", BirthDate: "1995-08-15", DomicileUnit: "3305", Phone: "081234567890", Scheme: lindungi.SchemeP2P,
		PlacementCompany: "PT Sinar Jaya Abadi", JobOrderRef: "JO-TW-2026-0142"},
	{NIK: "3301012303980001", Name: "Budi Santoso", BirthDate: "1998-03-23", DomicileUnit: "3301", Phone: "081298765432", Scheme: lindungi.SchemeG2G},
	{NIK: "3329014107000003", Name: "Dewi Lestari", BirthDate: "2000-07-01", DomicileUnit: "3329", Phone: "+62 857 1234 5678", Scheme: lindungi.SchemeMandiri},
}

func seedDemoWorkers(ctx context.Context, apiURL string, dev *identity.Dev) error {
	for _, w := range demoWorkers {
		tok, err := dev.Sign(lindungi.Principal{Subject: "caseworker-" + w.DomicileUnit, Unit: w.DomicileUnit, Roles: []string{lindungi.RoleCaseworker}}, time.Minute)
		if err != nil {
			return err
		}
		body, _ := json.Marshal(w)
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, apiURL+"/v1/workers", bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", "demo-"+w.NIK)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			return fmt.Errorf("register demo worker: status %d", resp.StatusCode)
		}
	}
	return nil
}

func printBanner(w io.Writer, apiURL, webURL, uiURL string, cfg Config, dev *identity.Dev) {
	tok, _ := dev.Sign(lindungi.Principal{Subject: "caseworker-3305", Unit: "3305", Roles: []string{lindungi.RoleCaseworker}}, 12*time.Hour)
	fmt.Fprintf(w, `
Lindungi is running (development mode; tokens are signed by the local development key).

  Web          %[5]s  (sign in as a demo user with one click)
  API          %[1]s
  OpenAPI      %[1]s/openapi.yaml
  Temporal UI  %[2]s
  Data folder  %[3]s

Try it, as the Kebumen (3305) case worker:

  TOKEN=%[4]s
  curl -s -H "Authorization: Bearer $TOKEN" '%[1]s/v1/tasks?status=open'

Other demo users: go run ./cmd/lindungi token --sub supervisor-3301 --unit 3301 --role supervisor
(district roles in 3301, 3305, 3318, 3324, 3329; province_supervisor, bp3mi_officer, bp3mi_head, auditor at 33; national_officer, admin at ID)
Press Ctrl-C to stop everything.
`, apiURL, uiURL, cfg.DataDir, tok, webURL)
}

// migrateDev applies the migrations, adds the demo users and prepares the
// Temporal namespace, as `lindungi migrate` does.
func migrateDev(ctx context.Context, cfg Config) error {
	if err := migrateThen(ctx, cfg, func(db *postgres.DB) error { return db.UpsertUsers(ctx, devenv.DemoUsers()) }); err != nil {
		return err
	}
	return prepareTemporal(ctx, cfg)
}
