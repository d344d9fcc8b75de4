package payloadcodec

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"
)

// Key is one AES-256 key. Its ID goes into the metadata of every payload it
// seals, so it must never be reused for a different Secret.
type Key struct {
	ID     string // 1 to 64 of A-Z a-z 0-9 . _ -
	Secret []byte // 32 bytes
}

// String returns the key's ID only, so that logging a Key does not leak it.
func (k Key) String() string { return "payloadcodec.Key(" + k.ID + ")" }

// LogValue logs the key's ID only.
func (k Key) LogValue() slog.Value { return slog.StringValue(k.ID) }

func (k Key) validate() error {
	if err := validateID(k.ID); err != nil {
		return err
	}
	if len(k.Secret) != 32 {
		return fmt.Errorf("payloadcodec: key %q has %d bytes, want 32", k.ID, len(k.Secret))
	}
	return nil
}

func validateID(id string) error {
	if id == "" || len(id) > 64 {
		return fmt.Errorf("payloadcodec: key ID must have 1 to 64 characters, not %d", len(id))
	}
	for _, r := range id {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '.' || r == '_' || r == '-') {
			return fmt.Errorf("payloadcodec: key ID %q has %q; use A-Z a-z 0-9 . _ -", id, r)
		}
	}
	return nil
}

// LoadOrCreateKey reads the key file at path. When the file does not exist
// and create is true, it writes a new random key there, with mode 0600, and
// returns it; use that for development, and provision keys in production.
//
// A key file holds one line:
//
//	<id>:<standard base64 of 32 random bytes>
//
// for example "20260501-3f9a1c2e:q83vEj...=". Surrounding white space is
// ignored. A new key's ID is its creation date and 8 random hex digits. To
// make a key by hand:
//
//	(umask 077; printf '%s:%s\n' "$(date -u +%Y%m%d)-manual" "$(head -c 32 /dev/urandom | base64)" > temporal.key)
func LoadOrCreateKey(path string, create bool) (Key, error) {
	k, err := readKey(path)
	if !create || !errors.Is(err, fs.ErrNotExist) {
		return k, err
	}
	k = newKey(time.Now())
	err = writeKey(path, k)
	if errors.Is(err, fs.ErrExist) {
		return readKey(path) // another process created it first
	}
	if err != nil {
		return Key{}, err
	}
	return k, nil
}

// LoadKeys reads every key of the key file at path, one per line (blank
// lines and lines starting with # are skipped): the first seals, all of
// them open. To rotate, put a new key on the first line and keep the old
// ones below it until no workflow history needs them. A missing file is
// made with one new key when create is true, as LoadOrCreateKey does.
func LoadKeys(path string, create bool) ([]Key, error) {
	if _, err := LoadOrCreateKey(path, create); err != nil {
		return nil, err
	}
	return readKeys(path)
}

func readKey(path string) (Key, error) {
	keys, err := readKeys(path)
	if err != nil {
		return Key{}, err
	}
	return keys[0], nil
}

func readKeys(path string) ([]Key, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("payloadcodec: %w", err)
	}
	var keys []Key
	for i, line := range bytes.Split(b, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		k, err := parseKey(line)
		if err != nil {
			return nil, fmt.Errorf("payloadcodec: key file %s, line %d: %w", path, i+1, err)
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("payloadcodec: key file %s: %w", path, errors.New(`want a line "<id>:<base64 of 32 bytes>"`))
	}
	return keys, nil
}

// parseKey never quotes the file, which may hold a secret.
func parseKey(b []byte) (Key, error) {
	id, secret, ok := bytes.Cut(bytes.TrimSpace(b), []byte(":"))
	if !ok {
		return Key{}, errors.New(`want one line "<id>:<base64 of 32 bytes>"`)
	}
	k := Key{ID: string(id)}
	if err := validateID(k.ID); err != nil {
		return Key{}, err
	}
	k.Secret = make([]byte, base64.StdEncoding.DecodedLen(len(secret)))
	n, err := base64.StdEncoding.Decode(k.Secret, secret)
	if err != nil {
		return Key{}, errors.New("secret is not standard base64")
	}
	k.Secret = k.Secret[:n]
	if len(k.Secret) != 32 {
		return Key{}, fmt.Errorf("secret has %d bytes, want 32", len(k.Secret))
	}
	return k, nil
}

func newKey(now time.Time) Key {
	return Key{
		ID:     now.UTC().Format("20060102") + "-" + hex.EncodeToString(randBytes(4)),
		Secret: randBytes(32),
	}
}

func randBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b) // never fails; it crashes the program instead
	return b
}

// writeKey writes k to a temporary file and links it to path, so that path
// never holds half a key and an existing file is never replaced.
func writeKey(path string, k Key) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("payloadcodec: create key: %w", err)
	}
	f, err := os.CreateTemp(dir, ".key-*") // mode 0600
	if err != nil {
		return fmt.Errorf("payloadcodec: create key: %w", err)
	}
	defer os.Remove(f.Name())
	line := k.ID + ":" + base64.StdEncoding.EncodeToString(k.Secret) + "\n"
	_, err = f.WriteString(line)
	if err == nil {
		err = f.Chmod(0o600)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("payloadcodec: create key: %w", err)
	}
	if err := os.Link(f.Name(), path); err != nil {
		return fmt.Errorf("payloadcodec: create key: %w", err)
	}
	return nil
}
