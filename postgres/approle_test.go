package postgres_test

import (
	"errors"
	"testing"

	"github.com/lib/pq"
	"github.com/lindungi/lindungi/devenv"
	"github.com/lindungi/lindungi/devenv/devtest"
	"github.com/lindungi/lindungi/postgres"
)

// The application's role (schema/00014_app_role.sql) does its work, the
// audit trail included, but cannot change, delete, truncate or unguard the
// trail, nor move the chain head other than by appending one event.
func TestAppRoleCannotRewriteTheTrail(t *testing.T) {
	ctx := t.Context()
	dsn := devtest.Database(t)
	owner, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { owner.Close() })
	if err := owner.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := owner.LoadReference(ctx); err != nil {
		t.Fatal(err)
	}
	appDSN, err := devenv.AppLogin(ctx, dsn, "lindungi_test_app")
	if err != nil {
		t.Fatal(err)
	}
	app, err := postgres.Open(ctx, appDSN)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { app.Close() })

	// Its work: a registration writes the worker, its history and its
	// audit event.
	w := register(t, app, "3305015508950002", "3305")
	if n := count(t, owner, `SELECT count(*) FROM audit_events WHERE worker_id = $1`, w.ID); n != 1 {
		t.Fatalf("%d audit events of the registration, want 1", n)
	}
	if n := count(t, owner, `SELECT count(*) FROM workers_history WHERE worker_id = $1`, w.ID); n != 1 {
		t.Fatalf("%d history rows of the registration, want 1", n)
	}

	for _, stmt := range []string{
		`UPDATE audit_events SET actor = 'someone else'`,
		`DELETE FROM audit_events`,
		`TRUNCATE audit_events`,
		`ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update`,
		`ALTER TABLE audit_events DISABLE TRIGGER ALL`,
		`DROP TABLE audit_events`,
		`INSERT INTO audit_events (id, occurred_at, actor, actor_unit, actor_role, action, subject_type, subject_id)
			VALUES (gen_random_uuid(), now(), 'x', 'x', 'x', 'x', 'x', 'x')`,
		`UPDATE audit_chain_head SET seq = 0`,
		`SELECT * FROM audit_chain_head FOR UPDATE`,
		`DELETE FROM audit_checkpoints`,
		`INSERT INTO workers_history (worker_id, changed_at, row_data) VALUES (gen_random_uuid(), now(), '{}')`,
		`UPDATE workers_history SET row_data = '{}'`,
		`INSERT INTO goose_db_version (version_id, is_applied) VALUES (99999, true)`,
		`CREATE TABLE mine (x int)`,
	} {
		_, err := app.SQL().ExecContext(ctx, stmt)
		var pqErr *pq.Error
		if !errors.As(err, &pqErr) || pqErr.Code != "42501" {
			t.Errorf("as the application: %s\n  = %v, want permission denied (42501)", stmt, err)
		}
	}

	// The append function refuses an event that does not follow the head.
	_, err = app.SQL().ExecContext(ctx, `SELECT audit_append(gen_random_uuid(), 1, now(), 'x', 'x', 'x', 'x', 'x', 'x', NULL,
		NULL, NULL, '', '', '', '', '', '', '\x00'::bytea, '\x01'::bytea)`)
	if err == nil {
		t.Error("audit_append of an event at seq 1 over a longer chain was accepted")
	}

	rep, err := owner.VerifyAudit(ctx, nil)
	if err != nil || !rep.OK || rep.Events != 1 {
		t.Errorf("the trail after the attempts: %+v, %v; want it intact with its one event", rep, err)
	}
}
