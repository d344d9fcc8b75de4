package server

import (
	"encoding/json"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/workflows"
)

// registerWorker registers a prospective worker and starts the journey.
func (s *Server) registerWorker(c *gin.Context) {
	var nw lindungi.NewWorker
	if err := bindJSON(c, &nw); err != nil {
		s.problem(c, err)
		return
	}
	nw.Normalize()
	if err := nw.Validate(s.Now().In(lindungi.WIB)); err != nil {
		s.problem(c, err)
		return
	}
	if ok, err := s.authorizeUnit(c, nw.DomicileUnit, uuid.Nil); err != nil || !ok {
		if err == nil {
			err = lindungi.Errorf(lindungi.EFORBIDDEN, "You may not register workers domiciled in %s; ask for a delegation.", nw.DomicileUnit)
		}
		s.problem(c, err)
		return
	}
	ctx := c.Request.Context()
	key := idempotencyKeyOf(c)
	w, err := s.Store.CreateWorkerIdempotent(ctx, nw, s.event(c), key)
	if err != nil {
		// A concurrent request with the same key may have won the race.
		if key != nil && lindungi.ErrorCode(err) == lindungi.ECONFLICT && s.replay(c, *key) {
			return
		}
		s.problem(c, err)
		return
	}
	// The worker is saved; if the journey cannot start now, the worker
	// process's reconciler starts it within a minute.
	in := workflows.JourneyInput{WorkerID: w.ID, DomicileUnit: w.DomicileUnit, Scheme: w.Scheme, Entry: nw.Entry,
		RequestID: lindungi.RequestIDFromContext(ctx)}
	if err := s.Journeys.StartJourney(ctx, in); err != nil {
		s.Logger.WarnContext(ctx, "journey not started; the reconciler will start it", "worker_id", w.ID, "err", err)
	} else if err := s.Store.MarkJourneyStarted(ctx, w.ID); err != nil {
		s.Logger.WarnContext(ctx, "journey start not recorded", "worker_id", w.ID, "err", err)
	}
	c.Header("Location", "/v1/workers/"+w.ID.String())
	c.JSON(http.StatusCreated, w)
}

// getWorker shows a worker and the journey's current step. The read is
// logged with its purpose before the data is sent.
func (s *Server) getWorker(c *gin.Context) {
	purpose, err := s.purpose(c, false)
	if err != nil {
		s.problem(c, err)
		return
	}
	w, ok := s.visibleWorker(c)
	if !ok {
		return
	}
	if err := s.logAccess(c, "access.worker", "worker", w.ID.String(), &w.ID, purpose, nil); err != nil {
		s.problem(c, err)
		return
	}
	c.JSON(http.StatusOK, w)
}

// visible returns ENOTFOUND when the caller may not use this route on a
// record of unit, so that the record's existence does not leak.
func (s *Server) visible(c *gin.Context, unit string, worker uuid.UUID, notFound string) error {
	ok, err := s.authorizeUnit(c, unit, worker)
	if err != nil {
		return err
	}
	if !ok {
		return lindungi.Errorf(lindungi.ENOTFOUND, "%s", notFound)
	}
	return nil
}

// pathID parses the :id path parameter; a malformed ID is not found.
func (s *Server) pathID(c *gin.Context) (uuid.UUID, bool) {
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		s.problem(c, lindungi.Errorf(lindungi.ENOTFOUND, "No record has this ID."))
		return uuid.Nil, false
	}
	return id, true
}

// healthz says the process is alive.
func (s *Server) healthz(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) }

// readyz says whether the database and Temporal answer.
func (s *Server) readyz(c *gin.Context) {
	ctx := c.Request.Context()
	checks := map[string]string{"database": "ok", "temporal": "ok"}
	status := http.StatusOK
	if err := s.Store.Ping(ctx); err != nil {
		checks["database"], status = "unavailable", http.StatusServiceUnavailable
		s.Logger.WarnContext(ctx, "database not ready", "err", err)
	}
	if err := s.TemporalReady(ctx); err != nil {
		checks["temporal"], status = "unavailable", http.StatusServiceUnavailable
		s.Logger.WarnContext(ctx, "temporal not ready", "err", err)
	}
	c.JSON(status, gin.H{"status": map[bool]string{true: "ok", false: "unavailable"}[status == http.StatusOK], "checks": checks})
}

// storeResponse keeps the answer of an idempotent request made with a key.
func (s *Server) storeResponse(c *gin.Context, status int, body any) {
	key := idempotencyKeyOf(c)
	if key == nil {
		return
	}
	b, err := json.Marshal(body)
	if err == nil {
		err = s.Store.SaveResponse(c.Request.Context(), *key, status, b)
	}
	if err != nil {
		s.Logger.WarnContext(c.Request.Context(), "idempotent response not stored", "err", err)
	}
}
