package main

import (
	"crypto/ed25519"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/auditlog"
)

// Config is every setting the binary reads, from the environment, in one place.
// Defaults work on a laptop; production sets DATABASE_URL, TEMPORAL_ADDRESS and
// its token issuer explicitly.
type Config struct {
	Env               string // LINDUNGI_ENV: development or production
	Addr              string // LINDUNGI_ADDR: HTTP listen address
	DataDir           string // LINDUNGI_DATA: local state of `lindungi dev`
	DatabaseURL       string // DATABASE_URL: PostgreSQL DSN; empty in dev starts a local server
	TemporalAddress   string // TEMPORAL_ADDRESS: host:port; empty in dev starts a dev server
	TemporalNS        string // TEMPORAL_NAMESPACE
	TaskQueue         string // LINDUNGI_TASK_QUEUE
	DevKeyFile        string // LINDUNGI_DEV_KEY_FILE: development-only token signing key
	TemporalBin       string // LINDUNGI_TEMPORAL_BIN: an existing temporal CLI binary
	LogFormat         string // LINDUNGI_LOG_FORMAT: text or json
	LogLevel          string // LINDUNGI_LOG_LEVEL: debug, info, warn, error
	ReconcileInterval string // LINDUNGI_RECONCILE_INTERVAL: how often the worker repairs journeys that never started (Go duration)
	OIDCIssuer        string // LINDUNGI_OIDC_ISSUER: the OpenID Connect issuer URL of production tokens
	OIDCAudience      string // LINDUNGI_OIDC_AUDIENCE: the audience (client ID) tokens must carry
	OIDCSubjectClaim  string // LINDUNGI_OIDC_SUBJECT_CLAIM: claim with the user name (default sub)
	OIDCUnitClaim     string // LINDUNGI_OIDC_UNIT_CLAIM: claim with the unit code (default unit)
	OIDCRolesClaim    string // LINDUNGI_OIDC_ROLES_CLAIM: claim with the roles, dotted path allowed (default roles)
	PayloadKeyFile    string // LINDUNGI_PAYLOAD_KEY_FILE: key that encrypts Temporal payloads (default in LINDUNGI_DATA)
	TaskDeadlines     string // LINDUNGI_TASK_DEADLINES: working days per task kind, e.g. "VERIFY_REGISTRATION=2,ORIENTATION=1"
	DemoDeadline      string // LINDUNGI_DEMO_DEADLINE: every deadline this long (Go duration) instead of working days; development only
	CheckInInterval   string // LINDUNGI_CHECKIN_INTERVAL: how often workers abroad are checked on (Go duration, default 4380h = 6 months)
	RequestTimeout    string // LINDUNGI_REQUEST_TIMEOUT: the most a request may work (Go duration, default 30s)
	UpdateTimeout     string // LINDUNGI_UPDATE_TIMEOUT: the most a request waits for a workflow's answer before 504 (Go duration, default 10s)
	StartTimeout      string // LINDUNGI_START_TIMEOUT: the most a request waits to start a workflow before leaving it to the reconciler (Go duration, default 2s)
	CodecOrigins      string // LINDUNGI_CODEC_ORIGINS: browser origins (the Temporal UI's, e.g. http://localhost:8233) allowed to call /codec/decode, separated by commas
	TemporalRetention string // LINDUNGI_TEMPORAL_RETENTION: how long Temporal keeps a closed workflow's history; `lindungi migrate` sets it on the namespace (Go duration, default 720h = 30 days)

	AuditKeyFile            string // LINDUNGI_AUDIT_KEY_FILE: Ed25519 key that signs audit checkpoints and exports
	AuditPublicKeysFile     string // LINDUNGI_AUDIT_PUBLIC_KEYS_FILE: PEM public keys of audit signing keys a rotation retired, trusted for the checkpoints they signed
	AuditCheckpointInterval string // LINDUNGI_AUDIT_CHECKPOINT_INTERVAL: how often the worker signs the chain head (Go duration)
	AuditVerifyInterval     string // LINDUNGI_AUDIT_VERIFY_INTERVAL: how often a Temporal schedule verifies the whole trail (Go duration, default 1h)

	SessionKeyFile       string // LINDUNGI_SESSION_KEY_FILE: key that signs and encrypts the web session cookies (default in LINDUNGI_DATA; made in development)
	PublicURL            string // LINDUNGI_PUBLIC_URL: the address browsers reach the server at, e.g. https://lindungi.jatengprov.go.id (default http://LINDUNGI_ADDR)
	OIDCClientID         string // LINDUNGI_OIDC_CLIENT_ID: the web pages' client at the issuer (default LINDUNGI_OIDC_AUDIENCE)
	OIDCClientSecretFile string // LINDUNGI_OIDC_CLIENT_SECRET_FILE: its secret, for a confidential client (PKCE protects the code either way)
}

// envVar describes one environment variable the binary reads and the field it sets.
type envVar struct {
	name   string
	secret bool
	field  func(c *Config) *string
}

// envVars is the single list of environment variables; the compose file test checks it.
var envVars = []envVar{
	{name: "LINDUNGI_ENV", field: func(c *Config) *string { return &c.Env }},
	{name: "LINDUNGI_ADDR", field: func(c *Config) *string { return &c.Addr }},
	{name: "LINDUNGI_DATA", field: func(c *Config) *string { return &c.DataDir }},
	{name: "DATABASE_URL", secret: true, field: func(c *Config) *string { return &c.DatabaseURL }},
	{name: "TEMPORAL_ADDRESS", field: func(c *Config) *string { return &c.TemporalAddress }},
	{name: "TEMPORAL_NAMESPACE", field: func(c *Config) *string { return &c.TemporalNS }},
	{name: "LINDUNGI_TASK_QUEUE", field: func(c *Config) *string { return &c.TaskQueue }},
	{name: "LINDUNGI_DEV_KEY_FILE", field: func(c *Config) *string { return &c.DevKeyFile }},
	{name: "LINDUNGI_TEMPORAL_BIN", field: func(c *Config) *string { return &c.TemporalBin }},
	{name: "LINDUNGI_LOG_FORMAT", field: func(c *Config) *string { return &c.LogFormat }},
	{name: "LINDUNGI_LOG_LEVEL", field: func(c *Config) *string { return &c.LogLevel }},
	{name: "LINDUNGI_RECONCILE_INTERVAL", field: func(c *Config) *string { return &c.ReconcileInterval }},
	{name: "LINDUNGI_OIDC_ISSUER", field: func(c *Config) *string { return &c.OIDCIssuer }},
	{name: "LINDUNGI_OIDC_AUDIENCE", field: func(c *Config) *string { return &c.OIDCAudience }},
	{name: "LINDUNGI_OIDC_SUBJECT_CLAIM", field: func(c *Config) *string { return &c.OIDCSubjectClaim }},
	{name: "LINDUNGI_OIDC_UNIT_CLAIM", field: func(c *Config) *string { return &c.OIDCUnitClaim }},
	{name: "LINDUNGI_OIDC_ROLES_CLAIM", field: func(c *Config) *string { return &c.OIDCRolesClaim }},
	{name: "LINDUNGI_PAYLOAD_KEY_FILE", secret: true, field: func(c *Config) *string { return &c.PayloadKeyFile }},
	{name: "LINDUNGI_TASK_DEADLINES", field: func(c *Config) *string { return &c.TaskDeadlines }},
	{name: "LINDUNGI_DEMO_DEADLINE", field: func(c *Config) *string { return &c.DemoDeadline }},
	{name: "LINDUNGI_CHECKIN_INTERVAL", field: func(c *Config) *string { return &c.CheckInInterval }},
	{name: "LINDUNGI_REQUEST_TIMEOUT", field: func(c *Config) *string { return &c.RequestTimeout }},
	{name: "LINDUNGI_UPDATE_TIMEOUT", field: func(c *Config) *string { return &c.UpdateTimeout }},
	{name: "LINDUNGI_START_TIMEOUT", field: func(c *Config) *string { return &c.StartTimeout }},
	{name: "LINDUNGI_CODEC_ORIGINS", field: func(c *Config) *string { return &c.CodecOrigins }},
	{name: "LINDUNGI_TEMPORAL_RETENTION", field: func(c *Config) *string { return &c.TemporalRetention }},
	{name: "LINDUNGI_AUDIT_KEY_FILE", field: func(c *Config) *string { return &c.AuditKeyFile }},
	{name: "LINDUNGI_AUDIT_PUBLIC_KEYS_FILE", field: func(c *Config) *string { return &c.AuditPublicKeysFile }},
	{name: "LINDUNGI_AUDIT_CHECKPOINT_INTERVAL", field: func(c *Config) *string { return &c.AuditCheckpointInterval }},
	{name: "LINDUNGI_AUDIT_VERIFY_INTERVAL", field: func(c *Config) *string { return &c.AuditVerifyInterval }},
	{name: "LINDUNGI_SESSION_KEY_FILE", field: func(c *Config) *string { return &c.SessionKeyFile }},
	{name: "LINDUNGI_PUBLIC_URL", field: func(c *Config) *string { return &c.PublicURL }},
	{name: "LINDUNGI_OIDC_CLIENT_ID", field: func(c *Config) *string { return &c.OIDCClientID }},
	{name: "LINDUNGI_OIDC_CLIENT_SECRET_FILE", field: func(c *Config) *string { return &c.OIDCClientSecretFile }},
}

// envNames lists the names of every environment variable the binary reads.
func envNames() []string {
	names := make([]string, len(envVars))
	for i, v := range envVars {
		names[i] = v.name
	}
	return names
}

// loadConfig reads the configuration from getenv, applying defaults.
func loadConfig(getenv func(string) string) (Config, error) {
	c := Config{
		Env:               "development",
		Addr:              "127.0.0.1:8080",
		DataDir:           defaultDataDir(),
		TemporalNS:        "default",
		TaskQueue:         "lindungi",
		LogFormat:         "text",
		LogLevel:          "info",
		ReconcileInterval: "30s",
		RequestTimeout:    "30s",
		UpdateTimeout:     "10s",
		StartTimeout:      "2s",
		TemporalRetention: "720h",

		AuditCheckpointInterval: "10m",
		AuditVerifyInterval:     "1h",
	}
	for _, v := range envVars {
		if s := strings.TrimSpace(getenv(v.name)); s != "" {
			*v.field(&c) = s
		}
	}
	switch c.Env {
	case "development", "production":
	default:
		return Config{}, fmt.Errorf("LINDUNGI_ENV: want development or production, got %q", c.Env)
	}
	switch c.LogFormat {
	case "text", "json":
	default:
		return Config{}, fmt.Errorf("LINDUNGI_LOG_FORMAT: want text or json, got %q", c.LogFormat)
	}
	if d, err := time.ParseDuration(c.ReconcileInterval); err != nil || d <= 0 {
		return Config{}, fmt.Errorf("LINDUNGI_RECONCILE_INTERVAL: want a positive duration such as 30s, got %q", c.ReconcileInterval)
	}
	for _, d := range []struct{ name, value string }{{"LINDUNGI_REQUEST_TIMEOUT", c.RequestTimeout},
		{"LINDUNGI_UPDATE_TIMEOUT", c.UpdateTimeout}, {"LINDUNGI_START_TIMEOUT", c.StartTimeout}} {
		if v, err := time.ParseDuration(d.value); err != nil || v <= 0 {
			return Config{}, fmt.Errorf("%s: want a positive duration such as 10s, got %q", d.name, d.value)
		}
	}
	if d, err := time.ParseDuration(c.TemporalRetention); err != nil || d < 24*time.Hour {
		return Config{}, fmt.Errorf("LINDUNGI_TEMPORAL_RETENTION: want a duration of at least 24h such as 720h, got %q", c.TemporalRetention)
	}
	if c.duration(c.UpdateTimeout) >= c.duration(c.RequestTimeout) {
		return Config{}, fmt.Errorf("LINDUNGI_UPDATE_TIMEOUT (%s) must be shorter than LINDUNGI_REQUEST_TIMEOUT (%s), which bounds the whole request", c.UpdateTimeout, c.RequestTimeout)
	}
	if _, err := c.taskDeadlines(); err != nil {
		return Config{}, err
	}
	if c.CheckInInterval != "" {
		if d, err := time.ParseDuration(c.CheckInInterval); err != nil || d < time.Hour {
			return Config{}, fmt.Errorf("LINDUNGI_CHECKIN_INTERVAL: want a duration of at least 1h such as 4380h, got %q", c.CheckInInterval)
		}
	}
	if c.DemoDeadline != "" {
		if d, err := time.ParseDuration(c.DemoDeadline); err != nil || d <= 0 {
			return Config{}, fmt.Errorf("LINDUNGI_DEMO_DEADLINE: want a positive duration such as 30s, got %q", c.DemoDeadline)
		}
		if c.Env == "production" {
			return Config{}, fmt.Errorf("LINDUNGI_DEMO_DEADLINE replaces working-day deadlines and cannot be used with LINDUNGI_ENV=production")
		}
	}
	if d, err := time.ParseDuration(c.AuditCheckpointInterval); err != nil || d <= 0 {
		return Config{}, fmt.Errorf("LINDUNGI_AUDIT_CHECKPOINT_INTERVAL: want a positive duration such as 10m, got %q", c.AuditCheckpointInterval)
	}
	if d, err := time.ParseDuration(c.AuditVerifyInterval); err != nil || d < time.Second {
		return Config{}, fmt.Errorf("LINDUNGI_AUDIT_VERIFY_INTERVAL: want a duration of at least 1s such as 1h, got %q", c.AuditVerifyInterval)
	}
	if c.Env == "production" && c.DevKeyFile != "" {
		return Config{}, fmt.Errorf("LINDUNGI_DEV_KEY_FILE is a development-only token key and cannot be used with LINDUNGI_ENV=production")
	}
	if c.OIDCIssuer != "" && c.DevKeyFile != "" {
		return Config{}, fmt.Errorf("set either LINDUNGI_OIDC_ISSUER (real sign-in) or LINDUNGI_DEV_KEY_FILE (development tokens), not both")
	}
	if (c.OIDCIssuer == "") != (c.OIDCAudience == "") {
		return Config{}, fmt.Errorf("LINDUNGI_OIDC_ISSUER and LINDUNGI_OIDC_AUDIENCE go together")
	}
	if c.PublicURL != "" {
		u, err := url.Parse(c.PublicURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || (u.Path != "" && u.Path != "/") {
			return Config{}, fmt.Errorf("LINDUNGI_PUBLIC_URL: want the site's address such as https://lindungi.example.go.id, got %q", c.PublicURL)
		}
		if c.Env == "production" && u.Scheme != "https" {
			return Config{}, fmt.Errorf("LINDUNGI_PUBLIC_URL must be https in production: the session cookie is Secure")
		}
		c.PublicURL = strings.TrimSuffix(c.PublicURL, "/")
	}
	return c, nil
}

// auditKeys are the public keys checkpoints may be signed with: the
// current signing key's and those LINDUNGI_AUDIT_PUBLIC_KEYS_FILE keeps
// from the keys a rotation retired.
func (c Config) auditKeys(current *auditlog.Key) (map[string]ed25519.PublicKey, error) {
	keys := map[string]ed25519.PublicKey{current.ID: current.Public()}
	if c.AuditPublicKeysFile == "" {
		return keys, nil
	}
	retired, err := auditlog.ReadPublicKeys(c.AuditPublicKeysFile)
	if err != nil {
		return nil, fmt.Errorf("LINDUNGI_AUDIT_PUBLIC_KEYS_FILE: %w", err)
	}
	for id, pub := range retired {
		keys[id] = pub
	}
	return keys, nil
}

// codecOrigins are the browser origins allowed to call the payload codec.
func (c Config) codecOrigins() []string {
	var out []string
	for _, o := range strings.Split(c.CodecOrigins, ",") {
		if o = strings.TrimSuffix(strings.TrimSpace(o), "/"); o != "" {
			out = append(out, o)
		}
	}
	return out
}

// sessionKeyPath is the key of the web session cookies.
func (c Config) sessionKeyPath() string {
	if c.SessionKeyFile != "" {
		return c.SessionKeyFile
	}
	return filepath.Join(c.DataDir, "session.key")
}

// publicURL is the address browsers reach the server at.
func (c Config) publicURL(addr string) string {
	if c.PublicURL != "" {
		return c.PublicURL
	}
	return "http://" + addr
}

// duration is a duration setting loadConfig has checked.
func (c Config) duration(s string) time.Duration {
	d, _ := time.ParseDuration(s)
	return d
}

// devKeyPath is where development tokens are signed and checked.
func (c Config) devKeyPath() string {
	if c.DevKeyFile != "" {
		return c.DevKeyFile
	}
	return filepath.Join(c.DataDir, "dev-signing.key")
}

// auditKeyPath is where the audit signing key is.
func (c Config) auditKeyPath() string {
	if c.AuditKeyFile != "" {
		return c.AuditKeyFile
	}
	return filepath.Join(c.DataDir, "audit-signing.key")
}

// LogValue masks secrets when the configuration is logged.
func (c Config) LogValue() slog.Value {
	attrs := []slog.Attr{}
	for _, v := range envVars {
		val := *v.field(&c)
		if v.secret && val != "" {
			val = maskDSN(val)
		}
		attrs = append(attrs, slog.String(v.name, val))
	}
	return slog.GroupValue(attrs...)
}

// maskDSN hides the password of a DSN.
func maskDSN(dsn string) string {
	at := strings.LastIndex(dsn, "@")
	scheme := strings.Index(dsn, "://")
	if at < 0 || scheme < 0 || at < scheme {
		return "****"
	}
	userinfo := dsn[scheme+3 : at]
	if i := strings.Index(userinfo, ":"); i >= 0 {
		userinfo = userinfo[:i] + ":****"
	}
	return dsn[:scheme+3] + userinfo + dsn[at:]
}

// defaultDataDir is a git-ignored folder in the working directory.
func defaultDataDir() string {
	wd, err := os.Getwd()
	if err != nil {
		return ".lindungi"
	}
	return filepath.Join(wd, ".lindungi")
}

// payloadKeyPath is the key that encrypts Temporal payloads.
func (c Config) payloadKeyPath() string {
	if c.PayloadKeyFile != "" {
		return c.PayloadKeyFile
	}
	return filepath.Join(c.DataDir, "temporal-payload.key")
}

// taskDeadlines parses LINDUNGI_TASK_DEADLINES.
func (c Config) taskDeadlines() (map[lindungi.TaskKind]int, error) {
	out := map[lindungi.TaskKind]int{}
	if c.TaskDeadlines == "" {
		return out, nil
	}
	for _, part := range strings.Split(c.TaskDeadlines, ",") {
		kind, days, ok := strings.Cut(strings.TrimSpace(part), "=")
		n, err := strconv.Atoi(days)
		if !ok || err != nil || n < 1 || n > 250 || !slices.Contains(lindungi.TaskKinds, lindungi.TaskKind(kind)) {
			return nil, fmt.Errorf("LINDUNGI_TASK_DEADLINES: want KIND=working days (1 to 250) separated by commas, with kinds from %v; got %q", lindungi.TaskKinds, part)
		}
		out[lindungi.TaskKind(kind)] = n
	}
	return out, nil
}
