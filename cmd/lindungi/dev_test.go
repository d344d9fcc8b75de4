package main

import (
	"testing"
	"time"

	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/devenv"
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
