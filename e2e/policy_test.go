package e2e_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
)

// register registers a Kebumen worker with the given NIK serial and returns it.
func register(t *testing.T, u user, serial int) lindungi.Worker {
	t.Helper()
	w := kebumenWorker()
	w.NIK = fmt.Sprintf("330501550895%04d", serial)
	r := u.do("POST", "/v1/workers", w)
	if r.Status != http.StatusCreated {
		t.Fatalf("register = %d %s", r.Status, r.Body)
	}
	var out lindungi.Worker
	r.decode(t, &out)
	return out
}

// taskFor waits until the worker's verification task exists and returns it.
func taskFor(t *testing.T, s *system, worker uuid.UUID) lindungi.Task {
	t.Helper()
	var task lindungi.Task
	eventually(t, "the worker's task", func() bool {
		var id uuid.UUID
		if err := s.db.SQL().Get(&id, `SELECT id FROM tasks WHERE worker_id = $1`, worker); err != nil {
			return false
		}
		var err error
		task, err = s.db.FindTask(t.Context(), id)
		return err == nil
	})
	return task
}

// TestDelegation lets Cilacap work a Kebumen worker's file and Banyumas
// work Kebumen's queue, for a while.
func TestDelegation(t *testing.T) {
	s := startSystem(t)
	kebumen := s.user("caseworker-3305", "3305", "caseworker")
	head := s.user("supervisor-3305", "3305", "supervisor")
	cilacap := s.user("caseworker-3301", "3301", "caseworker")
	otherCilacap := s.user("verifier-3301", "3301", "verifier")
	banyumas := s.user("caseworker-3302", "3302", "caseworker")

	w := register(t, kebumen, 1)
	task := taskFor(t, s, w.ID)
	if r := cilacap.do("GET", "/v1/workers/"+w.ID.String(), nil); r.Status != http.StatusNotFound {
		t.Fatalf("Cilacap before the delegation = %d, want 404", r.Status)
	}

	// A Kebumen case worker may not delegate; the head of section may.
	grant := map[string]any{"kind": "record", "grantee_user": "caseworker-3301", "grantee_unit": "3301",
		"worker_id": w.ID, "reason": "Domisili di Cilacap, verifikasi lintas kabupaten", "expires_at": time.Now().Add(time.Hour)}
	if r := kebumen.do("POST", "/v1/delegations", grant); r.Status != http.StatusForbidden {
		t.Errorf("a case worker delegating = %d, want 403", r.Status)
	}
	if r := cilacap.do("POST", "/v1/delegations", grant); r.Status != http.StatusForbidden {
		t.Errorf("the grantee delegating to itself = %d, want 403", r.Status)
	}
	r := head.do("POST", "/v1/delegations", grant)
	if r.Status != http.StatusCreated {
		t.Fatalf("grant = %d %s", r.Status, r.Body)
	}
	var del lindungi.Delegation
	r.decode(t, &del)
	if del.TargetUnit != "3305" || del.GrantedBy != "supervisor-3305" {
		t.Errorf("delegation = %+v, want target 3305 granted by supervisor-3305", del)
	}

	if r := cilacap.do("GET", "/v1/workers/"+w.ID.String(), nil); r.Status != http.StatusOK {
		t.Errorf("the named Cilacap user with the delegation = %d, want 200", r.Status)
	}
	if _, ok := taskOf(cilacap.openTasks(), w.ID.String()); !ok {
		t.Error("the delegated worker's task is not in the grantee's inbox")
	}
	if r := otherCilacap.do("GET", "/v1/workers/"+w.ID.String(), nil); r.Status != http.StatusNotFound {
		t.Errorf("another Cilacap user = %d, want 404", r.Status)
	}
	other := register(t, kebumen, 2)
	if r := cilacap.do("GET", "/v1/workers/"+other.ID.String(), nil); r.Status != http.StatusNotFound {
		t.Errorf("another Kebumen worker through a record delegation = %d, want 404", r.Status)
	}
	provide(t, kebumen, head, w, verificationDocuments...)
	if r := cilacap.do("POST", "/v1/tasks/"+task.ID.String()+"/complete", map[string]string{"outcome": "approved", "note": "diverifikasi di Cilacap"}); r.Status != http.StatusOK {
		t.Fatalf("the grantee completing the task = %d %s", r.Status, r.Body)
	}
	var rule string
	s.db.SQL().Get(&rule, `SELECT rule FROM audit_events WHERE action = 'task.complete' AND subject_id = $1`, task.ID.String())
	if !strings.Contains(rule, "via delegation "+del.ID.String()) {
		t.Errorf("the completion's audit rule = %q, want it to name the delegation", rule)
	}

	// Revoked: back to 404.
	if r := head.do("POST", "/v1/delegations/"+del.ID.String()+"/revoke", nil); r.Status != http.StatusOK {
		t.Fatalf("revoke = %d %s", r.Status, r.Body)
	}
	if r := cilacap.do("GET", "/v1/workers/"+w.ID.String(), nil); r.Status != http.StatusNotFound {
		t.Errorf("after revocation = %d, want 404", r.Status)
	}
	if r := head.do("POST", "/v1/delegations/"+del.ID.String()+"/revoke", nil); r.Status != http.StatusConflict {
		t.Errorf("revoking twice = %d, want 409", r.Status)
	}

	// A queue delegation that expires by itself.
	queue := map[string]any{"kind": "queue", "grantee_unit": "3302", "target_unit": "3305",
		"reason": "Petugas Kebumen cuti bersama", "expires_at": time.Now().Add(3 * time.Second)}
	r = head.do("POST", "/v1/delegations", queue)
	if r.Status != http.StatusCreated {
		t.Fatalf("queue grant = %d %s", r.Status, r.Body)
	}
	r.decode(t, &del)
	if _, ok := taskOf(banyumas.openTasks(), other.ID.String()); !ok {
		t.Error("Banyumas does not see Kebumen's queue during the delegation")
	}
	eventually(t, "the queue delegation to expire and be audited", func() bool {
		var n int
		s.db.SQL().Get(&n, `SELECT count(*) FROM audit_events WHERE action = 'delegation.expire' AND subject_id = $1`, del.ID.String())
		return n == 1
	})
	if _, ok := taskOf(banyumas.openTasks(), other.ID.String()); ok {
		t.Error("Banyumas still sees Kebumen's queue after the delegation expired")
	}

	// Bad requests name the field.
	for _, tt := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"kind": "queue", "grantee_unit": "3302", "target_unit": "3305", "reason": "x", "expires_at": time.Now().Add(time.Hour)}, "reason"},
		{map[string]any{"kind": "queue", "grantee_unit": "3302", "target_unit": "3305", "reason": "cuti panjang", "expires_at": time.Now().Add(100 * 24 * time.Hour)}, "expires_at"},
		{map[string]any{"kind": "record", "grantee_unit": "3301", "reason": "lintas kabupaten", "expires_at": time.Now().Add(time.Hour)}, "worker_id"},
		{map[string]any{"kind": "forever", "grantee_unit": "3301", "reason": "lintas kabupaten", "expires_at": time.Now().Add(time.Hour)}, "kind"},
	} {
		r := head.do("POST", "/v1/delegations", tt.body)
		if r.Status != http.StatusUnprocessableEntity || !contains(strings.Join(r.problem(t).fields(), ","), tt.field) {
			t.Errorf("grant %v = %d %s, want 422 naming %s", tt.body, r.Status, r.Body, tt.field)
		}
	}
}

// TestLivePolicyChange changes the policies through the API and sees the
// separate worker process route by the new rule without a restart.
func TestLivePolicyChange(t *testing.T) {
	s := startSystem(t)
	admin := s.user("admin-ID", "ID", "admin")
	provinceAdmin := s.user("admin-33", "33", "admin")
	kebumen := s.user("caseworker-3305", "3305", "caseworker")
	keycloakUser := s.user("petugas-3305", "3305", "kc-petugas-disnaker")

	if r := keycloakUser.do("GET", "/v1/tasks", nil); r.Status != http.StatusForbidden {
		t.Fatalf("an unmapped identity-provider role = %d, want 403", r.Status)
	}
	mapRole := lindungi.PolicyChange{Reason: "Peran Keycloak petugas Disnaker",
		Add: []lindungi.PolicyRule{{Model: "access", PType: "g", Values: []string{"kc-petugas-disnaker", "caseworker"}}}}
	if r := provinceAdmin.do("POST", "/v1/policies", mapRole); r.Status != http.StatusForbidden {
		t.Errorf("a provincial admin changing the national policy = %d, want 403", r.Status)
	}
	r := admin.do("POST", "/v1/policies", mapRole)
	if r.Status != http.StatusOK {
		t.Fatalf("map role = %d %s", r.Status, r.Body)
	}
	if r := keycloakUser.do("GET", "/v1/tasks", nil); r.Status != http.StatusOK {
		t.Errorf("the mapped role after the change = %d, want 200", r.Status)
	}

	// A change that breaks an invariant is refused and changes nothing.
	bad := lindungi.PolicyChange{Reason: "Auditor boleh mendaftar",
		Add: []lindungi.PolicyRule{{Model: "access", PType: "p", Values: []string{"auditor", "/v1/workers", "POST"}}}}
	r = admin.do("POST", "/v1/policies", bad)
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.problem(t).Detail, "read-only role auditor") {
		t.Errorf("auditor writing = %d %s, want 422 naming the invariant", r.Status, r.Body)
	}
	var versions struct {
		Items []lindungi.PolicyVersion `json:"items"`
	}
	admin.do("GET", "/v1/policies/versions", nil).decode(t, &versions)
	if len(versions.Items) != 2 || versions.Items[0].Reason != mapRole.Reason || versions.Items[0].Actor != "admin-ID" {
		t.Errorf("versions = %+v, want the seed and the role mapping, newest first", versions.Items)
	}

	// Route Kebumen's verifications to Cilacap: the worker process must pick
	// the change up by itself.
	pilot := lindungi.PolicyChange{Reason: "Uji coba: verifikasi Kebumen oleh LTSA Cilacap",
		Add: []lindungi.PolicyRule{{Model: "routing", PType: "p", Values: []string{"10", "kebumen-via-cilacap-ltsa", "VERIFY_REGISTRATION", "3305", "*", "*", "3301", "caseworker"}}}}
	if r := admin.do("POST", "/v1/policies", pilot); r.Status != http.StatusOK {
		t.Fatalf("routing change = %d %s", r.Status, r.Body)
	}
	serial := 10
	eventually(t, "a task routed by the new rule", func() bool {
		serial++
		task := taskFor(t, s, register(t, kebumen, serial).ID)
		return task.Unit == "3301" && task.RouteRule == "kebumen-via-cilacap-ltsa"
	})
	var policyVersion string
	s.db.SQL().Get(&policyVersion, `SELECT policy_version FROM audit_events WHERE action = 'task.create' ORDER BY seq DESC LIMIT 1`)
	if policyVersion != "3" {
		t.Errorf("the task.create event records policy version %q, want 3", policyVersion)
	}
}

// TestStartRefusals checks that the binary will not start with development
// tokens in production or with two token issuers.
func TestStartRefusals(t *testing.T) {
	s := startSystem(t)
	for _, tt := range []struct {
		env  []string
		want string
	}{
		{[]string{"LINDUNGI_ENV=production"}, "cannot be used with LINDUNGI_ENV=production"},
		{[]string{"LINDUNGI_ENV=production", "LINDUNGI_DEV_KEY_FILE="}, "needs LINDUNGI_OIDC_ISSUER"},
		{[]string{"LINDUNGI_OIDC_ISSUER=http://127.0.0.1:1", "LINDUNGI_OIDC_AUDIENCE=lindungi"}, "not both"},
	} {
		cmd := s.command("serve")
		cmd.Env = append(cmd.Env, tt.env...)
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), tt.want) {
			t.Errorf("serve with %v: err %v, output %s; want a refusal mentioning %q", tt.env, err, out, tt.want)
		}
	}
}
