package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/lindungi/lindungi/auditlog"
	"github.com/lindungi/lindungi/payloadcodec"
	"github.com/lindungi/lindungi/web"
)

// runKeygen makes the key files of the configuration that are missing: the
// Temporal payload key, the audit signing key and the web session key,
// which production requires and never makes on its own. A key file that
// exists is checked and kept, never replaced: a new payload key could not
// read the payloads already sealed, a new audit key would not be the one
// auditors trust, and a new session key signs everyone out. Running it
// again is therefore harmless, which is what a deployment's one-shot job
// needs (docker-compose.yml runs it before the API and the worker).
func runKeygen(ctx context.Context, args []string, cfg Config, stdout io.Writer) error {
	if len(args) > 0 {
		return fmt.Errorf("keygen takes no arguments: it makes the files of LINDUNGI_PAYLOAD_KEY_FILE, LINDUNGI_AUDIT_KEY_FILE and LINDUNGI_SESSION_KEY_FILE that are missing")
	}
	var audit *auditlog.Key
	keys := []struct {
		name, env, path string
		load            func(path string) error
	}{
		{"payload key", "LINDUNGI_PAYLOAD_KEY_FILE", cfg.payloadKeyPath(), func(p string) error {
			_, err := payloadcodec.LoadOrCreateKey(p, true)
			return err
		}},
		{"audit signing key", "LINDUNGI_AUDIT_KEY_FILE", cfg.auditKeyPath(), func(p string) (err error) {
			audit, err = auditlog.LoadKey(p, true)
			return err
		}},
		{"session key", "LINDUNGI_SESSION_KEY_FILE", cfg.sessionKeyPath(), func(p string) error {
			_, err := web.LoadOrCreateSessionKey(p, true)
			return err
		}},
	}
	for _, k := range keys {
		_, err := os.Stat(k.path)
		existed := err == nil
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%s: %w", k.env, err)
		}
		if err := k.load(k.path); err != nil {
			return fmt.Errorf("%s: %w", k.env, err)
		}
		verb := "made"
		if existed {
			verb = "kept"
		}
		fmt.Fprintf(stdout, "%s %s: %s\n", k.name, verb, k.path)
	}
	fmt.Fprintf(stdout, "audit signing key %s; its public key, for auditors (also GET /v1/audit/key):\n%s", audit.ID, auditlog.PublicPEM(audit.Public()))
	return nil
}
