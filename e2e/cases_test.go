package e2e_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/lindungi/lindungi"
)

// caseOf reads a case as u.
func caseOf(t *testing.T, u user, id string) lindungi.Case {
	t.Helper()
	r := u.do("GET", "/v1/cases/"+id+"?purpose=penanganan+pengaduan", nil)
	if r.Status != http.StatusOK {
		t.Fatalf("GET case as %s = %d %s", u.p.Subject, r.Status, r.Body)
	}
	var pc lindungi.Case
	r.decode(t, &pc)
	return pc
}

// TestWalkInComplaintToClosure: a walk-in complaint in Brebes about a worker
// the system has never seen; the deadline passes and the case climbs to the
// province; it is referred to BP3MI with the worker's consent, accepted,
// resolved with money recovered, and closed with a supervisor's approval.
func TestWalkInComplaintToClosure(t *testing.T) {
	s := startSystem(t, "LINDUNGI_DEMO_DEADLINE=6s")
	brebes := s.user("caseworker-3329", "3329", "caseworker")
	province := s.user("province-supervisor-33", "33", "province_supervisor")
	bp3miHead := s.user("bp3mi-head-33", "33", "bp3mi_head")

	complaint := lindungi.NewComplaint{Channel: lindungi.ChannelWalkIn,
		Complainant: lindungi.Complainant{Name: "Tarsih", Relation: lindungi.ComplainantFamily, Phone: "081322224444"},
		Subject:     &lindungi.CaseSubject{Name: "Warsini", DomicileUnit: "3329"},
		Categories:  []lindungi.CaseCategory{lindungi.CatUnpaidWages}, Country: "MY", Employer: "Syarikat Jaya Sdn Bhd",
		Description: "Gaji tidak dibayar selama delapan bulan di perkebunan sawit.", Unit: "3329"}
	r := brebes.do("POST", "/v1/cases", complaint)
	if r.Status != http.StatusCreated {
		t.Fatalf("intake = %d %s", r.Status, r.Body)
	}
	var pc lindungi.Case
	r.decode(t, &pc)
	if pc.OwnerUnit != "3329" || pc.Step != lindungi.CaseReceived {
		t.Errorf("new case owned by %s at %s, want 3329 at RECEIVED", pc.OwnerUnit, pc.Step)
	}
	id := pc.ID.String()
	time.Sleep(10 * time.Millisecond)
	atIntake := time.Now().UTC()

	// Nobody acts: the handling deadline passes twice and the case reaches
	// the province.
	eventually(t, "the case to reach the province", func() bool {
		var rules []string
		s.db.SQL().Select(&rules, `SELECT rule FROM audit_events WHERE action = 'task.escalate' AND worker_id = $1 ORDER BY seq`, pc.WorkerID)
		return slices.Contains(rules, "escalate-to-province")
	})
	// The owner moves in the activity after the escalation's: wait for it
	// rather than read between the two.
	eventually(t, "the province to own the escalated case", func() bool {
		return caseOf(t, province, id).OwnerUnit == "33"
	})
	if r := brebes.do("GET", "/v1/cases/"+id+"?purpose=tindak+lanjut", nil); r.Status != http.StatusOK {
		t.Errorf("the intake unit reading its escalated case = %d, want 200", r.Status)
	}

	// Referral to BP3MI needs consent.
	if r := brebes.do("POST", "/v1/cases/"+id+"/refer", map[string]any{"to_unit": "33", "consent": false}); r.Status == http.StatusOK {
		t.Errorf("a case worker referring without consent = %d, want a refusal", r.Status)
	}
	if r := province.do("POST", "/v1/cases/"+id+"/refer", map[string]any{"to_unit": "33", "consent": true}); r.Status != http.StatusOK {
		t.Fatalf("refer = %d %s", r.Status, r.Body)
	}
	if r := bp3miHead.do("POST", "/v1/cases/"+id+"/referral/accept", nil); r.Status != http.StatusOK {
		t.Fatalf("accept referral = %d %s", r.Status, r.Body)
	}
	r = bp3miHead.do("POST", "/v1/cases/"+id+"/resolve", map[string]any{"resolution": "WAGES_PAID", "money_recovered_idr": 42000000})
	if r.Status != http.StatusOK {
		t.Fatalf("resolve = %d %s", r.Status, r.Body)
	}
	if r := bp3miHead.do("POST", "/v1/cases/"+id+"/closure/approve", nil); r.Status != http.StatusOK {
		t.Fatalf("approve closure = %d %s", r.Status, r.Body)
	}
	final := caseOf(t, province, id)
	if final.Step != lindungi.CaseClosed || final.MoneyRecovered != 42000000 || final.ClosedReason != "resolved" {
		t.Errorf("final case: %s, money %d, reason %q; want CLOSED with 42,000,000 recovered because resolved", final.Step, final.MoneyRecovered, final.ClosedReason)
	}
	var open int
	s.db.SQL().Get(&open, `SELECT count(*) FROM tasks WHERE workflow_id = $1 AND status = 'open'`, final.WorkflowID)
	if open != 0 {
		t.Errorf("%d tasks of the closed case are still open", open)
	}
	if r := brebes.do("POST", "/v1/cases/"+id+"/mediate", nil); r.Status != http.StatusConflict && r.Status != http.StatusNotFound {
		t.Errorf("acting on a closed case = %d, want 409", r.Status)
	}

	// An auditor sees the case as it stood at intake.
	auditor := s.user("auditor-33", "33", "auditor")
	r = auditor.do("GET", "/v1/cases/"+id+"/as-of?purpose=audit+BPK+2026&at="+atIntake.Format(time.RFC3339Nano), nil)
	if r.Status != http.StatusOK {
		t.Fatalf("case as of intake = %d %s", r.Status, r.Body)
	}
	var then struct {
		Case lindungi.Case `json:"case"`
	}
	r.decode(t, &then)
	if then.Case.Step != lindungi.CaseReceived || then.Case.OwnerUnit != "3329" || then.Case.MoneyRecovered != 0 {
		t.Errorf("case as of intake: %s owned by %s with %d recovered, want RECEIVED at 3329 with nothing", then.Case.Step, then.Case.OwnerUnit, then.Case.MoneyRecovered)
	}
}

// TestTraffickingComplaintStartsAtBP3MI: a TPPO complaint is high risk and
// starts at BP3MI.
func TestTraffickingComplaintStartsAtBP3MI(t *testing.T) {
	s := startSystem(t)
	cilacap := s.user("caseworker-3301", "3301", "caseworker")
	bp3mi := s.user("bp3mi-officer-33", "33", "bp3mi_officer")
	complaint := lindungi.NewComplaint{Channel: lindungi.ChannelHotline,
		Complainant: lindungi.Complainant{Name: "Rasinah", Relation: lindungi.ComplainantFamily},
		Subject:     &lindungi.CaseSubject{Name: "Dewi", DomicileUnit: "3301"},
		Categories:  []lindungi.CaseCategory{lindungi.CatTrafficking, lindungi.CatDocumentsWithheld}, Country: "KH",
		Description: "Direkrut untuk kerja di Kamboja, paspor ditahan, dipaksa bekerja penipuan daring.", Unit: "3301"}
	r := cilacap.do("POST", "/v1/cases", complaint)
	if r.Status != http.StatusCreated {
		t.Fatalf("intake = %d %s", r.Status, r.Body)
	}
	var pc lindungi.Case
	r.decode(t, &pc)
	var byWorker struct {
		Items []lindungi.CaseSummary `json:"items"`
	}
	cilacap.do("GET", "/v1/cases?worker="+pc.WorkerID.String(), nil).decode(t, &byWorker)
	if len(byWorker.Items) != 1 || byWorker.Items[0].ID != pc.ID {
		t.Errorf("the worker's cases = %+v, want this one", byWorker.Items)
	}
	if !pc.HighRisk || pc.OwnerUnit != "33" {
		t.Errorf("TPPO case: high risk %v, owner %s; want high risk owned by 33 (BP3MI)", pc.HighRisk, pc.OwnerUnit)
	}
	eventually(t, "the handling task at BP3MI", func() bool {
		var role string
		s.db.SQL().Get(&role, `SELECT holder_role FROM tasks WHERE workflow_id = $1 AND kind = 'CASE_HANDLING'`, pc.WorkflowID)
		return role == "bp3mi_officer"
	})
	if r := bp3mi.do("POST", "/v1/cases/"+pc.ID.String()+"/verify", nil); r.Status != http.StatusOK {
		t.Errorf("BP3MI acting on the case = %d %s", r.Status, r.Body)
	}
}
