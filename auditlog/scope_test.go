package auditlog_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/auditlog"
)

// TestScopedExport checks an export that keeps only some events of its
// stretch (one province's): intact it verifies, checkpoints that fall on
// its events or on the link of the event after them are compared; each
// event edited, re-hashed or moved is named, and a consistent rewrite
// still breaks the signature.
func TestScopedExport(t *testing.T) {
	key := testKey(t)
	rs := chain(t, 12)
	// The province's events: 3, 4, 7, 8, 11 (the others are of other units).
	kept := []auditlog.Record{rs[2], rs[3], rs[6], rs[7], rs[10]}
	payload := auditlog.ExportPayload{Scope: "33", ExportedAt: t0.Add(time.Hour), ExportedBy: "auditor-33",
		FirstSeq: 3, LastSeq: 12, PrevHash: rs[1].Hash, Events: kept,
		Checkpoints: linked(key,
			func(prev *auditlog.Checkpoint) auditlog.Checkpoint {
				return key.SignCheckpoint(4, rs[3].Hash, t0, prev)
			}, // on an event of the file
			func(prev *auditlog.Checkpoint) auditlog.Checkpoint {
				return key.SignCheckpoint(6, rs[5].Hash, t0, prev)
			}, // on the link of event 7
			func(prev *auditlog.Checkpoint) auditlog.Checkpoint {
				return key.SignCheckpoint(9, rs[8].Hash, t0, prev)
			}, // on neither: its signature only
			func(prev *auditlog.Checkpoint) auditlog.Checkpoint {
				return key.SignCheckpoint(12, rs[11].Hash, t0, prev)
			}, // the last event, another unit's
		)}
	sign := func(p auditlog.ExportPayload) []byte {
		t.Helper()
		ex, err := key.SignExport(p)
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(ex)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	rep, err := auditlog.VerifyExport(sign(payload), key.Public())
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK || rep.Events != 5 || rep.Checkpoints != 4 || rep.LastSeq != 11 || rep.LastHash != rs[10].Hash {
		t.Fatalf("intact scoped export: %+v %+v", rep.Report, rep.Failure)
	}

	edit := func(change func(p *auditlog.ExportPayload)) auditlog.ExportPayload {
		p := payload
		p.Events = append([]auditlog.Record(nil), payload.Events...)
		p.Checkpoints = append([]auditlog.Checkpoint(nil), payload.Checkpoints...)
		change(&p)
		return p
	}
	tests := []struct {
		name       string
		payload    auditlog.ExportPayload
		wantSeq    int64
		wantReason string
	}{
		{"actor edited", edit(func(p *auditlog.ExportPayload) { p.Events[2].Actor = "mallory" }), 7, auditlog.Changed},
		{"edited and re-hashed: the next event in the file no longer links", edit(func(p *auditlog.ExportPayload) {
			p.Events[2].Actor = "mallory"
			rehash(t, &p.Events[2])
		}), 7, auditlog.Changed},
		{"the first event no longer starts from the stretch's hash", edit(func(p *auditlog.ExportPayload) {
			p.Events[0].Actor = "mallory"
			rehash(t, &p.Events[0])
			p.Events[0].PrevHash = auditlog.Digest{1}
			rehash(t, &p.Events[0])
		}), 3, auditlog.Changed},
		{"an event on a checkpoint rewritten and re-hashed", edit(func(p *auditlog.ExportPayload) {
			p.Events[1].Actor = "mallory"
			rehash(t, &p.Events[1])
		}), 4, auditlog.BadCheckpoint},
		{"an event's link rewritten and re-hashed: the next one no longer links", edit(func(p *auditlog.ExportPayload) {
			p.Events[2].PrevHash = auditlog.Digest{6}
			rehash(t, &p.Events[2])
		}), 7, auditlog.Changed},
		{"a lone event's link rewritten and re-hashed: the checkpoint before it", edit(func(p *auditlog.ExportPayload) {
			p.Events = []auditlog.Record{p.Events[2]}
			p.Events[0].PrevHash = auditlog.Digest{6}
			rehash(t, &p.Events[0])
		}), 7, auditlog.BadCheckpoint},
		{"an event from outside the stretch", edit(func(p *auditlog.ExportPayload) { p.Events = append(p.Events, rs[0]) }), 1, auditlog.Inserted},
		{"two events swapped", edit(func(p *auditlog.ExportPayload) { p.Events[3], p.Events[4] = p.Events[4], p.Events[3] }), 8, auditlog.Inserted},
	}
	for _, tt := range tests {
		rep, err := auditlog.VerifyExport(sign(tt.payload), key.Public())
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if rep.OK || rep.Failure == nil || rep.Failure.Seq != tt.wantSeq || rep.Failure.Reason != tt.wantReason {
			t.Errorf("%s: %+v, want seq %d %s", tt.name, rep.Failure, tt.wantSeq, tt.wantReason)
		}
	}

	// A consistent rewrite of an event between checkpoints passes the
	// chain checks but not the signature.
	file := sign(payload)
	var doc map[string]any
	json.Unmarshal(file, &doc)
	ev := doc["payload"].(map[string]any)["events"].([]any)[4].(map[string]any)
	ev["actor"] = "mallory"
	edited, _ := json.Marshal(doc)
	if rep, _ := auditlog.VerifyExport(edited, key.Public()); rep.OK || rep.Failure.Seq != 11 || rep.Failure.Reason != auditlog.Changed ||
		rep.Failure.Detail != "its content no longer matches its hash; the export's signature does not verify either" {
		t.Errorf("an edited event of a signed file: %+v", rep.Failure)
	}
}

// TestDiff lists the fields of a worker's file that changed between two
// instants, and the records that came into it.
func TestDiff(t *testing.T) {
	w := lindungi.Worker{ID: worker, Name: "Siti", JourneyStep: lindungi.StepRegistered, DomicileUnit: "3305", CreatedAt: t0, UpdatedAt: t0}
	task := lindungi.Task{ID: uuid.NewSHA1(uuid.NameSpaceOID, []byte("task")), WorkerID: worker, Kind: lindungi.TaskVerifyRegistration, Status: lindungi.TaskOpen, Unit: "3305"}
	doc := lindungi.Document{ID: uuid.NewSHA1(uuid.NameSpaceOID, []byte("doc")), WorkerID: worker, Type: lindungi.DocKTP, Status: lindungi.DocPending}
	pcase := lindungi.Case{ID: uuid.NewSHA1(uuid.NameSpaceOID, []byte("case")), Number: "PGD-33-2026-000001", Step: lindungi.CaseReceived, DaysOpen: 1}
	a := auditlog.WorkerFile{At: t0, Worker: w, Tasks: []lindungi.Task{task}, Documents: []lindungi.Document{doc}}

	b := a
	b.Worker.JourneyStep, b.Worker.UpdatedAt = lindungi.StepTraining, t0.Add(time.Hour)
	doneTask := task
	doneTask.Status, doneTask.Outcome = lindungi.TaskCompleted, lindungi.OutcomeApproved
	verified := doc
	verified.Status, verified.VerifiedBy = lindungi.DocVerified, "verifier-3305"
	later := pcase
	later.DaysOpen = 9 // counted to the instant: not a change
	b.Tasks, b.Documents, b.Cases = []lindungi.Task{doneTask}, []lindungi.Document{verified}, []lindungi.Case{later}

	var got []string
	for _, c := range auditlog.Diff(a, b) {
		got = append(got, c.Record+" "+c.Field+": "+string(c.Before)+" -> "+string(c.After))
	}
	whole, _ := json.Marshal(later)
	want := []string{
		`worker journey_step: "REGISTERED" -> "TRAINING"`,
		`worker updated_at: "2026-12-23T01:02:03.456789Z" -> "2026-12-23T02:02:03.456789Z"`,
		`task outcome:  -> "approved"`,
		`task status: "open" -> "completed"`,
		`document status: "pending" -> "verified"`,
		`document verified_by:  -> "verifier-3305"`,
		`case :  -> ` + string(whole),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Diff (-want +got):\n%s", diff)
	}
	if d := auditlog.Diff(b, b); len(d) != 0 {
		t.Errorf("a file against itself: %+v", d)
	}
}

// TestDiffFromBeforeRegistration: from the zero file (the worker not
// registered yet) every record of the later file is new.
func TestDiffFromBeforeRegistration(t *testing.T) {
	b := auditlog.WorkerFile{Worker: lindungi.Worker{ID: worker, Name: "Siti"},
		Tasks: []lindungi.Task{{ID: uuid.NewSHA1(uuid.NameSpaceOID, []byte("task"))}}}
	var got []string
	for _, c := range auditlog.Diff(auditlog.WorkerFile{}, b) {
		got = append(got, c.Record+" "+c.RecordID+" "+c.Field)
	}
	want := []string{"worker " + worker.String() + " ", "task " + b.Tasks[0].ID.String() + " "}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Diff from nothing (-want +got):\n%s", diff)
	}
}

// linked signs checkpoints in turn, each linked to the one before.
func linked(_ *auditlog.Key, signs ...func(prev *auditlog.Checkpoint) auditlog.Checkpoint) []auditlog.Checkpoint {
	var out []auditlog.Checkpoint
	var prev *auditlog.Checkpoint
	for _, sign := range signs {
		c := sign(prev)
		out = append(out, c)
		prev = &out[len(out)-1]
	}
	return out
}
