package server

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
)

// ReadyTimeout bounds each check of /readyz. The checks run side by side,
// so /readyz answers within a second whatever the database and Temporal do.
const ReadyTimeout = 800 * time.Millisecond

// healthz says the process is alive.
func (s *Server) healthz(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) }

// readyz says whether the database and Temporal answer, naming the one
// that does not. A check that has not answered within ReadyTimeout counts
// as unavailable, even if it ignores its context.
func (s *Server) readyz(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), ReadyTimeout)
	defer cancel()
	checks := []struct {
		name  string
		ready func(context.Context) error
	}{{"database", s.DatabaseReady}, {"temporal", s.TemporalReady}}
	type result struct {
		name string
		err  error
	}
	results := make(chan result, len(checks)) // a late check never blocks
	for _, ch := range checks {
		go func() {
			var err error
			if ch.ready != nil {
				err = ch.ready(ctx)
			}
			results <- result{ch.name, err}
		}()
	}
	state := map[string]string{}
	for _, ch := range checks {
		state[ch.name] = "unavailable"
	}
	status := http.StatusOK
wait:
	for range checks {
		select {
		case r := <-results:
			if r.err == nil {
				state[r.name] = "ok"
				continue
			}
			s.Logger.WarnContext(ctx, r.name+" not ready", "err", r.err)
		case <-ctx.Done():
			s.Logger.WarnContext(c.Request.Context(), "readiness checks did not answer in time", "timeout", ReadyTimeout)
			break wait
		}
	}
	for _, v := range state {
		if v != "ok" {
			status = http.StatusServiceUnavailable
		}
	}
	overall := "ok"
	if status != http.StatusOK {
		overall = "unavailable"
		c.Header("Retry-After", strconv.Itoa(RetryAfterSeconds))
	}
	c.JSON(status, gin.H{"status": overall, "checks": state})
}
