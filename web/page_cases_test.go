package web

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
)

// caseFixture is a case resolved with Rp 42.000.000, a closure waiting, a
// note, its timeline, and every form of the case page offered.
func caseFixture(lang string) CasePage {
	p := testPage(lang)
	received := time.Date(2026, 11, 27, 7, 30, 0, 0, time.UTC)
	c := lindungi.Case{ID: uuid.New(), Number: "PGD-33-2026-000042", Channel: lindungi.ChannelWalkIn,
		Complainant: lindungi.Complainant{Name: "Tarsih <ibu>", Relation: lindungi.ComplainantFamily, Phone: "+6281322224444"},
		Categories:  []lindungi.CaseCategory{lindungi.CatUnpaidWages, lindungi.CatDocumentsWithheld}, Country: "MY",
		Description: "Gaji tidak dibayar.\nPaspor ditahan.", RiskFlags: []string{lindungi.FlagMinor}, HighRisk: true,
		IntakeUnit: "3305", OwnerUnit: "33", Step: lindungi.CaseResolved, ReceivedAt: received, LastContactAt: received,
		Resolution: "WAGES_PAID", MoneyRecovered: 42000000, DaysOpen: 3}
	after := func(v any) json.RawMessage { b, _ := json.Marshal(v); return b }
	task := uuid.New()
	events := []lindungi.Event{
		{Actor: "sup-33", ActorRole: lindungi.RoleProvinceSupervisor, ActorUnit: "33", Action: "task.complete", SubjectType: "task",
			SubjectID: task.String(), After: after(map[string]any{"outcome": "approved"}), OccurredAt: received.Add(3 * time.Hour)},
		{Actor: "system:lindungi", Action: "task.create", SubjectType: "task", SubjectID: task.String(),
			After:      after(map[string]any{"kind": "REFERRAL_DECISION", "unit": "33", "due_at": time.Date(2026, 12, 5, 0, 0, 0, 0, lindungi.WIB)}),
			OccurredAt: received.Add(2 * time.Hour)},
		{Actor: "cw-3305", ActorRole: lindungi.RoleCaseworker, ActorUnit: "3305", Action: "case.refer", SubjectType: "case",
			After: after(map[string]any{"to_unit": "33", "consent": true, "step": "RECEIVED"}), OccurredAt: received.Add(time.Hour)},
		{Actor: "cw-3305", ActorRole: lindungi.RoleCaseworker, ActorUnit: "3305", Action: "case.resolve", SubjectType: "case",
			After: after(map[string]any{"resolution": "WAGES_PAID", "money_recovered_idr": 42000000, "step": "RESOLVED"}), OccurredAt: received.Add(time.Hour)},
		{Actor: "cw-3305", ActorRole: lindungi.RoleCaseworker, ActorUnit: "3305", Action: "case.open", SubjectType: "case",
			After: after(map[string]any{"owner_unit": "3305", "step": "RECEIVED"}), OccurredAt: received},
	}
	d := CasePage{Page: p, ID: c.ID, Number: c.Number, Step: p.CaseStep(c.Step), Badges: p.CaseBadges(c), Worker: "Warsini",
		WorkerURL: "/pekerja/x", Provisional: true, Facts: p.CaseFacts(c, testUnits), Description: c.Description,
		Deadlines: p.DeadlineTable(nil, testUnits, december, received),
		Timeline:  p.Timeline(TimelineInput{Events: events, Units: testUnits, Names: map[string]string{"cw-3305": "Demo caseworker 3305"}}),
		Notes: p.NoteEntries([]lindungi.CaseNote{{Text: "Keluarga datang.", Author: "cw-3305", AuthorName: "Demo caseworker 3305",
			AuthorUnit: "3305", AuthorRole: lindungi.RoleCaseworker, CreatedAt: received}}, testUnits),
		NoteForm:      &TextArea{Name: "text", Label: p.T("case.note"), Required: true},
		InfoRequested: true, Units: []Option{{Value: "33", Label: "Jawa Tengah"}},
		Resolutions: Options(Resolutions, p.Resolution, "", ""),
		Actions:     map[string]string{},
	}
	for _, name := range []string{"note", "verify", "request_info", "contact", "clarify", "mediate", "told_unresolvable", "refer", "transfer",
		"resolve", "propose_closure", "escalate", "reopen", "closure_approve", "closure_reject", "referral_accept", "referral_reject",
		"transfer_accept", "transfer_reject"} {
		d.Actions[name] = "/kasus/" + c.ID.String() + "/" + name
	}
	return d
}

func TestCasePageView(t *testing.T) {
	for _, tt := range []struct {
		lang string
		want []string
	}{
		{Indonesian, []string{"Kasus PGD-33-2026-000042", "Terselesaikan", "Risiko tinggi", "Warsini", "Data sementara",
			"Gaji tidak dibayar, Penahanan dokumen", "Tarsih &lt;ibu&gt;", "Keluarga", "Datang langsung", "Malaysia",
			"Melibatkan anak", "Jawa Tengah", "Rp 42.000.000", "Gaji dibayarkan", "27 Nov 2026 14.30 WIB",
			"Apakah pekerja sudah menyetujui rujukan ini?", "Ya, pekerja sudah setuju", "Tidak atau belum",
			"Setujui penutupan", "Tolak penutupan", "Terima rujukan", "Terima pengalihan", "Buka kembali", "Eskalasi",
			"Informasi yang diminta sudah diterima", "Keluarga datang.", "Demo caseworker 3305",
			"Tugas dibuat", "Keputusan rujukan · batas 4 Des 2026", "Kasus dirujuk", "ke Jawa Tengah · dengan persetujuan pekerja",
			"Gaji dibayarkan · Rp 42.000.000 dipulihkan", "penanggung jawab: Kabupaten Kebumen", "disetujui", "Sistem",
			"Petugas kasus · Kabupaten Kebumen", "Pengawas provinsi · Jawa Tengah"}},
		{English, []string{"Case PGD-33-2026-000042", "Resolved", "High risk", "Unpaid wages", "Walk-in", "Family",
			"Has the worker consented to this referral?", "Approve closure", "Accept the referral", "Decide on referral · due 4 Dec 2026",
			"with the worker&#39;s consent", "Rp 42.000.000 recovered", "System", "27 Nov 2026 14:30 WIB"}},
	} {
		t.Run(tt.lang, func(t *testing.T) {
			res, body := render(t, "case", caseFixture(tt.lang))
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("the case page lacks %q", w)
				}
			}
			for _, raw := range []string{"case.act.", "timeline.", "WAGES_PAID<", "WALK_IN<", "Tarsih <ibu>", "REFERRAL_DECISION"} {
				if strings.Contains(body, raw) {
					t.Errorf("the case page shows %q: a code, a missing message or unescaped text", raw)
				}
			}
			checkHeaders(t, res)
			checkMarkup(t, body)
		})
	}
}

// TestCasePageRefusedForm: the refused form is open, its errors next to
// its fields, its values kept; the other forms are closed and clean.
func TestCasePageRefusedForm(t *testing.T) {
	d := caseFixture(Indonesian)
	d.Failed = "refer"
	d.Errors = map[string]string{"consent": "Jawab pertanyaan persetujuan pekerja.", "to_unit": "Pilih unit."}
	d.Values = map[string]string{"to_unit": "33", "to_agency": "Polda <Jateng>", "consent": "no", "reason": "alasan"}
	_, body := render(t, "case", d)
	for _, w := range []string{`id="a-refer-consent-error">Jawab pertanyaan persetujuan pekerja.<`, `id="a-refer-to_unit-error">Pilih unit.<`,
		`<option value="33" selected>`, `value="Polda &lt;Jateng&gt;"`, `id="a-refer-consent-no" type="radio" name="consent" value="no" required checked`,
		`>alasan</textarea>`} {
		if !strings.Contains(body, w) {
			t.Errorf("the refused form lacks %q", w)
		}
	}
	if n := strings.Count(body, "<details class=\"task-form\" open>"); n != 1 {
		t.Errorf("%d forms open, want the refused one", n)
	}
	checkMarkup(t, body)
}

func TestIntakePageView(t *testing.T) {
	p := testPage(Indonesian)
	d := IntakePage{Page: p, Invalid: true, Searched: true, Query: "Siti",
		Search:          Field{Name: "q", Label: "Cari"},
		Subjects:        []Choice{{ID: "f-worker-1", Value: "1", Label: "Siti <A>"}, {ID: "f-worker-new", Label: p.T("intake.subject_new"), Checked: true}},
		SubjectName:     Field{Name: "subject_name", Label: "Nama"},
		PowerOfAttorney: Check{ID: "f-poa", Name: "complainant_power_of_attorney", Value: "true", Label: "Surat kuasa"},
		Channel:         Select{Name: "channel", Label: "Saluran", Options: Options(lindungi.Channels, p.Channel, "-", "WALK_IN")},
		CategoriesError: "Pilih 1 sampai 5 kategori dari daftar.",
		Description:     TextArea{Name: "description", Label: "Kronologi", Value: "a < b", Error: "Ceritakan"},
	}
	for _, c := range p.SortedCategories() {
		d.Categories = append(d.Categories, Check{ID: "f-cat-" + string(c), Name: "categories", Value: string(c), Label: p.Category(c)})
	}
	_, body := render(t, "case_new", d)
	for _, w := range []string{"Terima pengaduan", "Siti &lt;A&gt;", `id="f-worker-new" type="radio" name="worker_id" value="" checked`,
		`<option value="WALK_IN" selected>Datang langsung`, `id="f-categories-error"`, "Perdagangan orang (TPPO)",
		`id="f-description-error"`, `>a &lt; b</textarea>`, `name="q" value="Siti"`} {
		if !strings.Contains(body, w) {
			t.Errorf("the intake form lacks %q", w)
		}
	}
	if i, j := strings.Index(body, "Biaya penempatan berlebih"), strings.Index(body, "Tidak dipulangkan"); i < 0 || j < i {
		t.Error("the categories are not in the order of their words")
	}
	checkMarkup(t, body)
}

func TestParseRupiah(t *testing.T) {
	for in, want := range map[string]int64{"42000000": 42000000, "42.000.000": 42000000, "Rp 42.000.000": 42000000, "": 0, " 5 000 ": 5000} {
		if got, ok := ParseRupiah(in); !ok || got != want {
			t.Errorf("ParseRupiah(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"-5", "4,2 juta", "Rp", "1e9", "99999999999999999999"} {
		if _, ok := ParseRupiah(in); ok && in != "Rp" {
			t.Errorf("ParseRupiah(%q) accepted", in)
		}
	}
}
