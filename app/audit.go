package app

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/auditlog"
)

// Audit answers auditors, for the API and the audit pages alike: a
// worker's trace and who read its data, its file as it stood at an instant
// and what changed between two, the questions inspectors ask of the whole
// trail, the chain's verification, and signed exports and their check.
// Every read is written to the trail with its purpose before it is
// answered: a read that cannot be logged is not answered.
type Audit struct {
	Store   AuditStore
	Workers WorkerFinder
	Access  *Access
	Units   Units
	// Key signs exports and checks checkpoints and uploaded exports; nil
	// makes those answer EUNAVAILABLE (checkpoint signatures are then not
	// checked).
	Key *auditlog.Key
	// Keys are the public keys checkpoints are checked with: Key's and
	// those of signing keys a rotation retired; nil is Key's only.
	Keys map[string]ed25519.PublicKey
	Now  func() time.Time
}

// AuditStore is the audit trail, and the tasks the list of escalations
// that reached the top names.
type AuditStore interface {
	auditlog.Store
	TasksByID(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]lindungi.Task, error)
}

// MaxExport is the most events one signed export holds.
const MaxExport = 50000

// Read says why an auditor reads (Purpose, written with the read's event)
// and what the read asked (Details: its filters and format, written with
// it too).
type Read struct {
	Purpose string
	Details map[string]any
}

// Page is one page of events in chain order, and the cursor of the next
// page (nil on the last).
type Page struct {
	Items []auditlog.Record `json:"items"`
	Next  *int64            `json:"next_cursor"`
}

// TraceRequest asks for a worker's events (Events) and, when Reads is not
// nil, for the reads of the worker's personal data besides, each one page
// of its filter's Limit.
type TraceRequest struct {
	Read
	Events *auditlog.Filter
	Reads  *auditlog.Filter
}

// Trace is what a trace shows.
type Trace struct {
	Worker lindungi.Worker
	Events Page
	Reads  Page
}

// Trace returns a worker's events in chain order, filtered, and (asked for)
// who read the worker's personal data and why. It is logged as
// access.trace, or access.accesses when only the reads are asked for.
// ENOTFOUND for a worker out of reach.
func (x *Audit) Trace(ctx context.Context, a Actor, id uuid.UUID, req TraceRequest) (Trace, error) {
	w, a, err := findWorker(ctx, x.Workers, x.Access, a, id)
	if err != nil {
		return Trace{}, err
	}
	action := "access.trace"
	if req.Events == nil {
		action = "access.accesses"
	}
	if err := x.log(ctx, a, action, "worker", w.ID.String(), &w.ID, req.Read); err != nil {
		return Trace{}, err
	}
	out := Trace{Worker: w}
	if req.Events != nil {
		if out.Events, err = x.page(ctx, w.ID, *req.Events); err != nil {
			return Trace{}, err
		}
	}
	if req.Reads != nil {
		f := *req.Reads
		f.AccessesOnly = true
		if out.Reads, err = x.page(ctx, w.ID, f); err != nil {
			return Trace{}, err
		}
	}
	return out, nil
}

// page reads one more event than f.Limit, to know whether a next page
// exists.
func (x *Audit) page(ctx context.Context, worker uuid.UUID, f auditlog.Filter) (Page, error) {
	limit := f.Limit
	f.Limit++
	recs, err := x.Store.AuditTrace(ctx, worker, f)
	if err != nil {
		return Page{}, err
	}
	return pageOf(recs, limit), nil
}

// pageOf trims recs, read with one more than limit, to a page.
func pageOf(recs []auditlog.Record, limit int) Page {
	if recs == nil {
		recs = []auditlog.Record{}
	}
	if len(recs) <= limit {
		return Page{Items: recs}
	}
	recs = recs[:limit]
	next := recs[limit-1].Seq
	return Page{Items: recs, Next: &next}
}

// AsOf returns a worker's file (the worker, its tasks, documents and
// cases) as it stood at an instant, logged as access.as_of. ENOTFOUND for a
// worker out of reach or not registered yet then; EINVALID for an instant
// in the future.
func (x *Audit) AsOf(ctx context.Context, a Actor, id uuid.UUID, at time.Time, r Read) (auditlog.WorkerFile, error) {
	w, a, err := findWorker(ctx, x.Workers, x.Access, a, id)
	if err != nil {
		return auditlog.WorkerFile{}, err
	}
	if err := x.past("at", at); err != nil {
		return auditlog.WorkerFile{}, err
	}
	if err := x.log(ctx, a, "access.as_of", "worker", w.ID.String(), &w.ID, r); err != nil {
		return auditlog.WorkerFile{}, err
	}
	return x.Store.WorkerAsOf(ctx, w.ID, at)
}

// Changes is what changed in a worker's file between two instants.
type Changes struct {
	From, To auditlog.WorkerFile
	// Registered is false when the worker was not registered yet at From:
	// everything in To is then new.
	Registered bool
	Changes    []auditlog.Change
}

// Changes returns what changed in a worker's file from one instant to a
// later one, field by field, logged as access.changes. ENOTFOUND for a
// worker out of reach or not registered yet at to; EINVALID for instants
// out of order or in the future.
func (x *Audit) Changes(ctx context.Context, a Actor, id uuid.UUID, from, to time.Time, r Read) (Changes, error) {
	w, a, err := findWorker(ctx, x.Workers, x.Access, a, id)
	if err != nil {
		return Changes{}, err
	}
	if err := x.past("to", to); err != nil {
		return Changes{}, err
	}
	if !to.After(from) {
		return Changes{}, invalid("to", "must be after from")
	}
	if err := x.log(ctx, a, "access.changes", "worker", w.ID.String(), &w.ID, r); err != nil {
		return Changes{}, err
	}
	out := Changes{Registered: true}
	if out.To, err = x.Store.WorkerAsOf(ctx, w.ID, to); err != nil {
		return Changes{}, err
	}
	out.From, err = x.Store.WorkerAsOf(ctx, w.ID, from)
	switch {
	case lindungi.ErrorCode(err) == lindungi.ENOTFOUND:
		out.Registered, out.From = false, auditlog.WorkerFile{At: from.UTC()}
	case err != nil:
		return Changes{}, err
	}
	out.Changes = auditlog.Diff(out.From, out.To)
	return out, nil
}

// past refuses an instant in the future: the trail does not know it yet.
func (x *Audit) past(field string, t time.Time) error {
	if t.After(clock(x.Now).Add(time.Minute)) {
		return invalid(field, "must not be in the future")
	}
	return nil
}

// The questions inspectors ask of the whole trail, each logged with its
// own action.
const (
	QueryUserActivity  = "user_activity"  // everything one user did or read
	QueryUnitAccesses  = "unit_accesses"  // every read of personal data in a unit
	QueryPolicyChanges = "policy_changes" // every policy change
	QueryTopEscalation = "top_escalations"
)

// EventsRequest asks one of the inspector's questions: Query names it,
// Filter selects (its Unit defaults to the caller's own unit; its Actor
// names the user of QueryUserActivity).
type EventsRequest struct {
	Read
	Query  string
	Filter auditlog.Query
}

// Events answers an inspector's question: it calls each with every event
// the question selects within the caller's reach, in chain order, as the
// store reads them (a CSV export streams). The question is logged first, as
// access.<Query>. EINVALID for an unknown question or a user not named;
// EFORBIDDEN for a unit outside the caller's reach.
func (x *Audit) Events(ctx context.Context, a Actor, req EventsRequest, each func(auditlog.Record) error) error {
	q := req.Filter
	switch req.Query {
	case QueryUserActivity:
		if q.Actor == "" {
			return invalid("user", "is required: the user whose events to list")
		}
	case QueryUnitAccesses:
		q.AccessesOnly = true
	case QueryPolicyChanges:
		// The policy is one for the country, and every auditor may read
		// its history (GET /v1/policies/versions): no unit scope.
		q.Actions, q.Unit = []string{"policy.change"}, a.Principal.Unit
	case QueryTopEscalation:
		q.Actions = []string{"task.overdue"}
	default:
		return invalid("query", "is not a question this trail answers")
	}
	unit, a, err := x.scope(a, q.Unit)
	if err != nil {
		return err
	}
	q.Unit = unit
	if req.Query == QueryPolicyChanges {
		q.Unit = ""
	}
	if err := x.log(ctx, a, "access."+req.Query, "audit", req.Query, nil, req.Read); err != nil {
		return err
	}
	return x.Store.AuditEvents(ctx, q, each)
}

// EventsPage is Events as one page of q.Limit events.
func (x *Audit) EventsPage(ctx context.Context, a Actor, req EventsRequest) (Page, error) {
	limit := req.Filter.Limit
	req.Filter.Limit++
	var recs []auditlog.Record
	err := x.Events(ctx, a, req, func(r auditlog.Record) error {
		recs = append(recs, r)
		return nil
	})
	return pageOf(recs, limit), err
}

// Escalation is a task that reached the top of its escalation chain: the
// event that marked it there (task.overdue), the task as it is now (its
// kind, and the unit where it waits unless moved since), and the moves up
// the chain that took it there (task.escalate), in chain order.
type Escalation struct {
	Top   auditlog.Record   `json:"top"`
	Task  lindungi.Task     `json:"task"`
	Moves []auditlog.Record `json:"moves"`
}

// escalationBatch is how many escalations are completed with their moves
// and tasks in one pair of queries.
const escalationBatch = 200

// Escalations answers QueryTopEscalation (req.Query is ignored) with each
// escalation's moves and task, read for a batch of escalations at a time:
// no query per escalation.
func (x *Audit) Escalations(ctx context.Context, a Actor, req EventsRequest, each func(Escalation) error) error {
	req.Query = QueryTopEscalation
	var batch []auditlog.Record
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		ids := make([]string, len(batch))
		tasks := make([]uuid.UUID, 0, len(batch))
		for i, r := range batch {
			ids[i] = r.SubjectID
			if id, err := uuid.Parse(r.SubjectID); err == nil {
				tasks = append(tasks, id)
			}
		}
		moves := map[string][]auditlog.Record{}
		err := x.Store.AuditEvents(ctx, auditlog.Query{Actions: []string{"task.escalate"}, SubjectIDs: ids}, func(r auditlog.Record) error {
			moves[r.SubjectID] = append(moves[r.SubjectID], r)
			return nil
		})
		if err != nil {
			return err
		}
		byID, err := x.Store.TasksByID(ctx, tasks)
		if err != nil {
			return err
		}
		for _, r := range batch {
			id, _ := uuid.Parse(r.SubjectID)
			before := []auditlog.Record{}
			for _, m := range moves[r.SubjectID] {
				if m.Seq < r.Seq {
					before = append(before, m)
				}
			}
			if err := each(Escalation{Top: r, Task: byID[id], Moves: before}); err != nil {
				return err
			}
		}
		batch = batch[:0]
		return nil
	}
	err := x.Events(ctx, a, req, func(r auditlog.Record) error {
		batch = append(batch, r)
		if len(batch) == escalationBatch {
			return flush()
		}
		return nil
	})
	if err != nil {
		return err
	}
	return flush()
}

// scope is the unit whose reach a question or an export keeps: unit (the
// caller's own when ""), which the caller's role must reach, returned as
// "" when it is the top unit, whose reach is everything. EINVALID for an
// unknown unit, EFORBIDDEN for one out of reach.
func (x *Audit) scope(a Actor, unit string) (string, Actor, error) {
	if unit == "" {
		unit = a.Principal.Unit
	}
	if x.Units.Path(unit) == nil {
		return "", a, invalid("unit", "is not a unit of this system")
	}
	got, ok, err := x.Access.At(a, unit)
	if err != nil {
		return "", a, err
	}
	if !ok {
		return "", a, &lindungi.Error{Code: lindungi.EFORBIDDEN, Message: "That unit is outside your reach.",
			Fields: []lindungi.FieldError{{Field: "unit", Reason: "is outside your reach"}}}
	}
	if unit == x.Units.Top() {
		unit = ""
	}
	return unit, got, nil
}

// Verify re-checks the whole trail and every checkpoint's signature,
// logged as access.verify. A broken trail is a report, not an error.
func (x *Audit) Verify(ctx context.Context, a Actor, r Read) (auditlog.Report, error) {
	if err := x.log(ctx, a, "access.verify", "audit", "chain", nil, r); err != nil {
		return auditlog.Report{}, err
	}
	keys := x.Keys
	if keys == nil && x.Key != nil {
		keys = map[string]ed25519.PublicKey{x.Key.ID: x.Key.Public()}
	}
	return x.Store.VerifyAudit(ctx, keys)
}

// KeyInfo returns the public key that signs checkpoints and exports,
// logged as access.key. EUNAVAILABLE without a key.
func (x *Audit) KeyInfo(ctx context.Context, a Actor, r Read) (auditlog.KeyInfo, error) {
	if x.Key == nil {
		return auditlog.KeyInfo{}, errNoKey
	}
	if err := x.log(ctx, a, "access.key", "audit", x.Key.ID, nil, r); err != nil {
		return auditlog.KeyInfo{}, err
	}
	return x.Key.Info(), nil
}

var errNoKey = lindungi.Errorf(lindungi.EUNAVAILABLE, "No audit signing key is configured.")

// Export returns a signed export of the events from from to to (zero: the
// start and the end of the trail): of every unit for a caller whose reach
// (unit, the caller's own by default) is the top unit, else of the events
// in the reach of unit, each still checkable against its hash and the
// checkpoints (auditlog.ExportPayload). It is logged as access.export.
// EINVALID for an unknown unit or a range of more than MaxExport events,
// EFORBIDDEN for a unit out of reach, EUNAVAILABLE without a key.
func (x *Audit) Export(ctx context.Context, a Actor, from, to time.Time, unit string, r Read) (auditlog.Export, auditlog.ExportPayload, error) {
	if x.Key == nil {
		return auditlog.Export{}, auditlog.ExportPayload{}, errNoKey
	}
	scope, a, err := x.scope(a, unit)
	if err != nil {
		return auditlog.Export{}, auditlog.ExportPayload{}, err
	}
	r.Details = withDetail(r.Details, "scope", scope)
	if err := x.log(ctx, a, "access.export", "audit", "export", nil, r); err != nil {
		return auditlog.Export{}, auditlog.ExportPayload{}, err
	}
	p, err := x.Store.AuditExport(ctx, from, to, scope, MaxExport)
	if err != nil {
		return auditlog.Export{}, auditlog.ExportPayload{}, err
	}
	p.ExportedAt, p.ExportedBy = clock(x.Now).UTC(), a.Principal.Subject
	ex, err := x.Key.SignExport(p)
	return ex, p, err
}

// CheckExport checks an export file (its signature with the server's key,
// and its chain), as `lindungi audit verify --export` does, logged as
// access.check_export with what the file covers. A file that fails is a
// report; EINVALID for a file that is no export at all.
func (x *Audit) CheckExport(ctx context.Context, a Actor, file []byte, r Read) (auditlog.ExportReport, error) {
	if x.Key == nil {
		return auditlog.ExportReport{}, errNoKey
	}
	rep, err := auditlog.VerifyExport(file, x.Key.Public())
	if err != nil {
		return rep, invalid("export", fmt.Sprintf("is not an export file of this system: %v", err))
	}
	r.Details = withDetail(r.Details, "ok", rep.OK)
	r.Details["key_id"] = rep.KeyID
	r.Details["first_seq"], r.Details["last_seq"] = rep.FirstSeq, rep.LastSeq
	if rep.Failure != nil {
		r.Details["failure"] = rep.Failure
	}
	if err := x.log(ctx, a, "access.check_export", "audit", "export", nil, r); err != nil {
		return auditlog.ExportReport{}, err
	}
	return rep, nil
}

func withDetail(d map[string]any, k string, v any) map[string]any {
	if d == nil {
		d = map[string]any{}
	}
	d[k] = v
	return d
}

// log writes the access event of a read, with its purpose and details, in
// a transaction of its own.
func (x *Audit) log(ctx context.Context, a Actor, action, subjectType, subjectID string, worker *uuid.UUID, r Read) error {
	purpose, err := lindungi.CheckPurpose(r.Purpose)
	if err != nil {
		return err
	}
	ev := a.Event(ctx)
	ev.Action, ev.SubjectType, ev.SubjectID, ev.WorkerID, ev.Purpose = action, subjectType, subjectID, worker, purpose
	if len(r.Details) > 0 {
		if ev.After, err = json.Marshal(r.Details); err != nil {
			return err
		}
	}
	if err := x.Store.RecordAccess(ctx, ev); err != nil {
		return fmt.Errorf("log %s: %w", action, err)
	}
	return nil
}
