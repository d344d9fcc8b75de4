package main

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/lindungi/lindungi/auditlog"
	"github.com/lindungi/lindungi/postgres"
	"github.com/lindungi/lindungi/workflows"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
)

// loadAuditKey returns the key that signs audit checkpoints and exports.
// In development a missing key is created; production refuses to start
// without one, since a key made on the spot would be trusted by no one.
func loadAuditKey(cfg Config) (*auditlog.Key, error) {
	key, err := auditlog.LoadKey(cfg.auditKeyPath(), cfg.Env != "production")
	if errors.Is(err, auditlog.ErrNoKey) {
		return nil, fmt.Errorf("LINDUNGI_AUDIT_KEY_FILE: %w; production needs the audit signing key its auditors know (make one with `lindungi audit keygen --out FILE`)", err)
	}
	return key, err
}

// checkpointLoop signs the chain head now and every interval until ctx
// ends, when new events were written since the last checkpoint.
func checkpointLoop(ctx context.Context, db *postgres.DB, key *auditlog.Key, interval time.Duration, logger *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if c, ok, err := db.Checkpoint(ctx, key); err != nil {
			if ctx.Err() == nil {
				logger.Warn("audit checkpoint", "err", err)
			}
		} else if ok {
			logger.Info("audit checkpoint signed", "seq", c.Seq, "hash", c.Hash.String(), "key_id", c.KeyID)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// scheduleAuditVerification makes the Temporal schedule that verifies the
// whole trail every LINDUNGI_AUDIT_VERIFY_INTERVAL (the workflow tells the
// national auditors and logs at error level when it fails), or sets the
// interval of the one that exists: every worker process does it when it
// starts, and one schedule results, so the trail is verified once per
// interval however many workers run.
func scheduleAuditVerification(ctx context.Context, tc client.Client, cfg Config) error {
	every, err := time.ParseDuration(cfg.AuditVerifyInterval)
	if err != nil {
		return err
	}
	spec := client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: every}}}
	id := workflows.AuditScheduleID(cfg.TaskQueue)
	action := &client.ScheduleWorkflowAction{ID: id, Workflow: workflows.AuditVerificationName,
		Args: []any{workflows.AuditVerificationInput{}}, TaskQueue: cfg.TaskQueue, WorkflowExecutionTimeout: 2 * time.Hour}
	schedules := tc.ScheduleClient()
	_, err = schedules.Create(ctx, client.ScheduleOptions{ID: id, Spec: spec, Action: action,
		Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_SKIP, Note: "Verifies the whole audit trail (lindungi worker)"})
	if !errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
		if err != nil {
			return fmt.Errorf("create the audit verification schedule: %w", err)
		}
		return nil
	}
	err = schedules.GetHandle(ctx, id).Update(ctx, client.ScheduleUpdateOptions{
		DoUpdate: func(in client.ScheduleUpdateInput) (*client.ScheduleUpdate, error) {
			sc := in.Description.Schedule
			sc.Spec, sc.Action = &spec, action
			return &client.ScheduleUpdate{Schedule: &sc}, nil
		}})
	if err != nil {
		return fmt.Errorf("update the audit verification schedule: %w", err)
	}
	return nil
}

// keepAuditSchedule sets the audit verification schedule, trying again
// (10 s, doubling up to 5 min) while Temporal refuses: the worker goes on
// working meanwhile, and says so at error level.
func keepAuditSchedule(ctx context.Context, tc client.Client, cfg Config, logger *slog.Logger) {
	wait := 10 * time.Second
	for {
		err := scheduleAuditVerification(ctx, tc, cfg)
		if err == nil || ctx.Err() != nil {
			return
		}
		logger.Error("the audit trail is not verified on a schedule yet; trying again", "err", err, "retry_in", wait.String())
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(2*wait, 5*time.Minute)
	}
}

const auditUsage = `usage:
  lindungi audit verify [--key PUBKEYFILE] [--json]     re-check the trail in DATABASE_URL (PUBKEYFILE may hold
                                                        several PEM keys: the current one and those a rotation retired)
  lindungi audit verify --export FILE [--key PUBKEYFILE] [--json]
                                                        check an export offline
  lindungi audit key                                    print the public signing key
  lindungi audit keygen --out FILE                      make a signing key (for production)
  lindungi audit checkpoint                             sign the chain head now`

// runAudit checks the audit trail, or an export of it, and manages the
// signing key. A failed check is an error, so the exit status tells.
func runAudit(ctx context.Context, args []string, cfg Config, stdout io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stdout, auditUsage)
		return errUsage
	}
	switch args[0] {
	case "verify":
		return runAuditVerify(ctx, args[1:], cfg, stdout)
	case "key":
		key, err := loadAuditKey(cfg)
		if err != nil {
			return err
		}
		return printJSON(stdout, key.Info())
	case "keygen":
		fs := flag.NewFlagSet("audit keygen", flag.ContinueOnError)
		fs.SetOutput(stdout)
		out := fs.String("out", "", "where to write the new private key (mode 0600); it must not exist")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if *out == "" {
			return errors.New("audit keygen needs --out FILE")
		}
		if _, err := os.Stat(*out); err == nil {
			return fmt.Errorf("%s exists; a signing key is never overwritten", *out)
		}
		key, err := auditlog.LoadKey(*out, true)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "audit signing key %s written to %s\n%s", key.ID, *out, auditlog.PublicPEM(key.Public()))
		return nil
	case "checkpoint":
		key, err := loadAuditKey(cfg)
		if err != nil {
			return err
		}
		db, err := openDB(ctx, cfg)
		if err != nil {
			return err
		}
		defer db.Close()
		c, ok, err := db.Checkpoint(ctx, key)
		switch {
		case err != nil:
			return err
		case !ok:
			fmt.Fprintln(stdout, "nothing to sign: the chain head is signed already (or the trail is empty)")
			return nil
		}
		return printJSON(stdout, c)
	}
	fmt.Fprintln(stdout, auditUsage)
	return fmt.Errorf("unknown audit command %q", args[0])
}

func runAuditVerify(ctx context.Context, args []string, cfg Config, stdout io.Writer) error {
	fs := flag.NewFlagSet("audit verify", flag.ContinueOnError)
	fs.SetOutput(stdout)
	export := fs.String("export", "", "an export file (GET /v1/audit/export) to check offline, without the database")
	keyFile := fs.String("key", "", "the trusted public key: PEM, or the JSON of GET /v1/audit/key")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var trusted ed25519.PublicKey
	var trustedKeys map[string]ed25519.PublicKey
	if *keyFile != "" {
		keys, err := auditlog.ReadPublicKeys(*keyFile)
		if err != nil {
			return fmt.Errorf("--key %s: %w", *keyFile, err)
		}
		trustedKeys = keys
		for _, pub := range keys {
			trusted = pub // an export is signed by one key: the file's only one
		}
	}
	if *export != "" {
		file, err := os.ReadFile(*export)
		if err != nil {
			return err
		}
		rep, err := auditlog.VerifyExport(file, trusted)
		if err != nil {
			return fmt.Errorf("%s: %w", *export, err)
		}
		if *asJSON {
			if err := printJSON(stdout, rep); err != nil {
				return err
			}
		} else {
			printReport(stdout, rep.Report)
			switch {
			case rep.KeyTrusted:
				fmt.Fprintf(stdout, "signed by key %s, the key given\n", rep.KeyID)
			default:
				fmt.Fprintf(stdout, "signed by key %s as the file says; pass --key with the key GET /v1/audit/key shows to trust it\n", rep.KeyID)
			}
		}
		if rep.Failure != nil {
			return rep.Failure
		}
		return nil
	}
	keys := trustedKeys
	if keys == nil {
		if key, err := auditlog.LoadKey(cfg.auditKeyPath(), false); err == nil {
			if keys, err = cfg.auditKeys(key); err != nil {
				return err
			}
		}
	}
	db, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	rep, err := db.VerifyAudit(ctx, keys)
	if err != nil {
		return err
	}
	if *asJSON {
		if err := printJSON(stdout, rep); err != nil {
			return err
		}
	} else {
		printReport(stdout, rep)
	}
	if rep.Failure != nil {
		return rep.Failure
	}
	return nil
}

func printReport(w io.Writer, rep auditlog.Report) {
	if rep.Failure != nil {
		f := rep.Failure
		fmt.Fprintf(w, "FAILED at seq %d: %s: %s\n", f.Seq, f.Reason, f.Detail)
		if f.EventID != "" {
			fmt.Fprintf(w, "  event %s\n", f.EventID)
		}
		fmt.Fprintf(w, "  events %d to %d verified before it\n", rep.FirstSeq, rep.LastSeq)
		return
	}
	fmt.Fprintf(w, "OK: %d events (seq %d to %d), chain ends in %s\n", rep.Events, rep.FirstSeq, rep.LastSeq, rep.LastHash)
	switch {
	case rep.LastCheckpoint != nil && rep.SignaturesChecked:
		fmt.Fprintf(w, "%d signed checkpoints hold; the last covers seq %d (signed %s by %s)\n", rep.Checkpoints,
			rep.LastCheckpoint.Seq, rep.LastCheckpoint.SignedAt.Format(time.RFC3339), rep.LastCheckpoint.KeyID)
	case rep.LastCheckpoint != nil:
		fmt.Fprintf(w, "%d checkpoints match the chain; their signatures were NOT checked (no key: pass --key)\n", rep.Checkpoints)
	default:
		fmt.Fprintln(w, "no checkpoint covers this stretch yet")
	}
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
