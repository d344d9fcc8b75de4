package web

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/lindungi/lindungi"
	"golang.org/x/oauth2"
)

// TokenVerifier checks a token and returns who it names: the verifier of
// the API's bearer tokens (identity.OIDC), so that a browser and a script
// are held to the same issuer, audience, algorithms and clock skew.
type TokenVerifier interface {
	Verify(ctx context.Context, token string) (lindungi.Principal, error)
}

// OIDCConfig configures sign-in at the OpenID Connect issuer the API
// trusts, with the authorization-code flow and PKCE.
type OIDCConfig struct {
	// IssuerURL is the issuer (LINDUNGI_OIDC_ISSUER); its endpoints come
	// from its discovery document.
	IssuerURL string
	// ClientID is this application at the issuer; ID tokens carry it as
	// their audience (LINDUNGI_OIDC_AUDIENCE).
	ClientID string
	// ClientSecret is empty for a public client: PKCE protects the code.
	ClientSecret string
	// RedirectURL is where the issuer sends the browser back:
	// https://<host>/masuk/callback.
	RedirectURL string
	// Scopes are asked for besides openid; by default profile.
	Scopes []string
	// HTTPClient talks to the issuer; by default a client with a 10 s
	// timeout.
	HTTPClient *http.Client
}

// OIDCSignIn signs browsers in at an OpenID Connect issuer.
type OIDCSignIn struct {
	oauth    oauth2.Config
	verifier TokenVerifier
	sessions *Sessions
	client   *http.Client
}

// NewOIDCSignIn reads the issuer's discovery document and returns its
// sign-in. v verifies the ID tokens it returns.
func NewOIDCSignIn(ctx context.Context, cfg OIDCConfig, v TokenVerifier, s *Sessions) (*OIDCSignIn, error) {
	if cfg.IssuerURL == "" || cfg.ClientID == "" || cfg.RedirectURL == "" {
		return nil, errors.New("web: OIDC sign-in needs the issuer URL, the client ID and the redirect URL")
	}
	client := cfg.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	provider, err := oidc.NewProvider(oidc.ClientContext(ctx, client), cfg.IssuerURL)
	if err != nil {
		return nil, fmt.Errorf("web: OIDC discovery for %s: %w", cfg.IssuerURL, err)
	}
	if ep := provider.Endpoint(); ep.AuthURL == "" || ep.TokenURL == "" {
		return nil, fmt.Errorf("web: the issuer %s publishes no authorization or token endpoint", cfg.IssuerURL)
	}
	extra := cfg.Scopes
	if len(extra) == 0 {
		extra = []string{"profile"}
	}
	scopes := append([]string{oidc.ScopeOpenID}, extra...)
	return &OIDCSignIn{
		oauth: oauth2.Config{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, Endpoint: provider.Endpoint(),
			RedirectURL: cfg.RedirectURL, Scopes: scopes},
		verifier: v, sessions: s, client: client,
	}, nil
}

// Start begins a sign-in: it keeps a new state, PKCE verifier and nonce
// in a short-lived sealed cookie and returns the issuer's URL to send the
// browser to. next is the page to return to afterwards.
func (o *OIDCSignIn) Start(w http.ResponseWriter, next string) (string, error) {
	f := signInFlow{State: randomString(), Verifier: oauth2.GenerateVerifier(), Nonce: randomString(), Next: LocalPath(next)}
	if err := o.sessions.saveFlow(w, f); err != nil {
		return "", err
	}
	return o.oauth.AuthCodeURL(f.State, oauth2.S256ChallengeOption(f.Verifier), oidc.Nonce(f.Nonce)), nil
}

// SignedIn is who a finished sign-in names, and where they go next.
type SignedIn struct {
	Principal lindungi.Principal
	Name      string
	Next      string
}

// Finish ends a sign-in when the issuer sends the browser back (the
// callback): the state must be the one this browser started with, the
// code is exchanged with its PKCE verifier, and the ID token must pass the
// API's verifier and carry the nonce. Every failure is EUNAUTHORIZED with
// a message safe to show. The sign-in's cookie is cleared either way.
func (o *OIDCSignIn) Finish(w http.ResponseWriter, r *http.Request) (SignedIn, error) {
	f, ok := o.sessions.loadFlow(r)
	o.sessions.clearFlow(w)
	q := r.URL.Query()
	switch {
	case !ok:
		return SignedIn{}, lindungi.Errorf(lindungi.EUNAUTHORIZED, "The sign-in expired or was started in another browser; sign in again.")
	case q.Get("error") != "":
		return SignedIn{}, lindungi.Errorf(lindungi.EUNAUTHORIZED, "The identity provider did not sign you in.")
	case subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(f.State)) != 1:
		return SignedIn{}, lindungi.Errorf(lindungi.EUNAUTHORIZED, "The sign-in answer does not belong to this browser; sign in again.")
	case q.Get("code") == "":
		return SignedIn{}, lindungi.Errorf(lindungi.EUNAUTHORIZED, "The identity provider sent no code.")
	}
	ctx := context.WithValue(r.Context(), oauth2.HTTPClient, o.client)
	tok, err := o.oauth.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(f.Verifier))
	if err != nil {
		// The cause stays in the chain for the log; the user sees the
		// domain error's message only.
		return SignedIn{}, fmt.Errorf("%w (%v)", lindungi.Errorf(lindungi.EUNAUTHORIZED, "The identity provider refused the sign-in code."), err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return SignedIn{}, lindungi.Errorf(lindungi.EUNAUTHORIZED, "The identity provider sent no ID token.")
	}
	p, err := o.verifier.Verify(r.Context(), raw)
	if err != nil {
		return SignedIn{}, err
	}
	// The token is verified: its claims can be read as they are.
	claims, err := payload(raw)
	if err != nil {
		return SignedIn{}, lindungi.Errorf(lindungi.EUNAUTHORIZED, "The ID token's claims are malformed.")
	}
	nonce, _ := claims["nonce"].(string)
	if subtle.ConstantTimeCompare([]byte(nonce), []byte(f.Nonce)) != 1 {
		return SignedIn{}, lindungi.Errorf(lindungi.EUNAUTHORIZED, "The ID token was not issued for this sign-in.")
	}
	name, _ := claims["name"].(string)
	if name == "" {
		name, _ = claims["preferred_username"].(string)
	}
	return SignedIn{Principal: p, Name: cmp.Or(strings.TrimSpace(name), p.Subject), Next: f.Next}, nil
}

// payload decodes the claims of a compact JWT without checking it: only
// for a token already verified.
func payload(jwt string) (map[string]any, error) {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return nil, errors.New("not a compact JWT")
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, err
	}
	var claims map[string]any
	return claims, json.Unmarshal(b, &claims)
}

// randomString is 32 random bytes, URL-safe.
func randomString() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
