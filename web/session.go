package web

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/gorilla/securecookie"
	"github.com/lindungi/lindungi"
)

// Session lifetimes: a session ends 8 hours after sign-in, or after an
// hour without a request, whichever comes first.
const (
	DefaultLifetime = 8 * time.Hour
	DefaultIdle     = time.Hour
)

// How the CSRF token travels: in a form's hidden field, or in the header
// every htmx request of a page sends (Page.HXHeaders).
const (
	CSRFField  = "csrf_token"
	CSRFHeader = "X-CSRF-Token"
)

// SessionKeySize is the size of a session key: 32 bytes for the HMAC-SHA256
// that signs cookies and 32 for the AES-256 that encrypts them.
const SessionKeySize = 64

// Errors of Sessions.Load.
var (
	ErrNoSession = errors.New("web: no session")
	ErrExpired   = errors.New("web: session expired")
)

// Session is what the session cookie holds: who signed in (nobody, for
// the session a sign-in page starts so that its form carries a CSRF
// token), the secret CSRF tokens are made from, and when it began and was
// last used. The cookie is signed and encrypted: the browser can neither
// read nor change it.
type Session struct {
	Subject string   `json:"sub,omitempty"`
	Unit    string   `json:"unit,omitempty"`
	Roles   []string `json:"roles,omitempty"`
	Name    string   `json:"name,omitempty"`
	Secret  []byte   `json:"csrf"`
	Created int64    `json:"created"` // Unix seconds
	Seen    int64    `json:"seen"`
	// Flash is a catalogue key the next page shows once.
	Flash string `json:"flash,omitempty"`
	// Purpose is why the user reads personal data in this session of
	// work, such as an audit assignment ("BPK-2026-07"): the audit pages
	// ask for it once and write it with every read they log.
	Purpose string `json:"purpose,omitempty"`
}

// SignedIn reports whether someone signed in to the session.
func (s Session) SignedIn() bool { return s.Subject != "" }

// Principal is who signed in.
func (s Session) Principal() lindungi.Principal {
	return lindungi.Principal{Subject: s.Subject, Unit: s.Unit, Roles: slices.Clone(s.Roles)}
}

// CSRFToken returns a token for the session's forms. Each call masks the
// secret with fresh random bytes, so that no two pages carry the same
// token (BREACH cannot recover it from compressed pages).
func (s Session) CSRFToken() string {
	mask := make([]byte, len(s.Secret))
	rand.Read(mask)
	tok := make([]byte, 0, 2*len(s.Secret))
	tok = append(tok, mask...)
	for i, b := range s.Secret {
		tok = append(tok, b^mask[i])
	}
	return base64.RawURLEncoding.EncodeToString(tok)
}

// CheckCSRF reports whether token is one of the session's CSRF tokens. It
// compares in constant time.
func (s Session) CheckCSRF(token string) bool {
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(s.Secret) == 0 || len(raw) != 2*len(s.Secret) {
		return false
	}
	n := len(s.Secret)
	secret := make([]byte, n)
	for i := range n {
		secret[i] = raw[i] ^ raw[n+i]
	}
	return hmac.Equal(secret, s.Secret)
}

// RequestCSRF returns the CSRF token a request carries: the X-CSRF-Token
// header, else the csrf_token form field.
func RequestCSRF(r *http.Request) string {
	if t := r.Header.Get(CSRFHeader); t != "" {
		return t
	}
	return r.PostFormValue(CSRFField)
}

// Sessions keeps sessions in a cookie, signed (HMAC-SHA256) and encrypted
// (AES-256) with the session key; the server keeps no session state. The
// cookie is HttpOnly and SameSite=Lax, and Secure (with the __Host- prefix)
// outside development.
type Sessions struct {
	session *securecookie.SecureCookie
	flow    *securecookie.SecureCookie
	// Secure marks the cookies Secure: every deployment but a laptop.
	Secure bool
	// Lifetime and Idle end a session that long after it began and after
	// its last request.
	Lifetime time.Duration
	Idle     time.Duration
	// Now is the clock.
	Now func() time.Time
}

// flowLifetime is how long a sign-in at the identity provider may take.
const flowLifetime = 10 * time.Minute

// NewSessions returns sessions sealed with key (SessionKeySize bytes).
func NewSessions(key []byte, secure bool) (*Sessions, error) {
	if len(key) != SessionKeySize {
		return nil, fmt.Errorf("web: session key has %d bytes, want %d", len(key), SessionKeySize)
	}
	codec := func(maxAge time.Duration) *securecookie.SecureCookie {
		c := securecookie.New(key[:32], key[32:])
		c.SetSerializer(securecookie.JSONEncoder{})
		c.MaxAge(int(maxAge / time.Second))
		return c
	}
	return &Sessions{session: codec(DefaultLifetime), flow: codec(flowLifetime), Secure: secure,
		Lifetime: DefaultLifetime, Idle: DefaultIdle, Now: time.Now}, nil
}

// cookieName is name, with the __Host- prefix when cookies are Secure: the
// browser then refuses the cookie from anything but this host over HTTPS.
func (s *Sessions) cookieName(name string) string {
	if s.Secure {
		return "__Host-" + name
	}
	return name
}

func (s *Sessions) sessionCookie() string { return s.cookieName("lindungi_session") }
func (s *Sessions) flowCookie() string    { return s.cookieName("lindungi_signin") }

// New returns a session nobody has signed in to yet, with its CSRF secret.
func (s *Sessions) New() Session {
	secret := make([]byte, 32)
	rand.Read(secret)
	now := s.Now().Unix()
	return Session{Secret: secret, Created: now, Seen: now}
}

// Load returns the request's session: ErrNoSession when it has none or its
// cookie was not made with this key (tampered, or sealed with another key),
// ErrExpired when it ended.
func (s *Sessions) Load(r *http.Request) (Session, error) {
	ck, err := r.Cookie(s.sessionCookie())
	if err != nil {
		return Session{}, ErrNoSession
	}
	var sess Session
	if err := s.session.Decode(s.sessionCookie(), ck.Value, &sess); err != nil {
		// Tampered, sealed with another key, or older than Lifetime by
		// the cookie's own timestamp: no session either way.
		return Session{}, ErrNoSession
	}
	now := s.Now()
	if len(sess.Secret) == 0 || now.Sub(time.Unix(sess.Created, 0)) > s.Lifetime || now.Sub(time.Unix(sess.Seen, 0)) > s.Idle {
		return Session{}, ErrExpired
	}
	return sess, nil
}

// Save writes sess, used now, to its cookie; the cookie ends with the
// session's lifetime.
func (s *Sessions) Save(w http.ResponseWriter, sess Session) error {
	now := s.Now()
	sess.Seen = now.Unix()
	v, err := s.session.Encode(s.sessionCookie(), sess)
	if err != nil {
		return fmt.Errorf("web: seal session: %w", err)
	}
	left := time.Unix(sess.Created, 0).Add(s.Lifetime).Sub(now)
	http.SetCookie(w, &http.Cookie{Name: s.sessionCookie(), Value: v, Path: "/", MaxAge: max(1, int(left/time.Second)),
		HttpOnly: true, Secure: s.Secure, SameSite: http.SameSiteLaxMode})
	return nil
}

// Touch saves sess again when its last use is more than a minute old, so
// that an active user's session does not end after Idle, without writing
// the cookie on every request.
func (s *Sessions) Touch(w http.ResponseWriter, sess Session) error {
	if s.Now().Sub(time.Unix(sess.Seen, 0)) < time.Minute {
		return nil
	}
	return s.Save(w, sess)
}

// SignIn starts a new session for p, named name, and saves it. The new
// session has a new CSRF secret: nothing of the session before sign-in
// (whose tokens an attacker may have seen) carries over.
func (s *Sessions) SignIn(w http.ResponseWriter, p lindungi.Principal, name string) (Session, error) {
	sess := s.NewSignedIn(p, name)
	return sess, s.Save(w, sess)
}

// NewSignedIn is the session SignIn saves, for a caller that saves it
// later itself.
func (s *Sessions) NewSignedIn(p lindungi.Principal, name string) Session {
	sess := s.New()
	sess.Subject, sess.Unit, sess.Roles, sess.Name = p.Subject, p.Unit, slices.Clone(p.Roles), name
	sess.Flash = "flash.signed_in"
	return sess
}

// Clear ends the session: its cookie is deleted.
func (s *Sessions) Clear(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: s.sessionCookie(), Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.Secure, SameSite: http.SameSiteLaxMode})
}

// LoadOrCreateSessionKey reads the session key at path: one line, the
// standard base64 of SessionKeySize random bytes. With create, a missing
// file is made (mode 0600): that is for development; production supplies
// the key (LINDUNGI_SESSION_KEY_FILE) so that every copy of the server
// reads the same sessions.
func LoadOrCreateSessionKey(path string, create bool) ([]byte, error) {
	key, err := readSessionKey(path)
	if !create || !errors.Is(err, fs.ErrNotExist) {
		return key, err
	}
	key = securecookie.GenerateRandomKey(SessionKeySize)
	if key == nil {
		return nil, errors.New("web: no randomness for a session key")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return readSessionKey(path) // another process made it first
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if _, err := fmt.Fprintln(f, base64.StdEncoding.EncodeToString(key)); err != nil {
		return nil, err
	}
	return key, f.Sync()
}

// readSessionKey never quotes the file, which holds a secret.
func readSessionKey(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("session key: %w", err)
	}
	key, err := base64.StdEncoding.DecodeString(string(bytes.TrimSpace(b)))
	if err != nil {
		return nil, fmt.Errorf("session key %s: not one line of standard base64", path)
	}
	if len(key) != SessionKeySize {
		return nil, fmt.Errorf("session key %s: %d bytes, want %d", path, len(key), SessionKeySize)
	}
	return key, nil
}

// signInFlow is what a sign-in at the identity provider must find again
// when the browser comes back: the state that ties the answer to this
// browser, the PKCE verifier of the code, the nonce the ID token must
// carry, and the page to return to. It lives in its own short cookie,
// sealed like the session.
type signInFlow struct {
	State    string `json:"state"`
	Verifier string `json:"verifier"`
	Nonce    string `json:"nonce"`
	Next     string `json:"next"`
	Created  int64  `json:"created"`
}

func (s *Sessions) saveFlow(w http.ResponseWriter, f signInFlow) error {
	f.Created = s.Now().Unix()
	v, err := s.flow.Encode(s.flowCookie(), f)
	if err != nil {
		return fmt.Errorf("web: seal sign-in: %w", err)
	}
	// Lax: the identity provider sends the browser back with a top-level
	// GET, which carries Lax cookies.
	http.SetCookie(w, &http.Cookie{Name: s.flowCookie(), Value: v, Path: "/", MaxAge: int(flowLifetime / time.Second),
		HttpOnly: true, Secure: s.Secure, SameSite: http.SameSiteLaxMode})
	return nil
}

// loadFlow returns the sign-in the request's browser started, if it is
// still fresh.
func (s *Sessions) loadFlow(r *http.Request) (signInFlow, bool) {
	ck, err := r.Cookie(s.flowCookie())
	if err != nil {
		return signInFlow{}, false
	}
	var f signInFlow
	if err := s.flow.Decode(s.flowCookie(), ck.Value, &f); err != nil {
		return signInFlow{}, false
	}
	if s.Now().Sub(time.Unix(f.Created, 0)) > flowLifetime || f.State == "" || f.Verifier == "" || f.Nonce == "" {
		return signInFlow{}, false
	}
	return f, true
}

func (s *Sessions) clearFlow(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: s.flowCookie(), Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.Secure, SameSite: http.SameSiteLaxMode})
}
