package app_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/app"
	"github.com/lindungi/lindungi/policies"
	"github.com/lindungi/lindungi/postgres"
)

// figures is a stats store that remembers what it was asked.
type figures struct{ asked []lindungi.StatsQuery }

func (f *figures) TaskStats(_ context.Context, q lindungi.StatsQuery) (lindungi.TaskStats, error) {
	f.asked = append(f.asked, q)
	return lindungi.TaskStats{Unit: q.Unit}, nil
}

func (f *figures) CaseStats(_ context.Context, q lindungi.StatsQuery) (lindungi.CaseStats, error) {
	return lindungi.CaseStats{Unit: q.Unit}, nil
}

func (f *figures) ResolutionStats(_ context.Context, q lindungi.StatsQuery) (lindungi.ResolutionStats, error) {
	return lindungi.ResolutionStats{Unit: q.Unit}, nil
}

func (f *figures) RecoveryStats(_ context.Context, q lindungi.StatsQuery) (lindungi.RecoveryStats, error) {
	return lindungi.RecoveryStats{Unit: q.Unit}, nil
}

func (f *figures) JourneyStats(_ context.Context, q lindungi.StatsQuery) (lindungi.JourneyStats, error) {
	return lindungi.JourneyStats{Unit: q.Unit}, nil
}

func (f *figures) WorkloadStats(_ context.Context, q lindungi.StatsQuery) (lindungi.WorkloadStats, error) {
	return lindungi.WorkloadStats{Unit: q.Unit}, nil
}

// TestStatsQuery: the figures of the caller's unit by default and of any
// unit below it; a unit out of reach is refused before the period is
// read; an unknown unit and a bad period are named; the period defaults
// to this year up to today, in WIB.
func TestStatsQuery(t *testing.T) {
	units, err := postgres.ReferenceUnits()
	if err != nil {
		t.Fatal(err)
	}
	ps, err := policies.NewSet(units, policies.DefaultRules(), "1")
	if err != nil {
		t.Fatal(err)
	}
	// 31 December 2026, 20.00 UTC: 1 January 2027 in WIB.
	now := time.Date(2026, 12, 31, 20, 0, 0, 0, time.UTC)
	f := &figures{}
	st := &app.Stats{Store: f, Units: units, Now: func() time.Time { return now },
		Access: &app.Access{Authorizer: ps.Authorizer, Delegations: &store{}, Now: func() time.Time { return now }}}
	actor := func(unit, role string) app.Actor {
		return app.Actor{Principal: lindungi.Principal{Subject: role + "-" + unit, Unit: unit, Roles: []string{role}},
			Obj: "/v1/stats/tasks", Act: "GET"}
	}
	province := actor("33", lindungi.RoleProvinceSupervisor)
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, lindungi.WIB) }

	tests := []struct {
		name   string
		a      app.Actor
		r      app.StatsRequest
		want   lindungi.StatsQuery
		code   string
		fields []string
	}{
		{"own unit, this year in WIB", province, app.StatsRequest{},
			lindungi.StatsQuery{Unit: "33", From: day(2027, 1, 1), To: day(2027, 1, 1), Now: now}, "", nil},
		{"a district below", province, app.StatsRequest{Unit: "3329", From: "2026-01-01", To: "2026-06-30"},
			lindungi.StatsQuery{Unit: "3329", From: day(2026, 1, 1), To: day(2026, 6, 30), Now: now}, "", nil},
		{"an auditor", actor("33", lindungi.RoleAuditor), app.StatsRequest{Unit: "3305"},
			lindungi.StatsQuery{Unit: "3305", From: day(2027, 1, 1), To: day(2027, 1, 1), Now: now}, "", nil},
		{"a sibling district", actor("3305", lindungi.RoleSupervisor), app.StatsRequest{Unit: "3329"},
			lindungi.StatsQuery{}, lindungi.EFORBIDDEN, nil},
		{"above the caller", actor("3305", lindungi.RoleSupervisor), app.StatsRequest{Unit: "33", From: "bad"},
			lindungi.StatsQuery{}, lindungi.EFORBIDDEN, nil},
		{"a case worker's role", actor("3305", lindungi.RoleCaseworker), app.StatsRequest{},
			lindungi.StatsQuery{}, lindungi.EFORBIDDEN, nil},
		{"unknown unit, bad period", province, app.StatsRequest{Unit: "3399", From: "2026-13-01", To: "2026-02-30"},
			lindungi.StatsQuery{}, lindungi.EINVALID, []string{"unit", "from", "to"}},
		{"malformed unit", province, app.StatsRequest{Unit: "Kebumen"},
			lindungi.StatsQuery{}, lindungi.EINVALID, []string{"unit"}},
		{"backwards", province, app.StatsRequest{From: "2026-06-01", To: "2026-05-31"},
			lindungi.StatsQuery{}, lindungi.EINVALID, []string{"to"}},
		{"too long", province, app.StatsRequest{From: "2010-01-01", To: "2026-05-31"},
			lindungi.StatsQuery{}, lindungi.EINVALID, []string{"to"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.asked = nil
			_, err := st.Tasks(t.Context(), tt.a, tt.r)
			if got := lindungi.ErrorCode(err); got != tt.code {
				t.Fatalf("Tasks = %v, want code %q", err, tt.code)
			}
			if tt.code != "" {
				var named []string
				if e, ok := err.(*lindungi.Error); ok {
					for _, fe := range e.Fields {
						named = append(named, fe.Field)
					}
				}
				if !slices.Equal(named, tt.fields) {
					t.Errorf("the error names %v, want %v", named, tt.fields)
				}
				if len(f.asked) != 0 {
					t.Errorf("the store was asked %+v after a refusal", f.asked)
				}
				return
			}
			if len(f.asked) != 1 {
				t.Fatalf("the store was asked %d times", len(f.asked))
			}
			if diff := cmp.Diff(tt.want, f.asked[0]); diff != "" {
				t.Errorf("query (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDashboardReadsEveryFigure: one decision, every figure of the unit.
func TestDashboardReadsEveryFigure(t *testing.T) {
	units, err := postgres.ReferenceUnits()
	if err != nil {
		t.Fatal(err)
	}
	ps, err := policies.NewSet(units, policies.DefaultRules(), "1")
	if err != nil {
		t.Fatal(err)
	}
	st := &app.Stats{Store: &figures{}, Units: units, Access: &app.Access{Authorizer: ps.Authorizer, Delegations: &store{}}}
	a := app.Actor{Principal: lindungi.Principal{Subject: "s", Unit: "33", Roles: []string{lindungi.RoleProvinceSupervisor}},
		Obj: "/dasbor", Act: "GET"}
	d, err := st.Dashboard(t.Context(), a, app.StatsRequest{Unit: "3305"})
	if err != nil {
		t.Fatal(err)
	}
	for name, unit := range map[string]string{"tasks": d.Tasks.Unit, "cases": d.Cases.Unit, "resolution": d.Resolution.Unit,
		"recovery": d.Recovery.Unit, "journeys": d.Journeys.Unit, "workload": d.Workload.Unit, "query": d.Query.Unit} {
		if unit != "3305" {
			t.Errorf("the dashboard's %s are of %q, want 3305", name, unit)
		}
	}
	a.Principal = lindungi.Principal{Subject: "c", Unit: "3305", Roles: []string{lindungi.RoleCaseworker}}
	if _, err := st.Dashboard(t.Context(), a, app.StatsRequest{}); lindungi.ErrorCode(err) != lindungi.EFORBIDDEN {
		t.Errorf("a case worker's dashboard: %v, want EFORBIDDEN", err)
	}
}
