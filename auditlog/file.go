package auditlog

import (
	"bytes"
	"encoding/json"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
)

// WorkerFile is a worker's file as it stood at an instant: the worker with
// its journey step, its tasks, its documents and its cases then.
type WorkerFile struct {
	At        time.Time           `json:"at"`
	Worker    lindungi.Worker     `json:"worker"`
	Tasks     []lindungi.Task     `json:"tasks"`
	Documents []lindungi.Document `json:"documents"`
	Cases     []lindungi.Case     `json:"cases"`
}

// Change is one field of a record of a worker's file that differs between
// two instants. Before is absent for a record that did not exist yet at the
// first instant (Field is then ""), and for a field it did not have.
type Change struct {
	Record   string          `json:"record"`    // worker, task, document or case
	RecordID string          `json:"record_id"` // its ID
	Field    string          `json:"field"`     // the JSON name of the field
	Before   json.RawMessage `json:"before,omitempty"`
	After    json.RawMessage `json:"after,omitempty"`
}

// derived are fields computed from the instant itself (days counted up to
// it), not stored: they differ between any two instants, so a diff leaves
// them out.
var derived = []string{"days_open", "days_since_action"}

// Diff lists what changed in a worker's file from a to b: each field of
// the worker, and of every task, document and case, whose value differs,
// and the records b has that a had not (one Change with no Field), the
// worker too when a is the zero file (it was not registered yet). Records
// come in the order of b; fields by name.
func Diff(a, b WorkerFile) []Change {
	out := diffRecord("worker", b.Worker.ID.String(), a.Worker, b.Worker, a.Worker.ID != uuid.Nil)
	out = append(out, diffRecords("task", a.Tasks, b.Tasks, func(t lindungi.Task) string { return t.ID.String() })...)
	out = append(out, diffRecords("document", a.Documents, b.Documents, func(d lindungi.Document) string { return d.ID.String() })...)
	out = append(out, diffRecords("case", a.Cases, b.Cases, func(c lindungi.Case) string { return c.ID.String() })...)
	return out
}

// diffRecords compares the records of one kind by ID.
func diffRecords[T any](kind string, a, b []T, id func(T) string) []Change {
	before := map[string]T{}
	for _, r := range a {
		before[id(r)] = r
	}
	out := []Change{}
	for _, r := range b {
		old, existed := before[id(r)]
		out = append(out, diffRecord(kind, id(r), old, r, existed)...)
	}
	return out
}

// diffRecord compares two versions of one record field by field, through
// their JSON; a record that did not exist is one Change with its whole
// value after.
func diffRecord(kind, id string, a, b any, existed bool) []Change {
	after := fields(b)
	if !existed {
		whole, _ := json.Marshal(b)
		return []Change{{Record: kind, RecordID: id, After: whole}}
	}
	before := fields(a)
	names := make([]string, 0, len(after)+len(before))
	for k := range after {
		names = append(names, k)
	}
	for k := range before {
		if _, ok := after[k]; !ok {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	var out []Change
	for _, k := range names {
		if slices.Contains(derived, k) || bytes.Equal(before[k], after[k]) {
			continue
		}
		out = append(out, Change{Record: kind, RecordID: id, Field: k, Before: before[k], After: after[k]})
	}
	return out
}

// fields is v's JSON object by field, each value as canonical JSON so that
// equal values compare equal.
func fields(v any) map[string]json.RawMessage {
	raw, _ := json.Marshal(v)
	var m map[string]json.RawMessage
	json.Unmarshal(raw, &m)
	for k, f := range m {
		if c, err := CanonicalJSON(f); err == nil {
			m[k] = c
		}
	}
	return m
}
