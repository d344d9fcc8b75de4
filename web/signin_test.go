package web

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/identity"
)

const testClientID = "lindungi-web"

// fakeIssuer is an OpenID Connect issuer in the test process: discovery,
// keys, an authorization endpoint that signs in one user at once, and a
// token endpoint that checks the PKCE verifier against the challenge.
type fakeIssuer struct {
	*httptest.Server
	key *rsa.PrivateKey

	mu    sync.Mutex
	codes map[string]authRequest // code -> the authorization it answers
	// nonce, when set, replaces the nonce the ID token carries.
	nonce string
	// audience, when set, replaces the ID token's audience.
	audience string
}

type authRequest struct {
	challenge, nonce, redirect string
}

func newFakeIssuer(t *testing.T) *fakeIssuer {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeIssuer{key: key, codes: map[string]authRequest{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]any{
			"issuer": f.URL, "authorization_endpoint": f.URL + "/authorize", "token_endpoint": f.URL + "/token",
			"jwks_uri": f.URL + "/jwks", "id_token_signing_alg_values_supported": []string{"RS256"},
			"response_types_supported": []string{"code"}, "code_challenge_methods_supported": []string{"S256"},
		})
	})
	mux.HandleFunc("GET /jwks", func(w http.ResponseWriter, r *http.Request) {
		b64 := base64.RawURLEncoding.EncodeToString
		json.NewEncoder(w).Encode(map[string]any{"keys": []map[string]string{{"kty": "RSA", "kid": "k1", "alg": "RS256", "use": "sig",
			"n": b64(key.N.Bytes()), "e": b64(big.NewInt(int64(key.E)).Bytes())}}})
	})
	mux.HandleFunc("GET /authorize", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("response_type") != "code" || q.Get("client_id") != testClientID || q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" {
			http.Error(w, "bad authorization request", http.StatusBadRequest)
			return
		}
		code := randomString()
		f.mu.Lock()
		f.codes[code] = authRequest{challenge: q.Get("code_challenge"), nonce: q.Get("nonce"), redirect: q.Get("redirect_uri")}
		f.mu.Unlock()
		back, _ := url.Parse(q.Get("redirect_uri"))
		back.RawQuery = url.Values{"code": {code}, "state": {q.Get("state")}}.Encode()
		http.Redirect(w, r, back.String(), http.StatusFound)
	})
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		f.mu.Lock()
		req, ok := f.codes[r.PostForm.Get("code")]
		delete(f.codes, r.PostForm.Get("code")) // a code is good once
		nonce, aud := f.nonce, f.audience
		f.mu.Unlock()
		sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
		switch {
		case !ok, r.PostForm.Get("grant_type") != "authorization_code", r.PostForm.Get("redirect_uri") != req.redirect:
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(`{"error":"invalid_grant"}`))
			return
		case base64.RawURLEncoding.EncodeToString(sum[:]) != req.challenge:
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(`{"error":"invalid_grant","error_description":"PKCE verification failed"}`))
			return
		}
		if nonce == "" {
			nonce = req.nonce
		}
		if aud == "" {
			aud = testClientID
		}
		now := time.Now()
		tok := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{
			"iss": f.URL, "aud": aud, "sub": "rina.kebumen", "unit": "3305", "roles": []string{"caseworker"},
			"name": "Rina Wulandari", "nonce": nonce, "iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(),
		})
		tok.Header["kid"] = "k1"
		idt, err := tok.SignedString(key)
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"access_token": "at", "token_type": "Bearer", "expires_in": 300, "id_token": idt})
	})
	f.Server = httptest.NewServer(mux)
	t.Cleanup(f.Close)
	return f
}

// authorize plays the browser at the issuer: it follows the sign-in URL
// and returns the callback URL the issuer redirects to.
func (f *fakeIssuer) authorize(t *testing.T, signInURL string) *url.URL {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Get(signInURL)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusFound {
		t.Fatalf("authorize: status %d", res.StatusCode)
	}
	u, err := url.Parse(res.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func newTestSignIn(t *testing.T, f *fakeIssuer) (*OIDCSignIn, *Sessions, *clock) {
	t.Helper()
	ctx := context.Background()
	v, err := identity.NewOIDC(ctx, identity.OIDCConfig{IssuerURL: f.URL, Audience: testClientID})
	if err != nil {
		t.Fatal(err)
	}
	s, c := newTestSessions(t, true)
	o, err := NewOIDCSignIn(ctx, OIDCConfig{IssuerURL: f.URL, ClientID: testClientID, RedirectURL: "https://lindungi.test/masuk/callback"}, v, s)
	if err != nil {
		t.Fatal(err)
	}
	return o, s, c
}

// callback is the browser's request to the callback with the cookies it
// keeps.
func callback(u *url.URL, cookies []*http.Cookie) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/masuk/callback?"+u.RawQuery, nil)
	for _, c := range cookies {
		r.AddCookie(c)
	}
	return r
}

func TestOIDCSignIn(t *testing.T) {
	f := newFakeIssuer(t)
	o, _, _ := newTestSignIn(t, f)
	w := httptest.NewRecorder()
	to, err := o.Start(w, "/?cursor=abc")
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(to)
	q := u.Query()
	if !strings.HasPrefix(to, f.URL+"/authorize?") || q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" ||
		q.Get("state") == "" || q.Get("nonce") == "" || q.Get("scope") != "openid profile" || q.Get("code_verifier") != "" {
		t.Fatalf("sign-in URL %s: want the issuer's authorization endpoint with S256 PKCE, state, nonce and no verifier", to)
	}
	flow := w.Result().Cookies()
	if len(flow) != 1 || flow[0].Name != "__Host-lindungi_signin" || !flow[0].HttpOnly || !flow[0].Secure ||
		flow[0].SameSite != http.SameSiteLaxMode || flow[0].MaxAge > 600 || strings.Contains(flow[0].Value, q.Get("state")) {
		t.Fatalf("sign-in cookie %+v: want one sealed, short, secure, Lax cookie", flow)
	}

	back := f.authorize(t, to)
	w = httptest.NewRecorder()
	got, err := o.Finish(w, callback(back, flow))
	if err != nil {
		t.Fatalf("Finish: %v", err)
	}
	want := lindungi.Principal{Subject: "rina.kebumen", Unit: "3305", Roles: []string{"caseworker"}}
	if got.Principal.Subject != want.Subject || got.Principal.Unit != want.Unit || len(got.Principal.Roles) != 1 || got.Principal.Roles[0] != "caseworker" {
		t.Errorf("principal %+v, want %+v", got.Principal, want)
	}
	if got.Name != "Rina Wulandari" || got.Next != "/?cursor=abc" {
		t.Errorf("name %q, next %q", got.Name, got.Next)
	}
	if c := w.Result().Cookies(); len(c) != 1 || c[0].MaxAge >= 0 {
		t.Errorf("the sign-in cookie was not cleared: %+v", c)
	}

	// The code is good once: the same answer again is refused.
	if _, err := o.Finish(httptest.NewRecorder(), callback(back, flow)); lindungi.ErrorCode(err) != lindungi.EUNAUTHORIZED {
		t.Errorf("a replayed code: %v, want EUNAUTHORIZED", err)
	}
}

func TestOIDCSignInRefusals(t *testing.T) {
	tests := []struct {
		name string
		// run returns the callback request after a sign-in started by the
		// user, given the issuer's answer to it.
		run func(t *testing.T, f *fakeIssuer, o *OIDCSignIn, c *clock) *http.Request
	}{
		{"the state of another sign-in", func(t *testing.T, f *fakeIssuer, o *OIDCSignIn, c *clock) *http.Request {
			w := httptest.NewRecorder()
			to, _ := o.Start(w, "/")
			back := f.authorize(t, to)
			q := back.Query()
			q.Set("state", randomString())
			back.RawQuery = q.Encode()
			return callback(back, w.Result().Cookies())
		}},
		{"a browser that did not start it", func(t *testing.T, f *fakeIssuer, o *OIDCSignIn, c *clock) *http.Request {
			to, _ := o.Start(httptest.NewRecorder(), "/")
			return callback(f.authorize(t, to), nil)
		}},
		{"after ten minutes", func(t *testing.T, f *fakeIssuer, o *OIDCSignIn, c *clock) *http.Request {
			w := httptest.NewRecorder()
			to, _ := o.Start(w, "/")
			back := f.authorize(t, to)
			c.t = c.t.Add(11 * time.Minute)
			return callback(back, w.Result().Cookies())
		}},
		{"a stolen code with the thief's own sign-in (PKCE)", func(t *testing.T, f *fakeIssuer, o *OIDCSignIn, c *clock) *http.Request {
			victim, _ := o.Start(httptest.NewRecorder(), "/")
			stolen := f.authorize(t, victim)
			w := httptest.NewRecorder()
			thief, _ := o.Start(w, "/")
			tu, _ := url.Parse(thief)
			q := stolen.Query()
			q.Set("state", tu.Query().Get("state"))
			stolen.RawQuery = q.Encode()
			return callback(stolen, w.Result().Cookies())
		}},
		{"an ID token for another sign-in (nonce)", func(t *testing.T, f *fakeIssuer, o *OIDCSignIn, c *clock) *http.Request {
			f.nonce = "someone-else"
			w := httptest.NewRecorder()
			to, _ := o.Start(w, "/")
			return callback(f.authorize(t, to), w.Result().Cookies())
		}},
		{"an ID token for another client", func(t *testing.T, f *fakeIssuer, o *OIDCSignIn, c *clock) *http.Request {
			f.audience = "another-app"
			w := httptest.NewRecorder()
			to, _ := o.Start(w, "/")
			return callback(f.authorize(t, to), w.Result().Cookies())
		}},
		{"the user declined at the issuer", func(t *testing.T, f *fakeIssuer, o *OIDCSignIn, c *clock) *http.Request {
			w := httptest.NewRecorder()
			to, _ := o.Start(w, "/")
			tu, _ := url.Parse(to)
			back, _ := url.Parse("https://lindungi.test/masuk/callback?error=access_denied&state=" + tu.Query().Get("state"))
			return callback(back, w.Result().Cookies())
		}},
		{"no code", func(t *testing.T, f *fakeIssuer, o *OIDCSignIn, c *clock) *http.Request {
			w := httptest.NewRecorder()
			to, _ := o.Start(w, "/")
			tu, _ := url.Parse(to)
			back, _ := url.Parse("https://lindungi.test/masuk/callback?state=" + tu.Query().Get("state"))
			return callback(back, w.Result().Cookies())
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeIssuer(t)
			o, _, c := newTestSignIn(t, f)
			r := tt.run(t, f, o, c)
			got, err := o.Finish(httptest.NewRecorder(), r)
			if lindungi.ErrorCode(err) != lindungi.EUNAUTHORIZED {
				t.Fatalf("Finish = %+v, %v; want EUNAUTHORIZED", got, err)
			}
			if msg := lindungi.ErrorMessage(err); strings.Contains(msg, "invalid_grant") || strings.Contains(msg, f.URL) {
				t.Errorf("the message shown to the user leaks the cause: %q", msg)
			}
		})
	}
}

func TestOIDCSignInNext(t *testing.T) {
	f := newFakeIssuer(t)
	o, _, _ := newTestSignIn(t, f)
	w := httptest.NewRecorder()
	to, _ := o.Start(w, "https://evil.test/")
	got, err := o.Finish(httptest.NewRecorder(), callback(f.authorize(t, to), w.Result().Cookies()))
	if err != nil {
		t.Fatal(err)
	}
	if got.Next != "/" {
		t.Errorf("next = %q: a sign-in must return only to a page of this site", got.Next)
	}
}

// An issuer that only verifies tokens (no authorization or token
// endpoint) cannot sign browsers in: say so at start.
func TestOIDCSignInNeedsEndpoints(t *testing.T) {
	mux := http.NewServeMux()
	var url string
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]any{"issuer": url, "jwks_uri": url + "/jwks"})
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	url = srv.URL
	s, _ := newTestSessions(t, true)
	_, err := NewOIDCSignIn(context.Background(), OIDCConfig{IssuerURL: srv.URL, ClientID: testClientID, RedirectURL: "https://x/masuk/callback"}, nil, s)
	if err == nil || !strings.Contains(err.Error(), "no authorization or token endpoint") {
		t.Errorf("NewOIDCSignIn = %v, want an error naming the missing endpoints", err)
	}
}
