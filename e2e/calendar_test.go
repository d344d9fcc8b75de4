package e2e_test

import (
	"testing"

	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/postgres"
)

func mustHolidays(t *testing.T) []lindungi.Holiday {
	t.Helper()
	hs, err := postgres.ReferenceHolidays()
	if err != nil {
		t.Fatal(err)
	}
	return hs
}
