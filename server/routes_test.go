package server_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/policies"
	"github.com/lindungi/lindungi/server"
)

// TestEveryRouteIsDocumented fails when a route is added without its
// OpenAPI operation, or the document lists an operation no route serves.
func TestEveryRouteIsDocumented(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(server.OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("openapi.yaml is not valid: %v", err)
	}
	var documented []string
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented = append(documented, method+" "+path)
		}
	}
	var served []string
	for _, r := range server.New(server.Deps{}).Routes() {
		if r.Page {
			continue // a web page, not the API
		}
		served = append(served, r.Method+" "+ginToOpenAPI(r.Path))
	}
	for _, s := range served {
		if !slices.Contains(documented, s) {
			t.Errorf("route %s is not in openapi.yaml", s)
		}
	}
	for _, d := range documented {
		if !slices.Contains(served, d) {
			t.Errorf("openapi.yaml documents %s, which no route serves", d)
		}
	}
}

// ginToOpenAPI turns /v1/tasks/:id into /v1/tasks/{id}.
func ginToOpenAPI(path string) string {
	parts := strings.Split(path, "/")
	for i, p := range parts {
		if strings.HasPrefix(p, ":") {
			parts[i] = "{" + p[1:] + "}"
		}
	}
	return strings.Join(parts, "/")
}

// TestEveryRouteHasAPolicy fails when an authenticated route is added
// without a policy line that lets some role use it.
func TestEveryRouteHasAPolicy(t *testing.T) {
	_, ps := server.ShippedPolicies(t)
	authz := ps.Authorizer
	admin := lindungi.Principal{Subject: "admin", Unit: "ID", Roles: []string{lindungi.RoleAdmin}}
	for _, r := range server.New(server.Deps{}).Routes() {
		if !r.Auth {
			continue
		}
		if d, err := authz.Authorize(admin, "3305", r.Path, r.Method); err != nil || !d.Allowed {
			t.Errorf("%s %s: no policy line lets even an admin use it (err %v)", r.Method, r.Path, err)
		}
	}
}

// TestShippedPolicyIsValid runs the checks every policy change must pass
// on the shipped policy with every route of the API and every named action.
func TestShippedPolicyIsValid(t *testing.T) {
	units, _ := server.ShippedPolicies(t)
	rules := policies.DefaultRules()
	if err := policies.Validate(units, server.Governed(), rules, rules); err != nil {
		t.Errorf("the shipped policy does not validate: %v", err)
	}
}
