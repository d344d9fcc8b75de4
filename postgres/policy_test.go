package postgres_test

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	"github.com/google/go-cmp/cmp"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/devenv/devtest"
	"github.com/lindungi/lindungi/policies"
	"github.com/lindungi/lindungi/postgres"
)

// openDBPair returns two stores on one fresh database, as two processes
// hold them, both set up as openDB sets up one.
func openDBPair(t *testing.T) (*postgres.DB, *postgres.DB) {
	t.Helper()
	ctx := t.Context()
	dsn := devtest.Database(t)
	open := func() *postgres.DB {
		db, err := postgres.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		db.Now = func() time.Time { return t0 }
		return db
	}
	a, b := open(), open()
	if err := a.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := a.LoadReference(ctx); err != nil {
		t.Fatal(err)
	}
	return a, b
}

// admin is the event of a national administrator changing the policies.
func admin(requestID string) lindungi.Event {
	return lindungi.Event{Actor: "user:ani", ActorUnit: "ID", ActorRole: "admin", Policy: "test-policy", RequestID: requestID}
}

func accessLine(values ...string) lindungi.PolicyRule {
	return lindungi.PolicyRule{Model: lindungi.ModelAccess, PType: "p", Values: values}
}

// acceptAll is a validator that accepts any policy.
func acceptAll(map[string][]lindungi.PolicyRule) error { return nil }

// seedShipped loads the shipped policy lines into db as version 1.
func seedShipped(t *testing.T, db *postgres.DB) []lindungi.PolicyRule {
	t.Helper()
	shipped := policies.DefaultRules()
	if _, err := db.SeedPolicies(t.Context(), shipped); err != nil {
		t.Fatalf("SeedPolicies: %v", err)
	}
	return shipped
}

// storedRules returns the stored lines of both models, by model.
func storedRules(t *testing.T, db *postgres.DB) map[string][]lindungi.PolicyRule {
	t.Helper()
	out := map[string][]lindungi.PolicyRule{}
	for _, m := range []string{lindungi.ModelAccess, lindungi.ModelRouting} {
		rules, err := db.PolicyRules(t.Context(), m)
		if err != nil {
			t.Fatalf("PolicyRules(%s): %v", m, err)
		}
		out[m] = rules
	}
	return out
}

// byModel splits rules by model, keeping their order.
func byModel(rules []lindungi.PolicyRule) map[string][]lindungi.PolicyRule {
	return map[string][]lindungi.PolicyRule{
		lindungi.ModelAccess:  policies.Rules(rules, lindungi.ModelAccess),
		lindungi.ModelRouting: policies.Rules(rules, lindungi.ModelRouting),
	}
}

// without returns rules less those equal to any of drop.
func without(rules []lindungi.PolicyRule, drop ...lindungi.PolicyRule) []lindungi.PolicyRule {
	return slices.DeleteFunc(slices.Clone(rules), func(r lindungi.PolicyRule) bool {
		return slices.ContainsFunc(drop, func(d lindungi.PolicyRule) bool { return cmp.Equal(r, d) })
	})
}

// asJSONObject is v as a reader of the audit trail's JSON sees it.
func asJSONObject(t *testing.T, v any) map[string]any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return jsonObject(t, b)
}

func policyVersions(t *testing.T, db *postgres.DB) []lindungi.PolicyVersion {
	t.Helper()
	vs, err := db.PolicyVersions(t.Context(), 1000)
	if err != nil {
		t.Fatalf("PolicyVersions: %v", err)
	}
	return vs
}

func TestSeedPolicies(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := t.Context()
	shipped := policies.DefaultRules()
	removed := accessLine("auditor", "/v1/policies", "GET")
	if !slices.ContainsFunc(shipped, func(r lindungi.PolicyRule) bool { return cmp.Equal(r, removed) }) {
		t.Fatalf("the shipped lines lack %s, which this test removes", removed)
	}
	newLine := accessLine("auditor", "/v1/escalations", "GET")

	firstVersion := lindungi.PolicyVersion{Version: 1, Actor: "system:seed", ActorUnit: "ID",
		Reason: "policy lines shipped in policies/*.csv", Added: shipped, Removed: []lindungi.PolicyRule{}, CreatedAt: t0}
	tests := []struct {
		name string
		// change, if set, is made through ChangePolicy before seeding.
		change    *lindungi.PolicyChange
		shipped   []lindungi.PolicyRule
		wantAdded int
		wantRules []lindungi.PolicyRule
		// wantVersions is the whole history, newest first.
		wantVersions []lindungi.PolicyVersion
	}{
		{
			name:         "fresh database gets every shipped line as version 1",
			shipped:      shipped,
			wantAdded:    len(shipped),
			wantRules:    shipped,
			wantVersions: []lindungi.PolicyVersion{firstVersion},
		},
		{
			name:         "seeding again adds nothing",
			shipped:      shipped,
			wantAdded:    0,
			wantRules:    shipped,
			wantVersions: []lindungi.PolicyVersion{firstVersion},
		},
		{
			name:      "a shipped line an administrator removed stays removed",
			change:    &lindungi.PolicyChange{Remove: []lindungi.PolicyRule{removed}, Reason: "auditors read policies elsewhere"},
			shipped:   shipped,
			wantAdded: 0,
			wantRules: without(shipped, removed),
			wantVersions: []lindungi.PolicyVersion{
				{Version: 2, Actor: "user:ani", ActorUnit: "ID", Reason: "auditors read policies elsewhere",
					Added: []lindungi.PolicyRule{}, Removed: []lindungi.PolicyRule{removed}, CreatedAt: t0},
				firstVersion,
			},
		},
		{
			name:      "a line new in a release is added as a new version",
			shipped:   append(slices.Clone(shipped), newLine),
			wantAdded: 1,
			wantRules: append(without(shipped, removed), newLine),
			wantVersions: []lindungi.PolicyVersion{
				{Version: 3, Actor: "system:seed", ActorUnit: "ID", Reason: "policy lines shipped in policies/*.csv",
					Added: []lindungi.PolicyRule{newLine}, Removed: []lindungi.PolicyRule{}, CreatedAt: t0},
				{Version: 2, Actor: "user:ani", ActorUnit: "ID", Reason: "auditors read policies elsewhere",
					Added: []lindungi.PolicyRule{}, Removed: []lindungi.PolicyRule{removed}, CreatedAt: t0},
				firstVersion,
			},
		},
	}
	for _, tt := range tests {
		if tt.change != nil {
			if _, err := db.ChangePolicy(ctx, *tt.change, admin("req-change"), acceptAll); err != nil {
				t.Fatalf("%s: ChangePolicy: %v", tt.name, err)
			}
		}
		added, err := db.SeedPolicies(ctx, tt.shipped)
		if err != nil {
			t.Fatalf("%s: SeedPolicies: %v", tt.name, err)
		}
		if added != tt.wantAdded {
			t.Errorf("%s: SeedPolicies added %d lines, want %d", tt.name, added, tt.wantAdded)
		}
		if diff := cmp.Diff(byModel(tt.wantRules), storedRules(t, db)); diff != "" {
			t.Errorf("%s: stored lines (-want +got):\n%s", tt.name, diff)
		}
		if diff := cmp.Diff(tt.wantVersions, policyVersions(t, db)); diff != "" {
			t.Errorf("%s: policy versions (-want +got):\n%s", tt.name, diff)
		}
		// Every version has exactly one audit event, naming it.
		var gotEvents []string
		for _, ev := range auditEvents(t, db, "policy.change") {
			gotEvents = append(gotEvents, ev.Actor+" "+ev.SubjectID+" "+ev.PolicyVersion)
		}
		var wantEvents []string
		for _, v := range slices.Backward(tt.wantVersions) {
			n := strconv.FormatInt(v.Version, 10)
			wantEvents = append(wantEvents, v.Actor+" "+n+" "+n)
		}
		if diff := cmp.Diff(wantEvents, gotEvents); diff != "" {
			t.Errorf("%s: policy.change events as actor, subject, policy version (-want +got):\n%s", tt.name, diff)
		}
	}

	// The seed's event tells what was added, so the trail alone explains
	// where the first policy came from.
	evs := auditEvents(t, db, "policy.change")
	want := auditEvent{Actor: "system:seed", ActorUnit: "ID", ActorRole: "system", Action: "policy.change",
		SubjectType: "policy", SubjectID: "1", PolicyVersion: "1", OccurredAt: t0,
		After: asJSONObject(t, map[string]any{"version": 1, "reason": firstVersion.Reason, "added": shipped, "removed": []any{}})}
	if diff := cmp.Diff(want, evs[0]); diff != "" {
		t.Errorf("seed event (-want +got):\n%s", diff)
	}
}

func TestChangePolicy(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := t.Context()
	before := byModel(seedShipped(t, db))
	db.Now = func() time.Time { return t0.Add(time.Hour) }

	remove := accessLine("auditor", "/v1/policies", "GET")
	add := []lindungi.PolicyRule{
		accessLine("supervisor", "/v1/policies", "GET"),
		{Model: lindungi.ModelRouting, PType: "p", Values: []string{"10", "kebumen-to-cilacap", "VERIFY_REGISTRATION", "3305", "*", "*", "3301"}},
	}
	change := lindungi.PolicyChange{Add: add, Remove: []lindungi.PolicyRule{remove}, Reason: "supervisors review the policy"}
	var seen map[string][]lindungi.PolicyRule
	validate := func(next map[string][]lindungi.PolicyRule) error {
		seen = next
		return nil
	}
	got, err := db.ChangePolicy(ctx, change, admin("req-change"), validate)
	if err != nil {
		t.Fatalf("ChangePolicy: %v", err)
	}

	want := lindungi.PolicyVersion{Version: 2, Actor: "user:ani", ActorUnit: "ID", Reason: change.Reason,
		Added: add, Removed: []lindungi.PolicyRule{remove}, CreatedAt: t0.Add(time.Hour)}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ChangePolicy returned (-want +got):\n%s", diff)
	}
	wantRules := map[string][]lindungi.PolicyRule{
		lindungi.ModelAccess:  append(without(before[lindungi.ModelAccess], remove), add[0]),
		lindungi.ModelRouting: append(slices.Clone(before[lindungi.ModelRouting]), add[1]),
	}
	if diff := cmp.Diff(wantRules, seen); diff != "" {
		t.Errorf("the validator saw (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantRules, storedRules(t, db)); diff != "" {
		t.Errorf("stored lines (-want +got):\n%s", diff)
	}
	versions := policyVersions(t, db)
	if len(versions) != 2 {
		t.Fatalf("%d policy versions, want the seed's and the change's", len(versions))
	}
	if diff := cmp.Diff(want, versions[0]); diff != "" {
		t.Errorf("stored policy version (-want +got):\n%s", diff)
	}
	if v, err := db.PolicyVersion(ctx); err != nil || v != 2 {
		t.Errorf("PolicyVersion() = %d, %v; want 2", v, err)
	}

	evs := auditEvents(t, db, "policy.change")
	if len(evs) != 2 {
		t.Fatalf("%d policy.change events, want 2 (seed and change)", len(evs))
	}
	wantEvent := auditEvent{Actor: "user:ani", ActorUnit: "ID", ActorRole: "admin", Action: "policy.change",
		SubjectType: "policy", SubjectID: "2", PolicyVersion: "2", RequestID: "req-change", OccurredAt: t0.Add(time.Hour),
		After: asJSONObject(t, map[string]any{"version": 2, "reason": change.Reason, "added": add, "removed": []lindungi.PolicyRule{remove}})}
	if diff := cmp.Diff(wantEvent, evs[1]); diff != "" {
		t.Errorf("policy.change event (-want +got):\n%s", diff)
	}
}

func TestChangePolicyRefused(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := t.Context()
	seedShipped(t, db)
	before := storedRules(t, db)
	existing := accessLine("auditor", "/v1/policies", "GET")
	fresh := accessLine("supervisor", "/v1/policies", "GET")
	refuse := func(map[string][]lindungi.PolicyRule) error {
		return lindungi.Errorf(lindungi.EINVALID, "No admin could sign in any more.")
	}

	tests := []struct {
		name     string
		change   lindungi.PolicyChange
		validate lindungi.PolicyValidator
		wantCode string
	}{
		{"validator refuses", lindungi.PolicyChange{Add: []lindungi.PolicyRule{fresh}, Remove: []lindungi.PolicyRule{existing}}, refuse, lindungi.EINVALID},
		{"remove a line that does not exist", lindungi.PolicyChange{Remove: []lindungi.PolicyRule{fresh}}, acceptAll, lindungi.ENOTFOUND},
		{"remove a missing line along with a good addition", lindungi.PolicyChange{Add: []lindungi.PolicyRule{fresh},
			Remove: []lindungi.PolicyRule{accessLine("auditor", "/v1/nowhere", "GET")}}, acceptAll, lindungi.ENOTFOUND},
		{"remove a line of the other model", lindungi.PolicyChange{Remove: []lindungi.PolicyRule{{Model: lindungi.ModelRouting,
			PType: existing.PType, Values: existing.Values}}}, acceptAll, lindungi.ENOTFOUND},
		{"add a line that exists", lindungi.PolicyChange{Add: []lindungi.PolicyRule{existing}}, acceptAll, lindungi.ECONFLICT},
		{"add a good line and one that exists", lindungi.PolicyChange{Add: []lindungi.PolicyRule{fresh, existing}}, acceptAll, lindungi.ECONFLICT},
		{"add one line twice", lindungi.PolicyChange{Add: []lindungi.PolicyRule{fresh, fresh}}, acceptAll, lindungi.ECONFLICT},
		{"too many values", lindungi.PolicyChange{Add: []lindungi.PolicyRule{accessLine("1", "2", "3", "4", "5", "6", "7", "8", "9")}}, acceptAll, lindungi.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.change.Reason = tt.name
			_, err := db.ChangePolicy(ctx, tt.change, admin("req-refused"), tt.validate)
			if code := lindungi.ErrorCode(err); code != tt.wantCode {
				t.Errorf("ChangePolicy: %v; want code %s", err, tt.wantCode)
			}
			if diff := cmp.Diff(before, storedRules(t, db)); diff != "" {
				t.Errorf("stored lines changed (-before +after):\n%s", diff)
			}
			if n := count(t, db, `SELECT count(*) FROM policy_versions`); n != 1 {
				t.Errorf("%d policy versions, want only the seed's", n)
			}
			if n := count(t, db, `SELECT count(*) FROM audit_events`); n != 1 {
				t.Errorf("%d audit events, want only the seed's", n)
			}
		})
	}

	// The validator is asked about the policy the change would leave.
	var seen map[string][]lindungi.PolicyRule
	_, err := db.ChangePolicy(ctx, lindungi.PolicyChange{Add: []lindungi.PolicyRule{fresh}, Remove: []lindungi.PolicyRule{existing}},
		admin("req-refused"), func(next map[string][]lindungi.PolicyRule) error { seen = next; return refuse(next) })
	if lindungi.ErrorCode(err) != lindungi.EINVALID {
		t.Fatalf("ChangePolicy: %v; want the validator's refusal", err)
	}
	has := func(r lindungi.PolicyRule) bool {
		return slices.ContainsFunc(seen[r.Model], func(x lindungi.PolicyRule) bool { return cmp.Equal(r, x) })
	}
	if !has(fresh) || has(existing) {
		t.Errorf("the validator saw the added line: %v, the removed line: %v; want true, false", has(fresh), has(existing))
	}

	// Refused changes used no version number: the history has no gaps.
	got, err := db.ChangePolicy(ctx, lindungi.PolicyChange{Add: []lindungi.PolicyRule{fresh}, Reason: "after the refusals"}, admin("req-ok"), acceptAll)
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != 2 {
		t.Errorf("the first accepted change after refusals is version %d, want 2", got.Version)
	}
}

func TestChangePolicyConcurrent(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := t.Context()
	seeded := policies.Rules(seedShipped(t, db), lindungi.ModelAccess)
	const n = 8
	var (
		wg       sync.WaitGroup
		start    = make(chan struct{})
		lines    = make([]lindungi.PolicyRule, n)
		versions = make([]int64, n)
		seenLen  = make([]int, n) // how many access lines each validator saw
		errs     = make([]error, n)
	)
	for i := range n {
		lines[i] = accessLine(fmt.Sprintf("role-%d", i), "/v1/tasks", "GET")
		wg.Go(func() {
			<-start
			v, err := db.ChangePolicy(ctx, lindungi.PolicyChange{Add: []lindungi.PolicyRule{lines[i]}, Reason: fmt.Sprintf("change %d", i)},
				admin(fmt.Sprintf("req-%d", i)), func(next map[string][]lindungi.PolicyRule) error {
					seenLen[i] = len(next[lindungi.ModelAccess])
					return nil
				})
			versions[i], errs[i] = v.Version, err
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("ChangePolicy %d: %v", i, err)
		}
	}

	var want []int64
	for v := range int64(n) {
		want = append(want, v+2)
	}
	if diff := cmp.Diff(want, slices.Sorted(slices.Values(versions))); diff != "" {
		t.Errorf("versions given to concurrent changes (-want +got):\n%s", diff)
	}
	for i, v := range versions {
		// Version v was preceded by v-2 concurrent changes: its validator
		// saw their lines, and its own, and no later one's.
		if want := len(seeded) + int(v) - 1; seenLen[i] != want {
			t.Errorf("change %d (version %d): the validator saw %d access lines, want %d", i, v, seenLen[i], want)
		}
	}
	stored := storedRules(t, db)[lindungi.ModelAccess]
	for _, l := range lines {
		if !slices.ContainsFunc(stored, func(r lindungi.PolicyRule) bool { return cmp.Equal(l, r) }) {
			t.Errorf("line %s is not stored", l)
		}
	}
	if got, want := len(stored), len(seeded)+n; got != want {
		t.Errorf("%d access lines stored, want %d", got, want)
	}
	// Each version records its own change.
	byVersion := map[int64]lindungi.PolicyVersion{}
	for _, v := range policyVersions(t, db) {
		byVersion[v.Version] = v
	}
	for i, v := range versions {
		if diff := cmp.Diff([]lindungi.PolicyRule{lines[i]}, byVersion[v].Added); diff != "" {
			t.Errorf("version %d records as added (-want +got):\n%s", v, diff)
		}
	}
	if got := count(t, db, `SELECT count(DISTINCT subject_id) FROM audit_events WHERE action = 'policy.change'`); got != n+1 {
		t.Errorf("policy.change events for %d versions, want %d", got, n+1)
	}
	if got := count(t, db, `SELECT count(*) FROM audit_events WHERE action = 'policy.change'`); got != n+1 {
		t.Errorf("%d policy.change events, want %d", got, n+1)
	}
}

func TestPolicyVersions(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := t.Context()
	if v, err := db.PolicyVersion(ctx); err != nil || v != 0 {
		t.Errorf("PolicyVersion() on a fresh database = %d, %v; want 0", v, err)
	}
	if got := policyVersions(t, db); len(got) != 0 {
		t.Errorf("PolicyVersions on a fresh database: %v; want none", got)
	}

	seedShipped(t, db)
	made := policyVersions(t, db) // the seed's
	for i, line := range []lindungi.PolicyRule{accessLine("auditor", "/v1/workers", "POST"), accessLine("auditor", "/v1/tasks/:id/complete", "POST")} {
		at := t0.Add(time.Duration(i+1) * time.Hour)
		db.Now = func() time.Time { return at }
		v, err := db.ChangePolicy(ctx, lindungi.PolicyChange{Add: []lindungi.PolicyRule{line}, Reason: fmt.Sprintf("change %d", i)}, admin("req"), acceptAll)
		if err != nil {
			t.Fatal(err)
		}
		made = append([]lindungi.PolicyVersion{v}, made...)
	}

	tests := []struct {
		limit int
		want  []lindungi.PolicyVersion
	}{
		{10, made},
		{3, made},
		{2, made[:2]},
		{1, made[:1]},
	}
	for _, tt := range tests {
		got, err := db.PolicyVersions(ctx, tt.limit)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("PolicyVersions(%d) (-want +got):\n%s", tt.limit, diff)
		}
	}
	if v, err := db.PolicyVersion(ctx); err != nil || v != 3 {
		t.Errorf("PolicyVersion() = %d, %v; want 3", v, err)
	}
}

// accessEnforcer returns a casbin enforcer of the shipped access model over
// db's access lines.
func accessEnforcer(t *testing.T, db *postgres.DB) *casbin.Enforcer {
	t.Helper()
	conf, err := os.ReadFile(filepath.Join("..", "policies", "access.conf"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := model.NewModelFromString(string(conf))
	if err != nil {
		t.Fatal(err)
	}
	e, err := casbin.NewEnforcer(m, db.NewAdapter(lindungi.ModelAccess))
	if err != nil {
		t.Fatalf("NewEnforcer: %v", err)
	}
	return e
}

// enforcerLines returns the lines an enforcer holds, as stored lines read.
func enforcerLines(t *testing.T, e *casbin.Enforcer) []string {
	t.Helper()
	var out []string
	for ptype, get := range map[string]func() ([][]string, error){"p": e.GetPolicy, "g": e.GetGroupingPolicy} {
		rules, err := get()
		if err != nil {
			t.Fatal(err)
		}
		for _, vs := range rules {
			out = append(out, lindungi.PolicyRule{PType: ptype, Values: vs}.String())
		}
	}
	slices.Sort(out)
	return out
}

func ruleStrings(rules []lindungi.PolicyRule) []string {
	var out []string
	for _, r := range rules {
		out = append(out, r.String())
	}
	slices.Sort(out)
	return out
}

func TestAdapter(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	seedShipped(t, db)
	routing := storedRules(t, db)[lindungi.ModelRouting]
	e := accessEnforcer(t, db)

	type request struct {
		role, obj, act string
		want           bool
	}
	tests := []struct {
		name string
		do   func() error
		// Decisions of a fresh enforcer over the stored lines afterwards,
		// made for a role held at Kebumen on Kebumen's records.
		want []request
	}{
		{
			name: "load the stored lines",
			do:   func() error { return nil },
			want: []request{
				{"caseworker", "/v1/workers", "POST", true},
				{"supervisor", "/v1/workers", "POST", true}, // by inheritance, a g line
				{"auditor", "/v1/workers", "POST", false},
			},
		},
		{
			name: "AddPolicy",
			do:   func() error { _, err := e.AddPolicy("auditor", "/v1/workers", "POST"); return err },
			want: []request{{"auditor", "/v1/workers", "POST", true}},
		},
		{
			name: "RemovePolicy",
			do:   func() error { _, err := e.RemovePolicy("caseworker", "/v1/workers", "POST"); return err },
			want: []request{
				{"caseworker", "/v1/workers", "POST", false},
				{"caseworker", "/v1/workers/:id", "GET", true},
			},
		},
		{
			name: "RemoveFilteredPolicy by role",
			do:   func() error { _, err := e.RemoveFilteredPolicy(0, "supervisor"); return err },
			want: []request{
				{"supervisor", "/v1/delegations", "POST", false},
				{"supervisor", "/v1/tasks", "GET", true}, // inherited from caseworker
			},
		},
		{
			name: "RemoveFilteredPolicy with an empty value matching any",
			do:   func() error { _, err := e.RemoveFilteredPolicy(0, "auditor", "", "GET"); return err },
			want: []request{
				{"auditor", "/v1/tasks", "GET", false},
				{"auditor", "/v1/workers", "POST", true},
				{"admin", "/v1/policies", "GET", true},
			},
		},
		{
			name: "AddGroupingPolicy",
			do:   func() error { _, err := e.AddGroupingPolicy("kc-petugas-disnaker", "caseworker"); return err },
			want: []request{{"kc-petugas-disnaker", "/v1/tasks", "GET", true}},
		},
		{
			name: "SavePolicy",
			do: func() error {
				e.EnableAutoSave(false)
				defer e.EnableAutoSave(true)
				if _, err := e.AddPolicy("admin", "/v1/units", "GET"); err != nil {
					return err
				}
				if _, err := e.RemovePolicy("admin", "/v1/policies", "POST"); err != nil {
					return err
				}
				return e.SavePolicy()
			},
			want: []request{
				{"admin", "/v1/units", "GET", true},
				{"admin", "/v1/policies", "POST", false},
			},
		},
	}
	for _, tt := range tests {
		if err := tt.do(); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		stored := storedRules(t, db)
		if diff := cmp.Diff(enforcerLines(t, e), ruleStrings(stored[lindungi.ModelAccess])); diff != "" {
			t.Errorf("%s: stored access lines differ from the enforcer's (-enforcer +stored):\n%s", tt.name, diff)
		}
		if diff := cmp.Diff(routing, stored[lindungi.ModelRouting]); diff != "" {
			t.Errorf("%s: the access adapter changed the routing lines (-before +after):\n%s", tt.name, diff)
		}
		fresh := accessEnforcer(t, db)
		for _, r := range tt.want {
			got, err := fresh.Enforce(r.role, "3305", "3305", r.obj, r.act)
			if err != nil || got != r.want {
				t.Errorf("%s: a fresh enforcer decides %s %s %s: %v, %v; want %v", tt.name, r.role, r.act, r.obj, got, err, r.want)
			}
		}
	}
	// The adapter reports lines it cannot add or remove.
	if err := db.NewAdapter(lindungi.ModelAccess).AddPolicy("p", "p", []string{"auditor", "/v1/workers", "POST"}); lindungi.ErrorCode(err) != lindungi.ECONFLICT {
		t.Errorf("adding a stored line again: %v; want code %s", err, lindungi.ECONFLICT)
	}
	if err := db.NewAdapter(lindungi.ModelAccess).RemovePolicy("p", "p", []string{"nobody", "/v1/workers", "POST"}); lindungi.ErrorCode(err) != lindungi.ENOTFOUND {
		t.Errorf("removing a line that is not stored: %v; want code %s", err, lindungi.ENOTFOUND)
	}
}

// waitPayload waits for the next payload on got. The timeout bounds a
// notification that never comes; it does not measure speed.
func waitPayload(t *testing.T, got <-chan string, want string) {
	t.Helper()
	select {
	case p := <-got:
		if p != want {
			t.Errorf("callback payload %q, want %q", p, want)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("no callback within 10 s; want payload %q", want)
	}
}

// watch returns a watcher on db whose callback sends its payloads on the
// returned channel.
func watch(t *testing.T, db *postgres.DB) (*postgres.Watcher, <-chan string) {
	t.Helper()
	w, err := db.NewWatcher(slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("NewWatcher: %v", err)
	}
	t.Cleanup(w.Close)
	got := make(chan string, 16)
	if err := w.SetUpdateCallback(func(payload string) { got <- payload }); err != nil {
		t.Fatal(err)
	}
	return w, got
}

func TestWatcher(t *testing.T) {
	t.Parallel()
	here, other := openDBPair(t)
	ctx := t.Context()
	w, got := watch(t, here)
	line := accessLine("auditor", "/v1/workers", "POST")

	tests := []struct {
		name string
		do   func() error
		want string
	}{
		{"seed in another process", func() error { _, err := other.SeedPolicies(ctx, policies.DefaultRules()); return err }, "1"},
		{"change in another process", func() error {
			_, err := other.ChangePolicy(ctx, lindungi.PolicyChange{Add: []lindungi.PolicyRule{line}, Reason: "r"}, admin("req"), acceptAll)
			return err
		}, "2"},
		{"change in this process", func() error {
			_, err := here.ChangePolicy(ctx, lindungi.PolicyChange{Remove: []lindungi.PolicyRule{line}, Reason: "r"}, admin("req"), acceptAll)
			return err
		}, "3"},
		{"Update", w.Update, "update"},
		{
			// Notifications arrive in commit order: had the refused
			// change notified, its payload would come before Update's.
			"a refused change notifies nobody",
			func() error {
				_, err := other.ChangePolicy(ctx, lindungi.PolicyChange{Add: []lindungi.PolicyRule{line}, Reason: "r"}, admin("req"),
					func(map[string][]lindungi.PolicyRule) error { return lindungi.Errorf(lindungi.EINVALID, "No.") })
				if lindungi.ErrorCode(err) != lindungi.EINVALID {
					return fmt.Errorf("refused change: %v", err)
				}
				return w.Update()
			},
			"update",
		},
	}
	for _, tt := range tests {
		if err := tt.do(); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		waitPayload(t, got, tt.want)
	}
}

func TestWatcherClose(t *testing.T) {
	t.Parallel()
	here, other := openDBPair(t)
	ctx := t.Context()
	closed, gotClosed := watch(t, here)
	_, gotOpen := watch(t, here) // still listening, to know when the notification was sent
	closed.Close()
	closed.Close() // a second Close is harmless

	if _, err := other.SeedPolicies(ctx, policies.DefaultRules()); err != nil {
		t.Fatal(err)
	}
	waitPayload(t, gotOpen, "1")
	// Both watchers would hear the notification at once; give the closed one
	// a moment to prove it does not.
	select {
	case p := <-gotClosed:
		t.Errorf("callback ran with %q after Close", p)
	case <-time.After(500 * time.Millisecond):
	}
}

// Close waits for a running callback, and notifications that queued behind
// it are dropped: once Close has returned, no callback runs.
func TestWatcherCloseDuringCallback(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	_, sentinel := watch(t, db)
	// A late callback has even odds in a round, when the watcher picks
	// between its closing and a queued notification; rounds make missing
	// one unlikely.
	for round := range 8 {
		w, err := db.NewWatcher(slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		var closed atomic.Bool
		late := make(chan string, 16)
		running := make(chan struct{}, 16)
		release := make(chan struct{})
		w.SetUpdateCallback(func(payload string) {
			if closed.Load() {
				late <- payload
			}
			running <- struct{}{}
			<-release
		})
		// The first notification holds the callback; the others queue.
		for range 4 {
			if err := w.Update(); err != nil {
				t.Fatal(err)
			}
		}
		for range 4 {
			waitPayload(t, sentinel, "update")
		}
		select {
		case <-running:
		case <-time.After(10 * time.Second):
			t.Fatal("no callback within 10 s")
		}
		time.AfterFunc(100*time.Millisecond, func() { close(release) })
		w.Close()
		closed.Store(true)
		select {
		case p := <-late:
			t.Fatalf("round %d: callback ran with %q after Close returned", round, p)
		case <-time.After(200 * time.Millisecond):
		}
	}
}
