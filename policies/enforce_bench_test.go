package policies

import (
	"encoding/csv"
	"testing"

	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/schema"
)

// BenchmarkEnforceWarm is one casbin decision on a warm enforcer, without
// Lindungi's decision cache: the cost of a cache miss.
func BenchmarkEnforceWarm(b *testing.B) {
	units := benchUnits(b)
	a, err := NewAuthorizer(units, DefaultRules(), "bench")
	if err != nil {
		b.Fatal(err)
	}
	e := a.snap.Load().e
	b.ReportAllocs()
	for b.Loop() {
		if ok, _, err := e.EnforceEx("province_supervisor", "33", "3305", "/v1/tasks/:id/complete", "POST"); err != nil || !ok {
			b.Fatal(ok, err)
		}
	}
}

// benchUnits reads the shipped units without importing package postgres;
// the Authorizer needs only codes and parents.
func benchUnits(b *testing.B) []lindungi.Unit {
	f, err := schema.Data.Open("data/jateng_units.csv")
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		b.Fatal(err)
	}
	var units []lindungi.Unit
	for _, r := range rows[1:] {
		units = append(units, lindungi.Unit{Code: r[0], Name: r[1], Kind: r[2], Parent: r[3]})
	}
	return units
}
