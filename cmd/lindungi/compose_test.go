package main

// Static checks of the container files at the repository root
// (docker-compose.yml, Dockerfile, .dockerignore) against this binary: its
// subcommands, the environment variables it reads and what loadConfig
// accepts. They need no container engine.

import (
	"encoding/json"
	"io/fs"
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
	Command     composeCommand      `yaml:"command"`
	Environment composeEnv          `yaml:"environment"`
	Ports       []composePort       `yaml:"ports"`
	DependsOn   composeDependsOn    `yaml:"depends_on"`
	Healthcheck *composeHealthcheck `yaml:"healthcheck"`
	Volumes     []composeMount      `yaml:"volumes"`
	Restart     string              `yaml:"restart"`
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
	Source string
	Target string
	Bind   bool
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
		return nil
	}
	var long struct {
		Type   string `yaml:"type"`
		Source string `yaml:"source"`
		Target string `yaml:"target"`
	}
	if err := n.Decode(&long); err != nil {
		return err
	}
	m.Source, m.Target, m.Bind = long.Source, long.Target, long.Type == "bind"
	return nil
}

// mountFor returns the mount of s whose target holds the container path p.
func (s composeService) mountFor(p string) (composeMount, bool) {
	best, found := composeMount{}, false
	for _, m := range s.Volumes {
		t := path.Clean(m.Target)
		if (p == t || strings.HasPrefix(p, t+"/")) && len(t) >= len(best.Target) {
			best, found = composeMount{Source: m.Source, Target: t, Bind: m.Bind}, true
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

func TestComposeServicesExistWithPinnedImages(t *testing.T) {
	f := loadCompose(t)
	for _, name := range []string{"postgres", "temporal", "temporal-ui", "migrate", "api", "worker"} {
		t.Run(name, func(t *testing.T) {
			s := f.service(t, name)
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
			if tag == "" || tag == "latest" {
				t.Errorf("image %q: got tag %q, want a pinned tag other than latest", s.Image, tag)
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

func TestComposeBackendAddresses(t *testing.T) {
	f := loadCompose(t)
	pg := f.service(t, "postgres")
	temporal := f.service(t, temporalService)
	wantNS := temporal.Environment["DEFAULT_NAMESPACE"]
	if wantNS == "" {
		wantNS = "default" // temporalio/auto-setup's default
	}
	for _, tc := range lindungiServices {
		t.Run(tc.service, func(t *testing.T) {
			env := f.service(t, tc.service).Environment
			cfg, err := loadConfig(func(k string) string { return env[k] })
			if err != nil {
				t.Fatalf("loadConfig: %v", err)
			}

			u, err := url.Parse(cfg.DatabaseURL)
			if err != nil {
				t.Fatalf("DATABASE_URL %q: %v", maskDSN(cfg.DatabaseURL), err)
			}
			if u.Scheme != "postgres" && u.Scheme != "postgresql" {
				t.Fatalf("DATABASE_URL %q: got scheme %q, want a postgres:// URL", maskDSN(cfg.DatabaseURL), u.Scheme)
			}
			if _, ok := f.Services[u.Hostname()]; !ok {
				t.Errorf("DATABASE_URL host: got %q, want a service of the compose file", u.Hostname())
			}
			if port := u.Port(); port != "" && port != "5432" {
				t.Errorf("DATABASE_URL port: got %s, want 5432", port)
			}
			password, _ := u.User.Password()
			for _, c := range []struct{ what, got, pgVar string }{
				{"user", u.User.Username(), "LINDUNGI_DB_USER"},
				{"password", password, "LINDUNGI_DB_PASSWORD"},
				{"database", strings.TrimPrefix(u.Path, "/"), "LINDUNGI_DB_NAME"},
			} {
				if want := pg.Environment[c.pgVar]; c.got != want {
					t.Errorf("DATABASE_URL %s: got %q, want %q (postgres %s, created by the init script)", c.what, c.got, want, c.pgVar)
				}
			}

			host, port, err := net.SplitHostPort(cfg.TemporalAddress)
			if err != nil {
				t.Fatalf("TEMPORAL_ADDRESS %q: %v", cfg.TemporalAddress, err)
			}
			if host != temporalService || port != temporalPort {
				t.Errorf("TEMPORAL_ADDRESS: got %s, want %s", cfg.TemporalAddress, net.JoinHostPort(temporalService, temporalPort))
			}
			if cfg.TemporalNS != wantNS {
				t.Errorf("TEMPORAL_NAMESPACE: got %q, want %q (the namespace the temporal service creates)", cfg.TemporalNS, wantNS)
			}
		})
	}
}

func TestComposeTemporalWiring(t *testing.T) {
	f := loadCompose(t)
	temporal := f.service(t, temporalService)
	pg := f.service(t, "postgres")
	env := temporal.Environment

	if _, ok := f.Services[env["POSTGRES_SEEDS"]]; !ok {
		t.Errorf("temporal POSTGRES_SEEDS: got %q, want a service of the compose file", env["POSTGRES_SEEDS"])
	}
	for _, c := range []struct{ temporalVar, pgVar string }{
		{"POSTGRES_USER", "TEMPORAL_DB_USER"},
		{"POSTGRES_PWD", "TEMPORAL_DB_PASSWORD"},
	} {
		if got, want := env[c.temporalVar], pg.Environment[c.pgVar]; got == "" || got != want {
			t.Errorf("temporal %s: got %q, want %q (postgres %s, created by the init script)", c.temporalVar, got, want, c.pgVar)
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
	m, ok := temporal.mountFor(p)
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

func TestComposeDevKeyOnSharedVolume(t *testing.T) {
	f := loadCompose(t)
	volumes := map[string]string{}
	for _, name := range []string{"api", "worker"} {
		env := f.service(t, name).Environment
		cfg, err := loadConfig(func(k string) string { return env[k] })
		if err != nil {
			t.Fatalf("%s loadConfig: %v", name, err)
		}
		if cfg.Env != "development" {
			continue // no development key outside development
		}
		key := cfg.devKeyPath()
		m, ok := f.service(t, name).mountFor(key)
		if !ok || m.Bind || m.Source == "" {
			t.Errorf("%s development key %s: got no named volume holding it, want one shared by api and worker", name, key)
			continue
		}
		volumes[name] = m.Source
	}
	if len(volumes) == 2 && volumes["api"] != volumes["worker"] {
		t.Errorf("development key volume: got api %q, worker %q, want the same volume", volumes["api"], volumes["worker"])
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
		{"migrate", "postgres", "service_healthy"},
		{"migrate", temporalService, "service_healthy"},
		{"temporal", "postgres", "service_healthy"},
		{"api", "migrate", "service_completed_successfully"},
		{"worker", "migrate", "service_completed_successfully"},
		{"api", temporalService, ""},
		{"worker", temporalService, ""},
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
