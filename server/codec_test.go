package server_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/server"
)

// The payload codec encrypts and decrypts for an administrator, by token
// or by the web session, logs each decode as a read, and lets only the
// configured browser origin read its answers.
func TestCodec(t *testing.T) {
	units, ps := server.ShippedPolicies(t)
	store := newFakeStore()
	srv := fakeServerWith(store, ps.Authorizer, units, testAuditKey(t), func(d *server.Deps) {
		d.CodecOrigins = []string{"http://localhost:8233"}
	})
	clear := `{"payloads":[{"metadata":{"encoding":"anNvbi9wbGFpbg=="},"data":"IlNpdGkgQW1pbmFoIg=="}]}` // json/plain "Siti Aminah"

	_, rec := sendRaw(srv, "admin@ID", http.MethodPost, "/codec/encode", []byte(clear))
	if rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), "IlNpdGkgQW1pbmFoIg==") {
		t.Fatalf("encode = %d %s, want the payload sealed", rec.Code, rec.Body)
	}
	sealed := rec.Body.Bytes()
	if !strings.Contains(string(sealed), "ZW5jcnlwdGlvbi1rZXktaWQ=") && !strings.Contains(string(sealed), "encryption-key-id") {
		t.Errorf("the sealed payload names no key: %s", sealed)
	}

	// Decoding by the web session of a signed-in administrator, from the
	// Temporal UI's origin.
	req := httptest.NewRequest(http.MethodPost, "/codec/decode", strings.NewReader(string(sealed)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", "http://localhost:8233")
	signIn(t, req, lindungi.Principal{Subject: "admin-ID", Unit: "ID", Roles: []string{"admin"}})
	rec = httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	var out struct {
		Payloads []struct {
			Data string `json:"data"`
		} `json:"payloads"`
	}
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &out) != nil || len(out.Payloads) != 1 || out.Payloads[0].Data != "IlNpdGkgQW1pbmFoIg==" {
		t.Fatalf("decode = %d %s, want the payload in clear", rec.Code, rec.Body)
	}
	if got := rec.Header().Get("Access-Control-Allow-Origin"); got != "http://localhost:8233" {
		t.Errorf("Access-Control-Allow-Origin = %q, want the Temporal UI's origin", got)
	}
	if n := len(store.accesses); n != 1 || store.accesses[0].Action != "access.codec" || store.accesses[0].Actor != "admin-ID" || store.accesses[0].Purpose != "temporal-ui" {
		t.Errorf("access events %+v, want one access.codec by admin-ID", store.accesses)
	}

	// Another origin is not allowed to read; a case worker may not decode;
	// nobody signed in gets 401; a preflight is answered.
	req = httptest.NewRequest(http.MethodOptions, "/codec/decode", nil)
	req.Header.Set("Origin", "http://evil.example")
	rec = httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	if rec.Code != http.StatusNoContent || rec.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("preflight from another origin = %d, Allow-Origin %q; want 204 without it", rec.Code, rec.Header().Get("Access-Control-Allow-Origin"))
	}
	if _, rec := sendRaw(srv, "caseworker@3305", http.MethodPost, "/codec/decode", sealed); rec.Code != http.StatusForbidden {
		t.Errorf("decode as a case worker = %d, want 403", rec.Code)
	}
	if _, rec := sendRaw(srv, "", http.MethodPost, "/codec/decode", sealed); rec.Code != http.StatusUnauthorized {
		t.Errorf("decode signed out = %d, want 401", rec.Code)
	}
	if _, rec := sendRaw(srv, "admin@ID", http.MethodPost, "/codec/decode", []byte(`{"payloads":[{"data":"not base64!"}]}`)); rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "payloads[0].data") {
		t.Errorf("decode of bad base64 = %d %s, want 422 naming payloads[0].data", rec.Code, rec.Body)
	}
	if len(store.accesses) != 1 {
		t.Errorf("%d access events after the refusals, want still 1", len(store.accesses))
	}
}
