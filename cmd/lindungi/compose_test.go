package main

// Static checks of the container files at the repository root
// (docker-compose.yml, Dockerfile, .dockerignore) against this binary: its
// subcommands, the environment variables it reads and what loadConfig
// accepts. They need no container engine.

import (
	"cmp"
	"encoding/json"
	"io/fs"
	"maps"
	"net"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/lindungi/lindungi/workflows"
	"gopkg.in/yaml.v3"
)

const (
	repoRoot         = "../.."
	composePath      = "../../docker-compose.yml"
	dockerfilePath   = "../../Dockerfile"
	dockerignorePath = "../../.dockerignore"
	goModPath        = "../../go.mod"
)

// lindungiServices maps each compose service that runs this binary to the
// subcommand it must run.
var lindungiServices = []struct {
	service    string
	subcommand string
}{
	{service: "keys", subcommand: "keygen"},
	{service: "migrate", subcommand: "migrate"},
	{service: "api", subcommand: "serve"},
	{service: "worker", subcommand: "worker"},
}

// The temporal service and the port of its frontend, which the binary dials.
const (
	temporalService = "temporal"
	temporalPort    = "7233"
)

// ---- compose file model ----------------------------------------------------

// composeFile is the part of the compose specification these tests read.
type composeFile struct {
	Services map[string]composeService `yaml:"services"`
	Volumes  map[string]any            `yaml:"volumes"`
}

type composeService struct {
	Image       string              `yaml:"image"`
	Build       *composeBuild       `yaml:"build"`
	Entrypoint  composeCommand      `yaml:"entrypoint"`
	Command     composeCommand      `yaml:"command"`
	Environment composeEnv          `yaml:"environment"`
	Ports       []composePort       `yaml:"ports"`
	DependsOn   composeDependsOn    `yaml:"depends_on"`
	Healthcheck *composeHealthcheck `yaml:"healthcheck"`
	Volumes     []composeMount      `yaml:"volumes"`
	Restart     string              `yaml:"restart"`
	Networks    composeNetworks     `yaml:"networks"`
}

// composeNetworks maps each network of a service to its aliases; the list
// form has none.
type composeNetworks map[string][]string

func (c *composeNetworks) UnmarshalYAML(n *yaml.Node) error {
	nets := composeNetworks{}
	if n.Kind == yaml.SequenceNode {
		var list []string
		if err := n.Decode(&list); err != nil {
			return err
		}
		for _, name := range list {
			nets[name] = nil
		}
		*c = nets
		return nil
	}
	var m map[string]*struct {
		Aliases []string `yaml:"aliases"`
	}
	if err := n.Decode(&m); err != nil {
		return err
	}
	for name, v := range m {
		if v != nil {
			nets[name] = v.Aliases
		} else {
			nets[name] = nil
		}
	}
	*c = nets
	return nil
}

// composeBuild is `build: context` or `build: {context, dockerfile}`.
type composeBuild struct {
	Context    string `yaml:"context"`
	Dockerfile string `yaml:"dockerfile"`
}

func (b *composeBuild) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		b.Context = n.Value
		return nil
	}
	type plain composeBuild
	return n.Decode((*plain)(b))
}

// composeCommand is `command: ["a", "b"]` or the shell form `command: a b`.
type composeCommand []string

func (c *composeCommand) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		*c = strings.Fields(n.Value)
		return nil
	}
	return n.Decode((*[]string)(c))
}

// composeEnv is `environment: {K: v}` (merge keys allowed) or `["K=v", "K"]`.
// A variable without a value is passed through from the host and maps to "".
type composeEnv map[string]string

func (e *composeEnv) UnmarshalYAML(n *yaml.Node) error {
	env := composeEnv{}
	switch n.Kind {
	case yaml.SequenceNode:
		var list []string
		if err := n.Decode(&list); err != nil {
			return err
		}
		for _, kv := range list {
			k, v, _ := strings.Cut(kv, "=")
			env[k] = v
		}
	default:
		var m map[string]any
		if err := n.Decode(&m); err != nil {
			return err
		}
		for k, v := range m {
			switch v := v.(type) {
			case nil:
				env[k] = ""
			case string:
				env[k] = v
			default:
				b, err := json.Marshal(v)
				if err != nil {
					return err
				}
				env[k] = string(b)
			}
		}
	}
	*e = env
	return nil
}

// composePort is a published port, short ("[ip:]published:target[/proto]") or
// long syntax; only the container (target) and published ports are kept.
type composePort struct {
	Target    string
	Published string
}

func (p *composePort) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		spec, _, _ := strings.Cut(n.Value, "/")
		parts := strings.Split(spec, ":")
		p.Target = parts[len(parts)-1]
		if len(parts) >= 2 {
			p.Published = parts[len(parts)-2]
		}
		return nil
	}
	var long struct {
		Target    any `yaml:"target"`
		Published any `yaml:"published"`
	}
	if err := n.Decode(&long); err != nil {
		return err
	}
	if long.Target != nil {
		p.Target = strings.TrimSpace(jsonText(long.Target))
	}
	if long.Published != nil {
		p.Published = strings.TrimSpace(jsonText(long.Published))
	}
	return nil
}

func jsonText(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// composeDependsOn maps each dependency to its condition; the list form means
// service_started.
type composeDependsOn map[string]string

func (d *composeDependsOn) UnmarshalYAML(n *yaml.Node) error {
	deps := composeDependsOn{}
	if n.Kind == yaml.SequenceNode {
		var list []string
		if err := n.Decode(&list); err != nil {
			return err
		}
		for _, s := range list {
			deps[s] = "service_started"
		}
		*d = deps
		return nil
	}
	var m map[string]struct {
		Condition string `yaml:"condition"`
	}
	if err := n.Decode(&m); err != nil {
		return err
	}
	for s, v := range m {
		if v.Condition == "" {
			v.Condition = "service_started"
		}
		deps[s] = v.Condition
	}
	*d = deps
	return nil
}

type composeHealthcheck struct {
	Test    composeCommand `yaml:"test"`
	Disable bool           `yaml:"disable"`
}

// active reports whether the healthcheck runs a probe.
func (h *composeHealthcheck) active() bool {
	return h != nil && !h.Disable && len(h.Test) > 0 && h.Test[0] != "NONE"
}

// composeMount is a service volume, short ("source:target[:mode]") or long
// syntax. Bind is true for host paths, false for named volumes.
type composeMount struct {
	Source   string
	Target   string
	Bind     bool
	ReadOnly bool
}

func (m *composeMount) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		parts := strings.Split(n.Value, ":")
		if len(parts) == 1 {
			m.Target = parts[0] // anonymous volume
			return nil
		}
		m.Source, m.Target = parts[0], parts[1]
		m.Bind = strings.HasPrefix(m.Source, ".") || strings.HasPrefix(m.Source, "/") || strings.HasPrefix(m.Source, "~")
		m.ReadOnly = len(parts) > 2 && slices.Contains(strings.Split(parts[2], ","), "ro")
		return nil
	}
	var long struct {
		Type     string `yaml:"type"`
		Source   string `yaml:"source"`
		Target   string `yaml:"target"`
		ReadOnly bool   `yaml:"read_only"`
	}
	if err := n.Decode(&long); err != nil {
		return err
	}
	m.Source, m.Target, m.Bind, m.ReadOnly = long.Source, long.Target, long.Type == "bind", long.ReadOnly
	return nil
}

// mountFor returns the mount of s whose target holds the container path p.
func (s composeService) mountFor(p string) (composeMount, bool) {
	best, found := composeMount{}, false
	for _, m := range s.Volumes {
		t := path.Clean(m.Target)
		if (p == t || strings.HasPrefix(p, t+"/")) && len(t) >= len(best.Target) {
			best, found = composeMount{Source: m.Source, Target: t, Bind: m.Bind, ReadOnly: m.ReadOnly}, true
		}
	}
	return best, found
}

func loadCompose(t *testing.T) composeFile {
	t.Helper()
	data, err := os.ReadFile(composePath)
	if err != nil {
		t.Fatalf("read compose file: %v", err)
	}
	var f composeFile
	if err := yaml.Unmarshal(data, &f); err != nil {
		t.Fatalf("parse %s: %v", composePath, err)
	}
	if len(f.Services) == 0 {
		t.Fatalf("%s: got no services", composePath)
	}
	return f
}

// service returns the named service or stops the test.
func (f composeFile) service(t *testing.T, name string) composeService {
	t.Helper()
	s, ok := f.Services[name]
	if !ok {
		t.Fatalf("service %q: got none in %s, want it defined", name, composePath)
	}
	return s
}

// imageTag returns the tag of an image reference ("" without one) and whether
// it is pinned by digest.
func imageTag(ref string) (tag string, digest bool) {
	if _, d, ok := strings.Cut(ref, "@"); ok && d != "" {
		return "", true
	}
	last := ref[strings.LastIndex(ref, "/")+1:]
	_, tag, _ = strings.Cut(last, ":")
	return tag, false
}

// ---- compose tests ---------------------------------------------------------

// composeServices are the services of the production shape.
var composeServices = []string{"postgres", "temporal-schema", "temporal", "temporal-ui", "keycloak",
	"keys", "migrate", "api", "worker", "proxy"}

// pinnedTag is a version with at least a minor number: a tag such as latest,
// 15 or 2 moves to new releases by itself.
var pinnedTag = regexp.MustCompile(`^v?[0-9]+\.[0-9]+`)

func TestComposeServicesExistWithPinnedImages(t *testing.T) {
	f := loadCompose(t)
	for _, name := range composeServices {
		f.service(t, name)
	}
	for name, s := range f.Services {
		t.Run(name, func(t *testing.T) {
			if s.Image == "" && s.Build == nil {
				t.Fatalf("got neither image nor build, want one of them")
			}
			if s.Image == "" {
				return // built from this repository
			}
			tag, digest := imageTag(s.Image)
			if digest {
				return
			}
			if !pinnedTag.MatchString(tag) {
				t.Errorf("image %q: got tag %q, want a pinned version such as 1.30.1", s.Image, tag)
			}
		})
	}
}

func TestComposeLindungiServicesBuildRepoImage(t *testing.T) {
	f := loadCompose(t)
	wantDockerfile, err := filepath.Abs(dockerfilePath)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(wantDockerfile); err != nil {
		t.Fatalf("Dockerfile: %v", err)
	}
	subcommands := subcommandNames()
	for _, tc := range lindungiServices {
		t.Run(tc.service, func(t *testing.T) {
			s := f.service(t, tc.service)
			if s.Build == nil {
				t.Fatalf("build: got none, want the repository's Dockerfile")
			}
			dockerfile := s.Build.Dockerfile
			if dockerfile == "" {
				dockerfile = "Dockerfile"
			}
			got, err := filepath.Abs(filepath.Join(repoRoot, s.Build.Context, dockerfile))
			if err != nil {
				t.Fatal(err)
			}
			if got != wantDockerfile {
				t.Errorf("build: got Dockerfile %s, want %s", got, wantDockerfile)
			}
			if want := []string{tc.subcommand}; !slices.Equal(s.Command, want) {
				t.Errorf("command: got %q, want %q", s.Command, want)
			}
			if !slices.Contains(subcommands, tc.subcommand) {
				t.Errorf("subcommand %q: got subcommands %q, want it among them", tc.subcommand, subcommands)
			}
		})
	}
}

func TestComposeEnvironmentNamesAreRead(t *testing.T) {
	f := loadCompose(t)
	known := envNames()
	for _, tc := range lindungiServices {
		t.Run(tc.service, func(t *testing.T) {
			s := f.service(t, tc.service)
			if len(s.Environment) == 0 {
				t.Fatalf("environment: got none, want the binary's configuration")
			}
			for name := range s.Environment {
				if !slices.Contains(known, name) {
					t.Errorf("environment %s: got a name the binary does not read, want one of %q", name, known)
				}
			}
		})
	}
}

func TestComposeEnvironmentPassesLoadConfig(t *testing.T) {
	f := loadCompose(t)
	for _, tc := range lindungiServices {
		t.Run(tc.service, func(t *testing.T) {
			env := f.service(t, tc.service).Environment
			if _, err := loadConfig(func(k string) string { return env[k] }); err != nil {
				t.Errorf("loadConfig: got error %v, want none", err)
			}
		})
	}
}

// unsetOK are the variables a Lindungi service may leave unset although
// loadConfig gives them no default, and why.
var unsetOK = map[string]string{
	"LINDUNGI_DEV_KEY_FILE":            "development tokens, refused in production",
	"LINDUNGI_TEMPORAL_BIN":            "read by lindungi dev only",
	"LINDUNGI_DEMO_DEADLINE":           "development only",
	"LINDUNGI_TASK_DEADLINES":          "unset keeps the working days of each task kind from code",
	"LINDUNGI_CHECKIN_INTERVAL":        "unset is lindungi.DefaultCheckInInterval",
	"LINDUNGI_OIDC_CLIENT_SECRET_FILE": "the web client is public: PKCE protects its code",
	"LINDUNGI_AUDIT_PUBLIC_KEYS_FILE":  "no audit signing key has been retired yet: set after a rotation",
}

// notRead are the variables a service's subcommand does not read.
var notRead = map[string][]string{
	"keys": {"DATABASE_URL"}, // keygen writes files only
}

// serviceConfig is the configuration the binary reads in a service.
func (f composeFile) serviceConfig(t *testing.T, name string) Config {
	t.Helper()
	env := f.service(t, name).Environment
	cfg, err := loadConfig(func(k string) string { return env[k] })
	if err != nil {
		t.Fatalf("%s loadConfig: %v", name, err)
	}
	return cfg
}

// TestComposeEnvironmentComplete: every variable the binary reads is set in
// each Lindungi service, or has a default, or may stay unset for a reason
// written down here.
func TestComposeEnvironmentComplete(t *testing.T) {
	defaults, err := loadConfig(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	for name := range unsetOK {
		if !slices.Contains(envNames(), name) {
			t.Errorf("unsetOK names %s, which the binary does not read", name)
		}
	}
	f := loadCompose(t)
	for _, tc := range lindungiServices {
		t.Run(tc.service, func(t *testing.T) {
			env := f.service(t, tc.service).Environment
			for _, v := range envVars {
				_, set := env[v.name]
				switch {
				case set && env[v.name] == "":
					t.Errorf("%s: got an empty value, want a value or the variable left out", v.name)
				case set, *v.field(&defaults) != "", unsetOK[v.name] != "", slices.Contains(notRead[tc.service], v.name):
				default:
					t.Errorf("%s: got unset and no default, want it set (or a reason in unsetOK)", v.name)
				}
			}
		})
	}
}

// TestComposeProductionMode: the Lindungi services run as production, with
// the settings production requires and none it refuses.
func TestComposeProductionMode(t *testing.T) {
	f := loadCompose(t)
	for _, tc := range lindungiServices {
		t.Run(tc.service, func(t *testing.T) {
			cfg := f.serviceConfig(t, tc.service)
			if cfg.Env != "production" {
				t.Errorf("LINDUNGI_ENV: got %q, want production", cfg.Env)
			}
			if cfg.DevKeyFile != "" || cfg.DemoDeadline != "" {
				t.Errorf("got a development setting (LINDUNGI_DEV_KEY_FILE %q, LINDUNGI_DEMO_DEADLINE %q), want none", cfg.DevKeyFile, cfg.DemoDeadline)
			}
			if cfg.OIDCIssuer == "" || cfg.OIDCAudience == "" {
				t.Errorf("OIDC: got issuer %q, audience %q, want both: production refuses development tokens", cfg.OIDCIssuer, cfg.OIDCAudience)
			}
			u, err := url.Parse(cfg.PublicURL)
			if err != nil || u.Scheme != "https" {
				t.Errorf("LINDUNGI_PUBLIC_URL: got %q, want an https address (production's cookies are Secure, and browsers sign in there)", cfg.PublicURL)
			}
			for _, k := range []struct{ env, value string }{{"LINDUNGI_PAYLOAD_KEY_FILE", cfg.PayloadKeyFile},
				{"LINDUNGI_AUDIT_KEY_FILE", cfg.AuditKeyFile}, {"LINDUNGI_SESSION_KEY_FILE", cfg.SessionKeyFile}} {
				if k.value == "" {
					t.Errorf("%s: got unset, want the file the keys job makes", k.env)
				}
			}
		})
	}
}

// TestComposeKeysOnSharedVolume: the keys job writes the three key files on
// a named volume that api and worker mount read-only at the same place.
func TestComposeKeysOnSharedVolume(t *testing.T) {
	f := loadCompose(t)
	want := f.serviceConfig(t, "keys")
	wantFiles := []string{want.payloadKeyPath(), want.auditKeyPath(), want.sessionKeyPath()}
	volumes := map[string]bool{}
	for _, name := range []string{"keys", "api", "worker"} {
		cfg := f.serviceConfig(t, name)
		files := []string{cfg.payloadKeyPath(), cfg.auditKeyPath(), cfg.sessionKeyPath()}
		if !slices.Equal(files, wantFiles) {
			t.Errorf("%s key files: got %q, want the keys job's %q", name, files, wantFiles)
		}
		for _, p := range files {
			m, ok := f.service(t, name).mountFor(p)
			switch {
			case !ok || m.Bind || m.Source == "":
				t.Errorf("%s key %s: got no named volume holding it, want the volume the keys job writes", name, p)
				continue
			case name == "keys" && m.ReadOnly:
				t.Errorf("keys: got %s mounted read-only, want it writable for keygen", m.Source)
			case name != "keys" && !m.ReadOnly:
				t.Errorf("%s: got %s mounted writable, want it read-only: only the keys job writes keys", name, m.Source)
			}
			volumes[m.Source] = true
		}
	}
	if len(volumes) != 1 {
		t.Errorf("key volumes: got %v, want one volume shared by keys, api and worker", slices.Sorted(maps.Keys(volumes)))
	}
}

func TestComposeAPIPublishesListenPort(t *testing.T) {
	f := loadCompose(t)
	api := f.service(t, "api")
	addr, ok := api.Environment["LINDUNGI_ADDR"]
	if !ok {
		t.Fatalf("api LINDUNGI_ADDR: got unset, want an address such as 0.0.0.0:8080")
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatalf("api LINDUNGI_ADDR %q: %v", addr, err)
	}
	if !slices.Contains([]string{"", "0.0.0.0", "::"}, host) {
		t.Errorf("api LINDUNGI_ADDR host: got %q, want all interfaces (0.0.0.0) so the published port reaches it", host)
	}
	var targets []string
	for _, p := range api.Ports {
		if p.Published != "" {
			targets = append(targets, p.Target)
		}
	}
	if !slices.Contains(targets, port) {
		t.Errorf("api published container ports: got %q, want %s (the port of LINDUNGI_ADDR)", targets, port)
	}
	stages := loadDockerfile(t)
	if exposed := stages[len(stages)-1].exposed(); !slices.Contains(exposed, port) {
		t.Errorf("Dockerfile EXPOSE: got %q, want %s (the port of api's LINDUNGI_ADDR)", exposed, port)
	}
}

// TestComposeProxyServesPublicURL: the TLS proxy answers at
// LINDUNGI_PUBLIC_URL and passes requests on to the API's port.
func TestComposeProxyServesPublicURL(t *testing.T) {
	f := loadCompose(t)
	proxy := f.service(t, "proxy")
	api := f.serviceConfig(t, "api")
	public, err := url.Parse(api.PublicURL)
	if err != nil {
		t.Fatal(err)
	}
	m, ok := proxy.mountFor("/etc/caddy/Caddyfile")
	if !ok || !m.Bind {
		t.Fatalf("proxy: got no Caddyfile mounted from the repository at /etc/caddy/Caddyfile")
	}
	data, err := os.ReadFile(filepath.Join(repoRoot, m.Source))
	if err != nil {
		t.Fatal(err)
	}
	var site, upstream string
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if rest, ok := strings.CutSuffix(line, "{"); ok && strings.HasPrefix(line, "https://") {
			site = strings.TrimSpace(rest)
		}
		if rest, ok := strings.CutPrefix(line, "reverse_proxy "); ok {
			upstream = strings.TrimSpace(rest)
		}
	}
	if want := public.Scheme + "://" + public.Host; site != want {
		t.Errorf("Caddyfile site: got %q, want %q (LINDUNGI_PUBLIC_URL)", site, want)
	}
	_, apiPort, _ := net.SplitHostPort(api.Addr)
	if want := net.JoinHostPort("api", apiPort); upstream != want {
		t.Errorf("Caddyfile reverse_proxy: got %q, want %q (the api service's LINDUNGI_ADDR)", upstream, want)
	}
	published := false
	for _, p := range proxy.Ports {
		published = published || (p.Target == public.Port() && p.Published == public.Port())
	}
	if !published {
		t.Errorf("proxy ports: got %+v, want %s published as %s (LINDUNGI_PUBLIC_URL)", proxy.Ports, public.Port(), public.Port())
	}
}

// databaseURL parses a service's DATABASE_URL.
func (f composeFile) databaseURL(t *testing.T, service string) *url.URL {
	t.Helper()
	cfg := f.serviceConfig(t, service)
	u, err := url.Parse(cfg.DatabaseURL)
	if err != nil {
		t.Fatalf("%s DATABASE_URL %q: %v", service, maskDSN(cfg.DatabaseURL), err)
	}
	if u.Scheme != "postgres" && u.Scheme != "postgresql" {
		t.Fatalf("%s DATABASE_URL %q: got scheme %q, want a postgres:// URL", service, maskDSN(cfg.DatabaseURL), u.Scheme)
	}
	return u
}

// TestComposeDatabaseRoles: migrate connects as the owner of Lindungi's
// database, api and worker as the application role, each as the init
// script creates them.
func TestComposeDatabaseRoles(t *testing.T) {
	f := loadCompose(t)
	pg := f.service(t, "postgres").Environment
	for _, tc := range []struct{ service, userVar, passwordVar string }{
		{"migrate", "LINDUNGI_DB_OWNER", "LINDUNGI_DB_OWNER_PASSWORD"},
		{"api", "LINDUNGI_DB_APP", "LINDUNGI_DB_APP_PASSWORD"},
		{"worker", "LINDUNGI_DB_APP", "LINDUNGI_DB_APP_PASSWORD"},
	} {
		t.Run(tc.service, func(t *testing.T) {
			u := f.databaseURL(t, tc.service)
			if _, ok := f.Services[u.Hostname()]; !ok {
				t.Errorf("DATABASE_URL host: got %q, want a service of the compose file", u.Hostname())
			}
			if port := u.Port(); port != "" && port != "5432" {
				t.Errorf("DATABASE_URL port: got %s, want 5432", port)
			}
			password, _ := u.User.Password()
			for _, c := range []struct{ what, got, pgVar string }{
				{"user", u.User.Username(), tc.userVar},
				{"password", password, tc.passwordVar},
				{"database", strings.TrimPrefix(u.Path, "/"), "LINDUNGI_DB_NAME"},
			} {
				if want := pg[c.pgVar]; c.got == "" || c.got != want {
					t.Errorf("DATABASE_URL %s: got %q, want %q (postgres %s, created by the init script)", c.what, c.got, want, c.pgVar)
				}
			}
		})
	}
	owner, app := pg["LINDUNGI_DB_OWNER"], pg["LINDUNGI_DB_APP"]
	if owner == app || app == "lindungi_app" || owner == "lindungi_app" {
		t.Errorf("postgres roles: got owner %q and application login %q, want two roles, neither the group role lindungi_app", owner, app)
	}
}

func TestComposeTemporalAddresses(t *testing.T) {
	f := loadCompose(t)
	wantNS := f.service(t, "temporal-ui").Environment["TEMPORAL_DEFAULT_NAMESPACE"]
	for _, tc := range lindungiServices {
		t.Run(tc.service, func(t *testing.T) {
			cfg := f.serviceConfig(t, tc.service)
			host, port, err := net.SplitHostPort(cfg.TemporalAddress)
			if err != nil {
				t.Fatalf("TEMPORAL_ADDRESS %q: %v", cfg.TemporalAddress, err)
			}
			if host != temporalService || port != temporalPort {
				t.Errorf("TEMPORAL_ADDRESS: got %s, want %s", cfg.TemporalAddress, net.JoinHostPort(temporalService, temporalPort))
			}
			if cfg.TemporalNS != wantNS {
				t.Errorf("TEMPORAL_NAMESPACE: got %q, want %q (the namespace temporal-ui opens)", cfg.TemporalNS, wantNS)
			}
		})
	}
}

// TestComposeTemporalWiring: Temporal runs from temporalio/server on the
// databases and role the init script makes, with its schema set up by a
// temporalio/admin-tools job of the same version.
func TestComposeTemporalWiring(t *testing.T) {
	f := loadCompose(t)
	temporal := f.service(t, temporalService)
	schema := f.service(t, "temporal-schema")
	pg := f.service(t, "postgres")
	env := temporal.Environment

	repo, tag, _ := strings.Cut(temporal.Image, ":")
	if repo != "temporalio/server" {
		t.Errorf("temporal image: got %q, want temporalio/server (auto-setup is deprecated)", temporal.Image)
	}
	if want := "temporalio/admin-tools:" + tag; schema.Image != want {
		t.Errorf("temporal-schema image: got %q, want %q (the server's version)", schema.Image, want)
	}
	if env["DB"] != "postgres12" {
		t.Errorf("temporal DB: got %q, want postgres12", env["DB"])
	}
	for _, s := range []struct {
		name string
		env  composeEnv
	}{{"temporal", env}, {"temporal-schema", schema.Environment}} {
		if _, ok := f.Services[s.env["POSTGRES_SEEDS"]]; !ok {
			t.Errorf("%s POSTGRES_SEEDS: got %q, want a service of the compose file", s.name, s.env["POSTGRES_SEEDS"])
		}
		if got, want := s.env["POSTGRES_USER"], pg.Environment["TEMPORAL_DB_USER"]; got == "" || got != want {
			t.Errorf("%s POSTGRES_USER: got %q, want %q (postgres TEMPORAL_DB_USER, created by the init script)", s.name, got, want)
		}
	}
	for _, c := range []struct{ got, what string }{{env["POSTGRES_PWD"], "temporal POSTGRES_PWD"}, {schema.Environment["SQL_PASSWORD"], "temporal-schema SQL_PASSWORD"}} {
		if want := pg.Environment["TEMPORAL_DB_PASSWORD"]; c.got == "" || c.got != want {
			t.Errorf("%s: got %q, want %q (postgres TEMPORAL_DB_PASSWORD)", c.what, c.got, want)
		}
	}

	// The databases: the server's, the schema job's and the init script's
	// are the same two.
	initScript, err := os.ReadFile(filepath.Join(repoRoot, "deploy/postgres/initdb/10-roles.sh"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ variable, fallback string }{{"DBNAME", "temporal"}, {"VISIBILITY_DBNAME", "temporal_visibility"}} {
		db := cmp.Or(env[c.variable], c.fallback)
		if got := cmp.Or(schema.Environment[c.variable], c.fallback); got != db {
			t.Errorf("temporal-schema %s: got %q, want %q (the server's)", c.variable, got, db)
		}
		if !regexp.MustCompile(`CREATE DATABASE ` + regexp.QuoteMeta(db) + ` OWNER :"temporal_user"`).Match(initScript) {
			t.Errorf("init script: got no CREATE DATABASE %s owned by Temporal's role, want it", db)
		}
	}

	// The schema job runs temporal-sql-tool's setup-schema and update-schema
	// for the postgres12 plugin on both databases.
	if len(schema.Command) == 0 {
		t.Fatalf("temporal-schema: got no command, want the schema script")
	}
	m, ok := schema.mountFor(schema.Command[len(schema.Command)-1])
	if !ok || !m.Bind {
		t.Fatalf("temporal-schema command %q: got no script of the repository mounted, want deploy/temporal/scripts", schema.Command)
	}
	script, err := os.ReadFile(filepath.Join(repoRoot, m.Source, strings.TrimPrefix(schema.Command[len(schema.Command)-1], m.Target)))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"--plugin postgres12", `--db "$DBNAME" setup-schema -v 0.0`, `--db "$DBNAME" update-schema -d "$schema/temporal/versioned"`,
		`--db "$VISIBILITY_DBNAME" setup-schema -v 0.0`, `--db "$VISIBILITY_DBNAME" update-schema -d "$schema/visibility/versioned"`,
		"schema=/etc/temporal/schema/postgresql/v12"} {
		if !strings.Contains(string(script), want) {
			t.Errorf("temporal-schema script: got no %q, want it", want)
		}
	}

	var targets []string
	for _, p := range temporal.Ports {
		targets = append(targets, p.Target)
	}
	if !slices.Contains(targets, temporalPort) {
		t.Errorf("temporal ports: got container ports %q, want %s", targets, temporalPort)
	}
	want := net.JoinHostPort(temporalService, temporalPort)
	if got := f.service(t, "temporal-ui").Environment["TEMPORAL_ADDRESS"]; got != want {
		t.Errorf("temporal-ui TEMPORAL_ADDRESS: got %q, want %q", got, want)
	}

	// DYNAMIC_CONFIG_FILE_PATH is relative to /etc/temporal and must reach a
	// file of this repository through a bind mount.
	p := env["DYNAMIC_CONFIG_FILE_PATH"]
	if p == "" {
		t.Fatalf("temporal DYNAMIC_CONFIG_FILE_PATH: got unset, want a file under deploy/")
	}
	if !path.IsAbs(p) {
		p = path.Join("/etc/temporal", p)
	}
	m, ok = temporal.mountFor(p)
	if !ok || !m.Bind {
		t.Fatalf("temporal DYNAMIC_CONFIG_FILE_PATH %s: got no bind mount holding it, want one from deploy/", p)
	}
	hostFile := filepath.Join(repoRoot, m.Source, filepath.FromSlash(strings.TrimPrefix(p, m.Target)))
	data, err := os.ReadFile(hostFile)
	if err != nil {
		t.Fatalf("temporal dynamic config: %v", err)
	}
	var dc map[string][]struct {
		Value       any            `yaml:"value"`
		Constraints map[string]any `yaml:"constraints"`
	}
	if err := yaml.Unmarshal(data, &dc); err != nil {
		t.Errorf("temporal dynamic config %s: got %v, want key: [{value, constraints}] YAML", hostFile, err)
	}
}

// TestComposeSearchAttributes: `lindungi migrate` registers the search
// attributes from code (workflows.SearchAttributes); a list anywhere in the
// compose setup (a `temporal operator search-attribute create` in the
// compose file or a script under deploy/) must be that same list.
func TestComposeSearchAttributes(t *testing.T) {
	files := []string{composePath}
	err := filepath.WalkDir(filepath.Join(repoRoot, "deploy"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	attr := regexp.MustCompile(`--name[ =]"?([A-Za-z0-9_]+)"?\s+--type[ =]"?([A-Za-z]+)"?`)
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(data), "\n") {
			if !strings.Contains(line, "search-attribute") {
				continue
			}
			got := map[string]string{}
			for _, m := range attr.FindAllStringSubmatch(line, -1) {
				got[m[1]] = m[2]
			}
			if !maps.Equal(got, workflows.SearchAttributes) {
				t.Errorf("%s: %q registers %v, want workflows.SearchAttributes %v (or leave it to lindungi migrate)", p, strings.TrimSpace(line), got, workflows.SearchAttributes)
			}
		}
	}
}

func TestComposeMountsExist(t *testing.T) {
	f := loadCompose(t)
	for name, s := range f.Services {
		for _, m := range s.Volumes {
			switch {
			case m.Source == "":
				// anonymous volume
			case m.Bind:
				if _, err := os.Stat(filepath.Join(repoRoot, m.Source)); err != nil {
					t.Errorf("%s bind mount %s: got %v, want an existing path of the repository", name, m.Source, err)
				}
			default:
				if _, ok := f.Volumes[m.Source]; !ok {
					t.Errorf("%s volume %q: got undeclared, want it under top-level volumes", name, m.Source)
				}
			}
		}
	}
}

func TestComposeDependsOn(t *testing.T) {
	f := loadCompose(t)
	conditions := []string{"service_started", "service_healthy", "service_completed_successfully"}
	for name, s := range f.Services {
		for dep, cond := range s.DependsOn {
			target, ok := f.Services[dep]
			if !ok {
				t.Errorf("%s depends_on %q: got no such service", name, dep)
				continue
			}
			if !slices.Contains(conditions, cond) {
				t.Errorf("%s depends_on %s: got condition %q, want one of %q", name, dep, cond, conditions)
			}
			if cond == "service_healthy" && !target.Healthcheck.active() {
				t.Errorf("%s depends_on %s healthy: got no healthcheck on %s, want one", name, dep, dep)
			}
			if cond == "service_completed_successfully" && target.Restart != "" && target.Restart != "no" {
				t.Errorf("%s depends_on %s completed: got restart %q on %s, want \"no\" for a one-shot job", name, dep, target.Restart, dep)
			}
		}
	}

	for _, tc := range []struct {
		service, dep, condition string // condition "" accepts any
	}{
		{"temporal-schema", "postgres", "service_healthy"},
		{temporalService, "temporal-schema", "service_completed_successfully"},
		{"temporal-ui", temporalService, "service_healthy"},
		{"migrate", "postgres", "service_healthy"},
		{"migrate", temporalService, "service_healthy"},
		{"api", "migrate", "service_completed_successfully"},
		{"worker", "migrate", "service_completed_successfully"},
		{"api", "keys", "service_completed_successfully"},
		{"worker", "keys", "service_completed_successfully"},
		{"api", temporalService, ""},
		{"worker", temporalService, ""},
		// serve reads the issuer's discovery document at start.
		{"api", "keycloak", "service_healthy"},
		{"proxy", "api", ""},
	} {
		t.Run(tc.service+"->"+tc.dep, func(t *testing.T) {
			got, ok := f.service(t, tc.service).DependsOn[tc.dep]
			if !ok {
				t.Fatalf("depends_on: got %v, want %s", f.Services[tc.service].DependsOn, tc.dep)
			}
			if tc.condition != "" && got != tc.condition {
				t.Errorf("depends_on %s: got condition %q, want %q", tc.dep, got, tc.condition)
			}
		})
	}
}

// ---- Dockerfile -------------------------------------------------------------

type dockerStage struct {
	name   string // the AS name, lower case
	base   string
	instrs []dockerInstr
}

type dockerInstr struct {
	cmd  string // upper case
	args string
}

func (s dockerStage) exposed() []string {
	var ports []string
	for _, in := range s.instrs {
		if in.cmd == "EXPOSE" {
			for _, p := range strings.Fields(in.args) {
				p, _, _ = strings.Cut(p, "/")
				ports = append(ports, p)
			}
		}
	}
	return ports
}

// parseDockerfile splits a Dockerfile into stages of instructions, joining
// continuation lines and dropping comments and parser directives.
func parseDockerfile(text string) []dockerStage {
	var lines []string
	var cur strings.Builder
	for _, raw := range strings.Split(text, "\n") {
		line := strings.TrimSpace(raw)
		if strings.HasPrefix(line, "#") || (line == "" && cur.Len() == 0) {
			continue
		}
		if strings.HasSuffix(line, `\`) {
			cur.WriteString(strings.TrimSuffix(line, `\`) + " ")
			continue
		}
		cur.WriteString(line)
		lines = append(lines, cur.String())
		cur.Reset()
	}
	var stages []dockerStage
	for _, line := range lines {
		cmd, args, _ := strings.Cut(line, " ")
		cmd, args = strings.ToUpper(cmd), strings.TrimSpace(args)
		if cmd == "FROM" {
			var words []string
			for _, w := range strings.Fields(args) {
				if !strings.HasPrefix(w, "--") {
					words = append(words, w)
				}
			}
			st := dockerStage{}
			if len(words) > 0 {
				st.base = words[0]
			}
			if len(words) >= 3 && strings.EqualFold(words[1], "AS") {
				st.name = strings.ToLower(words[2])
			}
			stages = append(stages, st)
			continue
		}
		if len(stages) > 0 {
			stages[len(stages)-1].instrs = append(stages[len(stages)-1].instrs, dockerInstr{cmd: cmd, args: args})
		}
	}
	return stages
}

func loadDockerfile(t *testing.T) []dockerStage {
	t.Helper()
	data, err := os.ReadFile(dockerfilePath)
	if err != nil {
		t.Fatalf("read Dockerfile: %v", err)
	}
	stages := parseDockerfile(string(data))
	if len(stages) == 0 {
		t.Fatalf("Dockerfile: got no FROM, want stages")
	}
	return stages
}

// execForm parses the JSON (exec) form of ENTRYPOINT or CMD.
func execForm(args string) ([]string, bool) {
	var list []string
	if err := json.Unmarshal([]byte(args), &list); err != nil || len(list) == 0 {
		return nil, false
	}
	return list, true
}

// goBuildOutput reports whether a RUN command builds ./cmd/lindungi with cgo
// off into out.
func goBuildOutput(run, out string) bool {
	for _, part := range regexp.MustCompile(`&&|;|\|\|`).Split(run, -1) {
		_, after, ok := strings.Cut(part, "go build")
		if !ok {
			continue
		}
		words := strings.Fields(after)
		var output string
		for i, w := range words {
			switch {
			case w == "-o" && i+1 < len(words):
				output = words[i+1]
			case strings.HasPrefix(w, "-o="):
				output = strings.TrimPrefix(w, "-o=")
			}
		}
		if path.Clean(output) == path.Clean(out) && slices.Contains(words, "./cmd/lindungi") {
			return true
		}
	}
	return false
}

// builds reports whether stage i of stages produces file p by building
// ./cmd/lindungi, directly or through COPY --from of an earlier stage.
func builds(stages []dockerStage, i int, p string) bool {
	for _, in := range slices.Backward(stages[i].instrs) {
		switch in.cmd {
		case "RUN":
			if goBuildOutput(in.args, p) {
				return true
			}
		case "COPY":
			var from string
			var words []string
			for _, w := range strings.Fields(in.args) {
				if v, ok := strings.CutPrefix(w, "--from="); ok {
					from = strings.ToLower(v)
				} else if !strings.HasPrefix(w, "--") {
					words = append(words, w)
				}
			}
			if from == "" || len(words) < 2 {
				continue
			}
			src, dst := words[0], words[len(words)-1]
			if path.Clean(dst) != path.Clean(p) && !(strings.HasSuffix(dst, "/") && path.Join(dst, path.Base(src)) == path.Clean(p)) {
				continue
			}
			for j := range i {
				if stages[j].name == from || strconv.Itoa(j) == from {
					return builds(stages, j, src)
				}
			}
		}
	}
	return false
}

func TestComposeDockerfileRunsBinary(t *testing.T) {
	stages := loadDockerfile(t)
	final := stages[len(stages)-1]

	var entrypoint, cmd []string
	user := ""
	for _, in := range final.instrs {
		switch in.cmd {
		case "ENTRYPOINT":
			entrypoint, _ = execForm(in.args)
		case "CMD":
			cmd, _ = execForm(in.args)
		case "USER":
			user = in.args
		}
	}
	if len(entrypoint) == 0 {
		t.Fatalf("final stage ENTRYPOINT: got none in exec form, want [\"/lindungi\"]")
	}
	if !builds(stages, len(stages)-1, entrypoint[0]) {
		t.Errorf("final stage ENTRYPOINT %q: got a file not built from ./cmd/lindungi with go build -o, want the binary", entrypoint[0])
	}
	if len(cmd) == 0 || !slices.Contains(subcommandNames(), cmd[0]) {
		t.Errorf("final stage CMD: got %q, want a subcommand among %q", cmd, subcommandNames())
	}
	uid, _, _ := strings.Cut(user, ":")
	rootUser := uid == "root" || uid == "0" || (uid == "" && !strings.Contains(final.base, "nonroot"))
	if rootUser {
		t.Errorf("final stage user: got USER %q on %s, want a non-root user", user, final.base)
	}
	// A static runtime image has no C library: the binary must be built without cgo.
	if strings.Contains(final.base, "distroless/static") || final.base == "scratch" {
		for _, st := range stages {
			for _, in := range st.instrs {
				if in.cmd == "RUN" && strings.Contains(in.args, "go build") && !strings.Contains(in.args, "CGO_ENABLED=0") {
					t.Errorf("RUN %s: got cgo possibly on, want CGO_ENABLED=0 for %s", in.args, final.base)
				}
			}
		}
	}
}

func TestComposeDockerfileGoVersionMatchesGoMod(t *testing.T) {
	data, err := os.ReadFile(goModPath)
	if err != nil {
		t.Fatal(err)
	}
	var goVersion string
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "go "); ok {
			goVersion = strings.TrimSpace(v)
		}
	}
	if goVersion == "" {
		t.Fatalf("go.mod: got no go line")
	}
	for _, st := range loadDockerfile(t) {
		repo, tag, _ := strings.Cut(st.base, ":")
		if repo != "golang" && repo != "docker.io/library/golang" {
			continue
		}
		version, _, _ := strings.Cut(tag, "-")
		// golang images set GOTOOLCHAIN=local: the image's Go must satisfy go.mod.
		if strings.Count(version, ".") == 1 {
			if want := strings.Join(strings.SplitN(goVersion, ".", 3)[:2], "."); version != want {
				t.Errorf("build image %s: got Go %s, want %s (go.mod: go %s)", st.base, version, want, goVersion)
			}
		} else if compareVersions(version, goVersion) < 0 {
			t.Errorf("build image %s: got Go %s, want at least %s (go.mod)", st.base, version, goVersion)
		}
	}
}

// compareVersions compares dotted numeric versions such as 1.26.8.
func compareVersions(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := range max(len(as), len(bs)) {
		var x, y int
		if i < len(as) {
			x, _ = strconv.Atoi(as[i])
		}
		if i < len(bs) {
			y, _ = strconv.Atoi(bs[i])
		}
		if x != y {
			return x - y
		}
	}
	return 0
}

// ---- .dockerignore ----------------------------------------------------------

type ignorePattern struct {
	re     *regexp.Regexp
	negate bool
}

// parseDockerignore compiles .dockerignore patterns with the semantics of
// Docker's pattern matcher: paths relative to the context root, * and ? within
// one path element, ** across elements, ! re-includes.
func parseDockerignore(text string) ([]ignorePattern, error) {
	var patterns []ignorePattern
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		p := ignorePattern{}
		if rest, ok := strings.CutPrefix(line, "!"); ok {
			p.negate, line = true, strings.TrimSpace(rest)
		}
		line = strings.TrimPrefix(path.Clean(filepath.ToSlash(line)), "/")
		var b strings.Builder
		b.WriteString("^")
		for i := 0; i < len(line); i++ {
			switch c := line[i]; {
			case strings.HasPrefix(line[i:], "**/"):
				b.WriteString("(.*/)?")
				i += 2
			case strings.HasPrefix(line[i:], "**"):
				b.WriteString(".*")
				i++
			case c == '*':
				b.WriteString("[^/]*")
			case c == '?':
				b.WriteString("[^/]")
			case c == '[':
				end := strings.IndexByte(line[i:], ']')
				if end < 0 {
					b.WriteString(`\[`)
					continue
				}
				class := line[i : i+end+1]
				if strings.HasPrefix(class, "[!") {
					class = "[^" + class[2:]
				}
				b.WriteString(class)
				i += end
			case c == '\\' && i+1 < len(line):
				i++
				b.WriteString(regexp.QuoteMeta(line[i : i+1]))
			default:
				b.WriteString(regexp.QuoteMeta(string(c)))
			}
		}
		b.WriteString("$")
		re, err := regexp.Compile(b.String())
		if err != nil {
			return nil, err
		}
		p.re = re
		patterns = append(patterns, p)
	}
	return patterns, nil
}

// ignored reports whether the file rel (slash-separated, relative to the build
// context) is left out of the context: the last pattern matching it or one of
// its parent directories decides.
func ignored(patterns []ignorePattern, rel string) bool {
	out := false
	elems := strings.Split(rel, "/")
	for _, p := range patterns {
		for i := 1; i <= len(elems); i++ {
			if p.re.MatchString(strings.Join(elems[:i], "/")) {
				out = !p.negate
				break
			}
		}
	}
	return out
}

// buildInputs lists the files `go build` reads from the repository: go.mod,
// go.sum, non-test Go files and the files they embed.
func buildInputs(t *testing.T) []string {
	t.Helper()
	inputs := []string{"go.mod", "go.sum"}
	root := filepath.Clean(repoRoot)
	addFile := func(p string) {
		rel, err := filepath.Rel(root, p)
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, filepath.ToSlash(rel))
	}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		addFile(p)
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, line := range strings.Split(string(src), "\n") {
			rest, ok := strings.CutPrefix(strings.TrimSpace(line), "//go:embed ")
			if !ok {
				continue
			}
			for _, pat := range strings.Fields(rest) {
				if unq, err := strconv.Unquote(pat); err == nil {
					pat = unq
				}
				pat = strings.TrimPrefix(pat, "all:")
				matches, err := filepath.Glob(filepath.Join(filepath.Dir(p), filepath.FromSlash(pat)))
				if err != nil {
					return err
				}
				for _, m := range matches {
					if err := filepath.WalkDir(m, func(q string, d fs.DirEntry, err error) error {
						if err == nil && !d.IsDir() {
							addFile(q)
						}
						return err
					}); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walk repository: %v", err)
	}
	return inputs
}

func TestComposeDockerignoreKeepsBuildInputs(t *testing.T) {
	data, err := os.ReadFile(dockerignorePath)
	if os.IsNotExist(err) {
		t.Skip("no .dockerignore")
	}
	if err != nil {
		t.Fatal(err)
	}
	patterns, err := parseDockerignore(string(data))
	if err != nil {
		t.Fatalf(".dockerignore: %v", err)
	}
	inputs := buildInputs(t)
	if !slices.Contains(inputs, "cmd/lindungi/config.go") {
		t.Fatalf("build inputs: got %q, want cmd/lindungi/config.go among them", inputs)
	}
	for _, f := range inputs {
		if ignored(patterns, f) {
			t.Errorf(".dockerignore: got %s left out of the build context, want it kept (go build reads it)", f)
		}
	}
	if !ignored(patterns, ".git/config") {
		t.Errorf(".dockerignore: got .git kept in the build context, want it left out")
	}
}

func TestComposeDockerignoreMatcher(t *testing.T) {
	for _, tc := range []struct {
		patterns string
		file     string
		want     bool
	}{
		{".git", ".git/config", true},
		{"/lindungi", "lindungi", true},
		{"/lindungi", "cmd/lindungi/main.go", false},
		{"*.test", "lindungi.test", true},
		{"*.test", "cmd/lindungi/lindungi.test", false},
		{"**/*.test", "cmd/lindungi/lindungi.test", true},
		{"**/.DS_Store", ".DS_Store", true},
		{"deploy", "deploy/postgres/initdb/x.sh", true},
		{"docker-compose*.yml", "docker-compose.yml", true},
		{"schema/*.sql", "schema/00001_init.sql", true},
		{"schema\n!schema/*.sql", "schema/00001_init.sql", false},
		{"schema\n!schema/*.sql", "schema/data/x.csv", true},
		{"[a-c]?.go", "b1.go", true},
		{"[!a-c]?.go", "b1.go", false},
	} {
		t.Run(tc.patterns+" "+tc.file, func(t *testing.T) {
			patterns, err := parseDockerignore(tc.patterns)
			if err != nil {
				t.Fatal(err)
			}
			if got := ignored(patterns, tc.file); got != tc.want {
				t.Errorf("ignored(%q, %s): got %v, want %v", tc.patterns, tc.file, got, tc.want)
			}
		})
	}
}
