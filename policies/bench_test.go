package policies_test

import (
	"fmt"
	"testing"

	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/policies"
)

// users returns 2,000 principals spread over the districts and roles of
// Central Java, as the benchmarks' callers.
func users(b *testing.B) []lindungi.Principal {
	var districts []string
	for _, u := range units(b) {
		if u.IsDistrict() {
			districts = append(districts, u.Code)
		}
	}
	roles := []string{"caseworker", "verifier", "supervisor"}
	out := make([]lindungi.Principal, 0, 2000)
	for i := range 2000 {
		p := lindungi.Principal{Subject: fmt.Sprintf("user-%d", i), Unit: districts[i%len(districts)], Roles: []string{roles[i%len(roles)]}}
		if i%50 == 0 {
			p.Unit, p.Roles = "33", []string{"province_supervisor"}
		}
		out = append(out, p)
	}
	return out
}

var benchRoutes = []struct{ obj, act string }{
	{"/v1/workers/:id", "GET"}, {"/v1/tasks", "GET"}, {"/v1/tasks/:id", "GET"},
	{"/v1/tasks/:id/complete", "POST"}, {"/v1/workers", "POST"},
}

// BenchmarkAuthorizeCached is an access decision once the cache is warm:
// 2,000 users, their own unit, five routes.
func BenchmarkAuthorizeCached(b *testing.B) {
	a, err := policies.NewAuthorizer(units(b), policies.DefaultRules(), "bench")
	if err != nil {
		b.Fatal(err)
	}
	us := users(b)
	for _, u := range us {
		for _, r := range benchRoutes {
			a.Authorize(u, u.Unit, r.obj, r.act)
		}
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		u, r := us[i%len(us)], benchRoutes[i%len(benchRoutes)]
		if d, err := a.Authorize(u, u.Unit, r.obj, r.act); err != nil || !d.Allowed {
			b.Fatal("denied", u, r, err)
		}
		i++
	}
}

// BenchmarkAuthorizeUncached is the same decision made by casbin each time:
// the policy is reloaded (which drops the cache) before every timed call.
func BenchmarkAuthorizeUncached(b *testing.B) {
	rules := policies.DefaultRules()
	a, err := policies.NewAuthorizer(units(b), rules, "bench")
	if err != nil {
		b.Fatal(err)
	}
	us := users(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		b.StopTimer()
		if err := a.Load(rules, "bench"); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		u, r := us[i%len(us)], benchRoutes[i%len(benchRoutes)]
		if d, err := a.Authorize(u, u.Unit, r.obj, r.act); err != nil || !d.Allowed {
			b.Fatal("denied", u, r, err)
		}
		i++
	}
}

func BenchmarkRoute(b *testing.B) {
	r, err := policies.NewRouter(units(b), policies.DefaultRules(), "bench")
	if err != nil {
		b.Fatal(err)
	}
	req := lindungi.RouteRequest{Kind: lindungi.TaskVerifyRegistration, Unit: "3305", Scheme: lindungi.SchemeP2P}
	b.ReportAllocs()
	for b.Loop() {
		if got, err := r.Route(req); err != nil || got.Unit != "3305" {
			b.Fatal(got, err)
		}
	}
}

func BenchmarkEscalate(b *testing.B) {
	r, err := policies.NewRouter(units(b), policies.DefaultRules(), "bench")
	if err != nil {
		b.Fatal(err)
	}
	req := lindungi.RouteRequest{Kind: lindungi.TaskVerifyRegistration, Unit: "3305", Scheme: lindungi.SchemeP2P}
	b.ReportAllocs()
	for b.Loop() {
		if _, ok, err := r.Escalate(req, "supervisor"); err != nil || !ok {
			b.Fatal(ok, err)
		}
	}
}
