package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lindungi/lindungi/auditlog"
	"github.com/lindungi/lindungi/payloadcodec"
	"github.com/lindungi/lindungi/web"
)

// keygenEnv is a production configuration whose three key files are in dir.
func keygenEnv(dir string) (map[string]string, map[string]string) {
	files := map[string]string{
		"LINDUNGI_PAYLOAD_KEY_FILE": filepath.Join(dir, "keys", "temporal-payload.key"),
		"LINDUNGI_AUDIT_KEY_FILE":   filepath.Join(dir, "keys", "audit-signing.key"),
		"LINDUNGI_SESSION_KEY_FILE": filepath.Join(dir, "keys", "session.key"),
	}
	env := map[string]string{"LINDUNGI_ENV": "production", "LINDUNGI_DATA": filepath.Join(dir, "data")}
	for k, v := range files {
		env[k] = v
	}
	return env, files
}

func runKeygenCmd(t *testing.T, env map[string]string, args ...string) (string, error) {
	t.Helper()
	var out strings.Builder
	err := run(context.Background(), append([]string{"keygen"}, args...), func(k string) string { return env[k] }, &out)
	return out.String(), err
}

// TestKeygenMakesKeysProductionLoads: the files keygen makes are the ones
// serve and worker load in production, where nothing is made on the spot.
func TestKeygenMakesKeysProductionLoads(t *testing.T) {
	env, files := keygenEnv(t.TempDir())
	out, err := runKeygenCmd(t, env)
	if err != nil {
		t.Fatalf("keygen: %v\n%s", err, out)
	}
	for name, p := range files {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if perm := fi.Mode().Perm(); perm != 0o600 {
			t.Errorf("%s %s: mode %o, want 600 (it is a secret)", name, p, perm)
		}
		if !strings.Contains(out, "made: "+p) {
			t.Errorf("keygen output does not say it made %s:\n%s", p, out)
		}
	}
	if _, err := payloadcodec.LoadOrCreateKey(files["LINDUNGI_PAYLOAD_KEY_FILE"], false); err != nil {
		t.Errorf("payload key as production loads it: %v", err)
	}
	key, err := auditlog.LoadKey(files["LINDUNGI_AUDIT_KEY_FILE"], false)
	if err != nil {
		t.Fatalf("audit key as production loads it: %v", err)
	}
	if !strings.Contains(out, string(auditlog.PublicPEM(key.Public()))) || !strings.Contains(out, key.ID) {
		t.Errorf("keygen output lacks the audit public key %s:\n%s", key.ID, out)
	}
	if _, err := web.LoadOrCreateSessionKey(files["LINDUNGI_SESSION_KEY_FILE"], false); err != nil {
		t.Errorf("session key as production loads it: %v", err)
	}
}

// TestKeygenKeepsExistingKeys: a second run, or a run after some keys were
// provisioned by hand, replaces nothing.
func TestKeygenKeepsExistingKeys(t *testing.T) {
	env, files := keygenEnv(t.TempDir())
	// Only the audit key exists, as if an operator had made it first.
	if _, err := auditlog.LoadKey(files["LINDUNGI_AUDIT_KEY_FILE"], true); err != nil {
		t.Fatal(err)
	}
	auditBefore, err := os.ReadFile(files["LINDUNGI_AUDIT_KEY_FILE"])
	if err != nil {
		t.Fatal(err)
	}
	out, err := runKeygenCmd(t, env)
	if err != nil {
		t.Fatalf("keygen: %v\n%s", err, out)
	}
	if !strings.Contains(out, "audit signing key kept: ") || !strings.Contains(out, "payload key made: ") {
		t.Errorf("keygen output: got\n%s\nwant the audit key kept and the payload key made", out)
	}
	if got, _ := os.ReadFile(files["LINDUNGI_AUDIT_KEY_FILE"]); !bytes.Equal(got, auditBefore) {
		t.Errorf("the existing audit key was rewritten")
	}

	before := map[string][]byte{}
	for name, p := range files {
		before[name], _ = os.ReadFile(p)
	}
	out, err = runKeygenCmd(t, env)
	if err != nil {
		t.Fatalf("second keygen: %v\n%s", err, out)
	}
	for name, p := range files {
		if got, _ := os.ReadFile(p); !bytes.Equal(got, before[name]) {
			t.Errorf("second keygen rewrote %s", name)
		}
		if !strings.Contains(out, "kept: "+p) {
			t.Errorf("second keygen output does not say it kept %s:\n%s", p, out)
		}
	}
}

// TestKeygenRefusesBrokenKey: a key file that does not parse is an error
// naming its variable, and is left as it is for the operator to look at.
func TestKeygenRefusesBrokenKey(t *testing.T) {
	env, files := keygenEnv(t.TempDir())
	p := files["LINDUNGI_SESSION_KEY_FILE"]
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte("not a key\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := runKeygenCmd(t, env)
	if err == nil || !strings.Contains(err.Error(), "LINDUNGI_SESSION_KEY_FILE") {
		t.Fatalf("keygen with a broken session key: got %v, want an error naming LINDUNGI_SESSION_KEY_FILE\n%s", err, out)
	}
	if got, _ := os.ReadFile(p); string(got) != "not a key\n" {
		t.Errorf("the broken key file was changed to %q", got)
	}
	if _, err := runKeygenCmd(t, env, "payload"); err == nil {
		t.Errorf("keygen payload: got no error, want keygen to refuse arguments")
	}
}
