package activities_test

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/activities"
	tlog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"
)

// lockedBuffer is a log the activity writes to while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestVerifyAuditTrailTellsNationalAuditors verifies an intact trail
// (nothing said), then one changed behind the application's back: the
// failure is logged at error level and the national auditors are told
// once, however many runs find it again.
func TestVerifyAuditTrailTellsNationalAuditors(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.act.Audit = e.db
	e.register(t, 0, "3305")
	e.register(t, 1, "3301")
	var logged lockedBuffer
	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(tlog.NewStructuredLogger(slog.New(slog.NewTextHandler(&logged, nil))))
	env := suite.NewTestActivityEnvironment()
	env.RegisterActivity(e.act)
	verify := func() activities.AuditCheck {
		t.Helper()
		v, err := env.ExecuteActivity(e.act.VerifyAuditTrail)
		if err != nil {
			t.Fatal(err)
		}
		var out activities.AuditCheck
		if err := v.Get(&out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	told := func() int {
		return e.count(t, `SELECT count(*) FROM notifications WHERE recipient_unit = 'ID' AND recipient_role = 'auditor' AND kind = $1`,
			activities.KindAuditFailed)
	}

	if got := verify(); !got.OK || got.Events != 2 || got.Failure != nil || told() != 0 || strings.Contains(logged.String(), "level=ERROR") {
		t.Fatalf("an intact trail: %+v, %d notifications, log:\n%s", got, told(), logged.String())
	}

	tx := e.db.SQL().MustBegin()
	tx.MustExec(`ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update`)
	tx.MustExec(`UPDATE audit_events SET actor_unit = '3329' WHERE chain_seq = 2`)
	tx.MustExec(`ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update`)
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		got := verify()
		if got.OK || got.Failure == nil || got.Failure.Seq != 2 || got.Failure.Reason != "changed" {
			t.Errorf("a changed trail: %+v, want a failure at seq 2", got)
		}
	}
	if n := told(); n != 1 {
		t.Errorf("%d notifications to the national auditors, want 1 for the one failure found twice", n)
	}
	ns, err := e.db.Notifications(t.Context(), lindungi.NotificationQuery{Reader: lindungi.Reader{Unit: "ID"}, Limit: 10})
	if err != nil || len(ns) == 0 || !strings.Contains(ns[0].Message, "#2") {
		t.Errorf("the notification does not name the event: %+v %v", ns, err)
	}
	if n := e.count(t, `SELECT count(*) FROM audit_events WHERE action = $1`, activities.ActionAuditFailed); n != 1 {
		t.Errorf("%d %s events, want 1", n, activities.ActionAuditFailed)
	}
	if log := logged.String(); !strings.Contains(log, "level=ERROR") || !strings.Contains(log, "AUDIT TRAIL VERIFICATION FAILED") ||
		!strings.Contains(log, "seq=2") {
		t.Errorf("the failure was not logged at error level with its seq:\n%s", log)
	}
}
