package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/lindungi/lindungi"
)

// TestProblem answers each kind of failure with its status, and an outage
// with Retry-After and a message that says so rather than "Internal error".
func TestProblem(t *testing.T) {
	tests := []struct {
		name           string
		err            error
		wantStatus     int
		wantType       string
		wantRetryAfter bool
		wantDetail     string
	}{
		{"database down", fmt.Errorf("find worker: %w", lindungi.Errorf(lindungi.EUNAVAILABLE, "The database cannot be reached; try again shortly.")),
			http.StatusServiceUnavailable, "urn:lindungi:problem:unavailable", true, "The database cannot be reached; try again shortly."},
		{"workflow slow", lindungi.Errorf(lindungi.ETIMEOUT, "The workflow did not answer in time."),
			http.StatusGatewayTimeout, "urn:lindungi:problem:timeout", true, "The workflow did not answer in time."},
		{"conflict", lindungi.Errorf(lindungi.ECONFLICT, "Already exists."), http.StatusConflict, "urn:lindungi:problem:conflict", false, "Already exists."},
		{"a bug", errors.New("nil map"), http.StatusInternalServerError, "urn:lindungi:problem:internal", false, "Internal error."},
	}
	gin.SetMode(gin.ReleaseMode)
	s := &Server{Deps: Deps{Logger: slog.New(slog.DiscardHandler)}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			c, _ := gin.CreateTestContext(w)
			c.Request = httptest.NewRequest(http.MethodGet, "/v1/workers/x", nil)
			s.problem(c, tt.err)
			if w.Code != tt.wantStatus {
				t.Errorf("status = %d, want %d", w.Code, tt.wantStatus)
			}
			if got := w.Header().Get("Content-Type"); got != "application/problem+json" {
				t.Errorf("Content-Type = %q", got)
			}
			if got := w.Header().Get("Retry-After"); (got != "") != tt.wantRetryAfter {
				t.Errorf("Retry-After = %q, want one: %v", got, tt.wantRetryAfter)
			}
			var p problem
			if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil {
				t.Fatal(err)
			}
			if p.Type != tt.wantType || p.Detail != tt.wantDetail || p.Status != tt.wantStatus {
				t.Errorf("problem = %+v, want type %s, detail %q", p, tt.wantType, tt.wantDetail)
			}
		})
	}
}

// TestDeadline gives every request's work a deadline, so that a call that
// honours its context cannot wait forever.
func TestDeadline(t *testing.T) {
	gin.SetMode(gin.ReleaseMode)
	s := &Server{Deps: Deps{Logger: slog.New(slog.DiscardHandler), RequestTimeout: 50 * time.Millisecond}}
	e := gin.New()
	var err error
	e.GET("/slow", s.deadline, func(c *gin.Context) {
		select {
		case <-c.Request.Context().Done():
			err = c.Request.Context().Err()
		case <-time.After(5 * time.Second):
		}
	})
	e.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/slow", nil))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("the request's context ended with %v, want its deadline", err)
	}
}
