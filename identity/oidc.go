package identity

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/lindungi/lindungi"
)

// OIDCConfig configures tokens from an external OpenID Connect issuer.
type OIDCConfig struct {
	// IssuerURL is the issuer, e.g. https://sso.example.go.id/realms/lindungi;
	// discovery is at IssuerURL + "/.well-known/openid-configuration".
	IssuerURL string
	// Audience is the required aud (the client ID).
	Audience string
	// SubjectClaim, UnitClaim and RolesClaim name the claims that carry the
	// principal: by default "sub", "unit" and "roles". Each may be a dotted
	// path into nested objects, e.g. "realm_access.roles" (Keycloak); a claim
	// whose name contains the dots itself is found first. Subject and unit
	// are strings; roles is an array of strings or a single string.
	SubjectClaim string
	UnitClaim    string
	RolesClaim   string
	// ClockSkew is the leeway for exp, nbf and iat; by default 30s.
	ClockSkew time.Duration
	// Algorithms are the accepted signing algorithms; by default RS256, ES256
	// and EdDSA. Only asymmetric algorithms are allowed: never "none" or HS*.
	Algorithms []string
	// HTTPClient fetches discovery and keys; by default a client with a 10s
	// timeout.
	HTTPClient *http.Client
}

// OIDC verifies tokens of an external OpenID Connect issuer. Its keys come
// from the issuer's JWKS and are fetched again when a token names a key ID
// not yet seen, so the issuer may rotate keys without a restart.
type OIDC struct {
	verifier *oidc.IDTokenVerifier
	subject  string
	unit     string
	roles    string
	skew     time.Duration
}

// asymmetric lists the algorithms a verifier may accept. HMAC and "none" are
// absent: with them, anyone who knows the public key could mint tokens.
var asymmetric = []string{
	oidc.RS256, oidc.RS384, oidc.RS512,
	oidc.ES256, oidc.ES384, oidc.ES512,
	oidc.PS256, oidc.PS384, oidc.PS512,
	oidc.EdDSA,
}

// NewOIDC fetches the issuer's discovery document and returns a verifier. It
// fails when the document cannot be fetched or names a different issuer.
func NewOIDC(ctx context.Context, cfg OIDCConfig) (*OIDC, error) {
	if cfg.IssuerURL == "" || cfg.Audience == "" {
		return nil, errors.New("oidc: issuer URL and audience are required")
	}
	if cfg.ClockSkew < 0 {
		return nil, fmt.Errorf("oidc: negative clock skew %v", cfg.ClockSkew)
	}
	algs := cfg.Algorithms
	if len(algs) == 0 {
		algs = []string{oidc.RS256, oidc.ES256, oidc.EdDSA}
	}
	for _, a := range algs {
		if !slices.Contains(asymmetric, a) {
			return nil, fmt.Errorf("oidc: signing algorithm %q is not allowed", a)
		}
	}
	o := &OIDC{
		subject: cmp.Or(cfg.SubjectClaim, "sub"),
		unit:    cmp.Or(cfg.UnitClaim, "unit"),
		roles:   cmp.Or(cfg.RolesClaim, "roles"),
		skew:    cmp.Or(cfg.ClockSkew, 30*time.Second),
	}
	client := cfg.HTTPClient
	if client == nil {
		// The key set refetches in the background without a deadline of its
		// own; a timeout keeps a hung issuer from stalling it forever.
		client = &http.Client{Timeout: 10 * time.Second}
	}
	// The provider keeps the client and uses it for every later key fetch.
	provider, err := oidc.NewProvider(oidc.ClientContext(ctx, client), cfg.IssuerURL)
	if err != nil {
		return nil, fmt.Errorf("oidc discovery for %s: %w", cfg.IssuerURL, err)
	}
	o.verifier = provider.Verifier(&oidc.Config{
		ClientID:             cfg.Audience,
		SupportedSigningAlgs: slices.Clone(algs),
		// go-oidc has no leeway for exp and a fixed 5 minutes for nbf;
		// Verify checks the times itself with the configured skew.
		SkipExpiryCheck: true,
	})
	return o, nil
}

// Verify checks the token's signature, issuer, audience and times, and
// returns the principal its claims name. Every failure is EUNAUTHORIZED with
// a message that repeats nothing from the token.
func (o *OIDC) Verify(ctx context.Context, token string) (lindungi.Principal, error) {
	// Only the compact form is a bearer token; go-jose would also parse the
	// JSON serialization.
	if strings.Count(token, ".") != 2 {
		return lindungi.Principal{}, unauthorized("The token is malformed.")
	}
	idt, err := o.verifier.Verify(ctx, token)
	if err != nil {
		return lindungi.Principal{}, refusal(err)
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return lindungi.Principal{}, unauthorized("The token's claims are malformed.")
	}
	if err := o.checkTimes(idt, claims); err != nil {
		return lindungi.Principal{}, err
	}

	sub, ok := claim(claims, o.subject).(string)
	if !ok || sub == "" {
		return lindungi.Principal{}, unauthorized("The token has no subject in claim %q.", o.subject)
	}
	unit, ok := claim(claims, o.unit).(string)
	if !ok || unit == "" {
		return lindungi.Principal{}, unauthorized("The token has no unit in claim %q.", o.unit)
	}
	var roles []string
	switch v := claim(claims, o.roles).(type) {
	case string:
		if v != "" {
			roles = []string{v}
		}
	case []any:
		for _, r := range v {
			s, ok := r.(string)
			if !ok {
				return lindungi.Principal{}, unauthorized("The token's claim %q is not a list of strings.", o.roles)
			}
			roles = append(roles, s)
		}
	}
	if len(roles) == 0 {
		return lindungi.Principal{}, unauthorized("The token has no roles in claim %q.", o.roles)
	}
	return lindungi.Principal{Subject: sub, Unit: unit, Roles: roles}, nil
}

// checkTimes refuses a token that has expired, is not yet valid, or claims to
// be issued in the future, each by more than the skew. exp is required.
func (o *OIDC) checkTimes(idt *oidc.IDToken, claims map[string]any) error {
	now := time.Now()
	if idt.Expiry.IsZero() {
		return unauthorized("The token has no expiry.")
	}
	if !now.Before(idt.Expiry.Add(o.skew)) {
		return unauthorized("The token has expired.")
	}
	if !idt.IssuedAt.IsZero() && idt.IssuedAt.After(now.Add(o.skew)) {
		return unauthorized("The token is issued in the future.")
	}
	if v, ok := claims["nbf"]; ok {
		nbf, ok := v.(float64)
		if !ok {
			return unauthorized("The token's nbf claim is not a number.")
		}
		// Compared as seconds, so that no nbf can overflow a time.Time.
		if nbf > float64(now.Add(o.skew).UnixNano())/1e9 {
			return unauthorized("The token is not valid yet.")
		}
	}
	return nil
}

// claim returns the value at path in claims, or nil. A claim named path
// itself wins over walking path's dotted segments through nested objects.
func claim(claims map[string]any, path string) any {
	if v, ok := claims[path]; ok {
		return v
	}
	var v any = claims
	for name := range strings.SplitSeq(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[name]
	}
	return v
}

// refusal turns a go-oidc verification error into a message safe to show:
// go-oidc's own messages quote the token's issuer, audience and algorithm.
// The wording is go-oidc's; anything unrecognised gets the general message.
func refusal(err error) error {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "unexpected signature algorithm"):
		return unauthorized("The token's signing algorithm is not accepted.")
	case strings.Contains(msg, "malformed jwt"):
		return unauthorized("The token is malformed.")
	case strings.Contains(msg, "failed to verify signature"):
		return unauthorized("The token's signature is not valid, or its key is unknown.")
	case strings.Contains(msg, "issued by a different provider"):
		return unauthorized("The token is from another issuer.")
	case strings.Contains(msg, "expected audience"):
		return unauthorized("The token is for another audience.")
	}
	return unauthorized("The token is not valid.")
}

func unauthorized(format string, args ...any) error {
	return lindungi.Errorf(lindungi.EUNAUTHORIZED, format, args...)
}
