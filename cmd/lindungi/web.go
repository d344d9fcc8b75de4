package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/lindungi/lindungi/devenv"
	"github.com/lindungi/lindungi/identity"
	"github.com/lindungi/lindungi/postgres"
	"github.com/lindungi/lindungi/server"
	"github.com/lindungi/lindungi/web"
)

// pages wires the web pages: sessions sealed with the session key (made
// in development, required in production), sign-in at the identity
// provider the API trusts when there is one, and the demo users in
// development with development tokens.
func pages(ctx context.Context, cfg Config, v identity.Verifier, db *postgres.DB, logger *slog.Logger) (*server.Pages, error) {
	key, err := web.LoadOrCreateSessionKey(cfg.sessionKeyPath(), cfg.Env == "development")
	if err != nil {
		return nil, fmt.Errorf("web session key (LINDUNGI_SESSION_KEY_FILE): %w", err)
	}
	sessions, err := web.NewSessions(key, cfg.Env != "development")
	if err != nil {
		return nil, err
	}
	p := &server.Pages{Sessions: sessions, Store: db}
	switch {
	case cfg.OIDCIssuer != "" && cfg.Env == "production" && cfg.PublicURL == "":
		logger.Warn("browsers cannot sign in: set LINDUNGI_PUBLIC_URL to the site's https address")
	case cfg.OIDCIssuer != "":
		secret, err := clientSecret(cfg)
		if err != nil {
			return nil, err
		}
		clientID := cfg.OIDCClientID
		if clientID == "" {
			clientID = cfg.OIDCAudience
		}
		p.OIDC, err = web.NewOIDCSignIn(ctx, web.OIDCConfig{IssuerURL: cfg.OIDCIssuer, ClientID: clientID, ClientSecret: secret,
			RedirectURL: cfg.publicURL(cfg.Addr) + "/masuk/callback"}, v, sessions)
		if err != nil {
			// The API still serves bearer tokens; the sign-in page says
			// nobody can sign in.
			logger.Warn("browsers cannot sign in at the identity provider", "err", err)
		}
	case cfg.Env == "development":
		p.DemoUsers = devenv.DemoUsers()
	}
	return p, nil
}

// clientSecret reads the web pages' client secret, if there is one.
func clientSecret(cfg Config) (string, error) {
	if cfg.OIDCClientSecretFile == "" {
		return "", nil
	}
	b, err := os.ReadFile(cfg.OIDCClientSecretFile)
	if err != nil {
		return "", fmt.Errorf("LINDUNGI_OIDC_CLIENT_SECRET_FILE: %w", err)
	}
	return strings.TrimSpace(string(b)), nil
}
