package payloadcodec_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/lindungi/lindungi/payloadcodec"
	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
)

func TestLoadOrCreateKeyCreates(t *testing.T) {
	path := filepath.Join(t.TempDir(), "secrets", "temporal.key")

	k, err := payloadcodec.LoadOrCreateKey(path, true)
	if err != nil {
		t.Fatalf("LoadOrCreateKey(create): %v", err)
	}
	if len(k.Secret) != 32 {
		t.Errorf("new secret has %d bytes, want 32", len(k.Secret))
	}
	if _, err := payloadcodec.New(k); err != nil {
		t.Errorf("New rejects a created key: %v", err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o600 {
		t.Errorf("key file mode = %v, want -rw-------", got)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := k.ID + ":" + base64.StdEncoding.EncodeToString(k.Secret) + "\n"; string(b) != want {
		t.Errorf("key file = %q, want %q", b, want)
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
		t.Errorf("key directory holds %d files, want only the key", len(entries))
	}

	for _, create := range []bool{false, true} {
		again, err := payloadcodec.LoadOrCreateKey(path, create)
		if err != nil {
			t.Fatalf("reload (create=%v): %v", create, err)
		}
		if diff := cmp.Diff(k, again); diff != "" {
			t.Errorf("reload (create=%v) gave another key (-created +reloaded):\n%s", create, diff)
		}
	}

	other, err := payloadcodec.LoadOrCreateKey(filepath.Join(t.TempDir(), "other.key"), true)
	if err != nil {
		t.Fatal(err)
	}
	if other.ID == k.ID || bytes.Equal(other.Secret, k.Secret) {
		t.Errorf("two created keys share an ID or secret: %q and %q", k.ID, other.ID)
	}
}

func TestLoadOrCreateKeyMissing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "temporal.key")
	_, err := payloadcodec.LoadOrCreateKey(path, false)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("LoadOrCreateKey(missing, create=false) = %v, want fs.ErrNotExist", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("create=false wrote a key file")
	}
}

func TestLoadOrCreateKeyParses(t *testing.T) {
	secret := bytes.Repeat([]byte{7}, 32)
	b64 := base64.StdEncoding.EncodeToString(secret)
	tests := []struct {
		name    string
		file    string
		want    payloadcodec.Key
		wantErr bool
	}{
		{"canonical", "k1:" + b64 + "\n", payloadcodec.Key{ID: "k1", Secret: secret}, false},
		{"no newline", "k1:" + b64, payloadcodec.Key{ID: "k1", Secret: secret}, false},
		{"CRLF and spaces", "  2026-05_01.a:" + b64 + "\r\n", payloadcodec.Key{ID: "2026-05_01.a", Secret: secret}, false},
		{"empty file", "", payloadcodec.Key{}, true},
		{"no ID", ":" + b64 + "\n", payloadcodec.Key{}, true},
		{"no colon", b64 + "\n", payloadcodec.Key{}, true},
		{"ID with space", "k 1:" + b64 + "\n", payloadcodec.Key{}, true},
		{"short key", "k1:" + base64.StdEncoding.EncodeToString(secret[:16]) + "\n", payloadcodec.Key{}, true},
		{"long key", "k1:" + base64.StdEncoding.EncodeToString(append(secret, 7)) + "\n", payloadcodec.Key{}, true},
		{"not base64", "k1:" + strings.Repeat("!", 44) + "\n", payloadcodec.Key{}, true},
		{"URL base64", "k1:" + base64.URLEncoding.EncodeToString(bytes.Repeat([]byte{0xff}, 32)) + "\n", payloadcodec.Key{}, true},
		{"two lines: the first seals", "k2:" + b64 + "\nk1:" + b64 + "\n", payloadcodec.Key{ID: "k2", Secret: secret}, false},
		{"comment and blank line", "# rotated 2026-11-27\n\nk1:" + b64 + "\n", payloadcodec.Key{ID: "k1", Secret: secret}, false},
		{"a bad second line", "k1:" + b64 + "\nk2:" + b64[:10] + "\n", payloadcodec.Key{}, true},
		{"PEM", "-----BEGIN KEY-----\n" + b64 + "\n-----END KEY-----\n", payloadcodec.Key{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "temporal.key")
			if err := os.WriteFile(path, []byte(tt.file), 0o600); err != nil {
				t.Fatal(err)
			}
			got, err := payloadcodec.LoadOrCreateKey(path, true)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("LoadOrCreateKey(%q) = %v, want an error", tt.file, got)
				}
				if strings.Contains(err.Error(), b64[:16]) {
					t.Errorf("error %q quotes the secret", err)
				}
				if b, _ := os.ReadFile(path); string(b) != tt.file {
					t.Errorf("a malformed key file was replaced: now %q", b)
				}
				return
			}
			if err != nil {
				t.Fatalf("LoadOrCreateKey(%q): %v", tt.file, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("LoadOrCreateKey(%q) (-want +got):\n%s", tt.file, diff)
			}
		})
	}
}

// A rotation puts a new key on the first line of the file: payloads sealed
// with the old key still open, new ones are sealed with the new key.
func TestLoadKeysRotation(t *testing.T) {
	path := filepath.Join(t.TempDir(), "temporal.key")
	old, err := payloadcodec.LoadOrCreateKey(path, true)
	if err != nil {
		t.Fatal(err)
	}
	before, _ := payloadcodec.New(old)
	p, err := converter.GetDefaultDataConverter().ToPayload("Siti Aminah")
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := before.Encode([]*commonpb.Payload{p})
	if err != nil {
		t.Fatal(err)
	}

	b, _ := os.ReadFile(path)
	fresh := "20261127-rotated:" + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{9}, 32)) + "\n"
	if err := os.WriteFile(path, append([]byte(fresh), b...), 0o600); err != nil {
		t.Fatal(err)
	}
	keys, err := payloadcodec.LoadKeys(path, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 2 || keys[0].ID != "20261127-rotated" || keys[1].ID != old.ID {
		t.Fatalf("keys after the rotation: %v, want the new one first, then %s", keys, old.ID)
	}
	after, err := payloadcodec.New(keys...)
	if err != nil {
		t.Fatal(err)
	}
	opened, err := after.Decode(sealed)
	if err != nil {
		t.Fatalf("a payload sealed before the rotation: %v", err)
	}
	var name string
	if err := converter.GetDefaultDataConverter().FromPayload(opened[0], &name); err != nil || name != "Siti Aminah" {
		t.Errorf("opened %q, %v", name, err)
	}
	resealed, err := after.Encode([]*commonpb.Payload{p})
	if err != nil {
		t.Fatal(err)
	}
	if id := string(resealed[0].Metadata[payloadcodec.MetadataKeyID]); id != "20261127-rotated" {
		t.Errorf("a new payload is sealed with %q, want the new key", id)
	}
	if _, err := before.Decode(resealed); err == nil {
		t.Error("the old codec opened a payload of the new key")
	}
}
