package server

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/lindungi/lindungi"
)

type caseAsOfResponse struct {
	At   time.Time     `json:"at"`
	Case lindungi.Case `json:"case"`
}

// caseAsOf shows a case as it stood at a past instant, for auditors; the
// call itself is logged with its purpose.
func (s *Server) caseAsOf(c *gin.Context) {
	purpose, at, details, ok := s.asOfParams(c)
	if !ok {
		return
	}
	pc, ok := s.readableCase(c)
	if !ok {
		return
	}
	if err := s.logAccess(c, "access.case_as_of", "case", pc.ID.String(), &pc.WorkerID, purpose, details); err != nil {
		s.problem(c, err)
		return
	}
	then, err := s.Store.CaseAsOf(c.Request.Context(), pc.ID, at)
	if err != nil {
		s.problem(c, err)
		return
	}
	c.JSON(http.StatusOK, caseAsOfResponse{At: at.UTC(), Case: then})
}
