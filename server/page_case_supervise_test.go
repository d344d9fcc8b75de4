package server_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/workflows"
)

// TestSupervisorCaseForms: a supervisor's case page offers the three
// supervisors' forms (the case's categories ticked, the risk form raising
// an ordinary case and lowering a high-risk one but not a trafficking
// case, the unit's officers who take tasks to assign); each post goes to
// the workflow as the API's; a refusal shows the form again with the error
// next to its field; case workers, other districts and auditors are
// refused.
func TestSupervisorCaseForms(t *testing.T) {
	srv, store, flows := caseServer(t)
	path := "/kasus/" + store.pcase.ID.String()
	due := time.Now().In(lindungi.WIB).AddDate(0, 0, 7)
	store.caseTasks = []lindungi.Task{{ID: uuid.New(), WorkflowID: store.pcase.WorkflowID, WorkerID: store.worker.ID,
		Kind: lindungi.TaskCaseHandling, Unit: "3305", Status: lindungi.TaskOpen, DueAt: due, DueDate: due.Format(time.DateOnly)}}

	body := pageGet(t, srv, kebumenSupervisor, path).Body.String()
	for _, want := range []string{"Tindakan pimpinan", "Ubah kategori", `id="a-recategorise-UNPAID_WAGES" type="checkbox" name="categories" value="UNPAID_WAGES" checked`,
		`id="a-recategorise-TRAFFICKING" type="checkbox" name="categories" value="TRAFFICKING">`, "Naikkan ke risiko tinggi",
		`name="level" value="high"`, "Tugaskan ke petugas", `<option value="caseworker-3305">Demo caseworker 3305 (Petugas kasus)</option>`,
		`<option value="supervisor-3305">Demo supervisor 3305 (Kepala seksi)</option>`} {
		if !strings.Contains(body, want) {
			t.Errorf("the supervisor's case page lacks %q", want)
		}
	}
	for _, not := range []string{"Demo caseworker 3301", "Turunkan ke risiko biasa"} {
		if strings.Contains(body, not) {
			t.Errorf("the supervisor's case page offers %q", not)
		}
	}
	store.pcase.HighRisk = true
	if body := pageGet(t, srv, kebumenSupervisor, path).Body.String(); !strings.Contains(body, "Turunkan ke risiko biasa") ||
		!strings.Contains(body, `name="level" value="normal"`) {
		t.Error("a high-risk case is not offered to be lowered")
	}
	store.pcase.Categories = []lindungi.CaseCategory{lindungi.CatTrafficking}
	if forms := postForms(pageGet(t, srv, kebumenSupervisor, path).Body.String()); slices.Contains(forms, path+"/risiko") {
		t.Error("a trafficking case, high risk by rule, is offered to be lowered")
	}
	store.pcase.HighRisk, store.pcase.Categories = false, []lindungi.CaseCategory{lindungi.CatUnpaidWages}

	refused := func(name string, p lindungi.Principal, to string, form url.Values, status int, errorID string) {
		t.Helper()
		rec := postAs(t, srv, p, path+to, form)
		if rec.Code != status || (errorID != "" && !strings.Contains(rec.Body.String(), `id="`+errorID+`"`)) {
			t.Errorf("%s: %d, want %d with %s\n%s", name, rec.Code, status, errorID, rec.Body)
		}
		if len(*flows.acts) != 0 {
			t.Errorf("%s reached the workflow: %+v", name, *flows.acts)
		}
	}
	refused("no category", kebumenSupervisor, "/kategori", url.Values{"reason": {"Hasil verifikasi"}}, 422, "a-recategorise-categories-error")
	refused("raising without a reason", kebumenSupervisor, "/risiko", url.Values{"level": {"high"}}, 422, "a-risk-reason-error")
	refused("assigning to no one", kebumenSupervisor, "/tugaskan", url.Values{"reason": {"Menangani kasus serupa"}}, 422, "a-assign-assignee-error")
	refused("a case worker's recategorisation", kebumenCaseworker, "/kategori", url.Values{"categories": {"JOB_FRAUD"},
		"reason": {"Hasil verifikasi"}}, 403, "")
	refused("a case worker's assignment", kebumenCaseworker, "/tugaskan", url.Values{"assignee": {"caseworker-3305"},
		"reason": {"Menangani kasus serupa"}}, 403, "")
	refused("Cilacap's supervisor raising", lindungi.Principal{Subject: "sup-3301", Unit: "3301", Roles: []string{"supervisor"}}, "/risiko",
		url.Values{"level": {"high"}, "reason": {"Indikasi TPPO"}}, 404, "")
	refused("an auditor raising", provinceAuditor, "/risiko", url.Values{"level": {"high"}, "reason": {"Indikasi TPPO"}}, 403, "")
	rec := postAs(t, srv, kebumenSupervisor, path+"/kategori", url.Values{"categories": {"JOB_FRAUD"}})
	if !strings.Contains(rec.Body.String(), `id="a-recategorise-JOB_FRAUD" type="checkbox" name="categories" value="JOB_FRAUD" checked`) ||
		strings.Contains(rec.Body.String(), `value="UNPAID_WAGES" checked`) {
		t.Error("the refused recategorisation does not show the categories ticked in it")
	}

	done := func(to string, form url.Values) {
		t.Helper()
		rec := postAs(t, srv, kebumenSupervisor, path+to, form)
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != path {
			t.Errorf("%s: %d %s\n%s", to, rec.Code, rec.Header().Get("Location"), rec.Body)
		}
	}
	*flows.acts = nil
	done("/kategori", url.Values{"categories": {"UNPAID_WAGES", "job_fraud"}, "reason": {"Hasil verifikasi"}})
	done("/risiko", url.Values{"level": {"high"}, "reason": {"Indikasi TPPO"}})
	done("/tugaskan", url.Values{"assignee": {"caseworker-3305"}, "reason": {"Menangani kasus serupa"}})
	acts := *flows.acts
	if len(acts) != 3 ||
		acts[0].Action != workflows.ActRecategorise || !slices.Equal(acts[0].Categories, []lindungi.CaseCategory{lindungi.CatUnpaidWages, lindungi.CatJobFraud}) ||
		acts[0].Reason != "Hasil verifikasi" ||
		acts[1].Action != workflows.ActSetRisk || acts[1].Risk != lindungi.RiskHigh || acts[1].Reason != "Indikasi TPPO" ||
		acts[2].Action != workflows.ActAssign || acts[2].Assignee != "caseworker-3305" || acts[2].AssigneeUnit != "3305" ||
		acts[2].Actor.Subject != "sup-3305" {
		t.Errorf("case actions sent: %+v", acts)
	}
}

// TestCaseTimelineSaysSupervision: the timeline says in words what a
// recategorisation, a risk change and an assignment did.
func TestCaseTimelineSaysSupervision(t *testing.T) {
	srv, store, _ := caseServer(t)
	after := func(v any) json.RawMessage { b, _ := json.Marshal(v); return b }
	at := time.Date(2026, 11, 27, 7, 30, 0, 0, time.UTC)
	sup := lindungi.Event{Actor: "sup-3305", ActorRole: "supervisor", ActorUnit: "3305", OccurredAt: at, SubjectType: "case"}
	recat, risk, assign := sup, sup, sup
	recat.Action, recat.After = "case.recategorise", after(map[string]any{"categories": []string{"JOB_FRAUD"}, "reason": "Hasil verifikasi"})
	risk.Action, risk.After = "case.risk", after(map[string]any{"high_risk": true, "reason": "Indikasi TPPO"})
	assign.Action, assign.After = "case.assign", after(map[string]any{"assignee": "caseworker-3305", "reason": "Menangani kasus serupa"})
	store.timeline = []lindungi.Event{assign, risk, recat}
	body := pageGet(t, srv, kebumenSupervisor, "/kasus/"+store.pcase.ID.String()).Body.String()
	for _, want := range []string{"Kategori diubah", "Penipuan peluang kerja · Hasil verifikasi", "Tingkat risiko diubah",
		"risiko tinggi · Indikasi TPPO", "Kasus ditugaskan", "kepada Ibu caseworker-3305 · Menangani kasus serupa"} {
		if !strings.Contains(body, want) {
			t.Errorf("the timeline lacks %q", want)
		}
	}
}
