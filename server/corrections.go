package server

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/lindungi/lindungi"
)

// correctWorker corrects the :id worker's profile: the fields the body
// gives, with a reason; the NIK only by a supervisor. It answers the worker
// as corrected.
func (s *Server) correctWorker(c *gin.Context) {
	var corr lindungi.WorkerCorrection
	id, ok := s.bindOn(c, &corr, false)
	if !ok {
		return
	}
	w, err := s.Workers.Correct(withAnswer(c, http.StatusOK), actor(c), id, corr)
	if err != nil {
		s.problem(c, err)
		return
	}
	c.JSON(http.StatusOK, w) // stored with the correction, in its transaction
}
