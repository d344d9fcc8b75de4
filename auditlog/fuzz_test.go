package auditlog_test

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/auditlog"
)

// decodeFields reads back the length-prefixed fields of an encoded event;
// nil stands for the absent marker.
func decodeFields(b []byte) ([][]byte, error) {
	var fields [][]byte
	for len(b) > 0 {
		if len(b) < 4 {
			return nil, fmt.Errorf("%d bytes left, want a 4-byte length", len(b))
		}
		n := binary.BigEndian.Uint32(b)
		b = b[4:]
		if n == 0xFFFFFFFF {
			fields = append(fields, nil)
			continue
		}
		if uint32(len(b)) < n {
			return nil, fmt.Errorf("field of %d bytes, %d left", n, len(b))
		}
		fields = append(fields, append([]byte{}, b[:n]...))
		b = b[n:]
	}
	return fields, nil
}

// storable reports whether PostgreSQL can hold s in a text column: valid
// UTF-8 without NUL.
func storable(s string) bool { return utf8.ValidString(s) && !strings.ContainsRune(s, 0) }

// FuzzEncode: the encoding of an event is deterministic, reads back field
// by field (so no two events encode alike), fails only on before or after
// that are not JSON, and survives the JSON of an export unchanged.
func FuzzEncode(f *testing.F) {
	f.Add(int64(1), []byte("0123456789abcdef"), int64(1798000000123456000), "caseworker-3305", "3305", "caseworker",
		"task.complete", "task", "t-1", true, []byte(`{"status":"open"}`), []byte(`{"status": "completed", "n": 1.50}`),
		"p, caseworker, /v1/tasks/:id/complete, POST", "3", "journey/x", "run-1", "req-1", "")
	f.Add(int64(0), []byte{}, int64(0), "", "", "", "", "", "", false, []byte{}, []byte("null"), "", "", "", "", "", "ST-12/2026")
	f.Add(int64(-1), []byte("x"), int64(-1), "a\x00b", "\xff", "é", "access.worker", "worker", "w", true, []byte(`[1,2`), []byte(`{}`),
		"", "", "", "", "", "a\u2028b")
	f.Add(int64(7), []byte("0123456789abcdef"), int64(5), "a", "b", "c", "d", "e", "f", false, []byte(`{"a":"\u0000"}`),
		[]byte(`{"k":1,"k":2}`), "", "", "", "", "", "")
	f.Fuzz(func(t *testing.T, seq int64, id []byte, nanos int64, actor, unit, role, action, subjType, subjID string,
		hasWorker bool, before, after []byte, rule, policy, wf, run, req, purpose string) {
		var uid uuid.UUID
		copy(uid[:], id)
		r := auditlog.Record{Seq: seq, ID: uid, Event: lindungi.Event{Actor: actor, ActorUnit: unit, ActorRole: role, Action: action,
			SubjectType: subjType, SubjectID: subjID, Before: before, After: after, Rule: rule, Policy: policy, WorkflowID: wf,
			RunID: run, RequestID: req, Purpose: purpose, OccurredAt: time.Unix(0, nanos)}}
		if hasWorker {
			w := uuid.NewSHA1(uid, id)
			r.WorkerID = &w
		}
		enc, err := auditlog.Encode(r)
		jsonOK := (len(before) == 0 || json.Valid(before)) && (len(after) == 0 || json.Valid(after))
		if err != nil {
			if jsonOK {
				t.Fatalf("Encode failed on valid before/after: %v", err)
			}
			return
		}
		if !jsonOK {
			t.Fatalf("Encode accepted before %q / after %q, which are not JSON", before, after)
		}
		again, _ := auditlog.Encode(r)
		if !bytes.Equal(enc, again) {
			t.Fatal("Encode is not deterministic")
		}
		h1, _ := auditlog.Hash(auditlog.Genesis, r)
		h2, _ := auditlog.Hash(auditlog.Genesis, r)
		if h1 != h2 {
			t.Fatal("Hash is not deterministic")
		}

		// Field by field.
		canon := func(raw []byte) []byte {
			if len(raw) == 0 {
				return nil
			}
			c, _ := auditlog.CanonicalJSON(raw)
			return append([]byte{}, c...)
		}
		var worker []byte
		if r.WorkerID != nil {
			worker = []byte(r.WorkerID.String())
		}
		want := [][]byte{[]byte("lindungi-audit-event-v1"), []byte(fmt.Sprint(seq)), []byte(uid.String()),
			[]byte(r.OccurredAt.UTC().Format(time.RFC3339Nano)), []byte(actor), []byte(unit), []byte(role), []byte(action),
			[]byte(subjType), []byte(subjID), worker, canon(before), canon(after), []byte(rule), []byte(policy), []byte(wf),
			[]byte(run), []byte(req), []byte(purpose)}
		got, err := decodeFields(enc)
		if err != nil {
			t.Fatalf("the encoding does not read back: %v", err)
		}
		if len(got) != len(want) {
			t.Fatalf("the encoding has %d fields, want %d", len(got), len(want))
		}
		for i := range want {
			if (got[i] == nil) != (want[i] == nil) || !bytes.Equal(got[i], want[i]) {
				t.Fatalf("field %d reads back as %q, want %q", i, got[i], want[i])
			}
		}

		// Through the JSON of an export, as the database can hold it (text
		// is UTF-8 without NUL; times have microseconds; jsonb has no
		// \u0000 and no invalid UTF-8).
		strs := []string{actor, unit, role, action, subjType, subjID, rule, policy, wf, run, req, purpose}
		for _, raw := range [][]byte{before, after} {
			strs = append(strs, string(raw))
		}
		for _, s := range strs {
			if !storable(s) || strings.Contains(s, `\u0000`) {
				return
			}
		}
		if y := r.OccurredAt.UTC().Year(); y < 1 || y > 9999 {
			return
		}
		r.OccurredAt = r.OccurredAt.Truncate(time.Microsecond)
		enc, _ = auditlog.Encode(r)
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatalf("marshal the record: %v", err)
		}
		var back auditlog.Record
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("unmarshal the record: %v", err)
		}
		enc2, err := auditlog.Encode(back)
		if err != nil || !bytes.Equal(enc, enc2) {
			t.Fatalf("the record encodes differently after a JSON round trip (%v):\n%q\n%q", err, enc, enc2)
		}
	})
}

// FuzzCanonicalJSON: canonical JSON is valid JSON, canonical again,
// independent of spacing, equal in value to its input, and refused only
// for input that is not one JSON value.
func FuzzCanonicalJSON(f *testing.F) {
	for _, s := range []string{`{"b":1,"a":[true,false,null]}`, `{"a":1.50}`, `15e-1`, `100`, `-0`, `-0.0e5`, `0.1e-5`,
		`1E+400`, `1e-99999999999999999999`, `"\u00e9\u2028\t\"\\"`, `{"k":1,"k":2}`, `{"é":"\ud800"}`, `[1 2]`, `1 2`, ``,
		`{"a":{"b":{"c":[{}]}}}`, `"\u0000"`, "\"\xff\"", `123456789012345678901234567890.0000`, `[-1.0e-0, 1E0]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		out, err := auditlog.CanonicalJSON(raw)
		if err != nil {
			if json.Valid(raw) {
				t.Fatalf("CanonicalJSON(%q) refused valid JSON: %v", raw, err)
			}
			return
		}
		if !json.Valid(raw) {
			t.Fatalf("CanonicalJSON(%q) = %q, but the input is not valid JSON", raw, out)
		}
		if !json.Valid(out) {
			t.Fatalf("CanonicalJSON(%q) = %q, not valid JSON", raw, out)
		}
		again, err := auditlog.CanonicalJSON(out)
		if err != nil || !bytes.Equal(again, out) {
			t.Fatalf("CanonicalJSON is not idempotent: %q -> %q -> %q (%v)", raw, out, again, err)
		}
		var spaced bytes.Buffer
		if json.Indent(&spaced, raw, " ", "\t") == nil {
			if c, err := auditlog.CanonicalJSON(spaced.Bytes()); err != nil || !bytes.Equal(c, out) {
				t.Fatalf("spacing changes the canonical form: %q -> %q, %q -> %q", raw, out, spaced.Bytes(), c)
			}
		}
		v1, v2 := decodeNumbers(t, raw), decodeNumbers(t, out)
		if !sameValue(v1, v2) {
			t.Fatalf("CanonicalJSON(%q) = %q changes the value", raw, out)
		}
	})
}

func decodeNumbers(t *testing.T, b []byte) any {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decode %q: %v", b, err)
	}
	return v
}

// sameValue compares two decoded JSON values; numbers are compared as
// exact rationals when their exponents are small enough to expand.
func sameValue(a, b any) bool {
	switch a := a.(type) {
	case map[string]any:
		bm, ok := b.(map[string]any)
		if !ok || len(a) != len(bm) {
			return false
		}
		for k, v := range a {
			if w, ok := bm[k]; !ok || !sameValue(v, w) {
				return false
			}
		}
		return true
	case []any:
		bs, ok := b.([]any)
		if !ok || len(a) != len(bs) {
			return false
		}
		for i := range a {
			if !sameValue(a[i], bs[i]) {
				return false
			}
		}
		return true
	case json.Number:
		bn, ok := b.(json.Number)
		if !ok {
			return false
		}
		x, okx := smallRat(string(a))
		y, oky := smallRat(string(bn))
		return !okx || !oky || x.Cmp(y) == 0
	default:
		return a == b
	}
}

func smallRat(s string) (*big.Rat, bool) {
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		var e big.Int
		if _, ok := e.SetString(strings.TrimPrefix(s[i+1:], "+"), 10); !ok || e.CmpAbs(big.NewInt(1000)) > 0 {
			return nil, false
		}
	}
	if len(s) > 1000 {
		return nil, false
	}
	return new(big.Rat).SetString(s)
}
