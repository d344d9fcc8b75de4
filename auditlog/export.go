package auditlog

import (
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// ExportFormat names the export document's format.
const ExportFormat = "lindungi-audit-export-v1"

// ExportPayload is the signed part of an export: a contiguous stretch of
// the chain (FirstSeq to LastSeq, every event between them), the hash it
// starts from, and the checkpoints signed within it.
type ExportPayload struct {
	Format      string       `json:"format"`
	From        *time.Time   `json:"from,omitempty"` // as asked; absent for the start of the trail
	To          *time.Time   `json:"to,omitempty"`   // as asked, exclusive; absent for its end
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
	out := ExportReport{KeyID: ex.KeyID, KeyTrusted: trusted != nil}
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
	rep, err := Verify(Chain{FirstSeq: first, Prev: p.PrevHash, LastSeq: p.LastSeq,
		Records: Slice(p.Events), Checkpoints: p.Checkpoints, Keys: keys})
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
