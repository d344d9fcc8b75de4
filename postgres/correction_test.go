package postgres_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/lindungi/lindungi"
)

func ptr[T any](v T) *T { return &v }

// TestCorrectWorker: a correction changes the row and writes one audit
// event, with the changed fields before and after (personal data masked)
// and the reason, in the transaction of the change; the history keeps the
// exact values.
func TestCorrectWorker(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := t.Context()
	w := register(t, db, "3305011508950001", "3305")

	got, err := db.CorrectWorker(ctx, w.ID, lindungi.WorkerCorrection{Phone: ptr("0812-9999-8888"), Name: ptr("Siti Aminah"),
		Address: ptr("Desa Kutosari RT 02/RW 03"), Reason: "Nomor lama +6281234567890 tidak aktif"}, clerk("req-correct"))
	if err != nil {
		t.Fatal(err)
	}
	if got.Phone != "+6281299998888" || got.Address != "Desa Kutosari RT 02/RW 03" || got.Name != "Siti Aminah" {
		t.Errorf("corrected worker %+v", got)
	}
	if found, _ := db.FindWorker(ctx, w.ID); !cmp.Equal(found, got) {
		t.Errorf("FindWorker after the correction:\n%s", cmp.Diff(got, found))
	}
	evs := auditEvents(t, db, "worker.correct")
	want := []auditEvent{{Actor: "user:siti", ActorUnit: "3305", ActorRole: "caseworker", Action: "worker.correct",
		SubjectType: "worker", SubjectID: w.ID.String(), WorkerID: w.ID.String(),
		Before:        map[string]any{"phone": "+6**********90", "address": ""},
		After:         map[string]any{"phone": "+6**********88", "address": "De** ******** ** ***** 03", "reason": "Nomor lama […] tidak aktif"},
		PolicyVersion: "test-policy", RequestID: "req-correct", OccurredAt: t0}}
	if diff := cmp.Diff(want, evs); diff != "" {
		t.Errorf("audit (-want +got):\n%s", diff)
	}
	var trail string
	if err := db.SQL().GetContext(ctx, &trail, `SELECT string_agg(row_to_json(a)::text, E'\n') FROM audit_events a`); err != nil {
		t.Fatal(err)
	}
	for _, personal := range []string{"81234567890", "81299998888", "Kutosari"} {
		if strings.Contains(trail, personal) {
			t.Errorf("the trail holds %q", personal)
		}
	}
	if n := count(t, db, `SELECT count(*) FROM workers_history WHERE worker_id = $1 AND row_data->>'phone' = '+6281299998888'`, w.ID); n != 1 {
		t.Errorf("%d history rows with the new phone, want 1", n)
	}

	// A scheme corrected at the start of the journey; from the medical
	// check on it is fixed.
	if got, err = db.CorrectWorker(ctx, w.ID, lindungi.WorkerCorrection{Scheme: ptr(lindungi.SchemeMandiri), Reason: "Skema salah pilih"},
		clerk("req-scheme")); err != nil || got.Scheme != lindungi.SchemeMandiri || got.PlacementCompany != "" {
		t.Errorf("scheme: %+v %v", got, err)
	}
	if _, err := db.SQL().ExecContext(ctx, `UPDATE workers SET journey_step = 'MEDICAL' WHERE id = $1`, w.ID); err != nil {
		t.Fatal(err)
	}
	_, err = db.CorrectWorker(ctx, w.ID, lindungi.WorkerCorrection{Scheme: ptr(lindungi.SchemeG2G), Reason: "Skema salah pilih"}, clerk("req-late"))
	if code, fields := errorFields(err); code != lindungi.ECONFLICT || !cmp.Equal(fields, []string{"scheme"}) {
		t.Errorf("a scheme after the medical check: %v", err)
	}
}

// TestCorrectWorkerRefuses: a refused correction writes nothing, neither
// the change nor an event.
func TestCorrectWorkerRefuses(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := t.Context()
	w := register(t, db, "3305011508950001", "3305")
	other := register(t, db, "3305011508950002", "3305")
	for _, tt := range []struct {
		name   string
		c      lindungi.WorkerCorrection
		code   string
		fields []string
	}{
		{"nothing changes", lindungi.WorkerCorrection{Phone: ptr("+6281234567890"), Reason: "Cek ulang data"}, lindungi.EINVALID, []string{""}},
		{"no reason", lindungi.WorkerCorrection{Phone: ptr("081299998888")}, lindungi.EINVALID, []string{"reason"}},
		{"another worker's NIK", lindungi.WorkerCorrection{NIK: ptr(other.NIK), Reason: "Salah ketik NIK"}, lindungi.ECONFLICT, []string{"nik"}},
	} {
		_, err := db.CorrectWorker(ctx, w.ID, tt.c, clerk("req-"+tt.name))
		if code, fields := errorFields(err); code != tt.code || !cmp.Equal(fields, tt.fields) {
			t.Errorf("%s: %v, want %s naming %q", tt.name, err, tt.code, tt.fields)
		}
	}
	if n := len(auditEvents(t, db, "worker.correct")); n != 0 {
		t.Errorf("%d correction events after refusals, want none", n)
	}
	if found, _ := db.FindWorker(ctx, w.ID); found.NIK != w.NIK || found.Phone != w.Phone {
		t.Errorf("a refused correction changed the worker: %+v", found)
	}
}
