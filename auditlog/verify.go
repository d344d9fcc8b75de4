package auditlog

import (
	"crypto/ed25519"
	"fmt"
	"iter"
	"slices"
)

// Reasons a verification fails.
const (
	Changed       = "changed"        // the event's content is not what was hashed
	Removed       = "removed"        // an event is missing from the chain
	Inserted      = "inserted"       // an event was added behind the application's back
	BadCheckpoint = "bad_checkpoint" // a checkpoint's signature fails, or the chain no longer ends in its hash
	BadSignature  = "bad_signature"  // an export's signature fails
)

// Failure names the first event that fails and why.
type Failure struct {
	Seq     int64  `json:"seq"` // the chain position; 0 for an event with none
	EventID string `json:"event_id,omitempty"`
	Reason  string `json:"reason"`
	Detail  string `json:"detail"`
}

func (f *Failure) Error() string {
	return fmt.Sprintf("audit trail fails at seq %d: %s: %s", f.Seq, f.Reason, f.Detail)
}

// Head is what the store says the chain ends with.
type Head struct {
	Seq  int64  `json:"seq"`
	Hash Digest `json:"hash"`
}

// Chain is what Verify checks: records in chain order starting at FirstSeq
// after an event whose hash is Prev, with the checkpoints signed over them.
type Chain struct {
	FirstSeq int64  // 1 for the whole trail
	Prev     Digest // Genesis for the whole trail
	// LastSeq, when not 0, is the position the records must reach.
	LastSeq int64
	// Head, when not nil, is the store's chain head: records beyond it were
	// inserted, a head beyond the records means some were removed.
	Head        *Head
	Records     iter.Seq2[Record, error]
	Checkpoints []Checkpoint
	// Keys are the trusted public keys by key ID; nil skips the signature
	// check of checkpoints (the hashes they sign are still compared).
	Keys map[string]ed25519.PublicKey
}

// Report is the outcome of a verification.
type Report struct {
	OK                bool        `json:"ok"`
	Events            int64       `json:"events"`
	FirstSeq          int64       `json:"first_seq"`
	LastSeq           int64       `json:"last_seq"`
	LastHash          Digest      `json:"last_hash"`
	Checkpoints       int         `json:"checkpoints"`
	LastCheckpoint    *Checkpoint `json:"last_checkpoint,omitempty"`
	SignaturesChecked bool        `json:"signatures_checked"`
	Failure           *Failure    `json:"failure,omitempty"`
}

// Verify recomputes the chain from in.Prev, trusting no stored hash, and
// compares it with every stored hash, the head and every checkpoint. It
// stops at the first failure and names it in the report; the error is for
// records it could not read at all.
func Verify(in Chain) (Report, error) {
	v := &verifier{in: in, exp: in.FirstSeq, prev: in.Prev, lastGood: in.FirstSeq - 1,
		rep: Report{FirstSeq: in.FirstSeq, LastSeq: in.FirstSeq - 1, LastHash: in.Prev, SignaturesChecked: in.Keys != nil}}
	v.cps = slices.Clone(in.Checkpoints)
	slices.SortFunc(v.cps, func(a, b Checkpoint) int { return int(a.Seq - b.Seq) })
	for len(v.cps) > 0 && v.cps[0].Seq < in.FirstSeq {
		v.cps = v.cps[1:]
	}
	var pending *Record
	for r, err := range in.Records {
		if err != nil {
			return v.rep, err
		}
		if pending != nil {
			if f, err := v.check(*pending, &r); f != nil || err != nil {
				return v.fail(f), err
			}
		}
		pending = &r
	}
	if pending != nil {
		if f, err := v.check(*pending, nil); f != nil || err != nil {
			return v.fail(f), err
		}
	}
	last := v.exp - 1
	if in.Head != nil {
		switch {
		case in.Head.Seq > last:
			return v.fail(&Failure{Seq: last + 1, Reason: Removed,
				Detail: fmt.Sprintf("the chain head says the trail has %d events but it ends at %d", in.Head.Seq, last)}), nil
		case in.Head.Seq == last && in.Head.Hash != v.prev:
			return v.fail(&Failure{Seq: last, Reason: Changed,
				Detail: "the last event was changed and re-hashed: the chain head still holds its original hash"}), nil
		}
	}
	if in.LastSeq != 0 && in.LastSeq > last {
		return v.fail(&Failure{Seq: last + 1, Reason: Removed,
			Detail: fmt.Sprintf("the events should run to seq %d but end at %d", in.LastSeq, last)}), nil
	}
	if len(v.cps) > 0 {
		c := v.cps[0]
		return v.fail(&Failure{Seq: last + 1, Reason: Removed,
			Detail: fmt.Sprintf("a checkpoint signed at %s covers seq %d but the chain ends at %d", c.SignedAt.Format("2006-01-02T15:04:05Z07:00"), c.Seq, last)}), nil
	}
	v.rep.OK = true
	return v.rep, nil
}

type verifier struct {
	in       Chain
	exp      int64  // the seq the next record must have
	prev     Digest // the recomputed hash of the record before it
	cps      []Checkpoint
	lastGood int64 // the seq of the last checkpoint that held
	rep      Report
}

func (v *verifier) fail(f *Failure) Report {
	v.rep.Failure = f
	return v.rep
}

// check checks r, the record at v.exp, given the record after it (nil at
// the end), which tells an inserted event from a changed one.
func (v *verifier) check(r Record, next *Record) (*Failure, error) {
	at := func(seq int64, reason, format string, args ...any) *Failure {
		return &Failure{Seq: seq, EventID: r.ID.String(), Reason: reason, Detail: fmt.Sprintf(format, args...)}
	}
	switch {
	case r.Seq == 0:
		return at(0, Inserted, "event %s has no place in the chain", r.ID), nil
	case v.in.Head != nil && r.Seq > v.in.Head.Seq:
		return at(r.Seq, Inserted, "the event is beyond the chain head (seq %d)", v.in.Head.Seq), nil
	case r.Seq < v.exp:
		return at(r.Seq, Inserted, "a second event claims seq %d", r.Seq), nil
	case r.Seq > v.exp:
		f := at(v.exp, Removed, "the chain jumps from seq %d to %d", v.exp-1, r.Seq)
		f.EventID = ""
		return f, nil
	}
	h, err := Hash(v.prev, r)
	if err != nil {
		return nil, err
	}
	if h != r.Hash || r.PrevHash != v.prev {
		return v.classify(r, next, at)
	}
	v.prev, v.exp = h, v.exp+1
	v.rep.Events++
	v.rep.LastSeq, v.rep.LastHash = r.Seq, h
	return v.checkpoints(r.Seq), nil
}

// classify explains why r, at its expected position, does not chain.
func (v *verifier) classify(r Record, next *Record, at func(int64, string, string, ...any) *Failure) (*Failure, error) {
	hashAs := func(x Record, seq int64) (Digest, error) {
		x.Seq = seq
		return Hash(x.PrevHash, x)
	}
	self, err := hashAs(r, r.Seq)
	if err != nil {
		return nil, err
	}
	selfOK := self == r.Hash
	if !selfOK {
		if h, err := hashAs(r, r.Seq-1); err == nil && h == r.Hash && r.Seq-1 >= v.in.FirstSeq {
			return at(r.Seq-1, Inserted, "an event was inserted at seq %d: the event now at %d was written as %d", r.Seq-1, r.Seq, r.Seq-1), nil
		}
		if h, err := hashAs(r, r.Seq+1); err == nil && h == r.Hash {
			f := at(r.Seq, Removed, "the event at seq %d was removed and the later events renumbered", r.Seq)
			f.EventID = ""
			return f, nil
		}
		if next != nil && next.Seq == r.Seq+1 {
			if h, err := hashAs(*next, r.Seq); err == nil && h == next.Hash {
				return at(r.Seq, Inserted, "the event was not written by the application: the event after it was written as seq %d", r.Seq), nil
			}
		}
		return at(r.Seq, Changed, "its content no longer matches its hash"), nil
	}
	// r is intact but does not link to the event before it.
	genuine := next != nil && next.PrevHash == r.Hash ||
		next == nil && v.in.Head != nil && v.in.Head.Seq == r.Seq && v.in.Head.Hash == r.Hash
	switch {
	case r.Seq == v.in.FirstSeq:
		return at(r.Seq, Changed, "it does not link to the hash the chain starts from"), nil
	case genuine:
		f := at(r.Seq-1, Changed, "the event was changed and re-hashed: the event after it still links to its original hash")
		f.EventID = ""
		return f, nil
	}
	return at(r.Seq, Inserted, "it does not link to the event before it"), nil
}

// checkpoints checks the checkpoints signed at seq, now that the chain up
// to seq is recomputed.
func (v *verifier) checkpoints(seq int64) *Failure {
	for len(v.cps) > 0 && v.cps[0].Seq == seq {
		c := v.cps[0]
		v.cps = v.cps[1:]
		when := c.SignedAt.UTC().Format("2006-01-02T15:04:05Z")
		if v.in.Keys != nil {
			pub, ok := v.in.Keys[c.KeyID]
			if !ok {
				return &Failure{Seq: seq, Reason: BadCheckpoint, Detail: fmt.Sprintf("the checkpoint signed at %s names key %s, which is not trusted", when, c.KeyID)}
			}
			if !c.verifySignature(pub) {
				return &Failure{Seq: seq, Reason: BadCheckpoint, Detail: fmt.Sprintf("the signature of the checkpoint signed at %s does not verify with key %s", when, c.KeyID)}
			}
		}
		if c.Hash != v.prev {
			return &Failure{Seq: seq, Reason: BadCheckpoint, Detail: fmt.Sprintf(
				"the chain up to seq %d no longer ends in the hash signed at %s: events %d to %d were rewritten and re-hashed",
				seq, when, v.lastGood+1, seq)}
		}
		// A linked checkpoint names the one before it: one removed (or
		// signed out of turn) between them breaks the link. The first
		// checkpoint of a range (an export) has nothing here to link to.
		if c.Prev != nil && v.rep.LastCheckpoint == nil && v.in.FirstSeq == 1 && *c.Prev != (Digest{}) {
			return &Failure{Seq: seq, Reason: BadCheckpoint, Detail: fmt.Sprintf(
				"the checkpoint signed at %s links to an earlier checkpoint, which was removed", when)}
		}
		if c.Prev != nil && v.rep.LastCheckpoint != nil && *c.Prev != v.rep.LastCheckpoint.Link() {
			return &Failure{Seq: seq, Reason: BadCheckpoint, Detail: fmt.Sprintf(
				"the checkpoint signed at %s does not link to the checkpoint at seq %d: a checkpoint between them was removed",
				when, v.rep.LastCheckpoint.Seq)}
		}
		v.lastGood = seq
		v.rep.Checkpoints++
		v.rep.LastCheckpoint = &c
	}
	return nil
}

// Slice yields records from a slice, for Chain.Records.
func Slice(rs []Record) iter.Seq2[Record, error] {
	return func(yield func(Record, error) bool) {
		for _, r := range rs {
			if !yield(r, nil) {
				return
			}
		}
	}
}
