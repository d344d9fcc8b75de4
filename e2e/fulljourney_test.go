package e2e_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lindungi/lindungi"
)

// openTask waits for the worker's open task of kind, as u sees it.
func openTask(t *testing.T, u user, w lindungi.Worker, kind lindungi.TaskKind) lindungi.Task {
	t.Helper()
	var found lindungi.Task
	eventually(t, "an open "+string(kind)+" task", func() bool {
		r := u.do("GET", "/v1/tasks?status=open&kind="+string(kind)+"&worker="+w.ID.String(), nil)
		var l taskList
		r.decode(t, &l)
		if len(l.Items) == 1 {
			found = l.Items[0]
			return true
		}
		return false
	})
	return found
}

// approve completes the worker's open task of kind as u and returns the
// journey step it led to.
func approve(t *testing.T, u user, w lindungi.Worker, kind lindungi.TaskKind) lindungi.Step {
	t.Helper()
	task := openTask(t, u, w, kind)
	r := u.do("POST", "/v1/tasks/"+task.ID.String()+"/complete", map[string]string{"outcome": "approved", "note": "selesai"})
	if r.Status != http.StatusOK {
		t.Fatalf("approve %s as %s = %d %s", kind, u.p.Subject, r.Status, r.Body)
	}
	var done struct {
		JourneyStep lindungi.Step `json:"journey_step"`
	}
	r.decode(t, &done)
	return done.JourneyStep
}

// TestP2PJourneyToClosure takes a P2P worker from registration to closure
// through the public API.
func TestP2PJourneyToClosure(t *testing.T) {
	s := startSystem(t, recordEnv()...)
	kebumen := s.user("caseworker-3305", "3305", "caseworker")
	verifier := s.user("verifier-3305", "3305", "verifier")
	bp3mi := s.user("bp3mi-officer-33", "33", "bp3mi_officer")
	w := register(t, kebumen, 42)

	steps := beforeDeparture(kebumen, bp3mi)
	for _, st := range steps {
		provide(t, kebumen, verifier, w, st.docs...)
		if got := approve(t, st.by, w, st.kind); got != st.want {
			t.Fatalf("after %s the journey is at %s, want %s", st.kind, got, st.want)
		}
	}

	// Abroad, then home: the province's help desk records the return.
	r := bp3mi.do("POST", "/v1/workers/"+w.ID.String()+"/journey/contract", map[string]string{"contract_end": "2029-01-31"})
	if r.Status != http.StatusOK {
		t.Fatalf("extend contract = %d %s", r.Status, r.Body)
	}
	r = bp3mi.do("POST", "/v1/workers/"+w.ID.String()+"/journey/return", map[string]any{})
	if r.Status != http.StatusOK {
		t.Fatalf("record return = %d %s", r.Status, r.Body)
	}
	r.decode(t, &w)
	if w.JourneyStep != lindungi.StepReturned {
		t.Fatalf("after the return the journey is at %s, want RETURNED", w.JourneyStep)
	}
	if r := bp3mi.do("POST", "/v1/workers/"+w.ID.String()+"/journey/rehabilitation", map[string]bool{"family_consent": false}); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("rehabilitation without consent = %d, want 422", r.Status)
	} else if f := r.problem(t).fields(); len(f) != 1 || f[0] != "family_consent" {
		t.Errorf("rehabilitation without consent names %v, want family_consent", f)
	}
	if got := approve(t, bp3mi, w, lindungi.TaskRecordReturn); got != lindungi.StepReintegration {
		t.Fatalf("after the return desk the journey is at %s, want REINTEGRATION", got)
	}
	if got := approve(t, kebumen, w, lindungi.TaskReintegration); got != lindungi.StepClosed {
		t.Fatalf("after reintegration the journey is at %s, want CLOSED", got)
	}

	var reason string
	s.db.SQL().Get(&reason, `SELECT reason FROM journey_steps WHERE worker_id = $1 AND step = 'CLOSED'`, w.ID)
	if reason != "reintegration completed" {
		t.Errorf("closure reason %q, want reintegration completed", reason)
	}
	var recorded []string
	s.db.SQL().Select(&recorded, `SELECT step FROM journey_steps WHERE worker_id = $1 ORDER BY seq`, w.ID)
	want := "REGISTERED VERIFIED TRAINING MEDICAL PLACEMENT_AGREEMENT SOCIAL_SECURITY PASSPORT_VISA WORK_CONTRACT ORIENTATION DEPARTED ABROAD RETURNED REINTEGRATION CLOSED"
	if got := strings.Join(recorded, " "); got != want {
		t.Errorf("recorded steps\n got %s\nwant %s", got, want)
	}
	var open int
	s.db.SQL().Get(&open, `SELECT count(*) FROM tasks WHERE worker_id = $1 AND status = 'open'`, w.ID)
	if open != 0 {
		t.Errorf("%d tasks still open after closure", open)
	}
	recordHistories(t, s, w, "p2p")
}

// TestG2GJourneyToDeparture takes a G2G worker to departure: no placement
// company, and orientation is run centrally.
func TestG2GJourneyToDeparture(t *testing.T) {
	s := startSystem(t)
	kebumen := s.user("caseworker-3305", "3305", "caseworker")
	verifier := s.user("verifier-3305", "3305", "verifier")
	bp3mi := s.user("bp3mi-officer-33", "33", "bp3mi_officer")
	national := s.user("national-officer", "ID", "national_officer")
	nw := kebumenWorker()
	nw.NIK, nw.Scheme, nw.PlacementCompany, nw.JobOrderRef = "3305015508950077", lindungi.SchemeG2G, "", ""
	r := kebumen.do("POST", "/v1/workers", nw)
	if r.Status != http.StatusCreated {
		t.Fatalf("register G2G = %d %s", r.Status, r.Body)
	}
	var w lindungi.Worker
	r.decode(t, &w)

	for _, st := range []struct {
		by   user
		kind lindungi.TaskKind
		docs []lindungi.DocType
	}{
		{kebumen, lindungi.TaskVerifyRegistration, verificationDocuments},
		{kebumen, lindungi.TaskRecordTraining, []lindungi.DocType{lindungi.DocCompetencyCertificate}},
		{kebumen, lindungi.TaskMedicalCheck, []lindungi.DocType{lindungi.DocHealthCertificate}},
		{kebumen, lindungi.TaskPlacementAgreement, []lindungi.DocType{lindungi.DocPlacementAgreement}},
		{kebumen, lindungi.TaskSocialSecurity, []lindungi.DocType{lindungi.DocBPJSCard}},
		{bp3mi, lindungi.TaskPassportVisa, []lindungi.DocType{lindungi.DocPassport, lindungi.DocWorkVisa}},
		{bp3mi, lindungi.TaskWorkContract, []lindungi.DocType{lindungi.DocWorkContract}},
	} {
		provide(t, kebumen, verifier, w, st.docs...)
		approve(t, st.by, w, st.kind)
	}
	orientation := openTask(t, national, w, lindungi.TaskOrientation)
	if orientation.Unit != "ID" || orientation.RouteRule != "g2g-orientation-central" {
		t.Errorf("G2G orientation is at %s by %s, want ID by g2g-orientation-central", orientation.Unit, orientation.RouteRule)
	}
	if _, ok := taskOf(bp3mi.openTasks(), w.ID.String()); ok {
		t.Error("BP3MI sees the G2G orientation task; it is run centrally")
	}
	approve(t, national, w, lindungi.TaskOrientation)
	provide(t, kebumen, verifier, w, lindungi.DocEPMI)
	if got := approve(t, bp3mi, w, lindungi.TaskConfirmDeparture); got != lindungi.StepAbroad {
		t.Errorf("after departure the journey is at %s, want ABROAD", got)
	}
}

// TestIgnoredTaskEscalates lets a verification task's deadlines pass (a
// demonstration deadline of a few seconds stands in for working days) and
// sees it climb the policy's chain, with the previous holders told.
func TestIgnoredTaskEscalates(t *testing.T) {
	s := startSystem(t, append(recordEnv(), "LINDUNGI_DEMO_DEADLINE=3s")...)
	kebumen := s.user("caseworker-3305", "3305", "caseworker")
	w := register(t, kebumen, 7)
	task := openTask(t, kebumen, w, lindungi.TaskVerifyRegistration)
	eventually(t, "the task to reach the national level", func() bool {
		got, err := s.db.FindTask(t.Context(), task.ID)
		return err == nil && got.Unit == "ID" && got.HolderRole == "national_officer"
	})
	var chain []string
	s.db.SQL().Select(&chain, `SELECT rule FROM audit_events WHERE action = 'task.escalate' AND subject_id = $1 ORDER BY seq`, task.ID.String())
	want := "escalate-to-head-of-section escalate-to-province escalate-to-bp3mi escalate-to-national"
	if got := strings.Join(chain, " "); got != want {
		t.Errorf("escalation rules\n got %s\nwant %s", got, want)
	}
	eventually(t, "the task marked at the top of its chain", func() bool {
		got, err := s.db.FindTask(t.Context(), task.ID)
		return err == nil && got.AtTop
	})
	var notes struct {
		Items []lindungi.Notification `json:"items"`
	}
	kebumen.do("GET", "/v1/notifications", nil).decode(t, &notes)
	if len(notes.Items) < 2 {
		t.Errorf("Kebumen was told %d times, want the case worker's and the head of section's moves", len(notes.Items))
	}
	overdue := s.user("national-officer", "ID", "national_officer").do("GET", "/v1/tasks?overdue=true", nil)
	var l taskList
	overdue.decode(t, &l)
	if _, ok := taskOf(l.Items, w.ID.String()); !ok {
		t.Error("the ignored task is not in the national overdue list")
	}
	// A supervisor can still act: extend it by hand.
	head := s.user("admin-ID", "ID", "admin")
	r := head.do("POST", "/v1/tasks/"+task.ID.String()+"/extend", map[string]any{"working_days": 2, "reason": "menunggu data desa"})
	if r.Status != http.StatusOK {
		t.Fatalf("extend = %d %s", r.Status, r.Body)
	}
	var extended lindungi.Task
	r.decode(t, &extended)
	if extended.AtTop || !extended.DueAt.After(time.Now()) {
		t.Errorf("after the extension: at top %v, due %s; want a new deadline ahead", extended.AtTop, extended.DueAt)
	}
	recordHistories(t, s, w, "escalation")
}

// journeyStep is a step's task, who does it, the documents it needs, and
// the step it leads to.
type journeyStep struct {
	by   user
	kind lindungi.TaskKind
	docs []lindungi.DocType
	want lindungi.Step
}

// beforeDeparture are a P2P worker's steps from registration to ABROAD.
func beforeDeparture(kebumen, bp3mi user) []journeyStep {
	return []journeyStep{
		{kebumen, lindungi.TaskVerifyRegistration, verificationDocuments, lindungi.StepTraining},
		{kebumen, lindungi.TaskRecordTraining, []lindungi.DocType{lindungi.DocCompetencyCertificate}, lindungi.StepMedical},
		{kebumen, lindungi.TaskMedicalCheck, []lindungi.DocType{lindungi.DocHealthCertificate}, lindungi.StepPlacementAgreement},
		{kebumen, lindungi.TaskPlacementAgreement, []lindungi.DocType{lindungi.DocPlacementAgreement}, lindungi.StepSocialSecurity},
		{kebumen, lindungi.TaskSocialSecurity, []lindungi.DocType{lindungi.DocBPJSCard}, lindungi.StepPassportVisa},
		{bp3mi, lindungi.TaskPassportVisa, []lindungi.DocType{lindungi.DocPassport, lindungi.DocWorkVisa}, lindungi.StepWorkContract},
		{bp3mi, lindungi.TaskWorkContract, []lindungi.DocType{lindungi.DocWorkContract}, lindungi.StepOrientation},
		{bp3mi, lindungi.TaskOrientation, nil, lindungi.StepDeparted},
		{bp3mi, lindungi.TaskConfirmDeparture, []lindungi.DocType{lindungi.DocEPMI}, lindungi.StepAbroad},
	}
}

// toAbroad takes a registered P2P worker of Kebumen through every step
// before departure, as the units that own them.
func toAbroad(t *testing.T, s *system, kebumen, verifier user, w lindungi.Worker) {
	t.Helper()
	for _, st := range beforeDeparture(kebumen, s.user("bp3mi-officer-33", "33", "bp3mi_officer")) {
		provide(t, kebumen, verifier, w, st.docs...)
		approve(t, st.by, w, st.kind)
	}
}

// TestEntryAtOutreach registers a prospective worker met at a sosialisasi:
// the journey starts at OUTREACH, and the follow-up leads to registration.
func TestEntryAtOutreach(t *testing.T) {
	s := startSystem(t)
	kebumen := s.user("caseworker-3305", "3305", "caseworker")
	nw := kebumenWorker()
	nw.NIK, nw.Entry = "3305015508950088", lindungi.StepOutreach
	r := kebumen.do("POST", "/v1/workers", nw)
	if r.Status != http.StatusCreated {
		t.Fatalf("register at outreach = %d %s", r.Status, r.Body)
	}
	var w lindungi.Worker
	r.decode(t, &w)
	if w.JourneyStep != lindungi.StepOutreach {
		t.Errorf("journey_step = %s, want OUTREACH", w.JourneyStep)
	}
	if got := approve(t, kebumen, w, lindungi.TaskOutreachFollowUp); got != lindungi.StepRegistered {
		t.Errorf("after the follow-up the journey is at %s, want REGISTERED", got)
	}
	openTask(t, kebumen, w, lindungi.TaskVerifyRegistration)
}
