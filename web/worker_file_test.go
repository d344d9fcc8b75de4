package web

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/lindungi/lindungi"
)

// TestWorkerFileMessages fails when a message the worker file looks up by
// a code (a timeline action, a corrected field, an outcome, a refused
// field) is missing in either language.
func TestWorkerFileMessages(t *testing.T) {
	var ids []string
	for _, a := range lindungi.TimelineActions {
		ids = append(ids, "timeline."+a)
	}
	for _, f := range []string{"nik", "name", "phone", "address", "scheme", "placement_company", "job_order_ref"} {
		ids = append(ids, "correct.field."+f, "correct.error."+f)
	}
	for _, o := range []lindungi.Outcome{lindungi.OutcomeApproved, lindungi.OutcomeNeedsCorrection, lindungi.OutcomeRejected} {
		ids = append(ids, "outcome_done."+string(o))
	}
	for _, f := range []string{"type", "number", "issued_on", "expires_on", "file", "file_too_large"} {
		ids = append(ids, "doc.error."+f)
	}
	ids = append(ids, "correct.error.reason", "correct.conflict.nik", "correct.conflict.scheme")
	for _, id := range ids {
		for _, lang := range Languages {
			if !messages.has(lang, id) {
				t.Errorf("%s.toml has no %q", lang, id)
			}
		}
	}
}

func TestWorkerTimeline(t *testing.T) {
	at := time.Date(2026, 12, 23, 7, 30, 0, 0, time.UTC)
	entries := []lindungi.TimelineEntry{
		{OccurredAt: at, Action: "journey.step", Actor: "system:lindungi", ActorRole: "system", After: json.RawMessage(`{"journey_step":"TRAINING"}`)},
		{OccurredAt: at, Action: "document.verify", Actor: "verifier-3305", ActorRole: "verifier", ActorUnit: "3305",
			After: json.RawMessage(`{"type":"KTP","status":"verified"}`)},
		{OccurredAt: at, Action: "worker.correct", Actor: "sup-3305", ActorName: "Budi", ActorRole: "supervisor", ActorUnit: "3305",
			After: json.RawMessage(`{"nik":"33************02","phone":"+6**********88","reason":"salah ketik"}`)},
	}
	got := NewPrinter(Indonesian).WorkerTimeline(WorkerTimelineInput{Entries: entries, Units: map[string]string{"3305": "Kabupaten Kebumen"}})
	want := []TimelineItem{
		{When: "23 Des 2026 14.30 WIB", What: "Masuk tahap Pelatihan", Who: "Sistem", Step: true},
		{When: "23 Des 2026 14.30 WIB", What: "Dokumen diverifikasi: Kartu Tanda Penduduk (KTP)", Who: "verifier-3305 · Verifikator · Kabupaten Kebumen"},
		{When: "23 Des 2026 14.30 WIB", What: "Data dikoreksi: NIK, nomor HP", Who: "Budi · Kepala seksi · Kabupaten Kebumen"},
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("entry %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	en := NewPrinter(English).WorkerTimeline(WorkerTimelineInput{Entries: entries[:1]})
	if en[0].What != "Entered Training" || !strings.HasSuffix(en[0].When, "14:30 WIB") {
		t.Errorf("English: %+v", en[0])
	}
}

func TestBytes(t *testing.T) {
	id, en := NewPrinter(Indonesian), NewPrinter(English)
	for _, tt := range []struct {
		n      int
		id, en string
	}{{850, "850 B", "850 B"}, {120 << 10, "120 KB", "120 KB"}, {2516582, "2,4 MB", "2.4 MB"}} {
		if got := id.Bytes(tt.n); got != tt.id {
			t.Errorf("id %d = %q, want %q", tt.n, got, tt.id)
		}
		if got := en.Bytes(tt.n); got != tt.en {
			t.Errorf("en %d = %q, want %q", tt.n, got, tt.en)
		}
	}
}
