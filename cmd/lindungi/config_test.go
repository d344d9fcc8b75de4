package main

import (
	"strings"
	"testing"
)

func TestLoadConfig(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		wantErr string // "" for success
	}{
		{"defaults", nil, ""},
		{"production with OIDC", map[string]string{"LINDUNGI_ENV": "production", "LINDUNGI_OIDC_ISSUER": "https://sso", "LINDUNGI_OIDC_AUDIENCE": "lindungi"}, ""},
		{"production with the development key", map[string]string{"LINDUNGI_ENV": "production", "LINDUNGI_DEV_KEY_FILE": "/k"}, "development-only"},
		{"both issuers", map[string]string{"LINDUNGI_OIDC_ISSUER": "https://sso", "LINDUNGI_OIDC_AUDIENCE": "a", "LINDUNGI_DEV_KEY_FILE": "/k"}, "not both"},
		{"issuer without audience", map[string]string{"LINDUNGI_OIDC_ISSUER": "https://sso"}, "go together"},
		{"unknown environment", map[string]string{"LINDUNGI_ENV": "staging"}, "want development or production"},
		{"bad log format", map[string]string{"LINDUNGI_LOG_FORMAT": "xml"}, "text or json"},
		{"bad interval", map[string]string{"LINDUNGI_RECONCILE_INTERVAL": "soon"}, "positive duration"},
		{"bad update timeout", map[string]string{"LINDUNGI_UPDATE_TIMEOUT": "-1s"}, "LINDUNGI_UPDATE_TIMEOUT"},
		{"update longer than its request", map[string]string{"LINDUNGI_UPDATE_TIMEOUT": "40s"}, "shorter than LINDUNGI_REQUEST_TIMEOUT"},
		{"bad checkpoint interval", map[string]string{"LINDUNGI_AUDIT_CHECKPOINT_INTERVAL": "0s"}, "LINDUNGI_AUDIT_CHECKPOINT_INTERVAL"},
		{"public URL", map[string]string{"LINDUNGI_ENV": "production", "LINDUNGI_OIDC_ISSUER": "https://sso", "LINDUNGI_OIDC_AUDIENCE": "lindungi",
			"LINDUNGI_PUBLIC_URL": "https://lindungi.jatengprov.go.id/"}, ""},
		{"public URL over http in production", map[string]string{"LINDUNGI_ENV": "production", "LINDUNGI_OIDC_ISSUER": "https://sso",
			"LINDUNGI_OIDC_AUDIENCE": "lindungi", "LINDUNGI_PUBLIC_URL": "http://lindungi.jatengprov.go.id"}, "https in production"},
		{"public URL with a path", map[string]string{"LINDUNGI_PUBLIC_URL": "https://example.go.id/lindungi"}, "LINDUNGI_PUBLIC_URL"},
		{"public URL without a host", map[string]string{"LINDUNGI_PUBLIC_URL": "lindungi.example.go.id"}, "LINDUNGI_PUBLIC_URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := loadConfig(func(k string) string { return tt.env[k] })
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("loadConfig: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("loadConfig err = %v, want one mentioning %q", err, tt.wantErr)
			}
		})
	}
}

func TestConfigMasksSecrets(t *testing.T) {
	c, err := loadConfig(func(k string) string {
		if k == "DATABASE_URL" {
			return "postgres://lindungi:s3cret@db:5432/lindungi?sslmode=disable"
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.LogValue().String(); strings.Contains(got, "s3cret") || !strings.Contains(got, "lindungi:****@db") {
		t.Errorf("logged configuration %s shows the password or hides the host", got)
	}
}
