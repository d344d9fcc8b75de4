package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/devenv"
	"github.com/lindungi/lindungi/identity"
)

// TestDemoDataIsValid keeps the demo workers and users of `lindungi dev`
// acceptable to the API they are registered through.
func TestDemoDataIsValid(t *testing.T) {
	for _, w := range demoWorkers {
		w.Normalize()
		if err := w.Validate(time.Now().In(lindungi.WIB)); err != nil {
			t.Errorf("demo worker %s: %v", w.Name, err)
		}
	}
	seen := map[string]bool{}
	for _, u := range devenv.DemoUsers() {
		if seen[u.Subject] {
			t.Errorf("demo user %s twice", u.Subject)
		}
		seen[u.Subject] = true
	}
	if len(seen) < 9 {
		t.Errorf("%d demo users, want one per role at least", len(seen))
	}
}

// TestBannerShowsTheWebAddress: lindungi dev prints where the pages are,
// next to the API.
func TestBannerShowsTheWebAddress(t *testing.T) {
	dev, err := identity.LoadOrCreateDev(filepath.Join(t.TempDir(), "dev.key"))
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	printBanner(&out, "http://127.0.0.1:8080", "http://127.0.0.1:8080/", "http://127.0.0.1:8233", Config{DataDir: "/tmp/x"}, dev)
	for _, want := range []string{"Web          http://127.0.0.1:8080/", "API          http://127.0.0.1:8080", "Temporal UI  http://127.0.0.1:8233"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the banner lacks %q:\n%s", want, out.String())
		}
	}
}
