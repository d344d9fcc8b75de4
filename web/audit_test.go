package web

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/auditlog"
)

// auditFixture is the frame of an audit page for an auditor of the
// province, under a purpose.
func auditFixture(lang string) AuditPage {
	p := testPage(lang)
	p.User = &User{Name: "Demo auditor Jawa Tengah", Unit: "33", UnitName: "Provinsi Jawa Tengah", Roles: []string{lindungi.RoleAuditor}}
	p.May, p.Nav = func(string) bool { return true }, "audit"
	return AuditPage{Page: p, Purpose: "BPK-2026-07", PurposeURL: PurposeURL("/audit")}
}

// TestAuditViews renders every audit page with its data in both
// languages: the purpose on each, labelled inputs, one h1, the CSRF token
// of each post form, no inline script or style.
func TestAuditViews(t *testing.T) {
	worker := uuid.New()
	at := time.Date(2026, 12, 23, 1, 2, 3, 0, time.UTC)
	read := auditlog.Record{Seq: 7, Event: lindungi.Event{Actor: "caseworker-3305", ActorUnit: "3305", ActorRole: "caseworker",
		Action: "access.worker", SubjectType: "worker", SubjectID: worker.String(), WorkerID: &worker, Purpose: "verifikasi dokumen", OccurredAt: at}}
	change := auditlog.Record{Seq: 6, Event: lindungi.Event{Actor: "caseworker-3305", ActorUnit: "3305", ActorRole: "caseworker",
		Action: "task.complete", SubjectType: "task", SubjectID: uuid.NewString(), WorkerID: &worker,
		After: json.RawMessage(`{"status": "completed"}`), Rule: "p, caseworker, /v1/tasks/:id/complete, POST", OccurredAt: at}}
	for _, lang := range Languages {
		a := auditFixture(lang)
		p := a.Page
		pages := map[string]any{
			"audit": AuditHomePage{AuditPage: a, Query: Field{Name: "q", Label: p.T("audit.search.label"), Type: "search"},
				Queries: []AuditLink{{URL: "/audit/pengguna", Label: p.T("audit.q.user.title"), Hint: p.T("audit.q.user.hint")}}},
			"audit_purpose": AuditPurposePage{Page: p, Next: "/audit", Purpose: Field{Name: "purpose", Label: p.T("audit.purpose.label"), Required: true}},
			"audit_trace": AuditTracePage{AuditPage: a, Name: "Siti Aminah", WorkerID: worker.String(),
				From: Field{Name: "from", Label: p.T("audit.filter.from"), Type: "date"}, To: Field{Name: "to", Label: p.T("audit.filter.to"), Type: "date"},
				Action: Select{Name: "action", Label: p.T("audit.filter.action"), Options: []Option{{Value: "task.", Label: p.T("audit.actions.task")}}},
				Actor:  Field{Name: "actor", Label: p.T("audit.filter.actor")},
				Events: p.AuditEventTable([]auditlog.Record{change}, map[string]string{"3305": "Kabupaten Kebumen"}, EventColumns{AsOf: worker.String()}),
				Reads:  p.AuditReadTable([]auditlog.Record{read}, nil)},
			"audit_asof": AuditAsOfPage{AuditPage: a, Name: "Siti Aminah", TraceURL: "/audit/pekerja/" + worker.String(), AtText: p.Instant(at),
				At:        Field{Name: "pada", Label: p.T("audit.asof.at"), Type: "datetime-local", Value: LocalDateTime(at)},
				Documents: p.DocumentTable([]lindungi.Document{{Type: lindungi.DocKTP, Number: "3305011508950001", Status: lindungi.DocVerified, CreatedAt: at}}),
				Tasks:     p.AuditTaskTable([]lindungi.Task{{Kind: lindungi.TaskVerifyRegistration, Status: lindungi.TaskOpen, Unit: "3305", DueDate: "2026-12-28"}}, nil),
				Cases:     p.AuditCaseTable(nil, nil)},
			"audit_changes": AuditChangesPage{AuditPage: a, Name: "Siti Aminah", TraceURL: "/audit/pekerja/" + worker.String(), Registered: true,
				From: Field{Name: "dari", Label: p.T("audit.changes.from"), Type: "datetime-local"}, To: Field{Name: "sampai", Label: p.T("audit.changes.to"), Type: "datetime-local"},
				Changes: p.AuditChangeTable([]auditlog.Change{{Record: "worker", RecordID: worker.String(), Field: "journey_step",
					Before: json.RawMessage(`"REGISTERED"`), After: json.RawMessage(`"TRAINING"`)}})},
			"audit_query": AuditQueryPage{AuditPage: a, Title: p.T("audit.q.escalations.title"), Action: "/audit/eskalasi", Asked: true, CSVURL: "/audit/eskalasi?format=csv",
				Unit: &Select{Name: "unit", Label: p.T("audit.filter.unit"), Options: []Option{{Value: "33", Label: "Provinsi Jawa Tengah (33)", Selected: true}}},
				Results: p.AuditEscalationTable([]EscalationRow{{Top: change, Task: lindungi.Task{Kind: lindungi.TaskVerifyRegistration},
					Path: []string{"3305", "33", "ID"}, Moves: 2}}, map[string]string{"3305": "Kabupaten Kebumen"})},
			"audit_chain": AuditChainPage{AuditPage: a, Ran: true, Result: p.AuditResultOf(auditlog.Report{Events: 4, FirstSeq: 1, LastSeq: 4,
				Failure: &auditlog.Failure{Seq: 5, Reason: auditlog.Removed, Detail: "the chain jumps from seq 4 to 6"}})},
			"audit_export": AuditExportPage{AuditPage: a, From: Field{Name: "from", Label: p.T("audit.filter.from"), Type: "date"},
				To: Field{Name: "to", Label: p.T("audit.filter.to"), Type: "date"}, Unit: Select{Name: "unit", Label: p.T("audit.export.unit")}},
			"audit_check": AuditCheckPage{AuditPage: a, File: Field{Name: "export", Label: p.T("audit.check.file"), Hint: p.T("audit.check.file_hint", "MB", "64")},
				Checked: true, Result: p.AuditResultOf(auditlog.Report{OK: true, Events: 3, FirstSeq: 1, LastSeq: 3})},
		}
		for name, data := range pages {
			t.Run(lang+"/"+name, func(t *testing.T) {
				res, body := render(t, name, data)
				checkHeaders(t, res)
				checkMarkup(t, body)
				if name != "audit_purpose" && !strings.Contains(body, "BPK-2026-07") {
					t.Error("the page does not show the session's purpose")
				}
				if !strings.Contains(body, `href="/audit" aria-current="page"`) {
					t.Error("the menu does not mark Audit")
				}
			})
		}
		// The words that matter, in the page's language.
		_, body := render(t, "audit_chain", pages["audit_chain"])
		want := map[string]string{Indonesian: "Gagal di peristiwa #5", English: "Failed at event #5"}[lang]
		if !strings.Contains(body, want) || !strings.Contains(body, map[string]string{Indonesian: "Dihapus", English: "Removed"}[lang]) {
			t.Errorf("%s: the failed verification does not say where and why", lang)
		}
		_, body = render(t, "audit_query", pages["audit_query"])
		if !strings.Contains(body, "Kabupaten Kebumen → 33 → ID") {
			t.Errorf("%s: the escalation's path is not shown", lang)
		}
	}
}
