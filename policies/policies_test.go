package policies_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/policies"
	"github.com/lindungi/lindungi/postgres"
)

func units(t testing.TB) []lindungi.Unit {
	t.Helper()
	us, err := postgres.ReferenceUnits()
	if err != nil {
		t.Fatal(err)
	}
	return us
}

func TestAuthorize(t *testing.T) {
	a, err := policies.NewAuthorizer(units(t), policies.DefaultRules(), "test")
	if err != nil {
		t.Fatal(err)
	}
	cilacap := lindungi.Principal{Subject: "cw", Unit: "3301", Roles: []string{"caseworker"}}
	kebumen := lindungi.Principal{Subject: "cw", Unit: "3305", Roles: []string{"caseworker"}}
	province := lindungi.Principal{Subject: "ps", Unit: "33", Roles: []string{"province_supervisor"}}
	auditor := lindungi.Principal{Subject: "au", Unit: "33", Roles: []string{"auditor"}}
	national := lindungi.Principal{Subject: "adm", Unit: "ID", Roles: []string{"admin"}}
	nobody := lindungi.Principal{Subject: "x", Unit: "3305", Roles: []string{"unknown"}}
	tests := []struct {
		name      string
		p         lindungi.Principal
		unit, obj string
		act       string
		want      bool
	}{
		{"caseworker reads own district worker", kebumen, "3305", "/v1/workers/:id", "GET", true},
		{"caseworker of another district is refused", cilacap, "3305", "/v1/workers/:id", "GET", false},
		{"caseworker registers in own district", kebumen, "3305", "/v1/workers", "POST", true},
		{"caseworker cannot register in another district", cilacap, "3305", "/v1/workers", "POST", false},
		{"caseworker cannot act at province level", kebumen, "33", "/v1/tasks", "GET", false},
		{"province supervisor reaches a district", province, "3305", "/v1/tasks/:id/complete", "POST", true},
		{"province supervisor reaches another district", province, "3301", "/v1/workers/:id", "GET", true},
		{"province supervisor does not reach the national level", province, "ID", "/v1/tasks", "GET", false},
		{"auditor reads", auditor, "3305", "/v1/tasks/:id", "GET", true},
		{"auditor cannot complete", auditor, "3305", "/v1/tasks/:id/complete", "POST", false},
		{"auditor cannot register", auditor, "3305", "/v1/workers", "POST", false},
		{"national admin reaches a district", national, "3372", "/v1/workers", "POST", true},
		{"unknown role gets nothing", nobody, "3305", "/v1/tasks", "GET", false},
		{"raw paths are not route templates", kebumen, "3305", "/v1/workers/123", "GET", false},
		{"method matters", kebumen, "3305", "/v1/workers/:id", "DELETE", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := a.Authorize(tt.p, tt.unit, tt.obj, tt.act)
			if err != nil {
				t.Fatal(err)
			}
			if d.Allowed != tt.want {
				t.Errorf("Authorize(%v, %s, %s %s) = %v, want %v", tt.p, tt.unit, tt.act, tt.obj, d.Allowed, tt.want)
			}
			if d.Allowed && d.Rule == "" {
				t.Errorf("allowed without naming the rule")
			}
		})
	}
}

func TestRoute(t *testing.T) {
	r, err := policies.NewRouter(units(t), policies.DefaultRules(), "test")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		req  lindungi.RouteRequest
		want lindungi.Route
	}{
		{"verification goes to the domicile district",
			lindungi.RouteRequest{Kind: lindungi.TaskVerifyRegistration, Unit: "3305", Scheme: lindungi.SchemeP2P},
			lindungi.Route{Unit: "3305", Role: "caseworker", Rule: "verify-at-domicile-district"}},
		{"a city too",
			lindungi.RouteRequest{Kind: lindungi.TaskVerifyRegistration, Unit: "3374", Scheme: lindungi.SchemeG2G},
			lindungi.Route{Unit: "3374", Role: "caseworker", Rule: "verify-at-domicile-district"}},
		{"high risk goes to the province (BP3MI) before anything else",
			lindungi.RouteRequest{Kind: lindungi.TaskCaseHandling, Unit: "3329", Scheme: lindungi.SchemeP2P, Risk: "high"},
			lindungi.Route{Unit: "33", Role: "bp3mi_officer", Rule: "high-risk-to-bp3mi"}},
		{"a kind no rule knows goes to the province, flagged",
			lindungi.RouteRequest{Kind: "SOMETHING_NEW", Unit: "3301", Scheme: lindungi.SchemeP2P},
			lindungi.Route{Unit: "33", Role: "province_supervisor", Rule: policies.FallbackRule, Flagged: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := r.Route(tt.req)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Route (-want +got):\n%s", diff)
			}
		})
	}
	if _, err := r.Route(lindungi.RouteRequest{Kind: lindungi.TaskVerifyRegistration, Unit: "9999"}); lindungi.ErrorCode(err) != lindungi.EINVALID {
		t.Errorf("unknown unit: err = %v, want EINVALID", err)
	}
	if got, want := r.Ancestors("3305"), []string{"3305", "33", "ID"}; !cmp.Equal(got, want) {
		t.Errorf("Ancestors(3305) = %v, want %v", got, want)
	}
}

func TestEscalationChain(t *testing.T) {
	r, err := policies.NewRouter(units(t), policies.DefaultRules(), "test")
	if err != nil {
		t.Fatal(err)
	}
	chain := func(risk string) []string {
		var got []string
		req := lindungi.RouteRequest{Kind: lindungi.TaskVerifyRegistration, Unit: "3305", Risk: risk}
		holder := "caseworker"
		for range 10 {
			next, ok, err := r.Escalate(req, holder)
			if err != nil {
				t.Fatal(err)
			}
			if !ok {
				break
			}
			got = append(got, next.Unit+"/"+next.Role+" by "+next.Rule)
			holder = next.Role
		}
		return got
	}
	want := []string{
		"3305/supervisor by escalate-to-head-of-section",
		"33/province_supervisor by escalate-to-province",
		"33/bp3mi_officer by escalate-to-bp3mi",
		"ID/national_officer by escalate-to-national",
	}
	if diff := cmp.Diff(want, chain("normal")); diff != "" {
		t.Errorf("normal chain (-want +got):\n%s", diff)
	}
	wantHigh := []string{
		"33/bp3mi_officer by high-risk-skips-to-bp3mi",
		"ID/national_officer by escalate-to-national",
	}
	if diff := cmp.Diff(wantHigh, chain("high")); diff != "" {
		t.Errorf("high-risk chain (-want +got):\n%s", diff)
	}
}

// TestRoutingPriority proves that the lowest priority number wins, whatever
// the order of the lines.
func TestRoutingPriority(t *testing.T) {
	rules := []lindungi.PolicyRule{
		{Model: lindungi.ModelRouting, PType: "p", Values: []string{"100", "general", "*", "33", "*", "*", "@domicile", "caseworker"}},
		{Model: lindungi.ModelRouting, PType: "p", Values: []string{"10", "g2g-to-province", "*", "33", "G2G", "*", "@province", "province_supervisor"}},
		{Model: lindungi.ModelRouting, PType: "p", Values: []string{"5", "kebumen-special", "*", "3305", "*", "*", "3301", "caseworker"}},
	}
	r, err := policies.NewRouter(units(t), rules, "test")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		unit   string
		scheme lindungi.Scheme
		want   string
	}{
		{"3302", lindungi.SchemeP2P, "3302 general"},
		{"3302", lindungi.SchemeG2G, "33 g2g-to-province"},
		{"3305", lindungi.SchemeG2G, "3301 kebumen-special"},
	} {
		got, err := r.Route(lindungi.RouteRequest{Kind: "ANY", Unit: tt.unit, Scheme: tt.scheme})
		if err != nil {
			t.Fatal(err)
		}
		if s := got.Unit + " " + got.Rule; s != tt.want {
			t.Errorf("Route(%s, %s) = %s, want %s", tt.unit, tt.scheme, s, tt.want)
		}
	}
}

// TestLoadReplacesCachedDecisions proves that a cached decision does not
// survive a policy change, including a change of role inheritance (g),
// which casbin's own cached enforcer would keep serving.
func TestLoadReplacesCachedDecisions(t *testing.T) {
	rules := policies.DefaultRules()
	a, err := policies.NewAuthorizer(units(t), rules, "1")
	if err != nil {
		t.Fatal(err)
	}
	verifier := lindungi.Principal{Subject: "v", Unit: "3305", Roles: []string{"verifier"}}
	ask := func() policies.Decision {
		d, err := a.Authorize(verifier, "3305", "/v1/tasks/:id/complete", "POST")
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	if d := ask(); !d.Allowed || ask().Version != "1" { // the second call is served from the cache
		t.Fatalf("verifier before the change: %+v, want allowed by version 1", d)
	}
	var without []lindungi.PolicyRule
	for _, r := range rules {
		if r.String() != "g, verifier, caseworker" {
			without = append(without, r)
		}
	}
	if err := a.Load(without, "2"); err != nil {
		t.Fatal(err)
	}
	if d := ask(); d.Allowed || d.Version != "2" {
		t.Errorf("verifier after removing its inheritance: %+v, want denied by version 2", d)
	}
}

func TestValidate(t *testing.T) {
	us := units(t)
	routes := []policies.RouteSpec{
		{Method: "POST", Path: "/v1/workers"}, {Method: "GET", Path: "/v1/workers/:id"}, {Method: "GET", Path: "/v1/tasks"},
		{Method: "GET", Path: "/v1/tasks/:id"}, {Method: "POST", Path: "/v1/tasks/:id/complete"},
		{Method: "POST", Path: "/v1/notifications/read", Reads: true},
		{Method: "POST", Path: "/audit/tujuan", Reads: true},
	}
	base := policies.DefaultRules()
	line := func(m, pt string, vs ...string) lindungi.PolicyRule {
		return lindungi.PolicyRule{Model: m, PType: pt, Values: vs}
	}
	without := func(drop func(lindungi.PolicyRule) bool) []lindungi.PolicyRule {
		var out []lindungi.PolicyRule
		for _, r := range base {
			if !drop(r) {
				out = append(out, r)
			}
		}
		return out
	}
	tests := []struct {
		name  string
		after []lindungi.PolicyRule
		want  string // "" for accepted; else a part of the message
	}{
		{"unchanged", base, ""},
		{"map an identity provider role", slices.Concat(base, []lindungi.PolicyRule{line("access", "g", "kc-petugas", "caseworker")}), ""},
		{"auditor may not write", slices.Concat(base, []lindungi.PolicyRule{line("access", "p", "auditor", "/v1/workers", "POST")}), "read-only role auditor would reach POST /v1/workers"},
		{"auditor may change what is only theirs", slices.Concat(base, []lindungi.PolicyRule{line("access", "p", "auditor", "/v1/notifications/read", "POST")}), ""},
		{"auditor may not inherit writing", slices.Concat(base, []lindungi.PolicyRule{line("access", "g", "auditor", "caseworker")}), "read-only role auditor"},
		{"auditor may post a form that only reads", slices.Concat(base, []lindungi.PolicyRule{line("access", "p", "auditor", "/audit/tujuan", "POST")}), ""},
		{"a role left without routes", without(func(r lindungi.PolicyRule) bool { return r.Values[0] == "auditor" }), "role auditor would be left without any route"},
		{"a route nobody can use", without(func(r lindungi.PolicyRule) bool { return len(r.Values) > 1 && r.Values[1] == "/v1/tasks/:id/complete" }), "no role could use POST /v1/tasks/:id/complete"},
		{"verification must route", without(func(r lindungi.PolicyRule) bool {
			return r.Model == "routing" && r.PType == "p" && r.Values[1] == "verify-at-domicile-district"
		}), "would not route for district 3301"},
		{"unknown escalation unit", slices.Concat(base, []lindungi.PolicyRule{line("routing", "p2", "1", "bad", "*", "33", "caseworker", "*", "9999", "supervisor")}), "names unknown unit 9999"},
		{"escalation cycle", slices.Concat(base, []lindungi.PolicyRule{line("routing", "p2", "1", "back-down", "*", "33", "national_officer", "*", "@domicile", "caseworker")}), "does not end within 10 steps"},
		{"unknown policy type", slices.Concat(base, []lindungi.PolicyRule{line("access", "g2", "3305", "3301")}), "not allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := policies.Validate(us, routes, base, tt.after)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tt.want != "" && err == nil:
				t.Errorf("accepted, want refused with %q", tt.want)
			case tt.want != "" && !strings.Contains(err.Error(), tt.want):
				t.Errorf("error %q does not mention %q", err, tt.want)
			case err != nil && lindungi.ErrorCode(err) != lindungi.EINVALID:
				t.Errorf("code %s, want EINVALID", lindungi.ErrorCode(err))
			}
		})
	}
}
