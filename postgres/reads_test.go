package postgres_test

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
)

func TestWorkerNames(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	a := register(t, db, "3305011508950001", "3305")
	nw := newWorker("3301012303980001", "3301")
	nw.Name, nw.BirthDate = "Budi Santoso", "1998-03-23"
	b, err := db.CreateWorker(t.Context(), nw, clerk("req-b"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := db.WorkerNames(t.Context(), []uuid.UUID{a.ID, b.ID, uuid.New(), a.ID})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[uuid.UUID]string{a.ID: "Siti Aminah", b.ID: "Budi Santoso"}, got); diff != "" {
		t.Errorf("names (-want +got):\n%s", diff)
	}
	if got, err := db.WorkerNames(t.Context(), nil); err != nil || len(got) != 0 {
		t.Errorf("no IDs: %v, %v", got, err)
	}
}

func TestRecordAccessesInOneChainedBatch(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	key := auditKey(t)
	before := count(t, db, `SELECT count(*) FROM audit_events`)
	evs := []lindungi.Event{access(1), access(2), access(3)}
	for i := range evs {
		evs[i].Purpose = "case-work"
	}
	if err := db.RecordAccesses(t.Context(), evs); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, `SELECT count(*) FROM audit_events WHERE action = 'access.worker' AND purpose = 'case-work'`); n != 3 {
		t.Errorf("%d access events, want 3", n)
	}
	if rep := verify(t, db, key); !rep.OK || rep.Events != int64(before+3) {
		t.Errorf("report %+v, want the chain whole with %d events", rep, before+3)
	}

	// A batch with one bad event writes none of them.
	bad := access(4)
	bad.After = json.RawMessage(`{"not json`)
	if err := db.RecordAccesses(t.Context(), []lindungi.Event{access(5), bad}); err == nil {
		t.Fatal("a batch with a malformed event was written")
	}
	if n := count(t, db, `SELECT count(*) FROM audit_events`); n != before+3 {
		t.Errorf("%d events after a failed batch, want %d", n, before+3)
	}
	if err := db.RecordAccesses(t.Context(), nil); err != nil {
		t.Error(err)
	}
}
