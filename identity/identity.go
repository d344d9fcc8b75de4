// Package identity turns bearer tokens into principals. This file holds the
// development issuer: an Ed25519 key kept in a local file that signs tokens
// for demos, tests and scripts (`lindungi token`). It is for development only;
// production validates tokens of an external OpenID Connect issuer.
package identity

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/lindungi/lindungi"
)

// Verifier checks a bearer token and returns who presented it.
type Verifier interface {
	// Verify returns the principal of a valid token; EUNAUTHORIZED otherwise.
	Verify(ctx context.Context, token string) (lindungi.Principal, error)
}

// DevIssuer and Audience are the iss and aud claims of development tokens.
const (
	DevIssuer = "lindungi-dev"
	Audience  = "lindungi"
)

// Dev signs and verifies development tokens with one Ed25519 key.
type Dev struct {
	key ed25519.PrivateKey
	// Now is the clock; tests may replace it.
	Now func() time.Time
}

// LoadOrCreateDev reads the development key at path, creating it (mode 0600)
// when the file does not exist.
func LoadOrCreateDev(path string) (*Dev, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		_, key, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, err
		}
		der, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			return nil, err
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, err
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, os.ErrExist) {
			return LoadOrCreateDev(path) // another process made it first
		}
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if err := pem.Encode(f, &pem.Block{Type: "PRIVATE KEY", Bytes: der}); err != nil {
			return nil, err
		}
		return &Dev{key: key, Now: time.Now}, f.Sync()
	}
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(b)
	if block == nil {
		return nil, fmt.Errorf("%s: not a PEM key", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	key, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("%s: not an Ed25519 key", path)
	}
	return &Dev{key: key, Now: time.Now}, nil
}

// Claims are the claims of a Lindungi token.
type Claims struct {
	Unit  string   `json:"unit"`
	Roles []string `json:"roles"`
	jwt.RegisteredClaims
}

// Sign returns a development token for p, valid for ttl.
func (d *Dev) Sign(p lindungi.Principal, ttl time.Duration) (string, error) {
	now := d.Now()
	c := Claims{Unit: p.Unit, Roles: p.Roles, RegisteredClaims: jwt.RegisteredClaims{
		Issuer: DevIssuer, Subject: p.Subject, Audience: jwt.ClaimStrings{Audience},
		IssuedAt: jwt.NewNumericDate(now), NotBefore: jwt.NewNumericDate(now.Add(-time.Minute)),
		ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
	}}
	return jwt.NewWithClaims(jwt.SigningMethodEdDSA, c).SignedString(d.key)
}

// Verify checks a development token's signature, issuer, audience and times.
func (d *Dev) Verify(_ context.Context, token string) (lindungi.Principal, error) {
	var c Claims
	_, err := jwt.ParseWithClaims(token, &c, func(t *jwt.Token) (any, error) {
		return d.key.Public(), nil
	},
		jwt.WithValidMethods([]string{jwt.SigningMethodEdDSA.Alg()}),
		jwt.WithIssuer(DevIssuer), jwt.WithAudience(Audience), jwt.WithExpirationRequired(),
		jwt.WithLeeway(30*time.Second), jwt.WithTimeFunc(d.Now),
	)
	if err != nil {
		return lindungi.Principal{}, lindungi.Errorf(lindungi.EUNAUTHORIZED, "The token is not valid: %v.", err)
	}
	p := lindungi.Principal{Subject: c.Subject, Unit: c.Unit, Roles: slices.Clone(c.Roles)}
	if p.Subject == "" || p.Unit == "" || len(p.Roles) == 0 {
		return lindungi.Principal{}, lindungi.Errorf(lindungi.EUNAUTHORIZED, "The token lacks sub, unit or roles.")
	}
	return p, nil
}
