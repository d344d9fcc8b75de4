package server

import (
	"net/http"
	"strconv"
	"strings"
	"unicode"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/activities"
	"github.com/lindungi/lindungi/workflows"
)

// taskList is the answer of the task inbox.
type taskList struct {
	Items []lindungi.Task `json:"items"`
}

// listTasks lists the tasks of the caller's unit and the units below it.
func (s *Server) listTasks(c *gin.Context) {
	var v lindungi.Validation
	f := lindungi.TaskFilter{Status: lindungi.TaskStatus(c.Query("status")), Limit: 100}
	switch f.Status {
	case "", lindungi.TaskOpen, lindungi.TaskCompleted:
	default:
		v.Add("status", "must be open or completed")
	}
	if l := c.Query("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 500 {
			v.Add("limit", "must be a number from 1 to 500")
		}
		f.Limit = n
	}
	if err := v.Err(); err != nil {
		s.problem(c, err)
		return
	}
	scope, err := s.scope(c)
	if err != nil {
		s.problem(c, err)
		return
	}
	tasks, err := s.Store.ListTasks(c.Request.Context(), scope, f)
	if err != nil {
		s.problem(c, err)
		return
	}
	c.JSON(http.StatusOK, taskList{Items: tasks})
}

// getTask shows one task.
func (s *Server) getTask(c *gin.Context) {
	t, ok := s.visibleTask(c)
	if !ok {
		return
	}
	c.JSON(http.StatusOK, t)
}

// visibleTask loads the :id task if the caller may use this route on it.
func (s *Server) visibleTask(c *gin.Context) (lindungi.Task, bool) {
	id, ok := s.pathID(c)
	if !ok {
		return lindungi.Task{}, false
	}
	t, err := s.Store.FindTask(c.Request.Context(), id)
	if err == nil {
		err = s.visible(c, t.Unit, t.WorkerID, "Task not found.")
	}
	if err != nil {
		s.problem(c, err)
		return lindungi.Task{}, false
	}
	return t, true
}

type completeRequest struct {
	Outcome lindungi.Outcome `json:"outcome"`
	Note    string           `json:"note"`
}

type completeResponse struct {
	Task        lindungi.Task `json:"task"`
	JourneyStep lindungi.Step `json:"journey_step"`
}

const maxNote = 2000

// completeTask completes a task through the journey's complete-task update.
// It answers after the update returns, so a 200 means the database and the
// workflow agree.
func (s *Server) completeTask(c *gin.Context) {
	var req completeRequest
	if err := bindJSON(c, &req); err != nil {
		s.problem(c, err)
		return
	}
	req.Note = strings.TrimSpace(req.Note)
	var v lindungi.Validation
	if !req.Outcome.Valid() {
		v.Add("outcome", "must be approved or rejected")
	}
	if len([]rune(req.Note)) > maxNote {
		v.Add("note", "must be at most 2000 characters")
	}
	if strings.IndexFunc(req.Note, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }) >= 0 {
		v.Add("note", "must not contain control characters")
	}
	if err := v.Err(); err != nil {
		s.problem(c, err)
		return
	}
	t, ok := s.visibleTask(c)
	if !ok {
		return
	}
	if t.Status != lindungi.TaskOpen {
		s.problem(c, lindungi.Errorf(lindungi.ECONFLICT, "The task is already %s.", t.Status))
		return
	}
	p := principal(c)
	ctx := c.Request.Context()
	updateID := "complete/" + t.ID.String() + "/" + uuid.NewString()
	if key := idempotencyKeyOf(c); key != nil {
		updateID = "complete/" + t.ID.String() + "/" + p.Subject + "/" + key.Key
	}
	res, err := s.Journeys.CompleteTask(ctx, t, workflows.CompleteTaskRequest{
		TaskID: t.ID, Outcome: req.Outcome, Note: req.Note,
		Actor:     activities.Actor{Subject: p.Subject, Unit: p.Unit, Role: c.GetString(roleKey), ActingFor: c.GetString(actingKey)},
		Rule:      c.GetString(ruleKey),
		RequestID: lindungi.RequestIDFromContext(ctx),
	}, updateID)
	if err != nil {
		s.problem(c, err)
		return
	}
	body := completeResponse{Task: res.Task, JourneyStep: res.JourneyStep}
	s.storeResponse(c, http.StatusOK, body)
	c.JSON(http.StatusOK, body)
}

// scope is what the caller may list: its unit and the units below it, the
// units whose queues were delegated to its unit, and the workers delegated
// to it by name.
func (s *Server) scope(c *gin.Context) (lindungi.Scope, error) {
	p := principal(c)
	scope := lindungi.Scope{Units: []string{p.Unit}}
	delegations, err := s.Store.ActiveDelegations(c.Request.Context(), p.Subject, p.Unit, s.Now())
	if err != nil {
		return lindungi.Scope{}, err
	}
	for _, d := range delegations {
		switch {
		case d.Kind == lindungi.DelegateQueue:
			scope.Units = append(scope.Units, d.TargetUnit)
		case d.WorkerID != nil:
			scope.Workers = append(scope.Workers, *d.WorkerID)
		}
	}
	return scope, nil
}
