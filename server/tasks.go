package server

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"

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
	// Stored after the workflow answers (idempotency.go): a retry after a
	// crash sends the same update, which the workflow answers as the first time.
	c.JSON(http.StatusOK, completeResponse{Task: res.Task, JourneyStep: res.JourneyStep})
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
		c.JSON(http.StatusOK, t) // stored after the workflow answers (idempotency.go)
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
	t, err := do(s.Tasks, withAnswer(c, http.StatusOK), actor(c), id)
	if err != nil {
		s.problem(c, err)
		return
	}
	c.JSON(http.StatusOK, t) // stored with the change, in its transaction
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
// own, with one status per task. Each task is its own transaction, so the
// answer is stored after the last (idempotency.go); a retry after a crash
// assigns again, which changes nothing for a task assigned already.
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

// notificationList is a page of the caller's notifications, with how
// many of all of theirs are unread (up to lindungi.MaxUnread).
type notificationList struct {
	Items      []lindungi.Notification `json:"items"`
	NextCursor *int64                  `json:"next_cursor"`
	Unread     int                     `json:"unread"`
}

// listNotifications shows what happened to the work of the caller's unit,
// and what was addressed to the caller, newest first, each with whether
// the caller read it: a page at a time (cursor: the last ID seen), unread
// ones only with unread=true.
func (s *Server) listNotifications(c *gin.Context) {
	var v lindungi.Validation
	q := lindungi.NotificationQuery{Reader: lindungi.ReaderOf(principal(c)), Limit: 100}
	q.Unread, _ = boolParam(c, &v, "unread")
	if l := c.Query("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > maxPage {
			v.Add("limit", fmt.Sprintf("must be a number from 1 to %d", maxPage))
		}
		q.Limit = n
	}
	if cur := c.Query("cursor"); cur != "" {
		n, err := strconv.ParseInt(cur, 10, 64)
		if err != nil || n < 1 {
			v.Add("cursor", "must be the next_cursor of the previous page")
		}
		q.Before = n
	}
	if err := v.Err(); err != nil {
		s.problem(c, err)
		return
	}
	ctx := c.Request.Context()
	ns, err := s.Notifications.Notifications(ctx, q)
	if err != nil {
		s.problem(c, err)
		return
	}
	unread, err := s.Notifications.UnreadNotifications(ctx, q.Reader)
	if err != nil {
		s.problem(c, err)
		return
	}
	out := notificationList{Items: ns, Unread: unread}
	if out.Items == nil {
		out.Items = []lindungi.Notification{}
	}
	if len(ns) == q.Limit {
		out.NextCursor = &ns[len(ns)-1].ID
	}
	c.JSON(http.StatusOK, out)
}

// markNotificationsRead marks the caller's notifications read, those named
// or all, and answers how many stay unread. It changes the caller's own
// read state only: no record, so no audit event.
func (s *Server) markNotificationsRead(c *gin.Context) {
	var req lindungi.MarkRead
	if err := bindJSON(c, &req); err != nil {
		s.problem(c, err)
		return
	}
	unread, err := s.Notifications.MarkNotificationsRead(c.Request.Context(), lindungi.ReaderOf(principal(c)), req)
	if err != nil {
		s.problem(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"unread": unread})
}
