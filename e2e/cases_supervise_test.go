package e2e_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lindungi/lindungi"
)

// kebumenComplaint takes in a complaint about a person never seen, at
// Kebumen, and waits for its handling task.
func kebumenComplaint(t *testing.T, s *system, name string, cats ...lindungi.CaseCategory) lindungi.Case {
	t.Helper()
	cw := s.user("caseworker-3305", "3305", lindungi.RoleCaseworker)
	r := cw.do("POST", "/v1/cases", lindungi.NewComplaint{Channel: lindungi.ChannelWalkIn,
		Complainant: lindungi.Complainant{Name: "Parmi", Relation: lindungi.ComplainantFamily},
		Subject:     &lindungi.CaseSubject{Name: name, DomicileUnit: "3305"}, Categories: cats, Country: "MY",
		Description: "Gaji tidak dibayar selama tujuh bulan; paspor ditahan majikan.", Unit: "3305"})
	if r.Status != http.StatusCreated {
		t.Fatalf("intake = %d %s", r.Status, r.Body)
	}
	var pc lindungi.Case
	r.decode(t, &pc)
	eventually(t, "the handling task", func() bool {
		var n int
		s.db.SQL().Get(&n, `SELECT count(*) FROM tasks WHERE workflow_id = $1 AND kind = 'CASE_HANDLING' AND status = 'open'`, pc.WorkflowID)
		return n == 1
	})
	return pc
}

// handlingTask is where a case's open handling task stands.
type handlingTask struct {
	Unit      string    `db:"unit"`
	Role      string    `db:"holder_role"`
	Rule      string    `db:"route_rule"`
	ClaimedBy string    `db:"claimed_by"`
	DueAt     time.Time `db:"due_at"`
}

func handlingOf(t *testing.T, s *system, pc lindungi.Case) handlingTask {
	t.Helper()
	var h handlingTask
	if err := s.db.SQL().Get(&h, `SELECT unit, holder_role, route_rule, claimed_by, due_at FROM tasks
		WHERE workflow_id = $1 AND kind = 'CASE_HANDLING' AND status = 'open'`, pc.WorkflowID); err != nil {
		t.Fatal(err)
	}
	return h
}

// eventAfter is the after of the one event of action with request ID, or
// fails.
func eventAfter(t *testing.T, s *system, action, requestID string) map[string]any {
	t.Helper()
	var rows []struct {
		After []byte `db:"after"`
		Rule  string `db:"rule"`
	}
	if err := s.db.SQL().Select(&rows, `SELECT after, rule FROM audit_events WHERE action = $1 AND request_id = $2`, action, requestID); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 {
		t.Fatalf("%d %s events of request %s, want one", len(rows), action, requestID)
	}
	out := map[string]any{"rule": rows[0].Rule}
	if err := json.Unmarshal(rows[0].After, &out); err != nil {
		t.Fatal(err)
	}
	out["rule"] = rows[0].Rule
	return out
}

// TestRaiseRiskReroutesCase: Kebumen's supervisor gives an ordinary case
// to a case worker of the district (one of Cilacap is refused), then
// raises it to high risk: by the routing policy its open handling task
// goes to the province's BP3MI officers with the high-risk deadline, the
// case with it, the BP3MI officers are told, and every step is in the
// audit trail with its reason. Kebumen then reads the case but no longer
// acts on it; the province lowers it, and nothing moves back.
func TestRaiseRiskReroutesCase(t *testing.T) {
	s := startSystem(t)
	supervisor := s.user("supervisor-3305", "3305", lindungi.RoleSupervisor)
	caseworker := s.user("caseworker-3305", "3305", lindungi.RoleCaseworker)
	pc := kebumenComplaint(t, s, "Warsiti", lindungi.CatUnpaidWages)
	id := pc.ID.String()
	before := handlingOf(t, s, pc)
	if before.Unit != "3305" || before.Role != lindungi.RoleCaseworker {
		t.Fatalf("the handling task starts at %+v, want Kebumen's case workers", before)
	}

	// Assigned to a Kebumen case worker, not to one of Cilacap.
	r := supervisor.do("POST", "/v1/cases/"+id+"/assign", map[string]any{"assignee": "caseworker-3301", "reason": "Petugas Cilacap"})
	if r.Status != http.StatusUnprocessableEntity || strings.Join(r.problem(t).fields(), " ") != "assignee" {
		t.Errorf("assigning to Cilacap = %d %s, want 422 naming assignee", r.Status, r.Body)
	}
	r = supervisor.do("POST", "/v1/cases/"+id+"/assign", map[string]any{"assignee": "caseworker-3305", "reason": "Menangani kasus serupa"},
		"X-Request-ID", "assign-1")
	if r.Status != http.StatusOK {
		t.Fatalf("assign = %d %s", r.Status, r.Body)
	}
	if h := handlingOf(t, s, pc); h.ClaimedBy != "caseworker-3305" {
		t.Errorf("after the assignment the handling task is held by %q", h.ClaimedBy)
	}
	if a := eventAfter(t, s, "case.assign", "assign-1"); a["assignee"] != "caseworker-3305" || a["reason"] != "Menangani kasus serupa" {
		t.Errorf("case.assign after = %v", a)
	}
	var notices struct{ Items []lindungi.Notification }
	caseworker.do("GET", "/v1/notifications", nil).decode(t, &notices)
	if len(notices.Items) == 0 || notices.Items[0].Kind != lindungi.NoticeAssigned || notices.Items[0].CaseID == nil ||
		*notices.Items[0].CaseID != pc.ID || notices.Items[0].Reason != "Menangani kasus serupa" {
		t.Errorf("the case worker's notifications: %+v, want the assignment of the case first, with its reason", notices.Items)
	}

	// A case worker may not raise it; the supervisor does.
	if r := caseworker.do("POST", "/v1/cases/"+id+"/risk", map[string]any{"level": "high", "reason": "Indikasi TPPO"}); r.Status != http.StatusForbidden {
		t.Errorf("a case worker raising = %d %s, want 403", r.Status, r.Body)
	}
	raise := map[string]any{"level": "high", "reason": "Indikasi TPPO: dijanjikan kerja, dipindah ke Kamboja"}
	r = supervisor.do("POST", "/v1/cases/"+id+"/risk", raise, "X-Request-ID", "raise-1", "Idempotency-Key", "raise-key-1")
	if r.Status != http.StatusOK {
		t.Fatalf("raise = %d %s", r.Status, r.Body)
	}
	var raised lindungi.Case
	r.decode(t, &raised)
	if !raised.HighRisk || raised.OwnerUnit != "33" || raised.IntakeUnit != "3305" {
		t.Errorf("the raised case: high risk %v, owner %s, intake %s; want high risk, owned by 33", raised.HighRisk, raised.OwnerUnit, raised.IntakeUnit)
	}
	after := handlingOf(t, s, pc)
	if after.Unit != "33" || after.Role != lindungi.RoleBP3MIOfficer || after.Rule != "high-risk-to-bp3mi" || after.ClaimedBy != "" ||
		!after.DueAt.Before(before.DueAt) {
		t.Errorf("the handling task after raising: %+v (before: %+v); want at 33 with the BP3MI officers by rule high-risk-to-bp3mi, "+
			"unclaimed, due sooner", after, before)
	}
	if a := eventAfter(t, s, "case.risk", "raise-1"); a["high_risk"] != true || a["reason"] != raise["reason"] {
		t.Errorf("case.risk after = %v", a)
	}
	if a := eventAfter(t, s, "task.reassign", "raise-1"); a["unit"] != "33" || a["by"] != lindungi.MovedByPolicy || a["rule"] != "high-risk-to-bp3mi" {
		t.Errorf("task.reassign after = %v, want to 33 by the policy's rule", a)
	}
	if a := eventAfter(t, s, "case.owner", "raise-1"); a["owner_unit"] != "33" {
		t.Errorf("case.owner after = %v", a)
	}
	bp3mi := s.user("bp3mi_officer-33", "33", lindungi.RoleBP3MIOfficer)
	bp3mi.do("GET", "/v1/notifications", nil).decode(t, &notices)
	if len(notices.Items) == 0 || notices.Items[0].Kind != lindungi.NoticeReassignedIn || notices.Items[0].OtherUnit != "3305" {
		t.Errorf("BP3MI's notifications: %+v, want the handling task arrived from Kebumen", notices.Items)
	}

	// The same request again answers the same; a new one is refused.
	again := supervisor.do("POST", "/v1/cases/"+id+"/risk", raise, "Idempotency-Key", "raise-key-1")
	if again.Status != http.StatusOK || string(again.Body) != string(r.Body) {
		t.Errorf("the raise retried with its key = %d %s, want the first answer", again.Status, again.Body)
	}
	var events int
	s.db.SQL().Get(&events, `SELECT count(*) FROM audit_events WHERE action = 'case.risk' AND subject_id = $1`, id)
	if events != 1 {
		t.Errorf("%d case.risk events after the retry, want 1", events)
	}

	// Kebumen reads the case (it took it in) but no longer acts on it; the
	// province lowers it, and the task stays at the province.
	if got := caseOf(t, supervisor, id); got.OwnerUnit != "33" {
		t.Errorf("Kebumen reads the case owned by %s", got.OwnerUnit)
	}
	lower := map[string]any{"level": "normal", "reason": "Klarifikasi: bukan TPPO"}
	if r := supervisor.do("POST", "/v1/cases/"+id+"/risk", lower); r.Status != http.StatusNotFound {
		t.Errorf("Kebumen lowering the province's case = %d %s, want 404", r.Status, r.Body)
	}
	province := s.user("province_supervisor-33", "33", lindungi.RoleProvinceSupervisor)
	if r := province.do("POST", "/v1/cases/"+id+"/risk", lower); r.Status != http.StatusOK {
		t.Fatalf("the province lowering = %d %s", r.Status, r.Body)
	}
	if h := handlingOf(t, s, pc); h.Unit != "33" || h.Role != lindungi.RoleBP3MIOfficer || !h.DueAt.Equal(after.DueAt) {
		t.Errorf("after lowering the handling task is %+v, want it left at 33 as it was", h)
	}
	if got := caseOf(t, province, id); got.HighRisk || got.OwnerUnit != "33" {
		t.Errorf("the lowered case: high risk %v, owner %s", got.HighRisk, got.OwnerUnit)
	}
	if r := province.do("POST", "/v1/cases/"+id+"/risk", lower); r.Status != http.StatusConflict {
		t.Errorf("lowering a case at normal risk = %d %s, want 409", r.Status, r.Body)
	}
}

// TestRecategoriseAsTraffickingRaisesRisk: re-categorised as trafficking,
// a Kebumen case becomes high risk and goes to BP3MI by the same route;
// then it may not be lowered while it is a trafficking case, and an
// unknown category is refused naming it.
func TestRecategoriseAsTraffickingRaisesRisk(t *testing.T) {
	s := startSystem(t)
	supervisor := s.user("supervisor-3305", "3305", lindungi.RoleSupervisor)
	pc := kebumenComplaint(t, s, "Darsih", lindungi.CatJobFraud)
	id := pc.ID.String()
	r := supervisor.do("POST", "/v1/cases/"+id+"/recategorise", map[string]any{"categories": []string{"JOB_FRAUD", "SMUGGLING"}, "reason": "Hasil verifikasi"})
	if r.Status != http.StatusUnprocessableEntity || strings.Join(r.problem(t).fields(), " ") != "categories[1]" {
		t.Errorf("an unknown category = %d %s, want 422 naming categories[1]", r.Status, r.Body)
	}
	r = supervisor.do("POST", "/v1/cases/"+id+"/recategorise", map[string]any{"categories": []string{"TRAFFICKING", "JOB_FRAUD"},
		"reason": "Korban direkrut untuk penipuan daring di Kamboja"}, "X-Request-ID", "recat-1")
	if r.Status != http.StatusOK {
		t.Fatalf("recategorise = %d %s", r.Status, r.Body)
	}
	var got lindungi.Case
	r.decode(t, &got)
	if !got.HighRisk || got.OwnerUnit != "33" || len(got.Categories) != 2 || got.Categories[0] != lindungi.CatTrafficking {
		t.Errorf("the recategorised case: %v, high risk %v, owner %s; want TRAFFICKING first, high risk, owned by 33", got.Categories, got.HighRisk, got.OwnerUnit)
	}
	if h := handlingOf(t, s, pc); h.Unit != "33" || h.Role != lindungi.RoleBP3MIOfficer {
		t.Errorf("the handling task after recategorising: %+v, want BP3MI's", h)
	}
	if a := eventAfter(t, s, "case.recategorise", "recat-1"); a["reason"] != "Korban direkrut untuk penipuan daring di Kamboja" {
		t.Errorf("case.recategorise after = %v", a)
	}
	eventAfter(t, s, "case.risk", "recat-1")
	province := s.user("province_supervisor-33", "33", lindungi.RoleProvinceSupervisor)
	if r := province.do("POST", "/v1/cases/"+id+"/risk", map[string]any{"level": "normal", "reason": "Bukan TPPO"}); r.Status != http.StatusConflict {
		t.Errorf("lowering a trafficking case = %d %s, want 409", r.Status, r.Body)
	}
}
