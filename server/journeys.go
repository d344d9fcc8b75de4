package server

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/app"
)

// registerWorker registers a prospective worker and starts the journey.
func (s *Server) registerWorker(c *gin.Context) {
	var nw lindungi.NewWorker
	if err := bindJSON(c, &nw); err != nil {
		s.problem(c, err)
		return
	}
	w, err := s.Journeys.Register(c.Request.Context(), actor(c), app.Registration{Worker: nw, Key: idempotencyKeyOf(c)})
	if err != nil {
		if !s.replayRace(c, err) {
			s.problem(c, err)
		}
		return
	}
	c.Header("Location", "/v1/workers/"+w.ID.String())
	c.JSON(http.StatusCreated, w) // stored with the worker, in its transaction
}

type journeyActionRequest struct {
	Reason        string    `json:"reason"`
	ArrivedAt     time.Time `json:"arrived_at"`
	ContractEnd   string    `json:"contract_end"`
	FamilyConsent bool      `json:"family_consent"`
}

// journeyAction closes a journey, records a return, extends the contract or
// records a rehabilitation request, through the worker's journey.
func (s *Server) journeyAction(act app.JourneyAct) gin.HandlerFunc {
	return func(c *gin.Context) {
		var req journeyActionRequest
		id, ok := s.bindOn(c, &req, false)
		if !ok {
			return
		}
		w, err := s.Journeys.Act(c.Request.Context(), actor(c), app.JourneyAction{WorkerID: id, Act: act, Reason: req.Reason,
			ArrivedAt: req.ArrivedAt, ContractEnd: req.ContractEnd, FamilyConsent: req.FamilyConsent, Key: keyOf(c)})
		if err != nil {
			s.problem(c, err)
			return
		}
		s.answer(c, http.StatusOK, w)
	}
}
