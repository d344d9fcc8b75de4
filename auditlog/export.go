package auditlog

import (
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"
)

// ExportFormat names the export document's format.
const ExportFormat = "lindungi-audit-export-v1"

// ExportPayload is the signed part of an export: a stretch of the chain
// (FirstSeq to LastSeq), the hash it starts from, and the checkpoints
// signed within it. Without a Scope it holds every event of the stretch;
// with one, only the events in the reach of that unit (Query.Unit), each
// with the hash of the event before it, so that each can still be checked
// against its hash, its neighbours in the file and the checkpoints that
// fall on it, while the other units' events stay out of the file.
type ExportPayload struct {
	Format      string       `json:"format"`
	From        *time.Time   `json:"from,omitempty"` // as asked; absent for the start of the trail
	To          *time.Time   `json:"to,omitempty"`   // as asked, exclusive; absent for its end
	Scope       string       `json:"scope,omitempty"`
	ExportedAt  time.Time    `json:"exported_at"`
	ExportedBy  string       `json:"exported_by"`
	FirstSeq    int64        `json:"first_seq"`
	LastSeq     int64        `json:"last_seq"`
	PrevHash    Digest       `json:"prev_hash"` // the hash of event FirstSeq-1, Genesis for the first
	Events      []Record     `json:"events"`
	Checkpoints []Checkpoint `json:"checkpoints"`
}

// Export is the document GET /v1/audit/export answers and `lindungi audit
// verify --export` reads: the payload and an Ed25519 signature over its
// canonical JSON (CanonicalJSON), so re-indenting the file breaks nothing
// and changing any value breaks the signature.
type Export struct {
	Payload   json.RawMessage `json:"payload"`
	KeyID     string          `json:"key_id"`
	PublicKey []byte          `json:"public_key"` // base64; trust it only if KeyID is the one you know
	Signature []byte          `json:"signature"`  // base64
}

// SignExport returns the signed export of p.
func (k *Key) SignExport(p ExportPayload) (Export, error) {
	p.Format = ExportFormat
	raw, err := json.Marshal(p)
	if err != nil {
		return Export{}, err
	}
	canon, err := CanonicalJSON(raw)
	if err != nil {
		return Export{}, err
	}
	return Export{Payload: raw, KeyID: k.ID, PublicKey: k.Public(), Signature: k.Sign(canon)}, nil
}

// ExportReport is the outcome of checking an export offline.
type ExportReport struct {
	Report
	// KeyTrusted is true when the signature was checked with a key the
	// caller supplied, false when only with the key the file names.
	KeyTrusted bool   `json:"key_trusted"`
	KeyID      string `json:"key_id"`
	// What the file says of itself: the unit whose events it keeps ("" for
	// every unit's), who exported it and when.
	Scope      string    `json:"scope,omitempty"`
	ExportedBy string    `json:"exported_by"`
	ExportedAt time.Time `json:"exported_at"`
}

// VerifyExport checks an export file: the signature over the payload (with
// trusted when not nil, else with the key the file carries), and the
// chain links, hashes and checkpoints within it. The report names the
// first event that fails; a file whose chain holds but whose signature
// does not fails with BadSignature.
func VerifyExport(file []byte, trusted ed25519.PublicKey) (ExportReport, error) {
	var ex Export
	if err := json.Unmarshal(file, &ex); err != nil {
		return ExportReport{}, fmt.Errorf("not an export file: %w", err)
	}
	if len(ex.Payload) == 0 {
		return ExportReport{}, errors.New("not an export file: no payload")
	}
	var p ExportPayload
	if err := json.Unmarshal(ex.Payload, &p); err != nil {
		return ExportReport{}, fmt.Errorf("export payload: %w", err)
	}
	if p.Format != ExportFormat {
		return ExportReport{}, fmt.Errorf("export format %q, want %q", p.Format, ExportFormat)
	}
	out := ExportReport{KeyID: ex.KeyID, KeyTrusted: trusted != nil, Scope: p.Scope, ExportedBy: p.ExportedBy, ExportedAt: p.ExportedAt}
	pub := trusted
	if pub == nil {
		pub = ed25519.PublicKey(ex.PublicKey)
	}
	keyOK := len(pub) == ed25519.PublicKeySize && KeyID(pub) == ex.KeyID
	canon, err := CanonicalJSON(ex.Payload)
	if err != nil {
		return out, err
	}
	sigOK := keyOK && ed25519.Verify(pub, canon, ex.Signature)

	first := p.FirstSeq
	if len(p.Events) == 0 && first == 0 {
		first = 1
	}
	var keys map[string]ed25519.PublicKey
	if keyOK {
		keys = map[string]ed25519.PublicKey{ex.KeyID: pub}
	}
	var rep Report
	if p.Scope != "" {
		rep, err = verifyScoped(p, keys)
	} else {
		rep, err = Verify(Chain{FirstSeq: first, Prev: p.PrevHash, LastSeq: p.LastSeq,
			Records: Slice(p.Events), Checkpoints: p.Checkpoints, Keys: keys})
	}
	if err != nil {
		return out, err
	}
	out.Report = rep
	if rep.Failure == nil && !sigOK {
		detail := "the payload was changed after it was signed"
		if !keyOK {
			detail = fmt.Sprintf("the file is signed by key %s, not by the key given", ex.KeyID)
		}
		out.OK, out.Failure = false, &Failure{Reason: BadSignature, Detail: detail}
	} else if rep.Failure != nil && !sigOK {
		out.Failure.Detail += "; the export's signature does not verify either"
	}
	return out, nil
}

// verifyScoped checks the events of a scoped export, which leaves out the
// events of other units: each event's hash is recomputed from the hash it
// links to; neighbours in the file (seq n and n+1) must link; the first
// event of the stretch must link to PrevHash; and each checkpoint (its
// signature, with keys) must match the event it falls on, or the link of
// the event after it, when the file has either. The report names the
// first event that fails.
func verifyScoped(p ExportPayload, keys map[string]ed25519.PublicKey) (Report, error) {
	rep := Report{FirstSeq: p.FirstSeq, LastSeq: p.FirstSeq - 1, LastHash: p.PrevHash, SignaturesChecked: keys != nil}
	fail := func(seq int64, id, reason, format string, args ...any) (Report, error) {
		rep.Failure = &Failure{Seq: seq, EventID: id, Reason: reason, Detail: fmt.Sprintf(format, args...)}
		return rep, nil
	}
	bySeq := make(map[int64]Record, len(p.Events))
	var prev *Record
	for _, r := range p.Events {
		id := r.ID.String()
		switch {
		case r.Seq < p.FirstSeq || r.Seq > p.LastSeq:
			return fail(r.Seq, id, Inserted, "the event is outside the stretch the export covers (seq %d to %d)", p.FirstSeq, p.LastSeq)
		case prev != nil && r.Seq <= prev.Seq:
			return fail(r.Seq, id, Inserted, "a second event claims seq %d, or the events are out of order", r.Seq)
		}
		h, err := Hash(r.PrevHash, r)
		if err != nil {
			return rep, err
		}
		switch {
		case h != r.Hash:
			return fail(r.Seq, id, Changed, "its content no longer matches its hash")
		case r.Seq == p.FirstSeq && r.PrevHash != p.PrevHash:
			return fail(r.Seq, id, Changed, "it does not link to the hash the stretch starts from")
		case prev != nil && prev.Seq == r.Seq-1 && r.PrevHash != prev.Hash:
			return fail(r.Seq-1, prev.ID.String(), Changed, "the event after it does not link to its hash: one of the two was changed and re-hashed")
		}
		bySeq[r.Seq] = r
		prev = &r
		rep.Events++
		rep.LastSeq, rep.LastHash = r.Seq, r.Hash
	}
	cps := slices.Clone(p.Checkpoints)
	slices.SortFunc(cps, func(a, b Checkpoint) int { return int(a.Seq - b.Seq) })
	for _, c := range cps {
		when := c.SignedAt.UTC().Format("2006-01-02T15:04:05Z")
		if keys != nil {
			pub, ok := keys[c.KeyID]
			if !ok {
				return fail(c.Seq, "", BadCheckpoint, "the checkpoint signed at %s names key %s, which is not trusted", when, c.KeyID)
			}
			if !c.verifySignature(pub) {
				return fail(c.Seq, "", BadCheckpoint, "the signature of the checkpoint signed at %s does not verify with key %s", when, c.KeyID)
			}
		}
		if r, ok := bySeq[c.Seq]; ok && r.Hash != c.Hash {
			return fail(c.Seq, r.ID.String(), BadCheckpoint, "the event no longer has the hash signed at %s: it was rewritten and re-hashed", when)
		}
		if r, ok := bySeq[c.Seq+1]; ok && r.PrevHash != c.Hash {
			return fail(c.Seq+1, r.ID.String(), BadCheckpoint, "the event does not link to the hash signed at %s for the event before it", when)
		}
		rep.Checkpoints++
		rep.LastCheckpoint = &c
	}
	rep.OK = true
	return rep, nil
}
