package e2e_test

import (
	"net/http"
	"testing"

	"github.com/lindungi/lindungi"
)

// TestDocumentsAndCalendar checks the four-eyes rule, supersession, and the
// holiday calendar as data.
func TestDocumentsAndCalendar(t *testing.T) {
	s := startSystem(t)
	kebumen := s.user("caseworker-3305", "3305", "caseworker")
	verifier := s.user("verifier-3305", "3305", "verifier")
	cilacap := s.user("caseworker-3301", "3301", "caseworker")
	w := register(t, kebumen, 3)

	passport := lindungi.NewDocument{Type: lindungi.DocPassport, Number: "C1234567", IssuedOn: "2026-01-05", ExpiresOn: "2031-01-04", FileRef: "scan/p1"}
	r := kebumen.do("POST", "/v1/workers/"+w.ID.String()+"/documents", passport)
	if r.Status != http.StatusCreated {
		t.Fatalf("add passport = %d %s", r.Status, r.Body)
	}
	var doc lindungi.Document
	r.decode(t, &doc)
	if r := kebumen.do("POST", "/v1/documents/"+doc.ID.String()+"/verify", nil); r.Status != http.StatusForbidden {
		t.Errorf("verifying one's own document = %d, want 403", r.Status)
	}
	if r := cilacap.do("POST", "/v1/documents/"+doc.ID.String()+"/verify", nil); r.Status != http.StatusNotFound {
		t.Errorf("another district verifying = %d, want 404", r.Status)
	}
	if r := verifier.do("POST", "/v1/documents/"+doc.ID.String()+"/verify", nil); r.Status != http.StatusOK {
		t.Fatalf("verify = %d %s", r.Status, r.Body)
	}
	if r := verifier.do("POST", "/v1/documents/"+doc.ID.String()+"/verify", nil); r.Status != http.StatusConflict {
		t.Errorf("verifying twice = %d, want 409", r.Status)
	}
	bad := passport
	bad.Number, bad.ExpiresOn = "12345", "2025-01-01"
	if r := kebumen.do("POST", "/v1/workers/"+w.ID.String()+"/documents", bad); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("a bad passport = %d, want 422", r.Status)
	} else if f := r.problem(t).fields(); len(f) != 2 {
		t.Errorf("a bad passport names %v, want number and expires_on", f)
	}
	renewed := passport
	renewed.Number, renewed.IssuedOn, renewed.ExpiresOn = "C7654321", "2026-11-01", "2036-10-31"
	if r := kebumen.do("POST", "/v1/workers/"+w.ID.String()+"/documents", renewed); r.Status != http.StatusCreated {
		t.Fatalf("add renewed passport = %d %s", r.Status, r.Body)
	}
	var current, all struct {
		Items []lindungi.Document `json:"items"`
	}
	kebumen.do("GET", "/v1/workers/"+w.ID.String()+"/documents", nil).decode(t, &current)
	kebumen.do("GET", "/v1/workers/"+w.ID.String()+"/documents?superseded=true", nil).decode(t, &all)
	if len(current.Items) != 1 || current.Items[0].Number != "C7654321" || len(all.Items) != 2 {
		t.Errorf("documents: %d current (%+v), %d with history; want the renewed passport, and both", len(current.Items), current.Items, len(all.Items))
	}

	// The calendar: 2027 has no data until an administrator adds it.
	admin := s.user("admin-ID", "ID", "admin")
	var cal struct {
		HasData      bool   `json:"has_data"`
		FallbackNote string `json:"fallback_note"`
	}
	kebumen.do("GET", "/v1/holidays?year=2027", nil).decode(t, &cal)
	if cal.HasData || cal.FallbackNote == "" {
		t.Errorf("2027 before any data: %+v, want no data and a note", cal)
	}
	newYear := map[string]string{"date": "2027-01-01", "kind": "national", "name": "Tahun Baru 2027 Masehi", "reason": "SKB 3 Menteri tentang libur 2027"}
	if r := s.user("admin-33", "33", "admin").do("POST", "/v1/holidays", newYear); r.Status != http.StatusForbidden {
		t.Errorf("a provincial admin adding a holiday = %d, want 403", r.Status)
	}
	if r := admin.do("POST", "/v1/holidays", newYear); r.Status != http.StatusCreated {
		t.Fatalf("add holiday = %d %s", r.Status, r.Body)
	}
	if r := admin.do("POST", "/v1/holidays", newYear); r.Status != http.StatusConflict {
		t.Errorf("adding it twice = %d, want 409", r.Status)
	}
	kebumen.do("GET", "/v1/holidays?year=2027", nil).decode(t, &cal)
	if !cal.HasData {
		t.Error("2027 has no data after an administrator added a holiday")
	}
	if r := admin.do("DELETE", "/v1/holidays/2027-01-01?reason=Salah+tanggal+di+SKB", nil); r.Status != http.StatusOK {
		t.Errorf("remove holiday = %d %s", r.Status, r.Body)
	}
}
