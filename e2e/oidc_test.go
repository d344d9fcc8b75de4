package e2e_test

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// issuer is a small OpenID Connect issuer: a discovery document and one
// RSA key, as Keycloak would publish them.
type issuer struct {
	srv *httptest.Server
	key *rsa.PrivateKey
}

func newIssuer(t *testing.T) *issuer {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	is := &issuer{key: key}
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]any{"issuer": is.srv.URL, "jwks_uri": is.srv.URL + "/keys",
			"id_token_signing_alg_values_supported": []string{"RS256"}})
	})
	mux.HandleFunc("/keys", func(w http.ResponseWriter, r *http.Request) {
		b64 := base64.RawURLEncoding.EncodeToString
		json.NewEncoder(w).Encode(map[string]any{"keys": []map[string]string{{
			"kty": "RSA", "kid": "k1", "alg": "RS256", "use": "sig",
			"n": b64(key.N.Bytes()), "e": b64(big.NewInt(int64(key.E)).Bytes()),
		}}})
	})
	is.srv = httptest.NewServer(mux)
	t.Cleanup(is.srv.Close)
	return is
}

func (is *issuer) token(t *testing.T, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	tok.Header["kid"] = "k1"
	s, err := tok.SignedString(is.key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestOIDCSignIn runs the API with an external issuer, Keycloak-style
// claims, and no development key.
func TestOIDCSignIn(t *testing.T) {
	is := newIssuer(t)
	s := startSystem(t,
		"LINDUNGI_DEV_KEY_FILE=",
		"LINDUNGI_OIDC_ISSUER="+is.srv.URL,
		"LINDUNGI_OIDC_AUDIENCE=lindungi-api",
		"LINDUNGI_OIDC_SUBJECT_CLAIM=preferred_username",
		"LINDUNGI_OIDC_ROLES_CLAIM=realm_access.roles",
	)
	claims := func(change func(jwt.MapClaims)) jwt.MapClaims {
		c := jwt.MapClaims{"iss": is.srv.URL, "aud": "lindungi-api", "sub": "f81d4fae", "preferred_username": "siti.kebumen",
			"unit": "3305", "realm_access": map[string]any{"roles": []string{"caseworker"}},
			"exp": time.Now().Add(time.Hour).Unix(), "iat": time.Now().Unix()}
		change(c)
		return c
	}
	signedIn := user{s: s, token: is.token(t, claims(func(jwt.MapClaims) {}))}
	if r := signedIn.do("POST", "/v1/workers", kebumenWorker()); r.Status != http.StatusCreated {
		t.Fatalf("register with an OIDC token = %d %s", r.Status, r.Body)
	}
	var actor string
	s.db.SQL().Get(&actor, `SELECT actor FROM audit_events WHERE action = 'worker.register'`)
	if actor != "siti.kebumen" {
		t.Errorf("audit actor = %q, want the preferred_username siti.kebumen", actor)
	}
	for name, tok := range map[string]string{
		"development token": s.user("caseworker-3305", "3305", "caseworker").token,
		"wrong audience":    is.token(t, claims(func(c jwt.MapClaims) { c["aud"] = "account" })),
		"expired":           is.token(t, claims(func(c jwt.MapClaims) { c["exp"] = time.Now().Add(-time.Hour).Unix() })),
		"wrong issuer":      is.token(t, claims(func(c jwt.MapClaims) { c["iss"] = "https://elsewhere" })),
	} {
		if r := (user{s: s, token: tok}).do("GET", "/v1/tasks", nil); r.Status != http.StatusUnauthorized {
			t.Errorf("%s = %d, want 401", name, r.Status)
		}
	}
}
