package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/lindungi/lindungi/server"
)

// /readyz answers within a second whatever its dependencies do, and names
// the one that does not answer: one that hangs, even ignoring its context,
// or one that fails.
func TestReadyzAnswersWithinASecond(t *testing.T) {
	hang := make(chan struct{})
	defer close(hang)
	hangs := func(context.Context) error { <-hang; return nil }
	fails := func(context.Context) error { return errors.New("connection refused") }
	ok := func(context.Context) error { return nil }
	tests := []struct {
		name               string
		database, temporal func(context.Context) error
		wantStatus         int
		wantChecks         map[string]string
	}{
		{"both answer", ok, ok, http.StatusOK, map[string]string{"database": "ok", "temporal": "ok"}},
		{"database frozen", hangs, ok, http.StatusServiceUnavailable, map[string]string{"database": "unavailable", "temporal": "ok"}},
		{"temporal down", ok, fails, http.StatusServiceUnavailable, map[string]string{"database": "ok", "temporal": "unavailable"}},
		{"both frozen", hangs, hangs, http.StatusServiceUnavailable, map[string]string{"database": "unavailable", "temporal": "unavailable"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := server.New(server.Deps{Logger: slog.New(slog.DiscardHandler), DatabaseReady: tt.database, TemporalReady: tt.temporal})
			w := httptest.NewRecorder()
			start := time.Now()
			srv.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/readyz", nil))
			if d := time.Since(start); d > 3*time.Second {
				t.Errorf("/readyz took %v", d)
			}
			if w.Code != tt.wantStatus {
				t.Errorf("status = %d, want %d", w.Code, tt.wantStatus)
			}
			var body struct {
				Status string            `json:"status"`
				Checks map[string]string `json:"checks"`
			}
			if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.wantChecks, body.Checks); diff != "" {
				t.Errorf("checks (-want +got):\n%s", diff)
			}
			if tt.wantStatus != http.StatusOK && w.Header().Get("Retry-After") == "" {
				t.Error("no Retry-After")
			}
		})
	}
}
