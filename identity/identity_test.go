package identity_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/go-cmp/cmp"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/identity"
)

func TestDevSignVerify(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "key")
	dev, err := identity.LoadOrCreateDev(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode = %v, %v; want 0600", fi.Mode().Perm(), err)
	}
	p := lindungi.Principal{Subject: "siti", Unit: "3305", Roles: []string{"caseworker", "verifier"}}
	tok, err := dev.Sign(p, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	again, err := identity.LoadOrCreateDev(path)
	if err != nil {
		t.Fatal(err)
	}
	got, err := again.Verify(t.Context(), tok)
	if err != nil {
		t.Fatalf("a token signed before a reload: %v", err)
	}
	if diff := cmp.Diff(p, got); diff != "" {
		t.Errorf("principal (-want +got):\n%s", diff)
	}

	other, _ := identity.LoadOrCreateDev(filepath.Join(dir, "other"))
	otherTok, _ := other.Sign(p, time.Hour)
	past := *dev
	past.Now = func() time.Time { return time.Now().Add(-2 * time.Hour) }
	expired, _ := past.Sign(p, time.Hour)
	noRoles, _ := dev.Sign(lindungi.Principal{Subject: "x", Unit: "3305"}, time.Hour)
	none, _ := jwt.NewWithClaims(jwt.SigningMethodNone, identity.Claims{Unit: "33", Roles: []string{"admin"},
		RegisteredClaims: jwt.RegisteredClaims{Issuer: identity.DevIssuer, Subject: "evil", Audience: jwt.ClaimStrings{identity.Audience},
			ExpiresAt: jwt.NewNumericDate(time.Now().Add(time.Hour))}}).SignedString(jwt.UnsafeAllowNoneSignatureType)
	for name, bad := range map[string]string{
		"other key": otherTok, "expired": expired, "no roles": noRoles, "alg none": none, "garbage": "abc.def.ghi", "empty": "",
	} {
		if _, err := dev.Verify(t.Context(), bad); lindungi.ErrorCode(err) != lindungi.EUNAUTHORIZED {
			t.Errorf("%s: Verify err = %v, want EUNAUTHORIZED", name, err)
		}
	}
}
