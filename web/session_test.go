package web

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lindungi/lindungi"
)

var kebumen = lindungi.Principal{Subject: "caseworker-3305", Unit: "3305", Roles: []string{lindungi.RoleCaseworker}}

func testKey(b byte) []byte { return bytes.Repeat([]byte{b}, SessionKeySize) }

// clock is a settable clock for Sessions.Now.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func newTestSessions(t *testing.T, secure bool) (*Sessions, *clock) {
	t.Helper()
	s, err := NewSessions(testKey(7), secure)
	if err != nil {
		t.Fatal(err)
	}
	c := &clock{t: time.Now()}
	s.Now = c.now
	return s, c
}

// request returns a request carrying the cookies w set.
func request(w *httptest.ResponseRecorder) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	for _, c := range w.Result().Cookies() {
		r.AddCookie(c)
	}
	return r
}

func TestSessionRoundTrip(t *testing.T) {
	for _, secure := range []bool{false, true} {
		s, _ := newTestSessions(t, secure)
		w := httptest.NewRecorder()
		if _, err := s.SignIn(w, kebumen, "Demo caseworker 3305"); err != nil {
			t.Fatal(err)
		}
		cookies := w.Result().Cookies()
		if len(cookies) != 1 {
			t.Fatalf("secure=%t: %d cookies, want 1", secure, len(cookies))
		}
		c := cookies[0]
		wantName := "lindungi_session"
		if secure {
			wantName = "__Host-lindungi_session"
		}
		if c.Name != wantName || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure != secure || c.Path != "/" || c.Domain != "" {
			t.Errorf("secure=%t: cookie %+v, want %s, HttpOnly, SameSite=Lax, Secure=%t, Path=/", secure, c, wantName, secure)
		}
		if c.MaxAge <= 0 || c.MaxAge > int(DefaultLifetime/time.Second) {
			t.Errorf("Max-Age = %d, want up to 8 hours", c.MaxAge)
		}
		if strings.Contains(c.Value, "caseworker") || strings.Contains(c.Value, "3305") {
			t.Error("the cookie shows its content: it must be encrypted")
		}
		sess, err := s.Load(request(w))
		if err != nil {
			t.Fatalf("secure=%t: Load: %v", secure, err)
		}
		if got := sess.Principal(); got.Subject != kebumen.Subject || got.Unit != kebumen.Unit || !slices.Equal(got.Roles, kebumen.Roles) {
			t.Errorf("principal %+v, want %+v", got, kebumen)
		}
		if sess.Name != "Demo caseworker 3305" || !sess.SignedIn() || len(sess.Secret) != 32 {
			t.Errorf("session %+v", sess)
		}
	}
}

func TestSessionRefusesTamperedAndForeignCookies(t *testing.T) {
	s, _ := newTestSessions(t, false)
	w := httptest.NewRecorder()
	if _, err := s.SignIn(w, kebumen, "x"); err != nil {
		t.Fatal(err)
	}
	good := w.Result().Cookies()[0]

	flip := func(v string, i int) string {
		b := []byte(v)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		return string(b)
	}
	other, err := NewSessions(testKey(9), false)
	if err != nil {
		t.Fatal(err)
	}
	ow := httptest.NewRecorder()
	if _, err := other.SignIn(ow, lindungi.Principal{Subject: "admin-ID", Unit: "ID", Roles: []string{"admin"}}, "x"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		value string
	}{
		{"a character changed at the start", flip(good.Value, 3)},
		{"a character changed in the middle", flip(good.Value, len(good.Value)/2)},
		{"a character changed at the end", flip(good.Value, len(good.Value)-2)},
		{"cut short", good.Value[:len(good.Value)-10]},
		{"not base64", "!!!" + good.Value},
		{"empty", ""},
		{"sealed with another key", ow.Result().Cookies()[0].Value},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.AddCookie(&http.Cookie{Name: good.Name, Value: tt.value})
			if _, err := s.Load(r); !errors.Is(err, ErrNoSession) {
				t.Errorf("Load = %v, want ErrNoSession", err)
			}
		})
	}
	if _, err := s.Load(httptest.NewRequest(http.MethodGet, "/", nil)); !errors.Is(err, ErrNoSession) {
		t.Errorf("no cookie: Load = %v, want ErrNoSession", err)
	}
}

func TestSessionExpiry(t *testing.T) {
	tests := []struct {
		name    string
		steps   []time.Duration // requests after sign-in, each Touching the session
		wantErr error
	}{
		{"fresh", []time.Duration{time.Minute}, nil},
		{"used every 50 minutes for 7 hours", []time.Duration{50 * time.Minute, 100 * time.Minute, 150 * time.Minute, 200 * time.Minute, 250 * time.Minute, 300 * time.Minute, 350 * time.Minute, 400 * time.Minute}, nil},
		{"idle for more than an hour", []time.Duration{61 * time.Minute}, ErrExpired},
		{"used all day: ends 8 hours after sign-in", []time.Duration{50 * time.Minute, 100 * time.Minute, 150 * time.Minute, 200 * time.Minute, 250 * time.Minute, 300 * time.Minute, 350 * time.Minute, 400 * time.Minute, 450 * time.Minute, 481 * time.Minute}, ErrExpired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, c := newTestSessions(t, false)
			start := c.t
			w := httptest.NewRecorder()
			if _, err := s.SignIn(w, kebumen, "x"); err != nil {
				t.Fatal(err)
			}
			r := request(w)
			var err error
			for _, d := range tt.steps {
				c.t = start.Add(d)
				var sess Session
				sess, err = s.Load(r)
				if err != nil {
					break
				}
				w := httptest.NewRecorder()
				if err := s.Touch(w, sess); err != nil {
					t.Fatal(err)
				}
				if cs := w.Result().Cookies(); len(cs) == 1 {
					r = request(w)
				}
			}
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("Load = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestTouchWritesOnlyWhenStale(t *testing.T) {
	s, c := newTestSessions(t, false)
	sess := s.New()
	w := httptest.NewRecorder()
	if err := s.Touch(w, sess); err != nil || len(w.Result().Cookies()) != 0 {
		t.Errorf("a session used just now was written again (%v)", err)
	}
	c.t = c.t.Add(2 * time.Minute)
	w = httptest.NewRecorder()
	if err := s.Touch(w, sess); err != nil || len(w.Result().Cookies()) != 1 {
		t.Errorf("a session used 2 minutes ago was not written again (%v)", err)
	}
}

func TestSignOutClears(t *testing.T) {
	s, _ := newTestSessions(t, true)
	w := httptest.NewRecorder()
	s.Clear(w)
	c := w.Result().Cookies()
	if len(c) != 1 || c[0].Name != "__Host-lindungi_session" || c[0].Value != "" || c[0].MaxAge >= 0 {
		t.Errorf("Clear set %+v, want the session cookie deleted", c)
	}
}

func TestSignInRotatesCSRFSecret(t *testing.T) {
	s, _ := newTestSessions(t, false)
	before := s.New()
	after, err := s.SignIn(httptest.NewRecorder(), kebumen, "x")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(before.Secret, after.Secret) || after.CheckCSRF(before.CSRFToken()) {
		t.Error("a token of the session before sign-in is valid after it")
	}
}

func TestCSRF(t *testing.T) {
	s, _ := newTestSessions(t, false)
	sess, other := s.New(), s.New()
	tok := sess.CSRFToken()
	if tok2 := sess.CSRFToken(); tok2 == tok || !sess.CheckCSRF(tok2) {
		t.Error("each token must differ (masked) and each must be valid")
	}
	raw := []byte(tok)
	raw[5] ^= 1
	tests := []struct {
		name  string
		token string
		want  bool
	}{
		{"its own token", tok, true},
		{"missing", "", false},
		{"another session's token", other.CSRFToken(), false},
		{"changed", string(raw), false},
		{"the bare secret", string(sess.Secret), false},
		{"not base64", "%%%%", false},
		{"too short", tok[:20], false},
	}
	for _, tt := range tests {
		if got := sess.CheckCSRF(tt.token); got != tt.want {
			t.Errorf("%s: CheckCSRF = %t, want %t", tt.name, got, tt.want)
		}
	}
	if (Session{}).CheckCSRF("") {
		t.Error("a session without a secret accepted an empty token")
	}
}

func TestRequestCSRF(t *testing.T) {
	form := httptest.NewRequest(http.MethodPost, "/keluar", strings.NewReader(url.Values{CSRFField: {"from-form"}}.Encode()))
	form.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if got := RequestCSRF(form); got != "from-form" {
		t.Errorf("form: %q", got)
	}
	hx := httptest.NewRequest(http.MethodPost, "/keluar", nil)
	hx.Header.Set(CSRFHeader, "from-header")
	if got := RequestCSRF(hx); got != "from-header" {
		t.Errorf("header: %q", got)
	}
	if got := RequestCSRF(httptest.NewRequest(http.MethodPost, "/keluar", nil)); got != "" {
		t.Errorf("none: %q", got)
	}
}

func TestSessionKeyFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "session.key")
	if _, err := LoadOrCreateSessionKey(path, false); err == nil {
		t.Fatal("a missing key was accepted without create")
	}
	k1, err := LoadOrCreateSessionKey(path, true)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, want 0600", fi.Mode().Perm())
	}
	k2, err := LoadOrCreateSessionKey(path, true)
	if err != nil || !bytes.Equal(k1, k2) || len(k1) != SessionKeySize {
		t.Errorf("reloading gave another key (%v)", err)
	}
	if _, err := NewSessions(k1, true); err != nil {
		t.Error(err)
	}
	bad := filepath.Join(dir, "bad.key")
	os.WriteFile(bad, []byte("c2VjcmV0LXZhbHVl\n"), 0o600)
	_, err = LoadOrCreateSessionKey(bad, false)
	if err == nil || strings.Contains(err.Error(), "c2VjcmV0") {
		t.Errorf("a short key: %v (must fail without quoting the file)", err)
	}
	if _, err := NewSessions([]byte("short"), false); err == nil {
		t.Error("NewSessions took a short key")
	}
}
