package server

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/lindungi/lindungi/app"
)

// statsRoute answers GET /v1/stats/... with one set of the figures of a
// unit (?unit=, the caller's by default) and below, flows counted from
// ?from= to ?to= (YYYY-MM-DD, WIB).
func statsRoute[T any](s *Server, read func(*app.Stats, context.Context, app.Actor, app.StatsRequest) (T, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		r := app.StatsRequest{Unit: c.Query("unit"), From: c.Query("from"), To: c.Query("to")}
		out, err := read(s.Stats, c.Request.Context(), actor(c), r)
		if err != nil {
			s.problem(c, err)
			return
		}
		c.JSON(http.StatusOK, out)
	}
}
