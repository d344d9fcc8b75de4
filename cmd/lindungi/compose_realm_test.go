package main

// Static checks of the Keycloak realm of the compose stack
// (deploy/keycloak/lindungi-realm.json) against the policies, the
// configuration of the API and the way identity.OIDC and the web sign-in
// read tokens.

import (
	"encoding/json"
	"net"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/policies"
)

// realm is the part of a Keycloak realm representation these tests read.
type realm struct {
	Realm                 string `json:"realm"`
	Enabled               bool   `json:"enabled"`
	EditUsernameAllowed   bool   `json:"editUsernameAllowed"`
	RegistrationAllowed   bool   `json:"registrationAllowed"`
	LoginWithEmailAllowed bool   `json:"loginWithEmailAllowed"`
	Roles                 struct {
		Realm []struct {
			Name string `json:"name"`
		} `json:"realm"`
	} `json:"roles"`
	Clients       []realmClient `json:"clients"`
	ScopeMappings []struct {
		Client string   `json:"client"`
		Roles  []string `json:"roles"`
	} `json:"scopeMappings"`
	Users []struct {
		Username    string              `json:"username"`
		Enabled     bool                `json:"enabled"`
		Attributes  map[string][]string `json:"attributes"`
		RealmRoles  []string            `json:"realmRoles"`
		Credentials []struct {
			Type      string `json:"type"`
			Value     string `json:"value"`
			Temporary bool   `json:"temporary"`
		} `json:"credentials"`
	} `json:"users"`
	Components map[string][]struct {
		ProviderID string              `json:"providerId"`
		Config     map[string][]string `json:"config"`
	} `json:"components"`
}

type realmClient struct {
	ClientID                  string            `json:"clientId"`
	Enabled                   bool              `json:"enabled"`
	PublicClient              bool              `json:"publicClient"`
	StandardFlowEnabled       bool              `json:"standardFlowEnabled"`
	ImplicitFlowEnabled       bool              `json:"implicitFlowEnabled"`
	DirectAccessGrantsEnabled bool              `json:"directAccessGrantsEnabled"`
	FullScopeAllowed          *bool             `json:"fullScopeAllowed"`
	RedirectURIs              []string          `json:"redirectUris"`
	Attributes                map[string]string `json:"attributes"`
	ProtocolMappers           []struct {
		Name           string            `json:"name"`
		ProtocolMapper string            `json:"protocolMapper"`
		Config         map[string]string `json:"config"`
	} `json:"protocolMappers"`
}

// mapper returns the client's protocol mapper of type kind whose config
// has key set to value.
func (c realmClient) mapper(kind, key, value string) (map[string]string, bool) {
	for _, m := range c.ProtocolMappers {
		if m.ProtocolMapper == kind && m.Config[key] == value {
			return m.Config, true
		}
	}
	return nil, false
}

// loadRealm reads the realm file that the keycloak service imports, and
// returns it with the keycloak service's environment.
func loadRealm(t *testing.T, f composeFile) realm {
	t.Helper()
	kc := f.service(t, "keycloak")
	if !slices.Contains(kc.Command, "--import-realm") {
		t.Fatalf("keycloak command: got %q, want --import-realm", kc.Command)
	}
	m, ok := kc.mountFor("/opt/keycloak/data/import/lindungi-realm.json")
	if !ok || !m.Bind {
		t.Fatalf("keycloak: got no directory of the repository mounted at /opt/keycloak/data/import, want deploy/keycloak")
	}
	p := filepath.Join(repoRoot, m.Source, strings.TrimPrefix("/opt/keycloak/data/import/lindungi-realm.json", m.Target))
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var r realm
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatalf("%s: got %v, want a realm in JSON", p, err)
	}
	return r
}

// policyRoles are the roles the shipped policies and the code name.
func policyRoles(t *testing.T) []string {
	t.Helper()
	set := map[string]bool{}
	for _, r := range roles {
		set[r] = true
	}
	for _, r := range policies.DefaultRules() {
		var names []string
		switch {
		case r.Model == lindungi.ModelAccess && r.PType == "p":
			names = r.Values[:1]
		case r.Model == lindungi.ModelAccess && r.PType == "g":
			names = r.Values[:2]
		case r.Model == lindungi.ModelRouting && r.PType == "p": // ..., target, role
			names = r.Values[7:8]
		case r.Model == lindungi.ModelRouting && r.PType == "p2": // ..., holder, risk, target, role
			names = []string{r.Values[4], r.Values[7]}
		default:
			t.Fatalf("policy line %s %s %q: got a type this test does not know, want it taught here", r.Model, r.PType, r.Values)
		}
		for _, n := range names {
			if n != "*" {
				set[n] = true
			}
		}
	}
	if !set[lindungi.RoleBP3MIOfficer] || !set[lindungi.RoleAdmin] {
		t.Fatalf("policy roles: got %v, want at least bp3mi_officer and admin", set)
	}
	var out []string
	for r := range set {
		out = append(out, r)
	}
	slices.Sort(out)
	return out
}

// TestComposeRealmDefinesPolicyRoles: every role the policies or the code
// name is a realm role, in the scope of every client, so that it can reach
// a token at all.
func TestComposeRealmDefinesPolicyRoles(t *testing.T) {
	r := loadRealm(t, loadCompose(t))
	var have []string
	for _, role := range r.Roles.Realm {
		have = append(have, role.Name)
	}
	scoped := map[string][]string{}
	for _, s := range r.ScopeMappings {
		scoped[s.Client] = append(scoped[s.Client], s.Roles...)
	}
	for _, role := range policyRoles(t) {
		if !slices.Contains(have, role) {
			t.Errorf("realm roles: got %q, want %s (named by the policies)", have, role)
		}
		for _, c := range r.Clients {
			if (c.FullScopeAllowed == nil || *c.FullScopeAllowed) || slices.Contains(scoped[c.ClientID], role) {
				continue
			}
			t.Errorf("client %s: role %s is not in its scope mappings and fullScopeAllowed is off, so its tokens never carry it", c.ClientID, role)
		}
	}
}

// TestComposeRealmTokens: the realm issues what the API's configuration
// reads, at the issuer URL the API trusts.
func TestComposeRealmTokens(t *testing.T) {
	f := loadCompose(t)
	r := loadRealm(t, f)
	cfg := f.serviceConfig(t, "api")
	if !r.Enabled || r.RegistrationAllowed {
		t.Errorf("realm: got enabled %v, registration %v, want enabled without self-registration", r.Enabled, r.RegistrationAllowed)
	}

	// The issuer: Keycloak's own name for itself, the realm, and a host
	// name the containers resolve to Keycloak at the port it listens on.
	kc := f.service(t, "keycloak")
	issuer, err := url.Parse(cfg.OIDCIssuer)
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.TrimSuffix(kc.Environment["KC_HOSTNAME"], "/") + "/realms/" + r.Realm; cfg.OIDCIssuer != want {
		t.Errorf("LINDUNGI_OIDC_ISSUER: got %q, want %q (KC_HOSTNAME and the realm)", cfg.OIDCIssuer, want)
	}
	if !slices.Contains(kc.Networks["default"], issuer.Hostname()) && issuer.Hostname() != "keycloak" {
		t.Errorf("keycloak network aliases: got %q, want %s so that the API reaches the issuer", kc.Networks["default"], issuer.Hostname())
	}
	if got := kc.Environment["KC_HTTP_PORT"]; got != issuer.Port() {
		t.Errorf("keycloak KC_HTTP_PORT: got %q, want %s (the issuer's port, inside the network too)", got, issuer.Port())
	}
	published := false
	for _, p := range kc.Ports {
		published = published || (p.Published == issuer.Port() && p.Target == issuer.Port())
	}
	if !published {
		t.Errorf("keycloak ports: got %+v, want %s published as %s so that browsers reach the issuer", kc.Ports, issuer.Port(), issuer.Port())
	}
	if h := issuer.Hostname(); h != "localhost" && !strings.HasSuffix(h, ".localhost") && net.ParseIP(h) == nil {
		t.Errorf("issuer host %q: got a name browsers do not resolve to this machine, want *.localhost", h)
	}

	// The web client: authorization code with PKCE, back to /masuk/callback.
	// Its ID tokens are checked by the API's verifier, so its client ID is
	// the API's audience.
	clientID := cfg.OIDCClientID
	if clientID == "" {
		clientID = cfg.OIDCAudience
	}
	if clientID != cfg.OIDCAudience {
		t.Errorf("LINDUNGI_OIDC_CLIENT_ID %q: got other than the audience %q, want them equal: ID tokens carry the client ID as their audience", clientID, cfg.OIDCAudience)
	}
	i := slices.IndexFunc(r.Clients, func(c realmClient) bool { return c.ClientID == clientID })
	if i < 0 {
		t.Fatalf("realm clients: got no %s, want the web client", clientID)
	}
	web := r.Clients[i]
	if !web.Enabled || !web.StandardFlowEnabled || web.ImplicitFlowEnabled || web.DirectAccessGrantsEnabled {
		t.Errorf("client %s: got enabled %v, code flow %v, implicit %v, password grant %v; want the code flow only", clientID,
			web.Enabled, web.StandardFlowEnabled, web.ImplicitFlowEnabled, web.DirectAccessGrantsEnabled)
	}
	if got := web.Attributes["pkce.code.challenge.method"]; got != "S256" {
		t.Errorf("client %s PKCE: got %q, want S256", clientID, got)
	}
	if !web.PublicClient && cfg.OIDCClientSecretFile == "" {
		t.Errorf("client %s: got a confidential client, want LINDUNGI_OIDC_CLIENT_SECRET_FILE set for it", clientID)
	}
	if want := cfg.PublicURL + "/masuk/callback"; !slices.Equal(web.RedirectURIs, []string{want}) {
		t.Errorf("client %s redirect URIs: got %q, want exactly %q", clientID, web.RedirectURIs, want)
	}

	// Every client's tokens carry the subject, unit and roles where the API
	// reads them, and access tokens the API's audience.
	for _, c := range r.Clients {
		t.Run(c.ClientID, func(t *testing.T) {
			if c.ImplicitFlowEnabled {
				t.Errorf("implicit flow: got on, want off")
			}
			unit, ok := c.mapper("oidc-usermodel-attribute-mapper", "claim.name", cfg.OIDCUnitClaim)
			if !ok || unit["user.attribute"] != "unit" {
				t.Errorf("mappers: got no user attribute unit in claim %q (LINDUNGI_OIDC_UNIT_CLAIM), want one", cfg.OIDCUnitClaim)
			}
			roles, ok := c.mapper("oidc-usermodel-realm-role-mapper", "claim.name", cfg.OIDCRolesClaim)
			if !ok || roles["multivalued"] != "true" {
				t.Errorf("mappers: got no multivalued realm-role mapper into claim %q (LINDUNGI_OIDC_ROLES_CLAIM), want one", cfg.OIDCRolesClaim)
			}
			for _, m := range []map[string]string{unit, roles} {
				if m != nil && (m["id.token.claim"] != "true" || m["access.token.claim"] != "true") {
					t.Errorf("mapper into %q: got id token %q, access token %q, want both: the pages read ID tokens, the API access tokens",
						m["claim.name"], m["id.token.claim"], m["access.token.claim"])
				}
			}
			aud, ok := c.mapper("oidc-audience-mapper", "included.client.audience", cfg.OIDCAudience)
			if !ok || aud["access.token.claim"] != "true" {
				t.Errorf("mappers: got no audience %q in access tokens (LINDUNGI_OIDC_AUDIENCE), want one", cfg.OIDCAudience)
			}
		})
	}
	// preferred_username is the subject: the user must not change it.
	if cfg.OIDCSubjectClaim == "preferred_username" && (r.EditUsernameAllowed || r.LoginWithEmailAllowed) {
		t.Errorf("realm: got editUsernameAllowed %v, loginWithEmailAllowed %v, want both off: the user name is the subject", r.EditUsernameAllowed, r.LoginWithEmailAllowed)
	}
}

// userProfileAttribute is an attribute of Keycloak's declarative user profile.
type userProfileAttribute struct {
	Name        string `json:"name"`
	Permissions struct {
		Edit []string `json:"edit"`
	} `json:"permissions"`
	Validations map[string]map[string]any `json:"validations"`
}

// TestComposeRealmUnitAttribute: the unit is a declared attribute of the
// user profile (Keycloak drops undeclared ones) that only administrators
// may change, since it decides what a user may reach, and that takes unit
// codes only.
func TestComposeRealmUnitAttribute(t *testing.T) {
	r := loadRealm(t, loadCompose(t))
	providers := r.Components["org.keycloak.userprofile.UserProfileProvider"]
	if len(providers) != 1 || len(providers[0].Config["kc.user.profile.config"]) != 1 {
		t.Fatalf("user profile: got %+v, want one declarative user profile", providers)
	}
	var up struct {
		Attributes               []userProfileAttribute `json:"attributes"`
		UnmanagedAttributePolicy string                 `json:"unmanagedAttributePolicy"`
	}
	if err := json.Unmarshal([]byte(providers[0].Config["kc.user.profile.config"][0]), &up); err != nil {
		t.Fatalf("user profile config: %v", err)
	}
	if up.UnmanagedAttributePolicy == "ENABLED" {
		t.Errorf("unmanagedAttributePolicy: got ENABLED, want users unable to add attributes of their own")
	}
	i := slices.IndexFunc(up.Attributes, func(a userProfileAttribute) bool { return a.Name == "unit" })
	if i < 0 {
		t.Fatalf("user profile attributes: got none named unit, want it declared")
	}
	unit := up.Attributes[i]
	if !slices.Equal(unit.Permissions.Edit, []string{"admin"}) {
		t.Errorf("unit edit permission: got %q, want [admin] only", unit.Permissions.Edit)
	}
	pattern, _ := unit.Validations["pattern"]["pattern"].(string)
	re, err := regexp.Compile(pattern)
	if pattern == "" || err != nil {
		t.Fatalf("unit validation pattern: got %q (%v), want the form of unit codes", pattern, err)
	}
	for _, code := range []string{"ID", "33", "3305", "", "id", "330", "33051", "3305 "} {
		if got, want := re.MatchString(code), lindungi.IsUnitCode(code); got != want {
			t.Errorf("unit pattern %q on %q: got %v, want %v (lindungi.IsUnitCode)", pattern, code, got, want)
		}
	}
}

// TestComposeRealmDemoUsers: the demo users sign in with the password the
// README gives, and each has a valid unit and Lindungi roles.
func TestComposeRealmDemoUsers(t *testing.T) {
	r := loadRealm(t, loadCompose(t))
	readme := readmeSection(t, "docker-compose")
	var have []string
	for _, u := range r.Users {
		t.Run(u.Username, func(t *testing.T) {
			if !u.Enabled {
				t.Errorf("got disabled, want enabled")
			}
			if units := u.Attributes["unit"]; len(units) != 1 || !lindungi.IsUnitCode(units[0]) {
				t.Errorf("unit: got %q, want one unit code such as 3305", units)
			}
			if len(u.RealmRoles) == 0 {
				t.Errorf("roles: got none, want a Lindungi role")
			}
			for _, role := range u.RealmRoles {
				if !slices.Contains(roles, role) {
					t.Errorf("role %s: got a role Lindungi does not know, want one of %q", role, roles)
				}
			}
			have = append(have, u.RealmRoles...)
			if len(u.Credentials) != 1 || u.Credentials[0].Type != "password" || u.Credentials[0].Temporary || u.Credentials[0].Value == "" {
				t.Fatalf("credentials: got %+v, want one lasting password", u.Credentials)
			}
			if !strings.Contains(readme, u.Username) || !strings.Contains(readme, u.Credentials[0].Value) {
				t.Errorf("README, docker-compose: got no mention of %s and its password, want the demo sign-in documented", u.Username)
			}
		})
	}
	for _, role := range []string{lindungi.RoleCaseworker, lindungi.RoleSupervisor, lindungi.RoleProvinceSupervisor,
		lindungi.RoleBP3MIOfficer, lindungi.RoleAuditor} {
		if !slices.Contains(have, role) {
			t.Errorf("demo users: got roles %q, want a %s among them", have, role)
		}
	}
}

// readmeSection returns the section of README.md under the level-two
// heading title.
func readmeSection(t *testing.T, title string) string {
	t.Helper()
	data, err := os.ReadFile(path.Join(repoRoot, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(data), "\n## "+title+"\n")
	if !ok {
		t.Fatalf("README.md: got no section %q", title)
	}
	if i := strings.Index(section, "\n## "); i >= 0 {
		section = section[:i]
	}
	return section
}
