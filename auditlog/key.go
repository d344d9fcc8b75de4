package auditlog

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// Key is the server's Ed25519 key that signs checkpoints and exports.
type Key struct {
	ID      string // KeyID of the public key
	Private ed25519.PrivateKey
}

// Public returns the public half of k.
func (k *Key) Public() ed25519.PublicKey { return k.Private.Public().(ed25519.PublicKey) }

// Sign signs msg.
func (k *Key) Sign(msg []byte) []byte { return ed25519.Sign(k.Private, msg) }

// KeyID names a public key: "ed25519:" and the first 16 hex digits of the
// SHA-256 of its 32 bytes.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return "ed25519:" + hex.EncodeToString(sum[:8])
}

// PublicPEM returns the public key as a PEM "PUBLIC KEY" block (PKIX).
func PublicPEM(pub ed25519.PublicKey) []byte {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		panic(err) // an ed25519.PublicKey always marshals
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

// ErrNoKey is returned by LoadKey when the key file does not exist.
var ErrNoKey = errors.New("no audit signing key")

// LoadKey reads the private key (PKCS #8 PEM) at path. When the file does
// not exist it returns ErrNoKey, or, with create, makes a new key there
// (mode 0600). Two processes creating it at once end up with the same key:
// the file appears whole, by a hard link, or not at all.
func LoadKey(path string, create bool) (*Key, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		if !create {
			return nil, fmt.Errorf("%w: %s does not exist", ErrNoKey, path)
		}
		if err := createKey(path); err != nil {
			return nil, fmt.Errorf("create audit signing key %s: %w", path, err)
		}
		return LoadKey(path, false)
	}
	if err != nil {
		return nil, fmt.Errorf("audit signing key: %w", err)
	}
	block, _ := pem.Decode(b)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("audit signing key %s: not a PEM private key", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("audit signing key %s: %w", path, err)
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("audit signing key %s: not an Ed25519 key", path)
	}
	key := &Key{Private: priv}
	key.ID = KeyID(key.Public())
	return key, nil
}

func createKey(path string) error {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".audit-key-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if err := pem.Encode(tmp, &pem.Block{Type: "PRIVATE KEY", Bytes: der}); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Link(tmp.Name(), path); err != nil && !errors.Is(err, os.ErrExist) {
		return err
	}
	return nil
}

// ReadPublicKey reads a public key from a file holding a PEM "PUBLIC KEY",
// a PEM private key (its public half is used), or the JSON answer of GET
// /v1/audit/key.
func ReadPublicKey(path string) (ed25519.PublicKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParsePublicKey(b)
}

// ReadPublicKeys reads every PEM public key of a file, such as the keys a
// rotation retired (LINDUNGI_AUDIT_PUBLIC_KEYS_FILE), by key ID; a file of
// one key in any form ReadPublicKey takes is read as that key.
func ReadPublicKeys(path string) (map[string]ed25519.PublicKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	keys := map[string]ed25519.PublicKey{}
	for rest := b; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		pub, err := ParsePublicKey(pem.EncodeToMemory(block))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		keys[KeyID(pub)] = pub
	}
	if len(keys) == 0 {
		pub, err := ParsePublicKey(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		keys[KeyID(pub)] = pub
	}
	return keys, nil
}

// ParsePublicKey reads a public key as ReadPublicKey does.
func ParsePublicKey(b []byte) (ed25519.PublicKey, error) {
	if t := bytes.TrimSpace(b); len(t) > 0 && t[0] == '{' {
		var info KeyInfo
		if err := json.Unmarshal(t, &info); err != nil {
			return nil, fmt.Errorf("public key JSON: %w", err)
		}
		b = []byte(info.PublicKeyPEM)
	}
	block, _ := pem.Decode(b)
	if block == nil {
		return nil, errors.New("not a PEM key")
	}
	switch block.Type {
	case "PUBLIC KEY":
		k, err := x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			return nil, err
		}
		if pub, ok := k.(ed25519.PublicKey); ok {
			return pub, nil
		}
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, err
		}
		if priv, ok := k.(ed25519.PrivateKey); ok {
			return priv.Public().(ed25519.PublicKey), nil
		}
	}
	return nil, errors.New("not an Ed25519 key")
}

// KeyInfo describes the public key auditors check signatures with.
type KeyInfo struct {
	KeyID        string `json:"key_id"`
	Algorithm    string `json:"algorithm"`
	PublicKey    []byte `json:"public_key"` // the 32 raw bytes, base64 in JSON
	PublicKeyPEM string `json:"public_key_pem"`
}

// Info describes k's public key.
func (k *Key) Info() KeyInfo {
	pub := k.Public()
	return KeyInfo{KeyID: k.ID, Algorithm: "Ed25519", PublicKey: pub, PublicKeyPEM: string(PublicPEM(pub))}
}

// Checkpoint is a signed statement that the chain up to Seq ends in Hash.
// A checkpoint also names the one signed before it (Prev, its Link), so
// that checkpoints form a chain of their own: one removed from the store,
// or signed out of turn, breaks the next one's link. Checkpoints signed
// before the link existed have no Prev.
type Checkpoint struct {
	Seq       int64     `json:"seq"`
	Hash      Digest    `json:"hash"`
	SignedAt  time.Time `json:"signed_at"`
	KeyID     string    `json:"key_id"`
	Prev      *Digest   `json:"prev,omitempty"`
	Signature []byte    `json:"signature"` // base64 in JSON
}

const (
	checkpointVersion  = "lindungi-audit-checkpoint-v1"
	checkpointVersion2 = "lindungi-audit-checkpoint-v2" // with the previous checkpoint's link
)

// CheckpointMessage is what a checkpoint's signature signs: its fields,
// length-prefixed as in Encode; prev (the previous checkpoint's Link, the
// zero digest for the first) only in version 2, when not nil.
func CheckpointMessage(seq int64, hash Digest, signedAt time.Time, keyID string, prev *Digest) []byte {
	version := checkpointVersion
	if prev != nil {
		version = checkpointVersion2
	}
	var b bytes.Buffer
	for _, f := range [][]byte{[]byte(version), []byte(strconv.FormatInt(seq, 10)), hash[:],
		[]byte(signedAt.UTC().Format(time.RFC3339Nano)), []byte(keyID)} {
		writeField(&b, f)
	}
	if prev != nil {
		writeField(&b, prev[:])
	}
	return b.Bytes()
}

// Link is what the next checkpoint names as its Prev: the SHA-256 of this
// checkpoint's signed message and signature.
func (c Checkpoint) Link() Digest {
	h := sha256.New()
	h.Write(CheckpointMessage(c.Seq, c.Hash, c.SignedAt, c.KeyID, c.Prev))
	h.Write(c.Signature)
	var d Digest
	copy(d[:], h.Sum(nil))
	return d
}

// SignCheckpoint signs the chain head (seq, hash) at signedAt, which it
// truncates to the microsecond the database keeps, linked to prev, the
// checkpoint signed before it (nil for the first).
func (k *Key) SignCheckpoint(seq int64, hash Digest, signedAt time.Time, prev *Checkpoint) Checkpoint {
	signedAt = signedAt.UTC().Truncate(time.Microsecond)
	var link Digest
	if prev != nil {
		link = prev.Link()
	}
	return Checkpoint{Seq: seq, Hash: hash, SignedAt: signedAt, KeyID: k.ID, Prev: &link,
		Signature: k.Sign(CheckpointMessage(seq, hash, signedAt, k.ID, &link))}
}

// verifySignature reports whether c is signed by pub.
func (c Checkpoint) verifySignature(pub ed25519.PublicKey) bool {
	return ed25519.Verify(pub, CheckpointMessage(c.Seq, c.Hash, c.SignedAt, c.KeyID, c.Prev), c.Signature)
}
