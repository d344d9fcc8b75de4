package server

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/app"
)

// getWorker shows a worker and the journey's current step. The read is
// logged with its purpose before the data is sent.
func (s *Server) getWorker(c *gin.Context) {
	w, a, ok := s.visibleWorker(c)
	if !ok {
		return
	}
	purpose, err := s.purpose(c, false)
	if err != nil {
		s.problem(c, err)
		return
	}
	if err := s.logAccess(c, a, "access.worker", "worker", w.ID.String(), &w.ID, purpose, nil); err != nil {
		s.problem(c, err)
		return
	}
	c.JSON(http.StatusOK, w)
}

// visibleWorker loads the :id worker if the caller may use this route on
// it, with the decision that allowed it.
func (s *Server) visibleWorker(c *gin.Context) (lindungi.Worker, app.Actor, bool) {
	id, ok := s.pathID(c)
	if !ok {
		return lindungi.Worker{}, app.Actor{}, false
	}
	w, a, err := s.Workers.Find(c.Request.Context(), actor(c), id)
	if err != nil {
		s.problem(c, err)
		return lindungi.Worker{}, app.Actor{}, false
	}
	return w, a, true
}

// workerMatches is the answer of a worker search.
type workerMatches struct {
	Items []lindungi.WorkerMatch `json:"items"`
}

// searchWorkers finds the workers the caller may see by NIK, name (with
// birth date, or at least 3 characters) or phone, before a complaint is
// recorded. Each worker found is a read of personal data, logged with the
// purpose.
func (s *Server) searchWorkers(c *gin.Context) {
	purpose, err := s.purpose(c, false)
	if err != nil {
		s.problem(c, err)
		return
	}
	a := actor(c)
	q := lindungi.WorkerQuery{NIK: c.Query("nik"), Name: c.Query("name"), BirthDate: c.Query("birth_date"), Phone: c.Query("phone")}
	matches, err := s.Workers.Search(c.Request.Context(), a, q)
	if err != nil {
		s.problem(c, err)
		return
	}
	for _, m := range matches {
		if err := s.logAccess(c, a, "access.search", "worker", m.ID.String(), &m.ID, purpose,
			map[string]any{"matched_by": m.MatchedBy}); err != nil {
			s.problem(c, err)
			return
		}
	}
	if matches == nil {
		matches = []lindungi.WorkerMatch{}
	}
	c.JSON(http.StatusOK, workerMatches{Items: matches})
}

type mergeRequest struct {
	Into string `json:"into"`
}

// mergeWorker merges the :id provisional worker into the registered
// worker the body names: its cases and tasks move, both records stay. The
// caller must see both workers.
func (s *Server) mergeWorker(c *gin.Context) {
	var req mergeRequest
	id, ok := s.bindOn(c, &req, false)
	if !ok {
		return
	}
	// A malformed ID is uuid.Nil, which Merge refuses once the caller is
	// known to reach the worker.
	into, _ := lindungi.ParseID(req.Into)
	m, err := s.Workers.Merge(withAnswer(c, http.StatusOK), actor(c), id, into)
	if err != nil {
		s.problem(c, err)
		return
	}
	c.JSON(http.StatusOK, m) // stored with the merge, in its transaction
}
