package server

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// healthz says the process is alive.
func (s *Server) healthz(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) }

// readyz says whether the database and Temporal answer.
func (s *Server) readyz(c *gin.Context) {
	ctx := c.Request.Context()
	checks := map[string]string{"database": "ok", "temporal": "ok"}
	status := http.StatusOK
	if err := s.DatabaseReady(ctx); err != nil {
		checks["database"], status = "unavailable", http.StatusServiceUnavailable
		s.Logger.WarnContext(ctx, "database not ready", "err", err)
	}
	if err := s.TemporalReady(ctx); err != nil {
		checks["temporal"], status = "unavailable", http.StatusServiceUnavailable
		s.Logger.WarnContext(ctx, "temporal not ready", "err", err)
	}
	c.JSON(status, gin.H{"status": map[bool]string{true: "ok", false: "unavailable"}[status == http.StatusOK], "checks": checks})
}
