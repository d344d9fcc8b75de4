package policies_test

import (
	"testing"

	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/policies"
)

func BenchmarkAuthorize(b *testing.B) {
	a, err := policies.NewAuthorizer(units(b))
	if err != nil {
		b.Fatal(err)
	}
	p := lindungi.Principal{Subject: "ps", Unit: "33", Roles: []string{"province_supervisor"}}
	b.ReportAllocs()
	for b.Loop() {
		if d, err := a.Authorize(p, "3305", "/v1/tasks/:id/complete", "POST"); err != nil || !d.Allowed {
			b.Fatal("denied", err)
		}
	}
}

func BenchmarkRoute(b *testing.B) {
	r, err := policies.NewRouter(units(b))
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
