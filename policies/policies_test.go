package policies_test

import (
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
	a, err := policies.NewAuthorizer(units(t))
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
	r, err := policies.NewRouter(units(t))
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
			lindungi.Route{Unit: "3305", Rule: "verify-at-domicile-district"}},
		{"a city too",
			lindungi.RouteRequest{Kind: lindungi.TaskVerifyRegistration, Unit: "3374", Scheme: lindungi.SchemeG2G},
			lindungi.Route{Unit: "3374", Rule: "verify-at-domicile-district"}},
		{"a kind no rule knows goes to the province, flagged",
			lindungi.RouteRequest{Kind: "SOMETHING_NEW", Unit: "3301", Scheme: lindungi.SchemeP2P},
			lindungi.Route{Unit: "33", Rule: policies.FallbackRule, Flagged: true}},
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
