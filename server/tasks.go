package server

import (
	"context"
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/app"
)

// taskList is the answer of the task inbox.
type taskList struct {
	Items      []lindungi.Task `json:"items"`
	NextCursor string          `json:"next_cursor,omitempty"`
}

// listTasks lists the tasks the caller may see: its unit and the units
// below it, and what was delegated to it; filtered, by deadline then ID,
// a page at a time.
func (s *Server) listTasks(c *gin.Context) {
	var v lindungi.Validation
	f := lindungi.TaskFilter{Status: lindungi.TaskStatus(c.Query("status")), Kind: lindungi.TaskKind(c.Query("kind")),
		Unit: c.Query("unit"), Assignee: c.Query("assignee"), Limit: 100, Now: s.Now()}
	switch f.Status {
	case "", lindungi.TaskOpen, lindungi.TaskCompleted, lindungi.TaskCancelled:
	default:
		v.Add("status", "must be open, completed or cancelled")
	}
	if f.Kind != "" && !slices.Contains(lindungi.TaskKinds, f.Kind) {
		v.Add("kind", "is not a task kind")
	}
	f.Overdue, _ = boolParam(c, &v, "overdue")
	f.WorkerID = uuidParam(c, &v, "worker", "must be a worker ID")
	f.Limit, f.AfterDue, f.AfterID = pageParams(c, &v, f.Limit)
	if err := v.Err(); err != nil {
		s.problem(c, err)
		return
	}
	tasks, err := s.Tasks.List(c.Request.Context(), actor(c), f)
	if err != nil {
		s.problem(c, err)
		return
	}
	out := taskList{Items: tasks}
	if len(tasks) == f.Limit {
		last := tasks[len(tasks)-1]
		out.NextCursor = makeCursor(last.DueAt, last.ID)
	}
	c.JSON(http.StatusOK, out)
}

// getTask shows one task.
func (s *Server) getTask(c *gin.Context) {
	id, ok := s.pathID(c)
	if !ok {
		return
	}
	t, _, err := s.Tasks.Find(c.Request.Context(), actor(c), id)
	if err != nil {
		s.problem(c, err)
		return
	}
	c.JSON(http.StatusOK, t)
}

type completeRequest struct {
	Outcome lindungi.Outcome `json:"outcome"`
	Note    string           `json:"note"`
}

type completeResponse struct {
	Task        lindungi.Task `json:"task"`
	JourneyStep lindungi.Step `json:"journey_step"`
}

// completeTask completes a task through its workflow. It answers after the
// workflow does, so a 200 means the database and the workflow agree.
func (s *Server) completeTask(c *gin.Context) {
	var req completeRequest
	id, ok := s.bindOn(c, &req, false)
	if !ok {
		return
	}
	res, err := s.Tasks.Complete(c.Request.Context(), actor(c), app.Completion{TaskID: id, Outcome: req.Outcome, Note: req.Note, Key: keyOf(c)})
	if err != nil {
		s.problem(c, err)
		return
	}
	s.answer(c, http.StatusOK, completeResponse{Task: res.Task, JourneyStep: res.JourneyStep})
}

type taskMoveRequest struct {
	Unit        string `json:"unit"`
	Role        string `json:"role"`
	WorkingDays int    `json:"working_days"`
	Reason      string `json:"reason"`
}

// moveTask escalates, reassigns or extends a task by hand (move is one of
// Tasks.Escalate, Reassign or Extend) and answers with the task as stored
// after.
func (s *Server) moveTask(move func(*app.Tasks, context.Context, app.Actor, app.TaskMove) (lindungi.Task, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		var req taskMoveRequest
		id, ok := s.bindOn(c, &req, false)
		if !ok {
			return
		}
		t, err := move(s.Tasks, c.Request.Context(), actor(c), app.TaskMove{TaskID: id, Unit: req.Unit, Role: req.Role,
			WorkingDays: req.WorkingDays, Reason: req.Reason, Key: keyOf(c)})
		if err != nil {
			s.problem(c, err)
			return
		}
		s.answer(c, http.StatusOK, t)
	}
}

// claimTask makes the caller the task's assignee.
func (s *Server) claimTask(c *gin.Context) { s.taskByID(c, (*app.Tasks).Claim) }

// releaseTask gives a claimed task back to the queue: by its assignee, or
// by someone who may assign tasks there.
func (s *Server) releaseTask(c *gin.Context) { s.taskByID(c, (*app.Tasks).Release) }

// taskByID calls do on the :id task and answers with the task it returns.
func (s *Server) taskByID(c *gin.Context, do func(*app.Tasks, context.Context, app.Actor, uuid.UUID) (lindungi.Task, error)) {
	id, ok := s.pathID(c)
	if !ok {
		return
	}
	t, err := do(s.Tasks, c.Request.Context(), actor(c), id)
	if err != nil {
		s.problem(c, err)
		return
	}
	c.JSON(http.StatusOK, t)
}

type assignRequest struct {
	TaskIDs  []uuid.UUID `json:"task_ids"`
	Assignee string      `json:"assignee"`
}

type assignResult struct {
	TaskID uuid.UUID      `json:"task_id"`
	Status int            `json:"status"`
	Task   *lindungi.Task `json:"task,omitempty"`
	Error  string         `json:"error,omitempty"`
}

// assignTasks gives up to app.MaxBulk tasks to a user, each checked on its
// own, with one status per task.
func (s *Server) assignTasks(c *gin.Context) {
	var req assignRequest
	if err := bindJSON(c, &req); err != nil {
		s.problem(c, err)
		return
	}
	done, err := s.Tasks.Assign(c.Request.Context(), actor(c), app.Assignment{TaskIDs: req.TaskIDs, Assignee: req.Assignee})
	if err != nil {
		s.problem(c, err)
		return
	}
	results := make([]assignResult, len(done))
	for i, d := range done {
		results[i] = assignResult{TaskID: d.TaskID, Status: http.StatusOK}
		if d.Err != nil {
			results[i].Status, results[i].Error = statusOf(d.Err), lindungi.ErrorMessage(d.Err)
		} else {
			results[i].Task = &d.Task
		}
	}
	c.JSON(http.StatusOK, gin.H{"items": results})
}

// listNotifications shows what happened to the work of the caller's unit.
func (s *Server) listNotifications(c *gin.Context) {
	ns, err := s.Notifications.Notifications(c.Request.Context(), principal(c).Unit, 100)
	if err != nil {
		s.problem(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": ns})
}
