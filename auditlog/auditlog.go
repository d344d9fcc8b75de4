// Package auditlog makes Lindungi's audit trail tamper-evident: the
// canonical encoding of an event, the SHA-256 hash chain over all events,
// Ed25519-signed checkpoints and exports, and the verifier that names the
// first event that fails. It does no I/O beyond reading key files; the
// store feeds it rows and the command line feeds it export files.
package auditlog

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
)

// Digest is a SHA-256 hash; it reads and writes as 64 hex digits.
type Digest [sha256.Size]byte

// Genesis is the hash the first event of the chain links to.
var Genesis Digest

func (d Digest) String() string { return hex.EncodeToString(d[:]) }

// MarshalText writes the digest in hex.
func (d Digest) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads 64 hex digits.
func (d *Digest) UnmarshalText(b []byte) error {
	if len(b) != 2*sha256.Size {
		return fmt.Errorf("a hash is %d hex digits, got %d", 2*sha256.Size, len(b))
	}
	_, err := hex.Decode(d[:], b)
	return err
}

// DigestOf converts stored bytes; anything but 32 bytes gives false.
func DigestOf(b []byte) (Digest, bool) {
	var d Digest
	if len(b) != len(d) {
		return d, false
	}
	copy(d[:], b)
	return d, true
}

// Record is an event as the trail holds it: its position in the chain (Seq,
// gap-free from 1), its ID, the event, the hash of its predecessor and its
// own hash.
type Record struct {
	Seq int64     `json:"seq"` // 0 for a row that has no place in the chain
	ID  uuid.UUID `json:"id"`
	lindungi.Event
	PrevHash Digest `json:"prev_hash"`
	Hash     Digest `json:"hash"`
}

// encodingVersion starts every encoded event, so that a later change of the
// encoding cannot be confused with this one.
const encodingVersion = "lindungi-audit-event-v1"

// Encode returns the canonical bytes of every field of r but its hashes:
// each field is a 4-byte big-endian length and its bytes (0xFFFFFFFF for
// an absent worker ID or before/after), so no two events encode alike.
// Times are UTC RFC 3339 with nanoseconds; before and after are canonical
// JSON (CanonicalJSON), so the jsonb column's own spelling does not matter.
func Encode(r Record) ([]byte, error) {
	before, err := canonicalOrNil(r.Before)
	if err != nil {
		return nil, fmt.Errorf("event %d before: %w", r.Seq, err)
	}
	after, err := canonicalOrNil(r.After)
	if err != nil {
		return nil, fmt.Errorf("event %d after: %w", r.Seq, err)
	}
	var worker []byte
	if r.WorkerID != nil {
		worker = []byte(r.WorkerID.String())
	}
	var b bytes.Buffer
	for _, f := range [][]byte{
		[]byte(encodingVersion),
		[]byte(strconv.FormatInt(r.Seq, 10)),
		[]byte(r.ID.String()),
		[]byte(r.OccurredAt.UTC().Format(time.RFC3339Nano)),
		[]byte(r.Actor), []byte(r.ActorUnit), []byte(r.ActorRole),
		[]byte(r.Action), []byte(r.SubjectType), []byte(r.SubjectID),
		worker, before, after,
		[]byte(r.Rule), []byte(r.Policy), []byte(r.WorkflowID), []byte(r.RunID), []byte(r.RequestID),
		[]byte(r.Purpose),
	} {
		writeField(&b, f)
	}
	return b.Bytes(), nil
}

// writeField writes a length-prefixed field; nil is the absent marker,
// distinct from an empty field.
func writeField(b *bytes.Buffer, f []byte) {
	n := uint32(len(f))
	if f == nil {
		n = 0xFFFFFFFF
	}
	b.Write(binary.BigEndian.AppendUint32(nil, n))
	b.Write(f)
}

func canonicalOrNil(raw json.RawMessage) ([]byte, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	c, err := CanonicalJSON(raw)
	if c == nil && err == nil {
		c = []byte{}
	}
	return c, err
}

// Hash returns SHA-256(prev || Encode(r)): the hash r must carry when it
// follows an event whose hash is prev.
func Hash(prev Digest, r Record) (Digest, error) {
	enc, err := Encode(r)
	if err != nil {
		return Digest{}, err
	}
	h := sha256.New()
	h.Write(prev[:])
	h.Write(enc)
	var d Digest
	h.Sum(d[:0])
	return d, nil
}

// CanonicalJSON re-encodes one JSON value so that equal values give equal
// bytes: objects with their keys sorted bytewise (the last of duplicate
// keys wins, as in PostgreSQL's jsonb), no insignificant space, strings
// escaped one way, and numbers as exact decimals in the shortest form
// (digits without leading or trailing zeros, then e and the exponent when
// it is not zero: 1.50 and 15e-1 are both 15e-1, 100 is 1e2).
func CanonicalJSON(raw []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("canonical JSON: %w", err)
	}
	// Only white space may follow the value: another value, or bytes that
	// are no JSON at all ("0A0" must not read as 0), are refused.
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("canonical JSON: more than one value, or bytes after the value")
	}
	var b bytes.Buffer
	if err := writeCanonical(&b, v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func writeCanonical(b *bytes.Buffer, v any) error {
	switch v := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(v))
	case json.Number:
		n, err := canonicalNumber(string(v))
		if err != nil {
			return err
		}
		b.WriteString(n)
	case string:
		writeString(b, v)
	case []any:
		b.WriteByte('[')
		for i, e := range v {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := writeCanonical(b, e); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			writeString(b, k)
			b.WriteByte(':')
			if err := writeCanonical(b, v[k]); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	default:
		return fmt.Errorf("canonical JSON: unexpected %T", v)
	}
	return nil
}

// writeString escapes only what JSON requires: the quote, the backslash
// and control characters.
func writeString(b *bytes.Buffer, s string) {
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20:
			fmt.Fprintf(b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
}

// canonicalNumber writes a JSON number literal as exact decimal digits and
// a power of ten.
func canonicalNumber(s string) (string, error) {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	mant, exp := s, "0"
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		mant, exp = s[:i], s[i+1:]
	}
	e, ok := new(big.Int).SetString(strings.TrimPrefix(exp, "+"), 10)
	if !ok {
		return "", fmt.Errorf("canonical JSON: bad number %q", s)
	}
	intPart, frac, _ := strings.Cut(mant, ".")
	digits := strings.TrimLeft(intPart+frac, "0")
	e.Sub(e, big.NewInt(int64(len(frac))))
	if digits == "" {
		return "0", nil
	}
	trimmed := strings.TrimRight(digits, "0")
	e.Add(e, big.NewInt(int64(len(digits)-len(trimmed))))
	out := trimmed
	if neg {
		out = "-" + out
	}
	if e.Sign() != 0 {
		out += "e" + e.String()
	}
	return out, nil
}

// Filter selects the events of a worker's trace.
type Filter struct {
	From, To     time.Time // zero for no bound; To is exclusive
	ActionPrefix string    // "task." keeps task events
	After        int64     // the seq of the last event already seen
	Limit        int
	AccessesOnly bool   // only reads of personal data (events with a purpose)
	Actor        string // only this user's events; "" for everyone's
}
