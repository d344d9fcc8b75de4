package identity_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"log"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/go-cmp/cmp"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/identity"
)

const clientID = "lindungi-api"

var _ identity.Verifier = (*identity.OIDC)(nil)

// testKey is a signing key of the test issuer, named by its kid.
type testKey struct {
	kid    string
	method jwt.SigningMethod
	priv   crypto.Signer
}

func newRSAKey(t *testing.T, kid string) testKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return testKey{kid, jwt.SigningMethodRS256, k}
}

func newECKey(t *testing.T, kid string) testKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return testKey{kid, jwt.SigningMethodES256, k}
}

func newEdKey(t *testing.T, kid string) testKey {
	t.Helper()
	_, k, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return testKey{kid, jwt.SigningMethodEdDSA, k}
}

// mint signs claims with k, naming k's kid in the header.
func (k testKey) mint(t *testing.T, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(k.method, claims)
	tok.Header["kid"] = k.kid
	s, err := tok.SignedString(k.priv)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// jwk is k's public key as a JSON Web Key.
func (k testKey) jwk(t *testing.T) map[string]string {
	t.Helper()
	b64 := base64.RawURLEncoding.EncodeToString
	j := map[string]string{"kid": k.kid, "use": "sig", "alg": k.method.Alg()}
	switch pub := k.priv.Public().(type) {
	case *rsa.PublicKey:
		j["kty"], j["n"], j["e"] = "RSA", b64(pub.N.Bytes()), b64(big.NewInt(int64(pub.E)).Bytes())
	case *ecdsa.PublicKey:
		b, err := pub.Bytes() // 0x04 || X || Y
		if err != nil {
			t.Fatal(err)
		}
		j["kty"], j["crv"], j["x"], j["y"] = "EC", "P-256", b64(b[1:33]), b64(b[33:])
	case ed25519.PublicKey:
		j["kty"], j["crv"], j["x"] = "OKP", "Ed25519", b64(pub)
	default:
		t.Fatalf("unexpected key type %T", pub)
	}
	return j
}

// testIssuer is an OpenID Connect issuer over TLS: its discovery document and
// a JWKS whose keys the test may replace. Because it is TLS, a verifier that
// ignored OIDCConfig.HTTPClient could not reach it.
type testIssuer struct {
	*httptest.Server
	mu      sync.Mutex
	jwks    []map[string]string
	claimed string // the issuer in the discovery document; URL when empty
}

func newIssuer(t *testing.T, keys ...testKey) *testIssuer {
	t.Helper()
	iss := &testIssuer{}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		claimed := iss.claimed
		if claimed == "" {
			claimed = iss.URL
		}
		writeJSON(w, map[string]any{
			"issuer":                                claimed,
			"jwks_uri":                              iss.URL + "/jwks",
			"authorization_endpoint":                iss.URL + "/auth",
			"token_endpoint":                        iss.URL + "/token",
			"id_token_signing_alg_values_supported": []string{"RS256", "ES256", "EdDSA"},
		})
	})
	mux.HandleFunc("GET /jwks", func(w http.ResponseWriter, r *http.Request) {
		iss.mu.Lock()
		defer iss.mu.Unlock()
		writeJSON(w, map[string]any{"keys": iss.jwks})
	})
	iss.Server = httptest.NewUnstartedServer(mux)
	// A client that rejects the certificate is a case under test, not news.
	iss.Config.ErrorLog = log.New(io.Discard, "", 0)
	iss.StartTLS()
	t.Cleanup(iss.Close)
	iss.publish(t, keys...)
	return iss
}

// publish replaces the keys the JWKS serves.
func (iss *testIssuer) publish(t *testing.T, keys ...testKey) {
	t.Helper()
	var jwks []map[string]string
	for _, k := range keys {
		jwks = append(jwks, k.jwk(t))
	}
	iss.mu.Lock()
	defer iss.mu.Unlock()
	iss.jwks = jwks
}

func (iss *testIssuer) verifier(t *testing.T, cfg identity.OIDCConfig) *identity.OIDC {
	t.Helper()
	cfg.IssuerURL, cfg.HTTPClient = iss.URL, iss.Client()
	if cfg.Audience == "" {
		cfg.Audience = clientID
	}
	v, err := identity.NewOIDC(t.Context(), cfg)
	if err != nil {
		t.Fatalf("NewOIDC: %v", err)
	}
	return v
}

// claims returns valid claims from iss, changed by edit.
func (iss *testIssuer) claims(edit func(jwt.MapClaims)) jwt.MapClaims {
	now := time.Now()
	c := jwt.MapClaims{
		"iss": iss.URL, "aud": clientID, "sub": "siti", "unit": "3305",
		"roles": []string{"caseworker", "verifier"},
		"iat":   now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Hour).Unix(),
	}
	if edit != nil {
		edit(c)
	}
	return c
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

func TestOIDCVerify(t *testing.T) {
	rsaKey, ecKey, edKey := newRSAKey(t, "rsa-1"), newECKey(t, "ec-1"), newEdKey(t, "ed-1")
	iss := newIssuer(t, rsaKey, ecKey, edKey)
	siti := lindungi.Principal{Subject: "siti", Unit: "3305", Roles: []string{"caseworker", "verifier"}}
	keycloak := func(c jwt.MapClaims) {
		delete(c, "roles")
		c["sub"] = "5f0c1e4a-0000-4000-8000-000000000001"
		c["preferred_username"] = "siti"
		c["realm_access"] = map[string]any{"roles": []string{"caseworker", "verifier"}}
	}
	ago := func(d time.Duration) int64 { return time.Now().Add(-d).Unix() }

	tests := []struct {
		name string
		cfg  identity.OIDCConfig
		key  testKey
		edit func(jwt.MapClaims)
		want lindungi.Principal
	}{
		{name: "RS256", key: rsaKey, want: siti},
		{name: "ES256", key: ecKey, want: siti},
		{name: "EdDSA", key: edKey, want: siti},
		{
			name: "keycloak claims",
			cfg:  identity.OIDCConfig{SubjectClaim: "preferred_username", RolesClaim: "realm_access.roles"},
			key:  rsaKey, edit: keycloak, want: siti,
		},
		{
			name: "claim named with dots wins over the path",
			cfg:  identity.OIDCConfig{RolesClaim: "https://lindungi.go.id/roles"},
			key:  rsaKey,
			edit: func(c jwt.MapClaims) { c["https://lindungi.go.id/roles"] = []string{"caseworker", "verifier"} },
			want: siti,
		},
		{
			name: "nested unit",
			cfg:  identity.OIDCConfig{UnitClaim: "org.unit"},
			key:  rsaKey,
			edit: func(c jwt.MapClaims) { delete(c, "unit"); c["org"] = map[string]any{"unit": "3305"} },
			want: siti,
		},
		{
			name: "roles as one string",
			key:  rsaKey,
			edit: func(c jwt.MapClaims) { c["roles"] = "admin" },
			want: lindungi.Principal{Subject: "siti", Unit: "3305", Roles: []string{"admin"}},
		},
		{
			name: "audience among several",
			key:  rsaKey,
			edit: func(c jwt.MapClaims) { c["aud"] = []string{"account", clientID} },
			want: siti,
		},
		{
			name: "expired 10s ago, within the 30s skew",
			key:  rsaKey,
			edit: func(c jwt.MapClaims) {
				c["iat"], c["nbf"], c["exp"] = ago(time.Hour), ago(time.Hour), ago(10*time.Second)
			},
			want: siti,
		},
		{
			name: "nbf and iat 10s ahead, within the 30s skew",
			key:  rsaKey,
			edit: func(c jwt.MapClaims) { c["iat"], c["nbf"] = ago(-10*time.Second), ago(-10*time.Second) },
			want: siti,
		},
		{
			name: "expired 2m ago, within a 5m skew",
			cfg:  identity.OIDCConfig{ClockSkew: 5 * time.Minute},
			key:  rsaKey,
			edit: func(c jwt.MapClaims) {
				c["iat"], c["nbf"], c["exp"] = ago(time.Hour), ago(time.Hour), ago(2*time.Minute)
			},
			want: siti,
		},
		{
			name: "no nbf or iat",
			key:  rsaKey,
			edit: func(c jwt.MapClaims) { delete(c, "nbf"); delete(c, "iat") },
			want: siti,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := iss.verifier(t, tt.cfg)
			got, err := v.Verify(t.Context(), tt.key.mint(t, iss.claims(tt.edit)))
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("principal (-want +got):\n%s", diff)
			}
		})
	}
}

func TestOIDCRefuses(t *testing.T) {
	rsaKey := newRSAKey(t, "rsa-1")
	iss := newIssuer(t, rsaKey)
	v := iss.verifier(t, identity.OIDCConfig{})
	ago := func(d time.Duration) int64 { return time.Now().Add(-d).Unix() }
	valid := rsaKey.mint(t, iss.claims(nil))

	// The public key is no secret; with HS256 accepted anyone could sign with it.
	pubDER, err := x509.MarshalPKIXPublicKey(rsaKey.priv.Public())
	if err != nil {
		t.Fatal(err)
	}
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})
	confused := jwt.NewWithClaims(jwt.SigningMethodHS256, iss.claims(nil))
	confused.Header["kid"] = rsaKey.kid
	hs256, err := confused.SignedString(pubPEM)
	if err != nil {
		t.Fatal(err)
	}
	none, err := jwt.NewWithClaims(jwt.SigningMethodNone, iss.claims(nil)).SignedString(jwt.UnsafeAllowNoneSignatureType)
	if err != nil {
		t.Fatal(err)
	}
	// tampered keeps valid's header and signature but grants itself admin.
	parts := strings.Split(valid, ".")
	payload, err := json.Marshal(iss.claims(func(c jwt.MapClaims) { c["roles"] = []string{"admin"} }))
	if err != nil {
		t.Fatal(err)
	}
	tampered := parts[0] + "." + base64.RawURLEncoding.EncodeToString(payload) + "." + parts[2]
	// rs384 is an asymmetric algorithm the default configuration does not accept.
	rs384Key := rsaKey
	rs384Key.method = jwt.SigningMethodRS384

	const (
		malformed = "The token is malformed."
		signature = "The token's signature is not valid, or its key is unknown."
		algorithm = "The token's signing algorithm is not accepted."
	)
	tests := []struct {
		name  string
		token string
		want  string // the message
	}{
		{"wrong issuer", rsaKey.mint(t, iss.claims(func(c jwt.MapClaims) { c["iss"] = "https://evil.example" })), "The token is from another issuer."},
		{"wrong audience", rsaKey.mint(t, iss.claims(func(c jwt.MapClaims) { c["aud"] = "evil-client" })), "The token is for another audience."},
		{"no audience", rsaKey.mint(t, iss.claims(func(c jwt.MapClaims) { delete(c, "aud") })), "The token is for another audience."},
		{"expired beyond skew", rsaKey.mint(t, iss.claims(func(c jwt.MapClaims) {
			c["iat"], c["nbf"], c["exp"] = ago(time.Hour), ago(time.Hour), ago(2*time.Minute)
		})), "The token has expired."},
		{"no expiry", rsaKey.mint(t, iss.claims(func(c jwt.MapClaims) { delete(c, "exp") })), "The token has no expiry."},
		{"nbf beyond skew", rsaKey.mint(t, iss.claims(func(c jwt.MapClaims) { c["nbf"] = ago(-2 * time.Minute) })), "The token is not valid yet."},
		{"iat beyond skew", rsaKey.mint(t, iss.claims(func(c jwt.MapClaims) { c["iat"] = ago(-2 * time.Minute) })), "The token is issued in the future."},
		{"unknown key", newRSAKey(t, "rogue").mint(t, iss.claims(nil)), signature},
		{"published kid, unpublished key", newRSAKey(t, rsaKey.kid).mint(t, iss.claims(nil)), signature},
		{"tampered payload", tampered, signature},
		{"alg none", none, algorithm},
		{"HS256 with the public key", hs256, algorithm},
		{"RS384 not configured", rs384Key.mint(t, iss.claims(nil)), algorithm},
		{"missing subject", rsaKey.mint(t, iss.claims(func(c jwt.MapClaims) { delete(c, "sub") })), `The token has no subject in claim "sub".`},
		{"missing unit", rsaKey.mint(t, iss.claims(func(c jwt.MapClaims) { delete(c, "unit") })), `The token has no unit in claim "unit".`},
		{"unit not a string", rsaKey.mint(t, iss.claims(func(c jwt.MapClaims) { c["unit"] = 3305 })), `The token has no unit in claim "unit".`},
		{"missing roles", rsaKey.mint(t, iss.claims(func(c jwt.MapClaims) { delete(c, "roles") })), `The token has no roles in claim "roles".`},
		{"empty roles", rsaKey.mint(t, iss.claims(func(c jwt.MapClaims) { c["roles"] = []string{} })), `The token has no roles in claim "roles".`},
		{"roles not strings", rsaKey.mint(t, iss.claims(func(c jwt.MapClaims) { c["roles"] = []any{"caseworker", 7} })), `The token's claim "roles" is not a list of strings.`},
		{"garbage", "abc.def.ghi", malformed},
		{"empty", "", malformed},
		{"JSON serialization", `{"payload":"e30","signatures":[]}`, malformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := v.Verify(t.Context(), tt.token)
			if code := lindungi.ErrorCode(err); code != lindungi.EUNAUTHORIZED {
				t.Fatalf("Verify = %+v, %v; want code %s", got, err, lindungi.EUNAUTHORIZED)
			}
			if msg := lindungi.ErrorMessage(err); msg != tt.want {
				t.Errorf("message = %q, want %q", msg, tt.want)
			}
		})
	}
}

func TestOIDCKeyRotation(t *testing.T) {
	tests := []struct {
		name      string
		published func(old, next testKey) []testKey
	}{
		{"new key added", func(old, next testKey) []testKey { return []testKey{old, next} }},
		{"old key replaced", func(old, next testKey) []testKey { return []testKey{next} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old, next := newRSAKey(t, "2025"), newECKey(t, "2026")
			iss := newIssuer(t, old)
			v := iss.verifier(t, identity.OIDCConfig{})
			// The first token makes the verifier fetch and cache the old key set.
			if _, err := v.Verify(t.Context(), old.mint(t, iss.claims(nil))); err != nil {
				t.Fatalf("before rotation: %v", err)
			}
			beforePublish := next.mint(t, iss.claims(nil))
			if _, err := v.Verify(t.Context(), beforePublish); lindungi.ErrorCode(err) != lindungi.EUNAUTHORIZED {
				t.Fatalf("new key before it is published: err = %v, want EUNAUTHORIZED", err)
			}

			iss.publish(t, tt.published(old, next)...)
			// go-oidc hands a refresh that just finished to the callers that
			// arrive before it clears it, so the first token after a
			// rotation may still meet the old set; the next fetch sees the new one.
			token := next.mint(t, iss.claims(nil))
			var got lindungi.Principal
			var err error
			for range 100 {
				if got, err = v.Verify(t.Context(), token); err == nil {
					break
				}
				time.Sleep(10 * time.Millisecond)
			}
			if err != nil {
				t.Fatalf("after rotation: %v", err)
			}
			want := lindungi.Principal{Subject: "siti", Unit: "3305", Roles: []string{"caseworker", "verifier"}}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("principal (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNewOIDCFails(t *testing.T) {
	iss := newIssuer(t, newRSAKey(t, "rsa-1"))
	liar := newIssuer(t)
	liar.claimed = "https://sso.example.go.id/realms/lindungi"
	closed := newIssuer(t)
	closed.Close()
	valid := func() identity.OIDCConfig {
		return identity.OIDCConfig{IssuerURL: iss.URL, Audience: clientID, HTTPClient: iss.Client()}
	}
	if _, err := identity.NewOIDC(t.Context(), valid()); err != nil {
		t.Fatalf("NewOIDC with a valid configuration: %v", err)
	}

	tests := []struct {
		name string
		edit func(*identity.OIDCConfig)
	}{
		{"discovery unreachable", func(c *identity.OIDCConfig) { c.IssuerURL = closed.URL }},
		{"issuer mismatch", func(c *identity.OIDCConfig) { c.IssuerURL, c.HTTPClient = liar.URL, liar.Client() }},
		{"no discovery document", func(c *identity.OIDCConfig) { c.IssuerURL += "/realms/missing" }},
		{"issuer's certificate not trusted", func(c *identity.OIDCConfig) { c.HTTPClient = nil }},
		{"no issuer URL", func(c *identity.OIDCConfig) { c.IssuerURL = "" }},
		{"no audience", func(c *identity.OIDCConfig) { c.Audience = "" }},
		{"alg none", func(c *identity.OIDCConfig) { c.Algorithms = []string{"none"} }},
		{"alg HS256", func(c *identity.OIDCConfig) { c.Algorithms = []string{"RS256", "HS256"} }},
		{"negative skew", func(c *identity.OIDCConfig) { c.ClockSkew = -time.Second }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := valid()
			tt.edit(&cfg)
			if v, err := identity.NewOIDC(t.Context(), cfg); err == nil {
				t.Errorf("NewOIDC = %v, nil; want an error", v)
			}
		})
	}
}
