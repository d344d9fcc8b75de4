package auditlog_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/auditlog"
)

func TestCanonicalJSON(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"b": 1, "a": 2}`, `{"a":2,"b":1}`},
		{` { "a" : [ 1 , 2 ] } `, `{"a":[1,2]}`},
		// PostgreSQL's jsonb sorts keys by length first; the canonical
		// form does not care how the input was sorted.
		{`{"bb": true, "a": false, "ab": null}`, `{"a":false,"ab":null,"bb":true}`},
		{`{"a": 1, "a": 2}`, `{"a":2}`},
		{`"\u003cb\u003e \u00e9 \"q\" \\ \n"`, `"<b> é \"q\" \\ \u000a"`},
		{`1.50`, `15e-1`},
		{`15e-1`, `15e-1`},
		{`100`, `1e2`},
		{`1e+21`, `1e21`},
		{`1000000000000000000000`, `1e21`},
		{`-0.0`, `0`},
		{`0`, `0`},
		{`-12.340e3`, `-1234e1`},
		{`12345678901234567890123`, `12345678901234567890123`},
		{`[]`, `[]`},
		{`{}`, `{}`},
		{`{"z": {"y": [{"b": 1, "a": 0.10}]}}`, `{"z":{"y":[{"a":1e-1,"b":1}]}}`},
	}
	for _, tt := range tests {
		got, err := auditlog.CanonicalJSON([]byte(tt.in))
		if err != nil {
			t.Errorf("CanonicalJSON(%s): %v", tt.in, err)
			continue
		}
		if string(got) != tt.want {
			t.Errorf("CanonicalJSON(%s) = %s, want %s", tt.in, got, tt.want)
		}
	}
	for _, bad := range []string{``, `{`, `{"a":1} {"b":2}`, `nul`} {
		if got, err := auditlog.CanonicalJSON([]byte(bad)); err == nil {
			t.Errorf("CanonicalJSON(%q) = %s, want an error", bad, got)
		}
	}
}

var (
	worker = uuid.MustParse("6f0d3c1e-8a4b-4c2d-9e7f-1a2b3c4d5e6f")
	t0     = time.Date(2026, 12, 23, 1, 2, 3, 456789000, time.UTC)
)

func record(seq int64) auditlog.Record {
	w := worker
	return auditlog.Record{Seq: seq, ID: uuid.NewSHA1(uuid.NameSpaceOID, []byte{byte(seq)}), Event: lindungi.Event{
		Actor: "caseworker-3305", ActorUnit: "3305", ActorRole: "caseworker", Action: "task.complete",
		SubjectType: "task", SubjectID: "t-1", WorkerID: &w,
		Before: json.RawMessage(`{"status":"open"}`), After: json.RawMessage(`{"status": "completed", "outcome": "approved"}`),
		Rule: "p, caseworker, /v1/tasks/:id/complete, POST", Policy: "3", WorkflowID: "journey/" + w.String(),
		RunID: "run-1", RequestID: "req-1", OccurredAt: t0.Add(time.Duration(seq) * time.Second),
	}}
}

// TestHashCoversEveryField changes each field in turn and expects another
// hash, and checks that the spelling of before and after does not matter.
func TestHashCoversEveryField(t *testing.T) {
	base := record(7)
	h0, err := auditlog.Hash(auditlog.Genesis, base)
	if err != nil {
		t.Fatal(err)
	}
	other := uuid.New()
	changes := map[string]func(r *auditlog.Record){
		"seq":            func(r *auditlog.Record) { r.Seq = 8 },
		"id":             func(r *auditlog.Record) { r.ID = uuid.New() },
		"occurred_at":    func(r *auditlog.Record) { r.OccurredAt = r.OccurredAt.Add(time.Microsecond) },
		"actor":          func(r *auditlog.Record) { r.Actor = "mallory" },
		"actor_unit":     func(r *auditlog.Record) { r.ActorUnit = "3301" },
		"actor_role":     func(r *auditlog.Record) { r.ActorRole = "supervisor" },
		"action":         func(r *auditlog.Record) { r.Action = "task.create" },
		"subject_type":   func(r *auditlog.Record) { r.SubjectType = "worker" },
		"subject_id":     func(r *auditlog.Record) { r.SubjectID = "t-2" },
		"worker_id":      func(r *auditlog.Record) { r.WorkerID = &other },
		"no worker_id":   func(r *auditlog.Record) { r.WorkerID = nil },
		"before":         func(r *auditlog.Record) { r.Before = json.RawMessage(`{"status":"completed"}`) },
		"no before":      func(r *auditlog.Record) { r.Before = nil },
		"after":          func(r *auditlog.Record) { r.After = json.RawMessage(`{"status":"completed","outcome":"rejected"}`) },
		"rule":           func(r *auditlog.Record) { r.Rule = "" },
		"policy_version": func(r *auditlog.Record) { r.Policy = "4" },
		"workflow_id":    func(r *auditlog.Record) { r.WorkflowID = "journey/x" },
		"run_id":         func(r *auditlog.Record) { r.RunID = "run-2" },
		"request_id":     func(r *auditlog.Record) { r.RequestID = "req-2" },
		"purpose":        func(r *auditlog.Record) { r.Purpose = "case-work" },
		// Moving a byte from one field to the next must not collide.
		"field boundary": func(r *auditlog.Record) { r.Actor, r.ActorUnit = "caseworker-330", "53305" },
	}
	seen := map[auditlog.Digest]string{h0: "base"}
	for name, change := range changes {
		r := base
		change(&r)
		h, err := auditlog.Hash(auditlog.Genesis, r)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if prev, dup := seen[h]; dup {
			t.Errorf("changing %s gives the same hash as %s", name, prev)
		}
		seen[h] = name
	}
	if h, _ := auditlog.Hash(auditlog.Digest{1}, base); h == h0 {
		t.Error("the hash does not depend on the previous hash")
	}

	// jsonb re-spells JSON: key order, spaces, escapes, number forms.
	respelled := base
	respelled.After = json.RawMessage(`{"outcome": "appr\u006fved", "status": "completed"}`)
	respelled.OccurredAt = base.OccurredAt.In(time.FixedZone("WIB", 7*3600))
	if h, _ := auditlog.Hash(auditlog.Genesis, respelled); h != h0 {
		t.Error("the same event spelled differently hashes differently")
	}
}

// TestHashIsStable pins the encoding: auditors and old exports rely on it.
// The expected value was computed independently (a dozen lines of Python
// following the encoding documented in Encode).
// Change it only with a new encoding version.
func TestHashIsStable(t *testing.T) {
	h, err := auditlog.Hash(auditlog.Genesis, record(1))
	if err != nil {
		t.Fatal(err)
	}
	const want = "ad83d74e1a8c08f74c6838787ab732c4d9fe000a10e050ee304ecd3f1937db2d"
	if h.String() != want {
		t.Errorf("hash of the reference event = %s, want %s", h, want)
	}
}

// chain builds n chained records and a checkpoint over the first cp.
func chain(t *testing.T, n int) []auditlog.Record {
	t.Helper()
	prev := auditlog.Genesis
	var rs []auditlog.Record
	for i := 1; i <= n; i++ {
		r := record(int64(i))
		r.PrevHash = prev
		h, err := auditlog.Hash(prev, r)
		if err != nil {
			t.Fatal(err)
		}
		r.Hash, prev = h, h
		rs = append(rs, r)
	}
	return rs
}

// rehash recomputes r's hash from its stored prev_hash, as an attacker who
// knows the algorithm would.
func rehash(t *testing.T, r *auditlog.Record) {
	t.Helper()
	h, err := auditlog.Hash(r.PrevHash, *r)
	if err != nil {
		t.Fatal(err)
	}
	r.Hash = h
}

func testKey(t *testing.T) *auditlog.Key {
	t.Helper()
	k, err := auditlog.LoadKey(filepath.Join(t.TempDir(), "access.key"), true)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestVerifyNamesTheFirstFailure(t *testing.T) {
	key := testKey(t)
	tests := []struct {
		name       string
		tamper     func(rs []auditlog.Record) []auditlog.Record
		head       func(h *auditlog.Head)
		wantSeq    int64
		wantReason string
	}{
		{name: "intact", tamper: func(rs []auditlog.Record) []auditlog.Record { return rs }},
		{name: "field edited", tamper: func(rs []auditlog.Record) []auditlog.Record {
			rs[3].Actor = "mallory"
			return rs
		}, wantSeq: 4, wantReason: auditlog.Changed},
		{name: "field edited and re-hashed", tamper: func(rs []auditlog.Record) []auditlog.Record {
			rs[3].Actor = "mallory"
			rehash(t, &rs[3])
			return rs
		}, wantSeq: 4, wantReason: auditlog.Changed},
		{name: "last event edited and re-hashed", tamper: func(rs []auditlog.Record) []auditlog.Record {
			rs[7].Purpose = "curiosity"
			rehash(t, &rs[7])
			return rs
		}, wantSeq: 8, wantReason: auditlog.Changed},
		{name: "hash column edited", tamper: func(rs []auditlog.Record) []auditlog.Record {
			rs[5].Hash[0] ^= 1
			return rs
		}, wantSeq: 6, wantReason: auditlog.Changed},
		{name: "deleted", tamper: func(rs []auditlog.Record) []auditlog.Record {
			return append(rs[:2:2], rs[3:]...)
		}, wantSeq: 3, wantReason: auditlog.Removed},
		{name: "deleted and later ones renumbered", tamper: func(rs []auditlog.Record) []auditlog.Record {
			out := append(rs[:2:2], rs[3:]...)
			for i := 2; i < len(out); i++ {
				out[i].Seq--
			}
			return out
		}, head: func(h *auditlog.Head) { h.Seq-- }, wantSeq: 3, wantReason: auditlog.Removed},
		{name: "tail deleted", tamper: func(rs []auditlog.Record) []auditlog.Record { return rs[:6] }, wantSeq: 7, wantReason: auditlog.Removed},
		{name: "inserted, later ones renumbered, forged one hashed", tamper: func(rs []auditlog.Record) []auditlog.Record {
			forged := record(4)
			forged.Actor, forged.PrevHash = "mallory", rs[2].Hash
			rehash(t, &forged)
			out := append(append(rs[:3:3], forged), rs[3:]...)
			for i := 4; i < len(out); i++ {
				out[i].Seq++
			}
			return out
		}, head: func(h *auditlog.Head) { h.Seq++ }, wantSeq: 4, wantReason: auditlog.Inserted},
		{name: "inserted, later ones renumbered, forged one not hashed", tamper: func(rs []auditlog.Record) []auditlog.Record {
			forged := record(4)
			forged.Actor, forged.PrevHash, forged.Hash = "mallory", rs[2].Hash, rs[3].Hash
			out := append(append(rs[:3:3], forged), rs[3:]...)
			for i := 4; i < len(out); i++ {
				out[i].Seq++
			}
			return out
		}, head: func(h *auditlog.Head) { h.Seq++ }, wantSeq: 4, wantReason: auditlog.Inserted},
		{name: "appended beyond the head", tamper: func(rs []auditlog.Record) []auditlog.Record {
			forged := record(9)
			forged.PrevHash = rs[7].Hash
			rehash(t, &forged)
			return append(rs, forged)
		}, wantSeq: 9, wantReason: auditlog.Inserted},
		{name: "no chain position", tamper: func(rs []auditlog.Record) []auditlog.Record {
			forged := record(0)
			return append(rs, forged)
		}, wantSeq: 0, wantReason: auditlog.Inserted},
		{name: "tail rewritten and re-chained", tamper: func(rs []auditlog.Record) []auditlog.Record {
			rs[2].Actor = "mallory"
			for i := 2; i < len(rs); i++ {
				rs[i].PrevHash = rs[i-1].Hash
				rehash(t, &rs[i])
			}
			return rs
		}, head: func(h *auditlog.Head) { h.Hash = auditlog.Digest{} }, wantSeq: 5, wantReason: auditlog.BadCheckpoint},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs := chain(t, 8)
			first := key.SignCheckpoint(2, rs[1].Hash, t0, nil)
			cps := []auditlog.Checkpoint{first, key.SignCheckpoint(5, rs[4].Hash, t0.Add(time.Minute), &first)}
			head := auditlog.Head{Seq: 8, Hash: rs[7].Hash}
			rs = tt.tamper(rs)
			if tt.head != nil {
				tt.head(&head)
				if head.Hash == (auditlog.Digest{}) {
					head.Hash = rs[len(rs)-1].Hash
				}
			}
			rep, err := auditlog.Verify(auditlog.Chain{FirstSeq: 1, Prev: auditlog.Genesis, Head: &head,
				Records: auditlog.Slice(rs), Checkpoints: cps, Keys: map[string]ed25519.PublicKey{key.ID: key.Public()}})
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantReason == "" {
				if !rep.OK || rep.Failure != nil || rep.Events != 8 || rep.Checkpoints != 2 || rep.LastHash != rs[7].Hash {
					t.Errorf("intact chain: %+v, want OK with 8 events and 2 checkpoints", rep)
				}
				return
			}
			if rep.OK || rep.Failure == nil {
				t.Fatalf("tampered chain verified: %+v", rep)
			}
			if rep.Failure.Seq != tt.wantSeq || rep.Failure.Reason != tt.wantReason {
				t.Errorf("failure = seq %d %s (%s), want seq %d %s", rep.Failure.Seq, rep.Failure.Reason, rep.Failure.Detail, tt.wantSeq, tt.wantReason)
			}
		})
	}
}

func TestVerifyCheckpointSignatures(t *testing.T) {
	key, other := testKey(t), testKey(t)
	rs := chain(t, 3)
	good := key.SignCheckpoint(3, rs[2].Hash, t0, nil)
	forged := good
	forged.Signature = bytes.Clone(good.Signature)
	forged.Signature[0] ^= 1
	tests := []struct {
		name       string
		cp         auditlog.Checkpoint
		keys       map[string]ed25519.PublicKey
		wantReason string
	}{
		{"good", good, map[string]ed25519.PublicKey{key.ID: key.Public()}, ""},
		{"signatures not checked", forged, nil, ""},
		{"forged signature", forged, map[string]ed25519.PublicKey{key.ID: key.Public()}, auditlog.BadCheckpoint},
		{"unknown key", other.SignCheckpoint(3, rs[2].Hash, t0, nil), map[string]ed25519.PublicKey{key.ID: key.Public()}, auditlog.BadCheckpoint},
		{"beyond the chain", key.SignCheckpoint(4, rs[2].Hash, t0, nil), map[string]ed25519.PublicKey{key.ID: key.Public()}, auditlog.Removed},
	}
	for _, tt := range tests {
		rep, err := auditlog.Verify(auditlog.Chain{FirstSeq: 1, Records: auditlog.Slice(rs),
			Checkpoints: []auditlog.Checkpoint{tt.cp}, Keys: tt.keys})
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		if rep.Failure != nil {
			got = rep.Failure.Reason
		}
		if got != tt.wantReason || rep.OK != (tt.wantReason == "") {
			t.Errorf("%s: failure %q (%+v), want %q", tt.name, got, rep.Failure, tt.wantReason)
		}
		if rep.SignaturesChecked != (tt.keys != nil) {
			t.Errorf("%s: signatures checked = %v", tt.name, rep.SignaturesChecked)
		}
	}
}

func TestExportSignedAndChecked(t *testing.T) {
	key, other := testKey(t), testKey(t)
	rs := chain(t, 12)
	to := t0.Add(time.Hour)
	payload := auditlog.ExportPayload{From: &t0, To: &to, ExportedAt: t0.Add(2 * time.Hour),
		ExportedBy: "auditor-ID", FirstSeq: 3, LastSeq: 12, PrevHash: rs[1].Hash, Events: rs[2:],
		Checkpoints: []auditlog.Checkpoint{key.SignCheckpoint(5, rs[4].Hash, t0, nil)}}
	ex, err := key.SignExport(payload)
	if err != nil {
		t.Fatal(err)
	}
	file, err := json.MarshalIndent(ex, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := auditlog.VerifyExport(file, key.Public())
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK || rep.Events != 10 || rep.Checkpoints != 1 || !rep.KeyTrusted {
		t.Fatalf("intact export: %+v", rep)
	}

	// Re-indented: still good.
	var compact bytes.Buffer
	if err := json.Compact(&compact, file); err != nil {
		t.Fatal(err)
	}
	if rep, _ := auditlog.VerifyExport(compact.Bytes(), nil); !rep.OK || rep.KeyTrusted {
		t.Errorf("compacted export with the file's own key: %+v, want OK, key not trusted", rep)
	}
	// Someone else's key.
	if rep, _ := auditlog.VerifyExport(file, other.Public()); rep.OK || rep.Failure.Reason != auditlog.BadSignature {
		t.Errorf("export checked with another key: %+v, want bad_signature", rep.Failure)
	}

	edit := func(change func(p map[string]any)) []byte {
		var doc map[string]any
		if err := json.Unmarshal(file, &doc); err != nil {
			t.Fatal(err)
		}
		change(doc["payload"].(map[string]any))
		b, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	events := func(p map[string]any) []any { return p["events"].([]any) }
	tests := []struct {
		name       string
		file       []byte
		wantSeq    int64
		wantReason string
	}{
		{"actor edited", edit(func(p map[string]any) { events(p)[1].(map[string]any)["actor"] = "mallory" }), 4, auditlog.Changed},
		{"after edited", edit(func(p map[string]any) {
			events(p)[2].(map[string]any)["after"] = map[string]any{"status": "completed", "outcome": "rejected"}
		}), 5, auditlog.Changed},
		{"event dropped", edit(func(p map[string]any) { p["events"] = append(events(p)[:1:1], events(p)[2:]...) }), 4, auditlog.Removed},
		{"last event dropped", edit(func(p map[string]any) { p["events"] = events(p)[:9] }), 12, auditlog.Removed},
		{"range edited", edit(func(p map[string]any) { p["exported_by"] = "someone" }), 0, auditlog.BadSignature},
	}
	for _, tt := range tests {
		rep, err := auditlog.VerifyExport(tt.file, key.Public())
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if rep.OK || rep.Failure == nil || rep.Failure.Seq != tt.wantSeq || rep.Failure.Reason != tt.wantReason {
			t.Errorf("%s: %+v, want seq %d %s", tt.name, rep.Failure, tt.wantSeq, tt.wantReason)
		}
	}
}

func TestLoadKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys", "audit-signing.key")
	if _, err := auditlog.LoadKey(path, false); err == nil {
		t.Fatal("LoadKey of a missing file without create: no error")
	}
	// Processes starting together get one key.
	keys := make([]*auditlog.Key, 8)
	var wg sync.WaitGroup
	for i := range keys {
		wg.Go(func() {
			k, err := auditlog.LoadKey(path, true)
			if err != nil {
				t.Error(err)
			}
			keys[i] = k
		})
	}
	wg.Wait()
	for _, k := range keys[1:] {
		if k == nil || keys[0] == nil || k.ID != keys[0].ID {
			t.Fatalf("concurrent LoadKey made different keys")
		}
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, want 0600", fi.Mode().Perm())
	}
	pub, err := auditlog.ParsePublicKey(auditlog.PublicPEM(keys[0].Public()))
	if err != nil || auditlog.KeyID(pub) != keys[0].ID {
		t.Errorf("public PEM round trip: %v", err)
	}
	info, _ := json.Marshal(keys[0].Info())
	if pub, err := auditlog.ParsePublicKey(info); err != nil || auditlog.KeyID(pub) != keys[0].ID {
		t.Errorf("key info round trip: %v", err)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("the key folder holds %d files, want the key alone", len(entries))
	}
}

// Checkpoints are chained: removing one (from the middle, or the first)
// breaks the link of the next; checkpoints signed before links existed
// (version 1, no Prev) still verify.
func TestVerifyCheckpointLinks(t *testing.T) {
	key := testKey(t)
	rs := chain(t, 6)
	c1 := key.SignCheckpoint(2, rs[1].Hash, t0, nil)
	c2 := key.SignCheckpoint(4, rs[3].Hash, t0.Add(time.Minute), &c1)
	c3 := key.SignCheckpoint(6, rs[5].Hash, t0.Add(2*time.Minute), &c2)
	verify := func(cps ...auditlog.Checkpoint) auditlog.Report {
		t.Helper()
		head := auditlog.Head{Seq: 6, Hash: rs[5].Hash}
		rep, err := auditlog.Verify(auditlog.Chain{FirstSeq: 1, Prev: auditlog.Genesis, Head: &head,
			Records: auditlog.Slice(rs), Checkpoints: cps, Keys: map[string]ed25519.PublicKey{key.ID: key.Public()}})
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	if rep := verify(c1, c2, c3); !rep.OK || rep.Checkpoints != 3 {
		t.Errorf("linked checkpoints: %+v, want OK with 3", rep)
	}
	if rep := verify(c1, c3); rep.OK || rep.Failure.Seq != 6 || rep.Failure.Reason != auditlog.BadCheckpoint {
		t.Errorf("the middle checkpoint removed: %+v, want a bad checkpoint at seq 6", rep)
	}
	if rep := verify(c2, c3); rep.OK || rep.Failure.Seq != 4 || rep.Failure.Reason != auditlog.BadCheckpoint {
		t.Errorf("the first checkpoint removed: %+v, want a bad checkpoint at seq 4", rep)
	}
	// A version 1 checkpoint (no link), then a linked one after it.
	old := c1
	old.Prev = nil
	old.Signature = key.Sign(auditlog.CheckpointMessage(old.Seq, old.Hash, old.SignedAt, old.KeyID, nil))
	next := key.SignCheckpoint(4, rs[3].Hash, t0.Add(time.Minute), &old)
	if rep := verify(old, next); !rep.OK || rep.Checkpoints != 2 {
		t.Errorf("a version 1 checkpoint followed by a linked one: %+v, want OK", rep)
	}
}
