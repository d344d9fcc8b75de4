package postgres_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/postgres"
)

// supervisor is the event of Kebumen's head of section acting through the API.
func supervisor(requestID string) lindungi.Event {
	return lindungi.Event{Actor: "user:rina", ActorUnit: "3305", ActorRole: "supervisor", Policy: "test-policy", RequestID: requestID}
}

// queueDelegation lets grantee work target's queue from from until to.
func queueDelegation(grantee, target string, from, to time.Time) lindungi.Delegation {
	return lindungi.Delegation{Kind: lindungi.DelegateQueue, GranteeUnit: grantee, TargetUnit: target,
		Reason: "Kebumen is short of staff until January", StartsAt: from, ExpiresAt: to}
}

// recordDelegation lets user of grantee work w's file from from until to.
func recordDelegation(user, grantee string, w lindungi.Worker, from, to time.Time) lindungi.Delegation {
	id := w.ID
	return lindungi.Delegation{Kind: lindungi.DelegateRecord, GranteeUser: user, GranteeUnit: grantee, TargetUnit: w.DomicileUnit,
		WorkerID: &id, Reason: "The worker moved to Cilacap before departure", StartsAt: from, ExpiresAt: to}
}

func grant(t *testing.T, db *postgres.DB, d lindungi.Delegation) lindungi.Delegation {
	t.Helper()
	out, err := db.CreateDelegation(t.Context(), d, supervisor("req-grant"))
	if err != nil {
		t.Fatalf("CreateDelegation(%+v): %v", d, err)
	}
	return out
}

func revoke(t *testing.T, db *postgres.DB, d lindungi.Delegation) {
	t.Helper()
	if _, err := db.RevokeDelegation(t.Context(), d.ID, supervisor("req-revoke")); err != nil {
		t.Fatalf("RevokeDelegation(%s): %v", d.ID, err)
	}
}

// delegationNames returns the names of ds, given names by ID, sorted unless
// keepOrder.
func delegationNames(ds []lindungi.Delegation, names map[uuid.UUID]string, keepOrder bool) []string {
	var out []string
	for _, d := range ds {
		name, ok := names[d.ID]
		if !ok {
			name = "unknown " + d.ID.String()
		}
		out = append(out, name)
	}
	if !keepOrder {
		slices.Sort(out)
	}
	return out
}

func TestCreateDelegation(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := t.Context()
	w := register(t, db, "3305011508950001", "3305")
	hour := time.Hour

	tests := []struct {
		name       string
		d          lindungi.Delegation
		wantWorker string // worker_id of the audit event
	}{
		{"record", recordDelegation("budi", "3301", w, t0, t0.Add(72*hour)), w.ID.String()},
		{"queue", queueDelegation("3301", "3305", t0, t0.Add(72*hour)), ""},
		{"queue starting later", queueDelegation("3302", "3305", t0.Add(24*hour), t0.Add(48*hour)), ""},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := db.CreateDelegation(ctx, tt.d, supervisor("req-"+tt.name))
			if err != nil {
				t.Fatalf("CreateDelegation: %v", err)
			}
			if got.ID == uuid.Nil {
				t.Fatal("CreateDelegation returned no ID")
			}
			want := tt.d
			want.ID, want.GrantedBy = got.ID, "user:rina"
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("CreateDelegation returned (-want +got):\n%s", diff)
			}
			found, err := db.FindDelegation(ctx, got.ID)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, found); diff != "" {
				t.Errorf("FindDelegation (-want +got):\n%s", diff)
			}

			evs := auditEvents(t, db, "delegation.grant")
			if len(evs) != i+1 {
				t.Fatalf("%d delegation.grant events after %d grants", len(evs), i+1)
			}
			wantEvent := auditEvent{Actor: "user:rina", ActorUnit: "3305", ActorRole: "supervisor", Action: "delegation.grant",
				SubjectType: "delegation", SubjectID: got.ID.String(), WorkerID: tt.wantWorker, After: asJSONObject(t, want),
				PolicyVersion: "test-policy", RequestID: "req-" + tt.name, OccurredAt: t0}
			if diff := cmp.Diff(wantEvent, evs[i]); diff != "" {
				t.Errorf("delegation.grant event (-want +got):\n%s", diff)
			}
		})
	}
	if _, err := db.FindDelegation(ctx, uuid.New()); lindungi.ErrorCode(err) != lindungi.ENOTFOUND {
		t.Errorf("FindDelegation(unknown): %v; want code %s", err, lindungi.ENOTFOUND)
	}
}

func TestCreateDelegationRefused(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	w := register(t, db, "3305011508950001", "3305")
	ghost := lindungi.Worker{ID: uuid.New(), DomicileUnit: "3305"}
	start, end := t0, t0.Add(72*time.Hour)
	with := func(d lindungi.Delegation, change func(*lindungi.Delegation)) lindungi.Delegation {
		change(&d)
		return d
	}
	record := recordDelegation("budi", "3301", w, start, end)
	queue := queueDelegation("3301", "3305", start, end)

	tests := []struct {
		name       string
		d          lindungi.Delegation
		wantFields []string
	}{
		{"record without worker", with(record, func(d *lindungi.Delegation) { d.WorkerID = nil }), []string{"worker_id"}},
		{"record without user", with(record, func(d *lindungi.Delegation) { d.GranteeUser = "" }), []string{"grantee_user"}},
		{"record of a worker that does not exist", recordDelegation("budi", "3301", ghost, start, end), []string{"worker_id"}},
		{"queue naming a worker", with(queue, func(d *lindungi.Delegation) { d.WorkerID = record.WorkerID }), []string{"worker_id"}},
		{"queue naming a user", with(queue, func(d *lindungi.Delegation) { d.GranteeUser = "budi" }), []string{"grantee_user"}},
		{"unknown grantee unit", with(queue, func(d *lindungi.Delegation) { d.GranteeUnit = "3399" }), []string{"grantee_unit"}},
		{"unknown target unit", with(queue, func(d *lindungi.Delegation) { d.TargetUnit = "3399" }), []string{"target_unit"}},
		{"expires before it starts", with(queue, func(d *lindungi.Delegation) { d.ExpiresAt = start.Add(-time.Second) }), []string{"expires_at"}},
		{"expires when it starts", with(queue, func(d *lindungi.Delegation) { d.ExpiresAt = start }), []string{"expires_at"}},
		{"unknown kind", with(queue, func(d *lindungi.Delegation) { d.Kind = "unit" }), []string{"kind"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := db.CreateDelegation(t.Context(), tt.d, supervisor("req-refused"))
			code, fields := errorFields(err)
			if code != lindungi.EINVALID || !cmp.Equal(fields, tt.wantFields) {
				t.Errorf("CreateDelegation: %v; want code %s naming %v", err, lindungi.EINVALID, tt.wantFields)
			}
			if n := count(t, db, `SELECT count(*) FROM delegations`); n != 0 {
				t.Errorf("%d delegations stored, want 0", n)
			}
			if n := count(t, db, `SELECT count(*) FROM audit_events`); n != 1 {
				t.Errorf("%d audit events, want only the registration's", n)
			}
		})
	}
}

func TestActiveDelegations(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := t.Context()
	w := register(t, db, "3305011508950001", "3305")
	h := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Hour) }

	names := map[uuid.UUID]string{}
	for _, g := range []struct {
		name    string
		d       lindungi.Delegation
		revoked bool
	}{
		{"queue to 3301", queueDelegation("3301", "3305", h(-1), h(1)), false},
		{"queue to 3302", queueDelegation("3302", "3305", h(-1), h(2)), false},
		{"record to budi of 3301", recordDelegation("budi", "3301", w, h(-1), h(3)), false},
		{"record to ani of 3301", recordDelegation("ani", "3301", w, h(-1), h(4)), false},
		{"record to budi of 3302", recordDelegation("budi", "3302", w, h(-1), h(5)), false},
		{"queue to 3301 later", queueDelegation("3301", "3305", h(2), h(6)), false},
		{"queue to 3301 expired", queueDelegation("3301", "3305", h(-3), h(-2)), false},
		{"queue to 3301 revoked", queueDelegation("3301", "3305", h(-1), h(7)), true},
	} {
		d := grant(t, db, g.d)
		if g.revoked {
			revoke(t, db, d)
		}
		names[d.ID] = g.name
	}

	tests := []struct {
		name, subject, unit string
		at                  time.Time
		want                []string
	}{
		{"budi in 3301", "budi", "3301", t0, []string{"queue to 3301", "record to budi of 3301"}},
		{"ani in 3301", "ani", "3301", t0, []string{"queue to 3301", "record to ani of 3301"}},
		{"budi in 3302", "budi", "3302", t0, []string{"queue to 3302", "record to budi of 3302"}},
		{"someone else in 3301 gets the unit's queue only", "citra", "3301", t0, []string{"queue to 3301"}},
		{"the target unit is granted nothing", "budi", "3305", t0, nil},
		{"an unrelated unit is granted nothing", "budi", "3303", t0, nil},
		{"from the moment it starts", "budi", "3301", h(2), []string{"queue to 3301 later", "record to budi of 3301"}},
		{"not from the moment it expires", "budi", "3301", h(3), []string{"queue to 3301 later"}},
		{"while the expired one was in force", "citra", "3301", h(-2).Add(-time.Minute), []string{"queue to 3301 expired"}},
		{"after all expired", "budi", "3301", h(8), nil},
	}
	for _, tt := range tests {
		got, err := db.ActiveDelegations(ctx, tt.subject, tt.unit, tt.at)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if diff := cmp.Diff(tt.want, delegationNames(got, names, false)); diff != "" {
			t.Errorf("%s: ActiveDelegations(%s, %s, %v) (-want +got):\n%s", tt.name, tt.subject, tt.unit, tt.at, diff)
		}
		for _, d := range got {
			if !d.Active(tt.at) {
				t.Errorf("%s: ActiveDelegations returned %q, which is not active at %v", tt.name, names[d.ID], tt.at)
			}
		}
	}
}

func TestRevokeDelegation(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := t.Context()
	w := register(t, db, "3305011508950001", "3305")
	h := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Hour) }

	tests := []struct {
		name         string
		d            lindungi.Delegation
		revokedFirst bool
		wantCode     string
		wantWorker   string // worker_id of the revoke event
	}{
		{"in force", queueDelegation("3301", "3305", h(-1), h(1)), false, "", ""},
		{"record in force", recordDelegation("budi", "3301", w, h(-1), h(1)), false, "", w.ID.String()},
		{"not started yet", queueDelegation("3301", "3305", h(1), h(2)), false, "", ""},
		{"revoked already", queueDelegation("3301", "3305", h(-1), h(1)), true, lindungi.ECONFLICT, ""},
		{"expired", queueDelegation("3301", "3305", h(-2), h(-1)), false, lindungi.ECONFLICT, ""},
		{"expires now", queueDelegation("3301", "3305", h(-1), t0), false, lindungi.ECONFLICT, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db.Now = func() time.Time { return t0 }
			d := grant(t, db, tt.d)
			if tt.revokedFirst {
				revoke(t, db, d)
			}
			before := auditEvents(t, db, "delegation.revoke")
			db.Now = func() time.Time { return t0.Add(time.Minute) }
			got, err := db.RevokeDelegation(ctx, d.ID, supervisor("req-"+tt.name))
			if code := lindungi.ErrorCode(err); code != tt.wantCode {
				t.Fatalf("RevokeDelegation: %v; want code %q", err, tt.wantCode)
			}
			evs := auditEvents(t, db, "delegation.revoke")
			if tt.wantCode != "" {
				if diff := cmp.Diff(before, evs); diff != "" {
					t.Errorf("a refused revocation changed the trail (-before +after):\n%s", diff)
				}
				return
			}

			revokedAt := t0.Add(time.Minute)
			want := d
			want.RevokedAt, want.RevokedBy = &revokedAt, "user:rina"
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("RevokeDelegation returned (-want +got):\n%s", diff)
			}
			found, err := db.FindDelegation(ctx, d.ID)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, found); diff != "" {
				t.Errorf("FindDelegation after revocation (-want +got):\n%s", diff)
			}
			wantEvents := append(before, auditEvent{Actor: "user:rina", ActorUnit: "3305", ActorRole: "supervisor",
				Action: "delegation.revoke", SubjectType: "delegation", SubjectID: d.ID.String(), WorkerID: tt.wantWorker,
				Before:        map[string]any{"expires_at": d.ExpiresAt.Format(time.RFC3339)},
				After:         map[string]any{"revoked_at": revokedAt.Format(time.RFC3339), "revoked_by": "user:rina"},
				PolicyVersion: "test-policy", RequestID: "req-" + tt.name, OccurredAt: revokedAt})
			if diff := cmp.Diff(wantEvents, evs); diff != "" {
				t.Errorf("delegation.revoke events (-want +got):\n%s", diff)
			}

			// A revoked delegation grants nothing, even within its time.
			for _, at := range []time.Time{revokedAt, d.StartsAt} {
				active, err := db.ActiveDelegations(ctx, d.GranteeUser, d.GranteeUnit, at)
				if err != nil {
					t.Fatal(err)
				}
				if slices.ContainsFunc(active, func(a lindungi.Delegation) bool { return a.ID == d.ID }) {
					t.Errorf("the revoked delegation is active at %v", at)
				}
			}
		})
	}
}

func TestAuditExpiredDelegations(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := t.Context()
	w := register(t, db, "3305011508950001", "3305")
	h := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Hour) }

	type delegation struct {
		d      lindungi.Delegation
		worker string
	}
	all := map[string]delegation{}
	for _, g := range []struct {
		name    string
		d       lindungi.Delegation
		revoked bool
	}{
		{"expired 2h ago", queueDelegation("3301", "3305", h(-3), h(-2)), false},
		{"record expired 1h ago", recordDelegation("budi", "3301", w, h(-3), h(-1)), false},
		{"expires in 1h", queueDelegation("3302", "3305", h(-1), h(1)), false},
		{"revoked, would expire in 30m", queueDelegation("3303", "3305", h(-1), t0.Add(30*time.Minute)), true},
		{"revoked before it expired 1h ago", queueDelegation("3304", "3305", h(-3), h(-1)), false},
		{"starts in 1h, expires in 5h", queueDelegation("3306", "3305", h(1), h(5)), false},
	} {
		db.Now = func() time.Time { return h(-4) }
		d := grant(t, db, g.d)
		if g.revoked {
			revoke(t, db, d)
		}
		ev := delegation{d: d}
		if d.WorkerID != nil {
			ev.worker = d.WorkerID.String()
		}
		all[g.name] = ev
	}
	// Revoked while in force, before its expiry.
	db.Now = func() time.Time { return h(-2) }
	revoke(t, db, all["revoked before it expired 1h ago"].d)

	tests := []struct {
		name string
		at   time.Time
		want []string
	}{
		{"the expired ones", t0, []string{"expired 2h ago", "record expired 1h ago"}},
		{"each once", t0, nil},
		{"each once, also later", h(0).Add(59 * time.Minute), nil},
		{"expiry is inclusive", h(1), []string{"expires in 1h"}},
		{"revoked ones never expire", h(3), nil},
		{"the one that started later", h(6), []string{"starts in 1h, expires in 5h"}},
		{"nothing left", h(24), nil},
	}
	seen := 0
	for _, tt := range tests {
		db.Now = func() time.Time { return tt.at.Add(time.Second) }
		n, err := db.AuditExpiredDelegations(ctx, tt.at)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if n != len(tt.want) {
			t.Errorf("%s: AuditExpiredDelegations(%v) = %d, want %d", tt.name, tt.at, n, len(tt.want))
		}
		evs := auditEvents(t, db, "delegation.expire")
		var want []auditEvent
		for _, name := range tt.want {
			d := all[name]
			want = append(want, auditEvent{Actor: "system:lindungi", ActorUnit: "ID", ActorRole: "system",
				Action: "delegation.expire", SubjectType: "delegation", SubjectID: d.d.ID.String(), WorkerID: d.worker,
				After: map[string]any{"expired_at": d.d.ExpiresAt.Format(time.RFC3339)}, OccurredAt: tt.at.Add(time.Second)})
		}
		bySubject := cmpopts.SortSlices(func(a, b auditEvent) bool { return a.SubjectID < b.SubjectID })
		if diff := cmp.Diff(want, evs[seen:], bySubject, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%s: new delegation.expire events (-want +got):\n%s", tt.name, diff)
		}
		seen = len(evs)
	}
}

func TestAuditExpiredDelegationsConcurrent(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := t.Context()
	const delegations, callers = 40, 8
	db.Now = func() time.Time { return t0.Add(-48 * time.Hour) }
	want := map[string]int{}
	for i := range delegations {
		end := t0.Add(-time.Duration(i+1) * time.Minute)
		d := grant(t, db, queueDelegation(fmt.Sprintf("33%02d", i%29+1), "3376", end.Add(-time.Hour), end))
		want[d.ID.String()] = 1
	}
	db.Now = func() time.Time { return t0 }

	var (
		wg    sync.WaitGroup
		start = make(chan struct{})
		ns    = make([]int, callers)
		errs  = make([]error, callers)
	)
	for i := range callers {
		wg.Go(func() {
			<-start
			ns[i], errs[i] = db.AuditExpiredDelegations(ctx, t0)
		})
	}
	close(start)
	wg.Wait()
	total := 0
	for i := range callers {
		if errs[i] != nil {
			t.Errorf("AuditExpiredDelegations: %v", errs[i])
		}
		total += ns[i]
	}
	if total != delegations {
		t.Errorf("concurrent callers report %d expiries in all, want %d", total, delegations)
	}
	got := map[string]int{}
	for _, ev := range auditEvents(t, db, "delegation.expire") {
		got[ev.SubjectID]++
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("delegation.expire events per delegation (-want +got):\n%s", diff)
	}
}

func TestListDelegations(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := t.Context()
	w := register(t, db, "3301011508950001", "3301")
	h := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Hour) }

	names := map[uuid.UUID]string{}
	for _, g := range []struct {
		name    string
		d       lindungi.Delegation
		revoked bool
	}{
		// Each starts an hour before the next, so the newest-first order is
		// the reverse of this list.
		{"3301 works 3305's queue", queueDelegation("3301", "3305", h(-9), h(24)), false},
		{"3302 works 3303's queue", queueDelegation("3302", "3303", h(-8), h(24)), false},
		{"budi of 3305 works a file of 3301", recordDelegation("budi", "3305", w, h(-7), h(24)), false},
		{"3305 worked 3301's queue, revoked", queueDelegation("3305", "3301", h(-6), h(24)), true},
		{"3306 worked 3305's queue, expired", queueDelegation("3306", "3305", h(-5), h(-1)), false},
		{"3307 will work 3305's queue", queueDelegation("3307", "3305", h(1), h(24)), false},
		{"3376 works 3375's queue", queueDelegation("3376", "3375", h(-4), h(24)), false},
	} {
		d := grant(t, db, g.d)
		if g.revoked {
			revoke(t, db, d)
		}
		names[d.ID] = g.name
	}

	tests := []struct {
		scope string
		ended bool
		want  []string // newest first
	}{
		{"33", false, []string{"3307 will work 3305's queue", "3376 works 3375's queue",
			"budi of 3305 works a file of 3301", "3302 works 3303's queue", "3301 works 3305's queue"}},
		{"33", true, []string{"3307 will work 3305's queue", "3376 works 3375's queue", "3306 worked 3305's queue, expired",
			"3305 worked 3301's queue, revoked", "budi of 3305 works a file of 3301", "3302 works 3303's queue", "3301 works 3305's queue"}},
		{"ID", false, []string{"3307 will work 3305's queue", "3376 works 3375's queue",
			"budi of 3305 works a file of 3301", "3302 works 3303's queue", "3301 works 3305's queue"}},
		{"3305", false, []string{"3307 will work 3305's queue", "budi of 3305 works a file of 3301", "3301 works 3305's queue"}},
		{"3305", true, []string{"3307 will work 3305's queue", "3306 worked 3305's queue, expired",
			"3305 worked 3301's queue, revoked", "budi of 3305 works a file of 3301", "3301 works 3305's queue"}},
		{"3301", false, []string{"budi of 3305 works a file of 3301", "3301 works 3305's queue"}},
		{"3303", false, []string{"3302 works 3303's queue"}},
		{"3304", true, nil},
	}
	for _, tt := range tests {
		got, err := db.ListDelegations(ctx, tt.scope, t0, tt.ended)
		if err != nil {
			t.Fatalf("ListDelegations(%s, %v): %v", tt.scope, tt.ended, err)
		}
		if diff := cmp.Diff(tt.want, delegationNames(got, names, true)); diff != "" {
			t.Errorf("ListDelegations(%s, ended=%v) (-want +got):\n%s", tt.scope, tt.ended, diff)
		}
	}
}
